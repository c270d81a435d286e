/* ek-registry-applications.c: applications of every business type, their materials and streamed uploads */
#include "config.h"

#include "ek-registry-server-private.h"

#include "ek-material-check.h"

static const char * const id_types[] = { "resident-id", "officer-id", "soldier-id", "passport", "other", NULL };

static const FieldSpec application_fields[] = {
  { "enterprise_name", FIELD_TEXT, TRUE, NULL },
  { "uscc", FIELD_USCC, TRUE, NULL },
  { "code13", FIELD_CODE13, FALSE, NULL },
  { "registered_address", FIELD_TEXT, FALSE, NULL },
  { "legal_representative", FIELD_TEXT, TRUE, NULL },
  { "legal_representative_id_type", FIELD_ID_TYPE, FALSE, id_types },
  { "legal_representative_id_number", FIELD_RESIDENT_ID, FALSE, NULL },
  { "applicant_name", FIELD_TEXT, TRUE, NULL },
  { "applicant_id_type", FIELD_ID_TYPE, FALSE, id_types },
  { "applicant_id_number", FIELD_RESIDENT_ID, TRUE, NULL },
  { "login_name", FIELD_LOGIN_NAME, FALSE, NULL },
  { "email", FIELD_EMAIL, TRUE, NULL },
  { "mobile", FIELD_MOBILE, TRUE, NULL },
  { "landline", FIELD_LANDLINE, FALSE, NULL },
  { "contact_address", FIELD_TEXT, FALSE, NULL },
  { "department", FIELD_TEXT, FALSE, NULL },
  { "title", FIELD_TEXT, FALSE, NULL },
  { "work_address", FIELD_TEXT, FALSE, NULL },
  { "postcode", FIELD_POSTCODE, TRUE, NULL },
  { "licence_type", FIELD_LICENCE_TYPE, FALSE, NULL },
  { "reason", FIELD_TEXT, FALSE, NULL },
  { "authority", FIELD_TEXT, FALSE, NULL },
  { NULL }
};

/* ---- Applications ---- */

static gboolean
status_is_editable (const char *status)
{
  return g_str_equal (status, "draft") || g_str_equal (status, "pre-review-failed") ||
         g_str_equal (status, "re-review-failed");
}

static JsonNode *
application_node (EkRegistryServer *self,
                  const char       *id)
{
  sqlite3_stmt *stmt;
  JsonObject *o;
  JsonArray *timeline, *materials;
  JsonNode *fields;
  const char *status;

  stmt = ek_registry_db_query (self->db, "SELECT business_type, status, fields, created_at, updated_at "
                                         "FROM applications WHERE id = ?", "s", id);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      if (stmt != NULL)
        sqlite3_reset (stmt);
      return NULL;
    }
  o = json_object_new ();
  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "business_type", (const char *) sqlite3_column_text (stmt, 0));
  status = (const char *) sqlite3_column_text (stmt, 1);
  json_object_set_string_member (o, "status", status);
  json_object_set_boolean_member (o, "editable", status_is_editable (status));
  fields = ek_registry_parse_json_text ((const char *) sqlite3_column_text (stmt, 2));
  json_object_set_member (o, "fields", fields);
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 3));
  json_object_set_int_member (o, "updated_at", sqlite3_column_int64 (stmt, 4));
  sqlite3_reset (stmt);

  timeline = json_array_new ();
  stmt = ek_registry_db_query (self->db, "SELECT status, remark, at FROM events WHERE application_id = ? ORDER BY id",
                               "s", id);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *e = json_object_new ();

      json_object_set_string_member (e, "status", (const char *) sqlite3_column_text (stmt, 0));
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        json_object_set_string_member (e, "remark", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_int_member (e, "at", sqlite3_column_int64 (stmt, 2));
      json_array_add_object_element (timeline, e);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_object_set_array_member (o, "timeline", timeline);

  materials = json_array_new ();
  stmt = ek_registry_db_query (self->db, "SELECT kind FROM materials WHERE application_id = ? ORDER BY kind", "s", id);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_string_element (materials, (const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_object_set_array_member (o, "materials", materials);

  return json_node_init_object (json_node_alloc (), o);
}

static JsonArray *
required_materials (EkRegistryServer *self,
                    const char       *business_type)
{
  JsonArray *list = NULL;

  if (self->rule_business != NULL && json_object_has_member (self->rule_business, business_type))
    {
      JsonNode *node = json_object_get_member (self->rule_business, business_type);
      if (JSON_NODE_HOLDS_ARRAY (node))
        list = json_node_get_array (node);
    }
  return list;
}

static gboolean
material_kind_known (EkRegistryServer *self,
                     const char       *business_type,
                     const char       *kind)
{
  JsonArray *list = required_materials (self, business_type);

  if (list == NULL)
    return g_strv_contains (ek_registry_fallback_materials, kind);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);
      if (m != NULL && g_strcmp0 (json_object_get_string_member_with_default (m, "material", ""), kind) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The fields the catalogue's form asks of @business_type (the login name, the licence type, the
 * issuing authority …): a submission without one is refused, as the form refuses it */
static void
check_form_required (Request    *req,
                     JsonObject *fields,
                     const char *business_type,
                     JsonArray  *errors)
{
  JsonObject *document = ek_catalogue_get_document (req->self->catalogue);
  JsonObject *forms = json_object_has_member (document, "forms") ? json_object_get_object_member (document, "forms") : NULL;
  JsonObject *types = forms != NULL && json_object_has_member (forms, "business_types")
                      ? json_object_get_object_member (forms, "business_types") : NULL;
  JsonArray *wanted = types != NULL && json_object_has_member (types, business_type)
                      ? json_object_get_array_member (types, business_type) : NULL;
  JsonArray *sections = forms != NULL && json_object_has_member (forms, "sections")
                        ? json_object_get_array_member (forms, "sections") : NULL;

  for (guint i = 0; wanted != NULL && sections != NULL && i < json_array_get_length (sections); i++)
    {
      JsonObject *section = json_array_get_object_element (sections, i);
      const char *id = section != NULL ? json_object_get_string_member_with_default (section, "id", "") : "";
      JsonArray *list = section != NULL && json_object_has_member (section, "fields")
                        ? json_object_get_array_member (section, "fields") : NULL;
      gboolean asked = FALSE;

      for (guint j = 0; j < json_array_get_length (wanted); j++)
        asked |= g_strcmp0 (json_array_get_string_element (wanted, j), id) == 0;
      for (guint j = 0; asked && list != NULL && j < json_array_get_length (list); j++)
        {
          JsonObject *field = json_array_get_object_element (list, j);
          const char *server = field != NULL ? json_object_get_string_member_with_default (field, "server", "") : "";
          const char *value = *server != '\0' ? json_object_get_string_member_with_default (fields, server, "") : "";
          gboolean spec_required = FALSE;

          if (*server == '\0' || !json_object_get_boolean_member_with_default (field, "required", FALSE) || *value != '\0')
            continue;
          /* Those the service always requires are reported already */
          for (const FieldSpec *spec = application_fields; spec->name != NULL; spec++)
            if (g_str_equal (spec->name, server))
              spec_required = spec->required;
          if (!spec_required)
            {
              g_autofree char *path = g_strconcat ("fields/", server, NULL);
              ek_registry_add_problem_error (req, errors, path, EK_FIELD_PROBLEM_REQUIRED);
            }
        }
    }
}

/* The most keys an enterprise may hold when it asks for @business_type (the catalogue's
 * "max_keys_held": an additional key is refused at three), or 0 when there is no limit */
static gint64
max_keys_held (EkRegistryServer *self,
               const char       *business_type)
{
  JsonNode *types = json_object_get_member (ek_catalogue_get_document (self->catalogue), "business_types");

  for (guint i = 0; types != NULL && JSON_NODE_HOLDS_ARRAY (types) && i < json_array_get_length (json_node_get_array (types)); i++)
    {
      JsonObject *type = json_array_get_object_element (json_node_get_array (types), i);
      JsonObject *limit;

      if (type == NULL || g_strcmp0 (json_object_get_string_member_with_default (type, "id", ""), business_type) != 0 ||
          !json_object_has_member (type, "max_keys_held"))
        continue;
      limit = json_object_get_object_member (type, "max_keys_held");
      return limit != NULL ? json_object_get_int_member_with_default (limit, "value", 0) : 0;
    }
  return 0;
}

/* Refuses @business_type when the enterprise already holds the most keys allowed */
static void
check_key_limit (Request    *req,
                 const char *business_type,
                 JsonArray  *errors)
{
  gint64 limit = max_keys_held (req->self, business_type), held = 0;
  sqlite3_stmt *stmt;

  if (limit <= 0)
    return;
  stmt = ek_registry_db_query (req->self->db, "SELECT COUNT(*) FROM certificate_logins WHERE enterprise_id = ?", "i",
                               req->enterprise_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    held = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (held >= limit)
    {
      g_autofree char *en = g_strdup_printf ("Your enterprise already holds %" G_GINT64_FORMAT " e-keys, the most allowed "
                                             "(%" G_GINT64_FORMAT "). Cancel one (注销) before applying for another.", held, limit);
      g_autofree char *zh = g_strdup_printf ("贵企业已持有%" G_GINT64_FORMAT "把电子钥匙，已达上限（%" G_GINT64_FORMAT "把），"
                                             "不能再增办；如需增办，请先注销不再使用的电子钥匙。", held, limit);

      ek_registry_add_text_error (req, errors, "business_type", "key-limit", en, zh);
    }
}

static void
handle_application_submit (Request    *req,
                           const char *id,
                           const char *status)
{
  Idempotency idem = { 0 };
  g_autoptr(JsonNode) app = NULL;
  JsonObject *fields;
  JsonArray *errors;
  JsonArray *required;
  const char *business_type;
  gboolean resubmission;
  g_autoptr(GError) error = NULL;

  ek_registry_idempotency_begin (req, &idem);
  if (idem.done)
    return ek_registry_idempotency_clear (&idem);
  if (!status_is_editable (status))
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
    }

  /* Everything the form needs, and every required material without exemptions */
  app = application_node (req->self, id);
  fields = json_object_get_object_member (json_node_get_object (app), "fields");
  business_type = json_object_get_string_member (json_node_get_object (app), "business_type");
  errors = json_array_new ();
  ek_registry_check_fields (req, fields, application_fields, "fields/", TRUE, errors);
  check_form_required (req, fields, business_type, errors);
  check_key_limit (req, business_type, errors);
  required = required_materials (req->self, business_type);
  for (guint i = 0; required != NULL && i < json_array_get_length (required); i++)
    {
      JsonObject *m = json_array_get_object_element (required, i);
      JsonArray *have = json_object_get_array_member (json_node_get_object (app), "materials");
      const char *kind = json_object_get_string_member_with_default (m, "material", "");
      gboolean present = FALSE;

      if (!json_object_get_boolean_member_with_default (m, "required", FALSE) ||
          json_object_has_member (m, "exemptions"))
        continue;
      for (guint j = 0; j < json_array_get_length (have); j++)
        present |= g_str_equal (json_array_get_string_element (have, j), kind);
      if (!present)
        {
          g_autofree char *field = g_strconcat ("materials/", kind, NULL);
          ek_registry_add_text_error (req, errors, field, "missing", "Upload this material.", "请上传此项材料。");
        }
    }
  if (json_array_get_length (errors) > 0)
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_problem (req, PROBLEM_MISSING_MATERIALS, errors);
    }
  json_array_unref (errors);

  resubmission = !g_str_equal (status, "draft");
  if (!ek_registry_db_begin (req->self->db, &error) ||
      !ek_registry_db_exec (req->self->db, &error, "UPDATE applications SET status = 'submitted', updated_at = ? WHERE id = ?",
                            "is", ek_registry_now (), id))
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_db_error (req, error);
    }
  ek_registry_db_add_event (req->self->db, id, "submitted", resubmission ? "resubmitted" : NULL);
  g_clear_pointer (&app, json_node_unref);
  app = application_node (req->self, id);
  if (!ek_registry_idempotency_store (req, &idem, 200, NULL, app, &error) || !ek_registry_db_commit (req->self->db, &error))
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_db_error (req, error);
    }
  ek_registry_idempotency_clear (&idem);
  ek_registry_respond_json (req, 200, app);
}

static void handle_materials (Request *req, const char *application_id, const char *status);

void
ek_registry_handle_applications (Request *req)
{
  static const char * const allowed[] = { "business_type", "fields", NULL };
  JsonArray *errors;
  g_autofree char *status = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!ek_registry_require_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = ek_registry_visible_applications (req, application_node);
      return ek_registry_respond_json (req, 200, node);
    }

  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    {
      Idempotency idem = { 0 };
      g_autofree char *id = NULL;
      g_autofree char *fields_text = NULL;
      g_autofree char *location = NULL;
      const char *business_type;
      JsonNode *fields;

      if (!ek_registry_parse_body (req))
        return;
      errors = json_array_new ();
      ek_registry_check_top_level (req, allowed, errors);
      business_type = ek_registry_get_string (req->body, "business_type");
      if (business_type == NULL)
        ek_registry_add_problem_error (req, errors, "business_type", EK_FIELD_PROBLEM_REQUIRED);
      else if (ek_catalogue_lookup_business_type (req->self->catalogue, business_type) == NULL)
        ek_registry_add_text_error (req, errors, "business_type", "choice",
                                    "Choose one of the business types of the catalogue.", "请从目录中的业务类型里选择。");
      else
        check_key_limit (req, business_type, errors);
      fields = json_object_get_member (req->body, "fields");
      if (fields != NULL && !JSON_NODE_HOLDS_OBJECT (fields))
        ek_registry_add_text_error (req, errors, "fields", "type", "This must be an object.", "此项必须为对象。");
      else if (fields != NULL)
        ek_registry_check_fields (req, json_node_get_object (fields), application_fields, "fields/", FALSE, errors);
      if (!ek_registry_finish_validation (req, errors))
        return;
      /* A business that needs the key is refused over a code session; a renewal needs an eligible key */
      if (!ek_registry_business_allows_session (req, business_type) || !ek_registry_renewal_may_create (req, business_type))
        return;

      ek_registry_idempotency_begin (req, &idem);
      if (idem.done)
        return ek_registry_idempotency_clear (&idem);

      id = g_uuid_string_random ();
      fields_text = fields != NULL ? json_to_string (fields, FALSE) : g_strdup ("{}");
      /* The filing login is recorded: it alone sees the application until vouched for */
      if (!ek_registry_db_begin (req->self->db, &error) ||
          !ek_registry_db_exec (req->self->db, &error,
                                "INSERT INTO applications (id, enterprise_id, account_id, business_type, status, fields, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?)", "sisssii",
                                id, req->enterprise_id, req->account_id, business_type, fields_text, ek_registry_now (), ek_registry_now ()))
        {
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_db_error (req, error);
        }
      ek_registry_db_add_event (req->self->db, id, "draft", NULL);
      ek_registry_renewal_bind (req, id, business_type);
      node = application_node (req->self, id);
      location = g_strconcat (API_PREFIX "/applications/", id, NULL);
      if (!ek_registry_idempotency_store (req, &idem, 201, location, node, &error) || !ek_registry_db_commit (req->self->db, &error))
        {
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_db_error (req, error);
        }
      ek_registry_idempotency_clear (&idem);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
      return ek_registry_respond_json (req, 201, node);
    }

  if (req->n_seg == 1)
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  /* Another enterprise's application, or (the access model) one a login it has not vouched for
   * did not file itself: 404, as if it did not exist */
  if (!ek_registry_application_visible (req, req->seg[1], &status))
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  if (req->n_seg >= 3 && g_str_equal (req->seg[2], "materials"))
    return handle_materials (req, req->seg[1], status);

  if (req->n_seg == 3 && g_str_equal (req->seg[2], "certificate"))
    return ek_registry_handle_renewal_certificate (req, req->seg[1], status);

  if (req->n_seg == 3 && g_str_equal (req->seg[2], "submit"))
    {
      if (!g_str_equal (req->method, "POST"))
        return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      return handle_application_submit (req, req->seg[1], status);
    }
  if (req->n_seg != 2)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  if (g_str_equal (req->method, "GET"))
    {
      node = application_node (req->self, req->seg[1]);
      return ek_registry_respond_json (req, 200, node);
    }

  if (g_str_equal (req->method, "PATCH"))
    {
      static const char * const patch_allowed[] = { "fields", NULL };
      JsonNode *fields;
      g_autoptr(JsonNode) current = NULL;
      JsonObject *merged;
      g_autofree char *text = NULL;

      if (!ek_registry_parse_body (req))
        return;
      errors = json_array_new ();
      ek_registry_check_top_level (req, patch_allowed, errors);
      fields = json_object_get_member (req->body, "fields");
      if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
        ek_registry_add_text_error (req, errors, "fields", "type", "This must be an object.", "此项必须为对象。");
      else
        ek_registry_check_fields (req, json_node_get_object (fields), application_fields, "fields/", FALSE, errors);
      if (!ek_registry_finish_validation (req, errors))
        return;
      if (!status_is_editable (status))
        return ek_registry_respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);

      current = application_node (req->self, req->seg[1]);
      merged = json_object_get_object_member (json_node_get_object (current), "fields");
      {
        g_autoptr(GList) members = json_object_get_members (json_node_get_object (fields));
        for (GList *l = members; l != NULL; l = l->next)
          json_object_set_member (merged, l->data,
                                  json_node_copy (json_object_get_member (json_node_get_object (fields), l->data)));
      }
      {
        g_autoptr(JsonNode) merged_node = json_node_init_object (json_node_alloc (), merged);
        text = json_to_string (merged_node, FALSE);
      }
      /* Answered with the stored application only once the change is stored */
      if (!ek_registry_db_exec (req->self->db, &error, "UPDATE applications SET fields = ?, updated_at = ? WHERE id = ?",
                                "sis", text, ek_registry_now (), req->seg[1]))
        return ek_registry_respond_db_error (req, error);
      node = application_node (req->self, req->seg[1]);
      return ek_registry_respond_json (req, 200, node);
    }

  ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

/* ---- Uploads ---- */


void
ek_registry_upload_free (Upload *upload)
{
  if (upload->fd >= 0)
    close (upload->fd);
  if (upload->tmp_path != NULL && !upload->kept)
    g_unlink (upload->tmp_path);
  g_free (upload->tmp_path);
  g_free (upload);
}

static const char *
sniff_format (const guint8 *data,
              gsize         len)
{
  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return "jpeg";
  if (len >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return "gif";
  if (len >= 5 && memcmp (data, "%PDF-", 5) == 0)
    return "pdf";
  if (len >= 4 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    return "tiff";
  if (len >= 2 && memcmp (data, "BM", 2) == 0)
    return "bmp";
  if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  if (len >= 12 && memcmp (data + 4, "ftyp", 4) == 0)
    return "heic";
  if (len >= 4 && memcmp (data, "PK\3\4", 4) == 0)
    return "zip";
  return "unknown";
}

static const char *
format_content_type (const char *format)
{
  if (g_str_equal (format, "png"))
    return "image/png";
  if (g_str_equal (format, "jpeg"))
    return "image/jpeg";
  return "image/gif";
}

/* The client's own check (core/materials), so that the service refuses exactly what the
 * assistant refuses: the real format, the pixel bounds from the header before anything is
 * decoded, then a full decode (a structurally corrupt PNG, non-zlib data, a bad header CRC,
 * colour type 7, a truncated JPEG). The byte limit was enforced while the body streamed in. */
static EkMaterialReport *
check_like_the_client (EkRegistryServer *self,
                       const guint8     *data,
                       gsize             len)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, len);
  JsonArray *formats = json_object_get_array_member (self->limits, "formats");
  EkMaterialLimits limits;

  ek_material_limits_init_default (&limits);
  limits.max_bytes = 0;
  limits.formats = 0;
  for (guint i = 0; formats != NULL && i < json_array_get_length (formats); i++)
    for (EkImageFormat f = EK_IMAGE_FORMAT_PNG; f <= EK_IMAGE_FORMAT_GIF; f++)
      if (g_strcmp0 (json_array_get_string_element (formats, i), ek_image_format_to_string (f)) == 0)
        limits.formats |= 1u << f;
  limits.max_width = (guint) json_object_get_int_member_with_default (self->limits, "max_width", G_MAXUINT);
  limits.max_height = (guint) json_object_get_int_member_with_default (self->limits, "max_height", G_MAXUINT);
  limits.max_pixels = (guint64) json_object_get_int_member_with_default (self->limits, "max_pixels",
                                                                         EK_MATERIAL_DEFAULT_MAX_PIXELS);
  return ek_material_check_bytes (bytes, &limits, NULL);
}

static gboolean
format_allowed (EkRegistryServer *self,
                const char       *format)
{
  JsonArray *formats = json_object_get_array_member (self->limits, "formats");

  for (guint i = 0; formats != NULL && i < json_array_get_length (formats); i++)
    if (g_strcmp0 (json_array_get_string_element (formats, i), format) == 0)
      return TRUE;
  return FALSE;
}


void
ek_registry_stored_file_clear (StoredFile *stored)
{
  g_clear_pointer (&stored->file, g_free);
  g_clear_pointer (&stored->sha256, g_free);
}

/* Checks the streamed upload and moves it into place (fsync + rename + fsync of the folder).
 * Answers the problem itself and returns FALSE. */
gboolean
ek_registry_accept_upload (Request    *req,
                           StoredFile *stored)
{
  Upload *upload = g_object_get_data (G_OBJECT (req->msg), "ek-upload");
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(EkMaterialReport) report = NULL;
  const guint8 *data;
  gsize len;
  const char *format;
  g_autofree char *final_path = NULL;
  int dir_fd;

  if (upload == NULL || upload->write_failed)
    {
      ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
      return FALSE;
    }
  if (upload->too_large)
    {
      ek_registry_respond_problem (req, PROBLEM_UPLOAD_TOO_LARGE, NULL);
      return FALSE;
    }
  if (fsync (upload->fd) != 0)
    {
      ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
      return FALSE;
    }
  mapped = upload->received > 0 ? g_mapped_file_new (upload->tmp_path, FALSE, NULL) : NULL;
  data = mapped != NULL ? (const guint8 *) g_mapped_file_get_contents (mapped) : NULL;
  len = mapped != NULL ? g_mapped_file_get_length (mapped) : 0;

  format = sniff_format (data, len);
  if (!format_allowed (req->self, format))
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *detail = NULL;
      const char *what = g_str_equal (format, "unknown") ? NULL : format;

      if (what != NULL)
        detail = g_str_equal (req->lang, "en") ?
                 g_strdup_printf ("The file is a %s file, not a PNG, JPEG or GIF image (whatever its name says). "
                                  "Save or scan the page as PNG, JPEG or GIF.", what) :
                 g_strdup_printf ("该文件实际为 %s 格式（与文件名无关），不是 PNG、JPG 或 GIF 图片，"
                                  "请将该页保存或扫描为 PNG、JPG 或 GIF 图片。", what);
      node = ek_registry_problem_node (req->msg, req->lang, PROBLEM_UNSUPPORTED_FORMAT, detail, NULL);
      json_object_set_string_member (json_node_get_object (node), "detected_format", format);
      ek_registry_set_json_response (req->msg, 415, "application/problem+json", node);
      return FALSE;
    }
  report = check_like_the_client (req->self, data, len);
  if (ek_material_report_has (report, EK_MATERIAL_ERROR_TOO_MANY_PIXELS))
    {
      ek_registry_respond_problem (req, PROBLEM_IMAGE_DIMENSIONS, NULL);
      return FALSE;
    }
  if (!ek_material_report_is_ok (report))
    {
      ek_registry_respond_problem (req, PROBLEM_DAMAGED_IMAGE, NULL);
      return FALSE;
    }
  stored->width = report->info.width;
  stored->height = report->info.height;

  stored->sha256 = ek_registry_sha256_hex (data, len);
  stored->size = len;
  stored->content_type = (char *) format_content_type (format);
  stored->file = g_uuid_string_random ();
  final_path = g_build_filename (req->self->files_dir, stored->file, NULL);
  if (g_rename (upload->tmp_path, final_path) != 0)
    {
      ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
      return FALSE;
    }
  upload->kept = TRUE;
  dir_fd = open (req->self->files_dir, O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

void
ek_registry_discard_file (EkRegistryServer *self,
                          const char       *file)
{
  g_autofree char *path = NULL;

  if (file == NULL)
    return;
  path = g_build_filename (self->files_dir, file, NULL);
  g_unlink (path);
}

static JsonNode *
material_node (sqlite3_stmt *stmt)
{
  /* columns: kind, content_type, size, sha256, width, height, uploaded_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "content_type", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_int_member (o, "size", sqlite3_column_int64 (stmt, 2));
  json_object_set_string_member (o, "sha256", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_int_member (o, "width", sqlite3_column_int64 (stmt, 4));
  json_object_set_int_member (o, "height", sqlite3_column_int64 (stmt, 5));
  json_object_set_int_member (o, "uploaded_at", sqlite3_column_int64 (stmt, 6));
  return json_node_init_object (json_node_alloc (), o);
}

#define MATERIAL_COLUMNS "SELECT kind, content_type, size, sha256, width, height, uploaded_at FROM materials "

static void
handle_materials (Request    *req,
                  const char *application_id,
                  const char *status)
{
  sqlite3_stmt *stmt;
  g_autoptr(JsonNode) node = NULL;
  const char *kind;
  g_autofree char *business_type = NULL;
  g_autofree char *old_file = NULL;
  g_autoptr(GError) error = NULL;

  if (req->n_seg == 3)
    {
      JsonArray *list;

      if (!g_str_equal (req->method, "GET"))
        return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      list = json_array_new ();
      stmt = ek_registry_db_query (req->self->db, MATERIAL_COLUMNS "WHERE application_id = ? ORDER BY kind",
                                   "s", application_id);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        json_array_add_element (list, material_node (stmt));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      node = json_node_init_array (json_node_alloc (), list);
      json_array_unref (list);
      return ek_registry_respond_json (req, 200, node);
    }
  if (req->n_seg != 4)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  kind = req->seg[3];
  stmt = ek_registry_db_query (req->self->db, "SELECT business_type FROM applications WHERE id = ?", "s", application_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    business_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  stmt = ek_registry_db_query (req->self->db, "SELECT file FROM materials WHERE application_id = ? AND kind = ?",
                               "ss", application_id, kind);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    old_file = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  if (g_str_equal (req->method, "GET"))
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *content_type = NULL;
      gsize len;

      if (old_file == NULL)
        return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      stmt = ek_registry_db_query (req->self->db, "SELECT content_type FROM materials WHERE application_id = ? AND kind = ?",
                                   "ss", application_id, kind);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        content_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      path = g_build_filename (req->self->files_dir, old_file, NULL);
      if (!g_file_get_contents (path, &contents, &len, NULL))
        return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
      soup_server_message_set_status (req->msg, 200, NULL);
      soup_server_message_set_response (req->msg, content_type, SOUP_MEMORY_TAKE, g_steal_pointer (&contents), len);
      return;
    }

  if (g_str_equal (req->method, "DELETE"))
    {
      if (old_file == NULL)
        return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      if (!status_is_editable (status))
        return ek_registry_respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
      if (!ek_registry_db_exec (req->self->db, &error, "DELETE FROM materials WHERE application_id = ? AND kind = ?",
                                "ss", application_id, kind))
        return ek_registry_respond_db_error (req, error);
      ek_registry_discard_file (req->self, old_file);
      soup_server_message_set_status (req->msg, 204, NULL);
      return;
    }

  if (g_str_equal (req->method, "PUT"))
    {
      StoredFile stored = { 0 };

      if (!material_kind_known (req->self, business_type, kind))
        {
          JsonArray *errors = json_array_new ();
          ek_registry_add_text_error (req, errors, "kind", "unknown-material",
                                      "This business type has no such material.", "该业务类型没有此项材料。");
          return ek_registry_respond_problem (req, PROBLEM_VALIDATION, errors);
        }
      if (!status_is_editable (status))
        return ek_registry_respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
      if (!ek_registry_accept_upload (req, &stored))
        return;
      /* The row and the application's time together, or neither (and the new file goes) */
      if (!ek_registry_db_begin (req->self->db, &error) ||
          !ek_registry_db_exec (req->self->db, &error,
                                "INSERT OR REPLACE INTO materials (application_id, kind, file, content_type, size, sha256, "
                                "width, height, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                "ssssisiii", application_id, kind, stored.file, stored.content_type, (gint64) stored.size,
                                stored.sha256, (gint64) stored.width, (gint64) stored.height, ek_registry_now ()) ||
          !ek_registry_db_exec (req->self->db, &error, "UPDATE applications SET updated_at = ? WHERE id = ?",
                                "is", ek_registry_now (), application_id) ||
          !ek_registry_db_commit (req->self->db, &error))
        {
          ek_registry_db_rollback (req->self->db);
          ek_registry_discard_file (req->self, stored.file);
          ek_registry_stored_file_clear (&stored);
          return ek_registry_respond_db_error (req, error);
        }
      ek_registry_discard_file (req->self, old_file);
      ek_registry_stored_file_clear (&stored);
      stmt = ek_registry_db_query (req->self->db, MATERIAL_COLUMNS "WHERE application_id = ? AND kind = ?",
                                   "ss", application_id, kind);
      sqlite3_step (stmt);
      node = material_node (stmt);
      sqlite3_reset (stmt);
      return ek_registry_respond_json (req, old_file != NULL ? 200 : 201, node);
    }

  ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}
