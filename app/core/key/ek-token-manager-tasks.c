/* ek-token-manager-tasks.c: the manager's _async forms and the watching poll
 *
 * ek-token-manager.c holds the PKCS#11 calls (see ek-token-manager-private.h); here they run on
 * GTask worker threads, still under the manager's lock.
 */
#include "config.h"

#include <gio/gio.h>

#include "ek-token-manager-private.h"

static void
list_tokens_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *tokens = ek_token_manager_list_tokens (source_object, cancellable, &error);

  if (tokens == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) g_ptr_array_unref);
}

void
ek_token_manager_list_tokens_async (EkTokenManager      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_TOKEN_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_token_manager_list_tokens_async);
  g_task_run_in_thread (task, list_tokens_thread);
}

GPtrArray *
ek_token_manager_list_tokens_finish (EkTokenManager  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}


typedef struct
{
  EkToken           *token;
  EkCertificateInfo *certificate;
  EkSecret          *pin;
  GBytes            *data;
  char              *algorithm;
} SignData;

static void
sign_data_free (SignData *data)
{
  g_clear_object (&data->token);
  g_clear_object (&data->certificate);
  g_clear_pointer (&data->pin, ek_secret_unref);
  g_clear_pointer (&data->data, g_bytes_unref);
  g_free (data->algorithm);
  g_free (data);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SignData *data = task_data;
  GError *error = NULL;

  if (ek_token_manager_login (source_object, data->token, data->pin, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  /* The PIN is not needed any more: wipe it now rather than when the task goes */
  g_clear_pointer (&data->pin, ek_secret_unref);
}

void
ek_token_manager_login_async (EkTokenManager      *self,
                              EkToken             *token,
                              EkSecret            *pin,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignData *data;

  g_return_if_fail (EK_IS_TOKEN_MANAGER (self));
  g_return_if_fail (EK_IS_TOKEN (token));
  g_return_if_fail (pin != NULL);

  data = g_new0 (SignData, 1);
  data->token = g_object_ref (token);
  data->pin = ek_secret_ref (pin);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_token_manager_login_async);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_data_free);
  g_task_run_in_thread (task, login_thread);
}

gboolean
ek_token_manager_login_finish (EkTokenManager  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}


static void
sign_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SignData *data = task_data;
  GError *error = NULL;
  GBytes *signature;

  signature = ek_token_manager_sign (source_object, data->token, data->certificate, data->pin,
                                     data->data, &data->algorithm, cancellable, &error);
  g_clear_pointer (&data->pin, ek_secret_unref);
  if (signature == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, signature, (GDestroyNotify) g_bytes_unref);
}

void
ek_token_manager_sign_async (EkTokenManager      *self,
                             EkToken             *token,
                             EkCertificateInfo   *certificate,
                             EkSecret            *pin,
                             GBytes              *data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignData *sign_data;

  g_return_if_fail (EK_IS_TOKEN_MANAGER (self));
  g_return_if_fail (EK_IS_TOKEN (token));
  g_return_if_fail (EK_IS_CERTIFICATE_INFO (certificate));
  g_return_if_fail (pin != NULL && data != NULL);

  sign_data = g_new0 (SignData, 1);
  sign_data->token = g_object_ref (token);
  sign_data->certificate = g_object_ref (certificate);
  sign_data->pin = ek_secret_ref (pin);
  sign_data->data = g_bytes_ref (data);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_token_manager_sign_async);
  g_task_set_task_data (task, sign_data, (GDestroyNotify) sign_data_free);
  g_task_run_in_thread (task, sign_thread);
}

GBytes *
ek_token_manager_sign_finish (EkTokenManager  *self,
                              GAsyncResult    *result,
                              char           **algorithm,
                              GError         **error)
{
  GBytes *signature;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  signature = g_task_propagate_pointer (G_TASK (result), error);
  if (signature != NULL && algorithm != NULL)
    *algorithm = g_strdup (((SignData *) g_task_get_task_data (G_TASK (result)))->algorithm);
  return signature;
}

/* Watching: a cheap poll on a worker thread; a full rescan only when something changed */

static void
poll_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EkTokenManager *self = source_object;
  g_autoptr(GPtrArray) present = NULL;
  g_autofree char *presence = NULL;
  GPtrArray *tokens = NULL;

  g_mutex_lock (&self->lock);
  ek_token_manager_load_modules (self);
  ek_token_manager_reinitialize_modules (self);
  present = ek_token_manager_scan (self, FALSE);
  presence = ek_token_manager_presence_of (present);
  if (g_strcmp0 (presence, self->presence) != 0 && !g_cancellable_is_cancelled (cancellable))
    {
      tokens = ek_token_manager_scan (self, TRUE);
      ek_token_manager_store_tokens (self, tokens);
    }
  g_mutex_unlock (&self->lock);

  if (tokens != NULL)
    g_task_return_pointer (task, tokens, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
poll_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  EkTokenManager *self = EK_TOKEN_MANAGER (object);
  g_autoptr(GPtrArray) tokens = g_task_propagate_pointer (G_TASK (result), NULL);

  self->poll_in_flight = FALSE;
  if (tokens != NULL && self->watch_source != NULL)
    g_signal_emit (self, ek_token_manager_signals[SIGNAL_TOKENS_CHANGED], 0);
}

static gboolean
poll_cb (gpointer user_data)
{
  EkTokenManager *self = EK_TOKEN_MANAGER (user_data);
  g_autoptr(GTask) task = NULL;

  if (self->poll_in_flight)
    return G_SOURCE_CONTINUE;
  self->poll_in_flight = TRUE;
  task = g_task_new (self, self->watch_cancellable, poll_done_cb, NULL);
  g_task_set_source_tag (task, poll_cb);
  g_task_run_in_thread (task, poll_thread);
  return G_SOURCE_CONTINUE;
}

/**
 * ek_token_manager_start_watching:
 * @interval_ms: how often to look; 0 for the default (500 ms, so a change shows within 1 s)
 *
 * Emits #EkTokenManager::tokens-changed when a key is inserted or pulled out.
 */
void
ek_token_manager_start_watching (EkTokenManager *self,
                                 guint           interval_ms)
{
  g_return_if_fail (EK_IS_TOKEN_MANAGER (self));

  /* Several views may watch one manager: each start needs its stop */
  if (self->watch_count++ > 0)
    return;
  self->watch_cancellable = g_cancellable_new ();
  self->watch_source = g_timeout_source_new (interval_ms > 0 ? interval_ms : 500);
  g_source_set_callback (self->watch_source, poll_cb, self, NULL);
  g_source_set_name (self->watch_source, "[ekey] token poll");
  g_source_attach (self->watch_source, self->context);
}

void
ek_token_manager_stop_watching (EkTokenManager *self)
{
  g_return_if_fail (EK_IS_TOKEN_MANAGER (self));

  if (self->watch_count == 0 || --self->watch_count > 0)
    return;
  g_cancellable_cancel (self->watch_cancellable);
  g_clear_object (&self->watch_cancellable);
  g_source_destroy (self->watch_source);
  g_clear_pointer (&self->watch_source, g_source_unref);
}
