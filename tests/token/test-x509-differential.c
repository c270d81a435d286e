/* test-x509-differential.c: our DER reader (ek-x509.c) against gnutls, the reader it replaced
 *
 * Every certificate the test suites make (the tokens' certificates, a variety of key and string
 * types from make-x509-variety.sh) and every file of the certificate fuzz corpus is read by both;
 * whatever gnutls reads, ours must read to the same fields, byte for byte. In the fuzz corpus,
 * ours may refuse malformed DER that gnutls reads anyway, and read what gnutls refuses for an
 * extension's contents (tests/fuzz/fuzz-certificate.c says why); both are counted and shown.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ek-test-common.h"
#include "ek-x509-gnutls.h"
#include "token-fixture.h"

static char *
describe_attributes (GPtrArray *attributes)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (attributes, i);

      g_string_append_printf (s, "%s|%s|%s\n", a->oid, a->name, a->value);
    }
  return g_string_free (s, FALSE);
}

/* Every field as text, to compare and to show */
static char *
describe (const EkX509 *x)
{
  g_autofree char *subject = describe_attributes (x->subject_attributes);
  g_autofree char *issuer = describe_attributes (x->issuer_attributes);
  g_autofree char *usage = g_strjoinv (",", x->key_usage);

  return g_strdup_printf ("subject: %s\nissuer: %s\nserial: %s\nvalidity: %" G_GINT64_FORMAT
                          " %" G_GINT64_FORMAT "\nkey: %s %u\nsignature: %s\nkey usage: %s\n"
                          "subject attributes:\n%sissuer attributes:\n%s",
                          x->subject, x->issuer, x->serial, x->not_before, x->not_after,
                          x->key_algorithm, x->key_bits, x->signature_algorithm, usage,
                          subject, issuer);
}

typedef struct
{
  guint compared;
  guint both_refused;
  guint ours_stricter;
  guint gnutls_stricter;
} Tally;

/* @strict: a file made by a real tool, which both must read */
static void
compare_file (const char *path,
              gboolean    strict,
              Tally      *tally)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *reason = NULL;
  gsize size;
  g_autoptr(EkX509) theirs = NULL;
  g_autoptr(EkX509) ours = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &size, &error));
  theirs = ek_x509_gnutls_parse ((const guint8 *) contents, size, &reason);
  ours = ek_x509_parse ((const guint8 *) contents, size, &error);
  if (theirs == NULL)
    {
      g_assert_false (strict);
      if (ours != NULL)
        {
          g_test_message ("%s: ours reads it, gnutls refuses: %s", path, reason);
          tally->gnutls_stricter++;
          return;
        }
      g_assert_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_INVALID);
      tally->both_refused++;
      return;
    }
  if (ours == NULL)
    {
      g_test_message ("%s: gnutls reads it, ours refuses: %s", path, error->message);
      g_assert_false (strict);
      g_assert_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_INVALID);
      tally->ours_stricter++;
      return;
    }
  {
    g_autofree char *a = describe (theirs);
    g_autofree char *b = describe (ours);

    if (!g_str_equal (a, b))
      g_test_message ("%s:\n--- gnutls\n%s--- ours\n%s", path, a, b);
    g_assert_cmpstr (a, ==, b);
  }
  tally->compared++;
}

static void
compare_folder (const char *folder,
                const char *suffix,
                gboolean    strict,
                Tally      *tally)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (suffix == NULL || g_str_has_suffix (name, suffix))
      {
        g_autofree char *path = g_build_filename (folder, name, NULL);

        compare_file (path, strict, tally);
      }
}

/* The tokens' certificates: RSA, EC, SM2, BMPString, expired, organisation code */
static void
test_token_certificates (void)
{
  g_autofree char *certs = g_build_filename (token_fixture_setup (), "certs", NULL);
  Tally tally = { 0 };

  compare_folder (certs, ".der", TRUE, &tally);
  g_assert_cmpuint (tally.compared, >=, 5);
}

static void
test_variety (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ek-x509-XXXXXX", &error);
  g_autofree char *script = g_build_filename (ek_test_source_root (), "tests", "token",
                                              "make-x509-variety.sh", NULL);
  g_autofree char *err = NULL;
  g_autofree char *cleanup = NULL;
  const char *argv[] = { script, dir, NULL };
  Tally tally = { 0 };
  int status = 0;

  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("make-x509-variety.sh failed: %s", err);
  compare_folder (dir, ".der", TRUE, &tally);
  g_assert_cmpuint (tally.compared, >=, 19);

  cleanup = g_strdup_printf ("rm -rf '%s'", dir);
  g_spawn_command_line_sync (cleanup, NULL, NULL, NULL, NULL);
}

/* The fuzz corpus: real CA roots, and inputs the fuzzer found (mostly broken DER) */
static void
test_fuzz_corpus (void)
{
  g_autofree char *corpus = g_build_filename (ek_test_source_root (), "tests", "fuzz", "corpus",
                                              "certificate", NULL);
  Tally tally = { 0 };

  compare_folder (corpus, NULL, FALSE, &tally);
  g_test_message ("corpus: %u read alike, %u refused by both, %u refused by ours only, %u by gnutls only",
                  tally.compared, tally.both_refused, tally.ours_stricter, tally.gnutls_stricter);
  g_assert_cmpuint (tally.compared, >=, 8);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  g_test_add_func ("/x509/token-certificates", test_token_certificates);
  g_test_add_func ("/x509/variety", test_variety);
  g_test_add_func ("/x509/fuzz-corpus", test_fuzz_corpus);
  return g_test_run ();
}
