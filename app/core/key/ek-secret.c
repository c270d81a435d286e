/* ek-secret.c: a PIN held only as long as one call needs it
 *
 * The bytes are copied once, never logged, and wiped with explicit_bzero() (which the compiler
 * may not optimise away) when the last reference goes.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "ek-secret.h"

struct _EkSecret
{
  gatomicrefcount  ref_count;
  gsize            length;
  char            *data;
};

G_DEFINE_BOXED_TYPE (EkSecret, ek_secret, ek_secret_ref, ek_secret_unref)

/**
 * ek_secret_new:
 * @text: the secret; the caller wipes its own copy
 * @length: its length, or -1 when @text is NUL-terminated
 */
EkSecret *
ek_secret_new (const char *text,
               gssize      length)
{
  EkSecret *secret;

  g_return_val_if_fail (text != NULL, NULL);

  secret = g_new0 (EkSecret, 1);
  g_atomic_ref_count_init (&secret->ref_count);
  secret->length = length < 0 ? strlen (text) : (gsize) length;
  secret->data = g_malloc0 (secret->length + 1);
  /* Keep it out of swap where allowed; failure (RLIMIT_MEMLOCK) is harmless */
  (void) mlock (secret->data, secret->length + 1);
  memcpy (secret->data, text, secret->length);
  return secret;
}

EkSecret *
ek_secret_ref (EkSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);
  g_atomic_ref_count_inc (&secret->ref_count);
  return secret;
}

void
ek_secret_unref (EkSecret *secret)
{
  g_return_if_fail (secret != NULL);

  if (!g_atomic_ref_count_dec (&secret->ref_count))
    return;
  explicit_bzero (secret->data, secret->length + 1);
  (void) munlock (secret->data, secret->length + 1);
  g_free (secret->data);
  g_free (secret);
}

const char *
ek_secret_get_data (EkSecret *secret,
                    gsize    *length)
{
  g_return_val_if_fail (secret != NULL, NULL);
  if (length != NULL)
    *length = secret->length;
  return secret->data;
}
