/* ek-tool-form.c: the application form's checks from the command line
 *
 *   ekey-tool form check ID [--json]   what the app would flag in a saved application
 *
 * The same checks the form pages (and the server) run: a required field left empty, a value
 * the validators reject, a warning (a credit code's check character). ID numbers are never
 * printed. Exit status 0 when nothing blocks, 1 when a field must be put right.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ek-application-draft.h"
#include "ek-catalogue.h"
#include "ek-form.h"
#include "ek-tool.h"

static const char *
validity_nick (EkValidity validity)
{
  return validity == EK_VALIDITY_INVALID ? "invalid" : validity == EK_VALIDITY_WARNING ? "warning" : "valid";
}

static int
form_check (int    argc,
            char **argv)
{
  g_autoptr(EkApplicationDraft) draft = NULL;
  g_autoptr(EkCatalogue) catalogue = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE, blocked = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  EkForm *form;
  int status = 0;

  if (!ek_tool_parse_options (&argc, &argv, "ID",
                              _("Check a saved application as the form pages do: what is missing or wrong."),
                              entries, 1, &status))
    return status;

  catalogue = ek_catalogue_new_default (&error);
  if (catalogue == NULL)
    return ek_tool_fail ("%s", error->message);
  form = ek_form_get_for_catalogue (catalogue, &error);
  if (form == NULL)
    return ek_tool_fail ("%s", error->message);
  draft = ek_tool_load_draft (argv[1], &status);
  if (draft == NULL)
    return status;

  problems = ek_form_check_draft (form, draft, NULL);
  for (guint i = 0; i < problems->len; i++)
    if (((EkFormProblem *) g_ptr_array_index (problems, i))->validity == EK_VALIDITY_INVALID)
      blocked = TRUE;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "complete");
      json_builder_add_boolean_value (builder, !blocked);
      json_builder_set_member_name (builder, "problems");
      json_builder_begin_array (builder);
      for (guint i = 0; i < problems->len; i++)
        {
          EkFormProblem *problem = g_ptr_array_index (problems, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "field");
          json_builder_add_string_value (builder, problem->field->name);
          json_builder_set_member_name (builder, "server_field");
          json_builder_add_string_value (builder, problem->field->server_name);
          json_builder_set_member_name (builder, "step");
          json_builder_add_string_value (builder, ek_form_step_for_field (form, problem->field->name));
          json_builder_set_member_name (builder, "validity");
          json_builder_add_string_value (builder, validity_nick (problem->validity));
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, problem->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
    }
  else if (problems->len == 0)
    g_print ("%s\n", _("Nothing is missing or wrong."));
  else
    for (guint i = 0; i < problems->len; i++)
      {
        EkFormProblem *problem = g_ptr_array_index (problems, i);

        /* Translators: a field's name, "error" or "warning", then the message */
        g_print (_("%s (%s): %s\n"), problem->field->label,
                 problem->validity == EK_VALIDITY_INVALID ? _("error") : _("warning"), problem->message);
      }

  return blocked ? 1 : 0;
}

int
ek_tool_form (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "check"))
    return form_check (argc - 1, argv + 1);

  return ek_tool_fail (_("Usage: ekey-tool form check ID [--json]"));
}
