/*
 * core/jobs/backtest.h — a strategy over history, through the trading and EOD
 * code, leaving nothing behind.
 *
 * The backtest writes to a store of its own, a SQLite database in memory
 * made for the run and thrown away after it (jobs/bt_store.h), whatever the
 * configured backend: the trading and EOD code run on it exactly as on
 * the configured database, minus the round trips. The bars (each symbol's
 * once, into the run's price book) and the strategy's active overrides are
 * read from the configured database. The run's entities have ids of their
 * own ("bt:<strategy>", "bt:<baseline>"), as they had when the run wrote
 * to the configured database in a transaction rolled back at the end
 * (opts.on_database, kept so that tests can compare the two): the strategy is
 * warmed up on the stored bars before `from` (needs.warmup_bars trading
 * days), then fed and traded day by day with the trading job's own
 * jutsu_trader_day (simulated fills: trading.commission_per_share,
 * trading.slippage, whole shares, every fill at that day's price); the EOD
 * code then computes its daily_performance rows and those of the first
 * baseline of the config (QQQ by default) with the same capital, KPIs
 * included. The summary and the day-by-day series are read back, and the
 * store is dropped: the configured database is never written.
 *
 * The strategy runs in an instance of its own, made for the run from the
 * configured instance's plugin and config, with that instance's active
 * overrides and then the run's `params` over it: the live instance (which
 * the trading job may be using at that moment) is never touched.
 *
 * Thread-safety: jutsu_backtest_run may be called from several threads at
 * once on one started app (parameter sweeps do): each run has its own
 * session on the configured database, its own store in memory, its own
 * instance of the strategy and its own results. What the runs share is
 * only read (the config, the entities, the live instance's settings, the
 * calendar), except the KPI plugins' instances, whose folds the KPI host
 * serialises (eod/kpi_host.h). The app must not be reloaded or stopped
 * while a run is going.
 *
 * Deterministic: the same bars and parameters give the same trades.
 */
#ifndef JUTSU_CORE_BACKTEST_H
#define JUTSU_CORE_BACKTEST_H

#include <stdio.h>

#include <json-c/json.h>

#include "host/app.h"
#include "trading/params.h"
#include "trading/trade_book.h"

struct jutsu_backtest_side {
    char          id[64];           /* the strategy's or baseline's own id */
    jutsu_money_t initial, final_equity;
    double        total_return, cagr, sharpe, sortino, calmar, max_drawdown, volatility;
    double        win_rate;         /* percent; NaN without closed trades */
    int32_t       trades, winning, losing;
    int32_t       days;
    char          allocation[512];  /* the last day's weights: "QQQ 0.598, TQQQ 0.397" */
};

/* One trading day of the run: both sides' equity and drawdown (a fraction
 * below the high-water mark, <= 0). Without a baseline, or on a day it has
 * no row, its equity is JUTSU_MONEY_NULL and its drawdown NaN. */
struct jutsu_backtest_day {
    jutsu_date_t  date;
    jutsu_money_t equity, baseline_equity;
    double        drawdown, baseline_drawdown;
};

/* A calendar year of the run: the return from the last equity before the
 * year (the capital for the first) to its last day's. NaN: no baseline. */
struct jutsu_backtest_year {
    int    year;
    double strategy_return, baseline_return;
};

/* One fill of the strategy, as live_trades holds it. realized_pnl is
 * JUTSU_MONEY_NULL for a buy. */
struct jutsu_backtest_trade {
    jutsu_date_t  date;
    char          symbol[16];
    char          action[8];       /* BUY, SELL */
    int32_t       quantity;
    jutsu_money_t fill_price, value, realized_pnl;
    char          reason[64];
};

struct jutsu_backtest {
    jutsu_date_t               from, to;
    jutsu_money_t              capital;    /* both sides started with it */
    struct jutsu_backtest_side strategy, baseline;
    int                        has_baseline;
    /* with opts.series only (else NULL and 0); free with jutsu_backtest_free */
    struct jutsu_backtest_day   *days;
    size_t                       ndays;
    struct jutsu_backtest_year  *years;
    size_t                       nyears;
    struct jutsu_backtest_trade *trades;
    size_t                       ntrades;
    char                       error[512];
};

struct jutsu_backtest_opts {
    const char   *strategy;         /* a strategy instance of the config */
    jutsu_date_t  from, to;
    jutsu_money_t capital;          /* 0: the strategy's initial_capital */
    FILE         *daily;            /* not NULL: the day-by-day series as CSV */
    int           series;           /* not 0: out->days, years and trades too */
    /* parameters of the strategy's plugin for this run, over the config's
     * and the active overrides (a name twice: the last wins) */
    const struct jutsu_param *params;
    size_t        nparams;
    /* jutsu_clock_mono_us() past which the run stops, checked before each
     * trading day and between the steps (cooperative); 0: no bound */
    int64_t       deadline_us;
    /* not 0: write to the configured database in a transaction rolled back
     * at the end instead of to a store in memory: the same results, 5 to
     * 15 times slower, and the database's write lock held for the run.
     * For the tests that compare the two. */
    int           on_database;
    /* not 0: the baseline's EOD chain runs on a thread of its own beside
     * the trading (jobs/bt_baseline.h), when its symbol has a bar on every
     * trading day of the range; the same results. For a run alone on the
     * machine (the CLI's); a sweep keeps the cores busy already. */
    int           baseline_thread;
};

/* Runs it. 0, JUTSU_ENOENT (no such strategy), JUTSU_EINVAL (a range
 * without trading days, from > to, a parameter the plugin does not have or
 * a value it refuses), JUTSU_EPLUGIN (the strategy failed on a day),
 * JUTSU_ETIMEDOUT (past the deadline), or a storage error; the reason in
 * out->error. *out is always set; jutsu_backtest_free releases its series
 * (after a failure too). */
int  jutsu_backtest_run(struct jutsu_app *app, const struct jutsu_backtest_opts *o,
                        struct jutsu_backtest *out);
void jutsu_backtest_free(struct jutsu_backtest *r);

/*
 * The run as JSON, the one shape the CLI's --format json and POST
 * /api/backtest answer with: {from, to, capital, parameters, strategy:
 * SIDE, baseline: SIDE|null, years: [{year, strategy_return,
 * baseline_return, difference}], daily: [{date, equity, baseline_equity,
 * drawdown, baseline_drawdown}], trades: [{date, symbol, action, quantity,
 * fill_price, value, realized_pnl, reason}]}; SIDE is {id,
 * initial_capital, final_equity, total_return, cagr, sharpe, sortino,
 * calmar, max_drawdown, volatility, trades, win_rate, days,
 * final_allocation}. Money as exact strings, ratios rounded to their
 * column's precision (6 places; win_rate a percent, 2), dates as text.
 * `params` (may be NULL) is shown as given. A new object, or NULL (no
 * memory).
 */
json_object *jutsu_backtest_json(const struct jutsu_backtest *r, const struct jutsu_param *params,
                                 size_t nparams);

/* The same answer written into w (core/base/json_writer.h): the bytes
 * json-c prints for jutsu_backtest_json's tree in w's layout, without the
 * tree (the CLI's 3,600 days were a twentieth of the command). Out of
 * memory shows as w->oom. */
struct jutsu_jw;
void jutsu_backtest_write(struct jutsu_jw *w, const struct jutsu_backtest *r,
                          const struct jutsu_param *params, size_t nparams);

#endif
