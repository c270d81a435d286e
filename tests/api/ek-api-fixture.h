/* ek-api-fixture.h: a real ekey-registry on 127.0.0.1 (port 0, temporary database) and a libcurl client
 *
 * Modelled on libsoup's tests/test-utils: one server per test binary, started once, shared by the
 * tests; extra servers for special settings (short lifetimes, tight rate limits, crash tests).
 * Every call is recorded (method, path, status, bodies) so that the traffic can be checked against
 * data/api/openapi.yaml.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *db;
  char        *data_dir;
  char        *base_url;
  char       **extra_args;
  char        *ca_file;     /* HTTPS servers: the test CA their certificate chains to */
  char        *listen;      /* the address asked for (127.0.0.1:0 at first) */
  gsize        stack_limit; /* RLIMIT_STACK of the server process, 0: inherited */
} EkApiServer;

/* A CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA, made
 * with certtool once per test process (removed at exit) */
typedef struct
{
  char *dir;
  char *ca_cert;
  char *server_cert;
  char *server_key;
  char *other_ca_cert;
} EkApiTls;

typedef struct
{
  long        status;
  char       *content_type;
  char       *request_id;
  char       *location;
  gboolean    replayed;
  char       *retry_after;
  GBytes     *body;
  JsonNode   *json;
} EkApiResponse;

EkApiServer   *ek_api_server_start        (const char * const *extra_args);
EkApiServer   *ek_api_server_start_with_stack (const char * const *extra_args,
                                           gsize          stack_limit);
int            ek_api_server_pid          (EkApiServer   *server);
guint          ek_api_server_port         (EkApiServer   *server);
guint          ek_api_server_open_fds     (EkApiServer   *server);
const EkApiTls *ek_api_tls                (void);
EkApiServer   *ek_api_server_start_tls    (const char * const *extra_args);
void           ek_api_server_restart_same_port (EkApiServer *server);
void           ek_api_server_stop         (EkApiServer   *server);
void           ek_api_server_kill         (EkApiServer   *server);
void           ek_api_server_restart      (EkApiServer   *server);
void           ek_api_server_free         (EkApiServer   *server);

EkApiResponse *ek_api_call                (EkApiServer   *server,
                                           const char    *method,
                                           const char    *path,
                                           const char    *token,
                                           const char    *json_body,
                                           const char * const *headers);
EkApiResponse *ek_api_upload              (EkApiServer   *server,
                                           const char    *path,
                                           const char    *token,
                                           GBytes        *data,
                                           const char    *content_type,
                                           gboolean       chunked);
void           ek_api_response_free       (EkApiResponse *response);
JsonObject    *ek_api_object              (EkApiResponse *response);
const char    *ek_api_problem_type        (EkApiResponse *response);
gboolean       ek_api_has_field_error     (EkApiResponse *response,
                                           const char    *field,
                                           const char    *code);

char          *ek_api_run                 (EkApiServer   *server,
                                           int           *exit_status,
                                           const char    *first,
                                           ...) G_GNUC_NULL_TERMINATED;
void           ek_api_review              (EkApiServer   *server,
                                           const char    *step,
                                           const char    *id,
                                           const char    *verdict,
                                           const char    *remark);
char          *ek_api_make_uscc           (void);
char          *ek_api_activation_code_for (EkApiServer   *server,
                                           const char    *email);
char          *ek_api_register_and_login  (EkApiServer   *server,
                                           const char    *uscc,
                                           const char    *login_name);
char          *ek_api_login               (EkApiServer   *server,
                                           const char    *uscc,
                                           const char    *login_name);
GBytes        *ek_api_png                 (int            width,
                                           int            height,
                                           gboolean       noise);
const char    *ek_api_traffic_path        (void);
void           ek_api_check_traffic       (gboolean       all_operations);
guint64        ek_api_request_number      (EkApiResponse *response);
guint64        ek_api_wait_for_requests   (EkApiServer   *server,
                                           guint64        after,
                                           guint          n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiResponse, ek_api_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiServer, ek_api_server_free)

G_END_DECLS
