/*
 * plugins/storage-sqlite/sqlite_txn.c — exec, transactions, savepoints and
 * the (trivial) job lock.
 *
 * begin() takes the write lock at once (BEGIN IMMEDIATE). A deferred
 * transaction that reads first and writes later must upgrade its lock, and
 * under WAL an upgrade that meets another writer fails with SQLITE_BUSY at
 * once, without waiting for busy_timeout: two such transactions would each
 * lose. Taking the lock up front makes the second writer wait its turn.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "sqlite_int.h"

int sq_exec(jutsu_db *db, const char *sql)
{
    if (db == NULL)
        return JUTSU_EINVAL;
    if (sql == NULL)
        return sq_fail_msg(db, JUTSU_EINVAL, "42601", "exec: no SQL");
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(db, rc, sql);
}

int sq_begin(jutsu_db *db)
{
    return sq_exec(db, "BEGIN IMMEDIATE");
}

int sq_commit(jutsu_db *db)
{
    return sq_exec(db, "COMMIT");
}

int sq_rollback(jutsu_db *db)
{
    if (db == NULL)
        return JUTSU_EINVAL;
    /* SQLite rolls back by itself after some errors (disk full, I/O, busy
     * in COMMIT); the caller's rollback must then still succeed. */
    if (sqlite3_get_autocommit(db->h))
        return 0;
    return sq_exec(db, "ROLLBACK");
}

static int savepoint_sql(jutsu_db *db, const char *verb, const char *name)
{
    char sql[96];
    size_t n = name ? strlen(name) : 0;
    if (db == NULL)
        return JUTSU_EINVAL;
    if (n == 0 || n > 32 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return sq_fail_msg(db, JUTSU_EINVAL, "42602", "invalid savepoint name \"%.40s\": use "
                           "1 to 32 of a-z, 0-9 and _", name ? name : "(null)");
    /* quoted: a name may start with a digit */
    snprintf(sql, sizeof(sql), "%s \"%s\"", verb, name);
    return sq_exec(db, sql);
}

int sq_savepoint(jutsu_db *db, const char *name)
{
    return savepoint_sql(db, "SAVEPOINT", name);
}

int sq_release(jutsu_db *db, const char *name)
{
    return savepoint_sql(db, "RELEASE SAVEPOINT", name);
}

int sq_rollback_to(jutsu_db *db, const char *name)
{
    return savepoint_sql(db, "ROLLBACK TO SAVEPOINT", name);
}

/* A SQLite file belongs to one process (the scheduler of that process runs
 * each job once), so election always succeeds. Processes that share a
 * database need PostgreSQL, whose driver implements real advisory locks. */
int sq_try_lock(jutsu_db *db, int64_t key, int *acquired)
{
    if (db == NULL || acquired == NULL)
        return JUTSU_EINVAL;
    *acquired = 1;
    return 0;
}

int sq_unlock(jutsu_db *db, int64_t key)
{
    return db == NULL ? JUTSU_EINVAL : 0;
}
