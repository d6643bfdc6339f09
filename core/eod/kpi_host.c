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
            double units = nearbyint(v * pow(10.0, c->scale));
            unfit = fabs(units) >= pow(10.0, c->precision);
        }
    }
    if (c->type == JUTSU_COL_INT)
        *(int32_t *)field = JUTSU_INT_NULL;
    else
        *(double *)field = isnan(v) || unfit ? NAN : v;
    return unfit;
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
        set->n++;
    }
    return 0;
}

int jutsu_kpi_fold(const struct jutsu_kpi_set *set, struct json_object *prev,
                   const struct jutsu_kpi_day *day, struct jutsu_daily_perf_row *row,
                   struct json_object **next, char *err, size_t errsz)
{
    char date[JUTSU_DATE_BUFSZ];
    jutsu_date_format(day->date, date);
    *next = NULL;
    json_object *all = json_object_new_object();
    if (all == NULL)
        return JUTSU_ENOMEM;
    for (size_t k = 0; k < set->n; k++) {
        struct jutsu_ctx *inst = set->k[k].inst;
        json_object *mine = NULL, *state = NULL;
        if (!day->is_first_day &&
            (prev == NULL || !json_object_object_get_ex(prev, inst->name, &mine))) {
            snprintf(err, errsz, "KPI instance \"%s\" kept no state in the row before %s (was "
                     "it added since?): recompute the history with `jutsu eod backfill --from "
                     "FIRST_DAY --entity %s`", inst->name, date, day->entity_id);
            json_object_put(all);
            return JUTSU_ESTATE;
        }
        double v[JUTSU_KPI_MAX_COLUMNS];
        for (size_t i = 0; i < JUTSU_KPI_MAX_COLUMNS; i++)
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
            return rc;
        }
        if (json_object_object_add(all, inst->name, state) != 0) {
            snprintf(err, errsz, "out of memory collecting the KPI state");
            json_object_put(state);
            json_object_put(all);
            return JUTSU_ENOMEM;
        }
        for (size_t i = 0; i < set->k[k].ncols; i++)
            if (jutsu_kpi_store(set->k[k].cols[i], v[i], row))
                jutsu_log("eod", JUTSU_LOG_WARN, "%s %s %s: KPI instance \"%s\" gave %s = %g, "
                          "which the column cannot hold: stored NULL", date, day->entity_type,
                          day->entity_id, inst->name, set->k[k].cols[i]->name, v[i]);
    }
    *next = all;
    return 0;
}
