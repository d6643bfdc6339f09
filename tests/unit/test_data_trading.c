/*
 * tests/unit/test_data_trading.c — the trading tables' data API
 * (core/store/data_trading.c) on real SQLite and PostgreSQL databases: every
 * column round-trips (NULLs and exact money included), upserts replace,
 * no read ever returns another strategy's or mode's rows, refusals write
 * nothing and name table.column, and calls join the caller's transaction.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"
#include "testdb.h"

#define SEC     INT64_C(1000000)
#define T0      INT64_C(1736433000000000)   /* 2025-01-09T14:30:00Z */
#define NOW     INT64_C(1736500000123456)   /* the injected clock   */
#define BIG     INT64_C(999999999999999999) /* 999999999999.999999  */
#define TINY    INT64_C(1)                  /* 0.000001             */
#define NEG     INT64_C(-123456789)         /* -123.456789          */
#define DAY     (86400 * SEC)

/* NOW, or later when a test moves app->clock_arg (an offset in µs). */
static jutsu_time_t fixed_clock(void *arg)
{
    return NOW + (intptr_t)arg;
}

/* Opens backend i with the fixed clock; 0 when PostgreSQL is skipped. */
static int open_db(struct tdb *t, int i)
{
    tdb_open(t, i, 1);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    t->app->clock = fixed_clock;
    t->app->clock_arg = NULL;
    return 1;
}

static void ok(struct tdb *t, int rc)
{
    ck_assert_msg(rc == 0, "%s: rc %d: %s", t->backend, rc, jutsu_dbs_error(t->s));
}

/* --- comparing rows -------------------------------------------------------- */

static void eq_text(const char *got, const char *want, const char *what)
{
    if (want == NULL || *want == '\0') {
        ck_assert_msg(got == NULL, "%s: wrote NULL, read \"%s\"", what, got);
        return;
    }
    ck_assert_msg(got != NULL, "%s: wrote \"%s\", read NULL", what, want);
    ck_assert_msg(strcmp(got, want) == 0, "%s: wrote \"%s\", read \"%s\"", what, want, got);
}

/* Written as a double, stored at `scale` decimals: within half a unit. */
static void eq_fixed(double got, double want, int scale, const char *what)
{
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s: wrote NaN (NULL), read %.10f", what, got);
        return;
    }
    double tol = 0.5 / pow(10.0, scale) + 1e-12;
    ck_assert_msg(fabs(got - want) <= tol, "%s: wrote %.10f, read %.10f", what, want, got);
}

#define EQ_T(f)     eq_text(g->f, w->f, #f)
#define EQ_I(f)     ck_assert_msg(g->f == w->f, "%s: wrote %lld, read %lld", #f, \
                                  (long long)w->f, (long long)g->f)
#define EQ_F(f, sc) eq_fixed(g->f, w->f, sc, #f)

static void same_trade(const void *got, const void *want)
{
    const struct jutsu_trade_row *g = got, *w = want;
    EQ_T(strategy_id); EQ_T(mode); EQ_T(symbol); EQ_I(ts); EQ_T(action); EQ_I(quantity);
    EQ_I(target_price); EQ_I(fill_price); EQ_I(fill_value); EQ_F(slippage_pct, 6);
    EQ_T(schwab_order_id); EQ_I(strategy_cell); EQ_T(trend_state); EQ_T(vol_state);
    EQ_F(t_norm, 6); EQ_F(z_score, 6); EQ_T(reason); EQ_T(execution_id);
    EQ_I(realized_pnl);
    ck_assert_int_eq(g->created_at, NOW);
}

static void same_position(const void *got, const void *want)
{
    const struct jutsu_position_row *g = got, *w = want;
    EQ_T(strategy_id); EQ_T(mode); EQ_T(symbol); EQ_I(quantity); EQ_I(avg_cost);
    EQ_I(market_value); EQ_I(unrealized_pnl);
    ck_assert_int_eq(g->last_updated, w->last_updated ? w->last_updated : NOW);
}

static void same_snapshot(const void *got, const void *want)
{
    const struct jutsu_snapshot_row *g = got, *w = want;
    EQ_T(strategy_id); EQ_T(mode); EQ_I(ts); EQ_I(total_equity); EQ_I(cash);
    EQ_I(positions_value); EQ_F(daily_return, 6); EQ_F(cumulative_return, 6);
    EQ_F(drawdown, 6); EQ_I(strategy_cell); EQ_T(trend_state); EQ_T(vol_state);
    EQ_F(t_norm, 6); EQ_F(z_score, 6); EQ_I(sma_fast); EQ_I(sma_slow); EQ_T(positions_json);
    EQ_I(baseline_value); EQ_F(baseline_return, 6);
    if (w->snapshot_source && *w->snapshot_source)
        EQ_T(snapshot_source);
    else
        eq_text(g->snapshot_source, "scheduler", "snapshot_source (default)");
}

static void same_daily_perf(const void *got, const void *want)
{
    const struct jutsu_daily_perf_row *g = got, *w = want;
    EQ_I(trading_date); EQ_T(entity_type); EQ_T(entity_id); EQ_T(mode); EQ_I(total_equity);
    EQ_I(cash); EQ_I(positions_value); EQ_T(positions_json); EQ_F(daily_return, 6);
    EQ_F(cumulative_return, 6); EQ_F(drawdown, 6); EQ_F(sharpe_ratio, 6);
    EQ_F(sortino_ratio, 6); EQ_F(calmar_ratio, 6); EQ_F(max_drawdown, 6);
    EQ_F(volatility, 6); EQ_F(cagr, 6); EQ_I(strategy_cell); EQ_T(trend_state);
    EQ_T(vol_state); EQ_F(t_norm, 6); EQ_F(z_score, 6); EQ_I(sma_fast); EQ_I(sma_slow);
    EQ_I(total_trades); EQ_I(winning_trades); EQ_I(losing_trades); EQ_F(win_rate, 2);
    EQ_T(baseline_symbol); EQ_I(initial_capital); EQ_I(high_water_mark);
    EQ_I(trading_days_count); EQ_I(days_since_previous); EQ_I(is_first_day);
    EQ_F(returns_sum, 8); EQ_F(returns_sum_sq, 8); EQ_F(downside_sum_sq, 8);
    EQ_I(returns_count); EQ_I(welford_count); EQ_T(kpi_state);
    /* the running moments are DOUBLE PRECISION: exact, bit for bit */
    ck_assert_msg(memcmp(&g->welford_mean, &w->welford_mean, sizeof(double)) == 0 ||
                  (isnan(g->welford_mean) && isnan(w->welford_mean)),
                  "welford_mean: wrote %.17g, read %.17g", w->welford_mean, g->welford_mean);
    ck_assert_msg(memcmp(&g->welford_m2, &w->welford_m2, sizeof(double)) == 0 ||
                  (isnan(g->welford_m2) && isnan(w->welford_m2)),
                  "welford_m2: wrote %.17g, read %.17g", w->welford_m2, g->welford_m2);
    ck_assert_int_eq(g->finalized_at, w->finalized_at ? w->finalized_at : NOW);
}

/* A range read's callback: the rows must be exactly want[0..n), in order. */
struct expect {
    const void *want;
    size_t      size, n, seen;
    void      (*same)(const void *got, const void *want);
    int64_t     ids[8];     /* the ids read, where the row has one */
};

static int expect_fn(const void *row, void *arg)
{
    struct expect *e = arg;
    ck_assert_msg(e->seen < e->n, "row %zu read, only %zu expected", e->seen + 1, e->n);
    e->same(row, (const char *)e->want + e->seen * e->size);
    if (e->same == same_trade)
        e->ids[e->seen] = ((const struct jutsu_trade_row *)row)->id;
    e->seen++;
    return 0;
}

static int stop_fn(const void *row, void *arg)
{
    (void)row;
    (*(int *)arg)++;
    return 7;
}

/* --- rows ------------------------------------------------------------------ */

static struct jutsu_trade_row full_trade(const char *strategy, const char *mode, jutsu_time_t ts)
{
    struct jutsu_trade_row r = {
        .strategy_id = strategy, .mode = mode, .symbol = "TQQQ", .ts = ts, .action = "BUY",
        .quantity = 125, .target_price = BIG, .fill_price = TINY, .fill_value = NEG,
        .slippage_pct = 0.1234565, .schwab_order_id = "1002003004005", .strategy_cell = 3,
        .trend_state = "BullStrong", .vol_state = "Low", .t_norm = -9999.999999,
        .z_score = 9999.999999, .reason = "Signal Change", .execution_id = "a1b2c3d4",
        .realized_pnl = NEG,
    };
    return r;
}

static struct jutsu_trade_row null_trade(const char *strategy, const char *mode, jutsu_time_t ts)
{
    struct jutsu_trade_row r = {
        .strategy_id = strategy, .mode = mode, .symbol = "PSQ", .ts = ts, .action = "SELL",
        .quantity = 1, .target_price = NEG, .fill_price = JUTSU_MONEY_NULL,
        .fill_value = JUTSU_MONEY_NULL, .slippage_pct = NAN, .schwab_order_id = NULL,
        .strategy_cell = JUTSU_INT_NULL, .trend_state = "", .vol_state = NULL, .t_norm = NAN,
        .z_score = NAN, .reason = NULL, .execution_id = "", .realized_pnl = JUTSU_MONEY_NULL,
    };
    return r;
}

static struct jutsu_snapshot_row full_snapshot(const char *strategy, const char *mode,
                                               jutsu_time_t ts)
{
    struct jutsu_snapshot_row r = {
        .strategy_id = strategy, .mode = mode, .ts = ts, .total_equity = BIG, .cash = TINY,
        .positions_value = NEG, .daily_return = 0.1234565, .cumulative_return = -0.5,
        .drawdown = -0.000001, .strategy_cell = 6, .trend_state = "Sideways",
        .vol_state = "High", .snapshot_source = "refresh", .t_norm = 1.5, .z_score = -2.25,
        .sma_fast = INT64_C(512345678), .sma_slow = INT64_C(498765432),
        .positions_json = "[{\"symbol\":\"QQQ\",\"quantity\":10}]",
        .baseline_value = INT64_C(10000000000), .baseline_return = 0.0421,
    };
    return r;
}

static struct jutsu_snapshot_row null_snapshot(const char *strategy, const char *mode,
                                               jutsu_time_t ts)
{
    struct jutsu_snapshot_row r = {
        .strategy_id = strategy, .mode = mode, .ts = ts, .total_equity = TINY,
        .cash = JUTSU_MONEY_NULL, .positions_value = JUTSU_MONEY_NULL, .daily_return = NAN,
        .cumulative_return = NAN, .drawdown = NAN, .strategy_cell = JUTSU_INT_NULL,
        .t_norm = NAN, .z_score = NAN, .sma_fast = JUTSU_MONEY_NULL,
        .sma_slow = JUTSU_MONEY_NULL, .baseline_value = JUTSU_MONEY_NULL,
        .baseline_return = NAN,
    };
    return r;
}

static struct jutsu_daily_perf_row full_perf(const char *entity, const char *mode,
                                             jutsu_date_t d)
{
    struct jutsu_daily_perf_row r = {
        .trading_date = d, .entity_type = "strategy", .entity_id = entity, .mode = mode,
        .total_equity = BIG, .cash = TINY, .positions_value = NEG,
        .positions_json = "[{\"symbol\":\"TQQQ\",\"quantity\":125,\"value\":9876.5}]",
        .daily_return = 0.1234565, .cumulative_return = -0.987654, .drawdown = -0.25,
        .sharpe_ratio = 9999.999999, .sortino_ratio = -9999.999999, .calmar_ratio = 0.000001,
        .max_drawdown = -0.333333, .volatility = 0.18, .cagr = 0.07,
        .strategy_cell = 1, .trend_state = "BullStrong", .vol_state = "Low",
        .t_norm = 0.4, .z_score = -1.1, .sma_fast = INT64_C(501250000),
        .sma_slow = INT64_C(480000001), .total_trades = 12, .winning_trades = 8,
        .losing_trades = 4, .win_rate = 66.67, .baseline_symbol = "QQQ",
        .initial_capital = INT64_C(10000000000), .high_water_mark = BIG,
        .trading_days_count = 250, .days_since_previous = 3, .is_first_day = 1,
        .returns_sum = 0.12345678, .returns_sum_sq = 12345.12345678,
        .downside_sum_sq = -0.00000001, .returns_count = 249,
        .finalized_at = NOW - 5 * SEC, .welford_count = 249,
        .welford_mean = 1.0 / 3.0, .welford_m2 = 0.00012345678901234567,
        .kpi_state = "{\"kpi\":{\"n\":249,\"mean\":0.33333333333333331}}",
    };
    return r;
}

static struct jutsu_daily_perf_row null_perf(const char *entity, const char *mode,
                                             jutsu_date_t d)
{
    struct jutsu_daily_perf_row r = {
        .trading_date = d, .entity_type = "strategy", .entity_id = entity, .mode = mode,
        .total_equity = TINY, .cash = JUTSU_MONEY_NULL, .positions_value = JUTSU_MONEY_NULL,
        .daily_return = 0, .cumulative_return = 0, .drawdown = NAN, .sharpe_ratio = NAN,
        .sortino_ratio = NAN, .calmar_ratio = NAN, .max_drawdown = NAN, .volatility = NAN,
        .cagr = NAN, .strategy_cell = JUTSU_INT_NULL, .t_norm = NAN, .z_score = NAN,
        .sma_fast = JUTSU_MONEY_NULL, .sma_slow = JUTSU_MONEY_NULL,
        .total_trades = JUTSU_INT_NULL, .winning_trades = JUTSU_INT_NULL,
        .losing_trades = JUTSU_INT_NULL, .win_rate = NAN, .initial_capital = JUTSU_MONEY_NULL,
        .high_water_mark = JUTSU_MONEY_NULL, .trading_days_count = JUTSU_INT_NULL,
        .days_since_previous = JUTSU_INT_NULL, .is_first_day = JUTSU_INT_NULL,
        .returns_sum = NAN, .returns_sum_sq = NAN, .downside_sum_sq = NAN,
        .returns_count = JUTSU_INT_NULL, .welford_count = JUTSU_INT_NULL,
        .welford_mean = NAN, .welford_m2 = NAN, .kpi_state = NULL,
    };
    return r;
}

/* --- round trips ------------------------------------------------------------ */

START_TEST(trade_round_trip)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    /* inserted out of order: the read orders by timestamp, then id */
    struct jutsu_trade_row late = full_trade("v3_5b", "offline_mock", T0 + 2 * SEC);
    struct jutsu_trade_row first = full_trade("v3_5b", "offline_mock", T0);
    struct jutsu_trade_row nulls = null_trade("v3_5b", "offline_mock", T0);
    int64_t id_late = 0, id_first = 0, id_nulls = 0;
    ok(&t, jutsu_data_trade_insert(t.s, &late, &id_late));
    ok(&t, jutsu_data_trade_insert(t.s, &first, &id_first));
    ok(&t, jutsu_data_trade_insert(t.s, &nulls, &id_nulls));
    ck_assert_int_gt(id_late, 0);
    ck_assert_int_gt(id_first, id_late);
    ck_assert_int_gt(id_nulls, id_first);
    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 3);

    struct jutsu_trade_row want[] = { first, nulls, late };
    struct expect e = { want, sizeof(want[0]), 3, 0, same_trade, { 0 } };
    ok(&t, jutsu_data_trades_range(t.s, "v3_5b", "offline_mock", T0, T0 + 2 * SEC,
                                   expect_fn, &e));
    ck_assert_int_eq(e.seen, 3);
    ck_assert_int_eq(e.ids[0], id_first);
    ck_assert_int_eq(e.ids[1], id_nulls);
    ck_assert_int_eq(e.ids[2], id_late);

    /* the bounds are inclusive on both ends */
    struct expect only_late = { &late, sizeof(late), 1, 0, same_trade, { 0 } };
    ok(&t, jutsu_data_trades_range(t.s, "v3_5b", "offline_mock", T0 + 1, T0 + 2 * SEC,
                                   expect_fn, &only_late));
    ck_assert_int_eq(only_late.seen, 1);
    struct expect none = { want, sizeof(want[0]), 0, 0, same_trade, { 0 } };
    ok(&t, jutsu_data_trades_range(t.s, "v3_5b", "offline_mock", T0 + 1, T0 + 2 * SEC - 1,
                                   expect_fn, &none));

    /* a callback's nonzero return stops the read and is returned */
    int calls = 0;
    ck_assert_int_eq(jutsu_data_trades_range(t.s, "v3_5b", "offline_mock", T0, T0 + 2 * SEC,
                                             stop_fn, &calls), 7);
    ck_assert_int_eq(calls, 1);
    tdb_close(&t);
}
END_TEST

/* 0.1234565 is not exact in binary: the column keeps 6 decimals, rounded. */
static int ratio_fn(const void *row, void *arg)
{
    *(double *)arg = ((const struct jutsu_trade_row *)row)->slippage_pct;
    return 0;
}

START_TEST(ratio_rounding)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct jutsu_trade_row r = full_trade("v3_5b", "offline_mock", T0);
    ok(&t, jutsu_data_trade_insert(t.s, &r, NULL));
    double got = NAN;
    ok(&t, jutsu_data_trades_range(t.s, "v3_5b", "offline_mock", T0, T0, ratio_fn, &got));
    /* half a unit, plus the doubles' own error in the subtraction */
    ck_assert_msg(fabs(got - 0.1234565) <= 5e-7 + 1e-12, "read %.10f", got);
    long units = lround(got * 1e6);
    ck_assert_msg(units == 123456 || units == 123457, "read %.10f", got);
    ck_assert_msg(got == units / 1e6, "read %.10f: not a 6-decimal value", got);
    tdb_close(&t);
}
END_TEST

START_TEST(position_round_trip)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct jutsu_position_row qqq = {
        .strategy_id = "v3_5b", .mode = "offline_mock", .symbol = "QQQ", .quantity = 40,
        .avg_cost = BIG, .market_value = TINY, .unrealized_pnl = NEG, .last_updated = T0,
    };
    struct jutsu_position_row flat = {
        .strategy_id = "v3_5b", .mode = "offline_mock", .symbol = "PSQ", .quantity = 0,
        .avg_cost = JUTSU_MONEY_NULL, .market_value = JUTSU_MONEY_NULL,
        .unrealized_pnl = JUTSU_MONEY_NULL, .last_updated = 0,
    };
    ok(&t, jutsu_data_position_upsert(t.s, &qqq));
    ok(&t, jutsu_data_position_upsert(t.s, &flat));

    struct jutsu_position_row got;
    ok(&t, jutsu_data_position_get(t.s, "v3_5b", "offline_mock", "QQQ", &got));
    same_position(&got, &qqq);
    ok(&t, jutsu_data_position_get(t.s, "v3_5b", "offline_mock", "PSQ", &got));
    same_position(&got, &flat);

    struct jutsu_position_row want[] = { flat, qqq };   /* ORDER BY symbol */
    struct expect e = { want, sizeof(want[0]), 2, 0, same_position, { 0 } };
    ok(&t, jutsu_data_positions_list(t.s, "v3_5b", "offline_mock", expect_fn, &e));
    ck_assert_int_eq(e.seen, 2);

    /* the upsert replaces every column, NULLs included; still one row */
    struct jutsu_position_row qqq2 = qqq;
    qqq2.quantity = 7;
    qqq2.avg_cost = JUTSU_MONEY_NULL;
    qqq2.market_value = INT64_C(3500000000);
    qqq2.last_updated = 0;
    ok(&t, jutsu_data_position_upsert(t.s, &qqq2));
    ck_assert_int_eq(tdb_count(&t, "positions", "symbol = 'QQQ'"), 1);
    ok(&t, jutsu_data_position_get(t.s, "v3_5b", "offline_mock", "QQQ", &got));
    same_position(&got, &qqq2);

    ck_assert_int_eq(jutsu_data_position_get(t.s, "v3_5b", "offline_mock", "SPY", &got),
                     JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(t.s),
                     "positions: no position in SPY for v3_5b (offline_mock)");
    tdb_close(&t);
}
END_TEST

/* A backtest's snapshots through the bulk writer: read back as the upsert
 * writes them; a refused row is named and the others kept; an instant
 * already stored is an error. */
START_TEST(snapshot_bulk)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct jutsu_row_bulk *b = NULL;
    struct jutsu_snapshot_row want[] = {
        full_snapshot("v3_5b", "offline_mock", T0),
        null_snapshot("v3_5b", "offline_mock", T0 + 60 * SEC),
        full_snapshot("v3_5b", "offline_mock", T0 + DAY),
    };
    ok(&t, jutsu_dbs_begin(t.s));
    ok(&t, jutsu_data_snapshot_bulk_begin(t.s, &b));
    for (size_t i = 0; i < 3; i++) {
        ok(&t, jutsu_data_snapshot_bulk_row(t.s, b, &want[i]));
        if (i == 1) {
            struct jutsu_snapshot_row bad = want[i];
            bad.ts = T0 + 2 * DAY;
            bad.mode = "paper";
            ck_assert_int_eq(jutsu_data_snapshot_bulk_row(t.s, b, &bad), JUTSU_EINVAL);
            ck_assert_msg(strstr(jutsu_dbs_error(t.s), "performance_snapshots.mode") != NULL,
                          "%s", jutsu_dbs_error(t.s));
        }
    }
    ok(&t, jutsu_row_bulk_end(b, 1));
    ok(&t, jutsu_dbs_commit(t.s));
    struct expect e = { want, sizeof(want[0]), 3, 0, same_snapshot, { 0 } };
    ok(&t, jutsu_data_snapshots_range(t.s, "v3_5b", "offline_mock", T0, T0 + 2 * DAY,
                                      expect_fn, &e));
    ck_assert_int_eq(e.seen, 3);

    ok(&t, jutsu_dbs_begin(t.s));
    ok(&t, jutsu_data_snapshot_bulk_begin(t.s, &b));
    ok(&t, jutsu_data_snapshot_bulk_row(t.s, b, &want[2]));
    ck_assert_int_eq(jutsu_row_bulk_end(b, 1), JUTSU_EEXIST);
    ok(&t, jutsu_dbs_rollback(t.s));
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL), 3);
    tdb_close(&t);
}
END_TEST

START_TEST(snapshot_round_trip)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct jutsu_snapshot_row full = full_snapshot("v3_5b", "offline_mock", T0);
    struct jutsu_snapshot_row nulls = null_snapshot("v3_5b", "offline_mock", T0 + 60 * SEC);
    ok(&t, jutsu_data_snapshot_upsert(t.s, &nulls));
    ok(&t, jutsu_data_snapshot_upsert(t.s, &full));
    struct jutsu_snapshot_row want[] = { full, nulls };
    struct expect e = { want, sizeof(want[0]), 2, 0, same_snapshot, { 0 } };
    ok(&t, jutsu_data_snapshots_range(t.s, "v3_5b", "offline_mock", T0, T0 + 60 * SEC,
                                      expect_fn, &e));
    ck_assert_int_eq(e.seen, 2);

    /* same (mode, strategy, timestamp): every other column is replaced */
    struct jutsu_snapshot_row again = nulls;
    again.ts = T0;
    again.snapshot_source = "manual";
    again.total_equity = INT64_C(10500000000);
    ok(&t, jutsu_data_snapshot_upsert(t.s, &again));
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL), 2);
    struct expect e2 = { &again, sizeof(again), 1, 0, same_snapshot, { 0 } };
    ok(&t, jutsu_data_snapshots_range(t.s, "v3_5b", "offline_mock", T0, T0, expect_fn, &e2));
    ck_assert_int_eq(e2.seen, 1);
    tdb_close(&t);
}
END_TEST

START_TEST(daily_perf_round_trip)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d = jutsu_date_from_ymd(2025, 1, 9);
    struct jutsu_daily_perf_row full = full_perf("v3_5b", "offline_mock", d);
    struct jutsu_daily_perf_row nulls = null_perf("v3_5b", "offline_mock", d + 1);
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &full));
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &nulls));

    struct jutsu_daily_perf_row got;
    ok(&t, jutsu_data_daily_perf_get(t.s, "strategy", "v3_5b", "offline_mock", d, &got));
    same_daily_perf(&got, &full);
    ck_assert_int_gt(got.id, 0);
    ok(&t, jutsu_data_daily_perf_get(t.s, "strategy", "v3_5b", "offline_mock", d + 1, &got));
    same_daily_perf(&got, &nulls);

    /* every non-key column is replaced, including back to NULL */
    struct jutsu_daily_perf_row full2 = null_perf("v3_5b", "offline_mock", d);
    full2.total_equity = INT64_C(11000000000);
    full2.daily_return = -0.0125;
    full2.cumulative_return = 0.1;
    full2.is_first_day = 0;
    full2.finalized_at = 0;
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &full2));
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 2);
    ok(&t, jutsu_data_daily_perf_get(t.s, "strategy", "v3_5b", "offline_mock", d, &got));
    same_daily_perf(&got, &full2);
    tdb_close(&t);
}
END_TEST

/* Writing a row's own values again is no change at all: the EOD job's
 * re-runs and backfills rely on it to leave rows (finalized_at included)
 * identical. Any one differing column is a change. */
START_TEST(daily_perf_unchanged_is_left_alone)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d = jutsu_date_from_ymd(2025, 1, 9);
    struct jutsu_daily_perf_row r = full_perf("QQQ", "offline_mock", d);
    r.entity_type = "baseline";
    r.finalized_at = 0;
    int changed = -1;
    ok(&t, jutsu_data_daily_perf_put(t.s, &r, &changed));
    ck_assert_int_eq(changed, 1);
    struct jutsu_daily_perf_row got;
    ok(&t, jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d, &got));
    ck_assert_int_eq(got.finalized_at, NOW);

    /* the same values an hour later: nothing is written */
    t.app->clock_arg = (void *)(intptr_t)(3600 * SEC);
    ok(&t, jutsu_data_daily_perf_put(t.s, &r, &changed));
    ck_assert_int_eq(changed, 0);
    ok(&t, jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d, &got));
    ck_assert_int_eq(got.finalized_at, NOW);
    /* also when the values were read back rounded from the database */
    ok(&t, jutsu_data_daily_perf_put(t.s, &got, &changed));
    ck_assert_int_eq(changed, 0);

    /* one last-place difference in a double column is a change */
    r.welford_m2 = nextafter(r.welford_m2, 1.0);
    ok(&t, jutsu_data_daily_perf_put(t.s, &r, &changed));
    ck_assert_int_eq(changed, 1);
    ok(&t, jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d, &got));
    ck_assert_int_eq(got.finalized_at, NOW + 3600 * SEC);
    /* and so is a NULL turning into a value */
    r.cagr = NAN;
    ok(&t, jutsu_data_daily_perf_put(t.s, &r, &changed));
    ck_assert_int_eq(changed, 1);
    r.cagr = 0.07;
    ok(&t, jutsu_data_daily_perf_put(t.s, &r, &changed));
    ck_assert_int_eq(changed, 1);
    /* kpi_state must be JSON */
    r.kpi_state = "{\"kpi\": oops}";
    ck_assert_int_eq(jutsu_data_daily_perf_put(t.s, &r, &changed), JUTSU_EINVAL);
    ck_assert_msg(strstr(jutsu_dbs_error(t.s), "daily_performance.kpi_state") != NULL, "%s",
                  jutsu_dbs_error(t.s));
    tdb_close(&t);
}
END_TEST

/* A backtest's chains write through the bulk writer: what it stores is what
 * put stores, over several statements and a remainder; it refuses what put
 * refuses, row by row; and it only adds rows. */
START_TEST(daily_perf_bulk)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct jutsu_row_bulk *b = (void *)1;
    jutsu_date_t d0 = jutsu_date_from_ymd(2020, 1, 6);
    enum { N = 150 };
    struct jutsu_daily_perf_row rows[N];
    ck_assert_int_eq(jutsu_data_daily_perf_bulk_begin(t.s, &b), JUTSU_ESTATE);
    ck_assert_ptr_null(b);
    ok(&t, jutsu_dbs_begin(t.s));
    ok(&t, jutsu_data_daily_perf_bulk_begin(t.s, &b));
    for (int i = 0; i < N; i++) {
        rows[i] = i % 3 ? full_perf("v3_5b", "offline_mock", d0 + i)
                        : null_perf("v3_5b", "offline_mock", d0 + i);
        rows[i].total_equity = INT64_C(1000000) + i;
        ok(&t, jutsu_data_daily_perf_bulk_row(t.s, b, &rows[i]));
        if (i == 70) {   /* refused before anything is gathered; the rest goes on */
            struct jutsu_daily_perf_row bad = rows[i];
            bad.trading_date = d0 + 1000;
            bad.kpi_state = "{\"kpi\": oops}";
            ck_assert_int_eq(jutsu_data_daily_perf_bulk_row(t.s, b, &bad), JUTSU_EINVAL);
            ck_assert_msg(strstr(jutsu_dbs_error(t.s), "daily_performance.kpi_state") != NULL,
                          "%s", jutsu_dbs_error(t.s));
        }
    }
    /* nothing is promised before _end; everything is there after it */
    ok(&t, jutsu_row_bulk_end(b, 1));
    ok(&t, jutsu_dbs_commit(t.s));
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), N);
    for (int i = 0; i < N; i++) {
        struct jutsu_daily_perf_row got;
        ok(&t, jutsu_data_daily_perf_get(t.s, "strategy", "v3_5b", "offline_mock", d0 + i,
                                         &got));
        same_daily_perf(&got, &rows[i]);
    }

    /* a range that holds a row: an error, and the caller's rollback keeps
     * the table as it was */
    ok(&t, jutsu_dbs_begin(t.s));
    ok(&t, jutsu_data_daily_perf_bulk_begin(t.s, &b));
    struct jutsu_daily_perf_row again = null_perf("v3_5b", "offline_mock", d0 + N);
    ok(&t, jutsu_data_daily_perf_bulk_row(t.s, b, &again));
    ok(&t, jutsu_data_daily_perf_bulk_row(t.s, b, &rows[5]));
    ck_assert_int_eq(jutsu_row_bulk_end(b, 1), JUTSU_EEXIST);
    ck_assert_msg(strstr(jutsu_dbs_error(t.s), "already there") != NULL, "%s",
                  jutsu_dbs_error(t.s));
    ok(&t, jutsu_dbs_rollback(t.s));
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), N);

    /* _end(keep = 0) writes nothing it gathered */
    ok(&t, jutsu_dbs_begin(t.s));
    ok(&t, jutsu_data_daily_perf_bulk_begin(t.s, &b));
    ok(&t, jutsu_data_daily_perf_bulk_row(t.s, b, &again));
    ok(&t, jutsu_row_bulk_end(b, 0));
    ok(&t, jutsu_dbs_commit(t.s));
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), N);
    tdb_close(&t);
}
END_TEST

static void put_perf(struct tdb *t, const char *entity, const char *mode, jutsu_date_t d,
                     jutsu_money_t equity)
{
    struct jutsu_daily_perf_row r = null_perf(entity, mode, d);
    r.total_equity = equity;
    ok(t, jutsu_data_daily_perf_upsert(t->s, &r));
}

static int equity_fn(const void *row, void *arg)
{
    int64_t *out = arg;
    const struct jutsu_daily_perf_row *r = row;
    ck_assert_int_lt(out[0], 7);
    out[1 + out[0]++] = r->total_equity;
    return 0;
}

/* The KPI read of a range: its thirteen columns as the full read has them,
 * every other field NULL as the row type spells it (not a zero that would
 * read as a value), in date order, within the range. */
struct kpi_rows {
    struct jutsu_daily_perf_row want[3];
    int                         seen;
};

static int kpi_fn(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *g = row;
    struct kpi_rows *k = arg;
    ck_assert_int_lt(k->seen, 3);
    const struct jutsu_daily_perf_row *w = &k->want[k->seen++];
    ck_assert_int_eq(g->trading_date, w->trading_date);
    ck_assert_int_eq(g->total_equity, w->total_equity);
    EQ_F(drawdown, 6); EQ_F(sharpe_ratio, 6); EQ_F(sortino_ratio, 6); EQ_F(calmar_ratio, 6);
    EQ_F(max_drawdown, 6); EQ_F(volatility, 6); EQ_F(cagr, 6); EQ_F(win_rate, 2);
    EQ_I(total_trades); EQ_I(winning_trades); EQ_I(losing_trades);
    /* left out: NULL */
    ck_assert_ptr_null(g->entity_id);
    ck_assert_ptr_null(g->positions_json);
    ck_assert_ptr_null(g->kpi_state);
    ck_assert_int_eq(g->cash, JUTSU_MONEY_NULL);
    ck_assert_int_eq(g->initial_capital, JUTSU_MONEY_NULL);
    ck_assert_int_eq(g->strategy_cell, JUTSU_INT_NULL);
    ck_assert_int_eq(g->trading_days_count, JUTSU_INT_NULL);
    ck_assert(isnan(g->daily_return) && isnan(g->t_norm) && isnan(g->welford_mean));
    return 0;
}

START_TEST(daily_perf_kpis_read)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d = jutsu_date_from_ymd(2025, 2, 3);
    struct kpi_rows k = { .seen = 0 };
    struct jutsu_daily_perf_row other = full_perf("other", "offline_mock", d);
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &other));
    for (int i = 2; i >= 0; i--) {   /* written out of order */
        k.want[i] = i == 1 ? null_perf("v3_5b", "offline_mock", d + i)
                           : full_perf("v3_5b", "offline_mock", d + i);
        k.want[i].total_equity = INT64_C(5000000) * (i + 1);
        ok(&t, jutsu_data_daily_perf_upsert(t.s, &k.want[i]));
    }
    struct jutsu_daily_perf_row late = full_perf("v3_5b", "offline_mock", d + 10);
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &late));
    ok(&t, jutsu_data_daily_perf_kpis(t.s, "strategy", "v3_5b", "offline_mock", d, d + 5,
                                      kpi_fn, &k));
    ck_assert_int_eq(k.seen, 3);
    tdb_close(&t);
}
END_TEST

/* A select of some columns names them in the table's order; a name the
 * table lacks is refused when the text is built, not at run time. */
START_TEST(select_only_text)
{
    static struct jutsu_sql some = JUTSU_SQL_ONLY(&jutsu_daily_perf_table,
                                                  "total_equity trading_date", "WHERE 1 = 1");
    static struct jutsu_sql bad = JUTSU_SQL_ONLY(&jutsu_daily_perf_table,
                                                 "trading_date equity", NULL);
    ck_assert_str_eq(jutsu_sql_text(&some),
                     "SELECT trading_date, total_equity FROM daily_performance WHERE 1 = 1");
    ck_assert_ptr_null(jutsu_sql_text(&bad));
}
END_TEST

START_TEST(daily_perf_prev_and_range)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d1 = jutsu_date_from_ymd(2025, 1, 2), d2 = jutsu_date_from_ymd(2025, 1, 3);
    jutsu_date_t d3 = jutsu_date_from_ymd(2025, 1, 8);   /* after a gap of 5 days */
    put_perf(&t, "v3_5b", "offline_mock", d3, 3);
    put_perf(&t, "v3_5b", "offline_mock", d1, 1);
    put_perf(&t, "v3_5b", "offline_mock", d2, 2);

    struct jutsu_daily_perf_row got;
    ok(&t, jutsu_data_daily_perf_prev(t.s, "strategy", "v3_5b", "offline_mock", d3, &got));
    ck_assert_int_eq(got.trading_date, d2);
    ck_assert_int_eq(got.total_equity, 2);
    ok(&t, jutsu_data_daily_perf_prev(t.s, "strategy", "v3_5b", "offline_mock", d3 + 4, &got));
    ck_assert_int_eq(got.trading_date, d3);
    ok(&t, jutsu_data_daily_perf_prev(t.s, "strategy", "v3_5b", "offline_mock", d3 - 1, &got));
    ck_assert_int_eq(got.trading_date, d2);
    ok(&t, jutsu_data_daily_perf_prev(t.s, "strategy", "v3_5b", "offline_mock", d2, &got));
    ck_assert_int_eq(got.trading_date, d1);
    ck_assert_str_eq(got.entity_id, "v3_5b");   /* a copy: the statement is gone */

    ck_assert_int_eq(jutsu_data_daily_perf_prev(t.s, "strategy", "v3_5b", "offline_mock", d1,
                                                &got), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(t.s),
                     "daily_performance: no row before 2025-01-02 for strategy v3_5b "
                     "(offline_mock)");
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "strategy", "v3_5b", "offline_mock",
                                               d2 + 1, &got), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(t.s),
                     "daily_performance: no row on 2025-01-04 for strategy v3_5b "
                     "(offline_mock)");

    int64_t seen[8] = { 0 };
    ok(&t, jutsu_data_daily_perf_range(t.s, "strategy", "v3_5b", "offline_mock", d1, d3,
                                       equity_fn, seen));
    ck_assert_int_eq(seen[0], 3);
    ck_assert_int_eq(seen[1], 1);
    ck_assert_int_eq(seen[2], 2);
    ck_assert_int_eq(seen[3], 3);
    memset(seen, 0, sizeof(seen));
    ok(&t, jutsu_data_daily_perf_range(t.s, "strategy", "v3_5b", "offline_mock", d2, d3,
                                       equity_fn, seen));
    ck_assert_int_eq(seen[0], 2);
    ck_assert_int_eq(seen[1], 2);
    ck_assert_int_eq(seen[2], 3);
    memset(seen, 0, sizeof(seen));
    ok(&t, jutsu_data_daily_perf_range(t.s, "strategy", "v3_5b", "offline_mock", d2 + 1,
                                       d3 - 1, equity_fn, seen));
    ck_assert_int_eq(seen[0], 0);
    tdb_close(&t);
}
END_TEST

/* --- isolation --------------------------------------------------------------- */

static const char *const scopes[3][2] = {
    { "v3_5b", "offline_mock" }, { "v3_5d", "offline_mock" }, { "v3_5b", "online_live" },
};

/* Rows read for one scope: each must be that scope's; their tags are kept. */
struct scoped {
    const char *strategy, *mode;
    int         n;
    int64_t     tag[8];
};

static void in_scope(struct scoped *sc, const char *strategy, const char *mode, int64_t tag)
{
    ck_assert_str_eq(strategy, sc->strategy);
    ck_assert_str_eq(mode, sc->mode);
    ck_assert_int_lt(sc->n, 8);
    sc->tag[sc->n++] = tag;
}

static int trade_scope_fn(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    in_scope(arg, r->strategy_id, r->mode, r->quantity);
    return 0;
}

static int position_scope_fn(const void *row, void *arg)
{
    const struct jutsu_position_row *r = row;
    in_scope(arg, r->strategy_id, r->mode, r->quantity);
    return 0;
}

static int snapshot_scope_fn(const void *row, void *arg)
{
    const struct jutsu_snapshot_row *r = row;
    in_scope(arg, r->strategy_id, r->mode, r->total_equity);
    return 0;
}

static int perf_scope_fn(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *r = row;
    ck_assert_str_eq(r->entity_type, "strategy");
    in_scope(arg, r->entity_id, r->mode, r->total_equity);
    return 0;
}

/* Scope k's rows carry tags 100k + ...; same symbol, timestamp and date in
 * every scope, so only the strategy and mode keep them apart. */
static void write_scope(struct tdb *t, int k, jutsu_date_t d)
{
    const char *sid = scopes[k][0], *mode = scopes[k][1];
    for (int j = 0; j < 2; j++) {
        struct jutsu_trade_row tr = null_trade(sid, mode, T0 + j * SEC);
        tr.quantity = 100 * (k + 1) + j;
        ok(t, jutsu_data_trade_insert(t->s, &tr, NULL));
    }
    struct jutsu_position_row p = { .strategy_id = sid, .mode = mode, .symbol = "QQQ",
        .quantity = 100 * (k + 1), .avg_cost = JUTSU_MONEY_NULL,
        .market_value = JUTSU_MONEY_NULL, .unrealized_pnl = JUTSU_MONEY_NULL };
    ok(t, jutsu_data_position_upsert(t->s, &p));
    struct jutsu_snapshot_row sn = null_snapshot(sid, mode, T0);
    sn.total_equity = 100 * (k + 1);
    ok(t, jutsu_data_snapshot_upsert(t->s, &sn));
    put_perf(t, sid, mode, d - 3, 100 * (k + 1) + 1);
    put_perf(t, sid, mode, d, 100 * (k + 1) + 2);
}

static void read_scope(struct tdb *t, int k, jutsu_date_t d)
{
    const char *sid = scopes[k][0], *mode = scopes[k][1];
    int64_t base = 100 * (k + 1);
    struct scoped sc = { sid, mode, 0, { 0 } };
    ok(t, jutsu_data_trades_range(t->s, sid, mode, T0 - DAY, T0 + DAY, trade_scope_fn,
                                  &sc));
    ck_assert_int_eq(sc.n, 2);
    ck_assert_int_eq(sc.tag[0], base);
    ck_assert_int_eq(sc.tag[1], base + 1);

    memset(&sc, 0, sizeof(sc));
    sc.strategy = sid, sc.mode = mode;
    ok(t, jutsu_data_positions_list(t->s, sid, mode, position_scope_fn, &sc));
    ck_assert_int_eq(sc.n, 1);
    ck_assert_int_eq(sc.tag[0], base);
    struct jutsu_position_row p;
    ok(t, jutsu_data_position_get(t->s, sid, mode, "QQQ", &p));
    ck_assert_int_eq(p.quantity, base);

    memset(&sc, 0, sizeof(sc));
    sc.strategy = sid, sc.mode = mode;
    ok(t, jutsu_data_snapshots_range(t->s, sid, mode, T0 - DAY, T0 + DAY, snapshot_scope_fn,
                                     &sc));
    ck_assert_int_eq(sc.n, 1);
    ck_assert_int_eq(sc.tag[0], base);

    memset(&sc, 0, sizeof(sc));
    sc.strategy = sid, sc.mode = mode;
    ok(t, jutsu_data_daily_perf_range(t->s, "strategy", sid, mode, d - 30, d + 30,
                                      perf_scope_fn, &sc));
    ck_assert_int_eq(sc.n, 2);
    ck_assert_int_eq(sc.tag[0], base + 1);
    ck_assert_int_eq(sc.tag[1], base + 2);
    struct jutsu_daily_perf_row r;
    ok(t, jutsu_data_daily_perf_get(t->s, "strategy", sid, mode, d, &r));
    ck_assert_int_eq(r.total_equity, base + 2);
    ok(t, jutsu_data_daily_perf_prev(t->s, "strategy", sid, mode, d, &r));
    ck_assert_int_eq(r.total_equity, base + 1);
}

START_TEST(isolation)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d = jutsu_date_from_ymd(2025, 1, 9);
    for (int k = 0; k < 3; k++)
        write_scope(&t, k, d);
    /* a baseline with the strategy's name must not show up in its reads */
    struct jutsu_daily_perf_row base = null_perf("v3_5b", "offline_mock", d - 1);
    base.entity_type = "baseline";
    base.total_equity = 999;
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &base));

    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 6);
    ck_assert_int_eq(tdb_count(&t, "positions", NULL), 3);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL), 3);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 7);
    for (int k = 0; k < 3; k++)
        read_scope(&t, k, d);

    struct jutsu_daily_perf_row r;
    ok(&t, jutsu_data_daily_perf_prev(t.s, "baseline", "v3_5b", "offline_mock", d + 9, &r));
    ck_assert_int_eq(r.total_equity, 999);
    ck_assert_int_eq(jutsu_data_daily_perf_prev(t.s, "baseline", "v3_5b", "online_live", d,
                                                &r), JUTSU_ENOENT);
    struct jutsu_position_row p;
    ck_assert_int_eq(jutsu_data_position_get(t.s, "v3_5c", "offline_mock", "QQQ", &p),
                     JUTSU_ENOENT);
    tdb_close(&t);
}
END_TEST

/* --- validation ---------------------------------------------------------------- */

/* A refusal: the code, the exact message, and no row written. */
static void refused(struct tdb *t, int rc, int want_rc, const char *table, int64_t count,
                    const char *msg)
{
    ck_assert_msg(rc == want_rc, "%s: rc %d, want %d (%s)", msg, rc, want_rc,
                  jutsu_dbs_error(t->s));
    ck_assert_str_eq(jutsu_dbs_error(t->s), msg);
    ck_assert_int_eq(tdb_count(t, table, NULL), count);
}

/* Row `r` = `good` with one field changed, written by `call`: refused. */
#define REFUSE(call, table, count, field, value, code, msg) \
    do { r = good; r.field = value; \
         refused(&t, call(t.s, &r), code, table, count, msg); } while (0)

static int trade_insert(jutsu_dbs *s, const struct jutsu_trade_row *r)
{
    int64_t id = -1;
    int rc = jutsu_data_trade_insert(s, r, &id);
    if (rc != 0)
        ck_assert_int_eq(id, -1);   /* *id is only set on success */
    return rc;
}

#define BEYOND_MONEY " micro-units is beyond NUMERIC(18,6) (|value| <= 999999999999.999999)"

START_TEST(trade_refusals)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct jutsu_trade_row good = full_trade("v3_5b", "offline_mock", T0), r;
    ok(&t, jutsu_data_trade_insert(t.s, &good, NULL));
#define TRADE(field, value, code, msg) \
    REFUSE(trade_insert, "live_trades", 1, field, value, code, "live_trades." msg)
    TRADE(action, "HOLD", JUTSU_EINVAL, "action: \"HOLD\" is not one of BUY, SELL");
    TRADE(mode, "paper", JUTSU_EINVAL,
          "mode: \"paper\" is not one of offline_mock, online_live");
    TRADE(quantity, 0, JUTSU_ERANGE, "quantity: 0 must be greater than 0");
    TRADE(quantity, -5, JUTSU_ERANGE, "quantity: -5 must be greater than 0");
    TRADE(symbol, "ABCDEFGHIJK", JUTSU_ERANGE,
          "symbol: \"ABCDEFGHIJK\" is 11 characters, the column holds 10");
    TRADE(target_price, INT64_MAX / 2, JUTSU_ERANGE,
          "target_price: 4611686018427387903" BEYOND_MONEY);
    TRADE(fill_price, INT64_MAX / 2, JUTSU_ERANGE, "fill_price: 4611686018427387903" BEYOND_MONEY);
    TRADE(target_price, JUTSU_MONEY_NULL, JUTSU_EINVAL, "target_price: a value is required");
    TRADE(strategy_id, NULL, JUTSU_EINVAL, "strategy_id: a value is required");
    TRADE(slippage_pct, 12345.0, JUTSU_ERANGE, "slippage_pct: 12345 is beyond NUMERIC(10,6)");
    TRADE(z_score, -INFINITY, JUTSU_ERANGE, "z_score: -inf is not a finite number");
    TRADE(execution_id, "abcdefghi", JUTSU_ERANGE,
          "execution_id: \"abcdefghi\" is 9 characters, the column holds 8");
#undef TRADE

    /* reads are scoped too: no mode, no answer */
    int calls = 0;
    refused(&t, jutsu_data_trades_range(t.s, "v3_5b", "paper", T0 - DAY, T0 + DAY, stop_fn,
                                        &calls),
            JUTSU_EINVAL, "live_trades", 1,
            "live_trades.mode: \"paper\" is not one of offline_mock, online_live");
    refused(&t, jutsu_data_trades_range(t.s, NULL, "offline_mock", T0 - DAY, T0 + DAY, stop_fn,
                                        &calls),
            JUTSU_EINVAL, "live_trades", 1, "live_trades.strategy_id: a value is required");
    ck_assert_int_eq(calls, 0);
    tdb_close(&t);
}
END_TEST

START_TEST(position_snapshot_refusals)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    {
        struct jutsu_position_row good = { .strategy_id = "v3_5b", .mode = "offline_mock",
            .symbol = "QQQ", .quantity = 1, .avg_cost = JUTSU_MONEY_NULL,
            .market_value = JUTSU_MONEY_NULL, .unrealized_pnl = JUTSU_MONEY_NULL }, r;
#define POS(field, value, code, msg) \
    REFUSE(jutsu_data_position_upsert, "positions", 0, field, value, code, "positions." msg)
        POS(quantity, -3, JUTSU_ERANGE, "quantity: -3 is negative");
        POS(mode, "paper", JUTSU_EINVAL,
            "mode: \"paper\" is not one of offline_mock, online_live");
        POS(unrealized_pnl, -(INT64_MAX / 2), JUTSU_ERANGE,
            "unrealized_pnl: -4611686018427387903" BEYOND_MONEY);
        POS(symbol, "", JUTSU_EINVAL, "symbol: a value is required");
#undef POS
    }
    struct jutsu_snapshot_row good = full_snapshot("v3_5b", "offline_mock", T0), r;
#define SNAP(field, value, code, msg) \
    REFUSE(jutsu_data_snapshot_upsert, "performance_snapshots", 0, field, value, code, \
           "performance_snapshots." msg)
    SNAP(snapshot_source, "cron", JUTSU_EINVAL, "snapshot_source: \"cron\" is not one of "
         "scheduler, refresh, manual, backtest");
    SNAP(total_equity, INT64_MAX / 2, JUTSU_ERANGE,
         "total_equity: 4611686018427387903" BEYOND_MONEY);
    SNAP(baseline_return, INFINITY, JUTSU_ERANGE, "baseline_return: inf is not a finite number");
    SNAP(mode, "paper", JUTSU_EINVAL, "mode: \"paper\" is not one of offline_mock, online_live");
#undef SNAP
    tdb_close(&t);
}
END_TEST

START_TEST(daily_perf_refusals)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d = jutsu_date_from_ymd(2025, 1, 9);
    struct jutsu_daily_perf_row good = full_perf("v3_5b", "offline_mock", d), r;
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &good));
#define PERF(field, value, code, msg) \
    REFUSE(jutsu_data_daily_perf_upsert, "daily_performance", 1, field, value, code, \
           "daily_performance." msg)
    PERF(daily_return, NAN, JUTSU_EINVAL, "daily_return: a value is required (got NaN)");
    PERF(cumulative_return, NAN, JUTSU_EINVAL,
         "cumulative_return: a value is required (got NaN)");
    PERF(sharpe_ratio, INFINITY, JUTSU_ERANGE, "sharpe_ratio: inf is not a finite number");
    PERF(calmar_ratio, 12345.0, JUTSU_ERANGE, "calmar_ratio: 12345 is beyond NUMERIC(10,6)");
    /* rounds to 10000.000000, one unit past the column's largest value */
    PERF(volatility, 9999.9999996, JUTSU_ERANGE, "volatility: 10000 is beyond NUMERIC(10,6)");
    PERF(win_rate, 1000.0, JUTSU_ERANGE, "win_rate: 1000 is beyond NUMERIC(5,2)");
    PERF(returns_sum, 1e10, JUTSU_ERANGE, "returns_sum: 1e+10 is beyond NUMERIC(18,8)");
    PERF(entity_type, "fund", JUTSU_EINVAL,
         "entity_type: \"fund\" is not one of strategy, baseline");
    PERF(total_equity, JUTSU_MONEY_NULL, JUTSU_EINVAL, "total_equity: a value is required");
    PERF(mode, "paper", JUTSU_EINVAL, "mode: \"paper\" is not one of offline_mock, online_live");
#undef PERF
    refused(&t, jutsu_data_daily_perf_get(t.s, "strategy", NULL, "offline_mock", d, &r),
            JUTSU_EINVAL, "daily_performance", 1,
            "daily_performance.entity_id: a value is required");

    /* nothing above changed the stored row */
    ok(&t, jutsu_data_daily_perf_get(t.s, "strategy", "v3_5b", "offline_mock", d, &r));
    same_daily_perf(&r, &good);
    tdb_close(&t);
}
END_TEST

/* --- transactions ------------------------------------------------------------- */

static void tx_sequence(struct tdb *t)
{
    ok(t, jutsu_dbs_begin(t->s));
    struct jutsu_trade_row tr = full_trade("v3_5b", "online_live", T0);
    ok(t, jutsu_data_trade_insert(t->s, &tr, NULL));
    struct jutsu_position_row p = { .strategy_id = "v3_5b", .mode = "online_live",
        .symbol = "TQQQ", .quantity = 125, .avg_cost = TINY, .market_value = TINY,
        .unrealized_pnl = 0 };
    ok(t, jutsu_data_position_upsert(t->s, &p));
    /* the session sees its own uncommitted writes */
    ck_assert_int_eq(tdb_count(t, "live_trades", NULL), 1);
    ck_assert_int_eq(tdb_count(t, "positions", NULL), 1);
    struct jutsu_daily_perf_row bad = full_perf("v3_5b", "online_live",
                                                jutsu_date_from_ymd(2025, 1, 9));
    bad.daily_return = NAN;
    ck_assert_int_eq(jutsu_data_daily_perf_upsert(t->s, &bad), JUTSU_EINVAL);
}

START_TEST(atomic_rollback)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    tx_sequence(&t);
    ok(&t, jutsu_dbs_rollback(t.s));
    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "positions", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 0);
    struct jutsu_position_row p;
    ck_assert_int_eq(jutsu_data_position_get(t.s, "v3_5b", "online_live", "TQQQ", &p),
                     JUTSU_ENOENT);
    tdb_close(&t);
}
END_TEST

START_TEST(atomic_commit)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    tx_sequence(&t);
    ok(&t, jutsu_dbs_commit(t.s));
    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 1);
    ck_assert_int_eq(tdb_count(&t, "positions", NULL), 1);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 0);
    struct jutsu_position_row p;
    ok(&t, jutsu_data_position_get(t.s, "v3_5b", "online_live", "TQQQ", &p));
    ck_assert_int_eq(p.quantity, 125);
    tdb_close(&t);
}
END_TEST

/* --- the listing reads (ABI 1.3) ------------------------------------------ */

struct listed {
    int64_t id[64];
    jutsu_time_t ts[64];
    char    strategy[64][16], symbol[64][12];
    size_t  n;
};

static int list_trade_fn(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    struct listed *x = arg;
    ck_assert_uint_lt(x->n, 64);
    x->id[x->n] = r->id;
    x->ts[x->n] = r->ts;
    snprintf(x->strategy[x->n], 16, "%s", r->strategy_id);
    snprintf(x->symbol[x->n], 12, "%s", r->symbol);
    x->n++;
    return 0;
}

static int list_snapshot_fn(const void *row, void *arg)
{
    const struct jutsu_snapshot_row *r = row;
    struct listed *x = arg;
    ck_assert_uint_lt(x->n, 64);
    x->id[x->n] = r->id;
    x->ts[x->n++] = r->ts;
    return 0;
}

static int list_position_fn(const void *row, void *arg)
{
    const struct jutsu_position_row *r = row;
    struct listed *x = arg;
    ck_assert_uint_lt(x->n, 64);
    snprintf(x->strategy[x->n], 16, "%s", r->strategy_id);
    snprintf(x->symbol[x->n++], 12, "%s", r->symbol);
    return 0;
}

static struct jutsu_query query(const char *strategy, const char *mode, const char *symbol)
{
    struct jutsu_query q = { .size = sizeof(q), .strategy_id = strategy, .mode = mode,
                             .symbol = symbol };
    return q;
}

/* 12 trades: s1 and s2 alternate, two symbols, two of them at the same
 * instant (the id breaks the tie), one online_live. */
static void twelve_trades(struct tdb *t, int64_t *ids)
{
    for (int i = 0; i < 12; i++) {
        struct jutsu_trade_row r = full_trade(i % 2 ? "s2" : "s1", i == 11 ? "online_live"
                                              : "offline_mock", T0 + (i == 5 ? 4 : i) * DAY);
        r.symbol = i % 3 ? "QQQ" : "TQQQ";
        ok(t, jutsu_data_trade_insert(t->s, &r, &ids[i]));
    }
}

START_TEST(trades_query_pages)
{
    struct tdb t;
    int64_t ids[12], total = -1;
    if (!open_db(&t, _i))
        return;
    twelve_trades(&t, ids);
    /* everything, newest first, the tie at T0 + 4 days by id */
    struct listed x = { .n = 0 };
    struct jutsu_query q = query(NULL, NULL, NULL);
    ok(&t, jutsu_data_trades_query(t.s, &q, list_trade_fn, &x, &total));
    ck_assert_int_eq(total, 12);
    ck_assert_uint_eq(x.n, 12);
    ck_assert_int_eq(x.id[0], ids[11]);
    for (size_t i = 1; i < x.n; i++)
        ck_assert(x.ts[i - 1] > x.ts[i] || (x.ts[i - 1] == x.ts[i] && x.id[i - 1] > x.id[i]));
    /* pages: 5 + 5 + 2, no row twice */
    struct listed all = x;
    for (int64_t off = 0; off < 12; off += 5) {
        struct listed p = { .n = 0 };
        q.offset = off;
        q.limit = 5;
        ok(&t, jutsu_data_trades_query(t.s, &q, list_trade_fn, &p, &total));
        ck_assert_int_eq(total, 12);
        ck_assert_uint_eq(p.n, off == 10 ? 2 : 5);
        for (size_t i = 0; i < p.n; i++)
            ck_assert_int_eq(p.id[i], all.id[off + (int64_t)i]);
    }
    /* keyset: after the 4th row, the rest */
    struct listed k = { .n = 0 };
    q = query(NULL, NULL, NULL);
    q.before_ts = all.ts[3];
    q.before_id = all.id[3];
    ok(&t, jutsu_data_trades_query(t.s, &q, list_trade_fn, &k, NULL));
    ck_assert_uint_eq(k.n, 8);
    ck_assert_int_eq(k.id[0], all.id[4]);
    /* filters: strategy, mode, symbol, range */
    struct listed f = { .n = 0 };
    q = query("s2", "offline_mock", "QQQ");
    ok(&t, jutsu_data_trades_query(t.s, &q, list_trade_fn, &f, &total));
    ck_assert_int_eq(total, (int64_t)f.n);
    ck_assert_uint_eq(f.n, 3);   /* i = 1, 5, 7 (3, 9: TQQQ; 11: online_live) */
    for (size_t i = 0; i < f.n; i++) {
        ck_assert_str_eq(f.strategy[i], "s2");
        ck_assert_str_eq(f.symbol[i], "QQQ");
    }
    struct listed g = { .n = 0 };
    q = query(NULL, NULL, NULL);
    q.from = T0 + 2 * DAY;
    q.to = T0 + 4 * DAY;
    ok(&t, jutsu_data_trades_query(t.s, &q, list_trade_fn, &g, &total));
    ck_assert_int_eq(total, 4);   /* i = 2, 3, 4, 5 */
    /* one by id; a missing id */
    struct jutsu_trade_row one;
    ok(&t, jutsu_data_trade_get(t.s, ids[7], &one));
    ck_assert_int_eq(one.id, ids[7]);
    ck_assert_str_eq(one.strategy_id, "s2");
    ck_assert_int_eq(one.quantity, 125);
    ck_assert_int_eq(one.target_price, BIG);
    ck_assert_int_eq(jutsu_data_trade_get(t.s, ids[11] + 1000, &one), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_data_trade_get(t.s, 0, &one), JUTSU_EINVAL);
    tdb_close(&t);
}
END_TEST

START_TEST(listing_refusals)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    struct listed x = { .n = 0 };
    struct jutsu_query q = query(NULL, "paper", NULL);
    ck_assert_int_eq(jutsu_data_trades_query(t.s, &q, list_trade_fn, &x, NULL), JUTSU_EINVAL);
    ck_assert_ptr_nonnull(strstr(jutsu_dbs_error(t.s), "mode"));
    q = query(NULL, NULL, NULL);
    q.limit = -1;
    ck_assert_int_eq(jutsu_data_trades_query(t.s, &q, list_trade_fn, &x, NULL), JUTSU_EINVAL);
    q = query(NULL, NULL, NULL);
    q.size = 8;   /* a struct this host does not know */
    ck_assert_int_eq(jutsu_data_snapshots_query(t.s, &q, list_snapshot_fn, &x, NULL),
                     JUTSU_EINVAL);
    q = query(NULL, NULL, "ABCDEFGHIJK");
    ck_assert_int_eq(jutsu_data_positions_query(t.s, &q, list_position_fn, &x, NULL),
                     JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_data_bars_page(t.s, "QQQ", "2D", 0, T0, 0, 10, NULL, NULL, NULL),
                     JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_data_daily_perf_latest(t.s, "strategy", "s1", "offline_mock",
                                                  jutsu_date_from_ymd(2025, 1, 1), 0, NULL,
                                                  NULL), JUTSU_EINVAL);
    ck_assert_uint_eq(x.n, 0);
    tdb_close(&t);
}
END_TEST

START_TEST(snapshots_positions_query)
{
    struct tdb t;
    int64_t total = -1;
    if (!open_db(&t, _i))
        return;
    for (int i = 0; i < 7; i++) {
        struct jutsu_snapshot_row r = full_snapshot(i < 4 ? "s1" : "s2", "offline_mock",
                                                    T0 + i * DAY);
        ok(&t, jutsu_data_snapshot_upsert(t.s, &r));
    }
    struct listed x = { .n = 0 };
    struct jutsu_query q = query("s1", NULL, NULL);
    q.limit = 3;
    ok(&t, jutsu_data_snapshots_query(t.s, &q, list_snapshot_fn, &x, &total));
    ck_assert_int_eq(total, 4);
    ck_assert_uint_eq(x.n, 3);
    ck_assert_int_eq(x.ts[0], T0 + 3 * DAY);
    ck_assert_int_eq(x.ts[2], T0 + 1 * DAY);
    const char *syms[] = { "TLT", "QQQ", "TMF" };
    for (int i = 0; i < 3; i++) {
        struct jutsu_position_row p = { .strategy_id = i == 2 ? "s2" : "s1",
            .mode = "offline_mock", .symbol = syms[i], .quantity = 10 + i,
            .avg_cost = INT64_C(1000000), .market_value = JUTSU_MONEY_NULL,
            .unrealized_pnl = JUTSU_MONEY_NULL };
        ok(&t, jutsu_data_position_upsert(t.s, &p));
    }
    struct listed p = { .n = 0 };
    q = query(NULL, NULL, NULL);
    ok(&t, jutsu_data_positions_query(t.s, &q, list_position_fn, &p, &total));
    ck_assert_int_eq(total, 3);
    ck_assert_str_eq(p.symbol[0], "QQQ");    /* s1's, by symbol, then s2's */
    ck_assert_str_eq(p.symbol[1], "TLT");
    ck_assert_str_eq(p.strategy[2], "s2");
    struct listed p2 = { .n = 0 };
    q = query("s1", "offline_mock", "TLT");
    ok(&t, jutsu_data_positions_query(t.s, &q, list_position_fn, &p2, &total));
    ck_assert_int_eq(total, 1);
    ck_assert_uint_eq(p2.n, 1);
    tdb_close(&t);
}
END_TEST

/* The metrics texts a metrics read hands over, joined by '|'. */
struct metrics_seen {
    char text[256];
    int  stop_after;   /* 0: never */
    int  n;
};

static int metrics_fn(const char *metrics, void *arg)
{
    struct metrics_seen *x = arg;
    size_t len = strlen(x->text);
    snprintf(x->text + len, sizeof(x->text) - len, "%s%s", len ? "|" : "", metrics);
    return ++x->n == x->stop_after ? 42 : 0;
}

/* The metrics alone (`perf show`'s header): the rows of the entity, mode
 * and range that have any, oldest first; a stop from fn is returned. */
START_TEST(daily_perf_metrics_read)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d0 = jutsu_date_from_ymd(2025, 1, 6);
    static const char *const mets[] = { "{\"b\":2.5}", NULL, "{\"a\":1,\"b\":null}", "{}",
                                        "{\"c\":0.1}" };
    for (int i = 4; i >= 0; i--) {   /* written newest first: the read orders them */
        struct jutsu_daily_perf_row r = null_perf("s1", "offline_mock", d0 + i);
        r.metrics = mets[i];
        ok(&t, jutsu_data_daily_perf_upsert(t.s, &r));
    }
    struct jutsu_daily_perf_row other = null_perf("s2", "offline_mock", d0 + 1);
    other.metrics = "{\"other\":1}";
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &other));
    other = null_perf("s1", "online_live", d0 + 1);
    other.metrics = "{\"live\":1}";
    ok(&t, jutsu_data_daily_perf_upsert(t.s, &other));

    struct metrics_seen x = { .n = 0 };
    ok(&t, jutsu_data_daily_perf_metrics(t.s, "strategy", "s1", "offline_mock", d0, d0 + 4,
                                         metrics_fn, &x));
    ck_assert_str_eq(x.text, "{\"b\":2.5}|{\"a\":1,\"b\":null}|{}|{\"c\":0.1}");
    x = (struct metrics_seen){ .n = 0 };
    ok(&t, jutsu_data_daily_perf_metrics(t.s, "strategy", "s1", "offline_mock", d0 + 1,
                                         d0 + 3, metrics_fn, &x));
    ck_assert_str_eq(x.text, "{\"a\":1,\"b\":null}|{}");
    x = (struct metrics_seen){ .stop_after = 2 };
    ck_assert_int_eq(jutsu_data_daily_perf_metrics(t.s, "strategy", "s1", "offline_mock", d0,
                                                   d0 + 4, metrics_fn, &x), 42);
    ck_assert_str_eq(x.text, "{\"b\":2.5}|{\"a\":1,\"b\":null}");
    /* the same scope checks as the range read */
    ck_assert_int_eq(jutsu_data_daily_perf_metrics(t.s, "strategy", NULL, "offline_mock", d0,
                                                   d0 + 4, metrics_fn, &x), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_data_daily_perf_metrics(t.s, "entity", "s1", "offline_mock", d0,
                                                   d0 + 4, metrics_fn, &x), JUTSU_EINVAL);
    tdb_close(&t);
}
END_TEST

static int latest_fn(const void *row, void *arg)
{
    int64_t *out = arg;
    const struct jutsu_daily_perf_row *r = row;
    ck_assert_int_lt(out[0], 7);
    out[1 + out[0]++] = r->trading_date;
    return 0;
}

START_TEST(daily_perf_latest_rows)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_date_t d0 = jutsu_date_from_ymd(2025, 1, 6);
    for (int i = 0; i < 5; i++)
        put_perf(&t, "s1", "offline_mock", d0 + i, INT64_C(10000000000) + i);
    put_perf(&t, "s2", "offline_mock", d0 + 9, INT64_C(10000000000));
    int64_t got[8] = { 0 };
    ok(&t, jutsu_data_daily_perf_latest(t.s, "strategy", "s1", "offline_mock", d0 + 3, 2,
                                        latest_fn, got));
    ck_assert_int_eq(got[0], 2);
    ck_assert_int_eq(got[1], d0 + 3);    /* newest first, on or before `to` */
    ck_assert_int_eq(got[2], d0 + 2);
    memset(got, 0, sizeof(got));
    ok(&t, jutsu_data_daily_perf_latest(t.s, "strategy", "s1", "offline_mock", d0 + 100, 30,
                                        latest_fn, got));
    ck_assert_int_eq(got[0], 5);
    ck_assert_int_eq(got[1], d0 + 4);
    tdb_close(&t);
}
END_TEST

struct bars_seen {
    jutsu_time_t ts[16];
    size_t       n;
};

static int bar_fn(const struct jutsu_bar_row *b, void *arg)
{
    struct bars_seen *x = arg;
    ck_assert_uint_lt(x->n, 16);
    x->ts[x->n++] = b->ts;
    return 0;
}

START_TEST(bars_paged)
{
    struct tdb t;
    int64_t ins = 0, skip = 0, total = -1;
    if (!open_db(&t, _i))
        return;
    struct jutsu_bar_row rows[9];
    for (int i = 0; i < 9; i++)
        rows[i] = (struct jutsu_bar_row){ .symbol = "QQQ", .timeframe = "1D",
            .ts = T0 + i * DAY, .open = 1000000, .high = 2000000, .low = 500000,
            .close = 1500000 + i, .volume = 100, .data_source = "csv", .is_valid = 1 };
    ok(&t, jutsu_data_bars_upsert(t.s, rows, 9, &ins, &skip));
    struct bars_seen x = { .n = 0 };
    ok(&t, jutsu_data_bars_page(t.s, "QQQ", "1D", T0 + DAY, T0 + 7 * DAY, 2, 3, bar_fn, &x,
                                &total));
    ck_assert_int_eq(total, 7);
    ck_assert_uint_eq(x.n, 3);
    ck_assert_int_eq(x.ts[0], T0 + 3 * DAY);   /* oldest first, 2 skipped */
    ck_assert_int_eq(x.ts[2], T0 + 5 * DAY);
    struct bars_seen y = { .n = 0 };
    ok(&t, jutsu_data_bars_page(t.s, "QQQ", "1D", T0, T0 + 100 * DAY, 0, 0, bar_fn, &y, NULL));
    ck_assert_uint_eq(y.n, 9);
    tdb_close(&t);
}
END_TEST

/* A price book's read: the valid bars of the range, oldest first, with
 * their prices and volume, and nothing else read. */
struct prices_seen {
    size_t       n;
    jutsu_time_t ts[8];
};

static int prices_fn(const struct jutsu_bar_row *b, void *arg)
{
    struct prices_seen *x = arg;
    ck_assert_uint_lt(x->n, 8);
    ck_assert_int_eq(b->open, 1000000);
    ck_assert_int_eq(b->high, 2000000);
    ck_assert_int_eq(b->low, 500000);
    ck_assert_int_eq(b->close, 1500000 + (b->ts - T0) / DAY);
    ck_assert_int_eq(b->volume, 100 + (b->ts - T0) / DAY);
    ck_assert_ptr_null(b->symbol);
    ck_assert_ptr_null(b->data_source);
    ck_assert_int_eq(b->is_valid, JUTSU_INT_NULL);
    x->ts[x->n++] = b->ts;
    return 0;
}

START_TEST(bars_prices_read)
{
    struct tdb t;
    int64_t ins = 0, skip = 0;
    if (!open_db(&t, _i))
        return;
    struct jutsu_bar_row rows[6];
    for (int i = 0; i < 6; i++)
        rows[i] = (struct jutsu_bar_row){ .symbol = "QQQ", .timeframe = "1D",
            .ts = T0 + i * DAY, .open = 1000000, .high = 2000000, .low = 500000,
            .close = 1500000 + i, .volume = 100 + i, .data_source = "csv",
            .is_valid = i != 2 };
    ok(&t, jutsu_data_bars_upsert(t.s, rows, 6, &ins, &skip));
    struct prices_seen x = { .n = 0 };
    ok(&t, jutsu_data_bars_prices(t.s, "QQQ", "1D", T0 + DAY, T0 + 4 * DAY, prices_fn, &x));
    ck_assert_uint_eq(x.n, 3);              /* day 2 is not valid, day 5 is past the range */
    ck_assert_int_eq(x.ts[0], T0 + DAY);
    ck_assert_int_eq(x.ts[1], T0 + 3 * DAY);
    ck_assert_int_eq(x.ts[2], T0 + 4 * DAY);
    tdb_close(&t);
}
END_TEST

static Suite *trading_suite(void)
{
    Suite *s = suite_create("data_trading");
    TCase *tc = tcase_create("trading");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, trade_round_trip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_unchanged_is_left_alone, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, ratio_rounding, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, position_round_trip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, snapshot_round_trip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, snapshot_bulk, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_round_trip, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_prev_and_range, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_kpis_read, 0, TDB_BACKENDS);
    tcase_add_test(tc, select_only_text);
    tcase_add_loop_test(tc, bars_prices_read, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_bulk, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, isolation, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, trade_refusals, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, position_snapshot_refusals, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_refusals, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, atomic_rollback, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, atomic_commit, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, trades_query_pages, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, listing_refusals, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, snapshots_positions_query, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_latest_rows, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, daily_perf_metrics_read, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, bars_paged, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(trading_suite());
}
