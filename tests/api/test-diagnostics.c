/* test-diagnostics.c: the helpdesk's report, against SoftHSM2 tokens, a real ekey-registry over
 * HTTPS and the scan helper with SANE's test backend
 *
 * The report must say in its first line what is wrong, and must never carry what the session
 * was full of: PINs, session tokens, ID numbers, e-mail addresses, phone numbers, codes.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ek-api-fixture.h"
#include "ek-diagnostics.h"
#include "ek-draft-store.h"
#include "ek-error-journal.h"
#include "ek-redact.h"
#include "ek-test-common.h"
#include "token-fixture.h"

static EkApiServer *server;

/* What a counter session is full of */
#define PIN "123456"
#define ID_NUMBER "11010519491231002X"
#define PHONE "13912345678"
#define EMAIL "wang.fang@example-enterprise.cn"
#define USCC "91350100M000100Y43"   /* the O= of EK-TOKEN-A's first certificate */

static char *session_token;

static void
assert_absent (const char *report,
               const char *secret)
{
  if (strstr (report, secret) != NULL)
    g_error ("the report holds “%s”:\n%s", secret, report);
}

static void
assert_no_secrets (const char *report)
{
  assert_absent (report, PIN);
  assert_absent (report, "654321");
  assert_absent (report, ID_NUMBER);
  assert_absent (report, PHONE);
  assert_absent (report, "139-1234-5678");
  assert_absent (report, EMAIL);
  assert_absent (report, "wang.fang");
  assert_absent (report, USCC);
  assert_absent (report, "13800138000");
  assert_absent (report, session_token);
  /* the 13-digit enterprise code in the certificates' CN */
  assert_absent (report, "9999400000560");
}

static void
test_redact_text (void)
{
  g_autofree char *a = ek_redact_text ("PIN " PIN " for " ID_NUMBER ", call " PHONE " or 139-1234-5678, mail " EMAIL);
  g_autofree char *b = ek_redact_text ("Bearer eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbg.x9Zq3 rejected");
  g_autofree char *c = ek_redact_text ("The key driver /usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so did not start (CKR_GENERAL_ERROR 0x5)");
  g_autofree char *d = ek_redact_text ("北京测试科技有限公司，统一社会信用代码 " USCC "。");
  g_autofree char *code = ek_redact_code (USCC);
  g_autofree char *wide = ek_redact_text ("身份证号 １１０１０５１９４９１２３１００２Ｘ，手机 １３９１２３４５６７８");

  assert_absent (a, PIN);
  assert_absent (a, ID_NUMBER);
  assert_absent (a, PHONE);
  assert_absent (a, "1234-5678");
  assert_absent (a, "wang.fang");
  g_assert_nonnull (strstr (a, "@example-enterprise.cn"));
  assert_absent (b, "eyJhbGciOiJIUzI1NiJ9");
  g_assert_nonnull (strstr (b, "rejected"));
  /* Paths and error codes stay readable */
  g_assert_cmpstr (c, ==, "The key driver /usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so did not start (CKR_GENERAL_ERROR 0x5)");
  g_assert_nonnull (strstr (d, "北京测试科技有限公司"));
  assert_absent (d, USCC);
  g_assert_cmpstr (code, ==, "9135************43");
  /* Typed with a Chinese input method: full-width digits */
  assert_absent (wide, ID_NUMBER);
  assert_absent (wide, "１１０１０５");
  assert_absent (wide, PHONE);
  assert_absent (wide, "１３９１２");
  g_assert_nonnull (strstr (wide, "身份证号"));
}

/* A session full of secrets: a PIN typed and checked, a saved draft with ID numbers and phones,
 * errors that quoted them, a session token with the service */
static void
fill_session (EkTokenManager *manager)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(EkSecret) pin = ek_secret_new (PIN, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autofree char *message = NULL;
  EkToken *token;

  tokens = ek_token_manager_list_tokens (manager, NULL, &error);
  g_assert_no_error (error);
  token = token_fixture_find_token (tokens, "EK-TOKEN-A");
  g_assert_nonnull (token);
  g_assert_true (ek_token_manager_login (manager, token, pin, NULL, &error));
  g_assert_no_error (error);

  ek_application_draft_set_string (draft, "credit-code", USCC);
  ek_application_draft_set_string (draft, "legal-rep-id-number", ID_NUMBER);
  ek_application_draft_set_string (draft, "mobile", PHONE);
  ek_application_draft_set_string (draft, "email", EMAIL);
  g_assert_true (ek_draft_store_save (store, draft, &error));
  g_assert_no_error (error);

  /* Errors as careless code might have phrased them: the journal must not keep the secrets */
  message = g_strdup_printf ("Log-in with PIN %s failed for %s (session %s)", PIN, EMAIL, session_token);
  ek_error_journal_note ("key-login", message, "req-4f1c2a");
  ek_error_journal_note ("form", "ID number " ID_NUMBER " and mobile 139-1234-5678 rejected", "req-77aa01");
  ek_error_journal_note ("registry", "The registration service did not answer (" USCC ")", NULL);
}

static void
test_report (void)
{
  const char *dir = token_fixture_setup ();
  const EkApiTls *tls = ek_api_tls ();
  g_autoptr(EkTokenManager) manager = token_fixture_manager (NULL);
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *json = NULL, *text = NULL, *sane = NULL;
  JsonObject *o, *registry, *key;
  JsonArray *errors, *tokens;
  const char *summary;
  gboolean masked_code_seen = FALSE;

  g_assert_nonnull (dir);
  sane = ek_test_setup_sane ("number_of_devices 1\n");
  client = ek_api_client_new (server->base_url, tls->ca_cert, &error);
  g_assert_no_error (error);
  fill_session (manager);

  report = ek_diagnostics_collect (manager, client, EK_DIAGNOSTICS_FLAGS_NONE, NULL);
  json_generator_set_root (generator, report);
  json = json_generator_to_data (generator, NULL);
  text = ek_diagnostics_to_text (report);
  g_test_message ("%s", text);
  assert_no_secrets (json);
  assert_no_secrets (text);

  /* What a helpdesk agent reads first */
  summary = ek_diagnostics_get_summary (report);
  g_assert_true (g_str_has_prefix (summary, "Key found, certificate expires in "));
  g_assert_nonnull (strstr (summary, "service reachable"));
  g_assert_true (g_str_has_prefix (text, summary));
  g_assert_false (ek_diagnostics_wants_sharing (report));

  o = json_node_get_object (report);
  key = json_object_get_object_member (o, "key");
  tokens = json_object_get_array_member (key, "tokens");
  g_assert_cmpuint (json_array_get_length (tokens), ==, 2);
  for (guint i = 0; i < json_array_get_length (tokens); i++)
    {
      JsonObject *t = json_array_get_object_element (tokens, i);
      JsonArray *certs = json_object_get_array_member (t, "certificates");

      g_assert_nonnull (json_object_get_string_member (t, "pin_state"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (t, "flags"), "0x"));
      for (guint j = 0; j < json_array_get_length (certs); j++)
        if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (certs, j), "uscc"),
                       "9135************43") == 0)
          masked_code_seen = TRUE;
    }
  g_assert_true (masked_code_seen);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (key, "modules")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (key, "modules"), 0),
                                                  "state"), ==, "started");

  /* The scanner the scan helper sees (SANE's test backend) */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_object_get_object_member (o, "scanners"), "devices")), >=, 1);

  /* The service: reached over verified TLS, the clocks compared */
  registry = json_object_get_object_member (o, "registry");
  g_assert_cmpstr (json_object_get_string_member (registry, "url"), ==, server->base_url);
  g_assert_true (json_object_get_boolean_member (registry, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (registry, "tls"), ==, "verified");
  g_assert_nonnull (json_object_get_string_member (registry, "request_id"));
  g_assert_false (json_object_get_null_member (registry, "clock_skew_seconds"));
  g_assert_cmpint (ABS (json_object_get_int_member (registry, "clock_skew_seconds")), <=, 5);

  /* The recent errors, newest first, with their request ids */
  errors = json_object_get_array_member (o, "recent_errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 1), "request_id"), ==, "req-77aa01");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 2), "request_id"), ==, "req-4f1c2a");
  g_assert_nonnull (strstr (text, "req-4f1c2a"));
}

/* The service's certificate not trusted, and a service that is not there */
static void
test_report_service_problems (void)
{
  const EkApiTls *tls = ek_api_tls ();
  g_autoptr(EkTokenManager) manager = ek_token_manager_new (NULL, EK_TOKEN_MANAGER_SKIP_REGISTERED);
  g_autoptr(EkApiClient) untrusted = ek_api_client_new (server->base_url, tls->other_ca_cert, NULL);
  g_autoptr(EkApiClient) gone = ek_api_client_new ("https://127.0.0.1:9/api/v1", tls->ca_cert, NULL);
  g_autoptr(JsonNode) a = NULL, b = NULL;

  ek_api_client_set_retries (gone, 0, 10);
  a = ek_diagnostics_collect (manager, untrusted, EK_DIAGNOSTICS_SKIP_SCANNERS, NULL);
  g_assert_nonnull (strstr (ek_diagnostics_get_summary (a), "No key found"));
  g_assert_nonnull (strstr (ek_diagnostics_get_summary (a), "certificate is not trusted"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (a), "registry"), "tls"), ==, "failed");

  b = ek_diagnostics_collect (manager, gone, EK_DIAGNOSTICS_SKIP_SCANNERS, NULL);
  g_assert_nonnull (strstr (ek_diagnostics_get_summary (b), "service not reachable"));
}

/* In a remote session with no key, the report says so first and explains sharing */
static void
test_report_remote_session (void)
{
  g_autoptr(EkTokenManager) manager = ek_token_manager_new (NULL, EK_TOKEN_MANAGER_SKIP_REGISTERED);
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *text = NULL;
  JsonObject *remote;

  g_setenv ("SSH_CONNECTION", "192.0.2.7 50022 192.0.2.1 22", TRUE);
  report = ek_diagnostics_collect (manager, NULL, EK_DIAGNOSTICS_SKIP_SCANNERS | EK_DIAGNOSTICS_SKIP_REGISTRY, NULL);
  g_unsetenv ("SSH_CONNECTION");
  text = ek_diagnostics_to_text (report);

  remote = json_object_get_object_member (json_object_get_object_member (json_node_get_object (report), "system"), "remote");
  g_assert_true (json_object_get_boolean_member (remote, "detected"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (remote, "kinds"), 0), ==, "ssh");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (remote, "evidence"), 0), ==, "SSH_CONNECTION is set");
  g_assert_true (g_str_has_prefix (ek_diagnostics_get_summary (report), "No key found: this is a remote session"));
  g_assert_true (ek_diagnostics_wants_sharing (report));
  g_assert_nonnull (strstr (text, "ekey-tool token share"));
  assert_absent (text, "192.0.2.7");
}

/* `ekey-tool diagnose --json`: the same report from a shell, in the same session */
static void
test_cli (void)
{
  const EkApiTls *tls = ek_api_tls ();
  const char *args[] = { "diagnose", "--json", "--no-scanners", NULL };
  const char *text_args[] = { "diagnose", "--no-scanners", NULL };
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  token_fixture_setup ();
  g_setenv ("EKEY_PKCS11_MODULES", SOFTHSM_MODULE, TRUE);
  g_setenv ("EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", tls->ca_cert, TRUE);
  g_assert_cmpint (ek_test_run_tool (args, &out, &err), ==, 0);
  assert_no_secrets (out);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "summary"), "Key found, certificate expires in "));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_object_get_object_member (o, "key"), "tokens")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "recent_errors")), ==, 3);

  g_assert_cmpint (ek_test_run_tool (text_args, &text, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (text, json_object_get_string_member (o, "summary")));
  assert_no_secrets (text);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime = NULL;
  int status;

  ek_test_init (&argc, &argv);
  /* No forwarded key from this machine's own runtime folder */
  runtime = g_dir_make_tmp ("ek-runtime-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SSH_CONNECTION");
  g_unsetenv ("SSH_CLIENT");
  g_unsetenv ("SSH_TTY");
  g_unsetenv ("P11_KIT_SERVER_ADDRESS");

  server = ek_api_server_start_tls (NULL);
  {
    g_autofree char *uscc = ek_api_make_uscc ();

    session_token = ek_api_register_and_login (server, uscc, EMAIL);
  }

  g_test_add_func ("/diagnostics/redact", test_redact_text);
  g_test_add_func ("/diagnostics/report", test_report);
  g_test_add_func ("/diagnostics/service-problems", test_report_service_problems);
  g_test_add_func ("/diagnostics/remote-session", test_report_remote_session);
  g_test_add_func ("/diagnostics/cli", test_cli);
  status = g_test_run ();
  ek_api_server_free (server);
  g_free (session_token);
  g_rmdir (runtime);
  return status;
}
