/* ek-catalogue.c: load and validate the catalogue
 *
 * The catalogue is data so that a new business type, a changed upload limit or a new
 * issuing authority needs no new code. A bundled copy ships in the library's resources;
 * the registration API may serve a newer one, which goes through the same validation.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-catalogue.h"
#include "ek-l10n.h"
#include "ek-stages.h"

#define DEFAULT_RESOURCE "/org/ekeyassistant/core/catalogue.json"
#define SUPPORTED_FORMAT 1

struct _EkCatalogue
{
  GObject     parent_instance;

  char       *origin;
  JsonNode   *document;
  GListStore *business_types;
};

G_DEFINE_FINAL_TYPE (EkCatalogue, ek_catalogue, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-catalogue-error-quark, ek_catalogue_error)

static void
ek_catalogue_finalize (GObject *object)
{
  EkCatalogue *self = EK_CATALOGUE (object);

  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->document, json_node_unref);
  g_clear_object (&self->business_types);

  G_OBJECT_CLASS (ek_catalogue_parent_class)->finalize (object);
}

static void
ek_catalogue_class_init (EkCatalogueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_catalogue_finalize;
}

static void
ek_catalogue_init (EkCatalogue *self)
{
  self->business_types = g_list_store_new (EK_TYPE_BUSINESS_TYPE);
}

static gboolean G_GNUC_PRINTF (3, 4)
invalid (GError     **error,
         const char  *origin,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: the first %s is a file name, the second what is wrong with it */
  g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_INVALID,
               _("The catalogue “%s” is not valid: %s"), origin, message);
  return FALSE;
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  return json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;
}

static gboolean
is_valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
      return FALSE;
  return TRUE;
}

static const char *
get_id (JsonObject *object)
{
  JsonNode *node = get_member (object, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
parse_mode (const char     *nick,
            EkBusinessMode *mode)
{
  static const struct { const char *nick; EkBusinessMode mode; } modes[] = {
    { "online", EK_BUSINESS_MODE_ONLINE },
    { "offline", EK_BUSINESS_MODE_OFFLINE },
    { "online-and-paper", EK_BUSINESS_MODE_ONLINE_AND_PAPER },
  };

  for (guint i = 0; nick != NULL && i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (nick, modes[i].nick))
      {
        *mode = modes[i].mode;
        return TRUE;
      }
  return FALSE;
}

static GHashTable *
parse_steps (JsonObject  *root,
             const char  *origin,
             GError     **error)
{
  g_autoptr(GHashTable) steps = NULL;
  g_autoptr(GList) names = NULL;
  JsonNode *node = get_member (root, "steps");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (error, origin, _("“steps” is missing or is not an object"));
      return NULL;
    }

  steps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ek_flow_step_unref);
  names = json_object_get_members (json_node_get_object (node));
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *id = l->data;
      JsonNode *step_node = json_object_get_member (json_node_get_object (node), id);
      JsonObject *step;
      JsonNode *title, *summary;

      if (!is_valid_id (id))
        {
          invalid (error, origin, _("the step name “%s” is not a valid name"), id);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_OBJECT (step_node))
        {
          invalid (error, origin, _("step “%s” is not an object"), id);
          return NULL;
        }
      step = json_node_get_object (step_node);
      title = get_member (step, "title");
      summary = get_member (step, "summary");
      if (!ek_l10n_is_valid (title))
        {
          invalid (error, origin, _("step “%s” has no title in English"), id);
          return NULL;
        }
      if (summary != NULL && !ek_l10n_is_valid (summary))
        {
          invalid (error, origin, _("step “%s” has a summary that is not a translated text"), id);
          return NULL;
        }
      g_hash_table_insert (steps, g_strdup (id),
                           ek_flow_step_new (id, ek_l10n_pick (title),
                                             summary ? ek_l10n_pick (summary) : NULL));
    }

  return g_steal_pointer (&steps);
}

static EkBusinessType *
parse_business_type (JsonNode    *node,
                     guint        index,
                     GHashTable  *steps,
                     const char  *origin,
                     GError     **error)
{
  g_autoptr(GPtrArray) flow = NULL;
  JsonObject *object;
  g_autoptr(EkBusinessType) type = NULL;
  g_autoptr(GStrvBuilder) ticks = g_strv_builder_new ();
  JsonNode *name, *summary, *mode_node, *key_node, *flow_node, *stages_node, *ticks_node, *printed_node;
  EkBusinessMode mode;
  const char *id;
  JsonArray *flow_array;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (error, origin, _("business type %u is not an object"), index + 1);
      return NULL;
    }
  object = json_node_get_object (node);

  id = get_id (object);
  if (!is_valid_id (id))
    {
      invalid (error, origin, _("business type %u has no valid “id”"), index + 1);
      return NULL;
    }

  name = get_member (object, "name");
  summary = get_member (object, "summary");
  if (!ek_l10n_is_valid (name) || !ek_l10n_is_valid (summary))
    {
      invalid (error, origin, _("business type “%s” needs a “name” and a “summary”, each with English text"), id);
      return NULL;
    }

  mode_node = get_member (object, "mode");
  if (mode_node == NULL || !JSON_NODE_HOLDS_VALUE (mode_node) ||
      json_node_get_value_type (mode_node) != G_TYPE_STRING ||
      !parse_mode (json_node_get_string (mode_node), &mode))
    {
      invalid (error, origin, _("business type “%s” has no valid “mode” (online, offline or online-and-paper)"), id);
      return NULL;
    }

  key_node = get_member (object, "key_required");
  if (key_node == NULL || !JSON_NODE_HOLDS_VALUE (key_node) ||
      json_node_get_value_type (key_node) != G_TYPE_BOOLEAN)
    {
      invalid (error, origin, _("business type “%s” must say whether the key is required (“key_required”: true or false)"), id);
      return NULL;
    }

  flow_node = get_member (object, "flow");
  if (flow_node == NULL || !JSON_NODE_HOLDS_ARRAY (flow_node) ||
      json_array_get_length (json_node_get_array (flow_node)) == 0)
    {
      invalid (error, origin, _("business type “%s” has no “flow” of steps"), id);
      return NULL;
    }

  flow = g_ptr_array_new ();
  flow_array = json_node_get_array (flow_node);
  for (guint i = 0; i < json_array_get_length (flow_array); i++)
    {
      JsonNode *step_node = json_array_get_element (flow_array, i);
      const char *step_id = NULL;
      EkFlowStep *step;

      if (JSON_NODE_HOLDS_VALUE (step_node) && json_node_get_value_type (step_node) == G_TYPE_STRING)
        step_id = json_node_get_string (step_node);
      if (step_id == NULL || (step = g_hash_table_lookup (steps, step_id)) == NULL)
        {
          invalid (error, origin, _("business type “%s” names an unknown step “%s”"), id,
                   step_id ? step_id : "?");
          return NULL;
        }
      for (guint j = 0; j < flow->len; j++)
        if (g_ptr_array_index (flow, j) == step)
          {
            invalid (error, origin, _("business type “%s” names the step “%s” twice"), id, step_id);
            return NULL;
          }
      g_ptr_array_add (flow, step);
    }

  type = ek_business_type_new (id, ek_l10n_pick (name), ek_l10n_pick (summary), mode,
                               json_node_get_boolean (key_node), flow);

  /* What follows the submission, and the boxes of the form this business ticks */
  stages_node = get_member (object, "stages");
  if (stages_node != NULL && (!JSON_NODE_HOLDS_VALUE (stages_node) ||
                              json_node_get_value_type (stages_node) != G_TYPE_STRING))
    {
      invalid (error, origin, _("business type “%s” names its “stages” with something that is not text"), id);
      return NULL;
    }
  ticks_node = get_member (object, "form_ticks");
  if (ticks_node != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (ticks_node) ? json_node_get_array (ticks_node) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *tick = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (tick) || json_node_get_value_type (tick) != G_TYPE_STRING)
            array = NULL;
          else
            g_strv_builder_add (ticks, json_node_get_string (tick));
        }
      if (array == NULL)
        {
          invalid (error, origin, _("business type “%s” has “form_ticks” that are not a list of names"), id);
          return NULL;
        }
    }
  /* The forms the documents step prints: only those the seed section asks for */
  printed_node = get_member (object, "printed_forms");
  if (printed_node != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (printed_node) ? json_node_get_array (printed_node) : NULL;
      g_autoptr(GStrvBuilder) printed = g_strv_builder_new ();
      g_auto(GStrv) forms = NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *form = json_array_get_element (array, i);
          const char *form_name = JSON_NODE_HOLDS_VALUE (form) && json_node_get_value_type (form) == G_TYPE_STRING
                             ? json_node_get_string (form) : NULL;

          if (form_name == NULL || !(g_str_equal (form_name, "application-form") || g_str_equal (form_name, "seal-confirmation")))
            array = NULL;
          else
            g_strv_builder_add (printed, form_name);
        }
      if (array == NULL || json_array_get_length (array) == 0)
        {
          invalid (error, origin, _("business type “%s” has “printed_forms” that are not a list of application-form and seal-confirmation"), id);
          return NULL;
        }
      forms = g_strv_builder_end (printed);
      ek_business_type_set_printed_forms (type, (const char * const *) forms);
    }
  {
    g_auto(GStrv) tick_names = g_strv_builder_end (ticks);

    ek_business_type_set_course (type, stages_node != NULL ? json_node_get_string (stages_node) : NULL,
                                 (const char * const *) tick_names);
  }
  return g_steal_pointer (&type);
}

static gboolean
ek_catalogue_load (EkCatalogue  *self,
                   GBytes       *bytes,
                   GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) steps = NULL;
  g_autoptr(GHashTable) seen = NULL;
  JsonObject *root;
  JsonNode *format, *types_node;
  JsonArray *types;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size == 0)
    return invalid (error, self->origin, _("it is empty"));
  if (!g_utf8_validate (data, size, NULL))
    return invalid (error, self->origin, _("it is not UTF-8 text"));

  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      /* json-glib fails without an error on input that holds no value at all */
      if (local_error == NULL)
        g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_PARSE,
                     _("The catalogue “%s” cannot be read: %s"), self->origin, _("it holds no JSON value"));
      else
        /* Translators: %s is the file; the parser's own words (in English) follow in brackets,
         * for the helpdesk */
        g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_PARSE,
                     _("The catalogue “%s” cannot be read: it is not well-formed JSON (details for the helpdesk: %s)."),
                     self->origin, local_error->message);
      return FALSE;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_PARSE,
                   _("The catalogue “%s” cannot be read: %s"), self->origin, _("it holds no JSON value"));
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return invalid (error, self->origin, _("the top level is not an object"));
  root = json_node_get_object (json_parser_get_root (parser));

  format = get_member (root, "format");
  if (format == NULL || !JSON_NODE_HOLDS_VALUE (format) ||
      json_node_get_value_type (format) != G_TYPE_INT64)
    return invalid (error, self->origin, _("“format” is missing"));
  if (json_node_get_int (format) != SUPPORTED_FORMAT)
    {
      g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (format));
      return invalid (error, self->origin, _("format %s is not supported (this version reads format %d)"),
                      found, SUPPORTED_FORMAT);
    }

  if (!(steps = parse_steps (root, self->origin, error)))
    return FALSE;

  types_node = get_member (root, "business_types");
  if (types_node == NULL || !JSON_NODE_HOLDS_ARRAY (types_node) ||
      json_array_get_length (json_node_get_array (types_node)) == 0)
    return invalid (error, self->origin, _("“business_types” is missing or empty"));

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  types = json_node_get_array (types_node);
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      g_autoptr(EkBusinessType) type = NULL;

      type = parse_business_type (json_array_get_element (types, i), i, steps, self->origin, error);
      if (type == NULL)
        {
          g_list_store_remove_all (self->business_types);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) ek_business_type_get_id (type)))
        {
          g_list_store_remove_all (self->business_types);
          return invalid (error, self->origin, _("the business type “%s” is listed twice"),
                          ek_business_type_get_id (type));
        }
      g_list_store_append (self->business_types, type);
    }

  self->document = json_node_ref (json_parser_get_root (parser));

  /* Each stage set a business type names must be there and valid */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->business_types)); i++)
    {
      g_autoptr(EkBusinessType) type = g_list_model_get_item (G_LIST_MODEL (self->business_types), i);
      g_autoptr(EkStages) stages = NULL;
      g_autoptr(GError) stages_error = NULL;

      if (ek_business_type_get_stages_id (type) == NULL)
        continue;
      stages = ek_stages_new_for_business (self, ek_business_type_get_id (type), &stages_error);
      if (stages == NULL)
        {
          g_list_store_remove_all (self->business_types);
          g_clear_pointer (&self->document, json_node_unref);
          return invalid (error, self->origin, _("business type “%s”: %s"), ek_business_type_get_id (type),
                          stages_error->message);
        }
    }
  return TRUE;
}

/**
 * ek_catalogue_new_from_bytes:
 * @origin: where the data came from, for error messages (a file name or URL)
 */
EkCatalogue *
ek_catalogue_new_from_bytes (GBytes      *bytes,
                             const char  *origin,
                             GError     **error)
{
  g_autoptr(EkCatalogue) self = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (origin != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (EK_TYPE_CATALOGUE, NULL);
  self->origin = g_strdup (origin);
  if (!ek_catalogue_load (self, bytes, error))
    return NULL;

  return g_steal_pointer (&self);
}

EkCatalogue *
ek_catalogue_new_from_file (GFile   *file,
                            GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *origin = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  origin = g_file_get_parse_name (file);
  bytes = g_file_load_bytes (file, NULL, NULL, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_PARSE,
                   _("The catalogue “%s” cannot be read: %s"), origin, local_error->message);
      return NULL;
    }

  return ek_catalogue_new_from_bytes (bytes, origin, error);
}

/**
 * ek_catalogue_new_default:
 *
 * The catalogue bundled with this version of the program.
 */
EkCatalogue *
ek_catalogue_new_default (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resources_lookup_data (DEFAULT_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return ek_catalogue_new_from_bytes (bytes, "catalogue.json", error);
}

const char *
ek_catalogue_get_origin (EkCatalogue *self)
{
  g_return_val_if_fail (EK_IS_CATALOGUE (self), NULL);
  return self->origin;
}

/**
 * ek_catalogue_get_business_types:
 * Returns: (transfer none): a list model of #EkBusinessType in catalogue order
 */
GListModel *
ek_catalogue_get_business_types (EkCatalogue *self)
{
  g_return_val_if_fail (EK_IS_CATALOGUE (self), NULL);
  return G_LIST_MODEL (self->business_types);
}

/**
 * ek_catalogue_lookup_business_type:
 * Returns: (transfer none) (nullable): the business type with @id
 */
EkBusinessType *
ek_catalogue_lookup_business_type (EkCatalogue *self,
                                   const char  *id)
{
  guint n;

  g_return_val_if_fail (EK_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->business_types));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EkBusinessType) type = g_list_model_get_item (G_LIST_MODEL (self->business_types), i);

      if (g_str_equal (ek_business_type_get_id (type), id))
        return type;  /* the store keeps its reference */
    }
  return NULL;
}

/**
 * ek_catalogue_get_document:
 *
 * The whole validated document, for areas that read their own sections of it
 * (material rules, issuing authorities, the working-day calendar).
 *
 * Returns: (transfer none): the top-level object
 */
JsonObject *
ek_catalogue_get_document (EkCatalogue *self)
{
  g_return_val_if_fail (EK_IS_CATALOGUE (self), NULL);
  return json_node_get_object (self->document);
}
