/* ek-tool-cert.c: `ekey-tool cert show`, and the certificate output `token list` shares
 *
 * The JSON keys are a contract with scripts and the helpdesk: add keys, never rename.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ek-certificate-info.h"
#include "ek-tool.h"

void
ek_tool_add_string_or_null (JsonBuilder *builder,
                            const char  *name,
                            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_date (JsonBuilder *builder,
          const char  *name,
          GDateTime   *date)
{
  g_autofree char *text = date != NULL ? g_date_time_format_iso8601 (date) : NULL;

  ek_tool_add_string_or_null (builder, name, text);
}

static void
add_attributes (JsonBuilder *builder,
                const char  *name,
                GPtrArray   *attributes)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < attributes->len; i++)
    {
      const EkDnAttribute *a = g_ptr_array_index (attributes, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "oid");
      json_builder_add_string_value (builder, a->oid);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, a->name);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, a->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

void
ek_tool_add_certificate (JsonBuilder       *builder,
                         EkCertificateInfo *info,
                         GDateTime         *now)
{
  g_autofree char *id = ek_certificate_info_dup_object_id_hex (info);
  const char *instead_value = NULL;
  EkUsccInstead instead = ek_certificate_info_get_uscc_instead (info, &instead_value);
  guint bits = ek_certificate_info_get_key_bits (info);

  json_builder_begin_object (builder);
  ek_tool_add_string_or_null (builder, "label", ek_certificate_info_get_object_label (info));
  ek_tool_add_string_or_null (builder, "id", id);
  ek_tool_add_string_or_null (builder, "subject", ek_certificate_info_get_subject (info));
  ek_tool_add_string_or_null (builder, "issuer", ek_certificate_info_get_issuer (info));
  add_strv (builder, "organizations", ek_certificate_info_get_organizations (info));
  ek_tool_add_string_or_null (builder, "common_name", ek_certificate_info_get_common_name (info));
  ek_tool_add_string_or_null (builder, "enterprise_name", ek_certificate_info_get_enterprise_name (info));
  ek_tool_add_string_or_null (builder, "enterprise_code_13", ek_certificate_info_get_enterprise_code_13 (info));
  ek_tool_add_string_or_null (builder, "login_name", ek_certificate_info_get_login_name (info));

  json_builder_set_member_name (builder, "uscc");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, ek_uscc_status_to_string (ek_certificate_info_get_uscc_status (info)));
  ek_tool_add_string_or_null (builder, "value", ek_certificate_info_get_uscc (info));
  json_builder_set_member_name (builder, "instead");
  if (instead != EK_USCC_INSTEAD_NOTHING)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, ek_uscc_instead_to_string (instead));
      ek_tool_add_string_or_null (builder, "value", instead_value);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  ek_tool_add_string_or_null (builder, "serial", ek_certificate_info_get_serial (info));
  add_date (builder, "not_before", ek_certificate_info_get_not_before (info));
  add_date (builder, "not_after", ek_certificate_info_get_not_after (info));
  json_builder_set_member_name (builder, "days_left");
  json_builder_add_int_value (builder, ek_certificate_info_get_days_left (info, now));
  json_builder_set_member_name (builder, "expired");
  json_builder_add_boolean_value (builder, ek_certificate_info_is_expired (info, now));
  ek_tool_add_string_or_null (builder, "key_algorithm", ek_certificate_info_get_key_algorithm (info));
  json_builder_set_member_name (builder, "key_bits");
  if (bits > 0)
    json_builder_add_int_value (builder, bits);
  else
    json_builder_add_null_value (builder);
  ek_tool_add_string_or_null (builder, "signature_algorithm", ek_certificate_info_get_signature_algorithm (info));
  add_strv (builder, "key_usage", ek_certificate_info_get_key_usage (info));
  ek_tool_add_string_or_null (builder, "sha256", ek_certificate_info_get_sha256 (info));
  add_attributes (builder, "subject_attributes", ek_certificate_info_get_subject_attributes (info));
  add_attributes (builder, "issuer_attributes", ek_certificate_info_get_issuer_attributes (info));
  json_builder_end_object (builder);
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

static int
cert_show (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(EkCertificateInfo) info = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("FILE"));
  g_option_context_set_summary (context, _("Show a certificate file (PEM or DER) as the key view shows it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ek_tool_fail ("%s", error->message);
  if (argc != 2)
    return ek_tool_fail (_("Name one certificate file."));

  file = g_file_new_for_commandline_arg (argv[1]);
  info = ek_certificate_info_new_from_file (file, NULL, &error);
  if (info == NULL)
    return ek_tool_fail ("%s", error->message);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      ek_tool_add_certificate (builder, info, now);
      root = json_builder_get_root (builder);
      ek_tool_print_json (root);
    }
  else
    ek_tool_print_certificate (info, now, "");
  return 0;
}

int
ek_tool_cert (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return cert_show (argc - 1, argv + 1);
  g_printerr ("%s\n  ekey-tool cert show FILE [--json]\n", _("Usage:"));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 1;
}
