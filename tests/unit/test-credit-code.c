/* test-credit-code.c: the 18-character code check shared by the key and the forms */
#include "config.h"

#include "ek-credit-code.h"
#include "ek-test-common.h"

static void
test_valid (void)
{
  /* DOMAIN-FACTS.md §1, each recomputed there */
  const char *valid[] = { "91350100M000100Y43", "91110000600037341L", "91310115MA1K3BTP2B",
                          "9144030071526726XG", "121200004013590816", "91110108MA01ABCD2H", NULL };

  for (guint i = 0; valid[i] != NULL; i++)
    g_assert_cmpint (ek_credit_code_check (valid[i]), ==, EK_CREDIT_CODE_VALID);
}

static void
test_bad_check (void)
{
  /* GB 32100's worked example, the sample in the brief, and legal early Fujian codes */
  const char *bad[] = { "91350100M000100Y4Z", "91110108MA01ABCD2X", "91110000600037341N",
                        "91350100M0001TGQXM", "91350211M0000XUF46", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_cmpint (ek_credit_code_check (bad[i]), ==, EK_CREDIT_CODE_BAD_CHECK);
  g_assert_cmpint (ek_credit_code_expected_check ("91350100M000100Y4Z"), ==, '3');
  g_assert_cmpint (ek_credit_code_expected_check ("91110108MA01ABCD2X"), ==, 'H');
}

static void
test_malformed (void)
{
  const char *malformed[] = { "", "91110000600037341", "9111000060003734", "9111000060003IOZSV",
                              "91110000600037341LL", "91A10000600037341L", "123123123123123-云", NULL };

  for (guint i = 0; malformed[i] != NULL; i++)
    g_assert_cmpint (ek_credit_code_check (malformed[i]), ==, EK_CREDIT_CODE_MALFORMED);
}

static void
test_organization_code (void)
{
  g_assert_true (ek_organization_code_check ("600037341"));
  g_assert_true (ek_organization_code_check ("715267260") == FALSE);
  g_assert_true (ek_organization_code_check ("71526726X"));
  g_assert_true (ek_organization_code_check ("MA1K3BTP2"));
  g_assert_true (ek_organization_code_check ("400000560"));
  g_assert_false (ek_organization_code_check ("400000561"));
  g_assert_false (ek_organization_code_check ("40000056"));
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);
  g_test_add_func ("/credit-code/valid", test_valid);
  g_test_add_func ("/credit-code/bad-check", test_bad_check);
  g_test_add_func ("/credit-code/malformed", test_malformed);
  g_test_add_func ("/credit-code/organization-code", test_organization_code);
  return g_test_run ();
}
