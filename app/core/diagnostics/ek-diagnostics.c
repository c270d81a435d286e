/* ek-diagnostics.c: the helpdesk's report of what this computer sees
 *
 * Collected as JSON (every value typed, or redacted free text), then rendered as text. The
 * first line is made from the findings in order of what stops the clerk first: no key, a key
 * that cannot be used, the service out of reach, then what is merely worth knowing.
 */
#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <sys/utsname.h>

#include "ek-diagnostics.h"
#include "ek-error-journal.h"
#include "ek-redact.h"
#include "ek-scanner.h"
#include "ek-settings.h"

#define EXPIRY_WARNING_DAYS 30
#define CLOCK_SKEW_WARNING 300   /* seconds: TLS and key log-in start failing beyond a few minutes */

/* ---- Small JSON helpers ---- */

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* Free text from outside: always through the redactor */
static void
add_text (JsonBuilder *b,
          const char  *name,
          const char  *value)
{
  g_autofree char *redacted = ek_redact_text (value);

  add_string (b, name, redacted);
}

static void
add_bool (JsonBuilder *b,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  return o != NULL ? json_object_get_string_member_with_default (o, name, NULL) : NULL;
}

static JsonObject *
member_object (JsonObject *o,
               const char *name)
{
  return o != NULL && json_object_has_member (o, name) &&
         JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, name))
         ? json_object_get_object_member (o, name) : NULL;
}

static JsonArray *
member_array (JsonObject *o,
              const char *name)
{
  return o != NULL && json_object_has_member (o, name) &&
         JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, name))
         ? json_object_get_array_member (o, name) : NULL;
}

/* ---- System ---- */

static char *
os_pretty_name (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/os-release", &contents, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "PRETTY_NAME="))
      {
        g_autofree char *value = g_strdup (lines[i] + strlen ("PRETTY_NAME="));

        return g_strdup (g_strstrip (g_strdelimit (value, "\"", ' ')));
      }
  return g_strdup ("unknown");
}

/* The names of the running processes (/proc/PID/comm), once per report */
static GHashTable *
running_processes (void)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL, *comm = NULL;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_build_filename ("/proc", entry, "comm", NULL);
      if (g_file_get_contents (path, &comm, NULL, NULL))
        g_hash_table_add (names, g_strdup (g_strstrip (comm)));
    }
  return names;
}

/* Is sshd among this process's ancestors? */
static gboolean
started_by_sshd (void)
{
  pid_t pid = getppid ();

  for (guint depth = 0; pid > 1 && depth < 32; depth++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
      g_autofree char *stat = NULL;
      char *open_paren, *close_paren;
      int ppid = 0;

      if (!g_file_get_contents (path, &stat, NULL, NULL))
        return FALSE;
      open_paren = strchr (stat, '(');
      close_paren = strrchr (stat, ')');
      if (open_paren == NULL || close_paren == NULL)
        return FALSE;
      if (g_str_has_prefix (open_paren + 1, "sshd"))
        return TRUE;
      if (sscanf (close_paren + 2, "%*c %d", &ppid) != 1)
        return FALSE;
      pid = ppid;
    }
  return FALSE;
}

/* Remote session: which kinds, and the evidence for each (what a helpdesk agent can check) */
static void
add_remote_session (JsonBuilder *b)
{
  g_autoptr(GHashTable) processes = running_processes ();
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();
  g_autoptr(GPtrArray) evidence = g_ptr_array_new_with_free_func (g_free);
  static const char * const vnc_servers[] = { "Xvnc", "Xtigervnc", "x11vnc", "vncserver", "Xvnc-session",
                                              "tigervncserver", "krfb", "vino-server", "gnome-remote-de" };
  gboolean vnc = FALSE;

  if (g_getenv ("SSH_CONNECTION") != NULL || g_getenv ("SSH_CLIENT") != NULL || g_getenv ("SSH_TTY") != NULL)
    {
      g_ptr_array_add (kinds, (gpointer) "ssh");
      g_ptr_array_add (evidence, g_strdup (g_getenv ("SSH_CONNECTION") != NULL ? "SSH_CONNECTION is set"
                                           : g_getenv ("SSH_CLIENT") != NULL ? "SSH_CLIENT is set" : "SSH_TTY is set"));
    }
  else if (started_by_sshd ())
    {
      g_ptr_array_add (kinds, (gpointer) "ssh");
      g_ptr_array_add (evidence, g_strdup ("started by sshd"));
    }
  if (g_getenv ("XRDP_SESSION") != NULL || g_getenv ("XRDP_SOCKET_PATH") != NULL)
    {
      g_ptr_array_add (kinds, (gpointer) "xrdp");
      g_ptr_array_add (evidence, g_strdup (g_getenv ("XRDP_SESSION") != NULL ? "XRDP_SESSION is set"
                                                                               : "XRDP_SOCKET_PATH is set"));
    }
  else if (g_hash_table_contains (processes, "xrdp") || g_hash_table_contains (processes, "xrdp-sesman"))
    {
      g_ptr_array_add (kinds, (gpointer) "xrdp");
      g_ptr_array_add (evidence, g_strdup ("an xrdp process is running"));
    }
  if (g_getenv ("VNCDESKTOP") != NULL)
    {
      vnc = TRUE;
      g_ptr_array_add (evidence, g_strdup ("VNCDESKTOP is set"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (vnc_servers); i++)
    if (g_hash_table_contains (processes, vnc_servers[i]))
      {
        vnc = TRUE;
        g_ptr_array_add (evidence, g_strdup_printf ("process %s is running", vnc_servers[i]));
        break;
      }
  if (vnc)
    g_ptr_array_add (kinds, (gpointer) "vnc");

  json_builder_set_member_name (b, "remote");
  json_builder_begin_object (b);
  add_bool (b, "detected", kinds->len > 0);
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_array (b);
  for (guint i = 0; i < kinds->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (kinds, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "evidence");
  json_builder_begin_array (b);
  for (guint i = 0; i < evidence->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (evidence, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
add_system (JsonBuilder *b)
{
  g_autofree char *os = os_pretty_name ();
  struct utsname uts;
  const char *session_type = g_getenv ("XDG_SESSION_TYPE");
  const char *locale = setlocale (LC_MESSAGES, NULL);

  json_builder_set_member_name (b, "system");
  json_builder_begin_object (b);
  add_string (b, "os", os);
  add_string (b, "kernel", uname (&uts) == 0 ? uts.release : NULL);
  add_text (b, "desktop", g_getenv ("XDG_CURRENT_DESKTOP"));
  if (session_type == NULL || session_type[0] == '\0')
    session_type = g_getenv ("WAYLAND_DISPLAY") != NULL ? "wayland" : g_getenv ("DISPLAY") != NULL ? "x11" : "tty";
  add_text (b, "session_type", session_type);
  add_remote_session (b);
  add_text (b, "locale", locale);
  add_text (b, "language", g_get_language_names ()[0]);
  add_text (b, "timezone", g_getenv ("TZ"));
  json_builder_end_object (b);
}

static void
add_libraries (JsonBuilder *b)
{
  g_autofree char *glib = g_strdup_printf ("%u.%u.%u", glib_major_version, glib_minor_version, glib_micro_version);

  json_builder_set_member_name (b, "app");
  json_builder_begin_object (b);
  add_string (b, "name", PACKAGE_NAME);
  add_string (b, "version", PACKAGE_VERSION);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "libraries");
  json_builder_begin_object (b);
  add_string (b, "glib", glib);
  add_string (b, "json-glib", JSON_VERSION_S);
  add_string (b, "p11-kit", EK_P11KIT_VERSION);
  add_string (b, "libcurl", curl_version ());
  json_builder_end_object (b);
}

/* ---- The key ---- */

static void
add_token_flags (JsonBuilder *b,
                 gulong       flags)
{
  static const struct { gulong flag; const char *name; } names[] = {
    { CKF_LOGIN_REQUIRED, "LOGIN_REQUIRED" },
    { CKF_USER_PIN_INITIALIZED, "USER_PIN_INITIALIZED" },
    { CKF_PROTECTED_AUTHENTICATION_PATH, "PROTECTED_AUTHENTICATION_PATH" },
    { CKF_USER_PIN_COUNT_LOW, "USER_PIN_COUNT_LOW" },
    { CKF_USER_PIN_FINAL_TRY, "USER_PIN_FINAL_TRY" },
    { CKF_USER_PIN_LOCKED, "USER_PIN_LOCKED" },
    { CKF_USER_PIN_TO_BE_CHANGED, "USER_PIN_TO_BE_CHANGED" },
    { CKF_SO_PIN_LOCKED, "SO_PIN_LOCKED" },
    { CKF_WRITE_PROTECTED, "WRITE_PROTECTED" },
  };
  g_autofree char *hex = g_strdup_printf ("0x%lx", flags);

  add_string (b, "flags", hex);
  json_builder_set_member_name (b, "flag_names");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].flag)
      json_builder_add_string_value (b, names[i].name);
  json_builder_end_array (b);
}

static const char *
pin_state_nick (EkPinState state)
{
  switch (state)
    {
    case EK_PIN_STATE_COUNT_LOW: return "count-low";
    case EK_PIN_STATE_FINAL_TRY: return "final-try";
    case EK_PIN_STATE_LOCKED: return "locked";
    case EK_PIN_STATE_OK:
    default: return "ok";
    }
}

static const char *
uscc_nick (EkUsccStatus status)
{
  switch (status)
    {
    case EK_USCC_VALID: return "valid";
    case EK_USCC_BAD_CHECK: return "wrong-check-character";
    case EK_USCC_ABSENT:
    default: return "absent";
    }
}

static const char *
instead_nick (EkUsccInstead instead)
{
  switch (instead)
    {
    case EK_USCC_INSTEAD_REGISTRATION_NUMBER: return "registration-number";
    case EK_USCC_INSTEAD_ORGANIZATION_CODE: return "organization-code";
    case EK_USCC_INSTEAD_MALFORMED: return "malformed";
    case EK_USCC_INSTEAD_NOTHING:
    default: return "nothing";
    }
}

static void
add_certificate (JsonBuilder       *b,
                 EkCertificateInfo *info,
                 GDateTime         *now)
{
  g_autofree char *uscc = ek_redact_code (ek_certificate_info_get_uscc (info));
  g_autofree char *code13 = ek_redact_code (ek_certificate_info_get_enterprise_code_13 (info));
  GDateTime *not_after = ek_certificate_info_get_not_after (info);
  g_autofree char *expires = not_after != NULL ? g_date_time_format (not_after, "%Y-%m-%d") : NULL;
  const char *instead_value = NULL;
  EkUsccStatus status = ek_certificate_info_get_uscc_status (info);

  json_builder_begin_object (b);
  add_text (b, "enterprise", ek_certificate_info_get_enterprise_name (info));
  add_string (b, "uscc_verdict", uscc_nick (status));
  add_string (b, "uscc", uscc);
  if (status == EK_USCC_ABSENT)
    {
      g_autofree char *masked = NULL;

      add_string (b, "instead", instead_nick (ek_certificate_info_get_uscc_instead (info, &instead_value)));
      masked = ek_redact_code (instead_value);
      add_string (b, "instead_value", masked);
    }
  add_string (b, "enterprise_code", code13);
  add_string (b, "expires", expires);
  add_int (b, "days_left", ek_certificate_info_get_days_left (info, now));
  add_bool (b, "expired", ek_certificate_info_is_expired (info, now));
  add_string (b, "key_algorithm", ek_certificate_info_get_key_algorithm (info));
  add_string (b, "signature_algorithm", ek_certificate_info_get_signature_algorithm (info));
  json_builder_end_object (b);
}

static gboolean
pcscd_socket_present (void)
{
  const char *socket = g_getenv ("PCSCLITE_CSOCK_NAME");

  return g_file_test (socket != NULL ? socket : "/run/pcscd/pcscd.comm", G_FILE_TEST_EXISTS);
}

static void
add_key (JsonBuilder    *b,
         EkTokenManager *manager,
         GHashTable     *processes)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) modules = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *forwarded = ek_token_dup_forwarded_address ();
  g_autofree char *diagnosis = NULL, *vendor = NULL;

  tokens = ek_token_manager_list_tokens (manager, NULL, &error);
  modules = ek_token_manager_dup_module_status (manager);
  errors = ek_token_manager_get_module_errors (manager);
  ek_token_manager_diagnose (manager, &diagnosis, &vendor);

  json_builder_set_member_name (b, "key");
  json_builder_begin_object (b);
  add_text (b, "forwarded_address", forwarded);
  json_builder_set_member_name (b, "modules");
  json_builder_begin_array (b);
  for (guint i = 0; i < modules->len; i++)
    {
      EkModuleStatus *module = g_ptr_array_index (modules, i);

      json_builder_begin_object (b);
      add_text (b, "name", module->name);
      add_text (b, "path", module->path);
      add_string (b, "state", module->started ? "started" : "failed");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "module_errors");
  json_builder_begin_array (b);
  for (guint i = 0; i < errors->len; i++)
    {
      g_autofree char *text = ek_redact_text (((GError *) g_ptr_array_index (errors, i))->message);

      json_builder_add_string_value (b, text);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "tokens");
  json_builder_begin_array (b);
  for (guint i = 0; tokens != NULL && i < tokens->len; i++)
    {
      EkToken *token = g_ptr_array_index (tokens, i);
      GPtrArray *certificates = ek_token_get_certificates (token);
      GPtrArray *problems = ek_token_get_problems (token);
      g_autofree char *serial = ek_redact_code (ek_token_get_serial (token));

      json_builder_begin_object (b);
      add_text (b, "label", ek_token_get_label (token));
      add_text (b, "manufacturer", ek_token_get_manufacturer (token));
      add_text (b, "model", ek_token_get_model (token));
      add_string (b, "serial", serial);
      add_text (b, "module", ek_token_get_module_path (token));
      add_int (b, "slot", (gint64) ek_token_get_slot_id (token));
      add_token_flags (b, ek_token_get_flags (token));
      add_string (b, "pin_state", pin_state_nick (ek_token_get_pin_state (token)));
      json_builder_set_member_name (b, "certificates");
      json_builder_begin_array (b);
      for (guint j = 0; j < certificates->len; j++)
        add_certificate (b, g_ptr_array_index (certificates, j), now);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint j = 0; j < problems->len; j++)
        {
          g_autofree char *text = ek_redact_text (g_ptr_array_index (problems, j));

          json_builder_add_string_value (b, text);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  add_string (b, "pcscd", pcscd_socket_present () ? "running"
                         : g_hash_table_contains (processes, "pcscd") ? "running-without-socket" : "not-running");
  json_builder_set_member_name (b, "unregistered_drivers");
  json_builder_begin_array (b);
  if (vendor != NULL)
    json_builder_add_string_value (b, vendor);
  json_builder_end_array (b);
  add_text (b, "diagnosis", diagnosis);
  json_builder_end_object (b);
}

/* ---- Scanners, through the scan helper ---- */

static void
add_scanners (JsonBuilder  *b,
              GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = ek_scanner_list_devices (cancellable, &error);

  json_builder_set_member_name (b, "scanners");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      EkScannerDevice *device = g_ptr_array_index (devices, i);

      json_builder_begin_object (b);
      add_text (b, "name", device->name);
      add_text (b, "vendor", device->vendor);
      add_text (b, "model", device->model);
      add_text (b, "type", device->type);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_text (b, "error", error != NULL ? error->message : NULL);
  json_builder_end_object (b);
}

/* ---- The registration service ---- */

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static const char *
api_error_nick (const GError *error)
{
  if (error->domain != EK_API_ERROR)
    return "error";
  switch (error->code)
    {
    case EK_API_ERROR_UNREACHABLE: return "unreachable";
    case EK_API_ERROR_TLS: return "tls";
    case EK_API_ERROR_TIMEOUT: return "timeout";
    case EK_API_ERROR_DROPPED: return "dropped";
    case EK_API_ERROR_SERVER: return "server-error";
    case EK_API_ERROR_INVALID_RESPONSE: return "invalid-response";
    default: return "problem";
    }
}

static void
add_registry (JsonBuilder  *b,
              EkApiClient  *given,
              GCancellable *cancellable)
{
  g_autoptr(EkApiClient) client = given != NULL ? g_object_ref (given) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsonNode) catalogue = NULL;
  g_autofree char *request_id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *local_time = g_date_time_format_iso8601 (now);
  gint64 skew = 0, started;
  Wait wait = { NULL, NULL };

  json_builder_set_member_name (b, "registry");
  json_builder_begin_object (b);
  if (client == NULL)
    client = ek_api_client_new_from_settings (&error);
  if (client == NULL)
    {
      add_bool (b, "configured", FALSE);
      add_text (b, "error", error->message);
      json_builder_end_object (b);
      return;
    }
  add_bool (b, "configured", TRUE);
  add_string (b, "url", ek_api_client_get_base_url (client));

  /* The client calls back in the thread-default context of the call: a private one here */
  g_main_context_push_thread_default (context);
  wait.loop = g_main_loop_new (context, FALSE);
  started = g_get_monotonic_time ();
  ek_api_client_get_catalogue_async (client, cancellable, on_done_cb, &wait);
  g_main_loop_run (wait.loop);
  catalogue = ek_api_client_get_catalogue_finish (client, wait.result, &error);
  g_main_context_pop_thread_default (context);
  g_clear_object (&wait.result);
  g_clear_pointer (&wait.loop, g_main_loop_unref);

  request_id = ek_api_client_dup_last_request_id (client);
  add_bool (b, "reachable", catalogue != NULL || (error != NULL && error->domain == EK_API_ERROR &&
                                                  error->code != EK_API_ERROR_UNREACHABLE &&
                                                  error->code != EK_API_ERROR_TIMEOUT &&
                                                  error->code != EK_API_ERROR_TLS));
  add_string (b, "tls", catalogue != NULL ? "verified"
                        : error != NULL && g_error_matches (error, EK_API_ERROR, EK_API_ERROR_TLS) ? "failed"
                        : error != NULL && g_error_matches (error, EK_API_ERROR, EK_API_ERROR_UNREACHABLE) ? "not-reached"
                        : "verified");
  add_string (b, "result", catalogue != NULL ? "ok" : api_error_nick (error));
  add_int (b, "milliseconds", (g_get_monotonic_time () - started) / 1000);
  add_string (b, "request_id", request_id);
  add_string (b, "local_time", local_time);
  json_builder_set_member_name (b, "clock_skew_seconds");
  if (ek_api_client_get_clock_skew (client, &skew))
    json_builder_add_int_value (b, skew);
  else
    json_builder_add_null_value (b);
  add_text (b, "error", error != NULL ? error->message : NULL);
  json_builder_end_object (b);
}

/* ---- Recent errors ---- */

static void
add_recent_errors (JsonBuilder *b)
{
  g_autoptr(GPtrArray) entries = ek_error_journal_read ();

  json_builder_set_member_name (b, "recent_errors");
  json_builder_begin_array (b);
  for (guint i = entries->len; i > 0; i--)   /* newest first */
    {
      EkJournalEntry *entry = g_ptr_array_index (entries, i - 1);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (entry->time);
      g_autofree char *time = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

      json_builder_begin_object (b);
      add_string (b, "time", time);
      add_text (b, "where", entry->where);
      add_text (b, "message", entry->message);
      add_string (b, "request_id", entry->request_id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* ---- The first line ---- */

static char *
make_summary (JsonObject *report)
{
  JsonObject *key = member_object (report, "key");
  JsonObject *registry = member_object (report, "registry");
  JsonObject *remote = member_object (member_object (report, "system"), "remote");
  JsonArray *tokens = member_array (key, "tokens");
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  gboolean remote_detected = remote != NULL && json_object_get_boolean_member_with_default (remote, "detected", FALSE);

  if (tokens == NULL || json_array_get_length (tokens) == 0)
    {
      if (remote_detected)
        g_ptr_array_add (parts, g_strdup (_("No key found: this is a remote session, and a key plugged into the clerk’s own computer must be shared into it (see below)")));
      else
        {
          const char *diagnosis = member_string (key, "diagnosis");

          g_ptr_array_add (parts, g_strdup_printf (_("No key found: %s"), diagnosis != NULL ? diagnosis : ""));
        }
    }
  else
    {
      JsonObject *best = NULL;
      gint64 best_days = G_MININT64;
      const char *pin_state = "ok";

      /* The certificate the clerk will use: the one with the most days left */
      for (guint i = 0; i < json_array_get_length (tokens); i++)
        {
          JsonObject *token = json_array_get_object_element (tokens, i);
          JsonArray *certificates = member_array (token, "certificates");
          const char *state = member_string (token, "pin_state");

          if (g_strcmp0 (state, "locked") == 0 || (g_strcmp0 (state, "final-try") == 0 && g_strcmp0 (pin_state, "locked") != 0))
            pin_state = state;
          for (guint j = 0; certificates != NULL && j < json_array_get_length (certificates); j++)
            {
              JsonObject *cert = json_array_get_object_element (certificates, j);
              gint64 days = json_object_get_int_member_with_default (cert, "days_left", G_MININT64);

              if (best == NULL || days > best_days)
                best = cert, best_days = days;
            }
        }
      if (g_strcmp0 (pin_state, "locked") == 0)
        g_ptr_array_add (parts, g_strdup (_("Key found, but it is locked after too many wrong PINs (apply for PIN unlock)")));
      else if (best == NULL)
        g_ptr_array_add (parts, g_strdup (_("Key found, but it holds no certificate that can be read")));
      else if (json_object_get_boolean_member_with_default (best, "expired", FALSE))
        g_ptr_array_add (parts, g_strdup (_("Key found, but its certificate has expired (apply for renewal)")));
      else
        g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Key found, certificate expires in %d day",
                                                              "Key found, certificate expires in %d days", (gulong) best_days),
                                                 (int) best_days));
      if (best != NULL && g_strcmp0 (member_string (best, "uscc_verdict"), "valid") != 0)
        g_ptr_array_add (parts, g_strdup (g_strcmp0 (member_string (best, "uscc_verdict"), "absent") == 0
                                          ? _("no 18-digit code in the certificate")
                                          : _("the certificate’s 18-digit code has a wrong check character")));
      if (g_strcmp0 (pin_state, "final-try") == 0)
        g_ptr_array_add (parts, g_strdup (_("one more wrong PIN locks the key")));
    }

  if (registry == NULL)
    ;   /* not checked */
  else if (!json_object_get_boolean_member_with_default (registry, "configured", TRUE))
    g_ptr_array_add (parts, g_strdup (_("the registration service is not set up")));
  else if (g_strcmp0 (member_string (registry, "result"), "ok") == 0)
    g_ptr_array_add (parts, g_strdup (_("service reachable")));
  else if (g_strcmp0 (member_string (registry, "tls"), "failed") == 0)
    g_ptr_array_add (parts, g_strdup (_("the service’s certificate is not trusted (check the date and the CA file)")));
  else if (g_strcmp0 (member_string (registry, "result"), "unreachable") == 0 ||
           g_strcmp0 (member_string (registry, "result"), "timeout") == 0)
    g_ptr_array_add (parts, g_strdup (_("service not reachable (check the network and the proxy)")));
  else
    g_ptr_array_add (parts, g_strdup (_("the service answered with an error")));

  if (registry != NULL && json_object_has_member (registry, "clock_skew_seconds") &&
      !json_object_get_null_member (registry, "clock_skew_seconds"))
    {
      gint64 skew = json_object_get_int_member (registry, "clock_skew_seconds");

      if (ABS (skew) > CLOCK_SKEW_WARNING)
        g_ptr_array_add (parts, g_strdup_printf (_("this computer’s clock is %d minutes off"), (int) (ABS (skew) / 60)));
    }

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (_(", "), (char **) parts->pdata);
}

JsonNode *
ek_diagnostics_collect (EkTokenManager     *manager,
                        EkApiClient        *client,
                        EkDiagnosticsFlags  flags,
                        GCancellable       *cancellable)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(EkTokenManager) own_manager = NULL;
  g_autoptr(GHashTable) processes = running_processes ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *generated = g_date_time_format_iso8601 (now);
  JsonNode *root;
  g_autofree char *summary = NULL;

  if (manager == NULL)
    {
      g_auto(GStrv) modules = ek_settings_dup_pkcs11_modules (NULL);

      manager = own_manager = ek_token_manager_new ((const char * const *) modules, EK_TOKEN_MANAGER_FLAGS_NONE);
    }

  json_builder_begin_object (b);
  add_string (b, "summary", "");   /* filled in below */
  add_string (b, "generated", generated);
  add_libraries (b);
  add_system (b);
  add_key (b, manager, processes);
  if (!(flags & EK_DIAGNOSTICS_SKIP_SCANNERS))
    add_scanners (b, cancellable);
  if (!(flags & EK_DIAGNOSTICS_SKIP_REGISTRY))
    add_registry (b, client, cancellable);
  add_recent_errors (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  summary = make_summary (json_node_get_object (root));
  json_object_set_string_member (json_node_get_object (root), "summary", summary);
  return root;
}

typedef struct
{
  EkTokenManager     *manager;
  EkApiClient        *client;
  EkDiagnosticsFlags  flags;
} CollectData;

static void
collect_data_free (CollectData *data)
{
  g_clear_object (&data->manager);
  g_clear_object (&data->client);
  g_free (data);
}

static void
collect_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CollectData *data = task_data;

  g_task_return_pointer (task, ek_diagnostics_collect (data->manager, data->client, data->flags, cancellable),
                         (GDestroyNotify) json_node_unref);
}

void
ek_diagnostics_collect_async (EkTokenManager      *manager,
                              EkApiClient         *client,
                              EkDiagnosticsFlags   flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CollectData *data = g_new0 (CollectData, 1);

  data->manager = manager != NULL ? g_object_ref (manager) : NULL;
  data->client = client != NULL ? g_object_ref (client) : NULL;
  data->flags = flags;
  g_task_set_source_tag (task, ek_diagnostics_collect_async);
  g_task_set_task_data (task, data, (GDestroyNotify) collect_data_free);
  g_task_run_in_thread (task, collect_thread);
}

JsonNode *
ek_diagnostics_collect_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_diagnostics_add_library (JsonNode   *report,
                            const char *name,
                            const char *version)
{
  JsonObject *libraries = member_object (json_node_get_object (report), "libraries");

  if (libraries != NULL)
    json_object_set_string_member (libraries, name, version);
}

const char *
ek_diagnostics_get_summary (JsonNode *report)
{
  return member_string (json_node_get_object (report), "summary");
}

gboolean
ek_diagnostics_wants_sharing (JsonNode *report)
{
  JsonObject *o = json_node_get_object (report);
  JsonObject *remote = member_object (member_object (o, "system"), "remote");
  JsonArray *tokens = member_array (member_object (o, "key"), "tokens");

  return remote != NULL && json_object_get_boolean_member_with_default (remote, "detected", FALSE) &&
         (tokens == NULL || json_array_get_length (tokens) == 0);
}

char *
ek_diagnostics_sharing_advice (void)
{
  return g_strdup (_("The key is plugged into your own computer, but the assistant runs in a remote session, "
                     "which cannot see it. On your own computer, with the key inserted, run\n"
                     "    ekey-tool token share --to USER@REMOTE-COMPUTER\n"
                     "and run the one ssh command it prints. The key then appears here like a local one "
                     "until you stop the sharing with Ctrl+C."));
}

/* ---- Text ---- */

static void
append_line (GString    *s,
             const char *label,
             const char *value)
{
  g_string_append_printf (s, "  %s: %s\n", label, value != NULL && value[0] != '\0' ? value : "—");
}

char *
ek_diagnostics_to_text (JsonNode *report)
{
  JsonObject *o = json_node_get_object (report);
  JsonObject *app = member_object (o, "app"), *libraries = member_object (o, "libraries");
  JsonObject *system = member_object (o, "system"), *remote = member_object (system, "remote");
  JsonObject *key = member_object (o, "key"), *scanners = member_object (o, "scanners");
  JsonObject *registry = member_object (o, "registry");
  JsonArray *array;
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s\n\n", member_string (o, "summary"));
  if (ek_diagnostics_wants_sharing (report))
    {
      g_autofree char *advice = ek_diagnostics_sharing_advice ();

      g_string_append_printf (s, "%s\n\n", advice);
    }

  g_string_append_printf (s, "%s\n", _("Program"));
  g_string_append_printf (s, "  %s %s (%s)\n", member_string (app, "name"), member_string (app, "version"),
                          member_string (o, "generated"));
  if (libraries != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (libraries);

      for (GList *l = names; l != NULL; l = l->next)
        append_line (s, l->data, member_string (libraries, l->data));
    }

  g_string_append_printf (s, "\n%s\n", _("Computer"));
  append_line (s, _("System"), member_string (system, "os"));
  append_line (s, _("Kernel"), member_string (system, "kernel"));
  append_line (s, _("Desktop"), member_string (system, "desktop"));
  append_line (s, _("Session type"), member_string (system, "session_type"));
  if (remote != NULL && json_object_get_boolean_member_with_default (remote, "detected", FALSE))
    {
      g_autoptr(GString) kinds = g_string_new (NULL);
      JsonArray *k = member_array (remote, "kinds"), *e = member_array (remote, "evidence");

      for (guint i = 0; k != NULL && i < json_array_get_length (k); i++)
        g_string_append_printf (kinds, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (k, i));
      g_string_append (kinds, " (");
      for (guint i = 0; e != NULL && i < json_array_get_length (e); i++)
        g_string_append_printf (kinds, "%s%s", i > 0 ? "; " : "", json_array_get_string_element (e, i));
      g_string_append (kinds, ")");
      append_line (s, _("Remote session"), kinds->str);
    }
  else
    append_line (s, _("Remote session"), _("none detected"));
  append_line (s, _("Locale"), member_string (system, "locale"));

  g_string_append_printf (s, "\n%s\n", _("Key"));
  append_line (s, _("Forwarded key socket"), member_string (key, "forwarded_address"));
  array = member_array (key, "modules");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *m = json_array_get_object_element (array, i);
      g_autofree char *value = g_strdup_printf ("%s (%s)", member_string (m, "path"),
                                                g_strcmp0 (member_string (m, "state"), "started") == 0
                                                ? _("started") : _("failed to start"));

      append_line (s, _("Driver"), value);
    }
  array = member_array (key, "module_errors");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    append_line (s, _("Driver error"), json_array_get_string_element (array, i));
  array = member_array (key, "tokens");
  if (array == NULL || json_array_get_length (array) == 0)
    append_line (s, _("Keys"), _("none"));
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *t = json_array_get_object_element (array, i);
      JsonArray *certificates = member_array (t, "certificates"), *problems = member_array (t, "problems");
      JsonArray *flag_names = member_array (t, "flag_names");
      g_autoptr(GString) flags = g_string_new (member_string (t, "flags"));
      g_autofree char *value = g_strdup_printf ("%s — %s %s, %s %s", member_string (t, "label"),
                                                member_string (t, "manufacturer"), member_string (t, "model"),
                                                _("serial"), member_string (t, "serial"));

      append_line (s, _("Key"), value);
      for (guint j = 0; flag_names != NULL && j < json_array_get_length (flag_names); j++)
        g_string_append_printf (flags, "%s%s", j == 0 ? " " : "|", json_array_get_string_element (flag_names, j));
      append_line (s, _("  Flags"), flags->str);
      append_line (s, _("  PIN state"), member_string (t, "pin_state"));
      append_line (s, _("  Driver"), member_string (t, "module"));
      for (guint j = 0; certificates != NULL && j < json_array_get_length (certificates); j++)
        {
          JsonObject *c = json_array_get_object_element (certificates, j);
          g_autofree char *line = g_strdup_printf (_("%s; 18-digit code %s (%s); expires %s, %d days left"),
                                                   member_string (c, "enterprise"),
                                                   member_string (c, "uscc") != NULL ? member_string (c, "uscc") : "—",
                                                   member_string (c, "uscc_verdict"), member_string (c, "expires"),
                                                   (int) json_object_get_int_member_with_default (c, "days_left", 0));

          append_line (s, _("  Certificate"), line);
        }
      for (guint j = 0; problems != NULL && j < json_array_get_length (problems); j++)
        append_line (s, _("  Problem"), json_array_get_string_element (problems, j));
    }
  append_line (s, _("Smart-card service (pcscd)"), member_string (key, "pcscd"));
  array = member_array (key, "unregistered_drivers");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    append_line (s, _("Driver installed but not in use"), json_array_get_string_element (array, i));
  append_line (s, _("Diagnosis"), member_string (key, "diagnosis"));

  if (scanners != NULL)
    {
      g_string_append_printf (s, "\n%s\n", _("Scanners"));
      array = member_array (scanners, "devices");
      if (array == NULL || json_array_get_length (array) == 0)
        append_line (s, _("Scanners"), _("none"));
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonObject *d = json_array_get_object_element (array, i);
          g_autofree char *value = g_strdup_printf ("%s (%s %s)", member_string (d, "name"),
                                                    member_string (d, "vendor"), member_string (d, "model"));

          append_line (s, _("Scanner"), value);
        }
      if (member_string (scanners, "error") != NULL)
        append_line (s, _("Error"), member_string (scanners, "error"));
    }

  if (registry != NULL)
    {
      g_string_append_printf (s, "\n%s\n", _("Registration service"));
      append_line (s, _("Address"), member_string (registry, "url"));
      append_line (s, _("Result"), member_string (registry, "result"));
      append_line (s, _("TLS"), member_string (registry, "tls"));
      if (json_object_has_member (registry, "milliseconds"))
        {
          g_autofree char *ms = g_strdup_printf ("%" G_GINT64_FORMAT " ms",
                                                 json_object_get_int_member (registry, "milliseconds"));

          append_line (s, _("Time taken"), ms);
        }
      append_line (s, _("Request id"), member_string (registry, "request_id"));
      if (json_object_has_member (registry, "clock_skew_seconds") &&
          !json_object_get_null_member (registry, "clock_skew_seconds"))
        {
          g_autofree char *skew = g_strdup_printf ("%+" G_GINT64_FORMAT " s",
                                                   json_object_get_int_member (registry, "clock_skew_seconds"));

          append_line (s, _("Clock skew (service − this computer)"), skew);
        }
      if (member_string (registry, "error") != NULL)
        append_line (s, _("Error"), member_string (registry, "error"));
    }

  g_string_append_printf (s, "\n%s\n", _("Recent errors"));
  array = member_array (o, "recent_errors");
  if (array == NULL || json_array_get_length (array) == 0)
    g_string_append_printf (s, "  %s\n", _("none"));
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *e = json_array_get_object_element (array, i);

      g_string_append_printf (s, "  %s [%s] %s", member_string (e, "time"), member_string (e, "where"),
                              member_string (e, "message"));
      if (member_string (e, "request_id") != NULL)
        g_string_append_printf (s, " (%s %s)", _("request"), member_string (e, "request_id"));
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}
