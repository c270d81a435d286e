/* ek-status-page.c: where the application is, and what comes next
 *
 * The timeline comes from the server; the stages it is shown in are the business's own, from the
 * catalogue (ek-stages.h): a key-issuing business is pre-reviewed by the authority (核验, 2
 * working days), then re-reviewed and made by the provider (复核 and production, 5 working days
 * together), shipped and collected; a renewal is checked in 3; a PIN unlock ends when the unlock
 * mail is sent. Each stage shows its date and the reviewer's remark; the next expected date is
 * counted in China's working days with the bundled holiday calendar, and called an estimate beyond
 * the years it knows. What a passed stage brings (the activation mail, the unlock mail) is said.
 * A failed review shows the remark prominently, the materials kept, and the way back: replace and
 * resubmit. At 待领取 the page shows the issuing authority (name and address) and the paper
 * materials to bring, which are data in the catalogue per business type. The page refreshes on
 * demand and whenever its window becomes active again.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-draft-materials.h"
#include "ek-l10n.h"
#include "ek-material-rules.h"
#include "ek-api-call.h"
#include "ek-stages.h"
#include "ek-ui-helpers.h"
#include "ek-status-page.h"
#include "ek-visit.h"
#include "ek-window.h"

struct _EkStatusPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  EkCalendar   *calendar;
  EkCatalogue  *catalogue;
  EkStages     *stages;           /* of the draft's business type */
  GtkWindow    *window;           /* weak: whose is-active triggers a refresh */
  guint         n_refreshes;
  char         *shown_status;     /* the status the page shows */
  guint         n_originals;
  gboolean      loading;

  GtkLabel     *authority_label;
  GtkBox       *collection_box;
  GtkLabel     *error_label;
  GtkLabel     *expected_label;
  GtkLabel     *kept_label;
  GtkLabel     *notes_label;
  GtkLabel     *number_label;
  GtkBox       *originals_box;
  GtkLabel     *originals_heading;
  GtkButton    *refresh_button;
  GtkLabel     *remark_label;
  GtkBox       *remark_box;
  GtkButton    *resubmit_button;
  GtkButton    *retry_button;
  GtkSpinner   *spinner;
  GtkLabel     *summary_label;
  GtkListBox   *timeline_list;
  GtkBox       *visit_box;
  GtkBox       *visit_items;
  guint         n_visit_items;
};

G_DEFINE_FINAL_TYPE (EkStatusPage, ek_status_page, EK_TYPE_PAGE)

/* How clerks name each status (the registration system's words) */
const char *
ek_status_name (const char *status)
{
  static const struct { const char *id; const char *name; } names[] = {
    { "draft", N_("Draft") },
    { "submitted", N_("Submitted, waiting for pre-review") },
    { "pre-review-passed", N_("Pre-review passed") },
    { "pre-review-failed", N_("Pre-review failed") },
    { "re-review-passed", N_("Re-review passed") },
    { "re-review-failed", N_("Re-review failed") },
    { "producing", N_("The key is being made") },
    { "shipped", N_("Shipped to the issuing authority") },
    { "ready-for-collection", N_("Ready for collection") },
    { "collected", N_("Collected") },
    { "certificate-issued", N_("Certificate renewed online") },
  };

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].id, status))
      return _(names[i].name);
  return status != NULL ? status : "";
}

static gboolean
is_failed (const char *status)
{
  return g_strcmp0 (status, "pre-review-failed") == 0 || g_strcmp0 (status, "re-review-failed") == 0;
}

static void
date_from_unix (gint64  at,
                GDate  *date)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (at);

  g_date_clear (date, 1);
  if (dt != NULL)
    g_date_set_dmy (date, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt), g_date_time_get_year (dt));
}

static char *
format_date (const GDate *date)
{
  char buffer[64];

  if (!g_date_valid (date))
    return g_strdup ("");
  /* ISO dates, as the registration system shows them */
  g_date_strftime (buffer, sizeof buffer, "%Y-%m-%d", date);
  return g_strdup (buffer);
}

static void
show_label (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else
        gtk_box_remove (GTK_BOX (box), child);
    }
}

/* The business's stages, from the catalogue (a key-issuing business's when the draft has no type) */
static EkStages *
stages_for_draft (EkStatusPage *self)
{
  const char *type = ek_application_draft_get_business_type_id (ek_page_get_draft (EK_PAGE (self)));
  g_autoptr(GError) error = NULL;

  if (self->stages != NULL)
    return self->stages;
  if (self->catalogue == NULL)
    self->catalogue = ek_catalogue_new_default (&error);
  if (self->catalogue != NULL)
    self->stages = ek_stages_new_for_business (self->catalogue, type != NULL ? type : "first-application", &error);
  if (self->stages == NULL)
    g_warning ("No stages for this business: %s", error != NULL ? error->message : "?");
  return self->stages;
}

/* When the next stage with a duration the seeds give is expected to end, from the ends of the
 * stages so far (@ended, one per stage); NULL when nothing is pending or nothing can be said */
static char *
expected_text (EkStatusPage *self,
               EkStages     *stages,
               GDate        *ended,
               guint         pending)
{
  g_autofree GDate *plan = NULL;
  gboolean estimate = FALSE;
  guint n = ek_stages_get_n_stages (stages);

  if (self->calendar == NULL || pending >= n)
    return NULL;
  plan = g_memdup2 (ended, sizeof (GDate) * n);
  ek_stages_plan (stages, self->calendar, plan, &estimate);
  for (guint i = pending; i < n; i++)
    {
      const EkStage *stage = ek_stages_get_stage (stages, i);
      g_autofree char *date = NULL, *days = NULL;

      if (g_date_valid (&ended[i]) || !g_date_valid (&plan[i]))
        continue;
      date = format_date (&plan[i]);
      days = g_strdup_printf (g_dngettext (NULL, "%d working day", "%d working days", stage->working_days),
                              stage->working_days);
      if (stage->span != NULL)
        {
          /* Translators: what the working days cover, e.g. “re-review and production together” */
          g_autofree char *span = g_strdup_printf (_(", %s"), stage->span);
          char *joined = g_strconcat (days, span, NULL);

          g_free (days);
          days = joined;
        }
      if (estimate)
        /* Translators: “Pre-review by the issuing authority: expected by 2027-01-05 (2 working days; …)” */
        return g_strdup_printf (_("%s: expected by %s (%s; an estimate, as the official holidays of that year are not known yet)"),
                                stage->title, date, days);
      /* Translators: “Pre-review by the issuing authority: expected by 2026-11-25 (2 working days)” */
      return g_strdup_printf (_("%s: expected by %s (%s)"), stage->title, date, days);
    }
  return g_strdup (ek_stages_get_stage (stages, pending)->pending);
}

/* Name and address of the issuing authority: the draft's choice, looked up in the catalogue */
static char *
authority_text (EkStatusPage *self,
                JsonObject   *document)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *id = ek_application_draft_get_string (draft, "authority-id");
  const char *name = ek_application_draft_get_string (draft, "authority-name");
  const char *address = NULL, *phone = NULL;
  JsonNode *node = document != NULL && json_object_has_member (document, "authorities")
                   ? json_object_get_member (document, "authorities") : NULL;
  JsonObject *found = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "list"))
    node = json_object_get_member (json_node_get_object (node), "list");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) && *id != '\0')
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element) &&
              g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (element), "id", ""), id) == 0)
            found = json_node_get_object (element);
        }
    }
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && *id != '\0' &&
           json_object_has_member (json_node_get_object (node), id))
    {
      JsonNode *element = json_object_get_member (json_node_get_object (node), id);
      if (JSON_NODE_HOLDS_OBJECT (element))
        found = json_node_get_object (element);
    }

  if (found != NULL)
    {
      JsonNode *n;

      if ((n = json_object_get_member (found, "name")) != NULL)
        name = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : ek_l10n_pick (n);
      if ((n = json_object_get_member (found, "address")) != NULL)
        address = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : ek_l10n_pick (n);
      if ((n = json_object_get_member (found, "phone")) != NULL && JSON_NODE_HOLDS_VALUE (n))
        phone = json_node_get_string (n);
    }

  if (name == NULL || *name == '\0')
    return g_strdup (_("Collect the key at the issuing authority you chose in the application."));
  {
    GString *text = g_string_new (NULL);

    /* Translators: followed by the authority's name */
    g_string_append_printf (text, _("Collect the key at: %s"), name);
    if (address != NULL && *address != '\0')
      g_string_append_printf (text, "\n%s", address);
    if (phone != NULL && *phone != '\0')
      /* Translators: %s is the authority's phone number */
      g_string_append_printf (text, _("\nPhone: %s"), phone);
    return g_string_free (text, FALSE);
  }
}

/* The paper originals to bring, from the catalogue's originals_to_bring for the business type */
static void
show_originals (EkStatusPage *self,
                EkCatalogue  *catalogue,
                JsonObject   *document)
{
  g_autoptr(EkMaterialRules) rules = catalogue != NULL ? ek_material_rules_new (catalogue, NULL, NULL) : NULL;
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *type = ek_application_draft_get_business_type_id (draft);
  g_autoptr(EkDraftMaterials) materials = ek_draft_materials_new (draft, NULL);
  JsonObject *section, *types, *names;
  JsonArray *items;

  clear_box (GTK_WIDGET (self->originals_box));
  self->n_originals = 0;
  if (document == NULL || type == NULL || !json_object_has_member (document, "originals_to_bring"))
    return;
  section = json_object_get_object_member (document, "originals_to_bring");
  types = section != NULL && json_object_has_member (section, "business_types")
          ? json_object_get_object_member (section, "business_types") : NULL;
  items = types != NULL && json_object_has_member (types, type) ? json_object_get_array_member (types, type) : NULL;
  names = json_object_has_member (document, "materials") ? json_object_get_object_member (document, "materials") : NULL;

  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *text = NULL;
      g_autofree char *line = NULL;
      GtkWidget *label;

      if (item == NULL)
        continue;
      if (json_object_has_member (item, "material"))
        {
          const char *id = json_object_get_string_member (item, "material");
          JsonObject *material = names != NULL && id != NULL && json_object_has_member (names, id)
                                 ? json_object_get_object_member (names, id) : NULL;

          /* Only what this system version asks for, and not what the clerk marked as not needed */
          if (id == NULL || (rules != NULL && ek_material_rules_lookup (rules, type, id) == NULL))
            continue;
          if (materials != NULL && ek_draft_materials_get_exempt (materials, id))
            continue;
          if (material != NULL)
            {
              text = ek_l10n_pick (json_object_get_member (material, "name"));
              if (json_object_has_member (material, "signed_by"))
                line = g_strdup_printf ("• %s (%s)", text, ek_l10n_pick (json_object_get_member (material, "signed_by")));
            }
        }
      else if (json_object_has_member (item, "text"))
        text = ek_l10n_pick (json_object_get_member (item, "text"));
      if (text == NULL)
        continue;
      if (line == NULL)
        line = g_strdup_printf ("• %s", text);
      label = ek_ui_wrapped_label_new (line, NULL);
      gtk_box_append (self->originals_box, label);
      self->n_originals++;
    }
}

static GtkWidget *
timeline_row (const char *title,
              const char *state,
              const char *remark,
              const char *css)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *status = gtk_label_new (state);
  GtkWidget *row = gtk_list_box_row_new ();
  /* Translators: a step of the timeline as a screen reader reads it: “Submitted: 2026-12-06” */
  g_autofree char *accessible = g_strdup_printf (_("%s: %s"), title, state);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_xalign (GTK_LABEL (status), 1);
  gtk_widget_add_css_class (status, css);
  gtk_box_append (GTK_BOX (line), name);
  gtk_box_append (GTK_BOX (line), status);
  gtk_box_append (GTK_BOX (box), line);
  if (remark != NULL && *remark != '\0')
    {
      /* Translators: %s is the reviewer's remark (备注) */
      g_autofree char *text = g_strdup_printf (_("Remark: %s"), remark);
      GtkWidget *label = ek_ui_wrapped_label_new (text, "dim-label");

      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (box), label);
      g_free (accessible);
      /* Translators: a step of the timeline with the reviewer's remark, as a screen reader
       * reads it: “Pre-review: failed on 2026-12-06. Remark: …” */
      accessible = g_strdup_printf (_("%s: %s. %s"), title, state, text);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return row;
}

/* A business that takes papers to the authority before its review (an additional key, seed 001
 * §3 step (6)): the list, right after the submission and until the pre-review has passed */
static void
show_visit (EkStatusPage *self,
            EkStages     *stages,
            GDate        *ended,
            const char   *status)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *type = ek_application_draft_get_business_type_id (draft);
  int pre_review = ek_stages_lookup (stages, "pre-review");
  g_autoptr(EkVisit) visit = NULL;

  clear_box (GTK_WIDGET (self->visit_items));
  self->n_visit_items = 0;
  if (self->catalogue != NULL && type != NULL && pre_review >= 0 && !g_date_valid (&ended[pre_review]) &&
      status != NULL && !g_str_equal (status, "draft"))
    visit = ek_visit_new_for_business (self->catalogue, type, NULL);
  for (guint i = 0; visit != NULL && i < ek_visit_get_n_items (visit); i++)
    {
      const EkVisitItem *item = ek_visit_get_item (visit, i);
      g_autofree char *line = NULL;

      if (item->unless != NULL && ek_application_draft_get_boolean (draft, item->unless))
        continue;
      self->n_visit_items++;
      line = item->signed_by != NULL
        /* Translators: “1. Application form (signed by the legal representative …)” */
        ? g_strdup_printf (_("%u. %s (%s)"), self->n_visit_items, item->text, item->signed_by)
        : g_strdup_printf ("%u. %s", self->n_visit_items, item->text);
      gtk_box_append (self->visit_items, ek_ui_wrapped_label_new (line, NULL));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->visit_box), self->n_visit_items > 0);
}

/* The names of the materials the service holds for @application, for the resubmission hint */
static char *
kept_text (EkStatusPage     *self,
           EkApiApplication *application)
{
  const char * const *kinds = ek_api_application_get_materials (application);
  JsonObject *document = self->catalogue != NULL ? ek_catalogue_get_document (self->catalogue) : NULL;
  JsonObject *names = document != NULL && json_object_has_member (document, "materials")
                      ? json_object_get_object_member (document, "materials") : NULL;
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; kinds != NULL && kinds[i] != NULL; i++)
    {
      JsonObject *material = names != NULL && json_object_has_member (names, kinds[i])
                             ? json_object_get_object_member (names, kinds[i]) : NULL;
      const char *name = material != NULL ? ek_l10n_pick (json_object_get_member (material, "name")) : kinds[i];

      if (list->len > 0)
        /* Translators: separates the names of materials in a list */
        g_string_append (list, _(", "));
      g_string_append (list, name);
    }
  if (list->len == 0)
    return NULL;
  /* Translators: %s lists the materials already uploaded */
  return g_strdup_printf (_("Kept from your last submission, unless you replace them: %s. Replace at least the ones the remark names; the reviewer decides whether the kept ones still count."),
                          list->str);
}

void
ek_status_page_show (EkStatusPage     *self,
                     EkApiApplication *application)
{
  EkApplicationDraft *draft;
  EkStages *stages;
  GPtrArray *timeline;
  const char *status, *enterprise;
  guint first = 0, n_stages, pending = 0;
  EkApiEvent *last = NULL;
  g_autofree EkApiEvent **by_stage = NULL;
  g_autofree GDate *ended = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autofree char *number = NULL, *expected = NULL;
  const char *summary;

  g_return_if_fail (EK_IS_STATUS_PAGE (self));
  g_return_if_fail (application != NULL);

  draft = ek_page_get_draft (EK_PAGE (self));
  stages = stages_for_draft (self);
  if (stages == NULL)
    return;
  n_stages = ek_stages_get_n_stages (stages);
  by_stage = g_new0 (EkApiEvent *, n_stages);
  ended = g_new0 (GDate, n_stages);
  for (guint i = 0; i < n_stages; i++)
    g_date_clear (&ended[i], 1);

  status = ek_api_application_get_status (application);
  timeline = ek_api_application_get_timeline (application);
  ek_application_draft_set_string (draft, "status", status);
  g_free (self->shown_status);
  self->shown_status = g_strdup (status);
  enterprise = ek_application_draft_get_string (draft, "enterprise-name");

  /* Only the latest round counts: a resubmission starts the reviews again */
  for (guint i = 0; timeline != NULL && i < timeline->len; i++)
    if (g_str_equal (((EkApiEvent *) g_ptr_array_index (timeline, i))->status, "submitted"))
      first = i;
  for (guint i = first; timeline != NULL && i < timeline->len; i++)
    {
      EkApiEvent *event = g_ptr_array_index (timeline, i);
      int stage = ek_stages_find_status (stages, event->status);

      last = event;
      if (stage < 0)
        continue;
      by_stage[stage] = event;
      if (ek_stages_ends_stage (stages, event->status))
        date_from_unix (event->at, &ended[stage]);
    }

  number = g_strdup (ek_application_draft_get_string (draft, "application-number"));
  if (*number == '\0')
    {
      g_free (number);
      number = ek_api_application_dup_number (application);
    }
  {
    /* Translators: %s is the application number */
    g_autofree char *text = g_strdup_printf (_("Application number %s"), number);
    gtk_label_set_label (self->number_label, text);
  }

  /* The stage the application waits for, and what the ended ones bring */
  if (last != NULL)
    {
      int stage = ek_stages_find_status (stages, last->status);

      pending = stage < 0 ? 0 : (guint) stage + (ek_stages_ends_stage (stages, last->status) ? 1 : 0);
    }
  summary = ek_status_name (status);
  for (guint i = 0; i < n_stages; i++)
    {
      const EkStage *stage = ek_stages_get_stage (stages, i);

      if (!g_date_valid (&ended[i]))
        continue;
      if (stage->after != NULL)
        {
          g_autofree char *after = ek_stages_expand (stage->after, enterprise);

          if (notes->len > 0)
            g_string_append_c (notes, '\n');
          g_string_append (notes, after);
        }
      if (stage->done != NULL && by_stage[i] == last)
        summary = stage->done;
    }
  gtk_label_set_label (self->summary_label, summary);
  show_label (self->notes_label, is_failed (status) ? NULL : notes->str);

  /* A failed review: the remark, prominently, what is kept, and the way back */
  if (is_failed (status))
    {
      const char *remark = last != NULL && last->remark != NULL ? last->remark : "";
      g_autofree char *text = NULL, *kept = kept_text (self, application);

      text = *remark != '\0'
        /* Translators: %s is the reviewer's remark */
        ? g_strdup_printf (_("The reviewer's remark: %s"), remark)
        : g_strdup (_("The reviewer gave no remark. Call the issuing authority to ask what to correct."));
      gtk_label_set_label (self->remark_label, text);
      show_label (self->kept_label, kept);
      ek_application_draft_set_string (draft, "status-remark", remark);
      gtk_widget_set_visible (GTK_WIDGET (self->remark_box), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->remark_box), FALSE);

  show_visit (self, stages, ended, status);
  expected = last != NULL && !is_failed (status) ? expected_text (self, stages, ended, pending) : NULL;
  show_label (self->expected_label, expected);

  clear_box (GTK_WIDGET (self->timeline_list));
  for (guint i = 0; i < n_stages; i++)
    {
      const EkStage *stage = ek_stages_get_stage (stages, i);
      EkApiEvent *event = by_stage[i];
      g_autofree char *state = NULL;
      const char *css = "dim-label";
      const char *remark = event != NULL ? event->remark : NULL;

      if (event != NULL)
        {
          GDate date;
          g_autofree char *day = NULL;
          const char *name = ek_status_name (event->status);

          /* The service marks a resubmission with the remark "resubmitted" */
          if (g_str_equal (event->status, "submitted") && g_strcmp0 (remark, "resubmitted") == 0)
            {
              name = _("Submitted again after correction");
              remark = NULL;
            }
          if (stage->done != NULL && g_date_valid (&ended[i]))
            name = stage->done;
          date_from_unix (event->at, &date);
          day = format_date (&date);
          /* Translators: “Pre-review passed · 2026-11-24” */
          state = g_strdup_printf (_("%s · %s"), name, day);
          css = is_failed (event->status) ? "error" : "success";
        }
      else
        state = g_strdup (_("Not yet"));
      gtk_list_box_append (self->timeline_list, timeline_row (stage->title, state, remark, css));
    }

  /* Ready for collection: where, and what to bring */
  if (g_strcmp0 (status, "ready-for-collection") == 0)
    {
      JsonObject *document = self->catalogue != NULL ? ek_catalogue_get_document (self->catalogue) : NULL;
      g_autofree char *authority = authority_text (self, document);

      gtk_label_set_label (self->authority_label, authority);
      show_originals (self, self->catalogue, document);
      gtk_widget_set_visible (GTK_WIDGET (self->originals_heading), self->n_originals > 0);
      gtk_widget_set_visible (GTK_WIDGET (self->collection_box), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->collection_box), FALSE);

  /* A renewal's certificate issued online comes after its last stage (the update page's work) */
  ek_page_set_complete (EK_PAGE (self), ek_stages_is_final (stages, status) ||
                        g_strcmp0 (status, "certificate-issued") == 0);
}

/* Loading */

static void
get_start (EkApiClient *client, gpointer data, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
  ek_api_client_get_application_async (client, data, cancellable, callback, user_data);
}

static gpointer
get_finish (EkApiClient *client, GAsyncResult *result, GError **error)
{
  return ek_api_client_get_application_finish (client, result, error);
}

static void
set_loading (EkStatusPage *self,
             gboolean      loading)
{
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !loading);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkStatusPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApiApplication) application = NULL;

  application = ek_api_call_run_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_loading (self, FALSE);
  self->n_refreshes++;
  if (application == NULL)
    {
      g_autofree char *message = g_strdup (error->message);

      show_label (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
      return;
    }
  show_label (self->error_label, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  ek_status_page_show (self, application);
}

void
ek_status_page_refresh (EkStatusPage *self)
{
  const char *id;

  g_return_if_fail (EK_IS_STATUS_PAGE (self));

  id = ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "application-id");
  if (*id == '\0')
    {
      show_label (self->error_label, _("This application has not been sent to the registration system yet. Go back to the “Print, sign and stamp” step to send it."));
      return;
    }
  /* The draft knows better than what is shown (submitted again since): no stale remark meanwhile */
  {
    const char *known = ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "status");

    if (*known != '\0' && g_strcmp0 (known, self->shown_status) != 0)
      {
        gtk_label_set_label (self->summary_label, ek_status_name (known));
        gtk_widget_set_visible (GTK_WIDGET (self->remark_box), is_failed (known));
        gtk_widget_set_visible (GTK_WIDGET (self->expected_label), FALSE);
      }
  }
  ek_ui_restart_cancellable (&self->cancellable);
  set_loading (self, TRUE);
  ek_api_call_run (GTK_WIDGET (self), get_start, get_finish, (GDestroyNotify) ek_api_application_unref,
                       g_strdup (id), g_free, self->cancellable, on_loaded_cb, g_object_ref (self));
}

static void
on_window_active_cb (GtkWindow    *window,
                     GParamSpec   *pspec,
                     EkStatusPage *self)
{
  /* Only when the clerk comes back to this step, and not while a log-in dialog is up */
  if (gtk_window_is_active (window) && gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->loading)
    ek_status_page_refresh (self);
}

static void
ek_status_page_shown (EkPage *page)
{
  EkStatusPage *self = EK_STATUS_PAGE (page);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->window == NULL && GTK_IS_WINDOW (root))
    {
      self->window = GTK_WINDOW (root);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      g_signal_connect_object (self->window, "notify::is-active", G_CALLBACK (on_window_active_cb), self, 0);
    }
  ek_status_page_refresh (self);
}

/* Getters for tests */

const char *
ek_status_page_get_summary (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), NULL);
  return gtk_label_get_label (self->summary_label);
}

const char *
ek_status_page_get_remark (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->remark_box)) ? gtk_label_get_label (self->remark_label) : NULL;
}

const char *
ek_status_page_get_expected (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->expected_label)) ? gtk_label_get_label (self->expected_label) : NULL;
}

const char *
ek_status_page_get_authority (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->collection_box)) ? gtk_label_get_label (self->authority_label) : NULL;
}

guint
ek_status_page_get_n_originals (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), 0);
  return gtk_widget_get_visible (GTK_WIDGET (self->collection_box)) ? self->n_originals : 0;
}

gboolean
ek_status_page_offers_resubmit (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->remark_box));
}

guint
ek_status_page_get_n_refreshes (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), 0);
  return self->n_refreshes;
}

const char *
ek_status_page_get_notes (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->notes_label)) ? gtk_label_get_label (self->notes_label) : NULL;
}

guint
ek_status_page_get_n_visit_items (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), 0);
  return gtk_widget_get_visible (GTK_WIDGET (self->visit_box)) ? self->n_visit_items : 0;
}

const char *
ek_status_page_get_kept (EkStatusPage *self)
{
  g_return_val_if_fail (EK_IS_STATUS_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->remark_box)) && gtk_widget_get_visible (GTK_WIDGET (self->kept_label))
         ? gtk_label_get_label (self->kept_label) : NULL;
}

/* Building */

static void
on_refresh_button_clicked_cb (EkStatusPage *self)
{
  ek_status_page_refresh (self);
}

static void
on_resubmit_button_clicked_cb (EkStatusPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (EK_IS_WINDOW (root))
    ek_window_go_to_step (EK_WINDOW (root), "materials");
}

static void
ek_status_page_dispose (GObject *object)
{
  EkStatusPage *self = EK_STATUS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_STATUS_PAGE);
  g_clear_object (&self->calendar);
  g_clear_object (&self->stages);
  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->shown_status, g_free);

  G_OBJECT_CLASS (ek_status_page_parent_class)->dispose (object);
}

static void
ek_status_page_class_init (EkStatusPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_status_page_dispose;
  page_class->shown = ek_status_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-status-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, authority_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, collection_box);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, expected_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, kept_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, notes_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, number_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, originals_box);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, originals_heading);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, remark_box);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, remark_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, resubmit_button);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, timeline_list);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, visit_box);
  gtk_widget_class_bind_template_child (widget_class, EkStatusPage, visit_items);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_resubmit_button_clicked_cb);
}

static void
ek_status_page_init (EkStatusPage *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->calendar = ek_calendar_new_default (&error);
  if (self->calendar == NULL)
    g_warning ("No working-day calendar: %s", error->message);
}

EkPage *
ek_status_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_STATUS_PAGE, "draft", draft, NULL);
}
