/* test-material-rules.c: the bundled catalogue's material rules, and broken ones */
#include "config.h"

#include "ek-material-rules.h"
#include "ek-test-common.h"

static EkMaterialRules *
rules_for (const char *rule_set)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkMaterialRules *rules;

  g_assert_no_error (error);
  rules = ek_material_rules_new (catalogue, rule_set, &error);
  g_assert_no_error (error);
  return rules;
}

static void
test_both_rule_sets (void)
{
  g_autoptr(EkMaterialRules) small = rules_for ("gfa-200kb");
  g_autoptr(EkMaterialRules) large = rules_for ("gfa-1mb");
  g_autoptr(EkMaterialRules) fallback = rules_for (NULL);
  const EkMaterialRequirement *form_small = ek_material_rules_lookup (small, "first-application", "application-form");
  const EkMaterialRequirement *form_large = ek_material_rules_lookup (large, "first-application", "application-form");

  g_assert_cmpstr (ek_material_rules_get_id (fallback), ==, "gfa-200kb");
  g_assert_nonnull (form_small);
  g_assert_nonnull (form_large);
  /* "< 200 KB" (seeds 001, 004) and "≤ 1 MB" (seed 000) */
  g_assert_cmpuint (form_small->limits.max_bytes, ==, 200 * 1024 - 1);
  g_assert_cmpuint (form_large->limits.max_bytes, ==, 1024 * 1024);
  g_assert_cmpuint (form_small->limits.formats, ==,
                    (1u << EK_IMAGE_FORMAT_PNG) | (1u << EK_IMAGE_FORMAT_JPEG) | (1u << EK_IMAGE_FORMAT_GIF));
  g_assert_true (form_small->required);
  g_assert_nonnull (form_small->signed_by);

  /* Older rules: the foreign trade operator form, with its exemptions; newer: the user agreement */
  {
    const EkMaterialRequirement *operator_form =
      ek_material_rules_lookup (small, "first-application", "foreign-trade-operator-form");
    g_assert_nonnull (operator_form);
    g_assert_cmpuint (g_strv_length (operator_form->exemptions), ==, 3);
    g_assert_null (ek_material_rules_lookup (small, "first-application", "user-agreement"));
    g_assert_nonnull (ek_material_rules_lookup (large, "first-application", "user-agreement"));
    g_assert_null (ek_material_rules_lookup (large, "first-application", "foreign-trade-operator-form"));
  }
  /* The ID card needs both sides on one image */
  g_assert_true (ek_material_rules_lookup (small, "first-application", "id-card")->two_sided);

  /* Each business type with a materials step has its list; the others upload nothing */
  g_assert_cmpuint (ek_material_rules_get_requirements (small, "first-application")->len, ==, 6);
  g_assert_cmpuint (ek_material_rules_get_requirements (small, "renewal")->len, ==, 2);
  g_assert_cmpuint (ek_material_rules_get_requirements (small, "additional-key")->len, ==, 1);
  g_assert_cmpuint (ek_material_rules_get_requirements (small, "pin-unlock")->len, ==, 2);
  g_assert_null (ek_material_rules_get_requirements (small, "reissue"));
}

static void
test_every_materials_step_has_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  const char *sets[] = { "gfa-200kb", "gfa-1mb" };
  GListModel *types = ek_catalogue_get_business_types (catalogue);

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_autoptr(EkMaterialRules) rules = ek_material_rules_new (catalogue, sets[s], &error);

      g_assert_no_error (error);
      for (guint i = 0; i < g_list_model_get_n_items (types); i++)
        {
          g_autoptr(EkBusinessType) type = g_list_model_get_item (types, i);
          gboolean has_step = FALSE;

          for (guint j = 0; j < ek_business_type_get_n_steps (type); j++)
            /* the materials page, or the seal letter's page, which scans its one letter with
             * the same checks */
            if (g_str_equal (ek_business_type_get_step (type, j)->id, "materials") ||
                g_str_equal (ek_business_type_get_step (type, j)->id, "seal-letter"))
              has_step = TRUE;
          g_assert_true (has_step == (ek_material_rules_get_requirements (rules, ek_business_type_get_id (type)) != NULL));
        }
    }
}

static void
test_broken_rules (void)
{
  const char *documents[] = {
    "{}",
    "{\"materials\": {}, \"material_rule_sets\": {\"default\": \"x\", \"sets\": []}}",
    "{\"materials\": {}, \"material_rule_sets\": {\"default\": \"x\", \"sets\": [{\"id\": \"x\", \"name\": {\"en\": \"X\"}, \"limits\": {\"max_bytes\": -1}, \"business_types\": {}}]}}",
    "{\"materials\": {}, \"material_rule_sets\": {\"default\": \"x\", \"sets\": [{\"id\": \"x\", \"name\": {\"en\": \"X\"}, \"limits\": {\"max_bytes\": 10, \"formats\": [\"bmp\"]}, \"business_types\": {}}]}}",
    "{\"materials\": {}, \"material_rule_sets\": {\"default\": \"x\", \"sets\": [{\"id\": \"x\", \"name\": {\"en\": \"X\"}, \"limits\": {\"max_bytes\": 10}, \"business_types\": {\"a\": [{\"material\": \"nope\"}]}}]}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(EkMaterialRules) rules = NULL;

      g_assert_true (json_parser_load_from_data (parser, documents[i], -1, NULL));
      rules = ek_material_rules_new_from_document (json_node_get_object (json_parser_get_root (parser)), NULL, &error);
      g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_RULES);
      g_assert_null (rules);
    }
}

/* What a registration service serves: its catalogue with the set it enforces as the default */
static JsonNode *
served_catalogue (const char *default_set)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObject *sets;

  g_assert_no_error (error);
  node = json_node_init_object (json_node_alloc (), ek_catalogue_get_document (catalogue));
  text = json_to_string (node, FALSE);
  g_clear_pointer (&node, json_node_unref);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  sets = json_object_get_object_member (json_node_get_object (node), "material_rule_sets");
  json_object_set_string_member (sets, "default", default_set);
  return g_steal_pointer (&node);
}

static void
test_from_service (void)
{
  g_autoptr(JsonNode) large_doc = served_catalogue ("gfa-1mb");
  g_autoptr(JsonNode) small_doc = served_catalogue ("gfa-200kb");
  g_autoptr(JsonNode) not_object = json_from_string ("[1, 2]", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialRules) large = ek_material_rules_new_from_service (large_doc, "first-application", &error);
  g_autoptr(EkMaterialRules) small = NULL;
  g_autoptr(EkMaterialRules) bundled = rules_for (NULL);
  g_autoptr(EkMaterialRules) refused = NULL;

  /* The set the service declares is the one in force, whatever the bundled default is */
  g_assert_no_error (error);
  g_assert_cmpstr (ek_material_rules_get_id (large), ==, "gfa-1mb");
  g_assert_cmpuint (ek_material_rules_lookup (large, "first-application", "application-form")->limits.max_bytes,
                    ==, 1024 * 1024);
  small = ek_material_rules_new_from_service (small_doc, "first-application", &error);
  g_assert_no_error (error);
  g_assert_true (ek_material_rules_same_limits (small, bundled, "first-application"));
  g_assert_false (ek_material_rules_same_limits (large, bundled, "first-application"));
  g_assert_false (ek_material_rules_same_limits (large, bundled, "renewal"));

  /* Unusable answers are refused, so the caller keeps its own rules */
  refused = ek_material_rules_new_from_service (not_object, NULL, &error);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_RULES);
  g_assert_null (refused);
  g_clear_error (&error);

  refused = ek_material_rules_new_from_service (large_doc, "no-such-business", &error);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_RULES);
  g_assert_null (refused);
  g_clear_error (&error);

  /* A limit that is text, not a number */
  {
    JsonObject *sets = json_object_get_object_member (json_node_get_object (large_doc), "material_rule_sets");
    JsonObject *set = json_array_get_object_element (json_object_get_array_member (sets, "sets"), 1);

    g_assert_cmpstr (json_object_get_string_member (set, "id"), ==, "gfa-1mb");
    json_object_set_string_member (json_object_get_object_member (set, "limits"), "max_bytes", "1 MB");
    refused = ek_material_rules_new_from_service (large_doc, "first-application", &error);
    g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_RULES);
    g_assert_null (refused);
  }
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  g_test_add_func ("/material-rules/both-rule-sets", test_both_rule_sets);
  g_test_add_func ("/material-rules/every-materials-step", test_every_materials_step_has_rules);
  g_test_add_func ("/material-rules/broken", test_broken_rules);
  g_test_add_func ("/material-rules/from-service", test_from_service);
  return g_test_run ();
}
