/* ek-material-fit.c: fit an image under its byte limit with few trial encodes
 *
 * The size model: JPEG bytes grow roughly with the number of pixels at a fixed quality, and
 * roughly exponentially with the quality at a fixed size. One probe encode at the aimed
 * quality measures how busy the page is; from it we pick the resolution at which that quality
 * fits, then a secant search on log(bytes) over the quality lands under the target in one or
 * two more encodes.
 *
 * Resolution before quality: measured at the original resolution (tests/bench), a page keeps
 * more of its detail at full resolution and low JPEG quality than reduced and at high quality,
 * and 8–9 pt Chinese stays readable at 300 DPI down to quality 10. Only when even the aimed
 * quality does not fit is the page reduced, never below 100 DPI. Colour pages keep 4:2:0
 * chroma with a finer chroma table (ek_image_encode_jpeg), which keeps a red seal red.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-material-fit.h"

#define HEADROOM          0.97   /* aim a little under the limit: room to spare */
#define AIM_QUALITY       15     /* keep the resolution down to this quality, then reduce the size */
#define MIN_QUALITY       10     /* at 150 DPI and more; below, 8 pt strokes dissolve into blocks */
#define MAX_QUALITY       95
#define A4_LONG_INCHES    11.69
#define MAX_DPI           300.0  /* what office scanners give; more only costs bytes */
#define FLOOR_DPI         100.0  /* less than this and small print is unreadable */
#define COLOUR_FRACTION   0.0005 /* 0.05 % clearly coloured pixels: a seal, a photo */
#define MAX_ENCODES       8

void
ek_material_fit_free (EkMaterialFit *fit)
{
  if (fit == NULL)
    return;
  g_clear_pointer (&fit->bytes, g_bytes_unref);
  g_free (fit);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

static EkImage *
scaled (const EkImage *image,
        double         scale)
{
  guint w = MAX (1, (guint) lround (image->width * scale));
  guint h = MAX (1, (guint) lround (image->height * scale));

  if (w >= image->width || h >= image->height)
    {
      EkImage *copy = ek_image_new (image->width, image->height, image->channels);
      if (copy != NULL)
        memcpy (copy->data, image->data, image->stride * image->height);
      return copy;
    }
  return ek_image_scale_down (image, w, h);
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
  for (guint b = 0; b < bands; b++)
    for (guint r = 0; r < 16; r++, y++)
      memcpy (sample->data + (gsize) y * sample->stride, image->data + ((gsize) b * 64 + r) * image->stride,
              image->stride);
  return sample;
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
  double scale, max_scale, floor_scale;
  int best_quality = 0;
  gboolean full_chroma;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (max_bytes > 1024, NULL);

  ek_material_limits_init_default (&limits);
  limits.max_bytes = max_bytes;
  report = ek_material_check_bytes (input, &limits, cancellable);
  if (report == NULL)
    return check_cancelled (cancellable, error), NULL;
  fit->input_bytes = report->bytes;

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

  data = g_bytes_get_data (input, &length);
  if (!ek_image_decode (data, length, limits.max_pixels, &info, &image, cancellable, error))
    return NULL;

  if (info.orientation != 1)
    {
      EkImage *oriented = ek_image_orient (image, info.orientation);
      if (oriented == NULL)
        {
          g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                               _("There is not enough memory to open this image."));
          return NULL;
        }
      ek_image_free (image);
      image = oriented;
    }
  if (check_cancelled (cancellable, error))
    return NULL;

  /* Colour where it carries meaning, grey elsewhere */
  if (image->channels == 3 && ek_image_colour_fraction (image) < COLOUR_FRACTION)
    {
      EkImage *grey = ek_image_to_grey (image);
      if (grey != NULL)
        {
          ek_image_free (image);
          image = grey;
        }
    }
  fit->grey = image->channels == 1;
  full_chroma = !fit->grey;

  /* Resolution bounds, as if the image were an A4 page (an ID card is smaller and is never
   * reduced much: its floor is its own size or the page floor, whichever is smaller) */
  long_side = MAX (image->width, image->height);
  max_scale = MIN (1.0, (A4_LONG_INCHES * MAX_DPI) / long_side);
  floor_scale = MIN (1.0, (A4_LONG_INCHES * FLOOR_DPI) / long_side);
  target = (guint64) (max_bytes * HEADROOM);

  /* Probe: at the largest sensible size, how many bytes does the aimed quality take? The
   * probe and the quality search run on a sample of the page (a band of 16 rows in every 64),
   * a quarter of the work; the whole page is encoded once at the quality found, and again
   * only if the sample misjudged it. */
  scale = max_scale;
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GBytes) probe = NULL;
      g_autoptr(GBytes) sample_best = NULL;
      g_autoptr(EkImage) sample = NULL;
      const EkImage *model;
      double lo_q, hi_q, lo_b, hi_b, ratio, goal;
      int found = 0;
      int min_q = min_quality (long_side * scale / A4_LONG_INCHES);
      int quality = MAX (AIM_QUALITY, min_q);

      g_clear_pointer (&work, ek_image_free);
      work = scaled (image, scale);
      if (work == NULL)
        {
          g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                               _("There is not enough memory to open this image."));
          return NULL;
        }
      if (check_cancelled (cancellable, error))
        return NULL;
      sample = sample_bands (work);
      model = sample != NULL ? sample : work;
      ratio = (double) model->height / work->height;
      goal = target * ratio;

      probe = ek_image_encode_jpeg (model, quality, full_chroma, error);
      if (probe == NULL)
        return NULL;
      if (sample == NULL)
        fit->n_encodes++;

      if (g_bytes_get_size (probe) > goal)
        {
          /* Would a smaller image at the aimed quality fit? Bytes ∝ pixels, roughly,
           * but a reduced page is busier per pixel: aim 10 % lower. */
          double wanted = scale * sqrt (goal / g_bytes_get_size (probe)) * 0.95;

          if (round < 2 && wanted < scale * 0.9 && wanted > floor_scale)
            {
              scale = wanted;
              continue;
            }
          if (round < 2 && wanted <= floor_scale && scale > floor_scale * 1.05)
            {
              scale = floor_scale;
              continue;
            }
        }

      /* Quality search on the model: secant on log(bytes) */
      lo_q = 0; lo_b = 0;
      hi_q = quality; hi_b = (double) g_bytes_get_size (probe);
      if (hi_b <= goal)
        {
          sample_best = g_steal_pointer (&probe);
          found = quality;
          lo_q = hi_q; lo_b = hi_b;
          hi_q = 0;
        }
      for (guint step = 0; step < MAX_ENCODES; step++)
        {
          g_autoptr(GBytes) trial = NULL;
          double next;

          if (hi_q == 0)
            {
              /* Only a fitting point: climb while there is room left */
              if (lo_b > goal * 0.95 || lo_q >= MAX_QUALITY)
                break;
              next = lo_q + log (goal / lo_b) / 0.035;
            }
          else if (lo_q == 0)
            next = hi_q - log (hi_b / goal) / 0.035;
          else
            next = lo_q + (hi_q - lo_q) * log (goal / lo_b) / log (hi_b / lo_b);
          quality = (int) floor (next);
          quality = CLAMP (quality, min_q, MAX_QUALITY);
          if (quality == (int) lo_q || quality == (int) hi_q)
            {
              if (hi_q != 0 && quality == (int) hi_q && quality - 1 > lo_q && quality > min_q)
                quality--;
              else
                break;
            }
          if (check_cancelled (cancellable, error))
            return NULL;
          trial = ek_image_encode_jpeg (model, quality, full_chroma, error);
          if (trial == NULL)
            return NULL;
          if (sample == NULL)
            fit->n_encodes++;
          if (g_bytes_get_size (trial) <= goal)
            {
              if (quality > found)
                {
                  g_clear_pointer (&sample_best, g_bytes_unref);
                  sample_best = g_steal_pointer (&trial);
                  found = quality;
                }
              lo_q = quality; lo_b = (double) g_bytes_get_size (sample_best);
              if (hi_q != 0 && hi_q - lo_q <= 1)
                break;
            }
          else
            {
              hi_q = quality; hi_b = (double) g_bytes_get_size (trial);
              if (quality <= min_q)
                break;
              if (lo_q != 0 && hi_q - lo_q <= 1)
                break;
            }
        }

      if (found > 0 && sample == NULL)
        {
          best = g_steal_pointer (&sample_best);
          best_quality = found;
          break;
        }
      /* The whole page at the quality the sample found; a step down if the sample misjudged */
      for (int attempt = 0; found > 0 && attempt < 4; attempt++)
        {
          g_autoptr(GBytes) whole = NULL;
          double over;

          if (check_cancelled (cancellable, error))
            return NULL;
          whole = ek_image_encode_jpeg (work, found, full_chroma, error);
          fit->n_encodes++;
          if (whole == NULL)
            return NULL;
          if (g_bytes_get_size (whole) <= target)
            {
              best = g_steal_pointer (&whole);
              best_quality = found;
              break;
            }
          if (found <= min_q)
            break;
          over = log ((double) g_bytes_get_size (whole) / target) / 0.035;
          found = MAX (min_q, found - MAX (1, (int) ceil (over)));
        }
      if (best != NULL)
        break;
      /* Even the lowest quality does not fit at this size: smaller, if the floor allows */
      if (scale <= floor_scale * 1.01)
        break;
      scale = MAX (floor_scale, scale * sqrt (goal / (hi_b > 0 ? hi_b : goal * 2)) * 0.9);
    }

  if (best == NULL)
    {
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_ILLEGIBLE,
                   _("This image cannot be made smaller than the limit without its small print becoming unreadable. Scan the page again in greyscale at 150–200 DPI, crop away empty borders, or split it into two pages."));
      return NULL;
    }

  fit->bytes = g_steal_pointer (&best);
  fit->format = EK_IMAGE_FORMAT_JPEG;
  fit->width = work->width;
  fit->height = work->height;
  fit->quality = best_quality;
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
