/* ek-token-writer.c: renewal's writes to the key through PKCS#11 (key pair, request, certificate)
 *
 * gnutls builds the PKCS#10 request; its signature is made on the token through a gnutls
 * external private key whose sign callback calls C_Sign (RSA PKCS#1 v1.5 with SHA-256, or ECDSA
 * over a SHA-256 digest), so the private key never leaves the token.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ek-token-manager-private.h"
#include "ek-token-writer.h"

/* DER of the OID of P-256 (prime256v1) as CKA_EC_PARAMS */
static const guint8 p256_params[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

const char *
ek_key_algorithm_to_string (EkKeyAlgorithm algorithm)
{
  return algorithm == EK_KEY_ALGORITHM_EC_P256 ? "ec-p256" : "rsa-2048";
}

gboolean
ek_key_algorithm_from_string (const char     *text,
                              EkKeyAlgorithm *algorithm)
{
  if (g_strcmp0 (text, "rsa-2048") == 0)
    *algorithm = EK_KEY_ALGORITHM_RSA_2048;
  else if (g_strcmp0 (text, "ec-p256") == 0)
    *algorithm = EK_KEY_ALGORITHM_EC_P256;
  else
    return FALSE;
  return TRUE;
}

typedef struct
{
  EkTokenManager    *manager;
  CK_FUNCTION_LIST  *funcs;
  CK_SESSION_HANDLE  session;
} Session;

/* Takes the manager's lock and logs in; end with session_close() */
static gboolean
session_open (Session         *s,
              EkTokenManager  *manager,
              EkToken         *token,
              EkSecret        *pin,
              GError         **error)
{
  s->manager = manager;
  g_mutex_lock (&manager->lock);
  if (!ek_token_manager_open_session_locked (manager, token, pin, &s->funcs, &s->session, error))
    {
      g_mutex_unlock (&manager->lock);
      s->manager = NULL;
      return FALSE;
    }
  return TRUE;
}

static void
session_close (Session *s)
{
  if (s->manager == NULL)
    return;
  s->funcs->C_Logout (s->session);
  s->funcs->C_CloseSession (s->session);
  g_mutex_unlock (&s->manager->lock);
  s->manager = NULL;
}

static CK_RV
find_objects (Session          *s,
              CK_OBJECT_CLASS   klass,
              gboolean          any_class,
              GBytes           *id,
              CK_OBJECT_HANDLE *handles,
              CK_ULONG          max,
              CK_ULONG         *n)
{
  CK_ATTRIBUTE match[] = {
    { CKA_ID, (void *) g_bytes_get_data (id, NULL), g_bytes_get_size (id) },
    { CKA_CLASS, &klass, sizeof klass },
  };
  CK_RV rv;

  *n = 0;
  rv = s->funcs->C_FindObjectsInit (s->session, match, any_class ? 1 : 2);
  if (rv != CKR_OK)
    return rv;
  rv = s->funcs->C_FindObjects (s->session, handles, max, n);
  s->funcs->C_FindObjectsFinal (s->session);
  return rv;
}

static gboolean
fail (GError     **error,
      CK_RV        rv,
      const char  *what)
{
  g_propagate_error (error, ek_token_error_new (rv, what));
  return FALSE;
}

gboolean
ek_token_writer_has_key_pair (EkTokenManager  *manager,
                              EkToken         *token,
                              EkSecret        *pin,
                              GBytes          *id,
                              gboolean        *found,
                              GError         **error)
{
  Session s = { 0 };
  CK_OBJECT_HANDLE h;
  CK_ULONG n_private = 0, n_public = 0;
  CK_RV rv;

  if (!session_open (&s, manager, token, pin, error))
    return FALSE;
  rv = find_objects (&s, CKO_PRIVATE_KEY, FALSE, id, &h, 1, &n_private);
  if (rv == CKR_OK)
    rv = find_objects (&s, CKO_PUBLIC_KEY, FALSE, id, &h, 1, &n_public);
  session_close (&s);
  if (rv != CKR_OK)
    return fail (error, rv, _("The key could not be read"));
  *found = n_private > 0 && n_public > 0;
  return TRUE;
}

static CK_RV
read_attribute (Session          *s,
                CK_OBJECT_HANDLE  object,
                CK_ATTRIBUTE_TYPE type,
                GBytes          **out)
{
  CK_ATTRIBUTE attr = { type, NULL, 0 };
  g_autofree guint8 *data = NULL;
  CK_RV rv;

  rv = s->funcs->C_GetAttributeValue (s->session, object, &attr, 1);
  if (rv != CKR_OK)
    return rv;
  if (attr.ulValueLen == (CK_ULONG) -1 || attr.ulValueLen > 65536)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  data = g_malloc (attr.ulValueLen + 1);
  attr.pValue = data;
  rv = s->funcs->C_GetAttributeValue (s->session, object, &attr, 1);
  if (rv != CKR_OK)
    return rv;
  *out = g_bytes_new_take (g_steal_pointer (&data), attr.ulValueLen);
  return CKR_OK;
}

/* "private:<CKA_ID hex>", "public:…" or "certificate:…" for each object (an object without a
 * readable CKA_ID counts with an empty id) */
static char *
key_entry (Session          *s,
           CK_OBJECT_CLASS   klass,
           CK_OBJECT_HANDLE  object)
{
  g_autoptr(GBytes) id = NULL;
  GString *entry = g_string_new (klass == CKO_PRIVATE_KEY ? "private:" : klass == CKO_PUBLIC_KEY ? "public:" : "certificate:");

  if (read_attribute (s, object, CKA_ID, &id) == CKR_OK)
    {
      gsize n;
      const guint8 *p = g_bytes_get_data (id, &n);
      for (gsize i = 0; i < n; i++)
        g_string_append_printf (entry, "%02x", p[i]);
    }
  return g_string_free (entry, FALSE);
}

static CK_RV
for_each_key (Session  *s,
              gboolean (*func) (Session *, CK_OBJECT_CLASS, CK_OBJECT_HANDLE, gpointer),
              gpointer  data)
{
  const CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE };

  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    {
      CK_OBJECT_CLASS klass = classes[c];
      CK_ATTRIBUTE match = { CKA_CLASS, &klass, sizeof klass };
      CK_OBJECT_HANDLE objects[64];
      CK_ULONG n = 0;
      CK_RV rv = s->funcs->C_FindObjectsInit (s->session, &match, 1);

      if (rv == CKR_OK)
        {
          rv = s->funcs->C_FindObjects (s->session, objects, G_N_ELEMENTS (objects), &n);
          s->funcs->C_FindObjectsFinal (s->session);
        }
      if (rv != CKR_OK)
        return rv;
      for (CK_ULONG i = 0; i < n; i++)
        func (s, klass, objects[i], data);
    }
  return CKR_OK;
}

static gboolean
add_entry (Session *s, CK_OBJECT_CLASS klass, CK_OBJECT_HANDLE object, gpointer data)
{
  g_autofree char *entry = key_entry (s, klass, object);

  g_strv_builder_add (data, entry);
  return TRUE;
}

GStrv
ek_token_writer_list_objects (EkTokenManager  *manager,
                           EkToken         *token,
                           EkSecret        *pin,
                           GError         **error)
{
  Session s = { 0 };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  CK_RV rv;

  if (!session_open (&s, manager, token, pin, error))
    return NULL;
  rv = for_each_key (&s, add_entry, builder);
  session_close (&s);
  if (rv != CKR_OK)
    return (fail (error, rv, _("The key could not be read")), NULL);
  return g_strv_builder_end (builder);
}

typedef struct
{
  GHashTable *allowed;   /* entry → how many more of it may stay */
  guint       removed;
} Extras;

static gboolean
remove_extra (Session *s, CK_OBJECT_CLASS klass, CK_OBJECT_HANDLE object, gpointer data)
{
  Extras *extras = data;
  g_autofree char *entry = key_entry (s, klass, object);
  guint left = GPOINTER_TO_UINT (g_hash_table_lookup (extras->allowed, entry));

  if (left > 0)
    g_hash_table_insert (extras->allowed, g_steal_pointer (&entry), GUINT_TO_POINTER (left - 1));
  else if (s->funcs->C_DestroyObject (s->session, object) == CKR_OK)
    extras->removed++;
  return TRUE;
}

gboolean
ek_token_writer_remove_objects_except (EkTokenManager      *manager,
                                    EkToken             *token,
                                    EkSecret            *pin,
                                    const char * const  *keep,
                                    guint               *removed,
                                    GError             **error)
{
  Session s = { 0 };
  Extras extras = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), 0 };
  CK_RV rv;

  for (guint i = 0; keep != NULL && keep[i] != NULL; i++)
    g_hash_table_insert (extras.allowed, g_strdup (keep[i]),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (extras.allowed, keep[i])) + 1));
  if (!session_open (&s, manager, token, pin, error))
    {
      g_hash_table_unref (extras.allowed);
      return FALSE;
    }
  rv = for_each_key (&s, remove_extra, &extras);
  session_close (&s);
  g_hash_table_unref (extras.allowed);
  if (removed != NULL)
    *removed = extras.removed;
  if (rv != CKR_OK)
    return fail (error, rv, _("The key could not be read"));
  return TRUE;
}

gboolean
ek_token_writer_generate_key_pair (EkTokenManager  *manager,
                                   EkToken         *token,
                                   EkSecret        *pin,
                                   EkKeyAlgorithm   algorithm,
                                   GBytes          *id,
                                   const char      *label,
                                   GError         **error)
{
  Session s = { 0 };
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG bits = 2048;
  CK_BYTE exponent[] = { 0x01, 0x00, 0x01 };
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE type = algorithm == EK_KEY_ALGORITHM_EC_P256 ? CKK_EC : CKK_RSA;
  CK_MECHANISM mechanism = { algorithm == EK_KEY_ALGORITHM_EC_P256 ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE pub, priv;
  gsize id_size;
  const void *id_data = g_bytes_get_data (id, &id_size);
  CK_ATTRIBUTE pub_template[] = {
    { CKA_CLASS, &pub_class, sizeof pub_class },
    { CKA_KEY_TYPE, &type, sizeof type },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_PRIVATE, &no, sizeof no },
    { CKA_VERIFY, &yes, sizeof yes },
    { CKA_ID, (void *) id_data, id_size },
    { CKA_LABEL, (void *) label, strlen (label) },
    /* the algorithm's own: RSA size and exponent, or the curve */
    { CKA_MODULUS_BITS, &bits, sizeof bits },
    { CKA_PUBLIC_EXPONENT, exponent, sizeof exponent },
  };
  CK_ATTRIBUTE priv_template[] = {
    { CKA_CLASS, &priv_class, sizeof priv_class },
    { CKA_KEY_TYPE, &type, sizeof type },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_PRIVATE, &yes, sizeof yes },
    { CKA_SENSITIVE, &yes, sizeof yes },
    { CKA_EXTRACTABLE, &no, sizeof no },
    { CKA_SIGN, &yes, sizeof yes },
    { CKA_ID, (void *) id_data, id_size },
    { CKA_LABEL, (void *) label, strlen (label) },
  };
  CK_ULONG n_pub = G_N_ELEMENTS (pub_template);
  CK_RV rv;

  if (algorithm == EK_KEY_ALGORITHM_EC_P256)
    {
      pub_template[7].type = CKA_EC_PARAMS;
      pub_template[7].pValue = (void *) p256_params;
      pub_template[7].ulValueLen = sizeof p256_params;
      n_pub--;
    }
  if (!session_open (&s, manager, token, pin, error))
    return FALSE;
  rv = s.funcs->C_GenerateKeyPair (s.session, &mechanism, pub_template, n_pub,
                                   priv_template, G_N_ELEMENTS (priv_template), &pub, &priv);
  session_close (&s);
  if (rv != CKR_OK)
    return fail (error, rv, _("The key could not make a new key pair"));
  return TRUE;
}

/* The public key @id as gnutls sees it (with the lock held, in @s) */
static CK_RV
read_public_key (Session          *s,
                 GBytes           *id,
                 gnutls_pubkey_t  *out,
                 CK_KEY_TYPE      *type_out)
{
  CK_OBJECT_HANDLE object;
  CK_ULONG n = 0;
  CK_KEY_TYPE type = (CK_KEY_TYPE) -1;
  CK_ATTRIBUTE type_attr = { CKA_KEY_TYPE, &type, sizeof type };
  gnutls_pubkey_t pub = NULL;
  CK_RV rv;
  int ret = -1;

  rv = find_objects (s, CKO_PUBLIC_KEY, FALSE, id, &object, 1, &n);
  if (rv == CKR_OK && n == 0)
    rv = CKR_OBJECT_HANDLE_INVALID;
  if (rv == CKR_OK)
    rv = s->funcs->C_GetAttributeValue (s->session, object, &type_attr, 1);
  if (rv != CKR_OK)
    return rv;

  gnutls_pubkey_init (&pub);
  if (type == CKK_RSA)
    {
      g_autoptr(GBytes) modulus = NULL, exponent = NULL;

      rv = read_attribute (s, object, CKA_MODULUS, &modulus);
      if (rv == CKR_OK)
        rv = read_attribute (s, object, CKA_PUBLIC_EXPONENT, &exponent);
      if (rv == CKR_OK)
        {
          gnutls_datum_t m = { (unsigned char *) g_bytes_get_data (modulus, NULL), (unsigned int) g_bytes_get_size (modulus) };
          gnutls_datum_t e = { (unsigned char *) g_bytes_get_data (exponent, NULL), (unsigned int) g_bytes_get_size (exponent) };
          ret = gnutls_pubkey_import_rsa_raw (pub, &m, &e);
        }
    }
  else if (type == CKK_EC)
    {
      g_autoptr(GBytes) point = NULL;

      rv = read_attribute (s, object, CKA_EC_POINT, &point);
      if (rv == CKR_OK)
        {
          gsize size;
          const guint8 *p = g_bytes_get_data (point, &size);

          /* An OCTET STRING around the uncompressed point 04‖x‖y (P-256: 65 bytes) */
          if (size == 67 && p[0] == 0x04 && p[1] == 65)
            p += 2, size -= 2;
          if (size == 65 && p[0] == 0x04)
            {
              gnutls_datum_t x = { (unsigned char *) p + 1, 32 }, y = { (unsigned char *) p + 33, 32 };
              ret = gnutls_pubkey_import_ecc_raw (pub, GNUTLS_ECC_CURVE_SECP256R1, &x, &y);
            }
        }
    }
  else
    rv = CKR_KEY_TYPE_INCONSISTENT;
  if (rv == CKR_OK && ret < 0)
    rv = CKR_ATTRIBUTE_VALUE_INVALID;
  if (rv != CKR_OK)
    {
      gnutls_pubkey_deinit (pub);
      return rv;
    }
  *out = pub;
  *type_out = type;
  return CKR_OK;
}

static GBytes *
key_id_of (gnutls_pubkey_t pub)
{
  guint8 id[32];
  size_t size = sizeof id;

  if (gnutls_pubkey_get_key_id (pub, GNUTLS_KEYID_USE_SHA256, id, &size) < 0)
    return NULL;
  return g_bytes_new (id, size);
}

GBytes *
ek_token_writer_public_key_id (EkTokenManager  *manager,
                               EkToken         *token,
                               EkSecret        *pin,
                               GBytes          *id,
                               GError         **error)
{
  Session s = { 0 };
  gnutls_pubkey_t pub = NULL;
  CK_KEY_TYPE type;
  GBytes *key_id;
  CK_RV rv;

  if (!session_open (&s, manager, token, pin, error))
    return NULL;
  rv = read_public_key (&s, id, &pub, &type);
  session_close (&s);
  if (rv != CKR_OK)
    return (fail (error, rv, _("The new key could not be read")), NULL);
  key_id = key_id_of (pub);
  gnutls_pubkey_deinit (pub);
  return key_id;
}

/* The external private key gnutls signs the request with */
typedef struct
{
  Session          *s;
  CK_OBJECT_HANDLE  key;
  CK_KEY_TYPE       type;
  CK_RV             rv;
} TokenKey;

/* Signs @input on the token with @mechanism; ECDSA's r‖s comes back as DER */
static int
token_key_sign (TokenKey             *k,
                CK_MECHANISM_TYPE     mechanism_type,
                const guint8         *input,
                CK_ULONG              input_size,
                gnutls_datum_t       *signature)
{
  CK_MECHANISM mechanism = { mechanism_type, NULL, 0 };
  CK_ULONG size = 0;
  g_autofree guint8 *raw = NULL;

  k->rv = k->s->funcs->C_SignInit (k->s->session, &mechanism, k->key);
  if (k->rv == CKR_OK)
    k->rv = k->s->funcs->C_Sign (k->s->session, (CK_BYTE_PTR) input, input_size, NULL, &size);
  if (k->rv == CKR_OK && (size == 0 || size > 16384))
    k->rv = CKR_GENERAL_ERROR;
  if (k->rv == CKR_OK)
    {
      raw = g_malloc (size);
      k->rv = k->s->funcs->C_Sign (k->s->session, (CK_BYTE_PTR) input, input_size, raw, &size);
    }
  if (k->rv != CKR_OK)
    return GNUTLS_E_PK_SIGN_FAILED;

  if (mechanism_type == CKM_ECDSA)
    {
      g_autoptr(GBytes) der = ek_token_ecdsa_signature_to_der (raw, size);
      gsize der_size;
      const void *der_data;

      if (der == NULL)
        return GNUTLS_E_PK_SIGN_FAILED;
      der_data = g_bytes_get_data (der, &der_size);
      signature->data = gnutls_malloc (der_size);
      memcpy (signature->data, der_data, der_size);
      signature->size = (unsigned int) der_size;
    }
  else
    {
      signature->data = gnutls_malloc (size);
      memcpy (signature->data, raw, size);
      signature->size = (unsigned int) size;
    }
  return 0;
}

/* gnutls hands either the data (sign_data) or its hash (sign_hash: for RSA the DigestInfo, or the
 * bare SHA-256 digest, which gets its DigestInfo here) */
static int
token_key_sign_data (gnutls_privkey_t          privkey,
                     gnutls_sign_algorithm_t   algo,
                     void                     *userdata,
                     unsigned int              flags,
                     const gnutls_datum_t     *data,
                     gnutls_datum_t           *signature)
{
  TokenKey *k = userdata;
  guint8 digest[32];
  gsize digest_size = sizeof digest;
  g_autoptr(GChecksum) checksum = NULL;

  if (algo != (k->type == CKK_EC ? GNUTLS_SIGN_ECDSA_SHA256 : GNUTLS_SIGN_RSA_SHA256))
    return GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM;
  if (k->type != CKK_EC)
    return token_key_sign (k, CKM_SHA256_RSA_PKCS, data->data, data->size, signature);
  /* Hash here: plain CKM_ECDSA is what every driver offers */
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, data->data, data->size);
  g_checksum_get_digest (checksum, digest, &digest_size);
  return token_key_sign (k, CKM_ECDSA, digest, digest_size, signature);
}

static int
token_key_sign_hash (gnutls_privkey_t          privkey,
                     gnutls_sign_algorithm_t   algo,
                     void                     *userdata,
                     unsigned int              flags,
                     const gnutls_datum_t     *hash,
                     gnutls_datum_t           *signature)
{
  static const guint8 sha256_info[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
  TokenKey *k = userdata;
  guint8 info[sizeof sha256_info + 32];

  if (k->type == CKK_EC)
    return token_key_sign (k, CKM_ECDSA, hash->data, hash->size, signature);
  if (hash->size == 32)
    {
      memcpy (info, sha256_info, sizeof sha256_info);
      memcpy (info + sizeof sha256_info, hash->data, 32);
      return token_key_sign (k, CKM_RSA_PKCS, info, sizeof info, signature);
    }
  return token_key_sign (k, CKM_RSA_PKCS, hash->data, hash->size, signature);
}

static int
token_key_info (gnutls_privkey_t  privkey,
                unsigned int      flags,
                void             *userdata)
{
  TokenKey *k = userdata;
  gnutls_sign_algorithm_t sign = k->type == CKK_EC ? GNUTLS_SIGN_ECDSA_SHA256 : GNUTLS_SIGN_RSA_SHA256;

  if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
    return k->type == CKK_EC ? GNUTLS_PK_ECDSA : GNUTLS_PK_RSA;
  if (flags & GNUTLS_PRIVKEY_INFO_SIGN_ALGO)
    return sign;
  if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO)
    return GNUTLS_FLAGS_TO_SIGN_ALGO (flags) == sign;
  if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
    return k->type == CKK_EC ? 256 : 2048;
  return -1;
}

char *
ek_token_writer_make_request (EkTokenManager  *manager,
                              EkToken         *token,
                              EkSecret        *pin,
                              GBytes          *id,
                              const char      *common_name,
                              GBytes         **public_key_id,
                              GError         **error)
{
  Session s = { 0 };
  TokenKey k = { &s, 0, 0, CKR_OK };
  gnutls_pubkey_t pub = NULL;
  gnutls_privkey_t priv = NULL;
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t out = { NULL, 0 };
  CK_ULONG n = 0;
  CK_RV rv;
  char *pem = NULL;
  int ret = 0;

  if (!session_open (&s, manager, token, pin, error))
    return NULL;
  rv = read_public_key (&s, id, &pub, &k.type);
  if (rv == CKR_OK)
    rv = find_objects (&s, CKO_PRIVATE_KEY, FALSE, id, &k.key, 1, &n);
  if (rv == CKR_OK && n == 0)
    rv = CKR_OBJECT_HANDLE_INVALID;
  if (rv != CKR_OK)
    {
      session_close (&s);
      if (pub != NULL)
        gnutls_pubkey_deinit (pub);
      return (fail (error, rv, _("The new key could not be read")), NULL);
    }

  /* The subject is only a hint: the service writes its own */
  if ((ret = gnutls_x509_crq_init (&crq)) >= 0 &&
      (ret = gnutls_x509_crq_set_version (crq, 1)) >= 0 &&
      (ret = gnutls_x509_crq_set_dn_by_oid (crq, GNUTLS_OID_X520_COMMON_NAME, 0, common_name,
                                            (unsigned int) strlen (common_name))) >= 0 &&
      (ret = gnutls_x509_crq_set_pubkey (crq, pub)) >= 0 &&
      (ret = gnutls_privkey_init (&priv)) >= 0 &&
      (ret = gnutls_privkey_import_ext4 (priv, &k, token_key_sign_data, token_key_sign_hash, NULL, NULL, token_key_info, 0)) >= 0 &&
      (ret = gnutls_x509_crq_privkey_sign (crq, priv, GNUTLS_DIG_SHA256, 0)) >= 0)
    ret = gnutls_x509_crq_export2 (crq, GNUTLS_X509_FMT_PEM, &out);
  session_close (&s);

  if (ret >= 0)
    {
      pem = g_strndup ((const char *) out.data, out.size);
      if (public_key_id != NULL)
        *public_key_id = key_id_of (pub);
    }
  else if (k.rv != CKR_OK)
    fail (error, k.rv, _("The key could not sign the certificate request"));
  else
    g_set_error (error, EK_TOKEN_ERROR, CKR_FUNCTION_FAILED,
                 _("The certificate request could not be made: %s"), gnutls_strerror (ret));
  gnutls_free (out.data);
  if (crq != NULL)
    gnutls_x509_crq_deinit (crq);
  if (priv != NULL)
    gnutls_privkey_deinit (priv);
  gnutls_pubkey_deinit (pub);
  return pem;
}

/* The DER pieces CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER want */
static gboolean
certificate_fields (GBytes          *der,
                    gnutls_datum_t  *subject,
                    gnutls_datum_t  *issuer,
                    guint8          *serial,
                    size_t          *serial_size)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t d = { (unsigned char *) g_bytes_get_data (der, NULL), (unsigned int) g_bytes_get_size (der) };
  gboolean ok;

  if (gnutls_x509_crt_init (&crt) < 0)
    return FALSE;
  ok = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER) >= 0 &&
       gnutls_x509_crt_get_raw_dn (crt, subject) >= 0 &&
       gnutls_x509_crt_get_raw_issuer_dn (crt, issuer) >= 0 &&
       gnutls_x509_crt_get_serial (crt, serial, serial_size) >= 0;
  gnutls_x509_crt_deinit (crt);
  return ok;
}

/* DER INTEGER around the serial's bytes, as PKCS#11 wants CKA_SERIAL_NUMBER */
static GBytes *
serial_integer (const guint8 *serial,
                size_t        size)
{
  GByteArray *out = g_byte_array_new ();
  guint8 header[2] = { 0x02, (guint8) size };

  g_byte_array_append (out, header, 2);
  g_byte_array_append (out, serial, (guint) size);
  return g_byte_array_free_to_bytes (out);
}

gboolean
ek_token_writer_write_certificate (EkTokenManager  *manager,
                                   EkToken         *token,
                                   EkSecret        *pin,
                                   GBytes          *id,
                                   const char      *label,
                                   GBytes          *der,
                                   GError         **error)
{
  Session s = { 0 };
  CK_OBJECT_HANDLE handles[4], object;
  CK_ULONG n = 0;
  CK_RV rv;
  gboolean present = FALSE;
  gnutls_datum_t subject = { NULL, 0 }, issuer = { NULL, 0 };
  guint8 serial[64];
  size_t serial_size = sizeof serial;

  if (!certificate_fields (der, &subject, &issuer, serial, &serial_size) || serial_size > 100)
    {
      gnutls_free (subject.data);
      gnutls_free (issuer.data);
      g_set_error_literal (error, EK_TOKEN_ERROR, CKR_DATA_INVALID, _("The certificate could not be read"));
      return FALSE;
    }
  if (!session_open (&s, manager, token, pin, error))
    {
      gnutls_free (subject.data);
      gnutls_free (issuer.data);
      return FALSE;
    }

  /* Written before (an interrupted run)? Anything else under this id is a write cut short */
  rv = find_objects (&s, CKO_CERTIFICATE, FALSE, id, handles, G_N_ELEMENTS (handles), &n);
  for (CK_ULONG i = 0; rv == CKR_OK && i < n; i++)
    {
      g_autoptr(GBytes) value = NULL;
      if (!present && read_attribute (&s, handles[i], CKA_VALUE, &value) == CKR_OK && g_bytes_equal (value, der))
        present = TRUE;
      else
        s.funcs->C_DestroyObject (s.session, handles[i]);
    }
  if (rv == CKR_OK && !present)
    {
      CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
      CK_CERTIFICATE_TYPE type = CKC_X_509;
      CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
      g_autoptr(GBytes) serial_der = serial_integer (serial, serial_size);
      CK_ATTRIBUTE template[] = {
        { CKA_CLASS, &klass, sizeof klass },
        { CKA_CERTIFICATE_TYPE, &type, sizeof type },
        { CKA_TOKEN, &yes, sizeof yes },
        { CKA_PRIVATE, &no, sizeof no },
        { CKA_ID, (void *) g_bytes_get_data (id, NULL), g_bytes_get_size (id) },
        { CKA_LABEL, (void *) label, strlen (label) },
        { CKA_SUBJECT, subject.data, subject.size },
        { CKA_ISSUER, issuer.data, issuer.size },
        { CKA_SERIAL_NUMBER, (void *) g_bytes_get_data (serial_der, NULL), g_bytes_get_size (serial_der) },
        { CKA_VALUE, (void *) g_bytes_get_data (der, NULL), g_bytes_get_size (der) },
      };

      rv = s.funcs->C_CreateObject (s.session, template, G_N_ELEMENTS (template), &object);
    }

  /* Read back: what is on the key must be what was sent */
  if (rv == CKR_OK)
    {
      present = FALSE;
      rv = find_objects (&s, CKO_CERTIFICATE, FALSE, id, handles, G_N_ELEMENTS (handles), &n);
      for (CK_ULONG i = 0; rv == CKR_OK && i < n && !present; i++)
        {
          g_autoptr(GBytes) value = NULL;
          if (read_attribute (&s, handles[i], CKA_VALUE, &value) == CKR_OK && g_bytes_equal (value, der))
            present = TRUE;
        }
      if (rv == CKR_OK && !present)
        rv = CKR_DATA_INVALID;
    }
  session_close (&s);
  gnutls_free (subject.data);
  gnutls_free (issuer.data);
  if (rv != CKR_OK)
    return fail (error, rv, _("The new certificate could not be written to the key"));
  return TRUE;
}

gboolean
ek_token_writer_remove_objects (EkTokenManager  *manager,
                                EkToken         *token,
                                EkSecret        *pin,
                                GBytes          *id,
                                gboolean        *kept,
                                GError         **error)
{
  Session s = { 0 };
  CK_OBJECT_HANDLE handles[16];
  CK_ULONG n = 0;
  CK_RV rv;

  *kept = FALSE;
  if (!session_open (&s, manager, token, pin, error))
    return FALSE;
  rv = find_objects (&s, 0, TRUE, id, handles, G_N_ELEMENTS (handles), &n);
  for (CK_ULONG i = 0; rv == CKR_OK && i < n; i++)
    {
      CK_RV drv = s.funcs->C_DestroyObject (s.session, handles[i]);

      if (drv == CKR_ACTION_PROHIBITED || drv == CKR_FUNCTION_NOT_SUPPORTED || drv == CKR_ATTRIBUTE_READ_ONLY)
        *kept = TRUE;
      else if (drv != CKR_OK && drv != CKR_OBJECT_HANDLE_INVALID)
        rv = drv;
    }
  session_close (&s);
  if (rv != CKR_OK)
    return fail (error, rv, _("The old certificate could not be removed from the key"));
  return TRUE;
}
