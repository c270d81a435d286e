/* ek-registry-connections.h: every client connection released when it closes or stalls
 *
 * libsoup 3.2 keeps a keep-alive connection that the client closed between requests open for
 * good (CLOSE-WAIT, one descriptor each), and has no timeouts of its own. This watches each
 * connection: end of stream while idle or before a request's headers, and the header, body and
 * idle timeouts, end it (libsoup gives the connection up, we close it).
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  guint header_timeout;   /* seconds from a request's start to the end of its headers */
  guint body_timeout;     /* seconds of silence allowed while a body arrives */
  guint idle_timeout;     /* seconds a keep-alive connection may wait for its next request */
} EkRegistryTimeouts;

typedef struct _EkRegistryConnections EkRegistryConnections;

EkRegistryConnections *ek_registry_connections_new   (SoupServer               *soup,
                                                      const EkRegistryTimeouts *timeouts);
void                   ek_registry_connections_free  (EkRegistryConnections    *connections);
guint                  ek_registry_connections_count (EkRegistryConnections    *connections);
void                   ek_registry_connections_answer_now (EkRegistryConnections *connections,
                                                           SoupServerMessage     *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkRegistryConnections, ek_registry_connections_free)

G_END_DECLS
