/* ek-seal-page.c: the wizard step "Electronic seal", the seal business's home (seed 003)
 *
 * After the key log-in (with the 13-digit code): the enterprise's seals (正常 / 注销, with the
 * image the service made) and its seal requests (印章申请 / 印章更新 …, 新申请 / 已审核 …), and the
 * actions the seed offers in that state: 电子印章申请 while the enterprise has no seal in use;
 * with one, 电子印章变更 and 续绑 for a user bound to it, 证书绑定申请 for one who is not. 续绑 is done
 * at once on confirmation (no letter, no review); the others go on to the form. A request still
 * waiting for its letter leads to the letter step (印章确认函打印及上传); 印章状态查询 asks again.
 *
 * The page is a template (ui/pages/seal/ek-seal-page.ui); C builds the rows of the two lists.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-seal-common.h"
#include "ek-seal-page.h"
#include "ek-ui-helpers.h"

struct _EkSealPage
{
  EkPage        parent_instance;

  GCancellable *cancellable;
  GPtrArray    *seals;      /* EkSeal*, newest first */
  GPtrArray    *requests;   /* EkSealRequest*, newest first */
  guint         n_loads;
  gboolean      busy;

  GtkButton    *apply_button;
  GtkWidget    *apply_button_box;
  GtkButton    *bind_button;
  GtkWidget    *bind_button_box;
  GtkButton    *change_button;
  GtkWidget    *change_button_box;
  GtkLabel     *error_label;
  GtkButton    *letter_button;
  GtkLabel     *message_label;
  GtkButton    *rebind_button;
  GtkWidget    *rebind_button_box;
  GtkButton    *refresh_button;
  GtkListBox   *requests_list;
  GtkLabel     *requests_empty;
  GtkListBox   *seals_list;
  GtkLabel     *seals_empty;
  GtkSpinner   *spinner;
  GtkLabel     *welcome_label;
};

G_DEFINE_FINAL_TYPE (EkSealPage, ek_seal_page, EK_TYPE_PAGE)

static EkApplicationDraft *
draft_of (EkSealPage *self)
{
  return ek_page_get_draft (EK_PAGE (self));
}

static void
show_error (EkSealPage *self,
            const char *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
show_message (EkSealPage *self,
              const char *message)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
set_busy (EkSealPage *self,
          gboolean    busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->change_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bind_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rebind_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !busy);
}

static EkSeal *
seal_in_use (EkSealPage *self)
{
  for (guint i = 0; self->seals != NULL && i < self->seals->len; i++)
    {
      EkSeal *seal = g_ptr_array_index (self->seals, i);

      if (g_str_equal (seal->state, "normal"))
        return seal;
    }
  return NULL;
}

static gboolean
is_bound (EkSealPage *self,
          EkSeal     *seal)
{
  const char *login = ek_application_draft_get_string (draft_of (self), "key-login-name");

  return seal != NULL && seal->users != NULL && *login != '\0' && g_strv_contains ((const char * const *) seal->users, login);
}

static gboolean
needs_letter (EkSealRequest *r)
{
  return r->form != NULL && (g_str_equal (r->state, "new") || g_str_equal (r->state, "rejected"));
}

/* The newest request still waiting for its letter, or NULL */
static EkSealRequest *
request_needing_letter (EkSealPage *self)
{
  for (guint i = 0; self->requests != NULL && i < self->requests->len; i++)
    if (needs_letter (g_ptr_array_index (self->requests, i)))
      return g_ptr_array_index (self->requests, i);
  return NULL;
}

static void
update_actions (EkSealPage *self)
{
  EkSeal *seal = seal_in_use (self);
  gboolean bound = is_bound (self, seal);
  gboolean loaded = self->seals != NULL;

  gtk_widget_set_visible (self->apply_button_box, loaded && seal == NULL);
  gtk_widget_set_visible (self->change_button_box, seal != NULL && bound);
  gtk_widget_set_visible (self->rebind_button_box, seal != NULL && bound);
  gtk_widget_set_visible (self->bind_button_box, seal != NULL && !bound);
  gtk_widget_set_sensitive (GTK_WIDGET (self->letter_button), !self->busy && request_needing_letter (self) != NULL);
}

/* ---- Rows ---- */

static GtkWidget *
row_box_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  return box;
}

static GtkWidget *
text_label_new (const char *text,
                const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static GtkWidget *
seal_row_new (EkSeal *seal,
              GBytes *image)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = row_box_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *when = ek_seal_format_time (seal->created_at);
  g_autofree char *users = seal->users != NULL ? g_strjoinv ("、", seal->users) : g_strdup ("");
  g_autofree char *made = g_strdup_printf (_("Made on %s"), when);
  g_autofree char *bound = g_strdup_printf (_("Bound users: %s"), users);
  g_autofree char *accessible = NULL;
  const char *state = ek_seal_state_label (seal->state);
  GtkWidget *state_label, *picture;

  if (image != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (image, &error);

      picture = texture != NULL ? gtk_picture_new_for_paintable (GDK_PAINTABLE (texture)) : NULL;
      if (picture != NULL)
        {
          gtk_widget_set_size_request (picture, 96, 96);
          gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
          gtk_widget_set_name (picture, "seal-image");
          gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Image of the seal"), -1);
          gtk_box_append (GTK_BOX (box), picture);
        }
    }
  gtk_box_append (GTK_BOX (text), text_label_new (seal->name, "heading"));
  state_label = text_label_new (state, g_str_equal (seal->state, "normal") ? "check-passed" : "dim-label");
  gtk_widget_set_name (state_label, "seal-state");
  gtk_box_append (GTK_BOX (text), state_label);
  gtk_box_append (GTK_BOX (text), text_label_new (made, "dim-label"));
  gtk_box_append (GTK_BOX (text), text_label_new (bound, "dim-label"));
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_name (row, seal->id);
  accessible = g_strdup_printf ("%s, %s, %s, %s", seal->name, state, made, bound);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return row;
}

static void
on_request_letter_clicked_cb (GtkButton  *button,
                              EkSealPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "request-id");
  EkApplicationDraft *draft = draft_of (self);

  ek_seal_choose_request (draft, id);
  ek_page_set_complete (EK_PAGE (self), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "seal-letter");
}

static GtkWidget *
request_row_new (EkSealPage    *self,
                 EkSealRequest *r)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = row_box_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *when = ek_seal_format_time (r->created_at);
  g_autofree char *title = g_strdup_printf ("%s · %s", ek_seal_kind_label (r->kind), ek_seal_request_state_label (r->state));
  /* Translators: when a seal request was made, and its number */
  g_autofree char *detail = g_strdup_printf (_("Applied on %s · number %s"), when, r->id);
  g_autofree char *accessible = NULL;
  GtkWidget *state;

  state = text_label_new (title, "heading");
  gtk_widget_set_name (state, "seal-request-state");
  gtk_box_append (GTK_BOX (text), state);
  if (r->enterprise_name != NULL && *r->enterprise_name != '\0')
    gtk_box_append (GTK_BOX (text), text_label_new (r->enterprise_name, NULL));
  gtk_box_append (GTK_BOX (text), text_label_new (detail, "dim-label"));
  if (r->certificate_subject != NULL)
    gtk_box_append (GTK_BOX (text), text_label_new (r->certificate_subject, "dim-label"));
  if (r->remark != NULL && g_str_equal (r->state, "rejected"))
    {
      g_autofree char *remark = g_strdup_printf (_("Sent back by the reviewer: %s"), r->remark);
      gtk_box_append (GTK_BOX (text), text_label_new (remark, "error"));
    }
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  if (r->form != NULL && !g_str_equal (r->kind, "rebind"))
    {
      GtkWidget *button = gtk_button_new_with_label (needs_letter (r) ? _("Letter: print and upload…") : _("Letter…"));
      g_autofree char *name = g_strdup_printf (_("The confirmation letter of the request of %s"), when);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_name (button, "seal-request-letter");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      g_object_set_data_full (G_OBJECT (button), "request-id", g_strdup (r->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_request_letter_clicked_cb), self);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_name (row, r->id);
  accessible = g_strdup_printf ("%s, %s", title, detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* ---- Loading ---- */

typedef struct
{
  GPtrArray  *seals;
  GPtrArray  *requests;
  GHashTable *images;   /* seal id → GBytes */
} Lists;

static void
lists_free (Lists *lists)
{
  g_clear_pointer (&lists->seals, g_ptr_array_unref);
  g_clear_pointer (&lists->requests, g_ptr_array_unref);
  g_clear_pointer (&lists->images, g_hash_table_unref);
  g_free (lists);
}

static gpointer
load_call (EkApiClient   *client,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Lists *lists = g_new0 (Lists, 1);

  lists->images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  lists->seals = ek_api_client_list_seals_sync (client, cancellable, error);
  if (lists->seals != NULL)
    lists->requests = ek_api_client_list_seal_requests_sync (client, cancellable, error);
  if (lists->requests == NULL)
    {
      lists_free (lists);
      return NULL;
    }
  for (guint i = 0; i < lists->seals->len; i++)
    {
      EkSeal *seal = g_ptr_array_index (lists->seals, i);
      g_autoptr(GError) image_error = NULL;
      GBytes *image = seal->image_path != NULL
                      ? ek_api_client_get_seal_image_sync (client, seal->image_path, cancellable, &image_error) : NULL;

      /* a seal without its image is still shown */
      if (image != NULL)
        g_hash_table_insert (lists->images, g_strdup (seal->id), image);
      else if (image_error != NULL)
        g_message ("Seal %s: no image: %s", seal->id, image_error->message);
    }
  return lists;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EkSealPage) self = user_data;
  g_autoptr(GError) error = NULL;
  Lists *lists = ek_seal_call_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&lists, lists_free);
      return;
    }
  set_busy (self, FALSE);
  if (lists == NULL)
    {
      show_error (self, error->message);
      update_actions (self);
      return;
    }
  show_error (self, NULL);
  g_clear_pointer (&self->seals, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  self->seals = g_steal_pointer (&lists->seals);
  self->requests = g_steal_pointer (&lists->requests);

  clear_list (self->seals_list);
  for (guint i = 0; i < self->seals->len; i++)
    {
      EkSeal *seal = g_ptr_array_index (self->seals, i);
      gtk_list_box_append (self->seals_list, seal_row_new (seal, g_hash_table_lookup (lists->images, seal->id)));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->seals_list), self->seals->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->seals_empty), self->seals->len == 0);

  clear_list (self->requests_list);
  for (guint i = 0; i < self->requests->len; i++)
    gtk_list_box_append (self->requests_list, request_row_new (self, g_ptr_array_index (self->requests, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->requests_list), self->requests->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->requests_empty), self->requests->len == 0);

  lists_free (lists);
  update_actions (self);
  self->n_loads++;
}

void
ek_seal_page_refresh (EkSealPage *self)
{
  g_return_if_fail (EK_IS_SEAL_PAGE (self));

  if (self->busy)
    return;
  set_busy (self, TRUE);
  ek_seal_call_async (GTK_WIDGET (self), load_call, NULL, NULL, (GDestroyNotify) lists_free, self->cancellable,
                      loaded_cb, g_object_ref (self));
}

guint
ek_seal_page_get_n_loads (EkSealPage *self)
{
  g_return_val_if_fail (EK_IS_SEAL_PAGE (self), 0);
  return self->n_loads;
}

/* ---- Actions ---- */

/* The newest request's form fills what the draft does not hold yet */
static void
prefill (EkSealPage *self)
{
  EkApplicationDraft *draft = draft_of (self);
  guint n;
  const EkSealField *fields = ek_seal_get_fields (&n);

  for (guint i = 0; self->requests != NULL && i < self->requests->len; i++)
    {
      EkSealRequest *r = g_ptr_array_index (self->requests, i);
      g_autoptr(EkApplicationDraft) scratch = NULL;

      if (r->form == NULL)
        continue;
      scratch = ek_application_draft_new ();
      ek_seal_form_to_draft (r->form, scratch);
      for (guint j = 0; j < n; j++)
        if (*ek_application_draft_get_string (draft, fields[j].draft_name) == '\0')
          ek_application_draft_set_string (draft, fields[j].draft_name,
                                           ek_application_draft_get_string (scratch, fields[j].draft_name));
      return;
    }
}

static void
start_form (EkSealPage *self,
            const char *kind)
{
  EkApplicationDraft *draft = draft_of (self);

  ek_application_draft_set_string (draft, "seal-kind", kind);
  ek_seal_choose_request (draft, "");
  ek_application_draft_set_string (draft, "status", "");
  ek_application_draft_set_string (draft, "create-key", "");
  prefill (self);
  ek_page_set_complete (EK_PAGE (self), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "seal-form");
}

typedef struct
{
  JsonObject *form;
  char       *key;
} RebindData;

static void
rebind_data_free (RebindData *d)
{
  json_object_unref (d->form);
  g_free (d->key);
  g_free (d);
}

static gpointer
rebind_call (EkApiClient   *client,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  RebindData *d = data;

  return ek_api_client_create_seal_request_sync (client, "rebind", d->form, d->key, cancellable, error);
}

static void
rebound_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkSealPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSealRequest) request = ek_seal_call_finish (result, &error);

  if (self->cancellable == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (request == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_message (self, _("Re-bound: the electronic seal can be used with this certificate."));
  ek_seal_page_refresh (self);
}

static void
on_rebind_response_cb (GtkDialog  *dialog,
                       int         response,
                       EkSealPage *self)
{
  RebindData *d;
  g_autofree char *key = NULL;

  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response != GTK_RESPONSE_ACCEPT)
    return;
  prefill (self);
  d = g_new0 (RebindData, 1);
  d->form = ek_seal_form_from_draft (draft_of (self));
  d->key = g_uuid_string_random ();
  set_busy (self, TRUE);
  show_error (self, NULL);
  ek_seal_call_async (GTK_WIDGET (self), rebind_call, d, (GDestroyNotify) rebind_data_free, (GDestroyNotify) ek_seal_request_free,
                      self->cancellable, rebound_cb, g_object_ref (self));
}

static void
confirm_rebind (EkSealPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *subject = ek_application_draft_get_string (draft_of (self), "certificate-subject");
  GtkWidget *dialog;

  dialog = gtk_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", _("Re-bind the seal?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("The enterprise’s seal will be bound to the certificate you logged in with (%s) at once, "
                                              "with the details of your last seal request: no letter and no review. "
                                              "Once submitted, the information can no longer be changed."), subject);
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_I have checked it: submit"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  gtk_widget_set_name (dialog, "seal-rebind-dialog");
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Re-bind the seal?"), -1);
  g_signal_connect (dialog, "response", G_CALLBACK (on_rebind_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_action_clicked_cb (GtkButton  *button,
                      EkSealPage *self)
{
  show_message (self, NULL);
  if (button == self->apply_button)
    start_form (self, "apply");
  else if (button == self->change_button)
    start_form (self, "change");
  else if (button == self->bind_button)
    start_form (self, "bind-user");
  else if (button == self->rebind_button)
    confirm_rebind (self);
  else if (button == self->letter_button)
    {
      EkSealRequest *r = request_needing_letter (self);

      if (r != NULL)
        {
          ek_seal_choose_request (draft_of (self), r->id);
          ek_page_set_complete (EK_PAGE (self), TRUE);
          gtk_widget_activate_action (GTK_WIDGET (self), "wizard.go-to-step", "s", "seal-letter");
        }
    }
  else if (button == self->refresh_button)
    ek_seal_page_refresh (self);
}

static void
ek_seal_page_shown (EkPage *page)
{
  EkSealPage *self = EK_SEAL_PAGE (page);
  EkApplicationDraft *draft = draft_of (self);
  g_autofree char *welcome = NULL;

  /* Translators: the seal home's greeting: the enterprise's 13-digit code and the login name */
  welcome = g_strdup_printf (_("Enterprise code: %s · User: %s"), ek_application_draft_get_string (draft, "enterprise-code"),
                             ek_application_draft_get_string (draft, "key-login-name"));
  gtk_label_set_text (self->welcome_label, welcome);
  ek_page_set_complete (EK_PAGE (self), *ek_application_draft_get_string (draft, "seal-kind") != '\0');
  update_actions (self);
  ek_seal_page_refresh (self);
}

static void
ek_seal_page_dispose (GObject *object)
{
  EkSealPage *self = EK_SEAL_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->seals, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_SEAL_PAGE);
  G_OBJECT_CLASS (ek_seal_page_parent_class)->dispose (object);
}

static void
ek_seal_page_class_init (EkSealPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_seal_page_dispose;
  EK_PAGE_CLASS (klass)->shown = ek_seal_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-seal-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, apply_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, apply_button_box);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, bind_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, bind_button_box);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, change_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, change_button_box);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, letter_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, rebind_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, rebind_button_box);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, requests_list);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, requests_empty);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, seals_list);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, seals_empty);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkSealPage, welcome_label);
  gtk_widget_class_bind_template_callback (widget_class, on_action_clicked_cb);
}

static void
ek_seal_page_init (EkSealPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ek_ui_read_names_once (GTK_WIDGET (self->apply_button), GTK_WIDGET (self->change_button), GTK_WIDGET (self->bind_button),
                         GTK_WIDGET (self->rebind_button), GTK_WIDGET (self->letter_button),
                         GTK_WIDGET (self->refresh_button), NULL);
  self->cancellable = g_cancellable_new ();
  /* nothing is offered before the service has said what the enterprise has */
  gtk_widget_set_visible (self->apply_button_box, FALSE);
  gtk_widget_set_visible (self->change_button_box, FALSE);
  gtk_widget_set_visible (self->bind_button_box, FALSE);
  gtk_widget_set_visible (self->rebind_button_box, FALSE);
}

EkPage *
ek_seal_page_new (EkApplicationDraft *draft)
{
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  return g_object_new (EK_TYPE_SEAL_PAGE, "draft", draft, "title", _("Electronic seal"), NULL);
}
