/* ek-image-private.h: what the image files (ek-image*.c) share, inside the materials library */
#pragma once

#include "ek-image.h"

G_BEGIN_DECLS

/* The errors every decoder gives, in the clerk's words; FALSE */
gboolean  ek_image_truncated_error  (GError       **error);
gboolean  ek_image_corrupt_error    (GError       **error,
                                     const char    *detail);
gboolean  ek_image_out_of_memory    (GError       **error);

static inline guint32
ek_image_read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Each format's header reader and decoder, called by ek_image_read_header and ek_image_decode
 * once the format is sniffed (and the header's size checked) */
gboolean  ek_image_read_jpeg_header (const guint8  *data,
                                     gsize          length,
                                     EkImageInfo   *info,
                                     GError       **error);
gboolean  ek_image_read_png_header  (const guint8  *data,
                                     gsize          length,
                                     EkImageInfo   *info,
                                     GError       **error);
gboolean  ek_image_read_gif_header  (const guint8  *data,
                                     gsize          length,
                                     EkImageInfo   *info,
                                     GError       **error);
gboolean  ek_image_decode_jpeg      (const guint8  *data,
                                     gsize          length,
                                     EkImageInfo   *info,
                                     EkImage      **out,
                                     GCancellable  *cancellable,
                                     GError       **error);
gboolean  ek_image_decode_png       (const guint8  *data,
                                     gsize          length,
                                     EkImageInfo   *info,
                                     EkImage      **out,
                                     GCancellable  *cancellable,
                                     GError       **error);
gboolean  ek_image_decode_gif       (const guint8  *data,
                                     gsize          length,
                                     guint64        max_pixels,
                                     EkImageInfo   *info,
                                     EkImage      **out,
                                     GCancellable  *cancellable,
                                     GError       **error);

G_END_DECLS
