/* bench-registry-client.c: EkApiClient against the curl command line, side by side, in one run
 *
 * Run by hand (never a test), from the source folder:
 *   _build/tests/bench/bench-registry-client [RUNS] [REQUESTS]
 * (EK_REGISTRY defaults to _build/app/server/ekey-registry; the fixture records its own calls'
 * traffic under EK_ARTIFACTS_DIR, by default _build/test-artifacts)
 *
 * One ekey-registry over HTTPS on 127.0.0.1 (CA made with certtool, as in the tests). Per run:
 *   GET /catalogue × REQUESTS, one after the other:
 *     client      EkApiClient, async calls awaited one by one (connection reused)
 *     curl-each   one `curl` process per request (a new TLS connection each: a shell script's way)
 *     curl-one    one `curl` process fetching all URLs (connection reused: libcurl's best case)
 *   PUT of a 150 KB PNG × REQUESTS/4, logged in:
 *     client      upload_material (streamed from disk, content type sniffed, progress on)
 *     curl-one    one `curl` process uploading them all (-T, reused connection)
 * Prints each run, then the median per request and the ratios to curl-one.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ek-api-fixture.h"
#include "ek-api-client.h"

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

static double
now_ms (void)
{
  return (double) g_get_monotonic_time () / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

static void
run_curl (GPtrArray *argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) || !g_spawn_check_wait_status (status, &error))
    g_error ("curl failed: %s", error->message);
  g_ptr_array_set_size (argv, argv->len - 1);
}

static GPtrArray *
curl_argv (EkApiServer *server)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "curl");
  g_ptr_array_add (argv, (gpointer) "-sSf");
  g_ptr_array_add (argv, (gpointer) "--noproxy");
  g_ptr_array_add (argv, (gpointer) "*");
  g_ptr_array_add (argv, (gpointer) "--cacert");
  g_ptr_array_add (argv, server->ca_file);
  return argv;
}

int
main (int    argc,
      char **argv)
{
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 5;
  guint requests = argc > 2 ? (guint) atoi (argv[2]) : 200;
  guint uploads = MAX (requests / 4, 1);
  g_autoptr(EkApiServer) server = NULL;
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *catalogue_url = NULL;
  g_autofree char *uscc = NULL;
  g_autofree char *token = NULL;
  g_autofree char *png_path = NULL;
  g_autofree char *app_id = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GArray) get_client = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) get_each = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) get_one = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) put_client = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) put_one = g_array_new (FALSE, FALSE, sizeof (double));
  const char *login_name = "bench@example.com";
  int fd;

  setlocale (LC_ALL, "C.UTF-8");
  g_set_prgname ("bench-registry-client");
  if (g_getenv ("EK_REGISTRY") == NULL)
    g_setenv ("EK_REGISTRY", "_build/app/server/ekey-registry", TRUE);
  if (g_getenv ("EK_ARTIFACTS_DIR") == NULL)
    g_setenv ("EK_ARTIFACTS_DIR", "_build/test-artifacts", TRUE);
  server = ek_api_server_start_tls (NULL);
  catalogue_url = g_strconcat (server->base_url, "/catalogue", NULL);

  client = ek_api_client_new (server->base_url, server->ca_file, &error);
  g_assert_no_error (error);
  ek_api_client_set_proxy (client, "");

  /* An enterprise, its session (the client's and curl's), one application, one PNG */
  uscc = ek_api_make_uscc ();
  token = ek_api_register_and_login (server, uscc, login_name);
  {
    g_autoptr(EkApiCaptcha) captcha = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *answer = NULL;
    g_autofree char *body = g_strdup_printf ("{\"business_type\":\"first-application\",\"fields\":{\"uscc\":\"%s\"}}", uscc);
    g_autofree char *key = g_uuid_string_random ();
    g_autofree char *key_header = g_strconcat ("Idempotency-Key: ", key, NULL);
    const char *headers[] = { key_header, NULL };
    g_autoptr(EkApiResponse) created = ek_api_call (server, "POST", "/applications", token, body, headers);

    g_assert_cmpint (created->status, ==, 201);
    app_id = g_strdup (json_object_get_string_member (ek_api_object (created), "id"));

    ek_api_client_create_captcha_async (client, NULL, on_done, &result);
    captcha = ek_api_client_create_captcha_finish (client, await (&result), &error);
    g_assert_no_error (error);
    g_clear_object (&result);
    answer = ek_api_run (server, NULL, "captcha-answer", captcha->id, NULL);
    g_strstrip (answer);
    ek_api_client_login_with_code_async (client, uscc, login_name, captcha->id, answer, NULL, on_done, &result);
    g_assert_true (ek_api_client_login_with_code_finish (client, await (&result), &error));
    g_assert_no_error (error);
  }
  png = ek_api_png (240, 200, TRUE);
  fd = g_file_open_tmp ("bench-XXXXXX.png", &png_path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (png_path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  close (fd);

  g_print ("ekey-registry over HTTPS on 127.0.0.1; %u runs of %u GETs and %u uploads of %zu bytes\n",
           runs, requests, uploads, g_bytes_get_size (png));
  g_print ("%-4s %14s %14s %14s %14s %14s\n", "run", "GET client", "GET curl-each", "GET curl-one",
           "PUT client", "PUT curl-one");

  for (guint run = 0; run < runs; run++)
    {
      double t0, ms;
      double row[5];

      /* GET: the client */
      t0 = now_ms ();
      for (guint i = 0; i < requests; i++)
        {
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(JsonNode) node = NULL;

          ek_api_client_get_catalogue_async (client, NULL, on_done, &result);
          node = ek_api_client_get_catalogue_finish (client, await (&result), &error);
          g_assert_no_error (error);
        }
      ms = (now_ms () - t0) / requests;
      g_array_append_val (get_client, ms);
      row[0] = ms;

      /* GET: one curl per request */
      t0 = now_ms ();
      for (guint i = 0; i < requests; i++)
        {
          g_autoptr(GPtrArray) args = curl_argv (server);

          g_ptr_array_add (args, catalogue_url);
          run_curl (args);
        }
      ms = (now_ms () - t0) / requests;
      g_array_append_val (get_each, ms);
      row[1] = ms;

      /* GET: one curl for all */
      {
        g_autoptr(GPtrArray) args = curl_argv (server);

        for (guint i = 0; i < requests; i++)
          {
            g_ptr_array_add (args, (gpointer) "-o");
            g_ptr_array_add (args, (gpointer) "/dev/null");
            g_ptr_array_add (args, catalogue_url);
          }
        t0 = now_ms ();
        run_curl (args);
        ms = (now_ms () - t0) / requests;
        g_array_append_val (get_one, ms);
        row[2] = ms;
      }

      /* PUT: the client (a replaced material each time) */
      t0 = now_ms ();
      for (guint i = 0; i < uploads; i++)
        {
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(EkApiMaterial) material = NULL;
          g_autoptr(GFile) file = g_file_new_for_path (png_path);

          ek_api_client_upload_material_async (client, app_id, "business-licence", file, NULL, NULL, NULL,
                                                    NULL, on_done, &result);
          material = ek_api_client_upload_material_finish (client, await (&result), &error);
          g_assert_no_error (error);
        }
      ms = (now_ms () - t0) / uploads;
      g_array_append_val (put_client, ms);
      row[3] = ms;

      /* PUT: one curl for all */
      {
        g_autoptr(GPtrArray) args = curl_argv (server);
        g_autofree char *auth = g_strconcat ("Authorization: Bearer ", token, NULL);
        g_autofree char *url = g_strdup_printf ("%s/applications/%s/materials/id-card", server->base_url, app_id);

        g_ptr_array_add (args, (gpointer) "-H");
        g_ptr_array_add (args, auth);
        g_ptr_array_add (args, (gpointer) "-H");
        g_ptr_array_add (args, (gpointer) "Content-Type: image/png");
        for (guint i = 0; i < uploads; i++)
          {
            g_ptr_array_add (args, (gpointer) "-o");
            g_ptr_array_add (args, (gpointer) "/dev/null");
            g_ptr_array_add (args, (gpointer) "-T");
            g_ptr_array_add (args, png_path);
            g_ptr_array_add (args, url);
          }
        t0 = now_ms ();
        run_curl (args);
        ms = (now_ms () - t0) / uploads;
        g_array_append_val (put_one, ms);
        row[4] = ms;
      }

      g_print ("%-4u %12.2fms %12.2fms %12.2fms %12.2fms %12.2fms\n", run + 1, row[0], row[1], row[2], row[3], row[4]);
    }

  {
    double gc = median (get_client), ge = median (get_each), go = median (get_one);
    double pc = median (put_client), po = median (put_one);

    g_print ("\nmedian per request (ms)\n");
    g_print ("  GET /catalogue   client %.2f   curl-each %.2f   curl-one %.2f\n", gc, ge, go);
    g_print ("                   client/curl-one %.2f   curl-each/client %.1f\n", gc / go, ge / gc);
    g_print ("  PUT material     client %.2f   curl-one %.2f   client/curl-one %.2f\n", pc, po, pc / po);
  }
  g_unlink (png_path);
  return 0;
}
