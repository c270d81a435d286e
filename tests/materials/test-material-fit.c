/* test-material-fit.c: fit a scanned-looking A4 page with small Chinese text and a red seal */
#define _GNU_SOURCE  /* memmem */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ek-material-fit.h"
#include "ek-test-common.h"
#include "ek-test-images.h"

#define LIMIT_200KB 204799
#define LIMIT_1MB   1048576

static char *tmpdir;

typedef struct
{
  GBytes     *scan;       /* 300 DPI JPEG, as a clerk's scanner makes it */
  EkImage    *original;
  EkTestSeal  seal;
} SealedPage;

static SealedPage sealed;

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
assert_fitted_page (guint64 limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = ek_material_fit_bytes (sealed.scan, limit, NULL, &error);
  g_autoptr(EkImage) result = NULL;
  EkImageInfo info;
  EkTestSeal seal;
  double scale, before, after;

  g_assert_no_error (error);
  g_assert_nonnull (fit);
  g_test_message ("%" G_GSIZE_FORMAT " → %" G_GSIZE_FORMAT " bytes, %u×%u, q%d, %u encodes",
                  g_bytes_get_size (sealed.scan), g_bytes_get_size (fit->bytes), fit->width, fit->height,
                  fit->quality, fit->n_encodes);

  /* Under the limit, with room to spare, but using most of it: every byte left over is
   * detail the reviewer does not get */
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), <=, limit);
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), >=, limit * 85 / 100);
  g_assert_cmpint (fit->format, ==, EK_IMAGE_FORMAT_JPEG);
  g_assert_false (fit->grey);
  g_assert_cmpuint (fit->n_encodes, <=, 4);

  /* Dimensions: never larger, never below about 100 DPI for A4, aspect kept */
  g_assert_cmpuint (fit->width, <=, sealed.original->width);
  g_assert_cmpuint (fit->height, <=, sealed.original->height);
  g_assert_cmpuint (fit->height, >=, 1169);
  g_assert_cmpfloat_with_epsilon ((double) fit->width / fit->height,
                                  (double) sealed.original->width / sealed.original->height, 0.01);

  /* What we say is what the file is */
  result = decode (fit->bytes, &info);
  g_assert_cmpuint (info.width, ==, fit->width);
  g_assert_cmpuint (info.height, ==, fit->height);
  g_assert_false (info.has_metadata);
  g_assert_true (info.progressive);

  /* The seal is still red */
  scale = (double) fit->width / sealed.original->width;
  seal.cx = sealed.seal.cx * scale;
  seal.cy = sealed.seal.cy * scale;
  seal.radius = sealed.seal.radius * scale;
  before = ek_test_seal_redness (sealed.original, &sealed.seal);
  after = ek_test_seal_redness (result, &seal);
  g_test_message ("seal redness %.1f → %.1f", before, after);
  g_assert_cmpfloat (before, >, 80);
  g_assert_cmpfloat (after, >=, 0.85 * before);
}

static void
test_sealed_page_200kb (void)
{
  assert_fitted_page (LIMIT_200KB);
}

static void
test_sealed_page_1mb (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;

  assert_fitted_page (LIMIT_1MB);

  /* 1 MB is room enough for the 300 DPI page at a decent quality: it keeps every pixel. At
   * 200 KB the resolution is measured, but never below 150 DPI, where 8 pt Chinese stays
   * legible at quality 10, nor at a table coarser than the legibility floor of the resolution
   * kept (quality 10 at 150 DPI, 5 at 300: a stroke with twice the pixels survives twice the
   * steps) */
  fit = ek_material_fit_bytes (sealed.scan, LIMIT_1MB, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fit->width, ==, sealed.original->width);
  g_assert_cmpuint (fit->height, ==, sealed.original->height);
  g_assert_cmpint (fit->quality, >=, 50);
  g_clear_pointer (&fit, ek_material_fit_free);
  fit = ek_material_fit_bytes (sealed.scan, LIMIT_200KB, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("200 KB: %u×%u, q%d", fit->width, fit->height, fit->quality);
  g_assert_cmpuint (fit->height, >=, (guint) ceil (11.69 * 150));
  g_assert_cmpint (fit->quality, >=, (int) ceil (10 * 150 / (fit->height / 11.69)));
}

/* Blank paper stays one flat level. Scanner noise moves each 8 × 8 block's mean a little; when
 * the paper's level sits near the edge between two of the DC quantiser's bins, neighbouring
 * blocks of the same paper land in different bins, a checkerboard a reviewer sees as dirt
 * (and the benchmark's SSIM dropped by up to 0.05 at such tables). The DC step chosen for the
 * paper keeps it flat at every table the fit may use; with the tables' own DC step, some of
 * the same tables do make the checkerboard, so the test can tell the two apart. */
static double
blank_block_spread (const EkImage *paper,
                    int            factor,
                    int            luma_dc)
{
  EkJpegSettings settings = { factor, 0, luma_dc, FALSE };
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg_with (paper, &settings, NULL);
  g_autoptr(EkImage) result = NULL;
  EkImageInfo info;
  double lo = 255, hi = 0;

  result = decode (jpeg, &info);
  for (guint by = 0; by + 8 <= result->height; by += 8)
    for (guint bx = 0; bx + 8 <= result->width; bx += 8)
      {
        double sum = 0;

        for (guint y = by; y < by + 8; y++)
          for (guint x = bx; x < bx + 8; x++)
            sum += result->data[(gsize) y * result->stride + x];
        lo = MIN (lo, sum / 64);
        hi = MAX (hi, sum / 64);
      }
  return hi - lo;
}

static void
test_paper_stays_flat (void)
{
  g_autoptr(EkImage) paper = ek_image_new (256, 256, 1);
  guint32 state = 11;
  int level, checkerboards = 0;

  /* Office paper under a scanner: level 249.6 on average, ±5 of noise */
  for (gsize i = 0; i < paper->stride * paper->height; i++)
    {
      state = state * 1664525u + 1013904223u;
      paper->data[i] = (guint8) (244 + (state >> 8) % 11 + (i % 5 == 0 ? 1 : 0) - (i % 7 == 0 ? 1 : 0));
    }
  level = ek_image_paper_level (paper);
  g_assert_cmpint (level, >=, 248 * 8);
  g_assert_cmpint (level, <=, 251 * 8);

  /* Qualities 6–20, where a fit to 200 KB lands and a DC bin is 5–16 levels wide */
  for (int factor = 250; factor <= 800; factor += 5)
    {
      int step = ek_image_jpeg_paper_dc_step (factor, level);
      double fitted = blank_block_spread (paper, factor, step);

      if (fitted >= 1.0)
        g_test_message ("factor %d step %d: spread %.1f", factor, step, fitted);
      g_assert_cmpfloat (fitted, <, 1.0);
      if (blank_block_spread (paper, factor, 0) >= 3.0)
        checkerboards++;
    }
  g_test_message ("the tables' own DC step made %d checkerboards out of 111 tables", checkerboards);
  g_assert_cmpint (checkerboards, >, 0);
}

/* Each output pixel is the mean of the source area it covers, checked against a plain per-pixel
 * computation: colour and grey, under 2:1 (the three-tap path a 300 DPI page takes to ~230 DPI)
 * and over it (the general one), big enough for the resize to use its second thread */
static void
check_area_average (guint channels,
                    guint w,
                    guint h)
{
  g_autoptr(EkImage) source = ek_image_new (1203, 907, channels);
  g_autoptr(EkImage) small = NULL;
  double sx = 1203.0 / w, sy = 907.0 / h;
  guint32 state = 7;

  for (guint y = 0; y < source->height; y++)
    for (guint x = 0; x < source->width * channels; x++)
      {
        state = state * 1664525u + 1013904223u;
        /* gradients, a hard edge every 13 columns, and noise */
        source->data[(gsize) y * source->stride + x] =
          (guint8) (((x / channels) % 13 < 6 ? 40 : 200) + (y * 30) / source->height + ((state >> 24) & 15));
      }
  small = ek_image_scale_down (source, w, h);
  g_assert_nonnull (small);
  g_assert_cmpuint (small->width, ==, w);
  g_assert_cmpuint (small->height, ==, h);
  g_assert_cmpuint (small->channels, ==, channels);

  for (guint oy = 0; oy < h; oy += 7)
    for (guint ox = 0; ox < w; ox += 5)
      for (guint c = 0; c < channels; c++)
        {
          double top = oy * sy, bottom = MIN ((oy + 1) * sy, 907.0);
          double left = ox * sx, right = MIN ((ox + 1) * sx, 1203.0);
          double sum = 0, area = 0;

          for (guint y = (guint) top; y < bottom; y++)
            for (guint x = (guint) left; x < right; x++)
              {
                double a = (MIN (bottom, y + 1.0) - MAX (top, (double) y)) * (MIN (right, x + 1.0) - MAX (left, (double) x));
                sum += a * source->data[(gsize) y * source->stride + (gsize) x * channels + c];
                area += a;
              }
          g_assert_cmpfloat (fabs (small->data[(gsize) oy * small->stride + (gsize) ox * channels + c] - sum / area), <=, 1.0);
        }

  /* The fit measures candidate sizes on a sample of their rows, reduced alone: they must be the
   * very rows the whole reduction gives, or it would measure a page it does not send */
  {
    const guint rows[] = { 0, 1, 17, 18, h / 2 - 1, h / 2, h / 2 + 1, h - 2, h - 1 };
    g_autoptr(EkImage) some = ek_image_scale_down_rows (source, w, h, rows, G_N_ELEMENTS (rows));

    g_assert_nonnull (some);
    g_assert_cmpuint (some->width, ==, w);
    g_assert_cmpuint (some->height, ==, G_N_ELEMENTS (rows));
    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      g_assert_cmpmem (some->data + (gsize) i * some->stride, some->stride,
                       small->data + (gsize) rows[i] * small->stride, small->stride);
  }
}

static void
test_resize_area_average (void)
{
  check_area_average (3, 877, 661);
  check_area_average (1, 877, 661);
  check_area_average (3, 500, 300);
  check_area_average (1, 500, 300);
}

/* The fit's progressive scans re-code the same coefficients: a standard decoder reads exactly
 * the pixels a sequential encode at the same tables gives, in fewer bytes, at a low rate (200 KB)
 * and with luma refined at a high one (1 MB) */
static void
check_progressive (const EkImage *page,
                   int            factor,
                   gboolean       refine)
{
  EkJpegSettings settings = { 0 };
  g_autoptr(GBytes) sequential = NULL;
  g_autoptr(GBytes) progressive = NULL;
  g_autoptr(EkImage) a = NULL;
  g_autoptr(EkImage) b = NULL;
  g_autoptr(GError) error = NULL;
  EkImageInfo info;
  gsize length;
  const guint8 *data;

  settings.luma_factor = factor;
  sequential = ek_image_encode_jpeg_with (page, &settings, &error);
  g_assert_no_error (error);
  settings.progressive = TRUE;
  settings.refine_luma = refine;
  progressive = ek_image_encode_jpeg_with (page, &settings, &error);
  g_assert_no_error (error);
  g_test_message ("%u channel(s), factor %d%s: sequential %" G_GSIZE_FORMAT ", progressive %" G_GSIZE_FORMAT " bytes",
                  page->channels, factor, refine ? ", luma refined" : "", g_bytes_get_size (sequential),
                  g_bytes_get_size (progressive));
  g_assert_cmpuint (g_bytes_get_size (progressive), <, g_bytes_get_size (sequential) * 97 / 100);

  data = g_bytes_get_data (sequential, &length);
  g_assert_true (ek_image_decode (data, length, G_MAXUINT32, &info, &a, NULL, &error));
  g_assert_no_error (error);
  data = g_bytes_get_data (progressive, &length);
  g_assert_true (ek_image_decode (data, length, G_MAXUINT32, &info, &b, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (info.progressive);
  g_assert_cmpuint (b->width, ==, page->width);
  g_assert_cmpuint (b->height, ==, page->height);
  g_assert_cmpuint (b->channels, ==, page->channels);
  g_assert_cmpmem (a->data, a->stride * a->height, b->data, b->stride * b->height);
}

static void
test_progressive_scans (void)
{
  g_autoptr(EkImage) page = ek_test_render_page (EK_TEST_PAGE_SEALED, 150, 3, NULL);
  g_autoptr(EkImage) grey = ek_image_to_grey (page);

  check_progressive (page, 450, FALSE);
  check_progressive (grey, 450, FALSE);
  check_progressive (page, 60, TRUE);
  check_progressive (grey, 60, TRUE);
}

/* Decoding straight into the image, several rows at a time, keeps every row where it belongs,
 * to the last one of an odd height (4:2:0 colour, whose upsampler makes rows in pairs, and grey) */
static void
test_decode_rows (void)
{
  for (guint channels = 1; channels <= 3; channels += 2)
    {
      g_autoptr(EkImage) image = ek_image_new (333, 217, channels);
      g_autoptr(EkImage) decoded = NULL;
      g_autoptr(GBytes) jpeg = NULL;
      g_autoptr(GError) error = NULL;
      EkImageInfo info;
      gsize length;
      const guint8 *data;

      /* Each row its own level, in steps of a full 8 × 8 block so that JPEG keeps them apart */
      for (guint y = 0; y < image->height; y++)
        memset (image->data + (gsize) y * image->stride, (int) (20 + (y / 8) * 8), image->stride);
      jpeg = ek_image_encode_jpeg (image, 95, FALSE, &error);
      g_assert_no_error (error);
      data = g_bytes_get_data (jpeg, &length);
      g_assert_true (ek_image_decode (data, length, G_MAXUINT32, &info, &decoded, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (decoded->width, ==, 333);
      g_assert_cmpuint (decoded->height, ==, 217);
      g_assert_cmpuint (decoded->channels, ==, channels);
      for (guint y = 0; y < decoded->height; y++)
        {
          double sum = 0;

          for (gsize i = 0; i < decoded->stride; i++)
            sum += decoded->data[(gsize) y * decoded->stride + i];
          g_assert_cmpfloat (fabs (sum / decoded->stride - (20 + (y / 8) * 8)), <=, 3.0);
        }
    }
}

static void
test_grey_photocopy (void)
{
  g_autoptr(EkImage) page = ek_test_render_page (EK_TEST_PAGE_PHOTOCOPY, 200, 5, NULL);
  g_autoptr(EkImage) colour = ek_image_to_rgb (page);
  g_autoptr(GBytes) scan = ek_image_encode_jpeg (colour, 92, FALSE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = ek_material_fit_bytes (scan, LIMIT_200KB, NULL, &error);
  EkImageInfo info;

  g_assert_no_error (error);
  /* Scanned in colour, but the page is grey: the result is a greyscale JPEG */
  g_assert_true (fit->grey);
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), <=, LIMIT_200KB);
  g_assert_true (ek_image_read_header (g_bytes_get_data (fit->bytes, NULL), g_bytes_get_size (fit->bytes), &info, NULL));
  g_assert_true (info.grey);
}

/* A JPEG's own luma table from its header, 0 for none or a file cut before its frame header */
static int
table_factor (const guint8 *data,
              gsize         length)
{
  EkImageInfo info;

  return ek_image_read_header (data, length, &info, NULL) ? info.luma_table_factor : 0;
}

/* A JPEG's own table, read back as the fit reads it: the factor of the quality it was saved
 * at, for colour and grey; none for a PNG, a table of another shape, or a cut-off file */
static void
test_jpeg_table_factor (void)
{
  g_autoptr(EkImage) page = ek_test_render_page (EK_TEST_PAGE_SEALED, 100, 2, NULL);
  g_autoptr(EkImage) grey = ek_image_to_grey (page);
  const int qualities[] = { 95, 92, 90, 75, 50, 30 };

  for (guint i = 0; i < G_N_ELEMENTS (qualities); i++)
    for (guint c = 0; c < 2; c++)
      {
        g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (c == 0 ? page : grey, qualities[i], FALSE, NULL);
        gsize length;
        const guint8 *data = g_bytes_get_data (jpeg, &length);
        int factor = table_factor (data, length);

        g_assert_cmpint (factor, ==, ek_image_jpeg_quality_factor (qualities[i]));
        /* Cut anywhere before its tables end: no table, and no read past the end */
        for (gsize cut = 0; cut < 200 && cut < length; cut += 7)
          {
            g_autofree guint8 *copy = g_memdup2 (data, cut);
            int partial = table_factor (copy, cut);

            g_assert_true (partial == 0 || partial == factor);
          }
      }
  {
    g_autoptr(GBytes) png = ek_image_encode_png (grey, NULL);
    g_autoptr(EkImage) flat = ek_image_new (64, 64, 1);
    g_autoptr(GBytes) q100 = NULL;

    g_assert_cmpint (table_factor (g_bytes_get_data (png, NULL), g_bytes_get_size (png)), ==, 0);
    memset (flat->data, 200, flat->stride * flat->height);
    /* Quality 100: every step is 1, whatever Annex K says; not a scaled table */
    q100 = ek_image_encode_jpeg (flat, 100, FALSE, NULL);
    g_assert_cmpint (table_factor (g_bytes_get_data (q100, NULL), g_bytes_get_size (q100)), ==, 0);
  }
}

static inline double
luma_at (const EkImage *image,
         guint          x,
         guint          y)
{
  const guint8 *p = image->data + (gsize) y * image->stride + (gsize) x * image->channels;

  return image->channels == 1 ? p[0] : 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/* The benchmark's measure (tests/bench): mean luma SSIM over 8 × 8 windows sliding by 4 */
static double
luma_ssim (const EkImage *reference,
           GBytes        *jpeg)
{
  const double c1 = 6.5025, c2 = 58.5225;
  g_autoptr(EkImage) result = NULL;
  EkImageInfo info;
  double total = 0;
  guint64 windows = 0;

  result = decode (jpeg, &info);
  g_assert_cmpuint (result->width, ==, reference->width);
  g_assert_cmpuint (result->height, ==, reference->height);
  for (guint by = 2; by + 8 <= reference->height; by += 4)
    for (guint bx = 2; bx + 8 <= reference->width; bx += 4)
      {
        double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;

        for (guint y = by; y < by + 8; y++)
          for (guint x = bx; x < bx + 8; x++)
            {
              double a = luma_at (reference, x, y), b = luma_at (result, x, y);

              ma += a; mb += b; va += a * a; vb += b * b; cov += a * b;
            }
        ma /= 64; mb /= 64;
        va = va / 64 - ma * ma; vb = vb / 64 - mb * mb; cov = cov / 64 - ma * mb;
        total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        windows++;
      }
  return total / windows;
}

/* A clerk's JPEG scan fitted at its own size: a larger limit never gives a worse page. On a
 * clean scan, a table at about twice the scan's own steps splits its smallest levels between
 * two bins, and a page fitted to a little more room came out worse than one fitted to less (the
 * bench's low-noise q92 page at 1 MB: SSIM 0.9873, against 0.9883 at 3 % fewer bytes); on a
 * noisy scan those tables are where its noise is kept or dropped, and the room is used. The
 * limits are the page's sizes at tables from just coarser than twice the scan's to just finer,
 * where a fit without that care lands on it. */
static void
check_more_room_not_worse (double noise)
{
  g_autoptr(EkImage) page = NULL;
  g_autoptr(GBytes) scan = NULL;
  g_autoptr(EkImage) original = NULL;
  const int factors[] = { 37, 35, 34, 33, 32, 30 };
  double last_ssim = 0;
  gsize last_size = 0;
  EkImageInfo info;
  int source;

  ek_test_images_set_noise_scale (noise, 1.0);
  page = ek_test_render_page (EK_TEST_PAGE_SEALED, 150, 4, NULL);
  ek_test_images_set_noise_scale (1.0, 1.0);
  scan = ek_image_encode_jpeg (page, 92, FALSE, NULL);
  source = table_factor (g_bytes_get_data (scan, NULL), g_bytes_get_size (scan));
  g_assert_cmpint (source, ==, 16);
  original = decode (scan, &info);
  for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
    {
      EkJpegSettings settings = { factors[i], 0, 0, TRUE, TRUE };
      g_autoptr(GBytes) at = ek_image_encode_jpeg_with (original, &settings, NULL);
      guint64 limit = (guint64) (g_bytes_get_size (at) / 0.995) + 1;   /* the fit aims at 99.5 % */
      g_autoptr(GError) error = NULL;
      g_autoptr(EkMaterialFit) fit = ek_material_fit_bytes (scan, limit, NULL, &error);
      gsize size;
      int factor;
      double ssim;

      g_assert_no_error (error);
      g_assert_cmpuint (fit->width, ==, original->width);
      size = g_bytes_get_size (fit->bytes);
      factor = table_factor (g_bytes_get_data (fit->bytes, NULL), size);
      ssim = luma_ssim (original, fit->bytes);
      g_test_message ("noise ×%.1f, limit %" G_GUINT64_FORMAT ": %" G_GSIZE_FORMAT " bytes, table factor %d, SSIM %.4f",
                      noise, limit, size, factor, ssim);
      g_assert_cmpuint (size, <=, limit);
      if (size > last_size)
        g_assert_cmpfloat (ssim, >=, last_ssim - 0.0002);
      if (noise < 0.5)
        g_assert_true (factor < 32 || factor >= 36);   /* never 2–2.2 × the scan's steps */
      else
        g_assert_cmpuint (size, >=, limit * 85 / 100);   /* the room is used */
      last_ssim = ssim;
      last_size = size;
    }
}

static void
test_jpeg_scan_more_room_not_worse (void)
{
  check_more_room_not_worse (0.3);
  check_more_room_not_worse (1.0);
}

static void
test_already_fits (void)
{
  g_autoptr(EkImage) card = ek_test_render_id_card (300, FALSE);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (card, 85, FALSE, NULL);
  g_autoptr(GBytes) with_gps = ek_test_add_exif (jpeg, 1, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) same = ek_material_fit_bytes (jpeg, LIMIT_200KB, NULL, &error);
  g_autoptr(EkMaterialFit) stripped = NULL;

  g_assert_no_error (error);
  g_assert_true (same->unchanged);
  g_assert_true (g_bytes_equal (same->bytes, jpeg));

  /* An ID card photo with GPS in its EXIF: the pixels are kept, the EXIF goes */
  stripped = ek_material_fit_bytes (with_gps, LIMIT_200KB, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (stripped->unchanged);
  g_assert_true (g_bytes_equal (stripped->bytes, jpeg));
}

static void
test_exif_rotated (void)
{
  g_autoptr(EkImage) page = ek_test_render_page (EK_TEST_PAGE_SEALED, 200, 3, NULL);
  /* The camera stored the page lying on its side, and says so in EXIF (6 = turn right) */
  g_autoptr(EkImage) lying = ek_image_orient (page, 8);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (lying, 92, FALSE, NULL);
  g_autoptr(GBytes) photo = ek_test_add_exif (jpeg, 6, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = ek_material_fit_bytes (photo, LIMIT_200KB, NULL, &error);
  g_autoptr(EkImage) result = NULL;
  EkImageInfo info;
  gsize length = 0;
  const guint8 *data;

  g_assert_no_error (error);
  g_assert_cmpuint (lying->width, >, lying->height);
  /* Upright again: portrait */
  g_assert_cmpuint (fit->height, >, fit->width);
  result = decode (fit->bytes, &info);
  g_assert_cmpuint (info.orientation, ==, 1);
  g_assert_false (info.has_metadata);
  data = g_bytes_get_data (fit->bytes, &length);
  g_assert_null (memmem (data, MIN (length, 4096), "Exif", 4));
  /* The title is at the top: the top band is darker than the bottom margin */
  {
    guint64 top = 0, bottom = 0;
    for (guint y = result->height * 55 / 1000; y < result->height * 85 / 1000; y++)
      for (guint x = 0; x < result->width; x++)
        top += 255 - result->data[(gsize) y * result->stride + (gsize) x * result->channels];
    for (guint y = result->height * 97 / 100; y < result->height * 99 / 100; y++)
      for (guint x = 0; x < result->width; x++)
        bottom += 255 - result->data[(gsize) y * result->stride + (gsize) x * result->channels];
    g_assert_cmpuint (top, >, bottom * 2);
  }
}

static void
test_refuses_mush (void)
{
  g_autoptr(EkImage) noise = ek_test_render_noise (1400, 1400, 9);
  g_autoptr(GBytes) png = ek_image_encode_png (noise, NULL);
  g_autofree char *in = g_build_filename (tmpdir, "noise.png", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "noise-fitted.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;

  g_assert_true (ek_test_write_file (in, png));
  fit = ek_material_fit_file (in, out, 20000, NULL, &error);
  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_ILLEGIBLE);
  g_assert_null (fit);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_refuses_unreadable (void)
{
  g_autoptr(GBytes) half = g_bytes_new_from_bytes (sealed.scan, 0, g_bytes_get_size (sealed.scan) / 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = ek_material_fit_bytes (half, LIMIT_200KB, NULL, &error);

  g_assert_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TRUNCATED);
  g_assert_null (fit);
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;

  g_cancellable_cancel (cancellable);
  fit = ek_material_fit_bytes (sealed.scan, LIMIT_200KB, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (fit);
}

static void
on_fitted (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  EkMaterialFit **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ek_material_fit_file_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autofree char *in = g_build_filename (tmpdir, "page.jpg", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "page-fitted.jpg", NULL);
  g_autoptr(EkMaterialFit) fit = NULL;

  g_assert_true (ek_test_write_file (in, sealed.scan));
  ek_material_fit_file_async (in, out, LIMIT_200KB, NULL, on_fitted, &fit);
  while (fit == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), <=, LIMIT_200KB);
  g_unlink (out);
  g_unlink (in);
}

/* The scan @name of a seeded corpus */
static EkTestScan *
find_scan (GPtrArray  *corpus,
           const char *name)
{
  for (guint k = 0; k < corpus->len; k++)
    {
      EkTestScan *scan = g_ptr_array_index (corpus, k);

      if (g_str_equal (scan->name, name))
        return scan;
    }
  g_assert_not_reached ();
}

/* A seeded scan's file, as the bench saves it */
static GBytes *
scan_file (const EkTestScan *scan)
{
  return scan->png ? ek_image_encode_png (scan->image, NULL) : ek_image_encode_jpeg (scan->image, scan->quality, FALSE, NULL);
}

/* The seeded corpus's scan @name of seed @seed, as the bench saves it */
static GBytes *
corpus_scan (guint       seed,
             const char *name)
{
  g_autoptr(GPtrArray) corpus = ek_test_render_corpus (seed);

  return scan_file (find_scan (corpus, name));
}

/* How much of the seal's red seed @seed's scan @name keeps, fitted at @limit: the bench's
 * measure, on the seal's ring */
static double
seal_kept (guint       seed,
           const char *name,
           guint64     limit)
{
  g_autoptr(GPtrArray) corpus = ek_test_render_corpus (seed);
  EkTestScan *scan = find_scan (corpus, name);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(EkImage) original = NULL, result = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;
  g_autoptr(GError) error = NULL;
  EkImageInfo info;
  EkTestSeal seal;
  double scale, before, after;

  g_assert_true (scan->has_seal);
  bytes = scan_file (scan);
  g_assert_cmpuint (g_bytes_get_size (bytes), >, limit);
  original = decode (bytes, &info);

  fit = ek_material_fit_bytes (bytes, limit, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), <=, limit);
  result = decode (fit->bytes, &info);
  scale = (double) fit->width / original->width;
  seal.cx = scan->seal.cx * scale;
  seal.cy = scan->seal.cy * scale;
  seal.radius = scan->seal.radius * scale;
  before = ek_test_seal_redness (original, &scan->seal);
  after = ek_test_seal_redness (result, &seal);
  g_test_message ("seed %u %s: %u×%u, q%d, seal redness %.1f → %.1f", seed, name, fit->width, fit->height, fit->quality,
                  before, after);
  g_assert_cmpfloat (before, >, 60);
  return after / before;
}

/* A letter scanned at 150 DPI with heavy noise, already 4:2:0, with a red seal (the seeded
 * corpus's seed 7): nothing can be reduced (150 DPI is the floor), and re-encoded at 4:2:0 its
 * seal's thin ring keeps about 0.92 of its red whatever the table. The fit promises a seal
 * stays red (0.95 of it): it keeps chroma at full resolution there. */
static void
test_seal_on_noisy_150dpi_letter (void)
{
  g_assert_cmpfloat (seal_kept (7, "letter-150", LIMIT_200KB), >=, 0.95);
}

/* The seal is written at the chroma it was judged at. Seed 83's 150 DPI letter at 200 KB: its
 * seal was judged on the sample at luma factor 197, where chroma is at 51; the whole page, one
 * encode short of the target, went on to 148, where the same hold gives chroma 76 (chroma
 * follows luma between 100 and 200), and the seal kept 0.929 of its red. Held at 51, 0.948. */
static void
test_seal_kept_at_its_judged_chroma (void)
{
  g_assert_cmpfloat (seal_kept (83, "letter-150", LIMIT_200KB), >=, 0.94);
}

/* Fits seed @seed's scan @name at @limit and checks that it fits and uses at least @percent
 * of the room; returns the fit */
static EkMaterialFit *
fit_using_room (guint       seed,
                const char *name,
                guint64     limit,
                guint       percent)
{
  g_autoptr(GBytes) scan = corpus_scan (seed, name);
  g_autoptr(GError) error = NULL;
  EkMaterialFit *fit;

  g_assert_cmpuint (g_bytes_get_size (scan), >, limit);
  fit = ek_material_fit_bytes (scan, limit, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("seed %u %s: %u×%u, %" G_GSIZE_FORMAT " bytes of %" G_GUINT64_FORMAT ", quality %d", seed, name,
                  fit->width, fit->height, g_bytes_get_size (fit->bytes), limit, fit->quality);
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), <=, limit);
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), >=, limit * percent / 100);
  return fit;
}

/* A fit uses the room it has: the tools land at 99 % of the limit, and on a noisy page those
 * last percent are SSIM. The whole page's encodes go on along a secant on its own sizes, not
 * stopping at a page well under the target (seed 1's noisy photocopy at 200 KB: an encode aimed
 * at 97.5 % came to 101.3 %, and the page had stayed at 85 %) */
static void
test_room_used_on_noisy_photocopy (void)
{
  g_autoptr(EkMaterialFit) fit = fit_using_room (1, "photocopy-300", LIMIT_200KB, 95);
}

/* A generous limit is used: a clean PNG form at 200 DPI (seed 7) fitted at 1 MB stopped at
 * 713 KB when the fit's finest table was quality 95's, where ImageMagick's extent goes to 96 and
 * beyond (seed 41's 150 DPI PNG form: 62 % of the limit, SSIM 0.9735 against its 0.9791) */
static void
test_generous_limit_used (void)
{
  g_autoptr(EkMaterialFit) fit = fit_using_room (7, "form-png-200", LIMIT_1MB, 90);

  g_assert_cmpint (fit->quality, >, 95);
}

/* Tables at about twice a clean scan's own are kept clear of (a dip in SSIM, see
 * more-room-not-worse), except where the bytes fall off a cliff across them: a phone photo
 * (seed 23) whose own factor is 26 gave 1,121 KB at 51 and 720 KB at 58, so the fit ended at 70 %
 * of 1 MB, below every tool that landed inside the band. */
static void
test_cliff_across_twice_its_table (void)
{
  g_autoptr(EkMaterialFit) fit = fit_using_room (23, "phone-photo-225", LIMIT_1MB, 90);
}

/* Two resolutions whose samples score within their noise: the one whose strokes read better
 * wins. Seed 113's clean 200 DPI letter at 200 KB: 150 DPI's sample scored 0.001 above 200 DPI's
 * and was chosen, with its strokes at 0.92 against 0.98; the whole page then came to 119 % of
 * the target at the sample's table and was written at SSIM 0.9616, where 200 DPI gives 0.9657 */
static void
test_near_tie_keeps_strokes (void)
{
  g_autoptr(EkMaterialFit) fit = fit_using_room (113, "letter-200", LIMIT_200KB, 90);

  g_assert_cmpuint (fit->width, ==, 1654);
}

/* A JPEG kept at its size is not re-encoded finer than its own table: its coefficients are on
 * its own steps already. Seed 127's noisy page with a photo, saved at quality 87 and 1,339 bytes
 * over 1 MB, was written at quality 89 (SSIM 0.9932, the steps rounded again); at its own
 * table it takes fewer bytes and reads 0.9999 */
static void
test_not_finer_than_its_own_table (void)
{
  g_autoptr(GBytes) scan = corpus_scan (127, "photo-page-200");
  g_autoptr(EkImage) original = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;
  g_autoptr(GError) error = NULL;
  EkImageInfo info;
  double ssim;

  g_assert_cmpuint (g_bytes_get_size (scan), >, LIMIT_1MB);
  original = decode (scan, &info);
  fit = ek_material_fit_bytes (scan, LIMIT_1MB, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (fit->bytes), <=, LIMIT_1MB);
  ssim = luma_ssim (original, fit->bytes);
  g_test_message ("%u×%u, q%d, %" G_GSIZE_FORMAT " bytes, SSIM %.4f", fit->width, fit->height, fit->quality,
                  g_bytes_get_size (fit->bytes), ssim);
  g_assert_cmpint (fit->quality, <=, 87);
  g_assert_cmpfloat (ssim, >=, 0.999);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  ek_test_init (&argc, &argv);
  tmpdir = g_dir_make_tmp ("ek-fit-XXXXXX", &error);
  g_assert_no_error (error);

  sealed.original = ek_test_render_page (EK_TEST_PAGE_SEALED, 300, 1, &sealed.seal);
  sealed.scan = ek_image_encode_jpeg (sealed.original, 92, FALSE, NULL);
  g_assert_cmpuint (g_bytes_get_size (sealed.scan), >, LIMIT_1MB);

  g_test_add_func ("/material-fit/sealed-page-200kb", test_sealed_page_200kb);
  g_test_add_func ("/material-fit/sealed-page-1mb", test_sealed_page_1mb);
  g_test_add_func ("/material-fit/resize-area-average", test_resize_area_average);
  g_test_add_func ("/material-fit/paper-stays-flat", test_paper_stays_flat);
  g_test_add_func ("/material-fit/progressive-scans", test_progressive_scans);
  g_test_add_func ("/material-fit/decode-rows", test_decode_rows);
  g_test_add_func ("/material-fit/grey-photocopy", test_grey_photocopy);
  g_test_add_func ("/material-fit/jpeg-table-factor", test_jpeg_table_factor);
  g_test_add_func ("/material-fit/jpeg-scan-more-room-not-worse", test_jpeg_scan_more_room_not_worse);
  g_test_add_func ("/material-fit/already-fits", test_already_fits);
  g_test_add_func ("/material-fit/exif-rotated", test_exif_rotated);
  g_test_add_func ("/material-fit/seal-on-noisy-150dpi-letter", test_seal_on_noisy_150dpi_letter);
  g_test_add_func ("/material-fit/room-used-on-noisy-photocopy", test_room_used_on_noisy_photocopy);
  g_test_add_func ("/material-fit/seal-kept-at-its-judged-chroma", test_seal_kept_at_its_judged_chroma);
  g_test_add_func ("/material-fit/near-tie-keeps-strokes", test_near_tie_keeps_strokes);
  g_test_add_func ("/material-fit/not-finer-than-its-own-table", test_not_finer_than_its_own_table);
  g_test_add_func ("/material-fit/cliff-across-twice-its-table", test_cliff_across_twice_its_table);
  g_test_add_func ("/material-fit/generous-limit-used", test_generous_limit_used);
  g_test_add_func ("/material-fit/refuses-mush", test_refuses_mush);
  g_test_add_func ("/material-fit/refuses-unreadable", test_refuses_unreadable);
  g_test_add_func ("/material-fit/cancelled", test_cancelled);
  g_test_add_func ("/material-fit/async", test_async);
  result = g_test_run ();
  ek_test_images_shutdown ();

  g_clear_pointer (&sealed.scan, g_bytes_unref);
  g_clear_pointer (&sealed.original, ek_image_free);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return result;
}
