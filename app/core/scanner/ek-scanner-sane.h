/* ek-scanner-sane.h: SANE itself, for the scanning helper program only (see ek-scanner-sane.c)
 *
 * Internal to libekeycore and ekey-scan-helper; everything else uses ek-scanner.h, which runs
 * these in the helper process.
 */
#pragma once

#include "ek-scanner.h"

G_BEGIN_DECLS

GPtrArray              *ek_scanner_sane_list_devices     (GCancellable         *cancellable,
                                                          GError              **error);
EkScannerCapabilities  *ek_scanner_sane_get_capabilities (const char           *device,
                                                          GError              **error);
GPtrArray              *ek_scanner_sane_scan             (const char           *device,
                                                          const EkScanOptions  *options,
                                                          EkScanProgressFunc    progress,
                                                          gpointer              user_data,
                                                          GCancellable         *cancellable,
                                                          GError              **error);

void                   ek_scanner_sane_release          (void);

G_END_DECLS
