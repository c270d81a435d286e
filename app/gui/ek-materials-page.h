/* ek-materials-page.h: the "materials" step: scan, check and fit every supporting document */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_MATERIALS_PAGE (ek_materials_page_get_type ())
G_DECLARE_FINAL_TYPE (EkMaterialsPage, ek_materials_page, EK, MATERIALS_PAGE, EkPage)

EkPage     *ek_materials_page_new       (EkApplicationDraft *draft);
GtkWidget  *ek_materials_page_get_row   (EkMaterialsPage    *self,
                                         const char         *material_id);

G_END_DECLS
