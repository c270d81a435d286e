/* ek-key-page.c: the wizard step “Your key”
 *
 * The key view inside a flow that needs the key (renewal, mobile authorisation, e-seal). The
 * step is complete while a key with at least one certificate is inserted, so Next waits for
 * the key and follows it when it is pulled out.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-key-page.h"
#include "ek-key-view.h"

struct _EkKeyPage
{
  EkPage     parent_instance;

  GtkWidget *view;
};

G_DEFINE_FINAL_TYPE (EkKeyPage, ek_key_page, EK_TYPE_PAGE)

static void
on_view_updated_cb (EkKeyView *view,
                    EkKeyPage *self)
{
  GPtrArray *tokens = ek_key_view_get_tokens (view);
  gboolean complete = FALSE;

  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    if (ek_token_get_certificates (g_ptr_array_index (tokens, i))->len > 0)
      complete = TRUE;
  ek_page_set_complete (EK_PAGE (self), complete);
}

static void
ek_key_page_dispose (GObject *object)
{
  EkKeyPage *self = EK_KEY_PAGE (object);

  g_clear_pointer (&self->view, gtk_widget_unparent);
  G_OBJECT_CLASS (ek_key_page_parent_class)->dispose (object);
}

static void
ek_key_page_class_init (EkKeyPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ek_key_page_dispose;
}

static void
ek_key_page_init (EkKeyPage *self)
{
  self->view = ek_key_view_new (NULL);
  gtk_widget_set_parent (self->view, GTK_WIDGET (self));
  g_signal_connect_object (self->view, "updated", G_CALLBACK (on_view_updated_cb), self, 0);
}

EkPage *
ek_key_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_KEY_PAGE, "draft", draft, "title", _("Your key"), NULL);
}
