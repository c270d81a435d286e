/* ek-image.c: sniffing, header reading, decoding and encoding of material images
 *
 * Every decoder works on bytes in memory (a material is at most a few tens of MB on disk),
 * reads the dimensions before it allocates pixels, and tells a truncated file (the data stops
 * early) from a corrupt one (the data is wrong). libjpeg and libpng report fatal errors by
 * calling back; we leave them with longjmp, so nothing on the stack between setjmp and the
 * error may own memory: pixel buffers are held in the decoder's context struct instead.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <libdeflate.h>
#include <gif_lib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <libexif/exif-data.h>

#include "ek-image.h"
#include "ek-material-error.h"

/* Sniffing */

static gboolean
has_prefix (const guint8 *data,
            gsize         length,
            gsize         offset,
            const char   *magic,
            gsize         magic_length)
{
  return length >= offset + magic_length && memcmp (data + offset, magic, magic_length) == 0;
}

static gboolean
looks_like_svg (const guint8 *data,
                gsize         length)
{
  gsize n = MIN (length, 1024);
  gsize i = 0;

  /* Skip a UTF-8 BOM and whitespace; SVG is XML whose root element is <svg */
  if (has_prefix (data, length, 0, "\xef\xbb\xbf", 3))
    i = 3;
  while (i < n && g_ascii_isspace (data[i]))
    i++;
  if (i >= n || data[i] != '<')
    return FALSE;
  for (gsize j = i; j + 4 <= n; j++)
    if (g_ascii_strncasecmp ((const char *) data + j, "<svg", 4) == 0)
      return TRUE;
  return FALSE;
}

EkImageFormat
ek_image_format_sniff (const guint8 *data,
                       gsize         length)
{
  g_return_val_if_fail (data != NULL || length == 0, EK_IMAGE_FORMAT_UNKNOWN);

  if (has_prefix (data, length, 0, "\x89PNG\r\n\x1a\n", 8))
    return EK_IMAGE_FORMAT_PNG;
  if (has_prefix (data, length, 0, "\xff\xd8\xff", 3))
    return EK_IMAGE_FORMAT_JPEG;
  if (has_prefix (data, length, 0, "GIF87a", 6) || has_prefix (data, length, 0, "GIF89a", 6))
    return EK_IMAGE_FORMAT_GIF;
  if (has_prefix (data, length, 0, "%PDF-", 5))
    return EK_IMAGE_FORMAT_PDF;
  if (has_prefix (data, length, 0, "II*\0", 4) || has_prefix (data, length, 0, "MM\0*", 4) ||
      has_prefix (data, length, 0, "II+\0", 4) || has_prefix (data, length, 0, "MM\0+", 4))
    return EK_IMAGE_FORMAT_TIFF;
  if (has_prefix (data, length, 0, "BM", 2) && length >= 26)
    return EK_IMAGE_FORMAT_BMP;
  if (has_prefix (data, length, 0, "RIFF", 4) && has_prefix (data, length, 8, "WEBP", 4))
    return EK_IMAGE_FORMAT_WEBP;
  if (has_prefix (data, length, 4, "ftyp", 4) && length >= 12)
    {
      static const char *brands[] = { "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif" };
      for (guint i = 0; i < G_N_ELEMENTS (brands); i++)
        if (has_prefix (data, length, 8, brands[i], 4))
          return EK_IMAGE_FORMAT_HEIF;
    }
  if (looks_like_svg (data, length))
    return EK_IMAGE_FORMAT_SVG;
  return EK_IMAGE_FORMAT_UNKNOWN;
}

const char *
ek_image_format_to_string (EkImageFormat format)
{
  switch (format)
    {
    case EK_IMAGE_FORMAT_PNG: return "png";
    case EK_IMAGE_FORMAT_JPEG: return "jpeg";
    case EK_IMAGE_FORMAT_GIF: return "gif";
    case EK_IMAGE_FORMAT_PDF: return "pdf";
    case EK_IMAGE_FORMAT_TIFF: return "tiff";
    case EK_IMAGE_FORMAT_BMP: return "bmp";
    case EK_IMAGE_FORMAT_WEBP: return "webp";
    case EK_IMAGE_FORMAT_HEIF: return "heif";
    case EK_IMAGE_FORMAT_SVG: return "svg";
    case EK_IMAGE_FORMAT_UNKNOWN:
    default:
      return "unknown";
    }
}

const char *
ek_image_format_display_name (EkImageFormat format)
{
  switch (format)
    {
    case EK_IMAGE_FORMAT_PNG: return "PNG";
    case EK_IMAGE_FORMAT_JPEG: return "JPEG";
    case EK_IMAGE_FORMAT_GIF: return "GIF";
    case EK_IMAGE_FORMAT_PDF: return "PDF";
    case EK_IMAGE_FORMAT_TIFF: return "TIFF";
    case EK_IMAGE_FORMAT_BMP: return "BMP";
    case EK_IMAGE_FORMAT_WEBP: return "WebP";
    case EK_IMAGE_FORMAT_HEIF: return "HEIC/HEIF";
    case EK_IMAGE_FORMAT_SVG: return "SVG";
    case EK_IMAGE_FORMAT_UNKNOWN:
    default:
      return _("unknown");
    }
}

/* Headers, read by hand so that nothing is allocated for an absurd image */

static gboolean
truncated_error (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TRUNCATED,
                       _("The file stops before the image ends: it was not copied or scanned completely. Scan or copy it again."));
  return FALSE;
}

static gboolean
corrupt_error (GError     **error,
               const char  *detail)
{
  g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_CORRUPT,
               _("The image data is damaged (%s). Scan the page again or save it again from the original."),
               detail);
  return FALSE;
}

static guint
read_exif_orientation (const guint8 *data,
                       gsize         length)
{
  ExifData *exif;
  ExifEntry *entry;
  guint orientation = 1;

  exif = exif_data_new_from_data (data, (unsigned int) MIN (length, G_MAXUINT));
  if (exif == NULL)
    return 1;
  entry = exif_data_get_entry (exif, EXIF_TAG_ORIENTATION);
  if (entry != NULL && entry->format == EXIF_FORMAT_SHORT && entry->components >= 1 && entry->size >= 2)
    {
      ExifShort value = exif_get_short (entry->data, exif_data_get_byte_order (exif));
      if (value >= 1 && value <= 8)
        orientation = value;
    }
  exif_data_unref (exif);
  return orientation;
}

/* ITU-T T.81 Annex K, table K.1, in the zigzag order a DQT segment stores it */
static const guint8 std_luma_zigzag[DCTSIZE2] = {
  16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40,
  26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61, 60, 57, 51,
  56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87,
  95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99
};

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* The luma table (table 0) of a DQT segment's @length bytes of tables, as
 * EkImageInfo.luma_table_factor: the median of its entries over Annex K's, in percent, which is
 * a libjpeg-style encoder's quality as a factor; 0 for a table of another shape (the middle half
 * of the ratios more than 15 % apart); -1 when the segment holds no table 0 or is malformed. */
static int
dqt_luma_factor (const guint8 *tables,
                 gsize         length)
{
  for (gsize at = 0; at < length;)
    {
      gboolean wide = tables[at] >> 4 != 0;
      gsize size = 1 + (gsize) DCTSIZE2 * (wide ? 2 : 1);
      int ratios[DCTSIZE2];

      if (at + size > length)
        return -1;
      if ((tables[at] & 0x0f) != 0)
        {
          at += size;
          continue;
        }
      for (guint i = 0; i < DCTSIZE2; i++)
        {
          guint q = wide ? (guint) tables[at + 1 + 2 * i] << 8 | tables[at + 2 + 2 * i] : tables[at + 1 + i];
          ratios[i] = (int) ((q * 100 + std_luma_zigzag[i] / 2) / std_luma_zigzag[i]);
        }
      qsort (ratios, DCTSIZE2, sizeof ratios[0], compare_int);
      if (ratios[DCTSIZE2 / 2] <= 0 || ratios[DCTSIZE2 * 3 / 4] > ratios[DCTSIZE2 / 4] * 115 / 100 + 1)
        return 0;
      return ratios[DCTSIZE2 / 2];
    }
  return -1;
}

static gboolean
read_jpeg_header (const guint8 *data,
                  gsize         length,
                  EkImageInfo  *info,
                  GError      **error)
{
  gsize pos = 2;

  while (TRUE)
    {
      guint marker;
      gsize segment;

      /* Markers may be padded with any number of 0xff */
      while (pos < length && data[pos] == 0xff)
        pos++;
      if (pos >= length)
        return truncated_error (error);
      marker = data[pos++];
      if (marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01)
        continue;
      if (marker == 0xd9 || marker == 0xda)
        return corrupt_error (error, _("no frame header before the image data"));
      if (pos + 2 > length)
        return truncated_error (error);
      segment = ((gsize) data[pos] << 8) | data[pos + 1];
      if (segment < 2)
        return corrupt_error (error, _("a segment length is wrong"));
      if (pos + segment > length)
        return truncated_error (error);

      if (marker == 0xe1 && segment >= 8 && memcmp (data + pos + 2, "Exif\0\0", 6) == 0)
        {
          info->has_metadata = TRUE;
          info->orientation = read_exif_orientation (data + pos + 2, segment - 2);
        }
      else if ((marker >= 0xe1 && marker <= 0xed) || marker == 0xef || marker == 0xfe)
        info->has_metadata = TRUE;
      else if (marker == 0xdb && info->luma_table_factor == 0)
        info->luma_table_factor = MAX (dqt_luma_factor (data + pos + 2, segment - 2), 0);

      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
        {
          const guint8 *sof = data + pos + 2;

          if (segment < 8)
            return corrupt_error (error, _("the frame header is too short"));
          info->bit_depth = sof[0];
          info->height = ((guint) sof[1] << 8) | sof[2];
          info->width = ((guint) sof[3] << 8) | sof[4];
          info->cmyk = sof[5] == 4;
          info->grey = sof[5] == 1;
          info->progressive = marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce;
          if (info->width == 0 || info->height == 0)
            return corrupt_error (error, _("the image has no width or height"));
          return TRUE;
        }
      pos += segment;
    }
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
read_png_header (const guint8 *data,
                 gsize         length,
                 EkImageInfo  *info,
                 GError      **error)
{
  guint color_type;

  if (length < 33)
    return truncated_error (error);
  if (read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    return corrupt_error (error, _("the PNG header chunk is missing"));
  info->width = read_be32 (data + 16);
  info->height = read_be32 (data + 20);
  info->bit_depth = data[24];
  color_type = data[25];
  info->grey = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  info->has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0;
  info->progressive = data[28] != 0;
  /* Metadata chunks, by type, without inflating anything */
  for (gsize pos = 33; pos + 12 <= length;)
    {
      guint32 chunk = read_be32 (data + pos);
      const guint8 *type = data + pos + 4;

      if (memcmp (type, "tEXt", 4) == 0 || memcmp (type, "zTXt", 4) == 0 || memcmp (type, "iTXt", 4) == 0 ||
          memcmp (type, "eXIf", 4) == 0 || memcmp (type, "tIME", 4) == 0)
        {
          info->has_metadata = TRUE;
          break;
        }
      if (memcmp (type, "IDAT", 4) == 0 || chunk > length - pos - 12)
        break;
      pos += (gsize) chunk + 12;
    }
  if (info->width == 0 || info->height == 0 || info->width > 0x7fffffff || info->height > 0x7fffffff)
    return corrupt_error (error, _("the image has no width or height"));
  return TRUE;
}

static gboolean
read_gif_header (const guint8 *data,
                 gsize         length,
                 EkImageInfo  *info,
                 GError      **error)
{
  if (length < 13)
    return truncated_error (error);
  info->width = data[6] | ((guint) data[7] << 8);
  info->height = data[8] | ((guint) data[9] << 8);
  info->bit_depth = 8;
  if (info->width == 0 || info->height == 0)
    return corrupt_error (error, _("the image has no width or height"));
  return TRUE;
}

gboolean
ek_image_read_header (const guint8  *data,
                      gsize          length,
                      EkImageInfo   *info,
                      GError       **error)
{
  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  info->orientation = 1;
  info->n_frames = 1;
  info->format = ek_image_format_sniff (data, length);
  switch (info->format)
    {
    case EK_IMAGE_FORMAT_JPEG:
      return read_jpeg_header (data, length, info, error);
    case EK_IMAGE_FORMAT_PNG:
      return read_png_header (data, length, info, error);
    case EK_IMAGE_FORMAT_GIF:
      return read_gif_header (data, length, info, error);
    case EK_IMAGE_FORMAT_UNKNOWN:
    case EK_IMAGE_FORMAT_PDF:
    case EK_IMAGE_FORMAT_TIFF:
    case EK_IMAGE_FORMAT_BMP:
    case EK_IMAGE_FORMAT_WEBP:
    case EK_IMAGE_FORMAT_HEIF:
    case EK_IMAGE_FORMAT_SVG:
    default:
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED,
                   _("This is not an image we can read (%s)."), ek_image_format_display_name (info->format));
      return FALSE;
    }
}

/* Pixel buffers */

EkImage *
ek_image_new (guint width,
              guint height,
              guint channels)
{
  EkImage *image;
  gsize stride;

  g_return_val_if_fail (channels == 1 || channels == 3, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  stride = (gsize) width * channels;
  if (stride / channels != width || (gsize) height > G_MAXSIZE / stride)
    return NULL;
  image = g_new0 (EkImage, 1);
  image->data = g_try_malloc ((gsize) height * stride);
  if (image->data == NULL)
    {
      g_free (image);
      return NULL;
    }
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = stride;
  return image;
}

void
ek_image_free (EkImage *image)
{
  if (image == NULL)
    return;
  g_free (image->data);
  g_free (image);
}

static gboolean
out_of_memory (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                       _("There is not enough memory to open this image."));
  return FALSE;
}

/* JPEG decoding */

typedef struct
{
  struct jpeg_error_mgr  pub;
  jmp_buf                jump;
  gboolean               truncated;
  char                   message[JMSG_LENGTH_MAX];
} JpegErrorManager;

static void
jpeg_error_exit_cb (j_common_ptr cinfo)
{
  JpegErrorManager *manager = (JpegErrorManager *) cinfo->err;

  manager->truncated = cinfo->err->msg_code == JERR_INPUT_EOF;
  cinfo->err->format_message (cinfo, manager->message);
  longjmp (manager->jump, 1);
}

static void
jpeg_emit_message_cb (j_common_ptr cinfo,
                      int          level)
{
  JpegErrorManager *manager = (JpegErrorManager *) cinfo->err;

  /* Level -1 is a warning about the data: libjpeg would carry on and show grey or garbage,
   * which a reviewer at the authority would refuse. Stop here. */
  if (level < 0)
    {
      manager->truncated = cinfo->err->msg_code == JWRN_JPEG_EOF;
      cinfo->err->format_message (cinfo, manager->message);
      longjmp (manager->jump, 1);
    }
}

/* A progressive JPEG may hold thousands of tiny scans, each of which costs a pass over the whole
 * image: a few KB that take minutes. No camera or scanner writes more than a few dozen. */
#define MAX_JPEG_SCANS 256

static void
jpeg_progress_cb (j_common_ptr cinfo)
{
  j_decompress_ptr decompress = (j_decompress_ptr) cinfo;

  if (cinfo->is_decompressor && decompress->input_scan_number > MAX_JPEG_SCANS)
    {
      JpegErrorManager *manager = (JpegErrorManager *) cinfo->err;

      manager->truncated = FALSE;
      g_strlcpy (manager->message, "too many progressive scans", sizeof manager->message);
      longjmp (manager->jump, 1);
    }
}

typedef struct
{
  struct jpeg_decompress_struct  cinfo;
  struct jpeg_progress_mgr       progress;
  JpegErrorManager               err;
  EkImage                       *image;
  guint8                        *row;
} JpegDecoder;

static void
jpeg_decoder_clear (JpegDecoder *decoder)
{
  jpeg_destroy_decompress (&decoder->cinfo);
  g_clear_pointer (&decoder->image, ek_image_free);
  g_clear_pointer (&decoder->row, g_free);
}

static gboolean
decode_jpeg (const guint8  *data,
             gsize          length,
             EkImageInfo   *info,
             EkImage      **out,
             GCancellable  *cancellable,
             GError       **error)
{
  JpegDecoder decoder = { 0 };
  volatile gboolean cancelled = FALSE;
  guint channels;

  decoder.cinfo.err = jpeg_std_error (&decoder.err.pub);
  decoder.err.pub.error_exit = jpeg_error_exit_cb;
  decoder.err.pub.emit_message = jpeg_emit_message_cb;
  if (setjmp (decoder.err.jump))
    {
      gboolean truncated = decoder.err.truncated;
      g_autofree char *detail = g_strdup (decoder.err.message);

      jpeg_decoder_clear (&decoder);
      if (truncated)
        return truncated_error (error);
      return corrupt_error (error, detail);
    }

  jpeg_create_decompress (&decoder.cinfo);
  decoder.progress.progress_monitor = jpeg_progress_cb;
  decoder.cinfo.progress = &decoder.progress;
  jpeg_mem_src (&decoder.cinfo, data, (unsigned long) length);
  jpeg_read_header (&decoder.cinfo, TRUE);

  if (decoder.cinfo.num_components == 4)
    decoder.cinfo.out_color_space = JCS_CMYK;
  else if (decoder.cinfo.num_components == 1)
    decoder.cinfo.out_color_space = JCS_GRAYSCALE;
  else
    decoder.cinfo.out_color_space = JCS_RGB;
  channels = decoder.cinfo.num_components == 1 ? 1 : 3;

  jpeg_start_decompress (&decoder.cinfo);
  decoder.row = g_malloc ((gsize) decoder.cinfo.output_width * decoder.cinfo.output_components *
                          MAX (decoder.cinfo.rec_outbuf_height, 1));
  if (out != NULL)
    {
      decoder.image = ek_image_new (decoder.cinfo.output_width, decoder.cinfo.output_height, channels);
      if (decoder.image == NULL)
        {
          jpeg_decoder_clear (&decoder);
          return out_of_memory (error);
        }
    }

  while (decoder.cinfo.output_scanline < decoder.cinfo.output_height)
    {
      guint y = decoder.cinfo.output_scanline;
      JSAMPROW rows[4];
      guint n_rows = (guint) CLAMP (decoder.cinfo.rec_outbuf_height, 1, 4);

      if ((y & 63) < n_rows && g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      if (decoder.image != NULL && decoder.cinfo.out_color_space != JCS_CMYK)
        {
          /* Straight into the image, as many rows as the upsampler makes at once (one with
           * libjpeg-turbo's fancy upsampling): no copy through a row buffer. Measured side by
           * side on an A4 scan: 65–78 ms against 78–85 ms through the copy. */
          n_rows = MIN (n_rows, decoder.cinfo.output_height - y);
          for (guint r = 0; r < n_rows; r++)
            rows[r] = decoder.image->data + (gsize) (y + r) * decoder.image->stride;
          jpeg_read_scanlines (&decoder.cinfo, rows, n_rows);
          continue;
        }
      rows[0] = decoder.row;
      jpeg_read_scanlines (&decoder.cinfo, rows, 1);
      if (decoder.image == NULL)
        continue;

      if (decoder.cinfo.out_color_space == JCS_CMYK)
        {
          /* Adobe writes CMYK inverted; libjpeg reports that through saw_Adobe_marker */
          gboolean inverted = decoder.cinfo.saw_Adobe_marker;
          guint8 *dst = decoder.image->data + (gsize) y * decoder.image->stride;

          for (guint x = 0; x < decoder.cinfo.output_width; x++)
            {
              guint c = decoder.row[4 * x], m = decoder.row[4 * x + 1];
              guint yy = decoder.row[4 * x + 2], k = decoder.row[4 * x + 3];

              if (!inverted)
                {
                  c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k;
                }
              dst[3 * x] = (guint8) (c * k / 255);
              dst[3 * x + 1] = (guint8) (m * k / 255);
              dst[3 * x + 2] = (guint8) (yy * k / 255);
            }
        }
    }

  if (cancelled)
    {
      jpeg_abort_decompress (&decoder.cinfo);
      jpeg_decoder_clear (&decoder);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return FALSE;
    }

  jpeg_finish_decompress (&decoder.cinfo);
  if (out != NULL)
    *out = g_steal_pointer (&decoder.image);
  (void) info;
  jpeg_decoder_clear (&decoder);
  return TRUE;
}

/* PNG decoding */

typedef struct
{
  png_structp   png;
  png_infop     info;
  const guint8 *data;
  gsize         length;
  gsize         pos;
  gboolean      truncated;
  char          message[256];
  guint8       *rows;   /* the whole decoded image, for interlaced files */
  guint8       *row;
  EkImage      *image;
} PngDecoder;

static void
png_error_cb (png_structp  png,
              png_const_charp message)
{
  PngDecoder *decoder = png_get_error_ptr (png);

  g_strlcpy (decoder->message, message, sizeof decoder->message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp message)
{
  /* Benign: unknown chunks, a bad iCCP profile… The pixels are what matters. */
}

static void
png_read_cb (png_structp png,
             png_bytep   out,
             size_t      length)
{
  PngDecoder *decoder = png_get_io_ptr (png);

  if (length > decoder->length - decoder->pos)
    {
      decoder->truncated = TRUE;
      png_error (png, "truncated");
    }
  memcpy (out, decoder->data + decoder->pos, length);
  decoder->pos += length;
}

static void
png_decoder_clear (PngDecoder *decoder)
{
  png_destroy_read_struct (&decoder->png, &decoder->info, NULL);
  g_clear_pointer (&decoder->rows, g_free);
  g_clear_pointer (&decoder->row, g_free);
  g_clear_pointer (&decoder->image, ek_image_free);
}

/* Alpha over white, 16 → 8 bits, everything to grey or RGB */
static void
png_convert_row (const guint8 *src,
                 guint         src_channels,
                 guint8       *dst,
                 guint         dst_channels,
                 guint         width)
{
  /* Grey or RGB without alpha: already what we keep */
  if (src_channels == dst_channels)
    {
      memcpy (dst, src, (gsize) width * dst_channels);
      return;
    }
  for (guint x = 0; x < width; x++)
    {
      const guint8 *s = src + (gsize) x * src_channels;
      guint8 *d = dst + (gsize) x * dst_channels;
      gboolean alpha = src_channels == 2 || src_channels == 4;
      guint a = alpha ? s[src_channels - 1] : 255;

      for (guint c = 0; c < dst_channels; c++)
        {
          guint v = s[src_channels <= 2 ? 0 : c];
          d[c] = (guint8) ((v * a + 255 * (255 - a) + 127) / 255);
        }
    }
}

/* PNG's row filters undone. @dst is @src, or lies before it by at most the bytes of the rows
 * already done (decode_png_whole moves each row back over the filter bytes as it goes): every
 * byte of @src is read before the byte of @dst that may replace it is written. @prev is the row
 * above, already unfiltered, or NULL for the first row. @bpp is a constant where it is inlined,
 * so that the compiler unrolls the pixel's channels. */
static inline __attribute__ ((always_inline)) gboolean
png_unfilter_row (guint8       *dst,
                  const guint8 *src,
                  const guint8 *prev,
                  gsize         rowbytes,
                  guint         bpp,
                  guint         filter)
{
  gsize i;

  if (prev == NULL && filter == 2)
    filter = 0;   /* Up from a row of zeros */
  if (prev == NULL && filter == 4)
    filter = 1;   /* Paeth from a row of zeros is Sub */
  switch (filter)
    {
    case 0:
      memmove (dst, src, rowbytes);
      break;
    case 1:
      for (i = 0; i < bpp && i < rowbytes; i++)
        dst[i] = src[i];
      for (; i < rowbytes; i++)
        dst[i] = (guint8) (src[i] + dst[i - bpp]);
      break;
    case 2:
      for (i = 0; i < rowbytes; i++)
        dst[i] = (guint8) (src[i] + prev[i]);
      break;
    case 3:
      for (i = 0; i < bpp && i < rowbytes; i++)
        dst[i] = (guint8) (src[i] + (prev != NULL ? prev[i] >> 1 : 0));
      for (; i < rowbytes; i++)
        dst[i] = (guint8) (src[i] + ((dst[i - bpp] + (prev != NULL ? prev[i] : 0)) >> 1));
      break;
    case 4:
      for (i = 0; i < bpp && i < rowbytes; i++)
        dst[i] = (guint8) (src[i] + prev[i]);
      for (; i < rowbytes; i++)
        {
          int a = dst[i - bpp], b = prev[i], c = prev[i - bpp];
          int pa = ABS (b - c), pb = ABS (a - c), pc = ABS (a + b - 2 * c);
          /* Without branches: the choice is data, and mispredicted about one time in three */
          int bc = pb <= pc ? b : c;

          dst[i] = (guint8) (src[i] + (pa <= pb && pa <= pc ? a : bc));
        }
      break;
    default:
      return FALSE;
    }
  return TRUE;
}

static gboolean
png_unfilter_rows (guint8 *raw,
                   guint8 *pixels,
                   gsize   rowbytes,
                   guint   height,
                   guint   bpp)
{
  /* Row y's filter byte is at raw + y × (rowbytes + 1); its pixels go to pixels + y × rowbytes,
   * which is raw itself moved back by y bytes when the two are the same buffer */
#define UNFILTER_ROWS(BPP) \
  for (guint y = 0; y < height; y++) \
    { \
      const guint8 *src = raw + (gsize) y * (rowbytes + 1); \
      guint8 *dst = pixels + (gsize) y * rowbytes; \
      if (!png_unfilter_row (dst, src + 1, y > 0 ? dst - rowbytes : NULL, rowbytes, BPP, src[0])) \
        return FALSE; \
    }
  switch (bpp)
    {
    case 1: UNFILTER_ROWS (1); break;
    case 2: UNFILTER_ROWS (2); break;
    case 3: UNFILTER_ROWS (3); break;
    case 4: UNFILTER_ROWS (4); break;
    default: g_assert_not_reached ();
    }
#undef UNFILTER_ROWS
  return TRUE;
}

/* The usual PNG (8 bits a channel, grey or RGB with or without alpha, not interlaced, no
 * transparent colour key) with its image data inflated in one call by libdeflate, about twice
 * as fast as zlib's stream, straight into the image's rows. Every chunk's CRC is checked, and
 * so is the zlib stream's Adler-32 (libdeflate's costs little). Returns FALSE, with nothing in
 * @out, for anything else and for any fault at all: libpng then decodes the file and names the
 * fault (truncated or corrupt) exactly as it always has. */
static gboolean
decode_png_whole (const guint8  *data,
                  gsize          length,
                  EkImageInfo   *info,
                  EkImage      **out)
{
  static const guint channels_of[7] = { 1, 0, 3, 0, 2, 0, 4 };
  g_autoptr(EkImage) image = NULL;
  g_autofree guint8 *joined = NULL;
  g_autofree guint8 *raw_buffer = NULL;
  struct libdeflate_decompressor *inflater;
  const guint8 *idat = NULL;
  gsize idat_length = 0, pos, rowbytes, raw_length;
  guint width, height, colour, src_channels, dst_channels, n_idat = 0;
  gboolean after_idat = FALSE, direct;
  enum libdeflate_result result;
  guint8 *raw;

  if (length < 8 + 25 || read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;
  width = read_be32 (data + 16);
  height = read_be32 (data + 20);
  colour = data[25];
  if (width == 0 || height == 0 || width > 0x7fffffff || height > 0x7fffffff || data[24] != 8 ||
      colour > 6 || channels_of[colour] == 0 || data[26] != 0 || data[27] != 0 || data[28] != 0)
    return FALSE;
  src_channels = channels_of[colour];
  dst_channels = src_channels <= 2 ? 1 : 3;
  rowbytes = (gsize) width * src_channels;
  if ((gsize) height > G_MAXSIZE / (rowbytes + 1))
    return FALSE;
  raw_length = (gsize) height * (rowbytes + 1);

  /* The chunks, up to IEND: IDATs in one run, no critical chunk but IHDR, IDAT and IEND, no
   * tRNS (libpng makes a colour key into alpha) */
  for (pos = 8;;)
    {
      const guint8 *type = data + pos + 4;
      gsize chunk;

      if (length - pos < 12)
        return FALSE;
      chunk = read_be32 (data + pos);
      if (chunk > 0x7fffffff || chunk > length - pos - 12)
        return FALSE;
      for (guint k = 0; k < 4; k++)
        if (!g_ascii_isalpha (type[k]))
          return FALSE;
      if (libdeflate_crc32 (0, type, chunk + 4) != read_be32 (type + 4 + chunk))
        return FALSE;
      if (memcmp (type, "IDAT", 4) == 0)
        {
          if (after_idat)
            return FALSE;
          if (n_idat++ == 0)
            idat = type + 4;
          idat_length += chunk;
        }
      else
        {
          after_idat = n_idat > 0;
          if (memcmp (type, "IEND", 4) == 0)
            break;
          if ((memcmp (type, "IHDR", 4) == 0) != (pos == 8) || memcmp (type, "tRNS", 4) == 0 ||
              (g_ascii_isupper (type[0]) && pos != 8))
            return FALSE;
        }
      pos += chunk + 12;
    }
  if (n_idat == 0)
    return FALSE;
  if (n_idat > 1)
    {
      /* Gathered into one stream: a copy of the compressed bytes only */
      guint8 *to = joined = g_try_malloc (idat_length);

      if (joined == NULL)
        return FALSE;
      for (pos = 8;; pos += read_be32 (data + pos) + 12)
        if (memcmp (data + pos + 4, "IDAT", 4) == 0)
          {
            gsize chunk = read_be32 (data + pos);

            memcpy (to, data + pos + 8, chunk);
            to += chunk;
            if (to == joined + idat_length)
              break;
          }
      idat = joined;
    }

  /* Grey or RGB without alpha are inflated into the image's own buffer, a byte a row larger
   * for now, and each row moved back over the filter bytes as it is unfiltered */
  direct = src_channels == dst_channels;
  image = ek_image_new (width, height, dst_channels);
  if (image == NULL)
    return FALSE;
  if (direct)
    {
      guint8 *grown = g_try_realloc (image->data, raw_length);

      if (grown == NULL)
        return FALSE;
      raw = image->data = grown;
    }
  else
    {
      raw = raw_buffer = g_try_malloc (raw_length);
      if (raw == NULL)
        return FALSE;
    }
  inflater = libdeflate_alloc_decompressor ();
  if (inflater == NULL)
    return FALSE;
  result = libdeflate_zlib_decompress (inflater, idat, idat_length, raw, raw_length, NULL);
  libdeflate_free_decompressor (inflater);
  if (result != LIBDEFLATE_SUCCESS)
    return FALSE;

  if (!png_unfilter_rows (raw, direct ? image->data : raw + 1, rowbytes, height, src_channels))
    return FALSE;
  if (direct)
    image->data = g_realloc (image->data, (gsize) height * image->stride);
  else
    for (guint y = 0; y < height; y++)
      png_convert_row (raw + 1 + (gsize) y * rowbytes, src_channels, image->data + (gsize) y * image->stride,
                       dst_channels, width);
  info->has_alpha = src_channels == 2 || src_channels == 4;
  *out = g_steal_pointer (&image);
  return TRUE;
}

static gboolean
decode_png (const guint8  *data,
            gsize          length,
            EkImageInfo   *info,
            EkImage      **out,
            GCancellable  *cancellable,
            GError       **error)
{
  PngDecoder decoder = { 0 };
  volatile gboolean cancelled = FALSE;
  guint width, height, src_channels, dst_channels, passes;
  gsize rowbytes;

  if (out != NULL)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (decode_png_whole (data, length, info, out))
        {
          if (!g_cancellable_set_error_if_cancelled (cancellable, error))
            return TRUE;
          g_clear_pointer (out, ek_image_free);
          return FALSE;
        }
    }

  decoder.data = data;
  decoder.length = length;
  decoder.png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &decoder, png_error_cb, png_warning_cb);
  if (decoder.png == NULL)
    return out_of_memory (error);
  decoder.info = png_create_info_struct (decoder.png);
  if (decoder.info == NULL)
    {
      png_decoder_clear (&decoder);
      return out_of_memory (error);
    }
  if (setjmp (png_jmpbuf (decoder.png)))
    {
      gboolean truncated = decoder.truncated;
      g_autofree char *detail = g_strdup (decoder.message);

      png_decoder_clear (&decoder);
      if (truncated)
        return truncated_error (error);
      return corrupt_error (error, detail);
    }

  png_set_read_fn (decoder.png, &decoder, png_read_cb);
  /* Our own limits were checked on the header already; libpng's guard a second time */
  png_set_user_limits (decoder.png, 0x7fffffff, 0x7fffffff);
  png_set_chunk_malloc_max (decoder.png, 4 * 1024 * 1024);
  /* Compressed text and colour profiles are inflated by libpng: a few bytes can become many
   * megabytes. We need none of them to check or fit a page (metadata is found by chunk type
   * in read_png_header()), so libpng skips them unread. */
  png_set_keep_unknown_chunks (decoder.png, PNG_HANDLE_CHUNK_NEVER,
                               (png_const_bytep) "iCCP\0zTXt\0iTXt\0tEXt\0eXIf\0sPLT\0", 6);
#if defined (PNG_IGNORE_ADLER32) && defined (PNG_OPTION_ON)
  /* Each IDAT chunk's CRC, still checked, covers the compressed bytes as they were written:
   * zlib's Adler-32 over the inflated ones (26 MB for an A4 page in colour) costs about a
   * twentieth of the decode, for a fault the CRC or the inflate would find first */
  png_set_option (decoder.png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
  png_read_info (decoder.png, decoder.info);
  png_set_expand (decoder.png);
  png_set_strip_16 (decoder.png);
  passes = (guint) png_set_interlace_handling (decoder.png);
  png_read_update_info (decoder.png, decoder.info);

  width = png_get_image_width (decoder.png, decoder.info);
  height = png_get_image_height (decoder.png, decoder.info);
  src_channels = png_get_channels (decoder.png, decoder.info);
  rowbytes = png_get_rowbytes (decoder.png, decoder.info);
  dst_channels = src_channels <= 2 ? 1 : 3;
  info->has_alpha = src_channels == 2 || src_channels == 4;

  if (out != NULL)
    {
      decoder.image = ek_image_new (width, height, dst_channels);
      if (decoder.image == NULL)
        {
          png_decoder_clear (&decoder);
          return out_of_memory (error);
        }
    }

  if (passes > 1 && out != NULL)
    {
      /* Interlaced: every pass adds to every row, so keep the whole image */
      decoder.rows = g_try_malloc ((gsize) rowbytes * height);
      if (decoder.rows == NULL)
        {
          png_decoder_clear (&decoder);
          return out_of_memory (error);
        }
      memset (decoder.rows, 0, rowbytes * height);
    }
  else
    decoder.row = g_malloc0 (rowbytes);

  for (guint pass = 0; pass < passes && !cancelled; pass++)
    for (guint y = 0; y < height; y++)
      {
        guint8 *row = decoder.rows != NULL ? decoder.rows + (gsize) y * rowbytes : decoder.row;
        /* Grey or RGB without alpha: straight into the image's row, no copy */
        gboolean direct = decoder.image != NULL && decoder.rows == NULL && src_channels == dst_channels &&
                          rowbytes == (gsize) width * dst_channels;

        if (direct)
          row = decoder.image->data + (gsize) y * decoder.image->stride;

        if ((y & 63) == 0 && g_cancellable_is_cancelled (cancellable))
          {
            cancelled = TRUE;
            break;
          }
        png_read_row (decoder.png, row, NULL);
        if (decoder.image != NULL && decoder.rows == NULL && !direct)
          png_convert_row (row, src_channels, decoder.image->data + (gsize) y * decoder.image->stride,
                           dst_channels, width);
      }

  if (cancelled)
    {
      png_decoder_clear (&decoder);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return FALSE;
    }

  png_read_end (decoder.png, NULL);
  if (decoder.image != NULL && decoder.rows != NULL)
    for (guint y = 0; y < height; y++)
      png_convert_row (decoder.rows + (gsize) y * rowbytes, src_channels,
                       decoder.image->data + (gsize) y * decoder.image->stride, dst_channels, width);

  if (out != NULL)
    *out = g_steal_pointer (&decoder.image);
  png_decoder_clear (&decoder);
  return TRUE;
}

/* GIF decoding: record by record, so that no frame is allocated whole before its size is checked */

typedef struct
{
  const guint8 *data;
  gsize         length;
  gsize         pos;
  gboolean      short_read;
} GifSource;

static int
gif_read_cb (GifFileType *gif,
             GifByteType *out,
             int          length)
{
  GifSource *source = gif->UserData;
  gsize n = MIN ((gsize) length, source->length - source->pos);

  if (n < (gsize) length)
    source->short_read = TRUE;
  memcpy (out, source->data + source->pos, n);
  source->pos += n;
  return (int) n;
}

static gboolean
gif_error (GifFileType  *gif,
           GifSource    *source,
           int           code,
           GError      **error)
{
  if (gif != NULL)
    DGifCloseFile (gif, NULL);
  if (source->short_read || code == D_GIF_ERR_READ_FAILED || code == D_GIF_ERR_EOF_TOO_SOON)
    return truncated_error (error);
  return corrupt_error (error, GifErrorString (code) != NULL ? GifErrorString (code) : "GIF");
}

static gboolean
decode_gif (const guint8  *data,
            gsize          length,
            guint64        max_pixels,
            EkImageInfo   *info,
            EkImage      **out,
            GCancellable  *cancellable,
            GError       **error)
{
  static const guint interlace_offset[] = { 0, 4, 2, 1 };
  static const guint interlace_step[] = { 8, 8, 4, 2 };
  GifSource source = { data, length, 0, FALSE };
  g_autoptr(EkImage) canvas = NULL;
  g_autofree GifPixelType *line = NULL;
  GifFileType *gif;
  int code = 0;
  int transparent = -1;
  guint frames = 0;
  GifRecordType record;

  gif = DGifOpen (&source, gif_read_cb, &code);
  if (gif == NULL)
    return gif_error (NULL, &source, code, error);

  if (out != NULL)
    {
      canvas = ek_image_new ((guint) gif->SWidth, (guint) gif->SHeight, 3);
      if (canvas == NULL)
        {
          DGifCloseFile (gif, NULL);
          return out_of_memory (error);
        }
      memset (canvas->data, 0xff, canvas->stride * canvas->height);
    }

  do
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          DGifCloseFile (gif, NULL);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
          return FALSE;
        }
      if (DGifGetRecordType (gif, &record) == GIF_ERROR)
        return gif_error (gif, &source, gif->Error, error);

      if (record == IMAGE_DESC_RECORD_TYPE)
        {
          ColorMapObject *map;
          guint left, top, w, h;

          if (DGifGetImageDesc (gif) == GIF_ERROR)
            return gif_error (gif, &source, gif->Error, error);
          left = (guint) gif->Image.Left;
          top = (guint) gif->Image.Top;
          w = (guint) gif->Image.Width;
          h = (guint) gif->Image.Height;
          if (w == 0 || h == 0 || (guint64) w * h > max_pixels)
            {
              DGifCloseFile (gif, NULL);
              if (w == 0 || h == 0)
                return corrupt_error (error, _("a frame has no width or height"));
              g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                           _("A frame of this GIF claims %u × %u pixels, far more than any scanned page."), w, h);
              return FALSE;
            }
          map = gif->Image.ColorMap != NULL ? gif->Image.ColorMap : gif->SColorMap;
          if (map == NULL)
            return gif_error (gif, &source, D_GIF_ERR_NO_COLOR_MAP, error);

          g_free (line);
          line = g_malloc (w);
          for (guint pass = 0; pass < (gif->Image.Interlace ? 4u : 1u); pass++)
            {
              guint start = gif->Image.Interlace ? interlace_offset[pass] : 0;
              guint step = gif->Image.Interlace ? interlace_step[pass] : 1;

              for (guint y = start; y < h; y += step)
                {
                  if (DGifGetLine (gif, line, (int) w) == GIF_ERROR)
                    return gif_error (gif, &source, gif->Error, error);
                  /* Only the first frame is drawn: the upload page shows no animation,
                   * so the first frame is what a reviewer sees. */
                  if (frames == 0 && canvas != NULL && top + y < canvas->height)
                    {
                      guint8 *dst = canvas->data + (gsize) (top + y) * canvas->stride;

                      for (guint x = 0; x < w && left + x < canvas->width; x++)
                        {
                          int index = line[x];

                          if (index == transparent || index >= map->ColorCount)
                            continue;
                          dst[3 * (left + x)] = map->Colors[index].Red;
                          dst[3 * (left + x) + 1] = map->Colors[index].Green;
                          dst[3 * (left + x) + 2] = map->Colors[index].Blue;
                        }
                    }
                }
            }
          frames++;
          transparent = -1;
        }
      else if (record == EXTENSION_RECORD_TYPE)
        {
          GifByteType *extension = NULL;
          int function = 0;

          if (DGifGetExtension (gif, &function, &extension) == GIF_ERROR)
            return gif_error (gif, &source, gif->Error, error);
          if (function == GRAPHICS_EXT_FUNC_CODE && extension != NULL && extension[0] >= 4)
            transparent = (extension[1] & 1) ? extension[4] : -1;
          else if (function == COMMENT_EXT_FUNC_CODE)
            info->has_metadata = TRUE;
          while (extension != NULL)
            if (DGifGetExtensionNext (gif, &extension) == GIF_ERROR)
              return gif_error (gif, &source, gif->Error, error);
        }
    }
  while (record != TERMINATE_RECORD_TYPE);

  DGifCloseFile (gif, NULL);
  if (frames == 0)
    return corrupt_error (error, _("the GIF has no image in it"));
  info->n_frames = frames;
  if (out != NULL)
    *out = g_steal_pointer (&canvas);
  return TRUE;
}

gboolean
ek_image_decode (const guint8  *data,
                 gsize          length,
                 guint64        max_pixels,
                 EkImageInfo   *info,
                 EkImage      **image,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (image == NULL || *image == NULL, FALSE);

  if (!ek_image_read_header (data, length, info, error))
    return FALSE;
  if ((guint64) info->width * info->height > max_pixels)
    {
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                   _("The image claims %u × %u pixels, far more than any scanned page; it was not opened. Scan the page again at 300 DPI or less."),
                   info->width, info->height);
      return FALSE;
    }

  switch (info->format)
    {
    case EK_IMAGE_FORMAT_JPEG:
      return decode_jpeg (data, length, info, image, cancellable, error);
    case EK_IMAGE_FORMAT_PNG:
      return decode_png (data, length, info, image, cancellable, error);
    case EK_IMAGE_FORMAT_GIF:
      return decode_gif (data, length, max_pixels, info, image, cancellable, error);
    case EK_IMAGE_FORMAT_UNKNOWN:
    case EK_IMAGE_FORMAT_PDF:
    case EK_IMAGE_FORMAT_TIFF:
    case EK_IMAGE_FORMAT_BMP:
    case EK_IMAGE_FORMAT_WEBP:
    case EK_IMAGE_FORMAT_HEIF:
    case EK_IMAGE_FORMAT_SVG:
    default:
      g_assert_not_reached ();
    }
}

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
  guint          first_row;  /* output rows [first_row, end_row) */
  guint          end_row;
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

  for (guint oy = band->first_row; oy < band->end_row; oy++)
    {
      double top = oy * band->sy, bottom = MIN ((oy + 1) * band->sy, (double) image->height);
      guint8 *dst = band->result->data + (gsize) oy * band->result->stride;
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

EkImage *
ek_image_scale_down (const EkImage *image,
                     guint          width,
                     guint          height)
{
  g_autofree guint *x_start = NULL;
  g_autofree guint *x_count = NULL;
  g_autofree float *x_weight = NULL;
  ScaleBand bands[2];
  GThread *helper = NULL;
  EkImage *result;
  double sx;
  guint max_taps;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (width > 0 && width <= image->width, NULL);
  g_return_val_if_fail (height > 0 && height <= image->height, NULL);

  result = ek_image_new (width, height, image->channels);
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
      bands[i].first_row = i == 0 ? 0 : height / 2;
      bands[i].end_row = i == 0 ? height / 2 : height;
    }
  /* A small image is not worth a thread */
  if ((gsize) width * height >= 256 * 1024)
    helper = g_thread_try_new ("ek-scale", scale_band, &bands[1], NULL);
  scale_band (&bands[0]);
  if (helper != NULL)
    g_thread_join (helper);
  else
    scale_band (&bands[1]);
  return result;
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

/* Encoding */

/* The DC step for @factor that puts the paper in the middle of a quantisation bin.
 *
 * A block's DC coefficient is 8 × (mean − 128). When the paper's level sits near the edge
 * between two bins, scanner noise in the block means sends neighbouring blocks of blank paper
 * to different bins: blank paper comes out as a checkerboard of blocks a few levels apart.
 * Measured (tests/bench), that alone costs a page up to 0.05 of its SSIM at some tables and
 * none at others, which made the quality a lottery of the factor the search landed on.
 * Within ±15 % of the table's own step, the step whose bins are centred on the paper is
 * taken. */
int
ek_image_jpeg_paper_dc_step (int factor,
                             int paper)
{
  int base = CLAMP ((16 * factor + 50) / 100, 1, 255);
  double dc = fabs (paper - 8.0 * 128);
  int best = 0;
  double best_miss = G_MAXDOUBLE;

  if (paper < 0 || dc < 8)
    return 0;   /* paper at mid-grey: DC 0 is the middle of a bin whatever the step */
  for (int step = MAX (1, base * 85 / 100); step <= MIN (255, base * 115 / 100); step++)
    {
      double ratio = dc / step;
      double miss = fabs (ratio - round (ratio)) + (double) ABS (step - base) / (4.0 * base);

      if (miss < best_miss)
        {
          best_miss = miss;
          best = step;
        }
    }
  return best;
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

/* ITU-T T.81 Annex K, table K.2 */
static const unsigned int std_chroma_table[DCTSIZE2] = {
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99
};

#define CHROMA_QUALITY_BOOST 65  /* chroma quality above luma for ek_image_encode_jpeg (full_chroma) */

int
ek_image_jpeg_quality_factor (int quality)
{
  return jpeg_quality_scaling (CLAMP (quality, 1, 100));
}

GBytes *
ek_image_encode_jpeg (const EkImage  *image,
                      int             quality,
                      gboolean        full_chroma,
                      GError        **error)
{
  EkJpegSettings settings = { 0 };

  g_return_val_if_fail (image != NULL, NULL);

  settings.luma_factor = ek_image_jpeg_quality_factor (quality);
  settings.chroma_factor = full_chroma ? ek_image_jpeg_quality_factor (quality + CHROMA_QUALITY_BOOST)
                                       : settings.luma_factor;
  return ek_image_encode_jpeg_with (image, &settings, error);
}

/* The progressive scans: all DC coefficients, then luma's lowest AC band (1–5, where a page's
 * edges and text live) and the rest, then each chroma component's AC in one scan. With
 * @refine_luma, luma's AC comes in two passes (successive approximation: all but the lowest
 * bit, then that bit), which pays where coefficients are many and large (tests/bench, an A4
 * page at 300 DPI, 1 MB: 9 % smaller than without; at 200 KB it gains 0.5 % for 40 % more time). */
#define MAX_SPECTRAL_SCANS 6

static void
add_scan (jpeg_scan_info *scan,
          int             first_component,
          int             n_components,
          int             ss,
          int             se,
          int             ah,
          int             al)
{
  scan->comps_in_scan = n_components;
  for (int c = 0; c < n_components; c++)
    scan->component_index[c] = first_component + c;
  scan->Ss = ss;
  scan->Se = se;
  scan->Ah = ah;
  scan->Al = al;
}

static void
set_spectral_scans (j_compress_ptr  cinfo,
                    jpeg_scan_info *scans,
                    gboolean        refine_luma)
{
  int n = 0, al = refine_luma ? 1 : 0;

  memset (scans, 0, sizeof (jpeg_scan_info) * MAX_SPECTRAL_SCANS);
  add_scan (&scans[n++], 0, cinfo->num_components, 0, 0, 0, 0);
  add_scan (&scans[n++], 0, 1, 1, 5, 0, al);
  add_scan (&scans[n++], 0, 1, 6, 63, 0, al);
  for (int c = 1; c < cinfo->num_components; c++)
    add_scan (&scans[n++], c, 1, 1, 63, 0, 0);
  if (refine_luma)
    add_scan (&scans[n++], 0, 1, 1, 63, 1, 0);
  cinfo->scan_info = scans;
  cinfo->num_scans = n;
}

GBytes *
ek_image_encode_jpeg_with (const EkImage         *image,
                           const EkJpegSettings  *settings,
                           GError               **error)
{
  struct jpeg_compress_struct cinfo;
  JpegErrorManager err = { 0 };
  jpeg_scan_info scans[MAX_SPECTRAL_SCANS];
  unsigned char *buffer = NULL;
  unsigned long size = 0;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  cinfo.err = jpeg_std_error (&err.pub);
  err.pub.error_exit = jpeg_error_exit_cb;
  if (setjmp (err.jump))
    {
      jpeg_destroy_compress (&cinfo);
      free (buffer);
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_CORRUPT, "JPEG: %s", err.message);
      return NULL;
    }
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &buffer, &size);
  cinfo.image_width = image->width;
  cinfo.image_height = image->height;
  cinfo.input_components = (int) image->channels;
  cinfo.in_color_space = image->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&cinfo);
  /* Baseline-compatible tables (entries ≤ 255), so every decoder reads the result */
  jpeg_set_linear_quality (&cinfo, MAX (settings->luma_factor, 1), TRUE);
  cinfo.optimize_coding = TRUE;
  cinfo.dct_method = JDCT_ISLOW;
  if (settings->luma_dc > 0)
    cinfo.quant_tbl_ptrs[0]->quantval[0] = (UINT16) CLAMP (settings->luma_dc, 1, 255);
  if (image->channels == 3 && settings->chroma_factor > 0 && settings->chroma_factor != settings->luma_factor)
    {
      /* Colour that carries meaning (a red seal): chroma keeps 4:2:0 sampling but may get a
       * finer table than luma. Chroma is flat almost everywhere on a page, so this costs few
       * bytes, and a thin red stroke keeps its colour where the luma quality is low. */
      jpeg_add_quant_table (&cinfo, 1, std_chroma_table, (unsigned int) settings->chroma_factor, TRUE);
    }
  /* Progressive by spectral selection only: a mostly blank page is mostly empty blocks, which
   * the AC scans code as runs of empty blocks (EOBRUN). Without successive approximation that
   * takes no longer than a sequential encode, and is smaller than libjpeg's standard script
   * too (tests/bench, same tables, an A4 page at 225 DPI: sequential 207 KB in 36 ms,
   * jpeg_simple_progression 194 KB in 83 ms, this 183 KB in 45 ms) */
  if (settings->progressive)
    set_spectral_scans (&cinfo, scans, settings->refine_luma);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row[1] = { image->data + (gsize) cinfo.next_scanline * image->stride };
      jpeg_write_scanlines (&cinfo, row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  {
    GBytes *bytes = g_bytes_new (buffer, size);
    free (buffer);
    return bytes;
  }
}

static void
png_write_cb (png_structp png,
              png_bytep   data,
              size_t      length)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) length);
}

static void
png_flush_cb (png_structp png)
{
}

GBytes *
ek_image_encode_png (const EkImage  *image,
                     GError        **error)
{
  GByteArray *volatile array = NULL;
  png_structp png;
  png_infop info;
  PngDecoder context = { 0 };

  g_return_val_if_fail (image != NULL, NULL);

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &context, png_error_cb, png_warning_cb);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      out_of_memory (error);
      return NULL;
    }
  array = g_byte_array_new ();
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      g_byte_array_unref (array);
      g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_CORRUPT, "PNG: %s", context.message);
      return NULL;
    }
  png_set_write_fn (png, array, png_write_cb, png_flush_cb);
  png_set_IHDR (png, info, image->width, image->height, 8,
                image->channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (guint y = 0; y < image->height; y++)
    png_write_row (png, image->data + (gsize) y * image->stride);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (array);
}

/* Lossless metadata removal: drop EXIF/XMP/comment segments of a JPEG and text/EXIF/time chunks
 * of a PNG, keeping every byte of the picture. Returns NULL when there is nothing to drop or
 * the structure is not what we expect (the caller then re-encodes or keeps the original). */
GBytes *
ek_image_strip_metadata (GBytes        *bytes,
                         EkImageFormat  format)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  gboolean dropped = FALSE;

  if (format == EK_IMAGE_FORMAT_JPEG)
    {
      gsize pos = 2;

      if (length < 4)
        return NULL;
      g_byte_array_append (out, data, 2);
      while (pos + 4 <= length)
        {
          guint marker;
          gsize segment;

          if (data[pos] != 0xff)
            return NULL;
          marker = data[pos + 1];
          if (marker == 0xda)
            {
              g_byte_array_append (out, data + pos, (guint) (length - pos));
              return dropped ? g_byte_array_free_to_bytes (g_steal_pointer (&out)) : NULL;
            }
          segment = ((gsize) data[pos + 2] << 8) | data[pos + 3];
          if (segment < 2 || pos + 2 + segment > length)
            return NULL;
          /* APP1..APP13 and APP15 (EXIF, XMP, Photoshop…) and comments go; JFIF (APP0),
           * ICC (APP2) and Adobe (APP14, which says how the colours are stored) stay */
          if ((marker >= 0xe1 && marker <= 0xef && marker != 0xe2 && marker != 0xee) || marker == 0xfe)
            dropped = TRUE;
          else
            g_byte_array_append (out, data + pos, (guint) (2 + segment));
          pos += 2 + segment;
        }
      return NULL;
    }
  if (format == EK_IMAGE_FORMAT_PNG)
    {
      gsize pos = 8;

      g_byte_array_append (out, data, 8);
      while (pos + 12 <= length)
        {
          guint32 chunk = read_be32 (data + pos);
          const guint8 *type = data + pos + 4;

          if (chunk > length - pos - 12)
            return NULL;
          if (memcmp (type, "tEXt", 4) == 0 || memcmp (type, "zTXt", 4) == 0 || memcmp (type, "iTXt", 4) == 0 ||
              memcmp (type, "eXIf", 4) == 0 || memcmp (type, "tIME", 4) == 0)
            dropped = TRUE;
          else
            g_byte_array_append (out, data + pos, chunk + 12);
          pos += chunk + 12;
          if (memcmp (type, "IEND", 4) == 0)
            return dropped ? g_byte_array_free_to_bytes (g_steal_pointer (&out)) : NULL;
        }
      return NULL;
    }
  return NULL;
}
