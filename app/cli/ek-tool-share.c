/* ek-tool-share.c: `ekey-tool token share`, the inserted key forwarded into a remote session
 *
 * Runs `p11-kit server` for the inserted key(s) on a unix socket of this user and prints the one
 * ssh command that forwards the socket to the remote computer, where p11-kit's client module
 * finds it at the conventional place ($XDG_RUNTIME_DIR/p11-kit/pkcs11), so the assistant there
 * sees the key like a local one (TOOLBOX.md §12). Ctrl+C (or SIGTERM) stops the server and the
 * sharing ends: the key disappears from the remote side.
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "ek-settings.h"
#include "ek-token-manager.h"
#include "ek-tool.h"

#define SOCKET_WAIT_MS 10000

typedef struct
{
  GMainLoop   *loop;
  GSubprocess *server;
  gboolean     server_exited;
  gboolean     interrupted;   /* Ctrl+C or SIGTERM: the way to stop sharing */
} Share;

static gboolean
on_signal_cb (gpointer user_data)
{
  Share *share = user_data;

  share->interrupted = TRUE;
  g_main_loop_quit (share->loop);
  return G_SOURCE_REMOVE;
}

static void
on_server_exited_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Share *share = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  share->server_exited = TRUE;
  g_main_loop_quit (share->loop);
}

/* pkcs11:token=…;serial=… for one token, percent-encoded (RFC 7512) */
static char *
token_uri (EkToken *token)
{
  g_autofree char *label = g_uri_escape_string (ek_token_get_label (token), NULL, FALSE);
  g_autofree char *serial = g_uri_escape_string (ek_token_get_serial (token), NULL, FALSE);

  return g_strdup_printf ("pkcs11:token=%s;serial=%s", label, serial);
}

int
ek_tool_token_share (int    argc,
                     char **argv)
{
  g_auto(GStrv) modules = NULL, all_modules = NULL;
  g_autofree char *socket_path = NULL, *to = NULL, *remote_socket = NULL;
  gboolean only_listed = FALSE;
  GOptionEntry entries[] = {
    { "module", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &modules, N_("Also load this PKCS#11 module (may be repeated)"), N_("PATH") },
    { "only-listed", 0, 0, G_OPTION_ARG_NONE, &only_listed, N_("Leave out the modules registered with p11-kit"), NULL },
    { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path, N_("Share on this socket (default: in the runtime folder)"), N_("PATH") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("The remote computer, for the ssh command"), N_("USER@HOST") },
    { "remote-socket", 0, 0, G_OPTION_ARG_STRING, &remote_socket, N_("Where the key appears on the remote computer (default: /run/user/UID/p11-kit/pkcs11)"), N_("PATH") },
    { NULL }
  };
  g_autoptr(EkTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv_server = NULL;
  g_autofree char *dir = NULL;
  const char *module = NULL;
  Share share = { NULL, NULL, FALSE, FALSE };
  guint n_shared = 0;
  int status;

  if (!ek_tool_parse_options (&argc, &argv, NULL,
                              _("Share the inserted key with a remote session over ssh, until interrupted."),
                              entries, 0, &status))
    return status;

  all_modules = ek_settings_dup_pkcs11_modules ((const char * const *) modules);
  manager = ek_token_manager_new ((const char * const *) all_modules,
                                  only_listed ? EK_TOKEN_MANAGER_SKIP_REGISTERED : EK_TOKEN_MANAGER_FLAGS_NONE);
  tokens = ek_token_manager_list_tokens (manager, NULL, &error);
  if (tokens == NULL)
    return ek_tool_fail ("%s", error->message);

  /* One p11-kit server serves one module: the first key's, with every key it holds */
  g_strv_builder_add_many (args, "p11-kit", "server", "--foreground", NULL);
  for (guint i = 0; i < tokens->len; i++)
    {
      EkToken *token = g_ptr_array_index (tokens, i);
      const char *path = ek_token_get_module_path (token);
      g_autofree char *uri = NULL;

      if (g_strcmp0 (path, ek_token_client_module_path ()) == 0)
        continue;   /* a key forwarded into this session is not shared again */
      if (module == NULL)
        {
          module = path;
          g_strv_builder_add_many (args, "--provider", module, NULL);
        }
      if (g_strcmp0 (path, module) != 0)
        continue;
      uri = token_uri (token);
      g_strv_builder_add (args, uri);
      g_print (_("Sharing the key “%s” (driver %s)\n"), ek_token_get_label (token), module);
      n_shared++;
    }
  if (n_shared == 0)
    return ek_tool_fail (_("No key is inserted, so there is nothing to share. Insert the key and try again."));

  if (socket_path == NULL)
    {
      dir = g_build_filename (g_get_user_runtime_dir (), "ekey-assistant", NULL);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        return ek_tool_fail (_("The folder %s could not be made: %s"), dir, g_strerror (errno));
      socket_path = g_build_filename (dir, "key-share.sock", NULL);
    }
  if (g_file_test (socket_path, G_FILE_TEST_EXISTS) && g_unlink (socket_path) != 0)
    return ek_tool_fail (_("The old socket %s could not be removed: %s"), socket_path, g_strerror (errno));
  g_strv_builder_add_many (args, "--name", socket_path, NULL);
  argv_server = g_strv_builder_end (args);

  share.server = g_subprocess_newv ((const char * const *) argv_server, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  if (share.server == NULL)
    return ek_tool_fail (_("p11-kit’s server could not be started (is the package p11-kit installed?): %s"), error->message);
  share.loop = g_main_loop_new (NULL, FALSE);
  g_subprocess_wait_async (share.server, NULL, on_server_exited_cb, &share);
  for (guint waited = 0; !g_file_test (socket_path, G_FILE_TEST_EXISTS); waited += 20)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (waited >= SOCKET_WAIT_MS || share.server_exited)
        {
          if (!share.server_exited)
            g_subprocess_force_exit (share.server);
          return ek_tool_fail (_("p11-kit’s server did not start sharing the key."));
        }
      g_usleep (20 * 1000);
    }

  if (remote_socket == NULL)
    remote_socket = g_strdup_printf ("/run/user/%u/p11-kit/pkcs11", (unsigned) getuid ());
  g_print (_("The key is shared on %s.\n"), socket_path);
  g_print ("P11_KIT_SERVER_ADDRESS=unix:path=%s\n", socket_path);
  g_print (_("To use it in the remote session, connect with:\n"));
  g_print ("  ssh -o StreamLocalBindUnlink=yes -R %s:%s %s\n", remote_socket, socket_path,
           to != NULL ? to : "USER@HOST");
  g_print (_("Keep this running while you work; press Ctrl+C to stop sharing.\n"));
  fflush (stdout);

  g_unix_signal_add (SIGINT, on_signal_cb, &share);
  g_unix_signal_add (SIGTERM, on_signal_cb, &share);
  if (!share.server_exited)
    g_main_loop_run (share.loop);

  if (!share.server_exited)
    {
      g_subprocess_send_signal (share.server, SIGTERM);
      while (!share.server_exited)
        g_main_context_iteration (NULL, TRUE);
    }
  g_unlink (socket_path);
  g_clear_object (&share.server);
  g_clear_pointer (&share.loop, g_main_loop_unref);
  if (!share.interrupted)
    return ek_tool_fail (_("p11-kit’s server stopped: the key is no longer shared."));
  g_print (_("Sharing stopped.\n"));
  return 0;
}
