/*
 * core/eod/eod_chain.c — one entity's chain of daily_performance rows (see
 * eod.h for what a row holds, eod_int.h for the contract).
 *
 * The chain reads everything it needs for its range up front (the row
 * before the range, a strategy's snapshots and trades, closes through the
 * price book), then walks the days in order carrying what each row hands
 * the next: that is what keeps a day O(1) and a backfill O(days).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"
#include "base/json_writer.h"
#include "eod/eod_held.h"
#include "eod/eod_int.h"
#include "base/log.h"

#define MAX_LOGGED_PROBLEMS 5   /* per chain; the rest are counted */

/* What a row hands the next one. */
struct carry {
    int           have;
    jutsu_date_t  date;
    jutsu_money_t equity, hwm, initial;
    jutsu_money_t basis;           /* a baseline's close on its first day */
    int32_t       count, trades, won, lost;
    json_object  *kpi;             /* kpi_state (owned), NULL on day one  */
};

/* A snapshot, copied out of the session. */
struct snap {
    jutsu_time_t  ts;
    jutsu_money_t cash;
    char         *positions;       /* positions_json */
    int32_t       cell;
    char          trend[24], vol[12];
    double        t_norm, z_score;
    jutsu_money_t sma_fast, sma_slow;
};

struct trade {
    jutsu_time_t  ts;
    int           sell;
    jutsu_money_t pnl;             /* JUTSU_MONEY_NULL when not recorded */
};

struct inputs {
    struct snap  *snaps;
    size_t        nsnaps, capsnaps;
    struct trade *trades;
    size_t        ntrades, captrades;
    int           oom;
};

struct chain {
    struct eod_env             *e;
    const struct jutsu_entity  *ent;
    struct jutsu_row_bulk      *bulk;       /* a fresh store's writer, or NULL */
    struct jutsu_jw             pos;        /* the day's positions_json (PLAIN) */
    size_t                      ndays;      /* in the range */
    struct jutsu_eod_day       *reps;
    char                       *note;       /* the entity's first problem, or NULL */
    int                         nproblems;
};

static void problem(struct chain *c, size_t i, jutsu_date_t d, const char *fmt, ...)
    JUTSU_PRINTF(4, 5);
static void problem(struct chain *c, size_t i, jutsu_date_t d, const char *fmt, ...)
{
    char msg[400], day[JUTSU_DATE_BUFSZ];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    jutsu_date_format(d, day);
    if (c->nproblems < MAX_LOGGED_PROBLEMS)
        jutsu_log("eod", JUTSU_LOG_WARN, "%s %s %s (%s): %s", day, c->ent->type_name, c->ent->id,
                  c->ent->mode, msg);
    else if (c->nproblems == MAX_LOGGED_PROBLEMS)
        jutsu_log("eod", JUTSU_LOG_WARN, "%s %s (%s): more days not finalised; see `jutsu eod "
                  "status`", c->ent->type_name, c->ent->id, c->ent->mode);
    c->nproblems++;
    if (c->reps && c->reps[i].error[0] == '\0')
        snprintf(c->reps[i].error, sizeof(c->reps[i].error), "%s %s: %s", c->ent->type_name,
                 c->ent->id, msg);
    if (c->note && c->note[0] == '\0')
        snprintf(c->note, JUTSU_EOD_NOTE_SZ, "%s: %.230s", day, msg);
}

/* --- where the data ends ---------------------------------------------------- */

/* The job's record of where `symbol`'s data ends, read the first time. */
static int newest_of(struct eod_env *e, const char *symbol, struct eod_newest **out)
{
    for (size_t i = 0; i < e->nnewest; i++)
        if (strcmp(e->newest[i].symbol, symbol) == 0) {
            *out = &e->newest[i];
            return 0;
        }
    struct eod_newest *v = realloc(e->newest, (e->nnewest + 1) * sizeof(*v));
    if (v == NULL)
        return JUTSU_ENOMEM;
    e->newest = v;
    struct eod_newest *x = &v[e->nnewest];
    memset(x, 0, sizeof(*x));
    snprintf(x->symbol, sizeof(x->symbol), "%s", symbol);
    int rc = jutsu_eod_newest_bar(e->market ? e->market : e->s, symbol, &x->date);
    if (rc != 0 && rc != JUTSU_ENOENT)
        return rc;
    x->found = rc == 0;
    e->nnewest++;
    *out = x;
    return 0;
}

/* Whether day d comes after the end of `symbol`'s data: *w then points at
 * its record (else NULL). 0 or a storage error. */
static int data_ended(struct eod_env *e, const char *symbol, jutsu_date_t d,
                      struct eod_newest **w)
{
    struct eod_newest *x;
    int rc = newest_of(e, symbol, &x);
    *w = rc == 0 && x->found && x->date < d ? x : NULL;
    return rc;
}

/* An entity that waits for `x`'s data on day i: said in the day's report
 * and the entity's note, not logged (the job says all its waits in one
 * line), and remembered for that line. */
static void waiting(struct chain *c, size_t i, struct eod_newest *x)
{
    char end[JUTSU_DATE_BUFSZ];
    jutsu_date_format(x->date, end);
    x->waited = 1;
    if (c->reps && c->reps[i].error[0] == '\0')
        snprintf(c->reps[i].error, sizeof(c->reps[i].error), "%s %s: waits for data: the newest "
                 "%s bar is %s", c->ent->type_name, c->ent->id, x->symbol, end);
    if (c->note && c->note[0] == '\0')
        snprintf(c->note, JUTSU_EOD_NOTE_SZ, "the newest %s bar is %s", x->symbol, end);
}

/* A symbol without a valid bar on d that the data does not end before:
 * what to say, with a command that can help. */
static void no_bar(struct chain *c, size_t i, jutsu_date_t d, const char *symbol,
                   jutsu_prices *prices)
{
    char day[JUTSU_DATE_BUFSZ], before[JUTSU_DATE_BUFSZ], last[JUTSU_DATE_BUFSZ];
    jutsu_money_t close;
    jutsu_date_t on;
    struct eod_newest *x = NULL;
    jutsu_date_format(d, day);
    if (jutsu_prices_asof(prices, symbol, d, &close, &on) != 0 ||
        newest_of(c->e, symbol, &x) != 0 || !x->found) {
        if (jutsu_eod_synced(c->e->app, symbol))
            problem(c, i, d, "no valid %s bar on %s: %s has none at all, though sync.symbols "
                    "lists it (`jutsu sync --symbol %s` says why)", symbol, day, symbol, symbol);
        else
            problem(c, i, d, "no valid %s bar on %s: %s has none at all; add it to "
                    "sync.symbols, then run `jutsu sync`", symbol, day, symbol);
        return;
    }
    jutsu_date_format(on, before);
    jutsu_date_format(x->date, last);
    problem(c, i, d, "no valid %s bar on %s (the newest before it is %s; the data goes on to "
            "%s): `jutsu data gaps %s` lists the days without one, `jutsu sync --symbol %s "
            "--from %s --to %s` fetches a missing one again", symbol, day, before, last, symbol,
            symbol, day, day);
}

/* The first instant of the exchange date d, UTC. */
static jutsu_time_t day_start(const struct eod_env *e, jutsu_date_t d)
{
    jutsu_time_t t;
    if (e->tz == NULL || jutsu_tz_to_utc(e->tz, d, 0, 0, 0, &t) != 0)
        return jutsu_date_to_time(d);
    return t;
}

/* --- the row before the range ------------------------------------------- */

/* A baseline's first close, kept in its rows' positions_json. */
static int read_basis(const char *positions, jutsu_money_t *basis)
{
    json_object *a = positions ? json_tokener_parse(positions) : NULL, *x, *b;
    int rc = JUTSU_EMALFORMED;
    if (a && json_object_is_type(a, json_type_array) && json_object_array_length(a) == 1 &&
        (x = json_object_array_get_idx(a, 0)) != NULL &&
        json_object_object_get_ex(x, "basis_close", &b) && json_object_is_type(b, json_type_string))
        rc = jutsu_money_parse(json_object_get_string(b), -1, JUTSU_MONEY_EXACT, basis);
    json_object_put(a);
    return rc == 0 && *basis > 0 ? 0 : JUTSU_EMALFORMED;
}

static int nz(int32_t v)
{
    return v == JUTSU_INT_NULL ? 0 : v;
}

/* Reads the row before `first` into the carry. JUTSU_EMALFORMED (reason in
 * why) for a row the chain cannot continue from. */
static int load_carry(struct chain *c, jutsu_date_t first, struct carry *k, char *why,
                      size_t whysz)
{
    const struct jutsu_entity *ent = c->ent;
    struct jutsu_daily_perf_row p;
    memset(k, 0, sizeof(*k));
    int rc = jutsu_data_daily_perf_prev(c->e->s, ent->type_name, ent->id, ent->mode, first, &p);
    if (rc == JUTSU_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    char day[JUTSU_DATE_BUFSZ];
    jutsu_date_format(p.trading_date, day);
    k->have = 1;
    k->date = p.trading_date;
    k->equity = p.total_equity;
    k->initial = p.initial_capital != JUTSU_MONEY_NULL ? p.initial_capital : ent->initial_capital;
    k->hwm = p.high_water_mark != JUTSU_MONEY_NULL ? p.high_water_mark
           : k->initial > k->equity ? k->initial : k->equity;
    k->count = p.trading_days_count != JUTSU_INT_NULL ? p.trading_days_count : 1;
    k->trades = nz(p.total_trades);
    k->won = nz(p.winning_trades);
    k->lost = nz(p.losing_trades);
    if (ent->type == JUTSU_ENTITY_BASELINE && read_basis(p.positions_json, &k->basis) != 0) {
        snprintf(why, whysz, "its row of %s lacks the first close (positions_json.basis_close): "
                 "recompute its history with `jutsu eod backfill --entity %s`", day, ent->id);
        return JUTSU_EMALFORMED;
    }
    if (k->equity <= 0) {
        snprintf(why, whysz, "its row of %s has an equity of zero or less; nothing can follow "
                 "it", day);
        return JUTSU_EMALFORMED;
    }
    if (p.kpi_state && *p.kpi_state)
        k->kpi = json_tokener_parse(p.kpi_state);   /* a missing state is the fold's to report */
    return 0;
}

/* --- a strategy's snapshots and trades over the range --------------------- */

static int push_snap(struct inputs *in, const struct jutsu_snapshot_row *r)
{
    if (in->nsnaps == in->capsnaps) {
        size_t cap = in->capsnaps ? in->capsnaps * 2 : 16;
        struct snap *s = realloc(in->snaps, cap * sizeof(*s));
        if (s == NULL)
            return JUTSU_ENOMEM;
        in->snaps = s;
        in->capsnaps = cap;
    }
    struct snap *s = &in->snaps[in->nsnaps];
    memset(s, 0, sizeof(*s));
    s->ts = r->ts;
    s->cash = r->cash;
    s->cell = r->strategy_cell;
    snprintf(s->trend, sizeof(s->trend), "%s", r->trend_state ? r->trend_state : "");
    snprintf(s->vol, sizeof(s->vol), "%s", r->vol_state ? r->vol_state : "");
    s->t_norm = r->t_norm;
    s->z_score = r->z_score;
    s->sma_fast = r->sma_fast;
    s->sma_slow = r->sma_slow;
    if (r->positions_json && (s->positions = strdup(r->positions_json)) == NULL)
        return JUTSU_ENOMEM;
    in->nsnaps++;
    return 0;
}

static int take_snap(const void *row, void *arg)
{
    struct inputs *in = arg;
    if (push_snap(in, row) != 0) {
        in->oom = 1;
        return JUTSU_ENOMEM;
    }
    return 0;
}

static int take_trade(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    struct inputs *in = arg;
    if (in->ntrades == in->captrades) {
        size_t cap = in->captrades ? in->captrades * 2 : 64;
        struct trade *t = realloc(in->trades, cap * sizeof(*t));
        if (t == NULL) {
            in->oom = 1;
            return JUTSU_ENOMEM;
        }
        in->trades = t;
        in->captrades = cap;
    }
    in->trades[in->ntrades++] = (struct trade){
        .ts = r->ts, .sell = r->action && strcmp(r->action, "SELL") == 0, .pnl = r->realized_pnl,
    };
    return 0;
}

static void inputs_free(struct inputs *in)
{
    for (size_t i = 0; i < in->nsnaps; i++)
        free(in->snaps[i].positions);
    free(in->snaps);
    free(in->trades);
    memset(in, 0, sizeof(*in));
}

/* The newest snapshot before the range (the positions carried into its
 * first day), then the range's snapshots and trades. */
static int load_inputs(struct chain *c, jutsu_time_t from, jutsu_time_t to, struct inputs *in)
{
    jutsu_dbs *s = c->e->s;
    const struct jutsu_entity *ent = c->ent;
    struct jutsu_snapshot_row r;
    int rc = jutsu_data_snapshot_latest(s, ent->id, ent->mode, from - 1, &r);
    if (rc == 0)
        rc = push_snap(in, &r);
    else if (rc == JUTSU_ENOENT)
        rc = 0;
    if (rc == 0)
        rc = jutsu_data_snapshots_range(s, ent->id, ent->mode, from, to, take_snap, in);
    if (rc == 0)
        rc = jutsu_data_trades_range(s, ent->id, ent->mode, from, to, take_trade, in);
    return in->oom ? JUTSU_ENOMEM : rc;
}

/* --- valuing a day -------------------------------------------------------- */

/* What a day is worth. Its positions_json is the text in the chain's
 * writer (c->pos), rewritten each day. */
struct valued {
    jutsu_money_t equity, cash, positions_value;
    jutsu_money_t basis;          /* a baseline's first close */
};

static void pos_money(struct jutsu_jw *w, const char *key, jutsu_money_t v)
{
    jutsu_jw_key(w, key);
    jutsu_jw_money(w, v);
}

/* initial_capital x close / first close, the baseline's holding. */
static int value_baseline(struct chain *c, size_t i, jutsu_date_t d, jutsu_prices *prices,
                          const struct carry *k, struct valued *v, int *outcome)
{
    const struct jutsu_entity *ent = c->ent;
    jutsu_money_t close, q;
    int rc = jutsu_prices_on(prices, ent->symbol, d, &close);
    if (rc == JUTSU_ENOENT) {
        struct eod_newest *x;
        if ((rc = data_ended(c->e, ent->symbol, d, &x)) != 0)
            return rc;
        if (x) {
            waiting(c, i, x);
            *outcome = JUTSU_EOD_WAITING;
        } else {
            no_bar(c, i, d, ent->symbol, prices);
            *outcome = JUTSU_EOD_NO_DATA;
        }
        return 0;
    }
    if (rc != 0)
        return rc;
    jutsu_money_t basis = k->have ? k->basis : close;
    jutsu_money_t initial = k->have ? k->initial : ent->initial_capital;
    if (jutsu_money_muldiv(initial, close, basis, &v->equity) != 0 ||
        jutsu_money_muldiv(initial, JUTSU_MONEY_SCALE, basis, &q) != 0) {
        problem(c, i, d, "the holding's value is beyond NUMERIC(18,6)");
        *outcome = JUTSU_EOD_FAILED;
        return 0;
    }
    v->cash = 0;
    v->positions_value = v->equity;
    v->basis = basis;
    struct jutsu_jw *w = &c->pos;
    jutsu_jw_reset(w);
    jutsu_jw_begin(w, '[');
    jutsu_jw_begin(w, '{');
    jutsu_jw_key(w, "symbol");
    jutsu_jw_str(w, ent->symbol);
    pos_money(w, "quantity", q);     /* fractional shares, for people; the value is exact */
    pos_money(w, "price", close);
    pos_money(w, "value", v->equity);
    pos_money(w, "basis_close", basis);
    jutsu_jw_end(w, '}');
    jutsu_jw_end(w, ']');
    return 0;
}

/* --- a snapshot's positions, read ---------------------------------------- */

/* The snapshot's positions at d's closes, plus its cash. */
static int value_strategy(struct chain *c, size_t i, jutsu_date_t d, jutsu_prices *prices,
                          const struct snap *sn, struct valued *v, int *outcome)
{
    struct jutsu_eod_held hs;
    int fast = sn->positions == NULL ? (hs.n = 0, 1)
                                     : jutsu_eod_held_fast(sn->positions, &hs) == 0;
    json_object *held = fast ? NULL : json_tokener_parse(sn->positions);
    if ((!fast && (held == NULL || !json_object_is_type(held, json_type_array))) ||
        sn->cash == JUTSU_MONEY_NULL) {
        char when[JUTSU_TIME_BUFSZ];
        jutsu_time_format(sn->ts, when);
        problem(c, i, d, "its snapshot of %s has %s", when,
                sn->cash == JUTSU_MONEY_NULL ? "no cash"
                                             : "positions_json that is not a JSON array");
        json_object_put(held);
        *outcome = JUTSU_EOD_FAILED;
        return 0;
    }
    v->cash = sn->cash;
    v->positions_value = 0;
    struct jutsu_jw *w = &c->pos;
    jutsu_jw_reset(w);
    jutsu_jw_begin(w, '[');
    size_t n = fast ? hs.n : json_object_array_length(held);
    for (size_t j = 0; j < n; j++) {
        const char *symbol;
        int64_t quantity;
        if (fast) {
            symbol = hs.symbol[j];
            quantity = hs.quantity[j];
        } else {
            json_object *p = json_object_array_get_idx(held, j), *sym, *qty;
            if (!json_object_object_get_ex(p, "symbol", &sym) ||
                !json_object_object_get_ex(p, "quantity", &qty) ||
                !json_object_is_type(qty, json_type_int)) {
                problem(c, i, d, "a position of its snapshot lacks symbol or a whole quantity: "
                        "%.80s", json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
                *outcome = JUTSU_EOD_FAILED;
                break;
            }
            symbol = json_object_get_string(sym);
            quantity = json_object_get_int64(qty);
        }
        jutsu_money_t close, value;
        jutsu_date_t on;
        int rc = jutsu_prices_asof(prices, symbol, d, &close, &on);
        struct eod_newest *ended = NULL;
        if (rc == 0 && on != d)   /* an older close: a gap, or the end of the data */
            rc = data_ended(c->e, symbol, d, &ended);
        if (rc == JUTSU_ENOENT) {
            problem(c, i, d, "it holds %s, which has no valid bar on or before that day",
                    symbol);
            *outcome = JUTSU_EOD_NO_DATA;
            break;
        }
        if (rc != 0) {
            json_object_put(held);
            return rc;
        }
        if (ended) {   /* its close of d may still come: not valued at an old one */
            waiting(c, i, ended);
            *outcome = JUTSU_EOD_WAITING;
            break;
        }
        if (jutsu_money_mul_int(quantity, close, &value) != 0 ||
            value > JUTSU_MONEY_MAX - v->positions_value) {
            problem(c, i, d, "the value of its positions is beyond NUMERIC(18,6)");
            *outcome = JUTSU_EOD_FAILED;
            break;
        }
        v->positions_value += value;
        jutsu_jw_begin(w, '{');
        jutsu_jw_key(w, "symbol");
        jutsu_jw_str(w, symbol);
        jutsu_jw_key(w, "quantity");
        jutsu_jw_int(w, quantity);
        pos_money(w, "price", close);
        pos_money(w, "value", value);
        if (on != d) {   /* no bar that day: valued at its newest earlier close */
            jutsu_jw_key(w, "price_date");
            jutsu_jw_date(w, on);
        }
        jutsu_jw_end(w, '}');
    }
    jutsu_jw_end(w, ']');
    json_object_put(held);
    v->equity = v->cash + v->positions_value;
    return 0;
}

/* --- the chain ------------------------------------------------------------ */

static void null_row(struct jutsu_daily_perf_row *r)
{
    memset(r, 0, sizeof(*r));
    r->cash = r->positions_value = r->sma_fast = r->sma_slow = JUTSU_MONEY_NULL;
    r->drawdown = r->sharpe_ratio = r->sortino_ratio = r->calmar_ratio = NAN;
    r->max_drawdown = r->volatility = r->cagr = r->t_norm = r->z_score = r->win_rate = NAN;
    r->returns_sum = r->returns_sum_sq = r->downside_sum_sq = NAN;
    r->welford_mean = r->welford_m2 = NAN;
    r->strategy_cell = r->total_trades = r->winning_trades = r->losing_trades = JUTSU_INT_NULL;
    r->returns_count = r->welford_count = JUTSU_INT_NULL;
}

/* The baseline strategies are compared with: the first of their mode. */
static const char *compared_with(const struct eod_env *e, const char *mode)
{
    for (size_t i = 0; i < e->ents->n; i++)
        if (e->ents->v[i].type == JUTSU_ENTITY_BASELINE && strcmp(e->ents->v[i].mode, mode) == 0)
            return e->ents->v[i].symbol;
    return NULL;
}

struct today {          /* a strategy's trades of the day */
    int32_t all, closed, won, lost;
};

static void count_trades(const struct inputs *in, size_t *ti, jutsu_time_t t0, jutsu_time_t t1,
                         struct today *t)
{
    memset(t, 0, sizeof(*t));
    while (*ti < in->ntrades && in->trades[*ti].ts < t0)
        (*ti)++;
    for (; *ti < in->ntrades && in->trades[*ti].ts <= t1; (*ti)++) {
        const struct trade *x = &in->trades[*ti];
        t->all++;
        if (!x->sell || x->pnl == JUTSU_MONEY_NULL)
            continue;
        t->closed++;
        t->won += x->pnl > 0;
        t->lost += x->pnl < 0;
    }
}

/* One day of an entity's chain: what it is worth that day and what it
 * traded, gathered before its row is made. */
struct day {
    size_t                 i;        /* its place in the range (for problem()) */
    jutsu_date_t           d;
    jutsu_time_t           t0, t1;   /* its first and last µs, exchange time   */
    struct valued          v;
    const struct snap     *sn;       /* a strategy's newest snapshot by t1      */
    struct today           t;        /* its trades, and those of days not done  */
    struct jutsu_eod_cell *cell;
};

/* The row's values that come from the carry and the day, before KPIs. */
static void fill_row(const struct chain *c, const struct carry *k, const struct day *dy,
                     jutsu_money_t initial, jutsu_money_t hwm, struct jutsu_daily_perf_row *row)
{
    const struct jutsu_entity *ent = c->ent;
    const struct valued *v = &dy->v;
    null_row(row);
    row->trading_date = dy->d;
    row->entity_type = ent->type_name;
    row->entity_id = ent->id;
    row->mode = ent->mode;
    row->total_equity = v->equity;
    row->cash = v->cash;
    row->positions_value = v->positions_value;
    row->daily_return = k->have ? (double)v->equity / (double)k->equity - 1.0 : 0.0;
    row->cumulative_return = (double)v->equity / (double)initial - 1.0;
    row->drawdown = (double)v->equity / (double)hwm - 1.0;
    row->initial_capital = initial;
    row->high_water_mark = hwm;
    row->trading_days_count = k->have ? k->count + 1 : 1;
    row->days_since_previous =
        k->have ? (int32_t)jutsu_calendar_count(c->e->cal, k->date + 1, dy->d) : 0;
    row->is_first_day = !k->have;
    if (ent->type == JUTSU_ENTITY_BASELINE) {
        row->baseline_symbol = ent->symbol;
        return;
    }
    row->baseline_symbol = compared_with(c->e, ent->mode);
    row->total_trades = k->trades + dy->t.all;
    row->winning_trades = k->won + dy->t.won;
    row->losing_trades = k->lost + dy->t.lost;
    const struct snap *sn = dy->sn;
    if (sn && sn->ts >= dy->t0) {   /* the regime of this day's run only */
        row->strategy_cell = sn->cell;
        row->trend_state = sn->trend;
        row->vol_state = sn->vol;
        row->t_norm = sn->t_norm;
        row->z_score = sn->z_score;
        row->sma_fast = sn->sma_fast;
        row->sma_slow = sn->sma_slow;
    }
}

/* The KPI plugins' fold of the day into the row; *next is their new state
 * and *metrics their metrics of their own (both owned, either may be NULL).
 * Nonzero, said with problem(), when a fold failed. */
static int fold_kpis(struct chain *c, const struct carry *k, const struct day *dy,
                     struct jutsu_daily_perf_row *row, json_object **next,
                     json_object **metrics)
{
    const struct jutsu_entity *ent = c->ent;
    struct jutsu_kpi_day day = {
        .size = sizeof(day), .date = dy->d, .entity_type = ent->type_name,
        .entity_id = ent->id, .mode = ent->mode, .is_first_day = row->is_first_day,
        .days_since_previous = row->days_since_previous,
        .trading_days_count = row->trading_days_count, .equity = dy->v.equity,
        .previous_equity = k->have ? k->equity : JUTSU_MONEY_NULL,
        .initial_capital = row->initial_capital, .high_water_mark = row->high_water_mark,
        .daily_return = row->daily_return, .cumulative_return = row->cumulative_return,
        .drawdown = row->drawdown, .trades_closed = dy->t.closed, .trades_won = dy->t.won,
        .trades_lost = dy->t.lost,
    };
    char why[512];
    *next = *metrics = NULL;
    if (c->e->kpis.n == 0 ||
        jutsu_kpi_fold(&c->e->kpis, k->have ? k->kpi : NULL, &day, row, next, metrics, why,
                       sizeof(why)) == 0)
        return 0;
    problem(c, dy->i, dy->d, "%s", why);
    return -1;
}

/* The carry after a row was written: what the next day builds on. Takes
 * `next`. */
static void carry_on(struct carry *k, const struct chain *c, const struct day *dy,
                     const struct jutsu_daily_perf_row *row, json_object *next)
{
    if (c->ent->type == JUTSU_ENTITY_BASELINE)
        k->basis = dy->v.basis;
    k->have = 1;
    k->date = dy->d;
    k->equity = dy->v.equity;
    k->hwm = row->high_water_mark;
    k->initial = row->initial_capital;
    k->count = row->trading_days_count;
    k->trades = nz(row->total_trades);
    k->won = nz(row->winning_trades);
    k->lost = nz(row->losing_trades);
    json_object_put(k->kpi);
    k->kpi = next;
}

/* Builds, folds and writes the day's row; advances the carry. Returns a
 * storage error, or 0 with the cell's outcome set. */
static int finish_row(struct chain *c, struct carry *k, struct day *dy)
{
    struct jutsu_daily_perf_row row;
    json_object *next = NULL, *metrics = NULL;
    jutsu_money_t initial = k->have ? k->initial : c->ent->initial_capital;
    jutsu_money_t hwm = k->have ? k->hwm : initial;
    if (dy->v.equity > hwm)
        hwm = dy->v.equity;
    if (dy->v.equity <= 0) {
        problem(c, dy->i, dy->d, "its equity is zero or less");
        dy->cell->outcome = JUTSU_EOD_FAILED;
        return 0;
    }
    fill_row(c, k, dy, initial, hwm, &row);
    if (fold_kpis(c, k, dy, &row, &next, &metrics) != 0) {
        dy->cell->outcome = JUTSU_EOD_FAILED;
        return 0;
    }
    if ((row.positions_json = jutsu_jw_text(&c->pos)) == NULL) {
        json_object_put(next);
        json_object_put(metrics);
        return JUTSU_ENOMEM;
    }
    /* the text is built, checked and stored: a scratch chain's middle rows,
     * which nothing continues from, spare it (a fifth of a backtest) */
    int with_state = !c->e->state_at_end || dy->i + 1 == c->ndays;
    row.kpi_state = next && with_state ? json_object_to_json_string_ext(next,
                                                                        JSON_C_TO_STRING_PLAIN)
                                       : NULL;
    row.metrics = metrics ? json_object_to_json_string_ext(metrics, JSON_C_TO_STRING_PLAIN)
                          : NULL;
    int changed = 1;   /* a fresh store's rows are all new */
    int rc = c->bulk ? jutsu_data_daily_perf_bulk_row(c->e->s, c->bulk, &row)
                     : jutsu_data_daily_perf_put(c->e->s, &row, &changed);
    json_object_put(metrics);   /* the text was bound and written: no longer needed */
    if (rc != 0) {
        json_object_put(next);
        if (rc != JUTSU_EINVAL && rc != JUTSU_ERANGE)
            return rc;
        /* refused before any SQL ran: this day fails, the chain goes on */
        problem(c, dy->i, dy->d, "%s", jutsu_dbs_error_line(c->e->s));
        dy->cell->outcome = JUTSU_EOD_FAILED;
        return 0;
    }
    dy->cell->outcome = JUTSU_EOD_DONE;
    dy->cell->changed = (uint8_t)changed;
    dy->cell->equity = dy->v.equity;
    carry_on(k, c, dy, &row, next);
    return 0;
}

/* Where the chain is in a strategy's inputs: the next snapshot and trade
 * not yet passed, and the trades of days not finalised, which the next
 * row counts. */
struct cursor {
    size_t        si, ti;
    const struct snap *sn;
    struct today  pending;
};

/* A strategy's day: its newest snapshot, its trades (with the pending
 * ones), valued at the day's closes. */
static int strategy_day(struct chain *c, const struct inputs *in, struct cursor *cu,
                        jutsu_prices *prices, struct day *dy, int *outcome)
{
    while (cu->si < in->nsnaps && in->snaps[cu->si].ts <= dy->t1)
        cu->sn = &in->snaps[cu->si++];
    dy->sn = cu->sn;
    count_trades(in, &cu->ti, dy->t0, dy->t1, &dy->t);
    dy->t.all += cu->pending.all;
    dy->t.closed += cu->pending.closed;
    dy->t.won += cu->pending.won;
    dy->t.lost += cu->pending.lost;
    if (cu->sn == NULL) {
        *outcome = JUTSU_EOD_NOT_STARTED;   /* it has never traded: no row yet */
        return 0;
    }
    return value_strategy(c, dy->i, dy->d, prices, cu->sn, &dy->v, outcome);
}

int jutsu_eod_chain(struct eod_env *e, const struct jutsu_entity *ent, const jutsu_date_t *days,
                    size_t n, jutsu_prices *prices, struct jutsu_eod_cell *cells, size_t stride,
                    struct jutsu_eod_day *reps, char *note)
{
    struct chain c = { .e = e, .ent = ent, .ndays = n, .reps = reps, .note = note };
    jutsu_jw_init_plain(&c.pos, 1);   /* json-c's PLAIN text, '/' escaped, as stored before */
    struct carry k;
    struct inputs in;
    struct cursor cu = { 0 };
    char why[400];
    memset(&in, 0, sizeof(in));
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        memset(&cells[i * stride], 0, sizeof(cells[0]));
    int rc = load_carry(&c, days[0], &k, why, sizeof(why));
    if (rc == JUTSU_EMALFORMED) {
        for (size_t i = 0; i < n; i++) {
            cells[i * stride].outcome = JUTSU_EOD_FAILED;
            problem(&c, i, days[i], "%s", why);
        }
        return 0;
    }
    /* Trades after the previous row (all of them when there is none) and
     * before the range belong to the range's first row: a day between
     * that was not finalised passes its trades on, as it does inside the
     * range, so `eod run` day by day counts what a backfill counts. */
    jutsu_time_t since = day_start(e, k.have ? k.date + 1 : jutsu_date_from_ymd(1970, 1, 2));
    if (rc == 0 && ent->type == JUTSU_ENTITY_STRATEGY)
        rc = load_inputs(&c, since, day_start(e, days[n - 1] + 1) - 1, &in);
    count_trades(&in, &cu.ti, since, day_start(e, days[0]) - 1, &cu.pending);
    if (rc == 0 && e->fresh)
        rc = jutsu_data_daily_perf_bulk_begin(e->s, &c.bulk);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct day dy = { .i = i, .d = days[i], .t0 = day_start(e, days[i]),
                          .t1 = day_start(e, days[i] + 1) - 1, .cell = &cells[i * stride] };
        int outcome = JUTSU_EOD_DONE;
        if (ent->type == JUTSU_ENTITY_BASELINE)
            rc = value_baseline(&c, i, dy.d, prices, &k, &dy.v, &outcome);
        else
            rc = strategy_day(&c, &in, &cu, prices, &dy, &outcome);
        if (rc == 0 && outcome == JUTSU_EOD_DONE)
            rc = finish_row(&c, &k, &dy);
        else if (rc == 0)
            dy.cell->outcome = (uint8_t)outcome;
        if (dy.cell->outcome == JUTSU_EOD_DONE)
            memset(&cu.pending, 0, sizeof(cu.pending));
        else
            cu.pending = dy.t;
    }
    int erc = jutsu_row_bulk_end(c.bulk, rc == 0);
    if (rc == 0)
        rc = erc;
    json_object_put(k.kpi);
    jutsu_jw_free(&c.pos);
    inputs_free(&in);
    return rc;
}

/* Whether one position of a snapshot's JSON is a symbol whose data ends
 * before d. */
static int position_waits(struct eod_env *e, json_object *p, jutsu_date_t d, int *waits)
{
    json_object *sym;
    struct eod_newest *x = NULL;
    if (!json_object_object_get_ex(p, "symbol", &sym) ||
        !json_object_is_type(sym, json_type_string))
        return 0;   /* the chain says what is wrong with it */
    int rc = data_ended(e, json_object_get_string(sym), d, &x);
    *waits |= x != NULL;
    return rc;
}

int jutsu_eod_entity_waits(struct eod_env *e, const struct jutsu_entity *ent, jutsu_date_t d,
                           int *waits)
{
    struct eod_newest *x = NULL;
    struct jutsu_snapshot_row sn;
    *waits = 0;
    if (ent->type == JUTSU_ENTITY_BASELINE) {
        int rc = data_ended(e, ent->symbol, d, &x);
        *waits = x != NULL;
        return rc;
    }
    int rc = jutsu_data_snapshot_latest(e->s, ent->id, ent->mode, day_start(e, d + 1) - 1, &sn);
    if (rc == JUTSU_ENOENT)
        return 0;   /* not started: nothing to wait for */
    if (rc != 0)
        return rc;
    /* parsed before the next call on the session reuses its text */
    json_object *held = sn.positions_json ? json_tokener_parse(sn.positions_json) : NULL;
    size_t n = held && json_object_is_type(held, json_type_array) ? json_object_array_length(held)
                                                                  : 0;
    for (size_t j = 0; rc == 0 && j < n && !*waits; j++)
        rc = position_waits(e, json_object_array_get_idx(held, j), d, waits);
    json_object_put(held);
    return rc;
}

int jutsu_eod_trading_days(const jutsu_calendar *cal, jutsu_date_t from, jutsu_date_t to,
                           jutsu_date_t **out, size_t *n)
{
    int64_t count = from <= to ? jutsu_calendar_count(cal, from, to) : 0;
    *out = malloc((size_t)(count ? count : 1) * sizeof(**out));
    *n = 0;
    if (*out == NULL)
        return JUTSU_ENOMEM;
    jutsu_date_t d = jutsu_calendar_is_trading_day(cal, from) ? from
                   : jutsu_calendar_next(cal, from);
    for (; d != JUTSU_CALENDAR_NONE && d <= to && (int64_t)*n < count;
         d = jutsu_calendar_next(cal, d))
        (*out)[(*n)++] = d;
    return 0;
}
