/*
 * tests/unit/test_paper.c — paper history (core/jobs/paper.h), both
 * backends, the real v3_5b on the bundled ETFs: a replay is the trading
 * job run day by day and then the EOD backfill, to the micro-unit; it
 * stops where the data ends; a replay cut short resumes where it stopped
 * and ends where an uninterrupted one ends; a second replay does nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "eod/eod.h"
#include "jobs/paper.h"
#include "store/data_api.h"
#include "testdb.h"
#include "trading/trade.h"

/* v3_5b with or without paper_since, the clock on the day after the
 * bundled data's end (2026-05-13). */
static int open_paper(struct tdb *t, int i, const char *since)
{
    char *y = NULL;
    char line[64] = "";
    if (since)
        snprintf(line, sizeof(line), ", paper_since: \"%s\"", since);
    ck_assert_int_gt(asprintf(&y,
        "sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}\n"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: v3_5b, plugin: strategy-regime%s}\n", tu_source_dir(), line), 0);
    tdb_open_with(t, i, 1, y);
    free(y);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    tdb_set_clock(t, jutsu_date_to_time(tdb_ymd(2026, 5, 14)) + 23LL * 3600 * 1000000);
    tdb_sync(t);
    return 1;
}

static int32_t trading_days(struct tdb *t, jutsu_date_t from, jutsu_date_t to)
{
    int32_t n = 0;
    for (jutsu_date_t d = from; d <= to; d = jutsu_calendar_next(t->app->cal, d))
        n += jutsu_calendar_is_trading_day(t->app->cal, d);
    return n;
}

static jutsu_money_t equity_on(struct tdb *t, const char *type, const char *id, jutsu_date_t d)
{
    struct jutsu_daily_perf_row row;
    int rc = jutsu_data_daily_perf_get(t->s, type, id, "offline_mock", d, &row);
    char day[JUTSU_DATE_BUFSZ];
    jutsu_date_format(d, day);
    ck_assert_msg(rc == 0, "%s %s: no daily row on %s (%s)", type, id, day, jutsu_strerror(rc));
    return row.total_equity;
}

static struct jutsu_paper_report replay(struct tdb *t, jutsu_date_t before)
{
    struct jutsu_paper_report r;
    int rc = jutsu_paper_run(t->app, before, NULL, &r);
    ck_assert_msg(rc == 0, "replay: %s", r.error);
    ck_assert_uint_eq(r.n, 1);
    return r;
}

/* Half a year replayed equals the trading job run on each of its days
 * and the EOD backfill over them: the same trades, the same equity. */
START_TEST(replay_is_the_trading_job_day_by_day)
{
    struct tdb a, b;
    jutsu_date_t from = tdb_ymd(2024, 7, 1), to = tdb_ymd(2024, 12, 31);
    if (!open_paper(&a, _i, "2024-06-29"))
        return;
    struct jutsu_paper_report r = replay(&a, to + 1);
    ck_assert_int_eq(r.v[0].from, from);      /* the first trading day on or after */
    ck_assert_int_eq(r.v[0].last, to);
    ck_assert_int_eq(r.v[0].days, trading_days(&a, from, to));
    ck_assert_int_gt(r.v[0].fills, 0);
    ck_assert_int_eq(r.eod_from, from);
    ck_assert_int_eq(r.eod_to, to);
    ck_assert_int_eq(r.eod_days_completed, r.v[0].days);
    jutsu_paper_report_free(&r);

    ck_assert(open_paper(&b, _i, NULL));
    for (jutsu_date_t d = from; d <= to; d = jutsu_calendar_next(b.app->cal, d)) {
        struct jutsu_trade_report tr;
        int rc = jutsu_trade_run(b.app, d, "v3_5b", "manual", &tr);
        ck_assert_msg(rc == 0, "%s", tr.error);
        jutsu_trade_report_free(&tr);
    }
    struct jutsu_eod_report er;
    ck_assert_int_eq(jutsu_eod_backfill(b.app, from, to, NULL, NULL, &er), 0);
    jutsu_eod_report_free(&er);

    ck_assert_int_eq(tdb_count(&a, "live_trades", NULL), tdb_count(&b, "live_trades", NULL));
    ck_assert_int_eq(tdb_count(&a, "performance_snapshots", "snapshot_source = 'backtest'"),
                     trading_days(&a, from, to));
    for (jutsu_date_t d = from; d <= to; d = jutsu_calendar_next(a.app->cal, d)) {
        ck_assert_int_eq(equity_on(&a, "strategy", "v3_5b", d),
                         equity_on(&b, "strategy", "v3_5b", d));
        ck_assert_int_eq(equity_on(&a, "baseline", "QQQ", d), equity_on(&b, "baseline", "QQQ", d));
    }
    tdb_close(&b);
    tdb_close(&a);
}
END_TEST

/* Cut short, then run again: it resumes after the last day committed and
 * ends where one uninterrupted replay ends; a third run finds nothing. */
START_TEST(a_replay_resumes_and_never_redoes_a_day)
{
    struct tdb a, b;
    jutsu_date_t mid = tdb_ymd(2024, 9, 13), to = tdb_ymd(2024, 12, 31);
    if (!open_paper(&a, _i, "2024-07-01"))
        return;
    struct jutsu_paper_report r = replay(&a, mid + 1);
    ck_assert_int_eq(r.v[0].last, mid);
    jutsu_paper_report_free(&r);
    r = replay(&a, to + 1);
    ck_assert_int_eq(r.v[0].from, jutsu_calendar_next(a.app->cal, mid));
    ck_assert_int_eq(r.v[0].last, to);
    ck_assert_int_eq(r.eod_from, jutsu_calendar_next(a.app->cal, mid));
    jutsu_paper_report_free(&r);
    r = replay(&a, to + 1);
    ck_assert_int_eq(r.v[0].days, 0);
    ck_assert_int_eq(r.eod_from, 0);
    jutsu_paper_report_free(&r);

    ck_assert(open_paper(&b, _i, "2024-07-01"));
    r = replay(&b, to + 1);
    jutsu_paper_report_free(&r);
    ck_assert_int_eq(tdb_count(&a, "live_trades", NULL), tdb_count(&b, "live_trades", NULL));
    ck_assert_int_eq(tdb_count(&a, "performance_snapshots", NULL),
                     tdb_count(&b, "performance_snapshots", NULL));
    ck_assert_int_eq(tdb_count(&a, "daily_performance", NULL),
                     tdb_count(&b, "daily_performance", NULL));
    for (jutsu_date_t d = tdb_ymd(2024, 7, 1); d <= to; d = jutsu_calendar_next(a.app->cal, d))
        ck_assert_int_eq(equity_on(&a, "strategy", "v3_5b", d),
                         equity_on(&b, "strategy", "v3_5b", d));
    tdb_close(&b);
    tdb_close(&a);
}
END_TEST

/* With the default end (the newest closed session, here 2026-12-04) the
 * replay stops at the last day every symbol has a bar: the bundled TLT,
 * TMF and TMV end on 2025-06-27 (QQQ and TQQQ go on to 2026-05-13). No
 * day is traded stale, and none of the days after it are spent. */
START_TEST(a_replay_stops_where_the_data_ends)
{
    struct tdb a;
    if (!open_paper(&a, _i, "2025-05-01"))
        return;
    a.now = jutsu_date_to_time(tdb_ymd(2026, 12, 4)) + 23LL * 3600 * 1000000;
    struct jutsu_paper_report r = replay(&a, 0);
    ck_assert_int_eq(r.v[0].from, tdb_ymd(2025, 5, 1));
    ck_assert_int_eq(r.v[0].last, tdb_ymd(2025, 6, 27));
    ck_assert_int_eq(r.eod_to, tdb_ymd(2025, 6, 27));
    ck_assert_int_eq(tdb_count(&a, "performance_snapshots", NULL), r.v[0].days);
    jutsu_paper_report_free(&r);
    tdb_close(&a);
}
END_TEST

/* A strategy without paper_since is not replayed; asking for it says so. */
START_TEST(only_strategies_with_paper_since)
{
    struct tdb a;
    if (!open_paper(&a, _i, NULL))
        return;
    struct jutsu_paper_report r;
    ck_assert_int_eq(jutsu_paper_run(a.app, 0, NULL, &r), 0);
    ck_assert_uint_eq(r.n, 0);
    jutsu_paper_report_free(&r);
    ck_assert_int_eq(jutsu_paper_run(a.app, 0, "v3_5b", &r), JUTSU_ENOENT);
    ck_assert_msg(strstr(r.error, "has no paper_since") != NULL, "%s", r.error);
    jutsu_paper_report_free(&r);
    ck_assert_int_eq(tdb_count(&a, "performance_snapshots", NULL), 0);
    tdb_close(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("paper");
    TCase *tc = tcase_create("paper");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, replay_is_the_trading_job_day_by_day, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, a_replay_resumes_and_never_redoes_a_day, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, a_replay_stops_where_the_data_ends, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, only_strategies_with_paper_since, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
