/* fuzz-certificate-response.c: any bytes the registration service could send as the renewed
 * certificate (or as the renewal eligibility) end in a checked model or an
 * EK_API_ERROR_INVALID_RESPONSE, never a crash; a certificate that passes the shape check is then
 * decoded as the update would decode it */
#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ek-api-client-renewal.h"
#include "ek-api-types.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_outcome (gconstpointer  result,
               GError        *error)
{
  g_assert ((result == NULL) != (error == NULL));
  if (error != NULL)
    {
      g_assert (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE));
      g_assert (error->message != NULL && error->message[0] != '\0');
    }
}

static void
decode (const char *pem)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t d = { (unsigned char *) pem, (unsigned int) strlen (pem) };

  if (gnutls_x509_crt_init (&crt) < 0)
    return;
  if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_PEM) >= 0)
    {
      gnutls_datum_t dn = { NULL, 0 };
      if (gnutls_x509_crt_get_dn3 (crt, &dn, 0) >= 0)
        g_assert (dn.data != NULL);
      gnutls_free (dn.data);
    }
  gnutls_x509_crt_deinit (crt);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = ek_api_parse_json ((const char *) data, size, &error);

  check_outcome (node, error);
  if (node == NULL)
    return 0;
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkIssuedCertificate) issued = ek_issued_certificate_new_from_json (node, &e);

    check_outcome (issued, e);
    if (issued != NULL)
      {
        g_assert (g_str_has_prefix (issued->certificate_pem, "-----BEGIN CERTIFICATE-----"));
        g_assert (issued->serial != NULL);
        decode (issued->certificate_pem);
        if (issued->ca_pem != NULL)
          decode (issued->ca_pem);
      }
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EkRenewalEligibility) eligibility = ek_renewal_eligibility_new_from_json (node, &e);

    check_outcome (eligibility, e);
    if (eligibility != NULL)
      g_assert (eligibility->reason != NULL && eligibility->detail != NULL && eligibility->fields != NULL);
  }
  return 0;
}
