/* ek-renewal-fixture.h: a key due for renewal and a service that renews it (tests and bench) */
#pragma once

#include "ek-api-fixture.h"
#include "ek-token-manager.h"

G_BEGIN_DECLS

#define EK_RENEWAL_FIXTURE_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define EK_RENEWAL_FIXTURE_LABEL  "EK-RENEW"
#define EK_RENEWAL_FIXTURE_USCC   "91350100M000100Y43"

/* Makes the key (SOFTHSM2_CONF set) and starts the service; @dir_out: the key's folder */
EkApiServer    *ek_renewal_fixture_start          (char       **dir_out);
void            ek_renewal_fixture_remove         (const char  *dir);
EkTokenManager *ek_renewal_fixture_manager        (void);
EkToken        *ek_renewal_fixture_find_token     (GPtrArray   *tokens);
/* A key session (bearer token) with the token's one certificate */
char           *ek_renewal_fixture_clerk_session  (EkApiServer *server);
/* The clerk applies (form, the two materials, submit) and the provider's check passes */
char           *ek_renewal_fixture_approved       (EkApiServer *server);

G_END_DECLS
