/* ek-registry-mobile.c: mobile authorisations (log-in with the key required)
 *
 * A request is 新授权 new, 手机号码变更 number-change (the old number's certificate is revoked
 * when the request is submitted), 手机变更 phone-change (another phone gets a certificate),
 * 续签 renewal or 注销 cancellation of a number's certificate.
 *
 *   pending-submit (请求待提交) ──submit──▶ submitted (登录商务部网站app下载) ──installed──▶ issued (证书已签发)
 *   a cancellation, submitted, is done at once: cancelled (证书已注销)
 *   a request not yet submitted can be deleted (是否删除: 已删除); it stays in the history
 *
 * "installed" is the MOFCOM app's 制作证书 on the phone; the demo service's operator plays it
 * with `ekey-registry review install-mobile ID`. A number has at most one request in progress
 * and one certificate in use; every list and look-up is the logged-in enterprise's own.
 */
#include "config.h"

#include <stdio.h>

#include "ek-registry-server-private.h"

#define MOBILE_CERTIFICATE_DAYS 365

static const char * const mobile_kinds[] = { "new", "number-change", "phone-change", "renewal", "cancellation", NULL };
static const char * const id_types[] = { "resident-id", "officer-id", "soldier-id", "passport", "other", NULL };
static const char * const genders[] = { "male", "female", NULL };

static const FieldSpec request_specs[] = {
  { "kind", FIELD_CHOICE, TRUE, mobile_kinds },
  { "mobile", FIELD_MOBILE, TRUE, NULL },
  { "old_mobile", FIELD_MOBILE, FALSE, NULL },
  { "licence_type", FIELD_LICENCE_TYPE, FALSE, NULL },
  { "applicant", FIELD_OBJECT, FALSE, NULL },
  { NULL }
};

/* 用户基本信息 and 用户联系方式 of seed 002; the request time is the request's own */
static const FieldSpec applicant_specs[] = {
  { "enterprise_name", FIELD_TEXT, TRUE, NULL },
  { "code13", FIELD_CODE13, FALSE, NULL },
  { "uscc", FIELD_USCC, FALSE, NULL },
  { "registered_address", FIELD_TEXT, TRUE, NULL },
  { "applicant_name", FIELD_TEXT, TRUE, NULL },
  { "gender", FIELD_CHOICE, TRUE, genders },
  { "login_name", FIELD_TEXT, TRUE, NULL },
  { "id_type", FIELD_ID_TYPE, TRUE, id_types },
  { "id_number", FIELD_RESIDENT_ID, TRUE, NULL },
  { "email", FIELD_EMAIL, TRUE, NULL },
  { "address", FIELD_TEXT, TRUE, NULL },
  { "mobile", FIELD_MOBILE, TRUE, NULL },
  { "landline", FIELD_LANDLINE, FALSE, NULL },
  { "department", FIELD_TEXT, FALSE, NULL },
  { "title", FIELD_TEXT, FALSE, NULL },
  { "work_address", FIELD_TEXT, FALSE, NULL },
  { "postcode", FIELD_POSTCODE, TRUE, NULL },
  { NULL }
};

#define MOBILE_COLUMNS \
  "SELECT id, kind, mobile, old_mobile, login_name, state, created_at, updated_at, applicant, certificate_type, target, " \
  "certificate_state, certificate_expires_at, submitted_at, deleted FROM mobile_authorizations "

static JsonNode *
mobile_node (sqlite3_stmt *stmt)
{
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
  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    json_object_set_member (o, "applicant", ek_registry_parse_json_text ((const char *) sqlite3_column_text (stmt, 8)));
  if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
    json_object_set_string_member (o, "licence_type", (const char *) sqlite3_column_text (stmt, 9));
  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    json_object_set_string_member (o, "target", (const char *) sqlite3_column_text (stmt, 10));
  if (sqlite3_column_type (stmt, 11) != SQLITE_NULL)
    {
      JsonObject *c = json_object_new ();
      json_object_set_string_member (c, "state", (const char *) sqlite3_column_text (stmt, 11));
      json_object_set_int_member (c, "expires_at", sqlite3_column_int64 (stmt, 12));
      json_object_set_object_member (o, "certificate", c);
    }
  if (sqlite3_column_type (stmt, 13) != SQLITE_NULL)
    json_object_set_int_member (o, "submitted_at", sqlite3_column_int64 (stmt, 13));
  json_object_set_boolean_member (o, "deleted", sqlite3_column_int (stmt, 14) != 0);
  return json_node_init_object (json_node_alloc (), o);
}

static char *
first_text (sqlite3_stmt *stmt)
{
  char *text = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return text;
}

/* The request holding the number's certificate in use, or NULL */
static char *
holder_of (EkRegistryDb *db,
           gint64        enterprise_id,
           const char   *mobile)
{
  return first_text (ek_registry_db_query (db, "SELECT id FROM mobile_authorizations WHERE enterprise_id = ? AND mobile = ? "
                                               "AND state = 'issued' AND certificate_state = 'active' LIMIT 1",
                                           "is", enterprise_id, mobile));
}

static char *
in_progress (EkRegistryDb *db,
             gint64        enterprise_id,
             const char   *mobile)
{
  return first_text (ek_registry_db_query (db, "SELECT id FROM mobile_authorizations WHERE enterprise_id = ? AND mobile = ? "
                                               "AND state IN ('pending-submit', 'submitted') AND deleted = 0 LIMIT 1",
                                           "is", enterprise_id, mobile));
}

static void
create_request (Request *req)
{
  g_autoptr(GError) error = NULL;
  static const char * const allowed[] = { "kind", "mobile", "old_mobile", "licence_type", "applicant", NULL };
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id = NULL, *target = NULL, *busy = NULL, *held = NULL, *applicant_text = NULL;
  Idempotency idem = { 0 };
  JsonArray *errors;
  JsonObject *applicant = NULL;
  const char *kind, *mobile, *old_mobile;
  gboolean needs_applicant;
  Problem problem = PROBLEM_NONE;
  gint64 now = ek_registry_now ();

  if (!ek_registry_parse_body (req))
    return;
  errors = json_array_new ();
  ek_registry_check_top_level (req, allowed, errors);
  ek_registry_check_fields (req, req->body, request_specs, "", TRUE, errors);
  kind = ek_registry_get_string (req->body, "kind");
  mobile = ek_registry_get_string (req->body, "mobile");
  old_mobile = ek_registry_get_string (req->body, "old_mobile");
  needs_applicant = kind != NULL && (g_str_equal (kind, "new") || g_str_equal (kind, "number-change") ||
                                     g_str_equal (kind, "phone-change"));
  if (json_object_has_member (req->body, "applicant") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (req->body, "applicant")))
    applicant = json_object_get_object_member (req->body, "applicant");
  if (needs_applicant && applicant == NULL)
    ek_registry_add_problem_error (req, errors, "applicant", EK_FIELD_PROBLEM_REQUIRED);
  if (needs_applicant && ek_registry_get_string (req->body, "licence_type") == NULL)
    ek_registry_add_problem_error (req, errors, "licence_type", EK_FIELD_PROBLEM_REQUIRED);
  if (applicant != NULL)
    {
      const char *code13 = ek_registry_get_string (applicant, "code13");

      ek_registry_check_fields (req, applicant, applicant_specs, "applicant/", TRUE, errors);
      if (code13 != NULL && ek_registry_is_code13 (code13) && g_strcmp0 (code13, req->code13) != 0)
        ek_registry_add_text_error (req, errors, "applicant/code13", "certificate-mismatch",
                                    "This code does not match the certificate of the key you logged in with.",
                                    "该代码与登录所用电子钥匙证书中的企业代码不一致。");
    }
  if (g_strcmp0 (kind, "number-change") == 0 && old_mobile == NULL)
    ek_registry_add_problem_error (req, errors, "old_mobile", EK_FIELD_PROBLEM_REQUIRED);
  if (g_strcmp0 (kind, "number-change") == 0 && old_mobile != NULL && g_strcmp0 (old_mobile, mobile) == 0)
    ek_registry_add_text_error (req, errors, "mobile", "same-number", "The new number must differ from the old one.",
                                "新授权手机号码不能与旧授权手机号码相同。");
  if (!ek_registry_finish_validation (req, errors))
    return;

  ek_registry_idempotency_begin (req, &idem);
  if (idem.done)
    return ek_registry_idempotency_clear (&idem);

  busy = in_progress (req->self->db, req->enterprise_id, mobile);
  held = holder_of (req->self->db, req->enterprise_id, mobile);
  if (busy != NULL)
    problem = PROBLEM_MOBILE_ALREADY_AUTHORIZED;
  else if (g_str_equal (kind, "renewal") || g_str_equal (kind, "cancellation"))
    {
      if (held == NULL)
        problem = PROBLEM_MOBILE_NOT_AUTHORIZED;
      target = g_steal_pointer (&held);
    }
  else if (held != NULL)
    problem = PROBLEM_MOBILE_ALREADY_AUTHORIZED;
  else if (g_str_equal (kind, "number-change"))
    {
      target = holder_of (req->self->db, req->enterprise_id, old_mobile);
      if (target == NULL)
        problem = PROBLEM_MOBILE_NOT_AUTHORIZED;
    }
  if (problem != PROBLEM_NONE)
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_problem (req, problem, NULL);
    }

  if (applicant != NULL)
    applicant_text = json_to_string (json_object_get_member (req->body, "applicant"), FALSE);
  id = g_uuid_string_random ();
  if (!ek_registry_db_begin (req->self->db, &error) ||
      !ek_registry_db_exec (req->self->db, &error,
                            "INSERT INTO mobile_authorizations (id, enterprise_id, kind, mobile, old_mobile, login_name, state, "
                            "created_at, updated_at, applicant, certificate_type, target) "
                            "VALUES (?, ?, ?, ?, ?, ?, 'pending-submit', ?, ?, ?, ?, ?)", "sissssiisss",
                            id, req->enterprise_id, kind, mobile, old_mobile, req->login_name, now, now, applicant_text,
                            ek_registry_get_string (req->body, "licence_type"), target) ||
      (node = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", id,
                                      req->enterprise_id, mobile_node)) == NULL ||
      !ek_registry_idempotency_store (req, &idem, 201, NULL, node, &error) ||
      !ek_registry_db_commit (req->self->db, &error))
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_db_error (req, error);
    }
  ek_registry_idempotency_clear (&idem);
  ek_registry_respond_json (req, 201, node);
}

static void
submit_request (Request  *req,
                JsonNode *node)
{
  g_autoptr(GError) error = NULL;
  JsonObject *o = json_node_get_object (node);
  const char *state = json_object_get_string_member (o, "state");
  const char *kind = json_object_get_string_member (o, "kind");
  const char *target = json_object_get_string_member_with_default (o, "target", NULL);
  gboolean cancellation = g_str_equal (kind, "cancellation");
  g_autoptr(JsonNode) updated = NULL;
  gint64 now = ek_registry_now ();

  if (!g_str_equal (state, "pending-submit") || json_object_get_boolean_member (o, "deleted"))
    return ek_registry_respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
  /* What the request acts on may have changed since it was saved */
  if (target != NULL)
    {
      g_autofree char *still = first_text (ek_registry_db_query (req->self->db,
                                           "SELECT id FROM mobile_authorizations WHERE id = ? AND enterprise_id = ? "
                                           "AND state = 'issued' AND certificate_state = 'active'", "si", target, req->enterprise_id));
      if (still == NULL)
        return ek_registry_respond_problem (req, PROBLEM_MOBILE_NOT_AUTHORIZED, NULL);
    }

  if (!ek_registry_db_begin (req->self->db, &error) ||
      !ek_registry_db_exec (req->self->db, &error,
                            "UPDATE mobile_authorizations SET state = ?, submitted_at = ?, updated_at = ? WHERE id = ? "
                            "AND state = 'pending-submit' AND deleted = 0",
                            "siis", cancellation ? "cancelled" : "submitted", now, now, req->seg[1]) ||
      /* 注销, or 手机号码变更: the certificate in use on the old number is revoked now */
      (target != NULL && (cancellation || g_str_equal (kind, "number-change")) &&
       !ek_registry_db_exec (req->self->db, &error,
                             "UPDATE mobile_authorizations SET certificate_state = ?, updated_at = ? "
                             "WHERE id = ? AND enterprise_id = ? AND certificate_state = 'active'", "sisi",
                             cancellation ? "cancelled" : "revoked", now, target, req->enterprise_id)) ||
      !ek_registry_db_commit (req->self->db, &error))
    return ek_registry_respond_db_error (req, error);
  updated = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                                    req->enterprise_id, mobile_node);
  ek_registry_respond_json (req, 200, updated);
}

void
ek_registry_handle_mobile_authorizations (Request *req)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!ek_registry_require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = ek_registry_select_all (req->self->db, MOBILE_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at DESC, rowid DESC",
                                     req->enterprise_id, mobile_node);
      return ek_registry_respond_json (req, 200, node);
    }
  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    return create_request (req);
  if (req->n_seg == 1)
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                                 req->enterprise_id, mobile_node);
  if (node == NULL || req->n_seg > 3 || (req->n_seg == 3 && !g_str_equal (req->seg[2], "submit")))
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    return ek_registry_respond_json (req, 200, node);
  if (req->n_seg == 3 && g_str_equal (req->method, "POST"))
    return submit_request (req, node);
  if (req->n_seg == 2 && g_str_equal (req->method, "DELETE"))
    {
      /* Only a request not yet submitted; it stays in the history as deleted */
      JsonObject *o = json_node_get_object (node);
      g_autoptr(JsonNode) updated = NULL;

      if (!g_str_equal (json_object_get_string_member (o, "state"), "pending-submit") ||
          json_object_get_boolean_member (o, "deleted"))
        return ek_registry_respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
      if (!ek_registry_db_exec (req->self->db, &error, "UPDATE mobile_authorizations SET deleted = 1, updated_at = ? "
                                                       "WHERE id = ? AND enterprise_id = ?", "isi",
                                ek_registry_now (), req->seg[1], req->enterprise_id))
        return ek_registry_respond_db_error (req, error);
      updated = ek_registry_select_one (req->self->db, MOBILE_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                                        req->enterprise_id, mobile_node);
      return ek_registry_respond_json (req, 200, updated);
    }
  ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

/* The operator plays the phone app's 制作证书: a submitted request's certificate is installed */
int
ek_registry_install_mobile (EkRegistryDb *db,
                            const char   *id)
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, "SELECT kind, state, target FROM mobile_authorizations WHERE id = ?", "s", id);
  g_autofree char *kind = NULL, *state = NULL, *target = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      kind = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      state = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      target = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (state == NULL)
    {
      g_printerr ("ekey-registry: no mobile authorisation %s\n", id);
      return 1;
    }
  if (!g_str_equal (state, "submitted"))
    {
      g_printerr ("ekey-registry: mobile authorisation %s is %s; only a submitted one is installed on the phone\n", id, state);
      return 1;
    }
  ek_registry_db_begin (db, NULL);
  ek_registry_db_exec (db, NULL, "UPDATE mobile_authorizations SET state = 'issued', certificate_state = 'active', "
                                 "certificate_expires_at = ?, updated_at = ? WHERE id = ?", "iis",
                       now + (gint64) MOBILE_CERTIFICATE_DAYS * 86400, now, id);
  if (g_str_equal (kind, "renewal") && target != NULL)
    ek_registry_db_exec (db, NULL, "UPDATE mobile_authorizations SET certificate_state = 'renewed', updated_at = ? "
                                   "WHERE id = ? AND certificate_state = 'active'", "is", now, target);
  if (!ek_registry_db_commit (db, &error))
    {
      g_printerr ("ekey-registry: %s\n", error->message);
      return 1;
    }
  printf ("%s issued\n", id);
  return 0;
}
