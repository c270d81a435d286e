/* ek-certificate-info.c: what a clerk needs to know about one X.509 certificate
 *
 * One model built from DER bytes, whether they come from a token or a file. gnutls parses;
 * values are read unescaped from the ASN.1 (BMPString converted to UTF-8) so that an O= value
 * such as “123123123123123-云” or “Entrust, Inc.” is exactly what was issued. gnutls 3.7 knows
 * neither SM2 nor SM3, so those are recognised by their OIDs.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ek-certificate-info.h"
#include "ek-credit-code.h"

#define OID_SM2_CURVE     "1.2.156.10197.1.301"
#define OID_SM3_WITH_SM2  "1.2.156.10197.1.501"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"

struct _EkCertificateInfo
{
  GObject        parent_instance;

  GBytes        *der;
  char          *subject;
  char          *issuer;
  GPtrArray     *subject_attributes;
  GPtrArray     *issuer_attributes;
  GStrv          organizations;
  char          *common_name;
  char          *enterprise_name;
  char          *enterprise_code_13;
  char          *login_name;
  EkUsccStatus   uscc_status;
  char          *uscc;
  EkUsccInstead  uscc_instead;
  char          *uscc_instead_value;
  char          *serial;
  GDateTime     *not_before;
  GDateTime     *not_after;
  char          *key_algorithm;
  guint          key_bits;
  char          *signature_algorithm;
  GStrv          key_usage;
  char          *sha256;

  char          *object_label;
  GBytes        *object_id;
};

G_DEFINE_FINAL_TYPE (EkCertificateInfo, ek_certificate_info, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-certificate-error-quark, ek_certificate_error)

static void
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

/* ASN.1 string → UTF-8, whatever the string type */
static char *
decode_value (const gnutls_datum_t *value,
              unsigned long         tag)
{
  g_autofree char *converted = NULL;
  const char *charset = NULL;

  switch (tag)
    {
    case 30: /* BMPString */
      charset = "UTF-16BE";
      break;
    case 28: /* UniversalString */
      charset = "UTF-32BE";
      break;
    case 20: /* TeletexString: in practice Latin-1 */
      charset = "ISO-8859-1";
      break;
    default: /* UTF8String, PrintableString, IA5String, VisibleString */
      break;
    }

  if (charset != NULL && value->size > 0)
    converted = g_convert ((const char *) value->data, value->size, "UTF-8", charset, NULL, NULL, NULL);
  if (converted != NULL)
    return g_utf8_make_valid (converted, -1);
  return g_utf8_make_valid ((const char *) value->data, value->size);
}

static const char *
attribute_name (const char *oid)
{
  static const struct { const char *oid, *name; } names[] = {
    { "2.5.4.3", "CN" }, { "2.5.4.4", "SN" }, { "2.5.4.5", "serialNumber" }, { "2.5.4.6", "C" },
    { "2.5.4.7", "L" }, { "2.5.4.8", "ST" }, { "2.5.4.9", "street" }, { "2.5.4.10", "O" },
    { "2.5.4.11", "OU" }, { "2.5.4.12", "title" }, { "2.5.4.42", "GN" },
    { "1.2.840.113549.1.9.1", "emailAddress" }, { "0.9.2342.19200300.100.1.25", "DC" },
    { "0.9.2342.19200300.100.1.1", "UID" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].oid, oid))
      return names[i].name;
  return oid;
}

/* Every attribute of a DN in DER order (C first for a typical subject) */
static void
read_dn (gnutls_x509_dn_t  dn,
         GPtrArray        *attributes)
{
  for (int irdn = 0; irdn < 256; irdn++)
    {
      int iava;

      for (iava = 0; iava < 64; iava++)
        {
          gnutls_x509_ava_st ava;
          EkDnAttribute *attribute;

          if (gnutls_x509_dn_get_rdn_ava (dn, irdn, iava, &ava) < 0)
            break;
          attribute = g_new0 (EkDnAttribute, 1);
          attribute->oid = g_strndup ((const char *) ava.oid.data, ava.oid.size);
          attribute->name = g_strdup (attribute_name (attribute->oid));
          attribute->value = decode_value (&ava.value, ava.value_tag);
          g_ptr_array_add (attributes, attribute);
        }
      if (iava == 0)
        break;
    }
}

/* RFC 4514 from our own attributes, for DNs gnutls cannot print */
static char *
format_dn (GPtrArray *attributes)
{
  GString *s = g_string_new (NULL);

  for (guint i = attributes->len; i > 0; i--)
    {
      const EkDnAttribute *a = g_ptr_array_index (attributes, i - 1);
      gsize len = strlen (a->value);

      if (s->len > 0)
        g_string_append_c (s, ',');
      g_string_append_printf (s, "%s=", a->name);
      for (gsize j = 0; j < len; j++)
        {
          char c = a->value[j];

          if (strchr (",+\"\\<>;", c) != NULL || (j == 0 && (c == '#' || c == ' ')) ||
              (j == len - 1 && c == ' '))
            g_string_append_c (s, '\\');
          g_string_append_c (s, c);
        }
    }
  return g_string_free (s, FALSE);
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

/* A minimal DER walk to the SubjectPublicKeyInfo's curve, which gnutls refuses for SM2 */
typedef struct
{
  const guint8 *p;
  gsize         len;
} Der;

static gboolean
der_next (Der    *der,
          guint8 *tag,
          Der    *content)
{
  gsize len, hdr = 2;

  if (der->len < 2 || (der->p[0] & 0x1f) == 0x1f)
    return FALSE;
  *tag = der->p[0];
  len = der->p[1];
  if (len & 0x80)
    {
      guint n = len & 0x7f;

      if (n == 0 || n > 4 || der->len < 2 + n)
        return FALSE;
      len = 0;
      for (guint i = 0; i < n; i++)
        len = (len << 8) | der->p[2 + i];
      hdr += n;
    }
  if (len > der->len - hdr)
    return FALSE;
  content->p = der->p + hdr;
  content->len = len;
  der->p += hdr + len;
  der->len -= hdr + len;
  return TRUE;
}

static gboolean
public_key_is_sm2 (GBytes *bytes)
{
  static const guint8 sm2_curve[] = { 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d };
  Der der, cert, tbs, item, alg, oid;
  guint8 tag;

  der.p = g_bytes_get_data (bytes, &der.len);
  if (!der_next (&der, &tag, &cert) || tag != 0x30 || !der_next (&cert, &tag, &tbs) || tag != 0x30)
    return FALSE;
  /* [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo */
  for (guint field = 0; field < 7; field++)
    {
      if (!der_next (&tbs, &tag, &item))
        return FALSE;
      if (field == 0 && tag != 0xa0)
        field++;
    }
  if (tag != 0x30 || !der_next (&item, &tag, &alg) || tag != 0x30)
    return FALSE;
  if (!der_next (&alg, &tag, &oid) || tag != 0x06)  /* algorithm */
    return FALSE;
  if (!der_next (&alg, &tag, &oid) || tag != 0x06)  /* parameters: the named curve */
    return FALSE;
  return oid.len == sizeof sm2_curve && memcmp (oid.p, sm2_curve, sizeof sm2_curve) == 0;
}

static GDateTime *
date_from_time (time_t t)
{
  if (t == (time_t) -1)
    return NULL;
  return g_date_time_new_from_unix_utc ((gint64) t);
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

  if (self->common_name == NULL)
    return;
  dash = strchr (self->common_name, '-');
  if (dash == NULL || dash - self->common_name != 13 || dash[1] == '\0')
    return;
  for (const char *p = self->common_name; p < dash; p++)
    if (!g_ascii_isdigit (*p))
      return;
  self->enterprise_code_13 = g_strndup (self->common_name, 13);
  self->login_name = g_strdup (dash + 1);
}

static void
read_key (EkCertificateInfo *self,
          gnutls_x509_crt_t  crt)
{
  unsigned int bits = 0;
  int pk = gnutls_x509_crt_get_pk_algorithm (crt, &bits);
  char oid[128];
  size_t oid_size = sizeof oid;

  if (public_key_is_sm2 (self->der))
    {
      self->key_algorithm = g_strdup ("SM2");
      self->key_bits = 256;
      return;
    }
  switch (pk)
    {
    case GNUTLS_PK_RSA:
      self->key_algorithm = g_strdup ("RSA");
      break;
    case GNUTLS_PK_RSA_PSS:
      self->key_algorithm = g_strdup ("RSA-PSS");
      break;
    case GNUTLS_PK_DSA:
      self->key_algorithm = g_strdup ("DSA");
      break;
    case GNUTLS_PK_ECDSA:
      self->key_algorithm = g_strdup ("EC");
      break;
    case GNUTLS_PK_EDDSA_ED25519:
      self->key_algorithm = g_strdup ("Ed25519");
      break;
    case GNUTLS_PK_EDDSA_ED448:
      self->key_algorithm = g_strdup ("Ed448");
      break;
    default:
      if (pk > 0 && gnutls_pk_get_name (pk) != NULL)
        self->key_algorithm = g_strdup (gnutls_pk_get_name (pk));
      else if (gnutls_x509_crt_get_pk_oid (crt, oid, &oid_size) >= 0)
        self->key_algorithm = g_strdup (g_str_equal (oid, OID_EC_PUBLIC_KEY) ? "EC" : oid);
      else
        self->key_algorithm = g_strdup ("unknown");
      break;
    }
  self->key_bits = pk > 0 ? bits : 0;
}

static void
read_signature (EkCertificateInfo *self,
                gnutls_x509_crt_t  crt)
{
  int sign = gnutls_x509_crt_get_signature_algorithm (crt);
  char oid[128];
  size_t oid_size = sizeof oid;

  if (sign > 0 && gnutls_sign_get_name (sign) != NULL)
    self->signature_algorithm = g_strdup (gnutls_sign_get_name (sign));
  else if (gnutls_x509_crt_get_signature_oid (crt, oid, &oid_size) >= 0)
    self->signature_algorithm = g_strdup (g_str_equal (oid, OID_SM3_WITH_SM2) ? "SM2-SM3" : oid);
  else
    self->signature_algorithm = g_strdup ("unknown");
}

static void
read_key_usage (EkCertificateInfo *self,
                gnutls_x509_crt_t  crt)
{
  static const struct { unsigned int bit; const char *name; } usages[] = {
    { GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature" },
    { GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation" },
    { GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment" },
    { GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment" },
    { GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement" },
    { GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign" },
    { GNUTLS_KEY_CRL_SIGN, "cRLSign" },
    { GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly" },
    { GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly" },
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  unsigned int usage = 0, critical = 0;

  if (gnutls_x509_crt_get_key_usage (crt, &usage, &critical) >= 0)
    for (guint i = 0; i < G_N_ELEMENTS (usages); i++)
      if (usage & usages[i].bit)
        g_strv_builder_add (builder, usages[i].name);
  self->key_usage = g_strv_builder_end (builder);
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
  gnutls_x509_crt_t crt = NULL;
  gnutls_x509_dn_t dn = NULL;
  gnutls_datum_t datum = { NULL, 0 }, text = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  int ret;

  g_return_val_if_fail (der != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_bytes_get_size (der) > EK_CERTIFICATE_MAX_SIZE)
    {
      g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_TOO_LARGE,
                   _("The certificate is %zu bytes long, far more than any real certificate; it cannot be read."),
                   g_bytes_get_size (der));
      return NULL;
    }

  datum.data = (unsigned char *) g_bytes_get_data (der, NULL);
  datum.size = (unsigned int) g_bytes_get_size (der);
  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_INVALID,
                   _("This is not a certificate that can be read (%s). Ask the issuer of the key for a new one."),
                   gnutls_strerror (ret));
      if (crt != NULL)
        gnutls_x509_crt_deinit (crt);
      return NULL;
    }

  self = g_object_new (EK_TYPE_CERTIFICATE_INFO, NULL);
  self->der = g_bytes_ref (der);

  if (gnutls_x509_crt_get_subject (crt, &dn) >= 0)
    read_dn (dn, self->subject_attributes);
  if (gnutls_x509_crt_get_issuer (crt, &dn) >= 0)
    read_dn (dn, self->issuer_attributes);
  if (gnutls_x509_crt_get_dn3 (crt, &text, 0) >= 0 && text.data != NULL &&
      g_utf8_validate ((const char *) text.data, text.size, NULL))
    self->subject = g_strndup ((const char *) text.data, text.size);
  else
    self->subject = format_dn (self->subject_attributes);
  gnutls_free (text.data);
  text.data = NULL;
  if (gnutls_x509_crt_get_issuer_dn3 (crt, &text, 0) >= 0 && text.data != NULL &&
      g_utf8_validate ((const char *) text.data, text.size, NULL))
    self->issuer = g_strndup ((const char *) text.data, text.size);
  else
    self->issuer = format_dn (self->issuer_attributes);
  gnutls_free (text.data);

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

  if (gnutls_x509_crt_get_serial (crt, serial, &serial_size) >= 0)
    self->serial = to_hex (serial, serial_size);
  else
    self->serial = g_strdup ("");
  self->not_before = date_from_time (gnutls_x509_crt_get_activation_time (crt));
  self->not_after = date_from_time (gnutls_x509_crt_get_expiration_time (crt));
  read_key (self, crt);
  read_signature (self, crt);
  read_key_usage (self, crt);
  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);

  gnutls_x509_crt_deinit (crt);
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
      gnutls_datum_t in = { (unsigned char *) text, (unsigned int) size }, out = { NULL, 0 };
      g_autoptr(GBytes) der = NULL;
      int ret;

      ret = gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &out);
      if (ret < 0)
        ret = gnutls_pem_base64_decode2 ("X509 CERTIFICATE", &in, &out);
      if (ret < 0)
        {
          g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_INVALID,
                       _("The file is in PEM form but holds no readable certificate (%s)."), gnutls_strerror (ret));
          return NULL;
        }
      der = g_bytes_new (out.data, out.size);
      gnutls_free (out.data);
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
