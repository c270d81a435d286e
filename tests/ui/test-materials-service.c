/* test-materials-service.c: the materials step on the limits the registration service declares
 *
 * A real ekey-registry over HTTPS (the API fixture's own CA) that enforces the 1 MB rule set
 * (`--material-rules gfa-1mb`); the app finds it through EKEY_REGISTRY_URL / EKEY_REGISTRY_CA.
 * In order, as one clerk's day:
 *  - online: the page applies the service's 1 MB set and says so; a 500 KB scan is ready;
 *  - the service is down when the clerk comes back to the step: the built-in 200 KB set is in
 *    force ("offline"), the same scan is re-checked as too large and offers Fit, which makes it
 *    ready;
 *  - the service is back, enforcing 200 KB: "Ask the service again" puts its set in force;
 *  - the clerk logs in while the service enforces 1 MB again: the page asks by itself;
 *  - a service whose catalogue names a material it does not define: its rules are refused
 *    (logged), the built-in set stays in force and the page says why.
 * Screenshots in the build tree's test-artifacts/.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-catalogue.h"
#include "ek-draft-materials.h"
#include "ek-material-row.h"
#include "ek-materials-page.h"
#include "ek-test-common.h"
#include "ek-test-images.h"
#include "ek-ui-test.h"

static EkApiServer *server;
static EkApplication *app;
static GtkWidget *window;
static EkApplicationDraft *draft;
static guint64 scan_bytes;

/* Restarts the (stopped) server on its port with other options, as an operator would */
static void
restart_with (const char *first,
              ...)
{
  const EkApiTls *tls = ek_api_tls ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  g_strv_builder_add_many (builder, "--tls-cert", tls->server_cert, "--tls-key", tls->server_key, NULL);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);
  g_strfreev (server->extra_args);
  server->extra_args = g_strv_builder_end (builder);
  ek_api_server_restart_same_port (server);
}

static EkMaterialsPage *
show_page (void)
{
  EkPage *page = ek_materials_page_new (draft);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  ek_ui_iterate (window);
  return EK_MATERIALS_PAGE (page);
}

static gboolean
answered (gpointer data)
{
  return ek_materials_page_get_rules_source (data) != EK_MATERIALS_RULES_ASKING;
}

static EkMaterialRow *
form_row (EkMaterialsPage *page)
{
  GtkWidget *row = ek_materials_page_get_row (page, "application-form");

  g_assert_nonnull (row);
  return EK_MATERIAL_ROW (row);
}

static gboolean
checked (gpointer data)
{
  EkMaterialRowState state = ek_material_row_get_state (form_row (data));

  return state != EK_MATERIAL_ROW_CHECKING && state != EK_MATERIAL_ROW_MISSING;
}

static gboolean
has_preview (gpointer data)
{
  return ek_material_row_has_fit_preview (form_row (data));
}

static gboolean
is_ready (gpointer data)
{
  return ek_material_row_get_state (form_row (data)) == EK_MATERIAL_ROW_READY;
}

static GtkWidget *
fit_button (EkMaterialsPage *page)
{
  GtkWidget *found = ek_ui_find_button (GTK_WIDGET (form_row (page)),
                                        g_dgettext (GETTEXT_PACKAGE, "Fit automatically"));

  g_assert_nonnull (found);
  return found;
}

static const char *
source_text (EkMaterialsPage *page,
             const char      *msgid)
{
  const char *text = g_dgettext (GETTEXT_PACKAGE, msgid);

  g_assert_true (ek_ui_shows_text (GTK_WIDGET (page), text));
  return text;
}

static void
test_service_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkDraftMaterials) materials = ek_draft_materials_new (draft, &error);
  g_autoptr(EkImage) page_image = ek_test_render_page (EK_TEST_PAGE_SEALED, 200, 1, NULL);
  g_autoptr(GBytes) scan = NULL;
  EkMaterialsPage *page;

  g_assert_no_error (error);
  /* A scan between the two limits: over 200 KB, under 1 MB */
  for (int quality = 90; quality >= 40 && (scan == NULL || g_bytes_get_size (scan) > 900 * 1024); quality -= 10)
    {
      g_clear_pointer (&scan, g_bytes_unref);
      scan = ek_image_encode_jpeg (page_image, quality, FALSE, &error);
      g_assert_no_error (error);
    }
  scan_bytes = g_bytes_get_size (scan);
  g_test_message ("scan: %" G_GUINT64_FORMAT " bytes", scan_bytes);
  g_assert_cmpuint (scan_bytes, >, 300 * 1024);
  g_assert_cmpuint (scan_bytes, <, 1000 * 1024);
  g_assert_true (ek_draft_materials_import_bytes (materials, "application-form", scan, "申请表.jpg", &error));
  g_assert_no_error (error);

  page = show_page ();
  ek_ui_wait (window, answered, page, "the service's limits");
  g_assert_cmpint (ek_materials_page_get_rules_source (page), ==, EK_MATERIALS_RULES_SERVICE);
  g_assert_cmpstr (ek_materials_page_get_rules_id (page), ==, "gfa-1mb");
  source_text (page, "Limits from the registration service.");
  /* The 1 MB set's own list: the user agreement instead of the operator form */
  g_assert_nonnull (ek_materials_page_get_row (page, "user-agreement"));
  g_assert_null (ek_materials_page_get_row (page, "foreign-trade-operator-form"));

  ek_ui_wait (window, checked, page, "the scan to be checked");
  g_test_message ("online: %s", ek_material_row_get_status (form_row (page)));
  g_assert_cmpint (ek_material_row_get_state (form_row (page)), ==, EK_MATERIAL_ROW_READY);
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (form_row (page)), "1.0 MB"));
  ek_ui_screenshot (window, "materials-service-rules");
}

static void
test_offline_rechecks (void)
{
  EkMaterialsPage *page;

  /* The service is down when the clerk comes back to the step */
  ek_api_server_stop (server);
  page = show_page ();
  ek_ui_wait (window, answered, page, "the service's limits, or none");
  g_assert_cmpint (ek_materials_page_get_rules_source (page), ==, EK_MATERIALS_RULES_OFFLINE);
  g_assert_cmpstr (ek_materials_page_get_rules_id (page), ==, "gfa-200kb");
  source_text (page, "Limits from the built-in list (offline): the registration service could not be reached.");
  g_assert_nonnull (ek_ui_find_button (GTK_WIDGET (page), g_dgettext (GETTEXT_PACKAGE, "Ask the _service again")));
  g_assert_nonnull (ek_materials_page_get_row (page, "foreign-trade-operator-form"));

  /* The same file, against 200 KB: too large, and Fit is offered */
  ek_ui_wait (window, checked, page, "the scan to be checked again");
  g_test_message ("offline: %s", ek_material_row_get_status (form_row (page)));
  g_assert_cmpint (ek_material_row_get_state (form_row (page)), ==, EK_MATERIAL_ROW_TOO_LARGE);
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (form_row (page)), "200 KB"));
  g_assert_true (gtk_widget_get_visible (fit_button (page)));
  ek_ui_screenshot (window, "materials-offline-rules");

  g_signal_emit_by_name (fit_button (page), "clicked");
  ek_ui_wait (window, has_preview, page, "the fitted preview");
  ek_material_row_accept_fit (form_row (page));
  ek_ui_wait (window, is_ready, page, "the fitted form to be ready");
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (form_row (page)), "200 KB"));
}

static void
test_ask_again (void)
{
  EkMaterialsPage *page = EK_MATERIALS_PAGE (gtk_window_get_child (GTK_WINDOW (window)));
  GtkWidget *again = ek_ui_find_button (GTK_WIDGET (page), g_dgettext (GETTEXT_PACKAGE, "Ask the _service again"));

  /* Back, now enforcing 200 KB: asked again, its set is in force; the fitted form stays ready */
  restart_with ("--material-rules", "gfa-200kb", NULL);
  g_assert_nonnull (again);
  g_signal_emit_by_name (again, "clicked");
  ek_ui_wait (window, answered, page, "the service's limits");
  g_assert_cmpint (ek_materials_page_get_rules_source (page), ==, EK_MATERIALS_RULES_SERVICE);
  g_assert_cmpstr (ek_materials_page_get_rules_id (page), ==, "gfa-200kb");
  g_assert_false (gtk_widget_get_visible (again));
  ek_ui_wait (window, is_ready, page, "the form to stay ready");
  g_assert_true (ek_page_get_complete (EK_PAGE (page)) == FALSE);
}

static gboolean
on_service_1mb (gpointer data)
{
  return ek_materials_page_get_rules_source (data) == EK_MATERIALS_RULES_SERVICE &&
         g_strcmp0 (ek_materials_page_get_rules_id (data), "gfa-1mb") == 0;
}

static void
on_logged_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_api_client_login_with_code_finish (EK_API_CLIENT (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* The clerk logs in (the session changes) while the service enforces 1 MB again: the page asks
 * the service by itself */
static void
test_session_change (void)
{
  EkMaterialsPage *page = EK_MATERIALS_PAGE (gtk_window_get_child (GTK_WINDOW (window)));
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApiClient) client = ek_application_dup_api_client (app, &error);
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *token = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(EkApiResponse) captcha = NULL;
  const char *captcha_id;
  gboolean logged_in = FALSE;

  g_assert_no_error (error);
  ek_api_server_stop (server);
  restart_with ("--material-rules", "gfa-1mb", NULL);
  token = ek_api_register_and_login (server, uscc, "rules-clerk@example.cn");
  captcha = ek_api_call (server, "POST", "/captcha", NULL, NULL, NULL);
  g_assert_cmpint (captcha->status, ==, 201);
  captcha_id = json_object_get_string_member (ek_api_object (captcha), "id");
  answer = g_strstrip (ek_api_run (server, NULL, "captcha-answer", captcha_id, NULL));
  ek_api_client_login_with_code_async (client, uscc, "rules-clerk@example.cn", captcha_id, answer,
                                            NULL, on_logged_in, &logged_in);
  ek_ui_wait (window, is_true, &logged_in, "the log-in");

  ek_ui_wait (window, on_service_1mb, page, "the 1 MB limits after logging in");
  g_assert_nonnull (ek_materials_page_get_row (page, "user-agreement"));
  ek_ui_wait (window, is_ready, page, "the fitted form, checked against 1 MB");
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (form_row (page)), "1.0 MB"));
}

static void
test_unusable_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  JsonObject *sets, *set, *types;
  EkMaterialsPage *page;

  /* A catalogue whose 200 KB set asks first applications for a material it never defines */
  g_assert_no_error (error);
  node = json_node_init_object (json_node_alloc (), ek_catalogue_get_document (catalogue));
  text = json_to_string (node, FALSE);
  g_clear_pointer (&node, json_node_unref);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  sets = json_object_get_object_member (json_node_get_object (node), "material_rule_sets");
  set = json_array_get_object_element (json_object_get_array_member (sets, "sets"), 0);
  g_assert_cmpstr (json_object_get_string_member (set, "id"), ==, "gfa-200kb");
  types = json_object_get_object_member (set, "business_types");
  {
    JsonObject *selfie = json_object_new ();

    json_object_set_string_member (selfie, "material", "selfie");
    json_array_add_object_element (json_object_get_array_member (types, "first-application"), selfie);
  }
  g_free (text);
  text = json_to_string (node, TRUE);
  path = ek_test_write_temp_file ("catalogue-bad-rules.json", text, -1);

  ek_api_server_stop (server);
  restart_with ("--catalogue", path, NULL);
  page = show_page ();
  ek_ui_wait (window, answered, page, "the service's limits");
  g_assert_cmpint (ek_materials_page_get_rules_source (page), ==, EK_MATERIALS_RULES_INVALID);
  g_assert_cmpstr (ek_materials_page_get_rules_id (page), ==, "gfa-200kb");
  g_assert_null (ek_materials_page_get_row (page, "selfie"));
  source_text (page, "Limits from the built-in list: the registration service sent limits that cannot be used.");
  ek_ui_wait (window, is_ready, page, "the form to be ready on the built-in limits");
  ek_ui_screenshot (window, "materials-service-unusable");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  const char *extra[] = { "--material-rules", "gfa-1mb", NULL };
  int status;

  data_home = g_dir_make_tmp ("ek-materials-service-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  ek_ui_init (&argc, &argv);

  server = ek_api_server_start_tls (extra);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = gtk_application_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 1400);
  gtk_window_present (GTK_WINDOW (window));

  draft = ek_application_draft_new ();
  ek_application_draft_set_business_type_id (draft, "first-application");

  g_test_add_func ("/materials-service/service-rules", test_service_rules);
  g_test_add_func ("/materials-service/offline-rechecks", test_offline_rechecks);
  g_test_add_func ("/materials-service/ask-again", test_ask_again);
  g_test_add_func ("/materials-service/session-change", test_session_change);
  g_test_add_func ("/materials-service/unusable-rules", test_unusable_rules);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&draft);
  ek_api_server_free (server);
  g_clear_object (&app);
  {
    const char *rm[] = { "rm", "-rf", data_home, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return status;
}
