/* ek-credit-code.c: the 18-character unified social credit code (GB 32100-2015)
 *
 * Shared by the key (the O= value of a certificate) and the forms. A wrong check character
 * is reported apart from a malformed code because a few legally issued early codes fail the
 * check (DOMAIN-FACTS.md §1): callers warn on it rather than refuse.
 */
#include "config.h"

#include <string.h>

#include "ek-credit-code.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const guint weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };

static int
char_value (char c)
{
  const char *p;

  if (c == '\0')
    return -1;
  p = strchr (alphabet, c);
  return p != NULL ? (int) (p - alphabet) : -1;
}

/**
 * ek_credit_code_expected_check:
 * @code: at least the first 17 characters of a code
 *
 * Returns: the check character the first 17 characters call for, or 0 when they are not
 *   17 characters of the code alphabet
 */
char
ek_credit_code_expected_check (const char *code)
{
  guint sum = 0;

  g_return_val_if_fail (code != NULL, 0);

  for (guint i = 0; i < 17; i++)
    {
      int v = char_value (code[i]);

      if (v < 0)
        return 0;
      sum += (guint) v * weights[i];
    }
  return alphabet[(31 - sum % 31) % 31];
}

/**
 * ek_credit_code_check:
 * @code: a candidate code, exactly as written (no spaces, upper case)
 *
 * Returns: whether @code is a valid code, a code with a wrong check character, or not a code
 */
EkCreditCodeStatus
ek_credit_code_check (const char *code)
{
  char expected;

  g_return_val_if_fail (code != NULL, EK_CREDIT_CODE_MALFORMED);

  /* The check character may be any letter or digit that is not the right one: GB 32100's own
   * worked example, 91350100M000100Y4Z, ends in Z, which is outside the alphabet */
  if (strlen (code) != 18 || !(g_ascii_isdigit (code[17]) || g_ascii_isupper (code[17])))
    return EK_CREDIT_CODE_MALFORMED;
  /* Positions 3–8 are an administrative division code: digits only */
  for (guint i = 2; i < 8; i++)
    if (!g_ascii_isdigit (code[i]))
      return EK_CREDIT_CODE_MALFORMED;
  expected = ek_credit_code_expected_check (code);
  if (expected == 0)
    return EK_CREDIT_CODE_MALFORMED;
  return expected == code[17] ? EK_CREDIT_CODE_VALID : EK_CREDIT_CODE_BAD_CHECK;
}

/**
 * ek_organization_code_expected_check:
 * @body: at least the first 8 characters of a GB 11714 organisation code
 *
 * Returns: the check character they call for, or 0 when they are not 8 digits or capitals
 */
char
ek_organization_code_expected_check (const char *body)
{
  static const guint org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
  guint sum = 0, c;

  g_return_val_if_fail (body != NULL, 0);

  /* Here the full alphabet counts (A=10 … Z=35, with I O S V Z), unlike the credit code's */
  for (guint i = 0; i < 8; i++)
    {
      if (g_ascii_isdigit (body[i]))
        sum += (guint) (body[i] - '0') * org_weights[i];
      else if (g_ascii_isupper (body[i]))
        sum += (guint) (body[i] - 'A' + 10) * org_weights[i];
      else
        return 0;
    }
  c = 11 - sum % 11;
  return c == 10 ? 'X' : c == 11 ? '0' : (char) ('0' + c);
}

/**
 * ek_organization_code_check:
 * @code: 9 characters, the GB 11714 organisation code without its hyphen
 *
 * Returns: %TRUE when @code is an organisation code with a right check character
 */
gboolean
ek_organization_code_check (const char *code)
{
  char expected;

  g_return_val_if_fail (code != NULL, FALSE);

  if (strlen (code) != 9)
    return FALSE;
  expected = ek_organization_code_expected_check (code);
  return expected != 0 && code[8] == expected;
}

/**
 * ek_enterprise_code_13_check:
 * @code: the 13-character import/export enterprise code (进出口企业代码)
 *
 * 4 digits of region, then the 9-character GB 11714 organisation code, whose body may hold
 * capital letters (codes issued since 2015 do) and whose check character is a digit or X
 * (DOMAIN-FACTS §3).
 *
 * Returns: VALID, BAD_CHECK when the organisation code's check character is wrong, MALFORMED
 *   otherwise
 */
EkCreditCodeStatus
ek_enterprise_code_13_check (const char *code)
{
  g_return_val_if_fail (code != NULL, EK_CREDIT_CODE_MALFORMED);

  if (strlen (code) != 13)
    return EK_CREDIT_CODE_MALFORMED;
  for (guint i = 0; i < 13; i++)
    {
      gboolean ok = i < 4 ? g_ascii_isdigit (code[i])
                  : i < 12 ? (g_ascii_isdigit (code[i]) || g_ascii_isupper (code[i]))
                  : (g_ascii_isdigit (code[i]) || code[i] == 'X');
      if (!ok)
        return EK_CREDIT_CODE_MALFORMED;
    }
  return ek_organization_code_check (code + 4) ? EK_CREDIT_CODE_VALID : EK_CREDIT_CODE_BAD_CHECK;
}
