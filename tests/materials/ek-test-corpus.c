/* ek-test-corpus.c: a seeded corpus of scans unlike the fixed one, for the benchmark
 *
 * Eight scans a seed, one of each kind a clerk uploads: a business licence, a form kept as
 * JPEG and one as PNG, a letter, a noisy photocopy, both sides of an ID card, a phone photo of
 * a form and a page with a large photo. The seed draws everything else: the source's resolution
 * (150, 200, 300 or 600 DPI), heavy or light scanner noise, white or yellowed paper, skew,
 * dense or sparse text, grey or colour, the phone photo's perspective and uneven light, the
 * JPEG quality the scanner saved at. The same seed gives the same files.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <cairo.h>

#include "ek-test-images.h"

#define A4_W_IN 8.27
#define A4_H_IN 11.69

static const char *sentences[] = {
  "本企业承诺所填写的信息真实、准确、完整，所提交的申请材料与原件一致。",
  "经办人须持本人身份证原件及加盖公章的授权委托书到发证机构领取电子钥匙。",
  "如需补办、增办或注销，请按照办事指南准备相应材料并在2个工作日后查询审核结果。",
  "电子钥匙遗失或损坏的，应当及时向发证机构申请挂失，并办理补办手续。",
  "企业名称、法定代表人或统一社会信用代码发生变更的，应当在变更后三十日内申请更新证书。",
  "本授权委托书自签署之日起生效，有效期至相关业务办理完毕之日止。",
  "申请单位应对上传材料的清晰度负责，模糊、缺页或印章不清的材料将被退回。",
  "海关进出口货物收发货人备案信息以海关系统登记的内容为准。",
  "特此证明该企业自成立以来依法经营，未发现违法违规记录。",
  "兹委托我单位员工前往贵处办理电子口岸卡介质申领相关事宜，请予接洽。",
  "联系人：王小明，联系电话010-65194114，地址：北京市朝阳区建国门外大街1号。",
  "Certificate serial 7F3A9C21, valid from 2026-01-01 to 2028-12-31, key No. 9999400000561.",
};

static void
random_paragraph (GRand   *rand,
                  GString *out,
                  guint    n)
{
  for (guint i = 0; i < n; i++)
    g_string_append (out, sentences[g_rand_int_range (rand, 0, G_N_ELEMENTS (sentences))]);
}

typedef enum
{
  KIND_FORM,
  KIND_LETTER,
  KIND_LICENCE,
  KIND_PHOTO_PAGE,
} Kind;

typedef struct
{
  Kind     kind;
  double   dpi;
  double   skew;        /* degrees */
  double   paper[3];
  double   text_pt;     /* body text size: 8–9 pt dense, 11–12 pt sparse */
  gboolean seal;
  gboolean grey_seal;   /* a photocopy's seal */
} Style;

/* A photograph's worth of detail: smooth light, edges and fine texture */
static cairo_surface_t *
render_photo (GRand *rand,
              int    width,
              int    height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *sky = cairo_pattern_create_linear (0, 0, 0, height);
  int stride;
  guint8 *data;
  guint32 state = g_rand_int (rand);

  cairo_pattern_add_color_stop_rgb (sky, 0, 0.45, 0.62, 0.85);
  cairo_pattern_add_color_stop_rgb (sky, 0.55, 0.85, 0.88, 0.9);
  cairo_pattern_add_color_stop_rgb (sky, 0.56, 0.35, 0.42, 0.3);
  cairo_pattern_add_color_stop_rgb (sky, 1, 0.25, 0.3, 0.2);
  cairo_set_source (cr, sky);
  cairo_paint (cr);
  cairo_pattern_destroy (sky);
  /* Buildings with windows */
  for (int i = 0; i < 9; i++)
    {
      double w = width * g_rand_double_range (rand, 0.06, 0.16), h = height * g_rand_double_range (rand, 0.2, 0.5);
      double x = width * g_rand_double_range (rand, -0.05, 0.95), y = height * 0.56 - h;
      double shade = g_rand_double_range (rand, 0.35, 0.8);

      cairo_set_source_rgb (cr, shade, shade * 0.95, shade * 0.9);
      cairo_rectangle (cr, x, y, w, h);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.15, 0.2, 0.3);
      for (double wy = y + h * 0.05; wy < y + h * 0.9; wy += h * 0.08)
        for (double wx = x + w * 0.1; wx < x + w * 0.85; wx += w * 0.2)
          {
            cairo_rectangle (cr, wx, wy, w * 0.1, h * 0.04);
            cairo_fill (cr);
          }
    }
  cairo_destroy (cr);
  /* Grass, leaves and the sensor: fine texture everywhere */
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (data + (gsize) y * stride);

      for (int x = 0; x < width; x++)
        {
          int r = (row[x] >> 16) & 0xff, g = (row[x] >> 8) & 0xff, b = row[x] & 0xff;
          int amp = y > height * 0.56 ? 40 : 6;
          int n;

          state = state * 1664525u + 1013904223u;
          n = (int) ((state >> 8) % (2 * amp + 1)) - amp;
          r = CLAMP (r + n, 0, 255);
          g = CLAMP (g + n + (y > height * 0.56 ? n / 2 : 0), 0, 255);
          b = CLAMP (b + n, 0, 255);
          row[x] = 0xff000000u | (guint32) r << 16 | (guint32) g << 8 | (guint32) b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
include_point (cairo_t *cr,
               double   x,
               double   y,
               double  *box)
{
  cairo_user_to_device (cr, &x, &y);
  box[0] = MIN (box[0], x);
  box[1] = MIN (box[1], y);
  box[2] = MAX (box[2], x);
  box[3] = MAX (box[3], y);
}

/* A page as cairo draws it, before the scanner: @text gets the text block's bounding box in
 * pixels, @seal the seal's place */
static cairo_surface_t *
render_page (const Style *style,
             GRand       *rand,
             double      *text,
             gboolean    *has_seal,
             EkTestSeal  *seal)
{
  double dpi = style->dpi, mm = dpi / 25.4, pt = dpi / 72.0;
  int width = (int) lround (A4_W_IN * dpi), height = (int) lround (A4_H_IN * dpi);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  double left = 20 * mm, right = width - 20 * mm, y = 18 * mm;
  double box[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  double body = style->text_pt * pt, line = body * 1.5;
  g_autoptr(GString) paragraph = g_string_new (NULL);
  double seal_x = right - 45 * mm, seal_y = height - 48 * mm, seal_r = 21 * mm;

  cairo_set_source_rgb (cr, style->paper[0], style->paper[1], style->paper[2]);
  cairo_paint (cr);
  cairo_translate (cr, width / 2.0, height / 2.0);
  cairo_rotate (cr, style->skew * G_PI / 180);
  cairo_translate (cr, -width / 2.0, -height / 2.0);
  cairo_set_source_rgb (cr, 0.08, 0.08, 0.1);
  cairo_set_line_width (cr, MAX (1.0, 0.25 * mm));

  switch (style->kind)
    {
    case KIND_LICENCE:
      {
        /* Guilloche background, a double frame, the title, the fields and a QR code */
        cairo_save (cr);
        cairo_set_source_rgb (cr, 0.86, 0.78, 0.62);
        cairo_set_line_width (cr, MAX (1.0, 0.12 * mm));
        for (int k = 0; k < 40; k++)
          {
            cairo_move_to (cr, 12 * mm, 40 * mm + k * 5.5 * mm);
            for (double x = 12 * mm; x < width - 12 * mm; x += 2 * mm)
              cairo_line_to (cr, x, 40 * mm + k * 5.5 * mm + 3 * mm * sin (x / (7 * mm) + k * 0.7));
            cairo_stroke (cr);
          }
        cairo_set_source_rgb (cr, 0.55, 0.35, 0.1);
        cairo_set_line_width (cr, 1.2 * mm);
        cairo_rectangle (cr, 8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm);
        cairo_stroke (cr);
        cairo_set_line_width (cr, 0.4 * mm);
        cairo_rectangle (cr, 11 * mm, 11 * mm, width - 22 * mm, height - 22 * mm);
        cairo_stroke (cr);
        cairo_restore (cr);
        ek_test_show_text (cr, "Noto Sans CJK SC Bold", 30 * pt, width / 2.0 - 60 * mm, 22 * mm, 0, "营 业 执 照");
        y = 60 * mm;
        {
          static const char *fields[][2] = {
            { "统一社会信用代码", "91110105MA01ABCD2X" }, { "名　　称", "北京测试科技有限公司" },
            { "类　　型", "有限责任公司（自然人投资或控股）" }, { "法定代表人", "罗云" },
            { "经营范围", "技术开发、技术咨询、技术服务；货物进出口；代理进出口；销售电子产品、计算机软硬件及辅助设备。" },
            { "注册资本", "人民币500万元" }, { "成立日期", "2016年03月18日" },
            { "营业期限", "2016年03月18日至2046年03月17日" }, { "住　　所", "北京市朝阳区建国门外大街1号" },
          };
          for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
            {
              ek_test_show_text (cr, "Noto Sans CJK SC", body, left + 5 * mm, y, 0, fields[i][0]);
              ek_test_show_text (cr, "Noto Sans CJK SC", body, left + 45 * mm, y, right - left - 80 * mm, fields[i][1]);
              include_point (cr, left + 5 * mm, y, box);
              include_point (cr, right - 35 * mm, y + line * 2, box);
              y += line * (strlen (fields[i][1]) > 60 ? 3.2 : 2.0);
            }
        }
        /* QR code: a block of fine black and white modules */
        for (int qy = 0; qy < 29; qy++)
          for (int qx = 0; qx < 29; qx++)
            if (g_rand_boolean (rand))
              {
                cairo_rectangle (cr, left + qx * 0.8 * mm, height - 70 * mm + qy * 0.8 * mm, 0.8 * mm, 0.8 * mm);
                cairo_fill (cr);
              }
        ek_test_show_text (cr, "Noto Sans CJK SC", body, right - 90 * mm, height - 40 * mm, 0, "登记机关　　2026年11月21日");
        seal_x = right - 60 * mm;
        seal_y = height - 55 * mm;
        seal_r = 22 * mm;
        break;
      }
    case KIND_PHOTO_PAGE:
      {
        cairo_surface_t *photo;
        int pw = (int) (right - left), ph = (int) (pw * 0.7);

        ek_test_show_text (cr, "Noto Sans CJK SC Bold", 14 * pt, left, y, right - left, "经营场所实景照片及说明");
        y += 14 * mm;
        photo = render_photo (rand, pw, ph);
        cairo_set_source_surface (cr, photo, left, y);
        cairo_paint (cr);
        cairo_set_source_rgb (cr, 0.08, 0.08, 0.1);
        cairo_surface_destroy (photo);
        y += ph + 6 * mm;
        g_string_truncate (paragraph, 0);
        random_paragraph (rand, paragraph, (guint) (6 * 9 / style->text_pt));
        include_point (cr, left, y, box);
        y += ek_test_show_text (cr, "Noto Sans CJK SC", body, left, y, right - left, paragraph->str);
        include_point (cr, right, y, box);
        break;
      }
    case KIND_FORM:
    case KIND_LETTER:
      {
        static const char *labels[][2] = {
          { "企业名称", "北京测试科技有限公司 Beijing Test Technology Co., Ltd." },
          { "统一社会信用代码", "91110000600037341L" },
          { "进出口企业代码", "9999400000560" },
          { "法定代表人", "罗云 LUO Yun" },
          { "经办人 / 身份证号", "张三 11010519491231002X" },
          { "联系电话 / 手机", "010-67811021 / 13800138000" },
          { "办理业务", "☑首次申领  ☐补办  ☐增办  ☐更新  ☐注销" },
        };

        ek_test_show_text (cr, "Noto Sans CJK SC Bold", 15 * pt, left, y, right - left,
                           style->kind == KIND_FORM ? "进出口企业电子钥匙办理申请表" : "授权委托书");
        y += 14 * mm;
        include_point (cr, left, y, box);
        if (style->kind == KIND_FORM)
          for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
            {
              double row = MAX (9 * mm, body * 2.2);

              cairo_rectangle (cr, left, y, right - left, row);
              cairo_move_to (cr, left + 50 * mm, y);
              cairo_line_to (cr, left + 50 * mm, y + row);
              cairo_stroke (cr);
              ek_test_show_text (cr, "Noto Sans CJK SC", body, left + 2 * mm, y + (row - body * 1.3) / 2, 0, labels[i][0]);
              ek_test_show_text (cr, "Noto Sans CJK SC", body, left + 52 * mm, y + (row - body * 1.3) / 2, 0, labels[i][1]);
              y += row;
            }
        y += 6 * mm;
        while (y < height - 75 * mm)
          {
            g_string_truncate (paragraph, 0);
            random_paragraph (rand, paragraph, style->text_pt < 10 ? 4 : 2);
            y += ek_test_show_text (cr, "Noto Sans CJK SC", body, left, y, right - left, paragraph->str) +
                 (style->text_pt < 10 ? 2 : 8) * mm;
          }
        include_point (cr, right, y, box);
        ek_test_show_text (cr, "Noto Sans CJK SC", 9 * pt, left, height - 50 * mm, 0, "法定代表人签字：");
        cairo_set_line_width (cr, 0.5 * mm);
        cairo_move_to (cr, left + 32 * mm, height - 44 * mm);
        cairo_curve_to (cr, left + 40 * mm, height - 52 * mm, left + 48 * mm, height - 40 * mm, left + 60 * mm, height - 47 * mm);
        cairo_stroke (cr);
        ek_test_show_text (cr, "Noto Sans CJK SC", 9 * pt, right - 70 * mm, height - 50 * mm, 0, "（企业公章）  2026年11月21日");
        break;
      }
    default:
      g_assert_not_reached ();
    }

  *has_seal = style->seal;
  if (style->seal)
    {
      double cx = seal_x, cy = seal_y;

      cairo_new_path (cr);   /* no line from where the text ended */
      if (style->grey_seal)
        ek_test_draw_seal (cr, cx, cy, seal_r, 0.35, 0.35, 0.35);
      else
        ek_test_draw_seal (cr, cx, cy, seal_r, 0.82, 0.08, 0.1);
      cairo_user_to_device (cr, &cx, &cy);
      seal->cx = cx;
      seal->cy = cy;
      seal->radius = seal_r;
    }
  cairo_destroy (cr);
  text[0] = MAX (0, box[0]);
  text[1] = MAX (0, box[1]);
  text[2] = MIN (width, box[2]) - text[0];
  text[3] = MIN (height, box[3]) - text[1];
  return surface;
}

typedef struct
{
  gboolean grey;
  int      noise;        /* ± levels per pixel */
  double   specks;       /* dark toner specks per megapixel */
  double   edge_shadow;  /* a photocopy's darker margins, 0–1 */
} Scanner;

static EkImage *
scan_surface (cairo_surface_t *surface,
              const Scanner   *scanner,
              GRand           *rand)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  EkImage *image = ek_image_new ((guint) width, (guint) height, scanner->grey ? 1 : 3);
  guint32 state = g_rand_int (rand);
  guint n_specks = (guint) (scanner->specks * width * (double) height / 1e6);

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *src = (const guint32 *) (gconstpointer) (data + (gsize) y * stride);
      guint8 *dst = image->data + (gsize) y * image->stride;
      double dy = fabs (y - height / 2.0) / (height / 2.0);

      for (int x = 0; x < width; x++)
        {
          int r = (src[x] >> 16) & 0xff, g = (src[x] >> 8) & 0xff, b = src[x] & 0xff;
          double dx = fabs (x - width / 2.0) / (width / 2.0);
          double shade = 1.0 - scanner->edge_shadow * pow (MAX (dx, dy), 6);
          int n;

          state = state * 1664525u + 1013904223u;
          n = scanner->noise > 0 ? (int) ((state >> 8) % (2 * scanner->noise + 1)) - scanner->noise : 0;
          if (scanner->grey)
            {
              int v = (int) (((299 * r + 587 * g + 114 * b) / 1000) * shade) + n;
              dst[x] = (guint8) CLAMP (v, 0, 255);
            }
          else
            {
              dst[3 * x] = (guint8) CLAMP ((int) (r * shade) + n, 0, 255);
              dst[3 * x + 1] = (guint8) CLAMP ((int) (g * shade) + n, 0, 255);
              dst[3 * x + 2] = (guint8) CLAMP ((int) (b * shade) + n, 0, 255);
            }
        }
    }
  for (guint s = 0; s < n_specks; s++)
    {
      int cx = g_rand_int_range (rand, 0, width), cy = g_rand_int_range (rand, 0, height);
      int radius = g_rand_int_range (rand, 1, 3), level = g_rand_int_range (rand, 20, 110);

      for (int y = MAX (0, cy - radius); y <= MIN (height - 1, cy + radius); y++)
        for (int x = MAX (0, cx - radius); x <= MIN (width - 1, cx + radius); x++)
          for (guint c = 0; c < image->channels; c++)
            image->data[(gsize) y * image->stride + (gsize) x * image->channels + c] = (guint8) level;
    }
  return image;
}

/* Solves the homography taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to @quad */
static void
square_to_quad (const double *quad,
                double       *m)
{
  double x0 = quad[0], y0 = quad[1], x1 = quad[2], y1 = quad[3], x2 = quad[4], y2 = quad[5], x3 = quad[6], y3 = quad[7];
  double dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
  double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
  double det = dx1 * dy2 - dx2 * dy1;
  double g = (sx * dy2 - dx2 * sy) / det, h = (dx1 * sy - sx * dy1) / det;

  m[0] = x1 - x0 + g * x1; m[1] = x3 - x0 + h * x3; m[2] = x0;
  m[3] = y1 - y0 + g * y1; m[4] = y3 - y0 + h * y3; m[5] = y0;
  m[6] = g; m[7] = h; m[8] = 1;
}

static void
invert3 (const double *m,
         double       *r)
{
  double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

  r[0] = (m[4] * m[8] - m[5] * m[7]) / det; r[1] = (m[2] * m[7] - m[1] * m[8]) / det; r[2] = (m[1] * m[5] - m[2] * m[4]) / det;
  r[3] = (m[5] * m[6] - m[3] * m[8]) / det; r[4] = (m[0] * m[8] - m[2] * m[6]) / det; r[5] = (m[2] * m[3] - m[0] * m[5]) / det;
  r[6] = (m[3] * m[7] - m[4] * m[6]) / det; r[7] = (m[1] * m[6] - m[0] * m[7]) / det; r[8] = (m[0] * m[4] - m[1] * m[3]) / det;
}

static void
apply (const double *m,
       double        u,
       double        v,
       double       *x,
       double       *y)
{
  double w = m[6] * u + m[7] * v + m[8];

  *x = (m[0] * u + m[1] * v + m[2]) / w;
  *y = (m[3] * u + m[4] * v + m[5]) / w;
}

/* A phone photo of a page lying on a desk: seen at an angle, lit unevenly, the sensor's noise */
static EkImage *
photograph (cairo_surface_t *page_surface,
            guint            width,
            guint            height,
            GRand           *rand,
            double          *text,
            EkTestSeal      *seal)
{
  int pw = cairo_image_surface_get_width (page_surface), ph = cairo_image_surface_get_height (page_surface);
  int pstride = cairo_image_surface_get_stride (page_surface);
  const guint8 *pdata;
  EkImage *photo = ek_image_new (width, height, 3);
  double quad[8], m[9], inv[9];
  double page_h = height * g_rand_double_range (rand, 0.82, 0.92), page_w = page_h * A4_W_IN / A4_H_IN;
  double cx = width / 2.0 + width * g_rand_double_range (rand, -0.04, 0.04), cy = height / 2.0;
  double jitter = height * g_rand_double_range (rand, 0.01, 0.05);
  double light_dx = g_rand_double_range (rand, -1, 1), light_dy = g_rand_double_range (rand, -1, 1);
  double falloff = g_rand_double_range (rand, 0.2, 0.45);
  int noise = g_rand_int_range (rand, 3, 9);
  guint32 state = g_rand_int (rand);
  double box[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  double corners[4][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 } };

  /* The far edge of the page is narrower: the phone leant back */
  quad[0] = cx - page_w / 2 + jitter + g_rand_double_range (rand, -jitter, jitter); quad[1] = cy - page_h / 2 + g_rand_double_range (rand, -jitter, jitter);
  quad[2] = cx + page_w / 2 - jitter + g_rand_double_range (rand, -jitter, jitter); quad[3] = cy - page_h / 2 + g_rand_double_range (rand, -jitter, jitter);
  quad[4] = cx + page_w / 2 + g_rand_double_range (rand, -jitter, jitter); quad[5] = cy + page_h / 2 + g_rand_double_range (rand, -jitter, jitter);
  quad[6] = cx - page_w / 2 + g_rand_double_range (rand, -jitter, jitter); quad[7] = cy + page_h / 2 + g_rand_double_range (rand, -jitter, jitter);
  square_to_quad (quad, m);
  invert3 (m, inv);

  cairo_surface_flush (page_surface);
  pdata = cairo_image_surface_get_data (page_surface);
  for (guint y = 0; y < height; y++)
    {
      guint8 *dst = photo->data + (gsize) y * photo->stride;

      for (guint x = 0; x < width; x++)
        {
          double u, v, dx = (x - width / 2.0) / width, dy = (y - height / 2.0) / height;
          double light = 1.0 - falloff * (dx * dx + dy * dy) * 2 + 0.12 * (light_dx * dx + light_dy * dy);
          double rgb[3];
          int n;

          apply (inv, x + 0.5, y + 0.5, &u, &v);
          if (u >= 0 && u < 1 && v >= 0 && v < 1)
            {
              double fx = u * pw - 0.5, fy = v * ph - 0.5;
              int x0 = CLAMP ((int) floor (fx), 0, pw - 2), y0 = CLAMP ((int) floor (fy), 0, ph - 2);
              double ax = CLAMP (fx - x0, 0, 1), ay = CLAMP (fy - y0, 0, 1);
              const guint32 *r0 = (const guint32 *) (gconstpointer) (pdata + (gsize) y0 * pstride);
              const guint32 *r1 = (const guint32 *) (gconstpointer) (pdata + (gsize) (y0 + 1) * pstride);

              for (int c = 0; c < 3; c++)
                {
                  int shift = 16 - 8 * c;
                  double a = (r0[x0] >> shift) & 0xff, b = (r0[x0 + 1] >> shift) & 0xff;
                  double d = (r1[x0] >> shift) & 0xff, e = (r1[x0 + 1] >> shift) & 0xff;
                  rgb[c] = (1 - ay) * ((1 - ax) * a + ax * b) + ay * ((1 - ax) * d + ax * e);
                }
            }
          else
            {
              rgb[0] = 110 + 20 * sin (x * 0.01 + y * 0.002);
              rgb[1] = 80;
              rgb[2] = 55;
            }
          state = state * 1664525u + 1013904223u;
          n = (int) ((state >> 8) % (2 * noise + 1)) - noise;
          dst[3 * x] = (guint8) CLAMP ((int) (rgb[0] * light) + n, 0, 255);
          dst[3 * x + 1] = (guint8) CLAMP ((int) (rgb[1] * light * 0.98) + n, 0, 255);
          dst[3 * x + 2] = (guint8) CLAMP ((int) (rgb[2] * light * 0.92) + n, 0, 255);
        }
    }
  /* The text block and the seal, where the photo shows them */
  for (int k = 0; k < 4; k++)
    {
      double x, y;

      apply (m, (text[0] + corners[k][0] * text[2]) / pw, (text[1] + corners[k][1] * text[3]) / ph, &x, &y);
      box[0] = MIN (box[0], x); box[1] = MIN (box[1], y);
      box[2] = MAX (box[2], x); box[3] = MAX (box[3], y);
    }
  text[0] = MAX (0, box[0]);
  text[1] = MAX (0, box[1]);
  text[2] = MIN (width, box[2]) - text[0];
  text[3] = MIN (height, box[3]) - text[1];
  if (seal != NULL)
    {
      double x, y, x1, y1;

      apply (m, seal->cx / pw, seal->cy / ph, &x, &y);
      apply (m, (seal->cx + seal->radius) / pw, seal->cy / ph, &x1, &y1);
      seal->radius = hypot (x1 - x, y1 - y);
      seal->cx = x;
      seal->cy = y;
    }
  return photo;
}

/* Both sides of an ID card on a scanner's A4 bed, a little askew, as clerks scan them */
static EkImage *
cards_on_a_page (double  dpi,
                 GRand  *rand,
                 double *text)
{
  g_autoptr(EkImage) front = ek_test_render_id_card (dpi, FALSE);
  g_autoptr(EkImage) back = ek_test_render_id_card (dpi, TRUE);
  int width = (int) lround (A4_W_IN * dpi), height = (int) lround (A4_H_IN * dpi);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  const EkImage *cards[2] = { front, back };
  Scanner scanner = { FALSE, g_rand_int_range (rand, 1, 6), 0, 0 };
  EkImage *image;

  cairo_set_source_rgb (cr, 0.99, 0.99, 0.99);
  cairo_paint (cr);
  for (int k = 0; k < 2; k++)
    {
      cairo_surface_t *card = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) cards[k]->width, (int) cards[k]->height);
      guint8 *data = cairo_image_surface_get_data (card);
      int stride = cairo_image_surface_get_stride (card);
      double x = width * 0.25, y = height * (0.12 + 0.3 * k);

      for (guint yy = 0; yy < cards[k]->height; yy++)
        for (guint xx = 0; xx < cards[k]->width; xx++)
          {
            const guint8 *p = cards[k]->data + (gsize) yy * cards[k]->stride + (gsize) xx * 3;
            ((guint32 *) (gpointer) (data + (gsize) yy * stride))[xx] = 0xff000000u | (guint32) p[0] << 16 | (guint32) p[1] << 8 | p[2];
          }
      cairo_surface_mark_dirty (card);
      cairo_save (cr);
      cairo_translate (cr, x, y);
      cairo_rotate (cr, g_rand_double_range (rand, -1.5, 1.5) * G_PI / 180);
      cairo_set_source_surface (cr, card, 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (card);
      if (k == 0)
        {
          text[0] = x - 0.02 * width;
          text[1] = y - 0.02 * width;
          text[2] = cards[k]->width + 0.04 * width;
          text[3] = cards[k]->height + 0.04 * width;
        }
    }
  cairo_destroy (cr);
  image = scan_surface (surface, &scanner, rand);
  cairo_surface_destroy (surface);
  return image;
}

void
ek_test_scan_free (EkTestScan *scan)
{
  if (scan == NULL)
    return;
  g_free (scan->name);
  g_free (scan->description);
  ek_image_free (scan->image);
  g_free (scan);
}

static void
yellowed (GRand  *rand,
          double *paper)
{
  if (g_rand_boolean (rand))
    {
      paper[0] = g_rand_double_range (rand, 0.93, 0.97);
      paper[1] = paper[0] - g_rand_double_range (rand, 0.02, 0.05);
      paper[2] = paper[0] - g_rand_double_range (rand, 0.08, 0.16);
    }
  else
    {
      paper[0] = paper[1] = 0.985;
      paper[2] = 0.975;
    }
}

GPtrArray *
ek_test_render_corpus (guint seed)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_test_scan_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed * 7919u + 17);

  for (guint k = 0; k < 8; k++)
    {
      EkTestScan *scan = g_new0 (EkTestScan, 1);
      Style style = { 0 };
      Scanner scanner = { 0 };
      cairo_surface_t *surface = NULL;
      gboolean heavy = g_rand_int_range (rand, 0, 3) == 0;
      const char *name = NULL;

      style.dpi = 300;
      style.skew = g_rand_double_range (rand, -1.5, 1.5);
      style.text_pt = g_rand_boolean (rand) ? g_rand_double_range (rand, 8, 9.5) : g_rand_double_range (rand, 10.5, 12);
      yellowed (rand, style.paper);
      scanner.noise = heavy ? g_rand_int_range (rand, 8, 14) : g_rand_int_range (rand, 1, 5);
      scan->quality = g_rand_int_range (rand, 80, 96);
      switch (k)
        {
        case 0:
          name = "licence";
          style.kind = KIND_LICENCE;
          style.dpi = g_rand_boolean (rand) ? 200 : 300;
          style.seal = TRUE;
          break;
        case 1:
          name = "form-jpeg";
          style.kind = KIND_FORM;
          style.dpi = g_rand_boolean (rand) ? 200 : 300;
          style.seal = TRUE;
          scanner.grey = g_rand_int_range (rand, 0, 4) == 0;
          style.grey_seal = scanner.grey;
          break;
        case 2:
          name = "form-png";
          style.kind = KIND_FORM;
          style.dpi = g_rand_boolean (rand) ? 150 : 200;
          style.seal = TRUE;
          scanner.grey = g_rand_boolean (rand);
          style.grey_seal = scanner.grey;
          scan->png = TRUE;
          break;
        case 3:
          name = "letter";
          style.kind = KIND_LETTER;
          style.dpi = (const double[]) { 150, 200, 200, 300 }[g_rand_int_range (rand, 0, 4)];
          style.seal = g_rand_boolean (rand);
          scanner.grey = !style.seal && g_rand_boolean (rand);
          break;
        case 4:
          name = "photocopy";
          style.kind = g_rand_boolean (rand) ? KIND_FORM : KIND_LETTER;
          style.dpi = g_rand_boolean (rand) ? 200 : 300;
          style.seal = TRUE;
          style.grey_seal = TRUE;
          style.paper[0] = style.paper[1] = style.paper[2] = g_rand_double_range (rand, 0.82, 0.92);
          scanner.grey = g_rand_boolean (rand);   /* else a colour scan of a grey page */
          scanner.noise = g_rand_int_range (rand, 10, 16);
          scanner.specks = g_rand_double_range (rand, 50, 400);
          scanner.edge_shadow = g_rand_double_range (rand, 0.1, 0.4);
          heavy = TRUE;
          break;
        case 5:
          name = "id-card";
          style.dpi = g_rand_boolean (rand) ? 600 : 300;
          break;
        case 6:
          name = "phone-photo";
          style.kind = KIND_FORM;
          style.seal = TRUE;
          break;
        case 7:
          name = "photo-page";
          style.kind = KIND_PHOTO_PAGE;
          style.dpi = g_rand_boolean (rand) ? 200 : 300;
          style.seal = g_rand_boolean (rand);
          break;
        default:
          g_assert_not_reached ();
        }

      if (k == 5)
        {
          if (style.dpi >= 600)
            {
              g_autoptr(EkImage) front = ek_test_render_id_card (600, FALSE);
              g_autoptr(EkImage) back = ek_test_render_id_card (600, TRUE);

              scan->image = ek_image_stack (front, back);
              scan->text[2] = front->width;
              scan->text[3] = front->height;
              scan->description = g_strdup ("both sides cropped, 600 DPI");
            }
          else
            {
              scan->image = cards_on_a_page (300, rand, scan->text);
              scan->description = g_strdup ("both sides on an A4 bed, 300 DPI");
            }
          scan->dpi = style.dpi;
        }
      else if (k == 6)
        {
          const guint sizes[][2] = { { 4000, 3000 }, { 3264, 2448 }, { 4032, 3024 } };
          guint s = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (sizes));

          style.dpi = sizes[s][1] / A4_H_IN;
          surface = render_page (&style, rand, scan->text, &scan->has_seal, &scan->seal);
          scan->image = photograph (surface, sizes[s][0], sizes[s][1], rand, scan->text, &scan->seal);
          scan->dpi = style.dpi * 0.87;
          scan->description = g_strdup_printf ("%u×%u, %s text", sizes[s][0], sizes[s][1], style.text_pt < 10 ? "dense" : "sparse");
        }
      else
        {
          surface = render_page (&style, rand, scan->text, &scan->has_seal, &scan->seal);
          scan->has_seal &= !style.grey_seal && !scanner.grey;
          scan->image = scan_surface (surface, &scanner, rand);
          scan->dpi = style.dpi;
          scan->description = g_strdup_printf ("%.0f DPI, %s, %s noise, %s paper, skew %+.1f°, %s text",
                                               style.dpi, scanner.grey ? "grey" : "colour", heavy ? "heavy" : "light",
                                               style.paper[2] < style.paper[0] - 0.05 ? "yellowed" : "white",
                                               style.skew, style.text_pt < 10 ? "dense" : "sparse");
        }
      if (surface != NULL)
        cairo_surface_destroy (surface);
      scan->name = g_strdup_printf ("%s-%.0f", name, scan->dpi);
      g_ptr_array_add (corpus, scan);
    }
  return corpus;
}
