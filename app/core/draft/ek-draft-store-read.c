/* ek-draft-store-read.c: reading, listing and deleting saved drafts
 *
 * Nothing here trusts the disk: a draft file that cannot be read is renamed aside
 * (draft.json.damaged-<time>) and reported with a message for the user; it is never deleted,
 * never overwritten, and never crashes the caller. Identifiers are checked before they become
 * paths.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-draft-store-private.h"
#include "ek-wipe.h"

void
ek_draft_summary_free (EkDraftSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->id);
  g_free (summary->enterprise_name);
  g_free (summary->business_type_id);
  g_free (summary->message);
  g_free (summary);
}

static gboolean
check_id (const char  *id,
          GError     **error)
{
  if (id != NULL && g_uuid_string_is_valid (id))
    return TRUE;
  /* Translators: %s is what was given as a draft's identifier */
  g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND,
               _("“%s” is not the identifier of a saved application; "
                 "“ekey-tool draft list” shows them."), id ? id : "");
  return FALSE;
}

static void
remove_stale_temp_files (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, TEMP_PREFIX))
        continue;
      path = g_build_filename (directory, name, NULL);
      if (g_lstat (path, &st) == 0 && now - st.st_mtime > STALE_TEMP_SECONDS)
        g_unlink (path);
    }
}

static char *
find_damaged (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, DRAFT_FILE DAMAGED_INFIX))
      return g_build_filename (directory, name, NULL);
  return NULL;
}

/* Renames a damaged file aside and says so; never deletes it */
static EkApplicationDraft *
set_aside (const char  *path,
           GError      *cause,
           GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *aside = g_strconcat (path, DAMAGED_INFIX, stamp, NULL);

  /* Several in one second: make the name unique */
  for (guint i = 1; g_file_test (aside, G_FILE_TEST_EXISTS) && i < 1000; i++)
    {
      g_free (aside);
      aside = g_strdup_printf ("%s%s%s-%u", path, DAMAGED_INFIX, stamp, i);
    }

  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;
      /* Translators: the first %s is a file, the second why it cannot be read, the third why it
       * could not be renamed */
      g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_DAMAGED,
                   _("The saved application “%s” cannot be read (%s) and could not be set aside (%s)."),
                   path, cause->message, g_strerror (saved_errno));
      return NULL;
    }

  /* Handled and reported to the user: not a warning */
  g_message ("Set aside a damaged draft as %s: %s", aside, cause->message);
  /* Translators: the first %s is why the file cannot be read, the second where it is now */
  g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_DAMAGED,
               _("A saved application could not be read (%s). It has been set aside, unchanged, as "
                 "“%s”. Start the application again, or give that file to your helpdesk."),
               cause->message, aside);
  return NULL;
}

/**
 * ek_draft_store_load:
 * @id: the draft's id
 *
 * Reads a saved draft. A file that is damaged (or not a draft) is renamed aside and reported
 * with %EK_DRAFT_ERROR_DAMAGED; a draft saved by a newer version is left alone and reported
 * with %EK_DRAFT_ERROR_VERSION.
 *
 * Returns: (transfer full) (nullable): the draft, or %NULL with @error set
 */
EkApplicationDraft *
ek_draft_store_load (EkDraftStore  *self,
                     const char    *id,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(EkApplicationDraft) draft = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GStatBuf st;

  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_id (id, error))
    return NULL;

  directory = g_build_filename (self->root, id, NULL);
  path = g_build_filename (directory, DRAFT_FILE, NULL);
  remove_stale_temp_files (directory);

  if (g_lstat (path, &st) != 0)
    {
      g_autofree char *damaged = find_damaged (directory);

      if (damaged != NULL)
        /* Translators: %s is a file */
        g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_DAMAGED,
                     _("This application was damaged and has been set aside as “%s”. "
                       "Delete it, or give that file to your helpdesk."), damaged);
      else
        /* Translators: %s is a draft's identifier */
        g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND,
                     _("There is no saved application “%s”; “ekey-tool draft list” shows them."), id);
      return NULL;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error_literal (&local_error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_INVALID, _("it is not a file"));
      return set_aside (path, local_error, error);
    }
  if (st.st_size > MAX_FILE_BYTES)
    {
      g_set_error (&local_error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_INVALID,
                   _("it is larger than %d bytes"), MAX_FILE_BYTES);
      return set_aside (path, local_error, error);
    }
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  draft = ek_application_draft_new_from_json (contents, length, &local_error);
  if (draft == NULL && g_error_matches (local_error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_VERSION))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (draft != NULL && !g_str_equal (ek_application_draft_get_id (draft), id))
    {
      g_set_error (&local_error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_INVALID,
                   _("it belongs to another application"));
      g_clear_object (&draft);
    }
  if (draft == NULL)
    return set_aside (path, local_error, error);

  return g_steal_pointer (&draft);
}

static int
compare_summaries (gconstpointer a,
                   gconstpointer b)
{
  const EkDraftSummary *sa = *(EkDraftSummary **) a;
  const EkDraftSummary *sb = *(EkDraftSummary **) b;

  if (sa->modified != sb->modified)
    return sa->modified > sb->modified ? -1 : 1;
  return g_strcmp0 (sa->id, sb->id);
}

/**
 * ek_draft_store_list:
 *
 * Every saved draft the clerk entered something in, newest change first, with the enterprise's
 * name. Damaged ones are set aside on the way and listed with @damaged and a message, so the
 * user can delete them.
 *
 * Returns: (transfer full) (element-type EkDraftSummary): the drafts; an empty array if none
 */
GPtrArray *
ek_draft_store_list (EkDraftStore  *self,
                     GError       **error)
{
  g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_draft_summary_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_dir_open (self->root, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&summaries);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(EkApplicationDraft) draft = NULL;
      g_autoptr(GError) load_error = NULL;
      EkDraftSummary *summary;

      if (!g_uuid_string_is_valid (name))
        continue;

      draft = ek_draft_store_load (self, name, &load_error);
      if (draft == NULL && g_error_matches (load_error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND))
        continue;   /* a folder with no draft in it yet */
      if (draft != NULL && !ek_application_draft_has_answers (draft))
        continue;   /* a business chosen and left at once: nothing to continue */

      summary = g_new0 (EkDraftSummary, 1);
      summary->id = g_strdup (name);
      if (draft != NULL)
        {
          summary->enterprise_name = g_strdup (ek_application_draft_get_string (draft, "enterprise-name"));
          summary->business_type_id = g_strdup (ek_application_draft_get_business_type_id (draft));
          summary->modified = ek_application_draft_get_modified (draft);
        }
      else
        {
          g_autofree char *path = g_build_filename (self->root, name, NULL);
          GStatBuf st;

          summary->enterprise_name = g_strdup ("");
          summary->damaged = TRUE;
          summary->message = g_strdup (load_error->message);
          if (g_stat (path, &st) == 0)
            summary->modified = (gint64) st.st_mtime * G_USEC_PER_SEC;
        }
      g_ptr_array_add (summaries, summary);
    }

  g_ptr_array_sort (summaries, compare_summaries);
  return g_steal_pointer (&summaries);
}

/* Removes a folder and everything in it, without following symbolic links */
static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return TRUE;
  if (S_ISDIR (st.st_mode))
    {
      dir = g_dir_open (path, 0, error);
      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child, error))
            return FALSE;
        }
      if (g_rmdir (path) == 0)
        return TRUE;
    }
  else if (g_unlink (path) == 0)
    return TRUE;

  {
    int saved_errno = errno;
    /* Translators: the first %s is a file, the second the system's reason */
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 _("Cannot delete “%s”: %s"), path, g_strerror (saved_errno));
  }
  return FALSE;
}

static gboolean remove_draft_folder  (EkDraftStore  *self,
                                      const char    *id,
                                      GError       **error);

/**
 * ek_draft_store_delete:
 * @id: the draft's id
 *
 * Deletes the draft and its folder with everything in it (scans, rendered forms). A tracked
 * draft stops being saved.
 */
gboolean
ek_draft_store_delete (EkDraftStore  *self,
                       const char    *id,
                       GError       **error)
{
  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_id (id, error))
    return FALSE;

  ek_draft_store_stop_tracking (self, id);
  return remove_draft_folder (self, id, error);
}

/* Any thread */
static gboolean
remove_draft_folder (EkDraftStore  *self,
                     const char    *id,
                     GError       **error)
{
  g_autofree char *directory = NULL;
  gboolean ok;

  directory = g_build_filename (self->root, id, NULL);
  if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, EK_DRAFT_ERROR, EK_DRAFT_ERROR_NOT_FOUND,
                   _("There is no saved application “%s”; “ekey-tool draft list” shows them."), id);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->written, id);
  ok = remove_tree (directory, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
ek_draft_store_wipe_all (EkDraftStore  *self,
                         GError       **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  GHashTableIter iter;
  gpointer key;
  const char *name;
  gboolean ok = TRUE;

  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), FALSE);

  /* Nothing pending is saved any more: what is on disk goes, and nothing comes back */
  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  for (guint i = 0; i < ids->len; i++)
    ek_draft_store_stop_tracking (self, g_ptr_array_index (ids, i));

  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->written);
  dir = g_dir_open (self->root, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (self->root, name, NULL);

      if (!ek_wipe_tree (child, ok ? error : NULL))
        ok = FALSE;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list = ek_draft_store_list (source_object, &error);

  if (list != NULL)
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

/**
 * ek_draft_store_list_async:
 *
 * ek_draft_store_list() on a worker thread (the start page lists the drafts this way).
 */
void
ek_draft_store_list_async (EkDraftStore        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_DRAFT_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_draft_store_list_async);
  g_task_set_check_cancellable (task, TRUE);
  g_task_run_in_thread (task, list_thread);
}

/**
 * ek_draft_store_list_finish:
 *
 * Returns: (transfer full) (element-type EkDraftSummary) (nullable): as ek_draft_store_list()
 */
GPtrArray *
ek_draft_store_list_finish (EkDraftStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ek_draft_store_list_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  EkApplicationDraft *draft = ek_draft_store_load (source_object, task_data, &error);

  if (draft != NULL)
    g_task_return_pointer (task, draft, g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * ek_draft_store_load_async:
 *
 * ek_draft_store_load() on a worker thread.
 */
void
ek_draft_store_load_async (EkDraftStore        *self,
                           const char          *id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_DRAFT_STORE (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_draft_store_load_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_set_check_cancellable (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

/**
 * ek_draft_store_load_finish:
 *
 * Returns: (transfer full) (nullable): as ek_draft_store_load()
 */
EkApplicationDraft *
ek_draft_store_load_finish (EkDraftStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ek_draft_store_load_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (remove_draft_folder (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * ek_draft_store_delete_async:
 *
 * ek_draft_store_delete() with the files removed on a worker thread. A tracked draft stops
 * being saved at once.
 */
void
ek_draft_store_delete_async (EkDraftStore        *self,
                             const char          *id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (EK_IS_DRAFT_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_draft_store_delete_async);
  if (!check_id (id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  ek_draft_store_stop_tracking (self, id);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, delete_thread);
}

gboolean
ek_draft_store_delete_finish (EkDraftStore  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ek_draft_store_delete_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
