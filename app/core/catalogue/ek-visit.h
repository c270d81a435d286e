/* ek-visit.h: what a counter business takes to the issuing authority, and what happens next */
#pragma once

#include <glib-object.h>

#include "ek-catalogue.h"

G_BEGIN_DECLS

/* One paper material of the seed's list */
typedef struct
{
  char *text;          /* localized */
  char *text_zh;       /* as the seed writes it, for the printed checklist */
  char *signed_by;     /* localized: who signs and stamps, how many copies */
  char *signed_by_zh;
  char *unless;        /* or NULL: a draft field; when it is true the item is not needed (“key-lost”) */
} EkVisitItem;

#define EK_TYPE_VISIT (ek_visit_get_type ())
G_DECLARE_FINAL_TYPE (EkVisit, ek_visit, EK, VISIT, GObject)

EkVisit           *ek_visit_new_for_business (EkCatalogue  *catalogue,
                                              const char   *business_type,
                                              GError      **error);
guint              ek_visit_get_n_items      (EkVisit      *self);
const EkVisitItem *ek_visit_get_item         (EkVisit      *self,
                                              guint         index);
const char        *ek_visit_get_next         (EkVisit      *self);
const char        *ek_visit_get_next_zh      (EkVisit      *self);

G_END_DECLS
