/*
 * jutsu/kpi.h — a KPI plugin folds one trading day into running statistics.
 *
 * At the end of each trading day the EOD job computes, for every entity (a
 * strategy instance or a baseline) and mode, the day's end-of-day equity,
 * its return over the previous row, the high-water mark, the drawdown and
 * the trades closed that day. It then asks every configured KPI instance to
 * fold that day into the state the same instance returned for the previous
 * row, and stores what comes back in the day's daily_performance row:
 *
 *   - the instance's new state: any JSON value, kept for it in the row's
 *     kpi_state column (a JSON object keyed by instance name) and handed
 *     back, unchanged, when the next trading day is folded;
 *   - one value per column the instance declared in `columns`.
 *
 * The work per day is O(1): a fold never looks at history, only at the
 * state it left itself. That is what makes finalising day 4,000 cost what
 * finalising day 10 costs, and a backfill of N days O(N).
 *
 * Determinism: fold must be a pure function of (prev, day) and the
 * instance's config. The EOD job recomputes rows (a re-run, a backfill)
 * and relies on equal inputs giving equal rows. json-c writes doubles with
 * 17 significant digits, so a double put in the state reads back exactly.
 *
 * Columns. A KPI instance may fill these daily_performance columns, and no
 * two instances of one config may claim the same column (the EOD job
 * refuses such a config, naming both):
 *
 *   column            stored as          meaning in kpi-standard (docs/kpi.md)
 *   sharpe_ratio      NUMERIC(10,6)      annualised Sharpe ratio
 *   sortino_ratio     NUMERIC(10,6)      annualised Sortino ratio
 *   calmar_ratio      NUMERIC(10,6)      CAGR / |max drawdown|
 *   max_drawdown      NUMERIC(10,6)      worst drawdown so far (<= 0)
 *   volatility        NUMERIC(10,6)      annualised standard deviation
 *   cagr              NUMERIC(10,6)      compound annual growth rate
 *   win_rate          NUMERIC(5,2)       winning / closed trades, percent
 *   returns_count     INTEGER            number of daily returns so far
 *   returns_sum       NUMERIC(18,8)      sum of daily returns
 *   returns_sum_sq    NUMERIC(18,8)      sum of squared daily returns
 *   downside_sum_sq   NUMERIC(18,8)      sum of min(return, 0)^2
 *   welford_count     INTEGER            Welford's running count ...
 *   welford_mean      DOUBLE PRECISION   ... mean ...
 *   welford_m2        DOUBLE PRECISION   ... and sum of squared deviations
 *
 * Values are doubles; NaN means SQL NULL (undefined: too few returns, a
 * zero deviation). The host rounds each value to its column's precision
 * (INTEGER columns to the nearest integer) and stores NULL, with a
 * warning, for a value the column cannot hold (|Sharpe| >= 10^4, an
 * infinity): a KPI never shows a huge or infinite number.
 *
 * Metrics of its own (ABI 1.4). Beyond those columns a KPI instance may
 * publish values under names it chooses, listed in `metrics` (an Omega
 * ratio: "omega_ratio"). A name is [a-z][a-z0-9_]{0,47}, is not the name
 * of any daily_performance column, and, like a column, is claimed by one
 * instance of a config only: the EOD job refuses a config where two
 * instances publish the same name, naming both. The host keeps them in the
 * row's `metrics` column, a JSON object {"omega_ratio": 1.25, ...} in
 * declared order, each double exactly as fold gave it (17 significant
 * digits; NaN and infinities as null); `jutsu perf show` prints them after
 * the fixed columns and the REST API's daily routes serve them as the
 * row's `metrics` object (docs/kpi.md).
 *
 * Threading: fold may be called concurrently for different entities on
 * the same instance; it must not modify instance state.
 */
#ifndef JUTSU_KPI_H
#define JUTSU_KPI_H

#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"
#include "jutsu/plugin.h"

struct json_object;

/* The most columns one KPI instance may declare. */
#define JUTSU_KPI_MAX_COLUMNS 16
/* The most metrics of its own one KPI instance may declare (ABI 1.4), and
 * the longest name of one, in characters. */
#define JUTSU_KPI_MAX_METRICS     16
#define JUTSU_KPI_METRIC_NAME_MAX 48

/*
 * One entity's trading day, as the EOD job computed it. Every field is
 * filled by the host; append-only within a major (check `size` before
 * reading a field added in a later minor).
 *
 * Returns are taken on end-of-day equity, one row per trading day: the
 * original system's bug of several returns per day (Sharpe -4 instead of
 * 0.82) cannot happen here.
 */
struct jutsu_kpi_day {
    uint32_t      size;                 /* sizeof(struct jutsu_kpi_day) of the host   */
    jutsu_date_t  date;                 /* the trading date (exchange calendar)        */
    const char   *entity_type;          /* "strategy" or "baseline"                    */
    const char   *entity_id;            /* "v3_5b", "QQQ"                              */
    const char   *mode;                 /* "offline_mock" or "online_live"             */

    int32_t       is_first_day;         /* 1: the entity's first row; no return today  */
    int32_t       days_since_previous;  /* trading days since the previous row: 1
                                           normally, more after a gap; 0 on day one   */
    int32_t       trading_days_count;   /* rows so far, this one included (1 on day one) */
    int32_t       reserved0;

    jutsu_money_t equity;               /* end-of-day equity, exact                    */
    jutsu_money_t previous_equity;      /* the previous row's; JUTSU_MONEY_NULL
                                           (INT64_MIN) on day one                      */
    jutsu_money_t initial_capital;
    jutsu_money_t high_water_mark;      /* max(initial capital, every equity so far,
                                           today's included)                           */

    double        daily_return;         /* equity / previous_equity - 1, unrounded;
                                           0 on day one (and not a return)             */
    double        cumulative_return;    /* equity / initial_capital - 1                */
    double        drawdown;             /* equity / high_water_mark - 1, <= 0          */

    int32_t       trades_closed;        /* today's sells that realised a profit or loss */
    int32_t       trades_won;           /* ... of them with realised P&L > 0           */
    int32_t       trades_lost;          /* ... with realised P&L < 0 (the rest broke even) */
    int32_t       reserved1;
};

struct jutsu_kpi_ops {
    uint32_t size;

    /* mandatory: the daily_performance columns this plugin fills, from the
     * list above, NULL-terminated, at most JUTSU_KPI_MAX_COLUMNS. */
    const char *const *columns;

    /*
     * mandatory: folds `day` into `prev`, the state this instance returned
     * for the entity's previous row (borrowed, read-only: do not change it,
     * take or drop references, or serialise it; NULL on the entity's first
     * day, and after a fold that returned NULL). Sets *next to the new
     * state (a new reference the host takes; NULL is allowed and stored as
     * JSON null) and values[i] to the value of columns[i] (NaN for NULL).
     * `prev` is either the object this instance returned the day before
     * (the host carries it in memory over a run of days) or a parse of the
     * row's stored text: a state may carry data of the plugin's own in
     * json-c's userdata to read the first kind faster, and must read the
     * second the same. The host frees every state before the plugin is
     * unloaded and never deep-copies one (it copies the text).
     * With `metrics` (below), values holds the metrics' values right after
     * the columns', as if the two lists were one: values[ncolumns + j] is
     * the value of metrics[j]. The host's array has room for
     * JUTSU_KPI_MAX_COLUMNS + JUTSU_KPI_MAX_METRICS values, each NaN
     * before the call: a value left alone is stored as null.
     *
     * Returns 0, or a negative JUTSU_E* code after host->set_error() (a
     * `prev` it cannot read is JUTSU_EMALFORMED): the entity is then not
     * finalised for the day, and the EOD job says why.
     */
    int (*fold)(void *state, struct json_object *prev, const struct jutsu_kpi_day *day,
                struct json_object **next, double *values);

    /* --- ABI 1.4 ---------------------------------------------------------- */

    /* optional: the names of the metrics of its own this plugin fills (see
     * "Metrics" above), NULL-terminated, at most JUTSU_KPI_MAX_METRICS; NULL
     * or an empty list: none. Each is filled by the same fold, in
     * values[ncolumns + j]. Static data: the host reads it once, at the
     * start of each EOD run, and keeps the pointers. */
    const char *const *metrics;
};

/* The table's size at ABI 1.0 (through `fold`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_KPI_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_kpi_ops, fold)

#endif
