/*
 * tests/unit/test_migrate_race.c — two upgrades of one empty database at
 * once (two `db upgrade`, two `serve` starting together): both succeed, and
 * each revision is applied exactly once (issue 15, defect 8: without the
 * lock, PostgreSQL answered the second CREATE TABLE with a raw
 * 'duplicate key value violates unique constraint
 * "pg_type_typname_nsp_index"', and the second process applied revisions
 * the first had applied).
 *
 * One race is no proof: ROUNDS fresh databases, each upgraded by two
 * threads on two sessions (two connections) that a barrier lets go
 * together. No timing is asserted, only the outcome.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "testdb.h"
#include "testutil.h"

enum { ROUNDS = 5, RACERS = 2 };

struct racer {
    jutsu_dbs         *s;
    pthread_barrier_t *go;
    int                rc;
    char               error[512];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    pthread_barrier_wait(r->go);
    r->rc = jutsu_migrate_upgrade(r->s, "head", NULL);
    if (r->rc != 0)
        snprintf(r->error, sizeof(r->error), "%s", jutsu_dbs_error(r->s));
    return NULL;
}

START_TEST(two_upgrades_at_once)
{
    for (int round = 0; round < ROUNDS; round++) {
        struct tdb t;
        tdb_open(&t, _i, 0);
        if (t.skipped) {
            tdb_close(&t);
            return;
        }
        pthread_barrier_t go;
        pthread_t th[RACERS];
        struct racer r[RACERS];
        ck_assert_int_eq(pthread_barrier_init(&go, NULL, RACERS), 0);
        for (int k = 0; k < RACERS; k++) {
            memset(&r[k], 0, sizeof(r[k]));
            r[k].go = &go;
            ck_assert_int_eq(jutsu_app_dbs_open(t.app, &r[k].s), 0);
        }
        for (int k = 0; k < RACERS; k++)
            ck_assert_int_eq(pthread_create(&th[k], NULL, race, &r[k]), 0);
        for (int k = 0; k < RACERS; k++)
            ck_assert_int_eq(pthread_join(th[k], NULL), 0);
        pthread_barrier_destroy(&go);
        for (int k = 0; k < RACERS; k++) {
            ck_assert_msg(r[k].rc == 0, "%s, round %d, racer %d: %s: %s", t.backend, round, k,
                          jutsu_strerror(r[k].rc), r[k].error);
            jutsu_dbs_close(r[k].s);
        }
        /* at head, each revision once */
        struct jutsu_migrate_state st;
        ck_assert_int_eq(jutsu_migrate_state(t.s, &st), 0);
        ck_assert_int_eq(st.n_applied, st.n_known);
        ck_assert_int_eq(tdb_count(&t, "jutsu_schema_migrations", NULL), (int64_t)st.n_known);
        ck_assert_int_eq(tdb_count(&t, "(SELECT DISTINCT rev FROM jutsu_schema_migrations) d",
                                   NULL), (int64_t)st.n_known);
        /* and a third finds nothing to do */
        ck_assert_int_eq(jutsu_migrate_upgrade(t.s, "head", NULL), 0);
        ck_assert_int_eq(tdb_count(&t, "jutsu_schema_migrations", NULL), (int64_t)st.n_known);
        tdb_close(&t);
    }
}
END_TEST

static Suite *race_suite(void)
{
    Suite *s = suite_create("migrate_race");
    TCase *tc = tcase_create("upgrade");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, two_upgrades_at_once, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_pin(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(race_suite());
}
