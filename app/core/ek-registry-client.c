/* ek-registry-client.c: one client for the whole registration API (libcurl + json-glib) */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-registry-client.h"
#include "ek-settings.h"

struct _EkRegistryClient
{
  GObject       parent_instance;

  char         *base_url;
  char         *ca_file;
  char         *proxy;
  char         *language;

  GMutex        lock;        /* guards the session below */
  char         *token;
  char         *login_name;
};

G_DEFINE_FINAL_TYPE (EkRegistryClient, ek_registry_client, G_TYPE_OBJECT)

enum
{
  SESSION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ek_registry_client_finalize (GObject *object)
{
  EkRegistryClient *self = EK_REGISTRY_CLIENT (object);

  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->login_name, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->proxy, g_free);
  g_clear_pointer (&self->language, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ek_registry_client_parent_class)->finalize (object);
}

static void
ek_registry_client_class_init (EkRegistryClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_registry_client_finalize;

  signals[SESSION_CHANGED] = g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void
ek_registry_client_init (EkRegistryClient *self)
{
  g_mutex_init (&self->lock);
  self->language = g_strdup ("zh-CN");
}

EkRegistryClient *
ek_registry_client_new (const char  *base_url,
                        const char  *ca_file,
                        GError     **error)
{
  g_autoptr(EkRegistryClient) self = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);

  if (!g_str_has_prefix (base_url, "https://"))
    {
      g_set_error (error, EK_REGISTRY_ERROR, EK_REGISTRY_ERROR_TLS,
                   _("The registration service address must start with https://."));
      return NULL;
    }
  self = g_object_new (EK_TYPE_REGISTRY_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  self->ca_file = g_strdup (ca_file);
  return g_steal_pointer (&self);
}

EkRegistryClient *
ek_registry_client_new_from_settings (GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Not implemented yet");
  return NULL;
}

const char *
ek_registry_client_get_base_url (EkRegistryClient *self)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  return self->base_url;
}

void
ek_registry_client_set_proxy (EkRegistryClient *self,
                              const char       *proxy)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));
  g_free (self->proxy);
  self->proxy = g_strdup (proxy);
}

void
ek_registry_client_set_language (EkRegistryClient *self,
                                 const char       *lang)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));
  g_return_if_fail (lang != NULL);
  g_free (self->language);
  self->language = g_strdup (lang);
}

const char *
ek_registry_client_get_language (EkRegistryClient *self)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  return self->language;
}

void
ek_registry_client_set_retries (EkRegistryClient *self,
                                guint             retries,
                                guint             backoff_ms)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));
}

void
ek_registry_client_set_timeouts (EkRegistryClient *self,
                                 guint             connect_timeout,
                                 guint             stall_timeout)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));
}

gboolean
ek_registry_client_has_session (EkRegistryClient *self)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), FALSE);
  return self->token != NULL;
}

const char *
ek_registry_client_get_login_name (EkRegistryClient *self)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  return self->login_name;
}

void
ek_registry_client_forget_session (EkRegistryClient *self)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));
  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->login_name, g_free);
  g_signal_emit (self, signals[SESSION_CHANGED], 0);
}

char *
ek_registry_client_dup_last_request_id (EkRegistryClient *self)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  return NULL;
}

static void
not_supported (EkRegistryClient    *self,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Not implemented yet");
}

void
ek_registry_client_get_catalogue_async (EkRegistryClient    *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  not_supported (self, ek_registry_client_get_catalogue_async, cancellable, callback, user_data);
}

JsonNode *
ek_registry_client_get_catalogue_finish (EkRegistryClient  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_create_captcha_async (EkRegistryClient    *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  not_supported (self, ek_registry_client_create_captcha_async, cancellable, callback, user_data);
}

EkRegistryCaptcha *
ek_registry_client_create_captcha_finish (EkRegistryClient  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_register_account_async (EkRegistryClient    *self,
                                           const char          *uscc,
                                           const char          *enterprise_name,
                                           const char          *login_name,
                                           const char          *licence_type,
                                           const char          *email,
                                           const char          *mobile,
                                           const char          *contact_name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (uscc != NULL);
  g_return_if_fail (enterprise_name != NULL);
  g_return_if_fail (login_name != NULL);
  g_return_if_fail (licence_type != NULL);
  g_return_if_fail (email != NULL);
  not_supported (self, ek_registry_client_register_account_async, cancellable, callback, user_data);
}

gboolean
ek_registry_client_register_account_finish (EkRegistryClient  *self,
                                            GAsyncResult      *result,
                                            GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_registry_client_activate_account_async (EkRegistryClient    *self,
                                           const char          *uscc,
                                           const char          *login_name,
                                           const char          *code,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (uscc != NULL);
  g_return_if_fail (login_name != NULL);
  g_return_if_fail (code != NULL);
  not_supported (self, ek_registry_client_activate_account_async, cancellable, callback, user_data);
}

gboolean
ek_registry_client_activate_account_finish (EkRegistryClient  *self,
                                            GAsyncResult      *result,
                                            GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_registry_client_login_with_code_async (EkRegistryClient    *self,
                                          const char          *uscc,
                                          const char          *login_name,
                                          const char          *captcha_id,
                                          const char          *captcha_answer,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (uscc != NULL);
  g_return_if_fail (login_name != NULL);
  g_return_if_fail (captcha_id != NULL);
  g_return_if_fail (captcha_answer != NULL);
  not_supported (self, ek_registry_client_login_with_code_async, cancellable, callback, user_data);
}

gboolean
ek_registry_client_login_with_code_finish (EkRegistryClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_registry_client_logout_async (EkRegistryClient    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  not_supported (self, ek_registry_client_logout_async, cancellable, callback, user_data);
}

gboolean
ek_registry_client_logout_finish (EkRegistryClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_registry_client_list_applications_async (EkRegistryClient    *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  not_supported (self, ek_registry_client_list_applications_async, cancellable, callback, user_data);
}

GPtrArray *
ek_registry_client_list_applications_finish (EkRegistryClient  *self,
                                             GAsyncResult      *result,
                                             GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_create_application_async (EkRegistryClient    *self,
                                             const char          *business_type,
                                             JsonObject          *fields,
                                             const char          *idempotency_key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (business_type != NULL);
  g_return_if_fail (idempotency_key != NULL);
  not_supported (self, ek_registry_client_create_application_async, cancellable, callback, user_data);
}

EkRegistryApplication *
ek_registry_client_create_application_finish (EkRegistryClient  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_get_application_async (EkRegistryClient    *self,
                                          const char          *id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (id != NULL);
  not_supported (self, ek_registry_client_get_application_async, cancellable, callback, user_data);
}

EkRegistryApplication *
ek_registry_client_get_application_finish (EkRegistryClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_update_application_async (EkRegistryClient    *self,
                                             const char          *id,
                                             JsonObject          *fields,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (id != NULL);
  not_supported (self, ek_registry_client_update_application_async, cancellable, callback, user_data);
}

EkRegistryApplication *
ek_registry_client_update_application_finish (EkRegistryClient  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_submit_application_async (EkRegistryClient    *self,
                                             const char          *id,
                                             const char          *idempotency_key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (id != NULL);
  g_return_if_fail (idempotency_key != NULL);
  not_supported (self, ek_registry_client_submit_application_async, cancellable, callback, user_data);
}

EkRegistryApplication *
ek_registry_client_submit_application_finish (EkRegistryClient  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_list_materials_async (EkRegistryClient    *self,
                                         const char          *id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (id != NULL);
  not_supported (self, ek_registry_client_list_materials_async, cancellable, callback, user_data);
}

GPtrArray *
ek_registry_client_list_materials_finish (EkRegistryClient  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_upload_material_async (EkRegistryClient       *self,
                                          const char             *id,
                                          const char             *kind,
                                          GFile                  *file,
                                          EkRegistryProgressFunc progress,
                                          gpointer               progress_data,
                                          GDestroyNotify         progress_notify,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (id != NULL);
  g_return_if_fail (kind != NULL);
  g_return_if_fail (file != NULL);
  if (progress_notify != NULL)
    progress_notify (progress_data);
  not_supported (self, ek_registry_client_upload_material_async, cancellable, callback, user_data);
}

EkRegistryMaterial *
ek_registry_client_upload_material_finish (EkRegistryClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ek_registry_client_delete_material_async (EkRegistryClient    *self,
                                          const char          *id,
                                          const char          *kind,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_return_if_fail (EK_IS_REGISTRY_CLIENT (self));

  g_return_if_fail (id != NULL);
  g_return_if_fail (kind != NULL);
  not_supported (self, ek_registry_client_delete_material_async, cancellable, callback, user_data);
}

gboolean
ek_registry_client_delete_material_finish (EkRegistryClient  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (EK_IS_REGISTRY_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

