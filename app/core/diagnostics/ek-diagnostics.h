/* ek-diagnostics.h: the helpdesk's report of what this computer sees
 *
 * One report, as JSON (stable keys, for `ekey-tool diagnose --json`) and as text whose first
 * line says in plain words what is wrong: versions, operating system, desktop and session type
 * (with the evidence of a remote session), locale; the key drivers, keys, PIN states and
 * certificates (codes partly masked); the smart-card service; key drivers installed but not in
 * use; the scanners the scan helper sees; the registration service's address, reachability,
 * TLS result and clock skew; the last errors with their request ids.
 *
 * Redacted by construction: the report holds typed values (versions, states, flags, dates,
 * masked codes) and passes every piece of free text through ek_redact_text(). It never holds a
 * PIN, a session token, an ID number, a full e-mail address or phone number.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"
#include "ek-token-manager.h"

G_BEGIN_DECLS

typedef enum
{
  EK_DIAGNOSTICS_FLAGS_NONE = 0,
  EK_DIAGNOSTICS_SKIP_SCANNERS = 1 << 0,   /* do not start the scan helper */
  EK_DIAGNOSTICS_SKIP_REGISTRY = 1 << 1,   /* do not contact the registration service */
} EkDiagnosticsFlags;

/* Blocking (runs the scan helper and one request to the service): call it from a thread or a
 * command-line program. @manager: the process's token manager, or NULL for a new one with the
 * settings' modules; @client: the registration client in use, or NULL for one from the
 * settings. */
JsonNode *ek_diagnostics_collect        (EkTokenManager      *manager,
                                         EkApiClient         *client,
                                         EkDiagnosticsFlags   flags,
                                         GCancellable        *cancellable);
void      ek_diagnostics_collect_async  (EkTokenManager      *manager,
                                         EkApiClient         *client,
                                         EkDiagnosticsFlags   flags,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
JsonNode *ek_diagnostics_collect_finish (GAsyncResult        *result,
                                         GError             **error);

/* Adds a library's version (the GUI adds GTK's) to a collected report */
void      ek_diagnostics_add_library    (JsonNode            *report,
                                         const char          *name,
                                         const char          *version);
/* The plain-language first line */
const char *ek_diagnostics_get_summary  (JsonNode            *report);
/* TRUE when the report saw a remote session and no key: the sharing advice applies */
gboolean  ek_diagnostics_wants_sharing  (JsonNode            *report);
/* The whole report as text, in the user's language: the summary first, details after */
char     *ek_diagnostics_to_text        (JsonNode            *report);
/* The advice on sharing a key into a remote session, with the command, in plain words */
char     *ek_diagnostics_sharing_advice (void);

G_END_DECLS
