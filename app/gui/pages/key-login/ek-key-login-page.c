/* ek-key-login-page.c: the wizard step “Log in with the key”
 *
 * The inserted keys' certificates that can log in (valid, read with a key id), the enterprise on
 * each, the PIN state said before the attempt (one more wrong PIN locking the key needs an
 * explicit tick), a GtkPasswordEntry emptied as soon as the PIN is taken (the PIN goes into an
 * EkSecret that the signature's thread lets go of when done). A wrong PIN says so with the key's
 * new state; a locked key leads to PIN unlock; a key pulled out is said plainly. For a renewal
 * the service then decides whether this key can be renewed online, and the form is pre-filled
 * from what it knows; the step is complete only when it can. For the electronic seal the clerk
 * also types the enterprise's 13-digit import/export code, which must be the one in the chosen
 * certificate (checked as typed here, and again by the service on every seal request).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <p11-kit/pkcs11.h>

#include "ek-api-client-renewal.h"
#include "ek-api-types.h"
#include "ek-key-login-page.h"
#include "ek-key-login.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-window.h"

#define GRACE_DAYS 30

struct _EkKeyLoginPage
{
  EkPage          parent_instance;

  EkTokenManager *manager;
  GCancellable   *cancellable;
  gboolean        busy;

  GtkListBox     *certificates_list;
  GtkBox         *code13_box;
  GtkEntry       *code13_entry;
  GtkLabel       *code13_check;
  GtkLabel       *empty_label;
  GtkLabel       *error_label;
  GtkCheckButton *final_try_check;
  GtkButton      *login_button;
  GtkPasswordEntry *pin_entry;
  GtkLabel       *pin_state_label;
  GtkBox         *result_box;
  GtkLabel       *result_detail;
  GtkLabel       *result_title;
  GtkLabel       *subject_label;
  GtkSpinner     *spinner;
  GtkButton      *unlock_button;

  EkCertificateInfo *logged_in;   /* the certificate of the log-in under way or done */
};

G_DEFINE_FINAL_TYPE (EkKeyLoginPage, ek_key_login_page, EK_TYPE_PAGE)

static EkToken *
row_token (GtkListBoxRow *row)
{
  return row != NULL ? g_object_get_data (G_OBJECT (row), "token") : NULL;
}

static EkCertificateInfo *
row_certificate (GtkListBoxRow *row)
{
  return row != NULL ? g_object_get_data (G_OBJECT (row), "certificate") : NULL;
}

static gboolean
is_seal_business (EkKeyLoginPage *self)
{
  return g_strcmp0 (ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self))),
                    "electronic-seal") == 0;
}

/* The electronic seal: the typed 13-digit code against the chosen certificate's; TRUE when they
 * match (or for another business) */
static gboolean
check_code13 (EkKeyLoginPage    *self,
              EkCertificateInfo *certificate)
{
  const char *typed, *expected;
  gboolean ok;

  gtk_widget_set_visible (GTK_WIDGET (self->code13_box), is_seal_business (self));
  if (!is_seal_business (self))
    return TRUE;
  typed = gtk_editable_get_text (GTK_EDITABLE (self->code13_entry));
  expected = certificate != NULL ? ek_certificate_info_get_enterprise_code_13 (certificate) : NULL;
  ok = expected != NULL && g_strcmp0 (typed, expected) == 0;
  gtk_widget_remove_css_class (GTK_WIDGET (self->code13_check), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->code13_check), "check-passed");
  if (*typed == '\0')
    gtk_label_set_text (self->code13_check, _("Type the enterprise’s 13-digit code."));
  else if (ok)
    gtk_label_set_text (self->code13_check, _("Passed the check: the code is that of the chosen certificate."));
  else if (expected == NULL)
    gtk_label_set_text (self->code13_check, _("The chosen certificate carries no 13-digit code: choose the enterprise’s certificate."));
  else if (strlen (typed) < 13)
    gtk_label_set_text (self->code13_check, _("The code has 13 digits."));
  else
    gtk_label_set_text (self->code13_check, _("This code is not the one in the chosen certificate: check the code, or choose the enterprise’s certificate."));
  if (*typed != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->code13_check), ok ? "check-passed" : "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->code13_entry), GTK_ACCESSIBLE_STATE_INVALID,
                               *typed != '\0' && !ok ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  return ok;
}

static void
update_controls (EkKeyLoginPage *self)
{
  GtkListBoxRow *row;
  EkToken *token;
  EkPinState state;
  gboolean final_try, code_ok;
  const char *pin;

  if (self->cancellable == NULL)   /* disposing: the list emits as it goes */
    return;
  row = gtk_list_box_get_selected_row (self->certificates_list);
  token = row_token (row);
  state = token != NULL ? ek_token_get_pin_state (token) : EK_PIN_STATE_OK;
  final_try = state == EK_PIN_STATE_FINAL_TRY;
  pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_entry));

  gtk_label_set_text (self->pin_state_label, token != NULL ? ek_pin_state_describe (state) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->final_try_check), final_try);
  gtk_widget_set_visible (GTK_WIDGET (self->unlock_button), state == EK_PIN_STATE_LOCKED);
  code_ok = check_code13 (self, row_certificate (row));
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button),
                            !self->busy && token != NULL && code_ok && state != EK_PIN_STATE_LOCKED && pin != NULL &&
                            *pin != '\0' && (!final_try || gtk_check_button_get_active (self->final_try_check)));
}

static GtkWidget *
certificate_row_new (EkToken           *token,
                     EkCertificateInfo *certificate)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  const char *login = ek_certificate_info_get_login_name (certificate);
  const char *uscc = ek_certificate_info_get_uscc (certificate);
  const char *code13 = ek_certificate_info_get_enterprise_code_13 (certificate);
  const char *name = ek_certificate_info_get_enterprise_name (certificate);
  g_autofree char *title = NULL, *enterprise = NULL, *expiry = NULL, *accessible = NULL;
  g_autofree char *date = NULL;
  GDateTime *not_after = ek_certificate_info_get_not_after (certificate);
  gint64 days = ek_certificate_info_get_days_left (certificate, NULL);
  GtkWidget *label;

  date = not_after != NULL ? g_date_time_format (not_after, "%Y-%m-%d") : g_strdup ("?");
  title = g_strdup_printf ("%s · %s", login != NULL ? login : ek_certificate_info_get_common_name (certificate),
                           ek_token_get_label (token));
  /* Translators: the enterprise on a certificate: its 18-digit code, else its 13-digit code, and a name */
  enterprise = g_strdup_printf (_("Enterprise: %s %s"), uscc != NULL ? uscc : code13 != NULL ? code13 : "",
                                name != NULL ? name : "");
  expiry = days >= 0 ? g_strdup_printf (ngettext ("Valid until %s (%d day left)", "Valid until %s (%d days left)", (gulong) days),
                                        date, (int) days)
                     : g_strdup_printf (_("Expired on %s: the service may still renew it within its grace period"), date);

  label = ek_ui_wrapped_label_new (title, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), ek_ui_wrapped_label_new_word_char (enterprise, NULL));
  gtk_box_append (GTK_BOX (box), ek_ui_wrapped_label_new (expiry, "dim-label"));
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  accessible = g_strdup_printf ("%s, %s, %s", title, enterprise, expiry);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_object_set_data_full (G_OBJECT (row), "token", g_object_ref (token), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "certificate", g_object_ref (certificate), g_object_unref);
  return row;
}

static void
show_tokens (EkKeyLoginPage *self,
             GPtrArray      *tokens)
{
  g_autofree char *selected_id = NULL;
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->certificates_list);
  GtkWidget *child;
  guint n = 0;

  if (selected != NULL)
    selected_id = ek_certificate_info_dup_object_id_hex (row_certificate (selected));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->certificates_list))) != NULL)
    gtk_list_box_remove (self->certificates_list, child);
  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    {
      EkToken *token = g_ptr_array_index (tokens, i);
      GPtrArray *certificates = ek_token_get_certificates (token);

      for (guint j = 0; j < certificates->len; j++)
        {
          EkCertificateInfo *c = g_ptr_array_index (certificates, j);
          g_autofree char *id = ek_certificate_info_dup_object_id_hex (c);
          GtkWidget *row;

          if (!ek_key_login_can_use (c, GRACE_DAYS))
            continue;
          row = certificate_row_new (token, c);
          gtk_list_box_append (self->certificates_list, row);
          if (n == 0 || g_strcmp0 (id, selected_id) == 0)
            gtk_list_box_select_row (self->certificates_list, GTK_LIST_BOX_ROW (row));
          n++;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->certificates_list), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), n == 0);
  update_controls (self);
}

static void
tokens_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EkKeyLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens_finish (EK_TOKEN_MANAGER (source), result, &error);

  /* the page is gone (its cancellable with it) */
  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_tokens (self, tokens);
}

static void
refresh_tokens (EkKeyLoginPage *self)
{
  ek_token_manager_list_tokens_async (self->manager, self->cancellable, tokens_listed_cb, g_object_ref (self));
}

static void
set_busy (EkKeyLoginPage *self,
          gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->certificates_list), !busy);
  update_controls (self);
}

static void
show_error (EkKeyLoginPage *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
eligibility_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkKeyLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkRenewalEligibility) e = ek_api_client_get_renewal_eligibility_finish (EK_API_CLIENT (source), result, &error);
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));

  if (self->cancellable == NULL)
    return;
  set_busy (self, FALSE);
  if (e == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup (error->message);
          show_error (self, text);
        }
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), TRUE);
  gtk_label_set_text (self->result_title, e->eligible ? _("This key can be renewed online")
                                                      : _("This key cannot be renewed online"));
  gtk_label_set_text (self->result_detail, e->detail);
  /* When it cannot, the service's reason and what to do instead; when it can, the title says it */
  gtk_widget_set_visible (GTK_WIDGET (self->result_detail), !e->eligible);
  if (e->eligible)
    {
      g_autofree char *subject = g_strdup_printf (e->adds_credit_code
                                                  ? _("The renewed certificate will read %s: the 18-digit code is added to it.")
                                                  : _("The renewed certificate will read %s."), e->subject);
      gtk_label_set_text (self->subject_label, subject);
      /* The form pre-filled from the enterprise's last application and the service's data (the
       * renewal's ticks come with its business type, from the catalogue) */
      ek_api_fields_to_draft (e->fields, draft);
      if (e->application_id != NULL && *ek_application_draft_get_string (draft, "application-id") == '\0')
        ek_application_draft_set_string (draft, "application-id", e->application_id);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->subject_label), e->eligible);
  ek_page_set_complete (EK_PAGE (self), e->eligible);
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(EkKeyLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;
  EkApiClient *client = EK_API_CLIENT (source);
  gboolean ok = ek_api_client_login_with_key_finish (client, result, &error);

  if (self->cancellable == NULL)
    return;
  if (!ok)
    {
      set_busy (self, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (error->domain == EK_TOKEN_ERROR)
        show_error (self, error->message);   /* wrong PIN and the key's state, locked, pulled out */
      else
        {
          g_autofree char *text = g_strdup (error->message);
          show_error (self, text);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->unlock_button), g_error_matches (error, EK_TOKEN_ERROR, CKR_PIN_LOCKED));
      /* the PIN state the key reports now */
      refresh_tokens (self);
      return;
    }
  show_error (self, NULL);
  /* a right PIN clears the token's wrong-PIN flags: show the state it reports now */
  refresh_tokens (self);
  if (is_seal_business (self) && self->logged_in != NULL)
    {
      /* What the seal's form and letter take from the certificate: its code, user and subject */
      EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
      const char *login = ek_certificate_info_get_login_name (self->logged_in);

      ek_application_draft_set_string (draft, "enterprise-code", ek_certificate_info_get_enterprise_code_13 (self->logged_in));
      ek_application_draft_set_string (draft, "certificate-subject", ek_certificate_info_get_subject (self->logged_in));
      ek_application_draft_set_string (draft, "key-login-name", login != NULL ? login : "");
    }
  if (g_strcmp0 (ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self))), "renewal") != 0)
    {
      set_busy (self, FALSE);
      ek_page_set_complete (EK_PAGE (self), TRUE);
      return;
    }
  ek_api_client_get_renewal_eligibility_async (client, self->cancellable, eligibility_cb, g_object_ref (self));
}

static void
on_login_button_clicked_cb (GtkWidget      *widget,
                            EkKeyLoginPage *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->certificates_list);
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(EkSecret) pin = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  EkKeySigner *signer;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->login_button)) || row == NULL)
    return;
  client = ek_api_call_get_client (&error);
  if (client == NULL)
    {
      show_error (self, error->message);
      return;
    }
  /* The PIN leaves the entry at once; the signer's reference is the last one */
  pin = ek_secret_new (gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)), -1);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_check_button_set_active (self->final_try_check, FALSE);
  g_set_object (&self->logged_in, row_certificate (row));
  pem = ek_certificate_info_dup_pem (row_certificate (row));
  signer = ek_key_signer_new (self->manager, row_token (row), row_certificate (row), pin);
  ek_page_set_complete (EK_PAGE (self), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), FALSE);
  show_error (self, NULL);
  set_busy (self, TRUE);
  ek_api_client_login_with_key_async (client, pem, ek_key_signer_sign, signer, (GDestroyNotify) ek_key_signer_free,
                                      self->cancellable, login_cb, g_object_ref (self));
}

static void
on_pin_entry_changed_cb (GtkWidget      *widget,
                         EkKeyLoginPage *self)
{
  update_controls (self);
}

/* Enter in the 13-digit code goes on to the PIN */
static void
on_code13_entry_activate_cb (GtkWidget      *widget,
                             EkKeyLoginPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

static void
on_certificates_list_row_selected_cb (GtkListBox     *list,
                                      GtkListBoxRow  *row,
                                      EkKeyLoginPage *self)
{
  update_controls (self);
}

/* A locked key: the PIN-unlock business, in a window of its own */
static void
on_unlock_button_clicked_cb (GtkWidget      *widget,
                             EkKeyLoginPage *self)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  EkWindow *window;

  if (catalogue == NULL)
    {
      show_error (self, error->message);
      return;
    }
  ek_application_draft_set_business_type_id (draft, "pin-unlock");
  window = ek_window_new_for_draft (app, catalogue, draft);
  gtk_window_present (GTK_WINDOW (window));
}

static void
ek_key_login_page_shown (EkPage *page)
{
  refresh_tokens (EK_KEY_LOGIN_PAGE (page));
}

static void
ek_key_login_page_dispose (GObject *object)
{
  EkKeyLoginPage *self = EK_KEY_LOGIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->logged_in);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_KEY_LOGIN_PAGE);
  G_OBJECT_CLASS (ek_key_login_page_parent_class)->dispose (object);
}

static void
ek_key_login_page_class_init (EkKeyLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_key_login_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_key_login_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-key-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, certificates_list);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, code13_box);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, code13_entry);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, code13_check);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, empty_label);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, final_try_check);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, login_button);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, pin_state_label);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, result_box);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, result_detail);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, result_title);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, subject_label);
  gtk_widget_class_bind_template_child (widget_class, EkKeyLoginPage, unlock_button);
  gtk_widget_class_bind_template_callback (widget_class, on_certificates_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_code13_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_login_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_pin_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_button_clicked_cb);
}

static void
ek_key_login_page_init (EkKeyLoginPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->manager = ek_token_manager_dup_default (NULL);
}

EkPage *
ek_key_login_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_KEY_LOGIN_PAGE, "draft", draft, "title", _("Log in with the key"), NULL);
}
