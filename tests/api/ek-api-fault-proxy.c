/* ek-api-fault-proxy.c: a real TLS relay that injects faults (see the header)
 *
 * Plain POSIX sockets and gnutls, one thread per connection (plus one for the client-to-registry
 * direction while relaying). A stop unblocks everything with shutdown(2).
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ek-api-fault-proxy.h"

typedef struct
{
  EkFault fault;
  guint   param;
} QueuedFault;

struct _EkFaultProxy
{
  int                               listen_fd;
  guint16                           port;
  guint16                           backend_port;
  char                             *url;
  gnutls_certificate_credentials_t  server_creds;
  gnutls_certificate_credentials_t  client_creds;
  GThread                          *accept_thread;

  GMutex                            lock;
  gboolean                          stopping;
  GQueue                            faults;
  GPtrArray                         *threads;     /* connection threads, joined on free */
  GArray                            *open_fds;    /* shut down on free */
  gsize                             throttle_chunk;
  guint                             throttle_delay_ms;
  guint                             connections;
  guint                             faults_served;
  guint                             backend_failures;
  guint64                           bytes_to_backend;
};

typedef struct
{
  EkFaultProxy     *proxy;
  int               client_fd;
  int               backend_fd;
  gnutls_session_t  client;
  gnutls_session_t  backend;
} Connection;

static void
track_fd (EkFaultProxy *proxy,
          int           fd,
          gboolean      add)
{
  g_mutex_lock (&proxy->lock);
  if (add)
    g_array_append_val (proxy->open_fds, fd);
  else
    for (guint i = 0; i < proxy->open_fds->len; i++)
      if (g_array_index (proxy->open_fds, int, i) == fd)
        {
          g_array_remove_index_fast (proxy->open_fds, i);
          break;
        }
  g_mutex_unlock (&proxy->lock);
}

/* send() without SIGPIPE when the other end is gone */
static ssize_t
push_no_signal (gnutls_transport_ptr_t  ptr,
                const void             *data,
                size_t                  len)
{
  return send ((int) (intptr_t) ptr, data, len, MSG_NOSIGNAL);
}

static gboolean
send_all (gnutls_session_t  session,
          const char       *data,
          gsize             len)
{
  while (len > 0)
    {
      ssize_t n = gnutls_record_send (session, data, len);

      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static ssize_t
recv_some (gnutls_session_t  session,
           char             *buffer,
           gsize             size)
{
  for (;;)
    {
      ssize_t n = gnutls_record_recv (session, buffer, size);

      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        continue;
      return n;
    }
}

/* Reads the request head (and a Content-Length body) so the client has sent everything */
static void
read_request (gnutls_session_t session)
{
  g_autoptr(GString) head = g_string_new (NULL);
  char buffer[4096];
  const char *end;
  const char *cl;
  gsize body = 0, have;

  while ((end = strstr (head->str, "\r\n\r\n")) == NULL && head->len < 65536)
    {
      ssize_t n = recv_some (session, buffer, sizeof buffer - 1);

      if (n <= 0)
        return;
      g_string_append_len (head, buffer, n);
    }
  if (end == NULL)
    return;
  cl = strcasestr (head->str, "\r\nContent-Length:");
  if (cl != NULL && cl < end)
    body = (gsize) g_ascii_strtoull (cl + strlen ("\r\nContent-Length:"), NULL, 10);
  have = head->len - (gsize) (end + 4 - head->str);
  while (have < body)
    {
      ssize_t n = recv_some (session, buffer, sizeof buffer);

      if (n <= 0)
        return;
      have += (gsize) n;
    }
}

static int
connect_backend (EkFaultProxy *proxy)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_family = AF_INET;
  addr.sin_port = htons (proxy->backend_port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

/* Client to registry, throttled if asked */
static gpointer
pump_upstream (gpointer user_data)
{
  Connection *conn = user_data;
  EkFaultProxy *proxy = conn->proxy;
  char buffer[16384];

  for (;;)
    {
      gsize chunk;
      guint delay;
      ssize_t n;

      g_mutex_lock (&proxy->lock);
      chunk = proxy->throttle_chunk > 0 ? MIN (proxy->throttle_chunk, sizeof buffer) : sizeof buffer;
      delay = proxy->throttle_delay_ms;
      g_mutex_unlock (&proxy->lock);

      n = recv_some (conn->client, buffer, chunk);
      if (n <= 0 || !send_all (conn->backend, buffer, (gsize) n))
        break;
      g_mutex_lock (&proxy->lock);
      proxy->bytes_to_backend += (guint64) n;
      g_mutex_unlock (&proxy->lock);
      if (delay > 0)
        g_usleep (delay * 1000);
    }
  /* Either side gone: make the other direction stop too */
  shutdown (conn->client_fd, SHUT_RDWR);
  shutdown (conn->backend_fd, SHUT_RDWR);
  return NULL;
}

static void
relay (Connection *conn,
       guint       drop_after)
{
  GThread *up = g_thread_new ("fault-proxy-up", pump_upstream, conn);
  char buffer[16384];
  guint64 sent = 0;

  for (;;)
    {
      ssize_t n = recv_some (conn->backend, buffer, sizeof buffer);
      gsize len;

      if (n <= 0)
        break;
      len = (gsize) n;
      if (drop_after > 0 && sent + len >= drop_after)
        {
          send_all (conn->client, buffer, (gsize) (drop_after - sent));
          break;
        }
      if (!send_all (conn->client, buffer, len))
        break;
      sent += len;
    }
  shutdown (conn->client_fd, SHUT_RDWR);
  shutdown (conn->backend_fd, SHUT_RDWR);
  g_thread_join (up);
}

static gpointer
serve_connection (gpointer user_data)
{
  Connection *conn = user_data;
  EkFaultProxy *proxy = conn->proxy;
  QueuedFault fault = { EK_FAULT_NONE, 0 };
  QueuedFault *queued;
  int rc;

  g_mutex_lock (&proxy->lock);
  proxy->connections++;
  queued = g_queue_pop_head (&proxy->faults);
  if (queued != NULL)
    {
      fault = *queued;
      proxy->faults_served++;
      g_free (queued);
    }
  g_mutex_unlock (&proxy->lock);

  gnutls_init (&conn->client, GNUTLS_SERVER);
  gnutls_set_default_priority (conn->client);
  gnutls_credentials_set (conn->client, GNUTLS_CRD_CERTIFICATE, proxy->server_creds);
  gnutls_transport_set_int (conn->client, conn->client_fd);
  gnutls_transport_set_push_function (conn->client, push_no_signal);
  gnutls_handshake_set_timeout (conn->client, GNUTLS_DEFAULT_HANDSHAKE_TIMEOUT);
  do
    rc = gnutls_handshake (conn->client);
  while (rc < 0 && gnutls_error_is_fatal (rc) == 0);
  if (rc < 0)
    goto out;

  switch (fault.fault)
    {
    case EK_FAULT_CLOSE:
      goto out;

    case EK_FAULT_SERVICE_UNAVAILABLE:
      {
        static const char body[] =
          "{\"type\":\"https://ekeyassistant.org/problems/internal\",\"title\":\"Service unavailable\","
          "\"status\":503,\"detail\":\"The service is being restarted.\",\"request_id\":\"fault-503\",\"errors\":[]}";
        g_autofree char *answer = NULL;

        read_request (conn->client);
        answer = g_strdup_printf ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
                                  "X-Request-Id: fault-503\r\nRetry-After: %u\r\nConnection: close\r\n"
                                  "Content-Length: %zu\r\n\r\n%s", fault.param, strlen (body), body);
        send_all (conn->client, answer, strlen (answer));
        gnutls_bye (conn->client, GNUTLS_SHUT_WR);
        goto out;
      }

    case EK_FAULT_STALL:
      {
        char byte;

        read_request (conn->client);
        /* Until the client gives up or the proxy stops */
        while (recv_some (conn->client, &byte, 1) > 0)
          ;
        goto out;
      }

    case EK_FAULT_NONE:
    case EK_FAULT_DROP_ANSWER:
    default:
      break;
    }

  conn->backend_fd = connect_backend (proxy);
  if (conn->backend_fd < 0)
    {
      g_mutex_lock (&proxy->lock);
      proxy->backend_failures++;
      g_mutex_unlock (&proxy->lock);
      goto out;
    }
  track_fd (proxy, conn->backend_fd, TRUE);
  gnutls_init (&conn->backend, GNUTLS_CLIENT);
  gnutls_set_default_priority (conn->backend);
  gnutls_credentials_set (conn->backend, GNUTLS_CRD_CERTIFICATE, proxy->client_creds);
  gnutls_session_set_verify_cert (conn->backend, NULL, 0);
  gnutls_transport_set_int (conn->backend, conn->backend_fd);
  gnutls_transport_set_push_function (conn->backend, push_no_signal);
  do
    rc = gnutls_handshake (conn->backend);
  while (rc < 0 && gnutls_error_is_fatal (rc) == 0);
  if (rc < 0)
    {
      g_mutex_lock (&proxy->lock);
      proxy->backend_failures++;
      g_mutex_unlock (&proxy->lock);
      goto out;
    }
  relay (conn, fault.fault == EK_FAULT_DROP_ANSWER ? MAX (fault.param, 1) : 0);

out:
  if (conn->backend != NULL)
    gnutls_deinit (conn->backend);
  if (conn->backend_fd >= 0)
    {
      track_fd (proxy, conn->backend_fd, FALSE);
      close (conn->backend_fd);
    }
  gnutls_deinit (conn->client);
  track_fd (proxy, conn->client_fd, FALSE);
  close (conn->client_fd);
  g_free (conn);
  return NULL;
}

static gpointer
accept_loop (gpointer user_data)
{
  EkFaultProxy *proxy = user_data;

  for (;;)
    {
      int fd = accept4 (proxy->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      Connection *conn;

      if (fd < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      g_mutex_lock (&proxy->lock);
      if (proxy->stopping)
        {
          g_mutex_unlock (&proxy->lock);
          close (fd);
          break;
        }
      g_array_append_val (proxy->open_fds, fd);
      conn = g_new0 (Connection, 1);
      conn->proxy = proxy;
      conn->client_fd = fd;
      conn->backend_fd = -1;
      g_ptr_array_add (proxy->threads, g_thread_new ("fault-proxy-conn", serve_connection, conn));
      g_mutex_unlock (&proxy->lock);
    }
  return NULL;
}

EkFaultProxy *
ek_fault_proxy_new (EkApiServer *server)
{
  EkFaultProxy *proxy = g_new0 (EkFaultProxy, 1);
  const EkApiTls *tls = ek_api_tls ();
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  g_autoptr(GUri) uri = g_uri_parse (server->base_url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
  proxy->backend_port = (guint16) g_uri_get_port (uri);
  g_mutex_init (&proxy->lock);
  g_queue_init (&proxy->faults);
  proxy->threads = g_ptr_array_new ();
  proxy->open_fds = g_array_new (FALSE, FALSE, sizeof (int));

  g_assert_cmpint (gnutls_certificate_allocate_credentials (&proxy->server_creds), ==, 0);
  g_assert_cmpint (gnutls_certificate_set_x509_key_file (proxy->server_creds, tls->server_cert, tls->server_key,
                                                         GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_certificate_allocate_credentials (&proxy->client_creds), ==, 0);
  g_assert_cmpint (gnutls_certificate_set_x509_trust_file (proxy->client_creds, tls->ca_cert,
                                                           GNUTLS_X509_FMT_PEM), ==, 1);

  proxy->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (proxy->listen_fd, >=, 0);
  /* A fixed receive buffer (no autotuning): like a slow link, the relay holds little in flight */
  g_assert_cmpint (setsockopt (proxy->listen_fd, SOL_SOCKET, SO_RCVBUF, &(int) { 256 * 1024 }, sizeof (int)), ==, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (proxy->listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (proxy->listen_fd, 16), ==, 0);
  g_assert_cmpint (getsockname (proxy->listen_fd, (struct sockaddr *) &addr, &len), ==, 0);
  proxy->port = ntohs (addr.sin_port);
  proxy->url = g_strdup_printf ("https://127.0.0.1:%u/api/v1", proxy->port);
  proxy->accept_thread = g_thread_new ("fault-proxy-accept", accept_loop, proxy);
  return proxy;
}

void
ek_fault_proxy_free (EkFaultProxy *proxy)
{
  g_autoptr(GPtrArray) threads = NULL;

  if (proxy == NULL)
    return;
  g_mutex_lock (&proxy->lock);
  proxy->stopping = TRUE;
  for (guint i = 0; i < proxy->open_fds->len; i++)
    shutdown (g_array_index (proxy->open_fds, int, i), SHUT_RDWR);
  g_mutex_unlock (&proxy->lock);
  shutdown (proxy->listen_fd, SHUT_RDWR);
  g_thread_join (proxy->accept_thread);
  close (proxy->listen_fd);

  /* No new connection threads now; unblock and join the remaining ones */
  g_mutex_lock (&proxy->lock);
  for (guint i = 0; i < proxy->open_fds->len; i++)
    shutdown (g_array_index (proxy->open_fds, int, i), SHUT_RDWR);
  threads = g_steal_pointer (&proxy->threads);
  g_mutex_unlock (&proxy->lock);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  g_queue_clear_full (&proxy->faults, g_free);
  g_array_unref (proxy->open_fds);
  gnutls_certificate_free_credentials (proxy->server_creds);
  gnutls_certificate_free_credentials (proxy->client_creds);
  g_mutex_clear (&proxy->lock);
  g_free (proxy->url);
  g_free (proxy);
}

const char *
ek_fault_proxy_get_url (EkFaultProxy *proxy)
{
  return proxy->url;
}

void
ek_fault_proxy_queue (EkFaultProxy *proxy,
                      EkFault       fault,
                      guint         param)
{
  QueuedFault *queued = g_new0 (QueuedFault, 1);

  queued->fault = fault;
  queued->param = param;
  g_mutex_lock (&proxy->lock);
  g_queue_push_tail (&proxy->faults, queued);
  /* The next request must take the fault: close the connections kept alive so far, as a
   * restarted service would (the client sees them closed and connects anew) */
  for (guint i = 0; i < proxy->open_fds->len; i++)
    shutdown (g_array_index (proxy->open_fds, int, i), SHUT_RDWR);
  g_mutex_unlock (&proxy->lock);
  /* Until the relays have noticed and closed their sockets */
  for (;;)
    {
      guint open;

      g_mutex_lock (&proxy->lock);
      open = proxy->open_fds->len;
      g_mutex_unlock (&proxy->lock);
      if (open == 0)
        break;
      g_usleep (1000);
    }
}

void
ek_fault_proxy_set_throttle (EkFaultProxy *proxy,
                             gsize         chunk,
                             guint         delay_ms)
{
  g_mutex_lock (&proxy->lock);
  proxy->throttle_chunk = chunk;
  proxy->throttle_delay_ms = delay_ms;
  g_mutex_unlock (&proxy->lock);
}

#define GETTER(name, type, field)            \
  type                                       \
  ek_fault_proxy_get_##name (EkFaultProxy *proxy) \
  {                                          \
    type value;                              \
    g_mutex_lock (&proxy->lock);             \
    value = proxy->field;                    \
    g_mutex_unlock (&proxy->lock);           \
    return value;                            \
  }

GETTER (connections, guint, connections)
GETTER (open_sockets, guint, open_fds->len)
GETTER (faults_served, guint, faults_served)
GETTER (backend_failures, guint, backend_failures)
GETTER (bytes_to_backend, guint64, bytes_to_backend)
