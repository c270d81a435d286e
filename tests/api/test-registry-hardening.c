/* test-registry-hardening.c: ekey-registry under attack, on 127.0.0.1
 *
 * Each test is the attack that once worked, replayed against a real service: a body nested deep
 * enough to run json-glib off a small stack, keep-alive connections closed by the client, clients
 * trickling headers, a login registered under somebody else's credit code, guessed activation
 * codes, writes while another process holds the database, and the lower defects (NUL in text,
 * structurally corrupt PNGs, the response headers). Figures are reported with g_test_message().
 */
#include "config.h"

#include <cairo.h>
#include <curl/curl.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ek-api-fixture.h"
#include "ek-test-common.h"

static EkApiServer *server;   /* shared by the tests that do not need settings of their own */

static const char *const en[] = { "Accept-Language: en", NULL };

/* ---- Raw connections ---- */

static int
connect_raw (EkApiServer *s)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct timeval tv = { 30, 0 };

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((guint16) ek_api_server_port (s));
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  /* Bounds every read of these tests: nothing waits for ever on a server that does not answer */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static void
send_all (int         fd,
          const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = send (fd, text, len, MSG_NOSIGNAL);

      g_assert_cmpint (n, >, 0);
      text += n;
      len -= (gsize) n;
    }
}

/* One whole answer (headers and a Content-Length body) from a kept-alive connection */
static char *
read_answer (int fd)
{
  GString *in = g_string_new (NULL);
  const char *end, *length;
  gsize need = G_MAXSIZE;

  while (in->len < need)
    {
      char buf[8192];
      gssize n = recv (fd, buf, sizeof buf, 0);

      g_assert_cmpint (n, >, 0);
      g_string_append_len (in, buf, n);
      end = strstr (in->str, "\r\n\r\n");
      if (end != NULL && need == G_MAXSIZE)
        {
          length = strstr (in->str, "Content-Length: ");
          g_assert_nonnull (length);
          need = (gsize) (end + 4 - in->str) + (gsize) g_ascii_strtoull (length + 16, NULL, 10);
        }
    }
  return g_string_free (in, FALSE);
}

/* Everything until the server closes (or the 30 s receive bound passes: NULL) */
static char *
read_to_close (int fd)
{
  GString *in = g_string_new (NULL);

  for (;;)
    {
      char buf[8192];
      gssize n = recv (fd, buf, sizeof buf, 0);

      if (n == 0)
        return g_string_free (in, FALSE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_string_free (in, TRUE);
          return NULL;
        }
      g_string_append_len (in, buf, n);
    }
}

/* Waits (bounded) until the server holds at most @most descriptors; returns the last count */
static guint
wait_for_fds (EkApiServer *s,
              guint        most)
{
  guint n = ek_api_server_open_fds (s);

  for (guint i = 0; i < 200 && n > most; i++)
    {
      g_usleep (50 * 1000);
      n = ek_api_server_open_fds (s);
    }
  return n;
}

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

  /* What json-glib takes but JSON has not (found by the fuzz target): \q, octal \615, a lone
   * surrogate; each was stored as bytes that are not UTF-8. And \u001f, which json-glib writes
   * back as a raw control character (the one it forgets to escape) */
  {
    const char *bodies[] = { "{\"enterprise_name\":\"a\\qb\"}", "{\"enterprise_name\":\"a\\615b\"}",
                             "{\"enterprise_name\":\"a\\ud800b\"}", "{\"enterprise_name\":\"a\\u001fb\"}" };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(EkApiResponse) r = ek_api_call (server, "POST", "/accounts", NULL, bodies[i], NULL);

        g_assert_cmpint (r->status, ==, 400);
        g_assert_cmpstr (ek_api_problem_type (r), ==, "malformed-json");
      }
  }
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

/* ---- Connections ---- */

/* 1,000 kept-alive connections, each closed by the client after its answer: libsoup 3.2 kept
 * every one in CLOSE-WAIT (one descriptor each, 128 descriptors were a denial of service) */
static void
test_keepalive_connections_released (void)
{
  g_autoptr(EkApiServer) own = ek_api_server_start (NULL);
  g_autoptr(EkApiResponse) warm = ek_api_call (own, "GET", "/catalogue", NULL, NULL, NULL);
  guint before = ek_api_server_open_fds (own), after;
  gint64 started = g_get_monotonic_time ();

  for (guint i = 0; i < 1000; i++)
    {
      int fd = connect_raw (own);
      g_autofree char *answer = NULL;

      send_all (fd, "GET /api/v1/catalogue HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      answer = read_answer (fd);
      g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 200"));
      close (fd);
    }
  after = wait_for_fds (own, before);
  g_test_message ("descriptors: %u before, %u after 1000 kept-alive connections closed by the client (%.1f s)",
                  before, after, (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (after, <=, before);
  ek_api_server_stop (own);
}

/* The same over HTTPS, each connection a libcurl handle that is cleaned up (and so closed) */
static void
test_keepalive_connections_released_https (void)
{
  g_autoptr(EkApiServer) own = ek_api_server_start_tls (NULL);
  g_autoptr(EkApiResponse) warm = ek_api_call (own, "GET", "/catalogue", NULL, NULL, NULL);
  guint before = ek_api_server_open_fds (own), after;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(EkApiResponse) r = ek_api_call (own, "GET", "/catalogue", NULL, NULL, NULL);
      g_assert_cmpint (r->status, ==, 200);
    }
  after = wait_for_fds (own, before);
  g_test_message ("HTTPS descriptors: %u before, %u after 200 connections closed by the client", before, after);
  g_assert_cmpuint (after, <=, before);
  ek_api_server_stop (own);
}

/* 20 clients trickle header lines and never finish: each is cut by the header timeout, and a
 * client that asks properly meanwhile is answered */
static void
test_slow_headers_cut (void)
{
  const char *args[] = { "--header-timeout", "2", NULL };
  g_autoptr(EkApiServer) own = ek_api_server_start (args);
  int slow[20];
  gboolean closed[20] = { FALSE };
  guint n_closed = 0, rounds = 0;
  gint64 started = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (slow); i++)
    {
      slow[i] = connect_raw (own);
      send_all (slow[i], "GET /api/v1/catalogue HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }
  /* Trickle a header line to each every 200 ms until the server has closed them all (bounded) */
  while (n_closed < G_N_ELEMENTS (slow) && rounds++ < 150)
    {
      for (guint i = 0; i < G_N_ELEMENTS (slow); i++)
        {
          char byte;

          if (closed[i])
            continue;
          if (send (slow[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0 ||
              recv (slow[i], &byte, 1, MSG_DONTWAIT) == 0)
            closed[i] = TRUE, n_closed++;
        }
      if (rounds == 3)
        {
          g_autoptr(EkApiResponse) r = ek_api_call (own, "GET", "/catalogue", NULL, NULL, NULL);
          g_assert_cmpint (r->status, ==, 200);
        }
      g_usleep (200 * 1000);
    }
  g_test_message ("%u of 20 slow-header clients cut (header timeout 2 s) after %.1f s", n_closed,
                  (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (n_closed, ==, G_N_ELEMENTS (slow));
  for (guint i = 0; i < G_N_ELEMENTS (slow); i++)
    close (slow[i]);
  ek_api_server_stop (own);
}

/* A body that stops arriving is cut by the body timeout; a connection that says nothing after
 * its answer by the idle timeout */
static void
test_stalled_body_and_idle_cut (void)
{
  const char *args[] = { "--body-timeout", "2", "--idle-timeout", "2", NULL };
  g_autoptr(EkApiServer) own = ek_api_server_start (args);
  int stalled = connect_raw (own), idle = connect_raw (own);
  g_autofree char *stalled_out = NULL, *idle_answer = NULL, *idle_rest = NULL;

  send_all (stalled, "POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100\r\n\r\n{\"uscc\":");
  send_all (idle, "GET /api/v1/catalogue HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  idle_answer = read_answer (idle);
  g_assert_true (g_str_has_prefix (idle_answer, "HTTP/1.1 200"));
  /* Both reads end because the server closes, within the 30 s receive bound */
  stalled_out = read_to_close (stalled);
  idle_rest = read_to_close (idle);
  g_assert_nonnull (stalled_out);
  g_assert_cmpstr (stalled_out, ==, "");
  g_assert_nonnull (idle_rest);
  g_assert_cmpstr (idle_rest, ==, "");
  close (stalled);
  close (idle);
  ek_api_server_stop (own);
}

/* A declared Content-Length over the limit is answered before a byte of the body is sent */
static void
test_declared_oversize_refused_at_once (void)
{
  struct { const char *request; const char *status; const char *type; } cases[] = {
    { "POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 100000000\r\n\r\n", "HTTP/1.1 413", "body-too-large" },
    { "PUT /api/v1/applications/00000000-0000-4000-8000-000000000000/materials/id-card HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: 100000000\r\n\r\n", "HTTP/1.1 401", "unauthorized" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int fd = connect_raw (server);
      g_autofree char *answer = NULL;

      send_all (fd, cases[i].request);
      answer = read_to_close (fd);
      g_assert_nonnull (answer);
      g_assert_true (g_str_has_prefix (answer, cases[i].status));
      g_assert_nonnull (strstr (answer, "Content-Type: application/problem+json"));
      g_assert_nonnull (strstr (answer, cases[i].type));
      close (fd);
    }
}

/* Tokens, ID numbers and images are never cached nor sniffed; the Server header names no versions */
static void
test_response_headers (void)
{
  int fd = connect_raw (server);
  g_autofree char *answer = NULL;

  send_all (fd, "GET /api/v1/catalogue HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  answer = read_answer (fd);
  close (fd);
  g_assert_nonnull (strstr (answer, "\r\nCache-Control: no-store\r\n"));
  g_assert_nonnull (strstr (answer, "\r\nX-Content-Type-Options: nosniff\r\n"));
  g_assert_nonnull (strstr (answer, "\r\nServer: ekey-registry\r\n"));
  g_assert_null (strstr (answer, "libsoup"));
}

/* A request libsoup itself refuses after reading its headers (here an encoded NUL in the
 * path) is answered as a problem too, not with an empty body. (Requests it cannot parse at all,
 * e.g. a garbled request line, still get libsoup's empty answer: it writes them before any
 * signal a service can use.) */
static void
test_libsoup_refusals_as_problems (void)
{
  int fd = connect_raw (server);
  g_autofree char *answer = NULL;

  send_all (fd, "GET /api/v1/catalogue%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n\r\n");
  answer = read_to_close (fd);
  close (fd);
  g_assert_nonnull (answer);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 400"));
  g_assert_nonnull (strstr (answer, "Content-Type: application/problem+json"));
  g_assert_nonnull (strstr (answer, "problems/bad-request"));
}

/* A TLS handshake restricted to one protocol version; TRUE if the service completed it */
static gboolean
handshake_with (EkApiServer *s,
                const char  *version)
{
  g_autofree char *priority = g_strdup_printf ("NORMAL:-VERS-ALL:+VERS-%s:+SHA1", version);
  gnutls_session_t session;
  gnutls_certificate_credentials_t credentials;
  int fd = connect_raw (s), rc;

  gnutls_certificate_allocate_credentials (&credentials);
  gnutls_init (&session, GNUTLS_CLIENT);
  g_assert_cmpint (gnutls_priority_set_direct (session, priority, NULL), ==, GNUTLS_E_SUCCESS);
  gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, credentials);
  gnutls_transport_set_int (session, fd);
  gnutls_handshake_set_timeout (session, 20000);
  do
    rc = gnutls_handshake (session);
  while (rc < 0 && gnutls_error_is_fatal (rc) == 0);
  gnutls_deinit (session);
  gnutls_certificate_free_credentials (credentials);
  close (fd);
  return rc == GNUTLS_E_SUCCESS;
}

/* TLS 1.0 and 1.1 were accepted */
static void
test_tls_versions (void)
{
  g_autoptr(EkApiServer) tls = ek_api_server_start_tls (NULL);

  g_assert_false (handshake_with (tls, "TLS1.0"));
  g_assert_false (handshake_with (tls, "TLS1.1"));
  g_assert_true (handshake_with (tls, "TLS1.2"));
  g_assert_true (handshake_with (tls, "TLS1.3"));
  ek_api_server_stop (tls);
}

/* ---- Accounts: activation codes, login names ---- */

static char *
register_body (const char *uscc,
               const char *login_name)
{
  return g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"北京测试科技有限公司\",\"login_name\":\"%s\","
                          "\"licence_type\":\"non-electromechanical\",\"email\":\"%s\"}", uscc, login_name, login_name);
}

static EkApiResponse *
activate (EkApiServer *s,
          const char  *uscc,
          const char  *login_name,
          const char  *code)
{
  g_autofree char *body = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"%s\",\"code\":\"%s\"}", uscc, login_name, code);

  return ek_api_call (s, "POST", "/accounts/activation", NULL, body, NULL);
}

/* 20,000 wrong codes at ~6,300/s, then the right one, was accepted: now the fifth wrong code
 * cancels it, so after 50 the right one is refused; and codes are 8 characters of 32 */
static void
test_activation_not_guessable (void)
{
  const char *args[] = { "--rate-limit", "1000", NULL };
  g_autoptr(EkApiServer) own = ek_api_server_start (args);
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *body = register_body (uscc, "guess@example.cn");
  g_autoptr(EkApiResponse) reg = ek_api_call (own, "POST", "/accounts", NULL, body, NULL);
  g_autofree char *code = NULL;
  g_autoptr(EkApiResponse) right = NULL;
  guint refused = 0;

  g_assert_cmpint (reg->status, ==, 201);
  code = ek_api_activation_code_for (own, "guess@example.cn");
  g_assert_cmpuint (strlen (code), ==, 8);
  for (const char *c = code; *c != '\0'; c++)
    g_assert_nonnull (strchr ("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", *c));

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *wrong = g_strdup_printf ("%08u", i);
      g_autoptr(EkApiResponse) r = activate (own, uscc, "guess@example.cn", wrong);

      g_assert_cmpint (r->status, ==, 422);
      g_assert_cmpstr (ek_api_problem_type (r), ==, "activation-failed");
      refused++;
    }
  right = activate (own, uscc, "guess@example.cn", code);
  g_test_message ("%u wrong activation codes refused; the right one afterwards: %ld", refused, right->status);
  g_assert_cmpint (right->status, ==, 422);
  g_assert_cmpstr (ek_api_problem_type (right), ==, "activation-failed");
  ek_api_server_stop (own);
}

/* Activation attempts are limited per address too, whatever login they name */
static void
test_activation_rate_limited_per_address (void)
{
  const char *args[] = { "--rate-limit", "5", NULL };
  g_autoptr(EkApiServer) own = ek_api_server_start (args);
  g_autofree char *uscc = ek_api_make_uscc ();

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *login = g_strdup_printf ("nobody%u@example.cn", i);
      g_autoptr(EkApiResponse) r = activate (own, uscc, login, "ABCDEFGH");

      g_assert_cmpint (r->status, ==, i < 5 ? 422 : 429);
      if (i == 5)
        {
          g_assert_cmpstr (ek_api_problem_type (r), ==, "rate-limited");
          g_assert_nonnull (r->retry_after);
        }
    }
  ek_api_server_stop (own);
}

/* A login name that is unknown, or registered and waiting for its code, cannot be told apart:
 * log-in and activation answer both the same; registering either as taken is the same 409 */
static void
test_login_states_indistinguishable (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *pending = register_body (uscc, "pending@example.cn");
  g_autofree char *active_token = ek_api_register_and_login (server, uscc, "active@example.cn");
  g_autoptr(EkApiResponse) reg = ek_api_call (server, "POST", "/accounts", NULL, pending, NULL);
  const char *names[] = { "pending@example.cn", "unknown@example.cn" };
  char *answers[2] = { NULL, NULL };
  char *taken[2] = { NULL, NULL };
  const char *registered[] = { "pending@example.cn", "active@example.cn" };

  g_assert_cmpint (reg->status, ==, 201);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(EkApiResponse) captcha = ek_api_call (server, "POST", "/captcha", NULL, NULL, NULL);
      const char *id = json_object_get_string_member (ek_api_object (captcha), "id");
      g_autofree char *answer = ek_api_run (server, NULL, "captcha-answer", id, NULL);
      g_autofree char *login = NULL;
      g_autoptr(EkApiResponse) session = NULL, act = NULL;

      g_strstrip (answer);
      login = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"%s\",\"captcha_id\":\"%s\","
                               "\"captcha_answer\":\"%s\"}", uscc, names[i], id, answer);
      session = ek_api_call (server, "POST", "/sessions", NULL, login, en);
      act = activate (server, uscc, names[i], "ABCDEFGH");
      /* status, type and words, all the same */
      answers[i] = g_strdup_printf ("%ld %s %s | %ld %s %s", session->status, ek_api_problem_type (session),
                                    json_object_get_string_member (ek_api_object (session), "detail"),
                                    act->status, ek_api_problem_type (act),
                                    json_object_get_string_member (ek_api_object (act), "detail"));
    }
  g_test_message ("unactivated: %s", answers[0]);
  g_test_message ("unknown:     %s", answers[1]);
  g_assert_cmpstr (answers[0], ==, answers[1]);
  g_assert_nonnull (strstr (answers[0], "401 login-failed"));

  for (guint i = 0; i < G_N_ELEMENTS (registered); i++)
    {
      g_autofree char *again = register_body (uscc, registered[i]);
      g_autoptr(EkApiResponse) r = ek_api_call (server, "POST", "/accounts", NULL, again, en);

      taken[i] = g_strdup_printf ("%ld %s %s", r->status, ek_api_problem_type (r),
                                  json_object_get_string_member (ek_api_object (r), "detail"));
    }
  g_assert_cmpstr (taken[0], ==, taken[1]);
  g_assert_nonnull (strstr (taken[0], "409 login-name-taken"));
  for (guint i = 0; i < 2; i++)
    {
      g_free (answers[i]);
      g_free (taken[i]);
    }
}

/* ---- The database held by another process ---- */

/* An operator's command holding a write lock made PATCH wait 5 s and answer 200 with the old
 * values (the change lost), while GET /catalogue waited 4.7 s behind it. Now: 503 service-busy
 * with Retry-After, nothing changed, the catalogue answered meanwhile, and the same PATCH
 * stored once the lock is gone. */
static void
test_busy_database (void)
{
  g_autoptr(EkApiServer) own = ek_api_server_start (NULL);
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (own, uscc, "busy@example.cn");
  const char *key[] = { "Idempotency-Key: busy-create", NULL };
  g_autoptr(EkApiResponse) created = ek_api_call (own, "POST", "/applications", token,
                                                  "{\"business_type\":\"first-application\",\"fields\":{\"postcode\":\"100176\"}}", key);
  g_autofree char *path = g_strconcat ("/applications/", json_object_get_string_member (ek_api_object (created), "id"), NULL);
  const char *change = "{\"fields\":{\"postcode\":\"200000\"}}";
  g_autoptr(EkApiResponse) refused = NULL, read = NULL, catalogue = NULL, stored = NULL, second = NULL;
  const char *key2[] = { "Idempotency-Key: busy-second", NULL };
  sqlite3 *db = NULL;
  gint64 t0, patch_us, catalogue_us;

  g_assert_cmpint (created->status, ==, 201);
  g_assert_cmpint (sqlite3_open (own->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  t0 = g_get_monotonic_time ();
  refused = ek_api_call (own, "PATCH", path, token, change, NULL);
  patch_us = g_get_monotonic_time () - t0;
  g_assert_cmpint (refused->status, ==, 503);
  g_assert_cmpstr (ek_api_problem_type (refused), ==, "service-busy");
  g_assert_cmpstr (refused->retry_after, ==, "1");
  /* (a business a code session may apply for: a renewal needs the key) */
  second = ek_api_call (own, "POST", "/applications", token, "{\"business_type\":\"pin-unlock\"}", key2);
  g_assert_cmpint (second->status, ==, 503);

  t0 = g_get_monotonic_time ();
  catalogue = ek_api_call (own, "GET", "/catalogue", NULL, NULL, NULL);
  catalogue_us = g_get_monotonic_time () - t0;
  g_assert_cmpint (catalogue->status, ==, 200);
  read = ek_api_call (own, "GET", path, token, NULL, NULL);
  g_assert_cmpint (read->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ek_api_object (read), "fields"), "postcode"),
                   ==, "100176");
  g_test_message ("lock held by another process: PATCH answered 503 in %.0f ms; GET /catalogue then %.1f ms "
                  "(machine shared with other engineers' builds)", patch_us / 1000.0, catalogue_us / 1000.0);

  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_clear_pointer (&second, ek_api_response_free);
  stored = ek_api_call (own, "PATCH", path, token, change, NULL);
  g_assert_cmpint (stored->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ek_api_object (stored), "fields"), "postcode"),
                   ==, "200000");
  /* The refused creation stored no idempotency key: the same request now creates */
  /* (a business a code session may apply for: a renewal needs the key) */
  second = ek_api_call (own, "POST", "/applications", token, "{\"business_type\":\"pin-unlock\"}", key2);
  g_assert_cmpint (second->status, ==, 201);
  g_assert_false (second->replayed);
  ek_api_server_stop (own);
}

/* ---- Uploads checked as the assistant checks them ---- */

static guint32
crc32_of (const guint8 *data,
          gsize         len)
{
  guint32 crc = 0xffffffffu;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (guint k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  return ~crc;
}

static void
put_be32 (guint8  *at,
          guint32  value)
{
  at[0] = (guint8) (value >> 24), at[1] = (guint8) (value >> 16), at[2] = (guint8) (value >> 8), at[3] = (guint8) value;
}

/* A chunk's CRC made right again after its type or data was changed */
static void
fix_crc (guint8 *chunk)
{
  guint32 length = (guint32) chunk[0] << 24 | (guint32) chunk[1] << 16 | (guint32) chunk[2] << 8 | chunk[3];

  put_be32 (chunk + 8 + length, crc32_of (chunk + 4, 4 + length));
}

static guint8 *
find_chunk (guint8     *png,
            gsize       len,
            const char *type)
{
  for (gsize at = 8; at + 12 <= len;)
    {
      guint32 length = (guint32) png[at] << 24 | (guint32) png[at + 1] << 16 | (guint32) png[at + 2] << 8 | png[at + 3];

      if (memcmp (png + at + 4, type, 4) == 0)
        return png + at;
      at += 12 + length;
    }
  g_assert_not_reached ();
  return NULL;
}

/* Structurally corrupt PNGs, each complete to its IEND (which was all the service looked at):
 * stored before, although the assistant's own check refuses them */
static void
test_corrupt_png_refused (void)
{
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = ek_api_register_and_login (server, uscc, "png@example.cn");
  const char *key[] = { "Idempotency-Key: png-create", NULL };
  g_autoptr(EkApiResponse) created = ek_api_call (server, "POST", "/applications", token,
                                                  "{\"business_type\":\"first-application\"}", key);
  g_autofree char *path = g_strdup_printf ("/applications/%s/materials/business-licence",
                                           json_object_get_string_member (ek_api_object (created), "id"));
  g_autoptr(GBytes) good = ek_api_png (300, 200, FALSE);
  const char *cases[] = { "image data not zlib", "header CRC wrong", "colour type 7" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len;
      g_autofree guint8 *png = g_memdup2 (g_bytes_get_data (good, &len), g_bytes_get_size (good));
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(EkApiResponse) r = NULL;
      guint8 *ihdr = find_chunk (png, len, "IHDR"), *idat = find_chunk (png, len, "IDAT");

      if (i == 0)
        {
          memset (idat + 8, 0x5a, 16);   /* no zlib header, no deflate stream */
          fix_crc (idat);
        }
      else if (i == 1)
        ihdr[8 + 13] ^= 0xff;
      else
        {
          ihdr[8 + 9] = 7;
          fix_crc (ihdr);
        }
      bad = g_bytes_new (png, len);
      r = ek_api_upload (server, path, token, bad, "image/png", FALSE);
      g_test_message ("corrupt PNG (%s): %ld %s", cases[i], r->status,
                      r->status >= 400 ? ek_api_problem_type (r) : "stored");
      g_assert_cmpint (r->status, ==, 422);
      g_assert_cmpstr (ek_api_problem_type (r), ==, "damaged-image");
    }
  {
    g_autoptr(EkApiResponse) r = ek_api_upload (server, path, token, good, "image/png", FALSE);
    g_autoptr(EkApiResponse) stored = NULL;

    g_assert_cmpint (r->status, ==, 201);
    g_assert_cmpint (json_object_get_int_member (ek_api_object (r), "width"), ==, 300);
    stored = ek_api_call (server, "GET", path, token, NULL, NULL);
    g_assert_true (g_bytes_equal (stored->body, good));
  }
}

/* ---- The captcha ---- */

static cairo_status_t
read_bytes (void          *closure,
            unsigned char *data,
            unsigned int   length)
{
  GBytes **rest = closure;
  gsize size;
  const guint8 *at = g_bytes_get_data (*rest, &size);
  GBytes *next;

  if (length > size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, at, length);
  next = g_bytes_new_from_bytes (*rest, length, size - length);
  g_bytes_unref (*rest);
  *rest = next;
  return CAIRO_STATUS_SUCCESS;
}

/* What an OCR program reads off the picture, scaled up three times as such programs like */
static char *
ocr (GBytes *png)
{
  g_autoptr(GBytes) rest = g_bytes_ref (png);
  cairo_surface_t *image = cairo_image_surface_create_from_png_stream (read_bytes, &rest);
  cairo_surface_t *big;
  cairo_t *cr;
  g_autofree char *path = NULL, *out = NULL;
  g_autoptr(GSubprocess) tesseract = NULL;
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("ek-captcha-XXXXXX.png", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  big = cairo_image_surface_create (CAIRO_FORMAT_RGB24, cairo_image_surface_get_width (image) * 3,
                                    cairo_image_surface_get_height (image) * 3);
  cr = cairo_create (big);
  cairo_scale (cr, 3, 3);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (big, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (big);
  cairo_surface_destroy (image);

  tesseract = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                "tesseract", path, "-", "--psm", "7",
                                "-c", "tessedit_char_whitelist=ABCDEFHJKMNPRSTUVWXY2345678", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (tesseract, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return g_strdelimit (g_strstrip (g_steal_pointer (&out)), " ", '_');
}

/* The SVG carried the answer as <text> (a program read 5 of 5). Now a PNG: nothing of the
 * answer in the file, and an OCR program (tesseract) reads next to none of them */
static void
test_captcha_is_a_picture (void)
{
  const char *args[] = { "--rate-limit", "1000", NULL };
  g_autoptr(EkApiServer) own = ek_api_server_start (args);
  guint read = 0, n = 10;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EkApiResponse) r = ek_api_call (own, "POST", "/captcha", NULL, NULL, NULL);
      const char *image = json_object_get_string_member (ek_api_object (r), "image");
      const char *id = json_object_get_string_member (ek_api_object (r), "id");
      g_autofree char *answer = ek_api_run (own, NULL, "captcha-answer", id, NULL);
      g_autofree guchar *png = NULL;
      g_autofree char *seen = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gsize len;

      g_strstrip (answer);
      g_assert_true (g_str_has_prefix (image, "data:image/png;base64,"));
      png = g_base64_decode (image + strlen ("data:image/png;base64,"), &len);
      g_assert_cmpuint (len, >, 8);
      g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
      g_assert_null (g_strstr_len ((const char *) png, (gssize) len, answer));
      bytes = g_bytes_new (png, len);
      seen = ocr (bytes);
      if (g_str_equal (seen, answer))
        read++;
      g_test_message ("captcha %s: OCR read \"%s\"", answer, seen);
    }
  g_test_message ("OCR read %u of %u captchas", read, n);
  g_assert_cmpuint (read, <=, 2);
  ek_api_server_stop (own);
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
  g_test_add_func ("/api-hardening/connections/keep-alive-released", test_keepalive_connections_released);
  g_test_add_func ("/api-hardening/connections/keep-alive-released-https", test_keepalive_connections_released_https);
  g_test_add_func ("/api-hardening/connections/slow-headers-cut", test_slow_headers_cut);
  g_test_add_func ("/api-hardening/connections/stalled-body-and-idle-cut", test_stalled_body_and_idle_cut);
  g_test_add_func ("/api-hardening/connections/declared-oversize-at-once", test_declared_oversize_refused_at_once);
  g_test_add_func ("/api-hardening/connections/response-headers", test_response_headers);
  g_test_add_func ("/api-hardening/connections/libsoup-refusals-as-problems", test_libsoup_refusals_as_problems);
  g_test_add_func ("/api-hardening/connections/tls-1.2-at-least", test_tls_versions);
  g_test_add_func ("/api-hardening/accounts/activation-not-guessable", test_activation_not_guessable);
  g_test_add_func ("/api-hardening/accounts/activation-rate-limited", test_activation_rate_limited_per_address);
  g_test_add_func ("/api-hardening/accounts/login-states-indistinguishable", test_login_states_indistinguishable);
  g_test_add_func ("/api-hardening/database/busy", test_busy_database);
  g_test_add_func ("/api-hardening/uploads/corrupt-png-refused", test_corrupt_png_refused);
  g_test_add_func ("/api-hardening/captcha/a-picture", test_captcha_is_a_picture);
  g_test_add_func ("/api-hardening/zz-contract/traffic", test_traffic_matches_contract);

  status = g_test_run ();

  ek_api_server_free (server);
  curl_global_cleanup ();
  return status;
}
