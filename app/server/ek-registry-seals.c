/* ek-registry-seals.c: the electronic seal (log-in with the key required)
 *
 * Seal requests: 申请 apply (no seal yet), 变更 change (name or seal form changed), 绑定 bind-user
 * (another key user joins the seal), 续绑 rebind (the renewed or replacing certificate takes the
 * binding of the one it renews: done at once, no letter, no review).
 *
 *   new ──letter──▶ letter-uploaded ──approve──▶ approved ──make──▶ seal-made
 *                        ▲     └──reject (remark)──▶ rejected ──letter──┘
 *
 * The 13-digit code typed must be the one in the certificate the clerk logged in with; the
 * certificate's subject goes into the request from the session, never from the body. Making the
 * seal has its round red image drawn from the enterprise name (PNG, by the ekey-seal-image helper:
 * the service links no cairo) and stored with the seal; a change
 * makes the old seal 注销 (revoked) and carries its bindings to the new one.
 */
#include "config.h"

#include <stdio.h>

#include "ek-registry-server-private.h"

static const char * const seal_kinds[] = { "apply", "change", "bind-user", "rebind", NULL };
static const char * const id_types[] = { "resident-id", "officer-id", "soldier-id", "passport", "other", NULL };

static const FieldSpec form_specs[] = {
  { "kind", FIELD_CHOICE, TRUE, seal_kinds },
  { "code13", FIELD_CODE13, TRUE, NULL },
  { "enterprise_name", FIELD_TEXT, TRUE, NULL },
  { "legal_representative", FIELD_TEXT, TRUE, NULL },
  { "legal_representative_id_type", FIELD_ID_TYPE, TRUE, id_types },
  { "legal_representative_id_number", FIELD_RESIDENT_ID, TRUE, NULL },
  { "applicant_name", FIELD_TEXT, TRUE, NULL },
  { "address", FIELD_TEXT, TRUE, NULL },
  { "mobile", FIELD_MOBILE, TRUE, NULL },
  { "landline", FIELD_LANDLINE, TRUE, NULL },
  { "email", FIELD_EMAIL, TRUE, NULL },
  { "postcode", FIELD_POSTCODE, TRUE, NULL },
  { NULL }
};

/* ---- Nodes ---- */

#define SEAL_REQUEST_COLUMNS \
  "SELECT id, kind, seal_name, login_name, state, letter_sha256, letter_size, created_at, updated_at, form, " \
  "certificate_subject, remark, seal_id FROM seal_requests "

static JsonNode *
seal_request_node (sqlite3_stmt *stmt)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "kind", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "enterprise_name", (const char *) sqlite3_column_text (stmt, 2));
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
  if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
    json_object_set_member (o, "form", ek_registry_parse_json_text ((const char *) sqlite3_column_text (stmt, 9)));
  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    json_object_set_string_member (o, "certificate_subject", (const char *) sqlite3_column_text (stmt, 10));
  if (sqlite3_column_type (stmt, 11) != SQLITE_NULL)
    json_object_set_string_member (o, "remark", (const char *) sqlite3_column_text (stmt, 11));
  if (sqlite3_column_type (stmt, 12) != SQLITE_NULL)
    json_object_set_string_member (o, "seal_id", (const char *) sqlite3_column_text (stmt, 12));
  return json_node_init_object (json_node_alloc (), o);
}

#define SEAL_COLUMNS \
  "SELECT id, name, state, created_at, revoked_at, " \
  "(SELECT json_group_array(json_object('login_name', login_name, 'certificate_subject', subject, 'bound_at', bound_at)) " \
  "   FROM seal_bindings WHERE seal_id = seals.id), image IS NOT NULL FROM seals "

static JsonNode *
seal_node (sqlite3_stmt *stmt)
{
  JsonObject *o = json_object_new ();
  JsonArray *users = json_array_new ();
  JsonNode *bindings = ek_registry_parse_json_text ((const char *) sqlite3_column_text (stmt, 5));

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "name", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "state", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_int_member (o, "created_at", sqlite3_column_int64 (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    json_object_set_int_member (o, "revoked_at", sqlite3_column_int64 (stmt, 4));
  if (bindings != NULL && JSON_NODE_HOLDS_ARRAY (bindings))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (bindings)); i++)
      json_array_add_string_element (users, json_object_get_string_member (
                                       json_array_get_object_element (json_node_get_array (bindings), i), "login_name"));
  json_object_set_array_member (o, "users", users);
  if (bindings != NULL)
    json_object_set_member (o, "bindings", bindings);
  if (sqlite3_column_int (stmt, 6))
    {
      g_autofree char *url = g_strconcat (API_PREFIX "/seals/", (const char *) sqlite3_column_text (stmt, 0), "/image", NULL);
      json_object_set_string_member (o, "image_url", url);
    }
  return json_node_init_object (json_node_alloc (), o);
}

/* ---- The key session's certificate ---- */

typedef struct
{
  char *sha256;
  char *subject;
} SessionCertificate;

static void
session_certificate_clear (SessionCertificate *c)
{
  g_clear_pointer (&c->sha256, g_free);
  g_clear_pointer (&c->subject, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SessionCertificate, session_certificate_clear)

static gboolean
session_certificate (Request            *req,
                     SessionCertificate *out)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db, "SELECT certificate FROM sessions WHERE token_hash = ?",
                                             "s", req->token_hash);
  g_autofree char *pem = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t dn = { NULL, 0 };

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    pem = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (pem == NULL || gnutls_x509_crt_init (&crt) < 0)
    return FALSE;
  {
    gnutls_datum_t datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };
    if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) < 0 || gnutls_x509_crt_get_dn3 (crt, &dn, 0) < 0)
      {
        gnutls_x509_crt_deinit (crt);
        return FALSE;
      }
  }
  out->sha256 = ek_registry_certificate_sha256 (crt);
  out->subject = g_strndup ((const char *) dn.data, dn.size);
  gnutls_free (dn.data);
  gnutls_x509_crt_deinit (crt);
  return out->sha256 != NULL;
}

/* One text column of the first row of a query just bound, or NULL */
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

/* ---- The seal image ---- */

/* $EKEY_SEAL_IMAGE (tests, a build tree), the installed helper, or one next to this program */
static char *
find_seal_image_helper (void)
{
  const char *env = g_getenv ("EKEY_SEAL_IMAGE");
  g_autofree char *self = NULL, *dir = NULL, *sibling = NULL;
  char *installed = g_build_filename (LIBEXECDIR, "ekey-seal-image", NULL);

  if (env != NULL && env[0] != '\0')
    return (g_free (installed), g_strdup (env));
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return installed;
  self = g_file_read_link ("/proc/self/exe", NULL);
  dir = self != NULL ? g_path_get_dirname (self) : NULL;
  sibling = dir != NULL ? g_build_filename (dir, "ekey-seal-image", NULL) : NULL;
  if (sibling != NULL && g_file_test (sibling, G_FILE_TEST_IS_EXECUTABLE))
    return (g_free (installed), g_steal_pointer (&sibling));
  return installed;
}

/* The round red seal image of @name, a PNG drawn by the helper (the service links no cairo) */
GBytes *
ek_registry_render_seal_image (const char  *name,
                               GError     **error)
{
  g_autofree char *helper = find_seal_image_helper ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL, err = NULL;
  static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error,
                              helper, name, NULL);
  if (process == NULL || !g_subprocess_communicate (process, NULL, NULL, &out, &err, error))
    return NULL;
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0 ||
      g_bytes_get_size (out) < sizeof png_signature ||
      memcmp (g_bytes_get_data (out, NULL), png_signature, sizeof png_signature) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s drew no image: %.*s", helper,
                   (int) MIN (g_bytes_get_size (err), 500), (const char *) g_bytes_get_data (err, NULL));
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- Requests ---- */

static char *
normal_seal (EkRegistryDb *db,
             gint64        enterprise_id)
{
  return first_text (ek_registry_db_query (db, "SELECT id FROM seals WHERE enterprise_id = ? AND state = 'normal' ORDER BY created_at DESC LIMIT 1",
                     "i", enterprise_id));
}

/* What refuses a new request of this kind for this enterprise and certificate, or PROBLEM_NONE */
static Problem
seal_request_problem (Request                  *req,
                      const char               *kind,
                      const SessionCertificate *cert,
                      const char               *seal_id,
                      char                    **renewed_binding)
{
  g_autofree char *open = NULL, *bound = NULL;

  if (g_str_equal (kind, "apply") || g_str_equal (kind, "change"))
    open = first_text (ek_registry_db_query (req->self->db, "SELECT id FROM seal_requests WHERE enterprise_id = ? AND kind IN ('apply', 'change') "
                                      "AND state IN ('new', 'letter-uploaded', 'rejected', 'approved')", "i", req->enterprise_id));
  else if (g_str_equal (kind, "bind-user"))
    open = first_text (ek_registry_db_query (req->self->db, "SELECT id FROM seal_requests WHERE enterprise_id = ? AND kind = 'bind-user' "
                                      "AND certificate_sha256 = ? AND state IN ('new', 'letter-uploaded', 'rejected', 'approved')",
                       "is", req->enterprise_id, cert->sha256));
  if (open != NULL)
    return PROBLEM_REQUEST_OPEN;

  if (g_str_equal (kind, "apply"))
    return seal_id != NULL ? PROBLEM_SEAL_EXISTS : PROBLEM_NONE;
  if (seal_id == NULL)
    return PROBLEM_NO_SEAL;
  if (g_str_equal (kind, "change"))
    return PROBLEM_NONE;

  bound = first_text (ek_registry_db_query (req->self->db, "SELECT login_name FROM seal_bindings WHERE seal_id = ? AND certificate_sha256 = ?",
                      "ss", seal_id, cert->sha256));
  if (bound != NULL)
    return PROBLEM_ALREADY_BOUND;
  if (g_str_equal (kind, "bind-user"))
    return PROBLEM_NONE;

  /* rebind: the certificate logged in with renews (or replaces) one bound to the seal */
  *renewed_binding = first_text (ek_registry_db_query (req->self->db,
                                 "SELECT b.certificate_sha256 FROM seal_bindings b JOIN certificates c ON c.renews = b.certificate_sha256 "
                                 "WHERE b.seal_id = ? AND c.sha256 = ? AND c.enterprise_id = ?",
                                 "ssi", seal_id, cert->sha256, req->enterprise_id));
  return *renewed_binding != NULL ? PROBLEM_NONE : PROBLEM_NOTHING_TO_REBIND;
}

static void
create_seal_request (Request *req)
{
  g_autoptr(GError) error = NULL;
  static const char * const allowed[] = { "kind", "code13", "enterprise_name", "legal_representative",
                                          "legal_representative_id_type", "legal_representative_id_number",
                                          "applicant_name", "address", "mobile", "landline", "email", "postcode", NULL };
  g_auto(SessionCertificate) cert = { 0 };
  g_autofree char *id = NULL, *seal_id = NULL, *renewed = NULL, *form_text = NULL;
  g_autoptr(JsonNode) node = NULL;
  Idempotency idem = { 0 };
  JsonArray *errors;
  const char *code13, *kind;
  Problem problem;
  gint64 now = ek_registry_now ();

  if (!ek_registry_parse_body (req))
    return;
  errors = json_array_new ();
  ek_registry_check_top_level (req, allowed, errors);
  ek_registry_check_fields (req, req->body, form_specs, "", TRUE, errors);
  /* The 13-digit code typed must match the certificate used to log in (seed 003) */
  code13 = ek_registry_get_string (req->body, "code13");
  if (code13 != NULL && ek_registry_is_code13 (code13) && g_strcmp0 (code13, req->code13) != 0)
    ek_registry_add_text_error (req, errors, "code13", "certificate-mismatch",
                                "This code does not match the certificate of the key you logged in with.",
                                "该代码与登录所用电子钥匙证书中的企业代码不一致。");
  if (!ek_registry_finish_validation (req, errors))
    return;
  if (!session_certificate (req, &cert))
    return ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);

  ek_registry_idempotency_begin (req, &idem);
  if (idem.done)
    return ek_registry_idempotency_clear (&idem);

  kind = ek_registry_get_string (req->body, "kind");
  seal_id = normal_seal (req->self->db, req->enterprise_id);
  problem = seal_request_problem (req, kind, &cert, seal_id, &renewed);
  if (problem != PROBLEM_NONE)
    {
      ek_registry_idempotency_clear (&idem);
      return ek_registry_respond_problem (req, problem, NULL);
    }

  {
    /* the form as typed, without the kind (a new object: the body's members are shared) */
    JsonObject *form = json_object_new ();
    g_autoptr(JsonNode) form_node = NULL;

    for (const char * const *name = allowed; *name != NULL; name++)
      if (!g_str_equal (*name, "kind") && json_object_has_member (req->body, *name))
        json_object_set_member (form, *name, json_node_copy (json_object_get_member (req->body, *name)));
    form_node = json_node_init_object (json_node_alloc (), form);
    json_object_unref (form);
    form_text = json_to_string (form_node, FALSE);
  }
  id = g_uuid_string_random ();
  if (!ek_registry_db_begin (req->self->db, &error) ||
      !ek_registry_db_exec (req->self->db, &error,
                            "INSERT INTO seal_requests (id, enterprise_id, kind, seal_name, login_name, state, created_at, "
                            "updated_at, form, certificate_sha256, certificate_subject, seal_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            "sissssiissss", id, req->enterprise_id, kind, ek_registry_get_string (req->body, "enterprise_name"),
                            req->login_name, renewed != NULL ? "approved" : "new", now, now, form_text, cert.sha256,
                            cert.subject, renewed != NULL ? seal_id : NULL) ||
      /* 续绑 is done at once: the renewed certificate takes the binding of the one it renews */
      (renewed != NULL &&
       !ek_registry_db_exec (req->self->db, &error,
                             "UPDATE seal_bindings SET certificate_sha256 = ?, subject = ?, login_name = ?, bound_at = ? "
                             "WHERE seal_id = ? AND certificate_sha256 = ?", "sssiss",
                             cert.sha256, cert.subject, req->login_name, now, seal_id, renewed)) ||
      (node = ek_registry_select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", id,
                                      req->enterprise_id, seal_request_node)) == NULL ||
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
upload_letter (Request  *req,
               JsonNode *node)
{
  g_autoptr(GError) error = NULL;
  const char *state = json_object_get_string_member (json_node_get_object (node), "state");
  StoredFile stored = { 0 };
  g_autofree char *old_file = NULL;
  g_autoptr(JsonNode) updated = NULL;

  /* A new request takes its letter; a rejected one a corrected letter; until review, a better scan */
  if (!g_str_equal (state, "new") && !g_str_equal (state, "letter-uploaded") && !g_str_equal (state, "rejected"))
    return ek_registry_respond_problem (req, PROBLEM_NOT_EDITABLE, NULL);
  if (!ek_registry_accept_upload (req, &stored))
    return;
  old_file = first_text (ek_registry_db_query (req->self->db, "SELECT letter_file FROM seal_requests WHERE id = ?", "s", req->seg[1]));
  if (!ek_registry_db_exec (req->self->db, &error,
                            "UPDATE seal_requests SET letter_file = ?, letter_sha256 = ?, letter_size = ?, state = 'letter-uploaded', "
                            "remark = NULL, updated_at = ? WHERE id = ?", "ssiis", stored.file, stored.sha256,
                            (gint64) stored.size, ek_registry_now (), req->seg[1]))
    {
      ek_registry_discard_file (req->self, stored.file);
      ek_registry_stored_file_clear (&stored);
      return ek_registry_respond_db_error (req, error);
    }
  ek_registry_discard_file (req->self, old_file);
  ek_registry_stored_file_clear (&stored);
  updated = ek_registry_select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                                    req->enterprise_id, seal_request_node);
  ek_registry_respond_json (req, 200, updated);
}

void
ek_registry_handle_seal_requests (Request *req)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!ek_registry_require_key_session (req))
    return;

  if (req->n_seg == 1 && g_str_equal (req->method, "GET"))
    {
      node = ek_registry_select_all (req->self->db, SEAL_REQUEST_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at DESC, rowid DESC",
                                     req->enterprise_id, seal_request_node);
      return ek_registry_respond_json (req, 200, node);
    }
  if (req->n_seg == 1 && g_str_equal (req->method, "POST"))
    return create_seal_request (req);
  if (req->n_seg == 1)
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);

  node = ek_registry_select_one (req->self->db, SEAL_REQUEST_COLUMNS "WHERE id = ? AND enterprise_id = ?", req->seg[1],
                                 req->enterprise_id, seal_request_node);
  if (node == NULL || req->n_seg > 3 || (req->n_seg == 3 && !g_str_equal (req->seg[2], "letter")))
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  if (req->n_seg == 2 && g_str_equal (req->method, "GET"))
    return ek_registry_respond_json (req, 200, node);
  if (req->n_seg == 3 && g_str_equal (req->method, "PUT"))
    return upload_letter (req, node);
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
    node = ek_registry_select_all (req->self->db, SEAL_COLUMNS "WHERE enterprise_id = ? ORDER BY created_at DESC, rowid DESC",
                                   req->enterprise_id, seal_node);
  else if (req->n_seg == 2)
    node = ek_registry_select_one (req->self->db, SEAL_COLUMNS "WHERE id = ? AND enterprise_id = ?",
                                   req->seg[1], req->enterprise_id, seal_node);
  else if (req->n_seg == 3 && g_str_equal (req->seg[2], "image"))
    {
      sqlite3_stmt *stmt = ek_registry_db_query (req->self->db, "SELECT image FROM seals WHERE id = ? AND enterprise_id = ? "
                                                                "AND image IS NOT NULL", "si", req->seg[1], req->enterprise_id);

      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        {
          soup_server_message_set_status (req->msg, 200, NULL);
          soup_server_message_set_response (req->msg, "image/png", SOUP_MEMORY_COPY, sqlite3_column_blob (stmt, 0),
                                            (gsize) sqlite3_column_bytes (stmt, 0));
          sqlite3_reset (stmt);
          return;
        }
      if (stmt != NULL)
        sqlite3_reset (stmt);
    }
  if (node == NULL)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  ek_registry_respond_json (req, 200, node);
}

/* ---- The reviewer's commands (ekey-registry review approve-seal | reject-seal | make-seal) ---- */

static gboolean
make_seal (EkRegistryDb *db,
           const char   *id,
           gint64        enterprise_id,
           const char   *kind,
           const char   *name,
           const char   *login,
           const char   *cert_sha256,
           const char   *subject,
           gint64        now)
{
  g_autofree char *old_seal = normal_seal (db, enterprise_id);
  g_autofree char *seal_id = NULL;

  if (g_str_equal (kind, "bind-user"))
    {
      if (old_seal == NULL)
        {
          g_printerr ("ekey-registry: the enterprise has no seal in use; a bind-user request needs one\n");
          return FALSE;
        }
      ek_registry_db_exec (db, NULL, "INSERT OR REPLACE INTO seal_bindings (seal_id, certificate_sha256, login_name, subject, "
                                     "bound_at) VALUES (?, ?, ?, ?, ?)", "ssssi", old_seal, cert_sha256, login, subject, now);
      ek_registry_db_exec (db, NULL, "UPDATE seal_requests SET seal_id = ? WHERE id = ?", "ss", old_seal, id);
      return TRUE;
    }
  if (g_str_equal (kind, "change") && old_seal == NULL)
    {
      g_printerr ("ekey-registry: the enterprise has no seal in use; a change needs one\n");
      return FALSE;
    }
  if (g_str_equal (kind, "apply") && old_seal != NULL)
    {
      g_printerr ("ekey-registry: the enterprise already has a seal in use\n");
      return FALSE;
    }

  seal_id = g_uuid_string_random ();
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) image = ek_registry_render_seal_image (name, &error);
    gsize len;
    const void *data;

    if (image == NULL)
      {
        g_printerr ("ekey-registry: the seal image: %s\n", error->message);
        return FALSE;
      }
    data = g_bytes_get_data (image, &len);

    ek_registry_db_exec (db, NULL, "INSERT INTO seals (id, enterprise_id, name, state, users, created_at, image, request_id) "
                                   "VALUES (?, ?, ?, 'normal', '[]', ?, ?, ?)", "sisibs",
                         seal_id, enterprise_id, name, now, data, len, id);
  }
  if (old_seal != NULL)
    {
      /* 变更: the old seal is 注销, its users are bound to the new one */
      ek_registry_db_exec (db, NULL, "UPDATE seals SET state = 'revoked', revoked_at = ? WHERE id = ?", "is", now, old_seal);
      ek_registry_db_exec (db, NULL, "INSERT INTO seal_bindings (seal_id, certificate_sha256, login_name, subject, bound_at) "
                                     "SELECT ?, certificate_sha256, login_name, subject, ? FROM seal_bindings WHERE seal_id = ?",
                           "sis", seal_id, now, old_seal);
    }
  ek_registry_db_exec (db, NULL, "INSERT OR REPLACE INTO seal_bindings (seal_id, certificate_sha256, login_name, subject, bound_at) "
                                 "VALUES (?, ?, ?, ?, ?)", "ssssi", seal_id, cert_sha256, login, subject, now);
  ek_registry_db_exec (db, NULL, "UPDATE seal_requests SET seal_id = ? WHERE id = ?", "ss", seal_id, id);
  return TRUE;
}

int
ek_registry_review_seal (EkRegistryDb *db,
                         const char   *command,
                         const char   *id,
                         const char   *remark)
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, "SELECT enterprise_id, kind, seal_name, login_name, state, "
                                                 "certificate_sha256, certificate_subject FROM seal_requests WHERE id = ?", "s", id);
  gint64 enterprise_id = 0, now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *kind = NULL, *name = NULL, *login = NULL, *state = NULL, *cert = NULL, *subject = NULL;
  const char *from, *to;
  g_autoptr(GError) error = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      enterprise_id = sqlite3_column_int64 (stmt, 0);
      kind = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      login = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      state = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      cert = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      subject = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (state == NULL)
    {
      g_printerr ("ekey-registry: no seal request %s\n", id);
      return 1;
    }
  if (g_str_equal (command, "make-seal"))
    from = "approved", to = "seal-made";
  else if (g_str_equal (command, "approve-seal"))
    from = "letter-uploaded", to = "approved";
  else
    from = "letter-uploaded", to = "rejected";
  if (g_str_equal (command, "reject-seal") && (remark == NULL || *remark == '\0'))
    {
      g_printerr ("ekey-registry: say why with --remark; the clerk reads it\n");
      return 2;
    }
  if (!g_str_equal (state, from) || (g_str_equal (kind, "rebind")))
    {
      g_printerr ("ekey-registry: seal request %s is %s; %s needs a %s request%s\n", id, state, command, from,
                  g_str_equal (from, "letter-uploaded") ? " (its confirmation letter uploaded)" : "");
      return 1;
    }

  ek_registry_db_begin (db, NULL);
  ek_registry_db_exec (db, NULL, "UPDATE seal_requests SET state = ?, remark = ?, updated_at = ? WHERE id = ?", "ssis",
                       to, remark, now, id);
  if (g_str_equal (command, "make-seal") &&
      !make_seal (db, id, enterprise_id, kind, name, login, cert, subject, now))
    {
      ek_registry_db_rollback (db);
      return 1;
    }
  if (!ek_registry_db_commit (db, &error))
    {
      g_printerr ("ekey-registry: %s\n", error->message);
      return 1;
    }
  printf ("%s %s\n", id, to);
  return 0;
}
