/* ek-api-client-seals.c: the electronic seal's calls and the checked models of their answers */
#include "config.h"

#include <string.h>

#include "ek-api-client-private.h"
#include "ek-api-client-seals.h"
#include "ek-api-types.h"

static const char * const request_kinds[] = { "apply", "change", "bind-user", "rebind", NULL };
static const char * const request_states[] = { "new", "letter-uploaded", "rejected", "approved", "seal-made", NULL };
static const char * const seal_states[] = { "normal", "revoked", NULL };

#define MAX_ID 64
#define MAX_TEXT 2000

void
ek_seal_request_free (EkSealRequest *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->kind);
  g_free (r->state);
  g_free (r->enterprise_name);
  g_free (r->login_name);
  g_free (r->certificate_subject);
  g_free (r->remark);
  g_free (r->seal_id);
  g_clear_pointer (&r->form, json_object_unref);
  g_free (r);
}

EkSealRequest *
ek_seal_request_new_from_json (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(EkSealRequest) r = g_new0 (EkSealRequest, 1);
  JsonObject *o;
  const char *id, *name, *login;
  JsonNode *letter;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return (ek_api_invalid_response (error, "seal request"), NULL);
  o = json_node_get_object (node);
  letter = json_object_get_member (o, "confirmation_letter");
  if ((id = ek_api_member_string (o, "id", MAX_ID)) == NULL || *id == '\0' ||
      (name = ek_api_member_string (o, "enterprise_name", MAX_TEXT)) == NULL ||
      (login = ek_api_member_string (o, "login_name", MAX_TEXT)) == NULL ||
      !ek_api_member_choice (o, "kind", request_kinds, &r->kind) || !ek_api_member_choice (o, "state", request_states, &r->state) ||
      !ek_api_member_int (o, "created_at", &r->created_at) || !ek_api_member_int (o, "updated_at", &r->updated_at) ||
      !ek_api_member_optional_string (o, "certificate_subject", MAX_TEXT, &r->certificate_subject) ||
      !ek_api_member_optional_string (o, "remark", MAX_TEXT, &r->remark) ||
      !ek_api_member_optional_string (o, "seal_id", MAX_ID, &r->seal_id) ||
      !ek_api_member_optional_form (o, "form", &r->form) ||
      (letter != NULL && !JSON_NODE_HOLDS_OBJECT (letter)))
    return (ek_api_invalid_response (error, "seal request"), NULL);
  r->id = g_strdup (id);
  r->enterprise_name = g_strdup (name);
  r->login_name = g_strdup (login);
  r->has_letter = letter != NULL;
  return g_steal_pointer (&r);
}

void
ek_seal_free (EkSeal *seal)
{
  if (seal == NULL)
    return;
  g_free (seal->id);
  g_free (seal->name);
  g_free (seal->state);
  g_strfreev (seal->users);
  g_free (seal->image_path);
  g_free (seal);
}

EkSeal *
ek_seal_new_from_json (JsonNode  *node,
                       GError   **error)
{
  g_autoptr(EkSeal) seal = g_new0 (EkSeal, 1);
  g_autofree char *url = NULL;
  JsonObject *o;
  JsonNode *users;
  const char *id, *name;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return (ek_api_invalid_response (error, "seal"), NULL);
  o = json_node_get_object (node);
  users = json_object_get_member (o, "users");
  if ((id = ek_api_member_string (o, "id", MAX_ID)) == NULL || *id == '\0' ||
      (name = ek_api_member_string (o, "name", MAX_TEXT)) == NULL ||
      !ek_api_member_choice (o, "state", seal_states, &seal->state) ||
      !ek_api_member_int (o, "created_at", &seal->created_at) ||
      !ek_api_member_optional_int (o, "revoked_at", &seal->revoked_at) ||
      !ek_api_member_optional_string (o, "image_url", 512, &url) ||
      users == NULL || !JSON_NODE_HOLDS_ARRAY (users) || json_array_get_length (json_node_get_array (users)) > 1000)
    return (ek_api_invalid_response (error, "seal"), NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (users)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (users), i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING ||
          strlen (json_node_get_string (e)) > MAX_TEXT || !g_utf8_validate (json_node_get_string (e), -1, NULL))
        return (ek_api_invalid_response (error, "seal users"), NULL);
      g_strv_builder_add (names, json_node_get_string (e));
    }
  /* The image is the service's own, under the API: a path of this seal, nothing else */
  if (url != NULL)
    {
      g_autofree char *want = g_strconcat ("/api/v1/seals/", id, "/image", NULL);

      if (!g_str_equal (url, want))
        return (ek_api_invalid_response (error, "seal image"), NULL);
      seal->image_path = g_strdup (url + strlen ("/api/v1"));
    }
  seal->id = g_strdup (id);
  seal->name = g_strdup (name);
  seal->users = g_strv_builder_end (names);
  return g_steal_pointer (&seal);
}

typedef gpointer (*ParseOne) (JsonNode *node, GError **error);

static GPtrArray *
parse_list (JsonNode       *node,
            ParseOne        parse,
            GDestroyNotify  free_func,
            const char     *what,
            GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_func);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) > 10000)
    return (ek_api_invalid_response (error, what), NULL);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gpointer item = parse (json_array_get_element (array, i), error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (list, item);
    }
  return g_steal_pointer (&list);
}

GPtrArray *
ek_seal_requests_new_from_json (JsonNode  *node,
                                GError   **error)
{
  return parse_list (node, (ParseOne) ek_seal_request_new_from_json, (GDestroyNotify) ek_seal_request_free,
                     "seal requests", error);
}

GPtrArray *
ek_seals_new_from_json (JsonNode  *node,
                        GError   **error)
{
  return parse_list (node, (ParseOne) ek_seal_new_from_json, (GDestroyNotify) ek_seal_free, "seals", error);
}

/* ---- Calls ---- */

GPtrArray *
ek_api_client_list_seal_requests_sync (EkApiClient   *self,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_autoptr(EkApiRequest) request = ek_api_request_new ("GET", TRUE, g_strdup ("/seal-requests"));
  g_autoptr(JsonNode) node = ek_api_client_perform (self, request, cancellable, error);

  return node != NULL ? ek_seal_requests_new_from_json (node, error) : NULL;
}

EkSealRequest *
ek_api_client_create_seal_request_sync (EkApiClient   *self,
                                        const char    *kind,
                                        JsonObject    *form,
                                        const char    *idempotency_key,
                                        GCancellable  *cancellable,
                                        GError       **error)
{
  g_autoptr(EkApiRequest) request = NULL;
  g_autoptr(JsonNode) root = NULL, node = NULL;
  JsonObject *body = json_object_new ();
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (kind != NULL && form != NULL && idempotency_key != NULL, NULL);

  members = json_object_get_members (form);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "kind"))
      json_object_set_member (body, l->data, json_node_copy (json_object_get_member (form, l->data)));
  json_object_set_string_member (body, "kind", kind);
  root = json_node_init_object (json_node_alloc (), body);
  json_object_unref (body);
  /* Retried: the key makes a repeat give the first answer */
  request = ek_api_request_new ("POST", TRUE, g_strdup ("/seal-requests"));
  request->idempotency_key = g_strdup (idempotency_key);
  ek_api_request_set_json (request, root);
  node = ek_api_client_perform (self, request, cancellable, error);
  return node != NULL ? ek_seal_request_new_from_json (node, error) : NULL;
}

EkSealRequest *
ek_api_client_upload_seal_letter_sync (EkApiClient   *self,
                                       const char    *request_id,
                                       GFile         *letter,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  g_autofree char *escaped = NULL;
  g_autoptr(EkApiRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (request_id != NULL && G_IS_FILE (letter), NULL);

  escaped = ek_api_escape_segment (request_id);
  /* A PUT replaces the letter: sending it again is harmless */
  request = ek_api_request_new ("PUT", TRUE, g_strdup_printf ("/seal-requests/%s/letter", escaped));
  request->upload = g_object_ref (letter);
  node = ek_api_client_perform (self, request, cancellable, error);
  return node != NULL ? ek_seal_request_new_from_json (node, error) : NULL;
}

GPtrArray *
ek_api_client_list_seals_sync (EkApiClient   *self,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(EkApiRequest) request = ek_api_request_new ("GET", TRUE, g_strdup ("/seals"));
  g_autoptr(JsonNode) node = ek_api_client_perform (self, request, cancellable, error);

  return node != NULL ? ek_seals_new_from_json (node, error) : NULL;
}

GBytes *
ek_api_client_get_seal_image_sync (EkApiClient   *self,
                                   const char    *image_path,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(EkApiRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *below;
  gsize size = 0;
  const guint8 *data;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (image_path != NULL, NULL);

  /* Only a path of the seal's own image, below the API base */
  below = g_str_has_prefix (image_path, "/seals/") ? image_path : NULL;
  if (below == NULL || strstr (below, "..") != NULL || strchr (below, '?') != NULL)
    {
      ek_api_invalid_response (error, "seal image path");
      return NULL;
    }
  request = ek_api_request_new ("GET", TRUE, g_strdup (below));
  request->want_png = TRUE;
  request->max_response = EK_API_MAX_SEAL_IMAGE;
  node = ek_api_client_perform (self, request, cancellable, error);
  if (node == NULL)
    return NULL;
  data = request->png != NULL ? g_bytes_get_data (request->png, &size) : NULL;
  if (data == NULL || size < sizeof png_signature || memcmp (data, png_signature, sizeof png_signature) != 0)
    {
      ek_api_invalid_response (error, "seal image");
      return NULL;
    }
  return g_bytes_ref (request->png);
}
