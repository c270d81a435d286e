/* ek-application-draft.c: one application in progress
 *
 * Pages read and write the draft, never each other. Every field of the application form is a
 * notify property (so pages can g_object_bind_property() to it) and can also be reached by
 * name (so the store, the documents and the command line walk one table). Any change emits
 * "changed", which the draft store listens to in order to save.
 *
 * Saved as JSON with a format version; reading it back trusts nothing.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-application-draft.h"
#include "ek-catalogue.h"

/* A field longer than this is not something a clerk typed; longer text is cut (at a character)
 * when set, so that whatever the draft holds can always be saved and read back. All fields at
 * this length still fit under MAX_DRAFT_BYTES. */
#define MAX_FIELD_BYTES (16 * 1024)
/* A draft file larger than this is not a draft */
#define MAX_DRAFT_BYTES (1024 * 1024)

/* Every field of the first-application form (《进出口企业电子钥匙与电子认证证书办理申请表》)
 * and the server's state. The order is the form's order. */
static const EkDraftField fields[] = {
  /* Business ticked at the top of the form */
  { "tick-first-application", G_TYPE_BOOLEAN, FALSE, FALSE },   /* 首次申领 */
  { "tick-reissue", G_TYPE_BOOLEAN, FALSE, FALSE },             /* 补办 */
  { "tick-additional", G_TYPE_BOOLEAN, FALSE, FALSE },          /* 增办 */
  { "tick-reapply", G_TYPE_BOOLEAN, FALSE, FALSE },             /* 重新申领 */
  { "tick-renewal", G_TYPE_BOOLEAN, FALSE, FALSE },             /* 更新 */
  { "tick-unlock", G_TYPE_BOOLEAN, FALSE, FALSE },              /* 解锁 */
  { "tick-code-change", G_TYPE_BOOLEAN, FALSE, FALSE },         /* 企业代码变更为 */
  { "new-enterprise-code", G_TYPE_STRING, FALSE, FALSE },
  { "tick-cancellation", G_TYPE_BOOLEAN, FALSE, FALSE },        /* 注销 */
  /* Licence type and the enterprise's situation */
  { "licence-type", G_TYPE_STRING, FALSE, FALSE },
  { "situation-electromechanical-only", G_TYPE_BOOLEAN, FALSE, FALSE },
  { "situation-free-trade-zone", G_TYPE_BOOLEAN, FALSE, FALSE },
  { "situation-foreign-invested", G_TYPE_BOOLEAN, FALSE, FALSE },
  /* Enterprise */
  { "enterprise-name", G_TYPE_STRING, FALSE, FALSE },
  { "credit-code", G_TYPE_STRING, FALSE, FALSE },               /* 18-character USCC */
  { "enterprise-code", G_TYPE_STRING, FALSE, FALSE },           /* 13-digit import/export code */
  { "registered-address", G_TYPE_STRING, FALSE, FALSE },
  /* Legal representative */
  { "legal-rep-name", G_TYPE_STRING, FALSE, FALSE },
  { "legal-rep-id-type", G_TYPE_STRING, FALSE, FALSE },
  { "legal-rep-id-number", G_TYPE_STRING, TRUE, FALSE },
  /* Authorised user (经办人) */
  { "user-name", G_TYPE_STRING, FALSE, FALSE },
  { "user-id-type", G_TYPE_STRING, FALSE, FALSE },
  { "user-id-number", G_TYPE_STRING, TRUE, FALSE },
  { "login-name", G_TYPE_STRING, FALSE, FALSE },
  /* The key to cancel (注销): its login name, from the key or typed when it is lost */
  { "key-login-name", G_TYPE_STRING, FALSE, FALSE },
  { "key-lost", G_TYPE_BOOLEAN, FALSE, FALSE },
  /* The electronic seal: the subject of the certificate logged in with (证书主题), and what the
   * clerk chose to do (apply, change, bind-user) */
  { "certificate-subject", G_TYPE_STRING, FALSE, FALSE },
  { "seal-kind", G_TYPE_STRING, FALSE, FALSE },
  /* Contact */
  { "email", G_TYPE_STRING, FALSE, FALSE },
  { "mobile", G_TYPE_STRING, FALSE, FALSE },
  { "landline", G_TYPE_STRING, FALSE, FALSE },
  { "contact-address", G_TYPE_STRING, FALSE, FALSE },
  { "department", G_TYPE_STRING, FALSE, FALSE },
  { "job-title", G_TYPE_STRING, FALSE, FALSE },
  { "postcode", G_TYPE_STRING, FALSE, FALSE },
  /* Mobile authorisation (手机授权): what its information page adds, the request being made */
  { "gender", G_TYPE_STRING, FALSE, FALSE },
  { "work-address", G_TYPE_STRING, FALSE, FALSE },
  { "mobile-request-time", G_TYPE_STRING, FALSE, FALSE },
  { "mobile-kind", G_TYPE_STRING, FALSE, FALSE },               /* new · number-change · phone-change */
  { "mobile-old", G_TYPE_STRING, FALSE, FALSE },                /* 旧授权手机号码 */
  { "mobile-new", G_TYPE_STRING, FALSE, FALSE },                /* 新授权手机号码 */
  /* Why (reissue, additional key, change) and where the key is collected */
  { "reason", G_TYPE_STRING, FALSE, FALSE },
  { "authority-id", G_TYPE_STRING, FALSE, FALSE },
  { "authority-name", G_TYPE_STRING, FALSE, FALSE },
  /* The day the clerk means to hand in the papers at the counter (ISO date; empty: today) */
  { "visit-date", G_TYPE_STRING, FALSE, FALSE },
  /* The server's state */
  { "application-id", G_TYPE_STRING, FALSE, TRUE },
  { "application-number", G_TYPE_STRING, FALSE, TRUE },
  { "status", G_TYPE_STRING, FALSE, TRUE },
  { "status-remark", G_TYPE_STRING, FALSE, TRUE },
  { "submitted-at", G_TYPE_STRING, FALSE, TRUE },
  /* The fields the service filled in whose value the form shows but does not let the clerk
   * change (a form field marked "fixed"), separated by spaces */
  { "locked-fields", G_TYPE_STRING, FALSE, TRUE },
  { "mobile-request-id", G_TYPE_STRING, FALSE, TRUE },
  /* Idempotency keys, made before the first try so a retry or a restart never creates or
   * submits twice; the submit key is cleared once the submission is accepted */
  { "create-key", G_TYPE_STRING, FALSE, TRUE },
  { "submit-key", G_TYPE_STRING, FALSE, TRUE },
};

#define N_FIELDS G_N_ELEMENTS (fields)

typedef union
{
  char     *string;
  gboolean  boolean;
} FieldValue;

struct _EkApplicationDraft
{
  GObject     parent_instance;

  char       *id;
  char       *business_type_id;
  char       *step;
  gint64      modified;
  FieldValue  values[N_FIELDS];

  /* Transient: what the server said about fields (name → message). Never saved. */
  GHashTable *server_errors;
};

G_DEFINE_FINAL_TYPE (EkApplicationDraft, ek_application_draft, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-draft-error-quark, ek_draft_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_BUSINESS_TYPE_ID,
  PROP_STEP,
  PROP_MODIFIED,
  PROP_FIRST_FIELD,
  N_PROPS = PROP_FIRST_FIELD + N_FIELDS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  SERVER_ERRORS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static int
field_index (const char *name)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (g_str_equal (fields[i].name, name))
      return i;
  return -1;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
ek_application_draft_finalize (GObject *object)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->business_type_id, g_free);
  g_clear_pointer (&self->step, g_free);
  g_clear_pointer (&self->server_errors, g_hash_table_unref);
  for (guint i = 0; i < N_FIELDS; i++)
    if (fields[i].type == G_TYPE_STRING)
      g_clear_pointer (&self->values[i].string, g_free);

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
      return;
    case PROP_BUSINESS_TYPE_ID:
      g_value_set_string (value, self->business_type_id);
      return;
    case PROP_STEP:
      g_value_set_string (value, self->step);
      return;
    case PROP_MODIFIED:
      g_value_set_int64 (value, self->modified);
      return;
    default:
      break;
    }

  if (prop_id >= PROP_FIRST_FIELD && prop_id < N_PROPS)
    {
      guint i = prop_id - PROP_FIRST_FIELD;

      if (fields[i].type == G_TYPE_STRING)
        g_value_set_string (value, ek_application_draft_get_string (self, fields[i].name));
      else
        g_value_set_boolean (value, self->values[i].boolean);
      return;
    }
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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
      return;
    case PROP_BUSINESS_TYPE_ID:
      ek_application_draft_set_business_type_id (self, g_value_get_string (value));
      return;
    case PROP_STEP:
      ek_application_draft_set_step (self, g_value_get_string (value));
      return;
    default:
      break;
    }

  if (prop_id >= PROP_FIRST_FIELD && prop_id < N_PROPS)
    {
      guint i = prop_id - PROP_FIRST_FIELD;

      if (fields[i].type == G_TYPE_STRING)
        ek_application_draft_set_string (self, fields[i].name, g_value_get_string (value));
      else
        ek_application_draft_set_boolean (self, fields[i].name, g_value_get_boolean (value));
      return;
    }
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
ek_application_draft_constructed (GObject *object)
{
  EkApplicationDraft *self = EK_APPLICATION_DRAFT (object);

  G_OBJECT_CLASS (ek_application_draft_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = g_uuid_string_random ();
  self->modified = g_get_real_time ();
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
  /* The flow step the clerk was on, so that continuing the draft lands there */
  properties[PROP_STEP] =
    g_param_spec_string ("step", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* When anything last changed, in microseconds since 1970 (g_get_real_time()) */
  properties[PROP_MODIFIED] =
    g_param_spec_int64 ("modified", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (fields[i].type == G_TYPE_STRING)
        properties[PROP_FIRST_FIELD + i] =
          g_param_spec_string (fields[i].name, NULL, NULL, "",
                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
      else
        properties[PROP_FIRST_FIELD + i] =
          g_param_spec_boolean (fields[i].name, NULL, NULL, FALSE,
                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    }

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkApplicationDraft::changed:
   *
   * Something the draft holds has changed: it needs saving.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * EkApplicationDraft::server-errors-changed:
   * @field: (nullable): the field whose server message changed, or %NULL when all were cleared
   *
   * The server's message on a field was set or cleared. Not a change to save.
   */
  signals[SERVER_ERRORS_CHANGED] =
    g_signal_new ("server-errors-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_application_draft_init (EkApplicationDraft *self)
{
  self->server_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
touch (EkApplicationDraft *self)
{
  /* Strictly increasing, so that two changes in one microsecond still order */
  self->modified = MAX (g_get_real_time (), self->modified + 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
  g_signal_emit (self, signals[CHANGED], 0);
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
 * ek_application_draft_dup_subdirectory:
 * @name: (nullable): a folder inside the draft's, such as "documents"; %NULL for the draft's own
 *
 * The draft's own folder, where everything it holds on disk lives (scanned materials, the
 * rendered forms): `$XDG_DATA_HOME/ekey-assistant/drafts/<id>[/<name>]`, created private (0700)
 * on first use. Deleting the draft deletes the folder.
 *
 * Returns: (transfer full) (nullable): the path, or %NULL if it cannot be created
 */
char *
ek_application_draft_dup_subdirectory (EkApplicationDraft  *self,
                                       const char          *name,
                                       GError             **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (g_get_user_data_dir (), "ekey-assistant", "drafts", self->id, name, NULL);
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

/**
 * ek_application_draft_dup_directory:
 * Returns: (transfer full) (nullable): the draft's own folder (see
 *   ek_application_draft_dup_subdirectory())
 */
char *
ek_application_draft_dup_directory (EkApplicationDraft  *self,
                                    GError             **error)
{
  return ek_application_draft_dup_subdirectory (self, NULL, error);
}

const char *
ek_application_draft_get_business_type_id (EkApplicationDraft *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  return self->business_type_id;
}

/**
 * ek_application_draft_get_business_type_fixed:
 *
 * An application that exists on the registration service (it has an "application-id") was
 * created there for its business type, and is submitted as that: its business type is fixed.
 *
 * Returns: %TRUE when the business type can no longer change
 */
gboolean
ek_application_draft_get_business_type_fixed (EkApplicationDraft *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), FALSE);
  return self->business_type_id != NULL &&
         *ek_application_draft_get_string (self, "application-id") != '\0';
}

/**
 * ek_application_draft_set_business_type_id:
 *
 * Chooses the business the application is for. Refused (nothing changes) once the business
 * type is fixed (ek_application_draft_get_business_type_fixed()).
 *
 * Returns: %TRUE if the draft's business type is now @id
 */
gboolean
ek_application_draft_set_business_type_id (EkApplicationDraft *self,
                                           const char         *id)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), FALSE);

  if (g_strcmp0 (self->business_type_id, id) == 0)
    return TRUE;
  if (ek_application_draft_get_business_type_fixed (self))
    {
      g_debug ("The business type of application %s is fixed; not changed to %s", self->id, id);
      return FALSE;
    }

  g_free (self->business_type_id);
  self->business_type_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSINESS_TYPE_ID]);
  touch (self);
  return TRUE;
}

/**
 * ek_application_draft_get_step:
 *
 * Returns: (nullable): the id of the flow step the clerk was last on
 */
const char *
ek_application_draft_get_step (EkApplicationDraft *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  return self->step;
}

/**
 * ek_application_draft_set_step:
 * @step: (nullable): a flow step id
 *
 * Saved with the draft, so that continuing it lands on that step.
 */
void
ek_application_draft_set_step (EkApplicationDraft *self,
                               const char         *step)
{
  g_return_if_fail (EK_IS_APPLICATION_DRAFT (self));
  g_return_if_fail (step == NULL || strlen (step) <= 64);

  if (g_strcmp0 (self->step, step) == 0)
    return;

  g_free (self->step);
  self->step = g_strdup (step);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
  touch (self);
}

/**
 * ek_application_draft_set_server_error:
 * @field: a field name (ek_application_draft_lookup_field())
 * @message: (nullable): what the server said about it, in the user's language; %NULL clears
 *
 * Keeps the server's message on a field until the field is edited (the form page clears it)
 * or all are cleared. Transient: never saved, and not a change of the draft.
 */
void
ek_application_draft_set_server_error (EkApplicationDraft *self,
                                       const char         *field,
                                       const char         *message)
{
  const char *old;

  g_return_if_fail (EK_IS_APPLICATION_DRAFT (self));
  g_return_if_fail (field != NULL);
  g_return_if_fail (message == NULL || g_utf8_validate (message, -1, NULL));

  if (message != NULL && message[0] == '\0')
    message = NULL;
  old = g_hash_table_lookup (self->server_errors, field);
  if (g_strcmp0 (old, message) == 0)
    return;

  if (message != NULL)
    g_hash_table_replace (self->server_errors, g_strdup (field), g_strdup (message));
  else
    g_hash_table_remove (self->server_errors, field);
  g_signal_emit (self, signals[SERVER_ERRORS_CHANGED], 0, field);
}

/**
 * ek_application_draft_get_server_error:
 *
 * Returns: (nullable): the server's message on @field, or %NULL
 */
const char *
ek_application_draft_get_server_error (EkApplicationDraft *self,
                                       const char         *field)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  return g_hash_table_lookup (self->server_errors, field);
}

/**
 * ek_application_draft_dup_server_error_fields:
 *
 * Returns: (transfer full): the fields that have a server message, sorted, %NULL-terminated
 */
char **
ek_application_draft_dup_server_error_fields (EkApplicationDraft *self)
{
  g_autofree const char **keys = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (self->server_errors, &n);
  g_qsort_with_data (keys, n, sizeof (char *), compare_strings, NULL);
  g_strv_builder_addv (builder, keys);
  return g_strv_builder_end (builder);
}

void
ek_application_draft_clear_server_errors (EkApplicationDraft *self)
{
  g_return_if_fail (EK_IS_APPLICATION_DRAFT (self));

  if (g_hash_table_size (self->server_errors) == 0)
    return;
  g_hash_table_remove_all (self->server_errors);
  g_signal_emit (self, signals[SERVER_ERRORS_CHANGED], 0, NULL);
}

/**
 * ek_application_draft_get_modified:
 *
 * Returns: when the draft last changed, in microseconds since 1970
 */
gint64
ek_application_draft_get_modified (EkApplicationDraft *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), 0);
  return self->modified;
}

/**
 * ek_application_draft_get_fields:
 * @n_fields: (out): how many
 *
 * Returns: (transfer none) (array length=n_fields): every field, in the form's order
 */
const EkDraftField *
ek_application_draft_get_fields (guint *n_fields)
{
  g_return_val_if_fail (n_fields != NULL, NULL);

  *n_fields = N_FIELDS;
  return fields;
}

/**
 * ek_application_draft_lookup_field:
 *
 * Returns: (transfer none) (nullable): the field called @name, or %NULL
 */
const EkDraftField *
ek_application_draft_lookup_field (const char *name)
{
  int i;

  g_return_val_if_fail (name != NULL, NULL);

  i = field_index (name);
  return i < 0 ? NULL : &fields[i];
}

/**
 * ek_application_draft_get_string:
 * @name: a string field
 *
 * Returns: (transfer none): its value; "" when empty, never %NULL
 */
const char *
ek_application_draft_get_string (EkApplicationDraft *self,
                                 const char         *name)
{
  int i;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), "");
  g_return_val_if_fail (name != NULL, "");

  i = field_index (name);
  g_return_val_if_fail (i >= 0 && fields[i].type == G_TYPE_STRING, "");
  return self->values[i].string != NULL ? self->values[i].string : "";
}

/**
 * ek_application_draft_set_string:
 * @name: a string field
 * @value: (nullable): UTF-8 text; %NULL or "" empties the field
 */
void
ek_application_draft_set_string (EkApplicationDraft *self,
                                 const char         *name,
                                 const char         *value)
{
  g_autofree char *cut = NULL;
  int i;

  g_return_if_fail (EK_IS_APPLICATION_DRAFT (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value == NULL || g_utf8_validate (value, -1, NULL));

  i = field_index (name);
  g_return_if_fail (i >= 0 && fields[i].type == G_TYPE_STRING);

  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (value != NULL && strlen (value) > MAX_FIELD_BYTES)
    {
      const char *end = g_utf8_find_prev_char (value, value + MAX_FIELD_BYTES + 1);

      cut = g_strndup (value, end - value);
      value = cut;
    }
  if (g_strcmp0 (self->values[i].string, value) == 0)
    return;

  g_free (self->values[i].string);
  self->values[i].string = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_FIELD + i]);
  touch (self);
}

gboolean
ek_application_draft_get_boolean (EkApplicationDraft *self,
                                  const char         *name)
{
  int i;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  i = field_index (name);
  g_return_val_if_fail (i >= 0 && fields[i].type == G_TYPE_BOOLEAN, FALSE);
  return self->values[i].boolean;
}

void
ek_application_draft_set_boolean (EkApplicationDraft *self,
                                  const char         *name,
                                  gboolean            value)
{
  int i;

  g_return_if_fail (EK_IS_APPLICATION_DRAFT (self));
  g_return_if_fail (name != NULL);

  i = field_index (name);
  g_return_if_fail (i >= 0 && fields[i].type == G_TYPE_BOOLEAN);

  value = !!value;
  if (self->values[i].boolean == value)
    return;

  self->values[i].boolean = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_FIELD + i]);
  touch (self);
}

/**
 * ek_application_draft_to_json:
 * @length: (out) (optional): its length in bytes
 *
 * The draft as saved: `{"format": 1, "id": …, "business_type": …, "step": …, "modified": …,
 * "fields": {…}}`, empty fields left out.
 *
 * Returns: (transfer full): UTF-8 JSON
 */
char *
ek_application_draft_to_json (EkApplicationDraft *self,
                              gsize              *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, EK_APPLICATION_DRAFT_FORMAT);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  if (self->business_type_id != NULL)
    {
      json_builder_set_member_name (builder, "business_type");
      json_builder_add_string_value (builder, self->business_type_id);
    }
  if (self->step != NULL)
    {
      json_builder_set_member_name (builder, "step");
      json_builder_add_string_value (builder, self->step);
    }
  json_builder_set_member_name (builder, "modified");
  json_builder_add_int_value (builder, self->modified);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (fields[i].type == G_TYPE_STRING && self->values[i].string != NULL)
        {
          json_builder_set_member_name (builder, fields[i].name);
          json_builder_add_string_value (builder, self->values[i].string);
        }
      else if (fields[i].type == G_TYPE_BOOLEAN && self->values[i].boolean)
        {
          json_builder_set_member_name (builder, fields[i].name);
          json_builder_add_boolean_value (builder, TRUE);
        }
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, length);
}

static gpointer G_GNUC_PRINTF (2, 3)
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: %s says what is wrong */
  g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_INVALID,
               _("The saved application is not valid: %s"), message);
  return NULL;
}

static gboolean
holds_type (JsonNode *node,
            GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/**
 * ek_application_draft_new_from_json:
 * @data: what ek_application_draft_to_json() wrote
 * @length: its length, or -1 if NUL-terminated
 *
 * Reads a saved draft without trusting it: anything that is not a draft of a format this
 * version understands is an error that says so. Fields this version does not know (saved by
 * a newer one of the same format) are skipped.
 *
 * Returns: (transfer full) (nullable): the draft, or %NULL with @error set
 */
EkApplicationDraft *
ek_application_draft_new_from_json (const char  *data,
                                    gssize       length,
                                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(EkApplicationDraft) self = NULL;
  JsonObject *root, *values;
  JsonNode *node;
  const char *id;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (length > MAX_DRAFT_BYTES)
    return invalid (error, _("it is larger than %d bytes"), MAX_DRAFT_BYTES);
  if (length == 0 || !json_parser_load_from_data (parser, data ? data : "", length, &local_error))
    {
      /* Translators: %s is the parser's message */
      g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_PARSE,
                   _("The saved application is damaged (%s)."),
                   local_error != NULL ? local_error->message : _("the file is empty"));
      return NULL;
    }

  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("it is not a JSON object"));
  root = json_node_get_object (node);

  node = json_object_get_member (root, "format");
  if (!holds_type (node, G_TYPE_INT64))
    return invalid (error, _("its format version is missing"));
  if (json_node_get_int (node) != EK_APPLICATION_DRAFT_FORMAT)
    {
      /* Translators: %s is a number */
      g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_VERSION,
                   _("This application was saved in format %s, which this version cannot read "
                     "(it reads format %d). Update EKey Assistant to continue it."),
                   found, EK_APPLICATION_DRAFT_FORMAT);
      return NULL;
    }

  node = json_object_get_member (root, "id");
  if (!holds_type (node, G_TYPE_STRING) || !g_uuid_string_is_valid (json_node_get_string (node)))
    return invalid (error, _("its identifier is missing or wrong"));
  id = json_node_get_string (node);
  self = ek_application_draft_new_with_id (id);

  node = json_object_get_member (root, "business_type");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!holds_type (node, G_TYPE_STRING) || strlen (json_node_get_string (node)) > 64)
        return invalid (error, _("its business type is not a name"));
      self->business_type_id = g_strdup (json_node_get_string (node));
    }

  node = json_object_get_member (root, "step");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!holds_type (node, G_TYPE_STRING) || strlen (json_node_get_string (node)) > 64)
        return invalid (error, _("its current step is not a name"));
      self->step = g_strdup (json_node_get_string (node));
    }

  node = json_object_get_member (root, "fields");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("it has no fields"));
  values = json_node_get_object (node);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      node = json_object_get_member (values, fields[i].name);
      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!holds_type (node, fields[i].type))
        return invalid (error, _("the field “%s” holds the wrong kind of value"), fields[i].name);
      if (fields[i].type == G_TYPE_BOOLEAN)
        self->values[i].boolean = json_node_get_boolean (node);
      else
        {
          const char *value = json_node_get_string (node);

          if (strlen (value) > MAX_FIELD_BYTES)
            return invalid (error, _("the field “%s” is too long"), fields[i].name);
          if (!g_utf8_validate (value, -1, NULL))
            return invalid (error, _("the field “%s” is not text"), fields[i].name);
          if (value[0] != '\0')
            self->values[i].string = g_strdup (value);
        }
    }

  /* Last, so that nothing above counts as a change */
  node = json_object_get_member (root, "modified");
  if (!holds_type (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
    return invalid (error, _("the time of its last change is missing"));
  self->modified = json_node_get_int (node);

  return g_steal_pointer (&self);
}

/**
 * ek_mask_id_number:
 * @number: (nullable): an ID number
 *
 * What may be shown or logged of an ID number: the first 3 and last 2 characters of a long
 * one, nothing of a short one. `11010519491231002X` → `110*************2X`.
 *
 * Returns: (transfer full): the masked number
 */
char *
ek_mask_id_number (const char *number)
{
  glong n;
  GString *masked;
  const char *p;

  if (number == NULL || number[0] == '\0')
    return g_strdup ("");

  n = g_utf8_strlen (number, -1);
  masked = g_string_new (NULL);
  p = number;
  for (glong i = 0; i < n; i++, p = g_utf8_next_char (p))
    {
      if (n >= 10 && (i < 3 || i >= n - 2))
        g_string_append_unichar (masked, g_utf8_get_char (p));
      else
        g_string_append_c (masked, '*');
    }
  return g_string_free (masked, FALSE);
}

/**
 * ek_application_draft_has_answers:
 *
 * Whether the clerk did anything with it: a field typed or ticked, or a step of its flow passed
 * (an account step done leaves no field behind), as opposed to a draft that only knows its
 * business type (chosen, then left at once).
 */
gboolean
ek_application_draft_has_answers (EkApplicationDraft *self)
{
  const char *step;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (self), FALSE);

  step = ek_application_draft_get_step (self);
  if (step != NULL && *step != '\0')
    {
      const char *type_id = ek_application_draft_get_business_type_id (self);
      g_autoptr(EkCatalogue) catalogue = type_id != NULL ? ek_catalogue_new_default (NULL) : NULL;
      EkBusinessType *type = catalogue != NULL ? ek_catalogue_lookup_business_type (catalogue, type_id) : NULL;

      if (type == NULL || ek_business_type_get_n_steps (type) == 0 ||
          !g_str_equal (ek_business_type_get_step (type, 0)->id, step))
        return TRUE;
    }
  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (fields[i].server)
        continue;
      if (fields[i].type == G_TYPE_BOOLEAN ? ek_application_draft_get_boolean (self, fields[i].name)
                                           : *ek_application_draft_get_string (self, fields[i].name) != '\0')
        return TRUE;
    }
  return FALSE;
}
