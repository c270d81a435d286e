/* ek-api-client-renewal.h: the registration API's key log-in and renewal calls
 *
 * Synchronous calls, for code that already runs in a thread (key log-in, the online update):
 * they block on the network and honour @cancellable. The key log-in takes a signer so that the
 * client never reaches the key itself.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

/* Signs the service's challenge with the key; NULL with an error (a wrong PIN, the key pulled out) */
typedef GBytes *(*EkApiKeySigner) (GBytes    *nonce,
                                        gpointer   user_data,
                                        GError   **error);

gboolean ek_api_client_login_with_key_sync   (EkApiClient         *self,
                                              const char          *certificate_pem,
                                              EkApiKeySigner       signer,
                                              gpointer             signer_data,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* The same in a thread; @signer_data is freed with @signer_data_free when done (a key signer
 * holding the PIN lets go of it then) */
void     ek_api_client_login_with_key_async  (EkApiClient         *self,
                                              const char          *certificate_pem,
                                              EkApiKeySigner       signer,
                                              gpointer             signer_data,
                                              GDestroyNotify       signer_data_free,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean ek_api_client_login_with_key_finish (EkApiClient         *self,
                                              GAsyncResult        *result,
                                              GError             **error);
char    *ek_api_client_dup_key_certificate   (EkApiClient         *self);

/* Whether the key of this session can be renewed online, decided by the service */
typedef struct
{
  gboolean    eligible;
  char       *reason;             /* eligible, unavailable, not-issued-by-service, revoked, renewed, too-early, expired */
  char       *detail;             /* why, and what to do instead, in the client's language */
  gint64      not_after;
  gint64      renewable_from;
  gint64      renewable_until;
  char       *subject;            /* the renewed certificate's subject */
  gboolean    adds_credit_code;
  char       *application_id;     /* a renewal of this key in progress, or NULL */
  JsonObject *fields;             /* the form pre-filled (API names) */
} EkRenewalEligibility;

void                  ek_renewal_eligibility_free          (EkRenewalEligibility *eligibility);
EkRenewalEligibility *ek_renewal_eligibility_new_from_json (JsonNode             *node,
                                                            GError              **error);

EkRenewalEligibility *ek_api_client_get_renewal_eligibility_sync (EkApiClient  *self,
                                                                       GCancellable      *cancellable,
                                                                       GError           **error);
void                  ek_api_client_get_renewal_eligibility_async  (EkApiClient    *self,
                                                                         GCancellable        *cancellable,
                                                                         GAsyncReadyCallback  callback,
                                                                         gpointer             user_data);
EkRenewalEligibility *ek_api_client_get_renewal_eligibility_finish (EkApiClient  *self,
                                                                         GAsyncResult      *result,
                                                                         GError           **error);

/* The certificate issued for an approved renewal: PEM, as the service sent it (checked for shape
 * only; EkRenewal checks the certificate itself) */
typedef struct
{
  char   *certificate_pem;
  char   *ca_pem;                 /* the issuing CA, or NULL */
  char   *serial;
  gint64  not_after;
} EkIssuedCertificate;

void                 ek_issued_certificate_free          (EkIssuedCertificate *issued);
EkIssuedCertificate *ek_issued_certificate_new_from_json (JsonNode            *node,
                                                          GError             **error);

/* POST the request (PEM); asked again it answers the same certificate */
EkIssuedCertificate *ek_api_client_issue_certificate_sync (EkApiClient  *self,
                                                                const char        *application_id,
                                                                const char        *request_pem,
                                                                GCancellable      *cancellable,
                                                                GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRenewalEligibility, ek_renewal_eligibility_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkIssuedCertificate, ek_issued_certificate_free)

G_END_DECLS
