/* ek-certificate-info.c: what a clerk needs to know about one X.509 certificate
 *
 * One model built from DER bytes, whether they come from a token or a file. The backend
 * (ek-certificate-info-gnutls.c) reads the certificate; here the model judges what it read: the
 * 18-digit code and what stands in its place, the enterprise's name, the 13-digit code and login
 * name in CN, days left.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ek-certificate-info-private.h"
#include "ek-credit-code.h"

G_DEFINE_FINAL_TYPE (EkCertificateInfo, ek_certificate_info, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-certificate-error-quark, ek_certificate_error)

void
ek_dn_attribute_free (EkDnAttribute *attribute)
{
  g_free (attribute->oid);
  g_free (attribute->name);
  g_free (attribute->value);
  g_free (attribute);
}

static void
ek_certificate_info_finalize (GObject *object)
{
  EkCertificateInfo *self = EK_CERTIFICATE_INFO (object);

  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->subject_attributes, g_ptr_array_unref);
  g_clear_pointer (&self->issuer_attributes, g_ptr_array_unref);
  g_clear_pointer (&self->organizations, g_strfreev);
  g_clear_pointer (&self->common_name, g_free);
  g_clear_pointer (&self->enterprise_name, g_free);
  g_clear_pointer (&self->enterprise_code_13, g_free);
  g_clear_pointer (&self->login_name, g_free);
  g_clear_pointer (&self->uscc, g_free);
  g_clear_pointer (&self->uscc_instead_value, g_free);
  g_clear_pointer (&self->serial, g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_clear_pointer (&self->key_algorithm, g_free);
  g_clear_pointer (&self->signature_algorithm, g_free);
  g_clear_pointer (&self->key_usage, g_strfreev);
  g_clear_pointer (&self->sha256, g_free);
  g_clear_pointer (&self->object_label, g_free);
  g_clear_pointer (&self->object_id, g_bytes_unref);

  G_OBJECT_CLASS (ek_certificate_info_parent_class)->finalize (object);
}

static void
ek_certificate_info_class_init (EkCertificateInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_certificate_info_finalize;
}

static void
ek_certificate_info_init (EkCertificateInfo *self)
{
  self->subject_attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_dn_attribute_free);
  self->issuer_attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_dn_attribute_free);
  self->uscc_status = EK_USCC_ABSENT;
}

static char *
to_hex (const guint8 *data,
        gsize         size)
{
  GString *s = g_string_sized_new (size * 2 + 1);

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

static char *
uscc_candidate (const char *value)
{
  const char *dash = strchr (value, '-');
  g_autofree char *token = dash != NULL ? g_strndup (value, dash - value) : g_strdup (value);

  return g_strstrip (g_steal_pointer (&token));
}

static gboolean
all_digits (const char *s,
            gsize       n)
{
  if (strlen (s) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* The verdict on the 18-character code, from every O= and OU= value in DER order */
static void
judge_uscc (EkCertificateInfo *self)
{
  const char *bad_check = NULL;
  const char *instead_value = NULL;
  EkUsccInstead instead = EK_USCC_INSTEAD_NOTHING;

  for (guint i = 0; i < self->subject_attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (self->subject_attributes, i);
      g_autofree char *candidate = NULL;

      if (!g_str_equal (a->name, "O") && !g_str_equal (a->name, "OU"))
        continue;
      candidate = uscc_candidate (a->value);
      if (strlen (candidate) == 18)
        {
          switch (ek_credit_code_check (candidate))
            {
            case EK_CREDIT_CODE_VALID:
              self->uscc_status = EK_USCC_VALID;
              self->uscc = g_steal_pointer (&candidate);
              return;
            case EK_CREDIT_CODE_BAD_CHECK:
              if (bad_check == NULL)
                bad_check = a->value;
              break;
            case EK_CREDIT_CODE_MALFORMED:
            default:
              if (instead == EK_USCC_INSTEAD_NOTHING)
                {
                  instead = EK_USCC_INSTEAD_MALFORMED;
                  instead_value = a->value;
                }
              break;
            }
        }
      else if (all_digits (candidate, 15))
        {
          if (instead == EK_USCC_INSTEAD_NOTHING || instead == EK_USCC_INSTEAD_MALFORMED)
            {
              instead = EK_USCC_INSTEAD_REGISTRATION_NUMBER;
              instead_value = a->value;
            }
        }
      else
        {
          g_autofree char *org = NULL;

          /* xxxxxxxx-X is printed with a hyphen: take the whole value, hyphen dropped */
          org = g_strdup (a->value);
          if (strlen (org) == 10 && org[8] == '-')
            memmove (org + 8, org + 9, 2);
          if (ek_organization_code_check (org) && instead == EK_USCC_INSTEAD_NOTHING)
            {
              instead = EK_USCC_INSTEAD_ORGANIZATION_CODE;
              instead_value = a->value;
            }
        }
    }

  if (bad_check != NULL)
    {
      self->uscc_status = EK_USCC_BAD_CHECK;
      self->uscc = uscc_candidate (bad_check);
      return;
    }
  self->uscc_status = EK_USCC_ABSENT;
  self->uscc_instead = instead;
  self->uscc_instead_value = g_strdup (instead_value);
}

/* The enterprise's name: the first O= value that is not a code, or the name after “<code>-” */
static void
find_enterprise_name (EkCertificateInfo *self)
{
  for (guint i = 0; self->organizations[i] != NULL; i++)
    {
      const char *value = self->organizations[i];
      const char *dash = strchr (value, '-');
      g_autofree char *candidate = uscc_candidate (value);
      g_autofree char *org = g_strdup (value);

      if (strlen (org) == 10 && org[8] == '-')
        memmove (org + 8, org + 9, 2);
      if (ek_organization_code_check (org))
        continue;
      if (strlen (candidate) == 18 || all_digits (candidate, 15) || ek_organization_code_check (candidate))
        {
          if (dash != NULL && dash[1] != '\0' && self->enterprise_name == NULL)
            self->enterprise_name = g_strdup (dash + 1);
          continue;
        }
      g_free (self->enterprise_name);
      self->enterprise_name = g_strdup (value);
      return;
    }
}

static void
parse_common_name (EkCertificateInfo *self)
{
  const char *dash;
  g_autofree char *code = NULL;

  if (self->common_name == NULL)
    return;

  dash = strchr (self->common_name, '-');
  if (dash == NULL || dash - self->common_name != 13 || dash[1] == '\0')
    return;
  /* 4 digits of region and the GB 11714 organisation code, letters and all (since 2015);
   * the code is read even with a wrong check character, which the view then points out */
  code = g_strndup (self->common_name, 13);
  if (ek_enterprise_code_13_check (code) == EK_CREDIT_CODE_MALFORMED)
    return;
  self->enterprise_code_13 = g_steal_pointer (&code);
  self->login_name = g_strdup (dash + 1);
}

/**
 * ek_certificate_info_new_from_der:
 * @der: a DER-encoded X.509 certificate
 *
 * Returns: (transfer full): the certificate, or %NULL with @error set when @der is not one
 */
EkCertificateInfo *
ek_certificate_info_new_from_der (GBytes  *der,
                                  GError **error)
{
  g_autoptr(EkCertificateInfo) self = NULL;
  g_autoptr(GStrvBuilder) organizations = g_strv_builder_new ();

  g_return_val_if_fail (der != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_bytes_get_size (der) > EK_CERTIFICATE_MAX_SIZE)
    {
      g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_TOO_LARGE,
                   _("The certificate is %zu bytes long, far more than any real certificate; it cannot be read."),
                   g_bytes_get_size (der));
      return NULL;
    }

  self = g_object_new (EK_TYPE_CERTIFICATE_INFO, NULL);
  self->der = g_bytes_ref (der);
  if (!ek_certificate_info_read_der (self, error))
    return NULL;

  for (guint i = 0; i < self->subject_attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (self->subject_attributes, i);

      if (g_str_equal (a->name, "O"))
        g_strv_builder_add (organizations, a->value);
      else if (g_str_equal (a->name, "CN"))
        {
          /* The most specific CN is the last one in DER order */
          g_free (self->common_name);
          self->common_name = g_strdup (a->value);
        }
    }
  self->organizations = g_strv_builder_end (organizations);
  parse_common_name (self);
  judge_uscc (self);
  find_enterprise_name (self);
  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
  return g_steal_pointer (&self);
}

/**
 * ek_certificate_info_new_from_data:
 * @data: a certificate, PEM or DER
 *
 * Returns: (transfer full): the certificate, or %NULL with @error set
 */
EkCertificateInfo *
ek_certificate_info_new_from_data (GBytes  *data,
                                   GError **error)
{
  static const char pem_begin[] = "-----BEGIN ";
  gsize size;
  const char *text = g_bytes_get_data (data, &size);

  g_return_val_if_fail (data != NULL, NULL);

  if (size > EK_CERTIFICATE_MAX_SIZE * 2)
    {
      g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_TOO_LARGE,
                   _("The file is %zu bytes long, far more than any real certificate; it cannot be read."), size);
      return NULL;
    }
  if (text != NULL && g_strstr_len (text, MIN (size, 4096), pem_begin) != NULL)
    {
      g_autoptr(GBytes) der = ek_certificate_pem_to_der (data, error);

      if (der == NULL)
        return NULL;
      return ek_certificate_info_new_from_der (der, error);
    }
  return ek_certificate_info_new_from_der (data, error);
}

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

GBytes *
ek_certificate_info_get_der (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->der;
}

const char *
ek_certificate_info_get_subject (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->subject;
}

const char *
ek_certificate_info_get_issuer (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->issuer;
}

/**
 * ek_certificate_info_get_subject_attributes:
 * Returns: (transfer none) (element-type EkDnAttribute): the subject's attributes in DER order
 */
GPtrArray *
ek_certificate_info_get_subject_attributes (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->subject_attributes;
}

GPtrArray *
ek_certificate_info_get_issuer_attributes (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->issuer_attributes;
}

const char * const *
ek_certificate_info_get_organizations (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return (const char * const *) self->organizations;
}

const char *
ek_certificate_info_get_common_name (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->common_name;
}

const char *
ek_certificate_info_get_enterprise_name (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->enterprise_name;
}

const char *
ek_certificate_info_get_enterprise_code_13 (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->enterprise_code_13;
}

const char *
ek_certificate_info_get_login_name (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->login_name;
}

EkUsccStatus
ek_certificate_info_get_uscc_status (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), EK_USCC_ABSENT);
  return self->uscc_status;
}

/* The 18-character code (valid or with a bad check character), or %NULL when absent */
const char *
ek_certificate_info_get_uscc (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->uscc;
}

EkUsccInstead
ek_certificate_info_get_uscc_instead (EkCertificateInfo  *self,
                                      const char        **value)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), EK_USCC_INSTEAD_NOTHING);
  if (value != NULL)
    *value = self->uscc_instead_value;
  return self->uscc_instead;
}

const char *
ek_certificate_info_get_serial (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->serial;
}

GDateTime *
ek_certificate_info_get_not_before (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->not_before;
}

GDateTime *
ek_certificate_info_get_not_after (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->not_after;
}

/* Whole days from @now (or the current time) until expiry; negative once expired */
gint64
ek_certificate_info_get_days_left (EkCertificateInfo *self,
                                   GDateTime         *now)
{
  g_autoptr(GDateTime) current = NULL;
  GTimeSpan span;

  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), 0);
  if (self->not_after == NULL)
    return 0;
  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  span = g_date_time_difference (self->not_after, current);
  if (span < 0)
    return -((-span + G_TIME_SPAN_DAY - 1) / G_TIME_SPAN_DAY);
  return span / G_TIME_SPAN_DAY;
}

gboolean
ek_certificate_info_is_expired (EkCertificateInfo *self,
                                GDateTime         *now)
{
  g_autoptr(GDateTime) current = NULL;

  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), TRUE);
  if (self->not_after == NULL)
    return TRUE;
  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  return g_date_time_compare (current, self->not_after) > 0;
}

const char *
ek_certificate_info_get_key_algorithm (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->key_algorithm;
}

/* The key size in bits, or 0 when unknown */
guint
ek_certificate_info_get_key_bits (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), 0);
  return self->key_bits;
}

const char *
ek_certificate_info_get_signature_algorithm (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->signature_algorithm;
}

const char * const *
ek_certificate_info_get_key_usage (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return (const char * const *) self->key_usage;
}

const char *
ek_certificate_info_get_sha256 (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->sha256;
}

void
ek_certificate_info_set_object (EkCertificateInfo *self,
                                const char        *label,
                                GBytes            *id)
{
  g_return_if_fail (EK_IS_CERTIFICATE_INFO (self));

  g_clear_pointer (&self->object_label, g_free);
  g_clear_pointer (&self->object_id, g_bytes_unref);
  self->object_label = g_strdup (label);
  self->object_id = id != NULL ? g_bytes_ref (id) : NULL;
}

const char *
ek_certificate_info_get_object_label (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->object_label;
}

GBytes *
ek_certificate_info_get_object_id (EkCertificateInfo *self)
{
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  return self->object_id;
}

char *
ek_certificate_info_dup_object_id_hex (EkCertificateInfo *self)
{
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (self), NULL);
  if (self->object_id == NULL)
    return NULL;
  data = g_bytes_get_data (self->object_id, &size);
  return to_hex (data, size);
}

const char *
ek_uscc_status_to_string (EkUsccStatus status)
{
  switch (status)
    {
    case EK_USCC_VALID:
      return "valid";
    case EK_USCC_BAD_CHECK:
      return "bad-check";
    case EK_USCC_ABSENT:
    default:
      return "absent";
    }
}

const char *
ek_uscc_instead_to_string (EkUsccInstead instead)
{
  switch (instead)
    {
    case EK_USCC_INSTEAD_REGISTRATION_NUMBER:
      return "registration-number-15";
    case EK_USCC_INSTEAD_ORGANIZATION_CODE:
      return "organization-code-9";
    case EK_USCC_INSTEAD_MALFORMED:
      return "malformed";
    case EK_USCC_INSTEAD_NOTHING:
    default:
      return NULL;
    }
}
