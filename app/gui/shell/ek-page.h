/* ek-page.h: the base class of every wizard page */
#pragma once

#include <gtk/gtk.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

#define EK_TYPE_PAGE (ek_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (EkPage, ek_page, EK, PAGE, GtkWidget)

struct _EkPageClass
{
  GtkWidgetClass parent_class;

  /* Called when the page becomes the current one. */
  void     (*shown)       (EkPage              *self);

  /* Called on Next: save or send what the page holds. The default finishes at once. */
  void     (*apply_async)  (EkPage              *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
  gboolean (*apply_finish) (EkPage              *self,
                            GAsyncResult        *result,
                            GError             **error);

  gpointer padding[8];
};

EkApplicationDraft *ek_page_get_draft     (EkPage              *self);
const char         *ek_page_get_title     (EkPage              *self);
void                ek_page_set_title     (EkPage              *self,
                                           const char          *title);
gboolean            ek_page_get_complete  (EkPage              *self);
void                ek_page_set_complete  (EkPage              *self,
                                           gboolean             complete);
void                ek_page_shown         (EkPage              *self);
void                ek_page_apply_async   (EkPage              *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean            ek_page_apply_finish  (EkPage              *self,
                                           GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
