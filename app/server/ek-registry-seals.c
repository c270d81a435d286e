/* ek-registry-seals.c: seal requests and seals (log-in with the key required) */
#include "config.h"

#include "ek-registry-server-private.h"

static const char * const seal_kinds[] = { "apply", "change", "bind-user", "rebind", NULL };

static JsonNode *
seal_request_node (sqlite3_stmt *stmt)
{
  /* columns: id, kind, seal_name, login_name, state, letter_sha256, letter_size, created_at, updated_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "seal_name", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (o, "login_name", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 4));
  if (sqlite3_column_type (stmt, 5) != SQLITE_NULL)
    {
      JsonObject *letter = json_object_new ();
      json_object_set_string_member (letter, "sha256", (const char *) sqlite3_column_text (stmt, 5));
      json_object_set_int_member (letter, "size", sqlite3_column_int64 (stmt, 6));
      json_object_set_object_member (o, "confirmation_letter", letter);
    }
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 7));
  json_object_set_int_member (o, "updated_at", sqlite3_column_int64 (stmt, 8));
  return json_node_init_object (json_node_alloc (), o);
}

#define SEAL_REQUEST_COLUMNS \
  "SELECT id, kind, seal_name, login_name, state, letter_sha256, letter_size, created_at, updated_at FROM seal_requests "

static JsonNode *
seal_node (sqlite3_stmt *stmt)
{
  /* columns: id, name, state, users, created_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "name", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_member (o, "users", ek_registry_parse_json_text ((const char *) sqlite3_column_text (stmt, 3)));
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 4));
  return json_node_init_object (json_node_alloc (), o);
}

void
ek_registry_handle_seal_requests (Request *req)
{
  static const FieldSpec specs[] = {
    { "kind", FIELD_CHOICE, TRUE, seal_kinds },
    { "seal_name", FIELD_TEXT, TRUE, NULL },
    { "code13", FIELD_CODE13, TRUE, NULL },
    { NULL }
  };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!ek_registry_require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = ek_registry_select_all (req->self->db, SEAL_REQUEST_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at, id",
                         req->enterprise_id, seal_request_node);
      return ek_registry_respond_json (req, 200, node);
    }
  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    {
      Idempotency idem = { 0 };
      JsonArray *errors;
      g_autofree char *id = NULL;
      const char *code13;

      if (!ek_registry_parse_body (req))
        return;
      errors = json_array_new ();
      ek_registry_check_fields (req, req->body, specs, "", TRUE, errors);
      /* The 13-digit code typed must match the certificate used to log in (seed 003) */
      code13 = ek_registry_get_string (req->body, "code13");
      if (code13 != NULL && ek_registry_is_code13 (code13) && g_strcmp0 (code13, req->code13) != 0)
        ek_registry_add_text_error (req, errors, "code13", "certificate-mismatch",
                                    "This code does not match the certificate of the key you logged in with.",
                                    "该代码与登录所用电子钥匙证书中的企业代码不一致。");
      if (!ek_registry_finish_validation (req, errors))
        return;
      ek_registry_idempotency_begin (req, &idem);
      if (idem.done)
        return ek_registry_idempotency_clear (&idem);

      id = g_uuid_string_random ();
      if (!ek_registry_db_begin (req->self->db, &error) ||
          !ek_registry_db_exec (req->self->db, &error,
                           "INSERT INTO seal_requests (id, enterprise_id, kind, seal_name, login_name, state, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, 'new', ?, ?)", "sisssii",
                           id, req->enterprise_id, ek_registry_get_string (req->body, "kind"), ek_registry_get_string (req->body, "seal_name"),
                           req->login_name, ek_registry_now (), ek_registry_now ()))
        {
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_db_error (req, error);
        }
      node = ek_registry_select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", id,
                         req->enterprise_id, seal_request_node);
      if (node == NULL || !ek_registry_idempotency_store (req, &idem, 201, NULL, node, &error) ||
          !ek_registry_db_commit (req->self->db, &error))
        {
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_db_error (req, error);
        }
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_json (req, 201, node);
    }
  if (req->n_seg == 1)
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = ek_registry_select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                     req->enterprise_id, seal_request_node);
  if (node == NULL || req->n_seg > 3 || (req->n_seg == 3 && !g_str_equal (req->seg[2], "letter")))
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    return ek_registry_respond_json (req, 200, node);
  if (req->n_seg == 3 && g_str_equal (req->method, "PUT"))
    {
      StoredFile stored = { 0 };
      g_autofree char *old_file = NULL;
      sqlite3_stmt *stmt;

      if (!g_str_equal (json_object_get_string_member (json_node_get_object (node), "state"), "new"))
        return ek_registry_respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
      if (!ek_registry_accept_upload (req, &stored))
        return;
      stmt = ek_registry_db_query (req->self->db, "SELECT letter_file FROM seal_requests WHERE id = ?", "s", req->seg[1]);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        old_file = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (!ek_registry_db_exec (req->self->db, &error,
                                "UPDATE seal_requests SET letter_file = ?, letter_sha256 = ?, letter_size = ?, updated_at = ? "
                                "WHERE id = ?", "ssiis", stored.file, stored.sha256, (gint64) stored.size, ek_registry_now (),
                                req->seg[1]))
        {
          ek_registry_discard_file (req->self, stored.file);
          ek_registry_stored_file_clear (&stored);
          return ek_registry_respond_db_error (req, error);
        }
      ek_registry_discard_file (req->self, old_file);
      ek_registry_stored_file_clear (&stored);
      g_clear_pointer (&node, json_node_unref);
      node = ek_registry_select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                         req->enterprise_id, seal_request_node);
      return ek_registry_respond_json (req, 200, node);
    }
  ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

void
ek_registry_handle_seals (Request *req)
{
  g_autoptr(JsonNode) node = NULL;

  if (!ek_registry_require_key_session (req))
    return;
  if (!g_str_equal (req->method, "GET"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (req->n_seg == 1)
    node = ek_registry_select_all (req->self->db, "SELECT id, name, state, users, created_at FROM seals WHERE enterprise_id = ? "
                                      "ORDER BY created_at, id", req->enterprise_id, seal_node);
  else if (req->n_seg == 2)
    node = ek_registry_select_one (req->self->db, "SELECT id, name, state, users, created_at FROM seals WHERE id = ? AND enterprise_id = ?",
                       req->seg[1], req->enterprise_id, seal_node);
  if (node == NULL)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  ek_registry_respond_json (req, 200, node);
}
