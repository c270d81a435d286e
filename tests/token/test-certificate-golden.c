/* test-certificate-golden.c: what a clerk sees of each certificate, held as JSON
 *
 * tests/token/certificates/NAME.der is read by `ekey-tool cert show --json`, and the output must
 * be NAME.json, field for field: a gnutls upgrade (or any change to the reader) that changes a
 * subject, a value, a key or signature name, a date or a key usage fails here. The certificates:
 * token-* as make-tokens.sh makes them for the tokens, variety-* from make-x509-variety.sh (every
 * key type, string type and DN shape), root-* real CA roots, and keyusage-unused-8 (a key usage
 * with 8 unused bits, which readers have disagreed on).
 * days_left and expired depend on today: they are checked against not_after, not stored.
 * A new golden file: run the command, drop those two members.
 *
 * Every file of the certificate fuzz corpus, most of them broken DER, ends in a model or in a
 * certificate error.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ek-certificate-info.h"
#include "ek-test-common.h"
#include "token-fixture.h"

/* Whole days from @now until @not_after, as the model counts them */
static gint64
days_until (GDateTime *not_after,
            GDateTime *now)
{
  GTimeSpan span = g_date_time_difference (not_after, now);

  if (span < 0)
    return -((-span + G_TIME_SPAN_DAY - 1) / G_TIME_SPAN_DAY);
  return span / G_TIME_SPAN_DAY;
}

static char *
to_text (JsonNode *node)
{
  return json_to_string (node, TRUE);
}

static void
check_certificate (const char *der_path,
                   const char *json_path)
{
  const char *argv[] = { g_getenv ("EK_TOOL"), "cert", "show", der_path, "--json", NULL };
  g_autofree char *out = NULL, *err = NULL, *golden_text = NULL;
  g_autoptr(JsonNode) shown = NULL, golden = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gint64 days_left;

  g_assert_cmpint (token_fixture_run (argv, &out, &err), ==, 0);
  after = g_date_time_new_now_utc ();
  shown = json_from_string (out, &error);
  g_assert_no_error (error);
  object = json_node_get_object (shown);

  /* Today's figures: between what the test's clock said before and after the run */
  not_after = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "not_after"), NULL);
  g_assert_nonnull (not_after);
  days_left = json_object_get_int_member (object, "days_left");
  g_assert_cmpint (days_left, <=, days_until (not_after, before));
  g_assert_cmpint (days_left, >=, days_until (not_after, after));
  g_assert_true (json_object_get_boolean_member (object, "expired") == (days_left < 0));
  json_object_remove_member (object, "days_left");
  json_object_remove_member (object, "expired");

  g_assert_true (g_file_get_contents (json_path, &golden_text, NULL, &error));
  golden = json_from_string (golden_text, &error);
  g_assert_no_error (error);
  if (!json_node_equal (shown, golden))
    {
      g_autofree char *a = to_text (golden);
      g_autofree char *b = to_text (shown);

      g_test_message ("%s:\n--- expected (%s)\n%s\n--- shown\n%s", der_path, json_path, a, b);
      g_test_fail ();
    }
}

static void
test_golden (void)
{
  g_autofree char *folder = g_build_filename (ek_test_source_root (), "tests", "token", "certificates", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &error);
  const char *name;
  guint checked = 0, tokens = 0, variety = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".der"))
      {
        g_autofree char *der = g_build_filename (folder, name, NULL);
        g_autofree char *stem = g_strndup (der, strlen (der) - strlen (".der"));
        g_autofree char *json = g_strconcat (stem, ".json", NULL);

        g_assert_true (g_file_test (json, G_FILE_TEST_IS_REGULAR));
        check_certificate (der, json);
        checked++;
        tokens += g_str_has_prefix (name, "token-");
        variety += g_str_has_prefix (name, "variety-");
      }
  g_assert_cmpuint (tokens, >=, 5);
  g_assert_cmpuint (variety, >=, 19);
  g_assert_cmpuint (checked, >=, 28);
}

/* The fuzz corpus: real CA roots, and inputs the fuzzer found (mostly broken DER) */
static void
test_fuzz_corpus (void)
{
  g_autofree char *corpus = g_build_filename (ek_test_source_root (), "tests", "fuzz", "corpus",
                                              "certificate", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (corpus, 0, &error);
  const char *name;
  guint read = 0, refused = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (corpus, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(EkCertificateInfo) info = ek_certificate_info_new_from_file (file, NULL, &error);

      if (info != NULL)
        {
          g_assert_true (g_utf8_validate (ek_certificate_info_get_subject (info), -1, NULL));
          g_assert_nonnull (ek_certificate_info_get_key_algorithm (info));
          read++;
        }
      else
        {
          g_assert_true (error->domain == EK_CERTIFICATE_ERROR);
          g_assert_cmpstr (error->message, !=, "");
          refused++;
        }
      g_clear_error (&error);
    }
  g_test_message ("corpus: %u read, %u refused", read, refused);
  g_assert_cmpuint (read, >=, 8);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  g_test_add_func ("/certificate/golden", test_golden);
  g_test_add_func ("/certificate/fuzz-corpus", test_fuzz_corpus);
  return g_test_run ();
}
