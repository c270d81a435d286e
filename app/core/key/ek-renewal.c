/* ek-renewal.c: the journaled online update (see ek-renewal.h for the steps and the promise) */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <p11-kit/pkcs11.h>
#include <string.h>

#include "ek-key-login.h"
#include "ek-renewal.h"

struct _EkRenewal
{
  GObject           parent_instance;

  EkTokenManager   *manager;
  EkRenewalIssueFunc issue;
  gpointer          issue_data;
  GDestroyNotify    issue_data_free;
  char             *journal_path;
  GMainContext     *context;      /* where "progress" is emitted */

  GMutex            lock;         /* the journal fields below */
  EkRenewalStep     step;
  char             *application_id;
  char             *token_identity;
  char             *algorithm;
  char             *label;
  char             *old_id;       /* hex */
  char             *old_pem;
  char             *new_id;       /* hex */
  GStrv             keys_before;  /* the token's objects before the new pair was generated */
  char             *expected_subject;
  char             *certificate_pem;
  char             *ca_pem;
  gboolean          old_kept;
};

G_DEFINE_FINAL_TYPE (EkRenewal, ek_renewal, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-renewal-error-quark, ek_renewal_error)

enum { SIGNAL_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const step_names[] = { "none", "started", "key-generated", "issued", "written", "done" };

static void
ek_renewal_finalize (GObject *object)
{
  EkRenewal *self = EK_RENEWAL (object);

  g_clear_object (&self->manager);
  if (self->issue_data_free != NULL)
    self->issue_data_free (self->issue_data);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->journal_path);
  g_free (self->application_id);
  g_free (self->token_identity);
  g_free (self->algorithm);
  g_free (self->label);
  g_free (self->old_id);
  g_free (self->old_pem);
  g_free (self->new_id);
  g_strfreev (self->keys_before);
  g_free (self->expected_subject);
  g_free (self->certificate_pem);
  g_free (self->ca_pem);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (ek_renewal_parent_class)->finalize (object);
}

static void
ek_renewal_class_init (EkRenewalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_renewal_finalize;

  /**
   * EkRenewal::progress:
   * @phase: an #EkRenewalPhase
   *
   * A run starts a phase; emitted in the thread-default context of ek_renewal_new()'s caller.
   */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ek_renewal_init (EkRenewal *self)
{
  g_mutex_init (&self->lock);
}

/* ---- The journal ---- */

static void
set_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* Written durably (fsync) before the step it records is taken on the token */
static gboolean
journal_save (EkRenewal  *self,
              GError    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL, *dir = g_path_get_dirname (self->journal_path);

  g_mutex_lock (&self->lock);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, 1);
  set_string (b, "step", step_names[self->step]);
  set_string (b, "application_id", self->application_id);
  set_string (b, "token", self->token_identity);
  set_string (b, "algorithm", self->algorithm);
  set_string (b, "label", self->label);
  set_string (b, "old_id", self->old_id);
  set_string (b, "old_certificate", self->old_pem);
  set_string (b, "new_id", self->new_id);
  json_builder_set_member_name (b, "keys_before");
  json_builder_begin_array (b);
  for (guint i = 0; self->keys_before != NULL && self->keys_before[i] != NULL; i++)
    json_builder_add_string_value (b, self->keys_before[i]);
  json_builder_end_array (b);
  set_string (b, "expected_subject", self->expected_subject);
  set_string (b, "certificate", self->certificate_pem);
  set_string (b, "ca", self->ca_pem);
  json_builder_set_member_name (b, "old_kept");
  json_builder_add_boolean_value (b, self->old_kept);
  json_builder_end_object (b);
  g_mutex_unlock (&self->lock);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, EK_RENEWAL_ERROR, EK_RENEWAL_ERROR_JOURNAL, _("The renewal’s progress could not be saved in %s"), dir);
      return FALSE;
    }
  return g_file_set_contents_full (self->journal_path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

static char *
dup_member (JsonObject *o,
            const char *name)
{
  JsonNode *m = json_object_get_member (o, name);

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (m));
}

static gboolean
journal_load (EkRenewal  *self,
              GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *step = NULL;
  JsonNode *root;
  JsonObject *o;

  if (!g_file_get_contents (self->journal_path, &text, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, -1, NULL) || (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    goto damaged;
  o = json_node_get_object (root);
  step = dup_member (o, "step");
  for (guint i = 1; i < G_N_ELEMENTS (step_names); i++)
    if (g_strcmp0 (step, step_names[i]) == 0)
      self->step = (EkRenewalStep) i;
  self->application_id = dup_member (o, "application_id");
  self->token_identity = dup_member (o, "token");
  self->algorithm = dup_member (o, "algorithm");
  self->label = dup_member (o, "label");
  self->old_id = dup_member (o, "old_id");
  self->old_pem = dup_member (o, "old_certificate");
  self->new_id = dup_member (o, "new_id");
  if (json_object_has_member (o, "keys_before") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "keys_before")))
    {
      JsonArray *keys = json_object_get_array_member (o, "keys_before");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (keys); i++)
        if (JSON_NODE_HOLDS_VALUE (json_array_get_element (keys, i)))
          g_strv_builder_add (builder, json_array_get_string_element (keys, i));
      self->keys_before = g_strv_builder_end (builder);
    }
  self->expected_subject = dup_member (o, "expected_subject");
  self->certificate_pem = dup_member (o, "certificate");
  self->ca_pem = dup_member (o, "ca");
  self->old_kept = json_object_get_boolean_member_with_default (o, "old_kept", FALSE);
  if (self->step == EK_RENEWAL_STEP_NONE || self->application_id == NULL || self->token_identity == NULL ||
      self->old_id == NULL || self->new_id == NULL || self->old_pem == NULL || self->label == NULL ||
      self->keys_before == NULL ||
      (self->step >= EK_RENEWAL_STEP_ISSUED && (self->certificate_pem == NULL || self->ca_pem == NULL)))
    goto damaged;
  return TRUE;

damaged:
  self->step = EK_RENEWAL_STEP_NONE;
  g_set_error (error, EK_RENEWAL_ERROR, EK_RENEWAL_ERROR_JOURNAL,
               _("The record of an interrupted renewal in %s cannot be read. Give this message to the helpdesk; "
                 "the key itself was not changed by reading it."), self->journal_path);
  return FALSE;
}

EkRenewal *
ek_renewal_new (EkTokenManager    *manager,
                const char        *journal_path,
                GError           **error)
{
  g_autoptr(EkRenewal) self = g_object_new (EK_TYPE_RENEWAL, NULL);

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (manager), NULL);
  g_return_val_if_fail (journal_path != NULL, NULL);

  self->manager = g_object_ref (manager);
  self->journal_path = g_strdup (journal_path);
  self->context = g_main_context_ref_thread_default ();
  if (!journal_load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
ek_renewal_set_issuer (EkRenewal          *self,
                       EkRenewalIssueFunc  issue,
                       gpointer            user_data,
                       GDestroyNotify      user_data_free)
{
  g_return_if_fail (EK_IS_RENEWAL (self));
  if (self->issue_data_free != NULL)
    self->issue_data_free (self->issue_data);
  self->issue = issue;
  self->issue_data = user_data;
  self->issue_data_free = user_data_free;
}

EkRenewalStep
ek_renewal_get_step (EkRenewal *self)
{
  g_return_val_if_fail (EK_IS_RENEWAL (self), EK_RENEWAL_STEP_NONE);
  return self->step;
}

const char *
ek_renewal_get_application_id (EkRenewal *self)
{
  g_return_val_if_fail (EK_IS_RENEWAL (self), NULL);
  return self->application_id;
}

const char *
ek_renewal_get_old_id (EkRenewal *self)
{
  g_return_val_if_fail (EK_IS_RENEWAL (self), NULL);
  return self->old_id;
}

gboolean
ek_renewal_get_old_kept (EkRenewal *self)
{
  g_return_val_if_fail (EK_IS_RENEWAL (self), FALSE);
  return self->old_kept;
}

static GBytes *
pem_to_der (const char *pem)
{
  gnutls_datum_t in = { (unsigned char *) pem, (unsigned int) strlen (pem) }, out = { NULL, 0 };
  GBytes *der;

  if (gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &out) < 0)
    return NULL;
  der = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  return der;
}

EkCertificateInfo *
ek_renewal_dup_new_certificate (EkRenewal *self)
{
  g_autoptr(GBytes) der = NULL;

  g_return_val_if_fail (EK_IS_RENEWAL (self), NULL);
  if (self->certificate_pem == NULL || (der = pem_to_der (self->certificate_pem)) == NULL)
    return NULL;
  return ek_certificate_info_new_from_der (der, NULL);
}

gboolean
ek_renewal_forget (EkRenewal  *self,
                   GError    **error)
{
  g_return_val_if_fail (EK_IS_RENEWAL (self), FALSE);
  if (g_unlink (self->journal_path) != 0 && errno != ENOENT)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", self->journal_path, g_strerror (errno));
      return FALSE;
    }
  self->step = EK_RENEWAL_STEP_NONE;
  return TRUE;
}

/* ---- Progress ---- */

typedef struct
{
  EkRenewal     *self;
  EkRenewalPhase phase;
} Progress;

static gboolean
emit_progress_cb (gpointer data)
{
  Progress *p = data;

  g_signal_emit (p->self, signals[SIGNAL_PROGRESS], 0, (int) p->phase);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_object_unref (p->self);
  g_free (p);
}

static void
progress (EkRenewal      *self,
          EkRenewalPhase  phase)
{
  Progress *p = g_new0 (Progress, 1);

  p->self = g_object_ref (self);
  p->phase = phase;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_progress_cb, p, progress_free);
}

/* ---- Checks ---- */

static GBytes *
hex_to_bytes (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *data = g_malloc (n > 0 ? n : 1);

  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) ((g_ascii_xdigit_value (hex[2 * i]) << 4) | g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_bytes_new_take (data, n);
}

static gnutls_x509_crt_t
crt_from_pem (const char *pem)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t d = { (unsigned char *) pem, pem != NULL ? (unsigned int) strlen (pem) : 0 };

  if (pem == NULL || gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_PEM) < 0)
    {
      gnutls_x509_crt_deinit (crt);
      return NULL;
    }
  return crt;
}

static char *
common_name (gnutls_x509_crt_t crt)
{
  char buf[512];
  size_t size = sizeof buf;

  if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) < 0)
    return NULL;
  return g_strdup (buf);
}

/* The issued certificate is the one asked for: signed by the CA that issued the key being
 * renewed, for the new key on the token, with the subject the service announced (or at least the
 * old certificate's common name), valid now */
static gboolean
check_certificate (EkRenewal   *self,
                   const char  *certificate_pem,
                   const char  *ca_pem,
                   GBytes      *key_id,
                   GError     **error)
{
  gnutls_x509_crt_t crt = crt_from_pem (certificate_pem);
  gnutls_x509_crt_t ca = crt_from_pem (ca_pem);
  gnutls_x509_crt_t old = crt_from_pem (self->old_pem);
  gnutls_pubkey_t pub = NULL;
  guint8 id[32];
  size_t id_size = sizeof id;
  unsigned int status = 1, old_status = 1;
  gnutls_datum_t dn = { NULL, 0 };
  g_autofree char *cn = NULL, *old_cn = NULL;
  const char *problem = NULL;
  time_t now = time (NULL);

  if (crt == NULL || ca == NULL || old == NULL)
    problem = "the certificate or its CA cannot be read";
  else if (gnutls_x509_crt_verify (crt, &ca, 1, 0, &status) < 0 || status != 0 ||
           gnutls_x509_crt_verify (old, &ca, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &old_status) < 0 || old_status != 0)
    problem = "it does not chain to the CA that issued this key";
  else if (gnutls_pubkey_init (&pub) < 0 || gnutls_pubkey_import_x509 (pub, crt, 0) < 0 ||
           gnutls_pubkey_get_key_id (pub, GNUTLS_KEYID_USE_SHA256, id, &id_size) < 0 ||
           id_size != g_bytes_get_size (key_id) || memcmp (id, g_bytes_get_data (key_id, NULL), id_size) != 0)
    problem = "it is not for the new key on the token";
  else if (gnutls_x509_crt_get_dn3 (crt, &dn, 0) < 0 ||
           (self->expected_subject != NULL && g_strcmp0 ((const char *) dn.data, self->expected_subject) != 0) ||
           (cn = common_name (crt)) == NULL || (old_cn = common_name (old)) == NULL || !g_str_equal (cn, old_cn))
    problem = "its subject is not the one expected";
  else if (gnutls_x509_crt_get_expiration_time (crt) <= now || gnutls_x509_crt_get_activation_time (crt) > now + 600)
    problem = "it is not valid now";

  gnutls_free (dn.data);
  if (pub != NULL)
    gnutls_pubkey_deinit (pub);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (ca != NULL)
    gnutls_x509_crt_deinit (ca);
  if (old != NULL)
    gnutls_x509_crt_deinit (old);
  if (problem != NULL)
    {
      g_set_error (error, EK_RENEWAL_ERROR, EK_RENEWAL_ERROR_REJECTED,
                   /* Translators: the %s is in English, for the helpdesk */
                   _("The certificate the service sent was not written to the key: %s. Nothing on the key was changed; "
                     "give this message to the helpdesk."), problem);
      return FALSE;
    }
  return TRUE;
}

/* ---- The run ---- */

static gboolean
step_done (EkRenewal      *self,
           EkRenewalStep   step,
           GError        **error)
{
  g_mutex_lock (&self->lock);
  self->step = step;
  g_mutex_unlock (&self->lock);
  return journal_save (self, error);
}

static gboolean
start (EkRenewal          *self,
       EkToken            *token,
       EkSecret           *pin,
       EkCertificateInfo  *old_certificate,
       const char         *application_id,
       EkKeyAlgorithm      algorithm,
       const char         *expected_subject,
       GError            **error)
{
  guint8 random_id[8];
  g_autofree char *old_id = NULL;

  if (old_certificate == NULL || application_id == NULL ||
      (old_id = ek_certificate_info_dup_object_id_hex (old_certificate)) == NULL)
    {
      g_set_error_literal (error, EK_RENEWAL_ERROR, EK_RENEWAL_ERROR_NOTHING_TO_RENEW,
                           _("Choose the certificate to renew on the key."));
      return FALSE;
    }
  do
    {
      g_autofree char *hex = NULL;
      for (guint i = 0; i < sizeof random_id; i++)
        random_id[i] = (guint8) g_random_int_range (0, 256);
      hex = g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x", random_id[0], random_id[1], random_id[2],
                             random_id[3], random_id[4], random_id[5], random_id[6], random_id[7]);
      g_free (self->new_id);
      self->new_id = g_steal_pointer (&hex);
    }
  while (g_ascii_strcasecmp (self->new_id, old_id) == 0);

  self->application_id = g_strdup (application_id);
  self->token_identity = ek_token_dup_identity (token);
  self->algorithm = g_strdup (ek_key_algorithm_to_string (algorithm));
  self->label = g_strdup (ek_certificate_info_get_object_label (old_certificate) != NULL ?
                          ek_certificate_info_get_object_label (old_certificate) : "ekey");
  self->old_id = g_steal_pointer (&old_id);
  self->old_pem = ek_certificate_info_dup_pem (old_certificate);
  self->expected_subject = g_strdup (expected_subject);
  self->keys_before = ek_token_writer_list_objects (self->manager, token, pin, error);
  if (self->keys_before == NULL)
    return FALSE;
  return step_done (self, EK_RENEWAL_STEP_STARTED, error);
}

gboolean
ek_renewal_run (EkRenewal          *self,
                EkToken            *token,
                EkCertificateInfo  *old_certificate,
                EkSecret           *pin,
                const char         *application_id,
                EkKeyAlgorithm      algorithm,
                const char         *expected_subject,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GBytes) new_id = NULL, old_id = NULL;

  g_return_val_if_fail (EK_IS_RENEWAL (self), FALSE);
  g_return_val_if_fail (EK_IS_TOKEN (token), FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);

  if (self->step == EK_RENEWAL_STEP_NONE &&
      !start (self, token, pin, old_certificate, application_id, algorithm, expected_subject, error))
    return FALSE;
  {
    g_autofree char *identity = ek_token_dup_identity (token);
    if (!g_str_equal (identity, self->token_identity))
      {
        g_set_error_literal (error, EK_RENEWAL_ERROR, EK_RENEWAL_ERROR_OTHER_KEY,
                             _("This is not the key being renewed. Insert the key whose renewal was started."));
        return FALSE;
      }
  }
  new_id = hex_to_bytes (self->new_id);
  old_id = hex_to_bytes (self->old_id);
  if (!ek_key_algorithm_from_string (self->algorithm, &algorithm))
    algorithm = EK_KEY_ALGORITHM_RSA_2048;

  /* 1 the new key pair, on the token */
  if (self->step == EK_RENEWAL_STEP_STARTED)
    {
      gboolean found = FALSE;

      progress (self, EK_RENEWAL_PHASE_GENERATING_KEY);
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !ek_token_writer_has_key_pair (self->manager, token, pin, new_id, &found, error))
        return FALSE;
      if (!found)
        {
          /* A generation cut short may have left half a pair, or an object the token did not
           * finish writing: back to the keys there were, then the pair again */
          if (!ek_token_writer_remove_objects_except (self->manager, token, pin, (const char * const *) self->keys_before,
                                                   NULL, error) ||
              !ek_token_writer_generate_key_pair (self->manager, token, pin, algorithm, new_id, self->label, error))
            return FALSE;
        }
      if (!step_done (self, EK_RENEWAL_STEP_KEY_GENERATED, error))
        return FALSE;
    }

  /* 2 the request, signed on the token; 3 the certificate, issued once by the service */
  if (self->step == EK_RENEWAL_STEP_KEY_GENERATED)
    {
      g_autoptr(GBytes) key_id = NULL;
      g_autofree char *request = NULL, *cn = NULL, *certificate = NULL, *ca = NULL;
      gnutls_x509_crt_t old = crt_from_pem (self->old_pem);

      if (old != NULL)
        {
          cn = common_name (old);
          gnutls_x509_crt_deinit (old);
        }

      progress (self, EK_RENEWAL_PHASE_REQUESTING);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      request = ek_token_writer_make_request (self->manager, token, pin, new_id, cn != NULL ? cn : self->label,
                                              &key_id, error);
      if (request == NULL)
        return FALSE;
      progress (self, EK_RENEWAL_PHASE_ISSUING);
      g_return_val_if_fail (self->issue != NULL, FALSE);
      certificate = self->issue (self->application_id, request, &ca, self->issue_data, cancellable, error);
      if (certificate == NULL || !check_certificate (self, certificate, ca, key_id, error))
        return FALSE;
      g_mutex_lock (&self->lock);
      self->certificate_pem = g_steal_pointer (&certificate);
      self->ca_pem = g_steal_pointer (&ca);
      g_mutex_unlock (&self->lock);
      if (!step_done (self, EK_RENEWAL_STEP_ISSUED, error))
        return FALSE;
    }

  /* 4 written next to its key, read back (after clearing what a write cut short left) */
  if (self->step == EK_RENEWAL_STEP_ISSUED)
    {
      g_autoptr(GBytes) der = pem_to_der (self->certificate_pem);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) keep = NULL;
      g_autofree char *private_entry = g_strconcat ("private:", self->new_id, NULL);
      g_autofree char *public_entry = g_strconcat ("public:", self->new_id, NULL);

      g_strv_builder_addv (builder, (const char **) self->keys_before);
      g_strv_builder_add_many (builder, private_entry, public_entry, NULL);
      keep = g_strv_builder_end (builder);
      progress (self, EK_RENEWAL_PHASE_WRITING);
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !ek_token_writer_remove_objects_except (self->manager, token, pin, (const char * const *) keep, NULL, error) ||
          !ek_token_writer_write_certificate (self->manager, token, pin, new_id, self->label, der, error) ||
          !step_done (self, EK_RENEWAL_STEP_WRITTEN, error))
        return FALSE;
    }

  /* 5 only now the old certificate and key go */
  if (self->step == EK_RENEWAL_STEP_WRITTEN)
    {
      gboolean kept = FALSE;

      progress (self, EK_RENEWAL_PHASE_REMOVING_OLD);
      /* Not cancellable: the new certificate is in place; finishing is the safe way */
      if (!ek_token_writer_remove_objects (self->manager, token, pin, old_id, &kept, error))
        return FALSE;
      self->old_kept = kept;
      if (!step_done (self, EK_RENEWAL_STEP_DONE, error))
        return FALSE;
    }
  progress (self, EK_RENEWAL_PHASE_DONE);
  return TRUE;
}

typedef struct
{
  EkToken           *token;
  EkCertificateInfo *old_certificate;
  EkSecret          *pin;
  char              *application_id;
  EkKeyAlgorithm     algorithm;
  char              *expected_subject;
} RunData;

static void
run_data_free (RunData *d)
{
  g_clear_object (&d->token);
  g_clear_object (&d->old_certificate);
  g_clear_pointer (&d->pin, ek_secret_unref);
  g_free (d->application_id);
  g_free (d->expected_subject);
  g_free (d);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *d = task_data;
  GError *error = NULL;

  if (ek_renewal_run (source_object, d->token, d->old_certificate, d->pin, d->application_id, d->algorithm,
                      d->expected_subject, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ek_renewal_run_async (EkRenewal           *self,
                      EkToken             *token,
                      EkCertificateInfo   *old_certificate,
                      EkSecret            *pin,
                      const char          *application_id,
                      EkKeyAlgorithm       algorithm,
                      const char          *expected_subject,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RunData *d = g_new0 (RunData, 1);

  d->token = g_object_ref (token);
  d->old_certificate = old_certificate != NULL ? g_object_ref (old_certificate) : NULL;
  d->pin = ek_secret_ref (pin);
  d->application_id = g_strdup (application_id);
  d->algorithm = algorithm;
  d->expected_subject = g_strdup (expected_subject);
  g_task_set_source_tag (task, ek_renewal_run_async);
  g_task_set_task_data (task, d, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

gboolean
ek_renewal_run_finish (EkRenewal     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
