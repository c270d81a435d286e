/* ek-tool.h: the commands of ekey-tool
 *
 * Each command is a function taking the arguments after its name (argv[0] is the command)
 * and returning the exit status. Output for scripts is JSON with stable keys; errors go to
 * stderr, in the user's language, with a non-zero status.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ek-tool-token-list.h"   /* ek_tool_fail() too */

G_BEGIN_DECLS

typedef int (*EkToolCommand) (int argc, char **argv);

int   ek_tool_catalogue   (int argc, char **argv);
int   ek_tool_draft       (int argc, char **argv);   /* ek-tool-draft.c */
int   ek_tool_workdays    (int argc, char **argv);   /* ek-tool-draft.c */
int   ek_tool_cert        (int argc, char **argv);
int   ek_tool_token       (int argc, char **argv);
int   ek_tool_main        (int argc, char **argv);   /* ek-tool.c, called by the launcher */
int   ek_tool_material    (int argc, char **argv);   /* ek-tool-material.c */
int   ek_tool_scan        (int argc, char **argv);   /* ek-tool-material.c */
int   ek_tool_registry    (int argc, char **argv);   /* ek-tool-registry.c */
int   ek_tool_form        (int argc, char **argv);   /* ek-tool-form.c */
int   ek_tool_diagnose    (int argc, char **argv);   /* ek-tool-diagnose.c */
int   ek_tool_token_share (int argc, char **argv);   /* ek-tool-share.c */

/* Helpers shared by the commands (ek-tool-common.c) */
void      ek_tool_print_json     (JsonNode      *node);
gboolean  ek_tool_parse_options  (int           *argc,
                                  char        ***argv,
                                  const char    *parameters,
                                  const char    *summary,
                                  GOptionEntry  *entries,
                                  int            n_args,
                                  int           *status);
struct _EkApplicationDraft *
          ek_tool_load_draft     (const char    *id,
                                  int           *status);

G_END_DECLS
