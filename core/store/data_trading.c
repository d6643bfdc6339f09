/*
 * core/store/data_trading.c — the trading tables: live_trades, positions,
 * performance_snapshots (daily_performance: core/store/data_daily.c).
 *
 * Every read here filters on the strategy (or entity) and the mode, and
 * every write carries them as required row fields: one strategy's paper
 * history can never leak into another's, nor offline_mock into online_live.
 * The columns' constraints are declared once per table as rule tables and
 * checked before anything touches the database, so a refusal names
 * table.column and nothing has been written.
 */
#include <stddef.h>
#include <stdio.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/data_rows.h"

static const char *const actions[] = { "BUY", "SELL", NULL };
static const char *const snapshot_sources[] = { "scheduler", "refresh", "manual", "backtest",
                                                NULL };

#define TR struct jutsu_trade_row
static const struct col_rule trade_rules[] = {
    TEXT(TR, strategy_id, 50, 1),     ENUM(TR, mode, jutsu_modes, 1),
    TEXT(TR, symbol, 10, 1),          ENUM(TR, action, actions, 1),
    MONEY(TR, target_price, 1),       MONEY(TR, fill_price, 0),
    MONEY(TR, fill_value, 0),         FIXED(TR, slippage_pct, 10, 6, 0),
    TEXT(TR, schwab_order_id, 50, 0), TEXT(TR, trend_state, 20, 0),
    TEXT(TR, vol_state, 10, 0),       FIXED(TR, t_norm, 10, 6, 0),
    FIXED(TR, z_score, 10, 6, 0),     TEXT(TR, reason, 50, 0),
    TEXT(TR, execution_id, 8, 0),     MONEY(TR, realized_pnl, 0),
};
#undef TR

#define PR struct jutsu_position_row
static const struct col_rule position_rules[] = {
    TEXT(PR, strategy_id, 50, 1),     ENUM(PR, mode, jutsu_modes, 1),
    TEXT(PR, symbol, 10, 1),          MONEY(PR, avg_cost, 0),
    MONEY(PR, market_value, 0),       MONEY(PR, unrealized_pnl, 0),
};
#undef PR

#define SR struct jutsu_snapshot_row
static const struct col_rule snapshot_rules[] = {
    TEXT(SR, strategy_id, 50, 1),     ENUM(SR, mode, jutsu_modes, 1),
    MONEY(SR, total_equity, 1),       MONEY(SR, cash, 0),
    MONEY(SR, positions_value, 0),    FIXED(SR, daily_return, 10, 6, 0),
    FIXED(SR, cumulative_return, 10, 6, 0), FIXED(SR, drawdown, 10, 6, 0),
    TEXT(SR, trend_state, 20, 0),     TEXT(SR, vol_state, 10, 0),
    ENUM(SR, snapshot_source, snapshot_sources, 0),
    FIXED(SR, t_norm, 10, 6, 0),      FIXED(SR, z_score, 10, 6, 0),
    MONEY(SR, sma_fast, 0),           MONEY(SR, sma_slow, 0),
    MONEY(SR, baseline_value, 0),     FIXED(SR, baseline_return, 10, 6, 0),
};
#undef SR

/* --- live_trades ---------------------------------------------------------- */

#define TRADE_COLS "strategy_id, mode, symbol, timestamp, action, quantity, target_price, " \
    "fill_price, fill_value, slippage_pct, schwab_order_id, strategy_cell, trend_state, " \
    "vol_state, t_norm, z_score, reason, execution_id, created_at, realized_pnl"

static void bind_trade(struct binds *b, const struct jutsu_trade_row *r, jutsu_time_t now)
{
    p_text(b, r->strategy_id);
    p_text(b, r->mode);
    p_text(b, r->symbol);
    p_time(b, r->ts);
    p_text(b, r->action);
    p_int(b, r->quantity);
    p_money(b, r->target_price);
    p_money(b, r->fill_price);
    p_money(b, r->fill_value);
    p_fixed(b, r->slippage_pct, 6);
    p_text(b, r->schwab_order_id);
    p_int(b, r->strategy_cell);
    p_text(b, r->trend_state);
    p_text(b, r->vol_state);
    p_fixed(b, r->t_norm, 6);
    p_fixed(b, r->z_score, 6);
    p_text(b, r->reason);
    p_text(b, r->execution_id);
    p_time(b, now);
    p_money(b, r->realized_pnl);
}

static void read_trade(struct cols *c, void *row)
{
    struct jutsu_trade_row *r = row;
    r->id = r_id(c);
    r->strategy_id = r_text(c);
    r->mode = r_text(c);
    r->symbol = r_text(c);
    r->ts = r_time(c);
    r->action = r_text(c);
    r->quantity = r_int(c);
    r->target_price = r_money(c);
    r->fill_price = r_money(c);
    r->fill_value = r_money(c);
    r->slippage_pct = r_fixed(c, 6);
    r->schwab_order_id = r_text(c);
    r->strategy_cell = r_int(c);
    r->trend_state = r_text(c);
    r->vol_state = r_text(c);
    r->t_norm = r_fixed(c, 6);
    r->z_score = r_fixed(c, 6);
    r->reason = r_text(c);
    r->execution_id = r_text(c);
    r->created_at = r_time(c);
    r->realized_pnl = r_money(c);
}

/* Steps INSERT ... RETURNING id: one row, then done. */
static int step_returning(jutsu_dbs *s, jutsu_stmt *st, const char *what, int64_t *id)
{
    int rc = s->ops->step(st);
    if (rc < 0)
        return q_fail(s, rc, what);
    if (rc != JUTSU_DB_ROW)
        return jutsu_dbs_fail(s, JUTSU_EDB, "%s: the database returned no id", what);
    *id = c_int(s, st, 0, 0);
    rc = s->ops->step(st);
    return rc < 0 ? q_fail(s, rc, what) : 0;
}

int jutsu_data_trade_insert(jutsu_dbs *s, const struct jutsu_trade_row *row, int64_t *id)
{
    static const char sql[] = "INSERT INTO live_trades (" TRADE_COLS ") VALUES ($1, $2, $3, "
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) "
        "RETURNING id";
    int rc, own;
    if ((rc = check_rules(s, "live_trades", row, trade_rules, NRULES(trade_rules))) ||
        (rc = check_positive(s, "live_trades", "quantity", row->quantity)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    int64_t new_id = 0;
    rc = q_prepare(s, sql, &st);
    if (rc == 0) {
        struct binds b = { s, st, 0, 0 };
        bind_trade(&b, row, jutsu_dbs_now(s));
        rc = b.rc ? b.rc : step_returning(s, st, "live_trades: insert", &new_id);
    }
    q_done(s, st);
    rc = tx_leave(s, own, rc);
    if (rc == 0 && id)
        *id = new_id;
    return rc;
}

int jutsu_data_trades_range(jutsu_dbs *s, const char *strategy_id, const char *mode,
                            jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg)
{
    static const char sql[] = "SELECT id, " TRADE_COLS " FROM live_trades "
        "WHERE strategy_id = $1 AND mode = $2 AND timestamp BETWEEN $3 AND $4 "
        "ORDER BY timestamp, id";
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_scope(s, "live_trades", "strategy_id", strategy_id, mode)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, strategy_id);
    p_text(&b, mode);
    p_time(&b, from);
    p_time(&b, to);
    struct jutsu_trade_row r;
    return read_each(&b, "live_trades: range read", read_trade, &r, fn, arg);
}

/* --- positions ------------------------------------------------------------ */

#define POSITION_COLS "strategy_id, mode, symbol, quantity, avg_cost, market_value, " \
    "unrealized_pnl, last_updated"

static void read_position(struct cols *c, void *row)
{
    struct jutsu_position_row *r = row;
    r->strategy_id = r_text(c);
    r->mode = r_text(c);
    r->symbol = r_text(c);
    r->quantity = r_int(c);
    r->avg_cost = r_money(c);
    r->market_value = r_money(c);
    r->unrealized_pnl = r_money(c);
    r->last_updated = r_time(c);
}

int jutsu_data_position_get(jutsu_dbs *s, const char *strategy_id, const char *mode,
                            const char *symbol, struct jutsu_position_row *out)
{
    static const char sql[] = "SELECT " POSITION_COLS " FROM positions "
        "WHERE strategy_id = $1 AND mode = $2 AND symbol = $3";
    dbs_arena_reset(s);
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_scope(s, "positions", "strategy_id", strategy_id, mode)) ||
        (b.rc = check_text(s, "positions", "symbol", symbol, 10, 1)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, strategy_id);
    p_text(&b, mode);
    p_text(&b, symbol);
    int rc = read_one(&b, "positions: read", read_position, out);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "positions: no position in %s for %s (%s)", symbol,
                            strategy_id, mode);
    return rc;
}

int jutsu_data_positions_list(jutsu_dbs *s, const char *strategy_id, const char *mode,
                              jutsu_row_fn fn, void *arg)
{
    static const char sql[] = "SELECT " POSITION_COLS " FROM positions "
        "WHERE strategy_id = $1 AND mode = $2 ORDER BY symbol";
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_scope(s, "positions", "strategy_id", strategy_id, mode)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, strategy_id);
    p_text(&b, mode);
    struct jutsu_position_row r;
    return read_each(&b, "positions: list", read_position, &r, fn, arg);
}

int jutsu_data_position_upsert(jutsu_dbs *s, const struct jutsu_position_row *row)
{
    static const char sql[] = "INSERT INTO positions (" POSITION_COLS ") "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (symbol, mode, strategy_id) DO UPDATE SET "
        "quantity = excluded.quantity, avg_cost = excluded.avg_cost, "
        "market_value = excluded.market_value, unrealized_pnl = excluded.unrealized_pnl, "
        "last_updated = excluded.last_updated";
    int rc, own;
    if ((rc = check_rules(s, "positions", row, position_rules, NRULES(position_rules))) != 0)
        return rc;
    /* a flat position is a row with 0 shares; short positions are not modelled */
    if (row->quantity < 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "positions.quantity: %ld is negative",
                              (long)row->quantity);
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    if ((rc = q_prepare(s, sql, &st)) == 0) {
        struct binds b = { s, st, 0, 0 };
        p_text(&b, row->strategy_id);
        p_text(&b, row->mode);
        p_text(&b, row->symbol);
        p_int(&b, row->quantity);
        p_money(&b, row->avg_cost);
        p_money(&b, row->market_value);
        p_money(&b, row->unrealized_pnl);
        p_time(&b, row->last_updated ? row->last_updated : jutsu_dbs_now(s));
        rc = write_one(&b, "positions: upsert");
    }
    return tx_leave(s, own, rc);
}

int jutsu_data_position_delete(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               const char *symbol)
{
    int rc, own;
    if ((rc = check_scope(s, "positions", "strategy_id", strategy_id, mode)) ||
        (rc = check_text(s, "positions", "symbol", symbol, 10, 1)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    if ((rc = q_prepare(s, "DELETE FROM positions WHERE strategy_id = $1 AND mode = $2 AND "
                           "symbol = $3", &st)) == 0) {
        struct binds b = { s, st, 0, 0 };
        p_text(&b, strategy_id);
        p_text(&b, mode);
        p_text(&b, symbol);
        rc = write_one(&b, "positions: delete");
    }
    return tx_leave(s, own, rc);
}

/* --- performance_snapshots ------------------------------------------------ */

#define SNAPSHOT_COLS "strategy_id, mode, timestamp, total_equity, cash, positions_value, " \
    "daily_return, cumulative_return, drawdown, strategy_cell, trend_state, vol_state, " \
    "snapshot_source, t_norm, z_score, sma_fast, sma_slow, positions_json, baseline_value, " \
    "baseline_return"

static void bind_snapshot(struct binds *b, const struct jutsu_snapshot_row *r)
{
    const char *source = r->snapshot_source && *r->snapshot_source ? r->snapshot_source
                                                                    : "scheduler";
    p_text(b, r->strategy_id);
    p_text(b, r->mode);
    p_time(b, r->ts);
    p_money(b, r->total_equity);
    p_money(b, r->cash);
    p_money(b, r->positions_value);
    p_fixed(b, r->daily_return, 6);
    p_fixed(b, r->cumulative_return, 6);
    p_fixed(b, r->drawdown, 6);
    p_int(b, r->strategy_cell);
    p_text(b, r->trend_state);
    p_text(b, r->vol_state);
    p_text(b, source);
    p_fixed(b, r->t_norm, 6);
    p_fixed(b, r->z_score, 6);
    p_money(b, r->sma_fast);
    p_money(b, r->sma_slow);
    p_text(b, r->positions_json);
    p_money(b, r->baseline_value);
    p_fixed(b, r->baseline_return, 6);
}

static void read_snapshot(struct cols *c, void *row)
{
    struct jutsu_snapshot_row *r = row;
    r->id = r_id(c);
    r->strategy_id = r_text(c);
    r->mode = r_text(c);
    r->ts = r_time(c);
    r->total_equity = r_money(c);
    r->cash = r_money(c);
    r->positions_value = r_money(c);
    r->daily_return = r_fixed(c, 6);
    r->cumulative_return = r_fixed(c, 6);
    r->drawdown = r_fixed(c, 6);
    r->strategy_cell = r_int(c);
    r->trend_state = r_text(c);
    r->vol_state = r_text(c);
    r->snapshot_source = r_text(c);
    r->t_norm = r_fixed(c, 6);
    r->z_score = r_fixed(c, 6);
    r->sma_fast = r_money(c);
    r->sma_slow = r_money(c);
    r->positions_json = r_text(c);
    r->baseline_value = r_money(c);
    r->baseline_return = r_fixed(c, 6);
}

int jutsu_data_snapshot_upsert(jutsu_dbs *s, const struct jutsu_snapshot_row *row)
{
    /* created_at keeps the first recording's time: it says when the row
     * appeared, the rest says what it holds now */
    static const char sql[] = "INSERT INTO performance_snapshots (" SNAPSHOT_COLS
        ", created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20, $21) "
        "ON CONFLICT (mode, strategy_id, timestamp) DO UPDATE SET "
        "total_equity = excluded.total_equity, cash = excluded.cash, "
        "positions_value = excluded.positions_value, daily_return = excluded.daily_return, "
        "cumulative_return = excluded.cumulative_return, drawdown = excluded.drawdown, "
        "strategy_cell = excluded.strategy_cell, trend_state = excluded.trend_state, "
        "vol_state = excluded.vol_state, snapshot_source = excluded.snapshot_source, "
        "t_norm = excluded.t_norm, z_score = excluded.z_score, sma_fast = excluded.sma_fast, "
        "sma_slow = excluded.sma_slow, positions_json = excluded.positions_json, "
        "baseline_value = excluded.baseline_value, baseline_return = excluded.baseline_return";
    int rc, own;
    if ((rc = check_rules(s, "performance_snapshots", row, snapshot_rules,
                          NRULES(snapshot_rules))) != 0)
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    if ((rc = q_prepare(s, sql, &st)) == 0) {
        struct binds b = { s, st, 0, 0 };
        bind_snapshot(&b, row);
        p_time(&b, jutsu_dbs_now(s));
        rc = write_one(&b, "performance_snapshots: upsert");
    }
    return tx_leave(s, own, rc);
}

int jutsu_data_snapshot_latest(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               jutsu_time_t at_or_before, struct jutsu_snapshot_row *out)
{
    static const char sql[] = "SELECT id, " SNAPSHOT_COLS " FROM performance_snapshots "
        "WHERE strategy_id = $1 AND mode = $2 AND timestamp <= $3 "
        "ORDER BY timestamp DESC LIMIT 1";   /* (mode, strategy_id, timestamp) is unique, and
                                               a tie-breaker would cost an index-order scan */
    dbs_arena_reset(s);
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_scope(s, "performance_snapshots", "strategy_id", strategy_id, mode)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, strategy_id);
    p_text(&b, mode);
    p_time(&b, at_or_before);
    int rc = read_one(&b, "performance_snapshots: read", read_snapshot, out);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "performance_snapshots: no snapshot of %s (%s) at or "
                            "before that time", strategy_id, mode);
    return rc;
}

int jutsu_data_snapshots_range(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg)
{
    static const char sql[] = "SELECT id, " SNAPSHOT_COLS " FROM performance_snapshots "
        "WHERE strategy_id = $1 AND mode = $2 AND timestamp BETWEEN $3 AND $4 "
        "ORDER BY timestamp";
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_scope(s, "performance_snapshots", "strategy_id", strategy_id, mode)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, strategy_id);
    p_text(&b, mode);
    p_time(&b, from);
    p_time(&b, to);
    struct jutsu_snapshot_row r;
    return read_each(&b, "performance_snapshots: range read", read_snapshot, &r, fn, arg);
}
