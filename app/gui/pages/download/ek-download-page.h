/* ek-download-page.h: the wizard step “Renew the certificate” (online certificate update) */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_DOWNLOAD_PAGE (ek_download_page_get_type ())
G_DECLARE_FINAL_TYPE (EkDownloadPage, ek_download_page, EK, DOWNLOAD_PAGE, EkPage)

EkPage *ek_download_page_new (EkApplicationDraft *draft);

G_END_DECLS
