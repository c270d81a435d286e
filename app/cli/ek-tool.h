/* ek-tool.h: the commands of ekey-tool
 *
 * Each command is a function taking the arguments after its name (argv[0] is the command)
 * and returning the exit status. Output for scripts is JSON with stable keys; errors go to
 * stderr, in the user's language, with a non-zero status.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "ek-certificate-info.h"

G_BEGIN_DECLS

typedef int (*EkToolCommand) (int argc, char **argv);

int   ek_tool_catalogue   (int argc, char **argv);   /* ek-tool.c */
int   ek_tool_draft       (int argc, char **argv);   /* ek-tool-draft.c */
int   ek_tool_workdays    (int argc, char **argv);   /* ek-tool-draft.c */
int   ek_tool_document    (int argc, char **argv);   /* ek-tool-document.c */
int   ek_tool_form        (int argc, char **argv);   /* ek-tool-form.c */
int   ek_tool_cert        (int argc, char **argv);   /* ek-tool-cert.c */
int   ek_tool_token       (int argc, char **argv);   /* ek-tool-token.c */
int   ek_tool_material    (int argc, char **argv);   /* ek-tool-material.c */
int   ek_tool_scan        (int argc, char **argv);   /* ek-tool-material.c */
int   ek_tool_registry    (int argc, char **argv);   /* ek-tool-registry.c */
int   ek_tool_diagnose    (int argc, char **argv);   /* ek-tool-diagnose.c */
int   ek_tool_token_share (int argc, char **argv);   /* ek-tool-share.c */

/* Helpers shared by the commands (ek-tool-common.c) */
int       ek_tool_fail           (const char    *format,
                                  ...) G_GNUC_PRINTF (1, 2);
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

/* The certificate output `token list` and `cert show` share (ek-tool-cert.c) */
void  ek_tool_add_string_or_null  (JsonBuilder        *builder,
                                   const char         *name,
                                   const char         *value);
void  ek_tool_add_certificate     (JsonBuilder        *builder,
                                   EkCertificateInfo  *info,
                                   GDateTime          *now);
void  ek_tool_print_certificate   (EkCertificateInfo  *info,
                                   GDateTime          *now,
                                   const char         *indent);

G_END_DECLS
