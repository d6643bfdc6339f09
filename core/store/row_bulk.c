/*
 * core/store/row_bulk.c — a table's rows many at a time, into a store that
 * holds none of them yet (see row.h).
 *
 * A backtest writes thousands of rows (a snapshot a day, a daily row a day
 * per entity) into a store just made: one upsert per row paid a
 * statement's start and halt and the upsert's conflict probe each time, a
 * third of the run. The driver's bulk path gathers the rows and writes a
 * statement of many; its "skip a row that exists" becomes an error here,
 * since skipping would leave an old row where the caller computed a new
 * one.
 */
#include <stdlib.h>

#include "jutsu/error.h"
#include "store/row.h"
#include "store/store.h"

#define MAX_COLS 64   /* the widest table, daily_performance, has 45 */

struct jutsu_row_bulk {
    jutsu_dbs                *s;
    const struct jutsu_table *t;
    jutsu_bulk               *b;
    jutsu_time_t              now;     /* the stamp of every row: the writer's start */
    int                       failed;  /* the driver's failure: nothing more is taken */
};

int jutsu_row_bulk_begin(jutsu_dbs *s, const struct jutsu_table *t,
                         struct jutsu_row_bulk **out)
{
    const char *names[MAX_COLS], *keys[MAX_COLS];
    size_t nkeys, ncols;
    *out = NULL;
    if (t->ncols > MAX_COLS)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s: %zu columns, more than the bulk writer's "
                              "%d", t->name, t->ncols, MAX_COLS);
    if (s->tx_depth == 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "%s: a bulk write runs inside the caller's "
                              "transaction", t->name);
    struct jutsu_row_bulk *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return jutsu_dbs_fail(s, JUTSU_ENOMEM, "%s: out of memory", t->name);
    ncols = jutsu_row_names(t, names, MAX_COLS, keys, &nkeys);
    int rc = s->ops->bulk_begin(s->db, t->name, names, (int)ncols, keys, (int)nkeys, &w->b);
    if (rc != 0) {
        free(w);
        return jutsu_dbs_fail_driver(s, rc, "bulk write");
    }
    w->s = s;
    w->t = t;
    w->now = jutsu_dbs_now(s);
    *out = w;
    return 0;
}

int jutsu_row_bulk_add(struct jutsu_row_bulk *w, const void *row)
{
    struct jutsu_db_value v[MAX_COLS];
    size_t nv;
    if (w->failed)
        return w->failed;
    int rc = jutsu_row_values(w->t, row, w->now, v, MAX_COLS, &nv);
    if (rc != 0)   /* refused before anything was gathered: this row alone */
        return jutsu_dbs_fail(w->s, rc, "%s: an infinite value", w->t->name);
    if ((rc = w->s->ops->bulk_row(w->b, v)) != 0) {
        /* The driver may have dropped the statement it was filling, rows
         * gathered before this one with it: the writer is done, and its
         * code is never one a caller takes for this row's alone. */
        jutsu_dbs_fail_driver(w->s, rc, "bulk row");
        w->failed = rc == JUTSU_EINVAL || rc == JUTSU_ERANGE ? JUTSU_EDB : rc;
        return w->failed;
    }
    return 0;
}

int jutsu_row_bulk_end(struct jutsu_row_bulk *w, int keep)
{
    if (w == NULL)
        return 0;
    jutsu_dbs *s = w->s;
    int64_t written = 0, skipped = 0;
    int rc = s->ops->bulk_end(w->b, keep && !w->failed, &written, &skipped);
    if (keep && w->failed)
        rc = w->failed;   /* rows were lost: the caller must not commit; said at _add */
    else if (rc != 0)
        rc = jutsu_dbs_fail_driver(s, rc, "bulk write");
    else if (keep && skipped > 0)
        rc = jutsu_dbs_fail(s, JUTSU_EEXIST, "%s: %lld of the rows were already there; a bulk "
                            "write only adds rows", w->t->name, (long long)skipped);
    free(w);
    return rc;
}
