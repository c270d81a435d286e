/* ek-ui-wizard.h: driving the wizard window through its steps, as a clerk does
 *
 * What every journey test does with the window: find Next, press it when it is enabled and wait
 * for the step that follows, wait for a page to be complete, choose in a drop-down by its label.
 */
#pragma once

#include "ek-ui-test.h"
#include "ek-window.h"

G_BEGIN_DECLS

/* The Next button (action wizard.next), in the header bar or, in kiosk mode, in the window */
GtkWidget *ek_ui_next_button   (EkWindow   *window);
void       ek_ui_wait_step     (EkWindow   *window,
                                const char *step);
/* Press Next as the clerk does (Alt+→ or the button) once it is enabled, and wait for @step */
void       ek_ui_go_next       (EkWindow   *window,
                                const char *step);
/* EkUiConditions: Next is enabled; the window's current page is complete */
gboolean   ek_ui_next_enabled  (gpointer    window);
gboolean   ek_ui_page_complete (gpointer    window);
/* Chooses the first item of the drop-down named @name whose label holds @label_part ("=text":
 * is exactly text) */
void       ek_ui_choose        (GtkWidget  *root,
                                const char *name,
                                const char *label_part);

/* The page shown holds at 800 × 600, and the AT-SPI audit (tests/ui/a11y-audit.py --running, as
 * Orca reads it) finds every control named; @where names the page in the messages */
void       ek_ui_audit_page    (EkWindow   *window,
                                const char *where);

G_END_DECLS
