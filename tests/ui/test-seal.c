/* test-seal.c: the electronic seal with the key, end to end, as a clerk does it (seed 003)
 *
 * The real wizard window, in Chinese and in English under Xvfb, at 800×600, a SoftHSM2 key holding the
 * certificate CN=9999400000560-LUOYUN, and a real ekey-registry over HTTPS. The clerk logs in with
 * the key and the enterprise's 13-digit code (a wrong one first: the log-in stays closed), finds no
 * seal and applies for one: the form checks each field as it is typed, the confirmation dialog
 * says the details cannot be changed once submitted, the letter PDF carries the certificate's
 * subject and the seal-collection area, the stamped scan is previewed before the upload is
 * confirmed. The reviewer approves and makes the seal with the service's review tool; the seal
 * home shows it 正常 with its image. Then a change (new enterprise name): once its seal is made,
 * the old one shows 注销. Screenshots in test-artifacts/seal-NN-*.png.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-material-row.h"
#include "ek-seal-letter-page.h"
#include "ek-seal-page.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-ui-key-fixture.h"
#include "ek-ui-wizard.h"
#include "ek-window.h"

#define CODE13 "9999400000560"
/* The app's own words, in the language the test runs in */
#define T(text) g_dgettext (GETTEXT_PACKAGE, text)

static EkApiServer *server;
static EkApplication *app;
static char *work_dir;

static GtkWidget *
win (EkWindow *window)
{
  return GTK_WIDGET (window);
}

static void
shot_of (GtkWidget  *widget,
         const char *name)
{
  ek_ui_screenshot_numbered (widget, "seal", name);
}

static void
shot (EkWindow   *window,
      const char *name)
{
  shot_of (win (window), name);
}

static const char *
label_text (EkWindow   *window,
            const char *name)
{
  GtkWidget *label = ek_ui_find_any (win (window), name);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

/* ---- The seal home ---- */

typedef struct
{
  EkSealPage *page;
  guint       after;
} LoadWait;

static gboolean
home_loaded (gpointer data)
{
  LoadWait *wait = data;

  return ek_seal_page_get_n_loads (wait->page) > wait->after;
}

/* Back on the home, the lists as the service now has them */
static EkSealPage *
home (EkWindow *window)
{
  EkSealPage *page;
  LoadWait wait;

  ek_ui_wait_step (window, "seal");
  page = EK_SEAL_PAGE (ek_window_get_current_page (window));
  wait.page = page;
  wait.after = ek_seal_page_get_n_loads (page);
  ek_seal_page_refresh (page);
  ek_ui_wait (win (window), home_loaded, &wait, "the seal lists");
  return page;
}

/* The rows' state labels in a list, joined */
static char *
states_in (EkWindow   *window,
           const char *list_name,
           const char *state_name)
{
  GtkWidget *list = ek_ui_find (win (window), list_name);
  GString *states = g_string_new (NULL);

  g_assert_nonnull (list);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *label = ek_ui_find_any (row, state_name);

      if (label != NULL)
        g_string_append_printf (states, "%s|", gtk_label_get_text (GTK_LABEL (label)));
    }
  return g_string_free (states, FALSE);
}

/* ---- Log-in ---- */

static gboolean
login_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (ek_ui_find (data, "key-login-button"));
}

static void
key_login (EkWindow *window)
{
  ek_ui_go_next (window, "key-login");
  ek_ui_wait_for (win (window), "code13");
  ek_ui_type (win (window), "pin", "123456");

  /* Another enterprise's code does not open the log-in, and says why as it is typed */
  ek_ui_type (win (window), "code13", "9999400000561");
  ek_ui_iterate (win (window));
  g_assert_false (gtk_widget_is_sensitive (ek_ui_find (win (window), "key-login-button")));
  g_assert_true (g_str_equal (label_text (window, "code13-check"), T ("This code is not the one in the chosen certificate: check the code, or choose the enterprise’s certificate.")));
  shot (window, "key-login-wrong-code");

  ek_ui_set_text (win (window), "code13", "");
  ek_ui_type (win (window), "code13", CODE13);
  ek_ui_wait (win (window), login_sensitive, win (window), "the log-in to open");
  /* Enter in the code goes on to the PIN, where Enter logs in */
  g_signal_emit_by_name (ek_ui_find (win (window), "code13"), "activate");
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
    GtkWidget *pin = ek_ui_find (win (window), "pin");
    g_assert_true (focus == pin || gtk_widget_is_ancestor (focus, pin));
  }
  g_assert_true (g_str_equal (label_text (window, "code13-check"), T ("Passed the check: the code is that of the chosen certificate.")));
  shot (window, "key-login-code");
  ek_ui_click (win (window), "key-login-button");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the log-in");
}

/* ---- The form ---- */

static gboolean
file_holds (gpointer data)
{
  const char **wait = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (wait[0], &text, NULL, NULL) && strstr (text, wait[1]) != NULL;
}

static gboolean
widget_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static void
choose_id_type (EkWindow *window)
{
  GtkWidget *drop_down = ek_ui_find (win (window), "legal-rep-id-type");
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (drop_down));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), g_dgettext (GETTEXT_PACKAGE, "Resident ID card")))
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (drop_down), i);
        return;
      }
  g_error ("No resident ID card among the ID types");
}

static GtkWindow *
find_dialog (void)
{
  GtkWindow *dialog = NULL;

  for (guint i = 0; dialog == NULL && i < 200; i++)
    {
      dialog = ek_ui_find_toplevel (GTK_TYPE_MESSAGE_DIALOG);
      if (dialog == NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_nonnull (dialog);
  return dialog;
}

static gboolean
dialog_gone (gpointer data)
{
  return ek_ui_find_toplevel (GTK_TYPE_MESSAGE_DIALOG) == NULL;
}

/* Confirm, read the dialog, and submit */
static void
confirm_and_submit (EkWindow   *window,
                    const char *shot_name)
{
  GtkWindow *dialog;
  g_autofree char *secondary = NULL;

  ek_ui_click (win (window), "seal-confirm");
  dialog = find_dialog ();
  g_object_get (dialog, "secondary-text", &secondary, NULL);
  g_assert_nonnull (strstr (secondary, T ("Once submitted, the information can no longer be changed.")));
  g_assert_nonnull (strstr (secondary, "CN=" CODE13 "-LUOYUN"));
  /* the ID number is masked on a screen others may see */
  g_assert_null (strstr (secondary, "11010519491231002X"));
  ek_ui_iterate (GTK_WIDGET (dialog));
  shot_of (GTK_WIDGET (dialog), shot_name);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  ek_ui_wait (win (window), dialog_gone, NULL, "the dialog to close");
  ek_ui_wait_step (window, "seal-letter");
}

static void
application_form (EkWindow *window)
{
  ek_ui_click (win (window), "seal-apply");
  ek_ui_wait_step (window, "seal-form");
  /* from the certificate: the code, and the subject, which cannot be changed */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "enterprise-code"))), ==, CODE13);
  g_assert_nonnull (strstr (label_text (window, "certificate-subject"), "CN=" CODE13 "-LUOYUN"));

  ek_ui_type (win (window), "enterprise-name", "北京测试企业");
  /* Enter goes on to the next field, as Tab does */
  g_signal_emit_by_name (ek_ui_find (win (window), "enterprise-name"), "activate");
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
    GtkWidget *code = ek_ui_find (win (window), "enterprise-code");
    g_assert_true (focus == code || gtk_widget_is_ancestor (focus, code));
  }
  ek_ui_type (win (window), "legal-rep-name", "李军");
  choose_id_type (window);
  ek_ui_type (win (window), "legal-rep-id-number", "11010519491231002X");
  ek_ui_type (win (window), "user-name", "王斌");
  /* the ID number is masked once its field is left: the screen is seen by others */
  g_assert_null (strstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "legal-rep-id-number"))), "19491231"));
  ek_ui_type (win (window), "contact-address", "北京技术开发区荣华中路11号");
  ek_ui_type (win (window), "mobile", "1891012322");
  ek_ui_type (win (window), "landline", "010-67811021");
  ek_ui_type (win (window), "email", "wangbing@");
  ek_ui_type (win (window), "postcode", "100176");
  /* each field says as it is typed whether it passed, or why not */
  g_assert_cmpstr (label_text (window, "enterprise-name-check"), ==, T ("Passed the check"));
  g_assert_cmpstr (label_text (window, "legal-rep-id-number-check"), ==, T ("Passed the check"));
  g_assert_cmpstr (label_text (window, "mobile-check"), !=, T ("Passed the check"));
  g_assert_cmpstr (label_text (window, "email-check"), !=, T ("Passed the check"));
  g_assert_true (ek_ui_shows_text (win (window), T ("So that the mail reaches you, give a public mailbox (not an internal one).")));
  shot (window, "form-problems");

  /* Confirm with a wrong field: no dialog, the field says why */
  ek_ui_click (win (window), "seal-confirm");
  ek_ui_wait (win (window), widget_shown, ek_ui_find_any (win (window), "seal-form-error"), "the form to say what is wrong");
  g_assert_null (ek_ui_find_toplevel (GTK_TYPE_MESSAGE_DIALOG));

  ek_ui_set_text (win (window), "mobile", "");
  ek_ui_type (win (window), "mobile", "18910123221");
  ek_ui_set_text (win (window), "email", "");
  ek_ui_type (win (window), "email", "wangbing@126.com");
  g_assert_cmpstr (label_text (window, "mobile-check"), ==, T ("Passed the check"));
  g_assert_cmpstr (label_text (window, "email-check"), ==, T ("Passed the check"));
  ek_ui_assert_mnemonics_unique (win (window));
  shot (window, "form");
  ek_ui_audit_page (window, "seal form");

  /* What was typed is on disk before anything is submitted or closed (a crash loses nothing) */
  {
    g_autofree char *dir = ek_application_draft_dup_directory (ek_window_get_draft (window), NULL);
    g_autofree char *path = g_build_filename (dir, "draft.json", NULL);
    const char *wait[] = { path, "wangbing@126.com" };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *fields;

    ek_ui_wait (win (window), file_holds, wait, "the form to be saved");

    g_assert_true (json_parser_load_from_file (parser, path, NULL));
    fields = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "fields");
    g_assert_cmpstr (json_object_get_string_member (fields, "enterprise-name"), ==, "北京测试企业");
    g_assert_cmpstr (json_object_get_string_member (fields, "seal-kind"), ==, "apply");
    g_assert_nonnull (strstr (json_object_get_string_member (fields, "certificate-subject"), "CN=" CODE13 "-LUOYUN"));
  }
  confirm_and_submit (window, "confirm-dialog");
}

/* ---- The letter ---- */

static gboolean
letter_state_is (gpointer data)
{
  const char **wait = data;
  EkPage *page = ek_window_get_current_page ((EkWindow *) wait[0]);

  return EK_IS_SEAL_LETTER_PAGE (page) && g_str_equal (ek_seal_letter_page_get_state (EK_SEAL_LETTER_PAGE (page)), wait[1]);
}

static void
wait_letter (EkWindow   *window,
             const char *state)
{
  const char *wait[] = { (const char *) window, state };

  ek_ui_wait (win (window), letter_state_is, wait, state);
}

static gboolean
row_ready (gpointer data)
{
  return ek_material_row_get_state (data) == EK_MATERIAL_ROW_READY;
}

static char *
stamped_scan (void)
{
  g_autoptr(GBytes) png = ek_api_png (900, 1200, FALSE);
  g_autofree char *path = g_build_filename (work_dir, "stamped-letter.png", NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  return g_steal_pointer (&path);
}

static void
letter (EkWindow   *window,
        const char *artefact)
{
  EkSealLetterPage *page;
  g_autofree char *pdf = NULL, *text = NULL, *scan = stamped_scan ();
  g_autofree char *kept = ek_test_artifact_path (artefact);
  GtkWidget *row, *preview;
  int status = -1;

  wait_letter (window, "ready");
  page = EK_SEAL_LETTER_PAGE (ek_window_get_current_page (window));
  pdf = ek_seal_letter_page_dup_pdf (page);
  {
    const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, &text, NULL, &status, NULL));
  }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (text, "许可证申领系统电子印章申请确认函"));
  g_assert_nonnull (strstr (text, "印章采集区域"));
  g_assert_nonnull (strstr (text, "CN=" CODE13 "-LUOYUN"));
  {
    g_autoptr(GFile) from = g_file_new_for_path (pdf);
    g_autoptr(GFile) to = g_file_new_for_path (kept);
    g_assert_true (g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  }

  /* Nothing to upload, and nothing previewed, before the scan */
  preview = ek_ui_find_any (win (window), "seal-letter-preview");
  g_assert_false (gtk_widget_is_sensitive (ek_ui_find (win (window), "seal-letter-upload")));
  g_assert_false (gtk_widget_get_visible (preview));
  shot (window, "letter");

  row = ek_seal_letter_page_get_row (page);
  ek_ui_drop_file (row, scan);
  ek_ui_wait (win (window), row_ready, row, "the scan to be checked");
  ek_ui_iterate (win (window));
  /* previewed, and only then can the upload be confirmed */
  g_assert_true (gtk_widget_get_visible (preview));
  g_assert_nonnull (gtk_picture_get_paintable (GTK_PICTURE (preview)));
  g_assert_true (gtk_widget_is_sensitive (ek_ui_find (win (window), "seal-letter-upload")));
  ek_ui_assert_mnemonics_unique (win (window));
  shot (window, "letter-preview");
  ek_ui_audit_page (window, "seal letter");

  ek_ui_click (win (window), "seal-letter-upload");
  wait_letter (window, "uploaded");
  g_assert_true (gtk_widget_get_visible (ek_ui_find_any (win (window), "seal-letter-result")));
  /* the same scan is not sent twice */
  g_assert_false (gtk_widget_is_sensitive (ek_ui_find (win (window), "seal-letter-upload")));
  shot (window, "letter-uploaded");
}

static gboolean
has_image (GtkWidget *widget,
           gconstpointer data)
{
  return GTK_IS_PICTURE (widget) && g_strcmp0 (gtk_widget_get_name (widget), "seal-image") == 0 &&
         gtk_picture_get_paintable (GTK_PICTURE (widget)) != NULL;
}

static void
test_journey (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkApplicationDraft *draft;
  EkWindow *window;
  GtkWidget *row;
  g_autofree char *first_id = NULL, *states = NULL, *request_states = NULL;
  g_autofree char *expected_one = g_strdup_printf ("%s|", T ("In use"));
  g_autofree char *expected_two = g_strdup_printf ("%s|%s|", T ("In use"), T ("Revoked"));

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (win (window));
  draft = ek_window_get_draft (window);

  row = ek_ui_wait_for (win (window), "electronic-seal");
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (window, "key");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the key to be read");
  key_login (window);

  /* No seal yet: only the application is offered */
  ek_ui_go_next (window, "seal");
  home (window);
  g_assert_true (gtk_widget_get_mapped (ek_ui_find_any (win (window), "seal-apply")));
  g_assert_null (ek_ui_find (win (window), "seal-change"));
  ek_ui_assert_mnemonics_unique (win (window));
  shot (window, "home-empty");
  ek_ui_audit_page (window, "seal home");

  application_form (window);
  first_id = g_strdup (ek_application_draft_get_string (draft, "application-id"));
  letter (window, "seal-confirmation-letter.pdf");

  /* The reviewer approves and makes the seal */
  ek_api_review (server, "approve-seal", first_id, NULL, NULL);
  ek_api_review (server, "make-seal", first_id, NULL, NULL);
  ek_ui_click (win (window), "seal-home");
  home (window);
  states = states_in (window, "seals", "seal-state");
  g_assert_cmpstr (states, ==, expected_one);
  g_assert_nonnull (ek_ui_find_match (ek_ui_find (win (window), "seals"), has_image, NULL));
  request_states = states_in (window, "seal-requests", "seal-request-state");
  g_assert_nonnull (strstr (request_states, T ("Seal application")));
  /* with a seal of its own, the user may change or re-bind it; nothing to apply for */
  g_assert_null (ek_ui_find (win (window), "seal-apply"));
  g_assert_nonnull (ek_ui_find (win (window), "seal-change"));
  ek_ui_assert_mnemonics_unique (win (window));
  shot (window, "home-seal");

  /* 续绑 with the very certificate the seal is bound to: asked once, then refused by the service
   * (a re-binding follows a renewal), and said plainly */
  {
    GtkWindow *dialog;
    g_autofree char *secondary = NULL;

    ek_ui_click (win (window), "seal-rebind");
    dialog = find_dialog ();
    g_object_get (dialog, "secondary-text", &secondary, NULL);
    g_assert_nonnull (strstr (secondary, "CN=" CODE13 "-LUOYUN"));
    gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
    ek_ui_wait (win (window), widget_shown, ek_ui_find_any (win (window), "seal-error"), "the re-binding to be refused");
    g_assert_cmpstr (label_text (window, "seal-error"), !=, "");
    shot (window, "rebind-refused");
  }

  /* 电子印章变更: a new name; the old seal is revoked once the new one is made */
  ek_ui_click (win (window), "seal-change");
  ek_ui_wait_step (window, "seal-form");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "legal-rep-name"))), ==, "李军");
  ek_ui_set_text (win (window), "enterprise-name", "");
  ek_ui_type (win (window), "enterprise-name", "北京测试企业股份有限公司");
  shot (window, "change-form");
  confirm_and_submit (window, "change-confirm-dialog");
  g_assert_cmpstr (ek_application_draft_get_string (draft, "application-id"), !=, first_id);
  letter (window, "seal-change-confirmation-letter.pdf");
  ek_api_review (server, "approve-seal", ek_application_draft_get_string (draft, "application-id"), NULL, NULL);
  ek_api_review (server, "make-seal", ek_application_draft_get_string (draft, "application-id"), NULL, NULL);
  ek_ui_click (win (window), "seal-home");
  home (window);
  g_free (states);
  states = states_in (window, "seals", "seal-state");
  g_assert_cmpstr (states, ==, expected_two);
  g_assert_true (ek_ui_shows_text (win (window), "北京测试企业股份有限公司"));
  shot (window, "home-changed");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  EkUiKeyFixture *fixture = ek_ui_key_fixture_start (&argc, &argv, NULL, NULL);
  int status;

  server = fixture->server;
  app = fixture->app;
  work_dir = fixture->work_dir;

  g_test_add_func ("/seal/journey", test_journey);
  status = g_test_run ();

  ek_ui_key_fixture_stop (fixture);
  return status;
}
