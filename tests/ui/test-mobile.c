/* test-mobile.c: mobile authorisation with the key, end to end, as a clerk makes it (seed 002)
 *
 * The real wizard window, in Chinese under Xvfb, a SoftHSM2 key and a real ekey-registry over
 * HTTPS. The clerk logs in with the key; the home says no phone holds a certificate; 手机授权
 * leads to the information page, pre-filled from the certificate and the service, then to the
 * authorisation page (新授权), the seed's question, and the history where the request is
 * 请求待提交; submitted from the list it reads 登录商务部网站app下载 with the seed's red line; the
 * phone app's 制作证书 (the operator's install-mobile) makes it 证书已签发 and the home shows the
 * number and its expiry. Then a 手机号码变更: once submitted the old number's certificate is
 * revoked, and the home shows only the new number. Then 手机证书注销: the home shows none.
 * Screenshots in test-artifacts/mobile-NN-*.png.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-draft-store.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-ui-key-fixture.h"
#include "ek-ui-wizard.h"
#include "ek-window.h"

#define USCC "91350100M000100Y43"
#define FIRST_NUMBER "13912345678"
#define SECOND_NUMBER "13987654321"

static EkApiServer *server;
static EkApplication *app;

static GtkWidget *
win (EkWindow *window)
{
  return GTK_WIDGET (window);
}

static void
shot (EkWindow   *window,
      const char *name)
{
  ek_ui_screenshot_numbered (win (window), "mobile", name);
}

static gboolean
next_is_disabled (gpointer data)
{
  return !ek_ui_next_enabled (data);
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_is_sensitive (data);
}

static void
wait_sensitive (EkWindow   *window,
                const char *name)
{
  GtkWidget *widget = ek_ui_wait_for (win (window), name);
  g_autofree char *what = g_strdup_printf ("“%s” to be enabled", name);

  ek_ui_wait (win (window), is_sensitive, widget, what);
}

static gboolean
dialog_open (gpointer data)
{
  return ek_ui_find_toplevel (GTK_TYPE_MESSAGE_DIALOG) != NULL;
}

/* The seed's question: it says @text, and is answered with the button @answer */
static void
answer_dialog (EkWindow   *window,
               const char *text,
               const char *answer,
               const char *screenshot)
{
  GtkWindow *dialog;
  GtkWidget *button;

  ek_ui_wait (win (window), dialog_open, NULL, "the question");
  dialog = ek_ui_find_toplevel (GTK_TYPE_MESSAGE_DIALOG);
  ek_ui_iterate (GTK_WIDGET (dialog));
  g_assert_true (ek_ui_shows_text (GTK_WIDGET (dialog), text));
  if (screenshot != NULL)
    {
      static guint n = 0;
      g_autofree char *name = g_strdup_printf ("mobile-dialog-%u-%s", ++n, screenshot);
      ek_ui_screenshot (GTK_WIDGET (dialog), name);
    }
  button = ek_ui_find_button (GTK_WIDGET (dialog), answer);
  g_assert_nonnull (button);
  gtk_widget_activate (button);
}

typedef struct
{
  EkWindow   *window;
  const char *text;
} TextWait;

static gboolean
shows (gpointer data)
{
  TextWait *wait = data;

  return ek_ui_shows_text (win (wait->window), wait->text);
}

static gboolean
home_loaded (gpointer data)
{
  return gtk_widget_is_sensitive (ek_ui_find (win (data), "mobile-history"));
}

static void
key_login (EkWindow *window)
{
  ek_ui_go_next (window, "key-login");
  ek_ui_wait_for (win (window), "key-login-button");
  ek_ui_type (win (window), "pin", "123456");
  ek_ui_click (win (window), "key-login-button");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the key log-in");
  shot (window, "key-login");
}

static void
information (EkWindow *window,
             gboolean  first)
{
  GtkWidget *name;

  ek_ui_wait_step (window, "mobile-information");
  ek_ui_wait_for (win (window), "enterprise-name");
  name = ek_ui_find (win (window), "enterprise-name");
  /* From the certificate and the service: the enterprise's name is shown, not typed */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name)), ==, "北京测试科技有限公司");
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (name)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "credit-code"))), ==, USCC);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "login-name"))), ==, "LUOYUN");
  /* the request time, stamped by 手机授权 */
  g_assert_true (g_regex_match_simple ("^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8}$",
                                       gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "mobile-request-time"))), 0, 0));
  if (first)
    {
      ek_ui_type (win (window), "registered-address", "北京市北京经济技术开发区荣华中路11号");
      ek_ui_type (win (window), "user-name", "王兵");
      ek_ui_choose (win (window), "gender", g_str_has_prefix (g_getenv ("LANGUAGE"), "zh") ? "=男" : "=Male");
      ek_ui_choose (win (window), "user-id-type", g_dgettext (GETTEXT_PACKAGE, "Resident ID card"));
      ek_ui_type (win (window), "user-id-number", "110102199101010078");
      ek_ui_type (win (window), "email", "wangbing@126.com");
      ek_ui_type (win (window), "contact-address", "北京市北京经济技术开发区荣华中路11号");
      /* checked as typed: one digit short keeps the clerk here */
      ek_ui_type (win (window), "mobile", "1891012322");
      ek_ui_type (win (window), "postcode", "100176");
      ek_ui_wait (win (window), next_is_disabled, window, "Next to be disabled by the short number");
      ek_ui_type (win (window), "mobile", "18910123221");
      ek_ui_wait (win (window), ek_ui_next_enabled, window, "Next once the number is right");
      ek_ui_audit_page (window, "mobile information");
      gtk_widget_grab_focus (ek_ui_find (win (window), "enterprise-name"));
      shot (window, "information");
      gtk_widget_grab_focus (ek_ui_find (win (window), "postcode"));
      shot (window, "information-contact");
    }
  else
    {
      /* the last request's details come back: what the seed shows as text is locked */
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "user-name"))), ==, "王兵");
      g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (ek_ui_find (win (window), "user-name"))));
      g_assert_false (gtk_widget_is_sensitive (ek_ui_find (win (window), "gender")));
      /* what the seed lets the clerk type stays editable */
      g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (ek_ui_find (win (window), "email"))));
      shot (window, "information-again");
    }
}

static void
authorise (EkWindow   *window,
           const char *kind_widget,
           const char *number,
           const char *screenshot)
{
  if (g_strcmp0 (ek_window_get_current_step (window), "mobile-authorization") != 0)
    ek_ui_go_next (window, "mobile-authorization");
  wait_sensitive (window, kind_widget);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (ek_ui_find (win (window), kind_widget))));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ek_ui_find (win (window), "mobile-credit-code"))), ==, USCC);
  ek_ui_type (win (window), "mobile-new", number);
  wait_sensitive (window, "mobile-authorize-button");
  if (g_str_equal (kind_widget, "mobile-kind-number-change"))
    ek_ui_audit_page (window, "mobile authorisation");
  shot (window, screenshot);
  ek_ui_click (win (window), "mobile-authorize-button");
  answer_dialog (window, "请您重新检查信息是否正确，提交后信息将不能做更改。确定要保存并提交吗？", "我已检查并确认提交",
                 g_str_equal (kind_widget, "mobile-kind-new") ? "submit-application" : NULL);
  ek_ui_wait_step (window, "mobile-history");
}

/* The pending request of the history is submitted from the list */
static void
submit_from_history (EkWindow   *window,
                     const char *done_text)
{
  TextWait pending = { window, "请求待提交" }, done = { window, done_text };

  ek_ui_wait (win (window), shows, &pending, "the request to be pending");
  wait_sensitive (window, "mobile-submit");
  {
    static gboolean shown = FALSE;

    /* the pending request, with its 提交 and 删除 */
    if (!shown)
      {
        g_assert_true (ek_ui_shows_text (win (window), "授权请求已保存"));
        ek_ui_audit_page (window, "mobile history");
        shot (window, "history-pending");
      }
    shown = TRUE;
  }
  ek_ui_click (win (window), "mobile-submit");
  answer_dialog (window, "确定要提交申请吗？", "确认提交", NULL);
  ek_ui_wait (win (window), shows, &done, done_text);
}

static void
install (EkWindow *window)
{
  const char *id = ek_application_draft_get_string (ek_window_get_draft (window), "mobile-request-id");
  TextWait issued = { window, "证书已签发" };
  g_autofree char *out = NULL;
  int status = -1;

  g_assert_cmpstr (id, !=, "");
  out = ek_api_run (server, &status, "review", "install-mobile", id, NULL);
  g_assert_cmpint (status, ==, 0);
  ek_ui_click (win (window), "mobile-refresh");
  ek_ui_wait (win (window), shows, &issued, "the certificate to be issued");
}

static void
home (EkWindow *window)
{
  g_assert_true (ek_window_go_to_step (window, "mobile"));
  ek_ui_wait (win (window), home_loaded, window, "the home to load");
}

static void
test_journey (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;
  GtkWidget *row;
  g_autofree char *first_line = g_strdup_printf ("已授权手机号：%s", FIRST_NUMBER);

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  /* the smallest size the layouts must hold at */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (win (window));

  row = ek_ui_wait_for (win (window), "mobile-authorization");
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (window, "key");
  ek_ui_wait (win (window), ek_ui_page_complete, window, "the key to be read");
  key_login (window);

  /* The home: no phone yet */
  ek_ui_go_next (window, "mobile");
  ek_ui_wait (win (window), home_loaded, window, "the home to load");
  g_assert_true (gtk_widget_get_visible (ek_ui_find_any (win (window), "mobile-none")));
  g_assert_false (gtk_widget_is_sensitive (ek_ui_find (win (window), "mobile-cancel")));
  ek_ui_assert_mnemonics_unique (win (window));
  ek_ui_audit_page (window, "mobile home");
  shot (window, "home-empty");

  /* 手机授权: 新授权 of the first number */
  ek_ui_click (win (window), "mobile-authorize");
  information (window, TRUE);
  authorise (window, "mobile-kind-new", FIRST_NUMBER, "authorization-new");
  submit_from_history (window, "登录商务部网站app下载");
  g_assert_true (ek_ui_shows_text (win (window), "请求提交成功，请登录手机APP现在安装证书！"));
  g_assert_true (gtk_widget_get_visible (ek_ui_find_any (win (window), "mobile-install")));
  ek_ui_assert_mnemonics_unique (win (window));
  shot (window, "history-submitted");
  install (window);
  shot (window, "history-issued");

  home (window);
  /* the number and its certificate's expiry, at the top */
  g_assert_true (ek_ui_shows_text (win (window), first_line));
  g_assert_true (ek_ui_shows_text (win (window), "证书到期时间："));
  g_assert_true (gtk_widget_is_sensitive (ek_ui_find (win (window), "mobile-cancel")));
  ek_ui_assert_mnemonics_unique (win (window));
  shot (window, "home-authorised");

  /* 手机号码变更: the old number's certificate is revoked once submitted */
  ek_ui_click (win (window), "mobile-authorize");
  information (window, FALSE);
  ek_ui_go_next (window, "mobile-authorization");
  wait_sensitive (window, "mobile-kind-number-change");
  g_assert_false (gtk_widget_is_sensitive (ek_ui_find (win (window), "mobile-kind-new")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ek_ui_find (win (window), "mobile-old"))), ==, FIRST_NUMBER);
  g_assert_true (ek_ui_shows_text (win (window), "（重新授权后，旧授权手机证书将被注销！）"));
  authorise (window, "mobile-kind-number-change", SECOND_NUMBER, "authorization-number-change");
  submit_from_history (window, "登录商务部网站app下载");
  {
    TextWait revoked = { window, "已注销（手机号码变更）" };
    ek_ui_wait (win (window), shows, &revoked, "the old certificate to be revoked");
  }
  install (window);
  shot (window, "history-number-changed");

  home (window);
  g_assert_false (ek_ui_shows_text (win (window), first_line));
  shot (window, "home-number-changed");

  /* 手机证书注销 of the phone in use */
  ek_ui_click (win (window), "mobile-cancel");
  answer_dialog (window, "注销", "注销证书", "cancel");
  ek_ui_wait_step (window, "mobile-history");
  submit_from_history (window, "的手机证书已注销");
  shot (window, "history-cancelled");
  home (window);
  g_assert_true (gtk_widget_get_visible (ek_ui_find_any (win (window), "mobile-none")));
  shot (window, "home-cancelled");

  /* Closed and continued: the saved application comes back with what was typed and locked */
  {
    EkDraftStore *store = ek_application_get_draft_store (app);
    g_autofree char *id = g_strdup (ek_application_draft_get_id (ek_window_get_draft (window)));
    g_autoptr(EkApplicationDraft) saved = NULL;

    gtk_window_destroy (GTK_WINDOW (window));
    g_assert_true (ek_draft_store_flush (store, &error));
    saved = ek_draft_store_load (store, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ek_application_draft_get_business_type_id (saved), ==, "mobile-authorization");
    g_assert_cmpstr (ek_application_draft_get_string (saved, "mobile-new"), ==, SECOND_NUMBER);
    g_assert_cmpstr (ek_application_draft_get_string (saved, "gender"), ==, "male");
    window = ek_window_new_for_draft (GTK_APPLICATION (app), catalogue, saved);
    gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
    gtk_window_present (GTK_WINDOW (window));
    ek_ui_wait_step (window, "mobile");
    g_assert_true (ek_window_go_to_step (window, "mobile-information"));
    ek_ui_wait_for (win (window), "user-id-number");
    g_assert_cmpstr (ek_application_draft_get_string (ek_window_get_draft (window), "user-id-number"), ==, "110102199101010078");
    g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (ek_ui_find (win (window), "user-name"))));
    gtk_window_destroy (GTK_WINDOW (window));
  }
}

int
main (int   argc,
      char *argv[])
{
  EkUiKeyFixture *fixture = ek_ui_key_fixture_start (&argc, &argv, USCC, "北京测试科技有限公司");
  int status;

  server = fixture->server;
  app = fixture->app;

  g_test_add_func ("/mobile/journey", test_journey);
  status = g_test_run ();

  ek_ui_key_fixture_stop (fixture);
  return status;
}
