/*
 * core/jobs/backtest.c — a strategy over history in a transaction that is
 * rolled back (see backtest.h).
 */
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "jobs/backtest.h"
#include "jobs/bt_baseline.h"
#include "jobs/bt_store.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "store/data_api.h"
#include "store/row.h"
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
    struct jutsu_backtest      *run;     /* its days, when the run keeps them */
    int                         baseline;
    size_t                      cap, at; /* run->days: allocated; the baseline's cursor */
};

/* The day's row into the run's series: the strategy's days are appended,
 * the baseline's matched to them by date (both are sorted). */
static int keep_day(struct series_out *x, const struct jutsu_daily_perf_row *r)
{
    struct jutsu_backtest *run = x->run;
    if (x->baseline) {
        while (x->at < run->ndays && run->days[x->at].date < r->trading_date)
            x->at++;
        if (x->at < run->ndays && run->days[x->at].date == r->trading_date) {
            run->days[x->at].baseline_equity = r->total_equity;
            run->days[x->at].baseline_drawdown = r->drawdown;
        }
        return 0;
    }
    if (run->ndays == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        struct jutsu_backtest_day *v = realloc(run->days, cap * sizeof(*v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        run->days = v;
        x->cap = cap;
    }
    run->days[run->ndays++] = (struct jutsu_backtest_day){
        .date = r->trading_date, .equity = r->total_equity, .drawdown = r->drawdown,
        .baseline_equity = JUTSU_MONEY_NULL, .baseline_drawdown = NAN };
    return 0;
}

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
    if (x->run && keep_day(x, r) != 0)
        return JUTSU_ENOMEM;
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
    /* the daily CSV prints the regime and the weights; the rest needs the
     * KPI columns only */
    int rc = x->daily ? jutsu_data_daily_perf_range(s, e->type_name, e->id, e->mode, from, to,
                                                    take_row, x)
                      : jutsu_data_daily_perf_kpis(s, e->type_name, e->id, e->mode, from, to,
                                                   take_row, x);
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

/* Past the run's deadline: JUTSU_ETIMEDOUT, saying where it stopped. */
static int past_deadline(const struct jutsu_backtest_opts *o, const char *where,
                         jutsu_date_t d, struct jutsu_backtest *out)
{
    char day[JUTSU_DATE_BUFSZ] = "";
    if (o->deadline_us == 0 || jutsu_clock_mono_us() < o->deadline_us)
        return 0;
    if (d)
        jutsu_date_format(d, day);
    return fail(out, JUTSU_ETIMEDOUT, "the backtest ran past its time bound (settings "
                "backtest.max_seconds) %s%s%s", where, d ? " " : "", day);
}

/* The trading job's code day by day. In the store in memory, which holds
 * no snapshot, the day's snapshots go many per statement (nothing reads
 * them before the EOD pass); on the database they are upserted. */
static int trade_days(struct trader *t, jutsu_prices *p, const struct jutsu_backtest_opts *o,
                      struct jutsu_backtest *out)
{
    struct jutsu_trade_result *res = malloc(sizeof(*res));
    int rc = res ? 0 : JUTSU_ENOMEM;
    if (rc == 0 && !o->on_database &&
        (rc = jutsu_data_snapshot_bulk_begin(t->s, &t->snaps)) != 0)
        fail(out, rc, "%s", jutsu_dbs_error_line(t->s));
    jutsu_date_t d = jutsu_calendar_is_trading_day(t->app->cal, o->from) ? o->from
                   : jutsu_calendar_next(t->app->cal, o->from);
    for (; rc == 0 && d != JUTSU_CALENDAR_NONE && d <= o->to;
         d = jutsu_calendar_next(t->app->cal, d)) {
        if ((rc = past_deadline(o, "before trading", d, out)) != 0)
            break;
        if ((rc = jutsu_trader_day(t, p, d, res)) != 0)
            fail(out, rc, "%s", jutsu_dbs_error_line(t->s));
        else if (res->outcome == JUTSU_TRADE_FAILED)
            rc = fail(out, JUTSU_EPLUGIN, "%s", res->error);
    }
    int erc = jutsu_row_bulk_end(t->snaps, rc == 0);
    t->snaps = NULL;
    if (rc == 0 && erc != 0)
        rc = fail(out, erc, "%s", jutsu_dbs_error_line(t->s));
    free(res);
    return rc;
}

/* The first day's problem of a report, or NULL. */
static const struct jutsu_eod_day *first_problem(const struct jutsu_eod_report *er)
{
    for (size_t i = 0; er && i < er->ndays; i++)
        if (er->days[i].error[0])
            return &er->days[i];
    return NULL;
}

/*
 * The EOD chains of the run's entities over the range: a day the EOD code
 * could not value fails the run with that day's reason. With the baseline
 * on its thread (`base`), the chain here is the strategy's alone, then the
 * baseline's is waited for; the message is the one a single pass gives:
 * a failure of a whole chain, else the earliest day's problem (the
 * strategy's first, as its chain runs first).
 */
static int finalise_days(struct jutsu_app *app, jutsu_dbs *s, jutsu_dbs *ps,
                         const struct bt_entities *bt, struct jutsu_bt_baseline *base,
                         const struct jutsu_backtest_opts *o, jutsu_prices *p,
                         struct jutsu_backtest *out)
{
    struct jutsu_eod_report er = { 0 };
    const struct jutsu_eod_report *ber = NULL;
    struct jutsu_entities set = bt->set;
    if (base) {
        set.n = set.nstrategies;
        set.nbaselines = 0;
    }
    /* the store in memory is new; the database (on_database) may not be */
    int rc = jutsu_eod_chains_on(app, s, ps, !o->on_database, &set, o->from, o->to, p, &er);
    int brc = base ? jutsu_bt_baseline_join(base, &ber) : 0;
    if (rc != 0 && rc != JUTSU_EPLUGIN) {
        fail(out, rc, "%s", er.error);
    } else if (brc != 0 && brc != JUTSU_EPLUGIN) {
        rc = fail(out, brc, "%s", ber->error);
    } else if (rc != 0 || brc != 0) {
        const struct jutsu_eod_day *a = first_problem(&er), *b = first_problem(ber);
        const struct jutsu_eod_day *d = a && (b == NULL || a->date <= b->date) ? a : b;
        rc = fail(out, JUTSU_EPLUGIN, "%s", d ? d->error : "the EOD pass failed");
    }
    jutsu_eod_report_free(&er);
    return rc;
}

/* The baseline on a thread of its own when the run asks and its symbol
 * has every bar (jobs/bt_baseline.h); *base stays NULL otherwise, and also
 * when the thread cannot start: the run then values it here, as ever. */
static void start_baseline(struct jutsu_app *app, jutsu_prices *p, const struct bt_entities *bt,
                           const struct jutsu_backtest_opts *o, struct jutsu_backtest *out,
                           struct jutsu_bt_baseline **base)
{
    jutsu_prices *book = NULL;
    const char *sym[1] = { bt->v[1].symbol };
    char err[256];
    *base = NULL;
    /* the run's book reads the series once; the thread gets a copy */
    if (!o->baseline_thread || o->on_database || !out->has_baseline ||
        jutsu_prices_copy(p, sym, 1, &book) != 0)
        return;
    if (!jutsu_bt_baseline_ready(app, &bt->v[1], book, o->from, o->to)) {
        jutsu_prices_free(book);
        return;
    }
    if (jutsu_bt_baseline_start(app, &bt->v[1], o->from, o->to, book, base, err,
                                sizeof(err)) != 0)
        jutsu_log("backtest", JUTSU_LOG_DEBUG, "the baseline runs after the strategy: %s", err);
}

struct trades_out {
    struct jutsu_backtest *run;
    const jutsu_tz        *tz;
    size_t                 cap;
};

static int take_trade(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    struct trades_out *x = arg;
    struct jutsu_backtest *run = x->run;
    if (run->ntrades == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct jutsu_backtest_trade *v = realloc(run->trades, cap * sizeof(*v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        run->trades = v;
        x->cap = cap;
    }
    struct jutsu_backtest_trade *t = &run->trades[run->ntrades];
    memset(t, 0, sizeof(*t));
    /* the exchange's date of the fill: the trading slot is in its afternoon */
    if (jutsu_tz_local_date(x->tz, r->ts, &t->date, NULL) != 0)
        return JUTSU_EINVAL;
    snprintf(t->symbol, sizeof(t->symbol), "%s", r->symbol);
    snprintf(t->action, sizeof(t->action), "%s", r->action);
    snprintf(t->reason, sizeof(t->reason), "%s", r->reason ? r->reason : "");
    t->quantity = r->quantity;
    t->fill_price = r->fill_price;
    t->value = r->fill_value;
    t->realized_pnl = r->realized_pnl;
    run->ntrades++;
    return 0;
}

/* The strategy's fills, as the run wrote them to live_trades. */
static int read_trades(jutsu_dbs *s, const struct jutsu_entity *e, const jutsu_tz *tz,
                       struct jutsu_backtest *out)
{
    struct trades_out x = { out, tz, 0 };
    return jutsu_data_trades_range(s, e->id, e->mode, 0, INT64_MAX / 2, take_trade, &x);
}

static double growth(jutsu_money_t end, jutsu_money_t start)
{
    if (end == JUTSU_MONEY_NULL || start == JUTSU_MONEY_NULL || start <= 0)
        return NAN;
    return (double)end / (double)start - 1;
}

/* Each calendar year's return from the days: from the last equity before
 * the year (the capital for the first) to the year's last. */
static int make_years(struct jutsu_backtest *out)
{
    jutsu_money_t s0 = out->capital, b0 = out->has_baseline ? out->capital : JUTSU_MONEY_NULL;
    for (size_t i = 0; i < out->ndays; i++) {
        int y, m, d, ny = 0;
        jutsu_date_to_ymd(out->days[i].date, &y, &m, &d);
        if (i + 1 < out->ndays)
            jutsu_date_to_ymd(out->days[i + 1].date, &ny, &m, &d);
        if (i + 1 < out->ndays && ny == y)
            continue;
        struct jutsu_backtest_year *v = realloc(out->years, (out->nyears + 1) * sizeof(*v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        out->years = v;
        const struct jutsu_backtest_day *last = &out->days[i];
        v[out->nyears++] = (struct jutsu_backtest_year){
            .year = y, .strategy_return = growth(last->equity, s0),
            .baseline_return = growth(last->baseline_equity, b0) };
        s0 = last->equity;
        b0 = last->baseline_equity;
    }
    return 0;
}

void jutsu_backtest_free(struct jutsu_backtest *r)
{
    if (r == NULL)
        return;
    free(r->days);
    free(r->years);
    free(r->trades);
    r->days = NULL;
    r->years = NULL;
    r->trades = NULL;
    r->ndays = r->nyears = r->ntrades = 0;
}

/* Both sides' series and summaries, read back from the rows the run
 * wrote (the baseline's from `bs`, its thread's store, or s); the
 * strategy's day by day into o->daily as CSV when asked. */
static int report_sides(jutsu_dbs *s, jutsu_dbs *bs, const struct bt_entities *bt,
                        const struct trader *t, const struct jutsu_backtest_opts *o,
                        struct jutsu_backtest *out)
{
    if (o->daily) {
        fprintf(o->daily, "date,equity,cash,cell,trend_state,vol_state,t_norm,z_score,"
                "sma_fast,sma_slow");
        for (size_t i = 0; i < t->nsym; i++)
            fprintf(o->daily, ",weight_%s", t->needs.symbols[i]);
        fputc('\n', o->daily);
    }
    struct jutsu_backtest *run = o->series ? out : NULL;
    struct series_out sx = { &out->strategy, o->daily, t->needs.symbols, t->nsym, run, 0, 0, 0 };
    int rc = read_side(s, &bt->v[0], o->from, o->to, &sx);
    if (rc == 0 && out->has_baseline) {
        const char *sym[1] = { bt->v[1].symbol };
        struct series_out bx = { &out->baseline, NULL, sym, 1, run, 1, 0, 0 };
        if ((rc = read_side(bs, &bt->v[1], o->from, o->to, &bx)) != 0)
            s = bs;   /* whose error line to quote */
    }
    if (rc == 0 && run && (rc = read_trades(s, &bt->v[0], t->app->tz, out)) == 0)
        rc = make_years(out);
    if (rc == JUTSU_ENOMEM)
        fail(out, rc, "out of memory reading the run's series back");
    else if (rc != 0)
        fail(out, rc, "%s", jutsu_dbs_error_line(s));
    return rc;
}

/* --- the run's own instance of the strategy --------------------------------- */

/* The live instance's active overrides, then the run's parameters. */
static int run_params(jutsu_dbs *s, const struct jutsu_ctx *live,
                      const struct jutsu_backtest_opts *o, jutsu_cfg **cfg,
                      jutsu_cfg_node **root, struct jutsu_backtest *out)
{
    struct jutsu_param *act = NULL;
    size_t nact = 0;
    int rc = jutsu_params_active(s, live->name, &act, &nact);
    if (rc != 0)
        return fail(out, rc, "%s", jutsu_dbs_error_line(s));
    struct jutsu_param *all = malloc((nact + o->nparams + 1) * sizeof(*all));
    if (all == NULL) {
        jutsu_params_free(act, nact);
        return fail(out, JUTSU_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nact; i++)
        all[i] = act[i];
    for (size_t i = 0; i < o->nparams; i++)
        all[nact + i] = o->params[i];
    rc = jutsu_params_merge(live, all, nact + o->nparams, cfg, root, out->error,
                            sizeof(out->error));
    free(all);
    jutsu_params_free(act, nact);
    return rc == JUTSU_ECONFIG ? JUTSU_EINVAL : rc;
}

/*
 * A new instance of the strategy's plugin under the run's entity id, with
 * the run's parameters: the trader sees no override for that id and keeps
 * them (its yaml_config is the merged map). The live instance is only
 * read. On failure it may still need close_instance.
 */
static int open_instance(struct jutsu_app *app, jutsu_dbs *s, struct bt_entities *bt,
                         const struct jutsu_backtest_opts *o, struct jutsu_ctx *priv,
                         struct jutsu_backtest *out)
{
    struct jutsu_ctx *live = bt->v[0].inst;
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *root = NULL;
    memset(priv, 0, sizeof(*priv));
    if (live == NULL || !live->inited)
        return fail(out, JUTSU_ESTATE, "strategy %s is not running (its init failed?)",
                    out->strategy.id);
    int rc = run_params(s, live, o, &cfg, &root, out);
    if (rc != 0)
        return rc;
    if (pthread_mutex_init(&priv->sub_lock, NULL) != 0) {
        jutsu_cfg_free(cfg);
        return fail(out, JUTSU_ENOMEM, "cannot make the strategy's instance");
    }
    priv->app = app;
    priv->name = bt->sid;
    priv->module = live->module;
    /* what reinit falls back on if the plugin refuses: the file's map,
     * which lives with the app (live->config may be replaced meanwhile by
     * the trading job applying overrides) */
    priv->config = live->yaml_config;
    priv->yaml_config = root;
    priv->decl = live->decl;
    priv->required = 1;
    priv->own_cfg = NULL;
    bt->v[0].inst = priv;
    if ((rc = jutsu_params_reinit(priv, cfg, root, out->error, sizeof(out->error))) != 0) {
        priv->yaml_config = NULL;     /* freed with cfg */
        /* refused by the plugin: the run's parameters are at fault if any */
        return rc == JUTSU_ECONFIG || o->nparams > 0 ? JUTSU_EINVAL : rc;
    }
    return 0;
}

static void close_instance(struct jutsu_ctx *priv)
{
    if (priv->app == NULL)
        return;
    const struct jutsu_plugin *d = jutsu_ctx_plugin(priv);
    if (priv->inited) {
        if (priv->started && d->stop)
            d->stop(priv->state);
        jutsu_host_drop_subscriptions(priv);
        d->destroy(priv->state);
    }
    jutsu_cfg_free(priv->own_cfg);
    pthread_mutex_destroy(&priv->sub_lock);
    memset(priv, 0, sizeof(*priv));
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

/*
 * Where the run writes: a store in memory (the default), or the configured
 * database itself in a transaction rolled back at the end (on_database, the
 * way it was done before, kept for the tests that compare the two). *s is
 * the session to write on; the production session `ps` stays the one
 * that bars and overrides are read from.
 */
static int open_scratch(struct jutsu_app *app, const struct jutsu_backtest_opts *o,
                        jutsu_dbs *ps, struct jutsu_bt_store **mem, jutsu_dbs **s,
                        struct jutsu_backtest *out)
{
    int rc;
    *s = ps;
    if (!o->on_database &&
        (rc = jutsu_bt_store_open(app, mem, s, out->error, sizeof(out->error))) != 0)
        return rc;
    /* one transaction: rolled back on the database, nothing of the run
     * stays; in memory it spares a journal per statement */
    if ((rc = jutsu_dbs_begin(*s)) != 0)
        fail(out, rc, "%s", jutsu_dbs_error_line(*s));
    return rc;
}

int jutsu_backtest_run(struct jutsu_app *app, const struct jutsu_backtest_opts *o,
                       struct jutsu_backtest *out)
{
    struct jutsu_entities all = { 0 };
    struct bt_entities bt;
    struct trader t;
    struct jutsu_sched_time when;
    struct jutsu_ctx priv = { 0 };
    struct jutsu_bt_store *mem = NULL;
    struct jutsu_bt_baseline *base = NULL;
    jutsu_dbs *ps = NULL, *s = NULL;
    jutsu_prices *p = NULL;
    memset(out, 0, sizeof(*out));
    out->from = o->from;
    out->to = o->to;
    int rc = prepare(app, o, &all, &bt, &when, out);
    if (rc != 0)
        goto free_entities;
    out->capital = bt.v[0].initial_capital;
    if ((rc = jutsu_app_dbs_open(app, &ps)) != 0) {
        fail(out, rc, "cannot open the database: %s", jutsu_strerror(rc));
        goto free_entities;
    }
    if ((rc = open_scratch(app, o, ps, &mem, &s, out)) != 0)
        goto close_session;
    if ((rc = open_instance(app, ps, &bt, o, &priv, out)) != 0)
        goto close_instance;
    rc = jutsu_trader_open(&t, app, s, &when, &bt.v[0], "backtest", 0, out->error,
                           sizeof(out->error));
    if (rc != 0)
        goto close_trader;
    /* the bars come from the configured database, each symbol's once */
    if ((rc = jutsu_prices_new(ps, jutsu_trader_from(&t, o->from), o->to, &p)) != 0) {
        fail(out, rc, "the price book: %s", jutsu_strerror(rc));
        goto close_trader;
    }
    start_baseline(app, p, &bt, o, out, &base);
    if ((rc = past_deadline(o, "before its warm-up", 0, out)) == 0 &&
        (rc = jutsu_trader_catch_up(&t, p, o->from, out->error, sizeof(out->error))) == 0 &&
        (rc = trade_days(&t, p, o, out)) == 0 &&
        (rc = past_deadline(o, "before the EOD pass", 0, out)) == 0 &&
        (rc = finalise_days(app, s, ps, &bt, base, o, p, out)) == 0 &&
        (rc = past_deadline(o, "after the EOD pass", 0, out)) == 0)
        rc = report_sides(s, base ? jutsu_bt_baseline_session(base) : s, &bt, &t, o, out);
    jutsu_bt_baseline_free(base);
    jutsu_prices_free(p);
close_trader:
    jutsu_trader_close(&t);
close_instance:
    close_instance(&priv);
close_session:
    if (mem && s)
        jutsu_dbs_commit(s);   /* thrown away with the store: cheaper than undoing it */
    jutsu_bt_store_close(mem);
    jutsu_dbs_rollback(ps);
    jutsu_dbs_close(ps);
free_entities:
    jutsu_entities_free(&all);
    return rc;
}
