/* ek-login-dialog.h: log in again when the session has expired, over the current page */
#pragma once

#include <gtk/gtk.h>

#include "ek-application-draft.h"
#include "ek-api-client.h"

G_BEGIN_DECLS

#define EK_TYPE_LOGIN_DIALOG (ek_login_dialog_get_type ())
G_DECLARE_FINAL_TYPE (EkLoginDialog, ek_login_dialog, EK, LOGIN_DIALOG, GtkWindow)

/* @with_key: the business is done with the key (the last log-in with it is also known to @client) */
EkLoginDialog *ek_login_dialog_present  (GtkWindow          *parent,
                                         EkApiClient        *client,
                                         EkApplicationDraft *draft,
                                         gboolean            with_key);
GtkWidget     *ek_login_dialog_get_form (EkLoginDialog      *self);

G_END_DECLS
