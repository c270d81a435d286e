/* ek-upload-panel.c: upload the materials, then confirm the submission
 *
 * Shown under the materials checklist once the application exists on the server. Each ready
 * material gets a line with a progress bar. Before uploading, the panel asks the server which
 * materials it already holds and skips those with the same SHA-256, so an upload that was
 * interrupted (the app closed, the connection dropped) resumes with only those not yet
 * accepted. A failure shows on its line with Retry. When every material is on the server the
 * submission is confirmed with an idempotency key kept in the draft (a retry after a crash
 * reuses it; it is cleared once accepted, so a resubmission after a failed review gets a new one).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-material-rules.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-upload-panel.h"
#include "ek-window.h"

typedef struct
{
  const EkMaterialRequirement *requirement;
  char           *file;
  char           *sha256;
  char           *state;
  GtkWidget      *row;
  GtkProgressBar *progress;
  GtkLabel       *state_label;
  GtkButton      *retry;
} Job;

struct _EkUploadPanel
{
  GtkWidget           parent_instance;

  EkApplicationDraft *draft;
  EkDraftMaterials   *materials;
  GPtrArray          *requirements;
  GPtrArray          *jobs;          /* of Job* */
  GTask              *task;          /* the run in progress */
  guint               current;
  guint               n_uploads;

  GtkLabel           *intro_label;
  GtkListBox         *list;
  GtkLabel           *status_label;
  GtkButton          *run_button;
  GtkSpinner         *spinner;
};

G_DEFINE_FINAL_TYPE (EkUploadPanel, ek_upload_panel, GTK_TYPE_WIDGET)

static void
job_free (gpointer p)
{
  Job *job = p;

  g_free (job->file);
  g_free (job->sha256);
  g_free (job->state);
  g_free (job);
}

static const char *
draft_string (EkUploadPanel *self,
              const char    *name)
{
  return ek_application_draft_get_string (self->draft, name);
}

gboolean
ek_upload_panel_is_pending (EkUploadPanel *self)
{
  const char *status;

  g_return_val_if_fail (EK_IS_UPLOAD_PANEL (self), FALSE);

  status = draft_string (self, "status");
  return *draft_string (self, "application-id") != '\0' &&
         (*status == '\0' || g_str_equal (status, "draft") ||
          g_str_equal (status, "pre-review-failed") || g_str_equal (status, "re-review-failed"));
}

static void
update_visibility (EkUploadPanel *self)
{
  gboolean exists = *draft_string (self, "application-id") != '\0';

  gtk_widget_set_visible (GTK_WIDGET (self), exists);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), ek_upload_panel_is_pending (self) && self->task == NULL);
  if (exists && !ek_upload_panel_is_pending (self) && self->task == NULL)
    gtk_label_set_label (self->status_label, _("The application has been submitted. The “Status” step shows how the review goes."));
}

static void
set_status (EkUploadPanel *self,
            const char    *text,
            gboolean       is_error)
{
  gtk_label_set_label (self->status_label, text != NULL ? text : "");
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
job_set_state (Job        *job,
               const char *state,
               const char *text,
               double      fraction)
{
  g_free (job->state);
  job->state = g_strdup (state);
  gtk_label_set_label (job->state_label, text);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (job->progress, fraction);
  gtk_widget_set_visible (GTK_WIDGET (job->retry), g_str_equal (state, "failed"));
  if (g_str_equal (state, "failed"))
    gtk_widget_add_css_class (GTK_WIDGET (job->state_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (job->state_label), "error");
}

static char *
file_sha256 (const char *path,
             GError    **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 buffer[16384];
  gssize n;

  if (stream == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, error)) > 0)
    g_checksum_update (checksum, buffer, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (checksum));
}

static void run_step (EkUploadPanel *self);

static void
finish_run (EkUploadPanel *self,
            GError        *error,
            const char    *summary)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup (error->message);
      set_status (self, summary != NULL ? summary : message, TRUE);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
  update_visibility (self);
}

/* Submitting */

static void
submit_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  char **args = data;

  ek_api_client_submit_application_async (client, args[0], args[1], cancellable, callback, user_data);
}

static gpointer
submit_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_submit_application_finish (client, result, error);
}

/* The submission refused for missing materials ("materials/id-card"): name them */
static char *
missing_materials (EkUploadPanel *self,
                   const GError  *error)
{
  const EkApiProblem *problem = ek_api_error_get_problem (error);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; problem != NULL && i < problem->field_errors->len; i++)
    {
      EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);

      if (fe->field == NULL || !g_str_has_prefix (fe->field, "materials/"))
        continue;
      for (guint j = 0; self->requirements != NULL && j < self->requirements->len; j++)
        {
          const EkMaterialRequirement *r = g_ptr_array_index (self->requirements, j);

          if (g_str_equal (r->material_id, fe->field + strlen ("materials/")))
            g_string_append_printf (names, "%s%s", names->len > 0 ? _(", ") : "", r->name);
        }
    }
  if (names->len == 0)
    return NULL;
  /* Translators: %s lists the materials, e.g. “Business licence copy, Authorisation letter” */
  return g_strdup_printf (_("The registration system still needs: %s. Add them on this page, then press the button again."),
                          names->str);
}

static void
on_submitted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkUploadPanel) self = user_data;
  GError *error = NULL;
  g_autoptr(EkApiApplication) application = ek_api_call_run_finish (result, &error);

  if (application == NULL)
    {
      g_autofree char *missing = missing_materials (self, error);

      finish_run (self, error, missing);
      return;
    }
  ek_application_draft_set_string (self->draft, "status", ek_api_application_get_status (application));
  ek_application_draft_set_string (self->draft, "status-remark", "");
  ek_application_draft_set_string (self->draft, "submit-key", "");
  set_status (self, _("Submitted. The issuing authority pre-reviews the application within 2 working days."), FALSE);
  finish_run (self, NULL, NULL);
}

static void
submit (EkUploadPanel *self)
{
  char **args;

  /* The key is saved before the first try: a retry or a restart replays, never submits twice */
  if (*draft_string (self, "submit-key") == '\0')
    {
      g_autofree char *key = g_uuid_string_random ();
      ek_application_draft_set_string (self->draft, "submit-key", key);
    }
  args = g_new0 (char *, 3);
  args[0] = g_strdup (draft_string (self, "application-id"));
  args[1] = g_strdup (draft_string (self, "submit-key"));
  set_status (self, _("Confirming the submission…"), FALSE);
  ek_api_call_run (GTK_WIDGET (self), submit_start, submit_finish, (GDestroyNotify) ek_api_application_unref,
                       args, (GDestroyNotify) g_strfreev, g_task_get_cancellable (self->task),
                       on_submitted_cb, g_object_ref (self));
}

/* Uploading, one material after another */

typedef struct
{
  char  *id;
  char  *kind;
  GFile *file;
  Job   *job;
} Upload;

static void
upload_free (gpointer p)
{
  Upload *upload = p;

  g_free (upload->id);
  g_free (upload->kind);
  g_clear_object (&upload->file);
  g_free (upload);
}

static void
on_progress (goffset  sent,
             goffset  total,
             gpointer user_data)
{
  Job *job = user_data;

  if (total > 0 && job->progress != NULL)
    gtk_progress_bar_set_fraction (job->progress, (double) sent / (double) total);
}

static void
upload_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  Upload *upload = data;

  gtk_progress_bar_set_fraction (upload->job->progress, 0);
  ek_api_client_upload_material_async (client, upload->id, upload->kind, upload->file,
                                            on_progress, upload->job, NULL, cancellable, callback, user_data);
}

static gpointer
upload_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_upload_material_finish (client, result, error);
}

static void
on_uploaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkUploadPanel) self = user_data;
  GError *error = NULL;
  EkApiMaterial *material = ek_api_call_run_finish (result, &error);
  Job *job = g_ptr_array_index (self->jobs, self->current);

  if (material == NULL)
    {
      g_autofree char *message = g_strdup (error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        job_set_state (job, "failed", message, -1);
      else
        job_set_state (job, "waiting", _("Stopped"), 0);
      finish_run (self, error, _("A material was not uploaded: its line says why. Press Retry when the connection is back; what the server has already is not sent again."));
      return;
    }
  self->n_uploads++;
  job_set_state (job, "uploaded", _("Uploaded"), 1.0);
  ek_api_material_free (material);
  self->current++;
  run_step (self);
}

static void
run_step (EkUploadPanel *self)
{
  for (; self->current < self->jobs->len; self->current++)
    {
      Job *job = g_ptr_array_index (self->jobs, self->current);
      Upload *upload;

      if (!g_str_equal (job->state, "waiting") && !g_str_equal (job->state, "failed"))
        continue;
      upload = g_new0 (Upload, 1);
      upload->id = g_strdup (draft_string (self, "application-id"));
      upload->kind = g_strdup (job->requirement->material_id);
      upload->file = g_file_new_for_path (job->file);
      upload->job = job;
      job_set_state (job, "uploading", _("Uploading…"), 0);
      ek_api_call_run (GTK_WIDGET (self), upload_start, upload_finish, (GDestroyNotify) ek_api_material_free,
                           upload, upload_free, g_task_get_cancellable (self->task), on_uploaded_cb, g_object_ref (self));
      return;
    }
  submit (self);
}

/* What the server already has */

static void
list_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
            GAsyncReadyCallback callback, gpointer user_data)
{
  ek_api_client_list_materials_async (client, data, cancellable, callback, user_data);
}

static gpointer
list_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_list_materials_finish (client, result, error);
}

static void
retry_clicked_cb (EkUploadPanel *self);

static void
build_jobs (EkUploadPanel *self,
            GPtrArray     *on_server)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->jobs, 0);

  for (guint i = 0; self->requirements != NULL && i < self->requirements->len; i++)
    {
      const EkMaterialRequirement *requirement = g_ptr_array_index (self->requirements, i);
      g_autofree char *file = ek_draft_materials_dup_file (self->materials, requirement->material_id);
      g_autoptr(GError) error = NULL;
      Job *job;
      GtkWidget *box, *line, *name, *list_row;

      if (file == NULL)
        continue;   /* not needed (exempt), or optional and not given */
      job = g_new0 (Job, 1);
      job->requirement = requirement;
      job->file = g_steal_pointer (&file);
      job->sha256 = file_sha256 (job->file, &error);

      /* The material's name above its progress, state and Retry: narrow enough for 800 px */
      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      name = gtk_label_new (requirement->name);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_box_append (GTK_BOX (box), name);
      line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      gtk_box_append (GTK_BOX (box), line);
      job->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
      gtk_widget_set_hexpand (GTK_WIDGET (job->progress), TRUE);
      gtk_widget_set_valign (GTK_WIDGET (job->progress), GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (job->progress), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      requirement->name, -1);
      gtk_box_append (GTK_BOX (line), GTK_WIDGET (job->progress));
      job->state_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_wrap (job->state_label, TRUE);
      /* A message may name a long path: it breaks inside it rather than widen the window */
      gtk_label_set_wrap_mode (job->state_label, PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (job->state_label, 0);
      gtk_label_set_selectable (job->state_label, TRUE);
      gtk_widget_set_size_request (GTK_WIDGET (job->state_label), 140, -1);
      gtk_box_append (GTK_BOX (line), GTK_WIDGET (job->state_label));
      job->retry = GTK_BUTTON (ek_ui_mnemonic_button_new (_("_Retry")));
      gtk_widget_set_valign (GTK_WIDGET (job->retry), GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (job->retry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      requirement->name, -1);
      g_signal_connect_swapped (job->retry, "clicked", G_CALLBACK (retry_clicked_cb), self);
      gtk_box_append (GTK_BOX (line), GTK_WIDGET (job->retry));
      list_row = gtk_list_box_row_new ();
      gtk_widget_set_name (list_row, requirement->material_id);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), box);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (list_row), FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (list_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      requirement->name, -1);
      gtk_list_box_append (self->list, list_row);
      job->row = list_row;
      g_ptr_array_add (self->jobs, job);

      if (job->sha256 == NULL)
        {
          job_set_state (job, "failed", error->message, 0);
          continue;
        }
      job_set_state (job, "waiting", _("Waiting"), 0);
      for (guint j = 0; on_server != NULL && j < on_server->len; j++)
        {
          EkApiMaterial *material = g_ptr_array_index (on_server, j);

          if (g_str_equal (material->kind, requirement->material_id) && g_str_equal (material->sha256, job->sha256))
            job_set_state (job, "skipped", _("Already on the server"), 1.0);
        }
    }
}

static void
on_listed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkUploadPanel) self = user_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) on_server = ek_api_call_run_finish (result, &error);

  if (on_server == NULL)
    {
      finish_run (self, error, NULL);
      return;
    }
  build_jobs (self, on_server);
  set_status (self, _("Uploading the materials…"), FALSE);
  self->current = 0;
  run_step (self);
}

void
ek_upload_panel_run_async (EkUploadPanel       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_UPLOAD_PANEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_upload_panel_run_async);
  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, _("The materials are being uploaded already."));
      return;
    }
  if (!ek_upload_panel_is_pending (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->task = g_steal_pointer (&task);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), FALSE);
  set_status (self, _("Asking the registration system which materials it has…"), FALSE);
  ek_api_call_run (GTK_WIDGET (self), list_start, list_finish, (GDestroyNotify) g_ptr_array_unref,
                       g_strdup (draft_string (self, "application-id")), g_free,
                       g_task_get_cancellable (self->task), on_listed_cb, g_object_ref (self));
}

gboolean
ek_upload_panel_run_finish (EkUploadPanel  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_run_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  EkUploadPanel *self = EK_UPLOAD_PANEL (source);
  g_autoptr(GError) error = NULL;

  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Submitted: on to the status (a failure is shown on the panel, with Retry) */
  if (ek_upload_panel_run_finish (self, result, &error) && EK_IS_WINDOW (root))
    ek_window_go_to_step (EK_WINDOW (root), "status");
}

static void
retry_clicked_cb (EkUploadPanel *self)
{
  ek_upload_panel_run_async (self, NULL, on_run_done_cb, NULL);
}

const char *
ek_upload_panel_get_row_state (EkUploadPanel *self,
                               const char    *material_id)
{
  g_return_val_if_fail (EK_IS_UPLOAD_PANEL (self), NULL);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (self->jobs, i);
      if (g_str_equal (job->requirement->material_id, material_id))
        return job->state;
    }
  return NULL;
}

double
ek_upload_panel_get_row_fraction (EkUploadPanel *self,
                                  const char    *material_id)
{
  g_return_val_if_fail (EK_IS_UPLOAD_PANEL (self), 0);

  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (self->jobs, i);
      if (g_str_equal (job->requirement->material_id, material_id))
        return gtk_progress_bar_get_fraction (job->progress);
    }
  return 0;
}

guint
ek_upload_panel_get_n_uploads (EkUploadPanel *self)
{
  g_return_val_if_fail (EK_IS_UPLOAD_PANEL (self), 0);
  return self->n_uploads;
}

static void
ek_upload_panel_dispose (GObject *object)
{
  EkUploadPanel *self = EK_UPLOAD_PANEL (object);
  GtkWidget *child;

  if (self->task != NULL)
    g_cancellable_cancel (g_task_get_cancellable (self->task));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_object (&self->materials);
  if (self->draft != NULL)
    g_signal_handlers_disconnect_by_data (self->draft, self);
  g_clear_object (&self->draft);

  G_OBJECT_CLASS (ek_upload_panel_parent_class)->dispose (object);
}

static void
ek_upload_panel_class_init (EkUploadPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_upload_panel_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ek_upload_panel_init (EkUploadPanel *self)
{
  GtkWidget *line;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 8);
  gtk_widget_set_name (GTK_WIDGET (self), "upload-panel");
  gtk_widget_set_margin_top (GTK_WIDGET (self), 12);
  self->jobs = g_ptr_array_new_with_free_func (job_free);

  self->intro_label = GTK_LABEL (gtk_label_new (_("Send the materials to the registration system, then confirm the submission. If the upload stops, press the button again: only what the server does not have yet is sent.")));
  gtk_label_set_wrap (self->intro_label, TRUE);
  gtk_label_set_xalign (self->intro_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->intro_label), "heading");
  gtk_widget_set_parent (GTK_WIDGET (self->intro_label), GTK_WIDGET (self));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Uploads"), -1);
  gtk_widget_set_parent (GTK_WIDGET (self->list), GTK_WIDGET (self));

  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->status_label), "upload-status");
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_wrap_mode (self->status_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_selectable (self->status_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->status_label), TRUE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->status_label));
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->spinner));
  self->run_button = GTK_BUTTON (ek_ui_mnemonic_button_new (_("_Upload and confirm submission")));
  gtk_widget_set_name (GTK_WIDGET (self->run_button), "upload-submit");
  gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "suggested-action");
  gtk_widget_set_valign (GTK_WIDGET (self->run_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->run_button, "clicked", G_CALLBACK (retry_clicked_cb), self);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->run_button));
  gtk_widget_set_parent (line, GTK_WIDGET (self));
}

GtkWidget *
ek_upload_panel_new (EkApplicationDraft *draft,
                     EkDraftMaterials   *materials,
                     GPtrArray          *requirements)
{
  EkUploadPanel *self;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);
  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (materials), NULL);

  self = g_object_new (EK_TYPE_UPLOAD_PANEL, NULL);
  self->draft = g_object_ref (draft);
  self->materials = g_object_ref (materials);
  self->requirements = requirements;
  g_signal_connect_swapped (draft, "notify::application-id", G_CALLBACK (update_visibility), self);
  g_signal_connect_swapped (draft, "notify::status", G_CALLBACK (update_visibility), self);
  update_visibility (self);
  return GTK_WIDGET (self);
}
