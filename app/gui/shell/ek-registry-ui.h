/* ek-registry-ui.h: calls to the registration service from a page, with the log-in dialog on session expiry */
#pragma once

#include <gtk/gtk.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

/* Starts one client call; @data is what the call needs (its arguments) */
typedef void     (*EkRegistryCallStart)  (EkApiClient    *client,
                                          gpointer             data,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Finishes it: non-NULL on success (a boolean call returns GINT_TO_POINTER (TRUE)) */
typedef gpointer (*EkRegistryCallFinish) (EkApiClient    *client,
                                          GAsyncResult        *result,
                                          GError             **error);

EkApiClient *ek_registry_ui_get_client   (GError              **error);
void              ek_registry_ui_call         (GtkWidget            *widget,
                                               EkRegistryCallStart   start,
                                               EkRegistryCallFinish  finish,
                                               GDestroyNotify        result_free,
                                               gpointer              data,
                                               GDestroyNotify        data_free,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gpointer          ek_registry_ui_call_finish  (GAsyncResult         *result,
                                               GError              **error);
char             *ek_registry_ui_describe     (const GError         *error);
gboolean          ek_registry_ui_is_field_error (const GError       *error);

/* A button with a mnemonic whose accessible name is its text without the underscore
 * (GTK 4.8 reads the raw "_Retry" out otherwise) */
GtkWidget        *ek_ui_mnemonic_button_new   (const char           *text);
char             *ek_ui_strip_mnemonic        (const char           *text);

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

G_END_DECLS
