/* ek-x509-gnutls.c: the oracle for ek-x509.c
 *
 * This is how app/core read certificates before it had its own DER reader, kept word for word
 * (gnutls 3.7 parses; SM2 and SM3 recognised by OID, since gnutls knows neither): the
 * differential test and the fuzz target hold ek_x509_parse() to exactly what it gives.
 */
#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ek-x509-gnutls.h"

#define OID_SM3_WITH_SM2  "1.2.156.10197.1.501"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"

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
          attribute->name = g_strdup (ek_x509_attribute_name (attribute->oid));
          attribute->value = ek_x509_decode_value (ava.value.data, ava.value.size, ava.value_tag);
          g_ptr_array_add (attributes, attribute);
        }
      if (iava == 0)
        break;
    }
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
public_key_is_sm2 (const guint8 *data,
                   gsize         size)
{
  static const guint8 sm2_curve[] = { 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d };
  Der der = { data, size }, cert, tbs, item, alg, oid;
  guint8 tag;

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
read_key (EkX509            *x509,
          gnutls_x509_crt_t  crt,
          const guint8      *data,
          gsize              size)
{
  unsigned int bits = 0;
  int pk = gnutls_x509_crt_get_pk_algorithm (crt, &bits);
  char oid[128];
  size_t oid_size = sizeof oid;

  if (public_key_is_sm2 (data, size))
    {
      x509->key_algorithm = g_strdup ("SM2");
      x509->key_bits = 256;
      return;
    }
  switch (pk)
    {
    case GNUTLS_PK_RSA:
      x509->key_algorithm = g_strdup ("RSA");
      break;
    case GNUTLS_PK_RSA_PSS:
      x509->key_algorithm = g_strdup ("RSA-PSS");
      break;
    case GNUTLS_PK_DSA:
      x509->key_algorithm = g_strdup ("DSA");
      break;
    case GNUTLS_PK_ECDSA:
      x509->key_algorithm = g_strdup ("EC");
      break;
    case GNUTLS_PK_EDDSA_ED25519:
      x509->key_algorithm = g_strdup ("Ed25519");
      break;
    case GNUTLS_PK_EDDSA_ED448:
      x509->key_algorithm = g_strdup ("Ed448");
      break;
    default:
      if (pk > 0 && gnutls_pk_get_name (pk) != NULL)
        x509->key_algorithm = g_strdup (gnutls_pk_get_name (pk));
      else if (gnutls_x509_crt_get_pk_oid (crt, oid, &oid_size) >= 0)
        x509->key_algorithm = g_strdup (g_str_equal (oid, OID_EC_PUBLIC_KEY) ? "EC" : oid);
      else
        x509->key_algorithm = g_strdup ("unknown");
      break;
    }
  x509->key_bits = pk > 0 ? bits : 0;
}

static void
read_signature (EkX509            *x509,
                gnutls_x509_crt_t  crt)
{
  int sign = gnutls_x509_crt_get_signature_algorithm (crt);
  char oid[128];
  size_t oid_size = sizeof oid;

  if (sign > 0 && gnutls_sign_get_name (sign) != NULL)
    x509->signature_algorithm = g_strdup (gnutls_sign_get_name (sign));
  else if (gnutls_x509_crt_get_signature_oid (crt, oid, &oid_size) >= 0)
    x509->signature_algorithm = g_strdup (g_str_equal (oid, OID_SM3_WITH_SM2) ? "SM2-SM3" : oid);
  else
    x509->signature_algorithm = g_strdup ("unknown");
}

static void
read_key_usage (EkX509            *x509,
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
  x509->key_usage = g_strv_builder_end (builder);
}

EkX509 *
ek_x509_gnutls_parse (const guint8  *data,
                      gsize          size,
                      char         **reason)
{
  EkX509 *x509;
  gnutls_x509_crt_t crt = NULL;
  gnutls_x509_dn_t dn = NULL;
  gnutls_datum_t datum = { (unsigned char *) data, (unsigned int) size }, text = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  time_t t;
  int ret;

  if ((ret = gnutls_x509_crt_init (&crt)) < 0 ||
      (ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER)) < 0)
    {
      if (reason != NULL)
        *reason = g_strdup (gnutls_strerror (ret));
      if (crt != NULL)
        gnutls_x509_crt_deinit (crt);
      return NULL;
    }

  x509 = g_new0 (EkX509, 1);
  x509->subject_attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_dn_attribute_free);
  x509->issuer_attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_dn_attribute_free);
  if (gnutls_x509_crt_get_subject (crt, &dn) >= 0)
    read_dn (dn, x509->subject_attributes);
  if (gnutls_x509_crt_get_issuer (crt, &dn) >= 0)
    read_dn (dn, x509->issuer_attributes);
  if (gnutls_x509_crt_get_dn3 (crt, &text, 0) >= 0 && text.data != NULL &&
      g_utf8_validate ((const char *) text.data, text.size, NULL))
    x509->subject = g_strndup ((const char *) text.data, text.size);
  else
    x509->subject = ek_x509_format_dn (x509->subject_attributes);
  gnutls_free (text.data);
  text.data = NULL;
  if (gnutls_x509_crt_get_issuer_dn3 (crt, &text, 0) >= 0 && text.data != NULL &&
      g_utf8_validate ((const char *) text.data, text.size, NULL))
    x509->issuer = g_strndup ((const char *) text.data, text.size);
  else
    x509->issuer = ek_x509_format_dn (x509->issuer_attributes);
  gnutls_free (text.data);

  if (gnutls_x509_crt_get_serial (crt, serial, &serial_size) >= 0)
    x509->serial = to_hex (serial, serial_size);
  else
    x509->serial = g_strdup ("");
  t = gnutls_x509_crt_get_activation_time (crt);
  x509->not_before = t == (time_t) -1 ? -1 : (gint64) t;
  t = gnutls_x509_crt_get_expiration_time (crt);
  x509->not_after = t == (time_t) -1 ? -1 : (gint64) t;
  read_key (x509, crt, data, size);
  read_signature (x509, crt);
  read_key_usage (x509, crt);

  gnutls_x509_crt_deinit (crt);
  return x509;
}
