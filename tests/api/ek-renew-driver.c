/* ek-renew-driver.c: the online certificate update from the command line, for the tests and the
 * bench: the same core code as the wizard's update page (EkRenewal, key log-in, the API client)
 *
 *   ek-renew-driver --module PATH --token LABEL --journal FILE --url URL --ca FILE
 *                   [--application ID] [--cert-id HEX] [--algorithm rsa-2048|ec-p256]
 *
 * The PIN comes from $EK_RENEW_PIN (tests only). Prints the step reached on stdout and each phase
 * on stderr; exit 0 when done, 1 on an error (its message on stderr), 2 on wrong arguments.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ek-api-client-renewal.h"
#include "ek-key-login.h"
#include "ek-renewal.h"
#include "ek-token-manager.h"

typedef struct
{
  EkApiClient    *client;
  EkTokenManager *manager;
  EkToken        *token;
  EkRenewal      *renewal;
  EkSecret       *pin;
} Issuer;

static EkCertificateInfo *
find_certificate (EkToken    *token,
                  const char *id_hex)
{
  GPtrArray *certificates = ek_token_get_certificates (token);

  for (guint i = 0; i < certificates->len; i++)
    {
      EkCertificateInfo *c = g_ptr_array_index (certificates, i);
      g_autofree char *id = ek_certificate_info_dup_object_id_hex (c);

      if (id_hex == NULL ? ek_key_login_can_use (c, 30) : g_ascii_strcasecmp (id != NULL ? id : "", id_hex) == 0)
        return c;
    }
  return NULL;
}

/* Logs in with the key being renewed when the service is first needed */
static char *
issue (const char    *application_id,
       const char    *request_pem,
       char         **ca_pem,
       gpointer       user_data,
       GCancellable  *cancellable,
       GError       **error)
{
  Issuer *issuer = user_data;
  g_autoptr(EkIssuedCertificate) issued = NULL;
  char *pem;

  if (!ek_api_client_has_session (issuer->client))
    {
      EkCertificateInfo *old = find_certificate (issuer->token, ek_renewal_get_old_id (issuer->renewal));
      g_autofree char *old_pem = NULL;
      g_autoptr(EkKeySigner) signer = NULL;

      if (old == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The certificate being renewed is not on the key");
          return NULL;
        }
      old_pem = ek_certificate_info_dup_pem (old);
      signer = ek_key_signer_new (issuer->manager, issuer->token, old, issuer->pin);
      if (!ek_api_client_login_with_key_sync (issuer->client, old_pem, ek_key_signer_sign, signer, cancellable, error))
        return NULL;
    }
  issued = ek_api_client_issue_certificate_sync (issuer->client, application_id, request_pem, cancellable, error);
  if (issued == NULL)
    return NULL;
  *ca_pem = g_strdup (issued->ca_pem);
  pem = g_steal_pointer (&issued->certificate_pem);
  return pem;
}

static void
on_progress (EkRenewal *renewal,
             int        phase,
             gpointer   user_data)
{
  static const char * const names[] = { "generating-key", "requesting", "issuing", "writing", "removing-old", "done" };

  if (phase >= 0 && phase < (int) G_N_ELEMENTS (names))
    g_printerr ("phase %s\n", names[phase]);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *module = NULL, *label = NULL, *journal = NULL, *url = NULL, *ca = NULL;
  g_autofree char *application = NULL, *cert_id = NULL, *algorithm_name = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("- renew the certificate on a key");
  g_autoptr(GError) error = NULL;
  g_autoptr(EkTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(EkRenewal) renewal = NULL;
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(EkSecret) pin = NULL;
  g_autoptr(EkCertificateInfo) renewed = NULL;
  EkKeyAlgorithm algorithm = EK_KEY_ALGORITHM_RSA_2048;
  EkToken *token = NULL;
  Issuer issuer = { 0 };
  const char *pin_text = g_getenv ("EK_RENEW_PIN");
  const GOptionEntry entries[] = {
    { "module", 0, 0, G_OPTION_ARG_FILENAME, &module, "PKCS#11 module", "PATH" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &label, "Token label", "LABEL" },
    { "journal", 0, 0, G_OPTION_ARG_FILENAME, &journal, "The renewal's journal", "FILE" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Registration service", "URL" },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "Its CA", "FILE" },
    { "application", 0, 0, G_OPTION_ARG_STRING, &application, "The approved renewal", "ID" },
    { "cert-id", 0, 0, G_OPTION_ARG_STRING, &cert_id, "CKA_ID of the certificate to renew", "HEX" },
    { "algorithm", 0, 0, G_OPTION_ARG_STRING, &algorithm_name, "rsa-2048 or ec-p256", "NAME" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || module == NULL || label == NULL ||
      journal == NULL || url == NULL || pin_text == NULL ||
      (algorithm_name != NULL && !ek_key_algorithm_from_string (algorithm_name, &algorithm)))
    {
      g_printerr ("usage: EK_RENEW_PIN=… ek-renew-driver --module PATH --token LABEL --journal FILE --url URL --ca FILE "
                  "[--application ID] [--cert-id HEX] [--algorithm rsa-2048|ec-p256]\n");
      return 2;
    }
  pin = ek_secret_new (pin_text, -1);

  {
    const char *paths[] = { module, NULL };
    manager = ek_token_manager_new (paths, EK_TOKEN_MANAGER_SKIP_REGISTERED);
  }
  tokens = ek_token_manager_list_tokens (manager, NULL, &error);
  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    if (g_str_equal (ek_token_get_label (g_ptr_array_index (tokens, i)), label))
      token = g_ptr_array_index (tokens, i);
  if (token == NULL)
    {
      g_printerr ("The key %s is not inserted\n", label);
      return 1;
    }
  renewal = ek_renewal_new (manager, journal, &error);
  client = renewal != NULL ? ek_api_client_new (url, ca, &error) : NULL;
  if (client == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  ek_api_client_set_retries (client, 0, 0);
  issuer = (Issuer) { client, manager, token, renewal, pin };
  ek_renewal_set_issuer (renewal, issue, &issuer, NULL);
  g_signal_connect (renewal, "progress", G_CALLBACK (on_progress), NULL);

  if (!ek_renewal_run (renewal, token, find_certificate (token, cert_id), pin, application, algorithm, NULL, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      printf ("step %d\n", ek_renewal_get_step (renewal));
      return 1;
    }
  renewed = ek_renewal_dup_new_certificate (renewal);
  printf ("step %d\nserial %s\nold %s\n", ek_renewal_get_step (renewal),
          renewed != NULL ? ek_certificate_info_get_serial (renewed) : "?",
          ek_renewal_get_old_kept (renewal) ? "kept" : "removed");
  return 0;
}
