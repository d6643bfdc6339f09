/*
 * jutsu/strategy.h — a strategy turns each trading day's bars into target
 * weights.
 *
 * The trading job (and the backtest and the replay after a restart,
 * through the same code) feeds a strategy one trading day at a time, in
 * date order: the bars of every symbol it declared, of that day only,
 * never a later one. The strategy answers the weights it wants (fractions
 * of equity; what is left is cash) and the regime and indicator values it
 * used, which the job records with each trade and snapshot. Turning
 * weights into whole-share orders, fills and the books are the job's
 * business, not the strategy's.
 *
 * Warm-up: a strategy asks for `warmup_bars` days of history before the
 * first day it may trade; the job feeds them (from stored bars) before it
 * acts on a signal, and the strategy says `warm = 0` until it has seen
 * enough. A day on which a symbol has no bar is fed with has[i] = 0: the
 * strategy decides what that means for its indicators, and the job never
 * trades a symbol on a stale price.
 *
 * Rebalancing: the strategy compares its new targets with the last ones
 * that were traded (its own threshold, a parameter) and sets `rebalance`
 * when they moved enough; the job places orders only then (and when the
 * books are empty and the targets are not). The job may skip a day it was
 * asked to trade (a symbol's price is stale): a strategy that provides
 * committed() learns from it which targets the job did trade, and compares
 * against those; one without it assumes that what it asked to rebalance
 * was traded.
 *
 * State: save() serialises everything on_day() depends on, restore() puts
 * it back, so a restart continues without a replay; a replay of the same
 * bars (and the same committed() calls) from the start must reach the same
 * state (and the same signals): on_day is deterministic, a function of the
 * config, the bars fed so far and the targets committed so far. reset()
 * (optional) forgets everything, as if just initialised.
 *
 * Parameters are the plugin's config schema: `jutsu config override set`
 * changes one (checked against the schema's type); the job applies active
 * overrides by re-initialising the instance with them and replaying the
 * stored bars, so the state always matches the parameters.
 *
 * Threading: all ops of one instance are called from one thread at a time.
 * Structs carry their size first; the host sets it, and a plugin built
 * against an older minor reads and writes nothing beyond it.
 */
#ifndef JUTSU_STRATEGY_H
#define JUTSU_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/source.h"
#include "jutsu/plugin.h"

struct json_object;

#define JUTSU_STRATEGY_MAX_SYMBOLS 16

/* What the strategy needs; filled by needs(). The strings must stay valid
 * until destroy (point into the instance's config or static text). */
struct jutsu_strategy_needs {
    uint32_t    size;                                /* set by the host      */
    const char *symbols[JUTSU_STRATEGY_MAX_SYMBOLS]; /* NULL-terminated,
                                                        upper case, unique   */
    int32_t     warmup_bars;   /* days of history before the first tradable one */
    const char *timeframe;     /* "1D"                                       */
};

/* One day's input: bars[i] belongs to needs.symbols[i] and is valid only
 * when has[i] is 1. Borrowed for the call. */
struct jutsu_strategy_day {
    uint32_t                size;
    jutsu_date_t            date;
    const struct jutsu_bar *bars;
    const uint8_t          *has;
    size_t                  n;          /* the number of needs.symbols   */
};

/* What the strategy wants, and why. The host zeroes it, sets `size` and
 * NaN in every double before the call. Indicators are doubles: ratios and
 * statistics, and prices only for display (sma_fast/sma_slow are stored
 * rounded to the micro-unit). NaN marks "not defined yet". */
struct jutsu_strategy_signal {
    uint32_t size;
    double   weights[JUTSU_STRATEGY_MAX_SYMBOLS]; /* per needs.symbols[i], >= 0,
                                                     sum <= leverage allowed */
    int32_t  cell;                 /* regime cell 1..6, 0 = none               */
    char     trend_state[24];      /* "BullStrong", "Sideways", "BearStrong"    */
    char     vol_state[12];        /* "Low", "High"                             */
    double   t_norm, z_score, sma_fast, sma_slow;
    int32_t  warm;                 /* 0 during warm-up: weights are not acted on */
    int32_t  rebalance;            /* 1: targets moved enough: trade them        */
    struct json_object *extras;    /* optional, its own indicators; the caller
                                      owns the reference after return            */
};

struct jutsu_strategy_ops {
    uint32_t size;
    /* mandatory */
    int (*needs)(void *state, struct jutsu_strategy_needs *out);
    /* mandatory: one trading day, in date order. 0, or a negative JUTSU_E*
     * after host->set_error (the job then does not trade the strategy that
     * day and says why). */
    int (*on_day)(void *state, const struct jutsu_strategy_day *day,
                  struct jutsu_strategy_signal *out);
    /* mandatory: the state as JSON (*out owned by the caller) and back;
     * restore refuses (JUTSU_EMALFORMED, set_error) what it cannot read,
     * leaving the state as after init. */
    int (*save)(void *state, struct json_object **out);
    int (*restore)(void *state, struct json_object *saved);
    /* optional: forget everything (before a replay) */
    int (*reset)(void *state);
    /* optional: the job traded these targets: weights[i] for
     * needs.symbols[i], n of them, as on_day answered them that day. When
     * the job skipped the day (a stale price, an error), or a broker
     * rejected an order, filled one in part or was not sent one, it is not
     * called.
     * The strategy's rebalancing threshold compares against these from now
     * on. Called after the on_day of the day traded and before the next
     * on_day, also during a replay (on the days the books show trades), so
     * that the state stays a function of the bars and the commitments.
     * `weights` is borrowed for the call. 0, or JUTSU_EINVAL (set_error)
     * when n or a weight is not one the strategy could have asked for; the
     * state is then unchanged.
     *
     * A strategy without it assumes that what it asked to rebalance was
     * traded. Appended during ABI 1.0 (a 1.0 table may end before it): a
     * caller asks JUTSU_OPS_HAS(ops, jutsu_strategy_ops, committed) first. */
    int (*committed)(void *state, const double *weights, size_t n);
};

/* The table's size at ABI 1.0 (through `reset`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_STRATEGY_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_strategy_ops, reset)

#endif
