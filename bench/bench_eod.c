/*
 * bench/bench_eod.c — what the EOD job costs as history grows.
 *
 *   bench_eod [--backend sqlite|postgresql|both] [--reps N] [--json]
 *
 * On each backend, a scratch database gets the six bundled ETFs
 * (conf/sample-data, 2010-2026, through the CSV source), and four
 * strategies get a snapshot every trading day (positions in one or two of
 * QQQ, TLT, TMF, TMV, cash) and a buy and a sell every ten days, written through the
 * data API; one baseline (QQQ) and the kpi-standard KPIs are configured.
 * Then, timed:
 *
 *   backfill   jutsu_eod_backfill over every trading day 2010-01-04 ..
 *              2026-05-13 (4,115 days) for the 5 entities, one pass, into
 *              an empty daily_performance; then the same again, which must
 *              write nothing (a re-run)
 *   day N      jutsu_eod_run of the N-th trading day (N = 10 and 3,800)
 *              with every earlier day finalised and none after it (the
 *              day's rows and status are deleted before each repetition,
 *              untimed; eod.lookback_days 0): the median of --reps runs.
 *              ratio = day 3,800 / day 10; the bar is 1.5 (flat)
 *
 * and, from the same run, the backfill's cost per day over a single day's
 * run: what finalising the history one `eod run` at a time would cost more.
 *
 * Setting up (sync, snapshots) is never timed. PostgreSQL is measured when
 * JUTSU_TEST_PG_HOST/PORT/USER name the test cluster.
 */
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "benchlib.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "eod/eod.h"
#include "base/log.h"

#define FIRST_DAY  jutsu_date_from_ymd(2010, 1, 4)
/* the last day every symbol the strategies hold has a bar (the sample's TLT,
 * TMF and TMV end here): after it their days wait for data (docs/eod.md) */
#define LAST_DAY   jutsu_date_from_ymd(2025, 6, 27)
#define LATE_DAY_N 3800

struct result {
    const char *backend;
    size_t      days;
    int64_t     rows;
    double      backfill_s, backfill_cpu_s, rerun_s;
    double      day_ms[2];       /* day 10, day 3,800: medians */
    int         reps;
};

static char *config_yaml(void)
{
    char *y = NULL;
    /* tp-strategy (the tests' plugin) stands in for the strategies: the EOD
     * job reads their snapshots and never calls them */
    if (asprintf(&y,
        "log: {level: error}\n"
        "plugin_path: [\"%s/tests/plugins\"]\n"
        "sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}\n"
        "eod: {lookback_days: 0}\n"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: s1, plugin: tp-strategy}\n"
        "  - {name: s2, plugin: tp-strategy}\n"
        "  - {name: s3, plugin: tp-strategy}\n"
        "  - {name: s4, plugin: tp-strategy}\n",
        bench_build_dir(), bench_source_dir()) < 0)
        bench_die("out of memory");
    return y;
}

/* --- the synthetic strategies ---------------------------------------------- */

static void snapshot(struct bench_db *d, const char *id, jutsu_time_t ts, jutsu_money_t cash,
                     const char *positions)
{
    struct jutsu_snapshot_row s = {
        .strategy_id = id, .mode = "offline_mock", .ts = ts, .total_equity = cash,
        .cash = cash, .positions_value = JUTSU_MONEY_NULL, .daily_return = NAN,
        .cumulative_return = NAN, .drawdown = NAN, .strategy_cell = 3, .trend_state = "Sideways",
        .vol_state = "Low", .snapshot_source = "backtest", .t_norm = 0.1, .z_score = 0.2,
        .sma_fast = JUTSU_MONEY_NULL, .sma_slow = JUTSU_MONEY_NULL, .positions_json = positions,
        .baseline_value = JUTSU_MONEY_NULL, .baseline_return = NAN,
    };
    if (jutsu_data_snapshot_upsert(d->s, &s) != 0)
        bench_die("snapshot: %s", jutsu_dbs_error(d->s));
}

static void trade(struct bench_db *d, const char *id, jutsu_time_t ts, const char *symbol,
                  const char *action, jutsu_money_t pnl)
{
    struct jutsu_trade_row t = {
        .strategy_id = id, .mode = "offline_mock", .symbol = symbol, .ts = ts, .action = action,
        .quantity = 5, .target_price = INT64_C(100000000), .fill_price = INT64_C(100000000),
        .fill_value = INT64_C(500000000), .slippage_pct = NAN, .strategy_cell = JUTSU_INT_NULL,
        .t_norm = NAN, .z_score = NAN, .realized_pnl = pnl,
    };
    if (jutsu_data_trade_insert(d->s, &t, NULL) != 0)
        bench_die("trade: %s", jutsu_dbs_error(d->s));
}

/* A snapshot every trading day from the first, a buy and a sell every ten,
 * in one transaction. The strategies hold ETFs whose data start on
 * 2010-01-04 (not TQQQ or PSQ), so that day 10 and day 3,800 do the same
 * work: five entities, each with positions to value. */
static void make_strategies(struct bench_db *d, const jutsu_date_t *days, size_t n)
{
    /* what each holds beside QQQ or TLT (s1: QQQ alone), the quantity varying */
    static const char *const sym[4] = { "QQQ", "TMV", "TMF", "TLT" };
    if (jutsu_dbs_begin(d->s) != 0)
        bench_die("begin: %s", jutsu_dbs_error(d->s));
    for (size_t i = 0; i < n; i++) {
        jutsu_time_t ts;
        if (jutsu_tz_to_utc(d->app->tz, days[i], 15, 55, 0, &ts) != 0)
            bench_die("no time zone");
        for (int k = 0; k < 4; k++) {
            char id[4], js[160];
            snprintf(id, sizeof(id), "s%d", k + 1);
            int q = 20 + (int)(i % 7);
            if (k == 0)
                snprintf(js, sizeof(js), "[{\"symbol\":\"QQQ\",\"quantity\":%d}]", q);
            else
                snprintf(js, sizeof(js), "[{\"symbol\":\"%s\",\"quantity\":30},"
                         "{\"symbol\":\"%s\",\"quantity\":%d}]", k == 2 ? "TLT" : "QQQ",
                         sym[k], q);
            snapshot(d, id, ts, INT64_C(5000000000) + (jutsu_money_t)(i % 13) * 1000000, js);
            if (i % 10 == 0)
                trade(d, id, ts, sym[k], "BUY", JUTSU_MONEY_NULL);
            if (i % 10 == 5)
                trade(d, id, ts, sym[k], "SELL", (i / 10) % 3 ? INT64_C(12000000)
                                                             : INT64_C(-8000000));
        }
    }
    if (jutsu_dbs_commit(d->s) != 0)
        bench_die("commit: %s", jutsu_dbs_error(d->s));
}

/* --- measurements ---------------------------------------------------------- */

static void delete_from(struct bench_db *d, jutsu_date_t day)
{
    char lit[JUTSU_DATE_BUFSZ], sql[256];
    jutsu_date_format(day, lit);
    snprintf(sql, sizeof(sql), "DELETE FROM daily_performance WHERE trading_date >= '%s'; "
             "DELETE FROM eod_job_status WHERE job_date >= '%s'", lit, lit);
    if (d->s->ops->exec(d->s->db, sql) != 0)
        bench_die("%s: %s", sql, d->s->ops->last_error(d->s->db)->message);
}

/* The median of `reps` runs of the day, each on a history that ends the
 * day before. */
static double day_cost_ms(struct bench_db *d, jutsu_date_t day, int reps)
{
    double *ms = calloc((size_t)reps, sizeof(*ms));
    if (ms == NULL)
        bench_die("out of memory");
    for (int k = 0; k < reps; k++) {
        delete_from(d, day);
        struct jutsu_eod_report r;
        int64_t t0 = bench_mono_ns();
        int rc = jutsu_eod_run(d->app, day, &r);
        ms[k] = (double)(bench_mono_ns() - t0) / 1e6;
        if (rc != 0 || r.rows_changed != 5)
            bench_die("eod run: %s (%lld rows written)", r.error[0] ? r.error :
                      jutsu_strerror(rc), (long long)r.rows_changed);
        jutsu_eod_report_free(&r);
    }
    double m = bench_median(ms, (size_t)reps);
    free(ms);
    return m;
}

static void run_backend(int pg, int reps, struct result *res)
{
    struct bench_db d;
    char *y = config_yaml();
    res->backend = pg ? "postgresql" : "sqlite";
    res->reps = reps;
    bench_db_open(&d, pg, "eod", y, 1);
    free(y);

    bench_sync(&d);
    jutsu_date_t *days = NULL;
    size_t n = 0;
    int64_t count = jutsu_calendar_count(d.app->cal, FIRST_DAY, LAST_DAY);
    if (count < LATE_DAY_N)   /* day 3,800 is measured */
        bench_die("the calendar has %lld trading days in the range, fewer than %d",
                  (long long)count, LATE_DAY_N);
    days = malloc((size_t)count * sizeof(*days));
    if (days == NULL)
        bench_die("out of memory");
    for (jutsu_date_t x = FIRST_DAY; x <= LAST_DAY; x = jutsu_calendar_next(d.app->cal, x))
        days[n++] = x;
    make_strategies(&d, days, n);
    res->days = n;

    struct bench_watch w = { 0 };
    struct jutsu_eod_report r;
    bench_lap_start(&w);
    int rc = jutsu_eod_backfill(d.app, FIRST_DAY, LAST_DAY, NULL, NULL, &r);
    bench_lap_stop(&w);
    for (size_t i = 0; rc == JUTSU_EPLUGIN && i < r.ndays; i++)
        if (r.days[i].error[0])
            bench_die("backfill: %s", r.days[i].error);
    if (rc != 0)
        bench_die("backfill: %s", r.error[0] ? r.error : jutsu_strerror(rc));
    res->backfill_s = bench_wall_s(&w);
    res->backfill_cpu_s = bench_cpu_s(&w);
    res->rows = r.rows_changed;
    jutsu_eod_report_free(&r);

    struct bench_watch w2 = { 0 };
    bench_lap_start(&w2);
    rc = jutsu_eod_backfill(d.app, FIRST_DAY, LAST_DAY, NULL, NULL, &r);
    bench_lap_stop(&w2);
    if (rc != 0 || r.rows_changed != 0)
        bench_die("the second backfill wrote %lld rows (%s)", (long long)r.rows_changed,
                  r.error);
    res->rerun_s = bench_wall_s(&w2);
    jutsu_eod_report_free(&r);

    res->day_ms[1] = day_cost_ms(&d, days[LATE_DAY_N - 1], reps);
    res->day_ms[0] = day_cost_ms(&d, days[10 - 1], reps);
    free(days);
    bench_db_close(&d);
}

static void print_text(const struct result *r, size_t n)
{
    printf("%-10s %6s %7s %12s %9s %10s %11s %12s %6s %14s\n", "backend", "days", "rows",
           "backfill s", "cpu s", "re-run s", "day 10 ms", "day 3800 ms", "ratio",
           "backfill/day");
    for (size_t i = 0; i < n; i++) {
        double per_day_ms = r[i].backfill_s * 1e3 / (double)r[i].days;
        printf("%-10s %6zu %7lld %12.3f %9.3f %10.3f %11.3f %12.3f %6.2f %7.3f ms %4.0fx\n",
               r[i].backend, r[i].days, (long long)r[i].rows, r[i].backfill_s,
               r[i].backfill_cpu_s, r[i].rerun_s, r[i].day_ms[0], r[i].day_ms[1],
               r[i].day_ms[1] / r[i].day_ms[0], per_day_ms, r[i].day_ms[1] / per_day_ms);
    }
    printf("ratio = day 3800 / day 10 (the bar: <= 1.5). backfill/day: the backfill's cost per "
           "day, and how many times cheaper than one `eod run` per day.\n");
}

static void print_json(const struct result *r, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "backend", json_object_new_string(r[i].backend));
        json_object_object_add(o, "days", json_object_new_int64((int64_t)r[i].days));
        json_object_object_add(o, "rows", json_object_new_int64(r[i].rows));
        json_object_object_add(o, "backfill_s", json_object_new_double(r[i].backfill_s));
        json_object_object_add(o, "backfill_cpu_s", json_object_new_double(r[i].backfill_cpu_s));
        json_object_object_add(o, "rerun_s", json_object_new_double(r[i].rerun_s));
        json_object_object_add(o, "day10_ms", json_object_new_double(r[i].day_ms[0]));
        json_object_object_add(o, "day3800_ms", json_object_new_double(r[i].day_ms[1]));
        json_object_object_add(o, "ratio", json_object_new_double(r[i].day_ms[1] /
                                                                  r[i].day_ms[0]));
        json_object_object_add(o, "reps", json_object_new_int(r[i].reps));
        json_object_array_add(a, o);
    }
    puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY));
    json_object_put(a);
}

int main(int argc, char **argv)
{
    unsigned which;
    int reps, json;
    bench_init("bench_eod");
    bench_parse(argc, argv, 15, 1000, &which, &reps, &json);
    struct result res[2];
    size_t n = 0;
    if (which & BENCH_SQLITE)
        run_backend(0, reps, &res[n++]);
    if (which & BENCH_PG)
        run_backend(1, reps, &res[n++]);
    if (json)
        print_json(res, n);
    else
        print_text(res, n);
    return 0;
}
