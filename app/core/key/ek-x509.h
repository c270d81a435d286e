/* ek-x509.h: a strict, bounds-checked DER reader for X.509 certificates (private to core)
 *
 * GLib only, so that reading the certificates on a token needs no TLS library. What it gives is
 * exactly what gnutls gave before (tests/token/test-x509-differential.c holds it to that).
 */
#pragma once

#include <glib.h>

#include "ek-certificate-info.h"

G_BEGIN_DECLS

typedef struct
{
  GPtrArray *subject_attributes;  /* (element-type EkDnAttribute) in DER order */
  GPtrArray *issuer_attributes;
  char      *subject;             /* RFC 4514, as gnutls_x509_crt_get_dn3() prints it */
  char      *issuer;
  char      *serial;              /* the INTEGER's bytes in hex, "" when longer than 64 bytes */
  gint64     not_before;          /* seconds since 1970 (UTC) */
  gint64     not_after;
  char      *key_algorithm;       /* "RSA", "EC", "SM2"…, or the OID */
  guint      key_bits;            /* 0 when unknown */
  char      *signature_algorithm; /* "RSA-SHA256", "SM2-SM3"…, or the OID */
  GStrv      key_usage;           /* "digitalSignature"… */
} EkX509;

EkX509 *ek_x509_parse              (const guint8  *data,
                                    gsize          size,
                                    GError       **error);
void    ek_x509_free               (EkX509        *x509);
void    ek_dn_attribute_free       (EkDnAttribute *attribute);
char   *ek_x509_format_dn          (GPtrArray     *attributes);
char   *ek_x509_decode_value       (const guint8  *data,
                                    gsize          size,
                                    guint          tag);
const char *ek_x509_attribute_name (const char    *oid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkX509, ek_x509_free)

G_END_DECLS
