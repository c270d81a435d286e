/* ek-pages.h: which page shows which step of a flow */
#pragma once

#include "ek-business-type.h"
#include "ek-form.h"
#include "ek-page.h"

G_BEGIN_DECLS

EkPage   *ek_pages_create        (EkFlowStep         *step,
                                  EkApplicationDraft *draft);
gboolean  ek_pages_is_available  (const char         *step_id);
void      ek_pages_set_form      (EkForm             *form);
EkForm   *ek_pages_get_form      (void);
const char *ek_pages_step_for_field (const char      *field);
gboolean  ek_pages_focus_field   (EkPage             *page,
                                  const char         *field);

G_END_DECLS
