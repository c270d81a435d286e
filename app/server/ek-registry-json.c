/* ek-registry-json.c: the request decoder (nesting bound and NUL check before json-glib) */
#include "config.h"

#include <math.h>

#include <string.h>

#include "ek-registry-json.h"

/**
 * ek_registry_json_scan:
 *
 * One pass over the bytes, tracking strings and escapes, for what json-glib gets wrong: the
 * nesting depth (it recurses), \u0000 (it truncates), escapes JSON does not have and lone
 * surrogates (it stores bytes that are not UTF-8), raw control characters in strings, and \u001f
 * (it writes it back raw). Whether the rest is JSON is json-glib's verdict.
 */
static int
hex4 (const char *at)
{
  int value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (at[i]);

      if (digit < 0)
        return -1;
      value = value << 4 | digit;
    }
  return value;
}

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
          else if ((guchar) c < 0x20)
            return EK_REGISTRY_JSON_MALFORMED;   /* a raw control character */
          else if (c == '\\')
            {
              int unit;

              /* json-glib also takes \q, octal and lone surrogates, which end as bytes that are
               * not UTF-8 in a stored value: only JSON's own escapes are read */
              if (i + 1 >= len)
                return EK_REGISTRY_JSON_MALFORMED;
              if (strchr ("\"\\/bfnrt", data[i + 1]) != NULL && data[i + 1] != '\0')
                {
                  i++;
                  continue;
                }
              if (data[i + 1] != 'u' || i + 5 >= len || (unit = hex4 (data + i + 2)) < 0)
                return EK_REGISTRY_JSON_MALFORMED;
              if (unit == 0)
                return EK_REGISTRY_JSON_NUL;
              /* json-glib 1.6 escapes every control character but U+001F, which it writes back
               * raw: not JSON in a stored body (found by the request fuzzer). No field needs it. */
              if (unit == 0x1F)
                return EK_REGISTRY_JSON_MALFORMED;
              if (unit >= 0xDC00 && unit <= 0xDFFF)
                return EK_REGISTRY_JSON_MALFORMED;
              if (unit >= 0xD800 && unit <= 0xDBFF)
                {
                  int low = i + 11 < len && data[i + 6] == '\\' && data[i + 7] == 'u' ? hex4 (data + i + 8) : -1;

                  if (low < 0xDC00 || low > 0xDFFF)
                    return EK_REGISTRY_JSON_MALFORMED;
                  i += 6;
                }
              i += 5;
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

/* Every number zero or between 10^-4 and 10^15 in size: json-glib reads 1e999 as infinity and
 * writes it back as "inf", and writes what printf shows with an exponent (1e98, 1e-99) back as
 * "1e+98.0"; none of that is JSON, and no field of the API needs such numbers */
static gboolean
numbers_finite (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          if (!numbers_finite (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!numbers_finite (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_DOUBLE ||
             json_node_get_double (node) == 0.0 ||
             (isfinite (json_node_get_double (node)) && fabs (json_node_get_double (node)) >= 1e-4 &&
              fabs (json_node_get_double (node)) < 1e15);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
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
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !numbers_finite (json_parser_get_root (parser)))
    return EK_REGISTRY_JSON_MALFORMED;
  *root = json_node_ref (json_parser_get_root (parser));
  return EK_REGISTRY_JSON_OK;
}
