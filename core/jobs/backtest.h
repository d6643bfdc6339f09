/*
 * core/jobs/backtest.h — a strategy over history, through the trading and EOD
 * code, leaving nothing behind.
 *
 * The backtest opens one transaction on the configured database and runs
 * in it, under entity ids of its own ("bt:<strategy>", "bt:<baseline>") so
 * that nothing of the live books is read or touched: the strategy is
 * warmed up on the stored bars before `from` (needs.warmup_bars trading
 * days), then fed and traded day by day with the trading job's own
 * jutsu_trader_day (simulated fills: trading.commission_per_share,
 * trading.slippage, whole shares, every fill at that day's price); the EOD
 * code then computes its daily_performance rows and those of the first
 * baseline of the config (QQQ by default) with the same capital, KPIs
 * included. The summary and the day-by-day series are read back, and the
 * transaction is rolled back: the database is as it was.
 *
 * Deterministic: the same bars and parameters give the same trades.
 */
#ifndef JUTSU_CORE_BACKTEST_H
#define JUTSU_CORE_BACKTEST_H

#include <stdio.h>

#include "host/app.h"
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

struct jutsu_backtest {
    jutsu_date_t               from, to;
    struct jutsu_backtest_side strategy, baseline;
    int                        has_baseline;
    char                       error[512];
};

struct jutsu_backtest_opts {
    const char   *strategy;         /* a strategy instance of the config */
    jutsu_date_t  from, to;
    jutsu_money_t capital;          /* 0: the strategy's initial_capital */
    FILE         *daily;            /* not NULL: the day-by-day series as CSV */
};

/* Runs it. 0, JUTSU_ENOENT (no such strategy), JUTSU_EINVAL (a range
 * without trading days, from > to), JUTSU_EPLUGIN (the strategy failed on
 * a day), or a storage error; the reason in out->error. */
int jutsu_backtest_run(struct jutsu_app *app, const struct jutsu_backtest_opts *o,
                       struct jutsu_backtest *out);

#endif
