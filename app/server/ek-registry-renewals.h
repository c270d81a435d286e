/* ek-registry-renewals.h: renewal with the key, as the reviewer's and operator's commands see it */
#pragma once

#include "ek-registry-db.h"

G_BEGIN_DECLS

gboolean    ek_registry_application_is_renewal (EkRegistryDb *db,
                                                const char   *application_id);
/* The state a review step starts from for this application, or NULL when the step is not part of
 * its business (a renewal has one review, re-review by the provider, straight after submission) */
const char *ek_registry_review_start           (EkRegistryDb *db,
                                                const char   *application_id,
                                                const char   *command,
                                                const char   *usual_from);
int         ek_registry_cmd_certificates       (int           argc,
                                                char        **argv);

G_END_DECLS
