/*
 * tests/unit/testdb.h — a real database for a test: an app whose storage
 * instance is started on a fresh SQLite file or a fresh PostgreSQL database
 * (on the test cluster, scripts/pg-test-cluster.sh), migrated to head.
 *
 * Use with tcase_add_loop_test(tc, fn, 0, TDB_BACKENDS): `_i` picks the
 * backend, so every test runs on both. Without the test cluster's
 * environment a PostgreSQL run fails with a message, unless
 * JUTSU_TEST_NO_PG=1 (then it is skipped, loudly).
 */
#ifndef JUTSU_TESTDB_H
#define JUTSU_TESTDB_H

#include "host/app.h"
#include "store/store.h"
#include "testutil.h"

#define TDB_BACKENDS 2

struct tdb {
    const char       *backend;    /* "sqlite" or "postgresql" */
    struct jutsu_app *app;
    jutsu_dbs        *s;          /* a session, ready */
    char             *dir;        /* temp dir (sqlite file, backups) */
    char             *pgdb;       /* scratch database name */
    int               skipped;    /* PostgreSQL unavailable and allowed */
    jutsu_time_t      now;        /* the app's clock, after tdb_set_clock */
};

/* Opens backend `i` (0 sqlite, 1 postgresql). `migrate` 0 leaves the
 * database empty (no revision applied). Asserts on failure. */
void tdb_open(struct tdb *t, int i, int migrate);
/* Same, with more YAML appended to the config (plugins:, sync:, ...): every
 * configured instance is started, not only the storage. */
void tdb_open_with(struct tdb *t, int i, int migrate, const char *extra_yaml);
void tdb_close(struct tdb *t);
/* The YAML `database:` section for backend i on database/file `name`. */
char *tdb_yaml(int i, const char *dir, const char *name);
/* Runs SQL through the driver outside any data API call; asserts success. */
void tdb_exec(struct tdb *t, const char *sql);
/* SELECT COUNT(*) FROM table [WHERE ...]: asserts and returns the count. */
int64_t tdb_count(struct tdb *t, const char *table, const char *where);
/* A real refusal by the database in the middle of a job: a trigger,
 * refuse_bar, that fails every INSERT into market_data of a bar with this
 * volume ("injected failure"); tdb_allow_bars drops it again. */
void tdb_refuse_bars(struct tdb *t, int64_t volume);
void tdb_allow_bars(struct tdb *t);

/* A clock set by hand, so that "today" is the test's and not the machine's.
 * tdb_clock, as an app's clock (struct jutsu_app.clock), answers the
 * jutsu_time_t its argument points to: the caller keeps that alive as long
 * as the app, and changes it only while no job runs (nothing locks it).
 * tdb_set_clock sets t->now and gives t's app tdb_clock on &t->now; the
 * test then moves time with t->now += ..., and must not copy t elsewhere
 * to use it while the app is open (the app still reads the original). */
jutsu_time_t tdb_clock(void *arg);
void tdb_set_clock(struct tdb *t, jutsu_time_t now);
/* jutsu_date_from_ymd, short enough for a table of dates. */
jutsu_date_t tdb_ymd(int y, int m, int d);

/* Opens backend i with the real v3_5b (strategy-regime), kpi-standard, and
 * the bundled sample data (conf/sample-data: QQQ, TQQQ, PSQ, TLT, TMF, TMV,
 * up to 2026-05-13) synced, the clock at 00:00 UTC on 2026-05-14 (bars
 * after "now" would be stored invalid). Returns 1; 0 when PostgreSQL is
 * skipped (t is closed then). Close with tdb_close. */
int tdb_open_v35(struct tdb *t, int i);

/* Syncs what the config's sync: section names; asserts that it worked. */
void tdb_sync(struct tdb *t);

/* The daily closes of a symbol, in date order; start from {0}, free with
 * tdb_closes_free (a read again reuses the arrays). */
struct tdb_closes {
    jutsu_date_t  *d;
    jutsu_money_t *c;
    size_t         n, cap;
};
/* The stored 1D bars of `sym` dated from..to (inclusive). */
void tdb_closes(struct tdb *t, const char *sym, jutsu_date_t from, jutsu_date_t to,
                struct tdb_closes *x);
void tdb_closes_free(struct tdb_closes *x);

#endif
