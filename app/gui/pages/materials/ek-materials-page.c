/* ek-materials-page.c: the checklist of the draft's business type
 *
 * Complete only when every required material is ready (or, where the rules allow it, marked
 * as not needed). The files live in the draft's own folder, so nothing is lost when the window
 * closes; the page reads them back when it is created again.
 *
 * The limits: the bundled catalogue's rule set at first; when a registration service is set up
 * the page asks it for its catalogue (again whenever the session changes, or the clerk asks)
 * and applies the rule set the service declares in force. Offline, or when what the service
 * sends does not parse, the bundled set stays (logged), and the page says which set is in
 * force. When the limits change, the checklist is rebuilt on the new set, so every file already
 * added is checked again (one that fitted 1 MB but not 200 KB becomes "too large" and offers
 * Fit).
 *
 * The window keeps one materials page for every business type whose flow has the step: the
 * checklist follows the draft's business type, rebuilt (and the service asked again) whenever it
 * changes.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-catalogue.h"
#include "ek-draft-materials.h"
#include "ek-material-row.h"
#include "ek-material-rules.h"
#include "ek-materials-page.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-upload-panel.h"

struct _EkMaterialsPage
{
  EkPage                  parent_instance;

  EkMaterialRules        *bundled;
  EkMaterialRules        *rules;        /* in force: bundled, or one of kept_rules */
  GPtrArray              *kept_rules;   /* every set rows and panels were built on: their
                                         * requirements stay valid while the page lives */
  EkMaterialsRulesSource  source;
  EkApiClient       *client;       /* NULL when no service is set up */
  GCancellable           *fetch_cancellable;
  EkDraftMaterials       *materials;
  GPtrArray              *rows;

  GtkListBox             *list_box;
  GtkButton              *refresh_button;
  GtkLabel               *rules_label;
  GtkLabel               *source_label;
  GtkLabel               *summary_label;
  GtkWidget              *upload_panel;   /* see "Uploading" below */
};

G_DEFINE_FINAL_TYPE (EkMaterialsPage, ek_materials_page, EK_TYPE_PAGE)

static void
update_complete (EkMaterialsPage *self)
{
  guint required = 0, ready = 0;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < self->rows->len; i++)
    {
      EkMaterialRow *row = g_ptr_array_index (self->rows, i);

      if (!ek_material_row_get_requirement (row)->required)
        continue;
      required++;
      if (ek_material_row_is_satisfied (row))
        ready++;
    }
  /* Translators: "Required materials ready: 3 of 6" */
  summary = g_strdup_printf (_("Required materials ready: %u of %u"), ready, required);
  gtk_label_set_label (self->summary_label, summary);
  ek_page_set_complete (EK_PAGE (self), self->rows->len > 0 && ready == required);
}

static void
show_error (EkMaterialsPage *self,
            const char      *message)
{
  gtk_label_set_label (self->rules_label, message);
  gtk_label_set_label (self->summary_label, "");
  ek_page_set_complete (EK_PAGE (self), FALSE);
}

/* Uploading: once the application exists on the server, a panel under the checklist
 * uploads the materials and confirms the submission; Next does the same. Kept apart from the
 * checklist: the panel is its own widget (ek-upload-panel.c). */
static void
add_upload_panel (EkMaterialsPage *self,
                  GPtrArray       *requirements)
{
  GtkWidget *box = gtk_widget_get_parent (GTK_WIDGET (self->list_box));

  if (self->upload_panel != NULL)
    gtk_box_remove (GTK_BOX (box), self->upload_panel);
  self->upload_panel = ek_upload_panel_new (ek_page_get_draft (EK_PAGE (self)), self->materials, requirements);
  gtk_box_append (GTK_BOX (box), self->upload_panel);
}

static void
on_upload_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ek_upload_panel_run_finish (EK_UPLOAD_PANEL (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
ek_materials_page_apply_async (EkPage              *page,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  EkMaterialsPage *self = EK_MATERIALS_PAGE (page);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_materials_page_apply_async);
  if (self->upload_panel == NULL || !ek_upload_panel_is_pending (EK_UPLOAD_PANEL (self->upload_panel)))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  ek_upload_panel_run_async (EK_UPLOAD_PANEL (self->upload_panel), cancellable, on_upload_done_cb,
                             g_steal_pointer (&task));
}

static gboolean
ek_materials_page_apply_finish (EkPage        *page,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
show_source (EkMaterialsPage *self)
{
  const char *text = NULL;

  switch (self->source)
    {
    case EK_MATERIALS_RULES_BUILT_IN:
      text = _("Limits from the built-in list (no registration service is set up).");
      break;
    case EK_MATERIALS_RULES_ASKING:
      text = _("Limits from the built-in list, until the registration service answers…");
      break;
    case EK_MATERIALS_RULES_SERVICE:
      text = _("Limits from the registration service.");
      break;
    case EK_MATERIALS_RULES_OFFLINE:
      text = _("Limits from the built-in list (offline): the registration service could not be reached.");
      break;
    case EK_MATERIALS_RULES_INVALID:
      text = _("Limits from the built-in list: the registration service sent limits that cannot be used.");
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_label (self->source_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->refresh_button),
                          self->source == EK_MATERIALS_RULES_OFFLINE || self->source == EK_MATERIALS_RULES_INVALID);
}

/* The checklist on self->rules: one row per material, each checking its file afresh */
static void
build_rows (EkMaterialsPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *type = ek_application_draft_get_business_type_id (draft);
  g_autofree char *rules_text = NULL;
  GPtrArray *requirements;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_ptr_array_set_size (self->rows, 0);

  /* Translators: %s is the rule set, e.g. “Each image under 200 KB” */
  rules_text = g_strdup_printf (_("The registration system accepts PNG, JPG or GIF images. %s. Drop a file on a material, choose one, or scan it."),
                                ek_material_rules_get_name (self->rules));
  gtk_label_set_label (self->rules_label, rules_text);

  requirements = type != NULL ? ek_material_rules_get_requirements (self->rules, type) : NULL;
  if (requirements == NULL)
    {
      show_error (self, _("This business type uploads no materials."));
      return;
    }
  for (guint i = 0; i < requirements->len; i++)
    {
      EkMaterialRequirement *requirement = g_ptr_array_index (requirements, i);
      GtkWidget *row = ek_material_row_new (self->materials, requirement);
      GtkWidget *list_row = gtk_list_box_row_new ();

      g_signal_connect_object (row, "notify::satisfied", G_CALLBACK (update_complete), self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->rows, row);
      /* The list row is what a screen reader announces first: name it after the material */
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), row);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (list_row), FALSE);
      gtk_widget_set_name (list_row, requirement->material_id);
      gtk_accessible_update_property (GTK_ACCESSIBLE (list_row),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, requirement->name,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, requirement->description,
                                      -1);
      gtk_list_box_append (self->list_box, list_row);
    }
  update_complete (self);
  add_upload_panel (self, requirements);
}

/* Puts @rules in force (bundled, or the service's); the rows are rebuilt, and so re-checked,
 * only when the limits differ from those in force */
static void
use_rules (EkMaterialsPage        *self,
           EkMaterialRules        *rules,
           EkMaterialsRulesSource  source)
{
  const char *type = ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self)));
  gboolean same = rules == self->rules ||
                  (type != NULL && ek_material_rules_same_limits (self->rules, rules, type));

  self->source = source;
  show_source (self);
  if (rules != self->bundled && rules != self->rules)
    g_ptr_array_add (self->kept_rules, g_object_ref (rules));
  self->rules = rules;
  if (!same)
    build_rows (self);
}

static void
on_catalogue_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkMaterialsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) catalogue = ek_api_client_get_catalogue_finish (EK_API_CLIENT (source), result, &error);
  g_autoptr(EkMaterialRules) rules = NULL;
  const char *type;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->rows == NULL)
    return;   /* asked again since, or the page is gone */
  if (catalogue == NULL)
    {
      g_message ("Materials: the registration service could not be asked for its limits; "
                 "the built-in ones stay in force: %s", error->message);
      use_rules (self, self->bundled, EK_MATERIALS_RULES_OFFLINE);
      return;
    }
  type = ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self)));
  rules = ek_material_rules_new_from_service (catalogue, type, &error);
  if (rules == NULL)
    {
      g_message ("Materials: the registration service's limits are not usable; "
                 "the built-in ones stay in force: %s", error->message);
      use_rules (self, self->bundled, EK_MATERIALS_RULES_INVALID);
      return;
    }
  use_rules (self, rules, EK_MATERIALS_RULES_SERVICE);
}

static void
ask_service (EkMaterialsPage *self)
{
  if (self->client == NULL || self->rules == NULL)
    return;
  self->source = EK_MATERIALS_RULES_ASKING;
  show_source (self);
  ek_api_client_get_catalogue_async (self->client, ek_ui_restart_cancellable (&self->fetch_cancellable),
                                          on_catalogue_cb, g_object_ref (self));
}

static void
on_refresh_button_clicked_cb (EkMaterialsPage *self)
{
  ask_service (self);
}

static void
on_business_type_changed_cb (EkMaterialsPage *self)
{
  if (self->rules == NULL)
    return;   /* the page could not be set up: it says so */
  build_rows (self);
  ask_service (self);
}

static void
populate (EkMaterialsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = NULL;
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));

  catalogue = ek_catalogue_new_default (&error);
  if (catalogue != NULL)
    self->bundled = ek_material_rules_new (catalogue, NULL, &error);
  if (self->bundled != NULL)
    self->materials = ek_draft_materials_new (draft, &error);
  if (error != NULL)
    {
      show_error (self, error->message);
      return;
    }
  self->rules = self->bundled;
  self->source = EK_MATERIALS_RULES_BUILT_IN;
  show_source (self);
  build_rows (self);
  g_signal_connect_object (draft, "notify::business-type-id",
                           G_CALLBACK (on_business_type_changed_cb), self, G_CONNECT_SWAPPED);

  /* No service set up (or no application around the page) is not an error here: the
   * bundled limits are what this version of the app knows */
  self->client = ek_api_call_get_client (NULL);
  if (self->client != NULL)
    {
      g_signal_connect_object (self->client, "session-changed", G_CALLBACK (ask_service), self, G_CONNECT_SWAPPED);
      ask_service (self);
    }
}

static void
ek_materials_page_dispose (GObject *object)
{
  EkMaterialsPage *self = EK_MATERIALS_PAGE (object);

  g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_MATERIALS_PAGE);
  g_clear_object (&self->materials);
  self->rules = NULL;
  g_clear_pointer (&self->kept_rules, g_ptr_array_unref);
  g_clear_object (&self->bundled);

  G_OBJECT_CLASS (ek_materials_page_parent_class)->dispose (object);
}

static void
ek_materials_page_class_init (EkMaterialsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_materials_page_dispose;
  EK_PAGE_CLASS (klass)->apply_async = ek_materials_page_apply_async;
  EK_PAGE_CLASS (klass)->apply_finish = ek_materials_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-materials-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkMaterialsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialsPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialsPage, rules_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialsPage, source_label);
  gtk_widget_class_bind_template_child (widget_class, EkMaterialsPage, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
}

static void
ek_materials_page_init (EkMaterialsPage *self)
{
  g_type_ensure (EK_TYPE_MATERIAL_ROW);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  self->kept_rules = g_ptr_array_new_with_free_func (g_object_unref);
}

EkPage *
ek_materials_page_new (EkApplicationDraft *draft)
{
  EkMaterialsPage *self;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_MATERIALS_PAGE, "draft", draft, NULL);
  populate (self);
  return EK_PAGE (self);
}

/**
 * ek_materials_page_get_row:
 * Returns: (transfer none) (nullable): the row of @material_id
 */
GtkWidget *
ek_materials_page_get_row (EkMaterialsPage *self,
                           const char      *material_id)
{
  g_return_val_if_fail (EK_IS_MATERIALS_PAGE (self), NULL);

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      EkMaterialRow *row = g_ptr_array_index (self->rows, i);
      if (g_str_equal (ek_material_row_get_requirement (row)->material_id, material_id))
        return GTK_WIDGET (row);
    }
  return NULL;
}

EkMaterialsRulesSource
ek_materials_page_get_rules_source (EkMaterialsPage *self)
{
  g_return_val_if_fail (EK_IS_MATERIALS_PAGE (self), EK_MATERIALS_RULES_BUILT_IN);
  return self->source;
}

/**
 * ek_materials_page_get_rules_id:
 * Returns: (nullable): the id of the rule set in force ("gfa-200kb"…)
 */
const char *
ek_materials_page_get_rules_id (EkMaterialsPage *self)
{
  g_return_val_if_fail (EK_IS_MATERIALS_PAGE (self), NULL);
  return self->rules != NULL ? ek_material_rules_get_id (self->rules) : NULL;
}

void
ek_materials_page_refresh_rules (EkMaterialsPage *self)
{
  g_return_if_fail (EK_IS_MATERIALS_PAGE (self));
  ask_service (self);
}
