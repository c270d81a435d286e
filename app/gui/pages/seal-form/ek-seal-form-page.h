/* ek-seal-form-page.h: the wizard step "Seal application" of the electronic seal */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_SEAL_FORM_PAGE (ek_seal_form_page_get_type ())
G_DECLARE_FINAL_TYPE (EkSealFormPage, ek_seal_form_page, EK, SEAL_FORM_PAGE, EkPage)

EkPage *ek_seal_form_page_new (EkApplicationDraft *draft);

G_END_DECLS
