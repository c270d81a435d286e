/* ek-registry-types.h: what the registration API answers, parsed and checked before use
 *
 * Nothing the service sends is trusted: each parser checks the JSON's shape (types, required
 * members, sane values) and fails with EK_REGISTRY_ERROR_INVALID_RESPONSE instead of handing a
 * half-filled model to the pages.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

#define EK_REGISTRY_ERROR (ek_registry_error_quark ())

typedef enum
{
  EK_REGISTRY_ERROR_UNREACHABLE,      /* DNS / connection refused / proxy unreachable */
  EK_REGISTRY_ERROR_TLS,              /* certificate not trusted, handshake failure */
  EK_REGISTRY_ERROR_TIMEOUT,
  EK_REGISTRY_ERROR_DROPPED,          /* connection lost mid-request or mid-upload */
  EK_REGISTRY_ERROR_SERVER,           /* 5xx after retries */
  EK_REGISTRY_ERROR_INVALID_RESPONSE, /* too large, not JSON, wrong shape */
  EK_REGISTRY_ERROR_SESSION_EXPIRED,  /* problems/session-expired or 401 with a session: log in again */
  EK_REGISTRY_ERROR_PROBLEM,          /* any other problem+json: see ek_registry_error_get_problem() */
} EkRegistryError;
/* Cancellation is G_IO_ERROR_CANCELLED. */

GQuark ek_registry_error_quark (void);

/* Any JSON answer: checks size, UTF-8 and nesting, then parses; NULL with
 * EK_REGISTRY_ERROR_INVALID_RESPONSE */
JsonNode *ek_registry_parse_json (const char  *data,
                                  gsize        length,
                                  GError     **error);

/* One entry of a problem's "errors" */
typedef struct
{
  char *field;     /* as the API names it: "fields/postcode", "materials/id-card", "captcha_answer" */
  char *code;      /* stable: "postcode", "required", "missing", "captcha"… */
  char *message;   /* localized by the service (Accept-Language) */
} EkRegistryFieldError;

/* application/problem+json (RFC 9457), attached to a GError (EK_REGISTRY_ERROR_PROBLEM,
 * EK_REGISTRY_ERROR_SESSION_EXPIRED or EK_REGISTRY_ERROR_SERVER) as an extended error */
typedef struct
{
  char      *type_slug;        /* "validation", "captcha", "login-failed"… (after /problems/) */
  int        status;
  char      *title;
  char      *detail;
  char      *request_id;
  char      *detected_format;  /* 415 only, or NULL */
  GPtrArray *field_errors;     /* of EkRegistryFieldError*, never NULL */
} EkRegistryProblem;

/* NULL if the error carries no problem */
const EkRegistryProblem    *ek_registry_error_get_problem          (const GError       *error);
/* The message of the first field error for that API field ("fields/postcode"), or NULL */
const EkRegistryFieldError *ek_registry_problem_lookup_field       (const EkRegistryProblem *problem,
                                                                    const char         *api_field);
/* Parses a problem document; NULL with EK_REGISTRY_ERROR_INVALID_RESPONSE on a wrong shape */
EkRegistryProblem          *ek_registry_problem_new_from_json      (JsonNode           *node,
                                                                    GError            **error);
/* Attaches a problem to an EK_REGISTRY_ERROR (for the client and its tests) */
void                        ek_registry_error_take_problem         (GError             *error,
                                                                    EkRegistryProblem  *problem);
EkRegistryProblem          *ek_registry_problem_copy               (const EkRegistryProblem *problem);
void                        ek_registry_problem_free               (EkRegistryProblem  *problem);

/* The draft's field names <-> the API's: "postcode" <-> "postcode", "credit-code" <-> "uscc",
 * "legal-rep-id-number" <-> "legal_representative_id_number", … (all of ApplicationFields that
 * the draft has) */
JsonObject *ek_registry_fields_from_draft          (EkApplicationDraft *draft);  /* only non-empty fields */
void        ek_registry_fields_to_draft            (JsonObject         *fields,
                                                    EkApplicationDraft *draft);
/* "fields/postcode" or "postcode" -> "postcode"; "fields/uscc" -> "credit-code"; NULL if unknown */
const char *ek_registry_draft_field_for_api_field  (const char         *api_field);
/* "credit-code" -> "uscc"; NULL if the API has no such field */
const char *ek_registry_api_field_for_draft_field  (const char         *draft_field);

/* A captcha: the SVG to show, its id to send back with the answer */
typedef struct
{
  char   *id;
  GBytes *svg;
  gint64  expires_at;   /* Unix time */
} EkRegistryCaptcha;

#define EK_TYPE_REGISTRY_CAPTCHA (ek_registry_captcha_get_type ())
GType              ek_registry_captcha_get_type       (void) G_GNUC_CONST;
EkRegistryCaptcha *ek_registry_captcha_new_from_json  (JsonNode          *node,
                                                       GError           **error);
EkRegistryCaptcha *ek_registry_captcha_copy           (const EkRegistryCaptcha *captcha);
void               ek_registry_captcha_free           (EkRegistryCaptcha *captcha);

/* One stage of an application's timeline */
typedef struct
{
  char   *status;   /* "submitted", "pre-review-failed"… */
  char   *remark;   /* the reviewer's remark, or NULL */
  gint64  at;       /* Unix time */
} EkRegistryEvent;

void ek_registry_event_free (EkRegistryEvent *event);

/* An application as the service holds it (boxed, reference counted, immutable) */
typedef struct _EkRegistryApplication EkRegistryApplication;

#define EK_TYPE_REGISTRY_APPLICATION (ek_registry_application_get_type ())
GType                  ek_registry_application_get_type           (void) G_GNUC_CONST;
EkRegistryApplication *ek_registry_application_new_from_json      (JsonNode              *node,
                                                                   GError               **error);
EkRegistryApplication *ek_registry_application_ref                (EkRegistryApplication *self);
void                   ek_registry_application_unref              (EkRegistryApplication *self);
const char            *ek_registry_application_get_id             (EkRegistryApplication *self);
char                  *ek_registry_application_dup_number         (EkRegistryApplication *self);
const char            *ek_registry_application_get_business_type  (EkRegistryApplication *self);
const char            *ek_registry_application_get_status         (EkRegistryApplication *self);
gboolean               ek_registry_application_get_editable       (EkRegistryApplication *self);
JsonObject            *ek_registry_application_get_fields         (EkRegistryApplication *self);
gint64                 ek_registry_application_get_created_at     (EkRegistryApplication *self);
gint64                 ek_registry_application_get_updated_at     (EkRegistryApplication *self);
GPtrArray             *ek_registry_application_get_timeline       (EkRegistryApplication *self); /* of EkRegistryEvent* */
const char * const    *ek_registry_application_get_materials      (EkRegistryApplication *self); /* kinds uploaded */
gboolean               ek_registry_application_has_material       (EkRegistryApplication *self,
                                                                   const char            *kind);
/* Parses an array of applications; a GPtrArray of EkRegistryApplication* (unref on free) */
GPtrArray             *ek_registry_applications_new_from_json     (JsonNode              *node,
                                                                   GError               **error);

/* An uploaded material, as the service checked and stored it */
typedef struct
{
  char   *kind;
  char   *content_type;   /* image/png, image/jpeg or image/gif */
  gint64  size;
  char   *sha256;         /* 64 lowercase hex digits */
  int     width;
  int     height;
  gint64  uploaded_at;
} EkRegistryMaterial;

#define EK_TYPE_REGISTRY_MATERIAL (ek_registry_material_get_type ())
GType               ek_registry_material_get_type       (void) G_GNUC_CONST;
EkRegistryMaterial *ek_registry_material_new_from_json  (JsonNode           *node,
                                                         GError            **error);
EkRegistryMaterial *ek_registry_material_copy           (const EkRegistryMaterial *material);
void                ek_registry_material_free           (EkRegistryMaterial *material);
/* Parses an array of materials; a GPtrArray of EkRegistryMaterial* (freed with it) */
GPtrArray          *ek_registry_materials_new_from_json (JsonNode           *node,
                                                         GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryProblem, ek_registry_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryCaptcha, ek_registry_captcha_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryEvent, ek_registry_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryApplication, ek_registry_application_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryMaterial, ek_registry_material_free)

G_END_DECLS
