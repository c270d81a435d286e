/* test-first-application.c: a first application, end to end, as a clerk makes it
 *
 * The real wizard window, in Chinese under Xvfb, against a real ekey-registry over HTTPS with a
 * temporary database: register, activate with the code from the service's outbox, log in with
 * the captcha (its answer read on the operator's side), fill the form with one wrong field put
 * right, check the answers, submit, keep the two PDFs, add the materials (one scan fitted under
 * the limit), upload and confirm. Then the reviewer fails the pre-review with a remark: the clerk
 * sees it, replaces a material and resubmits; the reviewer passes both reviews, the key is made,
 * shipped and arrives: the clerk sees where to collect it and which originals to bring.
 * Every step is saved as a screenshot in test-artifacts/ (first-application-NN-*.png).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-documents-page.h"
#include "ek-image.h"
#include "ek-login-form.h"
#include "ek-material-row.h"
#include "ek-materials-page.h"
#include "ek-status-page.h"
#include "ek-test-common.h"
#include "ek-test-images.h"
#include "ek-ui-wizard.h"
#include "ek-window.h"

#ifndef EK_JOURNEY_SHOT_PREFIX
#define EK_JOURNEY_SHOT_PREFIX "first-application"
#endif

static EkApiServer *server;
static EkApplication *app;
static char *work_dir;

/* Small helpers over the window */

static GtkWidget *
win (EkWindow *window)
{
  return GTK_WIDGET (window);
}

static void
shot (EkWindow   *window,
      const char *name)
{
  ek_ui_screenshot_numbered (win (window), EK_JOURNEY_SHOT_PREFIX, name);
}

typedef struct
{
  EkWindow   *window;
  const char *step;
} StepWait;

static EkPage *
current_page (EkWindow *window)
{
  return ek_window_get_current_page (window);
}

/* Materials as they come out of the clerk's scanner */

static char *
write_material (const char *name,
                GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (work_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static char *
scanned_page (const char      *name,
              EkTestPageKind   kind,
              double           dpi,
              int              quality)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) image = ek_test_render_page (kind, dpi, g_str_hash (name), NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (image, quality, TRUE, &error);

  g_assert_no_error (error);
  return write_material (name, jpeg);
}

typedef struct
{
  EkMaterialRow      *row;
  EkMaterialRowState  state;
} RowWait;

static gboolean
row_settled (gpointer data)
{
  RowWait *wait = data;

  return ek_material_row_get_state (wait->row) == wait->state;
}

static gboolean
row_has_preview (gpointer data)
{
  return ek_material_row_has_fit_preview (data);
}

static EkMaterialRow *
material_row (EkWindow   *window,
              const char *id)
{
  GtkWidget *row = ek_materials_page_get_row (EK_MATERIALS_PAGE (current_page (window)), id);

  g_assert_nonnull (row);
  return EK_MATERIAL_ROW (row);
}

static void
add_material (EkWindow           *window,
              const char         *id,
              const char         *path,
              EkMaterialRowState  expected)
{
  RowWait wait = { material_row (window, id), expected };
  g_autofree char *what = g_strdup_printf ("the material “%s” to be checked", id);

  ek_ui_drop_file (GTK_WIDGET (wait.row), path);
  ek_ui_wait (win (window), row_settled, &wait, what);
}

/* The journey */

typedef struct
{
  EkWindow *window;
  char     *uscc;
  char     *email;
  char     *application_id;
} Journey;

static gboolean
captcha_loaded (gpointer data)
{
  GtkWidget *form = ek_ui_find_type (data, EK_TYPE_LOGIN_FORM);

  return form != NULL && ek_login_form_has_captcha (EK_LOGIN_FORM (form));
}

static void
account (Journey *j)
{
  EkWindow *window = j->window;
  g_autofree char *code = NULL;
  g_autofree char *answer = NULL;
  GtkWidget *form;

  ek_ui_wait_for (win (window), "choose-register");
  shot (window, "account");
  ek_ui_click (win (window), "choose-register");
  ek_ui_wait_for (win (window), "register-button");

  ek_ui_type (win (window), "uscc", j->uscc);
  ek_ui_type (win (window), "enterprise_name", "北京测试科技有限公司");
  ek_ui_type (win (window), "email", j->email);
  ek_ui_type (win (window), "login_name", j->email);
  ek_ui_type (win (window), "mobile", "18910123221");
  ek_ui_type (win (window), "contact_name", "王兵");
  shot (window, "register");
  ek_ui_assert_mnemonics_unique (win (window));
  ek_ui_click (win (window), "register-button");

  /* The code arrives by email: here, in the service's outbox */
  ek_ui_wait_for (win (window), "activation-code");
  code = ek_api_activation_code_for (server, j->email);
  ek_ui_type (win (window), "activation-code", code);
  shot (window, "activate");
  ek_ui_assert_mnemonics_unique (win (window));
  ek_ui_click (win (window), "activate-button");

  /* Log in: the code and login name are already there; the captcha is read off the image */
  ek_ui_wait (win (window), captcha_loaded, window, "the captcha image");
  form = ek_ui_find_type (win (window), EK_TYPE_LOGIN_FORM);
  {
    int status = -1;

    answer = ek_api_run (server, &status, "captcha-answer", ek_login_form_get_captcha_id (EK_LOGIN_FORM (form)), NULL);
    g_assert_cmpint (status, ==, 0);
    g_strstrip (answer);
  }
  ek_ui_type (win (window), "captcha-answer", answer);
  shot (window, "log-in");
  ek_ui_assert_mnemonics_unique (win (window));
  ek_ui_click (win (window), "login-button");
  ek_ui_wait_for (win (window), "logged-in-label");
  shot (window, "logged-in");
}

typedef struct
{
  EkWindow   *window;
  const char *field;
  gboolean    shown;
} MessageWait;

static gboolean
message_is (gpointer data)
{
  MessageWait *wait = data;
  g_autofree char *name = g_strconcat (wait->field, "-message", NULL);
  GtkWidget *message = ek_ui_find (win (wait->window), name);
  gboolean shown = message != NULL && gtk_widget_get_visible (message) &&
                   *gtk_label_get_text (GTK_LABEL (message)) != '\0';

  return shown == wait->shown;
}

static void
form (Journey *j)
{
  EkWindow *window = j->window;
  MessageWait mobile = { window, "mobile", TRUE };
  GtkWidget *credit_code;

  /* What the account step learnt is already in the form */
  ek_ui_go_next (window, "form-enterprise");
  credit_code = ek_ui_find (win (window), "credit-code");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (credit_code)), ==, j->uscc);
  ek_ui_type (win (window), "registered-address", "北京市北京经济技术开发区荣华中路11号");
  shot (window, "form-enterprise");

  ek_ui_go_next (window, "form-people");
  ek_ui_type (win (window), "legal-rep-name", "罗云");
  ek_ui_choose (win (window), "legal-rep-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
  ek_ui_type (win (window), "legal-rep-id-number", "11010519491231002X");
  ek_ui_type (win (window), "user-name", "王兵");
  ek_ui_choose (win (window), "user-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
  ek_ui_type (win (window), "user-id-number", "110102199101010078");
  shot (window, "form-people");

  /* One digit short: the clerk is told beside the field, and cannot go on until it is right */
  ek_ui_go_next (window, "form-contact");
  ek_ui_type (win (window), "mobile", "1891012322");
  ek_ui_type (win (window), "landline", "67811021");
  ek_ui_type (win (window), "contact-address", "北京市北京经济技术开发区荣华中路11号");
  ek_ui_type (win (window), "department", "进出口部");
  ek_ui_type (win (window), "job-title", "经理");
  ek_ui_type (win (window), "postcode", "100176");
  ek_ui_wait (win (window), message_is, &mobile, "the message under the mobile number");
  g_assert_false (gtk_widget_is_sensitive (ek_ui_next_button (window)));
  shot (window, "form-contact-wrong-mobile");
  ek_ui_type (win (window), "mobile", "18910123221");
  mobile.shown = FALSE;
  ek_ui_wait (win (window), message_is, &mobile, "the message under the mobile number to go");
  shot (window, "form-contact");

  ek_ui_go_next (window, "form-authority");
  ek_ui_choose (win (window), "authority-id", "北京");
  shot (window, "form-authority");

  ek_ui_go_next (window, "review");
  g_assert_true (ek_ui_shows_text (win (window), "北京测试科技有限公司"));
  g_assert_true (ek_ui_shows_text (win (window), "18910123221"));
  g_assert_true (ek_ui_shows_text (win (window), "北京市商务局"));
  /* ID numbers are masked even here */
  g_assert_false (ek_ui_shows_text (win (window), "110102199101010078"));
  shot (window, "review");
  /* One Change button per section: none takes an Alt key that the others share */
  ek_ui_assert_mnemonics_unique (win (window));
}

static gboolean
documents_ready (gpointer data)
{
  EkPage *page = data;

  return g_str_equal (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), "ready");
}

static char *
pdf_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static void
documents (Journey *j)
{
  EkWindow *window = j->window;
  EkApplicationDraft *draft = ek_window_get_draft (window);
  g_autofree char *number = NULL;
  EkPage *page;

  /* Submitting the answers creates the application on the service; its forms come back as PDF */
  ek_ui_go_next (window, "documents");
  page = current_page (window);
  ek_ui_wait (win (window), documents_ready, page, "the documents");
  j->application_id = g_strdup (ek_application_draft_get_string (draft, "application-id"));
  g_assert_nonnull (j->application_id);
  number = g_strdup (ek_application_draft_get_string (draft, "application-number"));
  g_assert_nonnull (number);
  shot (window, "documents");
  g_assert_true (ek_ui_shows_text (win (window), number));
  /* The keyboard starts on the first form's Print button, and each button has its own Alt key */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == ek_ui_find (win (window), "print-form"));
  ek_ui_assert_mnemonics_unique (win (window));

  /* The clerk keeps both PDFs; each names the enterprise and carries the number on its pages */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *pdf = ek_documents_page_dup_pdf (EK_DOCUMENTS_PAGE (page), i);
      g_autofree char *name = ek_documents_page_default_name (EK_DOCUMENTS_PAGE (page), i);
      g_autofree char *kept = g_build_filename (work_dir, name, NULL);
      g_autoptr(GFile) from = g_file_new_for_path (pdf);
      g_autoptr(GFile) to = g_file_new_for_path (kept);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      g_assert_true (g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      text = pdf_text (kept);
      g_assert_nonnull (strstr (text, number));
      g_assert_nonnull (strstr (text, i == 0 ? "北京测试科技有限公司" : "电子签章"));
      g_test_message ("kept %s", kept);
    }
}

static gboolean
status_shows (gpointer data)
{
  StepWait *wait = data;
  EkPage *page = current_page (wait->window);

  return EK_IS_STATUS_PAGE (page) &&
         g_strcmp0 (ek_status_page_get_summary (EK_STATUS_PAGE (page)), ek_status_name (wait->step)) == 0;
}

static void
wait_for_status (EkWindow   *window,
                 const char *status)
{
  StepWait wait = { window, status };
  g_autofree char *what = g_strdup_printf ("the status “%s”", status);

  ek_ui_wait (win (window), status_shows, &wait, what);
}

static void
materials (Journey *j)
{
  EkWindow *window = j->window;
  g_autofree char *form_scan = scanned_page ("application-form.jpg", EK_TEST_PAGE_SEALED, 300, 92);
  g_autofree char *letter = scanned_page ("confirmation-letter.jpg", EK_TEST_PAGE_SEALED, 60, 60);
  g_autofree char *licence = scanned_page ("business-licence.jpg", EK_TEST_PAGE_SEALED, 60, 60);
  g_autofree char *authorisation = scanned_page ("authorisation-letter.jpg", EK_TEST_PAGE_PHOTOCOPY, 60, 60);
  g_autofree char *operator_form = scanned_page ("operator-form.jpg", EK_TEST_PAGE_PHOTOCOPY, 60, 60);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) front = ek_test_render_id_card (150, FALSE);
  g_autoptr(EkImage) back = ek_test_render_id_card (150, TRUE);
  g_autoptr(EkImage) both = ek_image_stack (front, back);
  g_autoptr(GBytes) card_jpeg = ek_image_encode_jpeg (both, 80, TRUE, &error);
  g_autofree char *id_card = NULL;
  EkMaterialRow *form_row;

  g_assert_no_error (error);
  id_card = write_material ("id-card.jpg", card_jpeg);

  ek_ui_go_next (window, "materials");
  shot (window, "materials");

  /* The signed and stamped form, scanned at 300 DPI, is too large: fitted automatically */
  add_material (window, "application-form", form_scan, EK_MATERIAL_ROW_TOO_LARGE);
  form_row = material_row (window, "application-form");
  ek_material_row_fit (form_row);
  ek_ui_wait (win (window), row_has_preview, form_row, "the fitted preview");
  shot (window, "materials-fit-preview");
  ek_material_row_accept_fit (form_row);
  {
    RowWait ready = { form_row, EK_MATERIAL_ROW_READY };
    ek_ui_wait (win (window), row_settled, &ready, "the fitted form to be ready");
  }

  add_material (window, "confirmation-letter", letter, EK_MATERIAL_ROW_READY);
  add_material (window, "business-licence", licence, EK_MATERIAL_ROW_READY);
  add_material (window, "id-card", id_card, EK_MATERIAL_ROW_READY);
  add_material (window, "authorisation-letter", authorisation, EK_MATERIAL_ROW_READY);
  add_material (window, "foreign-trade-operator-form", operator_form, EK_MATERIAL_ROW_READY);
  shot (window, "materials-ready");

  /* Upload and confirm: the application is submitted and its status shows */
  ek_ui_go_next (window, "status");
  wait_for_status (window, "submitted");
  shot (window, "status-submitted");
}

static void
refresh (EkWindow *window)
{
  ek_status_page_refresh (EK_STATUS_PAGE (current_page (window)));
}

static void
failed_review_and_resubmit (Journey *j)
{
  EkWindow *window = j->window;
  const char *remark = "营业执照副本不清晰，请重新扫描";
  g_autofree char *clearer = scanned_page ("business-licence-again.jpg", EK_TEST_PAGE_SEALED, 70, 60);

  /* The reviewer names it by the number on the clerk's screen */
  ek_api_review (server, "pre-review", ek_application_draft_get_string (ek_window_get_draft (window), "application-number"), "fail", remark);
  refresh (window);
  wait_for_status (window, "pre-review-failed");
  g_assert_nonnull (strstr (ek_status_page_get_remark (EK_STATUS_PAGE (current_page (window))), remark));
  g_assert_true (ek_ui_shows_text (win (window), remark));
  shot (window, "status-failed");

  /* The way back: replace the licence, then upload and resubmit */
  ek_ui_click (win (window), "status-resubmit");
  ek_ui_wait_step (window, "materials");
  add_material (window, "business-licence", clearer, EK_MATERIAL_ROW_READY);
  shot (window, "materials-replaced");
  ek_ui_go_next (window, "status");
  wait_for_status (window, "submitted");
  shot (window, "status-resubmitted");
}

static void
collection (Journey *j)
{
  EkWindow *window = j->window;
  EkStatusPage *page;

  ek_api_review (server, "pre-review", j->application_id, "pass", NULL);
  ek_api_review (server, "re-review", j->application_id, "pass", NULL);
  ek_api_review (server, "produce", j->application_id, NULL, NULL);
  ek_api_review (server, "ship", j->application_id, NULL, NULL);
  ek_api_review (server, "arrive", j->application_id, NULL, NULL);
  refresh (window);
  wait_for_status (window, "ready-for-collection");
  page = EK_STATUS_PAGE (current_page (window));
  g_assert_nonnull (strstr (ek_status_page_get_authority (page), "北京市商务局"));
  g_assert_true (ek_ui_shows_text (win (window), "北京市商务局"));
  g_assert_cmpuint (ek_status_page_get_n_originals (page), >, 0);
  g_assert_true (ek_ui_shows_text (win (window), "营业执照"));
  shot (window, "status-ready-for-collection");
}

static void
test_journey (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  Journey j = { NULL };
  GtkWidget *row;

  g_assert_no_error (error);
  j.uscc = ek_api_make_uscc ();
  j.email = g_strdup_printf ("clerk%u@example.com", g_random_int ());
  j.window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_set_default_size (GTK_WINDOW (j.window), 1000, 720);
  gtk_window_present (GTK_WINDOW (j.window));
  ek_ui_iterate (win (j.window));

  /* The business: a first application */
  row = ek_ui_wait_for (win (j.window), "first-application");
  shot (j.window, "business-type");
  /* Chosen as with Enter or a click: the wizard goes on to its first step */
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (j.window, "account");

  account (&j);
  form (&j);
  documents (&j);
  materials (&j);
  failed_review_and_resubmit (&j);
  collection (&j);

  gtk_window_destroy (GTK_WINDOW (j.window));
  g_free (j.uscc);
  g_free (j.email);
  g_free (j.application_id);
}

/* test-kiosk.c runs this journey in counter mode: it includes this file without its main() */
#ifndef EK_JOURNEY_WITHOUT_MAIN
int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  /* Drafts, documents and materials in a folder of the test's own */
  data_home = g_dir_make_tmp ("ek-first-application-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  work_dir = g_build_filename (data_home, "clerk", NULL);
  g_mkdir_with_parents (work_dir, 0700);

  ek_ui_init (&argc, &argv);

  server = ek_api_server_start_tls (NULL);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/first-application/journey", test_journey);
  status = g_test_run ();

  ek_api_server_free (server);
  ek_test_images_shutdown ();
  g_free (work_dir);
  return status;
}
#endif
