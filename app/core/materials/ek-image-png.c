/* ek-image-png.c: PNG headers, the decoder (the usual PNG inflated in one call by libdeflate,
 * the rest through libpng) and the encoder */
#include "config.h"

#include <setjmp.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <png.h>
#include <libdeflate.h>

#include "ek-image-private.h"
#include "ek-material-error.h"

gboolean
ek_image_read_png_header (const guint8 *data,
                          gsize         length,
                          EkImageInfo  *info,
                          GError      **error)
{
  guint color_type;

  if (length < 33)
    return ek_image_truncated_error (error);
  if (ek_image_read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    return ek_image_corrupt_error (error, _("the PNG header chunk is missing"));
  info->width = ek_image_read_be32 (data + 16);
  info->height = ek_image_read_be32 (data + 20);
  info->bit_depth = data[24];
  color_type = data[25];
  info->grey = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  info->has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0;
  info->progressive = data[28] != 0;
  /* Metadata chunks, by type, without inflating anything */
  for (gsize pos = 33; pos + 12 <= length;)
    {
      guint32 chunk = ek_image_read_be32 (data + pos);
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
    return ek_image_corrupt_error (error, _("the image has no width or height"));
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

  if (length < 8 + 25 || ek_image_read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;
  width = ek_image_read_be32 (data + 16);
  height = ek_image_read_be32 (data + 20);
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
      chunk = ek_image_read_be32 (data + pos);
      if (chunk > 0x7fffffff || chunk > length - pos - 12)
        return FALSE;
      for (guint k = 0; k < 4; k++)
        if (!g_ascii_isalpha (type[k]))
          return FALSE;
      if (libdeflate_crc32 (0, type, chunk + 4) != ek_image_read_be32 (type + 4 + chunk))
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
      for (pos = 8;; pos += ek_image_read_be32 (data + pos) + 12)
        if (memcmp (data + pos + 4, "IDAT", 4) == 0)
          {
            gsize chunk = ek_image_read_be32 (data + pos);

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

gboolean
ek_image_decode_png (const guint8  *data,
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
    return ek_image_out_of_memory (error);
  decoder.info = png_create_info_struct (decoder.png);
  if (decoder.info == NULL)
    {
      png_decoder_clear (&decoder);
      return ek_image_out_of_memory (error);
    }
  if (setjmp (png_jmpbuf (decoder.png)))
    {
      gboolean truncated = decoder.truncated;
      g_autofree char *detail = g_strdup (decoder.message);

      png_decoder_clear (&decoder);
      if (truncated)
        return ek_image_truncated_error (error);
      return ek_image_corrupt_error (error, detail);
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
          return ek_image_out_of_memory (error);
        }
    }

  if (passes > 1 && out != NULL)
    {
      /* Interlaced: every pass adds to every row, so keep the whole image */
      decoder.rows = g_try_malloc ((gsize) rowbytes * height);
      if (decoder.rows == NULL)
        {
          png_decoder_clear (&decoder);
          return ek_image_out_of_memory (error);
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
      ek_image_out_of_memory (error);
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
