/* ek-seal-letter-page.h: the wizard step "Seal confirmation letter" of the electronic seal */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_SEAL_LETTER_PAGE (ek_seal_letter_page_get_type ())
G_DECLARE_FINAL_TYPE (EkSealLetterPage, ek_seal_letter_page, EK, SEAL_LETTER_PAGE, EkPage)

EkPage     *ek_seal_letter_page_new     (EkApplicationDraft *draft);
/* "loading", "ready" (the letter rendered), "uploading", "uploaded" or "error" */
const char *ek_seal_letter_page_get_state (EkSealLetterPage *self);
/* (transfer full) (nullable): the path of the rendered letter */
char       *ek_seal_letter_page_dup_pdf (EkSealLetterPage  *self);
/* The material row of the stamped scan */
GtkWidget  *ek_seal_letter_page_get_row (EkSealLetterPage  *self);

G_END_DECLS
