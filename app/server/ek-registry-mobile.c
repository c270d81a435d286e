/* ek-registry-mobile.c: mobile authorisations (log-in with the key required) */
#include "config.h"

#include "ek-registry-server-private.h"

static const char * const mobile_kinds[] = { "new", "number-change", "phone-change", "renewal", "cancellation", NULL };

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
  g_autoptr(GError) error = NULL;

  if (!ek_registry_require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = ek_registry_select_all (req->self->db, MOBILE_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at, id",
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
      if (!ek_registry_db_begin (req->self->db, &error) ||
          !ek_registry_db_exec (req->self->db, &error,
                           "INSERT INTO mobile_authorizations (id, enterprise_id, kind, mobile, old_mobile, login_name, state, "
                           "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending-submit', ?, ?)", "sissssii",
                           id, req->enterprise_id, kind, ek_registry_get_string (req->body, "mobile"),
                           ek_registry_get_string (req->body, "old_mobile"), req->login_name, ek_registry_now (), ek_registry_now ()))
        {
          ek_registry_idempotency_clear (&idem);
          return ek_registry_respond_db_error (req, error);
        }
      node = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", id, req->enterprise_id,
                         mobile_node);
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

  node = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
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
      if (!ek_registry_db_exec (req->self->db, &error,
                                "UPDATE mobile_authorizations SET state = ?, updated_at = ? WHERE id = ?", "sis",
                                g_str_equal (kind, "cancellation") ? "cancelled" : "issued", ek_registry_now (), req->seg[1]))
        return ek_registry_respond_db_error (req, error);
      g_clear_pointer (&node, json_node_unref);
      node = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                         req->enterprise_id, mobile_node);
      return ek_registry_respond_json (req, 200, node);
    }
  ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}
