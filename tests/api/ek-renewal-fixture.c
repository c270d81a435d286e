/* ek-renewal-fixture.c: a key due for renewal and a service that renews it, for the renewal
 * tests and the bench: a SoftHSM2 token whose certificate the service's issuing CA issued 20 days
 * before its expiry (make-renewal-token.sh), a TLS ekey-registry with that CA which knows the
 * enterprise's 18-digit code, and the clerk's side of an approved renewal */
#include "config.h"

#include <glib/gstdio.h>

#include "ek-key-login.h"
#include "ek-api-certs.h"
#include "ek-renewal-fixture.h"
#include "ek-test-common.h"

EkApiServer *
ek_renewal_fixture_start (char **dir_out)
{
  g_autofree char *script = NULL, *conf = NULL, *err = NULL, *ca = NULL, *key = NULL, *user = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ek-renewal-XXXXXX", NULL);
  EkApiServer *server;
  int status = 0;

  script = g_build_filename (ek_test_source_root (), "tests", "api", "make-renewal-token.sh", NULL);
  {
    const char *args[] = { script, dir, NULL };
    g_spawn_sync (NULL, (char **) args, NULL, 0, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("make-renewal-token.sh failed: %s", err);
  }
  conf = g_build_filename (dir, "softhsm2.conf", NULL);
  g_setenv ("SOFTHSM2_CONF", conf, TRUE);
  ca = g_build_filename (dir, "ca.pem", NULL);
  key = g_build_filename (dir, "ca.key", NULL);
  user = g_build_filename (dir, "user.pem", NULL);
  {
    /* a window wide enough that each renewed certificate can be renewed again */
    const char *args[] = { "--issuing-ca", ca, "--issuing-key", key, "--renewal-window-days", "1000",
                           "--rate-limit", "10000", NULL };
    server = ek_api_server_start_tls (args);
  }
  /* the service's record of the key it issued; it knows the enterprise's 18-digit code */
  out = ek_api_run (server, NULL, "certificates", "add", user, "--uscc", EK_RENEWAL_FIXTURE_USCC, NULL);
  *dir_out = dir;
  return server;
}

void
ek_renewal_fixture_remove (const char *dir)
{
  const char *rm[] = { "rm", "-rf", dir, NULL };

  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

EkTokenManager *
ek_renewal_fixture_manager (void)
{
  const char *paths[] = { EK_RENEWAL_FIXTURE_MODULE, NULL };
  return ek_token_manager_new (paths, EK_TOKEN_MANAGER_SKIP_REGISTERED);
}

EkToken *
ek_renewal_fixture_find_token (GPtrArray *tokens)
{
  for (guint i = 0; i < tokens->len; i++)
    if (g_str_equal (ek_token_get_label (g_ptr_array_index (tokens, i)), EK_RENEWAL_FIXTURE_LABEL))
      return g_ptr_array_index (tokens, i);
  g_assert_not_reached ();
}

/* A test-side key session with the token's (one) certificate, to play the clerk's other steps */
char *
ek_renewal_fixture_clerk_session (EkApiServer *server)
{
  g_autoptr(EkTokenManager) manager = ek_renewal_fixture_manager ();
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens (manager, NULL, NULL);
  EkToken *token = ek_renewal_fixture_find_token (tokens);
  EkCertificateInfo *cert = g_ptr_array_index (ek_token_get_certificates (token), 0);
  g_autoptr(EkApiResponse) challenge = ek_api_call (server, "POST", "/sessions/challenges", NULL, NULL, NULL);
  g_autoptr(EkSecret) pin = ek_secret_new ("123456", -1);
  g_autoptr(GBytes) nonce = NULL, sig = NULL;
  g_autofree char *pem = ek_certificate_info_dup_pem (cert), *sig_b64 = NULL, *body = NULL, *escaped = NULL;
  g_autoptr(GError) error = NULL;
  gsize n;
  guchar *raw;

  raw = g_base64_decode (json_object_get_string_member (ek_api_object (challenge), "nonce"), &n);
  nonce = g_bytes_new_take (raw, n);
  sig = ek_token_manager_sign (manager, token, cert, pin, nonce, NULL, NULL, &error);
  g_assert_no_error (error);
  sig_b64 = g_base64_encode (g_bytes_get_data (sig, NULL), g_bytes_get_size (sig));
  escaped = g_strescape (pem, NULL);
  body = g_strdup_printf ("{\"method\":\"key\",\"challenge_id\":\"%s\",\"certificate\":\"%s\",\"signature\":\"%s\"}",
                          json_object_get_string_member (ek_api_object (challenge), "id"), escaped, sig_b64);
  {
    g_autoptr(EkApiResponse) login = ek_api_call (server, "POST", "/sessions", NULL, body, NULL);
    g_assert_cmpint (login->status, ==, 201);
    return g_strdup (json_object_get_string_member (ek_api_object (login), "token"));
  }
}

/* The clerk applies (form, the two materials, submit) and the provider's check passes */
char *
ek_renewal_fixture_approved (EkApiServer *server)
{
  g_autofree char *token = ek_renewal_fixture_clerk_session (server);
  g_autofree char *id = ek_api_submit_renewal (server, token);
  g_autofree char *out = ek_api_run (server, NULL, "review", "re-review", id, "pass", NULL);

  return g_steal_pointer (&id);
}

