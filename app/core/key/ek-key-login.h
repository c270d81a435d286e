/* ek-key-login.h: what logging in with the key needs from the key
 *
 * The service's challenge is signed by the private key that belongs to the chosen certificate
 * (same CKA_ID), through p11-kit. An EkKeySigner holds the token, the certificate and a reference
 * to the PIN for one log-in; freeing it lets go of the PIN (EkSecret wipes it with its last
 * reference). The API client's ek_api_client_login_with_key_async() takes ek_key_signer_sign as
 * its signer, so neither side reaches into the other. Used by renewal, and by the businesses that
 * need the key (mobile authorisation, electronic seal).
 */
#pragma once

#include <gio/gio.h>

#include "ek-certificate-info.h"
#include "ek-secret.h"
#include "ek-token-manager.h"

G_BEGIN_DECLS

/* The certificate as PEM, as the service wants it */
char        *ek_certificate_info_dup_pem (EkCertificateInfo  *certificate);

/* Whether @certificate can log in now: read from a key object with a CKA_ID, and valid, or
 * expired for at most @grace_days (the service decides in the end) */
gboolean     ek_key_login_can_use        (EkCertificateInfo  *certificate,
                                          guint               grace_days);

typedef struct _EkKeySigner EkKeySigner;

EkKeySigner *ek_key_signer_new           (EkTokenManager     *manager,
                                          EkToken            *token,
                                          EkCertificateInfo  *certificate,
                                          EkSecret           *pin);
void         ek_key_signer_free          (EkKeySigner        *signer);
/* Signs @nonce (SHA-256; RSA PKCS#1 v1.5 or ECDSA). A wrong PIN is EK_TOKEN_ERROR
 * CKR_PIN_INCORRECT, its message saying how the key now stands; a locked key CKR_PIN_LOCKED; a
 * key pulled out CKR_TOKEN_NOT_PRESENT or CKR_DEVICE_REMOVED. Blocking. */
GBytes      *ek_key_signer_sign          (GBytes             *nonce,
                                          gpointer            signer,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkKeySigner, ek_key_signer_free)

G_END_DECLS
