/* ek-tool-fail.c: how every ekey-tool command reports an error (its own file: the lean token
 * library links it without the rest of ek-tool-common.c) */
#include "config.h"

#include <glib.h>

#include "ek-tool-token-list.h"

int
ek_tool_fail (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("ekey-tool: %s\n", message);
  return 1;
}
