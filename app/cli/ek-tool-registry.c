/* ek-tool-registry.c: `ekey-tool registry ping|catalogue`, the registration service from a shell
 *
 * For the helpdesk: is the service reachable from this computer with these settings (address,
 * CA, proxy), and what does it answer. Uses the same client as the assistant, so an error here
 * is the error the clerk sees, with the request id to look up in the service's log.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-api-client.h"
#include "ek-tool.h"

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static EkApiClient *
client_for (const char  *url,
            const char  *ca,
            const char  *proxy,
            GError     **error)
{
  EkApiClient *client;

  if (url != NULL)
    client = ek_api_client_new (url, ca, error);
  else
    client = ek_api_client_new_from_settings (error);
  if (client != NULL && proxy != NULL)
    ek_api_client_set_proxy (client, proxy);
  return client;
}

/* GET /catalogue; the answer's document, or NULL with the error */
static JsonNode *
fetch_catalogue (EkApiClient  *client,
                 GError           **error)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  JsonNode *node;

  ek_api_client_get_catalogue_async (client, NULL, on_done_cb, &wait);
  g_main_loop_run (wait.loop);
  node = ek_api_client_get_catalogue_finish (client, wait.result, error);
  g_object_unref (wait.result);
  g_main_loop_unref (wait.loop);
  return node;
}

static int
registry_command (int         argc,
                  char      **argv,
                  gboolean    catalogue)
{
  g_autofree char *url = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *proxy = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("The service's address instead of the settings' (https://…/api/v1)"), N_("URL") },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, N_("Trust the certificate authorities in this PEM file"), N_("FILE") },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &proxy, N_("Use this proxy (empty: none)"), N_("URL") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(EkApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *request_id = NULL;
  gint64 started;
  double ms;
  int status;

  if (!ek_tool_parse_options (&argc, &argv, NULL,
                              catalogue ? _("Show the business types the registration service offers.") :
                                          _("Check that the registration service answers, with the settings in use."),
                              entries, 0, &status))
    return status;

  client = client_for (url, ca, proxy, &error);
  if (client == NULL)
    return ek_tool_fail ("%s", error->message);

  started = g_get_monotonic_time ();
  node = fetch_catalogue (client, &error);
  ms = (double) (g_get_monotonic_time () - started) / 1000.0;
  request_id = ek_api_client_dup_last_request_id (client);
  if (node == NULL)
    return ek_tool_fail ("%s", error->message);

  if (catalogue)
    {
      JsonArray *types = json_object_get_array_member (json_node_get_object (node), "business_types");

      if (json)
        {
          ek_tool_print_json (node);
          return 0;
        }
      for (guint i = 0; i < json_array_get_length (types); i++)
        {
          JsonObject *type = json_array_get_object_element (types, i);

          g_print ("%s\n", json_object_get_string_member (type, "id"));
        }
      return 0;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, ek_api_client_get_base_url (client));
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "milliseconds");
      json_builder_add_double_value (builder, ms);
      json_builder_set_member_name (builder, "request_id");
      json_builder_add_string_value (builder, request_id);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
      return 0;
    }
  /* Translators: the service's address, the time it took, and the request id */
  g_print (_("%s answered in %.0f ms (request %s)\n"), ek_api_client_get_base_url (client), ms, request_id);
  return 0;
}

int
ek_tool_registry (int    argc,
                  char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "ping"))
    return registry_command (argc - 1, argv + 1, FALSE);
  if (argc >= 2 && g_str_equal (argv[1], "catalogue"))
    return registry_command (argc - 1, argv + 1, TRUE);
  g_printerr ("%s\n  ekey-tool registry ping [--url URL] [--ca FILE] [--proxy URL] [--json]\n"
              "  ekey-tool registry catalogue [--url URL] [--ca FILE] [--proxy URL] [--json]\n", _("Usage:"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 1;
}
