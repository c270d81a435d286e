/* ek-image.c: sniffing, header reading, decoding and encoding of material images
 *
 * Every decoder works on bytes in memory (a material is at most a few tens of MB on disk),
 * reads the dimensions before it allocates pixels, and tells a truncated file (the data stops
 * early) from a corrupt one (the data is wrong). libjpeg and libpng report fatal errors by
 * calling back; we leave them with longjmp, so nothing on the stack between setjmp and the
 * error may own memory: pixel buffers are held in the decoder's context struct instead.
 *
 * Here: sniffing, headers and decoding by format (each format's own in ek-image-jpeg.c,
 * ek-image-png.c, ek-image-gif.c), pixel buffers and metadata removal. The pixel work (resize,
 * orientation, grey, paper analysis) is in ek-image-pixels.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <glib/gi18n-lib.h>

#include "ek-image-private.h"
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

gboolean
ek_image_truncated_error (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TRUNCATED,
                       _("The file stops before the image ends: it was not copied or scanned completely. Scan or copy it again."));
  return FALSE;
}

gboolean
ek_image_corrupt_error (GError     **error,
                        const char  *detail)
{
  g_set_error (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_CORRUPT,
               _("The image data is damaged (%s). Scan the page again or save it again from the original."),
               detail);
  return FALSE;
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
      return ek_image_read_jpeg_header (data, length, info, error);
    case EK_IMAGE_FORMAT_PNG:
      return ek_image_read_png_header (data, length, info, error);
    case EK_IMAGE_FORMAT_GIF:
      return ek_image_read_gif_header (data, length, info, error);
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

/* A page's pixels are written once, row after row, by a decoder or a reduction: in 4 KB pages
 * that is a fault every 4 KB (an A4 page at 300 DPI, 26 MB: 6,400 of them, and a fit makes
 * several such buffers). Large buffers ask for the kernel's 2 MB pages instead (where the
 * system allows them for the asking: transparent_hugepage "madvise" or "always").
 * tests/bench, seed 1 at 200 KB: page faults per fit 28,000 → about 8,000 with glibc's own
 * hugetlb tunable, wall time −10 % on the 300 DPI letter and the phone photo. */
#define HUGE_PAGE   ((gsize) 2 << 20)

static guint8 *
pixels_alloc (gsize size)
{
  void *data = NULL;

  if (size < 4 * HUGE_PAGE)
    return g_try_malloc (size);
  if (posix_memalign (&data, HUGE_PAGE, size) != 0)
    return NULL;
#ifdef MADV_HUGEPAGE
  madvise (data, size & ~(HUGE_PAGE - 1), MADV_HUGEPAGE);
#endif
  return data;
}

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
  image->data = pixels_alloc ((gsize) height * stride);
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

gboolean
ek_image_out_of_memory (GError **error)
{
  g_set_error_literal (error, EK_MATERIAL_ERROR, EK_MATERIAL_ERROR_TOO_MANY_PIXELS,
                       _("There is not enough memory to open this image."));
  return FALSE;
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
      return ek_image_decode_jpeg (data, length, info, image, cancellable, error);
    case EK_IMAGE_FORMAT_PNG:
      return ek_image_decode_png (data, length, info, image, cancellable, error);
    case EK_IMAGE_FORMAT_GIF:
      return ek_image_decode_gif (data, length, max_pixels, info, image, cancellable, error);
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
          guint32 chunk = ek_image_read_be32 (data + pos);
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
