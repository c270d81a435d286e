/* ek-business-type.h: one e-key business (first application, renewal, …) and its steps */
#pragma once

#include <glib-object.h>

#include "ek-flow-step.h"

G_BEGIN_DECLS

typedef enum
{
  EK_BUSINESS_MODE_ONLINE,          /*< nick=online >*/
  EK_BUSINESS_MODE_OFFLINE,         /*< nick=offline >*/
  EK_BUSINESS_MODE_ONLINE_AND_PAPER /*< nick=online-and-paper >*/
} EkBusinessMode;

#define EK_TYPE_BUSINESS_TYPE (ek_business_type_get_type ())
G_DECLARE_FINAL_TYPE (EkBusinessType, ek_business_type, EK, BUSINESS_TYPE, GObject)

EkBusinessType *ek_business_type_new          (const char     *id,
                                               const char     *name,
                                               const char     *summary,
                                               EkBusinessMode  mode,
                                               gboolean        key_required,
                                               GPtrArray      *steps);
const char     *ek_business_type_get_id       (EkBusinessType *self);
const char     *ek_business_type_get_name     (EkBusinessType *self);
const char     *ek_business_type_get_summary  (EkBusinessType *self);
EkBusinessMode  ek_business_type_get_mode     (EkBusinessType *self);
gboolean        ek_business_type_get_key_required (EkBusinessType *self);
guint           ek_business_type_get_n_steps  (EkBusinessType *self);
EkFlowStep     *ek_business_type_get_step     (EkBusinessType *self,
                                               guint           index);
const char     *ek_business_type_get_stages_id (EkBusinessType *self);
const char * const *ek_business_type_get_form_ticks (EkBusinessType *self);
gboolean        ek_business_type_has_step     (EkBusinessType *self,
                                               const char     *step_id);
void            ek_business_type_set_course   (EkBusinessType *self,
                                               const char     *stages_id,
                                               const char * const *form_ticks);
void            ek_business_type_set_printed_forms (EkBusinessType     *self,
                                                    const char * const *forms);
gboolean        ek_business_type_prints_form  (EkBusinessType *self,
                                               const char     *form);

G_END_DECLS
