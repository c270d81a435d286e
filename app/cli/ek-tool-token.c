/* ek-tool-token.c: `ekey-tool token list` and `ekey-tool token watch`
 *
 * The modules are those registered with p11-kit, those added in the settings (read through
 * GSettings, as the assistant reads them) and those named on the command line. The JSON keys
 * are a contract with scripts and the helpdesk: add keys, never rename.
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <p11-kit/pkcs11.h>
#include <stdio.h>

#include "ek-certificate-info.h"
#include "ek-settings.h"
#include "ek-token-manager.h"
#include "ek-tool.h"

static void
add_token (JsonBuilder *builder,
           EkToken     *token,
           GDateTime   *now)
{
  GPtrArray *certificates = ek_token_get_certificates (token);
  GPtrArray *problems = ek_token_get_problems (token);
  EkPinState pin = ek_token_get_pin_state (token);
  gulong flags = ek_token_get_flags (token);

  json_builder_begin_object (builder);
  ek_tool_add_string_or_null (builder, "module", ek_token_get_module_path (token));
  json_builder_set_member_name (builder, "slot_id");
  json_builder_add_int_value (builder, (gint64) ek_token_get_slot_id (token));
  ek_tool_add_string_or_null (builder, "label", ek_token_get_label (token));
  ek_tool_add_string_or_null (builder, "manufacturer", ek_token_get_manufacturer (token));
  ek_tool_add_string_or_null (builder, "model", ek_token_get_model (token));
  ek_tool_add_string_or_null (builder, "serial", ek_token_get_serial (token));
  json_builder_set_member_name (builder, "flags");
  json_builder_add_int_value (builder, (gint64) flags);
  json_builder_set_member_name (builder, "pin");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "count_low");
  json_builder_add_boolean_value (builder, (flags & CKF_USER_PIN_COUNT_LOW) != 0);
  json_builder_set_member_name (builder, "final_try");
  json_builder_add_boolean_value (builder, (flags & CKF_USER_PIN_FINAL_TRY) != 0);
  json_builder_set_member_name (builder, "locked");
  json_builder_add_boolean_value (builder, (flags & CKF_USER_PIN_LOCKED) != 0);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, ek_pin_state_describe (pin));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "certificates");
  json_builder_begin_array (builder);
  for (guint i = 0; i < certificates->len; i++)
    ek_tool_add_certificate (builder, g_ptr_array_index (certificates, i), now);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < problems->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (problems, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static int
token_list (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(EkTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) module_errors = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) modules = NULL;
  g_auto(GStrv) all_modules = NULL;
  gboolean json = FALSE, only_listed = FALSE;
  const GOptionEntry entries[] = {
    { "module", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &modules, N_("Also load this PKCS#11 module (may be repeated)"), N_("PATH") },
    { "only-listed", 0, 0, G_OPTION_ARG_NONE, &only_listed, N_("Leave out the modules registered with p11-kit"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("List the inserted keys and their certificates."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);

  /* The modules added in the settings count too, as they do in the key view */
  all_modules = ek_settings_dup_pkcs11_modules ((const char * const *) modules);
  manager = ek_token_manager_new ((const char * const *) all_modules,
                                  only_listed ? EK_TOKEN_MANAGER_SKIP_REGISTERED : EK_TOKEN_MANAGER_FLAGS_NONE);
  tokens = ek_token_manager_list_tokens (manager, NULL, &error);
  if (tokens == NULL)
    return ek_tool_fail ("%s", error->message);
  module_errors = ek_token_manager_get_module_errors (manager);
  for (guint i = 0; i < module_errors->len; i++)
    g_printerr ("ekey-tool: %s\n", ((GError *) g_ptr_array_index (module_errors, i))->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *message = NULL, *vendor = NULL;
      EkTokenDiagnosis diagnosis = ek_token_manager_diagnose (manager, &message, &vendor);
      static const char *diagnosis_names[] = { "ok", "no-module", "vendor-unregistered", "pcscd-not-running", "no-token" };

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "tokens");
      json_builder_begin_array (builder);
      for (guint i = 0; i < tokens->len; i++)
        add_token (builder, g_ptr_array_index (tokens, i), now);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "module_errors");
      json_builder_begin_array (builder);
      for (guint i = 0; i < module_errors->len; i++)
        {
          GError *e = g_ptr_array_index (module_errors, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "rv");
          json_builder_add_int_value (builder, e->code);
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, e->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "diagnosis");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, diagnosis_names[diagnosis]);
      ek_tool_add_string_or_null (builder, "message", message);
      ek_tool_add_string_or_null (builder, "vendor_module", vendor);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
    }
  else if (tokens->len == 0)
    {
      g_autofree char *message = NULL;

      ek_token_manager_diagnose (manager, &message, NULL);
      g_print ("%s\n", message);
    }
  else
    for (guint i = 0; i < tokens->len; i++)
      {
        EkToken *token = g_ptr_array_index (tokens, i);
        GPtrArray *certificates = ek_token_get_certificates (token);
        GPtrArray *problems = ek_token_get_problems (token);

        g_print ("%s (%s %s, %s %s)\n", ek_token_get_label (token), ek_token_get_manufacturer (token),
                 ek_token_get_model (token), _("serial"), ek_token_get_serial (token));
        g_print ("  %s\n", ek_pin_state_describe (ek_token_get_pin_state (token)));
        for (guint j = 0; j < certificates->len; j++)
          ek_tool_print_certificate (g_ptr_array_index (certificates, j), now, "  ");
        for (guint j = 0; j < problems->len; j++)
          g_print ("  ! %s\n", (const char *) g_ptr_array_index (problems, j));
      }
  return module_errors->len > 0 ? 3 : 0;
}

typedef struct
{
  EkTokenManager *manager;
  GHashTable     *present;  /* identity → "serial\tlabel" */
  GMainLoop      *loop;
} Watch;

static void
report_changes (Watch *watch)
{
  g_autoptr(GPtrArray) tokens = ek_token_manager_get_tokens (watch->manager);
  g_autoptr(GHashTable) now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < tokens->len; i++)
    {
      EkToken *token = g_ptr_array_index (tokens, i);

      g_hash_table_insert (now, ek_token_dup_identity (token),
                           g_strdup_printf ("%s\t%s", ek_token_get_serial (token), ek_token_get_label (token)));
    }
  g_hash_table_iter_init (&iter, watch->present);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (now, key))
      g_print ("removed\t%s\n", (const char *) value);
  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (watch->present, key))
      g_print ("inserted\t%s\n", (const char *) value);
  fflush (stdout);
  g_hash_table_remove_all (watch->present);
  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (watch->present, key, value);
    }
}

static void
on_tokens_changed_cb (EkTokenManager *manager,
                      Watch          *watch)
{
  report_changes (watch);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static int
token_watch (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_auto(GStrv) modules = NULL;
  g_auto(GStrv) all_modules = NULL;
  gboolean only_listed = FALSE;
  int interval = 500;
  Watch watch = { NULL, NULL, NULL };
  const GOptionEntry entries[] = {
    { "module", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &modules, N_("Also load this PKCS#11 module (may be repeated)"), N_("PATH") },
    { "only-listed", 0, 0, G_OPTION_ARG_NONE, &only_listed, N_("Leave out the modules registered with p11-kit"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, N_("Look every MS milliseconds (default 500)"), N_("MS") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Print a line each time a key is inserted or pulled out, until interrupted."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (interval < 50 || interval > 60000)
    return ek_tool_fail (_("The interval must be between 50 and 60000 milliseconds."));

  all_modules = ek_settings_dup_pkcs11_modules ((const char * const *) modules);
  watch.manager = ek_token_manager_new ((const char * const *) all_modules,
                                        only_listed ? EK_TOKEN_MANAGER_SKIP_REGISTERED : EK_TOKEN_MANAGER_FLAGS_NONE);
  watch.present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  watch.loop = g_main_loop_new (NULL, FALSE);
  tokens = ek_token_manager_list_tokens (watch.manager, NULL, &error);
  if (tokens == NULL)
    return ek_tool_fail ("%s", error->message);
  report_changes (&watch);
  g_signal_connect (watch.manager, "tokens-changed", G_CALLBACK (on_tokens_changed_cb), &watch);
  ek_token_manager_start_watching (watch.manager, (guint) interval);
  g_unix_signal_add (SIGINT, on_signal_cb, watch.loop);
  g_unix_signal_add (SIGTERM, on_signal_cb, watch.loop);
  g_main_loop_run (watch.loop);

  ek_token_manager_stop_watching (watch.manager);
  g_signal_handlers_disconnect_by_data (watch.manager, &watch);
  g_clear_object (&watch.manager);
  g_clear_pointer (&watch.present, g_hash_table_unref);
  g_clear_pointer (&watch.loop, g_main_loop_unref);
  return 0;
}

int
ek_tool_token (int    argc,
               char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return token_list (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "watch"))
    return token_watch (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "share"))
    return ek_tool_token_share (argc - 1, argv + 1);
  g_printerr ("%s\n  ekey-tool token list [--module PATH]… [--only-listed] [--json]\n"
              "  ekey-tool token watch [--module PATH]… [--only-listed]\n"
              "  ekey-tool token share [--module PATH]… [--only-listed] [--to USER@HOST] [--socket PATH]\n", _("Usage:"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 1;
}
