/* ek-mobile-common.c: what the mobile authorisation pages share */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-call.h"
#include "ek-mobile-common.h"

/* The information page's fields and the API's names for them in a request's applicant */
static const struct
{
  const char *draft;
  const char *api;
  gboolean    fixed;   /* shown, not typed, once the service knows it (seed 002) */
} applicant_map[] = {
  { "enterprise-name", "enterprise_name", TRUE },
  { "enterprise-code", "code13", FALSE },
  { "credit-code", "uscc", FALSE },
  { "registered-address", "registered_address", FALSE },
  { "user-name", "applicant_name", TRUE },
  { "gender", "gender", TRUE },
  { "login-name", "login_name", FALSE },
  { "user-id-type", "id_type", TRUE },
  { "user-id-number", "id_number", FALSE },
  { "email", "email", FALSE },
  { "contact-address", "address", TRUE },
  { "mobile", "mobile", FALSE },
  { "landline", "landline", FALSE },
  { "department", "department", TRUE },
  { "job-title", "title", TRUE },
  { "work-address", "work_address", TRUE },
  { "postcode", "postcode", FALSE },
};

EkMobileCall *
ek_mobile_call_new (EkMobileCallKind kind)
{
  EkMobileCall *call = g_new0 (EkMobileCall, 1);

  call->kind = kind;
  return call;
}

void
ek_mobile_call_free (EkMobileCall *call)
{
  if (call == NULL)
    return;
  g_free (call->id);
  g_free (call->request_kind);
  g_free (call->mobile);
  g_free (call->old_mobile);
  g_free (call->licence_type);
  g_clear_pointer (&call->applicant, json_object_unref);
  g_free (call->idempotency_key);
  g_free (call);
}

static void
run_in_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EkMobileCall *call = task_data;
  EkApiClient *client = EK_API_CLIENT (source);
  g_autoptr(GError) error = NULL;
  gpointer result = NULL;
  GDestroyNotify result_free = (GDestroyNotify) ek_mobile_authorization_free;

  switch (call->kind)
    {
    case EK_MOBILE_CALL_LIST:
      result = ek_api_client_list_mobile_authorizations_sync (client, cancellable, &error);
      result_free = (GDestroyNotify) g_ptr_array_unref;
      break;
    case EK_MOBILE_CALL_CREATE:
      result = ek_api_client_create_mobile_authorization_sync (client, call->request_kind, call->mobile, call->old_mobile,
                                                               call->licence_type, call->applicant, call->idempotency_key,
                                                               cancellable, &error);
      break;
    case EK_MOBILE_CALL_SUBMIT:
      result = ek_api_client_submit_mobile_authorization_sync (client, call->id, cancellable, &error);
      break;
    case EK_MOBILE_CALL_DELETE:
      result = ek_api_client_delete_mobile_authorization_sync (client, call->id, cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, result_free);
}

/* One try of @data (an EkMobileCall, kept by ek_api_call_run() for a try after a new log-in) */
static void
call_start (EkApiClient         *client,
            gpointer             data,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, run_in_thread);
}

static gpointer
call_finish (EkApiClient   *client,
             GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Through ek_api_call_run(): a key session that has ended is started again with the key (the
 * clerk types the PIN), then the same call is made again */
void
ek_mobile_call_run_async (GtkWidget           *widget,
                          EkMobileCall        *call,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GDestroyNotify result_free = call->kind == EK_MOBILE_CALL_LIST ? (GDestroyNotify) g_ptr_array_unref
                                                                 : (GDestroyNotify) ek_mobile_authorization_free;

  ek_api_call_run (widget, call_start, call_finish, result_free, call, (GDestroyNotify) ek_mobile_call_free,
                   cancellable, callback, user_data);
}

gpointer
ek_mobile_call_run_finish (GAsyncResult  *result,
                           GError       **error)
{
  return ek_api_call_run_finish (result, error);
}

const char *
ek_mobile_kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "new") == 0)
    return _("New authorisation");
  if (g_strcmp0 (kind, "number-change") == 0)
    return _("Number change");
  if (g_strcmp0 (kind, "phone-change") == 0)
    return _("Phone change");
  if (g_strcmp0 (kind, "renewal") == 0)
    return _("Renewal");
  if (g_strcmp0 (kind, "cancellation") == 0)
    return _("Cancellation");
  return kind;
}

const char *
ek_mobile_state_label (const char *state)
{
  if (g_strcmp0 (state, "pending-submit") == 0)
    return _("Not yet submitted");
  if (g_strcmp0 (state, "submitted") == 0)
    return _("Download it in the MOFCOM app");
  if (g_strcmp0 (state, "issued") == 0)
    return _("Certificate issued");
  if (g_strcmp0 (state, "cancelled") == 0)
    return _("Certificate cancelled");
  return state;
}

char *
ek_mobile_format_time (gint64   unix_time,
                       gboolean with_time)
{
  g_autoptr(GDateTime) t = unix_time > 0 ? g_date_time_new_from_unix_local (unix_time) : NULL;

  return t != NULL ? g_date_time_format (t, with_time ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d") : g_strdup ("");
}

/* What became of the request's certificate: "" before it is issued */
char *
ek_mobile_certificate_label (EkMobileAuthorization *a)
{
  g_autofree char *date = NULL;

  if (a->certificate_state == NULL)
    return g_strdup ("");
  if (g_str_equal (a->certificate_state, "active"))
    {
      date = ek_mobile_format_time (a->certificate_expires_at, FALSE);
      /* Translators: a phone certificate in use; %s is its expiry date */
      return g_strdup_printf (_("In use until %s"), date);
    }
  if (g_str_equal (a->certificate_state, "revoked"))
    return g_strdup (_("Revoked (number changed)"));
  if (g_str_equal (a->certificate_state, "renewed"))
    return g_strdup (_("Replaced by its renewal"));
  if (g_str_equal (a->certificate_state, "cancelled"))
    return g_strdup (C_("mobile certificate", "Cancelled"));
  return g_strdup (a->certificate_state);
}

const char *
ek_mobile_licence_label (const char *licence_type)
{
  if (g_strcmp0 (licence_type, EK_LICENCE_ELECTROMECHANICAL) == 0)
    return _("Electromechanical licence");
  if (g_strcmp0 (licence_type, EK_LICENCE_USED_CAR_EXPORT) == 0)
    return _("Used-car export licence");
  return _("Non-electromechanical licence");
}

GPtrArray *
ek_mobile_active (GPtrArray *list)
{
  GPtrArray *active = g_ptr_array_new ();

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      EkMobileAuthorization *a = g_ptr_array_index (list, i);

      if (g_strcmp0 (a->state, "issued") == 0 && g_strcmp0 (a->certificate_state, "active") == 0)
        g_ptr_array_add (active, a);
    }
  return active;
}

JsonObject *
ek_mobile_applicant_from_draft (EkApplicationDraft *draft)
{
  JsonObject *o = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (applicant_map); i++)
    {
      g_autofree char *value = g_strstrip (g_strdup (ek_application_draft_get_string (draft, applicant_map[i].draft)));

      if (*value != '\0')
        json_object_set_string_member (o, applicant_map[i].api, value);
    }
  return o;
}

void
ek_mobile_lock_field (EkApplicationDraft *draft,
                      const char         *field)
{
  const char *locked = ek_application_draft_get_string (draft, "locked-fields");
  g_auto(GStrv) names = g_strsplit (locked, " ", -1);
  g_autofree char *joined = NULL;

  if (g_strv_contains ((const char * const *) names, field))
    return;
  joined = *locked != '\0' ? g_strconcat (locked, " ", field, NULL) : g_strdup (field);
  ek_application_draft_set_string (draft, "locked-fields", joined);
}

void
ek_mobile_applicant_to_draft (JsonObject         *applicant,
                              EkApplicationDraft *draft)
{
  for (guint i = 0; applicant != NULL && i < G_N_ELEMENTS (applicant_map); i++)
    {
      JsonNode *node = json_object_get_member (applicant, applicant_map[i].api);
      const char *value;

      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      value = json_node_get_string (node);
      if (*value == '\0' || g_utf8_strlen (value, -1) > 200 || !g_utf8_validate (value, -1, NULL))
        continue;
      if (*ek_application_draft_get_string (draft, applicant_map[i].draft) == '\0')
        ek_application_draft_set_string (draft, applicant_map[i].draft, value);
      if (applicant_map[i].fixed && g_str_equal (ek_application_draft_get_string (draft, applicant_map[i].draft), value))
        ek_mobile_lock_field (draft, applicant_map[i].draft);
    }
}

const char *
ek_mobile_draft_field_for (const char *api_field)
{
  if (api_field == NULL || !g_str_has_prefix (api_field, "applicant/"))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (applicant_map); i++)
    if (g_str_equal (api_field + strlen ("applicant/"), applicant_map[i].api))
      return applicant_map[i].draft;
  return NULL;
}

typedef struct
{
  EkMobileConfirmed confirmed;
  gpointer          data;
  GDestroyNotify    data_free;
} Confirm;

static void
on_confirm_response_cb (GtkDialog *dialog,
                        int        response,
                        gpointer   user_data)
{
  Confirm *confirm = user_data;

  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT)
    confirm->confirmed (confirm->data);
  if (confirm->data_free != NULL)
    confirm->data_free (confirm->data);
  g_free (confirm);
}

void
ek_mobile_confirm (GtkWidget         *from,
                   const char        *title,
                   const char        *text,
                   const char        *yes,
                   const char        *no,
                   EkMobileConfirmed  confirmed,
                   gpointer           data,
                   GDestroyNotify     data_free)
{
  GtkRoot *root = gtk_widget_get_root (from);
  Confirm *confirm = g_new0 (Confirm, 1);
  GtkWidget *dialog;

  confirm->confirmed = confirmed;
  confirm->data = data;
  confirm->data_free = data_free;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", title);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", text);
  /* The safe answer first and as the default: Enter does not submit by accident */
  gtk_dialog_add_button (GTK_DIALOG (dialog), no, GTK_RESPONSE_CANCEL);
  gtk_dialog_add_button (GTK_DIALOG (dialog), yes, GTK_RESPONSE_ACCEPT);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_widget_set_name (dialog, "mobile-confirm");
  gtk_window_set_title (GTK_WINDOW (dialog), title);
  g_signal_connect (dialog, "response", G_CALLBACK (on_confirm_response_cb), confirm);
  gtk_window_present (GTK_WINDOW (dialog));
}
