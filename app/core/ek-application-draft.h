/* ek-application-draft.h: one application in progress, the model every page binds to */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EK_TYPE_APPLICATION_DRAFT (ek_application_draft_get_type ())
G_DECLARE_FINAL_TYPE (EkApplicationDraft, ek_application_draft, EK, APPLICATION_DRAFT, GObject)

EkApplicationDraft *ek_application_draft_new                   (void);
EkApplicationDraft *ek_application_draft_new_with_id           (const char         *id);
const char         *ek_application_draft_get_id                (EkApplicationDraft *self);
char               *ek_application_draft_dup_directory         (EkApplicationDraft *self,
                                                                GError            **error);
const char         *ek_application_draft_get_business_type_id  (EkApplicationDraft *self);
void                ek_application_draft_set_business_type_id  (EkApplicationDraft *self,
                                                                const char         *id);

G_END_DECLS
