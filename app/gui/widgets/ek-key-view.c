/* ek-key-view.c: “Your key” — each inserted key, its state and its certificates
 *
 * One section per key (no driver / no key inserted / key present / PIN locked) and a card per
 * certificate: the enterprise, the verdict on the 18-digit code with the way to add it, the
 * 13-digit code and login name with copy buttons, how long it stays valid, and every other
 * detail in an expander. The view watches the shared token manager and rebuilds itself when a
 * key is inserted or pulled out.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-credit-code.h"
#include "ek-key-view.h"
#include "ek-settings.h"

struct _EkKeyView
{
  GtkWidget       parent_instance;

  EkTokenManager *manager;
  GCancellable   *cancellable;
  GPtrArray      *tokens;
  gboolean        loading;
  gboolean        watching;

  GtkLabel       *problems_label;
  GtkScrolledWindow *scroller;
  GtkSpinner     *spinner;
  GtkBox         *tokens_box;
};

G_DEFINE_FINAL_TYPE (EkKeyView, ek_key_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MANAGER,
  PROP_LOADING,
  N_PROPS
};

enum
{
  SIGNAL_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GtkWidget *
make_label (const char *text,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
on_copy_clicked_cb (GtkButton *button,
                    gpointer   user_data)
{
  const char *text = g_object_get_data (G_OBJECT (button), "copy-text");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
}

static GtkWidget *
make_copy_button (const char *text,
                  const char *what)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  /* Translators: accessible name and tooltip of a copy button; %s is what it copies */
  g_autofree char *name = g_strdup_printf (_("Copy %s"), what);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (button), "copy-text", g_strdup (text), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_copy_clicked_cb), NULL);
  return button;
}

static GtkWidget *
make_business_button (const char *label,
                      const char *business_id)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.start-business");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", business_id);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  return button;
}

static void
add_value_row (GtkGrid    *grid,
               int         row,
               const char *name,
               const char *value,
               gboolean    copy)
{
  GtkWidget *name_label = make_label (name, "dim-label");
  GtkWidget *value_label = make_label (value != NULL ? value : "—", NULL);

  gtk_widget_set_valign (name_label, GTK_ALIGN_START);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  gtk_widget_set_hexpand (value_label, TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value_label), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  name_label, NULL, -1);
  gtk_grid_attach (grid, name_label, 0, row, 1, 1);
  gtk_grid_attach (grid, value_label, 1, row, 1, 1);
  if (copy && value != NULL)
    gtk_grid_attach (grid, make_copy_button (value, name), 2, row, 1, 1);
}

/* A subject attribute as a clerk reads it: “Organization (O)”, or its short name if unknown */
static char *
attribute_name (const char *short_name)
{
  static const struct { const char *id; const char *name; } names[] = {
    { "C", N_("Country") },
    { "ST", N_("State or province") },
    { "L", N_("Locality") },
    { "O", N_("Organization") },
    { "OU", N_("Organizational unit") },
    { "CN", N_("Common name") },
    { "emailAddress", N_("Email address") },
    { "serialNumber", N_("Serial number") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].id, short_name) == 0)
      /* Translators: a certificate subject's attribute: “Organization (O)” */
      return g_strdup_printf (_("%s (%s)"), _(names[i].name), short_name);
  return g_strdup (short_name);
}

/* The key usages of X.509 (RFC 5280, 4.2.1.3), by the names core gives them */
static const char *
key_usage_name (const char *usage)
{
  static const struct { const char *id; const char *name; } names[] = {
    { "digitalSignature", N_("Digital signature") },
    { "nonRepudiation", N_("Non-repudiation") },
    { "keyEncipherment", N_("Key encipherment") },
    { "dataEncipherment", N_("Data encipherment") },
    { "keyAgreement", N_("Key agreement") },
    { "keyCertSign", N_("Certificate signing") },
    { "cRLSign", N_("CRL signing") },
    { "encipherOnly", N_("Encipher only") },
    { "decipherOnly", N_("Decipher only") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (names[i].id, usage) == 0)
      return _(names[i].name);
  return usage;
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%Y-%m-%d");
}

static GtkWidget *
make_verdict (EkCertificateInfo *info)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *uscc = ek_certificate_info_get_uscc (info);
  const char *instead_value = NULL;
  EkUsccInstead instead = ek_certificate_info_get_uscc_instead (info, &instead_value);
  g_autofree char *text = NULL;
  GtkWidget *label, *explain = NULL;

  switch (ek_certificate_info_get_uscc_status (info))
    {
    case EK_USCC_VALID:
      /* Translators: %s is the 18-character unified social credit code */
      text = g_strdup_printf (_("✓ 18-digit code present and valid: %s"), uscc);
      label = make_label (text, "verdict-valid");
      break;
    case EK_USCC_BAD_CHECK:
      text = g_strdup_printf (_("⚠ 18-digit code present, but its check character is wrong: %s"), uscc);
      label = make_label (text, "verdict-bad-check");
      explain = make_label (_("A few early codes were issued this way and are still legal. Compare it with your business licence; if they differ, the certificate must be corrected."), "dim-label");
      break;
    case EK_USCC_ABSENT:
    default:
      label = make_label (_("✗ The certificate holds no 18-digit code"), "verdict-absent");
      if (instead == EK_USCC_INSTEAD_REGISTRATION_NUMBER)
        text = g_strdup_printf (_("In its place is an old 15-digit registration number: %s"), instead_value);
      else if (instead == EK_USCC_INSTEAD_ORGANIZATION_CODE)
        text = g_strdup_printf (_("In its place is a 9-character organisation code: %s"), instead_value);
      else if (instead == EK_USCC_INSTEAD_MALFORMED)
        text = g_strdup_printf (_("In its place is something that is not a valid code: %s"), instead_value);
      if (text != NULL)
        explain = make_label (text, "dim-label");
      break;
    }
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (line), label);
  if (uscc != NULL)
    gtk_box_append (GTK_BOX (line), make_copy_button (uscc, _("the 18-digit code")));
  gtk_box_append (GTK_BOX (box), line);
  if (explain != NULL)
    gtk_box_append (GTK_BOX (box), explain);

  if (ek_certificate_info_get_uscc_status (info) == EK_USCC_ABSENT)
    {
      GtkWidget *how = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *expander = gtk_expander_new (_("Domestic enterprise: how to add the code"));

      /* GTK 4.8 reads an expander by its type name unless it is named */
      gtk_accessible_update_property (GTK_ACCESSIBLE (expander), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Domestic enterprise: how to add the code"), -1);

      gtk_expander_set_child (GTK_EXPANDER (expander),
                              make_label (_("You hold a foreign trade operator registration form (对外贸易经营者备案登记表). Change that filing on MOFCOM’s unified platform to add the 18-digit code and wait for approval; the code is then added to the certificate at your next online renewal."), NULL));
      gtk_box_append (GTK_BOX (box), expander);
      gtk_box_append (GTK_BOX (how), make_business_button (_("Foreign-invested enterprise: apply to add the code"), "add-credit-code"));
      gtk_box_append (GTK_BOX (box), how);
    }
  return box;
}

static GtkWidget *
make_validity (EkCertificateInfo *info)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autofree char *until = format_date (ek_certificate_info_get_not_after (info));
  gint64 days = ek_certificate_info_get_days_left (info, NULL);
  g_autofree char *text = NULL;
  GtkWidget *label;

  if (ek_certificate_info_is_expired (info, NULL))
    {
      /* Translators: %s is a date */
      text = g_strdup_printf (_("Expired on %s: the key cannot be used until the certificate is renewed"), until);
      label = make_label (text, "validity-expired");
    }
  else
    {
      /* Translators: %s is a date, %d a number of days */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Valid until %s (%d day left)", "Valid until %s (%d days left)",
                                           (gulong) days), until, (int) days);
      label = make_label (text, days < 30 ? "validity-soon" : "validity-ok");
    }
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  if (ek_certificate_info_is_expired (info, NULL) || days < 30)
    gtk_box_append (GTK_BOX (box), make_business_button (_("Renew the certificate"), "renewal"));
  return box;
}

static GtkWidget *
make_details (EkToken           *token,
              EkCertificateInfo *info)
{
  GtkWidget *expander = gtk_expander_new (_("All details"));
  GtkWidget *grid = gtk_grid_new ();
  GPtrArray *attributes = ek_certificate_info_get_subject_attributes (info);
  g_autofree char *not_before = format_date (ek_certificate_info_get_not_before (info));
  g_autofree char *not_after = format_date (ek_certificate_info_get_not_after (info));
  g_autofree char *key = NULL, *usage = NULL, *id = ek_certificate_info_dup_object_id_hex (info);
  int row = 0;

  gtk_accessible_update_property (GTK_ACCESSIBLE (expander), GTK_ACCESSIBLE_PROPERTY_LABEL, _("All details"), -1);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_widget_set_margin_top (grid, 6);
  add_value_row (GTK_GRID (grid), row++, _("Subject"), ek_certificate_info_get_subject (info), FALSE);
  for (guint i = 0; i < attributes->len; i++)
    {
      EkDnAttribute *a = g_ptr_array_index (attributes, i);
      g_autofree char *name = attribute_name (a->name);

      /* Under “Subject”, set in by a margin (never by spaces a screen reader would read) */
      add_value_row (GTK_GRID (grid), row++, name, a->value, FALSE);
      gtk_widget_set_margin_start (gtk_grid_get_child_at (GTK_GRID (grid), 0, row - 1), 18);
    }
  add_value_row (GTK_GRID (grid), row++, _("Issuer"), ek_certificate_info_get_issuer (info), FALSE);
  add_value_row (GTK_GRID (grid), row++, _("Serial number"), ek_certificate_info_get_serial (info), TRUE);
  add_value_row (GTK_GRID (grid), row++, _("Valid from"), not_before, FALSE);
  add_value_row (GTK_GRID (grid), row++, _("Valid until"), not_after, FALSE);
  if (ek_certificate_info_get_key_bits (info) > 0)
    key = g_strdup_printf ("%s %u", ek_certificate_info_get_key_algorithm (info), ek_certificate_info_get_key_bits (info));
  else
    key = g_strdup (ek_certificate_info_get_key_algorithm (info));
  add_value_row (GTK_GRID (grid), row++, _("Key"), key, FALSE);
  add_value_row (GTK_GRID (grid), row++, _("Signature"), ek_certificate_info_get_signature_algorithm (info), FALSE);
  {
    const char * const *usages = ek_certificate_info_get_key_usage (info);
    g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
    g_auto(GStrv) translated = NULL;

    for (guint i = 0; usages != NULL && usages[i] != NULL; i++)
      g_strv_builder_add (names, key_usage_name (usages[i]));
    translated = g_strv_builder_end (names);
    /* Translators: between two key usages in a list */
    usage = g_strjoinv (_(", "), translated);
  }
  add_value_row (GTK_GRID (grid), row++, _("Key usage"), usage[0] != '\0' ? usage : NULL, FALSE);
  add_value_row (GTK_GRID (grid), row++, _("SHA-256 fingerprint"), ek_certificate_info_get_sha256 (info), TRUE);
  add_value_row (GTK_GRID (grid), row++, _("Label on the key"), ek_certificate_info_get_object_label (info), FALSE);
  add_value_row (GTK_GRID (grid), row++, _("Object ID"), id, FALSE);
  add_value_row (GTK_GRID (grid), row++, _("Driver"), ek_token_get_module_path (token), FALSE);
  gtk_expander_set_child (GTK_EXPANDER (expander), grid);
  return expander;
}

static GtkWidget *
make_certificate_card (EkToken           *token,
                       EkCertificateInfo *info)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *codes = gtk_grid_new ();
  const char *name = ek_certificate_info_get_enterprise_name (info);
  GtkWidget *title;

  gtk_widget_add_css_class (card, "key-card");
  title = make_label (name != NULL ? name : ek_certificate_info_get_common_name (info), "title-3");
  gtk_label_set_selectable (GTK_LABEL (title), TRUE);
  gtk_box_append (GTK_BOX (card), title);
  gtk_box_append (GTK_BOX (card), make_verdict (info));

  gtk_grid_set_column_spacing (GTK_GRID (codes), 12);
  {
    const char *code13 = ek_certificate_info_get_enterprise_code_13 (info);
    g_autofree char *shown = NULL;

    /* The organisation code inside it carries a GB 11714 check character */
    if (code13 != NULL && ek_enterprise_code_13_check (code13) == EK_CREDIT_CODE_BAD_CHECK)
      /* Translators: %s is the 13-character code; its last character is wrong */
      shown = g_strdup_printf (_("%s (wrong check character)"), code13);
    add_value_row (GTK_GRID (codes), 0, _("13-digit enterprise code"), shown != NULL ? shown : code13, TRUE);
  }
  add_value_row (GTK_GRID (codes), 1, _("Login name"), ek_certificate_info_get_login_name (info), TRUE);
  gtk_box_append (GTK_BOX (card), codes);
  gtk_box_append (GTK_BOX (card), make_validity (info));
  gtk_box_append (GTK_BOX (card), make_details (token, info));
  gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name != NULL ? name : ek_certificate_info_get_common_name (info), -1);
  return card;
}

static GtkWidget *
make_token_section (EkToken *token)
{
  GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title, *state, *pin;
  EkPinState pin_state = ek_token_get_pin_state (token);
  GPtrArray *certificates = ek_token_get_certificates (token);
  GPtrArray *problems = ek_token_get_problems (token);
  g_autofree char *heading = NULL, *details = NULL;

  /* Translators: a key's heading: its label */
  heading = g_strdup_printf (_("Key “%s”"), ek_token_get_label (token));
  title = make_label (heading, "title-4");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  state = gtk_label_new (pin_state == EK_PIN_STATE_LOCKED ? _("PIN locked") : _("Key present"));
  gtk_widget_add_css_class (state, pin_state == EK_PIN_STATE_LOCKED ? "state-locked" : "state-present");
  gtk_widget_add_css_class (state, "state-pill");
  gtk_box_append (GTK_BOX (header), state);
  gtk_box_append (GTK_BOX (section), header);

  details = g_strdup_printf ("%s %s · %s %s", ek_token_get_manufacturer (token), ek_token_get_model (token),
                             _("serial"), ek_token_get_serial (token));
  gtk_box_append (GTK_BOX (section), make_label (details, "dim-label"));

  pin = make_label (ek_pin_state_describe (pin_state),
                    pin_state == EK_PIN_STATE_OK ? "dim-label" : pin_state == EK_PIN_STATE_COUNT_LOW ? "pin-warning" : "pin-danger");
  gtk_box_append (GTK_BOX (section), pin);
  if (pin_state == EK_PIN_STATE_LOCKED)
    gtk_box_append (GTK_BOX (section), make_business_button (_("Apply for PIN unlock"), "pin-unlock"));

  if (certificates->len == 0)
    gtk_box_append (GTK_BOX (section), make_label (_("This key holds no certificate."), NULL));
  for (guint i = 0; i < certificates->len; i++)
    gtk_box_append (GTK_BOX (section), make_certificate_card (token, g_ptr_array_index (certificates, i)));
  for (guint i = 0; i < problems->len; i++)
    gtk_box_append (GTK_BOX (section), make_label (g_ptr_array_index (problems, i), "pin-warning"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (section), GTK_ACCESSIBLE_PROPERTY_LABEL, heading, -1);
  return section;
}

static void
on_use_driver_clicked_cb (GtkButton *button,
                          EkKeyView *self);

static GtkWidget *
make_empty_state (EkKeyView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  g_autofree char *message = NULL, *vendor = NULL;
  EkTokenDiagnosis diagnosis = ek_token_manager_diagnose (self->manager, &message, &vendor);
  gboolean no_driver = diagnosis == EK_TOKEN_DIAGNOSIS_NO_MODULE || diagnosis == EK_TOKEN_DIAGNOSIS_VENDOR_UNREGISTERED;

  gtk_box_append (GTK_BOX (box), make_label (no_driver ? _("No key driver") : _("No key inserted"), "title-4"));
  gtk_box_append (GTK_BOX (box), make_label (message, NULL));
  if (vendor != NULL)
    {
      GtkWidget *button = gtk_button_new_with_label (_("Use this driver"));

      gtk_widget_set_halign (button, GTK_ALIGN_START);
      g_object_set_data_full (G_OBJECT (button), "module", g_strdup (vendor), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_use_driver_clicked_cb), self);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_widget_add_css_class (box, "key-card");
  return box;
}

static void
rebuild (EkKeyView *self)
{
  g_autoptr(GPtrArray) errors = ek_token_manager_get_module_errors (self->manager);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tokens_box))) != NULL)
    gtk_box_remove (self->tokens_box, child);

  if (errors->len > 0)
    {
      GString *text = g_string_new (NULL);

      for (guint i = 0; i < errors->len; i++)
        g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", ((GError *) g_ptr_array_index (errors, i))->message);
      gtk_label_set_label (self->problems_label, text->str);
      g_string_free (text, TRUE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), errors->len > 0);

  if (self->tokens == NULL || self->tokens->len == 0)
    gtk_box_append (self->tokens_box, make_empty_state (self));
  else
    for (guint i = 0; i < self->tokens->len; i++)
      gtk_box_append (self->tokens_box, make_token_section (g_ptr_array_index (self->tokens, i)));
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static void
set_loading (EkKeyView *self,
             gboolean   loading)
{
  self->loading = loading;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkKeyView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tokens = ek_token_manager_list_tokens_finish (EK_TOKEN_MANAGER (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (tokens == NULL)
    g_warning ("Failed to read the keys: %s", error->message);
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  self->tokens = tokens != NULL ? g_ptr_array_ref (tokens) : NULL;
  set_loading (self, FALSE);
  rebuild (self);
}

static void
refresh (EkKeyView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  ek_token_manager_list_tokens_async (self->manager, self->cancellable, list_done_cb, g_object_ref (self));
}

static void
on_tokens_changed_cb (EkTokenManager *manager,
                      EkKeyView      *self)
{
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  self->tokens = ek_token_manager_get_tokens (manager);
  rebuild (self);
}

static void
set_manager (EkKeyView      *self,
             EkTokenManager *manager)
{
  if (self->manager != NULL)
    {
      if (self->watching)
        ek_token_manager_stop_watching (self->manager);
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_clear_object (&self->manager);
    }
  self->manager = g_object_ref (manager);
  g_signal_connect (self->manager, "tokens-changed", G_CALLBACK (on_tokens_changed_cb), self);
  if (self->watching)
    ek_token_manager_start_watching (self->manager, 0);
}

static void
on_use_driver_clicked_cb (GtkButton *button,
                          EkKeyView *self)
{
  const char *module = g_object_get_data (G_OBJECT (button), "module");
  g_autoptr(GSettings) settings = ek_settings_new_if_installed ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(EkTokenManager) manager = NULL;
  g_auto(GStrv) modules = NULL;

  if (settings != NULL)
    {
      g_auto(GStrv) current = g_settings_get_strv (settings, "pkcs11-modules");

      g_strv_builder_addv (builder, (const char **) current);
    }
  g_strv_builder_add (builder, module);
  modules = g_strv_builder_end (builder);
  if (settings != NULL)
    g_settings_set_strv (settings, "pkcs11-modules", (const char * const *) modules);
  manager = ek_token_manager_new ((const char * const *) modules, EK_TOKEN_MANAGER_FLAGS_NONE);
  set_manager (self, manager);
  refresh (self);
}

static void
ek_key_view_map (GtkWidget *widget)
{
  EkKeyView *self = EK_KEY_VIEW (widget);

  GTK_WIDGET_CLASS (ek_key_view_parent_class)->map (widget);
  if (!self->watching)
    {
      self->watching = TRUE;
      ek_token_manager_start_watching (self->manager, 0);
    }
}

static void
ek_key_view_unmap (GtkWidget *widget)
{
  EkKeyView *self = EK_KEY_VIEW (widget);

  if (self->watching)
    {
      self->watching = FALSE;
      ek_token_manager_stop_watching (self->manager);
    }
  GTK_WIDGET_CLASS (ek_key_view_parent_class)->unmap (widget);
}

static void
ek_key_view_constructed (GObject *object)
{
  EkKeyView *self = EK_KEY_VIEW (object);

  G_OBJECT_CLASS (ek_key_view_parent_class)->constructed (object);
  if (self->manager == NULL)
    {
      /* The same modules as `ekey-tool token list` reads */
      g_auto(GStrv) modules = ek_settings_dup_pkcs11_modules (NULL);
      g_autoptr(EkTokenManager) manager = ek_token_manager_dup_default ((const char * const *) modules);

      set_manager (self, manager);
    }
  refresh (self);
}

static void
ek_key_view_dispose (GObject *object)
{
  EkKeyView *self = EK_KEY_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->manager != NULL)
    {
      if (self->watching)
        ek_token_manager_stop_watching (self->manager);
      self->watching = FALSE;
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_clear_object (&self->manager);
    }
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_KEY_VIEW);

  G_OBJECT_CLASS (ek_key_view_parent_class)->dispose (object);
}

static void
ek_key_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkKeyView *self = EK_KEY_VIEW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_key_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EkKeyView *self = EK_KEY_VIEW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      if (g_value_get_object (value) != NULL)
        set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_key_view_class_init (EkKeyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_key_view_constructed;
  object_class->dispose = ek_key_view_dispose;
  object_class->get_property = ek_key_view_get_property;
  object_class->set_property = ek_key_view_set_property;
  widget_class->map = ek_key_view_map;
  widget_class->unmap = ek_key_view_unmap;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, EK_TYPE_TOKEN_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkKeyView::updated:
   * The view now shows the current keys (after the first read, and after each change).
   */
  signals[SIGNAL_UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/ekeyassistant/EKeyAssistant/ui/ek-key-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EkKeyView, problems_label);
  gtk_widget_class_bind_template_child (widget_class, EkKeyView, scroller);
  gtk_widget_class_bind_template_child (widget_class, EkKeyView, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkKeyView, tokens_box);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ek_key_view_init (EkKeyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ek_key_view_new:
 * @manager: (nullable): the token manager to show; %NULL for the shared one (with the
 *   extra modules of the settings)
 */
GtkWidget *
ek_key_view_new (EkTokenManager *manager)
{
  return g_object_new (EK_TYPE_KEY_VIEW, "manager", manager, NULL);
}

EkTokenManager *
ek_key_view_get_manager (EkKeyView *self)
{
  g_return_val_if_fail (EK_IS_KEY_VIEW (self), NULL);
  return self->manager;
}

/* (transfer none) (nullable): the keys shown now */
GPtrArray *
ek_key_view_get_tokens (EkKeyView *self)
{
  g_return_val_if_fail (EK_IS_KEY_VIEW (self), NULL);
  return self->tokens;
}

gboolean
ek_key_view_get_loading (EkKeyView *self)
{
  g_return_val_if_fail (EK_IS_KEY_VIEW (self), FALSE);
  return self->loading;
}
