/* ek-key-login.c: the service's challenge signed by the key, then the key session */
#include "config.h"

#include <gnutls/gnutls.h>

#include "ek-key-login.h"
#include "ek-registry-renewal.h"

char *
ek_certificate_info_dup_pem (EkCertificateInfo *certificate)
{
  GBytes *der = ek_certificate_info_get_der (certificate);
  gnutls_datum_t in, out = { NULL, 0 };
  char *pem;

  if (der == NULL)
    return NULL;
  in.data = (unsigned char *) g_bytes_get_data (der, NULL);
  in.size = (unsigned int) g_bytes_get_size (der);
  if (gnutls_pem_base64_encode2 ("CERTIFICATE", &in, &out) < 0)
    return NULL;
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return pem;
}

gboolean
ek_key_login_can_use (EkCertificateInfo *certificate,
                      guint              grace_days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDateTime *not_after = ek_certificate_info_get_not_after (certificate);
  GDateTime *not_before = ek_certificate_info_get_not_before (certificate);

  if (ek_certificate_info_get_object_id (certificate) == NULL || not_after == NULL)
    return FALSE;
  if (not_before != NULL && g_date_time_compare (now, not_before) < 0)
    return FALSE;
  return g_date_time_difference (now, not_after) <= (GTimeSpan) grace_days * G_TIME_SPAN_DAY;
}

typedef struct
{
  EkTokenManager    *manager;
  EkToken           *token;
  EkCertificateInfo *certificate;
  EkSecret          *pin;
  EkRegistryClient  *client;
} LoginData;

static void
login_data_free (LoginData *d)
{
  g_clear_object (&d->manager);
  g_clear_object (&d->token);
  g_clear_object (&d->certificate);
  g_clear_pointer (&d->pin, ek_secret_unref);
  g_clear_object (&d->client);
  g_free (d);
}

static GBytes *
sign_challenge (GBytes    *nonce,
                gpointer   user_data,
                GError   **error)
{
  LoginData *d = user_data;

  return ek_token_manager_sign_now (d->manager, d->token, d->certificate, d->pin, nonce, NULL, error);
}

gboolean
ek_key_login_sync (EkRegistryClient   *client,
                   EkTokenManager     *manager,
                   EkToken            *token,
                   EkCertificateInfo  *certificate,
                   EkSecret           *pin,
                   GCancellable       *cancellable,
                   GError            **error)
{
  LoginData d = { manager, token, certificate, pin, client };
  g_autofree char *pem = NULL;

  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (client), FALSE);
  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (manager), FALSE);
  g_return_val_if_fail (EK_IS_TOKEN (token), FALSE);
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (certificate), FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);

  pem = ek_certificate_info_dup_pem (certificate);
  if (pem == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The certificate could not be encoded");
      return FALSE;
    }
  return ek_registry_client_login_with_key_sync (client, pem, sign_challenge, &d, cancellable, error);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginData *d = task_data;
  GError *error = NULL;

  if (ek_key_login_sync (d->client, d->manager, d->token, d->certificate, d->pin, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ek_key_login_async (EkRegistryClient    *client,
                    EkTokenManager      *manager,
                    EkToken             *token,
                    EkCertificateInfo   *certificate,
                    EkSecret            *pin,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LoginData *d = g_new0 (LoginData, 1);

  g_return_if_fail (pin != NULL);
  d->client = g_object_ref (client);
  d->manager = g_object_ref (manager);
  d->token = g_object_ref (token);
  d->certificate = g_object_ref (certificate);
  d->pin = ek_secret_ref (pin);   /* the caller's reference goes when it wipes its entry */
  g_task_set_source_tag (task, ek_key_login_async);
  g_task_set_task_data (task, d, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, login_thread);
}

gboolean
ek_key_login_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
