/* ek-key-page.c: the wizard step “Your key”
 *
 * The key view inside a flow that needs the key (renewal, mobile authorisation, e-seal). The
 * step is complete while a key with at least one certificate is inserted, so Next waits for
 * the key and follows it when it is pulled out. A business that does not need the key but reads
 * it when it is there (a cancellation: "电子钥匙丢失者无需提供") is complete without one, and
 * an inserted key fills the form's enterprise and the key's login name.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-catalogue.h"
#include "ek-key-page.h"
#include "ek-key-view.h"

struct _EkKeyPage
{
  EkPage     parent_instance;

  GtkWidget *view;
};

G_DEFINE_FINAL_TYPE (EkKeyPage, ek_key_page, EK_TYPE_PAGE)

/* Whether the draft's business needs the key, or only reads it when it is there */
static gboolean
key_required (EkKeyPage *self)
{
  const char *id = ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self)));
  g_autoptr(EkCatalogue) catalogue = id != NULL ? ek_catalogue_new_default (NULL) : NULL;
  EkBusinessType *type = catalogue != NULL ? ek_catalogue_lookup_business_type (catalogue, id) : NULL;

  return type == NULL || ek_business_type_get_key_required (type);
}

/* The inserted key fills what the form would ask, unless the clerk typed it already */
static void
fill_from (EkKeyPage         *self,
           EkCertificateInfo *info)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const struct { const char *field; const char *value; } values[] = {
    { "enterprise-name", ek_certificate_info_get_enterprise_name (info) },
    { "credit-code", ek_certificate_info_get_uscc_status (info) == EK_USCC_VALID
                     ? ek_certificate_info_get_uscc (info) : NULL },
    { "enterprise-code", ek_certificate_info_get_enterprise_code_13 (info) },
    { "key-login-name", ek_certificate_info_get_login_name (info) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i].value != NULL && *ek_application_draft_get_string (draft, values[i].field) == '\0')
      ek_application_draft_set_string (draft, values[i].field, values[i].value);
}

static void
on_view_updated_cb (EkKeyView *view,
                    EkKeyPage *self)
{
  GPtrArray *tokens = ek_key_view_get_tokens (view);
  gboolean complete = FALSE, required = key_required (self);

  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    {
      GPtrArray *certificates = ek_token_get_certificates (g_ptr_array_index (tokens, i));

      if (certificates->len == 0)
        continue;
      complete = TRUE;
      if (!required)
        fill_from (self, g_ptr_array_index (certificates, 0));
    }
  ek_page_set_complete (EK_PAGE (self), complete || !required);
}

static void
ek_key_page_shown (EkPage *page)
{
  /* Without a key the step of a business that only reads it is complete at once */
  if (!key_required (EK_KEY_PAGE (page)))
    ek_page_set_complete (page, TRUE);
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
  EK_PAGE_CLASS (klass)->shown = ek_key_page_shown;
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
