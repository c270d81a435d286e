/* ek-json-writer.c: JSON written straight into a string, laid out as json-glib lays it out
 *
 * Pretty-printed as json_generator_set_pretty() does (two spaces a level, "name" : value, [] for
 * an empty array, { } with the indent of its level inside for an empty object) and escaped as
 * json-glib escapes: \" \\ \b \f \n \r \t, other control characters below 0x1f and DEL as
 * \u00XX, everything else (0x1f and UTF-8 included) as it is.
 * tests/token/test-json-writer.c compares the two on the same documents.
 */
#include "config.h"

#include <string.h>

#include "ek-json-writer.h"

#define MAX_DEPTH 32

struct _EkJsonWriter
{
  GString    *out;
  guint       depth;
  guint       count[MAX_DEPTH + 1];  /* values written so far in each open container */
  char       *name;                  /* the member name for the next value */
};

EkJsonWriter *
ek_json_writer_new (void)
{
  EkJsonWriter *writer = g_new0 (EkJsonWriter, 1);

  writer->out = g_string_sized_new (4096);
  return writer;
}

void
ek_json_writer_free (EkJsonWriter *writer)
{
  if (writer == NULL)
    return;
  g_string_free (writer->out, TRUE);
  g_free (writer->name);
  g_free (writer);
}

static void
append_escaped (GString    *out,
                const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '\\' || *p == '"')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if ((*p > 0 && *p < 0x1f) || *p == 0x7f)
        switch (*p)
          {
          case '\b':
            g_string_append (out, "\\b");
            break;
          case '\f':
            g_string_append (out, "\\f");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          default:
            g_string_append_printf (out, "\\u00%.2x", (guint) *p);
            break;
          }
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
indent (GString *out,
        guint    level)
{
  for (guint i = 0; i < level * 2; i++)
    g_string_append_c (out, ' ');
}

/* What comes before any value: the separator, the line and indent, the member name */
static void
begin_value (EkJsonWriter *writer)
{
  if (writer->depth > 0)
    {
      if (writer->count[writer->depth] > 0)
        g_string_append_c (writer->out, ',');
      g_string_append_c (writer->out, '\n');
      indent (writer->out, writer->depth);
      writer->count[writer->depth]++;
    }
  if (writer->name != NULL)
    {
      append_escaped (writer->out, writer->name);
      g_string_append (writer->out, " : ");
      g_clear_pointer (&writer->name, g_free);
    }
}

void
ek_json_writer_set_member_name (EkJsonWriter *writer,
                                const char   *name)
{
  g_return_if_fail (writer != NULL && name != NULL);
  g_free (writer->name);
  writer->name = g_strdup (name);
}

static void
begin_container (EkJsonWriter *writer,
                 char          opener)
{
  g_return_if_fail (writer->depth < MAX_DEPTH);
  begin_value (writer);
  g_string_append_c (writer->out, opener);
  writer->depth++;
  writer->count[writer->depth] = 0;
}

static void
end_container (EkJsonWriter *writer,
               char          closer)
{
  g_return_if_fail (writer->depth > 0);
  if (writer->count[writer->depth] > 0)
    {
      g_string_append_c (writer->out, '\n');
      indent (writer->out, writer->depth - 1);
    }
  else if (closer == '}')
    indent (writer->out, writer->depth - 1);   /* json-glib writes an empty object as {  } */
  g_string_append_c (writer->out, closer);
  writer->depth--;
}

void
ek_json_writer_begin_object (EkJsonWriter *writer)
{
  begin_container (writer, '{');
}

void
ek_json_writer_end_object (EkJsonWriter *writer)
{
  end_container (writer, '}');
}

void
ek_json_writer_begin_array (EkJsonWriter *writer)
{
  begin_container (writer, '[');
}

void
ek_json_writer_end_array (EkJsonWriter *writer)
{
  end_container (writer, ']');
}

void
ek_json_writer_add_string_value (EkJsonWriter *writer,
                                 const char   *value)
{
  begin_value (writer);
  append_escaped (writer->out, value);
}

void
ek_json_writer_add_int_value (EkJsonWriter *writer,
                              gint64        value)
{
  begin_value (writer);
  g_string_append_printf (writer->out, "%" G_GINT64_FORMAT, value);
}

void
ek_json_writer_add_boolean_value (EkJsonWriter *writer,
                                  gboolean      value)
{
  begin_value (writer);
  g_string_append (writer->out, value ? "true" : "false");
}

void
ek_json_writer_add_null_value (EkJsonWriter *writer)
{
  begin_value (writer);
  g_string_append (writer->out, "null");
}

/* The document so far (complete once every container is closed) */
const char *
ek_json_writer_get_text (EkJsonWriter *writer)
{
  return writer->out->str;
}
