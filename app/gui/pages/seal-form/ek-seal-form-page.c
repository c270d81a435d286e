/* ek-seal-form-page.c: the wizard step "Seal application" (印章申请 · 印章变更申请 · 证书绑定申请)
 *
 * The seed's fields (seed 003), each checked as it is typed with the checks of the application
 * form (ek_form_check_field(): the same as the service's), and saying "Passed the check" (通过信息
 * 验证) or the reason under the field. The certificate's subject comes from the key log-in and
 * cannot be changed. What the clerk types goes to the draft at once (the draft store saves it,
 * so it survives a crash). Confirm shows everything once more with the seed's warning that it
 * cannot be changed after submission; "I have checked it" sends the request (with an idempotency
 * key kept in the draft, so a retry or a restart never sends two) and goes on to the letter.
 * Fields the service refuses get its message under them. The ID number shows in full only while
 * its field has the focus, masked otherwise (as on the application form).
 *
 * The page is a template (ui/pages/seal-form/ek-seal-form-page.ui): the fields are fixed.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ek-api-types.h"
#include "ek-form.h"
#include "ek-pages.h"
#include "ek-seal-common.h"
#include "ek-seal-form-page.h"

typedef struct
{
  const char *name;       /* the draft's field, and the control's widget name */
  GtkWidget  *control;
  GtkWidget  *check;
  GtkWidget  *label;
  char       *server_message;
} FieldView;

struct _EkSealFormPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  FieldView     views[11];
  GPtrArray    *id_types;     /* the ID type values, as the drop-down lists them */
  gboolean      filling;
  gboolean      busy;

  GtkButton    *confirm_button;
  GtkLabel     *error_label;
  GtkBox       *fields_box;
  GtkLabel     *intro_label;
  GtkSpinner   *spinner;
  GtkLabel     *subject_label;
  GtkLabel     *title_label;

  GtkWidget    *enterprise_name, *enterprise_code, *legal_rep_name, *legal_rep_id_type,
               *legal_rep_id_number, *user_name, *contact_address, *mobile, *landline, *email, *postcode;
  GtkWidget    *enterprise_name_check, *enterprise_code_check, *legal_rep_name_check, *legal_rep_id_type_check,
               *legal_rep_id_number_check, *user_name_check, *contact_address_check, *mobile_check,
               *landline_check, *email_check, *postcode_check;
  GtkWidget    *enterprise_name_label, *enterprise_code_label, *legal_rep_name_label, *legal_rep_id_type_label,
               *legal_rep_id_number_label, *user_name_label, *contact_address_label, *mobile_label,
               *landline_label, *email_label, *postcode_label;
};

G_DEFINE_FINAL_TYPE (EkSealFormPage, ek_seal_form_page, EK_TYPE_PAGE)

static EkApplicationDraft *
draft_of (EkSealFormPage *self)
{
  return ek_page_get_draft (EK_PAGE (self));
}

static gboolean
is_submitted (EkSealFormPage *self)
{
  return *ek_application_draft_get_string (draft_of (self), "application-id") != '\0';
}

static const char *
api_name (const char *draft_name)
{
  guint n;
  const EkSealField *fields = ek_seal_get_fields (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (fields[i].draft_name, draft_name))
      return fields[i].api_name;
  return NULL;
}

/* The field's check: every field of the seal is required; then the form's own check */
static char *
check_view (EkSealFormPage *self,
            FieldView      *view,
            EkValidity     *validity)
{
  EkApplicationDraft *draft = draft_of (self);
  g_autofree char *value = g_strstrip (g_strdup (ek_application_draft_get_string (draft, view->name)));
  EkForm *form = ek_pages_get_form ();
  const EkFormField *field = form != NULL ? ek_form_lookup_field (form, view->name) : NULL;

  *validity = EK_VALIDITY_INVALID;
  if (*value == '\0')
    return g_strdup (ek_field_problem_message (EK_FIELD_PROBLEM_REQUIRED, NULL));
  if (view->server_message != NULL)
    return g_strdup (view->server_message);
  if (field != NULL)
    {
      g_autoptr(EkFormProblem) problem = ek_form_check_field (form, field, draft);

      *validity = problem->validity;
      if (problem->validity != EK_VALIDITY_VALID)
        return g_strdup (problem->message);
    }
  *validity = EK_VALIDITY_VALID;
  return NULL;
}

/* Shows the field's check under it: "Passed the check" or the reason; %TRUE if not INVALID */
static gboolean
show_check (EkSealFormPage *self,
            FieldView      *view,
            gboolean        show)
{
  EkValidity validity;
  g_autofree char *message = check_view (self, view, &validity);
  const char *text = validity == EK_VALIDITY_VALID ? _("Passed the check") : message;

  gtk_widget_remove_css_class (view->check, "error");
  gtk_widget_remove_css_class (view->check, "warning");
  gtk_widget_remove_css_class (view->check, "check-passed");
  gtk_widget_add_css_class (view->check, validity == EK_VALIDITY_VALID ? "check-passed"
                                         : validity == EK_VALIDITY_WARNING ? "warning" : "error");
  gtk_label_set_text (GTK_LABEL (view->check), text);
  gtk_widget_set_visible (view->check, show);
  gtk_accessible_update_state (GTK_ACCESSIBLE (view->control), GTK_ACCESSIBLE_STATE_INVALID,
                               show && validity == EK_VALIDITY_INVALID ? GTK_ACCESSIBLE_INVALID_TRUE
                                                                       : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  return validity != EK_VALIDITY_INVALID;
}

static FieldView *
view_for_control (EkSealFormPage *self,
                  GtkWidget      *control)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    if (self->views[i].control == control)
      return &self->views[i];
  return NULL;
}

static FieldView *
view_for_name (EkSealFormPage *self,
               const char     *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    if (g_strcmp0 (self->views[i].name, name) == 0)
      return &self->views[i];
  return NULL;
}

static void
show_error (EkSealFormPage *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
on_field_changed_cb (GtkEditable    *editable,
                     EkSealFormPage *self)
{
  FieldView *view = view_for_control (self, GTK_WIDGET (editable));

  if (view == NULL || self->filling)
    return;
  g_clear_pointer (&view->server_message, g_free);
  ek_application_draft_set_string (draft_of (self), view->name, gtk_editable_get_text (editable));
  show_check (self, view, TRUE);
  /* an ID number is checked by its type */
  if (g_str_equal (view->name, "legal-rep-id-type"))
    show_check (self, view_for_name (self, "legal-rep-id-number"), TRUE);
}

/* Enter goes on to the next field, and on the last one to Confirm */
static void
on_field_activate_cb (GtkEntry       *entry,
                      EkSealFormPage *self)
{
  if (GTK_WIDGET (entry) == self->postcode)
    {
      if (gtk_widget_get_visible (GTK_WIDGET (self->confirm_button)) &&
          gtk_widget_is_sensitive (GTK_WIDGET (self->confirm_button)))
        gtk_widget_activate (GTK_WIDGET (self->confirm_button));
      return;
    }
  gtk_widget_child_focus (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self))), GTK_DIR_TAB_FORWARD);
}

static void
on_id_type_selected_cb (GtkDropDown    *drop_down,
                        GParamSpec     *pspec,
                        EkSealFormPage *self)
{
  guint selected = gtk_drop_down_get_selected (drop_down);
  FieldView *view = view_for_control (self, GTK_WIDGET (drop_down));
  FieldView *number = view_for_name (self, "legal-rep-id-number");

  if (view == NULL || self->filling || self->id_types == NULL || selected >= self->id_types->len)
    return;
  g_clear_pointer (&view->server_message, g_free);
  ek_application_draft_set_string (draft_of (self), view->name, g_ptr_array_index (self->id_types, selected));
  show_check (self, view, TRUE);
  if (*gtk_editable_get_text (GTK_EDITABLE (number->control)) != '\0')
    show_check (self, number, TRUE);
}

/* The drop-down's items: "Choose…" and the ID types of the application form */
static void
build_id_types (EkSealFormPage *self)
{
  EkForm *form = ek_pages_get_form ();
  const EkFormField *field = form != NULL ? ek_form_lookup_field (form, "legal-rep-id-type") : NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  g_clear_pointer (&self->id_types, g_ptr_array_unref);
  self->id_types = g_ptr_array_new_with_free_func (g_free);
  gtk_string_list_append (labels, _("Choose…"));
  g_ptr_array_add (self->id_types, g_strdup (""));
  for (guint i = 0; field != NULL && field->choices != NULL && i < field->choices->len; i++)
    {
      EkFormChoice *choice = g_ptr_array_index (field->choices, i);

      gtk_string_list_append (labels, choice->label);
      g_ptr_array_add (self->id_types, g_strdup (choice->value));
    }
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->legal_rep_id_type), G_LIST_MODEL (labels));
}

static void
update_header (EkSealFormPage *self)
{
  const char *kind = ek_application_draft_get_string (draft_of (self), "seal-kind");
  const char *intro;

  gtk_label_set_text (self->title_label, g_str_equal (kind, "change") ? _("Seal change application")
                                         : g_str_equal (kind, "bind-user") ? _("Certificate binding application")
                                         : _("Electronic seal application"));
  if (is_submitted (self))
    intro = _("This application has been submitted and can no longer be changed. Go on to print and upload its confirmation letter.");
  else if (g_str_equal (kind, "change"))
    intro = _("For a new enterprise name or a new form of the company seal. Once the new seal is made, the old one is revoked.");
  else if (g_str_equal (kind, "bind-user"))
    intro = _("Binds the certificate you logged in with to the enterprise’s existing seal.");
  else
    intro = _("Fill in the enterprise’s and the applicant’s details; each is checked as you type.");
  gtk_label_set_text (self->intro_label, intro);
}

/* An ID number shows in full only while its field has the focus (the screen is seen by others) */
static void
show_id_number (EkSealFormPage *self,
                gboolean        focused)
{
  const char *value = ek_application_draft_get_string (draft_of (self), "legal-rep-id-number");
  g_autofree char *shown = focused || *value == '\0' ? g_strdup (value) : ek_mask_id_number (value);

  self->filling = TRUE;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->legal_rep_id_number)), shown) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->legal_rep_id_number), shown);
  self->filling = FALSE;
}

static void
on_id_number_focus_enter_cb (GtkEventControllerFocus *controller,
                             EkSealFormPage          *self)
{
  show_id_number (self, TRUE);
}

static void
on_id_number_focus_leave_cb (GtkEventControllerFocus *controller,
                             EkSealFormPage          *self)
{
  show_id_number (self, FALSE);
}

/* The draft into the controls */
static void
fill (EkSealFormPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  gboolean editable = !is_submitted (self);
  const char *subject = ek_application_draft_get_string (draft, "certificate-subject");

  self->filling = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    {
      FieldView *view = &self->views[i];
      const char *value = ek_application_draft_get_string (draft, view->name);

      if (GTK_IS_DROP_DOWN (view->control))
        {
          guint selected = 0;

          for (guint j = 0; j < self->id_types->len; j++)
            if (g_str_equal (g_ptr_array_index (self->id_types, j), value))
              selected = j;
          gtk_drop_down_set_selected (GTK_DROP_DOWN (view->control), selected);
          gtk_widget_set_sensitive (view->control, editable);
        }
      else
        {
          if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (view->control)), value) != 0)
            gtk_editable_set_text (GTK_EDITABLE (view->control), value);
          gtk_editable_set_editable (GTK_EDITABLE (view->control), editable);
        }
    }
  self->filling = FALSE;
  {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

    show_id_number (self, focus != NULL && (focus == self->legal_rep_id_number ||
                                            gtk_widget_is_ancestor (focus, self->legal_rep_id_number)));
  }
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    show_check (self, &self->views[i], *ek_application_draft_get_string (draft, self->views[i].name) != '\0');
  gtk_label_set_text (self->subject_label, *subject != '\0' ? subject : _("Log in with the key first: the subject is read from its certificate."));
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_button), editable);
  update_header (self);
  ek_page_set_complete (EK_PAGE (self), is_submitted (self));
}

/* ---- Submission ---- */

typedef struct
{
  char       *kind;
  JsonObject *form;
  char       *key;
} CreateData;

static void
create_data_free (CreateData *d)
{
  g_free (d->kind);
  json_object_unref (d->form);
  g_free (d->key);
  g_free (d);
}

static gpointer
create_call (EkApiClient   *client,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CreateData *d = data;

  return ek_api_client_create_seal_request_sync (client, d->kind, d->form, d->key, cancellable, error);
}

static void
set_busy (EkSealFormPage *self,
          gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), !busy);
}

/* The service's messages on fields go under them */
static gboolean
show_field_errors (EkSealFormPage *self,
                   const GError   *error)
{
  const EkApiProblem *problem = ek_api_error_get_problem (error);
  FieldView *first = NULL;
  guint n;
  const EkSealField *fields = ek_seal_get_fields (&n);

  for (guint i = 0; problem != NULL && i < n; i++)
    {
      g_autofree char *path = g_strconcat ("fields/", fields[i].api_name, NULL);
      const EkApiFieldError *e = ek_api_problem_lookup_field (problem, path);
      FieldView *view;

      if (e == NULL)
        e = ek_api_problem_lookup_field (problem, fields[i].api_name);
      view = e != NULL ? view_for_name (self, fields[i].draft_name) : NULL;
      if (view == NULL)
        continue;
      g_free (view->server_message);
      view->server_message = g_strdup (e->message);
      show_check (self, view, TRUE);
      if (first == NULL)
        first = view;
    }
  if (first != NULL)
    gtk_widget_grab_focus (first->control);
  return first != NULL;
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkSealFormPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSealRequest) request = ek_seal_call_finish (result, &error);
  EkApplicationDraft *draft;

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (request == NULL)
    {
      show_field_errors (self, error);
      show_error (self, error->message);
      return;
    }
  draft = draft_of (self);
  ek_application_draft_set_string (draft, "application-id", request->id);
  ek_application_draft_set_string (draft, "status", request->state);
  ek_application_draft_set_string (draft, "create-key", "");
  show_error (self, NULL);
  fill (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "seal-letter");
}

static void
submit (EkSealFormPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  CreateData *d = g_new0 (CreateData, 1);

  if (*ek_application_draft_get_string (draft, "create-key") == '\0')
    {
      g_autofree char *key = g_uuid_string_random ();
      ek_application_draft_set_string (draft, "create-key", key);
    }
  d->kind = g_strdup (ek_application_draft_get_string (draft, "seal-kind"));
  if (*d->kind == '\0')
    {
      g_free (d->kind);
      d->kind = g_strdup ("apply");
    }
  d->form = ek_seal_form_from_draft (draft);
  d->key = g_strdup (ek_application_draft_get_string (draft, "create-key"));
  set_busy (self, TRUE);
  show_error (self, NULL);
  ek_seal_call_async (GTK_WIDGET (self), create_call, d, (GDestroyNotify) create_data_free, (GDestroyNotify) ek_seal_request_free,
                      self->cancellable, created_cb, g_object_ref (self));
}

static void
on_confirm_response_cb (GtkDialog      *dialog,
                        int             response,
                        EkSealFormPage *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    submit (self);
  else
    gtk_widget_grab_focus (self->views[0].control);
}

/* Everything once more, with the seed's warning (ID numbers masked: the screen is seen by others) */
static char *
summary_text (EkSealFormPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    {
      FieldView *view = &self->views[i];
      const char *value = ek_application_draft_get_string (draft, view->name);
      g_autofree char *shown = NULL;
      g_autofree char *label = g_strdup (gtk_label_get_text (GTK_LABEL (view->label)));
      char *star = strchr (label, '*');

      /* without the "required" star and the mnemonic after it */
      if (star != NULL)
        *star = '\0';
      g_strchomp (label);
      if (GTK_IS_DROP_DOWN (view->control))
        {
          GObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (view->control));
          shown = g_strdup (item != NULL ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : value);
        }
      else
        shown = g_str_equal (view->name, "legal-rep-id-number") ? ek_mask_id_number (value) : g_strdup (value);
      g_string_append_printf (text, "%s: %s\n", label, shown);
    }
  g_string_append_printf (text, "%s: %s\n\n", _("Certificate subject"),
                          ek_application_draft_get_string (draft, "certificate-subject"));
  g_string_append (text, _("Once submitted, the information can no longer be changed."));
  return g_string_free (text, FALSE);
}

static void
on_confirm_button_clicked_cb (GtkButton      *button,
                              EkSealFormPage *self)
{
  FieldView *first_invalid = NULL;
  GtkWidget *dialog;
  g_autofree char *summary = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->busy || is_submitted (self))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    if (!show_check (self, &self->views[i], TRUE) && first_invalid == NULL)
      first_invalid = &self->views[i];
  if (first_invalid != NULL)
    {
      show_error (self, _("Some fields are not right yet: each says why under it."));
      gtk_widget_grab_focus (first_invalid->control);
      return;
    }
  show_error (self, NULL);
  summary = summary_text (self);
  dialog = gtk_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s",
                                   _("Please check the application"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", summary);
  gtk_dialog_add_buttons (GTK_DIALOG (dialog),
                          _("_Go back and check"), GTK_RESPONSE_CANCEL,
                          _("_I have checked it: submit"), GTK_RESPONSE_ACCEPT,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  gtk_widget_set_name (dialog, "seal-confirm-dialog");
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Please check the application"), -1);
  g_signal_connect (dialog, "response", G_CALLBACK (on_confirm_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ek_seal_form_page_shown (EkPage *page)
{
  EkSealFormPage *self = EK_SEAL_FORM_PAGE (page);

  fill (self);
  gtk_widget_grab_focus (self->views[0].control);
}

static void
ek_seal_form_page_dispose (GObject *object)
{
  EkSealFormPage *self = EK_SEAL_FORM_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->id_types, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    g_clear_pointer (&self->views[i].server_message, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_SEAL_FORM_PAGE);
  G_OBJECT_CLASS (ek_seal_form_page_parent_class)->dispose (object);
}

#define BIND_FIELD(name) \
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, name); \
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, name##_check); \
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, name##_label)

static void
ek_seal_form_page_class_init (EkSealFormPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_seal_form_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_seal_form_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-seal-form-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, fields_box);
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, subject_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealFormPage, title_label);
  BIND_FIELD (enterprise_name);
  BIND_FIELD (enterprise_code);
  BIND_FIELD (legal_rep_name);
  BIND_FIELD (legal_rep_id_type);
  BIND_FIELD (legal_rep_id_number);
  BIND_FIELD (user_name);
  BIND_FIELD (contact_address);
  BIND_FIELD (mobile);
  BIND_FIELD (landline);
  BIND_FIELD (email);
  BIND_FIELD (postcode);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_id_type_selected_cb);
}

static void
ek_seal_form_page_init (EkSealFormPage *self)
{
  GtkWidget *controls[11], *checks[11], *labels[11];

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->filling = TRUE;
  build_id_types (self);
  self->filling = FALSE;
  {
    GtkWidget *c[] = { self->enterprise_name, self->enterprise_code, self->legal_rep_name, self->legal_rep_id_type,
                       self->legal_rep_id_number, self->user_name, self->contact_address, self->mobile, self->landline,
                       self->email, self->postcode };
    GtkWidget *k[] = { self->enterprise_name_check, self->enterprise_code_check, self->legal_rep_name_check,
                       self->legal_rep_id_type_check, self->legal_rep_id_number_check, self->user_name_check,
                       self->contact_address_check, self->mobile_check, self->landline_check, self->email_check,
                       self->postcode_check };
    GtkWidget *l[] = { self->enterprise_name_label, self->enterprise_code_label, self->legal_rep_name_label,
                       self->legal_rep_id_type_label, self->legal_rep_id_number_label, self->user_name_label,
                       self->contact_address_label, self->mobile_label, self->landline_label, self->email_label,
                       self->postcode_label };
    memcpy (controls, c, sizeof controls);
    memcpy (checks, k, sizeof checks);
    memcpy (labels, l, sizeof labels);
  }
  {
    GtkEventController *focus = gtk_event_controller_focus_new ();

    g_signal_connect (focus, "enter", G_CALLBACK (on_id_number_focus_enter_cb), self);
    g_signal_connect (focus, "leave", G_CALLBACK (on_id_number_focus_leave_cb), self);
    gtk_widget_add_controller (self->legal_rep_id_number, focus);
  }
  for (guint i = 0; i < G_N_ELEMENTS (self->views); i++)
    {
      self->views[i].control = controls[i];
      self->views[i].check = checks[i];
      self->views[i].label = labels[i];
      self->views[i].name = gtk_widget_get_name (controls[i]);
      g_assert (api_name (self->views[i].name) != NULL);
    }
}

EkPage *
ek_seal_form_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_SEAL_FORM_PAGE, "draft", draft, "title", _("Seal application"), NULL);
}
