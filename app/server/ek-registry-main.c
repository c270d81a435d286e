/* ek-registry-main.c: ekey-registry, the reference registration service
 *
 *   ekey-registry serve --listen 127.0.0.1:PORT --db FILE --data-dir DIR [--tls-cert F --tls-key F] [--ca FILE]
 *   ekey-registry review --db FILE list | show ID | pre-review ID pass|fail | re-review ID pass|fail
 *                                  | produce ID | ship ID | arrive ID | collect ID
 *                                  | approve-seal ID | reject-seal ID --remark TEXT | make-seal ID | install-mobile ID
 *   ekey-registry outbox --db FILE [--json]
 *   ekey-registry captcha-answer --db FILE ID
 *   ekey-registry certificates --db FILE add CERT.pem [--uscc CODE] [--name NAME] | revoke SERIAL | list [--json]
 */
#include "config.h"

#include <cairo.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ek-catalogue.h"
#include "ek-l10n.h"
#include "ek-registry-db.h"
#include "ek-registry-renewals.h"
#include "ek-registry-review.h"
#include "ek-registry-server.h"
#include "ek-stages.h"

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
split_listen (const char  *listen,
              char       **host,
              guint       *port)
{
  const char *colon = strrchr (listen, ':');
  guint64 value;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    return FALSE;
  if (listen[0] == '[' && colon > listen + 1 && colon[-1] == ']')
    *host = g_strndup (listen + 1, (gsize) (colon - listen - 2));
  else
    *host = g_strndup (listen, (gsize) (colon - listen));
  *port = (guint) value;
  return TRUE;
}

static int
cmd_serve (int    argc,
           char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *db = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *catalogue = NULL;
  g_autofree char *material_rules = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  g_autofree char *issuing_ca = NULL;
  g_autofree char *issuing_key = NULL;
  int session_ttl = 1800, captcha_ttl = 300, rate_limit = 30, json_limit = 65536;
  int certificate_days = 730, renewal_window_days = 90, renewal_grace_days = 30;
  int header_timeout = EK_REGISTRY_DEFAULT_HEADER_TIMEOUT, body_timeout = EK_REGISTRY_DEFAULT_BODY_TIMEOUT;
  int idle_timeout = EK_REGISTRY_DEFAULT_IDLE_TIMEOUT, db_busy_timeout = EK_REGISTRY_DEFAULT_DB_BUSY_TIMEOUT;
  guint port = 0;
  g_autoptr(GOptionContext) context = g_option_context_new ("- serve the registration API");
  g_autoptr(GError) error = NULL;
  g_autoptr(EkRegistryServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  EkRegistryConfig config = { 0 };
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address and port (port 0: any free port)", "HOST:PORT" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "SQLite database (created if missing)", "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Folder for uploaded files", "DIR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS with this certificate (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "… and this private key (PEM)", "FILE" },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "CA that certificates for key log-in must chain to", "FILE" },
    { "catalogue", 0, 0, G_OPTION_ARG_FILENAME, &catalogue, "Serve this catalogue instead of the bundled one", "FILE" },
    { "material-rules", 0, 0, G_OPTION_ARG_STRING, &material_rules,
      "Enforce, and declare in the catalogue, this material rule set (e.g. gfa-200kb, gfa-1mb)", "ID" },
    { "session-ttl", 0, 0, G_OPTION_ARG_INT, &session_ttl, "Session lifetime in seconds (1800)", "S" },
    { "captcha-ttl", 0, 0, G_OPTION_ARG_INT, &captcha_ttl, "Captcha lifetime in seconds (300)", "S" },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &rate_limit, "Log-ins and captchas per address per minute (30)", "N" },
    { "json-limit", 0, 0, G_OPTION_ARG_INT, &json_limit, "Largest JSON request body in bytes (65536)", "BYTES" },
    { "issuing-ca", 0, 0, G_OPTION_ARG_FILENAME, &issuing_ca, "Renew certificates online, issued by this CA (PEM)", "FILE" },
    { "issuing-key", 0, 0, G_OPTION_ARG_FILENAME, &issuing_key, "… with this private key (PEM)", "FILE" },
    { "certificate-days", 0, 0, G_OPTION_ARG_INT, &certificate_days, "Validity of a renewed certificate in days (730)", "DAYS" },
    { "renewal-window-days", 0, 0, G_OPTION_ARG_INT, &renewal_window_days,
      "A key can be renewed online this many days before its certificate expires (90)", "DAYS" },
    { "renewal-grace-days", 0, 0, G_OPTION_ARG_INT, &renewal_grace_days,
      "… and this many days after; beyond, key log-in is refused (30)", "DAYS" },
    { "header-timeout", 0, 0, G_OPTION_ARG_INT, &header_timeout, "Seconds a client may take to send a request's headers (15)", "S" },
    { "body-timeout", 0, 0, G_OPTION_ARG_INT, &body_timeout, "Seconds a request body may stall (30)", "S" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout, "Seconds a kept-alive connection may wait for its next request (30)", "S" },
    { "db-busy-timeout", 0, 0, G_OPTION_ARG_INT, &db_busy_timeout,
      "Milliseconds a write waits for another process's database lock before answering 503 (200)", "MS" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ekey-registry serve: %s\n", error->message);
      return 2;
    }
  if (listen == NULL || db == NULL || data_dir == NULL)
    {
      g_printerr ("ekey-registry serve: --listen, --db and --data-dir are required\n");
      return 2;
    }
  if (!split_listen (listen, &host, &port))
    {
      g_printerr ("ekey-registry serve: --listen wants HOST:PORT, e.g. 127.0.0.1:0\n");
      return 2;
    }
  if (session_ttl <= 0 || captcha_ttl <= 0 || rate_limit <= 0 || json_limit <= 0 ||
      certificate_days <= 0 || renewal_window_days <= 0 || renewal_grace_days < 0 ||
      header_timeout <= 0 || body_timeout <= 0 || idle_timeout <= 0 || db_busy_timeout <= 0)
    {
      g_printerr ("ekey-registry serve: limits and lifetimes must be positive\n");
      return 2;
    }

  config.db_path = db;
  config.data_dir = data_dir;
  config.tls_cert = tls_cert;
  config.tls_key = tls_key;
  config.ca_file = ca;
  config.catalogue_file = catalogue;
  config.material_rules = material_rules;
  config.session_ttl = session_ttl;
  config.captcha_ttl = captcha_ttl;
  config.rate_limit = (guint) rate_limit;
  config.json_limit = (gsize) json_limit;
  config.issuing_ca = issuing_ca;
  config.issuing_key = issuing_key;
  config.certificate_days = certificate_days;
  config.renewal_window_days = renewal_window_days;
  config.renewal_grace_days = renewal_grace_days;
  config.header_timeout = (guint) header_timeout;
  config.body_timeout = (guint) body_timeout;
  config.idle_timeout = (guint) idle_timeout;
  config.db_busy_timeout = (guint) db_busy_timeout;

  server = ek_registry_server_new (&config, &error);
  if (server == NULL)
    {
      g_printerr ("ekey-registry serve: %s\n", error->message);
      return 1;
    }
  url = ek_registry_server_listen (server, host, port, &error);
  if (url == NULL)
    {
      g_printerr ("ekey-registry serve: cannot listen on %s: %s\n", listen, error->message);
      return 1;
    }
  /* The first line of stdout is the base URL: tests and scripts read it */
  printf ("%s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_main_loop_run (loop);
  g_printerr ("ekey-registry: stopped\n");
  return 0;
}

static EkRegistryDb *
open_db_arg (int      *argc,
             char   ***argv,
             char    **remark,
             gboolean *json,
             const char *summary)
{
  g_autofree char *db = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (summary);
  g_autoptr(GError) error = NULL;
  EkRegistryDb *handle;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "The service's SQLite database", "FILE" },
    { "remark", 0, 0, G_OPTION_ARG_STRING, remark, "Remark shown to the enterprise (备注)", "TEXT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, json, "Print JSON", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("ekey-registry: %s\n", error->message);
      return NULL;
    }
  if (db == NULL)
    {
      g_printerr ("ekey-registry: --db FILE is required\n");
      return NULL;
    }
  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    {
      g_printerr ("ekey-registry: no database at %s (start `ekey-registry serve` first)\n", db);
      return NULL;
    }
  handle = ek_registry_db_open (db, &error);
  if (handle == NULL)
    g_printerr ("ekey-registry: %s\n", error->message);
  return handle;
}

static void
mail_enterprise (EkRegistryDb *db,
                 const char   *application_id,
                 const char   *subject,
                 const char   *body)
{
  /* The access model: the login that filed it, and those the enterprise vouched for, not any
   * login registered under the enterprise's code */
  sqlite3_stmt *stmt = ek_registry_db_query (db,
                                             "SELECT DISTINCT a.email FROM accounts a JOIN applications p ON p.enterprise_id = a.enterprise_id "
                                             "WHERE p.id = ? AND a.active = 1 AND (a.id = p.account_id OR a.vouched = 1)",
                                             "s", application_id);
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (recipients, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (stmt != NULL)
    sqlite3_reset (stmt);
  for (guint i = 0; i < recipients->len; i++)
    ek_registry_db_send_mail (db, recipients->pdata[i], subject, body);
}

/* The application's business type, with the enterprise's name and the email filled in it */
static char *
application_business (EkRegistryDb  *db,
                      const char    *application_id,
                      char         **enterprise,
                      char         **email)
{
  sqlite3_stmt *stmt = ek_registry_db_query (db,
                                             "SELECT p.business_type, p.fields, e.name FROM applications p "
                                             "JOIN enterprises e ON e.id = p.enterprise_id WHERE p.id = ?",
                                             "s", application_id);
  char *business = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) fields = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);
      JsonObject *object = fields != NULL && JSON_NODE_HOLDS_OBJECT (fields) ? json_node_get_object (fields) : NULL;
      const char *name = object != NULL ? json_object_get_string_member_with_default (object, "enterprise_name", "") : "";

      business = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *enterprise = g_strdup (*name != '\0' ? name : (const char *) sqlite3_column_text (stmt, 2));
      *email = object != NULL ? g_strdup (json_object_get_string_member_with_default (object, "email", "")) : NULL;
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return business;
}

static int
review_list (EkRegistryDb *db,
             gboolean      json)
{
  sqlite3_stmt *stmt = ek_registry_db_query (db,
                                             "SELECT p.id, p.business_type, p.status, COALESCE(e.uscc, e.code13), e.name, p.updated_at "
                                             "FROM applications p JOIN enterprises e ON e.id = p.enterprise_id "
                                             "WHERE p.status NOT IN ('draft', 'collected', 'pre-review-failed', 're-review-failed', 'certificate-issued') "
                                             "ORDER BY p.updated_at, p.id", "");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);

  json_builder_begin_array (builder);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(EkStages) stages = catalogue != NULL
        ? ek_stages_new_for_business (catalogue, (const char *) sqlite3_column_text (stmt, 1), NULL) : NULL;

      /* Done for its business (an unlock once its mail is sent): nothing waits for a reviewer */
      if (stages != NULL && ek_stages_is_final (stages, (const char *) sqlite3_column_text (stmt, 2)))
        continue;
      if (json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
          json_builder_set_member_name (builder, "business_type");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
          json_builder_set_member_name (builder, "enterprise");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 3));
          json_builder_end_object (builder);
        }
      else
        printf ("%s  %-20s %-20s %s %s\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3), sqlite3_column_text (stmt, 4));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_builder_end_array (builder);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);
      printf ("%s\n", text);
    }
  return 0;
}

/* Each reviewer step: the status it records, and the mail it sends. Which status it must follow
 * is the business's course, from the catalogue's stages (ek_stages_status_before()). */
static const struct
{
  const char *command;
  const char *pass_to;
  const char *fail_to;
  const char *subject;
} review_steps[] = {
  { "pre-review", "pre-review-passed", "pre-review-failed", "预审结果 / Pre-review result" },
  { "re-review", "re-review-passed", "re-review-failed", "复核结果 / Re-review result" },
  { "produce", "producing", NULL, NULL },
  { "ship", "shipped", NULL, "电子钥匙已寄出 / Your e-key has been shipped" },
  { "arrive", "ready-for-collection", NULL, "电子钥匙待领取 / Your e-key is ready for collection" },
  { "collect", "collected", NULL, NULL },
};

/* The reviewer may type the application number the clerk reads off the screen (the id's first
 * eight hex digits, any case) instead of the whole id: it must name exactly one application */
static char *
resolve_application_id (EkRegistryDb *db,
                        const char   *given)
{
  g_autofree char *prefix = g_ascii_strdown (given, -1);
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt;
  char *found = NULL;
  guint matches = 0;

  for (const char *c = prefix; *c != '\0'; c++)
    if (!g_ascii_isxdigit (*c) && *c != '-')
      {
        g_printerr ("ekey-registry review: “%s” is not an application id or number\n", given);
        return NULL;
      }
  if (strlen (prefix) < 8)
    {
      g_printerr ("ekey-registry review: give at least the 8 characters of the application number\n");
      return NULL;
    }
  pattern = g_strconcat (prefix, "%", NULL);
  stmt = ek_registry_db_query (db, "SELECT id FROM applications WHERE id LIKE ? LIMIT 2", "s", pattern);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (matches++ == 0)
        found = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  if (matches == 1)
    return found;
  g_free (found);
  if (matches == 0)
    g_printerr ("ekey-registry review: no application %s (see `review list`)\n", given);
  else
    g_printerr ("ekey-registry review: more than one application starts with %s; give the whole id\n", given);
  return NULL;
}

static int
cmd_review (int    argc,
            char **argv)
{
  g_autofree char *remark = NULL;
  gboolean json = FALSE;
  g_autoptr(EkRegistryDb) db = open_db_arg (&argc, &argv, &remark, &json,
                                            "list | show ID | pre-review ID pass|fail | re-review ID pass|fail | "
                                            "produce ID | ship ID | arrive ID | collect ID | approve-seal ID | reject-seal ID | make-seal ID | install-mobile ID");
  g_autoptr(GError) error = NULL;
  g_autofree char *full_id = NULL, *business = NULL, *enterprise = NULL, *email = NULL;
  g_autoptr(EkCatalogue) catalogue = NULL;
  g_autoptr(EkStages) stages = NULL;
  const char *command, *id;

  if (db == NULL)
    return 2;
  if (argc < 2)
    {
      g_printerr ("ekey-registry review: say what to do: list, pre-review, re-review, produce, ship, arrive, collect, approve-seal, reject-seal, make-seal, install-mobile\n");
      return 2;
    }
  command = argv[1];
  if (g_str_equal (command, "list"))
    return review_list (db, json);
  if (argc < 3)
    {
      g_printerr ("ekey-registry review %s: which application? Give its id (see `review list`)\n", command);
      return 2;
    }
  if (g_str_equal (command, "approve-seal") || g_str_equal (command, "reject-seal") || g_str_equal (command, "make-seal"))
    return ek_registry_review_seal (db, command, argv[2], remark);
  if (g_str_equal (command, "install-mobile"))
    return ek_registry_install_mobile (db, argv[2]);
  full_id = resolve_application_id (db, argv[2]);
  if (full_id == NULL)
    return 1;
  id = full_id;

  business = application_business (db, id, &enterprise, &email);
  if (business == NULL)
    {
      g_printerr ("ekey-registry review: no application %s\n", id);
      return 1;
    }
  catalogue = ek_catalogue_new_default (&error);
  stages = catalogue != NULL ? ek_stages_new_for_business (catalogue, business, &error) : NULL;
  if (stages == NULL)
    {
      g_printerr ("ekey-registry review: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (review_steps); i++)
    {
      const char *to, *from;
      gboolean failed = FALSE;
      int stage;

      if (!g_str_equal (command, review_steps[i].command))
        continue;
      if (review_steps[i].fail_to != NULL)
        {
          if (argc < 4 || (!g_str_equal (argv[3], "pass") && !g_str_equal (argv[3], "fail")))
            {
              g_printerr ("ekey-registry review %s: say pass or fail\n", command);
              return 2;
            }
          failed = g_str_equal (argv[3], "fail");
          if (failed && (remark == NULL || *remark == '\0'))
            {
              g_printerr ("ekey-registry review %s: a failed review needs --remark saying what to correct\n", command);
              return 2;
            }
        }
      to = failed ? review_steps[i].fail_to : review_steps[i].pass_to;
      /* The business's own course (the catalogue's stages) says which step follows which */
      from = ek_stages_status_before (stages, to);
      if (from == NULL)
        {
          g_printerr ("ekey-registry review: %s is not a step of a %s application\n", command, business);
          return 1;
        }
      if (!ek_registry_db_transition (db, id, from, to, remark, &error))
        {
          g_printerr ("ekey-registry review: %s\n", error->message);
          return 1;
        }
      if (review_steps[i].subject != NULL)
        {
          g_autofree char *body = g_strdup_printf ("申请 %s 的状态：%s\nApplication %s is now: %s\n%s%s\n", id, to, id, to,
                                                   remark != NULL ? "备注 / Remark: " : "", remark != NULL ? remark : "");
          mail_enterprise (db, id, review_steps[i].subject, body);
        }
      /* The key is made: the enterprise now holds a certificate with the application's login name */
      if (g_str_equal (to, "producing"))
        ek_registry_db_exec (db, NULL,
                             "INSERT OR IGNORE INTO certificate_logins (enterprise_id, login_name, seen_at) "
                             "SELECT enterprise_id, json_extract (fields, '$.login_name'), ? FROM applications "
                             "WHERE id = ? AND json_extract (fields, '$.login_name') IS NOT NULL",
                             "is", g_get_real_time () / G_USEC_PER_SEC, id);
      /* What the stage that ends now mails (the activation mail, the unlock mail), to the
       * address filled in the application */
      stage = ek_stages_find_status (stages, to);
      if (ek_stages_ends_stage (stages, to) && !failed && ek_stages_get_stage (stages, stage)->mail_subject != NULL)
        {
          const EkStage *s = ek_stages_get_stage (stages, stage);
          g_autofree char *subject = ek_stages_expand (s->mail_subject, enterprise);
          g_autofree char *body = ek_stages_expand (s->mail_body, enterprise);

          if (email != NULL && *email != '\0')
            ek_registry_db_send_mail (db, email, subject, body);
          else
            mail_enterprise (db, id, subject, body);
        }
      printf ("%s %s\n", id, to);
      return 0;
    }

  g_printerr ("ekey-registry review: unknown step %s\n", command);
  return 2;
}

static int
cmd_outbox (int    argc,
            char **argv)
{
  g_autofree char *remark = NULL;
  gboolean json = FALSE;
  g_autoptr(EkRegistryDb) db = open_db_arg (&argc, &argv, &remark, &json, "- print the outgoing mail");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  sqlite3_stmt *stmt;

  if (db == NULL)
    return 2;
  stmt = ek_registry_db_query (db, "SELECT id, recipient, subject, body, created_at FROM outbox ORDER BY id", "");
  json_builder_begin_array (builder);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
          json_builder_set_member_name (builder, "to");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
          json_builder_set_member_name (builder, "body");
          json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 3));
          json_builder_set_member_name (builder, "created_at");
          json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 4));
          json_builder_end_object (builder);
        }
      else
        printf ("#%lld To: %s\nSubject: %s\n\n%s\n", (long long) sqlite3_column_int64 (stmt, 0),
                sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3));
    }
  if (stmt != NULL)
    sqlite3_reset (stmt);
  json_builder_end_array (builder);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);
      printf ("%s\n", text);
    }
  return 0;
}

/* The operator's side of the captcha: what a clerk reads off the image, for tests and training.
 * `--latest` answers for the newest captcha still unused and unexpired (a trainer at the counter
 * does not know the id the clerk's screen holds). */
static int
cmd_captcha_answer (int    argc,
                    char **argv)
{
  g_autofree char *remark = NULL;
  g_autoptr(EkRegistryDb) db = NULL;
  gboolean json = FALSE, latest = FALSE;
  sqlite3_stmt *stmt;
  int status = 1, kept = 0;

  /* --latest is this command's own flag: take it out before the common options are parsed */
  for (int i = 0; i < argc; i++)
    if (g_str_equal (argv[i], "--latest"))
      latest = TRUE;
    else
      argv[kept++] = argv[i];
  argc = kept;
  argv[argc] = NULL;

  db = open_db_arg (&argc, &argv, &remark, &json, "ID|--latest - print a captcha's answer");
  if (db == NULL)
    return 2;
  if (argc < 2 && !latest)
    {
      g_printerr ("ekey-registry captcha-answer: give the captcha id, or --latest\n");
      return 2;
    }
  if (latest)
    stmt = ek_registry_db_query (db, "SELECT answer FROM captchas WHERE used = 0 AND expires_at > ? "
                                     "ORDER BY rowid DESC LIMIT 1", "i", (gint64) (g_get_real_time () / G_USEC_PER_SEC));
  else
    stmt = ek_registry_db_query (db, "SELECT answer FROM captchas WHERE id = ?", "s", argv[1]);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      printf ("%s\n", sqlite3_column_text (stmt, 0));
      status = 0;
    }
  else
    g_printerr ("ekey-registry captcha-answer: no captcha %s\n", latest ? "waiting for an answer" : argv[1]);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return status;
}

static void
usage (void)
{
  g_printerr ("usage: ekey-registry serve --listen HOST:PORT --db FILE --data-dir DIR [--tls-cert F --tls-key F] [--ca FILE]\n"
              "       ekey-registry review --db FILE list|pre-review|re-review|produce|ship|arrive|collect|approve-seal|reject-seal|make-seal|install-mobile [ID] [pass|fail] [--remark TEXT]\n"
              "       ekey-registry outbox --db FILE [--json]\n"
              "       ekey-registry captcha-answer --db FILE ID|--latest\n"
              "       ekey-registry certificates --db FILE add CERT.pem [--uscc CODE] [--name NAME] | revoke SERIAL | list [--json]\n");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  ek_l10n_init ();
  gnutls_global_init ();

  if (argc < 2)
    {
      usage ();
      return 2;
    }
  /* Each command parses its own options; argv[1] stands in for the program name */
  if (g_str_equal (argv[1], "serve"))
    status = cmd_serve (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "review"))
    status = cmd_review (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "outbox"))
    status = cmd_outbox (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "captcha-answer"))
    status = cmd_captcha_answer (argc - 1, argv + 1);
  else if (g_str_equal (argv[1], "certificates"))
    status = ek_registry_cmd_certificates (argc - 1, argv + 1);
  else
    {
      usage ();
      status = 2;
    }
  gnutls_global_deinit ();
  /* cairo keeps the captcha's font face for the process; give it back, so that a leak checker
   * sees only real leaks */
  cairo_debug_reset_static_data ();
  return status;
}
