/* ek-scan-dialog.h: scanning one material: scanner, source, colour, resolution, preview, scan */
#pragma once

#include <gtk/gtk.h>

#include "ek-image.h"

G_BEGIN_DECLS

#define EK_TYPE_SCAN_DIALOG (ek_scan_dialog_get_type ())
G_DECLARE_FINAL_TYPE (EkScanDialog, ek_scan_dialog, EK, SCAN_DIALOG, GtkWindow)

/* Signal "scanned" (EkScanDialog *dialog, gpointer image, gpointer user_data): @image is the
 * EkImage to use (both sides on one page for a two-sided material), valid during the emission;
 * the dialog closes afterwards. Actions: "scan.preview", "scan.start", "scan.cancel". */
EkScanDialog  *ek_scan_dialog_new          (const char   *material_name,
                                            gboolean      two_sided);
gboolean       ek_scan_dialog_is_busy      (EkScanDialog *self);
guint          ek_scan_dialog_get_n_devices (EkScanDialog *self);
gboolean       ek_scan_dialog_has_preview  (EkScanDialog *self);
const char    *ek_scan_dialog_get_status   (EkScanDialog *self);
gboolean       ek_scan_dialog_get_area     (EkScanDialog *self,
                                            double        area[4]);

G_END_DECLS
