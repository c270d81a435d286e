/* ek-registry-renewals.c: renewal with the key
 *
 * - the issuing CA (--issuing-ca, --issuing-key): its certificate is trusted for key log-in too;
 * - what a key log-in certificate must be: chains to a trusted CA, not revoked, not expired beyond
 *   the grace the service allows (--renewal-grace-days), each refused with its own problem type;
 * - "can this key be renewed online": the service decides from its records (the certificate is one
 *   it issued or recorded, close enough to expiry, not already renewed, the service issues);
 * - the one certificate issued for an approved renewal, from the client's PKCS#10 request: the
 *   subject is the service's (CN=<13-digit code>-<login name>, O=<18-digit code> whenever it knows
 *   the code), issued once, and asked again it is the same certificate;
 * - the operator's `certificates` command (record a certificate issued before, revoke, list).
 */
#include "config.h"

#include "ek-registry-server-private.h"

#define RENEWAL "renewal"
#define APPROVED "re-review-passed"
#define ISSUED "certificate-issued"

gboolean
ek_registry_renewals_setup (EkRegistryServer        *self,
                            const EkRegistryConfig  *config,
                            GError                 **error)
{
  g_autofree char *ca_pem = NULL, *key_pem = NULL;
  gsize ca_len = 0, key_len = 0;
  gnutls_datum_t datum;

  if (config->issuing_ca == NULL && config->issuing_key == NULL)
    return TRUE;
  if (config->issuing_ca == NULL || config->issuing_key == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "--issuing-ca and --issuing-key go together");
      return FALSE;
    }
  if (!g_file_get_contents (config->issuing_ca, &ca_pem, &ca_len, error) ||
      !g_file_get_contents (config->issuing_key, &key_pem, &key_len, error))
    return FALSE;

  datum.data = (unsigned char *) ca_pem;
  datum.size = (unsigned int) ca_len;
  if (gnutls_x509_crt_init (&self->issuing_ca) < 0 ||
      gnutls_x509_crt_import (self->issuing_ca, &datum, GNUTLS_X509_FMT_PEM) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "No CA certificate could be read from %s",
                   config->issuing_ca);
      return FALSE;
    }
  datum.data = (unsigned char *) key_pem;
  datum.size = (unsigned int) key_len;
  if (gnutls_privkey_init (&self->issuing_key) < 0 ||
      gnutls_privkey_import_x509_raw (self->issuing_key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
    {
      gnutls_memset (key_pem, 0, key_len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "No private key could be read from %s",
                   config->issuing_key);
      return FALSE;
    }
  gnutls_memset (key_pem, 0, key_len);

  /* The key must be the CA's: sign a nonce and check it with the certificate */
  {
    guint8 nonce[32];
    gnutls_datum_t data = { nonce, sizeof nonce }, sig = { NULL, 0 };
    gnutls_pubkey_t pub = NULL;
    int pk = gnutls_privkey_get_pk_algorithm (self->issuing_key, NULL);
    gboolean match;

    gnutls_rnd (GNUTLS_RND_NONCE, nonce, sizeof nonce);
    match = gnutls_privkey_sign_data (self->issuing_key, GNUTLS_DIG_SHA256, 0, &data, &sig) >= 0 &&
            gnutls_pubkey_init (&pub) >= 0 && gnutls_pubkey_import_x509 (pub, self->issuing_ca, 0) >= 0 &&
            gnutls_pubkey_verify_data2 (pub, gnutls_pk_to_sign ((gnutls_pk_algorithm_t) pk, GNUTLS_DIG_SHA256),
                                        0, &data, &sig) >= 0;
    gnutls_free (sig.data);
    if (pub != NULL)
      gnutls_pubkey_deinit (pub);
    if (!match)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not the private key of %s",
                     config->issuing_key, config->issuing_ca);
        return FALSE;
      }
  }

  self->issuing_ca_pem = g_strndup (ca_pem, ca_len);
  /* What it issues logs in with the key */
  if (self->trust == NULL)
    gnutls_x509_trust_list_init (&self->trust, 0);
  {
    gnutls_x509_crt_t copy;

    datum.data = (unsigned char *) ca_pem;
    datum.size = (unsigned int) ca_len;
    gnutls_x509_crt_init (&copy);
    gnutls_x509_crt_import (copy, &datum, GNUTLS_X509_FMT_PEM);
    gnutls_x509_trust_list_add_cas (self->trust, &copy, 1, 0);
  }
  return TRUE;
}

void
ek_registry_renewals_clear (EkRegistryServer *self)
{
  if (self->issuing_ca != NULL)
    gnutls_x509_crt_deinit (self->issuing_ca);
  if (self->issuing_key != NULL)
    gnutls_privkey_deinit (self->issuing_key);
  self->issuing_ca = NULL;
  self->issuing_key = NULL;
  g_clear_pointer (&self->issuing_ca_pem, g_free);
}

/* ---- Certificates: fingerprints, serials, identities ---- */

static char *
hex_string (const guint8 *data,
            gsize         size)
{
  GString *hex = g_string_sized_new (size * 2);

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

char *
ek_registry_certificate_sha256 (gnutls_x509_crt_t crt)
{
  guint8 digest[32];
  size_t size = sizeof digest;

  if (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, digest, &size) < 0)
    return NULL;
  return hex_string (digest, size);
}

static char *
certificate_serial (gnutls_x509_crt_t crt)
{
  guint8 serial[64];
  size_t size = sizeof serial;

  if (gnutls_x509_crt_get_serial (crt, serial, &size) < 0)
    return NULL;
  return hex_string (serial, size);
}

static gnutls_x509_crt_t
certificate_from_pem (const char *pem)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum = { (unsigned char *) pem, pem != NULL ? (unsigned int) strlen (pem) : 0 };

  if (pem == NULL || gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) < 0)
    {
      gnutls_x509_crt_deinit (crt);
      return NULL;
    }
  return crt;
}

static gboolean
serial_is_revoked (EkRegistryDb *db,
                   const char   *serial)
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, "SELECT 1 FROM revocations WHERE serial = ?", "s", serial);
  gboolean revoked = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  if (stmt != NULL)
    sqlite3_reset (stmt);
  return revoked;
}

/* What a certificate must be to log in with it; PROBLEM_NONE when it may */
Problem
ek_registry_key_certificate_problem (Request           *req,
                                     gnutls_x509_crt_t  crt)
{
  unsigned int verify = 0;
  g_autofree char *serial = NULL;
  time_t expires;

  if (gnutls_x509_trust_list_verify_crt2 (req->self->trust, &crt, 1, NULL, 0,
                                          GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
                                          &verify, NULL) < 0 || verify != 0)
    return PROBLEM_CERTIFICATE_NOT_ISSUED;
  serial = certificate_serial (crt);
  if (serial == NULL || serial_is_revoked (req->self->db, serial))
    return PROBLEM_CERTIFICATE_REVOKED;
  expires = gnutls_x509_crt_get_expiration_time (crt);
  if (expires == (time_t) -1 ||
      (gint64) expires + (gint64) req->self->config.renewal_grace_days * 86400 < ek_registry_now ())
    return PROBLEM_CERTIFICATE_EXPIRED;
  if ((gint64) gnutls_x509_crt_get_activation_time (crt) > ek_registry_now () + 300)
    return PROBLEM_CERTIFICATE_NOT_ISSUED;
  return PROBLEM_NONE;
}

/* The certificate this key session logged in with, or NULL for a code session */
static gnutls_x509_crt_t
session_certificate (Request *req)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db, "SELECT certificate FROM sessions WHERE token_hash = ?",
                                             "s", req->token_hash);
  gnutls_x509_crt_t crt = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    crt = certificate_from_pem ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return crt;
}

/* ---- Which businesses need the key ---- */

/* A business whose catalogue entry needs the key is refused over a code session (answers itself) */
gboolean
ek_registry_business_allows_session (Request    *req,
                                     const char *business_type)
{
  EkBusinessType *type = ek_catalogue_lookup_business_type (req->self->catalogue, business_type);

  if (type != NULL && ek_business_type_get_key_required (type) && g_strcmp0 (req->auth_method, "key") != 0)
    {
      ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- Eligibility ---- */

typedef struct
{
  const char *reason;      /* eligible, unavailable, not-issued-by-service, revoked, too-early, expired, renewed */
  char       *sha256;
  char       *serial;
  gint64      not_after;
  gint64      enterprise_id;
  char       *open_application;
} Eligibility;

static void
eligibility_clear (Eligibility *e)
{
  g_clear_pointer (&e->sha256, g_free);
  g_clear_pointer (&e->serial, g_free);
  g_clear_pointer (&e->open_application, g_free);
}

static void
decide_eligibility (Request           *req,
                    gnutls_x509_crt_t  crt,
                    Eligibility       *e)
{
  sqlite3_stmt *stmt;
  gint64 now = ek_registry_now ();
  gint64 window = (gint64) req->self->config.renewal_window_days * 86400;
  gint64 grace = (gint64) req->self->config.renewal_grace_days * 86400;
  gboolean recorded = FALSE, renewed = FALSE;

  e->sha256 = ek_registry_certificate_sha256 (crt);
  e->serial = certificate_serial (crt);
  e->not_after = (gint64) gnutls_x509_crt_get_expiration_time (crt);

  stmt = ek_registry_db_query (req->self->db, "SELECT enterprise_id FROM certificates WHERE sha256 = ?", "s", e->sha256);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      recorded = TRUE;
      e->enterprise_id = sqlite3_column_int64 (stmt, 0);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  stmt = ek_registry_db_query (req->self->db, "SELECT 1 FROM certificates WHERE renews = ?", "s", e->sha256);
  renewed = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  stmt = ek_registry_db_query (req->self->db, "SELECT id FROM applications WHERE renews = ? AND enterprise_id = ? "
                                              "AND status != '" ISSUED "' ORDER BY created_at DESC LIMIT 1",
                               "si", e->sha256, req->enterprise_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    e->open_application = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  if (req->self->issuing_key == NULL)
    e->reason = "unavailable";
  else if (!recorded || e->enterprise_id != req->enterprise_id)
    e->reason = "not-issued-by-service";
  else if (e->serial == NULL || serial_is_revoked (req->self->db, e->serial))
    e->reason = "revoked";
  else if (renewed)
    e->reason = "renewed";
  else if (now < e->not_after - window)
    e->reason = "too-early";
  else if (now > e->not_after + grace)
    e->reason = "expired";
  else
    e->reason = "eligible";
}

static const struct
{
  const char *reason;
  const char *en;
  const char *zh_CN;
} eligibility_texts[] = {
  { "eligible", "This key can be renewed online.", "此电子钥匙可以在线更新。" },
  { "unavailable", "This service does not renew certificates online. Renew by courier or at the counter of your issuing authority.",
    "本服务不提供在线更新。请通过快递或前往发证机构柜台办理更新。" },
  { "not-issued-by-service", "The service has no record of issuing this certificate, so it cannot renew it online. Renew by courier or at the counter of your issuing authority.",
    "服务中没有签发此证书的记录，无法在线更新。请通过快递或前往发证机构柜台办理更新。" },
  { "revoked", "This certificate has been revoked. Apply for a reissue at your issuing authority.",
    "此证书已被吊销。请向发证机构申请补办。" },
  { "renewed", "This certificate has already been renewed. Insert the key again: the new certificate is the one to use.",
    "此证书已更新。请重新插入电子钥匙，使用新证书。" },
  { "too-early", "This certificate is not close enough to its expiry to be renewed yet.",
    "此证书距到期日尚远，暂不能更新。" },
  { "expired", "This certificate expired too long ago to be renewed online. Renew by courier or at the counter of your issuing authority.",
    "此证书过期时间过长，无法在线更新。请通过快递或前往发证机构柜台办理更新。" },
};

static const char *
eligibility_text (Request    *req,
                  const char *reason)
{
  for (guint i = 0; i < G_N_ELEMENTS (eligibility_texts); i++)
    if (g_str_equal (eligibility_texts[i].reason, reason))
      return g_str_equal (req->lang, "en") ? eligibility_texts[i].en : eligibility_texts[i].zh_CN;
  return reason;
}

/* The enterprise's 18-digit code and 13-digit code as the service knows them */
static void
enterprise_codes (Request  *req,
                  gint64    enterprise_id,
                  char    **uscc,
                  char    **code13,
                  char    **name)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db, "SELECT uscc, code13, name FROM enterprises WHERE id = ?",
                                             "i", enterprise_id);

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (uscc != NULL && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        *uscc = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (code13 != NULL && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        *code13 = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      if (name != NULL)
        *name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
}

static char *
subject_text (const char *code13,
              const char *login_name,
              const char *uscc)
{
  GString *s = g_string_new ("CN=");

  if (code13 != NULL)
    g_string_append_printf (s, "%s-", code13);
  g_string_append (s, login_name);
  if (uscc != NULL)
    g_string_append_printf (s, ",O=%s", uscc);
  g_string_append (s, ",C=CN");
  return g_string_free (s, FALSE);
}

static gboolean
certificate_has_organization (gnutls_x509_crt_t  crt,
                              const char        *value)
{
  char buf[256];

  for (unsigned idx = 0; ; idx++)
    {
      size_t size = sizeof buf;
      if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, idx, 0, buf, &size) < 0)
        return FALSE;
      if (g_str_equal (buf, value))
        return TRUE;
    }
}

void
ek_registry_handle_renewal_eligibility (Request *req)
{
  gnutls_x509_crt_t crt;
  Eligibility e = { 0 };
  JsonObject *o, *cert, *fields = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *uscc = NULL, *code13 = NULL, *name = NULL, *subject = NULL;
  sqlite3_stmt *stmt;

  if (!g_str_equal (req->method, "GET"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!ek_registry_require_key_session (req))
    return;
  crt = session_certificate (req);
  if (crt == NULL)
    return ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);

  decide_eligibility (req, crt, &e);
  enterprise_codes (req, req->enterprise_id, &uscc, &code13, &name);
  if (code13 == NULL && req->code13 != NULL)
    code13 = g_strdup (req->code13);

  o = json_object_new ();
  json_object_set_boolean_member (o, "eligible", g_str_equal (e.reason, "eligible"));
  json_object_set_string_member (o, "reason", e.reason);
  json_object_set_string_member (o, "detail", eligibility_text (req, e.reason));
  cert = json_object_new ();
  json_object_set_string_member (cert, "serial", e.serial != NULL ? e.serial : "");
  json_object_set_string_member (cert, "sha256", e.sha256 != NULL ? e.sha256 : "");
  json_object_set_int_member (cert, "not_after", e.not_after);
  json_object_set_object_member (o, "certificate", cert);
  json_object_set_int_member (o, "renewable_from", e.not_after - (gint64) req->self->config.renewal_window_days * 86400);
  json_object_set_int_member (o, "renewable_until", e.not_after + (gint64) req->self->config.renewal_grace_days * 86400);
  subject = subject_text (code13, req->login_name, uscc);
  json_object_set_string_member (o, "subject", subject);
  json_object_set_boolean_member (o, "adds_credit_code", uscc != NULL && !certificate_has_organization (crt, uscc));
  if (e.open_application != NULL)
    json_object_set_string_member (o, "application_id", e.open_application);

  /* The form pre-filled: the enterprise's last application, then what the service knows */
  stmt = ek_registry_db_query (req->self->db, "SELECT fields FROM applications WHERE enterprise_id = ? "
                                              "ORDER BY updated_at DESC, created_at DESC LIMIT 1", "i", req->enterprise_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) last = ek_registry_parse_json_text ((const char *) sqlite3_column_text (stmt, 0));
      if (last != NULL && JSON_NODE_HOLDS_OBJECT (last))
        fields = json_object_ref (json_node_get_object (last));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (fields == NULL)
    fields = json_object_new ();
  if (uscc != NULL)
    json_object_set_string_member (fields, "uscc", uscc);
  if (code13 != NULL)
    json_object_set_string_member (fields, "code13", code13);
  if (name != NULL && *name != '\0')
    json_object_set_string_member (fields, "enterprise_name", name);
  json_object_set_string_member (fields, "login_name", req->login_name);
  json_object_set_object_member (o, "fields", fields);

  node = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  gnutls_x509_crt_deinit (crt);
  eligibility_clear (&e);
  ek_registry_respond_json (req, 200, node);
}

/* A renewal is created only for an eligible key, and remembers which certificate it renews
 * (answers itself and returns FALSE when refused) */
gboolean
ek_registry_renewal_may_create (Request    *req,
                                const char *business_type)
{
  gnutls_x509_crt_t crt;
  Eligibility e = { 0 };
  gboolean ok;

  if (g_strcmp0 (business_type, RENEWAL) != 0)
    return TRUE;
  crt = session_certificate (req);
  if (crt == NULL)
    {
      ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);
      return FALSE;
    }
  decide_eligibility (req, crt, &e);
  ok = g_str_equal (e.reason, "eligible");
  if (!ok)
    {
      g_autoptr(JsonNode) problem = ek_registry_problem_node (req->msg, req->lang, PROBLEM_RENEWAL_NOT_ELIGIBLE,
                                                              eligibility_text (req, e.reason), NULL);
      ek_registry_set_json_response (req->msg, 409, "application/problem+json", problem);
    }
  gnutls_x509_crt_deinit (crt);
  eligibility_clear (&e);
  return ok;
}

void
ek_registry_renewal_bind (Request    *req,
                          const char *application_id,
                          const char *business_type)
{
  gnutls_x509_crt_t crt;
  g_autofree char *sha256 = NULL;

  if (g_strcmp0 (business_type, RENEWAL) != 0 || (crt = session_certificate (req)) == NULL)
    return;
  sha256 = ek_registry_certificate_sha256 (crt);
  gnutls_x509_crt_deinit (crt);
  ek_registry_db_exec (req->self->db, NULL, "UPDATE applications SET renews = ? WHERE id = ?", "ss", sha256, application_id);
}

/* ---- Issuing the certificate ---- */

static JsonNode *
issued_node (Request    *req,
             const char *application_id,
             const char *pem)
{
  gnutls_x509_crt_t crt = certificate_from_pem (pem);
  JsonObject *o = json_object_new ();
  JsonArray *chain = json_array_new ();
  gnutls_datum_t dn = { NULL, 0 };
  g_autofree char *serial = NULL;

  json_object_set_string_member (o, "application_id", application_id);
  json_object_set_string_member (o, "certificate", pem);
  if (req->self->issuing_ca_pem != NULL)
    json_array_add_string_element (chain, req->self->issuing_ca_pem);
  json_object_set_array_member (o, "chain", chain);
  if (crt != NULL)
    {
      serial = certificate_serial (crt);
      gnutls_x509_crt_get_dn3 (crt, &dn, 0);
      json_object_set_string_member (o, "serial", serial != NULL ? serial : "");
      json_object_set_string_member (o, "subject", dn.data != NULL ? (const char *) dn.data : "");
      json_object_set_int_member (o, "not_before", (gint64) gnutls_x509_crt_get_activation_time (crt));
      json_object_set_int_member (o, "not_after", (gint64) gnutls_x509_crt_get_expiration_time (crt));
      gnutls_free (dn.data);
      gnutls_x509_crt_deinit (crt);
    }
  return json_node_init_object (json_node_alloc (), o);
}

static char *
pubkey_id (gnutls_pubkey_t pub)
{
  guint8 id[32];
  size_t size = sizeof id;

  if (gnutls_pubkey_get_key_id (pub, GNUTLS_KEYID_USE_SHA256, id, &size) < 0)
    return NULL;
  return hex_string (id, size);
}

static void
csr_error (Request    *req,
           const char *en,
           const char *zh)
{
  JsonArray *errors = json_array_new ();

  ek_registry_add_text_error (req, errors, "csr", "csr", en, zh);
  ek_registry_respond_problem (req, PROBLEM_VALIDATION, errors);
}

/* Reads the request and checks its proof of possession and its key; NULL after answering */
static gnutls_pubkey_t
request_public_key (Request *req)
{
  const char *csr_pem = ek_registry_get_string (req->body, "csr");
  gnutls_x509_crq_t crq = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t datum;
  unsigned int bits = 0;
  int pk;
  gboolean ok = FALSE;

  if (csr_pem == NULL)
    {
      JsonArray *errors = json_array_new ();
      ek_registry_add_problem_error (req, errors, "csr", EK_FIELD_PROBLEM_REQUIRED);
      ek_registry_respond_problem (req, PROBLEM_VALIDATION, errors);
      return NULL;
    }
  datum.data = (unsigned char *) csr_pem;
  datum.size = (unsigned int) strlen (csr_pem);
  if (gnutls_x509_crq_init (&crq) < 0 || gnutls_x509_crq_import (crq, &datum, GNUTLS_X509_FMT_PEM) < 0)
    {
      if (crq != NULL)
        gnutls_x509_crq_deinit (crq);
      csr_error (req, "This is not a PKCS#10 certificate request in PEM.", "这不是 PEM 格式的 PKCS#10 证书请求。");
      return NULL;
    }
  if (gnutls_x509_crq_verify (crq, 0) < 0)
    {
      gnutls_x509_crq_deinit (crq);
      csr_error (req, "The request is not signed by its own key.", "证书请求的签名与其公钥不符。");
      return NULL;
    }
  if (gnutls_pubkey_init (&pub) >= 0 && gnutls_pubkey_import_x509_crq (pub, crq, 0) >= 0)
    {
      pk = gnutls_pubkey_get_pk_algorithm (pub, &bits);
      if (pk == GNUTLS_PK_RSA)
        ok = bits >= 2048 && bits <= 4096;
      else if (pk == GNUTLS_PK_ECDSA)
        {
          gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
          ok = gnutls_pubkey_export_ecc_raw (pub, &curve, NULL, NULL) >= 0 &&
               (curve == GNUTLS_ECC_CURVE_SECP256R1 || curve == GNUTLS_ECC_CURVE_SECP384R1);
        }
    }
  gnutls_x509_crq_deinit (crq);
  if (!ok)
    {
      if (pub != NULL)
        gnutls_pubkey_deinit (pub);
      csr_error (req, "The key must be RSA 2048 to 4096 bits or EC P-256/P-384.", "密钥须为 RSA 2048–4096 位或 EC P-256/P-384。");
      return NULL;
    }
  return pub;
}

static char *
issue_certificate (EkRegistryServer *self,
                   gnutls_pubkey_t   pub,
                   const char       *code13,
                   const char       *login_name,
                   const char       *uscc,
                   GError          **error)
{
  gnutls_x509_crt_t crt = NULL;
  guint8 serial[16], key_id[64], ca_key_id[64];
  size_t key_id_size = sizeof key_id, ca_key_id_size = sizeof ca_key_id;
  g_autofree char *cn = code13 != NULL ? g_strdup_printf ("%s-%s", code13, login_name) : g_strdup (login_name);
  unsigned int usage = GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION;
  gnutls_datum_t out = { NULL, 0 };
  time_t now = (time_t) ek_registry_now ();
  char *pem = NULL;
  int ret;

  gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] = (guint8) ((serial[0] & 0x7f) | 0x10);
  if (gnutls_pubkey_get_pk_algorithm (pub, NULL) == GNUTLS_PK_RSA)
    usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (ret = gnutls_x509_crt_set_activation_time (crt, now - 60)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, now + (time_t) self->config.certificate_days * 86400)) < 0 ||
      /* DER order C, O, CN: read back as CN=…,O=…,C=CN */
      (ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COUNTRY_NAME, 0, "CN", 2)) < 0 ||
      (uscc != NULL &&
       (ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, uscc, (unsigned) strlen (uscc))) < 0) ||
      (ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned) strlen (cn))) < 0 ||
      (ret = gnutls_x509_crt_set_pubkey (crt, pub)) < 0 ||
      (ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0 ||
      (ret = gnutls_x509_crt_set_key_usage (crt, usage)) < 0 ||
      (ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
      (ret = gnutls_pubkey_get_key_id (pub, 0, key_id, &key_id_size)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size)) < 0)
    goto out;
  if (gnutls_x509_crt_get_subject_key_id (self->issuing_ca, ca_key_id, &ca_key_id_size, NULL) >= 0)
    gnutls_x509_crt_set_authority_key_id (crt, ca_key_id, ca_key_id_size);
  if ((ret = gnutls_x509_crt_privkey_sign (crt, self->issuing_ca, self->issuing_key, GNUTLS_DIG_SHA256, 0)) < 0 ||
      (ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out)) < 0)
    goto out;
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);

out:
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (pem == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Issuing failed: %s", gnutls_strerror (ret));
  return pem;
}

/* GET and POST /applications/{id}/certificate */
void
ek_registry_handle_renewal_certificate (Request    *req,
                                        const char *application_id,
                                        const char *status)
{
  static const char * const allowed[] = { "csr", NULL };
  sqlite3_stmt *stmt;
  g_autofree char *business_type = NULL, *renews = NULL, *fields_text = NULL;
  g_autofree char *issued_pem = NULL, *issued_key = NULL, *issued_sha = NULL, *session_sha = NULL;
  g_autofree char *uscc = NULL, *code13 = NULL, *new_key = NULL, *pem = NULL;
  gnutls_x509_crt_t crt;
  gnutls_pubkey_t pub;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *errors;

  if (!g_str_equal (req->method, "GET") && !g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (g_strcmp0 (req->auth_method, "key") != 0)
    return ek_registry_respond_problem (req, PROBLEM_KEY_LOGIN_REQUIRED, NULL);
  if (req->self->issuing_key == NULL)
    return ek_registry_respond_problem (req, PROBLEM_RENEWAL_UNAVAILABLE, NULL);

  stmt = ek_registry_db_query (req->self->db, "SELECT business_type, renews, fields FROM applications WHERE id = ?",
                               "s", application_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      business_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      renews = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      fields_text = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (g_strcmp0 (business_type, RENEWAL) != 0 || renews == NULL)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);

  stmt = ek_registry_db_query (req->self->db, "SELECT pem, public_key_id, sha256 FROM certificates WHERE application_id = ?",
                               "s", application_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      issued_pem = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      issued_key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      issued_sha = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);

  /* Only the key being renewed, or the one already issued for it, may ask */
  crt = session_certificate (req);
  if (crt != NULL)
    {
      session_sha = ek_registry_certificate_sha256 (crt);
      gnutls_x509_crt_deinit (crt);
    }
  if (session_sha == NULL || (g_strcmp0 (session_sha, renews) != 0 && g_strcmp0 (session_sha, issued_sha) != 0))
    return ek_registry_respond_problem (req, PROBLEM_WRONG_KEY, NULL);

  if (g_str_equal (req->method, "GET"))
    {
      if (issued_pem == NULL)
        return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
      node = issued_node (req, application_id, issued_pem);
      return ek_registry_respond_json (req, 200, node);
    }

  if (!ek_registry_parse_body (req))
    return;
  errors = json_array_new ();
  if (!ek_registry_check_top_level (req, allowed, errors))
    {
      ek_registry_finish_validation (req, errors);
      return;
    }
  json_array_unref (errors);
  if (issued_pem == NULL && !g_str_equal (status, APPROVED))
    return ek_registry_respond_problem (req, PROBLEM_INVALID_TRANSITION, NULL);
  pub = request_public_key (req);
  if (pub == NULL)
    return;
  new_key = pubkey_id (pub);

  /* Asked again: the same certificate, for the same key only */
  if (issued_pem != NULL)
    {
      gnutls_pubkey_deinit (pub);
      if (g_strcmp0 (new_key, issued_key) != 0)
        return ek_registry_respond_problem (req, PROBLEM_CERTIFICATE_ALREADY_ISSUED, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Idempotent-Replayed", "true");
      node = issued_node (req, application_id, issued_pem);
      return ek_registry_respond_json (req, 200, node);
    }

  /* The subject is the service's: the 18-digit code it knows, or the one the approved form gave */
  enterprise_codes (req, req->enterprise_id, &uscc, &code13, NULL);
  if (code13 == NULL && req->code13 != NULL)
    code13 = g_strdup (req->code13);
  if (uscc == NULL && fields_text != NULL)
    {
      g_autoptr(JsonNode) fields = ek_registry_parse_json_text (fields_text);
      const char *typed = fields != NULL && JSON_NODE_HOLDS_OBJECT (fields) ?
                          ek_registry_get_string (json_node_get_object (fields), "uscc") : NULL;
      if (typed != NULL && ek_uscc_check (typed).validity == EK_VALIDITY_VALID)
        uscc = ek_normalize_code (typed);
    }

  pem = issue_certificate (req->self, pub, code13, req->login_name, uscc, &error);
  gnutls_pubkey_deinit (pub);
  if (pem == NULL)
    {
      g_warning ("Failed to issue a certificate: %s", error->message);
      return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
    }
  crt = certificate_from_pem (pem);
  {
    g_autofree char *sha = ek_registry_certificate_sha256 (crt);
    g_autofree char *serial = certificate_serial (crt);
    gint64 not_after = (gint64) gnutls_x509_crt_get_expiration_time (crt);

    gnutls_x509_crt_deinit (crt);
    if (!ek_registry_db_begin (req->self->db, NULL) ||
        !ek_registry_db_exec (req->self->db, NULL,
                              "INSERT INTO certificates (sha256, serial, enterprise_id, application_id, renews, public_key_id, pem, "
                              "not_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssissss" "ii",
                              sha, serial, req->enterprise_id, application_id, renews, new_key, pem, not_after,
                              ek_registry_now ()) ||
        !ek_registry_db_exec (req->self->db, NULL, "UPDATE applications SET status = '" ISSUED "', updated_at = ? "
                              "WHERE id = ? AND status = '" APPROVED "'", "is", ek_registry_now (), application_id) ||
        ek_registry_db_changes (req->self->db) != 1)
      {
        ek_registry_db_rollback (req->self->db);
        return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
      }
    ek_registry_db_add_event (req->self->db, application_id, ISSUED, NULL);
    if (!ek_registry_db_commit (req->self->db, NULL))
      {
        ek_registry_db_rollback (req->self->db);
        return ek_registry_respond_problem (req, PROBLEM_INTERNAL, NULL);
      }
  }
  node = issued_node (req, application_id, pem);
  ek_registry_respond_json (req, 201, node);
}

/* ekey-registry certificates --db FILE add CERT.pem [--uscc CODE] [--name NAME] | revoke SERIAL | list [--json] */
int
ek_registry_cmd_certificates (int    argc,
                              char **argv)
{
  g_autofree char *db_path = NULL, *uscc = NULL, *name = NULL;
  gboolean json = FALSE;
  g_autoptr(GOptionContext) context = g_option_context_new ("add CERT.pem | revoke SERIAL | list");
  g_autoptr(GError) error = NULL;
  g_autoptr(EkRegistryDb) db = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "SQLite database", "FILE" },
    { "uscc", 0, 0, G_OPTION_ARG_STRING, &uscc, "add: the enterprise's 18-digit code, when the certificate lacks it", "CODE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "add: the enterprise's name", "NAME" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "list: as JSON", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || db_path == NULL || argc < 2)
    {
      g_printerr ("usage: ekey-registry certificates --db FILE add CERT.pem [--uscc CODE] [--name NAME] | revoke SERIAL | list [--json]\n");
      return 2;
    }
  db = ek_registry_db_open (db_path, &error);
  if (db == NULL)
    {
      g_printerr ("ekey-registry certificates: %s\n", error->message);
      return 1;
    }

  if (g_str_equal (argv[1], "add") && argc == 3)
    {
      g_autofree char *pem = NULL, *cert_uscc = NULL, *code13 = NULL, *login = NULL, *sha = NULL, *serial = NULL;
      gnutls_x509_crt_t crt;
      gnutls_pubkey_t pub = NULL;
      g_autofree char *key_id = NULL;
      sqlite3_stmt *stmt;
      gint64 enterprise_id = 0;

      if (!g_file_get_contents (argv[2], &pem, NULL, &error) || (crt = certificate_from_pem (pem)) == NULL)
        {
          g_printerr ("ekey-registry certificates: %s is not a PEM certificate%s%s\n", argv[2],
                      error != NULL ? ": " : "", error != NULL ? error->message : "");
          return 1;
        }
      if (uscc != NULL && ek_uscc_check (uscc).validity != EK_VALIDITY_VALID)
        {
          g_printerr ("ekey-registry certificates: --uscc %s is not a valid 18-digit code\n", uscc);
          gnutls_x509_crt_deinit (crt);
          return 2;
        }
      if (!ek_registry_certificate_identity (crt, &cert_uscc, &code13, &login))
        {
          g_printerr ("ekey-registry certificates: the certificate names no enterprise (CN=<13-digit code>-<login name> or O=<18-digit code>)\n");
          gnutls_x509_crt_deinit (crt);
          return 1;
        }
      sha = ek_registry_certificate_sha256 (crt);
      serial = certificate_serial (crt);
      gnutls_pubkey_init (&pub);
      gnutls_pubkey_import_x509 (pub, crt, 0);
      key_id = pubkey_id (pub);
      gnutls_pubkey_deinit (pub);

      stmt = ek_registry_db_query (db, "SELECT id FROM enterprises WHERE uscc = ? OR code13 = ? ORDER BY id LIMIT 1",
                                   "ss", cert_uscc != NULL ? cert_uscc : uscc, code13);
      if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        enterprise_id = sqlite3_column_int64 (stmt, 0);
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (enterprise_id == 0)
        {
          ek_registry_db_exec (db, NULL, "INSERT INTO enterprises (uscc, code13, name, created_at) VALUES (?, ?, ?, ?)",
                               "sssi", cert_uscc != NULL ? cert_uscc : uscc, code13, name != NULL ? name : "", ek_registry_now ());
          enterprise_id = sqlite3_last_insert_rowid (ek_registry_db_handle (db));
        }
      else
        {
          ek_registry_db_exec (db, NULL, "UPDATE enterprises SET uscc = COALESCE(uscc, ?), code13 = COALESCE(code13, ?) WHERE id = ?",
                               "ssi", cert_uscc != NULL ? cert_uscc : uscc, code13, enterprise_id);
          if (name != NULL)
            ek_registry_db_exec (db, NULL, "UPDATE enterprises SET name = ? WHERE id = ?", "si", name, enterprise_id);
        }
      if (!ek_registry_db_exec (db, &error,
                                "INSERT OR IGNORE INTO certificates (sha256, serial, enterprise_id, public_key_id, pem, not_after, created_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)", "ssiss" "ii",
                                sha, serial, enterprise_id, key_id, pem, (gint64) gnutls_x509_crt_get_expiration_time (crt),
                                ek_registry_now ()))
        {
          g_printerr ("ekey-registry certificates: %s\n", error->message);
          gnutls_x509_crt_deinit (crt);
          return 1;
        }
      /* The enterprise holds a certificate with this login name: an additional key may not take
       * it again, and it counts towards the keys held */
      if (login != NULL && *login != '\0')
        ek_registry_db_exec (db, NULL,
                             "INSERT OR IGNORE INTO certificate_logins (enterprise_id, login_name, seen_at) VALUES (?, ?, ?)",
                             "isi", enterprise_id, login, ek_registry_now ());
      gnutls_x509_crt_deinit (crt);
      printf ("%s recorded\n", serial);
      return 0;
    }
  if (g_str_equal (argv[1], "revoke") && argc == 3)
    {
      g_autofree char *serial = g_ascii_strdown (argv[2], -1);
      if (!ek_registry_db_exec (db, &error, "INSERT OR IGNORE INTO revocations (serial, at) VALUES (?, ?)", "si",
                                serial, ek_registry_now ()))
        {
          g_printerr ("ekey-registry certificates: %s\n", error->message);
          return 1;
        }
      printf ("%s revoked\n", serial);
      return 0;
    }
  if (g_str_equal (argv[1], "list"))
    {
      sqlite3_stmt *stmt = ek_registry_db_query (db,
                                                 "SELECT c.serial, c.application_id, c.not_after, COALESCE(e.uscc, e.code13), "
                                                 "r.at IS NOT NULL FROM certificates c JOIN enterprises e ON e.id = c.enterprise_id "
                                                 "LEFT JOIN revocations r ON r.serial = c.serial ORDER BY c.created_at", "");
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
        {
          if (!json)
            {
              printf ("%s  %s  not after %" G_GINT64_FORMAT "  %s%s\n", sqlite3_column_text (stmt, 0),
                      sqlite3_column_type (stmt, 1) != SQLITE_NULL ? (const char *) sqlite3_column_text (stmt, 1) : "recorded",
                      (gint64) sqlite3_column_int64 (stmt, 2), sqlite3_column_text (stmt, 3),
                      sqlite3_column_int (stmt, 4) ? "  revoked" : "");
              continue;
            }
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "serial");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
          json_builder_set_member_name (builder, "application_id");
          if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
            json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "not_after");
          json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 2));
          json_builder_set_member_name (builder, "revoked");
          json_builder_add_boolean_value (builder, sqlite3_column_int (stmt, 4) != 0);
          json_builder_end_object (builder);
        }
      if (stmt != NULL)
        sqlite3_reset (stmt);
      json_builder_end_array (builder);
      if (json)
        {
          g_autoptr(JsonNode) root = json_builder_get_root (builder);
          g_autofree char *text = json_to_string (root, TRUE);
          printf ("%s\n", text);
        }
      return 0;
    }
  g_printerr ("ekey-registry certificates: say add CERT.pem, revoke SERIAL or list\n");
  return 2;
}
