/* ek-flow-step.c: one step of a business's flow, the page the wizard shows for it */
#include "config.h"

#include "ek-flow-step.h"

EkFlowStep *
ek_flow_step_new (const char *id,
                  const char *title,
                  const char *summary)
{
  EkFlowStep *step;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);

  step = g_atomic_rc_box_new0 (EkFlowStep);
  step->id = g_strdup (id);
  step->title = g_strdup (title);
  step->summary = g_strdup (summary ? summary : "");
  return step;
}

EkFlowStep *
ek_flow_step_ref (EkFlowStep *step)
{
  return g_atomic_rc_box_acquire (step);
}

static void
flow_step_clear (gpointer data)
{
  EkFlowStep *step = data;

  g_free (step->id);
  g_free (step->title);
  g_free (step->summary);
}

void
ek_flow_step_unref (EkFlowStep *step)
{
  g_atomic_rc_box_release_full (step, flow_step_clear);
}

G_DEFINE_BOXED_TYPE (EkFlowStep, ek_flow_step, ek_flow_step_ref, ek_flow_step_unref)
