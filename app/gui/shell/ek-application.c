/* ek-application.c: the EKey Assistant application
 *
 * Loads the catalogue once (the bundled one, or one named with --catalogue) and opens a
 * wizard window per activation.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-application.h"
#include "ek-ui-helpers.h"
#include "ek-catalogue.h"
#include "ek-diagnostics-window.h"
#include "ek-draft-store.h"
#include "ek-key-view.h"
#include "ek-kiosk.h"
#include "ek-settings.h"
#include "ek-api-client.h"
#include "ek-window.h"

struct _EkApplication
{
  GtkApplication  parent_instance;

  char           *catalogue_path;
  EkCatalogue    *catalogue;
  GError         *catalogue_error;
  EkDraftStore   *draft_store;

  EkApiClient *api_client;

  gboolean        kiosk_requested;   /* --kiosk */
  EkKiosk        *kiosk;             /* counter mode: owns the wizard window */
};

G_DEFINE_FINAL_TYPE (EkApplication, ek_application, GTK_TYPE_APPLICATION)

static void
load_catalogue (EkApplication *self)
{
  if (self->catalogue != NULL || self->catalogue_error != NULL)
    return;

  if (self->catalogue_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->catalogue_path);
      self->catalogue = ek_catalogue_new_from_file (file, &self->catalogue_error);
    }
  else
    self->catalogue = ek_catalogue_new_default (&self->catalogue_error);

  if (self->catalogue_error != NULL)
    g_warning ("Failed to load the catalogue: %s", self->catalogue_error->message);
}

/**
 * ek_application_new_window:
 *
 * Returns: (transfer none): a new wizard window at the first page, on the loaded catalogue
 */
GtkWidget *
ek_application_new_window (EkApplication *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION (self), NULL);

  load_catalogue (self);
  return GTK_WIDGET (ek_window_new (GTK_APPLICATION (self), self->catalogue, self->catalogue_error));
}

/* Counter mode: --kiosk for a trial, or the kiosk-mode setting (which dconf can lock) */
static gboolean
wants_kiosk (EkApplication *self)
{
  g_autoptr(GSettings) settings = NULL;

  if (self->kiosk_requested)
    return TRUE;
  settings = ek_settings_new_if_installed ();
  return settings != NULL && g_settings_get_boolean (settings, "kiosk-mode");
}

static void
ek_application_activate (GApplication *application)
{
  EkApplication *self = EK_APPLICATION (application);

  if (self->kiosk == NULL && wants_kiosk (self))
    self->kiosk = ek_kiosk_new (GTK_APPLICATION (self));
  if (self->kiosk != NULL)
    {
      ek_kiosk_start (self->kiosk);
      return;
    }
  gtk_window_present (GTK_WINDOW (ek_application_new_window (self)));
}

/**
 * ek_application_get_kiosk:
 * Returns: (transfer none) (nullable): the counter-mode controller, when kiosk mode is on
 */
EkKiosk *
ek_application_get_kiosk (EkApplication *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION (self), NULL);
  return self->kiosk;
}

/* For trials and tests: kiosk mode without the setting, as --kiosk does */
void
ek_application_set_kiosk_requested (EkApplication *self,
                                    gboolean       kiosk)
{
  g_return_if_fail (EK_IS_APPLICATION (self));
  self->kiosk_requested = kiosk;
}

static int
ek_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  EkApplication *self = EK_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "catalogue", "^ay", &self->catalogue_path);
  if (g_variant_dict_contains (options, "kiosk"))
    self->kiosk_requested = TRUE;

  return G_APPLICATION_CLASS (ek_application_parent_class)->handle_local_options (application, options);
}

static void
ek_application_startup (GApplication *application)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (ek_application_parent_class)->startup (application);

  /* GtkApplication loads icons and menus from the resource base path, but not CSS */
  gtk_css_provider_load_from_resource (css, "/org/ekeyassistant/EKeyAssistant/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_window_set_default_icon_name (APPLICATION_ID);
}

/* Whatever is still waiting for its save is written before the process ends */
static void
ek_application_shutdown (GApplication *application)
{
  EkApplication *self = EK_APPLICATION (application);
  g_autoptr(GError) error = NULL;

  if (self->draft_store != NULL && !ek_draft_store_flush (self->draft_store, &error))
    g_warning ("Could not save the applications in progress: %s", error->message);

  G_APPLICATION_CLASS (ek_application_parent_class)->shutdown (application);
}

/**
 * ek_application_get_draft_store:
 *
 * Returns: (transfer none): where every window's application in progress is saved
 */
EkDraftStore *
ek_application_get_draft_store (EkApplication *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION (self), NULL);

  if (self->draft_store == NULL)
    self->draft_store = ek_draft_store_new ();
  return self->draft_store;
}

static void
ek_application_finalize (GObject *object)
{
  EkApplication *self = EK_APPLICATION (object);

  g_clear_pointer (&self->catalogue_path, g_free);
  g_clear_object (&self->catalogue);
  g_clear_error (&self->catalogue_error);
  g_clear_object (&self->kiosk);
  g_clear_object (&self->api_client);
  g_clear_object (&self->draft_store);

  G_OBJECT_CLASS (ek_application_parent_class)->finalize (object);
}

static void
ek_application_class_init (EkApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ek_application_finalize;
  app_class->activate = ek_application_activate;
  app_class->startup = ek_application_startup;
  app_class->shutdown = ek_application_shutdown;
  app_class->handle_local_options = ek_application_handle_local_options;
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The EKey Assistant developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", _("EKey Assistant"),
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Apply for and manage the e-key of an import/export enterprise"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* “Check your key…”: one window with the key view, raised again when asked again */
static void
show_key_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), "key-window") == 0)
      window = l->data;
  if (window == NULL)
    {
      GtkWidget *header = gtk_header_bar_new ();
      GtkWidget *close = ek_ui_mnemonic_button_new (_("_Close"));

      window = GTK_WINDOW (gtk_application_window_new (app));
      gtk_widget_set_name (GTK_WIDGET (window), "key-window");
      gtk_window_set_title (window, _("Your key"));
      gtk_window_set_default_size (window, 760, 560);
      /* Closed from the keyboard too: its own button, Escape, Ctrl+W */
      gtk_widget_set_name (close, "close-key-window");
      gtk_widget_set_tooltip_text (close, _("Close this window (Escape)"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (close), "window.close");
      gtk_header_bar_pack_start (GTK_HEADER_BAR (header), close);
      gtk_window_set_titlebar (window, header);
      ek_ui_window_add_close_keys (window);
      gtk_window_set_child (window, ek_key_view_new (NULL));
    }
  gtk_window_present (window);
}

/* Main menu → Diagnostics: one window, made afresh (the report is of now) */
static void
diagnostics_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (EK_IS_DIAGNOSTICS_WINDOW (l->data))
      {
        gtk_window_destroy (l->data);
        break;
      }
  gtk_window_present (GTK_WINDOW (ek_diagnostics_window_new (app)));
}

/* A button elsewhere (the key view) starts a business: the wizard window switches to it */
static void
start_business_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *id = g_variant_get_string (parameter, NULL);

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (EK_IS_WINDOW (l->data))
      {
        ek_application_draft_set_business_type_id (ek_window_get_draft (l->data), id);
        gtk_window_present (l->data);
        return;
      }
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "show-key", .activate = show_key_activated },
  { .name = "diagnostics", .activate = diagnostics_activated },
  { .name = "start-business", .activate = start_business_activated, .parameter_type = "s" },
  { .name = "quit", .activate = quit_activated },
};

static void
ek_application_init (EkApplication *self)
{
  static const GOptionEntry options[] = {
    { "catalogue", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Use this catalogue of business types instead of the bundled one"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Counter mode: full screen, and nothing kept after a session (as the kiosk-mode setting)"), NULL },
    { NULL }
  };
  static const char *quit_accels[] = { "<Control>q", NULL };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
}

/* The language the server answers in: the one the UI is shown in */
static const char *
ui_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "zh"))
        return "zh-CN";
      if (g_str_has_prefix (names[i], "en"))
        return "en";
    }
  return "en";
}

/**
 * ek_application_dup_api_client:
 *
 * The one client of the registration service, made on first use from the environment
 * (EKEY_REGISTRY_URL, EKEY_REGISTRY_CA) or the settings. A missing or wrong configuration is
 * an error in plain words for the pages that need the service; it is tried again on the next
 * call, so fixing the settings does not need a restart.
 *
 * Returns: (transfer full) (nullable): the client
 */
EkApiClient *
ek_application_dup_api_client (EkApplication  *self,
                                    GError        **error)
{
  g_return_val_if_fail (EK_IS_APPLICATION (self), NULL);

  if (self->api_client == NULL)
    {
      /* The client's own message says what is missing or wrong and what to do */
      self->api_client = ek_api_client_new_from_settings (error);
      if (self->api_client == NULL)
        return NULL;
      ek_api_client_set_language (self->api_client, ui_language ());
    }
  return g_object_ref (self->api_client);
}

EkApplication *
ek_application_new (void)
{
  return g_object_new (EK_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/ekeyassistant/EKeyAssistant",
                       NULL);
}
