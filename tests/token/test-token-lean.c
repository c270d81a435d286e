/* test-token-lean.c: `ekey-tool token list` from the lean library (ek-tool-lean.c)
 *
 * The lean library answers when no setting can hold PKCS#11 modules; otherwise the commands'
 * library does. Whichever answers, the output is the same, byte for byte; and the lean one
 * really leaves GIO and json-glib unloaded (which is what makes it start faster).
 */
#include "config.h"

#include "ek-test-common.h"
#include "token-fixture.h"

typedef struct
{
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/* @settings_mention_key: a keyfile backend whose file names the key (the lean library hands the
 * command back); otherwise the memory backend (nothing stored) */
static void
run_token_list (gboolean    settings_mention_key,
                gboolean    json,
                gboolean    trace_libraries,
                Run        *run)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *config = g_build_filename (dir, "lean-config", NULL);
  g_autofree char *keyfile_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (keyfile_dir, "keyfile", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("EK_TOOL"), "token", "list", "--only-listed", "--module",
                         SOFTHSM_MODULE, json ? "--json" : NULL, NULL };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "EKEY_PKCS11_MODULES");
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  if (settings_mention_key)
    {
      g_assert_cmpint (g_mkdir_with_parents (keyfile_dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (keyfile, "[org/ekeyassistant/EKeyAssistant]\npkcs11-modules=@as []\n",
                                          -1, NULL));
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
    }
  else
    g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  if (trace_libraries)
    g_subprocess_launcher_setenv (launcher, "LD_DEBUG", "files", TRUE);

  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

static void
test_same_output (void)
{
  for (int json = 0; json <= 1; json++)
    {
      Run lean = { NULL, NULL }, full = { NULL, NULL };

      run_token_list (FALSE, json, FALSE, &lean);
      run_token_list (TRUE, json, FALSE, &full);
      g_assert_nonnull (strstr (lean.out, "EK-TOKEN-A"));
      g_assert_cmpstr (lean.out, ==, full.out);
      g_assert_cmpstr (lean.err, ==, full.err);
      run_clear (&lean);
      run_clear (&full);
    }
}

static void
test_no_gio (void)
{
  Run lean = { NULL, NULL }, full = { NULL, NULL };

  run_token_list (FALSE, TRUE, TRUE, &lean);
  g_assert_nonnull (strstr (lean.err, "libekey-tool-token.so"));
  g_assert_null (strstr (lean.err, "libgio-2.0"));
  g_assert_null (strstr (lean.err, "libjson-glib"));
  g_assert_null (strstr (lean.err, "libekey-tool.so"));

  /* A setting may be stored: GIO is loaded to read it */
  run_token_list (TRUE, TRUE, TRUE, &full);
  g_assert_nonnull (strstr (full.err, "libekey-tool.so"));
  g_assert_nonnull (strstr (full.err, "libgio-2.0"));
  run_clear (&lean);
  run_clear (&full);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  token_fixture_setup ();
  g_test_add_func ("/token-lean/same-output", test_same_output);
  g_test_add_func ("/token-lean/no-gio", test_no_gio);
  return g_test_run ();
}
