/* ek-login-form.h: log in with the 18-digit code, the login name and a captcha */
#pragma once

#include <gtk/gtk.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

#define EK_TYPE_LOGIN_FORM (ek_login_form_get_type ())
G_DECLARE_FINAL_TYPE (EkLoginForm, ek_login_form, EK, LOGIN_FORM, GtkWidget)

GtkWidget *ek_login_form_new           (EkApplicationDraft *draft);
void       ek_login_form_load_captcha  (EkLoginForm        *self);
void       ek_login_form_set_values    (EkLoginForm        *self,
                                        const char         *credit_code,
                                        const char         *login_name);
void       ek_login_form_focus_answer  (EkLoginForm        *self);
gboolean   ek_login_form_has_captcha   (EkLoginForm        *self);
const char *ek_login_form_get_captcha_id (EkLoginForm      *self);

G_END_DECLS
