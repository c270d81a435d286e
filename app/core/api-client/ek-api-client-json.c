/* ek-api-client-json.c: what the resource calls (seals, mobile authorisations) share: a request,
 * its JSON body, and checked reads of an answer's members */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ek-api-client-private.h"
#include "ek-api-types.h"

EkApiRequest *
ek_api_request_new (const char *method,
                    gboolean    retryable,
                    char       *path)
{
  EkApiRequest *request = g_new0 (EkApiRequest, 1);

  request->method = method;
  request->retryable = retryable;
  request->max_response = EK_API_MAX_JSON;
  request->path = path;
  return request;
}

void
ek_api_request_set_json (EkApiRequest *request,
                         JsonNode     *root)
{
  char *text = json_to_string (root, FALSE);

  request->body = g_bytes_new_take (text, strlen (text));
}

gboolean
ek_api_invalid_response (GError    **error,
                         const char *what)
{
  g_set_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
               /* Translators: %s names the part of the answer, in English, for the helpdesk */
               _("The registration service sent an answer this version cannot read (%s). "
                 "Try again later; if it keeps happening, tell the helpdesk."), what);
  return FALSE;
}

const char *
ek_api_member_string (JsonObject *o,
                      const char *name,
                      gsize       max)
{
  JsonNode *m = json_object_get_member (o, name);
  const char *s;

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return NULL;
  s = json_node_get_string (m);
  if (strlen (s) > max || !g_utf8_validate (s, -1, NULL))
    return NULL;
  return s;
}

gboolean
ek_api_member_choice (JsonObject         *o,
                      const char         *name,
                      const char * const *choices,
                      char              **out)
{
  const char *s = ek_api_member_string (o, name, 64);

  if (s == NULL || !g_strv_contains (choices, s))
    return FALSE;
  *out = g_strdup (s);
  return TRUE;
}

gboolean
ek_api_member_optional_string (JsonObject  *o,
                               const char  *name,
                               gsize        max,
                               char       **out)
{
  const char *s;

  if (!json_object_has_member (o, name))
    return TRUE;
  s = ek_api_member_string (o, name, max);
  if (s == NULL)
    return FALSE;
  *out = g_strdup (s);
  return TRUE;
}

gboolean
ek_api_member_int (JsonObject *o,
                   const char *name,
                   gint64     *out)
{
  JsonNode *m = json_object_get_member (o, name);

  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (m);
  return TRUE;
}

gboolean
ek_api_member_optional_int (JsonObject *o,
                            const char *name,
                            gint64     *out)
{
  return !json_object_has_member (o, name) || ek_api_member_int (o, name, out);
}

/* A flat object of short strings (a form as the service stored it), copied; FALSE on another shape */
gboolean
ek_api_member_optional_form (JsonObject  *o,
                             const char  *name,
                             JsonObject **out)
{
  JsonNode *m = json_object_get_member (o, name);
  g_autoptr(GList) members = NULL;
  JsonObject *form;

  if (m == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (m))
    return FALSE;
  form = json_node_get_object (m);
  if (json_object_get_size (form) > 64)
    return FALSE;
  members = json_object_get_members (form);
  for (GList *l = members; l != NULL; l = l->next)
    if (ek_api_member_string (form, l->data, 2000) == NULL)
      return FALSE;
  *out = json_object_ref (form);
  return TRUE;
}

char *
ek_api_escape_segment (const char *segment)
{
  return g_uri_escape_string (segment, NULL, FALSE);
}
