/* ek-registry-server.c: the registration API of data/api/openapi.yaml, served by libsoup 3
 *
 * One main loop, one SQLite connection. Uploads are streamed to a temporary file while they
 * arrive (the body is never accumulated), checked, fsynced and renamed before the row that
 * records them is committed; a crash leaves at most a temporary file, removed on the next start.
 */
#include "config.h"

#include "ek-registry-server-private.h"

/* Used until the catalogue carries a "material_rule_sets" section, and when a
 * catalogue without one is loaded: PNG, JPEG or GIF, each image under 200 KB (seeds 001, 004). */
const char ek_registry_fallback_material_rules[] =
  "{\"formats\": [\"png\", \"jpeg\", \"gif\"], \"max_width\": 20000, \"max_height\": 20000,"
  " \"max_pixels\": 60000000, \"max_bytes\": 204799}";

const char * const ek_registry_fallback_materials[] = {
  "application-form", "confirmation-letter", "business-licence", "id-card",
  "authorisation-letter", "user-agreement", "foreign-trade-operator-form",
};

G_DEFINE_TYPE (EkRegistryServer, ek_registry_server, G_TYPE_OBJECT)

/* ---- Dispatch, streaming hooks, logging ---- */

static gboolean
segments_are_safe (char **seg)
{
  for (guint i = 0; seg[i] != NULL; i++)
    if (*seg[i] == '\0' || strlen (seg[i]) > 64 ||
        !g_regex_match_simple ("^[A-Za-z0-9-]+$", seg[i], 0, 0))
      return FALSE;
  return TRUE;
}

static void
handle_api (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Request req = { 0 };
  const char *rest;

  req.self = user_data;
  req.msg = msg;
  req.method = soup_server_message_get_method (msg);
  req.lang = ek_registry_pick_language (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Language",
                                g_str_equal (req.lang, "en") ? "en" : "zh-CN");

  rest = path + strlen (API_PREFIX);
  if (*rest == '/')
    rest++;
  req.seg = g_strsplit (rest, "/", 8);
  req.n_seg = g_strv_length (req.seg);
  if (req.n_seg > 0 && *req.seg[req.n_seg - 1] == '\0')
    {
      g_free (req.seg[--req.n_seg]);
      req.seg[req.n_seg] = NULL;
    }

  if (req.n_seg == 0 || !segments_are_safe (req.seg))
    ek_registry_respond_problem (&req, PROBLEM_NOT_FOUND, NULL);
  else if (g_str_equal (req.seg[0], "catalogue") && req.n_seg == 1)
    ek_registry_handle_catalogue (&req);
  else if (g_str_equal (req.seg[0], "captcha") && req.n_seg == 1)
    ek_registry_handle_captcha (&req);
  else if (g_str_equal (req.seg[0], "accounts"))
    ek_registry_handle_accounts (&req);
  else if (g_str_equal (req.seg[0], "sessions"))
    ek_registry_handle_sessions (&req);
  else if (g_str_equal (req.seg[0], "applications"))
    ek_registry_handle_applications (&req);
  else if (g_str_equal (req.seg[0], "mobile-authorizations"))
    ek_registry_handle_mobile_authorizations (&req);
  else if (g_str_equal (req.seg[0], "seal-requests"))
    ek_registry_handle_seal_requests (&req);
  else if (g_str_equal (req.seg[0], "seals"))
    ek_registry_handle_seals (&req);
  else if (g_str_equal (req.seg[0], "renewal-eligibility") && req.n_seg == 1)
    ek_registry_handle_renewal_eligibility (&req);
  else
    ek_registry_respond_problem (&req, PROBLEM_NOT_FOUND, NULL);

  ek_registry_request_clear (&req);
}

static void
handle_root (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  ek_registry_respond_problem_msg (msg, ek_registry_pick_language (msg), PROBLEM_NOT_FOUND, NULL);
}

static gboolean
is_upload_path (const char *method,
                const char *path)
{
  return g_str_equal (method, "PUT") &&
         (g_regex_match_simple ("^" API_PREFIX "/applications/[^/]+/materials/[^/]+$", path, 0, 0) ||
          g_regex_match_simple ("^" API_PREFIX "/seal-requests/[^/]+/letter$", path, 0, 0));
}

static void log_request (SoupServerMessage *msg, const char *outcome);

/* A request refused on its headers: a body it announces is never read (libsoup would read all
 * of it before answering), the answer goes out at once and the connection is closed */
static void
refuse_on_headers (EkRegistryServer  *self,
                   SoupServerMessage *msg,
                   Problem            problem)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  gboolean has_body = encoding == SOUP_ENCODING_CHUNKED ||
                      (encoding == SOUP_ENCODING_CONTENT_LENGTH && soup_message_headers_get_content_length (headers) > 0);

  /* Once is enough (a refused upload's later chunks) */
  if (g_object_get_data (G_OBJECT (msg), "ek-refused") != NULL)
    return;
  g_object_set_data (G_OBJECT (msg), "ek-refused", GINT_TO_POINTER (1));

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  ek_registry_respond_problem_msg (msg, ek_registry_pick_language (msg), problem, NULL);
  if (!has_body)
    return;
  log_request (msg, "refused-before-body");
  ek_registry_connections_answer_now (self->connections, msg);
}

static void
on_upload_chunk (SoupServerMessage *msg,
                 GBytes            *chunk,
                 gpointer           user_data)
{
  Upload *upload = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  upload->received += len;
  if (upload->too_large || upload->write_failed)
    return;
  if (upload->received > upload->limit)
    {
      /* Keep nothing of an oversized file, read no more of it: 413 at once */
      upload->too_large = TRUE;
      if (ftruncate (upload->fd, 0) != 0)
        upload->write_failed = TRUE;
      refuse_on_headers (upload->self, msg, PROBLEM_UPLOAD_TOO_LARGE);
      return;
    }
  while (len > 0)
    {
      gssize n = write (upload->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          upload->write_failed = TRUE;
          return;
        }
      data += n;
      len -= (gsize) n;
    }
}

static void
on_json_chunk (SoupServerMessage *msg,
               GBytes            *chunk,
               gpointer           user_data)
{
  EkRegistryServer *self = user_data;
  guint64 received = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "ek-body-received"));

  received += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "ek-body-received", GSIZE_TO_POINTER ((gsize) received));
  if (received > self->config.json_limit)
    {
      /* Stop keeping the body, read no more of it: 413 at once */
      g_object_set_data (G_OBJECT (msg), "ek-body-too-large", GINT_TO_POINTER (1));
      g_signal_handlers_disconnect_by_func (msg, on_json_chunk, user_data);
      refuse_on_headers (self, msg, PROBLEM_BODY_TOO_LARGE);
    }
}

static gboolean
bearer_session_is_live (EkRegistryServer  *self,
                        SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  gboolean live = FALSE;

  if (auth == NULL || !g_str_has_prefix (auth, "Bearer "))
    return FALSE;
  hash = ek_registry_sha256_hex (auth + 7, strlen (auth + 7));
  stmt = ek_registry_db_query (self->db, "SELECT 1 FROM sessions WHERE token_hash = ? AND expires_at > ?", "si",
                               hash, ek_registry_now ());
  live = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return live;
}

static void
on_got_headers (SoupServerMessage *msg,
                gpointer           user_data)
{
  EkRegistryServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  goffset declared = soup_message_headers_get_content_length (headers);
  gboolean has_length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH;

  /* An encoded slash or a dot segment never names one of our resources */
  if (strstr (path, "%2F") != NULL || strstr (path, "%2f") != NULL || strstr (path, "%5C") != NULL ||
      strstr (path, "%5c") != NULL || strstr (path, "/..") != NULL)
    {
      refuse_on_headers (self, msg, PROBLEM_NOT_FOUND);
      return;
    }

  /* libsoup's own verdict on what it read (e.g. a URI it will not serve): the same status,
   * but as a problem a client can show */
  if (soup_server_message_get_status (msg) == SOUP_STATUS_BAD_REQUEST ||
      soup_server_message_get_status (msg) == SOUP_STATUS_NOT_IMPLEMENTED ||
      soup_server_message_get_status (msg) == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    {
      guint status = soup_server_message_get_status (msg);

      refuse_on_headers (self, msg, status == SOUP_STATUS_NOT_IMPLEMENTED ? PROBLEM_NOT_IMPLEMENTED :
                                    status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE ? PROBLEM_BODY_TOO_LARGE :
                                    PROBLEM_BAD_REQUEST);
      return;
    }

  if (is_upload_path (method, path) && !bearer_session_is_live (self, msg))
    {
      /* Nobody without a session gets to write to our disk; with Expect the body is never sent */
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate", "Bearer");
      refuse_on_headers (self, msg, PROBLEM_UNAUTHORIZED);
      return;
    }

  if (is_upload_path (method, path))
    {
      Upload *upload = g_new0 (Upload, 1);
      g_autofree char *name = g_strconcat (self->tmp_dir, "/upload-XXXXXX", NULL);

      upload->self = self;
      upload->fd = -1;
      upload->limit = (guint64) json_object_get_int_member_with_default (self->limits, "max_bytes", 204799);
      g_object_set_data_full (G_OBJECT (msg), "ek-upload", upload, (GDestroyNotify) ek_registry_upload_free);
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

      if (has_length && (guint64) declared > upload->limit)
        {
          upload->too_large = TRUE;
          refuse_on_headers (self, msg, PROBLEM_UPLOAD_TOO_LARGE);
          return;
        }
      upload->fd = g_mkstemp_full (name, O_RDWR | O_CLOEXEC, 0600);
      if (upload->fd < 0)
        {
          upload->write_failed = TRUE;
          return;
        }
      upload->tmp_path = g_steal_pointer (&name);
      g_signal_connect (msg, "got-chunk", G_CALLBACK (on_upload_chunk), upload);
      return;
    }

  if (has_length && declared > 0 && (gsize) declared > self->config.json_limit)
    {
      refuse_on_headers (self, msg, PROBLEM_BODY_TOO_LARGE);
      return;
    }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_json_chunk), self);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  EkRegistryServer *self = user_data;
  g_autofree char *id = NULL;
  guint8 rnd[4];

  gnutls_rnd (GNUTLS_RND_NONCE, rnd, sizeof rnd);
  id = g_strdup_printf ("%06" G_GINT64_MODIFIER "x-%02x%02x%02x%02x", (gint64) ++self->request_counter,
                        rnd[0], rnd[1], rnd[2], rnd[3]);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Request-Id", id);
  /* Tokens, ID numbers and ID-card images: never cached, never sniffed into another type */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Content-Type-Options", "nosniff");
  g_object_set_data_full (G_OBJECT (msg), "ek-request-id", g_steal_pointer (&id), g_free);
  g_object_set_data_full (G_OBJECT (msg), "ek-started", g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)), g_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), self);
}

/* One line per request; never the query string, headers or bodies (tokens, ID numbers) */
static void
log_request (SoupServerMessage *msg,
             const char        *outcome)
{
  const char *id = g_object_get_data (G_OBJECT (msg), "ek-request-id");
  const gint64 *started = g_object_get_data (G_OBJECT (msg), "ek-started");
  GUri *uri = soup_server_message_get_uri (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : "-";
  g_autofree char *valid_path = g_utf8_make_valid (path, (gssize) MIN (strlen (path), 200));
  g_autofree char *safe_path = g_strescape (valid_path, NULL);

  g_printerr ("ekey-registry: %s %s %s %s %u %s %.1fms\n", id != NULL ? id : "-",
              soup_server_message_get_remote_host (msg) != NULL ? soup_server_message_get_remote_host (msg) : "-",
              method != NULL ? method : "-", safe_path, soup_server_message_get_status (msg), outcome,
              started != NULL ? (g_get_monotonic_time () - *started) / 1000.0 : 0.0);
}

static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  log_request (msg, "done");
}

static void
on_request_aborted (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  log_request (msg, "aborted");
}

/* ---- Set-up ---- */

static gboolean
ensure_dir (const char  *path,
            GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Leftovers of a crash: unfinished uploads, and files no committed row refers to */
static void
clean_leftovers (EkRegistryServer *self)
{
  g_autoptr(GDir) tmp = g_dir_open (self->tmp_dir, 0, NULL);
  g_autoptr(GDir) files = g_dir_open (self->files_dir, 0, NULL);
  const char *name;
  guint removed = 0;

  while (tmp != NULL && (name = g_dir_read_name (tmp)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->tmp_dir, name, NULL);
      if (g_unlink (path) == 0)
        removed++;
    }
  while (files != NULL && (name = g_dir_read_name (files)) != NULL)
    {
      sqlite3_stmt *stmt = ek_registry_db_query (self->db,
                                                 "SELECT 1 FROM materials WHERE file = ?1 "
                                                 "UNION ALL SELECT 1 FROM seal_requests WHERE letter_file = ?1", "s", name);
      gboolean referenced = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;

      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (!referenced)
        {
          g_autofree char *path = g_build_filename (self->files_dir, name, NULL);
          if (g_unlink (path) == 0)
            removed++;
        }
    }
  if (removed > 0)
    g_printerr ("ekey-registry: removed %u unfinished upload(s) left by an earlier run\n", removed);
}

/* --material-rules: the set in force is the one the served catalogue names as its default, so
 * that clients apply exactly the limits this server enforces */
static gboolean
declare_rule_set (EkRegistryServer  *self,
                  const char        *rule_set_id,
                  GError           **error)
{
  JsonObject *doc = ek_catalogue_get_document (self->catalogue);
  JsonObject *sets_section = json_object_has_member (doc, "material_rule_sets") ?
                             json_object_get_object_member (doc, "material_rule_sets") : NULL;
  JsonArray *sets = sets_section != NULL && json_object_has_member (sets_section, "sets") ?
                    json_object_get_array_member (sets_section, "sets") : NULL;

  for (guint i = 0; sets != NULL && i < json_array_get_length (sets); i++)
    {
      JsonObject *set = json_array_get_object_element (sets, i);

      if (set != NULL && g_strcmp0 (json_object_get_string_member_with_default (set, "id", ""), rule_set_id) == 0)
        {
          json_object_set_string_member (sets_section, "default", rule_set_id);
          return TRUE;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "the catalogue has no material rule set “%s”", rule_set_id);
  return FALSE;
}

static gboolean
load_rules (EkRegistryServer  *self,
            GError           **error)
{
  JsonObject *doc = ek_catalogue_get_document (self->catalogue);
  JsonObject *sets_section = json_object_has_member (doc, "material_rule_sets") ?
                             json_object_get_object_member (doc, "material_rule_sets") : NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (sets_section != NULL)
    {
      const char *wanted = json_object_get_string_member_with_default (sets_section, "default", "");
      JsonArray *sets = json_object_get_array_member (sets_section, "sets");

      for (guint i = 0; sets != NULL && i < json_array_get_length (sets); i++)
        {
          JsonObject *set = json_array_get_object_element (sets, i);

          if (set != NULL && g_strcmp0 (json_object_get_string_member_with_default (set, "id", ""), wanted) == 0 &&
              json_object_has_member (set, "limits"))
            {
              self->limits = json_object_ref (json_object_get_object_member (set, "limits"));
              if (json_object_has_member (set, "business_types"))
                self->rule_business = json_object_ref (json_object_get_object_member (set, "business_types"));
              self->rules_from_catalogue = TRUE;
              return TRUE;
            }
        }
    }

  if (!json_parser_load_from_data (parser, ek_registry_fallback_material_rules, -1, error))
    return FALSE;
  self->limits = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return TRUE;
}

static void
ek_registry_server_finalize (GObject *object)
{
  EkRegistryServer *self = EK_REGISTRY_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_pointer (&self->connections, ek_registry_connections_free);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->db, ek_registry_db_close);
  g_clear_pointer (&self->files_dir, g_free);
  g_clear_pointer (&self->tmp_dir, g_free);
  g_clear_pointer (&self->catalogue_json, g_free);
  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->limits, json_object_unref);
  g_clear_pointer (&self->rule_business, json_object_unref);
  g_clear_pointer (&self->rate, g_hash_table_unref);
  if (self->trust != NULL)
    gnutls_x509_trust_list_deinit (self->trust, 1);
  ek_registry_renewals_clear (self);
  g_free ((char *) self->config.db_path);
  g_free ((char *) self->config.data_dir);
  g_free ((char *) self->config.tls_cert);
  g_free ((char *) self->config.tls_key);
  g_free ((char *) self->config.ca_file);
  g_free ((char *) self->config.catalogue_file);
  g_free ((char *) self->config.material_rules);
  g_free ((char *) self->config.issuing_ca);
  g_free ((char *) self->config.issuing_key);

  G_OBJECT_CLASS (ek_registry_server_parent_class)->finalize (object);
}

static void
ek_registry_server_class_init (EkRegistryServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_registry_server_finalize;
}

static void
ek_registry_server_init (EkRegistryServer *self)
{
  self->rate = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

EkRegistryServer *
ek_registry_server_new (const EkRegistryConfig  *config,
                        GError                 **error)
{
  g_autoptr(EkRegistryServer) self = g_object_new (EK_TYPE_REGISTRY_SERVER, NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  JsonNode *doc_node;

  g_return_val_if_fail (config != NULL && config->db_path != NULL && config->data_dir != NULL, NULL);

  self->config = *config;
  self->config.db_path = g_strdup (config->db_path);
  self->config.data_dir = g_strdup (config->data_dir);
  self->config.tls_cert = g_strdup (config->tls_cert);
  self->config.tls_key = g_strdup (config->tls_key);
  self->config.ca_file = g_strdup (config->ca_file);
  self->config.catalogue_file = g_strdup (config->catalogue_file);
  self->config.material_rules = g_strdup (config->material_rules);
  self->config.issuing_ca = g_strdup (config->issuing_ca);
  self->config.issuing_key = g_strdup (config->issuing_key);
  if (self->config.certificate_days <= 0)
    self->config.certificate_days = 730;
  if (self->config.renewal_window_days <= 0)
    self->config.renewal_window_days = 90;
  if (self->config.renewal_grace_days < 0)
    self->config.renewal_grace_days = 30;

  self->files_dir = g_build_filename (config->data_dir, "files", NULL);
  self->tmp_dir = g_build_filename (config->data_dir, "tmp", NULL);
  if (!ensure_dir (self->files_dir, error) || !ensure_dir (self->tmp_dir, error))
    return NULL;

  self->db = ek_registry_db_open (config->db_path, error);
  if (self->db == NULL)
    return NULL;
  /* Database work runs on the one loop that serves every request: a write waits at most this
   * long for another process's lock, then answers 503 (Retry-After) and the loop moves on */
  ek_registry_db_set_busy_timeout (self->db, config->db_busy_timeout > 0 ? (int) config->db_busy_timeout :
                                             EK_REGISTRY_DEFAULT_DB_BUSY_TIMEOUT);
  clean_leftovers (self);

  if (config->catalogue_file != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (config->catalogue_file);
      self->catalogue = ek_catalogue_new_from_file (file, error);
    }
  else
    self->catalogue = ek_catalogue_new_default (error);
  if (self->catalogue == NULL)
    return NULL;
  if (config->material_rules != NULL && !declare_rule_set (self, config->material_rules, error))
    return NULL;
  doc_node = json_node_init_object (json_node_alloc (), ek_catalogue_get_document (self->catalogue));
  self->catalogue_json = json_to_string (doc_node, FALSE);
  json_node_unref (doc_node);
  if (!load_rules (self, error))
    return NULL;
  if (!self->rules_from_catalogue)
    g_printerr ("ekey-registry: the catalogue has no material_rule_sets; using the built-in default "
                "(PNG/JPEG/GIF, at most 204799 bytes)\n");

  if (config->ca_file != NULL)
    {
      int n;

      gnutls_x509_trust_list_init (&self->trust, 0);
      n = gnutls_x509_trust_list_add_trust_file (self->trust, config->ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "No CA certificate could be read from %s", config->ca_file);
          return NULL;
        }
    }
  if (!ek_registry_renewals_setup (self, config, error))
    return NULL;

  if (config->tls_cert != NULL || config->tls_key != NULL)
    {
      /* TLS 1.2 and 1.3 only. glib-networking reads this once, when its TLS backend starts,
       * which the certificate below does */
      g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", TRUE);
      if (config->tls_cert == NULL || config->tls_key == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "--tls-cert and --tls-key go together");
          return NULL;
        }
      certificate = g_tls_certificate_new_from_files (config->tls_cert, config->tls_key, error);
      if (certificate == NULL)
        return NULL;
    }

  /* No version in the Server header (and no trailing space, which would add libsoup's) */
  self->soup = soup_server_new ("server-header", "ekey-registry", "tls-certificate", certificate, NULL);
  {
    EkRegistryTimeouts timeouts = {
      config->header_timeout > 0 ? config->header_timeout : EK_REGISTRY_DEFAULT_HEADER_TIMEOUT,
      config->body_timeout > 0 ? config->body_timeout : EK_REGISTRY_DEFAULT_BODY_TIMEOUT,
      config->idle_timeout > 0 ? config->idle_timeout : EK_REGISTRY_DEFAULT_IDLE_TIMEOUT,
    };
    self->connections = ek_registry_connections_new (self->soup, &timeouts);
  }
  soup_server_add_handler (self->soup, API_PREFIX, handle_api, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_root, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_finished), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_aborted), self);

  return g_steal_pointer (&self);
}

/**
 * ek_registry_server_listen:
 *
 * Returns: (transfer full): the base URL, e.g. https://127.0.0.1:40123/api/v1
 */
char *
ek_registry_server_listen (EkRegistryServer  *self,
                           const char        *host,
                           guint              port,
                           GError           **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) listener = NULL;
  GSList *uris;
  guint bound = 0;
  gboolean tls = self->config.tls_cert != NULL;

  g_return_val_if_fail (EK_IS_REGISTRY_SERVER (self), NULL);

  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not an IP address: %s", host);
      return NULL;
    }
  socket_address = g_inet_socket_address_new (address, (guint16) port);
  /* Our own socket for a deeper accept queue than GSocket's default of 10: fifty clients
   * connecting at once otherwise see connections reset */
  listener = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (listener == NULL)
    return NULL;
  g_socket_set_listen_backlog (listener, 256);
  if (!g_socket_bind (listener, socket_address, TRUE, error) || !g_socket_listen (listener, error) ||
      !soup_server_listen_socket (self->soup, listener, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return NULL;

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    bound = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return g_strdup_printf ("%s://%s%s%s:%u" API_PREFIX, tls ? "https" : "http",
                          g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? "[" : "", host,
                          g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? "]" : "", bound);
}
