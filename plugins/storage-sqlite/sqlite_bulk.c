/*
 * plugins/storage-sqlite/sqlite_bulk.c — the bulk-load fast path.
 *
 * SQLite has no COPY: the fastest way in is a prepared INSERT inside the
 * caller's transaction,
 *
 *   INSERT INTO t (c1, ..) VALUES (?1, ..), (?K+1, ..), .. ON CONFLICT (k1, ..) DO NOTHING
 *
 * of BULK_ROWS rows at a time, taken from the statement cache. Rows are
 * gathered (their values copied, text into an arena) until a statement is
 * full, then bound and stepped once: what a statement costs besides its
 * rows (starting, halting, and whatever the table's CHECKs build once per
 * statement, such as the ephemeral table of an IN list) is paid once per
 * BULK_ROWS rows instead of per row. The rows left at the end go one by
 * one through the one-row statement. Nothing is written before bulk_end but whole
 * statements, all inside the caller's transaction, so a rollback undoes
 * any of it. A skipped row is one a statement did not change.
 *
 * The gathered rows hang off the connection's struct jutsu_bulk (b->g),
 * made when a load begins and freed when it ends or the connection
 * closes; without them (no memory) the load runs a row per statement, as
 * it always did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "sqlite_int.h"

#define SQ_STR_(x) #x
#define SQ_STR(x) SQ_STR_(x)

int sq_valid_ident(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    return strspn(s, "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

static int check_names(jutsu_db *db, const char *what, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!sq_valid_ident(names[i]))
            return sq_fail_msg(db, JUTSU_EINVAL, "42602", "bulk load: %s %d \"%.64s\" is not a "
                               "plain identifier", what, i + 1, names[i] ? names[i] : "(null)");
    return 0;
}

static char *insert_sql(const char *table, const char *const *columns, int ncolumns,
                        const char *const *conflict, int nconflict, int nrows)
{
    /* every name is at most 63 bytes, quoted; "?, " is 3 (8 leaves room) */
    size_t size = 96 + strlen(table) + (size_t)(ncolumns + nconflict) * 70 +
                  (size_t)nrows * ((size_t)ncolumns * 8 + 4);
    char *sql = malloc(size);
    size_t n = 0;
    if (sql == NULL)
        return NULL;
    n += (size_t)snprintf(sql + n, size - n, "INSERT INTO \"%s\" (", table);
    for (int i = 0; i < ncolumns; i++)
        n += (size_t)snprintf(sql + n, size - n, "%s\"%s\"", i ? ", " : "", columns[i]);
    n += (size_t)snprintf(sql + n, size - n, ") VALUES ");
    for (int r = 0; r < nrows; r++) {
        n += (size_t)snprintf(sql + n, size - n, "%s(", r ? ", " : "");
        for (int i = 0; i < ncolumns; i++)   /* numbered in order, as bound */
            n += (size_t)snprintf(sql + n, size - n, "%s?", i ? ", " : "");
        n += (size_t)snprintf(sql + n, size - n, ")");
    }
    n += (size_t)snprintf(sql + n, size - n, " ON CONFLICT");
    for (int i = 0; i < nconflict; i++)
        n += (size_t)snprintf(sql + n, size - n, "%s\"%s\"", i ? ", " : " (", conflict[i]);
    snprintf(sql + n, size - n, "%s DO NOTHING", nconflict ? ")" : "");
    return sql;
}

/* --- rows gathered for a multi-row statement ------------------------------ */

#define BULK_ROWS   64           /* rows per statement (and bound variables
                                    under SQLite's old limit of 999)        */
#define BULK_ARENA  (64 * 1024)  /* bytes of text and dates a batch may copy */

struct gathered {
    int          per;            /* rows per full statement                 */
    jutsu_stmt  *full;           /* the statement of `per` rows             */
    int          n;              /* rows gathered                           */
    size_t       used;           /* of the arena                            */
    struct jutsu_db_value v[BULK_ROWS * 16];
    char        *dates[BULK_ROWS * 16];   /* a DATE's text, in the arena */
    char         arena[BULK_ARENA];
};

static void gathered_free(jutsu_bulk *b)
{
    if (b->g == NULL)
        return;
    if (b->g->full != NULL)
        sq_finalize(b->g->full);
    free(b->g);
    b->g = NULL;
}

/* Multi-row statements for load b (b->g), if its columns allow; else
 * b->g stays NULL and b runs a row per statement. */
static struct gathered *gathered_new(jutsu_bulk *b, const char *table,
                                     const char *const *columns, const char *const *conflict,
                                     int nconflict)
{
    int per = BULK_ROWS * 16 / b->ncolumns;
    if (per > BULK_ROWS)
        per = BULK_ROWS;
    if (per < 2)
        return NULL;
    struct gathered *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    char *sql = insert_sql(table, columns, b->ncolumns, conflict, nconflict, per);
    if (sql == NULL || sq_prepare(b->db, sql, &g->full) != 0) {
        free(sql);
        free(g);
        return NULL;   /* the caller's one-row statement prepared: that will do */
    }
    free(sql);
    g->per = per;
    b->g = g;
    return g;
}

/* Copies len bytes into the arena (p NULL: reserves them); NULL when it
 * is full. */
static char *arena_copy(struct gathered *g, const void *p, size_t len)
{
    if (len > BULK_ARENA - g->used)
        return NULL;
    char *at = g->arena + g->used;
    if (p != NULL && len > 0)
        memcpy(at, p, len);
    g->used += len;
    return at;
}

/* One row's values into the gathering, or 0 when they do not fit (then
 * nothing of it is kept). */
static int gather_row(struct gathered *g, int ncolumns, const struct jutsu_db_value *values)
{
    size_t at = (size_t)g->n * (size_t)ncolumns, used = g->used;
    struct jutsu_db_value *v = &g->v[at];
    for (int i = 0; i < ncolumns; i++) {
        v[i] = values[i];
        char *copy = (char *)1;
        if (v[i].type == JUTSU_DB_TEXT && v[i].v.s != NULL)
            v[i].v.s = copy = arena_copy(g, v[i].v.s, v[i].len);
        else if (v[i].type == JUTSU_DB_BYTES && v[i].len > 0)
            v[i].v.b = copy = arena_copy(g, v[i].v.b, v[i].len);
        else if (v[i].type == JUTSU_DB_DATE)   /* sq_bind_value formats it there */
            g->dates[at + (size_t)i] = copy = arena_copy(g, NULL, JUTSU_DATE_BUFSZ);
        if (copy == NULL) {
            g->used = used;
            return 0;
        }
    }
    g->n++;
    return 1;
}

/* The gathered rows bound and stepped: as one statement when there are
 * `per` of them; the few left at the end one by one through the one-row
 * statement (a statement for each size left would fill the cache). */
static int flush_rows(jutsu_bulk *b, struct gathered *g)
{
    int full = g->n == g->per, nst = full ? 1 : g->n, rows = full ? g->n : 1;
    jutsu_stmt *st = full ? g->full : b->st;
    int rc = 0;
    for (int k = 0; k < nst && rc == 0; k++) {
        const struct jutsu_db_value *v = &g->v[(size_t)k * (size_t)b->ncolumns];
        char *const *dates = &g->dates[(size_t)k * (size_t)b->ncolumns];
        for (int i = 0; i < rows * b->ncolumns && rc == 0; i++)
            rc = sq_bind_value(st, i + 1, &v[i], 1,
                               v[i].type == JUTSU_DB_DATE ? dates[i] : NULL);
        if (rc != 0)
            break;
        int src = sqlite3_step(st->s);
        if (src == SQLITE_DONE) {
            b->inserted += sqlite3_changes(b->db->h);
            b->rows += rows;
        } else {
            rc = sq_fail(b->db, src, st->key);
        }
        sqlite3_reset(st->s);
    }
    g->n = 0;
    g->used = 0;
    return rc;
}

/* A load rewrites the right-hand edge of the table and each of its
 * indexes for every row; with SQLite's default page cache (2 MB) those
 * pages are spilled and read back over and over once a batch outgrows it.
 * A connection that loads keeps a cache of BULK_CACHE_KIB instead (it only
 * grows as pages are used, and only on connections that load). */
#define BULK_CACHE_KIB 8192
static int grow_cache(jutsu_db *db)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db->h, "PRAGMA cache_size", -1, &q, NULL);
    int64_t now = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        now = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    int64_t kib = now < 0 ? -now : now * 4;   /* KiB when negative, else pages (of 4 KiB) */
    if (rc == SQLITE_OK && kib < BULK_CACHE_KIB)
        rc = sqlite3_exec(db->h, "PRAGMA cache_size = -" SQ_STR(BULK_CACHE_KIB), NULL, NULL,
                          NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(db, rc, "PRAGMA cache_size");
}

int sq_bulk_begin(jutsu_db *db, const char *table,
                  const char *const *columns, int ncolumns,
                  const char *const *conflict, int nconflict, jutsu_bulk **out)
{
    struct jutsu_bulk *b;
    int rc;
    if (db == NULL || out == NULL)
        return JUTSU_EINVAL;
    *out = NULL;
    b = &db->bulk;
    if (b->active)
        return sq_fail_msg(db, JUTSU_ESTATE, "55000", "a bulk load is already in progress on "
                           "this connection");
    if (columns == NULL || ncolumns < 1 || ncolumns > SQ_MAX_BULK_COLUMNS ||
        nconflict < 0 || nconflict > ncolumns || (nconflict > 0 && conflict == NULL))
        return sq_fail_msg(db, JUTSU_EINVAL, "22023", "bulk load: %d column(s) and %d conflict "
                           "column(s); want 1..%d and 0..columns", ncolumns, nconflict,
                           SQ_MAX_BULK_COLUMNS);
    if (!sq_valid_ident(table))
        return sq_fail_msg(db, JUTSU_EINVAL, "42602", "bulk load: table \"%.64s\" is not a "
                           "plain identifier", table ? table : "(null)");
    if ((rc = check_names(db, "column", columns, ncolumns)) != 0 ||
        (rc = check_names(db, "conflict column", conflict, nconflict)) != 0)
        return rc;
    if ((rc = grow_cache(db)) != 0)
        return rc;
    char *sql = insert_sql(table, columns, ncolumns, conflict, nconflict, 1);
    if (sql == NULL)
        return sq_fail_msg(db, JUTSU_ENOMEM, "53200", "out of memory starting a bulk load");
    rc = sq_prepare(db, sql, &b->st);
    free(sql);
    if (rc != 0)
        return rc;
    b->db = db;
    b->ncolumns = ncolumns;
    b->rows = b->inserted = 0;
    b->active = 1;
    gathered_free(b);   /* none, unless a load was left without its end */
    gathered_new(b, table, columns, conflict, nconflict);
    *out = b;
    return 0;
}

/* One row through the one-row statement, its values used where they are. */
static int one_row(jutsu_bulk *b, const struct jutsu_db_value *values)
{
    jutsu_stmt *st = b->st;
    int rc;
    for (int i = 0; i < b->ncolumns; i++)
        if ((rc = sq_bind_value(st, i + 1, &values[i], 1, b->dates[i])) != 0)
            return rc;
    rc = sqlite3_step(st->s);
    if (rc == SQLITE_DONE) {
        b->inserted += sqlite3_changes(b->db->h);
        b->rows++;
        sqlite3_reset(st->s);
        return 0;
    }
    rc = sq_fail(b->db, rc, st->key);
    sqlite3_reset(st->s);
    return rc;
}

int sq_bulk_row(jutsu_bulk *b, const struct jutsu_db_value *values)
{
    if (b == NULL || !b->active || values == NULL)
        return JUTSU_EINVAL;
    struct gathered *g = b->g;
    if (g == NULL)
        return one_row(b, values);
    if (gather_row(g, b->ncolumns, values)) {
        return g->n == g->per ? flush_rows(b, g) : 0;
    }
    int rc = flush_rows(b, g);   /* the arena is full: empty it and try again */
    if (rc == 0 && !gather_row(g, b->ncolumns, values))
        rc = one_row(b, values);  /* a row larger than the arena */
    return rc;
}

int sq_bulk_end(jutsu_bulk *b, int keep, int64_t *inserted, int64_t *skipped)
{
    if (b == NULL || !b->active)
        return JUTSU_EINVAL;
    /* what is gathered is written now; the caller's rollback undoes the
     * rest when keep is 0 */
    struct gathered *g = b->g;
    int rc = 0;
    if (g != NULL) {
        if (keep)
            rc = flush_rows(b, g);
        gathered_free(b);
    }
    if (inserted)
        *inserted = b->inserted;
    if (skipped)
        *skipped = b->rows - b->inserted;
    sq_finalize(b->st);
    b->st = NULL;
    b->active = 0;
    return rc;
}
