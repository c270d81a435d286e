/* ek-visit-page.c: the step “At the counter” of a paper business
 *
 * Reissue (补办), cancellation (注销) and the offline first application (首次申领（线下申请）) are
 * done at the issuing authority's counter: the clerk prints the filled form on the previous step
 * and hands it in with the paper materials of the seed's own list. This page shows that list as
 * a checklist with who signs and stamps each item (the catalogue's "visits"; the key to cancel
 * is left out when it is lost), the chosen authority with its address, the dates the seed's
 * working days give from the day the clerk plans to hand the papers in (the business's stages;
 * the day is chosen on a calendar and kept in the draft; until then it is the next day the
 * counter is open: today before nine on a working day, else the next working day), and what happens
 * next. The same is rendered as a one-page PDF in the draft's folder, to print or save.
 * No account and no server are involved.
 */
#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-document.h"
#include "ek-pages.h"
#include "ek-ui-helpers.h"
#include "ek-stages.h"
#include "ek-visit.h"
#include "ek-visit-page.h"

#define CHECKLIST_FILE "visit-checklist.pdf"

struct _EkVisitPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  gboolean      ready;        /* the checklist PDF is rendered */

  GtkLabel     *authority_label;
  GtkBox       *checklist_box;
  GtkLabel     *dates_heading;
  GtkLabel     *dates_label;
  GtkLabel     *error_label;
  GtkLabel     *next_label;
  GtkButton    *print_button;
  GtkButton    *save_button;
  GtkCalendar  *visit_calendar;
  GtkMenuButton *visit_day_button;
  gboolean      choosing;     /* the calendar is being set from the draft, not by the clerk */
};

G_DEFINE_FINAL_TYPE (EkVisitPage, ek_visit_page, EK_TYPE_PAGE)

static void
show_error (EkVisitPage *self,
            const char  *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static void
show_authority (EkVisitPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  EkForm *form = ek_pages_get_form ();
  const char *id = ek_application_draft_get_string (draft, "authority-id");
  const EkAuthority *authority = form != NULL && *id != '\0' ? ek_form_lookup_authority (form, id) : NULL;
  const char *name = authority != NULL ? authority->name : ek_application_draft_get_string (draft, "authority-name");
  g_autoptr(GString) text = g_string_new (NULL);

  if (name == NULL || *name == '\0')
    {
      gtk_label_set_label (self->authority_label, _("Hand them in at the issuing authority you chose in the form."));
      return;
    }
  /* Translators: followed by the issuing authority's name */
  g_string_append_printf (text, _("Hand them in at: %s"), name);
  if (authority != NULL && authority->address != NULL)
    g_string_append_printf (text, "\n%s", authority->address);
  if (authority != NULL && authority->phone != NULL)
    /* Translators: %s is the authority's phone number */
    g_string_append_printf (text, _("\nPhone: %s"), authority->phone);
  gtk_label_set_label (self->authority_label, text->str);
}

static void
show_checklist (EkVisitPage *self,
                EkVisit     *visit)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  guint n = 0;

  clear_box (self->checklist_box);
  for (guint i = 0; visit != NULL && i < ek_visit_get_n_items (visit); i++)
    {
      const EkVisitItem *item = ek_visit_get_item (visit, i);
      g_autofree char *label = NULL;
      GtkWidget *check;

      if (item->unless != NULL && ek_application_draft_get_boolean (draft, item->unless))
        continue;
      n++;
      label = item->signed_by != NULL
        /* Translators: “1. Application form (signed by the legal representative …)” */
        ? g_strdup_printf (_("%u. %s (%s)"), n, item->text, item->signed_by)
        : g_strdup_printf ("%u. %s", n, item->text);
      check = gtk_check_button_new_with_label (label);
      gtk_label_set_wrap (GTK_LABEL (gtk_widget_get_last_child (check)), TRUE);
      gtk_label_set_xalign (GTK_LABEL (gtk_widget_get_last_child (check)), 0);
      gtk_box_append (self->checklist_box, check);
    }
}

/* The dates each stage ends if the papers are handed in today, in working days */
static void
show_dates (EkVisitPage *self,
            EkStages    *stages)
{
  g_autoptr(EkCalendar) calendar = ek_calendar_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree GDate *ended = NULL;
  g_autofree char *today = NULL, *heading = NULL;
  gboolean estimate = FALSE;
  guint n;

  if (stages == NULL || calendar == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->dates_heading), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->dates_label), FALSE);
      return;
    }
  n = ek_stages_get_n_stages (stages);
  ended = g_new0 (GDate, n);
  for (guint i = 0; i < n; i++)
    g_date_clear (&ended[i], 1);
  g_date_set_dmy (&ended[0], g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  /* The day the clerk plans (planned_day() has put it in the draft) */
  if (*ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "visit-date") != '\0')
    ek_date_parse_iso (ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "visit-date"), &ended[0], NULL);
  today = ek_date_format_iso (&ended[0]);
  ek_stages_plan (stages, calendar, ended, &estimate);
  for (guint i = 1; i < n; i++)
    {
      const EkStage *stage = ek_stages_get_stage (stages, i);
      g_autofree char *date = NULL;

      if (!g_date_valid (&ended[i]) || stage->working_days < 0)
        continue;
      date = ek_date_format_iso (&ended[i]);
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text,
                              /* Translators: “Check by the issuing authority: by 2026-10-09 (2 working days)” */
                              g_dngettext (NULL, "%s: by %s (%d working day)", "%s: by %s (%d working days)",
                                           stage->working_days),
                              stage->title, date, stage->working_days);
      if (stage->span != NULL)
        /* Translators: what the working days cover, e.g. “re-review and production together” */
        g_string_append_printf (text, _(", %s"), stage->span);
    }
  if (estimate)
    g_string_append_printf (text, "\n%s", _("Dates in a year whose official holidays are not known yet are estimates."));
  /* Translators: %s is the day the clerk plans to hand the papers in */
  heading = g_strdup_printf (_("When, if you hand them in on %s, counted in working days"), today);
  gtk_label_set_label (self->dates_heading, heading);
  gtk_label_set_label (self->dates_label, text->str);
}

/**
 * ek_visit_page_dup_pdf:
 * Returns: (nullable): where the checklist PDF is rendered, in the draft's folder
 */
char *
ek_visit_page_dup_pdf (EkVisitPage *self)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), NULL);

  dir = ek_application_draft_dup_subdirectory (ek_page_get_draft (EK_PAGE (self)), "documents", NULL);
  return dir != NULL ? g_build_filename (dir, CHECKLIST_FILE, NULL) : NULL;
}

static void
on_rendered_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkVisitPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_document_render_pdf_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  self->ready = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
}

/* The day the dates count from: the one the clerk chose (kept as chosen: a reprint says what
 * was planned), else the next day the counter is open. Kept in the draft, so that the printed
 * checklist says the same. */
static void
planned_day (EkVisitPage *self)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *kept = ek_application_draft_get_string (draft, "visit-date");
  g_autoptr(EkCalendar) calendar = ek_calendar_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) shown = NULL;
  g_autofree char *text = NULL;
  GDate day;

  g_date_clear (&day, 1);
  if (*kept == '\0' || !ek_date_parse_iso (kept, &day, NULL))
    {
      if (calendar != NULL)
        ek_calendar_next_counter_day (calendar, now, &day);
      else
        g_date_set_dmy (&day, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                        g_date_time_get_year (now));
      text = ek_date_format_iso (&day);
      ek_application_draft_set_string (draft, "visit-date", text);
    }
  else
    text = ek_date_format_iso (&day);

  gtk_menu_button_set_label (self->visit_day_button, text);
  shown = g_date_time_new_local (g_date_get_year (&day), g_date_get_month (&day), g_date_get_day (&day), 12, 0, 0);
  self->choosing = TRUE;
  gtk_calendar_select_day (self->visit_calendar, shown);
  self->choosing = FALSE;
}

static void
refresh (EkVisitPage *self)
{
  EkPage *page = EK_PAGE (self);
  EkApplicationDraft *draft = ek_page_get_draft (page);
  const char *type = ek_application_draft_get_business_type_id (draft);
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (NULL);
  g_autoptr(EkVisit) visit = NULL;
  g_autoptr(EkStages) stages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *path = NULL;

  planned_day (self);
  if (catalogue != NULL && type != NULL)
    {
      visit = ek_visit_new_for_business (catalogue, type, &error);
      stages = ek_stages_new_for_business (catalogue, type, NULL);
    }
  show_error (self, visit == NULL && error != NULL ? error->message : NULL);
  show_authority (self);
  show_checklist (self, visit);
  show_dates (self, stages);
  gtk_label_set_label (self->next_label, visit != NULL ? ek_visit_get_next (visit) : "");
  ek_page_set_complete (page, visit != NULL);

  self->ready = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  g_clear_error (&error);
  dir = ek_application_draft_dup_subdirectory (ek_page_get_draft (EK_PAGE (self)), "documents", &error);
  if (dir == NULL)
    {
      show_error (self, error->message);
      return;
    }
  path = g_build_filename (dir, CHECKLIST_FILE, NULL);
  ek_ui_restart_cancellable (&self->cancellable);
  ek_document_render_pdf_async (draft, EK_DOCUMENT_VISIT_CHECKLIST, path, self->cancellable, on_rendered_cb,
                                g_object_ref (self));
}

static void
ek_visit_page_shown (EkPage *page)
{
  /* Every time: the answers may have changed since (Change on the review page), and so has today */
  refresh (EK_VISIT_PAGE (page));
}

/* The clerk picks another day: the dates and the printed checklist count from it */
static void
on_day_selected_cb (EkVisitPage *self)
{
  g_autoptr(GDateTime) chosen = NULL;
  g_autofree char *text = NULL;

  if (self->choosing)
    return;
  chosen = gtk_calendar_get_date (self->visit_calendar);
  text = g_date_time_format (chosen, "%Y-%m-%d");
  ek_application_draft_set_string (ek_page_get_draft (EK_PAGE (self)), "visit-date", text);
  /* The calendar stays open (the arrow keys move the chosen day too): the dates behind it follow,
   * and Escape or a click elsewhere closes it */
  refresh (self);
}

/**
 * ek_visit_page_choose_day:
 * @iso_date: YYYY-MM-DD
 *
 * Picks @iso_date on the page's calendar, as the clerk does (for tests).
 */
void
ek_visit_page_choose_day (EkVisitPage *self,
                          const char  *iso_date)
{
  g_autoptr(GDateTime) day = NULL;
  GDate date;

  g_return_if_fail (EK_IS_VISIT_PAGE (self));
  g_return_if_fail (ek_date_parse_iso (iso_date, &date, NULL));

  day = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date), 12, 0, 0);
  gtk_calendar_select_day (self->visit_calendar, day);
}

const char *
ek_visit_page_get_day (EkVisitPage *self)
{
  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), NULL);
  return gtk_menu_button_get_label (self->visit_day_button);
}

/**
 * ek_visit_page_print:
 * @action: GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG for the clerk; EXPORT (with @export_path)
 *   runs the very same drawing into a PDF file, without a dialog
 */
gboolean
ek_visit_page_print (EkVisitPage              *self,
                     GtkPrintOperationAction   action,
                     const char               *export_path,
                     GError                  **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), FALSE);

  path = ek_visit_page_dup_pdf (self);
  return ek_ui_print_pdf (GTK_WIDGET (self), path, "前往发证机构（审批机关）办理清单", action, export_path, error);
}

static void
on_print_button_clicked_cb (EkVisitPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!ek_visit_page_print (self, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL, &error))
    show_error (self, error->message);
}

static void
on_save_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     EkVisitPage     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) target = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = ek_visit_page_dup_pdf (self);
      g_autoptr(GFile) source = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;

      if (!g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        {
          /* Translators: %s says why */
          g_autofree char *message = g_strdup_printf (_("The copy could not be saved: %s Choose another folder and try again."),
                                                      error->message);
          show_error (self, message);
        }
      else
        show_error (self, NULL);
    }
  g_object_unref (dialog);
}

static void
on_save_button_clicked_cb (EkVisitPage *self)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Save the checklist as PDF"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "前往发证机构办理清单.pdf");
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Getters for tests */

guint
ek_visit_page_get_n_items (EkVisitPage *self)
{
  guint n = 0;

  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), 0);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->checklist_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

const char *
ek_visit_page_get_item (EkVisitPage *self,
                        guint        index)
{
  GtkWidget *child;

  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), NULL);
  child = gtk_widget_get_first_child (GTK_WIDGET (self->checklist_box));
  for (guint i = 0; child != NULL && i < index; i++)
    child = gtk_widget_get_next_sibling (child);
  return child != NULL ? gtk_check_button_get_label (GTK_CHECK_BUTTON (child)) : NULL;
}

const char *
ek_visit_page_get_authority (EkVisitPage *self)
{
  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), NULL);
  return gtk_label_get_label (self->authority_label);
}

const char *
ek_visit_page_get_dates (EkVisitPage *self)
{
  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), NULL);
  return gtk_label_get_label (self->dates_label);
}

const char *
ek_visit_page_get_next (EkVisitPage *self)
{
  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), NULL);
  return gtk_label_get_label (self->next_label);
}

gboolean
ek_visit_page_is_ready (EkVisitPage *self)
{
  g_return_val_if_fail (EK_IS_VISIT_PAGE (self), FALSE);
  return self->ready;
}

/* Building */

static void
ek_visit_page_dispose (GObject *object)
{
  EkVisitPage *self = EK_VISIT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EK_TYPE_VISIT_PAGE);

  G_OBJECT_CLASS (ek_visit_page_parent_class)->dispose (object);
}

static void
ek_visit_page_class_init (EkVisitPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  EkPageClass *page_class = EK_PAGE_CLASS (klass);

  object_class->dispose = ek_visit_page_dispose;
  page_class->shown = ek_visit_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ekeyassistant/EKeyAssistant/ui/ek-visit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, authority_label);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, checklist_box);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, dates_heading);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, dates_label);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, next_label);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, visit_calendar);
  gtk_widget_class_bind_template_child (widget_class, EkVisitPage, visit_day_button);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_print_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked_cb);
}

static void
ek_visit_page_init (EkVisitPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EkPage *
ek_visit_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_VISIT_PAGE, "draft", draft, NULL);
}
