/* ek-scanner-sane.c: SANE itself, run only inside the scanning helper (ekey-scan-helper)
 *
 * Backends built on sanei_thread stop their reader thread with pthread_cancel(); a reader
 * cancelled while it holds a process-wide lock (the dynamic loader's, gettext's) leaves that lock
 * taken and hangs whatever process it is in. So SANE never runs in the app or the tools: they
 * talk to a helper process (ek-scanner.c), which they can kill, and whose hang or crash becomes
 * a clear error there. Blocking calls; one operation at a time.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#if HAVE_SANE
#include <sane/sane.h>
#include <sane/saneopts.h>
#endif

#include "ek-scanner-sane.h"

#if HAVE_SANE

static GMutex sane_lock;
static SANE_Handle pending_handle;   /* a one-page scan whose frame is still to be ended */

/* Every message that can follow a scan that went wrong, translated before SANE starts reading: a
 * backend may cancel its reader thread inside gettext (opening a catalogue is a cancellation
 * point), which leaves gettext's lock taken for good, and any gettext call after that hangs this
 * helper (caught in gdb with the test backend's DEVICE_BUSY fault). */
typedef enum
{
  MSG_JAMMED,
  MSG_COVER_OPEN,
  MSG_NO_DOCS,
  MSG_BUSY,
  MSG_NOT_FOUND,
  MSG_CANCELLED,
  MSG_PROBLEM,
  MSG_TOO_LARGE,
  MSG_EMPTY,
  MSG_NO_MEMORY,
  MSG_FRAME,
  N_MESSAGES
} Message;

static const char *const message_ids[N_MESSAGES] = {
  [MSG_JAMMED] = N_("The paper is jammed in the scanner. Open the document feeder, take the sheet out carefully, and scan again."),
  [MSG_COVER_OPEN] = N_("The scanner's cover is open. Close it and scan again."),
  [MSG_NO_DOCS] = N_("There is no paper in the document feeder. Put the pages in face down and scan again, or scan from the glass."),
  [MSG_BUSY] = N_("The scanner is busy with another program. Wait until it finishes, then scan again."),
  [MSG_NOT_FOUND] = N_("The scanner “%s” cannot be reached: it may have been unplugged or switched off. Check its cable and power, then choose it again."),
  [MSG_CANCELLED] = N_("Scanning was cancelled."),
  [MSG_PROBLEM] = N_("The scanner reported a problem (%s). Switch it off and on, then scan again."),
  [MSG_TOO_LARGE] = N_("The scan is larger than any page; choose a lower resolution."),
  [MSG_EMPTY] = N_("The scanner sent an empty page. Scan again."),
  [MSG_NO_MEMORY] = N_("There is not enough memory for this scan; choose a lower resolution."),
  [MSG_FRAME] = N_("The scanner sends images in a form we cannot read (frame %d, %d bits)."),
};

static const char *messages[N_MESSAGES];

static void
translate_messages (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < N_MESSAGES; i++)
        messages[i] = g_dgettext (GETTEXT_PACKAGE, message_ids[i]);
      g_once_init_leave (&done, 1);
    }
}

#define MSG(id) (messages[id] != NULL ? messages[id] : message_ids[id])

/* The message with its %s / %d filled in order by @values; no printf with a translated format */
static char *
fill_message (Message             id,
              const char * const *values)
{
  const char *template = MSG (id);
  GString *text = g_string_new (NULL);
  guint next = 0;

  for (const char *c = template; *c != '\0'; c++)
    {
      if (c[0] == '%' && (c[1] == 's' || c[1] == 'd') && values[next] != NULL)
        {
          g_string_append (text, values[next++]);
          c++;
        }
      else
        g_string_append_c (text, *c);
    }
  return g_string_free (text, FALSE);
}

static void
set_filled_error (GError             **error,
                  int                  code,
                  Message              id,
                  const char * const  *values)
{
  g_autofree char *message = fill_message (id, values);

  g_set_error_literal (error, EK_MATERIAL_ERROR, code, message);
}

static gboolean
sane_error (SANE_Status   status,
            const char   *device,
            GError      **error)
{
  switch (status)
    {
    case SANE_STATUS_JAMMED:
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_JAMMED,
                           MSG (MSG_JAMMED));
      break;
    case SANE_STATUS_COVER_OPEN:
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_COVER_OPEN,
                           MSG (MSG_COVER_OPEN));
      break;
    case SANE_STATUS_NO_DOCS:
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_NO_DOCUMENTS,
                           MSG (MSG_NO_DOCS));
      break;
    case SANE_STATUS_DEVICE_BUSY:
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_BUSY,
                           MSG (MSG_BUSY));
      break;
    case SANE_STATUS_INVAL:
    case SANE_STATUS_IO_ERROR:
      {
        const char *values[] = { device, NULL };

        set_filled_error (error, EK_MATERIAL_ERROR_SCANNER_NOT_FOUND, MSG_NOT_FOUND, values);
      }
      break;
    case SANE_STATUS_CANCELLED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, MSG (MSG_CANCELLED));
      break;
    case SANE_STATUS_GOOD:
    case SANE_STATUS_UNSUPPORTED:
    case SANE_STATUS_EOF:
    case SANE_STATUS_NO_MEM:
    case SANE_STATUS_ACCESS_DENIED:
    default:
      {
        const char *values[] = { sane_strstatus (status), NULL };

        set_filled_error (error, EK_MATERIAL_ERROR_SCANNER_FAILED, MSG_PROBLEM, values);
      }
      break;
    }
  return FALSE;
}

/* SANE is started once and left running: sane_get_devices() probes again on every call, so a
 * scanner plugged in later is still found, and backends that keep state per process (or leak a
 * little on cancel, like the test backend) are not loaded and unloaded over and over. */
static gboolean
start_sane (GError **error)
{
  static gboolean started = FALSE;
  SANE_Int version = 0;
  SANE_Status status;

  translate_messages ();
  if (started)
    return TRUE;
  status = sane_init (&version, NULL);
  if (status != SANE_STATUS_GOOD)
    {
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED,
                   _("The scanner service could not start (%s)."), sane_strstatus (status));
      return FALSE;
    }
  started = TRUE;
  return TRUE;
}

GPtrArray *
ek_scanner_sane_list_devices (GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sane_lock);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_scanner_device_free);
  const SANE_Device **list = NULL;
  SANE_Status status;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!start_sane (error))
    return NULL;
  status = sane_get_devices (&list, SANE_TRUE);
  if (status != SANE_STATUS_GOOD)
    {
      sane_error (status, "", error);
      return NULL;
    }
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      EkScannerDevice *device = g_new0 (EkScannerDevice, 1);

      device->name = g_strdup (list[i]->name);
      device->vendor = g_strdup (list[i]->vendor);
      device->model = g_strdup (list[i]->model);
      device->type = g_strdup (list[i]->type);
      g_ptr_array_add (devices, device);
    }
  return g_steal_pointer (&devices);
}

static SANE_Int
find_option (SANE_Handle                  handle,
             const char                  *name,
             const SANE_Option_Descriptor **out)
{
  SANE_Int count = 0;

  if (sane_control_option (handle, 0, SANE_ACTION_GET_VALUE, &count, NULL) != SANE_STATUS_GOOD)
    return -1;
  for (SANE_Int i = 1; i < count; i++)
    {
      const SANE_Option_Descriptor *desc = sane_get_option_descriptor (handle, i);

      if (desc != NULL && desc->name != NULL && g_str_equal (desc->name, name))
        {
          *out = desc;
          return i;
        }
    }
  return -1;
}

static char **
string_list (const SANE_Option_Descriptor *desc)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (desc != NULL && desc->constraint_type == SANE_CONSTRAINT_STRING_LIST)
    for (guint i = 0; desc->constraint.string_list[i] != NULL; i++)
      g_strv_builder_add (builder, desc->constraint.string_list[i]);
  return g_strv_builder_end (builder);
}

/* Set an option from text; returns FALSE only for a real refusal (unknown names and inactive
 * options are skipped when @optional) */
static gboolean
set_option (SANE_Handle   handle,
            const char   *name,
            const char   *value,
            gboolean      optional,
            const char   *device,
            GError      **error)
{
  const SANE_Option_Descriptor *desc = NULL;
  SANE_Int index = find_option (handle, name, &desc);
  SANE_Status status;
  SANE_Int info = 0;

  if (index < 0 || !SANE_OPTION_IS_ACTIVE (desc->cap) || !SANE_OPTION_IS_SETTABLE (desc->cap))
    {
      if (optional)
        return TRUE;
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED,
                   _("The scanner has no setting “%s”."), name);
      return FALSE;
    }

  switch (desc->type)
    {
    case SANE_TYPE_BOOL:
      {
        SANE_Word word = g_ascii_strcasecmp (value, "yes") == 0 || g_ascii_strcasecmp (value, "true") == 0 ||
                         g_str_equal (value, "1");
        status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, &word, &info);
        break;
      }
    case SANE_TYPE_INT:
    case SANE_TYPE_FIXED:
      {
        double number = g_ascii_strtod (value, NULL);
        SANE_Word word = desc->type == SANE_TYPE_FIXED ? SANE_FIX (number) : (SANE_Word) lround (number);

        if (desc->size > (SANE_Int) sizeof (SANE_Word))
          {
            /* An array option: set every element */
            g_autofree SANE_Word *words = g_new (SANE_Word, desc->size / sizeof (SANE_Word));
            for (gsize i = 0; i < desc->size / sizeof (SANE_Word); i++)
              words[i] = word;
            status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, words, &info);
          }
        else
          status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, &word, &info);
        break;
      }
    case SANE_TYPE_STRING:
      {
        g_autofree char *buffer = g_malloc0 (MAX ((gsize) desc->size, strlen (value) + 1));
        const char *chosen = value;

        /* Match the device's own spelling ("Color", "color", "Colour"…) */
        if (desc->constraint_type == SANE_CONSTRAINT_STRING_LIST)
          for (guint i = 0; desc->constraint.string_list[i] != NULL; i++)
            if (g_ascii_strcasecmp (desc->constraint.string_list[i], value) == 0)
              chosen = desc->constraint.string_list[i];
        g_strlcpy (buffer, chosen, MAX ((gsize) desc->size, strlen (value) + 1));
        status = sane_control_option (handle, index, SANE_ACTION_SET_VALUE, buffer, &info);
        break;
      }
    case SANE_TYPE_BUTTON:
    case SANE_TYPE_GROUP:
    default:
      return TRUE;
    }

  if (status != SANE_STATUS_GOOD)
    {
      if (optional && status == SANE_STATUS_INVAL)
        return TRUE;
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED,
                   _("The scanner refused the setting %s = %s (%s)."), name, value, sane_strstatus (status));
      return FALSE;
    }
  return TRUE;
}

/* Whether a scanner's name for a source means its glass */
static gboolean
is_flatbed_name (const char *name)
{
  return g_ascii_strncasecmp (name, "Flatbed", 7) == 0;
}

/* The scanner's own name for the first source @matches, or NULL */
static const char *
find_source (SANE_Handle   handle,
             gboolean    (*matches) (const char *name))
{
  const SANE_Option_Descriptor *desc = NULL;

  if (find_option (handle, SANE_NAME_SCAN_SOURCE, &desc) < 0 || desc->constraint_type != SANE_CONSTRAINT_STRING_LIST)
    return NULL;
  for (guint i = 0; desc->constraint.string_list[i] != NULL; i++)
    if (matches (desc->constraint.string_list[i]))
      return desc->constraint.string_list[i];
  return NULL;
}

EkScannerCapabilities *
ek_scanner_sane_get_capabilities (const char  *device,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sane_lock);
  g_autoptr(EkScannerCapabilities) capabilities = g_new0 (EkScannerCapabilities, 1);
  const SANE_Option_Descriptor *desc = NULL;
  SANE_Handle handle = NULL;
  SANE_Status status;

  g_return_val_if_fail (device != NULL, NULL);

  if (!start_sane (error))
    return NULL;
  status = sane_open (device, &handle);
  if (status != SANE_STATUS_GOOD)
    {
      sane_error (status, device, error);
      return NULL;
    }
  desc = NULL;
  find_option (handle, SANE_NAME_SCAN_SOURCE, &desc);
  capabilities->sources = string_list (desc);
  desc = NULL;
  find_option (handle, SANE_NAME_SCAN_MODE, &desc);
  capabilities->modes = string_list (desc);
  desc = NULL;
  if (find_option (handle, SANE_NAME_SCAN_RESOLUTION, &desc) >= 0)
    {
      gboolean fixed = desc->type == SANE_TYPE_FIXED;

      if (desc->constraint_type == SANE_CONSTRAINT_RANGE)
        {
          capabilities->min_resolution = fixed ? SANE_UNFIX (desc->constraint.range->min) : desc->constraint.range->min;
          capabilities->max_resolution = fixed ? SANE_UNFIX (desc->constraint.range->max) : desc->constraint.range->max;
        }
      else if (desc->constraint_type == SANE_CONSTRAINT_WORD_LIST && desc->constraint.word_list[0] > 0)
        {
          SANE_Word n = desc->constraint.word_list[0];
          SANE_Word first = desc->constraint.word_list[1], last = desc->constraint.word_list[n];
          capabilities->min_resolution = fixed ? SANE_UNFIX (first) : first;
          capabilities->max_resolution = fixed ? SANE_UNFIX (last) : last;
        }
    }
  desc = NULL;
  if (find_option (handle, SANE_NAME_SCAN_BR_X, &desc) >= 0 && desc->constraint_type == SANE_CONSTRAINT_RANGE)
    capabilities->max_width_mm = desc->type == SANE_TYPE_FIXED ? SANE_UNFIX (desc->constraint.range->max)
                                                               : desc->constraint.range->max;
  desc = NULL;
  if (find_option (handle, SANE_NAME_SCAN_BR_Y, &desc) >= 0 && desc->constraint_type == SANE_CONSTRAINT_RANGE)
    capabilities->max_height_mm = desc->type == SANE_TYPE_FIXED ? SANE_UNFIX (desc->constraint.range->max)
                                                                : desc->constraint.range->max;
  sane_close (handle);
  return g_steal_pointer (&capabilities);
}

static gboolean
configure (SANE_Handle          handle,
           const char          *device,
           const EkScanOptions *options,
           GError             **error)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  double resolution = options->resolution > 0 ? options->resolution : (options->preview ? 50 : 300);

  if (!set_option (handle, SANE_NAME_SCAN_MODE,
                   options->mode == EK_SCAN_MODE_GRAY ? SANE_VALUE_SCAN_MODE_GRAY : SANE_VALUE_SCAN_MODE_COLOR,
                   TRUE, device, error))
    return FALSE;
  if (!set_option (handle, SANE_NAME_BIT_DEPTH, "8", TRUE, device, error))
    return FALSE;
  if (!set_option (handle, SANE_NAME_SCAN_RESOLUTION, g_ascii_dtostr (number, sizeof number, resolution),
                   FALSE, device, error))
    return FALSE;
  if (options->preview && !set_option (handle, SANE_NAME_PREVIEW, "yes", TRUE, device, error))
    return FALSE;
  if (options->feeder)
    {
      const char *feeder = find_source (handle, ek_scanner_source_is_feeder);

      if (feeder == NULL)
        {
          g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED,
                               _("This scanner has no document feeder. Scan each page from the glass."));
          return FALSE;
        }
      if (!set_option (handle, SANE_NAME_SCAN_SOURCE, feeder, FALSE, device, error))
        return FALSE;
    }
  else
    {
      const char *flatbed = find_source (handle, is_flatbed_name);
      if (flatbed != NULL && !set_option (handle, SANE_NAME_SCAN_SOURCE, flatbed, TRUE, device, error))
        return FALSE;
    }
  if (options->area_mm[2] > 0 && options->area_mm[3] > 0)
    {
      const struct { const char *name; double value; } area[] = {
        { SANE_NAME_SCAN_TL_X, options->area_mm[0] },
        { SANE_NAME_SCAN_TL_Y, options->area_mm[1] },
        { SANE_NAME_SCAN_BR_X, options->area_mm[0] + options->area_mm[2] },
        { SANE_NAME_SCAN_BR_Y, options->area_mm[1] + options->area_mm[3] },
      };
      for (guint i = 0; i < G_N_ELEMENTS (area); i++)
        if (!set_option (handle, area[i].name, g_ascii_dtostr (number, sizeof number, area[i].value),
                         TRUE, device, error))
          return FALSE;
    }
  for (guint i = 0; options->extra != NULL && options->extra[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (options->extra[i], "=", 2);

      if (pair[0] == NULL || pair[1] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a scanner setting of the form name=value."), options->extra[i]);
          return FALSE;
        }
      if (!set_option (handle, pair[0], pair[1], FALSE, device, error))
        return FALSE;
    }
  return TRUE;
}

/* One page: parameters, then read until EOF into an 8-bit grey or RGB image */
static EkImage *
read_page (SANE_Handle          handle,
           const char          *device,
           gboolean             stop_when_complete,
           guint                page,
           EkScanProgressFunc   progress,
           gpointer             user_data,
           GCancellable        *cancellable,
           GError             **error)
{
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  SANE_Parameters params;
  SANE_Status status;
  guint8 buffer[65536];
  EkImage *image;
  guint channels, lines;
  gsize expected;

  status = sane_get_parameters (handle, &params);
  if (status != SANE_STATUS_GOOD)
    return sane_error (status, device, error), NULL;
  if ((params.format != SANE_FRAME_GRAY && params.format != SANE_FRAME_RGB) || params.pixels_per_line <= 0 ||
      (params.depth != 8 && params.depth != 16 && params.depth != 1))
    {
      char format[16], depth[16];
      const char *values[] = { format, depth, NULL };

      g_snprintf (format, sizeof format, "%d", (int) params.format);
      g_snprintf (depth, sizeof depth, "%d", (int) params.depth);
      set_filled_error (error, EK_MATERIAL_ERROR_SCANNER_FAILED, MSG_FRAME, values);
      return NULL;
    }
  expected = params.lines > 0 ? (gsize) params.bytes_per_line * params.lines : 0;

  while (TRUE)
    {
      SANE_Int length = 0;

      if (g_cancellable_is_cancelled (cancellable))
        {
          gsize drained = raw->len;

          /* Finish the page and throw it away, then end the scan. Backends built on
           * sanei_thread (SANE's test backend among them) stop a reader thread that is still
           * transferring with pthread_cancel(); one cancelled while it holds a lock of the C
           * library (gettext's, the dynamic loader's: both seen here) leaves that lock taken
           * for the rest of the process, which then hangs at random. A reader that has
           * finished cannot be caught that way. Bounded like a page below. */
          while (drained <= 1024u * 1024u * 1024u &&
                 sane_read (handle, buffer, sizeof buffer, &length) == SANE_STATUS_GOOD)
            drained += (gsize) length;
          sane_cancel (handle);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, MSG (MSG_CANCELLED));
          return NULL;
        }
      /* The whole frame is in: its end (EOF) is left for ek_scanner_sane_release(), after the
       * page has been handed on. Reaching it makes a sanei_thread backend join its reader
       * thread, which can hang for good (seen with the test backend: a reader cancelled in
       * malloc, waiting at exit for its own arena's lock). */
      if (stop_when_complete && expected > 0 && raw->len >= expected)
        break;
      status = sane_read (handle, buffer, sizeof buffer, &length);
      if (status == SANE_STATUS_EOF)
        {
          g_debug ("scan: end of frame after %u of %" G_GSIZE_FORMAT " bytes", raw->len, expected);
          break;
        }
      if (status != SANE_STATUS_GOOD)
        {
          sane_cancel (handle);
          return sane_error (status, device, error), NULL;
        }
      g_byte_array_append (raw, buffer, (guint) length);
      if (raw->len > 1024u * 1024u * 1024u)
        {
          sane_cancel (handle);
          g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                               MSG (MSG_TOO_LARGE));
          return NULL;
        }
      if (progress != NULL && expected > 0)
        progress (page, MIN (1.0, (double) raw->len / expected), user_data);
    }

  channels = params.format == SANE_FRAME_RGB ? 3 : 1;
  lines = (guint) (raw->len / params.bytes_per_line);
  if (lines == 0)
    {
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_SCANNER_FAILED,
                           MSG (MSG_EMPTY));
      return NULL;
    }
  image = ek_image_new ((guint) params.pixels_per_line, lines, channels);
  if (image == NULL)
    {
      g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                           MSG (MSG_NO_MEMORY));
      return NULL;
    }
  for (guint y = 0; y < lines; y++)
    {
      const guint8 *src = raw->data + (gsize) y * params.bytes_per_line;
      guint8 *dst = image->data + (gsize) y * image->stride;
      gsize samples = (gsize) params.pixels_per_line * channels;

      if (params.depth == 8)
        memcpy (dst, src, samples);
      else if (params.depth == 16)
        for (gsize i = 0; i < samples; i++)
          dst[i] = (guint8) (((const guint16 *) (gconstpointer) src)[i] >> 8);
      else
        for (gsize i = 0; i < samples; i++)
          dst[i] = (src[i / 8] & (0x80 >> (i % 8))) ? 0 : 255;  /* lineart: 1 is black */
    }
  if (progress != NULL)
    progress (page, 1.0, user_data);
  return image;
}

GPtrArray *
ek_scanner_sane_scan (const char           *device,
                 const EkScanOptions  *options,
                 EkScanProgressFunc    progress,
                 gpointer              user_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sane_lock);
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_image_free);
  EkScanOptions defaults;
  SANE_Handle handle = NULL;
  SANE_Status status;

  g_return_val_if_fail (device != NULL, NULL);

  if (options == NULL)
    {
      ek_scan_options_init (&defaults);
      options = &defaults;
    }
  if (!start_sane (error))
    return NULL;
  status = sane_open (device, &handle);
  if (status != SANE_STATUS_GOOD)
    {
      sane_error (status, device, error);
      return NULL;
    }
  if (!configure (handle, device, options, error))
    {
      sane_close (handle);
      return NULL;
    }

  while (TRUE)
    {
      EkImage *page;

      status = sane_start (handle);
      if (status == SANE_STATUS_NO_DOCS && options->feeder && pages->len > 0)
        break;   /* the feeder is empty: every sheet was scanned */
      if (status != SANE_STATUS_GOOD)
        {
          sane_cancel (handle);
          sane_close (handle);
              sane_error (status, device, error);
          return NULL;
        }
      page = read_page (handle, device, !options->feeder || options->preview, pages->len, progress, user_data,
                        cancellable, error);
      if (page == NULL)
        {
          sane_cancel (handle);
          sane_close (handle);
              return NULL;
        }
      g_ptr_array_add (pages, page);
      if (!options->feeder || options->preview)
        {
          /* One page: the frame is ended by ek_scanner_sane_release() */
          pending_handle = handle;
          return g_steal_pointer (&pages);
        }
    }
  sane_cancel (handle);
  sane_close (handle);
  return g_steal_pointer (&pages);
}

/**
 * ek_scanner_sane_release:
 * Ends the frame of a one-page scan and closes the scanner. Call it after the page has been
 * handed on: with some backends it can hang (see read_page()).
 */
void
ek_scanner_sane_release (void)
{
  SANE_Byte buffer[4096];
  SANE_Int length = 0;
  SANE_Handle handle = pending_handle;

  if (handle == NULL)
    return;
  pending_handle = NULL;
  while (sane_read (handle, buffer, sizeof buffer, &length) == SANE_STATUS_GOOD)
    ;
  sane_cancel (handle);
  sane_close (handle);
}

#else /* !HAVE_SANE */

void
ek_scanner_sane_release (void)
{
}

static gboolean
unsupported (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_UNSUPPORTED,
                       _("This build has no scanner support (SANE). Scan with another program and choose the file."));
  return FALSE;
}

GPtrArray *
ek_scanner_sane_list_devices (GCancellable  *cancellable,
                         GError       **error)
{
  return unsupported (error), NULL;
}

EkScannerCapabilities *
ek_scanner_sane_get_capabilities (const char  *device,
                             GError     **error)
{
  return unsupported (error), NULL;
}

GPtrArray *
ek_scanner_sane_scan (const char           *device,
                 const EkScanOptions  *options,
                 EkScanProgressFunc    progress,
                 gpointer              user_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  return unsupported (error), NULL;
}

#endif /* HAVE_SANE */

