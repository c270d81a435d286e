/* ek-ui-helpers.c: small helpers for the few widgets still built in C (data-driven rows, lists)
 *
 * Pages and widgets with a fixed structure are templates (ui/); these cover what C builds from
 * data: a wrapped label, a button whose mnemonic is not read out, a fresh cancellable.
 */
#include "config.h"

#include "ek-ui-helpers.h"

/* "_Retry" -> "Retry"; "重试(_R)" -> "重试" (the Chinese form puts the key in brackets) */
char *
ek_ui_strip_mnemonic (const char *text)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '(' && p[1] == '_' && p[2] != '\0' && p[3] == ')')
        {
          p += 3;
          continue;
        }
      if (*p == '_' && p[1] == '_')
        {
          g_string_append_c (out, '_');
          p++;
          continue;
        }
      if (*p != '_')
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

GtkWidget *
ek_ui_mnemonic_button_new (const char *text)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (text);
  g_autofree char *name = ek_ui_strip_mnemonic (text);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return button;
}

GtkWidget *
ek_ui_wrapped_label_new (const char *text,
                         const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

GtkWidget *
ek_ui_wrapped_label_new_word_char (const char *text,
                                   const char *css_class)
{
  GtkWidget *label = ek_ui_wrapped_label_new (text, css_class);

  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  return label;
}

GtkWidget *
ek_ui_page_box_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  return box;
}

void
ek_ui_page_set_scrolled_child (GtkWidget *page,
                               GtkWidget *child)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_widget_set_parent (scrolled, page);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), child);
}

GCancellable *
ek_ui_restart_cancellable (GCancellable **cancellable)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
  return *cancellable;
}
