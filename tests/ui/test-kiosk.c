/* test-kiosk.c: a counter session leaves nothing behind
 *
 * Counter (kiosk) mode under Xvfb: a first application from the business list to submission
 * (the journey of test-first-application.c, with one material scanned through SANE's test
 * backend and the form saved as a PDF), against a real ekey-registry over HTTPS. Every file
 * under $HOME (with the XDG folders and $TMPDIR inside it) is listed with a digest of its
 * contents before the session, during it and after it ends: nothing the session created or
 * changed may remain, and no remaining file may contain the enterprise's name, its code, an ID
 * number or the clerk's e-mail. Once through Finish, once through the idle timeout (whose
 * countdown is photographed: kiosk-idle-warning-LANG.png). The list of what the app wrote in
 * the session goes to test-artifacts/kiosk-session-files-LANG.txt.
 */
#define EK_JOURNEY_WITHOUT_MAIN
#define EK_JOURNEY_SHOT_PREFIX "kiosk-journey"
#include "test-first-application.c"

#include "ek-diagnostics-window.h"
#include "ek-kiosk.h"
#include "ek-scan-dialog.h"

static const char *excluded[8];   /* the service's own folders, the clerk's USB stick */
static EkKiosk *kiosk;

/* ---- Listing what is on disk ---- */

static gboolean
is_excluded (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (excluded) && excluded[i] != NULL; i++)
    if (g_str_equal (path, excluded[i]) ||
        (g_str_has_prefix (path, excluded[i]) && path[strlen (excluded[i])] == '/'))
      return TRUE;
  return FALSE;
}

/* path → SHA-256 of its contents (a symbolic link: of its target's name) */
static void
list_files (const char *dir,
            GHashTable *files)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (is_excluded (path) || g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        list_files (path, files);
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (path, NULL);

          g_hash_table_insert (files, g_steal_pointer (&path),
                               g_compute_checksum_for_string (G_CHECKSUM_SHA256, target != NULL ? target : "", -1));
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          if (!g_file_get_contents (path, &contents, &length, NULL))
            contents = g_strdup ("(unreadable)"), length = strlen (contents);
          g_hash_table_insert (files, g_steal_pointer (&path),
                               g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length));
        }
      /* sockets and pipes (a D-Bus or accessibility bus) hold no data */
    }
}

static GHashTable *
snapshot (void)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  list_files (g_get_home_dir (), files);
  if (!g_str_has_prefix (g_get_tmp_dir (), g_get_home_dir ()))
    list_files (g_get_tmp_dir (), files);
  return files;
}

/* What is in @after that was not in @before, or not with these contents; sorted */
static GPtrArray *
new_or_changed (GHashTable *before,
                GHashTable *after)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer path, digest;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &path, &digest))
    if (g_strcmp0 (g_hash_table_lookup (before, path), digest) != 0)
      g_ptr_array_add (paths, g_strdup (path));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);   /* pointers to strings: see below */
  return paths;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
assert_nothing_contains (GHashTable         *files,
                         const char * const *secrets)
{
  GHashTableIter iter;
  gpointer path;

  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (guint i = 0; secrets[i] != NULL; i++)
        if (g_strstr_len (contents, (gssize) length, secrets[i]) != NULL)
          g_error ("%s still holds “%s” after the session", (const char *) path, secrets[i]);
    }
}

/* ---- The session ---- */

static gboolean
dialog_listed (gpointer dialog)
{
  return !ek_scan_dialog_is_busy (dialog) && ek_scan_dialog_get_n_devices (dialog) > 0;
}

static gboolean
no_scan_dialog (gpointer data)
{
  return ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG) == NULL;
}

static gboolean
row_checked (gpointer row)
{
  EkMaterialRowState state = ek_material_row_get_state (row);

  return state != EK_MATERIAL_ROW_MISSING && state != EK_MATERIAL_ROW_CHECKING;
}

/* The licence, scanned at the counter through the scan helper (SANE's test backend) */
static void
scan_licence (EkWindow *window)
{
  EkMaterialRow *row = material_row (window, "business-licence");
  GtkWidget *button = ek_ui_find_button (GTK_WIDGET (row), g_dgettext (GETTEXT_PACKAGE, "Scan…"));
  EkScanDialog *dialog;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  dialog = (EkScanDialog *) ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG);
  g_assert_nonnull (dialog);
  ek_ui_wait (GTK_WIDGET (dialog), dialog_listed, dialog, "the scanners to be listed");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "scan.start", NULL);
  ek_ui_wait (win (window), no_scan_dialog, NULL, "the scan dialog to close");
  ek_ui_wait (win (window), row_checked, row, "the scanned licence to be checked");
  if (ek_material_row_get_state (row) == EK_MATERIAL_ROW_TOO_LARGE)
    {
      RowWait ready = { row, EK_MATERIAL_ROW_READY };

      ek_material_row_fit (row);
      ek_ui_wait (win (window), row_has_preview, row, "the fitted preview of the scan");
      ek_material_row_accept_fit (row);
      ek_ui_wait (win (window), row_settled, &ready, "the fitted scan to be ready");
    }
  g_assert_cmpint (ek_material_row_get_state (row), ==, EK_MATERIAL_ROW_READY);
}

static void
kiosk_materials (Journey *j)
{
  EkWindow *window = j->window;
  g_autofree char *form_scan = scanned_page ("application-form.jpg", EK_TEST_PAGE_SEALED, 300, 92);
  g_autofree char *letter = scanned_page ("confirmation-letter.jpg", EK_TEST_PAGE_SEALED, 60, 60);
  g_autofree char *authorisation = scanned_page ("authorisation-letter.jpg", EK_TEST_PAGE_PHOTOCOPY, 60, 60);
  g_autofree char *operator_form = scanned_page ("operator-form.jpg", EK_TEST_PAGE_PHOTOCOPY, 60, 60);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) front = ek_test_render_id_card (150, FALSE);
  g_autoptr(EkImage) back = ek_test_render_id_card (150, TRUE);
  g_autoptr(EkImage) both = ek_image_stack (front, back);
  g_autoptr(GBytes) card_jpeg = ek_image_encode_jpeg (both, 80, TRUE, &error);
  g_autofree char *id_card = NULL;
  EkMaterialRow *form_row;
  RowWait ready;

  g_assert_no_error (error);
  id_card = write_material ("id-card.jpg", card_jpeg);

  ek_ui_go_next (window, "materials");
  shot (window, "materials");
  add_material (window, "application-form", form_scan, EK_MATERIAL_ROW_TOO_LARGE);
  form_row = material_row (window, "application-form");
  ek_material_row_fit (form_row);
  ek_ui_wait (win (window), row_has_preview, form_row, "the fitted preview");
  ek_material_row_accept_fit (form_row);
  ready = (RowWait) { form_row, EK_MATERIAL_ROW_READY };
  ek_ui_wait (win (window), row_settled, &ready, "the fitted form to be ready");
  add_material (window, "confirmation-letter", letter, EK_MATERIAL_ROW_READY);
  scan_licence (window);
  add_material (window, "id-card", id_card, EK_MATERIAL_ROW_READY);
  add_material (window, "authorisation-letter", authorisation, EK_MATERIAL_ROW_READY);
  add_material (window, "foreign-trade-operator-form", operator_form, EK_MATERIAL_ROW_READY);

  shot (window, "materials-ready");
  ek_ui_go_next (window, "status");
  wait_for_status (window, "submitted");
  shot (window, "status-submitted");
}

/* The form kept as a PDF, through the page's Save (its dialog's part left out) */
static char *
kiosk_documents (Journey *j)
{
  EkWindow *window = j->window;
  EkPage *page;
  g_autofree char *name = NULL;
  g_autofree char *folder = g_build_filename (g_get_home_dir (), "Documents", NULL);
  g_autoptr(GFile) target = NULL;
  g_autoptr(GError) error = NULL;
  char *saved;

  ek_ui_go_next (window, "documents");
  page = current_page (window);
  ek_ui_wait (win (window), documents_ready, page, "the documents");
  shot (window, "documents");
  g_mkdir_with_parents (folder, 0700);
  name = ek_documents_page_default_name (EK_DOCUMENTS_PAGE (page), 0);
  saved = g_build_filename (folder, name, NULL);
  target = g_file_new_for_path (saved);
  g_assert_true (ek_documents_page_save_copy (EK_DOCUMENTS_PAGE (page), 0, target, &error));
  g_assert_no_error (error);
  return saved;
}

typedef struct
{
  char *uscc;
  char *email;
  char *saved_pdf;
} Session;

static void
session_clear (Session *s)
{
  g_free (s->uscc);
  g_free (s->email);
  g_free (s->saved_pdf);
}

static void
run_session (Session *s)
{
  Journey j = { NULL };
  GtkWidget *row;

  s->uscc = ek_api_make_uscc ();
  s->email = g_strdup_printf ("clerk%u@example.com", g_random_int ());
  j.uscc = s->uscc;
  j.email = s->email;
  j.window = EK_WINDOW (ek_kiosk_get_window (kiosk));
  g_assert_nonnull (j.window);
  /* full screen: asserted by /kiosk/no-quit */

  row = ek_ui_wait_for (win (j.window), "first-application");
  /* Chosen as with Enter or a click (focus or selection alone choose nothing): on to the account */
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  ek_ui_wait_step (j.window, "account");
  account (&j);
  form (&j);
  s->saved_pdf = kiosk_documents (&j);
  kiosk_materials (&j);
  g_free (j.application_id);
}

static gboolean
session_ended (gpointer data)
{
  return ek_kiosk_get_sessions_ended (kiosk) >= GPOINTER_TO_UINT (data);
}

static void
write_session_list (GPtrArray  *written,
                    const char *how)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *file = g_strdup_printf ("kiosk-session-files-%s-%s.txt", how, g_getenv ("LANGUAGE"));
  g_autofree char *path = ek_test_artifact_path (file);
  gsize home = strlen (g_get_home_dir ());

  for (guint i = 0; i < written->len; i++)
    {
      const char *p = g_ptr_array_index (written, i);

      g_string_append_printf (text, "$HOME%s\n", p + home);
    }
  g_file_set_contents (path, text->str, -1, NULL);
  g_test_message ("the app wrote in this session (%u files):\n%s", written->len, text->str);
}

/* Before and after one session: nothing of it remains */
static void
check_session (const char *how)
{
  g_autoptr(GHashTable) before = NULL, during = NULL, after = NULL;
  g_autoptr(GPtrArray) written = NULL, left = NULL;
  g_autoptr(EkApiClient) client = NULL;
  guint ended = ek_kiosk_get_sessions_ended (kiosk);
  GdkClipboard *clipboard;
  Session s = { NULL };
  EkWindow *window;

  ek_ui_iterate (GTK_WIDGET (ek_kiosk_get_window (kiosk)));
  before = snapshot ();
  run_session (&s);

  /* What the session wrote: the drafts, the scans and fitted images, the forms, the saved copy */
  during = snapshot ();
  written = new_or_changed (before, during);
  g_ptr_array_sort (written, compare_paths);
  write_session_list (written, how);
  g_assert_true (g_hash_table_contains (during, s.saved_pdf));
  g_assert_cmpuint (written->len, >=, 3);

  /* The clerk copied the code somewhere in the app */
  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (ek_kiosk_get_window (kiosk)));
  gdk_clipboard_set_text (clipboard, s.uscc);
  client = ek_application_dup_api_client (app, NULL);
  g_assert_true (ek_api_client_has_session (client));
  /* The clerk also looked at the key's report: that window shows the session's certificates */
  g_action_group_activate_action (G_ACTION_GROUP (app), "diagnostics", NULL);
  g_assert_nonnull (ek_ui_find_toplevel (EK_TYPE_DIAGNOSTICS_WINDOW));

  if (g_str_equal (how, "finish"))
    {
      GtkWidget *finish = ek_ui_find (GTK_WIDGET (ek_kiosk_get_window (kiosk)), "kiosk-finish");

      g_assert_nonnull (finish);
      shot (EK_WINDOW (ek_kiosk_get_window (kiosk)), "kiosk-before-finish");
      g_signal_emit_by_name (finish, "clicked");
    }
  else
    {
      /* Untouched: first the warning with its countdown, then the end */
      ek_kiosk_set_idle_timeouts (kiosk, 1, 4);
      while (ek_kiosk_get_warning (kiosk) == NULL)
        g_main_context_iteration (NULL, TRUE);
      ek_ui_iterate (GTK_WIDGET (ek_kiosk_get_warning (kiosk)));
      ek_ui_screenshot (GTK_WIDGET (ek_kiosk_get_warning (kiosk)), "kiosk-idle-warning");
      g_assert_true (ek_ui_shows_text (GTK_WIDGET (ek_kiosk_get_warning (kiosk)),
                                       g_dgettext (GETTEXT_PACKAGE, "Are you still there?")));
    }
  /* The window is swapped for a fresh one meanwhile: wait on the loop, not on its frames */
  while (!session_ended (GUINT_TO_POINTER (ended + 1)))
    g_main_context_iteration (NULL, TRUE);
  ek_kiosk_set_idle_timeouts (kiosk, 3600, 60);

  /* The fresh window is at the business list, offers nothing to continue */
  window = EK_WINDOW (ek_kiosk_get_window (kiosk));
  ek_ui_iterate (GTK_WIDGET (window));
  g_assert_null (ek_window_get_current_step (window));   /* no business chosen: the first page */
  g_assert_cmpuint (ek_window_get_current_index (window), ==, 0);
  g_assert_nonnull (ek_ui_find (GTK_WIDGET (window), "first-application"));
  g_assert_false (ek_ui_shows_text (GTK_WIDGET (window), "北京测试科技有限公司"));
  /* The clipboard no longer holds what we put there; the service's session is gone */
  g_assert_null (gdk_clipboard_get_content (gtk_widget_get_clipboard (GTK_WIDGET (window))));
  g_assert_false (ek_api_client_has_session (client));
  g_assert_null (ek_ui_find_toplevel (EK_TYPE_DIAGNOSTICS_WINDOW));

  /* Nothing of the session remains, and nothing left holds its data */
  after = snapshot ();
  left = new_or_changed (before, after);
  {
    /* The fresh window's own (empty) draft belongs to the next session, not to this one */
    g_autofree char *next = ek_application_draft_dup_directory (ek_window_get_draft (window), NULL);
    guint n_left = 0;

    for (guint i = 0; i < left->len; i++)
      {
        const char *path = g_ptr_array_index (left, i);

        if (next != NULL && g_str_has_prefix (path, next) && path[strlen (next)] == '/')
          continue;
        g_test_message ("left behind: %s", path);
        n_left++;
      }
    g_assert_cmpuint (n_left, ==, 0);
  }
  {
    const char *secrets[] = { "北京测试科技有限公司", s.uscc, "11010519491231002X", "110102199101010078",
                              s.email, NULL };

    assert_nothing_contains (after, secrets);
  }
  session_clear (&s);
}

static void
test_finish (void)
{
  check_session ("finish");
}

static void
test_idle (void)
{
  check_session ("idle");
}

/* No way out but the administrator's: the window does not close, Quit is off */
static void
test_no_quit (void)
{
  GtkWindow *window = ek_kiosk_get_window (kiosk);
  GAction *quit = g_action_map_lookup_action (G_ACTION_MAP (app), "quit");

  gtk_window_close (window);
  ek_ui_iterate (GTK_WIDGET (window));
  g_assert_true (ek_kiosk_get_window (kiosk) == window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_false (g_action_get_enabled (quit));
  g_assert_true (gtk_window_is_fullscreen (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL, *runtime = NULL;
  int status;

  /* $TMPDIR and the runtime folder inside the test's $HOME, so one listing covers them all */
  tmp = g_build_filename (g_get_home_dir (), "tmp", NULL);
  runtime = g_build_filename (g_get_home_dir (), "runtime", NULL);
  g_mkdir_with_parents (tmp, 0700);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("TMPDIR", tmp, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  /* The clerk's USB stick with the scans brought along */
  work_dir = g_build_filename (g_get_home_dir (), "usb-stick", NULL);
  g_mkdir_with_parents (work_dir, 0700);

  (void) test_journey;   /* the whole journey of the included test is not run here */
  ek_ui_init (&argc, &argv);
  ek_test_setup_sane ("number_of_devices 1\nmode Color\ndepth 8\nresolution 150.0\n"
                      "test-picture \"Grid\"\ngeometry_min 0.0\ngeometry_max 200.0\nbr_x 80.0\nbr_y 100.0\n");

  server = ek_api_server_start_tls (NULL);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);
  excluded[0] = server->dir;
  excluded[1] = ek_api_tls ()->dir;
  excluded[2] = work_dir;

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  ek_application_set_kiosk_requested (app, TRUE);
  g_application_activate (G_APPLICATION (app));
  kiosk = ek_application_get_kiosk (app);
  g_assert_nonnull (kiosk);
  /* The journey's widgets are driven through their signals, not the pointer: no idle end midway */
  ek_kiosk_set_idle_timeouts (kiosk, 3600, 60);

  g_test_add_func ("/kiosk/no-quit", test_no_quit);
  g_test_add_func ("/kiosk/finish-leaves-nothing", test_finish);
  g_test_add_func ("/kiosk/idle-timeout-leaves-nothing", test_idle);
  status = g_test_run ();

  /* The administrator's way out; every window goes before the test images' fonts do */
  ek_kiosk_release (kiosk);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    while (g_list_model_get_n_items (toplevels) > 0)
      {
        g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);

        gtk_window_destroy (window);
      }
  }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ek_api_server_free (server);
  /* Not ek_test_images_shutdown(): it resets cairo's static data, which asserts when anything of
   * GTK still holds a font, and only leak checks need it (the UI suite does not run under ASan) */
  g_free (work_dir);
  return status;
}
