/* ek-review-page.h: "Check your answers" */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_REVIEW_PAGE (ek_review_page_get_type ())
G_DECLARE_FINAL_TYPE (EkReviewPage, ek_review_page, EK, REVIEW_PAGE, EkPage)

EkPage *ek_review_page_new (EkApplicationDraft *draft);

G_END_DECLS
