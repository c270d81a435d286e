/* ek-pages.h: which page shows which step of a flow */
#pragma once

#include "ek-business-type.h"
#include "ek-page.h"

G_BEGIN_DECLS

EkPage   *ek_pages_create        (EkFlowStep         *step,
                                  EkApplicationDraft *draft);
gboolean  ek_pages_is_available  (const char         *step_id);

G_END_DECLS
