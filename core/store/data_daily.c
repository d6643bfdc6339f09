/*
 * core/store/data_daily.c — daily_performance: one row per trading day per
 * entity (a strategy instance or a baseline) per mode, written by the EOD
 * job.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"

static const char *const entity_types[] = { "strategy", "baseline", NULL };

#define DR struct jutsu_daily_perf_row
#define KPI JUTSU_COL_KPI
static const struct jutsu_col daily_cols[] = {
    COL_ID(DR, id),
    COL_DATE(DR, trading_date, JUTSU_COL_KEY),
    COL_ENUM(DR, entity_type, entity_types, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_TEXT(DR, entity_id, 50, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_ENUM(DR, mode, jutsu_modes, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_MONEY(DR, total_equity, JUTSU_COL_REQUIRED),
    COL_MONEY(DR, cash, 0),
    COL_MONEY(DR, positions_value, 0),
    COL_TEXT(DR, positions_json, 0, 0),
    COL_FIXED(DR, daily_return, 10, 6, JUTSU_COL_REQUIRED),
    COL_FIXED(DR, cumulative_return, 10, 6, JUTSU_COL_REQUIRED),
    COL_FIXED(DR, drawdown, 10, 6, 0),
    COL_FIXED(DR, sharpe_ratio, 10, 6, KPI),
    COL_FIXED(DR, sortino_ratio, 10, 6, KPI),
    COL_FIXED(DR, calmar_ratio, 10, 6, KPI),
    COL_FIXED(DR, max_drawdown, 10, 6, KPI),
    COL_FIXED(DR, volatility, 10, 6, KPI),
    COL_FIXED(DR, cagr, 10, 6, KPI),
    COL_INT(DR, strategy_cell, 0),
    COL_TEXT(DR, trend_state, 20, 0),
    COL_TEXT(DR, vol_state, 10, 0),
    COL_FIXED(DR, t_norm, 10, 6, 0),
    COL_FIXED(DR, z_score, 10, 6, 0),
    COL_MONEY(DR, sma_fast, 0),
    COL_MONEY(DR, sma_slow, 0),
    COL_INT(DR, total_trades, 0),
    COL_INT(DR, winning_trades, 0),
    COL_INT(DR, losing_trades, 0),
    COL_FIXED(DR, win_rate, 5, 2, KPI),
    COL_TEXT(DR, baseline_symbol, 20, 0),
    COL_MONEY(DR, initial_capital, 0),
    COL_MONEY(DR, high_water_mark, 0),
    COL_INT(DR, trading_days_count, 0),
    COL_INT(DR, days_since_previous, 0),
    COL_BOOL(DR, is_first_day, 0),
    COL_FIXED(DR, returns_sum, 18, 8, KPI),
    COL_FIXED(DR, returns_sum_sq, 18, 8, KPI),
    COL_FIXED(DR, downside_sum_sq, 18, 8, KPI),
    COL_INT(DR, returns_count, KPI),
    COL_INT(DR, welford_count, KPI),
    COL_DOUBLE(DR, welford_mean, KPI),
    COL_DOUBLE(DR, welford_m2, KPI),
    COL_TEXT(DR, kpi_state, 0, 0),
    /* when the values last changed: a row recomputed to the same values is
     * left alone, this included (an upsert of changes only) */
    COL_TIME(DR, finalized_at, JUTSU_COL_NOW),
    /* ABI 1.4, last: the part of a row that get, prev and upsert leave to
     * the host (a 1.3 plugin's struct ends before it) */
    COL_TEXT(DR, metrics, 0, 0),
};
#undef KPI
#undef DR
const struct jutsu_table jutsu_daily_perf_table =
    JUTSU_TABLE("daily_performance", struct jutsu_daily_perf_row, daily_cols);
#define DAILY (&jutsu_daily_perf_table)

/* Re-running a day or a backfill writes nothing that did not change. */
static struct jutsu_sql daily_put = JUTSU_SQL(DAILY, JUTSU_SQL_UPSERT_CHANGED, NULL);
#define SCOPE "WHERE entity_type = $1 AND entity_id = $2 AND mode = $3 AND "
static struct jutsu_sql daily_get = JUTSU_SQL(DAILY, JUTSU_SQL_SELECT, SCOPE "trading_date = $4");
static struct jutsu_sql daily_prev = JUTSU_SQL(DAILY, JUTSU_SQL_SELECT,
    SCOPE "trading_date < $4 ORDER BY trading_date DESC LIMIT 1");
static struct jutsu_sql daily_range = JUTSU_SQL(DAILY, JUTSU_SQL_SELECT,
    SCOPE "trading_date BETWEEN $4 AND $5 ORDER BY trading_date");
static struct jutsu_sql daily_latest = JUTSU_SQL(DAILY, JUTSU_SQL_SELECT,
    SCOPE "trading_date <= $4 ORDER BY trading_date DESC LIMIT $5");
/* the range's equity, drawdown, KPIs and trade counts: a row has 45
 * columns, and a reader of the series needs these */
static struct jutsu_sql daily_kpis = JUTSU_SQL_ONLY(DAILY,
    "trading_date total_equity drawdown sharpe_ratio sortino_ratio calmar_ratio max_drawdown "
    "volatility cagr win_rate total_trades winning_trades losing_trades",
    SCOPE "trading_date BETWEEN $4 AND $5 ORDER BY trading_date");
/* the range's metrics alone: a row is wide, and its NULLs need not cross */
static const char daily_metrics_sql[] = "SELECT metrics FROM daily_performance "
    SCOPE "trading_date BETWEEN $4 AND $5 AND metrics IS NOT NULL ORDER BY trading_date";
#undef SCOPE

/* The fields of a row a plugin's struct holds at ABI 1.3: what the data
 * vtable's get, prev and upsert copy (the _1_3 functions; see jutsu/data.h).
 * The host's own calls take and give the whole row. */
#define DAILY_1_3 offsetof(struct jutsu_daily_perf_row, metrics)

/* What put and the bulk writer check before a row goes near the database:
 * its columns, and that its two texts are JSON. */
static int check_daily(jutsu_dbs *s, const struct jutsu_daily_perf_row *row)
{
    int rc;
    if ((rc = jutsu_row_check(s, DAILY, row, JUTSU_ROW_INSERT)) != 0)
        return rc;
    if (row->kpi_state && *row->kpi_state &&
        (rc = jutsu_check_json(s, "daily_performance", "kpi_state", row->kpi_state)))
        return rc;
    if (row->metrics && *row->metrics &&
        (rc = jutsu_check_json(s, "daily_performance", "metrics", row->metrics)))
        return rc;
    return 0;
}

int jutsu_data_daily_perf_put(jutsu_dbs *s, const struct jutsu_daily_perf_row *row,
                              int *changed)
{
    int rc, own;
    if ((rc = check_daily(s, row)) != 0 ||
        (rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    struct jutsu_q q;
    int64_t n = 0;
    jutsu_q_prepare_row(&q, s, &daily_put, row, jutsu_dbs_now(s), "daily_performance: upsert");
    if ((rc = jutsu_q_exec_changes(&q, &n)) == 0 && changed)
        *changed = n > 0;
    return jutsu_dbs_tx_leave(s, own, rc);
}

int jutsu_data_daily_perf_bulk_begin(jutsu_dbs *s, struct jutsu_row_bulk **out)
{
    return jutsu_row_bulk_begin(s, DAILY, out);
}

int jutsu_data_daily_perf_bulk_row(jutsu_dbs *s, struct jutsu_row_bulk *w,
                                   const struct jutsu_daily_perf_row *row)
{
    int rc = check_daily(s, row);
    return rc ? rc : jutsu_row_bulk_add(w, row);
}

int jutsu_data_daily_perf_upsert(jutsu_dbs *s, const struct jutsu_daily_perf_row *row)
{
    return jutsu_data_daily_perf_put(s, row, NULL);
}

int jutsu_data_daily_perf_upsert_1_3(jutsu_dbs *s, const struct jutsu_daily_perf_row *row)
{
    struct jutsu_daily_perf_row full = { 0 };
    memcpy(&full, row, DAILY_1_3);
    return jutsu_data_daily_perf_put(s, &full, NULL);
}

/* Checks an entity and prepares one of the reads (`sql`, else the text
 * `text`) with it bound as $1..$3. */
static int daily_query(struct jutsu_q *q, jutsu_dbs *s, struct jutsu_sql *sql, const char *text,
                       const char *what, const char *entity_type, const char *entity_id,
                       const char *mode)
{
    int rc = jutsu_check_enum(s, "daily_performance", "entity_type", entity_type, entity_types,
                              1);
    if (rc || (rc = jutsu_check_scope(s, "daily_performance", "entity_id", entity_id, mode)) ||
        (rc = sql ? jutsu_q_prepare_sql(q, s, sql, what) : jutsu_q_prepare(q, s, text, what)))
        return rc;
    jutsu_q_text(q, entity_type);
    jutsu_q_text(q, entity_id);
    jutsu_q_text(q, mode);
    return 0;
}

/* The single-row reads: `missing` words the ENOENT message; `size` is how
 * much of *out the caller's struct holds (DAILY_1_3 for a plugin's). */
static int daily_one(jutsu_dbs *s, struct jutsu_sql *sql, const char *entity_type,
                     const char *entity_id, const char *mode, jutsu_date_t date,
                     const char *missing, struct jutsu_daily_perf_row *out, size_t size)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    int rc = daily_query(&q, s, sql, NULL, "daily_performance: read", entity_type, entity_id, mode);
    if (rc != 0)
        return rc;
    jutsu_q_date(&q, date);
    struct jutsu_daily_perf_row full;
    if ((rc = jutsu_q_one(&q, DAILY, &full)) == 0)
        memcpy(out, &full, size);
    else if (rc == JUTSU_ENOENT) {
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
    return daily_one(s, &daily_get, entity_type, entity_id, mode, date, "on", out,
                     sizeof(*out));
}

int jutsu_data_daily_perf_get_1_3(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                  const char *mode, jutsu_date_t date,
                                  struct jutsu_daily_perf_row *out)
{
    return daily_one(s, &daily_get, entity_type, entity_id, mode, date, "on", out, DAILY_1_3);
}

int jutsu_data_daily_perf_prev(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                               const char *mode, jutsu_date_t date,
                               struct jutsu_daily_perf_row *out)
{
    return daily_one(s, &daily_prev, entity_type, entity_id, mode, date, "before", out,
                     sizeof(*out));
}

int jutsu_data_daily_perf_prev_1_3(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                   const char *mode, jutsu_date_t date,
                                   struct jutsu_daily_perf_row *out)
{
    return daily_one(s, &daily_prev, entity_type, entity_id, mode, date, "before", out,
                     DAILY_1_3);
}

/* The rows of [from, to] through `sql`, a range select of SCOPE. */
static int range_read(jutsu_dbs *s, struct jutsu_sql *sql, const char *entity_type,
                      const char *entity_id, const char *mode, jutsu_date_t from,
                      jutsu_date_t to, jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_daily_perf_row r;
    int rc = daily_query(&q, s, sql, NULL, "daily_performance: range read", entity_type,
                         entity_id, mode);
    if (rc != 0)
        return rc;
    jutsu_q_date(&q, from);
    jutsu_q_date(&q, to);
    return jutsu_q_each(&q, DAILY, &r, fn, arg);
}

int jutsu_data_daily_perf_range(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                const char *mode, jutsu_date_t from, jutsu_date_t to,
                                jutsu_row_fn fn, void *arg)
{
    return range_read(s, &daily_range, entity_type, entity_id, mode, from, to, fn, arg);
}

int jutsu_data_daily_perf_kpis(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                               const char *mode, jutsu_date_t from, jutsu_date_t to,
                               jutsu_row_fn fn, void *arg)
{
    return range_read(s, &daily_kpis, entity_type, entity_id, mode, from, to, fn, arg);
}

int jutsu_data_daily_perf_latest(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                 const char *mode, jutsu_date_t to, int64_t limit,
                                 jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_daily_perf_row r;
    if (limit <= 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "daily_performance: a limit of %lld rows (it "
                              "must be at least 1)", (long long)limit);
    int rc = daily_query(&q, s, &daily_latest, NULL, "daily_performance: latest rows", entity_type,
                         entity_id, mode);
    if (rc != 0)
        return rc;
    jutsu_q_date(&q, to);
    jutsu_q_int(&q, limit);
    return jutsu_q_each(&q, DAILY, &r, fn, arg);
}

int jutsu_data_daily_perf_metrics(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                  const char *mode, jutsu_date_t from, jutsu_date_t to,
                                  int (*fn)(const char *metrics, void *arg), void *arg)
{
    struct jutsu_q q;
    int rc = daily_query(&q, s, NULL, daily_metrics_sql, "daily_performance: metrics read",
                         entity_type, entity_id, mode);
    if (rc != 0)
        return rc;
    jutsu_q_date(&q, from);
    jutsu_q_date(&q, to);
    int stop = 0;
    while (stop == 0 && jutsu_q_step(&q) == JUTSU_DB_ROW) {
        const char *m = jutsu_q_col_text(&q);
        if (m != NULL)
            stop = fn(m, arg);
    }
    rc = jutsu_q_done(&q);
    return stop ? stop : rc;
}
