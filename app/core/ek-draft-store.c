/* ek-draft-store.c: nothing typed is lost
 *
 * Each draft lives in its own folder (ek_application_draft_dup_directory()) as `draft.json`.
 * A tracked draft is saved after every change: once typing pauses for QUIET_MS, and never
 * later than EK_DRAFT_STORE_MAX_DELAY_MS after the first unsaved change, so continuous
 * typing cannot postpone the save. Writes are atomic: a temporary file in the same folder,
 * fsync, rename over the old file, fsync of the folder. A crash, `kill -9` or power cut
 * leaves either the previous or the new file, never a mixture.
 *
 * A draft file that cannot be read is renamed aside (draft.json.damaged-<time>) and reported;
 * it is never deleted, never overwritten, and never crashes the caller.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-draft-store.h"

#define DRAFT_FILE "draft.json"
#define TEMP_PREFIX ".draft.json."
#define DAMAGED_INFIX ".damaged-"
#define QUIET_MS 300
/* A draft file is small; anything much bigger is damage, not a draft */
#define MAX_FILE_BYTES (1024 * 1024)
/* A temporary file older than this was left by a writer that died */
#define STALE_TEMP_SECONDS 60

typedef struct
{
  EkDraftStore       *store;      /* unowned: the store owns us */
  EkApplicationDraft *draft;
  gulong              changed_id;
  guint               timeout_id;
  gint64              first_dirty;   /* monotonic µs of the first unsaved change, or 0 */
  guint64             generation;    /* counts changes */
} Tracked;

typedef struct
{
  char    *id;
  char    *directory;
  char    *json;
  gsize    length;
  guint64  generation;
} WriteJob;

struct _EkDraftStore
{
  GObject     parent_instance;

  char       *root;
  GHashTable *tracked;    /* id → Tracked* */

  /* Serialises writes and deletes across threads; guards written */
  GMutex      lock;
  GHashTable *written;    /* id → guint64* generation on disk */
};

G_DEFINE_FINAL_TYPE (EkDraftStore, ek_draft_store, G_TYPE_OBJECT)

enum {
  SAVED,
  SAVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

static void
write_job_free (WriteJob *job)
{
  g_free (job->id);
  g_free (job->directory);
  g_free (job->json);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WriteJob, write_job_free)

static gboolean
io_error (GError     **error,
          int          saved_errno,
          const char  *path)
{
  /* Translators: the first %s is a file, the second the system's reason */
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot save the application to “%s”: %s. Check that the disk is not full "
                 "and that you may write there."),
               path, g_strerror (saved_errno));
  return FALSE;
}

static void
sync_folder (const char *directory)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  if (fsync (fd) != 0)
    g_debug ("Failed to sync a drafts folder: %s", g_strerror (errno));
  close (fd);
}

/* The atomic write; blocking, any thread */
static gboolean
write_atomic (const char  *directory,
              const char  *data,
              gsize        length,
              GError     **error)
{
  g_autofree char *temp = g_build_filename (directory, TEMP_PREFIX "XXXXXX", NULL);
  g_autofree char *path = g_build_filename (directory, DRAFT_FILE, NULL);
  gboolean first;
  gsize done = 0;
  int fd, saved_errno;

  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error (error, errno, path);

  while (done < length)
    {
      ssize_t n = write (fd, data + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto failed;
      done += n;
    }
  if (fsync (fd) != 0)
    goto failed;
  if (close (fd) != 0)
    {
      fd = -1;
      goto failed;
    }
  fd = -1;
  first = !g_file_test (path, G_FILE_TEST_EXISTS);
  if (g_rename (temp, path) != 0)
    goto failed;

  /* The rename itself must reach the disk; for a new draft, so must its folder's entry */
  sync_folder (directory);
  if (first)
    {
      g_autofree char *parent = g_path_get_dirname (directory);
      sync_folder (parent);
    }
  return TRUE;

failed:
  saved_errno = errno != 0 ? errno : EIO;
  if (fd >= 0)
    close (fd);
  g_unlink (temp);
  return io_error (error, saved_errno, path);
}

/* Writes @job unless something newer is already on disk; any thread, with self->lock held */
static gboolean
write_job_run_locked (EkDraftStore  *self,
                      WriteJob      *job,
                      GError       **error)
{
  guint64 *written = g_hash_table_lookup (self->written, job->id);

  if (written != NULL && job->generation != 0 && *written >= job->generation)
    return TRUE;
  if (!g_file_test (job->directory, G_FILE_TEST_IS_DIR))
    {
      /* Deleted meanwhile: do not bring it back */
      g_debug ("Draft %s was deleted; not saving it", job->id);
      return TRUE;
    }
  if (!write_atomic (job->directory, job->json, job->length, error))
    return FALSE;

  if (written == NULL)
    {
      written = g_new0 (guint64, 1);
      g_hash_table_insert (self->written, g_strdup (job->id), written);
    }
  *written = MAX (*written, job->generation);
  return TRUE;
}

static gboolean
write_job_run (EkDraftStore  *self,
               WriteJob      *job,
               GError       **error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = write_job_run_locked (self, job, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

static WriteJob *
write_job_new (EkApplicationDraft  *draft,
               guint64              generation,
               GError             **error)
{
  g_autoptr(WriteJob) job = g_new0 (WriteJob, 1);

  job->directory = ek_application_draft_dup_directory (draft, error);
  if (job->directory == NULL)
    return NULL;
  job->id = g_strdup (ek_application_draft_get_id (draft));
  job->json = ek_application_draft_to_json (draft, &job->length);
  job->generation = generation;
  return g_steal_pointer (&job);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (write_job_run (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  EkDraftStore *self = EK_DRAFT_STORE (object);
  WriteJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Failed to save draft %s: %s", job->id, error->message);
      g_signal_emit (self, signals[SAVE_FAILED], 0, job->id, error);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, job->id);
}

static void
save_tracked (Tracked *t)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  WriteJob *job;

  g_clear_handle_id (&t->timeout_id, g_source_remove);
  t->first_dirty = 0;

  job = write_job_new (t->draft, t->generation, &error);
  if (job == NULL)
    {
      g_warning ("Failed to save draft %s: %s", ek_application_draft_get_id (t->draft), error->message);
      g_signal_emit (t->store, signals[SAVE_FAILED], 0, ek_application_draft_get_id (t->draft), error);
      return;
    }
  task = g_task_new (t->store, NULL, write_done_cb, NULL);
  g_task_set_source_tag (task, save_tracked);
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  g_task_run_in_thread (task, write_thread);
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  Tracked *t = user_data;

  t->timeout_id = 0;
  save_tracked (t);
  return G_SOURCE_REMOVE;
}

static void
on_draft_changed_cb (EkApplicationDraft *draft,
                     Tracked            *t)
{
  gint64 now = g_get_monotonic_time ();
  gint64 deadline;

  t->generation++;
  if (t->first_dirty == 0)
    t->first_dirty = now;
  deadline = MIN (now + QUIET_MS * 1000, t->first_dirty + EK_DRAFT_STORE_MAX_DELAY_MS * 1000);

  g_clear_handle_id (&t->timeout_id, g_source_remove);
  t->timeout_id = g_timeout_add (MAX (0, (deadline - now) / 1000), save_timeout_cb, t);
}

/* Saves now, in this thread, if the draft has unsaved changes */
static gboolean
flush_tracked (Tracked  *t,
               GError  **error)
{
  g_autoptr(WriteJob) job = NULL;

  if (t->timeout_id == 0)
    return TRUE;
  g_clear_handle_id (&t->timeout_id, g_source_remove);
  t->first_dirty = 0;

  job = write_job_new (t->draft, t->generation, error);
  return job != NULL && write_job_run (t->store, job, error);
}

static void
tracked_free (Tracked *t)
{
  g_autoptr(GError) error = NULL;

  if (!flush_tracked (t, &error))
    g_warning ("Failed to save draft %s: %s", ek_application_draft_get_id (t->draft), error->message);
  g_clear_signal_handler (&t->changed_id, t->draft);
  g_clear_object (&t->draft);
  g_free (t);
}

static void
ek_draft_store_dispose (GObject *object)
{
  EkDraftStore *self = EK_DRAFT_STORE (object);

  /* Saves whatever is pending */
  g_hash_table_remove_all (self->tracked);

  G_OBJECT_CLASS (ek_draft_store_parent_class)->dispose (object);
}

static void
ek_draft_store_finalize (GObject *object)
{
  EkDraftStore *self = EK_DRAFT_STORE (object);

  g_clear_pointer (&self->tracked, g_hash_table_unref);
  g_clear_pointer (&self->written, g_hash_table_unref);
  g_clear_pointer (&self->root, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ek_draft_store_parent_class)->finalize (object);
}

static void
ek_draft_store_class_init (EkDraftStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_draft_store_dispose;
  object_class->finalize = ek_draft_store_finalize;

  /**
   * EkDraftStore::saved:
   * @id: the draft's id
   *
   * A tracked draft's changes are on disk.
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * EkDraftStore::save-failed:
   * @id: the draft's id
   * @error: why, for the user
   *
   * A tracked draft could not be saved; the next change tries again.
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
ek_draft_store_init (EkDraftStore *self)
{
  g_mutex_init (&self->lock);
  self->root = g_build_filename (g_get_user_data_dir (), "ekey-assistant", "drafts", NULL);
  self->tracked = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tracked_free);
  self->written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * ek_draft_store_new:
 *
 * The drafts of this user, under `$XDG_DATA_HOME/ekey-assistant/drafts`.
 */
EkDraftStore *
ek_draft_store_new (void)
{
  return g_object_new (EK_TYPE_DRAFT_STORE, NULL);
}

const char *
ek_draft_store_get_root (EkDraftStore *self)
{
  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), NULL);
  return self->root;
}

/**
 * ek_draft_store_track:
 *
 * From now on, save @draft after each change (on a worker thread). It is saved once now too,
 * so that it appears in ek_draft_store_list() at once.
 */
void
ek_draft_store_track (EkDraftStore       *self,
                      EkApplicationDraft *draft)
{
  Tracked *t;

  g_return_if_fail (EK_IS_DRAFT_STORE (self));
  g_return_if_fail (EK_IS_APPLICATION_DRAFT (draft));

  if (g_hash_table_contains (self->tracked, ek_application_draft_get_id (draft)))
    return;

  t = g_new0 (Tracked, 1);
  t->store = self;
  t->draft = g_object_ref (draft);
  t->generation = 1;
  t->changed_id = g_signal_connect (draft, "changed", G_CALLBACK (on_draft_changed_cb), t);
  g_hash_table_insert (self->tracked, (gpointer) ek_application_draft_get_id (draft), t);
  save_tracked (t);
}

/**
 * ek_draft_store_untrack:
 *
 * Stop saving @draft on change, after saving what is pending.
 */
void
ek_draft_store_untrack (EkDraftStore       *self,
                        EkApplicationDraft *draft)
{
  g_return_if_fail (EK_IS_DRAFT_STORE (self));
  g_return_if_fail (EK_IS_APPLICATION_DRAFT (draft));

  g_hash_table_remove (self->tracked, ek_application_draft_get_id (draft));
}

/**
 * ek_draft_store_flush:
 *
 * Saves every tracked draft's pending changes now, in this thread (the window calls it
 * when it closes).
 */
gboolean
ek_draft_store_flush (EkDraftStore  *self,
                      GError       **error)
{
  GHashTableIter iter;
  Tracked *t;
  gboolean ok = TRUE;

  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    {
      g_autoptr(GError) local_error = NULL;

      if (!flush_tracked (t, &local_error))
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }
  return ok;
}

/**
 * ek_draft_store_save:
 *
 * Saves @draft now, in this thread.
 */
gboolean
ek_draft_store_save (EkDraftStore        *self,
                     EkApplicationDraft  *draft,
                     GError             **error)
{
  g_autoptr(WriteJob) job = NULL;
  Tracked *t;

  g_return_val_if_fail (EK_IS_DRAFT_STORE (self), FALSE);
  g_return_val_if_fail (EK_IS_APPLICATION_DRAFT (draft), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  t = g_hash_table_lookup (self->tracked, ek_application_draft_get_id (draft));
  if (t != NULL)
    {
      g_clear_handle_id (&t->timeout_id, g_source_remove);
      t->first_dirty = 0;
    }
  job = write_job_new (draft, t != NULL ? t->generation : 0, error);
  return job != NULL && write_job_run (self, job, error);
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
 * Every saved draft, newest change first, with the enterprise's name. Damaged ones are set
 * aside on the way and listed with @damaged and a message, so the user can delete them.
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

static void     stop_tracking        (EkDraftStore  *self,
                                      const char    *id);
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

  stop_tracking (self, id);
  return remove_draft_folder (self, id, error);
}

/* Deleted means not saved again; main thread */
static void
stop_tracking (EkDraftStore *self,
               const char   *id)
{
  Tracked *t = g_hash_table_lookup (self->tracked, id);

  if (t != NULL)
    {
      g_clear_handle_id (&t->timeout_id, g_source_remove);
      g_hash_table_remove (self->tracked, id);
    }
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
  stop_tracking (self, id);
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
