/* ek-l10n.h: text in data (catalogue, server answers) that carries its own translations
 *
 * Data that may later come from the registration API cannot go through gettext, so it
 * carries every language it has: {"en": "First application", "zh_CN": "首次申领"}.
 * "en" is always present and is the fallback.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void         ek_l10n_init          (void);
gboolean     ek_l10n_is_valid      (JsonNode    *node);
const char  *ek_l10n_pick          (JsonNode    *node);
const char  *ek_l10n_pick_for      (JsonNode    *node,
                                    const char * const *languages);

G_END_DECLS
