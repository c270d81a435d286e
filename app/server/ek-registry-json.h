/* ek-registry-json.h: the request decoder, which checks a JSON body before json-glib sees it
 *
 * json-glib parses recursively and keeps what follows a NUL in a string out of the value, so a
 * body is scanned first: nesting deeper than the API ever uses, or a \u0000 escape, is refused
 * without parsing. No libsoup here: the fuzz target links this file alone.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Our bodies nest three levels at most ({"fields": {…}}); this leaves room and stays far from
 * any stack */
#define EK_REGISTRY_JSON_MAX_DEPTH 16

typedef enum
{
  EK_REGISTRY_JSON_OK,
  EK_REGISTRY_JSON_MALFORMED,   /* empty, not UTF-8, not JSON, or not an object */
  EK_REGISTRY_JSON_TOO_DEEP,    /* arrays and objects nested beyond EK_REGISTRY_JSON_MAX_DEPTH */
  EK_REGISTRY_JSON_NUL,         /* a \u0000 escape in a string or a member name */
} EkRegistryJsonVerdict;

EkRegistryJsonVerdict ek_registry_json_scan   (const char  *data,
                                               gsize        len);
EkRegistryJsonVerdict ek_registry_json_decode (const char  *data,
                                               gsize        len,
                                               JsonNode   **root);

G_END_DECLS
