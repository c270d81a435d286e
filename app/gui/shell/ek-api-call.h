/* ek-api-call.h: calls to the registration service from a page, with the log-in dialog on session expiry */
#pragma once

#include <gtk/gtk.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

/* Starts one client call; @data is what the call needs (its arguments) */
typedef void     (*EkApiCallStart)  (EkApiClient         *client,
                                     gpointer             data,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
/* Finishes it: non-NULL on success (a boolean call returns GINT_TO_POINTER (TRUE)) */
typedef gpointer (*EkApiCallFinish) (EkApiClient         *client,
                                     GAsyncResult        *result,
                                     GError             **error);

EkApiClient *ek_api_call_get_client (GError              **error);
void         ek_api_call_run        (GtkWidget            *widget,
                                     EkApiCallStart        start,
                                     EkApiCallFinish       finish,
                                     GDestroyNotify        result_free,
                                     gpointer              data,
                                     GDestroyNotify        data_free,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gpointer     ek_api_call_run_finish (GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
