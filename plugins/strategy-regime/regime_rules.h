/*
 * plugins/strategy-regime/regime_rules.h — the rules of v3_5b: from the
 * indicators of a day to a regime cell, and from a cell to target weights.
 *
 * Trend (regime_trend_of):
 *   BullStrong  t_norm > bull_threshold and SMA_fast > SMA_slow
 *   BearStrong  t_norm < bear_threshold and SMA_fast < SMA_slow
 *   Sideways    otherwise (also while anything is NaN)
 *
 * Volatility (regime_vol_next), a hysteresis that starts Low:
 *   z > upper_z -> High;  z < lower_z -> Low;  otherwise (or z NaN) keep.
 * Vol-crush (regime_vol_crushed): sigma_t / sigma_(t-lookback) - 1 below
 * vol_crush_threshold. On a crush the volatility state is Low (and stays
 * Low for the hysteresis: it is the state, not a one-day override) and
 * BearStrong becomes Sideways.
 *
 * Cells and base weights (fractions of equity; the rest is cash):
 *   1 Bull/Low   0.6 leveraged + 0.4 core
 *   2 Bull/High  1.0 core
 *   3 Side/Low   0.2 leveraged + 0.8 core
 *   4 Side/High  cash
 *   5 Bear/Low   0.5 core + cash
 *   6 Bear/High  cash, or 0.5 inverse + cash with use_inverse_hedge
 *
 * Treasury overlay, cells 4, 5 and 6 only: the defensive share D is the
 * cash of the base weights (1 - core - leveraged - inverse); the bond
 * weight is min(D * REGIME_BOND_SHARE, max_bond_weight), taken out of
 * cash, in the bull bond when the bond signal's SMA_fast > SMA_slow, else
 * the bear bond. Without a bond choice (REGIME_BOND_NONE: the bond signal
 * has no bar that day, or its SMAs are not defined yet) it stays cash.
 *   cell 4 and 6: D = 1   -> 0.4 bond + 0.6 cash
 *   cell 5:       D = 0.5 -> 0.5 core + 0.2 bond + 0.3 cash
 *   cell 6 hedged: D = 0.5 -> 0.5 inverse + 0.2 bond + 0.3 cash
 *
 * Leverage scalar: after the overlay, the core, leveraged and inverse
 * weights are multiplied by leverage_scalar; the bond weight is not (it
 * is sized from the unscaled defensive share), and cash is what is left,
 * 1 - sum of the weights, negative (borrowed) when the scalar is above 1
 * in an invested cell.
 *
 * Rebalance (regime_rebalance_due): sum |target_i - traded_i| >
 * threshold; before anything was traded: any target nonzero.
 *
 * Pure and reentrant.
 */
#ifndef REGIME_RULES_H
#define REGIME_RULES_H

#include <stddef.h>

/* The defensive share's fraction that goes to bonds. */
#define REGIME_BOND_SHARE 0.4

enum regime_trend_state { REGIME_SIDEWAYS = 0, REGIME_BULL = 1, REGIME_BEAR = 2 };
enum regime_vol_state   { REGIME_VOL_LOW = 0, REGIME_VOL_HIGH = 1 };
enum regime_bond        { REGIME_BOND_NONE = 0, REGIME_BOND_BULL = 1, REGIME_BOND_BEAR = 2 };

/* The weights of one cell, by role (before they are put in symbol order). */
struct regime_alloc {
    double core, leveraged, inverse, bond;
    int    bond_kind;   /* enum regime_bond: which bond holds `bond` */
};

struct regime_alloc_cfg {
    int    use_inverse_hedge;
    double max_bond_weight;   /* 0..1 */
    double leverage_scalar;   /* >= 0 */
};

int regime_trend_of(double t_norm, double sma_fast, double sma_slow,
                    double bull_threshold, double bear_threshold);
int regime_vol_next(int prev, double z, double upper_z, double lower_z);
/* 1 when change (sigma_t / sigma_(t-lookback) - 1) < threshold. */
int regime_vol_crushed(double change, double threshold);
/* 1..6 from a trend and a volatility state. */
int regime_cell_of(int trend, int vol);
/* The trend and volatility state a cell stands for. */
int regime_cell_trend(int cell);
int regime_cell_vol(int cell);
/* The bond the overlay would hold: bull when fast > slow, bear when not,
 * none when either is NaN or has_bar is 0. */
int regime_bond_of(int has_bar, double sma_fast, double sma_slow);

/* The weights of `cell` (1..6; anything else: all zero). */
void regime_allocate(int cell, int bond, const struct regime_alloc_cfg *cfg,
                     struct regime_alloc *out);

/* sum |target_i - traded_i| over n, or, traded NULL, any target nonzero. */
int regime_rebalance_due(const double *target, const double *traded, size_t n,
                         double threshold);

/* "BullStrong", "Sideways", "BearStrong"; "Low", "High". */
const char *regime_trend_name(int trend);
const char *regime_vol_name(int vol);

#endif
