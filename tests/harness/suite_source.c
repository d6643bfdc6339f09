/*
 * tests/harness/suite_source.c — the source conformance suite.
 *
 * Runs against any source (a CSV directory, a remote API, a third party's)
 * through struct jutsu_source_ops alone, with whatever the instance was
 * configured with, so it asks only what every source must answer: sane
 * caps; an unknown symbol is JUTSU_ENOTFOUND with nothing delivered; an
 * empty range (from > to) delivers nothing; and, when the source can list
 * its symbols, the first one over a wide range yields bars in ascending
 * time, inside the range, with positive prices, a non-negative volume and
 * the symbol asked for; a one-instant range yields exactly the bars of that
 * instant; and a receiver that stops the fetch (returns 7) gets 7 back and
 * is not called again. Rejected records are allowed (real files have bad
 * rows) and counted in the report.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "harness.h"

#define WIDE_FROM  INT64_C(-2208988800000000)   /* 1900-01-01T00:00:00Z */
#define WIDE_TO    INT64_C(4102444800000000)    /* 2100-01-01T00:00:00Z */

struct src {
    struct harness                *h;
    const struct jutsu_source_ops *ops;
    void                          *state;
    const char                    *timeframe;
};

/* What a fetch delivered, checked bar by bar as it arrives. */
struct seen {
    const char  *symbol;          /* asked for                               */
    jutsu_time_t from, to;
    long         calls, bars, rejects;
    long         unordered, outside, bad_price, bad_volume, wrong_symbol;
    jutsu_time_t first, last;     /* of what was delivered                   */
    jutsu_time_t at;              /* set before a fetch: count bars stamped  */
    long         n_at;            /* ... with this instant                   */
    int          stop_with;       /* nonzero: return it from the first call  */
    char         first_reject[200];
};

static int on_bars(const char *symbol, const struct jutsu_bar *b, size_t n, void *arg)
{
    struct seen *s = arg;
    s->calls++;
    if (symbol == NULL || strcmp(symbol, s->symbol) != 0)
        s->wrong_symbol++;
    for (size_t i = 0; i < n; i++, s->bars++) {
        if (s->bars > 0 && b[i].ts < s->last)
            s->unordered++;
        if (s->bars == 0)
            s->first = b[i].ts;
        s->last = b[i].ts;
        if (b[i].ts < s->from || b[i].ts > s->to)
            s->outside++;
        if (b[i].open <= 0 || b[i].high <= 0 || b[i].low <= 0 || b[i].close <= 0)
            s->bad_price++;
        if (b[i].volume < 0)
            s->bad_volume++;
        if (b[i].ts == s->at)
            s->n_at++;
    }
    return s->stop_with;
}

static void on_reject(const char *where, const char *reason, void *arg)
{
    struct seen *s = arg;
    if (s->rejects++ == 0)
        snprintf(s->first_reject, sizeof(s->first_reject), "%s: %s", where ? where : "(null)",
                 reason ? reason : "(null)");
}

static int src_fetch(struct src *x, const char *symbol, jutsu_time_t from, jutsu_time_t to,
                 struct seen *s)
{
    struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = symbol,
                                   .timeframe = x->timeframe, .from = from, .to = to };
    struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = on_bars,
                                      .reject = on_reject, .arg = s };
    s->symbol = symbol;
    s->from = from;
    s->to = to;
    return x->ops->fetch(x->state, &req, &sink);
}

static int valid_timeframe(const char *tf)
{
    static const char *const known[] = { "1D", "1H", "5m", "15m", NULL };
    for (const char *const *k = known; *k; k++)
        if (strcmp(*k, tf) == 0)
            return 1;
    return 0;
}

/* 0 if the caps are usable (the rest of the suite needs a timeframe). */
static int check_caps(struct src *x)
{
    struct jutsu_source_caps caps;
    memset(&caps, 0xA5, sizeof(caps));
    int rc = x->ops->caps(x->state, &caps);
    harness_check(x->h, rc == 0, "source.caps", "returns %d (%s)", rc, jutsu_strerror(rc));
    if (rc != 0)
        return -1;
    int n = 0, bad = 0;
    for (const char *const *tf = caps.timeframes; tf && *tf && n < 64; tf++, n++)
        if (!valid_timeframe(*tf))
            bad++;
    harness_check(x->h, caps.timeframes && n > 0 && bad == 0, "source.timeframes",
                  "%d timeframe(s), %d not one of 1D, 1H, 5m, 15m", n, bad);
    harness_check(x->h, caps.history_days >= 0 && caps.requests_per_minute >= 0,
                  "source.limits", "history_days %d, requests_per_minute %d",
                  caps.history_days, caps.requests_per_minute);
    uint32_t known = JUTSU_SOURCE_CONCURRENT | JUTSU_SOURCE_FILES;
    int files = (caps.flags & JUTSU_SOURCE_FILES) != 0;
    harness_check(x->h, (caps.flags & ~known) == 0 && files == (x->ops->read_file != NULL),
                  "source.flags", "flags 0x%x; read_file %s, JUTSU_SOURCE_FILES %s",
                  caps.flags, x->ops->read_file ? "provided" : "absent", files ? "set" : "unset");
    if (caps.timeframes == NULL || n == 0 || bad != 0)
        return -1;
    x->timeframe = caps.timeframes[0];
    return 0;
}

static void check_unknown(struct src *x)
{
    struct seen s = { 0 };
    int rc = src_fetch(x, "ZZZZNOTASYMBOL", WIDE_FROM, WIDE_TO, &s);
    harness_check(x->h, rc == JUTSU_ENOTFOUND && s.bars == 0, "source.unknown_symbol",
                  "ZZZZNOTASYMBOL: returns %d (%s), want %d (%s); %ld bar(s)", rc,
                  jutsu_strerror(rc), JUTSU_ENOTFOUND, jutsu_strerror(JUTSU_ENOTFOUND), s.bars);
}

static void check_empty_range(struct src *x, const char *symbol)
{
    struct seen s = { 0 };
    int rc = src_fetch(x, symbol, INT64_C(1735689600000000), INT64_C(1704067200000000), &s);
    harness_check(x->h, s.bars == 0 && (rc == 0 || rc == JUTSU_ENOTFOUND),
                  "source.empty_range", "%s from 2025-01-01 to 2024-01-01: returns %d (%s), "
                  "%ld bar(s)", symbol, rc, jutsu_strerror(rc), s.bars);
}

struct first_symbol {
    char first[64];
    long n, bad;
};

static int note_symbol(const char *symbol, void *arg)
{
    struct first_symbol *f = arg;
    int ok = symbol && *symbol && strlen(symbol) < sizeof(f->first);
    for (const char *p = symbol; ok && *p; p++)
        ok = !(*p >= 'a' && *p <= 'z');
    if (!ok)
        f->bad++;
    else if (f->n - f->bad == 0)
        snprintf(f->first, sizeof(f->first), "%s", symbol);
    f->n++;
    return 0;
}

static void check_wide(struct src *x, const char *symbol, struct seen *s)
{
    int rc = src_fetch(x, symbol, WIDE_FROM, WIDE_TO, s);
    harness_check(x->h, rc == 0 && s->bars > 0, "source.fetch",
                  "%s over 1900..2100: returns %d (%s), %ld bar(s) in %ld call(s), %ld record(s) "
                  "rejected%s%s", symbol, rc, jutsu_strerror(rc), s->bars, s->calls, s->rejects,
                  s->rejects ? ", first: " : "", s->first_reject);
    if (rc != 0 || s->bars == 0)
        return;
    harness_check(x->h, s->unordered == 0 && s->outside == 0, "source.order",
                  "%ld bar(s) earlier than the one before, %ld outside the range", s->unordered,
                  s->outside);
    harness_check(x->h, s->bad_price == 0 && s->bad_volume == 0, "source.values",
                  "%ld bar(s) with a price <= 0, %ld with a negative volume", s->bad_price,
                  s->bad_volume);
    harness_check(x->h, s->wrong_symbol == 0, "source.symbol",
                  "%ld of %ld batch(es) named another symbol than %s", s->wrong_symbol,
                  s->calls, symbol);
}

/* A range of one instant, taken from the wide fetch, yields exactly the
 * bars stamped with it. */
static void check_narrow(struct src *x, const char *symbol, jutsu_time_t at, long want)
{
    struct seen s = { .at = at };
    char when[JUTSU_TIME_BUFSZ];
    int rc = src_fetch(x, symbol, at, at, &s);
    jutsu_time_format(at, when);
    harness_check(x->h, rc == 0 && s.bars == want && s.n_at == want && s.outside == 0,
                  "source.range", "%s from = to = %s: returns %d (%s), %ld bar(s), want %ld",
                  symbol, when, rc, jutsu_strerror(rc), s.bars, want);
}

static void check_stop(struct src *x, const char *symbol)
{
    struct seen s = { .stop_with = 7 };
    int rc = src_fetch(x, symbol, WIDE_FROM, WIDE_TO, &s);
    harness_check(x->h, rc == 7 && s.calls == 1, "source.stop",
                  "the receiver returned 7 from its first call: fetch returns %d, %ld call(s)",
                  rc, s.calls);
}

void harness_source_suite(struct harness *h, struct jutsu_ctx *inst)
{
    struct src x = { .h = h, .ops = inst->module->desc->ops, .state = inst->state };
    if (check_caps(&x) != 0)
        return;
    check_unknown(&x);
    if (x.ops->list_symbols == NULL) {
        check_empty_range(&x, "SPY");
        harness_skip(h, "source.fetch", "no list_symbols: no symbol known to be served");
        return;
    }
    struct first_symbol fs = { .n = 0 };
    int rc = x.ops->list_symbols(x.state, note_symbol, &fs);
    harness_check(h, rc == 0 && fs.bad == 0, "source.list_symbols",
                  "returns %d (%s), %ld symbol(s), %ld empty, too long or not upper case", rc,
                  jutsu_strerror(rc), fs.n, fs.bad);
    if (rc != 0 || fs.first[0] == '\0') {
        check_empty_range(&x, "SPY");
        harness_skip(h, "source.fetch", "no symbol listed");
        return;
    }
    check_empty_range(&x, fs.first);

    struct seen wide = { .at = INT64_MIN };
    check_wide(&x, fs.first, &wide);
    if (wide.bars == 0)
        return;
    /* the instant of a bar near the middle: count how many carry it */
    jutsu_time_t mid = wide.first + (wide.last - wide.first) / 2;
    struct seen probe = { .at = INT64_MIN };
    src_fetch(&x, fs.first, mid, WIDE_TO, &probe);
    if (probe.bars > 0) {
        struct seen count = { .at = probe.first };
        src_fetch(&x, fs.first, WIDE_FROM, WIDE_TO, &count);
        check_narrow(&x, fs.first, probe.first, count.n_at);
    }
    check_stop(&x, fs.first);
}
