/* ek-validators.h: field checks shared by the client and ekey-registry
 *
 * Each check answers VALID, WARNING (accept, but tell the user: e.g. a credit code whose check
 * character is wrong, since some legally issued early codes fail it) or INVALID, with a stable
 * problem code (sent by the API as errors[].code) and a message in English or Chinese.
 * The messages come from a table rather than gettext because the server answers each request
 * in that request's Accept-Language, not in its own locale.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EK_VALIDITY_VALID,
  EK_VALIDITY_WARNING,
  EK_VALIDITY_INVALID,
} EkValidity;

typedef enum
{
  EK_FIELD_PROBLEM_NONE,
  EK_FIELD_PROBLEM_REQUIRED,
  EK_FIELD_PROBLEM_LENGTH,
  EK_FIELD_PROBLEM_CHARSET,
  EK_FIELD_PROBLEM_REGION,
  EK_FIELD_PROBLEM_DEPARTMENT,
  EK_FIELD_PROBLEM_CHECK_CHARACTER,
  EK_FIELD_PROBLEM_ORG_CODE_CHECK,
  EK_FIELD_PROBLEM_BIRTH_DATE,
  EK_FIELD_PROBLEM_MOBILE,
  EK_FIELD_PROBLEM_LANDLINE,
  EK_FIELD_PROBLEM_POSTCODE,
  EK_FIELD_PROBLEM_EMAIL,
  EK_FIELD_PROBLEM_LOGIN_NAME,
  EK_FIELD_PROBLEM_LOGIN_NAME_EMAIL,
  EK_FIELD_PROBLEM_LICENCE_TYPE,
  EK_FIELD_PROBLEM_PLATFORM_LOGIN_NAME,
} EkFieldProblem;

typedef struct
{
  EkValidity      validity;
  EkFieldProblem  problem;
} EkCheck;

EkCheck      ek_uscc_check               (const char     *code);
char         ek_uscc_compute_check_char  (const char     *code17);
EkCheck      ek_resident_id_check        (const char     *number);
EkCheck      ek_mobile_check             (const char     *number);
EkCheck      ek_landline_check           (const char     *number);
EkCheck      ek_postcode_check           (const char     *postcode);
EkCheck      ek_email_check              (const char     *address);
gboolean     ek_licence_type_is_known    (const char     *licence_type);
EkCheck      ek_platform_login_name_check (const char    *login_name);
EkCheck      ek_login_name_check         (const char     *login_name,
                                          const char     *licence_type);

char        *ek_normalize_code           (const char     *text);
const char  *ek_field_problem_code       (EkFieldProblem  problem);
const char  *ek_field_problem_message    (EkFieldProblem  problem,
                                          const char     *language);

G_END_DECLS
