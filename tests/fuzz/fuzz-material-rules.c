/* fuzz-material-rules.c: whatever a registration service answers to GET /catalogue ends in a
 * rule set or a clear error (the materials page then keeps its built-in limits) */
#include "config.h"

#include "ek-material-rules.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMaterialRules) rules = NULL;

  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL) ||
      json_parser_get_root (parser) == NULL)
    return 0;
  rules = ek_material_rules_new_from_service (json_parser_get_root (parser), "first-application", &error);

  /* Exactly one of the two, and an error always says something */
  g_assert ((rules == NULL) != (error == NULL));
  if (error != NULL)
    g_assert (error->message != NULL && error->message[0] != '\0');
  else
    g_assert (ek_material_rules_get_requirements (rules, "first-application") != NULL);
  return 0;
}
