/* fuzz-redact.c: the helpdesk report's redactor and the error journal, on any bytes
 *
 * Whatever the text, what comes out is valid UTF-8 and holds no run of four ASCII digits (a PIN,
 * part of an ID number or phone); a masked code keeps its length. The journal file, whatever it
 * holds, reads back as at most EK_ERROR_JOURNAL_MAX entries with the same guarantees.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ek-error-journal.h"
#include "ek-redact.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_redacted (const char *out)
{
  guint run = 0;

  g_assert (out != NULL);
  g_assert (g_utf8_validate (out, -1, NULL));
  for (const char *p = out; *p != '\0'; p++)
    {
      run = g_ascii_isdigit (*p) ? run + 1 : 0;
      g_assert (run < 4);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static char *journal;
  g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) size);
  g_autofree char *redacted = ek_redact_text (text);
  g_autofree char *code = ek_redact_code (text);
  g_autoptr(GPtrArray) entries = NULL;

  check_redacted (redacted);
  g_assert (g_utf8_validate (code, -1, NULL));
  if (g_utf8_strlen (text, -1) > 8)
    g_assert (g_utf8_strlen (code, -1) == g_utf8_strlen (text, -1));

  /* The same bytes as a journal file on disk */
  if (journal == NULL)
    {
      g_autofree char *dir = g_dir_make_tmp ("ek-fuzz-journal-XXXXXX", NULL);

      g_assert (dir != NULL);
      journal = g_build_filename (dir, "errors.jsonl", NULL);
      g_setenv ("EKEY_ERROR_JOURNAL", journal, TRUE);
    }
  g_assert (g_file_set_contents (journal, (const char *) data, (gssize) size, NULL));
  entries = ek_error_journal_read ();
  g_assert (entries->len <= EK_ERROR_JOURNAL_MAX);
  for (guint i = 0; i < entries->len; i++)
    {
      EkJournalEntry *entry = g_ptr_array_index (entries, i);

      check_redacted (entry->message);
      check_redacted (entry->where);
      g_assert (entry->request_id == NULL || strlen (entry->request_id) <= 64);
    }
  return 0;
}
