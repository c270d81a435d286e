/* ek-calendar.c: working days in mainland China
 *
 * The State Council publishes each year's holidays and the weekend days worked in exchange
 * (调休) every November. They are data, in the catalogue's "calendar" section, so that a new
 * year needs no new code. Beyond the last year we know, the calendar still answers (Monday to
 * Friday) but says that the answer is an estimate: the holidays are not known yet.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ek-calendar.h"
#include "ek-catalogue.h"

/* Years outside this range are refused as data: they are typos, not calendars */
#define MIN_YEAR 2000
#define MAX_YEAR 2200
/* The most days a request may count: about ten years of working days */
#define MAX_WORKING_DAYS 2500

typedef enum
{
  DAY_OFF = 1,
  DAY_WORKING_WEEKEND = 2,
} DayKind;

struct _EkCalendar
{
  GObject     parent_instance;

  guint       first_year;
  guint       last_year;
  GHashTable *days;         /* julian day → DayKind */
};

G_DEFINE_FINAL_TYPE (EkCalendar, ek_calendar, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-calendar-error-quark, ek_calendar_error)

static void
ek_calendar_finalize (GObject *object)
{
  EkCalendar *self = EK_CALENDAR (object);

  g_clear_pointer (&self->days, g_hash_table_unref);

  G_OBJECT_CLASS (ek_calendar_parent_class)->finalize (object);
}

static void
ek_calendar_class_init (EkCalendarClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_calendar_finalize;
}

static void
ek_calendar_init (EkCalendar *self)
{
  self->days = g_hash_table_new (NULL, NULL);
}

static gboolean G_GNUC_PRINTF (2, 3)
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: %s says what is wrong with the holiday calendar data */
  g_set_error (error, EK_CALENDAR_ERROR, EK_CALENDAR_ERROR_INVALID,
               _("The working-day calendar in the catalogue is not valid: %s"), message);
  return FALSE;
}

/**
 * ek_date_parse_iso:
 * @text: a date as `YYYY-MM-DD`
 * @date: (out): where to put it
 *
 * Returns: %TRUE if @text is a real calendar date in that exact form
 */
gboolean
ek_date_parse_iso (const char  *text,
                   GDate       *date,
                   GError     **error)
{
  guint year, month, day;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (date != NULL, FALSE);

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    goto bad;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      goto bad;

  year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  month = (text[5] - '0') * 10 + (text[6] - '0');
  day = (text[8] - '0') * 10 + (text[9] - '0');
  if (year < 1 || !g_date_valid_dmy (day, month, year))
    goto bad;

  g_date_clear (date, 1);
  g_date_set_dmy (date, day, month, year);
  return TRUE;

bad:
  /* Translators: %s is what the user typed */
  g_set_error (error, EK_CALENDAR_ERROR, EK_CALENDAR_ERROR_DATE,
               _("“%s” is not a date: write it as year-month-day, for example 2026-02-13"), text);
  return FALSE;
}

char *
ek_date_format_iso (const GDate *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static gboolean
is_weekend (const GDate *date)
{
  GDateWeekday weekday = g_date_get_weekday (date);

  return weekday == G_DATE_SATURDAY || weekday == G_DATE_SUNDAY;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD", inside @year */
static gboolean
parse_entry (const char *entry,
             guint       year,
             GDate      *first,
             GDate      *last,
             GError    **error)
{
  const char *dots = strstr (entry, "..");
  g_autofree char *from = NULL;

  from = dots != NULL ? g_strndup (entry, dots - entry) : g_strdup (entry);
  if (!ek_date_parse_iso (from, first, NULL) ||
      !ek_date_parse_iso (dots != NULL ? dots + 2 : from, last, NULL))
    return invalid (error, _("“%s” is neither a date (2026-01-01) nor a range (2026-01-01..2026-01-03)"),
                    entry);
  if (g_date_compare (first, last) > 0)
    return invalid (error, _("the range “%s” ends before it starts"), entry);
  if (g_date_get_year (first) != year || g_date_get_year (last) != year)
    return invalid (error, _("“%s” is listed under the year %u"), entry, year);
  if (g_date_days_between (first, last) > 366)
    return invalid (error, _("the range “%s” is too long"), entry);
  return TRUE;
}

static gboolean
load_list (EkCalendar *self,
           JsonObject *year_object,
           const char *member,
           guint       year,
           DayKind     kind,
           GError    **error)
{
  JsonNode *node = json_object_has_member (year_object, member)
                   ? json_object_get_member (year_object, member) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("the year %u has no list “%s”"), year, member);

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      GDate first, last;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, _("the list “%s” of %u holds something that is not text"), member, year);
      if (!parse_entry (json_node_get_string (element), year, &first, &last, error))
        return FALSE;

      for (GDate d = first; g_date_compare (&d, &last) <= 0; g_date_add_days (&d, 1))
        {
          guint julian = g_date_get_julian (&d);
          g_autofree char *text = ek_date_format_iso (&d);

          if (g_hash_table_contains (self->days, GUINT_TO_POINTER (julian)))
            return invalid (error, _("%s is listed twice"), text);
          if (kind == DAY_WORKING_WEEKEND && !is_weekend (&d))
            return invalid (error, _("%s is a working weekend day but not a Saturday or Sunday"), text);
          g_hash_table_insert (self->days, GUINT_TO_POINTER (julian), GUINT_TO_POINTER (kind));
        }
    }
  return TRUE;
}

/**
 * ek_calendar_new_from_document:
 * @document: the catalogue's top-level object (ek_catalogue_get_document())
 *
 * Reads and checks the "calendar" section: years as consecutive keys, each with its
 * "days_off" and "working_weekends" lists.
 *
 * Returns: (transfer full) (nullable): the calendar, or %NULL with @error saying what is wrong
 */
EkCalendar *
ek_calendar_new_from_document (JsonObject  *document,
                               GError     **error)
{
  g_autoptr(EkCalendar) self = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *calendar, *years;
  JsonNode *node;

  g_return_val_if_fail (document != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = json_object_has_member (document, "calendar") ? json_object_get_member (document, "calendar") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("the section “calendar” is missing")), NULL;
  calendar = json_node_get_object (node);

  node = json_object_has_member (calendar, "years") ? json_object_get_member (calendar, "years") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) || json_object_get_size (json_node_get_object (node)) == 0)
    return invalid (error, _("it lists no years")), NULL;
  years = json_node_get_object (node);

  self = g_object_new (EK_TYPE_CALENDAR, NULL);
  self->first_year = G_MAXUINT;
  names = json_object_get_members (years);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *year_node = json_object_get_member (years, name);
      guint64 year = 0;

      if (strlen (name) != 4 || !g_ascii_string_to_unsigned (name, 10, MIN_YEAR, MAX_YEAR, &year, NULL))
        return invalid (error, _("“%s” is not a year"), name), NULL;
      if (!JSON_NODE_HOLDS_OBJECT (year_node))
        return invalid (error, _("the year %s is not a set of lists"), name), NULL;
      if (!load_list (self, json_node_get_object (year_node), "days_off", year, DAY_OFF, error) ||
          !load_list (self, json_node_get_object (year_node), "working_weekends", year,
                      DAY_WORKING_WEEKEND, error))
        return NULL;
      self->first_year = MIN (self->first_year, (guint) year);
      self->last_year = MAX (self->last_year, (guint) year);
    }

  /* A gap would make a year look known when it is not */
  if (self->last_year - self->first_year + 1 != g_list_length (names))
    return invalid (error, _("the years from %u to %u are not all there"), self->first_year,
                    self->last_year), NULL;

  return g_steal_pointer (&self);
}

/**
 * ek_calendar_new_default:
 *
 * The calendar of the bundled catalogue.
 *
 * Returns: (transfer full) (nullable): the calendar
 */
EkCalendar *
ek_calendar_new_default (GError **error)
{
  g_autoptr(EkCatalogue) catalogue = ek_catalogue_new_default (error);

  if (catalogue == NULL)
    return NULL;
  return ek_calendar_new_from_document (ek_catalogue_get_document (catalogue), error);
}

guint
ek_calendar_get_first_year (EkCalendar *self)
{
  g_return_val_if_fail (EK_IS_CALENDAR (self), 0);
  return self->first_year;
}

guint
ek_calendar_get_last_year (EkCalendar *self)
{
  g_return_val_if_fail (EK_IS_CALENDAR (self), 0);
  return self->last_year;
}

/**
 * ek_calendar_is_known:
 *
 * Returns: %TRUE if the holidays of @date's year are in the data
 */
gboolean
ek_calendar_is_known (EkCalendar  *self,
                      const GDate *date)
{
  g_return_val_if_fail (EK_IS_CALENDAR (self), FALSE);
  g_return_val_if_fail (date != NULL && g_date_valid (date), FALSE);

  return g_date_get_year (date) >= self->first_year && g_date_get_year (date) <= self->last_year;
}

/**
 * ek_calendar_is_working_day:
 *
 * A working-weekend day, or Monday to Friday and not a day off. For a year not in the data
 * this is Monday to Friday: check ek_calendar_is_known().
 */
gboolean
ek_calendar_is_working_day (EkCalendar  *self,
                            const GDate *date)
{
  gpointer kind;

  g_return_val_if_fail (EK_IS_CALENDAR (self), FALSE);
  g_return_val_if_fail (date != NULL && g_date_valid (date), FALSE);

  kind = g_hash_table_lookup (self->days, GUINT_TO_POINTER (g_date_get_julian (date)));
  if (GPOINTER_TO_UINT (kind) == DAY_WORKING_WEEKEND)
    return TRUE;
  if (GPOINTER_TO_UINT (kind) == DAY_OFF)
    return FALSE;
  return !is_weekend (date);
}

/**
 * ek_calendar_add_working_days:
 * @start: the day something starts (a submission, say); it does not count itself
 * @n_days: how many working days it takes
 * @result: (out caller-allocates): the @n_days-th working day after @start
 * @estimate: (out) (optional): %TRUE if a day counted lies in a year whose holidays are not
 *   known, so the result may be too early ("estimate, holidays unknown")
 *
 * Counting starts from the next working day: 2025-01-24 (Friday) + 2 is 2025-01-27, because
 * Sunday 2025-01-26 was worked. With @n_days 0, @result is @start.
 */
void
ek_calendar_add_working_days (EkCalendar  *self,
                              const GDate *start,
                              guint        n_days,
                              GDate       *result,
                              gboolean    *estimate)
{
  gboolean unknown = FALSE;
  GDate d;

  g_return_if_fail (EK_IS_CALENDAR (self));
  g_return_if_fail (start != NULL && g_date_valid (start));
  g_return_if_fail (result != NULL);

  n_days = MIN (n_days, MAX_WORKING_DAYS);
  d = *start;
  while (n_days > 0 && g_date_get_year (&d) < 9999)
    {
      g_date_add_days (&d, 1);
      if (!ek_calendar_is_known (self, &d))
        unknown = TRUE;
      if (ek_calendar_is_working_day (self, &d))
        n_days--;
    }

  *result = d;
  if (estimate != NULL)
    *estimate = unknown;
}

/**
 * ek_calendar_count_working_days:
 *
 * Returns: how many working days @year has (248 in 2025 and 2026)
 */
guint
ek_calendar_count_working_days (EkCalendar *self,
                                guint       year)
{
  guint count = 0;
  GDate d, end;

  g_return_val_if_fail (EK_IS_CALENDAR (self), 0);
  g_return_val_if_fail (year >= 1 && year < 9999, 0);

  g_date_clear (&d, 1);
  g_date_clear (&end, 1);
  g_date_set_dmy (&d, 1, G_DATE_JANUARY, year);
  g_date_set_dmy (&end, 31, G_DATE_DECEMBER, year);
  for (; g_date_compare (&d, &end) <= 0; g_date_add_days (&d, 1))
    if (ek_calendar_is_working_day (self, &d))
      count++;
  return count;
}

/**
 * ek_calendar_next_counter_day:
 * @now: the local time now
 * @result: (out): the first day the clerk can hand papers in at the counter
 *
 * Today if today is a working day and @now is before the counter opens (09:00: the seeds
 * give no hours, government counters open at nine), else the next working day.
 */
void
ek_calendar_next_counter_day (EkCalendar *self,
                              GDateTime  *now,
                              GDate      *result)
{
  GDate today;

  g_return_if_fail (EK_IS_CALENDAR (self));
  g_return_if_fail (now != NULL && result != NULL);

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  if (g_date_time_get_hour (now) < EK_COUNTER_OPENS_HOUR && ek_calendar_is_working_day (self, &today))
    {
      *result = today;
      return;
    }
  ek_calendar_add_working_days (self, &today, 1, result, NULL);
}
