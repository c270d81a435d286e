/* ek-form.c: the application form as data
 *
 * Parses the catalogue's "forms" section (sections of fields, the step showing each, which
 * sections each business type uses) and its "authorities" section, trusting neither: every
 * field must be a field of EkApplicationDraft of the right kind, every check one we know.
 * Checking a field runs the same validators as ekey-registry; a message the server gave on
 * a field (ek_application_draft_set_server_error()) counts as an error until it is cleared.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-form.h"
#include "ek-l10n.h"

#define MAX_TEXT_BYTES 4096

struct _EkForm
{
  GObject     parent_instance;

  GPtrArray  *sections;        /* EkFormSection*, in the catalogue's order */
  GHashTable *business_types;  /* id → GStrv of section ids */
  GPtrArray  *authorities;     /* EkAuthority* */
  GPtrArray  *id_types;        /* EkFormChoice*, shared by every ID type field */
};

G_DEFINE_FINAL_TYPE (EkForm, ek_form, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-form-error-quark, ek_form_error)

static const struct
{
  const char *value;
  const char *label;
} id_types[] = {
  { EK_ID_TYPE_RESIDENT_ID, N_("Resident ID card") },
  { EK_ID_TYPE_OFFICER_ID, N_("Military officer ID") },
  { EK_ID_TYPE_SOLDIER_ID, N_("Soldier ID") },
  { EK_ID_TYPE_PASSPORT, N_("Passport") },
  { EK_ID_TYPE_OTHER, N_("Other") },
};

static const char * const kind_names[] = {
  [EK_FORM_FIELD_TEXT] = "text",
  [EK_FORM_FIELD_CHOICE] = "choice",
  [EK_FORM_FIELD_ID_TYPE] = "id-type",
  [EK_FORM_FIELD_TICK] = "tick",
  [EK_FORM_FIELD_AUTHORITY] = "authority",
};

static const char * const check_names[] = {
  [EK_FORM_CHECK_NONE] = "none",
  [EK_FORM_CHECK_USCC] = "uscc",
  [EK_FORM_CHECK_CODE13] = "code13",
  [EK_FORM_CHECK_ID_NUMBER] = "id-number",
  [EK_FORM_CHECK_MOBILE] = "mobile",
  [EK_FORM_CHECK_LANDLINE] = "landline",
  [EK_FORM_CHECK_POSTCODE] = "postcode",
  [EK_FORM_CHECK_EMAIL] = "email",
  [EK_FORM_CHECK_LOGIN_NAME] = "login-name",
};

static void
choice_free (gpointer data)
{
  EkFormChoice *choice = data;

  g_free (choice->value);
  g_free (choice->label);
  g_free (choice);
}

static EkFormChoice *
choice_new (const char *value,
            const char *label)
{
  EkFormChoice *choice = g_new0 (EkFormChoice, 1);

  choice->value = g_strdup (value);
  choice->label = g_strdup (label);
  return choice;
}

static void
field_free (gpointer data)
{
  EkFormField *field = data;

  g_free (field->name);
  g_free (field->server_name);
  g_free (field->label);
  g_free (field->hint);
  g_clear_pointer (&field->business_hints, g_hash_table_unref);
  g_free (field->id_type_field);
  g_clear_pointer (&field->choices, g_ptr_array_unref);
  g_free (field);
}

static void
section_free (gpointer data)
{
  EkFormSection *section = data;

  g_free (section->id);
  g_free (section->step);
  g_free (section->title);
  g_clear_pointer (&section->fields, g_ptr_array_unref);
  g_free (section);
}

static void
authority_free (gpointer data)
{
  EkAuthority *authority = data;

  g_free (authority->id);
  g_free (authority->name);
  g_free (authority->address);
  g_free (authority->phone);
  g_free (authority);
}

void
ek_form_problem_free (EkFormProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

static void
ek_form_finalize (GObject *object)
{
  EkForm *self = EK_FORM (object);

  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->business_types, g_hash_table_unref);
  g_clear_pointer (&self->authorities, g_ptr_array_unref);
  g_clear_pointer (&self->id_types, g_ptr_array_unref);

  G_OBJECT_CLASS (ek_form_parent_class)->finalize (object);
}

static void
ek_form_class_init (EkFormClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_form_finalize;
}

static void
ek_form_init (EkForm *self)
{
  self->sections = g_ptr_array_new_with_free_func (section_free);
  self->business_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_strfreev);
  self->authorities = g_ptr_array_new_with_free_func (authority_free);
  self->id_types = g_ptr_array_new_with_free_func (choice_free);
  for (guint i = 0; i < G_N_ELEMENTS (id_types); i++)
    g_ptr_array_add (self->id_types, choice_new (id_types[i].value, _(id_types[i].label)));
}

static gpointer G_GNUC_PRINTF (2, 3)
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: %s says what is wrong in the catalogue */
  g_set_error (error, EK_FORM_ERROR, EK_FORM_ERROR_INVALID,
               _("The application form in the catalogue is not valid: %s"), message);
  return NULL;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  JsonNode *node = object != NULL && json_object_has_member (object, name) ?
                   json_object_get_member (object, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  if (strlen (json_node_get_string (node)) > MAX_TEXT_BYTES)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_name (const char *text)
{
  if (text == NULL || text[0] == '\0' || strlen (text) > 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static int
lookup_name (const char * const *names,
             guint               n_names,
             const char         *name)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return i;
  return -1;
}

/* An optional localized text: TRUE and *out = NULL when absent; FALSE when malformed */
static gboolean
optional_l10n (JsonObject  *object,
               const char  *name,
               char       **out)
{
  JsonNode *node = member (object, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!ek_l10n_is_valid (node))
    return FALSE;
  *out = g_strdup (ek_l10n_pick (node));
  return TRUE;
}

static gboolean
optional_boolean (JsonObject *object,
                  const char *name,
                  gboolean   *out)
{
  JsonNode *node = member (object, name);

  *out = FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

static const EkFormField *find_field (EkForm               *self,
                                      const char           *name,
                                      gboolean              server,
                                      const EkFormSection **section_out);

static EkFormField *
parse_field (EkForm      *self,
             JsonNode    *node,
             const char  *section_id,
             GError     **error)
{
  EkFormField *field;
  const EkDraftField *draft_field;
  JsonObject *object;
  JsonNode *label, *required, *choices;
  const char *name, *text;
  int index;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("a field of section “%s” is not an object"), section_id);
  object = json_node_get_object (node);

  name = string_member (object, "name");
  draft_field = name != NULL ? ek_application_draft_lookup_field (name) : NULL;
  if (draft_field == NULL || draft_field->server)
    return invalid (error, _("section “%s” has a field “%s” that the application does not have"),
                    section_id, name ? name : "");

  field = g_new0 (EkFormField, 1);
  field->name = g_strdup (name);
  field->sensitive = draft_field->sensitive;

  text = string_member (object, "kind");
  index = lookup_name (kind_names, G_N_ELEMENTS (kind_names), text);
  if (index < 0)
    goto bad;
  field->kind = index;
  if ((field->kind == EK_FORM_FIELD_TICK) != (draft_field->type == G_TYPE_BOOLEAN))
    goto bad;

  text = string_member (object, "check");
  index = text == NULL ? EK_FORM_CHECK_NONE : lookup_name (check_names, G_N_ELEMENTS (check_names), text);
  if (index < 0 || (index != EK_FORM_CHECK_NONE && field->kind != EK_FORM_FIELD_TEXT))
    goto bad;
  field->check = index;

  if (!optional_boolean (object, "fixed", &field->fixed))
    goto bad;

  required = member (object, "required");
  if (required != NULL && (!JSON_NODE_HOLDS_VALUE (required) ||
                           json_node_get_value_type (required) != G_TYPE_BOOLEAN))
    goto bad;
  field->required = required != NULL && json_node_get_boolean (required);

  label = member (object, "label");
  if (label == NULL || !ek_l10n_is_valid (label))
    goto bad;
  field->label = g_strdup (ek_l10n_pick (label));
  if (!optional_l10n (object, "hint", &field->hint))
    goto bad;
  /* What a business's seed section says about this field instead, e.g. the reissue's
   * original login name (seed 001 §2) */
  if (member (object, "business_hints") != NULL)
    {
      JsonNode *hints = member (object, "business_hints");
      g_autoptr(GList) ids = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (hints))
        goto bad;
      field->business_hints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      ids = json_object_get_members (json_node_get_object (hints));
      for (GList *l = ids; l != NULL; l = l->next)
        {
          JsonNode *hint = json_object_get_member (json_node_get_object (hints), l->data);

          if (!ek_l10n_is_valid (hint))
            goto bad;
          g_hash_table_insert (field->business_hints, g_strdup (l->data), g_strdup (ek_l10n_pick (hint)));
        }
    }

  if (member (object, "server") != NULL)
    {
      text = string_member (object, "server");
      if (text == NULL || strlen (text) > 64)
        goto bad;
      field->server_name = g_strdup (text);
    }

  if (field->check == EK_FORM_CHECK_ID_NUMBER)
    {
      const EkDraftField *type_field;

      text = string_member (object, "id_type");
      type_field = text != NULL ? ek_application_draft_lookup_field (text) : NULL;
      if (type_field == NULL || type_field->type != G_TYPE_STRING)
        goto bad;
      field->id_type_field = g_strdup (text);
    }

  choices = member (object, "choices");
  if (field->kind == EK_FORM_FIELD_CHOICE)
    {
      JsonArray *array;

      if (choices == NULL || !JSON_NODE_HOLDS_ARRAY (choices) ||
          json_array_get_length (json_node_get_array (choices)) == 0)
        goto bad;
      array = json_node_get_array (choices);
      field->choices = g_ptr_array_new_with_free_func (choice_free);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *choice;
          JsonNode *choice_label;
          const char *value;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            goto bad;
          choice = json_node_get_object (element);
          value = string_member (choice, "value");
          choice_label = member (choice, "label");
          if (!is_name (value) || choice_label == NULL || !ek_l10n_is_valid (choice_label))
            goto bad;
          g_ptr_array_add (field->choices, choice_new (value, ek_l10n_pick (choice_label)));
        }
    }
  else if (choices != NULL)
    goto bad;
  else if (field->kind == EK_FORM_FIELD_ID_TYPE)
    field->choices = g_ptr_array_ref (self->id_types);

  return field;

bad:
  field_free (field);
  return invalid (error, _("the field “%s” of section “%s” is not described correctly"),
                  name, section_id);
}

static EkFormSection *
parse_section (EkForm      *self,
               JsonNode    *node,
               GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (field_free);
  EkFormSection *section;
  JsonObject *object;
  JsonNode *title, *fields_node;
  JsonArray *array;
  const char *id, *step;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("a section is not an object"));
  object = json_node_get_object (node);
  id = string_member (object, "id");
  if (!is_name (id))
    return invalid (error, _("a section has no valid “id”"));
  if (ek_form_lookup_section (self, id) != NULL)
    return invalid (error, _("the section “%s” appears twice"), id);
  step = string_member (object, "step");
  if (!is_name (step))
    return invalid (error, _("the section “%s” has no valid “step”"), id);
  title = member (object, "title");
  if (title == NULL || !ek_l10n_is_valid (title))
    return invalid (error, _("the section “%s” has no title in English"), id);
  fields_node = member (object, "fields");
  if (fields_node == NULL || !JSON_NODE_HOLDS_ARRAY (fields_node) ||
      json_array_get_length (json_node_get_array (fields_node)) == 0)
    return invalid (error, _("the section “%s” has no fields"), id);

  array = json_node_get_array (fields_node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EkFormField *field = parse_field (self, json_array_get_element (array, i), id, error);
      const EkFormSection *other = NULL;

      if (field == NULL)
        return NULL;
      /* Once per step: another step may ask it again */
      if (find_field (self, field->name, FALSE, &other) != NULL && g_strcmp0 (other->step, step) == 0)
        {
          g_autofree char *name = g_strdup (field->name);

          field_free (field);
          return invalid (error, _("the field “%s” appears twice"), name);
        }
      for (guint j = 0; j < fields->len; j++)
        if (g_str_equal (((EkFormField *) g_ptr_array_index (fields, j))->name, field->name))
          {
            g_autofree char *name = g_strdup (field->name);

            field_free (field);
            return invalid (error, _("the field “%s” appears twice"), name);
          }
      g_ptr_array_add (fields, field);
    }

  section = g_new0 (EkFormSection, 1);
  section->id = g_strdup (id);
  section->step = g_strdup (step);
  section->title = g_strdup (ek_l10n_pick (title));
  section->fields = g_steal_pointer (&fields);
  return section;
}

static gboolean
parse_authorities (EkForm      *self,
                   JsonObject  *root,
                   GError     **error)
{
  JsonNode *node = member (root, "authorities");
  JsonNode *list;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("“authorities” is missing or is not an object")) != NULL;
  list = member (json_node_get_object (node), "list");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list) || json_array_get_length (json_node_get_array (list)) == 0)
    return invalid (error, _("“authorities” has no list")) != NULL;

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      EkAuthority *authority;
      JsonObject *object;
      JsonNode *name;
      const char *id, *phone;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return invalid (error, _("an issuing authority is not an object")) != NULL;
      object = json_node_get_object (element);
      id = string_member (object, "id");
      name = member (object, "name");
      if (!is_name (id) || name == NULL || !ek_l10n_is_valid (name) || ek_form_lookup_authority (self, id) != NULL)
        return invalid (error, _("issuing authority %u has no valid, unique “id” or no name"), i + 1) != NULL;
      phone = string_member (object, "phone");
      if (member (object, "phone") != NULL && phone == NULL)
        return invalid (error, _("the phone of the issuing authority “%s” is not text"), id) != NULL;

      authority = g_new0 (EkAuthority, 1);
      authority->id = g_strdup (id);
      authority->name = g_strdup (ek_l10n_pick (name));
      authority->phone = g_strdup (phone);
      g_ptr_array_add (self->authorities, authority);
      if (!optional_l10n (object, "address", &authority->address))
        return invalid (error, _("the address of the issuing authority “%s” is not valid"), id) != NULL;
    }
  return TRUE;
}

/**
 * ek_form_new_from_json:
 * @catalogue: the whole catalogue document (ek_catalogue_get_document())
 *
 * Returns: (transfer full) (nullable): the form, or %NULL with @error set
 */
EkForm *
ek_form_new_from_json (JsonObject  *catalogue,
                       GError     **error)
{
  g_autoptr(EkForm) self = g_object_new (EK_TYPE_FORM, NULL);
  JsonNode *forms, *sections, *types;
  JsonObject *forms_object, *types_object;
  JsonArray *array;
  g_autoptr(GList) type_ids = NULL;

  g_return_val_if_fail (catalogue != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_authorities (self, catalogue, error))
    return NULL;

  forms = member (catalogue, "forms");
  if (forms == NULL || !JSON_NODE_HOLDS_OBJECT (forms))
    return invalid (error, _("“forms” is missing or is not an object"));
  forms_object = json_node_get_object (forms);

  sections = member (forms_object, "sections");
  if (sections == NULL || !JSON_NODE_HOLDS_ARRAY (sections))
    return invalid (error, _("“forms” has no list of “sections”"));
  array = json_node_get_array (sections);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EkFormSection *section = parse_section (self, json_array_get_element (array, i), error);

      if (section == NULL)
        return NULL;
      g_ptr_array_add (self->sections, section);
    }

  types = member (forms_object, "business_types");
  if (types == NULL || !JSON_NODE_HOLDS_OBJECT (types))
    return invalid (error, _("“forms” does not say which sections each business type uses"));
  types_object = json_node_get_object (types);
  type_ids = json_object_get_members (types_object);
  for (GList *l = type_ids; l != NULL; l = l->next)
    {
      JsonNode *list = json_object_get_member (types_object, l->data);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      JsonArray *ids;

      if (!is_name (l->data) || list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        return invalid (error, _("the sections of business type “%s” are not a list"), (char *) l->data);
      ids = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (ids); i++)
        {
          JsonNode *id = json_array_get_element (ids, i);
          const char *section_id = JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING ?
                                   json_node_get_string (id) : NULL;

          if (section_id == NULL || ek_form_lookup_section (self, section_id) == NULL)
            return invalid (error, _("business type “%s” names a section that does not exist"), (char *) l->data);
          g_strv_builder_add (builder, section_id);
        }
      g_hash_table_replace (self->business_types, g_strdup (l->data), g_strv_builder_end (builder));
    }

  return g_steal_pointer (&self);
}

/**
 * ek_form_get_for_catalogue:
 *
 * The form of @catalogue, parsed once and kept with it.
 *
 * Returns: (transfer none) (nullable): the form, or %NULL with @error set
 */
EkForm *
ek_form_get_for_catalogue (EkCatalogue  *catalogue,
                           GError      **error)
{
  EkForm *form;

  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  form = g_object_get_data (G_OBJECT (catalogue), "ek-form");
  if (form != NULL)
    return form;

  form = ek_form_new_from_json (ek_catalogue_get_document (catalogue), error);
  if (form != NULL)
    g_object_set_data_full (G_OBJECT (catalogue), "ek-form", form, g_object_unref);
  return form;
}

static gboolean
uses_section (EkForm     *self,
              const char *business_type_id,
              const char *section_id)
{
  GStrv ids;

  if (business_type_id == NULL)
    return TRUE;
  ids = g_hash_table_lookup (self->business_types, business_type_id);
  /* A business type the form does not name uses every section */
  return ids == NULL || g_strv_contains ((const char * const *) ids, section_id);
}

/**
 * ek_form_get_sections:
 * @business_type_id: (nullable): only the sections this business type uses
 * @step: (nullable): only the sections shown on this step
 *
 * Returns: (transfer container) (element-type EkFormSection): the sections, in order
 */
GPtrArray *
ek_form_get_sections (EkForm     *self,
                      const char *business_type_id,
                      const char *step)
{
  GPtrArray *result;

  g_return_val_if_fail (EK_IS_FORM (self), NULL);

  result = g_ptr_array_new ();
  for (guint i = 0; i < self->sections->len; i++)
    {
      EkFormSection *section = g_ptr_array_index (self->sections, i);

      if (step != NULL && !g_str_equal (section->step, step))
        continue;
      if (!uses_section (self, business_type_id, section->id))
        continue;
      g_ptr_array_add (result, section);
    }
  return result;
}

const EkFormSection *
ek_form_lookup_section (EkForm     *self,
                        const char *section_id)
{
  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (section_id != NULL, NULL);

  for (guint i = 0; i < self->sections->len; i++)
    {
      EkFormSection *section = g_ptr_array_index (self->sections, i);

      if (g_str_equal (section->id, section_id))
        return section;
    }
  return NULL;
}

static const EkFormField *
find_field (EkForm               *self,
            const char           *name,
            gboolean              server,
            const EkFormSection **section_out)
{
  for (guint i = 0; i < self->sections->len; i++)
    {
      EkFormSection *section = g_ptr_array_index (self->sections, i);

      for (guint j = 0; j < section->fields->len; j++)
        {
          EkFormField *field = g_ptr_array_index (section->fields, j);

          if (g_strcmp0 (server ? field->server_name : field->name, name) == 0)
            {
              if (section_out != NULL)
                *section_out = section;
              return field;
            }
        }
    }
  return NULL;
}

/**
 * ek_form_lookup_field:
 * @name: a field of the draft ("mobile", "credit-code" …)
 *
 * Returns: (nullable): the form's description of it
 */
const EkFormField *
ek_form_lookup_field (EkForm     *self,
                      const char *name)
{
  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return find_field (self, name, FALSE, NULL);
}

/**
 * ek_form_lookup_server_field:
 * @server_name: the API's name of a field, as in a problem's errors[].field ("uscc", "mobile" …)
 *
 * Returns: (nullable): the form's field the server means
 */
const EkFormField *
ek_form_lookup_server_field (EkForm     *self,
                             const char *server_name)
{
  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (server_name != NULL, NULL);

  return find_field (self, server_name, TRUE, NULL);
}

/**
 * ek_form_step_for_field:
 * @name: a field of the draft, or the API's name of one
 *
 * Returns: (nullable): the flow step whose page holds it
 */
const char *
ek_form_step_for_field (EkForm     *self,
                        const char *name)
{
  const EkFormSection *section = NULL;

  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (find_field (self, name, FALSE, &section) == NULL &&
      find_field (self, name, TRUE, &section) == NULL)
    return NULL;
  return section->step;
}

/**
 * ek_form_has_step:
 *
 * Returns: whether some section is shown on @step
 */
gboolean
ek_form_has_step (EkForm     *self,
                  const char *step)
{
  g_return_val_if_fail (EK_IS_FORM (self), FALSE);
  g_return_val_if_fail (step != NULL, FALSE);

  for (guint i = 0; i < self->sections->len; i++)
    if (g_str_equal (((EkFormSection *) g_ptr_array_index (self->sections, i))->step, step))
      return TRUE;
  return FALSE;
}

guint
ek_form_get_n_authorities (EkForm *self)
{
  g_return_val_if_fail (EK_IS_FORM (self), 0);
  return self->authorities->len;
}

const EkAuthority *
ek_form_get_authority (EkForm *self,
                       guint   index)
{
  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (index < self->authorities->len, NULL);
  return g_ptr_array_index (self->authorities, index);
}

const EkAuthority *
ek_form_lookup_authority (EkForm     *self,
                          const char *id)
{
  g_return_val_if_fail (EK_IS_FORM (self), NULL);

  for (guint i = 0; id != NULL && i < self->authorities->len; i++)
    {
      EkAuthority *authority = g_ptr_array_index (self->authorities, i);

      if (g_str_equal (authority->id, id))
        return authority;
    }
  return NULL;
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
has_choice (GPtrArray  *choices,
            const char *value)
{
  for (guint i = 0; choices != NULL && i < choices->len; i++)
    if (g_str_equal (((EkFormChoice *) g_ptr_array_index (choices, i))->value, value))
      return TRUE;
  return FALSE;
}

static EkFormProblem *
problem_new (const EkFormField *field,
             EkValidity         validity,
             const char        *message)
{
  EkFormProblem *problem = g_new0 (EkFormProblem, 1);

  problem->field = field;
  problem->validity = validity;
  problem->message = g_strdup (message);
  return problem;
}

static EkCheck
run_check (const EkFormField  *field,
           EkApplicationDraft *draft,
           const char         *value)
{
  EkCheck valid = { EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE };

  switch (field->check)
    {
    case EK_FORM_CHECK_USCC:
      return ek_uscc_check (value);
    case EK_FORM_CHECK_ID_NUMBER:
      {
        const char *type = ek_application_draft_get_string (draft, field->id_type_field);

        if (type[0] == '\0' || g_str_equal (type, EK_ID_TYPE_RESIDENT_ID))
          return ek_resident_id_check (value);
        return valid;
      }
    case EK_FORM_CHECK_MOBILE:
      return ek_mobile_check (value);
    case EK_FORM_CHECK_LANDLINE:
      return ek_landline_check (value);
    case EK_FORM_CHECK_POSTCODE:
      return ek_postcode_check (value);
    case EK_FORM_CHECK_EMAIL:
      return ek_email_check (value);
    case EK_FORM_CHECK_LOGIN_NAME:
      /* The platform's existing user name or the registered one, not only the log-in email */
      return ek_platform_login_name_check (value);
    case EK_FORM_CHECK_CODE13:
    case EK_FORM_CHECK_NONE:
    default:
      return valid;
    }
}

/**
 * ek_form_check_field:
 * @field: a field of this form
 * @draft: the application
 *
 * Checks @field's value in @draft as the server will: a required field left empty, a value
 * the validators reject (INVALID), or one they accept with a warning (a wrong check character
 * of a credit code). A message the server gave on the field counts as INVALID until cleared.
 *
 * Returns: (transfer full): what was found; VALID has no message
 */
EkFormProblem *
ek_form_check_field (EkForm             *self,
                     const EkFormField  *field,
                     EkApplicationDraft *draft)
{
  const char *server_message, *value = NULL;
  EkCheck check;

  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  if (field->kind == EK_FORM_FIELD_TICK)
    return problem_new (field, EK_VALIDITY_VALID, NULL);

  value = ek_application_draft_get_string (draft, field->name);
  if (is_blank (value))
    {
      if (field->required)
        return problem_new (field, EK_VALIDITY_INVALID,
                            ek_field_problem_message (EK_FIELD_PROBLEM_REQUIRED, NULL));
      return problem_new (field, EK_VALIDITY_VALID, NULL);
    }

  if ((field->kind == EK_FORM_FIELD_CHOICE || field->kind == EK_FORM_FIELD_ID_TYPE) &&
      !has_choice (field->choices, value))
    return problem_new (field, EK_VALIDITY_INVALID, _("Choose one of the options in the list."));
  if (field->kind == EK_FORM_FIELD_AUTHORITY && ek_form_lookup_authority (self, value) == NULL)
    return problem_new (field, EK_VALIDITY_INVALID, _("Choose one of the issuing authorities in the list."));

  if (field->check == EK_FORM_CHECK_CODE13)
    {
      /* As ekey-registry checks it: 4 digits, 8 digits or capitals, a digit or X */
      if (!g_regex_match_simple ("^[0-9]{4}[0-9A-Z]{8}[0-9X]$", value, 0, 0))
        return problem_new (field, EK_VALIDITY_INVALID,
                            _("The import/export enterprise code has 13 characters: 4 digits and the "
                              "9-character organisation code."));
    }

  check = run_check (field, draft, value);
  if (check.validity == EK_VALIDITY_INVALID)
    return problem_new (field, check.validity, ek_field_problem_message (check.problem, NULL));

  server_message = ek_application_draft_get_server_error (draft, field->name);
  if (server_message != NULL)
    return problem_new (field, EK_VALIDITY_INVALID, server_message);

  if (check.validity == EK_VALIDITY_WARNING)
    return problem_new (field, check.validity, ek_field_problem_message (check.problem, NULL));
  return problem_new (field, EK_VALIDITY_VALID, NULL);
}

/**
 * ek_form_check_draft:
 * @draft: the application; its business type decides which sections count
 * @step: (nullable): only the fields shown on this step
 *
 * Returns: (transfer container) (element-type EkFormProblem): every field that is not VALID,
 *   in the form's order
 */
GPtrArray *
ek_form_check_draft (EkForm             *self,
                     EkApplicationDraft *draft,
                     const char         *step)
{
  g_autoptr(GPtrArray) sections = NULL;
  GPtrArray *problems;

  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_form_problem_free);
  sections = ek_form_get_sections (self, ek_application_draft_get_business_type_id (draft), step);
  for (guint i = 0; i < sections->len; i++)
    {
      EkFormSection *section = g_ptr_array_index (sections, i);

      for (guint j = 0; j < section->fields->len; j++)
        {
          EkFormProblem *problem = ek_form_check_field (self, g_ptr_array_index (section->fields, j), draft);

          if (problem->validity != EK_VALIDITY_VALID)
            g_ptr_array_add (problems, problem);
          else
            ek_form_problem_free (problem);
        }
    }
  return problems;
}

/**
 * ek_form_dup_display_value:
 *
 * The field's value as the clerk should read it back: a choice's label, an authority's name,
 * "Yes"/"No" for a tick, ID numbers masked.
 *
 * Returns: (transfer full): the text; "" when empty
 */
char *
ek_form_dup_display_value (EkForm             *self,
                           const EkFormField  *field,
                           EkApplicationDraft *draft)
{
  const char *value;

  g_return_val_if_fail (EK_IS_FORM (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  if (field->kind == EK_FORM_FIELD_TICK)
    return g_strdup (ek_application_draft_get_boolean (draft, field->name) ? _("Yes") : _("No"));

  value = ek_application_draft_get_string (draft, field->name);
  if (field->sensitive)
    return ek_mask_id_number (value);

  for (guint i = 0; field->choices != NULL && i < field->choices->len; i++)
    {
      EkFormChoice *choice = g_ptr_array_index (field->choices, i);

      if (g_str_equal (choice->value, value))
        return g_strdup (choice->label);
    }
  if (field->kind == EK_FORM_FIELD_AUTHORITY)
    {
      const EkAuthority *authority = ek_form_lookup_authority (self, value);

      if (authority != NULL)
        return g_strdup (authority->name);
    }
  return g_strdup (value);
}

/**
 * ek_form_field_get_hint:
 * @business_type_id: (nullable): the draft's business
 *
 * Returns: (nullable): the hint shown with @field for that business: its own where the catalogue
 *   gives one ("business_hints"), else the field's hint
 */
const char *
ek_form_field_get_hint (const EkFormField *field,
                        const char        *business_type_id)
{
  const char *hint = NULL;

  g_return_val_if_fail (field != NULL, NULL);

  if (field->business_hints != NULL && business_type_id != NULL)
    hint = g_hash_table_lookup (field->business_hints, business_type_id);
  return hint != NULL ? hint : field->hint;
}

/**
 * ek_form_field_is_locked:
 *
 * Whether the clerk may not change @field: a "fixed" field the service filled in (named in the
 * draft's "locked-fields") that holds a value.
 */
gboolean
ek_form_field_is_locked (const EkFormField  *field,
                         EkApplicationDraft *draft)
{
  g_auto(GStrv) locked = NULL;

  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), FALSE);

  if (!field->fixed || field->kind == EK_FORM_FIELD_TICK || is_blank (ek_application_draft_get_string (draft, field->name)))
    return FALSE;
  locked = g_strsplit (ek_application_draft_get_string (draft, "locked-fields"), " ", -1);
  return g_strv_contains ((const char * const *) locked, field->name);
}
