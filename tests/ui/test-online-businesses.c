/* test-online-businesses.c: the PIN unlock and the additional key, end to end, as a clerk does them
 *
 * The real wizard window in Chinese under Xvfb, against a real ekey-registry over HTTPS with a
 * temporary database, which knows the enterprise's certificate (`ekey-registry certificates
 * add`); the reviewer's side through `ekey-registry review`.
 *
 * 解锁 (seed 001 §4.2): the key is locked (the fault-injecting PKCS#11 module, since SoftHSM never
 * locks), the key view says so and its button starts the PIN unlock; the clerk logs in, goes
 * through the form, prints the form alone, uploads the form and the business licence and
 * submits; the reviewer approves; the status page ends at the unlock mail, and the mail
 * “<enterprise>解锁” is in the service's outbox.
 *
 * 增办 (seed 001 §3): registering the login name that is on the enterprise's certificate is
 * refused with the seed's words under the field; a new one is accepted, activated and logged in;
 * the form, both printed forms, only the confirmation letter uploaded; right after submission the
 * status page shows the six paper materials to take to the issuing authority.
 *
 * Screenshots in test-artifacts/ (online-*.png).
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-documents-page.h"
#include "ek-image.h"
#include "ek-key-view.h"
#include "ek-login-form.h"
#include "ek-material-row.h"
#include "ek-materials-page.h"
#include "ek-status-page.h"
#include "ek-test-common.h"
#include "ek-test-images.h"
#include "ek-ui-test.h"
#include "ek-ui-wizard.h"
#include "ek-window.h"

/* The enterprise of tests/token/certificates/token-valid.der (CN=9999400000560-LUOYUN) */
#define USCC        "91350100M000100Y43"
#define ENTERPRISE  "福州测试贸易有限公司"
#define CERT_LOGIN  "LUOYUN"

static EkApiServer *server;
static EkApplication *app;
static char *work_dir;

static GtkWidget *
win (EkWindow *window)
{
  return GTK_WIDGET (window);
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

/* A scan of a stamped page, small enough for the 200 KB limit */
static char *
scanned_page (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) image = ek_test_render_page (EK_TEST_PAGE_SEALED, 60, g_str_hash (name), NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (image, 60, TRUE, &error);
  g_autofree char *path = g_build_filename (work_dir, name, NULL);

  g_assert_no_error (error);
  g_file_set_contents (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
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

static void
add_material (EkWindow   *window,
              const char *id)
{
  GtkWidget *row = ek_materials_page_get_row (EK_MATERIALS_PAGE (current_page (window)), id);
  g_autofree char *name = g_strconcat (id, ".jpg", NULL);
  g_autofree char *path = scanned_page (name);
  RowWait wait = { EK_MATERIAL_ROW (row), EK_MATERIAL_ROW_READY };

  g_assert_nonnull (row);
  ek_ui_drop_file (row, path);
  ek_ui_wait (win (window), row_settled, &wait, "the material to be checked");
}

static gboolean
captcha_loaded (gpointer data)
{
  GtkWidget *form = ek_ui_find_type (data, EK_TYPE_LOGIN_FORM);

  return form != NULL && ek_login_form_has_captcha (EK_LOGIN_FORM (form));
}

/* The captcha's answer, read on the operator's side, then Log in */
static void
log_in (EkWindow *window)
{
  GtkWidget *form;
  g_autofree char *answer = NULL;
  int status = -1;

  ek_ui_wait (win (window), captcha_loaded, window, "the captcha image");
  form = ek_ui_find_type (win (window), EK_TYPE_LOGIN_FORM);
  answer = ek_api_run (server, &status, "captcha-answer", ek_login_form_get_captcha_id (EK_LOGIN_FORM (form)), NULL);
  g_assert_cmpint (status, ==, 0);
  g_strstrip (answer);
  ek_ui_type (win (window), "captcha-answer", answer);
  ek_ui_click (win (window), "login-button");
  ek_ui_wait_for (win (window), "logged-in-label");
}

static gboolean
is_reason_entry (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_EDITABLE (widget) && GTK_IS_ENTRY (widget) && g_strcmp0 (gtk_widget_get_name (widget), "reason") == 0 &&
         gtk_widget_is_drawable (widget);
}

/* The form's pages as far as the business has them, filled as the clerk types */
static void
fill_form (EkWindow   *window,
           const char *licence,
           const char *login_name,
           const char *email,
           gboolean    with_authority)
{
  ek_ui_go_next (window, "form-enterprise");
  ek_ui_type (win (window), "enterprise-name", ENTERPRISE);
  ek_ui_type (win (window), "credit-code", USCC);
  ek_ui_choose (win (window), "licence-type", licence);

  ek_ui_go_next (window, "form-people");
  ek_ui_type (win (window), "legal-rep-name", "罗云");
  ek_ui_choose (win (window), "legal-rep-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
  ek_ui_type (win (window), "legal-rep-id-number", "11010519491231002X");
  ek_ui_type (win (window), "user-name", "王兵");
  ek_ui_choose (win (window), "user-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
  ek_ui_type (win (window), "user-id-number", "110102199101010078");
  ek_ui_type (win (window), "login-name", login_name);
  /* The additional key's own word where the login name is typed (seed 001 §3) */
  if (g_str_equal (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), "additional-key"))
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ek_ui_find (win (window), "login-name-hint"))),
                              "不与已经申领的证书用户名重名"));

  ek_ui_go_next (window, "form-contact");
  ek_ui_type (win (window), "email", email);
  ek_ui_type (win (window), "mobile", "18910123221");
  ek_ui_type (win (window), "contact-address", "福州市鼓楼区五四路1号");
  ek_ui_type (win (window), "postcode", "350001");

  if (with_authority)
    {
      ek_ui_go_next (window, "form-authority");
      /* The section is named “reason” too: the entry is the editable one */
      {
        GtkWidget *reason = ek_ui_find_match (win (window), is_reason_entry, NULL);

        g_assert_nonnull (reason);
        gtk_widget_grab_focus (reason);
        gtk_editable_set_text (GTK_EDITABLE (reason), "新增经办人办理许可证业务");
      }
      ek_ui_choose (win (window), "authority-id", "福建");
    }
  ek_ui_go_next (window, "review");
  g_assert_true (ek_ui_shows_text (win (window), ENTERPRISE));
}

static gboolean
documents_ready (gpointer data)
{
  return g_strcmp0 (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (data)), "ready") == 0;
}

static gboolean
status_shows (gpointer data)
{
  StepWait *wait = data;
  EkPage *page = current_page (wait->window);

  /* What the page last showed (it keeps it in the draft); the summary is the business's own */
  return EK_IS_STATUS_PAGE (page) &&
         g_strcmp0 (ek_application_draft_get_string (ek_window_get_draft (wait->window), "status"), wait->step) == 0 &&
         *ek_status_page_get_summary (EK_STATUS_PAGE (page)) != '\0';
}

static void
wait_for_status (EkWindow   *window,
                 const char *status)
{
  StepWait wait = { window, status };
  g_autofree char *what = g_strdup_printf ("the status “%s”", status);

  ek_ui_wait (win (window), status_shows, &wait, what);
}

static EkWindow *
open_wizard (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 720);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (win (window));
  return window;
}

/* 解锁 */

static GtkWidget *
find_business_button (GtkWidget  *widget,
                      const char *business)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "app.start-business") == 0 &&
      gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget)) != NULL &&
      g_strcmp0 (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget)), NULL), business) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_business_button (child, business);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
key_view_read (gpointer data)
{
  GtkWidget *view = ek_ui_find_type (data, EK_TYPE_KEY_VIEW);

  return view != NULL && !ek_key_view_get_loading (EK_KEY_VIEW (view)) &&
         ek_key_view_get_tokens (EK_KEY_VIEW (view)) != NULL && ek_key_view_get_tokens (EK_KEY_VIEW (view))->len == 1;
}

static GtkWidget *
key_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), "key-window") == 0)
      return l->data;
  return NULL;
}

static gboolean
is_unlock (gpointer draft)
{
  return g_strcmp0 (ek_application_draft_get_business_type_id (draft), "pin-unlock") == 0;
}

static void
test_unlock (void)
{
  EkWindow *window = open_wizard ();
  EkApplicationDraft *draft = ek_window_get_draft (window);
  g_autofree char *email = g_strdup_printf ("unlock%u@example.com", g_random_int ());
  g_autofree char *token = NULL, *outbox = NULL, *subject = NULL;
  g_autoptr(JsonNode) mails = NULL;
  GtkWidget *keys, *button;
  EkStatusPage *status;
  const char *id;
  gboolean found = FALSE;

  /* The clerk's account on the service (registered long ago) */
  token = ek_api_register_and_login (server, USCC, email);

  /* The key view (main menu → Your key) says the PIN is locked, and offers the way out */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-key", NULL);
  keys = key_window ();
  g_assert_nonnull (keys);
  ek_ui_wait (keys, key_view_read, keys, "the key view to read the locked key");
  g_assert_true (ek_ui_shows_text (keys, g_dgettext (GETTEXT_PACKAGE, "PIN locked")));
  ek_ui_screenshot (keys, "online-unlock-01-locked-key");
  button = find_business_button (keys, "pin-unlock");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_drawable (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
  ek_ui_wait (keys, is_unlock, draft, "the wizard to switch to the PIN unlock");
  gtk_window_destroy (GTK_WINDOW (keys));

  /* Log in with the account the enterprise has */
  ek_ui_go_next (window, "account");
  ek_ui_wait_for (win (window), "choose-login");
  ek_ui_click (win (window), "choose-login");
  ek_ui_wait_for (win (window), "login-code");
  ek_ui_type (win (window), "login-code", USCC);
  ek_ui_type (win (window), "login-name", email);
  log_in (window);

  /* The form: no reason, no collecting authority (the seed asks for neither) */
  fill_form (window, "=非机电类", email, email, FALSE);
  g_assert_false (ek_ui_shows_text (win (window), "申请原因"));

  /* The form is printed alone, with 解锁 ticked */
  ek_ui_go_next (window, "documents");
  ek_ui_wait (win (window), documents_ready, current_page (window), "the documents");
  g_assert_true (ek_documents_page_offers (EK_DOCUMENTS_PAGE (current_page (window)), 0));
  g_assert_false (ek_documents_page_offers (EK_DOCUMENTS_PAGE (current_page (window)), 1));
  id = ek_application_draft_get_string (draft, "application-id");
  g_assert_true (*id != '\0');

  /* The two materials of seed 001 §4.2, then submit */
  ek_ui_go_next (window, "materials");
  add_material (window, "application-form");
  add_material (window, "business-licence");
  ek_ui_go_next (window, "status");
  wait_for_status (window, "submitted");

  /* The provider approves: the status ends at the unlock mail */
  ek_api_review (server, "re-review", id, "pass", NULL);
  ek_status_page_refresh (EK_STATUS_PAGE (current_page (window)));
  wait_for_status (window, "re-review-passed");
  status = EK_STATUS_PAGE (current_page (window));
  g_test_message ("notes: %s", ek_status_page_get_notes (status));
  g_assert_nonnull (strstr (ek_status_page_get_notes (status), ENTERPRISE "解锁"));
  g_assert_null (ek_status_page_get_expected (status));
  g_assert_null (ek_status_page_get_authority (status));
  g_assert_cmpuint (ek_status_page_get_n_visit_items (status), ==, 0);
  g_assert_true (ek_page_get_complete (EK_PAGE (status)));
  ek_ui_screenshot (win (window), "online-unlock-02-status-mail-sent");

  /* … and the mail is in the service's outbox, to the address of the application */
  subject = g_strconcat (ENTERPRISE, "解锁", NULL);
  outbox = ek_api_run (server, NULL, "outbox", "--json", NULL);
  mails = json_from_string (outbox, NULL);
  g_assert_nonnull (mails);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (mails)); i++)
    {
      JsonObject *mail = json_array_get_object_element (json_node_get_array (mails), i);

      if (g_strcmp0 (json_object_get_string_member (mail, "subject"), subject) == 0)
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (mail, "to"), ==, email);
          g_assert_nonnull (strstr (json_object_get_string_member (mail, "body"), "解锁"));
        }
    }
  g_assert_true (found);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* 增办 */

typedef struct
{
  EkWindow   *window;
  const char *text;
} MessageWait;

static gboolean
login_message_says (gpointer data)
{
  MessageWait *wait = data;
  GtkWidget *message = ek_ui_find_label (win (wait->window), wait->text);

  return message != NULL;
}

static gboolean
business_list_or_drafts (gpointer window)
{
  return ek_ui_find (window, "start-new") != NULL || ek_ui_find (window, "additional-key") != NULL;
}

static gboolean
chooser_or_logged_in (gpointer window)
{
  return ek_ui_find (window, "choose-register") != NULL || ek_ui_find (window, "log-out") != NULL;
}

static void
test_additional_key (void)
{
  EkWindow *window = open_wizard ();
  EkApplicationDraft *draft = ek_window_get_draft (window);
  g_autofree char *email = g_strdup_printf ("zhangsan%u@example.com", g_random_int ());
  g_autofree char *code = NULL;
  MessageWait refused = { window, "不与已经申领的证书用户名重名" };
  EkStatusPage *status;
  GtkWidget *row;
  const char *notes;

  /* The unlock is still in the list of applications in progress: start a new one */
  ek_ui_wait (win (window), business_list_or_drafts, window, "the business list or the drafts");
  if (ek_ui_find (win (window), "start-new") != NULL)
    ek_ui_click (win (window), "start-new");
  row = ek_ui_wait_for (win (window), "additional-key");
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (window, "account");

  /* Still logged in as the unlock's clerk: log out, a new login name is registered here */
  ek_ui_wait (win (window), chooser_or_logged_in, window, "the account step");
  if (ek_ui_find (win (window), "log-out") != NULL)
    {
      ek_ui_click (win (window), "log-out");
      /* … which leads to the log-in, with the way to register under it */
      ek_ui_wait_for (win (window), "login-register");
      ek_ui_click (win (window), "login-register");
    }
  else
    ek_ui_click (win (window), "choose-register");

  /* Register: the login name on the enterprise's certificate is refused, under the field */
  ek_ui_wait_for (win (window), "register-button");
  ek_ui_type (win (window), "uscc", USCC);
  ek_ui_type (win (window), "enterprise_name", ENTERPRISE);
  /* Electromechanical documents: the login name is one of the clerk's choosing */
  ek_ui_choose (win (window), "licence_type", "=机电产品");
  ek_ui_type (win (window), "email", email);
  ek_ui_type (win (window), "login_name", CERT_LOGIN);
  ek_ui_type (win (window), "mobile", "18910123221");
  ek_ui_type (win (window), "contact_name", "张三");
  ek_ui_screenshot (win (window), "online-additional-00-register");
  ek_ui_click (win (window), "register-button");
  ek_ui_wait (win (window), login_message_says, &refused, "the refusal of the certificate's login name");
  g_assert_true (gtk_widget_is_drawable (ek_ui_find (win (window), "register-button")));
  ek_ui_screenshot (win (window), "online-additional-01-login-name-refused");

  /* A new one is accepted: activate with the mailed code, log in */
  ek_ui_type (win (window), "login_name", "ZHANGSAN");
  ek_ui_click (win (window), "register-button");
  ek_ui_wait_for (win (window), "activation-code");
  code = ek_api_activation_code_for (server, email);
  ek_ui_type (win (window), "activation-code", code);
  ek_ui_click (win (window), "activate-button");
  log_in (window);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "login-name"), ==, "ZHANGSAN");

  /* The form, with the new login name */
  fill_form (window, "=机电类", "ZHANGSAN", email, TRUE);
  ek_ui_go_next (window, "documents");
  ek_ui_wait (win (window), documents_ready, current_page (window), "the documents");
  g_assert_true (ek_documents_page_offers (EK_DOCUMENTS_PAGE (current_page (window)), 1));

  /* Only the confirmation letter goes online, then submit */
  ek_ui_go_next (window, "materials");
  add_material (window, "confirmation-letter");
  ek_ui_go_next (window, "status");
  wait_for_status (window, "submitted");

  /* Right after submission, before any review: the six paper materials of step (6) */
  status = EK_STATUS_PAGE (current_page (window));
  g_assert_cmpuint (ek_status_page_get_n_visit_items (status), ==, 6);
  g_assert_true (ek_ui_shows_text (win (window), "电子签章申请确认函"));
  g_assert_true (ek_ui_shows_text (win (window), "授权用户的授权委托书"));
  notes = ek_status_page_get_notes (status);
  g_test_message ("notes: %s", notes != NULL ? notes : "");
  ek_ui_screenshot (win (window), "online-additional-02-status-six-papers");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL, *cert_der = NULL, *cert_pem = NULL, *out = NULL;
  int status;

  data_home = g_dir_make_tmp ("ek-online-businesses-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  work_dir = g_build_filename (data_home, "clerk", NULL);
  g_mkdir_with_parents (work_dir, 0700);

  /* The key: only the fault-injecting driver, with a locked token holding the certificate */
  cert_der = g_build_filename (ek_test_source_root (), "tests", "token", "certificates", "token-valid.der", NULL);
  g_setenv ("EKEY_PKCS11_NO_REGISTERED", "1", TRUE);
  g_setenv ("EKEY_PKCS11_MODULES", g_getenv ("EK_FAULT_MODULE"), TRUE);
  g_setenv ("EK_FAULT_PKCS11", "locked", TRUE);
  g_setenv ("EK_FAULT_PKCS11_CERT", cert_der, TRUE);

  ek_ui_init (&argc, &argv);

  server = ek_api_server_start_tls (NULL);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);
  /* The service knows the enterprise's certificate (login name LUOYUN) */
  cert_pem = g_build_filename (work_dir, "luoyun.pem", NULL);
  {
    g_autofree char *der = NULL, *b64 = NULL, *pem = NULL;
    gsize len = 0;

    g_file_get_contents (cert_der, &der, &len, &error);
    g_assert_no_error (error);
    b64 = g_base64_encode ((const guchar *) der, len);
    pem = g_strdup_printf ("-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n", b64);
    g_file_set_contents (cert_pem, pem, -1, &error);
    g_assert_no_error (error);
  }
  out = ek_api_run (server, &status, "certificates", "add", cert_pem, "--uscc", USCC, "--name", ENTERPRISE, NULL);
  g_assert_cmpint (status, ==, 0);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/online/unlock-from-a-locked-key", test_unlock);
  g_test_add_func ("/online/additional-key-new-login-name", test_additional_key);
  status = g_test_run ();

  ek_api_server_free (server);
  ek_test_images_shutdown ();
  g_free (work_dir);
  return status;
}
