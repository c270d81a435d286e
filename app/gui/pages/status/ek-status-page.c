/* ek-status-page.c: where the application is, and what comes next
 *
 * The timeline comes from the server: submitted, pre-review by the authority (核验), re-review
 * by the provider (复核), production, shipped to the authority, ready for collection (待领取).
 * Each stage shows its date and the reviewer's remark; the next stage's expected date is counted
 * in China's working days (2 for pre-review, 5 for re-review and for production) with the bundled
 * holiday calendar, and called an estimate beyond the years it knows. A failed review shows the
 * remark prominently and the way back: replace the materials and resubmit. At 待领取 the page
 * shows the issuing authority (name and address) and the paper originals to bring, which are data
 * in the catalogue per business type. The page refreshes on demand and whenever its window
 * becomes active again (the clerk comes back after checking the email, say).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-draft-materials.h"
#include "ek-l10n.h"
#include "ek-material-rules.h"
#include "ek-api-call.h"
#include "ek-ui-helpers.h"
#include "ek-status-page.h"
#include "ek-window.h"

struct _EkStatusPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  EkCalendar   *calendar;
  GtkWindow    *window;           /* weak: whose is-active triggers a refresh */
  guint         n_refreshes;
  char         *shown_status;     /* the status the page shows */
  guint         n_originals;
  gboolean      loading;

  GtkLabel     *number_label;
  GtkLabel     *summary_label;
  GtkBox       *remark_box;
  GtkLabel     *remark_label;
  GtkButton    *resubmit_button;
  GtkLabel     *expected_label;
  GtkListBox   *timeline_list;
  GtkBox       *collection_box;
  GtkLabel     *authority_label;
  GtkBox       *originals_box;
  GtkLabel     *error_label;
  GtkButton    *retry_button;
  GtkButton    *refresh_button;
  GtkSpinner   *spinner;
};

G_DEFINE_FINAL_TYPE (EkStatusPage, ek_status_page, EK_TYPE_PAGE)

/* The stages of the timeline, and which statuses belong to each */
static const struct
{
  const char *name;
  const char *statuses[3];
} stages[] = {
  { N_("Submitted"), { "submitted", NULL } },
  { N_("Pre-review by the issuing authority"), { "pre-review-passed", "pre-review-failed", NULL } },
  { N_("Re-review by the certificate provider"), { "re-review-passed", "re-review-failed", NULL } },
  { N_("Key being made"), { "producing", NULL } },
  { N_("Shipped to the issuing authority"), { "shipped", NULL } },
  { N_("Ready for collection"), { "ready-for-collection", NULL } },
  { N_("Collected"), { "collected", NULL } },
};

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
  };

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].id, status))
      return _(names[i].name);
  return status != NULL ? status : "";
}

static int
stage_of (const char *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    for (guint j = 0; stages[i].statuses[j] != NULL; j++)
      if (g_strcmp0 (stages[i].statuses[j], status) == 0)
        return (int) i;
  return -1;
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

/* The expected date of the stage after @last (2 working days after submission for pre-review,
 * 5 after pre-review for re-review, 5 after re-review for production and shipping) */
static char *
expected_text (EkStatusPage    *self,
               EkApiEvent *last)
{
  guint days;
  const char *what;
  GDate start, result;
  gboolean estimate = FALSE;
  g_autofree char *date = NULL;

  if (g_str_equal (last->status, "submitted"))
    days = 2, what = _("Pre-review");
  else if (g_str_equal (last->status, "pre-review-passed"))
    days = 5, what = _("Re-review");
  else if (g_str_equal (last->status, "re-review-passed") || g_str_equal (last->status, "producing"))
    days = 5, what = _("Shipping to the issuing authority");
  else if (g_str_equal (last->status, "shipped"))
    return g_strdup (_("The issuing authority tells you within 2–3 working days of receiving the key."));
  else
    return NULL;

  if (self->calendar == NULL)
    return NULL;
  date_from_unix (last->at, &start);
  if (!g_date_valid (&start))
    return NULL;
  ek_calendar_add_working_days (self->calendar, &start, days, &result, &estimate);
  date = format_date (&result);
  if (estimate)
    /* Translators: “Pre-review expected by 2027-01-05 (an estimate: …)” */
    return g_strdup_printf (_("%s expected by %s (%u working days; an estimate, as the official holidays of that year are not known yet)"),
                            what, date, days);
  /* Translators: “Pre-review expected by 2026-11-25 (2 working days)” */
  return g_strdup_printf (_("%s expected by %s (%u working days)"), what, date, days);
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

void
ek_status_page_show (EkStatusPage          *self,
                     EkApiApplication *application)
{
  EkApplicationDraft *draft;
  GPtrArray *timeline;
  const char *status;
  guint first = 0;
  EkApiEvent *last = NULL;
  EkApiEvent *by_stage[G_N_ELEMENTS (stages)] = { NULL };
  g_autoptr(EkCatalogue) catalogue = NULL;
  JsonObject *document = NULL;
  g_autofree char *number = NULL, *expected = NULL;

  g_return_if_fail (EK_IS_STATUS_PAGE (self));
  g_return_if_fail (application != NULL);

  draft = ek_page_get_draft (EK_PAGE (self));
  status = ek_api_application_get_status (application);
  timeline = ek_api_application_get_timeline (application);
  ek_application_draft_set_string (draft, "status", status);
  g_free (self->shown_status);
  self->shown_status = g_strdup (status);

  /* Only the latest round counts: a resubmission starts the reviews again */
  for (guint i = 0; timeline != NULL && i < timeline->len; i++)
    if (g_str_equal (((EkApiEvent *) g_ptr_array_index (timeline, i))->status, "submitted"))
      first = i;
  for (guint i = first; timeline != NULL && i < timeline->len; i++)
    {
      EkApiEvent *event = g_ptr_array_index (timeline, i);
      int stage = stage_of (event->status);

      if (stage >= 0)
        by_stage[stage] = event;
      last = event;
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
  gtk_label_set_label (self->summary_label, ek_status_name (status));

  /* A failed review: the remark, prominently, and the way back */
  if (is_failed (status))
    {
      const char *remark = last != NULL && last->remark != NULL ? last->remark : "";
      g_autofree char *text = NULL;

      text = *remark != '\0'
        /* Translators: %s is the reviewer's remark */
        ? g_strdup_printf (_("The reviewer's remark: %s"), remark)
        : g_strdup (_("The reviewer gave no remark. Call the issuing authority to ask what to correct."));
      gtk_label_set_label (self->remark_label, text);
      ek_application_draft_set_string (draft, "status-remark", remark);
      gtk_widget_set_visible (GTK_WIDGET (self->remark_box), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->remark_box), FALSE);

  expected = last != NULL ? expected_text (self, last) : NULL;
  show_label (self->expected_label, expected);

  clear_box (GTK_WIDGET (self->timeline_list));
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
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
          date_from_unix (event->at, &date);
          day = format_date (&date);
          /* Translators: “Pre-review passed · 2026-11-24” */
          state = g_strdup_printf (_("%s · %s"), name, day);
          css = is_failed (event->status) ? "error" : "success";
        }
      else
        state = g_strdup (_("Not yet"));
      gtk_list_box_append (self->timeline_list, timeline_row (_(stages[i].name), state, remark, css));
    }

  /* Ready for collection: where, and what to bring */
  catalogue = ek_catalogue_new_default (NULL);
  document = catalogue != NULL ? ek_catalogue_get_document (catalogue) : NULL;
  if (g_strcmp0 (status, "ready-for-collection") == 0)
    {
      g_autofree char *authority = authority_text (self, document);

      gtk_label_set_label (self->authority_label, authority);
      show_originals (self, catalogue, document);
      gtk_widget_set_visible (GTK_WIDGET (self->collection_box), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->collection_box), FALSE);

  ek_page_set_complete (EK_PAGE (self), g_strcmp0 (status, "collected") == 0);
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

static void
resubmit_clicked_cb (EkStatusPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (EK_IS_WINDOW (root))
    ek_window_go_to_step (EK_WINDOW (root), "materials");
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

/* Building */

static GtkLabel *
wrapped_label (const char *css)
{
  GtkWidget *label = ek_ui_wrapped_label_new (NULL, css);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return GTK_LABEL (label);
}

static void
build (EkStatusPage *self)
{
  GtkWidget *box = ek_ui_page_box_new ();
  GtkWidget *line, *heading;

  ek_ui_page_set_scrolled_child (GTK_WIDGET (self), box);

  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->summary_label = wrapped_label ("title-2");
  gtk_label_set_selectable (self->summary_label, FALSE);
  gtk_widget_set_name (GTK_WIDGET (self->summary_label), "status-summary");
  gtk_widget_set_hexpand (GTK_WIDGET (self->summary_label), TRUE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->summary_label));
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->spinner));
  self->refresh_button = GTK_BUTTON (ek_ui_mnemonic_button_new (_("Re_fresh")));
  gtk_widget_set_name (GTK_WIDGET (self->refresh_button), "status-refresh");
  gtk_widget_set_valign (GTK_WIDGET (self->refresh_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->refresh_button, "clicked", G_CALLBACK (ek_status_page_refresh), self);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->refresh_button));
  gtk_box_append (GTK_BOX (box), line);

  self->number_label = wrapped_label ("dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->number_label));

  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->error_label = wrapped_label ("error");
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "status-error");
  gtk_widget_set_hexpand (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->error_label));
  self->retry_button = GTK_BUTTON (ek_ui_mnemonic_button_new (_("_Retry")));
  gtk_widget_set_name (GTK_WIDGET (self->retry_button), "status-retry");
  gtk_widget_set_valign (GTK_WIDGET (self->retry_button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  g_signal_connect_swapped (self->retry_button, "clicked", G_CALLBACK (ek_status_page_refresh), self);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->retry_button));
  gtk_box_append (GTK_BOX (box), line);

  self->remark_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 8));
  gtk_widget_set_name (GTK_WIDGET (self->remark_box), "status-remark-box");
  gtk_widget_add_css_class (GTK_WIDGET (self->remark_box), "remark");
  self->remark_label = wrapped_label ("heading");
  gtk_widget_set_name (GTK_WIDGET (self->remark_label), "status-remark");
  gtk_box_append (self->remark_box, GTK_WIDGET (self->remark_label));
  {
    GtkLabel *hint = wrapped_label (NULL);

    gtk_label_set_label (hint, _("Correct what the remark says, replace the materials concerned, and submit again: all materials are checked again."));
    gtk_box_append (self->remark_box, GTK_WIDGET (hint));
  }
  self->resubmit_button = GTK_BUTTON (ek_ui_mnemonic_button_new (_("Replace materials and _resubmit")));
  gtk_widget_set_name (GTK_WIDGET (self->resubmit_button), "status-resubmit");
  gtk_widget_set_halign (GTK_WIDGET (self->resubmit_button), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->resubmit_button), "suggested-action");
  g_signal_connect_swapped (self->resubmit_button, "clicked", G_CALLBACK (resubmit_clicked_cb), self);
  gtk_box_append (self->remark_box, GTK_WIDGET (self->resubmit_button));
  gtk_widget_set_visible (GTK_WIDGET (self->remark_box), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->remark_box));

  self->expected_label = wrapped_label (NULL);
  gtk_widget_set_name (GTK_WIDGET (self->expected_label), "status-expected");
  gtk_widget_set_visible (GTK_WIDGET (self->expected_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->expected_label));

  self->collection_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_set_name (GTK_WIDGET (self->collection_box), "status-collection");
  gtk_widget_add_css_class (GTK_WIDGET (self->collection_box), "collection");
  self->authority_label = wrapped_label ("heading");
  gtk_widget_set_name (GTK_WIDGET (self->authority_label), "status-authority");
  gtk_box_append (self->collection_box, GTK_WIDGET (self->authority_label));
  heading = GTK_WIDGET (wrapped_label (NULL));
  gtk_label_set_label (GTK_LABEL (heading), _("Bring these paper originals:"));
  gtk_box_append (self->collection_box, heading);
  self->originals_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 2));
  gtk_widget_set_name (GTK_WIDGET (self->originals_box), "status-originals");
  gtk_widget_set_margin_start (GTK_WIDGET (self->originals_box), 12);
  gtk_box_append (self->collection_box, GTK_WIDGET (self->originals_box));
  gtk_widget_set_visible (GTK_WIDGET (self->collection_box), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->collection_box));

  heading = GTK_WIDGET (wrapped_label ("heading"));
  gtk_label_set_label (GTK_LABEL (heading), _("Progress"));
  gtk_box_append (GTK_BOX (box), heading);
  self->timeline_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (self->timeline_list), "status-timeline");
  gtk_list_box_set_selection_mode (self->timeline_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->timeline_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->timeline_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Progress"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->timeline_list));
}

static void
ek_status_page_dispose (GObject *object)
{
  EkStatusPage *self = EK_STATUS_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->calendar);
  g_clear_pointer (&self->shown_status, g_free);

  G_OBJECT_CLASS (ek_status_page_parent_class)->dispose (object);
}

static void
ek_status_page_class_init (EkStatusPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_status_page_dispose;
  page_class->shown = ek_status_page_shown;
}

static void
ek_status_page_init (EkStatusPage *self)
{
  g_autoptr(GError) error = NULL;

  self->calendar = ek_calendar_new_default (&error);
  if (self->calendar == NULL)
    g_warning ("No working-day calendar: %s", error->message);
}

EkPage *
ek_status_page_new (EkApplicationDraft *draft)
{
  EkStatusPage *self;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  self = g_object_new (EK_TYPE_STATUS_PAGE, "draft", draft, NULL);
  build (self);
  return EK_PAGE (self);
}
