/* ek-mobile-page.h: the wizard step “Mobile authorisation”, the business's home */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_MOBILE_PAGE (ek_mobile_page_get_type ())
G_DECLARE_FINAL_TYPE (EkMobilePage, ek_mobile_page, EK, MOBILE_PAGE, EkPage)

EkPage *ek_mobile_page_new (EkApplicationDraft *draft);

G_END_DECLS
