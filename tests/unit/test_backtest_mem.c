/*
 * tests/unit/test_backtest_mem.c — the backtest in its store in memory
 * gives what the same run gives on the configured database (in a
 * transaction rolled back), to the last micro-unit: every day of both
 * sides, every trade, every KPI, the JSON and the daily CSV, on both
 * backends; with an active override read from the configured database;
 * the same refusal past the end of the data; and two runs at once on two
 * threads, each equal to a run alone. The baseline on a thread of its own
 * (jobs/bt_baseline.h) gives the same again, and its module on its own:
 * one row a trading day, no thread where a bar is missing, and a detached
 * copy of a price book that answers only from what it holds.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "jobs/backtest.h"
#include "jobs/bt_baseline.h"
#include "store/data_api.h"
#include "testdb.h"
#include "trading/params.h"

/* A double the same to the bit, NaN equal to NaN. */
static void same_double(double a, double b, const char *what, size_t i)
{
    ck_assert_msg((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0,
                  "%s [%zu]: %.17g in memory, %.17g on the database", what, i, a, b);
}

static void same_side(const struct jutsu_backtest_side *a, const struct jutsu_backtest_side *b)
{
    ck_assert_str_eq(a->id, b->id);
    ck_assert_int_eq(a->initial, b->initial);
    ck_assert_int_eq(a->final_equity, b->final_equity);
    const double x[] = { a->total_return, a->cagr, a->sharpe, a->sortino, a->calmar,
                         a->max_drawdown, a->volatility, a->win_rate };
    const double y[] = { b->total_return, b->cagr, b->sharpe, b->sortino, b->calmar,
                         b->max_drawdown, b->volatility, b->win_rate };
    for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
        same_double(x[i], y[i], a->id, i);
    ck_assert_int_eq(a->trades, b->trades);
    ck_assert_int_eq(a->winning, b->winning);
    ck_assert_int_eq(a->losing, b->losing);
    ck_assert_int_eq(a->days, b->days);
    ck_assert_str_eq(a->allocation, b->allocation);
}

static void same_run(const struct jutsu_backtest *a, const struct jutsu_backtest *b)
{
    ck_assert_int_eq(a->capital, b->capital);
    ck_assert_int_eq(a->has_baseline, b->has_baseline);
    same_side(&a->strategy, &b->strategy);
    same_side(&a->baseline, &b->baseline);
    ck_assert_uint_eq(a->ndays, b->ndays);
    for (size_t i = 0; i < a->ndays; i++) {
        ck_assert_int_eq(a->days[i].date, b->days[i].date);
        ck_assert_int_eq(a->days[i].equity, b->days[i].equity);
        ck_assert_int_eq(a->days[i].baseline_equity, b->days[i].baseline_equity);
        same_double(a->days[i].drawdown, b->days[i].drawdown, "drawdown", i);
        same_double(a->days[i].baseline_drawdown, b->days[i].baseline_drawdown,
                    "baseline drawdown", i);
    }
    ck_assert_uint_eq(a->nyears, b->nyears);
    for (size_t i = 0; i < a->nyears; i++) {
        ck_assert_int_eq(a->years[i].year, b->years[i].year);
        same_double(a->years[i].strategy_return, b->years[i].strategy_return, "year", i);
        same_double(a->years[i].baseline_return, b->years[i].baseline_return, "year", i);
    }
    ck_assert_uint_eq(a->ntrades, b->ntrades);
    for (size_t i = 0; i < a->ntrades; i++) {
        const struct jutsu_backtest_trade *x = &a->trades[i], *y = &b->trades[i];
        ck_assert_int_eq(x->date, y->date);
        ck_assert_str_eq(x->symbol, y->symbol);
        ck_assert_str_eq(x->action, y->action);
        ck_assert_int_eq(x->quantity, y->quantity);
        ck_assert_int_eq(x->fill_price, y->fill_price);
        ck_assert_int_eq(x->value, y->value);
        ck_assert_int_eq(x->realized_pnl, y->realized_pnl);
        ck_assert_str_eq(x->reason, y->reason);
    }
    json_object *ja = jutsu_backtest_json(a, NULL, 0), *jb = jutsu_backtest_json(b, NULL, 0);
    ck_assert_ptr_nonnull(ja);
    ck_assert_ptr_nonnull(jb);
    ck_assert_str_eq(json_object_to_json_string(ja), json_object_to_json_string(jb));
    json_object_put(ja);
    json_object_put(jb);
}

/* One run with its daily CSV in *csv (malloc'd). */
static void run(struct tdb *t, struct jutsu_backtest_opts o, int on_database,
                struct jutsu_backtest *r, char **csv)
{
    size_t len = 0;
    FILE *f = open_memstream(csv, &len);
    ck_assert_ptr_nonnull(f);
    o.series = 1;
    o.daily = f;
    o.on_database = on_database;
    int rc = jutsu_backtest_run(t->app, &o, r);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(rc == 0, "%s: %s", on_database ? "on the database" : "in memory", r->error);
}

static void compare(struct tdb *t, const struct jutsu_backtest_opts *o)
{
    struct jutsu_backtest mem, db, th;
    char *mcsv = NULL, *dcsv = NULL, *tcsv = NULL;
    struct jutsu_backtest_opts ot = *o;
    ot.baseline_thread = 1;
    run(t, *o, 0, &mem, &mcsv);
    run(t, *o, 1, &db, &dcsv);
    run(t, ot, 0, &th, &tcsv);
    ck_assert_int_gt(mem.strategy.trades, 10);
    ck_assert_uint_gt(mem.ndays, 100);
    same_run(&mem, &db);
    ck_assert_str_eq(mcsv, dcsv);
    same_run(&th, &db);
    ck_assert_str_eq(tcsv, dcsv);
    free(tcsv);
    jutsu_backtest_free(&th);
    /* neither left anything on the configured database */
    ck_assert_int_eq(tdb_count(t, "daily_performance", NULL), 0);
    ck_assert_int_eq(tdb_count(t, "live_trades", NULL), 0);
    ck_assert_int_eq(tdb_count(t, "performance_snapshots", NULL), 0);
    free(mcsv);
    free(dcsv);
    jutsu_backtest_free(&mem);
    jutsu_backtest_free(&db);
}

/* The whole bundled history, as the benchmark runs it. */
START_TEST(memory_equals_database)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = tdb_ymd(2011, 1, 3),
                                     .to = tdb_ymd(2025, 6, 27) };
    compare(&t, &o);
    tdb_close(&t);
}
END_TEST

/* An active override lives on the configured database: the run in memory
 * reads it there, and a parameter of the run's own goes over it. */
START_TEST(memory_equals_database_with_overrides)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    char err[256];
    struct jutsu_override_change ch;
    ck_assert_msg(jutsu_params_override_set(t.app, t.s, "v3_5b", "upper_z", "0.9", "test",
                                            "test", &ch, err, sizeof(err)) == 0, "%s", err);
    struct jutsu_param p[] = { { "sma_slow", "120" } };
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = tdb_ymd(2014, 1, 2),
                                     .to = tdb_ymd(2019, 12, 31), .params = p, .nparams = 1 };
    compare(&t, &o);
    /* and the override did change the run */
    struct jutsu_backtest with, without;
    char *c1 = NULL, *c2 = NULL;
    run(&t, o, 0, &with, &c1);
    ck_assert_int_eq(jutsu_params_override_unset(t.app, t.s, "v3_5b", "upper_z", "test", "test",
                                                 &ch, err, sizeof(err)), 0);
    run(&t, o, 0, &without, &c2);
    ck_assert_int_ne(with.strategy.final_equity, without.strategy.final_equity);
    free(c1);
    free(c2);
    jutsu_backtest_free(&with);
    jutsu_backtest_free(&without);
    tdb_close(&t);
}
END_TEST

/* Past the end of the bundled data (2026-05-13): the configured database
 * says where each symbol's data ends, and both runs stop on the same day
 * with the same reason, rather than the one in memory valuing the days
 * after at the last close. */
START_TEST(past_the_data_the_same_refusal)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = tdb_ymd(2026, 1, 2),
                                     .to = tdb_ymd(2026, 5, 14), .series = 1 };
    struct jutsu_backtest mem, db, th;
    int mrc = jutsu_backtest_run(t.app, &o, &mem);
    o.baseline_thread = 1;   /* the baseline's bars end too: it stays on this thread */
    int trc = jutsu_backtest_run(t.app, &o, &th);
    o.baseline_thread = 0;
    o.on_database = 1;
    int drc = jutsu_backtest_run(t.app, &o, &db);
    ck_assert_int_ne(drc, 0);
    ck_assert_int_eq(mrc, drc);
    ck_assert_int_eq(trc, drc);
    ck_assert_str_eq(mem.error, db.error);
    ck_assert_str_eq(th.error, db.error);
    ck_assert_msg(strstr(db.error, "2026-05-13") != NULL, "%s", db.error);
    jutsu_backtest_free(&th);
    jutsu_backtest_free(&mem);
    jutsu_backtest_free(&db);
    tdb_close(&t);
}
END_TEST

struct job {
    struct tdb            *t;
    struct jutsu_backtest  r;
    char                  *csv;
    int                    rc;
    const struct jutsu_param *p;
};

static void *run_thread(void *arg)
{
    struct job *j = arg;
    size_t len = 0;
    FILE *f = open_memstream(&j->csv, &len);
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = tdb_ymd(2012, 1, 3),
                                     .to = tdb_ymd(2016, 12, 30), .series = 1, .daily = f,
                                     .params = j->p, .nparams = j->p ? 1 : 0 };
    j->rc = f ? jutsu_backtest_run(j->t->app, &o, &j->r) : JUTSU_ENOMEM;
    if (f)
        fclose(f);
    return NULL;
}

/* Two runs at once, with different parameters, each its own store: each
 * gives what it gives alone. */
START_TEST(two_runs_at_once)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    static const struct jutsu_param p = { "upper_z", "1.3" };
    struct job alone[2] = { { .t = &t }, { .t = &t, .p = &p } };
    struct job both[2] = { { .t = &t }, { .t = &t, .p = &p } };
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        run_thread(&alone[i]);
        ck_assert_msg(alone[i].rc == 0, "%s", alone[i].r.error);
    }
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, run_thread, &both[i]), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(both[i].rc == 0, "%s", both[i].r.error);
        same_run(&both[i].r, &alone[i].r);
        ck_assert_str_eq(both[i].csv, alone[i].csv);
        jutsu_backtest_free(&both[i].r);
        jutsu_backtest_free(&alone[i].r);
        free(both[i].csv);
        free(alone[i].csv);
    }
    tdb_close(&t);
}
END_TEST

static int count_row(const void *row, void *arg)
{
    (void)row;
    (*(int *)arg)++;
    return 0;
}

/* The module alone: ready only where the symbol has every bar; started,
 * its store holds one row a trading day, the last one the chain's. */
START_TEST(baseline_thread_alone)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    struct jutsu_entities all = { 0 };
    char err[256];
    ck_assert_int_eq(jutsu_entities_load(t.app, &all, err, sizeof(err)), 0);
    const struct jutsu_entity *base = NULL;
    for (size_t i = 0; i < all.n; i++)
        if (all.v[i].type == JUTSU_ENTITY_BASELINE)
            base = &all.v[i];
    ck_assert_ptr_nonnull(base);
    jutsu_date_t from = tdb_ymd(2025, 1, 2), to = tdb_ymd(2025, 6, 27);
    jutsu_prices *book;
    /* the bundled data ends 2026-05-13: a range past it is not ready */
    ck_assert_int_eq(jutsu_prices_new(t.s, from, tdb_ymd(2026, 5, 14), &book), 0);
    ck_assert_int_eq(jutsu_bt_baseline_ready(t.app, base, book, from, tdb_ymd(2026, 5, 14)), 0);
    jutsu_prices_free(book);
    jutsu_prices *run;
    const char *sym[1] = { base->symbol };
    ck_assert_int_eq(jutsu_prices_new(t.s, from, to, &run), 0);
    ck_assert_int_eq(jutsu_prices_copy(run, sym, 1, &book), 0);
    ck_assert_int_eq(jutsu_bt_baseline_ready(t.app, base, book, from, to), 1);
    struct jutsu_bt_baseline *b;
    ck_assert_msg(jutsu_bt_baseline_start(t.app, base, from, to, book, &b, err, sizeof(err))
                  == 0, "%s", err);
    const struct jutsu_eod_report *er;
    ck_assert_int_eq(jutsu_bt_baseline_join(b, &er), 0);
    ck_assert_int_eq(er->failed, 0);
    int rows = 0;
    ck_assert_int_eq(jutsu_data_daily_perf_range(jutsu_bt_baseline_session(b), "baseline",
                                                 base->id, base->mode, from, to, count_row,
                                                 &rows), 0);
    ck_assert_int_eq(rows, (int)jutsu_calendar_count(t.app->cal, from, to));
    ck_assert_int_eq((int)er->ndays, rows);
    jutsu_bt_baseline_free(b);
    /* a detached copy answers from what it holds, as the book does, and
     * for nothing else */
    const char *qqq[1] = { "QQQ" };
    jutsu_money_t close, want;
    jutsu_date_t on;
    ck_assert_int_eq(jutsu_prices_copy(run, qqq, 1, &book), 0);
    ck_assert_int_eq(jutsu_prices_on(book, "QQQ", tdb_ymd(2025, 6, 27), &close), 0);
    ck_assert_int_eq(jutsu_prices_on(run, "QQQ", tdb_ymd(2025, 6, 27), &want), 0);
    ck_assert_int_gt(close, 0);
    ck_assert_int_eq(close, want);
    ck_assert_int_eq(jutsu_prices_on(book, "TLT", tdb_ymd(2025, 6, 27), &close), JUTSU_ESTATE);
    ck_assert_int_eq(jutsu_prices_asof(book, "QQQ", from - 1, &close, &on), JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_prices_asof(book, "QQQ", from, &close, &on), 0);
    jutsu_prices_free(book);
    jutsu_prices_free(run);
    /* nothing of it reached the configured database */
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 0);
    jutsu_entities_free(&all);
    tdb_close(&t);
}
END_TEST

static Suite *backtest_mem_suite(void)
{
    Suite *s = suite_create("backtest_mem");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, memory_equals_database, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, memory_equals_database_with_overrides, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, past_the_data_the_same_refusal, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, two_runs_at_once, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, baseline_thread_alone, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(backtest_mem_suite());
}
