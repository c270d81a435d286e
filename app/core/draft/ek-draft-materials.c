/* ek-draft-materials.c: materials of a draft on disk */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-draft-materials.h"
#include "ek-image.h"

#define STATE_FILE "materials.json"
#define STATE_FORMAT 1

typedef struct
{
  char     *file;         /* name inside materials/ */
  char     *source_name;  /* what the clerk chose, for display */
  gboolean  exempt;
} Item;

struct _EkDraftMaterials
{
  GObject     parent_instance;

  char       *directory;  /* the draft's folder */
  char       *files;      /* its materials/ folder */
  GHashTable *items;      /* material id → Item */
  guint       serial;
};

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkDraftMaterials, ek_draft_materials, G_TYPE_OBJECT)

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->file);
  g_free (item->source_name);
  g_free (item);
}

static void
ek_draft_materials_finalize (GObject *object)
{
  EkDraftMaterials *self = EK_DRAFT_MATERIALS (object);

  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->files, g_free);
  g_clear_pointer (&self->items, g_hash_table_unref);

  G_OBJECT_CLASS (ek_draft_materials_parent_class)->finalize (object);
}

static void
ek_draft_materials_class_init (EkDraftMaterialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_draft_materials_finalize;

  /**
   * EkDraftMaterials::changed:
   * @material_id: the material whose file or state changed
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ek_draft_materials_init (EkDraftMaterials *self)
{
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, item_free);
}

static Item *
ensure_item (EkDraftMaterials *self,
             const char       *material_id)
{
  Item *item = g_hash_table_lookup (self->items, material_id);

  if (item == NULL)
    {
      item = g_new0 (Item, 1);
      g_hash_table_insert (self->items, g_strdup (material_id), item);
    }
  return item;
}

/* A material id becomes part of a file name: only [a-z0-9-] */
static gboolean
valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
valid_file_name (const char *name)
{
  return name != NULL && *name != '\0' && strchr (name, '/') == NULL && !g_str_equal (name, ".") &&
         !g_str_equal (name, "..");
}

static gboolean
save (EkDraftMaterials  *self,
      GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) ids = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (self->directory, STATE_FILE, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, STATE_FORMAT);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_object (builder);
  ids = g_list_sort (g_hash_table_get_keys (self->items), (GCompareFunc) strcmp);
  for (GList *l = ids; l != NULL; l = l->next)
    {
      Item *item = g_hash_table_lookup (self->items, l->data);

      json_builder_set_member_name (builder, l->data);
      json_builder_begin_object (builder);
      if (item->file != NULL)
        {
          json_builder_set_member_name (builder, "file");
          json_builder_add_string_value (builder, item->file);
        }
      if (item->source_name != NULL)
        {
          json_builder_set_member_name (builder, "source_name");
          json_builder_add_string_value (builder, item->source_name);
        }
      json_builder_set_member_name (builder, "exempt");
      json_builder_add_boolean_value (builder, item->exempt);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
load (EkDraftMaterials *self)
{
  g_autofree char *path = g_build_filename (self->directory, STATE_FILE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root, *items;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (!json_parser_load_from_file (parser, path, &error))
    {
      g_warning ("Failed to read %s: %s", path, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  items = json_object_get_member (json_node_get_object (root), "items");
  if (items == NULL || !JSON_NODE_HOLDS_OBJECT (items))
    return;
  {
    g_autoptr(GList) ids = json_object_get_members (json_node_get_object (items));

    for (GList *l = ids; l != NULL; l = l->next)
      {
        JsonNode *node = json_object_get_member (json_node_get_object (items), l->data);
        JsonObject *object;
        Item *item;
        const char *file;

        if (!valid_id (l->data) || !JSON_NODE_HOLDS_OBJECT (node))
          continue;
        object = json_node_get_object (node);
        item = ensure_item (self, l->data);
        file = json_object_get_string_member_with_default (object, "file", NULL);
        if (valid_file_name (file))
          {
            g_autofree char *full = g_build_filename (self->files, file, NULL);
            /* A file that went missing is a missing material, not a broken draft */
            if (g_file_test (full, G_FILE_TEST_IS_REGULAR))
              item->file = g_strdup (file);
          }
        item->source_name = g_strdup (json_object_get_string_member_with_default (object, "source_name", NULL));
        item->exempt = json_object_get_boolean_member_with_default (object, "exempt", FALSE);
      }
  }
}

EkDraftMaterials *
ek_draft_materials_new (EkApplicationDraft  *draft,
                        GError             **error)
{
  g_autoptr(EkDraftMaterials) self = NULL;
  g_autofree char *directory = NULL;

  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), NULL);

  directory = ek_application_draft_dup_directory (draft, error);
  if (directory == NULL)
    return NULL;
  self = g_object_new (EK_TYPE_DRAFT_MATERIALS, NULL);
  self->directory = g_steal_pointer (&directory);
  self->files = g_build_filename (self->directory, "materials", NULL);
  if (g_mkdir_with_parents (self->files, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the folder “%s” for this application: %s"),
                   self->files, g_strerror (saved_errno));
      return NULL;
    }
  load (self);
  return g_steal_pointer (&self);
}

const char *
ek_draft_materials_get_directory (EkDraftMaterials *self)
{
  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), NULL);
  return self->directory;
}

/**
 * ek_draft_materials_dup_file:
 * Returns: (transfer full) (nullable): the full path of the material's file in the draft
 */
char *
ek_draft_materials_dup_file (EkDraftMaterials *self,
                             const char       *material_id)
{
  Item *item;

  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), NULL);
  g_return_val_if_fail (material_id != NULL, NULL);

  item = g_hash_table_lookup (self->items, material_id);
  if (item == NULL || item->file == NULL)
    return NULL;
  return g_build_filename (self->files, item->file, NULL);
}

const char *
ek_draft_materials_get_source_name (EkDraftMaterials *self,
                                    const char       *material_id)
{
  Item *item;

  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), NULL);
  item = g_hash_table_lookup (self->items, material_id);
  return item != NULL ? item->source_name : NULL;
}

gboolean
ek_draft_materials_get_exempt (EkDraftMaterials *self,
                               const char       *material_id)
{
  Item *item;

  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), FALSE);
  item = g_hash_table_lookup (self->items, material_id);
  return item != NULL && item->exempt;
}

gboolean
ek_draft_materials_set_exempt (EkDraftMaterials  *self,
                               const char        *material_id,
                               gboolean           exempt,
                               GError           **error)
{
  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), FALSE);
  g_return_val_if_fail (valid_id (material_id), FALSE);

  ensure_item (self, material_id)->exempt = exempt;
  if (!save (self, error))
    return FALSE;
  g_signal_emit (self, signals[CHANGED], 0, material_id);
  return TRUE;
}

/* The file gets a fresh name each time, so a thumbnail cache never shows an old picture */
static gboolean
store (EkDraftMaterials  *self,
       const char        *material_id,
       GBytes            *bytes,
       const char        *source_name,
       GError           **error)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  const char *extension;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *old = NULL;
  Item *item;

  switch (ek_image_format_sniff (data, length))
    {
    case EK_IMAGE_FORMAT_PNG: extension = "png"; break;
    case EK_IMAGE_FORMAT_JPEG: extension = "jpg"; break;
    case EK_IMAGE_FORMAT_GIF: extension = "gif"; break;
    case EK_IMAGE_FORMAT_PDF: extension = "pdf"; break;
    case EK_IMAGE_FORMAT_TIFF: extension = "tiff"; break;
    case EK_IMAGE_FORMAT_BMP: extension = "bmp"; break;
    case EK_IMAGE_FORMAT_WEBP: extension = "webp"; break;
    case EK_IMAGE_FORMAT_HEIF: extension = "heic"; break;
    case EK_IMAGE_FORMAT_SVG: extension = "svg"; break;
    case EK_IMAGE_FORMAT_UNKNOWN:
    default:
      extension = "bin"; break;
    }
  name = g_strdup_printf ("%s-%u-%" G_GINT64_FORMAT ".%s", material_id, ++self->serial,
                          g_get_real_time () / 1000, extension);
  path = g_build_filename (self->files, name, NULL);
  if (!g_file_set_contents_full (path, (const char *) data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  item = ensure_item (self, material_id);
  old = item->file != NULL ? g_build_filename (self->files, item->file, NULL) : NULL;
  g_free (item->file);
  item->file = g_steal_pointer (&name);
  g_free (item->source_name);
  item->source_name = g_strdup (source_name);
  item->exempt = FALSE;
  if (!save (self, error))
    return FALSE;
  if (old != NULL)
    g_unlink (old);
  g_signal_emit (self, signals[CHANGED], 0, material_id);
  return TRUE;
}

gboolean
ek_draft_materials_import_bytes (EkDraftMaterials  *self,
                                 const char        *material_id,
                                 GBytes            *bytes,
                                 const char        *source_name,
                                 GError           **error)
{
  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), FALSE);
  g_return_val_if_fail (valid_id (material_id), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  return store (self, material_id, bytes, source_name, error);
}

gboolean
ek_draft_materials_import_file (EkDraftMaterials  *self,
                                const char        *material_id,
                                const char        *path,
                                GError           **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *basename = NULL;

  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), FALSE);
  g_return_val_if_fail (valid_id (material_id), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return FALSE;
  bytes = g_mapped_file_get_bytes (mapped);
  basename = g_path_get_basename (path);
  return store (self, material_id, bytes, basename, error);
}

gboolean
ek_draft_materials_remove (EkDraftMaterials  *self,
                           const char        *material_id,
                           GError           **error)
{
  g_autofree char *old = NULL;
  Item *item;

  g_return_val_if_fail (EK_IS_DRAFT_MATERIALS (self), FALSE);
  g_return_val_if_fail (material_id != NULL, FALSE);

  item = g_hash_table_lookup (self->items, material_id);
  if (item == NULL || item->file == NULL)
    return TRUE;
  old = g_build_filename (self->files, item->file, NULL);
  g_clear_pointer (&item->file, g_free);
  g_clear_pointer (&item->source_name, g_free);
  if (!save (self, error))
    return FALSE;
  g_unlink (old);
  g_signal_emit (self, signals[CHANGED], 0, material_id);
  return TRUE;
}
