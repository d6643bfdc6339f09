/*
 * sine.c — source-sine, an example source plugin for Jutsu: daily bars of
 * made-up symbols whose close follows a sine wave around a base price.
 *
 * It needs no network and no file, so it is the shortest way to see a
 * plugin do real work: `jutsu sync` stores its bars, `jutsu data show`
 * prints them, a strategy can trade them. Read it beside
 * <jutsu/source.h> (the kind's contract) and docs/plugin-guide.md.
 *
 * Prices are exact: the wave is a table of sines in millionths and every
 * price is integer micro-units (jutsu_money_t), rounded to the cent, so
 * the same day always gives the same bar on every machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jutsu/jutsu.h>
#include <jutsu/source.h>

/* The settings, as host->cfg_fill writes them (see the schema below). */
struct sine_conf {
    jutsu_money_t base;            /* the price the wave swings around      */
    int64_t       amplitude_pct;   /* how far it swings, percent of base    */
    int64_t       period_days;     /* calendar days from one top to the next */
    const char   *start;           /* the first day served, YYYY-MM-DD      */
};

/* One instance's state: its settings and the symbols it serves. */
struct sine {
    const struct jutsu_host *host;
    jutsu_ctx       *ctx;
    struct sine_conf conf;
    jutsu_date_t     start;
    int              nsymbols;
    const char     **symbols;      /* the host's strings, valid until destroy */
    int              own_symbols;  /* the array is ours to free              */
};

/* sin(i * pi / 128) in millionths, i = 0..64: a quarter of the wave. */
static const int32_t quarter[65] = {
          0,   24541,   49068,   73565,   98017,  122411,  146730,  170962,
     195090,  219101,  242980,  266713,  290285,  313682,  336890,  359895,
     382683,  405241,  427555,  449611,  471397,  492898,  514103,  534998,
     555570,  575808,  595699,  615232,  634393,  653173,  671559,  689541,
     707107,  724247,  740951,  757209,  773010,  788346,  803208,  817585,
     831470,  844854,  857729,  870087,  881921,  893224,  903989,  914210,
     923880,  932993,  941544,  949528,  956940,  963776,  970031,  975702,
     980785,  985278,  989177,  992480,  995185,  997290,  998795,  999699,
    1000000,
};

/* sin(2 pi k / 256) in millionths, for any k. */
static int64_t sine_of(int64_t k)
{
    k %= 256;
    if (k < 0)
        k += 256;
    if (k <= 64)
        return quarter[k];
    if (k <= 128)
        return quarter[128 - k];
    return -sine_of(k - 128);
}

/* The close of day d: base x (1 + amplitude x sin(2 pi d / period)),
 * rounded half up to the cent. base is at most 1,000,000 (init checks), so
 * base/100 x pct x sine stays far inside int64. */
static jutsu_money_t close_on(const struct sine *s, jutsu_date_t d)
{
    int64_t period = s->conf.period_days;
    int64_t phase = ((int64_t)d % period + period) % period * 256 / period;
    int64_t delta = s->conf.base / 100 * s->conf.amplitude_pct * sine_of(phase) / 1000000;
    int64_t cent = JUTSU_MONEY_SCALE / 100;
    int64_t price = s->conf.base + delta;
    return (price + cent / 2) / cent * cent;
}

static struct jutsu_bar bar_on(const struct sine *s, jutsu_date_t d)
{
    jutsu_money_t open = close_on(s, d - 1), close = close_on(s, d);
    jutsu_money_t spread = s->conf.base / 200;          /* half a percent */
    return (struct jutsu_bar){
        .ts = jutsu_date_to_time(d),                    /* a daily bar: midnight UTC */
        .open = open,
        .close = close,
        .high = (open > close ? open : close) + spread,
        .low = (open < close ? open : close) - spread,
        .volume = 1000000 + (int64_t)(d % 7) * 10000,
    };
}

static int serves(const struct sine *s, const char *symbol)
{
    for (int i = 0; i < s->nsymbols; i++)
        if (strcmp(s->symbols[i], symbol) == 0)
            return 1;
    return 0;
}

/* --- the source ops ---------------------------------------------------------- */

static const char *const timeframes[] = { "1D", NULL };

static int sine_caps(void *state, struct jutsu_source_caps *out)
{
    (void)state;                    /* the same for every instance */
    memset(out, 0, sizeof(*out));
    out->timeframes = timeframes;
    out->history_days = 0;          /* unknown: as far back as `start` */
    return 0;
}

/* The weekdays from req->from to req->to, from `start` to today (no
 * bar from the future), in batches of 64. Holidays are served too: the
 * sync keeps them flagged as not trading days. */
static int sine_fetch(void *state, const struct jutsu_fetch_req *req,
                      const struct jutsu_source_sink *sink)
{
    struct sine *s = state;
    if (strcmp(req->timeframe, "1D") != 0)
        return JUTSU_ENOTSUP;
    if (!serves(s, req->symbol)) {
        s->host->set_error(s->ctx, "no symbol %s here (the config's symbols: %d of them)",
                           req->symbol, s->nsymbols);
        return JUTSU_ENOTFOUND;
    }
    jutsu_date_t from = jutsu_time_to_date(req->from + JUTSU_USEC_PER_DAY - 1);
    jutsu_date_t to = jutsu_time_to_date(req->to);
    jutsu_date_t today = jutsu_time_to_date(s->host->now(s->ctx));
    if (from < s->start)
        from = s->start;
    if (to > today)
        to = today;
    struct jutsu_bar batch[64];
    size_t n = 0;
    for (jutsu_date_t d = from; d <= to; d++) {
        int wd = jutsu_date_weekday(d);
        if (wd == 0 || wd == 6)
            continue;
        batch[n++] = bar_on(s, d);
        if (n == sizeof(batch) / sizeof(batch[0])) {
            int rc = sink->bars(req->symbol, batch, n, sink->arg);
            if (rc != 0)
                return rc;          /* the receiver asked to stop */
            n = 0;
        }
    }
    return n ? sink->bars(req->symbol, batch, n, sink->arg) : 0;
}

static int sine_list_symbols(void *state, int (*fn)(const char *symbol, void *arg), void *arg)
{
    struct sine *s = state;
    for (int i = 0; i < s->nsymbols; i++) {
        int rc = fn(s->symbols[i], arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static const struct jutsu_source_ops sine_ops = {
    .size = sizeof(sine_ops),
    .caps = sine_caps,
    .fetch = sine_fetch,
    .list_symbols = sine_list_symbols,
};

/* --- lifecycle --------------------------------------------------------------- */

/* The symbols list: a LIST cannot be a field, so it is read by path. */
static int read_symbols(struct sine *s)
{
    static const char *const fallback[] = { "SINE" };
    int n = s->host->cfg_count(s->ctx, "symbols");
    if (n <= 0) {
        s->symbols = (const char **)fallback;   /* never written through */
        s->nsymbols = 1;
        return 0;
    }
    if ((s->symbols = calloc((size_t)n, sizeof(*s->symbols))) == NULL)
        return JUTSU_ENOMEM;
    s->own_symbols = 1;
    s->nsymbols = n;
    for (int i = 0; i < n; i++) {
        char path[32];
        snprintf(path, sizeof(path), "symbols[%d]", i);
        if (s->host->cfg_str(s->ctx, path, &s->symbols[i]) != 0 ||
            !jutsu_symbol_valid(s->symbols[i]))
            return s->host->cfg_error(s->ctx, path, "not a symbol: %s", JUTSU_SYMBOL_RULE);
    }
    return 0;
}

static void sine_destroy(void *state)
{
    struct sine *s = state;
    if (s->own_symbols)
        free(s->symbols);
    free(s);
}

static int sine_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct sine *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return JUTSU_ENOMEM;
    s->host = host;
    s->ctx = ctx;
    int rc = host->cfg_fill(ctx, &s->conf);
    if (rc == 0 && (s->conf.base <= 0 || s->conf.base > 1000000 * JUTSU_MONEY_SCALE))
        rc = host->cfg_error(ctx, "base", "must be above 0 and at most 1000000");
    if (rc == 0 && jutsu_date_parse(s->conf.start, -1, &s->start) != 0)
        rc = host->cfg_error(ctx, "start", "not a date YYYY-MM-DD: \"%s\"", s->conf.start);
    if (rc == 0)
        rc = read_symbols(s);
    if (rc != 0) {
        sine_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* --- the descriptor ---------------------------------------------------------- */

#define CONF struct sine_conf
static const struct jutsu_cfg_key sine_schema[] = {
    JUTSU_CFG_KEY_AT("base", JUTSU_CFG_MONEY, "100", "The price the wave swings around",
                     CONF, base),
    JUTSU_CFG_INT_RANGE_AT("amplitude_pct", "10", 1, 50, "How far it swings, percent of base",
                           CONF, amplitude_pct),
    JUTSU_CFG_INT_RANGE_AT("period_days", "28", 2, 3650,
                           "Calendar days from one top of the wave to the next",
                           CONF, period_days),
    JUTSU_CFG_KEY_AT("start", JUTSU_CFG_STR, "2020-01-01", "The first day served, YYYY-MM-DD",
                     CONF, start),
    { .name = "symbols", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "The symbols served, each with the same wave (default: SINE)" },
    JUTSU_CFG_END
};
#undef CONF

static const struct jutsu_plugin sine_desc = {
    JUTSU_PLUGIN_HEADER,
    .kind = JUTSU_KIND_SOURCE,
    .name = "source-sine",
    .version = "1.0.0",
    .description = "Example: daily bars whose close follows a sine wave",
    .schema = sine_schema,
    .init = sine_init,
    .destroy = sine_destroy,
    .ops = &sine_ops,
};
JUTSU_PLUGIN_DECLARE(sine_desc)
