/* test-calendar.c: working days with China's holidays and adjusted working weekends
 *
 * Every test vector of DOMAIN-FACTS.md §5, computed from the bundled catalogue's data.
 */
#include "config.h"

#include <string.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"
#include "ek-test-common.h"

static EkCalendar *
bundled (void)
{
  g_autoptr(GError) error = NULL;
  EkCalendar *calendar = ek_calendar_new_default (&error);

  g_assert_no_error (error);
  g_assert_nonnull (calendar);
  return calendar;
}

static GDate
date (const char *text)
{
  g_autoptr(GError) error = NULL;
  GDate d;

  g_assert_true (ek_date_parse_iso (text, &d, &error));
  g_assert_no_error (error);
  return d;
}

static void
assert_add (EkCalendar *calendar,
            const char *start,
            guint       n,
            const char *expected,
            gboolean    expected_estimate)
{
  GDate s = date (start), result;
  g_autofree char *text = NULL;
  gboolean estimate = !expected_estimate;

  ek_calendar_add_working_days (calendar, &s, n, &result, &estimate);
  text = ek_date_format_iso (&result);
  g_test_message ("%s + %u → %s%s", start, n, text, estimate ? " (estimate)" : "");
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpint (estimate, ==, expected_estimate);
}

static void
test_vectors (void)
{
  g_autoptr(EkCalendar) calendar = bundled ();

  /* DOMAIN-FACTS.md §5, counting from the next working day */
  assert_add (calendar, "2025-01-24", 2, "2025-01-27", FALSE);   /* Sunday 01-26 is worked */
  assert_add (calendar, "2025-09-30", 5, "2025-10-14", FALSE);
  assert_add (calendar, "2025-12-31", 2, "2026-01-05", FALSE);
  assert_add (calendar, "2026-02-13", 2, "2026-02-24", FALSE);
  assert_add (calendar, "2026-02-13", 5, "2026-02-27", FALSE);
  assert_add (calendar, "2026-04-30", 5, "2026-05-11", FALSE);
  assert_add (calendar, "2026-09-30", 2, "2026-10-09", FALSE);
}

static void
assert_counter_day (EkCalendar *calendar,
                    int         year,
                    int         month,
                    int         day,
                    int         hour,
                    int         minute,
                    const char *expected)
{
  /* The local time of the clerk's clock, whatever its zone */
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = g_date_time_new (tz, year, month, day, hour, minute, 0);
  g_autofree char *text = NULL;
  GDate result;

  ek_calendar_next_counter_day (calendar, now, &result);
  text = ek_date_format_iso (&result);
  g_test_message ("%04d-%02d-%02d %02d:%02d → %s", year, month, day, hour, minute, text);
  g_assert_cmpstr (text, ==, expected);
}

/* The day the visit page proposes: today before the counter opens on a working day, else the
 * next working day (an adjusted working Sunday counts, a holiday does not) */
static void
test_counter_day (void)
{
  g_autoptr(EkCalendar) calendar = bundled ();

  assert_counter_day (calendar, 2026, 9, 30, 8, 59, "2026-09-30");
  assert_counter_day (calendar, 2026, 9, 30, 9, 0, "2026-10-08");    /* across National Day */
  assert_counter_day (calendar, 2026, 10, 3, 7, 0, "2026-10-08");    /* a holiday morning */
  assert_counter_day (calendar, 2025, 1, 24, 16, 0, "2025-01-26");   /* Sunday 01-26 is worked */
  assert_counter_day (calendar, 2026, 12, 4, 23, 0, "2026-12-07");   /* Friday night → Monday */
}

static void
test_edges (void)
{
  g_autoptr(EkCalendar) calendar = bundled ();

  /* Zero days: the day itself, even a holiday */
  assert_add (calendar, "2026-10-01", 0, "2026-10-01", FALSE);
  /* Starting on a holiday or a weekend counts from the next working day */
  assert_add (calendar, "2026-10-01", 1, "2026-10-08", FALSE);
  assert_add (calendar, "2025-10-11", 1, "2025-10-13", FALSE);   /* Sat 10-11 worked; +1 is Monday */
  assert_add (calendar, "2025-10-10", 1, "2025-10-11", FALSE);   /* Friday + 1 = the worked Saturday */
  /* Leap day does not exist in 2026, does in 2028 */
  assert_add (calendar, "2026-02-27", 1, "2026-02-28", FALSE);   /* Sat 02-28 is worked */
  /* Into the unknown year: an estimate, Monday to Friday */
  assert_add (calendar, "2026-12-30", 2, "2027-01-01", TRUE);
  assert_add (calendar, "2026-12-31", 5, "2027-01-07", TRUE);
  assert_add (calendar, "2028-02-28", 1, "2028-02-29", TRUE);
  /* Entirely before the first year: also unknown */
  assert_add (calendar, "2024-12-30", 1, "2024-12-31", TRUE);
  /* Ending on the last known day is not an estimate */
  assert_add (calendar, "2026-12-30", 1, "2026-12-31", FALSE);
}

static void
test_working_day (void)
{
  g_autoptr(EkCalendar) calendar = bundled ();
  struct { const char *date; gboolean working; } cases[] = {
    { "2025-01-01", FALSE }, { "2025-01-26", TRUE }, { "2025-01-28", FALSE }, { "2025-02-04", FALSE },
    { "2025-02-05", TRUE }, { "2025-02-08", TRUE }, { "2025-05-05", FALSE }, { "2025-06-02", FALSE },
    { "2025-09-28", TRUE }, { "2025-10-08", FALSE }, { "2025-10-11", TRUE }, { "2025-10-12", FALSE },
    { "2026-01-02", FALSE }, { "2026-01-04", TRUE }, { "2026-02-14", TRUE }, { "2026-02-23", FALSE },
    { "2026-02-28", TRUE }, { "2026-05-09", TRUE }, { "2026-06-19", FALSE }, { "2026-09-20", TRUE },
    { "2026-09-25", FALSE }, { "2026-10-07", FALSE }, { "2026-10-10", TRUE }, { "2026-11-21", FALSE },
    { "2026-11-23", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate d = date (cases[i].date);

      g_test_message ("%s", cases[i].date);
      g_assert_cmpint (ek_calendar_is_working_day (calendar, &d), ==, cases[i].working);
    }

  /* Both years have 248 working days (DOMAIN-FACTS.md §5) */
  g_assert_cmpuint (ek_calendar_count_working_days (calendar, 2025), ==, 248);
  g_assert_cmpuint (ek_calendar_count_working_days (calendar, 2026), ==, 248);
  g_assert_cmpuint (ek_calendar_get_first_year (calendar), ==, 2025);
  g_assert_cmpuint (ek_calendar_get_last_year (calendar), ==, 2026);
}

static void
test_dates (void)
{
  const char *bad[] = { "2026-02-29", "2026-13-01", "2026-1-5", "20260105", "2026-01-05x", "", "abcd-ef-gh",
                        "2026-00-10", "0000-01-01" };
  GDate d;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ek_date_parse_iso (bad[i], &d, &error));
      g_assert_error (error, EK_CALENDAR_ERROR, EK_CALENDAR_ERROR_DATE);
      /* The message shows the form to use */
      g_assert_nonnull (strstr (error->message, "2026-02-13"));
    }
  g_assert_true (ek_date_parse_iso ("2028-02-29", &d, NULL));
}

static void
assert_invalid (const char *json,
                const char *expected)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCalendar) calendar = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  calendar = ek_calendar_new_from_document (json_node_get_object (json_parser_get_root (parser)), &error);
  g_test_message ("%s → %s", json, error ? error->message : "(accepted)");
  g_assert_null (calendar);
  g_assert_error (error, EK_CALENDAR_ERROR, EK_CALENDAR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_bad_data (void)
{
  assert_invalid ("{}", "calendar");
  assert_invalid ("{\"calendar\": {\"years\": {}}}", "no years");
  assert_invalid ("{\"calendar\": {\"years\": {\"26\": {}}}}", "“26”");
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"working_weekends\": []}}}}", "days_off");
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"days_off\": [\"2026-02-30\"], \"working_weekends\": []}}}}",
                  "2026-02-30");
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"days_off\": [\"2025-12-31\"], \"working_weekends\": []}}}}",
                  "2026");
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"days_off\": [\"2026-10-07..2026-10-01\"], "
                  "\"working_weekends\": []}}}}", "ends before");
  /* 2026-02-13 is a Friday: it cannot be a worked weekend day */
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"days_off\": [], \"working_weekends\": [\"2026-02-13\"]}}}}",
                  "Saturday");
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"days_off\": [\"2026-02-14\"], "
                  "\"working_weekends\": [\"2026-02-14\"]}}}}", "twice");
  assert_invalid ("{\"calendar\": {\"years\": {\"2026\": {\"days_off\": [1], \"working_weekends\": []}}}}", "text");
  /* A missing year in the middle would pass for known */
  assert_invalid ("{\"calendar\": {\"years\": {\"2025\": {\"days_off\": [], \"working_weekends\": []}, "
                  "\"2027\": {\"days_off\": [], \"working_weekends\": []}}}}", "2025");
}

static void
test_new_year_is_data (void)
{
  /* Adding a year is a data change only: 2027 with one invented holiday */
  const char *json =
    "{\"calendar\": {\"years\": {\"2027\": {\"days_off\": [\"2027-01-01\"], \"working_weekends\": [\"2027-01-02\"]}}}}";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EkCalendar) calendar = NULL;
  GDate start = date ("2026-12-31"), result;
  gboolean estimate = TRUE;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  calendar = ek_calendar_new_from_document (json_node_get_object (json_parser_get_root (parser)), &error);
  g_assert_no_error (error);
  ek_calendar_add_working_days (calendar, &start, 1, &result, &estimate);
  g_assert_cmpuint (g_date_get_day (&result), ==, 2);   /* the worked Saturday */
  g_assert_false (estimate);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  ek_test_init (&argc, &argv);

  g_test_add_func ("/calendar/vectors", test_vectors);
  g_test_add_func ("/calendar/counter-day", test_counter_day);
  g_test_add_func ("/calendar/edges", test_edges);
  g_test_add_func ("/calendar/working-day", test_working_day);
  g_test_add_func ("/calendar/dates", test_dates);
  g_test_add_func ("/calendar/bad-data", test_bad_data);
  g_test_add_func ("/calendar/new-year-is-data", test_new_year_is_data);

  return g_test_run ();
}
