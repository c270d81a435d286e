/* ek-certificate-info-file.c: a certificate read from a file
 *
 * Apart from ek-certificate-info.c because it needs GIO, which reading the certificates on a
 * token does not.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "ek-certificate-info.h"

/**
 * ek_certificate_info_new_from_file:
 * @file: a PEM or DER certificate file
 *
 * Returns: (transfer full): the certificate, or %NULL with @error set naming the file
 */
EkCertificateInfo *
ek_certificate_info_new_from_file (GFile         *file,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  EkCertificateInfo *info;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  name = g_file_get_parse_name (file);
  data = g_file_load_bytes (file, cancellable, NULL, &local_error);
  if (data == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, _("Cannot read “%s”: %s"), name,
                   local_error->message);
      return NULL;
    }
  info = ek_certificate_info_new_from_data (data, &local_error);
  if (info == NULL)
    g_set_error (error, local_error->domain, local_error->code, "%s: %s", name, local_error->message);
  return info;
}
