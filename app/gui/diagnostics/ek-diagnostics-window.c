/* ek-diagnostics-window.c: the helpdesk's report in a window
 *
 * The report is app/core/diagnostics' (the same as `ekey-tool diagnose`), made on a worker
 * thread with the process's token manager and registration client. The first line is the
 * summary, large; in a remote session with no key, the advice on sharing the key comes next;
 * the details below. Copy puts the text on the clipboard, Save writes it to a file.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-application.h"
#include "ek-diagnostics.h"
#include "ek-diagnostics-window.h"
#include "ek-settings.h"
#include "ek-wipe.h"

struct _EkDiagnosticsWindow
{
  GtkWindow     parent_instance;

  GtkWidget    *spinner;
  GtkWidget    *summary_label;
  GtkWidget    *sharing_label;
  GtkWidget    *details_view;
  GtkWidget    *status_label;

  GCancellable *cancellable;
  char         *text;
};

G_DEFINE_FINAL_TYPE (EkDiagnosticsWindow, ek_diagnostics_window, GTK_TYPE_WINDOW)

static void
set_busy (EkDiagnosticsWindow *self,
          gboolean             busy)
{
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.copy", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.save", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.refresh", !busy);
}

static void
on_collected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkDiagnosticsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = ek_diagnostics_collect_finish (result, &error);
  g_autofree char *gtk_version = NULL;
  g_autofree char *details = NULL;
  const char *newline;

  if (report == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (GTK_LABEL (self->summary_label), error->message);
      return;
    }
  gtk_version = g_strdup_printf ("%u.%u.%u", gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version ());
  ek_diagnostics_add_library (report, "gtk", gtk_version);

  g_free (self->text);
  self->text = ek_diagnostics_to_text (report);
  gtk_label_set_text (GTK_LABEL (self->summary_label), ek_diagnostics_get_summary (report));
  if (ek_diagnostics_wants_sharing (report))
    {
      g_autofree char *advice = ek_diagnostics_sharing_advice ();

      gtk_label_set_text (GTK_LABEL (self->sharing_label), advice);
    }
  gtk_widget_set_visible (self->sharing_label, ek_diagnostics_wants_sharing (report));
  /* The summary (and the advice on sharing) are above already: the details start after them */
  newline = strstr (self->text, "\n\n");
  if (newline != NULL && ek_diagnostics_wants_sharing (report))
    newline = strstr (newline + 2, "\n\n");
  details = g_strdup (newline != NULL ? newline + 2 : self->text);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->details_view)), details, -1);
  set_busy (self, FALSE);
}

static void
refresh (EkDiagnosticsWindow *self)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(GSettings) settings = ek_settings_new_if_installed ();
  g_auto(GStrv) modules = settings != NULL ? g_settings_get_strv (settings, "pkcs11-modules") : NULL;
  g_autoptr(EkTokenManager) manager = ek_token_manager_dup_default ((const char * const *) modules);
  g_autoptr(EkApiClient) client = NULL;

  if (app != NULL && EK_IS_APPLICATION (app))
    client = ek_application_dup_api_client (EK_APPLICATION (app), NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->text, g_free);
  gtk_label_set_text (GTK_LABEL (self->summary_label), _("Checking this computer…"));
  gtk_label_set_text (GTK_LABEL (self->status_label), "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->details_view)), "", -1);
  set_busy (self, TRUE);
  ek_diagnostics_collect_async (manager, client, EK_DIAGNOSTICS_FLAGS_NONE, self->cancellable,
                                on_collected_cb, g_object_ref (self));
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  refresh (EK_DIAGNOSTICS_WINDOW (widget));
}

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkDiagnosticsWindow *self = EK_DIAGNOSTICS_WINDOW (widget);

  if (self->text == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->text);
  gtk_label_set_text (GTK_LABEL (self->status_label), _("The report is on the clipboard: paste it into your message to the helpdesk."));
}

static void
on_save_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(EkDiagnosticsWindow) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->text != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (g_file_replace_contents (file, self->text, strlen (self->text), NULL, FALSE,
                                   G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        {
          g_autofree char *name = g_file_get_parse_name (file);
          g_autofree char *message = g_strdup_printf (_("Saved to %s."), name);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            ek_session_files_track (path);   /* a counter's session end wipes it */

          gtk_label_set_text (GTK_LABEL (self->status_label), message);
        }
      else
        {
          g_autofree char *message = g_strdup_printf (_("The report could not be saved: %s"), error->message);

          gtk_label_set_text (GTK_LABEL (self->status_label), message);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkDiagnosticsWindow *self = EK_DIAGNOSTICS_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "ekey-diagnostics-%Y%m%d-%H%M.txt");

  if (self->text == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Save the report"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
ek_diagnostics_window_dispose (GObject *object)
{
  EkDiagnosticsWindow *self = EK_DIAGNOSTICS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_DIAGNOSTICS_WINDOW);
  G_OBJECT_CLASS (ek_diagnostics_window_parent_class)->dispose (object);
}

static void
ek_diagnostics_window_finalize (GObject *object)
{
  EkDiagnosticsWindow *self = EK_DIAGNOSTICS_WINDOW (object);

  g_free (self->text);
  G_OBJECT_CLASS (ek_diagnostics_window_parent_class)->finalize (object);
}

static void
ek_diagnostics_window_class_init (EkDiagnosticsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_diagnostics_window_dispose;
  object_class->finalize = ek_diagnostics_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-diagnostics-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EkDiagnosticsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkDiagnosticsWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EkDiagnosticsWindow, sharing_label);
  gtk_widget_class_bind_template_child (widget_class, EkDiagnosticsWindow, details_view);
  gtk_widget_class_bind_template_child (widget_class, EkDiagnosticsWindow, status_label);
  gtk_widget_class_install_action (widget_class, "diagnostics.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "diagnostics.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "diagnostics.save", NULL, save_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ek_diagnostics_window_init (EkDiagnosticsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  refresh (self);
}

GtkWidget *
ek_diagnostics_window_new (GtkApplication *application)
{
  return g_object_new (EK_TYPE_DIAGNOSTICS_WINDOW, "application", application, NULL);
}

const char *
ek_diagnostics_window_get_text (EkDiagnosticsWindow *self)
{
  g_return_val_if_fail (EK_IS_DIAGNOSTICS_WINDOW (self), NULL);
  return self->text;
}
