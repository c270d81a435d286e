/* fuzz-material-check.c: the check entry point on arbitrary bytes
 *
 * Everything a clerk can drop on the window goes through ek_material_check_bytes(): sniffing,
 * the hand-written header readers and the three decoders. The pixel limit is lowered so that
 * the fuzzer explores structure rather than spending its time allocating. The same bytes are
 * then decoded with their pixels kept, as the fit does: PNG takes a path of its own there
 * (ek-image-png.c's decode_png_whole: chunks, libdeflate, row filters). The JPEG header reader
 * includes the reader of a JPEG's own luma table (the fit's luma_table_factor).
 */
#include "config.h"

#include "ek-image.h"
#include "ek-material-check.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(EkMaterialReport) report = NULL;
  g_autoptr(EkImage) image = NULL;
  EkMaterialLimits limits;
  EkImageInfo info;

  ek_material_limits_init_default (&limits);
  limits.max_bytes = 204799;
  limits.max_pixels = 4000000;

  report = ek_material_check_bytes (bytes, &limits, NULL);
  g_assert (report != NULL);
  g_assert (report->info.luma_table_factor >= 0);
  if (ek_image_decode (data, size, limits.max_pixels, &info, &image, NULL, NULL))
    {
      g_assert (image != NULL);
      if (info.format == EK_IMAGE_FORMAT_PNG)
        g_assert (image->width == info.width && image->height == info.height);
    }
  return 0;
}
