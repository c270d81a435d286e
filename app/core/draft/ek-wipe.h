/* ek-wipe.h: leaving nothing behind at a counter (kiosk mode)
 *
 * A session at a counter PC writes drafts (with ID numbers), scans, fitted images, rendered
 * forms and copies the clerk saved. At its end everything goes: each file is overwritten with
 * zeros, synced and unlinked, so a later enterprise at the same PC cannot undelete it with a
 * simple tool. (On a journaling file system or an SSD an overwrite is no guarantee that no copy
 * of the blocks survives; the counter's disk encryption covers that.)
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Overwrites @path with zeros (a regular file), then removes it; a missing file is fine */
gboolean  ek_wipe_file              (const char  *path,
                                     GError     **error);
/* ek_wipe_file() for every file under @path, then removes the folders; never follows a
 * symbolic link (the link itself is removed) */
gboolean  ek_wipe_tree              (const char  *path,
                                     GError     **error);

/* Files written outside the drafts on the clerk's behalf during this session (a form saved as
 * PDF, a report saved for the helpdesk): remembered so the session's end can wipe them */
void      ek_session_files_track    (const char  *path);
/* Wipes them all and forgets them; TRUE if every one went */
gboolean  ek_session_files_wipe     (GError     **error);
/* The paths remembered so far (for the tests and the administrator's list) */
GStrv     ek_session_files_dup      (void);

G_END_DECLS
