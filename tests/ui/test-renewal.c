/* test-renewal.c: a renewal with the key, end to end, as a clerk makes it
 *
 * The real wizard window, in Chinese under Xvfb, a SoftHSM2 key whose certificate the service's
 * issuing CA issued 20 days before its expiry, and a real ekey-registry over HTTPS that knows the
 * enterprise's 18-digit code. The clerk logs in with the key (a wrong PIN first), the service says
 * the key can be renewed online and the form comes pre-filled, the two documents and the
 * renewal's two materials, the provider's check passes, and the online update writes the new
 * certificate to the key: it holds one certificate, with the new expiry and the 18-digit code.
 * On the way the session ends and is started again with the key, in the dialog over the page.
 * Screenshots in test-artifacts/renewal-NN-*.png.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-documents-page.h"
#include "ek-material-row.h"
#include "ek-materials-page.h"
#include "ek-status-page.h"
#include "ek-test-common.h"
#include "ek-token-manager.h"
#include "ek-ui-key-fixture.h"
#include "ek-ui-wizard.h"

#define USCC "91350100M000100Y43"

static EkApiServer *server;
static EkApplication *app;
static char *work_dir;

static GtkWidget *
win (EkWindow *window)
{
  return GTK_WIDGET (window);
}

static void
shot (EkWindow   *window,
      const char *name)
{
  ek_ui_screenshot_numbered (win (window), "renewal", name);
}

static gboolean
label_shown (gpointer data)
{
  GtkWidget *label = data;

  return gtk_widget_get_visible (label) && *gtk_label_get_text (GTK_LABEL (label)) != '\0';
}

typedef struct
{
  GtkWidget  *label;
  const char *previous;
  char       *seen;
} LabelChange;

static gboolean
label_changed (gpointer data)
{
  LabelChange *change = data;
  const char *now = gtk_label_get_text (GTK_LABEL (change->label));

  return gtk_widget_get_visible (change->label) && *now != '\0' && g_strcmp0 (now, change->previous) != 0;
}

static gboolean
documents_ready (gpointer data)
{
  return g_str_equal (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (data)), "ready");
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

static char *
png_material (const char *name)
{
  g_autoptr(GBytes) png = ek_api_png (600, 800, FALSE);
  g_autofree char *path = g_build_filename (work_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  return g_steal_pointer (&path);
}

typedef struct
{
  EkWindow   *window;
  const char *status;
} StatusWait;

/* The status page shows the application's status (it keeps it in the draft) */
static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;
  EkPage *page = ek_window_get_current_page (wait->window);

  return EK_IS_STATUS_PAGE (page) &&
         g_strcmp0 (ek_application_draft_get_string (ek_window_get_draft (wait->window), "status"), wait->status) == 0;
}

static void
key_login (EkWindow *window)
{
  GtkWidget *error_label, *result;
  LabelChange change = { NULL };

  ek_ui_go_next (window, "key-login");
  ek_ui_wait_for (win (window), "key-login-button");
  shot (window, "key-login");

  /* A wrong PIN first: said plainly, with how the key now stands */
  ek_ui_type (win (window), "pin", "000000");
  ek_ui_click (win (window), "key-login-button");
  error_label = ek_ui_find_any (win (window), "key-login-error");
  ek_ui_wait (win (window), label_shown, error_label, "the wrong PIN to be said");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "PIN"));
  /* the entry was emptied as soon as the PIN was taken */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "pin"))), ==, "");
  g_assert_false (ek_page_get_complete (ek_window_get_current_page (window)));
  shot (window, "key-login-wrong-pin");

  ek_ui_type (win (window), "pin", "123456");
  ek_ui_click (win (window), "key-login-button");
  result = ek_ui_find_any (win (window), "key-login-result");
  change.label = result;
  ek_ui_wait (win (window), label_changed, &change, "the service's decision");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the key to be eligible");
  g_assert_true (ek_ui_shows_text (win (window), USCC));
  shot (window, "key-login-eligible");
}

static void
form (EkWindow *window)
{
  /* Pre-filled from the certificate and the service's data */
  ek_ui_go_next (window, "form-enterprise");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "credit-code"))), ==, USCC);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "enterprise-code"))), ==, "9999400000560");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "enterprise-name"))), ==, "北京测试科技有限公司");
  /* An older key's login name (LUOYUN) is an electromechanical account, not an e-mail address */
  ek_ui_choose (win (window), "licence-type", "=机电类");
  shot (window, "form-enterprise");

  ek_ui_go_next (window, "form-people");
  ek_ui_type (win (window), "legal-rep-name", "罗云");
  ek_ui_choose (win (window), "legal-rep-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
  ek_ui_type (win (window), "legal-rep-id-number", "11010519491231002X");
  ek_ui_type (win (window), "user-name", "王兵");
  ek_ui_choose (win (window), "user-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
  ek_ui_type (win (window), "user-id-number", "110102199101010078");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "login-name"))), ==, "LUOYUN");

  ek_ui_go_next (window, "form-contact");
  ek_ui_type (win (window), "email", "wangbing@126.com");
  ek_ui_type (win (window), "mobile", "18910123221");
  ek_ui_type (win (window), "contact-address", "北京市北京经济技术开发区荣华中路11号");
  ek_ui_type (win (window), "postcode", "100176");
  ek_ui_go_next (window, "review");
  shot (window, "review");
}

static gboolean
login_dialog_up (gpointer window)
{
  return g_object_get_data (G_OBJECT (window), "ek-login-dialog") != NULL;
}

static gboolean
login_dialog_gone (gpointer window)
{
  return !login_dialog_up (window);
}

static gboolean
key_relogin_ready (gpointer dialog)
{
  return gtk_widget_is_sensitive (ek_ui_find_any (dialog, "key-relogin-button"));
}

/* The session ends (as when the app is started again on this draft, or the clerk was away): the
 * next call brings the log-in dialog over the page with the key, not the code and captcha a key
 * business never had; the certificate of the key log-in is chosen, a wrong PIN is said plainly,
 * and with the right one the same call is made again and the page carries on */
static void
session_ends_then_key_login (EkWindow *window)
{
  g_autoptr(EkApiClient) client = ek_application_dup_api_client (app, NULL);
  GtkWidget *dialog, *error_label;

  ek_api_client_forget_session (client);
  ek_ui_go_next (window, "documents");
  ek_ui_wait (win (window), login_dialog_up, window, "the log-in dialog over the page");
  dialog = g_object_get_data (G_OBJECT (window), "ek-login-dialog");
  g_assert_true (gtk_widget_get_mapped (ek_ui_find_any (dialog, "key-relogin-pin")));
  g_assert_false (gtk_widget_get_mapped (ek_ui_find_any (dialog, "login-code")));
  g_assert_true (ek_ui_shows_text (dialog, "9999400000560-LUOYUN"));
  ek_ui_type (dialog, "key-relogin-pin", "000000");
  ek_ui_wait (win (window), key_relogin_ready, dialog, "the key's certificates in the dialog");
  ek_ui_click (dialog, "key-relogin-button");
  error_label = ek_ui_find_any (dialog, "key-relogin-error");
  ek_ui_wait (win (window), label_shown, error_label, "the wrong PIN to be said");
  g_test_message ("the dialog says: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "PIN"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find_any (dialog, "key-relogin-pin"))), ==, "");
  ek_ui_screenshot (dialog, "renewal-session-ended-key-login");
  ek_ui_type (dialog, "key-relogin-pin", "123456");
  ek_ui_wait (win (window), key_relogin_ready, dialog, "the log-in button");
  ek_ui_click (dialog, "key-relogin-button");
  ek_ui_wait (win (window), login_dialog_gone, window, "the key log-in to be done");
  g_assert_true (ek_api_client_has_session (client));
}

static void
documents_and_materials (EkWindow *window)
{
  g_autofree char *form_png = png_material ("application-form.png");
  g_autofree char *letter_png = png_material ("confirmation-letter.png");
  const char *kinds[] = { "application-form", "confirmation-letter" };
  const char *files[] = { form_png, letter_png };
  StatusWait submitted = { window, "submitted" };

  session_ends_then_key_login (window);
  ek_ui_wait (win (window), documents_ready, ek_window_get_current_page (window), "the documents");
  shot (window, "documents");
  /* the form says what this is (重新申领, 更新 ticked): kept to be looked at */
  {
    g_autofree char *pdf = ek_documents_page_dup_pdf (EK_DOCUMENTS_PAGE (ek_window_get_current_page (window)), 0);
    g_autofree char *kept = ek_test_artifact_path ("renewal-application-form.pdf");
    g_autoptr(GFile) from = g_file_new_for_path (pdf);
    g_autoptr(GFile) to = g_file_new_for_path (kept);

    g_assert_true (g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  }

  ek_ui_go_next (window, "materials");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      GtkWidget *row = ek_materials_page_get_row (EK_MATERIALS_PAGE (ek_window_get_current_page (window)), kinds[i]);
      RowWait wait = { EK_MATERIAL_ROW (row), EK_MATERIAL_ROW_READY };

      g_assert_nonnull (row);
      ek_ui_drop_file (row, files[i]);
      ek_ui_wait (win (window), row_settled, &wait, "a material to be checked");
    }
  /* renewal's two materials, nothing else */
  g_assert_null (ek_materials_page_get_row (EK_MATERIALS_PAGE (ek_window_get_current_page (window)), "business-licence"));
  shot (window, "materials");

  ek_ui_go_next (window, "status");
  ek_ui_wait (win (window), status_is, &submitted, "the status “submitted”");
  /* the provider checks in 3 working days; nothing is made or shipped */
  g_assert_true (ek_ui_shows_text (win (window), "3"));
  g_assert_true (ek_ui_shows_text (win (window), "电子钥匙服务商审核"));
  g_assert_false (ek_ui_shows_text (win (window), "制作"));
  shot (window, "status-submitted");
}

static void
approval_and_update (EkWindow *window)
{
  EkApplicationDraft *draft = ek_window_get_draft (window);
  StatusWait approved = { window, "re-review-passed" };
  g_autofree char *out = NULL;
  int status = -1;

  out = ek_api_run (server, &status, "review", "re-review", ek_application_draft_get_string (draft, "application-id"),
                    "pass", NULL);
  g_assert_cmpint (status, ==, 0);
  ek_status_page_refresh (EK_STATUS_PAGE (ek_window_get_current_page (window)));
  ek_ui_wait (win (window), status_is, &approved, "the status “approved”");
  g_assert_true (ek_ui_shows_text (win (window), "审核通过"));
  shot (window, "status-approved");

  ek_ui_go_next (window, "download");
  shot (window, "download");
  ek_ui_type (win (window), "pin", "123456");
  ek_ui_click (win (window), "renewal-start-button");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the update to finish");
  g_assert_true (label_shown (ek_ui_find_any (win (window), "renewal-done")));
  /* the key view: the new certificate, with the 18-digit code now in it */
  ek_ui_wait_for_text (win (window), USCC);
  shot (window, "download-done");
}

static void
check_the_key (void)
{
  const char *paths[] = { "/usr/lib/softhsm/libsofthsm2.so", NULL };
  g_autoptr(EkTokenManager) manager = ek_token_manager_new (paths, EK_TOKEN_MANAGER_SKIP_REGISTERED);
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens (manager, NULL, NULL);
  EkCertificateInfo *cert;

  g_assert_cmpuint (tokens->len, ==, 1);
  g_assert_cmpuint (ek_token_get_certificates (g_ptr_array_index (tokens, 0))->len, ==, 1);
  cert = g_ptr_array_index (ek_token_get_certificates (g_ptr_array_index (tokens, 0)), 0);
  g_assert_cmpint (ek_certificate_info_get_days_left (cert, NULL), >, 700);
  g_assert_cmpint (ek_certificate_info_get_uscc_status (cert), ==, EK_USCC_VALID);
  g_assert_cmpstr (ek_certificate_info_get_uscc (cert), ==, USCC);
}

static void
test_journey (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;
  GtkWidget *row;

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  /* the smallest size the layouts must hold at */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (win (window));

  row = ek_ui_wait_for (win (window), "renewal");
  /* Chosen as with Enter or a click: the wizard goes on to its first step */
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (window, "key");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the key to be read");
  shot (window, "key");

  key_login (window);
  form (window);
  documents_and_materials (window);
  approval_and_update (window);
  gtk_window_destroy (GTK_WINDOW (window));
  check_the_key ();
}

/* Adding the 18-digit code: a domestic enterprise is sent to MOFCOM's platform and its next renewal,
 * a foreign-invested one goes on with the form, 重新申领 and 企业代码变更为 ticked */
static void
test_credit_code_path (void)
{
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);
  EkWindow *window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  EkApplicationDraft *draft;
  GtkWidget *row;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (win (window));
  /* the renewal above is an application in progress: start a new one */
  ek_ui_click (win (window), ek_ui_wait_for (win (window), "start-new") != NULL ? "start-new" : NULL);
  row = ek_ui_wait_for (win (window), "add-credit-code");
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (window, "key");
  ek_ui_go_next (window, "credit-code-path");
  draft = ek_window_get_draft (window);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (ek_ui_find (win (window), "path-domestic")), TRUE);
  ek_ui_wait_for_text (win (window), "ecomp.mofcom.gov.cn");
  g_assert_false (gtk_widget_is_sensitive (ek_ui_next_button (window)));
  shot (window, "credit-code-path-domestic");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (ek_ui_find (win (window), "path-foreign-invested")), TRUE);
  ek_ui_wait (win (window), ek_ui_next_enabled, window, "Next for a foreign-invested enterprise");
  g_assert_cmpstr (ek_application_draft_get_business_type_id (draft), ==, "add-credit-code");
  shot (window, "credit-code-path-foreign-invested");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  EkUiKeyFixture *fixture = ek_ui_key_fixture_start (&argc, &argv, USCC, "北京测试科技有限公司");
  int status;

  server = fixture->server;
  app = fixture->app;
  work_dir = fixture->work_dir;

  g_test_add_func ("/renewal/journey", test_journey);
  g_test_add_func ("/renewal/credit-code-path", test_credit_code_path);
  status = g_test_run ();

  ek_ui_key_fixture_stop (fixture);
  return status;
}
