/* ek-mobile-page.c: the wizard step “Mobile authorisation”, the business's home (seed 002)
 *
 * After the key log-in: each phone of the enterprise that holds a mobile certificate, with the
 * certificate's expiry, at the top (the seed's red line), and the four actions: 手机授权 (Next:
 * the information page, then the authorisation), 手机证书续签 and 手机证书注销 of the phone chosen
 * in the list (each, once confirmed, a request saved as 请求待提交 and submitted from the
 * history), and 历史信息. The information page is pre-filled here from what the service knows:
 * the enterprise's last application and its last mobile request (empty fields only); what the
 * seed shows as text rather than as a box is locked once the service holds it.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-call.h"
#include "ek-api-client-renewal.h"
#include "ek-api-types.h"
#include "ek-mobile-common.h"
#include "ek-mobile-page.h"
#include "ek-ui-helpers.h"

struct _EkMobilePage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  GPtrArray    *list;        /* EkMobileAuthorization*, the history */
  gboolean      busy;
  gboolean      asked_service;   /* the enterprise's last application, asked once */

  GtkButton    *authorize_button;
  GtkButton    *cancel_button;
  GtkBox       *certificates_box;
  GtkLabel     *error_label;
  GtkButton    *history_button;
  GtkWidget    *loading_box;
  GtkLabel     *none_label;
  GtkButton    *renew_button;
  GtkSpinner   *spinner;
};

G_DEFINE_FINAL_TYPE (EkMobilePage, ek_mobile_page, EK_TYPE_PAGE)

/* Fields the information page shows as text once the service knows them */
static const char * const fixed_fields[] = {
  "enterprise-name", "user-name", "gender", "user-id-type", "contact-address", "department", "job-title",
  "work-address", NULL
};

static void load (EkMobilePage *self);

static void
show_error (EkMobilePage *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static const char *
selected_mobile (EkMobilePage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->certificates_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!GTK_IS_CHECK_BUTTON (child) || gtk_check_button_get_active (GTK_CHECK_BUTTON (child)))
      return g_object_get_data (G_OBJECT (child), "mobile");
  return NULL;
}

static void
update_controls (EkMobilePage *self)
{
  gboolean loaded = self->list != NULL && !self->busy;
  gboolean chosen = loaded && selected_mobile (self) != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->authorize_button), loaded);
  gtk_widget_set_sensitive (GTK_WIDGET (self->renew_button), chosen);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), chosen);
  gtk_widget_set_sensitive (GTK_WIDGET (self->history_button), loaded);
  gtk_widget_set_visible (self->loading_box, self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  ek_page_set_complete (EK_PAGE (self), loaded);
}

static void
on_phone_toggled_cb (GtkCheckButton *button,
                     EkMobilePage   *self)
{
  update_controls (self);
}

/* The seed's red line for each phone in use, one to choose for renewal or cancellation */
static void
show_list (EkMobilePage *self)
{
  g_autoptr(GPtrArray) active = ek_mobile_active (self->list);
  GtkCheckButton *first = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->certificates_box))) != NULL)
    gtk_box_remove (self->certificates_box, child);
  for (guint i = 0; i < active->len; i++)
    {
      EkMobileAuthorization *a = g_ptr_array_index (active, i);
      g_autofree char *date = ek_mobile_format_time (a->certificate_expires_at, FALSE);
      /* Translators: the seed's red line at the top: a phone number and its certificate's expiry */
      g_autofree char *text = g_strdup_printf (_("Authorised phone: %s    Certificate expires: %s"), a->mobile, date);
      GtkWidget *button;

      /* One phone: nothing to choose */
      if (active->len == 1)
        {
          GtkWidget *label = ek_ui_wrapped_label_new (text, "error");

          gtk_widget_set_name (label, "mobile-phone");
          g_object_set_data_full (G_OBJECT (label), "mobile", g_strdup (a->mobile), g_free);
          gtk_box_append (self->certificates_box, label);
          break;
        }
      button = gtk_check_button_new ();
      gtk_check_button_set_child (GTK_CHECK_BUTTON (button), ek_ui_wrapped_label_new (text, "error"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      gtk_widget_set_name (button, "mobile-phone");
      if (first != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (button), first);
      else
        first = GTK_CHECK_BUTTON (button);
      g_object_set_data_full (G_OBJECT (button), "mobile", g_strdup (a->mobile), g_free);
      g_signal_connect (button, "toggled", G_CALLBACK (on_phone_toggled_cb), self);
      gtk_box_append (self->certificates_box, button);
    }
  if (first != NULL)
    gtk_check_button_set_active (first, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->certificates_box), active->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->none_label), active->len == 0);
}

/* The enterprise's last application (what the service knows of the enterprise and its user) */
static void
eligibility_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkMobilePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkRenewalEligibility) e = ek_api_client_get_renewal_eligibility_finish (EK_API_CLIENT (source), result, &error);
  g_autoptr(EkApplicationDraft) known = NULL;
  EkApplicationDraft *draft;
  guint n_fields;
  const EkDraftField *fields;

  if (e == NULL || self->cancellable == NULL)
    return;   /* only a pre-fill: without it the clerk types the details */
  draft = ek_page_get_draft (EK_PAGE (self));
  known = ek_application_draft_new ();
  ek_api_fields_to_draft (e->fields, known);
  fields = ek_application_draft_get_fields (&n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      const char *value;

      if (fields[i].type != G_TYPE_STRING || fields[i].server)
        continue;
      value = ek_application_draft_get_string (known, fields[i].name);
      if (*value == '\0')
        continue;
      if (*ek_application_draft_get_string (draft, fields[i].name) == '\0')
        ek_application_draft_set_string (draft, fields[i].name, value);
      if (g_strv_contains (fixed_fields, fields[i].name) &&
          g_str_equal (ek_application_draft_get_string (draft, fields[i].name), value))
        ek_mobile_lock_field (draft, fields[i].name);
    }
}

static void
prefill (EkMobilePage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  g_autoptr(EkApiClient) client = NULL;

  /* The last request's details: empty fields filled, what the seed shows as text locked */
  for (guint i = 0; self->list != NULL && i < self->list->len; i++)
    {
      EkMobileAuthorization *a = g_ptr_array_index (self->list, i);

      if (a->applicant == NULL)
        continue;
      ek_mobile_applicant_to_draft (a->applicant, draft);
      if (a->licence_type != NULL && *ek_application_draft_get_string (draft, "licence-type") == '\0')
        ek_application_draft_set_string (draft, "licence-type", a->licence_type);
      break;
    }
  if (self->asked_service)
    return;
  self->asked_service = TRUE;
  client = ek_api_call_get_client (NULL);
  if (client != NULL)
    ek_api_client_get_renewal_eligibility_async (client, self->cancellable, eligibility_cb, g_object_ref (self));
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EkMobilePage) self = user_data;
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
      show_error (self, error->message);
      update_controls (self);
      return;
    }
  g_clear_pointer (&self->list, g_ptr_array_unref);
  self->list = list;
  show_error (self, NULL);
  show_list (self);
  prefill (self);
  update_controls (self);
}

static void
load (EkMobilePage *self)
{
  self->busy = TRUE;
  update_controls (self);
  ek_mobile_call_run_async (GTK_WIDGET (self), ek_mobile_call_new (EK_MOBILE_CALL_LIST), self->cancellable, list_cb, g_object_ref (self));
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkMobilePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMobileAuthorization) a = ek_mobile_call_run_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = FALSE;
  update_controls (self);
  if (a == NULL)
    {
      show_error (self, error->message);
      return;
    }
  /* Saved as 请求待提交: the history submits it */
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "mobile-history");
}

typedef struct
{
  EkMobilePage *self;
  char         *kind;
  char         *mobile;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_object_unref (pending->self);
  g_free (pending->kind);
  g_free (pending->mobile);
  g_free (pending);
}

static void
confirmed_cb (gpointer data)
{
  Pending *pending = data;
  EkMobilePage *self = pending->self;
  EkMobileCall *call = ek_mobile_call_new (EK_MOBILE_CALL_CREATE);

  if (self->cancellable == NULL)
    {
      ek_mobile_call_free (call);
      return;
    }
  call->request_kind = g_strdup (pending->kind);
  call->mobile = g_strdup (pending->mobile);
  call->idempotency_key = g_uuid_string_random ();
  self->busy = TRUE;
  show_error (self, NULL);
  update_controls (self);
  ek_mobile_call_run_async (GTK_WIDGET (self), call, self->cancellable, created_cb, g_object_ref (self));
}

static void
ask (EkMobilePage *self,
     const char   *kind)
{
  const char *mobile = selected_mobile (self);
  Pending *pending;
  g_autofree char *text = NULL;

  if (mobile == NULL)
    return;
  pending = g_new0 (Pending, 1);
  pending->self = g_object_ref (self);
  pending->kind = g_strdup (kind);
  pending->mobile = g_strdup (mobile);
  if (g_str_equal (kind, "renewal"))
    /* Translators: %s is the phone number */
    text = g_strdup_printf (_("A request to renew the certificate of %s is saved; submit it from the history, then install the renewed certificate in the MOFCOM app."), mobile);
  else
    /* Translators: %s is the phone number */
    text = g_strdup_printf (_("A request to cancel the certificate of %s is saved; once you submit it from the history, the phone can no longer use it."), mobile);
  ek_mobile_confirm (GTK_WIDGET (self), g_str_equal (kind, "renewal") ? _("Renew the phone certificate?") : _("Cancel the phone certificate?"),
                     text, g_str_equal (kind, "renewal") ? _("Renew") : _("Cancel the certificate"), _("Go back"),
                     confirmed_cb, pending, pending_free);
}

/* 手机授权: a new request, stamped with its request time */
static void
start_authorisation (EkMobilePage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  ek_application_draft_set_string (draft, "mobile-request-time", stamp);
  ek_mobile_lock_field (draft, "mobile-request-time");
  ek_application_draft_set_string (draft, "mobile-request-id", "");
}

/* Straight to the information page, even when the clerk came back here from the history */
static void
on_authorize_button_clicked_cb (GtkButton    *button,
                                EkMobilePage *self)
{
  start_authorisation (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "mobile-information");
}

static void
on_renew_button_clicked_cb (GtkButton    *button,
                            EkMobilePage *self)
{
  ask (self, "renewal");
}

static void
on_cancel_button_clicked_cb (GtkButton    *button,
                             EkMobilePage *self)
{
  ask (self, "cancellation");
}

static void
on_history_button_clicked_cb (GtkButton    *button,
                              EkMobilePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "mobile-history");
}

/* Next is 手机授权 too */
static void
ek_mobile_page_apply_async (EkPage              *page,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (page, cancellable, callback, user_data);

  start_authorisation (EK_MOBILE_PAGE (page));
  g_task_return_boolean (task, TRUE);
}

static gboolean
ek_mobile_page_apply_finish (EkPage        *page,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ek_mobile_page_shown (EkPage *page)
{
  load (EK_MOBILE_PAGE (page));
}

static void
ek_mobile_page_dispose (GObject *object)
{
  EkMobilePage *self = EK_MOBILE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->list, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_MOBILE_PAGE);
  G_OBJECT_CLASS (ek_mobile_page_parent_class)->dispose (object);
}

static void
ek_mobile_page_class_init (EkMobilePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_mobile_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_mobile_page_shown;
  EK_PAGE_CLASS (klass)->apply_async = ek_mobile_page_apply_async;
  EK_PAGE_CLASS (klass)->apply_finish = ek_mobile_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-mobile-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, authorize_button);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, certificates_box);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, history_button);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, loading_box);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, none_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, renew_button);
  gtk_widget_class_bind_template_child (widget_class, EkMobilePage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_authorize_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_history_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_renew_button_clicked_cb);
}

static void
ek_mobile_page_init (EkMobilePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ek_ui_read_names_once (GTK_WIDGET (self->authorize_button), GTK_WIDGET (self->renew_button),
                         GTK_WIDGET (self->cancel_button), GTK_WIDGET (self->history_button), NULL);
  self->cancellable = g_cancellable_new ();
}

EkPage *
ek_mobile_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_MOBILE_PAGE, "draft", draft, "title", _("Mobile authorisation"), NULL);
}
