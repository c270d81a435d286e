/* ek-documents-page.c: send the application, then print its two forms
 *
 * On entering the step the application is created on the server (with an idempotency key kept
 * in the draft before the first try, so a retry or a restart never creates two) or, if it
 * exists and can still be changed, updated with the draft's values. Fields the server rejects
 * go onto their fields in the draft, and the page offers "Go to the field". Then the filled
 * 《进出口企业电子钥匙与电子认证证书办理申请表》 and, where the business's seed section asks for it
 * (its "printed_forms" in the catalogue), the 《电子签章申请确认函》 are rendered (on a worker
 * thread) into the draft's folder; each can be printed (the PDF pages drawn by poppler into the
 * print context) or saved as a PDF. The reminder says what the seeds tell the clerk: print,
 * have the legal representative sign, stamp, scan for the next step.
 *
 * The page is a template (ui/pages/documents/ek-documents-page.ui): the two forms are fixed; C
 * builds only the list of fields the server rejected.
 */
#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "ek-catalogue.h"
#include "ek-document.h"
#include "ek-documents-page.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-wipe.h"
#include "ek-window.h"

static const struct
{
  EkDocumentKind kind;
  const char    *id;      /* the catalogue's name for it (a business's "printed_forms") */
  const char    *file;
  const char    *name;    /* as printed on the form */
} documents[] = {
  { EK_DOCUMENT_APPLICATION_FORM, "application-form", "application-form.pdf", "进出口企业电子钥匙与电子认证证书办理申请表" },
  { EK_DOCUMENT_SEAL_CONFIRMATION, "seal-confirmation", "seal-confirmation.pdf", "电子签章申请确认函" },
};
#define N_DOCUMENTS G_N_ELEMENTS (documents)

struct _EkDocumentsPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  char         *state;
  guint         rendered;
  guint         to_render;
  gboolean      offered[N_DOCUMENTS];  /* the forms this business's seed section asks for */

  GtkLabel     *doc_labels[N_DOCUMENTS];

  /* Template children */
  GtkBox       *documents_box;
  GtkBox       *field_errors_box;
  GtkLabel     *form_label;
  GtkLabel     *letter_label;
  GtkWidget    *letter_row;
  GtkWidget    *reminder_both;
  GtkWidget    *reminder_counter;
  GtkWidget    *reminder_online;
  GtkLabel     *number_label;
  GtkButton    *print_form_button;
  GtkButton    *retry_button;
  GtkLabel     *status_label;
  GtkSpinner   *spinner;
};

G_DEFINE_FINAL_TYPE (EkDocumentsPage, ek_documents_page, EK_TYPE_PAGE)

static void show_number (EkDocumentsPage *self);

static void
set_state (EkDocumentsPage *self,
           const char      *state,
           const char      *message)
{
  gboolean busy = g_str_equal (state, "sending") || g_str_equal (state, "rendering");

  g_free (self->state);
  self->state = g_strdup (state);
  gtk_label_set_label (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (g_str_equal (state, "error") || g_str_equal (state, "fields"))
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), g_str_equal (state, "error"));
  gtk_widget_set_visible (GTK_WIDGET (self->documents_box), g_str_equal (state, "ready"));
  gtk_widget_set_visible (GTK_WIDGET (self->field_errors_box), g_str_equal (state, "fields"));
  show_number (self);
  ek_page_set_complete (EK_PAGE (self), g_str_equal (state, "ready"));

  /* On screen, the keyboard starts on what there is to do: print, retry, or the first field */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      GtkWidget *first = NULL;

      if (g_str_equal (state, "ready"))
        first = GTK_WIDGET (self->print_form_button);
      else if (g_str_equal (state, "error"))
        first = GTK_WIDGET (self->retry_button);
      else if (g_str_equal (state, "fields"))
        first = GTK_WIDGET (self->field_errors_box);
      if (first != NULL && !gtk_widget_grab_focus (first))
        gtk_widget_child_focus (first, GTK_DIR_TAB_FORWARD);
    }
}

/* Once the service has the application, its number is what the clerk quotes to the helpdesk and
 * finds on every printed page */
static void
show_number (EkDocumentsPage *self)
{
  const char *number = ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "application-number");
  gboolean known = number != NULL && *number != '\0';

  if (self->number_label == NULL)
    return;
  if (known)
    {
      /* Translators: %s is the application number */
      g_autofree char *text = g_strdup_printf (_("Application number %s"), number);
      gtk_label_set_label (self->number_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->number_label), known);
}

char *
ek_documents_page_dup_pdf (EkDocumentsPage *self,
                           guint            index)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (EK_IS_DOCUMENTS_PAGE (self), NULL);
  g_return_val_if_fail (index < N_DOCUMENTS, NULL);

  dir = ek_application_draft_dup_subdirectory (ek_page_get_draft (EK_PAGE (self)), "documents", NULL);
  return dir != NULL ? g_build_filename (dir, documents[index].file, NULL) : NULL;
}

/* Rendering */

static void
on_rendered_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkDocumentsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_document_render_pdf_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (self, "error", error->message);
      return;
    }
  if (++self->rendered < self->to_render)
    return;
  set_state (self, "ready", NULL);
}

static EkBusinessType *
lookup_business (EkApplicationDraft *draft)
{
  const char *id = ek_application_draft_get_business_type_id (draft);
  g_autoptr(EkCatalogue) catalogue = id != NULL ? ek_catalogue_new_default (NULL) : NULL;
  EkBusinessType *type = catalogue != NULL ? ek_catalogue_lookup_business_type (catalogue, id) : NULL;

  return type != NULL ? g_object_ref (type) : NULL;
}

/* Only the forms the business's seed section asks for: the counter businesses and the PIN
 * unlock print the application form alone, with no 《电子签章申请确认函》 */
static void
choose_documents (EkDocumentsPage *self)
{
  g_autoptr(EkBusinessType) type = lookup_business (ek_page_get_draft (EK_PAGE (self)));
  gboolean counter = type != NULL && ek_business_type_get_mode (type) == EK_BUSINESS_MODE_OFFLINE;

  for (guint i = 0; i < N_DOCUMENTS; i++)
    self->offered[i] = type == NULL || ek_business_type_prints_form (type, documents[i].id);
  /* The application form is what every business hands in */
  self->offered[0] = TRUE;
  gtk_widget_set_visible (self->letter_row, self->offered[1]);
  gtk_widget_set_visible (self->reminder_both, self->offered[1]);
  gtk_widget_set_visible (self->reminder_counter, !self->offered[1] && counter);
  gtk_widget_set_visible (self->reminder_online, !self->offered[1] && !counter);
}

gboolean
ek_documents_page_offers (EkDocumentsPage *self,
                          guint            index)
{
  g_return_val_if_fail (EK_IS_DOCUMENTS_PAGE (self), FALSE);
  g_return_val_if_fail (index < N_DOCUMENTS, FALSE);

  return self->offered[index] && gtk_widget_get_visible (index == 0 ? GTK_WIDGET (self->print_form_button) : self->letter_row);
}

static void
render_documents (EkDocumentsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ek_application_draft_dup_subdirectory (ek_page_get_draft (EK_PAGE (self)), "documents", &error);

  if (dir == NULL)
    {
      set_state (self, "error", error->message);
      return;
    }
  choose_documents (self);
  set_state (self, "rendering", _("Preparing the documents…"));
  self->rendered = 0;
  self->to_render = 0;
  for (guint i = 0; i < N_DOCUMENTS; i++)
    self->to_render += self->offered[i] ? 1 : 0;
  for (guint i = 0; i < N_DOCUMENTS; i++)
    {
      g_autofree char *path = NULL;

      if (!self->offered[i])
        continue;
      path = g_build_filename (dir, documents[i].file, NULL);

      ek_document_render_pdf_async (ek_page_get_draft (EK_PAGE (self)), documents[i].kind, path,
                                    self->cancellable, on_rendered_cb, g_object_ref (self));
    }
}

/* Sending the application */

typedef struct
{
  char       *id;
  char       *business_type;
  char       *key;
  JsonObject *fields;
} Send;

static void
send_free (gpointer p)
{
  Send *send = p;

  g_free (send->id);
  g_free (send->business_type);
  g_free (send->key);
  g_clear_pointer (&send->fields, json_object_unref);
  g_free (send);
}

static void
create_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  Send *send = data;

  ek_api_client_create_application_async (client, send->business_type, send->fields, send->key,
                                               cancellable, callback, user_data);
}

static gpointer
create_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_create_application_finish (client, result, error);
}

static void
update_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  Send *send = data;

  ek_api_client_update_application_async (client, send->id, send->fields, cancellable, callback, user_data);
}

static gpointer
update_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_update_application_finish (client, result, error);
}

static void
get_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
  Send *send = data;

  ek_api_client_get_application_async (client, send->id, cancellable, callback, user_data);
}

static gpointer
get_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_get_application_finish (client, result, error);
}

static void
store_application (EkApplicationDraft    *draft,
                   EkApiApplication *application)
{
  g_autofree char *number = ek_api_application_dup_number (application);

  ek_application_draft_set_string (draft, "application-id", ek_api_application_get_id (application));
  ek_application_draft_set_string (draft, "application-number", number);
  ek_application_draft_set_string (draft, "status", ek_api_application_get_status (application));
  /* The id is what stops a second creation now */
  ek_application_draft_set_string (draft, "create-key", "");
}

static void
go_to_field_clicked_cb (GtkButton       *button,
                        EkDocumentsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *field = g_object_get_data (G_OBJECT (button), "field");

  if (EK_IS_WINDOW (root) && !ek_window_go_to_field (EK_WINDOW (root), field))
    ek_window_go_to_step (EK_WINDOW (root), "form");
}

static void
show_field_errors (EkDocumentsPage         *self,
                   const EkApiProblem *problem)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->field_errors_box))) != NULL)
    gtk_box_remove (self->field_errors_box, child);

  for (guint i = 0; i < problem->field_errors->len; i++)
    {
      EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);
      const char *field = ek_api_draft_field_for_api_field (fe->field);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = ek_ui_wrapped_label_new (fe->message, NULL);
      GtkWidget *button;

      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (row), label);
      if (field != NULL)
        {
          ek_application_draft_set_server_error (draft, field, fe->message);
          /* One button per field: only the first has the mnemonic, a shared one activates none */
          button = i == 0 ? ek_ui_mnemonic_button_new (_("_Go to the field"))
                          : gtk_button_new_with_label (_("Go to the field"));
          g_object_set_data_full (G_OBJECT (button), "field", g_strdup (field), g_free);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                          fe->message, -1);
          g_signal_connect (button, "clicked", G_CALLBACK (go_to_field_clicked_cb), self);
          gtk_box_append (GTK_BOX (row), button);
        }
      gtk_box_append (self->field_errors_box, row);
    }
}

static void
handle_sent (EkDocumentsPage       *self,
             EkApiApplication *application,
             GError                *error)
{
  const EkApiProblem *problem;

  if (application != NULL)
    {
      ek_application_draft_clear_server_errors (ek_page_get_draft (EK_PAGE (self)));
      store_application (ek_page_get_draft (EK_PAGE (self)), application);
      render_documents (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  problem = ek_api_error_get_problem (error);
  if (problem != NULL && problem->status == 422 && problem->field_errors->len > 0)
    {
      show_field_errors (self, problem);
      set_state (self, "fields", _("The registration system did not accept some of the answers. Correct them, then come back to this step."));
      return;
    }
  set_state (self, "error", error->message);
}

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkDocumentsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApiApplication) application = NULL;

  application = ek_api_call_run_finish (result, &error);
  handle_sent (self, application, error);
}

/* An application that can no longer be changed (submitted, in review) is only read back */
static void send_application (EkDocumentsPage *self);

static void
on_updated_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkDocumentsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApiApplication) application = NULL;
  const EkApiProblem *problem;

  application = ek_api_call_run_finish (result, &error);
  problem = error != NULL ? ek_api_error_get_problem (error) : NULL;
  if (application == NULL && problem != NULL && problem->status == 409)
    {
      Send *send = g_new0 (Send, 1);

      send->id = g_strdup (ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "application-id"));
      ek_api_call_run (GTK_WIDGET (self), get_start, get_finish,
                       (GDestroyNotify) ek_api_application_unref, send, send_free,
                       self->cancellable, on_sent_cb, g_object_ref (self));
      return;
    }
  if (application == NULL && problem != NULL && problem->status == 404)
    {
      /* The application is no longer on the server (another account, or removed): make it afresh */
      ek_application_draft_set_string (ek_page_get_draft (EK_PAGE (self)), "application-id", "");
      send_application (self);
      return;
    }
  handle_sent (self, application, error);
}

/* A counter business (reissue, cancellation, the offline first application) is printed here and
 * handed in on paper: no account, no server */
static gboolean
is_counter_business (EkApplicationDraft *draft)
{
  g_autoptr(EkBusinessType) type = lookup_business (draft);

  return type != NULL && ek_business_type_get_mode (type) == EK_BUSINESS_MODE_OFFLINE;
}

static void
send_application (EkDocumentsPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *id = ek_application_draft_get_string (draft, "application-id");
  Send *send;

  if (is_counter_business (draft))
    {
      render_documents (self);
      return;
    }
  send = g_new0 (Send, 1);

  send->fields = ek_api_fields_from_draft (draft);
  set_state (self, "sending", _("Sending the application to the registration system…"));

  if (*id != '\0')
    {
      send->id = g_strdup (id);
      ek_api_call_run (GTK_WIDGET (self), update_start, update_finish,
                       (GDestroyNotify) ek_api_application_unref, send, send_free,
                       self->cancellable, on_updated_cb, g_object_ref (self));
      return;
    }

  /* The key is in the draft (saved) before the first try */
  if (*ek_application_draft_get_string (draft, "create-key") == '\0')
    {
      g_autofree char *key = g_uuid_string_random ();
      ek_application_draft_set_string (draft, "create-key", key);
    }
  send->key = g_strdup (ek_application_draft_get_string (draft, "create-key"));
  send->business_type = g_strdup (ek_application_draft_get_business_type_id (draft));
  ek_api_call_run (GTK_WIDGET (self), create_start, create_finish,
                   (GDestroyNotify) ek_api_application_unref, send, send_free,
                   self->cancellable, on_sent_cb, g_object_ref (self));
}

void
ek_documents_page_retry (EkDocumentsPage *self)
{
  g_return_if_fail (EK_IS_DOCUMENTS_PAGE (self));

  ek_ui_restart_cancellable (&self->cancellable);
  send_application (self);
}

static void
ek_documents_page_shown (EkPage *page)
{
  /* Every time: the answers may have changed since (Change on the review page) */
  ek_documents_page_retry (EK_DOCUMENTS_PAGE (page));
}

const char *
ek_documents_page_get_state (EkDocumentsPage *self)
{
  g_return_val_if_fail (EK_IS_DOCUMENTS_PAGE (self), NULL);
  return self->state;
}

/**
 * ek_documents_page_print:
 * @index: 0 for the application form, 1 for the confirmation letter
 * @action: GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG for the clerk; EXPORT (with @export_path)
 *   runs the very same drawing into a PDF file, without a dialog
 *
 * Returns: FALSE with @error if the document cannot be read or printed
 */
gboolean
ek_documents_page_print (EkDocumentsPage          *self,
                         guint                     index,
                         GtkPrintOperationAction   action,
                         const char               *export_path,
                         GError                  **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (EK_IS_DOCUMENTS_PAGE (self), FALSE);
  g_return_val_if_fail (index < N_DOCUMENTS, FALSE);

  path = ek_documents_page_dup_pdf (self, index);
  return ek_ui_print_pdf (GTK_WIDGET (self), path, documents[index].name, action, export_path, error);
}

static void
print_document (EkDocumentsPage *self,
                guint            index)
{
  g_autoptr(GError) error = NULL;

  if (!ek_documents_page_print (self, index, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL, &error))
    set_state (self, "error", error->message);
}

static void
on_print_form_button_clicked_cb (EkDocumentsPage *self)
{
  print_document (self, 0);
}

static void
on_print_letter_button_clicked_cb (EkDocumentsPage *self)
{
  print_document (self, 1);
}

/* Saving a copy */

static void
on_save_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     EkDocumentsPage *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "index"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) target = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (!ek_documents_page_save_copy (self, index, target, &error))
        {
          g_autofree char *message = NULL;
          /* Translators: %s says why */
          message = g_strdup_printf (_("The copy could not be saved: %s Choose another folder and try again."),
                                     error->message);
          gtk_label_set_label (self->doc_labels[index], message);
        }
      else
        {
          g_autofree char *name = g_file_get_parse_name (target);
          g_autofree char *message = NULL;
          /* Translators: %s is where the PDF was saved */
          message = g_strdup_printf (_("Saved as %s"), name);
          gtk_label_set_label (self->doc_labels[index], message);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

/**
 * ek_documents_page_save_copy:
 *
 * Copies the rendered form @index to @target (what Save does after its dialog). The copy is
 * remembered for the session (ek_session_files_track()), so a counter's session end wipes it.
 */
gboolean
ek_documents_page_save_copy (EkDocumentsPage  *self,
                             guint             index,
                             GFile            *target,
                             GError          **error)
{
  g_autofree char *path = NULL;
  g_autofree char *target_path = NULL;
  g_autoptr(GFile) source = NULL;

  g_return_val_if_fail (EK_IS_DOCUMENTS_PAGE (self), FALSE);
  g_return_val_if_fail (index < N_DOCUMENTS, FALSE);

  path = ek_documents_page_dup_pdf (self, index);
  source = g_file_new_for_path (path);
  if (!g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    return FALSE;
  target_path = g_file_get_path (target);
  if (target_path != NULL)
    ek_session_files_track (target_path);
  return TRUE;
}

/* “<enterprise>-<number>-<document>.pdf”, without characters a file name cannot hold */
char *
ek_documents_page_default_name (EkDocumentsPage *self,
                                guint            index)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *enterprise = ek_application_draft_get_string (draft, "enterprise-name");
  const char *number = ek_application_draft_get_string (draft, "application-number");
  g_autofree char *name = g_strdup_printf ("%s-%s-%s.pdf", *enterprise ? enterprise : "ekey",
                                           number, documents[index].name);

  g_strdelimit (name, "/\\:*?\"<>|", '_');
  return g_steal_pointer (&name);
}

static void
save_document (EkDocumentsPage *self,
               guint            index)
{
  GtkFileChooserNative *dialog;
  g_autofree char *name = ek_documents_page_default_name (self, index);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Save as PDF"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "index", GUINT_TO_POINTER (index));
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_save_form_button_clicked_cb (EkDocumentsPage *self)
{
  save_document (self, 0);
}

static void
on_save_letter_button_clicked_cb (EkDocumentsPage *self)
{
  save_document (self, 1);
}

static void
on_retry_button_clicked_cb (EkDocumentsPage *self)
{
  ek_documents_page_retry (self);
}

static void
ek_documents_page_dispose (GObject *object)
{
  EkDocumentsPage *self = EK_DOCUMENTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_DOCUMENTS_PAGE);
  g_clear_pointer (&self->state, g_free);

  G_OBJECT_CLASS (ek_documents_page_parent_class)->dispose (object);
}

static void
ek_documents_page_class_init (EkDocumentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_documents_page_dispose;
  page_class->shown = ek_documents_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-documents-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, documents_box);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, field_errors_box);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, form_label);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, letter_label);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, letter_row);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, reminder_both);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, reminder_counter);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, reminder_online);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, number_label);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, print_form_button);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkDocumentsPage, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_print_form_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_print_letter_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_form_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_letter_button_clicked_cb);
}

static void
ek_documents_page_init (EkDocumentsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->doc_labels[0] = self->form_label;
  self->doc_labels[1] = self->letter_label;
  self->cancellable = g_cancellable_new ();
}

EkPage *
ek_documents_page_new (EkApplicationDraft *draft)
{
  EkDocumentsPage *self;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_DOCUMENTS_PAGE, "draft", draft, NULL);
  set_state (self, "sending", NULL);
  return EK_PAGE (self);
}
