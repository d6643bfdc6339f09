/*
 * core/store/data_summary.c — whole-table summaries (see data_summary.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/data_summary.h"
#include "store/store.h"

/* --- market data ---------------------------------------------------------- */

struct summaries {
    struct jutsu_bars_summary *v;
    size_t                     n, cap;
};

static int grow(struct summaries *x)
{
    if (x->n < x->cap)
        return 0;
    size_t cap = x->cap ? x->cap * 2 : 16;
    struct jutsu_bars_summary *v = realloc(x->v, cap * sizeof(*v));
    if (v == NULL)
        return JUTSU_ENOMEM;
    x->v = v;
    x->cap = cap;
    return 0;
}

/* One aggregate over the table: what the index of the natural key gives
 * without reading a bar twice. */
static int read_groups(jutsu_dbs *s, struct summaries *x)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT symbol, timeframe, "
                               "MIN(CASE WHEN is_valid = $1 THEN timestamp END), "
                               "MAX(CASE WHEN is_valid = $2 THEN timestamp END), "
                               "SUM(CASE WHEN is_valid = $3 THEN 1 ELSE 0 END), "
                               "SUM(CASE WHEN is_valid = $4 THEN 0 ELSE 1 END) "
                               "FROM market_data GROUP BY symbol, timeframe "
                               "ORDER BY symbol, timeframe", "market_data: summary") != 0)
        return q.rc;
    for (int i = 0; i < 4; i++)
        jutsu_q_bool(&q, 1);
    int rc;
    while ((rc = jutsu_q_step(&q)) == JUTSU_DB_ROW) {
        if (grow(x) != 0) {
            q.rc = JUTSU_ENOMEM;
            break;
        }
        struct jutsu_bars_summary *b = &x->v[x->n++];
        memset(b, 0, sizeof(*b));
        const char *sym = jutsu_q_col_text(&q), *tf = jutsu_q_col_text(&q);
        snprintf(b->symbol, sizeof(b->symbol), "%s", sym ? sym : "");
        snprintf(b->timeframe, sizeof(b->timeframe), "%s", tf ? tf : "");
        b->first = jutsu_q_col_time(&q);
        b->last = jutsu_q_col_time(&q);
        b->count = jutsu_q_col_int(&q, 0);
        b->invalid = jutsu_q_col_int(&q, 0);
    }
    return jutsu_q_done(&q);
}

/* The source of the newest valid bar: the one a reader of "last" would
 * ask about. */
static int newest_source(jutsu_dbs *s, struct jutsu_bars_summary *b)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT data_source FROM market_data WHERE symbol = $1 AND "
                               "timeframe = $2 AND is_valid = $3 ORDER BY timestamp DESC "
                               "LIMIT 1", "market_data: newest source") != 0)
        return q.rc;
    jutsu_q_text(&q, b->symbol);
    jutsu_q_text(&q, b->timeframe);
    jutsu_q_bool(&q, 1);
    if (jutsu_q_step(&q) == JUTSU_DB_ROW) {
        const char *src = jutsu_q_col_text(&q);
        snprintf(b->source, sizeof(b->source), "%s", src ? src : "");
    }
    return jutsu_q_done(&q);
}

/* data_metadata.last_updated is stamped by every sync and import of the
 * pair; a database filled by other means may only have the audit log. */
static int last_sync(jutsu_dbs *s, struct jutsu_bars_summary *b)
{
    struct jutsu_metadata_row m;
    int rc = jutsu_data_metadata_get(s, b->symbol, b->timeframe, &m);
    if (rc == 0 && m.last_updated != 0) {
        b->last_sync = m.last_updated;
        return 0;
    }
    if (rc != 0 && rc != JUTSU_ENOENT)
        return rc;
    jutsu_dbs_error_clear(s);
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT MAX(timestamp) FROM data_audit_log WHERE symbol = $1 "
                               "AND timeframe = $2 AND status <> $3",
                        "data_audit_log: newest entry") != 0)
        return q.rc;
    jutsu_q_text(&q, b->symbol);
    jutsu_q_text(&q, b->timeframe);
    jutsu_q_text(&q, "error");
    if (jutsu_q_step(&q) == JUTSU_DB_ROW)
        b->last_sync = jutsu_q_col_time(&q);
    return jutsu_q_done(&q);
}

int jutsu_data_bars_summary(jutsu_dbs *s, struct jutsu_bars_summary **out, size_t *n)
{
    struct summaries x = { 0 };
    *out = NULL;
    *n = 0;
    /* the groups first, then a query per group: one statement at a time */
    int rc = read_groups(s, &x);
    for (size_t i = 0; rc == 0 && i < x.n; i++)
        if ((rc = newest_source(s, &x.v[i])) == 0)
            rc = last_sync(s, &x.v[i]);
    if (rc != 0) {
        free(x.v);
        return rc;
    }
    *out = x.v;
    *n = x.n;
    return 0;
}

/* --- gaps ----------------------------------------------------------------- */

struct gap_walk {
    const jutsu_calendar *cal;
    jutsu_date_t          expect;   /* the next trading day a bar is due; 0 before the first */
    int64_t               bars, missing;
    void                (*on_gap)(jutsu_date_t, void *);
    void                 *arg;
};

static void gap(struct gap_walk *g, jutsu_date_t d)
{
    g->missing++;
    if (g->on_gap)
        g->on_gap(d, g->arg);
}

int jutsu_data_daily_gaps(jutsu_dbs *s, const jutsu_calendar *cal, const char *symbol,
                          jutsu_date_t from, jutsu_date_t to,
                          void (*on_gap)(jutsu_date_t day, void *arg), void *arg,
                          int64_t *bars, int64_t *missing)
{
    struct gap_walk g = { .cal = cal, .on_gap = on_gap, .arg = arg };
    struct jutsu_q q;
    jutsu_time_t lo = from ? jutsu_date_to_time(from) : JUTSU_TIME_MIN;
    jutsu_time_t hi = to ? jutsu_date_to_time(to) + JUTSU_USEC_PER_DAY - 1 : JUTSU_TIME_MAX;
    /* the timestamps alone: a gap walk needs no prices */
    if (jutsu_q_prepare(&q, s, "SELECT timestamp FROM market_data WHERE symbol = $1 AND "
                               "timeframe = $2 AND timestamp >= $3 AND timestamp <= $4 AND "
                               "is_valid = $5 ORDER BY timestamp",
                        "market_data: gaps") != 0)
        return q.rc;
    jutsu_q_text(&q, symbol);
    jutsu_q_text(&q, "1D");
    jutsu_q_time(&q, lo);
    jutsu_q_time(&q, hi);
    jutsu_q_bool(&q, 1);
    while (jutsu_q_step(&q) == JUTSU_DB_ROW) {
        jutsu_date_t d = jutsu_time_to_date(jutsu_q_col_time(&q));
        if (g.expect)
            for (; g.expect < d; g.expect = jutsu_calendar_next(cal, g.expect))
                gap(&g, g.expect);
        g.expect = jutsu_calendar_next(cal, d);
        g.bars++;
    }
    int rc = jutsu_q_done(&q);
    if (rc == 0 && to && g.expect)   /* trading days after the last bar, through `to` */
        for (; g.expect <= to; g.expect = jutsu_calendar_next(cal, g.expect))
            gap(&g, g.expect);
    if (bars)
        *bars = g.bars;
    if (missing)
        *missing = g.missing;
    return rc;
}

/* --- config_history --------------------------------------------------------- */

#define HISTORY_COLS "SELECT id, strategy_id, parameter_name, old_value, new_value, " \
                     "change_type, changed_by, reason, timestamp FROM config_history "

int jutsu_data_history_page(jutsu_dbs *s, const char *strategy, int64_t offset, int64_t limit,
                            jutsu_row_fn fn, void *arg)
{
    if (offset < 0 || limit < 1)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "config_history: %s %lld is out of range",
                              offset < 0 ? "offset" : "limit",
                              (long long)(offset < 0 ? offset : limit));
    int one = strategy != NULL && *strategy != '\0';
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, one ? HISTORY_COLS "WHERE strategy_id = $1 "
                                     "ORDER BY timestamp DESC, id DESC LIMIT $2 OFFSET $3"
                                   : HISTORY_COLS
                                     "ORDER BY timestamp DESC, id DESC LIMIT $1 OFFSET $2",
                        "config_history: read") != 0)
        return q.rc;
    if (one)
        jutsu_q_text(&q, strategy);
    jutsu_q_int(&q, limit);
    jutsu_q_int(&q, offset);
    int rc;
    while ((rc = jutsu_q_step(&q)) == JUTSU_DB_ROW) {
        struct jutsu_history_row h;
        h.id = jutsu_q_col_int(&q, 0);
        h.strategy_id = jutsu_q_col_text(&q);
        h.parameter_name = jutsu_q_col_text(&q);
        h.old_value = jutsu_q_col_text(&q);
        h.new_value = jutsu_q_col_text(&q);
        h.change_type = jutsu_q_col_text(&q);
        h.changed_by = jutsu_q_col_text(&q);
        h.reason = jutsu_q_col_text(&q);
        h.ts = jutsu_q_col_time(&q);
        if ((rc = fn(&h, arg)) != 0) {
            jutsu_q_done(&q);
            return rc;
        }
    }
    return jutsu_q_done(&q);
}
