/* ek-api-certs.c: software keys and certificates for the key log-ins of the API tests */
#include "config.h"

#include <string.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "ek-api-certs.h"

void
ek_test_cert_make (EkTestCert       *out,
                   const char       *dn,
                   const EkTestCert *issuer,
                   gint64            not_before,
                   gint64            not_after)
{
  unsigned char serial[8];
  const char *err = NULL;

  gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] &= 0x7f;
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
      gnutls_x509_crt_set_basic_constraints (out->crt, 0, -1);
      gnutls_x509_crt_set_key_usage (out->crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
      g_assert_cmpint (gnutls_x509_crt_sign2 (out->crt, issuer->crt, issuer->key, GNUTLS_DIG_SHA256, 0), ==, 0);
    }
}

void
ek_test_cert_make_user (EkTestCert       *out,
                        const char       *dn,
                        const EkTestCert *issuer,
                        int               days_left)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  ek_test_cert_make (out, dn, issuer, now - 700 * 86400, now + (gint64) days_left * 86400);
}

char *
ek_test_cert_pem (const EkTestCert *cert)
{
  gnutls_datum_t out = { NULL, 0 };
  char *pem;

  g_assert_cmpint (gnutls_x509_crt_export2 (cert->crt, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return pem;
}

void
ek_test_cert_clear (EkTestCert *cert)
{
  gnutls_x509_crt_deinit (cert->crt);
  gnutls_x509_privkey_deinit (cert->key);
}

EkApiServer *
ek_api_server_start_issuing (EkTestCert *ca,
                             const char *dir,
                             gboolean    tls)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gnutls_datum_t out = { NULL, 0 };
  g_autofree char *ca_pem = NULL, *ca_path = g_build_filename (dir, "issuing-ca.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "issuing-ca.key", NULL);
  const char *args[] = { "--issuing-ca", ca_path, "--issuing-key", key_path, NULL };

  ek_test_cert_make (ca, "CN=EKey Test Issuing CA,O=EKey Assistant tests,C=CN", NULL, now - 3600, now + 3650 * 86400);
  ca_pem = ek_test_cert_pem (ca);
  g_assert_true (g_file_set_contents (ca_path, ca_pem, -1, NULL));
  g_assert_cmpint (gnutls_x509_privkey_export2 (ca->key, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  g_assert_true (g_file_set_contents (key_path, (const char *) out.data, (gssize) out.size, NULL));
  gnutls_free (out.data);
  return tls ? ek_api_server_start_tls (args) : ek_api_server_start (args);
}

void
ek_test_cert_record (EkApiServer      *server,
                     const EkTestCert *cert,
                     const char       *uscc)
{
  g_autofree char *pem = ek_test_cert_pem (cert);
  g_autofree char *path = g_build_filename (server->dir, "record.pem", NULL);
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (path, pem, -1, NULL));
  out = uscc != NULL ? ek_api_run (server, NULL, "certificates", "add", path, "--uscc", uscc, NULL)
                     : ek_api_run (server, NULL, "certificates", "add", path, NULL);
  g_assert_true (g_str_has_suffix (out, "recorded\n"));
}

EkApiResponse *
ek_api_key_login (EkApiServer      *server,
                  const EkTestCert *cert,
                  gboolean          sign_other_data,
                  char            **body_out)
{
  g_autoptr(EkApiResponse) challenge = ek_api_call (server, "POST", "/sessions/challenges", NULL, NULL, NULL);
  g_autofree guchar *nonce = NULL;
  gsize nonce_len;
  gnutls_privkey_t priv;
  gnutls_datum_t data, sig = { NULL, 0 };
  g_autofree char *sig_b64 = NULL, *pem = ek_test_cert_pem (cert), *body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (challenge->status, ==, 201);
  nonce = g_base64_decode (json_object_get_string_member (ek_api_object (challenge), "nonce"), &nonce_len);
  g_assert_cmpuint (nonce_len, ==, 32);
  if (sign_other_data)
    nonce[0] ^= 1;
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
  if (body_out != NULL)
    *body_out = g_strdup (body);
  return ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
}

char *
ek_api_key_token (EkApiServer      *server,
                  const EkTestCert *cert)
{
  g_autoptr(EkApiResponse) login = ek_api_key_login (server, cert, FALSE, NULL);

  g_assert_cmpint (login->status, ==, 201);
  return g_strdup (json_object_get_string_member (ek_api_object (login), "token"));
}

EkApiResponse *
ek_api_call_idem (EkApiServer *server,
                  const char  *method,
                  const char  *path,
                  const char  *token,
                  const char  *body)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *key = g_strdup_printf ("Idempotency-Key: %s", uuid);
  const char *headers[] = { key, NULL };

  return ek_api_call (server, method, path, token, body, headers);
}

gnutls_x509_privkey_t
ek_test_new_key (gnutls_pk_algorithm_t algo)
{
  gnutls_x509_privkey_t key;

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, algo, algo == GNUTLS_PK_RSA ? 2048 :
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  return key;
}

char *
ek_test_csr_body (gnutls_x509_privkey_t key)
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

gnutls_x509_crt_t
ek_test_import_pem (const char *pem)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM), ==, 0);
  return crt;
}

const char *ek_test_renewal_fields =
  "{\"enterprise_name\":\"北京测试科技有限公司\",\"uscc\":\"91350100M000100Y43\",\"legal_representative\":\"罗云\","
  "\"legal_representative_id_type\":\"resident-id\",\"legal_representative_id_number\":\"11010519491231002X\","
  "\"applicant_id_type\":\"resident-id\",\"login_name\":\"LUOYUN\",\"licence_type\":\"electromechanical\","
  "\"contact_address\":\"北京市北京经济技术开发区荣华中路11号\","
  "\"applicant_name\":\"王兵\",\"applicant_id_number\":\"110102199101010078\",\"email\":\"wangbing@126.com\","
  "\"mobile\":\"18910123221\",\"postcode\":\"100176\"}";

char *
ek_api_submit_renewal (EkApiServer *server,
                       const char  *token)
{
  g_autofree char *body = g_strdup_printf ("{\"business_type\":\"renewal\",\"fields\":%s}", ek_test_renewal_fields);
  g_autoptr(EkApiResponse) created = ek_api_call_idem (server, "POST", "/applications", token, body);
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
    g_autoptr(EkApiResponse) sub = ek_api_call_idem (server, "POST", submit, token, NULL);
    g_assert_cmpint (sub->status, ==, 200);
  }
  return g_steal_pointer (&id);
}
