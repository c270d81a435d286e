/* ek-registry-client-transport.c: requests over libcurl, with retries, limits and cancellation
 *
 * Each transfer runs on the calling worker thread in a "lane": a multi handle with one easy
 * handle. A lane keeps its connections open between requests and goes back to a pool, so
 * consecutive calls reuse a connection; DNS answers and TLS sessions are shared between lanes
 * through one CURLSH. The multi handle lets a GCancellable wake the transfer at once
 * (curl_multi_wakeup), so a cancel aborts within milliseconds, mid-upload too.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-image.h"
#include "ek-api-client-private.h"

typedef struct
{
  CURLM *multi;
  CURL  *easy;
} Lane;

/* ---- Progress, delivered in the caller's main context ---- */

typedef struct
{
  gatomicrefcount         ref_count;
  EkApiProgressFunc  func;
  gpointer                data;
  GDestroyNotify          notify;
  GMainContext           *context;
  GMutex                  lock;
  gint64                  sent;      /* guarded by lock */
  gboolean                pending;   /* guarded by lock: an idle is on its way */
  gint64                  total;
  gint64                  last_delivered;   /* the caller's context only */
} Progress;

static Progress *
progress_ref (Progress *progress)
{
  g_atomic_ref_count_inc (&progress->ref_count);
  return progress;
}

static void
progress_unref (Progress *progress)
{
  if (!g_atomic_ref_count_dec (&progress->ref_count))
    return;
  if (progress->notify != NULL)
    progress->notify (progress->data);
  g_clear_pointer (&progress->context, g_main_context_unref);
  g_mutex_clear (&progress->lock);
  g_free (progress);
}

static gboolean
progress_dispatch (gpointer user_data)
{
  Progress *progress = user_data;
  gint64 sent;

  g_mutex_lock (&progress->lock);
  progress->pending = FALSE;
  sent = progress->sent;
  g_mutex_unlock (&progress->lock);
  if (sent != progress->last_delivered && progress->func != NULL)
    {
      progress->last_delivered = sent;
      progress->func ((goffset) sent, (goffset) progress->total, progress->data);
    }
  return G_SOURCE_REMOVE;
}

static void
progress_post (Progress *progress,
               gint64    sent)
{
  GSource *source;

  gboolean schedule;

  g_mutex_lock (&progress->lock);
  progress->sent = sent;
  schedule = !progress->pending;
  progress->pending = TRUE;
  g_mutex_unlock (&progress->lock);
  if (!schedule)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_dispatch, progress_ref (progress),
                         (GDestroyNotify) progress_unref);
  g_source_set_static_name (source, "[ek] upload progress");
  g_source_attach (source, progress->context);
  g_source_unref (source);
}

static gboolean
progress_release_cb (gpointer user_data)
{
  progress_unref (user_data);
  return G_SOURCE_REMOVE;
}

void
ek_api_request_free (EkApiRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->path);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->png, g_bytes_unref);
  g_free (request->idempotency_key);
  g_clear_object (&request->upload);
  /* The caller's data is released in the caller's context */
  if (request->progress_notify != NULL)
    {
      GMainContext *context = request->progress_context != NULL ? request->progress_context : g_main_context_default ();
      Progress *holder = g_new0 (Progress, 1);

      g_atomic_ref_count_init (&holder->ref_count);
      g_mutex_init (&holder->lock);
      holder->data = request->progress_data;
      holder->notify = request->progress_notify;
      holder->context = g_main_context_ref (context);
      g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, progress_release_cb, holder, NULL);
    }
  g_clear_pointer (&request->progress_context, g_main_context_unref);
  g_free (request);
}

/* ---- One transfer ---- */

typedef struct
{
  EkApiRequest *request;
  GCancellable      *cancellable;
  GByteArray        *body;
  gsize              max_body;
  gboolean           too_large;
  char              *request_id;    /* the service's X-Request-Id */
  char              *retry_after;
  gboolean           replayed;
  gint64             server_time;   /* the answer's Date, Unix time; 0 when absent */
  GInputStream      *stream;        /* uploads */
  GError            *read_error;
  Progress          *progress;
} Transfer;

static void
transfer_clear (Transfer *t)
{
  /* An answer may hold a session token or ID numbers */
  if (t->body != NULL && t->body->len > 0)
    explicit_bzero (t->body->data, t->body->len);
  g_clear_pointer (&t->body, g_byte_array_unref);
  g_clear_pointer (&t->request_id, g_free);
  g_clear_pointer (&t->retry_after, g_free);
  g_clear_error (&t->read_error);
}

static size_t
on_body (char   *data,
         size_t  size,
         size_t  n,
         void   *user_data)
{
  Transfer *t = user_data;
  size_t len = size * n;

  if (t->body->len + len > t->max_body)
    {
      t->too_large = TRUE;
      return 0;   /* CURLE_WRITE_ERROR: stop reading */
    }
  g_byte_array_append (t->body, (const guint8 *) data, (guint) len);
  return len;
}

static gboolean
is_header_token (const char *value,
                 gsize       max)
{
  gsize n = strlen (value);

  if (n == 0 || n > max)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isgraph (value[i]))
      return FALSE;
  return TRUE;
}

static size_t
on_header (char   *data,
           size_t  size,
           size_t  n,
           void   *user_data)
{
  Transfer *t = user_data;
  size_t len = size * n;
  g_autofree char *line = NULL;
  char *colon;
  const char *value;

  if (len >= 5 && memcmp (data, "HTTP/", 5) == 0)
    {
      /* A new response (after "100 Continue", say): forget the previous one's headers */
      g_clear_pointer (&t->request_id, g_free);
      g_clear_pointer (&t->retry_after, g_free);
      t->replayed = FALSE;
      return len;
    }
  if (len > 1024)
    return len;
  line = g_strndup (data, len);
  colon = strchr (line, ':');
  if (colon == NULL)
    return len;
  *colon = '\0';
  value = g_strstrip (colon + 1);

  if (g_ascii_strcasecmp (line, "X-Request-Id") == 0 && is_header_token (value, 64))
    {
      g_free (t->request_id);
      t->request_id = g_strdup (value);
    }
  else if (g_ascii_strcasecmp (line, "Retry-After") == 0 && is_header_token (value, 64))
    {
      g_free (t->retry_after);
      t->retry_after = g_strdup (value);
    }
  else if (g_ascii_strcasecmp (line, "Idempotent-Replayed") == 0)
    t->replayed = g_ascii_strcasecmp (value, "true") == 0;
  else if (g_ascii_strcasecmp (line, "Date") == 0)
    {
      /* For the helpdesk's clock-skew line: a clock far off breaks TLS and key log-in */
      time_t date = curl_getdate (value, NULL);

      t->server_time = date > 0 ? (gint64) date : 0;
    }
  return len;
}

static size_t
on_read (char   *buffer,
         size_t  size,
         size_t  n,
         void   *user_data)
{
  Transfer *t = user_data;
  gssize got;

  got = g_input_stream_read (t->stream, buffer, size * n, t->cancellable, &t->read_error);
  if (got < 0)
    return CURL_READFUNC_ABORT;
  return (size_t) got;
}

static int
on_seek (void       *user_data,
         curl_off_t  offset,
         int         origin)
{
  Transfer *t = user_data;

  if (!g_seekable_seek (G_SEEKABLE (t->stream), (goffset) offset,
                        origin == SEEK_SET ? G_SEEK_SET : origin == SEEK_CUR ? G_SEEK_CUR : G_SEEK_END,
                        t->cancellable, NULL))
    return CURL_SEEKFUNC_CANTSEEK;
  return CURL_SEEKFUNC_OK;
}

static int
on_progress (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  Transfer *t = user_data;

  if (g_cancellable_is_cancelled (t->cancellable))
    return 1;   /* CURLE_ABORTED_BY_CALLBACK */
  if (t->progress != NULL && ulnow > 0)
    progress_post (t->progress, MIN ((gint64) ulnow, t->progress->total));
  return 0;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  curl_multi_wakeup (user_data);
}

/* ---- Lanes: connection reuse ---- */

static void
share_lock (CURL             *handle,
            curl_lock_data    data,
            curl_lock_access  access,
            void             *user_data)
{
  EkApiClient *self = user_data;

  g_mutex_lock (&self->share_locks[data]);
}

static void
share_unlock (CURL           *handle,
              curl_lock_data  data,
              void           *user_data)
{
  EkApiClient *self = user_data;

  g_mutex_unlock (&self->share_locks[data]);
}

void
ek_api_client_transport_init (EkApiClient *self)
{
  static gsize curl_ready;

  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }
  for (guint i = 0; i < CURL_LOCK_DATA_LAST; i++)
    g_mutex_init (&self->share_locks[i]);
  self->share = curl_share_init ();
  curl_share_setopt (self->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt (self->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt (self->share, CURLSHOPT_USERDATA, self);
  curl_share_setopt (self->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt (self->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  self->idle_lanes = g_ptr_array_new ();
}

static void
lane_free (Lane *lane)
{
  curl_multi_cleanup (lane->multi);
  curl_easy_cleanup (lane->easy);
  g_free (lane);
}

void
ek_api_client_transport_finalize (EkApiClient *self)
{
  if (self->idle_lanes != NULL)
    {
      for (guint i = 0; i < self->idle_lanes->len; i++)
        lane_free (g_ptr_array_index (self->idle_lanes, i));
      g_clear_pointer (&self->idle_lanes, g_ptr_array_unref);
    }
  if (self->share != NULL)
    {
      curl_share_cleanup (self->share);
      self->share = NULL;
      for (guint i = 0; i < CURL_LOCK_DATA_LAST; i++)
        g_mutex_clear (&self->share_locks[i]);
    }
}

static Lane *
lane_take (EkApiClient *self)
{
  Lane *lane = NULL;

  g_mutex_lock (&self->lock);
  if (self->idle_lanes->len > 0)
    lane = g_ptr_array_steal_index (self->idle_lanes, self->idle_lanes->len - 1);
  g_mutex_unlock (&self->lock);

  if (lane == NULL)
    {
      lane = g_new0 (Lane, 1);
      lane->multi = curl_multi_init ();
      lane->easy = curl_easy_init ();
      if (lane->multi == NULL || lane->easy == NULL)
        g_error ("libcurl could not allocate a handle");
    }
  else
    curl_easy_reset (lane->easy);
  return lane;
}

static void
lane_give_back (EkApiClient *self,
                Lane             *lane)
{
  g_mutex_lock (&self->lock);
  if (self->idle_lanes->len < 4)
    {
      g_ptr_array_add (self->idle_lanes, lane);
      lane = NULL;
    }
  g_mutex_unlock (&self->lock);
  if (lane != NULL)
    lane_free (lane);
}

/* ---- Errors ---- */

typedef enum
{
  OUTCOME_DONE,        /* an HTTP answer */
  OUTCOME_RETRY,       /* a transport failure that a retry may fix */
  OUTCOME_FAILED,      /* a transport failure that a retry will not fix */
} Outcome;

static char *
host_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : url);
}

static Outcome
map_curl_error (EkApiClient *self,
                CURLcode          code,
                Transfer         *t,
                GError          **error)
{
  g_autofree char *host = host_of (self->base_url);

  switch ((int) code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      g_set_error (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE,
                   _("Cannot reach the registration service (%s). Check that this computer is "
                     "connected to the network and that the proxy setting is right, then try again."),
                   host);
      return OUTCOME_RETRY;

    case CURLE_OPERATION_TIMEDOUT:
      g_set_error (error, EK_API_ERROR, EK_API_ERROR_TIMEOUT,
                   _("The registration service (%s) did not answer in time. Try again; "
                     "if it keeps happening, check the network connection."), host);
      return OUTCOME_RETRY;

    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      g_set_error (error, EK_API_ERROR, EK_API_ERROR_TLS,
                   _("The identity of the registration service (%s) could not be verified, so "
                     "nothing was sent. Check the date and time of this computer and the "
                     "certificate setting; if it persists, tell the helpdesk."), host);
      return OUTCOME_FAILED;

    case CURLE_WRITE_ERROR:
      if (t->too_large)
        {
          g_set_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
                       _("The registration service sent an answer that is far too large. "
                         "Try again later; if it keeps happening, tell the helpdesk."));
          return OUTCOME_FAILED;
        }
      break;

    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      if (t->read_error != NULL && !g_error_matches (t->read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_set_error (error, t->read_error->domain, t->read_error->code,
                       _("The file could not be read: %s"), t->read_error->message);
          return OUTCOME_FAILED;
        }
      if (g_cancellable_is_cancelled (t->cancellable))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
          return OUTCOME_FAILED;
        }
      break;

    default:
      break;
    }

  g_set_error (error, EK_API_ERROR, EK_API_ERROR_DROPPED,
               _("The connection to the registration service (%s) was lost before the answer "
                 "arrived. Try again; nothing you entered is lost."), host);
  return OUTCOME_RETRY;
}

/* ---- JSON, checked before it is parsed ---- */

JsonNode *
ek_api_parse_json (const char  *data,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean in_string = FALSE;
  guint depth = 0;

  if (length == 0 || length > G_MAXSSIZE || !g_utf8_validate_len (data, length, NULL))
    goto invalid;
  /* json-glib parses recursively: refuse deep nesting before it sees it */
  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > EK_API_MAX_DEPTH)
            goto invalid;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error) ||
      json_parser_get_root (parser) == NULL)
    goto invalid;
  return json_node_ref (json_parser_get_root (parser));

invalid:
  g_set_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
               _("The registration service sent an answer this version cannot read. "
                 "Try again later; if it keeps happening, tell the helpdesk."));
  return NULL;
}

static gboolean
content_type_is (const char *content_type,
                 const char *expected)
{
  gsize n = strlen (expected);

  return content_type != NULL && g_ascii_strncasecmp (content_type, expected, n) == 0 &&
         (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

static char *
with_request_id (const char *sentence,
                 const char *request_id)
{
  if (request_id == NULL)
    return g_strdup (sentence);
  /* Translators: the first %s is a full sentence, the second the request id for the helpdesk */
  return g_strdup_printf (_("%s (request %s)"), sentence, request_id);
}

/* The error for an HTTP answer that is not 2xx */
static void
set_http_error (EkApiClient *self,
                long              status,
                const char       *content_type,
                Transfer         *t,
                gboolean          had_session,
                GError          **error)
{
  g_autoptr(EkApiProblem) problem = NULL;
  g_autofree char *message = NULL;
  const char *request_id = t->request_id;
  EkApiError code;

  if (content_type_is (content_type, "application/problem+json") && t->body->len <= EK_API_MAX_PROBLEM)
    {
      g_autoptr(JsonNode) node = ek_api_parse_json ((const char *) t->body->data, t->body->len, NULL);

      if (node != NULL)
        problem = ek_api_problem_new_from_json (node, NULL);
    }
  if (problem != NULL && problem->request_id == NULL && request_id != NULL)
    problem->request_id = g_strdup (request_id);
  if (problem != NULL && problem->request_id != NULL)
    request_id = problem->request_id;

  if (problem != NULL && g_str_equal (problem->type_slug, "session-expired"))
    code = EK_API_ERROR_SESSION_EXPIRED;
  else if (status == 401 && had_session)
    code = EK_API_ERROR_SESSION_EXPIRED;
  else if (status >= 500)
    code = EK_API_ERROR_SERVER;
  else if (problem != NULL)
    code = EK_API_ERROR_PROBLEM;
  else
    code = EK_API_ERROR_INVALID_RESPONSE;

  if (code == EK_API_ERROR_SESSION_EXPIRED)
    message = with_request_id (_("Your log-in has expired. Log in again to carry on where you left off."),
                               request_id);
  else if (code == EK_API_ERROR_SERVER)
    {
      g_autofree char *sentence = g_strdup_printf (_("The registration service has a problem right "
                                                     "now (error %ld). Try again in a few minutes."),
                                                   status);
      message = with_request_id (sentence, request_id);
    }
  else if (problem != NULL)
    message = with_request_id (problem->detail != NULL && *problem->detail != '\0' ? problem->detail :
                               problem->title != NULL ? problem->title : _("The request was refused."),
                               request_id);
  else
    {
      g_autofree char *sentence = g_strdup_printf (_("The registration service gave an answer this "
                                                     "version cannot read (error %ld). Try again "
                                                     "later; if it keeps happening, tell the helpdesk."),
                                                   status);
      message = with_request_id (sentence, request_id);
    }

  if (error != NULL)
    {
      *error = g_error_new_literal (EK_API_ERROR, code, message);
      if (problem != NULL)
        ek_api_error_take_problem (*error, g_steal_pointer (&problem));
    }
}

/* ---- Waiting between attempts ---- */

static gboolean
sleep_cancellable (guint         ms,
                   GCancellable *cancellable)
{
  GPollFD pfd;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pfd))
    {
      g_poll (&pfd, 1, (int) ms);
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) ms * 1000);
  return !g_cancellable_is_cancelled (cancellable);
}

/* Retry-After in seconds (delta or HTTP date); -1 when absent or unreadable */
static gint64
parse_retry_after (const char *value)
{
  gint64 seconds;
  time_t when;

  if (value == NULL)
    return -1;
  if (g_ascii_string_to_signed (value, 10, 0, G_MAXINT32, &seconds, NULL))
    return seconds;
  when = curl_getdate (value, NULL);
  if (when < 0)
    return -1;
  return MAX (0, (gint64) when - g_get_real_time () / G_USEC_PER_SEC);
}

static guint
backoff_for (EkApiClient *self,
             guint             attempt)
{
  guint64 ms = (guint64) self->backoff_ms << MIN (attempt, 6);

  ms = MIN (ms, 8000);
  /* Up to a quarter of jitter, so that many clients do not come back together */
  return (guint) (ms - ms / 4 + (guint64) g_random_int_range (0, (gint32) (ms / 4 + 1)));
}

/* ---- The request ---- */

static const char *
sniffed_content_type (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  guint8 head[64];
  gsize got = 0;

  if (!g_input_stream_read_all (stream, head, sizeof head, &got, cancellable, error))
    return NULL;
  if (!g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, cancellable, error))
    return NULL;
  switch (ek_image_format_sniff (head, got))
    {
    case EK_IMAGE_FORMAT_PNG: return "image/png";
    case EK_IMAGE_FORMAT_JPEG: return "image/jpeg";
    case EK_IMAGE_FORMAT_GIF: return "image/gif";
    case EK_IMAGE_FORMAT_PDF: return "application/pdf";
    case EK_IMAGE_FORMAT_TIFF: return "image/tiff";
    case EK_IMAGE_FORMAT_BMP: return "image/bmp";
    case EK_IMAGE_FORMAT_WEBP: return "image/webp";
    case EK_IMAGE_FORMAT_HEIF: return "image/heif";
    case EK_IMAGE_FORMAT_SVG: return "image/svg+xml";
    case EK_IMAGE_FORMAT_UNKNOWN:
    default:
      return "application/octet-stream";
    }
}

static char *
new_request_id (void)
{
  return g_strdup_printf ("c%08x%08x", g_random_int (), g_random_int ());
}

JsonNode *
ek_api_client_perform (EkApiClient  *self,
                            EkApiRequest *request,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autofree char *url = g_strconcat (self->base_url, request->path, NULL);
  g_autofree char *client_request_id = new_request_id ();
  g_autoptr(GFileInputStream) file_stream = NULL;
  g_autoptr(GFileInfo) file_info = NULL;
  const char *upload_type = NULL;
  goffset upload_size = 0;
  Progress *progress = NULL;
  JsonNode *result = NULL;
  guint attempt = 0;

  if (request->upload != NULL)
    {
      file_stream = g_file_read (request->upload, cancellable, error);
      if (file_stream != NULL)
        file_info = g_file_input_stream_query_info (file_stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                    cancellable, error);
      if (file_info != NULL)
        upload_type = sniffed_content_type (G_INPUT_STREAM (file_stream), cancellable, error);
      if (upload_type == NULL)
        {
          if (error != NULL && *error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_prefix_error (error, _("The file to upload could not be read; nothing was sent. "));
          return NULL;
        }
      upload_size = g_file_info_get_size (file_info);
      if (request->progress != NULL)
        {
          progress = g_new0 (Progress, 1);
          g_atomic_ref_count_init (&progress->ref_count);
          g_mutex_init (&progress->lock);
          progress->func = request->progress;
          progress->data = request->progress_data;
          progress->context = g_main_context_ref (request->progress_context != NULL ?
                                                  request->progress_context :
                                                  g_main_context_default ());
          progress->total = upload_size;
          progress->last_delivered = -1;
        }
    }

  for (;;)
    {
      Lane *lane;
      Transfer t = { 0 };
      struct curl_slist *headers = NULL;
      g_autofree char *auth = NULL;
      g_autofree char *lang = NULL;
      g_autofree char *rid = NULL;
      g_autofree char *key = NULL;
      g_autofree char *ctype_header = NULL;
      g_autofree char *proxy = NULL;
      char errbuf[CURL_ERROR_SIZE] = "";
      CURLcode code = CURLE_OK;
      CURLMsg *msg;
      int running = 1, queued;
      gulong cancel_id = 0;
      gboolean had_session;
      g_autoptr(GError) attempt_error = NULL;
      Outcome outcome;
      long status = 0;
      char *content_type = NULL;
      gint64 delay_ms = -1;
      gboolean retry;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      t.request = request;
      t.cancellable = cancellable;
      t.body = g_byte_array_new ();
      t.max_body = request->max_response;
      t.stream = file_stream != NULL ? G_INPUT_STREAM (file_stream) : NULL;
      t.progress = progress;
      if (t.stream != NULL && !g_seekable_seek (G_SEEKABLE (t.stream), 0, G_SEEK_SET, cancellable, error))
        {
          transfer_clear (&t);
          goto out;
        }

      lane = lane_take (self);

      g_mutex_lock (&self->lock);
      had_session = self->token != NULL;
      if (had_session)
        auth = g_strconcat ("Authorization: Bearer ", self->token, NULL);
      g_free (self->last_request_id);
      self->last_request_id = g_strdup (client_request_id);
      lang = g_strconcat ("Accept-Language: ", self->language, NULL);
      proxy = g_strdup (self->proxy);
      g_mutex_unlock (&self->lock);

      rid = g_strconcat ("X-Request-Id: ", client_request_id, NULL);
      headers = curl_slist_append (headers, "Accept: application/json, application/problem+json");
      headers = curl_slist_append (headers, lang);
      headers = curl_slist_append (headers, rid);
      if (auth != NULL)
        headers = curl_slist_append (headers, auth);
      if (request->idempotency_key != NULL)
        {
          key = g_strconcat ("Idempotency-Key: ", request->idempotency_key, NULL);
          headers = curl_slist_append (headers, key);
        }

      curl_easy_setopt (lane->easy, CURLOPT_URL, url);
      curl_easy_setopt (lane->easy, CURLOPT_PROTOCOLS_STR, "https");
      curl_easy_setopt (lane->easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
      curl_easy_setopt (lane->easy, CURLOPT_FOLLOWLOCATION, 0L);
      curl_easy_setopt (lane->easy, CURLOPT_SHARE, self->share);
      curl_easy_setopt (lane->easy, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt (lane->easy, CURLOPT_ERRORBUFFER, errbuf);
      /* TLS verification is never switched off */
      curl_easy_setopt (lane->easy, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt (lane->easy, CURLOPT_SSL_VERIFYHOST, 2L);
      if (self->ca_file != NULL)
        curl_easy_setopt (lane->easy, CURLOPT_CAINFO, self->ca_file);
      /* A proxy from the settings applies to the service whatever no_proxy says; without one,
       * libcurl follows https_proxy / all_proxy / no_proxy from the environment */
      if (proxy != NULL)
        {
          curl_easy_setopt (lane->easy, CURLOPT_PROXY, proxy);
          curl_easy_setopt (lane->easy, CURLOPT_NOPROXY, "");
        }
      curl_easy_setopt (lane->easy, CURLOPT_CONNECTTIMEOUT, (long) self->connect_timeout);
      curl_easy_setopt (lane->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt (lane->easy, CURLOPT_LOW_SPEED_TIME, (long) self->stall_timeout);
      curl_easy_setopt (lane->easy, CURLOPT_WRITEFUNCTION, on_body);
      curl_easy_setopt (lane->easy, CURLOPT_WRITEDATA, &t);
      curl_easy_setopt (lane->easy, CURLOPT_HEADERFUNCTION, on_header);
      curl_easy_setopt (lane->easy, CURLOPT_HEADERDATA, &t);
      curl_easy_setopt (lane->easy, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (lane->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt (lane->easy, CURLOPT_XFERINFODATA, &t);
      curl_easy_setopt (lane->easy, CURLOPT_ACCEPT_ENCODING, NULL);

      if (request->upload != NULL)
        {
          ctype_header = g_strconcat ("Content-Type: ", upload_type, NULL);
          headers = curl_slist_append (headers, ctype_header);
          curl_easy_setopt (lane->easy, CURLOPT_UPLOAD, 1L);
          curl_easy_setopt (lane->easy, CURLOPT_CUSTOMREQUEST, request->method);
          curl_easy_setopt (lane->easy, CURLOPT_READFUNCTION, on_read);
          curl_easy_setopt (lane->easy, CURLOPT_READDATA, &t);
          curl_easy_setopt (lane->easy, CURLOPT_SEEKFUNCTION, on_seek);
          curl_easy_setopt (lane->easy, CURLOPT_SEEKDATA, &t);
          curl_easy_setopt (lane->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t) upload_size);
        }
      else if (request->body != NULL)
        {
          gsize len;
          const char *data = g_bytes_get_data (request->body, &len);

          headers = curl_slist_append (headers, "Content-Type: application/json");
          curl_easy_setopt (lane->easy, CURLOPT_CUSTOMREQUEST, request->method);
          curl_easy_setopt (lane->easy, CURLOPT_POSTFIELDS, data);
          curl_easy_setopt (lane->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
        }
      else if (g_str_equal (request->method, "POST"))
        {
          curl_easy_setopt (lane->easy, CURLOPT_POSTFIELDS, "");
          curl_easy_setopt (lane->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) 0);
        }
      else if (!g_str_equal (request->method, "GET"))
        curl_easy_setopt (lane->easy, CURLOPT_CUSTOMREQUEST, request->method);
      curl_easy_setopt (lane->easy, CURLOPT_HTTPHEADER, headers);

      if (cancellable != NULL)
        cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), lane->multi, NULL);

      curl_multi_add_handle (lane->multi, lane->easy);
      while (running > 0)
        {
          CURLMcode mc = curl_multi_perform (lane->multi, &running);

          if (mc != CURLM_OK)
            break;
          if (g_cancellable_is_cancelled (cancellable))
            break;
          if (running > 0 && curl_multi_poll (lane->multi, NULL, 0, 1000, NULL) != CURLM_OK)
            break;
          if (g_cancellable_is_cancelled (cancellable))
            break;
        }
      code = CURLE_ABORTED_BY_CALLBACK;
      while ((msg = curl_multi_info_read (lane->multi, &queued)) != NULL)
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == lane->easy)
          code = msg->data.result;
      if (running > 0)
        code = CURLE_ABORTED_BY_CALLBACK;   /* cancelled mid-transfer: the connection is closed */
      curl_multi_remove_handle (lane->multi, lane->easy);
      if (cancel_id != 0)
        g_cancellable_disconnect (cancellable, cancel_id);
      curl_easy_setopt (lane->easy, CURLOPT_HTTPHEADER, NULL);
      curl_easy_setopt (lane->easy, CURLOPT_ERRORBUFFER, NULL);
      curl_slist_free_all (headers);
      if (auth != NULL)
        explicit_bzero (auth, strlen (auth));

      if (code == CURLE_OK)
        {
          curl_easy_getinfo (lane->easy, CURLINFO_RESPONSE_CODE, &status);
          curl_easy_getinfo (lane->easy, CURLINFO_CONTENT_TYPE, &content_type);
          content_type = g_strdup (content_type);
        }
      lane_give_back (self, lane);

      if (code != CURLE_OK && g_cancellable_is_cancelled (cancellable))
        {
          g_debug ("%s %s: cancelled (request %s)", request->method, request->path, client_request_id);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
          transfer_clear (&t);
          goto out;
        }

      if (code != CURLE_OK)
        {
          outcome = map_curl_error (self, code, &t, &attempt_error);
          g_debug ("%s %s: %s, attempt %u (request %s)", request->method, request->path,
                   curl_easy_strerror (code), attempt + 1, client_request_id);
          retry = outcome == OUTCOME_RETRY && request->retryable && attempt < self->retries;
        }
      else
        {
          g_autofree char *helpdesk_id = g_strdup (t.request_id != NULL ? t.request_id : client_request_id);

          g_debug ("%s %s → %ld (request %s)", request->method, request->path, status, helpdesk_id);
          g_mutex_lock (&self->lock);
          g_free (self->last_request_id);
          self->last_request_id = g_strdup (helpdesk_id);
          if (t.server_time > 0)
            {
              self->last_server_time = t.server_time;
              self->last_server_time_local = g_get_real_time () / G_USEC_PER_SEC;
            }
          g_mutex_unlock (&self->lock);

          if (status >= 200 && status < 300)
            {
              if (t.body->len == 0 && (status == 204 || request->max_response == 0))
                result = json_node_new (JSON_NODE_NULL);
              else if (request->want_png && content_type_is (content_type, "image/png"))
                {
                  g_clear_pointer (&request->png, g_bytes_unref);
                  request->png = g_bytes_new (t.body->data, t.body->len);
                  result = json_node_new (JSON_NODE_NULL);
                }
              else if (!content_type_is (content_type, "application/json"))
                g_set_error (&attempt_error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
                             _("The registration service sent an answer this version cannot read. "
                               "Try again later; if it keeps happening, tell the helpdesk."));
              else
                result = ek_api_parse_json ((const char *) t.body->data, t.body->len, &attempt_error);
              if (result == NULL && attempt_error != NULL)
                {
                  g_autofree char *m = with_request_id (attempt_error->message, helpdesk_id);
                  g_free (attempt_error->message);
                  attempt_error->message = g_steal_pointer (&m);
                }
              g_free (content_type);
              transfer_clear (&t);
              if (result != NULL && progress != NULL)
                progress_post (progress, progress->total);
              if (result == NULL)
                g_propagate_error (error, g_steal_pointer (&attempt_error));
              goto out;
            }

          if (status == 404 && attempt > 0 && request->gone_is_done)
            {
              /* The answer to the first attempt was lost, but the deletion happened */
              g_free (content_type);
              transfer_clear (&t);
              result = json_node_new (JSON_NODE_NULL);
              goto out;
            }
          set_http_error (self, status, content_type, &t, had_session, &attempt_error);
          g_free (content_type);
          if (g_error_matches (attempt_error, EK_API_ERROR, EK_API_ERROR_SESSION_EXPIRED))
            {
              /* Only if no one logged in anew meanwhile */
              if (had_session)
                ek_api_client_drop_session (self, TRUE);
              retry = FALSE;
            }
          else
            {
              gint64 after = parse_retry_after (t.retry_after);
              const EkApiProblem *problem = ek_api_error_get_problem (attempt_error);
              /* The service says it recorded nothing (its database was busy): any request,
               * even one that must never act twice, can be sent again as it is */
              gboolean nothing_done = status == 503 && problem != NULL && g_strcmp0 (problem->type_slug, "service-busy") == 0;

              retry = (request->retryable || nothing_done) && attempt < self->retries &&
                      (status == 408 || status == 429 || status == 500 || status == 502 ||
                       status == 503 || status == 504);
              if (retry && after >= 0)
                {
                  if (after > EK_API_MAX_RETRY_AFTER)
                    retry = FALSE;
                  else
                    delay_ms = after * 1000;
                }
            }
        }
      transfer_clear (&t);

      if (!retry)
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          goto out;
        }
      if (delay_ms < 0)
        delay_ms = backoff_for (self, attempt);
      g_debug ("%s %s: retrying in %" G_GINT64_FORMAT " ms", request->method, request->path, delay_ms);
      if (!sleep_cancellable ((guint) delay_ms, cancellable))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
          goto out;
        }
      attempt++;
    }

out:
  if (progress != NULL)
    {
      /* The caller's data belongs to the request, which releases it in the caller's context */
      progress->notify = NULL;
      progress_unref (progress);
    }
  return result;
}
