/* ek-stages.h: the stages of a business after submission, and their working-day durations */
#pragma once

#include <glib-object.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"

G_BEGIN_DECLS

/* One stage, as the catalogue's "stage_sets" declare it */
typedef struct
{
  char  *id;
  char  *title;          /* localized */
  char **statuses;       /* the service's statuses within the stage, in order; the last ends it */
  char  *failed;         /* the status of a failed review, or NULL */
  int    working_days;   /* the stage ends this many working days after counted_from ends; -1: not said */
  int    counted_from;   /* index of that stage, or -1 */
  char  *span;           /* localized, or NULL: what the working days cover (“re-review and production together”) */
  char  *pending;        /* localized, or NULL: told while the stage is the next one */
  char  *after;          /* localized, or NULL: told once the stage has ended ({enterprise} is replaced) */
  char  *done;           /* localized, or NULL: the status in a few words once the stage has ended */
  char  *mail_subject;   /* or NULL: what the service mails when the stage ends ({enterprise}) */
  char  *mail_body;
} EkStage;

#define EK_TYPE_STAGES (ek_stages_get_type ())
G_DECLARE_FINAL_TYPE (EkStages, ek_stages, EK, STAGES, GObject)

EkStages      *ek_stages_new_for_business    (EkCatalogue  *catalogue,
                                              const char   *business_type,
                                              GError      **error);
guint          ek_stages_get_n_stages        (EkStages     *self);
const EkStage *ek_stages_get_stage           (EkStages     *self,
                                              guint         index);
int            ek_stages_lookup              (EkStages     *self,
                                              const char   *id);
int            ek_stages_find_status         (EkStages     *self,
                                              const char   *status);
gboolean       ek_stages_ends_stage          (EkStages     *self,
                                              const char   *status);
gboolean       ek_stages_is_final            (EkStages     *self,
                                              const char   *status);
gboolean       ek_stages_is_failed           (EkStages     *self,
                                              const char   *status);
const char    *ek_stages_status_before       (EkStages     *self,
                                              const char   *status);
gboolean       ek_stages_plan                (EkStages     *self,
                                              EkCalendar   *calendar,
                                              GDate        *ended,
                                              gboolean     *estimate);
char          *ek_stages_expand              (const char   *text,
                                              const char   *enterprise);

G_END_DECLS
