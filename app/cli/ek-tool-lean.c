/* ek-tool-lean.c: `ekey-tool token list` in a library of its own, without GIO or json-glib
 *
 * The launcher (ek-tool-launcher.c) opens this small library first for `token list`: it links
 * GLib, GObject and p11-kit only, so start-up does not pay for relocating GIO and json-glib (about
 * a tenth of the whole run). The one thing GIO would be needed for is the PKCS#11 modules a user
 * added in the settings (GSettings). Those are read only when a setting may be stored: when the
 * settings backend's files mention the key, or the backend is one this cannot look into, this
 * library hands the command back (EK_TOOL_LEAN_NOT_HANDLED) before doing anything, and the
 * launcher runs it from the commands' library, which reads GSettings. Otherwise the setting is at
 * its default, an empty list, and the answer is the same without asking.
 */
#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <string.h>

#include "ek-tool-token-list.h"

#define EK_TOOL_LEAN_NOT_HANDLED 125   /* matches ek-tool-launcher.c */
#define SETTINGS_KEY "pkcs11-modules"

int ek_tool_lean_main (int argc, char **argv);

/* Whether @path holds the key's name (a file missing or unreadable holds nothing) */
static gboolean
file_mentions_key (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  gsize key_length = strlen (SETTINGS_KEY);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  /* Binary (dconf's databases hold NULs): no string search */
  for (gsize i = 0; i + key_length <= length; i++)
    if (contents[i] == SETTINGS_KEY[0] && memcmp (contents + i, SETTINGS_KEY, key_length) == 0)
      return TRUE;
  return FALSE;
}

/* dconf: the user's database and the system's (dconf keeps every key's name in them) */
static gboolean
dconf_may_hold_key (void)
{
  g_autofree char *user_db = g_build_filename (g_get_user_config_dir (), "dconf", "user", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_getenv ("DCONF_PROFILE") != NULL)
    return TRUE;   /* other databases than the usual ones: do not guess */
  if (file_mentions_key (user_db))
    return TRUE;
  dir = g_dir_open ("/etc/dconf/db", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/etc/dconf/db", name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && file_mentions_key (path))
        return TRUE;
    }
  return FALSE;
}

/* Whether the settings may list PKCS#11 modules, as GSettings would find them */
static gboolean
settings_may_list_modules (void)
{
  const char *backend = g_getenv ("GSETTINGS_BACKEND");

  if (backend == NULL || backend[0] == '\0' || g_str_equal (backend, "dconf"))
    return dconf_may_hold_key ();
  if (g_str_equal (backend, "memory"))
    return FALSE;
  if (g_str_equal (backend, "keyfile"))
    {
      g_autofree char *keyfile = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                                   "keyfile", NULL);

      return file_mentions_key (keyfile);
    }
  return TRUE;
}

/* No setting stored: @extra alone, without repeats or empty names (as ek_settings_dup_pkcs11_modules()) */
static GStrv
modules_without_settings (const char * const *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    if (*extra[i] != '\0' && g_hash_table_add (seen, (gpointer) extra[i]))
      g_strv_builder_add (builder, extra[i]);
  return g_strv_builder_end (builder);
}

/* Called by the launcher for `ekey-tool token list …` */
int
ek_tool_lean_main (int   argc,
                   char *argv[])
{
  if (argc < 3 || !g_str_equal (argv[1], "token") || !g_str_equal (argv[2], "list") ||
      settings_may_list_modules ())
    return EK_TOOL_LEAN_NOT_HANDLED;

  /* As ek_l10n_init() does (that file also reads localized JSON, which needs json-glib) */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("ekey-tool token");

  return ek_tool_token_list (argc - 2, argv + 2, modules_without_settings);
}
