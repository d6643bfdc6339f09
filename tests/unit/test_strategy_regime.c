/*
 * tests/unit/test_strategy_regime.c — strategy-regime (v3_5b) and
 * strategy-buyhold, loaded as the real plugins by the real host
 * ($JUTSU_PLUGIN_PATH) in an app without a database:
 *
 *   - each rule of v3_5b in isolation, on hand-built inputs, calling the
 *     plugin's pure rule functions (regime_rules.c, compiled in): the six
 *     cells and their weights with the treasury overlay (0.4 bond + 0.6
 *     cash, 0.5 QQQ + 0.2 bond + 0.3 cash), the inverse hedge, the cap, the
 *     leverage scalar, the trend, hysteresis sequences, vol-crush and the
 *     rebalance threshold;
 *   - through the plugin: the config (defaults, every range error with its
 *     key and position, the warm-up formula, the symbol list), committed()
 *     and the threshold, bad days, strict restore naming the member, a
 *     v3_5d instance beside v3_5b;
 *   - strategy-buyhold's whole contract;
 *   - the strategy conformance suite (libjutsu_harness) against both
 *     plugins, started as jutsu-plugin-test starts them, and against
 *     broken strategies, which it must catch;
 *   - and, in strategy_real.c, every day of the sample data against an
 *     independent computation, determinism and save/restore.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "regime_rules.h"
#include "harness_fixture.h"
#include "strategy_fx.h"
#include "testutil.h"

/* --- the rules in isolation ------------------------------------------------------ */

static void alloc_is(int cell, int bond, int hedge, double cap, double scalar, double core,
                     double lev, double inv, double bondw, int kind)
{
    struct regime_alloc_cfg cfg = { hedge, cap, scalar };
    struct regime_alloc a;
    regime_allocate(cell, bond, &cfg, &a);
    ck_assert_msg(a.core == core && a.leveraged == lev && a.inverse == inv && a.bond == bondw &&
                  a.bond_kind == kind, "cell %d bond %d hedge %d cap %g scalar %g: core %.17g "
                  "leveraged %.17g inverse %.17g bond %.17g (%d); want %g %g %g %g (%d)", cell,
                  bond, hedge, cap, scalar, a.core, a.leveraged, a.inverse, a.bond, a.bond_kind,
                  core, lev, inv, bondw, kind);
}

START_TEST(test_rule_cells)
{
    const int N = REGIME_BOND_NONE, B = REGIME_BOND_BULL, R = REGIME_BOND_BEAR;
    ck_assert_int_eq(regime_cell_of(REGIME_BULL, REGIME_VOL_LOW), 1);
    ck_assert_int_eq(regime_cell_of(REGIME_BULL, REGIME_VOL_HIGH), 2);
    ck_assert_int_eq(regime_cell_of(REGIME_SIDEWAYS, REGIME_VOL_LOW), 3);
    ck_assert_int_eq(regime_cell_of(REGIME_SIDEWAYS, REGIME_VOL_HIGH), 4);
    ck_assert_int_eq(regime_cell_of(REGIME_BEAR, REGIME_VOL_LOW), 5);
    ck_assert_int_eq(regime_cell_of(REGIME_BEAR, REGIME_VOL_HIGH), 6);
    for (int c = 1; c <= 6; c++)
        ck_assert_int_eq(regime_cell_of(regime_cell_trend(c), regime_cell_vol(c)), c);

    /* base weights: the overlay never touches cells 1-3, whatever the bond */
    alloc_is(1, B, 0, 0.4, 1, 0.4, 0.6, 0, 0, N);
    alloc_is(2, R, 0, 0.4, 1, 1.0, 0, 0, 0, N);
    alloc_is(3, B, 0, 0.4, 1, 0.8, 0.2, 0, 0, N);
    /* the overlay: D = 1 in cells 4 and 6 -> min(1 * 0.4, 0.4) = 0.4 bond, 0.6 cash */
    alloc_is(4, B, 0, 0.4, 1, 0, 0, 0, 0.4, B);
    alloc_is(4, R, 0, 0.4, 1, 0, 0, 0, 0.4, R);
    alloc_is(6, B, 0, 0.4, 1, 0, 0, 0, 0.4, B);
    /* cell 5: D = 0.5 -> 0.5 QQQ + min(0.5 * 0.4, 0.4) = 0.2 bond + 0.3 cash */
    alloc_is(5, R, 0, 0.4, 1, 0.5, 0, 0, 0.2, R);
    alloc_is(5, B, 0, 0.4, 1, 0.5, 0, 0, 0.2, B);
    /* no bond choice (the bond signal missing): cash */
    alloc_is(4, N, 0, 0.4, 1, 0, 0, 0, 0, N);
    alloc_is(5, N, 0, 0.4, 1, 0.5, 0, 0, 0, N);
    alloc_is(6, N, 0, 0.4, 1, 0, 0, 0, 0, N);
    /* cell 6 with the inverse hedge: 0.5 PSQ, D = 0.5 -> 0.2 bond, 0.3 cash;
     * the hedge changes nothing elsewhere */
    alloc_is(6, B, 1, 0.4, 1, 0, 0, 0.5, 0.2, B);
    alloc_is(6, N, 1, 0.4, 1, 0, 0, 0.5, 0, N);
    alloc_is(5, B, 1, 0.4, 1, 0.5, 0, 0, 0.2, B);
    alloc_is(4, B, 1, 0.4, 1, 0, 0, 0, 0.4, B);
    /* the cap: min(0.4, 0.25) and min(0.2, 0.25); 0 holds no bond at all */
    alloc_is(4, B, 0, 0.25, 1, 0, 0, 0, 0.25, B);
    alloc_is(5, B, 0, 0.25, 1, 0.5, 0, 0, 0.2, B);
    alloc_is(6, R, 0, 0, 1, 0, 0, 0, 0, N);
    /* above 0.4 the cap does nothing: the bond is at most 0.4 of D <= 1 */
    alloc_is(4, B, 0, 1.0, 1, 0, 0, 0, 0.4, B);
    /* the leverage scalar multiplies core, leveraged and inverse, never the
     * bond, which is sized from the unscaled defensive share */
    alloc_is(1, N, 0, 0.4, 0.5, 0.2, 0.3, 0, 0, N);
    alloc_is(1, N, 0, 0.4, 1.5, 0.4 * 1.5, 0.6 * 1.5, 0, 0, N);
    alloc_is(5, B, 0, 0.4, 0.5, 0.25, 0, 0, 0.2, B);
    alloc_is(6, R, 1, 0.4, 2.0, 0, 0, 1.0, 0.2, R);
    alloc_is(4, B, 0, 0.4, 0, 0, 0, 0, 0.4, B);
    /* no cell: nothing */
    alloc_is(0, B, 1, 0.4, 1, 0, 0, 0, 0, N);
}
END_TEST

START_TEST(test_rule_trend)
{
    /* bull 0.05, bear -0.3; both conditions or Sideways; strict comparisons */
    ck_assert_int_eq(regime_trend_of(0.06, 101, 100, 0.05, -0.3), REGIME_BULL);
    ck_assert_int_eq(regime_trend_of(0.06, 100, 101, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(0.05, 101, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(0.06, 100, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(-0.31, 99, 100, 0.05, -0.3), REGIME_BEAR);
    ck_assert_int_eq(regime_trend_of(-0.31, 101, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(-0.3, 99, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(-1, 99, 100, 0.05, -0.3), REGIME_BEAR);
    ck_assert_int_eq(regime_trend_of(0, 101, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(NAN, 101, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_int_eq(regime_trend_of(0.5, NAN, 100, 0.05, -0.3), REGIME_SIDEWAYS);
    ck_assert_str_eq(regime_trend_name(REGIME_BULL), "BullStrong");
    ck_assert_str_eq(regime_trend_name(REGIME_SIDEWAYS), "Sideways");
    ck_assert_str_eq(regime_trend_name(REGIME_BEAR), "BearStrong");
}
END_TEST

START_TEST(test_rule_hysteresis)
{
    /* upper 1.0, lower 0.2, starting Low: in the band the state holds, at a
     * bound it holds too (the comparisons are strict), NaN holds */
    static const double z[] = { 0.5, 1.0, 1.01, 0.5, 0.2, NAN, 0.21, 0.19, 0.9, 3, -2, 1.0 };
    static const int want[] = { 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0 };
    int vol = REGIME_VOL_LOW;
    for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
        vol = regime_vol_next(vol, z[i], 1.0, 0.2);
        ck_assert_msg(vol == want[i], "step %zu (z %g): %s, want %s", i, z[i],
                      regime_vol_name(vol), regime_vol_name(want[i]));
    }
    /* lower == upper: a plain threshold, the value itself holds */
    ck_assert_int_eq(regime_vol_next(REGIME_VOL_HIGH, 0.5, 0.5, 0.5), REGIME_VOL_HIGH);
    ck_assert_int_eq(regime_vol_next(REGIME_VOL_LOW, 0.5, 0.5, 0.5), REGIME_VOL_LOW);
    ck_assert_int_eq(regime_vol_next(REGIME_VOL_LOW, 0.51, 0.5, 0.5), REGIME_VOL_HIGH);
}
END_TEST

START_TEST(test_rule_crush)
{
    /* sigma_t / sigma_(t-5) - 1 < -0.15: 0.20 -> 0.16 is -0.2, a crush;
     * 0.20 -> 0.18 is -0.1, not; exactly the threshold is not; NaN is not */
    ck_assert_int_eq(regime_vol_crushed(0.16 / 0.20 - 1, -0.15), 1);
    ck_assert_int_eq(regime_vol_crushed(0.18 / 0.20 - 1, -0.15), 0);
    ck_assert_int_eq(regime_vol_crushed(-0.15, -0.15), 0);
    ck_assert_int_eq(regime_vol_crushed(-0.1500001, -0.15), 1);
    ck_assert_int_eq(regime_vol_crushed(0.5, -0.15), 0);
    ck_assert_int_eq(regime_vol_crushed(NAN, -0.15), 0);
    /* -1 disables it: no ratio of volatilities is below 0 */
    ck_assert_int_eq(regime_vol_crushed(-1.0, -1.0), 0);
}
END_TEST

START_TEST(test_rule_rebalance)
{
    /* binary-exact numbers, so the bound is exactly the bound */
    const double t[3] = { 0.5, 0.25, 0 }, zero[3] = { 0, 0, 0 };
    const double at[3] = { 0.375, 0.125, 0 };        /* moved 0.125 + 0.125 = 0.25 */
    const double past[3] = { 0.375, 0.125, 0.0625 }; /* moved 0.3125 */
    ck_assert_int_eq(regime_rebalance_due(t, NULL, 3, 0.25), 1);      /* nothing traded yet */
    ck_assert_int_eq(regime_rebalance_due(zero, NULL, 3, 0.25), 0);   /* and nothing wanted */
    ck_assert_int_eq(regime_rebalance_due(t, t, 3, 0), 0);
    ck_assert_int_eq(regime_rebalance_due(t, at, 3, 0.25), 0);        /* not above */
    ck_assert_int_eq(regime_rebalance_due(t, past, 3, 0.25), 1);
    ck_assert_int_eq(regime_rebalance_due(zero, t, 3, 0.25), 1);      /* selling counts too */
    /* a bond switch in cell 5: 0.2 TMF -> 0.2 TMV moves 0.4 */
    const double tmf[3] = { 0.5, 0.2, 0 }, tmv[3] = { 0.5, 0, 0.2 };
    ck_assert_int_eq(regime_rebalance_due(tmv, tmf, 3, 0.025), 1);
    ck_assert_int_eq(regime_rebalance_due(tmv, tmf, 3, 0.4), 0);
}
END_TEST

START_TEST(test_rule_bond)
{
    ck_assert_int_eq(regime_bond_of(1, 90.5, 90), REGIME_BOND_BULL);
    ck_assert_int_eq(regime_bond_of(1, 90, 90.5), REGIME_BOND_BEAR);
    ck_assert_int_eq(regime_bond_of(1, 90, 90), REGIME_BOND_BEAR);      /* not above: else */
    ck_assert_int_eq(regime_bond_of(0, 90.5, 90), REGIME_BOND_NONE);    /* no bar today */
    ck_assert_int_eq(regime_bond_of(1, 90.5, NAN), REGIME_BOND_NONE);   /* not defined yet */
}
END_TEST

/* --- the plugin: config ---------------------------------------------------------- */

START_TEST(test_config_defaults)
{
    struct sfx f;
    struct jutsu_strategy_needs nd;
    sfx_start(&f, "  - {name: v3_5b, plugin: strategy-regime}\n"
                  "  - {name: spy, plugin: strategy-regime, config: {signal_symbol: SPY, "
                  "sma_slow: 300, bond_sma_slow: 400, vol_baseline_window: 100}}\n");
    struct jutsu_ctx *c = sfx_inst(&f, "v3_5b");
    ck_assert_int_eq((int)sfx_needs(c, &nd), 6);
    static const char *const order[] = { "QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV" };
    for (int i = 0; i < 6; i++)
        ck_assert_str_eq(nd.symbols[i], order[i]);
    ck_assert_ptr_null(nd.symbols[6]);
    ck_assert_int_eq(nd.warmup_bars, 221);   /* max(140 + 10, 200 + 21, 60) */
    ck_assert_str_eq(nd.timeframe, "1D");
    /* the state carries the live parameters */
    char *state = sfx_save(c);
    json_object *o = json_tokener_parse(state), *params, *v;
    ck_assert(o && json_object_object_get_ex(o, "params", &params));
    static const struct { const char *key; double v; } live[] = {
        { "measurement_noise", 3000 }, { "process_noise_1", 0.01 }, { "process_noise_2", 0.01 },
        { "osc_smoothness", 15 }, { "strength_smoothness", 15 }, { "t_max", 50 },
        { "sma_fast", 40 }, { "sma_slow", 140 }, { "bull_threshold", 0.05 },
        { "bear_threshold", -0.3 }, { "realized_vol_window", 21 },
        { "vol_baseline_window", 200 }, { "upper_z", 1.0 }, { "lower_z", 0.2 },
        { "vol_crush_threshold", -0.15 }, { "vol_crush_lookback", 5 },
        { "leverage_scalar", 1.0 }, { "use_inverse_hedge", 0 }, { "bond_sma_fast", 20 },
        { "bond_sma_slow", 60 }, { "max_bond_weight", 0.4 }, { "rebalance_threshold", 0.025 },
    };
    for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
        ck_assert_msg(json_object_object_get_ex(params, live[i].key, &v), "%s", live[i].key);
        double got = json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
                                                                : json_object_get_double(v);
        ck_assert_msg(got == live[i].v, "%s = %.17g, want %.17g", live[i].key, got, live[i].v);
    }
    static const char *const syms[][2] = {
        { "signal_symbol", "QQQ" }, { "core_symbol", "QQQ" }, { "leveraged_symbol", "TQQQ" },
        { "inverse_symbol", "PSQ" }, { "bond_signal_symbol", "TLT" },
        { "bull_bond_symbol", "TMF" }, { "bear_bond_symbol", "TMV" },
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        ck_assert(json_object_object_get_ex(params, syms[i][0], &v));
        ck_assert_str_eq(json_object_get_string(v), syms[i][1]);
    }
    ck_assert_int_eq((int)json_object_object_length(params), 29);
    json_object_put(o);
    free(state);

    /* another signal symbol comes first; the warm-up follows the windows:
     * max(300 + 10, 100 + 21, 400) = 400 */
    c = sfx_inst(&f, "spy");
    ck_assert_int_eq((int)sfx_needs(c, &nd), 7);
    ck_assert_str_eq(nd.symbols[0], "SPY");
    ck_assert_str_eq(nd.symbols[1], "QQQ");
    ck_assert_int_eq(nd.warmup_bars, 400);
    sfx_close(&f);
}
END_TEST

/* Starting one instance with `config` must fail, saying `want` (and where). */
static void config_refused(const char *config, const char *want)
{
    struct sfx f;
    char plugins[512];
    snprintf(plugins, sizeof(plugins), "  - {name: bad, plugin: strategy-regime, config: {%s}}\n",
             config);
    sfx_open(&f, plugins);
    struct jutsu_ctx *c = jutsu_app_find(f.app, "bad");
    const char *err = c ? c->error : "";
    ck_assert_msg(f.rc != 0 && strstr(err, want) != NULL && strstr(err, "test.yaml:") != NULL,
                  "%s: rc %d, error \"%s\", diag \"%s\"; want \"%s\"", config, f.rc, err, f.diag,
                  want);
    sfx_close(&f);
}

START_TEST(test_config_errors)
{
    config_refused("measurement_noise: 0", "measurement_noise is 0, not above 0");
    config_refused("process_noise_2: -1", "process_noise_2 is -1, not above 0");
    config_refused("t_max: 0", "t_max is 0");
    config_refused("bull_threshold: 1.5", "bull_threshold is 1.5, not within -1..1");
    config_refused("vol_crush_threshold: 0.1", "vol_crush_threshold is 0.10000000000000001, "
                   "not within -1..0");
    config_refused("leverage_scalar: 3", "leverage_scalar is 3, not within 0..2");
    config_refused("max_bond_weight: 1.2", "max_bond_weight is 1.2");
    config_refused("rebalance_threshold: -0.01", "rebalance_threshold is -0.01");
    config_refused("sma_fast: 140", "sma_fast (140) must be less than sma_slow (140)");
    config_refused("bond_sma_fast: 70", "bond_sma_fast (70) must be less than bond_sma_slow");
    config_refused("bull_threshold: -0.5", "bear_threshold (-0.3) must be below bull_threshold");
    config_refused("lower_z: 1.5", "lower_z (1.5) must not be above upper_z (1)");
    config_refused("leveraged_symbol: tqqq", "leveraged_symbol is \"tqqq\", not a symbol");
    config_refused("bull_bond_symbol: \"\"", "bull_bond_symbol is \"\", not a symbol");
    /* integers are the host's: out of the schema's range, named with the key */
    struct sfx f;
    sfx_open(&f, "  - {name: bad, plugin: strategy-regime, config: {sma_slow: 0}}\n");
    ck_assert_msg(f.rc != 0 && strstr(f.diag, "sma_slow") != NULL, "%s", f.diag);
    sfx_close(&f);
}
END_TEST

/* --- the plugin: days, committed, restore ---------------------------------------- */

static const char *const six[] = { "QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV", NULL };

/* Feeds days [from, to) of s to c without committing anything. */
static void feed_range(struct jutsu_ctx *c, const struct sample *s, size_t from, size_t to,
                       struct srec *last)
{
    for (size_t d = from; d < to; d++) {
        struct jutsu_strategy_day day;
        sample_day(s, d, &day);
        srec_free(last);
        sfx_feed(c, &day, last);
        ck_assert_msg(last->rc == 0, "day %zu: %s", d, c->error);
    }
}

START_TEST(test_committed_threshold)
{
    struct sfx f;
    struct sample s;
    struct srec r = { 0 }, prev = { 0 };
    double t[6];
    sfx_start(&f, "  - {name: a, plugin: strategy-regime}\n");
    struct jutsu_ctx *a = sfx_inst(&f, "a");
    sample_load(&s, six);
    /* the 222nd QQQ bar is the first warm day (TQQQ starts later: day 222
     * of the union is that bar only if QQQ has every day, which it has) */
    feed_range(a, &s, 0, 221, &r);
    ck_assert_int_eq(r.sig.warm, 0);
    ck_assert_int_eq(r.sig.rebalance, 0);
    ck_assert_int_eq(r.sig.cell, 0);
    size_t d = 221;
    feed_range(a, &s, d, d + 1, &r);
    ck_assert_int_eq(r.sig.warm, 1);
    ck_assert_int_ge(r.sig.cell, 1);
    /* nothing traded yet: every warm day asks, until committed() says so */
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(r.sig.rebalance, 1);
        d++;
        feed_range(a, &s, d, d + 1, &r);
    }
    /* from here: commit something close to today's targets and look at the
     * next day whose targets are today's, phase by phase:
     *   0: committed 0.02 below the targets: 0.02 <= 0.025, no rebalance
     *   1: committed 0.03 below: rebalance
     *   2: not committed again (the job skipped the day): still rebalance
     *   3: committed exactly: none */
    static const double offset[] = { 0.02, 0.03, -1, 0 };
    static const int want[] = { 0, 1, 1, 0 };
    int phase = 0;
    while (phase < 4) {
        ck_assert_msg(d + 1 < s.ndays, "no run of equal targets in the data");
        memcpy(t, r.sig.weights, sizeof(t));
        int k = 0;
        while (t[k] == 0)
            k++;
        if (offset[phase] >= 0) {
            double c[6];
            memcpy(c, t, sizeof(c));
            c[k] = t[k] >= offset[phase] ? t[k] - offset[phase] : t[k] + offset[phase];
            ck_assert_int_eq(sfx_commit(a, c, 6), 0);
        }
        srec_free(&prev);
        prev = r;
        memset(&r, 0, sizeof(r));
        d++;
        feed_range(a, &s, d, d + 1, &r);
        if (memcmp(r.sig.weights, t, sizeof(t)) != 0)
            continue;   /* the targets moved: try again from this day */
        ck_assert_msg(r.sig.rebalance == want[phase], "phase %d (day %zu): rebalance %d",
                      phase, d, r.sig.rebalance);
        phase++;
    }
    /* refused commitments change nothing */
    char *before = sfx_save(a);
    double bad[6] = { 0.5, 0.5, 0, 0, 0, 0 };
    ck_assert_int_eq(sfx_commit(a, bad, 5), JUTSU_EINVAL);
    ck_assert_msg(strstr(a->error, "5 weights") && strstr(a->error, "6 symbols"), "%s", a->error);
    bad[2] = -0.1;
    ck_assert_int_eq(sfx_commit(a, bad, 6), JUTSU_EINVAL);
    ck_assert_msg(strstr(a->error, "PSQ") != NULL, "%s", a->error);
    bad[2] = NAN;
    ck_assert_int_eq(sfx_commit(a, bad, 6), JUTSU_EINVAL);
    ck_assert_int_eq(sfx_commit(a, NULL, 6), JUTSU_EINVAL);
    char *after = sfx_save(a);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    srec_free(&r);
    srec_free(&prev);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

START_TEST(test_bad_days)
{
    struct sfx f;
    struct sample s;
    struct srec r = { 0 };
    struct jutsu_strategy_day day;
    sfx_start(&f, "  - {name: a, plugin: strategy-regime}\n");
    struct jutsu_ctx *a = sfx_inst(&f, "a");
    sample_load(&s, six);
    feed_range(a, &s, 0, 10, &r);
    char *before = sfx_save(a);
    sample_day(&s, 10, &day);
    day.n = 5;
    srec_free(&r);
    sfx_feed(a, &day, &r);
    ck_assert_int_eq(r.rc, JUTSU_EINVAL);
    ck_assert_msg(strstr(a->error, "2010-01-19") && strstr(a->error, "5 bar slots"), "%s",
                  a->error);
    /* a close of 0 in the signal: refused, naming the symbol and the day */
    struct jutsu_bar bars[6];
    memcpy(bars, day.bars, sizeof(bars));
    bars[0].close = 0;
    day.n = 6;
    day.bars = bars;
    sfx_feed(a, &day, &r);
    ck_assert_int_eq(r.rc, JUTSU_EINVAL);
    ck_assert_msg(strstr(a->error, "2010-01-19: the QQQ bar has a close") != NULL, "%s", a->error);
    bars[0] = s.bars[10 * 6];
    bars[3].volume = -1;   /* the bond signal's volume is read too */
    sfx_feed(a, &day, &r);
    ck_assert_int_eq(r.rc, JUTSU_EINVAL);
    ck_assert_msg(strstr(a->error, "TLT bar has a negative volume") != NULL, "%s", a->error);
    char *after = sfx_save(a);
    ck_assert_str_eq(before, after);    /* a refused day did not advance */
    free(before);
    free(after);
    srec_free(&r);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

/* Sets path (a.b) in obj to val (NULL: removes it); takes val. */
static void mutate(json_object *obj, const char *path, json_object *val)
{
    char key[64];
    const char *dot = strchr(path, '.');
    if (dot) {
        json_object *inner;
        snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
        ck_assert(json_object_object_get_ex(obj, key, &inner));
        mutate(inner, dot + 1, val);
    } else if (val == NULL) {
        json_object_object_del(obj, path);
    } else {
        json_object_object_add(obj, path, val);
    }
}

START_TEST(test_restore_strict)
{
    struct sfx f;
    struct sample s;
    struct srec r = { 0 };
    sfx_start(&f, "  - {name: a, plugin: strategy-regime}\n"
                  "  - {name: fresh, plugin: strategy-regime}\n");
    struct jutsu_ctx *a = sfx_inst(&f, "a"), *fresh = sfx_inst(&f, "fresh");
    sample_load(&s, six);
    feed_range(a, &s, 0, 300, &r);
    double w[6] = { 0.4, 0.6, 0, 0, 0, 0 };
    ck_assert_int_eq(sfx_commit(a, w, 6), 0);
    char *good = sfx_save(a), *init = sfx_save(fresh);
    ck_assert_int_eq(sfx_restore(fresh, good), 0);

    static const struct { const char *path, *json, *want; } cases[] = {
        { "kalman.p00", NULL, "member \"kalman.p00\" is missing" },
        { "kalman.p00", "\"1\"", "member \"kalman.p00\" is a string, not a number" },
        { "kalman.p01", "1000", "not a covariance" },
        { "kalman.level", "1e300", "member \"kalman.level\" is 1.0000000000000001e+300, not a "
                                   "finite number within -1e+15..1e+15" },
        { "kalman.prev_volume", "-3", "member \"kalman.prev_volume\" is -3" },
        { "kalman.extra", "1", "member \"kalman.extra\" is not one strategy-regime writes" },
        { "version", "2", "member \"version\" is 2, but this strategy-regime reads layout 1" },
        { "bars", "\"300\"", "member \"bars\" is a string, not an integer" },
        { "bars", "301", "member \"innovations\" has 300 values, but the bar counts make "
                         "it 301" },
        { "innovations", "[1, 2]", "member \"innovations\" has 2 values" },
        { "closes", NULL, "member \"closes\" is missing" },
        { "sigmas", "{}", "member \"sigmas\" is an object, not an array" },
        { "oscillators", "[]", "member \"oscillators\" has 0 values" },
        { "vol_state", "\"Medium\"", "member \"vol_state\" is \"Medium\", not \"Low\" or \"High\"" },
        { "bond", "\"gold\"", "not \"none\", \"bull\" or \"bear\"" },
        { "cell", "7", "member \"cell\" is 7, not within 0..6" },
        { "cell", "0", "member \"cell\" is 0 after 300 bars" },
        { "traded", "[0.5]", "member \"traded\" has 1 values" },
        { "traded", "[0.4, 0.6, 0, 0, -1, 0]", "member \"traded[4]\" is -1" },
        { "params.sma_slow", "100", "member \"params.sma_slow\" is 100, but this instance's "
                                    "sma_slow is 140" },
        { "params.use_inverse_hedge", "true", "member \"params.use_inverse_hedge\" is true" },
        { "params.bear_bond_symbol", "\"SQQQ\"", "member \"params.bear_bond_symbol\"" },
        { "params.colour", "1", "member \"params.colour\" is not a parameter" },
        { "surprise", "1", "member \"surprise\" is not one strategy-regime writes" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *o = json_tokener_parse(good);
        mutate(o, cases[i].path, cases[i].json ? json_tokener_parse(cases[i].json) : NULL);
        const char *text = json_object_to_json_string(o);
        ck_assert_int_eq(sfx_restore(fresh, text), JUTSU_EMALFORMED);
        ck_assert_msg(strstr(fresh->error, cases[i].want) != NULL, "%s: %s; want %s",
                      cases[i].path, fresh->error, cases[i].want);
        json_object_put(o);
        /* refused: as after init, not half restored */
        char *now = sfx_save(fresh);
        ck_assert_msg(strcmp(now, init) == 0, "%s: the state after a refusal is not the initial "
                      "one", cases[i].path);
        free(now);
        /* and a good state is taken again */
        ck_assert_int_eq(sfx_restore(fresh, good), 0);
    }
    /* a closes entry that is not exact money */
    json_object *o = json_tokener_parse(good), *closes;
    ck_assert(json_object_object_get_ex(o, "closes", &closes));
    json_object_array_put_idx(closes, 3, json_object_new_double(46.42));
    ck_assert_int_eq(sfx_restore(fresh, json_object_to_json_string(o)), JUTSU_EMALFORMED);
    ck_assert_msg(strstr(fresh->error, "member \"closes[3]\" is a floating-point number, not a "
                         "decimal string") != NULL, "%s", fresh->error);
    json_object_put(o);
    /* not an object at all */
    ck_assert_int_eq(sfx_restore(fresh, "null"), JUTSU_EMALFORMED);
    ck_assert_msg(strstr(fresh->error, "it is null, not a JSON object") != NULL, "%s",
                  fresh->error);
    free(good);
    free(init);
    srec_free(&r);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

START_TEST(test_v3_5d_beside_v3_5b)
{
    /* two instances of the one plugin: docs/strategies.md's example v3_5d */
    struct sfx f;
    struct sample s;
    struct srec rb = { 0 }, rd = { 0 };
    int differ = 0, hedged = 0;
    sfx_start(&f, "  - {name: v3_5b, plugin: strategy-regime}\n"
                  "  - {name: v3_5d, plugin: strategy-regime, config: {sma_fast: 50, "
                  "sma_slow: 200, upper_z: 1.2, lower_z: 0.0, use_inverse_hedge: true, "
                  "max_bond_weight: 0.3, rebalance_threshold: 0.05}}\n");
    struct jutsu_ctx *b = sfx_inst(&f, "v3_5b"), *d = sfx_inst(&f, "v3_5d");
    struct jutsu_strategy_needs nd;
    sfx_needs(d, &nd);
    ck_assert_int_eq(nd.warmup_bars, 221);   /* max(200 + 10, 200 + 21, 60) */
    sample_load(&s, six);
    for (size_t i = 0; i < s.ndays; i++) {
        struct jutsu_strategy_day day;
        sample_day(&s, i, &day);
        srec_free(&rb);
        srec_free(&rd);
        sfx_feed(b, &day, &rb);
        sfx_feed(d, &day, &rd);
        ck_assert(rb.rc == 0 && rd.rc == 0);
        differ += memcmp(rb.sig.weights, rd.sig.weights, sizeof(rb.sig.weights)) != 0;
        hedged += rd.sig.cell == 6 && rd.sig.weights[2] == 0.5;
        ck_assert(rd.sig.weights[4] <= 0.3 && rd.sig.weights[5] <= 0.3);
    }
    ck_assert_int_gt(differ, 100);
    ck_assert_int_gt(hedged, 0);
    /* one's state is not the other's */
    char *state = sfx_save(b);
    ck_assert_int_eq(sfx_restore(d, state), JUTSU_EMALFORMED);
    ck_assert_msg(strstr(d->error, "params.sma_fast") != NULL, "%s", d->error);
    free(state);
    srec_free(&rb);
    srec_free(&rd);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

/* --- strategy-buyhold --------------------------------------------------------------- */

START_TEST(test_buyhold)
{
    struct sfx f;
    struct srec r = { 0 };
    struct jutsu_strategy_needs nd;
    struct jutsu_bar bar = { .close = 100000000, .volume = 10 };
    uint8_t has = 0;
    struct jutsu_strategy_day day = { .size = sizeof(day), .bars = &bar, .has = &has, .n = 1 };
    sfx_start(&f, "  - {name: bh, plugin: strategy-buyhold}\n"
                  "  - {name: half, plugin: strategy-buyhold, config: {symbol: SPY, "
                  "weight: 0.5}}\n");
    struct jutsu_ctx *bh = sfx_inst(&f, "bh"), *half = sfx_inst(&f, "half");
    ck_assert_int_eq((int)sfx_needs(bh, &nd), 1);
    ck_assert_str_eq(nd.symbols[0], "QQQ");
    ck_assert_int_eq(nd.warmup_bars, 0);
    ck_assert_str_eq(nd.timeframe, "1D");
    /* no bar yet: not warm, nothing wanted */
    day.date = jutsu_date_from_ymd(2010, 1, 4);
    sfx_feed(bh, &day, &r);
    ck_assert(r.rc == 0 && !r.sig.warm && !r.sig.rebalance && r.sig.weights[0] == 0);
    /* the first bar: warm, fully invested, open the position */
    has = 1;
    for (int i = 0; i < 3; i++) {     /* asked again while not committed */
        day.date++;
        sfx_feed(bh, &day, &r);
        ck_assert(r.rc == 0 && r.sig.warm && r.sig.rebalance && r.sig.weights[0] == 1.0);
        ck_assert(r.sig.cell == 0 && r.sig.trend_state[0] == 0 && isnan(r.sig.t_norm));
    }
    double one = 1.0;
    ck_assert_int_eq(sfx_commit(bh, &one, 1), 0);
    /* held: never rebalanced again, also on a day without a bar */
    for (int i = 0; i < 3; i++) {
        has = (uint8_t)(i != 1);
        day.date++;
        bar.close += 5000000;
        sfx_feed(bh, &day, &r);
        ck_assert(r.rc == 0 && r.sig.warm && !r.sig.rebalance && r.sig.weights[0] == 1.0);
    }
    ck_assert_int_eq(sfx_commit(bh, &one, 2), JUTSU_EINVAL);
    /* its state, strictly */
    char *state = sfx_save(bh);
    ck_assert_str_eq(state, "{\"version\":1,\"bars\":5,\"traded\":1.0}");
    ck_assert_int_eq(sfx_restore(half, state), 0);
    ck_assert_int_eq(sfx_restore(half, "{\"version\":1,\"bars\":5}"), JUTSU_EMALFORMED);
    ck_assert_msg(strstr(half->error, "member \"traded\" is missing") != NULL, "%s", half->error);
    ck_assert_int_eq(sfx_restore(half, "{\"version\":1,\"bars\":5,\"traded\":null,\"x\":1}"),
                     JUTSU_EMALFORMED);
    ck_assert_msg(strstr(half->error, "member \"x\"") != NULL, "%s", half->error);
    ck_assert_int_eq(sfx_restore(half, "{\"version\":1,\"bars\":-1,\"traded\":null}"),
                     JUTSU_EMALFORMED);
    ck_assert_msg(strstr(half->error, "member \"bars\"") != NULL, "%s", half->error);
    /* refused: as after init; its own weight: 0.5 of SPY */
    sfx_needs(half, &nd);
    ck_assert_str_eq(nd.symbols[0], "SPY");
    sfx_feed(half, &day, &r);
    ck_assert(r.rc == 0 && r.sig.warm && r.sig.rebalance && r.sig.weights[0] == 0.5);
    free(state);
    /* reset forgets the commitment */
    ck_assert_int_eq(sfx_ops(bh)->reset(bh->state), 0);
    sfx_feed(bh, &day, &r);
    ck_assert(r.rc == 0 && r.sig.warm && r.sig.rebalance);
    sfx_close(&f);

    /* its config errors, with the position */
    sfx_open(&f, "  - {name: bh, plugin: strategy-buyhold, config: {weight: 1.5}}\n");
    struct jutsu_ctx *c = jutsu_app_find(f.app, "bh");
    ck_assert_msg(f.rc != 0 && strstr(c->error, "test.yaml:") &&
                  strstr(c->error, "weight is 1.5, not within 0..1"), "%s", c->error);
    sfx_close(&f);
    sfx_open(&f, "  - {name: bh, plugin: strategy-buyhold, config: {symbol: qqq}}\n");
    c = jutsu_app_find(f.app, "bh");
    ck_assert_msg(f.rc != 0 && strstr(c->error, "symbol is \"qqq\""), "%s", c->error);
    sfx_close(&f);
}
END_TEST

/* --- the conformance suite ----------------------------------------------------------- */

/* The suite on the first of the plugin's two instances (the second is its
 * twin for determinism and save/restore: without it those two would be
 * skipped). */
static void suite_on(const char *plugin, int checks)
{
    struct harness_fixture *fx = tu_harness_start(plugin, NULL);
    struct harness h;
    harness_init_quiet(&h, "FAIL");
    h.app = fx->app;
    harness_strategy_suite(&h, fx->inst);
    ck_assert_msg(h.failed == 0 && h.skipped == 0 && h.passed == checks, "%s: %d passed, %d "
                  "failed, %d skipped: %s", plugin, h.passed, h.failed, h.skipped,
                  h.failed_names);
    harness_fixture_free(fx);
}

START_TEST(test_conformance_suite)
{
    suite_on("strategy-regime", 10);
    suite_on("strategy-buyhold", 10);
}
END_TEST

/* A strategy that breaks what the suite checks: negative weights, warm on
 * day one although it asks for 50 days, answers that depend on a counter
 * shared by its instances, a restore that takes anything and does nothing. */
static int broken_counter;

static int broken_needs(void *state, struct jutsu_strategy_needs *out)
{
    static const char *const sy[] = { "QQQ", "TLT", NULL };
    memcpy(out->symbols, sy, sizeof(sy));
    out->warmup_bars = 50;
    out->timeframe = "1D";
    return 0;
}

static int broken_day(void *state, const struct jutsu_strategy_day *day,
                      struct jutsu_strategy_signal *out)
{
    out->warm = 1;
    out->weights[0] = broken_counter % 7 == 3 ? -0.5 : 0.5;
    out->weights[1] = 1e-6 * broken_counter++;
    return 0;
}

static int broken_save(void *state, struct json_object **out)
{
    *out = json_object_new_int(broken_counter);
    return 0;
}

static int broken_restore(void *state, struct json_object *saved)
{
    return 0;
}

static int bad_needs(void *state, struct jutsu_strategy_needs *out)
{
    static const char *const sy[] = { "qqq", "TLT", "TLT", NULL };
    memcpy(out->symbols, sy, sizeof(sy));
    out->warmup_bars = -1;
    out->timeframe = "1H";
    return 0;
}

START_TEST(test_conformance_catches)
{
    static const struct jutsu_strategy_ops ops = {
        sizeof(ops), broken_needs, broken_day, broken_save, broken_restore, NULL, NULL };
    static const struct jutsu_strategy_ops ops2 = {
        sizeof(ops), bad_needs, broken_day, broken_save, broken_restore, NULL, NULL };
    struct jutsu_plugin desc = { JUTSU_PLUGIN_HEADER, .kind = JUTSU_KIND_STRATEGY, .ops = &ops };
    struct jutsu_module m = { .path = "broken.so", .desc = &desc };
    struct jutsu_ctx a = { .name = "a", .module = &m }, b = { .name = "b", .module = &m };
    struct jutsu_ctx *insts[2] = { &a, &b };
    struct jutsu_app app = { .inst = insts, .ninst = 2 };
    struct harness h;
    harness_init_quiet(&h, "(as it should) FAIL");
    h.app = &app;
    harness_strategy_suite(&h, &a);
    ck_assert_msg(strstr(h.failed_names, "strategy.signal") &&
                  strstr(h.failed_names, "strategy.warmup") &&
                  strstr(h.failed_names, "strategy.deterministic") &&
                  strstr(h.failed_names, "strategy.save_restore") &&
                  strstr(h.failed_names, "strategy.garbage") &&
                  strstr(h.failed_names, "strategy.after_refusal"), "failed: %s",
                  h.failed_names);
    ck_assert_int_eq(h.skipped, 1);   /* no reset */
    desc.ops = &ops2;
    harness_init_quiet(&h, "(as it should) FAIL");
    h.app = &app;
    harness_strategy_suite(&h, &a);
    ck_assert_msg(strcmp(h.failed_names, "strategy.needs ") == 0, "failed: %s", h.failed_names);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("strategy_regime");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_rule_cells);
    tcase_add_test(tc, test_rule_trend);
    tcase_add_test(tc, test_rule_hysteresis);
    tcase_add_test(tc, test_rule_crush);
    tcase_add_test(tc, test_rule_rebalance);
    tcase_add_test(tc, test_rule_bond);
    suite_add_tcase(s, tc);
    tc = tcase_create("plugin");
    tcase_add_test(tc, test_config_defaults);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_committed_threshold);
    tcase_add_test(tc, test_bad_days);
    tcase_add_test(tc, test_restore_strict);
    tcase_add_test(tc, test_v3_5d_beside_v3_5b);
    tcase_add_test(tc, test_buyhold);
    tcase_add_test(tc, test_conformance_suite);
    tcase_add_test(tc, test_conformance_catches);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, strategy_real_tcase());
    return s;
}

int main(void)
{
    return tu_run(suite());
}
