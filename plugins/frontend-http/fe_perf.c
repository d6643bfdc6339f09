/*
 * plugins/frontend-http/fe_perf.c — /api/v2/performance and /api/eod/status:
 * daily_performance (the single source of truth the dashboard reads) and
 * the EOD job's bookkeeping, over the data API.
 *
 * Entities. {entity} is a strategy instance ("v3_5b") or a baseline (its
 * id, "QQQ"). The engine's list of configured entities says which, and the
 * mode a strategy runs in; without an engine, or for an entity the config
 * no longer names, the rows say: a strategy's first, then a baseline's.
 * `?mode=` picks the mode (default: the entity's configured mode, else
 * offline_mock, which is also what the EOD job writes for baselines unless
 * eod.baselines says otherwise).
 *
 * Ranges. from and to are inclusive dates. history: `days=N` (1..5000) is
 * the last N rows on or before `to` (default: the newest); without `days`
 * and `from`, the last 30 rows; with `from`, every row of the range (at
 * most FE_PERF_MAX_ROWS). returns, drawdown and comparison read the whole
 * range (default: every row, at most FE_PERF_MAX_ROWS per entity).
 *
 * Values: money as exact strings, ratios with their column's precision
 * (NUMERIC(10,6): 6; win_rate, a percent NUMERIC(5,2): 2; the running sums
 * NUMERIC(18,8): 8), dates "YYYY-MM-DD", instants RFC 3339 UTC. A row's
 * `metrics` are the KPI plugins' metrics of their own (jutsu/kpi.h, ABI
 * 1.4), each number as stored, {} when it has none.
 *
 * Rows are read through the range and latest reads only: those hand over
 * the host's struct with `metrics`, which get and prev leave out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "fe.h"

#define FE_PERF_MAX_ROWS     20000   /* 80 years of trading days */
#define FE_PERF_DEFAULT_DAYS 30
#define FE_PERF_MAX_DAYS     5000
#define FE_PERF_MAX_ENTITIES 10
#define FE_EOD_MAX_SPAN      3660    /* days in one /api/eod/status answer */
#define FE_EOD_DEFAULT_SPAN  30


struct ent {
    char type[16];      /* "strategy" | "baseline" */
    char id[64];
    char mode[16];
};


/* ?mode=: NULL when absent; -1 after a 400. */
static int query_mode(struct fe_req *r, const char **mode)
{
    char msg[160];
    if (fe_query_word(r, "mode", 16, mode) != 0)
        return -1;
    if (*mode && strcmp(*mode, "offline_mock") != 0 && strcmp(*mode, "online_live") != 0) {
        snprintf(msg, sizeof(msg), "mode: \"%s\" is not one of offline_mock, online_live",
                 *mode);
        return fe_bad_param(r, msg);
    }
    return 0;
}

/* ?from=&to=: both optional, from <= to. */
static int query_range(struct fe_req *r, jutsu_date_t *from, jutsu_date_t *to)
{
    if (fe_query_date(r, "from", 1, from) != 0 || fe_query_date(r, "to", 1, to) != 0)
        return -1;
    if (*from > *to)
        return fe_bad_param(r, "to: the range ends before from");
    return 0;
}

#define FAR_PAST   jutsu_date_from_ymd(1900, 1, 1)
#define FAR_FUTURE jutsu_date_from_ymd(2999, 12, 31)

/* An id as the path carries it: 1..50 of [A-Za-z0-9_.^-]. */
static int entity_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 50)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '^' || *p == '-'))
            return 0;
    return 1;
}

static int probe(const struct jutsu_data *d, jutsu_dbs *s, const char *type, const char *id,
                 const char *mode)
{
    struct jutsu_daily_perf_row row;
    return d->daily_perf_prev(s, type, id, mode, FAR_FUTURE, &row);
}

/* Which entity `id` is and its mode; 0, or -1 after answering (404 names
 * the entity). */
static int find_entity(struct fe_req *r, const struct jutsu_data *d, jutsu_dbs *s, const char *id,
                       const char *mode, struct ent *e)
{
    char msg[200];
    if (!entity_id_ok(id)) {
        snprintf(msg, sizeof(msg), "entity: not a strategy or baseline id (1 to 50 of A-Z a-z "
                 "0-9 _ . ^ -)");
        return fe_bad_param(r, msg);
    }
    memset(e, 0, sizeof(*e));
    snprintf(e->id, sizeof(e->id), "%s", id);
    const struct jutsu_host *h = r->fe->host;
    const struct jutsu_engine *en = h->abi_minor >= 3 && h->engine ? h->engine(r->fe->ctx) : NULL;
    json_object *list = NULL;
    if (en && en->entities && en->entities(r->fe->ctx, &list) == 0 &&
        json_object_is_type(list, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *it = json_object_array_get_idx(list, i), *v;
            if (!json_object_object_get_ex(it, "id", &v) ||
                strcmp(json_object_get_string(v), id) != 0)
                continue;
            const char *type = json_object_object_get_ex(it, "type", &v)
                             ? json_object_get_string(v) : "";
            const char *m = json_object_object_get_ex(it, "mode", &v)
                          ? json_object_get_string(v) : NULL;
            if (strcmp(type, "strategy") != 0 && strcmp(type, "baseline") != 0)
                continue;
            if (mode && m && strcmp(m, mode) != 0)
                continue;   /* a baseline of that id in the other mode may follow */
            snprintf(e->type, sizeof(e->type), "%s", type);
            snprintf(e->mode, sizeof(e->mode), "%s", mode ? mode : m ? m : "offline_mock");
            json_object_put(list);
            return 0;
        }
    }
    json_object_put(list);
    /* not configured (or no engine): what the table holds */
    snprintf(e->mode, sizeof(e->mode), "%s", mode ? mode : "offline_mock");
    static const char *const types[] = { "strategy", "baseline" };
    for (int i = 0; i < 2; i++) {
        int rc = probe(d, s, types[i], id, e->mode);
        if (rc == 0) {
            snprintf(e->type, sizeof(e->type), "%s", types[i]);
            return 0;
        }
        if (rc != JUTSU_ENOENT) {
            fe_db_fail(r, s, rc, "daily_performance");
            return -1;
        }
    }
    snprintf(msg, sizeof(msg), "no strategy or baseline \"%s\" (%s)", id, e->mode);
    fe_error(r, 404, "not_found", msg, "GET /api/strategies lists them");
    return -1;
}

/* The session, the data API and the path's entity. */
static jutsu_dbs *open_entity(struct fe_req *r, const struct jutsu_data **d, const char *mode,
                              struct ent *e)
{
    jutsu_dbs *s;
    if ((*d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return NULL;
    return find_entity(r, *d, s, r->params[0], mode, e) == 0 ? s : NULL;
}

/* --- a daily_performance row as JSON -------------------------------------- */

static json_object *row_json(const struct jutsu_daily_perf_row *x)
{
    json_object *o = json_object_new_object();
    fe_add(o, "trading_date", jutsu_json_date(x->trading_date));
    fe_add(o, "entity_type", fe_json_text(x->entity_type));
    fe_add(o, "entity_id", fe_json_text(x->entity_id));
    fe_add(o, "mode", fe_json_text(x->mode));
    fe_add(o, "total_equity", jutsu_json_money(x->total_equity));
    fe_add(o, "cash", jutsu_json_money(x->cash));
    fe_add(o, "positions_value", jutsu_json_money(x->positions_value));
    json_object *pos = NULL;
    if (x->positions_json && *x->positions_json)
        pos = json_tokener_parse(x->positions_json);
    fe_add(o, "positions", pos);
    fe_add(o, "daily_return", jutsu_json_ratio(x->daily_return, 6));
    fe_add(o, "cumulative_return", jutsu_json_ratio(x->cumulative_return, 6));
    fe_add(o, "drawdown", jutsu_json_ratio(x->drawdown, 6));
    fe_add(o, "sharpe_ratio", jutsu_json_ratio(x->sharpe_ratio, 6));
    fe_add(o, "sortino_ratio", jutsu_json_ratio(x->sortino_ratio, 6));
    fe_add(o, "calmar_ratio", jutsu_json_ratio(x->calmar_ratio, 6));
    fe_add(o, "max_drawdown", jutsu_json_ratio(x->max_drawdown, 6));
    fe_add(o, "volatility", jutsu_json_ratio(x->volatility, 6));
    fe_add(o, "cagr", jutsu_json_ratio(x->cagr, 6));
    fe_add(o, "strategy_cell", fe_json_int(x->strategy_cell));
    fe_add(o, "trend_state", fe_json_text(x->trend_state));
    fe_add(o, "vol_state", fe_json_text(x->vol_state));
    fe_add(o, "t_norm", jutsu_json_ratio(x->t_norm, 6));
    fe_add(o, "z_score", jutsu_json_ratio(x->z_score, 6));
    fe_add(o, "sma_fast", jutsu_json_money(x->sma_fast));
    fe_add(o, "sma_slow", jutsu_json_money(x->sma_slow));
    fe_add(o, "total_trades", fe_json_int(x->total_trades));
    fe_add(o, "winning_trades", fe_json_int(x->winning_trades));
    fe_add(o, "losing_trades", fe_json_int(x->losing_trades));
    fe_add(o, "win_rate", jutsu_json_ratio(x->win_rate, 2));
    fe_add(o, "baseline_symbol", fe_json_text(x->baseline_symbol));
    fe_add(o, "initial_capital", jutsu_json_money(x->initial_capital));
    fe_add(o, "high_water_mark", jutsu_json_money(x->high_water_mark));
    fe_add(o, "trading_days_count", fe_json_int(x->trading_days_count));
    fe_add(o, "days_since_previous", fe_json_int(x->days_since_previous));
    fe_add(o, "is_first_day", x->is_first_day == JUTSU_INT_NULL ? NULL
                           : json_object_new_boolean(x->is_first_day != 0));
    fe_add(o, "returns_sum", jutsu_json_ratio(x->returns_sum, 8));
    fe_add(o, "returns_sum_sq", jutsu_json_ratio(x->returns_sum_sq, 8));
    fe_add(o, "downside_sum_sq", jutsu_json_ratio(x->downside_sum_sq, 8));
    fe_add(o, "returns_count", fe_json_int(x->returns_count));
    fe_add(o, "finalized_at", jutsu_json_time(x->finalized_at));
    json_object *mets = x->metrics && *x->metrics ? json_tokener_parse(x->metrics) : NULL;
    if (mets == NULL || !json_object_is_type(mets, json_type_object)) {
        json_object_put(mets);
        mets = json_object_new_object();
    }
    fe_add(o, "metrics", mets);
    return o;
}

static json_object *entity_json(const struct ent *e)
{
    json_object *o = json_object_new_object();
    fe_add(o, "entity_id", json_object_new_string(e->id));
    fe_add(o, "entity_type", json_object_new_string(e->type));
    fe_add(o, "mode", json_object_new_string(e->mode));
    return o;
}

/* --- rows gathered -------------------------------------------------------- */

/* What the series routes keep of a row: nothing borrowed. */
struct pt {
    jutsu_date_t  date;
    jutsu_money_t equity, hwm, initial;
    double        daily_return, cumulative_return, drawdown;
};

struct pts {
    struct pt *v;
    size_t     n, cap;
    int        oom;
};

static int take_pt(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *x = row;
    struct pts *p = arg;
    if (p->n == FE_PERF_MAX_ROWS)
        return 1;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        struct pt *v = realloc(p->v, cap * sizeof(*v));
        if (v == NULL) {
            p->oom = 1;
            return 1;
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (struct pt){ x->trading_date, x->total_equity, x->high_water_mark,
                                x->initial_capital, x->daily_return, x->cumulative_return,
                                x->drawdown };
    return 0;
}

/* An entity's rows of [from, to], oldest first; -1 after answering. */
static int read_pts(struct fe_req *r, const struct jutsu_data *d, jutsu_dbs *s,
                    const struct ent *e, jutsu_date_t from, jutsu_date_t to, struct pts *p)
{
    memset(p, 0, sizeof(*p));
    int rc = d->daily_perf_range(s, e->type, e->id, e->mode, from, to, take_pt, p);
    if (p->oom) {
        fe_error(r, 500, "internal", "out of memory", NULL);
        return -1;
    }
    if (rc < 0) {
        fe_db_fail(r, s, rc, "daily_performance");
        return -1;
    }
    return 0;
}

/* --- GET /api/v2/performance/{entity}/daily ------------------------------- */

/* One row as JSON, if it is of `date` (any date when 0). */
struct one {
    jutsu_date_t date;
    json_object *row;
};

static int take_one(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *x = row;
    struct one *o = arg;
    if (o->date == 0 || x->trading_date == o->date)
        o->row = row_json(x);
    return 0;   /* the read asks for one row: nothing to stop */
}

int fe_h_perf_daily(struct fe_req *r)
{
    const struct jutsu_data *d;
    const char *mode;
    jutsu_date_t date = 0;
    struct ent e;
    jutsu_dbs *s;
    if (query_mode(r, &mode) != 0 || fe_query_date(r, "date", 1, &date) != 0 ||
        (s = open_entity(r, &d, mode, &e)) == NULL)
        return 0;
    /* the newest row on or before the date, which must be that day's */
    struct one one = { date, NULL };
    int rc = d->daily_perf_latest(s, e.type, e.id, e.mode, date ? date : FAR_FUTURE, 1,
                                  take_one, &one);
    if (rc == 0 && one.row == NULL)
        rc = JUTSU_ENOENT;
    if (rc == JUTSU_ENOENT) {
        char msg[200], day[JUTSU_DATE_BUFSZ] = "";
        if (date)
            jutsu_date_format(date, day);
        snprintf(msg, sizeof(msg), "no daily_performance row of %s (%s)%s%s", e.id, e.mode,
                 date ? " on " : " yet", day);
        return fe_error(r, 404, "not_found", msg, date ? "the EOD job writes one per trading "
                        "day after the close" : NULL);
    }
    if (rc != 0) {
        json_object_put(one.row);
        return fe_db_fail(r, s, rc, "daily_performance");
    }
    return fe_ok(r, 200, one.row);
}

/* --- GET /api/v2/performance/{entity}/daily/history ----------------------- */

struct hist {
    json_object *rows;
    int          full;
};

static int take_row(const void *row, void *arg)
{
    struct hist *h = arg;
    if (json_object_array_length(h->rows) >= FE_PERF_MAX_ROWS) {
        h->full = 1;
        return 1;
    }
    json_object_array_add(h->rows, row_json(row));
    return 0;
}

int fe_h_perf_history(struct fe_req *r)
{
    const struct jutsu_data *d;
    const char *mode;
    jutsu_date_t from = 0, to = 0;
    int64_t days = 0;
    struct ent e;
    jutsu_dbs *s;
    if (query_mode(r, &mode) != 0 || fe_query_date(r, "from", 1, &from) != 0 ||
        fe_query_date(r, "to", 1, &to) != 0 ||
        fe_query_int(r, "days", 1, FE_PERF_MAX_DAYS, &days) != 0)
        return 0;
    if (days && from)
        return fe_bad_param(r, "days: give either days or from, not both"), 0;
    if (from && to && from > to)
        return fe_bad_param(r, "to: the range ends before from"), 0;
    if ((s = open_entity(r, &d, mode, &e)) == NULL)
        return 0;
    struct hist h = { json_object_new_array(), 0 };
    int rc;
    if (from) {
        rc = d->daily_perf_range(s, e.type, e.id, e.mode, from, to ? to : FAR_FUTURE, take_row,
                                 &h);
    } else {
        rc = d->daily_perf_latest(s, e.type, e.id, e.mode, to ? to : FAR_FUTURE,
                                  days ? days : FE_PERF_DEFAULT_DAYS, take_row, &h);
        /* read newest first, answered oldest first like a range */
        size_t n = json_object_array_length(h.rows);
        for (size_t i = 0; rc >= 0 && i < n / 2; i++) {
            json_object *a = json_object_get(json_object_array_get_idx(h.rows, i));
            json_object *b = json_object_get(json_object_array_get_idx(h.rows, n - 1 - i));
            json_object_array_put_idx(h.rows, i, b);
            json_object_array_put_idx(h.rows, n - 1 - i, a);
        }
    }
    if (rc < 0) {
        json_object_put(h.rows);
        return fe_db_fail(r, s, rc, "daily_performance");
    }
    json_object *o = entity_json(&e);
    size_t n = json_object_array_length(h.rows);
    fe_add(o, "count", json_object_new_int64((int64_t)n));
    fe_add(o, "truncated", json_object_new_boolean(h.full));
    fe_add(o, "rows", h.rows);
    return fe_ok(r, 200, o);
}

/* --- GET /api/v2/performance/comparison ----------------------------------- */

static json_object *pt_json(const struct pt *p)
{
    json_object *o = json_object_new_object();
    fe_add(o, "equity", jutsu_json_money(p->equity));
    fe_add(o, "daily_return", jutsu_json_ratio(p->daily_return, 6));
    fe_add(o, "cumulative_return", jutsu_json_ratio(p->cumulative_return, 6));
    fe_add(o, "drawdown", jutsu_json_ratio(p->drawdown, 6));
    return o;
}

int fe_h_perf_comparison(struct fe_req *r)
{
    const struct jutsu_data *d;
    const char *mode, *list;
    jutsu_date_t from = 0, to = FAR_FUTURE;
    jutsu_dbs *s;
    if (query_mode(r, &mode) != 0 || query_range(r, &from, &to) != 0 ||
        fe_query_word(r, "entities", FE_PARAM_MAX - 1, &list) != 0)
        return 0;
    if (list == NULL)
        return fe_bad_param(r, "entities: is required (ids separated by commas: v3_5b,QQQ)"), 0;
    if (from == 0)
        from = FAR_PAST;
    if ((d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    struct ent ents[FE_PERF_MAX_ENTITIES];
    struct pts pts[FE_PERF_MAX_ENTITIES];
    size_t n = 0, at[FE_PERF_MAX_ENTITIES] = { 0 };
    char buf[FE_PARAM_MAX], msg[160];
    snprintf(buf, sizeof(buf), "%s", list);
    int failed = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && !failed;
         t = strtok_r(NULL, ",", &save)) {
        if (n == FE_PERF_MAX_ENTITIES) {
            snprintf(msg, sizeof(msg), "entities: at most %d", FE_PERF_MAX_ENTITIES);
            fe_bad_param(r, msg);
            failed = 1;
        } else if (find_entity(r, d, s, t, mode, &ents[n]) != 0 ||
                   read_pts(r, d, s, &ents[n], from, to, &pts[n]) != 0) {
            failed = 1;
        } else {
            n++;
        }
    }
    if (!failed && n == 0)
        failed = fe_bad_param(r, "entities: is required (ids separated by commas: v3_5b,QQQ)");
    json_object *o = NULL;
    if (!failed) {
        json_object *el = json_object_new_array(), *rows = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(el, entity_json(&ents[i]));
        /* a k-way merge on the date: one row per date any entity has */
        for (;;) {
            jutsu_date_t next = 0;
            for (size_t i = 0; i < n; i++)
                if (at[i] < pts[i].n && (next == 0 || pts[i].v[at[i]].date < next))
                    next = pts[i].v[at[i]].date;
            if (next == 0)
                break;
            json_object *row = json_object_new_object();
            fe_add(row, "date", jutsu_json_date(next));
            for (size_t i = 0; i < n; i++) {
                int has = at[i] < pts[i].n && pts[i].v[at[i]].date == next;
                fe_add(row, ents[i].id, has ? pt_json(&pts[i].v[at[i]++]) : NULL);
            }
            json_object_array_add(rows, row);
        }
        o = json_object_new_object();
        fe_add(o, "entities", el);
        fe_add(o, "count", json_object_new_int64((int64_t)json_object_array_length(rows)));
        fe_add(o, "rows", rows);
    }
    for (size_t i = 0; i < n; i++)
        free(pts[i].v);
    return o ? fe_ok(r, 200, o) : 0;
}

/* --- GET /api/v2/performance/{entity}/returns ----------------------------- */

/* One period's return from the equity before it to its last. */
static json_object *period(int year, int month, jutsu_money_t start, jutsu_money_t end)
{
    json_object *o = json_object_new_object();
    fe_add(o, "year", json_object_new_int(year));
    if (month)
        fe_add(o, "month", json_object_new_int(month));
    fe_add(o, "return", start > 0 ? jutsu_json_ratio((double)end / (double)start - 1.0, 6) : NULL);
    fe_add(o, "start_equity", jutsu_json_money(start));
    fe_add(o, "end_equity", jutsu_json_money(end));
    return o;
}

int fe_h_perf_returns(struct fe_req *r)
{
    const struct jutsu_data *d;
    const char *mode;
    jutsu_date_t from = 0, to = FAR_FUTURE;
    struct ent e;
    struct pts p;
    jutsu_dbs *s;
    if (query_mode(r, &mode) != 0 || query_range(r, &from, &to) != 0 ||
        (s = open_entity(r, &d, mode, &e)) == NULL)
        return 0;
    /* a period starts from the equity of the row before it: for the first,
     * the row before `from`, else the capital the entity started with */
    jutsu_money_t before = JUTSU_MONEY_NULL;
    if (from) {
        struct jutsu_daily_perf_row prev;
        int rc = d->daily_perf_prev(s, e.type, e.id, e.mode, from, &prev);
        if (rc == 0)
            before = prev.total_equity;
        else if (rc != JUTSU_ENOENT)
            return fe_db_fail(r, s, rc, "daily_performance");
    }
    if (read_pts(r, d, s, &e, from ? from : FAR_PAST, to, &p) != 0)
        return 0;
    if (p.n && before == JUTSU_MONEY_NULL)
        before = p.v[0].initial != JUTSU_MONEY_NULL ? p.v[0].initial : p.v[0].equity;
    json_object *years = json_object_new_array(), *months = json_object_new_array();
    jutsu_money_t ystart = before, mstart = before;
    for (size_t i = 0; i < p.n; i++) {
        int y, m, yn = 0, mn = 0;
        jutsu_date_to_ymd(p.v[i].date, &y, &m, NULL);
        if (i + 1 < p.n)
            jutsu_date_to_ymd(p.v[i + 1].date, &yn, &mn, NULL);
        if (i + 1 == p.n || mn != m || yn != y) {
            json_object_array_add(months, period(y, m, mstart, p.v[i].equity));
            mstart = p.v[i].equity;
        }
        if (i + 1 == p.n || yn != y) {
            json_object_array_add(years, period(y, 0, ystart, p.v[i].equity));
            ystart = p.v[i].equity;
        }
    }
    free(p.v);
    json_object *o = entity_json(&e);
    fe_add(o, "years", years);
    fe_add(o, "months", months);
    return fe_ok(r, 200, o);
}

/* --- GET /api/v2/performance/{entity}/drawdown ---------------------------- */

int fe_h_perf_drawdown(struct fe_req *r)
{
    const struct jutsu_data *d;
    const char *mode;
    jutsu_date_t from = 0, to = FAR_FUTURE;
    struct ent e;
    struct pts p;
    jutsu_dbs *s;
    if (query_mode(r, &mode) != 0 || query_range(r, &from, &to) != 0 ||
        (s = open_entity(r, &d, mode, &e)) == NULL ||
        read_pts(r, d, s, &e, from ? from : FAR_PAST, to, &p) != 0)
        return 0;
    json_object *rows = json_object_new_array();
    double worst = NAN;
    jutsu_date_t worst_on = 0;
    for (size_t i = 0; i < p.n; i++) {
        json_object *o = json_object_new_object();
        fe_add(o, "date", jutsu_json_date(p.v[i].date));
        fe_add(o, "drawdown", jutsu_json_ratio(p.v[i].drawdown, 6));
        fe_add(o, "equity", jutsu_json_money(p.v[i].equity));
        fe_add(o, "high_water_mark", jutsu_json_money(p.v[i].hwm));
        json_object_array_add(rows, o);
        if (isfinite(p.v[i].drawdown) && (isnan(worst) || p.v[i].drawdown < worst)) {
            worst = p.v[i].drawdown;
            worst_on = p.v[i].date;
        }
    }
    free(p.v);
    json_object *o = entity_json(&e);
    fe_add(o, "max_drawdown", jutsu_json_ratio(worst, 6));
    fe_add(o, "max_drawdown_date", worst_on ? jutsu_json_date(worst_on) : NULL);
    fe_add(o, "count", json_object_new_int64((int64_t)json_object_array_length(rows)));
    fe_add(o, "rows", rows);
    return fe_ok(r, 200, o);
}

/* --- the EOD job's status ------------------------------------------------- */

static json_object *eod_json(jutsu_date_t date, const struct jutsu_eod_status_row *x)
{
    json_object *o = json_object_new_object();
    fe_add(o, "date", jutsu_json_date(date));
    if (x == NULL) {
        fe_add(o, "status", json_object_new_string("not_run"));
        fe_add(o, "finalized", json_object_new_boolean(0));
        return o;
    }
    fe_add(o, "status", fe_json_text(x->status));
    fe_add(o, "finalized", json_object_new_boolean(x->status && strcmp(x->status, "completed") == 0));
    fe_add(o, "started_at", jutsu_json_time(x->started_at));
    fe_add(o, "completed_at", jutsu_json_time(x->completed_at));
    fe_add(o, "strategies_total", fe_json_int(x->strategies_total));
    fe_add(o, "strategies_processed", fe_json_int(x->strategies_processed));
    fe_add(o, "baselines_total", fe_json_int(x->baselines_total));
    fe_add(o, "baselines_processed", fe_json_int(x->baselines_processed));
    fe_add(o, "error_message", fe_json_text(x->error_message));
    fe_add(o, "retry_count", fe_json_int(x->retry_count));
    return o;
}

static int today(struct fe_req *r, jutsu_date_t *out)
{
    const struct jutsu_host *h = r->fe->host;
    if (h->now == NULL || h->exchange_date == NULL ||
        h->exchange_date(r->fe->ctx, h->now(r->fe->ctx), out) != 0) {
        fe_error(r, 500, "internal", "today's exchange date is not known", NULL);
        return -1;
    }
    return 0;
}

int fe_h_perf_eod_day(struct fe_req *r)
{
    const struct jutsu_data *d;
    jutsu_date_t date;
    jutsu_dbs *s;
    char msg[160];
    if (r->params_n == 0) {
        if (today(r, &date) != 0)
            return 0;
    } else if (jutsu_date_parse(r->params[0], -1, &date) != 0) {
        snprintf(msg, sizeof(msg), "date: \"%.40s\" is not a date (YYYY-MM-DD, or today)",
                 r->params[0]);
        return fe_error(r, 400, "bad_parameter", msg, NULL);
    }
    if ((d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    struct jutsu_eod_status_row row;
    int rc = d->eod_status_get(s, date, &row);
    if (rc != 0 && rc != JUTSU_ENOENT)
        return fe_db_fail(r, s, rc, "eod_job_status");
    return fe_ok(r, 200, eod_json(date, rc == 0 ? &row : NULL));
}

struct eod_days {
    json_object *days;
};

static int take_eod(const void *row, void *arg)
{
    const struct jutsu_eod_status_row *x = row;
    json_object_array_add(((struct eod_days *)arg)->days, eod_json(x->job_date, x));
    return 0;
}

int fe_h_eod_status(struct fe_req *r)
{
    const struct jutsu_data *d;
    jutsu_date_t from = 0, to = 0;
    jutsu_dbs *s;
    char msg[160];
    if (fe_query_date(r, "from", 1, &from) != 0 || fe_query_date(r, "to", 1, &to) != 0)
        return 0;
    if (to == 0 && today(r, &to) != 0)
        return 0;
    if (from == 0)
        from = to - (FE_EOD_DEFAULT_SPAN - 1);
    if (from > to)
        return fe_bad_param(r, "to: the range ends before from"), 0;
    if (to - from >= FE_EOD_MAX_SPAN) {
        snprintf(msg, sizeof(msg), "from: the range spans more than %d days", FE_EOD_MAX_SPAN);
        return fe_bad_param(r, msg), 0;
    }
    if ((d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    struct eod_days x = { json_object_new_array() };
    int rc = d->eod_status_range(s, from, to, take_eod, &x);
    if (rc < 0) {
        json_object_put(x.days);
        return fe_db_fail(r, s, rc, "eod_job_status");
    }
    json_object *o = json_object_new_object();
    fe_add(o, "from", jutsu_json_date(from));
    fe_add(o, "to", jutsu_json_date(to));
    fe_add(o, "days", x.days);
    return fe_ok(r, 200, o);
}
