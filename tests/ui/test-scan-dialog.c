/* test-scan-dialog.c: scanning a material from its row, through SANE's test backend
 *
 * The clerk presses "Scan…" on a material: the dialog finds the scanners (SANE's `test`
 * backend, private SANE_CONFIG_DIR, run in the scanning helper), previews, scans, and the page
 * lands in the material's row, checked like a chosen file. The ID card's two sides end up on
 * one image; a cancel stops the scan and leaves the dialog usable. Screenshots go to
 * test-artifacts/ in zh_CN and en.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "ek-draft-materials.h"
#include "ek-image.h"
#include "ek-material-row.h"
#include "ek-materials-page.h"
#include "ek-scan-dialog.h"
#include "ek-test-common.h"
#include "ek-ui-test.h"

static GtkWidget *window;
static char *config_dir;

static void
setup_sane_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dll = NULL;
  g_autofree char *test = NULL;

  config_dir = g_dir_make_tmp ("ek-sane-ui-XXXXXX", &error);
  g_assert_no_error (error);
  dll = g_build_filename (config_dir, "dll.conf", NULL);
  test = g_build_filename (config_dir, "test.conf", NULL);
  g_assert_true (g_file_set_contents (dll, "test\n", -1, NULL));
  /* An 80 × 100 mm page with a grid drawn on it; two devices */
  g_assert_true (g_file_set_contents (test,
                                      "number_of_devices 2\nmode Color\ndepth 8\nresolution 50.0\n"
                                      "test-picture \"Grid\"\ngeometry_min 0.0\ngeometry_max 200.0\n"
                                      "br_x 80.0\nbr_y 100.0\n", -1, NULL));
  g_setenv ("SANE_CONFIG_DIR", config_dir, TRUE);
}

/* The dialog's drop-downs in the order a clerk tabs through them: scanner, source, colour,
 * resolution */
static GtkDropDown *
find_drop_down (GtkWidget *root,
                guint     *skip)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropDown *found;

      if (GTK_IS_DROP_DOWN (child) && (*skip)-- == 0)
        return GTK_DROP_DOWN (child);
      if ((found = find_drop_down (child, skip)) != NULL)
        return found;
    }
  return NULL;
}

static EkScanDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (EK_IS_SCAN_DIALOG (item))
        return EK_SCAN_DIALOG (item);
    }
  return NULL;
}

static gboolean
dialog_listed (gpointer object)
{
  return !ek_scan_dialog_is_busy (object) && ek_scan_dialog_get_n_devices (object) > 0;
}

static gboolean
dialog_previewed (gpointer object)
{
  return !ek_scan_dialog_is_busy (object) && ek_scan_dialog_has_preview (object);
}

static gboolean
dialog_gone (gpointer object)
{
  return find_dialog () == NULL;
}

static gboolean
row_checked (gpointer object)
{
  EkMaterialRowState state = ek_material_row_get_state (object);

  return state != EK_MATERIAL_ROW_MISSING && state != EK_MATERIAL_ROW_CHECKING;
}

static EkScanDialog *
open_dialog (EkMaterialRow *row)
{
  GtkWidget *button = ek_ui_find_button (GTK_WIDGET (row), g_dgettext (GETTEXT_PACKAGE, "Scan…"));
  EkScanDialog *dialog;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  ek_ui_wait (GTK_WIDGET (dialog), dialog_listed, dialog, "the scanners to be listed");
  g_assert_cmpuint (ek_scan_dialog_get_n_devices (dialog), ==, 2);
  return dialog;
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

/* The page's own file for @id, as the draft now records it */
static void
read_size (EkApplicationDraft *draft,
           const char         *id,
           guint              *width,
           guint              *height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkDraftMaterials) materials = ek_draft_materials_new (draft, &error);
  g_autofree char *path = materials != NULL ? ek_draft_materials_dup_file (materials, id) : NULL;
  g_autofree char *contents = NULL;
  EkImageInfo info;
  gsize length;

  g_assert_nonnull (path);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (ek_image_read_header ((const guint8 *) contents, length, &info, &error));
  g_assert_no_error (error);
  *width = info.width;
  *height = info.height;
}

static void
test_licence (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  EkMaterialsPage *page;
  EkMaterialRow *licence;
  EkScanDialog *dialog;
  guint width, height;

  ek_application_draft_set_business_type_id (draft, "first-application");
  page = show_page (draft);
  licence = EK_MATERIAL_ROW (ek_materials_page_get_row (page, "business-licence"));
  g_assert_cmpint (ek_material_row_get_state (licence), ==, EK_MATERIAL_ROW_MISSING);

  dialog = open_dialog (licence);
  ek_ui_screenshot (GTK_WIDGET (dialog), "scan-dialog");

  /* A quick low-resolution look first */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.preview", NULL);
  g_assert_true (ek_scan_dialog_is_busy (dialog));
  ek_ui_wait (GTK_WIDGET (dialog), dialog_previewed, dialog, "the preview");
  ek_ui_screenshot (GTK_WIDGET (dialog), "scan-dialog-preview");

  /* The scan itself (600 DPI, colour, chosen as a clerk would): the dialog closes and the row checks the page */
  {
    guint skip = 3;
    GtkDropDown *resolution = find_drop_down (GTK_WIDGET (dialog), &skip);

    g_assert_nonnull (resolution);
    gtk_drop_down_set_selected (resolution, 3);
  }
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (window, dialog_gone, NULL, "the dialog to close");
  ek_ui_wait (window, row_checked, licence, "the row to be checked");
  g_test_message ("licence: %s", ek_material_row_get_status (licence));
  g_assert_cmpint (ek_material_row_get_state (licence), !=, EK_MATERIAL_ROW_UNREADABLE);
  g_assert_cmpint (ek_material_row_get_state (licence), !=, EK_MATERIAL_ROW_WRONG_FORMAT);
  read_size (draft, "business-licence", &width, &height);
  /* 80 × 100 mm at the 600 DPI chosen in the dialog */
  g_assert_cmpuint (width, >=, 1880);
  g_assert_cmpuint (height, >=, 2350);

  /* Checked like a chosen file: the row says how large it is against the limit */
  g_assert_cmpint (ek_material_row_get_state (licence), ==, EK_MATERIAL_ROW_READY);
  g_assert_true (g_str_has_suffix (ek_material_row_get_status (licence), "200 KB"));
  ek_ui_screenshot (window, "scan-dialog-row");
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

static gboolean
front_scanned (gpointer object)
{
  const char *expected = g_dgettext (GETTEXT_PACKAGE, "Front scanned. Turn the card over, put it in the "
                                                      "same place and press Scan again for the back.");

  return !ek_scan_dialog_is_busy (object) && g_strcmp0 (ek_scan_dialog_get_status (object), expected) == 0;
}

static void
test_id_card_both_sides (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  EkMaterialsPage *page;
  EkMaterialRow *card;
  EkScanDialog *dialog;
  guint width, height;

  ek_application_draft_set_business_type_id (draft, "first-application");
  page = show_page (draft);
  card = EK_MATERIAL_ROW (ek_materials_page_get_row (page, "id-card"));
  g_assert_true (ek_material_row_get_requirement (card)->two_sided);

  dialog = open_dialog (card);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (GTK_WIDGET (dialog), front_scanned, dialog, "the front to be scanned");
  ek_ui_screenshot (GTK_WIDGET (dialog), "scan-dialog-front");
  g_assert_nonnull (find_dialog ());
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (window, dialog_gone, NULL, "the dialog to close");
  ek_ui_wait (window, row_checked, card, "the row to be checked");

  /* Front above back on one image: twice as tall as one side */
  read_size (draft, "id-card", &width, &height);
  g_assert_cmpuint (height, >, 2 * 1175);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
}

static void
on_scanned_count (EkScanDialog *dialog,
                  gpointer      image,
                  guint        *count)
{
  (*count)++;
}

static void
test_cancel (void)
{
  EkScanDialog *dialog = ek_scan_dialog_new ("Test", FALSE);
  guint scanned = 0;

  g_object_ref_sink (dialog);
  g_signal_connect (dialog, "scanned", G_CALLBACK (on_scanned_count), &scanned);
  gtk_window_present (GTK_WINDOW (dialog));
  ek_ui_wait (GTK_WIDGET (dialog), dialog_listed, dialog, "the scanners to be listed");

  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  g_assert_true (ek_scan_dialog_is_busy (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.cancel", NULL);
  g_assert_false (ek_scan_dialog_is_busy (dialog));
  g_assert_cmpstr (ek_scan_dialog_get_status (dialog), ==, g_dgettext (GETTEXT_PACKAGE, "Scanning was cancelled."));

  /* Still usable: a preview works at once */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.preview", NULL);
  ek_ui_wait (GTK_WIDGET (dialog), dialog_previewed, dialog, "the preview");
  g_assert_cmpuint (scanned, ==, 0);

  /* Cancel with nothing running closes the dialog */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.cancel", NULL);
  ek_ui_wait (window, dialog_gone, NULL, "the dialog to close");
  g_object_unref (dialog);
}

static gboolean
on_settle (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Closing the dialog in the middle of a scan stops the scan; what comes back afterwards from the
 * helper touches nothing (a critical here would abort the test) */
static void
test_close_while_scanning (void)
{
  EkScanDialog *dialog = ek_scan_dialog_new ("Test", FALSE);
  gboolean settled = FALSE;
  guint scanned = 0;

  g_signal_connect (dialog, "scanned", G_CALLBACK (on_scanned_count), &scanned);
  gtk_window_present (GTK_WINDOW (dialog));
  ek_ui_wait (GTK_WIDGET (dialog), dialog_listed, dialog, "the scanners to be listed");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_null (find_dialog ());

  /* The helper is given two seconds to stop before it is killed: let all of that play out */
  g_timeout_add_seconds (4, on_settle, &settled);
  while (!settled)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (scanned, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("ek-ui-scan-XXXXXX", &error);
  int result;

  g_assert_no_error (error);
  /* Drafts go to a private data folder, never the tester's own */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  ek_test_init (&argc, &argv);
  setup_sane_config ();
  gtk_init ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 1200);

  g_test_add_func ("/scan-dialog/licence", test_licence);
  g_test_add_func ("/scan-dialog/id-card-both-sides", test_id_card_both_sides);
  g_test_add_func ("/scan-dialog/cancel", test_cancel);
  g_test_add_func ("/scan-dialog/close-while-scanning", test_close_while_scanning);
  result = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  {
    const char *rm[] = { "rm", "-rf", data_home, config_dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (config_dir);
  return result;
}
