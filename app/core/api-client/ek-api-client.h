/* ek-registry-client.h: one client for the whole registration API (libcurl + json-glib)
 *
 * Every call runs on a GTask worker thread (_async/_finish, GCancellable: a cancel aborts the
 * transfer within a fraction of a second). Connections, DNS and TLS sessions are shared between
 * calls. TLS verification is always on (the CA file from settings or the environment, the system
 * store otherwise) and only https:// is accepted. Each request carries an X-Request-Id; error
 * messages end with it so the helpdesk can find the request. Idempotent calls, and create/submit
 * with their idempotency keys, are retried with backoff on dropped connections, 5xx and 429
 * (honouring Retry-After); nothing else is ever sent twice.
 *
 * Errors are EK_API_ERROR (see ek-registry-types.h) or G_IO_ERROR_CANCELLED.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-application-draft.h"
#include "ek-api-types.h"

G_BEGIN_DECLS

/* Upload progress, called in the caller's main context (the thread-default one when the call
 * was started); total is the file size */
typedef void (*EkApiProgressFunc) (goffset  sent,
                                        goffset  total,
                                        gpointer user_data);

#define EK_TYPE_API_CLIENT (ek_api_client_get_type ())
G_DECLARE_FINAL_TYPE (EkApiClient, ek_api_client, EK, API_CLIENT, GObject)

/* base_url: e.g. https://127.0.0.1:8443/api/v1 (https:// only)
 * ca_file: a PEM bundle to trust instead of the system store, or NULL */
EkApiClient *ek_api_client_new                 (const char       *base_url,
                                                          const char       *ca_file,
                                                          GError          **error);
/* base URL / CA / proxy from, in order: env EKEY_REGISTRY_URL / EKEY_REGISTRY_CA /
 * EKEY_REGISTRY_PROXY, then GSettings registry-url / ca-file / proxy; the usual proxy environment
 * (https_proxy, no_proxy…) is honoured when no proxy is set */
EkApiClient *ek_api_client_new_from_settings   (GError          **error);

const char       *ek_api_client_get_base_url        (EkApiClient *self);
/* An explicit proxy URL ("http://proxy:3128", "socks5h://…"), "" for none at all, NULL for the
 * environment's */
void              ek_api_client_set_proxy           (EkApiClient *self,
                                                          const char       *proxy);
/* "zh-CN" / "en"; the default follows the locale */
void              ek_api_client_set_language        (EkApiClient *self,
                                                          const char       *lang);
const char       *ek_api_client_get_language        (EkApiClient *self);
/* Retries for retryable calls (default 3) and the first backoff in milliseconds (default 250) */
void              ek_api_client_set_retries         (EkApiClient *self,
                                                          guint             retries,
                                                          guint             backoff_ms);
/* Connect timeout, and the time below 1 byte/s after which a transfer counts as stalled
 * (seconds; defaults 10 and 30) */
void              ek_api_client_set_timeouts        (EkApiClient *self,
                                                          guint             connect_timeout,
                                                          guint             stall_timeout);

gboolean          ek_api_client_has_session         (EkApiClient *self);
/* The logged-in name, or NULL; changes only in the client's context, just before
 * "session-changed" (so a pointer stays valid until then) */
const char       *ek_api_client_get_login_name      (EkApiClient *self);
/* Wipes the token (no request is made; see logout for that); emits "session-changed" */
void              ek_api_client_forget_session      (EkApiClient *self);
/* The request id of the last request this client sent (for a helpdesk line), or NULL */
char             *ek_api_client_dup_last_request_id (EkApiClient *self);
/* The last answer's Date header against this computer's clock at that moment, in seconds
 * (positive: the service's clock is ahead); FALSE when no answer carried a date */
gboolean          ek_api_client_get_clock_skew      (EkApiClient *self,
                                                     gint64      *skew_seconds);

/* Signal "session-changed" (void): logged in, logged out, or the session expired. Emitted in the
 * main context the client was created in. */

/* GET /catalogue -> the catalogue document */
void              ek_api_client_get_catalogue_async        (EkApiClient    *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
JsonNode         *ek_api_client_get_catalogue_finish       (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* POST /captcha */
void               ek_api_client_create_captcha_async      (EkApiClient    *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
EkApiCaptcha *ek_api_client_create_captcha_finish     (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* POST /accounts; mobile and contact_name may be NULL */
void              ek_api_client_register_account_async     (EkApiClient    *self,
                                                                 const char          *uscc,
                                                                 const char          *enterprise_name,
                                                                 const char          *login_name,
                                                                 const char          *licence_type,
                                                                 const char          *email,
                                                                 const char          *mobile,
                                                                 const char          *contact_name,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean          ek_api_client_register_account_finish    (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* POST /accounts/activation */
void              ek_api_client_activate_account_async     (EkApiClient    *self,
                                                                 const char          *uscc,
                                                                 const char          *login_name,
                                                                 const char          *code,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean          ek_api_client_activate_account_finish    (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* POST /sessions (method code); keeps the token inside the client */
void              ek_api_client_login_with_code_async      (EkApiClient    *self,
                                                                 const char          *uscc,
                                                                 const char          *login_name,
                                                                 const char          *captcha_id,
                                                                 const char          *captcha_answer,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean          ek_api_client_login_with_code_finish     (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* DELETE /sessions/current; the token is forgotten whatever the answer */
void              ek_api_client_logout_async               (EkApiClient    *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean          ek_api_client_logout_finish              (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* GET /applications -> GPtrArray of EkApiApplication* (oldest first) */
void              ek_api_client_list_applications_async    (EkApiClient    *self,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
GPtrArray        *ek_api_client_list_applications_finish   (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* POST /applications with Idempotency-Key; fields may be NULL */
void                   ek_api_client_create_application_async  (EkApiClient    *self,
                                                                     const char          *business_type,
                                                                     JsonObject          *fields,
                                                                     const char          *idempotency_key,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
EkApiApplication *ek_api_client_create_application_finish (EkApiClient    *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

/* GET /applications/{id} */
void                   ek_api_client_get_application_async     (EkApiClient    *self,
                                                                     const char          *id,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
EkApiApplication *ek_api_client_get_application_finish    (EkApiClient    *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

/* PATCH /applications/{id} (idempotent: retried) */
void                   ek_api_client_update_application_async  (EkApiClient    *self,
                                                                     const char          *id,
                                                                     JsonObject          *fields,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
EkApiApplication *ek_api_client_update_application_finish (EkApiClient    *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

/* POST /applications/{id}/submit with Idempotency-Key */
void                   ek_api_client_submit_application_async  (EkApiClient    *self,
                                                                     const char          *id,
                                                                     const char          *idempotency_key,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
EkApiApplication *ek_api_client_submit_application_finish (EkApiClient    *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

/* GET /applications/{id}/materials -> GPtrArray of EkApiMaterial* */
void              ek_api_client_list_materials_async       (EkApiClient    *self,
                                                                 const char          *id,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
GPtrArray        *ek_api_client_list_materials_finish      (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

/* PUT /applications/{id}/materials/{kind}: streamed from disk (never read whole into memory),
 * the content type sniffed from the bytes, progress (sent, total) in the caller's main context.
 * A PUT replaces: retried on a dropped connection. */
void                ek_api_client_upload_material_async    (EkApiClient       *self,
                                                                 const char             *id,
                                                                 const char             *kind,
                                                                 GFile                  *file,
                                                                 EkApiProgressFunc  progress,
                                                                 gpointer                progress_data,
                                                                 GDestroyNotify          progress_notify,
                                                                 GCancellable           *cancellable,
                                                                 GAsyncReadyCallback     callback,
                                                                 gpointer                user_data);
EkApiMaterial *ek_api_client_upload_material_finish   (EkApiClient       *self,
                                                                 GAsyncResult           *result,
                                                                 GError                **error);

/* DELETE /applications/{id}/materials/{kind} */
void              ek_api_client_delete_material_async      (EkApiClient    *self,
                                                                 const char          *id,
                                                                 const char          *kind,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
gboolean          ek_api_client_delete_material_finish     (EkApiClient    *self,
                                                                 GAsyncResult        *result,
                                                                 GError             **error);

G_END_DECLS
