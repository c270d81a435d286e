/* ek-credit-code-path-page.c: the wizard step “Your enterprise's path” (adding the 18-digit code)
 *
 * A domestic enterprise (对外贸易经营者备案登记表) files nothing here: it changes its filing on
 * MOFCOM's platform, and the next online renewal adds the code (seed 001 §4.3.2); the page says
 * so and offers to start that renewal. A foreign-invested one (外商投资企业批准证书) goes on with
 * the form (重新申领 and 企业代码变更为 ticked: the business's ticks in the catalogue) and its four
 * materials (§4.3.3).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-catalogue.h"
#include "ek-credit-code-path-page.h"
#include "ek-window.h"

struct _EkCreditCodePathPage
{
  EkPage          parent_instance;

  GtkBox         *domestic_box;
  GtkCheckButton *domestic_check;
  GtkCheckButton *foreign_check;
  GtkLabel       *foreign_label;
};

G_DEFINE_FINAL_TYPE (EkCreditCodePathPage, ek_credit_code_path_page, EK_TYPE_PAGE)

static void
on_path_toggled_cb (GtkCheckButton       *button,
                    EkCreditCodePathPage *self)
{
  gboolean domestic = gtk_check_button_get_active (self->domestic_check);
  gboolean foreign = gtk_check_button_get_active (self->foreign_check);

  if (self->foreign_label == NULL)   /* disposing */
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->domestic_box), domestic);
  gtk_widget_set_visible (GTK_WIDGET (self->foreign_label), foreign);
  /* only the foreign-invested path goes on in this window */
  ek_page_set_complete (EK_PAGE (self), foreign);
}

static void
on_renewal_button_clicked_cb (GtkButton            *button,
                              EkCreditCodePathPage *self)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);
  EkWindow *window;

  if (catalogue == NULL)
    return;
  ek_application_draft_set_business_type_id (draft, "renewal");
  window = ek_window_new_for_draft (GTK_APPLICATION (g_application_get_default ()), catalogue, draft);
  gtk_window_present (GTK_WINDOW (window));
}

static void
ek_credit_code_path_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_CREDIT_CODE_PATH_PAGE);
  G_OBJECT_CLASS (ek_credit_code_path_page_parent_class)->dispose (object);
}

static void
ek_credit_code_path_page_class_init (EkCreditCodePathPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ek_credit_code_path_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-credit-code-path-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkCreditCodePathPage, domestic_box);
  gtk_widget_class_bind_template_child (widget_class, EkCreditCodePathPage, domestic_check);
  gtk_widget_class_bind_template_child (widget_class, EkCreditCodePathPage, foreign_check);
  gtk_widget_class_bind_template_child (widget_class, EkCreditCodePathPage, foreign_label);
  gtk_widget_class_bind_template_callback (widget_class, on_path_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_renewal_button_clicked_cb);
}

static void
ek_credit_code_path_page_init (EkCreditCodePathPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EkPage *
ek_credit_code_path_page_new (EkApplicationDraft *draft)
{
  EkPage *page;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  page = g_object_new (EK_TYPE_CREDIT_CODE_PATH_PAGE, "draft", draft, "title", _("Your enterprise’s path"), NULL);
  return page;
}
