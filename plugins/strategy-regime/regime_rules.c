/*
 * plugins/strategy-regime/regime_rules.c — v3_5b's regime rules, cells and
 * weights (see regime_rules.h).
 */
#include <math.h>

#include "regime_rules.h"

int regime_trend_of(double t_norm, double sma_fast, double sma_slow,
                    double bull_threshold, double bear_threshold)
{
    /* comparisons with NaN are false: an undefined indicator is Sideways */
    if (t_norm > bull_threshold && sma_fast > sma_slow)
        return REGIME_BULL;
    if (t_norm < bear_threshold && sma_fast < sma_slow)
        return REGIME_BEAR;
    return REGIME_SIDEWAYS;
}

int regime_vol_next(int prev, double z, double upper_z, double lower_z)
{
    if (z > upper_z)
        return REGIME_VOL_HIGH;
    if (z < lower_z)
        return REGIME_VOL_LOW;
    return prev;
}

int regime_vol_crushed(double change, double threshold)
{
    return change < threshold;
}

int regime_cell_of(int trend, int vol)
{
    int row = trend == REGIME_BULL ? 0 : trend == REGIME_SIDEWAYS ? 1 : 2;
    return 1 + 2 * row + (vol == REGIME_VOL_HIGH);
}

int regime_cell_trend(int cell)
{
    return cell <= 2 ? REGIME_BULL : cell <= 4 ? REGIME_SIDEWAYS : REGIME_BEAR;
}

int regime_cell_vol(int cell)
{
    return cell % 2 == 0 ? REGIME_VOL_HIGH : REGIME_VOL_LOW;
}

int regime_bond_of(int has_bar, double sma_fast, double sma_slow)
{
    if (!has_bar || isnan(sma_fast) || isnan(sma_slow))
        return REGIME_BOND_NONE;
    return sma_fast > sma_slow ? REGIME_BOND_BULL : REGIME_BOND_BEAR;
}

void regime_allocate(int cell, int bond, const struct regime_alloc_cfg *cfg,
                     struct regime_alloc *out)
{
    *out = (struct regime_alloc){ .bond_kind = REGIME_BOND_NONE };
    switch (cell) {
    case 1: out->leveraged = 0.6; out->core = 0.4; break;
    case 2: out->core = 1.0; break;
    case 3: out->leveraged = 0.2; out->core = 0.8; break;
    case 4: break;
    case 5: out->core = 0.5; break;
    case 6: out->inverse = cfg->use_inverse_hedge ? 0.5 : 0.0; break;
    default: return;
    }
    if (cell >= 4 && bond != REGIME_BOND_NONE) {
        double defensive = 1.0 - out->core - out->leveraged - out->inverse;
        double w = defensive * REGIME_BOND_SHARE;
        out->bond = w < cfg->max_bond_weight ? w : cfg->max_bond_weight;
        out->bond_kind = out->bond > 0.0 ? bond : REGIME_BOND_NONE;
    }
    out->core *= cfg->leverage_scalar;
    out->leveraged *= cfg->leverage_scalar;
    out->inverse *= cfg->leverage_scalar;
}

int regime_rebalance_due(const double *target, const double *traded, size_t n,
                         double threshold)
{
    if (traded == NULL) {
        for (size_t i = 0; i < n; i++)
            if (target[i] != 0.0)
                return 1;
        return 0;
    }
    double moved = 0.0;
    for (size_t i = 0; i < n; i++)
        moved += fabs(target[i] - traded[i]);
    return moved > threshold;
}

const char *regime_trend_name(int trend)
{
    return trend == REGIME_BULL ? "BullStrong" : trend == REGIME_BEAR ? "BearStrong" : "Sideways";
}

const char *regime_vol_name(int vol)
{
    return vol == REGIME_VOL_HIGH ? "High" : "Low";
}
