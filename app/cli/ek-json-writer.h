/* ek-json-writer.h: JSON written straight into a string, laid out as json-glib lays it out
 *
 * For the token commands, which start in a few milliseconds and should not load json-glib (and
 * build, print and free a tree of nodes) to print one document. The calls mirror JsonBuilder's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _EkJsonWriter EkJsonWriter;

EkJsonWriter *ek_json_writer_new               (void);
void          ek_json_writer_free              (EkJsonWriter *writer);
void          ek_json_writer_set_member_name   (EkJsonWriter *writer,
                                                const char   *name);
void          ek_json_writer_begin_object      (EkJsonWriter *writer);
void          ek_json_writer_end_object        (EkJsonWriter *writer);
void          ek_json_writer_begin_array       (EkJsonWriter *writer);
void          ek_json_writer_end_array         (EkJsonWriter *writer);
void          ek_json_writer_add_string_value  (EkJsonWriter *writer,
                                                const char   *value);
void          ek_json_writer_add_int_value     (EkJsonWriter *writer,
                                                gint64        value);
void          ek_json_writer_add_boolean_value (EkJsonWriter *writer,
                                                gboolean      value);
void          ek_json_writer_add_null_value    (EkJsonWriter *writer);
const char   *ek_json_writer_get_text          (EkJsonWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkJsonWriter, ek_json_writer_free)

G_END_DECLS
