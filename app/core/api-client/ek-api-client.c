/* ek-registry-client.c: one client for the whole registration API (libcurl + json-glib)
 *
 * The calls: each builds an EkApiRequest, runs it on a GTask worker thread through the
 * transport (ek-registry-client-transport.c) and checks the answer's shape before handing it on.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-api-client-private.h"
#include "ek-settings.h"

G_DEFINE_FINAL_TYPE (EkApiClient, ek_api_client, G_TYPE_OBJECT)

enum
{
  SESSION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_string (char *s)
{
  if (s != NULL)
    {
      explicit_bzero (s, strlen (s));
      g_free (s);
    }
}

static void
ek_api_client_finalize (GObject *object)
{
  EkApiClient *self = EK_API_CLIENT (object);

  ek_api_client_transport_finalize (self);
  g_clear_pointer (&self->token, wipe_string);
  g_clear_pointer (&self->login_name, g_free);
  g_clear_pointer (&self->session_login_name, g_free);
  g_clear_pointer (&self->key_certificate, g_free);
  g_clear_pointer (&self->last_request_id, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->proxy, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ek_api_client_parent_class)->finalize (object);
}

static void
ek_api_client_class_init (EkApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_api_client_finalize;

  /**
   * EkApiClient::session-changed:
   *
   * Logged in, logged out, or the session expired (see ek_api_client_has_session()).
   */
  signals[SESSION_CHANGED] = g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

/* "zh-CN" for a Chinese UI, "en" otherwise: the service answers in zh-CN or en */
static char *
language_from_locale (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "zh"))
        return g_strdup ("zh-CN");
      if (g_str_equal (names[i], "C") || g_str_equal (names[i], "POSIX") || g_str_has_prefix (names[i], "en"))
        return g_strdup ("en");
    }
  return g_strdup ("en");
}

static void
ek_api_client_init (EkApiClient *self)
{
  g_mutex_init (&self->lock);
  self->language = language_from_locale ();
  self->retries = 3;
  self->backoff_ms = 250;
  self->connect_timeout = 10;
  self->stall_timeout = 30;
  self->context = g_main_context_ref_thread_default ();
  ek_api_client_transport_init (self);
}

EkApiClient *
ek_api_client_new (const char  *base_url,
                        const char  *ca_file,
                        GError     **error)
{
  g_autoptr(EkApiClient) self = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 || g_uri_get_host (uri) == NULL ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, EK_API_ERROR, EK_API_ERROR_TLS,
                   _("The registration service address “%s” is not a secure (https://) address. "
                     "Check the address in the settings."), base_url);
      return NULL;
    }
  if (ca_file != NULL && *ca_file != '\0' && !g_file_test (ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, EK_API_ERROR, EK_API_ERROR_TLS,
                   _("The certificate authority file “%s” does not exist. Check the certificate "
                     "setting."), ca_file);
      return NULL;
    }

  self = g_object_new (EK_TYPE_API_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  /* No trailing slash: paths start with one */
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  self->ca_file = ca_file != NULL && *ca_file != '\0' ? g_strdup (ca_file) : NULL;
  return g_steal_pointer (&self);
}

static char *
dup_setting (GSettings  *settings,
             const char *env,
             const char *key)
{
  const char *value = g_getenv (env);

  if (value != NULL && *value != '\0')
    return g_strdup (value);
  if (settings != NULL)
    {
      g_autofree char *setting = g_settings_get_string (settings, key);

      if (setting != NULL && *setting != '\0')
        return g_steal_pointer (&setting);
    }
  return NULL;
}

EkApiClient *
ek_api_client_new_from_settings (GError **error)
{
  g_autoptr(GSettings) settings = ek_settings_new_if_installed ();
  g_autofree char *url = dup_setting (settings, "EKEY_REGISTRY_URL", "registry-url");
  g_autofree char *ca = dup_setting (settings, "EKEY_REGISTRY_CA", "ca-file");
  g_autofree char *proxy = dup_setting (settings, "EKEY_REGISTRY_PROXY", "proxy");
  EkApiClient *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (url == NULL)
    {
      g_set_error (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE,
                   _("No registration service address is set. Enter it in the settings, or ask "
                     "the helpdesk for it."));
      return NULL;
    }
  self = ek_api_client_new (url, ca, error);
  if (self != NULL && proxy != NULL)
    ek_api_client_set_proxy (self, proxy);
  return self;
}

const char *
ek_api_client_get_base_url (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->base_url;
}

void
ek_api_client_set_proxy (EkApiClient *self,
                              const char       *proxy)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  g_mutex_lock (&self->lock);
  g_free (self->proxy);
  self->proxy = g_strdup (proxy);
  g_mutex_unlock (&self->lock);
}

void
ek_api_client_set_language (EkApiClient *self,
                                 const char       *lang)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (lang != NULL);

  /* Only what is safe in a header */
  for (const char *p = lang; *p != '\0'; p++)
    g_return_if_fail (g_ascii_isalnum (*p) || *p == '-' || *p == '_');

  g_mutex_lock (&self->lock);
  g_free (self->language);
  self->language = g_strdup (lang);
  g_mutex_unlock (&self->lock);
}

const char *
ek_api_client_get_language (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->language;
}

void
ek_api_client_set_retries (EkApiClient *self,
                                guint             retries,
                                guint             backoff_ms)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (retries <= 10);

  self->retries = retries;
  self->backoff_ms = MAX (backoff_ms, 1);
}

void
ek_api_client_set_timeouts (EkApiClient *self,
                                 guint             connect_timeout,
                                 guint             stall_timeout)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (connect_timeout > 0 && stall_timeout > 0);

  self->connect_timeout = connect_timeout;
  self->stall_timeout = stall_timeout;
}

gboolean
ek_api_client_has_session (EkApiClient *self)
{
  gboolean has;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);

  g_mutex_lock (&self->lock);
  has = self->token != NULL;
  g_mutex_unlock (&self->lock);
  return has;
}

const char *
ek_api_client_get_login_name (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->login_name;
}

/* In the client's context: the login name a page may hold on to changes only here */
static gboolean
emit_session_changed_cb (gpointer user_data)
{
  EkApiClient *self = user_data;

  g_mutex_lock (&self->lock);
  g_free (self->login_name);
  self->login_name = g_strdup (self->session_login_name);
  g_mutex_unlock (&self->lock);
  g_signal_emit (self, signals[SESSION_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
emit_session_changed (EkApiClient *self)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_session_changed_cb,
                              g_object_ref (self), g_object_unref);
}

void
ek_api_client_drop_session (EkApiClient *self,
                                 gboolean          notify)
{
  gboolean had;

  g_mutex_lock (&self->lock);
  had = self->token != NULL;
  g_clear_pointer (&self->token, wipe_string);
  g_clear_pointer (&self->session_login_name, g_free);
  self->session_serial++;
  g_mutex_unlock (&self->lock);
  if (had && notify)
    emit_session_changed (self);
}

void
ek_api_client_forget_session (EkApiClient *self)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  /* In the client's context, "session-changed" (and the name's change) comes at once */
  ek_api_client_drop_session (self, TRUE);
}

char *
ek_api_client_dup_last_request_id (EkApiClient *self)
{
  char *id;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);

  g_mutex_lock (&self->lock);
  id = g_strdup (self->last_request_id);
  g_mutex_unlock (&self->lock);
  return id;
}

gboolean
ek_api_client_get_clock_skew (EkApiClient *self,
                              gint64      *skew_seconds)
{
  gboolean known;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);

  g_mutex_lock (&self->lock);
  known = self->last_server_time > 0;
  if (known && skew_seconds != NULL)
    *skew_seconds = self->last_server_time - self->last_server_time_local;
  g_mutex_unlock (&self->lock);
  return known;
}

/* ---- Running a call ---- */

/* Turns the answer's JSON into the call's result; NULL with an error on a wrong shape */
typedef gpointer (*ParseFunc) (EkApiClient *self,
                               JsonNode         *node,
                               GError          **error);

typedef struct
{
  EkApiRequest *request;
  ParseFunc          parse;
  GDestroyNotify     result_free;   /* NULL: the result is a boolean */
} Call;

static void
call_free (Call *call)
{
  g_clear_pointer (&call->request, ek_api_request_free);
  g_free (call);
}

static void
call_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EkApiClient *self = source_object;
  Call *call = task_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gpointer result;

  node = ek_api_client_perform (self, call->request, cancellable, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  result = call->parse (self, node, &error);
  if (error != NULL)
    {
      /* Whatever was wrong with it, the helpdesk needs the request id */
      g_autofree char *id = ek_api_client_dup_last_request_id (self);

      if (id != NULL && error->domain == EK_API_ERROR)
        {
          g_autofree char *message = g_strdup_printf (_("%s (request %s)"), error->message, id);
          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else if (call->result_free == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, result, call->result_free);
}

static void
run_call (EkApiClient    *self,
          gpointer             source_tag,
          EkApiRequest   *request,
          ParseFunc            parse,
          GDestroyNotify       result_free,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_return_on_cancel (task, FALSE);
  call->request = request;
  call->parse = parse;
  call->result_free = result_free;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_task_run_in_thread (task, call_thread);
}

static EkApiRequest *
request_new (const char *method,
             gboolean    retryable,
             gsize       max_response,
             const char *path_format,
             ...) G_GNUC_PRINTF (4, 5);

static EkApiRequest *
request_new (const char *method,
             gboolean    retryable,
             gsize       max_response,
             const char *path_format,
             ...)
{
  EkApiRequest *request = g_new0 (EkApiRequest, 1);
  va_list args;

  request->method = method;
  request->retryable = retryable;
  request->max_response = max_response;
  va_start (args, path_format);
  request->path = g_strdup_vprintf (path_format, args);
  va_end (args);
  return request;
}

static void
wipe_bytes_free (gpointer data)
{
  wipe_string (data);
}

/* The JSON body; wiped when freed (it may hold ID numbers or a captcha answer) */
static void
request_set_body (EkApiRequest *request,
                  JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *text = json_to_string (root, FALSE);

  request->body = g_bytes_new_with_free_func (text, strlen (text), wipe_bytes_free, text);
}

static char *
escape_segment (const char *segment)
{
  return g_uri_escape_string (segment, NULL, FALSE);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static gpointer
finish_pointer (EkApiClient  *self,
                GAsyncResult      *result,
                gpointer           source_tag,
                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
finish_boolean (EkApiClient  *self,
                GAsyncResult      *result,
                gpointer           source_tag,
                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
invalid_answer (GError    **error,
                const char *what)
{
  g_set_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_RESPONSE,
               /* Translators: %s names the part of the answer, in English, for the helpdesk */
               _("The registration service sent an answer this version cannot read (%s). "
                 "Try again later; if it keeps happening, tell the helpdesk."), what);
  return FALSE;
}

/* ---- Parsers of the answers ---- */

static gpointer
parse_catalogue (EkApiClient *self,
                 JsonNode         *node,
                 GError          **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *format = o != NULL ? json_object_get_member (o, "format") : NULL;
  JsonNode *types = o != NULL ? json_object_get_member (o, "business_types") : NULL;

  if (o == NULL || format == NULL || !JSON_NODE_HOLDS_VALUE (format) ||
      json_node_get_value_type (format) != G_TYPE_INT64 || json_node_get_int (format) != 1 ||
      types == NULL || !JSON_NODE_HOLDS_ARRAY (types))
    return (invalid_answer (error, "catalogue"), NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (types)); i++)
    {
      JsonNode *t = json_array_get_element (json_node_get_array (types), i);
      JsonNode *id = JSON_NODE_HOLDS_OBJECT (t) ? json_object_get_member (json_node_get_object (t), "id") : NULL;

      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
        return (invalid_answer (error, "catalogue business type"), NULL);
    }
  return json_node_ref (node);
}

static gpointer
parse_captcha (EkApiClient *self,
               JsonNode         *node,
               GError          **error)
{
  return ek_api_captcha_new_from_json (node, error);
}

static gboolean
is_object_with_string (JsonNode   *node,
                       const char *member)
{
  JsonNode *m;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  m = json_object_get_member (json_node_get_object (node), member);
  return m != NULL && JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING;
}

/* An Account (registration, activation): only "it worked" is used */
static gpointer
parse_account (EkApiClient *self,
               JsonNode         *node,
               GError          **error)
{
  if (!is_object_with_string (node, "id") || !is_object_with_string (node, "login_name"))
    return (invalid_answer (error, "account"), NULL);
  return GINT_TO_POINTER (TRUE);
}

static gpointer
parse_session (EkApiClient *self,
               JsonNode         *node,
               GError          **error)
{
  JsonObject *o;
  const char *token, *login_name;
  gsize len;

  if (!is_object_with_string (node, "token") || !is_object_with_string (node, "login_name"))
    return (invalid_answer (error, "session"), NULL);
  o = json_node_get_object (node);
  token = json_object_get_string_member (o, "token");
  login_name = json_object_get_string_member (o, "login_name");
  len = strlen (token);
  if (len < 16 || len > 512)
    return (invalid_answer (error, "session token"), NULL);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph (token[i]))
      return (invalid_answer (error, "session token"), NULL);
  if (strlen (login_name) > 500 || !g_utf8_validate (login_name, -1, NULL))
    return (invalid_answer (error, "session login name"), NULL);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->token, wipe_string);
  self->token = g_strdup (token);
  g_free (self->session_login_name);
  self->session_login_name = g_strdup (login_name);
  g_clear_pointer (&self->key_certificate, g_free);
  self->session_serial++;
  g_mutex_unlock (&self->lock);
  emit_session_changed (self);
  return GINT_TO_POINTER (TRUE);
}

static gpointer
parse_nothing (EkApiClient *self,
               JsonNode         *node,
               GError          **error)
{
  return GINT_TO_POINTER (TRUE);
}

static gpointer
parse_applications (EkApiClient *self,
                    JsonNode         *node,
                    GError          **error)
{
  return ek_api_applications_new_from_json (node, error);
}

static gpointer
parse_application (EkApiClient *self,
                   JsonNode         *node,
                   GError          **error)
{
  return ek_api_application_new_from_json (node, error);
}

static gpointer
parse_materials (EkApiClient *self,
                 JsonNode         *node,
                 GError          **error)
{
  return ek_api_materials_new_from_json (node, error);
}

static gpointer
parse_material (EkApiClient *self,
                JsonNode         *node,
                GError          **error)
{
  return ek_api_material_new_from_json (node, error);
}

/* ---- The calls ---- */

void
ek_api_client_get_catalogue_async (EkApiClient    *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  run_call (self, ek_api_client_get_catalogue_async,
            request_new ("GET", TRUE, EK_API_MAX_JSON, "/catalogue"),
            parse_catalogue, (GDestroyNotify) json_node_unref, cancellable, callback, user_data);
}

JsonNode *
ek_api_client_get_catalogue_finish (EkApiClient  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_get_catalogue_async, error);
}

void
ek_api_client_create_captcha_async (EkApiClient    *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  /* Not retried: each attempt counts against the rate limit */
  run_call (self, ek_api_client_create_captcha_async,
            request_new ("POST", FALSE, EK_API_MAX_CAPTCHA, "/captcha"),
            parse_captcha, (GDestroyNotify) ek_api_captcha_free, cancellable, callback, user_data);
}

EkApiCaptcha *
ek_api_client_create_captcha_finish (EkApiClient  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_create_captcha_async, error);
}

void
ek_api_client_register_account_async (EkApiClient    *self,
                                           const char          *uscc,
                                           const char          *enterprise_name,
                                           const char          *login_name,
                                           const char          *licence_type,
                                           const char          *email,
                                           const char          *mobile,
                                           const char          *contact_name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (uscc != NULL);
  g_return_if_fail (enterprise_name != NULL);
  g_return_if_fail (login_name != NULL);
  g_return_if_fail (licence_type != NULL);
  g_return_if_fail (email != NULL);

  json_builder_begin_object (builder);
  add_string (builder, "uscc", uscc);
  add_string (builder, "enterprise_name", enterprise_name);
  add_string (builder, "login_name", login_name);
  add_string (builder, "licence_type", licence_type);
  add_string (builder, "email", email);
  if (mobile != NULL && *mobile != '\0')
    add_string (builder, "mobile", mobile);
  if (contact_name != NULL && *contact_name != '\0')
    add_string (builder, "contact_name", contact_name);
  json_builder_end_object (builder);

  /* Not retried: registering twice would send two activation emails */
  request = request_new ("POST", FALSE, EK_API_MAX_JSON, "/accounts");
  request_set_body (request, builder);
  run_call (self, ek_api_client_register_account_async, request, parse_account, NULL,
            cancellable, callback, user_data);
}

gboolean
ek_api_client_register_account_finish (EkApiClient  *self,
                                            GAsyncResult      *result,
                                            GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  return finish_boolean (self, result, ek_api_client_register_account_async, error);
}

void
ek_api_client_activate_account_async (EkApiClient    *self,
                                           const char          *uscc,
                                           const char          *login_name,
                                           const char          *code,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (uscc != NULL);
  g_return_if_fail (login_name != NULL);
  g_return_if_fail (code != NULL);

  json_builder_begin_object (builder);
  add_string (builder, "uscc", uscc);
  add_string (builder, "login_name", login_name);
  add_string (builder, "code", code);
  json_builder_end_object (builder);

  request = request_new ("POST", FALSE, EK_API_MAX_JSON, "/accounts/activation");
  request_set_body (request, builder);
  run_call (self, ek_api_client_activate_account_async, request, parse_account, NULL,
            cancellable, callback, user_data);
}

gboolean
ek_api_client_activate_account_finish (EkApiClient  *self,
                                            GAsyncResult      *result,
                                            GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  return finish_boolean (self, result, ek_api_client_activate_account_async, error);
}

void
ek_api_client_login_with_code_async (EkApiClient    *self,
                                          const char          *uscc,
                                          const char          *login_name,
                                          const char          *captcha_id,
                                          const char          *captcha_answer,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (uscc != NULL);
  g_return_if_fail (login_name != NULL);
  g_return_if_fail (captcha_id != NULL);
  g_return_if_fail (captcha_answer != NULL);

  json_builder_begin_object (builder);
  add_string (builder, "method", "code");
  add_string (builder, "uscc", uscc);
  add_string (builder, "login_name", login_name);
  add_string (builder, "captcha_id", captcha_id);
  add_string (builder, "captcha_answer", captcha_answer);
  json_builder_end_object (builder);

  /* Not retried: any attempt spends the captcha */
  request = request_new ("POST", FALSE, EK_API_MAX_JSON, "/sessions");
  request_set_body (request, builder);
  run_call (self, ek_api_client_login_with_code_async, request, parse_session, NULL,
            cancellable, callback, user_data);
}

gboolean
ek_api_client_login_with_code_finish (EkApiClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  return finish_boolean (self, result, ek_api_client_login_with_code_async, error);
}

static void
logout_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EkApiClient *self = source_object;
  Call *call = task_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = ek_api_client_perform (self, call->request, cancellable, &error);
  /* Forgotten here whatever the answer; an expired session is as good as logged out */
  ek_api_client_drop_session (self, TRUE);
  if (node == NULL && !g_error_matches (error, EK_API_ERROR, EK_API_ERROR_SESSION_EXPIRED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ek_api_client_logout_async (EkApiClient    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_api_client_logout_async);
  if (!ek_api_client_has_session (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  call = g_new0 (Call, 1);
  call->request = request_new ("DELETE", TRUE, EK_API_MAX_JSON, "/sessions/current");
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_task_run_in_thread (task, logout_thread);
}

gboolean
ek_api_client_logout_finish (EkApiClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  return finish_boolean (self, result, ek_api_client_logout_async, error);
}

void
ek_api_client_list_applications_async (EkApiClient    *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  run_call (self, ek_api_client_list_applications_async,
            request_new ("GET", TRUE, EK_API_MAX_JSON, "/applications"),
            parse_applications, (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
ek_api_client_list_applications_finish (EkApiClient  *self,
                                             GAsyncResult      *result,
                                             GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_list_applications_async, error);
}

static gboolean
is_idempotency_key (const char *key)
{
  gsize n = strlen (key);

  if (n < 8 || n > 255)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (key[i]) && key[i] != '-' && key[i] != '_' && key[i] != '.')
      return FALSE;
  return TRUE;
}

void
ek_api_client_create_application_async (EkApiClient    *self,
                                             const char          *business_type,
                                             JsonObject          *fields,
                                             const char          *idempotency_key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (business_type != NULL);
  g_return_if_fail (idempotency_key != NULL && is_idempotency_key (idempotency_key));

  json_builder_begin_object (builder);
  add_string (builder, "business_type", business_type);
  if (fields != NULL)
    {
      json_builder_set_member_name (builder, "fields");
      json_builder_add_value (builder, json_node_init_object (json_node_alloc (), fields));
    }
  json_builder_end_object (builder);

  /* Retried: the key makes a repeat give the first answer, never a second application */
  request = request_new ("POST", TRUE, EK_API_MAX_JSON, "/applications");
  request->idempotency_key = g_strdup (idempotency_key);
  request_set_body (request, builder);
  run_call (self, ek_api_client_create_application_async, request, parse_application,
            (GDestroyNotify) ek_api_application_unref, cancellable, callback, user_data);
}

EkApiApplication *
ek_api_client_create_application_finish (EkApiClient  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_create_application_async, error);
}

void
ek_api_client_get_application_async (EkApiClient    *self,
                                          const char          *id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL && *id != '\0');

  escaped = escape_segment (id);
  run_call (self, ek_api_client_get_application_async,
            request_new ("GET", TRUE, EK_API_MAX_JSON, "/applications/%s", escaped),
            parse_application, (GDestroyNotify) ek_api_application_unref,
            cancellable, callback, user_data);
}

EkApiApplication *
ek_api_client_get_application_finish (EkApiClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_get_application_async, error);
}

void
ek_api_client_update_application_async (EkApiClient    *self,
                                             const char          *id,
                                             JsonObject          *fields,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *escaped = NULL;
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL && *id != '\0');
  g_return_if_fail (fields != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fields");
  json_builder_add_value (builder, json_node_init_object (json_node_alloc (), fields));
  json_builder_end_object (builder);

  /* Setting the same fields twice gives the same application: safe to retry */
  escaped = escape_segment (id);
  request = request_new ("PATCH", TRUE, EK_API_MAX_JSON, "/applications/%s", escaped);
  request_set_body (request, builder);
  run_call (self, ek_api_client_update_application_async, request, parse_application,
            (GDestroyNotify) ek_api_application_unref, cancellable, callback, user_data);
}

EkApiApplication *
ek_api_client_update_application_finish (EkApiClient  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_update_application_async, error);
}

void
ek_api_client_submit_application_async (EkApiClient    *self,
                                             const char          *id,
                                             const char          *idempotency_key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL && *id != '\0');
  g_return_if_fail (idempotency_key != NULL && is_idempotency_key (idempotency_key));

  escaped = escape_segment (id);
  request = request_new ("POST", TRUE, EK_API_MAX_JSON, "/applications/%s/submit", escaped);
  request->idempotency_key = g_strdup (idempotency_key);
  run_call (self, ek_api_client_submit_application_async, request, parse_application,
            (GDestroyNotify) ek_api_application_unref, cancellable, callback, user_data);
}

EkApiApplication *
ek_api_client_submit_application_finish (EkApiClient  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_submit_application_async, error);
}

void
ek_api_client_list_materials_async (EkApiClient    *self,
                                         const char          *id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL && *id != '\0');

  escaped = escape_segment (id);
  run_call (self, ek_api_client_list_materials_async,
            request_new ("GET", TRUE, EK_API_MAX_JSON, "/applications/%s/materials", escaped),
            parse_materials, (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
ek_api_client_list_materials_finish (EkApiClient  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_list_materials_async, error);
}

void
ek_api_client_upload_material_async (EkApiClient       *self,
                                          const char             *id,
                                          const char             *kind,
                                          GFile                  *file,
                                          EkApiProgressFunc  progress,
                                          gpointer                progress_data,
                                          GDestroyNotify          progress_notify,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data)
{
  g_autofree char *escaped_id = NULL;
  g_autofree char *escaped_kind = NULL;
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL && *id != '\0');
  g_return_if_fail (kind != NULL && *kind != '\0');
  g_return_if_fail (G_IS_FILE (file));

  escaped_id = escape_segment (id);
  escaped_kind = escape_segment (kind);
  /* A PUT replaces the material: sending it again is harmless */
  request = request_new ("PUT", TRUE, EK_API_MAX_JSON, "/applications/%s/materials/%s",
                         escaped_id, escaped_kind);
  request->upload = g_object_ref (file);
  request->progress = progress;
  request->progress_data = progress_data;
  request->progress_notify = progress_notify;
  request->progress_context = g_main_context_ref_thread_default ();
  run_call (self, ek_api_client_upload_material_async, request, parse_material,
            (GDestroyNotify) ek_api_material_free, cancellable, callback, user_data);
}

EkApiMaterial *
ek_api_client_upload_material_finish (EkApiClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return finish_pointer (self, result, ek_api_client_upload_material_async, error);
}

void
ek_api_client_delete_material_async (EkApiClient    *self,
                                          const char          *id,
                                          const char          *kind,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *escaped_id = NULL;
  g_autofree char *escaped_kind = NULL;
  EkApiRequest *request;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL && *id != '\0');
  g_return_if_fail (kind != NULL && *kind != '\0');

  escaped_id = escape_segment (id);
  escaped_kind = escape_segment (kind);
  request = request_new ("DELETE", TRUE, EK_API_MAX_JSON, "/applications/%s/materials/%s",
                         escaped_id, escaped_kind);
  request->gone_is_done = TRUE;
  run_call (self, ek_api_client_delete_material_async, request, parse_nothing, NULL,
            cancellable, callback, user_data);
}

gboolean
ek_api_client_delete_material_finish (EkApiClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  return finish_boolean (self, result, ek_api_client_delete_material_async, error);
}

/* For calls in other files of the client (ek-api-client-renewal.c): takes the session of a
 * POST /sessions answer */
gboolean
ek_api_client_adopt_session (EkApiClient  *self,
                             JsonNode     *node,
                             GError      **error)
{
  return parse_session (self, node, error) != NULL;
}
