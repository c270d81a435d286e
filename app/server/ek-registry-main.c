/* ek-registry-main.c: ekey-registry, the reference registration service
 *
 * Not built yet: the service arrives with the registration API work. Until then this program
 * says so and fails, so that nothing mistakes it for a running service.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-l10n.h"

int
main (int   argc,
      char *argv[])
{
  ek_l10n_init ();

  g_printerr ("%s\n", _("ekey-registry: the reference registration service is not available in this version yet."));
  return 2;
}
