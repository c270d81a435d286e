/* test-tool-draft.c: ekey-tool draft, document and workdays, as a helpdesk script uses them */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-test-common.h"

#define SAMPLE_ID "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"

static char *home;

/* Runs ekey-tool; returns its exit status, with stdout and stderr */
static int
tool (char       **out,
      char       **err,
      const char  *first,
      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("EK_TOOL"));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  env = g_environ_setenv (env, "XDG_DATA_HOME", home, TRUE);
  env = g_environ_setenv (env, "LANGUAGE", "en", TRUE);
  g_spawn_sync (NULL, (char **) argv->pdata, env, 0, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_workdays (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (tool (&out, &err, "workdays", "add", "2026-02-13", "5", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "2026-02-27\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (tool (&out, &err, "workdays", "add", "2025-01-24", "2", "--json", NULL), ==, 0);
  result = parse_object (out);
  g_assert_cmpstr (json_object_get_string_member (result, "date"), ==, "2025-01-27");
  g_assert_false (json_object_get_boolean_member (result, "estimate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&result, json_object_unref);

  /* Past the published years, the answer says it is an estimate */
  g_assert_cmpint (tool (&out, &err, "workdays", "add", "2026-12-31", "2", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "2027-01-04"));
  g_assert_nonnull (strstr (out, "estimate, holidays unknown"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "workdays", "add", "2026-12-31", "2", "--json", NULL), ==, 0);
  result = parse_object (out);
  g_assert_true (json_object_get_boolean_member (result, "estimate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A wrong date is explained */
  g_assert_cmpint (tool (&out, &err, "workdays", "add", "2026-02-30", "2", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "“2026-02-30” is not a date"));
}

static void
test_drafts (void)
{
  g_autofree char *sample = g_test_build_filename (G_TEST_DIST, "api", "data", "draft-sample.json", NULL);
  g_autofree char *pdf = ek_test_artifact_path ("tool-forms.pdf");
  g_autofree char *folder = g_build_filename (home, "ekey-assistant", "drafts", SAMPLE_ID, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) shown = NULL;
  JsonObject *fields, *first;

  g_assert_cmpint (tool (&out, &err, "draft", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No applications in progress"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (tool (&out, &err, "draft", "import", sample, NULL), ==, 0);
  g_assert_cmpstr (out, ==, SAMPLE_ID "\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A second import would overwrite it: refused unless asked for */
  g_assert_cmpint (tool (&out, &err, "draft", "import", sample, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "--replace"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "draft", "import", "--replace", sample, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (tool (&out, &err, "draft", "list", "--json", NULL), ==, 0);
  list = parse_object (out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "drafts")), ==, 1);
  first = json_array_get_object_element (json_object_get_array_member (list, "drafts"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, SAMPLE_ID);
  g_assert_cmpstr (json_object_get_string_member (first, "enterprise_name"), ==, "北京测试科技有限公司");
  g_assert_false (json_object_get_boolean_member (first, "damaged"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Shown with the ID numbers masked, in text and in JSON */
  g_assert_cmpint (tool (&out, &err, "draft", "show", SAMPLE_ID, NULL), ==, 0);
  g_assert_null (strstr (out, "11010519491231002X"));
  g_assert_null (strstr (out, "110102199101010078"));
  g_assert_nonnull (strstr (out, "110*************2X"));
  g_assert_nonnull (strstr (out, "北京市商务局"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "draft", "show", SAMPLE_ID, "--json", NULL), ==, 0);
  g_assert_null (strstr (out, "11010519491231002X"));
  shown = parse_object (out);
  fields = json_object_get_object_member (shown, "fields");
  g_assert_cmpstr (json_object_get_string_member (fields, "user-id-number"), ==, "110*************78");
  g_assert_true (json_object_get_boolean_member (fields, "tick-first-application"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The forms of that draft */
  g_assert_cmpint (tool (&out, &err, "document", "render", SAMPLE_ID, pdf, NULL), ==, 0);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "document", "render", SAMPLE_ID, pdf, "--only", "seal", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "“form” or “letter”"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Delete takes the folder with it */
  g_assert_cmpint (tool (&out, &err, "draft", "delete", SAMPLE_ID, NULL), ==, 0);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "draft", "show", SAMPLE_ID, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "no saved application"));
}

static void
test_damaged (void)
{
  g_autofree char *folder = g_build_filename (home, "ekey-assistant", "drafts", SAMPLE_ID, NULL);
  g_autofree char *file = g_build_filename (folder, "draft.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "{\"format\": 1, \"id\": \"" SAMPLE_ID "\", \"fie", -1, NULL));

  /* Shown as damaged, with where it was put, and the tool does not fail */
  g_assert_cmpint (tool (&out, &err, "draft", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "set aside"));
  g_assert_nonnull (strstr (out, "draft.json.damaged-"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "draft", "show", SAMPLE_ID, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "set aside"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tool (&out, &err, "draft", "delete", SAMPLE_ID, NULL), ==, 0);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Not an id at all */
  g_assert_cmpint (tool (&out, &err, "draft", "delete", "../../etc", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "draft list"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);
  home = g_dir_make_tmp ("ek-tool-draft-XXXXXX", NULL);

  g_test_add_func ("/tool/workdays", test_workdays);
  g_test_add_func ("/tool/drafts", test_drafts);
  g_test_add_func ("/tool/damaged", test_damaged);

  status = g_test_run ();

  /* Leave nothing behind in /tmp */
  {
    const char *rm[] = { "rm", "-rf", home, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return status;
}
