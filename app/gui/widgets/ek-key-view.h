/* ek-key-view.h: “Your key” — each inserted key, its state and its certificates */
#pragma once

#include <gtk/gtk.h>

#include "ek-token-manager.h"

G_BEGIN_DECLS

#define EK_TYPE_KEY_VIEW (ek_key_view_get_type ())
G_DECLARE_FINAL_TYPE (EkKeyView, ek_key_view, EK, KEY_VIEW, GtkWidget)

GtkWidget      *ek_key_view_new          (EkTokenManager *manager);
EkTokenManager *ek_key_view_get_manager  (EkKeyView      *self);
GPtrArray      *ek_key_view_get_tokens   (EkKeyView      *self);
gboolean        ek_key_view_get_loading  (EkKeyView      *self);

G_END_DECLS
