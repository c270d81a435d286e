/* ek-registry-activation.c: activation codes, which an attacker must not be able to guess
 *
 * A code is 8 characters of a 32-letter alphabet without look-alikes (40 bits, where six digits
 * were 20). Wrong codes are counted per account: the fifth cancels the code, and a new one is
 * sent only to the registered email. Attempts are also limited per address (the log-in rate).
 * Every refusal is the same answer, whether the login name exists, is active or not.
 */
#include "config.h"

#include "ek-registry-server-private.h"

#define ACTIVATION_CODE_LENGTH   8
#define ACTIVATION_MAX_FAILURES  5
#define ACTIVATION_RESEND_AFTER  60   /* seconds between two codes for one account */

static const char code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

char *
ek_registry_new_activation_code (void)
{
  guint8 rnd[ACTIVATION_CODE_LENGTH];
  char *code = g_malloc (ACTIVATION_CODE_LENGTH + 1);

  G_STATIC_ASSERT (sizeof code_alphabet - 1 == 32);
  if (gnutls_rnd (GNUTLS_RND_KEY, rnd, sizeof rnd) < 0)
    g_error ("No random numbers");
  for (guint i = 0; i < ACTIVATION_CODE_LENGTH; i++)
    code[i] = code_alphabet[rnd[i] % 32];
  code[ACTIVATION_CODE_LENGTH] = '\0';
  return code;
}

void
ek_registry_send_activation_code (EkRegistryDb *db,
                                  const char   *email,
                                  const char   *login_name,
                                  const char   *code)
{
  g_autofree char *mail = g_strdup_printf ("您的企业账户激活码：%s\nYour account activation code: %s\n"
                                           "登录名 / Login name: %s\n"
                                           "连续输错 %d 次后激活码作废，可申请新的激活码。\n"
                                           "After %d wrong tries the code is cancelled; ask for a new one.\n",
                                           code, code, login_name, ACTIVATION_MAX_FAILURES, ACTIVATION_MAX_FAILURES);

  ek_registry_db_send_mail (db, email, "电子钥匙申领系统账户激活 / Account activation", mail);
}

/* Compares in constant time, ignoring case (the code is read off an email and typed) */
static gboolean
code_matches (const char *expected,
              const char *given)
{
  guint8 diff = 0;

  if (expected == NULL || given == NULL || strlen (given) != strlen (expected))
    return FALSE;
  for (gsize i = 0; expected[i] != '\0'; i++)
    diff |= (guint8) (g_ascii_toupper (expected[i]) ^ g_ascii_toupper (given[i]));
  return diff == 0;
}

/* The account named by uscc + login_name, unactivated, with its code (or NULL) */
static char *
find_pending_account (Request  *req,
                      char    **code,
                      char    **email,
                      gint64   *sent_at)
{
  g_autofree char *uscc = ek_normalize_code (ek_registry_get_string (req->body, "uscc"));
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db,
                                             "SELECT a.id, a.activation_code, a.email, COALESCE(a.activation_sent_at, 0) "
                                             "FROM accounts a JOIN enterprises e ON e.id = a.enterprise_id "
                                             "WHERE e.uscc = ? AND a.login_name = ? AND a.active = 0",
                                             "ss", uscc, ek_registry_get_string (req->body, "login_name"));
  char *account = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      account = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (code != NULL)
        *code = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      if (email != NULL)
        *email = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      if (sent_at != NULL)
        *sent_at = sqlite3_column_int64 (stmt, 3);
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return account;
}

static gboolean
parse_activation_body (Request            *req,
                       const char * const *allowed)
{
  JsonArray *errors;

  if (!ek_registry_parse_body (req))
    return FALSE;
  errors = json_array_new ();
  ek_registry_check_top_level (req, allowed, errors);
  return ek_registry_finish_validation (req, errors);
}

/* POST /accounts/activation */
void
ek_registry_handle_activation (Request *req)
{
  static const char * const allowed[] = { "uscc", "login_name", "code", NULL };
  g_autofree char *account = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  const char *given;

  if (!g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!ek_registry_rate_allow (req, "activation"))
    return;
  if (!parse_activation_body (req, allowed))
    return;
  given = ek_registry_get_string (req->body, "code");
  if (ek_registry_get_string (req->body, "uscc") == NULL || ek_registry_get_string (req->body, "login_name") == NULL ||
      given == NULL)
    return ek_registry_respond_problem (req, PROBLEM_ACTIVATION_FAILED, NULL);

  account = find_pending_account (req, &expected, NULL, NULL);
  if (account == NULL || expected == NULL)
    return ek_registry_respond_problem (req, PROBLEM_ACTIVATION_FAILED, NULL);

  if (!code_matches (expected, given))
    {
      /* Counted, and the code cancelled at the last try; nothing acknowledged unless stored */
      if (!ek_registry_db_exec (req->self->db, &error,
                                "UPDATE accounts SET activation_failures = activation_failures + 1, "
                                "activation_code = CASE WHEN activation_failures + 1 >= ? THEN NULL ELSE activation_code END "
                                "WHERE id = ?", "is", (gint64) ACTIVATION_MAX_FAILURES, account))
        return ek_registry_respond_db_error (req, error);
      return ek_registry_respond_problem (req, PROBLEM_ACTIVATION_FAILED, NULL);
    }

  if (!ek_registry_db_exec (req->self->db, &error,
                            "UPDATE accounts SET active = 1, activation_code = NULL, activation_failures = 0 WHERE id = ?",
                            "s", account))
    return ek_registry_respond_db_error (req, error);
  ek_registry_respond_account (req, account, 200);
}

/* POST /accounts/activation-code: a new code to the registered email. The same answer (202)
 * whether or not such an unactivated login exists; a live code is replaced at most once a minute. */
void
ek_registry_handle_activation_code (Request *req)
{
  static const char * const allowed[] = { "uscc", "login_name", NULL };
  g_autofree char *account = NULL;
  g_autofree char *email = NULL;
  g_autofree char *code = NULL;
  g_autofree char *old_code = NULL;
  g_autoptr(GError) error = NULL;
  gint64 sent_at = 0;
  gboolean code_was_cancelled = FALSE;

  if (!g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!ek_registry_rate_allow (req, "activation"))
    return;
  if (!parse_activation_body (req, allowed))
    return;
  if (ek_registry_get_string (req->body, "uscc") != NULL && ek_registry_get_string (req->body, "login_name") != NULL)
    account = find_pending_account (req, &old_code, &email, &sent_at);
  code_was_cancelled = account != NULL && old_code == NULL;
  /* A cancelled code is replaced at once; a live one at most once a minute */
  if (account != NULL && (code_was_cancelled || ek_registry_now () - sent_at >= ACTIVATION_RESEND_AFTER))
    {
      code = ek_registry_new_activation_code ();
      if (!ek_registry_db_begin (req->self->db, &error) ||
          !ek_registry_db_exec (req->self->db, &error,
                                "UPDATE accounts SET activation_code = ?, activation_failures = 0, activation_sent_at = ? "
                                "WHERE id = ?", "sis", code, ek_registry_now (), account))
        return ek_registry_respond_db_error (req, error);
      ek_registry_send_activation_code (req->self->db, email, ek_registry_get_string (req->body, "login_name"), code);
      if (!ek_registry_db_commit (req->self->db, &error))
        return ek_registry_respond_db_error (req, error);
    }
  soup_server_message_set_status (req->msg, 202, NULL);
}
