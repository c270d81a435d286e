/* token-fixture.h: SoftHSM2 tokens made at test time, shared by the token tests */
#pragma once

#include <gio/gio.h>

#include "ek-token-manager.h"

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

const char        *token_fixture_setup        (void);
EkTokenManager    *token_fixture_manager      (const char * const *extra);
EkToken           *token_fixture_find_token   (GPtrArray  *tokens,
                                               const char *label);
EkCertificateInfo *token_fixture_find_cert    (EkToken    *token,
                                               const char *id_hex);
GStrv              token_fixture_list_tokens_dir (const char *tokendir);
int                token_fixture_run          (const char * const *argv,
                                               char              **out,
                                               char              **err);
