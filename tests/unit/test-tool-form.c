/* test-tool-form.c: ekey-tool form check, on drafts saved in a temporary XDG_DATA_HOME */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "ek-draft-store.h"
#include "ek-test-common.h"

static char *
save_draft (gboolean complete)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  static const char * const values[][2] = {
    { "enterprise-name", "北京测试企业" }, { "credit-code", "91110000600037341N" },
    { "licence-type", "electromechanical" }, { "legal-rep-name", "李东" },
    { "legal-rep-id-type", "resident-id" }, { "legal-rep-id-number", "110102199101010078" },
    { "user-name", "王强" }, { "user-id-type", "resident-id" },
    { "user-id-number", "11010519491231002X" }, { "login-name", "WANGQIANG" },
    { "email", "wangqiang@example.com" }, { "mobile", "18910123221" },
    { "contact-address", "北京技术开发区荣华中路11号" }, { "postcode", "100176" },
    { "authority-id", "beijing" },
  };

  ek_application_draft_set_business_type_id (draft, "first-application");
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    ek_application_draft_set_string (draft, values[i][0], values[i][1]);
  if (!complete)
    {
      ek_application_draft_set_string (draft, "mobile", "1891012322");
      ek_application_draft_set_string (draft, "postcode", NULL);
    }
  g_assert_true (ek_draft_store_save (store, draft, &error));
  g_assert_no_error (error);
  return g_strdup (ek_application_draft_get_id (draft));
}

static void
test_check (void)
{
  g_autofree char *complete = save_draft (TRUE);
  g_autofree char *incomplete = save_draft (FALSE);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *problems;

  /* Only the warning on the credit code's check character: nothing blocks */
  g_assert_cmpint (ek_test_run_tool ((const char * const[]) { "form", "check", complete, "--json", NULL }, &out, &err), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (object, "complete"));
  problems = json_object_get_array_member (object, "problems");
  g_assert_cmpuint (json_array_get_length (problems), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 0), "server_field"), ==, "uscc");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 0), "validity"), ==, "warning");
  /* ID numbers never printed */
  g_assert_null (strstr (out, "11010519491231002X"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&root, json_node_unref);

  /* A wrong mobile and a missing postcode block, each named with its step */
  g_assert_cmpint (ek_test_run_tool ((const char * const[]) { "form", "check", incomplete, "--json", NULL }, &out, &err), ==, 1);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_false (json_object_get_boolean_member (object, "complete"));
  problems = json_object_get_array_member (object, "problems");
  g_assert_cmpuint (json_array_get_length (problems), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 1), "field"), ==, "mobile");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 1), "step"), ==, "form-contact");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (problems, 2), "field"), ==, "postcode");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A draft that does not exist: a plain error */
  g_assert_cmpint (ek_test_run_tool ((const char * const[]) { "form", "check", "0b6f6a0e-2a5a-4c53-9d0b-1f0a4bb0c0de", NULL },
                             &out, &err), !=, 0);
  g_assert_nonnull (strstr (err, "ekey-tool draft list"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("ek-tool-form-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);

  g_test_add_func ("/tool/form-check", test_check);

  return g_test_run ();
}
