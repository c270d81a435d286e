/* ek-draft-list.c: the applications in progress, offered on the first page
 *
 * One row per saved draft, newest first: "Continue: <enterprise> — <business type>, last
 * changed <time>" and a Delete button that asks, in the row itself, before removing the
 * draft's folder. A draft that could not be read has been set aside by the store; its row
 * says so in plain words, with where the file now is, and can be deleted. Below the rows,
 * "Start a new application". The list is read on a worker thread.
 *
 * Signals: "continue" (the draft's id) and "start-new"; "loaded" after each reading.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-draft-list.h"
#include "ek-ui-helpers.h"

struct _EkDraftList
{
  GtkWidget     parent_instance;

  EkDraftStore *store;
  EkCatalogue  *catalogue;
  GCancellable *cancellable;
  guint         n_drafts;

  GtkWidget    *box;
  GtkWidget    *list;
  GtkWidget    *error_label;
};

G_DEFINE_FINAL_TYPE (EkDraftList, ek_draft_list, GTK_TYPE_WIDGET)

enum {
  CONTINUE,
  START_NEW,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_continue_clicked_cb (GtkButton   *button,
                        EkDraftList *self)
{
  g_signal_emit (self, signals[CONTINUE], 0, g_object_get_data (G_OBJECT (button), "ek-draft-id"));
}

static void
on_delete_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EkDraftList) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_draft_store_delete_finish (EK_DRAFT_STORE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_label (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
  ek_draft_list_reload (self);
}

/* The row's Delete asks first: the row's stack shows the question */
static void
on_delete_clicked_cb (GtkButton   *button,
                      EkDraftList *self)
{
  GtkStack *stack = g_object_get_data (G_OBJECT (button), "ek-stack");

  gtk_stack_set_visible_child_name (stack, "confirm");
  gtk_widget_grab_focus (g_object_get_data (G_OBJECT (stack), "ek-keep"));
}

static void
on_keep_clicked_cb (GtkButton   *button,
                    EkDraftList *self)
{
  GtkStack *stack = g_object_get_data (G_OBJECT (button), "ek-stack");

  gtk_stack_set_visible_child_name (stack, "actions");
  gtk_widget_grab_focus (g_object_get_data (G_OBJECT (stack), "ek-delete"));
}

static void
on_confirm_delete_clicked_cb (GtkButton   *button,
                              EkDraftList *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  ek_draft_store_delete_async (self->store, g_object_get_data (G_OBJECT (button), "ek-draft-id"),
                               self->cancellable, on_delete_done_cb, g_object_ref (self));
}

static char *
describe (EkDraftList    *self,
          EkDraftSummary *summary)
{
  EkBusinessType *type = summary->business_type_id != NULL ?
                         ek_catalogue_lookup_business_type (self->catalogue, summary->business_type_id) : NULL;
  const char *enterprise = summary->enterprise_name[0] != '\0' ? summary->enterprise_name
                                                                : _("Enterprise name not given yet");
  const char *business = type != NULL ? ek_business_type_get_name (type) : _("business not chosen yet");
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (summary->modified / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");

  /* Translators: a saved application: the enterprise's name — the business, and when it last changed */
  return g_strdup_printf (_("%s — %s, last changed %s"), enterprise, business, when);
}

static GtkWidget *
create_row (EkDraftList    *self,
            EkDraftSummary *summary)
{
  g_autofree char *text = NULL;
  g_autofree char *continue_name = NULL;
  g_autofree char *delete_name = NULL;
  GtkWidget *row, *box, *label, *buttons, *stack, *confirm_box, *button, *keep, *delete;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_add_css_class (box, "draft-row");
  if (summary->damaged)
    {
      label = ek_ui_wrapped_label_new_word_char (_("This application cannot be continued"), "heading");
      gtk_box_append (GTK_BOX (box), label);
      label = ek_ui_wrapped_label_new_word_char (summary->message, "field-message");
      gtk_widget_add_css_class (label, "error");
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (box), label);
      text = g_strdup (_("This application cannot be continued"));
    }
  else
    {
      text = describe (self, summary);
      label = ek_ui_wrapped_label_new_word_char (text, NULL);
      gtk_box_append (GTK_BOX (box), label);
    }

  stack = gtk_stack_new ();
  gtk_stack_set_hhomogeneous (GTK_STACK (stack), FALSE);
  gtk_widget_set_halign (stack, GTK_ALIGN_START);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  if (!summary->damaged)
    {
      button = gtk_button_new_with_mnemonic (_("_Continue"));
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_widget_set_name (button, "continue");
      /* Translators: the accessible name of a saved application's Continue button */
      continue_name = g_strdup_printf (_("Continue: %s"), text);
      ek_ui_set_accessible_name (button, continue_name);
      g_object_set_data_full (G_OBJECT (button), "ek-draft-id", g_strdup (summary->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_continue_clicked_cb), self);
      gtk_box_append (GTK_BOX (buttons), button);
    }
  delete = gtk_button_new_with_mnemonic (_("_Delete…"));
  gtk_widget_set_name (delete, "delete");
  /* Translators: the accessible name of a saved application's Delete button */
  delete_name = g_strdup_printf (_("Delete: %s"), text);
  ek_ui_set_accessible_name (delete, delete_name);
  g_object_set_data (G_OBJECT (delete), "ek-stack", stack);
  g_signal_connect (delete, "clicked", G_CALLBACK (on_delete_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), delete);
  gtk_stack_add_named (GTK_STACK (stack), buttons, "actions");

  confirm_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  label = ek_ui_wrapped_label_new_word_char (_("Delete this application and every file saved with it? This cannot be undone."), NULL);
  gtk_box_append (GTK_BOX (confirm_box), label);
  button = gtk_button_new_with_mnemonic (_("_Delete"));
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_widget_set_name (button, "confirm-delete");
  ek_ui_set_accessible_name (button, delete_name);
  g_object_set_data_full (G_OBJECT (button), "ek-draft-id", g_strdup (summary->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_confirm_delete_clicked_cb), self);
  gtk_box_append (GTK_BOX (confirm_box), button);
  keep = ek_ui_mnemonic_button_new (_("_Keep It"));
  gtk_widget_set_name (keep, "keep");
  g_object_set_data (G_OBJECT (keep), "ek-stack", stack);
  g_signal_connect (keep, "clicked", G_CALLBACK (on_keep_clicked_cb), self);
  gtk_box_append (GTK_BOX (confirm_box), keep);
  gtk_stack_add_named (GTK_STACK (stack), confirm_box, "confirm");
  g_object_set_data (G_OBJECT (stack), "ek-keep", keep);
  g_object_set_data (G_OBJECT (stack), "ek-delete", delete);
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "actions");
  gtk_box_append (GTK_BOX (box), stack);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, summary->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return row;
}

static void
on_list_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkDraftList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) summaries = ek_draft_store_list_finish (EK_DRAFT_STORE (object), result, &error);
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);

  self->n_drafts = 0;
  if (summaries == NULL)
    {
      gtk_label_set_label (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
  for (guint i = 0; summaries != NULL && i < summaries->len; i++)
    {
      gtk_list_box_append (GTK_LIST_BOX (self->list), create_row (self, g_ptr_array_index (summaries, i)));
      self->n_drafts++;
    }
  gtk_widget_set_visible (self->list, self->n_drafts > 0);
  g_signal_emit (self, signals[LOADED], 0);
}

static void
on_start_new_clicked_cb (GtkButton   *button,
                         EkDraftList *self)
{
  g_signal_emit (self, signals[START_NEW], 0);
}

static void
ek_draft_list_dispose (GObject *object)
{
  EkDraftList *self = EK_DRAFT_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (ek_draft_list_parent_class)->dispose (object);
}

static void
ek_draft_list_class_init (EkDraftListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_draft_list_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  signals[CONTINUE] = g_signal_new ("continue", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[START_NEW] = g_signal_new ("start-new", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ek_draft_list_init (EkDraftList *self)
{
  GtkWidget *title, *intro, *start;

  self->cancellable = g_cancellable_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  title = ek_ui_wrapped_label_new_word_char (_("Applications in progress"), "title-2");
  gtk_box_append (GTK_BOX (self->box), title);
  intro = ek_ui_wrapped_label_new_word_char (
    _("Everything typed so far was saved. Continue where you left off, or start a new "
      "application; several can be in progress at once."), NULL);
  gtk_box_append (GTK_BOX (self->box), intro);

  self->error_label = ek_ui_wrapped_label_new_word_char ("", "field-message");
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->error_label);

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_widget_set_name (self->list, "drafts");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Applications in progress"), -1);
  gtk_box_append (GTK_BOX (self->box), self->list);

  start = ek_ui_mnemonic_button_new (_("_Start a New Application"));
  gtk_widget_set_name (start, "start-new");
  gtk_widget_set_halign (start, GTK_ALIGN_START);
  g_signal_connect (start, "clicked", G_CALLBACK (on_start_new_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->box), start);
}

/**
 * ek_draft_list_new:
 * Returns: (transfer floating): the list; it reads the store at once
 */
GtkWidget *
ek_draft_list_new (EkDraftStore *store,
                   EkCatalogue  *catalogue)
{
  EkDraftList *self;

  g_return_val_if_fail (EK_IS_DRAFT_STORE (store), NULL);
  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);

  self = g_object_new (EK_TYPE_DRAFT_LIST, NULL);
  self->store = g_object_ref (store);
  self->catalogue = g_object_ref (catalogue);
  ek_draft_list_reload (self);
  return GTK_WIDGET (self);
}

void
ek_draft_list_reload (EkDraftList *self)
{
  g_return_if_fail (EK_IS_DRAFT_LIST (self));

  ek_draft_store_list_async (self->store, self->cancellable, on_list_done_cb, g_object_ref (self));
}

guint
ek_draft_list_get_n_drafts (EkDraftList *self)
{
  g_return_val_if_fail (EK_IS_DRAFT_LIST (self), 0);
  return self->n_drafts;
}
