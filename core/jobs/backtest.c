/*
 * core/jobs/backtest.c — a strategy over history in a transaction that is
 * rolled back (see backtest.h).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jobs/backtest.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "eod/eod.h"
#include "jobs/jobs.h"
#include "base/log.h"
#include "trading/trade_int.h"

static int fail(struct jutsu_backtest *out, int rc, const char *fmt, ...) JUTSU_PRINTF(3, 4);
static int fail(struct jutsu_backtest *out, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof(out->error), fmt, ap);
    va_end(ap);
    return rc;
}

/* The backtest's own entities: ids no live row carries, offline_mock, the
 * same capital for the strategy and its baseline. */
struct bt_entities {
    struct jutsu_entity   v[2];
    struct jutsu_entities set;
    char                  sid[64], bid[64];
};

static int make_entities(const struct jutsu_entities *all, const struct jutsu_backtest_opts *o,
                         struct bt_entities *bt, struct jutsu_backtest *out)
{
    const struct jutsu_entity *st = jutsu_entities_find(all, o->strategy, "strategy", NULL);
    const struct jutsu_entity *base = NULL;
    if (st == NULL)
        return fail(out, JUTSU_ENOENT, "no strategy instance \"%s\" in the config", o->strategy);
    for (size_t i = 0; i < all->n && base == NULL; i++)
        if (all->v[i].type == JUTSU_ENTITY_BASELINE)
            base = &all->v[i];
    memset(bt, 0, sizeof(*bt));
    snprintf(bt->sid, sizeof(bt->sid), "bt:%.40s", st->id);
    bt->v[0] = *st;
    bt->v[0].id = bt->sid;
    bt->v[0].mode = "offline_mock";   /* simulated fills, never a broker */
    bt->v[0].broker = NULL;
    bt->v[0].initial_capital = o->capital > 0 ? o->capital : st->initial_capital;
    bt->set.v = bt->v;
    bt->set.n = bt->set.nstrategies = 1;
    snprintf(out->strategy.id, sizeof(out->strategy.id), "%s", st->id);
    if (base) {
        snprintf(bt->bid, sizeof(bt->bid), "bt:%.40s", base->id);
        bt->v[1] = *base;
        bt->v[1].id = bt->bid;
        bt->v[1].mode = "offline_mock";
        bt->v[1].initial_capital = bt->v[0].initial_capital;
        bt->set.n = 2;
        bt->set.nbaselines = 1;
        snprintf(out->baseline.id, sizeof(out->baseline.id), "%s", base->id);
        out->has_baseline = 1;
    }
    return 0;
}

/* --- reading the rows back ---------------------------------------------------- */

struct series_out {
    struct jutsu_backtest_side *side;
    FILE                       *daily;   /* the strategy's series, or NULL */
    const char *const          *symbols;
    size_t                      nsym;
};

/* Each position's value over the equity, by symbol, from a row's positions_json. */
static void weights_of(const struct jutsu_daily_perf_row *r, const char *const *symbols,
                       size_t n, double *w)
{
    json_object *a = r->positions_json ? json_tokener_parse(r->positions_json) : NULL;
    for (size_t i = 0; i < n; i++)
        w[i] = 0;
    for (size_t k = 0; a && k < json_object_array_length(a); k++) {
        json_object *x = json_object_array_get_idx(a, k), *sym, *val;
        jutsu_money_t v;
        if (!json_object_object_get_ex(x, "symbol", &sym) ||
            !json_object_object_get_ex(x, "value", &val) ||
            jutsu_money_parse(json_object_get_string(val), -1, JUTSU_MONEY_EXACT, &v) != 0)
            continue;
        for (size_t i = 0; i < n; i++)
            if (strcmp(symbols[i], json_object_get_string(sym)) == 0)
                w[i] = (double)v / (double)r->total_equity;
    }
    json_object_put(a);
}

/* "QQQ 0.598, TQQQ 0.397", or "cash". */
static void allocation(const struct jutsu_daily_perf_row *r, const char *const *symbols,
                       size_t n, char *out, size_t size)
{
    double w[JUTSU_STRATEGY_MAX_SYMBOLS];
    size_t used = 0;
    weights_of(r, symbols, n, w);
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        if (w[i] > 0) {
            int k = snprintf(out + used, size - used, "%s%s %.3f", used ? ", " : "", symbols[i],
                             w[i]);
            used += k > 0 ? (size_t)k : 0;
        }
    if (used == 0)
        snprintf(out, size, "cash");
}

static void csv_num(FILE *f, double v, int places)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.*f", places, v);
}

static void csv_money(FILE *f, jutsu_money_t v)
{
    char buf[JUTSU_MONEY_BUFSZ];
    if (v == JUTSU_MONEY_NULL) {
        fputs(",", f);
        return;
    }
    jutsu_money_format(v, buf);
    fprintf(f, ",%s", buf);
}

static int take_row(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *r = row;
    struct series_out *x = arg;
    struct jutsu_backtest_side *side = x->side;
    side->days++;
    side->final_equity = r->total_equity;
    side->sharpe = r->sharpe_ratio;
    side->sortino = r->sortino_ratio;
    side->calmar = r->calmar_ratio;
    side->max_drawdown = r->max_drawdown;
    side->volatility = r->volatility;
    side->cagr = r->cagr;
    side->win_rate = r->win_rate;
    side->trades = r->total_trades == JUTSU_INT_NULL ? 0 : r->total_trades;
    side->winning = r->winning_trades == JUTSU_INT_NULL ? 0 : r->winning_trades;
    side->losing = r->losing_trades == JUTSU_INT_NULL ? 0 : r->losing_trades;
    if (x->daily == NULL)
        return 0;
    double w[JUTSU_STRATEGY_MAX_SYMBOLS];
    weights_of(r, x->symbols, x->nsym, w);
    char day[JUTSU_DATE_BUFSZ];
    jutsu_date_format(r->trading_date, day);
    fputs(day, x->daily);
    csv_money(x->daily, r->total_equity);
    csv_money(x->daily, r->cash);
    if (r->strategy_cell == JUTSU_INT_NULL)
        fputs(",", x->daily);
    else
        fprintf(x->daily, ",%d", (int)r->strategy_cell);
    fprintf(x->daily, ",%s,%s", r->trend_state ? r->trend_state : "",
            r->vol_state ? r->vol_state : "");
    csv_num(x->daily, r->t_norm, 6);
    csv_num(x->daily, r->z_score, 6);
    csv_money(x->daily, r->sma_fast);
    csv_money(x->daily, r->sma_slow);
    for (size_t i = 0; i < x->nsym; i++)
        csv_num(x->daily, w[i], 6);
    fputc('\n', x->daily);
    return 0;
}

static int read_side(jutsu_dbs *s, const struct jutsu_entity *e, jutsu_date_t from,
                     jutsu_date_t to, struct series_out *x)
{
    x->side->initial = e->initial_capital;
    x->side->sharpe = x->side->sortino = x->side->calmar = x->side->max_drawdown = NAN;
    x->side->volatility = x->side->cagr = x->side->win_rate = NAN;
    int rc = jutsu_data_daily_perf_range(s, e->type_name, e->id, e->mode, from, to, take_row, x);
    if (rc != 0 || x->side->days == 0)
        return rc;
    x->side->total_return = (double)x->side->final_equity / (double)e->initial_capital - 1;
    /* the allocation of the last row, read once more rather than kept */
    struct jutsu_daily_perf_row last;
    if ((rc = jutsu_data_daily_perf_prev(s, e->type_name, e->id, e->mode, to + 1, &last)) != 0)
        return rc;
    allocation(&last, x->symbols, x->nsym, x->side->allocation, sizeof(x->side->allocation));
    return 0;
}

/* --- the run --------------------------------------------------------------------- */

static int trade_days(struct trader *t, jutsu_prices *p, jutsu_date_t from, jutsu_date_t to,
                      struct jutsu_backtest *out)
{
    struct jutsu_trade_result *res = malloc(sizeof(*res));
    int rc = res ? 0 : JUTSU_ENOMEM;
    jutsu_date_t d = jutsu_calendar_is_trading_day(t->app->cal, from) ? from
                   : jutsu_calendar_next(t->app->cal, from);
    for (; rc == 0 && d != JUTSU_CALENDAR_NONE && d <= to; d = jutsu_calendar_next(t->app->cal, d)) {
        if ((rc = jutsu_trader_day(t, p, d, res)) != 0)
            fail(out, rc, "%s", jutsu_dbs_error_line(t->s));
        else if (res->outcome == JUTSU_TRADE_FAILED)
            rc = fail(out, JUTSU_EPLUGIN, "%s", res->error);
    }
    free(res);
    return rc;
}

/* The EOD chains of the run's entities over the range: a day the EOD
 * code could not value fails the run with that day's reason. */
static int finalise_days(struct jutsu_app *app, jutsu_dbs *s, const struct bt_entities *bt,
                         const struct jutsu_backtest_opts *o, jutsu_prices *p,
                         struct jutsu_backtest *out)
{
    struct jutsu_eod_report er = { 0 };
    int rc = jutsu_eod_chains(app, s, &bt->set, o->from, o->to, p, &er);
    if (rc == JUTSU_EPLUGIN) {
        for (size_t i = 0; i < er.ndays; i++)
            if (er.days[i].error[0]) {
                fail(out, rc, "%s", er.days[i].error);
                break;
            }
    } else if (rc != 0) {
        fail(out, rc, "%s", er.error);
    }
    jutsu_eod_report_free(&er);
    return rc;
}

/* Both sides' series and summaries, read back from the rows the run
 * wrote; the strategy's day by day into o->daily as CSV when asked. */
static int report_sides(jutsu_dbs *s, const struct bt_entities *bt, const struct trader *t,
                        const struct jutsu_backtest_opts *o, struct jutsu_backtest *out)
{
    if (o->daily) {
        fprintf(o->daily, "date,equity,cash,cell,trend_state,vol_state,t_norm,z_score,"
                "sma_fast,sma_slow");
        for (size_t i = 0; i < t->nsym; i++)
            fprintf(o->daily, ",weight_%s", t->needs.symbols[i]);
        fputc('\n', o->daily);
    }
    struct series_out sx = { &out->strategy, o->daily, t->needs.symbols, t->nsym };
    int rc = read_side(s, &bt->v[0], o->from, o->to, &sx);
    if (rc == 0 && out->has_baseline) {
        const char *sym[1] = { bt->v[1].symbol };
        struct series_out bx = { &out->baseline, NULL, sym, 1 };
        rc = read_side(s, &bt->v[1], o->from, o->to, &bx);
    }
    if (rc != 0)
        fail(out, rc, "%s", jutsu_dbs_error_line(s));
    return rc;
}

/* What a run needs before it touches the database: its entities, a range
 * with trading days, and the trading job's time of day. */
static int prepare(struct jutsu_app *app, const struct jutsu_backtest_opts *o,
                   struct jutsu_entities *all, struct bt_entities *bt,
                   struct jutsu_sched_time *when, struct jutsu_backtest *out)
{
    struct jutsu_diag diag;
    int rc = jutsu_entities_load(app, all, out->error, sizeof(out->error));
    if (rc != 0 || (rc = make_entities(all, o, bt, out)) != 0)
        return rc;
    if (o->from > o->to || jutsu_calendar_count(app->cal, o->from, o->to) == 0)
        return fail(out, JUTSU_EINVAL, "no trading day between --from and --to");
    jutsu_diag_init(&diag);
    if ((rc = jutsu_sched_time_of(app, &jutsu_trade_job, when, &diag)) != 0)
        fail(out, rc, "%s", jutsu_diag_line(&diag, 0));
    jutsu_diag_free(&diag);
    return rc;
}

int jutsu_backtest_run(struct jutsu_app *app, const struct jutsu_backtest_opts *o,
                       struct jutsu_backtest *out)
{
    struct jutsu_entities all = { 0 };
    struct bt_entities bt;
    struct trader t;
    struct jutsu_sched_time when;
    jutsu_dbs *s = NULL;
    jutsu_prices *p = NULL;
    memset(out, 0, sizeof(*out));
    out->from = o->from;
    out->to = o->to;
    int rc = prepare(app, o, &all, &bt, &when, out);
    if (rc != 0)
        goto free_entities;
    if ((rc = jutsu_app_dbs_open(app, &s)) != 0) {
        fail(out, rc, "cannot open the database: %s", jutsu_strerror(rc));
        goto free_entities;
    }
    /* one transaction, always rolled back: nothing of the run stays */
    if ((rc = jutsu_dbs_begin(s)) != 0) {
        fail(out, rc, "%s", jutsu_dbs_error_line(s));
        goto close_session;
    }
    rc = jutsu_trader_open(&t, app, s, &when, &bt.v[0], "backtest", 0, out->error,
                           sizeof(out->error));
    if (rc != 0)
        goto close_trader;
    if ((rc = jutsu_prices_new(s, jutsu_trader_from(&t, o->from), o->to, &p)) != 0) {
        fail(out, rc, "the price book: %s", jutsu_strerror(rc));
        goto close_trader;
    }
    if ((rc = jutsu_trader_catch_up(&t, p, o->from, out->error, sizeof(out->error))) == 0 &&
        (rc = trade_days(&t, p, o->from, o->to, out)) == 0 &&
        (rc = finalise_days(app, s, &bt, o, p, out)) == 0)
        rc = report_sides(s, &bt, &t, o, out);
    jutsu_prices_free(p);
close_trader:
    jutsu_trader_close(&t);
close_session:
    jutsu_dbs_rollback(s);
    jutsu_dbs_close(s);
free_entities:
    jutsu_entities_free(&all);
    return rc;
}
