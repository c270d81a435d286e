/* ek-stages.c: the stages of a business after submission, and their working-day durations
 *
 * Seed 001 gives each business its own course: a key-issuing business (first application,
 * reissue, additional key) is pre-reviewed by the issuing authority in 2 working days, then
 * re-reviewed and made by the provider in 5 working days together; renewal is checked in 3;
 * cancellation is checked in 2 and carried out in 2 more; a PIN unlock ends when the provider
 * mails the unlock instructions. The catalogue declares these as "stage_sets"; each business type
 * names its set. The status page, the counter page and the service's reviewer all follow them.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-l10n.h"
#include "ek-stages.h"

struct _EkStages
{
  GObject    parent_instance;

  GPtrArray *stages;   /* of EkStage */
};

G_DEFINE_FINAL_TYPE (EkStages, ek_stages, G_TYPE_OBJECT)

static void
stage_free (EkStage *stage)
{
  g_free (stage->id);
  g_free (stage->title);
  g_strfreev (stage->statuses);
  g_free (stage->failed);
  g_free (stage->span);
  g_free (stage->pending);
  g_free (stage->after);
  g_free (stage->done);
  g_free (stage->mail_subject);
  g_free (stage->mail_body);
  g_free (stage);
}

static void
ek_stages_finalize (GObject *object)
{
  EkStages *self = EK_STAGES (object);

  g_clear_pointer (&self->stages, g_ptr_array_unref);
  G_OBJECT_CLASS (ek_stages_parent_class)->finalize (object);
}

static void
ek_stages_class_init (EkStagesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_stages_finalize;
}

static void
ek_stages_init (EkStages *self)
{
  self->stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
}

static gboolean G_GNUC_PRINTF (2, 3)
invalid (GError    **error,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: %s says what is wrong with the catalogue's stages */
  g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_INVALID, _("The stages of the catalogue are not valid: %s"),
               message);
  return FALSE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static char *
l10n_member (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;

  return node != NULL && ek_l10n_is_valid (node) ? g_strdup (ek_l10n_pick (node)) : NULL;
}

static EkStage *
parse_stage (JsonNode    *node,
             EkStages    *self,
             GError     **error)
{
  g_autoptr(GStrvBuilder) statuses = g_strv_builder_new ();
  EkStage *stage;
  JsonObject *object;
  JsonArray *array;
  const char *id, *from;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("a stage is not an object")), NULL;
  object = json_node_get_object (node);
  id = string_member (object, "id");
  if (id == NULL || *id == '\0')
    return invalid (error, _("a stage has no “id”")), NULL;
  if (!json_object_has_member (object, "title") || !ek_l10n_is_valid (json_object_get_member (object, "title")))
    return invalid (error, _("the stage “%s” has no title in English"), id), NULL;
  array = json_object_has_member (object, "statuses") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "statuses"))
          ? json_object_get_array_member (object, "statuses") : NULL;
  if (array == NULL || json_array_get_length (array) == 0)
    return invalid (error, _("the stage “%s” has no “statuses”"), id), NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, _("the stage “%s” has a status that is not text"), id), NULL;
      g_strv_builder_add (statuses, json_node_get_string (element));
    }

  stage = g_new0 (EkStage, 1);
  stage->id = g_strdup (id);
  stage->title = l10n_member (object, "title");
  stage->statuses = g_strv_builder_end (statuses);
  stage->failed = g_strdup (string_member (object, "failed"));
  stage->working_days = -1;
  stage->counted_from = (int) self->stages->len - 1;
  if (json_object_has_member (object, "working_days"))
    {
      JsonNode *days = json_object_get_member (object, "working_days");

      if (!JSON_NODE_HOLDS_VALUE (days) || json_node_get_value_type (days) != G_TYPE_INT64 ||
          json_node_get_int (days) < 0 || json_node_get_int (days) > 366)
        {
          stage_free (stage);
          return invalid (error, _("the stage “%s” has “working_days” that are not a number of days"), id), NULL;
        }
      stage->working_days = (int) json_node_get_int (days);
    }
  if ((from = string_member (object, "counted_from")) != NULL)
    {
      stage->counted_from = ek_stages_lookup (self, from);
      if (stage->counted_from < 0)
        {
          stage_free (stage);
          return invalid (error, _("the stage “%s” is counted from “%s”, which is not a stage before it"), id, from), NULL;
        }
    }
  stage->span = l10n_member (object, "span");
  stage->pending = l10n_member (object, "pending");
  stage->after = l10n_member (object, "after");
  stage->done = l10n_member (object, "done");
  if (json_object_has_member (object, "mail") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "mail")))
    {
      JsonObject *mail = json_object_get_object_member (object, "mail");

      stage->mail_subject = g_strdup (string_member (mail, "subject"));
      stage->mail_body = g_strdup (string_member (mail, "body"));
      if (stage->mail_subject == NULL || stage->mail_body == NULL)
        {
          stage_free (stage);
          return invalid (error, _("the stage “%s” has a mail without a subject or a body"), id), NULL;
        }
    }
  return stage;
}

/**
 * ek_stages_new_for_business:
 * @business_type: a business type of @catalogue
 *
 * The stages @business_type names in the catalogue; a business type that names none follows
 * the set of key-issuing businesses.
 *
 * Returns: (transfer full) (nullable): the stages, or %NULL with @error set
 */
EkStages *
ek_stages_new_for_business (EkCatalogue  *catalogue,
                            const char   *business_type,
                            GError      **error)
{
  g_autoptr(EkStages) self = NULL;
  JsonObject *document, *sets = NULL;
  EkBusinessType *type;
  const char *set_id = "key-issuing";
  JsonNode *node;
  JsonArray *array;

  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (business_type != NULL, NULL);

  type = ek_catalogue_lookup_business_type (catalogue, business_type);
  if (type != NULL && ek_business_type_get_stages_id (type) != NULL)
    set_id = ek_business_type_get_stages_id (type);
  document = ek_catalogue_get_document (catalogue);
  node = json_object_has_member (document, "stage_sets") ? json_object_get_member (document, "stage_sets") : NULL;
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "sets"))
    {
      JsonNode *sets_node = json_object_get_member (json_node_get_object (node), "sets");
      sets = JSON_NODE_HOLDS_OBJECT (sets_node) ? json_node_get_object (sets_node) : NULL;
    }
  node = sets != NULL && json_object_has_member (sets, set_id) ? json_object_get_member (sets, set_id) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return invalid (error, _("there are no stages “%s”"), set_id), NULL;

  self = g_object_new (EK_TYPE_STAGES, NULL);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      EkStage *stage = parse_stage (json_array_get_element (array, i), self, error);

      if (stage == NULL)
        return NULL;
      if (ek_stages_lookup (self, stage->id) >= 0)
        {
          g_autofree char *id = g_strdup (stage->id);

          stage_free (stage);
          return invalid (error, _("the stage “%s” appears twice"), id), NULL;
        }
      g_ptr_array_add (self->stages, stage);
    }
  return g_steal_pointer (&self);
}

guint
ek_stages_get_n_stages (EkStages *self)
{
  g_return_val_if_fail (EK_IS_STAGES (self), 0);
  return self->stages->len;
}

const EkStage *
ek_stages_get_stage (EkStages *self,
                     guint     index)
{
  g_return_val_if_fail (EK_IS_STAGES (self), NULL);
  g_return_val_if_fail (index < self->stages->len, NULL);
  return g_ptr_array_index (self->stages, index);
}

int
ek_stages_lookup (EkStages   *self,
                  const char *id)
{
  g_return_val_if_fail (EK_IS_STAGES (self), -1);

  for (guint i = 0; id != NULL && i < self->stages->len; i++)
    if (g_str_equal (((EkStage *) g_ptr_array_index (self->stages, i))->id, id))
      return (int) i;
  return -1;
}

/* The stage @status belongs to (a failed review belongs to the stage it failed), or -1 */
int
ek_stages_find_status (EkStages   *self,
                       const char *status)
{
  g_return_val_if_fail (EK_IS_STAGES (self), -1);

  for (guint i = 0; status != NULL && i < self->stages->len; i++)
    {
      EkStage *stage = g_ptr_array_index (self->stages, i);

      if (g_strv_contains ((const char * const *) stage->statuses, status) || g_strcmp0 (stage->failed, status) == 0)
        return (int) i;
    }
  return -1;
}

/* Whether @status is the last of its stage: the stage has ended */
gboolean
ek_stages_ends_stage (EkStages   *self,
                      const char *status)
{
  int i = ek_stages_find_status (self, status);
  EkStage *stage;

  if (i < 0)
    return FALSE;
  stage = g_ptr_array_index (self->stages, i);
  return g_str_equal (stage->statuses[g_strv_length (stage->statuses) - 1], status);
}

/* Whether @status ends the last stage: nothing follows */
gboolean
ek_stages_is_final (EkStages   *self,
                    const char *status)
{
  g_return_val_if_fail (EK_IS_STAGES (self), FALSE);
  return ek_stages_find_status (self, status) == (int) self->stages->len - 1 && ek_stages_ends_stage (self, status);
}

gboolean
ek_stages_is_failed (EkStages   *self,
                     const char *status)
{
  int i = ek_stages_find_status (self, status);

  return i >= 0 && g_strcmp0 (((EkStage *) g_ptr_array_index (self->stages, i))->failed, status) == 0;
}

/**
 * ek_stages_status_before:
 *
 * The status an application must be in for the service to record @status: the one just before
 * it in this business's course (for a failed review, the one before the stage began).
 *
 * Returns: (nullable): that status, or %NULL when @status is not part of this business or
 *   starts it
 */
const char *
ek_stages_status_before (EkStages   *self,
                         const char *status)
{
  int index;
  EkStage *stage;
  guint position = 0;

  g_return_val_if_fail (EK_IS_STAGES (self), NULL);

  index = ek_stages_find_status (self, status);
  if (index < 0)
    return NULL;
  stage = g_ptr_array_index (self->stages, index);
  if (!ek_stages_is_failed (self, status))
    for (; stage->statuses[position] != NULL; position++)
      if (g_str_equal (stage->statuses[position], status))
        break;
  if (position > 0)
    return stage->statuses[position - 1];
  if (index == 0)
    return NULL;
  stage = g_ptr_array_index (self->stages, index - 1);
  return stage->statuses[g_strv_length (stage->statuses) - 1];
}

/**
 * ek_stages_plan:
 * @ended: (array): one date per stage: on entry the dates the stages ended (invalid where a
 *   stage has not ended); on return also the expected end of each stage the seeds give a
 *   duration for, counted in working days from the end of the stage it is counted from
 * @estimate: (out) (optional): set when a date falls in a year whose holidays are not known
 *
 * Returns: %TRUE if at least one date was added
 */
gboolean
ek_stages_plan (EkStages   *self,
                EkCalendar *calendar,
                GDate      *ended,
                gboolean   *estimate)
{
  gboolean added = FALSE;

  g_return_val_if_fail (EK_IS_STAGES (self), FALSE);
  g_return_val_if_fail (EK_IS_CALENDAR (calendar), FALSE);
  g_return_val_if_fail (ended != NULL, FALSE);

  if (estimate != NULL)
    *estimate = FALSE;
  for (guint i = 0; i < self->stages->len; i++)
    {
      EkStage *stage = g_ptr_array_index (self->stages, i);
      gboolean guess = FALSE;

      if (g_date_valid (&ended[i]) || stage->working_days < 0 || stage->counted_from < 0 ||
          !g_date_valid (&ended[stage->counted_from]))
        continue;
      ek_calendar_add_working_days (calendar, &ended[stage->counted_from], (guint) stage->working_days,
                                    &ended[i], &guess);
      added = TRUE;
      if (guess && estimate != NULL)
        *estimate = TRUE;
    }
  return added;
}

/* @text with “{enterprise}” replaced by @enterprise */
char *
ek_stages_expand (const char *text,
                  const char *enterprise)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return NULL;
  parts = g_strsplit (text, "{enterprise}", -1);
  return g_strjoinv (enterprise != NULL ? enterprise : "", parts);
}
