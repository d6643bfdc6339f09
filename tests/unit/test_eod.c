/*
 * tests/unit/test_eod.c — the EOD job on the real sample data, both
 * backends: the baseline's chain of rows, strategies' books from snapshots
 * and trades, missed/partial/failed/stuck days, days after the data's end
 * that wait for it, idempotency, atomicity and the cascade of a changed
 * row.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "base/log.h"
#include "store/data_api.h"
#include "eod/eod.h"
#include "market/prices.h"
#include "market/sync.h"
#include "testdb.h"

#define SEC    INT64_C(1000000)
#define CAP    INT64_C(10000000000)     /* 10,000.000000 */

/* 21:30 UTC: after the close (16:00 New York) in both EST and EDT. */
static void set_now(struct tdb *t, jutsu_date_t d)
{
    tdb_set_clock(t, jutsu_date_to_time(d) + (21 * 3600 + 30 * 60) * SEC);
}

/* A database with the sample's QQQ (and TLT) bars, the clock after their
 * end while syncing (bars after "now" would be stored invalid). */
static int open_eod(struct tdb *t, int i, const char *more)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y,
        "plugin_path: [\"%s\"]\n"
        "sync:\n  symbols: [QQQ, TLT]\n"
        "%s"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: s1, plugin: tp-strategy, initial_capital: \"100000\"}\n"
        "  - {name: s2, plugin: tp-strategy, mode: online_live, broker: tb}\n"
        "  - {name: tb, plugin: tp-broker}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR"), more ? more : "", tu_source_dir()), 0);
    tdb_open_with(t, i, 1, y);
    free(y);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    set_now(t, tdb_ymd(2026, 5, 14));
    tdb_sync(t);
    return 1;
}

/* 10,000 x close / first close, half to even, worked out here by long
 * division rather than through the code under test. */
static jutsu_money_t expect_equity(jutsu_money_t close, jutsu_money_t first)
{
    unsigned __int128 num = (unsigned __int128)CAP * (uint64_t)close;
    unsigned __int128 q = num / (uint64_t)first, r2 = (num % (uint64_t)first) * 2;
    if (r2 > (uint64_t)first || (r2 == (uint64_t)first && (q & 1)))
        q++;
    jutsu_money_t e = (jutsu_money_t)q;
    double approx = 1e10 * (double)close / (double)first;
    ck_assert_msg(fabs((double)e - approx) <= 1.0, "exact %" PRId64 " vs double %.1f", e, approx);
    return e;
}

/* Every row of an entity, copied (range reads lend their text). */
struct rows {
    struct jutsu_daily_perf_row r[512];
    char   pos[512][256];
    size_t n;
};

static int take_row(const void *row, void *arg)
{
    struct rows *x = arg;
    ck_assert_uint_lt(x->n, 512);
    x->r[x->n] = *(const struct jutsu_daily_perf_row *)row;
    snprintf(x->pos[x->n], sizeof(x->pos[0]), "%s",
             x->r[x->n].positions_json ? x->r[x->n].positions_json : "");
    x->r[x->n].positions_json = NULL;   /* the text is in pos[] */
    x->r[x->n].entity_type = x->r[x->n].entity_id = x->r[x->n].mode = NULL;
    x->r[x->n].trend_state = x->r[x->n].vol_state = x->r[x->n].baseline_symbol = NULL;
    x->r[x->n].kpi_state = NULL;
    x->n++;
    return 0;
}

static void read_rows(struct tdb *t, const char *type, const char *id, const char *mode,
                      struct rows *x)
{
    x->n = 0;
    int rc = jutsu_data_daily_perf_range(t->s, type, id, mode, tdb_ymd(1990, 1, 1),
                                         tdb_ymd(2099, 1, 1), take_row, x);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(t->s));
}

/* Two reads of one row are the same, bit for bit, finalized_at included. */
static void same_row(const struct rows *a, const struct rows *b, size_t i)
{
    const struct jutsu_daily_perf_row *x = &a->r[i], *y = &b->r[i];
    ck_assert_int_eq(x->id, y->id);
    ck_assert_int_eq(x->trading_date, y->trading_date);
    ck_assert_int_eq(x->total_equity, y->total_equity);
    ck_assert_int_eq(x->high_water_mark, y->high_water_mark);
    ck_assert_int_eq(x->trading_days_count, y->trading_days_count);
    ck_assert_int_eq(x->finalized_at, y->finalized_at);
    ck_assert_int_eq(memcmp(&x->daily_return, &y->daily_return, sizeof(double)), 0);
    ck_assert_int_eq(memcmp(&x->drawdown, &y->drawdown, sizeof(double)), 0);
    ck_assert_int_eq(memcmp(&x->sharpe_ratio, &y->sharpe_ratio, sizeof(double)), 0);
    ck_assert_int_eq(memcmp(&x->welford_m2, &y->welford_m2, sizeof(double)), 0);
    ck_assert_str_eq(a->pos[i], b->pos[i]);
}

static void eq_ratio(double got, double want, const char *what, jutsu_date_t d)
{
    char day[JUTSU_DATE_BUFSZ];
    jutsu_date_format(d, day);
    ck_assert_msg(fabs(got - want) <= 5e-7 + 1e-12, "%s %s: %.7f, expected %.7f", day, what, got,
                  want);
}

static const char *status_of(struct tdb *t, jutsu_date_t d, struct jutsu_eod_status_row *st)
{
    int rc = jutsu_data_eod_status_get(t->s, d, st);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(t->s));
    return st->status;
}

/* The SQL literal of a daily bar's key: INTEGER µs on SQLite, TIMESTAMPTZ
 * text on PostgreSQL. */
static const char *bar_ts(int backend, jutsu_date_t d, char *buf, size_t n)
{
    if (backend == 0) {
        snprintf(buf, n, "%" PRId64, jutsu_date_to_time(d));
    } else {
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d, day);
        snprintf(buf, n, "'%sT00:00:00Z'", day);
    }
    return buf;
}

/* --- the baseline ---------------------------------------------------------- */

START_TEST(baseline_chain)
{
    struct tdb t;
    if (!open_eod(&t, _i, NULL))
        return;
    jutsu_date_t from = tdb_ymd(2010, 1, 4), to = tdb_ymd(2010, 12, 31);
    struct jutsu_eod_report r;
    int rc = jutsu_eod_backfill(t.app, from, to, "QQQ", NULL, &r);
    ck_assert_msg(rc == 0, "%s", r.error);
    ck_assert_uint_eq(r.ndays, 252);            /* the NYSE's trading days of 2010 */
    ck_assert_int_eq(r.rows_changed, 252);
    jutsu_eod_report_free(&r);

    struct tdb_closes c = { 0 };
    struct rows x;
    tdb_closes(&t, "QQQ", from, to, &c);
    read_rows(&t, "baseline", "QQQ", "offline_mock", &x);
    ck_assert_uint_eq(c.n, 252);
    ck_assert_uint_eq(x.n, 252);
    jutsu_money_t hwm = CAP;
    for (size_t i = 0; i < x.n; i++) {
        const struct jutsu_daily_perf_row *w = &x.r[i];
        jutsu_money_t e = expect_equity(c.c[i], c.c[0]);
        ck_assert_int_eq(w->trading_date, c.d[i]);
        ck_assert_int_eq(w->total_equity, e);
        ck_assert_int_eq(w->cash, 0);
        ck_assert_int_eq(w->positions_value, e);
        ck_assert_int_eq(w->initial_capital, CAP);
        hwm = e > hwm ? e : hwm;
        ck_assert_int_eq(w->high_water_mark, hwm);
        ck_assert_int_eq(w->trading_days_count, (int)i + 1);
        ck_assert_int_eq(w->is_first_day, i == 0);
        ck_assert_int_eq(w->days_since_previous, i == 0 ? 0 : 1);
        double ret = i == 0 ? 0.0 : (double)e / (double)x.r[i - 1].total_equity - 1.0;
        eq_ratio(w->daily_return, ret, "daily_return", w->trading_date);
        eq_ratio(w->cumulative_return, (double)e / 1e10 - 1.0, "cumulative_return",
                 w->trading_date);
        eq_ratio(w->drawdown, (double)e / (double)hwm - 1.0, "drawdown", w->trading_date);
        ck_assert_int_eq(w->total_trades, JUTSU_INT_NULL);   /* baselines have none */
        ck_assert_int_eq(w->strategy_cell, JUTSU_INT_NULL);
        ck_assert_msg(strstr(x.pos[i], "\"basis_close\":\"46.419998\"") != NULL, "%s",
                      x.pos[i]);
    }
    /* the first day is the initial capital exactly */
    ck_assert_int_eq(x.r[0].total_equity, CAP);
    /* a backfill of one entity says nothing of the day's status */
    struct jutsu_eod_status_row st;
    ck_assert_int_eq(jutsu_data_eod_status_get(t.s, to, &st), JUTSU_ENOENT);
    tdb_closes_free(&c);
    tdb_close(&t);
}
END_TEST

/* Re-running a backfill or a day writes nothing: rows and statuses keep
 * even their timestamps. */
START_TEST(reruns_change_nothing)
{
    struct tdb t;
    if (!open_eod(&t, _i, NULL))
        return;
    jutsu_date_t from = tdb_ymd(2011, 3, 1), to = tdb_ymd(2011, 4, 29);
    struct jutsu_eod_report r;
    set_now(&t, to);
    ck_assert_int_eq(jutsu_eod_backfill(t.app, from, to, NULL, NULL, &r), 0);
    ck_assert_int_gt(r.rows_changed, 0);
    jutsu_eod_report_free(&r);
    struct rows before, after;
    read_rows(&t, "baseline", "QQQ", "offline_mock", &before);
    struct jutsu_eod_status_row st1, st2;
    status_of(&t, to, &st1);

    t.now += 3600 * SEC;   /* later: anything rewritten would carry the new time */
    ck_assert_int_eq(jutsu_eod_backfill(t.app, from, to, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.rows_changed, 0);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(jutsu_eod_run(t.app, to, &r), 0);
    ck_assert_int_eq(r.rows_changed, 0);
    ck_assert_uint_eq(r.ndays, 1);
    ck_assert_str_eq(r.days[0].status, "completed");
    jutsu_eod_report_free(&r);

    read_rows(&t, "baseline", "QQQ", "offline_mock", &after);
    ck_assert_uint_eq(before.n, after.n);
    for (size_t i = 0; i < before.n; i++)
        same_row(&before, &after, i);
    status_of(&t, to, &st2);
    ck_assert_int_eq(st2.completed_at, st1.completed_at);
    ck_assert_int_eq(st2.started_at, st1.started_at);
    ck_assert_int_eq(st2.retry_count, 0);
    tdb_close(&t);
}
END_TEST

/* A run finalises the lookback window's missed days first, oldest first,
 * and only the window. */
START_TEST(run_catches_up_missed_days)
{
    struct tdb t;
    if (!open_eod(&t, _i, "eod:\n  lookback_days: 3\n"))
        return;
    jutsu_date_t d = tdb_ymd(2012, 10, 31);   /* after Hurricane Sandy's two closed days */
    set_now(&t, d);
    struct jutsu_eod_report r;
    int rc = jutsu_eod_run(t.app, 0, &r);   /* 0: the newest closed day */
    ck_assert_msg(rc == 0, "%s", r.error);
    /* 3 trading days before it: 10-24, 10-25, 10-26 (10-29/30 were closed) */
    ck_assert_uint_eq(r.ndays, 4);
    ck_assert_int_eq(r.days[0].date, tdb_ymd(2012, 10, 24));
    ck_assert_int_eq(r.days[2].date, tdb_ymd(2012, 10, 26));
    ck_assert_int_eq(r.days[3].date, d);
    ck_assert_int_eq(r.days[0].was_due, 1);
    ck_assert_int_eq(r.days[3].was_due, 0);
    jutsu_eod_report_free(&r);
    struct rows x;
    read_rows(&t, "baseline", "QQQ", "offline_mock", &x);
    ck_assert_uint_eq(x.n, 4);
    ck_assert_int_eq(x.r[0].is_first_day, 1);
    /* Sandy is not a gap in the chain: the exchange was closed */
    ck_assert_int_eq(x.r[3].days_since_previous, 1);
    ck_assert_int_eq(x.r[3].trading_days_count, 4);

    /* three days later, nothing ran meanwhile: the missed two come first */
    jutsu_date_t later = tdb_ymd(2012, 11, 5);
    set_now(&t, later);
    ck_assert_int_eq(jutsu_eod_run(t.app, 0, &r), 0);
    ck_assert_uint_eq(r.ndays, 3);   /* 11-01, 11-02, 11-05 */
    ck_assert_int_eq(r.days[0].date, tdb_ymd(2012, 11, 1));
    jutsu_eod_report_free(&r);
    read_rows(&t, "baseline", "QQQ", "offline_mock", &x);
    ck_assert_uint_eq(x.n, 7);
    for (size_t i = 1; i < x.n; i++)
        ck_assert_int_eq(x.r[i].days_since_previous, 1);

    /* a day that has not closed, a weekend, a holiday: refused */
    ck_assert_int_eq(jutsu_eod_run(t.app, tdb_ymd(2012, 11, 6), &r), JUTSU_EINVAL);
    ck_assert_msg(strstr(r.error, "has not closed") != NULL, "%s", r.error);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(jutsu_eod_run(t.app, tdb_ymd(2012, 11, 4), &r), JUTSU_EINVAL);
    ck_assert_msg(strstr(r.error, "Sunday") != NULL, "%s", r.error);
    jutsu_eod_report_free(&r);
    tdb_close(&t);
}
END_TEST

/* A day without the baseline's bar is partial, and the next run redoes it
 * once the bar is there; the rows after it are recomputed from it. */
START_TEST(partial_day_recovers)
{
    struct tdb t;
    if (!open_eod(&t, _i, "eod:\n  lookback_days: 3\n"))
        return;
    jutsu_date_t d1 = tdb_ymd(2013, 6, 3), d2 = tdb_ymd(2013, 6, 4), d3 = tdb_ymd(2013, 6, 5);
    jutsu_date_t d4 = tdb_ymd(2013, 6, 6);
    char sql[256], lit[40];
    snprintf(sql, sizeof(sql), "UPDATE market_data SET is_valid = (1 = 0) WHERE symbol = 'QQQ' "
             "AND timeframe = '1D' AND timestamp = %s", bar_ts(_i, d2, lit, sizeof(lit)));
    tdb_exec(&t, sql);
    struct tdb_closes c = { 0 };
    tdb_closes(&t, "QQQ", d1, d4, &c);
    ck_assert_uint_eq(c.n, 3);          /* d2's bar is now invalid */
    ck_assert_int_eq(c.d[1], d3);

    struct jutsu_eod_report r;
    set_now(&t, d1);
    ck_assert_int_eq(jutsu_eod_run(t.app, d1, &r), 0);
    jutsu_eod_report_free(&r);
    set_now(&t, d3);
    ck_assert_int_eq(jutsu_eod_run(t.app, d2, &r), JUTSU_EPLUGIN);
    ck_assert_str_eq(r.days[0].status, "partial");
    ck_assert_msg(strstr(r.days[0].error, "no valid QQQ bar on 2013-06-04") != NULL, "%s",
                  r.days[0].error);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(jutsu_eod_run(t.app, d3, &r), JUTSU_EPLUGIN);   /* d2 retried, still partial */
    ck_assert_uint_eq(r.ndays, 2);
    ck_assert_str_eq(r.days[1].status, "completed");
    jutsu_eod_report_free(&r);
    struct jutsu_daily_perf_row row;
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d3, &row),
                     0);
    ck_assert_int_eq(row.days_since_previous, 2);   /* over the missing day */
    struct jutsu_eod_status_row st;
    ck_assert_str_eq(status_of(&t, d2, &st), "partial");
    ck_assert_int_eq(st.retry_count, 1);
    ck_assert_int_eq(st.baselines_processed, 0);

    /* the bar arrives; the next run redoes d2, then d3 from it */
    tdb_exec(&t, "UPDATE market_data SET is_valid = (1 = 1) WHERE symbol = 'QQQ'");
    set_now(&t, d4);
    ck_assert_int_eq(jutsu_eod_run(t.app, 0, &r), 0);
    ck_assert_uint_eq(r.ndays, 3);
    ck_assert_int_eq(r.days[0].date, d2);
    ck_assert_int_eq(r.days[0].was_due, 1);
    ck_assert_str_eq(r.days[0].status, "completed");
    jutsu_eod_report_free(&r);
    ck_assert_str_eq(status_of(&t, d2, &st), "completed");
    ck_assert_int_eq(st.retry_count, 2);
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d3, &row),
                     0);
    ck_assert_int_eq(row.days_since_previous, 1);
    int32_t count3 = row.trading_days_count;
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d2, &row),
                     0);
    ck_assert_int_eq(count3, row.trading_days_count + 1);

    /* the same rows as a clean backfill from the same first day */
    struct rows a, b;
    read_rows(&t, "baseline", "QQQ", "offline_mock", &a);
    ck_assert_uint_eq(a.n, 7);   /* three days of lookback, d1 .. d4 */
    tdb_exec(&t, "DELETE FROM daily_performance");
    ck_assert_int_eq(jutsu_eod_backfill(t.app, a.r[0].trading_date, d4, NULL, NULL, &r), 0);
    jutsu_eod_report_free(&r);
    read_rows(&t, "baseline", "QQQ", "offline_mock", &b);
    ck_assert_uint_eq(b.n, a.n);
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_int_eq(a.r[i].total_equity, b.r[i].total_equity);
        ck_assert_int_eq(a.r[i].high_water_mark, b.r[i].high_water_mark);
        ck_assert_int_eq(a.r[i].days_since_previous, b.r[i].days_since_previous);
        ck_assert(a.r[i].daily_return == b.r[i].daily_return);
    }
    tdb_closes_free(&c);
    tdb_close(&t);
}
END_TEST

/* A failed day and a day left `running` by a crash are redone by the next
 * run; a day only just started elsewhere is not. */
START_TEST(failed_and_stuck_days_are_redone)
{
    struct tdb t;
    if (!open_eod(&t, _i, "eod:\n  lookback_days: 2\n"))
        return;
    jutsu_date_t d1 = tdb_ymd(2014, 2, 3), d2 = tdb_ymd(2014, 2, 4), d3 = tdb_ymd(2014, 2, 5);
    struct jutsu_eod_report r;
    set_now(&t, d1);
    ck_assert_int_eq(jutsu_eod_run(t.app, d1, &r), 0);
    jutsu_eod_report_free(&r);
    set_now(&t, d3);
    struct jutsu_eod_status_row failed = {
        .job_date = d1, .started_at = t.now - 3600 * SEC, .completed_at = t.now - 3500 * SEC,
        .status = "failed", .error_message = "connection lost", .retry_count = 0,
    };
    struct jutsu_eod_status_row stuck = {
        .job_date = d2, .started_at = t.now - 2 * 3600 * SEC, .status = "running",
    };
    ck_assert_int_eq(jutsu_data_eod_status_upsert(t.s, &failed), 0);
    ck_assert_int_eq(jutsu_data_eod_status_upsert(t.s, &stuck), 0);
    ck_assert_int_eq(jutsu_eod_run(t.app, d3, &r), 0);
    ck_assert_uint_eq(r.ndays, 3);
    ck_assert_int_eq(r.days[0].was_due, 1);
    ck_assert_int_eq(r.days[1].was_due, 1);
    jutsu_eod_report_free(&r);
    struct jutsu_eod_status_row st;
    ck_assert_str_eq(status_of(&t, d1, &st), "completed");
    ck_assert_int_eq(st.retry_count, 1);
    ck_assert_ptr_null(st.error_message);
    ck_assert_str_eq(status_of(&t, d2, &st), "completed");
    ck_assert_int_eq(st.retry_count, 1);
    /* the first run's two days of lookback, d1, d2, d3 */
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 5);
    tdb_close(&t);
}
END_TEST

/* A storage failure mid-day rolls the whole day back (no entity keeps its
 * row), records `failed` with the reason, and a later run completes it. */
START_TEST(failure_mid_day_leaves_nothing)
{
    struct tdb t;
    if (!open_eod(&t, _i, "eod:\n  lookback_days: 0\n  baselines:\n    - {id: QQQ}\n"
                          "    - {id: ZZZ, symbol: TLT}\n"))
        return;
    if (_i == 0)
        tdb_exec(&t, "CREATE TRIGGER no_zzz BEFORE INSERT ON daily_performance "
                     "WHEN NEW.entity_id = 'ZZZ' BEGIN SELECT RAISE(ABORT, 'no ZZZ today'); END");
    else
        tdb_exec(&t, "CREATE FUNCTION no_zzz() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "IF NEW.entity_id = 'ZZZ' THEN RAISE EXCEPTION 'no ZZZ today'; END IF; "
                     "RETURN NEW; END $$; CREATE TRIGGER no_zzz BEFORE INSERT ON "
                     "daily_performance FOR EACH ROW EXECUTE FUNCTION no_zzz()");
    jutsu_date_t d = tdb_ymd(2015, 9, 1);
    set_now(&t, d);
    struct jutsu_eod_report r;
    int rc = jutsu_eod_run(t.app, d, &r);
    ck_assert_int_lt(rc, 0);
    ck_assert_int_ne(rc, JUTSU_EPLUGIN);
    ck_assert_msg(strstr(r.error, "no ZZZ today") != NULL, "%s", r.error);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 0);   /* QQQ's row went too */
    struct jutsu_eod_status_row st;
    ck_assert_str_eq(status_of(&t, d, &st), "failed");
    ck_assert_msg(st.error_message && strstr(st.error_message, "no ZZZ today"), "%s",
                  st.error_message ? st.error_message : "(null)");

    tdb_exec(&t, _i == 0 ? "DROP TRIGGER no_zzz" : "DROP TRIGGER no_zzz ON daily_performance");
    ck_assert_int_eq(jutsu_eod_run(t.app, d, &r), 0);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 2);
    ck_assert_str_eq(status_of(&t, d, &st), "completed");
    ck_assert_int_eq(st.retry_count, 1);
    tdb_close(&t);
}
END_TEST

/* --- strategies -------------------------------------------------------------- */

static jutsu_time_t at_1555(struct tdb *t, jutsu_date_t d)
{
    jutsu_time_t x;
    ck_assert_int_eq(jutsu_tz_to_utc(t->app->tz, d, 15, 55, 0, &x), 0);
    return x;
}

static void snapshot(struct tdb *t, const char *id, jutsu_date_t d, jutsu_money_t cash,
                     const char *positions, int cell)
{
    struct jutsu_snapshot_row s = {
        .strategy_id = id, .mode = "offline_mock", .ts = at_1555(t, d), .total_equity = 1,
        .cash = cash, .positions_value = JUTSU_MONEY_NULL, .daily_return = NAN,
        .cumulative_return = NAN, .drawdown = NAN, .strategy_cell = cell,
        .trend_state = "Sideways", .vol_state = "High", .snapshot_source = "scheduler",
        .t_norm = 0.25, .z_score = -1.5, .sma_fast = INT64_C(50000000),
        .sma_slow = INT64_C(48000000), .positions_json = positions,
        .baseline_value = JUTSU_MONEY_NULL, .baseline_return = NAN,
    };
    int rc = jutsu_data_snapshot_upsert(t->s, &s);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(t->s));
}

static void trade(struct tdb *t, const char *id, jutsu_date_t d, const char *action, int qty,
                  jutsu_money_t pnl)
{
    struct jutsu_trade_row x = {
        .strategy_id = id, .mode = "offline_mock", .symbol = "QQQ", .ts = at_1555(t, d),
        .action = action, .quantity = qty, .target_price = INT64_C(50000000),
        .fill_price = INT64_C(50000000), .fill_value = JUTSU_MONEY_NULL, .slippage_pct = NAN,
        .strategy_cell = JUTSU_INT_NULL, .t_norm = NAN, .z_score = NAN, .realized_pnl = pnl,
    };
    int rc = jutsu_data_trade_insert(t->s, &x, NULL);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(t->s));
}

START_TEST(strategy_books)
{
    struct tdb t;
    if (!open_eod(&t, _i, NULL))
        return;
    /* five trading days; s1 starts trading on the second */
    jutsu_date_t d[5] = { tdb_ymd(2016, 3, 7), tdb_ymd(2016, 3, 8), tdb_ymd(2016, 3, 9),
                          tdb_ymd(2016, 3, 10), tdb_ymd(2016, 3, 11) };
    snapshot(&t, "s1", d[1], INT64_C(60000000000), "[{\"symbol\":\"QQQ\",\"quantity\":380}]", 3);
    trade(&t, "s1", d[1], "BUY", 380, JUTSU_MONEY_NULL);
    /* nothing on d[2]: the positions carry over, valued at d[2]'s close */
    snapshot(&t, "s1", d[3], INT64_C(80000000000), "[{\"symbol\":\"QQQ\",\"quantity\":190}]", 5);
    trade(&t, "s1", d[3], "SELL", 100, INT64_C(1500000000));     /* +1,500 */
    trade(&t, "s1", d[3], "SELL", 90, INT64_C(-20000000));       /* -20 */
    snapshot(&t, "s1", d[4], INT64_C(80000000000), "[{\"symbol\":\"QQQ\",\"quantity\":190}]", 5);
    trade(&t, "s1", d[4], "SELL", 1, 0);                         /* broke even */
    /* another strategy's trades never reach s1's books, nor s2's */
    trade(&t, "other", d[4], "SELL", 7, INT64_C(1000000));

    set_now(&t, d[4]);
    struct jutsu_eod_report r;
    int rc = jutsu_eod_backfill(t.app, d[0], d[4], NULL, NULL, &r);
    ck_assert_msg(rc == 0, "%s", r.error);
    /* entities in order: s1, s2, QQQ */
    ck_assert_uint_eq(r.ents.n, 3);
    ck_assert_str_eq(r.ents.v[0].id, "s1");
    ck_assert_int_eq(r.ents.v[0].initial_capital, INT64_C(100000000000));
    ck_assert_str_eq(r.ents.v[1].mode, "online_live");
    ck_assert_int_eq(JUTSU_EOD_CELL(&r, 0, 0)->outcome, JUTSU_EOD_NOT_STARTED);
    ck_assert_int_eq(JUTSU_EOD_CELL(&r, 4, 1)->outcome, JUTSU_EOD_NOT_STARTED);
    ck_assert_str_eq(r.days[0].status, "completed");   /* not started is no failure */
    ck_assert_int_eq(r.days[0].strategies_processed, 2);
    jutsu_eod_report_free(&r);

    struct tdb_closes c = { 0 };
    struct rows x;
    tdb_closes(&t, "QQQ", d[0], d[4], &c);
    read_rows(&t, "strategy", "s1", "offline_mock", &x);
    ck_assert_uint_eq(x.n, 4);
    read_rows(&t, "strategy", "s2", "online_live", &x);
    ck_assert_uint_eq(x.n, 0);
    read_rows(&t, "strategy", "s1", "offline_mock", &x);
    jutsu_money_t cash[4] = { INT64_C(60000000000), INT64_C(60000000000), INT64_C(80000000000),
                              INT64_C(80000000000) };
    int qty[4] = { 380, 380, 190, 190 };
    int32_t trades[4] = { 1, 1, 3, 4 }, won[4] = { 0, 0, 1, 1 }, lost[4] = { 0, 0, 1, 1 };
    for (size_t i = 0; i < 4; i++) {
        const struct jutsu_daily_perf_row *w = &x.r[i];
        ck_assert_int_eq(w->trading_date, d[i + 1]);
        ck_assert_int_eq(w->positions_value, qty[i] * c.c[i + 1]);
        ck_assert_int_eq(w->total_equity, qty[i] * c.c[i + 1] + cash[i]);
        ck_assert_int_eq(w->cash, cash[i]);
        ck_assert_int_eq(w->initial_capital, INT64_C(100000000000));
        ck_assert_int_eq(w->total_trades, trades[i]);
        ck_assert_int_eq(w->winning_trades, won[i]);
        ck_assert_int_eq(w->losing_trades, lost[i]);
        /* the regime of the day's own snapshot only */
        ck_assert_int_eq(w->strategy_cell, i == 1 ? JUTSU_INT_NULL : i == 0 ? 3 : 5);
        ck_assert_int_eq(w->is_first_day, i == 0);
        if (i > 0)
            eq_ratio(w->daily_return, (double)w->total_equity /
                                      (double)x.r[i - 1].total_equity - 1.0, "daily_return",
                     w->trading_date);
    }
    ck_assert_msg(strstr(x.pos[0], "\"quantity\":380") != NULL, "%s", x.pos[0]);

    /* s1 cannot be finalised on d[3] (its snapshot lost its cash): that
     * day's trades pass to d[4]'s row, in `eod run` day by day as in a
     * backfill */
    tdb_exec(&t, "UPDATE performance_snapshots SET cash = NULL WHERE timestamp = "
                 "(SELECT MIN(timestamp) FROM performance_snapshots WHERE strategy_cell = 5)");
    for (int pass = 0; pass < 2; pass++) {
        tdb_exec(&t, "DELETE FROM daily_performance");
        tdb_exec(&t, "DELETE FROM eod_job_status");
        for (int i = 0; i < 5 && pass == 0; i++) {
            set_now(&t, d[i]);
            ck_assert_int_eq(jutsu_eod_run(t.app, d[i], &r), i < 3 ? 0 : JUTSU_EPLUGIN);
            jutsu_eod_report_free(&r);
        }
        if (pass == 1) {
            ck_assert_int_eq(jutsu_eod_backfill(t.app, d[0], d[4], NULL, NULL, &r),
                             JUTSU_EPLUGIN);
            jutsu_eod_report_free(&r);
        }
        struct jutsu_daily_perf_row w;
        ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "strategy", "s1", "offline_mock", d[3],
                                                   &w), JUTSU_ENOENT);
        ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "strategy", "s1", "offline_mock", d[4],
                                                   &w), 0);
        ck_assert_msg(w.total_trades == 4 && w.winning_trades == 1 && w.losing_trades == 1,
                      "%s: %d trades, %d won, %d lost", pass ? "backfill" : "run",
                      (int)w.total_trades, (int)w.winning_trades, (int)w.losing_trades);
    }
    tdb_closes_free(&c);
    tdb_close(&t);
}
END_TEST

/* A changed bar changes its day's row; the rows after it were derived
 * from that row and are recomputed with it. */
START_TEST(cascade_after_a_change)
{
    struct tdb t;
    if (!open_eod(&t, _i, NULL))
        return;
    jutsu_date_t from = tdb_ymd(2017, 1, 3), mid = tdb_ymd(2017, 1, 17), to = tdb_ymd(2017, 1, 31);
    set_now(&t, to);
    struct jutsu_eod_report r;
    ck_assert_int_eq(jutsu_eod_backfill(t.app, from, to, NULL, NULL, &r), 0);
    jutsu_eod_report_free(&r);
    /* a corrected close for `mid`: 1% up */
    char sql[256], lit[40];
    snprintf(sql, sizeof(sql), "UPDATE market_data SET close = close + close / 100, "
             "high = high + high / 50 WHERE symbol = 'QQQ' AND timestamp = %s",
             bar_ts(_i, mid, lit, sizeof(lit)));
    tdb_exec(&t, sql);
    ck_assert_int_eq(jutsu_eod_backfill(t.app, mid, mid, "QQQ", "baseline", &r), 0);
    ck_assert_int_eq(r.rows_changed, 1);
    ck_assert_int_gt(r.cascaded, 0);     /* the next day's return, the HWM, ... */
    ck_assert_str_eq(r.days[0].status, "");   /* one entity: the day's status is untouched */
    jutsu_eod_report_free(&r);
    struct rows x;
    read_rows(&t, "baseline", "QQQ", "offline_mock", &x);
    for (size_t i = 1; i < x.n; i++) {
        eq_ratio(x.r[i].daily_return, (double)x.r[i].total_equity /
                                      (double)x.r[i - 1].total_equity - 1.0, "daily_return",
                 x.r[i].trading_date);
        jutsu_money_t hwm = x.r[i - 1].high_water_mark;
        if (x.r[i].total_equity > hwm)
            hwm = x.r[i].total_equity;
        ck_assert_int_eq(x.r[i].high_water_mark, hwm);
    }
    tdb_close(&t);
}
END_TEST

/* --- days past the end of the data --------------------------------------------- */

/* The log, captured: what the job says is part of what it does. */
static FILE *capture_log(void)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    jutsu_log_set_stream(f);
    return f;
}

/* The captured log as text (the caller frees); the log goes back to stderr. */
static char *captured(FILE *f)
{
    jutsu_log_set_stream(NULL);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    char *text = calloc((size_t)n + 1, 1);
    ck_assert_ptr_nonnull(text);
    rewind(f);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* A valid daily bar of `sym` on d (all four prices `px`), as a later sync
 * would store it. */
static void put_bar(struct tdb *t, const char *sym, jutsu_date_t d, jutsu_money_t px)
{
    struct jutsu_bar_row b = {
        .symbol = sym, .timeframe = "1D", .ts = jutsu_date_to_time(d), .open = px, .high = px,
        .low = px, .close = px, .volume = 1000, .data_source = "csv", .is_valid = 1,
    };
    int rc = jutsu_data_bars_upsert(t->s, &b, 1, NULL, NULL);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(t->s));
}

/* The bundled QQQ ends on 2026-05-13. A run a week later: its days wait
 * for data (not partial, not failed: the job succeeds), get no status row
 * and no `running` marker, are said in one log line naming where the data
 * ends and the file that would have to grow, and are finalised by the
 * next run once the bars are there, as days never run (no retry count). */
START_TEST(days_after_the_data_wait)
{
    struct tdb t;
    if (!open_eod(&t, _i, "eod:\n  lookback_days: 3\n"))
        return;
    jutsu_date_t d = tdb_ymd(2026, 5, 20), end = tdb_ymd(2026, 5, 13);
    set_now(&t, d);
    FILE *log = capture_log();
    char err[256] = "";
    ck_assert_int_eq(jutsu_eod_job.run(t.app, d, NULL, err, sizeof(err)), 0);
    char *text = captured(log);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(count_of(text, "wait for data"), 1);
    ck_assert_msg(strstr(text, "[eod] 2026-05-14 .. 2026-05-20 wait for data: the newest QQQ "
                               "bar is 2026-05-13; source sample reads files, and ") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, "conf/sample-data/QQQ.csv ends there: add the later rows to it, "
                               "then run `jutsu sync`; once they are in, `jutsu eod backfill "
                               "--from 2026-05-14` finalises the days before 2026-05-15") != NULL,
                  "%s", text);
    ck_assert_int_eq(count_of(text, "WARN"), 0);       /* one line, and not a warning */
    ck_assert_int_eq(count_of(text, "ERROR"), 0);
    ck_assert_int_eq(count_of(text, "or see `jutsu data gaps"), 0);
    free(text);
    for (jutsu_date_t x = tdb_ymd(2026, 5, 14); x <= d; x++) {
        struct jutsu_eod_status_row st;
        ck_assert_int_eq(jutsu_data_eod_status_get(t.s, x, &st), JUTSU_ENOENT);
    }

    /* the same run as a report */
    struct jutsu_eod_report r;
    ck_assert_int_eq(jutsu_eod_run(t.app, d, &r), 0);
    ck_assert_uint_eq(r.ndays, 4);                     /* 05-15, 05-18, 05-19, 05-20 */
    ck_assert_int_eq(r.waiting, 4);
    ck_assert_int_eq(r.failed, 0);
    ck_assert_uint_eq(r.nwaits, 1);
    ck_assert_str_eq(r.waits[0].symbol, "QQQ");
    ck_assert_int_eq(r.waits[0].newest, end);
    ck_assert_str_eq(r.days[3].status, "waiting");
    ck_assert_int_eq(JUTSU_EOD_CELL(&r, 3, 2)->outcome, JUTSU_EOD_WAITING);   /* s1, s2, QQQ */
    ck_assert_str_eq(jutsu_eod_outcome_name(JUTSU_EOD_WAITING), "waiting");
    struct jutsu_eod_tally ta;
    jutsu_eod_entity_tally(&r, 2, &ta);
    ck_assert_int_eq(ta.waiting, 4);
    ck_assert_int_eq(ta.rows, 0);
    ck_assert_str_eq(r.notes[2], "the newest QQQ bar is 2026-05-13");
    jutsu_eod_entity_tally(&r, 0, &ta);
    ck_assert_int_eq(ta.not_started, 4);
    jutsu_eod_report_free(&r);

    /* the bars arrive: the next run finalises the waiting days, which
     * were never failures, so none counts a retry */
    for (jutsu_date_t x = tdb_ymd(2026, 5, 14); x <= d; x++)
        if (jutsu_calendar_is_trading_day(t.app->cal, x))
            put_bar(&t, "QQQ", x, INT64_C(710000000));
    ck_assert_int_eq(jutsu_eod_run(t.app, d, &r), 0);
    ck_assert_int_eq(r.waiting, 0);
    ck_assert_str_eq(r.days[0].status, "completed");
    ck_assert_int_eq(r.days[0].was_due, 1);
    jutsu_eod_report_free(&r);
    struct jutsu_eod_status_row st;
    ck_assert_str_eq(status_of(&t, d, &st), "completed");
    ck_assert_int_eq(st.retry_count, 0);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 4);
    tdb_close(&t);
}
END_TEST

/* A strategy holds TLT, whose bundled bars end on 2025-06-27 (QQQ's go on):
 * after that it waits (it is not valued at an old close), while a day
 * inside TLT's history without a bar is valued at the close before it, as
 * ever. The day waits as a whole; its QQQ rows are written. `eod run` asks
 * first whether a day will wait, and such a day gets no marker. */
START_TEST(a_strategy_waits_for_the_symbol_it_holds)
{
    struct tdb t;
    if (!open_eod(&t, _i, "eod:\n  lookback_days: 2\n"))
        return;
    jutsu_date_t d0 = tdb_ymd(2025, 6, 25), d1 = tdb_ymd(2025, 6, 26), d2 = tdb_ymd(2025, 6, 27);
    jutsu_date_t d3 = tdb_ymd(2025, 6, 30), d5 = tdb_ymd(2025, 7, 2);
    char sql[256], lit[40];
    snapshot(&t, "s1", d0, INT64_C(50000000000), "[{\"symbol\":\"TLT\",\"quantity\":100}]", 2);
    snprintf(sql, sizeof(sql), "UPDATE market_data SET is_valid = (1 = 0) WHERE symbol = 'TLT' "
             "AND timeframe = '1D' AND timestamp = %s", bar_ts(_i, d1, lit, sizeof(lit)));
    tdb_exec(&t, sql);
    set_now(&t, d5);
    struct jutsu_eod_report r;
    int rc = jutsu_eod_backfill(t.app, d0, d5, NULL, NULL, &r);
    ck_assert_msg(rc == 0, "%s", r.error);
    ck_assert_uint_eq(r.ndays, 6);          /* 06-25 .. 06-30, 07-01, 07-02 */
    ck_assert_int_eq(JUTSU_EOD_CELL(&r, 1, 0)->outcome, JUTSU_EOD_DONE);     /* the gap */
    ck_assert_int_eq(JUTSU_EOD_CELL(&r, 3, 0)->outcome, JUTSU_EOD_WAITING);
    ck_assert_int_eq(JUTSU_EOD_CELL(&r, 3, 2)->outcome, JUTSU_EOD_DONE);     /* QQQ */
    ck_assert_str_eq(r.days[2].status, "completed");
    ck_assert_str_eq(r.days[3].status, "waiting");
    ck_assert_int_eq(r.waiting, 3);
    ck_assert_uint_eq(r.nwaits, 1);
    ck_assert_str_eq(r.waits[0].symbol, "TLT");
    ck_assert_int_eq(r.waits[0].newest, d2);
    struct jutsu_eod_tally ta;
    jutsu_eod_entity_tally(&r, 0, &ta);
    ck_assert_int_eq(ta.rows, 3);
    ck_assert_int_eq(ta.from, d0);
    ck_assert_int_eq(ta.to, d2);
    ck_assert_int_eq(ta.waiting, 3);
    char line[1024];
    ck_assert_int_eq(jutsu_eod_wait_line(t.app, &r, line, sizeof(line)), 1);
    ck_assert_msg(strncmp(line, "2025-06-30 .. 2025-07-02 wait for data: the newest TLT bar is "
                                "2025-06-27; source sample reads files, and ", 104) == 0,
                  "%s", line);
    jutsu_eod_report_free(&r);
    struct jutsu_daily_perf_row row;
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "strategy", "s1", "offline_mock", d1, &row),
                     0);
    ck_assert_msg(strstr(row.positions_json, "\"price_date\":\"2025-06-25\"") != NULL, "%s",
                  row.positions_json);
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "strategy", "s1", "offline_mock", d3, &row),
                     JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_data_daily_perf_get(t.s, "baseline", "QQQ", "offline_mock", d3, &row),
                     0);
    struct jutsu_eod_status_row st;
    ck_assert_str_eq(status_of(&t, d2, &st), "completed");
    ck_assert_int_eq(jutsu_data_eod_status_get(t.s, d3, &st), JUTSU_ENOENT);

    /* run: the waiting days are taken again, without a marker; a day
     * that completed stays as it was */
    ck_assert_int_eq(jutsu_eod_run(t.app, d5, &r), 0);
    ck_assert_uint_eq(r.ndays, 3);
    ck_assert_int_eq(r.waiting, 3);
    ck_assert_int_eq(r.rows_changed, 0);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "eod_job_status", NULL), 3);
    ck_assert_int_eq(tdb_count(&t, "eod_job_status", "status = 'running'"), 0);

    /* a backtest has no later run: a day it cannot value fails it */
    struct jutsu_entities ents;
    char why[256];
    jutsu_prices *px = NULL;
    ck_assert_int_eq(jutsu_entities_load(t.app, &ents, why, sizeof(why)), 0);
    ck_assert_int_eq(jutsu_prices_new(t.s, d0, d5, &px), 0);
    ck_assert_int_eq(jutsu_dbs_begin(t.s), 0);
    ck_assert_int_eq(jutsu_eod_chains(t.app, t.s, &ents, d0, d5, px, &r), JUTSU_EPLUGIN);
    ck_assert_int_eq(r.waiting, 3);
    ck_assert_msg(strstr(r.days[3].error, "strategy s1: waits for data: the newest TLT bar is "
                                          "2025-06-27") != NULL, "%s", r.days[3].error);
    jutsu_eod_report_free(&r);
    ck_assert_int_eq(jutsu_dbs_rollback(t.s), 0);
    jutsu_prices_free(px);
    jutsu_entities_free(&ents);
    tdb_close(&t);
}
END_TEST

/* --- the KPIs, through the database ------------------------------------------ */

struct series {
    double      *ret;          /* daily returns of the stored equity, day 2 on */
    jutsu_money_t *eq;
    double      *mean, *m2, *sharpe, *sortino, *vol, *mdd, *cagr, *calmar;
    int32_t     *count;
    size_t       n, cap;
};

static int take_series(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *r = row;
    struct series *x = arg;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 1024;
#define GROW(f) ck_assert_ptr_nonnull(x->f = realloc(x->f, x->cap * sizeof(*x->f)))
        GROW(ret); GROW(eq); GROW(mean); GROW(m2); GROW(sharpe); GROW(sortino); GROW(vol);
        GROW(mdd); GROW(cagr); GROW(calmar); GROW(count);
#undef GROW
    }
    size_t i = x->n++;
    x->eq[i] = r->total_equity;
    x->ret[i] = i ? (double)r->total_equity / (double)x->eq[i - 1] - 1.0 : 0.0;
    x->mean[i] = r->welford_mean;
    x->m2[i] = r->welford_m2;
    x->count[i] = r->welford_count;
    x->sharpe[i] = r->sharpe_ratio;
    x->sortino[i] = r->sortino_ratio;
    x->vol[i] = r->volatility;
    x->mdd[i] = r->max_drawdown;
    x->cagr[i] = r->cagr;
    x->calmar[i] = r->calmar_ratio;
    return 0;
}

static void series_free(struct series *x)
{
    free(x->ret); free(x->eq); free(x->mean); free(x->m2); free(x->sharpe); free(x->sortino);
    free(x->vol); free(x->mdd); free(x->cagr); free(x->calmar); free(x->count);
}

static int near_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1);
}

/* The bar of the issue: the backfilled QQQ baseline's stored KPIs equal a
 * computation straight from the closes within the columns' precision, and
 * on every day the running moments (stored exactly) equal a two-pass
 * recomputation over the stored equity within 1e-9. */
START_TEST(kpis_match_an_independent_computation)
{
    struct tdb t;
    if (!open_eod(&t, _i, NULL))
        return;
    jutsu_date_t from = tdb_ymd(2010, 1, 4), to = tdb_ymd(2026, 5, 13);
    struct jutsu_eod_report r;
    int rc = jutsu_eod_backfill(t.app, from, to, "QQQ", "baseline", &r);
    ck_assert_msg(rc == 0, "%s", r.error);
    jutsu_eod_report_free(&r);
    struct series x = { 0 };
    ck_assert_int_eq(jutsu_data_daily_perf_range(t.s, "baseline", "QQQ", "offline_mock", from,
                                                 to, take_series, &x), 0);
    ck_assert_uint_eq(x.n, 4115);

    /* every day: Welford's moments against two passes over the same returns */
    double sum = 0;
    for (size_t i = 1; i < x.n; i++) {
        sum += x.ret[i];
        double mean = sum / (double)i, m2 = 0;
        if (i % 97 != 0 && i + 1 != x.n)   /* two passes are O(n): every 97th day and the last */
            continue;
        for (size_t j = 1; j <= i; j++)
            m2 += (x.ret[j] - mean) * (x.ret[j] - mean);
        ck_assert_int_eq(x.count[i], (int32_t)i);
        ck_assert_msg(near_rel(x.mean[i], mean, 1e-9), "day %zu: mean %.17g vs %.17g", i,
                      x.mean[i], mean);
        ck_assert_msg(near_rel(x.m2[i], m2, 1e-9), "day %zu: m2 %.17g vs %.17g", i, x.m2[i], m2);
        if (i >= 2) {
            double sd = sqrt(m2 / (double)(i - 1));
            ck_assert_msg(fabs(x.sharpe[i] - mean / sd * sqrt(252.0)) <= 5e-7 + 1e-9,
                          "day %zu: stored Sharpe %.6f vs %.9f", i, x.sharpe[i],
                          mean / sd * sqrt(252.0));
        }
    }

    /* the last day, from the closes alone: no equity, no rounding */
    struct tdb_closes c = { 0 };
    size_t n = 0;
    double *cl = calloc(x.n, sizeof(*cl));
    ck_assert_ptr_nonnull(cl);
    for (jutsu_date_t a = from; a <= to; a += 300) {
        tdb_closes(&t, "QQQ", a, a + 299 < to ? a + 299 : to, &c);
        for (size_t i = 0; i < c.n; i++)
            cl[n++] = (double)c.c[i] / 1e6;
    }
    ck_assert_uint_eq(n, x.n);
    double s1 = 0, dsq = 0, peak = cl[0], mdd = 0;
    size_t k = n - 1;
    for (size_t i = 1; i < n; i++) {
        double ret = cl[i] / cl[i - 1] - 1;
        s1 += ret;
        dsq += ret < 0 ? ret * ret : 0;
        peak = cl[i] > peak ? cl[i] : peak;
        mdd = cl[i] / peak - 1 < mdd ? cl[i] / peak - 1 : mdd;
    }
    double mean = s1 / (double)k, m2 = 0;
    for (size_t i = 1; i < n; i++)
        m2 += (cl[i] / cl[i - 1] - 1 - mean) * (cl[i] / cl[i - 1] - 1 - mean);
    double sd = sqrt(m2 / (double)(k - 1));
    double sharpe = mean / sd * sqrt(252.0), vol = sd * sqrt(252.0);
    double sortino = mean * 252.0 / (sqrt(dsq / (double)k) * sqrt(252.0));
    double cagr = pow(cl[n - 1] / cl[0], 252.0 / (double)k) - 1, calmar = cagr / fabs(mdd);
    free(cl);
    const size_t L = x.n - 1;
    fprintf(stderr, "%s QQQ 2010-2026: Sharpe %.6f (closes %.6f), Sortino %.6f (%.6f), "
            "volatility %.6f (%.6f), max drawdown %.6f (%.6f), CAGR %.6f (%.6f), "
            "Calmar %.6f (%.6f)\n", t.backend, x.sharpe[L], sharpe, x.sortino[L], sortino,
            x.vol[L], vol, x.mdd[L], mdd, x.cagr[L], cagr, x.calmar[L], calmar);
    ck_assert(fabs(x.sharpe[L] - sharpe) <= 1e-5);
    ck_assert(fabs(x.sortino[L] - sortino) <= 1e-5);
    ck_assert(fabs(x.vol[L] - vol) <= 1e-5);
    ck_assert(fabs(x.mdd[L] - mdd) <= 1e-5);
    ck_assert(fabs(x.cagr[L] - cagr) <= 1e-5);
    ck_assert(fabs(x.calmar[L] - calmar) <= 1e-5);
    /* fewer than two returns: NULL, never a number */
    ck_assert(isnan(x.sharpe[0]) && isnan(x.sharpe[1]) && !isnan(x.sharpe[2]));
    series_free(&x);
    tdb_closes_free(&c);
    tdb_close(&t);
}
END_TEST

static Suite *eod_suite(void)
{
    Suite *s = suite_create("eod");
    TCase *tc = tcase_create("eod");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, baseline_chain, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, reruns_change_nothing, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, run_catches_up_missed_days, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, partial_day_recovers, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, failed_and_stuck_days_are_redone, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, failure_mid_day_leaves_nothing, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, strategy_books, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, cascade_after_a_change, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, days_after_the_data_wait, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, a_strategy_waits_for_the_symbol_it_holds, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, kpis_match_an_independent_computation, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(eod_suite());
}
