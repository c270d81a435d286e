/* ek-registry-types.c: the registration API's answers, parsed and checked before use */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-api-types.h"

/* The problem+json rides on the GError (GLib's extended errors, 2.68) */
typedef struct
{
  EkApiProblem *problem;
} EkApiErrorPrivate;

static void
ek_api_error_private_init (EkApiErrorPrivate *priv)
{
  priv->problem = NULL;
}

static void
ek_api_error_private_copy (const EkApiErrorPrivate *src,
                                EkApiErrorPrivate       *dest)
{
  dest->problem = src->problem != NULL ? ek_api_problem_copy (src->problem) : NULL;
}

static void
ek_api_error_private_clear (EkApiErrorPrivate *priv)
{
  g_clear_pointer (&priv->problem, ek_api_problem_free);
}

/* GLib's macro casts a byte pointer back to the private struct it allocated aligned */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-align"
G_DEFINE_EXTENDED_ERROR (EkApiError, ek_api_error)
#pragma GCC diagnostic pop

const EkApiProblem *
ek_api_error_get_problem (const GError *error)
{
  EkApiErrorPrivate *priv;

  if (error == NULL || error->domain != EK_API_ERROR)
    return NULL;
  priv = ek_api_error_get_private (error);
  return priv != NULL ? priv->problem : NULL;
}

void
ek_api_error_take_problem (GError            *error,
                                EkApiProblem *problem)
{
  EkApiErrorPrivate *priv;

  g_return_if_fail (error != NULL && error->domain == EK_API_ERROR);

  priv = ek_api_error_get_private (error);
  g_clear_pointer (&priv->problem, ek_api_problem_free);
  priv->problem = problem;
}

#define PROBLEM_TYPE_PREFIX "https://ekeyassistant.org/problems/"
#define MAX_TEXT 4096         /* no single string we keep is longer than this */
#define MAX_FIELD_ERRORS 256
#define MAX_ITEMS 10000

/* ---- Helpers: shape checks ---- */

static gboolean
invalid (GError    **error,
         const char *what)
{
  /* The message names the part of the answer that was wrong, never its content */
  g_set_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
               /* Translators: %s names the part of the answer, in English, for the helpdesk */
               _("The registration service sent an answer this version cannot read (%s). "
                 "Try again later; if it keeps happening, tell the helpdesk."), what);
  return FALSE;
}

static JsonObject *
as_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
as_array (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A string member: TRUE with *out set (or NULL when absent and optional) */
static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gboolean     required,
            const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return !required;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = json_node_get_string (node);
  if (strlen (*out) > MAX_TEXT || !g_utf8_validate (*out, -1, NULL))
    return FALSE;
  return TRUE;
}

static gboolean
get_int (JsonObject *object,
         const char *name,
         gboolean    required,
         gint64      min,
         gint64      max,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = 0;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= min && *out <= max;
}

static gboolean
get_bool (JsonObject *object,
          const char *name,
          gboolean   *out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = FALSE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
is_token (const char *s,
          gsize       max)
{
  gsize n = 0;

  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s != '\0'; s++, n++)
    if (n >= max || !(g_ascii_isalnum (*s) || *s == '-' || *s == '_'))
      return FALSE;
  return TRUE;
}

/* ---- Problems ---- */

static void
field_error_free (EkApiFieldError *fe)
{
  g_free (fe->field);
  g_free (fe->code);
  g_free (fe->message);
  g_free (fe);
}

EkApiProblem *
ek_api_problem_new_from_json (JsonNode  *node,
                                   GError   **error)
{
  JsonObject *o = as_object (node);
  const char *type, *title, *detail, *request_id, *detected;
  gint64 status;
  JsonNode *errors_node;
  g_autoptr(EkApiProblem) problem = NULL;

  if (o == NULL)
    return (invalid (error, "problem is not an object"), NULL);
  if (!get_string (o, "type", TRUE, &type) || !g_str_has_prefix (type, PROBLEM_TYPE_PREFIX) ||
      !is_token (type + strlen (PROBLEM_TYPE_PREFIX), 64))
    return (invalid (error, "problem type"), NULL);
  if (!get_int (o, "status", TRUE, 400, 599, &status))
    return (invalid (error, "problem status"), NULL);
  if (!get_string (o, "title", FALSE, &title) || !get_string (o, "detail", FALSE, &detail) ||
      !get_string (o, "request_id", FALSE, &request_id) ||
      !get_string (o, "detected_format", FALSE, &detected))
    return (invalid (error, "problem text"), NULL);
  if (detected != NULL && !is_token (detected, 32))
    return (invalid (error, "problem detected format"), NULL);

  problem = g_new0 (EkApiProblem, 1);
  problem->type_slug = g_strdup (type + strlen (PROBLEM_TYPE_PREFIX));
  problem->status = (int) status;
  problem->title = g_strdup (title);
  problem->detail = g_strdup (detail);
  problem->request_id = g_strdup (request_id);
  problem->detected_format = g_strdup (detected);
  problem->field_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) field_error_free);

  errors_node = json_object_get_member (o, "errors");
  if (errors_node != NULL)
    {
      JsonArray *errors = as_array (errors_node);
      guint n;

      if (errors == NULL || (n = json_array_get_length (errors)) > MAX_FIELD_ERRORS)
        return (invalid (error, "problem errors"), NULL);
      for (guint i = 0; i < n; i++)
        {
          JsonObject *e = as_object (json_array_get_element (errors, i));
          const char *field, *code, *message;
          EkApiFieldError *fe;

          if (e == NULL || !get_string (e, "field", TRUE, &field) ||
              !get_string (e, "code", TRUE, &code) || !get_string (e, "message", FALSE, &message))
            return (invalid (error, "problem field error"), NULL);
          fe = g_new0 (EkApiFieldError, 1);
          fe->field = g_strdup (field);
          fe->code = g_strdup (code);
          fe->message = g_strdup (message != NULL ? message : "");
          g_ptr_array_add (problem->field_errors, fe);
        }
    }

  return g_steal_pointer (&problem);
}

EkApiProblem *
ek_api_problem_copy (const EkApiProblem *problem)
{
  EkApiProblem *copy;

  g_return_val_if_fail (problem != NULL, NULL);

  copy = g_new0 (EkApiProblem, 1);
  copy->type_slug = g_strdup (problem->type_slug);
  copy->status = problem->status;
  copy->title = g_strdup (problem->title);
  copy->detail = g_strdup (problem->detail);
  copy->request_id = g_strdup (problem->request_id);
  copy->detected_format = g_strdup (problem->detected_format);
  copy->field_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) field_error_free);
  for (guint i = 0; problem->field_errors != NULL && i < problem->field_errors->len; i++)
    {
      const EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);
      EkApiFieldError *c = g_new0 (EkApiFieldError, 1);

      c->field = g_strdup (fe->field);
      c->code = g_strdup (fe->code);
      c->message = g_strdup (fe->message);
      g_ptr_array_add (copy->field_errors, c);
    }
  return copy;
}

void
ek_api_problem_free (EkApiProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->type_slug);
  g_free (problem->title);
  g_free (problem->detail);
  g_free (problem->request_id);
  g_free (problem->detected_format);
  g_clear_pointer (&problem->field_errors, g_ptr_array_unref);
  g_free (problem);
}

const EkApiFieldError *
ek_api_problem_lookup_field (const EkApiProblem *problem,
                                  const char              *api_field)
{
  g_return_val_if_fail (problem != NULL, NULL);
  g_return_val_if_fail (api_field != NULL, NULL);

  for (guint i = 0; i < problem->field_errors->len; i++)
    {
      const EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);

      if (g_str_equal (fe->field, api_field))
        return fe;
    }
  return NULL;
}

/* ---- Field names: draft <-> API ---- */

static const struct
{
  const char *draft;
  const char *api;
} field_map[] = {
  { "enterprise-name", "enterprise_name" },
  { "credit-code", "uscc" },
  { "enterprise-code", "code13" },
  { "registered-address", "registered_address" },
  { "legal-rep-name", "legal_representative" },
  { "legal-rep-id-type", "legal_representative_id_type" },
  { "legal-rep-id-number", "legal_representative_id_number" },
  { "user-name", "applicant_name" },
  { "user-id-type", "applicant_id_type" },
  { "user-id-number", "applicant_id_number" },
  { "login-name", "login_name" },
  { "email", "email" },
  { "mobile", "mobile" },
  { "landline", "landline" },
  { "contact-address", "contact_address" },
  { "department", "department" },
  { "job-title", "title" },
  { "postcode", "postcode" },
  { "licence-type", "licence_type" },
  { "reason", "reason" },
  { "authority-id", "authority" },
};

const char *
ek_api_draft_field_for_api_field (const char *api_field)
{
  g_return_val_if_fail (api_field != NULL, NULL);

  if (g_str_has_prefix (api_field, "fields/"))
    api_field += strlen ("fields/");
  for (guint i = 0; i < G_N_ELEMENTS (field_map); i++)
    if (g_str_equal (field_map[i].api, api_field))
      return field_map[i].draft;
  return NULL;
}

const char *
ek_api_field_for_draft_field (const char *draft_field)
{
  g_return_val_if_fail (draft_field != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (field_map); i++)
    if (g_str_equal (field_map[i].draft, draft_field))
      return field_map[i].api;
  return NULL;
}

JsonObject *
ek_api_fields_from_draft (EkApplicationDraft *draft)
{
  JsonObject *fields;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  fields = json_object_new ();
  for (guint i = 0; i < G_N_ELEMENTS (field_map); i++)
    {
      const char *value = ek_application_draft_get_string (draft, field_map[i].draft);

      if (value != NULL && *value != '\0')
        json_object_set_string_member (fields, field_map[i].api, value);
    }
  return fields;
}

void
ek_api_fields_to_draft (JsonObject         *fields,
                             EkApplicationDraft *draft)
{
  g_return_if_fail (fields != NULL);
  g_return_if_fail (EK_IS_APPLICATION_DRAFT (draft));

  for (guint i = 0; i < G_N_ELEMENTS (field_map); i++)
    {
      const char *value;

      if (get_string (fields, field_map[i].api, TRUE, &value))
        ek_application_draft_set_string (draft, field_map[i].draft, value);
    }
}

/* ---- Captcha ---- */

G_DEFINE_BOXED_TYPE (EkApiCaptcha, ek_api_captcha,
                     ek_api_captcha_copy, ek_api_captcha_free)

/* A PNG (what ekey-registry sends: pixels, no text) or an SVG (another provider's) */
#define PNG_DATA_PREFIX "data:image/png;base64,"
#define SVG_DATA_PREFIX "data:image/svg+xml;base64,"
#define MAX_CAPTCHA_IMAGE (192 * 1024)

EkApiCaptcha *
ek_api_captcha_new_from_json (JsonNode  *node,
                                   GError   **error)
{
  JsonObject *o = as_object (node);
  const char *id;
  const char *image;
  const char *b64;
  gint64 expires_at;
  JsonNode *image_node;
  g_autofree guchar *data = NULL;
  gsize data_len = 0;
  gboolean png;
  EkApiCaptcha *captcha;

  if (o == NULL)
    return (invalid (error, "captcha is not an object"), NULL);
  if (!get_string (o, "id", TRUE, &id) || !is_token (id, 64))
    return (invalid (error, "captcha id"), NULL);
  if (!get_int (o, "expires_at", TRUE, 0, G_MAXINT64, &expires_at))
    return (invalid (error, "captcha expiry"), NULL);

  /* The image is bigger than MAX_TEXT: read it without get_string()'s limit */
  image_node = json_object_get_member (o, "image");
  if (image_node == NULL || !JSON_NODE_HOLDS_VALUE (image_node) ||
      json_node_get_value_type (image_node) != G_TYPE_STRING)
    return (invalid (error, "captcha image"), NULL);
  image = json_node_get_string (image_node);
  png = g_str_has_prefix (image, PNG_DATA_PREFIX);
  if (!png && !g_str_has_prefix (image, SVG_DATA_PREFIX))
    return (invalid (error, "captcha image type"), NULL);
  b64 = image + strlen (png ? PNG_DATA_PREFIX : SVG_DATA_PREFIX);
  if (strlen (b64) > MAX_CAPTCHA_IMAGE / 3 * 4 + 4 || *b64 == '\0')
    return (invalid (error, "captcha image size"), NULL);
  for (const char *p = b64; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '+' || *p == '/' || *p == '='))
      return (invalid (error, "captcha image encoding"), NULL);
  data = g_base64_decode (b64, &data_len);
  if (data_len == 0 || data_len > MAX_CAPTCHA_IMAGE ||
      (png && (data_len < 8 || memcmp (data, "\x89PNG\r\n\x1a\n", 8) != 0)) ||
      (!png && (!g_utf8_validate ((const char *) data, data_len, NULL) ||
                g_strstr_len ((const char *) data, data_len, "<svg") == NULL)))
    return (invalid (error, "captcha image content"), NULL);

  captcha = g_new0 (EkApiCaptcha, 1);
  captcha->id = g_strdup (id);
  captcha->image = g_bytes_new_take (g_steal_pointer (&data), data_len);
  captcha->expires_at = expires_at;
  return captcha;
}

EkApiCaptcha *
ek_api_captcha_copy (const EkApiCaptcha *captcha)
{
  EkApiCaptcha *copy;

  g_return_val_if_fail (captcha != NULL, NULL);

  copy = g_new0 (EkApiCaptcha, 1);
  copy->id = g_strdup (captcha->id);
  copy->image = captcha->image != NULL ? g_bytes_ref (captcha->image) : NULL;
  copy->expires_at = captcha->expires_at;
  return copy;
}

void
ek_api_captcha_free (EkApiCaptcha *captcha)
{
  if (captcha == NULL)
    return;
  g_free (captcha->id);
  g_clear_pointer (&captcha->image, g_bytes_unref);
  g_free (captcha);
}

/* ---- Applications ---- */

struct _EkApiApplication
{
  gatomicrefcount  ref_count;
  char            *id;
  char            *business_type;
  char            *status;
  gboolean         editable;
  JsonObject      *fields;
  gint64           created_at;
  gint64           updated_at;
  GPtrArray       *timeline;
  GStrv            materials;
};

G_DEFINE_BOXED_TYPE (EkApiApplication, ek_api_application,
                     ek_api_application_ref, ek_api_application_unref)

void
ek_api_event_free (EkApiEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->status);
  g_free (event->remark);
  g_free (event);
}

static gboolean
fields_are_valid (JsonObject *fields)
{
  g_autoptr(GList) members = json_object_get_members (fields);

  if (g_list_length (members) > 200)
    return FALSE;
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *value;

      if (!get_string (fields, l->data, TRUE, &value))
        return FALSE;
    }
  return TRUE;
}

EkApiApplication *
ek_api_application_new_from_json (JsonNode  *node,
                                       GError   **error)
{
  JsonObject *o = as_object (node);
  const char *id, *business_type, *status;
  gboolean editable;
  gint64 created_at, updated_at;
  JsonObject *fields;
  JsonArray *timeline, *materials;
  g_autoptr(EkApiApplication) app = NULL;
  g_autoptr(GPtrArray) kinds = NULL;

  if (o == NULL)
    return (invalid (error, "application is not an object"), NULL);
  if (!get_string (o, "id", TRUE, &id) || !is_token (id, 64))
    return (invalid (error, "application id"), NULL);
  if (!get_string (o, "business_type", TRUE, &business_type) || !is_token (business_type, 64))
    return (invalid (error, "application business type"), NULL);
  if (!get_string (o, "status", TRUE, &status) || !is_token (status, 64))
    return (invalid (error, "application status"), NULL);
  if (!get_bool (o, "editable", &editable))
    return (invalid (error, "application editable"), NULL);
  if (!get_int (o, "created_at", TRUE, 0, G_MAXINT64, &created_at) ||
      !get_int (o, "updated_at", TRUE, 0, G_MAXINT64, &updated_at))
    return (invalid (error, "application times"), NULL);
  fields = as_object (json_object_get_member (o, "fields"));
  if (fields == NULL || !fields_are_valid (fields))
    return (invalid (error, "application fields"), NULL);
  timeline = as_array (json_object_get_member (o, "timeline"));
  if (timeline == NULL || json_array_get_length (timeline) > MAX_ITEMS)
    return (invalid (error, "application timeline"), NULL);
  materials = as_array (json_object_get_member (o, "materials"));
  if (materials == NULL || json_array_get_length (materials) > MAX_ITEMS)
    return (invalid (error, "application materials"), NULL);

  app = g_new0 (EkApiApplication, 1);
  g_atomic_ref_count_init (&app->ref_count);
  app->id = g_strdup (id);
  app->business_type = g_strdup (business_type);
  app->status = g_strdup (status);
  app->editable = editable;
  app->fields = json_object_ref (fields);
  app->created_at = created_at;
  app->updated_at = updated_at;
  app->timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_api_event_free);

  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonObject *e = as_object (json_array_get_element (timeline, i));
      const char *event_status, *remark;
      gint64 at;
      EkApiEvent *event;

      if (e == NULL || !get_string (e, "status", TRUE, &event_status) ||
          !is_token (event_status, 64) || !get_string (e, "remark", FALSE, &remark) ||
          !get_int (e, "at", TRUE, 0, G_MAXINT64, &at))
        return (invalid (error, "application timeline event"), NULL);
      event = g_new0 (EkApiEvent, 1);
      event->status = g_strdup (event_status);
      event->remark = g_strdup (remark);
      event->at = at;
      g_ptr_array_add (app->timeline, event);
    }

  kinds = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (materials); i++)
    {
      JsonNode *k = json_array_get_element (materials, i);

      if (!JSON_NODE_HOLDS_VALUE (k) || json_node_get_value_type (k) != G_TYPE_STRING ||
          !is_token (json_node_get_string (k), 64))
        return (invalid (error, "application material kind"), NULL);
      g_ptr_array_add (kinds, g_strdup (json_node_get_string (k)));
    }
  g_ptr_array_add (kinds, NULL);
  app->materials = (GStrv) g_ptr_array_free (g_steal_pointer (&kinds), FALSE);

  return g_steal_pointer (&app);
}

EkApiApplication *
ek_api_application_ref (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ek_api_application_unref (EkApiApplication *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->id);
  g_free (self->business_type);
  g_free (self->status);
  g_clear_pointer (&self->fields, json_object_unref);
  g_clear_pointer (&self->timeline, g_ptr_array_unref);
  g_strfreev (self->materials);
  g_free (self);
}

const char *
ek_api_application_get_id (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

/**
 * ek_api_application_dup_number:
 * The service has no application number of its own: the number printed on every page of the
 * forms, shown to the clerk and quoted to the helpdesk is the id's first 8 hex digits, in capitals
 * (`ekey-registry review` accepts it in place of the id).
 */
char *
ek_api_application_dup_number (EkApiApplication *self)
{
  GString *number = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (const char *p = self->id; *p != '\0' && number->len < 8; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (number, g_ascii_toupper (*p));
  return g_string_free (number, FALSE);
}

const char *
ek_api_application_get_business_type (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->business_type;
}

const char *
ek_api_application_get_status (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->status;
}

gboolean
ek_api_application_get_editable (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->editable;
}

JsonObject *
ek_api_application_get_fields (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->fields;
}

gint64
ek_api_application_get_created_at (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->created_at;
}

gint64
ek_api_application_get_updated_at (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->updated_at;
}

GPtrArray *
ek_api_application_get_timeline (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->timeline;
}

const char * const *
ek_api_application_get_materials (EkApiApplication *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->materials;
}

gboolean
ek_api_application_has_material (EkApiApplication *self,
                                      const char            *kind)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  return g_strv_contains ((const char * const *) self->materials, kind);
}

GPtrArray *
ek_api_applications_new_from_json (JsonNode  *node,
                                        GError   **error)
{
  JsonArray *array = as_array (node);
  g_autoptr(GPtrArray) apps = NULL;

  if (array == NULL || json_array_get_length (array) > MAX_ITEMS)
    return (invalid (error, "applications are not a list"), NULL);
  apps = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_api_application_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EkApiApplication *app;

      app = ek_api_application_new_from_json (json_array_get_element (array, i), error);
      if (app == NULL)
        return NULL;
      g_ptr_array_add (apps, app);
    }
  return g_steal_pointer (&apps);
}

/* ---- Materials ---- */

G_DEFINE_BOXED_TYPE (EkApiMaterial, ek_api_material,
                     ek_api_material_copy, ek_api_material_free)

static gboolean
is_sha256_hex (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s) && !(*s >= 'a' && *s <= 'f'))
      return FALSE;
  return TRUE;
}

EkApiMaterial *
ek_api_material_new_from_json (JsonNode  *node,
                                    GError   **error)
{
  JsonObject *o = as_object (node);
  const char *kind, *content_type, *sha256;
  gint64 size, width, height, uploaded_at;
  EkApiMaterial *material;

  if (o == NULL)
    return (invalid (error, "material is not an object"), NULL);
  if (!get_string (o, "kind", TRUE, &kind) || !is_token (kind, 64))
    return (invalid (error, "material kind"), NULL);
  if (!get_string (o, "content_type", TRUE, &content_type) ||
      !(g_str_equal (content_type, "image/png") || g_str_equal (content_type, "image/jpeg") ||
        g_str_equal (content_type, "image/gif")))
    return (invalid (error, "material content type"), NULL);
  if (!get_string (o, "sha256", TRUE, &sha256) || !is_sha256_hex (sha256))
    return (invalid (error, "material checksum"), NULL);
  if (!get_int (o, "size", TRUE, 1, G_MAXINT64, &size) ||
      !get_int (o, "width", TRUE, 1, G_MAXINT32, &width) ||
      !get_int (o, "height", TRUE, 1, G_MAXINT32, &height) ||
      !get_int (o, "uploaded_at", TRUE, 0, G_MAXINT64, &uploaded_at))
    return (invalid (error, "material numbers"), NULL);

  material = g_new0 (EkApiMaterial, 1);
  material->kind = g_strdup (kind);
  material->content_type = g_strdup (content_type);
  material->size = size;
  material->sha256 = g_strdup (sha256);
  material->width = (int) width;
  material->height = (int) height;
  material->uploaded_at = uploaded_at;
  return material;
}

EkApiMaterial *
ek_api_material_copy (const EkApiMaterial *material)
{
  EkApiMaterial *copy;

  g_return_val_if_fail (material != NULL, NULL);

  copy = g_memdup2 (material, sizeof *material);
  copy->kind = g_strdup (material->kind);
  copy->content_type = g_strdup (material->content_type);
  copy->sha256 = g_strdup (material->sha256);
  return copy;
}

void
ek_api_material_free (EkApiMaterial *material)
{
  if (material == NULL)
    return;
  g_free (material->kind);
  g_free (material->content_type);
  g_free (material->sha256);
  g_free (material);
}

GPtrArray *
ek_api_materials_new_from_json (JsonNode  *node,
                                     GError   **error)
{
  JsonArray *array = as_array (node);
  g_autoptr(GPtrArray) materials = NULL;

  if (array == NULL || json_array_get_length (array) > MAX_ITEMS)
    return (invalid (error, "materials are not a list"), NULL);
  materials = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_api_material_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EkApiMaterial *m = ek_api_material_new_from_json (json_array_get_element (array, i),
                                                                  error);
      if (m == NULL)
        return NULL;
      g_ptr_array_add (materials, m);
    }
  return g_steal_pointer (&materials);
}
