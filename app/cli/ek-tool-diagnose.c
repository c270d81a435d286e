/* ek-tool-diagnose.c: `ekey-tool diagnose [--json]`, the helpdesk's report from a shell
 *
 * The same report as the assistant's Diagnostics window (app/core/diagnostics): its first line
 * says what is wrong. Redacted by construction, so a clerk may paste it anywhere.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-diagnostics.h"
#include "ek-tool.h"

int
ek_tool_diagnose (int    argc,
                  char **argv)
{
  gboolean json = FALSE, no_scanners = FALSE, no_registry = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "no-scanners", 0, 0, G_OPTION_ARG_NONE, &no_scanners, N_("Do not look for scanners"), NULL },
    { "no-registry", 0, 0, G_OPTION_ARG_NONE, &no_registry, N_("Do not contact the registration service"), NULL },
    { NULL }
  };
  g_autoptr(JsonNode) report = NULL;
  int status;

  if (!ek_tool_parse_options (&argc, &argv, NULL,
                              _("Report what this computer sees (keys, scanners, the registration service, recent errors) for the helpdesk. No PIN, ID number, phone, e-mail or session token is ever in it."),
                              entries, 0, &status))
    return status;

  report = ek_diagnostics_collect (NULL, NULL,
                                   (no_scanners ? EK_DIAGNOSTICS_SKIP_SCANNERS : 0) |
                                   (no_registry ? EK_DIAGNOSTICS_SKIP_REGISTRY : 0),
                                   NULL);
  if (json)
    ek_tool_print_json (report);
  else
    {
      g_autofree char *text = ek_diagnostics_to_text (report);

      g_print ("%s", text);
    }
  return 0;
}
