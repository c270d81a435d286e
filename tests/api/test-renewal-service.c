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

#include "ek-api-certs.h"
#include "ek-test-common.h"

static EkApiServer *server;
static char *dir;
static EkTestCert issuing_ca, rogue_ca;

static char *
serial_of (const EkTestCert *cert)
{
  guint8 serial[32];
  size_t size = sizeof serial;
  GString *hex = g_string_new (NULL);

  g_assert_cmpint (gnutls_x509_crt_get_serial (cert->crt, serial, &size), ==, 0);
  for (size_t i = 0; i < size; i++)
    g_string_append_printf (hex, "%02x", serial[i]);
  return g_string_free (hex, FALSE);
}

static void
test_key_login_refusals (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  EkTestCert rogue, long_expired, just_expired, revoked;
  g_autofree char *serial = NULL, *out = NULL;

  ek_test_cert_make (&rogue, "CN=9999400000561-ROGUE,C=CN", &rogue_ca, now - 86400, now + 86400 * 20);
  ek_test_cert_make (&long_expired, "CN=9999400000562-OLD,C=CN", &issuing_ca, now - 800 * 86400, now - 40 * 86400);
  ek_test_cert_make (&just_expired, "CN=9999400000563-LATE,C=CN", &issuing_ca, now - 800 * 86400, now - 5 * 86400);
  ek_test_cert_make_user (&revoked, "CN=9999400000564-GONE,C=CN", &issuing_ca, 20);
  serial = serial_of (&revoked);
  out = ek_api_run (server, NULL, "certificates", "revoke", serial, NULL);

  {
    g_autoptr(EkApiResponse) r = ek_api_key_login (server, &rogue, FALSE, NULL);
    g_assert_cmpint (r->status, ==, 401);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "certificate-not-issued-by-service");
  }
  {
    g_autoptr(EkApiResponse) r = ek_api_key_login (server, &long_expired, FALSE, NULL);
    g_assert_cmpint (r->status, ==, 401);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "certificate-expired");
  }
  {
    /* Within the grace the service allows (30 days), an expired key still logs in to renew */
    g_autoptr(EkApiResponse) r = ek_api_key_login (server, &just_expired, FALSE, NULL);
    g_assert_cmpint (r->status, ==, 201);
  }
  {
    g_autoptr(EkApiResponse) r = ek_api_key_login (server, &revoked, FALSE, NULL);
    g_assert_cmpint (r->status, ==, 401);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "certificate-revoked");
  }
  ek_test_cert_clear (&rogue);
  ek_test_cert_clear (&long_expired);
  ek_test_cert_clear (&just_expired);
  ek_test_cert_clear (&revoked);
}

static void
test_renewal_needs_the_key (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "code-session@example.cn");
  g_autoptr(EkApiResponse) renewal = ek_api_call_idem (server, "POST", "/applications", token, "{\"business_type\":\"renewal\"}");
  g_autoptr(EkApiResponse) first = ek_api_call_idem (server, "POST", "/applications", token, "{\"business_type\":\"first-application\"}");
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
  EkTestCert unrecorded, early, due;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;

  ek_test_cert_make_user (&unrecorded, "CN=9999400000570-NOREC,C=CN", &issuing_ca, 20);
  ek_test_cert_make_user (&early, "CN=9999400000571-EARLY,C=CN", &issuing_ca, 200);
  ek_test_cert_make_user (&due, "CN=9999400000572-DUE,O=IELIC,C=CN", &issuing_ca, 20);
  ek_test_cert_record (server, &early, NULL);
  ek_test_cert_record (server, &due, "91350100M000100Y43");
  t1 = ek_api_key_token (server, &unrecorded);
  t2 = ek_api_key_token (server, &early);
  t3 = ek_api_key_token (server, &due);

  {
    g_autoptr(EkApiResponse) r = ek_api_call (server, "GET", "/renewal-eligibility", t1, NULL, NULL);
    g_autoptr(EkApiResponse) create = ek_api_call_idem (server, "POST", "/applications", t1, "{\"business_type\":\"renewal\"}");
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
  ek_test_cert_clear (&unrecorded);
  ek_test_cert_clear (&early);
  ek_test_cert_clear (&due);
}

static void
test_issue_once (void)
{
  EkTestCert old, colleague, other;
  g_autofree char *token = NULL, *colleague_token = NULL, *other_token = NULL, *id = NULL, *path = NULL;
  g_autofree char *body = NULL, *other_body = NULL, *first_pem = NULL, *out = NULL;
  gnutls_x509_privkey_t key = ek_test_new_key (GNUTLS_PK_RSA), stray = ek_test_new_key (GNUTLS_PK_ECDSA);
  int exit_status;

  ek_test_cert_make_user (&old, "CN=9999400000580-LUOYUN,O=IELIC,C=CN", &issuing_ca, 20);
  ek_test_cert_make_user (&colleague, "CN=9999400000580-XUKE,O=IELIC,C=CN", &issuing_ca, 20);
  ek_test_cert_make_user (&other, "CN=9999400000581-OTHER,C=CN", &issuing_ca, 20);
  ek_test_cert_record (server, &old, "91110000600037341L");
  ek_test_cert_record (server, &colleague, NULL);
  ek_test_cert_record (server, &other, NULL);
  token = ek_api_key_token (server, &old);
  colleague_token = ek_api_key_token (server, &colleague);
  other_token = ek_api_key_token (server, &other);
  id = ek_api_submit_renewal (server, token);
  path = g_strdup_printf ("/applications/%s/certificate", id);
  body = ek_test_csr_body (key);
  other_body = ek_test_csr_body (stray);

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
    crt = ek_test_import_pem (first_pem);
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
    g_autofree char *again_token = ek_api_key_token (server, &old);
    g_autoptr(EkApiResponse) got = ek_api_call (server, "GET", path, again_token, NULL, NULL);
    g_autoptr(EkApiResponse) eligibility = ek_api_call (server, "GET", "/renewal-eligibility", again_token, NULL, NULL);
    g_autofree char *escaped = g_strescape (first_pem, NULL);

    g_assert_cmpint (got->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (got), "certificate"), ==, first_pem);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (eligibility), "reason"), ==, "renewed");
  }

  ek_test_cert_clear (&old);
  ek_test_cert_clear (&colleague);
  ek_test_cert_clear (&other);
  gnutls_x509_privkey_deinit (key);
  gnutls_x509_privkey_deinit (stray);
}

static void
test_traffic_matches_contract (void)
{
  ek_api_check_traffic (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  gint64 now;
  int status;

  ek_test_init (&argc, &argv);
  gnutls_global_init ();
  now = g_get_real_time () / G_USEC_PER_SEC;
  dir = g_dir_make_tmp ("ek-renewal-service-XXXXXX", NULL);
  ek_test_cert_make (&rogue_ca, "CN=Rogue CA,C=CN", NULL, now - 3600, now + 3650 * 86400);
  server = ek_api_server_start_issuing (&issuing_ca, dir, FALSE);

  g_test_add_func ("/renewal-service/key-login-refusals", test_key_login_refusals);
  g_test_add_func ("/renewal-service/needs-the-key", test_renewal_needs_the_key);
  g_test_add_func ("/renewal-service/eligibility", test_eligibility);
  g_test_add_func ("/renewal-service/issue-once", test_issue_once);
  g_test_add_func ("/renewal-service/zz-contract", test_traffic_matches_contract);
  status = g_test_run ();

  ek_api_server_free (server);
  ek_test_cert_clear (&issuing_ca);
  ek_test_cert_clear (&rogue_ca);
  {
    const char *files[] = { "issuing-ca.pem", "issuing-ca.key", NULL };
    for (guint i = 0; files[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, files[i], NULL);
        g_unlink (path);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  gnutls_global_deinit ();
  return status;
}
