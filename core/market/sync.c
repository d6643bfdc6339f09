/*
 * core/market/sync.c — the market-data sync job (see sync.h for the pipeline).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "base/log.h"
#include "store/store.h"
#include "market/sync.h"

#define MAX_REJECT_LINES 20   /* logged one by one; the rest are counted */

/* --- what a source delivers, gathered per symbol ------------------------- */

struct gathered {
    char             symbol[16];
    struct jutsu_bar *bars;
    size_t           n, cap;
};

struct gather {
    struct gathered *sym;
    size_t           n, cap;
    int64_t          unreadable;   /* records the source could not read */
    const char      *who;          /* for log lines */
    int              oom;
};

static struct gathered *gather_slot(struct gather *g, const char *symbol)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcasecmp(g->sym[i].symbol, symbol) == 0)
            return &g->sym[i];
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4;
        struct gathered *s = realloc(g->sym, cap * sizeof(*s));
        if (s == NULL)
            return NULL;
        g->sym = s;
        g->cap = cap;
    }
    struct gathered *s = &g->sym[g->n++];
    memset(s, 0, sizeof(*s));
    snprintf(s->symbol, sizeof(s->symbol), "%s", symbol);
    for (char *c = s->symbol; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return s;
}

static int on_bars(const char *symbol, const struct jutsu_bar *bars, size_t n, void *arg)
{
    struct gather *g = arg;
    struct gathered *s = gather_slot(g, symbol ? symbol : "?");
    if (s == NULL) {
        g->oom = 1;
        return JUTSU_ENOMEM;
    }
    if (s->n + n > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->n + n)
            cap *= 2;
        struct jutsu_bar *b = realloc(s->bars, cap * sizeof(*b));
        if (b == NULL) {
            g->oom = 1;
            return JUTSU_ENOMEM;
        }
        s->bars = b;
        s->cap = cap;
    }
    memcpy(s->bars + s->n, bars, n * sizeof(*bars));
    /* our copy's spare field keeps the arrival order, so that of two bars
     * with the same time the first delivered wins whatever qsort does */
    for (size_t i = 0; i < n; i++)
        s->bars[s->n + i].reserved = (uint32_t)(s->n + i);
    s->n += n;
    return 0;
}

static void on_reject(const char *where, const char *reason, void *arg)
{
    struct gather *g = arg;
    if (g->unreadable++ < MAX_REJECT_LINES)
        jutsu_log(g->who, JUTSU_LOG_WARN, "rejected %s: %s", where, reason);
    else if (g->unreadable == MAX_REJECT_LINES + 1)
        jutsu_log(g->who, JUTSU_LOG_WARN, "more rejected records: counting only");
}

static void gather_free(struct gather *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->sym[i].bars);
    free(g->sym);
    memset(g, 0, sizeof(*g));
}

/* --- report ------------------------------------------------------------ */

void jutsu_sync_report_free(struct jutsu_sync_report *r)
{
    free(r->items);
    memset(r, 0, sizeof(*r));
}

static struct jutsu_sync_item *report_add(struct jutsu_sync_report *r, const char *symbol,
                                          const char *tf)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct jutsu_sync_item *it = realloc(r->items, cap * sizeof(*it));
        if (it == NULL)
            return NULL;
        r->items = it;
        r->cap = cap;
    }
    struct jutsu_sync_item *it = &r->items[r->n++];
    memset(it, 0, sizeof(*it));
    snprintf(it->symbol, sizeof(it->symbol), "%s", symbol);
    snprintf(it->timeframe, sizeof(it->timeframe), "%s", tf);
    return it;
}

static void report_total(struct jutsu_sync_report *r)
{
    r->fetched = r->inserted = r->skipped = r->rejected = 0;
    r->failed = 0;
    for (size_t i = 0; i < r->n; i++) {
        r->fetched += r->items[i].fetched;
        r->inserted += r->items[i].inserted;
        r->skipped += r->items[i].skipped;
        r->rejected += r->items[i].rejected;
        r->failed += r->items[i].status != 0;
    }
}

/* --- normalise and validate ------------------------------------------- */

const char *jutsu_sync_timeframe(const char *tf)
{
    static const struct { const char *in, *out; } map[] = {
        { "1D", "1D" }, { "D", "1D" }, { "DAILY", "1D" }, { "1DAY", "1D" },
        { "1H", "1H" }, { "H", "1H" }, { "60M", "1H" }, { "60MIN", "1H" }, { "HOURLY", "1H" },
        { "5M", "5m" }, { "5MIN", "5m" }, { "15M", "15m" }, { "15MIN", "15m" },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(tf, map[i].in) == 0)
            return map[i].out;
    return NULL;
}

static int cmp_bar(const void *a, const void *b)
{
    const struct jutsu_bar *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    /* equal times: the first delivered wins (see on_bars) */
    return x->reserved < y->reserved ? -1 : x->reserved > y->reserved;
}

struct ctx {
    struct jutsu_app *app;
    jutsu_dbs        *s;
    const jutsu_calendar *cal;
    jutsu_date_t      today;
    int64_t           batch;
    const char       *who;
};

/* Why a bar is invalid, or NULL. */
static const char *invalid_reason(const struct ctx *c, const struct jutsu_bar *b, int daily)
{
    if (b->open <= 0 || b->high <= 0 || b->low <= 0 || b->close <= 0)
        return "a price is not positive";
    if (b->volume < 0)
        return "volume is negative";
    jutsu_money_t hi = b->open > b->close ? b->open : b->close;
    jutsu_money_t lo = b->open < b->close ? b->open : b->close;
    if (b->high < hi)
        return "high is below max(open, close)";
    if (b->low > lo)
        return "low is above min(open, close)";
    jutsu_date_t d = jutsu_time_to_date(b->ts);
    if (d > c->today)
        return "in the future";
    if (daily && !jutsu_calendar_is_trading_day(c->cal, d))
        return "not a trading day of the exchange";
    return NULL;
}

/* Maps each bar's instant to its key; daily bars to the trading date. */
static void normalise(const struct ctx *c, struct jutsu_bar *b, size_t n, int daily)
{
    if (!daily)
        return;
    for (size_t i = 0; i < n; i++) {
        jutsu_date_t d;
        if (b[i].ts % JUTSU_USEC_PER_DAY == 0)
            d = jutsu_time_to_date(b[i].ts);         /* already a date */
        else if (jutsu_calendar_local_date(c->cal, b[i].ts, &d) != 0)
            d = jutsu_time_to_date(b[i].ts);
        b[i].ts = jutsu_date_to_time(d);
    }
}

/* Writes one batch and the bookkeeping in one transaction (or in the
 * caller's, when one is open: import groups small symbols). */
static int write_batch(struct ctx *c, struct jutsu_sync_item *it, const char *source,
                       const struct jutsu_bar_row *rows, size_t n, int64_t rejected,
                       const char *operation)
{
    jutsu_dbs *s = c->s;
    int64_t ins = 0, skip = 0;
    int own, rc = jutsu_dbs_tx_enter(s, &own);
    if (rc)
        return rc;
    if (n > 0)
        rc = jutsu_data_bars_upsert(s, rows, n, &ins, &skip);

    struct jutsu_metadata_row meta = { .symbol = it->symbol, .timeframe = it->timeframe };
    int64_t total = 0;
    jutsu_time_t last = 0;
    if (rc == 0) {
        struct jutsu_metadata_row old;
        int grc = jutsu_data_metadata_get(s, it->symbol, it->timeframe, &old);
        if (grc == 0) {
            total = old.total_bars;
            last = old.last_bar_ts;
        } else if (grc != JUTSU_ENOENT) {
            rc = grc;
        }
    }
    if (rc == 0 && (n > 0 || last > 0)) {
        for (size_t i = 0; i < n; i++)
            if (rows[i].ts > last)
                last = rows[i].ts;
        meta.last_bar_ts = last;
        meta.total_bars = total + ins;
        rc = jutsu_data_metadata_upsert(s, &meta);
    }
    if (rc == 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "%s from %s: %zu bars, %lld inserted, %lld skipped, "
                 "%lld rejected", operation, source, n, (long long)ins, (long long)skip,
                 (long long)rejected);
        struct jutsu_audit_row a = { .symbol = it->symbol, .timeframe = it->timeframe,
                                     .operation = operation,
                                     .status = rejected ? "warning" : "success",
                                     .message = msg, .bars_affected = ins };
        rc = jutsu_data_audit_add(s, &a);
    }
    rc = jutsu_dbs_tx_leave(s, own, rc);
    if (rc == 0) {
        it->inserted += ins;
        it->skipped += skip;
    }
    return rc;
}

/* Normalise, validate, dedupe and store one symbol's bars. */
static int store_bars(struct ctx *c, struct jutsu_sync_item *it, const char *source,
                      struct jutsu_bar *bars, size_t n, int64_t unreadable,
                      const char *operation)
{
    int daily = strcmp(it->timeframe, "1D") == 0;
    normalise(c, bars, n, daily);
    if (n > 1)   /* bars is NULL when a source had nothing new */
        qsort(bars, n, sizeof(*bars), cmp_bar);

    struct jutsu_bar_row *rows = malloc((n ? n : 1) * sizeof(*rows));
    if (rows == NULL)
        return JUTSU_ENOMEM;
    size_t m = 0;
    int64_t invalid = 0, dups = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && bars[i].ts == rows[m - 1].ts) {
            dups++;   /* the same key twice from the source: first wins */
            continue;
        }
        const char *why = invalid_reason(c, &bars[i], daily);
        if (why) {
            char when[JUTSU_TIME_BUFSZ];
            jutsu_time_format(bars[i].ts, when);
            if (invalid++ < MAX_REJECT_LINES)
                jutsu_log(c->who, JUTSU_LOG_WARN, "%s %s %s%s%u: %s: stored as invalid",
                          it->symbol, it->timeframe, when, bars[i].line ? " line " : "",
                          bars[i].line, why);
        }
        rows[m++] = (struct jutsu_bar_row){
            .symbol = it->symbol, .timeframe = it->timeframe, .ts = bars[i].ts,
            .open = bars[i].open, .high = bars[i].high, .low = bars[i].low,
            .close = bars[i].close, .volume = bars[i].volume, .data_source = source,
            .is_valid = why == NULL,
        };
    }
    it->fetched += (int64_t)n;
    it->rejected += invalid + unreadable;
    it->skipped += dups;
    if (m > 0) {
        if (it->first == 0 || rows[0].ts < it->first)
            it->first = rows[0].ts;
        if (rows[m - 1].ts > it->last)
            it->last = rows[m - 1].ts;
    }
    int rc = 0;
    size_t done = 0;
    do {
        size_t k = m - done < (size_t)c->batch ? m - done : (size_t)c->batch;
        rc = write_batch(c, it, source, rows + done, k, done == 0 ? invalid + unreadable : 0,
                         operation);
        done += k;
    } while (rc == 0 && done < m);
    free(rows);
    if (rc)
        snprintf(it->error, sizeof(it->error), "%s", jutsu_dbs_error_line(c->s));
    return rc;
}

static void publish_updated(struct jutsu_app *app, const struct jutsu_sync_item *it)
{
    char a[JUTSU_TIME_BUFSZ] = "", b[JUTSU_TIME_BUFSZ] = "";
    if (it->first)
        jutsu_time_format(it->first, a);
    if (it->last)
        jutsu_time_format(it->last, b);
    json_object *p = json_object_new_object();
    json_object_object_add(p, "symbol", json_object_new_string(it->symbol));
    json_object_object_add(p, "timeframe", json_object_new_string(it->timeframe));
    json_object_object_add(p, "first", it->first ? json_object_new_string(a) : NULL);
    json_object_object_add(p, "last", it->last ? json_object_new_string(b) : NULL);
    json_object_object_add(p, "inserted", json_object_new_int64(it->inserted));
    json_object_object_add(p, "skipped", json_object_new_int64(it->skipped));
    json_object_object_add(p, "rejected", json_object_new_int64(it->rejected));
    json_object_object_add(p, "source", json_object_new_string(it->source));
    if (app->bus)
        jutsu_bus_publish(app->bus, "host", "market_data.updated", p);
    else
        json_object_put(p);
}

static void publish_finished(struct jutsu_app *app, const struct jutsu_sync_report *r)
{
    if (app->bus == NULL)
        return;
    json_object *p = json_object_new_object(), *items = json_object_new_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_sync_item *it = &r->items[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "symbol", json_object_new_string(it->symbol));
        json_object_object_add(o, "timeframe", json_object_new_string(it->timeframe));
        json_object_object_add(o, "inserted", json_object_new_int64(it->inserted));
        json_object_object_add(o, "skipped", json_object_new_int64(it->skipped));
        json_object_object_add(o, "rejected", json_object_new_int64(it->rejected));
        json_object_object_add(o, "status", json_object_new_string(it->status ? "failed" : "ok"));
        json_object_array_add(items, o);
    }
    json_object_object_add(p, "items", items);
    json_object_object_add(p, "status", json_object_new_string(r->failed ? "partial" : "ok"));
    jutsu_bus_publish(app->bus, "host", "sync.finished", p);
}

/* --- sources ------------------------------------------------------------ */

/* market_data.data_source: the plugin's name without "source-" ("csv",
 * "yahoo", "schwab"), whatever the instance is called. */
static const char *data_source_of(const struct jutsu_ctx *inst)
{
    const char *name = jutsu_ctx_plugin(inst)->name;
    return strncmp(name, "source-", 7) == 0 ? name + 7 : name;
}

struct source_list {
    struct jutsu_ctx *inst[32];
    size_t n;
};

static int add_source(struct jutsu_app *app, struct source_list *l, const char *name,
                      char *err, size_t errsz)
{
    struct jutsu_ctx *c = jutsu_app_find(app, name);
    if (c == NULL || jutsu_ctx_plugin(c)->kind != JUTSU_KIND_SOURCE) {
        snprintf(err, errsz, "\"%s\" is not a source instance of this config", name);
        return JUTSU_ENOENT;
    }
    if (!c->started) {
        snprintf(err, errsz, "source \"%s\" is not running (its init failed?)", name);
        return JUTSU_ESTATE;
    }
    if (l->n < sizeof(l->inst) / sizeof(l->inst[0]))
        l->inst[l->n++] = c;
    return 0;
}

/* The sources to try, in priority order. */
static int resolve_sources(struct jutsu_app *app, const char *only, struct source_list *l,
                           char *err, size_t errsz)
{
    l->n = 0;
    if (only)
        return add_source(app, l, only, err, errsz);
    jutsu_cfg_node *list = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.sources");
    if (list && list->kind == JUTSU_CFG_NODE_SEQ && list->n > 0) {
        for (size_t i = 0; i < list->n; i++) {
            int rc = add_source(app, l, list->items[i]->text, err, errsz);
            if (rc)
                return rc;
        }
        return 0;
    }
    for (size_t i = 0; i < app->ninst; i++)
        if (jutsu_ctx_plugin(app->inst[i])->kind == JUTSU_KIND_SOURCE && app->inst[i]->started)
            l->inst[l->n++] = app->inst[i];
    if (l->n == 0) {
        snprintf(err, errsz, "no source instance is configured or running");
        return JUTSU_ENOENT;
    }
    return 0;
}

static void progress(int on, size_t done, size_t total, const char *label)
{
    if (!on)
        return;
    int width = 30, fill = total ? (int)(done * (size_t)width / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu %-12s", fill,
            "==============================", width - fill, "", done, total, label);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static jutsu_time_t start_of_history(struct jutsu_app *app)
{
    const char *s = "2010-01-01";
    jutsu_date_t d;
    jutsu_cfg_str(jutsu_cfg_root(app->cfg), "sync.history_start", &s);
    if (jutsu_date_parse(s, -1, &d) != 0)
        d = jutsu_date_from_ymd(2010, 1, 1);
    return jutsu_date_to_time(d);
}

/* Fetches one (symbol, timeframe) from the first source that answers. */
static void sync_one(struct ctx *c, const struct source_list *src, const struct jutsu_sync_opts *o,
                     struct jutsu_sync_item *it)
{
    jutsu_time_t from, to;
    struct jutsu_metadata_row meta;
    if (o->from)
        from = jutsu_date_to_time(o->from);
    else if (jutsu_data_metadata_get(c->s, it->symbol, it->timeframe, &meta) == 0)
        from = meta.last_bar_ts + 1;          /* incremental */
    else
        from = start_of_history(c->app);      /* full history */
    to = o->to ? jutsu_date_to_time(o->to) + JUTSU_USEC_PER_DAY - 1 : jutsu_app_now(c->app);

    int rc = JUTSU_ENOENT;
    for (size_t i = 0; i < src->n; i++) {
        struct jutsu_ctx *inst = src->inst[i];
        const struct jutsu_source_ops *ops = jutsu_ctx_source(inst);
        struct gather g = { .who = inst->name };
        struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = it->symbol,
                                       .timeframe = it->timeframe, .from = from, .to = to };
        struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = on_bars,
                                          .reject = on_reject, .arg = &g };
        inst->error[0] = '\0';
        rc = ops->fetch(inst->state, &req, &sink);
        snprintf(it->source, sizeof(it->source), "%s", inst->name);
        if (rc == 0) {
            struct gathered *gs = g.n ? &g.sym[0] : NULL;
            rc = store_bars(c, it, data_source_of(inst), gs ? gs->bars : NULL, gs ? gs->n : 0,
                            g.unreadable, "sync");
            gather_free(&g);
            break;
        }
        gather_free(&g);
        snprintf(it->error, sizeof(it->error), "%s: %s", inst->name,
                 inst->error[0] ? inst->error : jutsu_strerror(rc));
        jutsu_log(c->who, i + 1 < src->n ? JUTSU_LOG_WARN : JUTSU_LOG_ERROR,
                  "%s %s: source %s failed (%s)%s", it->symbol, it->timeframe, inst->name,
                  it->error, i + 1 < src->n ? "; trying the next source" : "");
    }
    it->status = rc;
    if (rc == 0) {
        it->error[0] = '\0';
        publish_updated(c->app, it);
    }
}

int jutsu_sync_live_bar(struct jutsu_app *app, const char *symbol, jutsu_date_t d,
                        struct jutsu_bar *out, char *source, size_t sourcesz)
{
    struct source_list src;
    char err[256];
    int rc = resolve_sources(app, NULL, &src, err, sizeof(err));
    if (rc != 0) {
        jutsu_log("sync", JUTSU_LOG_WARN, "%s: no live bar: %s", symbol, err);
        return rc;
    }
    /* the checks a stored bar passes, with d as today */
    struct ctx c = { .app = app, .cal = app->cal, .who = "sync", .today = d };
    jutsu_time_t from = jutsu_date_to_time(d) - JUTSU_USEC_PER_DAY, to = jutsu_app_now(app);
    rc = JUTSU_ENOENT;
    for (size_t i = 0; i < src.n && rc != 0; i++) {
        struct jutsu_ctx *inst = src.inst[i];
        const struct jutsu_source_ops *ops = jutsu_ctx_source(inst);
        struct gather g = { .who = inst->name };
        struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = symbol, .timeframe = "1D",
                                       .from = from, .to = to };
        struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = on_bars,
                                          .reject = on_reject, .arg = &g };
        const char *why = "it has no bar of that day";
        inst->error[0] = '\0';
        int frc = ops->fetch(inst->state, &req, &sink);
        if (frc != 0) {
            why = inst->error[0] ? inst->error : jutsu_strerror(frc);
        } else if (g.n > 0) {
            struct gathered *gs = &g.sym[0];
            normalise(&c, gs->bars, gs->n, 1);
            for (size_t k = gs->n; k-- > 0 && rc != 0;) {
                if (jutsu_time_to_date(gs->bars[k].ts) != d)
                    continue;
                if ((why = invalid_reason(&c, &gs->bars[k], 1)) == NULL) {
                    *out = gs->bars[k];
                    snprintf(source, sourcesz, "%s", inst->name);
                    rc = 0;
                }
            }
        }
        if (rc != 0)
            jutsu_log("sync", JUTSU_LOG_WARN, "%s: no live bar of today from %s: %s", symbol,
                      inst->name, why);
        gather_free(&g);
    }
    return rc;
}

static int make_ctx(struct jutsu_app *app, struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->app = app;
    c->who = "sync";
    c->cal = app->cal;
    int64_t batch = 50000;
    jutsu_cfg_int(jutsu_cfg_root(app->cfg), "sync.batch_size", &batch);
    c->batch = batch;
    if (jutsu_calendar_local_date(app->cal, jutsu_app_now(app), &c->today) != 0)
        c->today = jutsu_time_to_date(jutsu_app_now(app));
    return jutsu_app_dbs_open(app, &c->s);
}

static const char *cfg_list_item(struct jutsu_app *app, const char *path, size_t i, size_t *n)
{
    jutsu_cfg_node *l = jutsu_cfg_get(jutsu_cfg_root(app->cfg), path);
    *n = l && l->kind == JUTSU_CFG_NODE_SEQ ? l->n : 0;
    return i < *n ? l->items[i]->text : NULL;
}

int jutsu_sync_run(struct jutsu_app *app, const struct jutsu_sync_opts *o,
                   struct jutsu_sync_report *r)
{
    struct source_list src;
    char err[256];
    memset(r, 0, sizeof(*r));
    int rc = resolve_sources(app, o->source, &src, err, sizeof(err));
    if (rc) {
        jutsu_log("sync", JUTSU_LOG_ERROR, "%s", err);
        return rc;
    }
    size_t nsym = o->symbols ? o->nsymbols : 0, ntf = 0;
    if (!o->symbols)
        cfg_list_item(app, "sync.symbols", 0, &nsym);
    if (nsym == 0) {
        jutsu_log("sync", JUTSU_LOG_ERROR, "no symbols to sync: set sync.symbols or pass --symbol");
        return JUTSU_EINVAL;
    }
    const char *tf_default[] = { "1D" };
    if (!o->timeframe)
        cfg_list_item(app, "sync.timeframes", 0, &ntf);
    size_t ntfs = o->timeframe ? 1 : ntf ? ntf : 1;

    struct ctx c;
    if ((rc = make_ctx(app, &c)) != 0) {
        jutsu_log("sync", JUTSU_LOG_ERROR, "cannot open the database: %s", jutsu_strerror(rc));
        return rc;
    }
    size_t total = nsym * ntfs, done = 0;
    for (size_t i = 0; i < nsym; i++) {
        size_t dummy;
        const char *sym = o->symbols ? o->symbols[i] : cfg_list_item(app, "sync.symbols", i, &dummy);
        for (size_t t = 0; t < ntfs; t++) {
            const char *tf = o->timeframe ? o->timeframe
                           : ntf ? cfg_list_item(app, "sync.timeframes", t, &dummy) : tf_default[0];
            const char *canon = jutsu_sync_timeframe(tf);
            struct jutsu_sync_item *it = report_add(r, sym, canon ? canon : tf);
            if (it == NULL) {
                rc = JUTSU_ENOMEM;
                goto out;
            }
            for (char *ch = it->symbol; *ch; ch++)
                if (*ch >= 'a' && *ch <= 'z')
                    *ch = (char)(*ch - 'a' + 'A');
            progress(o->progress, done, total, it->symbol);
            if (canon == NULL) {
                it->status = JUTSU_EINVAL;
                snprintf(it->error, sizeof(it->error), "unknown timeframe \"%s\" (use 1D, 1H, "
                         "5m or 15m)", tf);
            } else {
                sync_one(&c, &src, o, it);
            }
            progress(o->progress, ++done, total, it->symbol);
        }
    }
out:
    report_total(r);
    publish_finished(app, r);
    jutsu_dbs_close(c.s);
    if (rc)
        return rc;
    return r->failed ? JUTSU_EPLUGIN : 0;
}

/* After a group's transaction ended: publish what was committed, or, if
 * an item failed (and so the group rolled back), report every other item
 * of the group as rolled back with it. */
static void settle_group(struct jutsu_app *app, struct jutsu_sync_report *r, size_t from,
                         size_t to, jutsu_dbs *s)
{
    const struct jutsu_sync_item *bad = NULL;
    for (size_t i = from; i < to; i++)
        if (r->items[i].status != 0)
            bad = &r->items[i];
    for (size_t i = from; i < to; i++) {
        struct jutsu_sync_item *it = &r->items[i];
        if (bad == NULL) {
            publish_updated(app, it);
            continue;
        }
        if (it->error[0] == '\0')
            snprintf(it->error, sizeof(it->error), "%s",
                     it == bad ? jutsu_dbs_error_line(s) : "rolled back with a failing symbol of "
                                                      "its transaction");
        if (it != bad && it->status == 0)
            it->status = bad->status;
        it->inserted = 0;
        it->skipped = 0;
    }
}

int jutsu_sync_import(struct jutsu_app *app, const char *const *files, size_t nfiles,
                      const char *symbol, const char *timeframe, struct jutsu_sync_report *r)
{
    memset(r, 0, sizeof(*r));
    const char *tf = jutsu_sync_timeframe(timeframe ? timeframe : "1D");
    if (tf == NULL) {
        jutsu_log("import", JUTSU_LOG_ERROR, "unknown timeframe \"%s\" (use 1D, 1H, 5m or 15m)",
                  timeframe);
        return JUTSU_EINVAL;
    }
    struct jutsu_ctx *reader = NULL;
    for (size_t i = 0; i < app->ninst && reader == NULL; i++) {
        struct jutsu_ctx *c = app->inst[i];
        if (jutsu_ctx_plugin(c)->kind == JUTSU_KIND_SOURCE && c->started &&
            JUTSU_OPS_HAS(jutsu_ctx_source(c), jutsu_source_ops, read_file))
            reader = c;
    }
    if (reader == NULL) {
        jutsu_log("import", JUTSU_LOG_ERROR, "no source that reads files is configured: add a "
                  "source-csv instance to plugins:");
        return JUTSU_ENOENT;
    }
    const struct jutsu_source_ops *ops = jutsu_ctx_source(reader);
    struct ctx c;
    int rc = make_ctx(app, &c);
    if (rc) {
        jutsu_log("import", JUTSU_LOG_ERROR, "cannot open the database: %s", jutsu_strerror(rc));
        return rc;
    }
    c.who = "import";
    for (size_t f = 0; f < nfiles && rc != JUTSU_ENOMEM; f++) {
        struct gather g = { .who = "import" };
        struct jutsu_source_sink sink = { .size = sizeof(sink), .bars = on_bars,
                                          .reject = on_reject, .arg = &g };
        reader->error[0] = '\0';
        int frc = ops->read_file(reader->state, files[f], symbol, &sink);
        if (frc != 0) {
            struct jutsu_sync_item *it = report_add(r, symbol ? symbol : "?", tf);
            if (it) {
                it->status = frc;
                snprintf(it->source, sizeof(it->source), "%s", files[f]);
                snprintf(it->error, sizeof(it->error), "%s: %s", files[f],
                         reader->error[0] ? reader->error : jutsu_strerror(frc));
            }
            gather_free(&g);
            continue;
        }
        /* Symbols are written in groups of about sync.batch_size bars per
         * transaction: a file of many small symbols must not pay a commit
         * each. A failure rolls back its whole group, reported as such. */
        size_t group = r->n;
        int64_t pending = 0;
        for (size_t k = 0; k < g.n; k++) {
            struct jutsu_sync_item *it = report_add(r, g.sym[k].symbol, tf);
            if (it == NULL) {
                rc = JUTSU_ENOMEM;
                break;
            }
            snprintf(it->source, sizeof(it->source), "%s", reader->name);
            if (c.s->tx_depth == 0) {
                if ((it->status = jutsu_dbs_begin(c.s)) != 0) {
                    snprintf(it->error, sizeof(it->error), "%s", jutsu_dbs_error_line(c.s));
                    continue;
                }
                group = r->n - 1;
            }
            it->status = store_bars(&c, it, data_source_of(reader), g.sym[k].bars, g.sym[k].n,
                                    k == 0 ? g.unreadable : 0, "import");
            pending += it->fetched;
            if (it->status != 0)
                jutsu_dbs_rollback(c.s);
            else if (pending >= c.batch || k + 1 == g.n)
                it->status = jutsu_dbs_commit(c.s);
            else
                continue;
            settle_group(app, r, group, r->n, c.s);
            pending = 0;
        }
        if (c.s->tx_depth > 0) {   /* left open by an allocation failure */
            jutsu_dbs_rollback(c.s);
            settle_group(app, r, group, r->n, c.s);
        }
        if (g.n == 0) {   /* nothing readable: still report the file */
            struct jutsu_sync_item *it = report_add(r, symbol ? symbol : "?", tf);
            if (it) {
                it->rejected = g.unreadable;
                snprintf(it->source, sizeof(it->source), "%s", files[f]);
            }
        }
        gather_free(&g);
    }
    report_total(r);
    publish_finished(app, r);
    jutsu_dbs_close(c.s);
    if (rc)
        return rc;
    return r->failed ? JUTSU_EPLUGIN : 0;
}
