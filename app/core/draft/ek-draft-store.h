/* ek-draft-store.h: every application in progress, saved on each change */
#pragma once

#include <gio/gio.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

/* At most this long between a change and its save, in milliseconds */
#define EK_DRAFT_STORE_MAX_DELAY_MS 1000

typedef struct
{
  char     *id;
  char     *enterprise_name;   /* "" if not typed yet */
  char     *business_type_id;  /* nullable */
  gint64    modified;          /* microseconds since 1970 */
  gboolean  damaged;           /* the file could not be read and was set aside */
  char     *message;           /* for a damaged one: what happened, for the user */
} EkDraftSummary;

void ek_draft_summary_free (EkDraftSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkDraftSummary, ek_draft_summary_free)

#define EK_TYPE_DRAFT_STORE (ek_draft_store_get_type ())
G_DECLARE_FINAL_TYPE (EkDraftStore, ek_draft_store, EK, DRAFT_STORE, GObject)

EkDraftStore       *ek_draft_store_new            (void);
const char         *ek_draft_store_get_root       (EkDraftStore        *self);
void                ek_draft_store_track          (EkDraftStore        *self,
                                                   EkApplicationDraft  *draft);
void                ek_draft_store_untrack        (EkDraftStore        *self,
                                                   EkApplicationDraft  *draft);
gboolean            ek_draft_store_flush          (EkDraftStore        *self,
                                                   GError             **error);
gboolean            ek_draft_store_save           (EkDraftStore        *self,
                                                   EkApplicationDraft  *draft,
                                                   GError             **error);
EkApplicationDraft *ek_draft_store_load           (EkDraftStore        *self,
                                                   const char          *id,
                                                   GError             **error);
GPtrArray          *ek_draft_store_list           (EkDraftStore        *self,
                                                   GError             **error);
gboolean            ek_draft_store_delete         (EkDraftStore        *self,
                                                   const char          *id,
                                                   GError             **error);
/* Kiosk mode's end of a session: every draft stops being saved (nothing pending is written)
 * and every draft folder (drafts, scans, fitted images, rendered forms) is wiped: each file
 * overwritten, then removed (ek-wipe.h) */
gboolean            ek_draft_store_wipe_all       (EkDraftStore        *self,
                                                   GError             **error);

void                ek_draft_store_list_async     (EkDraftStore        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray          *ek_draft_store_list_finish    (EkDraftStore        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void                ek_draft_store_load_async     (EkDraftStore        *self,
                                                   const char          *id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
EkApplicationDraft *ek_draft_store_load_finish    (EkDraftStore        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void                ek_draft_store_delete_async   (EkDraftStore        *self,
                                                   const char          *id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean            ek_draft_store_delete_finish  (EkDraftStore        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
