/* ek-registry-server-private.h: what the parts of EkRegistryServer share
 *
 * ek-registry-server.c   set-up, dispatch, streaming hooks, request log
 * ek-registry-requests.c problems, languages, JSON bodies, field checks, sessions, idempotency
 * ek-registry-accounts.c catalogue, captcha, accounts, sessions (code and key log-in)
 * ek-registry-applications.c applications, their materials, uploads
 * ek-registry-seals.c    seal requests (form, letter, review), seals with their image and bindings
 * ek-registry-mobile.c   mobile authorisations and the phone certificates they lead to
 * ek-registry-renewals.c the issuing CA, key log-in certificates, renewal eligibility and issuance
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "ek-catalogue.h"
#include "ek-registry-connections.h"
#include "ek-registry-db.h"
#include "ek-registry-json.h"
#include "ek-registry-renewals.h"
#include "ek-registry-review.h"
#include "ek-registry-server.h"
#include "ek-validators.h"

#define API_PREFIX "/api/v1"
#define PROBLEM_BASE "https://ekeyassistant.org/problems/"
#define MAX_TEXT_CHARS 500

G_BEGIN_DECLS

struct _EkRegistryServer
{
  GObject parent_instance;

  EkRegistryConfig            config;
  SoupServer                 *soup;
  EkRegistryConnections      *connections;
  EkRegistryDb               *db;
  char                       *files_dir;
  char                       *tmp_dir;
  char                       *catalogue_json;
  EkCatalogue                *catalogue;
  JsonObject                 *limits;          /* the rule set's "limits" */
  JsonObject                 *rule_business;   /* the rule set's "business_types", or NULL */
  gboolean                    rules_from_catalogue;
  gnutls_x509_trust_list_t    trust;
  GHashTable                 *rate;            /* "bucket address" → RateWindow */
  guint64                     request_counter;
  gnutls_x509_crt_t           issuing_ca;      /* renewal: NULL when the service does not issue */
  gnutls_privkey_t            issuing_key;
  char                       *issuing_ca_pem;
};

/* Problems: stable type, status, title and a detail in both languages */
typedef enum
{
  PROBLEM_MALFORMED_JSON,
  PROBLEM_BODY_TOO_LARGE,
  PROBLEM_VALIDATION,
  PROBLEM_UNAUTHORIZED,
  PROBLEM_SESSION_EXPIRED,
  PROBLEM_NOT_FOUND,
  PROBLEM_METHOD_NOT_ALLOWED,
  PROBLEM_INVALID_TRANSITION,
  PROBLEM_NOT_EDITABLE,
  PROBLEM_CAPTCHA,
  PROBLEM_LOGIN_FAILED,
  PROBLEM_NOT_ACTIVATED,
  PROBLEM_RATE_LIMITED,
  PROBLEM_IDEMPOTENCY_KEY_MISSING,
  PROBLEM_IDEMPOTENCY_KEY_REUSED,
  PROBLEM_UPLOAD_TOO_LARGE,
  PROBLEM_UNSUPPORTED_FORMAT,
  PROBLEM_DAMAGED_IMAGE,
  PROBLEM_IMAGE_DIMENSIONS,
  PROBLEM_KEY_LOGIN_REQUIRED,
  PROBLEM_KEY_LOGIN_FAILED,
  PROBLEM_KEY_LOGIN_UNAVAILABLE,
  PROBLEM_LOGIN_NAME_TAKEN,
  PROBLEM_ACTIVATION_FAILED,
  PROBLEM_MISSING_MATERIALS,
  PROBLEM_CERTIFICATE_NOT_ISSUED,
  PROBLEM_CERTIFICATE_EXPIRED,
  PROBLEM_CERTIFICATE_REVOKED,
  PROBLEM_RENEWAL_NOT_ELIGIBLE,
  PROBLEM_RENEWAL_UNAVAILABLE,
  PROBLEM_WRONG_KEY,
  PROBLEM_CERTIFICATE_ALREADY_ISSUED,
  PROBLEM_SEAL_EXISTS,
  PROBLEM_NO_SEAL,
  PROBLEM_REQUEST_OPEN,
  PROBLEM_ALREADY_BOUND,
  PROBLEM_NOTHING_TO_REBIND,
  PROBLEM_MOBILE_NOT_AUTHORIZED,
  PROBLEM_MOBILE_ALREADY_AUTHORIZED,
  PROBLEM_INTERNAL,
  /* hardening: the request decoder, the database, the access model */
  PROBLEM_JSON_TOO_DEEP,
  PROBLEM_JSON_NUL,
  PROBLEM_UNSUPPORTED_MEDIA_TYPE,
  PROBLEM_SERVICE_BUSY,
  PROBLEM_BAD_REQUEST,
  PROBLEM_NOT_IMPLEMENTED,
  PROBLEM_NONE,   /* not a problem: never answered */
} Problem;

typedef struct
{
  EkRegistryServer  *self;
  SoupServerMessage *msg;
  const char        *method;
  char             **seg;
  guint              n_seg;
  const char        *lang;
  JsonNode          *body_node;
  JsonObject        *body;
  /* session */
  gboolean           authed;
  gint64             enterprise_id;
  char              *account_id;
  char              *auth_method;
  char              *login_name;
  char              *code13;
  char              *token_hash;
  gboolean           enterprise_wide;   /* a key session, or an account the enterprise vouched for */
} Request;

typedef enum
{
  FIELD_TEXT,
  FIELD_USCC,
  FIELD_CODE13,
  FIELD_RESIDENT_ID,
  FIELD_ID_TYPE,
  FIELD_MOBILE,
  FIELD_LANDLINE,
  FIELD_POSTCODE,
  FIELD_EMAIL,
  FIELD_LICENCE_TYPE,
  FIELD_LOGIN_NAME,
  FIELD_CHOICE,
  FIELD_OBJECT,
} FieldKind;

typedef struct
{
  const char         *name;
  FieldKind           kind;
  gboolean            required;
  const char * const *choices;
} FieldSpec;

typedef struct
{
  char    *key;
  char    *fingerprint;
  gboolean done;   /* a stored answer was replayed, or a problem was sent */
} Idempotency;

typedef struct
{
  EkRegistryServer *self;
  char             *tmp_path;
  int               fd;
  guint64           received;
  guint64           limit;
  gboolean          too_large;
  gboolean          write_failed;
  gboolean          kept;          /* renamed into place */
} Upload;

typedef struct
{
  char   *file;       /* name inside files_dir */
  char   *sha256;
  char   *content_type;
  gsize   size;
  guint   width;
  guint   height;
} StoredFile;

extern const char * const ek_registry_fallback_materials[];

void
ek_registry_request_clear (Request *req);

gint64
ek_registry_now (void);

const char *
ek_registry_pick_language (SoupServerMessage *msg);

void
ek_registry_set_json_response (SoupServerMessage *msg,
                               guint              status,
                               const char        *content_type,
                               JsonNode          *node);

JsonNode *
ek_registry_problem_node (SoupServerMessage *msg,
                          const char        *lang,
                          Problem            problem,
                          const char        *detail,
                          JsonArray         *errors);

void
ek_registry_respond_problem_msg (SoupServerMessage *msg,
                                 const char        *lang,
                                 Problem            problem,
                                 JsonArray         *errors);

void
ek_registry_respond_problem (Request   *req,
                             Problem    problem,
                             JsonArray *errors);

void
ek_registry_respond_db_error (Request      *req,
                              const GError *error);

void
ek_registry_respond_json (Request  *req,
                          guint     status,
                          JsonNode *node);

void
ek_registry_add_problem_error (Request        *req,
                               JsonArray      *errors,
                               const char     *field,
                               EkFieldProblem  problem);

void
ek_registry_add_text_error (Request    *req,
                            JsonArray  *errors,
                            const char *field,
                            const char *code,
                            const char *en,
                            const char *zh);

gboolean
ek_registry_is_code13 (const char *text);

void
ek_registry_check_fields (Request         *req,
                          JsonObject      *object,
                          const FieldSpec *specs,
                          const char      *prefix,
                          gboolean         enforce_required,
                          JsonArray       *errors);

const char *
ek_registry_get_string (JsonObject *object,
                        const char *name);

gboolean
ek_registry_parse_body (Request *req);

gboolean
ek_registry_check_top_level (Request          *req,
                             const char * const *allowed,
                             JsonArray        *errors);

gboolean
ek_registry_finish_validation (Request   *req,
                               JsonArray *errors);

gboolean
ek_registry_rate_allow (Request    *req,
                        const char *bucket);

char *
ek_registry_sha256_hex (const void *data,
                        gsize       len);

char *
ek_registry_random_hex (guint n_bytes);

gboolean
ek_registry_require_session (Request *req);

gboolean
ek_registry_require_key_session (Request *req);

void
ek_registry_idempotency_clear (Idempotency *idem);

void
ek_registry_idempotency_begin (Request     *req,
                               Idempotency *idem);

gboolean
ek_registry_idempotency_store (Request     *req,
                               Idempotency *idem,
                               guint        status,
                               const char  *location,
                               JsonNode    *answer,
                               GError     **error);

JsonNode *
ek_registry_parse_json_text (const char *text);

void
ek_registry_respond_account (Request    *req,
                             const char *account_id,
                             guint       status);

/* Activation codes (ek-registry-activation.c) */
char *
ek_registry_new_activation_code (void);

void
ek_registry_send_activation_code (EkRegistryDb *db,
                                  const char   *email,
                                  const char   *login_name,
                                  const char   *code);

void
ek_registry_handle_activation (Request *req);

void
ek_registry_handle_activation_code (Request *req);

GBytes *
ek_registry_captcha_png (const char *answer);

void
ek_registry_handle_catalogue (Request *req);

void
ek_registry_handle_captcha (Request *req);

void
ek_registry_handle_accounts (Request *req);

void
ek_registry_handle_sessions (Request *req);

void
ek_registry_handle_applications (Request *req);

void
ek_registry_upload_free (Upload *upload);

void
ek_registry_stored_file_clear (StoredFile *stored);

gboolean
ek_registry_accept_upload (Request    *req,
                           StoredFile *stored);

void
ek_registry_discard_file (EkRegistryServer *self,
                          const char       *file);

JsonNode *
ek_registry_select_one (EkRegistryDb *db,
                        const char   *sql,
                        const char   *id,
                        gint64        enterprise_id,
                        JsonNode   *(*to_node) (sqlite3_stmt *));

JsonNode *
ek_registry_select_all (EkRegistryDb *db,
                        const char   *sql,
                        gint64        enterprise_id,
                        JsonNode   *(*to_node) (sqlite3_stmt *));

/* ek-registry-mobile.c */
/* The access model (ek-registry-access.c) */
gboolean
ek_registry_application_visible (Request    *req,
                                 const char *application_id,
                                 char      **status);

JsonNode *
ek_registry_visible_applications (Request *req,
                                  JsonNode *(*to_node) (EkRegistryServer *self, const char *id));

gboolean
ek_registry_account_visible (Request    *req,
                             const char *account_id);

void
ek_registry_notify_new_login (Request    *req,
                              gint64      enterprise_id,
                              const char *new_account_id,
                              const char *login_name);

void
ek_registry_handle_vouch (Request    *req,
                          const char *account_id);

void
ek_registry_handle_mobile_authorizations (Request *req);

/* ek-registry-seals.c */
void
ek_registry_handle_seal_requests (Request *req);

void
ek_registry_handle_seals (Request *req);

GBytes *
ek_registry_render_seal_image (const char  *name,
                               GError     **error);

/* ek-registry-renewals.c */
gboolean
ek_registry_renewals_setup (EkRegistryServer        *self,
                            const EkRegistryConfig  *config,
                            GError                 **error);

void
ek_registry_renewals_clear (EkRegistryServer *self);

gboolean
ek_registry_certificate_identity (gnutls_x509_crt_t   crt,
                                  char              **uscc,
                                  char              **code13,
                                  char              **login_name);

char *
ek_registry_certificate_sha256 (gnutls_x509_crt_t crt);

Problem
ek_registry_key_certificate_problem (Request           *req,
                                     gnutls_x509_crt_t  crt);

gboolean
ek_registry_business_allows_session (Request    *req,
                                     const char *business_type);

gboolean
ek_registry_renewal_may_create (Request    *req,
                                const char *business_type);

void
ek_registry_renewal_bind (Request    *req,
                          const char *application_id,
                          const char *business_type);

void
ek_registry_handle_renewal_eligibility (Request *req);

void
ek_registry_handle_renewal_certificate (Request    *req,
                                        const char *application_id,
                                        const char *status);

G_END_DECLS
