/*
 * core/base/clock.c — the wall and monotonic clocks (see clock.h).
 */
#include "base/clock.h"

jutsu_time_t jutsu_clock_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (jutsu_time_t)ts.tv_sec * JUTSU_USEC_PER_SEC + ts.tv_nsec / 1000;
}

int64_t jutsu_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t jutsu_clock_mono_us(void)
{
    return jutsu_clock_mono_ns() / 1000;
}

struct timespec jutsu_clock_deadline(int ms)
{
    int64_t at = jutsu_clock_mono_ns() + (int64_t)ms * 1000000;
    struct timespec ts = { (time_t)(at / 1000000000), (long)(at % 1000000000) };
    return ts;
}
