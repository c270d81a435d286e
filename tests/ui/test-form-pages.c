/* test-form-pages.c: the application form, "check your answers", and the server's messages
 *
 * Runs the real EkWindow under Xvfb in the language of $LANGUAGE (zh_CN and en): types into
 * the form's fields as a clerk would, checks what the clerk then sees (the message under the
 * field, the summary at the top, whether Next can be pressed), walks the review page's Change
 * buttons, and saves a screenshot of each form page and the review page in test-artifacts/.
 * Drafts are kept in a temporary $XDG_DATA_HOME.
 */
#include "config.h"

#include <string.h>
#include <gtk/gtk.h>

#include <signal.h>
#include <glib/gstdio.h>

#include "ek-application.h"
#include "ek-business-type-page.h"
#include "ek-draft-list.h"
#include "ek-form-page.h"
#include "ek-pages.h"
#include "ek-review-page.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-window.h"

typedef struct
{
  const char *language;
  const char *mobile_message;    /* part of the message on a wrong mobile number */
  const char *check_character;   /* part of the warning on a wrong USCC check character */
  const char *back_to_review;    /* the Next button after Change */
} Expected;

static const Expected expectations[] = {
  { "zh_CN", "11位手机号码", "校验码", "返回核对信息" },
  { "en", "11-digit mobile number", "check character", "Return to Check your answers" },
};

static const Expected *expected;
static EkApplication *app;
static GtkWidget *current_window;

static GtkWidget *
page_widget (EkWindow   *window,
             const char *name)
{
  GtkWidget *found = ek_ui_find_any (GTK_WIDGET (ek_window_get_current_page (window)), name);

  if (found == NULL)
    g_error ("No “%s” on the page shown", name);
  return found;
}

static gboolean
next_enabled (EkWindow *window)
{
  return gtk_widget_is_sensitive (GTK_WIDGET (g_object_get_data (G_OBJECT (window), "test-next")));
}

static gboolean
next_is_enabled (gpointer window)
{
  return next_enabled ((EkWindow *) window);
}

static gboolean
next_is_disabled (gpointer window)
{
  return !next_enabled ((EkWindow *) window);
}

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

static void
track_window (EkWindow *window)
{
  current_window = GTK_WIDGET (window);
  g_object_set_data (G_OBJECT (window), "test-next",
                     ek_ui_find_action (gtk_window_get_titlebar (GTK_WINDOW (window)), "wizard.next"));
  ek_ui_iterate (current_window);
}

static EkWindow *
open_new_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 680);
  gtk_window_present (GTK_WINDOW (window));
  track_window (window);
  return window;
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
  g_object_set_data (G_OBJECT (window), "test-next",
                     ek_ui_find_action (gtk_window_get_titlebar (GTK_WINDOW (window)), "wizard.next"));
  ek_ui_iterate (current_window);

  ek_application_draft_set_business_type_id (ek_window_get_draft (window), "first-application");
  ek_ui_iterate (current_window);
  return window;
}

static void
go_to (EkWindow   *window,
       const char *step)
{
  g_assert_true (ek_window_go_to_step (window, step));
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, step);
}

/* Types into a field the way the clerk does: the text changes, then the focus stays there */
static void
type_into (EkWindow   *window,
           const char *field,
           const char *text)
{
  GtkWidget *entry = page_widget (window, field);

  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static void
choose (EkWindow   *window,
        const char *field,
        guint       index)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (page_widget (window, field)), index);
  ek_ui_iterate (current_window);
}

typedef struct
{
  EkWindow   *window;
  const char *name;
} Named;

static gboolean
message_shown (gpointer data)
{
  const Named *named = data;
  g_autofree char *name = g_strconcat (named->name, "-message", NULL);
  GtkWidget *label = page_widget (named->window, name);

  return gtk_widget_get_visible (label) && gtk_label_get_label (GTK_LABEL (label))[0] != '\0';
}

static gboolean
message_gone (gpointer data)
{
  return !message_shown (data);
}

static const char *
message_of (EkWindow   *window,
            const char *field)
{
  g_autofree char *name = g_strconcat (field, "-message", NULL);

  return gtk_label_get_label (GTK_LABEL (page_widget (window, name)));
}

/* The labels of the summary's buttons */
static char *
summary_text (EkWindow *window)
{
  GtkWidget *summary = page_widget (window, "error-summary");
  GString *text = g_string_new (NULL);

  if (!gtk_widget_get_visible (summary))
    return g_string_free (text, FALSE);
  for (GtkWidget *w = summary; w != NULL; )
    {
      if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_widget_get_name (w), "summary-link") == 0)
        g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (w)))));
      /* depth-first walk inside the summary */
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != summary && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == summary ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  return g_string_free (text, FALSE);
}

static GtkWidget *
summary_button_for (EkWindow   *window,
                    const char *field)
{
  GtkWidget *summary = page_widget (window, "error-summary");

  for (GtkWidget *w = summary; w != NULL; )
    {
      if (GTK_IS_BUTTON (w) && g_strcmp0 (g_object_get_data (G_OBJECT (w), "ek-field"), field) == 0)
        return w;
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != summary && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == summary ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  return NULL;
}

static gboolean
has_focus_in (EkWindow  *window,
              GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
iterate_main (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fill_contact_page (EkWindow *window)
{
  go_to (window, "form-contact");
  type_into (window, "email", "wangqiang@example.com");
  type_into (window, "contact-address", "北京技术开发区荣华中路11号");
  type_into (window, "postcode", "100176");
}

static void
test_invalid_mobile (void)
{
  EkWindow *window = open_window ();
  Named mobile = { window, "mobile" };
  g_autofree char *summary = NULL;
  GtkWidget *entry;

  fill_contact_page (window);
  ek_ui_screenshot (GTK_WIDGET (window), "form-contact-empty");

  /* One digit short: the message appears beside the field and in the summary; Next is off */
  type_into (window, "mobile", "1891012322");
  ek_ui_wait (current_window, message_shown, &mobile, "the message under the mobile number");
  entry = page_widget (window, "mobile");
  g_assert_nonnull (strstr (message_of (window, "mobile"), expected->mobile_message));
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  summary = summary_text (window);
  g_assert_nonnull (strstr (summary, expected->mobile_message));
  g_assert_false (next_enabled (window));
  g_assert_false (ek_page_get_complete (ek_window_get_current_page (window)));
  ek_ui_screenshot (GTK_WIDGET (window), "form-contact-invalid-mobile");

  /* The landline without an area code is fine, as on the server */
  type_into (window, "landline", "67811024");

  /* Corrected: the message goes, and Next can be pressed */
  type_into (window, "mobile", "18910123221");
  ek_ui_wait (current_window, message_gone, &mobile, "the message under the mobile number to go");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_false (gtk_widget_get_visible (page_widget (window, "error-summary")));
  g_assert_true (next_enabled (window));
  g_assert_cmpstr (ek_application_draft_get_string (ek_window_get_draft (window), "mobile"), ==, "18910123221");
  ek_ui_screenshot (GTK_WIDGET (window), "form-contact");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_uscc_warning_and_summary_link (void)
{
  EkWindow *window = open_window ();
  Named credit_code = { window, "credit-code" };
  Named code13 = { window, "enterprise-code" };
  GtkWidget *link, *entry;

  go_to (window, "form-enterprise");
  g_assert_false (next_enabled (window));
  type_into (window, "enterprise-name", "北京测试企业");
  choose (window, "licence-type", 2);   /* electromechanical */

  /* A wrong check character warns and does not block */
  type_into (window, "credit-code", "91110000600037341N");
  ek_ui_wait (current_window, message_shown, &credit_code, "the warning on the credit code");
  entry = page_widget (window, "credit-code");
  g_assert_nonnull (strstr (message_of (window, "credit-code"), expected->check_character));
  g_assert_true (gtk_widget_has_css_class (entry, "warning"));
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  ek_ui_wait (current_window, next_is_enabled, window, "Next, despite the warning");
  ek_ui_screenshot (GTK_WIDGET (window), "form-enterprise-warning");

  /* A malformed 13-digit code blocks; its summary link puts the focus on it */
  type_into (window, "enterprise-code", "999940000560");
  ek_ui_wait (current_window, message_shown, &code13, "the message on the 13-digit code");
  ek_ui_wait (current_window, next_is_disabled, window, "Next disabled by the 13-digit code");
  type_into (window, "registered-address", "北京市东城区");
  link = summary_button_for (window, "enterprise-code");
  g_assert_nonnull (link);
  g_assert_false (has_focus_in (window, page_widget (window, "enterprise-code")));
  g_signal_emit_by_name (link, "clicked");
  ek_ui_iterate (current_window);
  g_assert_true (has_focus_in (window, page_widget (window, "enterprise-code")));

  type_into (window, "enterprise-code", "9999400000560");
  ek_ui_wait (current_window, message_gone, &code13, "the message on the 13-digit code to go");
  ek_ui_wait (current_window, next_is_enabled, window, "Next, once the code is right");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_server_error_until_edited (void)
{
  EkWindow *window = open_window ();
  EkApplicationDraft *draft = ek_window_get_draft (window);
  Named mobile = { window, "mobile" };

  fill_contact_page (window);
  type_into (window, "mobile", "18910123221");
  ek_ui_wait (current_window, next_is_enabled, window, "Next, once the contact page is filled in");
  go_to (window, "review");

  /* The pages engineer's contract: the server rejects a field, the clerk is sent to it */
  ek_application_draft_set_server_error (draft, "mobile", "该手机号码已绑定其他企业。");
  g_assert_true (ek_window_go_to_field (window, "mobile"));
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "form-contact");
  g_assert_true (has_focus_in (window, page_widget (window, "mobile")));
  g_assert_cmpstr (message_of (window, "mobile"), ==, "该手机号码已绑定其他企业。");
  g_assert_false (next_enabled (window));

  /* Edited: the server's message no longer stands */
  type_into (window, "mobile", "18910123222");
  g_assert_null (ek_application_draft_get_server_error (draft, "mobile"));
  ek_ui_wait (current_window, message_gone, &mobile, "the server's message to go");
  ek_ui_wait (current_window, next_is_enabled, window, "Next, once the server's message is gone");

  /* The API's own name for a field works too */
  g_assert_true (ek_window_go_to_field (window, "uscc"));
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "form-enterprise");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
fill_everything (EkWindow *window)
{
  go_to (window, "form-enterprise");
  type_into (window, "enterprise-name", "北京测试企业");
  type_into (window, "credit-code", "91110000600037341L");
  type_into (window, "registered-address", "北京市东城区东长安街1号");
  choose (window, "licence-type", 2);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (page_widget (window, "situation-foreign-invested")), TRUE);
  ek_ui_screenshot (GTK_WIDGET (window), "form-enterprise");

  go_to (window, "form-people");
  type_into (window, "legal-rep-name", "李东");
  choose (window, "legal-rep-id-type", 1);
  type_into (window, "legal-rep-id-number", "110102199101010078");
  type_into (window, "user-name", "王强");
  choose (window, "user-id-type", 1);
  type_into (window, "user-id-number", "11010519491231002X");
  type_into (window, "login-name", "WANGQIANG");
  ek_ui_iterate (current_window);
  /* ID numbers are shown in full only while their field has the focus */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget (window, "user-id-number"))), ==,
                   "110*************2X");
  gtk_widget_grab_focus (page_widget (window, "user-id-number"));
  ek_ui_iterate (current_window);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget (window, "user-id-number"))), ==,
                   "11010519491231002X");
  gtk_widget_grab_focus (page_widget (window, "login-name"));
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_application_draft_get_string (ek_window_get_draft (window), "user-id-number"), ==,
                   "11010519491231002X");
  ek_ui_screenshot (GTK_WIDGET (window), "form-people");

  fill_contact_page (window);
  type_into (window, "mobile", "18910123221");
  type_into (window, "department", "进出口部");
  type_into (window, "job-title", "经理");

  go_to (window, "form-authority");
  choose (window, "authority-id", 37);   /* Shenzhen, the last */
  /* Its counter, as the seeds give it */
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (page_widget (window, "authority-details"))),
                            expected->language[0] == 'z' ? "福田区市民中心" : "Futian District"));
  ek_ui_screenshot (GTK_WIDGET (window), "form-authority");
}

static gboolean
at_contact_step (gpointer window)
{
  return g_strcmp0 (ek_window_get_current_step ((EkWindow *) window), "form-contact") == 0;
}

static gboolean
value_shown (EkWindow   *window,
             const char *field,
             const char *text)
{
  GtkWidget *label = page_widget (window, field);

  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)), text) == 0;
}

static void
test_review_change_and_return (void)
{
  EkWindow *window = open_window ();
  EkApplicationDraft *draft = ek_window_get_draft (window);
  GtkWidget *change, *contact, *next_label;

  go_to (window, "review");
  g_assert_true (EK_IS_REVIEW_PAGE (ek_window_get_current_page (window)));
  /* Nothing filled in: the problems are listed and block Next */
  g_assert_true (gtk_widget_get_visible (page_widget (window, "review-problems")));
  g_assert_false (next_enabled (window));

  fill_everything (window);
  ek_ui_wait (current_window, next_is_enabled, window, "Next, once the last page is filled in");
  go_to (window, "review");
  g_assert_false (gtk_widget_get_visible (page_widget (window, "review-problems")));
  g_assert_true (next_enabled (window));
  g_assert_true (value_shown (window, "enterprise-name", "北京测试企业"));
  g_assert_true (value_shown (window, "mobile", "18910123221"));
  /* ID numbers masked */
  g_assert_true (value_shown (window, "user-id-number", "110*************2X"));
  g_assert_true (value_shown (window, "legal-rep-id-number", "110*************78"));
  ek_ui_screenshot (GTK_WIDGET (window), "review");

  /* Change the contact section: its page, then Next comes straight back */
  contact = page_widget (window, "contact");
  change = ek_ui_find_any (contact, "change");
  g_assert_nonnull (change);
  /* As Enter or Space would: a button activated by the keyboard clicks after a moment */
  gtk_widget_activate (change);
  ek_ui_wait (current_window, at_contact_step, window, "the contact page after Change");
  next_label = gtk_button_get_child (GTK_BUTTON (g_object_get_data (G_OBJECT (window), "test-next")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (next_label)), expected->back_to_review));
  ek_ui_screenshot (GTK_WIDGET (window), "form-contact-change");
  type_into (window, "mobile", "13800138000");
  ek_ui_wait (current_window, next_is_enabled, window, "Next, after the change");
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "review");
  g_assert_true (value_shown (window, "mobile", "13800138000"));
  g_assert_cmpstr (ek_application_draft_get_step (draft), ==, "review");

  /* Back, after that, is plain Back again */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (next_label)), expected->language[0] == 'z' ? "下一步" : "Next"));

  /* A required field emptied: listed at the top, its button goes to the field */
  ek_application_draft_set_string (draft, "postcode", NULL);
  ek_ui_iterate (current_window);
  ek_ui_wait (current_window, (EkUiCondition) gtk_widget_get_visible,
              page_widget (window, "review-problems"), "the problem list");
  g_assert_false (next_enabled (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.go-to-field", "s", "postcode");
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "form-contact");
  g_assert_true (has_focus_in (window, page_widget (window, "postcode")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Drafts ---- */

static GtkWidget *
draft_list_of (EkWindow *window)
{
  EkPage *first = ek_window_get_current_page (window);

  g_assert_true (EK_IS_BUSINESS_TYPE_PAGE (first));
  return ek_business_type_page_get_draft_list (EK_BUSINESS_TYPE_PAGE (first));
}

static void
on_loaded (EkDraftList *list,
           gboolean    *loaded)
{
  *loaded = TRUE;
}

/* Waits for the list to be read again (it is read on a worker thread) */
static void
wait_for_reload (GtkWidget *list,
                 void     (*trigger) (GtkWidget *))
{
  gboolean loaded = FALSE;
  gulong id = g_signal_connect (list, "loaded", G_CALLBACK (on_loaded), &loaded);

  if (trigger != NULL)
    trigger (list);
  while (!loaded)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (list, id);
  ek_ui_iterate (current_window);
}

static char *
all_text (GtkWidget *root)
{
  GString *text = g_string_new (NULL);

  for (GtkWidget *w = root; w != NULL; )
    {
      if (GTK_IS_LABEL (w) && gtk_widget_is_drawable (w))
        g_string_append_printf (text, "%s\n", gtk_label_get_text (GTK_LABEL (w)));
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != root && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == root ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  return g_string_free (text, FALSE);
}

static EkWindow *
other_window (EkWindow *window)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (EK_IS_WINDOW (l->data) && l->data != (gpointer) window)
      return l->data;
  return NULL;
}

/* Continue the draft @id from the first page: it continues in this same window */
static EkWindow *
continue_draft (EkWindow   *window,
                const char *id)
{
  GtkWidget *row = ek_ui_find_any (draft_list_of (window), id);
  GtkWidget *button;

  g_assert_nonnull (row);
  button = ek_ui_find_any (row, "continue");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (g_strcmp0 (ek_application_draft_get_id (ek_window_get_draft (window)), id) != 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  g_assert_null (other_window (window));
  return window;
}

static void
test_drafts_offered (void)
{
  EkDraftStore *store = ek_application_get_draft_store (app);
  g_autoptr(EkApplicationDraft) other = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *draft_id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *damaged_dir = NULL;
  g_autofree char *damaged_file = NULL;
  g_autofree char *other_dir = NULL;
  EkWindow *window = open_window ();
  GtkWidget *list, *row, *confirm;

  /* Something typed on the contact page; closing the window saves it at once */
  draft_id = g_strdup (ek_application_draft_get_id (ek_window_get_draft (window)));
  go_to (window, "form-enterprise");
  type_into (window, "enterprise-name", "北京测试企业");
  fill_contact_page (window);
  gtk_window_close (GTK_WINDOW (window));
  iterate_main ();

  /* A second application in progress, and a damaged one */
  ek_application_draft_set_business_type_id (other, "reissue");
  ek_application_draft_set_string (other, "enterprise-name", "上海测试贸易有限公司");
  g_assert_true (ek_draft_store_save (store, other, &error));
  g_assert_no_error (error);
  damaged_dir = g_build_filename (g_get_user_data_dir (), "ekey-assistant", "drafts",
                                  "0b6f6a0e-2a5a-4c53-9d0b-1f0a4bb0c0de", NULL);
  g_assert_cmpint (g_mkdir_with_parents (damaged_dir, 0700), ==, 0);
  damaged_file = g_build_filename (damaged_dir, "draft.json", NULL);
  g_assert_true (g_file_set_contents (damaged_file, "{\"format\": 1, \"id\": ", -1, &error));

  /* The next window offers all three; the damaged one says where it was set aside */
  window = open_new_window ();
  list = draft_list_of (window);
  g_assert_nonnull (list);
  if (ek_draft_list_get_n_drafts (EK_DRAFT_LIST (list)) == 0)
    wait_for_reload (list, NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_draft_list_get_n_drafts (EK_DRAFT_LIST (list)), ==, 3);
  text = all_text (list);
  g_assert_nonnull (strstr (text, "北京测试企业"));
  g_assert_nonnull (strstr (text, "上海测试贸易有限公司"));
  g_assert_nonnull (strstr (text, expected->language[0] == 'z' ? "首次申领" : "First application"));
  g_assert_nonnull (strstr (text, "draft.json.damaged-"));
  g_assert_false (next_enabled (window));
  ek_ui_screenshot (GTK_WIDGET (window), "drafts");

  /* Delete asks first, then removes the draft's folder */
  other_dir = ek_application_draft_dup_directory (other, &error);
  row = ek_ui_find_any (list, ek_application_draft_get_id (other));
  g_signal_emit_by_name (ek_ui_find_any (row, "delete"), "clicked");
  ek_ui_iterate (current_window);
  confirm = ek_ui_find_any (row, "confirm-delete");
  g_assert_true (gtk_widget_is_drawable (confirm));
  ek_ui_screenshot (GTK_WIDGET (window), "drafts-delete");
  g_assert_true (g_file_test (other_dir, G_FILE_TEST_IS_DIR));
  {
    gboolean loaded = FALSE;
    gulong id = g_signal_connect (list, "loaded", G_CALLBACK (on_loaded), &loaded);

    g_signal_emit_by_name (confirm, "clicked");
    while (!loaded)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handler_disconnect (list, id);
  }
  g_assert_false (g_file_test (other_dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (ek_draft_list_get_n_drafts (EK_DRAFT_LIST (list)), ==, 2);

  /* Continue: the contact page, with everything typed */
  window = continue_draft (window, draft_id);
  g_assert_cmpstr (ek_application_draft_get_id (ek_window_get_draft (window)), ==, draft_id);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "form-contact");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget (window, "contact-address"))), ==,
                   "北京技术开发区荣华中路11号");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget (window, "postcode"))), ==, "100176");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- kill -9 mid-form ---- */

static void
run_xdotool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);

  g_assert_no_error (error);
  g_subprocess_wait_check (proc, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
file_contains (const char *path,
               const char *text)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, text) != NULL;
}

static void
test_kill_mid_form (void)
{
  EkDraftStore *store = ek_application_get_draft_store (app);
  g_autoptr(EkApplicationDraft) seeded = ek_application_draft_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;
  const char *assistant = g_getenv ("EK_ASSISTANT");
  EkWindow *window;
  GtkWidget *list;
  gint64 deadline;

  g_assert_nonnull (assistant);
  delete_drafts ();

  /* An application whose account step is done: the clerk comes back to the form */
  ek_application_draft_set_business_type_id (seeded, "first-application");
  ek_application_draft_set_step (seeded, "form-enterprise");
  g_assert_true (ek_draft_store_save (store, seeded, &error));
  g_assert_no_error (error);
  dir = ek_application_draft_dup_directory (seeded, &error);
  file = g_build_filename (dir, "draft.json", NULL);

  /* The real program, under the same XDG folders: continue it and type, by keyboard only.
   * The window's title is its page's: it says when the app is ready for the next key. */
  /* In English whatever the test's language: xdotool matches window titles in Latin-1 only */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, assistant, NULL);
  g_assert_no_error (error);
  run_xdotool ((const char * const[]) { "xdotool", "search", "--sync", "--onlyvisible", "--name",
                                        "Applications in progress", NULL });
  run_xdotool ((const char * const[]) { "xdotool", "mousemove", "100", "600", NULL });
  /* The focus is on Continue; the form page then puts it on its first empty field */
  run_xdotool ((const char * const[]) { "xdotool", "key", "Return", NULL });
  run_xdotool ((const char * const[]) { "xdotool", "search", "--sync", "--onlyvisible", "--name",
                                        "^Enterprise$", NULL });
  run_xdotool ((const char * const[]) { "xdotool", "type", "--delay", "20", "Tianjin Harbour Trading", NULL });
  run_xdotool ((const char * const[]) { "xdotool", "key", "Tab", NULL });
  run_xdotool ((const char * const[]) { "xdotool", "type", "--delay", "20", "91120000600037341L", NULL });
  /* Saved within a second of the last key: once the file has it, kill */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!file_contains (file, "91120000600037341L"))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *contents = NULL;

          g_file_get_contents (file, &contents, NULL, NULL);
          g_error ("The typing never reached the saved draft: %s", contents);
        }
      g_usleep (50 * 1000);
    }
  g_subprocess_send_signal (proc, SIGKILL);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (proc));

  /* Started again: the draft is offered, complete, and continues on the form page */
  window = open_new_window ();
  list = draft_list_of (window);
  if (ek_draft_list_get_n_drafts (EK_DRAFT_LIST (list)) == 0)
    wait_for_reload (list, NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_draft_list_get_n_drafts (EK_DRAFT_LIST (list)), ==, 1);
  {
    g_autofree char *text = all_text (list);
    if (strstr (text, "Tianjin Harbour Trading") == NULL)
      g_error ("The list shows: %s", text);
  }
  ek_ui_screenshot (GTK_WIDGET (window), "drafts-after-kill");
  window = continue_draft (window, ek_application_draft_get_id (seeded));
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "form-enterprise");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget (window, "enterprise-name"))), ==,
                   "Tianjin Harbour Trading");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget (window, "credit-code"))), ==,
                   "91120000600037341L");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("ek-form-pages-XXXXXX", &error);
  const char *language = g_getenv ("LANGUAGE");

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

  g_test_add_func ("/form/invalid-mobile", test_invalid_mobile);
  g_test_add_func ("/form/uscc-warning-summary-link", test_uscc_warning_and_summary_link);
  g_test_add_func ("/form/server-error", test_server_error_until_edited);
  g_test_add_func ("/form/review-change-return", test_review_change_and_return);
  g_test_add_func ("/drafts/offered-continue-delete", test_drafts_offered);
  g_test_add_func ("/drafts/kill-mid-form", test_kill_mid_form);

  return g_test_run ();
}
