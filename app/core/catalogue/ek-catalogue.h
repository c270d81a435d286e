/* ek-catalogue.h: business types, their steps and rules, as data */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-business-type.h"

G_BEGIN_DECLS

#define EK_CATALOGUE_ERROR (ek_catalogue_error_quark ())

typedef enum
{
  EK_CATALOGUE_ERROR_PARSE,    /* not JSON */
  EK_CATALOGUE_ERROR_INVALID,  /* JSON, but not a catalogue we understand */
} EkCatalogueError;

GQuark ek_catalogue_error_quark (void);

#define EK_TYPE_CATALOGUE (ek_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (EkCatalogue, ek_catalogue, EK, CATALOGUE, GObject)

EkCatalogue     *ek_catalogue_new_default           (GError      **error);
EkCatalogue     *ek_catalogue_new_from_file         (GFile        *file,
                                                     GError      **error);
EkCatalogue     *ek_catalogue_new_from_bytes        (GBytes       *bytes,
                                                     const char   *origin,
                                                     GError      **error);
const char      *ek_catalogue_get_origin            (EkCatalogue  *self);
GListModel      *ek_catalogue_get_business_types    (EkCatalogue  *self);
EkBusinessType  *ek_catalogue_lookup_business_type  (EkCatalogue  *self,
                                                     const char   *id);
JsonObject      *ek_catalogue_get_document          (EkCatalogue  *self);

G_END_DECLS
