/* ek-image.h: decoded pixels and the image codecs the materials area needs
 *
 * Internal to libekeycore. An EkImage holds 8-bit grey (1 channel) or RGB (3 channels) pixels;
 * alpha is composited over white when decoding, because an upload is always seen on paper.
 * Decoders read the header first and refuse absurd dimensions before allocating anything.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  EK_IMAGE_FORMAT_UNKNOWN,
  EK_IMAGE_FORMAT_PNG,
  EK_IMAGE_FORMAT_JPEG,
  EK_IMAGE_FORMAT_GIF,
  EK_IMAGE_FORMAT_PDF,
  EK_IMAGE_FORMAT_TIFF,
  EK_IMAGE_FORMAT_BMP,
  EK_IMAGE_FORMAT_WEBP,
  EK_IMAGE_FORMAT_HEIF,
  EK_IMAGE_FORMAT_SVG,
} EkImageFormat;

typedef struct
{
  EkImageFormat format;
  guint         width;         /* from the header, before any orientation */
  guint         height;
  guint         bit_depth;     /* per sample */
  guint         n_frames;      /* GIF: frames seen by a full decode; 1 otherwise */
  guint         orientation;   /* EXIF orientation 1..8 (1 = as stored) */
  gboolean      progressive;   /* JPEG progressive, PNG/GIF interlaced */
  gboolean      cmyk;          /* JPEG with 4 components */
  gboolean      has_alpha;
  gboolean      grey;          /* stored as grey */
  gboolean      has_metadata;  /* EXIF, XMP, text chunks, comments… */
  int           luma_table_factor; /* JPEG: its own luma table as ek_image_jpeg_quality_factor's,
                                  * 0 if none before the frame header or not a scaled Annex K table */
} EkImageInfo;

typedef struct
{
  guint   width;
  guint   height;
  guint   channels;  /* 1 or 3 */
  gsize   stride;
  guint8 *data;
} EkImage;

EkImageFormat  ek_image_format_sniff        (const guint8   *data,
                                             gsize           length);
const char    *ek_image_format_to_string    (EkImageFormat   format);
const char    *ek_image_format_display_name (EkImageFormat   format);

gboolean       ek_image_read_header         (const guint8   *data,
                                             gsize           length,
                                             EkImageInfo    *info,
                                             GError        **error);
gboolean       ek_image_decode              (const guint8   *data,
                                             gsize           length,
                                             guint64         max_pixels,
                                             EkImageInfo    *info,
                                             EkImage       **image,
                                             GCancellable   *cancellable,
                                             GError        **error);

EkImage       *ek_image_new                 (guint           width,
                                             guint           height,
                                             guint           channels);
void           ek_image_free                (EkImage        *image);
EkImage       *ek_image_scale_down          (const EkImage  *image,
                                             guint           width,
                                             guint           height);
/* Rows @rows[0..@n_rows) of @image reduced to @width × @height, bit for bit as
 * ek_image_scale_down gives them, one after another: a sample of a reduced page without the page */
EkImage       *ek_image_scale_down_rows     (const EkImage  *image,
                                             guint           width,
                                             guint           height,
                                             const guint    *rows,
                                             guint           n_rows);
EkImage       *ek_image_orient              (const EkImage  *image,
                                             guint           orientation);
EkImage       *ek_image_to_grey             (const EkImage  *image);
EkImage       *ek_image_to_rgb              (const EkImage  *image);
EkImage       *ek_image_stack               (const EkImage  *top,
                                             const EkImage  *bottom);
double         ek_image_colour_fraction     (const EkImage  *image);
GBytes        *ek_image_encode_jpeg         (const EkImage  *image,
                                             int             quality,
                                             gboolean        full_chroma,
                                             GError        **error);
GBytes        *ek_image_encode_png          (const EkImage  *image,
                                             GError        **error);
GBytes        *ek_image_strip_metadata      (GBytes         *bytes,
                                             EkImageFormat   format);

/* JPEG encoder settings. A factor is a percentage of the standard tables (T.81 Annex K), as
 * libjpeg's jpeg_set_linear_quality takes it: 100 is quality 50, 500 quality 10, 10 quality 95.
 * It steps more finely than the 1–100 quality, which lets a fit use its whole budget. */
typedef struct
{
  int      luma_factor;
  int      chroma_factor;   /* 0: the same as luma */
  int      luma_dc;         /* 0: the table's; else the DC step of the luma table */
  gboolean progressive;
  gboolean refine_luma;     /* progressive: luma's AC in two passes, smaller from ~0.5 bit/pixel */
  gboolean full_chroma;     /* 4:4:4: chroma at luma's resolution (a thin red stroke stays red) */
} EkJpegSettings;

int            ek_image_jpeg_quality_factor (int             quality);
/* The paper's luma level in eighths of a level (the unit of a JPEG block's DC), -1 if none,
 * and the DC step near @factor's own that puts that level in the middle of a bin */
int            ek_image_paper_level         (const EkImage  *image);
/* The paper's grain: the mean luma difference between neighbouring pixels of blank paper */
double         ek_image_paper_grain         (const EkImage  *image,
                                             int             paper);
int            ek_image_jpeg_paper_dc_step  (int             factor,
                                             int             paper);
GBytes        *ek_image_encode_jpeg_with    (const EkImage  *image,
                                             const EkJpegSettings *settings,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkImage, ek_image_free)

G_END_DECLS
