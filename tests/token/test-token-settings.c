/* test-token-settings.c: `ekey-tool token list` reads the PKCS#11 modules setting as the assistant
 * does, through GSettings, wherever the setting comes from
 *
 * A stored empty list and no stored value give the same output, byte for byte; a module listed
 * only in a vendor's gschema.override (the default an installer ships) is loaded, as it is by the
 * key view, with the memory backend (nothing stored by the user) and with the keyfile backend.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

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

typedef enum
{
  SETTINGS_NONE,           /* the memory backend: nothing stored */
  SETTINGS_KEYFILE_EMPTY,  /* the keyfile backend, an empty list stored */
  SETTINGS_KEYFILE_NONE,   /* the keyfile backend, nothing stored */
} Settings;

/* `token list --only-listed [--module @module] [--json]`; @schema_dir: where the compiled
 * schemas are, %NULL for the build tree's */
static void
run_token_list (Settings    settings,
                const char *schema_dir,
                const char *module,
                gboolean    json,
                Run        *run)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *config = g_build_filename (dir, "settings-config", NULL);
  g_autofree char *keyfile_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (keyfile_dir, "keyfile", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "EKEY_PKCS11_MODULES");
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  if (schema_dir != NULL)
    g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  g_remove (keyfile);
  if (settings == SETTINGS_KEYFILE_EMPTY)
    {
      g_assert_cmpint (g_mkdir_with_parents (keyfile_dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents (keyfile, "[org/ekeyassistant/EKeyAssistant]\npkcs11-modules=@as []\n",
                                          -1, NULL));
    }
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", settings == SETTINGS_NONE ? "memory" : "keyfile", TRUE);

  g_ptr_array_add (argv, (gpointer) g_getenv ("EK_TOOL"));
  g_ptr_array_add (argv, (gpointer) "token");
  g_ptr_array_add (argv, (gpointer) "list");
  g_ptr_array_add (argv, (gpointer) "--only-listed");
  if (module != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--module");
      g_ptr_array_add (argv, (gpointer) module);
    }
  if (json)
    g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* No setting stored and an empty list stored: the same answer, byte for byte */
static void
test_same_output (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *schemas = g_build_filename (dir, "schemas-softhsm", NULL);
  g_autofree char *override = g_build_filename (schemas, "10_vendor.gschema.override", NULL);
  g_autofree char *schema_src = g_build_filename (ek_test_source_root (), "data",
                                                  "org.ekeyassistant.EKeyAssistant.gschema.xml", NULL);
  g_autofree char *schema = g_build_filename (schemas, "org.ekeyassistant.EKeyAssistant.gschema.xml", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *text = g_strdup_printf ("[org.ekeyassistant.EKeyAssistant]\npkcs11-modules=['%s']\n", SOFTHSM_MODULE);
  g_autofree char *command = g_strdup_printf ("glib-compile-schemas --strict '%s'", schemas);
  int status = 0;

  /* Schemas whose vendor default lists SoftHSM: every run below sees the tokens */
  g_assert_cmpint (g_mkdir_with_parents (schemas, 0700), ==, 0);
  g_assert_true (g_file_get_contents (schema_src, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (schema, contents, -1, NULL));
  g_assert_true (g_file_set_contents (override, text, -1, NULL));
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  for (int json = 0; json <= 1; json++)
    {
      Run none = { NULL, NULL }, keyfile_none = { NULL, NULL }, stored_empty = { NULL, NULL };

      /* The vendor's default: the memory backend and the keyfile backend read it alike */
      run_token_list (SETTINGS_NONE, schemas, NULL, json, &none);
      run_token_list (SETTINGS_KEYFILE_NONE, schemas, NULL, json, &keyfile_none);
      g_assert_nonnull (strstr (none.out, "EK-TOKEN-A"));
      g_assert_cmpstr (none.out, ==, keyfile_none.out);
      g_assert_cmpstr (none.err, ==, keyfile_none.err);

      /* The user's empty list overrides the vendor's default, as in the key view */
      run_token_list (SETTINGS_KEYFILE_EMPTY, schemas, NULL, json, &stored_empty);
      g_assert_null (strstr (stored_empty.out, "EK-TOKEN-A"));
      run_clear (&none);
      run_clear (&keyfile_none);
      run_clear (&stored_empty);

      /* With the build tree's schemas (no vendor default), stored empty and nothing stored agree */
      run_token_list (SETTINGS_NONE, NULL, SOFTHSM_MODULE, json, &none);
      run_token_list (SETTINGS_KEYFILE_EMPTY, NULL, SOFTHSM_MODULE, json, &stored_empty);
      g_assert_nonnull (strstr (none.out, "EK-TOKEN-A"));
      g_assert_cmpstr (none.out, ==, stored_empty.out);
      g_assert_cmpstr (none.err, ==, stored_empty.err);
      run_clear (&none);
      run_clear (&stored_empty);
    }
}

/* The vendor default's module is listed with its path, as the key view lists it */
static void
test_vendor_override_module (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *schemas = g_build_filename (dir, "schemas-softhsm", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { NULL, NULL };
  JsonArray *tokens;

  g_assert_true (g_file_test (schemas, G_FILE_TEST_IS_DIR));   /* made by /token-settings/same-output */
  run_token_list (SETTINGS_NONE, schemas, NULL, TRUE, &run);
  root = json_from_string (run.out, &error);
  g_assert_no_error (error);
  tokens = json_object_get_array_member (json_node_get_object (root), "tokens");
  g_assert_cmpuint (json_array_get_length (tokens), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tokens, 0), "module"),
                   ==, SOFTHSM_MODULE);
  run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  token_fixture_setup ();
  g_test_add_func ("/token-settings/same-output", test_same_output);
  g_test_add_func ("/token-settings/vendor-override", test_vendor_override_module);
  return g_test_run ();
}
