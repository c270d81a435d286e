/* test-pages-registry.c: the wizard's network pages against a real ekey-registry over TLS
 *
 * One ekey-registry (HTTPS, the fixture's own CA, temporary database) per run; the app finds it
 * through EKEY_REGISTRY_URL and EKEY_REGISTRY_CA like a configured installation. The tests run in
 * order as one clerk's journey: register, activate with the code from the outbox (a wrong code
 * first), log in with the captcha answer read on the operator's side (a wrong answer first);
 * send the application (idempotent replay after a "crash", a field the server rejects); upload
 * the materials and submit; the reviewer fails pre-review with a remark, the status shows it, one
 * material is replaced and only that one is uploaded again; the reviewers pass and the key is
 * ready: the status shows the authority and the originals to bring. With EK_TEST_SESSION_TTL the
 * server's sessions expire quickly and the session test checks the log-in dialog and the retry.
 * Screenshots in the build tree's test-artifacts/.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "ek-account-page.h"
#include "ek-api-fault-proxy.h"
#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-catalogue.h"
#include "ek-documents-page.h"
#include "ek-draft-materials.h"
#include "ek-login-dialog.h"
#include "ek-login-form.h"
#include "ek-material-rules.h"
#include "ek-status-page.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-upload-panel.h"
#include "ek-window.h"

#define REMARK "营业执照副本不清晰，请重新扫描后上传"

static EkApiServer *server;
static EkFaultProxy *proxy;       /* between the app and the registry: relays, or drops */
static EkApplication *app;
static GtkWidget *current_window;
static EkApplicationDraft *draft;
static char *uscc;
static char *email;

static void
press (GtkWidget  *root,
       const char *name)
{
  GtkWidget *button = ek_ui_find_any (root, name);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkWidget *
show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  current_window = window;
  ek_ui_iterate (current_window);
  return window;
}

static char *
captcha_answer (const char *id)
{
  char *answer = ek_api_run (server, NULL, "captcha-answer", id, NULL);

  return g_strstrip (answer);
}

/* Conditions */

static gboolean
mode_is (gpointer data)
{
  const char * const *args = data;
  return g_strcmp0 (ek_account_page_get_mode ((EkAccountPage *) args[0]), args[1]) == 0;
}

typedef struct
{
  EkAccountPage *page;
  const char    *mode;
  GtkWidget     *error;
} ModeOrError;

static gboolean
mode_or_error (gpointer data)
{
  const ModeOrError *m = data;

  return g_strcmp0 (ek_account_page_get_mode (m->page), m->mode) == 0 || gtk_widget_get_visible (m->error);
}

static void
wait_for_mode (EkAccountPage *page,
               const char    *mode,
               GtkWidget     *error,
               const char    *what)
{
  ModeOrError m = { page, mode, error };

  ek_ui_wait (current_window, mode_or_error, &m, what);
  if (gtk_widget_get_visible (error))
    g_test_message ("the page says: %s", gtk_label_get_label (GTK_LABEL (error)));
  g_assert_cmpstr (ek_account_page_get_mode (page), ==, mode);
}

static gboolean
is_visible (gpointer widget)
{
  return gtk_widget_get_visible ((GtkWidget *) widget);
}

static gboolean
has_captcha (gpointer form)
{
  return ek_login_form_has_captcha ((EkLoginForm *) form);
}

static gboolean
has_other_captcha (gpointer data)
{
  const char * const *args = data;
  EkLoginForm *form = (EkLoginForm *) args[0];

  return ek_login_form_has_captcha (form) && g_strcmp0 (ek_login_form_get_captcha_id (form), args[1]) != 0;
}

static gboolean
is_complete (gpointer page)
{
  return ek_page_get_complete ((EkPage *) page);
}

static gboolean
documents_settled (gpointer page)
{
  const char *state = ek_documents_page_get_state ((EkDocumentsPage *) page);
  return g_strcmp0 (state, "sending") != 0 && g_strcmp0 (state, "rendering") != 0;
}

static gboolean
is_true (gpointer flag)
{
  return *(const gboolean *) flag;
}

typedef struct
{
  EkStatusPage *page;
  guint         n;
} Refresh;

static gboolean
refreshed (gpointer data)
{
  const Refresh *r = data;
  return ek_status_page_get_n_refreshes (r->page) > r->n;
}

static void
refresh_status (EkStatusPage *page)
{
  Refresh r = { page, ek_status_page_get_n_refreshes (page) };

  ek_status_page_refresh (page);
  ek_ui_wait (current_window, refreshed, &r, "the status to be read from the server");
}

/* The tests, in the order of the journey */

static void
test_account_register_activate_login (void)
{
  EkPage *page = ek_account_page_new (draft);
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  EkLoginForm *form = EK_LOGIN_FORM (ek_account_page_get_login_form (EK_ACCOUNT_PAGE (page)));
  g_autofree char *code = NULL, *wrong_code = NULL, *first_id = NULL, *answer = NULL;
  const char *args[2] = { (const char *) page, NULL };
  GtkWidget *answer_entry;

  ek_page_shown (page);
  g_assert_false (ek_page_get_complete (page));
  press (window, "choose-register");
  ek_ui_set_text (window, "uscc", uscc);
  ek_ui_set_text (window, "enterprise_name", "北京测试科技有限公司");
  ek_ui_set_text (window, "email", email);
  ek_ui_set_text (window, "mobile", "13800138000");
  ek_ui_set_text (window, "contact_name", "王兵");
  press (window, "register-button");
  wait_for_mode (EK_ACCOUNT_PAGE (page), "activate", ek_ui_find_any (window, "register-error"), "the activation step after registering");
  ek_ui_screenshot (window, "registry-activate");

  /* A wrong code: said plainly, the clerk stays on the step and can try again */
  code = ek_api_activation_code_for (server, email);
  wrong_code = g_strdup (g_str_equal (code, "000000") ? "111111" : "000000");
  ek_ui_set_text (window, "activation-code", wrong_code);
  press (window, "activate-button");
  ek_ui_wait (current_window, is_visible, ek_ui_find_any (window, "activate-error"),
              "the message about the wrong code");
  g_assert_cmpstr (ek_account_page_get_mode (EK_ACCOUNT_PAGE (page)), ==, "activate");
  ek_ui_screenshot (window, "registry-activate-wrong-code");

  ek_ui_set_text (window, "activation-code", code);
  press (window, "activate-button");
  wait_for_mode (EK_ACCOUNT_PAGE (page), "login", ek_ui_find_any (window, "activate-error"), "the log-in step after activating");
  ek_ui_wait (current_window, has_captcha, form, "a captcha picture");
  /* The SVG from the server is shown as a picture */
  g_assert_nonnull (gtk_picture_get_paintable (GTK_PICTURE (ek_ui_find_any (window, "captcha-picture"))));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (ek_ui_find_any (window, "captcha-picture")))), >, 0);
  /* Prefilled from what was typed when registering */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (window, "login-code"))), ==, uscc);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (window, "login-name"))), ==, email);

  /* Hard to read? New picture */
  first_id = g_strdup (ek_login_form_get_captcha_id (form));
  press (window, "captcha-refresh");
  args[0] = (const char *) form;
  args[1] = first_id;
  ek_ui_wait (current_window, has_other_captcha, args, "a new captcha after New picture");

  /* A wrong answer: the error, a new picture, the answer cleared and focused */
  g_free (first_id);
  first_id = g_strdup (ek_login_form_get_captcha_id (form));
  ek_ui_set_text (window, "captcha-answer", "wrong");
  press (window, "login-button");
  args[0] = (const char *) form;
  args[1] = first_id;
  ek_ui_wait (current_window, has_other_captcha, args, "a new captcha after a wrong answer");
  ek_ui_wait (current_window, is_visible, ek_ui_find_any (window, "login-error"),
              "the message about the wrong answer");
  answer_entry = ek_ui_find_any (window, "captcha-answer");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (answer_entry)), ==, "");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == answer_entry ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), answer_entry));
  g_assert_false (ek_page_get_complete (page));
  ek_ui_screenshot (window, "registry-login-wrong-captcha");

  /* The right answer (read on the operator's side): logged in, the step is complete */
  answer = captcha_answer (ek_login_form_get_captcha_id (form));
  ek_ui_set_text (window, "captcha-answer", answer);
  press (window, "login-button");
  ek_ui_wait (current_window, is_complete, page,
              "the account step to be complete after logging in");
  args[0] = (const char *) page;
  args[1] = "done";
  g_assert_true (mode_is (args));
  g_assert_cmpstr (ek_application_draft_get_string (draft, "credit-code"), ==, uscc);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "login-name"), ==, email);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "enterprise-name"), ==, "北京测试科技有限公司");
  ek_ui_screenshot (window, "registry-logged-in");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
fill_form (void)
{
  ek_application_draft_set_string (draft, "licence-type", "non-electromechanical");
  ek_application_draft_set_string (draft, "registered-address", "北京市东城区东长安街1号");
  ek_application_draft_set_string (draft, "legal-rep-name", "罗云");
  ek_application_draft_set_string (draft, "legal-rep-id-type", "resident-id");
  ek_application_draft_set_string (draft, "legal-rep-id-number", "110102199101010078");
  ek_application_draft_set_string (draft, "user-name", "王兵");
  ek_application_draft_set_string (draft, "user-id-type", "resident-id");
  ek_application_draft_set_string (draft, "user-id-number", "110102199101010078");
  ek_application_draft_set_string (draft, "email", email);
  ek_application_draft_set_string (draft, "mobile", "13800138000");
  ek_application_draft_set_string (draft, "landline", "010-67811021");
  ek_application_draft_set_string (draft, "contact-address", "北京市东城区东长安街1号");
  ek_application_draft_set_string (draft, "postcode", "100176");
  ek_application_draft_set_string (draft, "authority-id", "shenzhen");
  ek_application_draft_set_string (draft, "authority-name", "深圳市商务局");
  ek_application_draft_set_boolean (draft, "tick-first-application", TRUE);
}

static void
test_documents_create_once (void)
{
  EkPage *page = ek_documents_page_new (draft);
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id = NULL;

  fill_form ();
  /* The key is in the draft before the first try */
  ek_application_draft_set_string (draft, "create-key", key);
  ek_page_shown (page);
  ek_ui_wait (current_window, documents_settled, page,
              "the application to be created and the forms rendered");
  g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), ==, "ready");
  g_assert_true (ek_page_get_complete (page));
  id = g_strdup (ek_application_draft_get_string (draft, "application-id"));
  g_assert_cmpuint (strlen (id), ==, 36);
  g_assert_cmpuint (strlen (ek_application_draft_get_string (draft, "application-number")), ==, 8);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "create-key"), ==, "");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *pdf = ek_documents_page_dup_pdf (EK_DOCUMENTS_PAGE (page), i);
      g_autofree char *name = ek_documents_page_default_name (EK_DOCUMENTS_PAGE (page), i);

      g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
      g_assert_nonnull (strstr (name, "北京测试科技有限公司"));
      g_assert_nonnull (strstr (name, ek_application_draft_get_string (draft, "application-number")));
    }
  ek_ui_screenshot (window, "registry-documents");

  /* The app died after the server created it but before the id was saved: the same key
   * brings back the same application, never a second one */
  ek_application_draft_set_string (draft, "application-id", "");
  ek_application_draft_set_string (draft, "create-key", key);
  ek_documents_page_retry (EK_DOCUMENTS_PAGE (page));
  ek_ui_wait (current_window, documents_settled, page, "the replayed creation");
  g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), ==, "ready");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "application-id"), ==, id);

  /* A value the server rejects goes onto its field, with a way to it */
  ek_application_draft_set_string (draft, "postcode", "1234");
  ek_documents_page_retry (EK_DOCUMENTS_PAGE (page));
  ek_ui_wait (current_window, documents_settled, page, "the server's answer to a wrong postcode");
  g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), ==, "fields");
  g_assert_nonnull (ek_application_draft_get_server_error (draft, "postcode"));
  g_assert_false (ek_page_get_complete (page));
  g_assert_true (gtk_widget_is_drawable (ek_ui_find_any (window, "field-errors")));
  ek_ui_screenshot (window, "registry-documents-field-error");

  /* Corrected: updated, not created again */
  ek_application_draft_set_string (draft, "postcode", "100176");
  ek_documents_page_retry (EK_DOCUMENTS_PAGE (page));
  ek_ui_wait (current_window, documents_settled, page, "the corrected application");
  g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), ==, "ready");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "application-id"), ==, id);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Run;

static void
on_run_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;

  run->ok = ek_upload_panel_run_finish (EK_UPLOAD_PANEL (source), result, &run->error);
  run->done = TRUE;
}

static void
run_panel (GtkWidget *panel)
{
  Run run = { 0 };

  ek_upload_panel_run_async (EK_UPLOAD_PANEL (panel), NULL, on_run_cb, &run);
  ek_ui_wait (current_window, is_true, &run.done, "the uploads and the submission");
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
}

typedef struct
{
  EkWindow   *window;
  const char *step;
} WizardAt;

static gboolean
wizard_at (gpointer data)
{
  const WizardAt *at = data;
  return g_strcmp0 (ek_window_get_current_step (at->window), at->step) == 0;
}

typedef struct
{
  EkUploadPanel *panel;
  const char    *material_id;
} UploadUnderWay;

static gboolean
upload_under_way (gpointer data)
{
  const UploadUnderWay *u = data;

  return g_strcmp0 (ek_upload_panel_get_row_state (u->panel, u->material_id), "uploading") == 0 &&
         ek_upload_panel_get_row_fraction (u->panel, u->material_id) > 0;
}

static void
review (const char *step,
        const char *verdict,
        const char *remark)
{
  ek_api_review (server, step, ek_application_draft_get_string (draft, "application-id"), verdict, remark);
}

static void
test_upload_submit_and_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  g_autoptr(EkMaterialRules) rules = ek_material_rules_new (catalogue, NULL, &error);
  g_autoptr(EkDraftMaterials) materials = ek_draft_materials_new (draft, &error);
  GPtrArray *requirements;
  GtkWidget *box, *panel, *window, *status_window;
  EkPage *status;
  guint n;

  g_assert_no_error (error);
  requirements = ek_material_rules_get_requirements (rules, "first-application");
  for (guint i = 0; i < requirements->len; i++)
    {
      EkMaterialRequirement *r = g_ptr_array_index (requirements, i);
      g_autoptr(GBytes) png = ek_api_png (200, 150, TRUE);

      g_assert_true (ek_draft_materials_import_bytes (materials, r->material_id, png, "scan.png", &error));
      g_assert_no_error (error);
    }
  n = requirements->len;
  g_assert_cmpstr (((EkMaterialRequirement *) g_ptr_array_index (requirements, n - 2))->material_id, ==, "authorisation-letter");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  panel = ek_upload_panel_new (draft, materials, requirements);
  gtk_box_append (GTK_BOX (box), panel);
  window = show_in_window (box);
  g_assert_true (gtk_widget_get_visible (panel));
  g_assert_true (ek_upload_panel_is_pending (EK_UPLOAD_PANEL (panel)));

  /* The connection drops while the second material is going up (slowed down so it is under
   * way): its line says so with Retry, the first one is on the server already */
  {
    Run run = { 0 };
    const char *first = ((EkMaterialRequirement *) g_ptr_array_index (requirements, 0))->material_id;
    const char *second = ((EkMaterialRequirement *) g_ptr_array_index (requirements, 1))->material_id;
    UploadUnderWay under_way = { EK_UPLOAD_PANEL (panel), second };
    g_autoptr(EkApiClient) client = ek_application_dup_api_client (app, NULL);

    /* One retry after a drop, so that one queued fault is enough to make it fail */
    ek_api_client_set_retries (client, 1, 50);
    ek_fault_proxy_set_throttle (proxy, 4096, 20);
    ek_upload_panel_run_async (EK_UPLOAD_PANEL (panel), NULL, on_run_cb, &run);
    ek_ui_wait (current_window, upload_under_way, &under_way,
                "the second material to be under way");
    ek_fault_proxy_queue (proxy, EK_FAULT_CLOSE, 0);
    ek_ui_wait (current_window, is_true, &run.done, "the upload to fail");
    g_assert_false (run.ok);
    g_assert_nonnull (run.error);
    g_test_message ("dropped: %s", run.error->message);
    g_clear_error (&run.error);
    g_assert_cmpstr (ek_upload_panel_get_row_state (EK_UPLOAD_PANEL (panel), first), ==, "uploaded");
    g_assert_cmpstr (ek_upload_panel_get_row_state (EK_UPLOAD_PANEL (panel), second), ==, "failed");
    g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "draft");
    ek_ui_screenshot (window, "registry-upload-dropped");
    ek_fault_proxy_set_throttle (proxy, 0, 0);
    ek_api_client_set_retries (client, 3, 250);
  }

  /* Retry, with a required material taken out meanwhile (the authorisation letter, which
   * nobody is exempt from): what the server lacks goes up, and the submission is refused
   * naming the missing material */
  {
    Run run = { 0 };
    const EkMaterialRequirement *last = g_ptr_array_index (requirements, n - 2);
    const char *text;

    g_assert_true (ek_draft_materials_remove (materials, last->material_id, &error));
    g_assert_no_error (error);
    ek_upload_panel_run_async (EK_UPLOAD_PANEL (panel), NULL, on_run_cb, &run);
    ek_ui_wait (current_window, is_true, &run.done, "the submission refused");
    g_assert_false (run.ok);
    g_clear_error (&run.error);
    text = gtk_label_get_label (GTK_LABEL (ek_ui_find_any (window, "upload-status")));
    g_test_message ("refused: %s", text);
    g_assert_nonnull (strstr (text, last->name));
    g_assert_cmpuint (ek_upload_panel_get_n_uploads (EK_UPLOAD_PANEL (panel)), ==, n - 1);
    g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "draft");
    ek_ui_screenshot (window, "registry-upload-missing");

    /* Added back: only it goes up, then the submission */
    {
      g_autoptr(GBytes) png = ek_api_png (200, 150, TRUE);
      g_assert_true (ek_draft_materials_import_bytes (materials, last->material_id, png, "scan.png", &error));
    }
    run_panel (panel);
    g_assert_cmpuint (ek_upload_panel_get_n_uploads (EK_UPLOAD_PANEL (panel)), ==, n);
    g_assert_cmpstr (ek_upload_panel_get_row_state (EK_UPLOAD_PANEL (panel), last->material_id), ==, "uploaded");
    for (guint i = 0; i < n; i++)
      if (i != n - 2)
        g_assert_cmpstr (ek_upload_panel_get_row_state (EK_UPLOAD_PANEL (panel),
                                                        ((EkMaterialRequirement *) g_ptr_array_index (requirements, i))->material_id),
                         ==, "skipped");
  }
  g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "submitted");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "submit-key"), ==, "");
  g_assert_false (ek_upload_panel_is_pending (EK_UPLOAD_PANEL (panel)));
  ek_ui_screenshot (window, "registry-uploaded");

  /* The authority fails the pre-review: the status says why and offers the way back */
  review ("pre-review", "fail", REMARK);
  status = ek_status_page_new (draft);
  status_window = show_in_window (GTK_WIDGET (status));
  refresh_status (EK_STATUS_PAGE (status));
  g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "pre-review-failed");
  g_assert_nonnull (strstr (ek_status_page_get_remark (EK_STATUS_PAGE (status)), REMARK));
  g_assert_true (ek_status_page_offers_resubmit (EK_STATUS_PAGE (status)));
  /* What is kept is said plainly, by name: the materials the service holds */
  g_assert_nonnull (ek_status_page_get_kept (EK_STATUS_PAGE (status)));
  g_assert_nonnull (strstr (ek_status_page_get_kept (EK_STATUS_PAGE (status)), "营业执照副本"));
  g_assert_nonnull (strstr (ek_status_page_get_kept (EK_STATUS_PAGE (status)), "授权委托书"));
  ek_ui_screenshot (status_window, "registry-status-failed");

  /* In the wizard: the status step offers the way back; on the materials step one material is
   * replaced, and Next uploads only it (the server has the rest) and submits again */
  {
    g_autoptr(GBytes) png = ek_api_png (190, 140, TRUE);
    g_autoptr(EkWindow) wizard = NULL;
    EkPage *page;
    GtkWidget *upload;
    WizardAt at;

    g_assert_true (ek_draft_materials_import_bytes (materials, "business-licence", png, "rescan.png", &error));
    wizard = g_object_ref_sink (ek_window_new_for_draft (GTK_APPLICATION (app), catalogue, draft));
    gtk_window_set_default_size (GTK_WINDOW (wizard), 1000, 720);
    gtk_window_present (GTK_WINDOW (wizard));
    current_window = GTK_WIDGET (wizard);
    ek_ui_iterate (current_window);
    g_assert_true (ek_window_go_to_step (wizard, "status"));
    page = ek_window_get_current_page (wizard);
    g_assert_true (EK_IS_STATUS_PAGE (page));
    {
      Refresh r = { EK_STATUS_PAGE (page), 0 };
      ek_ui_wait (current_window, refreshed, &r, "the status step to read the status");
    }
    g_assert_true (ek_status_page_offers_resubmit (EK_STATUS_PAGE (page)));
    press (GTK_WIDGET (wizard), "status-resubmit");
    ek_ui_iterate (current_window);
    g_assert_cmpstr (ek_window_get_current_step (wizard), ==, "materials");
    upload = ek_ui_find_any (GTK_WIDGET (ek_window_get_current_page (wizard)), "upload-panel");
    g_assert_nonnull (upload);
    g_assert_true (gtk_widget_is_drawable (upload));
    g_assert_true (ek_upload_panel_is_pending (EK_UPLOAD_PANEL (upload)));
    g_assert_true (ek_page_get_complete (ek_window_get_current_page (wizard)));
    ek_ui_screenshot (GTK_WIDGET (wizard), "registry-wizard-materials");

    gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL);
    at.window = wizard;
    at.step = "status";
    ek_ui_wait (current_window, wizard_at, &at, "Next to upload, submit and go on to the status");
    g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "submitted");
    /* The status step shows it at once, without the old remark, and then reads the server */
    page = ek_window_get_current_page (wizard);
    g_assert_false (ek_status_page_offers_resubmit (EK_STATUS_PAGE (page)));
    {
      Refresh r = { EK_STATUS_PAGE (page), 1 };
      ek_ui_wait (current_window, refreshed, &r, "the status step to read the status again");
    }
    g_assert_false (ek_status_page_offers_resubmit (EK_STATUS_PAGE (page)));
    g_assert_nonnull (ek_status_page_get_expected (EK_STATUS_PAGE (page)));
    g_assert_cmpuint (ek_upload_panel_get_n_uploads (EK_UPLOAD_PANEL (upload)), ==, 1);
    g_assert_cmpstr (ek_upload_panel_get_row_state (EK_UPLOAD_PANEL (upload), "business-licence"), ==, "uploaded");
    g_assert_cmpstr (ek_upload_panel_get_row_state (EK_UPLOAD_PANEL (upload), "application-form"), ==, "skipped");
    ek_ui_screenshot (GTK_WIDGET (wizard), "registry-wizard-resubmitted");
    gtk_window_destroy (GTK_WINDOW (wizard));
    current_window = status_window;
  }

  /* Both reviews pass, the key is made, shipped and arrives: where to collect, what to bring */
  review ("pre-review", "pass", NULL);
  review ("re-review", "pass", NULL);
  /* The re-review passed: the page says the activation mail of the seed is on its way, and
   * expects the key at the authority 5 working days after the pre-review, not 5 + 5 */
  refresh_status (EK_STATUS_PAGE (status));
  g_assert_nonnull (ek_status_page_get_notes (EK_STATUS_PAGE (status)));
  g_assert_nonnull (strstr (ek_status_page_get_notes (EK_STATUS_PAGE (status)), "调用商务部统一用户管理平台激活企业账户"));
  review ("produce", NULL, NULL);
  review ("ship", NULL, NULL);
  review ("arrive", NULL, NULL);
  refresh_status (EK_STATUS_PAGE (status));
  g_assert_cmpstr (ek_application_draft_get_string (draft, "status"), ==, "ready-for-collection");
  g_assert_nonnull (strstr (ek_status_page_get_authority (EK_STATUS_PAGE (status)), "深圳市商务局"));
  /* “步骤(4)要求的全部纸质材料”: the six materials of the upload step, nothing else */
  g_assert_cmpuint (ek_status_page_get_n_originals (EK_STATUS_PAGE (status)), ==, 6);
  g_assert_false (ek_status_page_offers_resubmit (EK_STATUS_PAGE (status)));
  ek_ui_screenshot (status_window, "registry-status-ready");

  gtk_window_destroy (GTK_WINDOW (status_window));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Sessions last EK_TEST_SESSION_TTL seconds here: the status call finds the session expired,
 * the log-in dialog comes up over the page with the code and login name filled in, and after
 * logging in the same call is made again and the page shows its answer */
static gboolean
login_dialog_up (gpointer window)
{
  return g_object_get_data (G_OBJECT (window), "ek-login-dialog") != NULL;
}

static void
test_session_expiry (void)
{
  EkPage *status = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (GTK_WIDGET (status));
  EkLoginDialog *dialog;
  EkLoginForm *form;
  g_autofree char *answer = NULL;
  Refresh r = { EK_STATUS_PAGE (status), ek_status_page_get_n_refreshes (EK_STATUS_PAGE (status)) };
  guint ttl = (guint) g_ascii_strtoull (g_getenv ("EK_TEST_SESSION_TTL"), NULL, 10);

  /* Outlive the session */
  g_usleep ((ttl + 1) * G_USEC_PER_SEC);
  ek_status_page_refresh (EK_STATUS_PAGE (status));
  ek_ui_wait (current_window, login_dialog_up, window, "the log-in dialog over the page");
  dialog = g_object_get_data (G_OBJECT (window), "ek-login-dialog");
  form = EK_LOGIN_FORM (ek_login_dialog_get_form (dialog));
  ek_ui_wait (current_window, has_captcha, form, "the dialog's captcha");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (GTK_WIDGET (dialog), "login-code"))), ==, uscc);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (GTK_WIDGET (dialog), "login-name"))), ==, email);
  /* The page has not given up: it waits for the log-in */
  g_assert_cmpuint (ek_status_page_get_n_refreshes (EK_STATUS_PAGE (status)), ==, r.n);
  ek_ui_screenshot (GTK_WIDGET (dialog), "registry-session-expired");

  answer = captcha_answer (ek_login_form_get_captcha_id (form));
  ek_ui_set_text (GTK_WIDGET (dialog), "captcha-answer", answer);
  press (GTK_WIDGET (dialog), "login-button");
  ek_ui_wait (current_window, refreshed, &r, "the status call made again after logging in");
  g_assert_false (login_dialog_up (window));
  g_assert_cmpstr (ek_status_page_get_summary (EK_STATUS_PAGE (status)), !=, "");
  g_assert_false (gtk_widget_get_visible (ek_ui_find_any (window, "status-error")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Restarted on a draft past the account step: no session at all. The first call brings the
 * same dialog, and then carries on. */
static void
test_no_session (void)
{
  EkPage *status = ek_status_page_new (draft);
  GtkWidget *window = show_in_window (GTK_WIDGET (status));
  g_autoptr(EkApiClient) client = ek_application_dup_api_client (app, NULL);
  EkLoginDialog *dialog;
  EkLoginForm *form;
  g_autofree char *answer = NULL;
  Refresh r = { EK_STATUS_PAGE (status), ek_status_page_get_n_refreshes (EK_STATUS_PAGE (status)) };

  ek_api_client_forget_session (client);
  g_assert_false (ek_api_client_has_session (client));
  ek_status_page_refresh (EK_STATUS_PAGE (status));
  ek_ui_wait (current_window, login_dialog_up, window,
              "the log-in dialog when there is no session");
  dialog = g_object_get_data (G_OBJECT (window), "ek-login-dialog");
  form = EK_LOGIN_FORM (ek_login_dialog_get_form (dialog));
  ek_ui_wait (current_window, has_captcha, form, "the dialog's captcha");
  answer = captcha_answer (ek_login_form_get_captcha_id (form));
  ek_ui_set_text (GTK_WIDGET (dialog), "captcha-answer", answer);
  press (GTK_WIDGET (dialog), "login-button");
  ek_ui_wait (current_window, refreshed, &r, "the status call made again after logging in");
  g_assert_true (ek_api_client_has_session (client));
  g_assert_false (gtk_widget_get_visible (ek_ui_find_any (window, "status-error")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Logs in without the UI (for the session test, which starts logged out) */
static void
test_prepare_session (void)
{
  g_autofree char *token = NULL;
  EkPage *page = ek_account_page_new (draft);
  GtkWidget *window = show_in_window (GTK_WIDGET (page));
  EkLoginForm *form = EK_LOGIN_FORM (ek_account_page_get_login_form (EK_ACCOUNT_PAGE (page)));
  g_autofree char *answer = NULL;
  const char *id;

  /* An account made on the operator's side of the API, then the UI's log-in */
  token = ek_api_register_and_login (server, uscc, email);
  ek_application_draft_set_string (draft, "credit-code", uscc);
  ek_application_draft_set_string (draft, "login-name", email);
  ek_page_shown (page);
  ek_account_page_set_mode (EK_ACCOUNT_PAGE (page), "login");
  ek_login_form_set_values (form, uscc, email);
  ek_ui_wait (current_window, has_captcha, form, "a captcha picture");
  id = ek_login_form_get_captcha_id (form);
  answer = captcha_answer (id);
  ek_ui_set_text (window, "captcha-answer", answer);
  press (window, "login-button");
  ek_ui_wait (current_window, is_complete, page, "logging in");
  ek_application_draft_set_string (draft, "application-id", "");
  fill_form ();
  {
    EkPage *documents = ek_documents_page_new (draft);
    GtkWidget *documents_window = show_in_window (GTK_WIDGET (documents));

    ek_page_shown (documents);
    ek_ui_wait (current_window, documents_settled, documents, "the application to be created");
    g_assert_cmpstr (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (documents)), ==, "ready");
    gtk_window_destroy (GTK_WINDOW (documents_window));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  const char *ttl = g_getenv ("EK_TEST_SESSION_TTL");
  const char *extra[] = { "--session-ttl", ttl, NULL };
  int status;

  /* Drafts and their documents in a folder of the test's own */
  data_home = g_dir_make_tmp ("ek-pages-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  ek_ui_init (&argc, &argv);

  server = ek_api_server_start_tls (ttl != NULL ? extra : NULL);
  proxy = ek_fault_proxy_new (server);
  g_setenv ("EKEY_REGISTRY_URL", ek_fault_proxy_get_url (proxy), TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  draft = ek_application_draft_new ();
  ek_application_draft_set_business_type_id (draft, "first-application");
  uscc = ek_api_make_uscc ();
  email = g_strdup_printf ("clerk%u@example.com", g_random_int ());

  if (ttl != NULL)
    {
      g_test_add_func ("/registry/prepare-session", test_prepare_session);
      g_test_add_func ("/registry/session-expiry", test_session_expiry);
      g_test_add_func ("/registry/no-session", test_no_session);
    }
  else
    {
      g_test_add_func ("/registry/account", test_account_register_activate_login);
      g_test_add_func ("/registry/documents", test_documents_create_once);
      g_test_add_func ("/registry/upload-and-status", test_upload_submit_and_status);
    }

  status = g_test_run ();
  ek_fault_proxy_free (proxy);
  ek_api_server_free (server);
  g_clear_object (&draft);
  g_free (uscc);
  g_free (email);
  return status;
}
