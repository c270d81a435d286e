/* ek-document.h: the filled application form and confirmation letter, as A4 PDF */
#pragma once

#include <gio/gio.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

#define EK_DOCUMENT_ERROR (ek_document_error_quark ())

typedef enum
{
  EK_DOCUMENT_ERROR_RENDER,   /* cairo could not draw or write the PDF */
  EK_DOCUMENT_ERROR_FONT,     /* the Chinese font is not installed */
} EkDocumentError;

GQuark ek_document_error_quark (void);

typedef enum
{
  EK_DOCUMENT_APPLICATION_FORM  = 1 << 0,  /* 《进出口企业电子钥匙与电子认证证书办理申请表》 */
  EK_DOCUMENT_SEAL_CONFIRMATION = 1 << 1,  /* 《电子签章申请确认函》 */
  EK_DOCUMENT_VISIT_CHECKLIST   = 1 << 2,  /* what a counter business takes to the issuing authority */
  EK_DOCUMENT_ALL               = EK_DOCUMENT_APPLICATION_FORM | EK_DOCUMENT_SEAL_CONFIRMATION,
} EkDocumentKind;

/* The font the forms are set in; its package is fonts-noto-cjk */
#define EK_DOCUMENT_FONT "Noto Sans CJK SC"

gboolean ek_document_render_pdf         (EkApplicationDraft   *draft,
                                         EkDocumentKind        kinds,
                                         const char           *path,
                                         GCancellable         *cancellable,
                                         GError              **error);
void     ek_document_render_pdf_async   (EkApplicationDraft   *draft,
                                         EkDocumentKind        kinds,
                                         const char           *path,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean ek_document_render_pdf_finish  (GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
