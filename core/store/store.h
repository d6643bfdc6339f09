/*
 * core/store/store.h — the data layer's insides: sessions over a storage
 * driver, queries on a session, and the checks every write passes first.
 *
 * The public face is include/jutsu/data.h; every jutsu_data_* function
 * there is implemented in one of core/store/data_<group>.c over what is
 * declared here and in core/store/row.h (the tables' columns). The rules
 * every data function follows:
 *
 *   - check first (row.h: jutsu_row_check, or the jutsu_check_* below):
 *     nothing touches the database when an input is refused, and the
 *     message names table.column and the value;
 *   - run in jutsu_dbs_tx_enter/_tx_leave, so that a call joins the
 *     caller's transaction or makes its own;
 *   - one query at a time through struct jutsu_q: prepared from a
 *     constant SQL text or a table's built one (the driver caches
 *     statements by text, so each costs one prepare per connection),
 *     parameters bound $1, $2, ... in call order, columns read 0, 1, ...
 *     in call order, the first failure kept;
 *   - a driver error is recorded with the driver's message, detail and
 *     hint kept apart, the message prefixed with what was being done.
 *
 * Not thread-safe: a session belongs to one thread.
 */
#ifndef JUTSU_CORE_STORE_H
#define JUTSU_CORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/data.h"
#include "jutsu/host.h"      /* JUTSU_PRINTF */
#include "jutsu/storage.h"

/* What a data session is opened on: a started storage driver instance and
 * the clock that stamps rows (created_at, finalized_at, applied_at...).
 * The host makes one when its storage instance starts (host/app.h:
 * jutsu_app_store); tests and the harness may inject their own clock. */
struct jutsu_store {
    const struct jutsu_storage_ops *ops;
    void                           *state;    /* the driver instance's  */
    jutsu_time_t                  (*now)(void *arg);
    void                           *now_arg;
};

/* The last failure on a session, its parts kept apart up to whoever
 * shows it: a person reads the message, then what the database said about
 * the row (detail), then what to do (hint). */
struct jutsu_dbs_error {
    char message[768];    /* what failed: "live_trades: insert: duplicate key ..." */
    char detail[256];     /* the driver's detail, or ""                             */
    char hint[256];       /* the driver's (or our) hint, or ""                      */
    char line[1300];      /* the three on one line, made by jutsu_dbs_error_line    */
};

struct jutsu_dbs {
    struct jutsu_store              store;    /* what it was opened on  */
    const struct jutsu_storage_ops *ops;      /* store.ops, for brevity */
    jutsu_db                       *db;
    int                             tx_depth; /* caller's begin() count  */
    struct jutsu_dbs_error          err;
    /* copies of text/bytes handed out by single-row gets, freed at the
     * next get (a list of blocks: pointers into it never move) */
    struct dbs_block               *arena;
};

/* --- sessions (core/store/session.c) ------------------------------------ */

/* A session (one driver connection) on `store`, which must outlive it.
 * 0, JUTSU_ENOMEM or the driver's connect error. */
int  jutsu_dbs_open(const struct jutsu_store *store, jutsu_dbs **out);
/* Rolls back what the caller left open, disconnects, frees. NULL is fine. */
void jutsu_dbs_close(jutsu_dbs *s);
int  jutsu_dbs_begin(jutsu_dbs *s);
/* A commit that fails rolls back: the transaction is then gone, on the
 * connection as in the session, whatever the driver left open (SQLite
 * keeps a transaction open after a failed COMMIT, PostgreSQL ends it). */
int  jutsu_dbs_commit(jutsu_dbs *s);
int  jutsu_dbs_rollback(jutsu_dbs *s);
/* Commits the driver's open transaction for one opened with ops->begin
 * (migrations, the index set-aside); on failure records the error as
 * "what: ..." and rolls back, as jutsu_dbs_commit. */
int  jutsu_dbs_commit_driver(jutsu_dbs *s, const char *what);
/* "sqlite var/jutsu.db": where the data lives, never a password. */
const char *jutsu_dbs_describe(jutsu_dbs *s);
/* Now, by the store's clock. */
jutsu_time_t jutsu_dbs_now(jutsu_dbs *s);

/* The last failure: its message, detail and hint ("" when absent), and
 * the three on one line, "message (detail); hint: hint", for a report or
 * a log line that has room for one line only. */
const char *jutsu_dbs_error(jutsu_dbs *s);
const char *jutsu_dbs_error_detail(jutsu_dbs *s);
const char *jutsu_dbs_error_hint(jutsu_dbs *s);
const char *jutsu_dbs_error_line(jutsu_dbs *s);
/* Records a message of ours (printf; no detail, no hint); returns rc. */
int  jutsu_dbs_fail(jutsu_dbs *s, int rc, const char *fmt, ...) JUTSU_PRINTF(3, 4);
/* Records the driver's last error, its message prefixed with "what: ", or
 * "what: <strerror(rc)>" when the driver says nothing; returns rc. */
int  jutsu_dbs_fail_driver(jutsu_dbs *s, int rc, const char *what);
/* Puts "prefix" before the recorded message ("row 3: "). */
void jutsu_dbs_error_prefix(jutsu_dbs *s, const char *prefix);
/* Forgets the last error: for a probe whose failure is an answer (a table
 * not there yet), so a later message is not last week's. */
void jutsu_dbs_error_clear(jutsu_dbs *s);

/* Opens a transaction unless the caller has one; *own says who closes it. */
int  jutsu_dbs_tx_enter(jutsu_dbs *s, int *own);
/* Commits (rc == 0) or rolls back what jutsu_dbs_tx_enter opened (a failed
 * commit rolls back too); returns rc, or the commit's error. */
int  jutsu_dbs_tx_leave(jutsu_dbs *s, int own, int rc);

/* Empties the arena that single-row gets copy text into (the start of
 * each public get). */
void jutsu_dbs_arena_reset(jutsu_dbs *s);
/* A NUL-terminated copy of p[0..n) in the arena, or NULL. */
const void *jutsu_dbs_arena_copy(jutsu_dbs *s, const void *p, size_t n);

/* --- queries (core/store/query.c) --------------------------------------- */

struct jutsu_sql;     /* a statement built from a table (row.h) */

/*
 * One statement in use. Binding calls bind the next parameter; reading
 * calls read the next column of the current row; the first failure is
 * kept in rc and every later call does nothing. The calls that end a
 * query (exec, one, each, insert_id, done) finalize the statement, also
 * on failure, and return rc or their own result.
 */
struct jutsu_q {
    jutsu_dbs  *s;
    jutsu_stmt *st;
    const char *what;    /* names the query in errors: "positions: read" */
    int         param;   /* parameters bound so far                      */
    int         col;     /* the next column to read                      */
    int         copy;    /* text read into the arena (single-row gets)   */
    int         rc;      /* the first failure                            */
    uint64_t    only;    /* the columns a JUTSU_SQL_ONLY select reads, or 0 */
};

/* Prepares `sql` (whose text must stay the same for the same query: the
 * driver caches by it). Returns q->rc. */
int  jutsu_q_prepare(struct jutsu_q *q, jutsu_dbs *s, const char *sql, const char *what);
/* Prepares a statement built from a table (row.h), building it first. */
int  jutsu_q_prepare_sql(struct jutsu_q *q, jutsu_dbs *s, struct jutsu_sql *sql,
                         const char *what);

/* Parameters, $1, $2, ... in call order. A NULL or "" text binds NULL. */
void jutsu_q_value(struct jutsu_q *q, struct jutsu_db_value v);
void jutsu_q_null(struct jutsu_q *q);
void jutsu_q_text(struct jutsu_q *q, const char *v);
void jutsu_q_int(struct jutsu_q *q, int64_t v);
void jutsu_q_bool(struct jutsu_q *q, int v);
void jutsu_q_money(struct jutsu_q *q, jutsu_money_t v);
void jutsu_q_time(struct jutsu_q *q, jutsu_time_t v);
void jutsu_q_date(struct jutsu_q *q, jutsu_date_t v);
void jutsu_q_bytes(struct jutsu_q *q, const void *p, size_t n);

/* Steps: JUTSU_DB_ROW, JUTSU_DB_DONE, or a negative code (recorded as
 * "<what>: ..."). The next read starts at column 0. */
int  jutsu_q_step(struct jutsu_q *q);

/* Columns of the current row, 0, 1, ... in call order. A NULL text reads
 * as NULL, a NULL int as if_null, a NULL money as JUTSU_MONEY_NULL, a NULL
 * time or date as 0. Text is the driver's until the next step unless
 * q->copy is set. */
struct jutsu_db_value jutsu_q_column(struct jutsu_q *q, uint32_t type, uint32_t scale);
const char   *jutsu_q_col_text(struct jutsu_q *q);
int64_t       jutsu_q_col_int(struct jutsu_q *q, int64_t if_null);
jutsu_money_t jutsu_q_col_money(struct jutsu_q *q);
jutsu_time_t  jutsu_q_col_time(struct jutsu_q *q);

/* Runs a write to its end; returns q->rc. */
int  jutsu_q_exec(struct jutsu_q *q);
/* The same, and how many rows it changed. */
int  jutsu_q_exec_changes(struct jutsu_q *q, int64_t *changes);
/* A write by key: 0 when a row changed, JUTSU_ENOENT (no message) when
 * none did. */
int  jutsu_q_exec_changed(struct jutsu_q *q);
/* Runs INSERT ... RETURNING id: exactly one row. */
int  jutsu_q_insert_id(struct jutsu_q *q, int64_t *id);
/* Finalizes; returns q->rc. */
int  jutsu_q_done(struct jutsu_q *q);

/* --- checks (core/store/check.c): 0, or the code with the message -------- */

int jutsu_check_text(jutsu_dbs *s, const char *table, const char *col, const char *v,
                     size_t max, int required);
int jutsu_check_enum(jutsu_dbs *s, const char *table, const char *col, const char *v,
                     const char *const *choices, int required);
int jutsu_check_money(jutsu_dbs *s, const char *table, const char *col, jutsu_money_t v,
                      int required);
/* A NUMERIC(precision, scale) stored from a double: finite, in range. */
int jutsu_check_fixed(jutsu_dbs *s, const char *table, const char *col, double v,
                      int precision, int scale, int required);
int jutsu_check_positive(jutsu_dbs *s, const char *table, const char *col, int64_t v);
/* A row id: greater than 0. */
int jutsu_check_id(jutsu_dbs *s, const char *table, const char *col, int64_t id);
/* A time that must be given (0 is none). */
int jutsu_check_time_set(jutsu_dbs *s, const char *table, const char *col, jutsu_time_t t);
/* One JSON text and only that (trailing blanks allowed). */
int jutsu_check_json(jutsu_dbs *s, const char *table, const char *col, const char *v);
/* The (strategy, mode) every trading read is scoped to: both required, so
 * a NULL never turns into "no filter" or a silent empty answer. */
int jutsu_check_scope(jutsu_dbs *s, const char *table, const char *id_col, const char *id,
                      const char *mode);
/* The same JSON test without a session: 0, or -1 with the reason in why. */
int jutsu_json_strict(const char *v, char *why, size_t n);

extern const char *const jutsu_modes[];       /* offline_mock, online_live */
extern const char *const jutsu_timeframes[];  /* 1D, 1H, 5m, 15m */

/* --- indexes set aside for a load (core/store/index_defer.c) ------------- */

/* Whether this session's driver can set an index aside (SQLite). */
int jutsu_index_can_defer(const jutsu_dbs *s);
/* Drops index `index` of `table` for a load, in a transaction of its own
 * (none may be open), with a row of jutsu_deferred_indexes that keeps its
 * CREATE statement: a crash afterwards leaves the index owed, not lost.
 * 0; JUTSU_ENOTSUP (no message) where the driver keeps its indexes;
 * JUTSU_ENOENT when table has no such index; JUTSU_EINVAL for a name that
 * is not [a-z0-9_], or an index that is UNIQUE or a constraint's own;
 * JUTSU_ESTATE inside a transaction; or the database's error. */
int jutsu_index_defer(jutsu_dbs *s, const char *table, const char *index);
/* Builds every owed index again, each in one transaction with the removal
 * of its row; once none is owed, jutsu_deferred_indexes is dropped.
 * *settled (may be NULL): how many were. 0 when none was owed;
 * JUTSU_ESTATE for a row that is not a plain CREATE INDEX of its index
 * (a person edited it), or the database's error (the row stays owed). */
int jutsu_index_restore(jutsu_dbs *s, int *settled);
/* Whether `index` is owed now: 1, 0, or a negative code. */
int jutsu_index_owed(jutsu_dbs *s, const char *index);

/* --- migrations (core/store/migrate.c) ---------------------------------- */
struct jutsu_migrate_state {
    size_t n_known;        /* the driver's revisions                          */
    size_t n_applied;      /* how many of them are applied (a prefix)         */
    const char *unknown;   /* an applied rev this binary does not know, or NULL */
};
int jutsu_migrate_state(jutsu_dbs *s, struct jutsu_migrate_state *st);
/* Upgrades to `target` ("head", a rev, or NULL = head). Writes a backup
 * first when the database holds data and backup_dir is not NULL; the
 * backup's path is logged. */
int jutsu_migrate_upgrade(jutsu_dbs *s, const char *target, const char *backup_dir);
/* Downgrades to `target`: a rev (stays applied), "-N", or "base". */
int jutsu_migrate_downgrade(jutsu_dbs *s, const char *target);

#endif
