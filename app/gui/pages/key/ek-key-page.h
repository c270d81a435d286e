/* ek-key-page.h: the wizard step “Your key” */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_KEY_PAGE (ek_key_page_get_type ())
G_DECLARE_FINAL_TYPE (EkKeyPage, ek_key_page, EK, KEY_PAGE, EkPage)

EkPage *ek_key_page_new (EkApplicationDraft *draft);

G_END_DECLS
