/* fuzz-certificate.c: any bytes given as a certificate (PEM or DER) end in a model or a clear
 * error, and a model holds text wherever the key view shows text
 *
 * gnutls reads the certificate (app/core/ek-certificate-info-gnutls.c); what it reads from the
 * certificates in tests/token/certificates is held by test-certificate-golden.c.
 */
#include "config.h"

#include "ek-certificate-info.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCertificateInfo) info = ek_certificate_info_new_from_data (bytes, &error);

  g_assert ((info == NULL) != (error == NULL));
  if (info != NULL)
    {
      /* Everything the view shows must be there and be text */
      g_assert (g_utf8_validate (ek_certificate_info_get_subject (info), -1, NULL));
      g_assert (g_utf8_validate (ek_certificate_info_get_issuer (info), -1, NULL));
      g_assert (ek_certificate_info_get_sha256 (info) != NULL);
      g_assert (ek_certificate_info_get_key_algorithm (info) != NULL);
      for (guint i = 0; ek_certificate_info_get_organizations (info)[i] != NULL; i++)
        g_assert (g_utf8_validate (ek_certificate_info_get_organizations (info)[i], -1, NULL));
      (void) ek_certificate_info_get_days_left (info, NULL);
    }
  else
    g_assert (error->domain == EK_CERTIFICATE_ERROR && error->message != NULL && error->message[0] != '\0');
  return 0;
}
