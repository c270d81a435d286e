/* test-form.c: the application form as data, and its checks */
#include "config.h"

#include <string.h>

#include "ek-catalogue.h"
#include "ek-form.h"
#include "ek-test-common.h"

static EkCatalogue *catalogue;

static EkForm *
default_form (void)
{
  g_autoptr(GError) error = NULL;
  EkForm *form = ek_form_get_for_catalogue (catalogue, &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static EkValidity
check (EkApplicationDraft *draft,
       const char         *name,
       const char         *value,
       char              **message)
{
  EkForm *form = default_form ();
  const EkFormField *field = ek_form_lookup_field (form, name);
  g_autoptr(EkFormProblem) problem = NULL;

  g_assert_nonnull (field);
  if (value != NULL)
    ek_application_draft_set_string (draft, name, value);
  problem = ek_form_check_field (form, field, draft);
  if (message != NULL)
    *message = g_strdup (problem->message);
  return problem->validity;
}

static void
test_structure (void)
{
  EkForm *form = default_form ();
  g_autoptr(GPtrArray) first = ek_form_get_sections (form, "first-application", NULL);
  g_autoptr(GPtrArray) reissue = ek_form_get_sections (form, "reissue", NULL);
  g_autoptr(GPtrArray) people = ek_form_get_sections (form, "first-application", "form-people");
  EkBusinessType *type = ek_catalogue_lookup_business_type (catalogue, "first-application");
  const EkAuthority *shenzhen;

  /* Every section a business type uses is shown by a step of its flow */
  for (guint i = 0; i < first->len; i++)
    {
      EkFormSection *section = g_ptr_array_index (first, i);
      gboolean found = FALSE;

      for (guint j = 0; j < ek_business_type_get_n_steps (type); j++)
        found |= g_str_equal (ek_business_type_get_step (type, j)->id, section->step);
      g_assert_true (found);
    }
  g_assert_cmpuint (first->len, ==, 6);
  g_assert_cmpuint (reissue->len, ==, 7);  /* plus the reason */
  g_assert_cmpuint (people->len, ==, 2);
  g_assert_cmpstr (((EkFormSection *) g_ptr_array_index (people, 0))->id, ==, "legal-rep");

  g_assert_cmpstr (ek_form_step_for_field (form, "mobile"), ==, "form-contact");
  g_assert_cmpstr (ek_form_step_for_field (form, "uscc"), ==, "form-enterprise");   /* the API's name */
  g_assert_cmpstr (ek_form_step_for_field (form, "applicant_id_number"), ==, "form-people");
  g_assert_null (ek_form_step_for_field (form, "application-number"));
  g_assert_cmpstr (ek_form_lookup_server_field (form, "title")->name, ==, "job-title");
  g_assert_true (ek_form_lookup_field (form, "user-id-number")->sensitive);
  g_assert_cmpuint (ek_form_lookup_field (form, "legal-rep-id-type")->choices->len, ==, 5);

  g_assert_cmpuint (ek_form_get_n_authorities (form), ==, 37);
  shenzhen = ek_form_lookup_authority (form, "shenzhen");
  g_assert_nonnull (shenzhen);
  g_assert_nonnull (shenzhen->address);
  g_assert_null (ek_form_lookup_authority (form, "atlantis"));
}

/* For every business type of the catalogue: each section it uses is shown by a step of its
 * flow, and each form step of its flow shows at least one of its sections */
static void
test_sections_match_flows (void)
{
  EkForm *form = default_form ();
  GListModel *types = ek_catalogue_get_business_types (catalogue);

  for (guint t = 0; t < g_list_model_get_n_items (types); t++)
    {
      g_autoptr(EkBusinessType) type = g_list_model_get_item (types, t);
      g_autoptr(GPtrArray) sections = ek_form_get_sections (form, ek_business_type_get_id (type), NULL);
      gboolean has_form_step = FALSE;

      for (guint j = 0; j < ek_business_type_get_n_steps (type); j++)
        {
          const char *step = ek_business_type_get_step (type, j)->id;
          g_autoptr(GPtrArray) on_step = NULL;

          if (!ek_form_has_step (form, step))
            continue;
          has_form_step = TRUE;
          on_step = ek_form_get_sections (form, ek_business_type_get_id (type), step);
          if (on_step->len == 0)
            g_error ("%s: step %s shows nothing", ek_business_type_get_id (type), step);
        }
      for (guint i = 0; has_form_step && i < sections->len; i++)
        {
          EkFormSection *section = g_ptr_array_index (sections, i);
          gboolean found = FALSE;

          for (guint j = 0; j < ek_business_type_get_n_steps (type); j++)
            found |= g_str_equal (ek_business_type_get_step (type, j)->id, section->step);
          if (!found)
            g_error ("%s: section %s is on step %s, not in its flow",
                     ek_business_type_get_id (type), section->id, section->step);
        }
    }
}

static void
test_checks (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autofree char *message = NULL;

  ek_application_draft_set_business_type_id (draft, "first-application");

  /* Required and empty */
  g_assert_cmpint (check (draft, "enterprise-name", NULL, &message), ==, EK_VALIDITY_INVALID);
  g_assert_nonnull (strstr (message, "required"));
  g_clear_pointer (&message, g_free);
  /* Optional and empty */
  g_assert_cmpint (check (draft, "landline", NULL, NULL), ==, EK_VALIDITY_VALID);

  g_assert_cmpint (check (draft, "mobile", "1380013800", &message), ==, EK_VALIDITY_INVALID);
  g_assert_nonnull (strstr (message, "11-digit"));
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (check (draft, "mobile", "13800138000", &message), ==, EK_VALIDITY_VALID);
  g_assert_null (message);

  /* A wrong check character warns, never blocks */
  g_assert_cmpint (check (draft, "credit-code", "91110000600037341N", &message), ==, EK_VALIDITY_WARNING);
  g_assert_nonnull (strstr (message, "check character"));
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (check (draft, "credit-code", "91110000600037341L", NULL), ==, EK_VALIDITY_VALID);

  /* As the server: a landline without area code and a postcode starting with 0 are valid */
  g_assert_cmpint (check (draft, "landline", "67811021", NULL), ==, EK_VALIDITY_VALID);
  g_assert_cmpint (check (draft, "postcode", "010000", NULL), ==, EK_VALIDITY_VALID);
  g_assert_cmpint (check (draft, "postcode", "10017", NULL), ==, EK_VALIDITY_INVALID);

  g_assert_cmpint (check (draft, "enterprise-code", "9999400000560", NULL), ==, EK_VALIDITY_VALID);
  g_assert_cmpint (check (draft, "enterprise-code", "999940000560", NULL), ==, EK_VALIDITY_INVALID);

  /* An ID number is checked as a resident ID only when its type says so */
  g_assert_cmpint (check (draft, "user-id-number", "11010519491231002Y", NULL), ==, EK_VALIDITY_INVALID);
  ek_application_draft_set_string (draft, "user-id-type", EK_ID_TYPE_PASSPORT);
  g_assert_cmpint (check (draft, "user-id-number", NULL, NULL), ==, EK_VALIDITY_VALID);
  ek_application_draft_set_string (draft, "user-id-type", EK_ID_TYPE_RESIDENT_ID);
  g_assert_cmpint (check (draft, "user-id-number", "11010519491231002X", NULL), ==, EK_VALIDITY_VALID);

  /* The form's login name is the platform's existing user name or the registered one (seed
   * 001), whatever the licence type: an email, a Latin name, a Chinese name as on seed 003's
   * certificate; not a blank, a broken email or characters a user name does not hold */
  ek_application_draft_set_string (draft, "licence-type", EK_LICENCE_NON_ELECTROMECHANICAL);
  g_assert_cmpint (check (draft, "login-name", "LUOYUN", NULL), ==, EK_VALIDITY_VALID);
  g_assert_cmpint (check (draft, "login-name", "许可证测试用户", NULL), ==, EK_VALIDITY_VALID);
  g_assert_cmpint (check (draft, "login-name", "wangbing@126.com", NULL), ==, EK_VALIDITY_VALID);
  g_assert_cmpint (check (draft, "login-name", "wang bing", NULL), ==, EK_VALIDITY_INVALID);
  g_assert_cmpint (check (draft, "login-name", "a..b@126", NULL), ==, EK_VALIDITY_INVALID);
  g_assert_cmpint (check (draft, "login-name", "许", NULL), ==, EK_VALIDITY_INVALID);
  ek_application_draft_set_string (draft, "licence-type", EK_LICENCE_ELECTROMECHANICAL);
  g_assert_cmpint (check (draft, "login-name", "LUOYUN", NULL), ==, EK_VALIDITY_VALID);

  g_assert_cmpint (check (draft, "licence-type", "hovercraft", NULL), ==, EK_VALIDITY_INVALID);
  g_assert_cmpint (check (draft, "authority-id", "atlantis", NULL), ==, EK_VALIDITY_INVALID);
  g_assert_cmpint (check (draft, "authority-id", "beijing", NULL), ==, EK_VALIDITY_VALID);
}

static void
test_server_error (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autofree char *message = NULL;

  ek_application_draft_set_server_error (draft, "mobile", "This number is already registered.");
  g_assert_cmpint (check (draft, "mobile", "13800138000", &message), ==, EK_VALIDITY_INVALID);
  g_assert_cmpstr (message, ==, "This number is already registered.");
  g_clear_pointer (&message, g_free);
  ek_application_draft_set_server_error (draft, "mobile", NULL);
  g_assert_cmpint (check (draft, "mobile", NULL, NULL), ==, EK_VALIDITY_VALID);
}

static void
test_check_draft (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) contact = NULL;
  EkForm *form = default_form ();
  g_autofree char *masked = NULL;

  ek_application_draft_set_business_type_id (draft, "first-application");
  all = ek_form_check_draft (form, draft, NULL);
  /* Every required field of the six sections is missing; the reason is not in this flow */
  for (guint i = 0; i < all->len; i++)
    {
      EkFormProblem *problem = g_ptr_array_index (all, i);

      g_assert_true (problem->field->required);
      g_assert_cmpstr (problem->field->name, !=, "reason");
    }
  g_assert_cmpuint (all->len, ==, 15);

  ek_application_draft_set_string (draft, "email", "wangqiang@126.com");
  ek_application_draft_set_string (draft, "mobile", "18910123221");
  ek_application_draft_set_string (draft, "contact-address", "北京技术开发区荣华中路11号");
  ek_application_draft_set_string (draft, "postcode", "1001");
  contact = ek_form_check_draft (form, draft, "form-contact");
  g_assert_cmpuint (contact->len, ==, 1);
  g_assert_cmpstr (((EkFormProblem *) g_ptr_array_index (contact, 0))->field->name, ==, "postcode");

  ek_application_draft_set_string (draft, "user-id-number", "11010519491231002X");
  masked = ek_form_dup_display_value (form, ek_form_lookup_field (form, "user-id-number"), draft);
  g_assert_cmpstr (masked, ==, "110*************2X");
}

/* Where the login name is typed, what the business's seed section says of it: the reissue
 * the original one (seed 001 §2), the additional key a new one (§3); others the general hint */
static void
test_business_hints (void)
{
  EkForm *form = default_form ();
  const EkFormField *field = ek_form_lookup_field (form, "login-name");

  g_assert_nonnull (field);
  g_assert_nonnull (strstr (ek_form_field_get_hint (field, "reissue"), "ORIGINAL"));
  g_assert_nonnull (strstr (ek_form_field_get_hint (field, "additional-key"), "NEW login name"));
  g_assert_cmpstr (ek_form_field_get_hint (field, "first-application"), ==, field->hint);
  g_assert_cmpstr (ek_form_field_get_hint (field, NULL), ==, field->hint);
  g_assert_cmpstr (ek_form_field_get_hint (ek_form_lookup_field (form, "mobile"), "reissue"), ==,
                   ek_form_lookup_field (form, "mobile")->hint);
}

static void
test_invalid (void)
{
  static const struct
  {
    const char *json;
    const char *message;
  } cases[] = {
    { "{}", "“authorities” is missing" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}}", "“forms” is missing" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}, {\"id\": \"a\", \"name\": {\"en\": \"B\"}}]}}",
      "issuing authority 2" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}, \"forms\": {\"sections\": "
      "[{\"id\": \"s\", \"step\": \"x\", \"title\": {\"en\": \"S\"}, \"fields\": [{\"name\": \"teleport\", \"kind\": \"text\", "
      "\"label\": {\"en\": \"T\"}}]}], \"business_types\": {}}}", "field “teleport” that the application does not have" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}, \"forms\": {\"sections\": "
      "[{\"id\": \"s\", \"step\": \"x\", \"title\": {\"en\": \"S\"}, \"fields\": [{\"name\": \"mobile\", \"kind\": \"tick\", "
      "\"label\": {\"en\": \"T\"}}]}], \"business_types\": {}}}", "field “mobile” of section “s” is not described" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}, \"forms\": {\"sections\": "
      "[{\"id\": \"s\", \"step\": \"x\", \"title\": {\"en\": \"S\"}, \"fields\": [{\"name\": \"mobile\", \"kind\": \"text\", "
      "\"check\": \"telepathy\", \"label\": {\"en\": \"T\"}}]}], \"business_types\": {}}}", "field “mobile” of section “s”" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}, \"forms\": {\"sections\": "
      "[{\"id\": \"s\", \"step\": \"x\", \"title\": {\"en\": \"S\"}, \"fields\": [{\"name\": \"mobile\", \"kind\": \"text\", "
      "\"label\": {\"en\": \"T\"}}]}], \"business_types\": {\"b\": [\"nope\"]}}}", "names a section that does not exist" },
    { "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}, \"forms\": {\"sections\": "
      "[{\"id\": \"s\", \"step\": \"x\", \"title\": {\"en\": \"S\"}, \"fields\": [{\"name\": \"mobile\", \"kind\": \"text\", "
      "\"label\": {\"en\": \"T\"}, \"business_hints\": {\"reissue\": 3}}]}], \"business_types\": {}}}", "field “mobile” of section “s”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(EkForm) form = NULL;

      g_assert_true (json_parser_load_from_data (parser, cases[i].json, -1, NULL));
      form = ek_form_new_from_json (json_node_get_object (json_parser_get_root (parser)), &error);
      g_assert_null (form);
      g_assert_error (error, EK_FORM_ERROR, EK_FORM_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }
}

#define ONE_AUTHORITY "{\"authorities\": {\"list\": [{\"id\": \"a\", \"name\": {\"en\": \"A\"}}]}, "
#define SECTION(id, step, fields) "{\"id\": \"" id "\", \"step\": \"" step "\", \"title\": {\"en\": \"S\"}, \"fields\": [" fields "]}"
#define MOBILE_FIELD(extra) "{\"name\": \"mobile\", \"kind\": \"text\", \"label\": {\"en\": \"T\"}" extra "}"

static EkForm *
form_from (const char *json,
           GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return ek_form_new_from_json (json_node_get_object (json_parser_get_root (parser)), error);
}

/* A field asked again on another step (mobile authorisation's own information page), never twice
 * on one; a "fixed" field is locked only once the service filled it in */
static void
test_asked_again (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkForm) twice = form_from (ONE_AUTHORITY "\"forms\": {\"sections\": ["
                                       SECTION ("s", "x", MOBILE_FIELD ("")) ", " SECTION ("t", "x", MOBILE_FIELD ("")) "], "
                                       "\"business_types\": {}}}", &error);
  g_autoptr(EkForm) again = NULL;
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GPtrArray) sections = NULL;
  EkForm *form = default_form ();
  const EkFormSection *section;
  const EkFormField *fixed = NULL, *typed = NULL;

  g_assert_null (twice);
  g_assert_error (error, EK_FORM_ERROR, EK_FORM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "appears twice"));
  g_clear_error (&error);
  again = form_from (ONE_AUTHORITY "\"forms\": {\"sections\": ["
                     SECTION ("s", "x", MOBILE_FIELD ("")) ", " SECTION ("t", "y", MOBILE_FIELD (", \"fixed\": true")) "], "
                     "\"business_types\": {\"b\": [\"t\"]}}}", &error);
  g_assert_no_error (error);
  /* the first section holding it answers look-ups; the business's own sections its pages */
  g_assert_cmpstr (ek_form_step_for_field (again, "mobile"), ==, "x");
  sections = ek_form_get_sections (again, "b", NULL);
  g_assert_cmpuint (sections->len, ==, 1);
  g_assert_true (((EkFormField *) g_ptr_array_index (((EkFormSection *) g_ptr_array_index (sections, 0))->fields, 0))->fixed);
  g_assert_false (ek_form_lookup_field (again, "mobile")->fixed);
  g_clear_pointer (&sections, g_ptr_array_unref);

  /* The catalogue's mobile information page: the seed's fields, on its own step */
  sections = ek_form_get_sections (form, "mobile-authorization", NULL);
  g_assert_cmpuint (sections->len, ==, 2);
  for (guint i = 0; i < sections->len; i++)
    {
      section = g_ptr_array_index (sections, i);
      g_assert_cmpstr (section->step, ==, "mobile-information");
      for (guint j = 0; j < section->fields->len; j++)
        {
          const EkFormField *field = g_ptr_array_index (section->fields, j);

          if (g_str_equal (field->name, "user-name"))
            fixed = field;
          if (g_str_equal (field->name, "email"))
            typed = field;
        }
    }
  g_assert_nonnull (fixed);
  g_assert_nonnull (typed);
  g_assert_true (fixed->fixed);
  g_assert_false (typed->fixed);
  /* the renewal's form still finds the same fields on its own pages */
  g_assert_cmpstr (ek_form_step_for_field (form, "user-name"), ==, "form-people");

  ek_application_draft_set_string (draft, "user-name", "王兵");
  g_assert_false (ek_form_field_is_locked (fixed, draft));          /* typed by the clerk */
  ek_application_draft_set_string (draft, "locked-fields", "enterprise-name user-name");
  g_assert_true (ek_form_field_is_locked (fixed, draft));           /* the service filled it */
  ek_application_draft_set_string (draft, "email", "wangbing@126.com");
  ek_application_draft_set_string (draft, "locked-fields", "email");
  g_assert_false (ek_form_field_is_locked (typed, draft));          /* not a fixed field */
  ek_application_draft_set_string (draft, "user-name", "");
  ek_application_draft_set_string (draft, "locked-fields", "user-name");
  g_assert_false (ek_form_field_is_locked (fixed, draft));          /* empty: the clerk types it */
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  ek_test_init (&argc, &argv);
  catalogue = ek_catalogue_new_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/form/structure", test_structure);
  g_test_add_func ("/form/sections-match-flows", test_sections_match_flows);
  g_test_add_func ("/form/checks", test_checks);
  g_test_add_func ("/form/server-error", test_server_error);
  g_test_add_func ("/form/check-draft", test_check_draft);
  g_test_add_func ("/form/invalid", test_invalid);
  g_test_add_func ("/form/business-hints", test_business_hints);
  g_test_add_func ("/form/asked-again", test_asked_again);

  status = g_test_run ();
  g_clear_object (&catalogue);
  return status;
}
