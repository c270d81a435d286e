/* ek-kiosk.h: counter (kiosk) mode: one PC, many enterprises a day, nothing left behind
 *
 * The controller owns the wizard window while kiosk mode is on: full screen, no way to quit
 * but the administrator's (SIGTERM, or turning the setting off when it is not locked), a
 * Finish button in the header bar, and an idle timer that warns with a countdown before it
 * ends the session. Ending a session wipes every draft, scan, fitted image, rendered form and
 * saved copy of it (overwritten, then deleted), the error journal, what we put on the
 * clipboard, logs the registration session out and opens a fresh window at the first page.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_KIOSK (ek_kiosk_get_type ())
G_DECLARE_FINAL_TYPE (EkKiosk, ek_kiosk, EK, KIOSK, GObject)

/* Signal "session-ended" (void): everything of the session is gone and the fresh window shows */

EkKiosk    *ek_kiosk_new                 (GtkApplication *application);
/* Wipes whatever a crash left, then opens the window at the first page, full screen */
void        ek_kiosk_start               (EkKiosk        *self);
GtkWindow  *ek_kiosk_get_window          (EkKiosk        *self);
/* Finish, the idle timeout or the administrator: ends the session now */
void        ek_kiosk_end_session         (EkKiosk        *self);
/* Idle time before the warning and the warning's countdown, in seconds (from the settings
 * idle-timeout and idle-warning; the tests make them short) */
void        ek_kiosk_set_idle_timeouts   (EkKiosk        *self,
                                          guint           idle_seconds,
                                          guint           warning_seconds);
GtkWindow  *ek_kiosk_get_warning         (EkKiosk        *self);   /* NULL when not shown */
guint       ek_kiosk_get_sessions_ended  (EkKiosk        *self);
/* Leaves kiosk mode (the administrator's way): quitting is allowed again */
void        ek_kiosk_release             (EkKiosk        *self);
gboolean    ek_kiosk_is_released         (EkKiosk        *self);

G_END_DECLS
