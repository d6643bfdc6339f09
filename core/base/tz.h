/*
 * core/base/tz.h — time zones from the system tz database, without touching TZ.
 *
 * localtime_r() answers for the one zone named by the process-global TZ
 * variable, and switching it (setenv + tzset) races with every other thread.
 * The host needs exchange time (America/New_York) from the scheduler, the
 * jobs and the HTTP pool at once, so it reads the zone file itself: a
 * jutsu_tz is one TZif file (RFC 8536, versions 1 to 4; the 64-bit block of
 * version 2+ files is used when present) loaded into memory: its
 * transition times, its local time types (UT offset, DST flag,
 * abbreviation) and the POSIX TZ rule in the footer ("EST5EDT,M3.2.0,
 * M11.1.0"), which governs every instant after the last listed transition.
 * Leap-second records are ignored (the "right/" zones are not supported).
 *
 * Thread-safety: a loaded jutsu_tz is immutable; any number of threads may
 * query it at once. jutsu_tz_load reads $TZDIR with getenv().
 *
 * Instants are jutsu_time_t (µs since the epoch, UTC); offsets are seconds
 * east of UTC (New York in winter: -18000).
 */
#ifndef JUTSU_CORE_TZ_H
#define JUTSU_CORE_TZ_H

#include "jutsu/clock.h"

typedef struct jutsu_tz jutsu_tz;

/*
 * Loads the zone `name` ("America/New_York", "UTC") from $TZDIR, or from
 * /usr/share/zoneinfo when TZDIR is unset or empty. On success *out owns a
 * new zone; free it with jutsu_tz_free.
 * Errors: JUTSU_EINVAL (NULL arguments, an empty name, a name starting with
 * '/' or containing ".."), JUTSU_ENOENT (no such zone, or a directory),
 * JUTSU_EMALFORMED (not a valid TZif file, or a footer rule we cannot read),
 * JUTSU_EIO (the file could not be read), JUTSU_ENOMEM.
 */
int jutsu_tz_load(const char *name, jutsu_tz **out);

/* Frees a zone; NULL is ignored. */
void jutsu_tz_free(jutsu_tz *tz);

/* The name the zone was loaded under; owned by the zone. */
const char *jutsu_tz_name(const jutsu_tz *tz);

/*
 * The offset in force at the instant `utc`: seconds east of UTC into
 * *utoff_sec and the DST flag into *is_dst (either may be NULL).
 * Instants before the first transition use the file's first local time
 * type. Returns 0 or JUTSU_EINVAL.
 */
int jutsu_tz_offset(const jutsu_tz *tz, jutsu_time_t utc, int *utoff_sec, int *is_dst);

/* The abbreviation in force at `utc` ("EST", "EDT"); owned by the zone. */
const char *jutsu_tz_abbrev(const jutsu_tz *tz, jutsu_time_t utc);

/*
 * The local civil date at `utc` into *d and the second of that local day
 * (0..86399) into *sec_of_day (either may be NULL). Returns 0 or
 * JUTSU_EINVAL.
 */
int jutsu_tz_local_date(const jutsu_tz *tz, jutsu_time_t utc, jutsu_date_t *d,
                        int *sec_of_day);

/*
 * The UTC instant of the local wall time `d` hour:minute:second
 * (0..23, 0..59, 0..59).
 * A wall time that does not exist (the spring-forward gap) is moved forward
 * by the length of the gap: 2024-03-10 02:30 in New York becomes 03:30 EDT
 * (07:30Z). A wall time that exists twice (the fall-back overlap) resolves
 * to its first occurrence, the one still in DST: 2024-11-03 01:30 becomes
 * 01:30 EDT (05:30Z).
 * Returns 0, JUTSU_EINVAL for NULL arguments or fields out of range, or
 * JUTSU_ERANGE for a date more than 100,000,000 days from 1970 (its
 * instant would not fit a jutsu_time_t).
 */
int jutsu_tz_to_utc(const jutsu_tz *tz, jutsu_date_t d, int hour, int minute,
                    int second, jutsu_time_t *out);

#endif
