/* ek-certificate-info-gnutls.c: the certificate model's backend, gnutls
 *
 * gnutls parses the DER (or the PEM around it); values are read unescaped from the ASN.1
 * (BMPString and UniversalString converted to UTF-8), so that an O= value such as
 * “123123123123123-云” or “Entrust, Inc.” is exactly what was issued. gnutls 3.7 knows neither
 * SM2 nor SM3: an SM2 key is recognised by its curve's OID, an SM3-with-SM2 signature by its OID.
 * What a clerk sees for each certificate in tests/token/certificates is held there as JSON.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ek-certificate-info-private.h"

#define OID_SM3_WITH_SM2  "1.2.156.10197.1.501"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"

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

/* RFC 4514 from the attributes, for a DN gnutls cannot print as UTF-8 */
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

/* The DN as gnutls prints it (RFC 4514), or from the attributes when that is not UTF-8 */
static char *
print_dn (int             ret,
          gnutls_datum_t *text,
          GPtrArray      *attributes)
{
  char *dn;

  if (ret >= 0 && text->data != NULL && g_utf8_validate ((const char *) text->data, text->size, NULL))
    dn = g_strndup ((const char *) text->data, text->size);
  else
    dn = format_dn (attributes);
  gnutls_free (text->data);
  text->data = NULL;
  return dn;
}

/* A minimal DER walk to the SubjectPublicKeyInfo's curve: gnutls refuses the SM2 curve and so
 * gives no way to ask for it */
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
  static const guint8 sm2_curve[] = { 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d };  /* 1.2.156.10197.1.301 */
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

static GDateTime *
date_from_time (time_t t)
{
  if (t == (time_t) -1)
    return NULL;
  return g_date_time_new_from_unix_utc ((gint64) t);
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

/* Fills what is read from @self->der; FALSE with @error set when it is not a certificate */
gboolean
ek_certificate_info_read_der (EkCertificateInfo  *self,
                              GError            **error)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_x509_dn_t dn = NULL;
  gnutls_datum_t datum = { NULL, 0 }, text = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  gsize size;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (self->der, &size);
  datum.size = (unsigned int) size;
  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_INVALID,
                   _("This is not a certificate that can be read (%s). Ask the issuer of the key for a new one."),
                   gnutls_strerror (ret));
      if (crt != NULL)
        gnutls_x509_crt_deinit (crt);
      return FALSE;
    }

  if (gnutls_x509_crt_get_subject (crt, &dn) >= 0)
    read_dn (dn, self->subject_attributes);
  if (gnutls_x509_crt_get_issuer (crt, &dn) >= 0)
    read_dn (dn, self->issuer_attributes);
  ret = gnutls_x509_crt_get_dn3 (crt, &text, 0);
  self->subject = print_dn (ret, &text, self->subject_attributes);
  ret = gnutls_x509_crt_get_issuer_dn3 (crt, &text, 0);
  self->issuer = print_dn (ret, &text, self->issuer_attributes);

  if (gnutls_x509_crt_get_serial (crt, serial, &serial_size) >= 0)
    self->serial = to_hex (serial, serial_size);
  else
    self->serial = g_strdup ("");
  self->not_before = date_from_time (gnutls_x509_crt_get_activation_time (crt));
  self->not_after = date_from_time (gnutls_x509_crt_get_expiration_time (crt));
  read_key (self, crt);
  read_signature (self, crt);
  read_key_usage (self, crt);

  gnutls_x509_crt_deinit (crt);
  return TRUE;
}

/* The DER inside a PEM “CERTIFICATE” (or “X509 CERTIFICATE”) block */
GBytes *
ek_certificate_pem_to_der (GBytes  *pem,
                           GError **error)
{
  gsize size;
  gnutls_datum_t in = { (unsigned char *) g_bytes_get_data (pem, &size), 0 }, out = { NULL, 0 };
  GBytes *der;
  int ret;

  in.size = (unsigned int) size;
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
  return der;
}
