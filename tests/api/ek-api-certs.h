/* ek-api-certs.h: software keys and certificates for the key log-ins of the API tests
 *
 * The issuing CA, users' certificates, the operator's record of them, key log-ins signed with a
 * software key and PKCS#10 requests: what the renewal, seal/mobile and registry tests share.
 * The token side (keys on a SoftHSM token) is in tests/token.
 */
#pragma once

#include <gnutls/x509.h>

#include "ek-api-fixture.h"

G_BEGIN_DECLS

typedef struct
{
  gnutls_x509_crt_t     crt;
  gnutls_x509_privkey_t key;
} EkTestCert;

/* A P-256 key and a certificate for @dn, self-signed as a CA when @issuer is NULL */
void                  ek_test_cert_make      (EkTestCert       *out,
                                              const char       *dn,
                                              const EkTestCert *issuer,
                                              gint64            not_before,
                                              gint64            not_after);
/* Issued by @issuer 700 days ago, @days_left to go */
void                  ek_test_cert_make_user (EkTestCert       *out,
                                              const char       *dn,
                                              const EkTestCert *issuer,
                                              int               days_left);
char                 *ek_test_cert_pem       (const EkTestCert *cert);
void                  ek_test_cert_clear     (EkTestCert       *cert);
/* A service (over HTTPS when @tls) that issues certificates: its issuing CA is made into @ca
 * (P-256, ten years), its certificate and key written into @dir */
EkApiServer          *ek_api_server_start_issuing (EkTestCert *ca,
                                                   const char *dir,
                                                   gboolean    tls);
/* The operator records a certificate the service issued before (`certificates add`) */
void                  ek_test_cert_record    (EkApiServer      *server,
                                              const EkTestCert *cert,
                                              const char       *uscc);

/* POST /sessions with the key: the challenge signed by @cert's key (a bit of it flipped first
 * with @sign_other_data); @body_out gets the log-in's body */
EkApiResponse        *ek_api_key_login       (EkApiServer      *server,
                                              const EkTestCert *cert,
                                              gboolean          sign_other_data,
                                              char            **body_out);
/* The session token of a key log-in that must succeed */
char                 *ek_api_key_token       (EkApiServer      *server,
                                              const EkTestCert *cert);
/* A call with a fresh Idempotency-Key */
EkApiResponse        *ek_api_call_idem       (EkApiServer      *server,
                                              const char       *method,
                                              const char       *path,
                                              const char       *token,
                                              const char       *body);

gnutls_x509_privkey_t ek_test_new_key        (gnutls_pk_algorithm_t algo);
/* {"csr": PEM} signed by @key; its subject says something the service must not copy */
char                 *ek_test_csr_body       (gnutls_x509_privkey_t key);
gnutls_x509_crt_t     ek_test_import_pem     (const char       *pem);

/* A renewal's fields, and the renewal created, its two materials uploaded and submitted */
extern const char    *ek_test_renewal_fields;
char                 *ek_api_submit_renewal  (EkApiServer      *server,
                                              const char       *token);

G_END_DECLS
