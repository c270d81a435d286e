/* ek-draft-store-private.h: what the two halves of EkDraftStore share
 *
 * ek-draft-store.c saves (tracking, debounce, atomic writes); ek-draft-store-read.c reads,
 * lists and deletes.
 */
#pragma once

#include "ek-draft-store.h"

G_BEGIN_DECLS

#define DRAFT_FILE "draft.json"
#define TEMP_PREFIX ".draft.json."
#define DAMAGED_INFIX ".damaged-"
#define QUIET_MS 300
/* A draft file is small; anything much bigger is damage, not a draft */
#define MAX_FILE_BYTES (1024 * 1024)
/* A temporary file older than this was left by a writer that died */
#define STALE_TEMP_SECONDS 60

struct _EkDraftStore
{
  GObject     parent_instance;

  char       *root;
  GHashTable *tracked;    /* id → Tracked* */

  /* Serialises writes and deletes across threads; guards written */
  GMutex      lock;
  GHashTable *written;    /* id → guint64* generation on disk */
};

void ek_draft_store_stop_tracking (EkDraftStore *self,
                                   const char   *id);

G_END_DECLS
