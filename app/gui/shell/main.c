/* main.c: ekey-assistant, the wizard */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-l10n.h"

#include "ek-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EkApplication) app = NULL;

  ek_l10n_init ();

  g_set_application_name (_("EKey Assistant"));
  app = ek_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
