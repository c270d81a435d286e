/* ek-draft-materials.h: the materials chosen for one application draft, kept in its folder
 *
 * Files are copied into `<draft folder>/materials/`, and what we know about them is kept in
 * `<draft folder>/materials.json`, written atomically on every change: closing the window,
 * a crash or a power cut loses nothing.
 */
#pragma once

#include <gio/gio.h>

#include "ek-application-draft.h"

G_BEGIN_DECLS

#define EK_TYPE_DRAFT_MATERIALS (ek_draft_materials_get_type ())
G_DECLARE_FINAL_TYPE (EkDraftMaterials, ek_draft_materials, EK, DRAFT_MATERIALS, GObject)

EkDraftMaterials *ek_draft_materials_new            (EkApplicationDraft  *draft,
                                                     GError             **error);
const char       *ek_draft_materials_get_directory  (EkDraftMaterials    *self);
char             *ek_draft_materials_dup_file       (EkDraftMaterials    *self,
                                                     const char          *material_id);
const char       *ek_draft_materials_get_source_name (EkDraftMaterials   *self,
                                                     const char          *material_id);
gboolean          ek_draft_materials_get_exempt     (EkDraftMaterials    *self,
                                                     const char          *material_id);
gboolean          ek_draft_materials_set_exempt     (EkDraftMaterials    *self,
                                                     const char          *material_id,
                                                     gboolean             exempt,
                                                     GError             **error);
gboolean          ek_draft_materials_import_file    (EkDraftMaterials    *self,
                                                     const char          *material_id,
                                                     const char          *path,
                                                     GError             **error);
gboolean          ek_draft_materials_import_bytes   (EkDraftMaterials    *self,
                                                     const char          *material_id,
                                                     GBytes              *bytes,
                                                     const char          *source_name,
                                                     GError             **error);
gboolean          ek_draft_materials_remove         (EkDraftMaterials    *self,
                                                     const char          *material_id,
                                                     GError             **error);

G_END_DECLS
