/* ek-api-client-mobile.c: mobile authorisation's calls and the checked model of their answers */
#include "config.h"

#include <string.h>

#include "ek-api-client-mobile.h"
#include "ek-api-client-private.h"
#include "ek-api-types.h"

static const char * const kinds[] = { "new", "number-change", "phone-change", "renewal", "cancellation", NULL };
static const char * const states[] = { "pending-submit", "submitted", "issued", "cancelled", NULL };
static const char * const certificate_states[] = { "active", "revoked", "renewed", "cancelled", NULL };

#define MAX_ID 64
#define MAX_TEXT 2000

void
ek_mobile_authorization_free (EkMobileAuthorization *a)
{
  if (a == NULL)
    return;
  g_free (a->id);
  g_free (a->kind);
  g_free (a->mobile);
  g_free (a->old_mobile);
  g_free (a->login_name);
  g_free (a->state);
  g_free (a->licence_type);
  g_free (a->certificate_state);
  g_clear_pointer (&a->applicant, json_object_unref);
  g_free (a);
}

EkMobileAuthorization *
ek_mobile_authorization_new_from_json (JsonNode  *node,
                                       GError   **error)
{
  g_autoptr(EkMobileAuthorization) a = g_new0 (EkMobileAuthorization, 1);
  JsonObject *o;
  JsonNode *certificate, *deleted;
  const char *id, *mobile, *login;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return (ek_api_invalid_response (error, "mobile authorisation"), NULL);
  o = json_node_get_object (node);
  certificate = json_object_get_member (o, "certificate");
  deleted = json_object_get_member (o, "deleted");
  if (deleted == NULL || !JSON_NODE_HOLDS_VALUE (deleted) || json_node_get_value_type (deleted) != G_TYPE_BOOLEAN)
    return (ek_api_invalid_response (error, "mobile authorisation"), NULL);
  a->deleted = json_node_get_boolean (deleted);
  if ((id = ek_api_member_string (o, "id", MAX_ID)) == NULL || *id == '\0' ||
      (mobile = ek_api_member_string (o, "mobile", 32)) == NULL ||
      (login = ek_api_member_string (o, "login_name", MAX_TEXT)) == NULL ||
      !ek_api_member_choice (o, "kind", kinds, &a->kind) || !ek_api_member_choice (o, "state", states, &a->state) ||
      !ek_api_member_optional_string (o, "old_mobile", 32, &a->old_mobile) ||
      !ek_api_member_optional_string (o, "licence_type", 64, &a->licence_type) ||
      !ek_api_member_int (o, "created_at", &a->created_at) ||
      !ek_api_member_optional_int (o, "submitted_at", &a->submitted_at) ||
      !ek_api_member_optional_form (o, "applicant", &a->applicant))
    return (ek_api_invalid_response (error, "mobile authorisation"), NULL);
  if (certificate != NULL &&
      (!JSON_NODE_HOLDS_OBJECT (certificate) ||
       !ek_api_member_choice (json_node_get_object (certificate), "state", certificate_states, &a->certificate_state) ||
       !ek_api_member_int (json_node_get_object (certificate), "expires_at", &a->certificate_expires_at)))
    return (ek_api_invalid_response (error, "mobile certificate"), NULL);
  a->id = g_strdup (id);
  a->mobile = g_strdup (mobile);
  a->login_name = g_strdup (login);
  return g_steal_pointer (&a);
}

GPtrArray *
ek_mobile_authorizations_new_from_json (JsonNode  *node,
                                        GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_mobile_authorization_free);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) > 10000)
    return (ek_api_invalid_response (error, "mobile authorisations"), NULL);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EkMobileAuthorization *a = ek_mobile_authorization_new_from_json (json_array_get_element (array, i), error);

      if (a == NULL)
        return NULL;
      g_ptr_array_add (list, a);
    }
  return g_steal_pointer (&list);
}

EkMobileAuthorization *
ek_mobile_authorizations_find_active (GPtrArray  *list,
                                      const char *mobile)
{
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      EkMobileAuthorization *a = g_ptr_array_index (list, i);

      if (g_strcmp0 (a->state, "issued") == 0 && g_strcmp0 (a->certificate_state, "active") == 0 &&
          (mobile == NULL || g_strcmp0 (a->mobile, mobile) == 0))
        return a;
    }
  return NULL;
}

GPtrArray *
ek_api_client_list_mobile_authorizations_sync (EkApiClient   *self,
                                               GCancellable  *cancellable,
                                               GError       **error)
{
  g_autoptr(EkApiRequest) request = ek_api_request_new ("GET", TRUE, g_strdup ("/mobile-authorizations"));
  g_autoptr(JsonNode) node = ek_api_client_perform (self, request, cancellable, error);

  return node != NULL ? ek_mobile_authorizations_new_from_json (node, error) : NULL;
}

EkMobileAuthorization *
ek_api_client_create_mobile_authorization_sync (EkApiClient   *self,
                                                const char    *kind,
                                                const char    *mobile,
                                                const char    *old_mobile,
                                                const char    *licence_type,
                                                JsonObject    *applicant,
                                                const char    *idempotency_key,
                                                GCancellable  *cancellable,
                                                GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL, node = NULL;
  g_autoptr(EkApiRequest) request = NULL;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (kind != NULL && mobile != NULL && idempotency_key != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "mobile");
  json_builder_add_string_value (builder, mobile);
  if (old_mobile != NULL)
    {
      json_builder_set_member_name (builder, "old_mobile");
      json_builder_add_string_value (builder, old_mobile);
    }
  if (licence_type != NULL)
    {
      json_builder_set_member_name (builder, "licence_type");
      json_builder_add_string_value (builder, licence_type);
    }
  if (applicant != NULL)
    {
      json_builder_set_member_name (builder, "applicant");
      json_builder_add_value (builder, json_node_init_object (json_node_alloc (), applicant));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  /* Retried: the key makes a repeat give the first answer, never a second request */
  request = ek_api_request_new ("POST", TRUE, g_strdup ("/mobile-authorizations"));
  request->idempotency_key = g_strdup (idempotency_key);
  ek_api_request_set_json (request, root);
  node = ek_api_client_perform (self, request, cancellable, error);
  return node != NULL ? ek_mobile_authorization_new_from_json (node, error) : NULL;
}

EkMobileAuthorization *
ek_api_client_submit_mobile_authorization_sync (EkApiClient   *self,
                                                const char    *id,
                                                GCancellable  *cancellable,
                                                GError       **error)
{
  g_autofree char *escaped = NULL;
  g_autoptr(EkApiRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  escaped = ek_api_escape_segment (id);
  /* Not retried: a second submission is refused (409), and the first one may have worked */
  request = ek_api_request_new ("POST", FALSE, g_strdup_printf ("/mobile-authorizations/%s/submit", escaped));
  node = ek_api_client_perform (self, request, cancellable, error);
  return node != NULL ? ek_mobile_authorization_new_from_json (node, error) : NULL;
}

EkMobileAuthorization *
ek_api_client_delete_mobile_authorization_sync (EkApiClient   *self,
                                                const char    *id,
                                                GCancellable  *cancellable,
                                                GError       **error)
{
  g_autofree char *escaped = NULL;
  g_autoptr(EkApiRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  escaped = ek_api_escape_segment (id);
  /* Not retried: a second deletion is refused (409) */
  request = ek_api_request_new ("DELETE", FALSE, g_strdup_printf ("/mobile-authorizations/%s", escaped));
  node = ek_api_client_perform (self, request, cancellable, error);
  return node != NULL ? ek_mobile_authorization_new_from_json (node, error) : NULL;
}
