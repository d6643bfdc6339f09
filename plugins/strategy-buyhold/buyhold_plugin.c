/*
 * plugins/strategy-buyhold/buyhold_plugin.c — strategy-buyhold: one
 * symbol, bought once and held (docs/strategies.md).
 *
 * The simplest strategy there is, and the baseline the others are judged
 * against: it targets `weight` (default 1.0, fully invested) of `symbol`
 * (default QQQ) from the first day that symbol has a bar, and asks to
 * rebalance until the job has traded that target. It never rebalances
 * after that: a buy-and-hold lets the position drift with the price.
 *
 *   needs       [symbol], warmup_bars 0, "1D"
 *   warm        from the first day with a bar of the symbol on
 *   weights[0]  `weight` when warm, else 0
 *   rebalance   warm, and the last committed target differs from `weight`
 *               (nothing committed yet: `weight` is not 0)
 *   cell        0 (no regime), trend_state and vol_state empty, the
 *               indicator fields NaN
 *
 * Without a committed() call the position counts as not opened, so the
 * request repeats on every day until the job reports the trade; a job
 * that skips a day (stale price) simply sees it again the next.
 *
 * State: {"version": 1, "bars": 412, "traded": null | 1.0}, restored
 * strictly (the error names the member).
 *
 * Threading: one instance, one thread at a time (strategy.h).
 */
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/json.h"
#include "jutsu/plugin.h"
#include "jutsu/strategy.h"
#include "jutsu/symbol.h"

#define BUYHOLD_STATE_VERSION 1

struct buyhold {
    const struct jutsu_host *host;
    jutsu_ctx  *ctx;
    /* the settings, filled by host->cfg_fill (schema below) */
    const char *symbol;     /* the host's, valid until destroy      */
    double      weight;
    int64_t     bars;       /* days with a bar of the symbol seen   */
    int         has_traded;
    double      traded;     /* the last committed target            */
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY_AT("symbol", JUTSU_CFG_STR, "QQQ", "The symbol bought and held (upper case)",
                     struct buyhold, symbol),
    JUTSU_CFG_KEY_AT("weight", JUTSU_CFG_DOUBLE, "1.0",
                     "Fraction of equity put into it, 0..1; the rest stays cash",
                     struct buyhold, weight),
    JUTSU_CFG_END
};

#define DAY_SIZE_NEEDED    JUTSU_SIZE_THROUGH(jutsu_strategy_day, n)
#define SIGNAL_SIZE_NEEDED JUTSU_SIZE_THROUGH(jutsu_strategy_signal, extras)

static int bh_needs(void *state, struct jutsu_strategy_needs *out)
{
    struct buyhold *b = state;
    if (out == NULL)
        return JUTSU_EINVAL;
    out->symbols[0] = b->symbol;
    out->symbols[1] = NULL;
    out->warmup_bars = 0;
    out->timeframe = "1D";
    return 0;
}

static int bh_on_day(void *state, const struct jutsu_strategy_day *day,
                     struct jutsu_strategy_signal *out)
{
    struct buyhold *b = state;
    char date[JUTSU_DATE_BUFSZ];
    if (day == NULL || out == NULL || day->size < DAY_SIZE_NEEDED ||
        out->size < SIGNAL_SIZE_NEEDED) {
        b->host->set_error(b->ctx, "on_day: no day or signal, or one shorter than ABI 1.0's "
                           "(a host bug)");
        return JUTSU_EINVAL;
    }
    out->extras = NULL;
    jutsu_date_format(day->date, date);
    if (day->n != 1 || day->bars == NULL || day->has == NULL) {
        b->host->set_error(b->ctx, "%s: the day has %zu bar slots, but needs() listed one "
                           "symbol (%s)", date, day->n, b->symbol);
        return JUTSU_EINVAL;
    }
    if (day->has[0] && day->bars[0].close <= 0) {
        b->host->set_error(b->ctx, "%s: the %s bar has a close of 0 or less; the strategy did "
                           "not advance", date, b->symbol);
        return JUTSU_EINVAL;
    }
    if (day->has[0])
        b->bars++;
    out->warm = b->bars > 0;
    memset(out->weights, 0, sizeof(out->weights));
    out->weights[0] = out->warm ? b->weight : 0.0;
    out->rebalance = out->warm && (b->has_traded ? b->traded != b->weight : b->weight != 0.0);
    out->cell = 0;
    out->trend_state[0] = '\0';
    out->vol_state[0] = '\0';
    out->t_norm = out->z_score = out->sma_fast = out->sma_slow = NAN;
    return 0;
}

static int bh_save(void *state, struct json_object **out)
{
    struct buyhold *b = state;
    json_object *o = json_object_new_object(), *v;
    if (out == NULL) {
        json_object_put(o);
        return JUTSU_EINVAL;
    }
    *out = NULL;
    if (o == NULL || jutsu_json_add(o, "version", json_object_new_int(BUYHOLD_STATE_VERSION)) ||
        jutsu_json_add(o, "bars", json_object_new_int64(b->bars)))
        goto fail;
    v = b->has_traded ? json_object_new_double(b->traded) : NULL;   /* NULL is JSON null */
    if ((b->has_traded && v == NULL) || json_object_object_add(o, "traded", v) != 0) {
        json_object_put(v);
        goto fail;
    }
    *out = o;
    return 0;
fail:
    json_object_put(o);
    b->host->set_error(b->ctx, "out of memory writing the state");
    return JUTSU_ENOMEM;
}

/* The reason `saved` cannot be read, or NULL; fills *bars and *traded. */
static const char *bh_read(const json_object *saved, int64_t *bars, int *has_traded,
                           double *traded, char *why, size_t whysz)
{
    json_object *v;
    if (!json_object_is_type(saved, json_type_object))
        return "it is not a JSON object";
    json_object_object_foreach((json_object *)saved, key, val) {
        (void)val;
        if (strcmp(key, "version") != 0 && strcmp(key, "bars") != 0 &&
            strcmp(key, "traded") != 0) {
            snprintf(why, whysz, "member \"%.64s\" is not one strategy-buyhold writes", key);
            return why;
        }
    }
    if (!json_object_object_get_ex(saved, "version", &v) || !json_object_is_type(v, json_type_int)
        || json_object_get_int64(v) != BUYHOLD_STATE_VERSION) {
        snprintf(why, whysz, "member \"version\" is missing or not %d", BUYHOLD_STATE_VERSION);
        return why;
    }
    if (!json_object_object_get_ex(saved, "bars", &v) || !json_object_is_type(v, json_type_int) ||
        (*bars = json_object_get_int64(v)) < 0 || *bars == INT64_MAX)
        return "member \"bars\" is missing or not a count (an integer >= 0)";
    if (!json_object_object_get_ex(saved, "traded", &v))
        return "member \"traded\" is missing (null when nothing was traded)";
    *has_traded = v != NULL;
    if (v == NULL)
        return NULL;
    if (!(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) ||
        !isfinite(*traded = json_object_get_double(v)) || *traded < 0)
        return "member \"traded\" is not null or a finite number >= 0";
    return NULL;
}

static int bh_restore(void *state, struct json_object *saved)
{
    struct buyhold *b = state;
    int64_t bars = 0;
    int has_traded = 0;
    double traded = 0;
    char why[160];
    const char *bad = bh_read(saved, &bars, &has_traded, &traded, why, sizeof(why));
    if (bad != NULL) {
        b->bars = 0;
        b->has_traded = 0;
        b->traded = 0;
        b->host->set_error(b->ctx, "cannot restore the saved state: %s; the instance starts "
                           "afresh (replay its bars)", bad);
        return JUTSU_EMALFORMED;
    }
    b->bars = bars;
    b->has_traded = has_traded;
    b->traded = traded;
    return 0;
}

static int bh_reset(void *state)
{
    struct buyhold *b = state;
    b->bars = 0;
    b->has_traded = 0;
    b->traded = 0;
    return 0;
}

static int bh_committed(void *state, const double *weights, size_t n)
{
    struct buyhold *b = state;
    if (weights == NULL || n != 1 || !isfinite(weights[0]) || weights[0] < 0) {
        b->host->set_error(b->ctx, "committed: want one finite weight >= 0 (for %s), got %zu",
                           b->symbol, weights ? n : 0);
        return JUTSU_EINVAL;
    }
    b->has_traded = 1;
    b->traded = weights[0];
    return 0;
}

static void bh_destroy(void *state)
{
    free(state);
}

static int bh_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct buyhold *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return JUTSU_ENOMEM;
    b->host = host;
    b->ctx = ctx;
    if (host->cfg_fill(ctx, b) != 0) {   /* the host has said which key, and why */
        free(b);
        return JUTSU_ECONFIG;
    }
    int rc = 0;
    if (!jutsu_symbol_valid(b->symbol))
        rc = host->cfg_error(ctx, "symbol", "symbol is \"%.40s\", not a symbol: "
                             JUTSU_SYMBOL_RULE, b->symbol);
    else if (!(b->weight >= 0 && b->weight <= 1))
        rc = host->cfg_error(ctx, "weight", "weight is %g, not within 0..1 (1 is fully "
                             "invested)", b->weight);
    if (rc != 0) {
        free(b);
        return rc;
    }
    *state = b;
    return 0;
}

static const struct jutsu_strategy_ops ops = {
    .size      = sizeof(struct jutsu_strategy_ops),
    .needs     = bh_needs,
    .on_day    = bh_on_day,
    .save      = bh_save,
    .restore   = bh_restore,
    .reset     = bh_reset,
    .committed = bh_committed,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_STRATEGY,
    .name        = "strategy-buyhold",
    .version     = "1.0.0",
    .description = "Buy and hold one symbol from its first bar on: the baseline strategy",
    .schema      = schema,
    .init        = bh_init,
    .destroy     = bh_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
