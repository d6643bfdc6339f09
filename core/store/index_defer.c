/*
 * core/store/index_defer.c — a secondary index set aside for a large load
 * and built again after it.
 *
 * A load that inserts across the whole key range of an index rewrites
 * pages all over it for each batch: a file of ten symbols over the same
 * dates passes through idx_market_data_ts ten times, and in SQLite every
 * page a batch touched is written twice (the WAL, then the checkpoint).
 * Built after the load, the index is sorted once and written once, in
 * order. On this machine the 10 M-bar import went from 0.80-0.87 to
 * 0.92-1.06 times the 1 M import's throughput (bench/README.md).
 *
 * Being set aside must survive a crash. The DROP INDEX and a row of
 * jutsu_deferred_indexes holding the index's own CREATE statement commit
 * together, and so do the rebuild and the row's removal: the database says
 * at every moment either "the index is there" or "the index is owed", never
 * neither. Whoever finds it owed builds it (the end of the next import,
 * `jutsu db upgrade`, before it migrates). Queries stay correct meanwhile;
 * only those that needed the index are slower. The bookkeeping table
 * exists only while an index is owed, so a database no load has touched
 * keeps exactly the schema its migrations made. A row has no owner: two
 * imports into one file at once, the one that ends first builds the index
 * while the other may still be loading; correct, only slower.
 *
 * SQLite only. On PostgreSQL a DROP INDEX takes the table's exclusive lock
 * until its transaction ends, and its loads were not measured to need it:
 * there jutsu_index_defer answers JUTSU_ENOTSUP and the index stays.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"

static const char owed_table_sql[] =
    "CREATE TABLE IF NOT EXISTS jutsu_deferred_indexes ("
    " name VARCHAR(64) PRIMARY KEY,"
    " table_name VARCHAR(64) NOT NULL,"
    " definition TEXT NOT NULL,"
    " deferred_at BIGINT NOT NULL)";

int jutsu_index_can_defer(const jutsu_dbs *s)
{
    return s != NULL && s->ops != NULL && s->ops->dialect != NULL &&
           strcmp(s->ops->dialect, "sqlite") == 0;
}

/* Names go into DDL as they are: only what our migrations use. */
static int plain_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* What is executed again must be one CREATE INDEX of that name and
 * nothing else: the text comes from the database, which a person may have
 * edited. Not UNIQUE: dropping one would drop a constraint for the load. */
static int plain_create(const char *sql, const char *name)
{
    size_t n = strlen(name);
    return sql != NULL && strncmp(sql, "CREATE INDEX ", 13) == 0 &&
           strncmp(sql + 13, name, n) == 0 && sql[13 + n] == ' ' && strchr(sql, ';') == NULL;
}

/* Runs one statement without parameters; rc recorded as "what: ...". */
static int exec_one(jutsu_dbs *s, const char *sql, const char *what)
{
    int rc = s->ops->exec(s->db, sql);
    return rc ? jutsu_dbs_fail_driver(s, rc, what) : 0;
}

/* The CREATE statement of index `index` on `table`, copied into def. */
static int definition_of(jutsu_dbs *s, const char *table, const char *index, char *def,
                         size_t size)
{
    struct jutsu_q q;
    def[0] = '\0';
    if (jutsu_q_prepare(&q, s, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND "
                               "name = $1 AND tbl_name = $2", "index: read its definition"))
        return q.rc;
    jutsu_q_text(&q, index);
    jutsu_q_text(&q, table);
    int step = jutsu_q_step(&q), had_text = 0, fits = 0;
    if (step == JUTSU_DB_ROW) {
        const char *sql = jutsu_q_col_text(&q);   /* the driver's until done */
        had_text = sql != NULL;
        fits = had_text && strlen(sql) < size;
        if (fits)
            snprintf(def, size, "%s", sql);
    }
    int rc = jutsu_q_done(&q);
    if (rc != 0)
        return rc;
    if (step != JUTSU_DB_ROW)
        return jutsu_dbs_fail(s, JUTSU_ENOENT, "%s has no index %s to set aside", table, index);
    if (had_text && !fits)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "index %s of %s: its CREATE statement is longer "
                              "than %zu bytes: it is not set aside", index, table, size - 1);
    if (!plain_create(def, index))   /* a constraint's own index has no text */
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "index %s of %s is not a plain CREATE INDEX "
                              "(UNIQUE, or a constraint's own): it is not set aside", index,
                              table);
    return 0;
}

int jutsu_index_defer(jutsu_dbs *s, const char *table, const char *index)
{
    if (!jutsu_index_can_defer(s))
        return JUTSU_ENOTSUP;
    if (!plain_name(table) || !plain_name(index))
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "index \"%.64s\" of \"%.64s\": not a plain name",
                              index ? index : "(null)", table ? table : "(null)");
    if (s->tx_depth != 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "index %s: set aside inside a transaction; it "
                              "takes one of its own", index);
    char def[1024], drop[96];
    int rc = jutsu_dbs_begin(s);
    if (rc)
        return rc;
    if ((rc = definition_of(s, table, index, def, sizeof(def))) == 0 &&
        (rc = exec_one(s, owed_table_sql, "jutsu_deferred_indexes: create")) == 0) {
        struct jutsu_q q;
        if (jutsu_q_prepare(&q, s, "INSERT INTO jutsu_deferred_indexes (name, table_name, "
                                   "definition, deferred_at) VALUES ($1, $2, $3, $4)",
                            "jutsu_deferred_indexes: insert") == 0) {
            jutsu_q_text(&q, index);
            jutsu_q_text(&q, table);
            jutsu_q_text(&q, def);
            jutsu_q_int(&q, jutsu_dbs_now(s));
        }
        rc = jutsu_q_exec(&q);
    }
    if (rc == 0) {
        snprintf(drop, sizeof(drop), "DROP INDEX \"%s\"", index);
        rc = exec_one(s, drop, "index: drop");
    }
    if ((rc = jutsu_dbs_tx_leave(s, 1, rc)) != 0)
        return rc;
    jutsu_log("store", JUTSU_LOG_INFO, "index %s of %s set aside for the load: it is built "
              "again when the load ends", index, table);
    return 0;
}

/* Whether jutsu_deferred_indexes exists: 1, 0, or a negative code. */
static int owed_table_exists(jutsu_dbs *s)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
                               "name = 'jutsu_deferred_indexes'", "jutsu_deferred_indexes: "
                               "look for it"))
        return q.rc;
    int step = jutsu_q_step(&q);
    int rc = jutsu_q_done(&q);
    return rc ? rc : step == JUTSU_DB_ROW;
}

/* Inside the caller's transaction: the first owed index, its name and its
 * CREATE statement, or JUTSU_ENOENT (no message) when none is owed. A row
 * that does not fit or is not ours to run is refused with JUTSU_ESTATE:
 * the database needs a person, not another try. */
static int first_owed(jutsu_dbs *s, char *name, size_t nsize, char *def, size_t dsize)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT name, definition FROM jutsu_deferred_indexes "
                               "ORDER BY name LIMIT 1", "jutsu_deferred_indexes: read"))
        return q.rc;
    int step = jutsu_q_step(&q), fits = 1;
    if (step == JUTSU_DB_ROW) {   /* the driver's text, until done */
        const char *n = jutsu_q_col_text(&q), *d = jutsu_q_col_text(&q);
        fits = n != NULL && d != NULL && strlen(n) < nsize && strlen(d) < dsize;
        if (fits) {
            memcpy(name, n, strlen(n) + 1);
            memcpy(def, d, strlen(d) + 1);
        }
    }
    int rc = jutsu_q_done(&q);
    if (rc != 0)
        return rc;
    if (step != JUTSU_DB_ROW)
        return JUTSU_ENOENT;
    if (!fits || !plain_name(name) || !plain_create(def, name))
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "jutsu_deferred_indexes: the row of \"%.64s\" "
                              "does not hold that index's plain CREATE INDEX; build the index "
                              "by hand, then delete the row", name);
    return 0;
}

/* Whether index `name` exists now (another process may have built it). */
static int index_exists(jutsu_dbs *s, const char *name)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND "
                               "name = $1", "index: look for it"))
        return q.rc;
    jutsu_q_text(&q, name);
    int step = jutsu_q_step(&q);
    int rc = jutsu_q_done(&q);
    return rc ? rc : step == JUTSU_DB_ROW;
}

/* The first owed index built (unless another process did) and its row
 * removed, in one transaction; once none is owed, the table dropped. The
 * table is looked for again inside the transaction: another process may
 * have settled the last row and dropped it since the caller looked. 1
 * when a row was settled, 0 when none was left, or a negative code. */
static int restore_one(jutsu_dbs *s)
{
    char name[128] = "", def[1024] = "";
    int rc = jutsu_dbs_begin(s), built = 0;
    if (rc)
        return rc;
    int there = owed_table_exists(s);
    if (there <= 0)
        return jutsu_dbs_tx_leave(s, 1, there);
    rc = first_owed(s, name, sizeof(name), def, sizeof(def));
    if (rc == JUTSU_ENOENT) {   /* nothing left: the schema as the migrations made it */
        rc = exec_one(s, "DROP TABLE jutsu_deferred_indexes", "jutsu_deferred_indexes: drop");
        return jutsu_dbs_tx_leave(s, 1, rc);
    }
    int64_t t0 = jutsu_clock_mono_us();
    there = rc ? rc : index_exists(s, name);
    if (there < 0)
        rc = there;
    else if (!there && (rc = exec_one(s, def, "index: build again")) == 0)
        built = 1;
    if (rc == 0) {
        struct jutsu_q q;
        if (jutsu_q_prepare(&q, s, "DELETE FROM jutsu_deferred_indexes WHERE name = $1",
                            "jutsu_deferred_indexes: delete") == 0)
            jutsu_q_text(&q, name);
        rc = jutsu_q_exec_changed(&q);   /* the row read above, or the loop would not end */
        if (rc == JUTSU_ENOENT)
            rc = jutsu_dbs_fail(s, JUTSU_ESTATE, "jutsu_deferred_indexes: the row of %s "
                                "could not be deleted", name);
    }
    if ((rc = jutsu_dbs_tx_leave(s, 1, rc)) != 0) {
        jutsu_dbs_error_prefix(s, "building an index set aside for a load: ");
        return rc;
    }
    if (built)
        jutsu_log("store", JUTSU_LOG_INFO, "index %s built again in %.1f s", name,
                  (double)(jutsu_clock_mono_us() - t0) / 1e6);
    return 1;
}

int jutsu_index_owed(jutsu_dbs *s, const char *index)
{
    if (!jutsu_index_can_defer(s))
        return 0;
    int rc = owed_table_exists(s);
    if (rc <= 0)
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT 1 FROM jutsu_deferred_indexes WHERE name = $1",
                        "jutsu_deferred_indexes: read"))
        return q.rc;
    jutsu_q_text(&q, index);
    int step = jutsu_q_step(&q);
    rc = jutsu_q_done(&q);
    return rc ? rc : step == JUTSU_DB_ROW;
}

int jutsu_index_restore(jutsu_dbs *s, int *settled)
{
    int n = 0, rc = 0;
    if (settled)
        *settled = 0;
    if (!jutsu_index_can_defer(s))
        return 0;
    if (s->tx_depth != 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "indexes set aside are built again outside a "
                              "transaction");
    if ((rc = owed_table_exists(s)) <= 0)   /* the common case: nothing owed, no lock */
        return rc;
    while ((rc = restore_one(s)) == 1)
        n++;
    if (settled)
        *settled = n;
    return rc;
}
