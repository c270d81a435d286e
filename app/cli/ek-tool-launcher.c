/* ek-tool-launcher.c: the `ekey-tool` program, a launcher for the commands in libekey-tool.so
 *
 * A PKCS#11 module is a shared library that p11-kit dlopen()s; binding its symbols (SoftHSM2 has
 * some 18 000 relocations) searches the global scope first: the program and every library it
 * was linked with. ekey-tool's commands need GLib, GIO, json-glib, p11-kit and gnutls, twenty
 * libraries in all; linked into the program they would all be searched for every one of the
 * module's symbols. Here the program needs nothing but libc, and the commands live in a private
 * library opened with RTLD_LOCAL: its libraries stay out of the global scope, and a module loads
 * as fast as it does in the smallest PKCS#11 tool. No GLib here, on purpose.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*EkToolMain) (int argc, char **argv);

/* The library next to this program (a build tree), else the installed one */
static void *
open_commands (void)
{
  char self[PATH_MAX], sibling[PATH_MAX + 32];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  void *handle;

  if (n > 0)
    {
      char *slash;

      self[n] = '\0';
      slash = strrchr (self, '/');
      if (slash != NULL)
        {
          *slash = '\0';
          snprintf (sibling, sizeof sibling, "%s/libekey-tool.so", self);
          if (access (sibling, R_OK) == 0 && (handle = dlopen (sibling, RTLD_LAZY | RTLD_LOCAL)) != NULL)
            return handle;
        }
    }
  return dlopen (EK_TOOL_LIBRARY, RTLD_LAZY | RTLD_LOCAL);
}

int
main (int   argc,
      char *argv[])
{
  void *handle = open_commands ();
  EkToolMain tool_main;

  if (handle == NULL)
    {
      fprintf (stderr, "ekey-tool: %s\n", dlerror ());
      return 1;
    }
  tool_main = (EkToolMain) dlsym (handle, "ek_tool_main");
  if (tool_main == NULL)
    {
      fprintf (stderr, "ekey-tool: %s\n", dlerror ());
      return 1;
    }
  /* Never dlclose: GLib's types and threads live until exit */
  return tool_main (argc, argv);
}
