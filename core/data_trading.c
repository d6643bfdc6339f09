/*
 * core/data_trading.c — the trading tables: live_trades, positions,
 * performance_snapshots, daily_performance.
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
#include "data_api.h"
#include "store.h"

/* --- rules -------------------------------------------------------------- */

enum rule_kind { R_TEXT, R_ENUM, R_MONEY, R_FIXED };

/* One column's constraint: for R_TEXT `a` is the length; for R_FIXED `a`,
 * `b` are NUMERIC(a,b). */
struct col_rule {
    const char              *col;
    size_t                   off;
    enum rule_kind           kind;
    int                      a, b;
    int                      required;
    const char *const       *choices;
};

static const char *const actions[] = { "BUY", "SELL", NULL };
static const char *const snapshot_sources[] = { "scheduler", "refresh", "manual", "backtest",
                                                NULL };
static const char *const entity_types[] = { "strategy", "baseline", NULL };

#define TEXT(st, f, max, req)  { #f, offsetof(st, f), R_TEXT, max, 0, req, NULL }
#define ENUM(st, f, ch, req)   { #f, offsetof(st, f), R_ENUM, 0, 0, req, ch }
#define MONEY(st, f, req)      { #f, offsetof(st, f), R_MONEY, 0, 0, req, NULL }
#define FIXED(st, f, p, sc, req) { #f, offsetof(st, f), R_FIXED, p, sc, req, NULL }

#define TR struct jutsu_trade_row
static const struct col_rule trade_rules[] = {
    TEXT(TR, strategy_id, 50, 1),     ENUM(TR, mode, jutsu_modes, 1),
    TEXT(TR, symbol, 10, 1),          ENUM(TR, action, actions, 1),
    MONEY(TR, target_price, 1),       MONEY(TR, fill_price, 0),
    MONEY(TR, fill_value, 0),         FIXED(TR, slippage_pct, 10, 6, 0),
    TEXT(TR, schwab_order_id, 50, 0), TEXT(TR, trend_state, 20, 0),
    TEXT(TR, vol_state, 10, 0),       FIXED(TR, t_norm, 10, 6, 0),
    FIXED(TR, z_score, 10, 6, 0),     TEXT(TR, reason, 50, 0),
    TEXT(TR, execution_id, 8, 0),
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

#define DR struct jutsu_daily_perf_row
static const struct col_rule daily_perf_rules[] = {
    ENUM(DR, entity_type, entity_types, 1), TEXT(DR, entity_id, 50, 1),
    ENUM(DR, mode, jutsu_modes, 1),
    MONEY(DR, total_equity, 1),       MONEY(DR, cash, 0),
    MONEY(DR, positions_value, 0),
    FIXED(DR, daily_return, 10, 6, 1), FIXED(DR, cumulative_return, 10, 6, 1),
    FIXED(DR, drawdown, 10, 6, 0),    FIXED(DR, sharpe_ratio, 10, 6, 0),
    FIXED(DR, sortino_ratio, 10, 6, 0), FIXED(DR, calmar_ratio, 10, 6, 0),
    FIXED(DR, max_drawdown, 10, 6, 0), FIXED(DR, volatility, 10, 6, 0),
    FIXED(DR, cagr, 10, 6, 0),
    TEXT(DR, trend_state, 20, 0),     TEXT(DR, vol_state, 10, 0),
    FIXED(DR, t_norm, 10, 6, 0),      FIXED(DR, z_score, 10, 6, 0),
    MONEY(DR, sma_fast, 0),           MONEY(DR, sma_slow, 0),
    FIXED(DR, win_rate, 5, 2, 0),     TEXT(DR, baseline_symbol, 20, 0),
    MONEY(DR, initial_capital, 0),    MONEY(DR, high_water_mark, 0),
    FIXED(DR, returns_sum, 18, 8, 0), FIXED(DR, returns_sum_sq, 18, 8, 0),
    FIXED(DR, downside_sum_sq, 18, 8, 0),
};
#undef DR

#define NRULES(r) (sizeof(r) / sizeof((r)[0]))

static int check_rules(jutsu_dbs *s, const char *table, const void *row,
                       const struct col_rule *rules, size_t n)
{
    const char *base = row;
    for (size_t i = 0; i < n; i++) {
        const struct col_rule *r = &rules[i];
        const void *f = base + r->off;
        int rc = 0;
        switch (r->kind) {
        case R_TEXT:
            rc = check_text(s, table, r->col, *(const char *const *)f, (size_t)r->a,
                            r->required);
            break;
        case R_ENUM:
            rc = check_enum(s, table, r->col, *(const char *const *)f, r->choices, r->required);
            break;
        case R_MONEY:
            rc = check_money(s, table, r->col, *(const jutsu_money_t *)f, r->required);
            break;
        case R_FIXED:
            rc = check_fixed(s, table, r->col, *(const double *)f, r->a, r->b, r->required);
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The (strategy, mode) every trading read is scoped to: both required, so a
 * NULL never turns into "no filter" or a silent empty answer. */
static int check_scope(jutsu_dbs *s, const char *table, const char *id_col, const char *id,
                       const char *mode)
{
    int rc;
    if ((rc = check_text(s, table, id_col, id, 50, 1)) ||
        (rc = check_enum(s, table, "mode", mode, jutsu_modes, 1)))
        return rc;
    return 0;
}

static int check_entity(jutsu_dbs *s, const char *type, const char *id, const char *mode)
{
    int rc = check_enum(s, "daily_performance", "entity_type", type, entity_types, 1);
    return rc ? rc : check_scope(s, "daily_performance", "entity_id", id, mode);
}

/* --- binding parameters $1, $2, ... in order; the first failure sticks -- */

struct binds {
    jutsu_dbs  *s;
    jutsu_stmt *st;
    int         i;
    int         rc;
};

/* Each binds the next parameter unless an earlier one failed. */
static void p_text(struct binds *b, const char *v)
{ if (b->rc == 0) b->rc = b_text(b->s, b->st, ++b->i, v); }
static void p_int(struct binds *b, int32_t v)
{ if (b->rc == 0) b->rc = b_int_null(b->s, b->st, ++b->i, v); }
static void p_money(struct binds *b, jutsu_money_t v)
{ if (b->rc == 0) b->rc = b_money(b->s, b->st, ++b->i, v); }
static void p_fixed(struct binds *b, double v, int scale)
{ if (b->rc == 0) b->rc = b_fixed(b->s, b->st, ++b->i, v, scale); }
static void p_time(struct binds *b, jutsu_time_t v)
{ if (b->rc == 0) b->rc = b_time(b->s, b->st, ++b->i, v); }
static void p_date(struct binds *b, jutsu_date_t v)
{ if (b->rc == 0) b->rc = b_date(b->s, b->st, ++b->i, v); }

/* A nullable BOOLEAN: JUTSU_INT_NULL is NULL, like the int columns. */
static void p_bool(struct binds *b, int32_t v)
{
    if (b->rc != 0)
        return;
    if (v != JUTSU_INT_NULL) {
        b->rc = b_bool(b->s, b->st, ++b->i, v);
        return;
    }
    struct jutsu_db_value null = jutsu_db_null();
    int rc = b->s->ops->bind(b->st, ++b->i, &null);
    b->rc = rc ? q_fail(b->s, rc, "bind") : 0;
}

/* --- reading columns 0, 1, ... in order ---------------------------------
 * Statements, not one initializer: the order in which initializer
 * expressions run is unspecified, and the column counter depends on it. */

struct cols {
    jutsu_dbs  *s;
    jutsu_stmt *st;
    int         i;
    int         copy;   /* single-row gets copy text into the arena */
};

static const char *r_text(struct cols *c)
{ return c_text(c->s, c->st, c->i++, c->copy); }
static int64_t r_id(struct cols *c)
{ return c_int(c->s, c->st, c->i++, 0); }
static int32_t r_int(struct cols *c)
{ return (int32_t)c_int(c->s, c->st, c->i++, JUTSU_INT_NULL); }
static jutsu_money_t r_money(struct cols *c)
{ return c_money(c->s, c->st, c->i++); }
static double r_fixed(struct cols *c, int scale)
{ return c_fixed(c->s, c->st, c->i++, scale); }
static jutsu_time_t r_time(struct cols *c)
{ return c_time(c->s, c->st, c->i++); }
static jutsu_date_t r_date(struct cols *c)
{ return c_date(c->s, c->st, c->i++); }

static int32_t r_bool(struct cols *c)
{
    struct jutsu_db_value v;
    if (c->s->ops->column(c->st, c->i++, JUTSU_DB_BOOL, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return JUTSU_INT_NULL;
    return v.v.i != 0;
}

typedef void (*row_reader)(struct cols *c, void *row);

/* Steps a bound statement, handing each row to fn; finalizes it (also
 * when binding failed, which is then the result). */
static int read_each(struct binds *b, const char *what, row_reader rd, void *row,
                     jutsu_row_fn fn, void *arg)
{
    jutsu_dbs *s = b->s;
    jutsu_stmt *st = b->st;
    int rc;
    if (b->rc) {
        q_done(s, st);
        return b->rc;
    }
    while ((rc = s->ops->step(st)) == JUTSU_DB_ROW) {
        struct cols c = { s, st, 0, 0 };
        rd(&c, row);
        int stop = fn(row, arg);
        if (stop) {
            q_done(s, st);
            return stop;
        }
    }
    if (rc < 0)
        rc = q_fail(s, rc, what);
    q_done(s, st);
    return rc < 0 ? rc : 0;
}

/* Reads the first row of a bound statement into `row`; JUTSU_ENOENT with
 * no message when there is none (the caller names what was missing). */
static int read_one(struct binds *b, const char *what, row_reader rd, void *row)
{
    jutsu_dbs *s = b->s;
    jutsu_stmt *st = b->st;
    if (b->rc) {
        q_done(s, st);
        return b->rc;
    }
    int rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        struct cols c = { s, st, 0, 1 };
        rd(&c, row);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = JUTSU_ENOENT;
    } else {
        rc = q_fail(s, rc, what);
    }
    q_done(s, st);
    return rc;
}

/* Runs a bound write (the caller is inside tx_enter/tx_leave). */
static int write_one(struct binds *b, const char *what)
{
    int rc = b->rc ? b->rc : q_exec(b->s, b->st, what);
    q_done(b->s, b->st);
    return rc;
}

/* --- live_trades ---------------------------------------------------------- */

#define TRADE_COLS "strategy_id, mode, symbol, timestamp, action, quantity, target_price, " \
    "fill_price, fill_value, slippage_pct, schwab_order_id, strategy_cell, trend_state, " \
    "vol_state, t_norm, z_score, reason, execution_id, created_at"

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
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) "
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
        bind_trade(&b, row, jutsu_app_now(s->app));
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
        p_time(&b, row->last_updated ? row->last_updated : jutsu_app_now(s->app));
        rc = write_one(&b, "positions: upsert");
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
        p_time(&b, jutsu_app_now(s->app));
        rc = write_one(&b, "performance_snapshots: upsert");
    }
    return tx_leave(s, own, rc);
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

/* --- daily_performance ----------------------------------------------------- */

#define DAILY_KEY_COLS "trading_date, entity_type, entity_id, mode"
#define DAILY_COLS "total_equity, cash, positions_value, positions_json, daily_return, " \
    "cumulative_return, drawdown, sharpe_ratio, sortino_ratio, calmar_ratio, max_drawdown, " \
    "volatility, cagr, strategy_cell, trend_state, vol_state, t_norm, z_score, sma_fast, " \
    "sma_slow, total_trades, winning_trades, losing_trades, win_rate, baseline_symbol, " \
    "initial_capital, high_water_mark, trading_days_count, days_since_previous, " \
    "is_first_day, returns_sum, returns_sum_sq, downside_sum_sq, returns_count, finalized_at"
#define DAILY_SELECT "SELECT id, " DAILY_KEY_COLS ", " DAILY_COLS " FROM daily_performance "

static void bind_daily_perf(struct binds *b, const struct jutsu_daily_perf_row *r,
                            jutsu_time_t now)
{
    p_date(b, r->trading_date);
    p_text(b, r->entity_type);
    p_text(b, r->entity_id);
    p_text(b, r->mode);
    p_money(b, r->total_equity);
    p_money(b, r->cash);
    p_money(b, r->positions_value);
    p_text(b, r->positions_json);
    p_fixed(b, r->daily_return, 6);
    p_fixed(b, r->cumulative_return, 6);
    p_fixed(b, r->drawdown, 6);
    p_fixed(b, r->sharpe_ratio, 6);
    p_fixed(b, r->sortino_ratio, 6);
    p_fixed(b, r->calmar_ratio, 6);
    p_fixed(b, r->max_drawdown, 6);
    p_fixed(b, r->volatility, 6);
    p_fixed(b, r->cagr, 6);
    p_int(b, r->strategy_cell);
    p_text(b, r->trend_state);
    p_text(b, r->vol_state);
    p_fixed(b, r->t_norm, 6);
    p_fixed(b, r->z_score, 6);
    p_money(b, r->sma_fast);
    p_money(b, r->sma_slow);
    p_int(b, r->total_trades);
    p_int(b, r->winning_trades);
    p_int(b, r->losing_trades);
    p_fixed(b, r->win_rate, 2);
    p_text(b, r->baseline_symbol);
    p_money(b, r->initial_capital);
    p_money(b, r->high_water_mark);
    p_int(b, r->trading_days_count);
    p_int(b, r->days_since_previous);
    p_bool(b, r->is_first_day);
    p_fixed(b, r->returns_sum, 8);
    p_fixed(b, r->returns_sum_sq, 8);
    p_fixed(b, r->downside_sum_sq, 8);
    p_int(b, r->returns_count);
    p_time(b, r->finalized_at ? r->finalized_at : now);
}

static void read_daily_perf(struct cols *c, void *row)
{
    struct jutsu_daily_perf_row *r = row;
    r->id = r_id(c);
    r->trading_date = r_date(c);
    r->entity_type = r_text(c);
    r->entity_id = r_text(c);
    r->mode = r_text(c);
    r->total_equity = r_money(c);
    r->cash = r_money(c);
    r->positions_value = r_money(c);
    r->positions_json = r_text(c);
    r->daily_return = r_fixed(c, 6);
    r->cumulative_return = r_fixed(c, 6);
    r->drawdown = r_fixed(c, 6);
    r->sharpe_ratio = r_fixed(c, 6);
    r->sortino_ratio = r_fixed(c, 6);
    r->calmar_ratio = r_fixed(c, 6);
    r->max_drawdown = r_fixed(c, 6);
    r->volatility = r_fixed(c, 6);
    r->cagr = r_fixed(c, 6);
    r->strategy_cell = r_int(c);
    r->trend_state = r_text(c);
    r->vol_state = r_text(c);
    r->t_norm = r_fixed(c, 6);
    r->z_score = r_fixed(c, 6);
    r->sma_fast = r_money(c);
    r->sma_slow = r_money(c);
    r->total_trades = r_int(c);
    r->winning_trades = r_int(c);
    r->losing_trades = r_int(c);
    r->win_rate = r_fixed(c, 2);
    r->baseline_symbol = r_text(c);
    r->initial_capital = r_money(c);
    r->high_water_mark = r_money(c);
    r->trading_days_count = r_int(c);
    r->days_since_previous = r_int(c);
    r->is_first_day = r_bool(c);
    r->returns_sum = r_fixed(c, 8);
    r->returns_sum_sq = r_fixed(c, 8);
    r->downside_sum_sq = r_fixed(c, 8);
    r->returns_count = r_int(c);
    r->finalized_at = r_time(c);
}

int jutsu_data_daily_perf_upsert(jutsu_dbs *s, const struct jutsu_daily_perf_row *row)
{
    static const char sql[] = "INSERT INTO daily_performance (" DAILY_KEY_COLS ", " DAILY_COLS
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
        "$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, "
        "$34, $35, $36, $37, $38, $39) "
        "ON CONFLICT (trading_date, entity_type, entity_id, mode) DO UPDATE SET "
        "total_equity = excluded.total_equity, cash = excluded.cash, "
        "positions_value = excluded.positions_value, positions_json = excluded.positions_json, "
        "daily_return = excluded.daily_return, cumulative_return = excluded.cumulative_return, "
        "drawdown = excluded.drawdown, sharpe_ratio = excluded.sharpe_ratio, "
        "sortino_ratio = excluded.sortino_ratio, calmar_ratio = excluded.calmar_ratio, "
        "max_drawdown = excluded.max_drawdown, volatility = excluded.volatility, "
        "cagr = excluded.cagr, strategy_cell = excluded.strategy_cell, "
        "trend_state = excluded.trend_state, vol_state = excluded.vol_state, "
        "t_norm = excluded.t_norm, z_score = excluded.z_score, sma_fast = excluded.sma_fast, "
        "sma_slow = excluded.sma_slow, total_trades = excluded.total_trades, "
        "winning_trades = excluded.winning_trades, losing_trades = excluded.losing_trades, "
        "win_rate = excluded.win_rate, baseline_symbol = excluded.baseline_symbol, "
        "initial_capital = excluded.initial_capital, "
        "high_water_mark = excluded.high_water_mark, "
        "trading_days_count = excluded.trading_days_count, "
        "days_since_previous = excluded.days_since_previous, "
        "is_first_day = excluded.is_first_day, returns_sum = excluded.returns_sum, "
        "returns_sum_sq = excluded.returns_sum_sq, downside_sum_sq = excluded.downside_sum_sq, "
        "returns_count = excluded.returns_count, finalized_at = excluded.finalized_at";
    int rc, own;
    if ((rc = check_rules(s, "daily_performance", row, daily_perf_rules,
                          NRULES(daily_perf_rules))) != 0)
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    if ((rc = q_prepare(s, sql, &st)) == 0) {
        struct binds b = { s, st, 0, 0 };
        bind_daily_perf(&b, row, jutsu_app_now(s->app));
        rc = write_one(&b, "daily_performance: upsert");
    }
    return tx_leave(s, own, rc);
}

/* The single-row reads of daily_performance: `sql` takes entity_type,
 * entity_id, mode and a date; `missing` words the ENOENT message. */
static int daily_perf_one(jutsu_dbs *s, const char *sql, const char *entity_type,
                          const char *entity_id, const char *mode, jutsu_date_t date,
                          const char *missing, struct jutsu_daily_perf_row *out)
{
    dbs_arena_reset(s);
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_entity(s, entity_type, entity_id, mode)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, entity_type);
    p_text(&b, entity_id);
    p_text(&b, mode);
    p_date(&b, date);
    int rc = read_one(&b, "daily_performance: read", read_daily_perf, out);
    if (rc == JUTSU_ENOENT) {
        char day[JUTSU_DATE_BUFSZ];
        if (jutsu_date_format(date, day) < 0)
            snprintf(day, sizeof(day), "day %ld", (long)date);
        rc = jutsu_dbs_fail(s, rc, "daily_performance: no row %s %s for %s %s (%s)", missing,
                            day, entity_type, entity_id, mode);
    }
    return rc;
}

int jutsu_data_daily_perf_get(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                              const char *mode, jutsu_date_t date,
                              struct jutsu_daily_perf_row *out)
{
    static const char sql[] = DAILY_SELECT "WHERE entity_type = $1 AND entity_id = $2 "
        "AND mode = $3 AND trading_date = $4";
    return daily_perf_one(s, sql, entity_type, entity_id, mode, date, "on", out);
}

int jutsu_data_daily_perf_prev(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                               const char *mode, jutsu_date_t date,
                               struct jutsu_daily_perf_row *out)
{
    static const char sql[] = DAILY_SELECT "WHERE entity_type = $1 AND entity_id = $2 "
        "AND mode = $3 AND trading_date < $4 ORDER BY trading_date DESC LIMIT 1";
    return daily_perf_one(s, sql, entity_type, entity_id, mode, date, "before", out);
}

int jutsu_data_daily_perf_range(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                const char *mode, jutsu_date_t from, jutsu_date_t to,
                                jutsu_row_fn fn, void *arg)
{
    static const char sql[] = DAILY_SELECT "WHERE entity_type = $1 AND entity_id = $2 "
        "AND mode = $3 AND trading_date BETWEEN $4 AND $5 ORDER BY trading_date";
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_entity(s, entity_type, entity_id, mode)) ||
        (b.rc = q_prepare(s, sql, &b.st)))
        return b.rc;
    p_text(&b, entity_type);
    p_text(&b, entity_id);
    p_text(&b, mode);
    p_date(&b, from);
    p_date(&b, to);
    struct jutsu_daily_perf_row r;
    return read_each(&b, "daily_performance: range read", read_daily_perf, &r, fn, arg);
}
