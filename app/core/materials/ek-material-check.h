/* ek-material-check.h: what is wrong with a material file, in the order a clerk should fix it
 *
 * Order: empty; the real format from the bytes (whatever the name says); the dimensions from
 * the header, refusing decompression bombs before anything is allocated; a full decode
 * (truncated or corrupt data); the size against the material's limit.
 */
#pragma once

#include <gio/gio.h>

#include "ek-image.h"
#include "ek-material-error.h"

G_BEGIN_DECLS

/* Limits for one material, from the rule set in the catalogue */
typedef struct
{
  guint64  max_bytes;      /* largest allowed file; 0 = no limit */
  guint    formats;        /* bit mask of 1 << EkImageFormat */
  guint64  max_pixels;
  guint    max_width;
  guint    max_height;
} EkMaterialLimits;

#define EK_MATERIAL_DEFAULT_MAX_PIXELS  60000000  /* an A3 page at 600 DPI is 70 MP; 60 MP is plenty */

void        ek_material_limits_init_default  (EkMaterialLimits *limits);

typedef struct
{
  EkMaterialError  code;
  char            *message;
} EkMaterialProblem;

typedef struct
{
  char          *path;
  EkImageInfo    info;
  guint64        bytes;
  GPtrArray     *problems;   /* of EkMaterialProblem */
} EkMaterialReport;

const char        *ek_material_problem_code_to_string (EkMaterialError         code);
gboolean           ek_material_report_is_ok           (const EkMaterialReport *report);
gboolean           ek_material_report_has             (const EkMaterialReport *report,
                                                       EkMaterialError         code);
gboolean           ek_material_report_fixable         (const EkMaterialReport *report);
void               ek_material_report_free            (EkMaterialReport       *report);

EkMaterialReport  *ek_material_check_bytes            (GBytes                 *bytes,
                                                       const EkMaterialLimits *limits,
                                                       GCancellable           *cancellable);
EkMaterialReport  *ek_material_check_file             (const char             *path,
                                                       const EkMaterialLimits *limits,
                                                       GCancellable           *cancellable,
                                                       GError                **error);
void               ek_material_check_file_async       (const char             *path,
                                                       const EkMaterialLimits *limits,
                                                       GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
EkMaterialReport  *ek_material_check_file_finish      (GAsyncResult           *result,
                                                       GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkMaterialReport, ek_material_report_free)

G_END_DECLS
