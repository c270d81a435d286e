/* test-draft-server-errors.c: the server's field messages and the current step of a draft */
#include "config.h"

#include "ek-application-draft.h"
#include "ek-test-common.h"

static void
count_signal (EkApplicationDraft *draft,
              const char         *field,
              GPtrArray          *seen)
{
  g_ptr_array_add (seen, g_strdup (field ? field : "(all)"));
}

static void
count_changed (EkApplicationDraft *draft,
               guint              *n)
{
  (*n)++;
}

static void
test_server_errors (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) fields = NULL;
  g_autofree char *json = NULL;
  guint changed = 0;

  g_signal_connect (draft, "server-errors-changed", G_CALLBACK (count_signal), seen);
  g_signal_connect (draft, "changed", G_CALLBACK (count_changed), &changed);

  g_assert_null (ek_application_draft_get_server_error (draft, "mobile"));
  ek_application_draft_set_server_error (draft, "mobile", "手机号码已被使用");
  ek_application_draft_set_server_error (draft, "credit-code", "This code is already registered.");
  g_assert_cmpstr (ek_application_draft_get_server_error (draft, "mobile"), ==, "手机号码已被使用");
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "mobile");

  /* The same message again is no change */
  ek_application_draft_set_server_error (draft, "mobile", "手机号码已被使用");
  g_assert_cmpuint (seen->len, ==, 2);

  fields = ek_application_draft_dup_server_error_fields (draft);
  g_assert_cmpuint (g_strv_length (fields), ==, 2);
  g_assert_cmpstr (fields[0], ==, "credit-code");
  g_assert_cmpstr (fields[1], ==, "mobile");

  /* Transient: not a change to save, and not in the saved JSON */
  g_assert_cmpuint (changed, ==, 0);
  json = ek_application_draft_to_json (draft, NULL);
  g_assert_null (strstr (json, "已被使用"));
  g_assert_null (strstr (json, "already registered"));

  /* NULL clears one; clear_server_errors clears the rest, once */
  ek_application_draft_set_server_error (draft, "mobile", NULL);
  g_assert_null (ek_application_draft_get_server_error (draft, "mobile"));
  g_assert_cmpuint (seen->len, ==, 3);
  ek_application_draft_clear_server_errors (draft);
  g_assert_null (ek_application_draft_get_server_error (draft, "credit-code"));
  g_assert_cmpuint (seen->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (seen, 3), ==, "(all)");
  ek_application_draft_clear_server_errors (draft);
  g_assert_cmpuint (seen->len, ==, 4);
}

static void
test_step_saved (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  guint changed = 0;

  g_signal_connect (draft, "changed", G_CALLBACK (count_changed), &changed);
  g_assert_null (ek_application_draft_get_step (draft));
  ek_application_draft_set_step (draft, "form-contact");
  g_assert_cmpuint (changed, ==, 1);
  ek_application_draft_set_step (draft, "form-contact");
  g_assert_cmpuint (changed, ==, 1);

  json = ek_application_draft_to_json (draft, NULL);
  again = ek_application_draft_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_application_draft_get_step (again), ==, "form-contact");
}

static void
test_step_rejected (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApplicationDraft) draft =
    ek_application_draft_new_from_json ("{\"format\":1,\"id\":\"0b6f6a0e-2a5a-4c53-9d0b-1f0a4bb0c0de\","
                                        "\"step\":42,\"modified\":1,\"fields\":{}}", -1, &error);

  g_assert_null (draft);
  g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);

  g_test_add_func ("/draft/server-errors", test_server_errors);
  g_test_add_func ("/draft/step/saved", test_step_saved);
  g_test_add_func ("/draft/step/rejected", test_step_rejected);

  return g_test_run ();
}
