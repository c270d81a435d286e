/* ek-account-page.c: the account step of a first application
 *
 * "I have no account yet": register (credit code, enterprise name, licence type, login name by
 * the licence type's rule, email, mobile, contact), then type the activation code from the email,
 * then log in. "I already have an account": log in with the code, login name and captcha.
 * Every value is checked as it is typed with the validators the server uses; a field the server
 * rejects shows the server's message under that field. What is typed here fills the draft, so
 * the application form starts filled in. The step is complete once the client holds a session.
 *
 * The page is a template (ui/pages/account/ek-account-page.ui); C only fills in what depends on
 * the draft, the licence type and the service's answers.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-account-page.h"
#include "ek-login-form.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-validators.h"

typedef struct
{
  const char *api_name;     /* the name in AccountRegistration */
  const char *draft_field;  /* the draft field it fills, or NULL */
  GtkWidget  *entry;
  GtkLabel   *message;
  char       *server_error; /* until the value changes */
} Field;

enum { F_USCC, F_NAME, F_LOGIN, F_EMAIL, F_MOBILE, F_CONTACT, N_FIELDS };

static const struct
{
  const char *api_name;
  const char *draft_field;
  gboolean    required;
} field_names[N_FIELDS] = {
  [F_USCC]    = { "uscc", "credit-code", TRUE },
  [F_NAME]    = { "enterprise_name", "enterprise-name", TRUE },
  [F_LOGIN]   = { "login_name", "login-name", TRUE },
  [F_EMAIL]   = { "email", "email", TRUE },
  [F_MOBILE]  = { "mobile", "mobile", FALSE },
  [F_CONTACT] = { "contact_name", NULL, FALSE },
};

static const char * const licence_ids[] = {
  "non-electromechanical", "electromechanical", "used-car-export", NULL
};

struct _EkAccountPage
{
  EkPage            parent_instance;

  EkApiClient *client;
  GCancellable     *cancellable;
  Field             fields[N_FIELDS];
  gboolean          login_edited;   /* the login name was typed, not copied from the email */
  gboolean          syncing;

  GtkWidget        *login_form;

  /* Template children */
  GtkButton        *activate_button;
  GtkLabel         *activate_error;
  GtkLabel         *activate_intro;
  GtkEntry         *activation_entry;
  GtkEntry         *contact_entry;
  GtkLabel         *contact_message;
  GtkLabel         *done_label;
  GtkEntry         *email_entry;
  GtkLabel         *email_message;
  GtkDropDown      *licence_dropdown;
  GtkLabel         *licence_hint;
  GtkEntry         *login_entry;
  GtkBox           *login_box;
  GtkLabel         *login_message;
  GtkEntry         *mobile_entry;
  GtkLabel         *mobile_message;
  GtkEntry         *name_entry;
  GtkLabel         *name_message;
  GtkButton        *register_button;
  GtkLabel         *register_error;
  GtkLabel         *service_error;
  GtkSpinner       *spinner;
  GtkStack         *stack;
  GtkEntry         *uscc_entry;
  GtkLabel         *uscc_message;
};

G_DEFINE_FINAL_TYPE (EkAccountPage, ek_account_page, EK_TYPE_PAGE)

static const char *
current_licence (EkAccountPage *self)
{
  guint i = gtk_drop_down_get_selected (self->licence_dropdown);

  return i < G_N_ELEMENTS (licence_ids) - 1 ? licence_ids[i] : licence_ids[0];
}

static const char *
field_text (EkAccountPage *self,
            guint          i)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->fields[i].entry));
}

static void
set_message (Field      *field,
             const char *message,
             gboolean    is_error)
{
  gtk_label_set_label (field->message, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (field->message), message != NULL && *message != '\0');
  if (is_error)
    {
      gtk_widget_add_css_class (field->entry, "error");
      gtk_widget_add_css_class (GTK_WIDGET (field->message), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (field->message), "warning");
    }
  else
    {
      gtk_widget_remove_css_class (field->entry, "error");
      gtk_widget_remove_css_class (GTK_WIDGET (field->message), "error");
      gtk_widget_add_css_class (GTK_WIDGET (field->message), "warning");
    }
  /* The message is the field's description through the template's described-by relation */
  gtk_accessible_update_state (GTK_ACCESSIBLE (field->entry), GTK_ACCESSIBLE_STATE_INVALID,
                               is_error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
}

/* Check one field as typed: VALID, a warning (shown, not blocking) or an error */
static EkCheck
check_field (EkAccountPage *self,
             guint          i)
{
  const char *text = field_text (self, i);
  gboolean blank = *text == '\0';
  g_autofree char *code = NULL;

  switch (i)
    {
    case F_USCC:
      code = ek_normalize_code (text);
      return ek_uscc_check (code);
    case F_NAME:
      return (EkCheck) { blank ? EK_VALIDITY_INVALID : EK_VALIDITY_VALID,
                         blank ? EK_FIELD_PROBLEM_REQUIRED : EK_FIELD_PROBLEM_NONE };
    case F_LOGIN:
      return ek_login_name_check (text, current_licence (self));
    case F_EMAIL:
      return ek_email_check (text);
    case F_MOBILE:
      if (blank)
        return (EkCheck) { EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE };
      return ek_mobile_check (text);
    default:
      return (EkCheck) { EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE };
    }
}

static gboolean
validate (EkAccountPage *self,
          gboolean       show_blank)
{
  gboolean all_ok = TRUE;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      Field *field = &self->fields[i];
      EkCheck check = check_field (self, i);
      gboolean blank = *field_text (self, i) == '\0';

      if (field->server_error != NULL)
        {
          set_message (field, field->server_error, TRUE);
          all_ok = FALSE;
          continue;
        }
      if (check.validity == EK_VALIDITY_INVALID)
        all_ok = FALSE;
      if (check.validity == EK_VALIDITY_VALID || (blank && !show_blank))
        set_message (field, NULL, FALSE);
      else
        set_message (field, ek_field_problem_message (check.problem, NULL),
                     check.validity == EK_VALIDITY_INVALID);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->register_button),
                            all_ok && !gtk_spinner_get_spinning (self->spinner));
  return all_ok;
}

static void
update_licence_hint (EkAccountPage *self)
{
  const char *licence = current_licence (self);
  const char *hint;

  if (g_str_equal (licence, "non-electromechanical"))
    hint = _("Your login name is the registration email.");
  else if (g_str_equal (licence, "electromechanical"))
    hint = _("Your login name is the enterprise's existing electromechanical account.");
  else
    hint = _("Your login name is the unified-platform account, or the registration email.");
  gtk_label_set_label (self->licence_hint, hint);
}

static void
on_field_changed_cb (GtkEditable   *editable,
                     EkAccountPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));

  for (guint i = 0; i < N_FIELDS; i++)
    {
      Field *field = &self->fields[i];

      if (field->entry != GTK_WIDGET (editable))
        continue;
      g_clear_pointer (&field->server_error, g_free);
      if (field->draft_field != NULL)
        {
          g_autofree char *value = i == F_USCC ? ek_normalize_code (field_text (self, i))
                                               : g_strdup (field_text (self, i));
          ek_application_draft_set_string (draft, field->draft_field, value);
        }
      if (i == F_LOGIN && !self->syncing)
        self->login_edited = *field_text (self, i) != '\0';
      /* With a non-electromechanical licence the login name is the email: follow it until typed */
      if (i == F_EMAIL && !self->login_edited &&
          !g_str_equal (current_licence (self), "electromechanical"))
        {
          self->syncing = TRUE;
          gtk_editable_set_text (GTK_EDITABLE (self->fields[F_LOGIN].entry), field_text (self, i));
          self->syncing = FALSE;
        }
    }
  validate (self, FALSE);
}

static void
on_licence_dropdown_notify_selected_cb (EkAccountPage *self)
{
  if (self->syncing)
    return;
  ek_application_draft_set_string (ek_page_get_draft (EK_PAGE (self)), "licence-type", current_licence (self));
  update_licence_hint (self);
  validate (self, FALSE);
}

static void
set_busy (EkAccountPage *self,
          gboolean       busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->activate_button), !busy);
  validate (self, FALSE);
}

static void
show_label (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

/* Registration */

typedef struct
{
  char *uscc, *name, *login, *licence, *email, *mobile, *contact;
} Registration;

static void
registration_free (gpointer p)
{
  Registration *r = p;

  g_free (r->uscc);
  g_free (r->name);
  g_free (r->login);
  g_free (r->licence);
  g_free (r->email);
  g_free (r->mobile);
  g_free (r->contact);
  g_free (r);
}

static void
register_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
  Registration *r = data;

  ek_api_client_register_account_async (client, r->uscc, r->name, r->login, r->licence, r->email,
                                             r->mobile, r->contact, cancellable, callback, user_data);
}

static gpointer
register_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return GINT_TO_POINTER (ek_api_client_register_account_finish (client, result, error));
}

/* The first field whose value stops the registration, or the Register button */
static void
focus_first_problem (EkAccountPage *self)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (self->fields[i].server_error != NULL || check_field (self, i).validity == EK_VALIDITY_INVALID)
      {
        gtk_widget_grab_focus (self->fields[i].entry);
        return;
      }
  gtk_widget_grab_focus (GTK_WIDGET (self->register_button));
}

/* Server field errors go under the field they name; returns whether any did */
static gboolean
show_field_errors (EkAccountPage *self,
                   const GError  *error)
{
  const EkApiProblem *problem = ek_api_error_get_problem (error);
  gboolean shown = FALSE;

  if (problem == NULL || problem->field_errors == NULL)
    return FALSE;
  for (guint i = 0; i < problem->field_errors->len; i++)
    {
      EkApiFieldError *fe = g_ptr_array_index (problem->field_errors, i);
      const char *name = fe->field != NULL ? fe->field : "";

      if (g_str_has_prefix (name, "fields/"))
        name += strlen ("fields/");
      for (guint f = 0; f < N_FIELDS; f++)
        if (g_str_equal (self->fields[f].api_name, name))
          {
            g_free (self->fields[f].server_error);
            self->fields[f].server_error = g_strdup (fe->message);
            shown = TRUE;
          }
    }
  validate (self, TRUE);
  return shown;
}

static void
on_register_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *intro = NULL;

  if (ek_api_call_run_finish (result, &error) == NULL &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (error != NULL)
    {
      if (show_field_errors (self, error))
        show_label (self->register_error, _("The registration system did not accept some of the values: see the messages under the fields."));
      else
        show_label (self->register_error, error->message);
      /* Typing goes on in a field (the first one the service rejected), never into the message */
      focus_first_problem (self);
      return;
    }

  show_label (self->register_error, NULL);
  /* Translators: %s is the email address the activation code was sent to */
  intro = g_strdup_printf (_("An activation code has been sent to %s. Type it here to activate the account."),
                           field_text (self, F_EMAIL));
  gtk_label_set_label (self->activate_intro, intro);
  ek_account_page_set_mode (self, "activate");
}

static void
on_register_button_clicked_cb (EkAccountPage *self)
{
  Registration *r;

  if (!validate (self, TRUE))
    {
      focus_first_problem (self);
      return;
    }
  r = g_new0 (Registration, 1);
  r->uscc = ek_normalize_code (field_text (self, F_USCC));
  r->name = g_strstrip (g_strdup (field_text (self, F_NAME)));
  r->login = g_strstrip (g_strdup (field_text (self, F_LOGIN)));
  r->licence = g_strdup (current_licence (self));
  r->email = g_strstrip (g_strdup (field_text (self, F_EMAIL)));
  r->mobile = *field_text (self, F_MOBILE) ? g_strstrip (g_strdup (field_text (self, F_MOBILE))) : NULL;
  r->contact = *field_text (self, F_CONTACT) ? g_strstrip (g_strdup (field_text (self, F_CONTACT))) : NULL;

  ek_application_draft_set_string (ek_page_get_draft (EK_PAGE (self)), "licence-type", r->licence);
  show_label (self->register_error, NULL);
  ek_ui_restart_cancellable (&self->cancellable);
  set_busy (self, TRUE);
  ek_api_call_run (GTK_WIDGET (self), register_start, register_finish, NULL, r, registration_free,
                   self->cancellable, on_register_cb, g_object_ref (self));
}

/* Enter in any field of the form registers, as the default button promises */
static void
on_field_activate_cb (EkAccountPage *self)
{
  on_register_button_clicked_cb (self);
}

/* Activation */

typedef struct
{
  char *uscc, *login, *code;
} Activation;

static void
activation_free (gpointer p)
{
  Activation *a = p;

  g_free (a->uscc);
  g_free (a->login);
  g_free (a->code);
  g_free (a);
}

static void
activate_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
  Activation *a = data;

  ek_api_client_activate_account_async (client, a->uscc, a->login, a->code, cancellable, callback, user_data);
}

static gpointer
activate_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return GINT_TO_POINTER (ek_api_client_activate_account_finish (client, result, error));
}

static void
on_activate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ek_api_call_run_finish (result, &error) == NULL &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup (error->message);

      /* The service says what is wrong with the code and what to do */
      show_label (self->activate_error, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->activation_entry));
      gtk_editable_select_region (GTK_EDITABLE (self->activation_entry), 0, -1);
      return;
    }
  show_label (self->activate_error, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->activation_entry), "");
  ek_login_form_set_values (EK_LOGIN_FORM (self->login_form),
                            ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "credit-code"),
                            field_text (self, F_LOGIN));
  ek_account_page_set_mode (self, "login");
}

static void
on_activate_button_clicked_cb (EkAccountPage *self)
{
  Activation *a;
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->activation_entry));

  if (*code == '\0')
    {
      show_label (self->activate_error, _("Type the activation code from the email."));
      return;
    }
  a = g_new0 (Activation, 1);
  a->uscc = ek_normalize_code (field_text (self, F_USCC));
  a->login = g_strstrip (g_strdup (field_text (self, F_LOGIN)));
  a->code = g_strstrip (g_strdup (code));
  show_label (self->activate_error, NULL);
  ek_ui_restart_cancellable (&self->cancellable);
  set_busy (self, TRUE);
  ek_api_call_run (GTK_WIDGET (self), activate_start, activate_finish, NULL, a, activation_free,
                   self->cancellable, on_activate_cb, g_object_ref (self));
}

static void
on_activation_entry_activate_cb (EkAccountPage *self)
{
  on_activate_button_clicked_cb (self);
}

/* Session */

static void
update_complete (EkAccountPage *self)
{
  gboolean logged_in = self->client != NULL && ek_api_client_has_session (self->client);

  ek_page_set_complete (EK_PAGE (self), logged_in);
  if (logged_in)
    {
      g_autofree char *text = NULL;

      /* Translators: %s is the login name */
      text = g_strdup_printf (_("You are logged in to the registration system as %s. Press Next to fill in the application."),
                              ek_api_client_get_login_name (self->client));
      gtk_label_set_label (self->done_label, text);
      if (!g_str_equal (gtk_stack_get_visible_child_name (self->stack), "done"))
        gtk_stack_set_visible_child_name (self->stack, "done");
    }
  else if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "done"))
    gtk_stack_set_visible_child_name (self->stack, "choose");
}

static void
ensure_client (EkAccountPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->client != NULL)
    return;
  self->client = ek_api_call_get_client (&error);
  if (self->client == NULL)
    {
      show_label (self->service_error, error->message);
      return;
    }
  show_label (self->service_error, NULL);
  g_signal_connect_object (self->client, "session-changed", G_CALLBACK (update_complete), self, G_CONNECT_SWAPPED);
  update_complete (self);
}

static void
ek_account_page_shown (EkPage *page)
{
  EkAccountPage *self = EK_ACCOUNT_PAGE (page);

  ensure_client (self);
  if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "login") &&
      !ek_login_form_has_captcha (EK_LOGIN_FORM (self->login_form)))
    ek_login_form_load_captcha (EK_LOGIN_FORM (self->login_form));
}

const char *
ek_account_page_get_mode (EkAccountPage *self)
{
  g_return_val_if_fail (EK_IS_ACCOUNT_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/* "choose", "register", "activate", "login" or "done" */
void
ek_account_page_set_mode (EkAccountPage *self,
                          const char    *mode)
{
  g_return_if_fail (EK_IS_ACCOUNT_PAGE (self));

  ensure_client (self);
  gtk_stack_set_visible_child_name (self->stack, mode);
  if (g_str_equal (mode, "login"))
    {
      ek_login_form_load_captcha (EK_LOGIN_FORM (self->login_form));
    }
  else if (g_str_equal (mode, "register"))
    gtk_widget_grab_focus (self->fields[F_USCC].entry);
  else if (g_str_equal (mode, "activate"))
    gtk_widget_grab_focus (GTK_WIDGET (self->activation_entry));
}

static void
on_choose_register_button_clicked_cb (EkAccountPage *self)
{
  ek_account_page_set_mode (self, "register");
}

static void
on_choose_login_button_clicked_cb (EkAccountPage *self)
{
  ek_account_page_set_mode (self, "login");
}

static void
on_register_back_button_clicked_cb (EkAccountPage *self)
{
  ek_account_page_set_mode (self, "choose");
}

static void
on_activate_back_button_clicked_cb (EkAccountPage *self)
{
  ek_account_page_set_mode (self, "register");
}

static void
on_login_register_button_clicked_cb (EkAccountPage *self)
{
  ek_account_page_set_mode (self, "register");
}

static void
on_logged_in_cb (EkAccountPage *self)
{
  update_complete (self);
}

static void
on_log_out_button_clicked_cb (EkAccountPage *self)
{
  if (self->client != NULL)
    ek_api_client_forget_session (self->client);
  update_complete (self);
  ek_account_page_set_mode (self, "login");
}

/* Values the draft already holds fill the form (a draft continued after a restart) */
static void
fill_from_draft (EkAccountPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *licence = ek_application_draft_get_string (draft, "licence-type");

  self->syncing = TRUE;
  for (guint i = 0; licence != NULL && licence_ids[i] != NULL; i++)
    if (g_str_equal (licence, licence_ids[i]))
      gtk_drop_down_set_selected (self->licence_dropdown, i);
  self->syncing = FALSE;
  for (guint i = 0; i < N_FIELDS; i++)
    {
      const char *value;

      if (self->fields[i].draft_field == NULL)
        continue;
      value = ek_application_draft_get_string (draft, self->fields[i].draft_field);
      if (*value != '\0')
        gtk_editable_set_text (GTK_EDITABLE (self->fields[i].entry), value);
    }
  self->login_edited = *ek_application_draft_get_string (draft, "login-name") != '\0' &&
                       g_strcmp0 (ek_application_draft_get_string (draft, "login-name"),
                                  ek_application_draft_get_string (draft, "email")) != 0;
  update_licence_hint (self);
  validate (self, FALSE);
}

static void
ek_account_page_dispose (GObject *object)
{
  EkAccountPage *self = EK_ACCOUNT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_ACCOUNT_PAGE);
  for (guint i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&self->fields[i].server_error, g_free);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ek_account_page_parent_class)->dispose (object);
}

static void
ek_account_page_class_init (EkAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_account_page_dispose;
  page_class->shown = ek_account_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, activate_button);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, activate_error);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, activate_intro);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, activation_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, contact_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, contact_message);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, done_label);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, email_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, email_message);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, licence_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, licence_hint);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, login_box);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, login_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, login_message);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, mobile_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, mobile_message);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, name_message);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, register_error);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, service_error);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, stack);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, uscc_entry);
  gtk_widget_class_bind_template_child (widget_class, EkAccountPage, uscc_message);
  gtk_widget_class_bind_template_callback (widget_class, on_activate_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_activate_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_activation_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_login_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_register_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_licence_dropdown_notify_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_log_out_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_login_register_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_register_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_register_button_clicked_cb);
}

static void
ek_account_page_init (EkAccountPage *self)
{
  GtkEntry *entries[N_FIELDS];
  GtkLabel *messages[N_FIELDS];

  /* Building the template sets the drop-down's model, which notifies its selection: there is
   * no draft to write to yet */
  self->syncing = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->syncing = FALSE;

  entries[F_USCC] = self->uscc_entry;       messages[F_USCC] = self->uscc_message;
  entries[F_NAME] = self->name_entry;       messages[F_NAME] = self->name_message;
  entries[F_LOGIN] = self->login_entry;     messages[F_LOGIN] = self->login_message;
  entries[F_EMAIL] = self->email_entry;     messages[F_EMAIL] = self->email_message;
  entries[F_MOBILE] = self->mobile_entry;   messages[F_MOBILE] = self->mobile_message;
  entries[F_CONTACT] = self->contact_entry; messages[F_CONTACT] = self->contact_message;
  for (guint i = 0; i < N_FIELDS; i++)
    {
      ek_ui_name_field (GTK_WIDGET (entries[i]), NULL, NULL, field_names[i].required);
      self->fields[i].api_name = field_names[i].api_name;
      self->fields[i].draft_field = field_names[i].draft_field;
      self->fields[i].entry = GTK_WIDGET (entries[i]);
      self->fields[i].message = messages[i];
    }
  ek_ui_name_field (GTK_WIDGET (self->licence_dropdown), NULL, NULL, FALSE);
  ek_ui_name_field (GTK_WIDGET (self->activation_entry), NULL, NULL, TRUE);
}

EkPage *
ek_account_page_new (EkApplicationDraft *draft)
{
  EkAccountPage *self;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_ACCOUNT_PAGE, "draft", draft, NULL);
  /* The log-in form fills the draft: it is made once the page has one */
  self->login_form = ek_login_form_new (draft);
  g_signal_connect_swapped (self->login_form, "logged-in", G_CALLBACK (on_logged_in_cb), self);
  gtk_box_append (self->login_box, self->login_form);
  fill_from_draft (self);
  return EK_PAGE (self);
}

GtkWidget *
ek_account_page_get_login_form (EkAccountPage *self)
{
  g_return_val_if_fail (EK_IS_ACCOUNT_PAGE (self), NULL);
  return self->login_form;
}
