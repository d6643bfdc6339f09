/*
 * core/store/store.h — the data layer's internals: sessions over the storage
 * driver, typed bind/read helpers, validation, migrations.
 *
 * The public face is include/jutsu/data.h; every jutsu_data_* function
 * there is implemented in one of core/data_<group>.c over the helpers
 * declared here. The rules every data function follows:
 *
 *   - validate with the check_* helpers first (nothing touches the database
 *     when an input is refused; the message names table.column and value);
 *   - run in tx_enter/tx_leave, so a call joins the caller's transaction or
 *     makes its own;
 *   - prepare with q_prepare (the driver caches by SQL text, so a constant
 *     SQL string per query costs one prepare per connection);
 *   - bind with the b_* helpers, read with the c_* helpers, which map
 *     JUTSU_MONEY_NULL / NaN / JUTSU_INT_NULL / NULL-or-"" to SQL NULL;
 *   - on a driver error, q_fail records "what: driver message" in the
 *     session and returns the code.
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

struct jutsu_dbs {
    struct jutsu_store              store;    /* what it was opened on  */
    const struct jutsu_storage_ops *ops;      /* store.ops, for brevity */
    jutsu_db                       *db;
    int                             tx_depth; /* caller's begin() count  */
    char                            err[768];
    /* copies of text/bytes handed out by single-row gets, freed at the
     * next get (a list of blocks: pointers into it never move) */
    struct dbs_block               *arena;
};

/* A session (one driver connection) on `store`, which must outlive it.
 * 0, JUTSU_ENOMEM or the driver's connect error. */
int  jutsu_dbs_open(const struct jutsu_store *store, jutsu_dbs **out);
void jutsu_dbs_close(jutsu_dbs *s);
int  jutsu_dbs_begin(jutsu_dbs *s);
int  jutsu_dbs_commit(jutsu_dbs *s);
int  jutsu_dbs_rollback(jutsu_dbs *s);
const char *jutsu_dbs_error(jutsu_dbs *s);
/* Now, by the store's clock. */
jutsu_time_t jutsu_dbs_now(jutsu_dbs *s);
/* Records a message (printf) and returns `rc`. */
int  jutsu_dbs_fail(jutsu_dbs *s, int rc, const char *fmt, ...) JUTSU_PRINTF(3, 4);

/* --- transactions ------------------------------------------------------- */
/* Opens a transaction unless the caller has one; *own says who closes it. */
int  tx_enter(jutsu_dbs *s, int *own);
/* Commits (rc == 0) or rolls back what tx_enter opened; returns rc, or the
 * commit's error. */
int  tx_leave(jutsu_dbs *s, int own, int rc);

/* --- statements --------------------------------------------------------- */
int  q_prepare(jutsu_dbs *s, const char *sql, jutsu_stmt **st);
/* Records the driver's last error as "<what>: message (detail)"; returns rc. */
int  q_fail(jutsu_dbs *s, int rc, const char *what);
/* step expecting DONE (a write) */
int  q_exec(jutsu_dbs *s, jutsu_stmt *st, const char *what);
void q_done(jutsu_dbs *s, jutsu_stmt *st);
/* Steps a range read to the end, handing each row to emit(s, st, fn, arg),
 * and finalizes; returns the first nonzero value emit returns, 0, or the
 * driver's error (recorded as "<what>: ..."). */
typedef int (*q_emit_fn)(jutsu_dbs *s, jutsu_stmt *st, jutsu_row_fn fn, void *arg);
int  q_range(jutsu_dbs *s, jutsu_stmt *st, q_emit_fn emit, jutsu_row_fn fn, void *arg,
             const char *what);

int  b_text(jutsu_dbs *s, jutsu_stmt *st, int i, const char *v);      /* NULL/"" -> NULL */
int  b_int(jutsu_dbs *s, jutsu_stmt *st, int i, int64_t v);
int  b_int_null(jutsu_dbs *s, jutsu_stmt *st, int i, int32_t v);      /* JUTSU_INT_NULL -> NULL */
int  b_id_null(jutsu_dbs *s, jutsu_stmt *st, int i, int64_t v);       /* 0 -> NULL */
int  b_bool(jutsu_dbs *s, jutsu_stmt *st, int i, int v);
int  b_money(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_money_t v);   /* MONEY_NULL -> NULL */
int  b_fixed(jutsu_dbs *s, jutsu_stmt *st, int i, double v, int scale); /* NaN -> NULL */
int  b_time(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_time_t v);
int  b_time_null(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_time_t v);  /* 0 -> NULL */
int  b_date(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_date_t v);
int  b_bytes(jutsu_dbs *s, jutsu_stmt *st, int i, const void *p, size_t n);

/* Column reads; `copy` nonzero copies text into the session arena (for
 * single-row gets), else the pointer is the driver's (valid until the next
 * step). A NULL text reads as NULL. */
const char   *c_text(jutsu_dbs *s, jutsu_stmt *st, int col, int copy);
int64_t       c_int(jutsu_dbs *s, jutsu_stmt *st, int col, int64_t if_null);
jutsu_money_t c_money(jutsu_dbs *s, jutsu_stmt *st, int col);        /* NULL -> MONEY_NULL */
double        c_fixed(jutsu_dbs *s, jutsu_stmt *st, int col, int scale); /* NULL -> NaN */
jutsu_time_t  c_time(jutsu_dbs *s, jutsu_stmt *st, int col);         /* NULL -> 0 */
jutsu_date_t  c_date(jutsu_dbs *s, jutsu_stmt *st, int col);
const void   *c_bytes(jutsu_dbs *s, jutsu_stmt *st, int col, size_t *len, int copy);
/* Empties the arena (start of each single-row get). */
void          dbs_arena_reset(jutsu_dbs *s);

/* --- validation (core/store/data_check.c): 0 or the code, message recorded ---- */
int check_text(jutsu_dbs *s, const char *table, const char *col, const char *v,
               size_t max, int required);
int check_enum(jutsu_dbs *s, const char *table, const char *col, const char *v,
               const char *const *choices, int required);
int check_money(jutsu_dbs *s, const char *table, const char *col, jutsu_money_t v,
                int required);
/* A NUMERIC(precision, scale) stored from a double: finite, in range. */
int check_fixed(jutsu_dbs *s, const char *table, const char *col, double v,
                int precision, int scale, int required);
int check_positive(jutsu_dbs *s, const char *table, const char *col, int64_t v);
/* One JSON text and only that (trailing blanks allowed). */
int check_json(jutsu_dbs *s, const char *table, const char *col, const char *v);
/* The same test without a session: 0, or -1 with the reason in why. */
int jutsu_json_strict(const char *v, char *why, size_t n);

extern const char *const jutsu_modes[];       /* offline_mock, online_live */
extern const char *const jutsu_timeframes[];  /* 1D, 1H, 5m, 15m */

/* --- migrations (core/store/migrate.c) ---------------------------------------- */
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
