/* ek-error-journal.c: the last errors the clerk saw, with their request ids */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-error-journal.h"
#include "ek-redact.h"

#define MAX_FILE_SIZE (64 * 1024)

G_LOCK_DEFINE_STATIC (journal);

void
ek_journal_entry_free (EkJournalEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->where);
  g_free (entry->message);
  g_free (entry->request_id);
  g_free (entry);
}

char *
ek_error_journal_path (void)
{
  const char *env = g_getenv ("EKEY_ERROR_JOURNAL");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_state_dir (), "ekey-assistant", "errors.jsonl", NULL);
}

/* A request id is a short token the service made: letters, digits, '-' and '_' only */
static gboolean
is_request_id (const char *id)
{
  gsize n = id != NULL ? strlen (id) : 0;

  if (n == 0 || n > 64)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;
  return TRUE;
}

static EkJournalEntry *
entry_from_line (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  EkJournalEntry *entry;

  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  entry = g_new0 (EkJournalEntry, 1);
  entry->time = json_object_get_int_member_with_default (o, "time", 0);
  /* Redacted again on the way out: the file is not trusted to be ours */
  entry->where = ek_redact_text (json_object_get_string_member_with_default (o, "where", ""));
  entry->message = ek_redact_text (json_object_get_string_member_with_default (o, "message", ""));
  if (is_request_id (json_object_get_string_member_with_default (o, "request_id", NULL)))
    entry->request_id = g_strdup (json_object_get_string_member (o, "request_id"));
  return entry;
}

static GPtrArray *
read_locked (const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_journal_entry_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL) || length > MAX_FILE_SIZE)
    return entries;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      EkJournalEntry *entry = lines[i][0] != '\0' ? entry_from_line (lines[i]) : NULL;

      if (entry != NULL)
        g_ptr_array_add (entries, entry);
    }
  while (entries->len > EK_ERROR_JOURNAL_MAX)
    g_ptr_array_remove_index (entries, 0);
  return entries;
}

GPtrArray *
ek_error_journal_read (void)
{
  g_autofree char *path = ek_error_journal_path ();
  GPtrArray *entries;

  G_LOCK (journal);
  entries = read_locked (path);
  G_UNLOCK (journal);
  return entries;
}

static char *
entry_to_line (const EkJournalEntry *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, entry->time);
  json_builder_set_member_name (builder, "where");
  json_builder_add_string_value (builder, entry->where);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, entry->message);
  if (entry->request_id != NULL)
    {
      json_builder_set_member_name (builder, "request_id");
      json_builder_add_string_value (builder, entry->request_id);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

void
ek_error_journal_note (const char *where,
                       const char *message,
                       const char *request_id)
{
  g_autofree char *path = ek_error_journal_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  EkJournalEntry *entry;

  entry = g_new0 (EkJournalEntry, 1);
  entry->time = g_get_real_time () / G_USEC_PER_SEC;
  entry->where = ek_redact_text (where != NULL ? where : "");
  entry->message = ek_redact_text (message != NULL ? message : "");
  entry->request_id = is_request_id (request_id) ? g_strdup (request_id) : NULL;

  G_LOCK (journal);
  entries = read_locked (path);
  g_ptr_array_add (entries, entry);
  while (entries->len > EK_ERROR_JOURNAL_MAX)
    g_ptr_array_remove_index (entries, 0);
  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *line = entry_to_line (g_ptr_array_index (entries, i));

      g_string_append (contents, line);
      g_string_append_c (contents, '\n');
    }
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, contents->str, (gssize) contents->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_debug ("The error journal could not be written: %s", error != NULL ? error->message : path);
  G_UNLOCK (journal);
}
