/* ek-application-draft.h: one application in progress, the model every page binds to */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EK_DRAFT_ERROR (ek_draft_error_quark ())

typedef enum
{
  EK_DRAFT_ERROR_PARSE,      /* not JSON: the file is damaged */
  EK_DRAFT_ERROR_INVALID,    /* JSON, but not a draft */
  EK_DRAFT_ERROR_VERSION,    /* a draft from a newer version of the application */
  EK_DRAFT_ERROR_DAMAGED,    /* a saved draft could not be read and was set aside */
  EK_DRAFT_ERROR_NOT_FOUND,  /* no draft with that id */
} EkDraftError;

GQuark ek_draft_error_quark (void);

/* The version of the JSON a draft is saved as */
#define EK_APPLICATION_DRAFT_FORMAT 1

/* Values of the "licence-type" field */
#define EK_LICENCE_NON_ELECTROMECHANICAL "non-electromechanical"
#define EK_LICENCE_ELECTROMECHANICAL     "electromechanical"
#define EK_LICENCE_USED_CAR_EXPORT       "used-car-export"

/* Values of the "*-id-type" fields */
#define EK_ID_TYPE_RESIDENT_ID "resident-id"
#define EK_ID_TYPE_OFFICER_ID  "officer-id"
#define EK_ID_TYPE_SOLDIER_ID  "soldier-id"
#define EK_ID_TYPE_PASSPORT    "passport"
#define EK_ID_TYPE_OTHER       "other"

typedef struct
{
  const char *name;        /* the property name, and the key in the saved JSON */
  GType       type;        /* G_TYPE_STRING or G_TYPE_BOOLEAN */
  gboolean    sensitive;   /* an ID number: never logged, masked when shown */
  gboolean    server;      /* set from the server's answers, not typed by the clerk */
} EkDraftField;

#define EK_TYPE_APPLICATION_DRAFT (ek_application_draft_get_type ())
G_DECLARE_FINAL_TYPE (EkApplicationDraft, ek_application_draft, EK, APPLICATION_DRAFT, GObject)

EkApplicationDraft *ek_application_draft_new                   (void);
EkApplicationDraft *ek_application_draft_new_with_id           (const char         *id);
EkApplicationDraft *ek_application_draft_new_from_json         (const char         *data,
                                                                gssize              length,
                                                                GError            **error);
char               *ek_application_draft_to_json               (EkApplicationDraft *self,
                                                                gsize              *length);
const char         *ek_application_draft_get_id                (EkApplicationDraft *self);
char               *ek_application_draft_dup_directory         (EkApplicationDraft *self,
                                                                GError            **error);
char               *ek_application_draft_dup_subdirectory      (EkApplicationDraft *self,
                                                                const char         *name,
                                                                GError            **error);
const char         *ek_application_draft_get_business_type_id  (EkApplicationDraft *self);
gboolean            ek_application_draft_set_business_type_id  (EkApplicationDraft *self,
                                                                const char         *id);
gboolean            ek_application_draft_get_business_type_fixed (EkApplicationDraft *self);
gint64              ek_application_draft_get_modified          (EkApplicationDraft *self);
const char         *ek_application_draft_get_step              (EkApplicationDraft *self);
void                ek_application_draft_set_step              (EkApplicationDraft *self,
                                                                const char         *step);

/* The server's messages on fields (problem+json errors[]): transient, never saved. A form
 * page shows one on its field like a local error until the field is edited. */
void                ek_application_draft_set_server_error      (EkApplicationDraft *self,
                                                                const char         *field,
                                                                const char         *message);
const char         *ek_application_draft_get_server_error      (EkApplicationDraft *self,
                                                                const char         *field);
char              **ek_application_draft_dup_server_error_fields (EkApplicationDraft *self);
void                ek_application_draft_clear_server_errors   (EkApplicationDraft *self);

const EkDraftField *ek_application_draft_get_fields            (guint              *n_fields);
gboolean            ek_application_draft_has_answers           (EkApplicationDraft *self);
const EkDraftField *ek_application_draft_lookup_field          (const char         *name);
const char         *ek_application_draft_get_string            (EkApplicationDraft *self,
                                                                const char         *name);
void                ek_application_draft_set_string            (EkApplicationDraft *self,
                                                                const char         *name,
                                                                const char         *value);
gboolean            ek_application_draft_get_boolean           (EkApplicationDraft *self,
                                                                const char         *name);
void                ek_application_draft_set_boolean           (EkApplicationDraft *self,
                                                                const char         *name,
                                                                gboolean            value);

char               *ek_mask_id_number                          (const char         *number);

G_END_DECLS
