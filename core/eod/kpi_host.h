/*
 * core/eod/kpi_host.h — the host's side of KPI plugins (include/jutsu/kpi.h):
 * which daily_performance columns a KPI may fill, the set of KPI instances
 * of a config, and one fold of every instance into a row.
 *
 * The EOD job keeps each instance's state in the row's kpi_state column as
 * one JSON object, {"<instance>": <its state>, ...}; jutsu_kpi_fold hands
 * each instance its own member of the previous row's object and collects
 * the new ones.
 *
 * Thread-safety: the columns are constant; a kpi set is read-only after
 * jutsu_kpi_set_load and may be used from several threads. jutsu_kpi_fold
 * runs the plugins' folds one at a time all the same: a failing fold's
 * reason travels through the instance's single error buffer.
 */
#ifndef JUTSU_CORE_KPI_HOST_H
#define JUTSU_CORE_KPI_HOST_H

#include <stddef.h>

#include "jutsu/data.h"
#include "jutsu/kpi.h"
#include "host/app.h"
#include "store/row.h"

/* The entry of daily_performance column `name` (core/store/row.h) if a
 * KPI may fill it (JUTSU_COL_KPI: the list in kpi.h), or NULL. */
const struct jutsu_col *jutsu_kpi_column_find(const char *name);

/*
 * Stores `v` into row's column `c` (a double as it is: the data layer
 * rounds it to the column's scale when it writes; an INTEGER column gets
 * the nearest integer). NaN, an infinity or a value the column cannot
 * hold once rounded (|v| >= 10^(precision - scale), beyond int32) stores
 * NULL; returns 1 in the last two cases (the caller warns), else 0.
 */
int jutsu_kpi_store(const struct jutsu_col *c, double v,
                    struct jutsu_daily_perf_row *row);

#define JUTSU_KPI_MAX_INSTANCES 16

/* The started KPI instances of an app, in config order, with their
 * columns resolved and their metrics of their own (ABI 1.4) checked. */
struct jutsu_kpi_set {
    size_t n;
    size_t nmetrics;                                   /* of all instances */
    struct {
        struct jutsu_ctx              *inst;
        const struct jutsu_kpi_ops    *ops;
        size_t                         ncols;
        const struct jutsu_col        *cols[JUTSU_KPI_MAX_COLUMNS];
        size_t                         nmetrics;
        const char                    *metrics[JUTSU_KPI_MAX_METRICS];  /* the plugin's */
    } k[JUTSU_KPI_MAX_INSTANCES];
};

/*
 * Collects the app's started KPI instances. Refuses (JUTSU_ECONFIG, reason
 * in err) a column a KPI may not fill, more than JUTSU_KPI_MAX_COLUMNS, or
 * a column two instances both claim, naming the instances and plugins; and
 * the same of metrics: a name not [a-z][a-z0-9_]{0,47}, one that is a
 * daily_performance column, more than JUTSU_KPI_MAX_METRICS, or a name two
 * instances (or one, twice) publish.
 */
int jutsu_kpi_set_load(struct jutsu_app *app, struct jutsu_kpi_set *set, char *err,
                       size_t errsz);

/*
 * Folds `day` through every instance of the set. `prev` is the previous
 * row's kpi_state object (borrowed; NULL exactly when day->is_first_day).
 * Fills the instances' columns of `row` and sets *next to the new kpi_state
 * object and *metrics to the row's metrics object, {"name": value or null}
 * in the set's order (both owned by the caller; *metrics is NULL when no
 * instance publishes a metric; `metrics` may be NULL: not wanted). An
 * instance whose state is missing from a
 * non-first day's `prev` (the instance was added after that day), or whose
 * fold fails, fails the whole fold: JUTSU_ESTATE or the plugin's code, the
 * reason (with what to do) in err, *next and *metrics NULL.
 */
int jutsu_kpi_fold(const struct jutsu_kpi_set *set, struct json_object *prev,
                   const struct jutsu_kpi_day *day, struct jutsu_daily_perf_row *row,
                   struct json_object **next, struct json_object **metrics, char *err,
                   size_t errsz);

#endif
