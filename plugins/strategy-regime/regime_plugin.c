/*
 * plugins/strategy-regime/regime_plugin.c — strategy-regime, the
 * "Hierarchical Adaptive v3.5b" family (docs/strategies.md): the
 * descriptor, the config schema, init/destroy and the strategy ops.
 *
 * v3_5b and its variants (v3_5d, ...) are instances of this one plugin
 * with different parameters. The computation is elsewhere: the Kalman
 * trend in regime_kalman.c, the moving statistics in regime_stats.c, the
 * rules and weights in regime_rules.c, the day in regime.c, the saved
 * state in regime_state.c. This file reads the config, checks what
 * crosses the ABI and translates struct regime_out into a signal.
 *
 * Threading (strategy.h): all ops of one instance are called from one
 * thread at a time; instances share nothing.
 */
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "jutsu/strategy.h"
#include "regime.h"
#include "regime_state.h"

/* The schema, generated from the one parameter list (regime_params.h):
 * each row names its member F of struct regime_params, which
 * host->cfg_fill fills. */
#define SCHEMA_DBL(K, F, D, LO, HI, H) \
    JUTSU_CFG_KEY_AT(#K, JUTSU_CFG_DOUBLE, D, H, struct regime_params, F),
#define SCHEMA_POS(K, F, D, LO, HI, H) SCHEMA_DBL(K, F, D, LO, HI, H)
#define SCHEMA_INT(K, F, D, LO, HI, H) \
    JUTSU_CFG_INT_RANGE_AT(#K, D, LO, HI, H, struct regime_params, F),
#define SCHEMA_BOOL(K, F, D, LO, HI, H) \
    JUTSU_CFG_KEY_AT(#K, JUTSU_CFG_BOOL, D, H, struct regime_params, F),
#define SCHEMA_SYM(K, F, D, LO, HI, H) \
    JUTSU_CFG_KEY_AT(#K, JUTSU_CFG_STR, D, H, struct regime_params, F),
#define SCHEMA(K, T, F, D, LO, HI, H) SCHEMA_##T(K, F, D, LO, HI, H)

static const struct jutsu_cfg_key schema[] = {
    REGIME_PARAM_LIST(SCHEMA)
    JUTSU_CFG_END
};

struct regime_inst {
    const struct jutsu_host *host;
    jutsu_ctx               *ctx;
    struct regime            r;
};

/* The last fields of the ABI 1.0 structs that on_day reads and writes. */
#define DAY_SIZE_NEEDED    JUTSU_SIZE_THROUGH(jutsu_strategy_day, n)
#define SIGNAL_SIZE_NEEDED JUTSU_SIZE_THROUGH(jutsu_strategy_signal, extras)

/* --- config ----------------------------------------------------------------- */

static int read_config(struct regime_inst *s)
{
    char why[256];
    const char *keys[2] = { NULL, NULL };
    if (s->host->cfg_fill(s->ctx, &s->r.p) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    for (const struct regime_param *e = regime_param_table; e->key; e++) {
        if (regime_param_check(e, &s->r.p, why, sizeof(why)) != 0)
            return s->host->cfg_error(s->ctx, e->key, "%s", why);
    }
    if (regime_params_check(&s->r.p, keys, why, sizeof(why)) != 0) {
        /* point at the one the file sets (a default has no line to show) */
        const char *key = keys[0];
        if (keys[1] && strchr(s->host->cfg_where(s->ctx, key), ':') == NULL)
            key = keys[1];
        return s->host->cfg_error(s->ctx, key, "%s", why);
    }
    return 0;
}

/* --- the ops ---------------------------------------------------------------- */

static int regime_needs(void *state, struct jutsu_strategy_needs *out)
{
    struct regime_inst *s = state;
    if (out == NULL)
        return JUTSU_EINVAL;
    for (size_t i = 0; i <= s->r.nsym; i++)
        out->symbols[i] = s->r.symbols[i];
    out->warmup_bars = s->r.warmup;
    out->timeframe = "1D";
    return 0;
}

/* A double for JSON: a number, or null (NULL) when undefined. */
static json_object *num(double d)
{
    return isnan(d) ? NULL : json_object_new_double(d);
}

/* Adds val (NULL: JSON null) under key; -1 when a value could not be made. */
static int put(json_object *o, const char *key, json_object *val, int made)
{
    if (!made || json_object_object_add(o, key, val) != 0) {
        json_object_put(val);
        return -1;
    }
    return 0;
}

/* The extras: the day's own indicators beyond the signal's fields. */
static json_object *extras(const struct regime_inst *s, const struct regime_out *o)
{
    const struct { const char *key; double v; } nums[] = {
        { "sigma", o->sigma }, { "sigma_change", o->sigma_change },
        { "innovation", o->innovation }, { "oscillator", o->oscillator },
        { "strength", o->strength }, { "bond_sma_fast", o->bond_sma_fast },
        { "bond_sma_slow", o->bond_sma_slow },
    };
    const char *bond = o->bond == REGIME_BOND_BULL ? s->r.p.symbol[ROLE_BULL_BOND]
                     : o->bond == REGIME_BOND_BEAR ? s->r.p.symbol[ROLE_BEAR_BOND] : NULL;
    json_object *x = json_object_new_object(), *v;
    if (x == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        v = num(nums[i].v);
        if (put(x, nums[i].key, v, v != NULL || isnan(nums[i].v)) != 0)
            goto fail;
    }
    v = bond ? json_object_new_string(bond) : NULL;
    if (put(x, "bond", v, v != NULL || bond == NULL) != 0)
        goto fail;
    v = json_object_new_boolean(o->crushed);
    if (put(x, "vol_crush", v, v != NULL) != 0)
        goto fail;
    v = json_object_new_boolean(o->signal_bar);
    if (put(x, "signal_bar", v, v != NULL) != 0)
        goto fail;
    v = json_object_new_int64(s->r.m.bars);
    if (put(x, "bars", v, v != NULL) != 0)
        goto fail;
    return x;
fail:
    json_object_put(x);
    return NULL;
}

static void fill_signal(struct regime_inst *s, const struct regime_out *o,
                        struct jutsu_strategy_signal *out)
{
    for (size_t i = 0; i < JUTSU_STRATEGY_MAX_SYMBOLS; i++)
        out->weights[i] = i < s->r.nsym ? o->weights[i] : 0.0;
    out->cell = o->cell;
    /* no regime is decided before the warm-up ends: the names stay empty */
    snprintf(out->trend_state, sizeof(out->trend_state), "%s",
             o->cell ? regime_trend_name(o->trend) : "");
    snprintf(out->vol_state, sizeof(out->vol_state), "%s", o->cell ? regime_vol_name(o->vol) : "");
    out->t_norm = o->t_norm;
    out->z_score = o->z_score;
    out->sma_fast = o->sma_fast;
    out->sma_slow = o->sma_slow;
    out->warm = o->warm;
    out->rebalance = o->rebalance;
    out->extras = extras(s, o);
    /* the day has been taken into the state already: failing now would put
     * the state ahead of the job's records, so a day without its extras
     * (they are optional) is the lesser harm; say so */
    if (out->extras == NULL)
        s->host->log(s->ctx, JUTSU_LOG_WARN, "out of memory building the signal's extras: "
                     "the day's targets stand, its extra indicators are not recorded");
}

static int regime_on_day(void *state, const struct jutsu_strategy_day *day,
                         struct jutsu_strategy_signal *out)
{
    struct regime_inst *s = state;
    struct regime_out o;
    char date[JUTSU_DATE_BUFSZ];
    size_t bad;
    if (day == NULL || out == NULL || day->size < DAY_SIZE_NEEDED ||
        out->size < SIGNAL_SIZE_NEEDED) {
        s->host->set_error(s->ctx, "on_day: no day or signal, or one shorter than ABI 1.0's "
                           "(a host bug)");
        return JUTSU_EINVAL;
    }
    out->extras = NULL;
    const char *why = regime_check_day(&s->r, day, &bad);
    if (why != NULL) {
        jutsu_date_format(day->date, date);
        if (bad < s->r.nsym)
            s->host->set_error(s->ctx, "%s: the %s bar %s; the strategy did not advance", date,
                               s->r.symbols[bad], why);
        else
            s->host->set_error(s->ctx, "%s: the day has %zu bar slots for the %zu symbols needs() "
                               "listed, or %s", date, day->n, s->r.nsym, why);
        return JUTSU_EINVAL;
    }
    regime_day(&s->r, day, &o);
    fill_signal(s, &o, out);
    return 0;
}

static int regime_save(void *state, struct json_object **out)
{
    struct regime_inst *s = state;
    if (out == NULL)
        return JUTSU_EINVAL;
    if ((*out = regime_state_write(&s->r)) == NULL) {
        s->host->set_error(s->ctx, "out of memory writing the state");
        return JUTSU_ENOMEM;
    }
    return 0;
}

static int regime_restore(void *state, struct json_object *saved)
{
    struct regime_inst *s = state;
    char why[512];
    int rc = regime_state_read(&s->r, saved, why, sizeof(why));
    if (rc != 0)
        s->host->set_error(s->ctx, "cannot restore the saved state: %s; the instance starts "
                           "afresh (replay its bars)", why);
    return rc;
}

static int regime_reset_op(void *state)
{
    struct regime_inst *s = state;
    regime_reset(&s->r);
    return 0;
}

static int regime_committed(void *state, const double *weights, size_t n)
{
    struct regime_inst *s = state;
    if (weights == NULL || n != s->r.nsym) {
        s->host->set_error(s->ctx, "committed: %zu weights, but needs() listed %zu symbols",
                           weights ? n : 0, s->r.nsym);
        return JUTSU_EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(weights[i]) || weights[i] < 0) {
            s->host->set_error(s->ctx, "committed: the weight of %s is %g, not a finite number "
                               ">= 0", s->r.symbols[i], weights[i]);
            return JUTSU_EINVAL;
        }
    regime_commit(&s->r, weights);
    return 0;
}

/* --- lifecycle -------------------------------------------------------------- */

static void regime_destroy(void *state)
{
    struct regime_inst *s = state;
    if (s == NULL)
        return;
    regime_free(&s->r);
    free(s);
}

static int regime_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct regime_inst *s = calloc(1, sizeof(*s));
    int rc;
    if (s == NULL)
        return JUTSU_ENOMEM;
    s->host = host;
    s->ctx = ctx;
    if ((rc = read_config(s)) != 0) {
        free(s);
        return rc;
    }
    if (regime_setup(&s->r) != 0) {
        host->set_error(ctx, "out of memory allocating the indicator windows");
        regime_destroy(s);
        return JUTSU_ENOMEM;
    }
    regime_reset(&s->r);
    host->log(ctx, JUTSU_LOG_DEBUG, "%zu symbols, warm after %d %s bars", s->r.nsym,
              (int)s->r.warmup, s->r.p.symbol[ROLE_SIGNAL]);
    *state = s;
    return 0;
}

static const struct jutsu_strategy_ops ops = {
    .size      = sizeof(struct jutsu_strategy_ops),
    .needs     = regime_needs,
    .on_day    = regime_on_day,
    .save      = regime_save,
    .restore   = regime_restore,
    .reset     = regime_reset_op,
    .committed = regime_committed,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_STRATEGY,
    .name        = "strategy-regime",
    .version     = "1.0.0",
    .description = "Hierarchical Adaptive v3.5b: a Kalman trend and a volatility regime pick "
                   "one of six cells of QQQ/TQQQ/PSQ, with a TMF/TMV treasury overlay",
    .schema      = schema,
    .init        = regime_init,
    .destroy     = regime_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
