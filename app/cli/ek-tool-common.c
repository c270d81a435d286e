/* ek-tool-common.c: what every ekey-tool command shares */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ek-draft-store.h"
#include "ek-tool.h"

int
ek_tool_fail (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("ekey-tool: %s\n", message);
  return 1;
}

void
ek_tool_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

/* Parses @entries and expects exactly @n_args arguments after the command; on failure sets
 * *status to the exit status (the message is already printed) and returns FALSE. */
gboolean
ek_tool_parse_options (int          *argc,
                       char       ***argv,
                       const char   *parameters,
                       const char   *summary,
                       GOptionEntry *entries,
                       int           n_args,
                       int          *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = ek_tool_fail ("%s", error->message);
      return FALSE;
    }
  if (*argc != n_args + 1)
    {
      /* Translators: %s lists what the command expects, e.g. "ID OUT.pdf" */
      *status = ek_tool_fail (_("expected %s; see --help"), parameters);
      return FALSE;
    }
  return TRUE;
}

EkApplicationDraft *
ek_tool_load_draft (const char *id,
                    int        *status)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(GError) error = NULL;
  EkApplicationDraft *draft = ek_draft_store_load (store, id, &error);

  if (draft == NULL)
    *status = ek_tool_fail ("%s", error->message);
  return draft;
}
