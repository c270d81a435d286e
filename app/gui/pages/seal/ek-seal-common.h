/* ek-seal-common.h: what the electronic seal's pages share
 *
 * The seal's calls are synchronous (ek-api-client-seals.h): here they run on a worker thread for
 * a page, through ek_api_call_run() (a new log-in with the key when the session has expired). The form's fields (the draft's names, the API's names), and the words the seed uses for
 * a request's kind and state and a seal's state.
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "ek-api-client-seals.h"
#include "ek-application-draft.h"

G_BEGIN_DECLS

/* One call on the worker thread: returns its result, or NULL with @error */
typedef gpointer (*EkSealCall) (EkApiClient   *client,
                                gpointer       data,
                                GCancellable  *cancellable,
                                GError       **error);

void         ek_seal_call_async          (GtkWidget           *widget,
                                          EkSealCall           call,
                                          gpointer             data,
                                          GDestroyNotify       data_free,
                                          GDestroyNotify       result_free,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gpointer     ek_seal_call_finish         (GAsyncResult        *result,
                                          GError             **error);

/* A field of the seal's application form */
typedef struct
{
  const char *draft_name;
  const char *api_name;
} EkSealField;

const EkSealField *ek_seal_get_fields    (guint               *n_fields);
/* The form as the API takes it (code13 included), from the draft */
JsonObject  *ek_seal_form_from_draft     (EkApplicationDraft  *draft);
/* A request's form into the draft (what a change or binding starts from) */
void         ek_seal_form_to_draft       (JsonObject          *form,
                                          EkApplicationDraft  *draft);

/* Another request is taken up: the stamped scan of the previous one is dropped from the draft, so
 * that it can never be uploaded as this one's letter */
void         ek_seal_choose_request      (EkApplicationDraft  *draft,
                                          const char          *request_id);

/* 印章申请 · 印章变更 · 证书绑定申请 · 续绑 */
const char  *ek_seal_kind_label          (const char          *kind);
/* 新申请 · 确认函已上传 · 已退回 · 已审核 · 印章已制作 */
const char  *ek_seal_request_state_label (const char          *state);
/* 正常 · 注销 */
const char  *ek_seal_state_label         (const char          *state);
/* A Unix time as the seed shows it (2015-07-23 18:41:54), local time */
char        *ek_seal_format_time         (gint64               unix_time);

G_END_DECLS
