/* test-tool.c: ekey-tool as scripts use it */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ek-test-common.h"

static void
test_catalogue_json (void)
{
  const char * const args[] = { "catalogue", "--json", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *types;

  g_assert_cmpint (ek_test_run_tool (args, &out, &err), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  types = json_object_get_array_member (json_node_get_object (root), "business_types");
  g_assert_cmpuint (json_array_get_length (types), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 0), "id"),
                   ==, "first-application");
  /* Renewal, after the two first applications (online, at the counter), needs the key */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 2), "id"), ==, "renewal");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (types, 2), "key_required"));
}

static void
test_catalogue_broken_file (void)
{
  g_autofree char *path = ek_test_write_temp_file ("broken.json", "{", -1);
  const char * const args[] = { "catalogue", "--file", path, NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (ek_test_run_tool (args, &out, &err), !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, path));
}

static void
test_unknown_command (void)
{
  const char * const args[] = { "teleport", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (ek_test_run_tool (args, &out, &err), !=, 0);
  g_assert_nonnull (strstr (err, "unknown command “teleport”"));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);

  g_test_add_func ("/tool/catalogue/json", test_catalogue_json);
  g_test_add_func ("/tool/catalogue/broken-file", test_catalogue_broken_file);
  g_test_add_func ("/tool/unknown-command", test_unknown_command);

  return g_test_run ();
}
