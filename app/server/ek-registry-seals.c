/* ek-registry-seals.c: mobile authorisations, seal requests and seals (log-in with the key required) */
#include "config.h"

#include "ek-registry-server-private.h"

/* ---- Mobile authorisations, seal requests, seals ---- */

static const char * const mobile_kinds[] = { "new", "number-change", "phone-change", "renewal", "cancellation", NULL };
static const char * const seal_kinds[] = { "apply", "change", "bind-user", "rebind", NULL };

static JsonNode *
mobile_node (sqlite3_stmt *stmt)
{
  /* columns: id, kind, mobile, old_mobile, login_name, state, created_at, updated_at */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "mobile", (const char *) sqlite3_column_text (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    json_object_set_string_member (o, "old_mobile", (const char *) sqlite3_column_text (stmt, 3));
  json_object_set_string_member (o, "login_name", (const char *) sqlite3_column_text (stmt, 4));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 5));
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 6));
  json_object_set_int_member (o, "updated_at", sqlite3_column_int64 (stmt, 7));
  return json_node_init_object (json_node_alloc (), o);
}

#define MOBILE_COLUMNS "SELECT id, kind, mobile, old_mobile, login_name, state, created_at, updated_at FROM mobile_authorizations "

static JsonNode *
select_one (EkRegistryDb *db,
            const char   *sql,
            const char   *id,
            gint64        enterprise_id,
            JsonNode   *(*to_node) (sqlite3_stmt *))
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, sql, "si", id, enterprise_id);
  JsonNode *node = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    node = to_node (stmt);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return node;
}

static JsonNode *
select_all (EkRegistryDb *db,
            const char   *sql,
            gint64        enterprise_id,
            JsonNode   *(*to_node) (sqlite3_stmt *))
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, sql, "i", enterprise_id);
  JsonArray *list = json_array_new ();
  JsonNode *node;

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_element (list, to_node (stmt));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  node = json_node_init_array (json_node_alloc (), list);
  json_array_unref (list);
  return node;
}

void
ek_registry_handle_mobile_authorizations (Request *req)
{
  static const FieldSpec specs[] = {
    { "kind", FIELD_CHOICE, TRUE, mobile_kinds },
    { "mobile", FIELD_MOBILE, TRUE, NULL },
    { "old_mobile", FIELD_MOBILE, FALSE, NULL },
    { NULL }
  };
  g_autoptr(JsonNode) node = NULL;

  if (!ek_registry_require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = select_all (req->self->db, MOBILE_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at, id",
                         req->enterprise_id, mobile_node);
      return ek_registry_respond_json (req, 200, node);
    }
  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    {
      Idempotency idem = { 0 };
      JsonArray *errors;
      g_autofree char *id = NULL;
      const char *kind;

      if (!ek_registry_parse_body (req))
        return;
      errors = json_array_new ();
      ek_registry_check_fields (req, req->body, specs, "", TRUE, errors);
      kind = ek_registry_get_string (req->body, "kind");
      if (g_strcmp0 (kind, "number-change") == 0 && ek_registry_get_string (req->body, "old_mobile") == NULL)
        ek_registry_add_problem_error (req, errors, "old_mobile", EK_FIELD_PROBLEM_REQUIRED);
      if (!ek_registry_finish_validation (req, errors))
        return;
      ek_registry_idempotency_begin (req, &idem);
      if (idem.done)
        return ek_registry_idempotency_clear (&idem);

      id = g_uuid_string_random ();
      ek_registry_db_begin (req->self->db, NULL);
      ek_registry_db_exec (req->self->db, NULL,
                           "INSERT INTO mobile_authorizations (id, enterprise_id, kind, mobile, old_mobile, login_name, state, "
                           "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending-submit', ?, ?)", "sissssii",
                           id, req->enterprise_id, kind, ek_registry_get_string (req->body, "mobile"),
                           ek_registry_get_string (req->body, "old_mobile"), req->login_name, ek_registry_now (), ek_registry_now ());
      node = select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", id, req->enterprise_id,
                         mobile_node);
      if (node == NULL || !ek_registry_idempotency_store (req, &idem, 201, NULL, node, NULL) ||
          !ek_registry_db_commit (req->self->db, NULL))
        {
          ek_registry_db_rollback (req->self->db);
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_json (req, 201, node);
    }
  if (req->n_seg == 1)
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                     req->enterprise_id, mobile_node);
  if (node == NULL || req->n_seg > 3 || (req->n_seg == 3 && !g_str_equal (req->seg[2], "submit")))
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    return ek_registry_respond_json (req, 200, node);
  if (req->n_seg == 3 && g_str_equal (req->method, "POST"))
    {
      const char *state = json_object_get_string_member (json_node_get_object (node), "state");
      const char *kind = json_object_get_string_member (json_node_get_object (node), "kind");

      if (!g_str_equal (state, "pending-submit"))
        return ek_registry_respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
      ek_registry_db_exec (req->self->db, NULL,
                           "UPDATE mobile_authorizations SET state = ?, updated_at = ? WHERE id = ?", "sis",
                           g_str_equal (kind, "cancellation") ? "cancelled" : "issued", ek_registry_now (), req->seg[1]);
      g_clear_pointer (&node, json_node_unref);
      node = select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                         req->enterprise_id, mobile_node);
      return ek_registry_respond_json (req, 200, node);
    }
  ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

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

  if (!ek_registry_require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = select_all (req->self->db, SEAL_REQUEST_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at, id",
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
      ek_registry_db_begin (req->self->db, NULL);
      ek_registry_db_exec (req->self->db, NULL,
                           "INSERT INTO seal_requests (id, enterprise_id, kind, seal_name, login_name, state, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, 'new', ?, ?)", "sisssii",
                           id, req->enterprise_id, ek_registry_get_string (req->body, "kind"), ek_registry_get_string (req->body, "seal_name"),
                           req->login_name, ek_registry_now (), ek_registry_now ());
      node = select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", id,
                         req->enterprise_id, seal_request_node);
      if (node == NULL || !ek_registry_idempotency_store (req, &idem, 201, NULL, node, NULL) ||
          !ek_registry_db_commit (req->self->db, NULL))
        {
          ek_registry_db_rollback (req->self->db);
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_json (req, 201, node);
    }
  if (req->n_seg == 1)
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
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
      if (!ek_registry_db_exec (req->self->db, NULL,
                                "UPDATE seal_requests SET letter_file = ?, letter_sha256 = ?, letter_size = ?, updated_at = ? "
                                "WHERE id = ?", "ssiis", stored.file, stored.sha256, (gint64) stored.size, ek_registry_now (),
                                req->seg[1]))
        {
          ek_registry_discard_file (req->self, stored.file);
          ek_registry_stored_file_clear (&stored);
          return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
        }
      ek_registry_discard_file (req->self, old_file);
      ek_registry_stored_file_clear (&stored);
      g_clear_pointer (&node, json_node_unref);
      node = select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
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
    node = select_all (req->self->db, "SELECT id, name, state, users, created_at FROM seals WHERE enterprise_id = ? "
                                      "ORDER BY created_at, id", req->enterprise_id, seal_node);
  else if (req->n_seg == 2)
    node = select_one (req->self->db, "SELECT id, name, state, users, created_at FROM seals WHERE id = ? AND enterprise_id = ?",
                       req->seg[1], req->enterprise_id, seal_node);
  if (node == NULL)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  ek_registry_respond_json (req, 200, node);
}
