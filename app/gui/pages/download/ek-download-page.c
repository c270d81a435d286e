/* ek-download-page.c: the wizard step “Renew the certificate” (online certificate update)
 *
 * Runs EkRenewal on the inserted key for the approved renewal: a new key pair on the token, the
 * request signed there, the certificate from the service (logging in with the key being renewed
 * when the service is first needed), written and read back, then the old one removed. Each step
 * shows its progress; the journal in the draft's folder makes a key pulled out, a crash or a
 * dropped network a matter of pressing Resume. It ends with the key view, which shows the new
 * certificate, its expiry and the 18-digit verdict.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-client-renewal.h"
#include "ek-download-page.h"
#include "ek-key-login.h"
#include "ek-key-view.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-renewal.h"

#define JOURNAL "renewal-journal.json"

static const char * const phase_names[] = {
  N_("Make a new key pair on the key"),
  N_("Make the certificate request, signed on the key"),
  N_("Get the renewed certificate from the service"),
  N_("Write it to the key and read it back"),
  N_("Remove the old certificate"),
};

struct _EkDownloadPage
{
  EkPage          parent_instance;

  EkTokenManager *manager;
  EkRenewal      *renewal;
  GCancellable   *cancellable;
  gboolean        running;
  GtkWidget      *icons[G_N_ELEMENTS (phase_names)];
  GtkWidget      *key_view;

  GtkLabel       *done_label;
  GtkBox         *done_box;
  GtkLabel       *error_label;
  GtkPasswordEntry *pin_entry;
  GtkBox         *pin_box;
  GtkButton      *start_button;
  GtkGrid        *steps_grid;
};

G_DEFINE_FINAL_TYPE (EkDownloadPage, ek_download_page, EK_TYPE_PAGE)

/* What the update needs in its thread: the service, the key, and the certificate to log in with */
typedef struct
{
  EkApiClient       *client;
  EkTokenManager    *manager;
  EkToken           *token;
  EkCertificateInfo *certificate;
  EkSecret          *pin;
} Issuer;

static void
issuer_free (Issuer *issuer)
{
  g_clear_object (&issuer->client);
  g_clear_object (&issuer->manager);
  g_clear_object (&issuer->token);
  g_clear_object (&issuer->certificate);
  g_clear_pointer (&issuer->pin, ek_secret_unref);
  g_free (issuer);
}

static char *
issue (const char    *application_id,
       const char    *request_pem,
       char         **ca_pem,
       gpointer       user_data,
       GCancellable  *cancellable,
       GError       **error)
{
  Issuer *issuer = user_data;
  g_autoptr(EkIssuedCertificate) issued = NULL;

  if (!ek_api_client_has_session (issuer->client))
    {
      g_autofree char *pem = ek_certificate_info_dup_pem (issuer->certificate);
      g_autoptr(EkKeySigner) signer = ek_key_signer_new (issuer->manager, issuer->token, issuer->certificate, issuer->pin);

      if (!ek_api_client_login_with_key_sync (issuer->client, pem, ek_key_signer_sign, signer, cancellable, error))
        return NULL;
    }
  issued = ek_api_client_issue_certificate_sync (issuer->client, application_id, request_pem, cancellable, error);
  if (issued == NULL)
    return NULL;
  *ca_pem = g_steal_pointer (&issued->ca_pem);
  return g_steal_pointer (&issued->certificate_pem);
}

/* Steps up to @done are done, @current runs (-1: none) */
static void
show_steps (EkDownloadPage *self,
            int             done,
            int             current)
{
  for (guint i = 0; i < G_N_ELEMENTS (phase_names); i++)
    {
      const char *icon = (int) i < done ? "object-select-symbolic"
                       : (int) i == current ? "media-playback-start-symbolic" : "content-loading-symbolic";
      /* Translators: the state of a step of the update, read out after its name */
      const char *state = (int) i < done ? _("done") : (int) i == current ? _("in progress") : _("to do");
      g_autofree char *accessible = g_strdup_printf ("%s: %s", _(phase_names[i]), state);

      gtk_image_set_from_icon_name (GTK_IMAGE (self->icons[i]), icon);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->icons[i]), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
    }
}

/* The journal's step as how many of the page's steps are done */
static int
steps_done (EkRenewalStep step)
{
  switch (step)
    {
    case EK_RENEWAL_STEP_KEY_GENERATED: return 1;
    case EK_RENEWAL_STEP_ISSUED: return 3;
    case EK_RENEWAL_STEP_WRITTEN: return 4;
    case EK_RENEWAL_STEP_DONE: return 5;
    case EK_RENEWAL_STEP_NONE:
    case EK_RENEWAL_STEP_STARTED:
    default: return 0;
    }
}

static void
update_controls (EkDownloadPage *self)
{
  EkRenewalStep step;
  const char *pin;

  if (self->cancellable == NULL)   /* disposing */
    return;
  step = self->renewal != NULL ? ek_renewal_get_step (self->renewal) : EK_RENEWAL_STEP_NONE;
  pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_entry));

  gtk_button_set_label (self->start_button, step == EK_RENEWAL_STEP_NONE ? _("_Renew now") : _("_Resume"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !self->running && self->renewal != NULL &&
                            pin != NULL && *pin != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->pin_box), step != EK_RENEWAL_STEP_DONE);
}

static void
show_error (EkDownloadPage *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
show_done (EkDownloadPage *self)
{
  g_autoptr(EkCertificateInfo) renewed = ek_renewal_dup_new_certificate (self->renewal);
  GDateTime *not_after = renewed != NULL ? ek_certificate_info_get_not_after (renewed) : NULL;
  g_autofree char *date = not_after != NULL ? g_date_time_format (not_after, "%Y-%m-%d") : g_strdup ("?");
  g_autofree char *text = NULL;

  text = ek_renewal_get_old_kept (self->renewal)
    ? g_strdup_printf (_("The key now holds the renewed certificate, valid until %s. This key cannot delete, so the old certificate stays on it until it expires; the new one is the one to use."), date)
    : g_strdup_printf (_("The key now holds the renewed certificate, valid until %s, and the old one is removed."), date);
  gtk_label_set_text (self->done_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->done_box), TRUE);
  if (self->key_view == NULL)
    {
      /* The key as it is now: the new certificate, its expiry and the 18-digit verdict */
      self->key_view = ek_key_view_new (self->manager);
      /* the view scrolls inside; give it the room a certificate needs */
      gtk_widget_set_size_request (self->key_view, -1, 360);
      gtk_widget_set_vexpand (self->key_view, TRUE);
      gtk_box_append (self->done_box, self->key_view);
    }
  show_steps (self, 5, -1);
  ek_page_set_complete (EK_PAGE (self), TRUE);
}

static void
on_progress_cb (EkRenewal      *renewal,
                int             phase,
                EkDownloadPage *self)
{
  /* phases: generating, requesting, issuing, writing, removing, done */
  if (self->cancellable != NULL)
    show_steps (self, phase, phase);
}

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(EkDownloadPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gboolean ok = ek_renewal_run_finish (EK_RENEWAL (source), result, &error);

  self->running = FALSE;
  if (self->cancellable == NULL)   /* the page is gone */
    return;
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = error->domain == EK_TOKEN_ERROR || error->domain == EK_RENEWAL_ERROR
                                  ? g_strdup (error->message) : g_strdup (error->message);
          show_error (self, text);
        }
      show_steps (self, steps_done (ek_renewal_get_step (self->renewal)), -1);
      update_controls (self);
      return;
    }
  update_controls (self);
  show_done (self);
}

static EkCertificateInfo *
certificate_to_renew (EkDownloadPage  *self,
                      GPtrArray       *tokens,
                      EkToken        **token_out)
{
  const char *old_id = ek_renewal_get_old_id (self->renewal);

  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    {
      GPtrArray *certificates = ek_token_get_certificates (g_ptr_array_index (tokens, i));

      for (guint j = 0; j < certificates->len; j++)
        {
          EkCertificateInfo *c = g_ptr_array_index (certificates, j);
          g_autofree char *id = ek_certificate_info_dup_object_id_hex (c);

          if (old_id != NULL ? g_ascii_strcasecmp (id != NULL ? id : "", old_id) == 0 : ek_key_login_can_use (c, 30))
            {
              *token_out = g_ptr_array_index (tokens, i);
              return c;
            }
        }
    }
  return NULL;
}

static void
on_start_button_clicked_cb (GtkWidget      *widget,
                            EkDownloadPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSecret) pin = NULL;
  EkCertificateInfo *old;
  EkToken *token = NULL;
  Issuer *issuer;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->start_button)))
    return;
  pin = ek_secret_new (gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)), -1);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  show_error (self, NULL);

  tokens = ek_token_manager_list_tokens (self->manager, NULL, &error);
  old = certificate_to_renew (self, tokens, &token);
  issuer = g_new0 (Issuer, 1);
  issuer->client = ek_api_call_get_client (&error);
  if (old == NULL || issuer->client == NULL)
    {
      issuer_free (issuer);
      show_error (self, old == NULL ? _("The key being renewed is not inserted. Insert it and keep it inserted until the update is done.")
                                    : error->message);
      return;
    }
  issuer->manager = g_object_ref (self->manager);
  issuer->token = g_object_ref (token);
  issuer->certificate = g_object_ref (old);
  issuer->pin = ek_secret_ref (pin);
  ek_renewal_set_issuer (self->renewal, issue, issuer, (GDestroyNotify) issuer_free);
  self->running = TRUE;
  update_controls (self);
  ek_renewal_run_async (self->renewal, token, old, pin, ek_application_draft_get_string (draft, "application-id"),
                        EK_KEY_ALGORITHM_RSA_2048, NULL, self->cancellable, run_cb, g_object_ref (self));
}

static void
on_pin_entry_changed_cb (GtkWidget      *widget,
                         EkDownloadPage *self)
{
  update_controls (self);
}

static void
ek_download_page_shown (EkPage *page)
{
  EkDownloadPage *self = EK_DOWNLOAD_PAGE (page);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *journal = NULL;

  if (self->renewal == NULL)
    {
      dir = ek_application_draft_dup_directory (ek_page_get_draft (page), &error);
      journal = dir != NULL ? g_build_filename (dir, JOURNAL, NULL) : NULL;
      self->renewal = journal != NULL ? ek_renewal_new (self->manager, journal, &error) : NULL;
      if (self->renewal == NULL)
        {
          show_error (self, error->message);
          return;
        }
      g_signal_connect_object (self->renewal, "progress", G_CALLBACK (on_progress_cb), self, 0);
    }
  show_steps (self, steps_done (ek_renewal_get_step (self->renewal)), -1);
  update_controls (self);
  if (ek_renewal_get_step (self->renewal) == EK_RENEWAL_STEP_DONE)
    show_done (self);
}

static void
ek_download_page_dispose (GObject *object)
{
  EkDownloadPage *self = EK_DOWNLOAD_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->renewal);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_DOWNLOAD_PAGE);
  G_OBJECT_CLASS (ek_download_page_parent_class)->dispose (object);
}

static void
ek_download_page_class_init (EkDownloadPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_download_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_download_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-download-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, done_box);
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, done_label);
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, pin_box);
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, EkDownloadPage, steps_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_pin_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_start_button_clicked_cb);
}

static void
ek_download_page_init (EkDownloadPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->manager = ek_token_manager_dup_default (NULL);
  /* The steps are data: one row each, an icon that says its state and the step's name */
  for (guint i = 0; i < G_N_ELEMENTS (phase_names); i++)
    {
      GtkWidget *label = ek_ui_wrapped_label_new (_(phase_names[i]), NULL);

      self->icons[i] = gtk_image_new ();
      gtk_grid_attach (self->steps_grid, self->icons[i], 0, (int) i, 1, 1);
      gtk_grid_attach (self->steps_grid, label, 1, (int) i, 1, 1);
    }
  show_steps (self, 0, -1);
}

EkPage *
ek_download_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_DOWNLOAD_PAGE, "draft", draft, "title", _("Renew the certificate"), NULL);
}
