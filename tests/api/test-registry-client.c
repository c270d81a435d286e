/* test-registry-client.c: EkApiClient against a real ekey-registry over HTTPS
 *
 * The registry runs on 127.0.0.1 with a certificate from a CA made at test time; faults the
 * registry cannot produce (503, an answer cut half-way, a stall, a slow link) come from a real
 * TLS relay in front of it (ek-api-fault-proxy.c). Nothing in the client is mocked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ek-api-fault-proxy.h"
#include "ek-api-fixture.h"
#include "ek-api-client.h"
#include "ek-test-common.h"

static EkApiServer *server;   /* shared by most tests */

/* ---- Captured debug log: checked for secrets at the end ---- */

static GMutex log_lock;
static GPtrArray *log_lines;

static void
capture_log (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  g_mutex_lock (&log_lock);
  g_ptr_array_add (log_lines, g_strdup (message));
  g_mutex_unlock (&log_lock);
}

static guint
count_log_lines (const char *needle)
{
  guint n = 0;

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_lines->len; i++)
    if (strstr (log_lines->pdata[i], needle) != NULL)
      n++;
  g_mutex_unlock (&log_lock);
  return n;
}

/* Secrets the tests send, to look for in the log */
static GPtrArray *secrets;

static void
remember_secret (const char *secret)
{
  g_ptr_array_add (secrets, g_strdup (secret));
}

/* ---- Waiting for async calls ---- */

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static EkApiClient *
new_client (const char *url,
            const char *ca_file)
{
  g_autoptr(GError) error = NULL;
  EkApiClient *client = ek_api_client_new (url, ca_file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  ek_api_client_set_proxy (client, "");  /* no proxy from the test machine's environment */
  ek_api_client_set_language (client, "en");
  ek_api_client_set_retries (client, 3, 20);
  return client;
}

static EkApiClient *
server_client (void)
{
  return new_client (server->base_url, server->ca_file);
}

/* ---- Synchronous wrappers for the tests ---- */

static JsonNode *
get_catalogue (EkApiClient *client,
               GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_get_catalogue_async (client, NULL, on_done, &result);
  return ek_api_client_get_catalogue_finish (client, await (&result), error);
}

static EkApiCaptcha *
create_captcha (EkApiClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkApiCaptcha *captcha;

  ek_api_client_create_captcha_async (client, NULL, on_done, &result);
  captcha = ek_api_client_create_captcha_finish (client, await (&result), &error);
  g_assert_no_error (error);
  return captcha;
}

static gboolean
login (EkApiClient *client,
       EkApiServer      *s,
       const char       *uscc,
       const char       *login_name,
       const char       *answer_override,
       GError          **error)
{
  g_autoptr(EkApiCaptcha) captcha = create_captcha (client);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *answer = ek_api_run (s, NULL, "captcha-answer", captcha->id, NULL);

  g_strstrip (answer);
  remember_secret (answer);
  ek_api_client_login_with_code_async (client, uscc, login_name, captcha->id,
                                            answer_override != NULL ? answer_override : answer,
                                            NULL, on_done, &result);
  return ek_api_client_login_with_code_finish (client, await (&result), error);
}

static char *
activation_code (EkApiServer *s,
                 const char  *email)
{
  g_autofree char *out = ek_api_run (s, NULL, "outbox", "--json", NULL);
  g_autoptr(JsonNode) root = json_from_string (out, NULL);
  JsonArray *mails = json_node_get_array (root);
  char *code = NULL;

  for (guint i = 0; i < json_array_get_length (mails); i++)
    {
      JsonObject *m = json_array_get_object_element (mails, i);
      const char *at = strstr (json_object_get_string_member (m, "body"), "activation code: ");

      if (g_str_equal (json_object_get_string_member (m, "to"), email) && at != NULL)
        {
          g_free (code);
          code = g_strndup (at + strlen ("activation code: "), strcspn (at + strlen ("activation code: "), "\n"));
        }
    }
  g_assert_nonnull (code);
  return code;
}

static gboolean
register_account (EkApiClient *client,
                  const char       *uscc,
                  const char       *email,
                  GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_register_account_async (client, uscc, "北京测试科技有限公司", email,
                                             "non-electromechanical", email, "13800138000", "王兵",
                                             NULL, on_done, &result);
  return ek_api_client_register_account_finish (client, await (&result), error);
}

static gboolean
activate (EkApiClient *client,
          const char       *uscc,
          const char       *email,
          const char       *code,
          GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_activate_account_async (client, uscc, email, code, NULL, on_done, &result);
  return ek_api_client_activate_account_finish (client, await (&result), error);
}

/* A new enterprise with an active account, logged in */
static char *
new_enterprise (EkApiClient *client,
                EkApiServer      *s)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *email = g_strdup_printf ("clerk-%s@example.com", uscc);
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (register_account (client, uscc, email, &error));
  g_assert_no_error (error);
  code = activation_code (s, email);
  g_assert_true (activate (client, uscc, email, code, &error));
  g_assert_no_error (error);
  g_assert_true (login (client, s, uscc, email, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&uscc);
}

static JsonObject *
full_fields (const char *uscc)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();

  ek_application_draft_set_string (draft, "enterprise-name", "北京测试科技有限公司");
  ek_application_draft_set_string (draft, "credit-code", uscc);
  ek_application_draft_set_string (draft, "legal-rep-name", "罗云");
  ek_application_draft_set_string (draft, "legal-rep-id-type", "resident-id");
  ek_application_draft_set_string (draft, "legal-rep-id-number", "11010519491231002X");
  ek_application_draft_set_string (draft, "user-name", "王兵");
  ek_application_draft_set_string (draft, "user-id-number", "110102199101010078");
  ek_application_draft_set_string (draft, "email", "wangbing@126.com");
  ek_application_draft_set_string (draft, "mobile", "18910123221");
  ek_application_draft_set_string (draft, "landline", "67811021");
  ek_application_draft_set_string (draft, "postcode", "100176");
  ek_application_draft_set_string (draft, "licence-type", "non-electromechanical");
  /* What the form requires of a first application, and the service too */
  ek_application_draft_set_string (draft, "user-id-type", "resident-id");
  ek_application_draft_set_string (draft, "login-name", "wangbing@126.com");
  ek_application_draft_set_string (draft, "contact-address", "北京技术开发区荣华中路11号");
  ek_application_draft_set_string (draft, "authority-id", "beijing");
  remember_secret ("11010519491231002X");
  remember_secret ("110102199101010078");
  return ek_api_fields_from_draft (draft);
}

static EkApiApplication *
create_application (EkApiClient *client,
                    JsonObject       *fields,
                    const char       *key,
                    GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_create_application_async (client, "first-application", fields, key, NULL, on_done, &result);
  return ek_api_client_create_application_finish (client, await (&result), error);
}

static GPtrArray *
list_applications (EkApiClient *client,
                   GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_list_applications_async (client, NULL, on_done, &result);
  return ek_api_client_list_applications_finish (client, await (&result), error);
}

static EkApiApplication *
update_application (EkApiClient *client,
                    const char       *id,
                    JsonObject       *fields,
                    GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_update_application_async (client, id, fields, NULL, on_done, &result);
  return ek_api_client_update_application_finish (client, await (&result), error);
}

static EkApiApplication *
get_application (EkApiClient *client,
                 const char       *id,
                 GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_get_application_async (client, id, NULL, on_done, &result);
  return ek_api_client_get_application_finish (client, await (&result), error);
}

static EkApiApplication *
submit_application (EkApiClient *client,
                    const char       *id,
                    const char       *key,
                    GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_submit_application_async (client, id, key, NULL, on_done, &result);
  return ek_api_client_submit_application_finish (client, await (&result), error);
}

static GPtrArray *
list_materials (EkApiClient *client,
                const char       *id,
                GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_list_materials_async (client, id, NULL, on_done, &result);
  return ek_api_client_list_materials_finish (client, await (&result), error);
}

static gboolean
delete_material (EkApiClient *client,
                 const char       *id,
                 const char       *kind,
                 GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_delete_material_async (client, id, kind, NULL, on_done, &result);
  return ek_api_client_delete_material_finish (client, await (&result), error);
}

typedef struct
{
  goffset        last_sent;
  goffset        total;
  guint          calls;
  gboolean       went_backwards;
  gboolean       in_main_thread;
  gboolean       notified;
  GCancellable  *cancel_at_first;  /* cancelled at the first partial progress */
} ProgressLog;

static void
on_progress (goffset  sent,
             goffset  total,
             gpointer user_data)
{
  ProgressLog *log = user_data;

  if (sent < log->last_sent)
    log->went_backwards = TRUE;
  log->in_main_thread &= g_main_context_is_owner (g_main_context_default ());
  log->last_sent = sent;
  log->total = total;
  log->calls++;
  if (log->cancel_at_first != NULL && sent < total)
    g_cancellable_cancel (log->cancel_at_first);
}

static void
on_progress_notify (gpointer user_data)
{
  ProgressLog *log = user_data;

  log->notified = TRUE;
}

static EkApiMaterial *
upload (EkApiClient *client,
        const char       *id,
        const char       *kind,
        const char       *path,
        ProgressLog      *log,
        GCancellable     *cancellable,
        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);

  ek_api_client_upload_material_async (client, id, kind, file, log != NULL ? on_progress : NULL, log,
                                            log != NULL ? on_progress_notify : NULL,
                                            cancellable, on_done, &result);
  return ek_api_client_upload_material_finish (client, await (&result), error);
}

static char *
write_png (const char *name,
           int         width,
           int         height,
           gboolean    noise)
{
  g_autoptr(GBytes) png = ek_api_png (width, height, noise);
  gsize len;
  const char *data = g_bytes_get_data (png, &len);

  return ek_test_write_temp_file (name, data, (gssize) len);
}

static gboolean
message_has_request_id (const GError *error)
{
  return g_regex_match_simple ("\\(request [0-9a-z-]+\\)$", error->message, 0, 0);
}

static void
assert_problem (const GError *error,
                const char   *slug)
{
  const EkApiProblem *problem;

  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PROBLEM);
  problem = ek_api_error_get_problem (error);
  g_assert_nonnull (problem);
  g_assert_cmpstr (problem->type_slug, ==, slug);
  g_assert_nonnull (problem->request_id);
  g_assert_true (g_str_has_suffix (error->message, ")"));
  g_assert_nonnull (strstr (error->message, problem->request_id));
}

static guint16
closed_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  return ntohs (addr.sin_port);
}

static void
count_signal (gpointer  instance,
              gpointer  user_data)
{
  (*(guint *) user_data)++;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

/* ---- Tests ---- */

static void
test_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApiClient) client = NULL;

  /* Plain HTTP is refused: TLS is never off */
  client = ek_api_client_new ("http://127.0.0.1:1/api/v1", NULL, &error);
  g_assert_null (client);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "https://"));
  g_clear_error (&error);

  client = ek_api_client_new ("not a url", NULL, &error);
  g_assert_null (client);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS);
  g_clear_error (&error);

  client = ek_api_client_new (server->base_url, "/nonexistent/ca.pem", &error);
  g_assert_null (client);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS);
  g_clear_error (&error);

  /* From the environment (GSettings is the in-memory backend here: empty) */
  g_setenv ("EKEY_REGISTRY_URL", "http://127.0.0.1:1/api/v1", TRUE);
  client = ek_api_client_new_from_settings (&error);
  g_assert_null (client);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS);
  g_clear_error (&error);

  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);
  g_setenv ("EKEY_REGISTRY_PROXY", "", TRUE);
  client = ek_api_client_new_from_settings (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_api_client_get_base_url (client), ==, server->base_url);
  g_assert_false (ek_api_client_has_session (client));
  {
    g_autoptr(JsonNode) catalogue = get_catalogue (client, &error);

    g_assert_no_error (error);
    g_assert_nonnull (catalogue);
  }
  g_clear_object (&client);

  g_unsetenv ("EKEY_REGISTRY_URL");
  client = ek_api_client_new_from_settings (&error);
  g_assert_null (client);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE);
  g_unsetenv ("EKEY_REGISTRY_CA");
  g_unsetenv ("EKEY_REGISTRY_PROXY");
}

static void
test_catalogue (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) catalogue = get_catalogue (client, &error);
  g_autofree char *request_id = NULL;
  JsonArray *types;
  gboolean found = FALSE;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (catalogue));
  types = json_object_get_array_member (json_node_get_object (catalogue), "business_types");
  for (guint i = 0; i < json_array_get_length (types); i++)
    found |= g_str_equal (json_object_get_string_member (json_array_get_object_element (types, i), "id"),
                          "first-application");
  g_assert_true (found);
  /* The service's request id is kept for the helpdesk */
  request_id = ek_api_client_dup_last_request_id (client);
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{6}-[0-9a-f]{8}$", request_id, 0, 0));
}

static void
test_connection_reuse (void)
{
  g_autoptr(EkFaultProxy) proxy = ek_fault_proxy_new (server);
  g_autoptr(EkApiClient) client = new_client (ek_fault_proxy_get_url (proxy), server->ca_file);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) catalogue = get_catalogue (client, &error);

      g_assert_no_error (error);
    }
  /* Five calls, one TLS connection */
  g_assert_cmpuint (ek_fault_proxy_get_connections (proxy), ==, 1);
}

static void
test_account (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *email = g_strdup_printf ("first-%s@example.com", uscc);
  g_autofree char *code = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint changes = 0;
  gboolean ok;

  g_signal_connect (client, "session-changed", G_CALLBACK (count_signal), &changes);

  g_assert_true (register_account (client, uscc, email, &error));
  g_assert_no_error (error);

  /* The same login name again: refused, with the field named */
  ok = register_account (client, uscc, email, &error);
  g_assert_false (ok);
  assert_problem (error, "login-name-taken");
  g_clear_error (&error);

  /* Not active yet: logging in is refused */
  g_assert_false (login (client, server, uscc, email, NULL, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PROBLEM);
  g_clear_error (&error);

  /* A wrong activation code, then the emailed one */
  code = activation_code (server, email);
  g_assert_false (activate (client, uscc, email, g_str_equal (code, "000000") ? "111111" : "000000", &error));
  assert_problem (error, "activation-failed");
  g_clear_error (&error);
  g_assert_true (activate (client, uscc, email, code, &error));
  g_assert_no_error (error);

  /* A wrong captcha answer: the captcha problem, with the field the page shows it on */
  g_assert_false (login (client, server, uscc, email, "WRONG", &error));
  assert_problem (error, "captcha");
  g_assert_nonnull (ek_api_problem_lookup_field (ek_api_error_get_problem (error), "captcha_answer"));
  g_assert_false (ek_api_client_has_session (client));
  g_clear_error (&error);

  g_assert_true (login (client, server, uscc, email, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ek_api_client_has_session (client));
  g_assert_cmpstr (ek_api_client_get_login_name (client), ==, email);
  spin (20);
  g_assert_cmpuint (changes, ==, 1);

  apps = list_applications (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (apps->len, ==, 0);
  g_clear_pointer (&apps, g_ptr_array_unref);

  ek_api_client_logout_async (client, NULL, on_done, &result);
  g_assert_true (ek_api_client_logout_finish (client, await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (ek_api_client_has_session (client));
  spin (20);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_null (ek_api_client_get_login_name (client));

  /* Logged out: the service refuses, and the client does not pretend a session expired */
  apps = list_applications (client, &error);
  g_assert_null (apps);
  assert_problem (error, "unauthorized");
}

static void
test_applications (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = new_enterprise (client, server);
  g_autoptr(JsonObject) fields = full_fields (uscc);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(EkApiApplication) app = NULL;
  g_autoptr(EkApiApplication) again = NULL;
  g_autoptr(EkApiApplication) fetched = NULL;
  g_autoptr(EkApiApplication) patched = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autoptr(JsonObject) bad = json_object_new ();
  g_autoptr(JsonObject) good = json_object_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  const EkApiProblem *problem;
  const EkApiFieldError *fe;

  app = create_application (client, fields, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_api_application_get_status (app), ==, "draft");
  g_assert_true (ek_api_application_get_editable (app));
  g_assert_cmpstr (ek_api_application_get_business_type (app), ==, "first-application");
  g_assert_cmpstr (json_object_get_string_member (ek_api_application_get_fields (app), "uscc"), ==, uscc);
  {
    /* The number the clerk reads out: the id's first 8 hex digits, in capitals */
    g_autofree char *number = ek_api_application_dup_number (app);
    g_autofree char *id_upper = g_ascii_strup (ek_api_application_get_id (app), 8);

    g_assert_cmpstr (number, ==, id_upper);
  }

  /* The same key again: the first answer, not a second application */
  again = create_application (client, fields, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_api_application_get_id (again), ==, ek_api_application_get_id (app));
  apps = list_applications (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (apps->len, ==, 1);

  /* A postcode the service rejects: the error names the draft's field */
  json_object_set_string_member (bad, "postcode", "12345");
  patched = update_application (client, ek_api_application_get_id (app), bad, &error);
  g_assert_null (patched);
  assert_problem (error, "validation");
  problem = ek_api_error_get_problem (error);
  g_assert_cmpint (problem->status, ==, 422);
  g_assert_cmpuint (problem->field_errors->len, ==, 1);
  fe = g_ptr_array_index (problem->field_errors, 0);
  g_assert_cmpstr (fe->field, ==, "fields/postcode");
  g_assert_cmpstr (fe->code, ==, "postcode");
  g_assert_cmpstr (fe->message, !=, "");
  g_assert_cmpstr (ek_api_draft_field_for_api_field (fe->field), ==, "postcode");
  g_clear_error (&error);

  json_object_set_string_member (good, "postcode", "100175");
  patched = update_application (client, ek_api_application_get_id (app), good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (ek_api_application_get_fields (patched), "postcode"), ==, "100175");

  fetched = get_application (client, ek_api_application_get_id (app), &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_api_application_get_updated_at (fetched), >=,
                   ek_api_application_get_created_at (fetched));
  ek_api_fields_to_draft (ek_api_application_get_fields (fetched), draft);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "postcode"), ==, "100175");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "credit-code"), ==, uscc);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "user-id-number"), ==, "110102199101010078");

  /* Somebody else's (or no such) application: a problem, not a crash */
  g_clear_pointer (&fetched, ek_api_application_unref);
  fetched = get_application (client, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (fetched);
  assert_problem (error, "not-found");
}

static void
test_upload (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = new_enterprise (client, server);
  g_autoptr(JsonObject) fields = full_fields (uscc);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(EkApiApplication) app = create_application (client, fields, key, &error);
  const char *id = ek_api_application_get_id (app);
  g_autofree char *png = write_png ("licence.png", 600, 800, FALSE);
  g_autofree char *big = write_png ("big.png", 400, 400, TRUE);
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *pdf = NULL;
  g_autoptr(EkApiMaterial) material = NULL;
  g_autoptr(GPtrArray) materials = NULL;
  ProgressLog log = { .in_main_thread = TRUE };
  gsize len;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &contents, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);

  material = upload (client, id, "business-licence", png, &log, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (material->kind, ==, "business-licence");
  g_assert_cmpstr (material->content_type, ==, "image/png");
  g_assert_cmpint (material->size, ==, (gint64) len);
  g_assert_cmpstr (material->sha256, ==, sha);
  g_assert_cmpint (material->width, ==, 600);
  g_assert_cmpint (material->height, ==, 800);
  /* Progress reached the file's size, never went backwards, in the caller's context */
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_cmpint (log.last_sent, ==, (goffset) len);
  g_assert_cmpint (log.total, ==, (goffset) len);
  g_assert_false (log.went_backwards);
  g_assert_true (log.in_main_thread);
  spin (10);
  g_assert_true (log.notified);

  materials = list_materials (client, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (materials->len, ==, 1);
  g_assert_cmpstr (((EkApiMaterial *) materials->pdata[0])->sha256, ==, sha);
  g_clear_pointer (&materials, g_ptr_array_unref);

  g_assert_true (delete_material (client, id, "business-licence", &error));
  g_assert_no_error (error);
  materials = list_materials (client, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (materials->len, ==, 0);
  g_clear_pointer (&materials, g_ptr_array_unref);

  /* Larger than the catalogue's limit */
  g_clear_pointer (&material, ek_api_material_free);
  material = upload (client, id, "business-licence", big, NULL, NULL, &error);
  g_assert_null (material);
  assert_problem (error, "upload-too-large");
  g_clear_error (&error);

  /* A PDF named .png: the service names what it really is */
  pdf = ek_test_write_temp_file ("scan.png", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", -1);
  material = upload (client, id, "business-licence", pdf, NULL, NULL, &error);
  g_assert_null (material);
  assert_problem (error, "unsupported-format");
  g_assert_cmpint (ek_api_error_get_problem (error)->status, ==, 415);
  g_assert_cmpstr (ek_api_error_get_problem (error)->detected_format, ==, "pdf");
  g_clear_error (&error);

  /* A file that cannot be read: a clear local error, nothing sent */
  material = upload (client, id, "business-licence", "/nonexistent/licence.png", NULL, NULL, &error);
  g_assert_null (material);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "The file to upload could not be read; nothing was sent."));
  g_clear_error (&error);

  materials = list_materials (client, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (materials->len, ==, 0);
}

/* A catalogue whose material limit is 64 MiB, so that a large upload is only stopped by a cancel */
static char *
write_large_limit_catalogue (void)
{
  g_autofree char *source = g_build_filename (ek_test_source_root (), "data", "catalogue.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *section;
  JsonArray *sets;

  json_parser_load_from_file (parser, source, &error);
  g_assert_no_error (error);
  section = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "material_rule_sets");
  sets = json_object_get_array_member (section, "sets");
  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonObject *set = json_array_get_object_element (sets, i);

      if (g_str_equal (json_object_get_string_member (set, "id"), json_object_get_string_member (section, "default")))
        json_object_set_int_member (json_object_get_object_member (set, "limits"), "max_bytes", 64 * 1024 * 1024);
    }
  text = json_to_string (json_parser_get_root (parser), FALSE);
  return ek_test_write_temp_file ("catalogue-64mb.json", text, -1);
}

/* ---- A large, valid PNG written fast: stored (uncompressed) deflate blocks of a black page ---- */

static guint32 crc_table[256];

static void
crc_init (void)
{
  for (guint32 n = 0; n < 256; n++)
    {
      guint32 c = n;

      for (int k = 0; k < 8; k++)
        c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
      crc_table[n] = c;
    }
}

static guint32
crc_update (guint32       crc,
            const guint8 *data,
            gsize         len)
{
  for (gsize i = 0; i < len; i++)
    crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

static void
put_be32 (guint8  *out,
          guint32  v)
{
  out[0] = v >> 24, out[1] = v >> 16, out[2] = v >> 8, out[3] = v;
}

static void
write_chunk (FILE         *file,
             const char   *type,
             const guint8 *data,
             gsize         len)
{
  guint8 head[8];
  guint8 tail[4];
  guint32 crc;

  put_be32 (head, (guint32) len);
  memcpy (head + 4, type, 4);
  crc = crc_update (0xffffffff, head + 4, 4);
  crc = (len > 0 ? crc_update (crc, data, len) : crc) ^ 0xffffffff;
  put_be32 (tail, crc);
  g_assert_cmpuint (fwrite (head, 1, 8, file), ==, 8);
  if (len > 0)
    g_assert_cmpuint (fwrite (data, 1, len, file), ==, len);
  g_assert_cmpuint (fwrite (tail, 1, 4, file), ==, 4);
}

static char *
write_large_png (guint    width,
                 guint    height,
                 goffset *size)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree char *path = ek_test_write_temp_file ("large.png", "", 0);
  gsize raw_len = (gsize) height * (1 + (gsize) width * 3);   /* filter byte + RGB per row */
  gsize n_blocks = (raw_len + 65534) / 65535;
  g_autofree guint8 *idat = g_malloc (2 + raw_len + 5 * n_blocks + 4);
  guint8 ihdr[13] = { 0 };
  guint8 *p = idat;
  FILE *file;
  GStatBuf st;

  crc_init ();
  /* zlib header, then stored blocks of zeros (row filter 0, black pixels), then Adler-32 */
  *p++ = 0x78, *p++ = 0x01;
  for (gsize done = 0; done < raw_len;)
    {
      gsize n = MIN (raw_len - done, 65535);

      *p++ = done + n == raw_len ? 1 : 0;
      *p++ = n & 0xff, *p++ = n >> 8, *p++ = ~n & 0xff, *p++ = (~n >> 8) & 0xff;
      memset (p, 0, n);
      p += n;
      done += n;
    }
  /* Adler-32 of zeros: a = 1, b = length mod 65521 */
  put_be32 (p, (guint32) ((raw_len % 65521) << 16 | 1));
  p += 4;

  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8, ihdr[9] = 2;
  file = fopen (path, "wb");
  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (signature, 1, sizeof signature, file), ==, sizeof signature);
  write_chunk (file, "IHDR", ihdr, sizeof ihdr);
  write_chunk (file, "IDAT", idat, (gsize) (p - idat));
  write_chunk (file, "IEND", NULL, 0);
  g_assert_cmpint (fclose (file), ==, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  *size = st.st_size;
  return g_steal_pointer (&path);
}

static void
test_upload_cancel (void)
{
  g_autofree char *catalogue = write_large_limit_catalogue ();
  const char *args[] = { "--catalogue", catalogue, NULL };
  g_autoptr(EkApiServer) large = ek_api_server_start_tls (args);
  g_autoptr(EkFaultProxy) proxy = ek_fault_proxy_new (large);
  g_autoptr(EkApiClient) direct = new_client (large->base_url, large->ca_file);
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = new_enterprise (direct, large);
  g_autoptr(JsonObject) fields = full_fields (uscc);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(EkApiApplication) app = create_application (direct, fields, key, &error);
  goffset size;
  g_autofree char *png = write_large_png (4000, 3000, &size);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EkApiMaterial) material = NULL;
  g_autoptr(GPtrArray) materials = NULL;
  ProgressLog log = { .in_main_thread = TRUE, .cancel_at_first = cancellable };

  g_assert_no_error (error);

  /* The same enterprise through a slow link (1.6 MB/s: over 20 s for the file) */
  client = new_client (ek_fault_proxy_get_url (proxy), large->ca_file);
  g_assert_true (login (client, large, uscc, ek_api_client_get_login_name (direct), NULL, &error));
  g_assert_no_error (error);
  ek_fault_proxy_set_throttle (proxy, 16384, 10);

  /* Cancelled from the first progress report */
  material = upload (client, ek_api_application_get_id (app), "business-licence", png, &log, cancellable, &error);
  g_assert_null (material);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (log.calls, >=, 1);
  g_assert_true (log.in_main_thread);
  g_assert_cmpint (log.total, ==, size);
  g_clear_error (&error);

  /* Let the relay pass on whatever was still buffered, until the aborted connection ends */
  ek_fault_proxy_set_throttle (proxy, 0, 0);
  while (ek_fault_proxy_get_open_sockets (proxy) > 0)
    g_usleep (1000);
  /* The service never got the whole file, and keeps nothing */
  g_assert_cmpuint (ek_fault_proxy_get_bytes_to_backend (proxy), <, (guint64) size);
  materials = list_materials (direct, ek_api_application_get_id (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (materials->len, ==, 0);

  /* The same file, not cancelled, is accepted whole: only the cancel kept it out */
  material = upload (client, ek_api_application_get_id (app), "business-licence", png, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (material->size, ==, size);
  g_assert_cmpint (material->width, ==, 4000);
  g_assert_cmpint (material->height, ==, 3000);
}

static void
test_submit (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = new_enterprise (client, server);
  g_autoptr(JsonObject) fields = full_fields (uscc);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *submit_key = g_uuid_string_random ();
  g_autoptr(EkApiApplication) app = create_application (client, fields, key, &error);
  g_autoptr(EkApiApplication) submitted = NULL;
  g_autoptr(EkApiApplication) replay = NULL;
  g_autofree char *png = write_png ("page.png", 600, 800, FALSE);
  const EkApiProblem *problem;
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *timeline;

  g_assert_no_error (error);

  /* No materials yet: the problem lists each one that is missing */
  submitted = submit_application (client, ek_api_application_get_id (app), submit_key, &error);
  g_assert_null (submitted);
  assert_problem (error, "missing-materials");
  problem = ek_api_error_get_problem (error);
  g_assert_cmpuint (problem->field_errors->len, >=, 3);
  for (guint i = 0; i < problem->field_errors->len; i++)
    {
      const EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);

      g_assert_true (g_str_has_prefix (fe->field, "materials/"));
      g_assert_cmpstr (fe->code, ==, "missing");
      g_ptr_array_add (missing, g_strdup (fe->field + strlen ("materials/")));
    }
  g_clear_error (&error);

  for (guint i = 0; i < missing->len; i++)
    {
      g_autoptr(EkApiMaterial) m = upload (client, ek_api_application_get_id (app),
                                                missing->pdata[i], png, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  /* A new key for the new attempt (the refused one may be remembered with its answer) */
  g_free (submit_key);
  submit_key = g_uuid_string_random ();
  submitted = submit_application (client, ek_api_application_get_id (app), submit_key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_api_application_get_status (submitted), ==, "submitted");
  g_assert_false (ek_api_application_get_editable (submitted));
  for (guint i = 0; i < missing->len; i++)
    g_assert_true (ek_api_application_has_material (submitted, missing->pdata[i]));
  timeline = ek_api_application_get_timeline (submitted);
  g_assert_cmpuint (timeline->len, >=, 1);
  g_assert_cmpstr (((EkApiEvent *) timeline->pdata[timeline->len - 1])->status, ==, "submitted");

  /* Submitting again with the same key: the first answer, not a second submission */
  replay = submit_application (client, ek_api_application_get_id (app), submit_key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ek_api_application_get_timeline (replay)->len, ==, timeline->len);
}

static void
test_session_expiry (void)
{
  const char *args[] = { "--session-ttl", "1", NULL };
  g_autoptr(EkApiServer) quick = ek_api_server_start_tls (args);
  g_autoptr(EkApiClient) client = new_client (quick->base_url, quick->ca_file);
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = new_enterprise (client, quick);
  g_autoptr(GPtrArray) apps = NULL;
  g_autofree char *email = NULL;
  guint changes = 0;

  g_signal_connect (client, "session-changed", G_CALLBACK (count_signal), &changes);
  g_assert_true (ek_api_client_has_session (client));
  g_usleep (2100 * G_USEC_PER_SEC / 1000);

  apps = list_applications (client, &error);
  g_assert_null (apps);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SESSION_EXPIRED);
  g_assert_cmpstr (ek_api_error_get_problem (error)->type_slug, ==, "session-expired");
  g_assert_true (message_has_request_id (error));
  g_assert_false (ek_api_client_has_session (client));
  spin (20);
  g_assert_cmpuint (changes, ==, 1);

  /* Log in again and carry on */
  g_clear_error (&error);
  email = g_strdup_printf ("clerk-%s@example.com", uscc);
  g_assert_true (login (client, quick, uscc, email, NULL, &error));
  g_assert_no_error (error);
  apps = list_applications (client, &error);
  g_assert_no_error (error);
}

static void
test_wrong_ca (void)
{
  g_autoptr(EkApiClient) other = new_client (server->base_url, ek_api_tls ()->other_ca_cert);
  g_autoptr(EkApiClient) system = new_client (server->base_url, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = get_catalogue (other, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS);
  g_clear_error (&error);

  /* The system's store does not know the test CA either */
  node = get_catalogue (system, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS);
}

static void
test_unreachable (void)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/api/v1", closed_port ());
  g_autoptr(EkApiClient) client = new_client (url, server->ca_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *proxy_url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr(EkApiClient) via_proxy = server_client ();

  ek_api_client_set_retries (client, 1, 10);
  node = get_catalogue (client, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE);
  g_clear_error (&error);

  /* A proxy that is not there: the setting is used, and the clerk is told to check it */
  ek_api_client_set_proxy (via_proxy, proxy_url);
  ek_api_client_set_retries (via_proxy, 0, 10);
  node = get_catalogue (via_proxy, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "proxy"));
  g_clear_error (&error);

  /* The usual environment variable, when no proxy is set */
  ek_api_client_set_proxy (via_proxy, NULL);
  g_setenv ("https_proxy", proxy_url, TRUE);
  g_unsetenv ("no_proxy");
  g_unsetenv ("NO_PROXY");
  node = get_catalogue (via_proxy, &error);
  g_unsetenv ("https_proxy");
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE);
}

static void
test_restart (void)
{
  g_autoptr(EkApiServer) own = ek_api_server_start_tls (NULL);
  g_autoptr(EkApiClient) client = new_client (own->base_url, own->ca_file);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint failures_before = count_log_lines ("GET /catalogue: Couldn't connect");

  ek_api_client_set_retries (client, 6, 100);
  ek_api_server_kill (own);

  ek_api_client_get_catalogue_async (client, NULL, on_done, &result);
  /* Bring the service back only once the client has found it down */
  while (count_log_lines ("GET /catalogue: Couldn't connect") == failures_before)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  ek_api_server_restart_same_port (own);

  node = ek_api_client_get_catalogue_finish (client, await (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (count_log_lines ("GET /catalogue: retrying"), >=, 1);
}

static void
test_service_unavailable (void)
{
  g_autoptr(EkFaultProxy) proxy = ek_fault_proxy_new (server);
  g_autoptr(EkApiClient) client = new_client (ek_fault_proxy_get_url (proxy), server->ca_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  const EkApiProblem *problem;
  gint64 started;

  /* Once: the retry gets the catalogue */
  ek_fault_proxy_queue (proxy, EK_FAULT_SERVICE_UNAVAILABLE, 0);
  node = get_catalogue (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (ek_fault_proxy_get_faults_served (proxy), ==, 1);
  g_assert_cmpuint (ek_fault_proxy_get_connections (proxy), ==, 2);
  g_clear_pointer (&node, json_node_unref);

  /* Every time: bounded retries, then a server error with the request id */
  ek_api_client_set_retries (client, 2, 10);
  for (guint i = 0; i < 3; i++)
    ek_fault_proxy_queue (proxy, EK_FAULT_SERVICE_UNAVAILABLE, 0);
  ek_fault_proxy_queue (proxy, EK_FAULT_SERVICE_UNAVAILABLE, 0);  /* must stay unused */
  node = get_catalogue (client, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SERVER);
  problem = ek_api_error_get_problem (error);
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->status, ==, 503);
  g_assert_true (g_str_has_suffix (error->message, "(request fault-503)"));
  g_assert_cmpuint (ek_fault_proxy_get_faults_served (proxy), ==, 4);
  g_clear_error (&error);

  /* Retry-After is honoured: one second, although the backoff would be 1 ms */
  node = get_catalogue (client, &error);  /* takes the spare fault queued above… */
  g_assert_no_error (error);              /* …and retries past it */
  g_clear_pointer (&node, json_node_unref);
  ek_api_client_set_retries (client, 2, 1);
  ek_fault_proxy_queue (proxy, EK_FAULT_SERVICE_UNAVAILABLE, 1);
  started = g_get_monotonic_time ();
  node = get_catalogue (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 900 * 1000);
  g_clear_pointer (&node, json_node_unref);

  /* A Retry-After too long to wait for: not retried at all */
  ek_fault_proxy_queue (proxy, EK_FAULT_SERVICE_UNAVAILABLE, 3600);
  ek_fault_proxy_queue (proxy, EK_FAULT_SERVICE_UNAVAILABLE, 3600);
  node = get_catalogue (client, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SERVER);
  g_assert_cmpuint (ek_fault_proxy_get_faults_served (proxy), ==, 7);
}

/* Another process holds the database (an operator's command can): the service answers 503
 * service-busy with Retry-After and records nothing, and the client sends the request again,
 * even a registration, which is otherwise never retried (it would email two codes) */
static void
test_busy_database_retried (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(EkApiResponse) before = ek_api_call (server, "GET", "/catalogue", NULL, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *outbox = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (server->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  ek_api_client_register_account_async (client, uscc, "北京测试科技有限公司", "busy@example.cn", "non-electromechanical",
                                        "busy@example.cn", "13800138000", "王兵", NULL, on_done, &result);
  /* The client's first attempt has been answered (while the lock was held) before it is let go */
  ek_api_wait_for_requests (server, ek_api_request_number (before), 1);
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (ek_api_client_register_account_finish (client, await (&result), &error));
  g_assert_no_error (error);
  /* One account, one activation email: the refused attempt recorded nothing */
  outbox = ek_api_run (server, NULL, "outbox", NULL);
  g_assert_nonnull (strstr (outbox, "To: busy@example.cn\n"));
  g_assert_null (strstr (strstr (outbox, "To: busy@example.cn\n") + 1, "To: busy@example.cn\n"));
}

static void
test_dropped (void)
{
  g_autoptr(EkFaultProxy) proxy = ek_fault_proxy_new (server);
  g_autoptr(EkApiClient) direct = server_client ();
  g_autoptr(EkApiClient) client = new_client (ek_fault_proxy_get_url (proxy), server->ca_file);
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = new_enterprise (direct, server);
  g_autoptr(JsonObject) fields = full_fields (uscc);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *uscc2 = ek_api_make_uscc ();
  g_autofree char *email2 = g_strdup_printf ("dropped-%s@example.com", uscc2);
  g_autofree char *png = write_png ("dropped.png", 300, 400, FALSE);
  g_autoptr(EkApiApplication) app = NULL;
  g_autoptr(EkApiMaterial) material = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autoptr(GPtrArray) materials = NULL;
  guint before;

  g_assert_true (login (client, server, uscc, ek_api_client_get_login_name (direct), NULL, &error));
  g_assert_no_error (error);

  /* The answer to a create is cut: the retry with the same key gets the first answer */
  before = ek_fault_proxy_get_connections (proxy);
  ek_fault_proxy_queue (proxy, EK_FAULT_DROP_ANSWER, 60);
  app = create_application (client, fields, key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_cmpuint (ek_fault_proxy_get_connections (proxy) - before, ==, 2);
  apps = list_applications (direct, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (apps->len, ==, 1);
  g_assert_cmpstr (ek_api_application_get_id (apps->pdata[0]), ==, ek_api_application_get_id (app));

  /* An upload whose answer is lost is sent again (a PUT replaces) */
  ek_fault_proxy_queue (proxy, EK_FAULT_DROP_ANSWER, 30);
  material = upload (client, ek_api_application_get_id (app), "business-licence", png, NULL, NULL, &error);
  g_assert_no_error (error);
  materials = list_materials (direct, ek_api_application_get_id (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (materials->len, ==, 1);
  g_clear_pointer (&materials, g_ptr_array_unref);

  /* A deletion whose answer is lost: the retry finds it gone, which is what was asked */
  before = ek_fault_proxy_get_connections (proxy);
  ek_fault_proxy_queue (proxy, EK_FAULT_DROP_ANSWER, 20);
  g_assert_true (delete_material (client, ek_api_application_get_id (app), "business-licence", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ek_fault_proxy_get_connections (proxy) - before, ==, 2);
  materials = list_materials (direct, ek_api_application_get_id (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (materials->len, ==, 0);

  /* Registering is not idempotent: never sent twice, the clerk is told */
  before = ek_fault_proxy_get_connections (proxy);
  ek_fault_proxy_queue (proxy, EK_FAULT_DROP_ANSWER, 60);
  g_assert_false (register_account (client, uscc2, email2, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_DROPPED);
  g_assert_cmpuint (ek_fault_proxy_get_connections (proxy) - before, ==, 1);
  g_clear_error (&error);

  /* A connection closed before any answer: a GET is retried */
  ek_fault_proxy_queue (proxy, EK_FAULT_CLOSE, 0);
  g_clear_pointer (&apps, g_ptr_array_unref);
  apps = list_applications (client, &error);
  g_assert_no_error (error);
}

static void
test_timeout_and_cancel (void)
{
  g_autoptr(EkFaultProxy) proxy = ek_fault_proxy_new (server);
  g_autoptr(EkApiClient) client = new_client (ek_fault_proxy_get_url (proxy), server->ca_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;

  /* Nothing comes back: the stall timeout ends it */
  ek_api_client_set_retries (client, 0, 10);
  ek_api_client_set_timeouts (client, 5, 1);
  ek_fault_proxy_queue (proxy, EK_FAULT_STALL, 0);
  node = get_catalogue (client, &error);
  g_assert_null (node);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* With a long timeout, a cancel ends the wait (not the timeout) */
  ek_api_client_set_timeouts (client, 5, 120);
  ek_fault_proxy_queue (proxy, EK_FAULT_STALL, 0);
  ek_api_client_get_catalogue_async (client, cancellable, on_done, &result);
  while (ek_fault_proxy_get_faults_served (proxy) < 2)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  spin (50);
  g_cancellable_cancel (cancellable);
  node = ek_api_client_get_catalogue_finish (client, await (&result), &error);
  g_assert_null (node);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_language (void)
{
  g_autoptr(EkApiClient) client = server_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApiApplication) app = NULL;

  /* Not logged in: the problem's text follows the client's language */
  ek_api_client_set_language (client, "zh-CN");
  app = get_application (client, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (app);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PROBLEM);
  g_assert_true (g_regex_match_simple ("[\\x{4e00}-\\x{9fff}]", error->message, 0, 0));
  g_clear_error (&error);

  ek_api_client_set_language (client, "en");
  app = get_application (client, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (app);
  g_assert_false (g_regex_match_simple ("[\\x{4e00}-\\x{9fff}]", error->message, 0, 0));
}

/* Answers of the wrong shape are errors, never crashes */
static void
test_parsers (void)
{
  const char *bad_applications[] = {
    "{}", "[]", "null", "\"x\"",
    "{\"id\":1,\"business_type\":\"a\",\"status\":\"draft\",\"editable\":true,\"fields\":{},\"created_at\":1,\"updated_at\":1,\"timeline\":[],\"materials\":[]}",
    "{\"id\":\"a\",\"business_type\":\"a\",\"status\":\"draft\",\"editable\":\"yes\",\"fields\":{},\"created_at\":1,\"updated_at\":1,\"timeline\":[],\"materials\":[]}",
    "{\"id\":\"a\",\"business_type\":\"a\",\"status\":\"draft\",\"editable\":true,\"fields\":{\"x\":1},\"created_at\":1,\"updated_at\":1,\"timeline\":[],\"materials\":[]}",
    "{\"id\":\"a\",\"business_type\":\"a\",\"status\":\"draft\",\"editable\":true,\"fields\":{},\"created_at\":1,\"updated_at\":1,\"timeline\":[{\"status\":5}],\"materials\":[]}",
    "{\"id\":\"a\",\"business_type\":\"a\",\"status\":\"draft\",\"editable\":true,\"fields\":{},\"created_at\":1,\"updated_at\":1,\"timeline\":[],\"materials\":[\"../x\"]}",
    "{\"id\":\"a/b\",\"business_type\":\"a\",\"status\":\"draft\",\"editable\":true,\"fields\":{},\"created_at\":1,\"updated_at\":1,\"timeline\":[],\"materials\":[]}",
  };
  const char *good_application =
    "{\"id\":\"a\",\"business_type\":\"first-application\",\"status\":\"draft\",\"editable\":true,"
    "\"fields\":{\"postcode\":\"100176\"},\"created_at\":1,\"updated_at\":2,"
    "\"timeline\":[{\"status\":\"pre-review-failed\",\"remark\":\"盖章不清\",\"at\":3}],\"materials\":[\"id-card\"]}";
  const char *bad_problems[] = {
    "{\"type\":\"about:blank\",\"status\":400}",
    "{\"type\":\"https://ekeyassistant.org/problems/x\",\"status\":200}",
    "{\"type\":\"https://ekeyassistant.org/problems/x\",\"status\":400,\"errors\":{}}",
    "{\"type\":\"https://ekeyassistant.org/problems/x\",\"status\":400,\"errors\":[{\"field\":1}]}",
  };
  const char *bad_captchas[] = {
    "{\"id\":\"a\",\"image\":\"data:image/png;base64,AAAA\",\"expires_at\":1}",
    "{\"id\":\"a\",\"image\":\"data:image/svg+xml;base64,!!!!\",\"expires_at\":1}",
    "{\"id\":\"a\",\"image\":\"data:image/svg+xml;base64,aGVsbG8=\",\"expires_at\":1}",
    "{\"id\":\"a\",\"image\":\"data:image/png;base64,aGVsbG8=\",\"expires_at\":1}",
    "{\"id\":\"a\",\"expires_at\":1}",
  };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(EkApiApplication) app = NULL;
  g_autoptr(EkApiProblem) problem = NULL;
  g_autoptr(EkApiCaptcha) captcha = NULL;
  g_autofree char *svg_b64 = g_base64_encode ((const guchar *) "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 41);
  g_autofree char *good_captcha = g_strdup_printf ("{\"id\":\"7c1f0c55-3c0e\",\"image\":\"data:image/svg+xml;base64,%s\",\"expires_at\":5}", svg_b64);

  for (guint i = 0; i < G_N_ELEMENTS (bad_applications); i++)
    {
      g_autoptr(JsonNode) n = ek_api_parse_json (bad_applications[i], strlen (bad_applications[i]), &error);

      g_assert_no_error (error);
      g_assert_null (ek_api_application_new_from_json (n, &error));
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE);
      g_clear_error (&error);
    }
  node = ek_api_parse_json (good_application, strlen (good_application), &error);
  g_assert_no_error (error);
  app = ek_api_application_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((EkApiEvent *) ek_api_application_get_timeline (app)->pdata[0])->remark, ==, "盖章不清");
  g_assert_true (ek_api_application_has_material (app, "id-card"));
  g_clear_pointer (&node, json_node_unref);

  for (guint i = 0; i < G_N_ELEMENTS (bad_problems); i++)
    {
      g_autoptr(JsonNode) n = ek_api_parse_json (bad_problems[i], strlen (bad_problems[i]), &error);

      g_assert_no_error (error);
      g_assert_null (ek_api_problem_new_from_json (n, &error));
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_captchas); i++)
    {
      g_autoptr(JsonNode) n = ek_api_parse_json (bad_captchas[i], strlen (bad_captchas[i]), &error);

      g_assert_no_error (error);
      g_assert_null (ek_api_captcha_new_from_json (n, &error));
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE);
      g_clear_error (&error);
    }
  node = ek_api_parse_json (good_captcha, strlen (good_captcha), &error);
  g_assert_no_error (error);
  captcha = ek_api_captcha_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (captcha->image), ==, 41);

  /* Not JSON, not UTF-8, or nested deeper than any answer we know */
  g_assert_null (ek_api_parse_json ("{", 1, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);
  g_assert_null (ek_api_parse_json ("\"\xff\"", 3, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (ek_api_parse_json (deep->str, deep->len, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE);
}

static void
test_field_names (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(JsonObject) fields = NULL;
  guint n_fields;
  const EkDraftField *all = ek_application_draft_get_fields (&n_fields);
  guint mapped = 0;

  g_assert_cmpstr (ek_api_draft_field_for_api_field ("fields/uscc"), ==, "credit-code");
  g_assert_cmpstr (ek_api_draft_field_for_api_field ("legal_representative_id_number"), ==, "legal-rep-id-number");
  g_assert_cmpstr (ek_api_draft_field_for_api_field ("fields/applicant_name"), ==, "user-name");
  g_assert_null (ek_api_draft_field_for_api_field ("fields/nonsense"));
  g_assert_null (ek_api_draft_field_for_api_field ("materials/id-card"));
  g_assert_cmpstr (ek_api_field_for_draft_field ("job-title"), ==, "title");

  /* Every mapped draft field exists in the draft, and round-trips */
  for (guint i = 0; i < n_fields; i++)
    {
      const char *api = ek_api_field_for_draft_field (all[i].name);

      if (api == NULL)
        continue;
      mapped++;
      g_assert_true (all[i].type == G_TYPE_STRING);
      g_assert_cmpstr (ek_api_draft_field_for_api_field (api), ==, all[i].name);
      ek_application_draft_set_string (draft, all[i].name, api);
    }
  g_assert_cmpuint (mapped, ==, 21);
  fields = ek_api_fields_from_draft (draft);
  g_assert_cmpuint (json_object_get_size (fields), ==, 21);
  g_assert_cmpstr (json_object_get_string_member (fields, "uscc"), ==, "uscc");

  /* Empty fields are not sent */
  ek_application_draft_set_string (draft, "postcode", "");
  g_clear_pointer (&fields, json_object_unref);
  fields = ek_api_fields_from_draft (draft);
  g_assert_false (json_object_has_member (fields, "postcode"));
}

/* ekey-tool registry: the helpdesk's check, with the same client */
static void
test_tool (void)
{
  const char *tool = g_getenv ("EK_TOOL");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  /* Without this test's debug capture: GLib prints debug lines on stdout */
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "G_MESSAGES_DEBUG");
  int status;
  const char *ping[] = { tool, "registry", "ping", "--json", "--url", server->base_url, "--ca", server->ca_file,
                         "--proxy", "", NULL };
  const char *catalogue[] = { tool, "registry", "catalogue", "--url", server->base_url, "--ca", server->ca_file,
                              "--proxy", "", NULL };
  const char *wrong_ca[] = { tool, "registry", "ping", "--url", server->base_url, "--ca",
                             ek_api_tls ()->other_ca_cert, "--proxy", "", NULL };

  g_assert_nonnull (tool);
  g_assert_true (g_spawn_sync (NULL, (char **) ping, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "ok"));
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{6}-[0-9a-f]{8}$",
                                       json_object_get_string_member (json_node_get_object (root), "request_id"), 0, 0));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_spawn_sync (NULL, (char **) catalogue, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "first-application\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Refused, with the clerk's message and a failing status */
  g_assert_true (g_spawn_sync (NULL, (char **) wrong_ca, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "could not be verified"));
}

/* Last: nothing secret ever reached the log, and the log says what happened */
static void
test_log_has_no_secrets (void)
{
  g_assert_cmpuint (count_log_lines ("GET /catalogue"), >=, 1);
  g_assert_cmpuint (count_log_lines ("POST /sessions → 201 (request "), >=, 1);
  g_assert_cmpuint (count_log_lines ("Bearer"), ==, 0);
  g_assert_cmpuint (count_log_lines ("token"), ==, 0);
  for (guint i = 0; i < secrets->len; i++)
    g_assert_cmpuint (count_log_lines (secrets->pdata[i]), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  setlocale (LC_ALL, "C.UTF-8");
  /* The client's debug lines are captured to check they hold no secret */
  g_setenv ("G_MESSAGES_DEBUG", "EkApiClient", TRUE);
  ek_test_init (&argc, &argv);
  log_lines = g_ptr_array_new_with_free_func (g_free);
  secrets = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler ("EkApiClient", G_LOG_LEVEL_DEBUG, capture_log, NULL);

  server = ek_api_server_start_tls (NULL);

  g_test_add_func ("/registry-client/new", test_new);
  g_test_add_func ("/registry-client/catalogue", test_catalogue);
  g_test_add_func ("/registry-client/connection-reuse", test_connection_reuse);
  g_test_add_func ("/registry-client/account", test_account);
  g_test_add_func ("/registry-client/applications", test_applications);
  g_test_add_func ("/registry-client/upload", test_upload);
  g_test_add_func ("/registry-client/upload-cancel", test_upload_cancel);
  g_test_add_func ("/registry-client/submit", test_submit);
  g_test_add_func ("/registry-client/session-expiry", test_session_expiry);
  g_test_add_func ("/registry-client/wrong-ca", test_wrong_ca);
  g_test_add_func ("/registry-client/unreachable", test_unreachable);
  g_test_add_func ("/registry-client/restart", test_restart);
  g_test_add_func ("/registry-client/service-unavailable", test_service_unavailable);
  g_test_add_func ("/registry-client/dropped", test_dropped);
  g_test_add_func ("/registry-client/timeout-and-cancel", test_timeout_and_cancel);
  g_test_add_func ("/registry-client/language", test_language);
  g_test_add_func ("/registry-client/parsers", test_parsers);
  g_test_add_func ("/registry-client/field-names", test_field_names);
  g_test_add_func ("/registry-client/tool", test_tool);
  g_test_add_func ("/registry-client/busy-database-retried", test_busy_database_retried);
  g_test_add_func ("/registry-client/log-has-no-secrets", test_log_has_no_secrets);

  status = g_test_run ();
  ek_api_server_free (server);
  g_ptr_array_unref (log_lines);
  g_ptr_array_unref (secrets);
  return status;
}
