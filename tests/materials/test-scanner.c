/* test-scanner.c: scanning through SANE's `test` backend with a private SANE_CONFIG_DIR
 *
 * The test backend is a real SANE backend: it answers every call a scanner does, feeds pages
 * from a simulated document feeder (empty after 10 sheets) and, through its
 * "read-return-value" option, fails the way real scanners fail (jammed, cover open…).
 * SANE runs in the scanning helper (ekey-scan-helper, $EKEY_SCAN_HELPER), never in this process:
 * faults and cancels, which stop the backend's reader thread with pthread_cancel(), happen there,
 * so they all run here, one after the other, and this process exits normally.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ek-scanner.h"
#include "ek-test-common.h"

static char *config_dir;

static void
setup_sane_config (void)
{
  config_dir = ek_test_setup_sane ("number_of_devices 2\nmode Gray\ndepth 8\nresolution 50.0\n"
                                   "test-picture \"Color pattern\"\ngeometry_min 0.0\ngeometry_max 200.0\n"
                                   "br_x 80.0\nbr_y 100.0\n");
}

static void
test_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = ek_scanner_list_devices (NULL, &error);
  gboolean found = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 2);
  for (guint i = 0; i < devices->len; i++)
    {
      EkScannerDevice *device = g_ptr_array_index (devices, i);
      if (g_str_equal (device->name, "test:0"))
        found = TRUE;
    }
  g_assert_true (found);
}

static void
test_capabilities (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkScannerCapabilities) capabilities = ek_scanner_get_capabilities ("test:0", &error);

  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) capabilities->modes, "Color"));
  g_assert_true (g_strv_contains ((const char * const *) capabilities->modes, "Gray"));
  g_assert_true (g_strv_contains ((const char * const *) capabilities->sources, "Automatic Document Feeder"));
  g_assert_cmpfloat (capabilities->max_resolution, >=, 600);
  g_assert_cmpfloat (capabilities->max_width_mm, ==, 200);
}

typedef struct
{
  guint  calls;
  double last;
  GCancellable *cancel_after_first;
} Progress;

static void
on_progress (guint    page,
             double   fraction,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpfloat (fraction, >=, progress->last - 1e-9);
  progress->last = fraction == 1.0 ? 0 : fraction;
  progress->calls++;
  if (progress->cancel_after_first != NULL)
    g_cancellable_cancel (progress->cancel_after_first);
}

static void
test_scan_colour_and_grey (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) colour = NULL;
  g_autoptr(GPtrArray) grey = NULL;
  EkScanOptions options;
  Progress progress = { 0 };
  EkImage *image;

  ek_scan_options_init (&options);
  options.resolution = 100;
  colour = ek_scanner_scan ("test:0", &options, on_progress, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (colour->len, ==, 1);
  image = g_ptr_array_index (colour, 0);
  /* 80 × 100 mm at 100 DPI */
  g_assert_cmpuint (image->channels, ==, 3);
  g_assert_cmpuint (image->width, ==, 314);
  g_assert_cmpuint (image->height, ==, 393);
  g_assert_cmpuint (progress.calls, >=, 2);
  /* The colour pattern has colour in it */
  g_assert_cmpfloat (ek_image_colour_fraction (image), >, 0.1);

  options.mode = EK_SCAN_MODE_GRAY;
  options.area_mm[0] = 10;
  options.area_mm[1] = 10;
  options.area_mm[2] = 40;
  options.area_mm[3] = 30;
  grey = ek_scanner_scan ("test:1", &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  image = g_ptr_array_index (grey, 0);
  g_assert_cmpuint (image->channels, ==, 1);
  g_assert_cmpuint (image->width, ==, 157);
  g_assert_cmpuint (image->height, ==, 118);
}

static void
test_preview (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  EkScanOptions options;

  ek_scan_options_init (&options);
  options.preview = TRUE;
  pages = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Low resolution: 50 DPI */
  g_assert_cmpuint (((EkImage *) g_ptr_array_index (pages, 0))->width, ==, 157);
}

static void
test_feeder (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  EkScanOptions options;

  ek_scan_options_init (&options);
  options.feeder = TRUE;
  options.resolution = 25;
  pages = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* The test backend's feeder holds 10 sheets: each is its own image */
  g_assert_cmpuint (pages->len, ==, 10);
}

static void
assert_scan_fails (const char *device,
                   const char *extra,
                   GQuark      domain,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  char *settings[] = { (char *) extra, NULL };
  EkScanOptions options;

  /* A page small enough to sit whole in the backend's pipe: its reader thread has finished
   * writing when the fault arrives, so stopping it cannot block */
  ek_scan_options_init (&options);
  options.resolution = 50;
  options.mode = EK_SCAN_MODE_GRAY;
  options.area_mm[2] = 20;
  options.area_mm[3] = 20;
  options.extra = extra != NULL ? settings : NULL;
  pages = ek_scanner_scan (device, &options, NULL, NULL, NULL, &error);
  g_assert_error (error, domain, code);
  g_assert_null (pages);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (strlen (error->message), >, 20);

}

/* Each fault in a fresh helper process: the next scan works again (see test_fault) */
typedef struct
{
  const char *path;
  const char *device;
  const char *extra;
  int         code;
} Fault;

static const Fault faults[] = {
  { "/scanner/fault/jammed", "test:0", "read-return-value=SANE_STATUS_JAMMED", EK_MATERIAL_ERROR_SCANNER_JAMMED },
  { "/scanner/fault/cover-open", "test:0", "read-return-value=SANE_STATUS_COVER_OPEN", EK_MATERIAL_ERROR_SCANNER_COVER_OPEN },
  { "/scanner/fault/no-paper", "test:0", "read-return-value=SANE_STATUS_NO_DOCS", EK_MATERIAL_ERROR_SCANNER_NO_DOCUMENTS },
  { "/scanner/fault/busy", "test:0", "read-return-value=SANE_STATUS_DEVICE_BUSY", EK_MATERIAL_ERROR_SCANNER_BUSY },
  /* Unplugged: the device is no longer there, or the connection drops while reading */
  { "/scanner/fault/unplugged", "test:7", NULL, EK_MATERIAL_ERROR_SCANNER_NOT_FOUND },
  { "/scanner/fault/connection-lost", "test:0", "read-return-value=SANE_STATUS_IO_ERROR", EK_MATERIAL_ERROR_SCANNER_NOT_FOUND },
};

static void
test_fault (gconstpointer data)
{
  const Fault *fault = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  EkScanOptions options;

  assert_scan_fails (fault->device, fault->extra, EK_MATERIAL_ERROR, fault->code);

  /* The fault stayed in the helper that saw it: this process scans on */
  ek_scan_options_init (&options);
  options.resolution = 25;
  pages = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pages->len, ==, 1);
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  Progress progress = { 0 };
  EkScanOptions options;

  cancellable = g_cancellable_new ();
  ek_scan_options_init (&options);
  options.resolution = 200;
  progress.cancel_after_first = cancellable;
  pages = ek_scanner_scan ("test:0", &options, on_progress, &progress, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (pages);
  g_assert_cmpuint (progress.calls, ==, 1);

  /* The cancelled helper is gone, and the scanner is free again */
  g_clear_pointer (&pages, g_ptr_array_unref);
  g_clear_error (&error);
  options.resolution = 25;
  pages = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
restore_env (const char *name,
             const char *value)
{
  if (value != NULL)
    g_setenv (name, value, TRUE);
  else
    g_unsetenv (name);
}

/* A scanner that stops sending (here: the test backend told to wait 0.2 s before each block it
 * passes on, with a watchdog of 0.05 s) is given up on, with a message saying so */
static void
test_stopped_responding (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  char *settings[] = { (char *) "read-delay=yes", (char *) "read-delay-duration=200000", NULL };
  g_autofree char *timeout = g_strdup (g_getenv ("EKEY_SCAN_HELPER_TIMEOUT"));
  EkScanOptions options;

  ek_scan_options_init (&options);
  options.resolution = 300;
  options.extra = settings;
  g_setenv ("EKEY_SCAN_HELPER_TIMEOUT", "0.05", TRUE);
  pages = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  restore_env ("EKEY_SCAN_HELPER_TIMEOUT", timeout);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED);
  g_assert_null (pages);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "stopped responding"));
}

/* A helper that hangs once (its backend stuck at the end of a frame): a page from the glass is
 * scanned again and arrives; from the feeder the sheets have gone through, so it is reported */
static void
test_hang_once_then_retry (void)
{
  g_autofree char *helper = g_strdup (g_getenv ("EKEY_SCAN_HELPER"));
  g_autofree char *timeout = g_strdup (g_getenv ("EKEY_SCAN_HELPER_TIMEOUT"));
  g_autofree char *dir = g_dir_make_tmp ("ek-hang-once-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename (dir, "hung", NULL);
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) fed = NULL;
  g_autoptr(GError) error = NULL;
  EkScanOptions options;

  g_assert_nonnull (g_getenv ("EK_HANG_ONCE_HELPER"));
  g_setenv ("EK_REAL_SCAN_HELPER", helper, TRUE);
  g_setenv ("EK_HANG_ONCE_MARKER", marker, TRUE);
  g_setenv ("EKEY_SCAN_HELPER", g_getenv ("EK_HANG_ONCE_HELPER"), TRUE);
  g_setenv ("EKEY_SCAN_HELPER_TIMEOUT", "1", TRUE);

  ek_scan_options_init (&options);
  options.resolution = 25;
  pages = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (pages->len, ==, 1);

  g_assert_cmpint (g_unlink (marker), ==, 0);
  options.feeder = TRUE;
  fed = ek_scanner_scan ("test:0", &options, NULL, NULL, NULL, &error);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED);
  g_assert_null (fed);
  g_assert_nonnull (strstr (error->message, "stopped responding"));

  g_setenv ("EKEY_SCAN_HELPER", helper, TRUE);
  restore_env ("EKEY_SCAN_HELPER_TIMEOUT", timeout);
  g_unlink (marker);
  g_rmdir (dir);
}

/* A helper that dies without a word (a crash looks the same from here), and one that is missing */
static void
test_helper_gone (void)
{
  g_autofree char *helper = g_strdup (g_getenv ("EKEY_SCAN_HELPER"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) devices = NULL;

  g_assert_nonnull (helper);
  g_setenv ("EKEY_SCAN_HELPER", "/bin/false", TRUE);
  pages = ek_scanner_scan ("test:0", NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED);
  g_assert_nonnull (strstr (error->message, "stopped responding"));
  g_clear_error (&error);

  g_setenv ("EKEY_SCAN_HELPER", "/nonexistent/ekey-scan-helper", TRUE);
  devices = ek_scanner_list_devices (NULL, &error);
  g_setenv ("EKEY_SCAN_HELPER", helper, TRUE);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_UNSUPPORTED);
  g_assert_null (devices);
  g_test_message ("%s", error->message);
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ek_scanner_scan_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async_and_combine (void)
{
  g_autoptr(GPtrArray) front = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(EkImage) card = NULL;
  Progress progress = { 0 };
  EkScanOptions options;
  EkImage *a, *b;

  ek_scan_options_init (&options);
  options.resolution = 100;
  options.area_mm[2] = 86;
  options.area_mm[3] = 54;
  ek_scanner_scan_async ("test:0", &options, on_progress, &progress, NULL, on_scanned, &front);
  while (front == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (progress.calls, >=, 1);
  ek_scanner_scan_async ("test:1", &options, NULL, NULL, NULL, on_scanned, &back);
  while (back == NULL)
    g_main_context_iteration (NULL, TRUE);

  a = g_ptr_array_index (front, 0);
  b = g_ptr_array_index (back, 0);
  card = ek_scanner_combine_sides (a, b);
  /* Front above back, on one image */
  g_assert_cmpuint (card->width, ==, MAX (a->width, b->width));
  g_assert_cmpuint (card->height, >, a->height + b->height);
  g_assert_cmpint (memcmp (card->data, a->data, a->stride), ==, 0);
}

/* `ekey-tool scan`, which scripts and the helpdesk use, goes through the same helper */
static void
test_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ek-scan-cli-XXXXXX", &error);
  g_autofree char *png = g_build_filename (dir, "page.png", NULL);
  const char *list[] = { g_getenv ("EK_TOOL"), "scan", "list", NULL };
  const char *scan[] = { g_getenv ("EK_TOOL"), "scan", "test:0", png, "--resolution", "50", "--mode", "gray", NULL };
  const char *gone[] = { g_getenv ("EK_TOOL"), "scan", "test:7", png, NULL };
  int status = 0;

  g_assert_no_error (error);
  g_assert_nonnull (list[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) list, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "test:0"));
  g_assert_nonnull (strstr (out, "test:1"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_spawn_sync (NULL, (char **) scan, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* 80 × 100 mm at 50 DPI */
  g_assert_nonnull (strstr (out, "157×196"));
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  g_unlink (png);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A device that is not there: a clear message and a failure status, no file */
  g_assert_true (g_spawn_sync (NULL, (char **) gone, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "test:7"));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dll = NULL, *test = NULL;
  int result;

  ek_test_init (&argc, &argv);
  setup_sane_config ();
  g_test_add_func ("/scanner/list", test_list);
  g_test_add_func ("/scanner/capabilities", test_capabilities);
  g_test_add_func ("/scanner/colour-and-grey", test_scan_colour_and_grey);
  g_test_add_func ("/scanner/preview", test_preview);
  g_test_add_func ("/scanner/feeder", test_feeder);
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    g_test_add_data_func (faults[i].path, &faults[i], test_fault);
  g_test_add_func ("/scanner/cancel", test_cancel);
  g_test_add_func ("/scanner/stopped-responding", test_stopped_responding);
  g_test_add_func ("/scanner/helper-gone", test_helper_gone);
  g_test_add_func ("/scanner/hang-once-then-retry", test_hang_once_then_retry);
  g_test_add_func ("/scanner/async-and-combine", test_async_and_combine);
  g_test_add_func ("/scanner/cli", test_cli);
  result = g_test_run ();

  dll = g_build_filename (config_dir, "dll.conf", NULL);
  test = g_build_filename (config_dir, "test.conf", NULL);
  g_unlink (dll);
  g_unlink (test);
  g_rmdir (config_dir);
  g_free (config_dir);

  return result;
}
