/* ek-ui-key-fixture.h: the wizard's businesses done with the key, set up for a UI journey
 *
 * A SoftHSM2 key (tests/api/make-renewal-token.sh: PIN 123456, one certificate
 * CN=9999400000560-LUOYUN issued by the service's issuing CA 20 days before its expiry), the
 * only module the app loads; a real ekey-registry over HTTPS with that issuing CA, the key's
 * certificate recorded; the app registered against it. Everything lives in a temporary
 * XDG_DATA_HOME.
 */
#pragma once

#include "ek-api-fixture.h"
#include "ek-application.h"

G_BEGIN_DECLS

typedef struct
{
  char          *data_home;   /* XDG_DATA_HOME */
  char          *work_dir;    /* the clerk's own folder in it, for files to choose */
  EkApiServer   *server;
  EkApplication *app;
} EkUiKeyFixture;

/* Call before g_test_run(); it calls ek_ui_init(). @uscc and @name (both or neither) go with
 * the recorded certificate. */
EkUiKeyFixture *ek_ui_key_fixture_start (int         *argc,
                                         char      ***argv,
                                         const char  *uscc,
                                         const char  *name);
void            ek_ui_key_fixture_stop  (EkUiKeyFixture *fixture);

G_END_DECLS
