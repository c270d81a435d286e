/* ek-api-fixture.c: a real ekey-registry on 127.0.0.1 and a libcurl client that records its traffic */
#include "config.h"

#include <cairo.h>
#include <curl/curl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ek-api-fixture.h"
#include "ek-test-common.h"
#include "ek-validators.h"

static char *traffic_path;

const char *
ek_api_traffic_path (void)
{
  if (traffic_path == NULL)
    {
      g_autofree char *base = g_path_get_basename (g_get_prgname ());
      g_autofree char *name = g_strdup_printf ("api-traffic-%s.jsonl", base);

      traffic_path = ek_test_artifact_path (name);
      g_unlink (traffic_path);
    }
  return traffic_path;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* If the test dies (a failed assertion aborts), its server goes with it; a stack limit set here
 * is the size of the server's main thread stack (the kernel reads it at exec) */
static void
die_with_parent (gpointer user_data)
{
  EkApiServer *server = user_data;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (server->stack_limit > 0)
    {
      struct rlimit limit = { server->stack_limit, server->stack_limit };
      setrlimit (RLIMIT_STACK, &limit);
    }
}

static void
spawn (EkApiServer *server)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  GInputStream *out;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("EK_REGISTRY"));
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, server->listen != NULL ? server->listen : (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, server->db);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, server->data_dir);
  for (guint i = 0; server->extra_args != NULL && server->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, server->extra_args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_nonnull (g_getenv ("EK_REGISTRY"));
  /* stderr (the request log) goes to the test log */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, server, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  out = g_subprocess_get_stdout_pipe (server->process);
  lines = g_data_input_stream_new (out);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:") || g_str_has_prefix (line, "https://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (line, "/api/v1"));
  g_free (server->base_url);
  server->base_url = g_steal_pointer (&line);
}

static EkApiTls *tls;

static void
remove_tls (void)
{
  if (tls != NULL)
    remove_tree (tls->dir);
}

static void
certtool (const char *first,
          ...) G_GNUC_NULL_TERMINATED;

static void
certtool (const char *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "certtool");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static char *
make_ca (const char *dir,
         const char *name,
         const char *cn,
         char      **key_out)
{
  g_autofree char *tmpl = g_strdup_printf ("%s/%s.tmpl", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *text = g_strdup_printf ("cn = \"%s\"\nca\ncert_signing_key\nexpiration_days = 30\n", cn);

  g_assert_true (g_file_set_contents (tmpl, text, -1, NULL));
  certtool ("--generate-privkey", "--key-type", "ecdsa", "--outfile", key, NULL);
  certtool ("--generate-self-signed", "--load-privkey", key, "--template", tmpl, "--outfile", cert, NULL);
  if (key_out != NULL)
    *key_out = g_steal_pointer (&key);
  return cert;
}

/* The certificates for HTTPS tests: made at test time, never checked in */
const EkApiTls *
ek_api_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_key = NULL;
  g_autofree char *tmpl = NULL;

  if (tls != NULL)
    return tls;
  tls = g_new0 (EkApiTls, 1);
  tls->dir = g_dir_make_tmp ("ek-api-tls-XXXXXX", &error);
  g_assert_no_error (error);
  tls->ca_cert = make_ca (tls->dir, "ca", "EKey Assistant test CA", &ca_key);
  tls->other_ca_cert = make_ca (tls->dir, "other-ca", "Somebody else's CA", NULL);
  tls->server_key = g_build_filename (tls->dir, "server.key", NULL);
  tls->server_cert = g_build_filename (tls->dir, "server.pem", NULL);
  tmpl = g_build_filename (tls->dir, "server.tmpl", NULL);
  g_assert_true (g_file_set_contents (tmpl, "cn = \"localhost\"\ndns_name = \"localhost\"\nip_address = \"127.0.0.1\"\n"
                                      "tls_www_server\nsigning_key\nencryption_key\nexpiration_days = 30\n", -1, NULL));
  certtool ("--generate-privkey", "--key-type", "ecdsa", "--outfile", tls->server_key, NULL);
  certtool ("--generate-certificate", "--load-privkey", tls->server_key, "--load-ca-certificate", tls->ca_cert,
            "--load-ca-privkey", ca_key, "--template", tmpl, "--outfile", tls->server_cert, NULL);
  atexit (remove_tls);
  return tls;
}

/* An ekey-registry serving HTTPS with the certificate above */
EkApiServer *
ek_api_server_start_tls (const char * const *extra_args)
{
  const EkApiTls *t = ek_api_tls ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  EkApiServer *server;

  g_strv_builder_add_many (builder, "--tls-cert", t->server_cert, "--tls-key", t->server_key, NULL);
  if (extra_args != NULL)
    g_strv_builder_addv (builder, (const char **) extra_args);
  args = g_strv_builder_end (builder);
  server = ek_api_server_start ((const char * const *) args);
  g_assert_true (g_str_has_prefix (server->base_url, "https://127.0.0.1:"));
  server->ca_file = g_strdup (t->ca_cert);
  return server;
}

/* Restarts a stopped or killed server on the port it had, as a service restarted in place */
void
ek_api_server_restart_same_port (EkApiServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->base_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *old_url = g_strdup (server->base_url);

  g_assert_null (server->process);
  g_assert_nonnull (uri);
  g_free (server->listen);
  server->listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
  spawn (server);
  g_assert_cmpstr (server->base_url, ==, old_url);
}

EkApiServer *
ek_api_server_start (const char * const *extra_args)
{
  return ek_api_server_start_with_stack (extra_args, 0);
}

/* A server whose main thread has only @stack_limit bytes of stack (0: the inherited limit) */
EkApiServer *
ek_api_server_start_with_stack (const char * const *extra_args,
                                gsize               stack_limit)
{
  EkApiServer *server = g_new0 (EkApiServer, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("ek-registry-XXXXXX", &error);
  g_assert_no_error (error);
  server->db = g_build_filename (server->dir, "registry.sqlite", NULL);
  server->data_dir = g_build_filename (server->dir, "data", NULL);
  server->extra_args = g_strdupv ((char **) extra_args);
  server->stack_limit = stack_limit;
  spawn (server);
  return server;
}

int
ek_api_server_pid (EkApiServer *server)
{
  const char *id = g_subprocess_get_identifier (server->process);

  g_assert_nonnull (id);
  return atoi (id);
}

guint
ek_api_server_port (EkApiServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->base_url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return (guint) g_uri_get_port (uri);
}

/* The server's open file descriptors, from /proc */
guint
ek_api_server_open_fds (EkApiServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", ek_api_server_pid (server));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* SIGTERM: the server stops cleanly (and, under ASan, checks itself for leaks) */
void
ek_api_server_stop (EkApiServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
ek_api_server_kill (EkApiServer *server)
{
  g_subprocess_send_signal (server->process, SIGKILL);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

void
ek_api_server_restart (EkApiServer *server)
{
  g_assert_null (server->process);
  spawn (server);
}

void
ek_api_server_free (EkApiServer *server)
{
  if (server == NULL)
    return;
  if (server->process != NULL)
    ek_api_server_stop (server);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->db);
  g_free (server->data_dir);
  g_free (server->base_url);
  g_strfreev (server->extra_args);
  g_free (server->ca_file);
  g_free (server->listen);
  g_free (server);
}

static size_t
collect_body (char   *data,
              size_t  size,
              size_t  n,
              void   *user_data)
{
  g_byte_array_append (user_data, (const guint8 *) data, (guint) (size * n));
  return size * n;
}

static size_t
collect_header (char   *data,
                size_t  size,
                size_t  n,
                void   *user_data)
{
  EkApiResponse *response = user_data;
  g_autofree char *line = g_strndup (data, size * n);
  char *colon = strchr (line, ':');

  if (colon != NULL)
    {
      const char *value;

      *colon = '\0';
      value = g_strstrip (colon + 1);
      if (g_ascii_strcasecmp (line, "X-Request-Id") == 0)
        response->request_id = (g_free (response->request_id), g_strdup (value));
      else if (g_ascii_strcasecmp (line, "Location") == 0)
        response->location = (g_free (response->location), g_strdup (value));
      else if (g_ascii_strcasecmp (line, "Idempotent-Replayed") == 0)
        response->replayed = g_str_equal (value, "true");
      else if (g_ascii_strcasecmp (line, "Retry-After") == 0)
        response->retry_after = (g_free (response->retry_after), g_strdup (value));
    }
  return size * n;
}

static JsonNode *
parse_or_null (const char *data,
               gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (len == 0 || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static void
record (const char    *method,
        const char    *path,
        const char    *request_type,
        const char    *request_body,
        EkApiResponse *response)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) request_json = request_body != NULL ? parse_or_null (request_body, strlen (request_body)) : NULL;
  g_autofree char *line = NULL;
  FILE *file;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "request_type");
  json_builder_add_string_value (builder, request_type);
  if (request_json != NULL)
    {
      json_builder_set_member_name (builder, "request");
      json_builder_add_value (builder, json_node_ref (request_json));
    }
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, response->status);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, response->content_type != NULL ? response->content_type : "");
  if (response->json != NULL)
    {
      json_builder_set_member_name (builder, "response");
      json_builder_add_value (builder, json_node_ref (response->json));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = json_to_string (root, FALSE);

  file = fopen (ek_api_traffic_path (), "a");
  g_assert_nonnull (file);
  /* json-glib 1.6 escapes every control character in a string but U+001F, which it writes raw
   * (a request that carries one is what the service must refuse) */
  for (const char *p = line; *p != '\0'; p++)
    if (*p == '\x1f')
      fputs ("\\u001f", file);
    else
      fputc (*p, file);
  fputc ('\n', file);
  fclose (file);
}

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} ReadState;

static size_t
read_body (char   *buffer,
           size_t  size,
           size_t  n,
           void   *user_data)
{
  ReadState *state = user_data;
  size_t chunk = MIN (size * n, state->len - state->pos);

  memcpy (buffer, state->data + state->pos, chunk);
  state->pos += chunk;
  return chunk;
}

static EkApiResponse *
perform (EkApiServer        *server,
         const char         *method,
         const char         *path,
         const char         *token,
         const char         *content_type,
         const char         *json_body,
         GBytes             *upload,
         gboolean            chunked,
         const char * const *headers)
{
  CURL *curl = curl_easy_init ();
  struct curl_slist *list = NULL;
  g_autofree char *url = g_strconcat (server->base_url, path, NULL);
  g_autoptr(GByteArray) body = g_byte_array_new ();
  EkApiResponse *response = g_new0 (EkApiResponse, 1);
  ReadState state = { 0 };
  char *ctype = NULL;
  CURLcode rc;

  g_assert_nonnull (curl);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, response);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 30L);
  if (server->ca_file != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, server->ca_file);

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Authorization: Bearer ", token, NULL);
      list = curl_slist_append (list, auth);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append (list, headers[i]);

  if (json_body != NULL)
    {
      gboolean typed = FALSE;

      /* A test may send another Content-Type, or none ("Content-Type:") */
      for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
        typed |= g_ascii_strncasecmp (headers[i], "Content-Type:", 13) == 0;
      if (!typed)
        list = curl_slist_append (list, "Content-Type: application/json");
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, json_body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen (json_body));
    }
  else if (upload != NULL)
    {
      g_autofree char *ct = g_strconcat ("Content-Type: ", content_type, NULL);

      list = curl_slist_append (list, ct);
      state.data = g_bytes_get_data (upload, &state.len);
      curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt (curl, CURLOPT_READDATA, &state);
      if (chunked)
        list = curl_slist_append (list, "Transfer-Encoding: chunked");
      else
        curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) state.len);
    }
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);

  rc = curl_easy_perform (curl);
  g_assert_cmpint (rc, ==, CURLE_OK);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response->status);
  curl_easy_getinfo (curl, CURLINFO_CONTENT_TYPE, &ctype);
  response->content_type = g_strdup (ctype);
  response->json = (ctype != NULL && strstr (ctype, "json") != NULL) ? parse_or_null ((const char *) body->data, body->len) : NULL;
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&body));

  curl_slist_free_all (list);
  curl_easy_cleanup (curl);

  /* Every response carries a request id, also in problem bodies */
  g_assert_nonnull (response->request_id);
  if (response->content_type != NULL && g_str_has_prefix (response->content_type, "application/problem+json"))
    g_assert_cmpstr (json_object_get_string_member (ek_api_object (response), "request_id"), ==, response->request_id);

  record (method, path, upload != NULL ? content_type : json_body != NULL ? "application/json" : "",
          json_body, response);
  return response;
}

EkApiResponse *
ek_api_call (EkApiServer        *server,
             const char         *method,
             const char         *path,
             const char         *token,
             const char         *json_body,
             const char * const *headers)
{
  return perform (server, method, path, token, NULL, json_body, NULL, FALSE, headers);
}

EkApiResponse *
ek_api_upload (EkApiServer *server,
               const char  *path,
               const char  *token,
               GBytes      *data,
               const char  *content_type,
               gboolean     chunked)
{
  return perform (server, "PUT", path, token, content_type, NULL, data, chunked, NULL);
}

void
ek_api_response_free (EkApiResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->content_type);
  g_free (response->request_id);
  g_free (response->location);
  g_free (response->retry_after);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

JsonObject *
ek_api_object (EkApiResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

const char *
ek_api_problem_type (EkApiResponse *response)
{
  const char *type;

  g_assert_nonnull (response->content_type);
  g_assert_true (g_str_has_prefix (response->content_type, "application/problem+json"));
  type = json_object_get_string_member (ek_api_object (response), "type");
  g_assert_true (g_str_has_prefix (type, "https://ekeyassistant.org/problems/"));
  return type + strlen ("https://ekeyassistant.org/problems/");
}

gboolean
ek_api_has_field_error (EkApiResponse *response,
                        const char    *field,
                        const char    *code)
{
  JsonArray *errors = json_object_get_array_member (ek_api_object (response), "errors");

  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *e = json_array_get_object_element (errors, i);

      if (g_str_equal (json_object_get_string_member (e, "field"), field) &&
          (code == NULL || g_str_equal (json_object_get_string_member (e, "code"), code)))
        {
          g_assert_cmpstr (json_object_get_string_member (e, "message"), !=, "");
          return TRUE;
        }
    }
  return FALSE;
}

/* Runs `ekey-registry ARGS… --db DB` (the operator's side) and returns its stdout */
char *
ek_api_run (EkApiServer *server,
            int         *exit_status,
            const char  *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("EK_REGISTRY"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, server->db);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (exit_status != NULL)
    *exit_status = g_subprocess_get_exit_status (process);
  else
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return out;
}

/* The operator's review on the service's database, which must succeed: `ekey-registry review
 * STEP ID [VERDICT] [--remark REMARK]` (a remark goes with a verdict) */
void
ek_api_review (EkApiServer *server,
               const char  *step,
               const char  *id,
               const char  *verdict,
               const char  *remark)
{
  g_autofree char *out = NULL;

  g_assert_true (remark == NULL || verdict != NULL);
  if (remark != NULL)
    out = ek_api_run (server, NULL, "review", step, id, verdict, "--remark", remark, NULL);
  else
    out = ek_api_run (server, NULL, "review", step, id, verdict, NULL);
  g_test_message ("review %s: %s", step, out);
}

static char
org_check (const char *body8)
{
  guint weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
  guint sum = 0, c;

  for (guint i = 0; i < 8; i++)
    sum += (guint) (g_ascii_isdigit (body8[i]) ? body8[i] - '0' : body8[i] - 'A' + 10) * weights[i];
  c = 11 - sum % 11;
  return c == 10 ? 'X' : c == 11 ? '0' : (char) ('0' + c);
}

/* A fresh, fully valid credit code for a new test enterprise */
char *
ek_api_make_uscc (void)
{
  char code[19];
  g_autofree char *digits = g_strdup_printf ("%08u", g_random_int_range (0, 99999999));

  memcpy (code, "91110108", 8);
  memcpy (code + 8, digits, 8);
  code[16] = org_check (code + 8);
  code[17] = ek_uscc_compute_check_char (code);
  code[18] = '\0';
  g_assert_cmpint (ek_uscc_check (code).validity, ==, EK_VALIDITY_VALID);
  return g_strdup (code);
}

char *
ek_api_activation_code_for (EkApiServer *server,
                            const char  *email)
{
  int status = -1;
  g_autofree char *out = ek_api_run (server, &status, "outbox", "--json", NULL);
  g_autoptr(JsonNode) root = json_from_string (out, NULL);
  JsonArray *mails;
  char *code = NULL;

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (root);
  mails = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (mails); i++)
    {
      JsonObject *m = json_array_get_object_element (mails, i);
      const char *body = json_object_get_string_member (m, "body");
      const char *at = strstr (body, "activation code: ");

      if (g_str_equal (json_object_get_string_member (m, "to"), email) && at != NULL)
        {
          at += strlen ("activation code: ");
          g_free (code);
          code = g_strndup (at, strcspn (at, "\n"));
        }
    }
  g_assert_nonnull (code);
  return code;
}

char *
ek_api_login (EkApiServer *server,
              const char  *uscc,
              const char  *login_name)
{
  g_autoptr(EkApiResponse) captcha = ek_api_call (server, "POST", "/captcha", NULL, NULL, NULL);
  g_autoptr(EkApiResponse) session = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *body = NULL;

  g_assert_cmpint (captcha->status, ==, 201);
  answer = ek_api_run (server, NULL, "captcha-answer", json_object_get_string_member (ek_api_object (captcha), "id"), NULL);
  g_strstrip (answer);
  body = g_strdup_printf ("{\"method\":\"code\",\"uscc\":\"%s\",\"login_name\":\"%s\",\"captcha_id\":\"%s\",\"captcha_answer\":\"%s\"}",
                          uscc, login_name, json_object_get_string_member (ek_api_object (captcha), "id"), answer);
  session = ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
  g_assert_cmpint (session->status, ==, 201);
  return g_strdup (json_object_get_string_member (ek_api_object (session), "token"));
}

/* Registers an account (email login, non-electromechanical), activates it from the outbox, logs in */
char *
ek_api_register_and_login (EkApiServer *server,
                           const char  *uscc,
                           const char  *login_name)
{
  g_autofree char *body = g_strdup_printf ("{\"uscc\":\"%s\",\"enterprise_name\":\"北京测试科技有限公司\",\"login_name\":\"%s\","
                                           "\"licence_type\":\"non-electromechanical\",\"email\":\"%s\",\"mobile\":\"13800138000\"}",
                                           uscc, login_name, login_name);
  g_autoptr(EkApiResponse) reg = ek_api_call (server, "POST", "/accounts", NULL, body, NULL);
  g_autoptr(EkApiResponse) act = NULL;
  g_autofree char *code = NULL;
  g_autofree char *activation = NULL;

  g_assert_cmpint (reg->status, ==, 201);
  code = ek_api_activation_code_for (server, login_name);
  activation = g_strdup_printf ("{\"uscc\":\"%s\",\"login_name\":\"%s\",\"code\":\"%s\"}", uscc, login_name, code);
  act = ek_api_call (server, "POST", "/accounts/activation", NULL, activation, NULL);
  g_assert_cmpint (act->status, ==, 200);
  return ek_api_login (server, uscc, login_name);
}

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A real PNG made by cairo: a drawn page, or noise (which does not compress) */
GBytes *
ek_api_png (int      width,
            int      height,
            gboolean noise)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.8, 0, 0);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 3.0, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_destroy (cr);
  if (noise)
    {
      guint32 *pixels;

      cairo_surface_flush (surface);
      pixels = (guint32 *) cairo_image_surface_get_data (surface);
      for (int i = 0; i < width * height; i++)
        pixels[i] = g_random_int ();
      cairo_surface_mark_dirty (surface);
    }
  g_assert_cmpint (cairo_surface_write_to_png_stream (surface, append_png, bytes), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* This binary's recorded traffic checked against data/api/openapi.yaml by tools/api-contract;
 * with @all_operations, every operation of the contract must appear in it */
void
ek_api_check_traffic (gboolean all_operations)
{
  g_autofree char *script = g_build_filename (ek_test_source_root (), "tools", "api-contract", "check.js", NULL);
  g_autofree char *spec = g_build_filename (ek_test_source_root (), "data", "api", "openapi.yaml", NULL);
  g_autofree char *modules = g_build_filename (ek_test_source_root (), "tools", "api-contract", "node_modules", NULL);
  g_autoptr(GSubprocess) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;

  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    g_error ("The contract checker is not installed: run tools/ekey-dev deps (it runs npm ci in tools/api-contract)");
  if (all_operations)
    node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             "node", script, "--all-operations", spec, ek_api_traffic_path (), NULL);
  else
    node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             "node", script, spec, ek_api_traffic_path (), NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (node, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  if (g_subprocess_get_exit_status (node) != 0)
    g_error ("Traffic does not match the contract:\n%s%s", out, err);
}

/* The service numbers its requests in order (the X-Request-Id's first part) */
guint64
ek_api_request_number (EkApiResponse *response)
{
  g_assert_nonnull (response->request_id);
  return g_ascii_strtoull (response->request_id, NULL, 16);
}

/* Waits (bounded, by probing GET /catalogue) until the service has handled @n requests of
 * others after request number @after; returns the last probe's number */
guint64
ek_api_wait_for_requests (EkApiServer *server,
                          guint64      after,
                          guint        n)
{
  guint64 last = after;

  for (guint i = 0; i < 400; i++)
    {
      g_autoptr(EkApiResponse) probe = ek_api_call (server, "GET", "/catalogue", NULL, NULL, NULL);
      guint64 number = ek_api_request_number (probe);

      /* Each probe is one request: more than that in between were somebody else's */
      if (number - after - (i + 1) >= n)
        return number;
      last = number;
      g_usleep (50 * 1000);
    }
  g_error ("The service did not see the expected requests (last request %" G_GUINT64_FORMAT ")", last);
  return last;
}
