/* test-catalogue.c: the bundled catalogue, translations in data, and broken catalogues */
#include "config.h"

#include "ek-catalogue.h"
#include "ek-l10n.h"
#include "ek-test-common.h"

static const char * const expected_types[] = {
  "first-application", "first-application-offline", "renewal", "reissue", "additional-key", "pin-unlock",
  "cancellation", "add-credit-code", "mobile-authorization", "electronic-seal",
};

static void
test_default_lists_every_business_type (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  GListModel *types;

  g_assert_no_error (error);
  g_assert_nonnull (catalogue);

  types = ek_catalogue_get_business_types (catalogue);
  g_assert_cmpuint (g_list_model_get_n_items (types), ==, G_N_ELEMENTS (expected_types));
  for (guint i = 0; i < G_N_ELEMENTS (expected_types); i++)
    {
      g_autoptr(EkBusinessType) type = g_list_model_get_item (types, i);

      g_assert_cmpstr (ek_business_type_get_id (type), ==, expected_types[i]);
      g_assert_cmpstr (ek_business_type_get_name (type), !=, "");
      g_assert_cmpstr (ek_business_type_get_summary (type), !=, "");
      g_assert_cmpuint (ek_business_type_get_n_steps (type), >, 0);
      g_assert_true (ek_catalogue_lookup_business_type (catalogue, expected_types[i]) == type);
    }
  g_assert_null (ek_catalogue_lookup_business_type (catalogue, "no-such-business"));
}

static void
test_default_flows_follow_the_domain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkBusinessType *first, *renewal, *reissue;

  g_assert_no_error (error);

  /* First application: no key; account → … → status (seed 000) */
  first = ek_catalogue_lookup_business_type (catalogue, "first-application");
  g_assert_false (ek_business_type_get_key_required (first));
  g_assert_cmpstr (ek_business_type_get_step (first, 0)->id, ==, "account");
  g_assert_cmpstr (ek_business_type_get_step (first, ek_business_type_get_n_steps (first) - 1)->id, ==, "status");

  /* Renewal logs in with the key (DOMAIN.md) */
  renewal = ek_catalogue_lookup_business_type (catalogue, "renewal");
  g_assert_true (ek_business_type_get_key_required (renewal));
  g_assert_cmpstr (ek_business_type_get_step (renewal, 1)->id, ==, "key-login");

  /* Reissue is done on paper at the issuing authority */
  reissue = ek_catalogue_lookup_business_type (catalogue, "reissue");
  g_assert_cmpint (ek_business_type_get_mode (reissue), ==, EK_BUSINESS_MODE_OFFLINE);
}

static void
test_l10n_pick (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"en\": \"Renewal\", \"zh_CN\": \"延期更新\"}", NULL);
  g_autoptr(JsonNode) dashed = json_from_string ("{\"en\": \"Renewal\", \"zh-CN\": \"延期更新\"}", NULL);
  g_autoptr(JsonNode) no_en = json_from_string ("{\"zh_CN\": \"延期更新\"}", NULL);
  g_autoptr(JsonNode) empty = json_from_string ("{\"en\": \"\"}", NULL);
  const char * const zh[] = { "zh_CN.UTF-8", "zh_CN", "zh", "C", NULL };
  const char * const en[] = { "en_GB", "en", "C", NULL };
  const char * const fr[] = { "fr_FR", "fr", "C", NULL };

  g_assert_true (ek_l10n_is_valid (node));
  g_assert_cmpstr (ek_l10n_pick_for (node, zh), ==, "延期更新");
  g_assert_cmpstr (ek_l10n_pick_for (dashed, zh), ==, "延期更新");
  g_assert_cmpstr (ek_l10n_pick_for (node, en), ==, "Renewal");
  g_assert_cmpstr (ek_l10n_pick_for (node, fr), ==, "Renewal");
  g_assert_false (ek_l10n_is_valid (no_en));
  g_assert_false (ek_l10n_is_valid (empty));
}

#define STEPS "\"steps\": {\"form\": {\"title\": {\"en\": \"Form\"}}}"
#define TYPE(id, flow) "{\"id\": \"" id "\", \"name\": {\"en\": \"N\"}, \"summary\": {\"en\": \"S\"}, " \
                       "\"mode\": \"online\", \"key_required\": false, \"flow\": " flow "}"

static const struct
{
  const char *file;
  const char *contents;
  int code;
  const char *problem;  /* what the message must say, in English (the test runs untranslated) */
} broken[] = {
  { "not-json.json", "{ \"format\": 1, ", EK_CATALOGUE_ERROR_PARSE, "cannot be read" },
  { "empty.json", "", EK_CATALOGUE_ERROR_INVALID, "it is empty" },
  { "whitespace.json", "  \n ", EK_CATALOGUE_ERROR_PARSE, "cannot be read" },
  { "not-utf8.json", "{\"format\": 1, \"x\": \"\xff\xfe\"}", EK_CATALOGUE_ERROR_INVALID, "not UTF-8" },
  { "array.json", "[]", EK_CATALOGUE_ERROR_INVALID, "top level is not an object" },
  { "no-format.json", "{" STEPS ", \"business_types\": [" TYPE ("a", "[\"form\"]") "]}",
    EK_CATALOGUE_ERROR_INVALID, "“format” is missing" },
  { "future-format.json", "{\"format\": 2, " STEPS ", \"business_types\": []}",
    EK_CATALOGUE_ERROR_INVALID, "format 2 is not supported" },
  { "no-steps.json", "{\"format\": 1, \"business_types\": []}",
    EK_CATALOGUE_ERROR_INVALID, "“steps” is missing" },
  { "step-without-english.json", "{\"format\": 1, \"steps\": {\"form\": {\"title\": {\"zh_CN\": \"表\"}}}, \"business_types\": []}",
    EK_CATALOGUE_ERROR_INVALID, "step “form” has no title in English" },
  { "no-types.json", "{\"format\": 1, " STEPS ", \"business_types\": []}",
    EK_CATALOGUE_ERROR_INVALID, "“business_types” is missing or empty" },
  { "bad-id.json", "{\"format\": 1, " STEPS ", \"business_types\": [" TYPE ("Bad Id", "[\"form\"]") "]}",
    EK_CATALOGUE_ERROR_INVALID, "business type 1 has no valid “id”" },
  { "unknown-step.json", "{\"format\": 1, " STEPS ", \"business_types\": [" TYPE ("renewal", "[\"form\", \"teleport\"]") "]}",
    EK_CATALOGUE_ERROR_INVALID, "business type “renewal” names an unknown step “teleport”" },
  { "step-twice.json", "{\"format\": 1, " STEPS ", \"business_types\": [" TYPE ("renewal", "[\"form\", \"form\"]") "]}",
    EK_CATALOGUE_ERROR_INVALID, "names the step “form” twice" },
  { "empty-flow.json", "{\"format\": 1, " STEPS ", \"business_types\": [" TYPE ("renewal", "[]") "]}",
    EK_CATALOGUE_ERROR_INVALID, "has no “flow” of steps" },
  { "duplicate.json", "{\"format\": 1, " STEPS ", \"business_types\": [" TYPE ("a", "[\"form\"]") ", " TYPE ("a", "[\"form\"]") "]}",
    EK_CATALOGUE_ERROR_INVALID, "the business type “a” is listed twice" },
  { "bad-mode.json", "{\"format\": 1, " STEPS ", \"business_types\": [{\"id\": \"a\", \"name\": {\"en\": \"N\"}, "
    "\"summary\": {\"en\": \"S\"}, \"mode\": \"by-pigeon\", \"key_required\": false, \"flow\": [\"form\"]}]}",
    EK_CATALOGUE_ERROR_INVALID, "has no valid “mode”" },
  { "no-key-required.json", "{\"format\": 1, " STEPS ", \"business_types\": [{\"id\": \"a\", \"name\": {\"en\": \"N\"}, "
    "\"summary\": {\"en\": \"S\"}, \"mode\": \"online\", \"flow\": [\"form\"]}]}",
    EK_CATALOGUE_ERROR_INVALID, "must say whether the key is required" },
};

static void
test_broken_catalogue (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autofree char *path = ek_test_write_temp_file (broken[i].file, broken[i].contents, -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_from_file (file, &error);

  g_assert_null (catalogue);
  g_assert_error (error, EK_CATALOGUE_ERROR, broken[i].code);
  /* The message names the file and the problem */
  g_assert_nonnull (strstr (error->message, path));
  if (strstr (error->message, broken[i].problem) == NULL)
    g_error ("“%s” does not say “%s”", error->message, broken[i].problem);
}

static void
test_missing_file (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/catalogue.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_from_file (file, &error);

  g_assert_null (catalogue);
  g_assert_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/catalogue.json"));
}

static void
test_minimal_valid (void)
{
  const char *text = "{\"format\": 1, " STEPS ", \"business_types\": [" TYPE ("a", "[\"form\"]") "]}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_from_bytes (bytes, "inline", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ek_catalogue_get_business_types (catalogue)), ==, 1);
  g_assert_cmpstr (ek_catalogue_get_origin (catalogue), ==, "inline");
}

int
main (int   argc,
      char *argv[])
{
  /* Untranslated messages, whatever the machine's locale */
  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);

  g_test_add_func ("/catalogue/default/business-types", test_default_lists_every_business_type);
  g_test_add_func ("/catalogue/default/flows", test_default_flows_follow_the_domain);
  g_test_add_func ("/catalogue/l10n", test_l10n_pick);
  g_test_add_func ("/catalogue/minimal", test_minimal_valid);
  g_test_add_func ("/catalogue/broken/missing-file", test_missing_file);
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *name = g_strdup_printf ("/catalogue/broken/%s", broken[i].file);
      g_test_add_data_func (name, GUINT_TO_POINTER (i), test_broken_catalogue);
    }

  return g_test_run ();
}
