/* ek-material-error.h: the error domain of the materials area (checks, fit, scanner) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EK_MATERIAL_ERROR (ek_material_error_quark ())

typedef enum
{
  EK_MATERIAL_ERROR_EMPTY,               /* the file has no bytes */
  EK_MATERIAL_ERROR_FORMAT_NOT_ALLOWED,  /* a real format, but not one the system accepts */
  EK_MATERIAL_ERROR_CORRUPT,             /* the data is damaged */
  EK_MATERIAL_ERROR_TRUNCATED,           /* the data stops before the image ends */
  EK_MATERIAL_ERROR_TOO_MANY_PIXELS,     /* a decompression bomb, or an absurd scan */
  EK_MATERIAL_ERROR_TOO_LARGE,           /* over the byte limit */
  EK_MATERIAL_ERROR_ILLEGIBLE,           /* fitting would make it unreadable */
  EK_MATERIAL_ERROR_RULES,               /* the material rules in the catalogue are not usable */
  EK_MATERIAL_ERROR_SCANNER_NOT_FOUND,   /* the device is gone or was never there */
  EK_MATERIAL_ERROR_SCANNER_BUSY,
  EK_MATERIAL_ERROR_SCANNER_JAMMED,
  EK_MATERIAL_ERROR_SCANNER_COVER_OPEN,
  EK_MATERIAL_ERROR_SCANNER_NO_DOCUMENTS,
  EK_MATERIAL_ERROR_SCANNER_FAILED,
  EK_MATERIAL_ERROR_UNSUPPORTED,         /* built without SANE */
} EkMaterialError;

GQuark ek_material_error_quark (void);

G_END_DECLS
