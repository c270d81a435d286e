/* ek-image-gif.c: GIF headers and the decoder */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <gif_lib.h>

#include "ek-image-private.h"
#include "ek-material-error.h"

gboolean
ek_image_read_gif_header (const guint8 *data,
                          gsize         length,
                          EkImageInfo  *info,
                          GError      **error)
{
  if (length < 13)
    return ek_image_truncated_error (error);
  info->width = data[6] | ((guint) data[7] << 8);
  info->height = data[8] | ((guint) data[9] << 8);
  info->bit_depth = 8;
  if (info->width == 0 || info->height == 0)
    return ek_image_corrupt_error (error, _("the image has no width or height"));
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
    return ek_image_truncated_error (error);
  return ek_image_corrupt_error (error, GifErrorString (code) != NULL ? GifErrorString (code) : "GIF");
}

gboolean
ek_image_decode_gif (const guint8  *data,
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
          return ek_image_out_of_memory (error);
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
                return ek_image_corrupt_error (error, _("a frame has no width or height"));
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
    return ek_image_corrupt_error (error, _("the GIF has no image in it"));
  info->n_frames = frames;
  if (out != NULL)
    *out = g_steal_pointer (&canvas);
  return TRUE;
}
