/* ek-l10n.c: pick the best translation out of a localized JSON text */
#include "config.h"

#include <libintl.h>
#include <locale.h>

#include "ek-l10n.h"

/* Every program of ours starts with this: the user's locale and our message catalogue. */
void
ek_l10n_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* A localized text is an object whose members are language tags mapping to strings,
 * with at least "en". Tags use gettext's form (zh_CN); "zh-CN" is accepted too. */
gboolean
ek_l10n_is_valid (JsonNode *node)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  object = json_node_get_object (node);
  if (!json_object_has_member (object, "en"))
    return FALSE;

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);
      const char *text;

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return FALSE;
      text = json_node_get_string (value);
      if (text == NULL || *text == '\0')
        return FALSE;
    }

  return TRUE;
}

static const char *
lookup_tag (JsonObject *object,
            const char *tag)
{
  g_autofree char *dashed = NULL;

  if (json_object_has_member (object, tag))
    return json_object_get_string_member (object, tag);

  dashed = g_strdup (tag);
  g_strdelimit (dashed, "_", '-');
  if (json_object_has_member (object, dashed))
    return json_object_get_string_member (object, dashed);

  return NULL;
}

const char *
ek_l10n_pick_for (JsonNode           *node,
                  const char * const *languages)
{
  JsonObject *object;

  g_return_val_if_fail (ek_l10n_is_valid (node), NULL);

  object = json_node_get_object (node);
  for (guint i = 0; languages != NULL && languages[i] != NULL; i++)
    {
      const char *text;

      /* g_get_language_names() also lists "C" and variants with encodings */
      if (g_str_equal (languages[i], "C") || strchr (languages[i], '.') != NULL)
        continue;
      if ((text = lookup_tag (object, languages[i])) != NULL)
        return text;
    }

  return json_object_get_string_member (object, "en");
}

const char *
ek_l10n_pick (JsonNode *node)
{
  return ek_l10n_pick_for (node, g_get_language_names ());
}
