/*
 * tests/unit/testdb.c — real databases for tests (see testdb.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "base/log.h"
#include "market/sync.h"
#include "testdb.h"

static int pg_available(void)
{
    const char *h = getenv("JUTSU_TEST_PG_HOST");
    return h && *h;
}

char *tdb_yaml(int i, const char *dir, const char *name)
{
    char *y = NULL;
    if (i == 0)
        ck_assert_int_gt(asprintf(&y, "database:\n  type: sqlite\n  sqlite:\n"
                                      "    path: \"%s/%s.db\"\n", dir, name), 0);
    else
        ck_assert_int_gt(asprintf(&y, "database:\n  type: postgresql\n  postgresql:\n"
                                      "    host: \"%s\"\n    port: %s\n    user: \"%s\"\n"
                                      "    database: \"%s\"\n    pool_size: 16\n",
                                  getenv("JUTSU_TEST_PG_HOST"), getenv("JUTSU_TEST_PG_PORT"),
                                  getenv("JUTSU_TEST_PG_USER"), name), 0);
    return y;
}

static struct jutsu_app *start_app(const char *yaml)
{
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    int rc = jutsu_app_load_config_string(app, "testdb.yaml", yaml, &d);
    if (rc == 0)
        rc = jutsu_app_load_plugins(app, &d);
    if (rc != 0)
        jutsu_diag_print(&d, stderr, "testdb: ");
    ck_assert_msg(rc == 0, "testdb: config refused: %s", jutsu_strerror(rc));
    jutsu_diag_free(&d);
    ck_assert_msg(jutsu_app_start(app) == 0, "testdb: storage did not start (see log)");
    return app;
}

/* CREATE/DROP DATABASE through the driver, connected to `postgres`. */
static void pg_admin(const char *sql)
{
    char *yaml = tdb_yaml(1, NULL, "postgres");
    struct jutsu_app *app = start_app(yaml);
    jutsu_dbs *s = NULL;
    ck_assert_int_eq(jutsu_app_dbs_open(app, &s), 0);
    int rc = s->ops->exec(s->db, sql);
    ck_assert_msg(rc == 0, "testdb: %s: %s", sql, s->ops->last_error(s->db)->message);
    jutsu_dbs_close(s);
    jutsu_app_free(app);
    free(yaml);
}

void tdb_open(struct tdb *t, int i, int migrate)
{
    tdb_open_with(t, i, migrate, NULL);
}

void tdb_open_with(struct tdb *t, int i, int migrate, const char *extra_yaml)
{
    memset(t, 0, sizeof(*t));
    t->backend = i == 0 ? "sqlite" : "postgresql";
    t->dir = tu_tmpdir();
    if (i == 1 && !pg_available()) {
        const char *no = getenv("JUTSU_TEST_NO_PG");
        ck_assert_msg(no && strcmp(no, "1") == 0, "PostgreSQL tests need the test cluster: "
                      "run through scripts/test.sh, or eval \"$(scripts/pg-test-cluster.sh start)\" "
                      "first (JUTSU_TEST_NO_PG=1 skips them)");
        fprintf(stderr, "testdb: SKIPPING PostgreSQL (JUTSU_TEST_NO_PG=1)\n");
        t->skipped = 1;
        return;
    }
    char name[64];
    snprintf(name, sizeof(name), "jutsu_t_%ld_%d_%ld", (long)getpid(), rand() % 100000,
             (long)time(NULL) % 100000);
    if (i == 1) {
        char sql[128];
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
        pg_admin(sql);
        t->pgdb = strdup(name);
    }
    char *yaml = tdb_yaml(i, t->dir, i == 0 ? "test" : name);
    if (extra_yaml) {
        char *all = NULL;
        ck_assert_int_gt(asprintf(&all, "%s%s", yaml, extra_yaml), 0);
        free(yaml);
        yaml = all;
    }
    t->app = start_app(yaml);
    free(yaml);
    ck_assert_int_eq(jutsu_app_dbs_open(t->app, &t->s), 0);
    if (migrate) {
        int rc = jutsu_migrate_upgrade(t->s, "head", NULL);
        ck_assert_msg(rc == 0, "testdb: migrate: %s", jutsu_dbs_error(t->s));
    }
}

void tdb_close(struct tdb *t)
{
    if (t->s)
        jutsu_dbs_close(t->s);
    jutsu_app_free(t->app);
    if (t->pgdb) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE %s", t->pgdb);
        pg_admin(sql);
        free(t->pgdb);
    }
    tu_rmtree(t->dir);
    free(t->dir);
    memset(t, 0, sizeof(*t));
}

void tdb_exec(struct tdb *t, const char *sql)
{
    int rc = t->s->ops->exec(t->s->db, sql);
    ck_assert_msg(rc == 0, "%s: %s: %s", t->backend, sql, t->s->ops->last_error(t->s->db)->message);
}

void tdb_refuse_bars(struct tdb *t, int64_t volume)
{
    char sql[512];
    if (strcmp(t->backend, "sqlite") == 0) {
        snprintf(sql, sizeof(sql), "CREATE TRIGGER refuse_bar BEFORE INSERT ON market_data "
                 "WHEN NEW.volume = %lld BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                 (long long)volume);
        tdb_exec(t, sql);
        return;
    }
    snprintf(sql, sizeof(sql), "CREATE FUNCTION refuse_bar() RETURNS trigger LANGUAGE plpgsql "
             "AS $$ BEGIN IF NEW.volume = %lld THEN RAISE EXCEPTION 'injected failure'; END IF; "
             "RETURN NEW; END $$", (long long)volume);
    tdb_exec(t, sql);
    tdb_exec(t, "CREATE TRIGGER refuse_bar BEFORE INSERT ON market_data FOR EACH ROW "
                "EXECUTE FUNCTION refuse_bar()");
}

void tdb_allow_bars(struct tdb *t)
{
    if (strcmp(t->backend, "sqlite") == 0) {
        tdb_exec(t, "DROP TRIGGER refuse_bar");
        return;
    }
    tdb_exec(t, "DROP TRIGGER refuse_bar ON market_data");
    tdb_exec(t, "DROP FUNCTION refuse_bar()");
}

int64_t tdb_count(struct tdb *t, const char *table, const char *where)
{
    char sql[512];
    jutsu_stmt *st = NULL;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s%s%s", table, where ? " WHERE " : "",
             where ? where : "");
    ck_assert_int_eq(t->s->ops->prepare(t->s->db, sql, &st), 0);
    ck_assert_int_eq(t->s->ops->step(st), JUTSU_DB_ROW);
    struct jutsu_db_value v;
    ck_assert_int_eq(t->s->ops->column(st, 0, JUTSU_DB_INT64, 0, &v), 0);
    t->s->ops->finalize(st);
    return v.v.i;
}

void tdb_sync(struct tdb *t)
{
    struct jutsu_sync_opts o = { .progress = 0 };
    struct jutsu_sync_report r;
    int rc = jutsu_sync_run(t->app, &o, &r);
    ck_assert_msg(rc == 0, "sync: %s", jutsu_strerror(rc));
    jutsu_sync_report_free(&r);
}

jutsu_time_t tdb_clock(void *arg)
{
    return *(const jutsu_time_t *)arg;
}

void tdb_set_clock(struct tdb *t, jutsu_time_t now)
{
    t->now = now;
    t->app->clock = tdb_clock;
    t->app->clock_arg = &t->now;
}

jutsu_date_t tdb_ymd(int y, int m, int d)
{
    return jutsu_date_from_ymd(y, m, d);
}

int tdb_open_v35(struct tdb *t, int i)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y,
        "sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}\n"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: v3_5b, plugin: strategy-regime}\n", tu_source_dir()), 0);
    tdb_open_with(t, i, 1, y);
    free(y);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    tdb_set_clock(t, jutsu_date_to_time(tdb_ymd(2026, 5, 14)));
    tdb_sync(t);
    return 1;
}

static int take_close(const struct jutsu_bar_row *b, void *arg)
{
    struct tdb_closes *x = arg;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 512;
        x->d = realloc(x->d, x->cap * sizeof(*x->d));
        x->c = realloc(x->c, x->cap * sizeof(*x->c));
        ck_assert(x->d != NULL && x->c != NULL);
    }
    x->d[x->n] = jutsu_time_to_date(b->ts);
    x->c[x->n++] = b->close;
    return 0;
}

void tdb_closes(struct tdb *t, const char *sym, jutsu_date_t from, jutsu_date_t to,
                struct tdb_closes *x)
{
    x->n = 0;
    ck_assert_int_eq(jutsu_data_bars_range(t->s, sym, "1D", jutsu_date_to_time(from),
                                           jutsu_date_to_time(to), 1, take_close, x), 0);
}

void tdb_closes_free(struct tdb_closes *x)
{
    free(x->d);
    free(x->c);
    memset(x, 0, sizeof(*x));
}
