/* ek-ui-test.h: driving the real widgets under Xvfb as a clerk would
 *
 * Widgets are found by their widget name among those that are drawn (a page hidden in a stack
 * does not count), typed into and pressed through their own signals, and waited for by painted
 * frames, never by a fixed number of main-loop iterations.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*EkUiCondition) (gpointer data);
typedef gboolean (*EkUiMatch)     (GtkWidget     *widget,
                                   gconstpointer  data);

void        ek_ui_init             (int           *argc,
                                    char        ***argv);
void        ek_ui_iterate          (GtkWidget     *window);
void        ek_ui_screenshot       (GtkWidget     *window,
                                    const char    *name);
void        ek_ui_screenshot_numbered (GtkWidget  *window,
                                    const char    *journey,
                                    const char    *name);
GtkWidget  *ek_ui_find             (GtkWidget     *root,
                                    const char    *name);
GtkWidget  *ek_ui_find_type        (GtkWidget     *root,
                                    GType          type);
GtkWidget  *ek_ui_find_label       (GtkWidget     *root,
                                    const char    *text);
GtkWidget  *ek_ui_find_match       (GtkWidget     *root,
                                    EkUiMatch      match,
                                    gconstpointer  data);
GtkWidget  *ek_ui_find_any         (GtkWidget     *root,
                                    const char    *name);
GtkWidget  *ek_ui_find_action      (GtkWidget     *root,
                                    const char    *action);
GtkWidget  *ek_ui_find_button      (GtkWidget     *root,
                                    const char    *label);
gboolean    ek_ui_shows_text       (GtkWidget     *root,
                                    const char    *text);
void        ek_ui_assert_mnemonics_unique (GtkWidget *root);
GtkWindow  *ek_ui_find_toplevel    (GType          type);
void        ek_ui_wait             (GtkWidget     *window,
                                    EkUiCondition  condition,
                                    gpointer       data,
                                    const char    *what);
GtkWidget  *ek_ui_wait_for         (GtkWidget     *window,
                                    const char    *name);
void        ek_ui_wait_for_text    (GtkWidget     *window,
                                    const char    *text);
void        ek_ui_type             (GtkWidget     *root,
                                    const char    *name,
                                    const char    *text);
void        ek_ui_set_text         (GtkWidget     *root,
                                    const char    *name,
                                    const char    *text);
void        ek_ui_click            (GtkWidget     *root,
                                    const char    *name);
void        ek_ui_drop_file        (GtkWidget     *target_widget,
                                    const char    *path);

G_END_DECLS
