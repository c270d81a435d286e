/* token-fixture.c: SoftHSM2 tokens made at test time, shared by the token tests */
#include "config.h"

#include <glib/gstdio.h>

#include "ek-test-common.h"
#include "token-fixture.h"

static char *fixture_dir;

static void
remove_fixture (void)
{
  if (fixture_dir != NULL)
    {
      const char *argv[] = { "rm", "-rf", fixture_dir, NULL };
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
      g_clear_pointer (&fixture_dir, g_free);
    }
}

/* Makes the tokens once per test program (tests/token/make-tokens.sh) and points SoftHSM at
 * them; returns the fixture folder (certs/ holds the certificates as files) */
const char *
token_fixture_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL, *conf = NULL, *err = NULL;
  int status = 0;

  if (fixture_dir != NULL)
    return fixture_dir;
  fixture_dir = g_dir_make_tmp ("ek-token-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_fixture);
  script = g_build_filename (ek_test_source_root (), "tests", "token", "make-tokens.sh", NULL);
  {
    const char *argv[] = { script, fixture_dir, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("make-tokens.sh failed: %s", err);
  conf = g_build_filename (fixture_dir, "softhsm2.conf", NULL);
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);
  return fixture_dir;
}

/* Only SoftHSM (by path) and @extra: registered modules are left out, as root must */
EkTokenManager *
token_fixture_manager (const char * const *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;

  g_strv_builder_add (builder, SOFTHSM_MODULE);
  if (extra != NULL)
    g_strv_builder_addv (builder, (const char **) extra);
  paths = g_strv_builder_end (builder);
  return ek_token_manager_new ((const char * const *) paths, EK_TOKEN_MANAGER_SKIP_REGISTERED);
}

EkToken *
token_fixture_find_token (GPtrArray  *tokens,
                          const char *label)
{
  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (ek_token_get_label (g_ptr_array_index (tokens, i)), label))
      return g_ptr_array_index (tokens, i);
  return NULL;
}

EkCertificateInfo *
token_fixture_find_cert (EkToken    *token,
                         const char *id_hex)
{
  GPtrArray *certificates = ek_token_get_certificates (token);

  for (guint i = 0; i < certificates->len; i++)
    {
      EkCertificateInfo *info = g_ptr_array_index (certificates, i);
      g_autofree char *id = ek_certificate_info_dup_object_id_hex (info);

      if (g_strcmp0 (id, id_hex) == 0)
        return info;
    }
  return NULL;
}

/* Runs a command (argv[0] is looked up in PATH unless absolute); returns the exit status */
int
token_fixture_run (const char * const *argv,
                   char              **out,
                   char              **err)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}

/* The names in SoftHSM's token folder: one sub-folder per token, so a test can see which
 * token it just made (inserted) or moved away (pulled out) */
GStrv
token_fixture_list_tokens_dir (const char *tokendir)
{
  g_autoptr(GDir) dir = g_dir_open (tokendir, 0, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_strv_builder_add (builder, name);
  return g_strv_builder_end (builder);
}
