/* ek-mobile-common.h: what the mobile authorisation pages share
 *
 * The service's calls on a worker thread, the names of the request kinds and states as the seed
 * writes them, the draft's details as the request's applicant, and the seed's confirmation dialogs.
 */
#pragma once

#include <gtk/gtk.h>

#include "ek-api-client-mobile.h"
#include "ek-application-draft.h"

G_BEGIN_DECLS

typedef enum
{
  EK_MOBILE_CALL_LIST,     /* result: GPtrArray of EkMobileAuthorization */
  EK_MOBILE_CALL_CREATE,   /* result: EkMobileAuthorization */
  EK_MOBILE_CALL_SUBMIT,
  EK_MOBILE_CALL_DELETE,
} EkMobileCallKind;

typedef struct
{
  EkMobileCallKind  kind;
  char             *id;              /* submit, delete */
  char             *request_kind;    /* create: new, number-change … */
  char             *mobile;
  char             *old_mobile;
  char             *licence_type;
  JsonObject       *applicant;
  char             *idempotency_key;
} EkMobileCall;

EkMobileCall *ek_mobile_call_new           (EkMobileCallKind     kind);
void          ek_mobile_call_free          (EkMobileCall        *call);
/* Takes @call; @widget is the page the call is made for */
void          ek_mobile_call_run_async     (GtkWidget           *widget,
                                            EkMobileCall        *call,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gpointer      ek_mobile_call_run_finish    (GAsyncResult        *result,
                                            GError             **error);

const char   *ek_mobile_kind_label         (const char          *kind);
const char   *ek_mobile_state_label        (const char          *state);
char         *ek_mobile_certificate_label  (EkMobileAuthorization *a);
char         *ek_mobile_format_time        (gint64               unix_time,
                                            gboolean             with_time);
const char   *ek_mobile_licence_label      (const char          *licence_type);

/* The active certificates of @list (EkMobileAuthorization, borrowed), newest first */
GPtrArray    *ek_mobile_active             (GPtrArray           *list);
/* The information page's fields as the API's applicant */
JsonObject   *ek_mobile_applicant_from_draft (EkApplicationDraft *draft);
/* What the service knows (the last request's applicant) into the draft's empty fields; the
 * "fixed" ones it fills are locked */
void          ek_mobile_applicant_to_draft (JsonObject          *applicant,
                                            EkApplicationDraft  *draft);
void          ek_mobile_lock_field         (EkApplicationDraft  *draft,
                                            const char          *field);
/* A field error of the service on the applicant ("applicant/postcode"), to the draft's field it
 * names; the draft's field or NULL */
const char   *ek_mobile_draft_field_for    (const char          *api_field);

typedef void (*EkMobileConfirmed) (gpointer user_data);

/* The seed's modal question: @confirmed runs only if the clerk says yes; @data is freed either way */
void          ek_mobile_confirm            (GtkWidget           *from,
                                            const char          *title,
                                            const char          *text,
                                            const char          *yes,
                                            const char          *no,
                                            EkMobileConfirmed    confirmed,
                                            gpointer             data,
                                            GDestroyNotify       data_free);

G_END_DECLS
