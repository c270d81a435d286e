/* test-key-view-shared.c: the key view in a remote session, showing a key shared from another
 * computer with `ekey-tool token share`
 *
 * This process cannot open SoftHSM2 (its SOFTHSM2_CONF points nowhere, registered modules are
 * left out): the keys it shows come through p11-kit's client module from the share's socket
 * ($P11_KIT_SERVER_ADDRESS). Stopping the share makes them go from the view.
 * Screenshots: key-view-shared-LANG.png, key-view-share-stopped-LANG.png.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <signal.h>

#include "ek-key-view.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "token-fixture.h"

typedef struct
{
  EkKeyView *view;
  guint      n;
} TokenCount;

static gboolean
shows_tokens (gpointer data)
{
  TokenCount *count = data;

  return !ek_key_view_get_loading (count->view) && ek_key_view_get_tokens (count->view) != NULL &&
         ek_key_view_get_tokens (count->view)->len == count->n;
}

static void
test_shared_key (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *conf = g_strdup (g_getenv ("SOFTHSM2_CONF"));
  g_autofree char *socket_path = g_build_filename (dir, "share.sock", NULL);
  g_autofree char *address = g_strconcat ("unix:path=", socket_path, NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) share = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *view;
  GPtrArray *tokens;
  TokenCount count;
  char *line;

  /* The clerk's own computer shares the keys */
  g_subprocess_launcher_setenv (launcher, "SOFTHSM2_CONF", conf, TRUE);
  g_subprocess_launcher_setenv (launcher, "EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  share = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("EK_TOOL"), "token", "share", "--module",
                                       SOFTHSM_MODULE, "--only-listed", "--socket", socket_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (share));
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "P11_KIT_SERVER_ADDRESS="))
    g_free (line);
  g_assert_nonnull (line);
  g_free (line);

  /* The remote session: no SoftHSM here, only the forwarded socket */
  g_setenv ("SOFTHSM2_CONF", "/nonexistent/softhsm2.conf", TRUE);
  g_setenv ("P11_KIT_SERVER_ADDRESS", address, TRUE);
  g_setenv ("EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  g_unsetenv ("EKEY_PKCS11_MODULES");

  window = gtk_window_new ();
  view = ek_key_view_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 860, 700);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  count = (TokenCount) { EK_KEY_VIEW (view), 2 };
  ek_ui_wait (window, shows_tokens, &count, "the shared keys");
  tokens = ek_key_view_get_tokens (EK_KEY_VIEW (view));
  for (guint i = 0; i < tokens->len; i++)
    g_assert_true (g_str_has_suffix (ek_token_get_module_path (g_ptr_array_index (tokens, i)), "p11-kit-client.so"));
  g_assert_true (ek_ui_shows_text (window, "EK-TOKEN-A"));
  ek_ui_screenshot (window, "key-view-shared");

  /* Sharing stopped: the keys go from the view */
  g_subprocess_send_signal (share, SIGTERM);
  g_subprocess_wait (share, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (share), ==, 0);
  count.n = 0;
  ek_ui_wait (window, shows_tokens, &count, "the keys to go when the sharing stops");
  ek_ui_screenshot (window, "key-view-share-stopped");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *runtime = NULL;

  ek_ui_init (&argc, &argv);
  runtime = g_dir_make_tmp ("ek-runtime-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("P11_KIT_SERVER_ADDRESS");
  g_test_add_func ("/key-view/shared-from-another-computer", test_shared_key);
  return g_test_run ();
}
