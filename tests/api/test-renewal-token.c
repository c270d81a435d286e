/* test-renewal-token.c: renewal written to a real token, against a real ekey-registry
 *
 * A SoftHSM2 token whose certificate the service's issuing CA issued 20 days before its expiry
 * (make-renewal-token.sh), a TLS ekey-registry with that CA, and ek-renew-driver running the same
 * core code as the wizard's update page. After every run — uninterrupted, the key pulled out
 * (the wrapping fault module), the service killed after issuing, the update killed at random
 * moments — the next attempt completes and the token holds exactly one valid certificate, with its
 * key, and no other key.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <p11-kit/p11-kit.h>
#include <signal.h>
#include <string.h>

#include "ek-api-client-renewal.h"
#include "ek-api-fixture.h"
#include "ek-renewal-fixture.h"
#include "ek-key-login.h"
#include "ek-test-common.h"
#include "ek-token-manager.h"


#define SOFTHSM EK_RENEWAL_FIXTURE_MODULE
#define LABEL EK_RENEWAL_FIXTURE_LABEL
#define USCC EK_RENEWAL_FIXTURE_USCC

static EkApiServer *server;
static char *dir;

/* ---- What is on the token (logged in, so private keys count too) ---- */

typedef struct
{
  GPtrArray *certificates;   /* GBytes DER */
  GPtrArray *certificate_ids;  /* hex */
  GPtrArray *private_ids;    /* hex */
  GPtrArray *public_ids;     /* hex */
} TokenState;

static void
token_state_clear (TokenState *state)
{
  g_clear_pointer (&state->certificates, g_ptr_array_unref);
  g_clear_pointer (&state->certificate_ids, g_ptr_array_unref);
  g_clear_pointer (&state->private_ids, g_ptr_array_unref);
  g_clear_pointer (&state->public_ids, g_ptr_array_unref);
}

static GBytes *
attribute (CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
  CK_ATTRIBUTE a = { type, NULL, 0 };
  guint8 *data;

  g_assert_cmpint (f->C_GetAttributeValue (s, o, &a, 1), ==, CKR_OK);
  data = g_malloc (a.ulValueLen + 1);
  a.pValue = data;
  g_assert_cmpint (f->C_GetAttributeValue (s, o, &a, 1), ==, CKR_OK);
  return g_bytes_new_take (data, a.ulValueLen);
}

static char *
hex (GBytes *bytes)
{
  GString *s = g_string_new (NULL);
  gsize n;
  const guint8 *p = g_bytes_get_data (bytes, &n);

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (s, "%02x", p[i]);
  return g_string_free (s, FALSE);
}

static void
read_token (TokenState *state)
{
  CK_FUNCTION_LIST *f = p11_kit_module_load (SOFTHSM, 0);
  CK_SLOT_ID slots[16];
  CK_ULONG n_slots = G_N_ELEMENTS (slots);
  CK_SESSION_HANDLE s = 0;
  gboolean found = FALSE;
  const CK_OBJECT_CLASS classes[] = { CKO_CERTIFICATE, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY };

  g_assert_nonnull (f);
  g_assert_cmpint (p11_kit_module_initialize (f), ==, CKR_OK);
  g_assert_cmpint (f->C_GetSlotList (CK_TRUE, slots, &n_slots), ==, CKR_OK);
  for (CK_ULONG i = 0; i < n_slots && !found; i++)
    {
      CK_TOKEN_INFO info;
      if (f->C_GetTokenInfo (slots[i], &info) == CKR_OK && strncmp ((char *) info.label, LABEL, strlen (LABEL)) == 0 &&
          info.label[strlen (LABEL)] == ' ')
        {
          g_assert_cmpint (f->C_OpenSession (slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s), ==, CKR_OK);
          found = TRUE;
        }
    }
  g_assert_true (found);
  g_assert_cmpint (f->C_Login (s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), ==, CKR_OK);
  state->certificates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  state->certificate_ids = g_ptr_array_new_with_free_func (g_free);
  state->private_ids = g_ptr_array_new_with_free_func (g_free);
  state->public_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    {
      CK_OBJECT_CLASS klass = classes[c];
      CK_ATTRIBUTE match = { CKA_CLASS, &klass, sizeof klass };
      CK_OBJECT_HANDLE objects[32];
      CK_ULONG n = 0;

      g_assert_cmpint (f->C_FindObjectsInit (s, &match, 1), ==, CKR_OK);
      g_assert_cmpint (f->C_FindObjects (s, objects, G_N_ELEMENTS (objects), &n), ==, CKR_OK);
      f->C_FindObjectsFinal (s);
      for (CK_ULONG i = 0; i < n; i++)
        {
          g_autoptr(GBytes) id = attribute (f, s, objects[i], CKA_ID);
          GPtrArray *ids = c == 0 ? state->certificate_ids : c == 1 ? state->private_ids : state->public_ids;

          g_ptr_array_add (ids, hex (id));
          if (c == 0)
            g_ptr_array_add (state->certificates, attribute (f, s, objects[i], CKA_VALUE));
        }
    }
  f->C_Logout (s);
  f->C_CloseSession (s);
  p11_kit_module_finalize (f);
  p11_kit_module_release (f);
}

static gnutls_x509_crt_t
import_der (GBytes *der)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t d = { (unsigned char *) g_bytes_get_data (der, NULL), (unsigned int) g_bytes_get_size (der) };

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER), ==, 0);
  return crt;
}

static char *
join_ids (GPtrArray *ids)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? "," : "", (const char *) ids->pdata[i]);
  return g_string_free (s, FALSE);
}

/* Exactly one certificate, valid now, issued by the service's CA, with its key pair and no other
 * key: what every run must end with. Returns its CKA_ID. */
static char *
assert_one_current_certificate (void)
{
  TokenState state = { 0 };
  gnutls_x509_crt_t crt, ca;
  g_autofree char *ca_path = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *ca_pem = NULL;
  gnutls_datum_t d;
  unsigned int status = 1;
  char *id;

  read_token (&state);
  {
    g_autofree char *c = join_ids (state.certificate_ids), *k = join_ids (state.private_ids), *p = join_ids (state.public_ids);
    g_test_message ("token: certificates %s; private keys %s; public keys %s", c, k, p);
  }
  g_assert_cmpuint (state.certificates->len, ==, 1);
  g_assert_cmpuint (state.private_ids->len, ==, 1);
  g_assert_cmpuint (state.public_ids->len, ==, 1);
  g_assert_cmpstr (state.private_ids->pdata[0], ==, state.certificate_ids->pdata[0]);
  g_assert_cmpstr (state.public_ids->pdata[0], ==, state.certificate_ids->pdata[0]);

  g_assert_true (g_file_get_contents (ca_path, &ca_pem, NULL, NULL));
  d.data = (unsigned char *) ca_pem;
  d.size = (unsigned int) strlen (ca_pem);
  gnutls_x509_crt_init (&ca);
  g_assert_cmpint (gnutls_x509_crt_import (ca, &d, GNUTLS_X509_FMT_PEM), ==, 0);
  crt = import_der (state.certificates->pdata[0]);
  g_assert_cmpint (gnutls_x509_crt_verify (crt, &ca, 1, 0, &status), ==, 0);
  g_assert_cmpuint (status, ==, 0);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_crt_deinit (ca);
  id = g_strdup (state.certificate_ids->pdata[0]);
  token_state_clear (&state);
  return id;
}

/* ---- The update, as a process ---- */

static GSubprocess *
driver_spawn (const char *module,
              const char *faults,
              const char *application,
              const char *algorithm,
              const char *journal)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *driver = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "api", "ek-renew-driver", NULL);
  GSubprocess *process;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "EK_RENEW_PIN", "123456", TRUE);
  g_subprocess_launcher_setenv (launcher, "EK_FAULT_WRAP_MODULE", SOFTHSM, TRUE);
  if (faults != NULL)
    g_subprocess_launcher_setenv (launcher, "EK_FAULT_WRAP", faults, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, driver, "--module", module, "--token", LABEL,
                                         "--journal", journal, "--url", server->base_url, "--ca", ek_api_tls ()->ca_cert,
                                         "--application", application, "--algorithm", algorithm, NULL);
  g_assert_no_error (error);
  return process;
}

static int
driver_run (const char *module,
            const char *faults,
            const char *application,
            const char *algorithm,
            const char *journal,
            char      **err_out)
{
  g_autoptr(GSubprocess) process = driver_spawn (module, faults, application, algorithm, journal);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("driver: %s%s", out, err);
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  return g_subprocess_get_exit_status (process);
}

static char *
journal_step (const char *journal)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!g_file_get_contents (journal, &text, NULL, NULL) || !json_parser_load_from_data (parser, text, -1, NULL))
    return g_strdup ("none");
  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "step"));
}

/* ---- Tests ---- */

static void
test_journey (void)
{
  g_autoptr(EkTokenManager) manager = ek_renewal_fixture_manager ();
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens (manager, NULL, NULL);
  EkToken *token = ek_renewal_fixture_find_token (tokens);
  EkCertificateInfo *old = g_ptr_array_index (ek_token_get_certificates (token), 0);
  g_autoptr(EkApiClient) client = ek_api_client_new (server->base_url, ek_api_tls ()->ca_cert, NULL);
  g_autofree char *pem = ek_certificate_info_dup_pem (old), *application = NULL, *out = NULL, *journal = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkRenewalEligibility) eligibility = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *cert;
  const char *argv[] = { "token", "list", "--module", SOFTHSM, "--only-listed", "--json", NULL };
  int status;

  g_assert_cmpstr (ek_certificate_info_get_uscc_status (old) == EK_USCC_ABSENT ? "absent" : "other", ==, "absent");

  /* A wrong PIN first: said plainly, with how the key now stands */
  {
    g_autoptr(EkSecret) wrong = ek_secret_new ("000000", -1);
    g_autoptr(EkKeySigner) signer = ek_key_signer_new (manager, token, old, wrong);
    g_assert_false (ek_api_client_login_with_key_sync (client, pem, ek_key_signer_sign, signer, NULL, &error));
    g_assert_error (error, EK_TOKEN_ERROR, CKR_PIN_INCORRECT);
    g_clear_error (&error);
    g_assert_false (ek_api_client_has_session (client));
  }
  {
    g_autoptr(GPtrArray) again = ek_token_manager_list_tokens (manager, NULL, NULL);
    g_assert_cmpint (ek_token_get_pin_state (ek_renewal_fixture_find_token (again)), ==, EK_PIN_STATE_COUNT_LOW);
  }
  {
    g_autoptr(EkSecret) pin = ek_secret_new ("123456", -1);
    g_autoptr(EkKeySigner) signer = ek_key_signer_new (manager, token, old, pin);
    g_assert_true (ek_api_client_login_with_key_sync (client, pem, ek_key_signer_sign, signer, NULL, &error));
    g_assert_no_error (error);
  }

  /* The service decides: eligible, and the renewal adds the 18-digit code it knows */
  eligibility = ek_api_client_get_renewal_eligibility_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (eligibility->eligible);
  g_assert_true (eligibility->adds_credit_code);
  g_assert_cmpstr (eligibility->subject, ==, "CN=9999400000560-LUOYUN,O=" USCC ",C=CN");

  application = ek_renewal_fixture_approved (server);
  journal = g_build_filename (dir, "journey.json", NULL);
  g_assert_cmpint (driver_run (SOFTHSM, NULL, application, "rsa-2048", journal, NULL), ==, 0);
  g_free (assert_one_current_certificate ());

  /* What the helpdesk's tool shows: one certificate, the new expiry, the 18-digit code valid */
  status = ek_test_run_tool (argv, &out, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  {
    JsonArray *certs = json_object_get_array_member (
      json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tokens"), 0),
      "certificates");
    g_assert_cmpuint (json_array_get_length (certs), ==, 1);
    cert = json_array_get_object_element (certs, 0);
  }
  g_assert_cmpint (json_object_get_int_member (cert, "days_left"), >, 700);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (cert, "uscc"), "status"), ==, "valid");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (cert, "uscc"), "value"), ==, USCC);
  g_assert_cmpstr (json_object_get_string_member (cert, "common_name"), ==, "9999400000560-LUOYUN");
  g_unlink (journal);
}

static void
test_key_pulled_out (void)
{
  const char *faults[] = { "remove-after-keygen", "remove-at-write", "remove-after-write" };
  const char *steps[] = { "key-generated", "issued", "written" };
  const char *wrap = g_getenv ("EK_FAULT_WRAP_PATH");

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *application = ek_renewal_fixture_approved (server);
      g_autofree char *journal = g_strdup_printf ("%s/pulled-%u.json", dir, i);
      g_autofree char *err = NULL, *step = NULL, *id = NULL;

      g_test_message ("key pulled out: %s", faults[i]);
      g_assert_cmpint (driver_run (wrap, faults[i], application, i % 2 ? "ec-p256" : "rsa-2048", journal, &err), ==, 1);
      /* the clerk is told plainly; the journal holds the last step done */
      g_assert_nonnull (strstr (err, "pulled out"));
      step = journal_step (journal);
      g_assert_cmpstr (step, ==, steps[i]);
      /* put back: the next attempt completes */
      g_assert_cmpint (driver_run (SOFTHSM, NULL, application, "rsa-2048", journal, NULL), ==, 0);
      id = assert_one_current_certificate ();
      g_unlink (journal);
    }
}

static void
test_service_killed_after_issuing (void)
{
  g_autofree char *application = ek_renewal_fixture_approved (server);
  g_autofree char *journal = g_build_filename (dir, "killed-service.json", NULL);
  g_autofree char *step = NULL, *err = NULL;
  const char *wrap = g_getenv ("EK_FAULT_WRAP_PATH");

  /* The certificate is issued and journaled, then the write fails and the service goes away */
  g_assert_cmpint (driver_run (wrap, "remove-at-write", application, "ec-p256", journal, NULL), ==, 1);
  step = journal_step (journal);
  g_assert_cmpstr (step, ==, "issued");
  ek_api_server_kill (server);
  /* The next attempt needs no service any more */
  g_assert_cmpint (driver_run (SOFTHSM, NULL, application, "ec-p256", journal, &err), ==, 0);
  g_free (assert_one_current_certificate ());
  ek_api_server_restart_same_port (server);
  g_unlink (journal);
}

/* SoftHSM's file store rewrites its token file (label, PIN data, flags) in place on every
 * log-in, so a kill at that moment can cut or tear the token file itself: something a hardware
 * key does not do, and not what this test is about. A torn file can keep its length, and a whole
 * one cannot be told from it, so whenever a killed run changed the file it is put back from the
 * copy taken before, and each time is reported; the key objects are never touched. */
static char *
token_file (void)
{
  g_autofree char *tokens = g_build_filename (dir, "tokens", NULL);
  g_autoptr(GDir) d = g_dir_open (tokens, 0, NULL);
  const char *name = d != NULL ? g_dir_read_name (d) : NULL;

  g_assert_nonnull (name);
  return g_build_filename (tokens, name, "token.object", NULL);
}

static void
test_random_kills (void)
{
  g_autofree char *token_path = token_file ();
  guint token_file_restored = 0;
  const guint wanted_kills = 20;
  guint kills = 0;
  GHashTable *landed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 typical = 600000;   /* µs, updated from the runs that finish */
  guint32 seed = g_test_rand_int ();
  GRand *rand = g_rand_new_with_seed (seed);

  /* the moments of the kills follow the test's --seed */
  g_test_message ("seed of the kills: %u", seed);
  /* until 20 kills landed before the update finished (at most 40 rounds) */
  for (guint i = 0; kills < wanted_kills && i < 2 * wanted_kills; i++)
    {
      g_autofree char *application = ek_renewal_fixture_approved (server);
      g_autofree char *journal = g_strdup_printf ("%s/kill-%u.json", dir, i);
      const char *algorithm = i % 2 ? "ec-p256" : "rsa-2048";
      g_autoptr(GSubprocess) process = NULL;
      gint64 delay = g_rand_int_range (rand, 0, (gint32) typical), start;
      g_autofree char *step = NULL, *where = NULL, *token_copy = NULL, *token_now = NULL;
      gsize copy_len = 0, now_len = 0;

      g_assert_true (g_file_get_contents (token_path, &token_copy, &copy_len, NULL));
      process = driver_spawn (SOFTHSM, NULL, application, algorithm, journal);
      g_usleep ((gulong) delay);
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, NULL);
      /* cut short or torn in place (same length, other bytes): put back */
      if (!g_file_get_contents (token_path, &token_now, &now_len, NULL) || now_len != copy_len ||
          memcmp (token_now, token_copy, copy_len) != 0)
        {
          g_assert_true (g_file_set_contents (token_path, token_copy, (gssize) copy_len, NULL));
          token_file_restored++;
        }
      kills += g_subprocess_get_if_signaled (process);
      step = journal_step (journal);
      where = g_strdup_printf ("%s%s", step, g_subprocess_get_if_signaled (process) ? "" : " (finished first)");
      g_hash_table_insert (landed, g_strdup (where), GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (landed, where)) + 1));
      g_test_message ("kill %u after %" G_GINT64_FORMAT " ms: journal at %s", i, delay / 1000, step);

      start = g_get_monotonic_time ();
      {
        g_autofree char *err = NULL;
        int status = driver_run (SOFTHSM, NULL, application, algorithm, journal, &err);

        if (status != 0)
          g_error ("the update did not complete after kill %u (journal at %s): %s", i, step, err);
      }
      /* the next kill falls somewhere in a whole update's time (kills land early: a resumed run
       * skips what was done) */
      typical = MAX (200000, (typical + (g_get_monotonic_time () - start)) / 2);
      g_free (assert_one_current_certificate ());
      g_unlink (journal);
    }
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, landed);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_test_message ("kills that left the journal at %s: %d", (char *) key, GPOINTER_TO_INT (value));
  }
  g_test_message ("SoftHSM's own token file changed by a killed run and put back: %u times", token_file_restored);
  g_assert_cmpuint (kills, >=, wanted_kills);
  g_hash_table_unref (landed);
  g_rand_free (rand);
}

static void
test_locked_pin (void)
{
  const char *fault = g_getenv ("EK_FAULT_MODULE");
  g_autofree char *cert_der = g_build_filename (dir, "user.der", NULL);
  const char *paths[] = { fault, NULL };
  g_autoptr(EkTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(EkApiClient) client = ek_api_client_new (server->base_url, ek_api_tls ()->ca_cert, NULL);
  g_autoptr(EkSecret) pin = ek_secret_new ("123456", -1);
  g_autoptr(GError) error = NULL;
  EkToken *token;
  EkCertificateInfo *cert;
  g_autofree char *pem = NULL;

  g_setenv ("EK_FAULT_PKCS11", "locked", TRUE);
  g_setenv ("EK_FAULT_PKCS11_CERT", cert_der, TRUE);
  manager = ek_token_manager_new (paths, EK_TOKEN_MANAGER_SKIP_REGISTERED);
  tokens = ek_token_manager_list_tokens (manager, NULL, NULL);
  g_assert_cmpuint (tokens->len, ==, 1);
  token = g_ptr_array_index (tokens, 0);
  g_assert_cmpint (ek_token_get_pin_state (token), ==, EK_PIN_STATE_LOCKED);
  cert = g_ptr_array_index (ek_token_get_certificates (token), 0);
  pem = ek_certificate_info_dup_pem (cert);
  {
    g_autoptr(EkKeySigner) signer = ek_key_signer_new (manager, token, cert, pin);
    g_assert_false (ek_api_client_login_with_key_sync (client, pem, ek_key_signer_sign, signer, NULL, &error));
  }
  /* the page leads a locked key to PIN unlock on this error */
  g_assert_error (error, EK_TOKEN_ERROR, CKR_PIN_LOCKED);
  g_unsetenv ("EK_FAULT_PKCS11");
  g_unsetenv ("EK_FAULT_PKCS11_CERT");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ek_test_init (&argc, &argv);
  gnutls_global_init ();
  server = ek_renewal_fixture_start (&dir);
  g_test_add_func ("/renewal-token/journey", test_journey);
  g_test_add_func ("/renewal-token/key-pulled-out", test_key_pulled_out);
  g_test_add_func ("/renewal-token/service-killed-after-issuing", test_service_killed_after_issuing);
  g_test_add_func ("/renewal-token/random-kills", test_random_kills);
  g_test_add_func ("/renewal-token/locked-pin", test_locked_pin);
  status = g_test_run ();

  ek_api_server_free (server);
  ek_renewal_fixture_remove (dir);
  g_free (dir);
  gnutls_global_deinit ();
  return status;
}
