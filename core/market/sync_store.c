/*
 * core/market/sync_store.c — bars from a source to the database: gathered
 * per symbol as the source delivers them, normalised (sorted, daily bars
 * keyed to their trading date, duplicates dropped), checked, and written
 * in batches with their metadata and audit row (see sync.h for the
 * pipeline). The sync run (sync.c) and the file import (sync_import.c)
 * both end here.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/symbol.h"
#include "base/calendar.h"
#include "base/log.h"
#include "market/sync_int.h"
#include "store/data_api.h"
#include "store/store.h"

#define MAX_REJECT_LINES 20   /* logged one by one; the rest are counted */

/* --- what a source delivers, gathered per symbol ------------------------- */

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
    jutsu_symbol_upper(s->symbol, sizeof(s->symbol), symbol, SIZE_MAX);
    return s;
}

int jutsu_sync_on_bars(const char *symbol, const struct jutsu_bar *bars, size_t n, void *arg)
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

void jutsu_sync_on_reject(const char *where, const char *reason, void *arg)
{
    struct gather *g = arg;
    if (g->unreadable++ < MAX_REJECT_LINES)
        jutsu_log(g->who, JUTSU_LOG_WARN, "rejected %s: %s", where, reason);
    else if (g->unreadable == MAX_REJECT_LINES + 1)
        jutsu_log(g->who, JUTSU_LOG_WARN, "more rejected records: counting only");
}

void jutsu_sync_gather_free(struct gather *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->sym[i].bars);
    free(g->sym);
    memset(g, 0, sizeof(*g));
}

/* --- normalise and validate ------------------------------------------- */

static int cmp_bar(const void *a, const void *b)
{
    const struct jutsu_bar *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    /* equal times: the first delivered wins (see jutsu_sync_on_bars) */
    return x->reserved < y->reserved ? -1 : x->reserved > y->reserved;
}


/* Why a bar is invalid, or NULL. */
const char *jutsu_sync_invalid_reason(const struct ctx *c, const struct jutsu_bar *b, int daily)
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
void jutsu_sync_normalise(const struct ctx *c, struct jutsu_bar *b, size_t n, int daily)
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
 * caller's, when one is open: import groups small symbols). The item's
 * counts and range grow only by what the transaction kept. */
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
    if (rc == 0 && n > 0) {   /* rows are sorted */
        if (it->first == 0 || rows[0].ts < it->first)
            it->first = rows[0].ts;
        if (rows[n - 1].ts > it->last)
            it->last = rows[n - 1].ts;
    }
    return rc;
}

/* Normalise, validate, dedupe and store one symbol's bars, a transaction
 * per sync.batch_size of them unless the caller holds one open. A batch
 * that fails ends the write: the batches before it stay committed (the
 * item counts them, and only them) and a re-run skips them. */
int jutsu_sync_store_bars(struct ctx *c, struct jutsu_sync_item *it, const char *source,
                          struct jutsu_bar *bars, size_t n, int64_t unreadable,
                          const char *operation)
{
    int daily = strcmp(it->timeframe, "1D") == 0;
    jutsu_sync_normalise(c, bars, n, daily);
    size_t ord = 1;   /* a file is nearly always in order already: then no sort */
    while (ord < n && cmp_bar(&bars[ord - 1], &bars[ord]) <= 0)
        ord++;
    if (ord < n)      /* bars is NULL when a source had nothing new */
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
        const char *why = jutsu_sync_invalid_reason(c, &bars[i], daily);
        /* the cap is the item's: an import calls this once per batch */
        if (why && it->rejected + invalid++ < MAX_REJECT_LINES) {
            char when[JUTSU_TIME_BUFSZ];
            jutsu_time_format(bars[i].ts, when);
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
    int own = c->s->tx_depth == 0;   /* each batch commits on its own */
    int rc = 0;
    size_t done = 0;
    do {
        size_t k = m - done < (size_t)c->batch ? m - done : (size_t)c->batch;
        rc = write_batch(c, it, source, rows + done, k, done == 0 ? invalid + unreadable : 0,
                         operation);
        if (rc == 0)
            done += k;
    } while (rc == 0 && done < m);
    free(rows);
    if (rc == 0)
        it->skipped += dups;   /* dropped, never written: counted once all is */
    else if (own && done > 0)
        snprintf(it->error, sizeof(it->error), "%s; %zu of %zu bars committed in the batches "
                 "before, kept; the failing batch rolled back, %zu bars not stored (a re-run "
                 "resumes)",
                 jutsu_dbs_error_line(c->s), done, m, m - done);
    else
        snprintf(it->error, sizeof(it->error), "%s", jutsu_dbs_error_line(c->s));
    return rc;
}

void jutsu_sync_publish_updated(struct jutsu_app *app, const struct jutsu_sync_item *it)
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

/* market_data.data_source: the plugin's name without "source-" ("csv",
 * "yahoo", "schwab"), whatever the instance is called. */
const char *jutsu_sync_data_source(const struct jutsu_ctx *inst)
{
    const char *name = jutsu_ctx_plugin(inst)->name;
    return strncmp(name, "source-", 7) == 0 ? name + 7 : name;
}

int jutsu_sync_ctx_open(struct jutsu_app *app, struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->app = app;
    c->who = "sync";
    c->cal = app->cal;
    c->batch = jutsu_app_settings(app)->sync.batch_size;
    if (jutsu_calendar_local_date(app->cal, jutsu_app_now(app), &c->today) != 0)
        c->today = jutsu_time_to_date(jutsu_app_now(app));
    return jutsu_app_dbs_open(app, &c->s);
}

