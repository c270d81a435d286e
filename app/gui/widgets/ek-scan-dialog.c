/* ek-scan-dialog.c: scanning one material
 *
 * The clerk picks the scanner, the source (glass or document feeder), colour or grey, the
 * resolution and the area (the whole glass, an A4 or A5 page or an ID card from the top-left
 * corner, or a rectangle marked on the preview by dragging or with the arrow keys), looks at a
 * quick low-resolution preview, and scans with progress and a cancel
 * that always works (SANE runs in a helper process: ek-scanner.c). A material that needs both
 * sides of an ID card on one image is scanned twice (or fed as two sheets) and combined. The
 * result goes to whoever listens to "scanned" (the material row checks and fits it like a
 * chosen file).
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ek-ui-helpers.h"
#include "ek-scan-dialog.h"
#include "ek-scanner.h"

/* The area drop-down: the whole glass, presets from the glass's top-left corner (where a page
 * is laid), and what the clerk marked on the preview */
enum { AREA_WHOLE, AREA_A4, AREA_A5, AREA_ID_CARD, AREA_MARKED };
static const double area_sizes_mm[][2] = { { 0, 0 }, { 210, 297 }, { 148, 210 }, { 85.6, 54 } };

/* The preview is scanned at this resolution (or the scanner's lowest, if higher), so that its
 * pixels map to millimetres on the glass */
#define PREVIEW_DPI       50.0
#define MIN_MARK_MM       5.0
#define KEY_STEP_MM       2.0

struct _EkScanDialog
{
  GtkWindow        parent_instance;

  char            *material_name;
  gboolean         two_sided;
  GPtrArray       *devices;        /* EkScannerDevice */
  GCancellable    *cancellable;    /* the running operation */
  EkImage         *front;          /* the first side of a two-sided material */
  gboolean         busy;
  gboolean         previewed;
  gboolean         closed;
  double           bed_mm[2];      /* the glass, when the scanner says; 0 otherwise */
  double           preview_dpi;    /* PREVIEW_DPI, or the scanner's lowest when that is higher */
  double           preview_mm[2];  /* what the preview shows, from the glass's corner */
  double           marked_mm[4];   /* left, top, width, height marked on the preview */
  gboolean         marked;
  double           drag_mm[2];     /* where a drag on the preview started */

  GtkDropDown     *area_dropdown;
  GtkDrawingArea  *selection_area;

  GtkDropDown     *device_dropdown;
  GtkStringList   *device_list;
  GtkLabel        *heading_label;
  GtkDropDown     *mode_dropdown;
  GtkPicture      *preview_picture;
  GtkStack        *preview_stack;
  GtkProgressBar  *progress_bar;
  GtkDropDown     *resolution_dropdown;
  GtkDropDown     *source_dropdown;
  GtkLabel        *status_label;
};

G_DEFINE_FINAL_TYPE (EkScanDialog, ek_scan_dialog, GTK_TYPE_WINDOW)

enum { SCANNED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const double resolutions[] = { 150, 200, 300, 600 };

/* An operation that ends after a cancel, or after the dialog went away, changes nothing */
static gboolean
stale (EkScanDialog *self,
       const GError *error)
{
  return self->closed || self->status_label == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
set_status (EkScanDialog *self,
            const char   *message)
{
  gtk_label_set_label (self->status_label, message != NULL ? message : "");
}

static const char *
selected_device (EkScanDialog *self)
{
  guint index = gtk_drop_down_get_selected (self->device_dropdown);

  if (self->devices == NULL || index == GTK_INVALID_LIST_POSITION || index >= self->devices->len)
    return NULL;
  return ((EkScannerDevice *) g_ptr_array_index (self->devices, index))->name;
}

static void
update_actions (EkScanDialog *self)
{
  gboolean can_scan = !self->busy && selected_device (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scan.preview", can_scan);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scan.start", can_scan);
  gtk_widget_set_sensitive (GTK_WIDGET (self->device_dropdown), !self->busy && self->devices != NULL &&
                                                                self->devices->len > 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_dropdown), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->resolution_dropdown), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->area_dropdown), !self->busy);
}

static void
set_busy (EkScanDialog *self,
          const char   *what)
{
  self->busy = what != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), self->busy);
  if (self->busy)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, what);
    }
  update_actions (self);
}

static void
show_image (EkScanDialog  *self,
            const EkImage *image)
{
  g_autoptr(EkImage) rgb = image->channels == 3 ? NULL : ek_image_to_rgb (image);
  const EkImage *shown = rgb != NULL ? rgb : image;
  g_autoptr(GBytes) bytes = g_bytes_new (shown->data, shown->stride * shown->height);
  g_autoptr(GdkTexture) texture = gdk_memory_texture_new ((int) shown->width, (int) shown->height,
                                                          GDK_MEMORY_R8G8B8, bytes, shown->stride);

  gtk_picture_set_paintable (self->preview_picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->preview_stack, "picture");
}

/* The scan area */

/* The area the next scan covers, in mm from the glass's top-left corner: FALSE for the whole
 * glass (the scanner's own default area) */
static gboolean
chosen_area (EkScanDialog *self,
             double        area[4])
{
  guint choice = gtk_drop_down_get_selected (self->area_dropdown);

  if (choice == AREA_MARKED && self->marked)
    {
      memcpy (area, self->marked_mm, sizeof self->marked_mm);
      return TRUE;
    }
  if (choice == AREA_WHOLE || choice >= AREA_MARKED)
    return FALSE;
  area[0] = area[1] = 0;
  area[2] = area_sizes_mm[choice][0];
  area[3] = area_sizes_mm[choice][1];
  /* A page larger than the glass: as much of it as the glass holds */
  if (self->bed_mm[0] > 0)
    area[2] = MIN (area[2], self->bed_mm[0]);
  if (self->bed_mm[1] > 0)
    area[3] = MIN (area[3], self->bed_mm[1]);
  return TRUE;
}

static void
describe_area (EkScanDialog *self)
{
  double area[4];
  g_autofree char *text = NULL;

  if (chosen_area (self, area))
    /* Translators: the scan area on the glass, in millimetres */
    text = g_strdup_printf (_("From %.0f mm across and %.0f mm down, %.1f × %.1f mm"),
                            area[0], area[1], area[2], area[3]);
  else
    text = g_strdup (_("The whole glass"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->selection_area),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->selection_area));
}

/* Where the preview picture is drawn in the selection area (content-fit contain: scaled to fit,
 * centred), as the scale from mm and the offset; FALSE before there is a preview */
static gboolean
preview_geometry (EkScanDialog *self,
                  double       *scale,
                  double       *x0,
                  double       *y0)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self->selection_area));
  double height = gtk_widget_get_height (GTK_WIDGET (self->selection_area));

  if (!self->previewed || self->preview_mm[0] <= 0 || self->preview_mm[1] <= 0 || width <= 0 || height <= 0)
    return FALSE;
  *scale = MIN (width / self->preview_mm[0], height / self->preview_mm[1]);
  *x0 = (width - self->preview_mm[0] * *scale) / 2;
  *y0 = (height - self->preview_mm[1] * *scale) / 2;
  return TRUE;
}

static void
draw_selection (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  EkScanDialog *self = user_data;
  double scale, x0, y0, chosen[4];

  if (!preview_geometry (self, &scale, &x0, &y0) || !chosen_area (self, chosen))
    return;
  chosen[2] = MIN (chosen[2], self->preview_mm[0] - chosen[0]);
  chosen[3] = MIN (chosen[3], self->preview_mm[1] - chosen[1]);
  /* What is left out is greyed; the area itself is outlined in the accent blue */
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_rectangle (cr, x0, y0, self->preview_mm[0] * scale, self->preview_mm[1] * scale);
  cairo_rectangle (cr, x0 + chosen[0] * scale, y0 + chosen[1] * scale, chosen[2] * scale, chosen[3] * scale);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
  cairo_fill (cr);
  cairo_rectangle (cr, x0 + chosen[0] * scale + 1, y0 + chosen[1] * scale + 1,
                   MAX (chosen[2] * scale - 2, 1), MAX (chosen[3] * scale - 2, 1));
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
}

static void
mark (EkScanDialog *self,
      double        left,
      double        top,
      double        width,
      double        height)
{
  left = CLAMP (left, 0, self->preview_mm[0]);
  top = CLAMP (top, 0, self->preview_mm[1]);
  self->marked_mm[0] = left;
  self->marked_mm[1] = top;
  self->marked_mm[2] = CLAMP (width, 0, self->preview_mm[0] - left);
  self->marked_mm[3] = CLAMP (height, 0, self->preview_mm[1] - top);
  self->marked = TRUE;
  if (gtk_drop_down_get_selected (self->area_dropdown) != AREA_MARKED)
    gtk_drop_down_set_selected (self->area_dropdown, AREA_MARKED);
  describe_area (self);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               gpointer        user_data)
{
  EkScanDialog *self = user_data;
  double scale, x0, y0;

  if (self->busy || !preview_geometry (self, &scale, &x0, &y0))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_mm[0] = CLAMP ((x - x0) / scale, 0, self->preview_mm[0]);
  self->drag_mm[1] = CLAMP ((y - y0) / scale, 0, self->preview_mm[1]);
  gtk_widget_grab_focus (GTK_WIDGET (self->selection_area));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                gpointer        user_data)
{
  EkScanDialog *self = user_data;
  double scale, x0, y0, x, y;

  if (!preview_geometry (self, &scale, &x0, &y0))
    return;
  x = CLAMP (self->drag_mm[0] + dx / scale, 0, self->preview_mm[0]);
  y = CLAMP (self->drag_mm[1] + dy / scale, 0, self->preview_mm[1]);
  mark (self, MIN (x, self->drag_mm[0]), MIN (y, self->drag_mm[1]),
        fabs (x - self->drag_mm[0]), fabs (y - self->drag_mm[1]));
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             gpointer        user_data)
{
  EkScanDialog *self = user_data;

  on_drag_update (gesture, dx, dy, user_data);
  /* A click, or a sliver: not an area anyone meant */
  if (self->marked && (self->marked_mm[2] < MIN_MARK_MM || self->marked_mm[3] < MIN_MARK_MM))
    {
      self->marked = FALSE;
      gtk_drop_down_set_selected (self->area_dropdown, AREA_WHOLE);
      describe_area (self);
    }
}

/* By keyboard, on the focused preview: the arrows move the area, with Shift they resize it */
static gboolean
on_selection_key_pressed (GtkEventControllerKey *controller,
                          guint                  keyval,
                          guint                  keycode,
                          GdkModifierType        state,
                          gpointer               user_data)
{
  EkScanDialog *self = user_data;
  double area[4], dx = 0, dy = 0;

  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: dx = -KEY_STEP_MM; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: dx = KEY_STEP_MM; break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up: dy = -KEY_STEP_MM; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: dy = KEY_STEP_MM; break;
    default: return FALSE;
    }
  if (self->busy || !self->previewed)
    return FALSE;
  if (!chosen_area (self, area))
    {
      area[0] = area[1] = 0;
      area[2] = self->preview_mm[0];
      area[3] = self->preview_mm[1];
    }
  if (state & GDK_SHIFT_MASK)
    mark (self, area[0], area[1], MAX (area[2] + dx, MIN_MARK_MM), MAX (area[3] + dy, MIN_MARK_MM));
  else
    mark (self, CLAMP (area[0] + dx, 0, self->preview_mm[0] - area[2]),
          CLAMP (area[1] + dy, 0, self->preview_mm[1] - area[3]), area[2], area[3]);
  return TRUE;
}

static void
on_area_dropdown_selected_cb (EkScanDialog *self)
{
  if (gtk_drop_down_get_selected (self->area_dropdown) == AREA_MARKED && !self->marked)
    set_status (self, self->previewed
                      ? _("Drag on the preview to mark the area to scan, or use the arrow keys on it (with Shift to resize).")
                      : _("Press Preview first, then drag on the preview to mark the area to scan."));
  describe_area (self);
}

/* Listing and options */

static void
on_capabilities (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkScanDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkScannerCapabilities) capabilities = ek_scanner_get_capabilities_finish (result, &error);
  gboolean feeder = FALSE;

  if (stale (self, error))
    return;
  if (capabilities == NULL)
    {
      set_status (self, error->message);
      return;
    }
  for (guint i = 0; capabilities->sources != NULL && capabilities->sources[i] != NULL; i++)
    if (ek_scanner_source_is_feeder (capabilities->sources[i]))
      feeder = TRUE;
  self->preview_dpi = MAX (PREVIEW_DPI, capabilities->min_resolution);
  self->bed_mm[0] = capabilities->max_width_mm;
  self->bed_mm[1] = capabilities->max_height_mm;
  if (!feeder)
    gtk_drop_down_set_selected (self->source_dropdown, 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->source_dropdown), feeder);

  /* Offer no resolution the scanner cannot do: take the nearest it can */
  if (capabilities->max_resolution > 0)
    {
      guint chosen = gtk_drop_down_get_selected (self->resolution_dropdown);

      while (chosen > 0 && resolutions[chosen] > capabilities->max_resolution)
        chosen--;
      gtk_drop_down_set_selected (self->resolution_dropdown, chosen);
    }
}

static void
on_device_dropdown_selected_cb (EkScanDialog *self)
{
  const char *device = selected_device (self);

  update_actions (self);
  if (device != NULL)
    ek_scanner_get_capabilities_async (device, self->cancellable, on_capabilities, g_object_ref (self));
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EkScanDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = ek_scanner_list_devices_finish (result, &error);

  if (stale (self, error))
    return;
  set_busy (self, NULL);
  if (devices == NULL)
    {
      set_status (self, error->message);
      return;
    }
  if (devices->len == 0)
    {
      set_status (self, _("No scanner found. Check that it is plugged in and switched on, or choose a file instead."));
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->devices, g_ptr_array_unref);
  self->devices = g_steal_pointer (&devices);
  for (guint i = 0; i < self->devices->len; i++)
    {
      EkScannerDevice *device = g_ptr_array_index (self->devices, i);
      g_autofree char *label = g_strdup_printf ("%s %s (%s)", device->vendor, device->model, device->name);

      gtk_string_list_append (self->device_list, label);
    }
  /* A single page needs no words beyond the preview's placeholder; a card needs its front first */
  set_status (self, self->two_sided ? _("Put the front of the card on the glass, then press Scan.") : NULL);
  gtk_drop_down_set_selected (self->device_dropdown, 0);
  on_device_dropdown_selected_cb (self);
}

/* Scanning */

static void
on_progress (guint    page,
             double   fraction,
             gpointer user_data)
{
  EkScanDialog *self = user_data;

  if (self->progress_bar != NULL && self->busy)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
finish_with (EkScanDialog *self,
             EkImage      *image)
{
  show_image (self, image);
  g_signal_emit (self, signals[SCANNED], 0, image);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkScanDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = ek_scanner_scan_finish (result, &error);
  g_autoptr(EkImage) page = NULL;

  if (stale (self, error))
    return;
  set_busy (self, NULL);
  if (pages == NULL)
    {
      set_status (self, error->message);
      return;
    }
  /* Both sides fed through the document feeder as two sheets */
  if (self->two_sided && self->front == NULL && pages->len >= 2)
    {
      g_autoptr(EkImage) both = ek_scanner_combine_sides (g_ptr_array_index (pages, 0),
                                                         g_ptr_array_index (pages, 1));
      finish_with (self, both);
      return;
    }
  page = g_ptr_array_steal_index (pages, 0);
  if (self->two_sided && self->front == NULL)
    {
      show_image (self, page);
      self->front = g_steal_pointer (&page);
      set_status (self, _("Front scanned. Turn the card over, put it in the same place and press Scan again for the back."));
      return;
    }
  if (self->front != NULL)
    {
      g_autoptr(EkImage) both = ek_scanner_combine_sides (self->front, page);

      g_clear_pointer (&self->front, ek_image_free);
      finish_with (self, both);
      return;
    }
  finish_with (self, page);
}

static void
on_previewed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkScanDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = ek_scanner_scan_finish (result, &error);

  if (stale (self, error))
    return;
  set_busy (self, NULL);
  if (pages == NULL)
    {
      set_status (self, error->message);
      return;
    }
  {
    const EkImage *preview = g_ptr_array_index (pages, 0);

    show_image (self, preview);
    self->preview_mm[0] = preview->width * 25.4 / self->preview_dpi;
    self->preview_mm[1] = preview->height * 25.4 / self->preview_dpi;
  }
  self->previewed = TRUE;
  describe_area (self);
  set_status (self, _("This is a quick preview. If the page sits straight and whole, press Scan. "
                      "To scan only part of the glass, choose an area or drag on the preview."));
}

static void
start (EkScanDialog *self,
       gboolean      preview)
{
  const char *device = selected_device (self);
  EkScanOptions options;

  if (device == NULL || self->busy)
    return;
  ek_scan_options_init (&options);
  options.mode = gtk_drop_down_get_selected (self->mode_dropdown) == 1 ? EK_SCAN_MODE_GRAY : EK_SCAN_MODE_COLOR;
  options.preview = preview;
  options.feeder = !preview && gtk_drop_down_get_selected (self->source_dropdown) == 1;
  options.resolution = preview ? self->preview_dpi : resolutions[MIN (gtk_drop_down_get_selected (self->resolution_dropdown),
                                                                G_N_ELEMENTS (resolutions) - 1)];
  /* The preview always shows the whole glass, with the chosen area drawn on it */
  if (!preview)
    chosen_area (self, options.area_mm);
  set_status (self, NULL);
  set_busy (self, preview ? _("Previewing…") : _("Scanning…"));
  ek_scanner_scan_async (device, &options, on_progress, self,
                         ek_ui_restart_cancellable (&self->cancellable),
                         preview ? on_previewed : on_scanned, g_object_ref (self));
}

static void
preview_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start (EK_SCAN_DIALOG (widget), TRUE);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start (EK_SCAN_DIALOG (widget), FALSE);
}

/* Cancel stops what is running; when nothing is, it closes the dialog */
static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EkScanDialog *self = EK_SCAN_DIALOG (widget);

  if (self->busy)
    {
      g_cancellable_cancel (self->cancellable);
      set_busy (self, NULL);
      set_status (self, _("Scanning was cancelled."));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

/* Closed in the middle of a scan: the scan stops, and nothing it sends back is used */
static gboolean
ek_scan_dialog_close_request (GtkWindow *window)
{
  EkScanDialog *self = EK_SCAN_DIALOG (window);

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (GTK_WINDOW_CLASS (ek_scan_dialog_parent_class)->close_request != NULL)
    return GTK_WINDOW_CLASS (ek_scan_dialog_parent_class)->close_request (window);
  return FALSE;
}

/* GObject */

static void
ek_scan_dialog_dispose (GObject *object)
{
  EkScanDialog *self = EK_SCAN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_SCAN_DIALOG);
  G_OBJECT_CLASS (ek_scan_dialog_parent_class)->dispose (object);
}

static void
ek_scan_dialog_finalize (GObject *object)
{
  EkScanDialog *self = EK_SCAN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->devices, g_ptr_array_unref);
  g_clear_pointer (&self->front, ek_image_free);
  g_free (self->material_name);
  G_OBJECT_CLASS (ek_scan_dialog_parent_class)->finalize (object);
}

static void
ek_scan_dialog_class_init (EkScanDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ek_scan_dialog_dispose;
  window_class->close_request = ek_scan_dialog_close_request;
  object_class->finalize = ek_scan_dialog_finalize;

  signals[SCANNED] = g_signal_new ("scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_install_action (widget_class, "scan.preview", NULL, preview_action);
  gtk_widget_class_install_action (widget_class, "scan.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "scan.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "scan.cancel", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-scan-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, area_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, device_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, device_list);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, mode_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, resolution_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, selection_area);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkScanDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_area_dropdown_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_device_dropdown_selected_cb);
}

static void
ek_scan_dialog_init (EkScanDialog *self)
{
  GtkGesture *drag;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Once its drop-downs have built their buttons */
  g_signal_connect (self, "map", G_CALLBACK (ek_ui_name_inner_controls), NULL);
  self->cancellable = g_cancellable_new ();
  self->preview_dpi = PREVIEW_DPI;
  gtk_drawing_area_set_draw_func (self->selection_area, draw_selection, self, NULL);
  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self->selection_area), GTK_EVENT_CONTROLLER (drag));
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_selection_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->selection_area), keys);
  update_actions (self);
  describe_area (self);
}

/**
 * ek_scan_dialog_new:
 * @material_name: what is being scanned, for the heading
 * @two_sided: the material needs both sides of a card on one image
 *
 * Starts looking for scanners at once.
 */
EkScanDialog *
ek_scan_dialog_new (const char *material_name,
                    gboolean    two_sided)
{
  EkScanDialog *self = g_object_new (EK_TYPE_SCAN_DIALOG, NULL);
  g_autofree char *heading = NULL;

  g_return_val_if_fail (material_name != NULL, NULL);

  self->material_name = g_strdup (material_name);
  self->two_sided = two_sided;
  /* Translators: %s is a material, e.g. "Business licence" */
  heading = g_strdup_printf (_("Scan: %s"), material_name);
  gtk_label_set_label (self->heading_label, heading);
  gtk_window_set_title (GTK_WINDOW (self), heading);
  set_busy (self, _("Looking for scanners…"));
  ek_scanner_list_devices_async (self->cancellable, on_listed, g_object_ref (self));
  return self;
}

gboolean
ek_scan_dialog_is_busy (EkScanDialog *self)
{
  g_return_val_if_fail (EK_IS_SCAN_DIALOG (self), FALSE);
  return self->busy;
}

guint
ek_scan_dialog_get_n_devices (EkScanDialog *self)
{
  g_return_val_if_fail (EK_IS_SCAN_DIALOG (self), 0);
  return self->devices != NULL ? self->devices->len : 0;
}

gboolean
ek_scan_dialog_has_preview (EkScanDialog *self)
{
  g_return_val_if_fail (EK_IS_SCAN_DIALOG (self), FALSE);
  return self->previewed;
}

const char *
ek_scan_dialog_get_status (EkScanDialog *self)
{
  g_return_val_if_fail (EK_IS_SCAN_DIALOG (self), NULL);
  return gtk_label_get_label (self->status_label);
}

/**
 * ek_scan_dialog_get_area:
 * @area: (out): left, top, width, height in mm on the glass
 *
 * Returns: FALSE when the next scan covers the whole glass
 */
gboolean
ek_scan_dialog_get_area (EkScanDialog *self,
                         double        area[4])
{
  g_return_val_if_fail (EK_IS_SCAN_DIALOG (self), FALSE);
  return chosen_area (self, area);
}
