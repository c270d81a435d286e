/* ek-tool-launcher.c: the `ekey-tool` program, a launcher for the commands in libekey-tool.so
 *
 * A PKCS#11 module is a shared library that p11-kit dlopen()s; binding its symbols (SoftHSM2 has
 * some 18 000 relocations) searches the global scope first: the program and every library it
 * was linked with. ekey-tool's commands need GLib, GIO, json-glib and p11-kit, a dozen
 * libraries in all; linked into the program they would all be searched for every one of the
 * module's symbols. Here the program needs nothing but libc, and the commands live in a private
 * library opened with RTLD_LOCAL: its libraries stay out of the global scope, and a module loads
 * as fast as it does in the smallest PKCS#11 tool. No GLib here, on purpose.
 *
 * `token list` goes first to an even smaller library (libekey-tool-token.so, ek-tool-lean.c:
 * GLib, GObject and p11-kit, no GIO, no json-glib), which hands it back when the settings may
 * hold PKCS#11 modules (reading them needs GIO).
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*EkToolMain) (int argc, char **argv);

#define EK_TOOL_LEAN_NOT_HANDLED 125   /* matches ek-tool-lean.c */

/* @name next to this program (a build tree): TRUE with its path in @path */
static int
sibling_path (const char *name,
              char       *path,
              size_t      size)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  char *slash;

  if (n <= 0)
    return 0;
  self[n] = '\0';
  slash = strrchr (self, '/');
  if (slash == NULL)
    return 0;
  *slash = '\0';
  return snprintf (path, size, "%s/%s", self, name) < (int) size && access (path, R_OK) == 0;
}

/* The library @name next to this program, else the installed one in @installed_dir. Lazy
 * binding: most of what the commands import is never called in one run. */
static void *
open_library (const char *name)
{
  char path[PATH_MAX + 32];
  void *handle;

  if (sibling_path (name, path, sizeof path) && (handle = dlopen (path, RTLD_LAZY | RTLD_LOCAL)) != NULL)
    return handle;
  snprintf (path, sizeof path, "%s/%s", EK_TOOL_LIBRARY_DIR, name);
  return dlopen (path, RTLD_LAZY | RTLD_LOCAL);
}

/* `token list` in the lean library; EK_TOOL_LEAN_NOT_HANDLED when it is not for it */
static int
run_lean (int    argc,
          char **argv)
{
  void *handle = open_library ("libekey-tool-token.so");
  EkToolMain lean_main;

  if (handle == NULL)
    return EK_TOOL_LEAN_NOT_HANDLED;   /* the commands' library can do it all */
  lean_main = (EkToolMain) dlsym (handle, "ek_tool_lean_main");
  if (lean_main == NULL)
    return EK_TOOL_LEAN_NOT_HANDLED;
  return lean_main (argc, argv);
}

/* `material` and `scan` are a program of their own (ek-tool-material.c, for the image libraries
 * and SANE), and so is `registry` (libcurl): run it straight away, without loading the commands'
 * library first. The library does the same (run_helper_program in ek-tool.c) when it is reached
 * another way. */
static void
exec_program (const char  *name,
              char       **argv)
{
  char program[PATH_MAX + 32];
  char *self = argv[0];

  if (!sibling_path (name, program, sizeof program))
    snprintf (program, sizeof program, "%s/%s", LIBEXECDIR, name);
  argv[0] = program;
  fflush (stdout);
  execv (program, argv);
  argv[0] = self;
}

int
main (int   argc,
      char *argv[])
{
  void *handle;
  EkToolMain tool_main;

  if (argc >= 2 && (strcmp (argv[1], "material") == 0 || strcmp (argv[1], "scan") == 0))
    exec_program ("ekey-tool-material", argv);   /* returns only if it failed: the library then says why */
  if (argc >= 2 && strcmp (argv[1], "registry") == 0)
    exec_program ("ekey-tool-registry", argv);
  if (argc >= 3 && strcmp (argv[1], "token") == 0 && strcmp (argv[2], "list") == 0)
    {
      int status = run_lean (argc, argv);

      if (status != EK_TOOL_LEAN_NOT_HANDLED)
        return status;
    }
  handle = open_library ("libekey-tool.so");

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
