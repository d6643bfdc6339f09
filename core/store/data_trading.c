/*
 * core/store/data_trading.c — the trading tables: live_trades, positions,
 * performance_snapshots (daily_performance: core/store/data_daily.c).
 *
 * Every read here filters on the strategy (or entity) and the mode, and
 * every write carries them as required row fields: one strategy's paper
 * history can never leak into another's, nor offline_mock into online_live.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"

static const char *const actions[] = { "BUY", "SELL", NULL };
static const char *const snapshot_sources[] = { "scheduler", "refresh", "manual", "backtest",
                                                NULL };

/* --- live_trades ---------------------------------------------------------- */

#define TR struct jutsu_trade_row
static const struct jutsu_col trade_cols[] = {
    COL_ID(TR, id),
    COL_TEXT(TR, strategy_id, 50, JUTSU_COL_REQUIRED),
    COL_ENUM(TR, mode, jutsu_modes, JUTSU_COL_REQUIRED),
    COL_TEXT(TR, symbol, 10, JUTSU_COL_REQUIRED),
    COL_TIME_AS(TR, ts, "timestamp", 0),
    COL_ENUM(TR, action, actions, JUTSU_COL_REQUIRED),
    COL_INT(TR, quantity, 0),
    COL_MONEY(TR, target_price, JUTSU_COL_REQUIRED),
    COL_MONEY(TR, fill_price, 0),
    COL_MONEY(TR, fill_value, 0),
    COL_FIXED(TR, slippage_pct, 10, 6, 0),
    COL_TEXT(TR, schwab_order_id, 50, 0),
    COL_INT(TR, strategy_cell, 0),
    COL_TEXT(TR, trend_state, 20, 0),
    COL_TEXT(TR, vol_state, 10, 0),
    COL_FIXED(TR, t_norm, 10, 6, 0),
    COL_FIXED(TR, z_score, 10, 6, 0),
    COL_TEXT(TR, reason, 50, 0),
    COL_TEXT(TR, execution_id, 8, 0),
    COL_TIME(TR, created_at, JUTSU_COL_STAMP),
    COL_MONEY(TR, realized_pnl, 0),
};
#undef TR
static const struct jutsu_table trades = JUTSU_TABLE("live_trades", struct jutsu_trade_row,
                                                     trade_cols);

static struct jutsu_sql trade_insert = JUTSU_SQL(&trades, JUTSU_SQL_INSERT, "RETURNING id");
/* without the id: SQLite gathers RETURNING's rows in a temporary table,
 * which doubled the cost of a trader's insert */
static struct jutsu_sql trade_insert_only = JUTSU_SQL(&trades, JUTSU_SQL_INSERT, NULL);
static struct jutsu_sql trades_range = JUTSU_SQL(&trades, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND mode = $2 AND timestamp BETWEEN $3 AND $4 "
    "ORDER BY timestamp, id");

int jutsu_data_trade_insert(jutsu_dbs *s, const struct jutsu_trade_row *row, int64_t *id)
{
    int rc, own;
    if ((rc = jutsu_row_check(s, &trades, row, JUTSU_ROW_INSERT)) ||
        (rc = jutsu_check_positive(s, "live_trades", "quantity", row->quantity)) ||
        (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    int64_t new_id = 0;
    jutsu_q_prepare_row(&q, s, id ? &trade_insert : &trade_insert_only, row, jutsu_dbs_now(s),
                        "live_trades: insert");
    rc = jutsu_dbs_tx_leave(s, own, id ? jutsu_q_insert_id(&q, &new_id) : jutsu_q_exec(&q));
    if (rc == 0 && id)
        *id = new_id;
    return rc;
}

int jutsu_data_trades_range(jutsu_dbs *s, const char *strategy_id, const char *mode,
                            jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_trade_row r;
    int rc = jutsu_check_scope(s, "live_trades", "strategy_id", strategy_id, mode);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &trades_range, "live_trades: range read")))
        return rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_text(&q, mode);
    jutsu_q_time(&q, from);
    jutsu_q_time(&q, to);
    return jutsu_q_each(&q, &trades, &r, fn, arg);
}

/* --- positions ------------------------------------------------------------ */

#define PR struct jutsu_position_row
static const struct jutsu_col position_cols[] = {
    COL_TEXT(PR, strategy_id, 50, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_ENUM(PR, mode, jutsu_modes, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_TEXT(PR, symbol, 10, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_INT(PR, quantity, 0),
    COL_MONEY(PR, avg_cost, 0),
    COL_MONEY(PR, market_value, 0),
    COL_MONEY(PR, unrealized_pnl, 0),
    COL_TIME(PR, last_updated, JUTSU_COL_NOW),
};
#undef PR
static const struct jutsu_table positions = JUTSU_TABLE("positions", struct jutsu_position_row,
                                                        position_cols);

static struct jutsu_sql position_get = JUTSU_SQL(&positions, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND mode = $2 AND symbol = $3");
static struct jutsu_sql positions_list = JUTSU_SQL(&positions, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND mode = $2 ORDER BY symbol");
static struct jutsu_sql position_upsert = JUTSU_SQL(&positions, JUTSU_SQL_UPSERT, NULL);

static int check_position(jutsu_dbs *s, const char *strategy_id, const char *mode,
                          const char *symbol)
{
    int rc = jutsu_check_scope(s, "positions", "strategy_id", strategy_id, mode);
    return rc ? rc : jutsu_check_text(s, "positions", "symbol", symbol, 10, 1);
}

int jutsu_data_position_get(jutsu_dbs *s, const char *strategy_id, const char *mode,
                            const char *symbol, struct jutsu_position_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    int rc = check_position(s, strategy_id, mode, symbol);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &position_get, "positions: read")))
        return rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_text(&q, mode);
    jutsu_q_text(&q, symbol);
    if ((rc = jutsu_q_one(&q, &positions, out)) == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "positions: no position in %s for %s (%s)", symbol,
                            strategy_id, mode);
    return rc;
}

int jutsu_data_positions_list(jutsu_dbs *s, const char *strategy_id, const char *mode,
                              jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_position_row r;
    int rc = jutsu_check_scope(s, "positions", "strategy_id", strategy_id, mode);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &positions_list, "positions: list")))
        return rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_text(&q, mode);
    return jutsu_q_each(&q, &positions, &r, fn, arg);
}

int jutsu_data_position_upsert(jutsu_dbs *s, const struct jutsu_position_row *row)
{
    int rc, own;
    if ((rc = jutsu_row_check(s, &positions, row, JUTSU_ROW_INSERT)) != 0)
        return rc;
    /* a flat position is a row with 0 shares; short positions are not modelled */
    if (row->quantity < 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "positions.quantity: %ld is negative",
                              (long)row->quantity);
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, &position_upsert, row, jutsu_dbs_now(s), "positions: upsert");
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}

int jutsu_data_position_delete(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               const char *symbol)
{
    int rc, own;
    struct jutsu_q q;
    if ((rc = check_position(s, strategy_id, mode, symbol)) || (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    if (jutsu_q_prepare(&q, s, "DELETE FROM positions WHERE strategy_id = $1 AND mode = $2 AND "
                               "symbol = $3", "positions: delete") == 0) {
        jutsu_q_text(&q, strategy_id);
        jutsu_q_text(&q, mode);
        jutsu_q_text(&q, symbol);
    }
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}

/* --- performance_snapshots ------------------------------------------------ */

#define SR struct jutsu_snapshot_row
static const struct jutsu_col snapshot_cols[] = {
    COL_ID(SR, id),
    COL_TEXT(SR, strategy_id, 50, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_ENUM(SR, mode, jutsu_modes, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_TIME_AS(SR, ts, "timestamp", JUTSU_COL_KEY),
    COL_MONEY(SR, total_equity, JUTSU_COL_REQUIRED),
    COL_MONEY(SR, cash, 0),
    COL_MONEY(SR, positions_value, 0),
    COL_FIXED(SR, daily_return, 10, 6, 0),
    COL_FIXED(SR, cumulative_return, 10, 6, 0),
    COL_FIXED(SR, drawdown, 10, 6, 0),
    COL_INT(SR, strategy_cell, 0),
    COL_TEXT(SR, trend_state, 20, 0),
    COL_TEXT(SR, vol_state, 10, 0),
    COL_ENUM_DEF(SR, snapshot_source, snapshot_sources, "scheduler"),
    COL_FIXED(SR, t_norm, 10, 6, 0),
    COL_FIXED(SR, z_score, 10, 6, 0),
    COL_MONEY(SR, sma_fast, 0),
    COL_MONEY(SR, sma_slow, 0),
    COL_TEXT(SR, positions_json, 0, 0),
    COL_MONEY(SR, baseline_value, 0),
    COL_FIXED(SR, baseline_return, 10, 6, 0),
    /* when the row first appeared; the rest says what it holds now */
    COL_STAMP_ONLY("created_at", JUTSU_COL_STAMP | JUTSU_COL_KEEP),
};
#undef SR
static const struct jutsu_table snapshots = JUTSU_TABLE("performance_snapshots",
                                                        struct jutsu_snapshot_row,
                                                        snapshot_cols);

static struct jutsu_sql snapshot_upsert = JUTSU_SQL(&snapshots, JUTSU_SQL_UPSERT, NULL);
/* (mode, strategy_id, timestamp) is unique, and a tie-breaker would cost
 * an index-order scan */
static struct jutsu_sql snapshot_latest = JUTSU_SQL(&snapshots, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND mode = $2 AND timestamp <= $3 ORDER BY timestamp DESC LIMIT 1");
static struct jutsu_sql snapshots_range = JUTSU_SQL(&snapshots, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND mode = $2 AND timestamp BETWEEN $3 AND $4 ORDER BY timestamp");

int jutsu_data_snapshot_upsert(jutsu_dbs *s, const struct jutsu_snapshot_row *row)
{
    int rc, own;
    if ((rc = jutsu_row_check(s, &snapshots, row, JUTSU_ROW_INSERT)) ||
        (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, &snapshot_upsert, row, jutsu_dbs_now(s),
                        "performance_snapshots: upsert");
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}

int jutsu_data_snapshot_bulk_begin(jutsu_dbs *s, struct jutsu_row_bulk **out)
{
    return jutsu_row_bulk_begin(s, &snapshots, out);
}

int jutsu_data_snapshot_bulk_row(jutsu_dbs *s, struct jutsu_row_bulk *w,
                                 const struct jutsu_snapshot_row *row)
{
    int rc = jutsu_row_check(s, &snapshots, row, JUTSU_ROW_INSERT);
    return rc ? rc : jutsu_row_bulk_add(w, row);
}

int jutsu_data_snapshot_latest(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               jutsu_time_t at_or_before, struct jutsu_snapshot_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    int rc = jutsu_check_scope(s, "performance_snapshots", "strategy_id", strategy_id, mode);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &snapshot_latest,
                                        "performance_snapshots: read")))
        return rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_text(&q, mode);
    jutsu_q_time(&q, at_or_before);
    if ((rc = jutsu_q_one(&q, &snapshots, out)) == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "performance_snapshots: no snapshot of %s (%s) at or "
                            "before that time", strategy_id, mode);
    return rc;
}

int jutsu_data_snapshots_range(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_snapshot_row r;
    int rc = jutsu_check_scope(s, "performance_snapshots", "strategy_id", strategy_id, mode);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &snapshots_range,
                                        "performance_snapshots: range read")))
        return rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_text(&q, mode);
    jutsu_q_time(&q, from);
    jutsu_q_time(&q, to);
    return jutsu_q_each(&q, &snapshots, &r, fn, arg);
}

/* --- the reports' listing reads (ABI 1.3) ---------------------------------- */

/* The bounds of an open range: every stored instant lies between. */
#define FAR_PAST   ((jutsu_time_t)-2208988800LL * 1000000)   /* 1900-01-01 */
#define FAR_FUTURE ((jutsu_time_t)32503680000LL * 1000000)   /* 3000-01-01 */

/* A filter left out binds NULL: the CAST gives PostgreSQL the parameter's
 * type before the comparison does, SQLite needs none. */
#define ANY(n, col) "(CAST($" #n " AS TEXT) IS NULL OR " col " = $" #n ")"
#define TRADE_WHERE "WHERE " ANY(1, "strategy_id") " AND " ANY(2, "mode") " AND " \
                    ANY(3, "symbol") " AND timestamp BETWEEN $4 AND $5"
#define SNAP_WHERE  "WHERE " ANY(1, "strategy_id") " AND " ANY(2, "mode") " AND " \
                    "timestamp BETWEEN $3 AND $4"
#define POS_WHERE   "WHERE " ANY(1, "strategy_id") " AND " ANY(2, "mode") " AND " \
                    ANY(3, "symbol")

static struct jutsu_sql trade_get = JUTSU_SQL(&trades, JUTSU_SQL_SELECT, "WHERE id = $1");
static struct jutsu_sql trades_query = JUTSU_SQL(&trades, JUTSU_SQL_SELECT, TRADE_WHERE
    " AND (timestamp < $6 OR (timestamp = $6 AND id < CAST($7 AS BIGINT)))"
    " ORDER BY timestamp DESC, id DESC LIMIT $8 OFFSET $9");
static const char trades_count[] = "SELECT COUNT(*) FROM live_trades " TRADE_WHERE;
static struct jutsu_sql snapshots_query = JUTSU_SQL(&snapshots, JUTSU_SQL_SELECT, SNAP_WHERE
    " AND (timestamp < $5 OR (timestamp = $5 AND id < CAST($6 AS BIGINT)))"
    " ORDER BY timestamp DESC, id DESC LIMIT $7 OFFSET $8");
static const char snapshots_count[] = "SELECT COUNT(*) FROM performance_snapshots " SNAP_WHERE;
static struct jutsu_sql positions_query = JUTSU_SQL(&positions, JUTSU_SQL_SELECT, POS_WHERE
    " ORDER BY strategy_id, mode, symbol LIMIT $4 OFFSET $5");
static const char positions_count[] = "SELECT COUNT(*) FROM positions " POS_WHERE;

int jutsu_data_trade_get(jutsu_dbs *s, int64_t id, struct jutsu_trade_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    int rc = jutsu_check_id(s, "live_trades", "id", id);
    if (rc || (rc = jutsu_q_prepare_sql(&q, s, &trade_get, "live_trades: read")))
        return rc;
    jutsu_q_int(&q, id);
    if ((rc = jutsu_q_one(&q, &trades, out)) == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "live_trades: no trade with id %lld", (long long)id);
    return rc;
}

/* The filter's rules, before any SQL. */
static int check_query(jutsu_dbs *s, const char *table, const struct jutsu_query *q)
{
    int rc;
    if (q == NULL || q->size < sizeof(struct jutsu_query))
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s: a query of size %u (this host knows %zu)",
                              table, q ? (unsigned)q->size : 0u, sizeof(struct jutsu_query));
    if ((rc = jutsu_check_text(s, table, "strategy_id", q->strategy_id, 50, 0)) ||
        (rc = jutsu_check_enum(s, table, "mode", q->mode, jutsu_modes, 0)) ||
        (rc = jutsu_check_text(s, table, "symbol", q->symbol, 10, 0)))
        return rc;
    if (q->offset < 0 || q->limit < 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s: offset %lld and limit %lld must not be "
                              "negative", table, (long long)q->offset, (long long)q->limit);
    if (q->from && q->to && q->from > q->to)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s: the range ends before it starts", table);
    return 0;
}

static void bind_range(struct jutsu_q *q, const struct jutsu_query *f)
{
    jutsu_q_time(q, f->from ? f->from : FAR_PAST);
    jutsu_q_time(q, f->to ? f->to : FAR_FUTURE);
}

static void bind_page(struct jutsu_q *q, const struct jutsu_query *f, int keyset)
{
    if (keyset) {
        int k = f->before_id > 0;
        jutsu_q_time(q, k ? f->before_ts : FAR_FUTURE);
        jutsu_q_int(q, k ? f->before_id : INT64_MAX);
    }
    jutsu_q_int(q, f->limit ? f->limit : INT64_MAX);
    jutsu_q_int(q, f->offset);
}

/* COUNT(*) of a listing's rows: its scope (and range) bound as the listing binds them. */
static int count_rows(jutsu_dbs *s, const char *sql, const char *what, const struct jutsu_query *f,
                      int nscope, int range, int64_t *total)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, sql, what) != 0)
        return q.rc;
    jutsu_q_text(&q, f->strategy_id);
    jutsu_q_text(&q, f->mode);
    if (nscope > 2)
        jutsu_q_text(&q, f->symbol);
    if (range)
        bind_range(&q, f);
    int rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW)
        *total = jutsu_q_col_int(&q, 0);
    else if (rc >= 0)
        *total = 0;
    return jutsu_q_done(&q);
}

int jutsu_data_trades_query(jutsu_dbs *s, const struct jutsu_query *f, jutsu_row_fn fn,
                            void *arg, int64_t *total)
{
    struct jutsu_q q;
    struct jutsu_trade_row r;
    int rc = check_query(s, "live_trades", f);
    if (rc || (total && (rc = count_rows(s, trades_count, "live_trades: count", f, 3, 1, total))))
        return rc;
    if ((rc = jutsu_q_prepare_sql(&q, s, &trades_query, "live_trades: query")) != 0)
        return rc;
    jutsu_q_text(&q, f->strategy_id);
    jutsu_q_text(&q, f->mode);
    jutsu_q_text(&q, f->symbol);
    bind_range(&q, f);
    bind_page(&q, f, 1);
    return jutsu_q_each(&q, &trades, &r, fn, arg);
}

int jutsu_data_snapshots_query(jutsu_dbs *s, const struct jutsu_query *f, jutsu_row_fn fn,
                               void *arg, int64_t *total)
{
    struct jutsu_q q;
    struct jutsu_snapshot_row r;
    int rc = check_query(s, "performance_snapshots", f);
    if (rc || (total && (rc = count_rows(s, snapshots_count, "performance_snapshots: count", f,
                                         2, 1, total))))
        return rc;
    if ((rc = jutsu_q_prepare_sql(&q, s, &snapshots_query, "performance_snapshots: query")))
        return rc;
    jutsu_q_text(&q, f->strategy_id);
    jutsu_q_text(&q, f->mode);
    bind_range(&q, f);
    bind_page(&q, f, 1);
    return jutsu_q_each(&q, &snapshots, &r, fn, arg);
}

int jutsu_data_positions_query(jutsu_dbs *s, const struct jutsu_query *f, jutsu_row_fn fn,
                               void *arg, int64_t *total)
{
    struct jutsu_q q;
    struct jutsu_position_row r;
    int rc = check_query(s, "positions", f);
    if (rc || (total && (rc = count_rows(s, positions_count, "positions: count", f, 3, 0,
                                         total))))
        return rc;
    if ((rc = jutsu_q_prepare_sql(&q, s, &positions_query, "positions: query")) != 0)
        return rc;
    jutsu_q_text(&q, f->strategy_id);
    jutsu_q_text(&q, f->mode);
    jutsu_q_text(&q, f->symbol);
    bind_page(&q, f, 0);
    return jutsu_q_each(&q, &positions, &r, fn, arg);
}
