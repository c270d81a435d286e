/* ek-application-draft.c: one application in progress
 *
 * Pages read and write the draft, never each other. Later work adds the form fields, the
 * chosen materials and the server state, and a store that saves it on every change.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-application-draft.h"

struct _EkApplicationDraft
{
  GObject  parent_instance;

  char    *id;
  char    *business_type_id;
};

G_DEFINE_FINAL_TYPE (EkApplicationDraft, ek_application_draft, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_BUSINESS_TYPE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ek_application_draft_finalize (GObject *object)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  g_clear_pointer (&self->id, g_free);
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
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
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
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_BUSINESS_TYPE_ID:
      ek_application_draft_set_business_type_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_application_draft_constructed (GObject *object)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  G_OBJECT_CLASS (ek_application_draft_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = g_uuid_string_random ();
}

static void
ek_application_draft_class_init (EkApplicationDraftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ek_application_draft_constructed;
  object_class->finalize = ek_application_draft_finalize;
  object_class->get_property = ek_application_draft_get_property;
  object_class->set_property = ek_application_draft_set_property;

  /* A random UUID unless given: names the draft's folder and file */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
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

/**
 * ek_application_draft_new_with_id:
 * @id: a UUID, as a draft store reads it back
 */
EkApplicationDraft *
ek_application_draft_new_with_id (const char *id)
{
  g_return_val_if_fail (id != NULL && g_uuid_string_is_valid (id), NULL);

  return g_object_new (EK_TYPE_APPLICATION_DRAFT, "id", id, NULL);
}

const char *
ek_application_draft_get_id (EkApplicationDraft *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  return self->id;
}

/**
 * ek_application_draft_dup_directory:
 *
 * The draft's own folder, where everything it holds on disk lives (scanned materials, the
 * rendered forms): `$XDG_DATA_HOME/ekey-assistant/drafts/<id>`, created private (0700) on
 * first use. Deleting the draft deletes the folder.
 *
 * Returns: (transfer full) (nullable): the path, or %NULL if it cannot be created
 */
char *
ek_application_draft_dup_directory (EkApplicationDraft  *self,
                                    GError             **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (g_get_user_data_dir (), "ekey-assistant", "drafts", self->id, NULL);
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   /* Translators: %s is a folder, the second %s the system's reason */
                   _("Cannot create the folder “%s” for this application: %s"),
                   path, g_strerror (saved_errno));
      return NULL;
    }

  return g_steal_pointer (&path);
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
