/* ek-api-call.c: calls to the registration service from a page or a widget
 *
 * Every page goes through ek_api_call_run(): when the server says the session has expired,
 * the log-in dialog appears over the current window (with the key for the businesses done with
 * it), and once the clerk has logged in again the very same call is made again, so the page
 * carries on where it was and nothing typed is lost.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-application.h"
#include "ek-error-journal.h"
#include "ek-login-dialog.h"
#include "ek-page.h"
#include "ek-api-call.h"
#include "ek-window.h"

typedef struct
{
  EkApiClient     *client;
  EkApiCallStart   start;
  EkApiCallFinish  finish;
  GDestroyNotify   result_free;
  gpointer         data;
  GDestroyNotify   data_free;
  guint            logins;
} Call;

static void
call_free (gpointer p)
{
  Call *call = p;

  g_clear_object (&call->client);
  if (call->data_free != NULL && call->data != NULL)
    call->data_free (call->data);
  g_free (call);
}

/**
 * ek_api_call_get_client:
 * Returns: (transfer full) (nullable): the application's client, or an error in plain words when
 *   the service is not configured
 */
EkApiClient *
ek_api_call_get_client (GError **error)
{
  GApplication *app = g_application_get_default ();

  if (app == NULL || !EK_IS_APPLICATION (app))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The registration service is not available in this window."));
      return NULL;
    }
  return ek_application_dup_api_client (EK_APPLICATION (app), error);
}

static EkApplicationDraft *
draft_for_widget (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (EK_IS_PAGE (w))
      return ek_page_get_draft (EK_PAGE (w));
  if (widget != NULL && EK_IS_WINDOW (gtk_widget_get_root (widget)))
    return ek_window_get_draft (EK_WINDOW (gtk_widget_get_root (widget)));
  return NULL;
}

static void run_call (GTask *task);

static void
on_login_done_cb (EkLoginDialog *dialog,
                  gboolean       logged_in,
                  gpointer       user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = g_object_steal_data (G_OBJECT (task), "expired-error");

  if (logged_in && !g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      run_call (g_steal_pointer (&task));
      return;
    }
  if (!g_task_had_error (task))
    g_task_return_error (task, error);
  else
    g_clear_error (&error);
}

/* The session expired, or there is none (the app was restarted on a draft past the account step) */
static gboolean
needs_login (const GError *error)
{
  const EkApiProblem *problem;

  if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_SESSION_EXPIRED))
    return TRUE;
  problem = ek_api_error_get_problem (error);
  return problem != NULL && g_strcmp0 (problem->type_slug, "unauthorized") == 0;
}

static void
on_call_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer value;
  GtkWidget *widget = g_task_get_source_object (task);

  value = call->finish (call->client, result, &error);
  if (error == NULL)
    {
      g_task_return_pointer (task, value, call->result_free);
      return;
    }

  if (needs_login (error) &&
      call->logins < 3 && widget != NULL && GTK_IS_WINDOW (gtk_widget_get_root (widget)))
    {
      GtkRoot *root = gtk_widget_get_root (widget);
      EkLoginDialog *dialog;

      call->logins++;
      g_object_set_data_full (G_OBJECT (task), "expired-error", g_steal_pointer (&error),
                              (GDestroyNotify) g_error_free);
      dialog = ek_login_dialog_present (GTK_WINDOW (root), call->client, draft_for_widget (widget),
                                        EK_IS_WINDOW (root) && ek_window_logs_in_with_key (EK_WINDOW (root)));
      g_signal_connect (dialog, "done", G_CALLBACK (on_login_done_cb), g_steal_pointer (&task));
      return;
    }
  /* For the helpdesk's report: what the clerk was told, and the request to look up */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      const EkApiProblem *problem = ek_api_error_get_problem (error);
      g_autofree char *request_id = problem != NULL && problem->request_id != NULL
                                    ? g_strdup (problem->request_id)
                                    : ek_api_client_dup_last_request_id (call->client);

      ek_error_journal_note ("registry", error->message, request_id);
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
run_call (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  call->start (call->client, call->data, g_task_get_cancellable (task), on_call_done_cb, task);
}

void
ek_api_call_run (GtkWidget           *widget,
                 EkApiCallStart       start,
                 EkApiCallFinish      finish,
                 GDestroyNotify       result_free,
                 gpointer             data,
                 GDestroyNotify       data_free,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
                 {
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Call *call;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  task = g_task_new (widget, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_api_call_run);
  call = g_new0 (Call, 1);
  call->start = start;
  call->finish = finish;
  call->result_free = result_free;
  call->data = data;
  call->data_free = data_free;
  g_task_set_task_data (task, call, call_free);

  call->client = ek_api_call_get_client (&error);
  if (call->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run_call (g_steal_pointer (&task));
}

gpointer
ek_api_call_run_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_api_call_run, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
