/* ek-material-rules.c: parse the catalogue's material sections */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-l10n.h"
#include "ek-material-error.h"
#include "ek-material-rules.h"

struct _EkMaterialRules
{
  GObject     parent_instance;

  char       *id;
  char       *name;
  GHashTable *business_types;  /* id → GPtrArray of EkMaterialRequirement */
};

G_DEFINE_FINAL_TYPE (EkMaterialRules, ek_material_rules, G_TYPE_OBJECT)

static void
requirement_free (gpointer data)
{
  EkMaterialRequirement *requirement = data;

  g_free (requirement->material_id);
  g_free (requirement->name);
  g_free (requirement->description);
  g_free (requirement->signed_by);
  g_strfreev (requirement->exemptions);
  g_free (requirement);
}

static void
ek_material_rules_finalize (GObject *object)
{
  EkMaterialRules *self = EK_MATERIAL_RULES (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->business_types, g_hash_table_unref);

  G_OBJECT_CLASS (ek_material_rules_parent_class)->finalize (object);
}

static void
ek_material_rules_class_init (EkMaterialRulesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_material_rules_finalize;
}

static void
ek_material_rules_init (EkMaterialRules *self)
{
  self->business_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
}

static gboolean G_GNUC_PRINTF (2, 3)
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_RULES,
               _("The material rules in the catalogue are not usable: %s"), message);
  return FALSE;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL && json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
read_count (JsonObject *object,
            const char *name,
            guint64    *out,
            GError    **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) <= 0)
    return invalid (error, _("“%s” must be a positive whole number"), name);
  *out = (guint64) json_node_get_int (node);
  return TRUE;
}

static gboolean
read_limits (JsonObject       *object,
             EkMaterialLimits *limits,
             GError          **error)
{
  JsonNode *formats = member (object, "formats");
  guint64 value;

  if (!read_count (object, "max_bytes", &limits->max_bytes, error) ||
      !read_count (object, "max_pixels", &limits->max_pixels, error))
    return FALSE;
  value = limits->max_width;
  if (!read_count (object, "max_width", &value, error))
    return FALSE;
  limits->max_width = (guint) MIN (value, G_MAXUINT);
  value = limits->max_height;
  if (!read_count (object, "max_height", &value, error))
    return FALSE;
  limits->max_height = (guint) MIN (value, G_MAXUINT);

  if (formats != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (formats))
        return invalid (error, _("“formats” must be a list"));
      array = json_node_get_array (formats);
      limits->formats = 0;
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          const char *name = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                             ? json_node_get_string (node) : NULL;

          if (g_strcmp0 (name, "png") == 0)
            limits->formats |= 1u << EK_IMAGE_FORMAT_PNG;
          else if (g_strcmp0 (name, "jpeg") == 0)
            limits->formats |= 1u << EK_IMAGE_FORMAT_JPEG;
          else if (g_strcmp0 (name, "gif") == 0)
            limits->formats |= 1u << EK_IMAGE_FORMAT_GIF;
          else
            return invalid (error, _("unknown upload format “%s”"), name != NULL ? name : "?");
        }
      if (limits->formats == 0)
        return invalid (error, _("“formats” is empty"));
    }
  return TRUE;
}

static char *
pick (JsonObject *object,
      const char *name,
      GError    **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !ek_l10n_is_valid (node))
    {
      invalid (error, _("“%s” must be a text with an “en” translation"), name);
      return NULL;
    }
  return g_strdup (ek_l10n_pick (node));
}

static EkMaterialRequirement *
parse_requirement (JsonNode               *node,
                   JsonObject             *materials,
                   const EkMaterialLimits *defaults,
                   GError                **error)
{
  g_autoptr(GPtrArray) exemptions = g_ptr_array_new_with_free_func (g_free);
  EkMaterialRequirement *requirement;
  JsonObject *entry, *definition;
  JsonNode *id_node, *required, *exempt, *two_sided;
  const char *id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("a material entry is not an object")), NULL;
  entry = json_node_get_object (node);
  id_node = member (entry, "material");
  if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) || json_node_get_value_type (id_node) != G_TYPE_STRING)
    return invalid (error, _("a material entry has no “material”")), NULL;
  id = json_node_get_string (id_node);
  definition = member_object (materials, id);
  if (definition == NULL)
    return invalid (error, _("material “%s” is not defined"), id), NULL;

  requirement = g_new0 (EkMaterialRequirement, 1);
  requirement->material_id = g_strdup (id);
  requirement->limits = *defaults;
  required = member (entry, "required");
  requirement->required = required == NULL ||
                          (JSON_NODE_HOLDS_VALUE (required) && json_node_get_value_type (required) == G_TYPE_BOOLEAN &&
                           json_node_get_boolean (required));
  two_sided = member (definition, "two_sided");
  requirement->two_sided = two_sided != NULL && JSON_NODE_HOLDS_VALUE (two_sided) &&
                           json_node_get_value_type (two_sided) == G_TYPE_BOOLEAN && json_node_get_boolean (two_sided);
  if ((requirement->name = pick (definition, "name", error)) == NULL ||
      (requirement->description = pick (definition, "description", error)) == NULL ||
      (requirement->signed_by = pick (definition, "signed_by", error)) == NULL ||
      !read_limits (entry, &requirement->limits, error))
    {
      requirement_free (requirement);
      return NULL;
    }
  exempt = member (entry, "exemptions");
  if (exempt != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (exempt) ? json_node_get_array (exempt) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *text = json_array_get_element (array, i);

          if (!ek_l10n_is_valid (text))
            {
              requirement_free (requirement);
              return invalid (error, _("an exemption of “%s” is not a text"), id), NULL;
            }
          g_ptr_array_add (exemptions, g_strdup (ek_l10n_pick (text)));
        }
    }
  g_ptr_array_add (exemptions, NULL);
  requirement->exemptions = (char **) g_ptr_array_steal (exemptions, NULL);
  return requirement;
}

EkMaterialRules *
ek_material_rules_new_from_document (JsonObject  *document,
                                     const char  *rule_set_id,
                                     GError     **error)
{
  g_autoptr(EkMaterialRules) self = NULL;
  JsonObject *materials, *sets_object, *set = NULL, *types, *limits_object;
  JsonNode *sets_node, *default_node;
  EkMaterialLimits defaults;
  JsonArray *sets;
  g_autoptr(GList) type_ids = NULL;

  g_return_val_if_fail (document != NULL, NULL);

  materials = member_object (document, "materials");
  sets_object = member_object (document, "material_rule_sets");
  if (materials == NULL || sets_object == NULL)
    return invalid (error, _("the “materials” or “material_rule_sets” section is missing")), NULL;
  if (rule_set_id == NULL)
    {
      default_node = member (sets_object, "default");
      if (default_node == NULL || !JSON_NODE_HOLDS_VALUE (default_node) ||
          json_node_get_value_type (default_node) != G_TYPE_STRING)
        return invalid (error, _("no default rule set")), NULL;
      rule_set_id = json_node_get_string (default_node);
    }
  sets_node = member (sets_object, "sets");
  if (sets_node == NULL || !JSON_NODE_HOLDS_ARRAY (sets_node))
    return invalid (error, _("“sets” must be a list")), NULL;
  sets = json_node_get_array (sets_node);
  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonNode *node = json_array_get_element (sets, i);
      JsonNode *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = member (json_node_get_object (node), "id");
      if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (id), rule_set_id) == 0)
        set = json_node_get_object (node);
    }
  if (set == NULL)
    return invalid (error, _("there is no rule set “%s”"), rule_set_id), NULL;

  self = g_object_new (EK_TYPE_MATERIAL_RULES, NULL);
  self->id = g_strdup (rule_set_id);
  if ((self->name = pick (set, "name", error)) == NULL)
    return NULL;

  ek_material_limits_init_default (&defaults);
  limits_object = member_object (set, "limits");
  if (limits_object == NULL)
    return invalid (error, _("rule set “%s” has no limits"), rule_set_id), NULL;
  if (!read_limits (limits_object, &defaults, error))
    return NULL;
  if (defaults.max_bytes == 0)
    return invalid (error, _("rule set “%s” has no “max_bytes”"), rule_set_id), NULL;

  types = member_object (set, "business_types");
  if (types == NULL)
    return invalid (error, _("rule set “%s” has no business types"), rule_set_id), NULL;
  type_ids = json_object_get_members (types);
  for (GList *l = type_ids; l != NULL; l = l->next)
    {
      JsonNode *list = json_object_get_member (types, l->data);
      g_autoptr(GPtrArray) requirements = g_ptr_array_new_with_free_func (requirement_free);

      if (!JSON_NODE_HOLDS_ARRAY (list))
        return invalid (error, _("the materials of “%s” must be a list"), (const char *) l->data), NULL;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        {
          EkMaterialRequirement *requirement =
            parse_requirement (json_array_get_element (json_node_get_array (list), i), materials, &defaults, error);

          if (requirement == NULL)
            return NULL;
          g_ptr_array_add (requirements, requirement);
        }
      g_hash_table_insert (self->business_types, g_strdup (l->data), g_steal_pointer (&requirements));
    }
  return g_steal_pointer (&self);
}

EkMaterialRules *
ek_material_rules_new (EkCatalogue  *catalogue,
                       const char   *rule_set_id,
                       GError      **error)
{
  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);
  return ek_material_rules_new_from_document (ek_catalogue_get_document (catalogue), rule_set_id, error);
}

const char *
ek_material_rules_get_id (EkMaterialRules *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_RULES (self), NULL);
  return self->id;
}

const char *
ek_material_rules_get_name (EkMaterialRules *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_RULES (self), NULL);
  return self->name;
}

/**
 * ek_material_rules_get_requirements:
 * Returns: (transfer none) (nullable): the materials of @business_type_id, in upload order;
 *   %NULL when that business type uploads nothing
 */
GPtrArray *
ek_material_rules_get_requirements (EkMaterialRules *self,
                                    const char      *business_type_id)
{
  g_return_val_if_fail (EK_IS_MATERIAL_RULES (self), NULL);
  g_return_val_if_fail (business_type_id != NULL, NULL);
  return g_hash_table_lookup (self->business_types, business_type_id);
}

const EkMaterialRequirement *
ek_material_rules_lookup (EkMaterialRules *self,
                          const char      *business_type_id,
                          const char      *material_id)
{
  GPtrArray *requirements;

  g_return_val_if_fail (EK_IS_MATERIAL_RULES (self), NULL);
  g_return_val_if_fail (material_id != NULL, NULL);

  requirements = ek_material_rules_get_requirements (self, business_type_id);
  for (guint i = 0; requirements != NULL && i < requirements->len; i++)
    {
      EkMaterialRequirement *requirement = g_ptr_array_index (requirements, i);
      if (g_str_equal (requirement->material_id, material_id))
        return requirement;
    }
  return NULL;
}

/**
 * ek_material_rules_new_from_service:
 * @catalogue: the document GET /catalogue answered, as it came
 * @business_type_id: (nullable): the business type the caller is about to check files for
 *
 * The rule set a registration service declares in force: its catalogue's
 * material_rule_sets.default, parsed like the bundled one. Anything unusable is an error (the
 * caller keeps its own rules): not an object, sections missing or malformed, a limit that is
 * not a positive number, an unknown format, or no materials at all for @business_type_id when
 * the bundled catalogue has some for it.
 *
 * Returns: (transfer full) (nullable): the rules, or %NULL with @error set
 */
EkMaterialRules *
ek_material_rules_new_from_service (JsonNode    *catalogue,
                                    const char  *business_type_id,
                                    GError     **error)
{
  g_autoptr(EkMaterialRules) rules = NULL;

  g_return_val_if_fail (catalogue != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (catalogue))
    return invalid (error, _("the service’s catalogue is not a JSON object")), NULL;
  rules = ek_material_rules_new_from_document (json_node_get_object (catalogue), NULL, error);
  if (rules == NULL)
    return NULL;
  if (business_type_id != NULL && ek_material_rules_get_requirements (rules, business_type_id) == NULL)
    return invalid (error, _("the service lists no materials for business type “%s”"), business_type_id), NULL;
  return g_steal_pointer (&rules);
}

static gboolean
limits_equal (const EkMaterialLimits *a,
              const EkMaterialLimits *b)
{
  return a->max_bytes == b->max_bytes && a->formats == b->formats && a->max_pixels == b->max_pixels &&
         a->max_width == b->max_width && a->max_height == b->max_height;
}

/**
 * ek_material_rules_same_limits:
 *
 * Whether @self and @other ask the same of @business_type_id's materials: the same materials,
 * in the same order, with the same limits (what a checked file is measured against).
 */
gboolean
ek_material_rules_same_limits (EkMaterialRules *self,
                               EkMaterialRules *other,
                               const char      *business_type_id)
{
  GPtrArray *a, *b;

  g_return_val_if_fail (EK_IS_MATERIAL_RULES (self), FALSE);
  g_return_val_if_fail (EK_IS_MATERIAL_RULES (other), FALSE);
  g_return_val_if_fail (business_type_id != NULL, FALSE);

  a = ek_material_rules_get_requirements (self, business_type_id);
  b = ek_material_rules_get_requirements (other, business_type_id);
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const EkMaterialRequirement *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      if (!g_str_equal (x->material_id, y->material_id) || x->required != y->required ||
          !limits_equal (&x->limits, &y->limits))
        return FALSE;
    }
  return TRUE;
}
