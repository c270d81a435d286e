/* ek-ui-helpers.c: small helpers for the few widgets still built in C (data-driven rows, lists)
 *
 * Pages and widgets with a fixed structure are templates (ui/); these cover what C builds from
 * data: a wrapped label, a button whose mnemonic is not read out, a fresh cancellable.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <poppler.h>

#include "ek-ui-helpers.h"

/* "_Retry" -> "Retry"; "重试(_R)" -> "重试" (the Chinese form puts the key in brackets) */
static char *
strip_mnemonic (const char *text)
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
  g_autofree char *name = strip_mnemonic (text);

  /* GTK 4.8 reads a mnemonic button's own label ("_Retry") and then the label it is labelled by
   * ("Retry", "重试(R)"): only the relation stays, to a label named without the key */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_button_get_child (GTK_BUTTON (button))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return button;
}

/**
 * ek_ui_set_accessible_name:
 *
 * Names @widget @name, and only that: its mnemonic labels are no longer read with it (a
 * "Continue" button named "Continue: Trading Co" is not read "Continue: Trading Co Continue").
 */
void
ek_ui_set_accessible_name (GtkWidget  *widget,
                           const char *name)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

void
ek_ui_read_names_once (GtkWidget *first,
                       ...)
{
  va_list args;

  va_start (args, first);
  for (GtkWidget *w = first; w != NULL; w = va_arg (args, GtkWidget *))
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  va_end (args);
}

/* The tick GTK 4.8 puts beside the chosen item, also in the drop-down's button, is read as
 * "GtkImage": it says nothing the button does not, so it is left out */
static void
hide_images (GtkWidget *widget)
{
  if (GTK_IS_IMAGE (widget))
    gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    hide_images (c);
}

static void
name_drop_down_button (GtkWidget *drop_down)
{
  GList *labels = gtk_widget_list_mnemonic_labels (drop_down);
  GtkWidget *by = labels != NULL ? labels->data : NULL;
  GtkWidget *before = gtk_widget_get_prev_sibling (drop_down);

  /* By the drop-down's mnemonic label, or else by the label just before it (a form field's),
   * or else by the drop-down itself (its own name) */
  if (by == NULL)
    by = before != NULL && GTK_IS_LABEL (before) ? before : drop_down;
  for (GtkWidget *child = gtk_widget_get_first_child (drop_down); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      {
        gtk_accessible_update_relation (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_RELATION_LABELLED_BY, by, NULL, -1);
        hide_images (child);
      }
  g_list_free (labels);
}

/* A stack's pages that are not shown are hidden from screen readers too (GTK 4.8 leaves them
 * in the accessible tree as if they were there) */
static void
on_stack_visible_child_cb (GtkStack *stack)
{
  GtkWidget *shown = gtk_stack_get_visible_child (stack);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN, child != shown, -1);
}

static void
follow_stack (GtkStack *stack)
{
  if (g_object_get_data (G_OBJECT (stack), "ek-hides-pages") == NULL)
    {
      g_object_set_data (G_OBJECT (stack), "ek-hides-pages", GINT_TO_POINTER (TRUE));
      g_signal_connect (stack, "notify::visible-child", G_CALLBACK (on_stack_visible_child_cb), NULL);
    }
  on_stack_visible_child_cb (stack);
}

/**
 * ek_ui_name_inner_controls:
 *
 * GTK 4.8 reads the button inside a drop-down (the part that takes the focus) by its type name,
 * "GtkToggleButton": each such button under @root is named by the drop-down's own label. And
 * the pages of a stack under @root that are not shown are hidden from screen readers.
 */
void
ek_ui_name_inner_controls (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_DROP_DOWN (root))
    {
      name_drop_down_button (root);
      return;
    }
  if (GTK_IS_STACK (root))
    follow_stack (GTK_STACK (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ek_ui_name_inner_controls (child);
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

/**
 * ek_ui_name_field:
 * @control: a field's entry or drop-down
 * @label: (nullable): its visible label; %NULL for the label whose mnemonic widget it is
 * @text: (nullable): the field's name; %NULL for the label's own text without the Alt key
 *
 * Names the field for a screen reader once, through the label the control is labelled by, and
 * says when it must be filled in: GTK 4.8 does not pass the required property on to AT-SPI, so
 * it is in the name as well ("姓名（必填）").
 */
void
ek_ui_name_field (GtkWidget  *control,
                  GtkWidget  *label,
                  const char *text,
                  gboolean    required)
{
  g_autofree char *plain = NULL;
  g_autofree char *name = NULL;

  if (label == NULL)
    {
      GList *labels = gtk_widget_list_mnemonic_labels (control);

      g_return_if_fail (labels != NULL);
      label = labels->data;
      g_list_free (labels);
    }
  plain = text != NULL ? g_strdup (text) : strip_mnemonic (gtk_label_get_label (GTK_LABEL (label)));
  /* Translators: the name a screen reader gives a field that must be filled in */
  name = required ? g_strdup_printf (_("%s (required)"), plain) : g_strdup (plain);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_PROPERTY_REQUIRED, required, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
}

/**
 * ek_ui_window_add_close_keys:
 *
 * Escape and Ctrl+W close @window, as they do a dialog: for the windows a keyboard user opens
 * beside the wizard (the key view, a material at full size).
 */
void
ek_ui_window_add_close_keys (GtkWindow *window)
{
  GtkEventController *shortcuts;

  g_return_if_fail (GTK_IS_WINDOW (window));

  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Escape|<Control>w"),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (window), shortcuts);
}

/* ---- Printing a PDF: poppler draws each page into the print context, scaled to the paper ---- */

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                PopplerDocument   *document)
{
  gtk_print_operation_set_n_pages (operation, poppler_document_get_n_pages (document));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              PopplerDocument   *document)
{
  PopplerPage *page = poppler_document_get_page (document, page_nr);
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width, height, scale;

  if (page == NULL)
    return;
  poppler_page_get_size (page, &width, &height);
  scale = MIN (gtk_print_context_get_width (context) / width, gtk_print_context_get_height (context) / height);
  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  poppler_page_render_for_printing (page, cr);
  cairo_restore (cr);
  g_object_unref (page);
}

gboolean
ek_ui_print_pdf (GtkWidget               *widget,
                 const char              *path,
                 const char              *job_name,
                 GtkPrintOperationAction  action,
                 const char              *export_path,
                 GError                 **error)
{
  g_autofree char *uri = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  PopplerDocument *document;
  GtkPrintOperationResult result;
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  uri = path != NULL ? g_filename_to_uri (path, NULL, error) : NULL;
  if (uri == NULL)
    return FALSE;
  document = poppler_document_new_from_file (uri, NULL, error);
  if (document == NULL)
    return FALSE;

  operation = gtk_print_operation_new ();
  gtk_page_setup_set_paper_size (setup, a4);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  if (export_path != NULL)
    gtk_print_operation_set_export_filename (operation, export_path);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), document);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), document);
  /* Run to the end here: the document lives until the operation is done */
  root = gtk_widget_get_root (widget);
  result = gtk_print_operation_run (operation, action, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, error);
  g_object_unref (document);
  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}
