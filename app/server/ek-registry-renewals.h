/* ek-registry-renewals.h: renewal with the key, as the operator's commands see it */
#pragma once

G_BEGIN_DECLS

/* ekey-registry certificates --db FILE add CERT.pem [--uscc CODE] [--name NAME] | revoke SERIAL | list [--json] */
int ek_registry_cmd_certificates (int    argc,
                                  char **argv);

G_END_DECLS
