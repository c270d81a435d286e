/* test-materials-page.c: the materials step as a clerk meets it
 *
 * A first application with an oversized scan of the form (fitted, previewed, accepted), a
 * noise image that cannot be fitted legibly (refused, with the reason), a PDF renamed to .jpg,
 * and an ID card that is ready; a colour scan from SANE's test backend (private SANE_CONFIG_DIR,
 * through the row's Scan button and the scan dialog) that is over the limit, fitted and ready.
 * Screenshots go to test-artifacts/ in zh_CN and en.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "ek-draft-materials.h"
#include "ek-material-row.h"
#include "ek-materials-page.h"
#include "ek-scan-dialog.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"
#include "ek-test-images.h"

static GtkWidget *window;
static char *draft_id;

/* A row's state, waited for with the shared toolkit (a hang fails the test, naming it) */
static void
wait_until (EkMaterialRow *row,
            EkUiCondition  done)
{
  ek_ui_wait (window, done, row, "the material row");
}

static gboolean
settled (gpointer data)
{
  EkMaterialRow *row = data;

  return ek_material_row_get_state (row) != EK_MATERIAL_ROW_CHECKING;
}

static gboolean
has_preview (gpointer data)
{
  EkMaterialRow *row = data;

  return ek_material_row_has_fit_preview (row);
}

static gboolean
is_ready (gpointer data)
{
  EkMaterialRow *row = data;

  return ek_material_row_get_state (row) == EK_MATERIAL_ROW_READY;
}

static gboolean
has_thumbnail (gpointer data)
{
  EkMaterialRow *row = data;

  return ek_material_row_get_thumbnail_size (row, NULL, NULL);
}

static const char *refused_status;

static gboolean
is_refused (gpointer data)
{
  EkMaterialRow *row = data;

  return g_strcmp0 (ek_material_row_get_status (row), refused_status) == 0;
}


static void
import (EkDraftMaterials *materials,
        const char       *id,
        GBytes           *bytes,
        const char       *name)
{
  g_autoptr(GError) error = NULL;

  ek_draft_materials_import_bytes (materials, id, bytes, name, &error);
  g_assert_no_error (error);
}

static EkMaterialsPage *
show_page (EkApplicationDraft *draft)
{
  EkPage *page = ek_materials_page_new (draft);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (window);
  return EK_MATERIALS_PAGE (page);
}

static EkMaterialRow *
row (EkMaterialsPage *page,
     const char      *id)
{
  GtkWidget *widget = ek_materials_page_get_row (page, id);

  g_assert_nonnull (widget);
  return EK_MATERIAL_ROW (widget);
}

static void
test_fit_and_refuse (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkDraftMaterials) materials = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) page_image = ek_test_render_page (EK_TEST_PAGE_SEALED, 300, 1, NULL);
  g_autoptr(GBytes) scan = ek_image_encode_jpeg (page_image, 92, FALSE, NULL);
  g_autoptr(EkImage) noise = ek_test_render_noise (1400, 1400, 3);
  g_autoptr(GBytes) noise_png = ek_image_encode_png (noise, NULL);
  g_autoptr(EkImage) front = ek_test_render_id_card (200, FALSE);
  g_autoptr(EkImage) back = ek_test_render_id_card (200, TRUE);
  g_autoptr(EkImage) card = ek_image_stack (front, back);
  g_autoptr(GBytes) card_jpeg = ek_image_encode_jpeg (card, 85, FALSE, NULL);
  g_autoptr(GBytes) pdf = g_bytes_new_static ("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", 45);
  EkMaterialsPage *page;
  EkMaterialRow *form, *licence, *letter, *id_card;

  ek_application_draft_set_business_type_id (draft, "first-application");
  draft_id = g_strdup (ek_application_draft_get_id (draft));
  materials = ek_draft_materials_new (draft, &error);
  g_assert_no_error (error);
  import (materials, "application-form", scan, "申请表扫描件.jpg");
  import (materials, "business-licence", noise_png, "营业执照.png");
  import (materials, "confirmation-letter", pdf, "确认函.jpg");
  import (materials, "id-card", card_jpeg, "身份证.jpg");

  page = show_page (draft);
  form = row (page, "application-form");
  licence = row (page, "business-licence");
  letter = row (page, "confirmation-letter");
  id_card = row (page, "id-card");
  wait_until (form, settled);
  wait_until (licence, settled);
  wait_until (letter, settled);
  wait_until (id_card, settled);

  g_assert_cmpint (ek_material_row_get_state (form), ==, EK_MATERIAL_ROW_TOO_LARGE);
  g_assert_cmpint (ek_material_row_get_state (licence), ==, EK_MATERIAL_ROW_TOO_LARGE);
  g_assert_cmpint (ek_material_row_get_state (letter), ==, EK_MATERIAL_ROW_WRONG_FORMAT);
  g_assert_cmpint (ek_material_row_get_state (id_card), ==, EK_MATERIAL_ROW_READY);
  g_assert_false (ek_page_get_complete (EK_PAGE (page)));

  /* Thumbnails arrive from a worker: the A4 scan as a portrait picture no larger than the
   * thumbnail needs; the PDF has none */
  wait_until (form, has_thumbnail);
  wait_until (id_card, has_thumbnail);
  {
    int width = 0, height = 0;

    g_assert_true (ek_material_row_get_thumbnail_size (form, &width, &height));
    g_assert_cmpint (height, ==, 224);
    g_assert_cmpint (width, <, height);
    g_assert_cmpint (width, >, 140);
  }
  g_assert_false (ek_material_row_get_thumbnail_size (letter, NULL, NULL));

  /* Fit the form: before/after preview, the clerk accepts, and it is ready */
  ek_material_row_fit (form);
  wait_until (form, has_preview);
  ek_ui_screenshot (window, "materials-fit-preview");
  ek_material_row_accept_fit (form);
  wait_until (form, is_ready);
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (form), "200 KB"));

  /* The noise cannot be made small and legible: refused, and the original kept */
  refused_status = g_dgettext (GETTEXT_PACKAGE, "Cannot be fitted");
  ek_material_row_fit (licence);
  wait_until (licence, is_refused);
  g_assert_cmpint (ek_material_row_get_state (licence), ==, EK_MATERIAL_ROW_TOO_LARGE);
  {
    g_autofree char *kept = ek_draft_materials_dup_file (materials, "business-licence");
    g_assert_nonnull (kept);
  }
  ek_ui_screenshot (window, "materials");
  g_assert_false (ek_page_get_complete (EK_PAGE (page)));
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

static void
test_thumbnail_upright (void)
{
  /* A phone holds the ID card sideways and says so in EXIF: the thumbnail stands it upright,
   * as the reviewer will see it */
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkDraftMaterials) materials = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) card = ek_test_render_id_card (200, FALSE);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (card, 85, FALSE, NULL);
  g_autoptr(GBytes) sideways = ek_test_add_exif (jpeg, 6, FALSE);
  EkMaterialsPage *page;
  EkMaterialRow *id_card;
  int width = 0, height = 0;

  g_assert_cmpuint (card->width, >, card->height);
  ek_application_draft_set_business_type_id (draft, "first-application");
  materials = ek_draft_materials_new (draft, &error);
  g_assert_no_error (error);
  import (materials, "id-card", sideways, "身份证.jpg");
  page = show_page (draft);
  id_card = row (page, "id-card");
  wait_until (id_card, has_thumbnail);
  g_assert_true (ek_material_row_get_thumbnail_size (id_card, &width, &height));
  g_assert_cmpint (height, ==, 224);
  g_assert_cmpint (width, <, height);

  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

static void
test_persists (void)
{
  /* The window closed; the same draft opened again finds its fitted form ready */
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new_with_id (draft_id);
  EkMaterialsPage *page;
  EkMaterialRow *form;

  ek_application_draft_set_business_type_id (draft, "first-application");
  page = show_page (draft);
  form = row (page, "application-form");
  wait_until (form, settled);
  g_assert_cmpint (ek_material_row_get_state (form), ==, EK_MATERIAL_ROW_READY);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

static void
test_complete_when_all_ready (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkDraftMaterials) materials = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) letter = ek_test_render_page (EK_TEST_PAGE_SEALED, 72, 2, NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (letter, 70, FALSE, NULL);
  EkMaterialsPage *page;
  EkMaterialRow *only;

  /* An additional key uploads only the confirmation letter */
  ek_application_draft_set_business_type_id (draft, "additional-key");
  materials = ek_draft_materials_new (draft, &error);
  g_assert_no_error (error);
  page = show_page (draft);
  g_assert_false (ek_page_get_complete (EK_PAGE (page)));
  import (materials, "confirmation-letter", jpeg, "letter.jpg");
  gtk_window_set_child (GTK_WINDOW (window), NULL);

  page = show_page (draft);
  only = row (page, "confirmation-letter");
  wait_until (only, settled);
  g_assert_cmpint (ek_material_row_get_state (only), ==, EK_MATERIAL_ROW_READY);
  g_assert_true (ek_page_get_complete (EK_PAGE (page)));
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

static guint
count_rows (EkMaterialsPage *page)
{
  static const char * const ids[] = { "application-form", "confirmation-letter", "business-licence",
                                       "id-card", "authorisation-letter", "user-agreement",
                                       "foreign-trade-operator-form" };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    if (ek_materials_page_get_row (page, ids[i]) != NULL)
      n++;
  return n;
}

/* The window keeps one materials page while the clerk changes their mind about the business:
 * the checklist is always that of the draft's business type now */
static void
test_follows_business_type (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  EkMaterialsPage *page;

  ek_application_draft_set_business_type_id (draft, "renewal");
  page = show_page (draft);
  g_assert_cmpuint (count_rows (page), ==, 2);
  g_assert_null (ek_materials_page_get_row (page, "id-card"));

  ek_application_draft_set_business_type_id (draft, "first-application");
  ek_ui_iterate (window);
  g_assert_cmpuint (count_rows (page), ==, 6);
  g_assert_nonnull (ek_materials_page_get_row (page, "foreign-trade-operator-form"));
  {
    /* What the clerk reads above the list */
    g_autofree char *summary = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Required materials ready: %u of %u"), 0, 6);
    g_assert_true (ek_ui_shows_text (window, summary));
  }

  ek_application_draft_set_business_type_id (draft, "additional-key");
  ek_ui_iterate (window);
  g_assert_cmpuint (count_rows (page), ==, 1);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

/* Rows with their files (five buttons each) still fit the wizard's 800 px, beside its step
 * list (230 px and a separator) */
static void
test_rows_with_files_fit (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkDraftMaterials) materials = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) letter = ek_test_render_page (EK_TEST_PAGE_SEALED, 60, 3, NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (letter, 60, FALSE, NULL);
  static const char * const ids[] = { "application-form", "confirmation-letter", "business-licence",
                                       "id-card", "authorisation-letter", "foreign-trade-operator-form" };
  EkMaterialsPage *page;
  int min_width;

  ek_application_draft_set_business_type_id (draft, "first-application");
  materials = ek_draft_materials_new (draft, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    import (materials, ids[i], jpeg, "page.jpg");
  page = show_page (draft);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    wait_until (row (page, ids[i]), is_ready);
  ek_ui_iterate (window);
  gtk_widget_measure (GTK_WIDGET (page), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_test_message ("the materials page with its files: at least %d px wide", min_width);
  g_assert_cmpint (min_width, <=, 800 - 231);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

/* SANE's test backend only, with a colour pattern: at 300 DPI an 80 × 100 mm page is over 1 MB
 * as a JPEG, far over the 200 KB limit */
static char *
setup_sane_config (void)
{
  return ek_test_setup_sane ("number_of_devices 1\nmode Color\ndepth 8\nresolution 50.0\n"
                             "test-picture \"Color pattern\"\ngeometry_min 0.0\ngeometry_max 200.0\n"
                             "br_x 80.0\nbr_y 100.0\n");
}

static EkScanDialog *
find_scan_dialog (void)
{
  return (EkScanDialog *) ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG);
}

static gboolean
scanners_listed (gpointer data)
{
  return !ek_scan_dialog_is_busy (data) && ek_scan_dialog_get_n_devices (data) > 0;
}

static gboolean
scan_dialog_gone (gpointer data)
{
  return find_scan_dialog () == NULL;
}

static gboolean
checked (gpointer data)
{
  EkMaterialRowState state = ek_material_row_get_state (data);

  return state != EK_MATERIAL_ROW_CHECKING && state != EK_MATERIAL_ROW_MISSING;
}

static void
press_button (GtkWidget  *root,
              const char *msgid)
{
  GtkWidget *button = ek_ui_find_button (root, g_dgettext (GETTEXT_PACKAGE, msgid));

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_scan_and_fit (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autofree char *sane_dir = setup_sane_config ();
  EkMaterialsPage *page;
  EkMaterialRow *licence;
  EkScanDialog *dialog;

  ek_application_draft_set_business_type_id (draft, "first-application");
  page = show_page (draft);
  licence = row (page, "business-licence");

  /* Scan…: the dialog finds the test scanner; a colour scan at the recommended 300 DPI */
  press_button (GTK_WIDGET (licence), "Scan…");
  dialog = find_scan_dialog ();
  g_assert_nonnull (dialog);
  ek_ui_wait (GTK_WIDGET (dialog), scanners_listed, dialog, "the scanners to be listed");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (window, scan_dialog_gone, NULL, "the scan dialog to close");

  /* Over the limit: too large, with Fit offered */
  wait_until (licence, checked);
  g_test_message ("scanned: %s", ek_material_row_get_status (licence));
  g_assert_cmpint (ek_material_row_get_state (licence), ==, EK_MATERIAL_ROW_TOO_LARGE);
  g_assert_false (ek_page_get_complete (EK_PAGE (page)));

  /* Fit automatically, look at before/after, use the fitted image: ready under 200 KB */
  press_button (GTK_WIDGET (licence), "Fit automatically");
  wait_until (licence, has_preview);
  ek_ui_screenshot (window, "materials-scan-fit-preview");
  press_button (GTK_WIDGET (licence), "Use the fitted image");
  wait_until (licence, is_ready);
  g_test_message ("fitted: %s", ek_material_row_get_status (licence));
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (licence), "200 KB"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EkDraftMaterials) materials = ek_draft_materials_new (draft, &error);
    g_autofree char *path = ek_draft_materials_dup_file (materials, "business-licence");
    GStatBuf st;

    g_assert_nonnull (path);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_size, <, 200 * 1024);
  }
  ek_ui_screenshot (window, "materials-scan-fitted");
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  {
    const char *rm[] = { "rm", "-rf", sane_dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("ek-ui-materials-XXXXXX", &error);
  int result;

  g_assert_no_error (error);
  /* Drafts go to a private data folder, never the tester's own */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  ek_ui_init (&argc, &argv);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 1500);

  g_test_add_func ("/materials-page/fit-and-refuse", test_fit_and_refuse);
  g_test_add_func ("/materials-page/persists", test_persists);
  g_test_add_func ("/materials-page/thumbnail-upright", test_thumbnail_upright);
  g_test_add_func ("/materials-page/complete-when-all-ready", test_complete_when_all_ready);
  g_test_add_func ("/materials-page/scan-and-fit", test_scan_and_fit);
  g_test_add_func ("/materials-page/follows-business-type", test_follows_business_type);
  g_test_add_func ("/materials-page/rows-with-files-fit", test_rows_with_files_fit);
  result = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_free (draft_id);
  {
    const char *rm[] = { "rm", "-rf", data_home, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return result;
}
