/* ek-certificate-info-private.h: the certificate model's fields, shared with its backend
 *
 * ek-certificate-info.c is the model: what a clerk needs to know, judged from what was read.
 * The backend (ek-certificate-info-gnutls.c) reads the DER and fills the fields marked “read”;
 * the model derives the rest. Another X.509 library would be another backend file.
 */
#pragma once

#include "ek-certificate-info.h"

G_BEGIN_DECLS

struct _EkCertificateInfo
{
  GObject        parent_instance;

  GBytes        *der;
  /* read by the backend */
  char          *subject;             /* RFC 4514 */
  char          *issuer;
  GPtrArray     *subject_attributes;  /* (element-type EkDnAttribute) in DER order */
  GPtrArray     *issuer_attributes;
  char          *serial;              /* hex, "" when unreadable */
  GDateTime     *not_before;          /* NULL when unreadable */
  GDateTime     *not_after;
  char          *key_algorithm;       /* "RSA", "EC", "SM2"…, or the OID */
  guint          key_bits;            /* 0 when unknown */
  char          *signature_algorithm; /* "RSA-SHA256", "SM2-SM3"…, or the OID */
  GStrv          key_usage;           /* "digitalSignature"… */
  /* derived by the model */
  GStrv          organizations;
  char          *common_name;
  char          *enterprise_name;
  char          *enterprise_code_13;
  char          *login_name;
  EkUsccStatus   uscc_status;
  char          *uscc;
  EkUsccInstead  uscc_instead;
  char          *uscc_instead_value;
  char          *sha256;

  char          *object_label;
  GBytes        *object_id;
};

void      ek_dn_attribute_free          (EkDnAttribute      *attribute);

/* The backend */
gboolean  ek_certificate_info_read_der  (EkCertificateInfo  *self,
                                         GError            **error);
GBytes   *ek_certificate_pem_to_der     (GBytes             *pem,
                                         GError            **error);

G_END_DECLS
