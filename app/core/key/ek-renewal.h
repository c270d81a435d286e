/* ek-renewal.h: the online certificate update, written to the key, crash-proof
 *
 * 1 a new key pair generated on the token; 2 a PKCS#10 request signed there; 3 the certificate
 * issued by the service for the approved renewal; 4 checked (chains to the CA that issued the
 * old one, the new key's, the subject expected), written with the new key's CKA_ID and read
 * back; 5 only then the old certificate and key removed (or kept until expiry when the module
 * cannot delete). Each step is journaled (a small JSON file in the draft's folder, written
 * durably before the token is touched), so a key pulled out, a crash or a dropped network is
 * resumed by the next run: never a key without its certificate, never two current ones.
 */
#pragma once

#include <gio/gio.h>

#include "ek-certificate-info.h"
#include "ek-secret.h"
#include "ek-token-manager.h"
#include "ek-token-writer.h"

G_BEGIN_DECLS

#define EK_RENEWAL_ERROR (ek_renewal_error_quark ())
GQuark ek_renewal_error_quark (void);

typedef enum
{
  EK_RENEWAL_ERROR_REJECTED,        /* the certificate sent is not the one asked for: not written */
  EK_RENEWAL_ERROR_JOURNAL,         /* the record of a renewal cannot be read or saved */
  EK_RENEWAL_ERROR_OTHER_KEY,       /* this is not the key being renewed */
  EK_RENEWAL_ERROR_NOTHING_TO_RENEW,
} EkRenewalError;

/* Asks the service for the certificate of the approved renewal @application_id from the PKCS#10
 * request @request_pem; returns it (PEM) and the issuing CA's (@ca_pem), or NULL with an error.
 * Asked again it must answer the same certificate. Called in the run's thread. */
typedef char *(*EkRenewalIssueFunc) (const char    *application_id,
                                     const char    *request_pem,
                                     char         **ca_pem,
                                     gpointer       user_data,
                                     GCancellable  *cancellable,
                                     GError       **error);

/* What the journal says was done last */
typedef enum
{
  EK_RENEWAL_STEP_NONE,           /* no journal */
  EK_RENEWAL_STEP_STARTED,        /* the new key's id chosen; key generation may have begun */
  EK_RENEWAL_STEP_KEY_GENERATED,  /* the new key pair is on the token */
  EK_RENEWAL_STEP_ISSUED,         /* the certificate is issued, checked and in the journal */
  EK_RENEWAL_STEP_WRITTEN,        /* the certificate is on the token, read back */
  EK_RENEWAL_STEP_DONE,           /* the old certificate and key are removed (or kept: see below) */
} EkRenewalStep;

/* What a run is doing now, for the page's progress */
typedef enum
{
  EK_RENEWAL_PHASE_GENERATING_KEY,
  EK_RENEWAL_PHASE_REQUESTING,
  EK_RENEWAL_PHASE_ISSUING,
  EK_RENEWAL_PHASE_WRITING,
  EK_RENEWAL_PHASE_REMOVING_OLD,
  EK_RENEWAL_PHASE_DONE,
} EkRenewalPhase;

#define EK_TYPE_RENEWAL (ek_renewal_get_type ())
G_DECLARE_FINAL_TYPE (EkRenewal, ek_renewal, EK, RENEWAL, GObject)

/* @journal_path: e.g. <drafts>/<id>/renewal-journal.json (read now if it exists) */
EkRenewal     *ek_renewal_new                 (EkTokenManager     *manager,
                                               const char         *journal_path,
                                               GError            **error);
/* Where certificates come from (the API client's issue call, bound by the caller) */
void           ek_renewal_set_issuer          (EkRenewal          *self,
                                               EkRenewalIssueFunc  issue,
                                               gpointer            user_data,
                                               GDestroyNotify      user_data_free);
EkRenewalStep  ek_renewal_get_step            (EkRenewal          *self);
const char    *ek_renewal_get_application_id  (EkRenewal          *self);
/* The CKA_ID (hex) of the certificate being renewed, from the journal (NULL before a start) */
const char    *ek_renewal_get_old_id          (EkRenewal          *self);
/* The new certificate once issued (NULL before) */
EkCertificateInfo *ek_renewal_dup_new_certificate (EkRenewal      *self);
/* The module refused to delete: the old certificate stays until it expires */
gboolean       ek_renewal_get_old_kept        (EkRenewal          *self);

/* Starts (or, with a journal, resumes) and runs to the end. @old_certificate, @application_id,
 * @algorithm and @expected_subject (nullable) are used when starting; a resumed run uses the
 * journal's. Blocking: use it in a thread, or ek_renewal_run_async(). */
gboolean       ek_renewal_run                 (EkRenewal          *self,
                                               EkToken            *token,
                                               EkCertificateInfo  *old_certificate,
                                               EkSecret           *pin,
                                               const char         *application_id,
                                               EkKeyAlgorithm      algorithm,
                                               const char         *expected_subject,
                                               GCancellable       *cancellable,
                                               GError            **error);
void           ek_renewal_run_async           (EkRenewal          *self,
                                               EkToken            *token,
                                               EkCertificateInfo  *old_certificate,
                                               EkSecret           *pin,
                                               const char         *application_id,
                                               EkKeyAlgorithm      algorithm,
                                               const char         *expected_subject,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean       ek_renewal_run_finish          (EkRenewal          *self,
                                               GAsyncResult       *result,
                                               GError            **error);

/* Forgets a finished renewal's journal */
gboolean       ek_renewal_forget              (EkRenewal          *self,
                                               GError            **error);

G_END_DECLS
