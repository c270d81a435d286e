/* ek-application-draft.c: one application in progress
 *
 * Pages read and write the draft, never each other. Later work adds the form fields, the
 * chosen materials and the server state, and a store that saves it on every change.
 */
#include "config.h"

#include "ek-application-draft.h"

struct _EkApplicationDraft
{
  GObject  parent_instance;

  char    *business_type_id;
};

G_DEFINE_FINAL_TYPE (EkApplicationDraft, ek_application_draft, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSINESS_TYPE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ek_application_draft_finalize (GObject *object)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  g_clear_pointer (&self->business_type_id, g_free);

  G_OBJECT_CLASS (ek_application_draft_parent_class)->finalize (object);
}

static void
ek_application_draft_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  switch (prop_id)
    {
    case PROP_BUSINESS_TYPE_ID:
      g_value_set_string (value, self->business_type_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_application_draft_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  switch (prop_id)
    {
    case PROP_BUSINESS_TYPE_ID:
      ek_application_draft_set_business_type_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_application_draft_class_init (EkApplicationDraftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_application_draft_finalize;
  object_class->get_property = ek_application_draft_get_property;
  object_class->set_property = ek_application_draft_set_property;

  properties[PROP_BUSINESS_TYPE_ID] =
    g_param_spec_string ("business-type-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_application_draft_init (EkApplicationDraft *self)
{
}

EkApplicationDraft *
ek_application_draft_new (void)
{
  return g_object_new (EK_TYPE_APPLICATION_DRAFT, NULL);
}

const char *
ek_application_draft_get_business_type_id (EkApplicationDraft *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  return self->business_type_id;
}

void
ek_application_draft_set_business_type_id (EkApplicationDraft *self,
                                           const char         *id)
{
  g_return_if_fail (EK_IS_APPLICATION_DRAFT (self));

  if (g_strcmp0 (self->business_type_id, id) == 0)
    return;

  g_free (self->business_type_id);
  self->business_type_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSINESS_TYPE_ID]);
}
