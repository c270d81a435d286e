/* test-json-writer.c: EkJsonWriter writes what json-glib wrote for `token list --json`
 *
 * Scripts read that output, and helpdesk staff compare it by eye: the switch away from json-glib
 * must not change a byte. The same documents are built with both, and compared.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "ek-json-writer.h"
#include "ek-test-common.h"

/* Every ASCII byte, quotes and backslashes, Chinese, and a string that starts with a space */
static char *
tricky_string (void)
{
  GString *s = g_string_new (NULL);

  for (int c = 1; c < 0x80; c++)
    g_string_append_c (s, (char) c);
  g_string_append (s, "\"\\/ 罗云 — ✓ ⚠ ✗ 𝄞");
  return g_string_free (s, FALSE);
}

static char *
with_json_glib (const char *tricky)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tokens");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, tricky);
  json_builder_set_member_name (builder, tricky);
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "slot_id");
  json_builder_add_int_value (builder, G_MININT64);
  json_builder_set_member_name (builder, "flags");
  json_builder_add_int_value (builder, 1037);
  json_builder_set_member_name (builder, "expired");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "locked");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "instead");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "nested");
  json_builder_begin_array (builder);
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "");
  json_builder_end_array (builder);
  json_builder_add_null_value (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "module_errors");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static char *
with_writer (const char *tricky)
{
  g_autoptr(EkJsonWriter) builder = ek_json_writer_new ();

  ek_json_writer_begin_object (builder);
  ek_json_writer_set_member_name (builder, "tokens");
  ek_json_writer_begin_array (builder);
  ek_json_writer_begin_object (builder);
  ek_json_writer_set_member_name (builder, "label");
  ek_json_writer_add_string_value (builder, tricky);
  ek_json_writer_set_member_name (builder, tricky);
  ek_json_writer_add_null_value (builder);
  ek_json_writer_set_member_name (builder, "slot_id");
  ek_json_writer_add_int_value (builder, G_MININT64);
  ek_json_writer_set_member_name (builder, "flags");
  ek_json_writer_add_int_value (builder, 1037);
  ek_json_writer_set_member_name (builder, "expired");
  ek_json_writer_add_boolean_value (builder, FALSE);
  ek_json_writer_set_member_name (builder, "locked");
  ek_json_writer_add_boolean_value (builder, TRUE);
  ek_json_writer_set_member_name (builder, "problems");
  ek_json_writer_begin_array (builder);
  ek_json_writer_end_array (builder);
  ek_json_writer_set_member_name (builder, "instead");
  ek_json_writer_begin_object (builder);
  ek_json_writer_end_object (builder);
  ek_json_writer_set_member_name (builder, "nested");
  ek_json_writer_begin_array (builder);
  ek_json_writer_begin_array (builder);
  ek_json_writer_add_string_value (builder, "");
  ek_json_writer_end_array (builder);
  ek_json_writer_add_null_value (builder);
  ek_json_writer_end_array (builder);
  ek_json_writer_end_object (builder);
  ek_json_writer_end_array (builder);
  ek_json_writer_set_member_name (builder, "module_errors");
  ek_json_writer_begin_array (builder);
  ek_json_writer_end_array (builder);
  ek_json_writer_end_object (builder);
  return g_strdup (ek_json_writer_get_text (builder));
}

static void
test_same_as_json_glib (void)
{
  g_autofree char *tricky = tricky_string ();
  g_autofree char *expected = with_json_glib (tricky);
  g_autofree char *written = with_writer (tricky);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (written, ==, expected);
  /* and it is JSON that reads back to the same string */
  g_assert_true (json_parser_load_from_data (parser, written, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tokens"), 0),
                     "label"), ==, tricky);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  g_test_add_func ("/json-writer/same-as-json-glib", test_same_as_json_glib);
  return g_test_run ();
}
