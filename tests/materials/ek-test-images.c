/* ek-test-images.c: scanned-looking material pages, drawn with cairo and pango */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <libexif/exif-data.h>
#include <fontconfig/fontconfig.h>

#include "ek-test-images.h"

#define A4_W_IN 8.27
#define A4_H_IN 11.69

static const char *paragraph =
  "本企业承诺所填写的信息真实、准确、完整，所提交的申请材料与原件一致。"
  "The enterprise confirms that the information given is true, accurate and complete. "
  "经办人须持本人身份证原件及加盖公章的授权委托书到发证机构领取电子钥匙。"
  "Electronic key No. 9999400000560, certificate serial 1A2B3C4D, valid until 2027-11-21. "
  "如需补办、增办或注销，请按照办事指南准备相应材料并在2个工作日后查询审核结果。";

static guint32
next_random (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

/* Noise, as a multiple of each image's own level (1: the default corpus): the scanner's on
 * pages and cards, the phone's sensor on the photo */
static double noise_scale = 1.0;
static double scanner_noise_scale = 1.0;
static double photo_noise_scale = 1.0;

void
ek_test_images_set_noise_scale (double scanner,
                                double photo)
{
  scanner_noise_scale = MAX (scanner, 0.0);
  photo_noise_scale = MAX (photo, 0.0);
  noise_scale = scanner_noise_scale;
}

/* Noise in [−amplitude, amplitude]: the default corpus draws whole steps; a scaled one draws
 * from the scaled interval and rounds, so that amplitudes under 1 still mean something */
static inline int
scaled_noise (guint32 *state,
              guint    amplitude)
{
  double a;

  if (amplitude == 0)
    return 0;
  if (noise_scale == 1.0)
    return (int) (next_random (state) % (2 * amplitude + 1)) - (int) amplitude;
  a = amplitude * noise_scale;
  return (int) lround ((next_random (state) / 16777216.0 * 2 - 1) * a);
}

static EkImage *
surface_to_image (cairo_surface_t *surface,
                  gboolean          grey,
                  guint             noise,
                  guint             seed)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  EkImage *image;
  guint32 state = seed * 2654435761u + 1;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  image = ek_image_new ((guint) width, (guint) height, grey ? 1 : 3);
  g_assert (image != NULL);
  for (int y = 0; y < height; y++)
    {
      const guint32 *src = (const guint32 *) (gconstpointer) (data + (gsize) y * stride);
      guint8 *dst = image->data + (gsize) y * image->stride;

      for (int x = 0; x < width; x++)
        {
          int r = (src[x] >> 16) & 0xff, g = (src[x] >> 8) & 0xff, b = src[x] & 0xff;
          int n = scaled_noise (&state, noise);

          if (grey)
            {
              int v = (299 * r + 587 * g + 114 * b) / 1000 + n;
              dst[x] = (guint8) CLAMP (v, 0, 255);
            }
          else
            {
              dst[3 * x] = (guint8) CLAMP (r + n, 0, 255);
              dst[3 * x + 1] = (guint8) CLAMP (g + n, 0, 255);
              dst[3 * x + 2] = (guint8) CLAMP (b + n, 0, 255);
            }
        }
    }
  return image;
}

double
ek_test_show_text (cairo_t    *cr,
                   const char *font,
                   double      size_px,
                   double      x,
                   double      y,
                   double      width,
                   const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *description = pango_font_description_from_string (font);
  int height = 0;

  pango_font_description_set_absolute_size (description, size_px * PANGO_SCALE);
  pango_layout_set_font_description (layout, description);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_pixel_size (layout, NULL, &height);
  pango_font_description_free (description);
  g_object_unref (layout);
  return height;
}

void
ek_test_draw_seal (cairo_t    *cr,
                   double      cx,
                   double      cy,
                   double      radius,
                   double      r,
                   double      g,
                   double      b)
{
  const char *name = "北京测试科技有限公司";
  glong n = g_utf8_strlen (name, -1);
  const char *p = name;
  double size = radius * 0.26;

  cairo_save (cr);
  cairo_set_source_rgba (cr, r, g, b, 0.85);
  cairo_set_line_width (cr, radius * 0.06);
  cairo_arc (cr, cx, cy, radius * 0.96, 0, 2 * G_PI);
  cairo_stroke (cr);
  /* The star */
  cairo_move_to (cr, cx, cy - radius * 0.28);
  for (int i = 1; i <= 5; i++)
    {
      double a = -G_PI / 2 + i * 4 * G_PI / 5;
      cairo_line_to (cr, cx + radius * 0.28 * cos (a), cy + radius * 0.28 * sin (a));
    }
  cairo_close_path (cr);
  cairo_fill (cr);
  /* The name along the upper arc */
  for (glong i = 0; i < n; i++, p = g_utf8_next_char (p))
    {
      char ch[8] = { 0 };
      double a = -G_PI * 0.9 + i * (G_PI * 0.8) / (n - 1) - G_PI * 0.0;

      memcpy (ch, p, g_utf8_next_char (p) - p);
      cairo_save (cr);
      cairo_translate (cr, cx + radius * 0.68 * cos (a), cy + radius * 0.68 * sin (a));
      cairo_rotate (cr, a + G_PI / 2);
      ek_test_show_text (cr, "Noto Sans CJK SC Bold", size, -size / 2, -size / 2, 0, ch);
      cairo_restore (cr);
    }
  ek_test_show_text (cr, "Noto Sans CJK SC", size * 0.7, cx - size * 1.4, cy + radius * 0.4, 0, "合同专用章");
  cairo_restore (cr);
}

EkImage *
ek_test_render_page (EkTestPageKind  kind,
                     double          dpi,
                     guint           seed,
                     EkTestSeal     *seal)
{
  int width = (int) lround (A4_W_IN * dpi), height = (int) lround (A4_H_IN * dpi);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  double mm = dpi / 25.4, pt = dpi / 72.0;
  double y, left = 20 * mm, right = width - 20 * mm;
  gboolean copy = kind == EK_TEST_PAGE_PHOTOCOPY;
  EkImage *image;
  EkTestSeal local;
  static const char *labels[][2] = {
    { "企业名称 Enterprise", "北京测试科技有限公司 Beijing Test Technology Co., Ltd." },
    { "统一社会信用代码", "91110000600037341L" },
    { "进出口企业代码", "9999400000560" },
    { "法定代表人", "罗云 LUO Yun" },
    { "经办人 / 身份证号", "张三 11010519491231002X" },
    { "联系电话 / 手机", "010-67811021 / 13800138000" },
    { "电子邮箱 Email", "clerk@example.com.cn" },
    { "办理业务 Business", "☑首次申领  ☐补办  ☐增办  ☐更新  ☐注销" },
  };

  /* Paper */
  if (copy)
    cairo_set_source_rgb (cr, 0.90, 0.90, 0.90);
  else
    cairo_set_source_rgb (cr, 0.985, 0.98, 0.965);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.08, 0.08, 0.1);

  ek_test_show_text (cr, "Noto Sans CJK SC Bold", 15 * pt, left, 18 * mm, right - left, "进出口企业电子钥匙与电子认证证书办理申请表");
  y = 32 * mm;
  cairo_set_line_width (cr, MAX (1.0, 0.25 * mm));
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      double row = 9 * mm;

      cairo_rectangle (cr, left, y, right - left, row);
      cairo_move_to (cr, left + 50 * mm, y);
      cairo_line_to (cr, left + 50 * mm, y + row);
      cairo_stroke (cr);
      ek_test_show_text (cr, "Noto Sans CJK SC", 9 * pt, left + 2 * mm, y + 2.2 * mm, 0, labels[i][0]);
      ek_test_show_text (cr, "Noto Sans CJK SC", 9 * pt, left + 52 * mm, y + 2.2 * mm, 0, labels[i][1]);
      y += row;
    }
  y += 6 * mm;
  for (guint i = 0; y < height - 60 * mm; i++)
    {
      ek_test_show_text (cr, "Noto Sans CJK SC", 8 * pt, left, y, right - left, paragraph);
      y += 8 * pt * 1.5 * 4.2;
    }
  ek_test_show_text (cr, "Noto Sans CJK SC", 9 * pt, left, height - 50 * mm, 0, "法定代表人签字：");
  cairo_set_line_width (cr, 0.5 * mm);
  cairo_move_to (cr, left + 32 * mm, height - 44 * mm);
  cairo_curve_to (cr, left + 40 * mm, height - 52 * mm, left + 48 * mm, height - 40 * mm, left + 60 * mm, height - 47 * mm);
  cairo_stroke (cr);
  ek_test_show_text (cr, "Noto Sans CJK SC", 9 * pt, right - 70 * mm, height - 50 * mm, 0, "（企业公章）  2026年11月21日");

  local.radius = 21 * mm;
  local.cx = right - 45 * mm;
  local.cy = height - 48 * mm;
  if (copy)
    ek_test_draw_seal (cr, local.cx, local.cy, local.radius, 0.35, 0.35, 0.35);
  else
    ek_test_draw_seal (cr, local.cx, local.cy, local.radius, 0.82, 0.08, 0.1);
  if (seal != NULL)
    *seal = local;

  cairo_destroy (cr);
  image = surface_to_image (surface, copy, copy ? 10 : 5, seed);
  cairo_surface_destroy (surface);
  return image;
}

EkImage *
ek_test_render_id_card (double   dpi,
                        gboolean back)
{
  double mm = dpi / 25.4;
  int width = (int) lround (85.6 * mm), height = (int) lround (54 * mm);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *pattern = cairo_pattern_create_linear (0, 0, width, height);
  EkImage *image;

  cairo_pattern_add_color_stop_rgb (pattern, 0, 0.86, 0.92, 0.95);
  cairo_pattern_add_color_stop_rgb (pattern, 1, 0.96, 0.93, 0.86);
  cairo_set_source (cr, pattern);
  cairo_paint (cr);
  cairo_pattern_destroy (pattern);
  if (!back)
    {
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      ek_test_show_text (cr, "Noto Sans CJK SC", 3 * mm, 6 * mm, 6 * mm, 0, "姓名  张三");
      ek_test_show_text (cr, "Noto Sans CJK SC", 3 * mm, 6 * mm, 12 * mm, 0, "性别 男   民族 汉");
      ek_test_show_text (cr, "Noto Sans CJK SC", 3 * mm, 6 * mm, 18 * mm, 0, "出生 1949 年 12 月 31 日");
      ek_test_show_text (cr, "Noto Sans CJK SC", 3 * mm, 6 * mm, 24 * mm, 60 * mm, "住址 北京市东城区测试路1号");
      ek_test_show_text (cr, "Noto Sans CJK SC", 3.4 * mm, 6 * mm, 44 * mm, 0, "公民身份号码  11010519491231002X");
      /* The photo */
      cairo_set_source_rgb (cr, 0.55, 0.68, 0.85);
      cairo_rectangle (cr, 58 * mm, 8 * mm, 22 * mm, 28 * mm);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.93, 0.76, 0.64);
      cairo_arc (cr, 69 * mm, 20 * mm, 6.5 * mm, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.15, 0.12, 0.1);
      cairo_arc (cr, 69 * mm, 16 * mm, 6.5 * mm, G_PI, 2 * G_PI);
      cairo_fill (cr);
    }
  else
    {
      cairo_set_source_rgb (cr, 0.85, 0.15, 0.1);
      cairo_arc (cr, 14 * mm, 14 * mm, 8 * mm, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      ek_test_show_text (cr, "Noto Sans CJK SC Bold", 5 * mm, 28 * mm, 8 * mm, 0, "中华人民共和国");
      ek_test_show_text (cr, "Noto Sans CJK SC Bold", 6 * mm, 22 * mm, 18 * mm, 0, "居民身份证");
      ek_test_show_text (cr, "Noto Sans CJK SC", 3 * mm, 18 * mm, 38 * mm, 0, "签发机关  北京市公安局东城分局");
      ek_test_show_text (cr, "Noto Sans CJK SC", 3 * mm, 18 * mm, 44 * mm, 0, "有效期限  2016.01.01-2036.01.01");
    }
  cairo_destroy (cr);
  image = surface_to_image (surface, FALSE, 4, back ? 7 : 3);
  cairo_surface_destroy (surface);
  return image;
}

EkImage *
ek_test_render_phone_photo (guint       width,
                            guint       height,
                            EkTestSeal *seal)
{
  g_autoptr(EkImage) page = NULL;
  EkTestSeal page_seal;
  double dpi = (height * 0.94) / A4_H_IN;
  EkImage *photo = ek_image_new (width, height, 3);
  guint left, top;
  guint32 state = 99;

  page = ek_test_render_page (EK_TEST_PAGE_SEALED, dpi, 11, &page_seal);
  noise_scale = photo_noise_scale;
  left = (width - page->width) / 2;
  top = (height - page->height) / 2;
  for (guint y = 0; y < height; y++)
    {
      guint8 *dst = photo->data + (gsize) y * photo->stride;

      for (guint x = 0; x < width; x++)
        {
          /* A desk under a lamp: light falls off towards the corners */
          double dx = (x - width / 2.0) / width, dy = (y - height / 2.0) / height;
          double light = 1.0 - 0.35 * (dx * dx + dy * dy) * 2;
          int n = scaled_noise (&state, 4);
          int r, g, b;

          if (x >= left && x < left + page->width && y >= top && y < top + page->height)
            {
              const guint8 *src = page->data + (gsize) (y - top) * page->stride + (gsize) (x - left) * 3;
              r = src[0]; g = src[1]; b = src[2];
            }
          else
            {
              r = 110 + (int) (20 * sin (x * 0.01 + y * 0.002)); g = 80; b = 55;
            }
          dst[3 * x] = (guint8) CLAMP ((int) (r * light) + n, 0, 255);
          dst[3 * x + 1] = (guint8) CLAMP ((int) (g * light * 0.98) + n, 0, 255);
          dst[3 * x + 2] = (guint8) CLAMP ((int) (b * light * 0.93) + n, 0, 255);
        }
    }
  if (seal != NULL)
    {
      seal->cx = page_seal.cx + left;
      seal->cy = page_seal.cy + top;
      seal->radius = page_seal.radius;
    }
  noise_scale = scanner_noise_scale;
  return photo;
}

EkImage *
ek_test_render_noise (guint width,
                      guint height,
                      guint seed)
{
  EkImage *image = ek_image_new (width, height, 3);
  guint32 state = seed;

  for (gsize i = 0; i < image->stride * height; i++)
    image->data[i] = (guint8) next_random (&state);
  return image;
}

/* Mean of how much red stands above green and blue on the seal's ring, 0..255 */
double
ek_test_seal_redness (const EkImage    *image,
                      const EkTestSeal *seal)
{
  double sum = 0;
  guint64 n = 0;

  if (image->channels != 3)
    return 0;
  for (int y = (int) (seal->cy - seal->radius); y <= (int) (seal->cy + seal->radius); y++)
    for (int x = (int) (seal->cx - seal->radius); x <= (int) (seal->cx + seal->radius); x++)
      {
        double d = hypot (x - seal->cx, y - seal->cy) / seal->radius;
        const guint8 *p;

        if (x < 0 || y < 0 || (guint) x >= image->width || (guint) y >= image->height || d < 0.935 || d > 0.985)
          continue;
        p = image->data + (gsize) y * image->stride + (gsize) x * 3;
        sum += MAX (0, p[0] - (p[1] + p[2]) / 2.0);
        n++;
      }
  return n > 0 ? sum / n : 0;
}

gboolean
ek_test_write_file (const char *path,
                    GBytes     *bytes)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  return g_file_set_contents (path, data, (gssize) length, NULL);
}

GBytes *
ek_test_add_exif (GBytes   *jpeg,
                  guint     orientation,
                  gboolean  with_gps)
{
  ExifData *exif = exif_data_new ();
  ExifEntry *entry;
  unsigned char *buffer = NULL;
  unsigned int length = 0;
  gsize jpeg_length = 0;
  const guint8 *data = g_bytes_get_data (jpeg, &jpeg_length);
  GByteArray *out = g_byte_array_new ();
  guint8 header[4];

  exif_data_set_option (exif, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_set_data_type (exif, EXIF_DATA_TYPE_COMPRESSED);
  exif_data_set_byte_order (exif, EXIF_BYTE_ORDER_INTEL);
  exif_data_fix (exif);

  entry = exif_entry_new ();
  exif_content_add_entry (exif->ifd[EXIF_IFD_0], entry);
  exif_entry_initialize (entry, EXIF_TAG_ORIENTATION);
  exif_set_short (entry->data, EXIF_BYTE_ORDER_INTEL, (ExifShort) orientation);
  exif_entry_unref (entry);

  if (with_gps)
    {
      entry = exif_entry_new ();
      entry->tag = (ExifTag) EXIF_TAG_GPS_LATITUDE_REF;
      entry->format = EXIF_FORMAT_ASCII;
      entry->components = 2;
      entry->size = 2;
      entry->data = malloc (2);
      memcpy (entry->data, "N", 2);
      exif_content_add_entry (exif->ifd[EXIF_IFD_GPS], entry);
      exif_entry_unref (entry);
    }

  exif_data_save_data (exif, &buffer, &length);
  exif_data_unref (exif);
  g_assert (buffer != NULL && length + 2 < 65536);

  g_byte_array_append (out, data, 2);   /* SOI */
  header[0] = 0xff;
  header[1] = 0xe1;
  header[2] = (guint8) ((length + 2) >> 8);
  header[3] = (guint8) ((length + 2) & 0xff);
  g_byte_array_append (out, header, 4);
  g_byte_array_append (out, buffer, length);
  g_byte_array_append (out, data + 2, (guint) (jpeg_length - 2));
  free (buffer);
  return g_byte_array_free_to_bytes (out);
}

/* Fontconfig and cairo keep caches for the process's life; drop them so that LeakSanitizer
 * reports only what we lose */
void
ek_test_images_shutdown (void)
{
  pango_cairo_font_map_set_default (NULL);
  cairo_debug_reset_static_data ();
  FcFini ();
}
