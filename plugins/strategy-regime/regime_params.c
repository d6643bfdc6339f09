/*
 * plugins/strategy-regime/regime_params.c — the parameter table generated
 * from REGIME_PARAM_LIST, and the checks of the values.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/symbol.h"
#include "regime_params.h"

#define ENTRY(key, type, field, def, lo, hi, help) \
    { #key, REGIME_##type, offsetof(struct regime_params, field), (lo), (hi) },

const struct regime_param regime_param_table[] = {
    REGIME_PARAM_LIST(ENTRY)
    { NULL, 0, 0, 0, 0 }
};

int regime_param_check(const struct regime_param *e, const struct regime_params *p,
                       char *why, size_t whysz)
{
    const char *field = (const char *)p + e->offset;
    double v;
    switch (e->type) {
    case REGIME_SYM: {
        const char *s = *(const char *const *)field;
        if (jutsu_symbol_valid(s))
            return 0;
        snprintf(why, whysz, "%s is \"%.40s\", not a symbol: " JUTSU_SYMBOL_RULE, e->key,
                 s ? s : "");
        return -1;
    }
    case REGIME_BOOL:
        return 0;
    case REGIME_INT:
        v = (double)*(const int64_t *)field;
        break;
    default:
        v = *(const double *)field;
        break;
    }
    if (e->type == REGIME_POS ? (v > 0 && v <= e->hi) : (v >= e->lo && v <= e->hi))
        return 0;   /* (a NaN fails both) */
    if (e->type == REGIME_POS)
        snprintf(why, whysz, "%s is %.17g, not above 0 and at most %g", e->key, v, e->hi);
    else
        snprintf(why, whysz, "%s is %.17g, not within %g..%g", e->key, v, e->lo, e->hi);
    return -1;
}

int regime_params_check(const struct regime_params *p, const char *keys[2], char *why,
                        size_t whysz)
{
    if (p->sma_fast >= p->sma_slow) {
        keys[0] = "sma_fast", keys[1] = "sma_slow";
        snprintf(why, whysz, "sma_fast (%" PRId64 ") must be less than sma_slow (%" PRId64 ")",
                 p->sma_fast, p->sma_slow);
        return -1;
    }
    if (p->bond_sma_fast >= p->bond_sma_slow) {
        keys[0] = "bond_sma_fast", keys[1] = "bond_sma_slow";
        snprintf(why, whysz, "bond_sma_fast (%" PRId64 ") must be less than bond_sma_slow (%"
                 PRId64 ")", p->bond_sma_fast, p->bond_sma_slow);
        return -1;
    }
    if (!(p->bear_threshold < p->bull_threshold)) {
        keys[0] = "bear_threshold", keys[1] = "bull_threshold";
        snprintf(why, whysz, "bear_threshold (%g) must be below bull_threshold (%g)",
                 p->bear_threshold, p->bull_threshold);
        return -1;
    }
    if (!(p->lower_z <= p->upper_z)) {
        keys[0] = "lower_z", keys[1] = "upper_z";
        snprintf(why, whysz, "lower_z (%g) must not be above upper_z (%g): a z-score "
                 "between them would turn volatility both High and Low", p->lower_z, p->upper_z);
        return -1;
    }
    return 0;
}
