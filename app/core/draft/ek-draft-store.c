/* ek-draft-store.c: nothing typed is lost
 *
 * Each draft lives in its own folder (ek_application_draft_dup_directory()) as `draft.json`.
 * A tracked draft is saved after every change: once typing pauses for QUIET_MS, and never
 * later than EK_DRAFT_STORE_MAX_DELAY_MS after the first unsaved change, so continuous
 * typing cannot postpone the save. Writes are atomic: a temporary file in the same folder,
 * fsync, rename over the old file, fsync of the folder. A crash, `kill -9` or power cut
 * leaves either the previous or the new file, never a mixture.
 *
 * Reading, listing and deleting are in ek-draft-store-read.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-draft-store-private.h"

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


G_DEFINE_FINAL_TYPE (EkDraftStore, ek_draft_store, G_TYPE_OBJECT)

enum {
  SAVED,
  SAVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* Deleted means not saved again; main thread */
void
ek_draft_store_stop_tracking (EkDraftStore *self,
                              const char   *id)
{
  Tracked *t = g_hash_table_lookup (self->tracked, id);

  if (t != NULL)
    {
      g_clear_handle_id (&t->timeout_id, g_source_remove);
      g_hash_table_remove (self->tracked, id);
    }
}
