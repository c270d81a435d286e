/* ek-ui-test.c: driving the real widgets under Xvfb as a clerk would */
#include "config.h"

#include "ek-test-common.h"
#include "ek-ui-test.h"

/* Long enough for a loaded CI machine; reaching it means something hangs, never that it is slow */
#define WAIT_LIMIT_SECONDS 90

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
on_limit (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * ek_ui_init:
 * Start a UI test: the test framework, GTK, and no transitions, so that what is checked and
 * photographed is the settled window.
 */
void
ek_ui_init (int    *argc,
            char ***argv)
{
  ek_test_init (argc, argv);
  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
}

/**
 * ek_ui_iterate:
 * Wait until @window has painted a frame after now, then run whatever is idle.
 */
void
ek_ui_iterate (GtkWidget *window)
{
  gboolean painted = FALSE, over = FALSE;
  GdkFrameClock *clock;
  gulong handler;
  guint limit;

  limit = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, on_limit, &over);
  while (!gtk_widget_get_mapped (window) && !over)
    g_main_context_iteration (NULL, TRUE);
  if (over)
    g_error ("The window was not shown within %d seconds", WAIT_LIMIT_SECONDS);

  clock = gtk_widget_get_frame_clock (window);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (window);
  while (!painted && !over)
    g_main_context_iteration (NULL, TRUE);
  if (over)
    g_error ("The window was not drawn within %d seconds", WAIT_LIMIT_SECONDS);
  g_source_remove (limit);
  g_signal_handler_disconnect (clock, handler);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/**
 * ek_ui_screenshot:
 * Save what @window shows as test-artifacts/NAME-$LANGUAGE.png.
 */
void
ek_ui_screenshot (GtkWidget  *window,
                  const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, g_getenv ("LANGUAGE"));
  g_autofree char *path = ek_test_artifact_path (file);
  int width, height;

  ek_ui_iterate (window);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (width, >, 0);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* A journey's screenshots numbered in the order they are taken: "JOURNEY-NN-NAME" (one journey
 * per test program, so one count) */
void
ek_ui_screenshot_numbered (GtkWidget  *window,
                           const char *journey,
                           const char *name)
{
  static guint n = 0;
  g_autofree char *numbered = g_strdup_printf ("%s-%02u-%s", journey, ++n, name);

  ek_ui_screenshot (window, numbered);
}

static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, *(const GType *) type);
}

static gboolean
is_label_containing (GtkWidget     *widget,
                     gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  action)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  GtkWidget *child;

  if (!GTK_IS_BUTTON (widget))
    return FALSE;
  if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return TRUE;
  /* A template's button named once by a mnemonic label child */
  child = gtk_button_get_child (GTK_BUTTON (widget));
  return GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), label) == 0;
}

/* The first drawn widget under @root for which @match holds; a hidden branch is not searched */
static GtkWidget *
find_drawn (GtkWidget     *root,
            EkUiMatch      match,
            gconstpointer  data)
{
  if (!gtk_widget_is_drawable (root))
    return NULL;
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_drawn (child, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * ek_ui_find:
 * Returns: (nullable): the first drawn widget under @root whose widget name is @name
 */
GtkWidget *
ek_ui_find (GtkWidget  *root,
            const char *name)
{
  return find_drawn (root, has_name, name);
}

/**
 * ek_ui_find_type:
 * Returns: (nullable): the first drawn widget under @root of @type
 */
GtkWidget *
ek_ui_find_type (GtkWidget *root,
                 GType      type)
{
  return find_drawn (root, is_of_type, &type);
}

/**
 * ek_ui_find_label:
 * Returns: (nullable): the first drawn label under @root whose text contains @text
 */
GtkWidget *
ek_ui_find_label (GtkWidget  *root,
                  const char *text)
{
  return find_drawn (root, is_label_containing, text);
}

/**
 * ek_ui_find_match:
 * Returns: (nullable): the first widget under @root, drawn or not, for which @match holds
 */
GtkWidget *
ek_ui_find_match (GtkWidget     *root,
                  EkUiMatch      match,
                  gconstpointer  data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ek_ui_find_match (child, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * ek_ui_find_any:
 * Returns: (nullable): the first widget under @root, drawn or not, whose widget name is @name
 */
GtkWidget *
ek_ui_find_any (GtkWidget  *root,
                const char *name)
{
  return ek_ui_find_match (root, has_name, name);
}

/**
 * ek_ui_find_action:
 * Returns: (nullable): the first widget under @root, drawn or not, that activates @action
 *   ("wizard.next")
 */
GtkWidget *
ek_ui_find_action (GtkWidget  *root,
                   const char *action)
{
  return ek_ui_find_match (root, has_action, action);
}

/**
 * ek_ui_find_button:
 * Returns: (nullable): the first button under @root, drawn or not, whose label is @label, as a
 *   clerk finds it
 */
GtkWidget *
ek_ui_find_button (GtkWidget  *root,
                   const char *label)
{
  return ek_ui_find_match (root, is_button_labelled, label);
}

/* The first open window of @type (a dialog the page under test opened), or NULL */
GtkWindow *
ek_ui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (item, type))
        return GTK_WINDOW (item);
    }
  return NULL;
}

gboolean
ek_ui_shows_text (GtkWidget  *root,
                  const char *text)
{
  return ek_ui_find_label (root, text) != NULL;
}

static void
collect_mnemonics (GtkWidget  *widget,
                   GHashTable *seen)
{
  if (!gtk_widget_is_drawable (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_label_get_use_underline (GTK_LABEL (widget)) &&
      gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)) != GDK_KEY_VoidSymbol)
    {
      guint key = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)));
      const char *other = g_hash_table_lookup (seen, GUINT_TO_POINTER (key));

      if (other != NULL)
        g_error ("Alt+%s is both “%s” and “%s”: neither can be reached by it", gdk_keyval_name (key),
                 other, gtk_label_get_text (GTK_LABEL (widget)));
      g_hash_table_insert (seen, GUINT_TO_POINTER (key), (gpointer) gtk_label_get_text (GTK_LABEL (widget)));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, seen);
}

/**
 * ek_ui_assert_mnemonics_unique:
 * Fails the test when two drawn labels under @root (a button's label, a field's) share an Alt
 * key: GTK then only cycles the focus between them, and neither is activated.
 */
void
ek_ui_assert_mnemonics_unique (GtkWidget *root)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  ek_ui_iterate (GTK_WIDGET (gtk_widget_get_root (root)));
  collect_mnemonics (root, seen);
}

static gboolean
on_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * ek_ui_wait:
 * Run the main loop until @condition holds; a hang (see WAIT_LIMIT_SECONDS) fails the test,
 * naming @what.
 */
void
ek_ui_wait (GtkWidget     *window,
            EkUiCondition  condition,
            gpointer       data,
            const char    *what)
{
  gboolean over = FALSE;
  guint limit = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, on_limit, &over);
  guint tick = g_timeout_add (50, on_tick, NULL);

  while (!condition (data))
    {
      if (over)
        {
          ek_ui_screenshot (window, "hang");
          g_error ("Waited %d seconds for %s", WAIT_LIMIT_SECONDS, what);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_source_remove (limit);
  ek_ui_iterate (window);
}

typedef struct
{
  GtkWidget  *root;
  const char *name;
  GtkWidget  *found;
} FindData;

static gboolean
found_named (gpointer data)
{
  FindData *find = data;

  find->found = ek_ui_find (find->root, find->name);
  return find->found != NULL;
}

static gboolean
found_text (gpointer data)
{
  FindData *find = data;

  find->found = ek_ui_find_label (find->root, find->name);
  return find->found != NULL;
}

/**
 * ek_ui_wait_for:
 * Returns: the drawn widget named @name, once there is one
 */
GtkWidget *
ek_ui_wait_for (GtkWidget  *window,
                const char *name)
{
  FindData find = { window, name, NULL };
  g_autofree char *what = g_strdup_printf ("a widget named “%s”", name);

  ek_ui_wait (window, found_named, &find, what);
  return find.found;
}

void
ek_ui_wait_for_text (GtkWidget  *window,
                     const char *text)
{
  FindData find = { window, text, NULL };
  g_autofree char *what = g_strdup_printf ("the text “%s”", text);

  ek_ui_wait (window, found_text, &find, what);
}

static GtkWidget *
find_required (GtkWidget  *root,
               const char *name)
{
  GtkWidget *widget = ek_ui_find (root, name);

  if (widget == NULL)
    g_error ("No drawn widget named “%s”", name);
  return widget;
}

/**
 * ek_ui_type:
 * Focus the entry named @name and put @text in it, as typing would.
 */
void
ek_ui_type (GtkWidget  *root,
            const char *name,
            const char *text)
{
  GtkWidget *widget = find_required (root, name);

  g_assert_true (GTK_IS_EDITABLE (widget));
  g_assert_true (gtk_widget_is_sensitive (widget));
  gtk_widget_grab_focus (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

/**
 * ek_ui_set_text:
 * Put @text in the editable named @name, drawn or not, leaving the focus where it is (what a
 * page does once focus leaves the field is not triggered).
 */
void
ek_ui_set_text (GtkWidget  *root,
                const char *name,
                const char *text)
{
  GtkWidget *entry = ek_ui_find_any (root, name);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

/**
 * ek_ui_click:
 * Press the button named @name; it must be drawn and sensitive, as for a clerk.
 */
void
ek_ui_click (GtkWidget  *root,
             const char *name)
{
  GtkWidget *widget = find_required (root, name);

  if (!gtk_widget_is_sensitive (widget))
    g_error ("“%s” cannot be pressed", name);
  gtk_widget_activate (widget);
}

/**
 * ek_ui_drop_file:
 * Drop the file at @path on @target_widget through its own GtkDropTarget, as dragging it from
 * the file manager would.
 */
void
ek_ui_drop_file (GtkWidget  *target_widget,
                 const char *path)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (target_widget);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_auto(GValue) value = G_VALUE_INIT;
  GSList *files = g_slist_prepend (NULL, file);
  gboolean accepted = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_slist_free (files);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &accepted);
          break;
        }
    }
  g_assert_true (accepted);
}
