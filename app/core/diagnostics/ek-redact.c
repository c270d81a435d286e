/* ek-redact.c: what may leave the computer in a helpdesk report */
#include "config.h"

#include <string.h>

#include "ek-redact.h"

#define WITHHELD "•••"

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c);
}

/* Characters of a bearer token, a session id or a base64 blob */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '+' || c == '/' || c == '=' || c == '.' || c == '~';
}

static gboolean
is_mailbox_char (char c)
{
  return c != '\0' && (g_ascii_isalnum (c) || strchr ("._%+-!#$&'*/=?^`{|}~", c) != NULL);
}

char *
ek_redact_text (const char *text)
{
  g_autofree char *valid = NULL, *normal = NULL;
  GString *out;
  const char *p;
  const char *path_end = NULL;

  if (text == NULL)
    return NULL;
  /* Full-width digits and letters (an ID number typed with a Chinese input method) become
   * ASCII first, so they are caught like any other */
  valid = g_utf8_make_valid (text, -1);
  normal = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKC);
  text = normal != NULL ? normal : valid;
  out = g_string_sized_new (strlen (text));
  p = text;
  while (*p != '\0')
    {
      const char *start = p;
      gsize n_token = 0, n_word = 0, n_digits = 0;

      /* A run of token characters: a token when long, else look at its words. A path (a run
       * that starts with '/') is not a token: only its words are looked at. */
      while (p >= path_end && is_token_char (p[n_token]))
        n_token++;
      if (n_token >= 20 && p[0] == '/')
        path_end = p + n_token;
      else if (n_token >= 20 && memchr (p, '@', n_token + 1) == NULL && !(p > text && p[-1] == '@'))
        {
          g_string_append (out, WITHHELD);
          p += n_token;
          continue;
        }
      /* An e-mail address: withhold the mailbox, keep the domain */
      {
        gsize n_mailbox = 0;

        while (is_mailbox_char (p[n_mailbox]))
          n_mailbox++;
        if (n_mailbox > 0 && p[n_mailbox] == '@' && is_word_char (p[n_mailbox + 1]))
          {
            g_string_append (out, WITHHELD);
            p += n_mailbox;
            continue;
          }
      }
      while (is_word_char (p[n_word]))
        {
          if (g_ascii_isdigit (p[n_word]))
            n_digits++;
          n_word++;
        }
      if (n_word > 0)
        {
          /* Digits in a row across separators ("138-0013-8000", "138 0013 8000") count as one word */
          gsize end = n_word;

          while ((p[end] == '-' || p[end] == ' ') && g_ascii_isdigit (p[end + 1]) && n_digits > 0)
            {
              gsize more = end + 1;
              gsize more_digits = 0;

              while (is_word_char (p[more]))
                {
                  if (g_ascii_isdigit (p[more]))
                    more_digits++;
                  more++;
                }
              if (more_digits == 0)
                break;
              n_digits += more_digits;
              end = more;
            }
          if (n_digits >= 4)
            {
              g_string_append (out, WITHHELD);
              p += end;
            }
          else
            {
              g_string_append_len (out, p, n_word);
              p += n_word;
            }
          continue;
        }
      /* Anything else, one UTF-8 character at a time */
      p = g_utf8_next_char (start);
      g_string_append_len (out, start, p - start);
    }
  return g_string_free (out, FALSE);
}

char *
ek_redact_code (const char *code)
{
  glong n;
  GString *out;

  if (code == NULL)
    return NULL;
  n = g_utf8_strlen (code, -1);
  if (n <= 8)
    return g_strdup ("***");
  out = g_string_new (NULL);
  for (glong i = 0; i < n; i++)
    {
      const char *c = g_utf8_offset_to_pointer (code, i);

      if (i < 4 || i >= n - 2)
        g_string_append_len (out, c, g_utf8_next_char (c) - c);
      else
        g_string_append_c (out, '*');
    }
  return g_string_free (out, FALSE);
}
