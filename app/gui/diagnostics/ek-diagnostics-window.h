/* ek-diagnostics-window.h: the helpdesk's report in a window (main menu → Diagnostics) */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_DIAGNOSTICS_WINDOW (ek_diagnostics_window_get_type ())
G_DECLARE_FINAL_TYPE (EkDiagnosticsWindow, ek_diagnostics_window, EK, DIAGNOSTICS_WINDOW, GtkWindow)

GtkWidget  *ek_diagnostics_window_new      (GtkApplication      *application);
/* The report's text as shown (NULL while it is being made), for Copy, Save and the tests */
const char *ek_diagnostics_window_get_text (EkDiagnosticsWindow *self);

G_END_DECLS
