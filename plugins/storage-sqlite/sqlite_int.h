/*
 * plugins/storage-sqlite/sqlite_int.h — the SQLite driver's private types
 * and the functions its files share.
 *
 * One struct sq_driver per configured instance (read-only after init, so
 * connect() may run on any thread); one struct jutsu_db per connection,
 * owned by the thread that opened it. A connection keeps the statements it
 * handed out on a `live` list and the finalized ones on an `idle` list in
 * most-recently-used order: prepare() of the same SQL takes the idle
 * statement back instead of compiling it again. Nothing here is exported:
 * the .so is built with hidden visibility.
 */
#ifndef JUTSU_SQLITE_INT_H
#define JUTSU_SQLITE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "jutsu/host.h"
#include "jutsu/storage.h"

#define SQ_MAX_BULK_COLUMNS 64
#define SQ_SYNC_OFF    0
#define SQ_SYNC_NORMAL 1
#define SQ_SYNC_FULL   2

struct sq_driver {
    const struct jutsu_host *host;
    jutsu_ctx               *ctx;
    char                    *path;            /* database file           */
    char                    *describe;        /* "sqlite PATH"           */
    int                      busy_timeout_ms;
    int                      synchronous;     /* SQ_SYNC_*               */
    int                      cache_size;      /* idle statements kept    */
    int                      memory;          /* a private database in
                                                 memory per connection   */
};

struct jutsu_stmt {
    jutsu_db          *db;
    sqlite3_stmt      *s;
    char              *key;          /* the SQL as given (cache key)      */
    uint64_t           hash;
    const char        *ptr;          /* the caller's text it was last
                                        prepared from (cache_take)       */
    struct jutsu_stmt *prev, *next;  /* on db->live or db->idle           */
    int                idle;
    int                readonly;     /* sqlite3_stmt_readonly             */
    int                started;      /* stepped since the last reset      */
    int                done;         /* last step returned DONE           */
    int64_t            total_before; /* total_changes at the first step   */
    int64_t            changes;      /* rows written, once done           */
    int64_t            returned;     /* rows returned since the reset     */
    int                ncols;        /* columns of the row stepped to, or 0 */
};

struct gathered;

/* A bulk load in progress; one per connection, reused, never allocated
 * per load so that a load costs one cached statement and nothing else. */
struct jutsu_bulk {
    jutsu_db          *db;
    struct jutsu_stmt *st;
    int                active;
    int                ncolumns;
    int64_t            rows, inserted;
    char               dates[SQ_MAX_BULK_COLUMNS][JUTSU_DATE_BUFSZ];
    struct gathered   *g;             /* rows for the multi-row statement
                                         (sqlite_bulk.c), or NULL        */
};

struct jutsu_db {
    struct sq_driver     *drv;
    sqlite3              *h;
    struct jutsu_db_error err;
    struct jutsu_stmt    *live;      /* handed out                         */
    struct jutsu_stmt    *idle;      /* most recently used first           */
    struct jutsu_stmt    *idle_tail;
    int                   nidle;
    struct jutsu_bulk     bulk;
};

/* --- sqlite_error.c ------------------------------------------------------ */

/* Fills db->err from the connection's last error (rc is the SQLite result
 * code that was returned; `sql` the statement text, for the table name when
 * the message lacks it) and returns the matching JUTSU_E* code. */
int  sq_fail(jutsu_db *db, int rc, const char *sql);
/* Fills db->err with a driver-side failure (bad argument, wrong state) and
 * returns `code`. */
int  sq_fail_msg(jutsu_db *db, int code, const char *sqlstate, const char *fmt, ...)
    JUTSU_PRINTF(4, 5);
/* The JUTSU_E* code and SQLSTATE class of an (extended) SQLite code. */
int  sq_map_code(int rc, const char **sqlstate);
/* What a person can do about a failure of this SQLSTATE ("" if nothing). */
const char *sq_hint(const char *sqlstate);
/* Splits SQLite's constraint message into table/column/constraint. */
void sq_parse_constraint(struct jutsu_db_error *e, sqlite3 *h, int rc, const char *msg,
                         const char *sql);

/* --- sqlite_stmt.c ------------------------------------------------------- */

int  sq_prepare(jutsu_db *db, const char *sql, jutsu_stmt **out);
int  sq_bind(jutsu_stmt *st, int idx, const struct jutsu_db_value *v);
/* Binds with SQLITE_STATIC when `stable` (the caller steps before the value
 * can go away), formatting a DATE into datebuf. */
int  sq_bind_value(jutsu_stmt *st, int idx, const struct jutsu_db_value *v,
                   int stable, char *datebuf);
int  sq_step(jutsu_stmt *st);
int  sq_column(jutsu_stmt *st, int col, uint32_t type, uint32_t scale,
               struct jutsu_db_value *out);
int64_t sq_changes(jutsu_stmt *st);
int  sq_reset(jutsu_stmt *st);
void sq_finalize(jutsu_stmt *st);
/* Finalizes every statement of the connection (disconnect). */
void sq_stmt_drop_all(jutsu_db *db);
/* Copies sql, turning $N into ?N outside literals, identifiers and
 * comments. The result has the same length. Exposed for the tests. */
void sq_translate_params(const char *sql, char *out);

/* --- sqlite_txn.c -------------------------------------------------------- */

int  sq_exec(jutsu_db *db, const char *sql);
int  sq_begin(jutsu_db *db);
int  sq_commit(jutsu_db *db);
int  sq_rollback(jutsu_db *db);
int  sq_savepoint(jutsu_db *db, const char *name);
int  sq_release(jutsu_db *db, const char *name);
int  sq_rollback_to(jutsu_db *db, const char *name);
int  sq_try_lock(jutsu_db *db, int64_t key, int *acquired);
int  sq_unlock(jutsu_db *db, int64_t key);

/* --- sqlite_bulk.c ------------------------------------------------------- */

int  sq_bulk_begin(jutsu_db *db, const char *table,
                   const char *const *columns, int ncolumns,
                   const char *const *conflict, int nconflict, jutsu_bulk **out);
int  sq_bulk_row(jutsu_bulk *b, const struct jutsu_db_value *values);
int  sq_bulk_end(jutsu_bulk *b, int keep, int64_t *inserted, int64_t *skipped);
/* [A-Za-z_][A-Za-z0-9_]{0,62}: names we splice into SQL. */
int  sq_valid_ident(const char *s);

/* --- sqlite_backup.c ----------------------------------------------------- */

int  sq_backup(jutsu_db *db, const char *path);
int  sq_restore(jutsu_db *db, const char *path);

/* --- sqlite_conn.c ------------------------------------------------------- */

int  sq_connect(void *state, jutsu_db **out);
void sq_disconnect(jutsu_db *db);
const struct jutsu_db_error *sq_last_error(jutsu_db *db);
/* Opens a configured connection for `drv` (also the probe in init): on
 * failure *h is NULL and `why` holds a message naming the path. */
int  sq_open(const struct sq_driver *drv, sqlite3 **h, char *why, size_t whysz);

#endif
