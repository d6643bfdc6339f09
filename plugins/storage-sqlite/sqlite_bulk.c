/*
 * plugins/storage-sqlite/sqlite_bulk.c — the bulk-load fast path.
 *
 * SQLite has no COPY: the fastest way in is one prepared INSERT stepped
 * once per row inside the caller's transaction. A load is therefore
 *
 *   INSERT INTO t (c1, ..) VALUES (?1, ..) ON CONFLICT (k1, ..) DO NOTHING
 *
 * taken from the statement cache (a second load of the same table does not
 * even compile it), and a row costs its binds, one step and one reset:
 * no allocation, no SQL text. Values are bound SQLITE_STATIC because they
 * only have to live until the step inside the same call; a DATE is
 * formatted into a per-column buffer of the connection's bulk state for
 * the same reason. A skipped row is one whose step changed nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "sqlite_int.h"

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
                        const char *const *conflict, int nconflict)
{
    /* every name is at most 63 bytes, quoted; "?NN, " is at most 5 */
    size_t size = 96 + strlen(table) + (size_t)(ncolumns + nconflict) * 70;
    char *sql = malloc(size);
    size_t n = 0;
    if (sql == NULL)
        return NULL;
    n += (size_t)snprintf(sql + n, size - n, "INSERT INTO \"%s\" (", table);
    for (int i = 0; i < ncolumns; i++)
        n += (size_t)snprintf(sql + n, size - n, "%s\"%s\"", i ? ", " : "", columns[i]);
    n += (size_t)snprintf(sql + n, size - n, ") VALUES (");
    for (int i = 0; i < ncolumns; i++)
        n += (size_t)snprintf(sql + n, size - n, "%s?%d", i ? ", " : "", i + 1);
    n += (size_t)snprintf(sql + n, size - n, ") ON CONFLICT");
    for (int i = 0; i < nconflict; i++)
        n += (size_t)snprintf(sql + n, size - n, "%s\"%s\"", i ? ", " : " (", conflict[i]);
    snprintf(sql + n, size - n, "%s DO NOTHING", nconflict ? ")" : "");
    return sql;
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
    char *sql = insert_sql(table, columns, ncolumns, conflict, nconflict);
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
    *out = b;
    return 0;
}

int sq_bulk_row(jutsu_bulk *b, const struct jutsu_db_value *values)
{
    if (b == NULL || !b->active || values == NULL)
        return JUTSU_EINVAL;
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

int sq_bulk_end(jutsu_bulk *b, int keep, int64_t *inserted, int64_t *skipped)
{
    if (b == NULL || !b->active)
        return JUTSU_EINVAL;
    /* every row was written by its own bulk_row: nothing is pending, and
     * the caller's rollback undoes the rest when keep is 0 */
    if (inserted)
        *inserted = b->inserted;
    if (skipped)
        *skipped = b->rows - b->inserted;
    sq_finalize(b->st);
    b->st = NULL;
    b->active = 0;
    return 0;
}
