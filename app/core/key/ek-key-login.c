/* ek-key-login.c: the key's side of key log-in (see ek-key-login.h) */
#include "config.h"

#include <gnutls/gnutls.h>

#include "ek-key-login.h"

struct _EkKeySigner
{
  EkTokenManager    *manager;
  EkToken           *token;
  EkCertificateInfo *certificate;
  EkSecret          *pin;
};

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

EkKeySigner *
ek_key_signer_new (EkTokenManager    *manager,
                   EkToken           *token,
                   EkCertificateInfo *certificate,
                   EkSecret          *pin)
{
  EkKeySigner *signer = g_new0 (EkKeySigner, 1);

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (manager), NULL);
  g_return_val_if_fail (EK_IS_TOKEN (token), NULL);
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (certificate), NULL);
  g_return_val_if_fail (pin != NULL, NULL);

  signer->manager = g_object_ref (manager);
  signer->token = g_object_ref (token);
  signer->certificate = g_object_ref (certificate);
  signer->pin = ek_secret_ref (pin);
  return signer;
}

void
ek_key_signer_free (EkKeySigner *signer)
{
  if (signer == NULL)
    return;
  g_clear_object (&signer->manager);
  g_clear_object (&signer->token);
  g_clear_object (&signer->certificate);
  g_clear_pointer (&signer->pin, ek_secret_unref);
  g_free (signer);
}

GBytes *
ek_key_signer_sign (GBytes    *nonce,
                    gpointer   data,
                    GError   **error)
{
  EkKeySigner *signer = data;

  return ek_token_manager_sign (signer->manager, signer->token, signer->certificate, signer->pin,
                                    nonce, NULL, NULL, error);
}
