/* test-token-faults.c: every fault a key or its driver can throw ends in a clear state
 *
 * The fault-injecting module (ek-fault-pkcs11.c) is loaded by path beside SoftHSM; each test
 * chooses its faults through $EK_FAULT_PKCS11 before the module is initialised.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <p11-kit/pkcs11.h>

#include "ek-test-common.h"
#include "token-fixture.h"

static EkTokenManager *
fault_manager (const char *faults)
{
  const char *extra[] = { g_getenv ("EK_FAULT_MODULE"), NULL };
  const char *dir = token_fixture_setup ();
  g_autofree char *cert = g_build_filename (dir, "certs", "valid.der", NULL);

  g_assert_nonnull (extra[0]);
  g_setenv ("EK_FAULT_PKCS11", faults, TRUE);
  g_setenv ("EK_FAULT_PKCS11_CERT", cert, TRUE);
  return token_fixture_manager (extra);
}

static GPtrArray *
list_tokens (EkTokenManager *manager)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *tokens = ek_token_manager_list_tokens (manager, NULL, &error);

  g_assert_no_error (error);
  return tokens;
}

static void
test_initialize_fails (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("init-fail");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(GPtrArray) errors = ek_token_manager_get_module_errors (manager);
  GError *error;

  /* The failing module is named with its CK_RV; SoftHSM's keys are still there */
  g_assert_cmpuint (tokens->len, ==, 2);
  g_assert_cmpuint (errors->len, ==, 1);
  error = g_ptr_array_index (errors, 0);
  g_assert_error (error, EK_TOKEN_ERROR, CKR_DEVICE_ERROR);
  g_assert_nonnull (strstr (error->message, g_getenv ("EK_FAULT_MODULE")));
  g_assert_nonnull (strstr (error->message, "CKR_DEVICE_ERROR"));
}

/* The same through `ekey-tool token list`: the failing module is named with its CK_RV on
 * stderr, exit status 3, and SoftHSM's keys are listed */
static void
test_cli_initialize_fails (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *cert = g_build_filename (dir, "certs", "valid.der", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL, *err = NULL;

  g_subprocess_launcher_setenv (launcher, "EK_FAULT_PKCS11", "init-fail", TRUE);
  g_subprocess_launcher_setenv (launcher, "EK_FAULT_PKCS11_CERT", cert, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "EKEY_PKCS11_MODULES");
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("EK_TOOL"), "token", "list", "--only-listed",
                                      "--module", g_getenv ("EK_FAULT_MODULE"), "--module", SOFTHSM_MODULE,
                                      "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 3);
  g_assert_nonnull (strstr (err, g_getenv ("EK_FAULT_MODULE")));
  g_assert_nonnull (strstr (err, "CKR_DEVICE_ERROR"));
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "tokens")),
                    ==, 2);
}

static void
test_final_try_then_locked (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("final-try");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(EkSecret) wrong = ek_secret_new ("999999", -1);
  g_autoptr(EkSecret) right = ek_secret_new ("123456", -1);
  g_autoptr(GError) error = NULL;
  EkToken *token = token_fixture_find_token (tokens, "FAULT-TOKEN");

  g_assert_nonnull (token);
  g_assert_cmpint (ek_token_get_pin_state (token), ==, EK_PIN_STATE_FINAL_TRY);
  g_assert_nonnull (strstr (ek_pin_state_describe (EK_PIN_STATE_FINAL_TRY), "One more wrong PIN"));

  g_assert_false (ek_token_manager_login (manager, token, wrong, NULL, &error));
  g_assert_error (error, EK_TOKEN_ERROR, CKR_PIN_LOCKED);
  g_assert_nonnull (strstr (error->message, "PIN unlock"));
  g_clear_error (&error);

  after = list_tokens (manager);
  token = token_fixture_find_token (after, "FAULT-TOKEN");
  g_assert_cmpint (ek_token_get_pin_state (token), ==, EK_PIN_STATE_LOCKED);
  /* A locked key is not even tried: the right PIN cannot use up anything */
  g_assert_false (ek_token_manager_login (manager, token, right, NULL, &error));
  g_assert_error (error, EK_TOKEN_ERROR, CKR_PIN_LOCKED);
}

static void
test_count_low_wrong_pin (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("count-low");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(EkSecret) wrong = ek_secret_new ("999999", -1);
  g_autoptr(GError) error = NULL;
  EkToken *token = token_fixture_find_token (tokens, "FAULT-TOKEN");

  g_assert_cmpint (ek_token_get_pin_state (token), ==, EK_PIN_STATE_COUNT_LOW);
  g_assert_false (ek_token_manager_login (manager, token, wrong, NULL, &error));
  g_assert_error (error, EK_TOKEN_ERROR, CKR_PIN_INCORRECT);
  g_assert_nonnull (strstr (error->message, "six wrong PINs"));
}

static void
test_locked (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("locked");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  EkToken *token = token_fixture_find_token (tokens, "FAULT-TOKEN");

  g_assert_cmpint (ek_token_get_pin_state (token), ==, EK_PIN_STATE_LOCKED);
  /* Certificates are still readable without a PIN */
  g_assert_cmpuint (ek_token_get_certificates (token)->len, ==, 1);
}

static void
test_removed_mid_enumeration (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("removed-mid-enum");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);

  /* Two SoftHSM tokens and the fault token; the slot whose token vanished is skipped */
  g_assert_cmpuint (tokens->len, ==, 3);
  g_assert_nonnull (token_fixture_find_token (tokens, "FAULT-TOKEN"));
}

static void
test_bad_certificates (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("garbage-der,oversized-attr");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  EkToken *token = token_fixture_find_token (tokens, "FAULT-TOKEN");
  GPtrArray *problems = ek_token_get_problems (token);
  gboolean garbage = FALSE, huge = FALSE;

  /* The good certificate is shown; each bad one is a sentence, not a crash */
  g_assert_cmpuint (ek_token_get_certificates (token)->len, ==, 1);
  g_assert_cmpint (ek_certificate_info_get_uscc_status (g_ptr_array_index (ek_token_get_certificates (token), 0)),
                   ==, EK_USCC_VALID);
  g_assert_cmpuint (problems->len, ==, 2);
  for (guint i = 0; i < problems->len; i++)
    {
      const char *p = g_ptr_array_index (problems, i);

      if (strstr (p, "GARBAGE") != NULL && strstr (p, "damaged") != NULL)
        garbage = TRUE;
      if (strstr (p, "HUGE") != NULL && strstr (p, "1073741824") != NULL)
        huge = TRUE;
    }
  g_assert_true (garbage);
  g_assert_true (huge);
}

static void
test_unterminated_labels (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("unterminated-label");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  EkToken *token = NULL;

  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (ek_token_get_serial (g_ptr_array_index (tokens, i)), "FAULT0001"))
      token = g_ptr_array_index (tokens, i);
  g_assert_nonnull (token);
  g_assert_true (g_utf8_validate (ek_token_get_label (token), -1, NULL));
  /* 32 bytes that end in the middle of a character: that character is dropped */
  g_assert_cmpstr (ek_token_get_label (token), ==, "故障钥匙故障钥匙故障");
  g_assert_cmpuint (strlen (ek_token_get_manufacturer (token)), ==, 32);
}

/* A key type the driver names its own way (SM2 on Chinese tokens): a clear refusal */
static void
test_sign_unknown_key_type (void)
{
  g_autoptr(EkTokenManager) manager = fault_manager ("");
  g_autoptr(GPtrArray) tokens = list_tokens (manager);
  g_autoptr(EkSecret) pin = ek_secret_new ("123456", -1);
  g_autoptr(GBytes) challenge = g_bytes_new_static ("challenge", 9);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  EkToken *token = token_fixture_find_token (tokens, "FAULT-TOKEN");

  signature = ek_token_manager_sign (manager, token, token_fixture_find_cert (token, "01"), pin, challenge,
                                     NULL, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, EK_TOKEN_ERROR, CKR_MECHANISM_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  token_fixture_setup ();

  g_test_add_func ("/token-faults/initialize-fails", test_initialize_fails);
  g_test_add_func ("/token-faults/cli-initialize-fails", test_cli_initialize_fails);
  g_test_add_func ("/token-faults/final-try-then-locked", test_final_try_then_locked);
  g_test_add_func ("/token-faults/count-low-wrong-pin", test_count_low_wrong_pin);
  g_test_add_func ("/token-faults/locked", test_locked);
  g_test_add_func ("/token-faults/removed-mid-enumeration", test_removed_mid_enumeration);
  g_test_add_func ("/token-faults/bad-certificates", test_bad_certificates);
  g_test_add_func ("/token-faults/unterminated-labels", test_unterminated_labels);
  g_test_add_func ("/token-faults/sign-unknown-key-type", test_sign_unknown_key_type);
  return g_test_run ();
}
