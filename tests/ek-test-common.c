/* ek-test-common.c: small helpers shared by the C tests */
#include "config.h"

#include <glib/gstdio.h>
#include <libintl.h>
#include <locale.h>

#include "ek-test-common.h"

static char *temp_dir;

static void
remove_temp_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (temp_dir == NULL || (dir = g_dir_open (temp_dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (temp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (temp_dir);
  g_clear_pointer (&temp_dir, g_free);
}

/* Locale and translations from the build tree, then g_test_init(). */
void
ek_test_init (int    *argc,
              char ***argv)
{
  g_autofree char *podir = NULL;

  setlocale (LC_ALL, "");
  podir = g_build_filename (ek_test_build_root (), "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, podir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (argc, argv, NULL);
  atexit (remove_temp_dir);
}

const char *
ek_test_build_root (void)
{
  const char *root = g_getenv ("EK_BUILD_ROOT");

  g_assert_nonnull (root);
  return root;
}

const char *
ek_test_source_root (void)
{
  const char *root = g_getenv ("EK_SOURCE_ROOT");

  g_assert_nonnull (root);
  return root;
}

/* Where a test leaves files for people to look at (screenshots, PDFs). */
char *
ek_test_artifact_path (const char *name)
{
  const char *dir = g_getenv ("EK_ARTIFACTS_DIR");

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return g_build_filename (dir, name, NULL);
}

/* A file with @contents in a private folder removed at exit; returns its path. */
char *
ek_test_write_temp_file (const char *name,
                         const char *contents,
                         gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path;

  if (temp_dir == NULL)
    {
      temp_dir = g_dir_make_tmp ("ek-test-XXXXXX", &error);
      g_assert_no_error (error);
    }
  path = g_build_filename (temp_dir, name, NULL);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

/* A private SANE configuration with SANE's `test` backend alone (no network backend is probed:
 * SANE_CONFIG_DIR has no trailing ':'), its test.conf holding @test_conf; sets SANE_CONFIG_DIR
 * and returns the folder, which the caller removes. */
char *
ek_test_setup_sane (const char *test_conf)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dll = NULL;
  g_autofree char *test = NULL;
  char *dir = g_dir_make_tmp ("ek-sane-XXXXXX", &error);

  g_assert_no_error (error);
  dll = g_build_filename (dir, "dll.conf", NULL);
  test = g_build_filename (dir, "test.conf", NULL);
  g_file_set_contents (dll, "test\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (test, test_conf, -1, &error);
  g_assert_no_error (error);
  g_setenv ("SANE_CONFIG_DIR", dir, TRUE);
  return dir;
}

/* Runs `ekey-tool ARGS…` (EK_TOOL) in this process's environment and collects what it prints;
 * returns its exit status. */
int
ek_test_run_tool (const char * const  *args,
                  char               **out,
                  char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("EK_TOOL"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}
