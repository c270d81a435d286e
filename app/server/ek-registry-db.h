/* ek-registry-db.h: ekey-registry's SQLite store (WAL, foreign keys, migrations, prepared statements) */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define EK_REGISTRY_DB_ERROR (ek_registry_db_error_quark ())

typedef enum
{
  EK_REGISTRY_DB_ERROR_OPEN,
  EK_REGISTRY_DB_ERROR_SQL,
  EK_REGISTRY_DB_ERROR_NOT_FOUND,
  EK_REGISTRY_DB_ERROR_STATE,
  EK_REGISTRY_DB_ERROR_BUSY,     /* another connection holds the lock: nothing was written */
} EkRegistryDbError;

GQuark ek_registry_db_error_quark (void);

typedef struct _EkRegistryDb EkRegistryDb;

EkRegistryDb  *ek_registry_db_open      (const char    *path,
                                         GError       **error);
void           ek_registry_db_close     (EkRegistryDb  *db);
sqlite3       *ek_registry_db_handle    (EkRegistryDb  *db);
void           ek_registry_db_set_busy_timeout (EkRegistryDb *db,
                                                int           ms);

/* Binds by a type string: 's' text (NULL binds NULL), 'i' gint64, 'b' blob (pointer, gsize) */
sqlite3_stmt  *ek_registry_db_query     (EkRegistryDb  *db,
                                         const char    *sql,
                                         const char    *types,
                                         ...);
gboolean       ek_registry_db_exec      (EkRegistryDb  *db,
                                         GError       **error,
                                         const char    *sql,
                                         const char    *types,
                                         ...);
gboolean       ek_registry_db_begin     (EkRegistryDb  *db,
                                         GError       **error);
gboolean       ek_registry_db_commit    (EkRegistryDb  *db,
                                         GError       **error);
void           ek_registry_db_rollback  (EkRegistryDb  *db);
gint64         ek_registry_db_changes   (EkRegistryDb  *db);

/* The application life cycle, shared by the HTTP side and the reviewer's commands */
gboolean       ek_registry_db_transition (EkRegistryDb *db,
                                          const char   *application_id,
                                          const char   *from_status,
                                          const char   *to_status,
                                          const char   *remark,
                                          GError      **error);
void           ek_registry_db_add_event  (EkRegistryDb *db,
                                          const char   *application_id,
                                          const char   *status,
                                          const char   *remark);
void           ek_registry_db_send_mail  (EkRegistryDb *db,
                                          const char   *recipient,
                                          const char   *subject,
                                          const char   *body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryDb, ek_registry_db_close)

G_END_DECLS
