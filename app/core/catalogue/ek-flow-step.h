/* ek-flow-step.h: one step of a business's flow (immutable, reference counted) */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A step of a flow: the wizard shows one page for it. Immutable, reference counted. */
typedef struct
{
  char *id;        /* "account", "form", "materials" … the page to show */
  char *title;     /* localized for the current language */
  char *summary;   /* localized, one line */
} EkFlowStep;

#define EK_TYPE_FLOW_STEP (ek_flow_step_get_type ())
GType        ek_flow_step_get_type (void) G_GNUC_CONST;
EkFlowStep  *ek_flow_step_new      (const char *id,
                                    const char *title,
                                    const char *summary);
EkFlowStep  *ek_flow_step_ref      (EkFlowStep *step);
void         ek_flow_step_unref    (EkFlowStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkFlowStep, ek_flow_step_unref)

G_END_DECLS
