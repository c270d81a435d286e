/* ek-mobile-authorization-page.h: the wizard step “Authorise the phone” */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_MOBILE_AUTHORIZATION_PAGE (ek_mobile_authorization_page_get_type ())
G_DECLARE_FINAL_TYPE (EkMobileAuthorizationPage, ek_mobile_authorization_page, EK, MOBILE_AUTHORIZATION_PAGE, EkPage)

EkPage *ek_mobile_authorization_page_new (EkApplicationDraft *draft);

G_END_DECLS
