/*
 * tests/plugins/tp_strategy.c — the smallest strategy, for the host's
 * tests of what surrounds strategies (the EOD job's books, entities,
 * config): it wants `symbol` (default QQQ), fully invested once it has
 * seen `warmup` bars; its state is a bar count, whether the job said it
 * traded the target, and how many days it asked to rebalance (for the
 * tests to see what a replay told it).
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/jutsu.h"
#include "jutsu/strategy.h"

struct tps {
    const struct jutsu_host *host;
    jutsu_ctx  *ctx;
    const char *symbol;
    int64_t     warmup, seen;
    int         invested;   /* the job said it traded the target */
    int64_t     asked;      /* days it answered rebalance */
};

static int tps_needs(void *state, struct jutsu_strategy_needs *out)
{
    struct tps *t = state;
    out->symbols[0] = t->symbol;
    out->symbols[1] = NULL;
    out->warmup_bars = (int32_t)t->warmup;
    out->timeframe = "1D";
    return 0;
}

static int tps_on_day(void *state, const struct jutsu_strategy_day *day,
                      struct jutsu_strategy_signal *out)
{
    struct tps *t = state;
    /* warm once `warmup` bars came before this day, whether or not this
     * day has one (needs.warmup_bars says the same) */
    out->warm = t->seen >= t->warmup;
    if (day->n > 0 && day->has[0])
        t->seen++;
    out->weights[0] = out->warm ? 1.0 : 0.0;
    out->rebalance = out->warm && !t->invested;
    t->asked += out->rebalance;
    out->cell = 1;
    strcpy(out->trend_state, "BullStrong");
    strcpy(out->vol_state, "Low");
    return 0;
}

static int tps_save(void *state, struct json_object **out)
{
    struct tps *t = state;
    *out = json_object_new_object();
    json_object_object_add(*out, "seen", json_object_new_int64(t->seen));
    json_object_object_add(*out, "invested", json_object_new_boolean(t->invested));
    json_object_object_add(*out, "asked", json_object_new_int64(t->asked));
    return *out ? 0 : JUTSU_ENOMEM;
}

static int tps_restore(void *state, struct json_object *saved)
{
    struct tps *t = state;
    json_object *v;
    if (!json_object_object_get_ex(saved, "seen", &v) || !json_object_is_type(v, json_type_int))
        return JUTSU_EMALFORMED;
    t->seen = json_object_get_int64(v);
    t->invested = json_object_object_get_ex(saved, "invested", &v) && json_object_get_boolean(v);
    t->asked = json_object_object_get_ex(saved, "asked", &v) ? json_object_get_int64(v) : 0;
    return 0;
}

static int tps_reset(void *state)
{
    struct tps *t = state;
    t->seen = 0;
    t->invested = 0;
    t->asked = 0;
    return 0;
}

#ifndef TPS_OLD_TABLE
static int tps_committed(void *state, const double *weights, size_t n)
{
    struct tps *t = state;
    t->invested = n > 0 && weights[0] > 0;
    return 0;
}
#endif

static void tps_destroy(void *state)
{
    free(state);
}

static int tps_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct tps *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return JUTSU_ENOMEM;
    t->host = host;
    t->ctx = ctx;
    if (host->cfg_str(ctx, "symbol", &t->symbol) != 0 ||
        host->cfg_int(ctx, "warmup", &t->warmup) != 0) {
        host->set_error(ctx, "cannot read symbol and warmup");
        free(t);
        return JUTSU_ECONFIG;
    }
    *state = t;
    return 0;
}

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY("symbol", JUTSU_CFG_STR, "QQQ", "The symbol held"),
    JUTSU_CFG_INT_RANGE("warmup", "0", 0, 10000, "Bars seen before it invests"),
    JUTSU_CFG_END
};

/* Built as tp-strategy-old, its table ends before `committed`, as that of
 * a strategy built before the optional op was appended: the loader must
 * take it, and the trading job must not call the op it lacks. */
static const struct jutsu_strategy_ops ops = {
#ifdef TPS_OLD_TABLE
    .size = JUTSU_STRATEGY_OPS_SIZE_1_0,
#else
    .size = sizeof(struct jutsu_strategy_ops), .committed = tps_committed,
#endif
    .needs = tps_needs, .on_day = tps_on_day, .save = tps_save, .restore = tps_restore,
    .reset = tps_reset,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
#ifdef TPS_OLD_TABLE
    .kind = JUTSU_KIND_STRATEGY, .name = "tp-strategy-old", .version = "1.0.0",
#else
    .kind = JUTSU_KIND_STRATEGY, .name = "tp-strategy", .version = "1.0.0",
#endif
    .description = "Test strategy: one symbol, fully invested after a warm-up",
    .schema = schema, .init = tps_init, .destroy = tps_destroy, .ops = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
