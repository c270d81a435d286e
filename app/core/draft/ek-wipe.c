/* ek-wipe.c: leaving nothing behind at a counter (kiosk mode) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ek-wipe.h"

G_LOCK_DEFINE_STATIC (session_files);
static GPtrArray *session_files;   /* char*, guarded by the lock */

static gboolean
wipe_failed (GError    **error,
             const char *path,
             int         saved_errno)
{
  /* Translators: the first %s is a file, the second the system's reason */
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot delete “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

/* Zeros over the whole length, then fsync: the old contents are not left in the blocks */
static gboolean
overwrite (const char  *path,
           GError     **error)
{
  static const char zeros[64 * 1024];
  GStatBuf st;
  int fd = g_open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  off_t left;

  if (fd < 0)
    return wipe_failed (error, path, errno);
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      close (fd);
      return wipe_failed (error, path, saved);
    }
  for (left = st.st_size; left > 0;)
    {
      ssize_t n = write (fd, zeros, (size_t) MIN (left, (off_t) sizeof zeros));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          return wipe_failed (error, path, saved);
        }
      left -= n;
    }
  fsync (fd);
  close (fd);
  return TRUE;
}

gboolean
ek_wipe_file (const char  *path,
              GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return TRUE;
  if (S_ISREG (st.st_mode) && st.st_size > 0 && !overwrite (path, error))
    return FALSE;
  if (g_unlink (path) != 0 && errno != ENOENT)
    return wipe_failed (error, path, errno);
  return TRUE;
}

gboolean
ek_wipe_tree (const char  *path,
              GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;
  gboolean ok = TRUE;

  if (g_lstat (path, &st) != 0)
    return TRUE;
  if (!S_ISDIR (st.st_mode))
    return ek_wipe_file (path, error);
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  /* Carry on past a failure: as much as possible goes; the first error is reported */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!ek_wipe_tree (child, ok ? error : NULL))
        ok = FALSE;
    }
  if (g_rmdir (path) != 0 && errno != ENOENT && ok)
    return wipe_failed (error, path, errno);
  return ok;
}

void
ek_session_files_track (const char *path)
{
  g_return_if_fail (path != NULL);

  G_LOCK (session_files);
  if (session_files == NULL)
    session_files = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (session_files, g_strdup (path));
  G_UNLOCK (session_files);
}

GStrv
ek_session_files_dup (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  G_LOCK (session_files);
  for (guint i = 0; session_files != NULL && i < session_files->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (session_files, i));
  G_UNLOCK (session_files);
  return g_strv_builder_end (builder);
}

gboolean
ek_session_files_wipe (GError **error)
{
  g_autoptr(GPtrArray) files = NULL;
  gboolean ok = TRUE;

  G_LOCK (session_files);
  files = g_steal_pointer (&session_files);
  G_UNLOCK (session_files);
  for (guint i = 0; files != NULL && i < files->len; i++)
    if (!ek_wipe_file (g_ptr_array_index (files, i), ok ? error : NULL))
      ok = FALSE;
  return ok;
}
