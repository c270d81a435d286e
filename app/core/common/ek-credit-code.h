/* ek-credit-code.h: the 18-character unified social credit code (GB 32100-2015) and the
 * organisation code inside it (GB 11714): the arithmetic, in one place for the key and the forms */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EK_CREDIT_CODE_VALID,      /* well formed, check character right */
  EK_CREDIT_CODE_BAD_CHECK,  /* 18 characters of the code alphabet, check character wrong */
  EK_CREDIT_CODE_MALFORMED,  /* wrong length or a character outside the alphabet */
} EkCreditCodeStatus;

EkCreditCodeStatus  ek_credit_code_check             (const char *code);
char                ek_credit_code_expected_check    (const char *code);
char                ek_organization_code_expected_check (const char *body);
gboolean            ek_organization_code_check       (const char *code);
EkCreditCodeStatus  ek_enterprise_code_13_check      (const char *code);

G_END_DECLS
