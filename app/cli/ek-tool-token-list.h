/* ek-tool-token-list.h: `ekey-tool token list` and the certificate output it shares with
 * `cert show`; GLib, GObject and p11-kit only (see ek-tool-lean.c) */
#pragma once

#include "ek-certificate-info.h"
#include "ek-json-writer.h"

G_BEGIN_DECLS

/* The PKCS#11 modules the settings add to @extra (ek_settings_dup_pkcs11_modules() or, when no
 * setting is stored, @extra alone) */
typedef GStrv (*EkToolModulesFunc) (const char * const *extra);

int   ek_tool_token_list         (int                 argc,
                                  char              **argv,
                                  EkToolModulesFunc   settings_modules);
void  ek_tool_add_certificate    (EkJsonWriter       *builder,
                                  EkCertificateInfo  *info,
                                  GDateTime          *now);
void  ek_tool_print_certificate  (EkCertificateInfo  *info,
                                  GDateTime          *now,
                                  const char         *indent);
void  ek_tool_print_json_text    (EkJsonWriter       *writer);
int   ek_tool_fail               (const char         *format,
                                  ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
