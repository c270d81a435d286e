/* test-stages.c: each business's stages and their dates, against the working-day calendar
 *
 * The dates are the calendar's own test vectors (test-calendar.c, DOMAIN-FACTS.md §5), each
 * span with an official holiday inside it, so a plan that counted calendar days, or the old
 * 2 + 5 + 5 of every business, fails.
 */
#include "config.h"

#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-stages.h"
#include "ek-test-common.h"

static EkCatalogue *
catalogue (void)
{
  g_autoptr(GError) error = NULL;
  EkCatalogue *catalogue = ek_catalogue_new_default (&error);

  g_assert_no_error (error);
  return catalogue;
}

static EkStages *
stages_of (EkCatalogue *cat,
           const char  *business)
{
  g_autoptr(GError) error = NULL;
  EkStages *stages = ek_stages_new_for_business (cat, business, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stages);
  return stages;
}

/* Plans @business from @known ("stage=YYYY-MM-DD" …) and checks the end of @stage */
static void
assert_plan (const char *business,
             const char *stage,
             const char *expected,
             ...)
{
  g_autoptr(EkCatalogue) cat = catalogue ();
  g_autoptr(EkStages) stages = stages_of (cat, business);
  g_autoptr(EkCalendar) calendar = ek_calendar_new_default (NULL);
  g_autofree GDate *ended = g_new0 (GDate, ek_stages_get_n_stages (stages));
  g_autofree char *got = NULL;
  gboolean estimate = TRUE;
  const char *known;
  va_list args;
  int index;

  for (guint i = 0; i < ek_stages_get_n_stages (stages); i++)
    g_date_clear (&ended[i], 1);
  va_start (args, expected);
  while ((known = va_arg (args, const char *)) != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (known, "=", 2);

      index = ek_stages_lookup (stages, parts[0]);
      g_assert_cmpint (index, >=, 0);
      g_assert_true (ek_date_parse_iso (parts[1], &ended[index], NULL));
    }
  va_end (args);

  g_assert_true (ek_stages_plan (stages, calendar, ended, &estimate));
  g_assert_false (estimate);
  index = ek_stages_lookup (stages, stage);
  g_assert_cmpint (index, >=, 0);
  if (expected == NULL)
    {
      g_assert_false (g_date_valid (&ended[index]));
      return;
    }
  g_assert_true (g_date_valid (&ended[index]));
  got = ek_date_format_iso (&ended[index]);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_key_issuing_two_then_five (void)
{
  /* Pre-review: 2 working days; National Day (10-01..10-07) inside */
  for (guint i = 0; i < 4; i++)
    {
      const char *business[] = { "first-application", "reissue", "additional-key", "first-application-offline" };

      assert_plan (business[i], "pre-review", "2026-10-09", "submitted=2026-09-30", NULL);
      /* Re-review and production together: 5 working days from the pre-review, not 5 + 5;
       * the Spring Festival (02-15..02-23) inside */
      assert_plan (business[i], "production", "2026-02-27", "submitted=2026-02-11", "pre-review=2026-02-13", NULL);
      /* Re-review passed on the way does not move the date */
      assert_plan (business[i], "production", "2026-02-27", "submitted=2026-02-11", "pre-review=2026-02-13",
                   "re-review=2026-02-24", NULL);
      /* No duration is given for the re-review alone, nor for the collection */
      assert_plan (business[i], "re-review", NULL, "submitted=2026-09-30", NULL);
      assert_plan (business[i], "collection", NULL, "submitted=2026-09-30", NULL);
    }
  /* Planned from the hand-in alone (the counter page): 2 then 5, National Day 2025 inside */
  assert_plan ("reissue", "production", "2025-10-14", "submitted=2025-09-26", "pre-review=2025-09-30", NULL);
}

static void
test_renewal_three (void)
{
  /* The provider checks in 3 working days; Labour Day (05-01..05-05) inside */
  assert_plan ("renewal", "review", "2026-05-08", "submitted=2026-04-30", NULL);
}

static void
test_cancellation_two_then_two (void)
{
  assert_plan ("cancellation", "pre-review", "2026-10-09", "submitted=2026-09-30", NULL);
  assert_plan ("cancellation", "cancelled", "2026-02-24", "submitted=2026-02-11", "pre-review=2026-02-13", NULL);
}

static void
test_unlock_ends_with_the_mail (void)
{
  g_autoptr(EkCatalogue) cat = catalogue ();
  g_autoptr(EkStages) stages = stages_of (cat, "pin-unlock");
  const EkStage *last = ek_stages_get_stage (stages, ek_stages_get_n_stages (stages) - 1);
  g_autofree char *subject = ek_stages_expand (last->mail_subject, "测试进出口有限公司");

  /* No authority pre-review, no production, no shipping, no collection */
  g_assert_cmpint (ek_stages_find_status (stages, "pre-review-passed"), <, 0);
  g_assert_cmpint (ek_stages_find_status (stages, "producing"), <, 0);
  g_assert_cmpint (ek_stages_find_status (stages, "ready-for-collection"), <, 0);
  g_assert_cmpstr (ek_stages_status_before (stages, "re-review-passed"), ==, "submitted");
  g_assert_cmpstr (ek_stages_status_before (stages, "re-review-failed"), ==, "submitted");
  g_assert_true (ek_stages_is_final (stages, "re-review-passed"));
  g_assert_cmpstr (subject, ==, "测试进出口有限公司解锁");
}

static void
test_key_issuing_transitions_and_mail (void)
{
  g_autoptr(EkCatalogue) cat = catalogue ();
  g_autoptr(EkStages) stages = stages_of (cat, "additional-key");
  int re_review = ek_stages_lookup (stages, "re-review");

  g_assert_cmpstr (ek_stages_status_before (stages, "pre-review-passed"), ==, "submitted");
  g_assert_cmpstr (ek_stages_status_before (stages, "pre-review-failed"), ==, "submitted");
  g_assert_cmpstr (ek_stages_status_before (stages, "re-review-passed"), ==, "pre-review-passed");
  g_assert_cmpstr (ek_stages_status_before (stages, "re-review-failed"), ==, "pre-review-passed");
  g_assert_cmpstr (ek_stages_status_before (stages, "producing"), ==, "re-review-passed");
  g_assert_cmpstr (ek_stages_status_before (stages, "shipped"), ==, "producing");
  g_assert_cmpstr (ek_stages_status_before (stages, "collected"), ==, "ready-for-collection");
  g_assert_null (ek_stages_status_before (stages, "unlock-mail"));
  g_assert_true (ek_stages_is_failed (stages, "re-review-failed"));
  g_assert_false (ek_stages_is_final (stages, "shipped"));
  g_assert_true (ek_stages_is_final (stages, "collected"));
  g_assert_false (ek_stages_ends_stage (stages, "producing"));
  g_assert_true (ek_stages_ends_stage (stages, "shipped"));
  /* After the re-review, the seed's activation mail */
  g_assert_cmpint (re_review, >=, 0);
  g_assert_cmpstr (ek_stages_get_stage (stages, re_review)->mail_subject, ==, "调用商务部统一用户管理平台激活企业账户");
  g_assert_nonnull (ek_stages_get_stage (stages, re_review)->after);
}

static void
test_broken_stages_refused (void)
{
  const char *broken[] = {
    /* a business naming a set that is not there */
    "{\"format\":1,\"steps\":{\"status\":{\"title\":{\"en\":\"S\"}}},\"business_types\":[{\"id\":\"x\","
    "\"name\":{\"en\":\"X\"},\"summary\":{\"en\":\"X\"},\"mode\":\"online\",\"key_required\":false,"
    "\"flow\":[\"status\"],\"stages\":\"nowhere\"}]}",
    /* counted from a stage that is not before it */
    "{\"format\":1,\"steps\":{\"status\":{\"title\":{\"en\":\"S\"}}},\"stage_sets\":{\"sets\":{\"s\":["
    "{\"id\":\"a\",\"title\":{\"en\":\"A\"},\"statuses\":[\"submitted\"],\"counted_from\":\"b\"}]}},"
    "\"business_types\":[{\"id\":\"x\",\"name\":{\"en\":\"X\"},\"summary\":{\"en\":\"X\"},\"mode\":\"online\","
    "\"key_required\":false,\"flow\":[\"status\"],\"stages\":\"s\"}]}",
    /* a negative duration */
    "{\"format\":1,\"steps\":{\"status\":{\"title\":{\"en\":\"S\"}}},\"stage_sets\":{\"sets\":{\"s\":["
    "{\"id\":\"a\",\"title\":{\"en\":\"A\"},\"statuses\":[\"submitted\"],\"working_days\":-2}]}},"
    "\"business_types\":[{\"id\":\"x\",\"name\":{\"en\":\"X\"},\"summary\":{\"en\":\"X\"},\"mode\":\"online\","
    "\"key_required\":false,\"flow\":[\"status\"],\"stages\":\"s\"}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (broken[i], strlen (broken[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(EkCatalogue) cat = ek_catalogue_new_from_bytes (bytes, "broken.json", &error);

      g_assert_null (cat);
      g_assert_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_INVALID);
    }
}

static void
test_form_ticks (void)
{
  g_autoptr(EkCatalogue) cat = catalogue ();
  const struct { const char *business; const char *tick; } cases[] = {
    { "first-application", "tick-first-application" }, { "first-application-offline", "tick-first-application" },
    { "reissue", "tick-reissue" }, { "additional-key", "tick-additional" }, { "pin-unlock", "tick-unlock" },
    { "cancellation", "tick-cancellation" }, { "renewal", "tick-renewal" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      EkBusinessType *type = ek_catalogue_lookup_business_type (cat, cases[i].business);

      g_assert_nonnull (type);
      g_assert_true (g_strv_contains (ek_business_type_get_form_ticks (type), cases[i].tick));
    }
}

/* The forms each business prints, as its seed section asks: the 《电子签章申请确认函》 for the
 * online first application (§1.1), the additional key (§3 step 3) and the renewal (§4.1); the
 * application form alone at the counter (§1.2, §2, §5) and for the PIN unlock (§4.2) */
static void
test_printed_forms (void)
{
  g_autoptr(EkCatalogue) cat = catalogue ();
  const struct { const char *business; gboolean letter; } cases[] = {
    { "first-application", TRUE }, { "additional-key", TRUE }, { "renewal", TRUE },
    { "first-application-offline", FALSE }, { "reissue", FALSE }, { "cancellation", FALSE },
    { "pin-unlock", FALSE },
  };
  const char *broken =
    "{\"format\":1,\"steps\":{\"status\":{\"title\":{\"en\":\"S\"}}},\"business_types\":[{\"id\":\"x\","
    "\"name\":{\"en\":\"X\"},\"summary\":{\"en\":\"X\"},\"mode\":\"online\",\"key_required\":false,"
    "\"flow\":[\"status\"],\"printed_forms\":[\"poster\"]}]}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (broken, strlen (broken));
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCatalogue) refused = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      EkBusinessType *type = ek_catalogue_lookup_business_type (cat, cases[i].business);

      g_assert_nonnull (type);
      g_assert_true (ek_business_type_prints_form (type, "application-form"));
      g_assert_cmpint (ek_business_type_prints_form (type, "seal-confirmation"), ==, cases[i].letter);
    }
  refused = ek_catalogue_new_from_bytes (bytes, "broken.json", &error);
  g_assert_null (refused);
  g_assert_error (error, EK_CATALOGUE_ERROR, EK_CATALOGUE_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  ek_test_init (&argc, &argv);

  g_test_add_func ("/stages/key-issuing-two-then-five", test_key_issuing_two_then_five);
  g_test_add_func ("/stages/renewal-three", test_renewal_three);
  g_test_add_func ("/stages/cancellation-two-then-two", test_cancellation_two_then_two);
  g_test_add_func ("/stages/unlock-ends-with-the-mail", test_unlock_ends_with_the_mail);
  g_test_add_func ("/stages/key-issuing-transitions-and-mail", test_key_issuing_transitions_and_mail);
  g_test_add_func ("/stages/broken-stages-refused", test_broken_stages_refused);
  g_test_add_func ("/stages/form-ticks", test_form_ticks);
  g_test_add_func ("/stages/printed-forms", test_printed_forms);

  return g_test_run ();
}
