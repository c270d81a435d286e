/* ek-tool-material.c: `ekey-tool material …` and `ekey-tool scan …`
 *
 * JSON keys and problem codes are a stable interface for scripts; keep them.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ek-catalogue.h"
#include "ek-material-check.h"
#include "ek-material-fit.h"
#include "ek-material-rules.h"
#include "ek-scanner.h"
#include "ek-tool.h"

static guint64
default_max_bytes (void)
{
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);
  g_autoptr(EkMaterialRules) rules = catalogue != NULL ? ek_material_rules_new (catalogue, NULL, NULL) : NULL;
  GPtrArray *requirements = rules != NULL ? ek_material_rules_get_requirements (rules, "first-application") : NULL;

  if (requirements != NULL && requirements->len > 0)
    return ((EkMaterialRequirement *) g_ptr_array_index (requirements, 0))->limits.max_bytes;
  return 204799;
}

static int
material_check (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialReport) report = NULL;
  gint64 max_bytes = 0;
  gboolean json = FALSE;
  EkMaterialLimits limits;
  const GOptionEntry entries[] = {
    { "max-bytes", 0, 0, G_OPTION_ARG_INT64, &max_bytes, N_("Size limit in bytes (default: the catalogue’s)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("FILE"));
  g_option_context_set_summary (context, _("Check a material file: format, dimensions, whether it decodes, size."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (argc != 2)
    return ek_tool_fail (_("give exactly one FILE"));

  ek_material_limits_init_default (&limits);
  limits.max_bytes = max_bytes > 0 ? (guint64) max_bytes : default_max_bytes ();
  report = ek_material_check_file (argv[1], &limits, NULL, &error);
  if (report == NULL)
    return ek_tool_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, argv[1]);
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, ek_image_format_to_string (report->info.format));
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, report->info.width);
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, report->info.height);
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, (gint64) report->bytes);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, ek_material_report_is_ok (report));
      json_builder_set_member_name (builder, "problems");
      json_builder_begin_array (builder);
      for (guint i = 0; i < report->problems->len; i++)
        {
          EkMaterialProblem *problem = g_ptr_array_index (report->problems, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "code");
          json_builder_add_string_value (builder, ek_material_problem_code_to_string (problem->code));
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, problem->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
    }
  else
    {
      g_print ("%s: %s %u×%u, %" G_GUINT64_FORMAT " bytes\n", argv[1],
               ek_image_format_display_name (report->info.format), report->info.width, report->info.height,
               report->bytes);
      if (report->info.n_frames > 1)
        g_print (_("Animated GIF with %u frames: the registration system shows only the first one.\n"),
                 report->info.n_frames);
      for (guint i = 0; i < report->problems->len; i++)
        {
          EkMaterialProblem *problem = g_ptr_array_index (report->problems, i);
          g_print ("  %s: %s\n", ek_material_problem_code_to_string (problem->code), problem->message);
        }
      if (ek_material_report_is_ok (report))
        g_print ("  %s\n", _("OK: ready to upload."));
    }
  return ek_material_report_is_ok (report) ? 0 : 1;
}

static int
material_fit (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;
  gint64 max_bytes = 0;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "max-bytes", 0, 0, G_OPTION_ARG_INT64, &max_bytes, N_("Size limit in bytes (default: the catalogue’s)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("IN OUT"));
  g_option_context_set_summary (context, _("Re-encode IN so that it fits the limit, and write OUT. On failure OUT is not written."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (argc != 3)
    return ek_tool_fail (_("give IN and OUT"));
  if (max_bytes != 0 && max_bytes < 2048)
    return ek_tool_fail (_("--max-bytes must be at least 2048"));

  fit = ek_material_fit_file (argv[1], argv[2], max_bytes > 0 ? (guint64) max_bytes : default_max_bytes (),
                              NULL, &error);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, fit != NULL);
      if (fit != NULL)
        {
          json_builder_set_member_name (builder, "bytes");
          json_builder_add_int_value (builder, (gint64) g_bytes_get_size (fit->bytes));
          json_builder_set_member_name (builder, "width");
          json_builder_add_int_value (builder, fit->width);
          json_builder_set_member_name (builder, "height");
          json_builder_add_int_value (builder, fit->height);
          json_builder_set_member_name (builder, "format");
          json_builder_add_string_value (builder, ek_image_format_to_string (fit->format));
        }
      else
        {
          json_builder_set_member_name (builder, "code");
          json_builder_add_string_value (builder, error->domain == EK_MATERIAL_ERROR
                                                  ? ek_material_problem_code_to_string (error->code) : "error");
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, error->message);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
    }
  if (fit == NULL)
    return ek_tool_fail ("%s", error->message);
  if (!json)
    {
      g_autofree char *after = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (fit->bytes));
      g_autofree char *before = g_strdup_printf ("%" G_GUINT64_FORMAT, fit->input_bytes);

      /* Translators: "out.jpg: JPEG 827×1169, 194105 bytes (was 2454244)" */
      g_print (_("%s: %s %u×%u, %s bytes (was %s)"), argv[2], ek_image_format_display_name (fit->format),
               fit->width, fit->height, after, before);
      g_print ("%s\n", fit->unchanged ? _(", unchanged: it already fitted") : "");
    }
  return 0;
}

static gboolean
save_image (const EkImage  *image,
            const char     *path,
            GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  gsize length = 0;
  const char *data;

  if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg"))
    bytes = ek_image_encode_jpeg (image, 90, FALSE, error);
  else
    bytes = ek_image_encode_png (image, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  return g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static int
material_combine (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) front = NULL;
  g_autoptr(EkImage) back = NULL;
  g_autoptr(EkImage) page = NULL;
  EkImage **sides[] = { &front, &back };

  context = g_option_context_new (_("FRONT BACK OUT"));
  g_option_context_set_summary (context, _("Put two scans (an ID card’s front and back) on one page."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (argc != 4)
    return ek_tool_fail (_("give FRONT, BACK and OUT"));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      EkImageInfo info;

      if (!g_file_get_contents (argv[1 + i], &contents, &length, &error) ||
          !ek_image_decode ((const guint8 *) contents, length, EK_MATERIAL_DEFAULT_MAX_PIXELS, &info, sides[i],
                            NULL, &error))
        return ek_tool_fail ("%s: %s", argv[1 + i], error->message);
    }
  page = ek_scanner_combine_sides (front, back);
  if (page == NULL || !save_image (page, argv[3], &error))
    return ek_tool_fail ("%s", error != NULL ? error->message : _("out of memory"));
  return 0;
}

int
ek_tool_material (int    argc,
                  char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "check"))
    return material_check (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "fit"))
    return material_fit (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "combine"))
    return material_combine (argc - 1, argv + 1);
  g_printerr ("%s\n  ekey-tool material check FILE [--max-bytes N] [--json]\n"
              "  ekey-tool material fit IN OUT --max-bytes N [--json]\n"
              "  ekey-tool material combine FRONT BACK OUT\n", _("Usage:"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 1;
}

static int
scan_list (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = ek_scanner_list_devices (NULL, &error);
  gboolean json = argc >= 2 && g_str_equal (argv[1], "--json");

  if (devices == NULL)
    return ek_tool_fail ("%s", error->message);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < devices->len; i++)
        ek_scanner_device_add_to_json (g_ptr_array_index (devices, i), builder);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
      return 0;
    }
  if (devices->len == 0)
    g_print ("%s\n", _("No scanner found. Check that it is plugged in and switched on."));
  for (guint i = 0; i < devices->len; i++)
    {
      EkScannerDevice *device = g_ptr_array_index (devices, i);
      g_print ("%s\t%s %s (%s)\n", device->name, device->vendor, device->model, device->type);
    }
  return 0;
}

static int
scan_options (const char *device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkScannerCapabilities) capabilities = ek_scanner_get_capabilities (device, &error);
  g_autofree char *sources = NULL;
  g_autofree char *modes = NULL;

  if (capabilities == NULL)
    return ek_tool_fail ("%s", error->message);
  sources = g_strjoinv (", ", capabilities->sources);
  modes = g_strjoinv (", ", capabilities->modes);
  g_print (_("Sources: %s\nModes: %s\nResolution: %g–%g DPI\nArea: %g × %g mm\n"), sources, modes,
           capabilities->min_resolution, capabilities->max_resolution,
           capabilities->max_width_mm, capabilities->max_height_mm);
  return 0;
}

static void
print_progress (guint    page,
                double   fraction,
                gpointer user_data)
{
  int *last = user_data;
  int percent = (int) (fraction * 100);

  if (percent / 25 != *last / 25 || percent == 100)
    {
      g_printerr (_("Page %u: %d%%\n"), page + 1, percent);
      *last = percent == 100 ? -25 : percent;
    }
}

static char *
page_path (const char *out,
           guint       page)
{
  const char *dot = strrchr (out, '.');
  const char *slash = strrchr (out, '/');

  if (page == 0)
    return g_strdup (out);
  if (dot == NULL || (slash != NULL && dot < slash))
    return g_strdup_printf ("%s-%u", out, page + 1);
  return g_strdup_printf ("%.*s-%u%s", (int) (dot - out), out, page + 1, dot);
}

int
ek_tool_scan (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *area = NULL;
  g_auto(GStrv) extra = NULL;
  double resolution = 0;
  gboolean feeder = FALSE, preview = FALSE;
  EkScanOptions options;
  int last = -25;
  const GOptionEntry entries[] = {
    { "resolution", 0, 0, G_OPTION_ARG_DOUBLE, &resolution, N_("Resolution in DPI (default 300)"), N_("DPI") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, N_("color or gray"), N_("MODE") },
    { "feeder", 0, 0, G_OPTION_ARG_NONE, &feeder, N_("Scan every sheet in the document feeder"), NULL },
    { "preview", 0, 0, G_OPTION_ARG_NONE, &preview, N_("A quick low-resolution preview"), NULL },
    { "area", 0, 0, G_OPTION_ARG_STRING, &area, N_("Scan area in mm: left,top,width,height"), N_("AREA") },
    { "option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &extra, N_("A scanner setting, name=value"), N_("SETTING") },
    { NULL }
  };

  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return scan_list (argc - 1, argv + 1);
  if (argc == 3 && g_str_equal (argv[1], "options"))
    return scan_options (argv[2]);

  context = g_option_context_new (_("list | options DEVICE | DEVICE OUT"));
  g_option_context_set_summary (context, _("List scanners, show a scanner’s options, or scan to OUT (PNG, or JPEG by its name). Pages from the feeder go to OUT, OUT-2, …"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (argc != 3)
    return ek_tool_fail (_("give DEVICE and OUT, or “list”"));

  ek_scan_options_init (&options);
  options.resolution = resolution;
  options.feeder = feeder;
  options.preview = preview;
  options.extra = extra;
  if (mode != NULL && g_ascii_strcasecmp (mode, "gray") != 0 && g_ascii_strcasecmp (mode, "grey") != 0 &&
      g_ascii_strcasecmp (mode, "color") != 0 && g_ascii_strcasecmp (mode, "colour") != 0)
    return ek_tool_fail (_("--mode must be color or gray"));
  if (mode != NULL && (g_ascii_strcasecmp (mode, "gray") == 0 || g_ascii_strcasecmp (mode, "grey") == 0))
    options.mode = EK_SCAN_MODE_GRAY;
  if (area != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (area, ",", 4);
      if (g_strv_length (parts) != 4)
        return ek_tool_fail (_("--area needs left,top,width,height in mm"));
      for (guint i = 0; i < 4; i++)
        options.area_mm[i] = g_ascii_strtod (parts[i], NULL);
    }

  pages = ek_scanner_scan (argv[1], &options, print_progress, &last, NULL, &error);
  if (pages == NULL)
    return ek_tool_fail ("%s", error->message);
  for (guint i = 0; i < pages->len; i++)
    {
      g_autofree char *path = page_path (argv[2], i);
      EkImage *image = g_ptr_array_index (pages, i);

      if (!save_image (image, path, &error))
        return ek_tool_fail ("%s: %s", path, error->message);
      g_print ("%s\t%u×%u\n", path, image->width, image->height);
    }
  return 0;
}
