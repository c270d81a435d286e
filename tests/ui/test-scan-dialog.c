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
#include <string.h>

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
  /* An 80 × 100 mm page with a grid drawn on it; two devices */
  config_dir = ek_test_setup_sane ("number_of_devices 2\nmode Color\ndepth 8\nresolution 50.0\n"
                                   "test-picture \"Grid\"\ngeometry_min 0.0\ngeometry_max 200.0\n"
                                   "br_x 80.0\nbr_y 100.0\n");
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
  return (EkScanDialog *) ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG);
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

typedef struct
{
  guint width;
  guint height;
  guint count;
} Scanned;

static void
on_scanned_size (EkScanDialog *dialog,
                 gpointer      image,
                 Scanned      *scanned)
{
  scanned->width = ((EkImage *) image)->width;
  scanned->height = ((EkImage *) image)->height;
  scanned->count++;
}

static gboolean
scanned_once (gpointer data)
{
  return ((Scanned *) data)->count > 0;
}

/* The pixels @mm take at @dpi, as a scanner counts them */
static guint
pixels (double mm,
        double dpi)
{
  return (guint) (mm * dpi / 25.4);
}

/* The test backend rounds the area's corners to whole millimetres (85.6 mm becomes 86, as
 * scanimage also reports), so a side may be up to 1 mm off what was asked */
static void
assert_side (guint  got,
             double mm,
             double dpi)
{
  guint slack = pixels (1, dpi) + 1;

  g_assert_cmpuint (got + slack, >=, pixels (mm, dpi));
  g_assert_cmpuint (got, <=, pixels (mm, dpi) + slack);
}

static EkScanDialog *
open_standalone (Scanned *scanned)
{
  EkScanDialog *dialog = ek_scan_dialog_new ("Test", FALSE);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  g_signal_connect (dialog, "scanned", G_CALLBACK (on_scanned_size), scanned);
  gtk_window_present (GTK_WINDOW (dialog));
  ek_ui_wait (GTK_WIDGET (dialog), dialog_listed, dialog, "the scanners to be listed");
  return dialog;
}

/* The ID card preset at 300 DPI: the scan is the card's 85.6 × 54 mm, from the glass's corner */
static void
test_area_preset (void)
{
  Scanned scanned = { 0 };
  EkScanDialog *dialog = open_standalone (&scanned);
  GtkDropDown *resolution, *area;
  double chosen[4];
  guint skip;

  skip = 3;
  resolution = find_drop_down (GTK_WIDGET (dialog), &skip);
  skip = 4;
  area = find_drop_down (GTK_WIDGET (dialog), &skip);
  g_assert_nonnull (area);
  g_assert_cmpuint (gtk_drop_down_get_selected (resolution), ==, 2);   /* 300 DPI */
  g_assert_false (ek_scan_dialog_get_area (dialog, chosen));           /* the whole glass */

  gtk_drop_down_set_selected (area, 3);
  g_assert_true (ek_scan_dialog_get_area (dialog, chosen));
  g_assert_cmpfloat_with_epsilon (chosen[2], 85.6, 0.01);
  g_assert_cmpfloat_with_epsilon (chosen[3], 54, 0.01);

  /* Previewed, the card's area is drawn on the whole glass */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.preview", NULL);
  ek_ui_wait (GTK_WIDGET (dialog), dialog_previewed, dialog, "the preview");
  ek_ui_screenshot (GTK_WIDGET (dialog), "scan-dialog-area-id-card");

  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (window, scanned_once, &scanned, "the scan");
  g_test_message ("ID card area at 300 DPI: %u × %u", scanned.width, scanned.height);
  assert_side (scanned.width, 85.6, 300);
  assert_side (scanned.height, 54, 300);
  ek_ui_wait (window, dialog_gone, NULL, "the dialog to close");
}

static GtkGesture *
drag_gesture (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_DRAG (controller))
        return GTK_GESTURE (controller);
    }
  return NULL;
}

static GtkEventController *
key_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        return GTK_EVENT_CONTROLLER (controller);
    }
  return NULL;
}

/* A rectangle dragged on the preview, nudged with the arrow keys, scanned at 150 DPI */
static void
test_area_marked (void)
{
  Scanned scanned = { 0 };
  EkScanDialog *dialog = open_standalone (&scanned);
  GtkWidget *selection;
  GtkGesture *drag;
  GtkEventController *keys;
  GtkDropDown *resolution, *area;
  double chosen[4], width, height, scale, x0, y0;
  gboolean handled = FALSE;
  guint skip;

  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.preview", NULL);
  ek_ui_wait (GTK_WIDGET (dialog), dialog_previewed, dialog, "the preview");
  ek_ui_iterate (GTK_WIDGET (dialog));
  selection = ek_ui_find_type (GTK_WIDGET (dialog), GTK_TYPE_DRAWING_AREA);
  g_assert_nonnull (selection);
  drag = drag_gesture (selection);
  keys = key_controller (selection);
  g_assert_nonnull (drag);
  g_assert_nonnull (keys);

  /* The test glass is 80 × 100 mm, drawn scaled to fit and centred: drag from (20, 25) mm to
   * (60, 75) mm */
  width = gtk_widget_get_width (selection);
  height = gtk_widget_get_height (selection);
  scale = MIN (width / 80.0, height / 100.0);
  x0 = (width - 80.0 * scale) / 2;
  y0 = (height - 100.0 * scale) / 2;
  g_signal_emit_by_name (drag, "drag-begin", x0 + 20 * scale, y0 + 25 * scale);
  g_signal_emit_by_name (drag, "drag-update", 40 * scale, 50 * scale);
  g_signal_emit_by_name (drag, "drag-end", 40 * scale, 50 * scale);
  skip = 4;
  area = find_drop_down (GTK_WIDGET (dialog), &skip);
  g_assert_cmpuint (gtk_drop_down_get_selected (area), ==, 4);   /* "As marked on the preview" */
  g_assert_true (ek_scan_dialog_get_area (dialog, chosen));
  g_test_message ("marked: %.2f %.2f %.2f × %.2f mm", chosen[0], chosen[1], chosen[2], chosen[3]);
  g_assert_cmpfloat_with_epsilon (chosen[0], 20, 0.8);
  g_assert_cmpfloat_with_epsilon (chosen[1], 25, 0.8);
  g_assert_cmpfloat_with_epsilon (chosen[2], 40, 0.8);
  g_assert_cmpfloat_with_epsilon (chosen[3], 50, 0.8);

  /* By keyboard: two steps right moves it 4 mm; Shift+Down makes it 2 mm taller */
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
  g_assert_true (handled);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, GDK_SHIFT_MASK, &handled);
  {
    double moved[4];

    g_assert_true (ek_scan_dialog_get_area (dialog, moved));
    g_assert_cmpfloat_with_epsilon (moved[0], chosen[0] + 4, 0.01);
    g_assert_cmpfloat_with_epsilon (moved[1], chosen[1], 0.01);
    g_assert_cmpfloat_with_epsilon (moved[2], chosen[2], 0.01);
    g_assert_cmpfloat_with_epsilon (moved[3], chosen[3] + 2, 0.01);
    memcpy (chosen, moved, sizeof moved);
  }
  ek_ui_iterate (GTK_WIDGET (dialog));
  ek_ui_screenshot (GTK_WIDGET (dialog), "scan-dialog-area-marked");

  skip = 3;
  resolution = find_drop_down (GTK_WIDGET (dialog), &skip);
  gtk_drop_down_set_selected (resolution, 0);   /* 150 DPI */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (window, scanned_once, &scanned, "the scan");
  g_test_message ("marked area at 150 DPI: %u × %u", scanned.width, scanned.height);
  assert_side (scanned.width, chosen[2], 150);
  assert_side (scanned.height, chosen[3], 150);
  ek_ui_wait (window, dialog_gone, NULL, "the dialog to close");
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
  g_test_add_func ("/scan-dialog/area-preset", test_area_preset);
  g_test_add_func ("/scan-dialog/area-marked", test_area_marked);
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
