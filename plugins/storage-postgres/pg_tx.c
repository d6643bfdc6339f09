/*
 * plugins/storage-postgres/pg_tx.c — plain SQL, transactions, savepoints
 * and session advisory locks.
 *
 * The driver keeps its own idea of "a transaction is open" (db->in_tx),
 * refreshed from libpq after every command, because once the connection
 * breaks libpq no longer knows, and that is exactly when it matters: a
 * statement that was meant to be part of a transaction must not be
 * retried on a fresh connection where it would commit on its own.
 */
#include <stdio.h>
#include <string.h>

#include "pg_int.h"

static int bulk_busy(struct jutsu_db *db)
{
    return pg_err_set(db, JUTSU_ESTATE, "", "a bulk load is in progress on this connection; "
                      "finish it with bulk_end first");
}

static int copy_busy(const struct jutsu_db *db)
{
    return db->copying;
}

int pg_exec(jutsu_db *db, const char *sql)
{
    PGresult *r;
    if (sql == NULL)
        return pg_err_set(db, JUTSU_EINVAL, "", "exec: no SQL");
    if (copy_busy(db))
        return bulk_busy(db);
    int rc = pg_simple(db, sql, &r);
    if (rc != 0)
        return rc;
    if (PQresultStatus(r) == PGRES_COPY_IN) {
        /* COPY FROM STDIN has no data source here: end it at once */
        PQclear(r);
        PQputCopyEnd(db->conn, "COPY FROM STDIN is not supported through exec");
        while ((r = PQgetResult(db->conn)) != NULL)
            PQclear(r);
        pg_track_tx(db);
        return pg_err_set(db, JUTSU_ENOTSUP, "0A000", "exec cannot run COPY FROM STDIN; "
                          "use bulk_begin/bulk_row/bulk_end");
    }
    PQclear(r);
    return 0;
}

int pg_begin(jutsu_db *db)
{
    PGresult *r;
    if (copy_busy(db))
        return bulk_busy(db);
    /* beginning again is how a caller gives up a lost transaction */
    db->tx_lost = 0;
    if (PQstatus(db->conn) == CONNECTION_BAD)
        db->in_tx = 0;
    if (db->in_tx)
        return pg_err_set(db, JUTSU_ESTATE, "25001", "a transaction is already open on this "
                          "connection; use a savepoint to nest");
    int rc = pg_simple(db, "BEGIN", &r);
    PQclear(r);
    return rc;
}

int pg_commit(jutsu_db *db)
{
    PGresult *r;
    if (copy_busy(db))
        return bulk_busy(db);
    if (db->tx_lost)
        return pg_err_tx_lost(db);
    if (!db->in_tx)
        return pg_err_set(db, JUTSU_ESTATE, "25P01", "commit: no transaction is open");
    int rc = pg_simple(db, "COMMIT", &r);
    if (rc == JUTSU_ETRANSIENT && db->tx_lost) {
        pg_err_set(db, rc, "08006", "the connection to %s was lost during COMMIT; the "
                   "transaction may or may not have been committed", db->st->where);
        pg_err_hint(db, "roll back and run the transaction again (its writes are idempotent)");
    }
    if (rc != 0)
        return rc;
    /* COMMIT of a transaction that had failed answers ROLLBACK */
    if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
        rc = pg_err_set(db, JUTSU_EDB, "25P02", "the transaction was rolled back, not "
                        "committed: a statement in it had failed");
    PQclear(r);
    return rc;
}

int pg_rollback(jutsu_db *db)
{
    if (copy_busy(db))
        pg_bulk_abort(db);
    db->tx_lost = 0;
    if (PQstatus(db->conn) == CONNECTION_BAD ||
        PQtransactionStatus(db->conn) == PQTRANS_IDLE) {
        /* nothing left on the server to undo */
        db->in_tx = 0;
        return 0;
    }
    PGresult *r = PQexec(db->conn, "ROLLBACK");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQstatus(db->conn) != CONNECTION_BAD)
        rc = pg_err_result(db, r);
    PQclear(r);
    db->in_tx = 0;
    return rc;
}

static int savepoint_cmd(struct jutsu_db *db, const char *verb, const char *name)
{
    char sql[80];
    PGresult *r;
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 32 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return pg_err_set(db, JUTSU_EINVAL, "42602", "savepoint name \"%.40s\" is not "
                          "[a-z0-9_]{1,32}", name ? name : "");
    if (copy_busy(db))
        return bulk_busy(db);
    snprintf(sql, sizeof(sql), "%s %s", verb, name);
    int rc = pg_simple(db, sql, &r);
    PQclear(r);
    return rc;
}

int pg_savepoint(jutsu_db *db, const char *name)
{
    return savepoint_cmd(db, "SAVEPOINT", name);
}

int pg_release(jutsu_db *db, const char *name)
{
    return savepoint_cmd(db, "RELEASE SAVEPOINT", name);
}

int pg_rollback_to(jutsu_db *db, const char *name)
{
    return savepoint_cmd(db, "ROLLBACK TO SAVEPOINT", name);
}

/* ---- advisory locks --------------------------------------------------------- */

struct lock_call {
    const char *sql;
    char        key[24];
};

static PGresult *lock_fn(struct jutsu_db *db, void *arg)
{
    struct lock_call *c = arg;
    const char *vals[1] = { c->key };
    return PQexecParams(db->conn, c->sql, 1, NULL, vals, NULL, NULL, 0);
}

/* Runs a one-boolean lock function; *yes is its answer. */
static int lock_query(struct jutsu_db *db, const char *sql, int64_t key, int *yes)
{
    struct lock_call c = { .sql = sql };
    PGresult *r;
    if (copy_busy(db))
        return bulk_busy(db);
    pg_fmt_int(key, c.key);
    int rc = pg_command(db, lock_fn, &c, &r);
    if (rc != 0)
        return rc;
    *yes = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return 0;
}

int pg_try_lock(jutsu_db *db, int64_t key, int *acquired)
{
    int yes = 0;
    int rc = lock_query(db, "SELECT pg_try_advisory_lock($1::bigint)", key, &yes);
    if (rc != 0)
        return rc;
    db->locks += yes;
    if (acquired)
        *acquired = yes;
    return 0;
}

int pg_unlock(jutsu_db *db, int64_t key)
{
    int yes = 0;
    /* the server warns about a lock it does not hold; we say so ourselves */
    db->quiet = 1;
    int rc = lock_query(db, "SELECT pg_advisory_unlock($1::bigint)", key, &yes);
    db->quiet = 0;
    if (rc != 0)
        return rc;
    if (!yes)
        return pg_err_set(db, JUTSU_ENOENT, "", "advisory lock %lld is not held by this "
                          "connection", (long long)key);
    if (db->locks > 0)
        db->locks--;
    return 0;
}

int pg_tx_clean(struct jutsu_db *db)
{
    if (copy_busy(db))
        pg_bulk_abort(db);
    db->tx_lost = 0;
    if (PQstatus(db->conn) != CONNECTION_OK)
        return -1;
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        PGresult *r = PQexec(db->conn, "ROLLBACK");
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return -1;
    }
    db->in_tx = 0;
    /* storage.h: session locks are released by disconnect, and a pooled
     * connection's session outlives the borrower */
    if (db->locks > 0) {
        PGresult *r = PQexec(db->conn, "SELECT pg_advisory_unlock_all()");
        int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (!ok)
            return -1;
        db->locks = 0;
    }
    return PQtransactionStatus(db->conn) == PQTRANS_IDLE ? 0 : -1;
}
