/* ek-form-page.h: one page of the application form, built from the catalogue's form */
#pragma once

#include "ek-form.h"
#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_FORM_PAGE (ek_form_page_get_type ())
G_DECLARE_FINAL_TYPE (EkFormPage, ek_form_page, EK, FORM_PAGE, EkPage)

EkPage      *ek_form_page_new             (EkForm             *form,
                                           const char         *step,
                                           EkApplicationDraft *draft);
const char  *ek_form_page_get_step        (EkFormPage         *self);
gboolean     ek_form_page_focus_field     (EkFormPage         *self,
                                           const char         *field);
void         ek_form_page_validate_now    (EkFormPage         *self);

G_END_DECLS
