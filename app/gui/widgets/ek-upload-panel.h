/* ek-upload-panel.h: upload the materials to the registration system, then confirm the submission */
#pragma once

#include <gtk/gtk.h>

#include "ek-application-draft.h"
#include "ek-draft-materials.h"

G_BEGIN_DECLS

#define EK_TYPE_UPLOAD_PANEL (ek_upload_panel_get_type ())
G_DECLARE_FINAL_TYPE (EkUploadPanel, ek_upload_panel, EK, UPLOAD_PANEL, GtkWidget)

/* @requirements: the EkMaterialRequirement* of the business type (borrowed for the panel's life) */
GtkWidget *ek_upload_panel_new          (EkApplicationDraft  *draft,
                                         EkDraftMaterials    *materials,
                                         GPtrArray           *requirements);
/* Whether the application waits for materials (not yet submitted, or returned after a review) */
gboolean   ek_upload_panel_is_pending   (EkUploadPanel       *self);
void       ek_upload_panel_run_async    (EkUploadPanel       *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean   ek_upload_panel_run_finish   (EkUploadPanel       *self,
                                         GAsyncResult        *result,
                                         GError             **error);
/* For tests: the material's row state ("waiting", "uploading", "uploaded", "skipped", "failed") */
const char *ek_upload_panel_get_row_state (EkUploadPanel     *self,
                                           const char        *material_id);
double     ek_upload_panel_get_row_fraction (EkUploadPanel   *self,
                                             const char      *material_id);
guint      ek_upload_panel_get_n_uploads (EkUploadPanel      *self);

G_END_DECLS
