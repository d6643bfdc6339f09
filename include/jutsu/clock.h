/*
 * jutsu/clock.h — time and dates: UTC microseconds and day numbers.
 *
 * Inside Jutsu an instant is a jutsu_time_t, int64 microseconds since
 * 1970-01-01T00:00:00Z; a trading date is a jutsu_date_t, days since
 * 1970-01-01 (a proleptic Gregorian day number, no time zone attached).
 * Conversions to and from exchange time use the system tz database through
 * the host (host->exchange_*); these helpers are pure calendar arithmetic.
 *
 * SDK library functions: pure, reentrant, thread-safe.
 */
#ifndef JUTSU_CLOCK_H
#define JUTSU_CLOCK_H

#include <stdint.h>

typedef int64_t jutsu_time_t;   /* µs since the epoch, UTC */
typedef int32_t jutsu_date_t;   /* days since 1970-01-01   */

#define JUTSU_USEC_PER_SEC  INT64_C(1000000)
#define JUTSU_USEC_PER_DAY  INT64_C(86400000000)

/* Day number of a civil date; month 1..12, day 1..31 (not validated). */
jutsu_date_t jutsu_date_from_ymd(int year, int month, int day);
/* Civil date of a day number. Any pointer may be NULL. */
void jutsu_date_to_ymd(jutsu_date_t d, int *year, int *month, int *day);
/* 0 = Sunday .. 6 = Saturday. */
int jutsu_date_weekday(jutsu_date_t d);

/* "2025-01-09" (exactly 10 bytes). 0 or JUTSU_EMALFORMED (also for
 * impossible dates such as 2025-02-30). */
int jutsu_date_parse(const char *text, long len, jutsu_date_t *out);
/* The numbers of a text written "YYYY-MM-DD" (exactly 10 bytes: four, two
 * and two digits), without asking whether that day exists: "2026-02-30"
 * and "2026-13-01" split, "2026-2-3" does not. For telling a text in the
 * wrong form from a day that does not exist when jutsu_date_parse refuses
 * it. Any out pointer may be NULL. 0, JUTSU_EMALFORMED or JUTSU_EINVAL
 * (text NULL). */
int jutsu_date_split(const char *text, long len, int *year, int *month, int *day);
/* 28 to 31 (proleptic Gregorian), or 0 when month is not 1..12. */
int jutsu_date_days_in_month(int year, int month);
/* Writes "YYYY-MM-DD" and a NUL; buf holds JUTSU_DATE_BUFSZ. */
#define JUTSU_DATE_BUFSZ 16
int jutsu_date_format(jutsu_date_t d, char *buf);

/* "2025-01-09T14:30:00Z", "...00.123456Z", "...+00:00", "... 14:30:00" (UTC)
 * and a plain date (midnight UTC). 0 or JUTSU_EMALFORMED. */
int jutsu_time_parse(const char *text, long len, jutsu_time_t *out);
/* ISO 8601 UTC with 'Z', microseconds only when non-zero. */
#define JUTSU_TIME_BUFSZ 40
int jutsu_time_format(jutsu_time_t t, char *buf);

/* The widest range every storage backend holds, 0001-01-01T00:00:00Z ..
 * 9999-12-31T23:59:59.999999Z, for a query open at either end: PostgreSQL's
 * TIMESTAMPTZ refuses instants before 4713 BC, so INT64_MIN / 2 is no
 * "beginning of time" there. */
#define JUTSU_TIME_MIN  INT64_C(-62135596800000000)
#define JUTSU_TIME_MAX  INT64_C(253402300799999999)

/* Midnight UTC of a date, and the UTC date of an instant. */
static inline jutsu_time_t jutsu_date_to_time(jutsu_date_t d)
{
    return (jutsu_time_t)d * JUTSU_USEC_PER_DAY;
}
static inline jutsu_date_t jutsu_time_to_date(jutsu_time_t t)
{
    int64_t d = t / JUTSU_USEC_PER_DAY;
    if (t % JUTSU_USEC_PER_DAY < 0)
        d--;
    return (jutsu_date_t)d;
}

#endif
