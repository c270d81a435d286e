/* ek-mobile-history-page.c: the wizard step “History” of mobile authorisation (seed 002, 历史信息)
 *
 * The enterprise's requests, newest first, in the seed's columns: 请求时间, 请求类型 (新授权 /
 * 手机变更 / 手机号码变更, and 续签 / 注销), 企业代码, 手机号码, 是否删除, 请求状态 (请求待提交 →
 * 登录商务部网站app下载 → 证书已签发) and what became of the certificate (the seed's 证书详情: in
 * use until …, revoked by a number change, cancelled), with 操作: a request not yet submitted is
 * submitted after the seed's question (“确定要提交申请吗？”), or deleted (it stays, 已删除). After
 * a submission the seed's red line asks the clerk to install the certificate in the MOFCOM app,
 * and how is said below it. The table is data, so it is built here; each button's accessible name
 * says which request it acts on.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-mobile-common.h"
#include "ek-mobile-history-page.h"
#include "ek-ui-helpers.h"

struct _EkMobileHistoryPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  GPtrArray    *list;
  gboolean      busy;

  GtkLabel     *empty_label;
  GtkLabel     *error_label;
  GtkLabel     *install_label;
  GtkLabel     *notice_label;
  GtkButton    *refresh_button;
  GtkSpinner   *spinner;
  GtkGrid      *table;
};

G_DEFINE_FINAL_TYPE (EkMobileHistoryPage, ek_mobile_history_page, EK_TYPE_PAGE)

static void load (EkMobileHistoryPage *self);

static void
show_error (EkMobileHistoryPage *self,
            const char          *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (EkMobileHistoryPage *self,
          gboolean             busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->table), !busy);
}

/* A cell of the table: @wrap_chars > 0 lets a long state wrap at about that many characters;
 * the others keep their width (the table scrolls sideways when the window is narrow) */
static GtkWidget *
cell (const char *text,
      const char *css_class,
      int         wrap_chars)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (wrap_chars > 0)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (label), wrap_chars);
      gtk_label_set_max_width_chars (GTK_LABEL (label), wrap_chars);
    }
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkMobileHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkMobileAuthorization) a = ek_mobile_call_run_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (a == NULL)
    {
      show_error (self, error->message);
      load (self);
      return;
    }
  show_error (self, NULL);
  if (g_str_equal (a->state, "submitted"))
    {
      /* the seed's red line */
      gtk_label_set_text (self->notice_label, _("The request was submitted: log in to the MOFCOM app on the phone now and install the certificate!"));
      gtk_widget_set_visible (GTK_WIDGET (self->notice_label), TRUE);
    }
  else if (g_str_equal (a->state, "cancelled"))
    {
      g_autofree char *text = g_strdup_printf (_("The certificate of %s is cancelled."), a->mobile);
      gtk_label_set_text (self->notice_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->notice_label), TRUE);
    }
  load (self);
}

typedef struct
{
  EkMobileHistoryPage *self;
  EkMobileCallKind     kind;
  char                *id;
} Action;

static void
action_free (gpointer data)
{
  Action *action = data;

  g_object_unref (action->self);
  g_free (action->id);
  g_free (action);
}

static void
action_confirmed_cb (gpointer data)
{
  Action *action = data;
  EkMobileCall *call;

  if (action->self->cancellable == NULL || action->self->busy)
    return;
  call = ek_mobile_call_new (action->kind);
  call->id = g_strdup (action->id);
  set_busy (action->self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (action->self->notice_label), FALSE);
  ek_mobile_call_run_async (GTK_WIDGET (action->self), call, action->self->cancellable, answered_cb, g_object_ref (action->self));
}

static void
on_row_button_clicked_cb (GtkButton           *button,
                          EkMobileHistoryPage *self)
{
  Action *action = g_new0 (Action, 1);
  gboolean submit = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "submit"));

  action->self = g_object_ref (self);
  action->kind = submit ? EK_MOBILE_CALL_SUBMIT : EK_MOBILE_CALL_DELETE;
  action->id = g_strdup (g_object_get_data (G_OBJECT (button), "id"));
  if (submit)
    ek_mobile_confirm (GTK_WIDGET (self), _("Notice"), _("Submit the request?"), _("Confirm submission"),
                       _("Do not submit"), action_confirmed_cb, action, action_free);
  else
    ek_mobile_confirm (GTK_WIDGET (self), _("Notice"), _("Delete the request? It stays in the history, marked deleted."),
                       _("Delete"), _("Keep it"), action_confirmed_cb, action, action_free);
}

static GtkWidget *
row_button (EkMobileHistoryPage   *self,
            EkMobileAuthorization *a,
            const char            *text,
            const char            *what,
            gboolean               submit)
{
  GtkWidget *button = gtk_button_new_with_label (text);
  g_autofree char *time = ek_mobile_format_time (a->created_at, TRUE);
  /* Translators: a button's name for a screen reader: “Submit: 2026-12-06 10:00:00 Number change 13912345678” */
  g_autofree char *name = g_strdup_printf (_("%s: %s %s %s"), what, time, ek_mobile_kind_label (a->kind), a->mobile);

  gtk_widget_set_name (button, submit ? "mobile-submit" : "mobile-delete");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (button), "id", g_strdup (a->id), g_free);
  g_object_set_data (G_OBJECT (button), "submit", GINT_TO_POINTER (submit));
  g_signal_connect (button, "clicked", G_CALLBACK (on_row_button_clicked_cb), self);
  return button;
}

static const char *
enterprise_code (EkMobileHistoryPage   *self,
                 EkMobileAuthorization *a)
{
  EkApplicationDraft *draft = ek_page_get_draft (EK_PAGE (self));
  const char *code = NULL;

  if (a->applicant != NULL)
    {
      code = json_object_get_string_member_with_default (a->applicant, "code13", NULL);
      if (code == NULL)
        code = json_object_get_string_member_with_default (a->applicant, "uscc", NULL);
    }
  if (code == NULL || *code == '\0')
    code = ek_application_draft_get_string (draft, "enterprise-code");
  if (*code == '\0')
    code = ek_application_draft_get_string (draft, "credit-code");
  return code;
}

/* The seed's columns, two lines to a request so that the table fits a small window:
 *   请求时间   请求类型   手机号码   请求状态
 *   企业代码   是否删除   证书详情   操作 */
static void
show_list (EkMobileHistoryPage *self)
{
  const char *headings[] = {
    N_("Request time"), N_("Request type"), N_("Phone number"), N_("Request state"),
    N_("Enterprise code"), N_("Deleted?"), N_("Certificate"), N_("Action"),
  };
  GtkWidget *child;
  gboolean any_submitted = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->table))) != NULL)
    gtk_grid_remove (self->table, child);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), self->list->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->table), self->list->len > 0);
  if (self->list->len == 0)
    return;
  for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
    gtk_grid_attach (self->table, cell (_(headings[c]), "heading", 0), (int) c % 4, (int) c / 4, 1, 1);
  for (guint i = 0; i < self->list->len; i++)
    {
      EkMobileAuthorization *a = g_ptr_array_index (self->list, i);
      g_autofree char *date = ek_mobile_format_time (a->created_at, FALSE);
      g_autofree char *certificate = ek_mobile_certificate_label (a);
      gboolean pending = g_str_equal (a->state, "pending-submit") && !a->deleted;
      int row = 2 + (int) i * 3;
      GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

      any_submitted |= g_str_equal (a->state, "submitted");
      gtk_grid_attach (self->table, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL), 0, row, 4, 1);
      gtk_grid_attach (self->table, cell (date, NULL, 0), 0, row + 1, 1, 1);
      gtk_grid_attach (self->table, cell (ek_mobile_kind_label (a->kind), NULL, 0), 1, row + 1, 1, 1);
      gtk_grid_attach (self->table, cell (a->mobile, NULL, 0), 2, row + 1, 1, 1);
      /* the seed writes 登录商务部网站app下载 in red */
      gtk_grid_attach (self->table, cell (ek_mobile_state_label (a->state),
                                          g_str_equal (a->state, "submitted") ? "error" : NULL, 10), 3, row + 1, 1, 1);
      gtk_grid_attach (self->table, cell (enterprise_code (self, a), NULL, 0), 0, row + 2, 1, 1);
      gtk_grid_attach (self->table, cell (a->deleted ? _("Deleted") : _("Not deleted"), NULL, 0), 1, row + 2, 1, 1);
      gtk_grid_attach (self->table, cell (certificate, NULL, 10), 2, row + 2, 1, 1);
      if (pending)
        {
          gtk_box_append (GTK_BOX (actions), row_button (self, a, _("Submit"), _("Submit"), TRUE));
          gtk_box_append (GTK_BOX (actions), row_button (self, a, _("Delete"), _("Delete"), FALSE));
        }
      gtk_widget_set_valign (actions, GTK_ALIGN_CENTER);
      gtk_grid_attach (self->table, actions, 3, row + 2, 1, 1);
    }
  /* Just saved on the authorisation page: what to do with it */
  if (!gtk_widget_get_visible (GTK_WIDGET (self->notice_label)))
    {
      const char *just_saved = ek_application_draft_get_string (ek_page_get_draft (EK_PAGE (self)), "mobile-request-id");

      for (guint i = 0; *just_saved != '\0' && i < self->list->len; i++)
        {
          EkMobileAuthorization *a = g_ptr_array_index (self->list, i);

          if (g_str_equal (a->id, just_saved) && g_str_equal (a->state, "pending-submit") && !a->deleted)
            {
              gtk_label_set_text (self->notice_label, _("Your request is saved, not yet submitted: press Submit on its line to send it."));
              gtk_widget_set_visible (GTK_WIDGET (self->notice_label), TRUE);
            }
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->install_label), any_submitted);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EkMobileHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *list = ek_mobile_call_run_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&list, g_ptr_array_unref);
      return;
    }
  set_busy (self, FALSE);
  if (list == NULL)
    {
      show_error (self, error->message);
      return;
    }
  g_clear_pointer (&self->list, g_ptr_array_unref);
  self->list = list;
  show_list (self);
}

static void
load (EkMobileHistoryPage *self)
{
  set_busy (self, TRUE);
  ek_mobile_call_run_async (GTK_WIDGET (self), ek_mobile_call_new (EK_MOBILE_CALL_LIST), self->cancellable, list_cb, g_object_ref (self));
}

static void
on_refresh_button_clicked_cb (GtkButton           *button,
                              EkMobileHistoryPage *self)
{
  if (!self->busy)
    load (self);
}

static void
ek_mobile_history_page_shown (EkPage *page)
{
  EkMobileHistoryPage *self = EK_MOBILE_HISTORY_PAGE (page);

  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), FALSE);
  load (self);
}

static void
ek_mobile_history_page_dispose (GObject *object)
{
  EkMobileHistoryPage *self = EK_MOBILE_HISTORY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->list, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_MOBILE_HISTORY_PAGE);
  G_OBJECT_CLASS (ek_mobile_history_page_parent_class)->dispose (object);
}

static void
ek_mobile_history_page_class_init (EkMobileHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_mobile_history_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_mobile_history_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-mobile-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, empty_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, install_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkMobileHistoryPage, table);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_button_clicked_cb);
}

static void
ek_mobile_history_page_init (EkMobileHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* GTK 4.8 reads a mnemonic button's label and then its own name: the name (the template's,
   * without the Alt key) only */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->refresh_button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  self->cancellable = g_cancellable_new ();
  ek_page_set_complete (EK_PAGE (self), TRUE);
}

EkPage *
ek_mobile_history_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_MOBILE_HISTORY_PAGE, "draft", draft, "title", _("History"), NULL);
}
