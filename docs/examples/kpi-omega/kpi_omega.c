/*
 * kpi-omega — a KPI plugin that publishes a metric of its own (ABI 1.4):
 * the Omega ratio at a threshold of 0, the sum of the daily gains over the
 * sum of the daily losses,
 *
 *   omega_ratio = sum(max(r, 0)) / sum(max(-r, 0))   over every daily return r
 *
 * and the number of returns it was taken over, omega_returns. Neither is a
 * daily_performance column: the host keeps them in the row's `metrics`
 * object, `jutsu perf show` prints them and the REST API serves them.
 *
 * Like every KPI it folds one day at a time (include/jutsu/kpi.h): its
 * state, {"gains": G, "losses": L, "n": N}, is all it needs of the past,
 * and the host hands it back the next day. Doubles go through the state's
 * JSON exactly (json-c writes 17 significant digits), so a re-run or a
 * backfill gives the same values bit for bit.
 *
 * The Omega ratio is undefined (null) until there is a loss: with no
 * losses it would be infinite, which a KPI never reports.
 *
 * Jutsu's tests build this file under other names and with another metric
 * name (KPI_OMEGA_NAME, KPI_OMEGA_METRIC) to check what the host refuses.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>

#include <jutsu/error.h>
#include <jutsu/host.h>
#include <jutsu/kpi.h>
#include <jutsu/plugin.h>

#ifndef KPI_OMEGA_NAME
#define KPI_OMEGA_NAME "kpi-omega"
#endif
#ifndef KPI_OMEGA_METRIC
#define KPI_OMEGA_METRIC "omega_ratio"
#endif

/* No fixed column: kpi-standard fills those. */
static const char *const columns[] = { NULL };

/* values[ncolumns + i] is metrics[i]: with no column, values[i]. */
enum { M_OMEGA, M_RETURNS, M_COUNT };
static const char *const metrics[M_COUNT + 1] = {
    [M_OMEGA]   = KPI_OMEGA_METRIC,
    [M_RETURNS] = "omega_returns",
    [M_COUNT]   = NULL,
};

struct omega {
    const struct jutsu_host *host;
    jutsu_ctx               *ctx;
};

struct acc {
    double  gains, losses;
    int64_t n;
};

/* The state as the previous fold wrote it; 0, or -1 if it is not ours. */
static int acc_read(json_object *prev, struct acc *a)
{
    json_object *g, *l, *n;
    if (!json_object_is_type(prev, json_type_object) ||
        !json_object_object_get_ex(prev, "gains", &g) ||
        !json_object_object_get_ex(prev, "losses", &l) ||
        !json_object_object_get_ex(prev, "n", &n) ||
        !(json_object_is_type(g, json_type_double) || json_object_is_type(g, json_type_int)) ||
        !(json_object_is_type(l, json_type_double) || json_object_is_type(l, json_type_int)) ||
        !json_object_is_type(n, json_type_int))
        return -1;
    a->gains = json_object_get_double(g);
    a->losses = json_object_get_double(l);
    a->n = json_object_get_int64(n);
    return a->gains >= 0 && a->losses >= 0 && a->n >= 0 ? 0 : -1;
}

static json_object *acc_write(const struct acc *a)
{
    json_object *o = json_object_new_object(), *g = json_object_new_double(a->gains),
                *l = json_object_new_double(a->losses), *n = json_object_new_int64(a->n);
    if (o == NULL || g == NULL || l == NULL || n == NULL) {
        json_object_put(o);
        json_object_put(g);
        json_object_put(l);
        json_object_put(n);
        return NULL;
    }
    json_object_object_add(o, "gains", g);
    json_object_object_add(o, "losses", l);
    json_object_object_add(o, "n", n);
    return o;
}

static int omega_fold(void *state, json_object *prev, const struct jutsu_kpi_day *day,
                      json_object **next, double *values)
{
    struct omega *k = state;
    struct acc a = { 0.0, 0.0, 0 };
    *next = NULL;
    if (!day->is_first_day) {   /* day one has no return: the sums start empty */
        if (prev == NULL || acc_read(prev, &a) != 0) {
            k->host->set_error(k->ctx, "%s %s (%s): the state kept in the previous row is not "
                               "kpi-omega's; recompute this entity's rows from its first day "
                               "(jutsu eod backfill)", day->entity_type, day->entity_id,
                               day->mode);
            return JUTSU_EMALFORMED;
        }
        if (!isfinite(day->daily_return)) {
            k->host->set_error(k->ctx, "%s %s (%s): the daily return is not a finite number",
                               day->entity_type, day->entity_id, day->mode);
            return JUTSU_EINVAL;
        }
        if (day->daily_return > 0)
            a.gains += day->daily_return;
        else
            a.losses -= day->daily_return;
        a.n++;
    }
    if ((*next = acc_write(&a)) == NULL) {
        k->host->set_error(k->ctx, "out of memory writing the state");
        return JUTSU_ENOMEM;
    }
    values[M_OMEGA] = a.losses > 0 ? a.gains / a.losses : NAN;
    values[M_RETURNS] = (double)a.n;
    return 0;
}

static int omega_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct omega *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return JUTSU_ENOMEM;
    k->host = host;
    k->ctx = ctx;
    *state = k;
    return 0;
}

static void omega_destroy(void *state)
{
    free(state);
}

static const struct jutsu_kpi_ops ops = {
    .size    = sizeof(struct jutsu_kpi_ops),
    .columns = columns,
    .fold    = omega_fold,
    .metrics = metrics,
};

static const struct jutsu_cfg_key schema[] = { JUTSU_CFG_END };

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_KPI,
    .name        = KPI_OMEGA_NAME,
    .version     = "1.0.0",
    .description = "The Omega ratio at a threshold of 0 (gains over losses of the daily "
                   "returns), a metric of its own",
    .schema      = schema,
    .init        = omega_init,
    .destroy     = omega_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
