/* ek-visit-page.h: the step “At the counter” of a paper business */
#pragma once

#include <gtk/gtk.h>

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_VISIT_PAGE (ek_visit_page_get_type ())
G_DECLARE_FINAL_TYPE (EkVisitPage, ek_visit_page, EK, VISIT_PAGE, EkPage)

EkPage     *ek_visit_page_new               (EkApplicationDraft      *draft);
char       *ek_visit_page_dup_pdf           (EkVisitPage             *self);
gboolean    ek_visit_page_print             (EkVisitPage             *self,
                                             GtkPrintOperationAction  action,
                                             const char              *export_path,
                                             GError                 **error);
/* For tests: what is shown */
guint       ek_visit_page_get_n_items       (EkVisitPage             *self);
const char *ek_visit_page_get_item          (EkVisitPage             *self,
                                             guint                    index);
const char *ek_visit_page_get_authority     (EkVisitPage             *self);
const char *ek_visit_page_get_dates         (EkVisitPage             *self);
/* The planned day (YYYY-MM-DD) the dates count from, and choosing another on the calendar */
const char *ek_visit_page_get_day           (EkVisitPage             *self);
void        ek_visit_page_choose_day        (EkVisitPage             *self,
                                             const char              *iso_date);
const char *ek_visit_page_get_next          (EkVisitPage             *self);
gboolean    ek_visit_page_is_ready          (EkVisitPage             *self);

G_END_DECLS
