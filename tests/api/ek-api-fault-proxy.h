/* ek-api-fault-proxy.h: a real TLS relay in front of a real ekey-registry that injects faults
 *
 * The registry cannot be made to answer 503, drop a connection half-way through an answer or
 * stall; this relay can. It terminates TLS with the fixture's server certificate (so the client
 * verifies it exactly as it verifies the registry), opens its own TLS connection to the
 * registry, and relays the bytes. Each accepted connection takes the next queued fault; with the
 * queue empty it relays faithfully. Queueing a fault closes the connections kept alive so far. Nothing in the client is mocked.
 */
#pragma once

#include "ek-api-fixture.h"

G_BEGIN_DECLS

typedef enum
{
  EK_FAULT_NONE,                 /* relay */
  EK_FAULT_SERVICE_UNAVAILABLE,  /* read the request, answer 503 problem+json, Retry-After: param */
  EK_FAULT_DROP_ANSWER,          /* relay the request, cut the answer after param bytes */
  EK_FAULT_CLOSE,                /* close straight after the TLS handshake */
  EK_FAULT_STALL,                /* read the request, never answer */
} EkFault;

typedef struct _EkFaultProxy EkFaultProxy;

EkFaultProxy *ek_fault_proxy_new                  (EkApiServer  *server);
void          ek_fault_proxy_free                 (EkFaultProxy *proxy);
/* https://127.0.0.1:PORT/api/v1 */
const char   *ek_fault_proxy_get_url              (EkFaultProxy *proxy);
void          ek_fault_proxy_queue                (EkFaultProxy *proxy,
                                                   EkFault       fault,
                                                   guint         param);
/* Relay the client's bytes chunk by chunk with a pause between (0, 0: at full speed) */
void          ek_fault_proxy_set_throttle         (EkFaultProxy *proxy,
                                                   gsize         chunk,
                                                   guint         delay_ms);
guint         ek_fault_proxy_get_connections      (EkFaultProxy *proxy);
guint         ek_fault_proxy_get_faults_served    (EkFaultProxy *proxy);
guint         ek_fault_proxy_get_backend_failures (EkFaultProxy *proxy);
guint64       ek_fault_proxy_get_bytes_to_backend (EkFaultProxy *proxy);
/* Sockets the proxy still has open (client and registry sides); 0 once all relays ended */
guint         ek_fault_proxy_get_open_sockets     (EkFaultProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkFaultProxy, ek_fault_proxy_free)

G_END_DECLS
