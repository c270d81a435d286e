/* ek-certificate-info.h: what a clerk needs to know about one X.509 certificate */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_CERTIFICATE_ERROR (ek_certificate_error_quark ())

typedef enum
{
  EK_CERTIFICATE_ERROR_INVALID,  /* the bytes are not a certificate we can read */
  EK_CERTIFICATE_ERROR_TOO_LARGE,
} EkCertificateError;

GQuark ek_certificate_error_quark (void);

/* The verdict on the 18-character unified social credit code in the subject's O= values */
typedef enum
{
  EK_USCC_VALID,
  EK_USCC_BAD_CHECK,
  EK_USCC_ABSENT,
} EkUsccStatus;

/* What stands in an O= value when there is no 18-character code */
typedef enum
{
  EK_USCC_INSTEAD_NOTHING,
  EK_USCC_INSTEAD_REGISTRATION_NUMBER,  /* the old 15-digit business registration number */
  EK_USCC_INSTEAD_ORGANIZATION_CODE,    /* the 9-character organisation code (GB 11714) */
  EK_USCC_INSTEAD_MALFORMED,            /* 18 characters that are not a code */
} EkUsccInstead;

typedef struct
{
  char *oid;    /* 2.5.4.10 */
  char *name;   /* "O", or the OID when the attribute has no short name */
  char *value;  /* unescaped UTF-8 (UTF8String, PrintableString and BMPString alike) */
} EkDnAttribute;

#define EK_CERTIFICATE_MAX_SIZE (256 * 1024)

#define EK_TYPE_CERTIFICATE_INFO (ek_certificate_info_get_type ())
G_DECLARE_FINAL_TYPE (EkCertificateInfo, ek_certificate_info, EK, CERTIFICATE_INFO, GObject)

EkCertificateInfo *ek_certificate_info_new_from_der            (GBytes             *der,
                                                                GError            **error);
EkCertificateInfo *ek_certificate_info_new_from_data           (GBytes             *data,
                                                                GError            **error);
EkCertificateInfo *ek_certificate_info_new_from_file           (GFile              *file,
                                                                GCancellable       *cancellable,
                                                                GError            **error);

GBytes            *ek_certificate_info_get_der                 (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_subject             (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_issuer              (EkCertificateInfo  *self);
GPtrArray         *ek_certificate_info_get_subject_attributes  (EkCertificateInfo  *self);
GPtrArray         *ek_certificate_info_get_issuer_attributes   (EkCertificateInfo  *self);
const char * const *ek_certificate_info_get_organizations      (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_common_name         (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_enterprise_name     (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_enterprise_code_13  (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_login_name          (EkCertificateInfo  *self);
EkUsccStatus       ek_certificate_info_get_uscc_status         (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_uscc                (EkCertificateInfo  *self);
EkUsccInstead      ek_certificate_info_get_uscc_instead        (EkCertificateInfo  *self,
                                                                const char        **value);
const char        *ek_certificate_info_get_serial              (EkCertificateInfo  *self);
GDateTime         *ek_certificate_info_get_not_before          (EkCertificateInfo  *self);
GDateTime         *ek_certificate_info_get_not_after           (EkCertificateInfo  *self);
gint64             ek_certificate_info_get_days_left           (EkCertificateInfo  *self,
                                                                GDateTime          *now);
gboolean           ek_certificate_info_is_expired              (EkCertificateInfo  *self,
                                                                GDateTime          *now);
const char        *ek_certificate_info_get_key_algorithm       (EkCertificateInfo  *self);
guint              ek_certificate_info_get_key_bits            (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_signature_algorithm (EkCertificateInfo  *self);
const char * const *ek_certificate_info_get_key_usage          (EkCertificateInfo  *self);
const char        *ek_certificate_info_get_sha256              (EkCertificateInfo  *self);

/* Where the certificate was found on a token (PKCS#11 CKA_LABEL and CKA_ID), if anywhere */
void               ek_certificate_info_set_object              (EkCertificateInfo  *self,
                                                                const char         *label,
                                                                GBytes             *id);
const char        *ek_certificate_info_get_object_label        (EkCertificateInfo  *self);
GBytes            *ek_certificate_info_get_object_id           (EkCertificateInfo  *self);
char              *ek_certificate_info_dup_object_id_hex       (EkCertificateInfo  *self);

const char        *ek_uscc_status_to_string                    (EkUsccStatus        status);
const char        *ek_uscc_instead_to_string                   (EkUsccInstead       instead);

G_END_DECLS
