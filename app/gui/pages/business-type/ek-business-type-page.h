/* ek-business-type-page.h: “What do you need to do?” */
#pragma once

#include "ek-catalogue.h"
#include "ek-draft-store.h"
#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_BUSINESS_TYPE_PAGE (ek_business_type_page_get_type ())
G_DECLARE_FINAL_TYPE (EkBusinessTypePage, ek_business_type_page, EK, BUSINESS_TYPE_PAGE, EkPage)

EkPage *ek_business_type_page_new (EkCatalogue        *catalogue,
                                   EkApplicationDraft *draft);
void       ek_business_type_page_set_draft_store (EkBusinessTypePage *self,
                                                  EkDraftStore       *store);
GtkWidget *ek_business_type_page_get_draft_list  (EkBusinessTypePage *self);
GtkListBoxRow *ek_business_type_page_get_chosen_row (EkBusinessTypePage *self);

G_END_DECLS
