/*
 * plugins/kpi-standard/kpi_plugin.c — kpi-standard: Sharpe, Sortino,
 * Calmar, max drawdown, volatility, CAGR and win rate on empyrical's
 * conventions, with the running sums and Welford's moments they come from
 * (docs/kpi.md). The descriptor, its config schema, init/destroy and the
 * fold; the statistics are kpi_stats.c's, the state's JSON is kpi_state.c's.
 *
 * Concurrency: fold reads the instance's config (fixed at init) and writes
 * only what it returns, so the host may fold any number of entities at once
 * on one instance.
 */
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/kpi.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "kpi_state.h"
#include "kpi_stats.h"

/* The settings, as host->cfg_fill writes them from the schema below. */
struct kpi_conf {
    int64_t periods_per_year;
};

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_INT_RANGE_AT("periods_per_year", "252", 1, 366,
                           "Return periods in a year, the annualisation factor P: 252 trading "
                           "days (empyrical's default)", struct kpi_conf, periods_per_year),
    JUTSU_CFG_END
};

/* The daily_performance columns, in the order of enum kpi_col. */
static const char *const columns[KPI_NCOLS + 1] = {
    [KPI_SHARPE]          = "sharpe_ratio",
    [KPI_SORTINO]         = "sortino_ratio",
    [KPI_CALMAR]          = "calmar_ratio",
    [KPI_MAX_DRAWDOWN]    = "max_drawdown",
    [KPI_VOLATILITY]      = "volatility",
    [KPI_CAGR]            = "cagr",
    [KPI_WIN_RATE]        = "win_rate",
    [KPI_RETURNS_COUNT]   = "returns_count",
    [KPI_RETURNS_SUM]     = "returns_sum",
    [KPI_RETURNS_SUM_SQ]  = "returns_sum_sq",
    [KPI_DOWNSIDE_SUM_SQ] = "downside_sum_sq",
    [KPI_WELFORD_COUNT]   = "welford_count",
    [KPI_WELFORD_MEAN]    = "welford_mean",
    [KPI_WELFORD_M2]      = "welford_m2",
    [KPI_NCOLS]           = NULL
};

struct kpi_std {
    const struct jutsu_host *host;
    jutsu_ctx               *ctx;
    int                      periods_per_year;
};

/* The last field of struct jutsu_kpi_day that fold reads. */
#define DAY_SIZE_NEEDED JUTSU_SIZE_THROUGH(jutsu_kpi_day, trades_lost)

/* What the host hands over must be a day kpi-standard can fold: a broken
 * input is refused here rather than carried into every later row. */
static int check_day(struct kpi_std *k, const struct jutsu_kpi_day *d)
{
    const char *bad = NULL;
    if (d->size < DAY_SIZE_NEEDED)
        bad = "struct jutsu_kpi_day is shorter than ABI 1.0's (a host bug)";
    else if (d->equity == JUTSU_MONEY_NULL)
        bad = "equity is NULL";
    else if (!d->is_first_day && !isfinite(d->daily_return))
        bad = "daily_return is not a finite number (was the previous equity 0?)";
    else if (!isfinite(d->drawdown) || d->drawdown > 0)
        bad = "drawdown is not a number <= 0";
    else if (d->trades_closed < 0 || d->trades_won < 0 || d->trades_lost < 0 ||
             (int64_t)d->trades_won + d->trades_lost > d->trades_closed)
        bad = "the trade counts are negative, or more trades won and lost than closed";
    if (bad == NULL)
        return 0;
    k->host->set_error(k->ctx, "%s %s (%s): %s", d->entity_type, d->entity_id, d->mode, bad);
    return JUTSU_EINVAL;
}

static int kpi_fold(void *state, struct json_object *prev, const struct jutsu_kpi_day *day,
                    struct json_object **next, double *values)
{
    struct kpi_std *k = state;
    struct kpi_acc a;
    char why[256];
    int rc;

    *next = NULL;
    if ((rc = check_day(k, day)) != 0)
        return rc;
    if (day->is_first_day) {
        /* day one starts the series afresh: there is no prev to read */
        kpi_acc_first(&a, day->equity, day->drawdown);
    } else {
        if (prev == NULL || (rc = kpi_state_read(prev, &a, why, sizeof(why))) != 0) {
            k->host->set_error(k->ctx, "%s %s (%s): the state kpi-standard kept in the previous "
                               "row is unusable: %s; recompute this entity's rows from its "
                               "first day (jutsu eod backfill)", day->entity_type,
                               day->entity_id, day->mode, prev ? why : "there is none");
            return JUTSU_EMALFORMED;
        }
        kpi_acc_day(&a, day->daily_return, day->drawdown);
    }
    kpi_acc_trades(&a, day->trades_closed, day->trades_won, day->trades_lost);

    json_object *out = kpi_state_write(&a);
    if (out == NULL) {
        k->host->set_error(k->ctx, "out of memory writing the state");
        return JUTSU_ENOMEM;
    }
    kpi_values(&a, day->equity, k->periods_per_year, values);
    *next = out;
    return 0;
}

static void kpi_destroy(void *state)
{
    free(state);
}

static int kpi_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct kpi_conf conf = { 0 };
    if (host->cfg_fill(ctx, &conf) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    int64_t p = conf.periods_per_year;   /* 1..366: the schema's bounds */
    struct kpi_std *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return JUTSU_ENOMEM;
    k->host = host;
    k->ctx = ctx;
    k->periods_per_year = (int)p;
    host->log(ctx, JUTSU_LOG_DEBUG, "annualising with %d periods per year", k->periods_per_year);
    *state = k;
    return 0;
}

static const struct jutsu_kpi_ops ops = {
    .size    = sizeof(struct jutsu_kpi_ops),
    .columns = columns,
    .fold    = kpi_fold,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_KPI,
    .name        = "kpi-standard",
    .version     = "1.0.0",
    .description = "Sharpe, Sortino, Calmar, max drawdown, volatility, CAGR and win rate "
                   "(empyrical's conventions), folded one day at a time",
    .schema      = schema,
    .init        = kpi_init,
    .destroy     = kpi_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
