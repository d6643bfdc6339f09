/*
 * plugins/strategy-regime/regime.h — one v3_5b instance's parameters and
 * state, and its trading day: what the plugin glue (regime_plugin.c) calls
 * and what regime_state.c saves.
 *
 * A day (regime_day):
 *
 *   1. The bond signal's close, when it has a bar, enters its window (its
 *      SMAs are the bond signal's own, whatever the other symbols did).
 *   2. Without a bar of the signal symbol nothing else advances: the
 *      Kalman filter, the closes, sigma, the volatility state, the bar
 *      count and so `warm` stay as they were, and the targets are the last
 *      signal day's (cell and bond choice held). Only `rebalance` is
 *      evaluated again, against what was traded since.
 *   3. With one: the Kalman filter steps, the close enters the window,
 *      sigma (once defined) enters its window, the volatility hysteresis
 *      and vol-crush update the volatility state, and the bar count grows.
 *      The first `warmup` signal bars are history (strategy.h's
 *      warmup_bars); from the next one on the day is warm: the trend, cell
 *      and bond choice are decided (the bond needs the bond signal's bar
 *      that same day); before, there is no cell (0) and no target.
 *   4. The targets follow from the cell and bond choice (regime_rules.h);
 *      `rebalance` compares them with the last targets committed (only
 *      committed() changes those), and is 0 while not warm.
 *
 * Nothing here logs or touches json-c. Thread-safety: one instance, one
 * thread at a time.
 */
#ifndef REGIME_H
#define REGIME_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/source.h"
#include "jutsu/strategy.h"
#include "regime_kalman.h"
#include "regime_params.h"
#include "regime_ring.h"
#include "regime_rules.h"

/* Everything a day depends on besides the parameters: what save() writes. */
struct regime_mut {
    int64_t              bars;        /* signal bars seen                      */
    struct regime_kalman kalman;
    struct regime_mring  closes;      /* the signal's last closes              */
    struct regime_ring   sigmas;      /* its last sigma values                 */
    struct regime_mring  bond_closes; /* the bond signal's last closes         */
    int                  vol;         /* enum regime_vol_state                 */
    int                  cell;        /* the last signal day's, 0 = none       */
    int                  bond;        /* its bond choice, enum regime_bond     */
    int                  has_traded;  /* committed() was called                */
    double               traded[JUTSU_STRATEGY_MAX_SYMBOLS];  /* its targets   */
};

struct regime {
    struct regime_params     p;
    struct regime_kalman_cfg kcfg;
    struct regime_alloc_cfg  acfg;
    int32_t    warmup;                            /* bars before warm        */
    size_t     nsym;                              /* distinct symbols        */
    const char *symbols[JUTSU_STRATEGY_MAX_SYMBOLS + 1];  /* NULL-terminated */
    size_t     role_index[REGIME_NROLES];         /* role -> symbols[] index */
    struct regime_mut m;
};

/* What a day produced: the targets and every indicator (NaN: undefined). */
struct regime_out {
    double weights[JUTSU_STRATEGY_MAX_SYMBOLS];
    int    cell, trend, vol, bond, warm, rebalance, signal_bar, crushed;
    double t_norm, z_score, sma_fast, sma_slow, sigma, sigma_change;
    double oscillator, strength, innovation, bond_sma_fast, bond_sma_slow;
};

/* max(sma_slow + 10, vol_baseline_window + realized_vol_window,
 * bond_sma_slow): 221 with the live parameters. */
int32_t regime_warmup(const struct regime_params *p);

/* Derives the rest of *r from r->p (symbols, roles, warm-up) and
 * allocates the state. 0, or -1 when out of memory (r->m is then empty
 * and regime_free is harmless). */
int  regime_setup(struct regime *r);
/* Allocates an empty state shaped for r's parameters into *m. 0 or -1. */
int  regime_mut_alloc(const struct regime *r, struct regime_mut *m);
void regime_mut_free(struct regime_mut *m);
/* As after regime_setup: nothing seen, nothing traded. */
void regime_reset(struct regime *r);
void regime_free(struct regime *r);

/* Checks a day's bars: NULL, or a static reason ("has a close of 0 or
 * less", ...) with *bad set to the index of the symbol at fault (or to
 * r->nsym when the day as a whole is wrong). */
const char *regime_check_day(const struct regime *r, const struct jutsu_strategy_day *day,
                             size_t *bad);
/* One trading day (checked). */
void regime_day(struct regime *r, const struct jutsu_strategy_day *day,
                struct regime_out *out);
/* Records the targets the job traded (n == r->nsym, finite, >= 0). */
void regime_commit(struct regime *r, const double *weights);

#endif
