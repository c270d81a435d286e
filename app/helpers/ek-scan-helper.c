/* ek-scan-helper.c: ekey-scan-helper, the process SANE runs in
 *
 *   ekey-scan-helper list
 *   ekey-scan-helper options DEVICE
 *   ekey-scan-helper scan DEVICE DIR [--resolution DPI] [--mode color|gray] [--feeder] [--preview]
 *                    [--area L,T,W,H] [--set NAME=VALUE]…
 *
 * Started by ek-scanner.c for each operation; its protocol is described there: JSON lines on
 * stdout, pages as raw 8-bit rows in DIR, "cancel" (or end of input) on stdin to stop. A SANE
 * backend may leave this process unable to exit (a reader thread cancelled while holding a lock),
 * so it leaves with _exit() once everything is said: nothing of ours is left to clean up.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-l10n.h"
#include "ek-scanner-sane.h"

static GMutex output_lock;

static void
say (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&output_lock);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
say_error (const GError *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, error->domain == G_IO_ERROR ? "io" : "material");
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, error->domain == G_IO_ERROR || error->domain == EK_MATERIAL_ERROR
                                       ? error->code : EK_MATERIAL_ERROR_SCANNER_FAILED);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  say (builder);
}

static void
say_done (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "done");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  say (builder);
  fflush (stdout);
}

G_GNUC_NORETURN static void
finish (const GError *error)
{
  if (error != NULL)
    say_error (error);
  else
    say_done ();
  fflush (stdout);
  fflush (stderr);
  _exit (error != NULL ? 1 : 0);
}

/* Reads stdin: "cancel", or its end (the app is gone), cancels the operation */
static gpointer
watch_input (gpointer data)
{
  GCancellable *cancellable = data;
  char line[64];

  while (fgets (line, sizeof line, stdin) != NULL)
    if (g_str_has_prefix (line, "cancel"))
      break;
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
list (GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = ek_scanner_sane_list_devices (cancellable, &error);

  if (devices == NULL)
    finish (error);
  for (guint i = 0; i < devices->len; i++)
    {
      EkScannerDevice *device = g_ptr_array_index (devices, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device");
      ek_scanner_device_add_to_json (device, builder);
      json_builder_end_object (builder);
      say (builder);
    }
  finish (NULL);
}

static void
add_strv (JsonBuilder *builder,
          const char  *name,
          char       **values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
options (const char *device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkScannerCapabilities) capabilities = ek_scanner_sane_get_capabilities (device, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (capabilities == NULL)
    finish (error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  add_strv (builder, "sources", capabilities->sources);
  add_strv (builder, "modes", capabilities->modes);
  json_builder_set_member_name (builder, "min_resolution");
  json_builder_add_double_value (builder, capabilities->min_resolution);
  json_builder_set_member_name (builder, "max_resolution");
  json_builder_add_double_value (builder, capabilities->max_resolution);
  json_builder_set_member_name (builder, "max_width_mm");
  json_builder_add_double_value (builder, capabilities->max_width_mm);
  json_builder_set_member_name (builder, "max_height_mm");
  json_builder_add_double_value (builder, capabilities->max_height_mm);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  say (builder);
  finish (NULL);
}

typedef struct
{
  guint page;
  int   percent;
} Progress;

static void
on_progress (guint    page,
             double   fraction,
             gpointer user_data)
{
  Progress *last = user_data;
  int percent = (int) (fraction * 100);
  g_autoptr(JsonBuilder) builder = NULL;

  /* One line per percent is plenty, and keeps a fast scanner from flooding the pipe */
  if (page == last->page && percent == last->percent)
    return;
  last->page = page;
  last->percent = percent;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "progress");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, page);
  json_builder_set_member_name (builder, "fraction");
  json_builder_add_double_value (builder, fraction);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  say (builder);
}

static gboolean
write_page (const char    *dir,
            guint          index,
            const EkImage *image,
            GError       **error)
{
  g_autofree char *name = g_strdup_printf ("page-%u.raw", index);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gsize row = (gsize) image->width * image->channels;
  g_autofree guint8 *rows = g_malloc (row * image->height);

  for (guint y = 0; y < image->height; y++)
    memcpy (rows + (gsize) y * row, image->data + (gsize) y * image->stride, row);
  if (!g_file_set_contents (path, (const char *) rows, (gssize) (row * image->height), error))
    return FALSE;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "page");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, image->width);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, image->height);
  json_builder_set_member_name (builder, "channels");
  json_builder_add_int_value (builder, image->channels);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  say (builder);
  return TRUE;
}

static void
scan (int            argc,
      char         **argv,
      GCancellable  *cancellable)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("DEVICE DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *area = NULL;
  g_auto(GStrv) settings = NULL;
  double resolution = 0;
  gboolean feeder = FALSE, preview = FALSE;
  Progress last = { G_MAXUINT, -1 };
  EkScanOptions options;
  GOptionEntry entries[] = {
    { "resolution", 0, 0, G_OPTION_ARG_DOUBLE, &resolution, NULL, NULL },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, NULL, NULL },
    { "feeder", 0, 0, G_OPTION_ARG_NONE, &feeder, NULL, NULL },
    { "preview", 0, 0, G_OPTION_ARG_NONE, &preview, NULL, NULL },
    { "area", 0, 0, G_OPTION_ARG_STRING, &area, NULL, NULL },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &settings, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    finish (error);
  if (argc != 3)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "expected DEVICE DIR");
      finish (error);
    }

  ek_scan_options_init (&options);
  options.resolution = resolution;
  options.mode = mode != NULL && g_str_equal (mode, "gray") ? EK_SCAN_MODE_GRAY : EK_SCAN_MODE_COLOR;
  options.feeder = feeder;
  options.preview = preview;
  options.extra = settings;
  if (area != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (area, ",", 4);

      for (guint i = 0; i < 4 && parts[i] != NULL; i++)
        options.area_mm[i] = g_ascii_strtod (parts[i], NULL);
    }

  pages = ek_scanner_sane_scan (argv[1], &options, on_progress, &last, cancellable, &error);
  if (pages == NULL)
    finish (error);
  for (guint i = 0; i < pages->len; i++)
    if (!write_page (argv[2], i, g_ptr_array_index (pages, i), &error))
      finish (error);
  /* Report first, then end the frame and close the scanner: if that hangs in the backend,
   * the app has the page already and stops this process after its grace period */
  say_done ();
  ek_scanner_sane_release ();
  _exit (0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;

  ek_l10n_init ();
  g_set_prgname ("ekey-scan-helper");
  cancellable = g_cancellable_new ();
  g_thread_unref (g_thread_new ("input", watch_input, cancellable));

  if (argc == 2 && g_str_equal (argv[1], "list"))
    list (cancellable);
  else if (argc == 3 && g_str_equal (argv[1], "options"))
    options (argv[2]);
  else if (argc >= 2 && g_str_equal (argv[1], "scan"))
    scan (argc - 1, argv + 1, cancellable);

  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "usage: ekey-scan-helper list | options DEVICE | scan DEVICE DIR [OPTION…]");
  finish (error);
}
