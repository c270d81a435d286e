/* ek-tool-token-list.c: `ekey-tool token list`, and the certificate output `cert show` shares
 *
 * The JSON keys are a contract with scripts and the helpdesk: add keys, never rename.
 * Needs GLib, GObject and p11-kit only: it is built both into the commands' library and into the
 * lean one that `ekey-tool token list` runs (ek-tool-lean.c), which does not load GIO.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <p11-kit/pkcs11.h>
#include <stdio.h>

#include "ek-certificate-info.h"
#include "ek-json-writer.h"
#include "ek-token-manager.h"
#include "ek-tool-token-list.h"

void
ek_tool_print_json_text (EkJsonWriter *writer)
{
  fputs (ek_json_writer_get_text (writer), stdout);
  fputc ('\n', stdout);
}

static void
add_string_or_null (EkJsonWriter *builder,
                    const char   *name,
                    const char   *value)
{
  ek_json_writer_set_member_name (builder, name);
  if (value != NULL)
    ek_json_writer_add_string_value (builder, value);
  else
    ek_json_writer_add_null_value (builder);
}

static void
add_date (EkJsonWriter *builder,
          const char   *name,
          GDateTime    *date)
{
  g_autofree char *text = date != NULL ? g_date_time_format_iso8601 (date) : NULL;

  add_string_or_null (builder, name, text);
}

static void
add_attributes (EkJsonWriter *builder,
                const char   *name,
                GPtrArray    *attributes)
{
  ek_json_writer_set_member_name (builder, name);
  ek_json_writer_begin_array (builder);
  for (guint i = 0; i < attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (attributes, i);

      ek_json_writer_begin_object (builder);
      ek_json_writer_set_member_name (builder, "oid");
      ek_json_writer_add_string_value (builder, a->oid);
      ek_json_writer_set_member_name (builder, "name");
      ek_json_writer_add_string_value (builder, a->name);
      ek_json_writer_set_member_name (builder, "value");
      ek_json_writer_add_string_value (builder, a->value);
      ek_json_writer_end_object (builder);
    }
  ek_json_writer_end_array (builder);
}

static void
add_strv (EkJsonWriter        *builder,
          const char         *name,
          const char * const *values)
{
  ek_json_writer_set_member_name (builder, name);
  ek_json_writer_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    ek_json_writer_add_string_value (builder, values[i]);
  ek_json_writer_end_array (builder);
}

void
ek_tool_add_certificate (EkJsonWriter      *builder,
                         EkCertificateInfo *info,
                         GDateTime         *now)
{
  g_autofree char *id = ek_certificate_info_dup_object_id_hex (info);
  const char *instead_value = NULL;
  EkUsccInstead instead = ek_certificate_info_get_uscc_instead (info, &instead_value);
  guint bits = ek_certificate_info_get_key_bits (info);

  ek_json_writer_begin_object (builder);
  add_string_or_null (builder, "label", ek_certificate_info_get_object_label (info));
  add_string_or_null (builder, "id", id);
  add_string_or_null (builder, "subject", ek_certificate_info_get_subject (info));
  add_string_or_null (builder, "issuer", ek_certificate_info_get_issuer (info));
  add_strv (builder, "organizations", ek_certificate_info_get_organizations (info));
  add_string_or_null (builder, "common_name", ek_certificate_info_get_common_name (info));
  add_string_or_null (builder, "enterprise_name", ek_certificate_info_get_enterprise_name (info));
  add_string_or_null (builder, "enterprise_code_13", ek_certificate_info_get_enterprise_code_13 (info));
  add_string_or_null (builder, "login_name", ek_certificate_info_get_login_name (info));

  ek_json_writer_set_member_name (builder, "uscc");
  ek_json_writer_begin_object (builder);
  ek_json_writer_set_member_name (builder, "status");
  ek_json_writer_add_string_value (builder, ek_uscc_status_to_string (ek_certificate_info_get_uscc_status (info)));
  add_string_or_null (builder, "value", ek_certificate_info_get_uscc (info));
  ek_json_writer_set_member_name (builder, "instead");
  if (instead != EK_USCC_INSTEAD_NOTHING)
    {
      ek_json_writer_begin_object (builder);
      ek_json_writer_set_member_name (builder, "kind");
      ek_json_writer_add_string_value (builder, ek_uscc_instead_to_string (instead));
      add_string_or_null (builder, "value", instead_value);
      ek_json_writer_end_object (builder);
    }
  else
    ek_json_writer_add_null_value (builder);
  ek_json_writer_end_object (builder);

  add_string_or_null (builder, "serial", ek_certificate_info_get_serial (info));
  add_date (builder, "not_before", ek_certificate_info_get_not_before (info));
  add_date (builder, "not_after", ek_certificate_info_get_not_after (info));
  ek_json_writer_set_member_name (builder, "days_left");
  ek_json_writer_add_int_value (builder, ek_certificate_info_get_days_left (info, now));
  ek_json_writer_set_member_name (builder, "expired");
  ek_json_writer_add_boolean_value (builder, ek_certificate_info_is_expired (info, now));
  add_string_or_null (builder, "key_algorithm", ek_certificate_info_get_key_algorithm (info));
  ek_json_writer_set_member_name (builder, "key_bits");
  if (bits > 0)
    ek_json_writer_add_int_value (builder, bits);
  else
    ek_json_writer_add_null_value (builder);
  add_string_or_null (builder, "signature_algorithm", ek_certificate_info_get_signature_algorithm (info));
  add_strv (builder, "key_usage", ek_certificate_info_get_key_usage (info));
  add_string_or_null (builder, "sha256", ek_certificate_info_get_sha256 (info));
  add_attributes (builder, "subject_attributes", ek_certificate_info_get_subject_attributes (info));
  add_attributes (builder, "issuer_attributes", ek_certificate_info_get_issuer_attributes (info));
  ek_json_writer_end_object (builder);
}

static void
add_token (EkJsonWriter *builder,
           EkToken      *token,
           GDateTime    *now)
{
  GPtrArray *certificates = ek_token_get_certificates (token);
  GPtrArray *problems = ek_token_get_problems (token);
  EkPinState pin = ek_token_get_pin_state (token);
  gulong flags = ek_token_get_flags (token);

  ek_json_writer_begin_object (builder);
  add_string_or_null (builder, "module", ek_token_get_module_path (token));
  ek_json_writer_set_member_name (builder, "slot_id");
  ek_json_writer_add_int_value (builder, (gint64) ek_token_get_slot_id (token));
  add_string_or_null (builder, "label", ek_token_get_label (token));
  add_string_or_null (builder, "manufacturer", ek_token_get_manufacturer (token));
  add_string_or_null (builder, "model", ek_token_get_model (token));
  add_string_or_null (builder, "serial", ek_token_get_serial (token));
  ek_json_writer_set_member_name (builder, "flags");
  ek_json_writer_add_int_value (builder, (gint64) flags);
  ek_json_writer_set_member_name (builder, "pin");
  ek_json_writer_begin_object (builder);
  ek_json_writer_set_member_name (builder, "count_low");
  ek_json_writer_add_boolean_value (builder, (flags & CKF_USER_PIN_COUNT_LOW) != 0);
  ek_json_writer_set_member_name (builder, "final_try");
  ek_json_writer_add_boolean_value (builder, (flags & CKF_USER_PIN_FINAL_TRY) != 0);
  ek_json_writer_set_member_name (builder, "locked");
  ek_json_writer_add_boolean_value (builder, (flags & CKF_USER_PIN_LOCKED) != 0);
  ek_json_writer_set_member_name (builder, "message");
  ek_json_writer_add_string_value (builder, ek_pin_state_describe (pin));
  ek_json_writer_end_object (builder);
  ek_json_writer_set_member_name (builder, "certificates");
  ek_json_writer_begin_array (builder);
  for (guint i = 0; i < certificates->len; i++)
    ek_tool_add_certificate (builder, g_ptr_array_index (certificates, i), now);
  ek_json_writer_end_array (builder);
  ek_json_writer_set_member_name (builder, "problems");
  ek_json_writer_begin_array (builder);
  for (guint i = 0; i < problems->len; i++)
    ek_json_writer_add_string_value (builder, g_ptr_array_index (problems, i));
  ek_json_writer_end_array (builder);
  ek_json_writer_end_object (builder);
}

static const char *
verdict_text (EkCertificateInfo *info)
{
  switch (ek_certificate_info_get_uscc_status (info))
    {
    case EK_USCC_VALID:
      return _("✓ 18-digit code present and valid");
    case EK_USCC_BAD_CHECK:
      return _("⚠ 18-digit code present, but its check character is wrong");
    case EK_USCC_ABSENT:
    default:
      return _("✗ no 18-digit code in the certificate");
    }
}

void
ek_tool_print_certificate (EkCertificateInfo *info,
                           GDateTime         *now,
                           const char        *indent)
{
  g_autofree char *until = NULL;
  GDateTime *not_after = ek_certificate_info_get_not_after (info);
  const char *uscc = ek_certificate_info_get_uscc (info);
  const char *instead_value = NULL;

  ek_certificate_info_get_uscc_instead (info, &instead_value);
  until = not_after != NULL ? g_date_time_format (not_after, "%Y-%m-%d") : g_strdup ("?");
  g_print ("%s%s\n", indent, ek_certificate_info_get_subject (info));
  g_print ("%s  %s%s%s\n", indent, verdict_text (info), uscc != NULL ? ": " : "", uscc != NULL ? uscc : "");
  if (instead_value != NULL)
    g_print ("%s  %s %s\n", indent, _("In its place:"), instead_value);
  if (ek_certificate_info_get_enterprise_code_13 (info) != NULL)
    g_print ("%s  %s %s  %s %s\n", indent, _("13-digit code:"), ek_certificate_info_get_enterprise_code_13 (info),
             _("login name:"), ek_certificate_info_get_login_name (info));
  if (ek_certificate_info_is_expired (info, now))
    g_print ("%s  %s %s\n", indent, _("Expired on"), until);
  else
    g_print ("%s  %s %s (%" G_GINT64_FORMAT " %s)\n", indent, _("Valid until"), until,
             ek_certificate_info_get_days_left (info, now), _("days left"));
  g_print ("%s  %s %s %u, %s, SHA-256 %s\n", indent, _("Key:"), ek_certificate_info_get_key_algorithm (info),
           ek_certificate_info_get_key_bits (info), ek_certificate_info_get_signature_algorithm (info),
           ek_certificate_info_get_sha256 (info));
}

/* @settings_modules: the modules the settings add to @extra (ek_settings_dup_pkcs11_modules()) */
int
ek_tool_token_list (int                argc,
                    char             **argv,
                    EkToolModulesFunc  settings_modules)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(EkTokenManager) manager = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) module_errors = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) modules = NULL;
  g_auto(GStrv) all_modules = NULL;
  gboolean json = FALSE, only_listed = FALSE;
  const GOptionEntry entries[] = {
    { "module", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &modules, N_("Also load this PKCS#11 module (may be repeated)"), N_("PATH") },
    { "only-listed", 0, 0, G_OPTION_ARG_NONE, &only_listed, N_("Leave out the modules registered with p11-kit"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("List the inserted keys and their certificates."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);

  /* The modules added in the settings count too, as they do in the key view */
  all_modules = settings_modules ((const char * const *) modules);
  manager = ek_token_manager_new ((const char * const *) all_modules,
                                  only_listed ? EK_TOKEN_MANAGER_SKIP_REGISTERED : EK_TOKEN_MANAGER_FLAGS_NONE);
  tokens = ek_token_manager_list_tokens_now (manager, &error);
  if (tokens == NULL)
    return ek_tool_fail ("%s", error->message);
  module_errors = ek_token_manager_get_module_errors (manager);
  for (guint i = 0; i < module_errors->len; i++)
    g_printerr ("ekey-tool: %s\n", ((GError *) g_ptr_array_index (module_errors, i))->message);

  if (json)
    {
      g_autoptr(EkJsonWriter) builder = ek_json_writer_new ();
      g_autofree char *message = NULL, *vendor = NULL;
      EkTokenDiagnosis diagnosis = ek_token_manager_diagnose (manager, &message, &vendor);
      static const char *diagnosis_names[] = { "ok", "no-module", "vendor-unregistered", "pcscd-not-running", "no-token" };

      ek_json_writer_begin_object (builder);
      ek_json_writer_set_member_name (builder, "tokens");
      ek_json_writer_begin_array (builder);
      for (guint i = 0; i < tokens->len; i++)
        add_token (builder, g_ptr_array_index (tokens, i), now);
      ek_json_writer_end_array (builder);
      ek_json_writer_set_member_name (builder, "module_errors");
      ek_json_writer_begin_array (builder);
      for (guint i = 0; i < module_errors->len; i++)
        {
          GError *e = g_ptr_array_index (module_errors, i);

          ek_json_writer_begin_object (builder);
          ek_json_writer_set_member_name (builder, "rv");
          ek_json_writer_add_int_value (builder, e->code);
          ek_json_writer_set_member_name (builder, "message");
          ek_json_writer_add_string_value (builder, e->message);
          ek_json_writer_end_object (builder);
        }
      ek_json_writer_end_array (builder);
      ek_json_writer_set_member_name (builder, "diagnosis");
      ek_json_writer_begin_object (builder);
      ek_json_writer_set_member_name (builder, "status");
      ek_json_writer_add_string_value (builder, diagnosis_names[diagnosis]);
      add_string_or_null (builder, "message", message);
      add_string_or_null (builder, "vendor_module", vendor);
      ek_json_writer_end_object (builder);
      ek_json_writer_end_object (builder);
      ek_tool_print_json_text (builder);
    }
  else if (tokens->len == 0)
    {
      g_autofree char *message = NULL;

      ek_token_manager_diagnose (manager, &message, NULL);
      g_print ("%s\n", message);
    }
  else
    for (guint i = 0; i < tokens->len; i++)
      {
        EkToken *token = g_ptr_array_index (tokens, i);
        GPtrArray *certificates = ek_token_get_certificates (token);
        GPtrArray *problems = ek_token_get_problems (token);

        g_print ("%s (%s %s, %s %s)\n", ek_token_get_label (token), ek_token_get_manufacturer (token),
                 ek_token_get_model (token), _("serial"), ek_token_get_serial (token));
        g_print ("  %s\n", ek_pin_state_describe (ek_token_get_pin_state (token)));
        for (guint j = 0; j < certificates->len; j++)
          ek_tool_print_certificate (g_ptr_array_index (certificates, j), now, "  ");
        for (guint j = 0; j < problems->len; j++)
          g_print ("  ! %s\n", (const char *) g_ptr_array_index (problems, j));
      }
  return module_errors->len > 0 ? 3 : 0;
}
