/* fuzz-catalogue.c: any bytes given as a catalogue end in a catalogue or a clear error */
#include "config.h"

#include "ek-catalogue.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_from_bytes (bytes, "fuzz.json", &error);

  /* Exactly one of the two, and an error always says something */
  g_assert ((catalogue == NULL) != (error == NULL));
  if (error != NULL)
    g_assert (error->message != NULL && error->message[0] != '\0');
  return 0;
}
