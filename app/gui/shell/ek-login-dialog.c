/* ek-login-dialog.c: log in again when the session has expired
 *
 * One dialog per window: every call that finds the session expired while it is open waits for
 * the same log-in ("done" is emitted once, with whether the clerk logged in), then is made again.
 * With the code: the code and login name are filled in; only the captcha is left to type. With
 * the key (the businesses done with the key, or the last log-in was with it): the certificates on
 * the inserted keys, the one of the last log-in chosen, and the PIN, which leaves the entry at once
 * and is wiped after the signature. The dialog is a template (ui/shell/ek-login-dialog.ui).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-client-renewal.h"
#include "ek-key-login.h"
#include "ek-login-dialog.h"
#include "ek-login-form.h"
#include "ek-token-manager.h"

struct _EkLoginDialog
{
  GtkWindow  parent_instance;

  GtkWindow      *parent;   /* weak */
  gboolean        done;

  /* With the key */
  EkApiClient    *client;
  char           *key_certificate;   /* PEM of the last key log-in, to choose first */
  EkTokenManager *manager;
  GPtrArray      *choices;           /* of EkCertificateInfo, as in the drop-down */
  GPtrArray      *choice_tokens;     /* of EkToken, the same indexes */
  GCancellable   *cancellable;
  gboolean        busy;
  gboolean        no_key_said;

  /* Template children */
  GtkWidget      *form;
  GtkStack       *mode_stack;
  GtkDropDown    *key_certificate_dropdown;
  GtkEditable    *key_pin_entry;
  GtkLabel       *key_error_label;
  GtkWidget      *key_login_button;
};

G_DEFINE_FINAL_TYPE (EkLoginDialog, ek_login_dialog, GTK_TYPE_WINDOW)

enum { SIGNAL_DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
finish (EkLoginDialog *self,
        gboolean       logged_in)
{
  if (self->done)
    return;
  self->done = TRUE;
  g_signal_emit (self, signals[SIGNAL_DONE], 0, logged_in);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_form_logged_in_cb (EkLoginDialog *self)
{
  finish (self, TRUE);
}

/* ---- With the key ---- */

static void
update_key_controls (EkLoginDialog *self)
{
  gboolean chosen = self->choices != NULL &&
                    gtk_drop_down_get_selected (self->key_certificate_dropdown) < self->choices->len;

  gtk_widget_set_sensitive (self->key_login_button,
                            !self->busy && chosen && *gtk_editable_get_text (self->key_pin_entry) != '\0');
}

static void
show_key_error (EkLoginDialog *self,
                const char    *message)
{
  gtk_label_set_text (self->key_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->key_error_label), message != NULL);
}

static void
tokens_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EkLoginDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens_finish (EK_TOKEN_MANAGER (source), result, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint chosen = 0;

  if (self->done || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  g_clear_pointer (&self->choice_tokens, g_ptr_array_unref);
  self->choices = g_ptr_array_new_with_free_func (g_object_unref);
  self->choice_tokens = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    {
      EkToken *token = g_ptr_array_index (tokens, i);
      GPtrArray *certificates = ek_token_get_certificates (token);

      for (guint j = 0; certificates != NULL && j < certificates->len; j++)
        {
          EkCertificateInfo *certificate = g_ptr_array_index (certificates, j);
          g_autofree char *pem = NULL, *name = NULL;
          const char *cn = ek_certificate_info_get_common_name (certificate);

          if (!ek_key_login_can_use (certificate, 30))
            continue;
          pem = ek_certificate_info_dup_pem (certificate);
          if (g_strcmp0 (pem, self->key_certificate) == 0)
            chosen = self->choices->len;
          /* TRANSLATORS: a certificate to log in with: its name, and the key it is on */
          name = g_strdup_printf (_("%s (on the key “%s”)"), cn != NULL ? cn : ek_certificate_info_get_subject (certificate),
                                  ek_token_get_label (token));
          gtk_string_list_append (names, name);
          g_ptr_array_add (self->choices, g_object_ref (certificate));
          g_ptr_array_add (self->choice_tokens, g_object_ref (token));
        }
    }
  gtk_drop_down_set_model (self->key_certificate_dropdown, G_LIST_MODEL (names));
  if (self->choices->len > 0)
    gtk_drop_down_set_selected (self->key_certificate_dropdown, chosen);
  /* what a failed log-in said stays; the missing key's message goes once a key is in */
  if (self->choices->len == 0)
    show_key_error (self, _("No key with a certificate that can log in is inserted. Insert the key, then try again."));
  else if (self->no_key_said)
    show_key_error (self, NULL);
  self->no_key_said = self->choices->len == 0;
  update_key_controls (self);
}

static void
refresh_keys (EkLoginDialog *self)
{
  ek_token_manager_list_tokens_async (self->manager, self->cancellable, tokens_listed_cb, g_object_ref (self));
}

static void
key_login_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkLoginDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ek_api_client_login_with_key_finish (EK_API_CLIENT (source), result, &error))
    {
      finish (self, TRUE);
      return;
    }
  if (self->done || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = FALSE;
  /* a wrong PIN and how the key now stands, a locked key, a key pulled out, or the service's word */
  show_key_error (self, error->message);
  refresh_keys (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->key_pin_entry));
}

static void
on_key_login_button_clicked_cb (EkLoginDialog *self)
{
  guint i = gtk_drop_down_get_selected (self->key_certificate_dropdown);
  g_autoptr(EkSecret) pin = NULL;
  g_autofree char *pem = NULL;
  EkKeySigner *signer;

  if (!gtk_widget_get_sensitive (self->key_login_button) || self->choices == NULL || i >= self->choices->len)
    return;
  /* The PIN leaves the entry at once; the signer's reference is the last one */
  pin = ek_secret_new (gtk_editable_get_text (self->key_pin_entry), -1);
  gtk_editable_set_text (self->key_pin_entry, "");
  pem = ek_certificate_info_dup_pem (g_ptr_array_index (self->choices, i));
  signer = ek_key_signer_new (self->manager, g_ptr_array_index (self->choice_tokens, i),
                              g_ptr_array_index (self->choices, i), pin);
  self->busy = TRUE;
  show_key_error (self, NULL);
  update_key_controls (self);
  ek_api_client_login_with_key_async (self->client, pem, ek_key_signer_sign, signer, (GDestroyNotify) ek_key_signer_free,
                                      self->cancellable, key_login_cb, g_object_ref (self));
}

static void
on_key_pin_changed_cb (EkLoginDialog *self)
{
  update_key_controls (self);
}

static gboolean
ek_login_dialog_close_request (GtkWindow *window)
{
  g_object_ref (window);
  finish (EK_LOGIN_DIALOG (window), FALSE);
  g_object_unref (window);
  return TRUE;
}

static void
ek_login_dialog_dispose (GObject *object)
{
  EkLoginDialog *self = EK_LOGIN_DIALOG (object);

  /* Closed with its window: the calls waiting for the log-in give up with their error */
  if (!self->done)
    {
      self->done = TRUE;
      g_signal_emit (self, signals[SIGNAL_DONE], 0, FALSE);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->key_certificate, g_free);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  g_clear_pointer (&self->choice_tokens, g_ptr_array_unref);
  if (self->parent != NULL)
    {
      if (g_object_get_data (G_OBJECT (self->parent), "ek-login-dialog") == self)
        g_object_set_data (G_OBJECT (self->parent), "ek-login-dialog", NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->parent), (gpointer *) &self->parent);
      self->parent = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_LOGIN_DIALOG);

  G_OBJECT_CLASS (ek_login_dialog_parent_class)->dispose (object);
}

static void
on_cancel_button_clicked_cb (EkLoginDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
ek_login_dialog_class_init (EkLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ek_login_dialog_dispose;
  window_class->close_request = ek_login_dialog_close_request;

  /**
   * EkLoginDialog::done:
   * @logged_in: whether the clerk logged in (FALSE: they closed the dialog)
   */
  signals[SIGNAL_DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (EK_TYPE_LOGIN_FORM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EkLoginDialog, form);
  gtk_widget_class_bind_template_child (widget_class, EkLoginDialog, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, EkLoginDialog, key_certificate_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkLoginDialog, key_pin_entry);
  gtk_widget_class_bind_template_child (widget_class, EkLoginDialog, key_error_label);
  gtk_widget_class_bind_template_child (widget_class, EkLoginDialog, key_login_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_form_logged_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_key_login_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_key_pin_changed_cb);
}

static void
ek_login_dialog_init (EkLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * ek_login_dialog_present:
 * Returns: (transfer none): the dialog over @parent, made if there is none
 */
EkLoginDialog *
ek_login_dialog_present (GtkWindow          *parent,
                         EkApiClient        *client,
                         EkApplicationDraft *draft,
                         gboolean            with_key)
{
  EkLoginDialog *self = g_object_get_data (G_OBJECT (parent), "ek-login-dialog");
  const char *code = NULL, *login = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);

  if (self != NULL && !self->done)
    {
      gtk_window_present (GTK_WINDOW (self));
      return self;
    }

  self = g_object_new (EK_TYPE_LOGIN_DIALOG, "transient-for", parent, "destroy-with-parent", TRUE, NULL);
  g_object_set_data (G_OBJECT (parent), "ek-login-dialog", self);
  self->parent = parent;
  g_object_add_weak_pointer (G_OBJECT (parent), (gpointer *) &self->parent);

  self->key_certificate = client != NULL ? ek_api_client_dup_key_certificate (client) : NULL;
  if ((with_key || self->key_certificate != NULL) && client != NULL)
    {
      self->client = g_object_ref (client);
      self->manager = ek_token_manager_dup_default (NULL);
      gtk_stack_set_visible_child_name (self->mode_stack, "key");
      gtk_window_set_default_widget (GTK_WINDOW (self), self->key_login_button);
      refresh_keys (self);
      gtk_window_present (GTK_WINDOW (self));
      gtk_widget_grab_focus (GTK_WIDGET (self->key_pin_entry));
      return self;
    }

  if (draft != NULL)
    {
      code = ek_application_draft_get_string (draft, "credit-code");
      login = ek_application_draft_get_string (draft, "login-name");
    }
  if ((login == NULL || *login == '\0') && client != NULL)
    login = ek_api_client_get_login_name (client);
  ek_login_form_set_values (EK_LOGIN_FORM (self->form), code, login);
  ek_login_form_load_captcha (EK_LOGIN_FORM (self->form));
  gtk_window_present (GTK_WINDOW (self));
  if (code != NULL && *code != '\0' && login != NULL && *login != '\0')
    ek_login_form_focus_answer (EK_LOGIN_FORM (self->form));
  return self;
}

GtkWidget *
ek_login_dialog_get_form (EkLoginDialog *self)
{
  g_return_val_if_fail (EK_IS_LOGIN_DIALOG (self), NULL);
  return self->form;
}
