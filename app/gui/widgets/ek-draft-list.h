/* ek-draft-list.h: the applications in progress, offered on the first page */
#pragma once

#include <gtk/gtk.h>

#include "ek-catalogue.h"
#include "ek-draft-store.h"

G_BEGIN_DECLS

#define EK_TYPE_DRAFT_LIST (ek_draft_list_get_type ())
G_DECLARE_FINAL_TYPE (EkDraftList, ek_draft_list, EK, DRAFT_LIST, GtkWidget)

GtkWidget *ek_draft_list_new          (EkDraftStore *store,
                                       EkCatalogue  *catalogue);
void       ek_draft_list_reload       (EkDraftList  *self);
guint      ek_draft_list_get_n_drafts (EkDraftList  *self);

G_END_DECLS
