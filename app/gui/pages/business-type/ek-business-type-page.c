/* ek-business-type-page.c: “What do you need to do?”
 *
 * Lists every business type of the catalogue with one line on whom it is for. The list selects
 * nothing by itself: moving through it with Tab or the arrow keys only moves the focus. A choice
 * is explicit: Enter, Space or a click on a row writes its business type to the draft (the
 * window then shows its steps) and moves on. The row of the draft's business type is marked as
 * chosen. Once the application exists on the registration service its business type is fixed
 * (the draft refuses another): the other rows cannot be chosen, and the page says why.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-business-type-page.h"
#include "ek-draft-list.h"

struct _EkBusinessTypePage
{
  EkPage       parent_instance;

  EkCatalogue *catalogue;

  GtkWidget   *draft_list;   /* EkDraftList, or NULL without a draft store */

  GtkWidget   *drafts_area;
  GtkLabel    *fixed_label;
  GtkWidget   *types_area;
  GtkListBox  *types_list;
};

G_DEFINE_FINAL_TYPE (EkBusinessTypePage, ek_business_type_page, EK_TYPE_PAGE)

static const char *
mode_description (EkBusinessType *type)
{
  switch (ek_business_type_get_mode (type))
    {
    case EK_BUSINESS_MODE_ONLINE:
      return _("Online");
    case EK_BUSINESS_MODE_OFFLINE:
      return _("On paper, at the issuing authority");
    case EK_BUSINESS_MODE_ONLINE_AND_PAPER:
      return _("Online, then on paper");
    default:
      g_assert_not_reached ();
    }
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  EkBusinessType *type = item;
  GtkWidget *row, *outer, *box, *name, *summary, *details, *chosen;
  g_autofree char *details_text = NULL;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (box, "business-type");

  name = gtk_label_new (ek_business_type_get_name (type));
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "heading");
  gtk_box_append (GTK_BOX (box), name);

  summary = gtk_label_new (ek_business_type_get_summary (type));
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_box_append (GTK_BOX (box), summary);

  if (ek_business_type_get_key_required (type))
    /* Translators: shown under a business type: how it is done · that the key is needed */
    details_text = g_strdup_printf (_("%s · needs your e-key"), mode_description (type));
  else
    details_text = g_strdup (mode_description (type));
  details = gtk_label_new (details_text);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_widget_add_css_class (details, "dim-label");
  gtk_widget_add_css_class (details, "caption");
  gtk_box_append (GTK_BOX (box), details);

  /* The mark of the chosen business type (see mark_chosen ()) */
  chosen = gtk_image_new_from_icon_name ("object-select-symbolic");
  gtk_widget_set_valign (chosen, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (chosen, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (chosen), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chosen"), -1);
  outer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_box_append (GTK_BOX (outer), box);
  gtk_box_append (GTK_BOX (outer), chosen);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), outer);
  g_object_set_data (G_OBJECT (row), "chosen-mark", chosen);
  gtk_widget_set_name (row, ek_business_type_get_id (type));
  g_object_set_data_full (G_OBJECT (row), "business-type-id",
                          g_strdup (ek_business_type_get_id (type)), g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ek_business_type_get_name (type),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, ek_business_type_get_summary (type),
                                  -1);
  return row;
}

static const char *
row_business_type_id (GtkListBoxRow *row)
{
  return row ? g_object_get_data (G_OBJECT (row), "business-type-id") : NULL;
}

/* Enter, Space or a click: the clerk chooses this business, and goes on to its first step */
static void
on_types_list_row_activated_cb (EkBusinessTypePage *self,
                                GtkListBoxRow      *row,
                                GtkListBox         *list)
{
  if (!ek_application_draft_set_business_type_id (ek_page_get_draft (EK_PAGE (self)),
                                                  row_business_type_id (row)))
    return;   /* fixed: the page says why */
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static gboolean offers_drafts (EkBusinessTypePage *self);
static void ek_business_type_page_shown (EkPage *page);

/* The draft's business type is marked on its row (a tick, the "chosen" style and the
 * accessible "selected" state); once it is fixed, the other rows cannot be chosen */
static void
sync_from_draft (EkBusinessTypePage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *id = ek_application_draft_get_business_type_id (draft);
  gboolean fixed = ek_application_draft_get_business_type_fixed (draft);
  GtkListBoxRow *chosen = ek_business_type_page_get_chosen_row (self);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->types_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean is_chosen;

      if (!GTK_IS_LIST_BOX_ROW (child))
        continue;
      is_chosen = GTK_LIST_BOX_ROW (child) == chosen;
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (child), "chosen-mark"), is_chosen);
      if (is_chosen)
        gtk_widget_add_css_class (child, "chosen");
      else
        gtk_widget_remove_css_class (child, "chosen");
      gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_SELECTED, is_chosen, -1);
      gtk_widget_set_sensitive (child, !fixed || is_chosen);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->fixed_label), fixed);

  ek_page_set_complete (EK_PAGE (self), id != NULL && chosen != NULL && !offers_drafts (self));
}

/**
 * ek_business_type_page_get_chosen_row:
 * Returns: (transfer none) (nullable): the row of the draft's business type
 */
GtkListBoxRow *
ek_business_type_page_get_chosen_row (EkBusinessTypePage *self)
{
  const char *id;

  g_return_val_if_fail (EK_IS_BUSINESS_TYPE_PAGE (self), NULL);

  id = ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self)));
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->types_list));
       id != NULL && child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (row_business_type_id (GTK_LIST_BOX_ROW (child)), id) == 0)
      return GTK_LIST_BOX_ROW (child);
  return NULL;
}

static gboolean
offers_drafts (EkBusinessTypePage *self)
{
  return gtk_widget_get_visible (self->drafts_area);
}

static void
focus_first_draft (EkBusinessTypePage *self)
{
  GtkWidget *button = NULL;

  /* The first Continue (or, for a damaged one, Delete) button */
  for (GtkWidget *w = self->draft_list; w != NULL && button == NULL; )
    {
      if (GTK_IS_BUTTON (w) && gtk_widget_get_mapped (w) && g_strcmp0 (gtk_widget_get_name (w), "start-new") != 0)
        button = w;
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != self->draft_list && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == self->draft_list ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  if (button != NULL)
    gtk_widget_grab_focus (button);
}

static void
show_drafts (EkBusinessTypePage *self,
             gboolean            show)
{
  gtk_widget_set_visible (self->drafts_area, show);
  gtk_widget_set_visible (self->types_area, !show);
  if (show)
    {
      ek_page_set_title (EK_PAGE (self), _("Applications in progress"));
      ek_page_set_complete (EK_PAGE (self), FALSE);
    }
  else
    {
      ek_page_set_title (EK_PAGE (self), _("What do you need to do?"));
      sync_from_draft (self);
    }
}

static void
on_drafts_loaded_cb (EkBusinessTypePage *self)
{
  gboolean had = offers_drafts (self);

  /* Offered once, at the start: after the last draft is deleted the business types show */
  if (ek_draft_list_get_n_drafts (EK_DRAFT_LIST (self->draft_list)) == 0)
    {
      show_drafts (self, FALSE);
      if (had)
        ek_business_type_page_shown (EK_PAGE (self));
      return;
    }
  if (!g_object_get_data (G_OBJECT (self), "ek-offered"))
    {
      g_object_set_data (G_OBJECT (self), "ek-offered", GINT_TO_POINTER (TRUE));
      show_drafts (self, TRUE);
      focus_first_draft (self);
    }
  else if (had)
    focus_first_draft (self);
}

static void
on_start_new_cb (EkBusinessTypePage *self)
{
  show_drafts (self, FALSE);
  ek_business_type_page_shown (EK_PAGE (self));
}

static void
on_continue_cb (EkBusinessTypePage *self,
                const char         *id)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.continue-draft", "s", id);
}

/**
 * ek_business_type_page_set_draft_store:
 *
 * Offers the applications in progress saved in @store before the business types, when
 * there are any.
 */
void
ek_business_type_page_set_draft_store (EkBusinessTypePage *self,
                                       EkDraftStore       *store)
{
  g_return_if_fail (EK_IS_BUSINESS_TYPE_PAGE (self));
  g_return_if_fail (EK_IS_DRAFT_STORE (store));
  g_return_if_fail (self->draft_list == NULL);

  self->draft_list = ek_draft_list_new (store, self->catalogue);
  g_signal_connect_object (self->draft_list, "loaded", G_CALLBACK (on_drafts_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->draft_list, "start-new", G_CALLBACK (on_start_new_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->draft_list, "continue", G_CALLBACK (on_continue_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self->drafts_area), self->draft_list);
}

/**
 * ek_business_type_page_get_draft_list:
 * Returns: (transfer none) (nullable): the list of applications in progress
 */
GtkWidget *
ek_business_type_page_get_draft_list (EkBusinessTypePage *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE_PAGE (self), NULL);
  return self->draft_list;
}

static void
ek_business_type_page_shown (EkPage *page)
{
  EkBusinessTypePage *self = EK_BUSINESS_TYPE_PAGE (page);
  GtkListBoxRow *row = ek_business_type_page_get_chosen_row (self);

  if (offers_drafts (self))
    {
      focus_first_draft (self);
      return;
    }

  if (row == NULL)
    row = gtk_list_box_get_row_at_index (self->types_list, 0);
  if (row != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
ek_business_type_page_dispose (GObject *object)
{
  EkBusinessTypePage *self = EK_BUSINESS_TYPE_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_BUSINESS_TYPE_PAGE);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (ek_business_type_page_parent_class)->dispose (object);
}

static void
ek_business_type_page_class_init (EkBusinessTypePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_business_type_page_dispose;
  page_class->shown = ek_business_type_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-business-type-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkBusinessTypePage, drafts_area);
  gtk_widget_class_bind_template_child (widget_class, EkBusinessTypePage, fixed_label);
  gtk_widget_class_bind_template_child (widget_class, EkBusinessTypePage, types_area);
  gtk_widget_class_bind_template_child (widget_class, EkBusinessTypePage, types_list);
  gtk_widget_class_bind_template_callback (widget_class, on_types_list_row_activated_cb);
}

static void
ek_business_type_page_init (EkBusinessTypePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EkPage *
ek_business_type_page_new (EkCatalogue        *catalogue,
                           EkApplicationDraft *draft)
{
  EkBusinessTypePage *self;

  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_BUSINESS_TYPE_PAGE,
                       "draft", draft,
                       "title", _("What do you need to do?"),
                       NULL);
  self->catalogue = g_object_ref (catalogue);
  gtk_list_box_bind_model (self->types_list, ek_catalogue_get_business_types (catalogue),
                           create_row, self, NULL);
  g_signal_connect_object (draft, "notify::business-type-id",
                           G_CALLBACK (sync_from_draft), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (draft, "notify::application-id",
                           G_CALLBACK (sync_from_draft), self, G_CONNECT_SWAPPED);
  sync_from_draft (self);

  return EK_PAGE (self);
}
