/* test-draft-store.c: every field kept, saved within a second, nothing lost on a crash
 *
 * The kill test runs this binary itself as the writer ("--writer ID") and kills it with
 * SIGKILL at random moments while it saves; every time, the draft on disk must be readable
 * and consistent, and no older than what the writer had announced as saved.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libglib-testing/signal-logger.h>
#include <stdio.h>

#include "ek-draft-store.h"
#include "ek-test-common.h"

#define ID_NUMBER "11010519491231002X"
#define KILL_ROUNDS 40

static void
fill (EkApplicationDraft *draft)
{
  ek_application_draft_set_business_type_id (draft, "first-application");
  ek_application_draft_set_boolean (draft, "tick-first-application", TRUE);
  ek_application_draft_set_boolean (draft, "situation-free-trade-zone", TRUE);
  ek_application_draft_set_string (draft, "licence-type", EK_LICENCE_ELECTROMECHANICAL);
  ek_application_draft_set_string (draft, "enterprise-name", "北京测试科技有限公司");
  ek_application_draft_set_string (draft, "credit-code", "91110000600037341L");
  ek_application_draft_set_string (draft, "legal-rep-name", "李军");
  ek_application_draft_set_string (draft, "legal-rep-id-type", EK_ID_TYPE_RESIDENT_ID);
  ek_application_draft_set_string (draft, "legal-rep-id-number", ID_NUMBER);
  ek_application_draft_set_string (draft, "user-id-number", "110102199101010078");
  ek_application_draft_set_string (draft, "email", "wangbing@126.com");
  ek_application_draft_set_string (draft, "mobile", "18910123221");
  ek_application_draft_set_string (draft, "landline", "67811021");
  ek_application_draft_set_string (draft, "postcode", "010000");
  ek_application_draft_set_string (draft, "reason", "原钥匙损坏 \"quoted\" \\ and\nnew line");
  ek_application_draft_set_string (draft, "application-number", "EK-2026-000123");
  ek_application_draft_set_string (draft, "status", "submitted");
}

static void
assert_same (EkApplicationDraft *a,
             EkApplicationDraft *b)
{
  const EkDraftField *fields;
  guint n;

  fields = ek_application_draft_get_fields (&n);
  g_assert_cmpstr (ek_application_draft_get_id (a), ==, ek_application_draft_get_id (b));
  g_assert_cmpstr (ek_application_draft_get_business_type_id (a), ==, ek_application_draft_get_business_type_id (b));
  g_assert_cmpint (ek_application_draft_get_modified (a), ==, ek_application_draft_get_modified (b));
  for (guint i = 0; i < n; i++)
    if (fields[i].type == G_TYPE_STRING)
      g_assert_cmpstr (ek_application_draft_get_string (a, fields[i].name), ==,
                       ek_application_draft_get_string (b, fields[i].name));
    else
      g_assert_cmpint (ek_application_draft_get_boolean (a, fields[i].name), ==,
                       ek_application_draft_get_boolean (b, fields[i].name));
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

static void
test_fields (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GtSignalLogger) logger = gt_signal_logger_new ();
  const EkDraftField *fields;
  g_autofree char *name = NULL;
  gboolean ticked = FALSE;
  gint64 before;
  guint n, changes = 0;

  /* The form's fields are all there, with the ID numbers marked sensitive */
  fields = ek_application_draft_get_fields (&n);
  g_assert_cmpuint (n, >=, 35);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (fields[i].sensitive, ==, g_str_has_suffix (fields[i].name, "-id-number"));
  g_assert_nonnull (ek_application_draft_lookup_field ("authority-id"));
  g_assert_true (ek_application_draft_lookup_field ("application-number")->server);
  g_assert_null (ek_application_draft_lookup_field ("no-such-field"));

  g_signal_connect (draft, "changed", G_CALLBACK (count_cb), &changes);
  gt_signal_logger_connect (logger, draft, "notify::enterprise-name");
  gt_signal_logger_connect (logger, draft, "notify::tick-reissue");
  before = ek_application_draft_get_modified (draft);

  /* Properties and the keyed API are the same values, and each change is announced once */
  g_object_set (draft, "enterprise-name", "北京测试科技有限公司", NULL);
  gt_signal_logger_assert_notify_emission_pop (logger, draft, "enterprise-name");
  ek_application_draft_set_boolean (draft, "tick-reissue", TRUE);
  gt_signal_logger_assert_notify_emission_pop (logger, draft, "tick-reissue");
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpint (ek_application_draft_get_modified (draft), >, before);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "enterprise-name"), ==, "北京测试科技有限公司");

  /* Setting the same value again is not a change */
  ek_application_draft_set_string (draft, "enterprise-name", "北京测试科技有限公司");
  ek_application_draft_set_boolean (draft, "tick-reissue", TRUE);
  gt_signal_logger_assert_no_emissions (logger);
  g_assert_cmpuint (changes, ==, 2);

  ek_application_draft_set_string (draft, "mobile", "18910123221");
  g_object_get (draft, "mobile", &name, "tick-reissue", &ticked, NULL);
  g_assert_cmpstr (name, ==, "18910123221");
  g_assert_true (ticked);
  g_assert_cmpuint (changes, ==, 3);

  /* Empty is "", never NULL (entries bind to these) */
  ek_application_draft_set_string (draft, "mobile", NULL);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "mobile"), ==, "");
}

static void
test_round_trip (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) again = NULL;
  g_autoptr(EkApplicationDraft) loaded = NULL;
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  GStatBuf st;

  fill (draft);
  json = ek_application_draft_to_json (draft, NULL);
  g_assert_nonnull (strstr (json, "\"format\" : 1"));
  again = ek_application_draft_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  assert_same (draft, again);

  /* Through the store: in the draft's own folder, private */
  g_assert_true (ek_draft_store_save (store, draft, &error));
  g_assert_no_error (error);
  dir = ek_application_draft_dup_directory (draft, NULL);
  path = g_build_filename (dir, "draft.json", NULL);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  loaded = ek_draft_store_load (store, ek_application_draft_get_id (draft), &error);
  g_assert_no_error (error);
  assert_same (draft, loaded);

  /* However much is pasted into a field, the draft still saves and reads back */
  {
    g_autoptr(GString) pasted = g_string_new (NULL);
    g_autoptr(EkApplicationDraft) big = NULL;

    while (pasted->len < 200 * 1024)
      g_string_append (pasted, "很长的原因");
    for (guint i = 0; i < 40; i++)
      {
        const EkDraftField *f = &ek_application_draft_get_fields (&(guint) { 0 })[i % 30];
        if (f->type == G_TYPE_STRING)
          ek_application_draft_set_string (draft, f->name, pasted->str);
      }
    g_assert_cmpuint (strlen (ek_application_draft_get_string (draft, "reason")), <=, 16 * 1024);
    g_assert_true (g_utf8_validate (ek_application_draft_get_string (draft, "reason"), -1, NULL));
    g_assert_true (ek_draft_store_save (store, draft, &error));
    big = ek_draft_store_load (store, ek_application_draft_get_id (draft), &error);
    g_assert_no_error (error);
    assert_same (draft, big);
  }

  g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (draft), &error));
}

static void
assert_rejected (const char *json,
                 int         code,
                 const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new_from_json (json, -1, &error);

  g_test_message ("%s → %s", json, error ? error->message : "(accepted)");
  g_assert_null (draft);
  g_assert_error (error, EK_DRAFT_ERROR, code);
  g_assert_nonnull (strstr (error->message, expected));
}

#define UUID "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"

static void
test_bad_json (void)
{
  g_autoptr(EkApplicationDraft) draft = NULL;

  assert_rejected ("", EK_DRAFT_ERROR_PARSE, "damaged");
  assert_rejected ("{\"format\": 1, \"id\"", EK_DRAFT_ERROR_PARSE, "damaged");
  assert_rejected ("[]", EK_DRAFT_ERROR_INVALID, "object");
  assert_rejected ("{\"id\": \"" UUID "\"}", EK_DRAFT_ERROR_INVALID, "format");
  assert_rejected ("{\"format\": 2, \"id\": \"" UUID "\", \"modified\": 1, \"fields\": {}}",
                   EK_DRAFT_ERROR_VERSION, "Update EKey Assistant");
  assert_rejected ("{\"format\": 1, \"id\": \"../../etc\", \"modified\": 1, \"fields\": {}}",
                   EK_DRAFT_ERROR_INVALID, "identifier");
  assert_rejected ("{\"format\": 1, \"id\": \"" UUID "\", \"modified\": 1}", EK_DRAFT_ERROR_INVALID, "fields");
  assert_rejected ("{\"format\": 1, \"id\": \"" UUID "\", \"modified\": 1, \"fields\": {\"mobile\": 138}}",
                   EK_DRAFT_ERROR_INVALID, "“mobile”");
  assert_rejected ("{\"format\": 1, \"id\": \"" UUID "\", \"modified\": 1, \"fields\": {\"tick-reissue\": \"yes\"}}",
                   EK_DRAFT_ERROR_INVALID, "“tick-reissue”");
  assert_rejected ("{\"format\": 1, \"id\": \"" UUID "\", \"fields\": {}}", EK_DRAFT_ERROR_INVALID, "last change");

  /* A field from a newer version of the same format is skipped, not an error */
  draft = ek_application_draft_new_from_json ("{\"format\": 1, \"id\": \"" UUID "\", \"modified\": 5, "
                                              "\"fields\": {\"mobile\": \"18910123221\", \"future\": [1]}}", -1, NULL);
  g_assert_nonnull (draft);
  g_assert_cmpstr (ek_application_draft_get_string (draft, "mobile"), ==, "18910123221");
  g_assert_cmpint (ek_application_draft_get_modified (draft), ==, 5);
}

static void
test_mask (void)
{
  g_autofree char *a = ek_mask_id_number (ID_NUMBER);
  g_autofree char *b = ek_mask_id_number ("G1234");
  g_autofree char *c = ek_mask_id_number ("");

  g_assert_cmpstr (a, ==, "110*************2X");
  g_assert_cmpstr (b, ==, "*****");
  g_assert_cmpstr (c, ==, "");
}

typedef struct
{
  guint   saves;
  GError *failure;
} SaveCount;

static void
on_saved_cb (EkDraftStore *store,
             const char   *id,
             SaveCount    *count)
{
  count->saves++;
}

static void
wait_for_saves (SaveCount *count,
                guint      saves)
{
  while (count->saves < saves)
    g_main_context_iteration (NULL, TRUE);
}

static char *
read_saved (EkApplicationDraft *draft,
            const char         *field)
{
  g_autoptr(EkDraftStore) reader = ek_draft_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApplicationDraft) loaded = ek_draft_store_load (reader, ek_application_draft_get_id (draft), &error);

  g_assert_no_error (error);
  return g_strdup (ek_application_draft_get_string (loaded, field));
}

static gboolean
type_cb (gpointer user_data)
{
  EkApplicationDraft *draft = user_data;
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (draft), "typed")) + 1;
  g_autofree char *text = g_strdup_printf ("typed %u", n);

  g_object_set_data (G_OBJECT (draft), "typed", GUINT_TO_POINTER (n));
  ek_application_draft_set_string (draft, "reason", text);
  return n < 15 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
test_debounce (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autofree char *saved = NULL;
  SaveCount count = { 0 };
  guint saves_while_typing;

  g_signal_connect (store, "saved", G_CALLBACK (on_saved_cb), &count);
  ek_draft_store_track (store, draft);
  wait_for_saves (&count, 1);      /* tracking saves at once */

  /* A burst of typing is one save, holding the last keystroke */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("北京测试%u", i);
      ek_application_draft_set_string (draft, "enterprise-name", name);
    }
  wait_for_saves (&count, 2);
  saved = read_saved (draft, "enterprise-name");
  g_assert_cmpstr (saved, ==, "北京测试19");
  g_assert_cmpuint (count.saves, ==, 2);

  /* Typing that never pauses long enough (a key every 200 ms, the quiet time is 300 ms) is still
   * saved while it goes on, because no change waits more than a second */
  g_timeout_add (200, type_cb, draft);
  while (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (draft), "typed")) < 15)
    g_main_context_iteration (NULL, TRUE);
  saves_while_typing = count.saves - 2;
  g_assert_cmpuint (saves_while_typing, >=, 1);

  /* Closing the window flushes what is pending, at once */
  ek_application_draft_set_string (draft, "reason", "last words");
  g_assert_true (ek_draft_store_flush (store, NULL));
  g_free (saved);
  saved = read_saved (draft, "reason");
  g_assert_cmpstr (saved, ==, "last words");

  g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (draft), NULL));
}

static void
test_several (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "甲公司", "乙公司", "丙公司" };
  EkApplicationDraft *drafts[3] = { NULL };

  for (guint i = 0; i < 3; i++)
    {
      drafts[i] = ek_application_draft_new ();
      ek_application_draft_set_string (drafts[i], "enterprise-name", names[i]);
      g_assert_true (ek_draft_store_save (store, drafts[i], &error));
    }
  /* The first is changed last: it comes first */
  ek_application_draft_set_string (drafts[0], "mobile", "13800138000");
  g_assert_true (ek_draft_store_save (store, drafts[0], &error));

  list = ek_draft_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((EkDraftSummary *) list->pdata[0])->enterprise_name, ==, "甲公司");
  g_assert_cmpstr (((EkDraftSummary *) list->pdata[1])->enterprise_name, ==, "丙公司");
  g_assert_cmpstr (((EkDraftSummary *) list->pdata[2])->enterprise_name, ==, "乙公司");
  for (guint i = 0; i < 3; i++)
    g_assert_false (((EkDraftSummary *) list->pdata[i])->damaged);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (drafts[i]), &error));
      g_object_unref (drafts[i]);
    }
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ek_draft_store_list (store, &error);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_blank_not_listed (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  /* A business chosen and left at once (or on its first step) is saved, so nothing is lost, but
   * not offered as an application in progress ("尚未填写企业名称") */
  ek_application_draft_set_business_type_id (draft, "first-application");
  g_assert_true (ek_draft_store_save (store, draft, &error));
  list = ek_draft_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  ek_application_draft_set_step (draft, "account");
  g_assert_true (ek_draft_store_save (store, draft, &error));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ek_draft_store_list (store, &error);
  g_assert_cmpuint (list->len, ==, 0);

  /* The first thing entered makes it one */
  ek_application_draft_set_string (draft, "mobile", "13800138000");
  g_assert_true (ek_draft_store_save (store, draft, &error));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ek_draft_store_list (store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((EkDraftSummary *) list->pdata[0])->business_type_id, ==, "first-application");

  /* So does a step passed with nothing typed (the account step done, on to the form) */
  {
    g_autoptr(EkApplicationDraft) logged_in = ek_application_draft_new ();

    ek_application_draft_set_business_type_id (logged_in, "first-application");
    ek_application_draft_set_step (logged_in, "form-enterprise");
    g_assert_true (ek_draft_store_save (store, logged_in, &error));
    g_clear_pointer (&list, g_ptr_array_unref);
    list = ek_draft_store_list (store, &error);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (logged_in), &error));
  }
  g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (draft), &error));
}

static void
test_delete (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) other = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ek_application_draft_dup_directory (draft, NULL);
  g_autofree char *scans = g_build_filename (dir, "materials", NULL);
  g_autofree char *scan = g_build_filename (scans, "licence.jpg", NULL);
  g_autofree char *other_dir = ek_application_draft_dup_directory (other, NULL);

  ek_draft_store_track (store, draft);
  g_assert_true (ek_draft_store_save (store, other, NULL));
  g_assert_cmpint (g_mkdir (scans, 0700), ==, 0);
  g_assert_true (g_file_set_contents (scan, "\xff\xd8\xff", 3, NULL));

  g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (draft), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other_dir, G_FILE_TEST_IS_DIR));

  /* Deleted means gone: a change afterwards does not bring it back */
  ek_application_draft_set_string (draft, "enterprise-name", "too late");
  g_assert_true (ek_draft_store_flush (store, NULL));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* Unknown and malicious identifiers are refused, with a hint */
  g_assert_false (ek_draft_store_delete (store, ek_application_draft_get_id (draft), &error));
  g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ek_draft_store_delete (store, "..", &error));
  g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "draft list"));
  g_assert_true (g_file_test (ek_draft_store_get_root (store), G_FILE_TEST_IS_DIR));

  g_assert_true (ek_draft_store_delete (store, ek_application_draft_get_id (other), NULL));
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_async (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GAsyncResult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  fill (draft);
  ek_draft_store_track (store, draft);
  g_assert_true (ek_draft_store_flush (store, NULL));
  g_assert_true (ek_draft_store_save (store, draft, NULL));

  ek_draft_store_list_async (store, NULL, result_cb, &r1);
  list = ek_draft_store_list_finish (store, wait_result (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((EkDraftSummary *) list->pdata[0])->enterprise_name, ==, "北京测试科技有限公司");

  ek_draft_store_load_async (store, ek_application_draft_get_id (draft), NULL, result_cb, &r2);
  loaded = ek_draft_store_load_finish (store, wait_result (&r2), &error);
  g_assert_no_error (error);
  assert_same (draft, loaded);

  /* Deleting a tracked draft stops its saves at once and removes its folder */
  dir = ek_application_draft_dup_directory (draft, NULL);
  ek_draft_store_delete_async (store, ek_application_draft_get_id (draft), NULL, result_cb, &r3);
  ek_application_draft_set_string (draft, "mobile", "13800138000");
  g_assert_true (ek_draft_store_delete_finish (store, wait_result (&r3), &error));
  g_assert_no_error (error);
  g_assert_true (ek_draft_store_flush (store, NULL));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  ek_draft_store_delete_async (store, "not-an-id", NULL, result_cb, &r4);
  g_assert_false (ek_draft_store_delete_finish (store, wait_result (&r4), &error));
  g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND);
}

static GPtrArray *logged;

static GLogWriterOutput
collect_log (GLogLevelFlags   level,
             const GLogField *fields,
             gsize            n_fields,
             gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      g_ptr_array_add (logged, g_strdup (fields[i].value));
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_damaged (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(EkApplicationDraft) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ek_application_draft_dup_directory (draft, NULL);
  g_autofree char *path = g_build_filename (dir, "draft.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *aside = NULL;
  g_autoptr(GDir) folder = NULL;
  const char *name;
  const char *id = ek_application_draft_get_id (draft);

  fill (draft);
  g_assert_true (ek_draft_store_save (store, draft, NULL));
  /* Cut off half-way, as a broken disk would */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (path, contents, strlen (contents) / 2, NULL));

  loaded = ek_draft_store_load (store, id, &error);
  g_assert_null (loaded);
  g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_DAMAGED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "set aside"));
  g_assert_null (strstr (error->message, ID_NUMBER));

  /* Set aside unchanged, under a name the message gives */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  folder = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (folder)) != NULL)
    if (g_str_has_prefix (name, "draft.json.damaged-"))
      aside = g_build_filename (dir, name, NULL);
  g_assert_nonnull (aside);
  g_assert_nonnull (strstr (error->message, aside));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (aside, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"format\""));

  /* Listed as damaged, so it can be deleted */
  list = ek_draft_store_list (store, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (((EkDraftSummary *) list->pdata[0])->damaged);
  g_assert_nonnull (strstr (((EkDraftSummary *) list->pdata[0])->message, aside));

  /* Garbage, a folder in its place, a draft of another id, a huge file: all set aside, no crash */
  {
    const char *bad[] = { "\x00\x01garbage", "{\"format\": 1, \"id\": \"" UUID "\", \"modified\": 1, \"fields\": {}}" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_clear_error (&error);
        g_assert_true (g_file_set_contents (path, bad[i], i == 0 ? 9 : -1, NULL));
        g_assert_null (ek_draft_store_load (store, id, &error));
        g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_DAMAGED);
      }
    g_clear_error (&error);
    g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
    g_assert_null (ek_draft_store_load (store, id, &error));
    g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_DAMAGED);
  }

  /* A draft of a newer format is not damaged: left where it is */
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "{\"format\": 9}", -1, NULL));
  g_assert_null (ek_draft_store_load (store, id, &error));
  g_assert_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_VERSION);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* Nothing logged on the way shows an ID number */
  for (guint i = 0; i < logged->len; i++)
    g_assert_null (strstr (logged->pdata[i], ID_NUMBER));

  g_assert_true (ek_draft_store_delete (store, id, NULL));
}

/* The child: saves one draft over and over, announcing each save on stdout */
static int
run_writer (const char *id)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autoptr(EkApplicationDraft) draft = ek_draft_store_load (store, id, NULL);
  guint64 counter = 0;

  if (draft == NULL)
    draft = ek_application_draft_new_with_id (id);
  else
    counter = g_ascii_strtoull (ek_application_draft_get_string (draft, "application-number"), NULL, 10);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, ++counter);
      /* Sizes vary, so that a torn write would show */
      g_autofree char *reason = g_strnfill (1 + (counter * 7919) % 3000, 'a' + counter % 26);
      g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, reason, -1);

      ek_application_draft_set_string (draft, "application-number", number);
      ek_application_draft_set_string (draft, "reason", reason);
      ek_application_draft_set_string (draft, "status-remark", sum);
      if (!ek_draft_store_save (store, draft, &error))
        {
          g_printerr ("writer: %s\n", error->message);
          return 1;
        }
      printf ("%s\n", number);
      fflush (stdout);
    }
}

static void
test_kill (void)
{
  g_autoptr(EkDraftStore) store = ek_draft_store_new ();
  g_autofree char *id = g_uuid_string_random ();
  guint64 announced = 0;

  for (guint round = 0; round < KILL_ROUNDS; round++)
    {
      g_autoptr(GSubprocess) writer = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(EkApplicationDraft) draft = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      g_autofree char *sum = NULL;
      guint64 on_disk;

      writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                 "/proc/self/exe",
                                 "--writer", id, NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (writer));

      /* Wait for its first save, then let it run a random while (0–20 ms) and kill it */
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      announced = MAX (announced, g_ascii_strtoull (line, NULL, 10));
      g_usleep (g_random_int_range (0, 20000));
      g_subprocess_send_signal (writer, SIGKILL);
      g_assert_true (g_subprocess_wait (writer, NULL, NULL));
      g_assert_true (g_subprocess_get_if_signaled (writer));

      /* Whatever the moment, the draft reads back whole */
      draft = ek_draft_store_load (store, id, &error);
      g_assert_no_error (error);
      on_disk = g_ascii_strtoull (ek_application_draft_get_string (draft, "application-number"), NULL, 10);
      sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, ek_application_draft_get_string (draft, "reason"), -1);
      g_assert_cmpstr (sum, ==, ek_application_draft_get_string (draft, "status-remark"));
      /* …and holds at least every save the writer had announced before it died */
      g_assert_cmpuint (on_disk, >=, announced);
      announced = on_disk;
      g_test_message ("round %u: %" G_GUINT64_FORMAT " saves on disk", round, on_disk);
    }

  g_assert_true (ek_draft_store_delete (store, id, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  int status;

  if (argc == 3 && g_str_equal (argv[1], "--writer"))
    return run_writer (argv[2]);

  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);
  home = g_dir_make_tmp ("ek-draft-store-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (collect_log, NULL, NULL);

  g_test_add_func ("/draft/fields", test_fields);
  g_test_add_func ("/draft/round-trip", test_round_trip);
  g_test_add_func ("/draft/bad-json", test_bad_json);
  g_test_add_func ("/draft/mask", test_mask);
  g_test_add_func ("/draft-store/debounce", test_debounce);
  g_test_add_func ("/draft-store/several", test_several);
  g_test_add_func ("/draft-store/delete", test_delete);
  g_test_add_func ("/draft-store/blank-not-listed", test_blank_not_listed);
  g_test_add_func ("/draft-store/damaged", test_damaged);
  g_test_add_func ("/draft-store/async", test_async);
  g_test_add_func ("/draft-store/kill", test_kill);

  status = g_test_run ();

  /* Leave nothing behind in /tmp */
  {
    const char *rm[] = { "rm", "-rf", home, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return status;
}
