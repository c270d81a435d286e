/* ek-step-row.c: one step in the window's step list, with its state */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-step-row.h"

struct _EkStepRow
{
  GtkListBoxRow  parent_instance;

  EkStepState    state;
  char          *title;

  GtkImage      *state_image;
  GtkLabel      *title_label;
};

G_DEFINE_FINAL_TYPE (EkStepRow, ek_step_row, GTK_TYPE_LIST_BOX_ROW)

static void
update (EkStepRow *self)
{
  static const char * const css_classes[] = { "todo", "current", "done", "attention" };
  const char *icon = NULL;
  const char *state_text = NULL;
  g_autofree char *label = NULL;

  switch (self->state)
    {
    case EK_STEP_STATE_TODO:
      icon = "ek-step-todo-symbolic";
      state_text = _("To do");
      break;
    case EK_STEP_STATE_CURRENT:
      icon = "ek-step-current-symbolic";
      state_text = _("Current step");
      break;
    case EK_STEP_STATE_DONE:
      icon = "ek-step-done-symbolic";
      state_text = _("Done");
      break;
    case EK_STEP_STATE_ATTENTION:
      icon = "ek-step-attention-symbolic";
      state_text = _("Needs attention");
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_image_set_from_icon_name (self->state_image, icon);
  for (guint i = 0; i < G_N_ELEMENTS (css_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), css_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self), css_classes[self->state]);

  /* Translators: a step in the list of steps: “Account: Done” */
  label = g_strdup_printf (_("%s: %s"), self->title ? self->title : "", state_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), state_text);
}

static void
ek_step_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_STEP_ROW);

  G_OBJECT_CLASS (ek_step_row_parent_class)->dispose (object);
}

static void
ek_step_row_finalize (GObject *object)
{
  g_clear_pointer (&EK_STEP_ROW (object)->title, g_free);

  G_OBJECT_CLASS (ek_step_row_parent_class)->finalize (object);
}

static void
ek_step_row_class_init (EkStepRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_step_row_dispose;
  object_class->finalize = ek_step_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-step-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EkStepRow, state_image);
  gtk_widget_class_bind_template_child (widget_class, EkStepRow, title_label);
}

static void
ek_step_row_init (EkStepRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_step_row_new (const char *title)
{
  EkStepRow *self = g_object_new (EK_TYPE_STEP_ROW, NULL);

  ek_step_row_set_title (self, title);
  return GTK_WIDGET (self);
}

void
ek_step_row_set_title (EkStepRow  *self,
                       const char *title)
{
  g_return_if_fail (EK_IS_STEP_ROW (self));

  g_free (self->title);
  self->title = g_strdup (title);
  gtk_label_set_label (self->title_label, title);
  update (self);
}

EkStepState
ek_step_row_get_state (EkStepRow *self)
{
  g_return_val_if_fail (EK_IS_STEP_ROW (self), EK_STEP_STATE_TODO);
  return self->state;
}

void
ek_step_row_set_state (EkStepRow   *self,
                       EkStepState  state)
{
  g_return_if_fail (EK_IS_STEP_ROW (self));

  self->state = state;
  update (self);
}
