/* ek-seal-letter-page.c: the wizard step "Seal confirmation letter" (印章确认函打印及上传)
 *
 * For the seal request in the draft (just submitted, or chosen on the seal home): the letter
 * 《许可证申领系统电子印章申请确认函》 rendered from the request as the service holds it (its form,
 * the certificate's subject, the login name) into the draft's folder on a worker thread, to be
 * printed (poppler draws it into the print context, as on the documents page) or saved as PDF.
 * Then the stamped scan: the materials' row for the confirmation letter (file, drop or scanner;
 * checked and fitted to the bundled limits), shown in a preview; only then can the clerk confirm
 * the upload ("预览无误后可点击【确认上传】"). A letter can be uploaded again while the request
 * waits for its review or was sent back.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-catalogue.h"
#include "ek-document.h"
#include "ek-draft-materials.h"
#include "ek-material-row.h"
#include "ek-material-rules.h"
#include "ek-seal-common.h"
#include "ek-seal-letter-page.h"
#include "ek-ui-helpers.h"

#define LETTER_MATERIAL "seal-confirmation-letter"

struct _EkSealLetterPage
{
  EkPage            parent_instance;

  GCancellable     *cancellable;
  const char       *state;
  char             *pdf_path;
  EkSealRequest    *request;
  EkDraftMaterials *materials;
  EkMaterialRules  *rules;
  GtkWidget        *row;
  char             *row_request;   /* the request the row was built for */
  gboolean          previewed;
  gboolean          sent;           /* the scan in the row is the one uploaded */

  GtkLabel         *error_label;
  GtkButton        *home_button;
  GtkBox           *material_box;
  GtkPicture       *preview;
  GtkLabel         *preview_label;
  GtkButton        *print_button;
  GtkLabel         *request_label;
  GtkLabel         *result_label;
  GtkButton        *save_button;
  GtkSpinner       *spinner;
  GtkButton        *upload_button;
};

G_DEFINE_FINAL_TYPE (EkSealLetterPage, ek_seal_letter_page, EK_TYPE_PAGE)

static EkApplicationDraft *
draft_of (EkSealLetterPage *self)
{
  return ek_page_get_draft (EK_PAGE (self));
}

static gboolean
can_upload_letter (EkSealLetterPage *self)
{
  return self->request != NULL &&
         (g_str_equal (self->request->state, "new") || g_str_equal (self->request->state, "letter-uploaded") ||
          g_str_equal (self->request->state, "rejected"));
}

static char *
scan_path (EkSealLetterPage *self)
{
  return self->materials != NULL ? ek_draft_materials_dup_file (self->materials, LETTER_MATERIAL) : NULL;
}

static void
update_controls (EkSealLetterPage *self)
{
  gboolean busy = g_str_equal (self->state, "loading") || g_str_equal (self->state, "uploading");
  gboolean scanned = self->row != NULL && ek_material_row_is_satisfied (EK_MATERIAL_ROW (self->row));

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), self->pdf_path != NULL && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), self->pdf_path != NULL && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->upload_button), !busy && scanned && !self->sent && can_upload_letter (self));
  if (self->row != NULL)
    gtk_widget_set_sensitive (self->row, !busy && can_upload_letter (self));
}

static void
set_state (EkSealLetterPage *self,
           const char       *state,
           const char       *error)
{
  self->state = state;
  gtk_label_set_text (self->error_label, error != NULL ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  update_controls (self);
}

/* The preview shows the very file that will be uploaded (as checked and fitted) */
static void
show_preview (EkSealLetterPage *self)
{
  g_autofree char *path = scan_path (self);
  gboolean scanned = path != NULL && self->row != NULL && ek_material_row_is_satisfied (EK_MATERIAL_ROW (self->row));

  gtk_picture_set_filename (self->preview, scanned ? path : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->preview), scanned);
  gtk_label_set_text (self->preview_label,
                      scanned ? _("This is the letter that will be uploaded. If it reads well and the seal is clear, "
                                  "confirm the upload.")
                              : _("Nothing to preview yet: add the stamped scan above."));
  update_controls (self);
  /* A new scan: the keyboard (and the view) goes to the preview's button */
  if (scanned && !self->previewed && gtk_widget_is_sensitive (GTK_WIDGET (self->upload_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->upload_button));
  self->previewed = scanned;
}

static void
on_row_changed_cb (GObject          *row,
                   GParamSpec       *pspec,
                   EkSealLetterPage *self)
{
  /* another scan (or the same one replaced) may be uploaded in place of the one sent */
  self->sent = FALSE;
  show_preview (self);
}

static void
show_request (EkSealLetterPage *self)
{
  g_autofree char *when = NULL, *text = NULL;
  EkSealRequest *r = self->request;

  if (r == NULL)
    {
      gtk_label_set_text (self->request_label, _("No seal request is chosen: go back to the seal home and choose one."));
      return;
    }
  when = ek_seal_format_time (r->created_at);
  /* Translators: a seal request: its kind, its state, when it was made, its number */
  text = g_strdup_printf (_("%s · %s · applied on %s · number %s"), ek_seal_kind_label (r->kind),
                          ek_seal_request_state_label (r->state), when, r->id);
  if (r->remark != NULL && g_str_equal (r->state, "rejected"))
    {
      g_autofree char *with = g_strdup_printf (_("%s\nSent back by the reviewer: %s"), text, r->remark);
      g_free (text);
      text = g_steal_pointer (&with);
    }
  gtk_label_set_text (self->request_label, text);
}

/* ---- The letter ---- */

/* A copy of what the letter shows: the request may be replaced while it renders */
typedef struct
{
  JsonObject *form;
  char       *subject;
  char       *login_name;
  char       *id;
  char       *path;
} RenderData;

static void
render_data_free (RenderData *d)
{
  json_object_unref (d->form);
  g_free (d->subject);
  g_free (d->login_name);
  g_free (d->id);
  g_free (d->path);
  g_free (d);
}

static void
render_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderData *d = task_data;
  GError *error = NULL;

  if (ek_document_render_seal_letter_pdf (d->form, d->subject, d->login_name, d->id, d->path, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
rendered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkSealLetterPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RenderData *d = g_task_get_task_data (G_TASK (result));

  if (self->cancellable == NULL || !g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (self->cancellable != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (self, "error", error->message);
      return;
    }
  g_free (self->pdf_path);
  self->pdf_path = g_strdup (d->path);
  set_state (self, "ready", NULL);
}

static void
render_letter (EkSealLetterPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ek_application_draft_dup_directory (draft_of (self), &error);
  g_autoptr(GTask) task = NULL;
  RenderData *d;

  if (dir == NULL)
    {
      set_state (self, "error", error->message);
      return;
    }
  d = g_new0 (RenderData, 1);
  d->form = json_object_ref (self->request->form);
  d->subject = g_strdup (self->request->certificate_subject);
  d->login_name = g_strdup (self->request->login_name);
  d->id = g_strdup (self->request->id);
  d->path = g_build_filename (dir, "seal-confirmation-letter.pdf", NULL);
  task = g_task_new (NULL, self->cancellable, rendered_cb, g_object_ref (self));
  g_task_set_task_data (task, d, (GDestroyNotify) render_data_free);
  g_task_run_in_thread (task, render_thread);
}

/* ---- The request, as the service holds it ---- */

static gpointer
list_call (EkApiClient   *client,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  return ek_api_client_list_seal_requests_sync (client, cancellable, error);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EkSealLetterPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = ek_seal_call_finish (result, &error);
  const char *id = ek_application_draft_get_string (draft_of (self), "application-id");

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (requests == NULL)
    {
      set_state (self, "error", error->message);
      return;
    }
  g_clear_pointer (&self->request, ek_seal_request_free);
  for (guint i = 0; i < requests->len; i++)
    {
      EkSealRequest *r = g_ptr_array_index (requests, i);

      if (g_str_equal (r->id, id))
        self->request = g_ptr_array_steal_index (requests, i);
    }
  show_request (self);
  if (self->request == NULL)
    {
      set_state (self, "error", _("The registration service does not know this seal request. Go back to the seal home."));
      return;
    }
  ek_application_draft_set_string (draft_of (self), "status", self->request->state);
  if (self->request->form == NULL)
    {
      set_state (self, "error", _("This request has no letter: it needs none."));
      return;
    }
  ek_page_set_complete (EK_PAGE (self), g_str_equal (self->request->state, "letter-uploaded") ||
                                        g_str_equal (self->request->state, "approved") ||
                                        g_str_equal (self->request->state, "seal-made"));
  render_letter (self);
}

static void
load (EkSealLetterPage *self)
{
  const char *id = ek_application_draft_get_string (draft_of (self), "application-id");

  g_clear_pointer (&self->pdf_path, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), FALSE);
  if (*id == '\0')
    {
      g_clear_pointer (&self->request, ek_seal_request_free);
      show_request (self);
      set_state (self, "error", NULL);
      return;
    }
  set_state (self, "loading", NULL);
  ek_seal_call_async (GTK_WIDGET (self), list_call, NULL, NULL, (GDestroyNotify) g_ptr_array_unref, self->cancellable,
                      listed_cb, g_object_ref (self));
}

/* ---- Printing and saving ---- */

static void
on_print_button_clicked_cb (GtkButton        *button,
                            EkSealLetterPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!ek_ui_print_pdf (GTK_WIDGET (self), self->pdf_path, "许可证申领系统电子印章申请确认函",
                        GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL, &error))
    set_state (self, "error", error != NULL ? error->message : NULL);
}

static void
on_save_response_cb (GtkNativeDialog  *dialog,
                     int               response,
                     EkSealLetterPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->pdf_path != NULL)
    {
      g_autoptr(GFile) to = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GFile) from = g_file_new_for_path (self->pdf_path);
      g_autoptr(GError) error = NULL;

      if (to != NULL && !g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        set_state (self, "error", error->message);
    }
  g_object_unref (dialog);
}

static void
on_save_button_clicked_cb (GtkButton        *button,
                           EkSealLetterPage *self)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Save as PDF"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "许可证申领系统电子印章申请确认函.pdf");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- The upload ---- */

typedef struct
{
  char  *id;
  GFile *file;
} UploadData;

static void
upload_data_free (UploadData *d)
{
  g_free (d->id);
  g_clear_object (&d->file);
  g_free (d);
}

static gpointer
upload_call (EkApiClient   *client,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  UploadData *d = data;

  return ek_api_client_upload_seal_letter_sync (client, d->id, d->file, cancellable, error);
}

static void
uploaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkSealLetterPage) self = user_data;
  g_autoptr(GError) error = NULL;
  EkSealRequest *request = ek_seal_call_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&request, ek_seal_request_free);
      return;
    }
  if (request == NULL)
    {
      set_state (self, "error", error->message);
      return;
    }
  g_clear_pointer (&self->request, ek_seal_request_free);
  self->request = request;
  ek_application_draft_set_string (draft_of (self), "status", request->state);
  show_request (self);
  gtk_label_set_text (self->result_label,
                      _("The confirmation letter was uploaded. Wait for the review and the making of the seal; "
                        "follow them with “Seal status” on the seal home."));
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  self->sent = TRUE;
  set_state (self, "uploaded", NULL);
  ek_page_set_complete (EK_PAGE (self), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->home_button));
}

static void
on_upload_button_clicked_cb (GtkButton        *button,
                             EkSealLetterPage *self)
{
  g_autofree char *path = scan_path (self);
  UploadData *d;

  if (path == NULL || self->request == NULL || !gtk_widget_is_sensitive (GTK_WIDGET (self->upload_button)))
    return;
  d = g_new0 (UploadData, 1);
  d->id = g_strdup (self->request->id);
  d->file = g_file_new_for_path (path);
  set_state (self, "uploading", NULL);
  ek_seal_call_async (GTK_WIDGET (self), upload_call, d, (GDestroyNotify) upload_data_free, (GDestroyNotify) ek_seal_request_free,
                      self->cancellable, uploaded_cb, g_object_ref (self));
}

static void
on_home_button_clicked_cb (GtkButton        *button,
                           EkSealLetterPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.return-to-step", "s", "seal");
}

/* The row of the materials page for the stamped letter, with the bundled limits */
static void
build_row (EkSealLetterPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  GPtrArray *requirements;
  EkMaterialRequirement *requirement = NULL;

  if (catalogue != NULL)
    self->rules = ek_material_rules_new (catalogue, NULL, &error);
  if (self->rules != NULL)
    self->materials = ek_draft_materials_new (draft_of (self), &error);
  if (self->materials == NULL)
    {
      set_state (self, "error", error->message);
      return;
    }
  requirements = ek_material_rules_get_requirements (self->rules, "electronic-seal");
  for (guint i = 0; requirements != NULL && i < requirements->len; i++)
    if (g_str_equal (((EkMaterialRequirement *) g_ptr_array_index (requirements, i))->material_id, LETTER_MATERIAL))
      requirement = g_ptr_array_index (requirements, i);
  if (requirement == NULL)
    return;
  self->row = ek_material_row_new (self->materials, requirement);
  gtk_widget_set_name (self->row, LETTER_MATERIAL);
  gtk_box_append (self->material_box, self->row);
  g_signal_connect_object (self->row, "notify::satisfied", G_CALLBACK (on_row_changed_cb), self, 0);
  g_signal_connect_object (self->row, "notify::state", G_CALLBACK (on_row_changed_cb), self, 0);
}

const char *
ek_seal_letter_page_get_state (EkSealLetterPage *self)
{
  g_return_val_if_fail (EK_IS_SEAL_LETTER_PAGE (self), NULL);
  return self->state;
}

char *
ek_seal_letter_page_dup_pdf (EkSealLetterPage *self)
{
  g_return_val_if_fail (EK_IS_SEAL_LETTER_PAGE (self), NULL);
  return g_strdup (self->pdf_path);
}

GtkWidget *
ek_seal_letter_page_get_row (EkSealLetterPage *self)
{
  g_return_val_if_fail (EK_IS_SEAL_LETTER_PAGE (self), NULL);
  return self->row;
}

static void
ek_seal_letter_page_shown (EkPage *page)
{
  EkSealLetterPage *self = EK_SEAL_LETTER_PAGE (page);
  const char *id = ek_application_draft_get_string (draft_of (self), "application-id");

  /* Another request: a row of its own, which reads the draft's scan afresh */
  if (g_strcmp0 (self->row_request, id) != 0)
    {
      if (self->row != NULL)
        gtk_box_remove (self->material_box, self->row);
      self->row = NULL;
      g_clear_object (&self->materials);
      g_clear_object (&self->rules);
      g_free (self->row_request);
      self->row_request = g_strdup (id);
      self->sent = FALSE;
      build_row (self);
    }
  load (self);
  show_preview (self);
}

static void
ek_seal_letter_page_dispose (GObject *object)
{
  EkSealLetterPage *self = EK_SEAL_LETTER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pdf_path, g_free);
  g_clear_pointer (&self->request, ek_seal_request_free);
  g_clear_pointer (&self->row_request, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_SEAL_LETTER_PAGE);
  self->row = NULL;
  g_clear_object (&self->materials);
  g_clear_object (&self->rules);
  G_OBJECT_CLASS (ek_seal_letter_page_parent_class)->dispose (object);
}

static void
ek_seal_letter_page_class_init (EkSealLetterPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_seal_letter_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_seal_letter_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-seal-letter-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, home_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, material_box);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, preview);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, preview_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, request_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, result_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkSealLetterPage, upload_button);
  gtk_widget_class_bind_template_callback (widget_class, on_home_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_print_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_upload_button_clicked_cb);
}

static void
ek_seal_letter_page_init (EkSealLetterPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ek_ui_read_names_once (GTK_WIDGET (self->print_button), GTK_WIDGET (self->save_button), GTK_WIDGET (self->upload_button),
                         GTK_WIDGET (self->home_button), NULL);
  self->cancellable = g_cancellable_new ();
  self->state = "loading";
}

EkPage *
ek_seal_letter_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_SEAL_LETTER_PAGE, "draft", draft, "title", _("Seal confirmation letter"), NULL);
}
