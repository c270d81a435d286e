/* ek-credit-code-path-page.h: the wizard step “Your enterprise's path” (adding the 18-digit code) */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_CREDIT_CODE_PATH_PAGE (ek_credit_code_path_page_get_type ())
G_DECLARE_FINAL_TYPE (EkCreditCodePathPage, ek_credit_code_path_page, EK, CREDIT_CODE_PATH_PAGE, EkPage)

EkPage *ek_credit_code_path_page_new (EkApplicationDraft *draft);

G_END_DECLS
