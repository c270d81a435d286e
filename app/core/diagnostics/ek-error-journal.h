/* ek-error-journal.h: the last errors the clerk saw, with their request ids, for the helpdesk
 *
 * A small file of JSON lines in $XDG_STATE_HOME/ekey-assistant/ (the last 20 errors). Messages
 * are redacted (ek_redact_text()) before they are written, so no ID number, phone, e-mail or
 * token reaches the disk; a counter's session end deletes the file (kiosk mode).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EK_ERROR_JOURNAL_MAX 20

typedef struct
{
  gint64  time;         /* Unix time */
  char   *where;        /* "registry", "key", "scanner", a page's step id… */
  char   *message;      /* redacted */
  char   *request_id;   /* the service's request id, or NULL */
} EkJournalEntry;

void        ek_journal_entry_free      (EkJournalEntry *entry);

/* The file; $EKEY_ERROR_JOURNAL overrides it */
char       *ek_error_journal_path      (void);
/* Appends one error (best effort: a journal that cannot be written is not an error) */
void        ek_error_journal_note      (const char     *where,
                                        const char     *message,
                                        const char     *request_id);
/* Oldest first, at most EK_ERROR_JOURNAL_MAX */
GPtrArray  *ek_error_journal_read      (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkJournalEntry, ek_journal_entry_free)

G_END_DECLS
