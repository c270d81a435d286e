/* ek-api-client-seals.h: the electronic seal's calls (a key session is needed)
 *
 * Synchronous, for a page's worker thread (as the renewal's calls): they block on the network
 * and honour @cancellable. Every answer is checked for shape; another shape fails with
 * EK_API_ERROR_INVALID_RESPONSE.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

/* A seal request: 印章申请 apply · 印章变更 change · 证书绑定 bind-user · 续绑 rebind;
 * state new (新申请) · letter-uploaded · rejected (see remark) · approved (已审核) · seal-made */
typedef struct
{
  char       *id;
  char       *kind;
  char       *state;
  char       *enterprise_name;
  char       *login_name;
  char       *certificate_subject;  /* or NULL */
  char       *remark;               /* the reviewer's reason for a rejection, or NULL */
  char       *seal_id;              /* the seal made or bound, or NULL */
  gboolean    has_letter;
  gint64      created_at;
  gint64      updated_at;
  JsonObject *form;                 /* the form as sent (API names), or NULL */
} EkSealRequest;

/* A seal: state normal (正常) or revoked (注销) */
typedef struct
{
  char    *id;
  char    *name;
  char    *state;
  char   **users;                   /* login names of the bound key users */
  char    *image_path;              /* the PNG, below the API base (/seals/ID/image), or NULL */
  gint64   created_at;
  gint64   revoked_at;              /* 0 while in use */
} EkSeal;

void           ek_seal_request_free           (EkSealRequest *request);
EkSealRequest *ek_seal_request_new_from_json  (JsonNode      *node,
                                               GError       **error);
/* of EkSealRequest, newest first */
GPtrArray     *ek_seal_requests_new_from_json (JsonNode      *node,
                                               GError       **error);
void           ek_seal_free                   (EkSeal        *seal);
EkSeal        *ek_seal_new_from_json          (JsonNode      *node,
                                               GError       **error);
/* of EkSeal, newest first */
GPtrArray     *ek_seals_new_from_json         (JsonNode      *node,
                                               GError       **error);

GPtrArray     *ek_api_client_list_seal_requests_sync  (EkApiClient   *self,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
/* @form: the application form's fields (API names, code13 included); @idempotency_key makes a
 * repeat answer the first request, never a second one */
EkSealRequest *ek_api_client_create_seal_request_sync (EkApiClient   *self,
                                                       const char    *kind,
                                                       JsonObject    *form,
                                                       const char    *idempotency_key,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
/* The stamped confirmation letter, a PNG, JPEG or GIF already checked and fitted */
EkSealRequest *ek_api_client_upload_seal_letter_sync  (EkApiClient   *self,
                                                       const char    *request_id,
                                                       GFile         *letter,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
GPtrArray     *ek_api_client_list_seals_sync          (EkApiClient   *self,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
/* The seal's image (a PNG) at @image_path, as a seal's image_path gives it; checked to be a PNG
 * of at most EK_API_MAX_SEAL_IMAGE bytes */
#define EK_API_MAX_SEAL_IMAGE (2 * 1024 * 1024)
GBytes        *ek_api_client_get_seal_image_sync      (EkApiClient   *self,
                                                       const char    *image_path,
                                                       GCancellable  *cancellable,
                                                       GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSealRequest, ek_seal_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSeal, ek_seal_free)

G_END_DECLS
