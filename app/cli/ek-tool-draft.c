/* ek-tool-draft.c: drafts, the filled forms and working days from the command line
 *
 *   ekey-tool draft list [--json]
 *   ekey-tool draft show ID [--json]       ID numbers masked
 *   ekey-tool draft delete ID
 *   ekey-tool draft import [--replace] FILE   a draft's JSON, checked, saved under its id
 *   ekey-tool workdays add DATE N [--json]
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ek-calendar.h"
#include "ek-draft-store.h"
#include "ek-tool.h"

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static char *
format_time_iso (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format_iso8601 (time) : g_strdup ("");
}

static int
draft_list (int    argc,
            char **argv)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int status = 0;

  if (!ek_tool_parse_options (&argc, &argv, "", _("List the applications in progress, newest first."),
                      entries, 0, &status))
    return status;

  drafts = ek_draft_store_list (store, &error);
  if (drafts == NULL)
    return ek_tool_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "drafts");
      json_builder_begin_array (builder);
      for (guint i = 0; i < drafts->len; i++)
        {
          EkDraftSummary *s = g_ptr_array_index (drafts, i);
          g_autofree char *modified = format_time_iso (s->modified);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, s->id);
          json_builder_set_member_name (builder, "enterprise_name");
          json_builder_add_string_value (builder, s->enterprise_name);
          json_builder_set_member_name (builder, "business_type");
          json_builder_add_string_value (builder, s->business_type_id);
          json_builder_set_member_name (builder, "modified");
          json_builder_add_string_value (builder, modified);
          json_builder_set_member_name (builder, "damaged");
          json_builder_add_boolean_value (builder, s->damaged);
          if (s->damaged)
            {
              json_builder_set_member_name (builder, "message");
              json_builder_add_string_value (builder, s->message);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
      return 0;
    }

  if (drafts->len == 0)
    g_print ("%s\n", _("No applications in progress."));
  for (guint i = 0; i < drafts->len; i++)
    {
      EkDraftSummary *s = g_ptr_array_index (drafts, i);
      g_autofree char *modified = format_time (s->modified);

      if (s->damaged)
        g_print ("%s\t%s\t%s\n", s->id, modified, s->message);
      else
        g_print ("%s\t%s\t%s\n", s->id, modified,
                 s->enterprise_name[0] != '\0' ? s->enterprise_name : _("(no enterprise name yet)"));
    }
  return 0;
}

static int
draft_show (int    argc,
            char **argv)
{
  g_autoptr(EkApplicationDraft) draft = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  const EkDraftField *fields;
  g_autofree char *modified = NULL;
  guint n_fields;
  int status = 0;

  if (!ek_tool_parse_options (&argc, &argv, _("ID"), _("Show an application in progress (ID numbers are masked)."),
                      entries, 1, &status))
    return status;
  draft = ek_tool_load_draft (argv[1], &status);
  if (draft == NULL)
    return status;

  fields = ek_application_draft_get_fields (&n_fields);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      modified = format_time_iso (ek_application_draft_get_modified (draft));
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, ek_application_draft_get_id (draft));
      json_builder_set_member_name (builder, "business_type");
      json_builder_add_string_value (builder, ek_application_draft_get_business_type_id (draft));
      json_builder_set_member_name (builder, "modified");
      json_builder_add_string_value (builder, modified);
      json_builder_set_member_name (builder, "fields");
      json_builder_begin_object (builder);
      for (guint i = 0; i < n_fields; i++)
        {
          json_builder_set_member_name (builder, fields[i].name);
          if (fields[i].type == G_TYPE_BOOLEAN)
            json_builder_add_boolean_value (builder, ek_application_draft_get_boolean (draft, fields[i].name));
          else if (fields[i].sensitive)
            {
              g_autofree char *masked = ek_mask_id_number (ek_application_draft_get_string (draft, fields[i].name));
              json_builder_add_string_value (builder, masked);
            }
          else
            json_builder_add_string_value (builder, ek_application_draft_get_string (draft, fields[i].name));
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
      return 0;
    }

  modified = format_time (ek_application_draft_get_modified (draft));
  g_print ("%-34s %s\n", "id", ek_application_draft_get_id (draft));
  g_print ("%-34s %s\n", "business-type",
           ek_application_draft_get_business_type_id (draft) ? ek_application_draft_get_business_type_id (draft) : "");
  g_print ("%-34s %s\n", "modified", modified);
  for (guint i = 0; i < n_fields; i++)
    {
      if (fields[i].type == G_TYPE_BOOLEAN)
        g_print ("%-34s %s\n", fields[i].name,
                 ek_application_draft_get_boolean (draft, fields[i].name) ? "yes" : "no");
      else if (fields[i].sensitive)
        {
          g_autofree char *masked = ek_mask_id_number (ek_application_draft_get_string (draft, fields[i].name));
          g_print ("%-34s %s\n", fields[i].name, masked);
        }
      else
        g_print ("%-34s %s\n", fields[i].name, ek_application_draft_get_string (draft, fields[i].name));
    }
  return 0;
}

static int
draft_delete (int    argc,
              char **argv)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!ek_tool_parse_options (&argc, &argv, _("ID"),
                      _("Delete an application in progress and every file in its folder."),
                      NULL, 1, &status))
    return status;
  if (!ek_draft_store_delete (store, argv[1], &error))
    return ek_tool_fail ("%s", error->message);
  return 0;
}

static int
draft_import (int    argc,
              char **argv)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApplicationDraft) existing = NULL;
  g_autofree char *contents = NULL;
  gboolean replace = FALSE;
  GOptionEntry entries[] = {
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, N_("Replace a saved application with the same identifier"), NULL },
    { NULL }
  };
  gsize length;
  int status = 0;

  if (!ek_tool_parse_options (&argc, &argv, _("FILE"),
                      _("Check a saved application (JSON) and add it to the applications in progress."),
                      entries, 1, &status))
    return status;
  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    return ek_tool_fail ("%s", error->message);
  draft = ek_application_draft_new_from_json (contents, length, &error);
  if (draft == NULL)
    return ek_tool_fail ("%s: %s", argv[1], error->message);

  /* Never overwrite an application in progress by accident */
  existing = ek_draft_store_load (store, ek_application_draft_get_id (draft), NULL);
  if (existing != NULL && !replace)
    /* Translators: %s is a draft's identifier */
    return ek_tool_fail (_("an application “%s” is already in progress; add --replace to overwrite it"),
                         ek_application_draft_get_id (draft));
  if (!ek_draft_store_save (store, draft, &error))
    return ek_tool_fail ("%s: %s", argv[1], error->message);
  g_print ("%s\n", ek_application_draft_get_id (draft));
  return 0;
}

int
ek_tool_draft (int    argc,
               char **argv)
{
  static const struct
  {
    const char    *name;
    EkToolCommand  run;
  } subcommands[] = {
    { "list", draft_list },
    { "show", draft_show },
    { "delete", draft_delete },
    { "import", draft_import },
  };

  if (argc >= 2)
    for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
      if (g_str_equal (argv[1], subcommands[i].name))
        return subcommands[i].run (argc - 1, argv + 1);

  return ek_tool_fail (_("expected “draft list”, “draft show ID”, “draft delete ID” or “draft import FILE”"));
}

int
ek_tool_workdays (int    argc,
                  char **argv)
{
  g_autoptr(EkCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *result_text = NULL;
  gboolean json = FALSE, estimate = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  GDate start, result;
  guint64 n;
  int status = 0;

  if (argc < 2 || !g_str_equal (argv[1], "add"))
    return ek_tool_fail (_("expected “workdays add DATE N”"));
  argc--;
  argv++;
  if (!ek_tool_parse_options (&argc, &argv, _("DATE N"),
                      _("The date N working days after DATE (counting from the next working day), "
                        "with China's holidays and adjusted working weekends."),
                      entries, 2, &status))
    return status;

  if (!ek_date_parse_iso (argv[1], &start, &error))
    return ek_tool_fail ("%s", error->message);
  if (!g_ascii_string_to_unsigned (argv[2], 10, 0, 1000, &n, NULL))
    return ek_tool_fail (_("“%s” is not a number of working days from 0 to 1000"), argv[2]);
  calendar = ek_calendar_new_default (&error);
  if (calendar == NULL)
    return ek_tool_fail ("%s", error->message);

  ek_calendar_add_working_days (calendar, &start, n, &result, &estimate);
  result_text = ek_date_format_iso (&result);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, argv[1]);
      json_builder_set_member_name (builder, "working_days");
      json_builder_add_int_value (builder, n);
      json_builder_set_member_name (builder, "date");
      json_builder_add_string_value (builder, result_text);
      json_builder_set_member_name (builder, "estimate");
      json_builder_add_boolean_value (builder, estimate);
      json_builder_set_member_name (builder, "known_until");
      json_builder_add_int_value (builder, ek_calendar_get_last_year (calendar));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
      return 0;
    }

  if (estimate)
    /* Translators: %s is a date; %u the last year whose holidays are known */
    g_print (_("%s (estimate, holidays unknown after %u)\n"), result_text, ek_calendar_get_last_year (calendar));
  else
    g_print ("%s\n", result_text);
  return 0;
}
