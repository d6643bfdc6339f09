/*
 * tests/unit/test_import_batches.c — `jutsu data import` of one symbol with
 * more bars than sync.batch_size commits every batch_size bars and resumes:
 * a real failure in the middle (a trigger that refuses one bar, on both
 * backends) keeps the batches before it, the report and the bus say
 * exactly those, and a re-run completes the table without duplicates.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "base/log.h"
#include "bus/bus.h"
#include "market/sync.h"
#include "store/data_api.h"
#include "testdb.h"

#define NBARS   1000
#define BATCH   100
#define BAD_BAR 550           /* 1-based: the 6th batch fails */
#define BAD_VOL 424242        /* the volume the trigger refuses */

static char *config(void)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y,
        "plugin_path: [\"%s\"]\n"
        "sync:\n  batch_size: %d\n"
        "plugins:\n"
        "  - {name: files, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR"), BATCH, tu_source_dir()), 0);
    return y;
}

/* NBARS daily bars of BIG on consecutive trading days from 2015-01-02,
 * bar BAD_BAR with the volume the trigger refuses. */
static char *write_csv(struct tdb *t)
{
    size_t cap = 64 + (size_t)NBARS * 64, len = 0;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    len += (size_t)snprintf(csv, cap, "Date,Open,High,Low,Close,Adj Close,Volume\n");
    jutsu_date_t d = jutsu_date_from_ymd(2015, 1, 2);
    for (int i = 1; i <= NBARS; d++) {
        if (!jutsu_calendar_is_trading_day(t->app->cal, d))
            continue;
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d, day);
        int w = snprintf(csv + len, cap - len, "%s,10,11,9,10.5,10.5,%d\n", day,
                         i == BAD_BAR ? BAD_VOL : 1000 + i);
        ck_assert(w > 0 && (size_t)w < cap - len);
        len += (size_t)w;
        i++;
    }
    char *path = tu_write_file(t->dir, "BIG.csv", csv);
    free(csv);
    return path;
}

/* The market_data.updated events of a run: how many, the last one's counts. */
struct updates {
    pthread_mutex_t lock;
    int             n;
    int64_t         inserted, skipped;
    char            last[JUTSU_TIME_BUFSZ];
};

static void on_updated(const jutsu_event *ev, void *arg)
{
    struct updates *u = arg;
    json_object *p = jutsu_event_payload(ev), *v;
    pthread_mutex_lock(&u->lock);
    u->n++;
    u->inserted = json_object_object_get_ex(p, "inserted", &v) ? json_object_get_int64(v) : -1;
    u->skipped = json_object_object_get_ex(p, "skipped", &v) ? json_object_get_int64(v) : -1;
    snprintf(u->last, sizeof(u->last), "%s",
             json_object_object_get_ex(p, "last", &v) ? json_object_get_string(v) : "");
    pthread_mutex_unlock(&u->lock);
}

static void updates_reset(struct updates *u)
{
    pthread_mutex_lock(&u->lock);
    u->n = 0;
    u->inserted = u->skipped = -1;
    u->last[0] = '\0';
    pthread_mutex_unlock(&u->lock);
}

/* The instant of bar i (1-based) of the file: its trading date. */
static jutsu_time_t bar_time(struct tdb *t, int i)
{
    jutsu_date_t d = jutsu_date_from_ymd(2015, 1, 2);
    for (int k = 0; ; d++)
        if (jutsu_calendar_is_trading_day(t->app->cal, d) && ++k == i)
            return jutsu_date_to_time(d);
}

/* The same, as an event spells it. */
static void bar_instant(struct tdb *t, int i, char *out)
{
    jutsu_time_format(bar_time(t, i), out);
}

START_TEST(failure_keeps_committed_batches_and_rerun_resumes)
{
    struct tdb t;
    char *y = config();
    tdb_open_with(&t, _i, 1, y);
    free(y);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    struct updates u = { .lock = PTHREAD_MUTEX_INITIALIZER };
    jutsu_sub_id sub;
    ck_assert_int_eq(jutsu_bus_subscribe(t.app->bus, "test", "market_data.updated", on_updated,
                                         &u, &sub), 0);
    char *f = write_csv(&t);
    const char *files[] = { f };
    tdb_refuse_bars(&t, BAD_VOL);

    /* batches 1-5 commit, the 6th fails and rolls back, 7-10 are not tried */
    struct jutsu_sync_report r;
    updates_reset(&u);
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), JUTSU_EPLUGIN);
    ck_assert_uint_eq(r.n, 1);
    const struct jutsu_sync_item *it = &r.items[0];
    ck_assert_str_eq(it->symbol, "BIG");
    ck_assert_int_ne(it->status, 0);
    ck_assert_int_eq(it->fetched, NBARS);
    ck_assert_int_eq(it->inserted, 500);          /* what committed, nothing more */
    ck_assert_int_eq(it->skipped, 0);
    ck_assert_int_eq(r.inserted, 500);
    ck_assert_msg(strstr(it->error, "injected failure") != NULL, "error: %s", it->error);
    ck_assert_msg(strstr(it->error, "500 of 1000 bars committed") != NULL, "error: %s",
                  it->error);
    ck_assert_msg(strstr(it->error, "rolled back") != NULL, "error: %s", it->error);
    ck_assert_int_eq(tdb_count(&t, "market_data", "symbol = 'BIG'"), 500);
    ck_assert_int_eq(tdb_count(&t, "data_audit_log", "symbol = 'BIG'"), 5);
    struct jutsu_metadata_row m;
    ck_assert_int_eq(jutsu_data_metadata_get(t.s, "BIG", "1D", &m), 0);
    ck_assert_int_eq(m.total_bars, 500);
    char want[JUTSU_TIME_BUFSZ];
    bar_instant(&t, 500, want);
    ck_assert_int_eq(jutsu_bus_drain(t.app->bus, 10000), 0);
    pthread_mutex_lock(&u.lock);
    ck_assert_int_eq(u.n, 1);                     /* the committed part, published */
    ck_assert_int_eq(u.inserted, 500);
    ck_assert_int_eq(u.skipped, 0);
    ck_assert_str_eq(u.last, want);
    pthread_mutex_unlock(&u.lock);
    jutsu_sync_report_free(&r);

    /* the re-run resumes: the stored half skipped, the rest inserted */
    tdb_allow_bars(&t);
    updates_reset(&u);
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.items[0].status, 0);
    ck_assert_int_eq(r.items[0].inserted, 500);
    ck_assert_int_eq(r.items[0].skipped, 500);
    ck_assert_int_eq(tdb_count(&t, "market_data", "symbol = 'BIG'"), NBARS);
    char where[64];
    snprintf(where, sizeof(where), "symbol = 'BIG' AND volume = %d", BAD_VOL);
    ck_assert_int_eq(tdb_count(&t, "market_data", where), 1);
    ck_assert_int_eq(tdb_count(&t, "(SELECT DISTINCT timestamp FROM market_data WHERE "
                                   "symbol = 'BIG') AS d", NULL), NBARS);
    ck_assert_int_eq(jutsu_data_metadata_get(t.s, "BIG", "1D", &m), 0);
    ck_assert_int_eq(m.total_bars, NBARS);
    ck_assert_int_eq(m.last_bar_ts, bar_time(&t, NBARS));
    bar_instant(&t, NBARS, want);
    ck_assert_int_eq(jutsu_bus_drain(t.app->bus, 10000), 0);
    pthread_mutex_lock(&u.lock);
    ck_assert_int_eq(u.n, 1);
    ck_assert_int_eq(u.inserted, 500);
    ck_assert_int_eq(u.skipped, 500);
    ck_assert_str_eq(u.last, want);
    pthread_mutex_unlock(&u.lock);
    jutsu_sync_report_free(&r);

    /* and a third run changes nothing */
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.items[0].inserted, 0);
    ck_assert_int_eq(r.items[0].skipped, NBARS);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), NBARS);
    jutsu_sync_report_free(&r);

    jutsu_bus_unsubscribe(t.app->bus, sub);
    free(f);
    tdb_close(&t);
}
END_TEST

/* A clean import of the same file commits one batch per BATCH bars (an
 * audit row each) and ends with the table the resumed one ended with. */
START_TEST(clean_import_commits_per_batch)
{
    struct tdb t;
    char *y = config();
    tdb_open_with(&t, _i, 1, y);
    free(y);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    char *f = write_csv(&t);
    const char *files[] = { f };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.items[0].inserted, NBARS);
    ck_assert_int_eq(r.items[0].skipped, 0);
    ck_assert_int_eq(tdb_count(&t, "market_data", "symbol = 'BIG'"), NBARS);
    ck_assert_int_eq(tdb_count(&t, "data_audit_log", "symbol = 'BIG'"), NBARS / BATCH);
    jutsu_sync_report_free(&r);
    free(f);
    tdb_close(&t);
}
END_TEST

static const struct jutsu_sync_item *item(const struct jutsu_sync_report *r, const char *sym)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].symbol, sym) == 0)
            return &r->items[i];
    ck_abort_msg("no item for %s", sym);
    return NULL;
}

/* Small symbols share a transaction, a failure rolling back its group
 * (none of it reported as stored); a large one after them goes alone and
 * commits whatever the group did. */
START_TEST(small_symbols_grouped_large_alone)
{
    struct tdb t;
    char *y = config();
    tdb_open_with(&t, _i, 1, y);
    free(y);
    if (t.skipped) {
        tdb_close(&t);
        return;
    }
    static const struct { const char *sym; int n; } syms[] = {
        { "AAA", 40 }, { "BBB", 40 }, { "CCC", 250 },
    };
    char *csv = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&csv, &len);
    ck_assert_ptr_nonnull(out);
    fprintf(out, "symbol,date,open,high,low,close,volume\n");
    for (size_t s = 0; s < sizeof(syms) / sizeof(syms[0]); s++)
        for (int i = 1; i <= syms[s].n; i++) {
            char day[JUTSU_DATE_BUFSZ];
            jutsu_date_format(jutsu_time_to_date(bar_time(&t, i)), day);
            fprintf(out, "%s,%s,10,11,9,10.5,%d\n", syms[s].sym, day,
                    s == 1 && i == 10 ? BAD_VOL : 1000 + i);
        }
    ck_assert_int_eq(fclose(out), 0);
    char *f = tu_write_file(t.dir, "mixed.csv", csv);
    free(csv);
    const char *files[] = { f };
    tdb_refuse_bars(&t, BAD_VOL);

    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), JUTSU_EPLUGIN);
    ck_assert_uint_eq(r.n, 3);
    const struct jutsu_sync_item *a = item(&r, "AAA"), *b = item(&r, "BBB");
    ck_assert_int_ne(a->status, 0);
    ck_assert_msg(strstr(a->error, "rolled back with a failing symbol") != NULL, "%s",
                  a->error);
    ck_assert_int_eq(a->inserted, 0);
    ck_assert_int_eq(a->first, 0);
    ck_assert_int_ne(b->status, 0);
    ck_assert_int_eq(b->inserted, 0);
    ck_assert_int_eq(b->last, 0);
    ck_assert_int_eq(item(&r, "CCC")->status, 0);
    ck_assert_int_eq(item(&r, "CCC")->inserted, 250);
    ck_assert_int_eq(r.inserted, 250);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 250);
    ck_assert_int_eq(tdb_count(&t, "data_audit_log", "symbol = 'CCC'"), 3);
    jutsu_sync_report_free(&r);

    tdb_allow_bars(&t);
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(item(&r, "AAA")->inserted, 40);
    ck_assert_int_eq(item(&r, "BBB")->inserted, 40);
    ck_assert_int_eq(item(&r, "CCC")->inserted, 0);
    ck_assert_int_eq(item(&r, "CCC")->skipped, 250);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 330);
    jutsu_sync_report_free(&r);
    free(f);
    tdb_close(&t);
}
END_TEST

static Suite *import_batches_suite(void)
{
    Suite *s = suite_create("import_batches");
    TCase *tc = tcase_create("import_batches");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, failure_keeps_committed_batches_and_rerun_resumes, 0,
                        TDB_BACKENDS);
    tcase_add_loop_test(tc, clean_import_commits_per_batch, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, small_symbols_grouped_large_alone, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_pin(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(import_batches_suite());
}
