/* ek-ui-key-fixture.c: the wizard's businesses done with the key, set up for a UI journey */
#include "config.h"

#include <glib/gstdio.h>

#include "ek-test-common.h"
#include "ek-ui-key-fixture.h"
#include "ek-ui-test.h"

EkUiKeyFixture *
ek_ui_key_fixture_start (int         *argc,
                         char      ***argv,
                         const char  *uscc,
                         const char  *name)
{
  EkUiKeyFixture *f = g_new0 (EkUiKeyFixture, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL, *key_dir = NULL, *conf = NULL, *ca = NULL, *key = NULL;
  g_autofree char *user = NULL, *err = NULL, *out = NULL;
  int status;

  f->data_home = g_dir_make_tmp ("ek-key-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", f->data_home, TRUE);
  f->work_dir = g_build_filename (f->data_home, "clerk", NULL);
  g_mkdir_with_parents (f->work_dir, 0700);

  /* The key: only it, through SoftHSM by path */
  key_dir = g_build_filename (f->data_home, "key", NULL);
  script = g_build_filename (ek_test_source_root (), "tests", "api", "make-renewal-token.sh", NULL);
  {
    const char *args[] = { script, key_dir, NULL };
    g_spawn_sync (NULL, (char **) args, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("make-renewal-token.sh failed: %s", err);
  }
  conf = g_build_filename (key_dir, "softhsm2.conf", NULL);
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);
  g_setenv ("EKEY_PKCS11_MODULES", "/usr/lib/softhsm/libsofthsm2.so", TRUE);
  g_setenv ("EKEY_PKCS11_NO_REGISTERED", "1", TRUE);

  ek_ui_init (argc, argv);

  /* The service, with the key's issuing CA, and the key's certificate on its record */
  ca = g_build_filename (key_dir, "ca.pem", NULL);
  key = g_build_filename (key_dir, "ca.key", NULL);
  user = g_build_filename (key_dir, "user.pem", NULL);
  {
    const char *args[] = { "--issuing-ca", ca, "--issuing-key", key, NULL };
    f->server = ek_api_server_start_tls (args);
  }
  out = uscc != NULL ? ek_api_run (f->server, NULL, "certificates", "add", user, "--uscc", uscc, "--name", name, NULL)
                     : ek_api_run (f->server, NULL, "certificates", "add", user, NULL);
  g_assert_true (g_str_has_suffix (out, "recorded\n"));
  g_setenv ("EKEY_REGISTRY_URL", f->server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", f->server->ca_file, TRUE);

  f->app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  return f;
}

void
ek_ui_key_fixture_stop (EkUiKeyFixture *f)
{
  /* the application stays registered until the process ends, as the journeys leave it */
  ek_api_server_free (f->server);
  g_free (f->work_dir);
  g_free (f->data_home);
  g_free (f);
}
