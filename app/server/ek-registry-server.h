/* ek-registry-server.h: the registration API over HTTP(S), libsoup 3 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  const char *db_path;
  const char *data_dir;
  const char *tls_cert;        /* PEM; with tls_key, serve HTTPS */
  const char *tls_key;
  const char *ca_file;         /* CA that key-login certificates must chain to */
  const char *catalogue_file;  /* serve this catalogue instead of the bundled one */
  const char *material_rules;  /* the catalogue's material rule set in force ("gfa-1mb"), or NULL
                                * for the catalogue's own default */
  gint64      session_ttl;     /* seconds */
  gint64      captcha_ttl;     /* seconds */
  guint       rate_limit;      /* log-ins and captchas per address per minute */
  gsize       json_limit;      /* bytes of a JSON request body */
  guint       header_timeout;  /* seconds for a request's headers (0: the default) */
  guint       body_timeout;    /* seconds of silence while a body arrives (0: the default) */
  guint       idle_timeout;    /* seconds a kept-alive connection may wait (0: the default) */
  guint       db_busy_timeout; /* ms a write waits for another process's lock (0: the default) */
  const char *issuing_ca;      /* renewal: the CA that issues renewed certificates (PEM), and its key */
  const char *issuing_key;
  gint        certificate_days;     /* validity of an issued certificate */
  gint        renewal_window_days;  /* a key may be renewed this many days before its expiry… */
  gint        renewal_grace_days;   /* …and after it; beyond, key log-in is refused */
} EkRegistryConfig;

#define EK_REGISTRY_DEFAULT_HEADER_TIMEOUT 15
#define EK_REGISTRY_DEFAULT_BODY_TIMEOUT   30
#define EK_REGISTRY_DEFAULT_IDLE_TIMEOUT   30
#define EK_REGISTRY_DEFAULT_DB_BUSY_TIMEOUT 200

#define EK_TYPE_REGISTRY_SERVER (ek_registry_server_get_type ())
G_DECLARE_FINAL_TYPE (EkRegistryServer, ek_registry_server, EK, REGISTRY_SERVER, GObject)

EkRegistryServer *ek_registry_server_new     (const EkRegistryConfig  *config,
                                              GError                 **error);
char             *ek_registry_server_listen  (EkRegistryServer        *self,
                                              const char              *host,
                                              guint                    port,
                                              GError                 **error);

/* Shared with the reviewer's commands: the default material limits when the catalogue has none */
extern const char ek_registry_fallback_material_rules[];

G_END_DECLS
