/* ek-registry-access.c: who sees what of an enterprise
 *
 * Anyone can read an enterprise's unified social credit code off its business licence, so a
 * login registered with the code and a login name proves nothing about the enterprise. Such a
 * login sees what it filed itself (its own applications, their materials) and its own account.
 * The whole enterprise (every application, account, authorisation, seal) is seen by a session
 * opened with a key of the enterprise, which proves possession, and by a login the enterprise
 * vouched for from such a session. Each new login under a code is emailed to the enterprise's
 * existing logins, so an enterprise learns of one it did not make.
 */
#include "config.h"

#include "ek-registry-server-private.h"

/* Whether the caller sees this application; its status in @status (free it) when it does */
gboolean
ek_registry_application_visible (Request    *req,
                                 const char *application_id,
                                 char      **status)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db,
                                             "SELECT status FROM applications WHERE id = ?1 AND enterprise_id = ?2 "
                                             "AND (?3 OR account_id = ?4)", "siis",
                                             application_id, req->enterprise_id, (gint64) req->enterprise_wide,
                                             req->account_id);
  gboolean visible = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

  if (visible && status != NULL)
    *status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return visible;
}

/* The caller's applications, oldest first, as an array of @to_node */
JsonNode *
ek_registry_visible_applications (Request   *req,
                                  JsonNode *(*to_node) (EkRegistryServer *self, const char *id))
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db,
                                             "SELECT id FROM applications WHERE enterprise_id = ?1 AND (?2 OR account_id = ?3) "
                                             "ORDER BY created_at, id", "iis",
                                             req->enterprise_id, (gint64) req->enterprise_wide, req->account_id);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *list = json_array_new ();
  JsonNode *node;

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  for (guint i = 0; i < ids->len; i++)
    json_array_add_element (list, to_node (req->self, ids->pdata[i]));
  node = json_node_init_array (json_node_alloc (), list);
  json_array_unref (list);
  return node;
}

gboolean
ek_registry_account_visible (Request    *req,
                             const char *account_id)
{
  return req->enterprise_wide || g_strcmp0 (account_id, req->account_id) == 0;
}

/* The enterprise's existing logins learn of a new one, with what it may see and what to do
 * if they do not know it. Never the new login's email or anything it typed but its name. */
void
ek_registry_notify_new_login (Request    *req,
                              gint64      enterprise_id,
                              const char *new_account_id,
                              const char *login_name)
{
  sqlite3_stmt *stmt = ek_registry_db_query (req->self->db,
                                             "SELECT DISTINCT email FROM accounts WHERE enterprise_id = ? AND id != ?", "is",
                                             enterprise_id, new_account_id);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M");
  g_autofree char *body = NULL;

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (recipients, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (recipients->len == 0)
    return;

  body = g_strdup_printf ("%s，有人以贵企业的统一社会信用代码注册了新的登录名“%s”。\n"
                          "该登录名只能看到它自己提交的申请，看不到贵企业的其他申请和资料；"
                          "只有贵企业用电子钥匙登录并为其担保后，它才能查看贵企业的全部业务。\n"
                          "如果这不是贵企业的经办人，请不要为其担保，并联系客服。\n\n"
                          "On %s a new login name “%s” was registered with your enterprise's unified social credit code.\n"
                          "It sees only the applications it files itself, nothing else of your enterprise, until someone "
                          "logged in with your enterprise's e-key vouches for it.\n"
                          "If you do not know this login, do not vouch for it, and contact the helpdesk.\n",
                          when, login_name, when, login_name);
  for (guint i = 0; i < recipients->len; i++)
    ek_registry_db_send_mail (req->self->db, recipients->pdata[i],
                              "新登录名注册通知 / A new login name was registered for your enterprise", body);
}

/* POST /accounts/{id}/vouch: a session opened with the enterprise's key vouches for one of its
 * logins, which then sees the whole enterprise */
void
ek_registry_handle_vouch (Request    *req,
                          const char *account_id)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (req->method, "POST"))
    return ek_registry_respond_problem (req, PROBLEM_METHOD_NOT_ALLOWED, NULL);
  if (!ek_registry_require_key_session (req))
    return;
  if (!ek_registry_db_exec (req->self->db, &error, "UPDATE accounts SET vouched = 1 WHERE id = ? AND enterprise_id = ?",
                            "si", account_id, req->enterprise_id))
    return ek_registry_respond_db_error (req, error);
  if (ek_registry_db_changes (req->self->db) == 0)
    return ek_registry_respond_problem (req, PROBLEM_NOT_FOUND, NULL);
  ek_registry_respond_account (req, account_id, 200);
}
