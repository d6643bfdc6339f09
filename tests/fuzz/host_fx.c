/*
 * tests/fuzz/host_fx.c — see host_fx.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/money.h"
#include "base/tz.h"
#include "host_fx.h"

static jutsu_tz *zone;

static void vlog_(jutsu_ctx *ctx, int level, const char *fmt, va_list ap) JUTSU_PRINTF(3, 0);

static void vlog_(jutsu_ctx *ctx, int level, const char *fmt, va_list ap)
{
    char line[1024];
    (void)ctx;
    (void)level;
    vsnprintf(line, sizeof(line), fmt, ap);
}

static void log_(jutsu_ctx *ctx, int level, const char *fmt, ...) JUTSU_PRINTF(3, 4);

static void log_(jutsu_ctx *ctx, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog_(ctx, level, fmt, ap);
    va_end(ap);
}

static void set_error(jutsu_ctx *ctx, const char *fmt, ...) JUTSU_PRINTF(2, 3);

static void set_error(jutsu_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog_(ctx, 0, fmt, ap);
    va_end(ap);
}

static int log_enabled(jutsu_ctx *ctx, int level)
{
    (void)ctx;
    (void)level;
    return 1;   /* the debug lines' arguments get formatted too */
}

static int exchange_date(jutsu_ctx *ctx, jutsu_time_t t, jutsu_date_t *out)
{
    int sec;
    (void)ctx;
    return jutsu_tz_local_date(zone, t, out, &sec);
}

static int exchange_time(jutsu_ctx *ctx, jutsu_date_t d, int hour, int minute, jutsu_time_t *out)
{
    (void)ctx;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59)
        return JUTSU_EINVAL;
    return jutsu_tz_to_utc(zone, d, hour, minute, 0, out);
}

const struct jutsu_host *fuzz_host(void)
{
    static struct jutsu_host h;
    if (zone == NULL) {
        if (jutsu_tz_load("America/New_York", &zone) != 0) {
            fprintf(stderr, "fuzz_host: cannot load America/New_York (tzdata)\n");
            abort();
        }
        h.size = sizeof(h);
        h.set_error = set_error;
        h.log = log_;
        h.vlog = vlog_;
        h.log_enabled = log_enabled;
        h.exchange_date = exchange_date;
        h.exchange_time = exchange_time;
    }
    return &h;
}

static int bars(const char *symbol, const struct jutsu_bar *b, size_t n, void *arg)
{
    char buf[64];
    (void)arg;
    if (strlen(symbol) == 0)
        abort();   /* every batch names its symbol */
    for (size_t i = 0; i < n; i++) {
        jutsu_money_format(b[i].open, buf);
        jutsu_money_format(b[i].high, buf);
        jutsu_money_format(b[i].low, buf);
        jutsu_money_format(b[i].close, buf);
    }
    return 0;
}

static void reject(const char *where, const char *reason, void *arg)
{
    (void)arg;
    /* both are text the caller must have terminated */
    if (strlen(where) + strlen(reason) == (size_t)-1)
        abort();
}

const struct jutsu_source_sink fuzz_sink = { sizeof(fuzz_sink), bars, reject, NULL };
