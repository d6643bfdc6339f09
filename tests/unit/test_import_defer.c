/*
 * tests/unit/test_import_defer.c — an import large enough sets
 * idx_market_data_ts aside and builds it again (core/store/index_defer.c):
 *
 *   - a file of three symbols over the same dates loads the first with the
 *     index (it appends at its end) and the others without it, a trigger
 *     recording for each row whether the index existed; afterwards the
 *     index is back with its own definition, the bookkeeping table gone,
 *     and every bar stored;
 *   - a database failure after the index was set aside keeps the batches
 *     before it and still builds the index again;
 *   - an index left owed (as a kill leaves it) is built by the next import,
 *     which loads without it from its first batch; one someone built
 *     meanwhile is only struck off; a row that is not that index's plain
 *     CREATE INDEX is refused and kept; a defer that fails part way takes
 *     all of it back;
 *   - what cannot be set aside is refused with its name;
 *   - on PostgreSQL nothing is set aside and the index stays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "base/log.h"
#include "market/sync.h"
#include "store/data_api.h"
#include "testdb.h"

#define BATCH   100
#define NBARS   300           /* per symbol: three batches each */
#define BAD_VOL 424242        /* the volume the refusing trigger rejects */

static const char ts_index_sql[] = "CREATE INDEX idx_market_data_ts ON market_data(timestamp)";

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

static int is_sqlite(const struct tdb *t)
{
    return strcmp(t->backend, "sqlite") == 0;
}

static int open_db(struct tdb *t, int i)
{
    char *y = config();
    tdb_open_with(t, i, 1, y);
    free(y);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    return 1;
}

/* nsyms symbols of NBARS bars each (AAA, BBB, ... from the `from`th
 * letter), one after the other, all on the same trading days from
 * 2015-01-02; bar `bad` (1-based, over the whole file) has the refused
 * volume. Returns the file's path. */
static char *write_csv(struct tdb *t, const char *name, int from, int nsyms, int bad)
{
    char *csv = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&csv, &len);
    ck_assert_ptr_nonnull(out);
    fprintf(out, "symbol,date,open,high,low,close,volume\n");
    for (int s = from, k = 0; s < from + nsyms; s++) {
        jutsu_date_t d = jutsu_date_from_ymd(2015, 1, 2);
        for (int i = 0; i < NBARS; d++) {
            if (!jutsu_calendar_is_trading_day(t->app->cal, d))
                continue;
            char day[JUTSU_DATE_BUFSZ];
            jutsu_date_format(d, day);
            k++;
            fprintf(out, "%c%c%c,%s,10,11,9,10.5,%d\n", 'A' + s, 'A' + s, 'A' + s, day,
                    k == bad ? BAD_VOL : 1000 + k);
            i++;
        }
    }
    ck_assert_int_eq(fclose(out), 0);
    char *path = tu_write_file(t->dir, name, csv);
    free(csv);
    return path;
}

/* The index's CREATE statement as the database holds it now, or "". */
static void index_sql(struct tdb *t, char *out, size_t size)
{
    struct jutsu_q q;
    out[0] = '\0';
    ck_assert_int_eq(jutsu_q_prepare(&q, t->s, "SELECT sql FROM sqlite_schema WHERE name = "
                                              "'idx_market_data_ts'", "test"), 0);
    if (jutsu_q_step(&q) == JUTSU_DB_ROW) {
        const char *s = jutsu_q_col_text(&q);
        snprintf(out, size, "%s", s ? s : "(null)");
    }
    ck_assert_int_eq(jutsu_q_done(&q), 0);
}

static void assert_index_whole(struct tdb *t)
{
    if (!is_sqlite(t)) {
        ck_assert_int_eq(tdb_count(t, "pg_indexes", "indexname = 'idx_market_data_ts'"), 1);
        ck_assert_int_eq(tdb_count(t, "pg_tables", "tablename = 'jutsu_deferred_indexes'"), 0);
        return;
    }
    char sql[256];
    index_sql(t, sql, sizeof(sql));
    ck_assert_str_eq(sql, ts_index_sql);
    ck_assert_int_eq(tdb_count(t, "sqlite_schema", "name = 'jutsu_deferred_indexes'"), 0);
    ck_assert_int_eq(tdb_count(t, "pragma_integrity_check", "integrity_check = 'ok'"), 1);
}

/* SQLite's count of schema changes: a DROP or CREATE INDEX moves it. */
static int64_t schema_version(struct tdb *t)
{
    struct jutsu_q q;
    ck_assert_int_eq(jutsu_q_prepare(&q, t->s, "PRAGMA schema_version", "test"), 0);
    ck_assert_int_eq(jutsu_q_step(&q), JUTSU_DB_ROW);
    int64_t v = jutsu_q_col_int(&q, -1);
    ck_assert_int_eq(jutsu_q_done(&q), 0);
    return v;
}

/* For each bar inserted from now on, whether idx_market_data_ts existed. */
static void probe_index(struct tdb *t)
{
    tdb_exec(t, "CREATE TABLE probe (symbol TEXT, had INTEGER)");
    tdb_exec(t, "CREATE TRIGGER probe_ts AFTER INSERT ON market_data BEGIN INSERT INTO probe "
                "VALUES (NEW.symbol, (SELECT COUNT(*) FROM sqlite_schema WHERE "
                "name = 'idx_market_data_ts')); END");
}

START_TEST(large_load_sets_the_index_aside_and_builds_it_again)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    char *f = write_csv(&t, "three.csv", 0, 3, 0);
    const char *files[] = { f };
    if (is_sqlite(&t))
        probe_index(&t);
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.inserted, 3 * NBARS);
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 3 * NBARS);
    assert_index_whole(&t);
    if (is_sqlite(&t)) {
        /* the first symbol appends: with the index; the second's first
         * batch lands inside its range and the import has written more
         * than half the table: from there on, without */
        ck_assert_int_eq(tdb_count(&t, "probe", "symbol = 'AAA' AND had = 1"), NBARS);
        ck_assert_int_eq(tdb_count(&t, "probe", "symbol = 'BBB' AND had = 0"), NBARS);
        ck_assert_int_eq(tdb_count(&t, "probe", "symbol = 'CCC' AND had = 0"), NBARS);
    }

    /* the same file again: everything is skipped, nothing written, so
     * nothing is worth setting aside: the schema is not touched at all */
    int64_t version = is_sqlite(&t) ? schema_version(&t) : 0;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.inserted, 0);
    ck_assert_int_eq(r.skipped, 3 * NBARS);
    jutsu_sync_report_free(&r);
    assert_index_whole(&t);
    if (is_sqlite(&t))
        ck_assert_int_eq(schema_version(&t), version);
    free(f);
    tdb_close(&t);
}
END_TEST

/* One more symbol over the same dates, into a table three times what it
 * writes: the index stays (building it again costs the whole table). */
START_TEST(small_share_of_the_table_keeps_the_index)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    char *f = write_csv(&t, "three.csv", 0, 3, 0), *g = write_csv(&t, "ddd.csv", 3, 1, 0);
    const char *files[] = { f }, *more[] = { g };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 3 * NBARS);
    if (is_sqlite(&t))
        probe_index(&t);
    ck_assert_int_eq(jutsu_sync_import(t.app, more, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.inserted, NBARS);
    jutsu_sync_report_free(&r);
    if (is_sqlite(&t))
        ck_assert_int_eq(tdb_count(&t, "probe", "symbol = 'DDD' AND had = 1"), NBARS);
    assert_index_whole(&t);
    free(f);
    free(g);
    tdb_close(&t);
}
END_TEST

/* A failure after the index was set aside: the batches before it stay,
 * the index is built again all the same. */
START_TEST(failure_after_setting_aside_still_builds_it)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    /* the 2nd batch of CCC fails: AAA and BBB whole, CCC's first batch */
    char *f = write_csv(&t, "three.csv", 0, 3, 2 * NBARS + BATCH + 50);
    const char *files[] = { f };
    tdb_refuse_bars(&t, BAD_VOL);
    if (is_sqlite(&t))
        probe_index(&t);
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), JUTSU_EPLUGIN);
    ck_assert_int_eq(r.inserted, 2 * NBARS + BATCH);
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 2 * NBARS + BATCH);
    if (is_sqlite(&t))   /* the failing batch's rows went with their rollback */
        ck_assert_int_eq(tdb_count(&t, "probe", "symbol = 'CCC' AND had = 0"), BATCH);
    assert_index_whole(&t);
    free(f);
    tdb_close(&t);
}
END_TEST

static void owed_row(struct tdb *t, const char *definition)
{
    char where[256];
    snprintf(where, sizeof(where), "name = 'idx_market_data_ts' AND table_name = 'market_data' "
             "AND definition = '%s' AND deferred_at > 0", definition);
    ck_assert_int_eq(tdb_count(t, "jutsu_deferred_indexes", where), 1);
}

/* An index left owed, as a kill between the two transactions leaves it. */
START_TEST(owed_index_is_built_by_the_next_import)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    if (!is_sqlite(&t)) {
        ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"),
                         JUTSU_ENOTSUP);
        int n = -1;
        ck_assert_int_eq(jutsu_index_restore(t.s, &n), 0);
        ck_assert_int_eq(n, 0);
        assert_index_whole(&t);
        tdb_close(&t);
        return;
    }
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"), 0);
    owed_row(&t, ts_index_sql);
    char sql[256];
    index_sql(&t, sql, sizeof(sql));
    ck_assert_str_eq(sql, "");

    /* the next import, however small, pays the debt */
    char *f = write_csv(&t, "one.csv", 0, 1, 0);
    const char *files[] = { f };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_import(t.app, files, 1, NULL, "1D", &r), 0);
    jutsu_sync_report_free(&r);
    assert_index_whole(&t);

    /* owed over a table that holds bars: the import loads without it from
     * its first batch and builds it at the end */
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"), 0);
    char *g = write_csv(&t, "bbb.csv", 1, 1, 0);
    const char *more[] = { g };
    probe_index(&t);
    ck_assert_int_eq(jutsu_sync_import(t.app, more, 1, NULL, "1D", &r), 0);
    ck_assert_int_eq(r.inserted, NBARS);
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "probe", "symbol = 'BBB' AND had = 0"), NBARS);
    assert_index_whole(&t);
    free(g);

    /* built meanwhile by someone else: the row is only struck off */
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"), 0);
    tdb_exec(&t, ts_index_sql);
    int n = -1;
    ck_assert_int_eq(jutsu_index_restore(t.s, &n), 0);
    ck_assert_int_eq(n, 1);
    assert_index_whole(&t);

    /* a row edited into something else is refused, and kept */
    static const char *const edited[] = {
        "DROP TABLE market_data",
        "CREATE INDEX idx_other ON market_data(timestamp)",
        "CREATE INDEX idx_market_data_ts ON market_data(timestamp); DROP TABLE users",
    };
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"), 0);
    for (size_t k = 0; k < sizeof(edited) / sizeof(edited[0]); k++) {
        char upd[256];
        snprintf(upd, sizeof(upd), "UPDATE jutsu_deferred_indexes SET definition = '%s'",
                 edited[k]);
        tdb_exec(&t, upd);
        ck_assert_int_eq(jutsu_index_restore(t.s, &n), JUTSU_ESTATE);
        ck_assert_msg(strstr(jutsu_dbs_error(t.s), "plain CREATE INDEX") != NULL, "%s",
                      jutsu_dbs_error(t.s));
        owed_row(&t, edited[k]);
    }
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 2 * NBARS);
    ck_assert_int_eq(tdb_count(&t, "sqlite_schema", "name IN ('idx_other', 'users')"), 1);
    tdb_exec(&t, "UPDATE jutsu_deferred_indexes SET definition = "
                 "'CREATE INDEX idx_market_data_ts ON market_data(timestamp)'");
    ck_assert_int_eq(jutsu_index_restore(t.s, &n), 0);
    ck_assert_int_eq(n, 1);
    assert_index_whole(&t);

    /* a defer that fails after its bookkeeping table was made (the index
     * already has a row) takes all of it back: the index stays */
    tdb_exec(&t, "CREATE TABLE jutsu_deferred_indexes (name VARCHAR(64) PRIMARY KEY, "
                 "table_name VARCHAR(64) NOT NULL, definition TEXT NOT NULL, "
                 "deferred_at BIGINT NOT NULL)");
    tdb_exec(&t, "INSERT INTO jutsu_deferred_indexes VALUES ('idx_market_data_ts', "
                 "'market_data', 'CREATE INDEX idx_market_data_ts ON market_data(timestamp)', 1)");
    ck_assert_int_lt(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"), 0);
    index_sql(&t, sql, sizeof(sql));
    ck_assert_str_eq(sql, ts_index_sql);
    ck_assert_int_eq(jutsu_index_restore(t.s, &n), 0);   /* there: only struck off */
    ck_assert_int_eq(n, 1);
    assert_index_whole(&t);
    free(f);
    tdb_close(&t);
}
END_TEST

START_TEST(what_cannot_be_set_aside_is_refused)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    if (!is_sqlite(&t)) {
        tdb_close(&t);
        return;
    }
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_nope"), JUTSU_ENOENT);
    ck_assert_msg(strstr(jutsu_dbs_error(t.s), "idx_nope") != NULL, "%s", jutsu_dbs_error(t.s));
    /* the unique constraint's own index has no CREATE statement */
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "sqlite_autoindex_market_data_1"),
                     JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_index_defer(t.s, "users", "idx_market_data_ts"), JUTSU_ENOENT);
    /* dropping a UNIQUE index would drop a constraint for the load */
    tdb_exec(&t, "CREATE UNIQUE INDEX idx_md_unique ON market_data(symbol, timestamp, id)");
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_md_unique"), JUTSU_EINVAL);
    ck_assert_int_eq(tdb_count(&t, "sqlite_schema", "name = 'idx_md_unique'"), 1);
    tdb_exec(&t, "DROP INDEX idx_md_unique");
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "x\"; DROP TABLE users"),
                     JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_dbs_begin(t.s), 0);
    ck_assert_int_eq(jutsu_index_defer(t.s, "market_data", "idx_market_data_ts"),
                     JUTSU_ESTATE);
    ck_assert_int_eq(jutsu_dbs_rollback(t.s), 0);
    assert_index_whole(&t);
    tdb_close(&t);
}
END_TEST

static Suite *import_defer_suite(void)
{
    Suite *s = suite_create("import_defer");
    TCase *tc = tcase_create("import_defer");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, large_load_sets_the_index_aside_and_builds_it_again, 0,
                        TDB_BACKENDS);
    tcase_add_loop_test(tc, small_share_of_the_table_keeps_the_index, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, failure_after_setting_aside_still_builds_it, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, owed_index_is_built_by_the_next_import, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, what_cannot_be_set_aside_is_refused, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_pin(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(import_defer_suite());
}
