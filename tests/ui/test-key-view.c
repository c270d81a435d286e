/* test-key-view.c: “Your key” as a clerk sees it, on real SoftHSM2 tokens under Xvfb
 *
 * Shows every verdict (valid, check character wrong, absent), an expired and an expiring
 * certificate, follows a key inserted and pulled out, opens from the first page, and saves
 * screenshots in test-artifacts/ (key-view-LANG.png).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ek-application.h"
#include "ek-key-view.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-window.h"
#include "token-fixture.h"

static EkApplication *app;

static void
on_updated_cb (EkKeyView *view,
               gboolean  *updated)
{
  *updated = TRUE;
}

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

/* Until the view shows @n keys (it reads them on a worker thread and follows the poll) */
static void
wait_for_tokens (EkKeyView *view,
                 guint      n)
{
  TokenCount count = { view, n };

  ek_ui_wait (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (view))), shows_tokens, &count,
              "the key view to update");
}

static gboolean
has_read (gpointer view)
{
  return !ek_key_view_get_loading (view);
}

static guint
count_with_class (GtkWidget  *root,
                  const char *css_class)
{
  guint n = gtk_widget_has_css_class (root, css_class) && gtk_widget_is_drawable (root) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += count_with_class (child, css_class);
  return n;
}

static GtkWidget *
open_view (GtkWidget **view_out,
           int         height)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = ek_key_view_new (NULL);

  /* Its buttons start businesses through the application's actions */
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 860, height);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  *view_out = view;
  return window;
}

static gboolean
label_containing (GtkWidget  *widget,
                  const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (label_containing (c, text))
      return TRUE;
  return FALSE;
}

static void
expand_all (GtkWidget *widget)
{
  if (GTK_IS_EXPANDER (widget))
    gtk_expander_set_expanded (GTK_EXPANDER (widget), TRUE);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    expand_all (c);
}

static gboolean
label_starting_with_space (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget))[0] == ' ')
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (label_starting_with_space (c))
      return TRUE;
  return FALSE;
}

static void
test_every_verdict (void)
{
  GtkWidget *view = NULL;
  GtkWidget *window = open_view (&view, 2200);
  GtkWidget *scroller;

  wait_for_tokens (EK_KEY_VIEW (view), 2);
  ek_ui_iterate (window);

  /* One certificate of each verdict on the demo tokens, plus the SM2 one (valid) */
  g_assert_cmpuint (count_with_class (view, "verdict-valid"), ==, 2);
  g_assert_cmpuint (count_with_class (view, "verdict-bad-check"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "verdict-absent"), ==, 2);
  g_assert_cmpuint (count_with_class (view, "validity-expired"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "validity-soon"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "state-present"), ==, 2);
  g_assert_cmpuint (count_with_class (view, "key-card"), ==, 5);

  /* The details read in the clerk's language: key usages by name, subject attributes named and
   * set in by a margin, never by spaces a screen reader reads out */
  {
    const char *raw[] = { "digitalSignature", "nonRepudiation", "keyEncipherment", "keyCertSign", NULL };

    g_autofree char *organization = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "%s (%s)"),
                                                     g_dgettext (GETTEXT_PACKAGE, "Organization"), "O");

    expand_all (view);
    g_assert_true (label_containing (view, organization));
    g_assert_true (label_containing (view, g_dgettext (GETTEXT_PACKAGE, "Digital signature")));
    for (guint i = 0; raw[i] != NULL; i++)
      g_assert_false (label_containing (view, raw[i]));
    g_assert_false (label_starting_with_space (view));
  }

  /* One picture per screenful, top to bottom */
  scroller = gtk_widget_get_first_child (view);
  g_assert_true (GTK_IS_SCROLLED_WINDOW (scroller));
  {
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

    for (guint i = 1; i <= 6; i++)
      {
        g_autofree char *name = g_strdup_printf ("key-view-%u", i);
        double value = gtk_adjustment_get_value (adjustment);

        ek_ui_screenshot (window, name);
        if (value + gtk_adjustment_get_page_size (adjustment) >= gtk_adjustment_get_upper (adjustment))
          break;
        gtk_adjustment_set_value (adjustment, value + gtk_adjustment_get_page_size (adjustment) * 0.9);
      }
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Insert a key and pull it out: the view follows without being asked */
static void
test_follows_the_key (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *tokendir = g_build_filename (dir, "tokens", NULL);
  g_autofree char *aside = g_build_filename (dir, "aside-ui", NULL);
  g_auto(GStrv) before = token_fixture_list_tokens_dir (tokendir);
  g_auto(GStrv) after = NULL;
  g_autofree char *new_path = NULL, *out = NULL, *err = NULL;
  const char *init[] = { "softhsm2-util", "--init-token", "--free", "--label", "EK-TOKEN-NEW", "--so-pin",
                         "87654321", "--pin", "111111", NULL };
  GtkWidget *view = NULL;
  GtkWidget *window = open_view (&view, 700);
  gboolean updated = FALSE;

  g_signal_connect (view, "updated", G_CALLBACK (on_updated_cb), &updated);
  wait_for_tokens (EK_KEY_VIEW (view), 2);
  g_assert_cmpint (token_fixture_run (init, &out, &err), ==, 0);
  wait_for_tokens (EK_KEY_VIEW (view), 3);
  g_assert_true (updated);
  g_assert_cmpuint (count_with_class (view, "state-present"), ==, 3);

  after = token_fixture_list_tokens_dir (tokendir);
  for (guint i = 0; after[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) before, after[i]))
      new_path = g_build_filename (tokendir, after[i], NULL);
  g_assert_nonnull (new_path);
  g_assert_cmpint (g_rename (new_path, aside), ==, 0);
  wait_for_tokens (EK_KEY_VIEW (view), 2);
  ek_ui_iterate (window);
  g_assert_cmpuint (count_with_class (view, "state-present"), ==, 2);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_action (GtkWidget  *widget,
            const char *name)
{
  if (GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), name) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_action (child, name))
      return TRUE;
  return FALSE;
}

/* The first page leads to the key view */
static void
test_reachable_from_first_page (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;
  GtkWindow *key_window = NULL;
  GtkWidget *view;

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (GTK_WIDGET (window));
  g_assert_true (has_action (GTK_WIDGET (ek_window_get_current_page (window)), "app.show-key"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "show-key", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), "key-window") == 0)
      key_window = l->data;
  g_assert_nonnull (key_window);
  view = gtk_window_get_child (key_window);
  g_assert_true (EK_IS_KEY_VIEW (view));
  wait_for_tokens (EK_KEY_VIEW (view), 2);

  /* "Renew the certificate" on the expired card switches the wizard to renewal */
  g_action_group_activate_action (G_ACTION_GROUP (app), "start-business", g_variant_new_string ("renewal"));
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==, "renewal");

  gtk_window_destroy (key_window);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_business_button (GtkWidget  *widget,
                     const char *business)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "app.start-business") == 0 &&
      gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget)) != NULL &&
      g_strcmp0 (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget)), NULL), business) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_business_button (child, business))
      return TRUE;
  return FALSE;
}

/* One key state at a time, through the fault-injecting driver (SoftHSM never locks) */
static GtkWidget *
open_state (const char  *faults,
            gboolean     with_driver,
            GtkWidget  **view_out)
{
  const char *paths[] = { g_getenv ("EK_FAULT_MODULE"), NULL };
  g_autoptr(EkTokenManager) manager = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view;

  g_setenv ("EK_FAULT_PKCS11", faults, TRUE);
  manager = ek_token_manager_new (with_driver ? paths : NULL, EK_TOKEN_MANAGER_SKIP_REGISTERED);
  view = ek_key_view_new (manager);
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 860, 520);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_wait (window, has_read, view, "the key view to read");
  ek_ui_iterate (window);
  *view_out = view;
  return window;
}

static void
test_states (void)
{
  const char *dir = token_fixture_setup ();
  g_autofree char *cert = g_build_filename (dir, "certs", "valid.der", NULL);
  GtkWidget *view, *window;

  g_setenv ("EK_FAULT_PKCS11_CERT", cert, TRUE);
  g_setenv ("EKEY_VENDOR_MODULE_DIRS", dir, TRUE);
  g_unsetenv ("EKEY_PKCS11_MODULES");  /* only the fault driver from here on */

  /* PIN locked: said plainly, and the way out is the PIN-unlock business */
  window = open_state ("locked", TRUE, &view);
  g_assert_cmpuint (count_with_class (view, "state-locked"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "pin-danger"), ==, 1);
  g_assert_true (has_business_button (view, "pin-unlock"));
  ek_ui_screenshot (window, "key-view-locked");
  gtk_window_destroy (GTK_WINDOW (window));

  /* One more wrong PIN locks it */
  window = open_state ("final-try", TRUE, &view);
  g_assert_cmpuint (count_with_class (view, "state-present"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "pin-danger"), ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));

  /* A driver, no key */
  window = open_state ("no-token", TRUE, &view);
  g_assert_cmpuint (count_with_class (view, "key-card"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "key-problems"), ==, 0);
  ek_ui_screenshot (window, "key-view-no-key");
  gtk_window_destroy (GTK_WINDOW (window));

  /* A driver that fails to start: named with its error, and the view still says what to do */
  window = open_state ("init-fail", TRUE, &view);
  g_assert_cmpuint (count_with_class (view, "key-problems"), ==, 1);
  g_assert_cmpuint (count_with_class (view, "key-card"), ==, 1);
  ek_ui_screenshot (window, "key-view-no-driver");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  ek_test_init (&argc, &argv);
  token_fixture_setup ();
  /* Only the fixture's SoftHSM: root cannot use p11-kit's per-user configuration */
  g_setenv ("EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  g_setenv ("EKEY_PKCS11_MODULES", SOFTHSM_MODULE, TRUE);
  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/key-view/every-verdict", test_every_verdict);
  g_test_add_func ("/key-view/follows-the-key", test_follows_the_key);
  g_test_add_func ("/key-view/reachable-from-first-page", test_reachable_from_first_page);
  g_test_add_func ("/key-view/states", test_states);
  return g_test_run ();
}
