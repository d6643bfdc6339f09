/*
 * plugins/strategy-regime/regime.c — one v3_5b instance's trading day (see
 * regime.h for the order of things and what a missing bar does).
 */
#include <math.h>
#include <string.h>

#include "regime.h"
#include "regime_stats.h"

static size_t max2(size_t a, size_t b)
{
    return a > b ? a : b;
}

int32_t regime_warmup(const struct regime_params *p)
{
    /* the windows are at most 2520 (the schema's bounds): this fits */
    int64_t w = p->sma_slow + 10;
    if (p->vol_baseline_window + p->realized_vol_window > w)
        w = p->vol_baseline_window + p->realized_vol_window;
    if (p->bond_sma_slow > w)
        w = p->bond_sma_slow;
    return (int32_t)w;
}

/* The distinct symbols in role order, and where each role's symbol is. */
static void map_symbols(struct regime *r)
{
    r->nsym = 0;
    for (int role = 0; role < REGIME_NROLES; role++) {
        size_t i = 0;
        while (i < r->nsym && strcmp(r->symbols[i], r->p.symbol[role]) != 0)
            i++;
        if (i == r->nsym)
            r->symbols[r->nsym++] = r->p.symbol[role];
        r->role_index[role] = i;
    }
    r->symbols[r->nsym] = NULL;
}

int regime_mut_alloc(const struct regime *r, struct regime_mut *m)
{
    const struct regime_params *p = &r->p;
    size_t closes = max2(max2((size_t)p->sma_fast, (size_t)p->sma_slow),
                         (size_t)p->realized_vol_window + 1);
    size_t sigmas = max2((size_t)p->vol_baseline_window, (size_t)p->vol_crush_lookback + 1);
    size_t bonds = max2((size_t)p->bond_sma_fast, (size_t)p->bond_sma_slow);
    memset(m, 0, sizeof(*m));
    if (regime_kalman_alloc(&m->kalman, &r->kcfg) != 0 || mring_alloc(&m->closes, closes) != 0 ||
        ring_alloc(&m->sigmas, sigmas) != 0 || mring_alloc(&m->bond_closes, bonds) != 0) {
        regime_mut_free(m);
        return -1;
    }
    return 0;
}

void regime_mut_free(struct regime_mut *m)
{
    regime_kalman_free(&m->kalman);
    mring_free(&m->closes);
    ring_free(&m->sigmas);
    mring_free(&m->bond_closes);
}

int regime_setup(struct regime *r)
{
    const struct regime_params *p = &r->p;
    r->kcfg = (struct regime_kalman_cfg){
        .measurement_noise = p->measurement_noise, .q1 = p->process_noise_1,
        .q2 = p->process_noise_2, .osc_smoothness = (int)p->osc_smoothness, .t_max = p->t_max };
    r->acfg = (struct regime_alloc_cfg){
        .use_inverse_hedge = p->use_inverse_hedge, .max_bond_weight = p->max_bond_weight,
        .leverage_scalar = p->leverage_scalar };
    r->warmup = regime_warmup(p);
    map_symbols(r);
    return regime_mut_alloc(r, &r->m);
}

void regime_reset(struct regime *r)
{
    struct regime_mut *m = &r->m;
    m->bars = 0;
    regime_kalman_clear(&m->kalman);
    mring_clear(&m->closes);
    ring_clear(&m->sigmas);
    mring_clear(&m->bond_closes);
    m->vol = REGIME_VOL_LOW;
    m->cell = 0;
    m->bond = REGIME_BOND_NONE;
    m->has_traded = 0;
    memset(m->traded, 0, sizeof(m->traded));
}

void regime_free(struct regime *r)
{
    regime_mut_free(&r->m);
}

const char *regime_check_day(const struct regime *r, const struct jutsu_strategy_day *day,
                             size_t *bad)
{
    *bad = r->nsym;
    if (day->n != r->nsym)
        return "does not have one bar slot per symbol needs() listed";
    if (day->n > 0 && (day->bars == NULL || day->has == NULL))
        return "has no bars or no has[] array";
    /* only the bars the strategy reads: the signal's and the bond signal's */
    static const int read[] = { ROLE_SIGNAL, ROLE_BOND_SIGNAL };
    for (size_t k = 0; k < sizeof(read) / sizeof(read[0]); k++) {
        size_t i = r->role_index[read[k]];
        if (!day->has[i])
            continue;
        *bad = i;
        if (day->bars[i].close <= 0 || day->bars[i].close > REGIME_CLOSE_MAX)
            return "has a close that is not above 0 and at most 1,000,000,000";
        if (day->bars[i].volume < 0)
            return "has a negative volume";
    }
    *bad = r->nsym;
    return NULL;
}

/* Indicators of the state as it is (after the day advanced it, if it did);
 * sigma: the realized volatility of the closes kept, when the caller has
 * just computed it. */
static void indicators(const struct regime *r, const double *sigma, struct regime_out *out)
{
    const struct regime_mut *m = &r->m;
    struct regime_trend t;
    regime_kalman_last(&m->kalman, &r->kcfg, &t);
    out->innovation = t.innovation;
    out->oscillator = t.oscillator;
    out->strength = t.strength;
    out->t_norm = t.t_norm;
    out->sma_fast = regime_sma(&m->closes, (size_t)r->p.sma_fast);
    out->sma_slow = regime_sma(&m->closes, (size_t)r->p.sma_slow);
    /* sigma enters its window from the first day it is defined on, so the
     * newest value kept is the last signal day's */
    out->sigma = sigma ? *sigma : regime_realized_vol(&m->closes, (size_t)r->p.realized_vol_window);
    out->z_score = regime_zscore(&m->sigmas, (size_t)r->p.vol_baseline_window);
    out->sigma_change = regime_vol_change(&m->sigmas, (size_t)r->p.vol_crush_lookback);
    out->crushed = regime_vol_crushed(out->sigma_change, r->p.vol_crush_threshold);
    out->bond_sma_fast = regime_sma(&m->bond_closes, (size_t)r->p.bond_sma_fast);
    out->bond_sma_slow = regime_sma(&m->bond_closes, (size_t)r->p.bond_sma_slow);
}

/* Advances everything the signal bar feeds, then decides the regime. */
static void signal_day(struct regime *r, const struct jutsu_bar *bar, int bond_has_bar,
                       struct regime_out *out)
{
    struct regime_mut *m = &r->m;
    struct regime_trend t;
    regime_kalman_step(&m->kalman, &r->kcfg, (double)bar->close / (double)JUTSU_MONEY_SCALE,
                       bar->volume, &t);
    mring_push(&m->closes, bar->close);
    double sigma = regime_realized_vol(&m->closes, (size_t)r->p.realized_vol_window);
    if (!isnan(sigma))
        ring_push(&m->sigmas, sigma);
    m->bars++;
    indicators(r, &sigma, out);

    m->vol = regime_vol_next(m->vol, out->z_score, r->p.upper_z, r->p.lower_z);
    if (out->crushed)
        m->vol = REGIME_VOL_LOW;
    if (m->bars <= r->warmup) {
        m->cell = 0;
        m->bond = REGIME_BOND_NONE;
        return;
    }
    int trend = regime_trend_of(out->t_norm, out->sma_fast, out->sma_slow,
                                r->p.bull_threshold, r->p.bear_threshold);
    if (out->crushed && trend == REGIME_BEAR)
        trend = REGIME_SIDEWAYS;
    m->cell = regime_cell_of(trend, m->vol);
    m->bond = regime_bond_of(bond_has_bar, out->bond_sma_fast, out->bond_sma_slow);
}

/* The targets of the held cell and bond choice, in symbol order. */
static void targets(const struct regime *r, struct regime_out *out)
{
    struct regime_alloc a;
    memset(out->weights, 0, sizeof(out->weights));
    regime_allocate(r->m.cell, r->m.bond, &r->acfg, &a);
    out->weights[r->role_index[ROLE_CORE]] += a.core;
    out->weights[r->role_index[ROLE_LEVERAGED]] += a.leveraged;
    out->weights[r->role_index[ROLE_INVERSE]] += a.inverse;
    if (a.bond_kind == REGIME_BOND_BULL)
        out->weights[r->role_index[ROLE_BULL_BOND]] += a.bond;
    else if (a.bond_kind == REGIME_BOND_BEAR)
        out->weights[r->role_index[ROLE_BEAR_BOND]] += a.bond;
    out->bond = a.bond_kind;
}

void regime_day(struct regime *r, const struct jutsu_strategy_day *day, struct regime_out *out)
{
    size_t sig = r->role_index[ROLE_SIGNAL], bsig = r->role_index[ROLE_BOND_SIGNAL];
    int bond_bar = day->has[bsig] != 0;
    if (bond_bar)
        mring_push(&r->m.bond_closes, day->bars[bsig].close);
    out->signal_bar = day->has[sig] != 0;
    if (out->signal_bar)
        signal_day(r, &day->bars[sig], bond_bar, out);
    else
        indicators(r, NULL, out);
    out->warm = r->m.bars > r->warmup;
    out->cell = r->m.cell;
    out->trend = out->cell ? regime_cell_trend(out->cell) : REGIME_SIDEWAYS;
    out->vol = out->cell ? regime_cell_vol(out->cell) : r->m.vol;
    targets(r, out);
    out->rebalance = out->warm && regime_rebalance_due(out->weights,
                                                       r->m.has_traded ? r->m.traded : NULL,
                                                       r->nsym, r->p.rebalance_threshold);
}

void regime_commit(struct regime *r, const double *weights)
{
    memcpy(r->m.traded, weights, r->nsym * sizeof(*weights));
    r->m.has_traded = 1;
}
