/* ek-settings.c: the user's settings, where they are installed
 *
 * g_settings_new() aborts when the schema is missing, which is the normal state of a program
 * run from a build tree or copied onto a helpdesk machine. Core code asks here instead.
 */
#include "config.h"

#include "ek-settings.h"

/**
 * ek_settings_new_if_installed:
 * Returns: (transfer full) (nullable): the settings, or %NULL when the schema is not installed
 */
GSettings *
ek_settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, EK_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/**
 * ek_settings_dup_pkcs11_modules:
 * @extra: (nullable): more module paths, e.g. from the command line
 *
 * The extra PKCS#11 modules the user added in the settings (a vendor's driver its installer did
 * not register), followed by @extra, without repeats.
 *
 * Returns: (transfer full): a %NULL-terminated array, possibly empty
 */
GStrv
ek_settings_dup_pkcs11_modules (const char * const *extra)
{
  g_autoptr(GSettings) settings = ek_settings_new_if_installed ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) configured = settings ? g_settings_get_strv (settings, "pkcs11-modules") : NULL;
  const char * const *lists[] = { (const char * const *) configured, extra };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++)
      if (*lists[l][i] != '\0' && g_hash_table_add (seen, (gpointer) lists[l][i]))
        g_strv_builder_add (builder, lists[l][i]);

  return g_strv_builder_end (builder);
}
