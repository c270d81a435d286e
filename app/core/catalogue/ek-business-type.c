/* ek-business-type.c: one e-key business and its flow */
#include "config.h"

#include "ek-business-type.h"
#include "ek-core-enums.h"

struct _EkBusinessType
{
  GObject         parent_instance;

  char           *id;
  char           *name;
  char           *summary;
  EkBusinessMode  mode;
  gboolean        key_required;
  GPtrArray      *steps;
  char           *stages_id;    /* the catalogue's stage set, or NULL */
  char          **form_ticks;   /* the form's boxes this business ticks */
  char          **printed_forms; /* the forms its documents step prints, or NULL: both */
};

G_DEFINE_FINAL_TYPE (EkBusinessType, ek_business_type, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SUMMARY,
  PROP_MODE,
  PROP_KEY_REQUIRED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ek_business_type_finalize (GObject *object)
{
  EkBusinessType *self = EK_BUSINESS_TYPE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->stages_id, g_free);
  g_clear_pointer (&self->form_ticks, g_strfreev);
  g_clear_pointer (&self->printed_forms, g_strfreev);

  G_OBJECT_CLASS (ek_business_type_parent_class)->finalize (object);
}

static void
ek_business_type_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EkBusinessType *self = EK_BUSINESS_TYPE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_KEY_REQUIRED:
      g_value_set_boolean (value, self->key_required);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_business_type_class_init (EkBusinessTypeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_business_type_finalize;
  object_class->get_property = ek_business_type_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, EK_TYPE_BUSINESS_MODE, EK_BUSINESS_MODE_ONLINE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY_REQUIRED] =
    g_param_spec_boolean ("key-required", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_business_type_init (EkBusinessType *self)
{
}

/**
 * ek_business_type_new:
 * @steps: (element-type EkFlowStep) (transfer none): the flow
 */
EkBusinessType *
ek_business_type_new (const char     *id,
                      const char     *name,
                      const char     *summary,
                      EkBusinessMode  mode,
                      gboolean        key_required,
                      GPtrArray      *steps)
{
  EkBusinessType *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (steps != NULL, NULL);

  self = g_object_new (EK_TYPE_BUSINESS_TYPE, NULL);
  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->summary = g_strdup (summary ? summary : "");
  self->mode = mode;
  self->key_required = key_required;
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_flow_step_unref);
  for (guint i = 0; i < steps->len; i++)
    g_ptr_array_add (self->steps, ek_flow_step_ref (g_ptr_array_index (steps, i)));

  return self;
}

const char *
ek_business_type_get_id (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), NULL);
  return self->id;
}

const char *
ek_business_type_get_name (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), NULL);
  return self->name;
}

const char *
ek_business_type_get_summary (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), NULL);
  return self->summary;
}

EkBusinessMode
ek_business_type_get_mode (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), EK_BUSINESS_MODE_ONLINE);
  return self->mode;
}

gboolean
ek_business_type_get_key_required (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), FALSE);
  return self->key_required;
}

guint
ek_business_type_get_n_steps (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), 0);
  return self->steps->len;
}

/**
 * ek_business_type_get_step:
 * Returns: (transfer none): the step at @index
 */
EkFlowStep *
ek_business_type_get_step (EkBusinessType *self,
                           guint           index)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, index);
}

/* The id of the catalogue's stage set this business follows after submission, or %NULL */
const char *
ek_business_type_get_stages_id (EkBusinessType *self)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), NULL);
  return self->stages_id;
}

/**
 * ek_business_type_get_form_ticks:
 *
 * The boxes of 《进出口企业电子钥匙与电子认证证书申请表》 this business ticks, as the draft's
 * field names ("tick-reissue", …).
 *
 * Returns: (transfer none) (array zero-terminated=1): the field names, never %NULL
 */
const char * const *
ek_business_type_get_form_ticks (EkBusinessType *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), none);
  return self->form_ticks != NULL ? (const char * const *) self->form_ticks : none;
}

gboolean
ek_business_type_has_step (EkBusinessType *self,
                           const char     *step_id)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), FALSE);

  for (guint i = 0; step_id != NULL && i < self->steps->len; i++)
    if (g_str_equal (((EkFlowStep *) g_ptr_array_index (self->steps, i))->id, step_id))
      return TRUE;
  return FALSE;
}

/* For the catalogue: what follows the submission (the stage set) and the form's ticks */
void
ek_business_type_set_course (EkBusinessType     *self,
                             const char         *stages_id,
                             const char * const *form_ticks)
{
  g_return_if_fail (EK_IS_BUSINESS_TYPE (self));

  g_free (self->stages_id);
  self->stages_id = g_strdup (stages_id);
  g_strfreev (self->form_ticks);
  self->form_ticks = form_ticks != NULL ? g_strdupv ((char **) form_ticks) : NULL;
}

/**
 * ek_business_type_set_printed_forms:
 * @forms: (nullable): "application-form", "seal-confirmation", or NULL for both
 *
 * The forms the business's seed section has the clerk print: the confirmation letter
 * 《电子签章申请确认函》 only where the seed asks for it.
 */
void
ek_business_type_set_printed_forms (EkBusinessType     *self,
                                    const char * const *forms)
{
  g_return_if_fail (EK_IS_BUSINESS_TYPE (self));

  g_strfreev (self->printed_forms);
  self->printed_forms = forms != NULL ? g_strdupv ((char **) forms) : NULL;
}

/* Whether the documents step prints @form ("application-form" or "seal-confirmation") */
gboolean
ek_business_type_prints_form (EkBusinessType *self,
                              const char     *form)
{
  g_return_val_if_fail (EK_IS_BUSINESS_TYPE (self), FALSE);
  g_return_val_if_fail (form != NULL, FALSE);

  return self->printed_forms == NULL || g_strv_contains ((const char * const *) self->printed_forms, form);
}
