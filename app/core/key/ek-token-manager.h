/* ek-token-manager.h: keys through p11-kit — modules, tokens, certificates, PIN, signing */
#pragma once

#include <gio/gio.h>

#include "ek-certificate-info.h"
#include "ek-secret.h"
#include "ek-token.h"

G_BEGIN_DECLS

/* Codes are PKCS#11 CK_RV values; messages say what happened and what to do */
#define EK_TOKEN_ERROR (ek_token_error_quark ())
GQuark ek_token_error_quark (void);

/* Extra module paths, separated by ':' (root cannot use p11-kit's per-user configuration) */
#define EK_TOKEN_MODULES_ENV "EKEY_PKCS11_MODULES"
/* Set to 1 to leave out the modules registered with p11-kit */
#define EK_TOKEN_NO_REGISTERED_ENV "EKEY_PKCS11_NO_REGISTERED"

typedef enum
{
  EK_TOKEN_MANAGER_FLAGS_NONE = 0,
  EK_TOKEN_MANAGER_SKIP_REGISTERED = 1 << 0,
} EkTokenManagerFlags;

/* Why no key is seen, when none is */
typedef enum
{
  EK_TOKEN_DIAGNOSIS_OK,                   /* at least one key is present */
  EK_TOKEN_DIAGNOSIS_NO_MODULE,            /* no key driver at all */
  EK_TOKEN_DIAGNOSIS_VENDOR_UNREGISTERED,  /* a vendor's driver is installed but not registered */
  EK_TOKEN_DIAGNOSIS_PCSCD_NOT_RUNNING,    /* OpenSC is there, the smart-card service is not */
  EK_TOKEN_DIAGNOSIS_NO_TOKEN,             /* drivers loaded, no key inserted */
} EkTokenDiagnosis;

/* One module as the manager loaded it, for the helpdesk's report */
typedef struct
{
  char     *name;      /* the p11-kit registration's name, or NULL when loaded by path */
  char     *path;
  gboolean  started;   /* C_Initialize succeeded */
} EkModuleStatus;

void ek_module_status_free (EkModuleStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkModuleStatus, ek_module_status_free)

/* A key forwarded from another machine by `p11-kit server` (`ekey-tool token share`): the
 * address in $P11_KIT_SERVER_ADDRESS, else "unix:path=$XDG_RUNTIME_DIR/p11-kit/pkcs11" when that
 * socket exists; NULL when there is none. When there is one, every manager also loads p11-kit's
 * client module (ek_token_client_module_path()), so the forwarded key appears like a local one. */
char       *ek_token_dup_forwarded_address (void);
const char *ek_token_client_module_path    (void);

#define EK_TYPE_TOKEN_MANAGER (ek_token_manager_get_type ())
G_DECLARE_FINAL_TYPE (EkTokenManager, ek_token_manager, EK, TOKEN_MANAGER, GObject)

EkTokenManager   *ek_token_manager_new                (const char * const   *module_paths,
                                                       EkTokenManagerFlags   flags);

EkTokenManager   *ek_token_manager_dup_default        (const char * const   *module_paths);

GPtrArray        *ek_token_manager_list_tokens        (EkTokenManager       *self,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void              ek_token_manager_list_tokens_async  (EkTokenManager       *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GPtrArray        *ek_token_manager_list_tokens_finish (EkTokenManager       *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

GPtrArray        *ek_token_manager_get_tokens         (EkTokenManager       *self);
GPtrArray        *ek_token_manager_get_module_errors  (EkTokenManager       *self);
GStrv             ek_token_manager_dup_module_paths   (EkTokenManager       *self);
GPtrArray        *ek_token_manager_dup_module_status  (EkTokenManager       *self);
EkTokenDiagnosis  ek_token_manager_diagnose           (EkTokenManager       *self,
                                                       char                **message,
                                                       char                **vendor_module);

gboolean          ek_token_manager_login              (EkTokenManager       *self,
                                                       EkToken              *token,
                                                       EkSecret             *pin,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void              ek_token_manager_login_async        (EkTokenManager       *self,
                                                       EkToken              *token,
                                                       EkSecret             *pin,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean          ek_token_manager_login_finish       (EkTokenManager       *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

GBytes           *ek_token_manager_sign               (EkTokenManager       *self,
                                                       EkToken              *token,
                                                       EkCertificateInfo    *certificate,
                                                       EkSecret             *pin,
                                                       GBytes               *data,
                                                       char                **algorithm,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void              ek_token_manager_sign_async         (EkTokenManager       *self,
                                                       EkToken              *token,
                                                       EkCertificateInfo    *certificate,
                                                       EkSecret             *pin,
                                                       GBytes               *data,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GBytes           *ek_token_manager_sign_finish        (EkTokenManager       *self,
                                                       GAsyncResult         *result,
                                                       char                **algorithm,
                                                       GError              **error);

void              ek_token_manager_start_watching     (EkTokenManager       *self,
                                                       guint                 interval_ms);
void              ek_token_manager_stop_watching      (EkTokenManager       *self);

G_END_DECLS
