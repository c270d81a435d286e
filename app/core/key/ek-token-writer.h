/* ek-token-writer.h: what renewal writes to a key — a key pair generated on the token, a PKCS#10
 * request signed by it there, the certificate written next to it, old objects removed
 *
 * Each call is synchronous and blocking (PKCS#11): run it in a thread (EkRenewal does). Each logs
 * in with @pin for that call only and keeps no copy of it. Objects are addressed by their CKA_ID.
 */
#pragma once

#include <gio/gio.h>

#include "ek-secret.h"
#include "ek-token-manager.h"

G_BEGIN_DECLS

typedef enum
{
  EK_KEY_ALGORITHM_RSA_2048,
  EK_KEY_ALGORITHM_EC_P256,
} EkKeyAlgorithm;

const char     *ek_key_algorithm_to_string        (EkKeyAlgorithm   algorithm);
gboolean        ek_key_algorithm_from_string      (const char      *text,
                                                   EkKeyAlgorithm  *algorithm);

/* Whether a usable key pair (private and public object) with @id is on the token */
gboolean        ek_token_writer_has_key_pair      (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   GBytes          *id,
                                                   gboolean        *found,
                                                   GError         **error);
/* Every key and certificate object on the token as "private:<CKA_ID hex>", "public:<CKA_ID hex>"
 * or "certificate:<CKA_ID hex>" */
GStrv           ek_token_writer_list_objects      (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   GError         **error);
/* Destroys the objects beyond those listed in @keep (as ek_token_writer_list_objects() names
 * them, each entry allowing one object): what a generation or a write cut short left behind */
gboolean        ek_token_writer_remove_objects_except (EkTokenManager     *manager,
                                                    EkToken            *token,
                                                    EkSecret           *pin,
                                                    const char * const *keep,
                                                    guint              *removed,
                                                    GError            **error);
/* A new key pair on the token: private key sensitive and never extractable */
gboolean        ek_token_writer_generate_key_pair (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   EkKeyAlgorithm   algorithm,
                                                   GBytes          *id,
                                                   const char      *label,
                                                   GError         **error);
/* A PKCS#10 request (PEM) for the key pair @id, signed on the token by its private key */
char           *ek_token_writer_make_request      (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   GBytes          *id,
                                                   const char      *common_name,
                                                   GBytes         **public_key_id,
                                                   GError         **error);
/* The SHA-256 key id (gnutls_pubkey_get_key_id) of the public key @id on the token */
GBytes         *ek_token_writer_public_key_id     (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   GBytes          *id,
                                                   GError         **error);
/* Writes the certificate (DER) with CKA_ID @id unless it is there already, then reads it back
 * and compares */
gboolean        ek_token_writer_write_certificate (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   GBytes          *id,
                                                   const char      *label,
                                                   GBytes          *der,
                                                   GError         **error);
/* Destroys every object with CKA_ID @id (certificate, private and public key); @kept is set when
 * the module refuses to delete (CKR_ACTION_PROHIBITED and the like), which is not an error */
gboolean        ek_token_writer_remove_objects    (EkTokenManager  *manager,
                                                   EkToken         *token,
                                                   EkSecret        *pin,
                                                   GBytes          *id,
                                                   gboolean        *kept,
                                                   GError         **error);

G_END_DECLS
