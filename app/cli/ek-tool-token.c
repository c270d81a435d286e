/* ek-tool-token.c: `ekey-tool token watch`, `ekey-tool cert show`, and the `token` dispatch
 *
 * `token list` is in ek-tool-token-list.c. The JSON keys are a contract with scripts and the
 * helpdesk: add keys, never rename.
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "ek-certificate-info.h"
#include "ek-json-writer.h"
#include "ek-settings.h"
#include "ek-token-manager.h"
#include "ek-tool.h"

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
    return ek_tool_token_list (argc - 1, argv + 1, ek_settings_dup_pkcs11_modules);
  if (argc >= 2 && g_str_equal (argv[1], "watch"))
    return token_watch (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "share"))
    return ek_tool_token_share (argc - 1, argv + 1);
  g_printerr ("%s\n  ekey-tool token list [--module PATH]… [--only-listed] [--json]\n"
              "  ekey-tool token watch [--module PATH]… [--only-listed]\n"
              "  ekey-tool token share [--module PATH]… [--only-listed] [--to USER@HOST] [--socket PATH]\n", _("Usage:"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 1;
}

static int
cert_show (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(EkCertificateInfo) info = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("FILE"));
  g_option_context_set_summary (context, _("Show a certificate file (PEM or DER) as the key view shows it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (argc != 2)
    return ek_tool_fail (_("Name one certificate file."));

  file = g_file_new_for_commandline_arg (argv[1]);
  info = ek_certificate_info_new_from_file (file, NULL, &error);
  if (info == NULL)
    return ek_tool_fail ("%s", error->message);
  if (json)
    {
      g_autoptr(EkJsonWriter) builder = ek_json_writer_new ();

      ek_tool_add_certificate (builder, info, now);
      ek_tool_print_json_text (builder);
    }
  else
    ek_tool_print_certificate (info, now, "");
  return 0;
}

int
ek_tool_cert (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return cert_show (argc - 1, argv + 1);
  g_printerr ("%s\n  ekey-tool cert show FILE [--json]\n", _("Usage:"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 1;
}
