/* test-diagnostics-window.c: main menu → Diagnostics, as a helpdesk agent reads it under Xvfb
 *
 * With SoftHSM2 keys and a real ekey-registry over TLS: the summary on top says the key and the
 * service are fine, the details hold the keys, Copy puts exactly the report on the clipboard.
 * In a remote session with no key: the summary says so and the advice on sharing appears.
 * Screenshots: diagnostics-LANG.png, diagnostics-remote-LANG.png.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-diagnostics-window.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "token-fixture.h"

static EkApplication *app;

static gboolean
has_report (gpointer window)
{
  return ek_diagnostics_window_get_text (window) != NULL;
}

static EkDiagnosticsWindow *
open_from_menu (void)
{
  EkDiagnosticsWindow *window;

  g_action_group_activate_action (G_ACTION_GROUP (app), "diagnostics", NULL);
  window = EK_DIAGNOSTICS_WINDOW (ek_ui_find_toplevel (EK_TYPE_DIAGNOSTICS_WINDOW));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  ek_ui_wait (GTK_WIDGET (window), has_report, window, "the report");
  return window;
}

static void
test_report (void)
{
  EkDiagnosticsWindow *window = open_from_menu ();
  const char *text = ek_diagnostics_window_get_text (window);
  g_autofree char *first_line = g_strndup (text, strcspn (text, "\n"));
  g_autofree char *pasted = NULL;

  /* The first line, large, on top: the key and the service are fine */
  g_assert_true (ek_ui_shows_text (GTK_WIDGET (window), first_line));
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (ek_ui_find (GTK_WIDGET (window), "details_view")));
    GtkTextIter start, end;
    g_autofree char *details = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    details = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_nonnull (strstr (details, "EK-TOKEN-A"));
    g_assert_nonnull (strstr (details, "test:0"));   /* SANE's test scanner, through the scan helper */
  }
  g_assert_nonnull (strstr (text, "9135************43"));
  g_assert_null (strstr (text, "91350100M000100Y43"));
  g_assert_nonnull (strstr (text, "gtk: 4."));
  ek_ui_screenshot (GTK_WIDGET (window), "diagnostics");

  /* Copy: the very report on the clipboard */
  g_signal_emit_by_name (ek_ui_find (GTK_WIDGET (window), "copy_button"), "clicked");
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
    GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
    g_auto(GValue) value = G_VALUE_INIT;

    g_assert_true (gdk_clipboard_is_local (clipboard));
    g_assert_nonnull (content);
    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
    pasted = g_value_dup_string (&value);
  }
  g_assert_cmpstr (pasted, ==, text);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_remote_session (void)
{
  EkDiagnosticsWindow *window;

  g_setenv ("SSH_CONNECTION", "192.0.2.7 50022 192.0.2.1 22", TRUE);
  g_setenv ("EKEY_PKCS11_MODULES", "", TRUE);   /* the key is on the clerk's own computer */
  window = open_from_menu ();
  g_assert_true (gtk_widget_get_visible (ek_ui_find (GTK_WIDGET (window), "sharing_label")));
  g_assert_true (ek_ui_shows_text (GTK_WIDGET (window), "ekey-tool token share"));
  ek_ui_screenshot (GTK_WIDGET (window), "diagnostics-remote");
  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("SSH_CONNECTION");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  EkApiServer *server;
  int status;

  ek_test_init (&argc, &argv);
  token_fixture_setup ();
  g_setenv ("EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  g_setenv ("EKEY_PKCS11_MODULES", SOFTHSM_MODULE, TRUE);
  runtime = g_dir_make_tmp ("ek-runtime-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("SSH_CONNECTION");
  g_unsetenv ("SSH_CLIENT");
  g_unsetenv ("SSH_TTY");
  g_unsetenv ("P11_KIT_SERVER_ADDRESS");
  ek_test_setup_sane ("number_of_devices 1\n");
  server = ek_api_server_start_tls (NULL);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", ek_api_tls ()->ca_cert, TRUE);

  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/diagnostics-window/report", test_report);
  g_test_add_func ("/diagnostics-window/remote-session", test_remote_session);
  status = g_test_run ();
  ek_api_server_free (server);
  return status;
}
