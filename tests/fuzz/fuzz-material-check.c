/* fuzz-material-check.c: the check entry point on arbitrary bytes
 *
 * Everything a clerk can drop on the window goes through ek_material_check_bytes(): sniffing,
 * the hand-written header readers and the three decoders. The pixel limit is lowered so that
 * the fuzzer explores structure rather than spending its time allocating. The fit's reader of
 * a JPEG's own table (ek_image_jpeg_table_factor) gets the same bytes.
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
  EkMaterialLimits limits;

  ek_material_limits_init_default (&limits);
  limits.max_bytes = 204799;
  limits.max_pixels = 4000000;
  report = ek_material_check_bytes (bytes, &limits, NULL);
  g_assert (report != NULL);
  g_assert (ek_image_jpeg_table_factor (data, size) >= 0);
  return 0;
}
