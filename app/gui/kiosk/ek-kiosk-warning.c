/* ek-kiosk-warning.c: "Are you still there?", with the seconds left before the session ends */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-kiosk-warning.h"

struct _EkKioskWarning
{
  GtkWindow  parent_instance;

  GtkWidget *countdown_label;
  GtkWidget *continue_button;
};

G_DEFINE_FINAL_TYPE (EkKioskWarning, ek_kiosk_warning, GTK_TYPE_WINDOW)

static void
ek_kiosk_warning_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_KIOSK_WARNING);
  G_OBJECT_CLASS (ek_kiosk_warning_parent_class)->dispose (object);
}

static void
ek_kiosk_warning_class_init (EkKioskWarningClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ek_kiosk_warning_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-kiosk-warning.ui");
  gtk_widget_class_bind_template_child (widget_class, EkKioskWarning, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, EkKioskWarning, continue_button);
  /* Escape, like any key, means "I am here" */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "kiosk.continue", NULL);
}

static void
ek_kiosk_warning_init (EkKioskWarning *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->continue_button);
  gtk_window_set_focus (GTK_WINDOW (self), self->continue_button);
}

EkKioskWarning *
ek_kiosk_warning_new (GtkWindow *parent)
{
  return g_object_new (EK_TYPE_KIOSK_WARNING, "transient-for", parent, NULL);
}

void
ek_kiosk_warning_set_seconds (EkKioskWarning *self,
                              guint           seconds)
{
  g_autofree char *text = NULL;

  g_return_if_fail (EK_IS_KIOSK_WARNING (self));
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Nothing has been done here for a while. In %u second this session ends, and everything typed, scanned or saved in it is deleted.",
                                       "Nothing has been done here for a while. In %u seconds this session ends, and everything typed, scanned or saved in it is deleted.",
                                       seconds),
                          seconds);
  gtk_label_set_text (GTK_LABEL (self->countdown_label), text);
}
