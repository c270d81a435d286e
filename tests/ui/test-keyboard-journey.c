/* test-keyboard-journey.c: a first application by keyboard alone, read by a screen reader
 *
 * The real wizard window at 800 × 600, in Chinese under Xvfb, against a real ekey-registry over
 * HTTPS with a temporary database. Every input is a real key press through the X server
 * (xdotool, XTEST): Tab, arrows, Enter, Space, typed text, paths typed into the file chooser.
 * The test looks at the window only to know where the focus is, as a user looks at the screen.
 * From the business list to the submission and the status page; on every page the AT-SPI audit
 * (a11y-audit.py --running) reads the accessible tree as Orca would: no control unnamed, read by
 * a GTK type name, or named twice, no mnemonic used twice; a failed submission is announced.
 * Screenshots: test-artifacts/keyboard-journey-NN-*.png.
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-api-fixture.h"
#include "ek-application.h"
#include "ek-documents-page.h"
#include "ek-draft-materials.h"
#include "ek-image.h"
#include "ek-login-form.h"
#include "ek-scan-dialog.h"
#include "ek-status-page.h"
#include "ek-test-common.h"
#include "ek-test-images.h"
#include "ek-ui-test.h"
#include "ek-window.h"

static EkApiServer *server;
static EkApplication *app;
static char *work_dir;
static EkWindow *window;
static char *not_by_keyboard;   /* a drop-down the keyboard could not set */

/* What the audit said of each page (by where), for the test cases that follow the journey */
static GHashTable *audits;   /* where → Audit* */

/* The pages audited on the way, in order: where, and the step it is on */
static const struct { const char *where; const char *step; } audited[] = {
  { "业务类型", "business-type" },
  { "账号：选择", "account" },
  { "账号：注册", "account" },
  { "账号：激活", "account" },
  { "账号：登录", "account" },
  { "账号：已登录", "account" },
  { "企业信息", "form-enterprise" },
  { "法定代表人和经办人", "form-people" },
  { "联系方式", "form-contact" },
  { "领取地点", "form-authority" },
  { "核对信息", "review" },
  { "打印、签字、盖章", "documents" },
  { "申请材料", "materials" },
  { "申请材料：已添加", "materials" },
  { "扫描", "materials" },
  { "提交失败", "materials" },
  { "办理进度", "status" },
};

typedef struct
{
  char     *where;
  char     *step;
  gboolean  passed;
  char     *failures;
} Audit;

static void
audit_free (gpointer data)
{
  Audit *audit = data;

  g_free (audit->where);
  g_free (audit->step);
  g_free (audit->failures);
  g_free (audit);
}

static GtkWidget *
win (void)
{
  return GTK_WIDGET (window);
}

static void
shot (const char *name)
{
  ek_ui_screenshot_numbered (win (), "keyboard-journey", name);
}

/* Running a program while the main loop goes on (AT-SPI asks this process for its tree) */

typedef struct
{
  gboolean  done;
  char     *out;
  gboolean  ok;
} Run;

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, NULL, &error);
  g_assert_no_error (error);
  run->ok = g_subprocess_get_if_exited (G_SUBPROCESS (source)) && g_subprocess_get_exit_status (G_SUBPROCESS (source)) == 0;
  run->done = TRUE;
}

static gboolean
run (const char * const *argv,
     char              **out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  Run r = { FALSE, NULL, FALSE };

  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_run_done, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (out != NULL)
    *out = g_steal_pointer (&r.out);
  g_free (r.out);
  return r.ok;
}

/* Keys */

static void
press (const char *keys)
{
  g_auto(GStrv) names = g_strsplit (keys, " ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (builder, "xdotool", "key", "--delay", "30", NULL);
  g_strv_builder_addv (builder, (const char **) names);
  argv = g_strv_builder_end (builder);
  g_assert_true (run ((const char * const *) argv, NULL));
  ek_ui_iterate (win ());
}

static void
type (const char *text)
{
  const char *argv[] = { "xdotool", "type", "--delay", "20", text, NULL };

  g_assert_true (run (argv, NULL));
  ek_ui_iterate (win ());
}

/* Without a window manager the X server gives the keyboard to the window under the pointer,
 * or to the one GTK focused when presenting it: the dialogs of the journey are given it */
static void
x_focus (GtkWindow *toplevel)
{
  g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (toplevel))));
  const char *argv[] = { "xdotool", "windowfocus", "--sync", xid, NULL };

  g_assert_true (run (argv, NULL));
}

/* Where the focus is: on a widget of that name, or inside one */
static gboolean
focus_is_in (GtkWindow  *toplevel,
             const char *name)
{
  for (GtkWidget *w = gtk_window_get_focus (toplevel); w != NULL; w = gtk_widget_get_parent (w))
    if (g_strcmp0 (gtk_widget_get_name (w), name) == 0)
      return TRUE;
  return FALSE;
}

typedef gboolean (*FocusMatch) (GtkWidget *focus, gconstpointer data);

/* Tab (forward) until the focus is where @match says; the user reads where it is */
static void
tab_until (FocusMatch     match,
           gconstpointer  data,
           const char    *what)
{
  for (guint i = 0; i < 90; i++)
    {
      GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

      if (focus != NULL && match (focus, data))
        {
          g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (window)));
          return;
        }
      press ("Tab");
    }
  g_error ("Tab never reached %s", what);
}

static gboolean
match_named (GtkWidget     *focus,
             gconstpointer  name)
{
  return focus_is_in (GTK_WINDOW (window), name);
}

static void
tab_to (const char *name)
{
  g_autofree char *what = g_strdup_printf ("“%s”", name);

  tab_until (match_named, name, what);
}

/* Tab to a field, and type into it what was not there */
static void
fill (const char *name,
      const char *text)
{
  tab_to (name);
  press ("ctrl+a BackSpace");
  type (text);
}

/* Tab to a button and press it with Space */
static void
press_button (const char *name)
{
  tab_to (name);
  press ("space");
}

static GtkWidget *
label_in (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = label_in (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Which choice of a drop-down holds @label_part, and whether it is the one chosen */
static int
choice_index (GtkWidget  *drop_down,
              const char *label_part)
{
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (drop_down));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (strstr (gtk_string_object_get_string (item), label_part) != NULL)
        return (int) i;
    }
  return -1;
}

static gboolean
selected_matches (GtkWidget  *drop_down,
                  const char *label_part)
{
  int index = choice_index (drop_down, label_part);

  return index >= 0 && gtk_drop_down_get_selected (GTK_DROP_DOWN (drop_down)) == (guint) index;
}

/* A drop-down: Space opens it, the arrows move through the choices, Enter takes one. A drop-down
 * with a search entry opens in it: typing filters the choices first. */
static gboolean
choose_once (const char *name,
             const char *label_part,
             gboolean    search)
{
  GtkWidget *drop_down = ek_ui_find (win (), name);
  guint before = gtk_drop_down_get_selected (GTK_DROP_DOWN (drop_down));

  tab_to (name);
  press ("space");
  if (search)
    type (label_part);
  for (guint i = 0; i < 60; i++)
    {
      GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));
      GtkWidget *label = focus != NULL ? label_in (focus) : NULL;

      g_test_message ("choose: focus %s “%s”", focus ? G_OBJECT_TYPE_NAME (focus) : "none",
                      label ? gtk_label_get_text (GTK_LABEL (label)) : "");
      if (focus != NULL && GTK_IS_TEXT (focus))
        press ("Down");   /* from the search entry into the list */
      else if (label != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL &&
               strstr (gtk_label_get_text (GTK_LABEL (label)), label_part) != NULL)
        {
          press ("Return");
          break;
        }
      else
        press ("Down");
    }
  if (gtk_widget_get_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), GTK_TYPE_POPOVER) != NULL)
    press ("Escape");
  /* The list can lag a key press behind what was read: when Enter took a neighbour, open the
   * list again (it opens on the choice made) and step by keyboard to the one wanted */
  for (guint attempt = 0; attempt < 3 && choice_index (drop_down, label_part) >= 0 &&
                          !selected_matches (drop_down, label_part); attempt++)
    {
      int target = choice_index (drop_down, label_part);
      int selected = (int) gtk_drop_down_get_selected (GTK_DROP_DOWN (drop_down));

      press ("space");
      for (int k = 0; k < ABS (target - selected); k++)
        press (target > selected ? "Down" : "Up");
      press ("Return");
      if (gtk_widget_get_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), GTK_TYPE_POPOVER) != NULL)
        press ("Escape");
    }
  return gtk_drop_down_get_selected (GTK_DROP_DOWN (drop_down)) != before &&
         selected_matches (drop_down, label_part);
}

static void
choose (const char *name,
        const char *label_part)
{
  GtkWidget *drop_down = ek_ui_find (win (), name);

  if (choose_once (name, label_part, FALSE))
    return;
  if (gtk_drop_down_get_enable_search (GTK_DROP_DOWN (drop_down)))
    {
      GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (drop_down));

      if (choose_once (name, label_part, TRUE))
        return;
      /* GTK 4.8's drop-down with a search entry takes no choice from Enter or Space: a known
       * defect, reported by its own test case below; the journey goes on past it */
      not_by_keyboard = g_strdup (name);
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

          if (strstr (gtk_string_object_get_string (item), label_part) != NULL)
            {
              g_test_message ("“%s” set to “%s” without the keyboard", name, label_part);
              gtk_drop_down_set_selected (GTK_DROP_DOWN (drop_down), i);
              return;
            }
        }
    }
  g_error ("“%s” cannot be set to “%s” from the keyboard", name, label_part);
}

/* The searchable drop-down (the issuing authority) by keyboard */
static void
test_searchable_drop_down (void)
{
  /* GTK 4.8's drop-down with a search entry takes no choice from the keyboard: the form's
   * drop-downs, the issuing authority's included, must all be plain lists */
  if (not_by_keyboard != NULL)
    g_test_fail_printf ("“%s” could not be set from the keyboard", not_by_keyboard);
}

/* Waiting for what the app does by itself (the network, the service) */

static gboolean
is_on_step (gpointer data)
{
  return g_strcmp0 (ek_window_get_current_step (window), data) == 0;
}

static void
wait_for_step (const char *step)
{
  g_autofree char *what = g_strdup_printf ("the step “%s”", step);

  ek_ui_wait (win (), is_on_step, (gpointer) step, what);
}

static gboolean
next_is_enabled (gpointer data)
{
  return gtk_widget_is_sensitive (ek_ui_find_action (gtk_window_get_titlebar (GTK_WINDOW (window)), "wizard.next"));
}

/* Alt+→: on to the next step; its page gets the focus, with a focus ring */
static void
next (const char *step)
{
  ek_ui_wait (win (), next_is_enabled, NULL, "Next to be enabled");
  press ("alt+Right");
  wait_for_step (step);
  ek_ui_iterate (win ());
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (ek_window_get_current_page (window))));
    g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (window)));
  }
}

/* What makes the window wide: the deepest widgets wider than @limit */
static void
report_wide (GtkWidget *widget,
             int        limit)
{
  gboolean child_wide = FALSE;
  int min;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      g_test_message ("  %s%s %d", G_OBJECT_TYPE_NAME (c), gtk_widget_get_visible (c) ? "" : " (hidden)", min);
      if (min > limit)
        {
          child_wide = TRUE;
          report_wide (c, limit);
        }
    }
  if (!child_wide)
    {
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      g_test_message ("too wide: %s “%s” %d px", G_OBJECT_TYPE_NAME (widget),
                      GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : "", min);
    }
}

/* The window still fits 800 × 600 (its minimum size, what a window manager obeys) */
static void
assert_fits_800 (void)
{
  int min_width, min_height;

  gtk_widget_measure (win (), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (win (), GTK_ORIENTATION_VERTICAL, min_width, &min_height, NULL, NULL, NULL);
  g_test_message ("%s: at least %d × %d", ek_window_get_current_step (window), min_width, min_height);
  if (min_width > 800)
    {
      int child_min, bar_min;

      gtk_widget_measure (gtk_window_get_child (GTK_WINDOW (window)), GTK_ORIENTATION_HORIZONTAL, -1, &child_min, NULL, NULL, NULL);
      gtk_widget_measure (gtk_window_get_titlebar (GTK_WINDOW (window)), GTK_ORIENTATION_HORIZONTAL, -1, &bar_min, NULL, NULL, NULL);
      g_test_message ("content %d px, header bar %d px", child_min, bar_min);
      report_wide (gtk_window_get_child (GTK_WINDOW (window)), 700);
      report_wide (gtk_window_get_titlebar (GTK_WINDOW (window)), 300);
    }
  g_assert_cmpint (min_width, <=, 800);
  g_assert_cmpint (min_height, <=, 600);
}

/* The audit of the page shown, over AT-SPI */
static void
audit (const char *where,
       const char *error_message)
{
  g_autofree char *script = g_build_filename (ek_test_source_root (), "tests", "ui", "a11y-audit.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, "--running", g_get_prgname (), where, error_message, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) failures = g_string_new (NULL);
  Audit *result = g_new0 (Audit, 1);

  ek_ui_iterate (win ());
  assert_fits_800 ();
  result->passed = run (argv, &out);
  lines = g_strsplit (out ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "ok") || g_str_has_prefix (lines[i], "not ok"))
        g_test_message ("audit: %s", lines[i]);
      if (g_str_has_prefix (lines[i], "not ok"))
        g_string_append_printf (failures, "%s\n", lines[i]);
    }
  result->where = g_strdup (where);
  result->step = g_strdup (ek_window_get_current_step (window));
  result->failures = g_string_free (g_steal_pointer (&failures), FALSE);
  g_hash_table_replace (audits, result->where, result);
}

/* The operator's side */

static gboolean
shown (gpointer name)
{
  GtkWidget *widget = ek_ui_find (win (), name);

  return widget != NULL && gtk_widget_get_mapped (widget);
}

static void
wait_shown (const char *name)
{
  g_autofree char *what = g_strdup_printf ("“%s” to be shown", name);

  ek_ui_wait (win (), shown, (gpointer) name, what);
}

static gboolean
captcha_loaded (gpointer data)
{
  GtkWidget *form = ek_ui_find_type (win (), EK_TYPE_LOGIN_FORM);

  return form != NULL && ek_login_form_has_captcha (EK_LOGIN_FORM (form));
}

/* The steps */

static void
business (void)
{
  /* The focus starts on the first business; the arrows pass over the others, choosing none */
  g_assert_true (focus_is_in (GTK_WINDOW (window), "first-application"));
  audit ("业务类型", NULL);
  press ("Down Down Up Up");
  g_assert_true (focus_is_in (GTK_WINDOW (window), "first-application"));
  g_assert_null (ek_application_draft_get_business_type_id (ek_window_get_draft (window)));
  shot ("business-type");
  press ("Return");
  wait_for_step ("account");
  g_assert_cmpstr (ek_application_draft_get_business_type_id (ek_window_get_draft (window)), ==, "first-application");
}

static void
account (const char *uscc,
         const char *email)
{
  g_autofree char *code = NULL;
  g_autofree char *answer = NULL;
  GtkWidget *form;
  int status = -1;

  audit ("账号：选择", NULL);
  press_button ("choose-register");
  wait_shown ("register-button");
  fill ("uscc", uscc);
  fill ("enterprise_name", "Keyboard Trading Co");
  fill ("email", email);
  fill ("login_name", email);
  fill ("mobile", "18910123221");
  fill ("contact_name", "Wang Bing");
  shot ("register");
  audit ("账号：注册", NULL);
  press_button ("register-button");

  wait_shown ("activation-code");
  code = ek_api_activation_code_for (server, email);
  fill ("activation-code", code);
  audit ("账号：激活", NULL);
  press_button ("activate-button");

  ek_ui_wait (win (), captcha_loaded, NULL, "the captcha image");
  form = ek_ui_find_type (win (), EK_TYPE_LOGIN_FORM);
  answer = ek_api_run (server, &status, "captcha-answer", ek_login_form_get_captcha_id (EK_LOGIN_FORM (form)), NULL);
  g_assert_cmpint (status, ==, 0);
  g_strstrip (answer);
  fill ("captcha-answer", answer);
  shot ("log-in");
  audit ("账号：登录", NULL);
  press_button ("login-button");
  wait_shown ("logged-in-label");
  audit ("账号：已登录", NULL);
}

static void
form (void)
{
  next ("form-enterprise");
  fill ("registered-address", "11 Ronghua Road, Beijing");
  shot ("form-enterprise");
  audit ("企业信息", NULL);

  next ("form-people");
  fill ("legal-rep-name", "Luo Yun");
  choose ("legal-rep-id-type", "居民身份证");
  fill ("legal-rep-id-number", "11010519491231002X");
  fill ("user-name", "Wang Bing");
  choose ("user-id-type", "居民身份证");
  fill ("user-id-number", "110102199101010078");
  shot ("form-people");
  audit ("法定代表人和经办人", NULL);

  next ("form-contact");
  fill ("mobile", "18910123221");
  fill ("contact-address", "11 Ronghua Road, Beijing");
  fill ("postcode", "100176");
  shot ("form-contact");
  audit ("联系方式", NULL);

  next ("form-authority");
  choose ("authority-id", "北京");
  shot ("form-authority");
  audit ("领取地点", NULL);

  next ("review");
  g_assert_true (ek_ui_shows_text (win (), "Keyboard Trading Co"));
  shot ("review");
  audit ("核对信息", NULL);
}

static gboolean
documents_ready (gpointer data)
{
  EkPage *page = ek_window_get_current_page (window);

  return EK_IS_DOCUMENTS_PAGE (page) && g_str_equal (ek_documents_page_get_state (EK_DOCUMENTS_PAGE (page)), "ready");
}

static void
documents (void)
{
  next ("documents");
  ek_ui_wait (win (), documents_ready, NULL, "the documents");
  shot ("documents");
  audit ("打印、签字、盖章", NULL);
}

static char *
material_file (const char     *name,
               EkTestPageKind  kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkImage) image = ek_test_render_page (kind, 60, g_str_hash (name), NULL);
  g_autoptr(GBytes) jpeg = ek_image_encode_jpeg (image, 60, TRUE, &error);
  g_autofree char *path = g_build_filename (work_dir, name, NULL);

  g_assert_no_error (error);
  g_file_set_contents (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* The "Choose file…" button of one material's row */
static gboolean
match_choose_button (GtkWidget     *focus,
                     gconstpointer  data)
{
  const char *material_id = data;
  GtkWidget *label = label_in (focus);

  if (!GTK_IS_BUTTON (focus) || label == NULL ||
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), g_dgettext (GETTEXT_PACKAGE, "Choose file…")) != 0)
    return FALSE;
  return focus_is_in (GTK_WINDOW (window), material_id);
}

static gboolean
chooser_open (gpointer data)
{
  return ek_ui_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static gboolean
chooser_closed (gpointer data)
{
  return !chooser_open (data);
}

static gboolean
material_ready (gpointer data)
{
  g_autoptr(EkDraftMaterials) materials = ek_draft_materials_new (ek_window_get_draft (window), NULL);
  g_autofree char *file = materials ? ek_draft_materials_dup_file (materials, data) : NULL;

  return file != NULL;
}

/* Tab to the material's "Choose file…", press it, type the path into the file chooser, Enter */
static void
add_material (const char *material_id,
              const char *path)
{
  GtkWindow *chooser;
  g_autofree char *what = g_strdup_printf ("the “Choose file…” of “%s”", material_id);

  tab_until (match_choose_button, material_id, what);
  press ("space");
  ek_ui_wait (win (), chooser_open, NULL, "the file chooser");
  chooser = ek_ui_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  ek_ui_iterate (GTK_WIDGET (chooser));
  x_focus (chooser);
  type (path);
  ek_ui_iterate (GTK_WIDGET (chooser));
  press ("Return");
  ek_ui_wait (win (), chooser_closed, NULL, "the file chooser to close");
  x_focus (GTK_WINDOW (window));
  ek_ui_wait (win (), material_ready, (gpointer) material_id, what);
}

/* The "View" button of one material's row */
static gboolean
match_view_button (GtkWidget     *focus,
                   gconstpointer  data)
{
  GtkWidget *label = label_in (focus);

  return GTK_IS_BUTTON (focus) && label != NULL &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), g_dgettext (GETTEXT_PACKAGE, "View")) == 0 &&
         focus_is_in (GTK_WINDOW (window), data);
}

static GtkWindow *
material_view (void)
{
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (l->data != (gpointer) window && GTK_IS_WINDOW (l->data) && gtk_widget_get_visible (l->data) &&
        ek_ui_find (l->data, "close-view") != NULL)
      {
        GtkWindow *found = l->data;

        g_list_free (l);
        return found;
      }
  return NULL;
}

static gboolean
view_open (gpointer data)
{
  return material_view () != NULL;
}

static gboolean
view_closed (gpointer data)
{
  return material_view () == NULL;
}

/* A material at full size, and Escape to close it again */
static void
view_and_close (const char *material_id)
{
  g_autofree char *what = g_strdup_printf ("the “View” of “%s”", material_id);
  GtkWindow *view;

  tab_until (match_view_button, material_id, what);
  press ("space");
  ek_ui_wait (win (), view_open, NULL, "the material at full size");
  view = material_view ();
  ek_ui_iterate (GTK_WIDGET (view));
  x_focus (view);
  g_assert_true (focus_is_in (view, "close-view"));
  press ("Escape");
  ek_ui_wait (win (), view_closed, NULL, "Escape to close the material's view");
  x_focus (GTK_WINDOW (window));
}

/* The "Scan…" button of one material's row */
static gboolean
match_scan_button (GtkWidget     *focus,
                   gconstpointer  data)
{
  GtkWidget *label = label_in (focus);

  return GTK_IS_BUTTON (focus) && label != NULL &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), g_dgettext (GETTEXT_PACKAGE, "Scan…")) == 0 &&
         focus_is_in (GTK_WINDOW (window), data);
}

static gboolean
scan_dialog_open (gpointer data)
{
  GtkWindow *dialog = ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG);

  return dialog != NULL && !ek_scan_dialog_is_busy (EK_SCAN_DIALOG (dialog));
}

static gboolean
scan_dialog_closed (gpointer data)
{
  return ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG) == NULL;
}

/* The scan dialog, read by the audit, and Escape to close it */
static void
scan_dialog_and_close (const char *material_id)
{
  g_autofree char *what = g_strdup_printf ("the “Scan…” of “%s”", material_id);
  GtkWindow *dialog;

  tab_until (match_scan_button, material_id, what);
  press ("space");
  ek_ui_wait (win (), scan_dialog_open, NULL, "the scan dialog");
  dialog = ek_ui_find_toplevel (EK_TYPE_SCAN_DIALOG);
  ek_ui_iterate (GTK_WIDGET (dialog));
  x_focus (dialog);
  audit ("扫描", NULL);
  press ("Escape");
  ek_ui_wait (win (), scan_dialog_closed, NULL, "Escape to close the scan dialog");
  x_focus (GTK_WINDOW (window));
}

static gboolean
banner_has_focus (gpointer data)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return focus != NULL && GTK_IS_LABEL (focus) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (focus)), "") != 0 &&
         !gtk_widget_is_ancestor (focus, GTK_WIDGET (ek_window_get_current_page (window)));
}

static gboolean
status_shows_submitted (gpointer data)
{
  EkPage *page = ek_window_get_current_page (window);

  return EK_IS_STATUS_PAGE (page) &&
         g_strcmp0 (ek_status_page_get_summary (EK_STATUS_PAGE (page)), ek_status_name ("submitted")) == 0;
}

static void
materials (void)
{
  static const struct { const char *id; EkTestPageKind kind; } files[] = {
    { "application-form", EK_TEST_PAGE_SEALED },
    { "confirmation-letter", EK_TEST_PAGE_SEALED },
    { "business-licence", EK_TEST_PAGE_SEALED },
    { "id-card", EK_TEST_PAGE_PHOTOCOPY },
    { "authorisation-letter", EK_TEST_PAGE_PHOTOCOPY },
    { "foreign-trade-operator-form", EK_TEST_PAGE_PHOTOCOPY },
  };
  g_autoptr(EkDraftMaterials) draft_materials = NULL;
  g_autofree char *licence = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *message = NULL;

  next ("materials");
  shot ("materials");
  audit ("申请材料", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *name = g_strconcat (files[i].id, ".jpg", NULL);
      g_autofree char *path = material_file (name, files[i].kind);

      add_material (files[i].id, path);
    }
  shot ("materials-ready");
  audit ("申请材料：已添加", NULL);
  view_and_close ("id-card");
  scan_dialog_and_close ("business-licence");

  /* The licence's file goes missing from the application's folder before it is sent: the
   * submission fails, and the clerk hears why (the focus moves to the message) */
  draft_materials = ek_draft_materials_new (ek_window_get_draft (window), NULL);
  licence = ek_draft_materials_dup_file (draft_materials, "business-licence");
  aside = g_strconcat (licence, ".aside", NULL);
  g_assert_cmpint (g_rename (licence, aside), ==, 0);
  ek_ui_wait (win (), next_is_enabled, NULL, "Next to be enabled");
  press ("alt+Right");
  ek_ui_wait (win (), banner_has_focus, NULL, "the failed submission to be announced");
  message = g_strdup (gtk_label_get_text (GTK_LABEL (gtk_window_get_focus (GTK_WINDOW (window)))));
  g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (window)));
  g_assert_cmpstr (ek_window_get_current_step (window), ==, "materials");
  shot ("submission-failed");
  assert_fits_800 ();
  audit ("提交失败", message);

  /* Put back, submitted again */
  g_assert_cmpint (g_rename (aside, licence), ==, 0);
  press ("alt+Right");
  wait_for_step ("status");
  ek_ui_wait (win (), status_shows_submitted, NULL, "the status “submitted”");
  shot ("status-submitted");
  audit ("办理进度", NULL);
}

static void
test_journey (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (&error);
  g_autofree char *uscc = ek_api_make_uscc ();
  g_autofree char *email = g_strdup_printf ("clerk%u@example.com", g_random_int ());
  const char *pointer[] = { "xdotool", "mousemove", "400", "300", NULL };

  g_assert_no_error (error);
  window = ek_window_new (GTK_APPLICATION (app), catalogue, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  ek_ui_iterate (win ());
  /* Without a window manager, X gives the keyboard to the window under the pointer */
  g_assert_true (run (pointer, NULL));
  x_focus (GTK_WINDOW (window));

  business ();
  account (uscc, email);
  form ();
  documents ();
  materials ();
  assert_fits_800 ();
}

static void
test_audit (gconstpointer data)
{
  const char *where = data;
  const Audit *audit = g_hash_table_lookup (audits, where);

  if (audit == NULL)
    {
      g_test_fail_printf ("the journey did not reach “%s”", where);
      return;
    }
  if (audit->passed)
    return;
  g_test_message ("%s", audit->failures);
  g_test_fail_printf ("the audit of “%s” failed:\n%s", audit->where, audit->failures);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  data_home = g_dir_make_tmp ("ek-keyboard-journey-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  work_dir = g_build_filename (data_home, "clerk", NULL);
  g_mkdir_with_parents (work_dir, 0700);

  ek_ui_init (&argc, &argv);
  audits = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, audit_free);

  server = ek_api_server_start_tls (NULL);
  g_setenv ("EKEY_REGISTRY_URL", server->base_url, TRUE);
  g_setenv ("EKEY_REGISTRY_CA", server->ca_file, TRUE);

  app = ek_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/keyboard-journey/first-application", test_journey);
  g_test_add_func ("/keyboard-journey/searchable-drop-down", test_searchable_drop_down);
  /* Run after the journey (a suite's own cases come before its sub-suites) */
  for (guint i = 0; i < G_N_ELEMENTS (audited); i++)
    {
      g_autofree char *path = g_strdup_printf ("/keyboard-journey/audit/%02u-%s", i + 1, audited[i].step);

      g_test_add_data_func (path, audited[i].where, test_audit);
    }
  status = g_test_run ();

  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  ek_api_server_free (server);
  ek_test_images_shutdown ();
  g_hash_table_unref (audits);
  g_free (work_dir);
  return status;
}
