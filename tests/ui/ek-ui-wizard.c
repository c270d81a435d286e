/* ek-ui-wizard.c: driving the wizard window through its steps, as a clerk does */
#include "config.h"

#include <string.h>

#include "ek-test-common.h"
#include "ek-ui-wizard.h"

GtkWidget *
ek_ui_next_button (EkWindow *window)
{
  /* In kiosk mode the header bar sits inside the full-screen window */
  GtkWidget *titlebar = gtk_window_get_titlebar (GTK_WINDOW (window)) != NULL
                        ? gtk_window_get_titlebar (GTK_WINDOW (window)) : GTK_WIDGET (window);
  GtkWidget *stack[64] = { titlebar };
  guint n = 1;

  while (n > 0)
    {
      GtkWidget *widget = stack[--n];

      if (GTK_IS_ACTIONABLE (widget) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "wizard.next") == 0)
        return widget;
      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL && n < G_N_ELEMENTS (stack); c = gtk_widget_get_next_sibling (c))
        stack[n++] = c;
    }
  g_error ("No Next button");
}

typedef struct
{
  EkWindow   *window;
  const char *step;
} StepWait;

static gboolean
is_on_step (gpointer data)
{
  StepWait *wait = data;

  return g_strcmp0 (ek_window_get_current_step (wait->window), wait->step) == 0;
}

gboolean
ek_ui_next_enabled (gpointer data)
{
  return gtk_widget_is_sensitive (ek_ui_next_button (data));
}

void
ek_ui_wait_step (EkWindow   *window,
                 const char *step)
{
  StepWait wait = { window, step };
  g_autofree char *what = g_strdup_printf ("the step “%s”", step);

  ek_ui_wait (GTK_WIDGET (window), is_on_step, &wait, what);
}

void
ek_ui_go_next (EkWindow   *window,
               const char *step)
{
  ek_ui_wait (GTK_WIDGET (window), ek_ui_next_enabled, window, "Next to be enabled");
  gtk_widget_activate (ek_ui_next_button (window));
  ek_ui_wait_step (window, step);
}

gboolean
ek_ui_page_complete (gpointer window)
{
  return ek_page_get_complete (ek_window_get_current_page (window));
}

void
ek_ui_choose (GtkWidget  *root,
              const char *name,
              const char *label_part)
{
  GtkWidget *widget = ek_ui_find (root, name);
  GListModel *model;

  g_assert_true (GTK_IS_DROP_DOWN (widget));
  model = gtk_drop_down_get_model (GTK_DROP_DOWN (widget));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      const char *label = gtk_string_list_get_string (GTK_STRING_LIST (model), i);

      if (label != NULL && (label_part[0] == '=' ? g_str_equal (label, label_part + 1) : strstr (label, label_part) != NULL))
        {
          gtk_drop_down_set_selected (GTK_DROP_DOWN (widget), i);
          return;
        }
    }
  g_error ("“%s” offers no “%s”", name, label_part);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *out;
} AuditRun;

static void
on_audit_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AuditRun *r = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &r->out, NULL, NULL);
  r->ok = g_subprocess_get_successful (G_SUBPROCESS (source));
  r->done = TRUE;
}

/* The page shown holds at 800 × 600, and the AT-SPI audit (as Orca reads it) finds every control
 * named; the main loop runs meanwhile, so the window answers the audit */
void
ek_ui_audit_page (EkWindow   *window,
                  const char *where)
{
  g_autofree char *script = g_build_filename (ek_test_source_root (), "tests", "ui", "a11y-audit.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, "--running", g_get_prgname (), where, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  AuditRun r = { FALSE, FALSE, NULL };
  int min_width, min_height;

  ek_ui_iterate (GTK_WIDGET (window));
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, min_width, &min_height, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 800);
  g_assert_cmpint (min_height, <=, 600);

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_audit_done, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (!r.ok)
    g_error ("The audit of %s failed:\n%s", where, r.out);
  g_test_message ("audit of %s: passed", where);
  g_free (r.out);
}
