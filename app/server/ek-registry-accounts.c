/* ek-registry-accounts.c: catalogue, captcha, accounts and sessions (log-in by code or with the key) */
#include "config.h"

#include "ek-registry-server-private.h"

/* ---- Resources ---- */

JsonNode *
ek_registry_parse_json_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return json_node_init_object (json_node_alloc (), json_object_new ());
  return json_node_ref (json_parser_get_root (parser));
}

void
ek_registry_handle_catalogue (Request *req)
{
  if (!g_str_equal (req->method, "GET"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_COPY,
                                    req->self->catalogue_json, strlen (req->self->catalogue_json));
}

static const char captcha_alphabet[] = "ABCDEFHJKMNPRSTUVWXY2345678";

void
ek_registry_handle_captcha (Request *req)
{
  g_autofree char *id = g_uuid_string_random ();
  char answer[6];
  guint8 rnd[5];
  g_autoptr(GBytes) png = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *image = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 expires = ek_registry_now () + req->self->config.captcha_ttl;

  if (!g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!ek_registry_rate_allow (req, "captcha"))
    return;

  ek_registry_db_exec (req->self->db, NULL, "DELETE FROM captchas WHERE expires_at < ?", "i", ek_registry_now () - 3600);
  gnutls_rnd (GNUTLS_RND_NONCE, rnd, sizeof rnd);
  for (guint i = 0; i < 5; i++)
    answer[i] = captcha_alphabet[rnd[i] % (sizeof captcha_alphabet - 1)];
  answer[5] = '\0';
  if (!ek_registry_db_exec (req->self->db, &error,
                            "INSERT INTO captchas (id, answer, expires_at) VALUES (?, ?, ?)",
                            "ssi", id, answer, expires))
    return ek_registry_respond_db_error (req, error);

  png = ek_registry_captcha_png (answer);
  if (png == NULL)
    return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
  b64 = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  image = g_strconcat ("data:image/png;base64,", b64, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, image);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, expires);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  ek_registry_respond_json (req, 201, node);
}

/* Single use: the captcha is spent by any attempt, right or wrong. FALSE with @error set when
 * it could not be marked spent (busy database): then nothing else may happen either. */
static gboolean
consume_captcha (Request     *req,
                 const char  *id,
                 const char  *answer,
                 gboolean    *right,
                 GError     **error)
{
  sqlite3_stmt *stmt;

  *right = FALSE;
  if (id == NULL || answer == NULL)
    return TRUE;
  stmt = ek_registry_db_query (req->self->db,
                               "SELECT answer, expires_at, used FROM captchas WHERE id = ?", "s", id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    *right = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), answer) == 0 &&
             sqlite3_column_int64 (stmt, 1) > ek_registry_now () && sqlite3_column_int (stmt, 2) == 0;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return ek_registry_db_exec (req->self->db, error, "UPDATE captchas SET used = 1 WHERE id = ?", "s", id);
}

static JsonNode *
account_node (sqlite3_stmt *stmt)
{
  /* columns: id, login_name, licence_type, email, mobile, active, created_at, uscc, name, vouched */
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "login_name", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "licence_type", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (o, "email", (const char *) sqlite3_column_text (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    json_object_set_string_member (o, "mobile", (const char *) sqlite3_column_text (stmt, 4));
  json_object_set_boolean_member (o, "active", sqlite3_column_int (stmt, 5) != 0);
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 6));
  json_object_set_string_member (o, "uscc", (const char *) sqlite3_column_text (stmt, 7));
  json_object_set_string_member (o, "enterprise_name", (const char *) sqlite3_column_text (stmt, 8));
  json_object_set_boolean_member (o, "vouched", sqlite3_column_int (stmt, 9) != 0);
  return json_node_init_object (json_node_alloc (), o);
}

#define ACCOUNT_COLUMNS \
  "SELECT a.id, a.login_name, a.licence_type, a.email, a.mobile, a.active, a.created_at, " \
  "COALESCE(e.uscc, ''), e.name, a.vouched FROM accounts a JOIN enterprises e ON e.id = a.enterprise_id "

void
ek_registry_respond_account (Request    *req,
                             const char *account_id,
                             guint       status)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.id = ?", "s", account_id);
  g_autoptr(JsonNode) node = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    node = account_node (stmt);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (node == NULL)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  ek_registry_respond_json (req, status, node);
}

static gint64
find_or_create_enterprise (EkRegistryDb *db,
                           const char   *uscc,
                           const char   *code13,
                           const char   *name)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;

  stmt = uscc != NULL ?
         ek_registry_db_query (db, "SELECT id FROM enterprises WHERE uscc = ?", "s", uscc) :
         ek_registry_db_query (db, "SELECT id FROM enterprises WHERE code13 = ?", "s", code13);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (id != 0)
    return id;

  if (!ek_registry_db_exec (db, NULL, "INSERT INTO enterprises (uscc, code13, name, created_at) VALUES (?, ?, ?, ?)",
                            "sssi", uscc, code13, name != NULL ? name : "", ek_registry_now ()))
    return 0;
  return sqlite3_last_insert_rowid (ek_registry_db_handle (db));
}

void
ek_registry_handle_accounts (Request *req)
{
  static const FieldSpec specs[] = {
    { "uscc", FIELD_USCC, TRUE, NULL },
    { "enterprise_name", FIELD_TEXT, TRUE, NULL },
    { "login_name", FIELD_TEXT, TRUE, NULL },
    { "licence_type", FIELD_LICENCE_TYPE, TRUE, NULL },
    { "email", FIELD_EMAIL, TRUE, NULL },
    { "mobile", FIELD_MOBILE, FALSE, NULL },
    { "contact_name", FIELD_TEXT, FALSE, NULL },
    { NULL }
  };
  JsonArray *errors;
  g_autofree char *uscc = NULL;
  g_autofree char *id = NULL;
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;
  const char *login_name, *licence_type, *email;
  sqlite3_stmt *stmt;
  g_autoptr(JsonNode) node = NULL;
  gint64 enterprise_id;

  /* POST /accounts/activation, POST /accounts/activation-code */
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "activation"))
    return ek_registry_handle_activation (req);
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "activation-code"))
    return ek_registry_handle_activation_code (req);
  /* POST /accounts/{id}/vouch */
  if (req->n_seg == 3 && g_str_equal (req->seg[2], "vouch"))
    return ek_registry_handle_vouch (req, req->seg[1]);

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      JsonArray *list = json_array_new ();

      if (!ek_registry_require_session (req))
        return json_array_unref (list);
      /* The access model: a login the enterprise has not vouched for sees its own account only */
      stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.enterprise_id = ?1 AND (?2 OR a.id = ?3) "
                                   "ORDER BY a.created_at", "iis", req->enterprise_id, (gint64) req->enterprise_wide,
                                   req->account_id);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        json_array_add_element (list, account_node (stmt));
      if (stmt != NULL)
        sqlite3_reset (stmt);
      node = json_node_init_array (json_node_alloc (), list);
      json_array_unref (list);
      return ek_registry_respond_json (req, 200, node);
    }

  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    {
      if (!ek_registry_require_session (req))
        return;
      if (!ek_registry_account_visible (req, req->seg[1]))
        return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      stmt = ek_registry_db_query (req->self->db, ACCOUNT_COLUMNS "WHERE a.id = ? AND a.enterprise_id = ?",
                                   "si", req->seg[1], req->enterprise_id);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        node = account_node (stmt);
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (node == NULL)
        return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      return ek_registry_respond_json (req, 200, node);
    }

  if (req->n_seg != 1 || !g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, req->n_seg > 2 ? PROBLEM_NOT_FOUND : PROBLEM_METHOD_NOT_ALLOWED, NULL);

  /* POST /accounts: register */
  if (!ek_registry_parse_body (req))
    return;
  errors = json_array_new ();
  ek_registry_check_fields (req, req->body, specs, "", TRUE, errors);
  login_name = ek_registry_get_string (req->body, "login_name");
  licence_type = ek_registry_get_string (req->body, "licence_type");
  email = ek_registry_get_string (req->body, "email");
  if (login_name != NULL && ek_licence_type_is_known (licence_type))
    {
      EkCheck check = ek_login_name_check (login_name, licence_type);
      if (check.validity == EK_VALIDITY_INVALID)
        ek_registry_add_problem_error (req, errors, "login_name", check.problem);
    }
  if (!ek_registry_finish_validation (req, errors))
    return;

  uscc = ek_normalize_code (ek_registry_get_string (req->body, "uscc"));
  if (!ek_registry_db_begin (req->self->db, &error))
    return ek_registry_respond_db_error (req, error);
  enterprise_id = find_or_create_enterprise (req->self->db, uscc, NULL, ek_registry_get_string (req->body, "enterprise_name"));
  if (enterprise_id == 0)
    {
      g_set_error_literal (&error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_SQL, "No enterprise row");
      return ek_registry_respond_db_error (req, error);
    }
  stmt = ek_registry_db_query (req->self->db, "SELECT 1 FROM accounts WHERE enterprise_id = ? AND login_name = ?",
                               "is", enterprise_id, login_name);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonArray *taken = json_array_new ();

      /* The same answer whether the login is active or still waits for its code */
      sqlite3_reset (stmt);
      ek_registry_db_rollback (req->self->db);
      ek_registry_add_text_error (req, taken, "login_name", "taken",
                                  "This login name is already registered for your enterprise. An additional key needs a new login name.",
                                  "该登录名已被贵企业使用，增办电子钥匙需注册新的登录名。");
      return ek_registry_respond_problem (req, PROBLEM_LOGIN_NAME_TAKEN, taken);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  /* Nor may it be the login name on one of the enterprise's certificates (seed 001 §3:
   * "不与已经申领的证书用户名重名") */
  stmt = ek_registry_db_query (req->self->db, "SELECT 1 FROM certificate_logins WHERE enterprise_id = ? AND login_name = ?",
                               "is", enterprise_id, login_name);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonArray *taken = json_array_new ();

      sqlite3_reset (stmt);
      ek_registry_db_rollback (req->self->db);
      ek_registry_add_text_error (req, taken, "login_name", "taken-by-certificate",
                                  "This login name is on one of your enterprise's certificates. An additional key needs a new login name that differs from every one your enterprise holds.",
                                  "该登录名与贵企业已申领的证书用户名重名，增办电子钥匙请设定新的用户名，不与已经申领的证书用户名重名。");
      return ek_registry_respond_problem (req, PROBLEM_LOGIN_NAME_TAKEN, taken);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);

  id = g_uuid_string_random ();
  code = ek_registry_new_activation_code ();
  if (!ek_registry_db_exec (req->self->db, &error,
                            "INSERT INTO accounts (id, enterprise_id, login_name, licence_type, email, mobile, contact_name, "
                            "activation_code, activation_sent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            "sissssss" "ii", id, enterprise_id, login_name, licence_type, email,
                            ek_registry_get_string (req->body, "mobile"), ek_registry_get_string (req->body, "contact_name"), code,
                            ek_registry_now (), ek_registry_now ()))
    return ek_registry_respond_db_error (req, error);
  ek_registry_send_activation_code (req->self->db, email, login_name, code);
  /* The enterprise's other logins are told (the access model) */
  ek_registry_notify_new_login (req, enterprise_id, id, login_name);
  if (!ek_registry_db_commit (req->self->db, &error))
    return ek_registry_respond_db_error (req, error);

  {
    g_autofree char *location = g_strconcat (API_PREFIX "/accounts/", id, NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
  }
  ek_registry_respond_account (req, id, 201);
}

static JsonNode *
session_node (const char *token,
              gint64      expires,
              const char *method,
              const char *login_name,
              gboolean    enterprise_wide)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "token", token);
  json_object_set_int_member (o, "expires_at", expires);
  json_object_set_string_member (o, "method", method);
  json_object_set_string_member (o, "login_name", login_name);
  /* The access model: what this session sees */
  json_object_set_string_member (o, "scope", enterprise_wide ? "enterprise" : "own-applications");
  return json_node_init_object (json_node_alloc (), o);
}

static void
create_session (Request    *req,
                gint64      enterprise_id,
                const char *account_id,
                const char *method,
                const char *login_name,
                const char *code13,
                gboolean    enterprise_wide,
                const char *certificate)
{
  g_autofree char *token = ek_registry_random_hex (32);
  g_autofree char *hash = ek_registry_sha256_hex (token, strlen (token));
  gint64 expires = ek_registry_now () + req->self->config.session_ttl;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  /* Housekeeping: may fail while the database is busy, the next log-in does it */
  ek_registry_db_exec (req->self->db, NULL, "DELETE FROM sessions WHERE expires_at <= ?", "i", ek_registry_now ());
  if (!ek_registry_db_exec (req->self->db, &error,
                            "INSERT INTO sessions (token_hash, enterprise_id, account_id, method, login_name, code13, expires_at, certificate) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "sisss" "sis",
                            hash, enterprise_id, account_id, method, login_name, code13, expires, certificate))
    return ek_registry_respond_db_error (req, error);
  node = session_node (token, expires, method, login_name, enterprise_wide);
  ek_registry_respond_json (req, 201, node);
}

gboolean
ek_registry_certificate_identity (gnutls_x509_crt_t   crt,
                      char              **uscc,
                      char              **code13,
                      char              **login_name)
{
  char buf[1024];
  size_t size;
  const char *oids[] = { GNUTLS_OID_X520_ORGANIZATION_NAME, GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME };

  for (guint o = 0; o < G_N_ELEMENTS (oids) && *uscc == NULL; o++)
    for (unsigned idx = 0; *uscc == NULL; idx++)
      {
        size = sizeof buf;
        if (gnutls_x509_crt_get_dn_by_oid (crt, oids[o], idx, 0, buf, &size) < 0)
          break;
        if (size >= 18 && (buf[18] == '\0' || buf[18] == '-'))
          {
            g_autofree char *candidate = g_strndup (buf, 18);
            if (ek_uscc_check (candidate).validity != EK_VALIDITY_INVALID)
              *uscc = g_steal_pointer (&candidate);
          }
      }

  size = sizeof buf;
  if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) >= 0)
    {
      const char *dash = strchr (buf, '-');

      if (dash != NULL && dash - buf == 13)
        {
          *code13 = g_strndup (buf, 13);
          *login_name = g_strdup (dash + 1);
        }
      else
        *login_name = g_strdup (buf);
    }
  return *login_name != NULL && (*uscc != NULL || *code13 != NULL);
}

static void
handle_key_login (Request *req)
{
  const char *challenge_id = ek_registry_get_string (req->body, "challenge_id");
  const char *cert_pem = ek_registry_get_string (req->body, "certificate");
  const char *sig_b64 = ek_registry_get_string (req->body, "signature");
  g_autofree guint8 *nonce = NULL;
  gsize nonce_len = 0;
  g_autofree guchar *sig = NULL;
  gsize sig_len = 0;
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t datum;
  Problem problem = PROBLEM_NONE;
  g_autofree char *uscc = NULL;
  g_autofree char *code13 = NULL;
  g_autofree char *login_name = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  gint64 enterprise_id;
  g_autoptr(GError) error = NULL;

  if (req->self->trust == NULL)
    return ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_UNAVAILABLE, NULL);
  if (challenge_id == NULL || cert_pem == NULL || sig_b64 == NULL)
    {
      JsonArray *errors = json_array_new ();
      if (challenge_id == NULL)
        ek_registry_add_problem_error (req, errors, "challenge_id", EK_FIELD_PROBLEM_REQUIRED);
      if (cert_pem == NULL)
        ek_registry_add_problem_error (req, errors, "certificate", EK_FIELD_PROBLEM_REQUIRED);
      if (sig_b64 == NULL)
        ek_registry_add_problem_error (req, errors, "signature", EK_FIELD_PROBLEM_REQUIRED);
      return ek_registry_respond_problem (req, PROBLEM_VALIDATION, errors);
    }

  /* The challenge is single use and short-lived */
  stmt = ek_registry_db_query (req->self->db, "SELECT nonce FROM challenges WHERE id = ? AND used = 0 AND expires_at > ?",
                               "si", challenge_id, ek_registry_now ());
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      nonce_len = (gsize) sqlite3_column_bytes (stmt, 0);
      nonce = g_memdup2 (sqlite3_column_blob (stmt, 0), nonce_len);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  /* Spent before it is checked; if it cannot be marked spent, nothing is checked */
  if (!ek_registry_db_exec (req->self->db, &error, "UPDATE challenges SET used = 1 WHERE id = ?", "s", challenge_id))
    return ek_registry_respond_db_error (req, error);
  if (nonce == NULL)
    return ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_FAILED, NULL);

  sig = g_base64_decode (sig_b64, &sig_len);
  datum.data = (unsigned char *) cert_pem;
  datum.size = (unsigned int) strlen (cert_pem);
  if (gnutls_x509_crt_init (&crt) >= 0 &&
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) >= 0 &&
      gnutls_pubkey_init (&pub) >= 0 &&
      gnutls_pubkey_import_x509 (pub, crt, 0) >= 0)
    {
      int pk = gnutls_pubkey_get_pk_algorithm (pub, NULL);
      gnutls_sign_algorithm_t algo = gnutls_pk_to_sign ((gnutls_pk_algorithm_t) pk, GNUTLS_DIG_SHA256);
      gnutls_datum_t data = { nonce, (unsigned int) nonce_len };
      gnutls_datum_t signature = { sig, (unsigned int) sig_len };

      ok = sig_len > 0 && gnutls_pubkey_verify_data2 (pub, algo, 0, &data, &signature) >= 0 &&
           ek_registry_certificate_identity (crt, &uscc, &code13, &login_name);
      /* The key is proven; now whether its certificate may log in, and if not, why */
      if (ok)
        problem = ek_registry_key_certificate_problem (req, crt);
    }
  if (pub != NULL)
    gnutls_pubkey_deinit (pub);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (!ok)
    return ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_FAILED, NULL);
  if (problem != PROBLEM_NONE)
    return ek_registry_respond_problem (req, problem, NULL);

  enterprise_id = find_or_create_enterprise (req->self->db, uscc, code13, NULL);
  /* The service now knows this certificate of the enterprise */
  if (enterprise_id > 0)
    ek_registry_db_exec (req->self->db, NULL,
                         "INSERT OR IGNORE INTO certificate_logins (enterprise_id, login_name, seen_at) VALUES (?, ?, ?)",
                         "isi", enterprise_id, login_name, ek_registry_now ());
  if (enterprise_id == 0)
    return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
  if (uscc != NULL && code13 != NULL)
    ek_registry_db_exec (req->self->db, NULL, "UPDATE enterprises SET code13 = ? WHERE id = ? AND code13 IS NULL",
                         "si", code13, enterprise_id);
  create_session (req, enterprise_id, NULL, "key", login_name, code13, TRUE, cert_pem);
}

void
ek_registry_handle_sessions (Request *req)
{
  static const char * const allowed[] = { "method", "uscc", "login_name", "captcha_id", "captcha_answer",
                                          "challenge_id", "certificate", "signature", NULL };
  JsonArray *errors;
  const char *method;
  g_autofree char *uscc = NULL;
  g_autofree char *account_id = NULL;
  sqlite3_stmt *stmt;
  gint64 enterprise_id = 0;
  gboolean active = FALSE, vouched = FALSE, captcha_right = FALSE;
  g_autoptr(GError) error = NULL;

  /* POST /sessions/challenges: a nonce for key log-in */
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "challenges"))
    {
      g_autofree char *id = g_uuid_string_random ();
      guint8 nonce[32];
      g_autofree char *b64 = NULL;
      JsonObject *o;
      g_autoptr(JsonNode) node = NULL;

      if (!g_str_equal (req->method, "POST"))
        return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      if (!ek_registry_rate_allow (req, "login"))
        return;
      ek_registry_db_exec (req->self->db, NULL, "DELETE FROM challenges WHERE expires_at < ?", "i", ek_registry_now () - 3600);
      gnutls_rnd (GNUTLS_RND_NONCE, nonce, sizeof nonce);
      if (!ek_registry_db_exec (req->self->db, &error, "INSERT INTO challenges (id, nonce, expires_at) VALUES (?, ?, ?)",
                                "sbi", id, nonce, sizeof nonce, ek_registry_now () + 120))
        return ek_registry_respond_db_error (req, error);
      b64 = g_base64_encode (nonce, sizeof nonce);
      o = json_object_new ();
      json_object_set_string_member (o, "id", id);
      json_object_set_string_member (o, "nonce", b64);
      json_object_set_int_member (o, "expires_at", ek_registry_now () + 120);
      node = json_node_init_object (json_node_alloc (), o);
      json_object_unref (o);
      return ek_registry_respond_json (req, 201, node);
    }

  /* DELETE /sessions/current: log out */
  if (req->n_seg == 2 && g_str_equal (req->seg[1], "current"))
    {
      if (!g_str_equal (req->method, "DELETE"))
        return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
      if (!ek_registry_require_session (req))
        return;
      if (!ek_registry_db_exec (req->self->db, &error, "DELETE FROM sessions WHERE token_hash = ?", "s", req->token_hash))
        return ek_registry_respond_db_error (req, error);
      soup_server_message_set_status (req->msg, 204, NULL);
      return;
    }

  if (req->n_seg != 1)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (!g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!ek_registry_rate_allow (req, "login"))
    return;
  if (!ek_registry_parse_body (req))
    return;
  errors = json_array_new ();
  if (!ek_registry_check_top_level (req, allowed, errors))
    {
      ek_registry_finish_validation (req, errors);
      return;
    }
  method = ek_registry_get_string (req->body, "method");
  if (g_strcmp0 (method, "key") == 0)
    {
      json_array_unref (errors);
      return handle_key_login (req);
    }
  if (g_strcmp0 (method, "code") != 0)
    ek_registry_add_text_error (req, errors, "method", "choice", "Choose \"code\" or \"key\".", "请选择 \"code\" 或 \"key\"。");
  if (ek_registry_get_string (req->body, "uscc") == NULL)
    ek_registry_add_problem_error (req, errors, "uscc", EK_FIELD_PROBLEM_REQUIRED);
  else if (ek_uscc_check (ek_registry_get_string (req->body, "uscc")).validity == EK_VALIDITY_INVALID)
    ek_registry_add_problem_error (req, errors, "uscc", ek_uscc_check (ek_registry_get_string (req->body, "uscc")).problem);
  if (ek_registry_get_string (req->body, "login_name") == NULL)
    ek_registry_add_problem_error (req, errors, "login_name", EK_FIELD_PROBLEM_REQUIRED);
  if (ek_registry_get_string (req->body, "captcha_id") == NULL || ek_registry_get_string (req->body, "captcha_answer") == NULL)
    ek_registry_add_problem_error (req, errors, "captcha_answer", EK_FIELD_PROBLEM_REQUIRED);
  if (!ek_registry_finish_validation (req, errors))
    return;

  if (!consume_captcha (req, ek_registry_get_string (req->body, "captcha_id"), ek_registry_get_string (req->body, "captcha_answer"),
                        &captcha_right, &error))
    return ek_registry_respond_db_error (req, error);
  if (!captcha_right)
    {
      JsonArray *captcha_errors = json_array_new ();
      ek_registry_add_text_error (req, captcha_errors, "captcha_answer", "captcha",
                                  "The verification code is wrong, expired or already used. Get a new one.",
                                  "验证码错误、已过期或已使用，请刷新验证码。");
      return ek_registry_respond_problem (req, PROBLEM_CAPTCHA, captcha_errors);
    }

  uscc = ek_normalize_code (ek_registry_get_string (req->body, "uscc"));
  stmt = ek_registry_db_query (req->self->db,
                               "SELECT a.id, a.enterprise_id, a.active, a.vouched FROM accounts a JOIN enterprises e ON e.id = a.enterprise_id "
                               "WHERE e.uscc = ? AND a.login_name = ?", "ss", uscc, ek_registry_get_string (req->body, "login_name"));
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      account_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      enterprise_id = sqlite3_column_int64 (stmt, 1);
      active = sqlite3_column_int (stmt, 2) != 0;
      vouched = sqlite3_column_int (stmt, 3) != 0;
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  /* Unknown and not yet activated are one answer: a login name's state is nobody's to probe */
  if (account_id == NULL || !active)
    return ek_registry_respond_problem (req, PROBLEM_LOGIN_FAILED, NULL);
  create_session (req, enterprise_id, account_id, "code", ek_registry_get_string (req->body, "login_name"), NULL, vouched, NULL);
}
