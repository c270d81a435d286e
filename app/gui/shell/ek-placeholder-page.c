/* ek-placeholder-page.c: a step that this version cannot do yet
 *
 * It never becomes complete, so the flow stops here honestly instead of pretending.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-placeholder-page.h"

struct _EkPlaceholderPage
{
  EkPage    parent_instance;

  GtkLabel *heading_label;
  GtkLabel *summary_label;
};

G_DEFINE_FINAL_TYPE (EkPlaceholderPage, ek_placeholder_page, EK_TYPE_PAGE)

static void
ek_placeholder_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_PLACEHOLDER_PAGE);

  G_OBJECT_CLASS (ek_placeholder_page_parent_class)->dispose (object);
}

static void
ek_placeholder_page_class_init (EkPlaceholderPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_placeholder_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-placeholder-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkPlaceholderPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, EkPlaceholderPage, summary_label);
}

static void
ek_placeholder_page_init (EkPlaceholderPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EkPage *
ek_placeholder_page_new (EkFlowStep         *step,
                         EkApplicationDraft *draft)
{
  EkPlaceholderPage *self;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (step != NULL, NULL);

  self = g_object_new (EK_TYPE_PLACEHOLDER_PAGE,
                       "draft", draft,
                       "title", step->title,
                       NULL);
  gtk_label_set_label (self->heading_label, step->title);
  /* Translators: %s says what the step will do, e.g. “Scan or choose each document” */
  summary = g_strdup_printf (_("When it is ready, this step will let you: %s."), step->summary);
  gtk_label_set_label (self->summary_label, summary);

  return EK_PAGE (self);
}
