/* ek-review-page.c: "Check your answers"
 *
 * Everything the form holds on one page, grouped by section as the form pages show it, ID
 * numbers masked. Each section has a Change button that shows its page (the window's
 * wizard.go-to-step); Next on that page then comes straight back here. What still stops the
 * application (a required field left empty, a value the checks reject) is listed at the top,
 * each a button to its field, and keeps Next disabled. The page is rebuilt each time it is
 * shown, and when the draft changes while it is shown.
 *
 * The frame is a template (ui/pages/review/ek-review-page.ui); C builds the sections and the
 * problems, which come from the catalogue's form and the draft. The Change buttons carry no
 * mnemonic: there is one per section, and a key shared by six activates none of them.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-form.h"
#include "ek-pages.h"
#include "ek-ui-helpers.h"
#include "ek-review-page.h"

struct _EkReviewPage
{
  EkPage     parent_instance;

  guint      rebuild_id;

  /* Template children */
  GtkWidget *problems;       /* the box listing what must be fixed */
  GtkWidget *problems_list;
  GtkWidget *problems_title;
  GtkWidget *sections;       /* one card per section */
};

G_DEFINE_FINAL_TYPE (EkReviewPage, ek_review_page, EK_TYPE_PAGE)

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_widget_unparent (child);
}

static void
on_problem_clicked_cb (GtkButton    *button,
                       EkReviewPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-field", "s",
                              g_object_get_data (G_OBJECT (button), "ek-field"));
}

static GtkWidget *
create_section (EkReviewPage        *self,
                EkForm              *form,
                const EkFormSection *section)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  g_autofree char *change_name = NULL;
  GtkWidget *card, *header, *heading, *change, *grid;

  /* A group named by its heading, as on the form pages: two sections both have a 姓名 */
  card = g_object_new (GTK_TYPE_BOX, "orientation", GTK_ORIENTATION_VERTICAL, "spacing", 8,
                       "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL, section->title, -1);
  gtk_widget_add_css_class (card, "review-section");
  gtk_widget_set_name (card, section->id);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  heading = ek_ui_wrapped_label_new_word_char (section->title, "title-4");
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (heading), GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_box_append (GTK_BOX (header), heading);

  change = gtk_button_new_with_label (_("Change"));
  gtk_widget_set_valign (change, GTK_ALIGN_START);
  gtk_widget_set_name (change, "change");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (change), "wizard.go-to-step");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (change), "s", section->step);
  /* Translators: the accessible name of the Change button of a section of the form */
  change_name = g_strdup_printf (_("Change “%s”"), section->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (change), GTK_ACCESSIBLE_PROPERTY_LABEL, change_name, -1);
  gtk_widget_set_tooltip_text (change, change_name);
  gtk_box_append (GTK_BOX (header), change);
  gtk_box_append (GTK_BOX (card), header);

  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  for (guint i = 0; i < section->fields->len; i++)
    {
      const EkFormField *field = g_ptr_array_index (section->fields, i);
      g_autofree char *value = ek_form_dup_display_value (form, field, draft);
      GtkWidget *name, *shown;

      name = ek_ui_wrapped_label_new_word_char (field->label, "dim-label");
      gtk_widget_set_valign (name, GTK_ALIGN_START);
      gtk_widget_set_size_request (name, 200, -1);
      gtk_label_set_width_chars (GTK_LABEL (name), 16);
      gtk_label_set_max_width_chars (GTK_LABEL (name), 24);
      if (value[0] != '\0')
        shown = ek_ui_wrapped_label_new_word_char (value, NULL);
      else
        shown = ek_ui_wrapped_label_new_word_char (_("Not given"), "dim-label");
      gtk_widget_set_valign (shown, GTK_ALIGN_START);
      gtk_widget_set_hexpand (shown, TRUE);
      gtk_widget_set_name (shown, field->name);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (shown),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL, -1);
      gtk_grid_attach (GTK_GRID (grid), name, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), shown, 1, i, 1, 1);
    }
  gtk_box_append (GTK_BOX (card), grid);
  return card;
}

static void
rebuild (EkReviewPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  EkForm *form = ek_pages_get_form ();
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  guint n_invalid = 0;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  clear_box (self->sections);
  clear_box (self->problems_list);
  if (form == NULL)
    return;

  sections = ek_form_get_sections (form, ek_application_draft_get_business_type_id (draft), NULL);
  for (guint i = 0; i < sections->len; i++)
    gtk_box_append (GTK_BOX (self->sections), create_section (self, form, g_ptr_array_index (sections, i)));

  problems = ek_form_check_draft (form, draft, NULL);
  for (guint i = 0; i < problems->len; i++)
    {
      EkFormProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *text = NULL;
      GtkWidget *button, *label;

      if (problem->validity != EK_VALIDITY_INVALID)
        continue;
      n_invalid++;
      text = g_strdup_printf (_("%s: %s"), problem->field->label, problem->message);
      label = ek_ui_wrapped_label_new_word_char (text, NULL);
      button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "summary-link");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      g_object_set_data_full (G_OBJECT (button), "ek-field", g_strdup (problem->field->name), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_problem_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->problems_list), button);
    }

  if (n_invalid > 0)
    {
      g_autofree char *title =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thing must be put right before you go on",
                                      "%u things must be put right before you go on", n_invalid), n_invalid);

      gtk_label_set_label (GTK_LABEL (self->problems_title), title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->problems), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
  gtk_widget_set_visible (self->problems, n_invalid > 0);
  ek_page_set_complete (EK_PAGE (self), n_invalid == 0);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  EkReviewPage *self = user_data;

  self->rebuild_id = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_rebuild (EkReviewPage *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (rebuild_cb, self);
}

/* Only a field of the form changes what the page shows (not, say, the current step) */
static void
on_draft_notify_cb (EkApplicationDraft *draft,
                    GParamSpec         *pspec,
                    EkReviewPage       *self)
{
  EkForm *form = ek_pages_get_form ();

  if (form != NULL && ek_form_lookup_field (form, g_param_spec_get_name (pspec)) != NULL)
    schedule_rebuild (self);
}

static void
ek_review_page_shown (EkPage *page)
{
  EkReviewPage *self = EK_REVIEW_PAGE (page);
  GtkWidget *first;

  rebuild (self);
  first = gtk_widget_get_visible (self->problems) ? gtk_widget_get_first_child (self->problems_list) : NULL;
  if (first != NULL)
    gtk_widget_grab_focus (first);
  else
    gtk_widget_child_focus (self->sections, GTK_DIR_TAB_FORWARD);
}

static void
ek_review_page_dispose (GObject *object)
{
  EkReviewPage *self = EK_REVIEW_PAGE (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_REVIEW_PAGE);

  G_OBJECT_CLASS (ek_review_page_parent_class)->dispose (object);
}

static void
ek_review_page_class_init (EkReviewPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ek_review_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_review_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkReviewPage, problems);
  gtk_widget_class_bind_template_child (widget_class, EkReviewPage, problems_list);
  gtk_widget_class_bind_template_child (widget_class, EkReviewPage, problems_title);
  gtk_widget_class_bind_template_child (widget_class, EkReviewPage, sections);
}

static void
ek_review_page_init (EkReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ek_review_page_new:
 * Returns: (transfer floating): the "Check your answers" page
 */
EkPage *
ek_review_page_new (EkApplicationDraft *draft)
{
  EkReviewPage *self;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_REVIEW_PAGE, "draft", draft, NULL);
  g_signal_connect_object (draft, "notify", G_CALLBACK (on_draft_notify_cb), self, 0);
  g_signal_connect_object (draft, "server-errors-changed", G_CALLBACK (schedule_rebuild), self, G_CONNECT_SWAPPED);
  rebuild (self);
  return EK_PAGE (self);
}
