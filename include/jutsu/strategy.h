/*
 * jutsu/strategy.h — a strategy turns each trading day's bars into target
 * weights.
 *
 * The trading job (and the backtest, through the same code) feeds a
 * strategy one trading day at a time: the bars of all the symbols it
 * declared, for that day only, never a later one. The strategy answers the
 * weights it wants (fractions of equity; the rest is cash) and the regime
 * and indicator values it used, which the job records with each trade and
 * snapshot. Turning weights into whole-share orders, thresholds on order
 * size and fills are the job's business, not the strategy's.
 *
 * State: save() serialises everything on_day() depends on, restore() puts
 * it back, so a restart continues without a replay; a replay of the same
 * bars from the start must reach the same state.
 *
 * Threading: all ops of one instance are called from one thread at a time.
 */
#ifndef JUTSU_STRATEGY_H
#define JUTSU_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/source.h"

struct json_object;

#define JUTSU_STRATEGY_MAX_SYMBOLS 16

struct jutsu_strategy_needs {
    const char *symbols[JUTSU_STRATEGY_MAX_SYMBOLS]; /* NULL-terminated    */
    int32_t     warmup_bars;   /* bars before the first tradable day       */
    const char *timeframe;     /* "1D"                                     */
};

/* One day's input: bars[i] belongs to needs.symbols[i]; has[i] is 0 when
 * that symbol has no bar that day (the strategy decides what that means;
 * the job never trades a symbol on a stale price). */
struct jutsu_strategy_day {
    jutsu_date_t           date;
    const struct jutsu_bar *bars;
    const uint8_t          *has;
    size_t                  n;
};

/* What the strategy wants, and why. Indicators are double: they are
 * ratios and statistics, not money. NaN marks "not yet defined". */
struct jutsu_strategy_signal {
    double weights[JUTSU_STRATEGY_MAX_SYMBOLS]; /* per needs.symbols[i]     */
    int    cell;                 /* regime cell, 0 = none                  */
    char   trend_state[24];      /* "BullStrong", "Sideways", "BearStrong" */
    char   vol_state[12];        /* "Low", "High"                          */
    double t_norm, z_score, sma_fast, sma_slow;
    int    warm;                 /* 0 during warm-up: do not trade         */
    int    rebalance;            /* nonzero if the weights changed enough  */
    struct json_object *extras;  /* optional, owned by the caller after return */
};

struct jutsu_strategy_ops {
    uint32_t size;
    /* mandatory */
    int (*needs)(void *state, struct jutsu_strategy_needs *out);
    int (*on_day)(void *state, const struct jutsu_strategy_day *day,
                  struct jutsu_strategy_signal *out);
    /* mandatory: state as JSON (owned by the caller) and back */
    int (*save)(void *state, struct json_object **out);
    int (*restore)(void *state, struct json_object *saved);
    /* optional: forget everything (before a replay) */
    int (*reset)(void *state);
};

#endif
