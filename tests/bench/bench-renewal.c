/* bench-renewal.c: from "approved" to the new certificate on the key, by step, against p11tool
 * and certtool doing the same steps on the same SoftHSM2 token, in one run
 *
 *   _build/tests/bench/bench-renewal [RUNS]    (default 7; from the source root)
 *
 * Ours: EkRenewal in this process (the wizard's core), its steps timed from its progress signal:
 * key generation (RSA 2048 on the token), request (PKCS#10 signed on the token), issue (key log-in
 * when first needed + POST to the real ekey-registry over HTTPS + the checks), write (certificate
 * written and read back, and the old pair removed). The tools: p11tool --generate-privkey,
 * certtool --generate-request, certtool --generate-certificate with the CA key on disk (no
 * service, no log-in: a lower bound for "issue"), p11tool --write and p11tool --delete.
 * Prints each run, then the medians and the ratios.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>

#include "ek-api-client-renewal.h"
#include "ek-key-login.h"
#include "ek-renewal-fixture.h"
#include "ek-renewal.h"

enum { KEYGEN, REQUEST, ISSUE, WRITE, N_STEPS };
static const char * const step_names[] = { "key generation", "request", "issue", "write + old removed" };

typedef struct
{
  gint64 marks[8];
  int    last;
} Marks;

typedef struct
{
  EkApiClient       *client;
  EkTokenManager    *manager;
  EkToken           *token;
  EkCertificateInfo *certificate;
  EkSecret          *pin;
} Issuer;

static char *
issue (const char    *application_id,
       const char    *request_pem,
       char         **ca_pem,
       gpointer       user_data,
       GCancellable  *cancellable,
       GError       **error)
{
  Issuer *issuer = user_data;
  g_autoptr(EkIssuedCertificate) issued = NULL;

  if (!ek_api_client_has_session (issuer->client))
    {
      g_autofree char *pem = ek_certificate_info_dup_pem (issuer->certificate);
      g_autoptr(EkKeySigner) signer = ek_key_signer_new (issuer->manager, issuer->token, issuer->certificate, issuer->pin);

      if (!ek_api_client_login_with_key_sync (issuer->client, pem, ek_key_signer_sign, signer, cancellable, error))
        return NULL;
    }
  issued = ek_api_client_issue_certificate_sync (issuer->client, application_id, request_pem, cancellable, error);
  if (issued == NULL)
    return NULL;
  *ca_pem = g_steal_pointer (&issued->ca_pem);
  return g_steal_pointer (&issued->certificate_pem);
}

static void
on_progress (EkRenewal *renewal,
             int        phase,
             Marks     *marks)
{
  marks->marks[phase] = g_get_monotonic_time ();
}

/* One renewal with our code: the step durations in ms */
static void
run_ours (EkApiServer *server,
          const char  *dir,
          guint        run,
          double       out[N_STEPS])
{
  g_autofree char *application = ek_renewal_fixture_approved (server);
  g_autofree char *journal = g_strdup_printf ("%s/bench-%u.json", dir, run);
  g_autoptr(EkTokenManager) manager = ek_renewal_fixture_manager ();
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens (manager, NULL, NULL);
  EkToken *token = ek_renewal_fixture_find_token (tokens);
  EkCertificateInfo *old = g_ptr_array_index (ek_token_get_certificates (token), 0);
  g_autoptr(EkSecret) pin = ek_secret_new ("123456", -1);
  g_autoptr(EkApiClient) client = ek_api_client_new (server->base_url, ek_api_tls ()->ca_cert, NULL);
  g_autoptr(EkRenewal) renewal = ek_renewal_new (manager, journal, NULL);
  Issuer issuer = { client, manager, token, old, pin };
  Marks marks = { { 0 } };
  g_autoptr(GError) error = NULL;
  gint64 start, end;

  ek_renewal_set_issuer (renewal, issue, &issuer, NULL);
  g_signal_connect (renewal, "progress", G_CALLBACK (on_progress), &marks);
  start = g_get_monotonic_time ();
  if (!ek_renewal_run (renewal, token, old, pin, application, EK_KEY_ALGORITHM_RSA_2048, NULL, NULL, &error))
    g_error ("renewal failed: %s", error->message);
  end = g_get_monotonic_time ();
  /* phases: 0 generating, 1 requesting, 2 issuing, 3 writing, 4 removing, 5 done */
  out[KEYGEN] = (marks.marks[1] - start) / 1000.0;
  out[REQUEST] = (marks.marks[2] - marks.marks[1]) / 1000.0;
  out[ISSUE] = (marks.marks[3] - marks.marks[2]) / 1000.0;
  out[WRITE] = (end - marks.marks[3]) / 1000.0;
  g_unlink (journal);
}

static double
timed (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;
  gint64 start = g_get_monotonic_time ();

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  if (error != NULL || !g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed", argv[0]);
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* The same steps with the gnutls tools, on the same token (another key id, removed after) */
static void
run_tools (const char *dir,
           guint       run,
           double      out[N_STEPS])
{
  g_autofree char *id = g_strdup_printf ("%02x", 0x70 + run);
  g_autofree char *label = g_strdup_printf ("bench-%u", run);
  g_autofree char *id_arg = g_strdup_printf ("--id=%s", id);
  g_autofree char *label_arg = g_strdup_printf ("--label=%s", label);
  g_autofree char *privkey = g_strdup_printf ("pkcs11:token=" EK_RENEWAL_FIXTURE_LABEL ";object=%s;type=private", label);
  g_autofree char *object = g_strdup_printf ("pkcs11:token=" EK_RENEWAL_FIXTURE_LABEL ";object=%s", label);
  g_autofree char *tmpl = g_build_filename (dir, "bench-req.tmpl", NULL);
  g_autofree char *sign_tmpl = g_build_filename (dir, "bench-sign.tmpl", NULL);
  g_autofree char *req = g_build_filename (dir, "bench-req.pem", NULL);
  g_autofree char *crt = g_build_filename (dir, "bench-new.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *ca_key = g_build_filename (dir, "ca.key", NULL);

  g_setenv ("GNUTLS_PIN", "123456", TRUE);
  g_file_set_contents (tmpl, "cn = \"9999400000560-LUOYUN\"\norganization = \"" EK_RENEWAL_FIXTURE_USCC "\"\n", -1, NULL);
  g_file_set_contents (sign_tmpl, "expiration_days = 730\nsigning_key\ntls_www_client\n", -1, NULL);
  {
    const char *argv[] = { "p11tool", "--provider", EK_RENEWAL_FIXTURE_MODULE, "--login", "--set-pin=123456",
                           "--generate-privkey=rsa", "--bits=2048", label_arg, id_arg,
                           "pkcs11:token=" EK_RENEWAL_FIXTURE_LABEL, NULL };
    out[KEYGEN] = timed (argv);
  }
  {
    const char *argv[] = { "certtool", "--generate-request", "--provider", EK_RENEWAL_FIXTURE_MODULE,
                           "--load-privkey", privkey, "--template", tmpl, "--outfile", req, NULL };
    out[REQUEST] = timed (argv);
  }
  {
    const char *argv[] = { "certtool", "--generate-certificate", "--load-request", req, "--load-ca-certificate", ca,
                           "--load-ca-privkey", ca_key, "--template", sign_tmpl, "--outfile", crt, NULL };
    out[ISSUE] = timed (argv);
  }
  {
    const char *write_argv[] = { "p11tool", "--provider", EK_RENEWAL_FIXTURE_MODULE, "--login", "--set-pin=123456",
                                 "--write", "--load-certificate", crt, label_arg, id_arg,
                                 "pkcs11:token=" EK_RENEWAL_FIXTURE_LABEL, NULL };
    const char *delete_argv[] = { "p11tool", "--provider", EK_RENEWAL_FIXTURE_MODULE, "--login", "--set-pin=123456",
                                  "--batch", "--delete", object, NULL };
    /* write, then the removal of a pair, as ours does (here the bench's own pair) */
    out[WRITE] = timed (write_argv) + timed (delete_argv);
  }
}

static int
compare (gconstpointer a,
         gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare);
  return g_array_index (values, double, values->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  guint runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 7;
  g_autofree char *dir = NULL;
  EkApiServer *server;
  GArray *ours[N_STEPS], *tools[N_STEPS], *ours_total, *tools_total;

  g_set_prgname ("bench-renewal");
  /* run from the source root, as the other benches */
  g_setenv ("EK_SOURCE_ROOT", ".", FALSE);
  g_setenv ("EK_REGISTRY", "_build/app/server/ekey-registry", FALSE);
  g_setenv ("EK_ARTIFACTS_DIR", "_build/test-artifacts", FALSE);
  gnutls_global_init ();
  server = ek_renewal_fixture_start (&dir);
  for (guint s = 0; s < N_STEPS; s++)
    {
      ours[s] = g_array_new (FALSE, FALSE, sizeof (double));
      tools[s] = g_array_new (FALSE, FALSE, sizeof (double));
    }
  ours_total = g_array_new (FALSE, FALSE, sizeof (double));
  tools_total = g_array_new (FALSE, FALSE, sizeof (double));

  g_print ("run  ours: keygen request issue write (ms)  |  p11tool/certtool: keygen request issue write (ms)\n");
  for (guint r = 0; r < MAX (runs, 1); r++)
    {
      double a[N_STEPS], b[N_STEPS], ta = 0, tb = 0;

      run_ours (server, dir, r, a);
      run_tools (dir, r, b);
      for (guint s = 0; s < N_STEPS; s++)
        {
          g_array_append_val (ours[s], a[s]);
          g_array_append_val (tools[s], b[s]);
          ta += a[s];
          tb += b[s];
        }
      g_array_append_val (ours_total, ta);
      g_array_append_val (tools_total, tb);
      g_print ("%3u  %7.1f %7.1f %7.1f %7.1f  |  %7.1f %7.1f %7.1f %7.1f\n", r, a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
    }
  g_print ("\nmedian (ms)             ours   tools   ours/tools\n");
  for (guint s = 0; s < N_STEPS; s++)
    {
      double m = median (ours[s]), t = median (tools[s]);
      g_print ("%-20s %7.1f %7.1f   %5.2f\n", step_names[s], m, t, m / t);
    }
  {
    double m = median (ours_total), t = median (tools_total);
    g_print ("%-20s %7.1f %7.1f   %5.2f\n", "approved -> on key", m, t, m / t);
  }
  ek_api_server_free (server);
  ek_renewal_fixture_remove (dir);
  return 0;
}
