/* ek-visit.c: what a counter business takes to the issuing authority, and what happens next
 *
 * The catalogue's "visits" section holds, per business type, the paper materials of its seed
 * section word for word (seed 001 §1.2, §2, §3 step 6, §5), each with who signs and stamps it,
 * and what happens once they are handed in. The counter page shows them as a checklist and the
 * documents library prints them.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-l10n.h"
#include "ek-visit.h"

struct _EkVisit
{
  GObject    parent_instance;

  GPtrArray *items;   /* of EkVisitItem */
  char      *next;
  char      *next_zh;
};

G_DEFINE_FINAL_TYPE (EkVisit, ek_visit, G_TYPE_OBJECT)

static const char * const chinese[] = { "zh_CN", NULL };

static void
item_free (EkVisitItem *item)
{
  g_free (item->text);
  g_free (item->text_zh);
  g_free (item->signed_by);
  g_free (item->signed_by_zh);
  g_free (item->unless);
  g_free (item);
}

static void
ek_visit_finalize (GObject *object)
{
  EkVisit *self = EK_VISIT (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->next, g_free);
  g_clear_pointer (&self->next_zh, g_free);
  G_OBJECT_CLASS (ek_visit_parent_class)->finalize (object);
}

static void
ek_visit_class_init (EkVisitClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_visit_finalize;
}

static void
ek_visit_init (EkVisit *self)
{
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL && json_object_has_member (object, name) ? json_object_get_member (object, name) : NULL;
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/**
 * ek_visit_new_for_business:
 *
 * Returns: (transfer full) (nullable): the visit of @business_type, or %NULL with @error set
 *   when the catalogue has none for it or it is not valid
 */
EkVisit *
ek_visit_new_for_business (EkCatalogue  *catalogue,
                           const char   *business_type,
                           GError      **error)
{
  g_autoptr(EkVisit) self = NULL;
  JsonObject *visit;
  JsonNode *items, *next;

  g_return_val_if_fail (EK_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (business_type != NULL, NULL);

  visit = object_member (object_member (object_member (ek_catalogue_get_document (catalogue), "visits"),
                                        "business_types"), business_type);
  items = member (visit, "checklist");
  next = member (visit, "next");
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items) || !ek_l10n_is_valid (next))
    {
      /* Translators: %s is a business type's id */
      g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_INVALID,
                   _("The catalogue says nothing about a visit to the issuing authority for “%s”"), business_type);
      return NULL;
    }

  self = g_object_new (EK_TYPE_VISIT, NULL);
  self->next = g_strdup (ek_l10n_pick (next));
  self->next_zh = g_strdup (ek_l10n_pick_for (next, chinese));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (items), i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonNode *text = member (object, "text"), *signed_by = member (object, "signed_by");
      JsonNode *unless = member (object, "unless");
      EkVisitItem *item;

      if (!ek_l10n_is_valid (text) || (signed_by != NULL && !ek_l10n_is_valid (signed_by)) ||
          (unless != NULL && (!JSON_NODE_HOLDS_VALUE (unless) || json_node_get_value_type (unless) != G_TYPE_STRING)))
        {
          /* Translators: %u counts from 1, %s is a business type's id */
          g_set_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_INVALID,
                       _("Item %u of the visit for “%s” is not valid"), i + 1, business_type);
          return NULL;
        }
      item = g_new0 (EkVisitItem, 1);
      item->text = g_strdup (ek_l10n_pick (text));
      item->text_zh = g_strdup (ek_l10n_pick_for (text, chinese));
      item->signed_by = signed_by != NULL ? g_strdup (ek_l10n_pick (signed_by)) : NULL;
      item->signed_by_zh = signed_by != NULL ? g_strdup (ek_l10n_pick_for (signed_by, chinese)) : NULL;
      item->unless = unless != NULL ? g_strdup (json_node_get_string (unless)) : NULL;
      g_ptr_array_add (self->items, item);
    }
  return g_steal_pointer (&self);
}

guint
ek_visit_get_n_items (EkVisit *self)
{
  g_return_val_if_fail (EK_IS_VISIT (self), 0);
  return self->items->len;
}

const EkVisitItem *
ek_visit_get_item (EkVisit *self,
                   guint    index)
{
  g_return_val_if_fail (EK_IS_VISIT (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return g_ptr_array_index (self->items, index);
}

/* What happens once the materials are handed in (localized) */
const char *
ek_visit_get_next (EkVisit *self)
{
  g_return_val_if_fail (EK_IS_VISIT (self), NULL);
  return self->next;
}

const char *
ek_visit_get_next_zh (EkVisit *self)
{
  g_return_val_if_fail (EK_IS_VISIT (self), NULL);
  return self->next_zh;
}
