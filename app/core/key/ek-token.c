/* ek-token.c: one key (PKCS#11 token) as seen at one moment, with its certificates
 *
 * A snapshot: the token manager builds a new one on every scan, so the UI never sees a token
 * change under it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <p11-kit/pkcs11.h>

#include "ek-token.h"

struct _EkToken
{
  GObject     parent_instance;

  char       *module_path;
  char       *module_name;
  gulong      slot_id;
  char       *label;
  char       *manufacturer;
  char       *model;
  char       *serial;
  gulong      flags;
  GPtrArray  *certificates;
  GPtrArray  *problems;
};

G_DEFINE_FINAL_TYPE (EkToken, ek_token, G_TYPE_OBJECT)

static void
ek_token_finalize (GObject *object)
{
  EkToken *self = EK_TOKEN (object);

  g_free (self->module_path);
  g_free (self->module_name);
  g_free (self->label);
  g_free (self->manufacturer);
  g_free (self->model);
  g_free (self->serial);
  g_ptr_array_unref (self->certificates);
  g_ptr_array_unref (self->problems);

  G_OBJECT_CLASS (ek_token_parent_class)->finalize (object);
}

static void
ek_token_class_init (EkTokenClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_token_finalize;
}

static void
ek_token_init (EkToken *self)
{
  self->certificates = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func (g_free);
}

EkToken *
ek_token_new (const char *module_path,
              const char *module_name,
              gulong      slot_id,
              const char *label,
              const char *manufacturer,
              const char *model,
              const char *serial,
              gulong      flags)
{
  EkToken *self;

  g_return_val_if_fail (module_path != NULL, NULL);

  self = g_object_new (EK_TYPE_TOKEN, NULL);
  self->module_path = g_strdup (module_path);
  self->module_name = g_strdup (module_name);
  self->slot_id = slot_id;
  self->label = g_strdup (label != NULL ? label : "");
  self->manufacturer = g_strdup (manufacturer != NULL ? manufacturer : "");
  self->model = g_strdup (model != NULL ? model : "");
  self->serial = g_strdup (serial != NULL ? serial : "");
  self->flags = flags;
  return self;
}

const char *
ek_token_get_module_path (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->module_path;
}

/* The p11-kit name of the module (its .module file), or %NULL when loaded by path */
const char *
ek_token_get_module_name (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->module_name;
}

gulong
ek_token_get_slot_id (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), 0);
  return self->slot_id;
}

const char *
ek_token_get_label (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->label;
}

const char *
ek_token_get_manufacturer (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->manufacturer;
}

const char *
ek_token_get_model (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->model;
}

const char *
ek_token_get_serial (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->serial;
}

/* The PKCS#11 CK_TOKEN_INFO flags */
gulong
ek_token_get_flags (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), 0);
  return self->flags;
}

EkPinState
ek_pin_state_from_flags (gulong flags)
{
  if (flags & CKF_USER_PIN_LOCKED)
    return EK_PIN_STATE_LOCKED;
  if (flags & CKF_USER_PIN_FINAL_TRY)
    return EK_PIN_STATE_FINAL_TRY;
  if (flags & CKF_USER_PIN_COUNT_LOW)
    return EK_PIN_STATE_COUNT_LOW;
  return EK_PIN_STATE_OK;
}

EkPinState
ek_token_get_pin_state (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), EK_PIN_STATE_OK);
  return ek_pin_state_from_flags (self->flags);
}

/* What makes a token the same token, whichever module sees it */
char *
ek_token_dup_identity (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return g_strdup_printf ("%s\x1f%s\x1f%s\x1f%s", self->manufacturer, self->model, self->serial,
                          self->label);
}

/**
 * ek_token_get_certificates:
 * Returns: (transfer none) (element-type EkCertificateInfo): the certificates read from the token
 */
GPtrArray *
ek_token_get_certificates (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->certificates;
}

/**
 * ek_token_get_problems:
 * Returns: (transfer none) (element-type utf8): what could not be read, one sentence each
 */
GPtrArray *
ek_token_get_problems (EkToken *self)
{
  g_return_val_if_fail (EK_IS_TOKEN (self), NULL);
  return self->problems;
}

void
ek_token_add_certificate (EkToken           *self,
                          EkCertificateInfo *certificate)
{
  g_return_if_fail (EK_IS_TOKEN (self));
  g_return_if_fail (EK_IS_CERTIFICATE_INFO (certificate));
  g_ptr_array_add (self->certificates, g_object_ref (certificate));
}

void
ek_token_add_problem (EkToken    *self,
                      const char *problem)
{
  g_return_if_fail (EK_IS_TOKEN (self));
  g_ptr_array_add (self->problems, g_strdup (problem));
}

/* One plain sentence for the clerk */
const char *
ek_pin_state_describe (EkPinState state)
{
  switch (state)
    {
    case EK_PIN_STATE_COUNT_LOW:
      return _("A wrong PIN was entered recently. Six wrong PINs in a row lock the key, and the count is kept from day to day.");
    case EK_PIN_STATE_FINAL_TRY:
      return _("One more wrong PIN locks the key. If you are not sure of the PIN, stop and ask the person who keeps it.");
    case EK_PIN_STATE_LOCKED:
      return _("The key is locked after too many wrong PINs. Apply for PIN unlock to use it again.");
    case EK_PIN_STATE_OK:
    default:
      return _("The PIN has not been entered wrongly.");
    }
}
