/* test-pages.c: the wizard's network pages as a clerk meets them
 *
 * The status step rendered from the registration service's answers (a failed pre-review shows
 * the remark and the way to resubmit; ready for collection shows the authority and the originals
 * to bring; expected dates in working days), and the account step's checks as typed. Runs under
 * Xvfb in $LANGUAGE (zh_CN and en); screenshots land in the build tree's test-artifacts/.
 */
#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>

#include <gtk/gtk.h>

#include "ek-account-page.h"
#include "ek-application.h"
#include "ek-catalogue.h"
#include "ek-l10n.h"
#include "ek-document.h"
#include "ek-documents-page.h"
#include "ek-status-page.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"

typedef struct
{
  const char *language;
  const char *failed;        /* the status name of pre-review-failed */
  const char *ready;         /* … and of ready-for-collection */
  const char *authority;     /* Shenzhen's name */
  const char *address_part;  /* a part of its address */
  const char *estimate;      /* a word that says an expected date is an estimate */
} Expected;

static const Expected expectations[] = {
  { "zh_CN", "核验未通过", "待领取", "深圳市商务局", "市民中心", "估算" },
  { "en", "Pre-review failed", "Ready for collection", "Shenzhen Municipal Commerce Bureau", "Civic Center", "estimate" },
};

static const Expected *expected;
static EkApplication *app;
static GtkWidget *current_window;

static GtkWidget *
show_in_window (EkPage *page)
{
  GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 680);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  current_window = window;
  ek_ui_iterate (current_window);
  return window;
}

static EkApplicationDraft *
new_draft_for (const char *business_type)
{
  EkApplicationDraft *draft = ek_application_draft_new ();

  /* Chosen before the application exists on the service: from then on it is fixed */
  ek_application_draft_set_business_type_id (draft, business_type);
  ek_application_draft_set_string (draft, "application-id", "3f2a9c1e-0000-4000-8000-000000000001");
  ek_application_draft_set_string (draft, "application-number", "3F2A9C1E");
  ek_application_draft_set_string (draft, "enterprise-name", "北京测试科技有限公司");
  return draft;
}

static EkApplicationDraft *
new_draft (void)
{
  return new_draft_for ("first-application");
}

/* Noon in Beijing on that day, as Unix time */
static gint64
beijing_noon (int year, int month, int day)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, 12, 0, 0);

  return g_date_time_to_unix (dt);
}

/* An application as the service answers it, with a timeline of (status, remark, unix time) */
static EkApiApplication *
application_with_timeline (const char *status,
                           ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  EkApiApplication *application;
  va_list args;
  const char *event;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "3f2a9c1e-0000-4000-8000-000000000001");
  json_builder_set_member_name (builder, "business_type");
  json_builder_add_string_value (builder, "first-application");
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_set_member_name (builder, "editable");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_int_value (builder, beijing_noon (2026, 9, 28));
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_int_value (builder, beijing_noon (2026, 9, 28));
  json_builder_set_member_name (builder, "materials");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_array (builder);
  va_start (args, status);
  while ((event = va_arg (args, const char *)) != NULL)
    {
      const char *remark = va_arg (args, const char *);
      gint64 at = va_arg (args, gint64);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, event);
      if (remark != NULL)
        {
          json_builder_set_member_name (builder, "remark");
          json_builder_add_string_value (builder, remark);
        }
      json_builder_set_member_name (builder, "at");
      json_builder_add_int_value (builder, at);
      json_builder_end_object (builder);
    }
  va_end (args);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  application = ek_api_application_new_from_json (node, &error);
  g_assert_no_error (error);
  return application;
}

#define REMARK "营业执照副本不清晰，请重新扫描后上传"

static void
test_status_failed_pre_review (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft ();
  EkPage *page = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (page);
  g_autoptr(EkApiApplication) application = NULL;

  application = application_with_timeline ("pre-review-failed",
                                           "submitted", NULL, beijing_noon (2026, 9, 29),
                                           "pre-review-failed", REMARK, beijing_noon (2026, 10, 8),
                                           NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), application);
  ek_ui_iterate (current_window);

  /* The clerk reads the status, the reviewer's remark prominently, and the way back */
  g_assert_cmpstr (ek_status_page_get_summary (EK_STATUS_PAGE (page)), ==, expected->failed);
  g_assert_nonnull (strstr (ek_status_page_get_remark (EK_STATUS_PAGE (page)), REMARK));
  g_assert_true (ek_status_page_offers_resubmit (EK_STATUS_PAGE (page)));
  g_assert_true (gtk_widget_is_drawable (ek_ui_find_any (window, "status-resubmit")));
  /* Nothing is expected of the reviewers now: the application waits for the clerk */
  g_assert_null (ek_status_page_get_expected (EK_STATUS_PAGE (page)));
  g_assert_null (ek_status_page_get_authority (EK_STATUS_PAGE (page)));
  g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "pre-review-failed");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "status-remark"), ==, REMARK);
  ek_ui_screenshot (current_window, "status-pre-review-failed");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_status_expected_dates (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft ();
  EkPage *page = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (page);
  g_autoptr(EkApiApplication) submitted = NULL, passed = NULL, late = NULL;
  const char *text;

  /* Submitted Tuesday 2026-09-29: 2 working days are the 30th and, after the National Day
   * holiday (1–7 October), Thursday the 8th */
  submitted = application_with_timeline ("submitted", "submitted", NULL, beijing_noon (2026, 9, 29), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), submitted);
  text = ek_status_page_get_expected (EK_STATUS_PAGE (page));
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "2026-10-08"));
  g_assert_null (strstr (text, expected->estimate));
  g_assert_null (ek_status_page_get_remark (EK_STATUS_PAGE (page)));
  ek_ui_screenshot (current_window, "status-submitted");

  /* Pre-review passed Friday 2026-10-09: 5 working days are Sat 10th (worked), 12th–15th */
  passed = application_with_timeline ("pre-review-passed",
                                      "submitted", NULL, beijing_noon (2026, 9, 29),
                                      "pre-review-passed", NULL, beijing_noon (2026, 10, 9), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), passed);
  text = ek_status_page_get_expected (EK_STATUS_PAGE (page));
  g_assert_nonnull (strstr (text, "2026-10-15"));

  /* Beyond the known calendar the date is called an estimate */
  late = application_with_timeline ("submitted", "submitted", NULL, beijing_noon (2027, 3, 1), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), late);
  text = ek_status_page_get_expected (EK_STATUS_PAGE (page));
  g_assert_nonnull (strstr (text, expected->estimate));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_status_ready_for_collection (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft ();
  EkPage *page = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (page);
  g_autoptr(EkApiApplication) application = NULL;
  const char *authority;

  ek_application_draft_set_string (draft, "authority-id", "shenzhen");
  ek_application_draft_set_string (draft, "authority-name", "深圳市商务局");
  application = application_with_timeline ("ready-for-collection",
                                           "submitted", NULL, beijing_noon (2026, 11, 2),
                                           "pre-review-passed", NULL, beijing_noon (2026, 11, 3),
                                           "re-review-passed", NULL, beijing_noon (2026, 11, 5),
                                           "producing", NULL, beijing_noon (2026, 11, 6),
                                           "shipped", NULL, beijing_noon (2026, 11, 10),
                                           "ready-for-collection", "请携带原件到窗口领取", beijing_noon (2026, 11, 12),
                                           NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), application);
  ek_ui_iterate (current_window);

  g_assert_cmpstr (ek_status_page_get_summary (EK_STATUS_PAGE (page)), ==, expected->ready);
  authority = ek_status_page_get_authority (EK_STATUS_PAGE (page));
  g_assert_nonnull (authority);
  g_assert_nonnull (strstr (authority, expected->authority));
  g_assert_nonnull (strstr (authority, expected->address_part));
  /* Exactly “步骤(4)要求的全部纸质材料”: the paper copies of the six materials the bundled rules
   * ask to upload (not the user agreement of the newer rules), the stamped ID-card copy among
   * them; nothing the seeds do not ask for */
  g_assert_cmpuint (ek_status_page_get_n_originals (EK_STATUS_PAGE (page)), ==, 6);
  {
    g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);
    JsonObject *id_card = json_object_get_object_member (json_object_get_object_member (ek_catalogue_get_document (catalogue),
                                                                                        "materials"), "id-card");

    g_assert_true (ek_ui_shows_text (ek_ui_find_any (window, "status-originals"),
                                  ek_l10n_pick (json_object_get_member (id_card, "name"))));
  }
  g_assert_true (gtk_widget_is_drawable (ek_ui_find_any (window, "status-originals")));
  g_assert_false (ek_status_page_offers_resubmit (EK_STATUS_PAGE (page)));
  ek_ui_screenshot (current_window, "status-ready-for-collection");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_drawn (gpointer widget)
{
  return gtk_widget_is_drawable (widget);
}

static void
test_status_additional_key (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft_for ("additional-key");
  EkPage *page = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (page);
  g_autoptr(EkApiApplication) submitted = NULL, passed = NULL;
  const char *text;

  /* Right after the submission: the six paper materials of seed 001 §3 step (6), before review */
  submitted = application_with_timeline ("submitted", "submitted", NULL, beijing_noon (2026, 9, 29), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), submitted);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_status_page_get_n_visit_items (EK_STATUS_PAGE (page)), ==, 6);
  g_assert_true (gtk_widget_is_drawable (ek_ui_find_any (window, "status-visit")));
  g_assert_nonnull (strstr (ek_status_page_get_expected (EK_STATUS_PAGE (page)), "2026-10-08"));
  ek_ui_screenshot (current_window, "status-additional-key-submitted");

  /* The authority has them and passed the pre-review: the list goes; 5 working days to the
   * key, re-review and production together; after the re-review, the activation mail */
  passed = application_with_timeline ("re-review-passed",
                                      "submitted", NULL, beijing_noon (2026, 9, 29),
                                      "pre-review-passed", NULL, beijing_noon (2026, 10, 9),
                                      "re-review-passed", NULL, beijing_noon (2026, 10, 12), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), passed);
  ek_ui_iterate (current_window);
  g_assert_cmpuint (ek_status_page_get_n_visit_items (EK_STATUS_PAGE (page)), ==, 0);
  text = ek_status_page_get_expected (EK_STATUS_PAGE (page));
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "2026-10-15"));
  g_assert_nonnull (strstr (ek_status_page_get_notes (EK_STATUS_PAGE (page)), "调用商务部统一用户管理平台激活企业账户"));
  g_assert_false (ek_page_get_complete (page));
  ek_ui_screenshot (current_window, "status-additional-key-re-review-passed");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_status_unlock (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft_for ("pin-unlock");
  EkPage *page = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (page);
  g_autoptr(EkApiApplication) submitted = NULL, approved = NULL;

  submitted = application_with_timeline ("submitted", "submitted", NULL, beijing_noon (2026, 9, 29), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), submitted);
  ek_ui_iterate (current_window);
  /* No papers to take, no dates the seed does not give, no production */
  g_assert_cmpuint (ek_status_page_get_n_visit_items (EK_STATUS_PAGE (page)), ==, 0);
  g_assert_null (ek_status_page_get_expected (EK_STATUS_PAGE (page)));
  g_assert_false (ek_page_get_complete (page));

  /* Approved: the unlock mail is the end */
  approved = application_with_timeline ("re-review-passed",
                                        "submitted", NULL, beijing_noon (2026, 9, 29),
                                        "re-review-passed", NULL, beijing_noon (2026, 9, 30), NULL);
  ek_status_page_show (EK_STATUS_PAGE (page), approved);
  ek_ui_iterate (current_window);
  g_assert_nonnull (strstr (ek_status_page_get_notes (EK_STATUS_PAGE (page)), "北京测试科技有限公司解锁"));
  g_assert_null (ek_status_page_get_expected (EK_STATUS_PAGE (page)));
  g_assert_null (ek_status_page_get_authority (EK_STATUS_PAGE (page)));
  g_assert_true (ek_page_get_complete (page));
  ek_ui_screenshot (current_window, "status-unlock-mail-sent");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_account_checks_as_typed (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  EkPage *page;
  GtkWidget *window, *button, *uscc, *error_label;

  ek_application_draft_set_business_type_id (draft, "first-application");
  page = ek_account_page_new (draft);
  window = show_in_window (page);
  ek_account_page_set_mode (EK_ACCOUNT_PAGE (page), "register");
  ek_ui_iterate (current_window);
  button = ek_ui_find_any (window, "register-button");

  /* A code one character short: the message is under the field, Register cannot be pressed */
  ek_ui_set_text (window, "uscc", "91350100M000100Y4");
  ek_ui_set_text (window, "enterprise_name", "北京测试科技有限公司");
  ek_ui_set_text (window, "email", "wangbing@126.com");
  uscc = ek_ui_find_any (window, "uscc");
  g_assert_true (gtk_widget_has_css_class (uscc, "error"));
  g_assert_false (gtk_widget_is_sensitive (button));
  /* A non-electromechanical licence logs in with the email: the login name follows it */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (window, "login_name"))), ==,
                   "wangbing@126.com");
  ek_ui_screenshot (current_window, "account-register-invalid");

  /* Corrected: the message goes, Register can be pressed, and the draft holds the values */
  ek_ui_set_text (window, "uscc", "91350100m000100y43");
  g_assert_false (gtk_widget_has_css_class (uscc, "error"));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_cmpstr (ek_application_draft_get_string (draft, "credit-code"), ==, "91350100M000100Y43");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "enterprise-name"), ==, "北京测试科技有限公司");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "login-name"), ==, "wangbing@126.com");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "licence-type"), ==, "");

  /* Electromechanical: the login name is the existing account, not an email */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (ek_ui_find_any (window, "licence_type")), 1);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "licence-type"), ==, "electromechanical");
  g_assert_true (gtk_widget_has_css_class (ek_ui_find_any (window, "login_name"), "error"));
  g_assert_false (gtk_widget_is_sensitive (button));
  ek_ui_set_text (window, "login_name", "bjcskj01");
  g_assert_true (gtk_widget_is_sensitive (button));
  ek_ui_screenshot (current_window, "account-register-valid");

  /* No two controls share an Alt key: Alt+B is left to the window's Back */
  ek_ui_assert_mnemonics_unique (window);

  /* Enter in a field registers, as the default button promises. Nothing listens where the
   * service should be: the message shows, takes no Tab stop, and the keyboard stays on the
   * form with everything typed kept */
  error_label = ek_ui_find_any (window, "register-error");
  g_signal_emit_by_name (ek_ui_find_any (window, "contact_name"), "activate");
  ek_ui_wait (current_window, is_drawn, error_label, "the registration to be tried");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), !=, "");
  g_assert_false (gtk_widget_get_focusable (error_label));
  g_assert_true (gtk_root_get_focus (gtk_widget_get_root (button)) == button);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (uscc)), ==, "91350100m000100y43");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (window, "login_name"))), ==, "bjcskj01");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
xdotool (const char *action,
         const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *search = g_strdup_printf ("xdotool search --sync --name %s", title);
  g_autofree char *command = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (search, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_strstrip (out);
  g_assert_cmpstr (out, !=, "");
  command = g_strdup_printf ("xdotool %s %s", action, out);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
}

/* The clerk comes back to the window (after reading the email, say): the status is read again */
static void
test_status_refresh_on_focus (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft ();
  EkPage *page = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (page);
  GtkWidget *other = gtk_window_new ();
  gint64 deadline;
  guint before;

  gtk_window_set_title (GTK_WINDOW (window), "ek-status-window");
  gtk_window_set_title (GTK_WINDOW (other), "ek-other-window");
  gtk_window_set_default_size (GTK_WINDOW (other), 200, 100);
  gtk_window_present (GTK_WINDOW (other));
  ek_page_shown (page);
  ek_ui_iterate (current_window);

  xdotool ("windowfocus --sync", "ek-other-window");
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (gtk_window_is_active (GTK_WINDOW (window)) || ek_status_page_get_n_refreshes (EK_STATUS_PAGE (page)) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  before = ek_status_page_get_n_refreshes (EK_STATUS_PAGE (page));
  xdotool ("windowfocus --sync", "ek-status-window");
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ek_status_page_get_n_refreshes (EK_STATUS_PAGE (page)) == before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (gtk_window_is_active (GTK_WINDOW (window)));

  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
documents_settled (gpointer page)
{
  const char *state = ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page));
  return g_strcmp0 (state, "sending") != 0 && g_strcmp0 (state, "rendering") != 0;
}

/* Nothing listens where the service should be: a plain message and Retry, the answers kept */
static void
test_documents_unreachable (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft ();
  EkPage *page;
  GtkWidget *window, *status, *retry;

  ek_application_draft_set_string (draft, "application-id", "");
  page = ek_documents_page_new (draft);
  window = show_in_window (page);
  ek_page_shown (page);
  ek_ui_wait (window, documents_settled, page, "the documents page to give up");
  g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), ==, "error");
  g_assert_false (ek_page_get_complete (page));
  status = ek_ui_find_any (window, "documents-status");
  retry = ek_ui_find_any (window, "documents-retry");
  g_assert_true (gtk_widget_is_drawable (status));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status)), !=, "");
  g_assert_true (gtk_widget_is_drawable (retry));
  /* The keyboard is on what there is to do */
  g_assert_true (gtk_root_get_focus (gtk_widget_get_root (retry)) == retry);
  /* Nothing typed is lost, and nothing was made up */
  g_assert_cmpstr (ek_application_draft_get_string (draft, "enterprise-name"), ==, "北京测试科技有限公司");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "application-id"), ==, "");
  /* The key for the creation is kept for the retry */
  g_assert_cmpuint (strlen (ek_application_draft_get_string (draft, "create-key")), ==, 36);
  ek_ui_screenshot (current_window, "documents-unreachable");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Print draws the PDF's pages through GtkPrintOperation; exported, the text is all there */
static void
test_documents_print_and_name (void)
{
  g_autoptr(EkApplicationDraft) draft = new_draft ();
  g_autoptr(GError) error = NULL;
  EkPage *page = ek_documents_page_new (draft);
  GtkWidget *window = show_in_window (page);
  g_autofree char *pdf = ek_documents_page_dup_pdf (EK_DOCUMENTS_PAGE (page), 0);
  g_autofree char *printed = ek_test_artifact_path ("printed-application-form.pdf");
  g_autofree char *name = ek_documents_page_default_name (EK_DOCUMENTS_PAGE (page), 1);
  g_autofree char *text = NULL;
  int exit_status;

  g_assert_true (ek_document_render_pdf (draft, EK_DOCUMENT_APPLICATION_FORM, pdf, NULL, &error));
  g_assert_no_error (error);
  g_unlink (printed);
  g_assert_true (ek_documents_page_print (EK_DOCUMENTS_PAGE (page), 0, GTK_PRINT_OPERATION_ACTION_EXPORT,
                                          printed, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (printed, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *command = g_strdup_printf ("pdftotext %s -", printed);
    g_assert_true (g_spawn_command_line_sync (command, &text, NULL, &exit_status, &error));
    g_assert_no_error (error);
  }
  g_assert_nonnull (strstr (text, "进出口企业电子钥匙与电子认证证书办理申请表"));
  g_assert_nonnull (strstr (text, "3F2A9C1E"));
  g_assert_nonnull (strstr (text, "北京测试科技有限公司"));

  /* Save as PDF offers a name with the enterprise and the number */
  g_assert_cmpstr (name, ==, "北京测试科技有限公司-3F2A9C1E-电子签章申请确认函.pdf");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  const char *language = g_getenv ("LANGUAGE");

  /* Drafts in a folder of the test's own; the service where nothing listens (the discard port) */
  data_home = g_dir_make_tmp ("ek-pages-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("EKEY_REGISTRY_URL", "https://127.0.0.1:9/api/v1", TRUE);
  g_unsetenv ("EKEY_REGISTRY_CA");

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

  g_test_add_func ("/pages/status/pre-review-failed", test_status_failed_pre_review);
  g_test_add_func ("/pages/status/expected-dates", test_status_expected_dates);
  g_test_add_func ("/pages/status/ready-for-collection", test_status_ready_for_collection);
  g_test_add_func ("/pages/status/additional-key", test_status_additional_key);
  g_test_add_func ("/pages/status/unlock", test_status_unlock);
  g_test_add_func ("/pages/account/checks-as-typed", test_account_checks_as_typed);
  g_test_add_func ("/pages/documents/unreachable", test_documents_unreachable);
  g_test_add_func ("/pages/status/refresh-on-focus", test_status_refresh_on_focus);
  g_test_add_func ("/pages/documents/print-and-name", test_documents_print_and_name);

  return g_test_run ();
}
