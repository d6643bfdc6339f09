/*
 * tests/unit/test_sync.c — the sync job end to end: the real CSV source on
 * the bundled sample data, test sources that fail, both backends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "base/log.h"
#include "market/sync.h"
#include "testdb.h"

static char *extra(const char *more)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y,
        "plugin_path: [\"%s\"]\n"
        "sync:\n  symbols: [QQQ, TLT]\n  history_start: \"2010-01-01\"\n  batch_size: 1000\n"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n%s",
        getenv("JUTSU_TEST_PLUGIN_DIR"), tu_source_dir(), more ? more : ""), 0);
    return y;
}

static const struct jutsu_sync_item *item(const struct jutsu_sync_report *r, const char *sym)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].symbol, sym) == 0)
            return &r->items[i];
    ck_abort_msg("no item for %s", sym);
    return NULL;
}

struct first_close {
    jutsu_money_t close;
    jutsu_time_t ts;
    int n;
};

static int take_first(const struct jutsu_bar_row *b, void *arg)
{
    struct first_close *f = arg;
    if (f->n++ == 0) {
        f->close = b->close;
        f->ts = b->ts;
    }
    return 0;
}

START_TEST(full_then_incremental)
{
    struct tdb t;
    char *y = extra(NULL);
    tdb_open_with(&t, _i, 1, y);
    free(y);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    struct jutsu_sync_opts o = { .progress = 0 };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    const struct jutsu_sync_item *q = item(&r, "QQQ");
    /* every row of the real file, exactly once, nothing rejected */
    ck_assert_int_eq(q->fetched, 4115);
    ck_assert_int_eq(q->inserted, 4115);
    ck_assert_int_eq(q->rejected, 0);
    ck_assert_int_eq(item(&r, "TLT")->inserted, 3895);
    ck_assert_int_eq(tdb_count(&t, "market_data", "symbol = 'QQQ'"), 4115);
    /* metadata and audit agree with the counts: 5 batches of 1000 for QQQ */
    struct jutsu_metadata_row m;
    ck_assert_int_eq(jutsu_data_metadata_get(t.s, "QQQ", "1D", &m), 0);
    ck_assert_int_eq(m.total_bars, 4115);
    jutsu_date_t last;
    ck_assert_int_eq(jutsu_date_parse("2026-05-13", -1, &last), 0);
    ck_assert_int_eq(m.last_bar_ts, jutsu_date_to_time(last));
    ck_assert_int_eq(tdb_count(&t, "data_audit_log", "symbol = 'QQQ' AND operation = 'sync'"), 5);
    /* the first bar is 2010-01-04 at 00:00 UTC, Close 46.419998 exactly */
    struct first_close f = { 0 };
    ck_assert_int_eq(jutsu_data_bars_range(t.s, "QQQ", "1D", 0, INT64_MAX / 2, 1, take_first,
                                           &f), 0);
    ck_assert_int_eq(f.n, 4115);
    ck_assert_int_eq(f.close, INT64_C(46419998));
    ck_assert_int_eq(f.ts, jutsu_date_to_time(jutsu_date_from_ymd(2010, 1, 4)));
    jutsu_sync_report_free(&r);

    /* again: incremental from the metadata, nothing new */
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_int_eq(item(&r, "QQQ")->fetched, 0);
    ck_assert_int_eq(item(&r, "QQQ")->inserted, 0);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 4115 + 3895);
    jutsu_sync_report_free(&r);

    /* an explicit range re-fetches and skips what is stored */
    o.from = jutsu_date_from_ymd(2020, 1, 1);
    o.to = jutsu_date_from_ymd(2020, 12, 31);
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_int_eq(item(&r, "QQQ")->fetched, 253);
    ck_assert_int_eq(item(&r, "QQQ")->inserted, 0);
    ck_assert_int_eq(item(&r, "QQQ")->skipped, 253);
    jutsu_sync_report_free(&r);
    tdb_close(&t);
}
END_TEST

START_TEST(failover_to_next_source)
{
    struct tdb t;
    char *y = extra("  - {name: flaky, plugin: tp-good, config: {fail_fetch: transient}}\n"
                    "  - {name: locked, plugin: tp-good, config: {fail_fetch: auth}}\n");
    /* priority: flaky, locked, then the CSV files */
    char *y2 = NULL;
    ck_assert_int_gt(asprintf(&y2, "%s", y), 0);
    free(y);
    char *p = strstr(y2, "  batch_size");
    ck_assert_ptr_nonnull(p);
    char *y3 = NULL;
    ck_assert_int_gt(asprintf(&y3, "%.*s  sources: [flaky, locked, sample]\n%s", (int)(p - y2), y2,
                              p), 0);
    free(y2);
    tdb_open_with(&t, _i, 1, y3);
    free(y3);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    const char *syms[] = { "qqq" };
    struct jutsu_sync_opts o = { .symbols = syms, .nsymbols = 1 };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.items[0].symbol, "QQQ");     /* normalised */
    ck_assert_str_eq(r.items[0].source, "sample");
    ck_assert_int_eq(r.items[0].inserted, 4115);
    ck_assert_int_eq(tdb_count(&t, "market_data", "data_source = 'csv'"), 4115);
    jutsu_sync_report_free(&r);

    /* only failing sources: the item fails with the last one's reason */
    o.source = "locked";
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), JUTSU_EPLUGIN);
    ck_assert_int_eq(r.items[0].status, JUTSU_EAUTH);
    ck_assert_msg(strstr(r.items[0].error, "run `jutsu test login`") != NULL, "%s",
                  r.items[0].error);
    jutsu_sync_report_free(&r);
    tdb_close(&t);
}
END_TEST

struct closes {
    jutsu_money_t close[8];
    int n;
};

static int take_close(const struct jutsu_bar_row *b, void *arg)
{
    struct closes *c = arg;
    if (c->n < 8)
        c->close[c->n] = b->close;
    c->n++;
    return 0;
}

/* A source that answers newest first and repeats a bar: stored in order,
 * once, the first delivered copy winning. */
START_TEST(out_of_order_and_duplicated)
{
    struct tdb t;
    char *y = extra("  - {name: messy, plugin: tp-good, config: {fail_fetch: disorder}}\n");
    tdb_open_with(&t, _i, 1, y);
    free(y);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    const char *syms[] = { "MSY" };
    struct jutsu_sync_opts o = { .symbols = syms, .nsymbols = 1, .source = "messy",
                                 .from = jutsu_date_from_ymd(2024, 1, 2),
                                 .to = jutsu_date_from_ymd(2024, 1, 4) };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_int_eq(r.items[0].fetched, 4);
    ck_assert_int_eq(r.items[0].inserted, 3);
    ck_assert_int_eq(r.items[0].skipped, 1);
    ck_assert_int_eq(r.items[0].rejected, 0);
    jutsu_sync_report_free(&r);
    struct closes c = { .n = 0 };
    ck_assert_int_eq(jutsu_data_bars_range(t.s, "MSY", "1D", 0, INT64_MAX / 2, 1, take_close,
                                           &c), 0);
    ck_assert_int_eq(c.n, 3);
    /* 2024-01-02 was delivered first with close 100, then again with 101 */
    ck_assert_int_eq(c.close[0], 100 * JUTSU_MONEY_SCALE);
    ck_assert_int_eq(c.close[1], 101 * JUTSU_MONEY_SCALE);
    ck_assert_int_eq(c.close[2], 102 * JUTSU_MONEY_SCALE);
    tdb_close(&t);
}
END_TEST

/* Import a file with bad rows: they are counted, the rest is stored. */
START_TEST(import_keeps_valid_rows)
{
    struct tdb t;
    char *y = extra(NULL);
    tdb_open_with(&t, _i, 1, y);
    free(y);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    char *f = tu_write_file(t.dir, "MIX.csv",
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-02,10,11,9,10.5,10.5,100\n"
        "2024-01-03,null,null,null,null,null,null\n"
        "2024-01-04,10,11,9,12,12,100\n"              /* close above high: invalid */
        "2024-01-06,10,11,9,10.5,10.5,100\n"          /* a Saturday: invalid */
        "2024-01-05,10,11,9,10.25,10.25,200\n");
    const char *files[] = { f };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1d", &r), 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.items[0].symbol, "MIX");
    ck_assert_str_eq(r.items[0].timeframe, "1D");
    ck_assert_int_eq(r.items[0].fetched, 4);
    ck_assert_int_eq(r.items[0].rejected, 3);    /* null row + two invalid bars */
    ck_assert_int_eq(r.items[0].inserted, 4);    /* invalid bars are kept, marked */
    /* TRUE is a boolean on PostgreSQL and 1 on SQLite */
    ck_assert_int_eq(tdb_count(&t, "market_data", "symbol = 'MIX' AND is_valid = TRUE"), 2);
    jutsu_sync_report_free(&r);
    /* importing it again inserts nothing */
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.items[0].inserted, 0);
    ck_assert_int_eq(r.items[0].skipped, 4);
    jutsu_sync_report_free(&r);
    free(f);
    tdb_close(&t);
}
END_TEST

static Suite *sync_suite(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("sync");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, full_then_incremental, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, failover_to_next_source, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, import_keeps_valid_rows, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, out_of_order_and_duplicated, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_pin(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(sync_suite());
}
