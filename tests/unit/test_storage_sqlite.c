/*
 * tests/unit/test_storage_sqlite.c — the storage-sqlite driver, loaded as
 * the real plugin by the real host ($JUTSU_PLUGIN_PATH/storage-sqlite.so)
 * and driven through struct jutsu_storage_ops on scratch files.
 *
 * Also runs the storage conformance suite (libjutsu_harness) on the
 * driver as the host configures it under `database:`, and checks that it
 * leaves the file empty.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/storage.h"
#include "host/app.h"
#include "base/log.h"
#include "harness.h"
#include "testutil.h"

/* --- fixture: one app with the driver under `database:` ------------------ */

struct fx {
    char                           *dir;
    char                           *path;     /* the database file         */
    struct jutsu_app               *app;
    struct jutsu_ctx               *inst;
    const struct jutsu_storage_ops *ops;
    jutsu_db                       *db;
    int                             rc;       /* of jutsu_app_start        */
};

/* Starts an app whose database is `path` (relative to a fresh directory
 * unless absolute or ":memory:"); `extra` adds indented sqlite settings. */
static void fx_start(struct fx *f, const char *path, const char *extra)
{
    char *yaml = NULL;
    struct jutsu_diag d;
    memset(f, 0, sizeof(*f));
    f->dir = tu_tmpdir();
    if (path[0] == '/' || path[0] == ':')
        f->path = strdup(path);
    else
        ck_assert_int_gt(asprintf(&f->path, "%s/%s", f->dir, path), 0);
    ck_assert_int_gt(asprintf(&yaml, "database:\n  type: sqlite\n  sqlite:\n    path: \"%s\"\n%s",
                              f->path, extra ? extra : ""), 0);
    ck_assert_int_eq(jutsu_app_new(&f->app), 0);
    jutsu_diag_init(&d);
    int rc = jutsu_app_load_config_string(f->app, "test.yaml", yaml, &d);
    if (rc == 0)
        rc = jutsu_app_load_plugins(f->app, &d);
    jutsu_diag_print(&d, stderr, "diag: ");
    ck_assert_msg(rc == 0, "config/plugins: %s (is JUTSU_PLUGIN_PATH set?)", jutsu_strerror(rc));
    jutsu_diag_free(&d);
    free(yaml);
    f->inst = jutsu_app_find(f->app, JUTSU_STORAGE_INSTANCE);
    ck_assert_ptr_nonnull(f->inst);
    f->ops = f->inst->module->desc->ops;
    f->rc = jutsu_app_start(f->app);
}

static void fx_open(struct fx *f, const char *extra)
{
    fx_start(f, "data/jutsu.db", extra);
    ck_assert_msg(f->rc == 0, "start: %s: %s", jutsu_strerror(f->rc), f->inst->error);
    ck_assert_int_eq(f->ops->connect(f->inst->state, &f->db), 0);
}

static void fx_close(struct fx *f)
{
    if (f->db)
        f->ops->disconnect(f->db);
    jutsu_app_free(f->app);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->path);
}

static void must(struct fx *f, jutsu_db *db, int rc, const char *what)
{
    const struct jutsu_db_error *e = f->ops->last_error(db);
    ck_assert_msg(rc == 0, "%s: %s: %s [%s]", what, jutsu_strerror(rc), e->message, e->sqlstate);
}

static void migrate(struct fx *f)
{
    for (size_t i = 0; i < f->ops->n_migrations; i++) {
        must(f, f->db, f->ops->begin(f->db), "begin");
        must(f, f->db, f->ops->exec(f->db, f->ops->migrations[i].up), f->ops->migrations[i].rev);
        must(f, f->db, f->ops->commit(f->db), "commit");
    }
}

/* Runs sql with params; returns the step/prepare code (DONE is 0). */
static int run_sql(struct fx *f, jutsu_db *db, const char *sql,
                   const struct jutsu_db_value *p, int np)
{
    jutsu_stmt *st;
    int rc = f->ops->prepare(db, sql, &st);
    if (rc != 0)
        return rc;
    for (int i = 0; i < np && rc == 0; i++)
        rc = f->ops->bind(st, i + 1, &p[i]);
    while (rc == 0 && (rc = f->ops->step(st)) == JUTSU_DB_ROW)
        rc = 0;
    f->ops->finalize(st);
    return rc;
}

/* First column of the first row read as `type`; the statement is kept
 * in *keep (finalize it) so that TEXT stays valid. */
static struct jutsu_db_value row1(struct fx *f, jutsu_db *db, const char *sql, uint32_t type,
                                  const struct jutsu_db_value *p, int np, jutsu_stmt **keep)
{
    struct jutsu_db_value v;
    jutsu_stmt *st;
    must(f, db, f->ops->prepare(db, sql, &st), sql);
    for (int i = 0; i < np; i++)
        must(f, db, f->ops->bind(st, i + 1, &p[i]), "bind");
    ck_assert_int_eq(f->ops->step(st), JUTSU_DB_ROW);
    must(f, db, f->ops->column(st, 0, type, 6, &v), "column");
    if (keep)
        *keep = st;
    else
        f->ops->finalize(st);
    return v;
}

static int64_t int1(struct fx *f, jutsu_db *db, const char *sql)
{
    return row1(f, db, sql, JUTSU_DB_INT64, NULL, 0, NULL).v.i;
}

static void text1(struct fx *f, jutsu_db *db, const char *sql, char *out, size_t size)
{
    jutsu_stmt *st;
    struct jutsu_db_value v = row1(f, db, sql, JUTSU_DB_TEXT, NULL, 0, &st);
    snprintf(out, size, "%.*s", (int)v.len, v.v.s);
    f->ops->finalize(st);
}

static int insert_bar(struct fx *f, jutsu_db *db, const char *sym, jutsu_time_t ts,
                      jutsu_money_t close)
{
    struct jutsu_db_value p[] = { jutsu_db_text(sym, (uint32_t)strlen(sym)), jutsu_db_time(ts),
                                  jutsu_db_money(close) };
    return run_sql(f, db, "INSERT INTO market_data (symbol, timeframe, timestamp, open, high, "
                   "low, close, volume, data_source) VALUES ($1, '1D', $2, $3, $3, $3, $3, 100, "
                   "'test')", p, 3);
}

/* --- init, pragmas, schema ------------------------------------------------ */

START_TEST(init_creates_dir_wal_pragmas)
{
    struct fx f;
    char mode[16], dir[512];
    struct stat st;
    fx_open(&f, NULL);
    snprintf(dir, sizeof(dir), "%s/data", f.dir);
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0750);
    text1(&f, f.db, "PRAGMA journal_mode", mode, sizeof(mode));
    ck_assert_str_eq(mode, "wal");
    ck_assert_int_eq(int1(&f, f.db, "PRAGMA foreign_keys"), 1);
    ck_assert_int_eq(int1(&f, f.db, "PRAGMA synchronous"), 1);      /* NORMAL */
    ck_assert_int_eq(int1(&f, f.db, "PRAGMA busy_timeout"), 5000);
    ck_assert_str_eq(f.ops->dialect, "sqlite");
    char want[600];
    snprintf(want, sizeof(want), "sqlite %s", f.path);
    ck_assert_str_eq(f.ops->describe(f.inst->state), want);
    int got = 0;
    ck_assert_int_eq(f.ops->try_lock(f.db, 42, &got), 0);
    ck_assert_int_eq(got, 1);
    ck_assert_int_eq(f.ops->unlock(f.db, 42), 0);
    fx_close(&f);
}
END_TEST

START_TEST(config_values_reach_pragmas)
{
    struct fx f;
    fx_open(&f, "    synchronous: full\n    busy_timeout_ms: 1234\n");
    ck_assert_int_eq(int1(&f, f.db, "PRAGMA synchronous"), 2);
    ck_assert_int_eq(int1(&f, f.db, "PRAGMA busy_timeout"), 1234);
    fx_close(&f);
}
END_TEST

START_TEST(migrations_create_fifteen_tables)
{
    static const char *const want[] = {
        "blacklisted_tokens", "config_history", "config_overrides", "daily_performance",
        "data_audit_log", "data_metadata", "eod_job_status", "live_trades", "market_data",
        "passkeys", "performance_snapshots", "positions", "system_state", "user_invitations",
        "users" };
    struct fx f;
    fx_open(&f, NULL);
    ck_assert_uint_eq(f.ops->n_migrations, 5);
    ck_assert_str_eq(f.ops->migrations[0].rev, "0001_initial");
    ck_assert_str_eq(f.ops->migrations[1].rev, "0002_strategy_context");
    ck_assert_str_eq(f.ops->migrations[2].rev, "0003_kpi_state");
    ck_assert_str_eq(f.ops->migrations[3].rev, "0004_realized_pnl");
    ck_assert_str_eq(f.ops->migrations[4].rev, "0005_kpi_metrics");
    migrate(&f);
    jutsu_stmt *st;
    struct jutsu_db_value v;
    int n = 0;
    must(&f, f.db, f.ops->prepare(f.db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name", &st), "prepare");
    while (f.ops->step(st) == JUTSU_DB_ROW) {
        must(&f, f.db, f.ops->column(st, 0, JUTSU_DB_TEXT, 0, &v), "column");
        ck_assert_int_lt(n, 15);
        ck_assert_int_eq(v.len, strlen(want[n]));
        ck_assert_int_eq(memcmp(v.v.s, want[n], v.len), 0);
        n++;
    }
    f.ops->finalize(st);
    ck_assert_int_eq(n, 15);
    /* 0002, 0003 and 0004 added their columns */
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM pragma_table_info('live_trades') "
                          "WHERE name IN ('execution_id', 'realized_pnl')"), 2);
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM pragma_table_info('daily_performance') "
                          "WHERE name IN ('welford_count', 'welford_mean', 'welford_m2', "
                          "'kpi_state', 'metrics') AND type IN ('INTEGER', 'REAL', 'TEXT')"),
                     5);
    fx_close(&f);
}
END_TEST

/* --- values --------------------------------------------------------------- */

START_TEST(money_round_trips_and_sorts)
{
    static const jutsu_money_t vals[] = { INT64_C(999999999999999999), 1, INT64_C(-123456789),
                                          INT64_C(10000000), INT64_C(5000000) };
    struct fx f;
    fx_open(&f, NULL);
    migrate(&f);
    for (int i = 0; i < 5; i++)
        must(&f, f.db, insert_bar(&f, f.db, "M", i, vals[i]), "insert");
    for (int i = 0; i < 5; i++) {
        struct jutsu_db_value k = jutsu_db_time(i);
        struct jutsu_db_value v = row1(&f, f.db, "SELECT close FROM market_data WHERE "
                                       "timestamp = $1", JUTSU_DB_DECIMAL, &k, 1, NULL);
        ck_assert_int_eq(v.type, JUTSU_DB_DECIMAL);
        ck_assert_int_eq(v.scale, 6);
        ck_assert_int_eq(v.v.i, vals[i]);
    }
    char t[16];
    text1(&f, f.db, "SELECT typeof(close) FROM market_data LIMIT 1", t, sizeof(t));
    ck_assert_str_eq(t, "integer");
    static const jutsu_money_t sorted[] = { INT64_C(-123456789), 1, INT64_C(5000000),
                                            INT64_C(10000000), INT64_C(999999999999999999) };
    jutsu_stmt *st;
    struct jutsu_db_value v;
    int n = 0;
    must(&f, f.db, f.ops->prepare(f.db, "SELECT close FROM market_data ORDER BY close", &st), "p");
    while (f.ops->step(st) == JUTSU_DB_ROW) {
        must(&f, f.db, f.ops->column(st, 0, JUTSU_DB_DECIMAL, 6, &v), "column");
        ck_assert_int_eq(v.v.i, sorted[n++]);
    }
    f.ops->finalize(st);
    ck_assert_int_eq(n, 5);
    /* money stored as text is refused, not converted */
    must(&f, f.db, f.ops->prepare(f.db, "SELECT '1.5', 2.5", &st), "prepare");
    ck_assert_int_eq(f.ops->step(st), JUTSU_DB_ROW);
    ck_assert_int_eq(f.ops->column(st, 0, JUTSU_DB_DECIMAL, 6, &v), JUTSU_EINVAL);
    ck_assert_str_eq(f.ops->last_error(f.db)->message,
                     "column 0 ('1.5') holds TEXT, which cannot be read as DECIMAL");
    ck_assert_int_eq(f.ops->column(st, 1, JUTSU_DB_DECIMAL, 6, &v), JUTSU_EINVAL);
    must(&f, f.db, f.ops->column(st, 1, JUTSU_DB_DOUBLE, 0, &v), "double");
    ck_assert(v.v.f == 2.5);
    ck_assert_int_eq(f.ops->column(st, 2, JUTSU_DB_INT64, 0, &v), JUTSU_EINVAL);
    f.ops->finalize(st);
    fx_close(&f);
}
END_TEST

START_TEST(times_round_trip_and_sort)
{
    static const jutsu_time_t ts[] = { INT64_C(1736456400123456), -1, 0,
                                       INT64_C(-2208988800000000), INT64_C(253402300799999999),
                                       INT64_MAX, INT64_MIN };
    static const int order[] = { 6, 3, 1, 2, 0, 4, 5 };
    struct fx f;
    fx_open(&f, NULL);
    migrate(&f);
    for (int i = 0; i < 7; i++)
        must(&f, f.db, insert_bar(&f, f.db, "T", ts[i], i), "insert");
    jutsu_stmt *st;
    struct jutsu_db_value v;
    int n = 0;
    must(&f, f.db, f.ops->prepare(f.db, "SELECT timestamp, close FROM market_data "
                                  "ORDER BY timestamp", &st), "prepare");
    while (f.ops->step(st) == JUTSU_DB_ROW) {
        must(&f, f.db, f.ops->column(st, 0, JUTSU_DB_TIME, 0, &v), "column");
        ck_assert_int_eq(v.type, JUTSU_DB_TIME);
        ck_assert_int_eq(v.v.t, ts[order[n]]);
        must(&f, f.db, f.ops->column(st, 1, JUTSU_DB_DECIMAL, 6, &v), "column");
        ck_assert_int_eq(v.v.i, order[n]);
        n++;
    }
    f.ops->finalize(st);
    ck_assert_int_eq(n, 7);
    fx_close(&f);
}
END_TEST

START_TEST(dates_bools_bytes_doubles_null)
{
    struct fx f;
    fx_open(&f, NULL);
    migrate(&f);
    jutsu_date_t d = jutsu_date_from_ymd(1969, 12, 31);
    struct jutsu_db_value p[] = { jutsu_db_date(d) };
    must(&f, f.db, run_sql(&f, f.db, "INSERT INTO eod_job_status (job_date, status) VALUES "
                           "($1, 'running')", p, 1), "date");
    char t[32];
    text1(&f, f.db, "SELECT job_date FROM eod_job_status", t, sizeof(t));
    ck_assert_str_eq(t, "1969-12-31");
    struct jutsu_db_value v = row1(&f, f.db, "SELECT job_date FROM eod_job_status",
                                   JUTSU_DB_DATE, NULL, 0, NULL);
    ck_assert_int_eq(v.v.d, d);
    ck_assert_int_eq(v.v.d, -1);
    struct jutsu_db_value q[] = { jutsu_db_bool(1), jutsu_db_double(0.25), jutsu_db_null(),
                                  jutsu_db_bytes("a\0b", 3), jutsu_db_bytes(NULL, 0),
                                  jutsu_db_text(NULL, 0) };
    jutsu_stmt *st;
    must(&f, f.db, f.ops->prepare(f.db, "SELECT $1, $2, $3, $4, $5, $6", &st), "prepare");
    ck_assert_int_eq(f.ops->bind(st, 7, &q[0]), JUTSU_EINVAL);
    ck_assert_str_eq(f.ops->last_error(f.db)->message,
                     "parameter $7 does not exist: the statement has 6");
    for (int i = 0; i < 6; i++)
        must(&f, f.db, f.ops->bind(st, i + 1, &q[i]), "bind");
    ck_assert_int_eq(f.ops->step(st), JUTSU_DB_ROW);
    must(&f, f.db, f.ops->column(st, 0, JUTSU_DB_BOOL, 0, &v), "bool");
    ck_assert_int_eq(v.v.i, 1);
    must(&f, f.db, f.ops->column(st, 1, JUTSU_DB_DOUBLE, 0, &v), "double");
    ck_assert(v.v.f == 0.25);
    must(&f, f.db, f.ops->column(st, 2, JUTSU_DB_TEXT, 0, &v), "null");
    ck_assert_int_eq(v.type, JUTSU_DB_NULL);
    must(&f, f.db, f.ops->column(st, 3, JUTSU_DB_BYTES, 0, &v), "bytes");
    ck_assert_int_eq(v.len, 3);
    ck_assert_int_eq(memcmp(v.v.b, "a\0b", 3), 0);
    must(&f, f.db, f.ops->column(st, 4, JUTSU_DB_BYTES, 0, &v), "empty bytes");
    ck_assert_int_eq(v.type, JUTSU_DB_BYTES);            /* empty, not NULL */
    ck_assert_int_eq(v.len, 0);
    must(&f, f.db, f.ops->column(st, 5, JUTSU_DB_TEXT, 0, &v), "empty text");
    ck_assert_int_eq(v.type, JUTSU_DB_TEXT);
    ck_assert_int_eq(f.ops->column(st, 6, JUTSU_DB_TEXT, 0, &v), JUTSU_EINVAL);
    ck_assert_int_eq(f.ops->bind(st, 1, &q[0]), JUTSU_ESTATE);   /* running: reset first */
    must(&f, f.db, f.ops->reset(st), "reset");
    must(&f, f.db, f.ops->bind(st, 1, &q[2]), "bind after reset");
    f.ops->finalize(st);
    fx_close(&f);
}
END_TEST

START_TEST(parameters_by_number)
{
    struct fx f;
    fx_open(&f, NULL);
    struct jutsu_db_value p[] = { jutsu_db_int(10), jutsu_db_int(20) }, v;
    jutsu_stmt *st;
    must(&f, f.db, f.ops->prepare(f.db, "SELECT $2, $1, '$1 it''s', \"$2\" -- $1\n"
                                  "FROM (SELECT 3 AS \"$2\") /* $2 */ WHERE $1 = $1", &st), "p");
    for (int i = 0; i < 2; i++)
        must(&f, f.db, f.ops->bind(st, i + 1, &p[i]), "bind");
    ck_assert_int_eq(f.ops->step(st), JUTSU_DB_ROW);
    must(&f, f.db, f.ops->column(st, 0, JUTSU_DB_INT64, 0, &v), "c0");
    ck_assert_int_eq(v.v.i, 20);
    must(&f, f.db, f.ops->column(st, 1, JUTSU_DB_INT64, 0, &v), "c1");
    ck_assert_int_eq(v.v.i, 10);
    must(&f, f.db, f.ops->column(st, 2, JUTSU_DB_TEXT, 0, &v), "c2");
    ck_assert_int_eq(v.len, 7);
    ck_assert_int_eq(memcmp(v.v.s, "$1 it's", 7), 0);
    must(&f, f.db, f.ops->column(st, 3, JUTSU_DB_INT64, 0, &v), "c3");
    ck_assert_int_eq(v.v.i, 3);
    f.ops->finalize(st);
    ck_assert_int_eq(f.ops->prepare(f.db, "SELECT 1; SELECT 2", &st), JUTSU_EINVAL);
    ck_assert_ptr_null(st);
    fx_close(&f);
}
END_TEST

/* --- connections and threads ----------------------------------------------- */

struct peek {
    struct fx *f;
    int64_t    count;
    int        rc;
};

static void *count_from_thread(void *arg)
{
    struct peek *p = arg;
    jutsu_db *db = NULL;
    jutsu_stmt *st = NULL;
    struct jutsu_db_value v;
    p->rc = p->f->ops->connect(p->f->inst->state, &db);
    if (p->rc == 0)
        p->rc = p->f->ops->prepare(db, "SELECT count(*) FROM market_data", &st);
    if (p->rc == 0 && (p->rc = p->f->ops->step(st)) == JUTSU_DB_ROW)
        p->rc = p->f->ops->column(st, 0, JUTSU_DB_INT64, 0, &v);
    if (p->rc == 0)
        p->count = v.v.i;
    p->f->ops->finalize(st);
    p->f->ops->disconnect(db);
    return NULL;
}

static int64_t count_elsewhere(struct fx *f)
{
    struct peek p = { .f = f, .count = -1 };
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, count_from_thread, &p), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_int_eq(p.rc, 0);
    return p.count;
}

START_TEST(other_thread_sees_only_committed)
{
    struct fx f;
    fx_open(&f, NULL);
    migrate(&f);
    must(&f, f.db, f.ops->begin(f.db), "begin");
    must(&f, f.db, insert_bar(&f, f.db, "A", 1, 1), "insert");
    ck_assert_int_eq(count_elsewhere(&f), 0);
    must(&f, f.db, f.ops->commit(f.db), "commit");
    ck_assert_int_eq(count_elsewhere(&f), 1);
    fx_close(&f);
}
END_TEST

/* Each writer reads, then writes, in one transaction: with deferred
 * transactions two of them would deadlock on the lock upgrade. */
static void *writer(void *arg)
{
    struct peek *p = arg;
    jutsu_db *db = NULL;
    char sym[8];
    snprintf(sym, sizeof(sym), "W%lld", (long long)p->count);
    p->rc = p->f->ops->connect(p->f->inst->state, &db);
    for (int i = 0; i < 20 && p->rc == 0; i++) {
        if ((p->rc = p->f->ops->begin(db)) == 0 &&
            (p->rc = run_sql(p->f, db, "SELECT count(*) FROM market_data", NULL, 0)) == 0 &&
            (p->rc = insert_bar(p->f, db, sym, i, i)) == 0)
            p->rc = p->f->ops->commit(db);
    }
    p->f->ops->disconnect(db);
    return NULL;
}

START_TEST(concurrent_writers_all_commit)
{
    struct fx f;
    struct peek p[4];
    pthread_t t[4];
    fx_open(&f, NULL);
    migrate(&f);
    for (int i = 0; i < 4; i++) {
        p[i] = (struct peek){ .f = &f, .count = i };
        ck_assert_int_eq(pthread_create(&t[i], NULL, writer, &p[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        ck_assert_msg(p[i].rc == 0, "writer %d: %s", i, jutsu_strerror(p[i].rc));
    }
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM market_data"), 80);
    fx_close(&f);
}
END_TEST

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

START_TEST(busy_writer_waits_then_transient)
{
    struct fx f;
    jutsu_db *other = NULL;
    struct timespec t0;
    fx_open(&f, "    busy_timeout_ms: 200\n");
    migrate(&f);
    must(&f, f.db, f.ops->connect(f.inst->state, &other), "connect");
    must(&f, f.db, f.ops->begin(f.db), "begin");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(f.ops->begin(other), JUTSU_ETRANSIENT);
    double waited = ms_since(&t0);
    ck_assert_msg(waited >= 150 && waited < 3000, "waited %.0f ms, want about 200", waited);
    const struct jutsu_db_error *e = f.ops->last_error(other);
    ck_assert_str_eq(e->sqlstate, "40001");
    ck_assert_str_eq(e->message, "database is locked");
    ck_assert(strstr(e->hint, "busy_timeout_ms") != NULL);
    /* readers are not blocked by the writer (WAL) */
    ck_assert_int_eq(int1(&f, other, "SELECT count(*) FROM market_data"), 0);
    must(&f, f.db, f.ops->commit(f.db), "commit");
    must(&f, other, f.ops->begin(other), "begin after the first commit");
    must(&f, other, f.ops->rollback(other), "rollback");
    ck_assert_int_eq(f.ops->rollback(other), 0);          /* none open: still fine */
    f.ops->disconnect(other);
    fx_close(&f);
}
END_TEST

START_TEST(statement_cache_returns_same_statement)
{
    struct fx f;
    jutsu_stmt *a, *b, *c;
    struct jutsu_db_value p = jutsu_db_int(5), v;
    fx_open(&f, NULL);
    must(&f, f.db, f.ops->prepare(f.db, "SELECT $1", &a), "prepare");
    must(&f, f.db, f.ops->bind(a, 1, &p), "bind");
    ck_assert_int_eq(f.ops->step(a), JUTSU_DB_ROW);
    /* the same SQL while the first is in use: a second statement */
    must(&f, f.db, f.ops->prepare(f.db, "SELECT $1", &c), "prepare");
    ck_assert_ptr_ne(a, c);
    f.ops->finalize(c);
    f.ops->finalize(a);
    must(&f, f.db, f.ops->prepare(f.db, "SELECT $1", &b), "prepare");
    ck_assert_ptr_eq(a, b);                               /* the most recent one */
    ck_assert_int_eq(f.ops->step(b), JUTSU_DB_ROW);       /* reset, bindings cleared */
    must(&f, f.db, f.ops->column(b, 0, JUTSU_DB_INT64, 0, &v), "column");
    ck_assert_int_eq(v.type, JUTSU_DB_NULL);
    f.ops->finalize(b);
    fx_close(&f);
}
END_TEST

START_TEST(changes_counts_rows_written)
{
    struct fx f;
    jutsu_stmt *st;
    fx_open(&f, NULL);
    migrate(&f);
    for (int i = 0; i < 3; i++)
        must(&f, f.db, insert_bar(&f, f.db, "C", i, i), "insert");
    must(&f, f.db, f.ops->prepare(f.db, "UPDATE market_data SET volume = 1 WHERE symbol = 'C' "
                                  "RETURNING id", &st), "prepare");
    int rows = 0;
    while (f.ops->step(st) == JUTSU_DB_ROW)
        rows++;
    ck_assert_int_eq(rows, 3);
    ck_assert_int_eq(f.ops->changes(st), 3);
    f.ops->finalize(st);
    must(&f, f.db, f.ops->prepare(f.db, "CREATE TABLE scratch (x INTEGER)", &st), "prepare");
    ck_assert_int_eq(f.ops->step(st), JUTSU_DB_DONE);
    ck_assert_int_eq(f.ops->changes(st), 0);              /* DDL writes no rows */
    f.ops->finalize(st);
    fx_close(&f);
}
END_TEST

/* --- bulk ----------------------------------------------------------------- */

static void load(struct fx *f, int n, int dup_every, int64_t *ins, int64_t *skip)
{
    static const char *const cols[] = { "symbol", "timeframe", "timestamp", "open", "high",
                                        "low", "close", "volume", "data_source" };
    static const char *const key[] = { "symbol", "timeframe", "timestamp" };
    jutsu_bulk *b;
    must(f, f->db, f->ops->begin(f->db), "begin");
    must(f, f->db, f->ops->bulk_begin(f->db, "market_data", cols, 9, key, 3, &b), "bulk_begin");
    for (int i = 0; i < n; i++) {
        int id = dup_every && i % dup_every == dup_every - 1 ? i - 1 : i;   /* repeats */
        struct jutsu_db_value v[] = {
            jutsu_db_text("BULK", 4), jutsu_db_text("1D", 2), jutsu_db_time(id),
            jutsu_db_money(id), jutsu_db_money(id), jutsu_db_money(id), jutsu_db_money(id),
            jutsu_db_int(id), jutsu_db_text("bulk", 4) };
        must(f, f->db, f->ops->bulk_row(b, v), "bulk_row");
    }
    must(f, f->db, f->ops->bulk_end(b, 1, ins, skip), "bulk_end");
    must(f, f->db, f->ops->commit(f->db), "commit");
}

START_TEST(bulk_counts_duplicates)
{
    struct fx f;
    int64_t ins = -1, skip = -1;
    fx_open(&f, NULL);
    migrate(&f);
    load(&f, 1000, 10, &ins, &skip);
    ck_assert_int_eq(ins, 900);
    ck_assert_int_eq(skip, 100);
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM market_data"), 900);
    load(&f, 1000, 10, &ins, &skip);
    ck_assert_int_eq(ins, 0);
    ck_assert_int_eq(skip, 1000);
    static const char *const bad[] = { "symbol; DROP TABLE users" };
    jutsu_bulk *b;
    ck_assert_int_eq(f.ops->bulk_begin(f.db, "market_data", bad, 1, NULL, 0, &b), JUTSU_EINVAL);
    ck_assert(strstr(f.ops->last_error(f.db)->message, "not a plain identifier") != NULL);
    fx_close(&f);
}
END_TEST

/* --- errors --------------------------------------------------------------- */

static const struct jutsu_db_error *fails(struct fx *f, int want, const char *sql)
{
    int rc = run_sql(f, f->db, sql, NULL, 0);
    ck_assert_msg(rc == want, "%s: rc %d, want %d (%s)", sql, rc, want,
                  f->ops->last_error(f->db)->message);
    return f->ops->last_error(f->db);
}

START_TEST(constraint_errors_are_detailed)
{
    struct fx f;
    const struct jutsu_db_error *e;
    fx_open(&f, NULL);
    migrate(&f);
    must(&f, f.db, insert_bar(&f, f.db, "DUP", 1, 1), "insert");
    e = fails(&f, JUTSU_ECONSTRAINT, "INSERT INTO market_data (symbol, timeframe, timestamp, "
              "open, high, low, close, volume, data_source) VALUES ('DUP', '1D', 1, 1, 1, 1, 1, "
              "1, 'x')");
    ck_assert_str_eq(e->sqlstate, "23505");
    ck_assert_str_eq(e->message, "UNIQUE constraint failed: market_data.symbol, "
                     "market_data.timeframe, market_data.timestamp");
    ck_assert_str_eq(e->table, "market_data");
    ck_assert_str_eq(e->constraint, "uix_symbol_tf_ts");
    ck_assert_str_eq(e->detail, "Key (symbol, timeframe, timestamp) already exists.");
    ck_assert(strstr(e->hint, "upsert") != NULL);

    must(&f, f.db, f.ops->exec(f.db, "INSERT INTO users (username, password_hash) "
                               "VALUES ('ann', 'h')"), "user");
    e = fails(&f, JUTSU_ECONSTRAINT, "INSERT INTO users (username, password_hash) "
              "VALUES ('ann', 'h')");
    ck_assert_str_eq(e->table, "users");
    ck_assert_str_eq(e->column, "username");
    ck_assert_str_eq(e->constraint, "users_username_key");

    e = fails(&f, JUTSU_ECONSTRAINT, "INSERT INTO live_trades (symbol, timestamp, action, "
              "quantity, target_price, mode) VALUES ('QQQ', 1, 'HOLD', 1, 1, 'offline_mock')");
    ck_assert_str_eq(e->sqlstate, "23514");
    ck_assert_str_eq(e->message, "CHECK constraint failed: chk_live_trades_action");
    ck_assert_str_eq(e->constraint, "chk_live_trades_action");
    ck_assert_str_eq(e->table, "live_trades");
    ck_assert_str_eq(e->column, "action");

    e = fails(&f, JUTSU_ECONSTRAINT, "UPDATE market_data SET symbol = 'ABCDEFGHIJK'");
    ck_assert_str_eq(e->sqlstate, "23514");
    ck_assert_str_eq(e->column, "symbol");
    ck_assert_str_eq(e->table, "market_data");
    ck_assert_str_eq(e->detail, "Failing check: length(symbol) <= 10");

    e = fails(&f, JUTSU_ECONSTRAINT, "INSERT INTO passkeys (user_id, credential_id, public_key) "
              "VALUES (999, x'01', x'02')");
    ck_assert_str_eq(e->sqlstate, "23503");
    ck_assert_str_eq(e->table, "passkeys");

    e = fails(&f, JUTSU_ECONSTRAINT, "INSERT INTO users (username) VALUES ('bob')");
    ck_assert_str_eq(e->sqlstate, "23502");
    ck_assert_str_eq(e->column, "password_hash");

    e = fails(&f, JUTSU_EDB, "UPDATE market_data SET close = '1.5'");
    ck_assert_str_eq(e->sqlstate, "42804");
    ck_assert_str_eq(e->message, "cannot store REAL value in INTEGER column market_data.close");
    ck_assert_str_eq(e->column, "close");
    ck_assert_str_eq(e->table, "market_data");

    must(&f, f.db, f.ops->exec(f.db, "CREATE UNIQUE INDEX ux_lower ON users (lower(username))"),
         "index");
    e = fails(&f, JUTSU_ECONSTRAINT, "INSERT INTO users (username, password_hash) "
              "VALUES ('ANN', 'h')");
    ck_assert_str_eq(e->sqlstate, "23505");
    ck_assert_str_eq(e->constraint, "ux_lower");

    e = fails(&f, JUTSU_EDB, "SELECT * FROM no_such_table");
    ck_assert_str_eq(e->sqlstate, "42P01");
    ck_assert_str_eq(e->message, "no such table: no_such_table");
    ck_assert(strstr(e->hint, "migrations") != NULL);

    ck_assert_int_eq(f.ops->savepoint(f.db, "Bad-Name"), JUTSU_EINVAL);
    ck_assert_int_eq(f.ops->savepoint(f.db, "a23456789012345678901234567890123"), JUTSU_EINVAL);
    fx_close(&f);
}
END_TEST

START_TEST(savepoints_nest)
{
    struct fx f;
    fx_open(&f, NULL);
    migrate(&f);
    must(&f, f.db, f.ops->begin(f.db), "begin");
    must(&f, f.db, insert_bar(&f, f.db, "S", 1, 1), "insert");
    must(&f, f.db, f.ops->savepoint(f.db, "s1"), "savepoint");
    must(&f, f.db, insert_bar(&f, f.db, "S", 2, 1), "insert");
    must(&f, f.db, f.ops->savepoint(f.db, "2nd"), "savepoint");  /* may start with a digit */
    must(&f, f.db, insert_bar(&f, f.db, "S", 3, 1), "insert");
    must(&f, f.db, f.ops->release(f.db, "2nd"), "release");
    must(&f, f.db, f.ops->rollback_to(f.db, "s1"), "rollback_to");
    must(&f, f.db, f.ops->commit(f.db), "commit");
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM market_data"), 1);
    fx_close(&f);
}
END_TEST

START_TEST(cascade_delete_users_passkeys)
{
    struct fx f;
    fx_open(&f, NULL);
    migrate(&f);
    must(&f, f.db, f.ops->exec(f.db, "INSERT INTO users (id, username, password_hash) "
                               "VALUES (7, 'ann', 'h'); INSERT INTO passkeys (user_id, "
                               "credential_id, public_key) VALUES (7, x'01', x'02'), "
                               "(7, x'03', x'04')"), "insert");
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM passkeys"), 2);
    must(&f, f.db, f.ops->exec(f.db, "DELETE FROM users WHERE id = 7"), "delete");
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM passkeys"), 0);
    fx_close(&f);
}
END_TEST

/* --- backup and restore --------------------------------------------------- */

START_TEST(backup_then_restore_into_fresh_file)
{
    struct fx f, g;
    char *bak = NULL, *tmp = NULL, mode[16];
    fx_open(&f, NULL);
    migrate(&f);
    for (int i = 0; i < 50; i++)
        must(&f, f.db, insert_bar(&f, f.db, "B", i, INT64_C(999999999999999999) - i), "insert");
    ck_assert_int_gt(asprintf(&bak, "%s/backup.db", f.dir), 0);
    ck_assert_int_gt(asprintf(&tmp, "%s/backup.db.tmp", f.dir), 0);
    must(&f, f.db, f.ops->backup(f.db, bak), "backup");
    ck_assert_int_eq(access(bak, R_OK), 0);
    ck_assert_int_eq(access(tmp, F_OK), -1);

    fx_open(&g, NULL);                                  /* a new, empty file */
    must(&g, g.db, g.ops->restore(g.db, bak), "restore");
    ck_assert_int_eq(int1(&g, g.db, "SELECT count(*) FROM market_data"), 50);
    ck_assert_int_eq(int1(&g, g.db, "SELECT sum(close - 999999999999999999) FROM market_data"),
                     -(49 * 50 / 2));
    ck_assert_int_eq(int1(&g, g.db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"),
                     int1(&f, f.db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"));
    text1(&g, g.db, "PRAGMA journal_mode", mode, sizeof(mode));
    ck_assert_str_eq(mode, "wal");
    ck_assert_int_eq(g.ops->restore(g.db, "/nonexistent/backup.db"), JUTSU_ENOENT);
    ck_assert(strstr(g.ops->last_error(g.db)->message, "/nonexistent/backup.db") != NULL);
    fx_close(&g);
    fx_close(&f);
    free(bak);
    free(tmp);
}
END_TEST

/* --- init errors ---------------------------------------------------------- */

START_TEST(unusable_paths_fail_init_clearly)
{
    struct fx f;
    char *file = NULL, *want = NULL;
    fx_start(&f, "afile/sub/jutsu.db", NULL);   /* afile does not exist yet: works */
    ck_assert_int_eq(f.rc, 0);
    fx_close(&f);

    char *dir = tu_tmpdir();
    file = tu_write_file(dir, "afile", "not a directory\n");
    char *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/sub/jutsu.db", file), 0);
    fx_start(&f, path, NULL);
    ck_assert_int_ne(f.rc, 0);
    ck_assert_int_gt(asprintf(&want, "cannot create directory %s for the SQLite database %s: "
                              "Not a directory", file, path), 0);
    ck_assert_str_eq(f.inst->error, want);
    fx_close(&f);
    free(want);
    free(path);

    ck_assert_int_gt(asprintf(&path, "%s/jutsu.db", file), 0);
    fx_start(&f, path, NULL);
    ck_assert_int_ne(f.rc, 0);
    ck_assert_msg(strstr(f.inst->error, path) && strstr(f.inst->error, "is not a directory"),
                  "%s", f.inst->error);
    fx_close(&f);
    free(path);

    fx_start(&f, "missing/jutsu.db", "    create_dir: false\n");
    ck_assert_int_ne(f.rc, 0);
    ck_assert_msg(strstr(f.inst->error, "missing/jutsu.db") &&
                  strstr(f.inst->error, "set create_dir: true"), "%s", f.inst->error);
    fx_close(&f);

    fx_start(&f, ":memory:", NULL);
    ck_assert_int_eq(f.rc, JUTSU_ECONFIG);
    ck_assert_msg(strstr(f.inst->error, "path \":memory:\" is not allowed"), "%s", f.inst->error);
    fx_close(&f);

    /* a file that is not a database */
    free(file);
    file = tu_write_file(dir, "junk.db", "this is not a SQLite database, not even close....\n");
    fx_start(&f, file, NULL);
    ck_assert_int_ne(f.rc, 0);
    ck_assert_msg(strstr(f.inst->error, file) && strstr(f.inst->error, "not a database"), "%s",
                  f.inst->error);
    fx_close(&f);
    free(file);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* --- the conformance suite ------------------------------------------------ */

START_TEST(conformance_suite_passes)
{
    struct fx f;
    struct harness h;
    fx_open(&f, NULL);
    harness_init_quiet(&h, "FAIL");
    harness_storage_suite(&h, f.inst);
    ck_assert_msg(h.failed == 0, "%d conformance check(s) failed (see stderr)", h.failed);
    ck_assert_int_ge(h.passed, 28);
    /* it left the database empty */
    ck_assert_int_eq(int1(&f, f.db, "SELECT count(*) FROM sqlite_master"), 0);
    fx_close(&f);
}
END_TEST

static Suite *sqlite_suite(void)
{
    Suite *s = suite_create("storage-sqlite");
    TCase *tc = tcase_create("driver");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, init_creates_dir_wal_pragmas);
    tcase_add_test(tc, config_values_reach_pragmas);
    tcase_add_test(tc, migrations_create_fifteen_tables);
    tcase_add_test(tc, money_round_trips_and_sorts);
    tcase_add_test(tc, times_round_trip_and_sort);
    tcase_add_test(tc, dates_bools_bytes_doubles_null);
    tcase_add_test(tc, parameters_by_number);
    tcase_add_test(tc, other_thread_sees_only_committed);
    tcase_add_test(tc, concurrent_writers_all_commit);
    tcase_add_test(tc, busy_writer_waits_then_transient);
    tcase_add_test(tc, statement_cache_returns_same_statement);
    tcase_add_test(tc, changes_counts_rows_written);
    tcase_add_test(tc, bulk_counts_duplicates);
    tcase_add_test(tc, constraint_errors_are_detailed);
    tcase_add_test(tc, savepoints_nest);
    tcase_add_test(tc, cascade_delete_users_passkeys);
    tcase_add_test(tc, backup_then_restore_into_fresh_file);
    tcase_add_test(tc, unusable_paths_fail_init_clearly);
    tcase_add_test(tc, conformance_suite_passes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_pin(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);
    return tu_run(sqlite_suite());
}
