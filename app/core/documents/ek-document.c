/* ek-document.c: the filled forms, as the clerk prints, signs and stamps them
 *
 * Two documents, both in Chinese as issued: the application form
 * 《进出口企业电子钥匙与电子认证证书办理申请表》 (signed by the legal representative, company seal)
 * and the confirmation letter 《电子签章申请确认函》 (signed by the authorised user, seal in the
 * seal-collection area). A4, set in Noto Sans CJK SC with the fonts embedded, the application
 * number on every page, signature and seal areas marked, tick-boxes drawn as on the paper form.
 *
 * Rendering works on a snapshot of the draft, so it can run on a worker thread while the clerk
 * keeps typing. The PDF is written to a temporary file and renamed into place: a cancelled or
 * failed render leaves no half-written file behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-document.h"
#include "ek-l10n.h"
#include "ek-stages.h"
#include "ek-visit.h"

G_DEFINE_QUARK (ek-document-error-quark, ek_document_error)

/* A4 in points */
#define PAGE_WIDTH 595.276
#define PAGE_HEIGHT 841.89
#define MARGIN 48.0
#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN)
#define TOP 70.0
#define BOTTOM (PAGE_HEIGHT - 56.0)
#define LABEL_WIDTH 112.0
#define LABEL2_WIDTH 80.0
#define CELL_PAD 3.5
#define BODY_SIZE 10.0
#define SMALL_SIZE 8.0

typedef struct
{
  EkApplicationDraft *draft;     /* a private snapshot */
  cairo_t            *cr;
  PangoContext       *context;   /* from a font map of this render's own */
  const char         *title;     /* the document's name, for the header */
  char               *number;    /* the application number, or a placeholder */
  double              y;
  int                 page;      /* pages of this document so far */
  char              **business_ticks;  /* the boxes the draft's business ticks */
  GDate               today;     /* the visit's dates count from here */
} Writer;

static const char *
field (Writer     *w,
       const char *name)
{
  return ek_application_draft_get_string (w->draft, name);
}

/* A box is ticked when the clerk ticked it, or when the business ticks it (the catalogue's
 * "form_ticks": 补办 for a reissue, 注销 for a cancellation …) */
static gboolean
tick (Writer     *w,
      const char *name)
{
  return ek_application_draft_get_boolean (w->draft, name) || g_strv_contains ((const char * const *) w->business_ticks, name);
}

/* The boxes the draft's business ticks on the form, from the bundled catalogue */
static char **
business_ticks (EkApplicationDraft *draft)
{
  const char *type_id = ek_application_draft_get_business_type_id (draft);
  g_autoptr(EkCatalogue) catalogue = NULL;
  EkBusinessType *type;

  if (type_id == NULL || *type_id == '\0' || (catalogue = ek_catalogue_new_default (NULL)) == NULL)
    return g_new0 (char *, 1);
  type = ek_catalogue_lookup_business_type (catalogue, type_id);
  if (type == NULL)
    return g_new0 (char *, 1);
  return g_strdupv ((char **) ek_business_type_get_form_ticks (type));
}

static gboolean
is_counter_business (EkApplicationDraft *draft)
{
  const char *type_id = ek_application_draft_get_business_type_id (draft);
  g_autoptr(EkCatalogue) catalogue = type_id != NULL && *type_id != '\0' ? ek_catalogue_new_default (NULL) : NULL;
  EkBusinessType *type = catalogue != NULL ? ek_catalogue_lookup_business_type (catalogue, type_id) : NULL;

  return type != NULL && ek_business_type_get_mode (type) == EK_BUSINESS_MODE_OFFLINE;
}

static const char *
id_type_name (const char *id_type)
{
  if (g_str_equal (id_type, EK_ID_TYPE_RESIDENT_ID))
    return "居民身份证";
  if (g_str_equal (id_type, EK_ID_TYPE_OFFICER_ID))
    return "军官证";
  if (g_str_equal (id_type, EK_ID_TYPE_SOLDIER_ID))
    return "士兵证";
  if (g_str_equal (id_type, EK_ID_TYPE_PASSPORT))
    return "护照";
  if (g_str_equal (id_type, EK_ID_TYPE_OTHER))
    return "其他";
  return id_type;
}

static PangoLayout *
make_layout (Writer         *w,
             const char     *text,
             double          size,
             gboolean        bold,
             double          width,
             PangoAlignment  alignment)
{
  PangoLayout *layout = pango_layout_new (w->context);
  PangoFontDescription *font = pango_font_description_from_string (EK_DOCUMENT_FONT);

  /* Absolute: one cairo unit is one point on the PDF page (pango would assume 96 dpi) */
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_text (layout, text, -1);
  {
    /* Codes and addresses break anywhere, but without a hyphen that could be misread */
    PangoAttrList *attrs = pango_attr_list_new ();

    pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
    pango_layout_set_attributes (layout, attrs);
    pango_attr_list_unref (attrs);
  }
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return (double) height / PANGO_SCALE;
}

static double
layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_size (layout, &width, NULL);
  return (double) width / PANGO_SCALE;
}

/* Draws @text at x, y; returns its height */
static double
show_text (Writer         *w,
           double          x,
           double          y,
           double          width,
           const char     *text,
           double          size,
           gboolean        bold,
           PangoAlignment  alignment)
{
  g_autoptr(PangoLayout) layout = make_layout (w, text, size, bold, width, alignment);

  cairo_move_to (w->cr, x, y);
  pango_cairo_show_layout (w->cr, layout);
  return layout_height (layout);
}

static double
measure_text (Writer     *w,
              double      width,
              const char *text,
              double      size,
              gboolean    bold)
{
  g_autoptr(PangoLayout) layout = make_layout (w, text, size, bold, width, PANGO_ALIGN_LEFT);

  return layout_height (layout);
}

static void
set_grey (cairo_t *cr,
          double   level)
{
  cairo_set_source_rgb (cr, level, level, level);
}

static void
begin_page (Writer *w)
{
  g_autofree char *number = g_strdup_printf ("申请编号：%s", w->number);
  g_autofree char *page = g_strdup_printf ("第 %d 页", w->page + 1);
  cairo_t *cr = w->cr;

  if (w->page > 0)
    cairo_show_page (cr);
  w->page++;

  /* Header: what this is, and which application, on every page */
  set_grey (cr, 0.35);
  show_text (w, MARGIN, 36, CONTENT_WIDTH / 2, w->title, SMALL_SIZE, FALSE, PANGO_ALIGN_LEFT);
  set_grey (cr, 0);
  show_text (w, MARGIN + CONTENT_WIDTH / 2, 34, CONTENT_WIDTH / 2, number, 11, TRUE, PANGO_ALIGN_RIGHT);
  cairo_set_line_width (cr, 0.6);
  cairo_move_to (cr, MARGIN, 54);
  cairo_line_to (cr, PAGE_WIDTH - MARGIN, 54);
  cairo_stroke (cr);

  /* Footer */
  set_grey (cr, 0.35);
  show_text (w, MARGIN, PAGE_HEIGHT - 42, CONTENT_WIDTH / 2, number, SMALL_SIZE, FALSE, PANGO_ALIGN_LEFT);
  show_text (w, MARGIN + CONTENT_WIDTH / 2, PAGE_HEIGHT - 42, CONTENT_WIDTH / 2, page, SMALL_SIZE, FALSE,
             PANGO_ALIGN_RIGHT);
  set_grey (cr, 0);

  w->y = TOP;
}

static void
ensure_space (Writer *w,
              double  height)
{
  if (w->y + height > BOTTOM)
    begin_page (w);
}

static void
title (Writer     *w,
       const char *text)
{
  w->y += show_text (w, MARGIN, w->y, CONTENT_WIDTH, text, 17, TRUE, PANGO_ALIGN_CENTER) + 12;
}

static void
paragraph (Writer     *w,
           const char *text,
           double      size,
           gboolean    bold)
{
  double height = measure_text (w, CONTENT_WIDTH, text, size, bold);

  ensure_space (w, height);
  show_text (w, MARGIN, w->y, CONTENT_WIDTH, text, size, bold, PANGO_ALIGN_LEFT);
  w->y += height + 6;
}

static void
section (Writer     *w,
         const char *text)
{
  ensure_space (w, 40);
  w->y += 3;
  paragraph (w, text, 11, TRUE);
}

static void
cell (Writer *w,
      double  x,
      double  width,
      double  height,
      gboolean shaded)
{
  cairo_t *cr = w->cr;

  cairo_rectangle (cr, x, w->y, width, height);
  if (shaded)
    {
      set_grey (cr, 0.93);
      cairo_fill_preserve (cr);
    }
  set_grey (cr, 0);
  cairo_set_line_width (cr, 0.6);
  cairo_stroke (cr);
}

/* A label/value row too tall for one page: the value continues on the next pages, each part
 * in its own cell, clipped at line boundaries */
static void
split_row (Writer     *w,
           const char *label,
           const char *value)
{
  double value_width = CONTENT_WIDTH - LABEL_WIDTH;
  g_autoptr(PangoLayout) layout = make_layout (w, value, BODY_SIZE + 0.5, FALSE, value_width - 2 * CELL_PAD,
                                               PANGO_ALIGN_LEFT);
  g_autoptr(GArray) tops = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bottoms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *continued = g_strdup_printf ("%s（续）", label);
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  guint first = 0;

  do
    {
      int y0, y1;
      double top, bottom;

      pango_layout_iter_get_line_yrange (iter, &y0, &y1);
      top = (double) y0 / PANGO_SCALE;
      bottom = (double) y1 / PANGO_SCALE;
      g_array_append_val (tops, top);
      g_array_append_val (bottoms, bottom);
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);

  while (first < tops->len)
    {
      double base = g_array_index (tops, double, first);
      double available = BOTTOM - w->y - 2 * CELL_PAD;
      const char *this_label = first == 0 ? label : continued;
      double label_h, height;
      guint last = first;

      /* At least one line per part */
      while (last + 1 < tops->len && g_array_index (bottoms, double, last + 1) - base <= available)
        last++;
      if (g_array_index (bottoms, double, last) - base > available && w->y > TOP)
        {
          begin_page (w);
          continue;
        }

      height = g_array_index (bottoms, double, last) - base + 2 * CELL_PAD;
      label_h = measure_text (w, LABEL_WIDTH - 2 * CELL_PAD, this_label, BODY_SIZE, TRUE);
      cell (w, MARGIN, LABEL_WIDTH, height, TRUE);
      cell (w, MARGIN + LABEL_WIDTH, value_width, height, FALSE);
      show_text (w, MARGIN + CELL_PAD, w->y + MIN (CELL_PAD, (height - label_h) / 2), LABEL_WIDTH - 2 * CELL_PAD,
                 this_label, BODY_SIZE, TRUE, PANGO_ALIGN_LEFT);

      cairo_save (w->cr);
      cairo_rectangle (w->cr, MARGIN + LABEL_WIDTH, w->y + CELL_PAD, value_width, height - 2 * CELL_PAD);
      cairo_clip (w->cr);
      cairo_move_to (w->cr, MARGIN + LABEL_WIDTH + CELL_PAD, w->y + CELL_PAD - base);
      pango_cairo_show_layout (w->cr, layout);
      cairo_restore (w->cr);

      w->y += height;
      first = last + 1;
      if (first < tops->len)
        begin_page (w);
    }
}

/* One table row of label/value pairs (1 or 2); values wrap */
static void
row (Writer     *w,
     const char *label1,
     const char *value1,
     const char *label2,
     const char *value2)
{
  int n = label2 != NULL ? 2 : 1;
  const char *labels[2] = { label1, label2 };
  const char *values[2] = { value1, value2 };
  double label_widths[2] = { LABEL_WIDTH, LABEL2_WIDTH };
  double value_width = n == 1 ? CONTENT_WIDTH - LABEL_WIDTH : (CONTENT_WIDTH - LABEL_WIDTH - LABEL2_WIDTH) / 2;
  double height = 20;
  double x = MARGIN;

  for (int i = 0; i < n; i++)
    {
      height = MAX (height, measure_text (w, label_widths[i] - 2 * CELL_PAD, labels[i], BODY_SIZE, TRUE) + 2 * CELL_PAD);
      height = MAX (height, measure_text (w, value_width - 2 * CELL_PAD, values[i], BODY_SIZE + 0.5, FALSE) + 2 * CELL_PAD);
    }
  if (n == 1 && height > BOTTOM - w->y && (height > BOTTOM - TOP || BOTTOM - w->y > 80))
    {
      split_row (w, label1, value1);
      return;
    }
  ensure_space (w, height);

  for (int i = 0; i < n; i++)
    {
      double label_h = measure_text (w, label_widths[i] - 2 * CELL_PAD, labels[i], BODY_SIZE, TRUE);
      double value_h = measure_text (w, value_width - 2 * CELL_PAD, values[i], BODY_SIZE + 0.5, FALSE);

      cell (w, x, label_widths[i], height, TRUE);
      cell (w, x + label_widths[i], value_width, height, FALSE);
      show_text (w, x + CELL_PAD, w->y + (height - label_h) / 2, label_widths[i] - 2 * CELL_PAD, labels[i],
                 BODY_SIZE, TRUE, PANGO_ALIGN_LEFT);
      show_text (w, x + label_widths[i] + CELL_PAD, w->y + (height - value_h) / 2, value_width - 2 * CELL_PAD,
                 values[i], BODY_SIZE + 0.5, FALSE, PANGO_ALIGN_LEFT);
      x += label_widths[i] + value_width;
    }
  w->y += height;
}

typedef struct
{
  gboolean    checked;
  const char *label;
} Tick;

#define BOX 9.0

/* A box, ticked with “√” as a clerk ticks the paper form: as text, so that a reader of the PDF
 * (and pdftotext) sees which box is ticked */
static void
draw_box (Writer   *w,
          double    x,
          double    y,
          gboolean  checked)
{
  cairo_set_line_width (w->cr, 0.8);
  cairo_rectangle (w->cr, x, y, BOX, BOX);
  cairo_stroke (w->cr);
  if (checked)
    {
      g_autoptr(PangoLayout) mark = make_layout (w, "√", BOX, TRUE, -1, PANGO_ALIGN_LEFT);

      cairo_move_to (w->cr, x + (BOX - layout_width (mark)) / 2, y + (BOX - layout_height (mark)) / 2);
      pango_cairo_show_layout (w->cr, mark);
    }
}

/* Lays out tick-boxes with their labels in @width, wrapping; draws them if @draw */
static double
flow_ticks (Writer     *w,
            double      x0,
            double      y0,
            double      width,
            const Tick *ticks,
            guint       n_ticks,
            gboolean    draw)
{
  double x = x0, y = y0, line_height = 0;

  for (guint i = 0; i < n_ticks; i++)
    {
      g_autoptr(PangoLayout) layout = make_layout (w, ticks[i].label, BODY_SIZE, FALSE, -1, PANGO_ALIGN_LEFT);
      double text_w = layout_width (layout), text_h = layout_height (layout);
      double item_w = BOX + 3 + text_w + 12;

      if (x > x0 && x + item_w - 12 > x0 + width)
        {
          x = x0;
          y += line_height + 3;
          line_height = 0;
        }
      if (draw)
        {
          draw_box (w, x, y + (text_h - BOX) / 2, ticks[i].checked);
          cairo_move_to (w->cr, x + BOX + 3, y);
          pango_cairo_show_layout (w->cr, layout);
        }
      x += item_w;
      line_height = MAX (line_height, text_h);
    }
  return y + line_height - y0;
}

static void
tick_row (Writer     *w,
          const char *label,
          const Tick *ticks,
          guint       n_ticks)
{
  double value_width = CONTENT_WIDTH - LABEL_WIDTH;
  double ticks_h = flow_ticks (w, 0, 0, value_width - 2 * CELL_PAD, ticks, n_ticks, FALSE);
  double label_h = measure_text (w, LABEL_WIDTH - 2 * CELL_PAD, label, BODY_SIZE, TRUE);
  double height = MAX (20, MAX (ticks_h, label_h) + 2 * CELL_PAD);

  ensure_space (w, height);
  cell (w, MARGIN, LABEL_WIDTH, height, TRUE);
  cell (w, MARGIN + LABEL_WIDTH, value_width, height, FALSE);
  show_text (w, MARGIN + CELL_PAD, w->y + (height - label_h) / 2, LABEL_WIDTH - 2 * CELL_PAD, label,
             BODY_SIZE, TRUE, PANGO_ALIGN_LEFT);
  flow_ticks (w, MARGIN + LABEL_WIDTH + CELL_PAD, w->y + (height - ticks_h) / 2, value_width - 2 * CELL_PAD,
              ticks, n_ticks, TRUE);
  w->y += height;
}

/* A dashed box with a grey caption inside: where a seal goes */
static void
seal_box (Writer     *w,
          double      x,
          double      y,
          double      width,
          double      height,
          const char *caption)
{
  static const double dashes[] = { 4.0, 3.0 };
  cairo_t *cr = w->cr;
  double caption_h = measure_text (w, width - 10, caption, BODY_SIZE, FALSE);

  cairo_save (cr);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  cairo_set_line_width (cr, 0.8);
  set_grey (cr, 0.45);
  cairo_rectangle (cr, x, y, width, height);
  cairo_stroke (cr);
  show_text (w, x + 5, y + (height - caption_h) / 2, width - 10, caption, BODY_SIZE, FALSE, PANGO_ALIGN_CENTER);
  cairo_restore (cr);
}

/* A label followed by a line to sign on */
static void
signature_line (Writer     *w,
                double      x,
                double      y,
                double      width,
                const char *label)
{
  g_autoptr(PangoLayout) layout = make_layout (w, label, 10, TRUE, -1, PANGO_ALIGN_LEFT);
  double label_w = layout_width (layout);

  cairo_move_to (w->cr, x, y);
  pango_cairo_show_layout (w->cr, layout);
  cairo_set_line_width (w->cr, 0.6);
  cairo_move_to (w->cr, x + label_w + 4, y + layout_height (layout));
  cairo_line_to (w->cr, x + width, y + layout_height (layout));
  cairo_stroke (w->cr);
}

static const char *
or_blank (const char *value)
{
  return value[0] != '\0' ? value : " ";
}

static void
render_application_form (Writer *w)
{
  g_autofree char *code_change = NULL;
  g_autofree char *legal_id_type = g_strdup (id_type_name (field (w, "legal-rep-id-type")));
  g_autofree char *user_id_type = g_strdup (id_type_name (field (w, "user-id-type")));
  const char *licence = field (w, "licence-type");
  double y;

  w->title = "进出口企业电子钥匙与电子认证证书办理申请表";
  w->page = 0;
  begin_page (w);
  title (w, "进出口企业电子钥匙与电子认证证书办理申请表");

  code_change = g_strdup_printf ("企业代码变更为：%s", field (w, "new-enterprise-code")[0] != '\0'
                                 ? field (w, "new-enterprise-code") : "________________");
  {
    const Tick business[] = {
      { tick (w, "tick-first-application"), "首次申领" },
      { tick (w, "tick-reissue"), "补办" },
      { tick (w, "tick-additional"), "增办" },
      { tick (w, "tick-reapply"), "重新申领" },
      { tick (w, "tick-cancellation"), "注销" },
    };
    const Tick reapply[] = {
      { tick (w, "tick-renewal"), "更新" },
      { tick (w, "tick-unlock"), "解锁" },
      { tick (w, "tick-code-change"), code_change },
    };
    const Tick licences[] = {
      { g_str_equal (licence, EK_LICENCE_NON_ELECTROMECHANICAL), "非机电类许可证" },
      { g_str_equal (licence, EK_LICENCE_ELECTROMECHANICAL), "机电类许可证" },
      { g_str_equal (licence, EK_LICENCE_USED_CAR_EXPORT), "二手车出口许可证" },
    };
    const Tick situations[] = {
      { tick (w, "situation-electromechanical-only"), "未办理对外贸易经营者备案，仅办理机电产品进口单证" },
      { tick (w, "situation-free-trade-zone"), "自贸区企业，已在地方商务主管部门备案" },
      { tick (w, "situation-foreign-invested"), "营业执照体现外商投资" },
    };

    section (w, "一、办理业务（请勾选）");
    tick_row (w, "业务类型", business, G_N_ELEMENTS (business));
    tick_row (w, "重新申领事项", reapply, G_N_ELEMENTS (reapply));
    tick_row (w, "许可证类型", licences, G_N_ELEMENTS (licences));
    tick_row (w, "企业情况", situations, G_N_ELEMENTS (situations));
  }

  section (w, "二、企业信息");
  row (w, "企业名称", or_blank (field (w, "enterprise-name")), NULL, NULL);
  row (w, "统一社会信用代码", or_blank (field (w, "credit-code")),
       "进出口企业代码", or_blank (field (w, "enterprise-code")));
  row (w, "注册地址", or_blank (field (w, "registered-address")), NULL, NULL);
  row (w, "法定代表人", or_blank (field (w, "legal-rep-name")), "证件类型", or_blank (legal_id_type));
  row (w, "法定代表人证件号码", or_blank (field (w, "legal-rep-id-number")), NULL, NULL);

  section (w, "三、授权用户（经办人）及联系方式");
  row (w, "授权用户姓名", or_blank (field (w, "user-name")), "证件类型", or_blank (user_id_type));
  row (w, "证件号码", or_blank (field (w, "user-id-number")), NULL, NULL);
  /* A cancellation names the key to cancel by its login name */
  row (w, "登录系统用户名", or_blank (field (w, "login-name")[0] != '\0' ? field (w, "login-name") : field (w, "key-login-name")),
       NULL, NULL);
  row (w, "部门", or_blank (field (w, "department")), "职务", or_blank (field (w, "job-title")));
  row (w, "手机", or_blank (field (w, "mobile")), "固定电话", or_blank (field (w, "landline")));
  row (w, "电子邮箱", or_blank (field (w, "email")), "邮政编码", or_blank (field (w, "postcode")));
  row (w, "联系地址", or_blank (field (w, "contact-address")), NULL, NULL);

  section (w, "四、申请原因及领取地点");
  row (w, "申请原因", field (w, "reason")[0] != '\0' ? field (w, "reason") : "（补办、增办、变更时填写）", NULL, NULL);
  row (w, "发证机构（审批机关）", or_blank (field (w, "authority-name")), NULL, NULL);

  w->y += 8;
  paragraph (w, "本企业承诺：以上所填信息及所提交的申请材料真实、准确、完整，并承担由此产生的一切责任。",
             BODY_SIZE + 0.5, FALSE);

  /* Signature and seal: the legal representative signs, the company stamps */
  ensure_space (w, 112);
  y = w->y + 4;
  signature_line (w, MARGIN, y + 14, 250, "法定代表人（签字）：");
  signature_line (w, MARGIN, y + 60, 250, "日期：");
  show_text (w, MARGIN + 100, y + 58, 150, "年        月        日", 10, FALSE, PANGO_ALIGN_RIGHT);
  seal_box (w, PAGE_WIDTH - MARGIN - 170, y, 170, 104, "企业公章（盖章处）");
  w->y = y + 110;
}

static void
render_seal_confirmation (Writer *w)
{
  g_autofree char *user_id_type = g_strdup (id_type_name (field (w, "user-id-type")));
  g_autofree char *phone = NULL;
  const char *mobile = field (w, "mobile"), *landline = field (w, "landline");
  double y;

  w->title = "电子签章申请确认函";
  w->page = 0;
  begin_page (w);
  title (w, "电子签章申请确认函");

  paragraph (w, "为实现许可证无纸化申领和电子许可证的要求，商务部配额许可证事务局委托电子钥匙服务商为进出口企业办理"
                "电子签章（电子印章）业务。本确认函表示企业同意将许可证申领上报材料采用数字签名加电子印章的形式上报，"
                "并同意使用以下信息绑定电子印章。", BODY_SIZE + 1, FALSE);

  section (w, "印章采集区域（请在空白处清晰地加盖企业公章）");
  ensure_space (w, 170);
  seal_box (w, MARGIN + (CONTENT_WIDTH - 240) / 2, w->y, 240, 150,
            "印章采集区域\n请在此框内清晰地加盖企业公章，勿压线");
  w->y += 160;

  section (w, "企业基本信息");
  row (w, "企业名称", or_blank (field (w, "enterprise-name")), NULL, NULL);
  row (w, "企业法人", or_blank (field (w, "legal-rep-name")), NULL, NULL);
  row (w, "统一社会信用代码", or_blank (field (w, "credit-code")),
       "进出口企业代码", or_blank (field (w, "enterprise-code")));
  row (w, "用户登录名", or_blank (field (w, "login-name")), NULL, NULL);

  section (w, "申请人（授权用户）信息");
  if (mobile[0] != '\0' && landline[0] != '\0')
    phone = g_strdup_printf ("%s / %s", mobile, landline);
  else
    phone = g_strdup (mobile[0] != '\0' ? mobile : landline);
  row (w, "申请人姓名", or_blank (field (w, "user-name")), "证件类型", or_blank (user_id_type));
  row (w, "证件号码", or_blank (field (w, "user-id-number")), NULL, NULL);
  row (w, "联系电话", or_blank (phone), "电子邮件", or_blank (field (w, "email")));
  row (w, "邮寄地址", or_blank (field (w, "contact-address")), NULL, NULL);

  ensure_space (w, 90);
  y = w->y + 24;
  signature_line (w, MARGIN, y, 240, "申请人（授权用户）签字：");
  signature_line (w, MARGIN + 270, y, CONTENT_WIDTH - 270, "日期：");
  w->y = y + 40;
  paragraph (w, "说明：打印后由授权用户签字，并在印章采集区域加盖清晰的企业公章；扫描为 PNG、JPG 或 GIF 图片后上传。",
             SMALL_SIZE + 0.5, FALSE);
}

/* The counter visit: the seed's paper materials as a checklist, who signs and stamps each, the
 * issuing authority, the dates in working days from @w->today, and what happens next */
static void
render_visit_checklist (Writer *w)
{
  const char *type_id = ek_application_draft_get_business_type_id (w->draft);
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);
  g_autoptr(EkVisit) visit = NULL;
  g_autoptr(EkStages) stages = NULL;
  g_autoptr(EkCalendar) calendar = ek_calendar_new_default (NULL);
  EkBusinessType *type = NULL;
  const char * const chinese[] = { "zh_CN", NULL };
  g_autofree char *heading = NULL, *today = ek_date_format_iso (&w->today);
  guint n = 0;

  if (catalogue != NULL && type_id != NULL && *type_id != '\0')
    {
      type = ek_catalogue_lookup_business_type (catalogue, type_id);
      visit = ek_visit_new_for_business (catalogue, type_id, NULL);
      stages = ek_stages_new_for_business (catalogue, type_id, NULL);
    }

  w->title = "前往发证机构（审批机关）办理清单";
  w->page = 0;
  begin_page (w);
  title (w, "前往发证机构（审批机关）办理清单");

  section (w, "一、办理业务");
  {
    const char *name = NULL;

    if (type != NULL)
      {
        JsonNode *types = json_object_get_member (ek_catalogue_get_document (catalogue), "business_types");

        for (guint i = 0; types != NULL && i < json_array_get_length (json_node_get_array (types)); i++)
          {
            JsonObject *object = json_array_get_object_element (json_node_get_array (types), i);

            if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", ""), type_id) == 0)
              name = ek_l10n_pick_for (json_object_get_member (object, "name"), chinese);
          }
      }
    row (w, "业务类型", or_blank (name != NULL ? name : ""), NULL, NULL);
  }
  row (w, "企业名称", or_blank (field (w, "enterprise-name")), NULL, NULL);
  row (w, "统一社会信用代码", or_blank (field (w, "credit-code")), NULL, NULL);
  {
    const char *authority = field (w, "authority-name");
    g_autofree char *where = NULL;
    JsonObject *found = NULL;
    JsonNode *list = catalogue != NULL ? json_object_get_member (json_object_get_object_member (ek_catalogue_get_document (catalogue),
                                                                                               "authorities"), "list") : NULL;

    for (guint i = 0; list != NULL && JSON_NODE_HOLDS_ARRAY (list) && i < json_array_get_length (json_node_get_array (list)); i++)
      {
        JsonObject *object = json_array_get_object_element (json_node_get_array (list), i);

        if (object != NULL && g_strcmp0 (json_object_get_string_member_with_default (object, "id", ""),
                                         field (w, "authority-id")) == 0)
          found = object;
      }
    if (found != NULL && json_object_has_member (found, "name"))
      authority = ek_l10n_pick_for (json_object_get_member (found, "name"), chinese);
    if (found != NULL && json_object_has_member (found, "address"))
      where = g_strdup (ek_l10n_pick_for (json_object_get_member (found, "address"), chinese));
    row (w, "发证机构（审批机关）", or_blank (authority), NULL, NULL);
    if (where != NULL)
      row (w, "办理地址", where, NULL, NULL);
  }

  section (w, "二、携带材料（原则上应现场提交，特殊原因可快递）");
  for (guint i = 0; visit != NULL && i < ek_visit_get_n_items (visit); i++)
    {
      const EkVisitItem *item = ek_visit_get_item (visit, i);
      g_autofree char *line = NULL, *label = NULL;

      if (item->unless != NULL && ek_application_draft_get_boolean (w->draft, item->unless))
        continue;
      n++;
      label = g_strdup_printf ("□ %u", n);
      line = item->signed_by_zh != NULL ? g_strdup_printf ("%s（%s）", item->text_zh, item->signed_by_zh)
                                        : g_strdup (item->text_zh);
      row (w, label, line, NULL, NULL);
    }

  if (stages != NULL && calendar != NULL)
    {
      g_autofree GDate *ended = g_new0 (GDate, ek_stages_get_n_stages (stages));
      gboolean estimate = FALSE;

      heading = g_strdup_printf ("三、办理时间（自 %s 递交材料起，按工作日计算）", today);
      section (w, heading);
      for (guint i = 0; i < ek_stages_get_n_stages (stages); i++)
        g_date_clear (&ended[i], 1);
      ended[0] = w->today;
      ek_stages_plan (stages, calendar, ended, &estimate);
      for (guint i = 1; i < ek_stages_get_n_stages (stages); i++)
        {
          const EkStage *stage = ek_stages_get_stage (stages, i);
          g_autofree char *date = NULL, *text = NULL;

          if (!g_date_valid (&ended[i]) || stage->working_days < 0)
            continue;
          date = ek_date_format_iso (&ended[i]);
          text = g_strdup_printf ("预计 %s 前（%d个工作日%s）", date, stage->working_days, estimate ? "，估算" : "");
          row (w, stage->title, text, NULL, NULL);
        }
    }

  if (visit != NULL)
    {
      section (w, "四、后续办理");
      paragraph (w, ek_visit_get_next_zh (visit), BODY_SIZE, FALSE);
    }
  paragraph (w, "电子钥匙服务商客服电话：010－58103599    服务网址：www.licence.org.cn", SMALL_SIZE + 0.5, FALSE);
}

static cairo_status_t
write_to_stream (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  GOutputStream *stream = closure;

  return g_output_stream_write_all (stream, data, length, NULL, NULL, NULL)
         ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static gboolean
check_font (PangoFontMap  *map,
            GError       **error)
{
  PangoContext *context = pango_font_map_create_context (map);
  PangoFontDescription *wanted = pango_font_description_from_string (EK_DOCUMENT_FONT " 10");
  g_autoptr(PangoFont) font = pango_font_map_load_font (map, context, wanted);
  PangoFontDescription *found = font != NULL ? pango_font_describe (font) : NULL;
  gboolean ok = found != NULL &&
                g_str_has_prefix (pango_font_description_get_family (found), "Noto Sans CJK");

  pango_font_description_free (wanted);
  g_object_unref (context);
  if (found != NULL)
    pango_font_description_free (found);
  if (!ok)
    /* Translators: %s is a font's name */
    g_set_error (error, EK_DOCUMENT_ERROR, EK_DOCUMENT_ERROR_FONT,
                 _("The Chinese font “%s” is not installed, so the forms cannot be made. "
                   "Ask your administrator to install the package fonts-noto-cjk."),
                 EK_DOCUMENT_FONT);
  return ok;
}

static gboolean
write_failed (GError     **error,
              const char  *path,
              int          saved_errno)
{
  /* Translators: the first %s is a file, the second the system's reason */
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot write the forms to “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
render_snapshot (EkApplicationDraft  *snapshot,
                 EkDocumentKind       kinds,
                 const char          *path,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GOutputStream) stream = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *temp = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  const char *number;
  /* A font map of our own, not the per-thread default: nothing outlives the render, whichever
   * worker thread it ran on */
  g_autoptr(PangoFontMap) map = pango_cairo_font_map_new ();
  Writer w = { 0 };
  int fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !check_font (map, error))
    return FALSE;

  /* Written beside @path and renamed over it only once complete: a cancelled or failed render
   * leaves the previous file (or none). Private: the forms hold ID numbers. */
  temp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return write_failed (error, path, errno);
  stream = g_unix_output_stream_new (fd, TRUE);

  surface = cairo_pdf_surface_create_for_stream (write_to_stream, stream, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  (kinds & EK_DOCUMENT_APPLICATION_FORM)
                                  ? "进出口企业电子钥匙与电子认证证书办理申请表"
                                  : (kinds & EK_DOCUMENT_SEAL_CONFIRMATION) ? "电子签章申请确认函"
                                  : "前往发证机构（审批机关）办理清单");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, PACKAGE_NAME " " PACKAGE_VERSION);

  number = ek_application_draft_get_string (snapshot, "application-number");
  w.draft = snapshot;
  w.cr = cairo_create (surface);
  w.context = pango_font_map_create_context (map);
  pango_cairo_update_context (w.cr, w.context);
  /* A counter business is handed in on paper: it never gets an online application number */
  w.number = g_strdup (number[0] != '\0' ? number : is_counter_business (snapshot) ? "（现场办理，无在线申请编号）" : "（提交后生成）");
  w.business_ticks = business_ticks (snapshot);

  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();

    g_date_clear (&w.today, 1);
    g_date_set_dmy (&w.today, g_date_time_get_day_of_month (now), g_date_time_get_month (now), g_date_time_get_year (now));
    if (*ek_application_draft_get_string (snapshot, "visit-date") != '\0')
      ek_date_parse_iso (ek_application_draft_get_string (snapshot, "visit-date"), &w.today, NULL);
  }
  if (kinds & EK_DOCUMENT_APPLICATION_FORM)
    render_application_form (&w);
  if ((kinds & EK_DOCUMENT_SEAL_CONFIRMATION) && !g_cancellable_is_cancelled (cancellable))
    {
      if (kinds & EK_DOCUMENT_APPLICATION_FORM)
        cairo_show_page (w.cr);
      render_seal_confirmation (&w);
    }
  if ((kinds & EK_DOCUMENT_VISIT_CHECKLIST) && !g_cancellable_is_cancelled (cancellable))
    {
      if (kinds & (EK_DOCUMENT_APPLICATION_FORM | EK_DOCUMENT_SEAL_CONFIRMATION))
        cairo_show_page (w.cr);
      render_visit_checklist (&w);
    }
  cairo_show_page (w.cr);

  status = cairo_status (w.cr);
  g_object_unref (w.context);
  cairo_destroy (w.cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  g_free (w.number);
  g_strfreev (w.business_ticks);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto failed;
  if (status != CAIRO_STATUS_SUCCESS)
    {
      /* Translators: the first %s is a file, the second cairo's reason */
      g_set_error (error, EK_DOCUMENT_ERROR, EK_DOCUMENT_ERROR_RENDER,
                   _("Cannot write the forms to “%s”: %s"), path, cairo_status_to_string (status));
      goto failed;
    }
  if (fsync (fd) != 0 || !g_output_stream_close (stream, NULL, NULL))
    {
      write_failed (error, path, errno != 0 ? errno : EIO);
      goto failed;
    }
  if (g_rename (temp, path) != 0)
    {
      write_failed (error, path, errno);
      goto failed;
    }
  return TRUE;

failed:
  g_output_stream_close (stream, NULL, NULL);
  g_unlink (temp);
  return FALSE;
}

static EkApplicationDraft *
snapshot (EkApplicationDraft *draft)
{
  g_autofree char *json = ek_application_draft_to_json (draft, NULL);
  g_autoptr(GError) error = NULL;
  EkApplicationDraft *copy = ek_application_draft_new_from_json (json, -1, &error);

  /* Whatever a draft holds reads back: see MAX_FIELD_BYTES */
  g_assert_no_error (error);
  return copy;
}

/**
 * ek_document_render_pdf:
 * @draft: the filled application
 * @kinds: which documents, in one PDF: the application form first
 * @path: where to write the PDF; replaced only when the new one is complete
 *
 * Returns: %TRUE if @path now holds the forms
 */
gboolean
ek_document_render_pdf (EkApplicationDraft  *draft,
                        EkDocumentKind       kinds,
                        const char          *path,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_autoptr(EkApplicationDraft) copy = NULL;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), FALSE);
  g_return_val_if_fail ((kinds & (EK_DOCUMENT_ALL | EK_DOCUMENT_VISIT_CHECKLIST)) != 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  copy = snapshot (draft);
  return render_snapshot (copy, kinds, path, cancellable, error);
}

typedef struct
{
  EkApplicationDraft *snapshot;
  EkDocumentKind      kinds;
  char               *path;
} RenderData;

static void
render_data_free (RenderData *data)
{
  g_clear_object (&data->snapshot);
  g_free (data->path);
  g_free (data);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderData *data = task_data;
  GError *error = NULL;

  if (render_snapshot (data->snapshot, data->kinds, data->path, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * ek_document_render_pdf_async:
 *
 * ek_document_render_pdf() on a worker thread, from a snapshot of @draft taken now.
 */
void
ek_document_render_pdf_async (EkApplicationDraft  *draft,
                              EkDocumentKind       kinds,
                              const char          *path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RenderData *data;

  g_return_if_fail (EK_IS_APPLICATION_DRAFT (draft));
  g_return_if_fail ((kinds & (EK_DOCUMENT_ALL | EK_DOCUMENT_VISIT_CHECKLIST)) != 0);
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (RenderData, 1);
  data->snapshot = snapshot (draft);
  data->kinds = kinds;
  data->path = g_strdup (path);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_document_render_pdf_async);
  g_task_set_task_data (task, data, (GDestroyNotify) render_data_free);
  g_task_run_in_thread (task, render_thread);
}

gboolean
ek_document_render_pdf_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ek_document_render_pdf_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
