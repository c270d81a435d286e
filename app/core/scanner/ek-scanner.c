/* ek-scanner.c: scanning materials, with SANE in a helper process
 *
 * SANE backends built on sanei_thread stop their reader thread with pthread_cancel(); a reader
 * cancelled while it holds a process-wide lock (the dynamic loader's, gettext's) leaves that lock
 * taken and hangs the whole process, at random and later. So SANE runs in `ekey-scan-helper`
 * (app/helpers/ek-scan-helper.c, over ek-scanner-sane.c), one process per operation, and this file
 * talks to it:
 *
 *   ekey-scan-helper list | options DEVICE | scan DEVICE DIR [--resolution DPI] [--mode color|gray]
 *                    [--feeder] [--preview] [--area L,T,W,H] [--set NAME=VALUE]…
 *
 * The helper answers with one JSON object per line on stdout: {"device":{…}}, {"capabilities":{…}},
 * {"progress":{"page","fraction"}}, {"page":{"file","width","height","channels"}} (raw 8-bit rows
 * in a file of DIR, a folder of ours), {"error":{"domain","code","message"}} and finally
 * {"done":true}. The end of its stdin (or a line "cancel") makes it stop the scanner; if it has
 * not gone two seconds later it is killed. A helper that says nothing for too long
 * (EKEY_SCAN_HELPER_TIMEOUT seconds, 60 by default) is killed, and one that dies without a result
 * becomes "The scanner stopped responding…": never a hang of ours.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>

#include "ek-scanner.h"

#define HELPER_NAME "ekey-scan-helper"
#define DEFAULT_STALL_SECONDS 60.0
#define GRACE_MS 2000

void
ek_scanner_device_free (EkScannerDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->vendor);
  g_free (device->model);
  g_free (device->type);
  g_free (device);
}

void
ek_scanner_device_add_to_json (const EkScannerDevice *device,
                               JsonBuilder           *builder)
{
  g_return_if_fail (device != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, device->name);
  json_builder_set_member_name (builder, "vendor");
  json_builder_add_string_value (builder, device->vendor);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, device->model);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, device->type);
  json_builder_end_object (builder);
}

EkScannerDevice *
ek_scanner_device_new_from_json (JsonObject *object)
{
  EkScannerDevice *device = g_new0 (EkScannerDevice, 1);

  g_return_val_if_fail (object != NULL, device);

  device->name = g_strdup (json_object_get_string_member_with_default (object, "name", ""));
  device->vendor = g_strdup (json_object_get_string_member_with_default (object, "vendor", ""));
  device->model = g_strdup (json_object_get_string_member_with_default (object, "model", ""));
  device->type = g_strdup (json_object_get_string_member_with_default (object, "type", ""));
  return device;
}

/* Whether a scanner's name for one of its sources ("ADF Front", "Automatic Document Feeder")
 * means its document feeder rather than its glass */
gboolean
ek_scanner_source_is_feeder (const char *source)
{
  g_return_val_if_fail (source != NULL, FALSE);

  return strstr (source, "ADF") != NULL || strstr (source, "Feeder") != NULL ||
         strstr (source, "feeder") != NULL;
}

void
ek_scanner_capabilities_free (EkScannerCapabilities *capabilities)
{
  if (capabilities == NULL)
    return;
  g_strfreev (capabilities->sources);
  g_strfreev (capabilities->modes);
  g_free (capabilities);
}

void
ek_scan_options_init (EkScanOptions *options)
{
  g_return_if_fail (options != NULL);
  memset (options, 0, sizeof *options);
  options->mode = EK_SCAN_MODE_COLOR;
}

EkImage *
ek_scanner_combine_sides (const EkImage *front,
                          const EkImage *back)
{
  g_return_val_if_fail (front != NULL && back != NULL, NULL);
  /* The ID card's front above its back, on one white page, as the counters ask for */
  return ek_image_stack (front, back);
}

/* $EKEY_SCAN_HELPER (tests, a build tree), the installed one, or one next to this program */
static char *
find_helper (void)
{
  const char *env = g_getenv ("EKEY_SCAN_HELPER");
  g_autofree char *installed = g_build_filename (LIBEXECDIR, HELPER_NAME, NULL);
  g_autofree char *self = NULL;
  g_autofree char *dir = NULL;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  self = g_file_read_link ("/proc/self/exe", NULL);
  dir = self != NULL ? g_path_get_dirname (self) : NULL;
  if (dir != NULL)
    {
      g_autofree char *sibling = g_build_filename (dir, HELPER_NAME, NULL);

      if (g_file_test (sibling, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&sibling);
    }
  return g_steal_pointer (&installed);
}

static gint64
stall_timeout_us (void)
{
  const char *env = g_getenv ("EKEY_SCAN_HELPER_TIMEOUT");
  double seconds = env != NULL ? g_ascii_strtod (env, NULL) : 0;

  return (gint64) ((seconds > 0 ? seconds : DEFAULT_STALL_SECONDS) * G_USEC_PER_SEC);
}

static void
set_stopped_error (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED,
                       _("The scanner stopped responding. Switch it off and on, check its cable, then scan again."));
}

typedef gboolean (*LineFunc) (JsonObject  *line,
                              gpointer     user_data,
                              GError     **error);

typedef struct
{
  GSubprocess *process;
  int          out_fd;
  GString     *pending;
  GCancellable *cancellable;
  gboolean     done;
  GError      *reported;   /* an {"error":…} line */
  gboolean     stopped;    /* it went silent, or died without a result */
} Helper;

/* Turns an {"error":{…}} line back into the GError the helper had */
static GError *
error_from_line (JsonObject *object)
{
  const char *domain = json_object_get_string_member_with_default (object, "domain", "material");
  const char *message = json_object_get_string_member_with_default (object, "message", "");
  int code = (int) json_object_get_int_member_with_default (object, "code", EK_MATERIAL_ERROR_SCANNER_FAILED);

  if (g_str_equal (domain, "io"))
    return g_error_new_literal (G_IO_ERROR, code, message);
  return g_error_new_literal (EK_MATERIAL_ERROR, code, message);
}

/* Hands each complete line to @on_line; FALSE (with @error) to stop */
static gboolean
take_lines (Helper    *helper,
            LineFunc   on_line,
            gpointer   user_data,
            GError   **error)
{
  char *newline;

  /* Nothing more reaches the caller once it has cancelled */
  while (!g_cancellable_is_cancelled (helper->cancellable) &&
         (newline = memchr (helper->pending->str, '\n', helper->pending->len)) != NULL)
    {
      gsize length = (gsize) (newline - helper->pending->str);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *text = g_strndup (helper->pending->str, length);
      JsonNode *root;

      g_string_erase (helper->pending, 0, (gssize) length + 1);
      if (!json_parser_load_from_data (parser, text, -1, NULL) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_debug ("scan helper: not a message: %s", text);
          continue;
        }
      if (json_object_has_member (json_node_get_object (root), "done"))
        helper->done = TRUE;
      else if (json_object_has_member (json_node_get_object (root), "error"))
        {
          JsonNode *node = json_object_get_member (json_node_get_object (root), "error");

          if (helper->reported == NULL && JSON_NODE_HOLDS_OBJECT (node))
            helper->reported = error_from_line (json_node_get_object (node));
        }
      else if (on_line != NULL && !on_line (json_node_get_object (root), user_data, error))
        return FALSE;
    }
  return TRUE;
}

/* Ask the helper to stop the scanner, give it GRACE_MS, then kill it; always reaps it */
static void
stop_helper (Helper *helper)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (helper->process);
  gint64 deadline = g_get_monotonic_time () + GRACE_MS * 1000;
  char buffer[4096];

  /* The end of its input is its cue to stop (closing a pipe, unlike writing to one whose reader
   * has gone, cannot raise SIGPIPE here) */
  if (in != NULL)
    (void) g_output_stream_close (in, NULL, NULL);
  /* Its stdout closes when it exits */
  while (TRUE)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      GPollFD pfd = { helper->out_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 };
      gssize n;

      if (left <= 0 || g_poll (&pfd, 1, (int) (left / 1000)) <= 0)
        {
          g_subprocess_force_exit (helper->process);
          break;
        }
      n = read (helper->out_fd, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        break;
    }
  g_subprocess_wait (helper->process, NULL, NULL);
}

/* Runs the helper with @args, calling @on_line for each message, until it is done */
static gboolean
run_helper (const char * const  *args,
            LineFunc             on_line,
            gpointer             user_data,
            GCancellable        *cancellable,
            gboolean            *stopped,
            GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) pending = g_string_new (NULL);
  gint64 stall = stall_timeout_us ();
  gint64 deadline;
  GPollFD fds[2];
  guint n_fds = 1;
  gboolean ok = TRUE;
  Helper helper = { 0 };

  g_ptr_array_add (argv, find_helper ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  helper.process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &local_error);
  if (helper.process == NULL)
    {
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_UNSUPPORTED,
                   _("The scanning program could not be started (%s). Reinstall EKey Assistant, or scan with another program and choose the file."),
                   local_error->message);
      return FALSE;
    }
  helper.out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (helper.process)));
  helper.pending = pending;
  helper.cancellable = cancellable;

  fds[0].fd = helper.out_fd;
  fds[0].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    n_fds = 2;
  deadline = g_get_monotonic_time () + stall;

  while (TRUE)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      char buffer[8192];
      gssize n;
      int ready;

      if (g_cancellable_is_cancelled (cancellable))
        {
          stop_helper (&helper);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Scanning was cancelled."));
          ok = FALSE;
          break;
        }
      if (left <= 0)
        {
          g_debug ("scan helper: nothing for %.0f s, stopping it", (double) stall / G_USEC_PER_SEC);
          stop_helper (&helper);
          set_stopped_error (error);
          helper.stopped = TRUE;
          ok = FALSE;
          break;
        }
      fds[0].revents = 0;
      if (n_fds > 1)
        fds[1].revents = 0;
      ready = g_poll (fds, n_fds, (int) MIN (left / 1000 + 1, G_MAXINT));
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0 || fds[0].revents == 0)
        continue;
      n = read (helper.out_fd, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        {
          /* The helper closed its output: it has finished, or died */
          g_subprocess_wait (helper.process, NULL, NULL);
          g_string_append_c (pending, '\n');
          ok = take_lines (&helper, on_line, user_data, error);
          if (ok && helper.reported != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&helper.reported));
              ok = FALSE;
            }
          else if (ok && !helper.done)
            {
              g_debug ("scan helper ended without a result (%s %d)",
                       g_subprocess_get_if_signaled (helper.process) ? "signal" : "status",
                       g_subprocess_get_if_signaled (helper.process) ? g_subprocess_get_term_sig (helper.process)
                                                                     : g_subprocess_get_exit_status (helper.process));
              set_stopped_error (error);
              helper.stopped = TRUE;
              ok = FALSE;
            }
          break;
        }
      g_string_append_len (pending, buffer, n);
      deadline = g_get_monotonic_time () + stall;
      if (!take_lines (&helper, on_line, user_data, error))
        {
          stop_helper (&helper);
          ok = FALSE;
          break;
        }
      if (helper.done)
        {
          /* Everything is said: what the helper does now (ending the frame, closing the
           * device) may hang in a backend's reader thread, so give it the grace period and
           * no more */
          stop_helper (&helper);
          break;
        }
    }

  if (n_fds > 1)
    g_cancellable_release_fd (cancellable);
  if (stopped != NULL)
    *stopped = helper.stopped;
  g_clear_error (&helper.reported);
  g_clear_object (&helper.process);
  return ok;
}

static char **
strv_member (JsonObject *object,
             const char *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = json_object_has_member (object, name) ? json_object_get_array_member (object, name) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      const char *value = json_array_get_string_element (array, i);

      if (value != NULL)
        g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

static gboolean
on_device_line (JsonObject  *line,
                gpointer     user_data,
                GError     **error)
{
  GPtrArray *devices = user_data;
  JsonObject *object;

  if (!json_object_has_member (line, "device") ||
      (object = json_object_get_object_member (line, "device")) == NULL)
    return TRUE;
  g_ptr_array_add (devices, ek_scanner_device_new_from_json (object));
  return TRUE;
}

/**
 * ek_scanner_list_devices:
 *
 * The scanners SANE finds, probed again on each call (a scanner plugged in later is found).
 *
 * Returns: (transfer container) (element-type EkScannerDevice): the devices, or %NULL with @error
 */
GPtrArray *
ek_scanner_list_devices (GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_scanner_device_free);
  const char *args[] = { "list", NULL };

  if (!run_helper (args, on_device_line, devices, cancellable, NULL, error))
    return NULL;
  return g_steal_pointer (&devices);
}

static gboolean
on_capabilities_line (JsonObject  *line,
                      gpointer     user_data,
                      GError     **error)
{
  EkScannerCapabilities **out = user_data;
  EkScannerCapabilities *capabilities;
  JsonObject *object;

  if (!json_object_has_member (line, "capabilities") ||
      (object = json_object_get_object_member (line, "capabilities")) == NULL)
    return TRUE;
  capabilities = g_new0 (EkScannerCapabilities, 1);
  capabilities->sources = strv_member (object, "sources");
  capabilities->modes = strv_member (object, "modes");
  capabilities->min_resolution = json_object_get_double_member_with_default (object, "min_resolution", 0);
  capabilities->max_resolution = json_object_get_double_member_with_default (object, "max_resolution", 0);
  capabilities->max_width_mm = json_object_get_double_member_with_default (object, "max_width_mm", 0);
  capabilities->max_height_mm = json_object_get_double_member_with_default (object, "max_height_mm", 0);
  ek_scanner_capabilities_free (*out);
  *out = capabilities;
  return TRUE;
}

/**
 * ek_scanner_get_capabilities:
 * @device: a device name from ek_scanner_list_devices()
 *
 * Returns: (transfer full): what the scanner offers, or %NULL with @error
 */
EkScannerCapabilities *
ek_scanner_get_capabilities (const char  *device,
                             GError     **error)
{
  g_autoptr(EkScannerCapabilities) capabilities = NULL;
  const char *args[] = { "options", device, NULL };

  g_return_val_if_fail (device != NULL, NULL);

  if (!run_helper (args, on_capabilities_line, &capabilities, NULL, NULL, error))
    return NULL;
  if (capabilities == NULL)
    {
      set_stopped_error (error);
      return NULL;
    }
  return g_steal_pointer (&capabilities);
}

typedef struct
{
  const char          *dir;
  GPtrArray           *pages;
  EkScanProgressFunc   progress;
  gpointer             user_data;
} ScanRun;

/* A page the helper wrote: width × height × channels bytes, rows without padding */
static EkImage *
read_page_file (const char  *path,
                guint        width,
                guint        height,
                guint        channels,
                GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(EkImage) image = NULL;
  gsize length = 0;
  gsize row;

  if ((channels != 1 && channels != 3) || width == 0 || height == 0 ||
      !g_file_get_contents (path, &contents, &length, NULL) ||
      (row = (gsize) width * channels, length != row * height))
    {
      set_stopped_error (error);
      return NULL;
    }
  image = ek_image_new (width, height, channels);
  if (image == NULL)
    {
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                           _("There is not enough memory for this scan; choose a lower resolution."));
      return NULL;
    }
  for (guint y = 0; y < height; y++)
    memcpy (image->data + (gsize) y * image->stride, contents + (gsize) y * row, row);
  return g_steal_pointer (&image);
}

static gboolean
on_scan_line (JsonObject  *line,
              gpointer     user_data,
              GError     **error)
{
  ScanRun *run = user_data;
  JsonObject *object;

  if (json_object_has_member (line, "progress") &&
      (object = json_object_get_object_member (line, "progress")) != NULL)
    {
      if (run->progress != NULL)
        run->progress ((guint) json_object_get_int_member_with_default (object, "page", 0),
                       CLAMP (json_object_get_double_member_with_default (object, "fraction", 0), 0.0, 1.0),
                       run->user_data);
    }
  else if (json_object_has_member (line, "page") &&
           (object = json_object_get_object_member (line, "page")) != NULL)
    {
      const char *file = json_object_get_string_member_with_default (object, "file", "");
      g_autofree char *base = g_path_get_basename (file);
      g_autofree char *path = g_build_filename (run->dir, base, NULL);
      EkImage *image = read_page_file (path,
                                       (guint) json_object_get_int_member_with_default (object, "width", 0),
                                       (guint) json_object_get_int_member_with_default (object, "height", 0),
                                       (guint) json_object_get_int_member_with_default (object, "channels", 0),
                                       error);

      g_unlink (path);
      if (image == NULL)
        return FALSE;
      g_ptr_array_add (run->pages, image);
    }
  return TRUE;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/**
 * ek_scanner_scan:
 * @device: a device name from ek_scanner_list_devices()
 * @options: (nullable): how to scan; %NULL for colour at 300 DPI from the glass
 * @progress: (nullable) (scope call): called as pages arrive, in this thread
 *
 * Scans one page, or with @options->feeder every sheet in the document feeder, in the scanning
 * helper process. Blocks; cancelling @cancellable stops the scanner (the helper is killed if it
 * does not stop within two seconds).
 *
 * Returns: (transfer container) (element-type EkImage): the pages, or %NULL with @error
 */
GPtrArray *
ek_scanner_scan (const char           *device,
                 const EkScanOptions  *options,
                 EkScanProgressFunc    progress,
                 gpointer              user_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_image_free);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  EkScanOptions defaults;
  ScanRun run = { 0 };
  gboolean ok;

  g_return_val_if_fail (device != NULL, NULL);

  if (options == NULL)
    {
      ek_scan_options_init (&defaults);
      options = &defaults;
    }
  dir = g_dir_make_tmp ("ekey-scan-XXXXXX", error);
  if (dir == NULL)
    return NULL;

  g_ptr_array_add (args, g_strdup ("scan"));
  g_ptr_array_add (args, g_strdup (device));
  g_ptr_array_add (args, g_strdup (dir));
  if (options->resolution > 0)
    {
      g_ptr_array_add (args, g_strdup ("--resolution"));
      g_ptr_array_add (args, g_strdup (g_ascii_dtostr (number, sizeof number, options->resolution)));
    }
  g_ptr_array_add (args, g_strdup ("--mode"));
  g_ptr_array_add (args, g_strdup (options->mode == EK_SCAN_MODE_GRAY ? "gray" : "color"));
  if (options->feeder)
    g_ptr_array_add (args, g_strdup ("--feeder"));
  if (options->preview)
    g_ptr_array_add (args, g_strdup ("--preview"));
  if (options->area_mm[2] > 0 && options->area_mm[3] > 0)
    {
      GString *area = g_string_new (NULL);

      for (guint i = 0; i < 4; i++)
        g_string_append_printf (area, "%s%s", i > 0 ? "," : "",
                                g_ascii_dtostr (number, sizeof number, options->area_mm[i]));
      g_ptr_array_add (args, g_strdup ("--area"));
      g_ptr_array_add (args, g_string_free (area, FALSE));
    }
  for (guint i = 0; options->extra != NULL && options->extra[i] != NULL; i++)
    {
      g_ptr_array_add (args, g_strdup ("--set"));
      g_ptr_array_add (args, g_strdup (options->extra[i]));
    }
  g_ptr_array_add (args, NULL);

  run.dir = dir;
  run.pages = pages;
  run.progress = progress;
  run.user_data = user_data;
  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean stopped = FALSE;

      ok = run_helper ((const char * const *) args->pdata, on_scan_line, &run, cancellable, &stopped, &local_error);
      /* A helper that went silent or died on a page from the glass is tried once more: the
       * page is still there, and backends built on sanei_thread can hang now and then at the
       * end of a frame (their reader thread stuck at exit). Sheets from the feeder have gone
       * through, so that is reported at once. */
      if (!ok && stopped && attempt < 2 && !options->feeder && !g_cancellable_is_cancelled (cancellable))
        {
          g_debug ("scan helper stopped responding; scanning once more");
          g_ptr_array_set_size (pages, 0);
          continue;
        }
      if (!ok)
        g_propagate_error (error, g_steal_pointer (&local_error));
      break;
    }
  remove_dir (dir);
  if (!ok)
    return NULL;
  if (pages->len == 0)
    {
      set_stopped_error (error);
      return NULL;
    }
  return g_steal_pointer (&pages);
}

/* Async: the helper is driven from a worker thread; progress is forwarded to the caller's main
 * context */

typedef struct
{
  char               *device;
  EkScanOptions       options;
  EkScanProgressFunc  progress;
  gpointer            user_data;
  GMainContext       *context;
} ScanData;

typedef struct
{
  EkScanProgressFunc  progress;
  gpointer            user_data;
  guint               page;
  double              fraction;
} ProgressCall;

static void
scan_data_free (ScanData *data)
{
  g_free (data->device);
  g_strfreev (data->options.extra);
  g_main_context_unref (data->context);
  g_free (data);
}

static gboolean
progress_idle (gpointer user_data)
{
  ProgressCall *call = user_data;
  call->progress (call->page, call->fraction, call->user_data);
  return G_SOURCE_REMOVE;
}

static void
thread_progress (guint    page,
                 double   fraction,
                 gpointer user_data)
{
  ScanData *data = user_data;
  ProgressCall *call = g_new0 (ProgressCall, 1);

  call->progress = data->progress;
  call->user_data = data->user_data;
  call->page = page;
  call->fraction = fraction;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, progress_idle, call, g_free);
}

static void
scan_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanData *data = task_data;
  GError *error = NULL;
  GPtrArray *pages = ek_scanner_scan (data->device, &data->options,
                                      data->progress != NULL ? thread_progress : NULL, data,
                                      cancellable, &error);

  if (pages == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pages, (GDestroyNotify) g_ptr_array_unref);
}

void
ek_scanner_scan_async (const char           *device,
                       const EkScanOptions  *options,
                       EkScanProgressFunc    progress,
                       gpointer              user_data,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              callback_data)
{
  g_autoptr(GTask) task = NULL;
  ScanData *data;

  g_return_if_fail (device != NULL);

  data = g_new0 (ScanData, 1);
  data->device = g_strdup (device);
  if (options != NULL)
    data->options = *options;
  else
    ek_scan_options_init (&data->options);
  data->options.extra = g_strdupv (data->options.extra);
  data->progress = progress;
  data->user_data = user_data;
  data->context = g_main_context_ref_thread_default ();
  task = g_task_new (NULL, cancellable, callback, callback_data);
  g_task_set_source_tag (task, ek_scanner_scan_async);
  g_task_set_task_data (task, data, (GDestroyNotify) scan_data_free);
  g_task_run_in_thread (task, scan_thread);
}

GPtrArray *
ek_scanner_scan_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Listing and options, on a worker thread, for the scan dialog */

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *devices = ek_scanner_list_devices (cancellable, &error);

  if (devices == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, devices, (GDestroyNotify) g_ptr_array_unref);
}

void
ek_scanner_list_devices_async (GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_scanner_list_devices_async);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
ek_scanner_list_devices_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
capabilities_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  EkScannerCapabilities *capabilities = ek_scanner_get_capabilities (task_data, &error);

  if (capabilities == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, capabilities, (GDestroyNotify) ek_scanner_capabilities_free);
}

void
ek_scanner_get_capabilities_async (const char          *device,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (device != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_scanner_get_capabilities_async);
  g_task_set_task_data (task, g_strdup (device), g_free);
  g_task_run_in_thread (task, capabilities_thread);
}

EkScannerCapabilities *
ek_scanner_get_capabilities_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
