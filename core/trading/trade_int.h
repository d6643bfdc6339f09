/*
 * core/trading/trade_int.h — one strategy being traded (a trader), shared by the
 * trading job (core/trading/trade.c) and the backtest (core/jobs/backtest.c): both run
 * a day through the same jutsu_trader_day.
 */
#ifndef JUTSU_CORE_TRADE_INT_H
#define JUTSU_CORE_TRADE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/strategy.h"
#include "base/json_writer.h"
#include "market/prices.h"
#include "sched/scheduler.h"
#include "store/store.h"
#include "trading/trade.h"

struct trader {
    struct jutsu_app                *app;
    jutsu_dbs                       *s;        /* every read and write goes here  */
    const struct jutsu_sched_time   *when;     /* the trading job's time of day  */
    const struct jutsu_entity       *ent;
    struct jutsu_ctx                *inst;
    const struct jutsu_strategy_ops *ops;
    struct jutsu_strategy_needs      needs;
    size_t                           nsym;
    struct trade_costs               costs;
    struct trade_books               books;
    const char                      *source;   /* snapshot_source                */
    int                              persist;  /* write the record every day     */
    struct jutsu_row_bulk           *snaps;    /* a fresh store's snapshot writer
                                                * (a backtest's), or NULL: upserts */
    struct jutsu_jw                  pos;      /* a snapshot's positions_json      */
    jutsu_date_t  first_date;   /* the first day the state was fed; 0: never    */
    jutsu_date_t  fed_date;     /* the last day fed (the state is of its eve+1) */
    jutsu_date_t  last_date;    /* the last day the job ran (and traded)        */
    jutsu_money_t last_equity;  /* at the last run; JUTSU_MONEY_NULL before     */
    int32_t       last_cell;
    char         *params;       /* the parameters the state belongs to (JSON)  */
    char          record_key[96];
};

/*
 * Opens a trader on `ent` (a strategy entity whose instance is running):
 * applies the active overrides (re-initialising the instance when they
 * changed), reads its record and positions, restores its state (or marks
 * it for a replay when the parameters changed). `persist` 0 keeps the
 * record in memory (a backtest writes none). 0 or a code, reason in err.
 */
int  jutsu_trader_open(struct trader *t, struct jutsu_app *app, jutsu_dbs *s,
                       const struct jutsu_sched_time *when, const struct jutsu_entity *ent,
                       const char *source, int persist, char *err, size_t errsz);
void jutsu_trader_close(struct trader *t);

/* What a trading or paper run needs before anything else: the config's
 * entities into *ents and the trading job's time of day (what trades and
 * snapshots are stamped with). 0, or an error with the reason in err. */
int  jutsu_trade_setup(struct jutsu_app *app, struct jutsu_entities *ents,
                       struct jutsu_sched_time *when, char *err, size_t errsz);

/* The first day `d`'s run needs bars from (the replay or warm-up start). */
jutsu_date_t jutsu_trader_from(const struct trader *t, jutsu_date_t d);

/* One day into the strategy: its symbols' bars of d (has[i] 0 where a
 * symbol has none), nothing later; *sig blanked first (the caller drops
 * sig->extras). JUTSU_EPLUGIN (reason in err) when the strategy fails. */
int  jutsu_trader_feed(struct trader *t, jutsu_prices *p, jutsu_date_t d, struct jutsu_bar *bars,
                       uint8_t *has, struct jutsu_strategy_signal *sig, char *err, size_t errsz);

/* Writes the record (system_state): dates, cash, parameters, state. */
int  jutsu_trader_save(struct trader *t);

/* committed() of the strategy, when its table has it (refusals are logged). */
void jutsu_trader_commit(struct trader *t, const double *weights);

/* Feeds the trading days before `d` it has not seen, without trading;
 * on the days the books show trades it calls committed() with that day's
 * targets. */
int  jutsu_trader_catch_up(struct trader *t, jutsu_prices *p, jutsu_date_t d, char *err,
                           size_t errsz);

/*
 * Runs day `d` (caught up to its eve): feeds it, decides, fills (simulated
 * or through the broker), writes trades, positions, the snapshot and (if
 * persisting) the record through t->s, which joins the caller's
 * transaction. Fills res. Returns 0 (the outcome in res, FAILED included)
 * or a storage error (the caller rolls back).
 */
int  jutsu_trader_day(struct trader *t, jutsu_prices *p, jutsu_date_t d,
                      struct jutsu_trade_result *res);

/* trade.filled per fill and snapshot.recorded, once the day committed. */
void jutsu_trader_publish(const struct trader *t, const struct jutsu_trade_result *res);

/* Fills the day's orders through the strategy's broker (core/trading/trade_broker.c):
 * place, poll every trading.poll_interval_ms, cancel at
 * trading.order_timeout_s, and apply what filled to the books. */
int  jutsu_trade_broker_fill(struct trader *t, struct trade_order *orders, size_t n, char *err,
                             size_t errsz);

#endif
