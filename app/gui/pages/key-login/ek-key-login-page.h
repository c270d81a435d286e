/* ek-key-login-page.h: the wizard step “Log in with the key” */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_KEY_LOGIN_PAGE (ek_key_login_page_get_type ())
G_DECLARE_FINAL_TYPE (EkKeyLoginPage, ek_key_login_page, EK, KEY_LOGIN_PAGE, EkPage)

EkPage *ek_key_login_page_new (EkApplicationDraft *draft);

G_END_DECLS
