/* ek-login-form.c: log in with the 18-digit code, the login name and a captcha
 *
 * Used by the account step and by the log-in dialog that appears when a session expires.
 * The captcha comes from the server as a PNG (GdkTexture reads it itself; another provider's SVG
 * needs gdk-pixbuf's librsvg loader, librsvg2-common). A wrong answer loads a new image, clears the
 * answer and puts the cursor back in it. The form is a template (ui/widgets/ek-login-form.ui).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-login-form.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-validators.h"

struct _EkLoginForm
{
  GtkWidget           parent_instance;

  EkApplicationDraft *draft;
  GCancellable       *cancellable;
  char               *captcha_id;

  /* Template children */
  GtkEntry           *answer_entry;
  GtkPicture         *captcha_picture;
  GtkEntry           *code_entry;
  GtkLabel           *error_label;
  GtkButton          *login_button;
  GtkEntry           *login_entry;
  GtkButton          *refresh_button;
  GtkSpinner         *spinner;
};

G_DEFINE_FINAL_TYPE (EkLoginForm, ek_login_form, GTK_TYPE_WIDGET)

enum { SIGNAL_LOGGED_IN, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (EkLoginForm *self,
            const char  *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL && *message != '\0');
}

static void
update_sensitive (EkLoginForm *self)
{
  gboolean busy = gtk_spinner_get_spinning (self->spinner);
  gboolean ready = gtk_entry_get_text_length (self->code_entry) > 0 &&
                   gtk_entry_get_text_length (self->login_entry) > 0 &&
                   gtk_entry_get_text_length (self->answer_entry) > 0 &&
                   self->captcha_id != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), ready && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !busy);
}

static void
set_busy (EkLoginForm *self,
          gboolean     busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  update_sensitive (self);
}

/* Client calls, in the shape ek_api_call_run() wants */
static void
captcha_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
  ek_api_client_create_captcha_async (client, cancellable, callback, user_data);
}

static gpointer
captcha_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_create_captcha_finish (client, result, error);
}

static void
on_captcha_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkLoginForm) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  EkApiCaptcha *captcha;

  captcha = ek_api_call_run_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (captcha == NULL)
    {
      g_autofree char *message = g_strdup (error->message);
      show_error (self, message);
      return;
    }

  texture = gdk_texture_new_from_bytes (captcha->image, &error);
  if (texture == NULL)
    {
      g_warning ("Cannot show the captcha image: %s", error->message);
      show_error (self, _("The picture of the characters cannot be shown: the SVG image loader (librsvg2-common) is missing."));
    }
  gtk_picture_set_paintable (self->captcha_picture, GDK_PAINTABLE (texture));
  g_free (self->captcha_id);
  self->captcha_id = g_strdup (captcha->id);
  ek_api_captcha_free (captcha);
  update_sensitive (self);
}

void
ek_login_form_load_captcha (EkLoginForm *self)
{
  g_return_if_fail (EK_IS_LOGIN_FORM (self));

  ek_ui_restart_cancellable (&self->cancellable);
  g_clear_pointer (&self->captcha_id, g_free);
  set_busy (self, TRUE);
  ek_api_call_run (GTK_WIDGET (self), captcha_start, captcha_finish,
                   (GDestroyNotify) ek_api_captcha_free, NULL, NULL,
                   self->cancellable, on_captcha_cb, g_object_ref (self));
}

typedef struct
{
  char *uscc, *login_name, *captcha_id, *answer;
} Login;

static void
login_free (gpointer p)
{
  Login *login = p;

  g_free (login->uscc);
  g_free (login->login_name);
  g_free (login->captcha_id);
  g_free (login->answer);
  g_free (login);
}

static void
login_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
             GAsyncReadyCallback callback, gpointer user_data)
{
  Login *login = data;

  ek_api_client_login_with_code_async (client, login->uscc, login->login_name, login->captcha_id,
                                            login->answer, cancellable, callback, user_data);
}

static gpointer
login_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return GINT_TO_POINTER (ek_api_client_login_with_code_finish (client, result, error));
}

static void
on_login_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkLoginForm) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (ek_api_call_run_finish (result, &error) != NULL)
    {
      set_busy (self, FALSE);
      show_error (self, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->answer_entry), "");
      g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  message = g_strdup (error->message);
  show_error (self, message);
  /* A captcha answers one attempt: whatever went wrong, a new picture and an empty answer */
  gtk_editable_set_text (GTK_EDITABLE (self->answer_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->answer_entry));
  ek_login_form_load_captcha (self);
}

static void
on_login_button_clicked_cb (EkLoginForm *self)
{
  Login *login;
  g_autofree char *code = NULL;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->login_button)))
    return;
  code = ek_normalize_code (gtk_editable_get_text (GTK_EDITABLE (self->code_entry)));
  login = g_new0 (Login, 1);
  login->uscc = g_strdup (code);
  login->login_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_entry))));
  login->captcha_id = g_strdup (self->captcha_id);
  login->answer = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->answer_entry))));

  if (self->draft != NULL)
    {
      ek_application_draft_set_string (self->draft, "credit-code", login->uscc);
      ek_application_draft_set_string (self->draft, "login-name", login->login_name);
    }

  show_error (self, NULL);
  ek_ui_restart_cancellable (&self->cancellable);
  set_busy (self, TRUE);
  ek_api_call_run (GTK_WIDGET (self), login_start, login_finish, NULL, login, login_free,
                   self->cancellable, on_login_cb, g_object_ref (self));
}

static void
on_answer_entry_activate_cb (EkLoginForm *self)
{
  on_login_button_clicked_cb (self);
}

static void
on_entry_changed_cb (EkLoginForm *self)
{
  update_sensitive (self);
}

static void
on_refresh_button_clicked_cb (EkLoginForm *self)
{
  ek_login_form_load_captcha (self);
}

static void
ek_login_form_dispose (GObject *object)
{
  EkLoginForm *self = EK_LOGIN_FORM (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_LOGIN_FORM);
  /* The grid and the button row have no id: unparented here */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->draft);
  g_clear_pointer (&self->captcha_id, g_free);

  G_OBJECT_CLASS (ek_login_form_parent_class)->dispose (object);
}

static void
ek_login_form_class_init (EkLoginFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_login_form_dispose;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  /**
   * EkLoginForm::logged-in:
   * The server accepted the log-in; the client now holds the session.
   */
  signals[SIGNAL_LOGGED_IN] = g_signal_new ("logged-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-login-form.ui");
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, answer_entry);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, captcha_picture);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, code_entry);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, login_button);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, login_entry);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, EkLoginForm, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_answer_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_login_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
}

static void
ek_login_form_init (EkLoginForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ek_ui_name_field (GTK_WIDGET (self->code_entry), NULL, NULL, TRUE);
  ek_ui_name_field (GTK_WIDGET (self->login_entry), NULL, NULL, TRUE);
  ek_ui_name_field (GTK_WIDGET (self->answer_entry), NULL, NULL, TRUE);
  update_sensitive (self);
}

GtkWidget *
ek_login_form_new (EkApplicationDraft *draft)
{
  EkLoginForm *self = g_object_new (EK_TYPE_LOGIN_FORM, NULL);

  if (draft != NULL)
    {
      self->draft = g_object_ref (draft);
      ek_login_form_set_values (self, ek_application_draft_get_string (draft, "credit-code"),
                                ek_application_draft_get_string (draft, "login-name"));
    }
  return GTK_WIDGET (self);
}

void
ek_login_form_set_values (EkLoginForm *self,
                          const char  *credit_code,
                          const char  *login_name)
{
  g_return_if_fail (EK_IS_LOGIN_FORM (self));

  if (credit_code != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->code_entry), credit_code);
  if (login_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->login_entry), login_name);
}

gboolean
ek_login_form_has_captcha (EkLoginForm *self)
{
  g_return_val_if_fail (EK_IS_LOGIN_FORM (self), FALSE);
  return self->captcha_id != NULL;
}

const char *
ek_login_form_get_captcha_id (EkLoginForm *self)
{
  g_return_val_if_fail (EK_IS_LOGIN_FORM (self), NULL);
  return self->captcha_id;
}

/* The code and login name are there already: the clerk types the captcha */
void
ek_login_form_focus_answer (EkLoginForm *self)
{
  g_return_if_fail (EK_IS_LOGIN_FORM (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->answer_entry));
}
