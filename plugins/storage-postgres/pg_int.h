/*
 * plugins/storage-postgres/pg_int.h — the PostgreSQL driver's private
 * structures and the functions its files share.
 *
 * The driver is split by concern: pg_plugin.c (descriptor, config, pool),
 * pg_conn.c (connecting, reconnecting, errors, the command runner),
 * pg_tx.c (exec, transactions, savepoints, advisory locks), pg_stmt.c
 * (prepared statements), pg_bulk.c (COPY), pg_backup.c (pg_dump and
 * pg_restore), pg_value.c (exact text codecs for NUMERIC, TIMESTAMPTZ,
 * DATE, bytea and COPY escaping).
 *
 * Ownership: the pool (struct pg_state) owns every connection; a thread
 * borrows one with connect() and gives it back with disconnect(). A
 * connection owns its statements (the prepared-statement cache), its bulk
 * loader and the names of the temp tables it made. Nothing here is shared
 * between connections except the pool's lists, guarded by pg_state.lock.
 */
#ifndef JUTSU_PG_INT_H
#define JUTSU_PG_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/storage.h"

/* The driver's instance: configuration and the connection pool. */
struct pg_state {
    const struct jutsu_host *host;
    jutsu_ctx  *ctx;
    /* connection parameters; strings belong to the host's config */
    const char *host_name, *user, *password, *dbname, *sslmode, *gssencmode, *appname;
    const char *pg_dump, *pg_restore;
    char        port[8], connect_timeout[16];
    int         pool_size, connect_timeout_s;
    /* a lost connection is retried for reconnect_timeout_s (0: never);
     * reconnect_attempts, deprecated, caps the tries as well (-1: unset) */
    int         reconnect_timeout_s, reconnect_attempts, reconnect_backoff_ms;
    /* set once a connection opened: from then on a new connection that
     * cannot open for a passing reason is retried like a lost one, since
     * the pool closes broken connections and an outage may outlast them */
    atomic_int  connected_once;
    char        where[320];      /* user@host:port/db, for messages    */
    char        describe[340];   /* "postgresql " + where              */

    pthread_mutex_t   lock;
    pthread_cond_t    returned;  /* a connection came back to the pool */
    struct jutsu_db **idle;      /* pool_size slots                    */
    int               nidle;
    int               nopen;     /* idle + borrowed (+ being opened)   */
};

/* The SQL of one load shape (table, columns, key) on one connection, and
 * the temp table behind it (pg_bulk_sql.c). */
struct pg_tmp {
    struct pg_tmp *next;
    char          *key;          /* "table\ncol,col\nconflict,..."      */
    char           name[32];     /* jutsu_bulk_N, the temp table        */
    char          *direct;       /* [BEGIN;] SAVEPOINT; COPY t FROM STDIN */
    char          *to_temp;      /* ROLLBACK TO SAVEPOINT; CREATE; COPY tmp */
    char          *create_copy;  /* [BEGIN;] CREATE TEMP TABLE; COPY tmp  */
    char          *move;         /* INSERT ... ON CONFLICT; TRUNCATE    */
    int           *kpos;         /* the key columns' positions in a row */
    int            nk;           /* 0: no key to check rows against     */
};

struct jutsu_db {
    struct pg_state      *st;
    PGconn               *conn;
    struct jutsu_db_error err;
    unsigned              gen;        /* bumped by every reconnect: the
                                         server forgot our statements   */
    int                   in_tx;      /* a transaction is open          */
    int                   tx_lost;    /* ... and died with the connection */
    int                   locks;      /* session advisory locks held    */
    unsigned              next_name;  /* for statement names            */
    struct jutsu_stmt    *stmts;      /* the prepared-statement cache   */
    int                   nstmts;
    struct pg_tmp        *tmps;
    unsigned              next_tmp;
    struct jutsu_bulk    *bulk;       /* reused across loads            */
    int                   copying;    /* a bulk load is in progress     */
    int                   quiet;      /* drop server notices (expected) */
};

struct pg_param {
    const char *val;                  /* NULL: SQL NULL                 */
    int         len, fmt;
    char        small[48];            /* numbers, times, dates          */
    char       *heap;                 /* text and bytes copies          */
    size_t      cap;
};

struct pg_colbuf {
    unsigned char *p;
    size_t         cap;
};

struct jutsu_stmt {
    struct jutsu_db   *db;
    struct jutsu_stmt *next;
    char              *sql;
    uint32_t           hash;
    const char        *ptr;           /* the caller's text, last prepare */
    char               name[24];
    unsigned           gen;           /* db->gen when prepared          */
    int                busy;          /* handed out by prepare()        */
    int                nparams;
    struct pg_param   *p;
    const char       **vals;
    int               *lens, *fmts;
    PGresult          *res;
    int                executed, row, nrows;
    int64_t            changes;
    struct pg_colbuf  *cols;          /* decoded bytea, per column      */
    int                ncols;
};

/* ---- pg_conn.c ---------------------------------------------------------- */

/* Opens a new connection with the pool's parameters (no pool accounting).
 * On failure *out is NULL, the reason went to host->set_error and the log,
 * and the code is JUTSU_ETRANSIENT (unreachable), JUTSU_EAUTH (refused
 * credentials), JUTSU_EDB or JUTSU_ENOMEM. */
int  pg_conn_open(struct pg_state *st, struct jutsu_db **out);
/* pg_conn_open for the pool: once any connection of this instance has
 * opened, a passing failure is retried for reconnect_timeout_s (as a lost
 * connection is); the first open fails at once, so a wrong address or a
 * server that is not there is reported without a wait. */
int  pg_conn_open_retry(struct pg_state *st, struct jutsu_db **out);
/* Closes the connection and frees everything it owns. */
void pg_conn_free(struct jutsu_db *db);

/* Runs fn (one libpq command) with the driver's retry rule: when the
 * connection broke, outside a transaction reconnect with back-off and run
 * fn again; inside one, mark the transaction lost and return
 * JUTSU_ETRANSIENT ("08006"). 0 with *out (COMMAND_OK, TUPLES_OK or
 * COPY_IN; caller PQclears) or a negative code with db->err filled. */
typedef PGresult *(*pg_cmd_fn)(struct jutsu_db *db, void *arg);
int  pg_command(struct jutsu_db *db, pg_cmd_fn fn, void *arg, PGresult **out);
/* pg_command running one SQL text through PQexec. */
int  pg_simple(struct jutsu_db *db, const char *sql, PGresult **out);
/* Remembers whether a transaction is open from libpq's view. */
void pg_track_tx(struct jutsu_db *db);
/* Reconnects, retrying passing failures (refused, starting up, shutting
 * down, ...) with capped doubling pauses for up to reconnect_timeout_s;
 * 0 or a code with db->err filled (a spent budget names the setting). */
int  pg_reconnect(struct jutsu_db *db);

/* db->err from an error result (NULL: from the connection); returns the
 * JUTSU_E* code for its SQLSTATE. */
int  pg_err_result(struct jutsu_db *db, const PGresult *res);
/* db->err from the driver itself; returns `code`. */
int  pg_err_set(struct jutsu_db *db, int code, const char *sqlstate, const char *fmt, ...)
    JUTSU_PRINTF(4, 5);
void pg_err_hint(struct jutsu_db *db, const char *fmt, ...) JUTSU_PRINTF(2, 3);
/* The error for a statement issued in a transaction that is already lost. */
int  pg_err_tx_lost(struct jutsu_db *db);
int  pg_code_for_sqlstate(const char *sqlstate);
/* Replaces the configured password wherever it appears in text. */
void pg_scrub(const struct pg_state *st, char *text, size_t size);

/* ---- pg_tx.c ------------------------------------------------------------- */

int  pg_exec(jutsu_db *db, const char *sql);
int  pg_begin(jutsu_db *db);
int  pg_commit(jutsu_db *db);
int  pg_rollback(jutsu_db *db);
int  pg_savepoint(jutsu_db *db, const char *name);
int  pg_release(jutsu_db *db, const char *name);
int  pg_rollback_to(jutsu_db *db, const char *name);
int  pg_try_lock(jutsu_db *db, int64_t key, int *acquired);
int  pg_unlock(jutsu_db *db, int64_t key);
/* Makes a borrowed connection clean for the next borrower: rolls back,
 * releases advisory locks. 0, or nonzero if it should be closed. */
int  pg_tx_clean(struct jutsu_db *db);

/* ---- pg_stmt.c ----------------------------------------------------------- */

int     pg_prepare(jutsu_db *db, const char *sql, jutsu_stmt **out);
int     pg_bind(jutsu_stmt *st, int idx, const struct jutsu_db_value *v);
int     pg_step(jutsu_stmt *st);
int     pg_column(jutsu_stmt *st, int col, uint32_t type, uint32_t scale,
                  struct jutsu_db_value *out);
int64_t pg_changes(jutsu_stmt *st);
int     pg_reset(jutsu_stmt *st);
void    pg_finalize(jutsu_stmt *st);
/* Drops results of statements still handed out (at disconnect). */
void    pg_stmts_release(struct jutsu_db *db);
void    pg_stmts_free(struct jutsu_db *db);

/* ---- pg_bulk.c ----------------------------------------------------------- */

int  pg_bulk_begin(jutsu_db *db, const char *table, const char *const *columns, int ncolumns,
                   const char *const *conflict, int nconflict, jutsu_bulk **out);
int  pg_bulk_row(jutsu_bulk *b, const struct jutsu_db_value *values);
int  pg_bulk_end(jutsu_bulk *b, int keep, int64_t *inserted, int64_t *skipped);
/* Ends a COPY left open (at disconnect) and frees the loader. */
void pg_bulk_abort(struct jutsu_db *db);
void pg_bulk_free(struct jutsu_db *db);

/* ---- pg_bulk_sql.c ------------------------------------------------------- */

/* [A-Za-z_][A-Za-z0-9_]{0,62}: safe to put into SQL. */
int  pg_ident_ok(const char *s);
/* Checks the names, then finds or makes this connection's temp table for
 * the load. 0 or a code with db->err filled. */
int  pg_tmp_find(struct jutsu_db *db, const char *table, const char *const *cols, int n,
                 const char *const *conflict, int nc, struct pg_tmp **out);
/* Forgets the temp tables (after a reconnect they are gone). */
void pg_tmps_free(struct jutsu_db *db);
/* A 64-bit hash of a row's conflict key (never 0). */
uint64_t pg_key_hash(const struct pg_tmp *t, const struct jutsu_db_value *values);

/* ---- pg_backup.c --------------------------------------------------------- */

int  pg_backup(jutsu_db *db, const char *path);
int  pg_restore(jutsu_db *db, const char *path);

/* ---- pg_value.c: text codecs, exact, no floating point for decimals ---- */

#define PG_NUM_BUFSZ 48

/* `v` units of 10^-scale as decimal text ("-123.456789"); scale 0..18.
 * Writes a NUL; returns the length. */
int  pg_fmt_decimal(int64_t v, unsigned scale, char *buf);
int  pg_fmt_int(int64_t v, char *buf);
/* "2025-01-09 14:30:00.123456+00" (fraction only when non-zero; " BC"
 * before year 1). */
int  pg_fmt_time(jutsu_time_t t, char *buf);
/* "2025-01-09" (" BC" before year 1). */
int  pg_fmt_date(jutsu_date_t d, char *buf);
/* "%.17g", or Infinity/-Infinity/NaN as PostgreSQL spells them. */
int  pg_fmt_double(double f, char *buf);

/* Exact decimal text (no exponent) as units of 10^-scale. Digits beyond
 * `scale` must be zeros. 0, JUTSU_EINVAL (not a plain decimal, or more
 * non-zero decimals than `scale`) or JUTSU_ERANGE (beyond int64). */
int  pg_parse_decimal(const char *s, size_t n, unsigned scale, int64_t *out);
/* TIMESTAMPTZ text with fraction and offset ("...+05:30", "Z", " BC"),
 * TIMESTAMP text (UTC) or a date (midnight UTC). 0 or JUTSU_EINVAL. */
int  pg_parse_time(const char *s, size_t n, jutsu_time_t *out);
int  pg_parse_date(const char *s, size_t n, jutsu_date_t *out);
int  pg_parse_bool(const char *s, size_t n, int *out);
/* bytea hex output "\x0a0b" into out (room for (n-2)/2 bytes). */
int  pg_hex_decode(const char *s, size_t n, unsigned char *out, size_t *outlen);
/* COPY text escaping of n bytes (\\ \t \n \r); out has room for 2n.
 * Returns the bytes written. */
size_t pg_copy_escape(const char *s, size_t n, char *out);

#endif
