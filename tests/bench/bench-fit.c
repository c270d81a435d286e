/* bench-fit IN OUT --max-bytes N: our fit as the app runs it, for tests/bench/run-materials.sh.
 *
 * In the app the fit runs in a process that has long started; `ekey-tool` loads about seventy
 * shared libraries for its other commands (TLS, PKCS#11, HTTP, PDF), 18 ms of dynamic linking
 * before main() (perf stat, `ekey-tool --help`). This program links only the materials library
 * and calls the very function the materials page and `ekey-tool material fit` call
 * (ek_material_fit_file), so that the bench times the fit, not the command line around it. */
#include "config.h"

#include <stdlib.h>
#include <glib.h>

#include "ek-material-fit.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(EkMaterialFit) fit = NULL;
  g_autoptr(GError) error = NULL;
  gint64 max_bytes;

  if (argc != 5 || !g_str_equal (argv[3], "--max-bytes"))
    {
      g_printerr ("Usage: bench-fit IN OUT --max-bytes N\n");
      return 2;
    }
  max_bytes = g_ascii_strtoll (argv[4], NULL, 10);
  if (max_bytes < 2048)
    {
      g_printerr ("bench-fit: --max-bytes must be at least 2048\n");
      return 2;
    }
  fit = ek_material_fit_file (argv[1], argv[2], (guint64) max_bytes, NULL, &error);
  if (fit == NULL)
    {
      g_printerr ("bench-fit: %s\n", error->message);
      return 1;
    }
  g_print ("%s: %u×%u, %" G_GSIZE_FORMAT " bytes\n", argv[2], fit->width, fit->height, g_bytes_get_size (fit->bytes));
  return 0;
}
