/* ek-calendar.h: China's working days, with its official holidays and adjusted working weekends */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EK_CALENDAR_ERROR (ek_calendar_error_quark ())

typedef enum
{
  EK_CALENDAR_ERROR_INVALID,   /* the calendar data is missing or wrong */
  EK_CALENDAR_ERROR_DATE,      /* a date given by the user is not a date */
} EkCalendarError;

GQuark ek_calendar_error_quark (void);

#define EK_TYPE_CALENDAR (ek_calendar_get_type ())
G_DECLARE_FINAL_TYPE (EkCalendar, ek_calendar, EK, CALENDAR, GObject)

EkCalendar *ek_calendar_new_from_document   (JsonObject   *document,
                                             GError      **error);
EkCalendar *ek_calendar_new_default         (GError      **error);
guint       ek_calendar_get_first_year      (EkCalendar   *self);
guint       ek_calendar_get_last_year       (EkCalendar   *self);
gboolean    ek_calendar_is_known            (EkCalendar   *self,
                                             const GDate  *date);
gboolean    ek_calendar_is_working_day      (EkCalendar   *self,
                                             const GDate  *date);
void        ek_calendar_add_working_days    (EkCalendar   *self,
                                             const GDate  *start,
                                             guint         n_days,
                                             GDate        *result,
                                             gboolean     *estimate);
guint       ek_calendar_count_working_days  (EkCalendar   *self,
                                             guint         year);
/* The hour the issuing authorities' counters open (the seeds give none: nine, as is usual) */
#define EK_COUNTER_OPENS_HOUR 9
void        ek_calendar_next_counter_day    (EkCalendar   *self,
                                             GDateTime    *now,
                                             GDate        *result);

gboolean    ek_date_parse_iso               (const char   *text,
                                             GDate        *date,
                                             GError      **error);
char       *ek_date_format_iso              (const GDate  *date);

G_END_DECLS
