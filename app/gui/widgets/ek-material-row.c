/* ek-material-row.c: one material of the checklist, with everything a clerk can do to it
 *
 * The row shows what the material is and who signs and stamps it, its state and size against
 * its limit, and offers choose/drop, scan, fit, view, rotate, replace and remove. Anything
 * slow (checking, fitting, rotating, scanning) runs on a worker thread and can be cancelled.
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ek-material-fit.h"
#include "ek-material-row.h"
#include "ek-ui-helpers.h"
#include "ek-scan-dialog.h"

struct _EkMaterialRow
{
  GtkBox                  parent_instance;

  EkDraftMaterials       *materials;
  EkMaterialRequirement  *requirement;   /* not owned: the rules outlive the page */
  GCancellable           *cancellable;
  GCancellable           *thumbnail_cancellable; /* the thumbnail being decoded, if any */
  EkMaterialRowState      state;
  char                   *pending_fit;   /* a fitted file waiting for the clerk's yes */
  guint64                 bytes;
  GtkFileChooserNative   *chooser;

  GtkButton              *accept_button;
  GtkBox                 *actions_box;
  GtkPicture             *after_picture;
  GtkPicture             *before_picture;
  GtkButton              *cancel_button;
  GtkButton              *choose_button;
  GtkLabel               *description_label;
  GtkButton              *discard_button;
  GtkCheckButton         *exempt_check;
  GtkBox                 *fit_box;
  GtkButton              *fit_button;
  GtkLabel               *fit_label;
  GtkLabel               *name_label;
  GtkLabel               *problem_label;
  GtkProgressBar         *progress_bar;
  GtkButton              *remove_button;
  GtkLabel               *required_label;
  GtkButton              *rotate_button;
  GtkButton              *scan_button;
  GtkLabel               *signed_label;
  GtkLabel               *status_label;
  GtkImage               *thumbnail;
  GtkButton              *view_button;
};

G_DEFINE_FINAL_TYPE (EkMaterialRow, ek_material_row, GTK_TYPE_BOX)

enum { PROP_0, PROP_STATE, PROP_SATISFIED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void refresh (EkMaterialRow *self);

static char *
format_size (guint64 bytes)
{
  if (bytes >= 1024 * 1024)
    return g_strdup_printf (_("%.1f MB"), bytes / (1024.0 * 1024.0));
  return g_strdup_printf (_("%u KB"), (guint) ((bytes + 1023) / 1024));
}

static char *
limit_text (EkMaterialRow *self)
{
  /* "< 200 KB" is stored as 204 799 bytes: show the round figure a clerk reads in the rules */
  return format_size (self->requirement->limits.max_bytes + 1 >= 1024 * 1024
                      ? self->requirement->limits.max_bytes
                      : self->requirement->limits.max_bytes + 1);
}

static void
set_state (EkMaterialRow      *self,
           EkMaterialRowState  state)
{
  static const char *classes[] = { "missing", "checking", "ready", "too-large", "wrong-format", "unreadable", "busy" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), classes[state]);
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SATISFIED]);
}

static void
show_problem (EkMaterialRow *self,
              const char    *message)
{
  gtk_label_set_label (self->problem_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), message != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message != NULL ? message : "", -1);
}

static void
set_busy (EkMaterialRow *self,
          const char    *what)
{
  gboolean busy = what != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->choose_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scan_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->fit_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rotate_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_button), !busy);
  if (busy)
    {
      gtk_progress_bar_set_text (self->progress_bar, what);
      gtk_progress_bar_pulse (self->progress_bar);
    }
}

static void
report_error (EkMaterialRow *self,
              const GError  *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_problem (self, error->message);
}

/* Checking */

/* Thumbnails: decoded and reduced on a worker thread (a 300 DPI page takes a tenth of a second
 * or more, and a clerk scrolls the checklist meanwhile); a new file or the row going away
 * cancels the one under way */

#define THUMBNAIL_SIZE 224   /* the row shows 112 px; twice that for a HiDPI screen */

static void
thumbnail_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(EkImage) image = NULL;
  g_autoptr(EkImage) small = NULL;
  g_autoptr(EkImage) upright = NULL;
  g_autoptr(EkImage) rgb = NULL;
  g_autoptr(GBytes) pixels = NULL;
  GError *error = NULL;
  EkImageInfo info;
  double scale;

  mapped = g_mapped_file_new (path, FALSE, &error);
  if (mapped == NULL ||
      !ek_image_decode ((const guint8 *) g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped),
                        EK_MATERIAL_DEFAULT_MAX_PIXELS, &info, &image, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  scale = MIN (1.0, (double) THUMBNAIL_SIZE / MAX (image->width, image->height));
  small = ek_image_scale_down (image, CLAMP ((guint) lround (image->width * scale), 1, image->width),
                               CLAMP ((guint) lround (image->height * scale), 1, image->height));
  g_clear_pointer (&image, ek_image_free);
  /* Upright as the reviewer will see it: the camera's EXIF orientation applied */
  upright = small != NULL && info.orientation != 1 ? ek_image_orient (small, info.orientation) : NULL;
  rgb = small != NULL ? ek_image_to_rgb (upright != NULL ? upright : small) : NULL;
  if (rgb == NULL)
    {
      g_task_return_new_error (task, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                               _("There is not enough memory to open this image."));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  pixels = g_bytes_new (rgb->data, (gsize) rgb->stride * rgb->height);
  g_task_return_pointer (task, gdk_memory_texture_new ((int) rgb->width, (int) rgb->height, GDK_MEMORY_R8G8B8,
                                                       pixels, rgb->stride),
                         g_object_unref);
}

static void
on_thumbnail_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkMaterialRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* another file, or the row is gone */
  g_clear_object (&self->thumbnail_cancellable);
  if (texture != NULL)
    gtk_image_set_from_paintable (self->thumbnail, GDK_PAINTABLE (texture));
  else
    gtk_image_set_from_icon_name (self->thumbnail, "image-missing-symbolic");
}

/* Shows @path's picture once decoded (the generic icon until then), or the generic icon */
static void
set_thumbnail (EkMaterialRow *self,
               const char    *path)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->thumbnail_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  gtk_image_set_from_icon_name (self->thumbnail, "image-x-generic-symbolic");
  if (path == NULL)
    return;
  self->thumbnail_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->thumbnail_cancellable, on_thumbnail_loaded, g_object_ref (self));
  g_task_set_source_tag (task, set_thumbnail);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, thumbnail_thread);
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkMaterialRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialReport) report = ek_material_check_file_finish (result, &error);
  g_autofree char *size = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *status = NULL;
  EkMaterialProblem *problem = NULL;
  gboolean decodable;

  if (report == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_state (self, EK_MATERIAL_ROW_UNREADABLE);
          gtk_label_set_label (self->status_label, _("Unreadable"));
          report_error (self, error);
        }
      return;
    }

  set_busy (self, NULL);
  self->bytes = report->bytes;
  size = format_size (report->bytes);
  limit = limit_text (self);
  if (report->problems->len > 0)
    problem = g_ptr_array_index (report->problems, 0);

  if (problem == NULL)
    {
      set_state (self, EK_MATERIAL_ROW_READY);
      /* Translators: "Ready · 123 KB of 200 KB" */
      status = g_strdup_printf (_("Ready · %s of %s"), size, limit);
    }
  else if (problem->code == EK_MATERIAL_ERROR_TOO_LARGE)
    {
      set_state (self, EK_MATERIAL_ROW_TOO_LARGE);
      status = g_strdup_printf (_("Too large · %s of %s"), size, limit);
    }
  else if (problem->code == EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED)
    {
      set_state (self, EK_MATERIAL_ROW_WRONG_FORMAT);
      status = g_strdup_printf (_("Wrong format · %s"), ek_image_format_display_name (report->info.format));
    }
  else
    {
      set_state (self, EK_MATERIAL_ROW_UNREADABLE);
      status = g_strdup (_("Unreadable"));
    }
  gtk_label_set_label (self->status_label, status);
  show_problem (self, problem != NULL ? problem->message : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->fit_button), ek_material_report_fixable (report));

  /* Only what we could decode is shown: a thumbnail must never open a decompression bomb */
  decodable = problem == NULL || ek_material_report_fixable (report);
  set_thumbnail (self, decodable ? report->path : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->view_button), decodable);
  gtk_widget_set_visible (GTK_WIDGET (self->rotate_button), decodable);
}

static void
refresh (EkMaterialRow *self)
{
  g_autofree char *path = ek_draft_materials_dup_file (self->materials, self->requirement->material_id);
  gboolean has_file = path != NULL;

  gtk_button_set_label (self->choose_button, has_file ? _("Replace…") : _("Choose file…"));
  gtk_widget_set_visible (GTK_WIDGET (self->view_button), has_file);
  gtk_widget_set_visible (GTK_WIDGET (self->rotate_button), has_file);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_button), has_file);
  gtk_widget_set_visible (GTK_WIDGET (self->fit_button), FALSE);

  if (!has_file)
    {
      gboolean exempt = ek_draft_materials_get_exempt (self->materials, self->requirement->material_id);

      set_busy (self, NULL);
      show_problem (self, NULL);
      set_thumbnail (self, NULL);
      gtk_label_set_label (self->status_label, exempt ? _("Not needed") : _("Missing"));
      set_state (self, EK_MATERIAL_ROW_MISSING);
      return;
    }

  set_state (self, EK_MATERIAL_ROW_CHECKING);
  gtk_label_set_label (self->status_label, _("Checking…"));
  ek_material_check_file_async (path, &self->requirement->limits,
                                ek_ui_restart_cancellable (&self->cancellable),
                                on_checked, g_object_ref (self));
}

/* Choosing, dropping */

static void
import_path (EkMaterialRow *self,
             const char    *path)
{
  g_autoptr(GError) error = NULL;

  self->bytes = 0;
  if (!ek_draft_materials_import_file (self->materials, self->requirement->material_id, path, &error))
    {
      show_problem (self, error->message);
      return;
    }
  refresh (self);
}

static void
on_chooser_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        gpointer         user_data)
{
  EkMaterialRow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        import_path (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_button_clicked_cb (EkMaterialRow *self)
{
  g_autoptr(GtkFileFilter) images = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *title = g_strdup_printf (_("Choose the file for “%s”"), self->requirement->name);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (images, _("Images (PNG, JPG, GIF)"));
  gtk_file_filter_add_mime_type (images, "image/png");
  gtk_file_filter_add_mime_type (images, "image/jpeg");
  gtk_file_filter_add_mime_type (images, "image/gif");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), images);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            gpointer       user_data)
{
  EkMaterialRow *self = user_data;
  GSList *files;
  g_autofree char *path = NULL;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files != NULL)
    path = g_file_get_path (files->data);
  g_slist_free (files);
  if (path == NULL)
    return FALSE;
  import_path (self, path);
  return TRUE;
}

/* Fitting */

static void
on_fitted (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EkMaterialRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = ek_material_fit_file_finish (result, &error);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;

  set_busy (self, NULL);
  if (fit == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Refused, with the reason: the original stays as it was */
      gtk_label_set_label (self->status_label, _("Cannot be fitted"));
      show_problem (self, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->fit_button), FALSE);
      return;
    }

  before = format_size (fit->input_bytes);
  after = format_size (g_bytes_get_size (fit->bytes));
  /* Translators: "Before 2.3 MB → after 195 KB (1654 × 2338 pixels, greyscale)" */
  text = g_strdup_printf (fit->grey ? _("Before %s → after %s (%u × %u pixels, greyscale). Check that the small print is still readable.")
                                    : _("Before %s → after %s (%u × %u pixels, colour). Check that the small print is still readable."),
                          before, after, fit->width, fit->height);
  gtk_label_set_label (self->fit_label, text);
  path = ek_draft_materials_dup_file (self->materials, self->requirement->material_id);
  gtk_picture_set_filename (self->before_picture, path);
  gtk_picture_set_filename (self->after_picture, self->pending_fit);
  gtk_widget_set_visible (GTK_WIDGET (self->fit_box), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->accept_button));
}

static void
on_fit_button_clicked_cb (EkMaterialRow *self)
{
  g_autofree char *path = ek_draft_materials_dup_file (self->materials, self->requirement->material_id);
  g_autofree char *name = NULL;

  if (path == NULL)
    return;
  g_free (self->pending_fit);
  name = g_strdup_printf ("fitted-%s.jpg", self->requirement->material_id);
  self->pending_fit = g_build_filename (ek_draft_materials_get_directory (self->materials), name, NULL);
  set_busy (self, _("Fitting…"));
  ek_material_fit_file_async (path, self->pending_fit, self->requirement->limits.max_bytes,
                              ek_ui_restart_cancellable (&self->cancellable),
                              on_fitted, g_object_ref (self));
}

static void
close_fit (EkMaterialRow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->fit_box), FALSE);
  gtk_picture_set_paintable (self->before_picture, NULL);
  gtk_picture_set_paintable (self->after_picture, NULL);
  if (self->pending_fit != NULL)
    g_unlink (self->pending_fit);
  g_clear_pointer (&self->pending_fit, g_free);
}

static void
on_accept_button_clicked_cb (EkMaterialRow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *source = ek_draft_materials_get_source_name (self->materials, self->requirement->material_id);
  g_autofree char *name = g_strdup_printf (_("%s (fitted)"), source != NULL ? source : self->requirement->name);

  if (self->pending_fit == NULL)
    return;
  mapped = g_mapped_file_new (self->pending_fit, FALSE, &error);
  if (mapped != NULL)
    {
      bytes = g_mapped_file_get_bytes (mapped);
      ek_draft_materials_import_bytes (self->materials, self->requirement->material_id, bytes, name, &error);
    }
  close_fit (self);
  if (error != NULL)
    show_problem (self, error->message);
  refresh (self);
}

static void
on_discard_button_clicked_cb (EkMaterialRow *self)
{
  close_fit (self);
}

/* Viewing, rotating, removing */

static void
on_view_button_clicked_cb (EkMaterialRow *self)
{
  g_autofree char *path = ek_draft_materials_dup_file (self->materials, self->requirement->material_id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window, *box, *scrolled, *picture, *close;

  if (path == NULL || self->state == EK_MATERIAL_ROW_UNREADABLE || self->state == EK_MATERIAL_ROW_WRONG_FORMAT)
    return;
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), self->requirement->name);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  scrolled = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scrolled, TRUE);
  picture = gtk_picture_new_for_filename (path);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_picture_set_alternative_text (GTK_PICTURE (picture), self->requirement->name);
  /* GTK 4.8 makes the alternative text a description only: the picture is named too */
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->requirement->name, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), picture);
  close = ek_ui_mnemonic_button_new (_("_Close"));
  gtk_widget_set_name (close, "close-view");
  gtk_widget_set_tooltip_text (close, _("Close this window (Escape)"));
  ek_ui_window_add_close_keys (GTK_WINDOW (window));
  gtk_widget_set_halign (close, GTK_ALIGN_END);
  gtk_widget_set_margin_end (close, 6);
  gtk_widget_set_margin_bottom (close, 6);
  g_signal_connect_swapped (close, "clicked", G_CALLBACK (gtk_window_destroy), window);
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_box_append (GTK_BOX (box), close);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (close);
}

static void
rotate_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(EkImage) image = NULL;
  g_autoptr(EkImage) turned = NULL;
  GError *error = NULL;
  GBytes *bytes;
  EkImageInfo info;

  mapped = g_mapped_file_new (path, FALSE, &error);
  if (mapped == NULL ||
      !ek_image_decode ((const guint8 *) g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped),
                        EK_MATERIAL_DEFAULT_MAX_PIXELS, &info, &image, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A quarter turn to the right, on top of what the camera's EXIF asked for */
  turned = ek_image_orient (image, info.orientation == 1 ? 6 : info.orientation);
  if (info.orientation != 1)
    {
      g_autoptr(EkImage) upright = g_steal_pointer (&turned);
      turned = ek_image_orient (upright, 6);
    }
  if (turned == NULL)
    {
      g_task_return_new_error (task, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                               _("There is not enough memory to open this image."));
      return;
    }
  if (info.format == EK_IMAGE_FORMAT_JPEG)
    bytes = ek_image_encode_jpeg (turned, 92, FALSE, &error);
  else
    bytes = ek_image_encode_png (turned, &error);
  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
on_rotated (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkMaterialRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *source_name = NULL;

  set_busy (self, NULL);
  if (bytes == NULL)
    {
      report_error (self, error);
      return;
    }
  source_name = g_strdup (ek_draft_materials_get_source_name (self->materials, self->requirement->material_id));
  if (!ek_draft_materials_import_bytes (self->materials, self->requirement->material_id, bytes, source_name, &error))
    show_problem (self, error->message);
  refresh (self);
}

static void
on_rotate_button_clicked_cb (EkMaterialRow *self)
{
  g_autoptr(GTask) task = NULL;
  char *path = ek_draft_materials_dup_file (self->materials, self->requirement->material_id);

  if (path == NULL)
    return;
  set_busy (self, _("Rotating…"));
  task = g_task_new (NULL, ek_ui_restart_cancellable (&self->cancellable),
                     on_rotated, g_object_ref (self));
  g_task_set_task_data (task, path, g_free);
  g_task_run_in_thread (task, rotate_thread);
}

static void
on_remove_button_clicked_cb (EkMaterialRow *self)
{
  g_autoptr(GError) error = NULL;

  close_fit (self);
  if (!ek_draft_materials_remove (self->materials, self->requirement->material_id, &error))
    show_problem (self, error->message);
  refresh (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->choose_button));
}

static void
on_cancel_button_clicked_cb (EkMaterialRow *self)
{
  g_cancellable_cancel (self->cancellable);
  set_busy (self, NULL);
  refresh (self);
}

static void
on_exempt_check_toggled_cb (EkMaterialRow *self)
{
  g_autoptr(GError) error = NULL;
  gboolean exempt = gtk_check_button_get_active (self->exempt_check);

  if (exempt == ek_draft_materials_get_exempt (self->materials, self->requirement->material_id))
    return;
  if (!ek_draft_materials_set_exempt (self->materials, self->requirement->material_id, exempt, &error))
    show_problem (self, error->message);
  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SATISFIED]);
}

/* Scanning: the scan dialog (ek-scan-dialog.c) picks the scanner and its settings, previews,
 * scans and, for a two-sided card, combines both sides; the page is then checked and fitted
 * like a chosen file */

static void
on_scan_dialog_scanned (EkScanDialog *dialog,
                        gpointer      image,
                        gpointer      user_data)
{
  EkMaterialRow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = ek_image_encode_jpeg (image, 90, FALSE, &error);

  show_problem (self, NULL);
  if (bytes == NULL ||
      !ek_draft_materials_import_bytes (self->materials, self->requirement->material_id, bytes, _("Scan"), &error))
    {
      show_problem (self, error->message);
      return;
    }
  refresh (self);
}

static void
on_scan_button_clicked_cb (EkMaterialRow *self)
{
  EkScanDialog *dialog = ek_scan_dialog_new (self->requirement->name, self->requirement->two_sided);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  g_signal_connect_object (dialog, "scanned", G_CALLBACK (on_scan_dialog_scanned), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
ek_material_row_dispose (GObject *object)
{
  EkMaterialRow *self = EK_MATERIAL_ROW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->thumbnail_cancellable);
  if (self->pending_fit != NULL)
    g_unlink (self->pending_fit);
  g_clear_pointer (&self->pending_fit, g_free);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_MATERIAL_ROW);

  G_OBJECT_CLASS (ek_material_row_parent_class)->dispose (object);
}

static void
ek_material_row_finalize (GObject *object)
{
  EkMaterialRow *self = EK_MATERIAL_ROW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  g_clear_object (&self->materials);

  G_OBJECT_CLASS (ek_material_row_parent_class)->finalize (object);
}

static void
ek_material_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkMaterialRow *self = EK_MATERIAL_ROW (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_SATISFIED:
      g_value_set_boolean (value, ek_material_row_is_satisfied (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_material_row_class_init (EkMaterialRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_material_row_dispose;
  object_class->finalize = ek_material_row_finalize;
  object_class->get_property = ek_material_row_get_property;

  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, EK_MATERIAL_ROW_UNREADABLE, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SATISFIED] = g_param_spec_boolean ("satisfied", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-material-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, accept_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, after_picture);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, before_picture);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, description_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, discard_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, exempt_check);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, fit_box);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, fit_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, fit_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, problem_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, required_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, rotate_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, scan_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, signed_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialRow, view_button);
  gtk_widget_class_bind_template_callback (widget_class, on_accept_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_discard_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_exempt_check_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_fit_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_rotate_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_scan_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_view_button_clicked_cb);
}

static void
ek_material_row_init (EkMaterialRow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

static void
name_widget (GtkWidget *widget,
             char      *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_free (label);
}

GtkWidget *
ek_material_row_new (EkDraftMaterials      *materials,
                     EkMaterialRequirement *requirement)
{
  EkMaterialRow *self;
  g_autofree char *signed_by = NULL;
  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (materials), NULL);
  g_return_val_if_fail (requirement != NULL, NULL);

  self = g_object_new (EK_TYPE_MATERIAL_ROW, NULL);
  self->materials = g_object_ref (materials);
  self->requirement = requirement;

  gtk_label_set_label (self->name_label, requirement->name);
  gtk_label_set_label (self->required_label, requirement->required ? _("Required") : _("Optional"));
  gtk_label_set_label (self->description_label, requirement->description);
  /* Translators: who signs and stamps the paper before it is scanned */
  signed_by = g_strdup_printf (_("Before scanning: %s."), requirement->signed_by);
  gtk_label_set_label (self->signed_label, signed_by);
  if (requirement->exemptions != NULL && requirement->exemptions[0] != NULL)
    {
      /* Translators: between two cases in a list of who needs no such material */
      g_autofree char *joined = g_strjoinv (_("; "), requirement->exemptions);
      g_autofree char *text = g_strdup_printf (_("Not needed for us: %s"), joined);
      GtkWidget *label = gtk_label_new (text);

      /* A long line: it wraps rather than widening the window */
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_check_button_set_child (self->exempt_check, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->exempt_check), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      gtk_widget_set_visible (GTK_WIDGET (self->exempt_check), TRUE);
      gtk_check_button_set_active (self->exempt_check,
                                   ek_draft_materials_get_exempt (materials, requirement->material_id));
    }

  /* Accessible names say which material each button acts on */
  name_widget (GTK_WIDGET (self->choose_button), g_strdup_printf (_("Choose the file for %s"), requirement->name));
  name_widget (GTK_WIDGET (self->scan_button), g_strdup_printf (_("Scan %s"), requirement->name));
  name_widget (GTK_WIDGET (self->fit_button), g_strdup_printf (_("Fit %s automatically"), requirement->name));
  name_widget (GTK_WIDGET (self->view_button), g_strdup_printf (_("View %s full size"), requirement->name));
  name_widget (GTK_WIDGET (self->rotate_button), g_strdup_printf (_("Rotate %s a quarter turn"), requirement->name));
  name_widget (GTK_WIDGET (self->remove_button), g_strdup_printf (_("Remove %s"), requirement->name));
  name_widget (GTK_WIDGET (self->thumbnail), g_strdup_printf (_("Thumbnail of %s"), requirement->name));
  refresh (self);
  return GTK_WIDGET (self);
}

const EkMaterialRequirement *
ek_material_row_get_requirement (EkMaterialRow *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_ROW (self), NULL);
  return self->requirement;
}

EkMaterialRowState
ek_material_row_get_state (EkMaterialRow *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_ROW (self), EK_MATERIAL_ROW_MISSING);
  return self->state;
}

gboolean
ek_material_row_is_satisfied (EkMaterialRow *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_ROW (self), FALSE);

  if (self->state == EK_MATERIAL_ROW_READY)
    return TRUE;
  if (!self->requirement->required)
    return self->state == EK_MATERIAL_ROW_MISSING;
  return self->state == EK_MATERIAL_ROW_MISSING &&
         ek_draft_materials_get_exempt (self->materials, self->requirement->material_id);
}

void
ek_material_row_fit (EkMaterialRow *self)
{
  g_return_if_fail (EK_IS_MATERIAL_ROW (self));
  on_fit_button_clicked_cb (self);
}

void
ek_material_row_accept_fit (EkMaterialRow *self)
{
  g_return_if_fail (EK_IS_MATERIAL_ROW (self));
  on_accept_button_clicked_cb (self);
}

gboolean
ek_material_row_has_fit_preview (EkMaterialRow *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_ROW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->fit_box));
}

const char *
ek_material_row_get_status (EkMaterialRow *self)
{
  g_return_val_if_fail (EK_IS_MATERIAL_ROW (self), NULL);
  return gtk_label_get_label (self->status_label);
}

/* The size of the picture the thumbnail shows: FALSE while there is none (no file, not
 * decodable, or still being decoded) */
gboolean
ek_material_row_get_thumbnail_size (EkMaterialRow *self,
                                    int           *width,
                                    int           *height)
{
  GdkPaintable *paintable;

  g_return_val_if_fail (EK_IS_MATERIAL_ROW (self), FALSE);
  if (gtk_image_get_storage_type (self->thumbnail) != GTK_IMAGE_PAINTABLE)
    return FALSE;
  paintable = gtk_image_get_paintable (self->thumbnail);
  if (width != NULL)
    *width = gdk_paintable_get_intrinsic_width (paintable);
  if (height != NULL)
    *height = gdk_paintable_get_intrinsic_height (paintable);
  return TRUE;
}
