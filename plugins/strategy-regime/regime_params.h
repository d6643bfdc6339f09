/*
 * plugins/strategy-regime/regime_params.h — every parameter of v3_5b,
 * declared once.
 *
 * REGIME_PARAM_LIST is the single list: the plugin's config schema
 * (regime_plugin.c), whose rows carry each field's offset so that one
 * host->cfg_fill reads them all into struct regime_params, the table that
 * range-checks the values at init, and the "params" member of the saved
 * state (regime_state.c) are all generated from it, so a parameter cannot
 * be added to one and forgotten in another. The defaults are the live
 * values of the original v3_5b; docs/strategies.md explains each.
 *
 * X(key, type, field, default, lo, hi, help), with type one of
 *   DBL  a double in [lo, hi]
 *   POS  a double in (0, hi]
 *   INT  an integer in [lo, hi] (the host checks it against the schema)
 *   BOOL a boolean
 *   SYM  a symbol (jutsu/symbol.h)
 * and field the member of struct regime_params that holds it, of the C type
 * the fill writes for its config type: double, int64_t, int, const char *.
 */
#ifndef REGIME_PARAMS_H
#define REGIME_PARAMS_H

#include <stddef.h>
#include <stdint.h>

/* The symbol roles, in the order needs() lists their (distinct) symbols. */
enum regime_role {
    ROLE_SIGNAL, ROLE_CORE, ROLE_LEVERAGED, ROLE_INVERSE, ROLE_BOND_SIGNAL,
    ROLE_BULL_BOND, ROLE_BEAR_BOND, REGIME_NROLES
};

#define REGIME_PARAM_LIST(X) \
    X(measurement_noise, POS, measurement_noise, "3000", 0, 1e12, \
      "Kalman measurement noise R before the volume ratio; larger trusts a close less " \
      "(a smoother, slower trend). > 0") \
    X(process_noise_1, POS, process_noise_1, "0.01", 0, 1e6, \
      "Kalman process noise of the trend's level, Q[0][0]. > 0") \
    X(process_noise_2, POS, process_noise_2, "0.01", 0, 1e6, \
      "Kalman process noise of the trend's slope, Q[1][1]. > 0") \
    X(osc_smoothness, INT, osc_smoothness, "15", 1, 500, \
      "Oscillator values averaged into the trend strength; at most 20 are used") \
    X(strength_smoothness, INT, strength_smoothness, "15", 1, 500, \
      "Kept from the original's parameter set; the v3_5b rules do not use it") \
    X(t_max, POS, t_max, "50", 0, 1e6, \
      "Trend strength at which t_norm reaches 1: t_norm = clip(strength / t_max, -1, 1). > 0") \
    X(sma_fast, INT, sma_fast, "40", 1, 2520, \
      "Closes in the signal's fast moving average; less than sma_slow") \
    X(sma_slow, INT, sma_slow, "140", 2, 2520, \
      "Closes in the signal's slow moving average") \
    X(bull_threshold, DBL, bull_threshold, "0.05", -1, 1, \
      "t_norm above it, with SMA fast > slow, is BullStrong. -1..1, above bear_threshold") \
    X(bear_threshold, DBL, bear_threshold, "-0.3", -1, 1, \
      "t_norm below it, with SMA fast < slow, is BearStrong. -1..1") \
    X(realized_vol_window, INT, realized_vol_window, "21", 2, 2520, \
      "Daily log returns in the realized volatility sigma") \
    X(vol_baseline_window, INT, vol_baseline_window, "200", 2, 2520, \
      "Values of sigma the z-score compares today's with") \
    X(upper_z, DBL, upper_z, "1.0", -100, 100, \
      "z-score above it turns volatility High. -100..100, at least lower_z") \
    X(lower_z, DBL, lower_z, "0.2", -100, 100, \
      "z-score below it turns volatility Low; in between it stays. -100..100") \
    X(vol_crush_threshold, DBL, vol_crush_threshold, "-0.15", -1, 0, \
      "sigma / sigma vol_crush_lookback days ago - 1 below it is a vol-crush: volatility " \
      "Low, BearStrong becomes Sideways. -1..0") \
    X(vol_crush_lookback, INT, vol_crush_lookback, "5", 1, 2519, \
      "Days back the vol-crush compares sigma with") \
    X(leverage_scalar, DBL, leverage_scalar, "1.0", 0, 2, \
      "Multiplies the core, leveraged and inverse weights (not the bonds). 0..2") \
    X(use_inverse_hedge, BOOL, use_inverse_hedge, "false", 0, 0, \
      "Cell 6 (BearStrong, High) holds 0.5 in the inverse symbol instead of cash") \
    X(bond_sma_fast, INT, bond_sma_fast, "20", 1, 2520, \
      "Closes in the bond signal's fast moving average; less than bond_sma_slow") \
    X(bond_sma_slow, INT, bond_sma_slow, "60", 2, 2520, \
      "Closes in the bond signal's slow moving average") \
    X(max_bond_weight, DBL, max_bond_weight, "0.4", 0, 1, \
      "Cap on the treasury overlay's weight (0.4 of the defensive share). 0..1") \
    X(rebalance_threshold, DBL, rebalance_threshold, "0.025", 0, 2, \
      "Rebalance when the sum of |target - last traded| exceeds it. 0..2") \
    X(signal_symbol, SYM, symbol[ROLE_SIGNAL], "QQQ", 0, 0, \
      "Symbol whose closes drive the trend and volatility regime") \
    X(core_symbol, SYM, symbol[ROLE_CORE], "QQQ", 0, 0, \
      "Unleveraged symbol held in cells 1, 2, 3 and 5") \
    X(leveraged_symbol, SYM, symbol[ROLE_LEVERAGED], "TQQQ", 0, 0, \
      "Leveraged symbol held in cells 1 and 3") \
    X(inverse_symbol, SYM, symbol[ROLE_INVERSE], "PSQ", 0, 0, \
      "Inverse symbol held in cell 6 with use_inverse_hedge") \
    X(bond_signal_symbol, SYM, symbol[ROLE_BOND_SIGNAL], "TLT", 0, 0, \
      "Symbol whose moving averages choose the overlay's bond") \
    X(bull_bond_symbol, SYM, symbol[ROLE_BULL_BOND], "TMF", 0, 0, \
      "Bond held by the overlay when the bond signal's fast SMA is above its slow one") \
    X(bear_bond_symbol, SYM, symbol[ROLE_BEAR_BOND], "TMV", 0, 0, \
      "Bond held by the overlay otherwise")

/* Every parameter, as filled from the config (host->cfg_fill) and checked. */
struct regime_params {
    double  measurement_noise, process_noise_1, process_noise_2;
    int64_t osc_smoothness, strength_smoothness;
    double  t_max;
    int64_t sma_fast, sma_slow;
    double  bull_threshold, bear_threshold;
    int64_t realized_vol_window, vol_baseline_window;
    double  upper_z, lower_z, vol_crush_threshold;
    int64_t vol_crush_lookback;
    double  leverage_scalar;
    int     use_inverse_hedge;
    int64_t bond_sma_fast, bond_sma_slow;
    double  max_bond_weight, rebalance_threshold;
    const char *symbol[REGIME_NROLES];   /* borrowed from the config */
};

enum regime_ptype { REGIME_DBL, REGIME_POS, REGIME_INT, REGIME_BOOL, REGIME_SYM };

/* One entry of the list, as data. */
struct regime_param {
    const char *key;
    int         type;     /* enum regime_ptype */
    size_t      offset;   /* of its field in struct regime_params */
    double      lo, hi;
};

/* The list, in order, ended by an entry whose key is NULL. */
extern const struct regime_param regime_param_table[];

/*
 * Checks one value against its entry's range (or, for a symbol, its
 * alphabet). 0 when fine, else -1 with why = "upper_z is 300, not within
 * -100..100". Integers and booleans pass (the host checked them against
 * the schema before init).
 */
int regime_param_check(const struct regime_param *e, const struct regime_params *p,
                       char *why, size_t whysz);

/* The rules between parameters (sma_fast < sma_slow, lower_z <= upper_z,
 * ...): 0, or -1 with why naming both keys, which are keys[0] and keys[1]
 * (for the caller to point at the one the config sets). */
int regime_params_check(const struct regime_params *p, const char *keys[2], char *why,
                        size_t whysz);

#endif
