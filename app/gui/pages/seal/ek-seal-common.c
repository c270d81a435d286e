/* ek-seal-common.c: what the electronic seal's pages share (see the header) */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-call.h"
#include "ek-draft-materials.h"
#include "ek-seal-common.h"

/* ---- Calls on a worker thread ---- */

typedef struct
{
  EkSealCall      call;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} CallData;

static void
call_data_free (CallData *c)
{
  if (c->data_free != NULL && c->data != NULL)
    c->data_free (c->data);
  g_free (c);
}

static void
run_call (GTask        *task,
          gpointer      source,
          gpointer      task_data,
          GCancellable *cancellable)
{
  CallData *c = task_data;
  GError *error = NULL;
  gpointer result = c->call (EK_API_CLIENT (source), c->data, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, c->result_free);
}

/* ek_api_call_run()'s start: the synchronous call on a worker thread (made again as it is after
 * a new log-in, so @data stays with the caller's call) */
static void
start_call (EkApiClient         *client,
            gpointer             data,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);

  g_task_set_source_tag (task, start_call);
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, run_call);
}

static gpointer
finish_call (EkApiClient   *client,
             GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ek_seal_call_async:
 * @widget: the page making the call (the log-in dialog appears over its window)
 * @data: (transfer full): what @call needs, freed with @data_free when done
 *
 * Runs @call with the application's API client on a worker thread, through ek_api_call_run():
 * when the session has expired, the clerk logs in again with the key and the call is made again.
 */
void
ek_seal_call_async (GtkWidget           *widget,
                    EkSealCall           call,
                    gpointer             data,
                    GDestroyNotify       data_free,
                    GDestroyNotify       result_free,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  CallData *c = g_new0 (CallData, 1);

  c->call = call;
  c->data = data;
  c->data_free = data_free;
  c->result_free = result_free;
  ek_api_call_run (widget, start_call, finish_call, result_free, c, (GDestroyNotify) call_data_free,
                   cancellable, callback, user_data);
}

gpointer
ek_seal_call_finish (GAsyncResult  *result,
                     GError       **error)
{
  return ek_api_call_run_finish (result, error);
}

/* ---- The form ---- */

static const EkSealField fields[] = {
  { "enterprise-name", "enterprise_name" },
  { "enterprise-code", "code13" },
  { "legal-rep-name", "legal_representative" },
  { "legal-rep-id-type", "legal_representative_id_type" },
  { "legal-rep-id-number", "legal_representative_id_number" },
  { "user-name", "applicant_name" },
  { "contact-address", "address" },
  { "mobile", "mobile" },
  { "landline", "landline" },
  { "email", "email" },
  { "postcode", "postcode" },
};

const EkSealField *
ek_seal_get_fields (guint *n_fields)
{
  *n_fields = G_N_ELEMENTS (fields);
  return fields;
}

JsonObject *
ek_seal_form_from_draft (EkApplicationDraft *draft)
{
  JsonObject *form = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *value = g_strstrip (g_strdup (ek_application_draft_get_string (draft, fields[i].draft_name)));

      json_object_set_string_member (form, fields[i].api_name, value);
    }
  return form;
}

void
ek_seal_form_to_draft (JsonObject         *form,
                       EkApplicationDraft *draft)
{
  g_return_if_fail (form != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node = json_object_get_member (form, fields[i].api_name);

      /* the 13-digit code is the certificate's, set at log-in */
      if (g_str_equal (fields[i].api_name, "code13"))
        continue;
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        ek_application_draft_set_string (draft, fields[i].draft_name, json_node_get_string (node));
    }
}

void
ek_seal_choose_request (EkApplicationDraft *draft,
                        const char         *request_id)
{
  g_autoptr(EkDraftMaterials) materials = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (ek_application_draft_get_string (draft, "application-id"), request_id) == 0)
    return;
  ek_application_draft_set_string (draft, "application-id", request_id);
  materials = ek_draft_materials_new (draft, &error);
  if (materials == NULL || !ek_draft_materials_remove (materials, "seal-confirmation-letter", &error))
    g_message ("The previous request's scan could not be dropped: %s", error != NULL ? error->message : "?");
}

/* ---- Words ---- */

const char *
ek_seal_kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "apply") == 0)
    return _("Seal application");
  if (g_strcmp0 (kind, "change") == 0)
    return _("Seal change");
  if (g_strcmp0 (kind, "bind-user") == 0)
    return _("Certificate binding");
  if (g_strcmp0 (kind, "rebind") == 0)
    return _("Re-binding");
  return kind != NULL ? kind : "";
}

const char *
ek_seal_request_state_label (const char *state)
{
  if (g_strcmp0 (state, "new") == 0)
    return _("New application");
  if (g_strcmp0 (state, "letter-uploaded") == 0)
    return _("Letter uploaded, waiting for review");
  if (g_strcmp0 (state, "rejected") == 0)
    return _("Sent back");
  if (g_strcmp0 (state, "approved") == 0)
    return _("Reviewed");
  if (g_strcmp0 (state, "seal-made") == 0)
    return _("Seal made");
  return state != NULL ? state : "";
}

const char *
ek_seal_state_label (const char *state)
{
  if (g_strcmp0 (state, "normal") == 0)
    return _("In use");
  if (g_strcmp0 (state, "revoked") == 0)
    return _("Revoked");
  return state != NULL ? state : "";
}

char *
ek_seal_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = unix_time > 0 ? g_date_time_new_from_unix_local (unix_time) : NULL;

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}
