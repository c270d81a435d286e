/* ek-token-manager.c: keys through p11-kit — modules, tokens, certificates, PIN, signing
 *
 * Modules: those registered with p11-kit minus trust-policy ones (the system trust store is
 * not a key), plus paths from settings, the command line and $EKEY_PKCS11_MODULES. They are
 * loaded unmanaged (p11-kit's managed wrappers cost ~2.5 ms of start-up, and a real
 * C_Finalize is what the poll needs); share one manager per process (ek_token_manager_dup_default).
 * Each module is initialised on its own so that one failure is reported with its path and CK_RV and never
 * hides the others. Every PKCS#11 call runs under one lock, on a worker thread for the
 * _async forms (ek-token-manager-tasks.c). SoftHSM and many vendor drivers cannot wait for slot events, so watching is
 * a cheap poll that re-initialises each module (TOOLBOX.md §5) and rescans certificates only
 * when the set of tokens changed.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <stdlib.h>
#include <string.h>

#include "ek-token-manager-private.h"

#define MAX_CERTIFICATES_PER_TOKEN 64
#define MAX_LABEL_SIZE 1024
#define MAX_ID_SIZE 256

guint ek_token_manager_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkTokenManager, ek_token_manager, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-token-error-quark, ek_token_error)

/* Known vendor drivers (DOMAIN-FACTS.md §7), looked for when no key is seen */
static const char * const vendor_modules[] = {
  "libgm3000_pkcs11.so",      /* Longmai mToken GM3000 */
  "libshuttle_p11v220.so",    /* Feitian ePass3003 */
  "libeps2003csp11.so",       /* Feitian ePass2003 */
  "libcastle.so",             /* Feitian */
};

static void
ek_module_free (EkModule *module)
{
  if (module->funcs != NULL)
    {
      if (module->initialized && !module->borrowed)
        p11_kit_module_finalize (module->funcs);
      p11_kit_module_release (module->funcs);
    }
  g_free (module->path);
  g_free (module->real_path);
  g_free (module->name);
  g_free (module);
}

static const char *
rv_name (CK_RV rv)
{
  switch (rv)
    {
    case CKR_OK: return "CKR_OK";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_MEMORY: return "CKR_DEVICE_MEMORY";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_INVALID: return "CKR_PIN_INVALID";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
    case CKR_USER_ALREADY_LOGGED_IN: return "CKR_USER_ALREADY_LOGGED_IN";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
    case CKR_FUNCTION_NOT_SUPPORTED: return "CKR_FUNCTION_NOT_SUPPORTED";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_CANCEL: return "CKR_CANCEL";
    default: return "CKR";
    }
}

/* The technical part every token error ends with, for the helpdesk */
static char *
rv_detail (CK_RV rv)
{
  const char *text = p11_kit_strerror (rv);

  return g_strdup_printf ("(%s 0x%lx: %s)", rv_name (rv), (unsigned long) rv,
                          text != NULL ? text : "");
}

static GError *
token_error_new (CK_RV       rv,
                 const char *what,
                 EkPinState  pin_state)
{
  g_autofree char *detail = rv_detail (rv);
  const char *advice;

  switch (rv)
    {
    case CKR_PIN_INCORRECT:
      advice = pin_state == EK_PIN_STATE_FINAL_TRY
        ? _("The PIN is wrong. One more wrong PIN locks the key.")
        : pin_state == EK_PIN_STATE_LOCKED
        ? _("The PIN is wrong, and the key is now locked. Apply for PIN unlock to use it again.")
        : _("The PIN is wrong. Check it and try again; six wrong PINs in a row lock the key, even across days.");
      break;
    case CKR_PIN_LOCKED:
      advice = _("The key is locked after too many wrong PINs. Apply for PIN unlock to use it again.");
      break;
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_INVALID:
      advice = _("That PIN has the wrong length or characters. Type the PIN of the key, not a password of a website.");
      break;
    case CKR_PIN_EXPIRED:
      advice = _("The PIN of this key has expired. Change it with the key’s own tool, then try again.");
      break;
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
      advice = _("The key was pulled out. Insert it again and keep it inserted until this is done.");
      break;
    case CKR_TOKEN_NOT_RECOGNIZED:
    case CKR_DEVICE_ERROR:
      advice = _("The key does not answer properly. Pull it out, insert it again, or try another USB port.");
      break;
    case CKR_MECHANISM_INVALID:
      advice = _("The driver of this key cannot sign this way. Ask the key’s issuer for an up-to-date driver.");
      break;
    case CKR_OBJECT_HANDLE_INVALID:
      advice = _("The key holds no private key for this certificate, so it cannot sign with it.");
      break;
    case CKR_CANCEL:
      advice = _("Cancelled.");
      break;
    default:
      advice = _("The key or its driver reported an error. Pull the key out, insert it again and retry; if it persists, give this message to the helpdesk.");
      break;
    }
  if (what != NULL)
    return g_error_new (EK_TOKEN_ERROR, (int) rv, "%s: %s %s", what, advice, detail);
  return g_error_new (EK_TOKEN_ERROR, (int) rv, "%s %s", advice, detail);
}

static void
ek_token_manager_finalize (GObject *object)
{
  EkTokenManager *self = EK_TOKEN_MANAGER (object);

  if (self->watch_count > 0)
    {
      self->watch_count = 1;
      ek_token_manager_stop_watching (self);
    }
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_pointer (&self->module_errors, g_ptr_array_unref);
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  g_clear_pointer (&self->presence, g_free);
  g_clear_pointer (&self->extra_paths, g_strfreev);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ek_token_manager_parent_class)->finalize (object);
}

static void
ek_token_manager_class_init (EkTokenManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_token_manager_finalize;

  /**
   * EkTokenManager::tokens-changed:
   *
   * A key was inserted or pulled out while watching; ek_token_manager_get_tokens() has the
   * new list. Emitted in the main context that was current when the manager was made.
   */
  ek_token_manager_signals[SIGNAL_TOKENS_CHANGED] =
    g_signal_new ("tokens-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
ek_token_manager_init (EkTokenManager *self)
{
  g_mutex_init (&self->lock);
  self->modules = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_module_free);
  self->module_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->tokens = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
}

/**
 * ek_token_manager_new:
 * @module_paths: (nullable): extra PKCS#11 modules to load by path (settings, `--module`)
 * @flags: %EK_TOKEN_MANAGER_SKIP_REGISTERED to use only the listed modules
 *
 * Modules named in `$EKEY_PKCS11_MODULES` are added to @module_paths. Nothing is loaded until
 * the first scan.
 */
EkTokenManager *
ek_token_manager_new (const char * const  *module_paths,
                      EkTokenManagerFlags  flags)
{
  EkTokenManager *self = g_object_new (EK_TYPE_TOKEN_MANAGER, NULL);
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  const char *env = g_getenv (EK_TOKEN_MODULES_ENV);
  const char *no_registered = g_getenv (EK_TOKEN_NO_REGISTERED_ENV);

  if (module_paths != NULL)
    g_strv_builder_addv (paths, (const char **) module_paths);
  if (env != NULL && env[0] != '\0')
    {
      g_auto(GStrv) parts = g_strsplit (env, ":", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_strv_builder_add (paths, parts[i]);
    }
  /* A key forwarded into this session (a remote desktop) through p11-kit's client module */
  {
    g_autofree char *forwarded = ek_token_dup_forwarded_address ();

    if (forwarded != NULL)
      g_strv_builder_add (paths, ek_token_client_module_path ());
  }
  self->extra_paths = g_strv_builder_end (paths);
  self->flags = flags;
  if (no_registered != NULL && g_str_equal (no_registered, "1"))
    self->flags |= EK_TOKEN_MANAGER_SKIP_REGISTERED;
  return self;
}

const char *
ek_token_client_module_path (void)
{
  return P11_MODULE_PATH "/p11-kit-client.so";
}

char *
ek_token_dup_forwarded_address (void)
{
  const char *address = g_getenv ("P11_KIT_SERVER_ADDRESS");
  g_autofree char *conventional = NULL;

  if (address != NULL && address[0] != '\0')
    return g_strdup (address);
  /* Where p11-kit's client module looks when the variable is unset (TOOLBOX.md §12) */
  conventional = g_build_filename (g_get_user_runtime_dir (), "p11-kit", "pkcs11", NULL);
  if (g_file_test (conventional, G_FILE_TEST_EXISTS) && !g_file_test (conventional, G_FILE_TEST_IS_DIR))
    return g_strconcat ("unix:path=", conventional, NULL);
  return NULL;
}

void
ek_module_status_free (EkModuleStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->name);
  g_free (status->path);
  g_free (status);
}

/**
 * ek_token_manager_dup_module_status:
 *
 * Loads the modules if that was not done yet.
 *
 * Returns: (transfer container) (element-type EkModuleStatus): every module loaded, started or not
 */
GPtrArray *
ek_token_manager_dup_module_status (EkTokenManager *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_module_status_free);

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), list);
  g_mutex_lock (&self->lock);
  ek_token_manager_load_modules (self);
  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);
      EkModuleStatus *status = g_new0 (EkModuleStatus, 1);

      status->name = g_strdup (module->name);
      status->path = g_strdup (module->path);
      status->started = module->initialized;
      g_ptr_array_add (list, status);
    }
  g_mutex_unlock (&self->lock);
  return list;
}

static gboolean
module_known (EkTokenManager *self,
              const char     *real_path)
{
  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);

      if (g_strcmp0 (module->real_path, real_path) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
resolve_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *copy;

  if (resolved == NULL)
    return g_strdup (path);
  copy = g_strdup (resolved);
  free (resolved);
  return copy;
}

/* Must hold the lock */
void
ek_token_manager_load_modules (EkTokenManager *self)
{
  if (self->loaded)
    return;
  self->loaded = TRUE;

  if (!(self->flags & EK_TOKEN_MANAGER_SKIP_REGISTERED))
    {
      /* Managed (flags 0): p11-kit gives each user of a module its own sessions and counts
       * C_Initialize/C_Finalize, so the poll's re-initialisation in one manager can never pull a
       * module out from under a login or a signature running in another part of the process.
       * Unmanaged loading is ~2 ms faster at start and crashed SoftHSM in C_Login this way. */
      CK_FUNCTION_LIST **registered = p11_kit_modules_load (NULL, 0);

      if (registered == NULL)
        {
          const char *message = p11_kit_message ();

          g_ptr_array_add (self->module_errors,
                           g_error_new (EK_TOKEN_ERROR, CKR_GENERAL_ERROR,
                                        _("The list of key drivers registered with p11-kit could not be read: %s"),
                                        message != NULL ? message : ""));
        }
      for (guint i = 0; registered != NULL && registered[i] != NULL; i++)
        {
          CK_FUNCTION_LIST *funcs = registered[i];
          g_autofree char *trust = p11_kit_config_option (funcs, "trust-policy");
          g_autofree char *filename = p11_kit_module_get_filename (funcs);
          EkModule *module;

          if ((trust != NULL && g_ascii_strcasecmp (trust, "yes") == 0) ||
              (p11_kit_module_get_flags (funcs) & P11_KIT_MODULE_TRUSTED))
            {
              /* The system trust store is not a key */
              p11_kit_module_release (funcs);
              continue;
            }
          module = g_new0 (EkModule, 1);
          module->funcs = funcs;
          module->name = p11_kit_module_get_name (funcs);
          module->path = g_strdup (filename != NULL ? filename : module->name);
          module->real_path = resolve_path (module->path);
          g_ptr_array_add (self->modules, module);
        }
      free (registered);
    }

  for (guint i = 0; self->extra_paths[i] != NULL; i++)
    {
      const char *path = self->extra_paths[i];
      g_autofree char *real_path = resolve_path (path);
      CK_FUNCTION_LIST *funcs;
      EkModule *module;

      if (module_known (self, real_path))
        continue;
      funcs = p11_kit_module_load (path, 0);  /* managed, as above */
      if (funcs == NULL)
        {
          const char *message = p11_kit_message ();

          g_ptr_array_add (self->module_errors,
                           g_error_new (EK_TOKEN_ERROR, CKR_GENERAL_ERROR,
                                        _("The key driver %s could not be loaded: %s. Check that the file exists and suits this computer (64-bit)."),
                                        path, message != NULL ? message : g_strerror (ENOENT)));
          continue;
        }
      module = g_new0 (EkModule, 1);
      module->funcs = funcs;
      module->path = g_strdup (path);
      module->real_path = g_steal_pointer (&real_path);
      g_ptr_array_add (self->modules, module);
    }

  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);
      CK_RV rv = p11_kit_module_initialize (module->funcs);

      if (rv == CKR_OK)
        module->initialized = TRUE;
      else if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED)
        module->initialized = module->borrowed = TRUE;
      else
        {
          g_autofree char *detail = rv_detail (rv);

          g_ptr_array_add (self->module_errors,
                           g_error_new (EK_TOKEN_ERROR, (int) rv,
                                        _("The key driver %s did not start %s. Keys it serves cannot be read; other drivers are not affected."),
                                        module->path, detail));
        }
    }
}

/* A space-padded, not NUL-terminated PKCS#11 field as valid UTF-8 */
static char *
padded_string (const CK_UTF8CHAR *field,
               gsize              size)
{
  gsize len = size;
  const char *end;

  while (len > 0 && (field[len - 1] == ' ' || field[len - 1] == '\0'))
    len--;
  for (gsize i = 0; i < len; i++)
    if (field[i] == '\0')
      {
        len = i;
        break;
      }
  /* A label cut in the middle of a character loses only that character */
  if (!g_utf8_validate ((const char *) field, len, &end))
    {
      if (len - (gsize) (end - (const char *) field) < 4 &&
          g_utf8_get_char_validated (end, len - (end - (const char *) field)) == (gunichar) -2)
        return g_strndup ((const char *) field, end - (const char *) field);
      return g_utf8_make_valid ((const char *) field, len);
    }
  return g_strndup ((const char *) field, len);
}

static char *
to_hex (const guint8 *data,
        gsize         size)
{
  GString *s = g_string_sized_new (size * 2 + 1);

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* One attribute of at most @max bytes; %NULL when absent. */
static GBytes *
read_attribute (CK_FUNCTION_LIST  *funcs,
                CK_SESSION_HANDLE  session,
                CK_OBJECT_HANDLE   object,
                CK_ATTRIBUTE_TYPE  type,
                gsize              max,
                CK_RV             *rv_out,
                gsize             *too_large)
{
  CK_ATTRIBUTE attr = { type, NULL, 0 };
  g_autofree guint8 *buffer = NULL;
  CK_RV rv;

  *too_large = 0;
  rv = funcs->C_GetAttributeValue (session, object, &attr, 1);
  *rv_out = rv;
  if (rv != CKR_OK || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION)
    return NULL;
  if (attr.ulValueLen > max)
    {
      *too_large = attr.ulValueLen;
      return NULL;
    }
  buffer = g_malloc0 (attr.ulValueLen + 1);
  attr.pValue = buffer;
  rv = funcs->C_GetAttributeValue (session, object, &attr, 1);
  *rv_out = rv;
  if (rv != CKR_OK || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION || attr.ulValueLen > max)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&buffer), attr.ulValueLen);
}

static void
read_certificates (CK_FUNCTION_LIST *funcs,
                   CK_SLOT_ID        slot,
                   EkToken          *token)
{
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  CK_ATTRIBUTE match[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_CERTIFICATE_TYPE, &type, sizeof type },
  };
  CK_OBJECT_HANDLE objects[MAX_CERTIFICATES_PER_TOKEN];
  CK_ULONG n_objects = 0;
  CK_SESSION_HANDLE session;
  CK_RV rv;

  rv = funcs->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session);
  if (rv != CKR_OK)
    {
      g_autoptr(GError) error = token_error_new (rv, _("The certificates on this key could not be read"), EK_PIN_STATE_OK);
      ek_token_add_problem (token, error->message);
      return;
    }
  rv = funcs->C_FindObjectsInit (session, match, G_N_ELEMENTS (match));
  if (rv == CKR_OK)
    {
      rv = funcs->C_FindObjects (session, objects, G_N_ELEMENTS (objects), &n_objects);
      funcs->C_FindObjectsFinal (session);
      if (n_objects > G_N_ELEMENTS (objects))
        n_objects = 0;
    }
  if (rv != CKR_OK)
    {
      g_autoptr(GError) error = token_error_new (rv, _("The certificates on this key could not be listed"), EK_PIN_STATE_OK);
      ek_token_add_problem (token, error->message);
      n_objects = 0;
    }

  for (CK_ULONG i = 0; i < n_objects; i++)
    {
      g_autoptr(GBytes) value = NULL, label_bytes = NULL, id = NULL;
      g_autoptr(EkCertificateInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *label = NULL, *id_hex = NULL;
      gsize too_large = 0, ignored;
      CK_RV attr_rv;

      label_bytes = read_attribute (funcs, session, objects[i], CKA_LABEL, MAX_LABEL_SIZE, &attr_rv, &ignored);
      id = read_attribute (funcs, session, objects[i], CKA_ID, MAX_ID_SIZE, &attr_rv, &ignored);
      if (label_bytes != NULL)
        label = g_utf8_make_valid (g_bytes_get_data (label_bytes, NULL), g_bytes_get_size (label_bytes));
      id_hex = id != NULL ? to_hex (g_bytes_get_data (id, NULL), g_bytes_get_size (id)) : g_strdup ("");

      value = read_attribute (funcs, session, objects[i], CKA_VALUE, EK_CERTIFICATE_MAX_SIZE, &attr_rv, &too_large);
      if (value == NULL)
        {
          g_autofree char *problem = NULL;

          if (too_large > 0)
            problem = g_strdup_printf (_("Certificate “%s” (id %s) claims to be %zu bytes long, more than any certificate; it was skipped."),
                                       label != NULL ? label : "", id_hex, too_large);
          else
            {
              g_autoptr(GError) rv_error = token_error_new (attr_rv != CKR_OK ? attr_rv : CKR_GENERAL_ERROR, NULL, EK_PIN_STATE_OK);
              problem = g_strdup_printf (_("Certificate “%s” (id %s) could not be read: %s"),
                                         label != NULL ? label : "", id_hex, rv_error->message);
            }
          ek_token_add_problem (token, problem);
          continue;
        }
      info = ek_certificate_info_new_from_der (value, &error);
      if (info == NULL)
        {
          g_autofree char *problem = g_strdup_printf (_("Certificate “%s” (id %s) is damaged: %s"),
                                                      label != NULL ? label : "", id_hex, error->message);
          ek_token_add_problem (token, problem);
          continue;
        }
      ek_certificate_info_set_object (info, label, id);
      ek_token_add_certificate (token, info);
    }
  funcs->C_CloseSession (session);
}

/* Must hold the lock. Tokens of one module; @with_certificates FALSE for the cheap poll. */
static void
scan_module (EkModule   *module,
             gboolean    with_certificates,
             GHashTable *seen,
             GPtrArray  *tokens)
{
  g_autofree CK_SLOT_ID *slots = NULL;
  CK_ULONG n_slots = 0;
  CK_RV rv;

  if (!module->initialized)
    return;
  rv = module->funcs->C_GetSlotList (CK_TRUE, NULL, &n_slots);
  if (rv != CKR_OK || n_slots == 0)
    return;
  n_slots = MIN (n_slots, 256);
  slots = g_new0 (CK_SLOT_ID, n_slots);
  rv = module->funcs->C_GetSlotList (CK_TRUE, slots, &n_slots);
  if (rv != CKR_OK)
    return;

  for (CK_ULONG i = 0; i < n_slots; i++)
    {
      CK_TOKEN_INFO info;
      g_autofree char *label = NULL, *manufacturer = NULL, *model = NULL, *serial = NULL;
      g_autofree char *identity = NULL;
      g_autoptr(EkToken) token = NULL;

      memset (&info, 0, sizeof info);
      rv = module->funcs->C_GetTokenInfo (slots[i], &info);
      if (rv != CKR_OK)
        {
          /* Pulled out between the slot list and now (or SoftHSM's moved token directory) */
          g_debug ("Skipping slot %lu of %s: %s", (unsigned long) slots[i], module->path, p11_kit_strerror (rv));
          continue;
        }
      if (!(info.flags & CKF_TOKEN_INITIALIZED))
        continue;
      label = padded_string (info.label, sizeof info.label);
      manufacturer = padded_string (info.manufacturerID, sizeof info.manufacturerID);
      model = padded_string (info.model, sizeof info.model);
      serial = padded_string (info.serialNumber, sizeof info.serialNumber);
      token = ek_token_new (module->path, module->name, slots[i], label, manufacturer, model, serial,
                            info.flags);
      identity = ek_token_dup_identity (token);
      if (g_hash_table_contains (seen, identity))
        continue;  /* the same token through a second module */
      g_hash_table_add (seen, g_steal_pointer (&identity));
      if (with_certificates)
        read_certificates (module->funcs, slots[i], token);
      g_ptr_array_add (tokens, g_steal_pointer (&token));
    }
}

char *
ek_token_manager_presence_of (GPtrArray *tokens)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < tokens->len; i++)
    {
      EkToken *token = g_ptr_array_index (tokens, i);
      g_autofree char *identity = ek_token_dup_identity (token);

      g_string_append_printf (s, "%s\x1e%s\x1e%lu\x1e%lu\n", identity, ek_token_get_module_path (token),
                              ek_token_get_slot_id (token), ek_token_get_flags (token));
    }
  return g_string_free (s, FALSE);
}

/* Must hold the lock */
GPtrArray *
ek_token_manager_scan (EkTokenManager *self,
                       gboolean        with_certificates)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_object_unref);

  ek_token_manager_load_modules (self);
  for (guint i = 0; i < self->modules->len; i++)
    scan_module (g_ptr_array_index (self->modules, i), with_certificates, seen, tokens);
  return tokens;
}

/* Must hold the lock. Re-initialise so that modules without slot events see changes. */
void
ek_token_manager_reinitialize_modules (EkTokenManager *self)
{
  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);

      if (!module->initialized || module->borrowed)
        continue;
      p11_kit_module_finalize (module->funcs);
      module->initialized = p11_kit_module_initialize (module->funcs) == CKR_OK;
    }
}

void
ek_token_manager_store_tokens (EkTokenManager *self,
                               GPtrArray      *tokens)
{
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  self->tokens = g_ptr_array_ref (tokens);
  g_free (self->presence);
  self->presence = ek_token_manager_presence_of (tokens);
}

/**
 * ek_token_manager_list_tokens:
 *
 * Loads the modules on first use, then reads every key and its certificates without a PIN.
 * Modules that failed are in ek_token_manager_get_module_errors(); they do not make this fail.
 *
 * Returns: (transfer container) (element-type EkToken): the keys present now
 */
GPtrArray *
ek_token_manager_list_tokens (EkTokenManager  *self,
                              GCancellable    *cancellable,
                              GError         **error)
{
  GPtrArray *tokens;

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_mutex_lock (&self->lock);
  tokens = ek_token_manager_scan (self, TRUE);
  ek_token_manager_store_tokens (self, tokens);
  g_mutex_unlock (&self->lock);
  return tokens;
}

/**
 * ek_token_manager_get_tokens:
 * Returns: (transfer container) (element-type EkToken): the keys of the last scan
 */
GPtrArray *
ek_token_manager_get_tokens (EkTokenManager *self)
{
  GPtrArray *tokens;

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), NULL);
  g_mutex_lock (&self->lock);
  tokens = g_ptr_array_ref (self->tokens);
  g_mutex_unlock (&self->lock);
  return tokens;
}

/**
 * ek_token_manager_get_module_errors:
 * Returns: (transfer container) (element-type GError): one error per module that failed to
 *   load or start, each naming its path and CK_RV
 */
GPtrArray *
ek_token_manager_get_module_errors (EkTokenManager *self)
{
  GPtrArray *errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), errors);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->module_errors->len; i++)
    g_ptr_array_add (errors, g_error_copy (g_ptr_array_index (self->module_errors, i)));
  g_mutex_unlock (&self->lock);
  return errors;
}

/* The paths of the modules that started */
GStrv
ek_token_manager_dup_module_paths (EkTokenManager *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), NULL);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);

      if (module->initialized)
        g_strv_builder_add (builder, module->path);
    }
  g_mutex_unlock (&self->lock);
  return g_strv_builder_end (builder);
}

static char *
find_vendor_module (const char *dir,
                    guint       depth)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  for (guint i = 0; i < G_N_ELEMENTS (vendor_modules); i++)
    {
      g_autofree char *path = g_build_filename (dir, vendor_modules[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  if (depth == 0 || (handle = g_dir_open (dir, 0, NULL)) == NULL)
    return NULL;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      char *found;

      if (!g_file_test (child, G_FILE_TEST_IS_DIR) || g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if ((found = find_vendor_module (child, depth - 1)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
pcscd_running (void)
{
  const char *socket = g_getenv ("PCSCLITE_CSOCK_NAME");

  return g_file_test (socket != NULL ? socket : "/run/pcscd/pcscd.comm", G_FILE_TEST_EXISTS);
}

/**
 * ek_token_manager_diagnose:
 * @message: (out) (optional): what is wrong and what to do, for the clerk
 * @vendor_module: (out) (optional): for %EK_TOKEN_DIAGNOSIS_VENDOR_UNREGISTERED, the driver
 *   found on disk that could be added (to the pkcs11-modules setting)
 *
 * Says why no key is seen, from the last scan.
 */
EkTokenDiagnosis
ek_token_manager_diagnose (EkTokenManager  *self,
                           char           **message,
                           char           **vendor_module)
{
  g_autofree char *vendor = NULL;
  g_autofree char *text = NULL;
  EkTokenDiagnosis diagnosis;
  gboolean opensc = FALSE;
  guint n_started = 0;

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), EK_TOKEN_DIAGNOSIS_NO_MODULE);

  g_mutex_lock (&self->lock);
  ek_token_manager_load_modules (self);
  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);

      if (module->initialized)
        n_started++;
      if (module->initialized && strstr (module->path, "opensc") != NULL)
        opensc = TRUE;
    }

  if (self->tokens->len > 0)
    {
      diagnosis = EK_TOKEN_DIAGNOSIS_OK;
      text = g_strdup (_("A key is inserted."));
    }
  else
    {
      const char *dirs_env = g_getenv ("EKEY_VENDOR_MODULE_DIRS");
      g_auto(GStrv) dirs = g_strsplit (dirs_env != NULL ? dirs_env
                                       : "/usr/lib:/usr/lib64:/usr/lib/x86_64-linux-gnu:/usr/local/lib:/opt", ":", -1);

      for (guint i = 0; dirs[i] != NULL && vendor == NULL; i++)
        if (dirs[i][0] != '\0')
          {
            char *found = find_vendor_module (dirs[i], g_str_has_prefix (dirs[i], "/opt") ? 4 : 1);

            if (found != NULL)
              {
                g_autofree char *real_path = resolve_path (found);

                if (!module_known (self, real_path))
                  vendor = found;
                else
                  g_free (found);
              }
          }

      if (vendor != NULL)
        {
          diagnosis = EK_TOKEN_DIAGNOSIS_VENDOR_UNREGISTERED;
          text = g_strdup_printf (_("No key is seen, but a key driver is installed that is not in use: %s. Use it to read the key."), vendor);
        }
      else if (n_started == 0 && self->module_errors->len > 0)
        {
          diagnosis = EK_TOKEN_DIAGNOSIS_NO_MODULE;
          text = g_strdup (_("The key driver is installed but did not start, so no key can be read. Reinstall the driver that came with your key, or give the error above to the helpdesk."));
        }
      else if (n_started == 0)
        {
          diagnosis = EK_TOKEN_DIAGNOSIS_NO_MODULE;
          text = g_strdup (_("No key driver (PKCS#11 module) is installed. Install the driver that came with your key, or the package opensc, then try again."));
        }
      else if (opensc && !pcscd_running ())
        {
          diagnosis = EK_TOKEN_DIAGNOSIS_PCSCD_NOT_RUNNING;
          text = g_strdup (_("No key is seen. The smart-card service (pcscd) is not running, so OpenSC cannot see a key: install and start the package pcscd."));
        }
      else
        {
          diagnosis = EK_TOKEN_DIAGNOSIS_NO_TOKEN;
          text = g_strdup (_("No key is inserted. Insert your e-key; if it is inserted, try another USB port."));
        }
    }
  g_mutex_unlock (&self->lock);

  if (message != NULL)
    *message = g_steal_pointer (&text);
  if (vendor_module != NULL)
    *vendor_module = g_steal_pointer (&vendor);
  return diagnosis;
}

/* Must hold the lock. The module and slot holding @token now (slot IDs may change). */
static gboolean
find_token (EkTokenManager     *self,
            EkToken            *token,
            CK_FUNCTION_LIST  **funcs_out,
            CK_SLOT_ID         *slot_out,
            GError            **error)
{
  g_autofree char *identity = ek_token_dup_identity (token);

  ek_token_manager_load_modules (self);
  for (guint i = 0; i < self->modules->len; i++)
    {
      EkModule *module = g_ptr_array_index (self->modules, i);
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_object_unref);

      if (g_strcmp0 (module->path, ek_token_get_module_path (token)) != 0)
        continue;
      scan_module (module, FALSE, seen, tokens);
      for (guint j = 0; j < tokens->len; j++)
        {
          g_autofree char *other = ek_token_dup_identity (g_ptr_array_index (tokens, j));

          if (g_str_equal (identity, other))
            {
              *funcs_out = module->funcs;
              *slot_out = ek_token_get_slot_id (g_ptr_array_index (tokens, j));
              return TRUE;
            }
        }
    }
  g_propagate_error (error, token_error_new (CKR_TOKEN_NOT_PRESENT, NULL, EK_PIN_STATE_OK));
  return FALSE;
}

static EkPinState
current_pin_state (CK_FUNCTION_LIST *funcs,
                   CK_SLOT_ID        slot)
{
  CK_TOKEN_INFO info;

  memset (&info, 0, sizeof info);
  if (funcs->C_GetTokenInfo (slot, &info) != CKR_OK)
    return EK_PIN_STATE_OK;
  return ek_pin_state_from_flags (info.flags);
}

/* Must hold the lock. Opens a session on @token and logs in with @pin. */
static gboolean
open_and_login (EkTokenManager     *self,
                EkToken            *token,
                EkSecret           *pin,
                CK_FUNCTION_LIST  **funcs_out,
                CK_SESSION_HANDLE  *session_out,
                GError            **error)
{
  CK_FUNCTION_LIST *funcs = NULL;
  CK_SLOT_ID slot = 0;
  CK_SESSION_HANDLE session;
  const char *pin_data;
  gsize pin_length;
  CK_RV rv;

  if (!find_token (self, token, &funcs, &slot, error))
    return FALSE;
  if (current_pin_state (funcs, slot) == EK_PIN_STATE_LOCKED)
    {
      g_propagate_error (error, token_error_new (CKR_PIN_LOCKED, NULL, EK_PIN_STATE_LOCKED));
      return FALSE;
    }
  rv = funcs->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session);
  if (rv != CKR_OK)
    {
      g_propagate_error (error, token_error_new (rv, NULL, EK_PIN_STATE_OK));
      return FALSE;
    }
  pin_data = ek_secret_get_data (pin, &pin_length);
  rv = funcs->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR) pin_data, pin_length);
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
    {
      EkPinState state = current_pin_state (funcs, slot);

      g_propagate_error (error, token_error_new (rv, NULL, state));
      funcs->C_CloseSession (session);
      return FALSE;
    }
  *funcs_out = funcs;
  *session_out = session;
  return TRUE;
}

/**
 * ek_token_manager_login:
 * @pin: the PIN; this call keeps no copy
 *
 * Checks @pin against the key and logs out again. A wrong PIN gives %CKR_PIN_INCORRECT with a
 * message that says how the key now stands ("one more wrong PIN locks the key").
 */
gboolean
ek_token_manager_login (EkTokenManager  *self,
                        EkToken         *token,
                        EkSecret        *pin,
                        GCancellable    *cancellable,
                        GError         **error)
{
  CK_FUNCTION_LIST *funcs = NULL;
  CK_SESSION_HANDLE session = 0;
  gboolean ok;

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), FALSE);
  g_return_val_if_fail (EK_IS_TOKEN (token), FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  ok = open_and_login (self, token, pin, &funcs, &session, error);
  if (ok)
    {
      funcs->C_Logout (session);
      funcs->C_CloseSession (session);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* ECDSA from PKCS#11 is r‖s; verifiers (gnutls, servers) expect the DER form */
static GBytes *
ecdsa_raw_to_der (const guint8 *raw,
                  gsize         size)
{
  gnutls_datum_t r = { (unsigned char *) raw, (unsigned int) (size / 2) };
  gnutls_datum_t s = { (unsigned char *) raw + size / 2, (unsigned int) (size / 2) };
  gnutls_datum_t der = { NULL, 0 };
  GBytes *bytes;

  if (size == 0 || size % 2 != 0 || gnutls_encode_rs_value (&der, &r, &s) < 0)
    return NULL;
  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);
  return bytes;
}

/**
 * ek_token_manager_sign:
 * @certificate: a certificate read from @token; its private key (same CKA_ID) signs
 * @pin: the PIN; this call keeps no copy
 * @data: the server's challenge
 * @algorithm: (out) (optional): the name of the signature, e.g. "RSA-SHA256"
 *
 * Signs @data with SHA-256: RSA PKCS#1 v1.5 or ECDSA (DER-encoded). SM2 keys need a driver
 * that offers SM2; SoftHSM does not.
 *
 * Returns: (transfer full): the signature
 */
GBytes *
ek_token_manager_sign (EkTokenManager     *self,
                       EkToken            *token,
                       EkCertificateInfo  *certificate,
                       EkSecret           *pin,
                       GBytes             *data,
                       char              **algorithm,
                       GCancellable       *cancellable,
                       GError            **error)
{
  CK_FUNCTION_LIST *funcs = NULL;
  CK_SESSION_HANDLE session = 0;
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  CK_OBJECT_HANDLE key;
  CK_ULONG n_keys = 0;
  CK_KEY_TYPE key_type = (CK_KEY_TYPE) -1;
  CK_ATTRIBUTE type_attr = { CKA_KEY_TYPE, &key_type, sizeof key_type };
  CK_MECHANISM mechanism = { CKM_SHA256_RSA_PKCS, NULL, 0 };
  g_autofree guint8 *signature = NULL;
  g_autofree guint8 *digest = NULL;
  const guint8 *input;
  gsize input_size;
  CK_ULONG signature_size = 0;
  GBytes *id, *result = NULL;
  const char *name = "RSA-SHA256";
  CK_RV rv;

  g_return_val_if_fail (EK_IS_TOKEN_MANAGER (self), NULL);
  g_return_val_if_fail (EK_IS_TOKEN (token), NULL);
  g_return_val_if_fail (EK_IS_CERTIFICATE_INFO (certificate), NULL);
  g_return_val_if_fail (pin != NULL && data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  id = ek_certificate_info_get_object_id (certificate);
  if (id == NULL)
    {
      g_propagate_error (error, token_error_new (CKR_OBJECT_HANDLE_INVALID, NULL, EK_PIN_STATE_OK));
      return NULL;
    }

  g_mutex_lock (&self->lock);
  if (!open_and_login (self, token, pin, &funcs, &session, error))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  {
    CK_ATTRIBUTE match[] = {
      { CKA_CLASS, &klass, sizeof klass },
      { CKA_ID, (void *) g_bytes_get_data (id, NULL), g_bytes_get_size (id) },
    };

    rv = funcs->C_FindObjectsInit (session, match, G_N_ELEMENTS (match));
    if (rv == CKR_OK)
      {
        rv = funcs->C_FindObjects (session, &key, 1, &n_keys);
        funcs->C_FindObjectsFinal (session);
      }
  }
  if (rv == CKR_OK && n_keys == 0)
    rv = CKR_OBJECT_HANDLE_INVALID;
  if (rv == CKR_OK)
    rv = funcs->C_GetAttributeValue (session, key, &type_attr, 1);

  input = g_bytes_get_data (data, &input_size);
  if (rv == CKR_OK)
    {
      if (key_type == CKK_RSA)
        mechanism.mechanism = CKM_SHA256_RSA_PKCS;
      else if (key_type == CKK_EC)
        {
          /* Hash here: plain CKM_ECDSA is what every driver offers */
          gsize digest_size = 32;
          g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

          digest = g_malloc (digest_size);
          g_checksum_update (checksum, input, input_size);
          g_checksum_get_digest (checksum, digest, &digest_size);
          input = digest;
          input_size = digest_size;
          mechanism.mechanism = CKM_ECDSA;
          name = "ECDSA-SHA256";
        }
      else
        rv = CKR_MECHANISM_INVALID;  /* SM2 and others: no mechanism we can name portably */
    }
  if (rv == CKR_OK)
    rv = funcs->C_SignInit (session, &mechanism, key);
  if (rv == CKR_OK)
    rv = funcs->C_Sign (session, (CK_BYTE_PTR) input, input_size, NULL, &signature_size);
  if (rv == CKR_OK && (signature_size == 0 || signature_size > 16384))
    rv = CKR_GENERAL_ERROR;
  if (rv == CKR_OK)
    {
      signature = g_malloc (signature_size);
      rv = funcs->C_Sign (session, (CK_BYTE_PTR) input, input_size, signature, &signature_size);
    }

  funcs->C_Logout (session);
  funcs->C_CloseSession (session);
  g_mutex_unlock (&self->lock);

  if (rv != CKR_OK)
    {
      g_propagate_error (error, token_error_new (rv, _("The key could not sign"), EK_PIN_STATE_OK));
      return NULL;
    }
  if (mechanism.mechanism == CKM_ECDSA)
    result = ecdsa_raw_to_der (signature, signature_size);
  else
    result = g_bytes_new (signature, signature_size);
  if (result == NULL)
    {
      g_propagate_error (error, token_error_new (CKR_GENERAL_ERROR, _("The key could not sign"), EK_PIN_STATE_OK));
      return NULL;
    }
  if (algorithm != NULL)
    *algorithm = g_strdup (name);
  return result;
}

/**
 * ek_token_manager_dup_default:
 * @module_paths: (nullable): extra modules (the settings' list), used only when the shared
 *   manager is first made
 *
 * The manager the whole process shares. p11-kit reference-counts module initialisation, so
 * two managers on the same module would keep each other from re-initialising it when they
 * poll; views use this one.
 *
 * Returns: (transfer full): the shared manager
 */
EkTokenManager *
ek_token_manager_dup_default (const char * const *module_paths)
{
  static GWeakRef shared;
  EkTokenManager *manager = g_weak_ref_get (&shared);

  if (manager == NULL)
    {
      manager = ek_token_manager_new (module_paths, EK_TOKEN_MANAGER_FLAGS_NONE);
      g_weak_ref_set (&shared, manager);
    }
  return manager;
}

/* ---- For the renewal's steps on the token (ek-token-writer.c) ---- */

gboolean
ek_token_manager_open_session_locked (EkTokenManager     *self,
                                      EkToken            *token,
                                      EkSecret           *pin,
                                      CK_FUNCTION_LIST  **funcs,
                                      CK_SESSION_HANDLE  *session,
                                      GError            **error)
{
  CK_SESSION_HANDLE login_session;
  CK_SESSION_INFO info;
  CK_RV rv;

  if (!open_and_login (self, token, pin, funcs, &login_session, error))
    return FALSE;
  /* Writing needs a read-write session; the log-in holds for every session of the application */
  rv = (*funcs)->C_GetSessionInfo (login_session, &info);
  if (rv == CKR_OK)
    rv = (*funcs)->C_OpenSession (info.slotID, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, session);
  (*funcs)->C_CloseSession (login_session);
  if (rv != CKR_OK)
    {
      g_propagate_error (error, token_error_new (rv, NULL, EK_PIN_STATE_OK));
      return FALSE;
    }
  return TRUE;
}

GError *
ek_token_error_new (CK_RV       rv,
                    const char *what)
{
  return token_error_new (rv, what, EK_PIN_STATE_OK);
}

GBytes *
ek_token_ecdsa_signature_to_der (const guint8 *raw,
                                 gsize         size)
{
  return ecdsa_raw_to_der (raw, size);
}
