/* ek-login-dialog.c: log in again when the session has expired
 *
 * One dialog per window: every call that finds the session expired while it is open waits for
 * the same log-in ("done" is emitted once, with whether the clerk logged in), then is made again.
 * The code and login name are filled in; only the captcha is left to type. The dialog is a
 * template (ui/shell/ek-login-dialog.ui).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-login-dialog.h"
#include "ek-login-form.h"

struct _EkLoginDialog
{
  GtkWindow  parent_instance;

  GtkWindow *parent;   /* weak */
  gboolean   done;

  /* Template children */
  GtkWidget *form;
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
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_form_logged_in_cb);
}

static void
ek_login_dialog_init (EkLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ek_login_dialog_present:
 * Returns: (transfer none): the dialog over @parent, made if there is none
 */
EkLoginDialog *
ek_login_dialog_present (GtkWindow          *parent,
                         EkApiClient   *client,
                         EkApplicationDraft *draft)
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
