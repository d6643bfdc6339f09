/*
 * jutsu/storage.h — a storage plugin is a database dialect driver.
 *
 * The SQL and the typed data API live in the host (core/data_*.c); a driver
 * only knows how to talk to its database: connect, prepare statements with
 * numbered parameters ($1, $2, ...), bind and read typed values, step,
 * transactions with savepoints, a bulk-load fast path, its embedded schema
 * migrations, backup and restore. A third party adds a backend by writing
 * one driver. The host's queries keep to what SQLite 3.40 and PostgreSQL 15
 * share: ON CONFLICT, RETURNING, numbered parameters, no arithmetic on
 * DECIMAL columns in SQL (sums, comparisons and ordering are fine).
 *
 * Values: a DECIMAL is an int64 count of 10^-scale units. Money is DECIMAL
 * with scale 6 (micro-units); NUMERIC(10,6) ratios are scale 6 too;
 * NUMERIC(18,8) sums scale 8. On PostgreSQL DECIMALs are NUMERIC columns
 * read and written as exact decimal text; on SQLite they are INTEGER
 * columns holding the scaled integer, so they round-trip and sort exactly.
 * TIME is int64 µs since the epoch, UTC (TIMESTAMPTZ / INTEGER); DATE is a
 * day number (DATE / TEXT 'YYYY-MM-DD', which sorts); BOOL is 0/1
 * (BOOLEAN / INTEGER).
 *
 * Threading: a connection and its statements belong to one thread at a
 * time. connect() is thread-safe: each thread that touches storage takes
 * its own connection (SQLite, WAL mode) or borrows one from the driver's
 * pool (PostgreSQL), and gives it back with disconnect(). Other ops on
 * different connections may run concurrently.
 *
 * Errors: ops return 0 (step: JUTSU_DB_ROW or JUTSU_DB_DONE) or a negative
 * JUTSU_E* code: JUTSU_ECONSTRAINT for a violated constraint (unique,
 * check, foreign key, not null), JUTSU_ETRANSIENT for a lost connection or
 * a busy database (the caller may retry the whole transaction),
 * JUTSU_EAUTH for refused credentials, JUTSU_EDB otherwise. last_error()
 * then describes the failure with a SQLSTATE-like code and, when the
 * database says, the table, column and constraint. No message ever
 * contains a password.
 */
#ifndef JUTSU_STORAGE_H
#define JUTSU_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"
#include "jutsu/plugin.h"

typedef struct jutsu_db   jutsu_db;    /* one connection                 */
typedef struct jutsu_stmt jutsu_stmt;  /* one prepared statement         */
typedef struct jutsu_bulk jutsu_bulk;  /* one bulk load in progress      */

enum { JUTSU_DB_DONE = 0, JUTSU_DB_ROW = 1 };

enum jutsu_db_type {
    JUTSU_DB_NULL    = 0,
    JUTSU_DB_INT64   = 1,
    JUTSU_DB_TEXT    = 2,   /* UTF-8, `len` bytes, not NUL-terminated on bind */
    JUTSU_DB_BOOL    = 3,
    JUTSU_DB_BYTES   = 4,   /* `len` bytes                              */
    JUTSU_DB_DECIMAL = 5,   /* v.i in units of 10^-scale                */
    JUTSU_DB_TIME    = 6,   /* v.t, µs UTC                              */
    JUTSU_DB_DATE    = 7,   /* v.d, day number                          */
    JUTSU_DB_DOUBLE  = 8    /* statistics only, never money             */
};

/* A typed value. Strings and bytes are borrowed: on bind for the duration
 * of the call (drivers copy), on read until the next step/reset. */
struct jutsu_db_value {
    uint32_t type;          /* enum jutsu_db_type                        */
    uint32_t len;           /* TEXT/BYTES: length in bytes               */
    uint32_t scale;         /* DECIMAL: decimal places, 0..18            */
    uint32_t reserved;
    union {
        int64_t      i;     /* INT64, BOOL, DECIMAL                      */
        jutsu_time_t t;
        jutsu_date_t d;
        double       f;
        const char  *s;
        const void  *b;
    } v;
};

#define JUTSU_MONEY_DB_SCALE 6

static inline struct jutsu_db_value jutsu_db_null(void)
{ struct jutsu_db_value x = { .type = JUTSU_DB_NULL }; return x; }
static inline struct jutsu_db_value jutsu_db_int(int64_t i)
{ struct jutsu_db_value x = { .type = JUTSU_DB_INT64 }; x.v.i = i; return x; }
static inline struct jutsu_db_value jutsu_db_bool(int b)
{ struct jutsu_db_value x = { .type = JUTSU_DB_BOOL }; x.v.i = b != 0; return x; }
static inline struct jutsu_db_value jutsu_db_text(const char *s, uint32_t len)
{ struct jutsu_db_value x = { .type = JUTSU_DB_TEXT, .len = len }; x.v.s = s; return x; }
static inline struct jutsu_db_value jutsu_db_bytes(const void *b, uint32_t len)
{ struct jutsu_db_value x = { .type = JUTSU_DB_BYTES, .len = len }; x.v.b = b; return x; }
static inline struct jutsu_db_value jutsu_db_decimal(int64_t units, uint32_t scale)
{ struct jutsu_db_value x = { .type = JUTSU_DB_DECIMAL, .scale = scale }; x.v.i = units; return x; }
static inline struct jutsu_db_value jutsu_db_money(jutsu_money_t m)
{ return jutsu_db_decimal(m, JUTSU_MONEY_DB_SCALE); }
static inline struct jutsu_db_value jutsu_db_time(jutsu_time_t t)
{ struct jutsu_db_value x = { .type = JUTSU_DB_TIME }; x.v.t = t; return x; }
static inline struct jutsu_db_value jutsu_db_date(jutsu_date_t d)
{ struct jutsu_db_value x = { .type = JUTSU_DB_DATE }; x.v.d = d; return x; }
static inline struct jutsu_db_value jutsu_db_double(double f)
{ struct jutsu_db_value x = { .type = JUTSU_DB_DOUBLE }; x.v.f = f; return x; }

struct jutsu_db_error {
    char sqlstate[6];     /* "23505" unique, "23514" check, "08006" lost
                             connection, "28P01" bad password; "" unknown */
    char message[256];    /* the database's primary message              */
    char detail[256];     /* the row or value, when the database says    */
    char hint[256];       /* what a person can do about it               */
    char table[64], column[64], constraint[64];
};

/* One embedded schema revision. The host applies `up` (or `down`) and its
 * bookkeeping in one transaction. Revisions are ordered by position; the
 * same rev ids exist in every driver (docs/schema.md). */
struct jutsu_migration {
    const char *rev;          /* "0001_initial"                          */
    const char *description;
    const char *up;           /* SQL, several statements separated by ';' */
    const char *down;         /* SQL that exactly undoes `up`            */
};

struct jutsu_storage_ops {
    uint32_t size;
    const char *dialect;      /* "sqlite", "postgresql"                  */

    /* Where the data lives, for messages: "sqlite var/jutsu.db",
     * "postgresql jutsu@127.0.0.1:5432/jutsu". Never a password. */
    const char *(*describe)(void *state);

    /* connections */
    int  (*connect)(void *state, jutsu_db **out);
    void (*disconnect)(jutsu_db *db);
    const struct jutsu_db_error *(*last_error)(jutsu_db *db);

    /* statements. prepare may return a cached statement for the same SQL
     * on the same connection; finalize gives it back. */
    int  (*exec)(jutsu_db *db, const char *sql);   /* no parameters; may hold several statements */
    int  (*prepare)(jutsu_db *db, const char *sql, jutsu_stmt **out);
    int  (*bind)(jutsu_stmt *st, int idx /* 1-based */, const struct jutsu_db_value *v);
    int  (*step)(jutsu_stmt *st);                   /* ROW, DONE or < 0 */
    /* Reads column `col` (0-based) of the current row as `type` (DECIMAL:
     * with `scale`); a NULL reads as type JUTSU_DB_NULL. JUTSU_EINVAL if
     * the stored value cannot be read as that type. */
    int  (*column)(jutsu_stmt *st, int col, uint32_t type, uint32_t scale,
                   struct jutsu_db_value *out);
    int64_t (*changes)(jutsu_stmt *st);             /* rows written by the last step */
    int  (*reset)(jutsu_stmt *st);                  /* rebind and step again */
    void (*finalize)(jutsu_stmt *st);

    /* transactions; savepoint names are [a-z0-9_]{1,32} */
    int  (*begin)(jutsu_db *db);
    int  (*commit)(jutsu_db *db);
    int  (*rollback)(jutsu_db *db);
    int  (*savepoint)(jutsu_db *db, const char *name);
    int  (*release)(jutsu_db *db, const char *name);
    int  (*rollback_to)(jutsu_db *db, const char *name);

    /* Bulk load: rows for `table` (columns named in order); a row whose
     * `conflict` columns match an existing row (or an earlier row of the
     * same load) is skipped, not an error. Runs inside the caller's
     * transaction. bulk_end(keep = 0) abandons what was not yet written;
     * the caller's rollback undoes the rest. */
    int  (*bulk_begin)(jutsu_db *db, const char *table,
                       const char *const *columns, int ncolumns,
                       const char *const *conflict, int nconflict,
                       jutsu_bulk **out);
    int  (*bulk_row)(jutsu_bulk *b, const struct jutsu_db_value *values);
    int  (*bulk_end)(jutsu_bulk *b, int keep, int64_t *inserted, int64_t *skipped);

    /* the driver's schema, oldest first */
    const struct jutsu_migration *migrations;
    size_t n_migrations;

    /* Whole-database backup to a file and restore from one (optional).
     * Restore replaces every table the backup holds. */
    int  (*backup)(jutsu_db *db, const char *path);
    int  (*restore)(jutsu_db *db, const char *path);

    /* Cross-process job election (optional; NULL: a single process owns
     * the database). Session-level, released by unlock or disconnect. */
    int  (*try_lock)(jutsu_db *db, int64_t key, int *acquired);
    int  (*unlock)(jutsu_db *db, int64_t key);
};

/* The table's size at ABI 1.0 (through `unlock`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_STORAGE_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_storage_ops, unlock)

#endif
