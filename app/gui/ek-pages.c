/* ek-pages.c: which page shows which step of a flow
 *
 * The flows themselves are data (the catalogue); this table maps a step to the widget that
 * implements it. A step without an entry gets a page that says plainly it is not available yet.
 */
#include "config.h"

#include "ek-account-page.h"
#include "ek-key-page.h"
#include "ek-materials-page.h"
#include "ek-pages.h"
#include "ek-placeholder-page.h"

typedef EkPage *(*EkPageFactory) (EkApplicationDraft *draft);

static const struct
{
  const char    *step_id;
  EkPageFactory  factory;
} page_factories[] = {
  { "account", ek_account_page_new },
  { "key", ek_key_page_new },
  { "materials", ek_materials_page_new },
  { NULL, NULL },
};

static EkPageFactory
lookup_factory (const char *step_id)
{
  for (guint i = 0; page_factories[i].step_id != NULL; i++)
    if (g_str_equal (page_factories[i].step_id, step_id))
      return page_factories[i].factory;
  return NULL;
}

gboolean
ek_pages_is_available (const char *step_id)
{
  g_return_val_if_fail (step_id != NULL, FALSE);
  return lookup_factory (step_id) != NULL;
}

/**
 * ek_pages_create:
 * Returns: (transfer floating): the page for @step
 */
EkPage *
ek_pages_create (EkFlowStep         *step,
                 EkApplicationDraft *draft)
{
  EkPageFactory factory;
  EkPage *page;

  g_return_val_if_fail (step != NULL, NULL);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  factory = lookup_factory (step->id);
  if (factory != NULL)
    page = factory (draft);
  else
    page = ek_placeholder_page_new (step, draft);

  if (ek_page_get_title (page) == NULL)
    ek_page_set_title (page, step->title);

  return page;
}
