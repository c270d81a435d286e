/* ek-material-row.h: one material of the materials checklist */
#pragma once

#include <gtk/gtk.h>

#include "ek-draft-materials.h"
#include "ek-material-rules.h"

G_BEGIN_DECLS

typedef enum
{
  EK_MATERIAL_ROW_MISSING,
  EK_MATERIAL_ROW_CHECKING,
  EK_MATERIAL_ROW_READY,
  EK_MATERIAL_ROW_TOO_LARGE,
  EK_MATERIAL_ROW_WRONG_FORMAT,
  EK_MATERIAL_ROW_UNREADABLE,
} EkMaterialRowState;

#define EK_TYPE_MATERIAL_ROW (ek_material_row_get_type ())
G_DECLARE_FINAL_TYPE (EkMaterialRow, ek_material_row, EK, MATERIAL_ROW, GtkBox)

GtkWidget                    *ek_material_row_new              (EkDraftMaterials      *materials,
                                                                EkMaterialRequirement *requirement);
const EkMaterialRequirement  *ek_material_row_get_requirement  (EkMaterialRow         *self);
EkMaterialRowState            ek_material_row_get_state        (EkMaterialRow         *self);
gboolean                      ek_material_row_is_satisfied     (EkMaterialRow         *self);
const char                   *ek_material_row_get_status       (EkMaterialRow         *self);
void                          ek_material_row_fit              (EkMaterialRow         *self);
void                          ek_material_row_accept_fit       (EkMaterialRow         *self);
gboolean                      ek_material_row_has_fit_preview  (EkMaterialRow         *self);
gboolean                      ek_material_row_get_thumbnail_size (EkMaterialRow       *self,
                                                                  int                 *width,
                                                                  int                 *height);

G_END_DECLS
