/* ek-registry-ui.h: calls to the registration service from a page, with the log-in dialog on session expiry */
#pragma once

#include <gtk/gtk.h>

#include "ek-registry-client.h"

G_BEGIN_DECLS

/* Starts one client call; @data is what the call needs (its arguments) */
typedef void     (*EkRegistryCallStart)  (EkRegistryClient    *client,
                                          gpointer             data,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Finishes it: non-NULL on success (a boolean call returns GINT_TO_POINTER (TRUE)) */
typedef gpointer (*EkRegistryCallFinish) (EkRegistryClient    *client,
                                          GAsyncResult        *result,
                                          GError             **error);

EkRegistryClient *ek_registry_ui_get_client   (GError              **error);
void              ek_registry_ui_call         (GtkWidget            *widget,
                                               EkRegistryCallStart   start,
                                               EkRegistryCallFinish  finish,
                                               GDestroyNotify        result_free,
                                               gpointer              data,
                                               GDestroyNotify        data_free,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gpointer          ek_registry_ui_call_finish  (GAsyncResult         *result,
                                               GError              **error);
char             *ek_registry_ui_describe     (const GError         *error);
gboolean          ek_registry_ui_is_field_error (const GError       *error);

/* A button with a mnemonic whose accessible name is its text without the underscore
 * (GTK 4.8 reads the raw "_Retry" out otherwise) */
GtkWidget        *ek_ui_mnemonic_button_new   (const char           *text);
char             *ek_ui_strip_mnemonic        (const char           *text);

G_END_DECLS
