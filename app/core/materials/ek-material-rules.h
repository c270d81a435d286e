/* ek-material-rules.h: which materials a business type needs, and their limits, as data
 *
 * Parsed from the catalogue's "materials" (what each one is, who signs and stamps it) and
 * "material_rule_sets" (one per version of the registration system: under 200 KB, up to 1 MB…)
 * sections. The registration API may serve a newer catalogue; it goes through the same parser.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-catalogue.h"
#include "ek-material-check.h"

G_BEGIN_DECLS

typedef struct
{
  char              *material_id;
  char              *name;
  char              *description;
  char              *signed_by;
  gboolean           required;
  gboolean           two_sided;    /* both sides of an ID card on one image */
  char             **exemptions;   /* who does not need it; NULL-terminated, may be empty */
  EkMaterialLimits   limits;
} EkMaterialRequirement;

#define EK_TYPE_MATERIAL_RULES (ek_material_rules_get_type ())
G_DECLARE_FINAL_TYPE (EkMaterialRules, ek_material_rules, EK, MATERIAL_RULES, GObject)

EkMaterialRules              *ek_material_rules_new               (EkCatalogue      *catalogue,
                                                                   const char       *rule_set_id,
                                                                   GError          **error);
EkMaterialRules              *ek_material_rules_new_from_document (JsonObject       *document,
                                                                   const char       *rule_set_id,
                                                                   GError          **error);
EkMaterialRules              *ek_material_rules_new_from_service  (JsonNode         *catalogue,
                                                                   const char       *business_type_id,
                                                                   GError          **error);
gboolean                      ek_material_rules_same_limits (EkMaterialRules  *self,
                                                             EkMaterialRules  *other,
                                                             const char       *business_type_id);
const char                   *ek_material_rules_get_id            (EkMaterialRules  *self);
const char                   *ek_material_rules_get_name          (EkMaterialRules  *self);
GPtrArray                    *ek_material_rules_get_requirements  (EkMaterialRules  *self,
                                                                   const char       *business_type_id);
const EkMaterialRequirement  *ek_material_rules_lookup            (EkMaterialRules  *self,
                                                                   const char       *business_type_id,
                                                                   const char       *material_id);

G_END_DECLS
