/* ek-application.h: the EKey Assistant application */
#pragma once

#include <gtk/gtk.h>

#include "ek-draft-store.h"
#include "ek-api-client.h"

G_BEGIN_DECLS

#define EK_TYPE_APPLICATION (ek_application_get_type ())
G_DECLARE_FINAL_TYPE (EkApplication, ek_application, EK, APPLICATION, GtkApplication)

EkApplication *ek_application_new             (void);
EkDraftStore  *ek_application_get_draft_store (EkApplication *self);

GtkWidget     *ek_application_new_window      (EkApplication *self);
struct _EkKiosk *ek_application_get_kiosk     (EkApplication *self);
void           ek_application_set_kiosk_requested (EkApplication *self,
                                                   gboolean       kiosk);
EkApiClient *ek_application_dup_api_client (EkApplication  *self,
                                                     GError        **error);

G_END_DECLS
