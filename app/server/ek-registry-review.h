/* ek-registry-review.h: the reviewer's and operator's commands on seals and mobile authorisations */
#pragma once

#include "ek-registry-db.h"

G_BEGIN_DECLS

/* approve-seal | reject-seal (remark required) | make-seal; 0 when done, else the exit status */
int ek_registry_review_seal    (EkRegistryDb *db,
                                const char   *command,
                                const char   *id,
                                const char   *remark);

/* the phone app's 制作证书 for a submitted mobile authorisation */
int ek_registry_install_mobile (EkRegistryDb *db,
                                const char   *id);

G_END_DECLS
