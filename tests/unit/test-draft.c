/* test-draft.c: a draft has an identity and a private folder of its own */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ek-application-draft.h"
#include "ek-test-common.h"

static void
test_identity (void)
{
  g_autoptr(EkApplicationDraft) a = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) b = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) again = ek_application_draft_new_with_id (ek_application_draft_get_id (a));

  g_assert_true (g_uuid_string_is_valid (ek_application_draft_get_id (a)));
  g_assert_cmpstr (ek_application_draft_get_id (a), !=, ek_application_draft_get_id (b));
  g_assert_cmpstr (ek_application_draft_get_id (again), ==, ek_application_draft_get_id (a));
}

static void
count_cb (guint *count)
{
  (*count)++;
}

/* Once the application exists on the registration service, it is that business for good:
 * nothing (a row that takes the focus, a button in the key view) can make it another */
static void
test_business_type_fixed_once_created (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  guint notified = 0;

  g_signal_connect_swapped (draft, "notify::business-type-id", G_CALLBACK (count_cb), &notified);
  g_assert_true (ek_application_draft_set_business_type_id (draft, "renewal"));
  g_assert_true (ek_application_draft_set_business_type_id (draft, "first-application"));
  g_assert_false (ek_application_draft_get_business_type_fixed (draft));
  g_assert_cmpuint (notified, ==, 2);

  ek_application_draft_set_string (draft, "application-id", "app-1");
  g_assert_true (ek_application_draft_get_business_type_fixed (draft));
  g_assert_false (ek_application_draft_set_business_type_id (draft, "electronic-seal"));
  g_object_set (draft, "business-type-id", "renewal", NULL);
  g_assert_cmpstr (ek_application_draft_get_business_type_id (draft), ==, "first-application");
  g_assert_cmpuint (notified, ==, 2);
  /* Setting what it already is is no change, and says so */
  g_assert_true (ek_application_draft_set_business_type_id (draft, "first-application"));

  /* … and a saved one reads back just as fixed */
  {
    gsize length;
    g_autofree char *json = ek_application_draft_to_json (draft, &length);
    g_autoptr(EkApplicationDraft) again = ek_application_draft_new_from_json (json, length, NULL);

    g_assert_nonnull (again);
    g_assert_false (ek_application_draft_set_business_type_id (again, "electronic-seal"));
    g_assert_cmpstr (ek_application_draft_get_business_type_id (again), ==, "first-application");
  }
}

static void
test_directory_is_private (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ek_application_draft_dup_directory (draft, &error);
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (dir, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (dir, ek_application_draft_get_id (draft)));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_rmdir (dir);
}

static void
test_directory_error_is_explained (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = ek_application_draft_dup_directory (draft, &error);

      /* The clerk is told which folder could not be made, and why */
      g_assert_null (dir);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, g_getenv ("XDG_DATA_HOME")));
      g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
      return;
    }
  else
    {
      /* The data folder is a file; GLib caches it per process, so try in a child */
      g_autofree char *blocker = ek_test_write_temp_file ("not-a-folder", "x", -1);
      g_autofree char *saved = g_strdup (g_getenv ("XDG_DATA_HOME"));

      g_setenv ("XDG_DATA_HOME", blocker, TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_setenv ("XDG_DATA_HOME", saved, TRUE);
      g_test_trap_assert_passed ();
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;

  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);
  if (!g_test_subprocess ())
    {
      home = g_dir_make_tmp ("ek-draft-XXXXXX", NULL);
      g_setenv ("XDG_DATA_HOME", home, TRUE);
    }

  g_test_add_func ("/draft/identity", test_identity);
  g_test_add_func ("/draft/business-type/fixed", test_business_type_fixed_once_created);
  g_test_add_func ("/draft/directory/private", test_directory_is_private);
  g_test_add_func ("/draft/directory/error", test_directory_error_is_explained);

  return g_test_run ();
}
