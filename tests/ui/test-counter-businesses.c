/* test-counter-businesses.c: the businesses done at the counter, end to end and offline
 *
 * Reissue (补办) and cancellation (注销, with the key lost and with it) in zh_CN, in the real
 * window: the documents step renders the filled form with the business's box ticked and no
 * server call (the service's address points at a closed port: any call would fail the step),
 * the printed form is read back with pdftotext (no confirmation letter: the seeds ask for none at
 * the counter), and the counter step shows the seed's paper checklist, the authority and its
 * address, the dates in working days from the next day the counter is open and then from a day
 * picked on its calendar, and what happens next; its printable checklist is read back with
 * pdftotext too. The reissue's form says where the login name is typed that it is the original.
 */
#include "config.h"

#include <string.h>

#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>

#include "ek-application.h"
#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-documents-page.h"
#include "ek-draft-store.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-visit-page.h"
#include "ek-window.h"

static EkApplication *app;
static GtkWidget *current_window;

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", pdf, "-", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* Without the spaces and line breaks pdftotext puts between a box and its label */
  parts = g_strsplit_set (out, " \n", -1);
  return g_strjoinv ("", parts);
}

static void
save_png (const char *pdf,
          const char *name)
{
  g_autofree char *prefix = ek_test_artifact_path (name);
  const char *argv[] = { "pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", pdf, prefix, NULL };
  g_autoptr(GError) error = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The keyboard, through the X server (xdotool), as the clerk's own keys */

typedef struct
{
  gboolean done;
  gboolean ok;
} Run;

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->ok = g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, NULL);
  run->done = TRUE;
}

static void
xdotool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  Run r = { FALSE, FALSE };

  g_assert_no_error (error);
  g_subprocess_wait_check_async (proc, NULL, on_run_done, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.ok);
  ek_ui_iterate (current_window);
}

static void
press (const char *key)
{
  const char *argv[] = { "xdotool", "key", "--delay", "30", key, NULL };

  xdotool (argv);
}

static void
x_focus (GtkWindow *toplevel)
{
  g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (toplevel))));
  const char *argv[] = { "xdotool", "windowfocus", "--sync", xid, NULL };

  xdotool (argv);
}

static EkApplicationDraft *
counter_draft (const char *business)
{
  EkApplicationDraft *draft = ek_application_draft_new ();

  ek_application_draft_set_business_type_id (draft, business);
  ek_application_draft_set_string (draft, "enterprise-name", "深圳测试进出口有限公司");
  ek_application_draft_set_string (draft, "credit-code", "9144030071526726XG");
  ek_application_draft_set_string (draft, "licence-type", EK_LICENCE_NON_ELECTROMECHANICAL);
  ek_application_draft_set_string (draft, "legal-rep-name", "李军");
  ek_application_draft_set_string (draft, "legal-rep-id-type", EK_ID_TYPE_RESIDENT_ID);
  ek_application_draft_set_string (draft, "legal-rep-id-number", "11010519491231002X");
  ek_application_draft_set_string (draft, "user-name", "王斌");
  ek_application_draft_set_string (draft, "user-id-type", EK_ID_TYPE_RESIDENT_ID);
  ek_application_draft_set_string (draft, "user-id-number", "110102199101010078");
  ek_application_draft_set_string (draft, "email", "wangbing@126.com");
  ek_application_draft_set_string (draft, "mobile", "18910123221");
  ek_application_draft_set_string (draft, "contact-address", "深圳市福田区深南大道1号");
  ek_application_draft_set_string (draft, "postcode", "518000");
  ek_application_draft_set_string (draft, "authority-id", "shenzhen");
  ek_application_draft_set_string (draft, "authority-name", "深圳市商务局");
  return draft;
}

static gboolean
documents_settled (gpointer data)
{
  const char *state = ek_documents_page_get_state (EK_DOCUMENTS_PAGE (data));

  return g_strcmp0 (state, "ready") == 0 || g_strcmp0 (state, "error") == 0 || g_strcmp0 (state, "fields") == 0;
}

static gboolean
visit_ready (gpointer data)
{
  return ek_visit_page_is_ready (EK_VISIT_PAGE (data));
}

/* Opens @draft in the wizard at its documents step, checks the printed form, goes on to the
 * counter step; returns the counter page (the window is current_window) */
static EkVisitPage *
walk_to_visit (EkApplicationDraft *draft,
               const char         *ticked,
               const char         *must_print,
               const char         *form_step)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  g_autofree char *form_pdf = NULL, *text = NULL;
  EkWindow *window;
  EkPage *page;

  g_assert_no_error (error);
  window = ek_window_new_for_draft (GTK_APPLICATION (app), catalogue, draft);
  /* The cancellation at the smallest size the layouts must hold (800 × 600) */
  if (g_str_equal (ek_application_draft_get_business_type_id (draft), "cancellation"))
    gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  else
    gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  gtk_window_present (GTK_WINDOW (window));
  current_window = GTK_WIDGET (window);
  ek_ui_iterate (current_window);

  /* A cancellation starts at the key, which it does not need: no key here, and Next goes on */
  if (g_str_equal (ek_application_draft_get_business_type_id (draft), "cancellation"))
    {
      g_assert_true (ek_window_go_to_step (window, "key"));
      ek_ui_iterate (current_window);
      g_assert_true (ek_page_get_complete (ek_window_get_current_page (window)));
      gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
      ek_ui_iterate (current_window);
      g_assert_cmpstr (ek_window_get_current_step (window), ==, "form-enterprise");
    }
  /* Reissue: where the login name is typed, the seed's word that it is the ORIGINAL one (§2) */
  if (form_step != NULL)
    {
      GtkWidget *hint;

      g_assert_true (ek_window_go_to_step (window, form_step));
      ek_ui_iterate (current_window);
      hint = ek_ui_find (current_window, "login-name-hint");
      g_assert_nonnull (hint);
      g_assert_true (gtk_widget_is_drawable (hint));
      g_test_message ("hint: %s", gtk_label_get_text (GTK_LABEL (hint)));
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (hint)), "补办证书的原用户名"));
      /* The next widget after the entry: shown where the name is typed */
      g_assert_true (gtk_widget_get_prev_sibling (hint) == ek_ui_find (current_window, "login-name"));
      /* Where the clerk types it: the page scrolls to the focused entry */
      gtk_widget_grab_focus (ek_ui_find (current_window, "login-name"));
      ek_ui_iterate (current_window);
      ek_ui_screenshot (current_window, "form-reissue-login-name");
    }
  g_assert_true (ek_window_go_to_step (window, "documents"));
  page = ek_window_get_current_page (window);
  g_assert_true (EK_IS_DOCUMENTS_PAGE (page));
  ek_ui_wait (current_window, documents_settled, page, "the forms to be rendered");
  /* Ready without the service: nothing was sent */
  g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), ==, "ready");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "application-id"), ==, "");

  /* The seed's counter businesses print the application form alone: no confirmation letter */
  g_assert_true (ek_documents_page_offers (EK_DOCUMENTS_PAGE (page), 0));
  g_assert_false (ek_documents_page_offers (EK_DOCUMENTS_PAGE (page), 1));
  g_assert_false (ek_ui_shows_text (current_window, "《电子签章申请确认函》"));
  {
    g_autofree char *letter = ek_documents_page_dup_pdf (EK_DOCUMENTS_PAGE (page), 1);
    g_assert_false (g_file_test (letter, G_FILE_TEST_EXISTS));
  }

  ek_ui_screenshot (current_window, g_str_equal (ek_application_draft_get_business_type_id (draft), "reissue")
                                    ? "documents-reissue" : "documents-cancellation");

  form_pdf = ek_documents_page_dup_pdf (EK_DOCUMENTS_PAGE (page), 0);
  text = pdf_text (form_pdf);
  g_test_message ("form: %s", text);
  g_assert_nonnull (strstr (text, ticked));
  g_assert_null (strstr (text, "√首次申领"));
  if (must_print != NULL)
    g_assert_nonnull (strstr (text, must_print));

  /* Next: the counter step, the last of the flow */
  gtk_widget_activate_action (GTK_WIDGET (window), "wizard.next", NULL);
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "visit");
  page = ek_window_get_current_page (window);
  g_assert_true (EK_IS_VISIT_PAGE (page));
  ek_ui_wait (current_window, visit_ready, page, "the checklist to be rendered");
  g_assert_true (ek_page_get_complete (page));

  /* The dates count from the next day the counter is open, until the clerk picks a day */
  {
    g_autoptr(EkCalendar) calendar = ek_calendar_new_default (NULL);
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *expected = NULL, *heading = NULL;
    GDate day;

    ek_calendar_next_counter_day (calendar, now, &day);
    expected = ek_date_format_iso (&day);
    g_assert_cmpstr (ek_visit_page_get_day (EK_VISIT_PAGE (page)), ==, expected);
    g_assert_cmpstr (ek_application_draft_get_string (draft, "visit-date"), ==, expected);
    g_assert_true (ek_ui_shows_text (current_window, expected));
  }
  /* By keyboard: Space opens the calendar (it takes the focus), the arrows move over the days,
   * Space picks one: it becomes the planned day and the dates follow; Escape closes it */
  {
    g_autoptr(GDateTime) picked = NULL;
    g_autofree char *expected = NULL;
    GtkWidget *button = ek_ui_find (current_window, "visit-day");
    GtkWidget *calendar = ek_ui_find_any (current_window, "visit-calendar");

    x_focus (GTK_WINDOW (current_window));
    g_assert_true (gtk_widget_grab_focus (button));
    press ("space");
    g_assert_true (gtk_widget_is_drawable (calendar));
    g_assert_true (gtk_root_get_focus (GTK_ROOT (current_window)) == calendar);
    press ("Right");
    press ("Down");
    press ("space");
    picked = gtk_calendar_get_date (GTK_CALENDAR (calendar));
    expected = g_date_time_format (picked, "%Y-%m-%d");
    g_test_message ("picked by keyboard: %s", expected);
    g_assert_cmpstr (ek_visit_page_get_day (EK_VISIT_PAGE (page)), ==, expected);
    g_assert_cmpstr (ek_application_draft_get_string (draft, "visit-date"), ==, expected);
    g_assert_true (ek_ui_shows_text (current_window, expected));
    press ("Escape");
    g_assert_false (gtk_widget_is_drawable (calendar));
  }

  /* Handed in on Wednesday 2026-09-30, just before the National Day holiday, chosen on the
   * page's calendar: the dates and the printed checklist count from it */
  ek_visit_page_choose_day (EK_VISIT_PAGE (page), "2026-09-30");
  ek_ui_iterate (current_window);
  g_assert_cmpstr (ek_visit_page_get_day (EK_VISIT_PAGE (page)), ==, "2026-09-30");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "visit-date"), ==, "2026-09-30");
  ek_ui_wait (current_window, visit_ready, page, "the checklist to be rendered again");
  return EK_VISIT_PAGE (page);
}

static void
assert_item (EkVisitPage *page,
             guint        index,
             const char  *material,
             const char  *signed_by)
{
  const char *item = ek_visit_page_get_item (page, index);

  g_assert_nonnull (item);
  g_test_message ("item %u: %s", index, item);
  g_assert_nonnull (strstr (item, material));
  g_assert_nonnull (strstr (item, signed_by));
}

static void
test_reissue (void)
{
  g_autoptr(EkApplicationDraft) draft = counter_draft ("reissue");
  g_autofree char *pdf = NULL, *text = NULL;
  EkVisitPage *page;
  const char *dates;

  /* The original login name, and the reason the seed asks for */
  ek_application_draft_set_string (draft, "login-name", "wangbing@126.com");
  ek_application_draft_set_string (draft, "reason", "原电子钥匙丢失，申请补办");
  page = walk_to_visit (draft, "√补办", "原电子钥匙丢失，申请补办", "form-people");

  /* Seed 001 §2 step (3): five paper materials, each with who signs and stamps */
  g_assert_cmpuint (ek_visit_page_get_n_items (page), ==, 5);
  assert_item (page, 0, "进出口企业电子钥匙与电子认证证书申请表", "法人签字盖公章，一份");
  assert_item (page, 1, "“对外贸易经营者备案登记表复印件”或“外商投资企业批准证书复印件”", "盖公章，一份");
  assert_item (page, 2, "营业执照副本复印件", "盖公章，一份");
  assert_item (page, 3, "授权用户的身份证复印件", "盖公章，一份");
  assert_item (page, 4, "授权用户的授权委托书", "盖公章，一份");
  g_assert_nonnull (strstr (ek_visit_page_get_authority (page), "深圳市商务局"));
  g_assert_nonnull (strstr (ek_visit_page_get_authority (page), "福田区市民中心"));
  /* 2 working days across National Day, then 5 for re-review and production together */
  dates = ek_visit_page_get_dates (page);
  g_test_message ("dates: %s", dates);
  g_assert_nonnull (strstr (dates, "2026-10-09"));
  g_assert_nonnull (strstr (dates, "2026-10-15"));
  g_assert_nonnull (strstr (ek_visit_page_get_next (page), "特殊原因可向审批机关申请将电子钥匙快递给企业"));
  ek_ui_screenshot (current_window, "visit-reissue");

  /* The printable checklist says the same */
  pdf = ek_visit_page_dup_pdf (page);
  text = pdf_text (pdf);
  g_test_message ("checklist: %s", text);
  g_assert_nonnull (strstr (text, "补办"));
  g_assert_nonnull (strstr (text, "授权用户的身份证复印件（盖公章，一份）"));
  g_assert_nonnull (strstr (text, "2026-10-15"));
  g_assert_nonnull (strstr (text, "福田区市民中心"));
  /* Handed in on paper: no online application number is promised */
  g_assert_nonnull (strstr (text, "现场办理，无在线申请编号"));
  g_assert_null (strstr (text, "提交后生成"));
  save_png (pdf, "visit-reissue-checklist");

  /* Kept like any other application, to reprint later: listed with its enterprise */
  {
    EkDraftStore *store = ek_application_get_draft_store (app);
    g_autoptr(GPtrArray) list = NULL;
    gboolean found = FALSE;

    g_assert_true (ek_draft_store_flush (store, NULL));
    list = ek_draft_store_list (store, NULL);
    for (guint i = 0; list != NULL && i < list->len; i++)
      {
        EkDraftSummary *summary = list->pdata[i];

        if (g_str_equal (summary->id, ek_application_draft_get_id (draft)))
          {
            found = TRUE;
            g_assert_cmpstr (summary->business_type_id, ==, "reissue");
            g_assert_cmpstr (summary->enterprise_name, ==, "深圳测试进出口有限公司");
          }
      }
    g_assert_true (found);
  }

  gtk_window_destroy (GTK_WINDOW (current_window));
}

static void
test_cancellation (gconstpointer data)
{
  gboolean lost = GPOINTER_TO_INT (data);
  g_autoptr(EkApplicationDraft) draft = counter_draft ("cancellation");
  g_autofree char *pdf = NULL, *text = NULL;
  EkVisitPage *page;
  const char *dates;

  /* The key to cancel, typed since it is lost (or read from it) */
  ek_application_draft_set_string (draft, "key-login-name", "许可证测试用户");
  ek_application_draft_set_boolean (draft, "key-lost", lost);
  page = walk_to_visit (draft, "√注销", "许可证测试用户", NULL);

  /* Seed 001 §5 step (3): the form, and the key unless it is lost */
  g_assert_cmpuint (ek_visit_page_get_n_items (page), ==, lost ? 1 : 2);
  assert_item (page, 0, "进出口企业电子钥匙与电子认证证书申请表", "法人签字盖公章，一份");
  if (!lost)
    assert_item (page, 1, "电子钥匙", "需注销的电子钥匙");
  /* 2 working days for the authority's check, 2 for the provider's cancellation */
  dates = ek_visit_page_get_dates (page);
  g_test_message ("dates: %s", dates);
  g_assert_nonnull (strstr (dates, "2026-10-09"));
  g_assert_nonnull (strstr (dates, "2026-10-12"));
  g_assert_null (strstr (dates, "2026-10-15"));
  ek_ui_screenshot (current_window, lost ? "visit-cancellation-lost" : "visit-cancellation");

  pdf = ek_visit_page_dup_pdf (page);
  text = pdf_text (pdf);
  g_test_message ("checklist: %s", text);
  g_assert_nonnull (strstr (text, "注销"));
  g_assert_true ((strstr (text, "电子钥匙（电子钥匙丢失者无需提供）") == NULL) == lost);
  g_assert_nonnull (strstr (text, "2026-10-12"));
  if (lost)
    save_png (pdf, "visit-cancellation-checklist");

  gtk_window_destroy (GTK_WINDOW (current_window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  ek_ui_init (&argc, &argv);
  /* A closed port: a counter business that called the service would fail its documents step */
  g_setenv ("EKEY_REGISTRY_URL", "https://127.0.0.1:9/", TRUE);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/counter/reissue", test_reissue);
  g_test_add_data_func ("/counter/cancellation-key-lost", GINT_TO_POINTER (TRUE), test_cancellation);
  g_test_add_data_func ("/counter/cancellation-with-key", GINT_TO_POINTER (FALSE), test_cancellation);

  return g_test_run ();
}
