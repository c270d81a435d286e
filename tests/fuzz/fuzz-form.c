/* fuzz-form.c: any JSON given as the catalogue's "forms" and "authorities" ends in a form or a
 * clear error; a form that parses answers lookups and checks a draft without crashing */
#include "config.h"

#include "ek-form.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkForm) form = NULL;
  g_autoptr(EkApplicationDraft) draft = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  form = ek_form_new_from_json (json_node_get_object (root), &error);
  g_assert ((form == NULL) != (error == NULL));
  if (form == NULL)
    {
      g_assert (error->message != NULL && error->message[0] != '\0');
      return 0;
    }

  /* Whatever the form says, checking a draft against it is safe */
  draft = ek_application_draft_new ();
  ek_application_draft_set_business_type_id (draft, "first-application");
  ek_application_draft_set_string (draft, "mobile", "1891012322");
  ek_application_draft_set_string (draft, "legal-rep-id-type", "passport");
  problems = ek_form_check_draft (form, draft, NULL);
  for (guint i = 0; i < problems->len; i++)
    {
      EkFormProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *shown = ek_form_dup_display_value (form, problem->field, draft);

      g_assert (problem->message != NULL);
      /* What the check-your-answers page shows for the field: valid UTF-8, whatever was typed */
      g_assert (shown == NULL || g_utf8_validate (shown, -1, NULL));
      g_assert (ek_form_step_for_field (form, problem->field->name) != NULL);
    }
  for (guint i = 0; i < ek_form_get_n_authorities (form); i++)
    g_assert (ek_form_lookup_authority (form, ek_form_get_authority (form, i)->id) != NULL);
  return 0;
}
