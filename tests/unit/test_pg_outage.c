/*
 * tests/unit/test_pg_outage.c — the storage-postgres driver rides out a
 * server outage of a few seconds: the real plugin on the PostgreSQL test
 * cluster (scripts/pg-test-cluster.sh), whose server is stopped, and
 * started again ~4 s later by a forked child while a command waits.
 *
 * With the default reconnect budget (reconnect_timeout_s: 30) the command
 * succeeds; with a 1 s budget it fails at the budget, and the error names
 * the setting to raise. A 4 s outage is longer than the old fixed budget
 * (5 tries, 200+400+800+1600 ms: about 3 s).
 *
 * It stops the cluster: ctest runs it alone (RUN_SERIAL). Without the
 * cluster's JUTSU_TEST_PG_* variables it skips, loudly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/storage.h"
#include "host/app.h"
#include "base/log.h"
#include "testutil.h"

#define OUTAGE_S 4

struct pgt {
    struct jutsu_app               *app;
    const struct jutsu_storage_ops *ops;
    void                           *state;
};

static const char *const needed[] = {
    "JUTSU_TEST_PG_HOST", "JUTSU_TEST_PG_PORT", "JUTSU_TEST_PG_USER", "JUTSU_TEST_PG_DIR",
    "JUTSU_TEST_PG_BIN", NULL
};

/* The driver on the cluster's `postgres` database; `extra` adds lines to
 * its postgresql: map. */
static void pgt_open(struct pgt *t, const char *extra)
{
    char *yaml = NULL;
    struct jutsu_diag d;
    memset(t, 0, sizeof(*t));
    ck_assert_int_gt(asprintf(&yaml, "database:\n  type: postgresql\n  postgresql:\n"
                              "    host: \"%s\"\n    port: %s\n    user: \"%s\"\n"
                              "    database: postgres\n%s", getenv("JUTSU_TEST_PG_HOST"),
                              getenv("JUTSU_TEST_PG_PORT"), getenv("JUTSU_TEST_PG_USER"),
                              extra ? extra : ""), 0);
    ck_assert_int_eq(jutsu_app_new(&t->app), 0);
    jutsu_diag_init(&d);
    int rc = jutsu_app_load_config_string(t->app, "pg.yaml", yaml, &d);
    if (rc == 0)
        rc = jutsu_app_load_plugins(t->app, &d);
    jutsu_diag_print(&d, stderr, "config: ");
    jutsu_diag_free(&d);
    free(yaml);
    ck_assert_msg(rc == 0, "config refused: %s", jutsu_strerror(rc));
    ck_assert_int_eq(jutsu_app_start(t->app), 0);
    struct jutsu_ctx *inst = jutsu_app_find(t->app, JUTSU_STORAGE_INSTANCE);
    ck_assert_ptr_nonnull(inst);
    t->ops = inst->module->desc->ops;
    t->state = inst->state;
}

static jutsu_db *conn_of(struct pgt *t)
{
    jutsu_db *db = NULL;
    int rc = t->ops->connect(t->state, &db);
    ck_assert_msg(rc == 0, "connect: %s", jutsu_strerror(rc));
    return db;
}

/* The pg_ctl command line for the test cluster, run as its owner (the
 * cluster script runs it as `postgres` when we are root: the server
 * refuses root). `start` 0 stops. Free it. */
static char *pg_ctl_cmd(int start)
{
    char *cmd = NULL;
    const char *dir = getenv("JUTSU_TEST_PG_DIR");
    if (asprintf(&cmd, "%s'%s/pg_ctl' -D '%s/data' %s%s%s -w -t 60 %s >/dev/null",
                 geteuid() == 0 ? "runuser -u postgres -- " : "", getenv("JUTSU_TEST_PG_BIN"),
                 dir, start ? "-l '" : "-m fast", start ? dir : "", start ? "/server.log'" : "",
                 start ? "start" : "stop") < 0)
        return NULL;
    return cmd;
}

/* Stops the server now and starts it again OUTAGE_S seconds later from a
 * child, so that the caller can run a command during the outage. The
 * child execs a shell at once: under valgrind a forked copy of this
 * process would end in valgrind's leak check of everything it inherited,
 * and its exit status would be valgrind's, not pg_ctl's. */
static pid_t outage_begin(void)
{
    char *stop = pg_ctl_cmd(0), *start = pg_ctl_cmd(1), *later = NULL;
    ck_assert_ptr_nonnull(stop);
    ck_assert_ptr_nonnull(start);
    ck_assert_int_gt(asprintf(&later, "sleep %d && %s", OUTAGE_S, start), 0);
    ck_assert_msg(system(stop) == 0, "pg_ctl stop failed");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", later, (char *)NULL);
        _exit(127);
    }
    free(stop);
    free(start);
    free(later);
    return pid;
}

/* Waits for the child: the server must be up again before anything else. */
static void outage_end(pid_t pid)
{
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pg_ctl start failed");
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs SELECT 1 on db while the server is down (and comes back): its
 * result, how long it took, and its error, read before the server is up. */
static int exec_across_outage(struct pgt *t, jutsu_db *db, int64_t *took,
                              struct jutsu_db_error *e)
{
    pid_t pid = outage_begin();
    int64_t t0 = now_ms();
    int rc = t->ops->exec(db, "SELECT 1");
    *took = now_ms() - t0;
    *e = *t->ops->last_error(db);
    outage_end(pid);
    return rc;
}

START_TEST(default_budget_rides_out_the_outage)
{
    struct pgt t;
    pgt_open(&t, NULL);
    jutsu_db *a = conn_of(&t), *b = conn_of(&t);
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), 0);
    ck_assert_int_eq(t.ops->begin(b), 0);
    ck_assert_int_eq(t.ops->exec(b, "SELECT 1"), 0);
    int64_t took;
    struct jutsu_db_error e;
    int rc = exec_across_outage(&t, a, &took, &e);
    ck_assert_msg(rc == 0, "a %d s outage failed the command after %lld ms: %s", OUTAGE_S,
                  (long long)took, e.message);
    ck_assert_msg(took >= (OUTAGE_S - 1) * 1000, "the command waited only %lld ms: was the "
                  "server down?", (long long)took);
    /* a transaction the outage cut short still fails, and does not wait */
    int64_t t0 = now_ms();
    ck_assert_int_eq(t.ops->exec(b, "SELECT 1"), JUTSU_ETRANSIENT);
    ck_assert_str_eq(t.ops->last_error(b)->sqlstate, "08006");
    ck_assert_int_eq(t.ops->commit(b), JUTSU_ETRANSIENT);
    ck_assert_int_lt(now_ms() - t0, 1000);
    ck_assert_int_eq(t.ops->rollback(b), 0);
    ck_assert_int_eq(t.ops->exec(b, "SELECT 1"), 0);
    t.ops->disconnect(a);
    t.ops->disconnect(b);
    jutsu_app_free(t.app);
}
END_TEST

START_TEST(short_budget_fails_and_names_the_setting)
{
    struct pgt t;
    pgt_open(&t, "    reconnect_timeout_s: 1\n");
    jutsu_db *a = conn_of(&t);
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), 0);
    int64_t took;
    struct jutsu_db_error e;
    int rc = exec_across_outage(&t, a, &took, &e);
    ck_assert_int_eq(rc, JUTSU_ETRANSIENT);
    ck_assert_msg(took >= 900 && took < (OUTAGE_S - 1) * 1000, "gave up after %lld ms, "
                  "not at the 1 s budget", (long long)took);
    ck_assert_msg(strstr(e.message, "reconnect_timeout_s (1 s)") != NULL, "message: %s",
                  e.message);
    ck_assert_msg(strstr(e.hint, "database.postgresql.reconnect_timeout_s") != NULL,
                  "hint: %s", e.hint);
    ck_assert_msg(e.detail[0] != '\0', "the last try's reason is missing");
    /* the server is back: the same connection works again */
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), 0);
    t.ops->disconnect(a);
    jutsu_app_free(t.app);
}
END_TEST

/* An old config's reconnect_attempts is still honoured, as a cap on the
 * tries within the budget, and the error says which setting stopped it. */
START_TEST(old_attempts_key_still_caps_the_tries)
{
    struct pgt t;
    pgt_open(&t, "    reconnect_attempts: 2\n");
    jutsu_db *a = conn_of(&t);
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), 0);
    int64_t took;
    struct jutsu_db_error e;
    int rc = exec_across_outage(&t, a, &took, &e);
    ck_assert_int_eq(rc, JUTSU_ETRANSIENT);
    ck_assert_msg(took < 2000, "2 tries took %lld ms", (long long)took);
    ck_assert_msg(strstr(e.message, "2 attempt(s)") && strstr(e.message, "reconnect_attempts: 2"),
                  "message: %s", e.message);
    ck_assert_msg(strstr(e.hint, "reconnect_timeout_s") != NULL, "hint: %s", e.hint);
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), 0);
    t.ops->disconnect(a);
    jutsu_app_free(t.app);
}
END_TEST

/* The pool closes a broken connection when it is given back; the next one
 * it opens, still within the outage, waits for the server as a lost
 * connection does, instead of failing the job's next step at once. */
START_TEST(new_connection_during_outage_waits)
{
    struct pgt t;
    pgt_open(&t, "    pool_size: 1\n");
    jutsu_db *a = conn_of(&t);
    ck_assert_int_eq(t.ops->begin(a), 0);
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), 0);
    pid_t pid = outage_begin();
    ck_assert_int_eq(t.ops->exec(a, "SELECT 1"), JUTSU_ETRANSIENT);
    t.ops->disconnect(a);   /* in the lost transaction: the pool closes it */
    int64_t t0 = now_ms();
    jutsu_db *b = NULL;
    int rc = t.ops->connect(t.state, &b);
    int64_t took = now_ms() - t0;
    outage_end(pid);
    ck_assert_msg(rc == 0, "a new connection %lld ms into a %d s outage failed: %s",
                  (long long)took, OUTAGE_S, jutsu_strerror(rc));
    ck_assert_int_eq(t.ops->exec(b, "SELECT 1"), 0);
    t.ops->disconnect(b);
    jutsu_app_free(t.app);
}
END_TEST

static Suite *outage_suite(void)
{
    Suite *s = suite_create("pg-outage");
    TCase *tc = tcase_create("reconnect budget");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, default_budget_rides_out_the_outage);
    tcase_add_test(tc, short_budget_fails_and_names_the_setting);
    tcase_add_test(tc, old_attempts_key_still_caps_the_tries);
    tcase_add_test(tc, new_connection_during_outage_waits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    static const char *const overrides[] = {
        "DATABASE_URL", "DATABASE_TYPE", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER",
        "POSTGRES_PASSWORD", "POSTGRES_DATABASE", NULL
    };
    for (int i = 0; needed[i]; i++) {
        const char *v = getenv(needed[i]);
        if (v == NULL || *v == '\0') {
            fprintf(stderr, "test_pg_outage: SKIPPED: %s is not set (start the test cluster: "
                    "eval \"$(scripts/pg-test-cluster.sh start)\")\n", needed[i]);
            return EXIT_SUCCESS;
        }
    }
    for (int i = 0; overrides[i]; i++)
        unsetenv(overrides[i]);   /* they would redirect the driver under test */
    jutsu_log_pin(JUTSU_LOG_INFO, JUTSU_LOG_TEXT);
    return tu_run(outage_suite());
}
