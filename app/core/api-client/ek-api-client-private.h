/* ek-registry-client-private.h: the client's state, shared with its transport (libcurl) */
#pragma once

#include <curl/curl.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

#define EK_API_MAX_JSON     (1024 * 1024)   /* any JSON answer */
#define EK_API_MAX_CAPTCHA  (256 * 1024)    /* a captcha answer (an SVG inside) */
#define EK_API_MAX_PROBLEM  (64 * 1024)     /* a problem document */
#define EK_API_MAX_DEPTH    32              /* nesting of any JSON we accept */
#define EK_API_MAX_RETRY_AFTER 30           /* seconds: a longer Retry-After is not waited for */

struct _EkApiClient
{
  GObject        parent_instance;

  char          *base_url;
  char          *ca_file;
  char          *proxy;         /* NULL: the environment's; "": none */
  char          *language;      /* Accept-Language */
  guint          retries;
  guint          backoff_ms;
  guint          connect_timeout;
  guint          stall_timeout;
  GMainContext  *context;       /* where "session-changed" is emitted */

  char          *login_name;    /* the client's context only (see session_login_name) */

  GMutex         lock;          /* guards everything below */
  char          *token;         /* the session's bearer token: never logged, wiped on free */
  char          *session_login_name;  /* set with the token; copied to login_name in the
                                       * client's context before "session-changed" */
  char          *last_request_id;
  char          *key_certificate;         /* PEM of the last key log-in's certificate (not a
                                           * secret): how to log in again; NULL after a code log-in */
  gint64         last_server_time;        /* the last answer's Date (Unix time), 0 if none */
  gint64         last_server_time_local;  /* our clock when it came */
  guint          session_serial; /* bumped on each log-in and log-out */

  CURLSH        *share;         /* DNS cache and TLS sessions, shared by all transfers */
  GMutex         share_locks[CURL_LOCK_DATA_LAST];
  GPtrArray     *idle_lanes;    /* of Lane*: a multi + easy handle pair keeping its connections */
};

typedef struct
{
  const char             *method;
  char                   *path;             /* below base_url, already escaped */
  GBytes                 *body;             /* a JSON request body, or NULL */
  char                   *idempotency_key;
  gboolean                retryable;        /* safe to send again (idempotent, or keyed) */
  gboolean                gone_is_done;     /* a DELETE: 404 on a retry means the first one worked */
  gsize                   max_response;     /* largest answer accepted */
  gboolean                want_png;         /* the answer is a PNG image, not JSON */
  GBytes                 *png;              /* that image, once received */

  /* Uploads: the file is streamed from disk */
  GFile                  *upload;
  EkApiProgressFunc  progress;
  gpointer                progress_data;
  GDestroyNotify          progress_notify;
  GMainContext           *progress_context;
} EkApiRequest;

void      ek_api_request_free     (EkApiRequest *request);

/* Sends the request (retrying as allowed) and returns the parsed JSON of a 2xx answer, a JSON null
 * node for an answer without a body, or NULL with the mapped error */
JsonNode *ek_api_client_perform   (EkApiClient  *self,
                                        EkApiRequest *request,
                                        GCancellable      *cancellable,
                                        GError           **error);

void      ek_api_client_transport_init     (EkApiClient *self);
void      ek_api_client_transport_finalize (EkApiClient *self);

/* Clears the session (token wiped) and emits "session-changed" in the client's context */
void      ek_api_client_drop_session       (EkApiClient *self,
                                                 gboolean          notify);

/* Takes the session (token, login name) of a POST /sessions answer; FALSE on a wrong shape */
gboolean  ek_api_client_adopt_session      (EkApiClient  *self,
                                            JsonNode     *node,
                                            GError      **error);

/* ek-api-client-json.c: shared by the resource calls */
EkApiRequest *ek_api_request_new            (const char    *method,
                                             gboolean       retryable,
                                             char          *path);
void          ek_api_request_set_json       (EkApiRequest  *request,
                                             JsonNode      *root);
gboolean      ek_api_invalid_response       (GError       **error,
                                             const char    *what);
const char   *ek_api_member_string          (JsonObject    *o,
                                             const char    *name,
                                             gsize          max);
/* A string member that must be one of @choices (a NULL-terminated list) */
gboolean      ek_api_member_choice          (JsonObject    *o,
                                             const char    *name,
                                             const char * const *choices,
                                             char         **out);
gboolean      ek_api_member_optional_string (JsonObject    *o,
                                             const char    *name,
                                             gsize          max,
                                             char         **out);
gboolean      ek_api_member_int             (JsonObject    *o,
                                             const char    *name,
                                             gint64        *out);
gboolean      ek_api_member_optional_int    (JsonObject    *o,
                                             const char    *name,
                                             gint64        *out);
gboolean      ek_api_member_optional_form   (JsonObject    *o,
                                             const char    *name,
                                             JsonObject   **out);
char         *ek_api_escape_segment         (const char    *segment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiRequest, ek_api_request_free)

G_END_DECLS
