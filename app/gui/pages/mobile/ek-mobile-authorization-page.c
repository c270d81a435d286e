/* ek-mobile-authorization-page.c: the wizard step “Authorise the phone” (seed 002, 用户授权信息)
 *
 * The enterprise and the login name as confirmed on the information page; 证书类型 from the
 * licence type; 业务类型: 新授权 while the enterprise has no phone certificate in use, else
 * 手机号码变更 (the old number's certificate is revoked when the request is submitted) or 手机变更
 * (another phone gets one); 旧授权手机号码 with the seed's warning, checked against the numbers in
 * use; 新授权手机号码. Every value goes to the draft as it is typed. 授权 asks the seed's question
 * (“提交后信息将不能做更改”) and saves the request as 请求待提交 with an idempotency key kept in
 * the draft, so a retry or a restart never makes a second one; Next is then the history, where
 * the request is submitted.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-types.h"
#include "ek-mobile-authorization-page.h"
#include "ek-mobile-common.h"
#include "ek-ui-helpers.h"
#include "ek-validators.h"

static const char * const licence_types[] = {
  EK_LICENCE_NON_ELECTROMECHANICAL, EK_LICENCE_ELECTROMECHANICAL, EK_LICENCE_USED_CAR_EXPORT,
};

struct _EkMobileAuthorizationPage
{
  EkPage          parent_instance;

  GCancellable   *cancellable;
  GPtrArray      *list;       /* EkMobileAuthorization*, or NULL until loaded */
  gboolean        busy;
  gboolean        syncing;

  GtkButton      *authorize_button;
  GtkLabel       *code13_value;
  GtkLabel       *done_label;
  GtkLabel       *enterprise_value;
  GtkLabel       *error_label;
  GtkCheckButton *kind_new_check;
  GtkCheckButton *kind_number_check;
  GtkCheckButton *kind_phone_check;
  GtkDropDown    *licence_drop;
  GtkLabel       *licence_label;
  GtkLabel       *login_value;
  GtkEntry       *new_entry;
  GtkLabel       *new_label;
  GtkLabel       *new_message;
  GtkWidget      *old_box;
  GtkEntry       *old_entry;
  GtkLabel       *old_label;
  GtkLabel       *old_message;
  GtkSpinner     *spinner;
  GtkLabel       *uscc_value;
};

G_DEFINE_FINAL_TYPE (EkMobileAuthorizationPage, ek_mobile_authorization_page, EK_TYPE_PAGE)

static EkApplicationDraft *
draft_of (EkMobileAuthorizationPage *self)
{
  return ek_page_get_draft (EK_PAGE (self));
}

static const char *
kind (EkMobileAuthorizationPage *self)
{
  if (gtk_check_button_get_active (self->kind_number_check))
    return "number-change";
  if (gtk_check_button_get_active (self->kind_phone_check))
    return "phone-change";
  return "new";
}

static gboolean
is_active_number (EkMobileAuthorizationPage *self,
                  const char                *mobile)
{
  return ek_mobile_authorizations_find_active (self->list, mobile) != NULL;
}

static void
set_message (GtkWidget  *entry,
             GtkLabel   *label,
             const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                               message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* The numbers' checks as typed: NULL when fine; a message is shown once the field holds text */
static const char *
check_number (EkMobileAuthorizationPage *self,
              const char                *text,
              gboolean                   old)
{
  EkCheck check;

  if (text == NULL || *text == '\0')
    return ek_field_problem_message (EK_FIELD_PROBLEM_REQUIRED, NULL);
  check = ek_mobile_check (text);
  if (check.validity == EK_VALIDITY_INVALID)
    return ek_field_problem_message (check.problem, NULL);
  if (self->list == NULL)
    return NULL;
  if (old && !is_active_number (self, text))
    return _("This number holds no mobile certificate of the enterprise: type a number shown on the first page of this business.");
  if (!old && is_active_number (self, text))
    return _("This number already holds a certificate: renew or cancel it from the first page of this business instead.");
  if (!old && g_str_equal (kind (self), "number-change") &&
      g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (self->old_entry))) == 0)
    return _("The new number must differ from the old one.");
  return NULL;
}

static gboolean
validate (EkMobileAuthorizationPage *self)
{
  const char *old_text = gtk_editable_get_text (GTK_EDITABLE (self->old_entry));
  const char *new_text = gtk_editable_get_text (GTK_EDITABLE (self->new_entry));
  gboolean number_change = g_str_equal (kind (self), "number-change");
  const char *old_problem = number_change ? check_number (self, old_text, TRUE) : NULL;
  const char *new_problem = check_number (self, new_text, FALSE);
  gboolean ok = self->list != NULL && old_problem == NULL && new_problem == NULL;
  EkApplicationDraft *draft = draft_of (self);

  gtk_widget_set_visible (self->old_box, number_change);
  set_message (GTK_WIDGET (self->old_entry), self->old_message, *old_text != '\0' ? old_problem : NULL);
  set_message (GTK_WIDGET (self->new_entry), self->new_message, *new_text != '\0' ? new_problem : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->authorize_button), ok && !self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->done_label),
                          *ek_application_draft_get_string (draft, "mobile-request-id") != '\0');
  ek_page_set_complete (EK_PAGE (self), *ek_application_draft_get_string (draft, "mobile-request-id") != '\0');
  return ok;
}

/* A change to what the request says: it is another request from now on */
static void
edited (EkMobileAuthorizationPage *self)
{
  EkApplicationDraft *draft = draft_of (self);

  if (self->syncing)
    return;
  ek_application_draft_set_string (draft, "mobile-kind", kind (self));
  ek_application_draft_set_string (draft, "mobile-old", gtk_editable_get_text (GTK_EDITABLE (self->old_entry)));
  ek_application_draft_set_string (draft, "mobile-new", gtk_editable_get_text (GTK_EDITABLE (self->new_entry)));
  ek_application_draft_set_string (draft, "licence-type", licence_types[MIN (gtk_drop_down_get_selected (self->licence_drop),
                                                                             G_N_ELEMENTS (licence_types) - 1)]);
  ek_application_draft_set_string (draft, "mobile-request-id", "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  validate (self);
}

static void
on_entry_changed_cb (GtkEditable               *editable,
                     EkMobileAuthorizationPage *self)
{
  edited (self);
}

static void
on_entry_activate_cb (GtkEntry                  *entry,
                      EkMobileAuthorizationPage *self)
{
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->authorize_button)))
    gtk_widget_activate (GTK_WIDGET (self->authorize_button));
}

static void
on_kind_toggled_cb (GtkCheckButton            *button,
                    EkMobileAuthorizationPage *self)
{
  if (gtk_check_button_get_active (button))
    edited (self);
}

static void
on_licence_drop_selected_cb (GtkDropDown               *drop,
                             GParamSpec                *pspec,
                             EkMobileAuthorizationPage *self)
{
  edited (self);
}

/* The draft's values into the controls, and the kinds the enterprise's state allows */
static void
sync_from_draft (EkMobileAuthorizationPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  g_autoptr(GPtrArray) active = ek_mobile_active (self->list);
  const char *saved_kind = ek_application_draft_get_string (draft, "mobile-kind");
  const char *licence = ek_application_draft_get_string (draft, "licence-type");
  const char *code13 = ek_application_draft_get_string (draft, "enterprise-code");
  gboolean any = active->len > 0;

  self->syncing = TRUE;
  gtk_label_set_text (self->enterprise_value, ek_application_draft_get_string (draft, "enterprise-name"));
  gtk_label_set_text (self->code13_value, *code13 != '\0' ? code13 : "—");
  gtk_label_set_text (self->uscc_value, ek_application_draft_get_string (draft, "credit-code"));
  gtk_label_set_text (self->login_value, ek_application_draft_get_string (draft, "login-name"));
  for (guint i = 0; i < G_N_ELEMENTS (licence_types); i++)
    if (g_str_equal (licence, licence_types[i]))
      gtk_drop_down_set_selected (self->licence_drop, i);

  /* 新授权 for the first phone; then a number or a phone change */
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_new_check), !any);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_number_check), any);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_phone_check), any);
  if (!any)
    gtk_check_button_set_active (self->kind_new_check, TRUE);
  else if (g_str_equal (saved_kind, "phone-change"))
    gtk_check_button_set_active (self->kind_phone_check, TRUE);
  else
    gtk_check_button_set_active (self->kind_number_check, TRUE);

  if (*ek_application_draft_get_string (draft, "mobile-old") != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->old_entry), ek_application_draft_get_string (draft, "mobile-old"));
  else if (any)
    gtk_editable_set_text (GTK_EDITABLE (self->old_entry), ((EkMobileAuthorization *) g_ptr_array_index (active, 0))->mobile);
  gtk_editable_set_text (GTK_EDITABLE (self->new_entry), ek_application_draft_get_string (draft, "mobile-new"));
  self->syncing = FALSE;
  /* Until the enterprise's phones are known, the kinds offered are not: keep the draft's */
  if (self->list == NULL)
    {
      validate (self);
      return;
    }
  /* what the controls now say, without forgetting a request already saved */
  ek_application_draft_set_string (draft, "mobile-kind", kind (self));
  ek_application_draft_set_string (draft, "mobile-old", gtk_editable_get_text (GTK_EDITABLE (self->old_entry)));
  ek_application_draft_set_string (draft, "licence-type", licence_types[MIN (gtk_drop_down_get_selected (self->licence_drop),
                                                                             G_N_ELEMENTS (licence_types) - 1)]);
  validate (self);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EkMobileAuthorizationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *list = ek_mobile_call_run_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&list, g_ptr_array_unref);
      return;
    }
  self->busy = FALSE;
  if (list == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      validate (self);
      return;
    }
  g_clear_pointer (&self->list, g_ptr_array_unref);
  self->list = list;
  sync_from_draft (self);
}

/* The service's word on the request: its message, and each field's under the field (the
 * information page's fields keep theirs until edited) */
static void
show_failure (EkMobileAuthorizationPage *self,
              const GError              *error)
{
  const EkApiProblem *problem = ek_api_error_get_problem (error);
  g_autoptr(GString) text = g_string_new (error->message);

  for (guint i = 0; problem != NULL && i < problem->field_errors->len; i++)
    {
      EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);
      const char *field = ek_mobile_draft_field_for (fe->field);

      if (field != NULL)
        ek_application_draft_set_server_error (draft_of (self), field, fe->message);
      g_string_append_printf (text, "\n· %s", fe->message);
    }
  gtk_label_set_text (self->error_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkMobileAuthorizationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMobileAuthorization) a = ek_mobile_call_run_finish (result, &error);
  EkApplicationDraft *draft;

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  draft = draft_of (self);
  self->busy = FALSE;
  if (a == NULL)
    {
      show_failure (self, error);
      validate (self);
      return;
    }
  ek_application_draft_set_string (draft, "create-key", "");
  ek_application_draft_set_string (draft, "mobile-request-id", a->id);
  validate (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static void
confirmed_cb (gpointer data)
{
  EkMobileAuthorizationPage *self = data;
  EkApplicationDraft *draft = draft_of (self);
  EkMobileCall *call;

  if (self->cancellable == NULL || !validate (self))
    return;
  /* Made before the first try and kept until the answer: a retry is the same request */
  if (*ek_application_draft_get_string (draft, "create-key") == '\0')
    {
      g_autofree char *key = g_uuid_string_random ();
      ek_application_draft_set_string (draft, "create-key", key);
    }
  call = ek_mobile_call_new (EK_MOBILE_CALL_CREATE);
  call->request_kind = g_strdup (kind (self));
  call->mobile = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_entry)));
  if (g_str_equal (call->request_kind, "number-change"))
    call->old_mobile = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->old_entry)));
  call->licence_type = g_strdup (ek_application_draft_get_string (draft, "licence-type"));
  call->applicant = ek_mobile_applicant_from_draft (draft);
  call->idempotency_key = g_strdup (ek_application_draft_get_string (draft, "create-key"));
  self->busy = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  validate (self);
  ek_mobile_call_run_async (GTK_WIDGET (self), call, self->cancellable, created_cb, g_object_ref (self));
}

static void
on_authorize_button_clicked_cb (GtkButton                 *button,
                                EkMobileAuthorizationPage *self)
{
  if (!validate (self) || self->busy)
    return;
  ek_mobile_confirm (GTK_WIDGET (self), _("Submit the application?"),
                     _("Please check the information again: it cannot be changed once submitted. Save and submit it?"),
                     _("I have checked it: submit"), _("Go back and check"),
                     confirmed_cb, g_object_ref (self), g_object_unref);
}

static void
ek_mobile_authorization_page_shown (EkPage *page)
{
  EkMobileAuthorizationPage *self = EK_MOBILE_AUTHORIZATION_PAGE (page);

  sync_from_draft (self);
  self->busy = TRUE;
  validate (self);
  ek_mobile_call_run_async (GTK_WIDGET (self), ek_mobile_call_new (EK_MOBILE_CALL_LIST), self->cancellable, list_cb, g_object_ref (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->new_entry));
}

static void
ek_mobile_authorization_page_dispose (GObject *object)
{
  EkMobileAuthorizationPage *self = EK_MOBILE_AUTHORIZATION_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->list, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_MOBILE_AUTHORIZATION_PAGE);
  G_OBJECT_CLASS (ek_mobile_authorization_page_parent_class)->dispose (object);
}

static void
ek_mobile_authorization_page_class_init (EkMobileAuthorizationPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_mobile_authorization_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_mobile_authorization_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-mobile-authorization-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, authorize_button);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, code13_value);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, done_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, enterprise_value);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, kind_new_check);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, kind_number_check);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, kind_phone_check);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, licence_drop);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, licence_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, login_value);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, new_entry);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, new_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, new_message);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, old_box);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, old_entry);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, old_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, old_message);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkMobileAuthorizationPage, uscc_value);
  gtk_widget_class_bind_template_callback (widget_class, on_authorize_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_licence_drop_selected_cb);
}

static void
ek_mobile_authorization_page_init (EkMobileAuthorizationPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* GTK 4.8 reads a mnemonic button's label and then its own name: the name (the template's,
   * without the Alt key) only */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->authorize_button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  self->cancellable = g_cancellable_new ();
  ek_ui_name_field (GTK_WIDGET (self->licence_drop), GTK_WIDGET (self->licence_label), NULL, TRUE);
  ek_ui_name_field (GTK_WIDGET (self->old_entry), GTK_WIDGET (self->old_label), NULL, TRUE);
  ek_ui_name_field (GTK_WIDGET (self->new_entry), GTK_WIDGET (self->new_label), NULL, TRUE);
  ek_ui_name_inner_controls (GTK_WIDGET (self));
}

EkPage *
ek_mobile_authorization_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_MOBILE_AUTHORIZATION_PAGE, "draft", draft, "title", _("Authorise the phone"), NULL);
}
