/* ek-status-page.h: the status step: where the application is, and what comes next */
#pragma once

#include "ek-page.h"
#include "ek-api-client.h"

G_BEGIN_DECLS

#define EK_TYPE_STATUS_PAGE (ek_status_page_get_type ())
G_DECLARE_FINAL_TYPE (EkStatusPage, ek_status_page, EK, STATUS_PAGE, EkPage)

EkPage     *ek_status_page_new          (EkApplicationDraft    *draft);
void        ek_status_page_refresh      (EkStatusPage          *self);
void        ek_status_page_show         (EkStatusPage          *self,
                                         EkApiApplication *application);
/* For tests: what is shown */
const char *ek_status_page_get_summary  (EkStatusPage          *self);
const char *ek_status_page_get_remark   (EkStatusPage          *self);
const char *ek_status_page_get_expected (EkStatusPage          *self);
const char *ek_status_page_get_authority (EkStatusPage         *self);
guint       ek_status_page_get_n_originals (EkStatusPage       *self);
gboolean    ek_status_page_offers_resubmit (EkStatusPage       *self);
guint       ek_status_page_get_n_refreshes (EkStatusPage       *self);
const char *ek_status_page_get_notes    (EkStatusPage          *self);
const char *ek_status_page_get_kept     (EkStatusPage          *self);
guint       ek_status_page_get_n_visit_items (EkStatusPage     *self);

const char *ek_status_name              (const char            *status);

G_END_DECLS
