/* test-renewal-service.c: renewal with the key, on a real ekey-registry with an issuing CA
 *
 * What the key log-in refuses and why, renewal refused over a code session, the service's
 * decision on whether a key can be renewed online, and the one certificate it issues for an
 * approved renewal (same certificate when asked again, also after the service was killed).
 * The token side (keys on a SoftHSM token) is in tests/token; here keys are software keys.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ek-api-fixture.h"
#include "ek-test-common.h"

typedef struct
{
  gnutls_x509_crt_t     crt;
  gnutls_x509_privkey_t key;
} TestCert;

static EkApiServer *server;
static char *dir;
static TestCert issuing_ca, rogue_ca;

static void
make_cert (TestCert       *out,
           const char     *dn,
           const TestCert *issuer,
           gint64          not_before,
           gint64          not_after)
{
  static guint8 counter = 1;
  guint8 serial[8] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, counter++ };
  const char *err = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&out->key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (out->key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&out->crt), ==, 0);
  gnutls_x509_crt_set_version (out->crt, 3);
  gnutls_x509_crt_set_serial (out->crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (out->crt, (time_t) not_before);
  gnutls_x509_crt_set_expiration_time (out->crt, (time_t) not_after);
  g_assert_cmpint (gnutls_x509_crt_set_dn (out->crt, dn, &err), ==, 0);
  gnutls_x509_crt_set_key (out->crt, out->key);
  if (issuer == NULL)
    {
      gnutls_x509_crt_set_basic_constraints (out->crt, 1, -1);
      gnutls_x509_crt_set_key_usage (out->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
      g_assert_cmpint (gnutls_x509_crt_sign2 (out->crt, out->crt, out->key, GNUTLS_DIG_SHA256, 0), ==, 0);
    }
  else
    {
      gnutls_x509_crt_set_key_usage (out->crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
      g_assert_cmpint (gnutls_x509_crt_sign2 (out->crt, issuer->crt, issuer->key, GNUTLS_DIG_SHA256, 0), ==, 0);
    }
}

static void
make_user (TestCert   *out,
           const char *dn,
           int         days_left)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  make_cert (out, dn, &issuing_ca, now - 700 * 86400, now + (gint64) days_left * 86400);
}

static char *
cert_pem (const TestCert *cert)
{
  gnutls_datum_t out = { NULL, 0 };
  char *pem;

  g_assert_cmpint (gnutls_x509_crt_export2 (cert->crt, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return pem;
}

static void
cert_clear (TestCert *cert)
{
  gnutls_x509_crt_deinit (cert->crt);
  gnutls_x509_privkey_deinit (cert->key);
}

/* The operator records a certificate the service issued before (the demo and the key's first issue) */
static void
record (const TestCert *cert,
        const char     *uscc)
{
  g_autofree char *pem = cert_pem (cert);
  g_autofree char *path = g_build_filename (dir, "record.pem", NULL);
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (path, pem, -1, NULL));
  out = uscc != NULL ? ek_api_run (server, NULL, "certificates", "add", path, "--uscc", uscc, NULL)
                     : ek_api_run (server, NULL, "certificates", "add", path, NULL);
  g_assert_true (g_str_has_suffix (out, "recorded\n"));
}

static char *
serial_of (const TestCert *cert)
{
  guint8 serial[32];
  size_t size = sizeof serial;
  GString *hex = g_string_new (NULL);

  g_assert_cmpint (gnutls_x509_crt_get_serial (cert->crt, serial, &size), ==, 0);
  for (size_t i = 0; i < size; i++)
    g_string_append_printf (hex, "%02x", serial[i]);
  return g_string_free (hex, FALSE);
}

static EkApiResponse *
key_login (const TestCert *cert)
{
  g_autoptr(EkApiResponse) challenge = ek_api_call (server, "POST", "/sessions/challenges", NULL, NULL, NULL);
  g_autofree guchar *nonce = NULL;
  gsize nonce_len;
  gnutls_privkey_t priv;
  gnutls_datum_t data, sig = { NULL, 0 };
  g_autofree char *sig_b64 = NULL, *pem = cert_pem (cert), *body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (challenge->status, ==, 201);
  nonce = g_base64_decode (json_object_get_string_member (ek_api_object (challenge), "nonce"), &nonce_len);
  data.data = nonce;
  data.size = (unsigned int) nonce_len;
  gnutls_privkey_init (&priv);
  g_assert_cmpint (gnutls_privkey_import_x509 (priv, cert->key, 0), ==, 0);
  g_assert_cmpint (gnutls_privkey_sign_data (priv, GNUTLS_DIG_SHA256, 0, &data, &sig), ==, 0);
  gnutls_privkey_deinit (priv);
  sig_b64 = g_base64_encode (sig.data, sig.size);
  gnutls_free (sig.data);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "key");
  json_builder_set_member_name (builder, "challenge_id");
  json_builder_add_string_value (builder, json_object_get_string_member (ek_api_object (challenge), "id"));
  json_builder_set_member_name (builder, "certificate");
  json_builder_add_string_value (builder, pem);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, sig_b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  return ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
}

static char *
key_token (const TestCert *cert)
{
  g_autoptr(EkApiResponse) login = key_login (cert);

  g_assert_cmpint (login->status, ==, 201);
  return g_strdup (json_object_get_string_member (ek_api_object (login), "token"));
}

static EkApiResponse *
call_idem (const char *method,
           const char *path,
           const char *token,
           const char *body)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *key = g_strdup_printf ("Idempotency-Key: %s", uuid);
  const char *headers[] = { key, NULL };

  return ek_api_call (server, method, path, token, body, headers);
}

/* A PKCS#10 request signed by @key; its subject says something the service must not copy */
static char *
csr_body (gnutls_x509_privkey_t key)
{
  gnutls_x509_crq_t crq;
  gnutls_datum_t out = { NULL, 0 };
  const char *err = NULL;
  g_autofree char *pem = NULL, *escaped = NULL;

  g_assert_cmpint (gnutls_x509_crq_init (&crq), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_dn (crq, "CN=1111111111111-MALLORY,O=91350100M000100Y43", &err), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_set_key (crq, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_sign2 (crq, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  gnutls_x509_crq_deinit (crq);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  escaped = g_strescape (pem, NULL);
  return g_strdup_printf ("{\"csr\":\"%s\"}", escaped);
}

static gnutls_x509_privkey_t
new_key (gnutls_pk_algorithm_t algo)
{
  gnutls_x509_privkey_t key;

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, algo, algo == GNUTLS_PK_RSA ? 2048 :
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  return key;
}

static const char *fields_json =
  "{\"enterprise_name\":\"北京测试科技有限公司\",\"uscc\":\"91350100M000100Y43\",\"legal_representative\":\"罗云\","
  "\"legal_representative_id_type\":\"resident-id\",\"legal_representative_id_number\":\"11010519491231002X\","
  "\"applicant_id_type\":\"resident-id\",\"login_name\":\"LUOYUN\",\"licence_type\":\"electromechanical\","
  "\"contact_address\":\"北京市北京经济技术开发区荣华中路11号\","
  "\"applicant_name\":\"王兵\",\"applicant_id_number\":\"110102199101010078\",\"email\":\"wangbing@126.com\","
  "\"mobile\":\"18910123221\",\"postcode\":\"100176\"}";

/* Creates, fills, uploads renewal's two materials and submits; returns the application id */
static char *
submit_renewal (const char *token)
{
  g_autofree char *body = g_strdup_printf ("{\"business_type\":\"renewal\",\"fields\":%s}", fields_json);
  g_autoptr(EkApiResponse) created = call_idem ("POST", "/applications", token, body);
  g_autoptr(GBytes) png = ek_api_png (400, 300, FALSE);
  g_autofree char *id = NULL, *submit = NULL;
  const char *kinds[] = { "application-form", "confirmation-letter" };

  g_assert_cmpint (created->status, ==, 201);
  id = g_strdup (json_object_get_string_member (ek_api_object (created), "id"));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/applications/%s/materials/%s", id, kinds[i]);
      g_autoptr(EkApiResponse) up = ek_api_upload (server, path, token, png, "image/png", FALSE);
      g_assert_cmpint (up->status, ==, 201);
    }
  submit = g_strdup_printf ("/applications/%s/submit", id);
  {
    g_autoptr(EkApiResponse) sub = call_idem ("POST", submit, token, NULL);
    g_assert_cmpint (sub->status, ==, 200);
  }
  return g_steal_pointer (&id);
}

static void
test_key_login_refusals (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  TestCert rogue, long_expired, just_expired, revoked;
  g_autofree char *serial = NULL, *out = NULL;

  make_cert (&rogue, "CN=9999400000561-ROGUE,C=CN", &rogue_ca, now - 86400, now + 86400 * 20);
  make_cert (&long_expired, "CN=9999400000562-OLD,C=CN", &issuing_ca, now - 800 * 86400, now - 40 * 86400);
  make_cert (&just_expired, "CN=9999400000563-LATE,C=CN", &issuing_ca, now - 800 * 86400, now - 5 * 86400);
  make_user (&revoked, "CN=9999400000564-GONE,C=CN", 20);
  serial = serial_of (&revoked);
  out = ek_api_run (server, NULL, "certificates", "revoke", serial, NULL);

  {
    g_autoptr(EkApiResponse) r = key_login (&rogue);
    g_assert_cmpint (r->status, ==, 401);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "certificate-not-issued-by-service");
  }
  {
    g_autoptr(EkApiResponse) r = key_login (&long_expired);
    g_assert_cmpint (r->status, ==, 401);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "certificate-expired");
  }
  {
    /* Within the grace the service allows (30 days), an expired key still logs in to renew */
    g_autoptr(EkApiResponse) r = key_login (&just_expired);
    g_assert_cmpint (r->status, ==, 201);
  }
  {
    g_autoptr(EkApiResponse) r = key_login (&revoked);
    g_assert_cmpint (r->status, ==, 401);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "certificate-revoked");
  }
  cert_clear (&rogue);
  cert_clear (&long_expired);
  cert_clear (&just_expired);
  cert_clear (&revoked);
}

static void
test_renewal_needs_the_key (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "code-session@example.cn");
  g_autoptr(EkApiResponse) renewal = call_idem ("POST", "/applications", token, "{\"business_type\":\"renewal\"}");
  g_autoptr(EkApiResponse) first = call_idem ("POST", "/applications", token, "{\"business_type\":\"first-application\"}");
  g_autoptr(EkApiResponse) eligibility = ek_api_call (server, "GET", "/renewal-eligibility", token, NULL, NULL);
  g_autofree char *path = NULL;

  g_assert_cmpint (renewal->status, ==, 403);
  g_assert_cmpstr (ek_api_problem_type (renewal), ==, "key-login-required");
  g_assert_cmpint (first->status, ==, 201);
  g_assert_cmpint (eligibility->status, ==, 403);
  g_assert_cmpstr (ek_api_problem_type (eligibility), ==, "key-login-required");

  /* …nor can a code session ask for a certificate */
  path = g_strdup_printf ("/applications/%s/certificate", json_object_get_string_member (ek_api_object (first), "id"));
  {
    g_autoptr(EkApiResponse) cert = ek_api_call (server, "POST", path, token, "{\"csr\":\"x\"}", NULL);
    g_assert_cmpint (cert->status, ==, 403);
    g_assert_cmpstr (ek_api_problem_type (cert), ==, "key-login-required");
  }
}

static void
test_eligibility (void)
{
  TestCert unrecorded, early, due;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;

  make_user (&unrecorded, "CN=9999400000570-NOREC,C=CN", 20);
  make_user (&early, "CN=9999400000571-EARLY,C=CN", 200);
  make_user (&due, "CN=9999400000572-DUE,O=IELIC,C=CN", 20);
  record (&early, NULL);
  record (&due, "91350100M000100Y43");
  t1 = key_token (&unrecorded);
  t2 = key_token (&early);
  t3 = key_token (&due);

  {
    g_autoptr(EkApiResponse) r = ek_api_call (server, "GET", "/renewal-eligibility", t1, NULL, NULL);
    g_autoptr(EkApiResponse) create = call_idem ("POST", "/applications", t1, "{\"business_type\":\"renewal\"}");
    g_assert_cmpint (r->status, ==, 200);
    g_assert_false (json_object_get_boolean_member (ek_api_object (r), "eligible"));
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (r), "reason"), ==, "not-issued-by-service");
    /* what to do instead is said */
    g_assert_nonnull (strstr (json_object_get_string_member (ek_api_object (r), "detail"), "柜台"));
    g_assert_cmpint (create->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (create), ==, "renewal-not-eligible");
  }
  {
    g_autoptr(EkApiResponse) r = ek_api_call (server, "GET", "/renewal-eligibility", t2, NULL, NULL);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (r), "reason"), ==, "too-early");
  }
  {
    g_autoptr(EkApiResponse) r = ek_api_call (server, "GET", "/renewal-eligibility", t3, NULL, NULL);
    JsonObject *o = ek_api_object (r);
    g_assert_true (json_object_get_boolean_member (o, "eligible"));
    /* the 18-digit code the service knows goes into the renewed certificate */
    g_assert_cmpstr (json_object_get_string_member (o, "subject"), ==, "CN=9999400000572-DUE,O=91350100M000100Y43,C=CN");
    g_assert_true (json_object_get_boolean_member (o, "adds_credit_code"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "fields"), "code13"), ==, "9999400000572");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "fields"), "uscc"), ==, "91350100M000100Y43");
  }
  cert_clear (&unrecorded);
  cert_clear (&early);
  cert_clear (&due);
}

static gnutls_x509_crt_t
import_pem (const char *pem)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t d = { (unsigned char *) pem, (unsigned int) strlen (pem) };

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_PEM), ==, 0);
  return crt;
}

static void
test_issue_once (void)
{
  TestCert old, colleague, other;
  g_autofree char *token = NULL, *colleague_token = NULL, *other_token = NULL, *id = NULL, *path = NULL;
  g_autofree char *body = NULL, *other_body = NULL, *first_pem = NULL, *out = NULL;
  gnutls_x509_privkey_t key = new_key (GNUTLS_PK_RSA), stray = new_key (GNUTLS_PK_ECDSA);
  int exit_status;

  make_user (&old, "CN=9999400000580-LUOYUN,O=IELIC,C=CN", 20);
  make_user (&colleague, "CN=9999400000580-XUKE,O=IELIC,C=CN", 20);
  make_user (&other, "CN=9999400000581-OTHER,C=CN", 20);
  record (&old, "91110000600037341L");
  record (&colleague, NULL);
  record (&other, NULL);
  token = key_token (&old);
  colleague_token = key_token (&colleague);
  other_token = key_token (&other);
  id = submit_renewal (token);
  path = g_strdup_printf ("/applications/%s/certificate", id);
  body = csr_body (key);
  other_body = csr_body (stray);

  /* Not before the provider's check passed; and a renewal has no authority pre-review */
  {
    g_autoptr(EkApiResponse) early = ek_api_call (server, "POST", path, token, body, NULL);
    g_assert_cmpint (early->status, ==, 409);
  }
  out = ek_api_run (server, &exit_status, "review", "pre-review", id, "pass", NULL);
  g_assert_cmpint (exit_status, ==, 1);
  g_free (out);
  out = ek_api_run (server, NULL, "review", "re-review", id, "pass", NULL);

  /* Another enterprise does not see it; a colleague's key is not the one being renewed */
  {
    g_autoptr(EkApiResponse) r = ek_api_call (server, "POST", path, other_token, body, NULL);
    g_assert_cmpint (r->status, ==, 404);
  }
  {
    g_autoptr(EkApiResponse) r = ek_api_call (server, "POST", path, colleague_token, body, NULL);
    g_assert_cmpint (r->status, ==, 403);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "wrong-key");
  }
  {
    g_autoptr(EkApiResponse) bad = ek_api_call (server, "POST", path, token, "{\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n\"}", NULL);
    g_assert_cmpint (bad->status, ==, 422);
    g_assert_true (ek_api_has_field_error (bad, "csr", "csr"));
  }

  {
    g_autoptr(EkApiResponse) issued = ek_api_call (server, "POST", path, token, body, NULL);
    gnutls_x509_crt_t crt;
    gnutls_x509_trust_list_t trust;
    gnutls_x509_crt_t ca_copy;
    unsigned int verify = 1;
    guint8 want[64], got[64];
    size_t want_size = sizeof want, got_size = sizeof got;
    gnutls_datum_t dn = { NULL, 0 };
    gnutls_pubkey_t pub;

    g_assert_cmpint (issued->status, ==, 201);
    first_pem = g_strdup (json_object_get_string_member (ek_api_object (issued), "certificate"));
    crt = import_pem (first_pem);
    /* chains to the issuing CA */
    gnutls_x509_trust_list_init (&trust, 0);
    gnutls_x509_crt_init (&ca_copy);
    {
      gnutls_datum_t der = { NULL, 0 };
      gnutls_x509_crt_export2 (issuing_ca.crt, GNUTLS_X509_FMT_DER, &der);
      gnutls_x509_crt_import (ca_copy, &der, GNUTLS_X509_FMT_DER);
      gnutls_free (der.data);
    }
    gnutls_x509_trust_list_add_cas (trust, &ca_copy, 1, 0);
    g_assert_cmpint (gnutls_x509_trust_list_verify_crt2 (trust, &crt, 1, NULL, 0, 0, &verify, NULL), ==, 0);
    g_assert_cmpuint (verify, ==, 0);
    gnutls_x509_trust_list_deinit (trust, 1);
    /* its key is the request's, its subject the service's (not the request's) */
    gnutls_x509_privkey_get_key_id (key, 0, want, &want_size);
    gnutls_pubkey_init (&pub);
    gnutls_pubkey_import_x509 (pub, crt, 0);
    gnutls_pubkey_get_key_id (pub, 0, got, &got_size);
    gnutls_pubkey_deinit (pub);
    g_assert_cmpmem (want, want_size, got, got_size);
    gnutls_x509_crt_get_dn3 (crt, &dn, 0);
    g_assert_cmpstr ((const char *) dn.data, ==, "CN=9999400000580-LUOYUN,O=91110000600037341L,C=CN");
    gnutls_free (dn.data);
    g_assert_cmpint (gnutls_x509_crt_get_expiration_time (crt), >, g_get_real_time () / G_USEC_PER_SEC + 700 * 86400);
    gnutls_x509_crt_deinit (crt);
  }

  /* Asked again: the same certificate; for another key: refused */
  {
    g_autoptr(EkApiResponse) again = ek_api_call (server, "POST", path, token, body, NULL);
    g_autoptr(EkApiResponse) stray_key = ek_api_call (server, "POST", path, token, other_body, NULL);
    g_autoptr(EkApiResponse) app = NULL;
    g_autofree char *app_path = g_strdup_printf ("/applications/%s", id);

    g_assert_cmpint (again->status, ==, 200);
    g_assert_true (again->replayed);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (again), "certificate"), ==, first_pem);
    g_assert_cmpint (stray_key->status, ==, 409);
    g_assert_cmpstr (ek_api_problem_type (stray_key), ==, "certificate-already-issued");
    app = ek_api_call (server, "GET", app_path, token, NULL, NULL);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (app), "status"), ==, "certificate-issued");
  }

  /* The service killed after issuing: the certificate is still there, the same */
  ek_api_server_kill (server);
  ek_api_server_restart (server);
  {
    g_autofree char *again_token = key_token (&old);
    g_autoptr(EkApiResponse) got = ek_api_call (server, "GET", path, again_token, NULL, NULL);
    g_autoptr(EkApiResponse) eligibility = ek_api_call (server, "GET", "/renewal-eligibility", again_token, NULL, NULL);
    g_autofree char *escaped = g_strescape (first_pem, NULL);

    g_assert_cmpint (got->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (got), "certificate"), ==, first_pem);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (eligibility), "reason"), ==, "renewed");
  }

  cert_clear (&old);
  cert_clear (&colleague);
  cert_clear (&other);
  gnutls_x509_privkey_deinit (key);
  gnutls_x509_privkey_deinit (stray);
}

static void
test_traffic_matches_contract (void)
{
  g_autofree char *script = g_build_filename (ek_test_source_root (), "tools", "api-contract", "check.js", NULL);
  g_autofree char *spec = g_build_filename (ek_test_source_root (), "data", "api", "openapi.yaml", NULL);
  g_autoptr(GSubprocess) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "node", script, spec, ek_api_traffic_path (), NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (node, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  if (g_subprocess_get_exit_status (node) != 0)
    g_error ("Traffic does not match the contract:\n%s%s", out, err);
}

static char *
write_pem (const char *name,
           const char *text)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *ca_pem = NULL, *ca_path = NULL, *key_path = NULL, *key_pem = NULL;
  gnutls_datum_t out = { NULL, 0 };
  gint64 now;
  int status;

  ek_test_init (&argc, &argv);
  gnutls_global_init ();
  now = g_get_real_time () / G_USEC_PER_SEC;
  dir = g_dir_make_tmp ("ek-renewal-service-XXXXXX", NULL);
  make_cert (&issuing_ca, "CN=EKey Test Issuing CA,O=EKey Assistant tests,C=CN", NULL, now - 3600, now + 3650 * 86400);
  make_cert (&rogue_ca, "CN=Rogue CA,C=CN", NULL, now - 3600, now + 3650 * 86400);
  ca_pem = cert_pem (&issuing_ca);
  g_assert_cmpint (gnutls_x509_privkey_export2 (issuing_ca.key, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  key_pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  ca_path = write_pem ("issuing-ca.pem", ca_pem);
  key_path = write_pem ("issuing-ca.key", key_pem);
  {
    const char *args[] = { "--issuing-ca", ca_path, "--issuing-key", key_path, NULL };
    server = ek_api_server_start (args);
  }

  g_test_add_func ("/renewal-service/key-login-refusals", test_key_login_refusals);
  g_test_add_func ("/renewal-service/needs-the-key", test_renewal_needs_the_key);
  g_test_add_func ("/renewal-service/eligibility", test_eligibility);
  g_test_add_func ("/renewal-service/issue-once", test_issue_once);
  g_test_add_func ("/renewal-service/zz-contract", test_traffic_matches_contract);
  status = g_test_run ();

  ek_api_server_free (server);
  cert_clear (&issuing_ca);
  cert_clear (&rogue_ca);
  g_unlink (ca_path);
  g_unlink (key_path);
  {
    g_autofree char *rec = g_build_filename (dir, "record.pem", NULL);
    g_unlink (rec);
  }
  g_rmdir (dir);
  g_free (dir);
  gnutls_global_deinit ();
  return status;
}
