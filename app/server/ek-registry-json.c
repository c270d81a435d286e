/* ek-registry-json.c: the request decoder (nesting bound and NUL check before json-glib) */
#include "config.h"

#include <string.h>

#include "ek-registry-json.h"

/**
 * ek_registry_json_scan:
 *
 * One pass over the bytes, tracking strings and escapes, that json-glib never sees when it fails:
 * the nesting depth and \u0000 escapes. Whether the text is JSON at all is json-glib's verdict.
 */
EkRegistryJsonVerdict
ek_registry_json_scan (const char *data,
                       gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  if (len == 0 || len > G_MAXSSIZE || !g_utf8_validate (data, (gssize) len, NULL))
    return EK_REGISTRY_JSON_MALFORMED;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '"')
            in_string = FALSE;
          else if (c == '\\' && i + 1 < len)
            {
              /* \u0000 in any case of hex digits; a surrogate pair never encodes U+0000 */
              if (data[i + 1] == 'u' && i + 5 < len && memcmp (data + i + 2, "0000", 4) == 0)
                return EK_REGISTRY_JSON_NUL;
              i++;
            }
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > EK_REGISTRY_JSON_MAX_DEPTH)
            return EK_REGISTRY_JSON_TOO_DEEP;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return EK_REGISTRY_JSON_OK;
}

/**
 * ek_registry_json_decode:
 * @root: (out) (transfer full): the object, set only on %EK_REGISTRY_JSON_OK
 *
 * A request body: a JSON object, nested at most EK_REGISTRY_JSON_MAX_DEPTH deep, no NUL.
 */
EkRegistryJsonVerdict
ek_registry_json_decode (const char  *data,
                         gsize        len,
                         JsonNode   **root)
{
  g_autoptr(JsonParser) parser = NULL;
  EkRegistryJsonVerdict verdict;

  *root = NULL;
  verdict = ek_registry_json_scan (data, len);
  if (verdict != EK_REGISTRY_JSON_OK)
    return verdict;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return EK_REGISTRY_JSON_MALFORMED;
  *root = json_node_ref (json_parser_get_root (parser));
  return EK_REGISTRY_JSON_OK;
}
