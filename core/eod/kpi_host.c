/*
 * core/eod/kpi_host.c — the host's side of KPI plugins (see kpi_host.h).
 */
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "eod/kpi_host.h"
#include "base/log.h"
#include "store/data_api.h"

/* Serialises the folds: see jutsu_kpi_fold. */
static pthread_mutex_t fold_lock = PTHREAD_MUTEX_INITIALIZER;

const struct jutsu_col *jutsu_kpi_column_find(const char *name)
{
    const struct jutsu_col *c = jutsu_row_col(&jutsu_daily_perf_table, name);
    return c && (c->flags & JUTSU_COL_KPI) ? c : NULL;
}

int jutsu_kpi_store(const struct jutsu_col *c, double v, struct jutsu_daily_perf_row *row)
{
    char *field = (char *)row + c->off;
    int unfit = isinf(v);
    if (!isnan(v) && !unfit) {
        if (c->type == JUTSU_COL_INT) {
            double r = nearbyint(v);
            if (r >= INT32_MIN + 1.0 && r <= INT32_MAX) {
                *(int32_t *)field = (int32_t)r;
                return 0;
            }
            unfit = 1;
        } else if (c->type == JUTSU_COL_FIXED) {
            /* the limit of NUMERIC(p, s) once rounded to s places */
            double units = nearbyint(v * jutsu_row_pow10(c->scale));
            unfit = fabs(units) >= jutsu_row_pow10(c->precision);
        }
    }
    if (c->type == JUTSU_COL_INT)
        *(int32_t *)field = JUTSU_INT_NULL;
    else
        *(double *)field = isnan(v) || unfit ? NAN : v;
    return unfit;
}

/* [a-z][a-z0-9_]{0,47}: a JSON key, a CLI column head and a REST member
 * alike, with nothing to quote or escape. */
static int metric_name_ok(const char *n)
{
    if (n[0] < 'a' || n[0] > 'z')
        return 0;
    size_t i = 1;
    for (; n[i]; i++)
        if (i == JUTSU_KPI_METRIC_NAME_MAX ||
            !((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return 0;
    return 1;
}

/* The instance's metrics of its own (ABI 1.4) into set->k[k], checked as
 * its columns are: a name is valid, not a column, and claimed once. */
static int load_metrics(struct jutsu_kpi_set *set, size_t k, char *err, size_t errsz)
{
    struct jutsu_ctx *c = set->k[k].inst;
    const char *plugin = jutsu_ctx_plugin(c)->name;
    const struct jutsu_kpi_ops *ops = set->k[k].ops;
    if (!JUTSU_OPS_HAS(ops, jutsu_kpi_ops, metrics))
        return 0;
    size_t n = 0;
    for (const char *const *m = ops->metrics; *m; m++, n++) {
        if (n == JUTSU_KPI_MAX_METRICS) {
            snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) declares more than %d "
                     "metrics", c->name, plugin, JUTSU_KPI_MAX_METRICS);
            return JUTSU_ECONFIG;
        }
        if (!metric_name_ok(*m)) {
            snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) declares metric \"%.60s\": "
                     "a name is [a-z][a-z0-9_]{0,47} (a plugin bug)", c->name, plugin, *m);
            return JUTSU_ECONFIG;
        }
        if (jutsu_row_col(&jutsu_daily_perf_table, *m) != NULL) {
            snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) declares metric \"%s\", "
                     "which is a daily_performance column: a metric needs a name of its own",
                     c->name, plugin, *m);
            return JUTSU_ECONFIG;
        }
        for (size_t j = 0; j < n; j++)
            if (strcmp(set->k[k].metrics[j], *m) == 0) {
                snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) declares metric %s "
                         "twice (a plugin bug)", c->name, plugin, *m);
                return JUTSU_ECONFIG;
            }
        for (size_t o = 0; o < k; o++)
            for (size_t j = 0; j < set->k[o].nmetrics; j++)
                if (strcmp(set->k[o].metrics[j], *m) == 0) {
                    struct jutsu_ctx *other = set->k[o].inst;
                    snprintf(err, errsz, "KPI instances \"%s\" (plugin %s) and \"%s\" "
                             "(plugin %s) both publish metric %s: configure only one of them",
                             other->name, jutsu_ctx_plugin(other)->name, c->name, plugin, *m);
                    return JUTSU_ECONFIG;
                }
        set->k[k].metrics[n] = *m;
    }
    set->k[k].nmetrics = n;
    set->nmetrics += n;
    return 0;
}

int jutsu_kpi_set_load(struct jutsu_app *app, struct jutsu_kpi_set *set, char *err,
                       size_t errsz)
{
    memset(set, 0, sizeof(*set));
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        const struct jutsu_plugin *d = jutsu_ctx_plugin(c);
        if (d->kind != JUTSU_KIND_KPI || !c->started)
            continue;
        if (set->n == JUTSU_KPI_MAX_INSTANCES) {
            snprintf(err, errsz, "more than %d KPI instances are configured",
                     JUTSU_KPI_MAX_INSTANCES);
            return JUTSU_ECONFIG;
        }
        const struct jutsu_kpi_ops *ops = jutsu_ctx_kpi(c);
        size_t k = set->n, n = 0;
        for (const char *const *col = ops->columns; *col; col++, n++) {
            const struct jutsu_col *kc = jutsu_kpi_column_find(*col);
            if (kc == NULL) {
                snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) fills column \"%s\", "
                         "which is not one a KPI may fill (see include/jutsu/kpi.h)", c->name,
                         d->name, *col);
                return JUTSU_ECONFIG;
            }
            if (n == JUTSU_KPI_MAX_COLUMNS) {
                snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) declares more than %d "
                         "columns", c->name, d->name, JUTSU_KPI_MAX_COLUMNS);
                return JUTSU_ECONFIG;
            }
            for (size_t j = 0; j < n; j++)
                if (set->k[k].cols[j] == kc) {
                    snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) declares column %s "
                             "twice (a plugin bug)", c->name, d->name, kc->name);
                    return JUTSU_ECONFIG;
                }
            for (size_t o = 0; o < k; o++)
                for (size_t j = 0; j < set->k[o].ncols; j++)
                    if (set->k[o].cols[j] == kc) {
                        struct jutsu_ctx *other = set->k[o].inst;
                        snprintf(err, errsz, "KPI instances \"%s\" (plugin %s) and \"%s\" "
                                 "(plugin %s) both fill column %s: configure only one of "
                                 "them", other->name, jutsu_ctx_plugin(other)->name, c->name,
                                 d->name, kc->name);
                        return JUTSU_ECONFIG;
                    }
            set->k[k].cols[n] = kc;
        }
        set->k[k].inst = c;
        set->k[k].ops = ops;
        set->k[k].ncols = n;
        int rc = load_metrics(set, k, err, errsz);
        if (rc != 0)
            return rc;
        set->n++;
    }
    return 0;
}

/* Adds an instance's metrics to the row's object: a double as it is
 * (json-c writes 17 significant digits, which read back exactly), null for
 * NaN and the infinities, which JSON cannot spell. */
static int add_metrics(json_object *to, const char *const *names, size_t n, const double *v)
{
    for (size_t j = 0; j < n; j++) {
        json_object *x = NULL;
        if (isfinite(v[j]) && (x = json_object_new_double(v[j])) == NULL)
            return JUTSU_ENOMEM;
        if (json_object_object_add(to, names[j], x) != 0) {
            json_object_put(x);
            return JUTSU_ENOMEM;
        }
    }
    return 0;
}

int jutsu_kpi_fold(const struct jutsu_kpi_set *set, struct json_object *prev,
                   const struct jutsu_kpi_day *day, struct jutsu_daily_perf_row *row,
                   struct json_object **next, struct json_object **metrics, char *err,
                   size_t errsz)
{
    char date[JUTSU_DATE_BUFSZ];
    jutsu_date_format(day->date, date);
    *next = NULL;
    if (metrics)
        *metrics = NULL;
    json_object *all = json_object_new_object();
    json_object *mets = set->nmetrics && metrics ? json_object_new_object() : NULL;
    if (all == NULL || (set->nmetrics && metrics && mets == NULL)) {
        json_object_put(all);
        json_object_put(mets);
        return JUTSU_ENOMEM;
    }
    for (size_t k = 0; k < set->n; k++) {
        struct jutsu_ctx *inst = set->k[k].inst;
        json_object *mine = NULL, *state = NULL;
        if (!day->is_first_day &&
            (prev == NULL || !json_object_object_get_ex(prev, inst->name, &mine))) {
            snprintf(err, errsz, "KPI instance \"%s\" kept no state in the row before %s (was "
                     "it added since?): recompute the history with `jutsu eod backfill --from "
                     "FIRST_DAY --entity %s`", inst->name, date, day->entity_id);
            json_object_put(all);
            json_object_put(mets);
            return JUTSU_ESTATE;
        }
        double v[JUTSU_KPI_MAX_COLUMNS + JUTSU_KPI_MAX_METRICS];
        for (size_t i = 0; i < JUTSU_KPI_MAX_COLUMNS + JUTSU_KPI_MAX_METRICS; i++)
            v[i] = NAN;
        /* A plugin reports why through host->set_error, which writes the
         * instance's one error buffer: folds of the same instance for two
         * entities on two threads would clear and overwrite each other's
         * message. A fold is a few microseconds, so they take turns. */
        pthread_mutex_lock(&fold_lock);
        inst->error[0] = '\0';
        int rc = set->k[k].ops->fold(inst->state, mine, day, &state, v);
        if (rc != 0)
            snprintf(err, errsz, "KPI instance \"%s\" (plugin %s) failed on %s: %s", inst->name,
                     jutsu_ctx_plugin(inst)->name, date,
                     inst->error[0] ? inst->error : jutsu_strerror(rc));
        pthread_mutex_unlock(&fold_lock);
        if (rc != 0) {
            json_object_put(state);
            json_object_put(all);
            json_object_put(mets);
            return rc;
        }
        if (json_object_object_add(all, inst->name, state) != 0 ||
            (mets && add_metrics(mets, set->k[k].metrics, set->k[k].nmetrics,
                                 v + set->k[k].ncols))) {
            snprintf(err, errsz, "out of memory collecting the KPI state");
            if (json_object_object_get(all, inst->name) != state)
                json_object_put(state);
            json_object_put(all);
            json_object_put(mets);
            return JUTSU_ENOMEM;
        }
        for (size_t i = 0; i < set->k[k].ncols; i++)
            if (jutsu_kpi_store(set->k[k].cols[i], v[i], row))
                jutsu_log("eod", JUTSU_LOG_WARN, "%s %s %s: KPI instance \"%s\" gave %s = %g, "
                          "which the column cannot hold: stored NULL", date, day->entity_type,
                          day->entity_id, inst->name, set->k[k].cols[i]->name, v[i]);
    }
    *next = all;
    if (metrics)
        *metrics = mets;
    return 0;
}
