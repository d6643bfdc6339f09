/*
 * core/store/data_daily_bulk.c — daily_performance rows many at a time
 * (see data_api.h).
 *
 * A backtest's chain writes thousands of rows into a range that holds
 * none: one upsert per row paid a statement's start and halt, a
 * transaction check and the upsert's probe each time, which was a quarter
 * of the run. The driver's bulk path gathers the rows and writes a
 * statement of many; its "skip a row that exists" becomes an error here,
 * since skipping would leave an old row where the chain computed a new one.
 */
#include <stdlib.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"
#include "store/store.h"

#define MAX_COLS 64   /* daily_performance has 45 */

struct jutsu_daily_bulk {
    jutsu_dbs    *s;
    jutsu_bulk   *b;
    jutsu_time_t  now;     /* finalized_at of every row: the run's instant */
    int           failed;  /* a row was refused: _end keeps nothing */
};

int jutsu_data_daily_perf_bulk_begin(jutsu_dbs *s, struct jutsu_daily_bulk **out)
{
    const char *names[MAX_COLS], *keys[MAX_COLS];
    size_t nkeys, ncols;
    *out = NULL;
    if (jutsu_daily_perf_table.ncols > MAX_COLS)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "daily_performance: %zu columns, more than the "
                              "bulk writer's %d", jutsu_daily_perf_table.ncols, MAX_COLS);
    if (s->tx_depth == 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "daily_performance: a bulk write runs inside "
                              "the caller's transaction");
    struct jutsu_daily_bulk *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return jutsu_dbs_fail(s, JUTSU_ENOMEM, "daily_performance: out of memory");
    ncols = jutsu_row_names(&jutsu_daily_perf_table, names, MAX_COLS, keys, &nkeys);
    int rc = s->ops->bulk_begin(s->db, jutsu_daily_perf_table.name, names, (int)ncols, keys,
                                (int)nkeys, &w->b);
    if (rc != 0) {
        free(w);
        return jutsu_dbs_fail_driver(s, rc, "daily_performance: bulk write");
    }
    w->s = s;
    w->now = jutsu_dbs_now(s);
    *out = w;
    return 0;
}

int jutsu_data_daily_perf_bulk_row(struct jutsu_daily_bulk *w,
                                   const struct jutsu_daily_perf_row *row)
{
    struct jutsu_db_value v[MAX_COLS];
    size_t nv;
    jutsu_dbs *s = w->s;
    int rc = jutsu_data_daily_perf_check(s, row);
    if (rc == 0 && (rc = jutsu_row_values(&jutsu_daily_perf_table, row, w->now, v, MAX_COLS,
                                          &nv)) != 0)
        jutsu_dbs_fail(s, rc, "daily_performance: an infinite value");
    if (rc == 0 && (rc = s->ops->bulk_row(w->b, v)) != 0)
        jutsu_dbs_fail_driver(s, rc, "daily_performance: bulk row");
    /* a refused row is the caller's to report; one the driver could not
     * take leaves the statement half gathered: nothing more is written */
    if (rc != 0 && rc != JUTSU_EINVAL && rc != JUTSU_ERANGE)
        w->failed = 1;
    return rc;
}

int jutsu_data_daily_perf_bulk_end(struct jutsu_daily_bulk *w, int keep)
{
    if (w == NULL)
        return 0;
    jutsu_dbs *s = w->s;
    int64_t written = 0, skipped = 0;
    int rc = s->ops->bulk_end(w->b, keep && !w->failed, &written, &skipped);
    if (rc != 0)
        rc = jutsu_dbs_fail_driver(s, rc, "daily_performance: bulk write");
    else if (keep && !w->failed && skipped > 0)
        rc = jutsu_dbs_fail(s, JUTSU_EEXIST, "daily_performance: %lld rows of the range "
                            "were already there; a bulk write only adds rows",
                            (long long)skipped);
    free(w);
    return rc;
}
