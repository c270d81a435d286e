/* ek-mobile-history-page.h: the wizard step “History” of mobile authorisation */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_MOBILE_HISTORY_PAGE (ek_mobile_history_page_get_type ())
G_DECLARE_FINAL_TYPE (EkMobileHistoryPage, ek_mobile_history_page, EK, MOBILE_HISTORY_PAGE, EkPage)

EkPage *ek_mobile_history_page_new (EkApplicationDraft *draft);

G_END_DECLS
