/* test-wizard.c: the wizard window as a clerk meets it
 *
 * Runs the real EkWindow under Xvfb in the language of $LANGUAGE (zh_CN and en), checks what
 * the clerk sees (titles, the business types, whether Next can be pressed), walks to a business
 * type and back, and saves screenshots in the build tree's test-artifacts/.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>
#include <libglib-testing/signal-logger.h>

#include "ek-account-page.h"
#include "ek-application.h"
#include "ek-business-type-page.h"
#include "ek-step-row.h"
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

  /* Choose “first application” (Enter, Space or a click on its row): the page becomes complete,
   * and the wizard goes on to its first step */
  row = ek_ui_find_any (GTK_WIDGET (window), "first-application");
  g_assert_nonnull (row);
  list = gtk_widget_get_parent (row);
  g_assert_true (gtk_list_box_get_selection_mode (GTK_LIST_BOX (list)) == GTK_SELECTION_NONE);
  g_signal_emit_by_name (list, "row-activated", row);
  ek_ui_iterate (current_window);

  /* The page reacts to the draft (becoming complete) before the draft's notification is logged */
  gt_signal_logger_assert_notify_emission_pop (logger, first, "complete");
  gt_signal_logger_assert_notify_emission_pop (logger, ek_window_get_draft (window), "business-type-id");
  gt_signal_logger_assert_no_emissions (logger);
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==,
                   "first-application");
  g_assert_true (ek_business_type_page_get_chosen_row (EK_BUSINESS_TYPE_PAGE (first)) == GTK_LIST_BOX_ROW (row));
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ek_ui_iterate (current_window);
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
  g_assert_true (ek_business_type_page_get_chosen_row (EK_BUSINESS_TYPE_PAGE (first)) == GTK_LIST_BOX_ROW (row));
  g_assert_true (gtk_widget_has_css_class (row, "chosen"));
  g_assert_true (ek_page_get_complete (first));
  g_assert_true (gtk_widget_is_sensitive (button (window, "wizard.next")));
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.back")));

  /* Another business type shares steps with the first: the same pages are kept */
  g_signal_emit_by_name (list, "row-activated", ek_ui_find_any (GTK_WIDGET (window), "pin-unlock"));
  ek_ui_iterate (current_window);
  /* The unlock asks for no reason and no collecting authority (seed 001 §4.2): no such step */
  g_assert_cmpuint (ek_window_get_n_pages (window), ==, 9);
  g_assert_true (ek_window_get_current_page (window) == account);
  g_assert_false (gtk_widget_has_css_class (row, "chosen"));

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

  g_auto(GStrv) names = g_strsplit (keys, " ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (builder, "xdotool", "key", "--delay", "40", NULL);
  g_strv_builder_addv (builder, (const char **) names);
  argv = g_strv_builder_end (builder);
  proc = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_NONE, &error);
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

static gboolean
has_focus_on (EkWindow      *window,
              gconstpointer  name)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return focus != NULL && g_strcmp0 (gtk_widget_get_name (focus), name) == 0;
}

static gboolean
focus_is_in_current_page (EkWindow *window)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (ek_window_get_current_page (window))) &&
         gtk_widget_get_mapped (focus);
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

  /* The first business type has the focus; Down and Tab move the focus and choose nothing */
  press ("Down");
  wait_until (window, has_focus_on, "first-application-offline", "Down to move to the second business type");
  press ("Down Down Up Tab shift+Tab");
  wait_until (window, has_focus_on, "renewal", "Down, Up, Tab, Shift+Tab to move through the list");
  g_assert_null (ek_application_draft_get_business_type_id (ek_window_get_draft (window)));
  g_assert_false (gtk_widget_is_sensitive (button (window, "wizard.next")));
  press ("Up");
  wait_until (window, has_focus_on, "first-application-offline", "Up to move back to the second business type");

  /* Enter chooses it and goes on to its first step, where the focus ring is drawn */
  press ("Return");
  wait_until (window, is_at_step, GUINT_TO_POINTER (1), "Enter to go to the first step");
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==, "first-application-offline");
  g_assert_true (focus_is_in_current_page (window));
  g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (window)));

  /* Alt+Left goes back, Alt+Right forward again: the choice was kept */
  press ("alt+Left");
  wait_until (window, is_at_step, GUINT_TO_POINTER (0), "Alt+Left to go back");
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==, "first-application-offline");
  /* …on the chosen row, with a focus ring; passing over the others changes nothing */
  g_assert_true (has_focus_on (window, "first-application-offline"));
  g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (window)));
  press ("Down Down Tab");
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==, "first-application-offline");
  press ("alt+Right");
  wait_until (window, is_at_step, GUINT_TO_POINTER (1), "Alt+Right to go forward");
  g_assert_true (focus_is_in_current_page (window));

  /* Space chooses too */
  press ("alt+Left");
  wait_until (window, is_at_step, GUINT_TO_POINTER (0), "Alt+Left to go back");
  press ("Up space");
  wait_until (window, has_business_type, "first-application", "Up and Space to choose the first business type");
  wait_until (window, is_at_step, GUINT_TO_POINTER (1), "Space to go on to its first step");

  /* The button mnemonic works too: Alt+B is Back */
  press ("alt+b");
  wait_until (window, is_at_step, GUINT_TO_POINTER (0), "Alt+B (the Back button) to go back");
  ek_ui_screenshot (GTK_WIDGET (window), "keyboard");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* An application already on the registration service stays the business it was sent as */
static void
test_fixed_business_type (void)
{
  EkWindow *window = open_window ();
  EkApplicationDraft *draft = ek_window_get_draft (window);
  EkPage *first = ek_window_get_current_page (window);
  GtkWidget *seal = ek_ui_find_any (GTK_WIDGET (window), "electronic-seal");
  GtkWidget *row = ek_ui_find_any (GTK_WIDGET (window), "first-application");

  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_iterate (current_window);
  ek_application_draft_set_string (draft, "application-id", "0b8f3c52-5a51-4f0e-9b1c-7d1c0b1f2a10");
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ek_ui_iterate (current_window);

  /* The other businesses cannot be chosen, and the page says why */
  g_assert_true (ek_window_get_current_page (window) == first);
  g_assert_false (gtk_widget_is_sensitive (seal));
  g_assert_true (gtk_widget_is_sensitive (row));
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", seal);
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_application_draft_get_business_type_id (draft), ==, "first-application");
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 0);
  g_assert_true (ek_business_type_page_get_chosen_row (EK_BUSINESS_TYPE_PAGE (first)) == GTK_LIST_BOX_ROW (row));
  ek_ui_screenshot (GTK_WIDGET (window), "business-type-fixed");

  /* Nor can a button elsewhere (the key view's "start this business") */
  g_action_group_activate_action (G_ACTION_GROUP (app), "start-business", g_variant_new_string ("electronic-seal"));
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_application_draft_get_business_type_id (draft), ==, "first-application");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
continue_offered (gpointer data)
{
  GtkWidget *button = ek_ui_find (data, "continue");

  return button != NULL && gtk_widget_get_mapped (button);
}

static gboolean
draft_is (gpointer data)
{
  return g_strcmp0 (ek_application_draft_get_id (ek_window_get_draft (EK_WINDOW (current_window))), data) == 0;
}

static guint
count_wizard_windows (void)
{
  guint n = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (EK_IS_WINDOW (l->data))
      n++;
  return n;
}

static EkStepRow *
step_row (EkWindow *window,
          guint     index)
{
  GtkWidget *list = gtk_widget_get_parent (GTK_WIDGET (ek_ui_find_type (GTK_WIDGET (window), EK_TYPE_STEP_ROW)));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index);

  g_assert_true (EK_IS_STEP_ROW (row));
  return EK_STEP_ROW (row);
}

/* "Continue" on a saved application: it continues in the same window (a screen reader stays
 * on it), on the step it was left; back on the first page and forward again, the steps keep
 * their state and take the clerk where they were */
static void
test_continue_in_same_window (void)
{
  EkDraftStore *store = ek_application_get_draft_store (app);
  g_autoptr(EkApplicationDraft) saved = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  EkWindow *window;
  GtkWidget *list;
  guint review;

  delete_drafts ();
  ek_application_draft_set_business_type_id (saved, "first-application");
  ek_application_draft_set_string (saved, "enterprise-name", "Same Window Trading Co");
  ek_application_draft_set_step (saved, "review");
  g_assert_true (ek_draft_store_save (store, saved, &error));
  g_assert_no_error (error);

  {
    g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);

    window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  }
  gtk_window_present (GTK_WINDOW (window));
  current_window = GTK_WIDGET (window);
  ek_ui_wait (current_window, continue_offered, window, "the saved application to be offered");
  g_assert_cmpuint (count_wizard_windows (), ==, 1);

  gtk_widget_activate (ek_ui_find (GTK_WIDGET (window), "continue"));
  ek_ui_wait (current_window, draft_is, (gpointer) ek_application_draft_get_id (saved), "the saved application");
  ek_ui_iterate (current_window);
  g_assert_cmpuint (count_wizard_windows (), ==, 1);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "review");
  review = ek_window_get_current_index (window);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                         GTK_WIDGET (ek_window_get_current_page (window))));

  /* Back to the business page: the steps passed stay done, and the step list jumps */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  ek_ui_iterate (current_window);
  g_assert_true (ek_window_go_to_step (window, "account"));
  ek_ui_iterate (current_window);
  while (ek_window_get_current_index (window) > 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
      ek_ui_iterate (current_window);
    }
  g_assert_cmpint (ek_step_row_get_state (step_row (window, 1)), ==, EK_STEP_STATE_DONE);
  g_assert_cmpint (ek_step_row_get_state (step_row (window, review - 1)), ==, EK_STEP_STATE_DONE);
  g_assert_cmpint (ek_step_row_get_state (step_row (window, review + 1)), ==, EK_STEP_STATE_TODO);
  /* (the account step is not complete without a session: the list reaches it, not past it) */
  list = gtk_widget_get_parent (GTK_WIDGET (step_row (window, 1)));
  g_signal_emit_by_name (list, "row-activated", step_row (window, 1));
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "account");
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (step_row (window, 0))));
  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (step_row (window, review + 1))));
  ek_ui_screenshot (GTK_WIDGET (window), "continued-steps");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
key_window_gone (gpointer data)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), "key-window") == 0)
      return FALSE;
  return TRUE;
}

static GtkWindow *
open_key_window (void)
{
  GtkWindow *key = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "show-key", NULL);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), "key-window") == 0)
      key = l->data;
  g_assert_nonnull (key);
  ek_ui_iterate (GTK_WIDGET (key));
  {
    g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (key))));
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) focus = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                                     "xdotool", "windowfocus", "--sync", xid, NULL);

    g_assert_no_error (error);
    g_subprocess_wait_check (focus, NULL, &error);
    g_assert_no_error (error);
  }
  ek_ui_iterate (GTK_WIDGET (key));
  return key;
}

/* The key view closes from the keyboard: Escape, Ctrl+W, or its own Close button */
static void
test_key_window_closes_by_keyboard (void)
{
  EkWindow *window = open_window ();
  GtkWindow *key;

  key = open_key_window ();
  g_assert_nonnull (ek_ui_find (GTK_WIDGET (key), "close-key-window"));
  press ("Escape");
  ek_ui_wait (current_window, key_window_gone, NULL, "Escape to close the key view");

  open_key_window ();
  press ("ctrl+w");
  ek_ui_wait (current_window, key_window_gone, NULL, "Ctrl+W to close the key view");

  key = open_key_window ();
  gtk_widget_grab_focus (ek_ui_find (GTK_WIDGET (key), "close-key-window"));
  press ("space");
  ek_ui_wait (current_window, key_window_gone, NULL, "its Close button to close the key view");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A counter PC or a remote desktop of 800 × 600: every page of a first application fits, in
 * Chinese and in English, as the window's minimum size says (what a window manager obeys).
 * One test per step (the data is the step id; NULL for the first page). */
static void
test_fits_800x600 (gconstpointer data)
{
  const char *step = data;
  EkWindow *window = open_window ();
  GtkWidget *row = ek_ui_find_any (GTK_WIDGET (window), "first-application");
  int min_width, min_height;

  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_iterate (current_window);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  if (step == NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "wizard.back", NULL);
  else
    g_assert_true (ek_window_go_to_step (window, step));
  ek_ui_iterate (current_window);

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, min_width, &min_height, NULL, NULL, NULL);
  g_test_message ("%s: at least %d × %d", step ? step : "business type", min_width, min_height);
  if (step != NULL && (g_str_equal (step, "materials") || g_str_equal (step, "review")))
    {
      g_autofree char *name = g_strdup_printf ("800x600-%s", step);
      ek_ui_screenshot (GTK_WIDGET (window), name);
    }
  g_assert_cmpint (min_width, <=, 800);
  g_assert_cmpint (min_height, <=, 600);
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
  /* …in a sentence of their language around the JSON parser's own (English) words */
  {
    g_auto(GStrv) parts = g_strsplit (g_dgettext (GETTEXT_PACKAGE, "The catalogue “%s” cannot be read: it is not well-formed JSON (details for the helpdesk: %s)."), "%s", -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 3);
    g_assert_nonnull (strstr (error->message, parts[1]));
  }
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
  g_test_add_func ("/wizard/fixed-business-type", test_fixed_business_type);
  g_test_add_func ("/wizard/continue-in-same-window", test_continue_in_same_window);
  g_test_add_func ("/wizard/key-window-closes-by-keyboard", test_key_window_closes_by_keyboard);
  {
    g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
    EkBusinessType *type = ek_catalogue_lookup_business_type (catalogue, "first-application");

    g_assert_no_error (error);
    g_test_add_data_func ("/wizard/fits-800x600/business-type", NULL, test_fits_800x600);
    for (guint i = 0; i < ek_business_type_get_n_steps (type); i++)
      {
        const char *step = ek_business_type_get_step (type, i)->id;
        g_autofree char *path = g_strdup_printf ("/wizard/fits-800x600/%s", step);

        g_test_add_data_func (path, g_strdup (step), test_fits_800x600);
      }
  }
  g_test_add_func ("/wizard/broken-catalogue", test_broken_catalogue_is_explained);

  return g_test_run ();
}
