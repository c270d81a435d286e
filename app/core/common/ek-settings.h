/* ek-settings.h: the user's settings, where they are installed */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_SETTINGS_SCHEMA_ID "org.ekeyassistant.EKeyAssistant"

GSettings  *ek_settings_new_if_installed     (void);
GStrv       ek_settings_dup_pkcs11_modules   (const char * const *extra);

G_END_DECLS
