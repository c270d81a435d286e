/* test-material-check.c: every problem code and every listed format, on images made here */
#define _GNU_SOURCE  /* memmem */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <png.h>

#include "ek-material-check.h"
#include "ek-material-fit.h"
#include "ek-test-common.h"
#include "ek-test-images.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* ImageMagick (a Debian tool) for the formats we never write ourselves */
static GBytes *
convert (const char *input,
         const char *output_name,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = tmp_path (output_name);
  int status = 0;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("convert"));
  g_ptr_array_add (argv, g_strdup (input));
  va_start (args, output_name);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, g_strdup (output));
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  return read_bytes (output);
}

static char *small_png_path;    /* 600×400 colour drawing, PNG */
static char *page_jpeg_path;    /* A4 sealed page at 150 DPI, JPEG */

static EkImage *
small_drawing (void)
{
  EkImage *image = ek_image_new (600, 400, 3);

  for (guint y = 0; y < image->height; y++)
    for (guint x = 0; x < image->width; x++)
      {
        guint8 *p = image->data + (gsize) y * image->stride + 3 * x;
        gboolean red = x < 300;
        p[0] = red ? 220 : 30;
        p[1] = red ? 20 : 60 + y / 4;
        p[2] = red ? 30 : 200;
      }
  return image;
}

static EkMaterialReport *
check (GBytes  *bytes,
       guint64  max_bytes)
{
  EkMaterialLimits limits;

  ek_material_limits_init_default (&limits);
  limits.max_bytes = max_bytes;
  return ek_material_check_bytes (bytes, &limits, NULL);
}

static void
assert_only_problem (EkMaterialReport *report,
                     const char       *code)
{
  EkMaterialProblem *problem;

  g_assert_nonnull (report);
  g_assert_false (ek_material_report_is_ok (report));
  g_assert_cmpuint (report->problems->len, ==, 1);
  problem = g_ptr_array_index (report->problems, 0);
  g_assert_cmpstr (ek_material_problem_code_to_string (problem->code), ==, code);
  /* A message the clerk can act on, not an empty string */
  g_assert_cmpuint (strlen (problem->message), >, 20);
}

static void
test_empty (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("", 0);
  g_autoptr(EkMaterialReport) report = check (bytes, 204799);

  assert_only_problem (report, "empty");
  g_assert_cmpuint (report->bytes, ==, 0);
}

static GBytes *
make_pdf (void)
{
  g_autofree char *path = tmp_path ("doc.pdf");
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595, 842);
  cairo_t *cr = cairo_create (surface);

  cairo_rectangle (cr, 50, 50, 200, 100);
  cairo_fill (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return read_bytes (path);
}

static void
test_renamed_formats (void)
{
  struct { const char *format; GBytes *bytes; } cases[8];
  guint n = 0;
  guint8 random_bytes[4096];
  guint32 state = 7;

  for (guint i = 0; i < sizeof random_bytes; i++)
    random_bytes[i] = (guint8) ((state = state * 1103515245u + 12345u) >> 16);

  cases[n].format = "pdf"; cases[n++].bytes = make_pdf ();
  cases[n].format = "tiff"; cases[n++].bytes = convert (small_png_path, "a.tiff", NULL);
  cases[n].format = "bmp"; cases[n++].bytes = convert (small_png_path, "a.bmp", NULL);
  cases[n].format = "webp"; cases[n++].bytes = convert (small_png_path, "a.webp", NULL);
  cases[n].format = "heif"; cases[n++].bytes = convert (small_png_path, "a.heic", NULL);
  cases[n].format = "svg";
  cases[n++].bytes = g_bytes_new_static ("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>\n", 120);
  cases[n].format = "unknown"; cases[n++].bytes = g_bytes_new (random_bytes, sizeof random_bytes);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(EkMaterialReport) report = check (cases[i].bytes, 204799);

      g_test_message ("renamed %s", cases[i].format);
      g_assert_cmpstr (ek_image_format_to_string (report->info.format), ==, cases[i].format);
      assert_only_problem (report, "format-not-allowed");
      /* The message names what the file really is */
      if (!g_str_equal (cases[i].format, "unknown"))
        g_assert_nonnull (strstr (((EkMaterialProblem *) g_ptr_array_index (report->problems, 0))->message,
                                  ek_image_format_display_name (report->info.format)));
      g_bytes_unref (cases[i].bytes);
    }
}

/* A PNG whose header claims 100 000 × 100 000 pixels and which holds no pixels at all */
static GBytes *
make_png_bomb (void)
{
  g_autofree char *path = tmp_path ("bomb.png");
  static const guint8 iend[] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  FILE *file = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);

  png_init_io (png, file);
  png_set_IHDR (png, info, 100000, 100000, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  png_destroy_write_struct (&png, &info);
  fwrite (iend, 1, sizeof iend, file);
  fclose (file);
  return read_bytes (path);
}

static GBytes *
patch (GBytes *bytes,
       gsize   offset,
       const guint8 *values,
       gsize   n)
{
  gsize length = 0;
  guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, &length), g_bytes_get_size (bytes));

  g_assert_cmpuint (offset + n, <=, length);
  memcpy (copy + offset, values, n);
  return g_bytes_new_take (copy, length);
}

static gsize
find_jpeg_sof (GBytes *bytes)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  for (gsize i = 2; i + 1 < length; i++)
    if (data[i] == 0xff && (data[i + 1] == 0xc0 || data[i + 1] == 0xc2))
      return i;
  g_assert_not_reached ();
}

static void
test_bombs (void)
{
  g_autoptr(EkImage) drawing = small_drawing ();
  g_autoptr(GBytes) png = make_png_bomb ();
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (drawing, 80, FALSE, NULL);
  g_autoptr(GBytes) gif = convert (small_png_path, "small.gif", NULL);
  static const guint8 big16[] = { 0xfd, 0xe8, 0xfd, 0xe8 };   /* 65000, 65000 big-endian */
  static const guint8 big_le[] = { 0xff, 0xff, 0xff, 0xff };  /* 65535 × 65535 little-endian */
  g_autoptr(GBytes) jpeg_bomb = patch (jpeg, find_jpeg_sof (jpeg) + 5, big16, 4);
  g_autoptr(GBytes) gif_bomb = patch (gif, 6, big_le, 4);
  GBytes *bombs[] = { png, jpeg_bomb, gif_bomb };

  g_assert_cmpuint (g_bytes_get_size (png), <, 100);
  for (guint i = 0; i < G_N_ELEMENTS (bombs); i++)
    {
      g_autoptr(EkMaterialReport) report = check (bombs[i], 204799);

      assert_only_problem (report, "too-many-pixels");
      g_assert_cmpuint ((guint64) report->info.width * report->info.height, >, 4000000000u);
    }
}

static void
test_corrupt (void)
{
  g_autoptr(GBytes) page = read_bytes (page_jpeg_path);
  g_autoptr(GBytes) png = read_bytes (small_png_path);
  gsize length = g_bytes_get_size (page);
  guint8 garbage[64];
  g_autoptr(GBytes) bad_jpeg = NULL;
  g_autoptr(GBytes) bad_png = NULL;
  g_autoptr(EkMaterialReport) jpeg_report = NULL;
  g_autoptr(EkMaterialReport) png_report = NULL;

  /* Entropy-coded data overwritten in the middle of the page */
  memset (garbage, 0xd3, sizeof garbage);
  for (guint i = 0; i < sizeof garbage; i += 8)
    garbage[i] = 0xff;
  bad_jpeg = patch (page, length / 2, garbage, sizeof garbage);
  jpeg_report = check (bad_jpeg, 0);
  assert_only_problem (jpeg_report, "corrupt");

  /* A byte flipped inside the PNG's image data: its checksum no longer matches */
  {
    gsize n = 0;
    const guint8 *data = g_bytes_get_data (png, &n);
    const guint8 *idat = memmem (data, n, "IDAT", 4);
    guint8 flipped;

    g_assert_nonnull (idat);
    flipped = idat[40] ^ 0x55;
    bad_png = patch (png, (gsize) (idat - data) + 40, &flipped, 1);
  }
  png_report = check (bad_png, 0);
  assert_only_problem (png_report, "corrupt");
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) page = read_bytes (page_jpeg_path);
  g_autoptr(GBytes) png = read_bytes (small_png_path);
  g_autoptr(GBytes) gif = convert (small_png_path, "t.gif", NULL);
  GBytes *whole[] = { page, png, gif };

  for (guint i = 0; i < G_N_ELEMENTS (whole); i++)
    {
      g_autoptr(GBytes) half = g_bytes_new_from_bytes (whole[i], 0, g_bytes_get_size (whole[i]) * 6 / 10);
      g_autoptr(EkMaterialReport) report = check (half, 0);

      assert_only_problem (report, "truncated");
    }
}

static void
test_too_large (void)
{
  g_autoptr(GBytes) page = read_bytes (page_jpeg_path);
  g_autoptr(EkMaterialReport) report = check (page, 10000);
  g_autoptr(EkMaterialReport) fits = check (page, g_bytes_get_size (page));

  assert_only_problem (report, "too-large");
  g_assert_true (ek_material_report_fixable (report));
  g_assert_true (ek_material_report_is_ok (fits));
}

static EkImage *
decode (GBytes      *bytes,
        EkImageInfo *info)
{
  g_autoptr(GError) error = NULL;
  EkImage *image = NULL;

  g_assert_true (ek_image_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  EK_MATERIAL_DEFAULT_MAX_PIXELS, info, &image, NULL, &error));
  g_assert_no_error (error);
  return image;
}

static void
assert_pixel (const EkImage *image,
              guint          x,
              guint          y,
              int            r,
              int            g,
              int            b,
              int            tolerance)
{
  const guint8 *p = image->data + (gsize) y * image->stride + (gsize) x * image->channels;

  g_assert_cmpuint (image->channels, ==, 3);
  g_assert_cmpint (ABS (p[0] - r), <=, tolerance);
  g_assert_cmpint (ABS (p[1] - g), <=, tolerance);
  g_assert_cmpint (ABS (p[2] - b), <=, tolerance);
}

static void
test_jpeg_variants (void)
{
  g_autoptr(GBytes) cmyk = convert (small_png_path, "cmyk.jpg", "-colorspace", "CMYK", "-quality", "92", NULL);
  g_autoptr(GBytes) progressive = convert (small_png_path, "progressive.jpg", "-interlace", "JPEG", "-quality", "92", NULL);
  g_autoptr(EkMaterialReport) cmyk_report = check (cmyk, 204799);
  g_autoptr(EkMaterialReport) progressive_report = check (progressive, 204799);
  g_autoptr(EkImage) cmyk_image = NULL;
  g_autoptr(EkImage) progressive_image = NULL;
  EkImageInfo info;

  g_assert_true (ek_material_report_is_ok (cmyk_report));
  g_assert_true (cmyk_report->info.cmyk);
  cmyk_image = decode (cmyk, &info);
  /* The red half must come out red, not cyan: CMYK converted, Adobe inversion respected */
  assert_pixel (cmyk_image, 100, 200, 220, 20, 30, 40);
  assert_pixel (cmyk_image, 450, 200, 30, 110, 200, 40);

  g_assert_true (ek_material_report_is_ok (progressive_report));
  g_assert_true (progressive_report->info.progressive);
  progressive_image = decode (progressive, &info);
  assert_pixel (progressive_image, 100, 200, 220, 20, 30, 12);
}

static void
test_png_variants (void)
{
  g_autoptr(GBytes) deep = convert (small_png_path, "deep.png", "-alpha", "set",
                                    "-region", "100x100+0+0", "-alpha", "transparent", "+region",
                                    "-depth", "16", "-define", "png:format=png64", NULL);
  g_autoptr(EkMaterialReport) report = check (deep, 204799);
  g_autoptr(EkImage) image = NULL;
  g_autoptr(GBytes) one = NULL;
  g_autoptr(EkImage) pixel = ek_image_new (1, 1, 3);
  g_autoptr(EkMaterialReport) one_report = NULL;
  EkImageInfo info;

  g_assert_true (ek_material_report_is_ok (report));
  g_assert_cmpuint (report->info.bit_depth, ==, 16);
  image = decode (deep, &info);
  g_assert_true (info.has_alpha);
  /* Transparent corner over white paper; the opaque part unchanged */
  assert_pixel (image, 10, 10, 255, 255, 255, 2);
  assert_pixel (image, 200, 200, 220, 20, 30, 2);

  /* A 1 × 1 image is a valid image */
  memset (pixel->data, 0x80, 3);
  one = ek_image_encode_png (pixel, NULL);
  one_report = check (one, 204799);
  g_assert_true (ek_material_report_is_ok (one_report));
  g_assert_cmpuint (one_report->info.width, ==, 1);
  g_assert_cmpuint (one_report->info.height, ==, 1);
}

/* PNGs as other programs write them: every row filter, IDAT split into many chunks, grey and
 * colour with and without alpha, odd widths */

static void
png_append_cb (png_structp png,
               png_bytep   data,
               size_t      length)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) length);
}

static void
png_flush_nothing (png_structp png)
{
}

static GBytes *
write_png (const guint8 *pixels,
           guint         width,
           guint         height,
           int           colour_type,
           guint         channels,
           int           filters,
           gsize         chunk_size,
           gboolean      with_text)
{
  GByteArray *array = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);

  png_set_write_fn (png, array, png_append_cb, png_flush_nothing);
  png_set_IHDR (png, info, width, height, 8, colour_type, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter (png, PNG_FILTER_TYPE_BASE, filters);
  /* libpng writes an IDAT chunk each time its buffer fills */
  png_set_compression_buffer_size (png, chunk_size);
  if (with_text)
    {
      png_text text = { .compression = PNG_TEXT_COMPRESSION_NONE, .key = (char *) "Comment",
                        .text = (char *) "scanned at the counter" };
      png_set_text (png, info, &text, 1);
    }
  png_write_info (png, info);
  for (guint y = 0; y < height; y++)
    png_write_row (png, pixels + (gsize) y * width * channels);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (array);
}

/* Smooth ramps, hard edges and noise, so that each filter has something to predict */
static guint8 *
png_test_pixels (guint width,
                 guint height,
                 guint channels)
{
  guint8 *pixels = g_malloc ((gsize) width * height * channels);
  guint32 state = 12345;

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      for (guint c = 0; c < channels; c++)
        {
          guint8 *p = pixels + ((gsize) y * width + x) * channels + c;

          state = state * 1103515245 + 12345;
          if (c == 3 || (channels == 2 && c == 1))
            *p = (x + y) % 7 == 0 ? (guint8) (state >> 24) : (x < width / 3 ? 0 : 255);   /* alpha */
          else if (y % 9 < 3)
            *p = (guint8) (state >> 24);                                                 /* noise */
          else
            *p = (guint8) ((x * (3 + c) + y * 5) ^ (x > width / 2 ? 0x80 : 0));          /* ramps, an edge */
        }
  return pixels;
}

static void
assert_png_pixels (const EkImage *image,
                   const guint8  *pixels,
                   guint          channels)
{
  gboolean alpha = channels == 2 || channels == 4;

  g_assert_cmpuint (image->channels, ==, channels <= 2 ? 1 : 3);
  for (guint y = 0; y < image->height; y++)
    for (guint x = 0; x < image->width; x++)
      for (guint c = 0; c < image->channels; c++)
        {
          const guint8 *s = pixels + ((gsize) y * image->width + x) * channels;
          guint a = alpha ? s[channels - 1] : 255;
          /* Transparency over white paper */
          guint expected = (s[c] * a + 255 * (255 - a) + 127) / 255;
          guint got = image->data[(gsize) y * image->stride + (gsize) x * image->channels + c];

          if (got != expected)
            g_error ("%u channels, pixel %u,%u channel %u: %u, expected %u", channels, x, y, c, got, expected);
        }
}

static void
test_png_filters_chunks (void)
{
  static const struct { int colour_type; guint channels; } kinds[] = {
    { PNG_COLOR_TYPE_GRAY, 1 }, { PNG_COLOR_TYPE_GRAY_ALPHA, 2 },
    { PNG_COLOR_TYPE_RGB, 3 }, { PNG_COLOR_TYPE_RGB_ALPHA, 4 },
  };
  static const int filters[] = {
    PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP, PNG_FILTER_AVG, PNG_FILTER_PAETH, PNG_ALL_FILTERS,
  };
  static const guint widths[] = { 1, 2, 61 };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        {
          guint width = widths[w], height = 37;
          g_autofree guint8 *pixels = png_test_pixels (width, height, kinds[k].channels);
          /* A chunk of 64 bytes: many IDATs, and one chunk boundary in the middle of a row */
          g_autoptr(GBytes) png = write_png (pixels, width, height, kinds[k].colour_type, kinds[k].channels,
                                             filters[f], 64, f == 0);
          g_autoptr(EkImage) image = NULL;
          EkImageInfo info;

          image = decode (png, &info);
          g_assert_cmpuint (image->width, ==, width);
          g_assert_cmpuint (image->height, ==, height);
          g_assert_cmpint (info.has_alpha, ==, kinds[k].channels % 2 == 0);
          assert_png_pixels (image, pixels, kinds[k].channels);
        }
}

/* A PNG of some size whose damage the fit finds, not only the check: a bad CRC in an image data
 * chunk is corrupt, a file cut short is truncated, a bad CRC in a comment loses nothing */
static void
test_png_damage_on_fit (void)
{
  guint width = 640, height = 480;
  g_autofree guint8 *pixels = png_test_pixels (width, height, 3);
  g_autoptr(GBytes) png = write_png (pixels, width, height, PNG_COLOR_TYPE_RGB, 3, PNG_ALL_FILTERS, 8192, TRUE);
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (png, &length);
  const guint8 *idat = memmem (data, length, "IDAT", 4);
  const guint8 *text = memmem (data, length, "tEXt", 4);
  guint64 limit = length / 3;
  g_autoptr(GBytes) bad_idat = NULL;
  g_autoptr(GBytes) bad_text = NULL;
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (png, 0, length * 6 / 10);
  g_autoptr(EkMaterialFit) whole = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) image = NULL;
  EkImageInfo info;
  guint8 flipped;

  g_assert_nonnull (idat);
  g_assert_nonnull (text);
  g_assert_cmpuint (length, >, 200000);
  /* Many chunks, and the pixels come back exactly */
  g_assert_nonnull (memmem (idat + 4, length - (gsize) (idat + 4 - data), "IDAT", 4));
  image = decode (png, &info);
  assert_png_pixels (image, pixels, 3);
  whole = ek_material_fit_bytes (png, limit, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (whole->bytes), <=, limit);
  g_assert_cmpuint (whole->width, ==, width);

  flipped = idat[100] ^ 0x01;
  bad_idat = patch (png, (gsize) (idat - data) + 100, &flipped, 1);
  fit = ek_material_fit_bytes (bad_idat, limit, NULL, &error);
  g_assert_null (fit);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_CORRUPT);
  g_clear_error (&error);

  fit = ek_material_fit_bytes (cut, limit, NULL, &error);
  g_assert_null (fit);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TRUNCATED);
  g_clear_error (&error);

  flipped = text[6] ^ 0x20;
  bad_text = patch (png, (gsize) (text - data) + 6, &flipped, 1);
  fit = ek_material_fit_bytes (bad_text, limit, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (fit->bytes, NULL), g_bytes_get_size (fit->bytes),
                   g_bytes_get_data (whole->bytes, NULL), g_bytes_get_size (whole->bytes));
}

static void
test_animated_gif (void)
{
  g_autofree char *blue = tmp_path ("blue.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) anim = NULL;
  g_autoptr(EkMaterialReport) report = NULL;
  g_autoptr(EkImage) image = NULL;
  EkImageInfo info;
  const char *argv[] = { "convert", "-size", "600x400", "xc:#1e3cc8", blue, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  anim = convert (small_png_path, "anim.gif", blue, "-set", "delay", "50", "-loop", "0", NULL);
  report = check (anim, 204799);
  /* Accepted, deliberately: the system shows the first frame, and that is what we check */
  g_assert_true (ek_material_report_is_ok (report));
  g_assert_cmpuint (report->info.n_frames, ==, 2);
  image = decode (anim, &info);
  assert_pixel (image, 100, 200, 220, 20, 30, 24);
}

static void
test_exif_orientation (void)
{
  g_autoptr(EkImage) drawing = small_drawing ();
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (drawing, 85, FALSE, NULL);
  g_autoptr(GBytes) rotated = ek_test_add_exif (jpeg, 6, TRUE);
  g_autoptr(EkMaterialReport) report = check (rotated, 204799);

  g_assert_true (ek_material_report_is_ok (report));
  g_assert_cmpuint (report->info.orientation, ==, 6);
  g_assert_true (report->info.has_metadata);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) drawing = NULL;
  g_autoptr(EkImage) page = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  int result;

  ek_test_init (&argc, &argv);
  tmpdir = g_dir_make_tmp ("ek-check-XXXXXX", &error);
  g_assert_no_error (error);

  drawing = small_drawing ();
  png = ek_image_encode_png (drawing, NULL);
  small_png_path = tmp_path ("small.png");
  g_assert_true (ek_test_write_file (small_png_path, png));
  page = ek_test_render_page (EK_TEST_PAGE_SEALED, 150, 1, NULL);
  jpeg = ek_image_encode_jpeg (page, 90, FALSE, NULL);
  page_jpeg_path = tmp_path ("page.jpg");
  g_assert_true (ek_test_write_file (page_jpeg_path, jpeg));

  g_test_add_func ("/material-check/empty", test_empty);
  g_test_add_func ("/material-check/renamed-formats", test_renamed_formats);
  g_test_add_func ("/material-check/bombs", test_bombs);
  g_test_add_func ("/material-check/corrupt", test_corrupt);
  g_test_add_func ("/material-check/truncated", test_truncated);
  g_test_add_func ("/material-check/too-large", test_too_large);
  g_test_add_func ("/material-check/jpeg-cmyk-progressive", test_jpeg_variants);
  g_test_add_func ("/material-check/png-16-bit-alpha-1x1", test_png_variants);
  g_test_add_func ("/material-check/png-filters-chunks", test_png_filters_chunks);
  g_test_add_func ("/material-check/png-damage-on-fit", test_png_damage_on_fit);
  g_test_add_func ("/material-check/animated-gif", test_animated_gif);
  g_test_add_func ("/material-check/exif-orientation", test_exif_orientation);
  result = g_test_run ();
  ek_test_images_shutdown ();

  {
    g_autoptr(GError) rm_error = NULL;
    g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
    g_autoptr(GFileEnumerator) children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, &rm_error);
    GFileInfo *child;

    while (children != NULL && (child = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autoptr(GFile) file = g_file_get_child (dir, g_file_info_get_name (child));
        g_file_delete (file, NULL, NULL);
        g_object_unref (child);
      }
    g_file_delete (dir, NULL, NULL);
  }
  g_free (small_png_path);
  g_free (page_jpeg_path);
  g_free (tmpdir);
  return result;
}
