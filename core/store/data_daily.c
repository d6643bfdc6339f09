/*
 * core/store/data_daily.c — daily_performance: one row per trading day per entity
 * (a strategy instance or a baseline) per mode, written by the EOD job.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/data_rows.h"

static const char *const entity_types[] = { "strategy", "baseline", NULL };

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

static int check_entity(jutsu_dbs *s, const char *type, const char *id, const char *mode)
{
    int rc = check_enum(s, "daily_performance", "entity_type", type, entity_types, 1);
    return rc ? rc : check_scope(s, "daily_performance", "entity_id", id, mode);
}

/* --- daily_performance ----------------------------------------------------- */

/* The columns after the natural key, in bind and read order; finalized_at
 * comes last and is not compared (see the upsert). */
static const char *const value_cols[] = {
    "total_equity", "cash", "positions_value", "positions_json", "daily_return",
    "cumulative_return", "drawdown", "sharpe_ratio", "sortino_ratio", "calmar_ratio",
    "max_drawdown", "volatility", "cagr", "strategy_cell", "trend_state", "vol_state",
    "t_norm", "z_score", "sma_fast", "sma_slow", "total_trades", "winning_trades",
    "losing_trades", "win_rate", "baseline_symbol", "initial_capital", "high_water_mark",
    "trading_days_count", "days_since_previous", "is_first_day", "returns_sum",
    "returns_sum_sq", "downside_sum_sq", "returns_count", "welford_count", "welford_mean",
    "welford_m2", "kpi_state", NULL
};
#define N_KEY_COLS 4

/* Both statements are made once from value_cols, so the column lists of
 * the write and the reads cannot disagree. */
static char upsert_sql[8192], get_sql[2048], prev_sql[2048], range_sql[2048];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

/* Appends to a fixed buffer; the buffers are sized for value_cols with
 * room to spare, and a test reads every column back, so a cut statement
 * cannot go unnoticed. */
struct sqlbuf { char *p, *end; };

static void add(struct sqlbuf *b, const char *fmt, ...) JUTSU_PRINTF(2, 3);
static void add(struct sqlbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p, (size_t)(b->end - b->p), fmt, ap);
    va_end(ap);
    if (n > 0)
        b->p += n < b->end - b->p ? n : b->end - b->p - 1;
}

static void build_sql(void)
{
    struct sqlbuf u = { upsert_sql, upsert_sql + sizeof(upsert_sql) };
    char cols[1024];
    struct sqlbuf q = { cols, cols + sizeof(cols) };
    int n = 0;
    add(&u, "INSERT INTO daily_performance (trading_date, entity_type, entity_id, mode");
    for (const char *const *c = value_cols; *c; c++, n++) {
        add(&u, ", %s", *c);
        add(&q, ", %s", *c);
    }
    add(&u, ", finalized_at) VALUES ($1");
    for (int i = 2; i <= N_KEY_COLS + n + 1; i++)
        add(&u, ", $%d", i);
    add(&u, ") ON CONFLICT (trading_date, entity_type, entity_id, mode) DO UPDATE SET ");
    for (const char *const *c = value_cols; *c; c++)
        add(&u, "%s = excluded.%s, ", *c, *c);
    /* A row recomputed to the same values is left alone, finalized_at
     * included: re-running a day or a backfill changes nothing. */
    add(&u, "finalized_at = excluded.finalized_at WHERE ");
    for (const char *const *c = value_cols; *c; c++)
        add(&u, "%sdaily_performance.%s IS DISTINCT FROM excluded.%s",
            c == value_cols ? "" : " OR ", *c, *c);

    static const char head[] = "SELECT id, trading_date, entity_type, entity_id, mode";
    static const char scope[] = "FROM daily_performance WHERE entity_type = $1 AND "
                                "entity_id = $2 AND mode = $3 AND";
    snprintf(get_sql, sizeof(get_sql), "%s%s, finalized_at %s trading_date = $4", head, cols,
             scope);
    snprintf(prev_sql, sizeof(prev_sql), "%s%s, finalized_at %s trading_date < $4 "
             "ORDER BY trading_date DESC LIMIT 1", head, cols, scope);
    snprintf(range_sql, sizeof(range_sql), "%s%s, finalized_at %s trading_date BETWEEN $4 "
             "AND $5 ORDER BY trading_date", head, cols, scope);
}

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
    p_int(b, r->welford_count);
    p_double(b, r->welford_mean);
    p_double(b, r->welford_m2);
    p_text(b, r->kpi_state);
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
    r->welford_count = r_int(c);
    r->welford_mean = r_double(c);
    r->welford_m2 = r_double(c);
    r->kpi_state = r_text(c);
    r->finalized_at = r_time(c);
}

int jutsu_data_daily_perf_put(jutsu_dbs *s, const struct jutsu_daily_perf_row *row,
                              int *changed)
{
    int rc, own;
    if ((rc = check_rules(s, "daily_performance", row, daily_perf_rules,
                          NRULES(daily_perf_rules))) != 0)
        return rc;
    if (row->kpi_state && *row->kpi_state && (rc = check_json(s, "daily_performance",
                                                              "kpi_state", row->kpi_state)))
        return rc;
    pthread_once(&sql_once, build_sql);
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    if ((rc = q_prepare(s, upsert_sql, &st)) == 0) {
        struct binds b = { s, st, 0, 0 };
        bind_daily_perf(&b, row, jutsu_dbs_now(s));
        rc = b.rc ? b.rc : q_exec(s, st, "daily_performance: upsert");
        if (rc == 0 && changed)
            *changed = s->ops->changes(st) > 0;
    }
    q_done(s, st);
    return tx_leave(s, own, rc);
}

int jutsu_data_daily_perf_upsert(jutsu_dbs *s, const struct jutsu_daily_perf_row *row)
{
    return jutsu_data_daily_perf_put(s, row, NULL);
}

/* The single-row reads of daily_performance: `sql` takes entity_type,
 * entity_id, mode and a date; `missing` words the ENOENT message. */
static int daily_perf_one(jutsu_dbs *s, const char *sql, const char *entity_type,
                          const char *entity_id, const char *mode, jutsu_date_t date,
                          const char *missing, struct jutsu_daily_perf_row *out)
{
    dbs_arena_reset(s);
    pthread_once(&sql_once, build_sql);
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
    return daily_perf_one(s, get_sql, entity_type, entity_id, mode, date, "on", out);
}

int jutsu_data_daily_perf_prev(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                               const char *mode, jutsu_date_t date,
                               struct jutsu_daily_perf_row *out)
{
    return daily_perf_one(s, prev_sql, entity_type, entity_id, mode, date, "before", out);
}

int jutsu_data_daily_perf_range(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                const char *mode, jutsu_date_t from, jutsu_date_t to,
                                jutsu_row_fn fn, void *arg)
{
    pthread_once(&sql_once, build_sql);
    struct binds b = { s, NULL, 0, 0 };
    if ((b.rc = check_entity(s, entity_type, entity_id, mode)) ||
        (b.rc = q_prepare(s, range_sql, &b.st)))
        return b.rc;
    p_text(&b, entity_type);
    p_text(&b, entity_id);
    p_text(&b, mode);
    p_date(&b, from);
    p_date(&b, to);
    struct jutsu_daily_perf_row r;
    return read_each(&b, "daily_performance: range read", read_daily_perf, &r, fn, arg);
}
