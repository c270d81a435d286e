/* fuzz-certificate.c: any bytes given as a certificate (PEM or DER) end in a model or a clear
 * error, and our DER reader reads every certificate gnutls reads exactly as gnutls does
 *
 * gnutls (the reader core used before ek-x509.c) is the oracle: where it reads the bytes, ours
 * must give the same fields, byte for byte. Ours may refuse what gnutls reads only when the DER is
 * malformed (an explicit tag whose length does not match its content, a length not in its
 * shortest form, an end-of-contents tag…): gnutls's ASN.1 parser is more lenient there. The other
 * way round, ours reads a certificate gnutls refuses only for what ours does not look into: the
 * contents of extensions other than key usage (gnutls refuses, say, a subject alternative name
 * that is not a list of names). Such a certificate is shown rather than refused; every field ours
 * gives for it comes from parts it checked.
 */
#include "config.h"

#include <stdlib.h>

#include "ek-certificate-info.h"
#include "../token/ek-x509-gnutls.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *
describe (const EkX509 *x)
{
  GString *s = g_string_new (NULL);
  g_autofree char *usage = g_strjoinv (",", x->key_usage);

  g_string_append_printf (s, "%s\n%s\n%s\n%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n%s %u\n%s\n%s\n",
                          x->subject, x->issuer, x->serial, x->not_before, x->not_after,
                          x->key_algorithm, x->key_bits, x->signature_algorithm, usage);
  for (guint i = 0; i < x->subject_attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (x->subject_attributes, i);
      g_string_append_printf (s, "s %s|%s|%s\n", a->oid, a->name, a->value);
    }
  for (guint i = 0; i < x->issuer_attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (x->issuer_attributes, i);
      g_string_append_printf (s, "i %s|%s|%s\n", a->oid, a->name, a->value);
    }
  return g_string_free (s, FALSE);
}

static void
compare_with_gnutls (const guint8 *data,
                     size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkX509) ours = ek_x509_parse (data, size, &error);
  g_autoptr(EkX509) theirs = ek_x509_gnutls_parse (data, size, NULL);

  g_assert ((ours == NULL) != (error == NULL));
  if (theirs == NULL)
    return;   /* refused by both, or by gnutls alone for an extension's contents (see above) */
  if (ours == NULL)
    return;   /* malformed DER that gnutls reads anyway (see above) */
  {
    g_autofree char *a = describe (theirs);
    g_autofree char *b = describe (ours);

    if (!g_str_equal (a, b))
      {
        g_printerr ("ours and gnutls disagree:\n--- gnutls\n%s--- ours\n%s", a, b);
        abort ();
      }
  }
}

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
    g_assert (error->message != NULL && error->message[0] != '\0');

  if (size <= EK_CERTIFICATE_MAX_SIZE)
    compare_with_gnutls (data, size);
  return 0;
}
