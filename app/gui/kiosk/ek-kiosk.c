/* ek-kiosk.c: counter (kiosk) mode: one PC, many enterprises a day, nothing left behind
 *
 * The window itself knows nothing of kiosk mode: this controller makes it full screen, keeps
 * it from closing, adds Finish to its header bar and watches its input for the idle timer.
 * A session ends by swapping the window for a fresh one: the old one, with every page, field,
 * preview and PIN entry of the session, is destroyed, and the new one starts at the business
 * list. Before that, what the session wrote is wiped (ek-wipe.h, ek_draft_store_wipe_all()).
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "ek-application.h"
#include "ek-error-journal.h"
#include "ek-kiosk.h"
#include "ek-kiosk-warning.h"
#include "ek-settings.h"
#include "ek-window.h"
#include "ek-wipe.h"

#define TICK_MS 250

struct _EkKiosk
{
  GObject          parent_instance;

  GtkApplication  *application;      /* not a reference: the application owns us */
  GtkWindow       *window;
  EkKioskWarning  *warning;
  GSettings       *settings;

  guint            idle_seconds;
  guint            warning_seconds;
  gint64           last_activity;    /* monotonic µs */
  gint64           warning_started;
  guint            tick_id;
  guint            sigterm_id;
  guint            sigint_id;
  guint            sessions_ended;
  gboolean         released;
  gboolean         ending;
};

G_DEFINE_FINAL_TYPE (EkKiosk, ek_kiosk, G_TYPE_OBJECT)

enum { SESSION_ENDED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void open_window (EkKiosk *self);

static void
note_activity (EkKiosk *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static void
hide_warning (EkKiosk *self)
{
  if (self->warning != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (self->warning));
      g_clear_object (&self->warning);
    }
}

/* Any key, click, scroll or touch in the window (or the warning) is the clerk being there */
static gboolean
on_event_cb (GtkEventControllerLegacy *controller,
             GdkEvent                 *event,
             EkKiosk                  *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (self->warning == NULL &&
      (type == GDK_KEY_PRESS || type == GDK_BUTTON_PRESS || type == GDK_SCROLL ||
       type == GDK_TOUCH_BEGIN || type == GDK_MOTION_NOTIFY))
    note_activity (self);
  return GDK_EVENT_PROPAGATE;
}

static void
continue_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  EkKiosk *self = user_data;

  hide_warning (self);
  note_activity (self);
}

static void
finish_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  ek_kiosk_end_session (user_data);
}

static const GActionEntry kiosk_actions[] = {
  { .name = "continue", .activate = continue_activated },
  { .name = "finish", .activate = finish_activated },
};

static GSimpleActionGroup *
kiosk_action_group (EkKiosk *self)
{
  GSimpleActionGroup *group = g_simple_action_group_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (group), kiosk_actions, G_N_ELEMENTS (kiosk_actions), self);
  return group;
}

static void
show_warning (EkKiosk *self)
{
  g_autoptr(GSimpleActionGroup) actions = kiosk_action_group (self);

  self->warning = g_object_ref_sink (ek_kiosk_warning_new (self->window));
  gtk_widget_insert_action_group (GTK_WIDGET (self->warning), "kiosk", G_ACTION_GROUP (actions));
  self->warning_started = g_get_monotonic_time ();
  ek_kiosk_warning_set_seconds (self->warning, self->warning_seconds);
  gtk_window_present (GTK_WINDOW (self->warning));
}

static gboolean
tick_cb (gpointer user_data)
{
  EkKiosk *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (self->released || self->ending)
    return G_SOURCE_CONTINUE;
  if (self->warning == NULL)
    {
      if (now - self->last_activity >= (gint64) self->idle_seconds * G_USEC_PER_SEC)
        show_warning (self);
      return G_SOURCE_CONTINUE;
    }
  {
    gint64 left_us = (gint64) self->warning_seconds * G_USEC_PER_SEC - (now - self->warning_started);

    if (left_us <= 0)
      ek_kiosk_end_session (self);
    else
      ek_kiosk_warning_set_seconds (self->warning, (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  }
  return G_SOURCE_CONTINUE;
}

/* Only the administrator's way out: the window cannot be closed while kiosk mode is on */
static gboolean
on_close_request_cb (GtkWindow *window,
                     EkKiosk   *self)
{
  return !self->released;
}

static void
on_fullscreened_cb (GtkWindow  *window,
                    GParamSpec *pspec,
                    EkKiosk    *self)
{
  if (!self->released && !gtk_window_is_fullscreen (window))
    gtk_window_fullscreen (window);
}

/* A full-screen GtkWindow hides its titlebar, and the wizard's header bar holds Back, Next and
 * the menu: in kiosk mode it moves into the window's content, above the pages, without its
 * window buttons, and gets Finish at its end */
static void
adapt_header_bar (EkKiosk *self)
{
  g_autoptr(GSimpleActionGroup) actions = kiosk_action_group (self);
  g_autoptr(GtkWidget) titlebar = NULL;
  g_autoptr(GtkWidget) content = NULL;
  GtkWidget *box, *button;

  gtk_widget_insert_action_group (GTK_WIDGET (self->window), "kiosk", G_ACTION_GROUP (actions));
  if (gtk_window_get_titlebar (self->window) == NULL || !GTK_IS_HEADER_BAR (gtk_window_get_titlebar (self->window)))
    return;
  titlebar = g_object_ref (gtk_window_get_titlebar (self->window));
  content = gtk_window_get_child (self->window) != NULL ? g_object_ref (gtk_window_get_child (self->window)) : NULL;
  gtk_window_set_titlebar (self->window, NULL);
  gtk_window_set_child (self->window, NULL);

  gtk_header_bar_set_show_title_buttons (GTK_HEADER_BAR (titlebar), FALSE);
  button = gtk_button_new_with_mnemonic (_("_Finish and clear"));
  gtk_widget_set_name (button, "kiosk-finish");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kiosk.finish");
  gtk_widget_set_tooltip_text (button, _("End this session: everything typed, scanned or saved in it is deleted"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Finish and clear"), -1);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_header_bar_pack_end (GTK_HEADER_BAR (titlebar), button);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_name (box, "kiosk-content");
  gtk_box_append (GTK_BOX (box), titlebar);
  if (content != NULL)
    {
      gtk_widget_set_vexpand (content, TRUE);
      gtk_box_append (GTK_BOX (box), content);
    }
  gtk_window_set_child (self->window, box);
}

static void
open_window (EkKiosk *self)
{
  GtkEventController *legacy = gtk_event_controller_legacy_new ();

  self->window = GTK_WINDOW (ek_application_new_window (EK_APPLICATION (self->application)));
  g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->window), legacy);
  g_signal_connect (self->window, "close-request", G_CALLBACK (on_close_request_cb), self);
  g_signal_connect (self->window, "notify::fullscreened", G_CALLBACK (on_fullscreened_cb), self);
  adapt_header_bar (self);
  gtk_window_fullscreen (self->window);
  gtk_window_present (self->window);
  note_activity (self);
}

/* What a session leaves, wherever it is: drafts (with their scans, fitted images and rendered
 * forms), copies saved for the clerk, the error journal */
static void
wipe_session (EkKiosk *self)
{
  EkDraftStore *store = ek_application_get_draft_store (EK_APPLICATION (self->application));
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = ek_error_journal_path ();

  if (!ek_draft_store_wipe_all (store, &error))
    g_warning ("Kiosk: a draft could not be wiped: %s", error->message);
  g_clear_error (&error);
  if (!ek_session_files_wipe (&error))
    g_warning ("Kiosk: a saved copy could not be wiped: %s", error->message);
  g_clear_error (&error);
  if (!ek_wipe_file (journal, &error))
    g_warning ("Kiosk: the error journal could not be wiped: %s", error->message);
}

/* What we put on the clipboard goes; what another program put there is not ours to touch */
static void
clear_clipboards (GtkWidget *widget)
{
  GdkDisplay *display = widget != NULL ? gtk_widget_get_display (widget) : gdk_display_get_default ();
  GdkClipboard *clipboards[] = { gdk_display_get_clipboard (display), gdk_display_get_primary_clipboard (display) };

  for (guint i = 0; i < G_N_ELEMENTS (clipboards); i++)
    if (gdk_clipboard_is_local (clipboards[i]))
      gdk_clipboard_set_content (clipboards[i], NULL);
}

static void
on_logout_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EkKiosk) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The token is forgotten whatever the answer */
  if (!ek_api_client_logout_finish (EK_API_CLIENT (source), result, &error))
    g_debug ("Kiosk: log-out: %s", error->message);
  self->ending = FALSE;
  self->sessions_ended++;
  g_signal_emit (self, signals[SESSION_ENDED], 0);
}

void
ek_kiosk_end_session (EkKiosk *self)
{
  g_autoptr(EkApiClient) client = NULL;
  GtkWindow *old = self->window;

  g_return_if_fail (EK_IS_KIOSK (self));
  if (self->ending)
    return;
  self->ending = TRUE;
  hide_warning (self);
  clear_clipboards (old != NULL ? GTK_WIDGET (old) : NULL);

  /* Nothing pending is saved any more, and what is on disk goes; then the window with every
   * page of the session, and once more for what its last callbacks wrote */
  g_application_hold (G_APPLICATION (self->application));
  wipe_session (self);
  if (old != NULL)
    {
      g_signal_handlers_disconnect_by_data (old, self);
      g_object_remove_weak_pointer (G_OBJECT (old), (gpointer *) &self->window);
      self->window = NULL;
      gtk_window_destroy (old);
    }
  /* The other windows of the session too (“Your key”, Diagnostics): they show its certificates */
  {
    GList *windows = g_list_copy (gtk_application_get_windows (self->application));

    for (GList *l = windows; l != NULL; l = l->next)
      gtk_window_destroy (l->data);
    g_list_free (windows);
  }
  wipe_session (self);
  open_window (self);
  g_application_release (G_APPLICATION (self->application));

  client = ek_application_dup_api_client (EK_APPLICATION (self->application), NULL);
  if (client != NULL && ek_api_client_has_session (client))
    {
      ek_api_client_logout_async (client, NULL, on_logout_done_cb, g_object_ref (self));
      return;
    }
  self->ending = FALSE;
  self->sessions_ended++;
  g_signal_emit (self, signals[SESSION_ENDED], 0);
}

/* SIGTERM / SIGINT from the administrator (or the system shutting down): wipe, then quit */
static gboolean
on_terminate_cb (gpointer user_data)
{
  EkKiosk *self = user_data;

  wipe_session (self);
  clear_clipboards (self->window != NULL ? GTK_WIDGET (self->window) : NULL);
  ek_kiosk_release (self);
  g_application_quit (G_APPLICATION (self->application));
  return G_SOURCE_CONTINUE;
}

static void
on_kiosk_mode_changed_cb (GSettings  *settings,
                          const char *key,
                          EkKiosk    *self)
{
  if (!g_settings_get_boolean (settings, "kiosk-mode") && !g_settings_is_writable (settings, "kiosk-mode"))
    return;   /* locked: only dconf's administrator changes it */
  if (!g_settings_get_boolean (settings, "kiosk-mode"))
    {
      ek_kiosk_end_session (self);
      ek_kiosk_release (self);
    }
}

static void
on_timeouts_changed_cb (GSettings  *settings,
                        const char *key,
                        EkKiosk    *self)
{
  ek_kiosk_set_idle_timeouts (self, g_settings_get_uint (settings, "idle-timeout"),
                              g_settings_get_uint (settings, "idle-warning"));
}

static void
ek_kiosk_dispose (GObject *object)
{
  EkKiosk *self = EK_KIOSK (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  hide_warning (self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->window, self);
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
  G_OBJECT_CLASS (ek_kiosk_parent_class)->dispose (object);
}

static void
ek_kiosk_class_init (EkKioskClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ek_kiosk_dispose;

  signals[SESSION_ENDED] = g_signal_new ("session-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ek_kiosk_init (EkKiosk *self)
{
  self->idle_seconds = 600;
  self->warning_seconds = 60;
}

EkKiosk *
ek_kiosk_new (GtkApplication *application)
{
  EkKiosk *self = g_object_new (EK_TYPE_KIOSK, NULL);

  self->application = application;
  self->settings = ek_settings_new_if_installed ();
  if (self->settings != NULL)
    {
      on_timeouts_changed_cb (self->settings, NULL, self);
      g_signal_connect (self->settings, "changed::kiosk-mode", G_CALLBACK (on_kiosk_mode_changed_cb), self);
      g_signal_connect (self->settings, "changed::idle-timeout", G_CALLBACK (on_timeouts_changed_cb), self);
      g_signal_connect (self->settings, "changed::idle-warning", G_CALLBACK (on_timeouts_changed_cb), self);
    }
  return self;
}

void
ek_kiosk_start (EkKiosk *self)
{
  GAction *quit;

  g_return_if_fail (EK_IS_KIOSK (self));
  if (self->window != NULL)
    {
      gtk_window_present (self->window);
      return;
    }
  /* No way out from the keyboard or the menu; GTK's recent files are not ours to fill */
  quit = g_action_map_lookup_action (G_ACTION_MAP (self->application), "quit");
  if (G_IS_SIMPLE_ACTION (quit))
    g_simple_action_set_enabled (G_SIMPLE_ACTION (quit), FALSE);
  gtk_application_set_accels_for_action (self->application, "app.quit", (const char *[]) { NULL });
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-enabled", FALSE, NULL);
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_terminate_cb, self);
  self->sigint_id = g_unix_signal_add (SIGINT, on_terminate_cb, self);

  /* What a crash or a power cut left from an earlier session goes first: a kiosk never offers
   * to continue another enterprise's application */
  wipe_session (self);
  open_window (self);
  self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
}

GtkWindow *
ek_kiosk_get_window (EkKiosk *self)
{
  g_return_val_if_fail (EK_IS_KIOSK (self), NULL);
  return self->window;
}

void
ek_kiosk_set_idle_timeouts (EkKiosk *self,
                            guint    idle_seconds,
                            guint    warning_seconds)
{
  g_return_if_fail (EK_IS_KIOSK (self));
  self->idle_seconds = MAX (idle_seconds, 1);
  self->warning_seconds = MAX (warning_seconds, 1);
  note_activity (self);
}

GtkWindow *
ek_kiosk_get_warning (EkKiosk *self)
{
  g_return_val_if_fail (EK_IS_KIOSK (self), NULL);
  return self->warning != NULL ? GTK_WINDOW (self->warning) : NULL;
}

guint
ek_kiosk_get_sessions_ended (EkKiosk *self)
{
  g_return_val_if_fail (EK_IS_KIOSK (self), 0);
  return self->sessions_ended;
}

void
ek_kiosk_release (EkKiosk *self)
{
  GAction *quit;

  g_return_if_fail (EK_IS_KIOSK (self));
  if (self->released)
    return;
  self->released = TRUE;
  hide_warning (self);
  quit = g_action_map_lookup_action (G_ACTION_MAP (self->application), "quit");
  if (G_IS_SIMPLE_ACTION (quit))
    g_simple_action_set_enabled (G_SIMPLE_ACTION (quit), TRUE);
  gtk_application_set_accels_for_action (self->application, "app.quit", (const char *[]) { "<Control>q", NULL });
  if (self->window != NULL)
    gtk_window_unfullscreen (self->window);
}

gboolean
ek_kiosk_is_released (EkKiosk *self)
{
  g_return_val_if_fail (EK_IS_KIOSK (self), TRUE);
  return self->released;
}
