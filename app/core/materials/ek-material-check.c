/* ek-material-check.c: check a material file and say exactly what is wrong */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-material-check.h"

G_DEFINE_QUARK (ek-material-error-quark, ek_material_error)

void
ek_material_limits_init_default (EkMaterialLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_bytes = 0;
  limits->formats = (1u << EK_IMAGE_FORMAT_PNG) | (1u << EK_IMAGE_FORMAT_JPEG) | (1u << EK_IMAGE_FORMAT_GIF);
  limits->max_pixels = EK_MATERIAL_DEFAULT_MAX_PIXELS;
  limits->max_width = 20000;
  limits->max_height = 20000;
}

const char *
ek_material_problem_code_to_string (EkMaterialError code)
{
  switch (code)
    {
    case EK_MATERIAL_ERROR_EMPTY: return "empty";
    case EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED: return "format-not-allowed";
    case EK_MATERIAL_ERROR_CORRUPT: return "corrupt";
    case EK_MATERIAL_ERROR_TRUNCATED: return "truncated";
    case EK_MATERIAL_ERROR_TOO_MANY_PIXELS: return "too-many-pixels";
    case EK_MATERIAL_ERROR_TOO_LARGE: return "too-large";
    case EK_MATERIAL_ERROR_ILLEGIBLE: return "illegible";
    case EK_MATERIAL_ERROR_RULES:
    case EK_MATERIAL_ERROR_SCANNER_NOT_FOUND:
    case EK_MATERIAL_ERROR_SCANNER_BUSY:
    case EK_MATERIAL_ERROR_SCANNER_JAMMED:
    case EK_MATERIAL_ERROR_SCANNER_COVER_OPEN:
    case EK_MATERIAL_ERROR_SCANNER_NO_DOCUMENTS:
    case EK_MATERIAL_ERROR_SCANNER_FAILED:
    case EK_MATERIAL_ERROR_UNSUPPORTED:
    default:
      return "error";
    }
}

static void
problem_free (gpointer data)
{
  EkMaterialProblem *problem = data;

  g_free (problem->message);
  g_free (problem);
}

static void
add_problem (EkMaterialReport *report,
             EkMaterialError   code,
             const char       *message)
{
  EkMaterialProblem *problem = g_new0 (EkMaterialProblem, 1);

  problem->code = code;
  problem->message = g_strdup (message);
  g_ptr_array_add (report->problems, problem);
}

void
ek_material_report_free (EkMaterialReport *report)
{
  if (report == NULL)
    return;
  g_free (report->path);
  g_ptr_array_unref (report->problems);
  g_free (report);
}

gboolean
ek_material_report_is_ok (const EkMaterialReport *report)
{
  g_return_val_if_fail (report != NULL, FALSE);
  return report->problems->len == 0;
}

gboolean
ek_material_report_has (const EkMaterialReport *report,
                        EkMaterialError         code)
{
  g_return_val_if_fail (report != NULL, FALSE);

  for (guint i = 0; i < report->problems->len; i++)
    if (((EkMaterialProblem *) g_ptr_array_index (report->problems, i))->code == code)
      return TRUE;
  return FALSE;
}

/* Can "Fit automatically" help? Only when we could decode it and the trouble is size or format. */
gboolean
ek_material_report_fixable (const EkMaterialReport *report)
{
  g_return_val_if_fail (report != NULL, FALSE);

  if (report->problems->len == 0)
    return FALSE;
  for (guint i = 0; i < report->problems->len; i++)
    {
      EkMaterialProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->code != EK_MATERIAL_ERROR_TOO_LARGE && problem->code != EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED)
        return FALSE;
    }
  /* A format we cannot decode (PDF, HEIF…) cannot be re-encoded either */
  return report->info.format == EK_IMAGE_FORMAT_PNG || report->info.format == EK_IMAGE_FORMAT_JPEG ||
         report->info.format == EK_IMAGE_FORMAT_GIF;
}

static char *
format_size (guint64 bytes)
{
  if (bytes >= 1024 * 1024)
    return g_strdup_printf (_("%.1f MB"), bytes / (1024.0 * 1024.0));
  return g_strdup_printf (_("%u KB"), (guint) ((bytes + 1023) / 1024));
}

EkMaterialReport *
ek_material_check_bytes (GBytes                 *bytes,
                         const EkMaterialLimits *limits,
                         GCancellable           *cancellable)
{
  g_autoptr(EkMaterialReport) report = g_new0 (EkMaterialReport, 1);
  g_autoptr(GError) error = NULL;
  EkMaterialLimits defaults;
  const guint8 *data;
  gsize length = 0;
  gboolean allowed;

  g_return_val_if_fail (bytes != NULL, NULL);

  if (limits == NULL)
    {
      ek_material_limits_init_default (&defaults);
      limits = &defaults;
    }
  report->problems = g_ptr_array_new_with_free_func (problem_free);
  report->info.orientation = 1;
  data = g_bytes_get_data (bytes, &length);
  report->bytes = length;

  /* 1. Empty */
  if (length == 0)
    {
      add_problem (report, EK_MATERIAL_ERROR_EMPTY,
                   _("The file is empty (0 bytes). Choose the file again, or scan the page again."));
      return g_steal_pointer (&report);
    }

  /* 2. The real format, from the bytes */
  report->info.format = ek_image_format_sniff (data, length);
  allowed = report->info.format != EK_IMAGE_FORMAT_UNKNOWN && (limits->formats & (1u << report->info.format)) != 0;
  if (!allowed)
    {
      g_autofree char *message = NULL;

      if (report->info.format == EK_IMAGE_FORMAT_UNKNOWN)
        message = g_strdup (_("This file is not an image the registration system accepts; its format is unknown. Save or scan it as PNG, JPG or GIF."));
      else
        message = g_strdup_printf (_("This file is a %s, whatever its name says; the registration system accepts only PNG, JPG and GIF. Save or scan it as one of those."),
                                   ek_image_format_display_name (report->info.format));
      add_problem (report, EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED, message);
    }
  if (report->info.format != EK_IMAGE_FORMAT_PNG && report->info.format != EK_IMAGE_FORMAT_JPEG &&
      report->info.format != EK_IMAGE_FORMAT_GIF)
    return g_steal_pointer (&report);

  /* 3. Dimensions from the header, before anything is decoded */
  if (!ek_image_read_header (data, length, &report->info, &error))
    {
      add_problem (report, error->code, error->message);
      return g_steal_pointer (&report);
    }
  if ((guint64) report->info.width * report->info.height > limits->max_pixels ||
      (limits->max_width > 0 && report->info.width > limits->max_width) ||
      (limits->max_height > 0 && report->info.height > limits->max_height))
    {
      g_autofree char *message = g_strdup_printf (_("The image claims %u × %u pixels, far more than any scanned page; it was not opened. Scan the page again at 300 DPI or less."),
                                                  report->info.width, report->info.height);
      add_problem (report, EK_MATERIAL_ERROR_TOO_MANY_PIXELS, message);
      return g_steal_pointer (&report);
    }

  /* 4. A full decode, keeping no pixels */
  if (!ek_image_decode (data, length, limits->max_pixels, &report->info, NULL, cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return NULL;
      add_problem (report, error->domain == EK_MATERIAL_ERROR ? error->code : EK_MATERIAL_ERROR_CORRUPT,
                   error->message);
      return g_steal_pointer (&report);
    }

  /* 5. Size against the limit */
  if (limits->max_bytes > 0 && length > limits->max_bytes)
    {
      g_autofree char *size = format_size (length);
      g_autofree char *limit = format_size (limits->max_bytes + 1);
      g_autofree char *message = g_strdup_printf (_("The file is %s; this material must be under %s. Use “Fit automatically”, or scan again at a lower resolution."),
                                                  size, limit);
      add_problem (report, EK_MATERIAL_ERROR_TOO_LARGE, message);
    }
  return g_steal_pointer (&report);
}

EkMaterialReport *
ek_material_check_file (const char              *path,
                        const EkMaterialLimits  *limits,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  EkMaterialReport *report;

  g_return_val_if_fail (path != NULL, NULL);

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  report = ek_material_check_bytes (bytes, limits, cancellable);
  if (report == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return NULL;
    }
  report->path = g_strdup (path);
  return report;
}

typedef struct
{
  char             *path;
  EkMaterialLimits  limits;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->path);
  g_free (data);
}

static void
check_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  GError *error = NULL;
  EkMaterialReport *report = ek_material_check_file (data->path, &data->limits, cancellable, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) ek_material_report_free);
}

void
ek_material_check_file_async (const char             *path,
                              const EkMaterialLimits *limits,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_return_if_fail (path != NULL);

  data = g_new0 (CheckData, 1);
  data->path = g_strdup (path);
  if (limits != NULL)
    data->limits = *limits;
  else
    ek_material_limits_init_default (&data->limits);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_material_check_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_thread);
}

EkMaterialReport *
ek_material_check_file_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
