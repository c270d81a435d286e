/* test-validators.c: the field checks shared by client and server, on DOMAIN-FACTS' vectors */
#include "config.h"

#include "ek-test-common.h"
#include "ek-validators.h"

static void
assert_check (EkCheck        check,
              EkValidity     validity,
              EkFieldProblem problem,
              const char    *input)
{
  if (check.validity != validity || check.problem != problem)
    g_error ("%s: got validity %d problem %s, expected %d %s", input, check.validity,
             ek_field_problem_code (check.problem), validity, ek_field_problem_code (problem));
}

static void
test_uscc (void)
{
  const char *valid[] = { "91110000600037341L", "91310115MA1K3BTP2B", "9144030071526726XG",
                          "121200004013590816", "91350100M000100Y43",
                          "91110000 600037341l" };
  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    assert_check (ek_uscc_check (valid[i]), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, valid[i]);

  /* Wrong check character: warn, don't block (early Fujian codes are real and fail it) */
  /* GB worked example: Z is not even in the charset */
  assert_check (ek_uscc_check ("91350100M000100Y4Z"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_CHARSET, "4Z");
  assert_check (ek_uscc_check ("91350100M000100Y4U"), EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_CHECK_CHARACTER, "4U");
  assert_check (ek_uscc_check ("91110000600037341N"), EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_CHECK_CHARACTER, "1N");
  assert_check (ek_uscc_check ("91350100M0001TGQXM"), EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_CHECK_CHARACTER, "TGQXM");
  assert_check (ek_uscc_check ("91110108MA01ABCD2X"), EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_CHECK_CHARACTER, "seed");
  /* The seed code with its check character fixed still embeds an org code that fails GB 11714 */
  assert_check (ek_uscc_check ("91110108MA01ABCD2H"), EK_VALIDITY_WARNING, EK_FIELD_PROBLEM_ORG_CODE_CHECK, "seed fixed");
  g_assert_cmpint (ek_uscc_compute_check_char ("91350100M000100Y4"), ==, '3');
  g_assert_cmpint (ek_uscc_compute_check_char ("91110108MA01ABCD2"), ==, 'H');

  assert_check (ek_uscc_check ("9111000060003IOZSV"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_CHARSET, "IOZSV");
  assert_check (ek_uscc_check ("91110000600037341"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LENGTH, "17");
  assert_check (ek_uscc_check ("9111000060003734"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LENGTH, "16");
  assert_check (ek_uscc_check (""), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_REQUIRED, "empty");
  assert_check (ek_uscc_check ("911A0000600037341L"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_REGION, "region");
  assert_check (ek_uscc_check ("94110000600037341L"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_DEPARTMENT, "94");
  /* A/N/Y departments are valid per the standard (python-stdnum wrongly rejects them) */
  g_assert_cmpint (ek_uscc_check ("N1110000600037341L").validity, !=, EK_VALIDITY_INVALID);
}

static void
test_resident_id (void)
{
  const char *valid[] = { "11010519491231002X", "360426199101010071", "44011320141005001X",
                          "110102199101010078", "11010519491231002x" };
  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    assert_check (ek_resident_id_check (valid[i]), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, valid[i]);

  assert_check (ek_resident_id_check ("360426199113010079"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_BIRTH_DATE, "month 13");
  assert_check (ek_resident_id_check ("11010519490229002X"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_BIRTH_DATE, "29 Feb 1949");
  assert_check (ek_resident_id_check ("110105289912310021"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_BIRTH_DATE, "future");
  assert_check (ek_resident_id_check ("36042619910102009X"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_CHECK_CHARACTER, "check");
  assert_check (ek_resident_id_check ("110102198003027254"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_CHECK_CHARACTER, "seed 003");
  assert_check (ek_resident_id_check ("11010219756001254"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LENGTH, "17 digits");
  assert_check (ek_resident_id_check ("1101021975600125A4"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_CHARSET, "letter");
}

static void
test_phones_postcode_email (void)
{
  const char *mobiles[] = { "13800138000", "19212345678", "16612345678", "18910123221", "+8613800138000" };
  const char *bad_mobiles[] = { "12345678901", "1380013800", "138001380001", "138-0013-8000" };
  const char *landlines[] = { "67811021", "010-67811021", "01067811021", "0755-23456789", "2345678", "010-67811021-123" };
  const char *bad_landlines[] = { "12345678", "010-1234", "0-67811021", "67811021x" };

  for (guint i = 0; i < G_N_ELEMENTS (mobiles); i++)
    assert_check (ek_mobile_check (mobiles[i]), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, mobiles[i]);
  for (guint i = 0; i < G_N_ELEMENTS (bad_mobiles); i++)
    assert_check (ek_mobile_check (bad_mobiles[i]), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_MOBILE, bad_mobiles[i]);
  for (guint i = 0; i < G_N_ELEMENTS (landlines); i++)
    assert_check (ek_landline_check (landlines[i]), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, landlines[i]);
  for (guint i = 0; i < G_N_ELEMENTS (bad_landlines); i++)
    assert_check (ek_landline_check (bad_landlines[i]), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LANDLINE, bad_landlines[i]);

  assert_check (ek_postcode_check ("100176"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "100176");
  assert_check (ek_postcode_check ("010000"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "010000");
  assert_check (ek_postcode_check ("10017"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_POSTCODE, "5 digits");
  assert_check (ek_postcode_check ("10017a"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_POSTCODE, "letter");

  assert_check (ek_email_check ("wangbing@126.com"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "126");
  assert_check (ek_email_check ("a.b+c@ec.com.cn"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "ec");
  assert_check (ek_email_check ("wangbing@126"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_EMAIL, "no tld");
  assert_check (ek_email_check ("wang bing@126.com"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_EMAIL, "space");
  assert_check (ek_email_check ("a..b@126.com"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_EMAIL, "dots");
  assert_check (ek_email_check (NULL), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_REQUIRED, "null");
}

static void
test_login_names (void)
{
  assert_check (ek_login_name_check ("clerk@example.com", "non-electromechanical"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "email");
  assert_check (ek_login_name_check ("clerk01", "non-electromechanical"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LOGIN_NAME_EMAIL, "not email");
  assert_check (ek_login_name_check ("jd_account-7", "electromechanical"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "account");
  assert_check (ek_login_name_check ("clerk@example.com", "electromechanical"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LOGIN_NAME, "email for jd");
  assert_check (ek_login_name_check ("clerk@example.com", "used-car-export"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "car email");
  assert_check (ek_login_name_check ("platform.user", "used-car-export"), EK_VALIDITY_VALID, EK_FIELD_PROBLEM_NONE, "car account");
  assert_check (ek_login_name_check ("x", "used-car-export"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LOGIN_NAME, "short");
  assert_check (ek_login_name_check ("clerk01", "bicycles"), EK_VALIDITY_INVALID, EK_FIELD_PROBLEM_LICENCE_TYPE, "licence");
}

static void
test_messages (void)
{
  for (guint p = EK_FIELD_PROBLEM_NONE; p <= EK_FIELD_PROBLEM_LICENCE_TYPE; p++)
    {
      g_assert_nonnull (ek_field_problem_code (p));
      g_assert_cmpstr (ek_field_problem_message (p, "en"), !=, ek_field_problem_message (p, "zh-CN"));
      g_assert_true (g_utf8_validate (ek_field_problem_message (p, "zh_CN"), -1, NULL));
    }
  g_assert_cmpstr (ek_field_problem_message (EK_FIELD_PROBLEM_POSTCODE, "zh-CN"), ==, "邮政编码为6位数字，例如 100176。");
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  g_test_add_func ("/validators/uscc", test_uscc);
  g_test_add_func ("/validators/resident-id", test_resident_id);
  g_test_add_func ("/validators/phones-postcode-email", test_phones_postcode_email);
  g_test_add_func ("/validators/login-names", test_login_names);
  g_test_add_func ("/validators/messages", test_messages);
  return g_test_run ();
}
