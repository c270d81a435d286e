/* ek-pages.c: which page shows which step of a flow
 *
 * The flows themselves are data (the catalogue); this table maps a step to the widget that
 * implements it. A step without an entry gets a page that says plainly it is not available yet.
 */
#include "config.h"

#include "ek-account-page.h"
#include "ek-credit-code-path-page.h"
#include "ek-documents-page.h"
#include "ek-download-page.h"
#include "ek-form-page.h"
#include "ek-key-login-page.h"
#include "ek-key-page.h"
#include "ek-materials-page.h"
#include "ek-mobile-authorization-page.h"
#include "ek-mobile-history-page.h"
#include "ek-mobile-page.h"
#include "ek-pages.h"
#include "ek-placeholder-page.h"
#include "ek-review-page.h"
#include "ek-status-page.h"
#include "ek-visit-page.h"

typedef EkPage *(*EkPageFactory) (EkApplicationDraft *draft);

static const struct
{
  const char    *step_id;
  EkPageFactory  factory;
} page_factories[] = {
  { "account", ek_account_page_new },
  { "credit-code-path", ek_credit_code_path_page_new },
  { "documents", ek_documents_page_new },
  { "download", ek_download_page_new },
  { "key", ek_key_page_new },
  { "key-login", ek_key_login_page_new },
  { "materials", ek_materials_page_new },
  { "mobile", ek_mobile_page_new },
  { "mobile-authorization", ek_mobile_authorization_page_new },
  { "mobile-history", ek_mobile_history_page_new },
  { "review", ek_review_page_new },
  { "status", ek_status_page_new },
  { "visit", ek_visit_page_new },
  { NULL, NULL },
};

static EkForm *pages_form;

static EkPageFactory
lookup_factory (const char *step_id)
{
  for (guint i = 0; page_factories[i].step_id != NULL; i++)
    if (g_str_equal (page_factories[i].step_id, step_id))
      return page_factories[i].factory;
  return NULL;
}

/* A step that shows sections of the application form */
static gboolean
is_form_step (const char *step_id)
{
  return pages_form != NULL && ek_form_has_step (pages_form, step_id);
}

gboolean
ek_pages_is_available (const char *step_id)
{
  g_return_val_if_fail (step_id != NULL, FALSE);
  return is_form_step (step_id) || lookup_factory (step_id) != NULL;
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
  if (is_form_step (step->id))
    page = ek_form_page_new (pages_form, step->id, draft);
  else if (factory != NULL)
    page = factory (draft);
  else
    page = ek_placeholder_page_new (step, draft);

  if (ek_page_get_title (page) == NULL)
    ek_page_set_title (page, step->title);

  return page;
}


/**
 * ek_pages_set_form:
 * @form: (nullable): the catalogue's form (ek_form_get_for_catalogue())
 *
 * Sets the form the pages of every window are built from; the window does this once it has
 * its catalogue.
 */
void
ek_pages_set_form (EkForm *form)
{
  g_return_if_fail (form == NULL || EK_IS_FORM (form));

  g_set_object (&pages_form, form);
}

EkForm *
ek_pages_get_form (void)
{
  return pages_form;
}

/**
 * ek_pages_step_for_field:
 * @field: a field of the draft ("mobile"), or the API's name of one as in errors[].field ("uscc")
 *
 * Returns: (nullable): the id of the flow step whose page holds @field, or %NULL
 */
const char *
ek_pages_step_for_field (const char *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return pages_form != NULL ? ek_form_step_for_field (pages_form, field) : NULL;
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * ek_pages_focus_field:
 * @page: a page
 * @field: a field of the draft
 *
 * Puts the keyboard focus on the control that edits @field (form pages name each control
 * after its field).
 *
 * Returns: %TRUE if @page has such a control
 */
gboolean
ek_pages_focus_field (EkPage     *page,
                      const char *field)
{
  GtkWidget *control;

  g_return_val_if_fail (EK_IS_PAGE (page), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (EK_IS_FORM_PAGE (page))
    return ek_form_page_focus_field (EK_FORM_PAGE (page), field);
  control = find_named (GTK_WIDGET (page), field);
  if (control == NULL)
    return FALSE;
  gtk_widget_grab_focus (control);
  return TRUE;
}
