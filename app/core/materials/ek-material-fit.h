/* ek-material-fit.h: re-encode an oversized or wrongly formatted image so that it fits its limit
 *
 * The result stays legible: EXIF orientation applied, metadata stripped (no GPS on an ID card
 * photo), never upscaled, reduced only as far as the limit needs and never below a legibility
 * floor (an A4 page at about 100 DPI), colour kept where colour carries meaning (a red seal, a
 * photo) and grey where the page is grey. A file that already fits is left as it is (only its
 * metadata is dropped, losslessly).
 */
#pragma once

#include <gio/gio.h>

#include "ek-image.h"
#include "ek-material-check.h"

G_BEGIN_DECLS

typedef struct
{
  GBytes        *bytes;       /* the file to upload */
  EkImageFormat  format;
  guint          width;
  guint          height;
  guint64        input_bytes;
  int            quality;     /* JPEG quality chosen, 0 when the input was kept */
  gboolean       grey;
  gboolean       unchanged;   /* the input already fitted and carried nothing to strip */
  guint          n_encodes;   /* encodes of the whole image it took (the search runs on a sample) */
} EkMaterialFit;

void            ek_material_fit_free        (EkMaterialFit  *fit);
/* Whether the fit keeps @image in colour (a seal, a photo) rather than making it grey */
gboolean        ek_material_fit_keeps_colour (const EkImage *image);

EkMaterialFit  *ek_material_fit_bytes       (GBytes         *input,
                                             guint64         max_bytes,
                                             GCancellable   *cancellable,
                                             GError        **error);
EkMaterialFit  *ek_material_fit_file        (const char     *input_path,
                                             const char     *output_path,
                                             guint64         max_bytes,
                                             GCancellable   *cancellable,
                                             GError        **error);
void            ek_material_fit_file_async  (const char     *input_path,
                                             const char     *output_path,
                                             guint64         max_bytes,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
EkMaterialFit  *ek_material_fit_file_finish (GAsyncResult   *result,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkMaterialFit, ek_material_fit_free)

G_END_DECLS
