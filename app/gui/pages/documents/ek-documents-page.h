/* ek-documents-page.h: the documents step: the application is sent, then its forms printed */
#pragma once

#include "ek-page.h"

G_BEGIN_DECLS

#define EK_TYPE_DOCUMENTS_PAGE (ek_documents_page_get_type ())
G_DECLARE_FINAL_TYPE (EkDocumentsPage, ek_documents_page, EK, DOCUMENTS_PAGE, EkPage)

EkPage     *ek_documents_page_new       (EkApplicationDraft *draft);
/* "sending", "error", "fields", "rendering" or "ready" */
const char *ek_documents_page_get_state (EkDocumentsPage    *self);
char       *ek_documents_page_dup_pdf   (EkDocumentsPage    *self,
                                         guint               index);
void        ek_documents_page_retry     (EkDocumentsPage    *self);
/* Whether form @index (0 the application form, 1 the confirmation letter) is offered */
gboolean    ek_documents_page_offers    (EkDocumentsPage    *self,
                                         guint               index);
char       *ek_documents_page_default_name (EkDocumentsPage *self,
                                            guint            index);

gboolean    ek_documents_page_print     (EkDocumentsPage          *self,
                                         guint                     index,
                                         GtkPrintOperationAction   action,
                                         const char               *export_path,
                                         GError                  **error);


gboolean     ek_documents_page_save_copy     (EkDocumentsPage  *self,
                                              guint             index,
                                              GFile            *target,
                                              GError          **error);

G_END_DECLS
