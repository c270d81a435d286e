/* ek-registry-connections.c: connections released on close, header/body/idle timeouts */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "ek-registry-connections.h"

/* How soon the end-of-stream watch looks again after it saw bytes that libsoup had not read yet
 * (the next request, or a TLS close_notify before the FIN) */
#define EOF_RECHECK_MS 250

typedef enum
{
  STATE_HEADERS,   /* waiting for a request's headers (also between requests) */
  STATE_BODY,      /* a request's body is arriving */
  STATE_HANDLING,  /* the body is in: our handler and libsoup's writing, no deadline */
  STATE_IDLE,      /* the answer is written; waiting for the next request */
} ConnState;

struct _EkRegistryConnections
{
  SoupServer        *soup;
  EkRegistryTimeouts timeouts;
  GHashTable        *by_socket;   /* GSocket* → Conn */
};

typedef struct
{
  EkRegistryConnections *owner;
  GSocket               *socket;
  SoupServerMessage     *msg;          /* the current or last message: libsoup gives the connection up through it */
  ConnState              state;
  guint                  deadline_id;
  GSource               *eof_watch;
  guint                  recheck_id;
} Conn;

static void
conn_stop_eof_watch (Conn *conn)
{
  if (conn->eof_watch != NULL)
    {
      g_source_destroy (conn->eof_watch);
      g_clear_pointer (&conn->eof_watch, g_source_unref);
    }
  g_clear_handle_id (&conn->recheck_id, g_source_remove);
}

static void
conn_free (Conn *conn)
{
  conn_stop_eof_watch (conn);
  g_clear_handle_id (&conn->deadline_id, g_source_remove);
  g_clear_object (&conn->msg);
  g_clear_object (&conn->socket);
  g_free (conn);
}

/* Ends the connection: libsoup lets go of it (and of its own state for it), then it is closed */
static void
conn_close (Conn *conn)
{
  EkRegistryConnections *owner = conn->owner;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocket) socket = g_object_ref (conn->socket);

  /* Closed already: libsoup ended it itself */
  if (g_socket_is_closed (socket))
    {
      g_hash_table_remove (owner->by_socket, socket);
      return;
    }
  /* Over TLS, libsoup 3.2 crashes giving up a finished message's connection (and a shutdown
   * does not make it let go either): there the socket is closed under it, which frees the
   * descriptor, while libsoup keeps its objects for the connection (about 24 kB each) */
  if (conn->msg != NULL && soup_server_message_get_socket (conn->msg) == socket && !soup_server_is_https (owner->soup))
    stream = soup_server_message_steal_connection (conn->msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  else if (!g_socket_is_closed (socket))
    g_socket_close (socket, NULL);
  g_hash_table_remove (owner->by_socket, socket);
}

static gboolean
on_deadline (gpointer user_data)
{
  Conn *conn = user_data;

  conn->deadline_id = 0;
  g_debug ("Closing a connection: %s timeout", conn->state == STATE_IDLE ? "idle" :
           conn->state == STATE_BODY ? "body" : "header");
  conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
conn_arm (Conn  *conn,
          guint  seconds)
{
  g_clear_handle_id (&conn->deadline_id, g_source_remove);
  if (seconds > 0)
    conn->deadline_id = g_timeout_add_seconds (seconds, on_deadline, conn);
}

static void conn_start_eof_watch (Conn *conn);

static gboolean
on_recheck (gpointer user_data)
{
  Conn *conn = user_data;

  conn->recheck_id = 0;
  conn_start_eof_watch (conn);
  return G_SOURCE_REMOVE;
}

/* Readable while no request is being read in full: a peek tells the client's FIN (nothing to
 * read) from the next request (bytes, which libsoup reads) */
static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  Conn *conn = user_data;
  char byte;
  gssize n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;   /* libsoup read it first */
  g_clear_pointer (&conn->eof_watch, g_source_unref);
  if (n > 0)
    {
      conn->recheck_id = g_timeout_add (EOF_RECHECK_MS, on_recheck, conn);
      return G_SOURCE_REMOVE;
    }
  g_debug ("Closing a connection the client closed");
  conn_close (conn);
  return G_SOURCE_REMOVE;
}

static void
conn_start_eof_watch (Conn *conn)
{
  if (conn->eof_watch != NULL || conn->recheck_id != 0 || g_socket_is_closed (conn->socket) ||
      (conn->state != STATE_HEADERS && conn->state != STATE_IDLE))
    return;
  conn->eof_watch = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->eof_watch, G_SOURCE_FUNC (on_socket_readable), conn, NULL);
  g_source_attach (conn->eof_watch, NULL);
}

static Conn *
conn_for (EkRegistryConnections *owner,
          SoupServerMessage     *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  return socket != NULL ? g_hash_table_lookup (owner->by_socket, socket) : NULL;
}

static void
conn_enter (Conn      *conn,
            ConnState  state)
{
  conn->state = state;
  switch (state)
    {
    case STATE_HEADERS:
      conn_arm (conn, conn->owner->timeouts.header_timeout);
      conn_start_eof_watch (conn);
      break;
    case STATE_BODY:
      conn_stop_eof_watch (conn);
      conn_arm (conn, conn->owner->timeouts.body_timeout);
      break;
    case STATE_HANDLING:
      conn_stop_eof_watch (conn);
      conn_arm (conn, 0);
      break;
    case STATE_IDLE:
      conn_arm (conn, conn->owner->timeouts.idle_timeout);
      conn_start_eof_watch (conn);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_got_headers (SoupServerMessage     *msg,
                EkRegistryConnections *owner)
{
  Conn *conn = conn_for (owner, msg);

  if (conn != NULL && conn->msg == msg)
    conn_enter (conn, STATE_BODY);
}

/* Each piece of a body restarts the body timeout: it bounds silence, not a slow upload */
static void
on_got_chunk (SoupServerMessage     *msg,
              GBytes                *chunk,
              EkRegistryConnections *owner)
{
  Conn *conn = conn_for (owner, msg);

  if (conn != NULL && conn->msg == msg && conn->state == STATE_BODY)
    conn_arm (conn, owner->timeouts.body_timeout);
}

static void
on_got_body (SoupServerMessage     *msg,
             EkRegistryConnections *owner)
{
  Conn *conn = conn_for (owner, msg);

  if (conn != NULL && conn->msg == msg)
    conn_enter (conn, STATE_HANDLING);
}

static void
on_disconnected (SoupServerMessage     *msg,
                 EkRegistryConnections *owner)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Conn *conn = conn_for (owner, msg);

  if (conn != NULL && conn->msg == msg)
    g_hash_table_remove (owner->by_socket, socket);
}

static void
on_request_started (SoupServer            *soup,
                    SoupServerMessage     *msg,
                    EkRegistryConnections *owner)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Conn *conn;

  if (socket == NULL)
    return;
  conn = g_hash_table_lookup (owner->by_socket, socket);
  if (conn == NULL)
    {
      conn = g_new0 (Conn, 1);
      conn->owner = owner;
      conn->socket = g_object_ref (socket);
      g_hash_table_insert (owner->by_socket, socket, conn);
    }
  g_set_object (&conn->msg, msg);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), owner);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), owner);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), owner);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_disconnected), owner);
  conn_enter (conn, STATE_HEADERS);
}

static void
on_request_done (SoupServer            *soup,
                 SoupServerMessage     *msg,
                 EkRegistryConnections *owner)
{
  Conn *conn = conn_for (owner, msg);

  if (conn == NULL || conn->msg != msg)
    return;
  if (g_socket_is_closed (conn->socket))
    g_hash_table_remove (owner->by_socket, conn->socket);
  else
    conn_enter (conn, STATE_IDLE);
}

EkRegistryConnections *
ek_registry_connections_new (SoupServer               *soup,
                             const EkRegistryTimeouts *timeouts)
{
  EkRegistryConnections *owner = g_new0 (EkRegistryConnections, 1);

  owner->soup = soup;
  owner->timeouts = *timeouts;
  owner->by_socket = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) conn_free);
  g_signal_connect (soup, "request-started", G_CALLBACK (on_request_started), owner);
  g_signal_connect (soup, "request-finished", G_CALLBACK (on_request_done), owner);
  g_signal_connect (soup, "request-aborted", G_CALLBACK (on_request_done), owner);
  return owner;
}

void
ek_registry_connections_free (EkRegistryConnections *owner)
{
  if (owner == NULL)
    return;
  g_signal_handlers_disconnect_by_data (owner->soup, owner);
  g_clear_pointer (&owner->by_socket, g_hash_table_unref);
  g_free (owner);
}

guint
ek_registry_connections_count (EkRegistryConnections *owner)
{
  return g_hash_table_size (owner->by_socket);
}

/* ---- Answering before the body is read ---- */

/* After the answer, what the client still sends is read and dropped for a moment before the
 * connection is closed: closing with unread bytes makes the kernel send a reset, which can
 * destroy the answer before the client reads it (the "lingering close" of HTTP servers) */
#define LINGER_SECONDS 2

typedef struct
{
  GIOStream *stream;
  GSocket   *socket;
  GBytes    *answer;
  GSource   *drain;
  guint      linger_id;
} AnswerNow;

static void
on_answer_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

static void
answer_now_finish (AnswerNow *now)
{
  if (now->drain != NULL)
    {
      g_source_destroy (now->drain);
      g_source_unref (now->drain);
    }
  g_clear_handle_id (&now->linger_id, g_source_remove);
  g_io_stream_close_async (now->stream, G_PRIORITY_DEFAULT, NULL, on_answer_closed, NULL);
  g_object_unref (now->stream);
  g_object_unref (now->socket);
  g_bytes_unref (now->answer);
  g_free (now);
}

static gboolean
on_linger_over (gpointer user_data)
{
  AnswerNow *now = user_data;

  now->linger_id = 0;
  answer_now_finish (now);
  return G_SOURCE_REMOVE;
}

static gboolean
on_drain_readable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  AnswerNow *now = user_data;
  char scratch[16384];
  gssize n = g_socket_receive_with_blocking (socket, scratch, sizeof scratch, FALSE, NULL, NULL);

  if (n > 0)
    return G_SOURCE_CONTINUE;
  answer_now_finish (now);
  return G_SOURCE_REMOVE;
}

static void
on_answer_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AnswerNow *now = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL) ||
      g_socket_is_closed (now->socket) || !g_socket_shutdown (now->socket, FALSE, TRUE, NULL))
    {
      answer_now_finish (now);
      return;
    }
  now->drain = g_socket_create_source (now->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (now->drain, G_SOURCE_FUNC (on_drain_readable), now, NULL);
  g_source_attach (now->drain, NULL);
  now->linger_id = g_timeout_add_seconds (LINGER_SECONDS, on_linger_over, now);
}

static void
append_header (const char *name,
               const char *value,
               gpointer    user_data)
{
  if (g_ascii_strcasecmp (name, "Content-Length") != 0 && g_ascii_strcasecmp (name, "Connection") != 0 &&
      g_ascii_strcasecmp (name, "Content-Type") != 0)
    g_string_append_printf (user_data, "%s: %s\r\n", name, value);
}

/**
 * ek_registry_connections_answer_now:
 *
 * libsoup reads a whole request body before it writes any answer, even one set while the
 * headers were read. For a request refused on its headers alone (a declared body over the limit,
 * an upload without a session) that is the attacker's bandwidth and our time: the answer set on
 * @msg is written at once, and the connection closed, without reading the body.
 */
void
ek_registry_connections_answer_now (EkRegistryConnections *owner,
                                    SoupServerMessage     *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  const char *content_type = soup_message_headers_get_one (headers, "Content-Type");
  guint status = soup_server_message_get_status (msg);
  GString *answer = g_string_new (NULL);
  AnswerNow *now;
  GSocket *socket = soup_server_message_get_socket (msg);
  GIOStream *stream;

  /* libsoup has set Server and Date on the response headers already */
  g_string_append_printf (answer, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  soup_message_headers_foreach (headers, append_header, answer);
  if (content_type != NULL)
    g_string_append_printf (answer, "Content-Type: %s\r\n", content_type);
  g_string_append_printf (answer, "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          g_bytes_get_size (body));
  g_string_append_len (answer, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body));

  if (socket == NULL || g_socket_is_closed (socket))
    {
      g_string_free (answer, TRUE);
      return;
    }
  g_hash_table_remove (owner->by_socket, socket);
  now = g_new0 (AnswerNow, 1);
  now->socket = g_object_ref (socket);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      g_object_unref (now->socket);
      g_free (now);
      g_string_free (answer, TRUE);
      return;
    }
  now->stream = stream;
  now->answer = g_string_free_to_bytes (answer);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), g_bytes_get_data (now->answer, NULL),
                                   g_bytes_get_size (now->answer), G_PRIORITY_DEFAULT, NULL, on_answer_written, now);
}
