/* ek-x509.c: a strict, bounds-checked DER reader for X.509 certificates
 *
 * Reading the certificates on a token used to load gnutls and its six libraries, whose
 * relocations and start-up cost more than the rest of `ekey-tool token list`. This reader walks
 * the fixed structure of RFC 5280 (no recursion: nesting is bounded by the structure itself),
 * accepts only DER (definite, minimal lengths; one-byte tags; minimal INTEGERs and OIDs) and
 * gives the same model gnutls 3.7 gave: the same RFC 4514 strings (short names, escaping,
 * unknown or mistyped values as #hex), the same algorithm names, the same key sizes.
 * Where it refuses what gnutls would accept, the input is malformed DER (see the fuzz target).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ek-x509.h"

#define OID_SM2_CURVE    "1.2.156.10197.1.301"
#define OID_SM3_WITH_SM2 "1.2.156.10197.1.501"
#define OID_RSA          "1.2.840.113549.1.1.1"
#define OID_RSA_PSS      "1.2.840.113549.1.1.10"
#define OID_MGF1         "1.2.840.113549.1.1.8"
#define OID_EC           "1.2.840.10045.2.1"
#define OID_DSA          "1.2.840.10040.4.1"
#define OID_KEY_USAGE    "2.5.29.15"

enum
{
  TAG_BOOLEAN = 0x01, TAG_INTEGER = 0x02, TAG_BIT_STRING = 0x03, TAG_OCTET_STRING = 0x04,
  TAG_NULL = 0x05, TAG_OID = 0x06, TAG_UTF8 = 0x0c, TAG_NUMERIC = 0x12, TAG_PRINTABLE = 0x13,
  TAG_TELETEX = 0x14, TAG_IA5 = 0x16, TAG_UTC_TIME = 0x17, TAG_GENERALIZED_TIME = 0x18,
  TAG_UNIVERSAL = 0x1c, TAG_BMP = 0x1e, TAG_SEQUENCE = 0x30, TAG_SET = 0x31,
};

typedef struct
{
  const guint8 *p;
  gsize         len;
} Der;

typedef struct
{
  guint8        tag;
  Der           content;
  Der           whole;   /* tag, length and content */
} Tlv;

typedef struct
{
  const char *reason;    /* the first thing found wrong, for the error message */
} Reader;

static gboolean
fail (Reader     *reader,
      const char *reason)
{
  if (reader->reason == NULL)
    reader->reason = reason;
  return FALSE;
}

/* One TLV from @in: a one-byte tag, a definite length in its shortest form */
static gboolean
der_next (Reader *reader,
          Der    *in,
          Tlv    *tlv)
{
  gsize len, hdr = 2;

  if (in->len < 2)
    return fail (reader, "truncated DER");
  if ((in->p[0] & 0x1f) == 0x1f)
    return fail (reader, "multi-byte DER tag");
  if (in->p[0] == 0x00)
    return fail (reader, "end-of-contents tag in DER");
  tlv->tag = in->p[0];
  len = in->p[1];
  if (len == 0x80)
    return fail (reader, "indefinite DER length");
  if (len & 0x80)
    {
      guint n = len & 0x7f;

      if (n > 4 || in->len < 2 + n)
        return fail (reader, "truncated DER length");
      if (in->p[2] == 0)
        return fail (reader, "DER length not in its shortest form");
      len = 0;
      for (guint i = 0; i < n; i++)
        len = (len << 8) | in->p[2 + i];
      if (len < 0x80)
        return fail (reader, "DER length not in its shortest form");
      hdr += n;
    }
  if (len > in->len - hdr)
    return fail (reader, "DER length beyond the data");
  tlv->content.p = in->p + hdr;
  tlv->content.len = len;
  tlv->whole.p = in->p;
  tlv->whole.len = hdr + len;
  in->p += hdr + len;
  in->len -= hdr + len;
  return TRUE;
}

static gboolean
der_expect (Reader *reader,
            Der    *in,
            guint8  tag,
            Tlv    *tlv)
{
  if (!der_next (reader, in, tlv))
    return FALSE;
  if (tlv->tag != tag)
    return fail (reader, "unexpected DER tag");
  return TRUE;
}

/* The next element if it carries @tag, else nothing consumed */
static gboolean
der_optional (Der    *in,
              guint8  tag)
{
  return in->len > 0 && in->p[0] == tag;
}

static gboolean
der_end (Reader    *reader,
         const Der *in)
{
  return in->len == 0 || fail (reader, "unexpected data after a DER element");
}

/* A DER INTEGER: not empty, in its shortest form */
static gboolean
check_integer (Reader    *reader,
               const Tlv *tlv)
{
  const guint8 *p = tlv->content.p;

  if (tlv->content.len == 0)
    return fail (reader, "empty INTEGER");
  if (tlv->content.len > 1 && ((p[0] == 0x00 && p[1] < 0x80) || (p[0] == 0xff && p[1] >= 0x80)))
    return fail (reader, "INTEGER not in its shortest form");
  return TRUE;
}

/* Dotted form of an OBJECT IDENTIFIER's content, or %NULL when not minimal DER */
static char *
oid_to_string (const Der *oid)
{
  GString *s;
  guint64 value = 0;
  gboolean first = TRUE;

  if (oid->len == 0 || (oid->p[oid->len - 1] & 0x80))
    return NULL;
  s = g_string_new (NULL);
  for (gsize i = 0; i < oid->len; i++)
    {
      if (value == 0 && oid->p[i] == 0x80)
        {
          g_string_free (s, TRUE);
          return NULL;   /* a sub-identifier with a leading zero */
        }
      if (value > (G_MAXUINT64 >> 7))
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      value = (value << 7) | (oid->p[i] & 0x7f);
      if (oid->p[i] & 0x80)
        continue;
      if (first)
        {
          guint arc = value < 40 ? 0 : value < 80 ? 1 : 2;

          g_string_append_printf (s, "%u.%" G_GUINT64_FORMAT, arc, value - arc * 40);
          first = FALSE;
        }
      else
        g_string_append_printf (s, ".%" G_GUINT64_FORMAT, value);
      value = 0;
    }
  return g_string_free (s, FALSE);
}

static char *
read_oid (Reader *reader,
          Der    *in)
{
  Tlv tlv;
  char *oid;

  if (!der_expect (reader, in, TAG_OID, &tlv))
    return NULL;
  oid = oid_to_string (&tlv.content);
  if (oid == NULL)
    fail (reader, "malformed OBJECT IDENTIFIER");
  return oid;
}

/* AlgorithmIdentifier: the OID, and the parameters (whole TLV) if any */
static char *
read_algorithm (Reader *reader,
                Der    *in,
                Tlv    *params,
                Tlv    *whole)
{
  Tlv seq;
  Der body;
  char *oid;

  if (!der_expect (reader, in, TAG_SEQUENCE, &seq))
    return NULL;
  if (whole != NULL)
    *whole = seq;
  body = seq.content;
  oid = read_oid (reader, &body);
  if (oid == NULL)
    return NULL;
  memset (params, 0, sizeof *params);
  if (body.len > 0 && !der_next (reader, &body, params))
    {
      g_free (oid);
      return NULL;
    }
  if (!der_end (reader, &body))
    {
      g_free (oid);
      return NULL;
    }
  return oid;
}

static char *
to_hex (const guint8 *data,
        gsize         size)
{
  static const char digits[] = "0123456789abcdef";
  char *s = g_malloc (size * 2 + 1);

  for (gsize i = 0; i < size; i++)
    {
      s[2 * i] = digits[data[i] >> 4];
      s[2 * i + 1] = digits[data[i] & 0xf];
    }
  s[size * 2] = '\0';
  return s;
}

void
ek_dn_attribute_free (EkDnAttribute *attribute)
{
  g_free (attribute->oid);
  g_free (attribute->name);
  g_free (attribute->value);
  g_free (attribute);
}

const char *
ek_x509_attribute_name (const char *oid)
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

/**
 * ek_x509_decode_value:
 * @tag: the ASN.1 tag number of the string
 *
 * An attribute's string as UTF-8, whatever its type: BMPString and UniversalString converted,
 * TeletexString read as Latin-1, anything not convertible made valid.
 *
 * Returns: (transfer full): the value
 */
char *
ek_x509_decode_value (const guint8 *data,
                      gsize         size,
                      guint         tag)
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

  if (charset != NULL && size > 0)
    converted = g_convert ((const char *) data, size, "UTF-8", charset, NULL, NULL, NULL);
  if (converted != NULL)
    return g_utf8_make_valid (converted, -1);
  return g_utf8_make_valid ((const char *) data, size);
}

/* RFC 4514 from the attributes, for a DN that cannot be printed the usual way */
char *
ek_x509_format_dn (GPtrArray *attributes)
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

/* How gnutls 3.7 prints a value: its table of attribute types, each with a short name (or none:
 * the OID is printed) and the one string type it expects (DirectoryString: any of five) */
typedef enum
{
  KIND_DIRECTORY_STRING, KIND_PRINTABLE, KIND_IA5, KIND_NUMERIC, KIND_UTF8, KIND_BMP, KIND_OCTETS,
} ValueKind;

static gboolean
lookup_dn_type (const char  *oid,
                const char **name,
                ValueKind   *kind)
{
  static const struct { const char *oid, *name; ValueKind kind; } types[] = {
    { "1.3.6.1.5.5.7.9.2", "placeOfBirth", KIND_DIRECTORY_STRING },
    { "1.3.6.1.5.5.7.9.3", "gender", KIND_PRINTABLE },
    { "1.3.6.1.5.5.7.9.4", "countryOfCitizenship", KIND_PRINTABLE },
    { "1.3.6.1.5.5.7.9.5", "countryOfResidence", KIND_PRINTABLE },
    { "2.5.4.6", "C", KIND_PRINTABLE },
    { "2.5.4.9", "street", KIND_DIRECTORY_STRING },
    { "2.5.4.12", "title", KIND_DIRECTORY_STRING },
    { "2.5.4.10", "O", KIND_DIRECTORY_STRING },
    { "2.5.4.11", "OU", KIND_DIRECTORY_STRING },
    { "2.5.4.3", "CN", KIND_DIRECTORY_STRING },
    { "2.5.4.7", "L", KIND_DIRECTORY_STRING },
    { "2.5.4.8", "ST", KIND_DIRECTORY_STRING },
    { "2.5.4.13", "description", KIND_DIRECTORY_STRING },
    { "2.5.4.5", "serialNumber", KIND_PRINTABLE },
    { "2.5.4.20", "telephoneNumber", KIND_PRINTABLE },
    { "2.5.4.4", "surName", KIND_DIRECTORY_STRING },
    { "2.5.4.43", "initials", KIND_DIRECTORY_STRING },
    { "2.5.4.44", "generationQualifier", KIND_DIRECTORY_STRING },
    { "2.5.4.42", "givenName", KIND_DIRECTORY_STRING },
    { "2.5.4.65", "pseudonym", KIND_DIRECTORY_STRING },
    { "2.5.4.46", "dnQualifier", KIND_PRINTABLE },
    { "2.5.4.17", "postalCode", KIND_DIRECTORY_STRING },
    { "2.5.4.41", "name", KIND_DIRECTORY_STRING },
    { "2.5.4.15", "businessCategory", KIND_DIRECTORY_STRING },
    { "0.9.2342.19200300.100.1.25", "DC", KIND_IA5 },
    { "0.9.2342.19200300.100.1.1", "UID", KIND_DIRECTORY_STRING },
    { "1.2.840.113556.1.4.656", "userPrincipalName", KIND_DIRECTORY_STRING },
    { "1.3.6.1.4.1.311.60.2.1.1", "jurisdictionOfIncorporationLocalityName", KIND_DIRECTORY_STRING },
    { "1.3.6.1.4.1.311.60.2.1.2", "jurisdictionOfIncorporationStateOrProvinceName", KIND_DIRECTORY_STRING },
    { "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionOfIncorporationCountryName", KIND_PRINTABLE },
    { "1.2.840.113549.1.9.1", "EMAIL", KIND_IA5 },
    { "1.2.840.113549.1.9.7", NULL, KIND_DIRECTORY_STRING },
    { "1.2.840.113549.1.9.20", NULL, KIND_BMP },
    { "1.2.840.113549.1.9.21", NULL, KIND_OCTETS },
    { "1.2.840.113549.1.9.4", NULL, KIND_OCTETS },
    { "1.3.6.1.5.5.7.8.5", "XmppAddr", KIND_UTF8 },
    { "1.2.643.100.1", "OGRN", KIND_NUMERIC },
    { "1.2.643.100.5", "OGRNIP", KIND_NUMERIC },
    { "1.2.643.100.3", "SNILS", KIND_NUMERIC },
    { "1.2.643.3.131.1.1", "INN", KIND_NUMERIC },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (types[i].oid, oid))
      {
        *name = types[i].name != NULL ? types[i].name : oid;
        *kind = types[i].kind;
        return TRUE;
      }
  *name = oid;
  return FALSE;
}

/* UCS-2 (big-endian) to UTF-8 as gnutls does it: one trailing U+0000 dropped, an odd last byte
 * ignored, surrogates paired; %NULL when ill-formed or empty */
static GString *
bmp_to_utf8 (const guint8 *p,
             gsize         size)
{
  GString *out;

  if (size > 2 && p[size - 1] == 0 && p[size - 2] == 0)
    size -= 2;
  if (size < 2)
    return NULL;
  out = g_string_sized_new (size * 3 / 2 + 1);
  for (gsize i = 0; i + 1 < size; i += 2)
    {
      gunichar c = (p[i] << 8) | p[i + 1];

      if (c >= 0xd800 && c < 0xdc00)
        {
          gunichar low;

          if (i + 3 >= size || (low = (p[i + 2] << 8) | p[i + 3]) < 0xdc00 || low >= 0xe000)
            {
              g_string_free (out, TRUE);
              return NULL;
            }
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i += 2;
        }
      else if (c >= 0xdc00 && c < 0xe000)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_unichar (out, c);
    }
  return out;
}

static void
append_hex (GString      *s,
            const guint8 *data,
            gsize         size)
{
  g_autofree char *hex = to_hex (data, size);

  g_string_append_c (s, '#');
  g_string_append (s, hex);
}

/* The printable form of one value, before escaping; %NULL when gnutls would print the whole
 * TLV in hex instead */
static GString *
printable_value (ValueKind  kind,
                 const Tlv *value)
{
  const guint8 *p = value->content.p;
  gsize n = value->content.len;
  GString *out = NULL;
  static const guint8 expected[] = {
    [KIND_PRINTABLE] = TAG_PRINTABLE, [KIND_IA5] = TAG_IA5, [KIND_NUMERIC] = TAG_NUMERIC,
    [KIND_UTF8] = TAG_UTF8, [KIND_BMP] = TAG_BMP, [KIND_OCTETS] = TAG_OCTET_STRING,
  };

  if (kind == KIND_DIRECTORY_STRING)
    {
      switch (value->tag)
        {
        case TAG_TELETEX:
          /* Printed as it is only when every byte is printable ASCII */
          for (gsize i = 0; i < n; i++)
            if (p[i] < 0x20 || p[i] > 0x7e)
              {
                out = g_string_new (NULL);
                append_hex (out, p, n);
                break;
              }
          if (out == NULL)
            out = g_string_new_len ((const char *) p, n);
          break;
        case TAG_BMP:
          out = bmp_to_utf8 (p, n);
          if (out == NULL)
            {
              out = g_string_new (NULL);
              append_hex (out, p, n);
            }
          break;
        case TAG_UNIVERSAL:
          out = g_string_new (NULL);
          append_hex (out, p, n);
          break;
        case TAG_PRINTABLE:
        case TAG_UTF8:
          out = g_string_new_len ((const char *) p, n);
          break;
        default:
          return NULL;
        }
    }
  else
    {
      if (value->tag != expected[kind])
        return NULL;
      if (kind == KIND_BMP)
        {
          out = bmp_to_utf8 (p, n);
          if (out == NULL)
            {
              out = g_string_new (NULL);
              append_hex (out, p, n);
            }
        }
      else
        out = g_string_new_len ((const char *) p, n);
      if (kind == KIND_OCTETS)
        return out;
    }
  /* Strings with a NUL are refused, and then printed as unknown */
  if (memchr (out->str, '\0', out->len) != NULL)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return out;
}

/* One AttributeTypeAndValue as gnutls_x509_crt_get_dn3() prints it; FALSE if it cannot */
static gboolean
append_gnutls_ava (GString    *s,
                   const char *oid,
                   const Tlv  *value)
{
  const char *name;
  ValueKind kind = KIND_DIRECTORY_STRING;
  g_autoptr(GString) text = NULL;

  if (lookup_dn_type (oid, &name, &kind))
    text = printable_value (kind, value);
  g_string_append (s, name);
  g_string_append_c (s, '=');
  if (text == NULL)
    {
      append_hex (s, value->whole.p, value->whole.len);
      return TRUE;
    }
  for (gsize i = 0; i < text->len; i++)
    {
      char c = text->str[i];

      if (c == '\0')
        return FALSE;
      if (strchr (",+\"\\<>;", c) != NULL || (i == 0 && (c == '#' || c == ' ')) ||
          (i == text->len - 1 && c == ' '))
        g_string_append_c (s, '\\');
      g_string_append_c (s, c);
    }
  return TRUE;
}

static void
free_string (gpointer s)
{
  g_string_free (s, TRUE);
}

/* Name ::= SEQUENCE OF SET OF AttributeTypeAndValue: the attributes in DER order and the
 * RFC 4514 string (RDNs last to first) */
static gboolean
read_name (Reader     *reader,
           Der        *in,
           GPtrArray  *attributes,
           char      **text)
{
  Tlv name;
  Der rdns;
  g_autoptr(GPtrArray) rdn_texts = g_ptr_array_new_with_free_func (free_string);
  gboolean printable = TRUE;

  if (!der_expect (reader, in, TAG_SEQUENCE, &name))
    return FALSE;
  rdns = name.content;
  while (rdns.len > 0)
    {
      Tlv rdn;
      Der avas;
      GString *rdn_text = g_string_new (NULL);

      g_ptr_array_add (rdn_texts, rdn_text);
      if (!der_expect (reader, &rdns, TAG_SET, &rdn))
        return FALSE;
      avas = rdn.content;
      if (avas.len == 0)
        return fail (reader, "empty RelativeDistinguishedName");
      while (avas.len > 0)
        {
          Tlv ava, value;
          Der body;
          EkDnAttribute *attribute;
          char *oid;

          if (!der_expect (reader, &avas, TAG_SEQUENCE, &ava))
            return FALSE;
          body = ava.content;
          if ((oid = read_oid (reader, &body)) == NULL)
            return FALSE;
          if (!der_next (reader, &body, &value) || !der_end (reader, &body))
            {
              g_free (oid);
              return FALSE;
            }
          attribute = g_new0 (EkDnAttribute, 1);
          attribute->oid = oid;
          attribute->name = g_strdup (ek_x509_attribute_name (oid));
          attribute->value = ek_x509_decode_value (value.content.p, value.content.len, value.tag & 0x1f);
          g_ptr_array_add (attributes, attribute);

          if (rdn_text->len > 0)
            g_string_append_c (rdn_text, '+');
          if (!append_gnutls_ava (rdn_text, oid, &value))
            printable = FALSE;
        }
    }

  if (printable && rdn_texts->len > 0)
    {
      GString *s = g_string_new (NULL);

      for (guint i = rdn_texts->len; i > 0; i--)
        {
          GString *rdn_text = g_ptr_array_index (rdn_texts, i - 1);

          if (i != rdn_texts->len)
            g_string_append_c (s, ',');
          g_string_append_len (s, rdn_text->str, rdn_text->len);
        }
      if (g_utf8_validate (s->str, s->len, NULL))
        *text = g_string_free (s, FALSE);
      else
        g_string_free (s, TRUE);
    }
  if (*text == NULL)
    *text = ek_x509_format_dn (attributes);
  return TRUE;
}

static gboolean
two_digits (const guint8 *p,
            int          *out)
{
  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
    return FALSE;
  *out = (p[0] - '0') * 10 + (p[1] - '0');
  return TRUE;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, as seconds since 1970; a year
 * before 1970 reads as 1970-01-01 (as gnutls has it) */
static gboolean
read_time (Reader *reader,
           Der    *in,
           gint64 *out)
{
  static const int month_days[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
  Tlv tlv;
  const guint8 *p;
  int year, century, mon, day, hour, min, sec;
  gint64 days = 0;

  if (!der_next (reader, in, &tlv))
    return FALSE;
  p = tlv.content.p;
  if (tlv.tag == TAG_UTC_TIME && tlv.content.len == 13 && two_digits (p, &year))
    {
      year += year > 49 ? 1900 : 2000;
      p += 2;
    }
  else if (tlv.tag == TAG_GENERALIZED_TIME && tlv.content.len == 15 &&
           two_digits (p, &century) && two_digits (p + 2, &year))
    {
      year += century * 100;
      p += 4;
    }
  else
    return fail (reader, "malformed certificate validity time");
  if (!two_digits (p, &mon) || !two_digits (p + 2, &day) || !two_digits (p + 4, &hour) ||
      !two_digits (p + 6, &min) || !two_digits (p + 8, &sec) || p[10] != 'Z' ||
      mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59)
    return fail (reader, "malformed certificate validity time");
  if (year < 1970)
    {
      *out = 0;
      return TRUE;
    }
#define LEAP(y) (((y) % 4 == 0 && (y) % 100 != 0) || (y) % 400 == 0)
  for (int y = 1970; y < year; y++)
    days += 365 + LEAP (y);
  days += month_days[mon - 1] + (mon > 2 && LEAP (year)) + day - 1;
#undef LEAP
  *out = ((days * 24 + hour) * 60 + min) * 60 + sec;
  return TRUE;
}

/* Bits in an unsigned big-endian number */
static guint
bit_length (const guint8 *p,
            gsize         n)
{
  while (n > 0 && *p == 0)
    p++, n--;
  if (n == 0)
    return 0;
  return (guint) (n - 1) * 8 + g_bit_storage (*p);
}

/* The key's algorithm and size, from SubjectPublicKeyInfo. A key gnutls could not read is
 * named by its OID (“EC” for any EC key), with no size. */
static void
read_key (Reader *reader,
          EkX509 *x509,
          Tlv    *spki_tlv)
{
  static const struct { const char *oid; guint bits; } curves[] = {
    { "1.2.840.10045.3.1.1", 192 }, { "1.3.132.0.33", 224 }, { "1.2.840.10045.3.1.7", 256 },
    { "1.3.132.0.34", 384 }, { "1.3.132.0.35", 528 },
  };
  Der spki = spki_tlv->content, key_der;
  Tlv params, key, seq, n, e;
  g_autofree char *oid = NULL;
  g_autofree char *curve = NULL;
  const guint8 *kp;
  gsize klen;

  oid = read_algorithm (reader, &spki, &params, NULL);
  x509->key_bits = 0;
  if (oid == NULL || !der_expect (reader, &spki, TAG_BIT_STRING, &key))
    return;
  kp = key.content.p + 1;
  klen = key.content.len - 1;
  if (params.tag == TAG_OID)
    curve = oid_to_string (&params.content);
  if (curve != NULL && g_str_equal (curve, OID_SM2_CURVE))
    {
      x509->key_algorithm = g_strdup ("SM2");
      x509->key_bits = 256;
      return;
    }
  /* The unused-bits count is not looked at: gnutls reads the whole bytes */
  if (g_str_equal (oid, OID_RSA) || g_str_equal (oid, OID_RSA_PSS))
    {
      Reader inner = { NULL };

      key_der.p = kp;
      key_der.len = klen;
      if (!der_expect (&inner, &key_der, TAG_SEQUENCE, &seq) || !der_end (&inner, &key_der))
        goto unreadable;
      /* Numbers with a superfluous leading zero are still read (as gnutls does) */
      if (!der_expect (&inner, &seq.content, TAG_INTEGER, &n) || n.content.len == 0 ||
          !der_expect (&inner, &seq.content, TAG_INTEGER, &e) || e.content.len == 0 ||
          !der_end (&inner, &seq.content))
        goto unreadable;
      x509->key_algorithm = g_strdup (g_str_equal (oid, OID_RSA) ? "RSA" : "RSA-PSS");
      x509->key_bits = bit_length (n.content.p, n.content.len);
      return;
    }
  if (g_str_equal (oid, OID_EC))
    {
      if (curve == NULL || klen < 3 || kp[0] != 0x04 || klen % 2 == 0)
        goto unreadable;
      for (guint i = 0; i < G_N_ELEMENTS (curves); i++)
        if (g_str_equal (curves[i].oid, curve))
          {
            x509->key_algorithm = g_strdup ("EC");
            x509->key_bits = curves[i].bits;
            return;
          }
      goto unreadable;
    }
  if (g_str_equal (oid, OID_DSA))
    {
      Reader inner = { NULL };
      Der p;

      if (params.tag != TAG_SEQUENCE)
        goto unreadable;
      p = params.content;
      if (!der_expect (&inner, &p, TAG_INTEGER, &n) || n.content.len == 0)
        goto unreadable;
      x509->key_algorithm = g_strdup ("DSA");
      x509->key_bits = bit_length (n.content.p, n.content.len);
      return;
    }
  {
    static const struct { const char *oid, *name; gsize size; } raw[] = {
      { "1.3.101.112", "Ed25519", 32 }, { "1.3.101.113", "Ed448", 57 },
      { "1.3.101.110", "ECDH (X25519)", 32 }, { "1.3.101.111", "ECDH (X448)", 56 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
      if (g_str_equal (raw[i].oid, oid))
        {
          if (klen != raw[i].size)
            goto unreadable;
          x509->key_algorithm = g_strdup (raw[i].name);
          x509->key_bits = raw[i].size * 8;
          return;
        }
  }

unreadable:
  x509->key_bits = 0;
  x509->key_algorithm = g_strdup (g_str_equal (oid, OID_EC) ? "EC" : oid);
}

/* The hash of RSASSA-PSS-params (absent: SHA-1), or %NULL when they cannot be read */
static const char *
pss_signature_name (const Tlv *params)
{
  static const struct { const char *oid, *name; } hashes[] = {
    { "2.16.840.1.101.3.4.2.1", "RSA-PSS-SHA256" }, { "2.16.840.1.101.3.4.2.2", "RSA-PSS-SHA384" },
    { "2.16.840.1.101.3.4.2.3", "RSA-PSS-SHA512" },
  };
  Reader inner = { NULL };
  Der body;
  Tlv field, alg, hash_params, mgf_params;
  g_autofree char *hash = NULL;
  g_autofree char *mgf = NULL;
  g_autofree char *mgf_hash = NULL;

  if (params->tag != TAG_SEQUENCE)
    return NULL;
  body = params->content;
  if (der_optional (&body, 0xa0))
    {
      Der explicit;

      if (!der_next (&inner, &body, &field))
        return NULL;
      explicit = field.content;
      if ((hash = read_algorithm (&inner, &explicit, &hash_params, &alg)) == NULL)
        return NULL;
    }
  if (der_optional (&body, 0xa1))
    {
      Der explicit, inner_alg;
      Tlv mgf_alg;

      if (!der_next (&inner, &body, &field))
        return NULL;
      explicit = field.content;
      if ((mgf = read_algorithm (&inner, &explicit, &mgf_params, &mgf_alg)) == NULL ||
          !g_str_equal (mgf, OID_MGF1))
        return NULL;
      inner_alg.p = mgf_params.whole.p;
      inner_alg.len = mgf_params.whole.len;
      if (mgf_params.whole.p == NULL ||
          (mgf_hash = read_algorithm (&inner, &inner_alg, &hash_params, NULL)) == NULL)
        return NULL;
    }
  if (hash == NULL || (mgf_hash != NULL ? !g_str_equal (hash, mgf_hash) : TRUE))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    if (g_str_equal (hashes[i].oid, hash))
      return hashes[i].name;
  return NULL;
}

static char *
signature_name (const char *oid,
                const Tlv  *params)
{
  static const struct { const char *oid, *name; } names[] = {
    { "1.2.643.2.2.3", "GOSTR341001" }, { "1.2.643.7.1.1.3.2", "GOSTR341012-256" },
    { "1.2.643.7.1.1.3.3", "GOSTR341012-512" }, { "1.2.840.10040.4.3", "DSA-SHA1" },
    { "1.2.840.10045.4.1", "ECDSA-SHA1" }, { "1.2.840.10045.4.3.1", "ECDSA-SHA224" },
    { "1.2.840.10045.4.3.2", "ECDSA-SHA256" }, { "1.2.840.10045.4.3.3", "ECDSA-SHA384" },
    { "1.2.840.10045.4.3.4", "ECDSA-SHA512" }, { "1.2.840.113549.1.1.11", "RSA-SHA256" },
    { "1.2.840.113549.1.1.12", "RSA-SHA384" }, { "1.2.840.113549.1.1.13", "RSA-SHA512" },
    { "1.2.840.113549.1.1.14", "RSA-SHA224" }, { "1.2.840.113549.1.1.2", "RSA-MD2" },
    { "1.2.840.113549.1.1.4", "RSA-MD5" }, { "1.2.840.113549.1.1.5", "RSA-SHA1" },
    { "1.3.101.112", "EdDSA-Ed25519" }, { "1.3.101.113", "EdDSA-Ed448" },
    { "1.3.36.3.3.1.2", "RSA-RMD160" }, { "2.16.840.1.101.3.4.3.1", "DSA-SHA224" },
    { "2.16.840.1.101.3.4.3.2", "DSA-SHA256" }, { "2.16.840.1.101.3.4.3.3", "DSA-SHA384" },
    { "2.16.840.1.101.3.4.3.4", "DSA-SHA512" }, { "2.16.840.1.101.3.4.3.5", "DSA-SHA3-224" },
    { "2.16.840.1.101.3.4.3.6", "DSA-SHA3-256" }, { "2.16.840.1.101.3.4.3.7", "DSA-SHA3-384" },
    { "2.16.840.1.101.3.4.3.8", "DSA-SHA3-512" }, { "2.16.840.1.101.3.4.3.9", "ECDSA-SHA3-224" },
    { "2.16.840.1.101.3.4.3.10", "ECDSA-SHA3-256" }, { "2.16.840.1.101.3.4.3.11", "ECDSA-SHA3-384" },
    { "2.16.840.1.101.3.4.3.12", "ECDSA-SHA3-512" }, { "2.16.840.1.101.3.4.3.13", "RSA-SHA3-224" },
    { "2.16.840.1.101.3.4.3.14", "RSA-SHA3-256" }, { "2.16.840.1.101.3.4.3.15", "RSA-SHA3-384" },
    { "2.16.840.1.101.3.4.3.16", "RSA-SHA3-512" },
  };

  if (g_str_equal (oid, OID_RSA_PSS))
    {
      const char *name = pss_signature_name (params);

      return g_strdup (name != NULL ? name : oid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].oid, oid))
      return g_strdup (names[i].name);
  if (g_str_equal (oid, OID_SM3_WITH_SM2))
    return g_strdup ("SM2-SM3");
  return g_strdup (oid);
}

/* Algorithm parameters compared as gnutls does: NULL and absent are the same */
static gboolean
same_parameters (const Tlv *a,
                 const Tlv *b)
{
  gboolean a_empty = a->whole.p == NULL || (a->whole.len == 2 && a->tag == TAG_NULL);
  gboolean b_empty = b->whole.p == NULL || (b->whole.len == 2 && b->tag == TAG_NULL);

  if (a_empty || b_empty)
    return a_empty == b_empty;
  return a->whole.len == b->whole.len && memcmp (a->whole.p, b->whole.p, a->whole.len) == 0;
}

static void
read_key_usage (EkX509    *x509,
                const Der *value)
{
  static const char *names[] = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  Reader inner = { NULL };
  Der in = *value;
  Tlv bits;
  guint usage = 0;

  /* An unused-bits count of 8 (malformed) still has its bytes read, as gnutls reads them */
  if (der_expect (&inner, &in, TAG_BIT_STRING, &bits) && der_end (&inner, &in) &&
      bits.content.len >= 1 && bits.content.len <= 3 && bits.content.p[0] <= 8)
    {
      if (bits.content.len >= 2)
        usage = bits.content.p[1];
      if (bits.content.len == 3)
        usage |= (guint) (bits.content.p[2] & 0x80) << 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (usage & (i < 8 ? 0x80u >> i : 0x100u))
      g_strv_builder_add (builder, names[i]);
  g_clear_pointer (&x509->key_usage, g_strfreev);
  x509->key_usage = g_strv_builder_end (builder);
}

static gboolean
read_extensions (Reader *reader,
                 EkX509 *x509,
                 Der    *in)
{
  Tlv explicit, list;
  Der body, items;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  if (!der_next (reader, in, &explicit))
    return FALSE;
  body = explicit.content;
  if (!der_expect (reader, &body, TAG_SEQUENCE, &list) || !der_end (reader, &body))
    return FALSE;
  items = list.content;
  if (items.len == 0)
    return fail (reader, "empty extension list");
  while (items.len > 0)
    {
      Tlv extension, critical, value;
      Der fields;
      g_autofree char *oid = NULL;

      if (!der_expect (reader, &items, TAG_SEQUENCE, &extension))
        return FALSE;
      fields = extension.content;
      if ((oid = read_oid (reader, &fields)) == NULL)
        return FALSE;
      if (der_optional (&fields, TAG_BOOLEAN) &&
          (!der_next (reader, &fields, &critical) || critical.content.len != 1))
        return fail (reader, "malformed BOOLEAN");
      if (!der_expect (reader, &fields, TAG_OCTET_STRING, &value) || !der_end (reader, &fields))
        return FALSE;
      /* RFC 5280 4.2: one of each (gnutls refuses the certificate too) */
      for (guint i = 0; i < seen->len; i++)
        if (g_str_equal (g_ptr_array_index (seen, i), oid))
          return fail (reader, "duplicate extension");
      if (g_str_equal (oid, OID_KEY_USAGE))
        read_key_usage (x509, &value.content);
      g_ptr_array_add (seen, g_steal_pointer (&oid));
    }
  return TRUE;
}

static gboolean
parse (Reader       *reader,
       EkX509       *x509,
       const guint8 *data,
       gsize         size)
{
  Der in = { data, size }, cert, tbs;
  Tlv cert_tlv, tbs_tlv, tlv, outer_params, inner_params, validity, spki, signature;
  g_autofree char *outer_oid = NULL;
  g_autofree char *inner_oid = NULL;
  guint version = 1;

  if (!der_expect (reader, &in, TAG_SEQUENCE, &cert_tlv) || !der_end (reader, &in))
    return FALSE;
  cert = cert_tlv.content;
  if (!der_expect (reader, &cert, TAG_SEQUENCE, &tbs_tlv))
    return FALSE;
  if ((outer_oid = read_algorithm (reader, &cert, &outer_params, NULL)) == NULL)
    return FALSE;
  if (!der_expect (reader, &cert, TAG_BIT_STRING, &signature) || !der_end (reader, &cert))
    return FALSE;
  if (signature.content.len == 0 || signature.content.p[0] > 7)
    return fail (reader, "malformed signature BIT STRING");

  tbs = tbs_tlv.content;
  if (der_optional (&tbs, 0xa0))
    {
      Der explicit;

      if (!der_next (reader, &tbs, &tlv))
        return FALSE;
      explicit = tlv.content;
      if (!der_expect (reader, &explicit, TAG_INTEGER, &tlv) || !der_end (reader, &explicit) ||
          !check_integer (reader, &tlv))
        return FALSE;
      if (tlv.content.len != 1 || tlv.content.p[0] > 2)
        return fail (reader, "unknown certificate version");
      version = tlv.content.p[0] + 1;
    }
  /* The serial number: some CAs pad it with a zero byte, which gnutls reads and shows */
  if (!der_expect (reader, &tbs, TAG_INTEGER, &tlv))
    return FALSE;
  if (tlv.content.len == 0)
    return fail (reader, "empty serial number");
  x509->serial = tlv.content.len <= 64 ? to_hex (tlv.content.p, tlv.content.len) : g_strdup ("");
  if ((inner_oid = read_algorithm (reader, &tbs, &inner_params, NULL)) == NULL)
    return FALSE;
  if (!g_str_equal (inner_oid, outer_oid) || !same_parameters (&inner_params, &outer_params))
    return fail (reader, "the two signature algorithms differ");
  x509->signature_algorithm = signature_name (outer_oid, &outer_params);
  if (!read_name (reader, &tbs, x509->issuer_attributes, &x509->issuer))
    return FALSE;
  if (!der_expect (reader, &tbs, TAG_SEQUENCE, &validity))
    return FALSE;
  if (!read_time (reader, &validity.content, &x509->not_before) ||
      !read_time (reader, &validity.content, &x509->not_after) ||
      !der_end (reader, &validity.content))
    return FALSE;
  if (!read_name (reader, &tbs, x509->subject_attributes, &x509->subject))
    return FALSE;
  if (!der_expect (reader, &tbs, TAG_SEQUENCE, &spki))
    return FALSE;
  {
    /* Structure first: the key itself may be unreadable (named by OID then), the SPKI not */
    Der body = spki.content;
    Tlv params, key;
    g_autofree char *oid = read_algorithm (reader, &body, &params, NULL);

    if (oid == NULL || !der_expect (reader, &body, TAG_BIT_STRING, &key) || !der_end (reader, &body))
      return FALSE;
    if (key.content.len == 0 || key.content.p[0] > 7)
      return fail (reader, "malformed public key BIT STRING");
  }
  read_key (reader, x509, &spki);
  for (guint8 tag = 0x81; tag <= 0x82; tag++)
    if (der_optional (&tbs, tag))
      {
        if (!der_next (reader, &tbs, &tlv))
          return FALSE;
        if (version < 2)
          return fail (reader, "unique identifiers in a version 1 certificate");
      }
  x509->key_usage = g_new0 (char *, 1);
  if (der_optional (&tbs, 0xa3))
    {
      if (version < 3)
        return fail (reader, "extensions in a certificate before version 3");
      if (!read_extensions (reader, x509, &tbs))
        return FALSE;
    }
  return der_end (reader, &tbs);
}

/**
 * ek_x509_parse:
 * @data: (array length=size): a DER certificate
 *
 * Returns: (transfer full): the certificate's fields, or %NULL with @error set
 *   (%EK_CERTIFICATE_ERROR_INVALID) when @data is not a DER X.509 certificate
 */
EkX509 *
ek_x509_parse (const guint8  *data,
               gsize          size,
               GError       **error)
{
  g_autoptr(EkX509) x509 = g_new0 (EkX509, 1);
  Reader reader = { NULL };

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  x509->subject_attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_dn_attribute_free);
  x509->issuer_attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_dn_attribute_free);
  if (!parse (&reader, x509, data, size))
    {
      g_set_error (error, EK_CERTIFICATE_ERROR, EK_CERTIFICATE_ERROR_INVALID,
                   _("This is not a certificate that can be read (%s). Ask the issuer of the key for a new one."),
                   reader.reason != NULL ? reader.reason : "malformed DER");
      return NULL;
    }
  return g_steal_pointer (&x509);
}

void
ek_x509_free (EkX509 *x509)
{
  if (x509 == NULL)
    return;
  g_clear_pointer (&x509->subject_attributes, g_ptr_array_unref);
  g_clear_pointer (&x509->issuer_attributes, g_ptr_array_unref);
  g_free (x509->subject);
  g_free (x509->issuer);
  g_free (x509->serial);
  g_free (x509->key_algorithm);
  g_free (x509->signature_algorithm);
  g_strfreev (x509->key_usage);
  g_free (x509);
}
