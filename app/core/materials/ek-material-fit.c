/* ek-material-fit.c: fit an image under its byte limit with few trial encodes
 *
 * The size model: at a fixed resolution, log(bytes) falls about linearly with the log of the
 * quantisation table's scale factor (libjpeg's linear quality, which steps more finely than the
 * 1–100 quality), and at a fixed table bytes grow about as scale^1.4 (a smaller page is busier
 * per pixel). Trial encodes run on a quarter of the page's rows; a secant on that model lands
 * within a few percent of the goal in two to four of them.
 *
 * Resolution before quality, but not at any price (tests/bench, SSIM at the original
 * resolution): the page keeps its pixels while the table that fits is at least as fine as
 * quality 10's, which at 1 MB keeps a 300 DPI page whole; at 200 KB a page is reduced just
 * enough for quality 10 (about 230 DPI), which keeps more of its small print than 300 DPI at
 * quality 3. Never below 100 DPI, never upscaled; below 150 DPI the legibility floor rises.
 * Encodes are progressive by spectral selection with optimised Huffman tables (ek-image.c:
 * 7–12 % smaller than sequential at the same tables, in the same time), luma refined in a
 * second pass where the budget is rich, with the luma DC step moved so that the paper sits in
 * the middle of a bin (ek_image_jpeg_paper_dc_step: otherwise blank paper turns into a
 * checkerboard at one table in four). Colour pages keep 4:2:0 chroma; below quality 50 its
 * table is held at quality 80's, which keeps a red seal red for a few percent of the bytes.
 *
 * A JPEG kept at its own size (a clean scan at 1 MB) is re-encoded clear of tables at 2–2.2
 * times its own (off_even_multiple): there its smallest levels sit on the edges of the new
 * bins, and SSIM dips below what coarser tables give with fewer bytes. The bench's low-noise
 * corpus at 1 MB: the sealed page 0.9873 → 0.9884 (ImageMagick's extent 0.9879, which had
 * landed just below the dip), the grey photocopy 0.9697 → 0.9713 (0.9698), nothing else moves
 * by more than +0.0004 at either limit. Only where the paper is clean (ek_image_paper_grain
 * under CLEAN_GRAIN, 1–2 ms a page; the low-noise corpus's pages and card measure 0.5–1.5, its
 * phone photo 3.6, the default corpus's 2.6–7.1): on a noisy scan those tables are where its
 * noise is kept or dropped, a cliff of bytes, and skipping them cost the default corpus's
 * photocopy and ID card 0.009 and 0.022.
 *
 * Time: one decode, straight into the page's rows (a PNG's image data inflated in one call by
 * libdeflate, ek-image.c: 464/465/448/376/476 ms → 228/332/358/204/292 ms on a 9.5 MB PNG-24
 * page on the shared machine, same pixels). Trials on the sample are the output's own encodes
 * (as fast as sequential ones). The whole page is encoded twice side by side on two cores: at
 * the sampled table and a finer one when the sample was clearly under its goal (the usual case:
 * the room is used without a third encode), at it and a coarser one otherwise. The resize
 * shares its rows between two threads. Memory: the decoded page, the resized page and the two
 * encoders' coefficient buffers.
 *
 * Measured and not built: a JPEG kept at its size re-encoded in the DCT domain (its
 * coefficients read once with jpeg_read_coefficients, requantised as round(old × old_q / new_q)
 * for each encode and written with jpeg_write_coefficients, same scans and optimised Huffman
 * tables; a prototype outside the build (branch issue-4-dct), thread CPU, least of 7, the
 * fit's own 1 MB tables, both corpora's sealed page, photocopy (luma only) and photo, the
 * default corpus's card; the low-noise card is under 1 MB already). An encode's time is its
 * entropy coder's (progressive Huffman is always two passes), not colour conversion and DCT:
 * writing the coefficients took 82–115 ms against the pixel encode's 94–148, 5–22 % less, but
 * requantising them 12–28 ms more, so 95–142 ms against 94–148, from 11 ms less (the default
 * corpus's sealed page) to 13 ms more (its photo). Reading the coefficients is 22–45 ms on top
 * of the pixel decode the colour, paper and grain decisions use (29–62 ms), and at the same
 * table the output is 1.7–6.9 % larger (the card the most), so the fit would land a table
 * coarser. Even with the requantisation free and every decision taken from the coefficients,
 * these figures and each fit's encodes put the gain at 7–20 % of its wall time (0.30–0.50 s
 * here), not enough to take the bench's 0.46–0.50× to 0.4× on its median.
 *
 * The search, measured on the bench's curves (the sample at every table from 10 to 600, the
 * whole page near the answer; both corpora at 1 MB, the ID card at 200 KB): bytes are not a
 * power of the factor (slope 0.3–0.45 at quality 10–20, and from quality 68 to 79 on the
 * low-noise pages; 0.7–1.7 elsewhere between quality 50 and 95), and the sample misjudges
 * its whole page by −3.4 % (phone photo) to +4.8 % (low-noise PNG page) at 1 MB and by −5 to
 * −7 % (ID card) at 200 KB, each image's error nearly the same at every table.
 * Kept: a secant slope of 1.0 after a fine first guess (quality 33 and up) that came to less
 * than 60 % of its goal: at 1 MB the ID card takes 4 sample trials instead of 5, the phone photo
 * 2 instead of 4 on both corpora (and on the low-noise one 2 whole encodes instead of 3, one
 * table finer); every other image and limit encodes the same tables as before. Tried on the
 * curves and not kept: that slope after every fine first guess, with the whole page's coarser
 * table placed along the measured slope (the photocopy's third whole encode gone, but 1–2 more
 * trials on the low-noise pages, whose curve is flat there); the coarser table alone placed
 * so, at 97 % of the goal (the photocopy's third encode gone at 1 MB, but the PNG page took 5
 * whole encodes instead of 2, and the phone photo at 200 KB ended 5 % coarser, 381 against
 * 363); a first guess 0.5–0.85× the present one, or a secant aimed at 93–96 % of the goal
 * (each saved encodes on some images and cost them on others, or ended a table coarser). Sample trials two at a time side by side (the
 * first guess and one 0.6× finer, then the two ends of the accepted band): 2–3 rounds instead
 * of 2–5, but twice the trials' CPU and, with another bench on the same two cores, no wall time
 * gained (median ours/before 1.04× at both limits; ID card at 200 KB 0.43 s of CPU against
 * 0.25 s); its answers sat at the top of the band, where the whole pair lost 0.001–0.002 SSIM
 * on the phone photo. Nor a slope learnt from two trials over the goal (the photocopy's 48 and
 * 64: 0.35, which sent the next two to 108 and 97, 27 % under).
 *
 * A finer chroma table still (quality 90's) and 4:4:4 were tried for a small red seal: on these
 * scans either costs a tenth to a sixth of the page's resolution at 200 KB.
 *
 * Tried and measured on the bench, not kept: decoding with libjpeg's DCT scaling (6/8 and 7/8
 * decode slower than 8/8 here, 84 and 94 ms against 63 ms on an A4 scan, and the page still
 * needs a resize to the size chosen); trials on an eighth of the rows (the sample misjudged the
 * resolution by 20 % and took more encodes); pruning a block's trailing ±1 coefficients (9 %
 * fewer bytes at the same table, no SSIM gained at equal bytes); a luma table steeper than
 * Annex K's (no SSIM gained at equal bytes); neutral chroma on near-grey pixels (+0.001);
 * 4:4:4 where luma is refined (1 MB): +0.001 on the low-noise sealed page, −0.004 to −0.008 on
 * the default corpus's pages, whose noise wants the bytes in luma. Sample trials encoded in two
 * halves side by side (sizes added less one set of headers, ×1.004 or ×1.006/1.0025 by bits a
 * pixel for each half's own Huffman tables: the halves came to 0.02–0.8 % under the sample in
 * one piece): the first trials' sizes moved by a few tenths of a percent, which moved the chosen
 * resolution by a few pixels and the results by −0.003 to +0.003 SSIM; with the second
 * correction the phone photo's seal redness fell to 0.946 at 200 KB, and the time gained
 * (half of 2–5 trials on a quarter of the page) was within the shared machine's noise.
 *
 * Nor 4:4:4 only where the paper is clean (ek_image_paper_grain under CLEAN_GRAIN), at 1 MB on
 * the low-noise corpus: the sealed page +0.0010, but the PNG page −0.0009 and the phone photo
 * −0.0008; the sealed page gains as much from the tables above, at 4:2:0.
 *
 * The ceiling of any JPEG at 200 KB, measured before more tuning (tests/bench/jpeg-ceiling:
 * mozjpeg from npm's @jsquash/jpeg 1.6.0, trellis quantisation, each of its nine tables on our
 * page at our size, then the best one at 0.92–1.32 × that size, the best of all per image,
 * scored by the bench; luma only, seal redness not held): mean SSIM 0.8230 / 0.9292 (default
 * / low-noise corpus) against ImageMagick's extent 0.8070 / 0.9107, +0.016 / +0.019, and ours
 * 0.8174 / 0.9223, +0.0105 / +0.0116. So +0.02 is beyond JPEG here, even chosen per image with
 * hindsight. Where it gains: on pages a flat table at 1.1–1.2 × our size with trellis (Annex K
 * with trellis at our size is within −0.003 / +0.0014 of ours); on the card and the photo
 * +0.003 to +0.008 at our size, where ours also holds chroma fine for a seal. At 1–3 s a page in
 * WASM. A flat table in our encoder without trellis, its resolution aim moved to match, gave no
 * more than Annex K's at that aim (the default corpus's two pages).
 *
 * The reduction's filter, measured the same way (mean SSIM at 200 KB, default / low-noise
 * corpus; the area average: 0.8174 / 0.9223; at 1 MB nothing is reduced): every sharper kernel
 * costs more bytes at the text's edges than its contrast gives back: Catmull-Rom 0.8170 / 0.9214,
 * Lanczos-2 0.8171 / 0.9212, Lanczos-3 0.8167 / 0.9204, the least-squares projection for a
 * bilinear viewer 0.8143 / 0.9179, an unsharp mask on luma at edges 0.8162 / 0.9205 (amount 0.4)
 * and 0.8148 / 0.9186 (0.8); softer ones lose the strokes: tent 0.8165 / 0.9216, cubic B-spline
 * 0.8119 / 0.9169; Mitchell ties (0.8175 / 0.9225) at twice the resize's time (236 against
 * 119 ms on an A4 page). Nor does the resolution move with it: aiming at quality 8, 11 and 13
 * instead of 10 gives 0.8166 / 0.9228 (and a seal at 0.946 red), 0.8148 / 0.9207, 0.8113 / 0.9159.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-material-fit.h"

#define HEADROOM          0.98   /* aim a little under the limit: room to spare */
#define SEARCH_CLOSE      0.95   /* a trial within 5 % under the goal is close enough */
#define AIM_QUALITY       10     /* keep the resolution down to this quality, then reduce the size */
#define MIN_QUALITY       10     /* at 150 DPI and more; below, 8 pt strokes dissolve into blocks */
#define MAX_QUALITY       95
#define CHROMA_FACTOR     40     /* chroma table no coarser than quality 80's: a seal stays red */
#define A4_LONG_INCHES    11.69
#define MAX_DPI           400.0  /* more than any office scan needs; a phone photo keeps its pixels */
#define FLOOR_DPI         100.0  /* less than this and small print is unreadable */
#define COLOUR_FRACTION   0.0005 /* 0.05 % clearly coloured pixels: a seal, a photo */
#define MAX_ENCODES       8      /* per search */
#define MAX_ROUNDS        4      /* resolutions tried */
#define NEAR_MISS         1.08   /* a sample this much over the goal may still fit whole */
#define FINER_STEP        0.92   /* the whole page's first pair: the sample's table and this much finer */
#define SAMPLE_SURE       0.975  /* a sample this far under its goal: the whole page fits at its table */
#define WHOLE_CLOSE       0.94   /* a whole page this close to the target is not encoded again */
#define TYPICAL_BITS_AT_AIM 0.25 /* bits per pixel of a scanned page at AIM_QUALITY */
#define EVEN_STEP_MARGIN  0.10   /* a clean JPEG kept at its size: no table 2–2.2 (4, 6) × its own */
#define CLEAN_GRAIN       2.0    /* paper grain (ek_image_paper_grain) below which a scan is clean */
#define FINE_TABLES       150    /* a first guess this fine or finer (quality 33 and up)… */
#define FAR_SHORT         0.6    /* …whose encode came to less than this part of the goal… */
#define FINE_SLOPE        1.0    /* …goes on along this slope, not 0.65 */

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
 * Quality 10 keeps 8 pt text readable down to about 150 DPI; at 100 DPI it takes 30. */
static int
min_quality (double dpi)
{
  if (dpi >= 150)
    return MIN_QUALITY;
  return (int) ceil (MIN_QUALITY + (150 - dpi) * 0.4);
}

/* Every fourth band of 16 rows (JPEG's 4:2:0 blocks are 16 rows high): a page's text, lines and
 * paper in their usual proportions, at a quarter of the cost. NULL when the image is too small
 * for a sample to mean anything. */
static EkImage *
sample_bands (const EkImage *image)
{
  EkImage *sample;
  guint bands, y = 0;

  if (image->height < 512)
    return NULL;
  bands = image->height / 64;
  sample = ek_image_new (image->width, bands * 16, image->channels);
  if (sample == NULL)
    return NULL;
  /* Which band of the four in each 64 rows varies, so that text lines spaced a multiple of 64
   * rows apart are neither all in the sample nor all out of it */
  for (guint b = 0; b < bands; b++)
    {
      guint offset = ((b * 2654435761u) >> 13) % 4 * 16;

      for (guint r = 0; r < 16; r++, y++)
        memcpy (sample->data + (gsize) y * sample->stride,
                image->data + ((gsize) b * 64 + offset + r) * image->stride, image->stride);
    }
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
  gboolean       colour;      /* keep a finer chroma table (a seal, a photo) */
  int            paper;       /* the paper's luma level in eighths, -1 if unknown */
  int            source;      /* the JPEG's own table factor when the page keeps its size, else 0 */
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
chroma_factor (int factor)
{
  if (factor <= 100)
    return factor;
  if (factor <= 200)
    return MAX (CHROMA_FACTOR, 100 - (factor - 100) / 2);
  return CHROMA_FACTOR;
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
        gboolean        colour,
        int             paper,
        double          goal,
        GError        **error)
{
  EkJpegSettings settings = { 0 };

  settings.luma_dc = ek_image_jpeg_paper_dc_step (factor, paper);
  settings.luma_factor = factor;
  settings.chroma_factor = colour ? chroma_factor (factor) : factor;
  settings.progressive = TRUE;
  settings.refine_luma = 8.0 * goal / ((double) image->width * image->height) >= REFINE_BITS;
  return ek_image_encode_jpeg_with (image, &settings, error);
}

typedef struct
{
  const EkImage *image;
  gboolean       colour;
  int            paper;
  int            factor;
  double         goal;
  GBytes        *bytes;
  GError        *error;
} EncodeJob;

static gpointer
encode_job (gpointer data)
{
  EncodeJob *job = data;

  job->bytes = encode (job->image, job->factor, job->colour, job->paper, job->goal, &job->error);
  return NULL;
}

/* Encodes @image at each job's factor, side by side: the time that counts is the clerk's */
static gboolean
encode_jobs (const EkImage  *image,
             gboolean        colour,
             int             paper,
             double          goal,
             EncodeJob      *jobs,
             guint           n_jobs,
             GCancellable   *cancellable,
             GError        **error)
{
  GThread *helper = NULL;
  gboolean ok = TRUE;

  g_assert (n_jobs >= 1 && n_jobs <= 2);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  for (guint j = 0; j < n_jobs; j++)
    {
      jobs[j].image = image;
      jobs[j].colour = colour;
      jobs[j].paper = paper;
      jobs[j].goal = goal;
    }
  if (n_jobs == 2)
    helper = g_thread_try_new ("ek-fit-encode", encode_job, &jobs[1], NULL);
  encode_job (&jobs[0]);
  if (helper != NULL)
    g_thread_join (helper);
  else if (n_jobs == 2)
    encode_job (&jobs[1]);
  for (guint j = 0; j < n_jobs; j++)
    if (jobs[j].error != NULL)
      {
        if (ok)
          g_propagate_error (error, g_steal_pointer (&jobs[j].error));
        g_clear_error (&jobs[j].error);
        ok = FALSE;
      }
  if (!ok)
    for (guint j = 0; j < n_jobs; j++)
      g_clear_pointer (&jobs[j].bytes, g_bytes_unref);
  return ok;
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
      trial = encode (search->image, factor, search->colour, search->paper, search->goal, error);
      if (trial == NULL)
        return FALSE;
      size = (double) g_bytes_get_size (trial);
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

/* Two copies of a full page at most: the decoded image and the resized one */
static EkImage *
resized (const EkImage *image,
         double         scale)
{
  guint w = MAX (1, (guint) lround (image->width * scale));
  guint h = MAX (1, (guint) lround (image->height * scale));

  return ek_image_scale_down (image, MIN (w, image->width), MIN (h, image->height));
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
  int best_factor = 0, start;
  double exponent = 1.4, last_scale = 0, last_at_aim = 0;
  int paper, source = 0;
  int aim_factor = ek_image_jpeg_quality_factor (AIM_QUALITY);
  gboolean full_chroma;

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
    source = info.luma_table_factor;
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
  full_chroma = !fit->grey;

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
  start = aim_factor;
  for (guint round = 0; round < MAX_ROUNDS && best == NULL; round++)
    {
      g_auto(Search) search = { 0 };
      g_autoptr(EkImage) sample = NULL;
      const EkImage *page;
      double ratio, dpi = long_side * scale / A4_LONG_INCHES;
      gboolean near_miss;
      int factor;

      g_clear_pointer (&work, ek_image_free);
      if (scale < 0.999)
        {
          work = resized (image, scale);
          if (work == NULL)
            return out_of_memory (error), NULL;
        }
      page = work != NULL ? work : image;
      g_debug ("fit: page %u×%u", page->width, page->height);
      if (check_cancelled (cancellable, error))
        return NULL;
      sample = sample_bands (page);
      ratio = sample != NULL ? (double) sample->height / page->height : 1.0;

      search.image = sample != NULL ? sample : page;
      search.colour = full_chroma;
      search.paper = paper;
      search.source = work == NULL ? source : 0;
      search.best_factor = ek_image_jpeg_quality_factor (MAX_QUALITY);
      search.worst_factor = ek_image_jpeg_quality_factor (min_quality (dpi));
      search.goal = target * ratio;
      /* Measured on pages, cards and photos: 0.56–0.8 from quality 10 up to 90 */
      search.slope = 0.65;
      if (round == 0)
        {
          /* Where to start: a scanned page at quality 10 takes about 0.25 bits a pixel, and
           * bytes go as factor^−0.65; a generous budget starts near its table, not at 10 */
          double bits = 8.0 * search.goal / ((double) search.image->width * search.image->height);

          start = (int) (aim_factor * pow (TYPICAL_BITS_AT_AIM / MAX (bits, 0.01), 1.0 / search.slope));
          start = MIN (start, aim_factor);
        }
      if (!search_factor (&search, start, cancellable, error))
        return NULL;
      fit->n_encodes += sample == NULL ? search.n_encodes : 0;

      /* Once reduced, a sample only a little over at the floor is within the sample's error:
       * the whole page decides (and the page is reduced further only if it is over too) */
      near_miss = round > 0 && search.factor == 0 && search.over_factor >= search.worst_factor &&
                  search.over_bytes <= search.goal * NEAR_MISS;
      if (near_miss)
        {
          search.factor = off_even_multiple (search.worst_factor, search.source);
          search.fit_bytes = search.over_bytes;
        }

      /* Too coarse at this size: reduce, as far as the aimed table needs */
      if (!near_miss && (search.factor == 0 || search.factor > aim_factor) && round + 1 < MAX_ROUNDS &&
          scale > floor_scale * 1.01)
        {
          double at_aim = search.factor != 0 ? search.fit_bytes * pow ((double) search.factor / aim_factor, search.slope)
                                             : search.over_bytes * pow ((double) search.over_factor / aim_factor, search.slope);
          double wanted;

          /* Bytes grow slower than pixels (a smaller page is busier per pixel): about as
           * scale^1.4 on pages, learnt from the last two sizes when there are two */
          at_aim /= search.goal;
          if (last_scale > 0 && last_at_aim > at_aim && last_scale > scale)
            exponent = CLAMP (log (last_at_aim / at_aim) / log (last_scale / scale), 0.8, 2.0);
          wanted = scale * pow (1.0 / at_aim, 1.0 / exponent) * 0.99;
          last_scale = scale;
          last_at_aim = at_aim;
          scale = MAX (floor_scale, MIN (wanted, scale * 0.97));
          start = aim_factor;
          continue;
        }
      if (search.factor == 0)
        break;   /* even the floor does not fit, and the page cannot get smaller */

      factor = search.factor;
      if (sample == NULL)
        {
          best = g_steal_pointer (&search.bytes);
          best_factor = factor;
          break;
        }
      /* The whole page at the table the sample found, and side by side a coarser one in case
       * the sample misjudged it (a sample of a quarter of the rows is off by up to ±15 %) */
      for (guint attempt = 0; attempt < 3 && best == NULL; attempt++)
        {
          EncodeJob jobs[2] = { { 0 } };
          int fine = 0, coarse = 0;
          double fine_size = 0, coarse_size = 0;

          if (attempt == 0 && factor > search.best_factor &&
              (search.fit_bytes < search.goal * SAMPLE_SURE || factor >= search.worst_factor))
            {
              /* First, the sample's table and side by side a finer one: a sample clearly under
               * its goal usually leaves the whole page further under the limit, and the finer
               * encode takes that room without a third encode after these two (at the floor
               * there is no coarser table to fall back on anyway) */
              jobs[0].factor = off_even_multiple (MAX (search.best_factor, MIN (factor - 1, (int) floor (factor * FINER_STEP))),
                                                  search.source);
              jobs[1].factor = factor;
            }
          else
            {
              /* The table found and a coarser one, in case the sample misjudged the page */
              jobs[0].factor = factor;
              jobs[1].factor = off_even_multiple (MIN (search.worst_factor, MAX (factor + 1, (int) ceil (factor * 1.07))),
                                                  search.source);
            }
          if (!encode_jobs (page, full_chroma, paper, target, jobs,
                            jobs[1].factor > jobs[0].factor ? 2 : 1, cancellable, error))
            return NULL;
          fit->n_encodes += jobs[1].factor > jobs[0].factor ? 2 : 1;
          for (guint j = 0; j < 2; j++)
            {
              double size;

              if (jobs[j].bytes == NULL)
                continue;
              size = (double) g_bytes_get_size (jobs[j].bytes);
              g_debug ("fit: whole %u×%u factor %d → %.0f bytes (target %" G_GUINT64_FORMAT ")", page->width,
                       page->height, jobs[j].factor, size, target);
              if (size <= target && best == NULL)
                {
                  best = g_steal_pointer (&jobs[j].bytes);
                  best_factor = jobs[j].factor;
                  fine_size = size;
                }
              else if (size > target)
                {
                  coarse = jobs[j].factor;
                  coarse_size = size;
                }
            }
          fine = best_factor;
          if (best != NULL && fine_size < target * WHOLE_CLOSE && fine > search.best_factor)
            {
              /* Room left: one more encode, finer, where the two whole encodes say the limit is */
              g_autoptr(GBytes) finer = NULL;
              double slope = search.slope;
              int next;

              if (jobs[0].bytes != NULL && jobs[1].bytes != NULL && jobs[1].factor > jobs[0].factor)
                slope = CLAMP (log ((double) g_bytes_get_size (jobs[0].bytes) / g_bytes_get_size (jobs[1].bytes)) /
                               log ((double) jobs[1].factor / jobs[0].factor), 0.2, 2.0);
              else if (coarse != 0)
                slope = CLAMP (log (coarse_size / fine_size) / log ((double) fine / coarse), 0.2, 2.0);
              next = (int) floor (fine * pow (fine_size / (target * (1 + SEARCH_CLOSE) / 2), 1.0 / slope));
              if (coarse != 0)
                next = MAX (next, coarse + 1);
              next = off_even_multiple (MAX (next, search.best_factor), search.source);
              if (next < fine && next != coarse)
                {
                  if (check_cancelled (cancellable, error))
                    return NULL;
                  finer = encode (page, next, full_chroma, paper, target, error);
                  if (finer == NULL)
                    return NULL;
                  fit->n_encodes++;
                  g_debug ("fit: whole factor %d → %" G_GSIZE_FORMAT " bytes", next, g_bytes_get_size (finer));
                  if (g_bytes_get_size (finer) <= target)
                    {
                      g_bytes_unref (best);
                      best = g_steal_pointer (&finer);
                      best_factor = next;
                    }
                }
            }
          if (best == NULL)
            {
              double slope = search.slope;

              if (jobs[1].factor >= search.worst_factor)
                break;
              if (jobs[1].factor > jobs[0].factor && jobs[0].bytes != NULL && jobs[1].bytes != NULL)
                slope = CLAMP (log ((double) g_bytes_get_size (jobs[0].bytes) / g_bytes_get_size (jobs[1].bytes)) /
                               log ((double) jobs[1].factor / jobs[0].factor), 0.2, 2.0);
              factor = off_even_multiple (MIN (search.worst_factor,
                                               MAX (jobs[1].factor + 1,
                                                    (int) ceil (jobs[1].factor * pow (coarse_size / (target * 0.99),
                                                                                      1.0 / slope)))),
                                          search.source);
            }
          for (guint j = 0; j < 2; j++)
            g_clear_pointer (&jobs[j].bytes, g_bytes_unref);
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
