/* ek-material-fit.c: fit an image under its byte limit, its resolution and quality chosen by
 * measuring them against the original
 *
 * The size model: at a fixed resolution, log(bytes) falls about linearly with the log of the
 * quantisation table's scale factor (libjpeg's linear quality, which steps more finely than the
 * 1–100 quality), and at a fixed table bytes grow about as scale^1.4 (a smaller page is busier
 * per pixel). Trial encodes run on a sample of the page (a band of 16 rows in every 64); a
 * secant on that model lands within a few percent of the goal in two to four of them.
 *
 * Resolution by measurement, not by rule. The candidates, as if the image were an A4 page: the
 * source's resolution (at most MAX_DPI), the largest page that fits at the legibility floor when
 * the source's does not, and 200 and 150 DPI below it. Each is searched on its sample (reduced
 * alone: ek_image_scale_down_rows) for the finest table that fits; the sample's encode is
 * decoded and scored against the original at the original's resolution (score_sample: luma
 * SSIM on 8 × 8 windows, as tests/bench scores a fit, and how red a seal's pixels stay). The
 * best score wins among the pages that keep a seal red. Pruned: no smaller page once the source
 * fits at quality 50, or once a candidate scores below the best. Two candidates are
 * measured side by side on two cores. The legibility floor follows the pixels a stroke has:
 * quality 10 at 150 DPI, 5 at 300, rising below 150 DPI to 30 at 100; never below 100 DPI,
 * never upscaled. Then the whole page is encoded at the sampled table, and again, one encode at
 * a time, along a secant on its own sizes while it is over the limit or well under the target
 * (99.5 % of the limit); the page is reduced further only if even the floor does not fit it
 * whole.
 *
 * Encodes are progressive by spectral selection with optimised Huffman tables (ek-image-jpeg.c:
 * 7–12 % smaller than sequential at the same tables, in the same time), luma refined in a
 * second pass where the budget is rich, with the luma DC step moved so that the paper sits in
 * the middle of a bin (ek_image_jpeg_paper_dc_step: otherwise blank paper turns into a
 * checkerboard at one table in four). Colour pages keep 4:2:0 chroma; below luma quality 50
 * its table is held at quality 60's, at 80's when the sample says a seal would fade, and a
 * seal that fades even so gets 4:4:4.
 *
 * A JPEG kept at its own size (a clean scan at 1 MB) is re-encoded clear of tables at 2–2.2
 * times its own (off_even_multiple): there its smallest levels sit on the edges of the new
 * bins, and SSIM dips below what coarser tables give with fewer bytes. Only where the paper is
 * clean (ek_image_paper_grain under CLEAN_GRAIN): on a noisy scan those tables are where its
 * noise is kept or dropped.
 *
 * Memory: the decoded page, the chosen reduced page, two candidates' samples and their
 * encoders' coefficient buffers. The measurements behind each of these choices, and what was
 * tried and not kept, are in README.md beside this file.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-material-fit.h"

#define HEADROOM          0.995  /* aim a hair under the limit: the tools fill 99 % (README.md, third round) */
#define SEARCH_CLOSE      0.95   /* a trial within 5 % under the goal is close enough */
#define AIM_QUALITY       10     /* keep the resolution down to this quality, then reduce the size */
#define MIN_QUALITY       10     /* at 150 DPI; below, 8 pt strokes dissolve into blocks */
#define MIN_QUALITY_FINE  5      /* at 300 DPI and more */
#define MAX_QUALITY       99     /* a generous limit is used (seed 41: a 150 DPI PNG form at 1 MB, capped at 95, left 38 % of it) */
#define CHROMA_FACTOR     80     /* chroma table no coarser than quality 60's: a seal stays red… */
#define CHROMA_FACTOR_SEAL 40    /* …or quality 80's where the sample says it would not */
#define A4_LONG_INCHES    11.69
#define MAX_DPI           400.0  /* more than any office scan needs; a phone photo keeps its pixels */
#define FLOOR_DPI         100.0  /* less than this and small print is unreadable */
#define COLOUR_FRACTION   0.0005 /* 0.05 % clearly coloured pixels: a seal, a photo */
#define MAX_ENCODES       8      /* per search */
#define MAX_ROUNDS        4      /* resolutions tried */
#define NEAR_MISS         1.08   /* a sample this much over the goal may still fit whole */
#define WHOLE_CLOSE       0.94   /* a whole page this close to the target is not encoded again */
#define MAX_WHOLE_ENCODES 4      /* of the whole page at one resolution */
#define TYPICAL_BITS_AT_AIM 0.25 /* bits per pixel of a scanned page at AIM_QUALITY */
#define EVEN_STEP_MARGIN  0.10   /* a clean JPEG kept at its size: no table 2–2.2 (4, 6) × its own */
#define CLEAN_GRAIN       2.0    /* paper grain (ek_image_paper_grain) below which a scan is clean */
#define CLIFF_SLOPE       2.0    /* bytes falling faster than factor^−2 across that band: a cliff, not a dip */
#define FINE_TABLES       150    /* a first guess this fine or finer (quality 33 and up)… */
#define FAR_SHORT         0.6    /* …whose encode came to less than this part of the goal… */
#define FINE_SLOPE        1.0    /* …goes on along this slope, not 0.65 */
#define KEEP_QUALITY      50     /* the source's resolution fits at this quality: no smaller page tried */
#define MAX_REDUCTIONS    2      /* pages reduced to fit at the floor, tried before CANDIDATE_DPI's */
#define KEEP_BITS         0.4    /* bits a pixel at the source's size from which a page usually keeps it */

/* Resolutions measured below the source's, as if the image were an A4 page: 150 DPI keeps 8 pt
 * Chinese legible at quality 10 (min_quality) */
static const double candidate_dpi[] = { 200, 150 };

void
ek_material_fit_free (EkMaterialFit *fit)
{
  if (fit == NULL)
    return;
  g_clear_pointer (&fit->bytes, g_bytes_unref);
  g_free (fit);
}

gboolean
ek_material_fit_keeps_colour (const EkImage *image)
{
  g_return_val_if_fail (image != NULL, FALSE);

  return image->channels == 3 && ek_image_colour_fraction (image) >= COLOUR_FRACTION;
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* The legibility floor: the fewer pixels a stroke has, the less quantisation it survives.
 * Quality 10 keeps 8 pt text readable at 150 DPI; at 100 DPI it takes 30; with twice the
 * pixels a stroke survives twice the steps (300 DPI: quality 5). Whether a page is better
 * smaller at a finer table or larger at a coarser one is measured (score_sample), not ruled. */
static int
min_quality (double dpi)
{
  if (dpi >= 150)
    return MAX (MIN_QUALITY_FINE, (int) ceil (MIN_QUALITY * 150 / dpi));
  return (int) ceil (MIN_QUALITY + (150 - dpi) * 0.4);
}

/* Which band of the four in each 64 rows is sampled varies, so that text lines spaced a
 * multiple of 64 rows apart are neither all in the sample nor all out of it */
static inline guint
band_offset (guint band)
{
  return ((band * 2654435761u) >> 13) % 4 * 16;
}

/* Every fourth band of 16 rows (JPEG's 4:2:0 blocks are 16 rows high): a page's text, lines and
 * paper in their usual proportions, at a quarter of the cost. The rows of a page @height rows
 * high; NULL when the page is too small for a sample to mean anything. */
#define MIN_SAMPLED_HEIGHT 512

static guint *
sample_rows (guint  height,
             guint *n_rows)
{
  guint bands = height / 64, *rows;

  if (height < MIN_SAMPLED_HEIGHT)
    return NULL;
  rows = g_new (guint, bands * 16);
  for (guint b = 0; b < bands; b++)
    for (guint r = 0; r < 16; r++)
      rows[b * 16 + r] = b * 64 + band_offset (b) + r;
  *n_rows = bands * 16;
  return rows;
}

/* The sample of @image reduced to @width × @height, reducing only the sampled rows (bit for
 * bit the rows of the whole reduced page) */
static EkImage *
sample_bands (const EkImage *image,
              guint          width,
              guint          height)
{
  g_autofree guint *rows = NULL;
  EkImage *sample;
  guint n_rows = 0;

  rows = sample_rows (height, &n_rows);
  if (rows == NULL)
    return NULL;
  if (width < image->width || height < image->height)
    return ek_image_scale_down_rows (image, width, height, rows, n_rows);
  sample = ek_image_new (image->width, n_rows, image->channels);
  if (sample == NULL)
    return NULL;
  for (guint y = 0; y < n_rows; y++)
    memcpy (sample->data + (gsize) y * sample->stride, image->data + (gsize) rows[y] * image->stride, image->stride);
  return sample;
}

static gboolean
out_of_memory (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                       _("There is not enough memory to open this image."));
  return FALSE;
}

typedef struct
{
  const EkImage *image;
  int            chroma_hold; /* chroma's table no coarser than this factor (a seal, a photo), 0: grey */
  int            chroma_cap;  /* and none coarser than this one, where a seal was judged (0: none) */
  gboolean       full_chroma; /* 4:4:4, where a seal fades at 4:2:0 */
  int            paper;       /* the paper's luma level in eighths, -1 if unknown */
  int            source;      /* the JPEG's own table factor when the page keeps its size and its paper
                               * is clean (off_even_multiple), else 0 */
  int            best_factor; /* the finest table worth trying */
  int            worst_factor;/* the legibility floor at this resolution */
  double         goal;        /* bytes */
  double         slope;       /* −d log(bytes) / d log(factor), learnt from the trials */
  /* results */
  int            factor;      /* the finest factor that fitted, 0 if none */
  GBytes        *bytes;       /* its encode */
  double         fit_bytes;
  int            over_factor; /* the coarsest factor that did not fit, 0 if none */
  double         over_bytes;
  guint          n_encodes;
  int            trial_factor[MAX_ENCODES];  /* every trial, in order */
  double         trial_bytes[MAX_ENCODES];
} Search;

static void
search_clear (Search *search)
{
  g_clear_pointer (&search->bytes, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Search, search_clear)

/* The libjpeg quality whose table is @factor, for reports */
static int
factor_to_quality (int factor)
{
  if (factor <= 0)
    return 0;
  if (factor <= 100)
    return CLAMP ((200 - factor + 1) / 2, 50, 100);
  return CLAMP ((5000 + factor / 2) / factor, 1, 50);
}

/* Chroma follows luma while luma is fine enough to keep colour by itself (quality 50 and
 * better); below that it is held at CHROMA_FACTOR, reached gradually so that bytes keep
 * falling as the factor rises (the search depends on it) */
static int
chroma_factor (int factor,
               int hold)
{
  if (factor <= 100)
    return factor;
  if (factor <= 200)
    return MAX (hold, 100 - (factor - 100) / 2);
  return hold;
}

/* Progressive, with luma refined in a second pass where the budget is rich (see
 * ek-image.c's scans): decided by the bits a pixel the goal leaves, the same for a sample and
 * its page */
#define REFINE_BITS 0.5

/* A JPEG re-encoded at its own size keeps its blocks, and its coefficients are multiples of its
 * own table's steps. From twice those steps to about 10 % more (or four, six times), the
 * scan's smallest levels fall on or near the edge between two new bins, and the DCT's rounding
 * keeps some and drops others: on a clean scan's page, SSIM dips there below what the next
 * coarser tables give with fewer bytes (tests/bench, the low-noise q92 sealed page, whose own
 * factor is 16: factors 32 and 33 give 0.9872 and 0.9873 at 1,083 and 1,025 KB, 34 and 36
 * 0.9883 and 0.9884 at 996 and 944 KB). Such a factor is moved to the nearer end, the finer or the coarser, wherever
 * the fit picks a factor, so that what it encodes is what it records. */
static int
off_even_multiple (int factor,
                   int source)
{
  if (source < 4)
    return factor;
  for (int k = 2; k <= 6; k += 2)
    {
      double end = k * source * (1 + EVEN_STEP_MARGIN);

      if (factor >= k * source && factor < end)
        return log ((double) factor / (k * source - 1)) <= log (ceil (end) / factor) ? k * source - 1
                                                                                      : (int) ceil (end);
    }
  return factor;
}

static GBytes *
encode (const EkImage  *image,
        int             factor,
        int             chroma_hold,
        int             chroma_cap,
        gboolean        full_chroma,
        int             paper,
        double          goal,
        GError        **error)
{
  EkJpegSettings settings = { 0 };

  settings.luma_dc = ek_image_jpeg_paper_dc_step (factor, paper);
  settings.luma_factor = factor;
  settings.chroma_factor = chroma_hold > 0 ? chroma_factor (factor, chroma_hold) : factor;
  if (chroma_cap > 0)
    settings.chroma_factor = MIN (settings.chroma_factor, chroma_cap);
  settings.full_chroma = full_chroma;
  settings.progressive = TRUE;
  settings.refine_luma = 8.0 * goal / ((double) image->width * image->height) >= REFINE_BITS;
  return ek_image_encode_jpeg_with (image, &settings, error);
}

/* The finest table whose encode of search->image fits search->goal: a secant on
 * log(bytes) over log(factor), started at @start; two to four encodes. */
static gboolean
search_factor (Search        *search,
               int            start,
               GCancellable  *cancellable,
               GError       **error)
{
  int factor = off_even_multiple (CLAMP (start, search->best_factor, search->worst_factor), search->source);

  for (guint step = 0; step < MAX_ENCODES; step++)
    {
      g_autoptr(GBytes) trial = NULL;
      double size, next;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      trial = encode (search->image, factor, search->chroma_hold, search->chroma_cap, search->full_chroma, search->paper, search->goal, error);
      if (trial == NULL)
        return FALSE;
      size = (double) g_bytes_get_size (trial);
      search->trial_factor[step] = factor;
      search->trial_bytes[step] = size;
      search->n_encodes++;
      /* A fine first guess far short of its goal: a card or a photo rather than a busy page,
       * whose bytes climb as factor^−0.8 to ^−1.3 from here; 0.65 would overshoot (an ID card
       * at 1 MB: 30 → 10, 30 % over, then three trials back) */
      if (step == 0 && factor <= FINE_TABLES && size < search->goal * FAR_SHORT)
        search->slope = FINE_SLOPE;
      g_debug ("fit: %u×%u factor %d → %.0f bytes (goal %.0f)", search->image->width, search->image->height,
               factor, size, search->goal);
      if (size <= search->goal)
        {
          if (search->factor == 0 || factor < search->factor)
            {
              if (search->factor != 0 && search->fit_bytes > 0 && factor != search->factor)
                search->slope = CLAMP (log (size / search->fit_bytes) / log ((double) search->factor / factor), 0.2, 2.0);
              g_clear_pointer (&search->bytes, g_bytes_unref);
              search->bytes = g_steal_pointer (&trial);
              search->factor = factor;
              search->fit_bytes = size;
            }
          if (size >= search->goal * SEARCH_CLOSE || factor <= search->best_factor)
            return TRUE;
        }
      else
        {
          if (search->over_factor == 0 || factor > search->over_factor)
            {
              search->over_factor = factor;
              search->over_bytes = size;
            }
          if (factor >= search->worst_factor)
            return TRUE;
        }

      if (search->factor != 0 && search->over_factor != 0)
        {
          double lf = log (search->factor), hf = log (search->over_factor);
          double lb = log (search->fit_bytes), hb = log (search->over_bytes);

          /* A cliff across the band off_even_multiple keeps clear of: not the clean scan's dip
           * but its grain kept or dropped (tests/bench, seed 23's phone photo at 1 MB, factor 26
           * of its own: 51 and 58 a sample of 282 and 182 KB, slope 3.4, the page 1,121 and
           * 720 KB; the tools' 976 KB inside the band read 0.9554 against ours 0.9528 at 58).
           * Its tables are searched like any other. */
          if (search->source > 0 && hb > lb && (hb - lb) / (lf - hf) > CLIFF_SLOPE &&
              off_even_multiple (search->over_factor + 1, search->source) != search->over_factor + 1)
            {
              g_debug ("fit: %d → %d is a cliff of bytes, not a dip: the tables between are searched", search->over_factor,
                       search->factor);
              search->source = 0;
            }
          if (hb > lb && lf > hf)
            search->slope = CLAMP ((hb - lb) / (lf - hf), 0.2, 2.0);
          /* Aim at the middle of the accepted band, and never crawl along one end of the
           * bracket (regula falsi's weakness): stay within its inner two thirds */
          next = lf + (log (search->goal * (1 + SEARCH_CLOSE) / 2) - lb) * (hf - lf) / (hb - lb);
          next = CLAMP (next, hf + (lf - hf) / 6, lf - (lf - hf) / 6);
          factor = (int) ceil (exp (next));
          if (factor >= search->factor)
            factor = search->factor - 1;
          if (factor <= search->over_factor)
            {
              /* Bracketed to one step: the fitting side is the answer */
              if (search->factor - search->over_factor <= 1)
                return TRUE;
              factor = search->over_factor + 1;
            }
        }
      else
        {
          double base = search->factor != 0 ? search->fit_bytes : search->over_bytes;
          int from = search->factor != 0 ? search->factor : search->over_factor;

          next = from * pow (base / (search->goal * (1 + SEARCH_CLOSE) / 2), 1.0 / search->slope);
          factor = (int) (search->factor != 0 ? floor (next) : ceil (next));
          if (factor == from)
            factor += search->factor != 0 ? -1 : 1;
        }
      factor = off_even_multiple (CLAMP (factor, search->best_factor, search->worst_factor), search->source);
      if (factor == search->factor || factor == search->over_factor)
        return TRUE;
    }
  return TRUE;
}

/* Whether the sample's own trials, scaled to the whole page (by the page's @page_bytes over the
 * sample's at @factor, one of its trials), say that no table finer than @factor comes under
 * @aim: the line in log(bytes) over log(factor) between the coarsest trial over the aim and the
 * finest under it crosses the aim above @factor − 1. The sample's curve has the page's shape,
 * cliffs included, where a slope would not (seed 59's ID card at 200 KB: the page at 69 came to
 * 93 % of the target, the slope sent it to 67 and 68, 110 % and 105 %, as the sample's trial at
 * 63 had shown). FALSE when the trials do not say. */
static gboolean
no_finer_table_fits (const Search *search,
                     int           factor,
                     double        page_bytes,
                     double        aim)
{
  int over = 0, under = 0;
  double ratio = 0, over_bytes = 0, under_bytes = 0, crossing;

  for (guint i = 0; i < search->n_encodes && i < MAX_ENCODES; i++)
    if (search->trial_factor[i] == factor && search->trial_bytes[i] > 0)
      ratio = page_bytes / search->trial_bytes[i];
  if (ratio == 0)
    return FALSE;
  for (guint i = 0; i < search->n_encodes && i < MAX_ENCODES; i++)
    {
      double bytes = search->trial_bytes[i] * ratio;
      int f = search->trial_factor[i];

      if (bytes > aim && (over == 0 || f > over))
        {
          over = f;
          over_bytes = bytes;
        }
      else if (bytes <= aim && (under == 0 || f < under))
        {
          under = f;
          under_bytes = bytes;
        }
    }
  if (over == 0 || under == 0 || over >= under || over_bytes <= under_bytes)
    return FALSE;
  crossing = exp (log (under) + (log (aim) - log (under_bytes)) * (log (over) - log (under)) /
                                  (log (over_bytes) - log (under_bytes)));
  return (int) ceil (crossing) >= factor;
}

/* Resolution by measurement: each candidate's sample, encoded at the finest table that fits,
 * decoded and compared with the original at the original's resolution (luma SSIM on 8 × 8
 * windows, as tests/bench scores a fit), windows every 8 pixels of the rows the sample covers,
 * a pixel clear of each band's edges. Also the mean over the windows where the original has
 * strokes (variance over STROKE_VARIANCE): what a reader of the text sees. */
#define STROKE_VARIANCE 400.0

typedef struct
{
  double whole;
  double text;
  guint  windows;
  double redness;     /* of the clearly red pixels (a seal), how red they stay: 1 all of it */
  guint  red_pixels;
} Score;

#define SEAL_RED_LEVELS 60   /* red over the mean of green and blue: a seal's ink, not a warm paper */

static inline double
redness_at (const EkImage *image,
            guint          x,
            guint          y)
{
  const guint8 *p = image->data + (gsize) y * image->stride + (gsize) x * 3;

  return p[0] - (p[1] + p[2]) / 2.0;
}

/* @decoded: the sample's encode decoded (bands of 16 rows of the page, or the page whole when
 * @banded is FALSE); the page is @original reduced to @page_width × @page_height */
static Score
score_sample (const EkImage *original,
              guint          page_width,
              guint          page_height,
              const EkImage *decoded,
              gboolean       banded,
              gboolean       with_ssim)
{
  const float c1 = 6.5025f, c2 = 58.5225f;
  double sx = (double) page_width / original->width, sy = (double) page_height / original->height;
  guint bands = banded ? decoded->height / 16 : 1;
  double whole = 0, text = 0, red = 0, red_kept = 0;
  guint n = 0, n_text = 0, n_red = 0;
  gboolean colour = original->channels == 3 && decoded->channels == 3;
  g_autoptr(EkImage) grey = decoded->channels == 3 ? ek_image_to_grey (decoded) : NULL;
  const EkImage *luma = grey != NULL ? grey : decoded;
  g_autofree guint *x0s = g_new (guint, original->width);
  g_autofree float *axs = g_new (float, original->width);
  g_autofree float *orig_rows = g_new (float, (gsize) 8 * original->width);
  g_autofree float *page_rows = g_new (float, (gsize) 8 * original->width);
  gboolean same_size = page_width == original->width && decoded->width == original->width;
  guint x_end = original->width >= 2 ? 2 + (original->width - 2) / 8 * 8 : 0;   /* the windows' columns */
  Score score = { 0, 0, 0, 1, 0 };

  if (luma == NULL || decoded->width < 2 || decoded->height < 2)
    return score;
  /* Where each original column falls in the page, once */
  for (guint x = 0; x < original->width; x++)
    {
      double fx = CLAMP ((x + 0.5) * sx - 0.5, 0, page_width - 1.001);

      x0s[x] = MIN ((guint) fx, decoded->width - 2);
      axs[x] = (float) (fx - x0s[x]);
    }
  for (guint b = 0; b < bands; b++)
    {
      /* The band's page rows, less a row at each edge (bilinear sampling reaches one row out) */
      double first = banded ? b * 64 + band_offset (b) + 1 : 0;
      double last = banded ? first + 14 : page_height - 1;
      guint oy0 = (guint) ceil ((first + 0.5) / sy - 0.5), oy1 = (guint) floor ((last + 0.5) / sy - 0.5);
      double row_base = banded ? (double) b * 16 - (b * 64 + band_offset (b)) : 0;

      for (guint by = oy0 + 2 * (b % 2); by + 8 <= oy1 + 1 && by + 8 <= original->height; by += 8)
        {
          const guint8 *rows0[8], *rows1[8], *orig[8];
          float ays[8];

          for (guint k = 0; k < 8; k++)
            {
              double fy = CLAMP ((by + k + 0.5) * sy - 0.5, 0, page_height - 1.001) + row_base;
              guint y0 = MIN ((guint) MAX (fy, 0), decoded->height - 2);

              ays[k] = (float) CLAMP (fy - y0, 0, 1);
              rows0[k] = luma->data + (gsize) y0 * luma->stride;
              rows1[k] = rows0[k] + luma->stride;
              orig[k] = original->data + (gsize) (by + k) * original->stride;
            }
          /* The eight rows as floats first, the original's luma and the page's read back at
           * the original's pixels (a straight copy where the page is the original's size), so
           * that the windows' sums run over plain arrays */
          for (guint k = 0; k < 8; k++)
            {
              float *a = orig_rows + (gsize) k * original->width, *v = page_rows + (gsize) k * original->width;
              const guint8 *o = orig[k];

              if (with_ssim)
                {
                  if (original->channels == 1)
                    for (guint x = 0; x < original->width; x++)
                      a[x] = o[x];
                  else
                    for (guint x = 0; x < original->width; x++)
                      a[x] = (float) ((299 * o[3 * x] + 587 * o[3 * x + 1] + 114 * o[3 * x + 2] + 500) / 1000);
                  if (same_size && ays[k] == 0)
                    for (guint x = 0; x < original->width; x++)
                      v[x] = rows0[k][x];
                  else
                    for (guint x = 0; x < original->width; x++)
                      {
                        guint x0 = x0s[x];
                        float ax = axs[x], ay = ays[k];

                        v[x] = (1 - ay) * ((1 - ax) * rows0[k][x0] + ax * rows0[k][x0 + 1]) +
                               ay * ((1 - ax) * rows1[k][x0] + ax * rows1[k][x0 + 1]);
                      }
                }
              if (colour)
                for (guint x = 2; x < x_end; x++)
                  if (2 * o[3 * x] - o[3 * x + 1] - o[3 * x + 2] > 2 * SEAL_RED_LEVELS)
                    {
                      /* The decoded colour at the nearest sample: chroma is half resolution anyway */
                      guint dx = x0s[x] + (axs[x] >= 0.5f), dy = (guint) ((rows0[k] - luma->data) / luma->stride) + (ays[k] >= 0.5f);

                      red += o[3 * x] - (o[3 * x + 1] + o[3 * x + 2]) / 2.0;
                      red_kept += MAX (0, redness_at (decoded, dx, dy));
                      n_red++;
                    }
            }
          if (!with_ssim)
            continue;
          for (guint bx = 2; bx + 8 <= original->width; bx += 8)
            {
              float ma = 0, mb = 0, va = 0, vb = 0, cov = 0, ssim;

              for (guint k = 0; k < 8; k++)
                {
                  const float *a = orig_rows + (gsize) k * original->width + bx, *v = page_rows + (gsize) k * original->width + bx;

                  for (guint x = 0; x < 8; x++)
                    {
                      ma += a[x]; mb += v[x]; va += a[x] * a[x]; vb += v[x] * v[x]; cov += a[x] * v[x];
                    }
                }
              ma /= 64; mb /= 64;
              va = va / 64 - ma * ma; vb = vb / 64 - mb * mb; cov = cov / 64 - ma * mb;
              ssim = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
              whole += ssim;
              n++;
              if (va >= STROKE_VARIANCE)
                {
                  text += ssim;
                  n_text++;
                }
            }
        }
    }
  score.whole = n > 0 ? whole / n : 0;
  score.text = n_text > 0 ? text / n_text : score.whole;
  score.windows = n;
  score.red_pixels = n_red;
  if (red > 0)
    score.redness = red_kept / red;
  return score;
}

/* Two copies of a full page at most: the decoded image and the resized one */
static EkImage *
resized (const EkImage *image,
         double         scale)
{
  guint w = MAX (1, (guint) lround (image->width * scale));
  guint h = MAX (1, (guint) lround (image->height * scale));

  return ek_image_scale_down (image, MIN (w, image->width), MIN (h, image->height));
}

/* One resolution: the page at @scale (NULL in @page_out when it is @image itself), and the
 * finest table that fits on its sample (or on the page when it is too small to sample) */
typedef struct
{
  double    scale;
  guint     width;      /* the page at that scale */
  guint     height;
  EkImage  *page;       /* owned, when the page was reduced whole (too small to sample) */
  Search    search;
  gboolean  sampled;
  Score     score;
  gboolean  compared;   /* score.whole and .text measured, not only the seal */
} Candidate;

static void
candidate_clear (Candidate *candidate)
{
  g_clear_pointer (&candidate->page, ek_image_free);
  search_clear (&candidate->search);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Candidate, candidate_clear)

/* A seal keeps its red (measured on the sample; the bench's seal redness, on the ring at the
 * fitted size, reads 0.02–0.03 higher on the tuning seed's pages), or there is no seal */
#define SEAL_KEPT        0.92
#define MIN_SEAL_PIXELS  200
#define SCORE_TIE        0.002   /* two candidates' sample scores this close are a tie */

static gboolean
keeps_seal (const Candidate *candidate)
{
  return candidate->score.red_pixels < MIN_SEAL_PIXELS || candidate->score.redness >= SEAL_KEPT;
}

/* Whether @a is the better page: one that keeps the seal red over one that does not, then the
 * higher score (or, neither keeping it, the redder) */
static gboolean
better_candidate (const Candidate *a,
                  const Candidate *b)
{
  if (keeps_seal (a) != keeps_seal (b))
    return keeps_seal (a);
  if (!keeps_seal (a))
    return a->score.redness > b->score.redness;
  /* Within the sample's noise the strokes decide: a smaller page's whole-page encode can land
   * well off its sample's (seed 113's letter at 200 KB: 150 DPI scored 0.9686 against 200 DPI's
   * 0.9676, its strokes 0.9214 against 0.9817; the page came to 119 % of the target at the
   * sample's table and was written at 0.9616; kept at 200 DPI it is 0.9657. Its phone photo,
   * 150 DPI by 0.0005: 0.8317, at 200 DPI 0.8402. On seeds 1–97 no other output changes) */
  if (fabs (a->score.whole - b->score.whole) < SCORE_TIE)
    return a->score.text > b->score.text;
  return a->score.whole > b->score.whole;
}

static gboolean
search_at (const EkImage  *image,
           double          scale,
           double          dpi,
           int             chroma_hold,
           int             chroma_cap,
           gboolean        full_chroma,
           int             paper,
           int             source,
           int             own_factor,
           guint64         target,
           int             start,
           Candidate      *candidate,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(EkImage) sample = NULL;
  Search *search = &candidate->search;
  gboolean reduced = scale < 0.999;

  candidate->scale = scale;
  candidate->width = reduced ? MIN (image->width, MAX (1, (guint) lround (image->width * scale))) : image->width;
  candidate->height = reduced ? MIN (image->height, MAX (1, (guint) lround (image->height * scale))) : image->height;
  g_debug ("fit: page %u×%u", candidate->width, candidate->height);
  if (check_cancelled (cancellable, error))
    return FALSE;
  sample = sample_bands (image, candidate->width, candidate->height);
  candidate->sampled = sample != NULL;
  if (sample == NULL && reduced)
    {
      candidate->page = resized (image, scale);
      if (candidate->page == NULL)
        return out_of_memory (error);
    }
  search->image = sample != NULL ? sample : candidate->page != NULL ? candidate->page : image;
  search->chroma_hold = chroma_hold;
  search->chroma_cap = chroma_cap;
  search->full_chroma = full_chroma;
  search->paper = paper;
  search->source = reduced ? 0 : source;
  search->best_factor = ek_image_jpeg_quality_factor (MAX_QUALITY);
  search->worst_factor = ek_image_jpeg_quality_factor (min_quality (dpi));
  /* A JPEG kept at its size gains nothing from a table finer than its own: its coefficients are
   * already on its own steps, and finer ones only round them again (seed 127's noisy photo page
   * at 1 MB, own factor 26: at 22, 1,032,723 bytes and SSIM 0.9932; at 26, 1,001,586 and 0.9999) */
  if (!reduced && own_factor > search->best_factor)
    search->best_factor = MIN (own_factor, search->worst_factor);
  search->goal = target * (sample != NULL ? (double) sample->height / candidate->height : 1.0);
  /* Measured on pages, cards and photos: 0.56–0.8 from quality 10 up to 90 */
  search->slope = 0.65;
  if (start == 0)
    {
      /* Where to start: a scanned page at quality 10 takes about 0.25 bits a pixel, and
       * bytes go as factor^−0.65; a generous budget starts near its table, not at 10 */
      int aim_factor = ek_image_jpeg_quality_factor (AIM_QUALITY);
      double bits = 8.0 * search->goal / ((double) search->image->width * search->image->height);

      start = (int) (aim_factor * pow (TYPICAL_BITS_AT_AIM / MAX (bits, 0.01), 1.0 / search->slope));
      start = MIN (start, aim_factor);
    }
  if (!search_factor (search, start, cancellable, error))
    return FALSE;
  search->image = NULL;   /* the sample goes now */
  return TRUE;
}

/* How the candidate's table reads against the original: its sample's encode decoded. Without
 * @with_ssim only how red a seal stays (a page with nothing to compare it with: a grey one is
 * not even decoded) */
static gboolean
score_candidate (const EkImage  *image,
                 Candidate      *candidate,
                 gboolean        with_ssim,
                 GError        **error)
{
  g_autoptr(EkImage) decoded = NULL;
  EkImageInfo info;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (candidate->search.bytes, &length);

  candidate->compared = with_ssim;
  if (!with_ssim && image->channels == 1)
    {
      candidate->score = (Score) { 0, 0, 0, 1, 0 };
      return TRUE;
    }
  if (!ek_image_decode (data, length, G_MAXUINT32, &info, &decoded, NULL, error))
    return FALSE;
  candidate->score = score_sample (image, candidate->width, candidate->height, decoded, candidate->sampled, with_ssim);
  return TRUE;
}

/* A candidate's search and score, on a thread of its own when two are measured side by side */
typedef struct
{
  const EkImage *image;
  double         scale;
  double         dpi;
  int            chroma_hold;
  gboolean       full_chroma;
  int            paper;
  int            source;
  int            own_factor;
  guint64        target;
  int            start;
  gboolean       defer_score; /* the caller scores it, once it knows whether there is anything to compare */
  GCancellable  *cancellable;
  Candidate      candidate;
  gboolean       ok;
  GError        *error;
} CandidateJob;

static gpointer
candidate_job (gpointer data)
{
  CandidateJob *job = data;

  job->ok = search_at (job->image, job->scale, job->dpi, job->chroma_hold, 0, job->full_chroma, job->paper, job->source, job->own_factor, job->target,
                       job->start, &job->candidate, job->cancellable, &job->error) &&
            (job->candidate.search.factor == 0 || job->defer_score ||
             score_candidate (job->image, &job->candidate, TRUE, &job->error));
  return NULL;
}

/* Runs @n_jobs (1 or 2) candidate jobs, side by side when two */
static void
run_candidate_jobs (CandidateJob *jobs,
                    guint         n_jobs)
{
  GThread *helper = n_jobs == 2 ? g_thread_try_new ("ek-fit-candidate", candidate_job, &jobs[1], NULL) : NULL;

  candidate_job (&jobs[0]);
  if (helper != NULL)
    g_thread_join (helper);
  else if (n_jobs == 2)
    candidate_job (&jobs[1]);
}

EkMaterialFit *
ek_material_fit_bytes (GBytes        *input,
                       guint64        max_bytes,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(EkMaterialReport) report = NULL;
  g_autoptr(EkMaterialFit) fit = g_new0 (EkMaterialFit, 1);
  g_autoptr(EkImage) image = NULL;
  g_autoptr(EkImage) work = NULL;
  g_autoptr(GBytes) best = NULL;
  EkMaterialLimits limits;
  EkImageInfo info;
  const guint8 *data;
  gsize length = 0;
  guint64 target;
  guint long_side;
  double scale, floor_scale;
  int best_factor = 0, start = 0;
  double exponent = 1.4, last_scale = 0, last_at_floor = 0;
  int paper, source = 0, own_factor = 0;
  int chroma_hold, chroma_cap = 0;
  gboolean full_chroma = FALSE;
  g_auto(Candidate) chosen = { 0 };

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (max_bytes > 1024, NULL);

  ek_material_limits_init_default (&limits);
  limits.max_bytes = max_bytes;
  data = g_bytes_get_data (input, &length);
  fit->input_bytes = length;

  /* An oversized image of a format we decode goes straight to the decoder, which finds the
   * same faults the check would (truncated, corrupt, too many pixels): one decode, not two.
   * Everything else is checked first, and an image that already fits is left as it is. */
  if (length <= max_bytes || !ek_image_read_header (data, length, &info, NULL) ||
      info.width > limits.max_width || info.height > limits.max_height)
    {
      report = ek_material_check_bytes (input, &limits, cancellable);
      if (report == NULL)
        return check_cancelled (cancellable, error), NULL;

      for (guint i = 0; i < report->problems->len; i++)
        {
          EkMaterialProblem *problem = g_ptr_array_index (report->problems, i);

          if (problem->code == EK_MATERIAL_ERROR_TOO_LARGE)
            continue;
          if (problem->code == EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED && ek_material_report_fixable (report))
            continue;
          g_set_error_literal (error, EK_MATERIAL_ERROR, problem->code, problem->message);
          return NULL;
        }

      /* Already fits: keep the picture's bytes, drop only metadata */
      if (report->problems->len == 0 && report->info.orientation == 1)
        {
          g_autoptr(GBytes) stripped = ek_image_strip_metadata (input, report->info.format);

          fit->unchanged = stripped == NULL;
          fit->bytes = stripped != NULL ? g_steal_pointer (&stripped) : g_bytes_ref (input);
          fit->format = report->info.format;
          fit->width = report->info.width;
          fit->height = report->info.height;
          fit->grey = report->info.grey;
          return g_steal_pointer (&fit);
        }
    }

  g_debug ("fit: decoding %" G_GSIZE_FORMAT " bytes", length);
  if (!ek_image_decode (data, length, limits.max_pixels, &info, &image, cancellable, error))
    return NULL;
  g_debug ("fit: decoded %u×%u", image->width, image->height);

  /* A JPEG the right way up keeps its blocks if it keeps its size */
  if (info.format == EK_IMAGE_FORMAT_JPEG && info.orientation == 1)
    source = own_factor = info.luma_table_factor;
  if (info.orientation != 1)
    {
      EkImage *oriented = ek_image_orient (image, info.orientation);
      if (oriented == NULL)
        return out_of_memory (error), NULL;
      ek_image_free (image);
      image = oriented;
    }
  if (check_cancelled (cancellable, error))
    return NULL;

  /* Colour where it carries meaning, grey elsewhere */
  if (image->channels == 3 && !ek_material_fit_keeps_colour (image))
    {
      EkImage *grey = ek_image_to_grey (image);
      if (grey != NULL)
        {
          ek_image_free (image);
          image = grey;
        }
    }
  paper = ek_image_paper_level (image);
  g_debug ("fit: colour analysed, paper at %.2f", paper / 8.0);
  if (source > 0)
    {
      /* Only a clean scan's own table matters (see off_even_multiple): on a noisy one the
       * tables next to twice its own keep or drop its noise, a cliff of bytes, not a flaw */
      double grain = ek_image_paper_grain (image, paper);

      g_debug ("fit: JPEG table factor %d, paper grain %.2f", source, grain);
      if (grain >= CLEAN_GRAIN)
        source = 0;
    }
  fit->grey = image->channels == 1;
  chroma_hold = fit->grey ? 0 : CHROMA_FACTOR;

  /* Resolution bounds, as if the image were an A4 page (an ID card is smaller and is never
   * reduced much: its floor is its own size or the page floor, whichever is smaller) */
  long_side = MAX (image->width, image->height);
  scale = MIN (1.0, (A4_LONG_INCHES * MAX_DPI) / long_side);
  floor_scale = MIN (1.0, (A4_LONG_INCHES * FLOOR_DPI) / long_side);
  target = (guint64) (max_bytes * HEADROOM);

  /* Resolution before quality, but not at any price: the page keeps its resolution while the
   * table that fits is at least as fine as AIM_QUALITY's, and is reduced just enough to get
   * there otherwise (tests/bench: at 200 KB an A4 page at ~240 DPI and quality 10 keeps more of
   * its text than at 300 DPI and quality 3). Trial encodes run on a sample of the page (a
   * band of 16 rows in every 64); the whole page is encoded once at the table found, and
   * again only if the sample misjudged it. */
  /* Resolution by measurement: the source's, CANDIDATE_DPI[] below it, each at the finest
   * table its sample fits, scored against the original (score_sample); the best is kept. */
  {
    double scales[1 + MAX_REDUCTIONS + G_N_ELEMENTS (candidate_dpi)];
    guint n_scales = 0, reductions = 0;
    int next_start = 0;
    CandidateJob pending = { 0 };
    gboolean have_pending = FALSE, likely_keeps;

    scales[n_scales++] = scale;
    for (guint c = 0; c < G_N_ELEMENTS (candidate_dpi); c++)
      {
        double s = candidate_dpi[c] * A4_LONG_INCHES / long_side;

        if (s < scales[n_scales - 1] * 0.97 && s >= floor_scale)
          scales[n_scales++] = s;
      }
    /* Measured two at a time on two cores, the next in line beside the one whose result the
     * order depends on (except a page likely to keep its resolution: its next is seldom needed) */
    likely_keeps = 8.0 * target / ((double) image->width * image->height) >= KEEP_BITS;
    for (guint c = 0; c < n_scales; c++)
      {
        g_auto(Candidate) candidate = { 0 };
        double dpi = long_side * scales[c] / A4_LONG_INCHES;
        gboolean feasible;

        if (have_pending && fabs (pending.scale - scales[c]) < 1e-9)
          {
            candidate = pending.candidate;
            memset (&pending.candidate, 0, sizeof pending.candidate);
            have_pending = FALSE;
            if (!pending.ok)
              {
                g_propagate_error (error, g_steal_pointer (&pending.error));
                return NULL;
              }
          }
        else
          {
            CandidateJob jobs[2] = { { 0 } };
            guint n_jobs = 1;

            for (guint j = 0; j < 2; j++)
              {
                jobs[j].image = image;
                jobs[j].chroma_hold = chroma_hold;
                jobs[j].paper = paper;
                jobs[j].source = source;
                jobs[j].own_factor = own_factor;
                jobs[j].target = target;
                jobs[j].cancellable = cancellable;
                jobs[j].start = next_start;
              }
            jobs[0].scale = scales[c];
            jobs[0].dpi = dpi;
            /* (a page measured beside an earlier one waits for its turn: a reduction to the
             * floor may have gone in before it) */
            if (c + 1 < n_scales && !have_pending && !(c == 0 && likely_keeps))
              {
                jobs[1].scale = scales[c + 1];
                jobs[1].dpi = long_side * scales[c + 1] / A4_LONG_INCHES;
                n_jobs = 2;
              }
            jobs[0].defer_score = n_jobs == 1 && c == 0;
            run_candidate_jobs (jobs, n_jobs);
            if (n_jobs == 2)
              {
                pending = jobs[1];
                have_pending = TRUE;
              }
            candidate = jobs[0].candidate;
            if (!jobs[0].ok)
              {
                g_propagate_error (error, g_steal_pointer (&jobs[0].error));
                if (have_pending)
                  {
                    candidate_clear (&pending.candidate);
                    g_clear_error (&pending.error);
                  }
                return NULL;
              }
            /* Scored here, once it is known whether another page will be compared with it: the
             * source's resolution alone, or at a table so fine that no smaller page is tried,
             * needs only its seal's red (at 1 MB, 13–29 ms less a page) */
            if (jobs[0].defer_score && candidate.search.factor != 0 &&
                !score_candidate (image, &candidate,
                                  n_scales > 1 && candidate.search.factor > ek_image_jpeg_quality_factor (KEEP_QUALITY), error))
              return NULL;
          }
        if (!candidate.sampled)
          fit->n_encodes += candidate.search.n_encodes;
        feasible = candidate.search.factor != 0;
        g_debug ("fit: candidate %.0f DPI: factor %d, score %.4f, text %.4f (%u windows), red kept %.3f (%u pixels)", dpi,
                 candidate.search.factor, candidate.score.whole, candidate.score.text, candidate.score.windows,
                 candidate.score.redness, candidate.score.red_pixels);

        /* The source's resolution does not fit at the legibility floor: the largest page that
         * does (the bytes model: bytes grow as scale^1.4) is a candidate too */
        if (!feasible && chosen.search.factor == 0 && reductions < MAX_REDUCTIONS && candidate.search.over_factor > 0)
          {
            Search *search = &candidate.search;
            double at_floor = search->over_bytes * pow ((double) search->over_factor / search->worst_factor, search->slope) /
                              search->goal;
            double wanted = scales[c] * pow (1.0 / at_floor, 1.0 / 1.4) * 0.99;

            wanted = MAX (floor_scale, MIN (wanted, scales[c] * 0.97));
            if (wanted < scales[c] * 0.99 && (c + 1 >= n_scales || wanted > scales[c + 1] * 1.03))
              {
                memmove (&scales[c + 2], &scales[c + 1], (n_scales - c - 1) * sizeof scales[0]);
                scales[c + 1] = wanted;
                n_scales++;
                reductions++;
              }
          }

        /* The next one starts where the bytes model puts it: bytes grow as scale^1.4 */
        {
          Search *search = &candidate.search;
          int from = search->factor != 0 ? search->factor : search->over_factor;
          double bytes = search->factor != 0 ? search->fit_bytes : search->over_bytes;

          if (c + 1 < n_scales && from > 0)
            next_start = (int) (from * pow (bytes * pow (scales[c + 1] / scales[c], 1.4) /
                                            (search->goal * (1 + SEARCH_CLOSE) / 2), 1.0 / search->slope));
          next_start = MAX (next_start, 1);
        }
        if (feasible && (chosen.search.factor == 0 || better_candidate (&candidate, &chosen)))
          {
            candidate_clear (&chosen);
            chosen = candidate;
            memset (&candidate, 0, sizeof candidate);
          }
        else if (chosen.search.factor == 0)
          {
            /* Nothing fits yet: this smaller one is where the reduction goes on from */
            candidate_clear (&chosen);
            chosen = candidate;
            memset (&candidate, 0, sizeof candidate);
          }
        else if (feasible)
          break;   /* past the best: smaller pages only lose more (seeds 1, 7, 23, 41 and 59 at
                    * 200 KB: in 40 fits the score never rose again once a reduction lost; four
                    * licences had measured 150 DPI after 200 lost by less than 0.003, and each
                    * lost again, by 0.005–0.017) */
        /* The source's resolution at a table this fine: a smaller page cannot win */
        if (c == 0 && feasible && chosen.search.factor <= ek_image_jpeg_quality_factor (KEEP_QUALITY))
          break;
      }
    if (have_pending)
      {
        candidate_clear (&pending.candidate);
        g_clear_error (&pending.error);
      }

    /* Still too little of a seal's red kept: the same page with chroma held finer, where that
     * changes its table (where luma is fine, chroma follows it whatever the hold), then at 4:4:4.
     * A noisy 150 DPI letter, already 4:2:0 (tests/bench, seed 7, 200 KB): every tool and a
     * finer table keep 0.916–0.919 of its seal's red at 4:2:0; at 4:4:4 ours keeps 0.991 for
     * luma quality 45 instead of 50 */
    for (guint step = 0; step < 2 && chosen.search.factor != 0 && !keeps_seal (&chosen); step++)
      {
        g_auto(Candidate) finer = { 0 };
        double dpi = long_side * chosen.scale / A4_LONG_INCHES;
        int hold = chroma_hold;
        gboolean full = full_chroma;

        if (step == 0)
          {
            if (chroma_hold <= CHROMA_FACTOR_SEAL ||
                chroma_factor (chosen.search.factor, chroma_hold) == chroma_factor (chosen.search.factor, CHROMA_FACTOR_SEAL))
              continue;
            hold = CHROMA_FACTOR_SEAL;
          }
        else
          full = TRUE;
        if (!search_at (image, chosen.scale, dpi, hold, 0, full, paper, source, own_factor, target, chosen.search.factor, &finer,
                        cancellable, error))
          return NULL;
        if (!finer.sampled)
          fit->n_encodes += finer.search.n_encodes;
        if (finer.search.factor != 0 && !score_candidate (image, &finer, chosen.compared, error))
          return NULL;
        g_debug ("fit: chroma held at factor %d%s: factor %d, score %.4f, red kept %.3f", hold, full ? ", 4:4:4" : "",
                 finer.search.factor, finer.score.whole, finer.score.redness);
        if (finer.search.factor != 0 && (step == 0 || better_candidate (&finer, &chosen)))
          {
            candidate_clear (&chosen);
            chosen = finer;
            memset (&finer, 0, sizeof finer);
            chroma_hold = hold;
            full_chroma = full;
          }
      }
    scale = chosen.scale;
    /* The seal was judged at the chroma of the sample's table: the whole page, whose table the
     * secant below may move finer, keeps chroma at least as fine (between factors 100 and 200
     * a finer luma table brings a coarser chroma one: seed 83's letter at 200 KB, judged at
     * 197 with chroma at 51, was written at 148 with chroma at 76, and its seal faded) */
    if (chosen.search.factor != 0 && chroma_hold > 0 && chosen.score.red_pixels >= MIN_SEAL_PIXELS)
      chroma_cap = chroma_factor (chosen.search.factor, chroma_hold);
  }

  for (guint round = 0; round < MAX_ROUNDS && best == NULL; round++)
    {
      g_auto(Search) search = { 0 };
      const EkImage *page;
      double dpi;
      gboolean near_miss, sampled;
      int factor;

      g_clear_pointer (&work, ek_image_free);
      if (round == 0)
        {
          work = g_steal_pointer (&chosen.page);
          if (work == NULL && chosen.scale < 0.999)
            {
              work = resized (image, chosen.scale);
              if (work == NULL)
                return out_of_memory (error), NULL;
              g_debug ("fit: page reduced to %u×%u", work->width, work->height);
            }
          search = chosen.search;
          memset (&chosen.search, 0, sizeof chosen.search);
          sampled = chosen.sampled;
          page = work != NULL ? work : image;
          dpi = long_side * scale / A4_LONG_INCHES;
        }
      else
        {
          g_auto(Candidate) candidate = { 0 };

          dpi = long_side * scale / A4_LONG_INCHES;
          if (!search_at (image, scale, dpi, chroma_hold, chroma_cap, full_chroma, paper, source, own_factor, target, start, &candidate,
                          cancellable, error))
            return NULL;
          work = g_steal_pointer (&candidate.page);
          if (work == NULL && scale < 0.999)
            {
              work = resized (image, scale);
              if (work == NULL)
                return out_of_memory (error), NULL;
            }
          search = candidate.search;
          memset (&candidate.search, 0, sizeof candidate.search);
          sampled = candidate.sampled;
          page = work != NULL ? work : image;
          fit->n_encodes += sampled ? 0 : search.n_encodes;
        }

      /* Once reduced, a sample only a little over at the floor is within the sample's error:
       * the whole page decides (and the page is reduced further only if it is over too) */
      near_miss = round > 0 && search.factor == 0 && search.over_factor >= search.worst_factor &&
                  search.over_bytes <= search.goal * NEAR_MISS;
      if (near_miss)
        {
          search.factor = off_even_multiple (search.worst_factor, search.source);
          search.fit_bytes = search.over_bytes;
        }

      /* Not even the legibility floor fits at this size: reduce, as far as the floor needs */
      if (!near_miss && search.factor == 0 && round + 1 < MAX_ROUNDS && scale > floor_scale * 1.01)
        {
          double at_floor = search.over_bytes * pow ((double) search.over_factor / search.worst_factor, search.slope);
          double wanted;

          /* Bytes grow slower than pixels (a smaller page is busier per pixel): about as
           * scale^1.4 on pages, learnt from the last two sizes when there are two */
          at_floor /= search.goal;
          if (last_scale > 0 && last_at_floor > at_floor && last_scale > scale)
            exponent = CLAMP (log (last_at_floor / at_floor) / log (last_scale / scale), 0.8, 2.0);
          wanted = scale * pow (1.0 / at_floor, 1.0 / exponent) * 0.99;
          last_scale = scale;
          last_at_floor = at_floor;
          scale = MAX (floor_scale, MIN (wanted, scale * 0.97));
          start = search.worst_factor;
          continue;
        }
      if (search.factor == 0)
        break;   /* even the floor does not fit, and the page cannot get smaller */

      factor = search.factor;
      if (!sampled)
        {
          best = g_steal_pointer (&search.bytes);
          best_factor = factor;
          break;
        }
      /* The whole page at the table the sample found (a sample of a quarter of the rows is off
       * by up to ±15 %), then, while it is over the limit or well under the target, a secant on
       * the whole page's own sizes, aimed at the middle of [WHOLE_CLOSE, 1] of the target. One
       * encode at a time: two side by side on the bench's two virtual cores took 31–38 ms each
       * against 18–25 ms alone (an A4 page at 200 DPI, in threads and in two processes alike),
       * so a second encode "for free" beside the first cost nearly its whole time. */
      {
        int fit_factor = 0, over_factor = 0;
        double fit_size = 0, over_size = 0, slope = search.slope;
        double aim = target * (1 + WHOLE_CLOSE) / 2;

        for (guint attempt = 0; attempt < MAX_WHOLE_ENCODES; attempt++)
          {
            g_autoptr(GBytes) bytes = NULL;
            double size;
            int next;

            if (check_cancelled (cancellable, error))
              return NULL;
            bytes = encode (page, factor, chroma_hold, chroma_cap, full_chroma, paper, target, error);
            if (bytes == NULL)
              return NULL;
            fit->n_encodes++;
            size = (double) g_bytes_get_size (bytes);
            g_debug ("fit: whole %u×%u factor %d → %.0f bytes (target %" G_GUINT64_FORMAT ")", page->width, page->height,
                     factor, size, target);
            /* Aimed under the target, but what counts is the limit: a page between the two
             * fits (seeds 1 and 59 at 200 KB: a third encode for 165 and 528 bytes over the
             * target, well under the limit) */
            if (size <= max_bytes)
              {
                if (best == NULL || factor < best_factor)
                  {
                    g_clear_pointer (&best, g_bytes_unref);
                    best = g_steal_pointer (&bytes);
                    best_factor = factor;
                  }
                if (fit_factor == 0 || factor < fit_factor)
                  {
                    fit_factor = factor;
                    fit_size = size;
                  }
                if (size >= target * WHOLE_CLOSE || factor <= search.best_factor)
                  break;
              }
            else
              {
                if (over_factor == 0 || factor > over_factor)
                  {
                    over_factor = factor;
                    over_size = size;
                  }
                if (factor >= search.worst_factor)
                  break;
              }

            if (fit_factor != 0 && over_factor != 0)
              {
                double lf = log (fit_factor), hf = log (over_factor);
                double lb = log (fit_size), hb = log (over_size);

                if (fit_factor - over_factor <= 1 || hb <= lb)
                  break;   /* bracketed to one step: the fitting side is the answer */
                slope = CLAMP ((hb - lb) / (lf - hf), 0.2, 2.0);
                next = (int) ceil (exp (lf + (log (aim) - lb) * (hf - lf) / (hb - lb)));
                next = CLAMP (next, over_factor + 1, fit_factor - 1);
              }
            else if (fit_factor != 0)
              {
                /* Under the target's lower end, unless a cliff the slope cannot see is in the way */
                if (no_finer_table_fits (&search, fit_factor, fit_size, aim))
                  break;
                next = MIN (fit_factor - 1, (int) floor (fit_factor * pow (fit_size / aim, 1.0 / slope)));
              }
            else
              next = MAX (over_factor + 1, (int) ceil (over_factor * pow (over_size / aim, 1.0 / slope)));
            next = off_even_multiple (CLAMP (next, search.best_factor, search.worst_factor), search.source);
            if (next == fit_factor || next == over_factor)
              break;
            factor = next;
          }
        factor = over_factor != 0 ? over_factor : factor;
      }
      if (best == NULL && scale > floor_scale * 1.01)
        {
          scale = MAX (floor_scale, scale * 0.9);
          start = factor;
        }
    }

  if (best == NULL)
    {
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_ILLEGIBLE,
                   _("This image cannot be made smaller than the limit without its small print becoming unreadable. Scan the page again in greyscale at 150–200 DPI, crop away empty borders, or split it into two pages."));
      return NULL;
    }

  fit->bytes = g_steal_pointer (&best);
  fit->format = EK_IMAGE_FORMAT_JPEG;
  fit->width = work != NULL ? work->width : image->width;
  fit->height = work != NULL ? work->height : image->height;
  fit->quality = factor_to_quality (best_factor);
  return g_steal_pointer (&fit);
}

EkMaterialFit *
ek_material_fit_file (const char    *input_path,
                      const char    *output_path,
                      guint64        max_bytes,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(EkMaterialFit) fit = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (input_path != NULL, NULL);
  g_return_val_if_fail (output_path != NULL, NULL);

  mapped = g_mapped_file_new (input_path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  fit = ek_material_fit_bytes (bytes, max_bytes, cancellable, error);
  if (fit == NULL)
    return NULL;
  /* Atomic: OUT appears complete or not at all */
  data = g_bytes_get_data (fit->bytes, &length);
  if (!g_file_set_contents_full (output_path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return NULL;
  return g_steal_pointer (&fit);
}

typedef struct
{
  char    *input_path;
  char    *output_path;
  guint64  max_bytes;
} FitData;

static void
fit_data_free (FitData *data)
{
  g_free (data->input_path);
  g_free (data->output_path);
  g_free (data);
}

static void
fit_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  FitData *data = task_data;
  GError *error = NULL;
  EkMaterialFit *fit = ek_material_fit_file (data->input_path, data->output_path, data->max_bytes,
                                             cancellable, &error);

  if (fit == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, fit, (GDestroyNotify) ek_material_fit_free);
}

void
ek_material_fit_file_async (const char          *input_path,
                            const char          *output_path,
                            guint64              max_bytes,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FitData *data;

  g_return_if_fail (input_path != NULL);
  g_return_if_fail (output_path != NULL);

  data = g_new0 (FitData, 1);
  data->input_path = g_strdup (input_path);
  data->output_path = g_strdup (output_path);
  data->max_bytes = max_bytes;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_material_fit_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) fit_data_free);
  g_task_run_in_thread (task, fit_thread);
}

EkMaterialFit *
ek_material_fit_file_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
