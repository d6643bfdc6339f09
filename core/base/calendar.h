/*
 * core/base/calendar.h — the exchange calendar: which dates the NYSE trades, and
 * when a session opens and closes.
 *
 * A jutsu_calendar answers "is this a trading day?", "why is it closed?",
 * "what are the session's hours?" and steps between trading days. It knows
 * the NYSE holiday rules (below) and a small table of ad-hoc closures
 * (national mourning, weather), which the caller may extend or trim. Dates
 * are jutsu_date_t day numbers (include/jutsu/clock.h); the session's hours
 * are exchange wall times (09:30-16:00 America/New_York) turned into UTC
 * instants by the jutsu_tz given at creation, so daylight saving time comes
 * from the system tz database and never from this file.
 *
 * Rules (today's NYSE rules, applied to every year; they match the
 * exchange from 1998 and the sample data 2010-2026; before 1998 the calendar
 * is not historically complete: e.g. Election Day closures before 1981 are
 * not modelled):
 *   weekends                        closed
 *   New Year's Day                  Jan 1; a Sunday is observed on Monday
 *                                   Jan 2; a Saturday is NOT observed (no
 *                                   Friday Dec 31 holiday)
 *   Martin Luther King Jr. Day      3rd Monday of January, from 1998
 *   Washington's Birthday           3rd Monday of February
 *   Good Friday                     two days before Gregorian Easter Sunday
 *   Memorial Day                    last Monday of May
 *   Juneteenth                      June 19, from 2022   } Saturday ->
 *   Independence Day                July 4               } Friday before,
 *   Christmas Day                   Dec 25               } Sunday -> Monday
 *   Labor Day                       1st Monday of September
 *   Thanksgiving Day                4th Thursday of November
 * Early closes at 13:00 (a trading day that is otherwise normal):
 *   July 3 when July 3 and July 4 are both weekdays (July 4 Tue-Fri),
 *   the day after Thanksgiving, and Dec 24 when it is a weekday other than
 *   the observed Christmas holiday (Dec 25 Tue-Fri).
 * Built-in ad-hoc closures: 1985-09-27 Hurricane Gloria; 1994-04-27
 * President Nixon's funeral; 2001-09-11..14 September 11 attacks;
 * 2004-06-11 President Reagan's funeral; 2007-01-02 President Ford's
 * funeral; 2012-10-29/30 Hurricane Sandy; 2018-12-05 President G.H.W.
 * Bush's funeral; 2025-01-09 President Carter's funeral.
 *
 * Range: the calendar covers the years JUTSU_CALENDAR_FIRST_YEAR to
 * JUTSU_CALENDAR_LAST_YEAR (0001-01-01 .. 9999-12-31). Every date outside
 * it is closed, with the reason "outside the calendar's range".
 *
 * Cost: the rule holidays and early closes of 1970-2100 are precomputed at
 * creation into one byte per day (about 48 KB), so is_trading_day,
 * closed_reason and session are O(1) table reads there; other years are
 * computed on the fly from the rules (still O(1), a few dozen integer
 * operations). Ad-hoc closures are kept sorted (O(log n) lookup outside
 * the table, O(1) inside it). next/prev are O(length of the closed run);
 * count is O(to - from).
 *
 * Thread-safety: a calendar is immutable after set-up. Call add_closure
 * and remove_closure before sharing it; after that any number of threads
 * may query it at once (queries only read).
 */
#ifndef JUTSU_CORE_CALENDAR_H
#define JUTSU_CORE_CALENDAR_H

#include <stdint.h>

#include "jutsu/clock.h"
#include "base/tz.h"

typedef struct jutsu_calendar jutsu_calendar;

#define JUTSU_CALENDAR_FIRST_YEAR 1
#define JUTSU_CALENDAR_LAST_YEAR  9999
/* What next/prev return when no trading day lies in the calendar's range. */
#define JUTSU_CALENDAR_NONE       INT32_MIN

/*
 * A new NYSE calendar. `tz` is the exchange's zone (load
 * "America/New_York"); it is borrowed, not copied: it must outlive the
 * calendar. builtin_closures != 0 includes the built-in ad-hoc closure
 * table, 0 leaves it out (only the rules apply).
 * On success *out owns a new calendar; free it with jutsu_calendar_free.
 * Errors: JUTSU_EINVAL (NULL tz or out), JUTSU_ENOMEM.
 */
int jutsu_calendar_new(const jutsu_tz *tz, int builtin_closures, jutsu_calendar **out);

/* Frees a calendar (not its tz); NULL is ignored. */
void jutsu_calendar_free(jutsu_calendar *c);

/*
 * Closes the exchange on `d`, a day the rules would open (an ad-hoc
 * closure). `reason` ("Hurricane Sandy") is copied; closed_reason returns
 * it. Set-up only: not safe while other threads query.
 * Errors: JUTSU_EINVAL (NULL c, NULL or empty reason), JUTSU_ERANGE (d
 * outside the calendar's range), JUTSU_EEXIST (d is already closed: a
 * weekend, a rule holiday or another closure), JUTSU_ENOMEM.
 */
int jutsu_calendar_add_closure(jutsu_calendar *c, jutsu_date_t d, const char *reason);

/*
 * Removes the ad-hoc closure on `d` (built-in or added), so the rules
 * decide again: the way to override a built-in closure. Rule holidays
 * cannot be removed. Set-up only.
 * Errors: JUTSU_EINVAL (NULL c), JUTSU_ENOENT (no ad-hoc closure on d).
 */
int jutsu_calendar_remove_closure(jutsu_calendar *c, jutsu_date_t d);

/* 1 if the exchange trades on `d`, else 0 (also for a NULL c). */
int jutsu_calendar_is_trading_day(const jutsu_calendar *c, jutsu_date_t d);

/*
 * Why `d` is closed: "Saturday", "Sunday", a holiday's name ("New Year's
 * Day", "Good Friday"; a holiday moved off a weekend says so:
 * "Independence Day (observed)"), an ad-hoc closure's reason ("Hurricane
 * Sandy"), or "outside the calendar's range". NULL if the exchange trades
 * on d (or c is NULL). The string is owned by the calendar (or static) and
 * lives until the calendar is freed or that closure is removed.
 */
const char *jutsu_calendar_closed_reason(const jutsu_calendar *c, jutsu_date_t d);

/* One trading session: its date and its open and close as UTC instants. */
struct jutsu_session {
    jutsu_date_t date;
    jutsu_time_t open, close;
    int          early_close;   /* 1: closes at 13:00 instead of 16:00 */
};

/*
 * The session of `d`: 09:30 to 16:00 exchange time (13:00 on early-close
 * days), converted to UTC through the calendar's tz.
 * Errors: JUTSU_EINVAL (NULL c or out), JUTSU_ENOENT (d is closed; *out is
 * left untouched), or the tz's error (jutsu_tz_to_utc).
 */
int jutsu_calendar_session(const jutsu_calendar *c, jutsu_date_t d, struct jutsu_session *out);

/*
 * The first trading day after `d` (next) or the last one before it (prev).
 * JUTSU_CALENDAR_NONE when there is none inside the calendar's range (or c
 * is NULL). `d` itself may be closed or open; it is never the answer.
 */
jutsu_date_t jutsu_calendar_next(const jutsu_calendar *c, jutsu_date_t d);
jutsu_date_t jutsu_calendar_prev(const jutsu_calendar *c, jutsu_date_t d);

/* The number of trading days in [from, to], both included; 0 when
 * from > to (or c is NULL). */
int64_t jutsu_calendar_count(const jutsu_calendar *c, jutsu_date_t from, jutsu_date_t to);

/*
 * The exchange-local date of the instant `t` (e.g. to map a source's
 * timestamp to its trading date): 2025-01-09T04:59:59Z is still
 * 2025-01-08 in New York. The date need not be a trading day.
 * Errors: JUTSU_EINVAL (NULL c or d).
 */
int jutsu_calendar_local_date(const jutsu_calendar *c, jutsu_time_t t, jutsu_date_t *d);

#endif
