/*
 * tests/unit/test_storage_postgres.c — the storage-postgres driver, loaded
 * as the real plugin through the real host, against the PostgreSQL test
 * cluster (scripts/pg-test-cluster.sh). Every test gets its own scratch
 * database, made and dropped through the driver itself.
 *
 * Without JUTSU_TEST_PG_HOST the program fails with a message saying how
 * to start the cluster, unless JUTSU_TEST_NO_PG=1 (then it skips, loudly).
 */
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
#include "testutil.h"

#define D(v) jutsu_db_money(v)

struct pgt {
    struct jutsu_app               *app;
    struct jutsu_ctx               *inst;
    const struct jutsu_storage_ops *ops;
    void                           *state;
};

static long run_id;          /* scratch databases are jutsu_t_<run_id>_<test pid> */
static char g_dbname[64];    /* this test's scratch database */
static struct pgt T;         /* the driver on it */

static const char *env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v && *v, "%s is not set: start the test cluster with "
                  "eval \"$(scripts/pg-test-cluster.sh start)\"", name);
    return v;
}

/* Starts an app whose storage is the driver on user@host:port/dbname;
 * `extra` adds lines to its postgresql: map. Returns jutsu_app_start's code. */
static int pgt_open_at(struct pgt *t, const char *port, const char *user, const char *dbname,
                       const char *extra)
{
    char *yaml = NULL;
    struct jutsu_diag d;
    memset(t, 0, sizeof(*t));
    ck_assert_int_gt(asprintf(&yaml, "database:\n  type: postgresql\n  postgresql:\n"
                              "    host: \"%s\"\n    port: %s\n    user: \"%s\"\n"
                              "    database: \"%s\"\n%s", env("JUTSU_TEST_PG_HOST"), port, user,
                              dbname, extra ? extra : ""), 0);
    ck_assert_int_eq(jutsu_app_new(&t->app), 0);
    jutsu_diag_init(&d);
    int rc = jutsu_app_load_config_string(t->app, "pg.yaml", yaml, &d);
    if (rc == 0)
        rc = jutsu_app_load_plugins(t->app, &d);
    jutsu_diag_print(&d, stderr, "config: ");
    ck_assert_msg(rc == 0, "config refused: %s", jutsu_strerror(rc));
    jutsu_diag_free(&d);
    free(yaml);
    rc = jutsu_app_start(t->app);
    t->inst = jutsu_app_find(t->app, JUTSU_STORAGE_INSTANCE);
    ck_assert_ptr_nonnull(t->inst);
    t->ops = t->inst->module->desc->ops;
    t->state = t->inst->state;
    return rc;
}

static int pgt_open(struct pgt *t, const char *dbname, const char *extra)
{
    return pgt_open_at(t, env("JUTSU_TEST_PG_PORT"), env("JUTSU_TEST_PG_USER"), dbname, extra);
}

static void pgt_close(struct pgt *t)
{
    jutsu_app_free(t->app);
    memset(t, 0, sizeof(*t));
}

static jutsu_db *conn_of(struct pgt *t)
{
    jutsu_db *db = NULL;
    int rc = t->ops->connect(t->state, &db);
    ck_assert_msg(rc == 0, "connect: %s: %s", jutsu_strerror(rc), t->inst->error);
    return db;
}

static jutsu_db *conn(void)
{
    return conn_of(&T);
}

static const char *err_of(jutsu_db *db)
{
    return T.ops->last_error(db)->message;
}

static void exec_ok(jutsu_db *db, const char *sql)
{
    int rc = T.ops->exec(db, sql);
    ck_assert_msg(rc == 0, "%s: %s: %s", sql, jutsu_strerror(rc), err_of(db));
}

/* Prepares, binds n values, steps once; returns the step's code. */
static int run(jutsu_db *db, const char *sql, int n, const struct jutsu_db_value *v,
               jutsu_stmt **keep)
{
    jutsu_stmt *st = NULL;
    int rc = T.ops->prepare(db, sql, &st);
    ck_assert_msg(rc == 0, "prepare %s: %s", sql, err_of(db));
    for (int i = 0; i < n; i++)
        ck_assert_msg(T.ops->bind(st, i + 1, &v[i]) == 0, "bind %d: %s", i + 1, err_of(db));
    rc = T.ops->step(st);
    if (keep)
        *keep = st;
    else
        T.ops->finalize(st);
    return rc;
}

static int64_t query_int(jutsu_db *db, const char *sql)
{
    jutsu_stmt *st;
    struct jutsu_db_value v;
    ck_assert_msg(run(db, sql, 0, NULL, &st) == JUTSU_DB_ROW, "%s: %s", sql, err_of(db));
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_INT64, 0, &v), 0);
    T.ops->finalize(st);
    return v.v.i;
}

/* The admin connection (database postgres) runs `sql`. */
static void admin(const char *sql)
{
    struct pgt a;
    ck_assert_int_eq(pgt_open(&a, "postgres", NULL), 0);
    jutsu_db *db = conn_of(&a);
    int rc = a.ops->exec(db, sql);
    ck_assert_msg(rc == 0, "%s: %s", sql, a.ops->last_error(db)->message);
    a.ops->disconnect(db);
    pgt_close(&a);
}

static void scratch_setup(void)
{
    char sql[128];
    snprintf(g_dbname, sizeof(g_dbname), "jutsu_t_%ld_%ld", run_id, (long)getpid());
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", g_dbname);
    admin(sql);
    ck_assert_int_eq(pgt_open(&T, g_dbname, NULL), 0);
}

static void scratch_teardown(void)
{
    char sql[128];
    pgt_close(&T);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", g_dbname);
    admin(sql);
}

/* Restarts T with other settings on the same scratch database. */
static void reopen(const char *extra)
{
    pgt_close(&T);
    ck_assert_int_eq(pgt_open(&T, g_dbname, extra), 0);
}

static void migrate(jutsu_db *db, int up)
{
    size_t n = T.ops->n_migrations;
    for (size_t k = 0; k < n; k++) {
        const struct jutsu_migration *m = &T.ops->migrations[up ? k : n - 1 - k];
        ck_assert_int_eq(T.ops->begin(db), 0);
        int rc = T.ops->exec(db, up ? m->up : m->down);
        ck_assert_msg(rc == 0, "%s %s: %s", m->rev, up ? "up" : "down", err_of(db));
        ck_assert_int_eq(T.ops->commit(db), 0);
    }
}

/* --- schema ------------------------------------------------------------- */

START_TEST(migrations_apply)
{
    static const char *const tables[] = {
        "blacklisted_tokens", "config_history", "config_overrides", "daily_performance",
        "data_audit_log", "data_metadata", "eod_job_status", "live_trades", "market_data",
        "passkeys", "performance_snapshots", "positions", "system_state", "user_invitations",
        "users"
    };
    static const char count_sql[] = "SELECT count(*) FROM information_schema.tables "
                                     "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";
    jutsu_db *db = conn();
    ck_assert_str_eq(T.ops->dialect, "postgresql");
    ck_assert_uint_ge(T.ops->n_migrations, 2);
    ck_assert_str_eq(T.ops->migrations[0].rev, "0001_initial");
    migrate(db, 1);
    ck_assert_int_eq(query_int(db, count_sql), 15);
    for (size_t i = 0; i < 15; i++) {
        struct jutsu_db_value v = jutsu_db_text(tables[i], (uint32_t)strlen(tables[i]));
        jutsu_stmt *st;
        ck_assert_int_eq(run(db, "SELECT count(*) FROM information_schema.tables WHERE "
                             "table_schema = 'public' AND table_name = $1", 1, &v, &st),
                         JUTSU_DB_ROW);
        ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_INT64, 0, &v), 0);
        ck_assert_msg(v.v.i == 1, "table %s missing", tables[i]);
        T.ops->finalize(st);
    }
    migrate(db, 0);
    ck_assert_int_eq(query_int(db, count_sql), 0);
    migrate(db, 1);
    ck_assert_int_eq(query_int(db, count_sql), 15);
    T.ops->disconnect(db);
}
END_TEST

/* --- values ------------------------------------------------------------- */

/* Writes values[i] into column `type` of a fresh table, reads them back as
 * (rtype, scale) into out[i], and the text form into text[i]. */
static void roundtrip(jutsu_db *db, const char *type, const struct jutsu_db_value *values,
                      int n, uint32_t rtype, uint32_t scale, struct jutsu_db_value *out,
                      char text[][64])
{
    char sql[128];
    jutsu_stmt *st;
    exec_ok(db, "DROP TABLE IF EXISTS rt");
    snprintf(sql, sizeof(sql), "CREATE TABLE rt (k int PRIMARY KEY, v %s)", type);
    exec_ok(db, sql);
    for (int i = 0; i < n; i++) {
        struct jutsu_db_value kv[2] = { jutsu_db_int(i), values[i] };
        ck_assert_msg(run(db, "INSERT INTO rt (k, v) VALUES ($1, $2)", 2, kv, NULL) ==
                      JUTSU_DB_DONE, "insert %d: %s", i, err_of(db));
    }
    ck_assert_int_eq(run(db, "SELECT v, v::text FROM rt ORDER BY k", 0, NULL, &st), JUTSU_DB_ROW);
    for (int i = 0; i < n; i++) {
        struct jutsu_db_value t;
        if (i > 0)
            ck_assert_int_eq(T.ops->step(st), JUTSU_DB_ROW);
        ck_assert_msg(T.ops->column(st, 0, rtype, scale, &out[i]) == 0, "row %d: %s", i,
                      err_of(db));
        ck_assert_int_eq(T.ops->column(st, 1, JUTSU_DB_TEXT, 0, &t), 0);
        snprintf(text[i], 64, "%.*s", (int)t.len, t.v.s);
    }
    ck_assert_int_eq(T.ops->step(st), JUTSU_DB_DONE);
    T.ops->finalize(st);
}

START_TEST(money_exact)
{
    static const int64_t m[] = { INT64_C(999999999999999999), 1, -123456789, 0 };
    static const char *const want[] = {
        "999999999999.999999", "0.000001", "-123.456789", "0.000000"
    };
    struct jutsu_db_value in[4], out[4];
    char text[4][64];
    jutsu_db *db = conn();
    for (int i = 0; i < 4; i++)
        in[i] = D(m[i]);
    roundtrip(db, "NUMERIC(18,6)", in, 4, JUTSU_DB_DECIMAL, 6, out, text);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(out[i].type, JUTSU_DB_DECIMAL);
        ck_assert_int_eq(out[i].v.i, m[i]);
        ck_assert_str_eq(text[i], want[i]);
    }
    /* a coarser scale: trailing zeros are fine, real digits are refused */
    jutsu_stmt *st;
    struct jutsu_db_value v;
    ck_assert_int_eq(run(db, "SELECT 1.500000::numeric(18,6), 0.000001::numeric(18,6), "
                         "12345.67891234::numeric(18,8)", 0, NULL, &st), JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_DECIMAL, 1, &v), 0);
    ck_assert_int_eq(v.v.i, 15);
    ck_assert_int_eq(T.ops->column(st, 1, JUTSU_DB_DECIMAL, 2, &v), JUTSU_EINVAL);
    ck_assert_str_eq(err_of(db), "column 1 (numeric): \"0.000001\" is not an exact decimal "
                     "with at most 2 places within int64");
    ck_assert_int_eq(T.ops->column(st, 2, JUTSU_DB_DECIMAL, 8, &v), 0);
    ck_assert_int_eq(v.v.i, INT64_C(1234567891234));
    T.ops->finalize(st);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(times_exact)
{
    jutsu_time_t base = jutsu_date_to_time(jutsu_date_from_ymd(2025, 1, 9)) +
                        INT64_C(52200) * JUTSU_USEC_PER_SEC;
    const jutsu_time_t t[] = {
        base + 123456, 0, -1, base, jutsu_date_to_time(jutsu_date_from_ymd(1, 1, 1)),
        jutsu_date_to_time(jutsu_date_from_ymd(0, 6, 15)) + 1,  /* 1 BC */
        jutsu_date_to_time(jutsu_date_from_ymd(10000, 1, 1)) - 1,
    };
    const int n = (int)(sizeof(t) / sizeof(t[0]));
    struct jutsu_db_value in[7], out[7];
    char text[7][64];
    jutsu_db *db = conn();
    for (int i = 0; i < n; i++)
        in[i] = jutsu_db_time(t[i]);
    roundtrip(db, "TIMESTAMPTZ", in, n, JUTSU_DB_TIME, 0, out, text);
    for (int i = 0; i < n; i++)
        ck_assert_msg(out[i].v.t == t[i], "time %d: %lld != %lld (%s)", i,
                      (long long)out[i].v.t, (long long)t[i], text[i]);
    ck_assert_str_eq(text[0], "2025-01-09 14:30:00.123456+00");
    ck_assert_str_eq(text[2], "1969-12-31 23:59:59.999999+00");
    ck_assert_str_eq(text[5], "0001-06-15 00:00:00.000001+00 BC");
    /* offsets and fractions as other servers or columns may print them */
    static const char *const forms[] = {
        "2025-01-09 20:00:00.5+05:30", "2025-01-09T09:30:00.5-05", "2025-01-09 14:30:00.5",
    };
    for (int i = 0; i < 3; i++) {
        struct jutsu_db_value v = jutsu_db_text(forms[i], (uint32_t)strlen(forms[i]));
        jutsu_stmt *st;
        ck_assert_int_eq(run(db, "SELECT $1::text", 1, &v, &st), JUTSU_DB_ROW);
        ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_TIME, 0, &v), 0);
        ck_assert_msg(v.v.t == base + 500000, "%s: %lld", forms[i], (long long)v.v.t);
        T.ops->finalize(st);
    }
    T.ops->disconnect(db);
}
END_TEST

START_TEST(dates_exact)
{
    const jutsu_date_t d[] = {
        jutsu_date_from_ymd(2025, 1, 9), -1, jutsu_date_from_ymd(2000, 2, 29),
        jutsu_date_from_ymd(1, 1, 1),
    };
    struct jutsu_db_value in[4], out[4];
    char text[4][64];
    jutsu_db *db = conn();
    for (int i = 0; i < 4; i++)
        in[i] = jutsu_db_date(d[i]);
    roundtrip(db, "DATE", in, 4, JUTSU_DB_DATE, 0, out, text);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(out[i].v.d, d[i]);
    ck_assert_str_eq(text[0], "2025-01-09");
    ck_assert_str_eq(text[1], "1969-12-31");
    ck_assert_str_eq(text[2], "2000-02-29");
    T.ops->disconnect(db);
}
END_TEST

START_TEST(bytea_with_zero_bytes)
{
    static const unsigned char a[] = { 0, 1, 0, 0xff, '\\', 'x', 0 }, b[] = { 0x7f };
    jutsu_db *db = conn();
    jutsu_stmt *st;
    struct jutsu_db_value in[3] = { jutsu_db_bytes(a, sizeof(a)), jutsu_db_bytes(b, 1),
                                    jutsu_db_bytes("", 0) }, x, y, z;
    exec_ok(db, "CREATE TABLE bt (a bytea, b bytea, c bytea)");
    ck_assert_int_eq(run(db, "INSERT INTO bt VALUES ($1, $2, $3)", 3, in, NULL), JUTSU_DB_DONE);
    ck_assert_int_eq(run(db, "SELECT a, b, c, length(a) FROM bt", 0, NULL, &st), JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_BYTES, 0, &x), 0);
    ck_assert_int_eq(T.ops->column(st, 1, JUTSU_DB_BYTES, 0, &y), 0);
    ck_assert_int_eq(T.ops->column(st, 2, JUTSU_DB_BYTES, 0, &z), 0);
    /* both values of the row stay valid together */
    ck_assert_uint_eq(x.len, sizeof(a));
    ck_assert_int_eq(memcmp(x.v.b, a, sizeof(a)), 0);
    ck_assert_uint_eq(y.len, 1);
    ck_assert_int_eq(memcmp(y.v.b, b, 1), 0);
    ck_assert_int_eq(z.type, JUTSU_DB_BYTES);
    ck_assert_uint_eq(z.len, 0);
    ck_assert_int_eq(T.ops->column(st, 3, JUTSU_DB_INT64, 0, &x), 0);
    ck_assert_int_eq(x.v.i, 7);
    T.ops->finalize(st);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(sorting_and_nulls)
{
    static const int64_t m[] = { 5, -123456789, INT64_C(999999999999999999), -500000, 1 };
    static const int64_t sorted[] = { -123456789, -500000, 1, 5, INT64_C(999999999999999999) };
    jutsu_db *db = conn();
    jutsu_stmt *st;
    struct jutsu_db_value v;
    exec_ok(db, "CREATE TABLE s (k serial, v NUMERIC(18,6), t TIMESTAMPTZ)");
    for (int i = 0; i < 5; i++) {
        struct jutsu_db_value in[2] = { D(m[i]), jutsu_db_time(-m[i] / 1000) };
        ck_assert_int_eq(run(db, "INSERT INTO s (v, t) VALUES ($1, $2)", 2, in, NULL),
                         JUTSU_DB_DONE);
    }
    struct jutsu_db_value nul[2] = { jutsu_db_null(), jutsu_db_null() };
    ck_assert_int_eq(run(db, "INSERT INTO s (v, t) VALUES ($1, $2)", 2, nul, NULL), JUTSU_DB_DONE);
    ck_assert_int_eq(run(db, "SELECT v FROM s ORDER BY v NULLS LAST", 0, NULL, &st), JUTSU_DB_ROW);
    for (int i = 0; i < 5; i++) {
        if (i)
            ck_assert_int_eq(T.ops->step(st), JUTSU_DB_ROW);
        ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_DECIMAL, 6, &v), 0);
        ck_assert_int_eq(v.v.i, sorted[i]);
    }
    ck_assert_int_eq(T.ops->step(st), JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_DECIMAL, 6, &v), 0);
    ck_assert_int_eq(v.type, JUTSU_DB_NULL);
    ck_assert_int_eq(T.ops->step(st), JUTSU_DB_DONE);
    T.ops->finalize(st);
    ck_assert_int_eq(run(db, "SELECT t FROM s ORDER BY t DESC NULLS LAST LIMIT 1", 0, NULL, &st),
                     JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_TIME, 0, &v), 0);
    ck_assert_int_eq(v.v.t, 123456);
    T.ops->finalize(st);
    T.ops->disconnect(db);
}
END_TEST

/* --- statements ------------------------------------------------------------ */

START_TEST(prepared_statement_reuse)
{
    static const char sql[] = "SELECT $1::int8 * 2";
    jutsu_db *db = conn();
    jutsu_stmt *a, *b, *c;
    struct jutsu_db_value v = jutsu_db_int(21);
    ck_assert_int_eq(run(db, sql, 1, &v, &a), JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(a, 0, JUTSU_DB_INT64, 0, &v), 0);
    ck_assert_int_eq(v.v.i, 42);
    ck_assert_int_eq(T.ops->step(a), JUTSU_DB_DONE);
    T.ops->finalize(a);
    ck_assert_int_eq(T.ops->prepare(db, sql, &b), 0);
    ck_assert_ptr_eq(a, b);                      /* the cached statement */
    ck_assert_int_eq(T.ops->prepare(db, sql, &c), 0);
    ck_assert_ptr_ne(b, c);                      /* b is in use: another one */
    T.ops->finalize(c);
    T.ops->finalize(b);
    struct jutsu_db_value q = jutsu_db_text(sql, sizeof(sql) - 1);
    jutsu_stmt *st;
    ck_assert_int_eq(run(db, "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                         1, &q, &st), JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_INT64, 0, &q), 0);
    ck_assert_int_eq(q.v.i, 2);
    T.ops->finalize(st);
    /* rebinding after reset runs the same statement again */
    ck_assert_int_eq(T.ops->prepare(db, sql, &a), 0);
    for (int i = 1; i <= 3; i++) {
        v = jutsu_db_int(i);
        ck_assert_int_eq(T.ops->bind(a, 1, &v), 0);
        ck_assert_int_eq(T.ops->step(a), JUTSU_DB_ROW);
        ck_assert_int_eq(T.ops->column(a, 0, JUTSU_DB_INT64, 0, &v), 0);
        ck_assert_int_eq(v.v.i, 2 * i);
        ck_assert_int_eq(T.ops->reset(a), 0);
    }
    T.ops->finalize(a);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(parameters_in_any_order)
{
    jutsu_db *db = conn();
    jutsu_stmt *st;
    struct jutsu_db_value v[2] = { jutsu_db_text("a", 1), jutsu_db_text("b\tc", 3) }, r;
    ck_assert_int_eq(run(db, "SELECT $2::text || $1::text, $1::text || $1::text", 2, v, &st),
                     JUTSU_DB_ROW);
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_TEXT, 0, &r), 0);
    ck_assert_int_eq(r.len, 4);
    ck_assert_int_eq(memcmp(r.v.s, "b\tca", 4), 0);
    ck_assert_int_eq(T.ops->column(st, 1, JUTSU_DB_TEXT, 0, &r), 0);
    ck_assert_int_eq(memcmp(r.v.s, "aa", 2), 0);
    ck_assert_int_eq(T.ops->bind(st, 3, &v[0]), JUTSU_EINVAL);
    ck_assert_str_eq(err_of(db), "bind $3: the statement has 2 parameter(s)");
    ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_INT64, 0, &r), JUTSU_EINVAL);
    ck_assert_str_eq(err_of(db), "column 0 (?column?): \"b\tca\" cannot be read as INT64");
    T.ops->finalize(st);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(transactions_and_savepoints)
{
    jutsu_db *db = conn();
    exec_ok(db, "CREATE TABLE tx (k int PRIMARY KEY)");
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->begin(db), JUTSU_ESTATE);
    exec_ok(db, "INSERT INTO tx VALUES (1)");
    ck_assert_int_eq(T.ops->savepoint(db, "sp_1"), 0);
    exec_ok(db, "INSERT INTO tx VALUES (2)");
    ck_assert_int_eq(T.ops->rollback_to(db, "sp_1"), 0);
    ck_assert_int_eq(T.ops->release(db, "sp_1"), 0);
    ck_assert_int_eq(T.ops->savepoint(db, "Bad-Name"), JUTSU_EINVAL);
    ck_assert_int_eq(T.ops->savepoint(db, "x; DROP TABLE tx"), JUTSU_EINVAL);
    ck_assert_int_eq(T.ops->commit(db), 0);
    ck_assert_int_eq(query_int(db, "SELECT sum(k) FROM tx"), 1);
    /* a failed statement dooms the transaction: commit says so */
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->exec(db, "INSERT INTO tx VALUES (1)"), JUTSU_ECONSTRAINT);
    ck_assert_int_eq(T.ops->commit(db), JUTSU_EDB);
    ck_assert_str_eq(T.ops->last_error(db)->sqlstate, "25P02");
    ck_assert_int_eq(T.ops->rollback(db), 0);
    ck_assert_int_eq(T.ops->commit(db), JUTSU_ESTATE);
    /* SQL of comments only is fine; COPY has nowhere to go and is refused */
    exec_ok(db, "-- nothing to do\n");
    ck_assert_int_eq(T.ops->exec(db, "COPY tx TO STDOUT"), JUTSU_ENOTSUP);
    ck_assert_int_eq(T.ops->exec(db, "COPY tx FROM STDIN"), JUTSU_ENOTSUP);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tx"), 1);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(constraint_details)
{
    jutsu_db *db = conn();
    migrate(db, 1);
    static const char ins[] = "INSERT INTO market_data (symbol, timeframe, timestamp, open, "
                              "high, low, close, volume, data_source) VALUES ($1, $2, $3, $4, "
                              "$4, $4, $4, $5, 'csv')";
    struct jutsu_db_value v[5] = { jutsu_db_text("QQQ", 3), jutsu_db_text("1D", 2),
                                   jutsu_db_time(0), D(1000000), jutsu_db_int(10) };
    ck_assert_int_eq(run(db, ins, 5, v, NULL), JUTSU_DB_DONE);
    ck_assert_int_eq(run(db, ins, 5, v, NULL), JUTSU_ECONSTRAINT);
    const struct jutsu_db_error *e = T.ops->last_error(db);
    ck_assert_str_eq(e->sqlstate, "23505");
    ck_assert_str_eq(e->table, "market_data");
    ck_assert_str_eq(e->constraint, "uix_symbol_tf_ts");
    ck_assert_msg(strstr(e->detail, "(QQQ, 1D, 1970-01-01 00:00:00+00) already exists"),
                  "detail: %s", e->detail);
    v[1] = jutsu_db_text("2D", 2);
    ck_assert_int_eq(run(db, ins, 5, v, NULL), JUTSU_ECONSTRAINT);
    ck_assert_str_eq(e->sqlstate, "23514");
    ck_assert_str_eq(e->constraint, "chk_market_data_timeframe");
    v[0] = jutsu_db_null();
    ck_assert_int_eq(run(db, ins, 5, v, NULL), JUTSU_ECONSTRAINT);
    ck_assert_str_eq(e->sqlstate, "23502");
    ck_assert_str_eq(e->column, "symbol");
    ck_assert_int_eq(T.ops->exec(db, "SELEC 1"), JUTSU_EDB);
    ck_assert_str_eq(e->sqlstate, "42601");
    ck_assert_str_eq(e->message, "syntax error at or near \"SELEC\"");
    T.ops->disconnect(db);
}
END_TEST

/* --- the pool --------------------------------------------------------------- */

struct holder {
    jutsu_db          *db;
    int                rc, pid, hold_ms;
    double             waited;
    pthread_barrier_t *bar;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Both threads hold a connection at the same time, then give it back. */
static void *hold_together(void *arg)
{
    struct holder *h = arg;
    h->rc = T.ops->connect(T.state, &h->db);
    pthread_barrier_wait(h->bar);
    if (h->rc == 0)
        h->pid = (int)query_int(h->db, "SELECT pg_backend_pid()");
    pthread_barrier_wait(h->bar);
    if (h->rc == 0)
        T.ops->disconnect(h->db);
    return NULL;
}

static void *wait_for_one(void *arg)
{
    struct holder *h = arg;
    double t0 = now_s();
    h->rc = T.ops->connect(T.state, &h->db);
    h->waited = now_s() - t0;
    return NULL;
}

START_TEST(pool_two_threads)
{
    pthread_barrier_t bar;
    pthread_t th[2];
    struct holder h[2] = { { .bar = &bar }, { .bar = &bar } };
    reopen("    pool_size: 2\n");
    pthread_barrier_init(&bar, NULL, 2);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, hold_together, &h[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&bar);
    ck_assert_int_eq(h[0].rc, 0);
    ck_assert_int_eq(h[1].rc, 0);
    ck_assert_ptr_ne(h[0].db, h[1].db);
    ck_assert_int_ne(h[0].pid, h[1].pid);
    /* given back, they are reused rather than reopened */
    jutsu_db *a = conn(), *b = conn();
    ck_assert((a == h[0].db && b == h[1].db) || (a == h[1].db && b == h[0].db));
    T.ops->disconnect(a);
    T.ops->disconnect(b);
}
END_TEST

START_TEST(pool_waits_then_times_out)
{
    pthread_t th;
    struct holder h = { 0 };
    reopen("    pool_size: 1\n    connect_timeout_s: 1\n");
    jutsu_db *db = conn();
    ck_assert_int_eq(pthread_create(&th, NULL, wait_for_one, &h), 0);
    pthread_join(th, NULL);
    ck_assert_int_eq(h.rc, JUTSU_ETIMEDOUT);
    ck_assert_ptr_null(h.db);
    ck_assert_msg(h.waited > 0.9 && h.waited < 5, "waited %.2f s", h.waited);
    ck_assert_msg(strstr(T.inst->error, "all 1 pooled connection(s) are in use and none was "
                         "given back within 1 s; raise database.postgresql.pool_size"),
                  "error: %s", T.inst->error);
    /* a waiter gets the connection as soon as it comes back */
    ck_assert_int_eq(pthread_create(&th, NULL, wait_for_one, &h), 0);
    usleep(300000);
    T.ops->disconnect(db);
    pthread_join(th, NULL);
    ck_assert_int_eq(h.rc, 0);
    ck_assert_ptr_eq(h.db, db);
    ck_assert_msg(h.waited > 0.25, "waited %.2f s", h.waited);
    T.ops->disconnect(h.db);
}
END_TEST

/* --- bulk loads --------------------------------------------------------------- */

static const char *const md_cols[] = {
    "symbol", "timeframe", "timestamp", "open", "high", "low", "close", "volume", "data_source"
};
static const char *const md_key[] = { "symbol", "timeframe", "timestamp" };

/* Row i of the test load; rows 900..999 repeat the keys of rows 0..99. */
static void md_row(int i, struct jutsu_db_value *v)
{
    int k = i < 900 ? i : i - 900;
    v[0] = jutsu_db_text(k % 2 ? "QQQ" : "TQQQ", k % 2 ? 3 : 4);
    v[1] = jutsu_db_text("1D", 2);
    v[2] = jutsu_db_time(INT64_C(1736433000000000) + (int64_t)(k / 2) * JUTSU_USEC_PER_DAY + 1);
    v[3] = D(INT64_C(100000000) + i * 1001);
    v[4] = D(k == 7 ? INT64_C(999999999999999999) : INT64_C(500000000) + i);
    v[5] = D(k == 8 ? -123456789 : 1 + i);
    v[6] = D(INT64_C(250123456) - i);
    v[7] = jutsu_db_int((int64_t)i * 7919);
    v[8] = jutsu_db_text("csv", 3);
}

static void bulk_load(jutsu_db *db, int64_t want_ins, int64_t want_skip)
{
    jutsu_bulk *b = NULL;
    struct jutsu_db_value v[9];
    int64_t ins = -1, skip = -1;
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_msg(T.ops->bulk_begin(db, "market_data", md_cols, 9, md_key, 3, &b) == 0,
                  "bulk_begin: %s", err_of(db));
    for (int i = 0; i < 1000; i++) {
        md_row(i, v);
        ck_assert_msg(T.ops->bulk_row(b, v) == 0, "row %d: %s", i, err_of(db));
    }
    ck_assert_msg(T.ops->bulk_end(b, 1, &ins, &skip) == 0, "bulk_end: %s", err_of(db));
    ck_assert_int_eq(T.ops->commit(db), 0);
    ck_assert_int_eq(ins, want_ins);
    ck_assert_int_eq(skip, want_skip);
}

START_TEST(bulk_counts_and_exact_values)
{
    jutsu_db *db = conn();
    jutsu_stmt *st;
    migrate(db, 1);
    bulk_load(db, 900, 100);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM market_data"), 900);
    bulk_load(db, 0, 1000);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM market_data"), 900);
    /* every value as loaded; of a repeated key, the first row won */
    ck_assert_int_eq(run(db, "SELECT symbol, timeframe, timestamp, open, high, low, close, "
                         "volume, data_source FROM market_data ORDER BY timestamp, symbol DESC",
                         0, NULL, &st), JUTSU_DB_ROW);
    static const uint32_t types[9] = {
        JUTSU_DB_TEXT, JUTSU_DB_TEXT, JUTSU_DB_TIME, JUTSU_DB_DECIMAL, JUTSU_DB_DECIMAL,
        JUTSU_DB_DECIMAL, JUTSU_DB_DECIMAL, JUTSU_DB_INT64, JUTSU_DB_TEXT
    };
    for (int i = 0; i < 900; i++) {
        struct jutsu_db_value want[9], got;
        md_row(i, want);
        if (i)
            ck_assert_int_eq(T.ops->step(st), JUTSU_DB_ROW);
        for (int c = 0; c < 9; c++) {
            ck_assert_int_eq(T.ops->column(st, c, types[c], 6, &got), 0);
            if (types[c] == JUTSU_DB_TEXT)
                ck_assert_msg(got.len == want[c].len &&
                              memcmp(got.v.s, want[c].v.s, got.len) == 0, "row %d col %d", i, c);
            else
                ck_assert_msg(got.v.i == want[c].v.i, "row %d col %d: %lld != %lld", i, c,
                              (long long)got.v.i, (long long)want[c].v.i);
        }
    }
    ck_assert_int_eq(T.ops->step(st), JUTSU_DB_DONE);
    T.ops->finalize(st);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(bulk_escaping_nulls_and_abandon)
{
    static const char *const cols[] = { "k", "s", "b", "t", "d", "n", "f", "ok", "x" };
    static const char *const key[] = { "k" };
    static const char text[] = "tab\there\nnew\\back\r\\N";
    static const unsigned char bytes[] = { 0, '\t', '\\', 0xff, 'N' };
    jutsu_db *db = conn();
    jutsu_bulk *b;
    jutsu_stmt *st;
    int64_t ins, skip;
    exec_ok(db, "CREATE TABLE bk (k int PRIMARY KEY, s text, b bytea, t timestamptz, d date, "
                "n numeric(18,6), f float8, ok bool, x text)");
    struct jutsu_db_value r1[9] = {
        jutsu_db_int(1), jutsu_db_text(text, sizeof(text) - 1), jutsu_db_bytes(bytes, 5),
        jutsu_db_time(-1), jutsu_db_date(-1), D(-123456789), jutsu_db_double(0.1),
        jutsu_db_bool(1), jutsu_db_null()
    }, r2[9] = {
        jutsu_db_int(2), jutsu_db_text("", 0), jutsu_db_bytes("", 0), jutsu_db_time(123456),
        jutsu_db_date(20097), D(INT64_C(999999999999999999)), jutsu_db_double(-1e300),
        jutsu_db_bool(0), jutsu_db_text("\xc3\xbcn\xc3\xaf", 5)
    }, bad[9];
    memcpy(bad, r2, sizeof(bad));
    bad[1] = jutsu_db_text("a\0b", 3);
    /* outside a transaction the driver makes its own */
    ck_assert_int_eq(T.ops->bulk_begin(db, "bk", cols, 9, key, 1, &b), 0);
    ck_assert_int_eq(T.ops->bulk_row(b, r1), 0);
    ck_assert_int_eq(T.ops->bulk_row(b, bad), JUTSU_EINVAL);   /* refused, load goes on */
    ck_assert_int_eq(T.ops->bulk_row(b, r2), 0);
    ck_assert_int_eq(T.ops->bulk_row(b, r1), 0);
    ck_assert_int_eq(T.ops->exec(db, "SELECT 1"), JUTSU_ESTATE);
    ck_assert_int_eq(T.ops->bulk_end(b, 1, &ins, &skip), 0);
    ck_assert_int_eq(ins, 2);
    ck_assert_int_eq(skip, 1);
    ck_assert_int_eq(run(db, "SELECT s, b, t, d, n, f, ok, x FROM bk ORDER BY k", 0, NULL, &st),
                     JUTSU_DB_ROW);
    for (int row = 0; row < 2; row++) {
        const struct jutsu_db_value *w = row ? r2 : r1;
        struct jutsu_db_value g[8];
        static const uint32_t types[8] = { JUTSU_DB_TEXT, JUTSU_DB_BYTES, JUTSU_DB_TIME,
            JUTSU_DB_DATE, JUTSU_DB_DECIMAL, JUTSU_DB_DOUBLE, JUTSU_DB_BOOL, JUTSU_DB_TEXT };
        if (row)
            ck_assert_int_eq(T.ops->step(st), JUTSU_DB_ROW);
        for (int c = 0; c < 8; c++)
            ck_assert_int_eq(T.ops->column(st, c, types[c], 6, &g[c]), 0);
        ck_assert_int_eq(g[0].len, w[1].len);
        ck_assert_int_eq(memcmp(g[0].v.s, w[1].v.s, g[0].len), 0);
        ck_assert_int_eq(g[1].len, w[2].len);
        ck_assert_int_eq(memcmp(g[1].v.b, w[2].v.b, g[1].len), 0);
        ck_assert_int_eq(g[2].v.t, w[3].v.t);
        ck_assert_int_eq(g[3].v.d, w[4].v.d);
        ck_assert_int_eq(g[4].v.i, w[5].v.i);
        ck_assert(g[5].v.f == w[6].v.f);                /* every bit of the double */
        ck_assert_int_eq(g[6].v.i, w[7].v.i);
        ck_assert_int_eq(g[7].type, w[8].type);
    }
    T.ops->finalize(st);
    /* keep = 0 abandons the rows and leaves the transaction usable */
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->bulk_begin(db, "bk", cols, 1, key, 1, &b), 0);
    struct jutsu_db_value k5 = jutsu_db_int(5);
    ck_assert_int_eq(T.ops->bulk_row(b, &k5), 0);
    ck_assert_int_eq(T.ops->bulk_end(b, 0, &ins, &skip), 0);
    exec_ok(db, "INSERT INTO bk (k) VALUES (6)");
    ck_assert_int_eq(T.ops->commit(db), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) * 10 + max(k) FROM bk"), 36);
    ck_assert_int_eq(T.ops->bulk_begin(db, "bk; DROP TABLE bk", cols, 1, key, 1, &b),
                     JUTSU_EINVAL);
    T.ops->disconnect(db);
}
END_TEST

START_TEST(bulk_direct_path_and_fallback)
{
    static const char *const cols[] = { "k", "e" };
    static const char *const key[] = { "k" };
    jutsu_db *db = conn();
    jutsu_bulk *b;
    int64_t ins = -1, skip = -1;
    exec_ok(db, "CREATE TABLE u (k int PRIMARY KEY, e text CONSTRAINT u_e UNIQUE)");
    /* fresh keys: straight into the table */
    ck_assert_int_eq(T.ops->bulk_begin(db, "u", cols, 2, key, 1, &b), 0);
    for (int i = 1; i <= 3; i++) {
        struct jutsu_db_value v[2] = { jutsu_db_int(i), jutsu_db_text(&"abc"[i - 1], 1) };
        ck_assert_int_eq(T.ops->bulk_row(b, v), 0);
    }
    ck_assert_int_eq(T.ops->bulk_end(b, 1, &ins, &skip), 0);
    ck_assert_int_eq(ins, 3);
    ck_assert_int_eq(skip, 0);
    /* a stored key shows only at the end: back to the savepoint, through
     * the temp table, inside the caller's transaction */
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->bulk_begin(db, "u", cols, 2, key, 1, &b), 0);
    for (int i = 2; i <= 5; i++) {
        /* k 2 and 3 are stored (with b and c); 4 and 5 are new */
        struct jutsu_db_value v[2] = { jutsu_db_int(i), jutsu_db_text(&"xbcyz"[i - 1], 1) };
        ck_assert_int_eq(T.ops->bulk_row(b, v), 0);
    }
    ck_assert_int_eq(T.ops->bulk_end(b, 1, &ins, &skip), 0);
    ck_assert_int_eq(ins, 2);
    ck_assert_int_eq(skip, 2);
    exec_ok(db, "INSERT INTO u VALUES (6, 'f')");      /* the transaction is fine */
    ck_assert_int_eq(T.ops->commit(db), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) * 100 + sum(k) FROM u"), 621);
    /* keep = 0 on the direct path leaves the transaction usable too */
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->bulk_begin(db, "u", cols, 2, key, 1, &b), 0);
    struct jutsu_db_value v[2] = { jutsu_db_int(7), jutsu_db_text("g", 1) };
    ck_assert_int_eq(T.ops->bulk_row(b, v), 0);
    ck_assert_int_eq(T.ops->bulk_end(b, 0, &ins, &skip), 0);
    exec_ok(db, "INSERT INTO u VALUES (8, 'h')");
    ck_assert_int_eq(T.ops->commit(db), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) * 100 + sum(k) FROM u"), 729);
    /* a new key that breaks another unique constraint fails on both paths */
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->bulk_begin(db, "u", cols, 2, key, 1, &b), 0);
    v[0] = jutsu_db_int(9);
    v[1] = jutsu_db_text("a", 1);
    ck_assert_int_eq(T.ops->bulk_row(b, v), 0);
    ck_assert_int_eq(T.ops->bulk_end(b, 1, &ins, &skip), JUTSU_ECONSTRAINT);
    ck_assert_str_eq(T.ops->last_error(db)->constraint, "u_e");
    ck_assert_int_eq(T.ops->rollback(db), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM u"), 7);
    T.ops->disconnect(db);
}
END_TEST

/* --- failures a person must understand -------------------------------------------- */

static char *read_stream(FILE *f)
{
    static char buf[8192];
    size_t n;
    rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    return buf;
}

START_TEST(unreachable_server)
{
    struct pgt u;
    jutsu_db *db = (jutsu_db *)&u;      /* not NULL: connect must clear it */
    FILE *log = tmpfile();
    ck_assert_ptr_nonnull(log);
    /* init connects to nothing: start-up does not wait for the server */
    ck_assert_int_eq(pgt_open_at(&u, "1", "jutsu", "nowhere",
                                 "    password: \"pw-never-shown\"\n"), 0);
    ck_assert_str_eq(u.ops->describe(u.state), "postgresql jutsu@127.0.0.1:1/nowhere");
    jutsu_log_set_stream(log);
    int rc = u.ops->connect(u.state, &db);
    jutsu_log_set_stream(NULL);
    ck_assert_int_eq(rc, JUTSU_ETRANSIENT);
    ck_assert_ptr_null(db);
    ck_assert_msg(strstr(u.inst->error, "cannot connect to PostgreSQL at 127.0.0.1:1 as user "
                         "\"jutsu\" (database \"nowhere\"): Connection refused"),
                  "error: %s", u.inst->error);
    ck_assert_msg(strstr(u.inst->error, "is the server running"), "error: %s", u.inst->error);
    ck_assert_ptr_null(strstr(u.inst->error, "pw-never-shown"));
    const char *logged = read_stream(log);
    ck_assert_msg(strstr(logged, "127.0.0.1:1"), "log: %s", logged);
    ck_assert_ptr_null(strstr(logged, "pw-never-shown"));
    fclose(log);
    pgt_close(&u);
}
END_TEST

START_TEST(wrong_password)
{
    struct pgt u;
    jutsu_db *db = NULL;
    ck_assert_int_eq(pgt_open_at(&u, env("JUTSU_TEST_PG_PORT"), env("JUTSU_TEST_PG_PW_USER"),
                                 g_dbname, "    password: \"wrong-password\"\n"), 0);
    ck_assert_int_eq(u.ops->connect(u.state, &db), JUTSU_EAUTH);
    ck_assert_msg(strstr(u.inst->error, "as user \"jutsu_pw\"") &&
                  strstr(u.inst->error, "password authentication failed for user \"jutsu_pw\"") &&
                  strstr(u.inst->error, "check the password"), "error: %s", u.inst->error);
    ck_assert_ptr_null(strstr(u.inst->error, "wrong-password"));
    pgt_close(&u);
    char extra[128];
    snprintf(extra, sizeof(extra), "    password: \"%s\"\n", env("JUTSU_TEST_PG_PW_PASSWORD"));
    ck_assert_int_eq(pgt_open_at(&u, env("JUTSU_TEST_PG_PORT"), "jutsu_pw", g_dbname, extra), 0);
    ck_assert_int_eq(u.ops->connect(u.state, &db), 0);
    ck_assert_int_eq(u.ops->exec(db, "SELECT 1"), 0);
    u.ops->disconnect(db);
    pgt_close(&u);
}
END_TEST

static void restart_cluster(void)
{
    char *cmd = NULL;
    ck_assert_int_gt(asprintf(&cmd, "JUTSU_PG_DIR='%s' JUTSU_PG_BIN='%s' JUTSU_PG_PORT='%s' "
                              "'%s/scripts/pg-test-cluster.sh' restart", env("JUTSU_TEST_PG_DIR"),
                              env("JUTSU_TEST_PG_BIN"), env("JUTSU_TEST_PG_PORT"),
                              tu_source_dir()), 0);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
    free(cmd);
}

START_TEST(server_restart)
{
    jutsu_db *a = conn(), *b = conn();
    static const char ins[] = "INSERT INTO r VALUES ($1)";
    struct jutsu_db_value v = jutsu_db_int(1);
    exec_ok(a, "CREATE TABLE r (k int PRIMARY KEY)");
    ck_assert_int_eq(T.ops->begin(a), 0);
    ck_assert_int_eq(run(a, ins, 1, &v, NULL), JUTSU_DB_DONE);
    ck_assert_int_eq(T.ops->commit(a), 0);
    ck_assert_int_eq(T.ops->begin(b), 0);
    exec_ok(b, "INSERT INTO r VALUES (100)");
    restart_cluster();
    /* outside a transaction: reconnected, statement prepared again, row kept */
    v = jutsu_db_int(2);
    ck_assert_msg(run(a, ins, 1, &v, NULL) == JUTSU_DB_DONE, "after restart: %s", err_of(a));
    ck_assert_int_eq(query_int(a, "SELECT count(*) FROM r WHERE k IN (1, 2)"), 2);
    /* inside one: the transaction is gone, and the driver says so until rollback */
    ck_assert_int_eq(T.ops->exec(b, "INSERT INTO r VALUES (101)"), JUTSU_ETRANSIENT);
    ck_assert_str_eq(T.ops->last_error(b)->sqlstate, "08006");
    ck_assert_int_eq(T.ops->exec(b, "INSERT INTO r VALUES (102)"), JUTSU_ETRANSIENT);
    ck_assert_int_eq(T.ops->commit(b), JUTSU_ETRANSIENT);
    ck_assert_int_eq(T.ops->rollback(b), 0);
    ck_assert_int_eq(T.ops->begin(b), 0);
    exec_ok(b, "INSERT INTO r VALUES (103)");
    ck_assert_int_eq(T.ops->commit(b), 0);
    ck_assert_int_eq(query_int(b, "SELECT count(*) FROM r"), 3);
    ck_assert_int_eq(query_int(b, "SELECT count(*) FROM r WHERE k >= 100 AND k < 103"), 0);
    T.ops->disconnect(a);
    T.ops->disconnect(b);
}
END_TEST

/* --- backup, restore, locks ------------------------------------------------------ */

static void read_money(jutsu_db *db, int64_t *out)
{
    jutsu_stmt *st;
    struct jutsu_db_value v;
    ck_assert_int_eq(run(db, "SELECT open FROM market_data ORDER BY id", 0, NULL, &st),
                     JUTSU_DB_ROW);
    for (int i = 0; i < 3; i++) {
        if (i)
            ck_assert_int_eq(T.ops->step(st), JUTSU_DB_ROW);
        ck_assert_int_eq(T.ops->column(st, 0, JUTSU_DB_DECIMAL, 6, &v), 0);
        out[i] = v.v.i;
    }
    ck_assert_int_eq(T.ops->step(st), JUTSU_DB_DONE);
    T.ops->finalize(st);
}

START_TEST(backup_and_restore)
{
    static const int64_t m[3] = { INT64_C(999999999999999999), 1, -123456789 };
    char extra[512], *dir = tu_tmpdir(), *path = NULL, *tmp = NULL;
    int64_t got[3];
    struct stat sb;
    /* the server's own major version of the tools */
    snprintf(extra, sizeof(extra), "    pg_dump: \"%s/pg_dump\"\n"
             "    pg_restore: \"%s/pg_restore\"\n", env("JUTSU_TEST_PG_BIN"),
             env("JUTSU_TEST_PG_BIN"));
    reopen(extra);
    jutsu_db *db = conn();
    migrate(db, 1);
    for (int i = 0; i < 3; i++) {
        struct jutsu_db_value v[2] = { jutsu_db_time(i), D(m[i]) };
        ck_assert_int_eq(run(db, "INSERT INTO market_data (symbol, timeframe, timestamp, open, "
                             "high, low, close, volume, data_source) VALUES ('QQQ', '1D', $1, "
                             "$2, $2, $2, $2, 1, 'csv')", 2, v, NULL), JUTSU_DB_DONE);
    }
    ck_assert_int_gt(asprintf(&path, "%s/jutsu.dump", dir), 0);
    ck_assert_int_gt(asprintf(&tmp, "%s.tmp", path), 0);
    ck_assert_msg(T.ops->backup(db, path) == 0, "backup: %s (%s)", err_of(db),
                  T.ops->last_error(db)->detail);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_gt(sb.st_size, 0);
    ck_assert_int_ne(stat(tmp, &sb), 0);
    exec_ok(db, "DELETE FROM market_data; DROP TABLE passkeys");
    ck_assert_msg(T.ops->restore(db, path) == 0, "restore: %s (%s)", err_of(db),
                  T.ops->last_error(db)->detail);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM market_data"), 3);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM passkeys"), 0);
    read_money(db, got);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(got[i], m[i]);
    /* restore refuses to run under an open transaction of its own connection */
    ck_assert_int_eq(T.ops->begin(db), 0);
    ck_assert_int_eq(T.ops->restore(db, path), JUTSU_ESTATE);
    ck_assert_int_eq(T.ops->rollback(db), 0);
    T.ops->disconnect(db);
    /* a missing tool says what to install */
    reopen("    pg_dump: /nonexistent/pg_dump\n");
    db = conn();
    ck_assert_int_eq(T.ops->backup(db, path), JUTSU_ENOENT);
    ck_assert_msg(strstr(err_of(db), "program \"/nonexistent/pg_dump\" not found"), "%s",
                  err_of(db));
    ck_assert_msg(strstr(T.ops->last_error(db)->hint, "install the PostgreSQL client tools "
                         "(apt install postgresql-client"), "%s", T.ops->last_error(db)->hint);
    ck_assert_int_ne(stat(tmp, &sb), 0);
    T.ops->disconnect(db);
    tu_rmtree(dir);
    free(dir);
    free(path);
    free(tmp);
}
END_TEST

START_TEST(advisory_locks)
{
    jutsu_db *a = conn(), *b = conn();
    int got = -1;
    ck_assert_int_eq(T.ops->try_lock(a, 42, &got), 0);
    ck_assert_int_eq(got, 1);
    ck_assert_int_eq(T.ops->try_lock(b, 42, &got), 0);
    ck_assert_int_eq(got, 0);
    ck_assert_int_eq(T.ops->unlock(a, 42), 0);
    ck_assert_int_eq(T.ops->try_lock(b, 42, &got), 0);
    ck_assert_int_eq(got, 1);
    ck_assert_int_eq(T.ops->unlock(a, 42), JUTSU_ENOENT);
    ck_assert_str_eq(err_of(a), "advisory lock 42 is not held by this connection");
    /* giving the connection back to the pool releases its locks */
    T.ops->disconnect(b);
    ck_assert_int_eq(T.ops->try_lock(a, 42, &got), 0);
    ck_assert_int_eq(got, 1);
    ck_assert_int_eq(T.ops->unlock(a, 42), 0);
    T.ops->disconnect(a);
}
END_TEST

/* --- the program ----------------------------------------------------------------- */

/* A failed test exits before its teardown: drop what this run left.
 * Runs outside any test, so no ck_assert here. */
static void drop_leftovers(void)
{
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    char *yaml = NULL, like[64], *names[64];
    jutsu_db *db = NULL;
    jutsu_stmt *st;
    int n = 0;

    jutsu_diag_init(&d);
    if (asprintf(&yaml, "database: {type: postgresql, postgresql: {host: \"%s\", port: %s, "
                 "user: \"%s\", database: postgres}}\n", getenv("JUTSU_TEST_PG_HOST"),
                 getenv("JUTSU_TEST_PG_PORT"), getenv("JUTSU_TEST_PG_USER")) < 0)
        return;
    if (jutsu_app_new(&app) != 0 || jutsu_app_load_config_string(app, "c.yaml", yaml, &d) ||
        jutsu_app_load_plugins(app, &d) || jutsu_app_start(app))
        goto out;
    struct jutsu_ctx *c = jutsu_app_find(app, JUTSU_STORAGE_INSTANCE);
    const struct jutsu_storage_ops *ops = c->module->desc->ops;
    if (ops->connect(c->state, &db) != 0)
        goto out;
    snprintf(like, sizeof(like), "jutsu\\_t\\_%ld\\_%%", run_id);
    struct jutsu_db_value v = jutsu_db_text(like, (uint32_t)strlen(like));
    if (ops->prepare(db, "SELECT datname FROM pg_database WHERE datname LIKE $1", &st) == 0) {
        if (ops->bind(st, 1, &v) == 0)
            while (n < 64 && ops->step(st) == JUTSU_DB_ROW &&
                   ops->column(st, 0, JUTSU_DB_TEXT, 0, &v) == 0)
                names[n++] = strndup(v.v.s, v.len);
        ops->finalize(st);
    }
    for (int i = 0; i < n; i++) {
        char *drop = NULL;
        if (names[i] && asprintf(&drop, "DROP DATABASE IF EXISTS %s WITH (FORCE)", names[i]) > 0) {
            fprintf(stderr, "test_storage_postgres: dropping leftover %s\n", names[i]);
            ops->exec(db, drop);
            free(drop);
        }
        free(names[i]);
    }
    ops->disconnect(db);
out:
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(yaml);
}

static Suite *pg_suite(void)
{
    Suite *s = suite_create("storage-postgres");
    TCase *tc = tcase_create("driver");
    tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, migrations_apply);
    tcase_add_test(tc, money_exact);
    tcase_add_test(tc, times_exact);
    tcase_add_test(tc, dates_exact);
    tcase_add_test(tc, bytea_with_zero_bytes);
    tcase_add_test(tc, sorting_and_nulls);
    tcase_add_test(tc, prepared_statement_reuse);
    tcase_add_test(tc, parameters_in_any_order);
    tcase_add_test(tc, transactions_and_savepoints);
    tcase_add_test(tc, constraint_details);
    tcase_add_test(tc, pool_two_threads);
    tcase_add_test(tc, pool_waits_then_times_out);
    tcase_add_test(tc, bulk_counts_and_exact_values);
    tcase_add_test(tc, bulk_escaping_nulls_and_abandon);
    tcase_add_test(tc, bulk_direct_path_and_fallback);
    tcase_add_test(tc, unreachable_server);
    tcase_add_test(tc, wrong_password);
    tcase_add_test(tc, server_restart);
    tcase_add_test(tc, backup_and_restore);
    tcase_add_test(tc, advisory_locks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    static const char *const overrides[] = {
        "DATABASE_URL", "DATABASE_TYPE", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER",
        "POSTGRES_PASSWORD", "POSTGRES_DATABASE", NULL
    };
    const char *host = getenv("JUTSU_TEST_PG_HOST"), *no = getenv("JUTSU_TEST_NO_PG");
    jutsu_log_pin(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);
    for (int i = 0; overrides[i]; i++)
        unsetenv(overrides[i]);   /* they would redirect the driver under test */
    if (host == NULL || *host == '\0') {
        if (no && strcmp(no, "1") == 0) {
            fprintf(stderr, "test_storage_postgres: SKIPPED: no test cluster "
                    "(JUTSU_TEST_NO_PG=1)\n");
            return EXIT_SUCCESS;
        }
        fprintf(stderr, "test_storage_postgres: JUTSU_TEST_PG_HOST is not set. Start the test "
                "cluster first: eval \"$(scripts/pg-test-cluster.sh start)\" (or run "
                "scripts/test.sh); JUTSU_TEST_NO_PG=1 skips these tests\n");
        return EXIT_FAILURE;
    }
    run_id = (long)getpid();
    int rc = tu_run(pg_suite());
    drop_leftovers();
    return rc;
}
