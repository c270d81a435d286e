/* ek-registry-main.c: ekey-registry, the reference registration service
 *
 * Not built yet: the service arrives with the registration API work. Until then this program
 * says so and fails, so that nothing mistakes it for a running service.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_printerr ("%s\n", _("ekey-registry: the reference registration service is not available in this version yet."));
  return 2;
}
