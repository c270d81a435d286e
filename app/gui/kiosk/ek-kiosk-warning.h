/* ek-kiosk-warning.h: "Are you still there?", with the seconds left before the session ends */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_KIOSK_WARNING (ek_kiosk_warning_get_type ())
G_DECLARE_FINAL_TYPE (EkKioskWarning, ek_kiosk_warning, EK, KIOSK_WARNING, GtkWindow)

/* Actions "kiosk.continue" and "kiosk.finish" are looked up in the parent's action groups:
 * the kiosk controller installs them on the warning (ek-kiosk.c) */
EkKioskWarning *ek_kiosk_warning_new           (GtkWindow      *parent);
void            ek_kiosk_warning_set_seconds   (EkKioskWarning *self,
                                                guint           seconds);

G_END_DECLS
