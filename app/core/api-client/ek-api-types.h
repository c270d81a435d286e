/* ek-registry-types.h: what the registration API answers, parsed and checked before use
 *
 * Nothing the service sends is trusted: each parser checks the JSON's shape (types, required
 * members, sane values) and fails with EK_API_ERROR_INVALID_RESPONSE instead of handing a
 * half-filled model to the pages.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

#define EK_API_ERROR (ek_api_error_quark ())

typedef enum
{
  EK_API_ERROR_UNREACHABLE,      /* DNS / connection refused / proxy unreachable */
  EK_API_ERROR_TLS,              /* certificate not trusted, handshake failure */
  EK_API_ERROR_TIMEOUT,
  EK_API_ERROR_DROPPED,          /* connection lost mid-request or mid-upload */
  EK_API_ERROR_SERVER,           /* 5xx after retries */
  EK_API_ERROR_INVALID_RESPONSE, /* too large, not JSON, wrong shape */
  EK_API_ERROR_SESSION_EXPIRED,  /* problems/session-expired or 401 with a session: log in again */
  EK_API_ERROR_PROBLEM,          /* any other problem+json: see ek_api_error_get_problem() */
} EkApiError;
/* Cancellation is G_IO_ERROR_CANCELLED. */

GQuark ek_api_error_quark (void);

/* Any JSON answer: checks size, UTF-8 and nesting, then parses; NULL with
 * EK_API_ERROR_INVALID_RESPONSE */
JsonNode *ek_api_parse_json (const char  *data,
                                  gsize        length,
                                  GError     **error);

/* One entry of a problem's "errors" */
typedef struct
{
  char *field;     /* as the API names it: "fields/postcode", "materials/id-card", "captcha_answer" */
  char *code;      /* stable: "postcode", "required", "missing", "captcha"… */
  char *message;   /* localized by the service (Accept-Language) */
} EkApiFieldError;

/* application/problem+json (RFC 9457), attached to a GError (EK_API_ERROR_PROBLEM,
 * EK_API_ERROR_SESSION_EXPIRED or EK_API_ERROR_SERVER) as an extended error */
typedef struct
{
  char      *type_slug;        /* "validation", "captcha", "login-failed"… (after /problems/) */
  int        status;
  char      *title;
  char      *detail;
  char      *request_id;
  char      *detected_format;  /* 415 only, or NULL */
  GPtrArray *field_errors;     /* of EkApiFieldError*, never NULL */
} EkApiProblem;

/* NULL if the error carries no problem */
const EkApiProblem    *ek_api_error_get_problem          (const GError       *error);
/* The message of the first field error for that API field ("fields/postcode"), or NULL */
const EkApiFieldError *ek_api_problem_lookup_field       (const EkApiProblem *problem,
                                                                    const char         *api_field);
/* Parses a problem document; NULL with EK_API_ERROR_INVALID_RESPONSE on a wrong shape */
EkApiProblem          *ek_api_problem_new_from_json      (JsonNode           *node,
                                                                    GError            **error);
/* Attaches a problem to an EK_API_ERROR (for the client and its tests) */
void                        ek_api_error_take_problem         (GError             *error,
                                                                    EkApiProblem  *problem);
EkApiProblem          *ek_api_problem_copy               (const EkApiProblem *problem);
void                        ek_api_problem_free               (EkApiProblem  *problem);

/* The draft's field names <-> the API's: "postcode" <-> "postcode", "credit-code" <-> "uscc",
 * "legal-rep-id-number" <-> "legal_representative_id_number", … (all of ApplicationFields that
 * the draft has) */
JsonObject *ek_api_fields_from_draft          (EkApplicationDraft *draft);  /* only non-empty fields */
void        ek_api_fields_to_draft            (JsonObject         *fields,
                                                    EkApplicationDraft *draft);
/* "fields/postcode" or "postcode" -> "postcode"; "fields/uscc" -> "credit-code"; NULL if unknown */
const char *ek_api_draft_field_for_api_field  (const char         *api_field);
/* "credit-code" -> "uscc"; NULL if the API has no such field */
const char *ek_api_field_for_draft_field  (const char         *draft_field);

/* A captcha: the picture to show, its id to send back with the answer */
typedef struct
{
  char   *id;
  GBytes *image;   /* a PNG (or an SVG from another provider), for GdkTexture */
  gint64  expires_at;   /* Unix time */
} EkApiCaptcha;

#define EK_TYPE_API_CAPTCHA (ek_api_captcha_get_type ())
GType              ek_api_captcha_get_type       (void) G_GNUC_CONST;
EkApiCaptcha *ek_api_captcha_new_from_json  (JsonNode          *node,
                                                       GError           **error);
EkApiCaptcha *ek_api_captcha_copy           (const EkApiCaptcha *captcha);
void               ek_api_captcha_free           (EkApiCaptcha *captcha);

/* One stage of an application's timeline */
typedef struct
{
  char   *status;   /* "submitted", "pre-review-failed"… */
  char   *remark;   /* the reviewer's remark, or NULL */
  gint64  at;       /* Unix time */
} EkApiEvent;

void ek_api_event_free (EkApiEvent *event);

/* An application as the service holds it (boxed, reference counted, immutable) */
typedef struct _EkApiApplication EkApiApplication;

#define EK_TYPE_API_APPLICATION (ek_api_application_get_type ())
GType                  ek_api_application_get_type           (void) G_GNUC_CONST;
EkApiApplication *ek_api_application_new_from_json      (JsonNode              *node,
                                                                   GError               **error);
EkApiApplication *ek_api_application_ref                (EkApiApplication *self);
void                   ek_api_application_unref              (EkApiApplication *self);
const char            *ek_api_application_get_id             (EkApiApplication *self);
char                  *ek_api_application_dup_number         (EkApiApplication *self);
const char            *ek_api_application_get_business_type  (EkApiApplication *self);
const char            *ek_api_application_get_status         (EkApiApplication *self);
gboolean               ek_api_application_get_editable       (EkApiApplication *self);
JsonObject            *ek_api_application_get_fields         (EkApiApplication *self);
gint64                 ek_api_application_get_created_at     (EkApiApplication *self);
gint64                 ek_api_application_get_updated_at     (EkApiApplication *self);
GPtrArray             *ek_api_application_get_timeline       (EkApiApplication *self); /* of EkApiEvent* */
const char * const    *ek_api_application_get_materials      (EkApiApplication *self); /* kinds uploaded */
gboolean               ek_api_application_has_material       (EkApiApplication *self,
                                                                   const char            *kind);
/* Parses an array of applications; a GPtrArray of EkApiApplication* (unref on free) */
GPtrArray             *ek_api_applications_new_from_json     (JsonNode              *node,
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
} EkApiMaterial;

#define EK_TYPE_API_MATERIAL (ek_api_material_get_type ())
GType               ek_api_material_get_type       (void) G_GNUC_CONST;
EkApiMaterial *ek_api_material_new_from_json  (JsonNode           *node,
                                                         GError            **error);
EkApiMaterial *ek_api_material_copy           (const EkApiMaterial *material);
void                ek_api_material_free           (EkApiMaterial *material);
/* Parses an array of materials; a GPtrArray of EkApiMaterial* (freed with it) */
GPtrArray          *ek_api_materials_new_from_json (JsonNode           *node,
                                                         GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiProblem, ek_api_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiCaptcha, ek_api_captcha_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiEvent, ek_api_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiApplication, ek_api_application_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiMaterial, ek_api_material_free)

G_END_DECLS
