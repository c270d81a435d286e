/* ek-token-manager-private.h: what ek-token-manager.c shares with ek-token-manager-tasks.c
 *
 * ek-token-manager.c makes the PKCS#11 calls (modules, scans, log-in, signing);
 * ek-token-manager-tasks.c runs them on worker threads (the _async forms) and polls for keys.
 */
#pragma once

#include <p11-kit/pkcs11.h>

#include "ek-token-manager.h"

G_BEGIN_DECLS

typedef struct
{
  char              *path;
  char              *real_path;
  char              *name;
  CK_FUNCTION_LIST  *funcs;
  gboolean           initialized;
  gboolean           borrowed;     /* someone else in this process initialised it */
} EkModule;

struct _EkTokenManager
{
  GObject              parent_instance;

  EkTokenManagerFlags  flags;
  GStrv                extra_paths;

  GMutex               lock;        /* every PKCS#11 call, modules and the fields below */
  gboolean             loaded;
  GPtrArray           *modules;      /* EkModule */
  GPtrArray           *module_errors;  /* GError, one per module that failed */
  GPtrArray           *tokens;       /* EkToken, the last scan */
  char                *presence;     /* the last scan's set of tokens, for the poll */

  GMainContext        *context;
  GSource             *watch_source;
  GCancellable        *watch_cancellable;
  guint                watch_count;
  gboolean             poll_in_flight;
};

enum
{
  SIGNAL_TOKENS_CHANGED,
  N_SIGNALS
};

extern guint ek_token_manager_signals[N_SIGNALS];

/* With the lock held */
void       ek_token_manager_load_modules         (EkTokenManager *self);
GPtrArray *ek_token_manager_scan                 (EkTokenManager *self,
                                                  gboolean        with_certificates);
void       ek_token_manager_reinitialize_modules (EkTokenManager *self);
void       ek_token_manager_store_tokens         (EkTokenManager *self,
                                                  GPtrArray      *tokens);
char      *ek_token_manager_presence_of          (GPtrArray      *tokens);

G_END_DECLS
