/* ek-ui-helpers.h: small helpers for the few widgets still built in C */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A button with a mnemonic whose accessible name is its text without the key, once
 * (GTK 4.8 reads "_Retry Retry" otherwise) */
GtkWidget        *ek_ui_mnemonic_button_new   (const char           *text);
/* A control given a name of its own, read with that name only (not also its mnemonic label's) */
void              ek_ui_set_accessible_name   (GtkWidget            *widget,
                                               const char           *name);
/* The button inside each drop-down under @root, named by the drop-down's label; the pages of
 * each stack under @root that are not shown, hidden from screen readers */
void              ek_ui_name_inner_controls   (GtkWidget            *root);
/* Mnemonic buttons of a template, each with its accessible name there, read with that name only
 * (GTK 4.8 reads the mnemonic label and then the name); a NULL-terminated list */
void              ek_ui_read_names_once       (GtkWidget            *first,
                                               ...) G_GNUC_NULL_TERMINATED;

/* Names a field by its visible label (text without the Alt key, or @text), saying "required" */
void              ek_ui_name_field            (GtkWidget            *control,
                                               GtkWidget            *label,
                                               const char           *text,
                                               gboolean              required);

/* Cancels what *@cancellable was for and puts a fresh one in its place, for the next call */
GCancellable     *ek_ui_restart_cancellable   (GCancellable        **cancellable);

/* Page-building: a label that wraps and sits flush left, with @css_class ("title-2" for a
 * heading, "dim-label", "error"…) when not NULL; the _word_char one also breaks inside a word
 * too long for the line (an e-mail address, a credit code) */
GtkWidget        *ek_ui_wrapped_label_new     (const char           *text,
                                               const char           *css_class);
GtkWidget        *ek_ui_wrapped_label_new_word_char (const char     *text,
                                                     const char     *css_class);
/* The vertical box a page's content sits in, with the page margins */
GtkWidget        *ek_ui_page_box_new          (void);
/* Puts @child in a vertical scroller, as tall as its content, as @page's own child */
void              ek_ui_page_set_scrolled_child (GtkWidget          *page,
                                                 GtkWidget          *child);

/* Escape and Ctrl+W close @window */
void              ek_ui_window_add_close_keys (GtkWindow            *window);

/* Prints the PDF at @path on A4, each page scaled to the paper, over @widget's window.
 * GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG for the clerk; EXPORT (with @export_path) runs the very
 * same drawing into a PDF file, without a dialog. FALSE with @error if it cannot be read or printed. */
gboolean          ek_ui_print_pdf             (GtkWidget               *widget,
                                               const char              *path,
                                               const char              *job_name,
                                               GtkPrintOperationAction  action,
                                               const char              *export_path,
                                               GError                 **error);

G_END_DECLS
