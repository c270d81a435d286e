/* ek-api-client-renewal.c: key log-in (challenge, signature) and the renewal's calls
 *
 * Every answer is checked for shape before use, as in ek-api-types.c: a certificate response
 * that is not what the contract says fails with EK_API_ERROR_INVALID_RESPONSE.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ek-api-client-private.h"
#include "ek-api-client-renewal.h"
#include "ek-api-types.h"

#define MAX_PEM (64 * 1024)

static EkApiRequest *
request_new (const char *method,
             gboolean    retryable,
             char       *path)
{
  EkApiRequest *request = g_new0 (EkApiRequest, 1);

  request->method = method;
  request->retryable = retryable;
  request->max_response = EK_API_MAX_JSON;
  request->path = path;
  return request;
}

static void
request_set_json (EkApiRequest *request,
                  JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *text = json_to_string (root, FALSE);

  request->body = g_bytes_new_take (text, strlen (text));
}

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
               /* Translators: %s names the part of the answer, in English, for the helpdesk */
               _("The registration service sent an answer this version cannot read (%s). "
                 "Try again later; if it keeps happening, tell the helpdesk."), what);
  return FALSE;
}

static const char *
member_string (JsonObject *o,
               const char *name,
               gsize       max)
{
  JsonNode *m = json_object_get_member (o, name);
  const char *s;

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return NULL;
  s = json_node_get_string (m);
  if (strlen (s) > max || !g_utf8_validate (s, -1, NULL))
    return NULL;
  return s;
}

static gboolean
member_int (JsonObject *o,
            const char *name,
            gint64     *out)
{
  JsonNode *m = json_object_get_member (o, name);

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (m);
  return TRUE;
}

static gboolean
member_bool (JsonObject *o,
             const char *name,
             gboolean   *out)
{
  JsonNode *m = json_object_get_member (o, name);

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (m);
  return TRUE;
}

static gboolean
is_pem (const char *text,
        const char *label)
{
  g_autofree char *begin = g_strdup_printf ("-----BEGIN %s-----", label);
  g_autofree char *end = g_strdup_printf ("-----END %s-----", label);

  return text != NULL && g_str_has_prefix (text, begin) && strstr (text, end) != NULL;
}

/* ---- Key log-in ---- */

gboolean
ek_api_client_login_with_key_sync (EkApiClient     *self,
                                        const char           *certificate_pem,
                                        EkApiKeySigner   signer,
                                        gpointer              signer_data,
                                        GCancellable         *cancellable,
                                        GError              **error)
{
  g_autoptr(EkApiRequest) challenge_request = NULL, login_request = NULL;
  g_autoptr(JsonNode) challenge = NULL, session = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) nonce = NULL, signature = NULL;
  g_autofree char *signature_b64 = NULL;
  const char *id, *nonce_b64;
  guchar *decoded;
  gsize decoded_len = 0;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  g_return_val_if_fail (certificate_pem != NULL && signer != NULL, FALSE);

  /* Not retried: each attempt counts against the log-in rate limit */
  challenge_request = request_new ("POST", FALSE, g_strdup ("/sessions/challenges"));
  challenge = ek_api_client_perform (self, challenge_request, cancellable, error);
  if (challenge == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (challenge) ||
      (id = member_string (json_node_get_object (challenge), "id", 200)) == NULL ||
      (nonce_b64 = member_string (json_node_get_object (challenge), "nonce", 1024)) == NULL)
    return invalid (error, "challenge");
  decoded = g_base64_decode (nonce_b64, &decoded_len);
  if (decoded_len < 16 || decoded_len > 512)
    {
      g_free (decoded);
      return invalid (error, "challenge nonce");
    }
  nonce = g_bytes_new_take (decoded, decoded_len);

  signature = signer (nonce, signer_data, error);
  if (signature == NULL)
    return FALSE;
  signature_b64 = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "key");
  json_builder_set_member_name (builder, "challenge_id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "certificate");
  json_builder_add_string_value (builder, certificate_pem);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, signature_b64);
  json_builder_end_object (builder);
  login_request = request_new ("POST", FALSE, g_strdup ("/sessions"));
  request_set_json (login_request, builder);
  session = ek_api_client_perform (self, login_request, cancellable, error);
  if (session == NULL || !ek_api_client_adopt_session (self, session, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  g_free (self->key_certificate);
  self->key_certificate = g_strdup (certificate_pem);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * ek_api_client_dup_key_certificate:
 * Returns: (transfer full) (nullable): the certificate (PEM) of the last log-in with the key, kept
 *   after the session ends so that the clerk can log in again with the same key; %NULL when the
 *   last log-in was with the code and login name, or none
 */
char *
ek_api_client_dup_key_certificate (EkApiClient *self)
{
  char *pem;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_mutex_lock (&self->lock);
  pem = g_strdup (self->key_certificate);
  g_mutex_unlock (&self->lock);
  return pem;
}

typedef struct
{
  char           *certificate_pem;
  EkApiKeySigner  signer;
  gpointer        signer_data;
  GDestroyNotify  signer_data_free;
} KeyLogin;

static void
key_login_free (KeyLogin *k)
{
  g_free (k->certificate_pem);
  if (k->signer_data_free != NULL)
    k->signer_data_free (k->signer_data);
  g_free (k);
}

static void
key_login_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  KeyLogin *k = task_data;
  GError *error = NULL;

  if (ek_api_client_login_with_key_sync (source_object, k->certificate_pem, k->signer, k->signer_data,
                                         cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ek_api_client_login_with_key_async (EkApiClient         *self,
                                    const char          *certificate_pem,
                                    EkApiKeySigner       signer,
                                    gpointer             signer_data,
                                    GDestroyNotify       signer_data_free,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  KeyLogin *k = g_new0 (KeyLogin, 1);

  g_return_if_fail (EK_IS_API_CLIENT (self));
  k->certificate_pem = g_strdup (certificate_pem);
  k->signer = signer;
  k->signer_data = signer_data;
  k->signer_data_free = signer_data_free;
  g_task_set_source_tag (task, ek_api_client_login_with_key_async);
  g_task_set_task_data (task, k, (GDestroyNotify) key_login_free);
  g_task_run_in_thread (task, key_login_thread);
}

gboolean
ek_api_client_login_with_key_finish (EkApiClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Eligibility ---- */

void
ek_renewal_eligibility_free (EkRenewalEligibility *e)
{
  if (e == NULL)
    return;
  g_free (e->reason);
  g_free (e->detail);
  g_free (e->subject);
  g_free (e->application_id);
  g_clear_pointer (&e->fields, json_object_unref);
  g_free (e);
}

EkRenewalEligibility *
ek_renewal_eligibility_new_from_json (JsonNode  *node,
                                      GError   **error)
{
  g_autoptr(EkRenewalEligibility) e = g_new0 (EkRenewalEligibility, 1);
  JsonObject *o, *cert;
  JsonNode *fields, *cert_node;
  const char *reason, *detail, *subject, *application_id;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return (invalid (error, "renewal eligibility"), NULL);
  o = json_node_get_object (node);
  cert_node = json_object_get_member (o, "certificate");
  fields = json_object_get_member (o, "fields");
  if (!member_bool (o, "eligible", &e->eligible) || !member_bool (o, "adds_credit_code", &e->adds_credit_code) ||
      (reason = member_string (o, "reason", 64)) == NULL || (detail = member_string (o, "detail", 2000)) == NULL ||
      (subject = member_string (o, "subject", 2000)) == NULL ||
      !member_int (o, "renewable_from", &e->renewable_from) || !member_int (o, "renewable_until", &e->renewable_until) ||
      cert_node == NULL || !JSON_NODE_HOLDS_OBJECT (cert_node) || fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    return (invalid (error, "renewal eligibility"), NULL);
  cert = json_node_get_object (cert_node);
  if (!member_int (cert, "not_after", &e->not_after))
    return (invalid (error, "renewal eligibility certificate"), NULL);
  application_id = json_object_has_member (o, "application_id") ? member_string (o, "application_id", 64) : NULL;
  if (json_object_has_member (o, "application_id") && application_id == NULL)
    return (invalid (error, "renewal eligibility application"), NULL);
  e->reason = g_strdup (reason);
  e->detail = g_strdup (detail);
  e->subject = g_strdup (subject);
  e->application_id = g_strdup (application_id);
  e->fields = json_object_ref (json_node_get_object (fields));
  return g_steal_pointer (&e);
}

EkRenewalEligibility *
ek_api_client_get_renewal_eligibility_sync (EkApiClient  *self,
                                                 GCancellable      *cancellable,
                                                 GError           **error)
{
  g_autoptr(EkApiRequest) request = request_new ("GET", TRUE, g_strdup ("/renewal-eligibility"));
  g_autoptr(JsonNode) node = ek_api_client_perform (self, request, cancellable, error);

  if (node == NULL)
    return NULL;
  return ek_renewal_eligibility_new_from_json (node, error);
}

static void
eligibility_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  EkRenewalEligibility *e = ek_api_client_get_renewal_eligibility_sync (source_object, cancellable, &error);

  if (e == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, e, (GDestroyNotify) ek_renewal_eligibility_free);
}

void
ek_api_client_get_renewal_eligibility_async (EkApiClient    *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_api_client_get_renewal_eligibility_async);
  g_task_run_in_thread (task, eligibility_thread);
}

EkRenewalEligibility *
ek_api_client_get_renewal_eligibility_finish (EkApiClient  *self,
                                                   GAsyncResult      *result,
                                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The certificate ---- */

void
ek_issued_certificate_free (EkIssuedCertificate *issued)
{
  if (issued == NULL)
    return;
  g_free (issued->certificate_pem);
  g_free (issued->ca_pem);
  g_free (issued->serial);
  g_free (issued);
}

EkIssuedCertificate *
ek_issued_certificate_new_from_json (JsonNode  *node,
                                     GError   **error)
{
  g_autoptr(EkIssuedCertificate) issued = g_new0 (EkIssuedCertificate, 1);
  JsonObject *o;
  JsonNode *chain;
  const char *pem, *serial;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return (invalid (error, "issued certificate"), NULL);
  o = json_node_get_object (node);
  pem = member_string (o, "certificate", MAX_PEM);
  serial = member_string (o, "serial", 128);
  chain = json_object_get_member (o, "chain");
  if (!is_pem (pem, "CERTIFICATE") || serial == NULL || !member_int (o, "not_after", &issued->not_after) ||
      chain == NULL || !JSON_NODE_HOLDS_ARRAY (chain) || json_array_get_length (json_node_get_array (chain)) > 8)
    return (invalid (error, "issued certificate"), NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (chain)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (chain), i);
      const char *ca;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return (invalid (error, "issued certificate chain"), NULL);
      ca = json_node_get_string (element);
      if (strlen (ca) > MAX_PEM || !is_pem (ca, "CERTIFICATE"))
        return (invalid (error, "issued certificate chain"), NULL);
      if (issued->ca_pem == NULL)
        issued->ca_pem = g_strdup (ca);
    }
  issued->certificate_pem = g_strdup (pem);
  issued->serial = g_strdup (serial);
  return g_steal_pointer (&issued);
}

EkIssuedCertificate *
ek_api_client_issue_certificate_sync (EkApiClient  *self,
                                           const char        *application_id,
                                           const char        *request_pem,
                                           GCancellable      *cancellable,
                                           GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *escaped = g_uri_escape_string (application_id, NULL, FALSE);
  g_autoptr(EkApiRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (application_id != NULL && request_pem != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "csr");
  json_builder_add_string_value (builder, request_pem);
  json_builder_end_object (builder);
  /* Retried: asked again, the service answers the same certificate */
  request = request_new ("POST", TRUE, g_strdup_printf ("/applications/%s/certificate", escaped));
  request_set_json (request, builder);
  node = ek_api_client_perform (self, request, cancellable, error);
  if (node == NULL)
    return NULL;
  return ek_issued_certificate_new_from_json (node, error);
}
