/* ek-step-row.h: one step in the window's step list */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  EK_STEP_STATE_TODO,       /*< nick=todo >*/
  EK_STEP_STATE_CURRENT,    /*< nick=current >*/
  EK_STEP_STATE_DONE,       /*< nick=done >*/
  EK_STEP_STATE_ATTENTION,  /*< nick=attention >*/
} EkStepState;

#define EK_TYPE_STEP_ROW (ek_step_row_get_type ())
G_DECLARE_FINAL_TYPE (EkStepRow, ek_step_row, EK, STEP_ROW, GtkListBoxRow)

GtkWidget   *ek_step_row_new        (const char  *title);
void         ek_step_row_set_title  (EkStepRow   *self,
                                     const char  *title);
EkStepState  ek_step_row_get_state  (EkStepRow   *self);
void         ek_step_row_set_state  (EkStepRow   *self,
                                     EkStepState  state);

G_END_DECLS
