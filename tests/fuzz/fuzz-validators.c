/* fuzz-validators.c: every field check gives a verdict with a message for any text */
#include "config.h"

#include <string.h>

#include "ek-validators.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_verdict (EkCheck check)
{
  g_assert (check.validity <= EK_VALIDITY_INVALID);
  /* VALID has no problem; anything else names one, with text in both languages */
  g_assert ((check.validity == EK_VALIDITY_VALID) == (check.problem == EK_FIELD_PROBLEM_NONE));
  g_assert (ek_field_problem_code (check.problem) != NULL);
  g_assert (ek_field_problem_message (check.problem, "en")[0] != '\0');
  g_assert (ek_field_problem_message (check.problem, "zh_CN")[0] != '\0');
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  static const char *licences[] = { "non-electromechanical", "electromechanical", "used-car-export", "x" };
  EkCheck uscc;

  uscc = ek_uscc_check (text);
  check_verdict (uscc);
  /* A code accepted (even with a warning) is 18 characters once normalized */
  if (uscc.validity != EK_VALIDITY_INVALID)
    {
      g_autofree char *norm = ek_normalize_code (text);
      g_assert (strlen (norm) == 18);
      g_assert (ek_uscc_compute_check_char (norm) != 0);
    }
  check_verdict (ek_resident_id_check (text));
  check_verdict (ek_mobile_check (text));
  check_verdict (ek_landline_check (text));
  check_verdict (ek_postcode_check (text));
  check_verdict (ek_email_check (text));
  check_verdict (ek_login_name_check (text, licences[size % G_N_ELEMENTS (licences)]));
  return 0;
}
