/* ek-scanner.h: scanning materials through SANE, in a helper process
 *
 * Blocking calls for threads and the CLI, _async/_finish for the GUI. Each call runs SANE in a
 * helper process of its own (ekey-scan-helper, see ek-scanner.c), so a backend that hangs or
 * crashes becomes an error here, and a cancel can always stop it. Listing probes again on each
 * call, so a scanner plugged in later is found.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-image.h"
#include "ek-material-error.h"

G_BEGIN_DECLS

typedef struct
{
  char *name;     /* for ek_scanner_scan(): "test:0", "genesys:libusb:001:004"… */
  char *vendor;
  char *model;
  char *type;
} EkScannerDevice;

void             ek_scanner_device_free          (EkScannerDevice       *device);
/* The one JSON form of a device: what the helper says, the app reads and `ekey-tool scan list`
 * prints ({"name","vendor","model","type"}) */
void             ek_scanner_device_add_to_json   (const EkScannerDevice *device,
                                                  JsonBuilder           *builder);
EkScannerDevice *ek_scanner_device_new_from_json (JsonObject            *object);

typedef struct
{
  char    **sources;          /* e.g. "Flatbed", "Automatic Document Feeder" */
  char    **modes;            /* e.g. "Color", "Gray" */
  double    min_resolution;
  double    max_resolution;
  double    max_width_mm;     /* 0 when the device does not say */
  double    max_height_mm;
} EkScannerCapabilities;

void      ek_scanner_capabilities_free (EkScannerCapabilities *capabilities);
gboolean  ek_scanner_source_is_feeder  (const char            *source);

typedef enum
{
  EK_SCAN_MODE_COLOR,
  EK_SCAN_MODE_GRAY,
} EkScanMode;

typedef struct
{
  double       resolution;    /* DPI; 0 = 300, or 50 for a preview */
  EkScanMode   mode;
  gboolean     feeder;        /* scan every sheet in the document feeder */
  gboolean     preview;       /* quick, low resolution */
  double       area_mm[4];    /* left, top, width, height; width 0 = the whole bed */
  char       **extra;         /* backend options as "name=value", NULL-terminated */
} EkScanOptions;

void  ek_scan_options_init (EkScanOptions *options);

/* Called from the scanning thread (or, for _async, in the caller's main context) */
typedef void (*EkScanProgressFunc) (guint     page,
                                    double    fraction,
                                    gpointer  user_data);

GPtrArray              *ek_scanner_list_devices       (GCancellable           *cancellable,
                                                       GError                **error);
EkScannerCapabilities  *ek_scanner_get_capabilities   (const char             *device,
                                                       GError                **error);
GPtrArray              *ek_scanner_scan               (const char             *device,
                                                       const EkScanOptions    *options,
                                                       EkScanProgressFunc      progress,
                                                       gpointer                user_data,
                                                       GCancellable           *cancellable,
                                                       GError                **error);
void                    ek_scanner_scan_async         (const char             *device,
                                                       const EkScanOptions    *options,
                                                       EkScanProgressFunc      progress,
                                                       gpointer                user_data,
                                                       GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                callback_data);
GPtrArray              *ek_scanner_scan_finish        (GAsyncResult           *result,
                                                       GError                **error);
void                    ek_scanner_list_devices_async (GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
GPtrArray              *ek_scanner_list_devices_finish (GAsyncResult          *result,
                                                       GError                **error);
void                    ek_scanner_get_capabilities_async (const char         *device,
                                                       GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
EkScannerCapabilities  *ek_scanner_get_capabilities_finish (GAsyncResult      *result,
                                                       GError                **error);
EkImage                *ek_scanner_combine_sides      (const EkImage          *front,
                                                       const EkImage          *back);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkScannerDevice, ek_scanner_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkScannerCapabilities, ek_scanner_capabilities_free)

G_END_DECLS
