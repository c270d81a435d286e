/* test-material-tool.c: `ekey-tool material` and `ekey-tool scan` as scripts use them
 *
 * The JSON keys and problem codes are a promise to scripts: these tests pin them.
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include "ek-image.h"
#include "ek-test-common.h"
#include "ek-test-images.h"

static char *tmpdir;

static char *
write_file (const char *name,
            GBytes     *bytes)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_assert_true (ek_test_write_file (path, bytes));
  return path;
}

static JsonObject *
check_json (const char *path,
            const char *max_bytes,
            int         expected_status)
{
  const char * const args[] = { "material", "check", path, "--max-bytes", max_bytes, "--json", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;

  g_assert_cmpint (ek_test_run_tool (args, &out, &err), ==, expected_status);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  object = json_object_ref (json_node_get_object (root));
  json_node_unref (root);
  /* Every key, always */
  for (guint i = 0; i < 7; i++)
    {
      const char *keys[] = { "path", "format", "width", "height", "bytes", "ok", "problems" };
      g_assert_true (json_object_has_member (object, keys[i]));
    }
  g_assert_cmpstr (json_object_get_string_member (object, "path"), ==, path);
  return object;
}

static const char *
first_code (JsonObject *object)
{
  JsonArray *problems = json_object_get_array_member (object, "problems");
  JsonObject *problem;

  g_assert_cmpuint (json_array_get_length (problems), >=, 1);
  problem = json_array_get_object_element (problems, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (problem, "message")), >, 10);
  return json_object_get_string_member (problem, "code");
}

static void
test_check (void)
{
  g_autoptr(EkImage) page = ek_test_render_page (EK_TEST_PAGE_SEALED, 150, 2, NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (page, 90, FALSE, NULL);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) half = g_bytes_new_from_bytes (jpeg, 0, g_bytes_get_size (jpeg) / 2);
  g_autoptr(GBytes) pdf = g_bytes_new_static ("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", 36);
  g_autofree char *good = write_file ("page.jpg", jpeg);
  g_autofree char *nothing = write_file ("empty.jpg", empty);
  g_autofree char *cut = write_file ("cut.jpg", half);
  g_autofree char *renamed = write_file ("really-a-pdf.jpg", pdf);
  g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (jpeg));
  JsonObject *object;

  object = check_json (good, size, 0);
  g_assert_true (json_object_get_boolean_member (object, "ok"));
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "jpeg");
  g_assert_cmpint (json_object_get_int_member (object, "width"), ==, page->width);
  g_assert_cmpint (json_object_get_int_member (object, "height"), ==, page->height);
  g_assert_cmpint (json_object_get_int_member (object, "bytes"), ==, g_bytes_get_size (jpeg));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "problems")), ==, 0);
  json_object_unref (object);

  object = check_json (good, "10000", 1);
  g_assert_cmpstr (first_code (object), ==, "too-large");
  json_object_unref (object);
  object = check_json (nothing, "10000", 1);
  g_assert_cmpstr (first_code (object), ==, "empty");
  json_object_unref (object);
  object = check_json (cut, "10000000", 1);
  g_assert_cmpstr (first_code (object), ==, "truncated");
  json_object_unref (object);
  object = check_json (renamed, "10000000", 1);
  g_assert_cmpstr (first_code (object), ==, "format-not-allowed");
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "pdf");
  json_object_unref (object);

  g_unlink (good);
  g_unlink (nothing);
  g_unlink (cut);
  g_unlink (renamed);
}

static void
test_fit (void)
{
  g_autoptr(EkImage) page = ek_test_render_page (EK_TEST_PAGE_SEALED, 300, 4, NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (page, 92, FALSE, NULL);
  g_autoptr(EkImage) noise = ek_test_render_noise (1300, 1300, 4);
  g_autoptr(GBytes) noise_png = ek_image_encode_png (noise, NULL);
  g_autofree char *in = write_file ("scan.jpg", jpeg);
  g_autofree char *mush = write_file ("noise.png", noise_png);
  g_autofree char *out = g_build_filename (tmpdir, "fitted.jpg", NULL);
  g_autofree char *no_out = g_build_filename (tmpdir, "never.jpg", NULL);
  const char * const args[] = { "material", "fit", in, out, "--max-bytes", "204800", "--json", NULL };
  const char * const refuse[] = { "material", "fit", mush, no_out, "--max-bytes", "20000", NULL };
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  g_autofree char *refuse_out = NULL, *refuse_err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  GStatBuf st;

  g_assert_cmpint (ek_test_run_tool (args, &stdout_text, &stderr_text), ==, 0);
  root = json_from_string (stdout_text, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (object, "ok"));
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "jpeg");
  g_assert_cmpint (json_object_get_int_member (object, "bytes"), <=, 204800);
  g_assert_cmpint (json_object_get_int_member (object, "width"), <=, page->width);
  g_assert_cmpint (json_object_get_int_member (object, "height"), <=, page->height);
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, json_object_get_int_member (object, "bytes"));

  /* Refused: non-zero, the reason on stderr, and no OUT left behind */
  g_assert_cmpint (ek_test_run_tool (refuse, &refuse_out, &refuse_err), !=, 0);
  g_assert_nonnull (strstr (refuse_err, "unreadable"));
  g_assert_false (g_file_test (no_out, G_FILE_TEST_EXISTS));

  g_unlink (in);
  g_unlink (mush);
  g_unlink (out);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  ek_test_init (&argc, &argv);
  g_setenv ("LANGUAGE", "en", TRUE);   /* the messages the tests read */
  tmpdir = g_dir_make_tmp ("ek-tool-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/material-tool/check-json", test_check);
  g_test_add_func ("/material-tool/fit", test_fit);
  result = g_test_run ();
  ek_test_images_shutdown ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return result;
}
