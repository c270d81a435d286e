/* ek-tool.c: ekey-tool, the command line over libekeycore: the table of commands, and
 * `catalogue` */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ek-l10n.h"

#include "ek-catalogue.h"
#include "ek-tool.h"

static const struct
{
  const char    *name;
  EkToolCommand  run;
  const char    *summary;
} commands[] = {
  { "catalogue", ek_tool_catalogue, N_("List the business types and their steps") },
  { "draft", ek_tool_draft, N_("List, show, import or delete the applications in progress") },
  { "document", ek_tool_document, N_("Render an application's forms to PDF") },
  { "form", ek_tool_form, N_("Check a saved application as the form pages do") },
  { "workdays", ek_tool_workdays, N_("Count working days with China's holiday calendar") },
  { "cert", ek_tool_cert, N_("Show a certificate file as the key view does") },
  { "token", ek_tool_token, N_("List the inserted keys, or watch for insertion and removal") },
  { "material", ek_tool_material, N_("Check a material image, or fit it under the upload limit") },
  { "scan", ek_tool_scan, N_("List scanners, or scan a material") },
  { "registry", ek_tool_registry, N_("Check the registration service, or show its catalogue") },
  { "diagnose", ek_tool_diagnose, N_("Report what this computer sees, for the helpdesk") },
};

static const char *
mode_nick (EkBusinessMode mode)
{
  switch (mode)
    {
    case EK_BUSINESS_MODE_ONLINE:
      return "online";
    case EK_BUSINESS_MODE_OFFLINE:
      return "offline";
    case EK_BUSINESS_MODE_ONLINE_AND_PAPER:
      return "online-and-paper";
    default:
      g_assert_not_reached ();
    }
}

int
ek_tool_catalogue (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(EkCatalogue) catalogue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  gboolean json = FALSE;
  GListModel *types;
  const GOptionEntry entries[] = {
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, N_("Read this catalogue instead of the bundled one"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("List the business types and their steps."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);

  if (file != NULL)
    {
      g_autoptr(GFile) gfile = g_file_new_for_commandline_arg (file);
      catalogue = ek_catalogue_new_from_file (gfile, &error);
    }
  else
    catalogue = ek_catalogue_new_default (&error);
  if (catalogue == NULL)
    return ek_tool_fail ("%s", error->message);

  types = ek_catalogue_get_business_types (catalogue);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "business_types");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (types); i++)
        {
          g_autoptr(EkBusinessType) type = g_list_model_get_item (types, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, ek_business_type_get_id (type));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, ek_business_type_get_name (type));
          json_builder_set_member_name (builder, "summary");
          json_builder_add_string_value (builder, ek_business_type_get_summary (type));
          json_builder_set_member_name (builder, "mode");
          json_builder_add_string_value (builder, mode_nick (ek_business_type_get_mode (type)));
          json_builder_set_member_name (builder, "key_required");
          json_builder_add_boolean_value (builder, ek_business_type_get_key_required (type));
          json_builder_set_member_name (builder, "steps");
          json_builder_begin_array (builder);
          for (guint j = 0; j < ek_business_type_get_n_steps (type); j++)
            json_builder_add_string_value (builder, ek_business_type_get_step (type, j)->id);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
      return 0;
    }

  for (guint i = 0; i < g_list_model_get_n_items (types); i++)
    {
      g_autoptr(EkBusinessType) type = g_list_model_get_item (types, i);

      g_print ("%s\t%s — %s\n", ek_business_type_get_id (type), ek_business_type_get_name (type),
               ek_business_type_get_summary (type));
      for (guint j = 0; j < ek_business_type_get_n_steps (type); j++)
        g_print ("\t%u. %s\n", j + 1, ek_business_type_get_step (type, j)->title);
    }
  return 0;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  ekey-tool %s\n\n%s\n", _("Usage:"), _("COMMAND [OPTIONS…]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “ekey-tool COMMAND --help” for the options of a command."));
}

int
main (int   argc,
      char *argv[])
{
  ek_l10n_init ();
  g_set_prgname ("ekey-tool");

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 1 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("ekey-tool %s", commands[i].name);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }

  print_usage (stderr);
  return ek_tool_fail (_("unknown command “%s”"), argv[1]);
}
