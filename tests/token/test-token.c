/* test-token.c: keys on real SoftHSM2 tokens — listing, verdicts, PIN, signing, hot-plug */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <p11-kit/pkcs11.h>
#include <signal.h>

#include "ek-certificate-info.h"
#include "ek-credit-code.h"
#include "ek-test-common.h"
#include "token-fixture.h"

static GPtrArray *
list_tokens (EkTokenManager *manager)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *tokens = ek_token_manager_list_tokens (manager, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  return tokens;
}

static void
test_list_verdicts (void)
{
  g_autoptr(EkTokenManager) manager = token_fixture_manager (NULL);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(GPtrArray) errors = ek_token_manager_get_module_errors (manager);
  EkToken *a, *b;
  EkCertificateInfo *valid, *absent, *bad, *sm2;
  const char * const *orgs;
  const char *instead_value = NULL;
  GPtrArray *attributes;
  gboolean saw_bmp_value = FALSE;

  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (tokens->len, ==, 2);  /* SoftHSM's empty "free" slot is not a key */
  a = token_fixture_find_token (tokens, "EK-TOKEN-A");
  b = token_fixture_find_token (tokens, "EK-TOKEN-B");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (ek_token_get_manufacturer (a), ==, "SoftHSM project");
  g_assert_cmpuint (ek_token_get_certificates (a)->len, ==, 2);
  g_assert_cmpuint (ek_token_get_certificates (b)->len, ==, 3);

  valid = token_fixture_find_cert (a, "01");
  g_assert_nonnull (valid);
  g_assert_cmpint (ek_certificate_info_get_uscc_status (valid), ==, EK_USCC_VALID);
  g_assert_cmpstr (ek_certificate_info_get_uscc (valid), ==, "91350100M000100Y43");
  orgs = ek_certificate_info_get_organizations (valid);
  g_assert_cmpstr (orgs[0], ==, "91350100M000100Y43");
  g_assert_cmpstr (orgs[1], ==, "福州测试贸易有限公司");
  g_assert_null (orgs[2]);
  g_assert_cmpstr (ek_certificate_info_get_enterprise_name (valid), ==, "福州测试贸易有限公司");
  g_assert_cmpstr (ek_certificate_info_get_enterprise_code_13 (valid), ==, "9999400000560");
  g_assert_cmpstr (ek_certificate_info_get_login_name (valid), ==, "LUOYUN");
  g_assert_cmpstr (ek_certificate_info_get_key_algorithm (valid), ==, "RSA");
  g_assert_cmpuint (ek_certificate_info_get_key_bits (valid), ==, 2048);
  g_assert_cmpstr (ek_certificate_info_get_signature_algorithm (valid), ==, "RSA-SHA256");
  g_assert_false (ek_certificate_info_is_expired (valid, NULL));
  g_assert_cmpint (ek_certificate_info_get_days_left (valid, NULL), >=, 363);
  g_assert_cmpstr (ek_certificate_info_get_object_label (valid), ==, "LUOYUN");
  g_assert_cmpstr (ek_certificate_info_get_subject (valid), ==,
                   "CN=9999400000560-LUOYUN,O=福州测试贸易有限公司,O=91350100M000100Y43,L=福州,ST=福建,C=CN");
  g_assert_true (g_strv_contains (ek_certificate_info_get_key_usage (valid), "digitalSignature"));
  g_assert_cmpuint (strlen (ek_certificate_info_get_sha256 (valid)), ==, 64);

  /* The seed's kind: no code, a 15-digit number in its place; values were BMPString */
  absent = token_fixture_find_cert (a, "02");
  g_assert_nonnull (absent);
  g_assert_cmpint (ek_certificate_info_get_uscc_status (absent), ==, EK_USCC_ABSENT);
  g_assert_null (ek_certificate_info_get_uscc (absent));
  g_assert_cmpint (ek_certificate_info_get_uscc_instead (absent, &instead_value), ==,
                   EK_USCC_INSTEAD_REGISTRATION_NUMBER);
  g_assert_cmpstr (instead_value, ==, "123123123123123-云");
  orgs = ek_certificate_info_get_organizations (absent);
  g_assert_cmpstr (orgs[0], ==, "IELIC");
  g_assert_cmpstr (orgs[1], ==, "123123123123123-云");
  g_assert_cmpstr (ek_certificate_info_get_login_name (absent), ==, "罗云");
  g_assert_cmpstr (ek_certificate_info_get_key_algorithm (absent), ==, "EC");
  g_assert_cmpstr (ek_certificate_info_get_object_label (absent), ==, "罗云");
  attributes = ek_certificate_info_get_subject_attributes (absent);
  for (guint i = 0; i < attributes->len; i++)
    {
      EkDnAttribute *attr = g_ptr_array_index (attributes, i);

      if (g_str_equal (attr->name, "L"))
        {
          g_assert_cmpstr (attr->value, ==, "东城");
          saw_bmp_value = TRUE;
        }
    }
  g_assert_true (saw_bmp_value);

  bad = token_fixture_find_cert (b, "03");
  g_assert_nonnull (bad);
  g_assert_cmpint (ek_certificate_info_get_uscc_status (bad), ==, EK_USCC_BAD_CHECK);
  g_assert_cmpstr (ek_certificate_info_get_uscc (bad), ==, "91350100M000100Y4Z");
  g_assert_true (ek_certificate_info_is_expired (bad, NULL));
  g_assert_cmpint (ek_certificate_info_get_days_left (bad, NULL), <, 0);
  g_assert_cmpstr (ek_certificate_info_get_login_name (bad), ==, "许可证测试用户");
  g_assert_cmpstr (ek_certificate_info_get_serial (bad), ==, "0a0b0c");

  sm2 = token_fixture_find_cert (b, "04");
  g_assert_nonnull (sm2);
  g_assert_cmpstr (ek_certificate_info_get_key_algorithm (sm2), ==, "SM2");
  g_assert_cmpuint (ek_certificate_info_get_key_bits (sm2), ==, 256);
  g_assert_cmpstr (ek_certificate_info_get_signature_algorithm (sm2), ==, "SM2-SM3");
  g_assert_cmpint (ek_certificate_info_get_uscc_status (sm2), ==, EK_USCC_VALID);
  g_assert_cmpstr (ek_certificate_info_get_enterprise_name (sm2), ==, "北京测试科技有限公司");
  g_assert_cmpstr (ek_certificate_info_get_object_label (sm2), ==, "SM2-罗云");

  g_assert_cmpint (ek_token_manager_diagnose (manager, NULL, NULL), ==, EK_TOKEN_DIAGNOSIS_OK);
}

/* The same SoftHSM tokens through a second copy of the module appear once */
static void
test_same_token_two_modules (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *copy = g_build_filename (dir, "libsofthsm2-copy.so", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (SOFTHSM_MODULE, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, contents, length, &error);
  g_assert_no_error (error);
  {
    const char *extra[] = { copy, NULL };
    g_autoptr(EkTokenManager) manager = token_fixture_manager (extra);
    g_autoptr(GPtrArray) tokens = list_tokens (manager);
    g_auto(GStrv) modules = ek_token_manager_dup_module_paths (manager);

    g_assert_cmpuint (g_strv_length (modules), ==, 2);
    g_assert_cmpuint (tokens->len, ==, 2);
  }
}

/* Registered modules (as a user's machine has them) minus the trust store */
static void
test_registered_modules (void)
{
  g_autoptr(EkTokenManager) manager = ek_token_manager_new (NULL, EK_TOKEN_MANAGER_FLAGS_NONE);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);

  g_assert_nonnull (token_fixture_find_token (tokens, "EK-TOKEN-A"));
  g_assert_null (token_fixture_find_token (tokens, "System Trust"));
}

/* A broken module path is reported with its path and never hides the working one */
static void
test_broken_module_reported (void)
{
  const char *extra[] = { "/nonexistent/libvendor-pkcs11.so", NULL };
  g_autoptr(EkTokenManager) manager = token_fixture_manager (extra);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(GPtrArray) errors = ek_token_manager_get_module_errors (manager);

  g_assert_cmpuint (tokens->len, ==, 2);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (errors, 0))->message, "/nonexistent/libvendor-pkcs11.so"));
}

static void
test_wrong_pin_then_right (void)
{
  g_autoptr(EkTokenManager) manager = token_fixture_manager (NULL);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSecret) wrong = ek_secret_new ("000000", -1);
  g_autoptr(EkSecret) right = ek_secret_new ("654321", -1);
  EkToken *b = token_fixture_find_token (tokens, "EK-TOKEN-B");

  g_assert_cmpint (ek_token_get_pin_state (b), ==, EK_PIN_STATE_OK);
  g_assert_false (ek_token_manager_login (manager, b, wrong, NULL, &error));
  g_assert_error (error, EK_TOKEN_ERROR, CKR_PIN_INCORRECT);
  g_assert_nonnull (strstr (error->message, "CKR_PIN_INCORRECT"));
  g_clear_error (&error);

  /* SoftHSM keeps COUNT_LOW after a wrong PIN: the view says so */
  after = list_tokens (manager);
  g_assert_cmpint (ek_token_get_pin_state (token_fixture_find_token (after, "EK-TOKEN-B")), ==,
                   EK_PIN_STATE_COUNT_LOW);

  g_assert_true (ek_token_manager_login (manager, b, right, NULL, &error));
  g_assert_no_error (error);
  again = list_tokens (manager);
  g_assert_cmpint (ek_token_get_pin_state (token_fixture_find_token (again, "EK-TOKEN-B")), ==,
                   EK_PIN_STATE_OK);
}

typedef struct
{
  GMainLoop *loop;
  GBytes    *signature;
  char      *algorithm;
  GError    *error;
} SignResult;

static void
sign_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SignResult *r = user_data;

  r->signature = ek_token_manager_sign_finish (EK_TOKEN_MANAGER (object), result, &r->algorithm, &r->error);
  g_main_loop_quit (r->loop);
}

static void
sign_and_verify (const char          *label,
                 const char          *pin_text,
                 const char          *id,
                 gnutls_sign_algorithm_t algorithm)
{
  g_autoptr(EkTokenManager) manager = token_fixture_manager (NULL);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(EkSecret) pin = ek_secret_new (pin_text, -1);
  g_autoptr(GBytes) challenge = NULL;
  guint8 data[32];
  EkToken *token = token_fixture_find_token (tokens, label);
  EkCertificateInfo *info = token_fixture_find_cert (token, id);
  SignResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL, NULL };
  gnutls_x509_crt_t crt;
  gnutls_pubkey_t pub;
  gnutls_datum_t der, message, sig;

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) g_random_int ();
  challenge = g_bytes_new (data, sizeof data);
  ek_token_manager_sign_async (manager, token, info, pin, challenge, NULL, sign_done_cb, &r);
  g_main_loop_run (r.loop);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.signature);

  /* Verified against the certificate's own public key */
  der.data = (unsigned char *) g_bytes_get_data (ek_certificate_info_get_der (info), NULL);
  der.size = g_bytes_get_size (ek_certificate_info_get_der (info));
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &der, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509 (pub, crt, 0), ==, 0);
  message.data = data;
  message.size = sizeof data;
  sig.data = (unsigned char *) g_bytes_get_data (r.signature, NULL);
  sig.size = g_bytes_get_size (r.signature);
  g_assert_cmpint (gnutls_pubkey_verify_data2 (pub, algorithm, 0, &message, &sig), >=, 0);
  data[0] ^= 1;
  g_assert_cmpint (gnutls_pubkey_verify_data2 (pub, algorithm, 0, &message, &sig), ==,
                   GNUTLS_E_PK_SIG_VERIFY_FAILED);
  g_assert_cmpstr (r.algorithm, ==, algorithm == GNUTLS_SIGN_RSA_SHA256 ? "RSA-SHA256" : "ECDSA-SHA256");

  gnutls_pubkey_deinit (pub);
  gnutls_x509_crt_deinit (crt);
  g_bytes_unref (r.signature);
  g_free (r.algorithm);
  g_main_loop_unref (r.loop);
}

static void
test_sign_rsa (void)
{
  sign_and_verify ("EK-TOKEN-A", "123456", "01", GNUTLS_SIGN_RSA_SHA256);
}

static void
test_sign_ecdsa (void)
{
  sign_and_verify ("EK-TOKEN-A", "123456", "02", GNUTLS_SIGN_ECDSA_SHA256);
}

/* SoftHSM cannot hold an SM2 key: signing with that certificate fails clearly */
static void
test_sign_without_private_key (void)
{
  g_autoptr(EkTokenManager) manager = token_fixture_manager (NULL);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(EkSecret) pin = ek_secret_new ("654321", -1);
  g_autoptr(GBytes) challenge = g_bytes_new_static ("challenge", 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = NULL;
  EkToken *b = token_fixture_find_token (tokens, "EK-TOKEN-B");

  signature = ek_token_manager_sign (manager, b, token_fixture_find_cert (b, "04"), pin, challenge, NULL, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, EK_TOKEN_ERROR, CKR_OBJECT_HANDLE_INVALID);
  g_assert_nonnull (strstr (error->message, "no private key"));
}

typedef struct
{
  GMainLoop *loop;
  guint      expected;
  gboolean   seen;
} WatchState;

static void
on_tokens_changed_cb (EkTokenManager *manager,
                      WatchState     *state)
{
  g_autoptr(GPtrArray) tokens = ek_token_manager_get_tokens (manager);

  if (tokens->len == state->expected)
    {
      state->seen = TRUE;
      g_main_loop_quit (state->loop);
    }
}

static gboolean
watch_timeout_cb (gpointer user_data)
{
  g_main_loop_quit (((WatchState *) user_data)->loop);
  return G_SOURCE_REMOVE;
}

static void
wait_for_tokens (EkTokenManager *manager,
                 WatchState     *state,
                 guint           expected)
{
  guint timeout;

  state->expected = expected;
  state->seen = FALSE;
  /* A generous bound only so that a broken watch fails instead of hanging */
  timeout = g_timeout_add_seconds (20, watch_timeout_cb, state);
  g_main_loop_run (state->loop);
  g_source_remove (timeout);
  g_assert_true (state->seen);
}

/* Insert a key (a new token), pull it out (its folder moved away), insert it again */
static void
test_watch_insert_remove (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *tokendir = g_build_filename (dir, "tokens", NULL);
  g_autofree char *aside = g_build_filename (dir, "aside", NULL);
  g_autoptr(EkTokenManager) manager = token_fixture_manager (NULL);
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_auto(GStrv) before = token_fixture_list_tokens_dir (tokendir);
  g_auto(GStrv) after = NULL;
  g_autofree char *new_dir = NULL, *new_path = NULL;
  WatchState state = { g_main_loop_new (NULL, FALSE), 0, FALSE };
  const char *init[] = { "softhsm2-util", "--init-token", "--free", "--label", "EK-TOKEN-C", "--so-pin",
                         "87654321", "--pin", "111111", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpuint (tokens->len, ==, 2);
  g_signal_connect (manager, "tokens-changed", G_CALLBACK (on_tokens_changed_cb), &state);
  ek_token_manager_start_watching (manager, 100);

  g_assert_cmpint (token_fixture_run (init, &out, &err), ==, 0);
  wait_for_tokens (manager, &state, 3);
  g_clear_pointer (&tokens, g_ptr_array_unref);
  tokens = ek_token_manager_get_tokens (manager);
  g_assert_nonnull (token_fixture_find_token (tokens, "EK-TOKEN-C"));

  after = token_fixture_list_tokens_dir (tokendir);
  for (guint i = 0; after[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) before, after[i]))
      new_dir = g_strdup (after[i]);
  g_assert_nonnull (new_dir);
  new_path = g_build_filename (tokendir, new_dir, NULL);
  g_assert_cmpint (g_rename (new_path, aside), ==, 0);
  wait_for_tokens (manager, &state, 2);
  g_clear_pointer (&tokens, g_ptr_array_unref);
  tokens = ek_token_manager_get_tokens (manager);
  g_assert_null (token_fixture_find_token (tokens, "EK-TOKEN-C"));

  g_assert_cmpint (g_rename (aside, new_path), ==, 0);
  wait_for_tokens (manager, &state, 3);

  ek_token_manager_stop_watching (manager);
  g_assert_cmpint (g_rename (new_path, aside), ==, 0);  /* leave the fixture as it was */
  g_main_loop_unref (state.loop);
}

/* The command line contract: token list --json and cert show --json */
static void
test_cli_token_list_json (void)
{
  const char *argv[] = { g_getenv ("EK_TOOL"), "token", "list", "--only-listed", "--module", SOFTHSM_MODULE,
                         "--json", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *tokens;
  gboolean found_valid = FALSE;

  g_assert_cmpint (token_fixture_run (argv, &out, &err), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  tokens = json_object_get_array_member (json_node_get_object (root), "tokens");
  g_assert_cmpuint (json_array_get_length (tokens), ==, 2);
  for (guint i = 0; i < json_array_get_length (tokens); i++)
    {
      JsonObject *token = json_array_get_object_element (tokens, i);
      JsonObject *pin = json_object_get_object_member (token, "pin");
      JsonArray *certs = json_object_get_array_member (token, "certificates");
      const char *keys[] = { "module", "slot_id", "label", "manufacturer", "model", "serial", NULL };
      const char *cert_keys[] = { "label", "id", "subject", "issuer", "organizations", "common_name",
                                  "enterprise_code_13", "login_name", "uscc", "serial", "not_before",
                                  "not_after", "days_left", "expired", "key_algorithm", "key_bits",
                                  "signature_algorithm", "sha256", NULL };

      for (guint k = 0; keys[k] != NULL; k++)
        g_assert_true (json_object_has_member (token, keys[k]));
      g_assert_true (json_object_has_member (pin, "count_low"));
      g_assert_true (json_object_has_member (pin, "final_try"));
      g_assert_true (json_object_has_member (pin, "locked"));
      for (guint j = 0; j < json_array_get_length (certs); j++)
        {
          JsonObject *cert = json_array_get_object_element (certs, j);
          JsonObject *uscc = json_object_get_object_member (cert, "uscc");

          for (guint k = 0; cert_keys[k] != NULL; k++)
            g_assert_true (json_object_has_member (cert, cert_keys[k]));
          if (g_str_equal (json_object_get_string_member (uscc, "status"), "valid") &&
              g_str_equal (json_object_get_string_member (cert, "id"), "01"))
            {
              found_valid = TRUE;
              g_assert_cmpstr (json_object_get_string_member (uscc, "value"), ==, "91350100M000100Y43");
              g_assert_cmpstr (json_object_get_string_member (cert, "enterprise_code_13"), ==, "9999400000560");
              g_assert_cmpstr (json_object_get_string_member (cert, "key_algorithm"), ==, "RSA");
              g_assert_cmpint (json_object_get_int_member (cert, "key_bits"), ==, 2048);
              g_assert_true (g_str_has_suffix (json_object_get_string_member (cert, "not_after"), "Z"));
            }
        }
    }
  g_assert_true (found_valid);
}

static void
test_cli_cert_show (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *pem = g_build_filename (dir, "certs", "orgcode.pem", NULL);
  g_autofree char *der = g_build_filename (dir, "certs", "badcheck.der", NULL);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *out3 = NULL, *err3 = NULL;
  g_autofree char *garbage = ek_test_write_temp_file ("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n", -1);
  const char *argv_pem[] = { g_getenv ("EK_TOOL"), "cert", "show", pem, "--json", NULL };
  const char *argv_der[] = { g_getenv ("EK_TOOL"), "cert", "show", der, "--json", NULL };
  const char *argv_bad[] = { g_getenv ("EK_TOOL"), "cert", "show", garbage, NULL };
  g_autoptr(JsonNode) root = NULL, root2 = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *uscc, *instead;

  g_assert_cmpint (token_fixture_run (argv_pem, &out, &err), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  uscc = json_object_get_object_member (json_node_get_object (root), "uscc");
  g_assert_cmpstr (json_object_get_string_member (uscc, "status"), ==, "absent");
  g_assert_true (json_object_get_null_member (uscc, "value"));
  instead = json_object_get_object_member (uscc, "instead");
  g_assert_cmpstr (json_object_get_string_member (instead, "kind"), ==, "organization-code-9");
  g_assert_cmpstr (json_object_get_string_member (instead, "value"), ==, "40000056-0");
  g_assert_true (json_object_get_null_member (json_node_get_object (root), "label"));

  g_assert_cmpint (token_fixture_run (argv_der, &out2, &err2), ==, 0);
  root2 = json_from_string (out2, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root2), "expired"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (root2), "uscc"),
                                                  "status"), ==, "bad-check");

  g_assert_cmpint (token_fixture_run (argv_bad, &out3, &err3), !=, 0);
  g_assert_cmpstr (out3, ==, "");
  g_assert_nonnull (strstr (err3, garbage));
}

static char *
read_line (GDataInputStream *in)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* `ekey-tool token watch`: a line per insertion and removal, until interrupted */
static void
test_cli_token_watch (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *tokendir = g_build_filename (dir, "tokens", NULL);
  g_autofree char *aside = g_build_filename (dir, "aside-cli", NULL);
  g_auto(GStrv) before = token_fixture_list_tokens_dir (tokendir);
  g_auto(GStrv) after = NULL;
  g_autofree char *new_path = NULL, *out = NULL, *err = NULL;
  g_autofree char *line1 = NULL, *line2 = NULL, *line3 = NULL, *line4 = NULL;
  const char *init[] = { "softhsm2-util", "--init-token", "--free", "--label", "EK-TOKEN-W", "--so-pin",
                         "87654321", "--pin", "111111", NULL };
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;

  watch = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("EK_TOOL"), "token", "watch",
                            "--only-listed", "--module", SOFTHSM_MODULE, "--interval", "100", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (watch));
  line1 = read_line (in);
  line2 = read_line (in);
  g_assert_true (g_str_has_prefix (line1, "inserted\t"));
  g_assert_true (g_str_has_prefix (line2, "inserted\t"));

  g_assert_cmpint (token_fixture_run (init, &out, &err), ==, 0);
  line3 = read_line (in);
  g_assert_true (g_str_has_prefix (line3, "inserted\t"));
  g_assert_true (g_str_has_suffix (line3, "\tEK-TOKEN-W"));

  after = token_fixture_list_tokens_dir (tokendir);
  for (guint i = 0; after[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) before, after[i]))
      new_path = g_build_filename (tokendir, after[i], NULL);
  g_assert_nonnull (new_path);
  g_assert_cmpint (g_rename (new_path, aside), ==, 0);
  line4 = read_line (in);
  g_assert_true (g_str_has_prefix (line4, "removed\t"));
  g_assert_true (g_str_has_suffix (line4, "\tEK-TOKEN-W"));

  g_subprocess_send_signal (watch, SIGTERM);
  g_subprocess_wait (watch, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (watch));
  g_assert_cmpint (g_subprocess_get_exit_status (watch), ==, 0);
}

/* Why no key is seen: each case a clerk meets, through the command line's own environment */
static void
diagnose_with (const char *modules_env,
               const char *vendor_dirs,
               const char *expected)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL, *err = NULL;
  JsonObject *diagnosis;

  g_subprocess_launcher_setenv (launcher, "EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "EKEY_PKCS11_MODULES", modules_env, TRUE);
  g_subprocess_launcher_setenv (launcher, "EKEY_VENDOR_MODULE_DIRS", vendor_dirs, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("EK_TOOL"), "token", "list", "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  diagnosis = json_object_get_object_member (json_node_get_object (root), "diagnosis");
  g_assert_cmpstr (json_object_get_string_member (diagnosis, "status"), ==, expected);
  g_assert_cmpuint (strlen (json_object_get_string_member (diagnosis, "message")), >, 10);
}

static void
test_diagnose (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *empty = g_build_filename (dir, "empty-vendor", NULL);
  g_autofree char *vendor_dir = g_build_filename (dir, "vendor", NULL);
  g_autofree char *vendor_lib = g_build_filename (vendor_dir, "x86_64", "libgm3000_pkcs11.so", NULL);
  g_autofree char *vendor_sub = g_path_get_dirname (vendor_lib);
  g_autofree char *empty_conf_dir = g_build_filename (dir, "empty-hsm", NULL);
  g_autofree char *empty_tokens = g_build_filename (empty_conf_dir, "tokens", NULL);
  g_autofree char *empty_conf = g_build_filename (empty_conf_dir, "softhsm2.conf", NULL);
  g_autofree char *conf_text = g_strdup_printf ("directories.tokendir = %s\nobjectstore.backend = file\n", empty_tokens);
  const char *old_conf = g_getenv ("SOFTHSM2_CONF");
  g_autofree char *saved = g_strdup (old_conf);

  g_mkdir_with_parents (empty, 0755);
  g_mkdir_with_parents (vendor_sub, 0755);
  g_mkdir_with_parents (empty_tokens, 0755);
  g_assert_true (g_file_set_contents (vendor_lib, "not really a driver", -1, NULL));
  g_assert_true (g_file_set_contents (empty_conf, conf_text, -1, NULL));

  diagnose_with ("", empty, "no-module");
  diagnose_with ("", vendor_dir, "vendor-unregistered");
  g_setenv ("SOFTHSM2_CONF", empty_conf, TRUE);
  diagnose_with (SOFTHSM_MODULE, empty, "no-token");
  g_setenv ("SOFTHSM2_CONF", saved, TRUE);
  diagnose_with (SOFTHSM_MODULE, empty, "ok");
}

/* A vendor's driver added in the settings (as the key view's "Use this driver" does) is used
 * by the command line too, with nothing on its command line or in its environment */
static void
test_cli_uses_settings_modules (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *keyfile_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (keyfile_dir, "keyfile", NULL);
  g_autofree char *contents = g_strdup_printf ("[org/ekeyassistant/EKeyAssistant]\npkcs11-modules=['%s']\n",
                                               SOFTHSM_MODULE);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL, *err = NULL;
  JsonArray *tokens;

  g_assert_cmpint (g_mkdir_with_parents (keyfile_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile, contents, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "EKEY_PKCS11_MODULES");
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("EK_TOOL"), "token", "list",
                                      "--only-listed", "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  tokens = json_object_get_array_member (json_node_get_object (root), "tokens");
  g_assert_cmpuint (json_array_get_length (tokens), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tokens, 0), "module"),
                   ==, SOFTHSM_MODULE);

  /* Without the setting, the same command finds no key */
  g_clear_object (&proc);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (keyfile, "[org/ekeyassistant/EKeyAssistant]\npkcs11-modules=@as []\n", -1, NULL));
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("EK_TOOL"), "token", "list",
                                      "--only-listed", "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  tokens = json_object_get_array_member (json_node_get_object (root), "tokens");
  g_assert_cmpuint (json_array_get_length (tokens), ==, 0);
}

/* A self-signed certificate with @subject (RFC 4514, UTF-8), made here with gnutls */
static EkCertificateInfo *
certificate_with_subject (const char *subject)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  gnutls_datum_t der = { NULL, 0 };
  const char *bad = NULL;
  unsigned char serial[] = { 0x01, 0x02 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  EkCertificateInfo *info;

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, 1767225600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, 1830297600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn (crt, subject, &bad), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &der), ==, 0);
  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
  info = ek_certificate_info_new_from_der (bytes, &error);
  g_assert_no_error (error);
  return info;
}

static void
test_code13_with_letters (void)
{
  /* Organisation codes issued since 2015 have letters (DOMAIN-FACTS §3): MA1K3BTP-2 */
  g_autoptr(EkCertificateInfo) letters = certificate_with_subject ("CN=3100MA1K3BTP2-许可证测试用户,O=IELIC,C=CN");
  /* The GB 11714 check character wrong: the code is read, and said to be wrong */
  g_autoptr(EkCertificateInfo) bad = certificate_with_subject ("CN=3100MA1K3BTP3-LUOYUN,C=CN");
  /* Seed 003's 12-digit typo is not a code */
  g_autoptr(EkCertificateInfo) short_code = certificate_with_subject ("CN=999940000560-LUOYUN,C=CN");
  /* Lower case is not the code's alphabet */
  g_autoptr(EkCertificateInfo) lower = certificate_with_subject ("CN=3100ma1k3btp2-LUOYUN,C=CN");

  g_assert_cmpstr (ek_certificate_info_get_enterprise_code_13 (letters), ==, "3100MA1K3BTP2");
  g_assert_cmpstr (ek_certificate_info_get_login_name (letters), ==, "许可证测试用户");
  g_assert_cmpint (ek_enterprise_code_13_check ("3100MA1K3BTP2"), ==, EK_CREDIT_CODE_VALID);
  g_assert_cmpint (ek_enterprise_code_13_check ("9999400000560"), ==, EK_CREDIT_CODE_VALID);
  g_assert_cmpstr (ek_certificate_info_get_enterprise_code_13 (bad), ==, "3100MA1K3BTP3");
  g_assert_cmpint (ek_enterprise_code_13_check ("3100MA1K3BTP3"), ==, EK_CREDIT_CODE_BAD_CHECK);
  g_assert_null (ek_certificate_info_get_enterprise_code_13 (short_code));
  g_assert_null (ek_certificate_info_get_enterprise_code_13 (lower));
  g_assert_cmpint (ek_enterprise_code_13_check ("999940000560"), ==, EK_CREDIT_CODE_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  token_fixture_setup ();

  g_test_add_func ("/token/code13-with-letters", test_code13_with_letters);

  g_test_add_func ("/token/list-verdicts", test_list_verdicts);
  g_test_add_func ("/token/same-token-two-modules", test_same_token_two_modules);
  g_test_add_func ("/token/registered-modules", test_registered_modules);
  g_test_add_func ("/token/broken-module-reported", test_broken_module_reported);
  g_test_add_func ("/token/wrong-pin-then-right", test_wrong_pin_then_right);
  g_test_add_func ("/token/sign-rsa", test_sign_rsa);
  g_test_add_func ("/token/sign-ecdsa", test_sign_ecdsa);
  g_test_add_func ("/token/sign-without-private-key", test_sign_without_private_key);
  g_test_add_func ("/token/watch-insert-remove", test_watch_insert_remove);
  g_test_add_func ("/token/cli-token-list-json", test_cli_token_list_json);
  g_test_add_func ("/token/cli-cert-show", test_cli_cert_show);
  g_test_add_func ("/token/cli-uses-settings-modules", test_cli_uses_settings_modules);
  g_test_add_func ("/token/cli-token-watch", test_cli_token_watch);
  g_test_add_func ("/token/diagnose", test_diagnose);
  return g_test_run ();
}
