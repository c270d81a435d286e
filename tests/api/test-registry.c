/* test-registry.c: the registration API against a real ekey-registry on 127.0.0.1
 *
 * Happy paths of every resource, the life cycle of a first application through a failed review,
 * resubmission and collection, the refusals a client must get, a kill -9 crash test, and at the end
 * a check of all recorded traffic against data/api/openapi.yaml by an independent tool.
 */
#include "config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <locale.h>
#include <string.h>
#include <time.h>

#include "ek-api-certs.h"
#include "ek-catalogue.h"
#include "ek-test-common.h"

static EkApiServer *server;   /* shared by most tests */
static char *ca_pem_path;

/* ---- Helpers ---- */

static const char *const en[] = { "Accept-Language: en", NULL };

static char *
idem_header (const char *key)
{
  return g_strconcat ("Idempotency-Key: ", key, NULL);
}

static EkApiResponse *
call_idem (EkApiServer *s,
           const char  *method,
           const char  *path,
           const char  *token,
           const char  *body,
           const char  *key)
{
  g_autofree char *header = idem_header (key);
  const char *headers[] = { header, NULL };

  return ek_api_call (s, method, path, token, body, headers);
}

static char *
full_fields_json (const char *uscc)
{
  return g_strdup_printf ("{\"enterprise_name\":\"北京测试科技有限公司\",\"uscc\":\"%s\",\"legal_representative\":\"罗云\","
                          "\"legal_representative_id_type\":\"resident-id\",\"legal_representative_id_number\":\"11010519491231002X\","
                          "\"applicant_name\":\"王兵\",\"applicant_id_number\":\"110102199101010078\",\"email\":\"wangbing@126.com\","
                          "\"mobile\":\"18910123221\",\"landline\":\"67811021\",\"postcode\":\"100176\","
                          "\"registered_address\":\"北京市东城区\",\"licence_type\":\"non-electromechanical\","
                          "\"login_name\":\"wangbing@126.com\",\"authority\":\"beijing\",\"applicant_id_type\":\"resident-id\","
                          "\"contact_address\":\"北京技术开发区荣华中路11号\"}", uscc);
}

/* The materials a first application needs, from the catalogue the server serves */
static GPtrArray *
first_application_materials (EkApiServer *s)
{
  g_autoptr(EkApiResponse) cat = ek_api_call (s, "GET", "/catalogue", NULL, NULL, NULL);
  JsonObject *doc = ek_api_object (cat);
  GPtrArray *kinds = g_ptr_array_new_with_free_func (g_free);

  if (json_object_has_member (doc, "material_rule_sets"))
    {
      JsonObject *section = json_object_get_object_member (doc, "material_rule_sets");
      const char *wanted = json_object_get_string_member (section, "default");
      JsonArray *sets = json_object_get_array_member (section, "sets");

      for (guint i = 0; i < json_array_get_length (sets); i++)
        {
          JsonObject *set = json_array_get_object_element (sets, i);
          JsonArray *list;

          if (!g_str_equal (json_object_get_string_member (set, "id"), wanted))
            continue;
          list = json_object_get_array_member (json_object_get_object_member (set, "business_types"), "first-application");
          for (guint j = 0; j < json_array_get_length (list); j++)
            g_ptr_array_add (kinds, g_strdup (json_object_get_string_member (json_array_get_object_element (list, j), "material")));
        }
    }
  else
    {
      const char *fallback[] = { "application-form", "confirmation-letter", "business-licence", "id-card",
                                 "authorisation-letter", "user-agreement" };
      for (guint i = 0; i < G_N_ELEMENTS (fallback); i++)
        g_ptr_array_add (kinds, g_strdup (fallback[i]));
    }
  g_assert_cmpuint (kinds->len, >, 0);
  return kinds;
}

static char *
create_application (EkApiServer *s,
                    const char  *token,
                    const char  *fields)
{
  g_autofree char *body = g_strdup_printf ("{\"business_type\":\"first-application\",\"fields\":%s}", fields);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(EkApiResponse) r = call_idem (s, "POST", "/applications", token, body, key);

  g_assert_cmpint (r->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (r), "status"), ==, "draft");
  return g_strdup (json_object_get_string_member (ek_api_object (r), "id"));
}

static void
upload_all_materials (EkApiServer *s,
                      const char  *token,
                      const char  *id)
{
  g_autoptr(GPtrArray) kinds = first_application_materials (s);
  g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);

  for (guint i = 0; i < kinds->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/applications/%s/materials/%s", id, (char *) kinds->pdata[i]);
      g_autoptr(EkApiResponse) r = ek_api_upload (s, path, token, png, "image/png", FALSE);

      g_assert_cmpint (r->status, ==, 201);
    }
}

static char *
ready_application (EkApiServer *s,
                   const char  *token,
                   const char  *uscc)
{
  g_autofree char *fields = full_fields_json (uscc);
  char *id = create_application (s, token, fields);

  upload_all_materials (s, token, id);
  return id;
}

static const char *
status_of (EkApiServer *s,
           const char  *token,
           const char  *id,
           EkApiResponse **keep)
{
  g_autofree char *path = g_strconcat ("/applications/", id, NULL);

  *keep = ek_api_call (s, "GET", path, token, NULL, NULL);
  g_assert_cmpint ((*keep)->status, ==, 200);
  return json_object_get_string_member (ek_api_object (*keep), "status");
}

static char *
outbox_text (EkApiServer *s)
{
  return ek_api_run (s, NULL, "outbox", NULL);
}

/* ---- Catalogue ---- */

static void
test_catalogue (void)
{
  g_autoptr(EkApiResponse) r = ek_api_call (server, "GET", "/catalogue", NULL, NULL, NULL);
  g_autoptr(EkCatalogue) bundled = ek_catalogue_new_default (NULL);
  JsonArray *types;

  g_assert_cmpint (r->status, ==, 200);
  g_assert_true (g_str_has_prefix (r->content_type, "application/json"));
  types = json_object_get_array_member (ek_api_object (r), "business_types");
  g_assert_cmpuint (json_array_get_length (types), ==, g_list_model_get_n_items (ek_catalogue_get_business_types (bundled)));
  g_assert_cmpint (json_object_get_int_member (ek_api_object (r), "format"), ==, 1);
}

/* ---- Accounts, captcha, sessions ---- */

static void
test_accounts_register_activate (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *body = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"上海测试贸易有限公司\",\"login_name\":\"li@example.cn\","
                                           "\"licence_type\":\"non-electromechanical\",\"email\":\"li@example.cn\"}", uscc);
  g_autoptr(EkApiResponse) reg = ek_api_call (server, "POST", "/accounts", NULL, body, NULL);
  g_autoptr(EkApiResponse) captcha = NULL, session = NULL, bad = NULL, list = NULL, dup = NULL, extra = NULL;
  g_autofree char *answer = NULL, *login = NULL, *wrong = NULL, *outbox = NULL, *token = NULL, *body2 = NULL;

  g_assert_cmpint (reg->status, ==, 201);
  g_assert_false (json_object_get_boolean_member (ek_api_object (reg), "active"));
  g_assert_nonnull (reg->location);

  /* The activation code went to the outbox, not to the caller */
  outbox = outbox_text (server);
  g_assert_nonnull (strstr (outbox, "To: li@example.cn"));
  g_assert_false (json_object_has_member (ek_api_object (reg), "activation_code"));
  g_assert_false (json_object_has_member (ek_api_object (reg), "code"));

  /* Not activated yet: refused as an unknown login would be (a login name's state is not probed) */
  captcha = ek_api_call (server, "POST", "/captcha", NULL, NULL, NULL);
  answer = ek_api_run (server, NULL, "captcha-answer", json_object_get_string_member (ek_api_object (captcha), "id"), NULL);
  g_strstrip (answer);
  login = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"li@example.cn\",\"captcha_id\":\"%s\",\"captcha_answer\":\"%s\"}",
                           uscc, json_object_get_string_member (ek_api_object (captcha), "id"), answer);
  session = ek_api_call (server, "POST", "/sessions", NULL, login, NULL);
  g_assert_cmpint (session->status, ==, 401);
  g_assert_cmpstr (ek_api_problem_type (session), ==, "login-failed");

  wrong = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"li@example.cn\",\"code\":\"000000x\"}", uscc);
  bad = ek_api_call (server, "POST", "/accounts/activation", NULL, wrong, NULL);
  g_assert_cmpint (bad->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (bad), ==, "activation-failed");

  /* Activate from the outbox, log in, see only our own account: the enterprise's other login
   * is not this one's to see (the access model) */
  token = ek_api_register_and_login (server, uscc, "zhang@example.cn");
  list = ek_api_call (server, "GET", "/accounts", token, NULL, NULL);
  g_assert_cmpint (list->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 1);

  /* An additional key needs a new login name: the same one again is refused on that field */
  dup = ek_api_call (server, "POST", "/accounts", NULL, body, en);
  g_assert_cmpint (dup->status, ==, 409);
  g_assert_cmpstr (ek_api_problem_type (dup), ==, "login-name-taken");
  g_assert_true (ek_api_has_field_error (dup, "login_name", "taken"));

  /* Electromechanical licences log in with their existing account, not an email */
  body2 = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"上海测试贸易有限公司\",\"login_name\":\"jd_user01\","
                           "\"licence_type\":\"electromechanical\",\"email\":\"jd@example.cn\"}", uscc);
  extra = ek_api_call (server, "POST", "/accounts", NULL, body2, NULL);
  g_assert_cmpint (extra->status, ==, 201);
}

static void
test_accounts_invalid_fields (void)
{
  const char *body = "{\"uscc\":\"9111000060003IOZSV\",\"enterprise_name\":\"\",\"login_name\":\"clerk\","
                     "\"licence_type\":\"non-electromechanical\",\"email\":\"clerk@126\",\"mobile\":\"12345678901\"}";
  const char *zh[] = { "Accept-Language: zh-CN,zh;q=0.9,en;q=0.5", NULL };
  g_autoptr(EkApiResponse) r_en = ek_api_call (server, "POST", "/accounts", NULL, body, en);
  g_autoptr(EkApiResponse) r_zh = ek_api_call (server, "POST", "/accounts", NULL, body, zh);
  g_autoptr(EkApiResponse) warn = NULL;
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *warn_body = NULL;

  g_assert_cmpint (r_en->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (r_en), ==, "validation");
  g_assert_true (ek_api_has_field_error (r_en, "uscc", "charset"));
  g_assert_true (ek_api_has_field_error (r_en, "enterprise_name", "required"));
  g_assert_true (ek_api_has_field_error (r_en, "email", "email"));
  g_assert_true (ek_api_has_field_error (r_en, "mobile", "mobile"));
  g_assert_true (ek_api_has_field_error (r_en, "login_name", "login-name-email"));
  /* Same stable types and codes, detail in the asked language */
  g_assert_cmpstr (ek_api_problem_type (r_zh), ==, "validation");
  g_assert_true (ek_api_has_field_error (r_zh, "uscc", "charset"));
  g_assert_nonnull (strstr (json_object_get_string_member (ek_api_object (r_en), "detail"), "Correct the fields"));
  g_assert_nonnull (strstr (json_object_get_string_member (ek_api_object (r_zh), "detail"), "请按提示修改"));

  /* A wrong check character warns but does not block (early pilot codes are real) */
  uscc[17] = uscc[17] == 'A' ? 'B' : 'A';
  warn_body = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"福建试点企业\",\"login_name\":\"fj@example.cn\","
                               "\"licence_type\":\"non-electromechanical\",\"email\":\"fj@example.cn\"}", uscc);
  warn = ek_api_call (server, "POST", "/accounts", NULL, warn_body, NULL);
  g_assert_cmpint (warn->status, ==, 201);
}

/* The trainer at the counter reads the newest captcha still waiting, not knowing its id; a
 * spent one is never offered */
static void
test_captcha_latest_for_the_operator (void)
{
  /* A service of its own: the shared one's log-in rate limit is for the other tests */
  g_autoptr(EkApiServer) own = ek_api_server_start (NULL);
  g_autoptr(EkApiResponse) older = ek_api_call (own, "POST", "/captcha", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) newer = ek_api_call (own, "POST", "/captcha", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) spent = NULL;
  const char *newer_id = json_object_get_string_member (ek_api_object (newer), "id");
  const char *older_id = json_object_get_string_member (ek_api_object (older), "id");
  g_autofree char *latest = ek_api_run (own, NULL, "captcha-answer", "--latest", NULL);
  g_autofree char *newer_answer = ek_api_run (own, NULL, "captcha-answer", newer_id, NULL);
  g_autofree char *older_answer = ek_api_run (own, NULL, "captcha-answer", older_id, NULL);
  g_autofree char *body = NULL, *after = NULL;

  g_assert_cmpint (newer->status, ==, 201);
  g_assert_cmpstr (g_strstrip (latest), ==, g_strstrip (newer_answer));

  /* Any attempt spends a captcha: the older one is then the latest waiting */
  body = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"91110000600037341L\",\"login_name\":\"nobody@example.cn\","
                          "\"captcha_id\":\"%s\",\"captcha_answer\":\"%s\"}", newer_id, newer_answer);
  spent = ek_api_call (own, "POST", "/sessions", NULL, body, NULL);
  g_assert_cmpint (spent->status, !=, 201);
  after = ek_api_run (own, NULL, "captcha-answer", "--latest", NULL);
  g_assert_cmpstr (g_strstrip (after), ==, g_strstrip (older_answer));
}

static void
test_captcha_single_use (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "cap@example.cn");
  g_autoptr(EkApiResponse) captcha = ek_api_call (server, "POST", "/captcha", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) first = NULL, again = NULL, wrong_captcha = NULL, wrong = NULL, after_wrong = NULL;
  g_autofree char *answer = NULL, *body = NULL, *wrong_body = NULL, *right_after_wrong = NULL, *image = NULL;
  const char *id = json_object_get_string_member (ek_api_object (captcha), "id");

  g_assert_cmpint (captcha->status, ==, 201);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (ek_api_object (captcha), "image"), "data:image/png;base64,"));
  answer = ek_api_run (server, NULL, "captcha-answer", id, NULL);
  g_strstrip (answer);
  g_assert_cmpuint (strlen (answer), ==, 5);

  body = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"cap@example.cn\",\"captcha_id\":\"%s\",\"captcha_answer\":\"%s\"}",
                          uscc, id, answer);
  first = ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
  g_assert_cmpint (first->status, ==, 201);
  again = ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
  g_assert_cmpint (again->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (again), ==, "captcha");
  g_assert_true (ek_api_has_field_error (again, "captcha_answer", "captcha"));

  /* A wrong answer spends the captcha too */
  wrong_captcha = ek_api_call (server, "POST", "/captcha", NULL, NULL, NULL);
  g_free (answer);
  answer = ek_api_run (server, NULL, "captcha-answer", json_object_get_string_member (ek_api_object (wrong_captcha), "id"), NULL);
  g_strstrip (answer);
  wrong_body = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"cap@example.cn\",\"captcha_id\":\"%s\",\"captcha_answer\":\"00000\"}",
                                uscc, json_object_get_string_member (ek_api_object (wrong_captcha), "id"));
  wrong = ek_api_call (server, "POST", "/sessions", NULL, wrong_body, NULL);
  g_assert_cmpint (wrong->status, ==, 422);
  right_after_wrong = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"cap@example.cn\",\"captcha_id\":\"%s\",\"captcha_answer\":\"%s\"}",
                                       uscc, json_object_get_string_member (ek_api_object (wrong_captcha), "id"), answer);
  after_wrong = ek_api_call (server, "POST", "/sessions", NULL, right_after_wrong, NULL);
  g_assert_cmpint (after_wrong->status, ==, 422);
}

static void
test_sessions_required_and_logout (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "out@example.cn");
  g_autoptr(EkApiResponse) none = ek_api_call (server, "GET", "/applications", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) bogus = ek_api_call (server, "GET", "/applications", "0123456789abcdef0123456789abcdef", NULL, NULL);
  g_autoptr(EkApiResponse) ok = ek_api_call (server, "GET", "/applications", token, NULL, NULL);
  g_autoptr(EkApiResponse) logout = ek_api_call (server, "DELETE", "/sessions/current", token, NULL, NULL);
  g_autoptr(EkApiResponse) after = ek_api_call (server, "GET", "/applications", token, NULL, NULL);
  g_autoptr(EkApiResponse) unknown = NULL;

  g_assert_cmpint (none->status, ==, 401);
  g_assert_cmpstr (ek_api_problem_type (none), ==, "unauthorized");
  g_assert_cmpint (bogus->status, ==, 401);
  g_assert_cmpint (ok->status, ==, 200);
  g_assert_cmpint (logout->status, ==, 204);
  g_assert_cmpint (after->status, ==, 401);

  unknown = ek_api_call (server, "POST", "/sessions", NULL,
                         "{\"method\":\"code\",\"uscc\":\"91110000600037341L\",\"login_name\":\"x@y.cn\",\"captcha_id\":\"a\",\"captcha_answer\":\"b\",\"pin\":\"123456\"}", NULL);
  g_assert_cmpint (unknown->status, ==, 422);
  g_assert_true (ek_api_has_field_error (unknown, "pin", "unknown-field"));
}

static void
test_sessions_and_captchas_expire (void)
{
  /* Whole seconds: the log-in's own captcha must outlive a (sanitized, slow) captcha-answer run */
  const char *args[] = { "--session-ttl", "2", "--captcha-ttl", "3", NULL };
  g_autoptr(EkApiServer) quick = ek_api_server_start (args);
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (quick, uscc, "ttl@example.cn");
  g_autoptr(EkApiResponse) fresh = ek_api_call (quick, "GET", "/applications", token, NULL, NULL);
  g_autoptr(EkApiResponse) captcha = ek_api_call (quick, "POST", "/captcha", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) expired = NULL, late = NULL;
  g_autofree char *answer = NULL, *body = NULL;

  g_assert_cmpint (fresh->status, ==, 200);
  answer = ek_api_run (quick, NULL, "captcha-answer", json_object_get_string_member (ek_api_object (captcha), "id"), NULL);
  g_strstrip (answer);

  g_usleep (3100 * 1000);   /* lifetimes are whole seconds; this waits past both, not a timing check */

  expired = ek_api_call (quick, "GET", "/applications", token, NULL, NULL);
  g_assert_cmpint (expired->status, ==, 401);
  g_assert_cmpstr (ek_api_problem_type (expired), ==, "session-expired");

  body = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"ttl@example.cn\",\"captcha_id\":\"%s\",\"captcha_answer\":\"%s\"}",
                          uscc, json_object_get_string_member (ek_api_object (captcha), "id"), answer);
  late = ek_api_call (quick, "POST", "/sessions", NULL, body, NULL);
  g_assert_cmpint (late->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (late), ==, "captcha");
  ek_api_server_stop (quick);
}

static void
test_rate_limits (void)
{
  const char *args[] = { "--rate-limit", "3", NULL };
  g_autoptr(EkApiServer) tight = ek_api_server_start (args);

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(EkApiResponse) r = ek_api_call (tight, "POST", "/captcha", NULL, NULL, NULL);
      g_assert_cmpint (r->status, ==, 201);
    }
  {
    g_autoptr(EkApiResponse) r = ek_api_call (tight, "POST", "/captcha", NULL, NULL, en);
    g_assert_cmpint (r->status, ==, 429);
    g_assert_cmpstr (ek_api_problem_type (r), ==, "rate-limited");
    g_assert_nonnull (r->retry_after);
  }
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(EkApiResponse) r = ek_api_call (tight, "POST", "/sessions", NULL,
                                                "{\"method\":\"code\",\"uscc\":\"91110000600037341L\",\"login_name\":\"a@b.cn\","
                                                "\"captcha_id\":\"x\",\"captcha_answer\":\"y\"}", NULL);
      g_assert_cmpint (r->status, ==, i < 3 ? 422 : 429);
    }
  ek_api_server_stop (tight);
}

/* ---- Applications ---- */

static void
test_application_life_cycle (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "life@example.cn");
  g_autofree char *fields = full_fields_json (uscc);
  g_autofree char *body = g_strdup_printf ("{\"business_type\":\"first-application\",\"fields\":%s}", fields);
  g_autoptr(EkApiResponse) created = call_idem (server, "POST", "/applications", token, body, "create-1");
  g_autoptr(EkApiResponse) replay = call_idem (server, "POST", "/applications", token, body, "create-1");
  g_autoptr(EkApiResponse) reused = call_idem (server, "POST", "/applications", token,
                                              "{\"business_type\":\"pin-unlock\"}", "create-1");
  g_autoptr(EkApiResponse) missing_key = ek_api_call (server, "POST", "/applications", token, body, NULL);
  g_autoptr(EkApiResponse) list = NULL, submitted = NULL, again = NULL, twice = NULL, edit = NULL, upload = NULL;
  g_autoptr(EkApiResponse) state = NULL, fix = NULL, resubmitted = NULL, final = NULL, replace = NULL;
  g_autofree char *app_path = NULL, *submit_path = NULL, *outbox = NULL, *out = NULL, *material_path = NULL;
  g_autoptr(GPtrArray) kinds = first_application_materials (server);
  g_autoptr(GBytes) png = ek_api_png (640, 480, FALSE);
  const char *id;
  JsonArray *timeline;
  int exit_status;
  const char *expected[] = { "draft", "submitted", "pre-review-failed", "submitted", "pre-review-passed",
                             "re-review-passed", "producing", "shipped", "ready-for-collection", "collected" };

  g_assert_cmpint (created->status, ==, 201);
  id = json_object_get_string_member (ek_api_object (created), "id");
  g_assert_true (g_str_has_suffix (created->location, id));

  /* A retried create never creates twice */
  g_assert_cmpint (replay->status, ==, 201);
  g_assert_true (replay->replayed);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (replay), "id"), ==, id);
  g_assert_cmpint (reused->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (reused), ==, "idempotency-key-reused");
  g_assert_cmpint (missing_key->status, ==, 400);
  g_assert_cmpstr (ek_api_problem_type (missing_key), ==, "idempotency-key-missing");
  list = ek_api_call (server, "GET", "/applications", token, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 1);

  app_path = g_strconcat ("/applications/", id, NULL);
  submit_path = g_strconcat (app_path, "/submit", NULL);
  upload_all_materials (server, token, id);

  submitted = call_idem (server, "POST", submit_path, token, NULL, "submit-1");
  g_assert_cmpint (submitted->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (submitted), "status"), ==, "submitted");
  g_assert_false (json_object_get_boolean_member (ek_api_object (submitted), "editable"));

  /* The reviewer sees it waiting */
  {
    g_autofree char *pending = ek_api_run (server, NULL, "review", "list", "--json", NULL);
    g_assert_nonnull (strstr (pending, id));
  }

  /* Retried submit: the same answer, not a second submission; a new key is a state violation */
  again = call_idem (server, "POST", submit_path, token, NULL, "submit-1");
  g_assert_cmpint (again->status, ==, 200);
  g_assert_true (again->replayed);
  twice = call_idem (server, "POST", submit_path, token, NULL, "submit-2");
  g_assert_cmpint (twice->status, ==, 409);
  g_assert_cmpstr (ek_api_problem_type (twice), ==, "invalid-transition");
  edit = ek_api_call (server, "PATCH", app_path, token, "{\"fields\":{\"postcode\":\"100175\"}}", NULL);
  g_assert_cmpint (edit->status, ==, 409);
  g_assert_cmpstr (ek_api_problem_type (edit), ==, "not-editable");
  material_path = g_strdup_printf ("%s/materials/%s", app_path, (char *) kinds->pdata[0]);
  upload = ek_api_upload (server, material_path, token, png, "image/png", FALSE);
  g_assert_cmpint (upload->status, ==, 409);

  /* The authority's pre-review fails with a remark; the enterprise sees it and may edit again */
  out = ek_api_run (server, &exit_status, "review", "pre-review", id, "fail", NULL);
  g_assert_cmpint (exit_status, ==, 2);   /* a failure needs a remark */
  {
    /* The reviewer may give the number the clerk reads off the screen; what is not a number, or
     * too short to name one application, names none */
    g_autofree char *not_hex = ek_api_run (server, &exit_status, "review", "pre-review", "ZZZZZZZZ", "pass", NULL);
    g_autofree char *too_short = NULL;

    g_assert_cmpint (exit_status, ==, 1);
    too_short = ek_api_run (server, &exit_status, "review", "pre-review", "abc", "pass", NULL);
    g_assert_cmpint (exit_status, ==, 1);
  }
  ek_api_review (server, "pre-review", id, "fail", "营业执照副本不清晰，请重新扫描 / licence copy illegible");
  g_assert_cmpstr (status_of (server, token, id, &state), ==, "pre-review-failed");
  g_assert_true (json_object_get_boolean_member (ek_api_object (state), "editable"));
  timeline = json_object_get_array_member (ek_api_object (state), "timeline");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (timeline, json_array_get_length (timeline) - 1), "remark"),
                   ==, "营业执照副本不清晰，请重新扫描 / licence copy illegible");
  outbox = outbox_text (server);
  g_assert_nonnull (strstr (outbox, "营业执照副本不清晰"));

  /* Correct, replace the material, resubmit */
  fix = ek_api_call (server, "PATCH", app_path, token, "{\"fields\":{\"postcode\":\"100175\"}}", NULL);
  g_assert_cmpint (fix->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ek_api_object (fix), "fields"), "postcode"), ==, "100175");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ek_api_object (fix), "fields"), "uscc"), ==, uscc);
  replace = ek_api_upload (server, material_path, token, png, "image/png", FALSE);
  g_assert_cmpint (replace->status, ==, 200);
  resubmitted = call_idem (server, "POST", submit_path, token, NULL, "submit-3");
  g_assert_cmpint (resubmitted->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (resubmitted), "status"), ==, "submitted");

  /* Out of order is refused by the reviewer's side too */
  g_free (out);
  out = ek_api_run (server, &exit_status, "review", "ship", id, NULL);
  g_assert_cmpint (exit_status, ==, 1);

  ek_api_review (server, "pre-review", id, "pass", NULL);
  ek_api_review (server, "re-review", id, "pass", NULL);
  ek_api_review (server, "produce", id, NULL, NULL);
  ek_api_review (server, "ship", id, NULL, NULL);
  ek_api_review (server, "arrive", id, NULL, NULL);
  ek_api_review (server, "collect", id, NULL, NULL);

  g_assert_cmpstr (status_of (server, token, id, &final), ==, "collected");
  timeline = json_object_get_array_member (ek_api_object (final), "timeline");
  g_assert_cmpuint (json_array_get_length (timeline), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (timeline, i), "status"), ==, expected[i]);

  g_free (outbox);
  outbox = outbox_text (server);
  g_assert_nonnull (strstr (outbox, "调用商务部统一用户管理平台激活企业账户"));
  g_assert_nonnull (strstr (outbox, "ready-for-collection"));
}

static void
test_application_fields_validated (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "fields@example.cn");
  const char *bad = "{\"business_type\":\"first-application\",\"fields\":{\"uscc\":\"91110000600037341\","
                    "\"applicant_id_number\":\"36042619910102009X\",\"legal_representative_id_number\":\"360426199113010079\","
                    "\"mobile\":\"1380013800\",\"landline\":\"12345678\",\"postcode\":\"10017\",\"email\":\"a..b@126.com\","
                    "\"nickname\":\"x\",\"licence_type\":\"bicycles\"}}";
  g_autoptr(EkApiResponse) r = call_idem (server, "POST", "/applications", token, bad, "bad-fields");
  g_autoptr(EkApiResponse) passport = NULL, unknown_type = NULL, submit_incomplete = NULL;
  g_autofree char *id = NULL, *submit = NULL;

  g_assert_cmpint (r->status, ==, 422);
  g_assert_true (ek_api_has_field_error (r, "fields/uscc", "length"));
  g_assert_true (ek_api_has_field_error (r, "fields/applicant_id_number", "check-character"));
  g_assert_true (ek_api_has_field_error (r, "fields/legal_representative_id_number", "birth-date"));
  g_assert_true (ek_api_has_field_error (r, "fields/mobile", "mobile"));
  g_assert_true (ek_api_has_field_error (r, "fields/landline", "landline"));
  g_assert_true (ek_api_has_field_error (r, "fields/postcode", "postcode"));
  g_assert_true (ek_api_has_field_error (r, "fields/email", "email"));
  g_assert_true (ek_api_has_field_error (r, "fields/nickname", "unknown-field"));
  g_assert_true (ek_api_has_field_error (r, "fields/licence_type", "licence-type"));

  /* A passport number is not checked as a resident ID */
  passport = call_idem (server, "POST", "/applications", token,
                        "{\"business_type\":\"first-application\",\"fields\":{\"applicant_id_type\":\"passport\",\"applicant_id_number\":\"E12345678\"}}",
                        "passport");
  g_assert_cmpint (passport->status, ==, 201);
  unknown_type = call_idem (server, "POST", "/applications", token, "{\"business_type\":\"bicycle-licence\"}", "bike");
  g_assert_cmpint (unknown_type->status, ==, 422);
  g_assert_true (ek_api_has_field_error (unknown_type, "business_type", "choice"));

  /* Submitting an incomplete draft names each missing field */
  id = create_application (server, token, "{\"enterprise_name\":\"不完整\"}");
  submit = g_strconcat ("/applications/", id, "/submit", NULL);
  submit_incomplete = call_idem (server, "POST", submit, token, NULL, "incomplete");
  g_assert_cmpint (submit_incomplete->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (submit_incomplete), ==, "missing-materials");
  g_assert_true (ek_api_has_field_error (submit_incomplete, "fields/uscc", "required"));
  g_assert_true (ek_api_has_field_error (submit_incomplete, "fields/mobile", "required"));
  /* … and what the catalogue's form requires of a first application: the login name, the
   * licence type, the issuing authority */
  g_assert_true (ek_api_has_field_error (submit_incomplete, "fields/login_name", "required"));
  g_assert_true (ek_api_has_field_error (submit_incomplete, "fields/licence_type", "required"));
  g_assert_true (ek_api_has_field_error (submit_incomplete, "fields/authority", "required"));
}

static void
test_json_malformed_oversized_unknown (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "json@example.cn");
  g_autoptr(GString) big = g_string_new ("{\"business_type\":\"first-application\",\"fields\":{\"reason\":\"");
  g_autoptr(EkApiResponse) malformed = NULL, array = NULL, huge = NULL, unknown = NULL, wrong_type = NULL, long_text = NULL;
  g_autofree char *long_body = NULL;
  g_autofree char *five_hundred_one = NULL;

  malformed = call_idem (server, "POST", "/applications", token, "{\"business_type\": \"first-application\",", "m1");
  g_assert_cmpint (malformed->status, ==, 400);
  g_assert_cmpstr (ek_api_problem_type (malformed), ==, "malformed-json");
  array = call_idem (server, "POST", "/applications", token, "[1,2,3]", "m2");
  g_assert_cmpint (array->status, ==, 400);

  for (int i = 0; i < 70 * 1024; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}}");
  huge = call_idem (server, "POST", "/applications", token, big->str, "m3");
  g_assert_cmpint (huge->status, ==, 413);
  g_assert_cmpstr (ek_api_problem_type (huge), ==, "body-too-large");

  unknown = call_idem (server, "POST", "/applications", token, "{\"business_type\":\"first-application\",\"admin\":true}", "m4");
  g_assert_cmpint (unknown->status, ==, 422);
  g_assert_true (ek_api_has_field_error (unknown, "admin", "unknown-field"));
  wrong_type = call_idem (server, "POST", "/applications", token,
                          "{\"business_type\":\"first-application\",\"fields\":{\"postcode\":100176}}", "m5");
  g_assert_cmpint (wrong_type->status, ==, 422);
  g_assert_true (ek_api_has_field_error (wrong_type, "fields/postcode", "type"));

  five_hundred_one = g_strnfill (501, 'a');
  long_body = g_strdup_printf ("{\"business_type\":\"first-application\",\"fields\":{\"reason\":\"%s\"}}", five_hundred_one);
  long_text = call_idem (server, "POST", "/applications", token, long_body, "m6");
  g_assert_cmpint (long_text->status, ==, 422);
  g_assert_true (ek_api_has_field_error (long_text, "fields/reason", "too-long"));
}

static void
test_isolation (void)
{
  g_autofree char *uscc_a = ek_api_make_uscc ();
  g_autofree char *uscc_b = ek_api_make_uscc ();
  g_autofree char *token_a = ek_api_register_and_login (server, uscc_a, "a@iso.cn");
  g_autofree char *token_b = ek_api_register_and_login (server, uscc_b, "b@iso.cn");
  g_autofree char *id = ready_application (server, token_a, uscc_a);
  g_autofree char *path = g_strconcat ("/applications/", id, NULL);
  g_autofree char *submit = g_strconcat (path, "/submit", NULL);
  g_autofree char *materials = g_strconcat (path, "/materials", NULL);
  g_autoptr(GPtrArray) kinds = first_application_materials (server);
  g_autofree char *material = g_strdup_printf ("%s/%s", materials, (char *) kinds->pdata[0]);
  g_autoptr(GBytes) png = ek_api_png (100, 100, FALSE);
  g_autoptr(EkApiResponse) accounts_a = ek_api_call (server, "GET", "/accounts", token_a, NULL, NULL);
  const char *account_a = json_object_get_string_member (json_array_get_object_element (json_node_get_array (accounts_a->json), 0), "id");
  g_autofree char *account_path = g_strconcat ("/accounts/", account_a, NULL);
  struct { const char *method; const char *path; } probes[] = {
    { "GET", path }, { "GET", materials }, { "GET", material }, { "DELETE", material }, { "GET", account_path },
  };

  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_autoptr(EkApiResponse) r = ek_api_call (server, probes[i].method, probes[i].path, token_b, NULL, NULL);
      g_assert_cmpint (r->status, ==, 404);
      g_assert_cmpstr (ek_api_problem_type (r), ==, "not-found");
    }
  {
    g_autoptr(EkApiResponse) patch = ek_api_call (server, "PATCH", path, token_b, "{\"fields\":{\"postcode\":\"000000\"}}", NULL);
    g_autoptr(EkApiResponse) sub = call_idem (server, "POST", submit, token_b, NULL, "iso-submit");
    g_autoptr(EkApiResponse) up = ek_api_upload (server, material, token_b, png, "image/png", FALSE);
    g_autoptr(EkApiResponse) list = ek_api_call (server, "GET", "/applications", token_b, NULL, NULL);
    g_autoptr(EkApiResponse) own = ek_api_call (server, "GET", path, token_a, NULL, NULL);

    g_assert_cmpint (patch->status, ==, 404);
    g_assert_cmpint (sub->status, ==, 404);
    g_assert_cmpint (up->status, ==, 404);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 0);
    /* …and A's application is untouched */
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (own), "status"), ==, "draft");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ek_api_object (own), "fields"), "postcode"), ==, "100176");
  }
  /* The same idempotency key in two enterprises are two keys */
  {
    g_autoptr(EkApiResponse) ra = call_idem (server, "POST", "/applications", token_a, "{\"business_type\":\"pin-unlock\"}", "shared-key");
    g_autoptr(EkApiResponse) rb = call_idem (server, "POST", "/applications", token_b, "{\"business_type\":\"pin-unlock\"}", "shared-key");
    g_assert_cmpint (ra->status, ==, 201);
    g_assert_cmpint (rb->status, ==, 201);
    g_assert_false (rb->replayed);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (ra), "id"), !=, json_object_get_string_member (ek_api_object (rb), "id"));
  }
  /* A renewal needs the key: a code session cannot apply for one */
  {
    g_autoptr(EkApiResponse) renewal = call_idem (server, "POST", "/applications", token_a, "{\"business_type\":\"renewal\"}", "renewal-1");
    g_assert_cmpint (renewal->status, ==, 403);
    g_assert_cmpstr (ek_api_problem_type (renewal), ==, "key-login-required");
  }
}

/* ---- Materials ---- */

static void
test_materials (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "mat@example.cn");
  g_autofree char *id = create_application (server, token, "{}");
  g_autoptr(GPtrArray) kinds = first_application_materials (server);
  g_autofree char *path = g_strdup_printf ("/applications/%s/materials/%s", id, (char *) kinds->pdata[0]);
  g_autofree char *list_path = g_strdup_printf ("/applications/%s/materials", id);
  g_autoptr(GBytes) png = ek_api_png (800, 600, FALSE);
  g_autoptr(GBytes) noise = ek_api_png (400, 400, TRUE);
  g_autoptr(EkApiResponse) ok = NULL, list = NULL, fetched = NULL, too_big = NULL, too_big_chunked = NULL;
  g_autoptr(EkApiResponse) pdf = NULL, truncated = NULL, unknown = NULL, traversal = NULL, gone = NULL, after = NULL, gif_r = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
  const char pdf_bytes[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  g_autoptr(GBytes) pdf_data = g_bytes_new_static (pdf_bytes, sizeof pdf_bytes - 1);
  g_autoptr(GBytes) half = g_bytes_new_from_bytes (png, 0, g_bytes_get_size (png) / 2);
  static const guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0, 0, 0, 0, 0,
                                0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b };
  g_autoptr(GBytes) gif_data = g_bytes_new_static (gif, sizeof gif);
  g_autofree char *gif_path = g_strdup_printf ("/applications/%s/materials/%s", id, (char *) kinds->pdata[1]);
  JsonObject *m;

  g_assert_cmpuint (g_bytes_get_size (noise), >, 300 * 1024);

  ok = ek_api_upload (server, path, token, png, "image/png", FALSE);
  g_assert_cmpint (ok->status, ==, 201);
  m = ek_api_object (ok);
  g_assert_cmpstr (json_object_get_string_member (m, "sha256"), ==, sha);
  g_assert_cmpint (json_object_get_int_member (m, "size"), ==, (gint64) g_bytes_get_size (png));
  g_assert_cmpint (json_object_get_int_member (m, "width"), ==, 800);
  g_assert_cmpint (json_object_get_int_member (m, "height"), ==, 600);
  gif_r = ek_api_upload (server, gif_path, token, gif_data, "image/gif", FALSE);
  g_assert_cmpint (gif_r->status, ==, 201);

  list = ek_api_call (server, "GET", list_path, token, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 2);
  fetched = ek_api_call (server, "GET", path, token, NULL, NULL);
  g_assert_cmpint (fetched->status, ==, 200);
  g_assert_true (g_bytes_equal (fetched->body, png));

  /* Oversized: refused with a declared length, and while streaming a chunked body */
  too_big = ek_api_upload (server, path, token, noise, "image/png", FALSE);
  g_assert_cmpint (too_big->status, ==, 413);
  g_assert_cmpstr (ek_api_problem_type (too_big), ==, "upload-too-large");
  too_big_chunked = ek_api_upload (server, path, token, noise, "image/png", TRUE);
  g_assert_cmpint (too_big_chunked->status, ==, 413);

  /* A PDF renamed to .png is named for what it is */
  pdf = ek_api_upload (server, path, token, pdf_data, "image/png", FALSE);
  g_assert_cmpint (pdf->status, ==, 415);
  g_assert_cmpstr (ek_api_problem_type (pdf), ==, "unsupported-format");
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (pdf), "detected_format"), ==, "pdf");
  truncated = ek_api_upload (server, path, token, half, "image/png", FALSE);
  g_assert_cmpint (truncated->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (truncated), ==, "damaged-image");
  {
    /* A header claiming 30000 pixels across (a decompression bomb) is refused before anything decodes it */
    gsize len;
    g_autofree guint8 *wide = g_memdup2 (g_bytes_get_data (png, &len), g_bytes_get_size (png));
    g_autoptr(GBytes) wide_bytes = NULL;
    g_autoptr(EkApiResponse) bomb = NULL;

    wide[16] = 0, wide[17] = 0, wide[18] = 0x75, wide[19] = 0x30;
    wide_bytes = g_bytes_new (wide, len);
    bomb = ek_api_upload (server, path, token, wide_bytes, "image/png", FALSE);
    g_assert_cmpint (bomb->status, ==, 422);
    g_assert_cmpstr (ek_api_problem_type (bomb), ==, "image-dimensions");
  }
  {
    g_autofree char *bad_kind = g_strdup_printf ("/applications/%s/materials/tax-return", id);
    unknown = ek_api_upload (server, bad_kind, token, png, "image/png", FALSE);
    g_assert_cmpint (unknown->status, ==, 422);
    g_assert_true (ek_api_has_field_error (unknown, "kind", "unknown-material"));
  }
  {
    g_autofree char *evil = g_strdup_printf ("/applications/%s/materials/..%%2F..%%2F..%%2Fetc%%2Fpasswd", id);
    traversal = ek_api_upload (server, evil, token, png, "image/png", FALSE);
    g_assert_cmpint (traversal->status, ==, 404);
  }

  /* None of the refused uploads replaced the stored file */
  g_clear_pointer (&fetched, ek_api_response_free);
  fetched = ek_api_call (server, "GET", path, token, NULL, NULL);
  g_assert_true (g_bytes_equal (fetched->body, png));

  gone = ek_api_call (server, "DELETE", path, token, NULL, NULL);
  g_assert_cmpint (gone->status, ==, 204);
  after = ek_api_call (server, "GET", list_path, token, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after->json)), ==, 1);
}


/* The limits and required materials come from the catalogue's material_rule_sets section: a
 * service given a catalogue with a tiny rule set applies exactly that */
static void
test_material_rules_from_catalogue (void)
{
  static const char rules[] =
    "{\"default\": \"tiny\", \"sets\": [{\"id\": \"tiny\", \"name\": {\"en\": \"Tiny\"},"
    " \"limits\": {\"formats\": [\"png\"], \"max_width\": 2000, \"max_height\": 2000, \"max_pixels\": 4000000, \"max_bytes\": 20000},"
    " \"business_types\": {\"first-application\": ["
    "   {\"material\": \"application-form\", \"required\": true},"
    "   {\"material\": \"business-licence\", \"required\": true},"
    "   {\"material\": \"foreign-trade-operator-form\", \"required\": true, \"exemptions\": [{\"en\": \"Foreign-invested\"}]}]}}]}";
  g_autofree char *bundled = g_build_filename (ek_test_source_root (), "data", "catalogue.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) section = json_from_string (rules, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *catalogue_path = NULL, *uscc = ek_api_make_uscc (), *token = NULL, *id = NULL;
  g_autofree char *fields = NULL, *form = NULL, *licence = NULL, *id_card = NULL, *submit = NULL;
  const char *args[] = { "--catalogue", NULL, NULL };
  g_autoptr(EkApiServer) ruled = NULL;
  g_autoptr(GBytes) small = ek_api_png (200, 100, FALSE);
  g_autoptr(GBytes) noise = ek_api_png (100, 100, TRUE);
  static const guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0, 0, 0, 0, 0,
                                0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b };
  g_autoptr(GBytes) gif_data = g_bytes_new_static (gif, sizeof gif);
  g_autoptr(EkApiResponse) big = NULL, not_png = NULL, unknown = NULL, early = NULL, ok = NULL, done = NULL;

  g_assert_true (json_parser_load_from_file (parser, bundled, &error));
  g_assert_no_error (error);
  json_object_set_member (json_node_get_object (json_parser_get_root (parser)), "material_rule_sets",
                          json_node_ref (section));
  text = json_to_string (json_parser_get_root (parser), TRUE);
  catalogue_path = ek_test_write_temp_file ("ruled-catalogue.json", text, -1);
  args[1] = catalogue_path;
  ruled = ek_api_server_start (args);

  g_assert_cmpuint (g_bytes_get_size (noise), >, 20000);
  g_assert_cmpuint (g_bytes_get_size (small), <, 20000);
  token = ek_api_register_and_login (ruled, uscc, "rules@example.cn");
  fields = full_fields_json (uscc);
  id = create_application (ruled, token, fields);
  form = g_strdup_printf ("/applications/%s/materials/application-form", id);
  licence = g_strdup_printf ("/applications/%s/materials/business-licence", id);
  id_card = g_strdup_printf ("/applications/%s/materials/id-card", id);
  submit = g_strdup_printf ("/applications/%s/submit", id);

  big = ek_api_upload (ruled, form, token, noise, "image/png", FALSE);
  g_assert_cmpint (big->status, ==, 413);
  not_png = ek_api_upload (ruled, form, token, gif_data, "image/gif", FALSE);
  g_assert_cmpint (not_png->status, ==, 415);
  unknown = ek_api_upload (ruled, id_card, token, small, "image/png", FALSE);
  g_assert_cmpint (unknown->status, ==, 422);
  ok = ek_api_upload (ruled, form, token, small, "image/png", FALSE);
  g_assert_cmpint (ok->status, ==, 201);

  /* The business licence is required; the form with exemptions is the enterprise's call */
  early = call_idem (ruled, "POST", submit, token, NULL, "early");
  g_assert_cmpint (early->status, ==, 422);
  g_assert_true (ek_api_has_field_error (early, "materials/business-licence", "missing"));
  g_assert_false (ek_api_has_field_error (early, "materials/foreign-trade-operator-form", NULL));
  g_clear_pointer (&ok, ek_api_response_free);
  ok = ek_api_upload (ruled, licence, token, small, "image/png", FALSE);
  g_assert_cmpint (ok->status, ==, 201);
  done = call_idem (ruled, "POST", submit, token, NULL, "ready");
  g_assert_cmpint (done->status, ==, 200);
  ek_api_server_stop (ruled);
}

/* --material-rules: the operator picks which of the catalogue's sets is in force; the served
 * catalogue names it as its default (what the app then applies), and uploads are held to it */
static void
test_material_rules_option (void)
{
  const char *args[] = { "--material-rules", "gfa-1mb", NULL };
  g_autoptr(EkApiServer) large = ek_api_server_start (args);
  g_autoptr(EkApiResponse) catalogue = ek_api_call (large, "GET", "/catalogue", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) between = NULL, over = NULL;
  g_autoptr(GBytes) medium = ek_api_png (420, 420, TRUE);
  g_autoptr(GBytes) huge = ek_api_png (700, 700, TRUE);
  g_autofree char *uscc = ek_api_make_uscc (), *token = NULL, *id = NULL, *fields = NULL, *form = NULL;
  g_autofree char *err = NULL;
  JsonObject *sets;
  int status = 0;

  g_assert_cmpint (catalogue->status, ==, 200);
  sets = json_object_get_object_member (ek_api_object (catalogue), "material_rule_sets");
  g_assert_cmpstr (json_object_get_string_member (sets, "default"), ==, "gfa-1mb");

  /* Over 200 KB but under 1 MB goes in; over 1 MB is refused */
  g_assert_cmpuint (g_bytes_get_size (medium), >, 300 * 1024);
  g_assert_cmpuint (g_bytes_get_size (medium), <, 1000 * 1024);
  g_assert_cmpuint (g_bytes_get_size (huge), >, 1024 * 1024);
  token = ek_api_register_and_login (large, uscc, "large@example.cn");
  fields = full_fields_json (uscc);
  id = create_application (large, token, fields);
  form = g_strdup_printf ("/applications/%s/materials/application-form", id);
  between = ek_api_upload (large, form, token, medium, "image/png", FALSE);
  g_assert_cmpint (between->status, ==, 201);
  over = ek_api_upload (large, form, token, huge, "image/png", FALSE);
  g_assert_cmpint (over->status, ==, 413);
  ek_api_server_stop (large);

  /* A set the catalogue does not have: the service refuses to start, naming it */
  {
    const char *argv[] = { g_getenv ("EK_REGISTRY"), "serve", "--listen", "127.0.0.1:0", "--db", large->db,
                           "--data-dir", large->data_dir, "--material-rules", "gfa-5mb", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "gfa-5mb"));
  }
}

/* Without a session nothing is written to disk, even before the body arrives */
static void
test_upload_needs_session (void)
{
  g_autoptr(GBytes) png = ek_api_png (100, 100, FALSE);
  g_autofree char *path = g_strdup_printf ("/applications/%s/materials/application-form", "00000000-0000-4000-8000-000000000000");
  g_autoptr(EkApiResponse) r = ek_api_upload (server, path, "not-a-session-token-at-all", png, "image/png", FALSE);
  g_autofree char *tmp = g_build_filename (server->data_dir, "tmp", NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);

  g_assert_cmpint (r->status, ==, 401);
  g_assert_cmpstr (ek_api_problem_type (r), ==, "unauthorized");
  g_assert_null (g_dir_read_name (dir));
}

/* SQL and path-traversal strings in every text field: stored and returned verbatim, no effect */
static void
test_hostile_text_verbatim (void)
{
  const char *hostile[] = {
    "Robert'); DROP TABLE applications;--",
    "../../../../etc/passwd",
    "\" OR 1=1 --",
    "%00<script>alert(1)</script>",
    "..\\\\..\\\\windows\\\\system32",
  };
  /* (The login name is checked as a platform user name, so it is not free text) */
  const char *text_fields[] = { "enterprise_name", "registered_address", "legal_representative", "applicant_name",
                                "contact_address", "department", "title", "work_address", "reason", "authority" };
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "sql@example.cn");

  for (guint h = 0; h < G_N_ELEMENTS (hostile); h++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *body = NULL, *key = g_strdup_printf ("hostile-%u", h), *path = NULL;
      g_autoptr(EkApiResponse) created = NULL, read_back = NULL, list = NULL;
      JsonObject *fields;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "business_type");
      json_builder_add_string_value (builder, "first-application");
      json_builder_set_member_name (builder, "fields");
      json_builder_begin_object (builder);
      for (guint f = 0; f < G_N_ELEMENTS (text_fields); f++)
        {
          json_builder_set_member_name (builder, text_fields[f]);
          json_builder_add_string_value (builder, hostile[h]);
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      body = json_to_string (root, FALSE);

      created = call_idem (server, "POST", "/applications", token, body, key);
      g_assert_cmpint (created->status, ==, 201);
      path = g_strconcat ("/applications/", json_object_get_string_member (ek_api_object (created), "id"), NULL);
      read_back = ek_api_call (server, "GET", path, token, NULL, NULL);
      fields = json_object_get_object_member (ek_api_object (read_back), "fields");
      for (guint f = 0; f < G_N_ELEMENTS (text_fields); f++)
        g_assert_cmpstr (json_object_get_string_member (fields, text_fields[f]), ==, hostile[h]);
      list = ek_api_call (server, "GET", "/applications", token, NULL, NULL);
      g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, h + 1);
    }
  /* The login name and enterprise name of an account too */
  {
    g_autofree char *uscc2 = ek_api_make_uscc ();
    g_autofree char *body = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"x'); DELETE FROM accounts;--\","
                                             "\"login_name\":\"o'hara@example.cn\",\"licence_type\":\"used-car-export\","
                                             "\"email\":\"ohara@example.cn\",\"contact_name\":\"../../etc/shadow\"}", uscc2);
    g_autoptr(EkApiResponse) r = ek_api_call (server, "POST", "/accounts", NULL, body, NULL);
    g_autoptr(EkApiResponse) mine = ek_api_call (server, "GET", "/accounts", token, NULL, NULL);

    g_assert_cmpint (r->status, ==, 422);   /* an apostrophe is not allowed in an email login name */
    g_assert_cmpuint (json_array_get_length (json_node_get_array (mine->json)), ==, 1);
  }
}

/* ---- Key log-in, mobile authorisations, seals ---- */

/* Valid from an hour ago for a day */
static void
make_cert (EkTestCert       *out,
           const char       *dn,
           const EkTestCert *issuer)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  ek_test_cert_make (out, dn, issuer, now - 3600, now + 86400);
}

static EkTestCert test_ca, user_cert, rogue_ca, rogue_user, old_user;

static void
test_key_login (void)
{
  g_autofree char *body = NULL;
  g_autoptr(EkApiResponse) good = ek_api_key_login (server, &user_cert, FALSE, &body);
  g_autoptr(EkApiResponse) replayed = ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
  g_autoptr(EkApiResponse) forged = ek_api_key_login (server, &user_cert, TRUE, NULL);
  g_autoptr(EkApiResponse) rogue = ek_api_key_login (server, &rogue_user, FALSE, NULL);
  g_autoptr(EkApiResponse) apps = NULL;

  g_assert_cmpint (good->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (good), "method"), ==, "key");
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (good), "login_name"), ==, "LUOYUN");
  apps = ek_api_call (server, "GET", "/applications", json_object_get_string_member (ek_api_object (good), "token"), NULL, NULL);
  g_assert_cmpint (apps->status, ==, 200);

  /* A challenge is single use; a signature over other data, or a certificate of another CA, fails */
  g_assert_cmpint (replayed->status, ==, 401);
  g_assert_cmpstr (ek_api_problem_type (replayed), ==, "key-login-failed");
  g_assert_cmpint (forged->status, ==, 401);
  g_assert_cmpint (rogue->status, ==, 401);
  g_assert_cmpstr (ek_api_problem_type (rogue), ==, "certificate-not-issued-by-service");

  /* A service without an issuing CA says online renewal is not available, and what to do instead
   * (the renewal itself is tested against a service that issues: test-renewal-service.c) */
  {
    const char *token = json_object_get_string_member (ek_api_object (good), "token");
    g_autoptr(EkApiResponse) eligibility = ek_api_call (server, "GET", "/renewal-eligibility", token, NULL, NULL);
    g_autoptr(EkApiResponse) created = call_idem (server, "POST", "/applications", token,
                                                  "{\"business_type\":\"first-application\"}", "key-first-1");
    g_autofree char *path = g_strdup_printf ("/applications/%s/certificate",
                                             json_object_get_string_member (ek_api_object (created), "id"));
    g_autoptr(EkApiResponse) get = ek_api_call (server, "GET", path, token, NULL, NULL);
    g_autoptr(EkApiResponse) post = ek_api_call (server, "POST", path, token, "{\"csr\":\"x\"}", NULL);

    g_assert_cmpint (eligibility->status, ==, 200);
    g_assert_false (json_object_get_boolean_member (ek_api_object (eligibility), "eligible"));
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (eligibility), "reason"), ==, "unavailable");
    g_assert_cmpint (get->status, ==, 503);
    g_assert_cmpstr (ek_api_problem_type (get), ==, "renewal-unavailable");
    g_assert_cmpint (post->status, ==, 503);
  }

  /* An older key without the 18-digit code logs in by its 13-digit code (renewal users do not register) */
  {
    g_autoptr(EkApiResponse) old = ek_api_key_login (server, &old_user, FALSE, NULL);
    g_assert_cmpint (old->status, ==, 201);
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (old), "login_name"), ==, "OLDKEY");
  }
}

/* The access model: anyone can read an enterprise's credit code off its business licence. A
 * login registered with it sees only what it files itself until the enterprise, logged in with
 * its key, vouches for it; the enterprise's logins are told of the new one. */
static void
test_access_model (void)
{
  const char *uscc = "91310115MA1K3BTP2B";   /* user_cert's enterprise */
  g_autofree char *clerk = ek_api_register_and_login (server, uscc, "clerk@access.cn");
  g_autofree char *fields = full_fields_json (uscc);
  g_autofree char *clerk_app = create_application (server, clerk, fields);
  g_autofree char *app_path = g_strconcat ("/applications/", clerk_app, NULL);
  g_autofree char *materials = g_strconcat (app_path, "/materials", NULL);
  g_autofree char *intruder = NULL, *intruder_app = NULL, *outbox = NULL, *code = NULL, *resend = NULL;
  g_autoptr(EkApiResponse) key = NULL, list = NULL, one = NULL, mats = NULL, patch = NULL, accounts = NULL;
  g_autoptr(EkApiResponse) clerk_accounts = NULL, vouch = NULL, refused_vouch = NULL, after = NULL, again = NULL;
  g_autoptr(EkApiResponse) reg = NULL, resent = NULL, old_code = NULL, new_code = NULL;
  const char *clerk_id;
  g_autofree char *clerk_account_path = NULL, *vouch_path = NULL, *reg_body = NULL, *old_body = NULL, *new_body = NULL;

  /* Somebody else registers under the same code with an email of their own, and logs in */
  intruder = ek_api_register_and_login (server, uscc, "intruder@elsewhere.cn");
  list = ek_api_call (server, "GET", "/applications", intruder, NULL, NULL);
  g_assert_cmpint (list->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 0);
  one = ek_api_call (server, "GET", app_path, intruder, NULL, NULL);
  g_assert_cmpint (one->status, ==, 404);
  mats = ek_api_call (server, "GET", materials, intruder, NULL, NULL);
  g_assert_cmpint (mats->status, ==, 404);
  patch = ek_api_call (server, "PATCH", app_path, intruder, "{\"fields\":{\"postcode\":\"000000\"}}", NULL);
  g_assert_cmpint (patch->status, ==, 404);
  accounts = ek_api_call (server, "GET", "/accounts", intruder, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts->json)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (accounts->json), 0),
                                                  "login_name"), ==, "intruder@elsewhere.cn");
  clerk_accounts = ek_api_call (server, "GET", "/accounts", clerk, NULL, NULL);
  clerk_id = json_object_get_string_member (json_array_get_object_element (json_node_get_array (clerk_accounts->json), 0), "id");
  clerk_account_path = g_strconcat ("/accounts/", clerk_id, NULL);
  {
    g_autoptr(EkApiResponse) peek = ek_api_call (server, "GET", clerk_account_path, intruder, NULL, NULL);
    g_assert_cmpint (peek->status, ==, 404);
  }

  /* The enterprise's login was told, by name */
  outbox = ek_api_run (server, NULL, "outbox", NULL);
  g_assert_nonnull (strstr (outbox, "To: clerk@access.cn\nSubject: 新登录名注册通知"));
  g_assert_nonnull (strstr (outbox, "“intruder@elsewhere.cn”"));

  /* 增办: a new login files its own application and sees it (and only it) */
  intruder_app = create_application (server, intruder, "{}");
  g_clear_pointer (&list, ek_api_response_free);
  list = ek_api_call (server, "GET", "/applications", intruder, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 1);

  /* Log-in with the enterprise's key sees all of it; it may vouch, a code login may not */
  key = ek_api_key_login (server, &user_cert, FALSE, NULL);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (key), "scope"), ==, "enterprise");
  {
    g_autoptr(EkApiResponse) all = ek_api_call (server, "GET", "/applications", json_object_get_string_member (ek_api_object (key), "token"),
                                                NULL, NULL);
    g_autoptr(EkApiResponse) seen = ek_api_call (server, "GET", app_path, json_object_get_string_member (ek_api_object (key), "token"),
                                                 NULL, NULL);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (all->json)), >=, 2);
    g_assert_cmpint (seen->status, ==, 200);
  }
  vouch_path = g_strconcat ("/accounts/", clerk_id, "/vouch", NULL);
  refused_vouch = ek_api_call (server, "POST", vouch_path, intruder, NULL, NULL);
  g_assert_cmpint (refused_vouch->status, ==, 403);
  g_assert_cmpstr (ek_api_problem_type (refused_vouch), ==, "key-login-required");
  vouch = ek_api_call (server, "POST", vouch_path, json_object_get_string_member (ek_api_object (key), "token"), NULL, NULL);
  g_assert_cmpint (vouch->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (ek_api_object (vouch), "vouched"));
  /* …and the vouched clerk now sees the intruder's application too, the intruder still nothing of the clerk's */
  after = ek_api_call (server, "GET", "/applications", clerk, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after->json)), >=, 2);
  again = ek_api_call (server, "GET", app_path, intruder, NULL, NULL);
  g_assert_cmpint (again->status, ==, 404);

  /* Five wrong codes cancel a login's code, the right one included; a new one can be asked for */
  reg_body = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"x\",\"login_name\":\"late@access.cn\","
                              "\"licence_type\":\"non-electromechanical\",\"email\":\"late@access.cn\"}", uscc);
  reg = ek_api_call (server, "POST", "/accounts", NULL, reg_body, NULL);
  g_assert_cmpint (reg->status, ==, 201);
  code = ek_api_activation_code_for (server, "late@access.cn");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *wrong = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"late@access.cn\",\"code\":\"WRONG%03u\"}", uscc, i);
      g_autoptr(EkApiResponse) r = ek_api_call (server, "POST", "/accounts/activation", NULL, wrong, NULL);
      g_assert_cmpint (r->status, ==, 422);
    }
  old_body = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"late@access.cn\",\"code\":\"%s\"}", uscc, code);
  old_code = ek_api_call (server, "POST", "/accounts/activation", NULL, old_body, NULL);
  g_assert_cmpint (old_code->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (old_code), ==, "activation-failed");
  resend = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"late@access.cn\"}", uscc);
  resent = ek_api_call (server, "POST", "/accounts/activation-code", NULL, resend, NULL);
  g_assert_cmpint (resent->status, ==, 202);
  g_free (code);
  code = ek_api_activation_code_for (server, "late@access.cn");
  new_body = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"late@access.cn\",\"code\":\"%s\"}", uscc, code);
  new_code = ek_api_call (server, "POST", "/accounts/activation", NULL, new_body, NULL);
  g_assert_cmpint (new_code->status, ==, 200);
}

/* A service of the test's own (trusting the test CA), so that its log-ins do not count against
 * the shared service's rate limit; the shared one is put back by own_server_end() */
static EkApiServer *shared_server;

static void
own_server_begin (void)
{
  const char *args[] = { "--ca", ca_pem_path, NULL };

  shared_server = server;
  server = ek_api_server_start (args);
}

static void
own_server_end (void)
{
  ek_api_server_stop (server);
  ek_api_server_free (server);
  server = shared_server;
}

static void
test_additional_key (void)
{
  own_server_begin ();
  {
  static EkTestCert second, third;
  g_autoptr(EkApiResponse) login = ek_api_key_login (server, &user_cert, FALSE, NULL);
  const char *token = json_object_get_string_member (ek_api_object (login), "token");
#define ACCOUNT "{\"uscc\":\"91310115MA1K3BTP2B\",\"enterprise_name\":\"上海测试贸易有限公司\",\"login_name\":\"%s\"," \
                "\"licence_type\":\"electromechanical\",\"email\":\"%s@example.cn\"}"
  g_autofree char *same_body = g_strdup_printf (ACCOUNT, "LUOYUN", "luoyun");
  g_autofree char *new_body = g_strdup_printf (ACCOUNT, "ZHANGSAN", "zhangsan");
#undef ACCOUNT
  g_autoptr(EkApiResponse) same = NULL, fresh = NULL, allowed = NULL, refused = NULL, first = NULL;

  g_assert_cmpint (login->status, ==, 201);

  /* A new login name may not be the one on the enterprise's certificate (LUOYUN, seen at the
   * key log-in) although no account holds it; a new one is accepted */
  same = ek_api_call (server, "POST", "/accounts", NULL, same_body, en);
  g_assert_cmpint (same->status, ==, 409);
  g_assert_true (ek_api_has_field_error (same, "login_name", "taken-by-certificate"));
  fresh = ek_api_call (server, "POST", "/accounts", NULL, new_body, en);
  g_assert_cmpint (fresh->status, ==, 201);

  /* Two keys held: an additional key may be asked for */
  make_cert (&second, "CN=9999400000560-USER2,O=91310115MA1K3BTP2B,C=CN", &test_ca);
  {
    g_autoptr(EkApiResponse) l2 = ek_api_key_login (server, &second, FALSE, NULL);
    g_assert_cmpint (l2->status, ==, 201);
  }
  allowed = call_idem (server, "POST", "/applications", token, "{\"business_type\":\"additional-key\"}", "add-1");
  g_assert_cmpint (allowed->status, ==, 201);

  /* Three held, the most the 2017 notice allows (catalogue data): a clear refusal */
  make_cert (&third, "CN=9999400000560-USER3,O=91310115MA1K3BTP2B,C=CN", &test_ca);
  {
    g_autoptr(EkApiResponse) l3 = ek_api_key_login (server, &third, FALSE, NULL);
    g_assert_cmpint (l3->status, ==, 201);
  }
  refused = call_idem (server, "POST", "/applications", token, "{\"business_type\":\"additional-key\"}", "add-2");
  g_assert_cmpint (refused->status, ==, 422);
  g_assert_true (ek_api_has_field_error (refused, "business_type", "key-limit"));
  /* … and the one created before cannot be submitted either; other businesses are not limited */
  {
    g_autofree char *submit = g_strdup_printf ("/applications/%s/submit",
                                               json_object_get_string_member (ek_api_object (allowed), "id"));
    g_autoptr(EkApiResponse) late = call_idem (server, "POST", submit, token, NULL, "add-submit");
    g_assert_cmpint (late->status, ==, 422);
    g_assert_true (ek_api_has_field_error (late, "business_type", "key-limit"));
  }
  first = call_idem (server, "POST", "/applications", token, "{\"business_type\":\"pin-unlock\"}", "unlock-any");
  g_assert_cmpint (first->status, ==, 201);
  ek_test_cert_clear (&second);
  ek_test_cert_clear (&third);
  }
  own_server_end ();
}

static void
test_unlock_and_activation_mails (void)
{
  own_server_begin ();
  {
  /* The enterprise of the key (its log-in adds no captcha log-in to the rate limits) */
  const char *uscc = "91310115MA1K3BTP2B";
  g_autoptr(EkApiResponse) login = ek_api_key_login (server, &user_cert, FALSE, NULL);
  const char *token = json_object_get_string_member (ek_api_object (login), "token");
  g_autofree char *fields = full_fields_json (uscc);
  g_autofree char *body = g_strdup_printf ("{\"business_type\":\"pin-unlock\",\"fields\":%s}", fields);
  g_autoptr(EkApiResponse) created = call_idem (server, "POST", "/applications", token, body, "unlock-1");
  g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);
  g_autoptr(EkApiResponse) state = NULL;
  g_autofree char *submit = NULL, *outbox = NULL, *out = NULL, *key_issuing = NULL;
  const char *id;
  const char *kinds[] = { "application-form", "business-licence" };
  int exit_status = 0;

  g_assert_cmpint (created->status, ==, 201);
  id = json_object_get_string_member (ek_api_object (created), "id");
  /* The two materials of seed 001 §4.2 */
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/applications/%s/materials/%s", id, kinds[i]);
      g_autoptr(EkApiResponse) r = ek_api_upload (server, path, token, png, "image/png", FALSE);
      g_assert_cmpint (r->status, ==, 201);
    }
  submit = g_strdup_printf ("/applications/%s/submit", id);
  {
    g_autoptr(EkApiResponse) r = call_idem (server, "POST", submit, token, NULL, "unlock-submit");
    g_assert_cmpint (r->status, ==, 200);
  }

  /* No authority pre-review, no production for an unlock: the reviewer is told */
  out = ek_api_run (server, &exit_status, "review", "pre-review", id, "pass", NULL);
  g_assert_cmpint (exit_status, !=, 0);
  g_assert_cmpstr (status_of (server, token, id, &state), ==, "submitted");
  g_clear_pointer (&state, ek_api_response_free);

  /* The provider approves: the unlock mail goes to the application's email, and that is the end */
  ek_api_review (server, "re-review", id, "pass", NULL);
  g_assert_cmpstr (status_of (server, token, id, &state), ==, "re-review-passed");
  outbox = outbox_text (server);
  g_assert_nonnull (strstr (outbox, "Subject: 北京测试科技有限公司解锁"));
  g_assert_nonnull (strstr (outbox, "To: wangbing@126.com\nSubject: 北京测试科技有限公司解锁"));
  g_clear_pointer (&out, g_free);
  out = ek_api_run (server, &exit_status, "review", "produce", id, NULL);
  g_assert_cmpint (exit_status, !=, 0);
  /* Done: it no longer waits in the reviewer's list */
  g_clear_pointer (&out, g_free);
  out = ek_api_run (server, NULL, "review", "list", NULL);
  g_assert_null (strstr (out, id));

  /* A key-issuing business: after its re-review, the seed's activation mail */
  key_issuing = ready_application (server, token, uscc);
  g_clear_pointer (&submit, g_free);
  submit = g_strdup_printf ("/applications/%s/submit", key_issuing);
  {
    g_autoptr(EkApiResponse) r = call_idem (server, "POST", submit, token, NULL, "key-issuing-submit");
    g_assert_cmpint (r->status, ==, 200);
  }
  ek_api_review (server, "pre-review", key_issuing, "pass", NULL);
  g_clear_pointer (&outbox, g_free);
  outbox = outbox_text (server);
  g_assert_null (strstr (outbox, "Subject: 调用商务部统一用户管理平台激活企业账户"));
  ek_api_review (server, "re-review", key_issuing, "pass", NULL);
  g_clear_pointer (&outbox, g_free);
  outbox = outbox_text (server);
  g_assert_nonnull (strstr (outbox, "To: wangbing@126.com\nSubject: 调用商务部统一用户管理平台激活企业账户"));
  }
  own_server_end ();
}


/* The seal and mobile authorisations belong to the whole enterprise: reached with the key only.
 * Their states and refusals are tested in test-seal-mobile.c against a service that issues. */
static void
test_seal_mobile_need_the_key (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *code_token = ek_api_register_and_login (server, uscc, "mob@example.cn");
  const char *paths[] = { "/mobile-authorizations", "/seal-requests", "/seals" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(EkApiResponse) get = ek_api_call (server, "GET", paths[i], code_token, NULL, NULL);
      g_assert_cmpint (get->status, ==, 403);
      g_assert_cmpstr (ek_api_problem_type (get), ==, "key-login-required");
    }
  {
    g_autoptr(EkApiResponse) post = call_idem (server, "POST", "/mobile-authorizations", code_token,
                                               "{\"kind\":\"new\",\"mobile\":\"13800138000\"}", "mob-0");
    g_assert_cmpint (post->status, ==, 403);
    g_assert_cmpstr (ek_api_problem_type (post), ==, "key-login-required");
  }

  /* With the key each of them answers (every operation of the contract is exercised here too) */
  {
    g_autoptr(EkApiResponse) login = ek_api_key_login (server, &user_cert, FALSE, NULL);
    const char *token = json_object_get_string_member (ek_api_object (login), "token");
    g_autoptr(EkApiResponse) seal = call_idem (server, "POST", "/seal-requests", token,
                                               "{\"kind\":\"apply\",\"code13\":\"9999400000560\",\"enterprise_name\":\"北京测试企业\","
                                               "\"legal_representative\":\"李军\",\"legal_representative_id_type\":\"passport\","
                                               "\"legal_representative_id_number\":\"E12345678\",\"applicant_name\":\"王斌\","
                                               "\"address\":\"北京技术开发区荣华中路11号\",\"mobile\":\"18910123221\",\"landline\":\"67811021\","
                                               "\"email\":\"wangbing@126.com\",\"postcode\":\"100176\"}", "seal-1");
    g_autoptr(EkApiResponse) mobile = call_idem (server, "POST", "/mobile-authorizations", token,
                                                 "{\"kind\":\"new\",\"mobile\":\"13800138000\",\"licence_type\":\"electromechanical\","
                                                 "\"applicant\":{\"enterprise_name\":\"北京测试企业\",\"registered_address\":\"北京\","
                                                 "\"applicant_name\":\"张鑫\",\"gender\":\"female\",\"login_name\":\"JD001\","
                                                 "\"id_type\":\"passport\",\"id_number\":\"E12345678\",\"email\":\"zx@126.com\","
                                                 "\"address\":\"北京\",\"mobile\":\"18910123221\",\"postcode\":\"100176\"}}", "mob-1");
    g_autoptr(GBytes) png = ek_api_png (300, 400, FALSE);
    g_autofree char *seal_path = NULL, *letter_path = NULL, *mobile_path = NULL, *submit_path = NULL;

    g_assert_cmpint (seal->status, ==, 201);
    g_assert_cmpint (mobile->status, ==, 201);
    seal_path = g_strconcat ("/seal-requests/", json_object_get_string_member (ek_api_object (seal), "id"), NULL);
    letter_path = g_strconcat (seal_path, "/letter", NULL);
    mobile_path = g_strconcat ("/mobile-authorizations/", json_object_get_string_member (ek_api_object (mobile), "id"), NULL);
    submit_path = g_strconcat (mobile_path, "/submit", NULL);
    {
      g_autoptr(EkApiResponse) r1 = ek_api_call (server, "GET", seal_path, token, NULL, NULL);
      g_autoptr(EkApiResponse) r2 = ek_api_upload (server, letter_path, token, png, "image/png", FALSE);
      g_autoptr(EkApiResponse) r3 = ek_api_call (server, "GET", "/seals/00000000-0000-4000-8000-000000000000", token, NULL, NULL);
      g_autoptr(EkApiResponse) r4 = ek_api_call (server, "GET", "/seals/00000000-0000-4000-8000-000000000000/image", token, NULL, NULL);
      g_autoptr(EkApiResponse) r5 = ek_api_call (server, "GET", mobile_path, token, NULL, NULL);
      g_autoptr(EkApiResponse) r6 = ek_api_call (server, "POST", submit_path, token, NULL, NULL);
      g_autoptr(EkApiResponse) r7 = ek_api_call (server, "DELETE", mobile_path, token, NULL, NULL);

      g_assert_cmpint (r1->status, ==, 200);
      g_assert_cmpint (r2->status, ==, 200);
      g_assert_cmpint (r3->status, ==, 404);
      g_assert_cmpint (r4->status, ==, 404);
      g_assert_cmpint (r5->status, ==, 200);
      g_assert_cmpint (r6->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (ek_api_object (r6), "state"), ==, "submitted");
      g_assert_cmpint (r7->status, ==, 409);   /* submitted: no longer deleted */
    }
  }
}

/* ---- HTTPS: the service's certificate is verified against our CA; never without ---- */

static char *
key_pem (const EkTestCert *cert)
{
  gnutls_datum_t out = { NULL, 0 };
  char *pem;

  g_assert_cmpint (gnutls_x509_privkey_export2 (cert->key, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return pem;
}

static long
https_get (const char *url,
           const char *ca_file,
           CURLcode   *rc)
{
  CURL *curl = curl_easy_init ();
  long status = 0;

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, NULL);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, stderr);
  if (ca_file != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, ca_file);
  *rc = curl_easy_perform (curl);
  if (*rc == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  return status;
}

static void
test_https (void)
{
  EkTestCert server_cert;
  unsigned char loopback[4] = { 127, 0, 0, 1 };
  g_autofree char *cert_text = NULL, *key_text = NULL, *cert_path = NULL, *key_path = NULL, *url = NULL;
  const char *args[5] = { "--tls-cert", NULL, "--tls-key", NULL, NULL };
  g_autoptr(EkApiServer) tls = NULL;
  CURLcode rc;

  make_cert (&server_cert, "CN=127.0.0.1", &test_ca);
  /* Re-sign with the loopback address as subject alternative name, as a real server certificate has */
  g_assert_cmpint (gnutls_x509_crt_set_subject_alt_name (server_cert.crt, GNUTLS_SAN_IPADDRESS, loopback, 4, GNUTLS_FSAN_SET), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key_purpose_oid (server_cert.crt, GNUTLS_KP_TLS_WWW_SERVER, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (server_cert.crt, test_ca.crt, test_ca.key, GNUTLS_DIG_SHA256, 0), ==, 0);
  cert_text = ek_test_cert_pem (&server_cert);
  key_text = key_pem (&server_cert);
  cert_path = ek_test_write_temp_file ("server.pem", cert_text, -1);
  key_path = ek_test_write_temp_file ("server.key", key_text, -1);
  args[1] = cert_path;
  args[3] = key_path;

  tls = ek_api_server_start (args);
  g_assert_true (g_str_has_prefix (tls->base_url, "https://127.0.0.1:"));
  url = g_strconcat (tls->base_url, "/catalogue", NULL);
  g_assert_cmpint (https_get (url, ca_pem_path, &rc), ==, 200);
  g_assert_cmpint (rc, ==, CURLE_OK);
  /* Without our CA the certificate is not trusted, and the client stops there */
  https_get (url, NULL, &rc);
  g_assert_cmpint (rc, ==, CURLE_PEER_FAILED_VERIFICATION);
  ek_api_server_stop (tls);
  ek_test_cert_clear (&server_cert);
}

/* ---- Crash: kill -9 during uploads and submissions ---- */

typedef struct
{
  const char *url;
  const char *token;
  GBytes     *data;
  gsize       pos;
  gint        half_sent;
  gint        stop;
} SlowUpload;

static size_t
slow_read (char   *buffer,
           size_t  size,
           size_t  n,
           void   *user_data)
{
  SlowUpload *up = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (up->data, &len);
  size_t chunk;

  if (up->pos >= len / 2)
    {
      g_atomic_int_set (&up->half_sent, 1);
      while (!g_atomic_int_get (&up->stop))
        g_usleep (10 * 1000);
      return CURL_READFUNC_ABORT;
    }
  chunk = MIN (MIN (size * n, 4096), len / 2 - up->pos);
  memcpy (buffer, data + up->pos, chunk);
  up->pos += chunk;
  return chunk;
}

static gpointer
slow_upload_thread (gpointer user_data)
{
  SlowUpload *up = user_data;
  CURL *curl = curl_easy_init ();
  struct curl_slist *list = NULL;
  g_autofree char *auth = g_strconcat ("Authorization: Bearer ", up->token, NULL);

  list = curl_slist_append (list, auth);
  list = curl_slist_append (list, "Content-Type: image/png");
  curl_easy_setopt (curl, CURLOPT_URL, up->url);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, slow_read);
  curl_easy_setopt (curl, CURLOPT_READDATA, up);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) g_bytes_get_size (up->data));
  curl_easy_perform (curl);   /* fails: the server dies under it */
  curl_slist_free_all (list);
  curl_easy_cleanup (curl);
  return NULL;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

typedef struct
{
  EkApiServer *server;
  const char  *token;
  GPtrArray   *ids;
  gint         acknowledged;   /* submits answered 200 */
} SubmitStorm;

static gpointer
submit_storm_thread (gpointer user_data)
{
  SubmitStorm *storm = user_data;

  for (guint i = 0; i < storm->ids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/applications/%s/submit", storm->server->base_url, (char *) storm->ids->pdata[i]);
      g_autofree char *auth = g_strconcat ("Authorization: Bearer ", storm->token, NULL);
      g_autofree char *key = g_strconcat ("Idempotency-Key: storm-", (char *) storm->ids->pdata[i], NULL);
      CURL *curl = curl_easy_init ();
      struct curl_slist *list = NULL;
      long status = 0;

      list = curl_slist_append (list, auth);
      list = curl_slist_append (list, key);
      curl_easy_setopt (curl, CURLOPT_URL, path);
      curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
      curl_easy_setopt (curl, CURLOPT_POST, 1L);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, 0L);
      curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
      curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, NULL);
      curl_easy_setopt (curl, CURLOPT_WRITEDATA, stderr);
      if (curl_easy_perform (curl) == CURLE_OK)
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
      curl_slist_free_all (list);
      curl_easy_cleanup (curl);
      if (status != 200)
        break;
      g_atomic_int_inc (&storm->acknowledged);
    }
  return NULL;
}

static void
test_crash_kill9 (void)
{
  g_autoptr(EkApiServer) victim = ek_api_server_start (NULL);
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (victim, uscc, "crash@example.cn");
  g_autofree char *id = create_application (victim, token, "{}");
  g_autoptr(GPtrArray) kinds = first_application_materials (victim);
  g_autoptr(GBytes) png = ek_api_png (500, 700, FALSE);
  g_autoptr(GBytes) second = ek_api_png (700, 500, FALSE);
  g_autofree char *done_path = g_strdup_printf ("/applications/%s/materials/%s", id, (char *) kinds->pdata[0]);
  g_autofree char *half_url = g_strdup_printf ("%s/applications/%s/materials/%s", victim->base_url, id, (char *) kinds->pdata[1]);
  g_autofree char *tmp_dir = g_build_filename (victim->data_dir, "tmp", NULL);
  g_autofree char *files_dir = g_build_filename (victim->data_dir, "files", NULL);
  g_autoptr(EkApiResponse) done = ek_api_upload (victim, done_path, token, png, "image/png", FALSE);
  g_autoptr(EkApiResponse) list = NULL, fetched = NULL;
  SlowUpload up = { half_url, token, second, 0, 0, 0 };
  GThread *thread;
  SubmitStorm storm = { victim, token, NULL, 0 };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *fields = full_fields_json (uscc);

  g_assert_cmpint (done->status, ==, 201);

  /* 1. Kill while an upload is half-way: the temporary file exists, then the server dies */
  thread = g_thread_new ("slow-upload", slow_upload_thread, &up);
  while (!g_atomic_int_get (&up.half_sent))
    g_usleep (5 * 1000);
  for (int i = 0; i < 500 && count_files (tmp_dir) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_files (tmp_dir), ==, 1);
  ek_api_server_kill (victim);
  g_atomic_int_set (&up.stop, 1);
  g_thread_join (thread);

  ek_api_server_restart (victim);
  g_assert_cmpuint (count_files (tmp_dir), ==, 0);
  g_assert_cmpuint (count_files (files_dir), ==, 1);
  g_clear_pointer (&token, g_free);
  token = ek_api_login (victim, uscc, "crash@example.cn");
  {
    g_autofree char *list_path = g_strdup_printf ("/applications/%s/materials", id);
    list = ek_api_call (victim, "GET", list_path, token, NULL, NULL);
  }
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list->json)), ==, 1);
  fetched = ek_api_call (victim, "GET", done_path, token, NULL, NULL);
  g_assert_true (g_bytes_equal (fetched->body, png));

  /* 2. Kill during a run of submissions: every acknowledged submit survives; the others are
   *    either cleanly submitted (their key replays) or cleanly still drafts (they submit now) */
  for (int i = 0; i < 12; i++)
    g_ptr_array_add (ids, ready_application (victim, token, uscc));
  storm.ids = ids;
  storm.token = token;
  thread = g_thread_new ("submit-storm", submit_storm_thread, &storm);
  while (g_atomic_int_get (&storm.acknowledged) < 4)
    g_usleep (1000);
  ek_api_server_kill (victim);
  g_thread_join (thread);
  ek_api_server_restart (victim);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(EkApiResponse) state = NULL, retry = NULL;
      g_autofree char *submit = g_strdup_printf ("/applications/%s/submit", (char *) ids->pdata[i]);
      g_autofree char *key = g_strconcat ("storm-", (char *) ids->pdata[i], NULL);
      const char *status = status_of (victim, token, ids->pdata[i], &state);

      if (i < (guint) g_atomic_int_get (&storm.acknowledged))
        g_assert_cmpstr (status, ==, "submitted");
      retry = call_idem (victim, "POST", submit, token, NULL, key);
      g_assert_cmpint (retry->status, ==, 200);
      g_assert_true (retry->replayed == g_str_equal (status, "submitted"));
    }
  ek_api_server_stop (victim);
}

/* ---- Request ids, unknown paths ---- */

static void
test_request_ids_and_unknown_paths (void)
{
  g_autoptr(EkApiResponse) a = ek_api_call (server, "GET", "/catalogue", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) b = ek_api_call (server, "GET", "/catalogue", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) nowhere = ek_api_call (server, "GET", "/no-such-collection", NULL, NULL, en);
  g_autoptr(EkApiResponse) method = ek_api_call (server, "DELETE", "/catalogue", NULL, NULL, NULL);

  g_assert_cmpstr (a->request_id, !=, b->request_id);
  g_assert_cmpint (nowhere->status, ==, 404);
  g_assert_cmpstr (ek_api_problem_type (nowhere), ==, "not-found");
  g_assert_cmpint (method->status, ==, 405);
}

/* ---- The contract: the recorded traffic against data/api/openapi.yaml ---- */

static void
test_traffic_matches_contract (void)
{
  g_autofree char *script = g_build_filename (ek_test_source_root (), "tools", "api-contract", "check.js", NULL);
  g_autofree char *spec = g_build_filename (ek_test_source_root (), "data", "api", "openapi.yaml", NULL);
  g_autofree char *modules = g_build_filename (ek_test_source_root (), "tools", "api-contract", "node_modules", NULL);
  g_autoptr(GSubprocess) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    g_error ("The contract checker is not installed: run tools/ekey-dev deps (it runs npm ci in tools/api-contract)");
  node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "node", script, "--all-operations", spec, ek_api_traffic_path (), NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (node, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  if (g_subprocess_get_exit_status (node) != 0)
    g_error ("Traffic does not match the contract:\n%s%s", out, err);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *ca = NULL;
  /* The shared service serves many log-ins a minute; the rate limit has a test (and service) of its own */
  const char *args[5] = { "--ca", NULL, "--rate-limit", "1000", NULL };
  int status;

  ek_test_init (&argc, &argv);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  gnutls_global_init ();

  make_cert (&test_ca, "CN=EKey Test CA,O=EKey Assistant tests,C=CN", NULL);
  make_cert (&user_cert, "CN=9999400000560-LUOYUN,O=IELIC,O=91310115MA1K3BTP2B,L=dongcheng,ST=beijing,C=CN", &test_ca);
  make_cert (&rogue_ca, "CN=Rogue CA,C=CN", NULL);
  make_cert (&rogue_user, "CN=9999400000560-LUOYUN,O=91310115MA1K3BTP2B,C=CN", &rogue_ca);
  make_cert (&old_user, "CN=9999400000999-OLDKEY,O=IELIC,O=123123123123123-YUN,L=dongcheng,C=CN", &test_ca);
  ca = ek_test_cert_pem (&test_ca);
  ca_pem_path = ek_test_write_temp_file ("ca.pem", ca, -1);
  args[1] = ca_pem_path;
  server = ek_api_server_start (args);

  g_test_add_func ("/api/catalogue/get", test_catalogue);
  g_test_add_func ("/api/catalogue/material-rules-option", test_material_rules_option);
  g_test_add_func ("/api/accounts/register-activate", test_accounts_register_activate);
  g_test_add_func ("/api/accounts/invalid-fields", test_accounts_invalid_fields);
  g_test_add_func ("/api/captcha/single-use", test_captcha_single_use);
  g_test_add_func ("/api/sessions/required-and-logout", test_sessions_required_and_logout);
  g_test_add_func ("/api/sessions/expire", test_sessions_and_captchas_expire);
  g_test_add_func ("/api/sessions/rate-limits", test_rate_limits);
  g_test_add_func ("/api/sessions/key-login", test_key_login);
  g_test_add_func ("/api/applications/additional-key", test_additional_key);
  g_test_add_func ("/api/applications/unlock-and-activation-mails", test_unlock_and_activation_mails);
  g_test_add_func ("/api/applications/life-cycle", test_application_life_cycle);
  g_test_add_func ("/api/applications/fields-validated", test_application_fields_validated);
  g_test_add_func ("/api/applications/json-limits", test_json_malformed_oversized_unknown);
  g_test_add_func ("/api/applications/isolation", test_isolation);
  g_test_add_func ("/api/applications/hostile-text", test_hostile_text_verbatim);
  g_test_add_func ("/api/materials/upload-rules", test_materials);
  g_test_add_func ("/api/materials/rules-from-catalogue", test_material_rules_from_catalogue);
  g_test_add_func ("/api/materials/upload-needs-session", test_upload_needs_session);
  g_test_add_func ("/api/seal-mobile/need-the-key", test_seal_mobile_need_the_key);
  g_test_add_func ("/api/accounts/access-model", test_access_model);
  g_test_add_func ("/api/service/https", test_https);
  g_test_add_func ("/api/captcha/latest-for-the-operator", test_captcha_latest_for_the_operator);
  g_test_add_func ("/api/crash/kill-9", test_crash_kill9);
  g_test_add_func ("/api/service/request-ids", test_request_ids_and_unknown_paths);
  /* Last: checks the traffic of every test above */
  g_test_add_func ("/api/zz-contract/traffic", test_traffic_matches_contract);

  status = g_test_run ();

  ek_api_server_free (server);
  ek_test_cert_clear (&old_user);
  ek_test_cert_clear (&rogue_user);
  ek_test_cert_clear (&rogue_ca);
  ek_test_cert_clear (&user_cert);
  ek_test_cert_clear (&test_ca);
  g_free (ca_pem_path);
  gnutls_global_deinit ();
  curl_global_cleanup ();
  return status;
}
