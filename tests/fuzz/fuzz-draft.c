/* fuzz-draft.c: any bytes read as a saved draft end in a draft or a clear error, and a draft
 * that was read saves and reads back the same */
#include "config.h"

#include <string.h>

#include "ek-application-draft.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkApplicationDraft) draft = NULL;
  g_autoptr(EkApplicationDraft) again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  draft = ek_application_draft_new_from_json ((const char *) data, size, &error);

  /* Exactly one of the two, and an error always says something */
  g_assert ((draft == NULL) != (error == NULL));
  if (error != NULL)
    {
      g_assert (error->message != NULL && error->message[0] != '\0');
      return 0;
    }

  json = ek_application_draft_to_json (draft, NULL);
  again = ek_application_draft_new_from_json (json, -1, &error);
  g_assert (again != NULL && error == NULL);
  json_again = ek_application_draft_to_json (again, NULL);
  g_assert (strcmp (json, json_again) == 0);
  return 0;
}
