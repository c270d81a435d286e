/* ek-api-client-mobile.h: mobile authorisation's calls (a key session is needed)
 *
 * Synchronous, for a page's worker thread; every answer is checked for shape.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

/* kind: new (新授权) · number-change (手机号码变更) · phone-change (手机变更) · renewal (续签) ·
 * cancellation (注销); state: pending-submit (请求待提交) · submitted (登录商务部网站app下载) ·
 * issued (证书已签发) · cancelled */
typedef struct
{
  char       *id;
  char       *kind;
  char       *mobile;
  char       *old_mobile;              /* or NULL */
  char       *login_name;
  char       *state;
  char       *licence_type;            /* or NULL */
  char       *certificate_state;       /* active · revoked · renewed · cancelled, or NULL before issue */
  gint64      certificate_expires_at;
  gint64      created_at;              /* 请求时间 */
  gint64      submitted_at;            /* 0 before */
  gboolean    deleted;                 /* 是否删除 */
  JsonObject *applicant;               /* the confirmed information (API names), or NULL */
} EkMobileAuthorization;

void                   ek_mobile_authorization_free           (EkMobileAuthorization *a);
EkMobileAuthorization *ek_mobile_authorization_new_from_json  (JsonNode              *node,
                                                               GError               **error);
/* of EkMobileAuthorization, newest first */
GPtrArray             *ek_mobile_authorizations_new_from_json (JsonNode              *node,
                                                               GError               **error);
/* The authorisation whose certificate is in use on @mobile (or on any number when NULL), newest
 * first: what the home page shows at the top; NULL when none */
EkMobileAuthorization *ek_mobile_authorizations_find_active   (GPtrArray             *list,
                                                               const char            *mobile);

GPtrArray             *ek_api_client_list_mobile_authorizations_sync  (EkApiClient   *self,
                                                                       GCancellable  *cancellable,
                                                                       GError       **error);
/* Saved as 请求待提交; @old_mobile for a number change; @licence_type and @applicant for a new
 * authorisation, a number or a phone change (NULL for renewal and cancellation) */
EkMobileAuthorization *ek_api_client_create_mobile_authorization_sync (EkApiClient   *self,
                                                                       const char    *kind,
                                                                       const char    *mobile,
                                                                       const char    *old_mobile,
                                                                       const char    *licence_type,
                                                                       JsonObject    *applicant,
                                                                       const char    *idempotency_key,
                                                                       GCancellable  *cancellable,
                                                                       GError       **error);
EkMobileAuthorization *ek_api_client_submit_mobile_authorization_sync (EkApiClient   *self,
                                                                       const char    *id,
                                                                       GCancellable  *cancellable,
                                                                       GError       **error);

/* Only a request not yet submitted; it stays in the history, deleted */
EkMobileAuthorization *ek_api_client_delete_mobile_authorization_sync (EkApiClient   *self,
                                                                       const char    *id,
                                                                       GCancellable  *cancellable,
                                                                       GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkMobileAuthorization, ek_mobile_authorization_free)

G_END_DECLS
