/* ek-image-pixels.c: the pixel work on decoded images: area-average reduction, EXIF
 * orientation, grey and RGB, stacking, and the analyses the fit decides by (colour, the
 * paper's level and grain) */
#include "config.h"

#include <math.h>
#include <string.h>

#include <emmintrin.h>

#include "ek-image-private.h"

/* Pixel operations */

/* Area averaging: each output pixel is the mean of the source area it covers. The rows are
 * shared out between two threads (the machine a clerk has has at least two cores); each band
 * of output rows reads only the source rows it covers. */
typedef guint8 EkU8x8 __attribute__ ((vector_size (8)));
typedef float EkF32x8 __attribute__ ((vector_size (32)));
typedef gint32 EkI32x8 __attribute__ ((vector_size (32)));

/* A sample clamped to a byte, without branches (minss/maxss) */
static inline guint8
to_byte (float v)
{
  v += 0.5f;
  v = v > 0.f ? v : 0.f;
  v = v < 255.f ? v : 255.f;
  return (guint8) v;
}

typedef struct
{
  const EkImage *image;
  EkImage       *result;
  const guint   *x_start;
  const guint   *x_count;
  const float   *x_weight;
  guint          max_taps;
  double         sy;
  guint          first_row;  /* result rows [first_row, end_row) */
  guint          end_row;
  const guint   *row_map;    /* the reduced page's row each result row is, NULL: the same */
} ScaleBand;

/* One output row: the source rows it covers are averaged first (contiguous: SSE2, sixteen
 * samples at a time), then the columns of that one averaged row */
static gpointer
scale_band (gpointer data)
{
  const ScaleBand *band = data;
  const EkImage *image = band->image;
  guint ch = image->channels;
  gsize src_n = (gsize) image->width * ch;
  /* Padded with zeros: every output pixel runs through max_taps taps, the ones past its
   * area weighted 0, so that the loop has no data-dependent branch */
  g_autofree float *vrow = g_new0 (float, src_n + (gsize) band->max_taps * ch);
  guint max_rows = (guint) ceil (band->sy) + 1;
  g_autofree const guint8 **rows = g_new (const guint8 *, max_rows);
  g_autofree float *row_weight = g_new (float, max_rows);
  guint n_rows;

  for (guint ry = band->first_row; ry < band->end_row; ry++)
    {
      guint oy = band->row_map != NULL ? band->row_map[ry] : ry;
      double top = oy * band->sy, bottom = MIN ((oy + 1) * band->sy, (double) image->height);
      guint8 *dst = band->result->data + (gsize) ry * band->result->stride;
      double total = 0;
      float inverse;

      /* The rows this output row covers and their weights, then one pass over them: each
       * sample of vrow is written once, with no clearing pass and no reload between rows
       * (the same sums in the same order as row by row: the same result, bit for bit) */
      n_rows = 0;
      for (guint y = (guint) top; y < image->height && y < bottom && n_rows < max_rows; y++)
        {
          float w = (float) (MIN (bottom, (double) y + 1) - MAX (top, (double) y));

          if (w <= 0)
            continue;
          rows[n_rows] = image->data + (gsize) y * image->stride;
          row_weight[n_rows++] = w;
          total += w;
        }
      {
        gsize i = 0;

#ifdef __SSE2__
        /* Sixteen samples at a time: bytes widened to 32-bit integers by unpacking with zero,
         * then converted (the generic vector conversion costs GCC three times the instructions) */
        for (; i + 16 <= src_n; i += 16)
          {
            __m128 s0 = _mm_setzero_ps (), s1 = s0, s2 = s0, s3 = s0;
            const __m128i z = _mm_setzero_si128 ();

            for (guint r = 0; r < n_rows; r++)
              {
                __m128i b, lo, hi;
                __m128 w = _mm_set1_ps (row_weight[r]);

                memcpy (&b, rows[r] + i, sizeof b);   /* an unaligned load, without a cast */
                lo = _mm_unpacklo_epi8 (b, z);
                hi = _mm_unpackhi_epi8 (b, z);

                s0 = _mm_add_ps (s0, _mm_mul_ps (w, _mm_cvtepi32_ps (_mm_unpacklo_epi16 (lo, z))));
                s1 = _mm_add_ps (s1, _mm_mul_ps (w, _mm_cvtepi32_ps (_mm_unpackhi_epi16 (lo, z))));
                s2 = _mm_add_ps (s2, _mm_mul_ps (w, _mm_cvtepi32_ps (_mm_unpacklo_epi16 (hi, z))));
                s3 = _mm_add_ps (s3, _mm_mul_ps (w, _mm_cvtepi32_ps (_mm_unpackhi_epi16 (hi, z))));
              }
            _mm_storeu_ps (vrow + i, s0);
            _mm_storeu_ps (vrow + i + 4, s1);
            _mm_storeu_ps (vrow + i + 8, s2);
            _mm_storeu_ps (vrow + i + 12, s3);
          }
#else
        /* Eight samples at a time (GCC and clang vector extensions) */
        for (; i + 8 <= src_n; i += 8)
          {
            EkF32x8 sum = { 0 };

            for (guint r = 0; r < n_rows; r++)
              {
                EkU8x8 bytes;

                memcpy (&bytes, rows[r] + i, sizeof bytes);
                /* Bytes to floats through 32-bit integers: straight from bytes, GCC converts
                 * one sample at a time (measured: half of the resize's time) */
                sum += row_weight[r] * __builtin_convertvector (__builtin_convertvector (bytes, EkI32x8), EkF32x8);
              }
            memcpy (vrow + i, &sum, sizeof sum);
          }
#endif
        for (; i < src_n; i++)
          {
            float v = 0;

            for (guint r = 0; r < n_rows; r++)
              v += row_weight[r] * rows[r][i];
            vrow[i] = v;
          }
      }
      inverse = total > 0 ? (float) (1.0 / total) : 1.f;

      if (ch == 3 && band->max_taps == 3)
        {
          /* The usual reduction (less than 2:1): three taps. With SSE2, the three channels of
           * a pixel side by side in one vector (the fourth lane is the next pixel's and is
           * dropped): the same products and sums as one channel at a time, clamped and
           * truncated as to_byte () does. The last pixel is done alone: its four-byte store
           * would pass the end of the row. */
          guint x = 0;

#ifdef __SSE2__
          const __m128 half = _mm_set1_ps (0.5f), zero = _mm_setzero_ps (), top_value = _mm_set1_ps (255.f);
          const __m128 scale = _mm_set1_ps (inverse);

          for (; x + 1 < band->result->width; x++)
            {
              const float *w = band->x_weight + (gsize) x * 3;
              const float *p = vrow + (gsize) band->x_start[x] * 3;
              __m128 v = _mm_add_ps (_mm_add_ps (_mm_mul_ps (_mm_set1_ps (w[0]), _mm_loadu_ps (p)),
                                                 _mm_mul_ps (_mm_set1_ps (w[1]), _mm_loadu_ps (p + 3))),
                                     _mm_mul_ps (_mm_set1_ps (w[2]), _mm_loadu_ps (p + 6)));
              __m128i q;
              gint32 out;

              v = _mm_add_ps (_mm_mul_ps (v, scale), half);
              v = _mm_min_ps (_mm_max_ps (v, zero), top_value);
              q = _mm_cvttps_epi32 (v);
              q = _mm_packs_epi32 (q, q);
              q = _mm_packus_epi16 (q, q);
              out = _mm_cvtsi128_si32 (q);
              memcpy (dst + 3 * x, &out, sizeof out);
            }
#endif
          for (; x < band->result->width; x++)
            {
              const float *w = band->x_weight + (gsize) x * 3;
              const float *p = vrow + (gsize) band->x_start[x] * 3;

              dst[3 * x] = to_byte ((w[0] * p[0] + w[1] * p[3] + w[2] * p[6]) * inverse);
              dst[3 * x + 1] = to_byte ((w[0] * p[1] + w[1] * p[4] + w[2] * p[7]) * inverse);
              dst[3 * x + 2] = to_byte ((w[0] * p[2] + w[1] * p[5] + w[2] * p[8]) * inverse);
            }
          continue;
        }
      if (ch == 1 && band->max_taps == 3)
        {
          for (guint x = 0; x < band->result->width; x++)
            {
              const float *w = band->x_weight + (gsize) x * 3;
              const float *p = vrow + band->x_start[x];

              dst[x] = to_byte ((w[0] * p[0] + w[1] * p[1] + w[2] * p[2]) * inverse);
            }
          continue;
        }
      for (guint x = 0; x < band->result->width; x++)
        {
          const float *w = band->x_weight + (gsize) x * band->max_taps;
          const float *p = vrow + (gsize) band->x_start[x] * ch;
          guint n = band->max_taps;

          if (ch == 3)
            {
              float r = 0, g = 0, b = 0;

              for (guint t = 0; t < n; t++)
                {
                  r += w[t] * p[3 * t];
                  g += w[t] * p[3 * t + 1];
                  b += w[t] * p[3 * t + 2];
                }
              dst[3 * x] = to_byte (r * inverse);
              dst[3 * x + 1] = to_byte (g * inverse);
              dst[3 * x + 2] = to_byte (b * inverse);
            }
          else
            {
              float v = 0;

              for (guint t = 0; t < n; t++)
                v += w[t] * p[t];
              dst[x] = to_byte (v * inverse);
            }
        }
    }
  return NULL;
}

static EkImage *
scale_down (const EkImage *image,
            guint          width,
            guint          height,
            const guint   *row_map,
            guint          n_rows)
{
  g_autofree guint *x_start = NULL;
  g_autofree guint *x_count = NULL;
  g_autofree float *x_weight = NULL;
  ScaleBand bands[2];
  GThread *helper = NULL;
  EkImage *result;
  double sx;
  guint max_taps;

  result = ek_image_new (width, n_rows, image->channels);
  if (result == NULL)
    return NULL;
  sx = (double) image->width / width;

  max_taps = (guint) sx + 2;
  x_start = g_new (guint, width);
  x_count = g_new0 (guint, width);
  x_weight = g_new0 (float, (gsize) width * max_taps);
  for (guint x = 0; x < width; x++)
    {
      double a = x * sx, b = MIN ((x + 1) * sx, (double) image->width);
      guint first = (guint) a;

      x_start[x] = first;
      for (guint i = first; i < image->width && i < b && x_count[x] < max_taps; i++)
        {
          double lo = MAX (a, (double) i), hi = MIN (b, (double) i + 1);
          x_weight[(gsize) x * max_taps + x_count[x]++] = (float) ((hi - lo) / sx);
        }
    }

  for (guint i = 0; i < 2; i++)
    {
      bands[i].image = image;
      bands[i].result = result;
      bands[i].x_start = x_start;
      bands[i].x_count = x_count;
      bands[i].x_weight = x_weight;
      bands[i].max_taps = max_taps;
      bands[i].sy = (double) image->height / height;
      bands[i].first_row = i == 0 ? 0 : n_rows / 2;
      bands[i].end_row = i == 0 ? n_rows / 2 : n_rows;
      bands[i].row_map = row_map;
    }
  /* A small image is not worth a thread */
  if ((gsize) width * n_rows >= 256 * 1024)
    helper = g_thread_try_new ("ek-scale", scale_band, &bands[1], NULL);
  scale_band (&bands[0]);
  if (helper != NULL)
    g_thread_join (helper);
  else
    scale_band (&bands[1]);
  return result;
}

EkImage *
ek_image_scale_down (const EkImage *image,
                     guint          width,
                     guint          height)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (width > 0 && width <= image->width, NULL);
  g_return_val_if_fail (height > 0 && height <= image->height, NULL);

  return scale_down (image, width, height, NULL, height);
}

EkImage *
ek_image_scale_down_rows (const EkImage *image,
                          guint          width,
                          guint          height,
                          const guint   *rows,
                          guint          n_rows)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (width > 0 && width <= image->width, NULL);
  g_return_val_if_fail (height > 0 && height <= image->height, NULL);
  g_return_val_if_fail (rows != NULL && n_rows > 0, NULL);
  for (guint i = 0; i < n_rows; i++)
    g_return_val_if_fail (rows[i] < height, NULL);

  return scale_down (image, width, height, rows, n_rows);
}

EkImage *
ek_image_orient (const EkImage *image,
                 guint          orientation)
{
  EkImage *result;
  guint w, h, ch;
  gboolean swap;

  g_return_val_if_fail (image != NULL, NULL);

  w = image->width;
  h = image->height;
  ch = image->channels;
  swap = orientation >= 5 && orientation <= 8;
  result = ek_image_new (swap ? h : w, swap ? w : h, ch);
  if (result == NULL)
    return NULL;

  for (guint y = 0; y < result->height; y++)
    {
      guint8 *dst = result->data + (gsize) y * result->stride;

      for (guint x = 0; x < result->width; x++)
        {
          guint sx, sy;

          switch (orientation)
            {
            case 2: sx = w - 1 - x; sy = y; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sx = x; sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            case 8: sx = w - 1 - y; sy = x; break;
            default: sx = x; sy = y; break;
            }
          memcpy (dst + (gsize) x * ch, image->data + (gsize) sy * image->stride + (gsize) sx * ch, ch);
        }
    }
  return result;
}

/* Whole-image passes that a clerk waits for are shared between two threads by rows: the
 * function runs on rows [first, end) of image (and of result, when there is one) */
typedef struct RowHalf RowHalf;
struct RowHalf
{
  const EkImage *image;
  EkImage       *result;
  guint          first;
  guint          end;
  guint64        count;
  void         (*func) (RowHalf *half);
};

static gpointer
row_half_thread (gpointer data)
{
  RowHalf *half = data;

  half->func (half);
  return NULL;
}

/* The sum of both halves' counts */
static guint64
run_row_halves (const EkImage  *image,
                EkImage        *result,
                void          (*func) (RowHalf *half))
{
  RowHalf halves[2];
  GThread *helper = NULL;
  /* Split at an even row: the colour count looks at every other row */
  guint middle = (image->height / 4) * 2;

  for (guint i = 0; i < 2; i++)
    {
      halves[i].image = image;
      halves[i].result = result;
      halves[i].first = i == 0 ? 0 : middle;
      halves[i].end = i == 0 ? middle : image->height;
      halves[i].count = 0;
      halves[i].func = func;
    }
  /* A small image is not worth a thread */
  if ((gsize) image->width * image->height >= 256 * 1024)
    helper = g_thread_try_new ("ek-image-rows", row_half_thread, &halves[1], NULL);
  func (&halves[0]);
  if (helper != NULL)
    g_thread_join (helper);
  else
    func (&halves[1]);
  return halves[0].count + halves[1].count;
}

static void
grey_rows (RowHalf *half)
{
  const EkImage *image = half->image;

  for (guint y = half->first; y < half->end; y++)
    {
      const guint8 *src = image->data + (gsize) y * image->stride;
      guint8 *dst = half->result->data + (gsize) y * half->result->stride;

      if (image->channels == 1)
        memcpy (dst, src, image->width);
      else
        for (guint x = 0; x < image->width; x++)
          dst[x] = (guint8) ((299 * src[3 * x] + 587 * src[3 * x + 1] + 114 * src[3 * x + 2] + 500) / 1000);
    }
}

/* A pixel carries colour when its channels differ clearly: a red seal does, the faint yellow
 * cast of a photocopy or a phone photo does not. Every other pixel of every other row is
 * enough. */
static void
colour_rows (RowHalf *half)
{
  const EkImage *image = half->image;

  for (guint y = half->first; y < half->end; y += 2)
    {
      const guint8 *row = image->data + (gsize) y * image->stride;

      for (guint x = 0; x < image->width; x += 2)
        {
          const guint8 *p = row + 3 * x;
          int mx = MAX (p[0], MAX (p[1], p[2])), mn = MIN (p[0], MIN (p[1], p[2]));

          if (mx - mn > 60)
            half->count++;
        }
    }
}

EkImage *
ek_image_to_grey (const EkImage *image)
{
  EkImage *result;

  g_return_val_if_fail (image != NULL, NULL);

  result = ek_image_new (image->width, image->height, 1);
  if (result == NULL)
    return NULL;
  run_row_halves (image, result, grey_rows);
  return result;
}

EkImage *
ek_image_to_rgb (const EkImage *image)
{
  EkImage *result;

  g_return_val_if_fail (image != NULL, NULL);

  result = ek_image_new (image->width, image->height, 3);
  if (result == NULL)
    return NULL;
  for (guint y = 0; y < image->height; y++)
    {
      const guint8 *src = image->data + (gsize) y * image->stride;
      guint8 *dst = result->data + (gsize) y * result->stride;

      if (image->channels == 3)
        memcpy (dst, src, result->stride);
      else
        for (guint x = 0; x < image->width; x++)
          dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = src[x];
    }
  return result;
}

EkImage *
ek_image_stack (const EkImage *top,
                const EkImage *bottom)
{
  g_autoptr(EkImage) a = NULL;
  g_autoptr(EkImage) b = NULL;
  EkImage *result;
  guint width, gap;

  g_return_val_if_fail (top != NULL && bottom != NULL, NULL);

  a = ek_image_to_rgb (top);
  b = ek_image_to_rgb (bottom);
  if (a == NULL || b == NULL)
    return NULL;
  width = MAX (a->width, b->width);
  gap = MAX (a->height, b->height) / 20;
  result = ek_image_new (width, a->height + gap + b->height, 3);
  if (result == NULL)
    return NULL;
  memset (result->data, 0xff, result->stride * result->height);
  for (guint y = 0; y < a->height; y++)
    memcpy (result->data + (gsize) y * result->stride + (gsize) (width - a->width) / 2 * 3,
            a->data + (gsize) y * a->stride, a->stride);
  for (guint y = 0; y < b->height; y++)
    memcpy (result->data + (gsize) (a->height + gap + y) * result->stride + (gsize) (width - b->width) / 2 * 3,
            b->data + (gsize) y * b->stride, b->stride);
  return result;
}

double
ek_image_colour_fraction (const EkImage *image)
{
  guint64 total;

  g_return_val_if_fail (image != NULL, 0);

  if (image->channels == 1)
    return 0;
  total = (guint64) ((image->height + 1) / 2) * ((image->width + 1) / 2);
  return total > 0 ? (double) run_row_halves (image, NULL, colour_rows) / total : 0;
}

/* The paper's luma level in eighths (a block's DC is 8 × (mean − 128)): the mean of the
 * levels around the most common one */
int
ek_image_paper_level (const EkImage *image)
{
  guint histogram[256] = { 0 };
  guint best = 0;
  int level = -1;

  g_return_val_if_fail (image != NULL, -1);

  for (guint y = 0; y < image->height; y += 4)
    {
      const guint8 *row = image->data + (gsize) y * image->stride;

      for (guint x = 0; x < image->width; x += 4)
        {
          const guint8 *p = row + (gsize) x * image->channels;

          histogram[image->channels == 1 ? p[0] : (299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000]++;
        }
    }
  for (int l = 3; l < 253; l++)
    {
      guint sum = 0;

      for (int d = -3; d <= 3; d++)
        sum += histogram[l + d];
      if (sum > best)
        {
          best = sum;
          level = l;
        }
    }
  if (level < 0)
    return -1;
  /* The paper's mean, not its mode: the mode of noisy paper is off by a level or two */
  {
    double sum = 0, count = 0;

    for (int l = MAX (0, level - 12); l <= MIN (255, level + 12); l++)
      {
        sum += (double) l * histogram[l];
        count += histogram[l];
      }
    return count > 0 ? (int) lround (sum / count * 8) : -1;
  }
}


/* The paper's grain: the mean absolute difference in luma between horizontally adjacent
 * pixels of blank paper (both within 12 levels of @paper, in eighths), on every 16th row.
 * A clean scan's paper is nearly flat (under 1.5 on the bench's low-noise corpus), a noisy
 * one's is not (over 2.3 on its default corpus). */
double
ek_image_paper_grain (const EkImage *image,
                      int            paper)
{
  guint64 sum = 0, count = 0;
  int level = paper / 8;

  g_return_val_if_fail (image != NULL, 0);

  if (paper < 0)
    return 0;
  for (guint y = 0; y < image->height; y += 16)
    {
      const guint8 *row = image->data + (gsize) y * image->stride;
      int last = -1;

      for (guint x = 0; x < image->width; x++)
        {
          const guint8 *p = row + (gsize) x * image->channels;
          int l = image->channels == 1 ? p[0] : (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;

          if (ABS (l - level) > 12)
            {
              last = -1;
              continue;
            }
          if (last >= 0)
            {
              sum += (guint64) ABS (l - last);
              count++;
            }
          last = l;
        }
    }
  return count > 0 ? (double) sum / count : 0;
}
