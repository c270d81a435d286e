/* ek-key-login.h: log in to the registration service with the key
 *
 * The service's challenge is signed by the private key that belongs to the chosen certificate
 * (same CKA_ID), through p11-kit; the PIN is used for that one signature and never kept. Used by
 * renewal, and by the businesses that need the key (mobile authorisation, electronic seal).
 */
#pragma once

#include <gio/gio.h>

#include "ek-certificate-info.h"
#include "ek-registry-client.h"
#include "ek-secret.h"
#include "ek-token-manager.h"

G_BEGIN_DECLS

/* The certificate as PEM, as the service wants it */
char     *ek_certificate_info_dup_pem (EkCertificateInfo    *certificate);

/* Whether @certificate can be used to log in now: valid, or expired for at most @grace_days (the
 * service decides in the end), and read from a key object with a CKA_ID */
gboolean  ek_key_login_can_use        (EkCertificateInfo    *certificate,
                                       guint                 grace_days);

gboolean  ek_key_login_sync           (EkRegistryClient     *client,
                                       EkTokenManager       *manager,
                                       EkToken              *token,
                                       EkCertificateInfo    *certificate,
                                       EkSecret             *pin,
                                       GCancellable         *cancellable,
                                       GError              **error);
void      ek_key_login_async          (EkRegistryClient     *client,
                                       EkTokenManager       *manager,
                                       EkToken              *token,
                                       EkCertificateInfo    *certificate,
                                       EkSecret             *pin,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
/* A wrong PIN is EK_TOKEN_ERROR CKR_PIN_INCORRECT, its message saying how the key now stands;
 * a locked key CKR_PIN_LOCKED; a key pulled out CKR_TOKEN_NOT_PRESENT or CKR_DEVICE_REMOVED; the
 * service's refusal EK_REGISTRY_ERROR with its problem (certificate-expired, …) */
gboolean  ek_key_login_finish         (GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
