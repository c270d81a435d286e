/* test-document.c: the filled forms as a clerk prints them
 *
 * Checked with poppler's tools, as a reader of the PDF would: the Chinese text is there as
 * text, the application number is on every page, every font is embedded. Pages are also
 * rendered to PNG in the artefacts folder for people to look at.
 */
#include "config.h"

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>

#include "ek-document.h"
#include "ek-test-common.h"

#define NUMBER "EK-2026-000123"

static EkApplicationDraft *
filled_draft (void)
{
  EkApplicationDraft *draft = ek_application_draft_new ();

  ek_application_draft_set_boolean (draft, "tick-first-application", TRUE);
  ek_application_draft_set_boolean (draft, "situation-foreign-invested", TRUE);
  ek_application_draft_set_string (draft, "licence-type", EK_LICENCE_NON_ELECTROMECHANICAL);
  ek_application_draft_set_string (draft, "enterprise-name", "北京测试科技有限公司");
  ek_application_draft_set_string (draft, "credit-code", "91110000600037341L");
  ek_application_draft_set_string (draft, "enterprise-code", "9999400000560");
  ek_application_draft_set_string (draft, "registered-address", "北京市东城区东长安街1号");
  ek_application_draft_set_string (draft, "legal-rep-name", "李军");
  ek_application_draft_set_string (draft, "legal-rep-id-type", EK_ID_TYPE_RESIDENT_ID);
  ek_application_draft_set_string (draft, "legal-rep-id-number", "11010519491231002X");
  ek_application_draft_set_string (draft, "user-name", "王斌");
  ek_application_draft_set_string (draft, "user-id-type", EK_ID_TYPE_PASSPORT);
  ek_application_draft_set_string (draft, "user-id-number", "E12345678");
  ek_application_draft_set_string (draft, "login-name", "wangbing@126.com");
  ek_application_draft_set_string (draft, "email", "wangbing@126.com");
  ek_application_draft_set_string (draft, "mobile", "18910123221");
  ek_application_draft_set_string (draft, "landline", "67811021");
  ek_application_draft_set_string (draft, "contact-address", "北京技术开发区荣华中路11号");
  ek_application_draft_set_string (draft, "department", "进出口部");
  ek_application_draft_set_string (draft, "job-title", "经理");
  ek_application_draft_set_string (draft, "postcode", "100176");
  ek_application_draft_set_string (draft, "authority-name", "北京市商务局");
  ek_application_draft_set_string (draft, "application-number", NUMBER);
  return draft;
}

static char *
run (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

static int
count_pages (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *info = run (argv);
  const char *pages = strstr (info, "Pages:");

  g_assert_nonnull (pages);
  return atoi (pages + strlen ("Pages:"));
}

static char *
page_text (const char *pdf,
           int         page)
{
  g_autofree char *n = g_strdup_printf ("%d", page);
  const char *argv[] = { "pdftotext", "-layout", "-f", n, "-l", n, pdf, "-", NULL };

  return run (argv);
}

static void
assert_fonts_embedded (const char *pdf)
{
  const char *argv[] = { "pdffonts", pdf, NULL };
  g_autofree char *fonts = run (argv);
  g_auto(GStrv) lines = g_strsplit (fonts, "\n", -1);
  guint n_fonts = 0;

  g_test_message ("%s", fonts);
  g_assert_nonnull (strstr (fonts, "NotoSansCJKsc"));
  /* After the two header lines, each font's "emb" column says yes */
  for (guint i = 2; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      n_fonts++;
      g_assert_nonnull (strstr (lines[i], " yes "));
      g_assert_true (g_str_has_prefix (strstr (lines[i], " yes ") , " yes "));
    }
  g_assert_cmpuint (n_fonts, >=, 1);
}

static void
save_pngs (const char *pdf,
           const char *name)
{
  g_autofree char *prefix = ek_test_artifact_path (name);
  const char *argv[] = { "pdftoppm", "-r", "80", "-png", pdf, prefix, NULL };
  g_autofree char *out = run (argv);

  g_test_message ("pages of %s saved as %s-*.png", pdf, prefix);
}

static void
rendered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
render_and_wait (EkApplicationDraft  *draft,
                 EkDocumentKind       kinds,
                 const char          *path,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_document_render_pdf_async (draft, kinds, path, cancellable, rendered_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return ek_document_render_pdf_finish (result, error);
}

static void
test_forms (void)
{
  g_autoptr(EkApplicationDraft) draft = filled_draft ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = ek_test_artifact_path ("forms.pdf");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_true (render_and_wait (draft, EK_DOCUMENT_ALL, pdf, NULL, &error));
  g_assert_no_error (error);

  /* One A4 page each */
  g_assert_cmpint (count_pages (pdf), ==, 2);
  first = page_text (pdf, 1);
  second = page_text (pdf, 2);
  g_test_message ("%s", first);

  g_assert_nonnull (strstr (first, "进出口企业电子钥匙与电子认证证书办理申请表"));
  g_assert_nonnull (strstr (first, "北京测试科技有限公司"));
  g_assert_nonnull (strstr (first, "91110000600037341L"));
  g_assert_nonnull (strstr (first, "法定代表人（签字）"));
  g_assert_nonnull (strstr (first, "企业公章（盖章处）"));
  g_assert_nonnull (strstr (first, "护照"));
  g_assert_nonnull (strstr (first, "北京市商务局"));
  g_assert_nonnull (strstr (second, "电子签章申请确认函"));
  g_assert_nonnull (strstr (second, "印章采集区域"));
  g_assert_nonnull (strstr (second, "王斌"));
  g_assert_nonnull (strstr (second, "签字"));
  g_assert_nonnull (strstr (first, NUMBER));
  g_assert_nonnull (strstr (second, NUMBER));

  assert_fonts_embedded (pdf);
  save_pngs (pdf, "forms");
}

static void
test_number_on_every_page (void)
{
  g_autoptr(EkApplicationDraft) draft = filled_draft ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) reason = g_string_new (NULL);
  g_autofree char *pdf = ek_test_artifact_path ("forms-long.pdf");
  int pages;

  /* A very long reason pushes the form over several pages */
  for (guint i = 0; i < 150; i++)
    g_string_append_printf (reason, "第%u条：原电子钥匙损坏，需要补办。", i + 1);
  ek_application_draft_set_string (draft, "reason", reason->str);

  g_assert_true (ek_document_render_pdf (draft, EK_DOCUMENT_APPLICATION_FORM, pdf, NULL, &error));
  g_assert_no_error (error);
  pages = count_pages (pdf);
  g_assert_cmpint (pages, >=, 2);
  for (int page = 1; page <= pages; page++)
    {
      g_autofree char *text = page_text (pdf, page);

      g_test_message ("page %d of %d", page, pages);
      g_assert_nonnull (strstr (text, "申请编号：" NUMBER));
    }
  /* The last of the reason made it */
  {
    g_autofree char *last = page_text (pdf, pages);
    g_autofree char *all = NULL;
    const char *argv[] = { "pdftotext", pdf, "-", NULL };

    all = run (argv);
    g_assert_nonnull (strstr (all, "第150条"));
    g_assert_nonnull (strstr (last, "企业公章"));
  }
  save_pngs (pdf, "forms-long");
}

static void
test_unsubmitted (void)
{
  g_autoptr(EkApplicationDraft) draft = ek_application_draft_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = ek_test_artifact_path ("letter-empty.pdf");
  g_autofree char *text = NULL;

  /* An empty, unsubmitted draft still renders, and says the number comes later */
  g_assert_true (ek_document_render_pdf (draft, EK_DOCUMENT_SEAL_CONFIRMATION, pdf, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_pages (pdf), ==, 1);
  text = page_text (pdf, 1);
  g_assert_nonnull (strstr (text, "电子签章申请确认函"));
  g_assert_null (strstr (text, "进出口企业电子钥匙与电子认证证书办理申请表"));
  g_assert_nonnull (strstr (text, "提交后生成"));
}

static void
test_cancel (void)
{
  g_autoptr(EkApplicationDraft) draft = filled_draft ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = ek_test_artifact_path ("cancelled.pdf");
  g_autofree char *contents = NULL;

  /* A cancelled render leaves the previous file as it was */
  g_assert_true (g_file_set_contents (pdf, "previous", -1, NULL));
  g_cancellable_cancel (cancellable);
  g_assert_false (render_and_wait (draft, EK_DOCUMENT_ALL, pdf, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "previous");

  /* Not cancelled: replaced whole, private, and no temporary file left beside it */
  g_assert_true (render_and_wait (draft, EK_DOCUMENT_APPLICATION_FORM, pdf, NULL, NULL));
  g_assert_cmpint (count_pages (pdf), ==, 1);
  {
    g_autofree char *dir = g_path_get_dirname (pdf);
    g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
    const char *name;
    GStatBuf st;

    while ((name = g_dir_read_name (folder)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".cancelled.pdf."));
    g_assert_cmpint (g_stat (pdf, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  g_unlink (pdf);
}

/* The form's text with the spaces pdftotext puts between a box and its label taken out */
static char *
compact_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", pdf, "-", NULL };
  g_autofree char *text = run (argv);
  g_auto(GStrv) parts = g_strsplit_set (text, " \n", -1);

  return g_strjoinv ("", parts);
}

static void
test_business_ticks (void)
{
  /* Each business ticks its own box, and no other business box; the reason is printed */
  const struct
  {
    const char *business;
    const char *ticked[3];
    const char *reason;
  } cases[] = {
    { "first-application", { "√首次申领", NULL }, NULL },
    { "first-application-offline", { "√首次申领", NULL }, NULL },
    { "reissue", { "√补办", NULL }, "原电子钥匙丢失" },
    { "additional-key", { "√增办", NULL }, "新增经办人办理许可证业务" },
    { "cancellation", { "√注销", NULL }, NULL },
    { "pin-unlock", { "√重新申领", "√解锁", NULL }, NULL },
    { "renewal", { "√重新申领", "√更新", NULL }, NULL },
  };
  const char *boxes[] = { "首次申领", "补办", "增办", "注销", "解锁", "更新" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EkApplicationDraft) draft = filled_draft ();
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("form-%s.pdf", cases[i].business);
      g_autofree char *pdf = ek_test_artifact_path (name);
      g_autofree char *text = NULL;

      /* Only the business says what is ticked, not a box left ticked in the draft */
      ek_application_draft_set_boolean (draft, "tick-first-application", FALSE);
      ek_application_draft_set_business_type_id (draft, cases[i].business);
      if (cases[i].reason != NULL)
        ek_application_draft_set_string (draft, "reason", cases[i].reason);
      g_assert_true (ek_document_render_pdf (draft, EK_DOCUMENT_APPLICATION_FORM, pdf, NULL, &error));
      g_assert_no_error (error);
      text = compact_text (pdf);
      g_test_message ("%s: %s", cases[i].business, text);
      for (guint j = 0; cases[i].ticked[j] != NULL; j++)
        g_assert_nonnull (strstr (text, cases[i].ticked[j]));
      for (guint j = 0; j < G_N_ELEMENTS (boxes); j++)
        {
          g_autofree char *ticked = g_strconcat ("√", boxes[j], NULL);
          gboolean expected = FALSE;

          for (guint k = 0; cases[i].ticked[k] != NULL; k++)
            expected |= g_str_equal (cases[i].ticked[k], ticked);
          g_assert_true ((strstr (text, ticked) != NULL) == expected);
        }
      if (cases[i].reason != NULL)
        g_assert_nonnull (strstr (text, cases[i].reason));
      if (g_str_equal (cases[i].business, "reissue"))
        save_pngs (pdf, "form-reissue");
    }
}

static void
test_unwritable (void)
{
  g_autoptr(EkApplicationDraft) draft = filled_draft ();
  g_autoptr(GError) error = NULL;

  g_assert_false (ek_document_render_pdf (draft, EK_DOCUMENT_ALL, "/nonexistent-folder/forms.pdf", NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent-folder"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);

  g_test_add_func ("/document/forms", test_forms);
  g_test_add_func ("/document/number-on-every-page", test_number_on_every_page);
  g_test_add_func ("/document/unsubmitted", test_unsubmitted);
  g_test_add_func ("/document/cancel", test_cancel);
  g_test_add_func ("/document/unwritable", test_unwritable);
  g_test_add_func ("/document/business-ticks", test_business_ticks);

  status = g_test_run ();

  /* Drop cairo's process-wide font caches, so LeakSanitizer sees only our leaks */
  cairo_debug_reset_static_data ();
  return status;
}
