/*
 * core/trading/trade.h — the trading job: each strategy instance's signal of a
 * trading day turned into whole-share orders, fills and books.
 *
 * For a strategy and a day D (one code path for the scheduler, `jutsu trade
 * run` and the backtest):
 *
 *   1. the strategy is brought to the eve of D: its state restored from
 *      its record (system_state "strategy.<id>.<mode>"), the days it missed
 *      fed from stored bars without trading; a strategy never run is warmed
 *      up on the needs.warmup_bars trading days before D; a strategy whose
 *      parameters changed (active config_overrides over the YAML) is
 *      re-initialised with them and replayed from its first day
 *   2. D's bars of its symbols are fed (D's own, never a later day's; for
 *      today, before the sync has stored it, a source's live bar, not
 *      stored) and it answers weights, regime and indicators
 *   3. when it is warm and asks to rebalance: orders (trade_book.h), sells
 *      first; filled at D's price with the configured commission and
 *      slippage (offline_mock), or through its broker (online_live: place,
 *      poll, cancel after trading.order_timeout_s, the broker's order id
 *      and fill price recorded). Every order of the day is priced on D:
 *      no symbol fills on an earlier close. If a symbol it holds or wants
 *      has no price on D, nothing is traded that day (no trade on a stale
 *      price); the strategy is not told it traded
 *   4. one transaction: live_trades (with the strategy's context and one
 *      execution_id for the run), positions (average cost), a
 *      performance_snapshot (source 'scheduler', 'manual' from the CLI,
 *      'backtest'), and the strategy's record (state, cash, last day)
 *   5. after the commit: trade.filled per fill, snapshot.recorded
 *
 * A strategy's record says the last day it ran: running the job again for
 * that day (or an earlier one) trades nothing and says so. Strategies are
 * isolated: every read and write names the strategy and its mode.
 *
 * Runs on the calling thread; the caller holds the "trading" job lock.
 */
#ifndef JUTSU_CORE_TRADE_H
#define JUTSU_CORE_TRADE_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/symbol.h"
#include "host/app.h"
#include "host/entities.h"
#include "trading/trade_book.h"
#include "sched/scheduler.h"

enum jutsu_trade_outcome {
    JUTSU_TRADE_TRADED  = 0,   /* orders were filled                           */
    JUTSU_TRADE_HOLD    = 1,   /* warm, nothing to rebalance                   */
    JUTSU_TRADE_WARMING = 2,   /* not warm yet: no orders                      */
    JUTSU_TRADE_STALE   = 3,   /* a price of D is missing: no orders           */
    JUTSU_TRADE_ALREADY = 4,   /* it ran for D (or later) before: nothing done */
    JUTSU_TRADE_FAILED  = 5    /* see error                                    */
};

#define JUTSU_TRADE_MAX_ORDERS (2 * TRADE_MAX_POSITIONS)

/* One strategy on one day. */
struct jutsu_trade_result {
    const struct jutsu_entity *ent;
    jutsu_date_t  date;
    int           outcome;           /* enum jutsu_trade_outcome */
    char          execution_id[9];
    size_t        norders;
    struct trade_order orders[JUTSU_TRADE_MAX_ORDERS];
    jutsu_money_t equity, cash;      /* after the day's fills, at D's prices */
    int32_t       cell;
    char          trend_state[24], vol_state[12];
    double        t_norm, z_score;
    double        weights[JUTSU_STRATEGY_MAX_SYMBOLS];
    const char   *symbols[JUTSU_STRATEGY_MAX_SYMBOLS];   /* the strategy's; NULL-ended */
    /* The day was decided without a bar of D for this symbol of the
     * strategy's (the one whose newest bar is oldest when several lack
     * one): "" when every symbol has D's bar. A data feed that stopped
     * still lets a strategy answer `hold`: the caller says so aloud. */
    char          stale_symbol[JUTSU_SYMBOL_MAX + 1];
    jutsu_date_t  stale_newest;      /* its newest valid bar before D; 0: none at all */
    char          error[512];
};

struct jutsu_trade_report {
    struct jutsu_entities      ents;
    struct jutsu_trade_result *v;
    size_t                     n;
    int                        failed;
    char                       error[512];
};

const char *jutsu_trade_outcome_name(int outcome);

/*
 * Runs the trading job for day `date` (0: today's exchange date) for every
 * strategy instance, or only `strategy`. Returns 0, JUTSU_EPLUGIN when a
 * strategy failed (see its result), JUTSU_ENOENT for an unknown strategy,
 * JUTSU_EINVAL for a day the exchange is closed, or a setup error
 * (r->error). `source` is the snapshot_source ('scheduler', 'manual').
 */
int  jutsu_trade_run(struct jutsu_app *app, jutsu_date_t date, const char *strategy,
                     const char *source, struct jutsu_trade_report *r);
void jutsu_trade_report_free(struct jutsu_trade_report *r);

/* The trading job as the scheduler runs it (core/trading/trade_job.c); its
 * time of day is what trades and snapshots are stamped with. */
extern const struct jutsu_sched_job jutsu_trade_job;

#endif
