/* ek-materials-page.h: the "materials" step: scan, check and fit every supporting document */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

/* Where the limits in force come from */
typedef enum
{
  EK_MATERIALS_RULES_BUILT_IN,      /* no registration service is set up */
  EK_MATERIALS_RULES_ASKING,        /* built-in, while the service is being asked */
  EK_MATERIALS_RULES_SERVICE,       /* what the registration service declares */
  EK_MATERIALS_RULES_OFFLINE,       /* built-in: the service could not be reached */
  EK_MATERIALS_RULES_INVALID,       /* built-in: the service's rules were not usable */
} EkMaterialsRulesSource;

#define EK_TYPE_MATERIALS_PAGE (ek_materials_page_get_type ())
G_DECLARE_FINAL_TYPE (EkMaterialsPage, ek_materials_page, EK, MATERIALS_PAGE, EkPage)

EkPage                 *ek_materials_page_new              (EkApplicationDraft *draft);
GtkWidget              *ek_materials_page_get_row          (EkMaterialsPage    *self,
                                                            const char         *material_id);
EkMaterialsRulesSource  ek_materials_page_get_rules_source (EkMaterialsPage    *self);
const char             *ek_materials_page_get_rules_id     (EkMaterialsPage    *self);
/* Asks the registration service for its limits again (what the "Ask again" button does) */
void                    ek_materials_page_refresh_rules    (EkMaterialsPage    *self);

G_END_DECLS
