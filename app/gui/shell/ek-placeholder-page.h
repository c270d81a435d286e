/* ek-placeholder-page.h: a step that this version cannot do yet, said plainly */
#pragma once

#include "ek-business-type.h"
#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_PLACEHOLDER_PAGE (ek_placeholder_page_get_type ())
G_DECLARE_FINAL_TYPE (EkPlaceholderPage, ek_placeholder_page, EK, PLACEHOLDER_PAGE, EkPage)

EkPage *ek_placeholder_page_new (EkFlowStep         *step,
                                 EkApplicationDraft *draft);

G_END_DECLS
