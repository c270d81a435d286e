/* ek-window.h: the wizard window */
#pragma once

#include <gtk/gtk.h>

#include "ek-application-draft.h"
#include "ek-catalogue.h"
#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_WINDOW (ek_window_get_type ())
G_DECLARE_FINAL_TYPE (EkWindow, ek_window, EK, WINDOW, GtkApplicationWindow)

EkWindow           *ek_window_new                (GtkApplication *application,
                                                  EkCatalogue    *catalogue,
                                                  const GError   *catalogue_error);
EkWindow           *ek_window_new_for_draft      (GtkApplication     *application,
                                                  EkCatalogue        *catalogue,
                                                  EkApplicationDraft *draft);
EkApplicationDraft *ek_window_get_draft          (EkWindow       *self);
gboolean            ek_window_logs_in_with_key   (EkWindow       *self);
EkPage             *ek_window_get_current_page   (EkWindow       *self);
guint               ek_window_get_current_index  (EkWindow       *self);
guint               ek_window_get_n_pages        (EkWindow       *self);
const char         *ek_window_get_current_step   (EkWindow       *self);
gboolean            ek_window_go_to_step         (EkWindow       *self,
                                                  const char     *step_id);
gboolean            ek_window_go_to_field        (EkWindow       *self,
                                                  const char     *field);

G_END_DECLS
