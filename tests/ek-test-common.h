/* ek-test-common.h: small helpers shared by the C tests */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void        ek_test_init             (int    *argc,
                                      char ***argv);
const char *ek_test_build_root       (void);
const char *ek_test_source_root      (void);
char       *ek_test_artifact_path    (const char *name);
char       *ek_test_write_temp_file  (const char *name,
                                      const char *contents,
                                      gssize      length);
char       *ek_test_setup_sane       (const char *test_conf);
int         ek_test_run_tool         (const char * const *args,
                                      char              **out,
                                      char              **err);

G_END_DECLS
