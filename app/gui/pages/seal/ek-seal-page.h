/* ek-seal-page.h: the wizard step "Electronic seal": the seal business's home */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_SEAL_PAGE (ek_seal_page_get_type ())
G_DECLARE_FINAL_TYPE (EkSealPage, ek_seal_page, EK, SEAL_PAGE, EkPage)

EkPage *ek_seal_page_new     (EkApplicationDraft *draft);
/* 印章状态查询: asks the service again */
void    ek_seal_page_refresh (EkSealPage         *self);
/* How many times the lists were shown (a test waits for the next one) */
guint   ek_seal_page_get_n_loads (EkSealPage     *self);

G_END_DECLS
