/* fuzz-registry-request.c: any bytes a client could send as a JSON body, through ekey-registry's
 * request decoder: a verdict for each, never a crash, and what it accepts is an object that
 * json-glib writes back and the decoder accepts again unchanged */
#include "config.h"

#include <string.h>

#include "ek-registry-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;
  EkRegistryJsonVerdict verdict = ek_registry_json_decode ((const char *) data, size, &root);

  g_assert (verdict <= EK_REGISTRY_JSON_NUL);
  g_assert ((verdict == EK_REGISTRY_JSON_OK) == (root != NULL));
  /* The scan alone never accepts what the whole decoder refuses for depth or NUL */
  if (verdict == EK_REGISTRY_JSON_TOO_DEEP || verdict == EK_REGISTRY_JSON_NUL)
    g_assert (ek_registry_json_scan ((const char *) data, size) == verdict);
  if (root == NULL)
    return 0;

  g_assert (JSON_NODE_HOLDS_OBJECT (root));
  text = json_to_string (root, FALSE);
  g_assert (ek_registry_json_decode (text, strlen (text), &again) == EK_REGISTRY_JSON_OK);
  g_assert (json_node_equal (root, again));
  return 0;
}
