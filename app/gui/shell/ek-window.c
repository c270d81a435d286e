/* ek-window.c: the wizard window
 *
 * The window owns the flow: the first page asks what the user needs to do, and the business
 * type chosen there (in the draft) decides the remaining pages, from the catalogue. Pages are
 * created once per step and kept for the window's life, so going Back, or choosing another
 * business type and coming back, never loses what was typed. Next follows the current page's
 * "complete"; while a page applies, both directions wait.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-application.h"
#include "ek-business-type-page.h"
#include "ek-draft-list.h"
#include "ek-draft-store.h"
#include "ek-pages.h"
#include "ek-step-row.h"
#include "ek-ui-helpers.h"
#include "ek-window.h"

struct _EkWindow
{
  GtkApplicationWindow  parent_instance;

  EkCatalogue          *catalogue;
  EkApplicationDraft   *draft;
  EkDraftStore         *store;           /* saves the draft; NULL outside an EkApplication */
  gulong                first_change_id;
  GCancellable         *cancellable;
  GPtrArray            *flow;            /* EkPage*, [0] is the business type page */
  GPtrArray            *flow_steps;      /* char* step id of each page of the flow; [0] is NULL */
  GHashTable           *pages_by_step;   /* step id → EkPage, kept alive */
  guint                 current;
  guint                 furthest;        /* the furthest page reached in this flow */
  char                 *return_step;     /* after a jump back: where Next returns to, or NULL */
  gboolean              applying;
  gboolean              keyboard_input;  /* the last input was a key, not the pointer */
  guint                 focus_ring_id;

  GtkLabel             *banner_label;
  GtkRevealer          *banner_revealer;
  GtkLabel             *catalogue_error_label;
  GtkBox               *main_box;
  GtkStack             *stack;
  GtkListBox           *steps_list;
  GtkLabel             *next_label;
  GtkLabel             *title_label;
  GtkStack             *top_stack;
};

G_DEFINE_FINAL_TYPE (EkWindow, ek_window, GTK_TYPE_APPLICATION_WINDOW)

static EkPage *
flow_page (EkWindow *self,
           guint     index)
{
  return g_ptr_array_index (self->flow, index);
}

static int find_step (EkWindow   *self,
                      const char *step_id);
static void show_draft (EkWindow           *self,
                        EkApplicationDraft *draft,
                        gboolean            saved);

static void
update_actions (EkWindow *self)
{
  gboolean can_back = FALSE, can_next = FALSE;

  if (self->flow->len > 0)
    {
      EkPage *page = flow_page (self, self->current);

      can_back = !self->applying && self->current > 0;
      can_next = !self->applying && self->current + 1 < self->flow->len && ek_page_get_complete (page);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back", can_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next", can_next);

  /* Sent back to change something: Next says where it returns to */
  if (self->return_step != NULL && self->flow->len > 0)
    {
      int index = find_step (self, self->return_step);
      g_autofree char *label = NULL;

      if (index >= 0)
        {
          /* Translators: the Next button after "Change": %s is the step it returns to */
          label = g_strdup_printf (_("_Return to %s"), ek_page_get_title (flow_page (self, index)));
          gtk_label_set_label (self->next_label, label);
          return;
        }
    }
  gtk_label_set_label (self->next_label, _("_Next"));
}

/* Whether the step list can take the clerk to page @index: any page passed on the way to the
 * furthest one reached, as long as every page before it is still complete */
static gboolean
can_jump_to (EkWindow *self,
             guint     index)
{
  if (self->applying || index > self->furthest || index >= self->flow->len)
    return FALSE;
  for (guint i = self->current; i < index; i++)
    if (!ek_page_get_complete (flow_page (self, i)))
      return FALSE;
  return TRUE;
}

/* Each step shows where the clerk is and has been: going back (even to the first page) keeps
 * the steps passed "done" and reachable */
static void
update_steps (EkWindow *self)
{
  guint i = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->steps_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    {
      EkStepState state;

      if (!EK_IS_STEP_ROW (child))
        continue;
      if (i == self->current)
        state = EK_STEP_STATE_CURRENT;
      else if (i < self->furthest)
        state = EK_STEP_STATE_DONE;
      else
        state = EK_STEP_STATE_TODO;
      ek_step_row_set_state (EK_STEP_ROW (child), state);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (child), i != self->current && can_jump_to (self, i));
    }
}

static void
show_banner (EkWindow   *self,
             const char *message)
{
  /* An alert named by its message; out of the accessible tree while there is none */
  gtk_label_set_label (self->banner_label, message ? message : "");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->banner_label), GTK_ACCESSIBLE_STATE_HIDDEN, message == NULL, -1);
  gtk_revealer_set_reveal_child (self->banner_revealer, message != NULL);
}

/* The page's title, in the header bar and as the window's own title (task lists, screen readers) */
static void
show_title (EkWindow   *self,
            const char *title)
{
  gtk_label_set_label (self->title_label, title ? title : "");
  gtk_window_set_title (GTK_WINDOW (self), title ? title : _("EKey Assistant"));
}

static gboolean
show_focus_ring_cb (gpointer data)
{
  EkWindow *self = data;

  self->focus_ring_id = 0;
  if (self->keyboard_input)
    gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);
  return G_SOURCE_REMOVE;
}

static void
go_to (EkWindow *self,
       guint     index)
{
  GtkWidget *focus;
  EkPage *page;

  g_assert (index < self->flow->len);

  self->current = index;
  self->furthest = MAX (self->furthest, index);
  page = flow_page (self, index);
  if (index > 0)
    ek_application_draft_set_step (self->draft, g_ptr_array_index (self->flow_steps, index));
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (page));
  /* The pages kept for Back stay in the accessible tree: only the current one is there for a
   * screen reader */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN, child != GTK_WIDGET (page), -1);
  show_title (self, ek_page_get_title (page));
  show_banner (self, NULL);
  update_steps (self);
  update_actions (self);
  ek_page_shown (page);

  /* The keyboard lands on the new page: where the page put it, or else on its first control,
   * never on a page that is gone or nowhere */
  focus = gtk_window_get_focus (GTK_WINDOW (self));
  if (focus == NULL || !gtk_widget_get_mapped (focus) ||
      (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->stack)) && !gtk_widget_is_ancestor (focus, GTK_WIDGET (page))))
    gtk_widget_child_focus (GTK_WIDGET (page), GTK_DIR_TAB_FORWARD);
  /* A page changed from the keyboard (Enter, Alt+→, a mnemonic) shows where the focus is now,
   * also when the change came after the key was released (a page that applies), and after GTK
   * has handled that release (which hides the ring when the key did not itself move the focus) */
  if (self->keyboard_input)
    {
      gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);
      if (self->focus_ring_id == 0)
        self->focus_ring_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_focus_ring_cb,
                                               g_object_ref (self), g_object_unref);
    }
}

/* Seen before any widget: whether the clerk works by keyboard or pointer just now */
static gboolean
on_input_event_cb (EkWindow *self,
                   GdkEvent *event)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
      self->keyboard_input = TRUE;
      break;
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
      self->keyboard_input = FALSE;
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
on_page_complete_cb (EkWindow   *self,
                     GParamSpec *pspec,
                     EkPage     *page)
{
  update_actions (self);
  update_steps (self);
}

static void
on_page_title_cb (EkWindow   *self,
                  GParamSpec *pspec,
                  EkPage     *page)
{
  if (self->flow->len > 0 && flow_page (self, self->current) == page)
    show_title (self, ek_page_get_title (page));
}

static void
add_page (EkWindow *self,
          EkPage   *page)
{
  gtk_stack_add_child (self->stack, GTK_WIDGET (page));
  g_signal_connect_object (page, "notify::complete",
                           G_CALLBACK (on_page_complete_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::title",
                           G_CALLBACK (on_page_title_cb), self, G_CONNECT_SWAPPED);
}

static void
rebuild_flow (EkWindow *self)
{
  const char *id = ek_application_draft_get_business_type_id (self->draft);
  EkBusinessType *type = id ? ek_catalogue_lookup_business_type (self->catalogue, id) : NULL;
  GtkWidget *child;

  /* Another business: its flow is reached from the first page afresh */
  self->furthest = MIN (self->furthest, self->current);
  g_ptr_array_set_size (self->flow, 1);
  g_ptr_array_set_size (self->flow_steps, 1);
  while ((child = gtk_widget_get_last_child (GTK_WIDGET (self->steps_list))) != NULL &&
         child != gtk_widget_get_first_child (GTK_WIDGET (self->steps_list)))
    gtk_list_box_remove (self->steps_list, child);

  for (guint i = 0; type != NULL && i < ek_business_type_get_n_steps (type); i++)
    {
      EkFlowStep *step = ek_business_type_get_step (type, i);
      EkPage *page = g_hash_table_lookup (self->pages_by_step, step->id);

      if (page == NULL)
        {
          page = ek_pages_create (step, self->draft);
          g_hash_table_insert (self->pages_by_step, g_strdup (step->id), page);
          add_page (self, page);
        }
      g_ptr_array_add (self->flow, page);
      g_ptr_array_add (self->flow_steps, g_strdup (step->id));
      gtk_list_box_append (self->steps_list, ek_step_row_new (step->title));
    }

  update_steps (self);
  update_actions (self);
}

static void
on_apply_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  EkPage *page = EK_PAGE (object);
  gboolean ok;

  ok = ek_page_apply_finish (page, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->applying = FALSE;
  if (!ok)
    {
      /* Announced: the banner is an alert, and the focus moves to it */
      show_banner (self, error->message);
      update_actions (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->banner_label));
      if (self->keyboard_input)
        gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);
      return;
    }

  /* The page may have changed the flow while applying; move on only if it is still current */
  if (flow_page (self, self->current) != page)
    update_actions (self);
  else if (self->return_step != NULL)
    {
      /* Sent back here to change something: Next returns where the clerk came from */
      g_autofree char *step = g_steal_pointer (&self->return_step);

      if (!ek_window_go_to_step (self, step) && self->current + 1 < self->flow->len)
        go_to (self, self->current + 1);
    }
  else if (self->current + 1 < self->flow->len)
    go_to (self, self->current + 1);
  else
    update_actions (self);
}

static void
wizard_next_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  EkPage *page;

  if (self->applying || self->current + 1 >= self->flow->len)
    return;
  page = flow_page (self, self->current);
  if (!ek_page_get_complete (page))
    return;

  self->applying = TRUE;
  update_actions (self);
  ek_page_apply_async (page, self->cancellable, on_apply_cb, g_object_ref (self));
}

static void
wizard_back_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  if (self->applying || self->current == 0)
    return;
  g_clear_pointer (&self->return_step, g_free);
  go_to (self, self->current - 1);
}

static void
on_steps_list_row_activated_cb (EkWindow      *self,
                                GtkListBoxRow *row,
                                GtkListBox    *list)
{
  guint index = gtk_list_box_row_get_index (row);

  /* Any step already reached can be revisited, while the pages before it are complete */
  if (index != self->current && can_jump_to (self, index))
    {
      g_clear_pointer (&self->return_step, g_free);
      go_to (self, index);
    }
}

/* A page's "Change" button (the review page) */
static void
wizard_go_to_step_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ek_window_go_to_step (EK_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* A problem listed on a page that is not the field's own (the review page) */
static void
wizard_go_to_field_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ek_window_go_to_field (EK_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
on_draft_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EkWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApplicationDraft) draft = ek_draft_store_load_finish (EK_DRAFT_STORE (object), result, &error);
  EkPage *first;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  first = flow_page (self, 0);
  if (draft == NULL)
    {
      /* Damaged since it was listed: the store has set it aside; say so, list again */
      show_banner (self, error->message);
      if (ek_business_type_page_get_draft_list (EK_BUSINESS_TYPE_PAGE (first)) != NULL)
        ek_draft_list_reload (EK_DRAFT_LIST (ek_business_type_page_get_draft_list (EK_BUSINESS_TYPE_PAGE (first))));
      return;
    }

  /* The draft continues in this window (the same one for the screen reader and the task
   * list): its pages replace those of the empty application */
  show_draft (self, draft, TRUE);
  /* Shown now: the page puts the keyboard focus where the clerk continues */
  ek_page_shown (ek_window_get_current_page (self));
}

/* "Continue" on a saved application (the first page) */
static void
wizard_continue_draft_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  if (self->store == NULL)
    return;
  ek_draft_store_load_async (self->store, g_variant_get_string (parameter, NULL), self->cancellable,
                             on_draft_loaded_cb, g_object_ref (self));
}

/* The window cannot start the wizard: it says why, and offers the message to copy */
static void
show_catalogue_error (EkWindow   *self,
                      const char *message)
{
  gtk_label_set_label (self->catalogue_error_label, message);
  gtk_stack_set_visible_child_name (self->top_stack, "catalogue-error");
  show_title (self, _("EKey Assistant cannot start"));
  update_actions (self);
}

static void
window_copy_error_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          gtk_label_get_label (self->catalogue_error_label));
}

/* Closing saves at once what the debounce still holds */
static gboolean
ek_window_close_request (GtkWindow *window)
{
  EkWindow *self = EK_WINDOW (window);
  g_autoptr(GError) error = NULL;

  if (self->store != NULL && !ek_draft_store_flush (self->store, &error))
    g_warning ("Could not save the application when closing: %s", error->message);

  return GTK_WINDOW_CLASS (ek_window_parent_class)->close_request (window);
}

static void
ek_window_dispose (GObject *object)
{
  EkWindow *self = EK_WINDOW (object);

  /* No gtk_widget_dispose_template() here: GtkWindow unparents its own child and titlebar,
   * and GTK 4.8 would unparent top_stack (the window's child) a second time. */
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->focus_ring_id, g_source_remove);
  if (self->draft != NULL)
    {
      g_clear_signal_handler (&self->first_change_id, self->draft);
      /* Saves what is pending, then lets the draft go */
      if (self->store != NULL)
        ek_draft_store_untrack (self->store, self->draft);
    }
  g_clear_pointer (&self->flow, g_ptr_array_unref);
  g_clear_pointer (&self->flow_steps, g_ptr_array_unref);
  g_clear_pointer (&self->return_step, g_free);
  g_clear_pointer (&self->pages_by_step, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->draft);
  g_clear_object (&self->store);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (ek_window_parent_class)->dispose (object);
}

static void
ek_window_class_init (EkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = ek_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EkWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, catalogue_error_label);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, main_box);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, steps_list);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, next_label);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, top_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_steps_list_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, wizard_next_cb);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, wizard_back_cb);
  gtk_widget_class_install_action (widget_class, "window.copy-error", NULL, window_copy_error_cb);
  gtk_widget_class_install_action (widget_class, "wizard.go-to-step", "s", wizard_go_to_step_cb);
  gtk_widget_class_install_action (widget_class, "wizard.go-to-field", "s", wizard_go_to_field_cb);
  gtk_widget_class_install_action (widget_class, "wizard.continue-draft", "s", wizard_continue_draft_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "wizard.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "wizard.back", NULL);
}

static void
ek_window_init (EkWindow *self)
{
  GtkEventController *input;

  gtk_widget_init_template (GTK_WIDGET (self));

  input = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (input, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (input, "event", G_CALLBACK (on_input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), input);
  /* The catalogue-error page is hidden from screen readers while the wizard shows, and back */
  ek_ui_name_inner_controls (GTK_WIDGET (self->top_stack));

  self->cancellable = g_cancellable_new ();
  self->draft = ek_application_draft_new ();   /* replaced by show_draft () */
  self->flow = g_ptr_array_new ();
  self->flow_steps = g_ptr_array_new_with_free_func (g_free);
  self->pages_by_step = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/* The draft is saved from its first change on: a window opened and closed leaves nothing */
static void
on_first_change_cb (EkWindow *self)
{
  g_clear_signal_handler (&self->first_change_id, self->draft);
  ek_draft_store_track (self->store, self->draft);
}

/* Lets the window's draft go: its pages, its steps, and the signals that tie them to it */
static void
release_draft (EkWindow *self)
{
  GHashTableIter iter;
  gpointer page;

  if (self->draft == NULL)
    return;
  g_clear_signal_handler (&self->first_change_id, self->draft);
  g_signal_handlers_disconnect_by_data (self->draft, self);
  /* Saves what is pending, then lets the draft go */
  if (self->store != NULL)
    ek_draft_store_untrack (self->store, self->draft);

  if (self->flow->len > 0)
    gtk_stack_remove (self->stack, GTK_WIDGET (flow_page (self, 0)));
  g_hash_table_iter_init (&iter, self->pages_by_step);
  while (g_hash_table_iter_next (&iter, NULL, &page))
    gtk_stack_remove (self->stack, GTK_WIDGET (page));
  g_hash_table_remove_all (self->pages_by_step);
  g_ptr_array_set_size (self->flow, 0);
  g_ptr_array_set_size (self->flow_steps, 0);
  while (gtk_widget_get_first_child (GTK_WIDGET (self->steps_list)) != NULL)
    gtk_list_box_remove (self->steps_list, gtk_widget_get_first_child (GTK_WIDGET (self->steps_list)));
  g_clear_pointer (&self->return_step, g_free);
  self->current = self->furthest = 0;
  g_clear_object (&self->draft);
}

/* The window's pages for @draft: a saved application continues on the step the clerk was on
 * (@saved), a new one starts on the first page, which offers those in progress */
static void
show_draft (EkWindow           *self,
            EkApplicationDraft *draft,
            gboolean            saved)
{
  EkPage *first;
  const char *step;
  int index;

  release_draft (self);
  self->draft = g_object_ref (draft);

  first = ek_business_type_page_new (self->catalogue, self->draft);
  add_page (self, first);
  g_ptr_array_add (self->flow, first);
  g_ptr_array_add (self->flow_steps, NULL);
  gtk_list_box_append (self->steps_list, ek_step_row_new (_("Business")));

  g_signal_connect_object (self->draft, "notify::business-type-id",
                           G_CALLBACK (rebuild_flow), self, G_CONNECT_SWAPPED);
  rebuild_flow (self);

  if (self->store != NULL)
    {
      if (saved)
        ek_draft_store_track (self->store, self->draft);
      else
        {
          self->first_change_id = g_signal_connect_swapped (self->draft, "changed",
                                                            G_CALLBACK (on_first_change_cb), self);
          /* A new application: offer those in progress first */
          ek_business_type_page_set_draft_store (EK_BUSINESS_TYPE_PAGE (first), self->store);
        }
    }

  go_to (self, 0);
  /* A draft continues where the clerk was; the steps up to there were passed on the way */
  step = ek_application_draft_get_step (self->draft);
  index = step != NULL ? find_step (self, step) : -1;
  if (saved && index > 0)
    {
      self->furthest = index;
      ek_window_go_to_step (self, step);
    }
}

static EkWindow *
window_new (GtkApplication     *application,
            EkCatalogue        *catalogue,
            const GError       *catalogue_error,
            EkApplicationDraft *draft)
{
  g_autoptr(GError) form_error = NULL;
  g_autoptr(EkApplicationDraft) new_draft = NULL;
  EkWindow *self;
  EkForm *form;

  self = g_object_new (EK_TYPE_WINDOW, "application", application, NULL);
  if (EK_IS_APPLICATION (application))
    self->store = g_object_ref (ek_application_get_draft_store (EK_APPLICATION (application)));

  if (catalogue == NULL)
    {
      show_catalogue_error (self, catalogue_error->message);
      return self;
    }

  self->catalogue = g_object_ref (catalogue);
  form = ek_form_get_for_catalogue (catalogue, &form_error);
  if (form == NULL)
    {
      show_catalogue_error (self, form_error->message);
      return self;
    }
  ek_pages_set_form (form);

  if (draft == NULL)
    draft = new_draft = ek_application_draft_new ();
  show_draft (self, draft, new_draft == NULL);

  return self;
}

/**
 * ek_window_new:
 * @catalogue: (nullable): the catalogue, or %NULL when it could not be loaded
 * @catalogue_error: (nullable): why it could not be loaded
 *
 * A window for a new application. In an EkApplication, its draft is saved from the first
 * change on, and the first page offers the applications already in progress.
 */
EkWindow *
ek_window_new (GtkApplication *application,
               EkCatalogue    *catalogue,
               const GError   *catalogue_error)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (catalogue != NULL || catalogue_error != NULL, NULL);

  return window_new (application, catalogue, catalogue_error, NULL);
}

/**
 * ek_window_new_for_draft:
 * @draft: an application in progress (ek_draft_store_load())
 *
 * A window that continues @draft on the step the clerk was on.
 */
EkWindow *
ek_window_new_for_draft (GtkApplication     *application,
                         EkCatalogue        *catalogue,
                         EkApplicationDraft *draft)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return window_new (application, catalogue, NULL, draft);
}

/**
 * ek_window_get_draft:
 * Returns: (transfer none): the application being prepared in this window
 */
/**
 * ek_window_logs_in_with_key:
 * Returns: whether the chosen business logs in to the service with the key (its flow has the key
 *   log-in step), so that a session that ends is started again with the key, not the code
 */
gboolean
ek_window_logs_in_with_key (EkWindow *self)
{
  const char *id;
  EkBusinessType *type;

  g_return_val_if_fail (EK_IS_WINDOW (self), FALSE);
  id = ek_application_draft_get_business_type_id (self->draft);
  type = id != NULL && self->catalogue != NULL ? ek_catalogue_lookup_business_type (self->catalogue, id) : NULL;
  return type != NULL && ek_business_type_has_step (type, "key-login");
}

EkApplicationDraft *
ek_window_get_draft (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);
  return self->draft;
}

/**
 * ek_window_get_current_page:
 * Returns: (transfer none) (nullable): the page shown
 */
EkPage *
ek_window_get_current_page (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);
  return self->flow->len ? flow_page (self, self->current) : NULL;
}

guint
ek_window_get_current_index (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), 0);
  return self->current;
}

guint
ek_window_get_n_pages (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), 0);
  return self->flow->len;
}

static int
find_step (EkWindow   *self,
           const char *step_id)
{
  for (guint i = 1; i < self->flow_steps->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->flow_steps, i), step_id) == 0)
      return i;
  return -1;
}

/**
 * ek_window_go_to_step:
 * @step_id: a step of the current flow ("form-contact", "review" …)
 *
 * Shows that step's page. Going back to an earlier step from a later one (a "Change" button,
 * or a page that must send the clerk to a field the server rejected) remembers where the
 * clerk came from: Next on the earlier page then returns there directly, not through every
 * page in between. Back, or picking a step in the list, forgets it.
 *
 * Returns: %TRUE if the step is in the flow and is now shown; %FALSE (nothing changes) if it
 *   is not, or while a page is applying
 */
gboolean
ek_window_go_to_step (EkWindow   *self,
                      const char *step_id)
{
  int index;

  g_return_val_if_fail (EK_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (step_id != NULL, FALSE);

  index = find_step (self, step_id);
  if (index < 0 || self->applying)
    return FALSE;

  if ((guint) index < self->current)
    {
      g_free (self->return_step);
      self->return_step = g_strdup (g_ptr_array_index (self->flow_steps, self->current));
    }
  else
    g_clear_pointer (&self->return_step, g_free);

  go_to (self, index);
  return TRUE;
}

/**
 * ek_window_go_to_field:
 * @field: a field of the draft ("credit-code"), or the API's name of it ("uscc")
 *
 * Shows the page of the current flow that holds @field (ek_pages_step_for_field()) and puts
 * the keyboard focus on it, like ek_window_go_to_step().
 *
 * Returns: %TRUE if a page of the flow holds the field
 */
gboolean
ek_window_go_to_field (EkWindow   *self,
                       const char *field)
{
  EkForm *form = ek_pages_get_form ();
  const EkFormField *server_field;
  const char *step;
  EkPage *page;

  g_return_val_if_fail (EK_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  /* The API's name of a field ("uscc") is accepted too */
  if (form != NULL && ek_form_lookup_field (form, field) == NULL &&
      (server_field = ek_form_lookup_server_field (form, field)) != NULL)
    field = server_field->name;

  step = ek_pages_step_for_field (field);
  if (step == NULL || !ek_window_go_to_step (self, step))
    return FALSE;

  page = ek_window_get_current_page (self);
  ek_pages_focus_field (page, field);
  return TRUE;
}

/**
 * ek_window_get_current_step:
 * Returns: (nullable): the id of the step shown, %NULL on the first page
 */
const char *
ek_window_get_current_step (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);
  return self->flow_steps->len ? g_ptr_array_index (self->flow_steps, self->current) : NULL;
}
