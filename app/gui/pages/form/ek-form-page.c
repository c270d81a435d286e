/* ek-form-page.c: one page of the application form, built from the catalogue's form
 *
 * The page shows the sections of the form that its flow step holds for the draft's business
 * type (ek-form.c), one control per field, named after the field. What the clerk types goes
 * to the draft at once (the draft store saves it); the checks run a moment after typing
 * pauses, and at once when a field is left. Each field's message sits under it and is the
 * control's accessible description; the summary at the top lists every problem shown, each
 * a button that focuses its field. Next is enabled when no field is INVALID: a WARNING (a
 * wrong check character in a credit code) never blocks. A message the server gave on a field
 * shows like a local one until the field is edited.
 *
 * An ID number is shown in full only while its field has the focus, masked otherwise
 * (110*************2X), as on the review page: the counter's screen is seen by others.
 *
 * A field's message appears once the clerk has been there (typed, left it, or it holds a
 * value); a required field never visited only keeps Next disabled, with the page's note
 * saying which fields are required.
 *
 * The frame (summary, note) is a template (ui/pages/form/ek-form-page.ui); the sections and
 * fields are built here from the catalogue. Each section is a group named by its heading, so
 * the legal representative's 姓名 and the user's are told apart; each control is labelled by its
 * visible label, says whether it is required, and is marked invalid while its error shows.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-form-page.h"
#include "ek-ui-helpers.h"

/* How long typing must pause before the checks run */
#define CHECK_DELAY_MS 300

typedef struct
{
  const EkFormField *field;
  GtkWidget         *control;
  GtkWidget         *message;
  GPtrArray         *values;    /* for a drop-down: the value of each item; [0] is "" */
  GtkWidget         *details;   /* for an authority: its counter's address and phone */
  const char        *hint;      /* for this business (ek_form_field_get_hint()), or NULL */
  gboolean           touched;
  gboolean           focused;   /* the keyboard focus is in the control */
} FieldView;

struct _EkFormPage
{
  EkPage      parent_instance;

  EkForm     *form;
  char       *step;
  GPtrArray  *views;          /* FieldView* */
  guint       check_id;
  char       *summary_key;    /* what the summary lists now, to rebuild it only on a change */
  gboolean    syncing;        /* writing the draft's values into the controls */

  /* Template children */
  GtkWidget  *content;        /* the sections */
  GtkWidget  *summary;        /* the error summary box */
  GtkWidget  *summary_list;
  GtkWidget  *summary_title;
};

G_DEFINE_FINAL_TYPE (EkFormPage, ek_form_page, EK_TYPE_PAGE)

static void validate (EkFormPage *self);

static void
field_view_free (gpointer data)
{
  FieldView *view = data;

  g_clear_pointer (&view->values, g_ptr_array_unref);
  g_free (view);
}

static FieldView *
find_view (EkFormPage *self,
           const char *name)
{
  for (guint i = 0; i < self->views->len; i++)
    {
      FieldView *view = g_ptr_array_index (self->views, i);

      if (g_str_equal (view->field->name, name))
        return view;
    }
  return NULL;
}

static EkApplicationDraft *
draft_of (EkFormPage *self)
{
  return ek_page_get_draft (EK_PAGE (self));
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  EkFormPage *self = user_data;

  self->check_id = 0;
  validate (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (EkFormPage *self)
{
  g_clear_handle_id (&self->check_id, g_source_remove);
  self->check_id = g_timeout_add (CHECK_DELAY_MS, check_timeout_cb, self);
}

/* The clerk changed a field: it shows its message from now on, and the server's word on it
 * no longer stands */
static void
edited (EkFormPage *self,
        FieldView  *view)
{
  view->touched = TRUE;
  ek_application_draft_set_server_error (draft_of (self), view->field->name, NULL);
}

static void
on_entry_changed_cb (GtkEditable *editable,
                     EkFormPage  *self)
{
  FieldView *view = g_object_get_data (G_OBJECT (editable), "ek-field-view");

  if (self->syncing)
    return;
  ek_application_draft_set_string (draft_of (self), view->field->name, gtk_editable_get_text (editable));
  edited (self, view);
  schedule_check (self);
}

static void
on_entry_activate_cb (GtkEntry   *entry,
                      EkFormPage *self)
{
  /* Enter: on to the next page when this one is complete, else to the first field to fix */
  validate (self);
  if (ek_page_get_complete (EK_PAGE (self)))
    gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
  else
    for (guint i = 0; i < self->views->len; i++)
      {
        FieldView *view = g_ptr_array_index (self->views, i);
        g_autoptr(EkFormProblem) problem = ek_form_check_field (self->form, view->field, draft_of (self));

        if (problem->validity == EK_VALIDITY_INVALID)
          {
            view->touched = TRUE;
            validate (self);
            gtk_widget_grab_focus (view->control);
            return;
          }
      }
}

static void sync_view (EkFormPage *self,
                       FieldView  *view);

static void
on_focus_enter_cb (GtkEventControllerFocus *controller,
                   EkFormPage              *self)
{
  FieldView *view = g_object_get_data (G_OBJECT (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller))),
                                       "ek-field-view");

  view->focused = TRUE;
  if (view->field->sensitive)
    sync_view (self, view);   /* the number in full, to edit it */
}

static void
on_focus_leave_cb (GtkEventControllerFocus *controller,
                   EkFormPage              *self)
{
  FieldView *view = g_object_get_data (G_OBJECT (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller))),
                                       "ek-field-view");

  view->focused = FALSE;
  if (view->field->sensitive)
    sync_view (self, view);   /* masked again */
  view->touched = TRUE;
  g_clear_handle_id (&self->check_id, g_source_remove);
  validate (self);
}

static void
on_drop_down_selected_cb (GtkDropDown *drop_down,
                          GParamSpec  *pspec,
                          EkFormPage  *self)
{
  FieldView *view = g_object_get_data (G_OBJECT (drop_down), "ek-field-view");
  guint selected = gtk_drop_down_get_selected (drop_down);
  const char *value;

  if (self->syncing || selected == GTK_INVALID_LIST_POSITION || selected >= view->values->len)
    return;
  value = g_ptr_array_index (view->values, selected);
  ek_application_draft_set_string (draft_of (self), view->field->name, value);
  if (view->field->kind == EK_FORM_FIELD_AUTHORITY)
    {
      const EkAuthority *authority = ek_form_lookup_authority (self->form, value);

      /* The name goes on the printed form */
      ek_application_draft_set_string (draft_of (self), "authority-name", authority ? authority->name : NULL);
    }
  edited (self, view);
  validate (self);
}

static void
on_check_toggled_cb (GtkCheckButton *button,
                     EkFormPage     *self)
{
  FieldView *view = g_object_get_data (G_OBJECT (button), "ek-field-view");

  if (self->syncing)
    return;
  ek_application_draft_set_boolean (draft_of (self), view->field->name, gtk_check_button_get_active (button));
  edited (self, view);
  validate (self);
}

/* Where the chosen authority's counter is, as far as the catalogue knows */
static void
sync_authority_details (EkFormPage *self,
                        FieldView  *view)
{
  const EkAuthority *authority =
    ek_form_lookup_authority (self->form, ek_application_draft_get_string (draft_of (self), view->field->name));
  g_autoptr(GString) text = g_string_new (NULL);

  if (authority != NULL && authority->address != NULL)
    /* Translators: where the key is collected */
    g_string_append_printf (text, _("Counter: %s"), authority->address);
  if (authority != NULL && authority->phone != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: the issuing authority's phone */
      g_string_append_printf (text, _("Phone: %s"), authority->phone);
    }
  if (authority != NULL && text->len == 0)
    g_string_append (text, _("The address of this counter is not in the catalogue yet; "
                             "the issuing authority will tell you when the key is ready."));
  gtk_label_set_label (GTK_LABEL (view->details), text->str);
  gtk_widget_set_visible (view->details, text->len > 0);
}

/* Shows the draft's value in a control */
static void
sync_view (EkFormPage *self,
           FieldView  *view)
{
  EkApplicationDraft *draft = draft_of (self);

  if (view->details != NULL)
    sync_authority_details (self, view);

  self->syncing = TRUE;
  if (view->field->kind == EK_FORM_FIELD_TICK)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (view->control),
                                 ek_application_draft_get_boolean (draft, view->field->name));
  else if (GTK_IS_DROP_DOWN (view->control))
    {
      const char *value = ek_application_draft_get_string (draft, view->field->name);
      guint selected = 0;

      for (guint i = 0; i < view->values->len; i++)
        if (g_str_equal (g_ptr_array_index (view->values, i), value))
          selected = i;
      if (gtk_drop_down_get_selected (GTK_DROP_DOWN (view->control)) != selected)
        gtk_drop_down_set_selected (GTK_DROP_DOWN (view->control), selected);
    }
  else
    {
      const char *value = ek_application_draft_get_string (draft, view->field->name);
      g_autofree char *masked = NULL;

      if (view->field->sensitive && !view->focused && value[0] != '\0')
        value = masked = ek_mask_id_number (value);
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (view->control)), value) != 0)
        gtk_editable_set_text (GTK_EDITABLE (view->control), value);
    }
  /* What the service filled in of a "fixed" field is shown, not changed: an entry stays in the
   * keyboard's path, read-only; a drop-down cannot be read-only, so it is made insensitive */
  if (view->field->fixed)
    {
      gboolean locked = ek_form_field_is_locked (view->field, draft);

      if (GTK_IS_EDITABLE (view->control))
        {
          gtk_editable_set_editable (GTK_EDITABLE (view->control), !locked);
          if (locked)
            gtk_widget_add_css_class (view->control, "flat");
          else
            gtk_widget_remove_css_class (view->control, "flat");
          gtk_accessible_update_property (GTK_ACCESSIBLE (view->control), GTK_ACCESSIBLE_PROPERTY_READ_ONLY, locked, -1);
        }
      else
        gtk_widget_set_sensitive (view->control, !locked);
    }
  self->syncing = FALSE;
}

static void
on_draft_notify_cb (EkApplicationDraft *draft,
                    GParamSpec         *pspec,
                    EkFormPage         *self)
{
  FieldView *view = find_view (self, g_param_spec_get_name (pspec));

  if (g_str_equal (g_param_spec_get_name (pspec), "locked-fields"))
    {
      for (guint i = 0; i < self->views->len; i++)
        sync_view (self, g_ptr_array_index (self->views, i));
      return;
    }
  if (view == NULL || self->syncing)
    return;
  sync_view (self, view);
  /* Another field's value may change this one's check (licence type → login name) */
  schedule_check (self);
}

static void
on_server_errors_changed_cb (EkApplicationDraft *draft,
                             const char         *field,
                             EkFormPage         *self)
{
  FieldView *view = field != NULL ? find_view (self, field) : NULL;

  if (view != NULL && ek_application_draft_get_server_error (draft, field) != NULL)
    view->touched = TRUE;
  validate (self);
}

static void
on_summary_button_clicked_cb (GtkButton  *button,
                              EkFormPage *self)
{
  ek_form_page_focus_field (self, g_object_get_data (G_OBJECT (button), "ek-field"));
}

static void
set_message (FieldView     *view,
             EkFormProblem *problem,
             gboolean       show)
{
  const char *text = show ? problem->message : NULL;

  gtk_widget_remove_css_class (view->control, "error");
  gtk_widget_remove_css_class (view->control, "warning");
  gtk_widget_remove_css_class (view->message, "error");
  gtk_widget_remove_css_class (view->message, "warning");
  if (text != NULL)
    {
      const char *css = problem->validity == EK_VALIDITY_INVALID ? "error" : "warning";

      gtk_widget_add_css_class (view->control, css);
      gtk_widget_add_css_class (view->message, css);
    }
  gtk_label_set_label (GTK_LABEL (view->message), text ? text : "");
  gtk_widget_set_visible (view->message, text != NULL);
  gtk_accessible_update_state (GTK_ACCESSIBLE (view->control), GTK_ACCESSIBLE_STATE_INVALID,
                               text != NULL && problem->validity == EK_VALIDITY_INVALID
                                 ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);

  /* The message is what a screen reader says after the field's name; with none, the hint */
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (view->control),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  else if (view->hint != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (view->control),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, view->hint, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (view->control), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
validate (EkFormPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  g_autoptr(GPtrArray) buttons = g_ptr_array_new_with_free_func ((GDestroyNotify) g_object_unref);
  g_autoptr(GString) key = g_string_new (NULL);
  gboolean complete = TRUE;
  guint n_shown = 0;
  GtkWidget *child;

  g_clear_handle_id (&self->check_id, g_source_remove);

  for (guint i = 0; i < self->views->len; i++)
    {
      FieldView *view = g_ptr_array_index (self->views, i);
      g_autoptr(EkFormProblem) problem = ek_form_check_field (self->form, view->field, draft);
      gboolean has_value = view->field->kind != EK_FORM_FIELD_TICK &&
                           ek_application_draft_get_string (draft, view->field->name)[0] != '\0';
      gboolean show = problem->validity != EK_VALIDITY_VALID && (view->touched || has_value);

      if (problem->validity == EK_VALIDITY_INVALID)
        complete = FALSE;
      set_message (view, problem, show);

      if (show)
        {
          GtkWidget *button, *label;
          g_autofree char *text = NULL;

          if (problem->validity == EK_VALIDITY_WARNING)
            /* Translators: in the list of problems: a field's name, then the warning on it */
            text = g_strdup_printf (_("%s (warning): %s"), view->field->label, problem->message);
          else
            /* Translators: in the list of problems: a field's name, then what is wrong with it */
            text = g_strdup_printf (_("%s: %s"), view->field->label, problem->message);
          label = gtk_label_new (text);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          button = gtk_button_new ();
          gtk_button_set_child (GTK_BUTTON (button), label);
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_add_css_class (button, "summary-link");
          gtk_widget_set_name (button, "summary-link");
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
          g_object_set_data_full (G_OBJECT (button), "ek-field", g_strdup (view->field->name), g_free);
          /* Clicking it must not take the focus first: leaving a field re-runs the checks */
          gtk_widget_set_focus_on_click (button, FALSE);
          g_signal_connect (button, "clicked", G_CALLBACK (on_summary_button_clicked_cb), self);
          g_ptr_array_add (buttons, g_object_ref_sink (button));
          g_string_append_printf (key, "%s\n%s\n", view->field->name, text);
          n_shown++;
        }
    }

  /* The buttons are replaced only when the list changes, so that one being clicked stays */
  if (g_strcmp0 (self->summary_key, key->str) != 0)
    {
      while ((child = gtk_widget_get_first_child (self->summary_list)) != NULL)
        gtk_box_remove (GTK_BOX (self->summary_list), child);
      for (guint i = 0; i < buttons->len; i++)
        gtk_box_append (GTK_BOX (self->summary_list), g_ptr_array_index (buttons, i));
      g_free (self->summary_key);
      self->summary_key = g_strdup (key->str);
    }

  if (n_shown > 0)
    {
      g_autofree char *title =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "There is %u thing to check on this page",
                                      "There are %u things to check on this page", n_shown), n_shown);

      gtk_label_set_label (GTK_LABEL (self->summary_title), title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->summary),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
  gtk_widget_set_visible (self->summary, n_shown > 0);
  ek_page_set_complete (EK_PAGE (self), complete);
}

static GtkWidget *
create_drop_down (EkFormPage *self,
                  FieldView  *view)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkWidget *drop_down;

  view->values = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (view->values, g_strdup (""));
  gtk_string_list_append (labels, _("Choose…"));

  if (view->field->kind == EK_FORM_FIELD_AUTHORITY)
    for (guint i = 0; i < ek_form_get_n_authorities (self->form); i++)
      {
        const EkAuthority *authority = ek_form_get_authority (self->form, i);

        g_ptr_array_add (view->values, g_strdup (authority->id));
        gtk_string_list_append (labels, authority->name);
      }
  else
    for (guint i = 0; i < view->field->choices->len; i++)
      {
        EkFormChoice *choice = g_ptr_array_index (view->field->choices, i);

        g_ptr_array_add (view->values, g_strdup (choice->value));
        gtk_string_list_append (labels, choice->label);
      }

  drop_down = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)), NULL);
  /* No search entry, not even for the long list of issuing authorities: GTK 4.8's drop-down
   * with one takes no choice from Enter or Space, and the whole form must work by keyboard */
  gtk_widget_set_halign (drop_down, GTK_ALIGN_START);
  g_signal_connect (drop_down, "notify::selected", G_CALLBACK (on_drop_down_selected_cb), self);
  return drop_down;
}

static void
add_field (EkFormPage        *self,
           GtkWidget         *box,
           const EkFormField *field)
{
  FieldView *view = g_new0 (FieldView, 1);
  g_autofree char *label_text = NULL;
  g_autofree char *message_name = NULL;
  GtkWidget *label = NULL, *hint = NULL, *field_box;
  GtkEventController *focus;

  view->field = field;
  view->hint = ek_form_field_get_hint (field, ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self))));
  field_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (field_box, "form-field");

  /* Translators: the label of a field that must be filled in */
  label_text = field->required ? g_strdup_printf (_("%s *"), field->label) : g_strdup (field->label);

  if (field->kind == EK_FORM_FIELD_TICK)
    {
      GtkWidget *tick_label = ek_ui_wrapped_label_new_word_char (field->label, NULL);

      view->control = gtk_check_button_new ();
      gtk_check_button_set_child (GTK_CHECK_BUTTON (view->control), tick_label);
      g_signal_connect (view->control, "toggled", G_CALLBACK (on_check_toggled_cb), self);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view->control),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, field->label, -1);
      gtk_box_append (GTK_BOX (field_box), view->control);
    }
  else
    {
      label = ek_ui_wrapped_label_new_word_char (label_text, "field-label");
      gtk_box_append (GTK_BOX (field_box), label);

      if (field->kind == EK_FORM_FIELD_TEXT)
        {
          view->control = gtk_entry_new ();
          gtk_entry_set_max_length (GTK_ENTRY (view->control), 512);
          switch (field->check)
            {
            case EK_FORM_CHECK_EMAIL:
              gtk_entry_set_input_purpose (GTK_ENTRY (view->control), GTK_INPUT_PURPOSE_EMAIL);
              break;
            case EK_FORM_CHECK_MOBILE:
            case EK_FORM_CHECK_LANDLINE:
              gtk_entry_set_input_purpose (GTK_ENTRY (view->control), GTK_INPUT_PURPOSE_PHONE);
              break;
            case EK_FORM_CHECK_POSTCODE:
              gtk_entry_set_input_purpose (GTK_ENTRY (view->control), GTK_INPUT_PURPOSE_DIGITS);
              break;
            case EK_FORM_CHECK_NONE:
            case EK_FORM_CHECK_USCC:
            case EK_FORM_CHECK_CODE13:
            case EK_FORM_CHECK_ID_NUMBER:
            case EK_FORM_CHECK_LOGIN_NAME:
            default:
              break;
            }
          g_signal_connect (view->control, "changed", G_CALLBACK (on_entry_changed_cb), self);
          g_signal_connect (view->control, "activate", G_CALLBACK (on_entry_activate_cb), self);
        }
      else
        view->control = create_drop_down (self, view);

      /* Labelled by the visible label, named without the "*" but with "required"; not a name
       * of its own as well: GTK 4.8 would read both */
      ek_ui_name_field (view->control, label, field->label, field->required);
      gtk_box_append (GTK_BOX (field_box), view->control);
    }

  if (view->hint != NULL)
    {
      g_autofree char *hint_name = g_strconcat (field->name, "-hint", NULL);

      hint = ek_ui_wrapped_label_new_word_char (view->hint, "dim-label");
      gtk_widget_set_name (hint, hint_name);
      gtk_widget_add_css_class (hint, "caption");
      gtk_box_append (GTK_BOX (field_box), hint);
    }

  if (field->kind == EK_FORM_FIELD_AUTHORITY)
    {
      view->details = ek_ui_wrapped_label_new_word_char ("", NULL);
      gtk_widget_set_name (view->details, "authority-details");
      gtk_label_set_selectable (GTK_LABEL (view->details), TRUE);
      gtk_box_append (GTK_BOX (field_box), view->details);
    }

  view->message = ek_ui_wrapped_label_new_word_char ("", "field-message");
  message_name = g_strconcat (field->name, "-message", NULL);
  gtk_widget_set_name (view->message, message_name);
  gtk_widget_set_visible (view->message, FALSE);
  gtk_box_append (GTK_BOX (field_box), view->message);
  if (hint != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (view->control),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, view->message, hint, NULL,
                                    -1);
  else
    gtk_accessible_update_relation (GTK_ACCESSIBLE (view->control),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, view->message, NULL,
                                    -1);

  gtk_widget_set_name (view->control, field->name);
  g_object_set_data (G_OBJECT (view->control), "ek-field-view", view);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "enter", G_CALLBACK (on_focus_enter_cb), self);
  g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave_cb), self);
  gtk_widget_add_controller (view->control, focus);

  gtk_box_append (GTK_BOX (box), field_box);
  g_ptr_array_add (self->views, view);
  sync_view (self, view);
}

static void
build (EkFormPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  g_autoptr(GPtrArray) sections = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->content)) != NULL)
    gtk_box_remove (GTK_BOX (self->content), child);
  g_ptr_array_set_size (self->views, 0);

  sections = ek_form_get_sections (self->form, ek_application_draft_get_business_type_id (draft), self->step);
  for (guint i = 0; i < sections->len; i++)
    {
      EkFormSection *section = g_ptr_array_index (sections, i);
      /* A group named by its heading: "姓名" is read with the section it belongs to */
      GtkWidget *section_box = g_object_new (GTK_TYPE_BOX, "orientation", GTK_ORIENTATION_VERTICAL,
                                             "spacing", 12, "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP, NULL);
      GtkWidget *heading = ek_ui_wrapped_label_new_word_char (section->title, "title-4");

      gtk_widget_add_css_class (section_box, "form-section");
      gtk_widget_set_name (section_box, section->id);
      gtk_accessible_update_property (GTK_ACCESSIBLE (heading),
                                      GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (section_box),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, section->title, -1);
      gtk_box_append (GTK_BOX (section_box), heading);
      for (guint j = 0; j < section->fields->len; j++)
        add_field (self, section_box, g_ptr_array_index (section->fields, j));
      gtk_box_append (GTK_BOX (self->content), section_box);
    }

  if (sections->len == 0)
    gtk_box_append (GTK_BOX (self->content),
                    ek_ui_wrapped_label_new_word_char (_("There is nothing to fill in on this page for this business."), NULL));

  validate (self);
}

static void
ek_form_page_shown (EkPage *page)
{
  EkFormPage *self = EK_FORM_PAGE (page);

  validate (self);
  /* The first field to fill in, or the first field */
  for (guint i = 0; i < self->views->len; i++)
    {
      FieldView *view = g_ptr_array_index (self->views, i);
      g_autoptr(EkFormProblem) problem = ek_form_check_field (self->form, view->field, draft_of (self));

      if (problem->validity == EK_VALIDITY_INVALID)
        {
          gtk_widget_grab_focus (view->control);
          return;
        }
    }
  if (self->views->len > 0)
    gtk_widget_grab_focus (((FieldView *) g_ptr_array_index (self->views, 0))->control);
}

static void
ek_form_page_dispose (GObject *object)
{
  EkFormPage *self = EK_FORM_PAGE (object);

  g_clear_handle_id (&self->check_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_FORM_PAGE);

  G_OBJECT_CLASS (ek_form_page_parent_class)->dispose (object);
}

static void
ek_form_page_finalize (GObject *object)
{
  EkFormPage *self = EK_FORM_PAGE (object);

  g_clear_pointer (&self->views, g_ptr_array_unref);
  g_clear_object (&self->form);
  g_clear_pointer (&self->step, g_free);
  g_clear_pointer (&self->summary_key, g_free);

  G_OBJECT_CLASS (ek_form_page_parent_class)->finalize (object);
}

static void
ek_form_page_class_init (EkFormPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_form_page_dispose;
  object_class->finalize = ek_form_page_finalize;
  page_class->shown = ek_form_page_shown;

  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-form-page.ui");
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), EkFormPage, content);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), EkFormPage, summary);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), EkFormPage, summary_list);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), EkFormPage, summary_title);
}

static void
ek_form_page_init (EkFormPage *self)
{
  self->views = g_ptr_array_new_with_free_func (field_view_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ek_form_page_new:
 * @form: the application form
 * @step: the flow step this page shows ("form-enterprise" …)
 *
 * Returns: (transfer floating): the page
 */
EkPage *
ek_form_page_new (EkForm             *form,
                  const char         *step,
                  EkApplicationDraft *draft)
{
  EkFormPage *self;

  g_return_val_if_fail (EK_IS_FORM (form), NULL);
  g_return_val_if_fail (step != NULL, NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_FORM_PAGE, "draft", draft, NULL);
  self->form = g_object_ref (form);
  self->step = g_strdup (step);

  g_signal_connect_object (draft, "notify", G_CALLBACK (on_draft_notify_cb), self, 0);
  g_signal_connect_object (draft, "notify::business-type-id", G_CALLBACK (build), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (draft, "server-errors-changed", G_CALLBACK (on_server_errors_changed_cb), self, 0);
  build (self);

  return EK_PAGE (self);
}

const char *
ek_form_page_get_step (EkFormPage *self)
{
  g_return_val_if_fail (EK_IS_FORM_PAGE (self), NULL);
  return self->step;
}

/**
 * ek_form_page_focus_field:
 * @field: a field of the draft
 *
 * Puts the keyboard focus on @field's control (the page scrolls to it) and shows its message.
 *
 * Returns: %TRUE if this page holds @field
 */
gboolean
ek_form_page_focus_field (EkFormPage *self,
                          const char *field)
{
  FieldView *view;

  g_return_val_if_fail (EK_IS_FORM_PAGE (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  view = find_view (self, field);
  if (view == NULL)
    return FALSE;
  view->touched = TRUE;
  validate (self);
  return gtk_widget_grab_focus (view->control);
}

/**
 * ek_form_page_validate_now:
 *
 * Runs the checks now rather than after the pause in typing.
 */
void
ek_form_page_validate_now (EkFormPage *self)
{
  g_return_if_fail (EK_IS_FORM_PAGE (self));
  validate (self);
}
