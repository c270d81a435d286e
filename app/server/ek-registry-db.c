/* ek-registry-db.c: ekey-registry's SQLite store
 *
 * WAL journal with synchronous=FULL (a kill -9 or power cut never loses a committed answer),
 * foreign keys on, schema migrations by PRAGMA user_version, and every statement prepared once
 * and cached: values are always bound, never pasted into SQL.
 */
#include "config.h"

#include <stdarg.h>

#include "ek-registry-db.h"

G_DEFINE_QUARK (ek-registry-db-error-quark, ek_registry_db_error)

struct _EkRegistryDb
{
  sqlite3    *handle;
  GHashTable *statements;   /* SQL text → sqlite3_stmt */
};

/* Each entry moves the schema one version up; never edit a released entry, add one. */
static const char * const migrations[] = {
  /* 1: the first schema */
  "CREATE TABLE enterprises ("
  "  id INTEGER PRIMARY KEY,"
  "  uscc TEXT UNIQUE,"
  "  code13 TEXT UNIQUE,"
  "  name TEXT NOT NULL DEFAULT '',"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE accounts ("
  "  id TEXT PRIMARY KEY,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  login_name TEXT NOT NULL,"
  "  licence_type TEXT NOT NULL,"
  "  email TEXT NOT NULL,"
  "  mobile TEXT,"
  "  contact_name TEXT,"
  "  activation_code TEXT,"
  "  active INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  UNIQUE (enterprise_id, login_name));"
  "CREATE TABLE captchas ("
  "  id TEXT PRIMARY KEY,"
  "  answer TEXT NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  used INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE challenges ("
  "  id TEXT PRIMARY KEY,"
  "  nonce BLOB NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  used INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE sessions ("
  "  token_hash TEXT PRIMARY KEY,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  account_id TEXT REFERENCES accounts(id),"
  "  method TEXT NOT NULL,"
  "  login_name TEXT NOT NULL,"
  "  code13 TEXT,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE applications ("
  "  id TEXT PRIMARY KEY,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  business_type TEXT NOT NULL,"
  "  status TEXT NOT NULL,"
  "  fields TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE INDEX applications_by_enterprise ON applications (enterprise_id);"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY,"
  "  application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
  "  status TEXT NOT NULL,"
  "  remark TEXT,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX events_by_application ON events (application_id);"
  "CREATE TABLE materials ("
  "  application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  file TEXT NOT NULL,"
  "  content_type TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  width INTEGER NOT NULL,"
  "  height INTEGER NOT NULL,"
  "  uploaded_at INTEGER NOT NULL,"
  "  PRIMARY KEY (application_id, kind));"
  "CREATE TABLE idempotency_keys ("
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  key TEXT NOT NULL,"
  "  fingerprint TEXT NOT NULL,"
  "  status INTEGER NOT NULL,"
  "  location TEXT,"
  "  body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  PRIMARY KEY (enterprise_id, key));"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  recipient TEXT NOT NULL,"
  "  subject TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE mobile_authorizations ("
  "  id TEXT PRIMARY KEY,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  kind TEXT NOT NULL,"
  "  mobile TEXT NOT NULL,"
  "  old_mobile TEXT,"
  "  login_name TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE TABLE seal_requests ("
  "  id TEXT PRIMARY KEY,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  kind TEXT NOT NULL,"
  "  seal_name TEXT NOT NULL,"
  "  login_name TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  letter_file TEXT,"
  "  letter_sha256 TEXT,"
  "  letter_size INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE TABLE seals ("
  "  id TEXT PRIMARY KEY,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  name TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  users TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);",
  /* 2: the certificates each enterprise holds (seen at a key log-in, or made for one of its
   * applications): their login names are taken, and their number is limited */
  "CREATE TABLE certificate_logins ("
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  login_name TEXT NOT NULL,"
  "  seen_at INTEGER NOT NULL,"
  "  PRIMARY KEY (enterprise_id, login_name));",
  /* 3: the access model and activation attempts. An application remembers the account that
   * filed it (NULL: a key session); an account the enterprise vouched for (with its key) sees
   * all of the enterprise; wrong activation codes are counted per account */
  "ALTER TABLE applications ADD COLUMN account_id TEXT REFERENCES accounts(id);"
  "CREATE INDEX applications_by_account ON applications (account_id);"
  "ALTER TABLE accounts ADD COLUMN vouched INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE accounts ADD COLUMN activation_failures INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE accounts ADD COLUMN activation_sent_at INTEGER;"
  /* What an enterprise with a single login filed before was that login's */
  "UPDATE applications SET account_id = (SELECT a.id FROM accounts a WHERE a.enterprise_id = applications.enterprise_id) "
  "WHERE (SELECT COUNT(*) FROM accounts a WHERE a.enterprise_id = applications.enterprise_id) = 1;",
  /* 4: renewal with the key: the certificate a key session logged in with, the certificate a
   * renewal renews, the certificates the service issued (or recorded), and revocations */
  "ALTER TABLE sessions ADD COLUMN certificate TEXT;"
  "ALTER TABLE applications ADD COLUMN renews TEXT;"
  "CREATE TABLE certificates ("
  "  sha256 TEXT PRIMARY KEY,"
  "  serial TEXT NOT NULL,"
  "  enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),"
  "  application_id TEXT UNIQUE REFERENCES applications(id),"
  "  renews TEXT,"
  "  public_key_id TEXT NOT NULL,"
  "  pem TEXT NOT NULL,"
  "  not_after INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX certificates_by_renewed ON certificates (renews);"
  "CREATE TABLE revocations ("
  "  serial TEXT PRIMARY KEY,"
  "  at INTEGER NOT NULL);",
  /* 5: the electronic seal's forms, review and images, its bindings to key certificates; the
   * mobile authorisation's applicant information and the phone certificate it leads to */
  "ALTER TABLE seal_requests ADD COLUMN form TEXT;"
  "ALTER TABLE seal_requests ADD COLUMN certificate_sha256 TEXT;"
  "ALTER TABLE seal_requests ADD COLUMN certificate_subject TEXT;"
  "ALTER TABLE seal_requests ADD COLUMN remark TEXT;"
  "ALTER TABLE seal_requests ADD COLUMN seal_id TEXT;"
  "ALTER TABLE seals ADD COLUMN image BLOB;"
  "ALTER TABLE seals ADD COLUMN request_id TEXT;"
  "ALTER TABLE seals ADD COLUMN revoked_at INTEGER;"
  "CREATE TABLE seal_bindings ("
  "  seal_id TEXT NOT NULL REFERENCES seals(id),"
  "  certificate_sha256 TEXT NOT NULL,"
  "  login_name TEXT NOT NULL,"
  "  subject TEXT NOT NULL,"
  "  bound_at INTEGER NOT NULL,"
  "  PRIMARY KEY (seal_id, certificate_sha256));"
  "ALTER TABLE mobile_authorizations ADD COLUMN applicant TEXT;"
  "ALTER TABLE mobile_authorizations ADD COLUMN certificate_type TEXT;"
  "ALTER TABLE mobile_authorizations ADD COLUMN target TEXT;"
  "ALTER TABLE mobile_authorizations ADD COLUMN certificate_state TEXT;"
  "ALTER TABLE mobile_authorizations ADD COLUMN certificate_expires_at INTEGER;"
  "ALTER TABLE mobile_authorizations ADD COLUMN submitted_at INTEGER;"
  "ALTER TABLE mobile_authorizations ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;",
};

static gboolean
set_sql_error (EkRegistryDb  *db,
               GError       **error)
{
  int code = sqlite3_errcode (db->handle) & 0xff;

  g_set_error (error, EK_REGISTRY_DB_ERROR,
               code == SQLITE_BUSY || code == SQLITE_LOCKED ? EK_REGISTRY_DB_ERROR_BUSY : EK_REGISTRY_DB_ERROR_SQL,
               "SQLite: %s", sqlite3_errmsg (db->handle));
  return FALSE;
}

static gboolean
exec_script (EkRegistryDb  *db,
             const char    *sql,
             GError       **error)
{
  char *message = NULL;

  if (sqlite3_exec (db->handle, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_SQL, "SQLite: %s", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (EkRegistryDb  *db,
         GError       **error)
{
  sqlite3_stmt *stmt = ek_registry_db_query (db, "PRAGMA user_version", "");
  int version;

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return set_sql_error (db, error);
  version = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_OPEN,
                   "The database has schema version %d, newer than this ekey-registry knows (%u)",
                   version, (guint) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (guint i = (guint) version; i < G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %u", i + 1);

      if (!exec_script (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec_script (db, migrations[i], error) || !exec_script (db, bump, error))
        {
          exec_script (db, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec_script (db, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

EkRegistryDb *
ek_registry_db_open (const char  *path,
                     GError     **error)
{
  g_autoptr(EkRegistryDb) db = g_new0 (EkRegistryDb, 1);

  g_return_val_if_fail (path != NULL, NULL);

  db->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) sqlite3_finalize);
  if (sqlite3_open_v2 (path, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_OPEN,
                   "Cannot open the database %s: %s", path,
                   db->handle != NULL ? sqlite3_errmsg (db->handle) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (db->handle, 5000);
  if (!exec_script (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", error) ||
      !migrate (db, error))
    return NULL;

  return g_steal_pointer (&db);
}

void
ek_registry_db_close (EkRegistryDb *db)
{
  if (db == NULL)
    return;
  g_clear_pointer (&db->statements, g_hash_table_unref);
  if (db->handle != NULL)
    sqlite3_close (db->handle);
  g_free (db);
}

sqlite3 *
ek_registry_db_handle (EkRegistryDb *db)
{
  return db->handle;
}

/* How long a write waits for another connection's lock before it fails as busy (5 s after
 * opening; the service, whose one loop must not wait, asks for much less) */
void
ek_registry_db_set_busy_timeout (EkRegistryDb *db,
                                 int           ms)
{
  sqlite3_busy_timeout (db->handle, ms);
}

static sqlite3_stmt *
query_valist (EkRegistryDb *db,
              const char   *sql,
              const char   *types,
              va_list       args)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (db->statements, sql);
  int index = 1;

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        {
          g_warning ("Failed to prepare a statement: %s", sqlite3_errmsg (db->handle));
          return NULL;
        }
      /* The key is the caller's string literal, which lives as long as the program */
      g_hash_table_insert (db->statements, (gpointer) sql, stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  for (const char *t = types; *t != '\0'; t++, index++)
    {
      switch (*t)
        {
        case 's':
          {
            const char *text = va_arg (args, const char *);

            if (text == NULL)
              sqlite3_bind_null (stmt, index);
            else
              sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
          }
          break;
        case 'i':
          sqlite3_bind_int64 (stmt, index, va_arg (args, gint64));
          break;
        case 'b':
          {
            const void *data = va_arg (args, const void *);
            gsize len = va_arg (args, gsize);

            sqlite3_bind_blob (stmt, index, data, (int) len, SQLITE_TRANSIENT);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return stmt;
}

sqlite3_stmt *
ek_registry_db_query (EkRegistryDb *db,
                      const char   *sql,
                      const char   *types,
                      ...)
{
  sqlite3_stmt *stmt;
  va_list args;

  va_start (args, types);
  stmt = query_valist (db, sql, types, args);
  va_end (args);
  return stmt;
}

gboolean
ek_registry_db_exec (EkRegistryDb  *db,
                     GError       **error,
                     const char    *sql,
                     const char    *types,
                     ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  int rc;

  va_start (args, types);
  stmt = query_valist (db, sql, types, args);
  va_end (args);
  if (stmt == NULL)
    return set_sql_error (db, error);

  do
    rc = sqlite3_step (stmt);
  while (rc == SQLITE_ROW);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (db, error);
  return TRUE;
}

gboolean
ek_registry_db_begin (EkRegistryDb  *db,
                      GError       **error)
{
  return ek_registry_db_exec (db, error, "BEGIN IMMEDIATE", "");
}

gboolean
ek_registry_db_commit (EkRegistryDb  *db,
                       GError       **error)
{
  return ek_registry_db_exec (db, error, "COMMIT", "");
}

void
ek_registry_db_rollback (EkRegistryDb *db)
{
  if (!sqlite3_get_autocommit (db->handle))
    ek_registry_db_exec (db, NULL, "ROLLBACK", "");
}

gint64
ek_registry_db_changes (EkRegistryDb *db)
{
  return sqlite3_changes64 (db->handle);
}

void
ek_registry_db_add_event (EkRegistryDb *db,
                          const char   *application_id,
                          const char   *status,
                          const char   *remark)
{
  g_autoptr(GError) error = NULL;

  if (!ek_registry_db_exec (db, &error,
                            "INSERT INTO events (application_id, status, remark, at) VALUES (?, ?, ?, ?)",
                            "sssi", application_id, status, remark, g_get_real_time () / G_USEC_PER_SEC))
    g_warning ("Failed to record an event: %s", error->message);
}

void
ek_registry_db_send_mail (EkRegistryDb *db,
                          const char   *recipient,
                          const char   *subject,
                          const char   *body)
{
  g_autoptr(GError) error = NULL;

  if (!ek_registry_db_exec (db, &error,
                            "INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)",
                            "sssi", recipient, subject, body, g_get_real_time () / G_USEC_PER_SEC))
    g_warning ("Failed to queue an email: %s", error->message);
}

/**
 * ek_registry_db_transition:
 *
 * Moves an application from @from_status (a '|'-separated list) to @to_status and records
 * the event with @remark, in one transaction.
 */
gboolean
ek_registry_db_transition (EkRegistryDb  *db,
                           const char    *application_id,
                           const char    *from_status,
                           const char    *to_status,
                           const char    *remark,
                           GError       **error)
{
  g_auto(GStrv) allowed = g_strsplit (from_status, "|", -1);
  sqlite3_stmt *stmt;
  g_autofree char *current = NULL;

  if (!ek_registry_db_begin (db, error))
    return FALSE;

  stmt = ek_registry_db_query (db, "SELECT status FROM applications WHERE id = ?", "s", application_id);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    current = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  if (current == NULL)
    {
      ek_registry_db_rollback (db);
      g_set_error (error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_NOT_FOUND,
                   "No application %s", application_id);
      return FALSE;
    }
  if (!g_strv_contains ((const char * const *) allowed, current))
    {
      ek_registry_db_rollback (db);
      g_set_error (error, EK_REGISTRY_DB_ERROR, EK_REGISTRY_DB_ERROR_STATE,
                   "Application %s is %s; this step needs %s", application_id, current, from_status);
      return FALSE;
    }

  if (!ek_registry_db_exec (db, error, "UPDATE applications SET status = ?, updated_at = ? WHERE id = ?",
                            "sis", to_status, g_get_real_time () / G_USEC_PER_SEC, application_id))
    {
      ek_registry_db_rollback (db);
      return FALSE;
    }
  ek_registry_db_add_event (db, application_id, to_status, remark);
  return ek_registry_db_commit (db, error);
}
