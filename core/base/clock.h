/*
 * core/base/clock.h — the host's two clocks, each read in one place.
 *
 * The wall clock says when something happened (log lines, event stamps,
 * the app's default "now", which tests replace with their own). The
 * monotonic clock says how long something took and when a timed wait
 * ends: a person or NTP setting the system time must not make a job look
 * 10 minutes long or a wait end early. Condition variables that wait on
 * jutsu_clock_deadline must be made with pthread_condattr_setclock(...,
 * CLOCK_MONOTONIC).
 *
 * Thread-safe.
 */
#ifndef JUTSU_CORE_BASE_CLOCK_H
#define JUTSU_CORE_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "jutsu/clock.h"

/* Now, UTC, in µs since the epoch. */
jutsu_time_t jutsu_clock_wall(void);
/* The monotonic clock in ns (an arbitrary origin: only differences mean
 * anything). */
int64_t jutsu_clock_mono_ns(void);
/* The same in µs. */
int64_t jutsu_clock_mono_us(void);
/* The monotonic instant `ms` milliseconds from now, as pthread_cond_timedwait
 * wants it. */
struct timespec jutsu_clock_deadline(int ms);

#endif
