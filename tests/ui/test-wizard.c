/* test-wizard.c: the wizard window as a clerk meets it
 *
 * Runs the real EkWindow under Xvfb in the language of $LANGUAGE (zh_CN and en), checks what
 * the clerk sees (titles, the business types, whether Next can be pressed), walks to a business
 * type and back, and saves screenshots in the build tree's test-artifacts/.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <libglib-testing/signal-logger.h>

#include "ek-account-page.h"
#include "ek-application.h"
#include "ek-business-type-page.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-window.h"

typedef struct
{
  const char *language;
  const char *first_title;      /* the first page's title */
  const char *first_application; /* the name of the first business type */
  const char *account_title;    /* the first step of a first application */
} Expected;

static const Expected expectations[] = {
  { "zh_CN", "您需要办理什么业务？", "首次申领", "账号" },
  { "en", "What do you need to do?", "First application", "Account" },
};

static const Expected *expected;
static EkApplication *app;
static GtkWidget *current_window;

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0 &&
         gtk_widget_is_drawable (widget);
}

static GtkWidget *
button (EkWindow   *window,
        const char *action)
{
  GtkWidget *titlebar = gtk_window_get_titlebar (GTK_WINDOW (window));
  GtkWidget *found = ek_ui_find_action (titlebar, action);

  g_assert_nonnull (found);
  return found;
}

static gboolean
shows_text (EkWindow   *window,
            const char *text)
{
  return ek_ui_find_match (GTK_WIDGET (window), is_label_with_text, text) != NULL;
}

/* Each test starts as on a machine with no application in progress */
static void
delete_drafts (void)
{
  EkDraftStore *store = ek_application_get_draft_store (app);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = ek_draft_store_list (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < drafts->len; i++)
    {
      g_assert_true (ek_draft_store_delete (store, ((EkDraftSummary *) g_ptr_array_index (drafts, i))->id, &error));
      g_assert_no_error (error);
    }
}

static EkWindow *
open_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;

  g_assert_no_error (error);
  delete_drafts ();
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 680);
  gtk_window_present (GTK_WINDOW (window));
  current_window = GTK_WIDGET (window);
  ek_ui_iterate (current_window);
  return window;
}

static void
test_first_page_lists_business_types (void)
{
  EkWindow *window = open_window ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  GListModel *types = ek_catalogue_get_business_types (catalogue);

  /* The clerk sees the question and all ten businesses, in their language */
  g_assert_true (shows_text (window, expected->first_title));
  g_assert_true (shows_text (window, expected->first_application));
  g_assert_cmpuint (g_list_model_get_n_items (types), ==, 10);
  for (guint i = 0; i < g_list_model_get_n_items (types); i++)
    {
      g_autoptr(EkBusinessType) type = g_list_model_get_item (types, i);
      g_assert_true (shows_text (window, ek_business_type_get_name (type)));
      g_assert_true (shows_text (window, ek_business_type_get_summary (type)));
    }

  /* Nothing chosen: Back and Next cannot be pressed */
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.next")));
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.back")));

  ek_ui_screenshot (GTK_WIDGET (window), "business-types");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_choose_walk_and_back (void)
{
  EkWindow *window = open_window ();
  g_autoptr(GtSignalLogger) logger = gt_signal_logger_new ();
  EkPage *first = ek_window_get_current_page (window);
  GtkWidget *row, *list;
  EkPage *account;

  g_assert_true (EK_IS_BUSINESS_TYPE_PAGE (first));
  g_assert_false (ek_page_get_complete (first));
  gt_signal_logger_connect (logger, first, "notify::complete");
  gt_signal_logger_connect (logger, ek_window_get_draft (window), "notify::business-type-id");

  /* Choose “first application”: the page becomes complete and Next can be pressed */
  row = ek_ui_find_any (GTK_WIDGET (window), "first-application");
  g_assert_nonnull (row);
  list = gtk_widget_get_parent (row);
  gtk_list_box_select_row (GTK_LIST_BOX (list), GTK_LIST_BOX_ROW (row));
  ek_ui_iterate (current_window);

  /* The page reacts to the draft (becoming complete) before the draft's notification is logged */
  gt_signal_logger_assert_notify_emission_pop (logger, first, "complete");
  gt_signal_logger_assert_notify_emission_pop (logger, ek_window_get_draft (window), "business-type-id");
  gt_signal_logger_assert_no_emissions (logger);
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==,
                   "first-application");
  g_assert_true (gtk_widget_is_sensitive (button (window, "wizard.next")));

  /* Its steps appear in the step list: the form is four of them */
  g_assert_cmpuint (ek_window_get_n_pages (window), ==, 10);
  g_assert_true (shows_text (window, expected->account_title));
  ek_ui_screenshot (GTK_WIDGET (window), "business-type-chosen");

  /* Next: the account step, which stays incomplete until the clerk has logged in */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 1);
  account = ek_window_get_current_page (window);
  g_assert_true (EK_IS_ACCOUNT_PAGE (account));
  g_assert_cmpstr (ek_page_get_title (account), ==, expected->account_title);
  g_assert_false (ek_page_get_complete (account));
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.next")));
  g_assert_true (gtk_widget_is_sensitive (button (window, "wizard.back")));
  ek_ui_screenshot (GTK_WIDGET (window), "account-step");

  /* Next on an incomplete page does nothing */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 1);

  /* Back: the choice is still there */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 0);
  g_assert_true (ek_window_get_current_page (window) == first);
  g_assert_true (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)) == GTK_LIST_BOX_ROW (row));
  g_assert_true (ek_page_get_complete (first));
  g_assert_true (gtk_widget_is_sensitive (button (window, "wizard.next")));
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.back")));

  /* Another business type shares steps with the first: the same pages are kept */
  gtk_list_box_select_row (GTK_LIST_BOX (list),
                           GTK_LIST_BOX_ROW (ek_ui_find_any (GTK_WIDGET (window), "pin-unlock")));
  ek_ui_iterate (current_window);
  /* The unlock asks for no reason and no collecting authority (seed 001 §4.2): no such step */
  g_assert_cmpuint (ek_window_get_n_pages (window), ==, 9);
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ek_ui_iterate (current_window);
  g_assert_true (ek_window_get_current_page (window) == account);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_xdotool_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Real key presses through the X server (XTEST), the way a keyboard user's reach the app */
static void
press (const char *keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  gboolean done = FALSE;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                           "xdotool", "key", "--delay", "40", keys, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (proc, NULL, on_xdotool_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef gboolean (*Condition) (EkWindow *window, gconstpointer data);

static void
wait_until (EkWindow      *window,
            Condition      condition,
            gconstpointer  data,
            const char    *what)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!condition (window, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up waiting for: %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  ek_ui_iterate (current_window);
}

static gboolean
is_at_step (EkWindow      *window,
            gconstpointer  index)
{
  return ek_window_get_current_index (window) == GPOINTER_TO_UINT (index);
}

static gboolean
has_business_type (EkWindow      *window,
                   gconstpointer  id)
{
  return g_strcmp0 (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), id) == 0;
}

static void
test_keyboard_only (void)
{
  EkWindow *window = open_window ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) pointer = NULL;

  /* Without a window manager, X gives key focus to the window under the pointer */
  pointer = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "xdotool", "mousemove", "600", "400", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (pointer, NULL, &error);
  g_assert_no_error (error);

  /* The first business type has the focus; Down moves to the second and chooses it */
  press ("Down");
  wait_until (window, has_business_type, "first-application-offline", "Down to choose the second business type");
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 0);

  /* Enter goes on to its first step */
  press ("Return");
  wait_until (window, is_at_step, GUINT_TO_POINTER (1), "Enter to go to the first step");

  /* Alt+Left goes back, Alt+Right forward again: the choice was kept */
  press ("alt+Left");
  wait_until (window, is_at_step, GUINT_TO_POINTER (0), "Alt+Left to go back");
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==, "first-application-offline");
  press ("alt+Right");
  wait_until (window, is_at_step, GUINT_TO_POINTER (1), "Alt+Right to go forward");

  /* The button mnemonic works too: Alt+B is Back */
  press ("alt+b");
  wait_until (window, is_at_step, GUINT_TO_POINTER (0), "Alt+B (the Back button) to go back");
  ek_ui_screenshot (GTK_WIDGET (window), "keyboard");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_broken_catalogue_is_explained (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ek_test_write_temp_file ("catalogue.json", "{\"format\": 1", -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_from_file (file, &error);
  EkWindow *window;

  g_assert_null (catalogue);
  window = ek_window_new (GTK_APPLICATION (app), NULL, error);
  gtk_window_present (GTK_WINDOW (window));
  current_window = GTK_WIDGET (window);
  ek_ui_iterate (current_window);

  /* The clerk (or the helpdesk) reads which file is wrong; nothing can be pressed */
  g_assert_true (shows_text (window, error->message));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.next")));
  ek_ui_screenshot (GTK_WIDGET (window), "catalogue-error");

  /* …and can hand it to the helpdesk word for word */
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
    GValue text = G_VALUE_INIT;

    gtk_widget_activate_action (GTK_WIDGET (window), "window.copy-error", NULL);
    g_assert_true (gdk_clipboard_is_local (clipboard));
    g_value_init (&text, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (gdk_clipboard_get_content (clipboard), &text, NULL));
    g_assert_cmpstr (g_value_get_string (&text), ==, error->message);
    g_value_unset (&text);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *language = g_getenv ("LANGUAGE");
  /* Choosing a business type saves a draft: keep them out of the user's folder, and start
   * with none (the first page would offer them) */
  g_autofree char *data_home = g_dir_make_tmp ("ek-wizard-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  ek_ui_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (expectations); i++)
    if (g_strcmp0 (language, expectations[i].language) == 0)
      expected = &expectations[i];
  if (expected == NULL)
    g_error ("Set LANGUAGE to zh_CN or en");

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/wizard/first-page", test_first_page_lists_business_types);
  g_test_add_func ("/wizard/choose-walk-back", test_choose_walk_and_back);
  g_test_add_func ("/wizard/keyboard-only", test_keyboard_only);
  g_test_add_func ("/wizard/broken-catalogue", test_broken_catalogue_is_explained);

  return g_test_run ();
}
