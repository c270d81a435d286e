/* ek-account-page.h: the account step: register and activate, or log in */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_ACCOUNT_PAGE (ek_account_page_get_type ())
G_DECLARE_FINAL_TYPE (EkAccountPage, ek_account_page, EK, ACCOUNT_PAGE, EkPage)

EkPage     *ek_account_page_new         (EkApplicationDraft *draft);
const char *ek_account_page_get_mode    (EkAccountPage      *self);
void        ek_account_page_set_mode    (EkAccountPage      *self,
                                         const char         *mode);
GtkWidget  *ek_account_page_get_login_form (EkAccountPage   *self);

G_END_DECLS
