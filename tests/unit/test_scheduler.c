/*
 * tests/unit/test_scheduler.c — the scheduler (core/sched/scheduler.h): slot
 * instants across DST and early closes, the due rule and the grace,
 * persistence across restarts, the election between processes sharing a
 * PostgreSQL database, and the worker thread with its events.
 *
 * Jobs here are test jobs that record their calls, so each assertion says
 * exactly what ran. The clock is injected: run_due/tick/start get `now`
 * explicitly and app->clock answers the same instant for code that asks.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "jobs/jobs.h"
#include "base/log.h"
#include "sched/scheduler.h"
#include "testdb.h"

/* --- test jobs that record their calls ------------------------------------ */

struct tjob {
    const char *name;
    int         fail;       /* return JUTSU_EPLUGIN with a reason        */
    int         sleep_ms;   /* to make two processes overlap             */
    int         audit;      /* append a data_audit_log row               */
};

static struct tjob spec_trading, spec_eod, spec_prune;

#define MAXCALLS 32
static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int          n;
    const char  *name[MAXCALLS];
    jutsu_date_t date[MAXCALLS];
    pthread_t    thread[MAXCALLS];
} calls;

static jutsu_time_t clock_value;

static jutsu_time_t fixed_clock(void *arg)
{
    (void)arg;
    return clock_value;
}

static void reset(void)
{
    pthread_mutex_lock(&calls_lock);
    memset(&calls, 0, sizeof(calls));
    pthread_mutex_unlock(&calls_lock);
    spec_trading = (struct tjob){ .name = "trading" };
    spec_eod = (struct tjob){ .name = "eod" };
    spec_prune = (struct tjob){ .name = "prune" };
}

static int tbody(struct jutsu_app *app, jutsu_date_t d, void *arg, char *err, size_t errsz)
{
    struct tjob *j = arg;
    pthread_mutex_lock(&calls_lock);
    if (calls.n < MAXCALLS) {
        calls.name[calls.n] = j->name;
        calls.date[calls.n] = d;
        calls.thread[calls.n] = pthread_self();
    }
    calls.n++;
    pthread_mutex_unlock(&calls_lock);
    if (j->sleep_ms) {
        struct timespec ts = { j->sleep_ms / 1000, (long)(j->sleep_ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (j->audit) {
        jutsu_dbs *s = NULL;
        struct jutsu_audit_row row = { .symbol = "SCHED", .timeframe = "1D",
                                       .operation = "update", .status = "success",
                                       .message = "scheduler test job" };
        int rc = jutsu_app_dbs_open(app, &s);
        if (rc == 0 && (rc = jutsu_data_audit_add(s, &row)) != 0)
            snprintf(err, errsz, "%s", jutsu_dbs_error(s));
        jutsu_dbs_close(s);
        if (rc != 0)
            return rc;
    }
    if (j->fail) {
        snprintf(err, errsz, "boom: %s refuses", j->name);
        return JUTSU_EPLUGIN;
    }
    return 0;
}

static int ncalls(void)
{
    pthread_mutex_lock(&calls_lock);
    int n = calls.n;
    pthread_mutex_unlock(&calls_lock);
    return n;
}

/* trading: no catch-up; eod: catch-up. Table order is run order. */
static const struct jutsu_sched_job market[] = {
    { "trading", tbody, &spec_trading, "15:55", "12:55", JUTSU_SCHED_TRADING_DAYS, 0 },
    { "eod",     tbody, &spec_eod,     "16:15", "13:15", JUTSU_SCHED_TRADING_DAYS, 1 },
};
static const struct jutsu_sched_job daily[] = {
    { "prune",   tbody, &spec_prune,   "02:30", NULL,    JUTSU_SCHED_EVERY_DAY,    1 },
};
#define NJOBS(t) (sizeof(t) / sizeof((t)[0]))

/* --- helpers ---------------------------------------------------------------- */

static jutsu_time_t T(const char *iso)
{
    jutsu_time_t t;
    ck_assert_msg(jutsu_time_parse(iso, -1, &t) == 0, "bad time %s", iso);
    return t;
}

/* An app with config only (no storage): enough for slot arithmetic. */
static struct jutsu_app *pure_app(const char *yaml, struct jutsu_diag *d)
{
    struct jutsu_app *app = NULL;
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    int rc = jutsu_app_load_config_string(app, "sched.yaml", yaml, d);
    if (rc != 0)
        jutsu_diag_print(d, stderr, "config: ");
    ck_assert_int_eq(rc, 0);
    return app;
}

static jutsu_sched *new_sched(struct jutsu_app *app, const struct jutsu_sched_job *jobs,
                              size_t n)
{
    struct jutsu_diag d;
    jutsu_sched *s = NULL;
    jutsu_diag_init(&d);
    int rc = jutsu_sched_new(app, jobs, n, &d, &s);
    if (rc != 0)
        jutsu_diag_print(&d, stderr, "scheduler: ");
    ck_assert_int_eq(rc, 0);
    jutsu_diag_free(&d);
    return s;
}

static void expect_next(jutsu_sched *s, const char *job, const char *after, const char *date,
                        const char *at)
{
    jutsu_date_t d;
    jutsu_time_t t;
    char got_d[JUTSU_DATE_BUFSZ], got_t[JUTSU_TIME_BUFSZ];
    ck_assert_int_eq(jutsu_sched_next(s, job, T(after), &d, &t), 0);
    jutsu_date_format(d, got_d);
    jutsu_time_format(t, got_t);
    ck_assert_msg(strcmp(got_d, date) == 0 && strcmp(got_t, at) == 0,
                  "%s after %s: got %s %s, want %s %s", job, after, got_d, got_t, date, at);
}

static int open_db(struct tdb *t, int i, const char *extra)
{
    reset();
    tdb_open_with(t, i, 1, extra);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    t->app->clock = fixed_clock;
    t->app->clock_arg = NULL;
    return 1;
}

/* Marks `job` as run on `date`, as another process (or an earlier run)
 * would have recorded it. */
static void seed(struct tdb *t, const char *job, const char *date)
{
    char key[64], value[128];
    snprintf(key, sizeof(key), "scheduler.%s", job);
    snprintf(value, sizeof(value), "{\"date\":\"%s\",\"status\":\"ok\"}", date);
    ck_assert_int_eq(jutsu_data_state_set(t->s, key, JUTSU_STATE_JSON, value), 0);
}

/* run_due at `now` (also the app's clock); returns the number of results. */
static size_t run_at(jutsu_sched *s, const char *now, int catch_up,
                     struct jutsu_slot_result *out, size_t max)
{
    size_t n = 99;
    clock_value = T(now);
    ck_assert_int_eq(jutsu_sched_run_due(s, clock_value, catch_up, out, max, &n), 0);
    return n;
}

static void expect_result(const struct jutsu_slot_result *r, const char *job, const char *date,
                          int outcome, int status)
{
    char d[JUTSU_DATE_BUFSZ];
    jutsu_date_format(r->date, d);
    ck_assert_msg(strcmp(r->job, job) == 0 && strcmp(d, date) == 0 && r->outcome == outcome &&
                  r->status == status, "got %s %s outcome %d status %d, want %s %s %d %d",
                  r->job, d, r->outcome, r->status, job, date, outcome, status);
}

static void expect_call(int i, const char *job, const char *date)
{
    char d[JUTSU_DATE_BUFSZ];
    pthread_mutex_lock(&calls_lock);
    ck_assert_int_lt(i, calls.n);
    jutsu_date_format(calls.date[i], d);
    ck_assert_msg(strcmp(calls.name[i], job) == 0 && strcmp(d, date) == 0,
                  "call %d: %s %s, want %s %s", i, calls.name[i], d, job, date);
    pthread_mutex_unlock(&calls_lock);
}

static void expect_record(jutsu_sched *s, const char *job, const char *date, const char *status,
                          const char *error)
{
    struct jutsu_sched_record r;
    char d[JUTSU_DATE_BUFSZ];
    ck_assert_int_eq(jutsu_sched_last(s, job, &r), 0);
    jutsu_date_format(r.date, d);
    ck_assert_str_eq(d, date);
    ck_assert_str_eq(r.status, status);
    ck_assert_str_eq(r.error, error);
}

/* --- slots: DST, weekends, holidays, early closes -------------------------- */

START_TEST(slots_follow_the_exchange)
{
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    reset();
    struct jutsu_app *app = pure_app("{}", &d);
    jutsu_sched *s = new_sched(app, market, NJOBS(market));
    /* EST then EDT (2024-03-10), over a weekend */
    expect_next(s, "eod", "2024-03-08T00:00:00Z", "2024-03-08", "2024-03-08T21:15:00Z");
    expect_next(s, "eod", "2024-03-08T21:15:00Z", "2024-03-11", "2024-03-11T20:15:00Z");
    /* EDT then EST (2024-11-03) */
    expect_next(s, "eod", "2024-11-01T00:00:00Z", "2024-11-01", "2024-11-01T20:15:00Z");
    expect_next(s, "eod", "2024-11-01T20:15:00Z", "2024-11-04", "2024-11-04T21:15:00Z");
    /* early closes: 13:15; Independence Day, Thanksgiving, Christmas closed */
    expect_next(s, "eod", "2024-07-03T00:00:00Z", "2024-07-03", "2024-07-03T17:15:00Z");
    expect_next(s, "eod", "2024-07-03T17:15:00Z", "2024-07-05", "2024-07-05T20:15:00Z");
    expect_next(s, "eod", "2024-11-27T21:15:00Z", "2024-11-29", "2024-11-29T18:15:00Z");
    expect_next(s, "eod", "2024-12-24T00:00:00Z", "2024-12-24", "2024-12-24T18:15:00Z");
    expect_next(s, "eod", "2024-12-24T18:15:00Z", "2024-12-26", "2024-12-26T21:15:00Z");
    expect_next(s, "trading", "2024-12-24T00:00:00Z", "2024-12-24", "2024-12-24T17:55:00Z");
    /* strictly after: the instant itself is not "next" */
    expect_next(s, "eod", "2024-03-08T21:14:59Z", "2024-03-08", "2024-03-08T21:15:00Z");
    ck_assert_int_eq(jutsu_sched_next(s, "nope", 0, &(jutsu_date_t){ 0 },
                                      &(jutsu_time_t){ 0 }), JUTSU_ENOENT);
    jutsu_sched_free(s);

    /* every day: 02:30 on the spring-forward day is in the gap: end of it */
    s = new_sched(app, daily, NJOBS(daily));
    expect_next(s, "prune", "2024-03-09T00:00:00Z", "2024-03-09", "2024-03-09T07:30:00Z");
    expect_next(s, "prune", "2024-03-09T07:30:00Z", "2024-03-10", "2024-03-10T07:30:00Z");
    expect_next(s, "prune", "2024-03-10T07:30:00Z", "2024-03-11", "2024-03-11T06:30:00Z");
    /* weekends and holidays too */
    expect_next(s, "prune", "2024-07-04T00:00:00Z", "2024-07-04", "2024-07-04T06:30:00Z");
    jutsu_sched_free(s);
    jutsu_app_free(app);

    /* 01:30 on the fall-back day exists twice: once, the first (EDT) */
    app = pure_app("scheduler:\n  jobs:\n    prune: {at: \"01:30\"}\n", &d);
    s = new_sched(app, daily, NJOBS(daily));
    expect_next(s, "prune", "2024-11-03T00:00:00Z", "2024-11-03", "2024-11-03T05:30:00Z");
    expect_next(s, "prune", "2024-11-03T05:30:00Z", "2024-11-04", "2024-11-04T06:30:00Z");
    jutsu_sched_free(s);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
}
END_TEST

/* Config moves times and turns jobs off; the real table is sane. */
START_TEST(config_overrides_the_table)
{
    struct jutsu_diag d;
    struct jutsu_sched_info info;
    jutsu_diag_init(&d);
    reset();
    struct jutsu_app *app = pure_app(
        "scheduler:\n  grace_minutes: 5\n  jobs:\n"
        "    eod: {at: \"16:30\"}\n"
        "    trading: {enabled: false}\n", &d);
    jutsu_sched *s = new_sched(app, market, NJOBS(market));
    ck_assert_int_eq(jutsu_sched_enabled(s), 1);
    ck_assert_int_eq(jutsu_sched_grace_minutes(s), 5);
    expect_next(s, "eod", "2024-03-08T00:00:00Z", "2024-03-08", "2024-03-08T21:30:00Z");
    /* the table's own early time stays */
    expect_next(s, "eod", "2024-07-03T00:00:00Z", "2024-07-03", "2024-07-03T17:15:00Z");
    ck_assert_int_eq(jutsu_sched_next(s, "trading", 0, &(jutsu_date_t){ 0 },
                                      &(jutsu_time_t){ 0 }), JUTSU_ENOENT);
    ck_assert_uint_eq(jutsu_sched_count(s), 2);
    ck_assert_int_eq(jutsu_sched_info(s, 1, &info), 0);
    ck_assert_str_eq(info.name, "eod");
    ck_assert_str_eq(info.at, "16:30");
    ck_assert_str_eq(info.early_close_at, "13:15");
    ck_assert_int_eq(jutsu_sched_info(s, 0, &info), 0);
    ck_assert_int_eq(info.enabled, 0);
    jutsu_sched_free(s);
    jutsu_app_free(app);

    /* defaults without any scheduler section: grace 30, all enabled */
    app = pure_app("{}", &d);
    size_t n;
    const struct jutsu_sched_job *jobs = jutsu_jobs(&n);
    s = new_sched(app, jobs, n);
    ck_assert_int_eq(jutsu_sched_grace_minutes(s), 30);
    expect_next(s, "sync", "2024-03-08T00:00:00Z", "2024-03-08", "2024-03-08T21:05:00Z");
    expect_next(s, "sync", "2024-07-03T00:00:00Z", "2024-07-03", "2024-07-03T17:05:00Z");
    expect_next(s, "prune", "2024-03-10T00:00:00Z", "2024-03-10", "2024-03-10T07:00:00Z");
    jutsu_sched_free(s);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
}
END_TEST

/* A bad time is refused with file:line:col, the key and the form. */
START_TEST(bad_time_is_a_config_error)
{
    static const char *const bad[] = { "25:00", "9:30", "16:5", "16:05:00", "ab:cd", "24:00",
                                       "12:60", "" };
    reset();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char yaml[256];
        struct jutsu_diag d;
        jutsu_sched *s = (jutsu_sched *)&d;   /* must come back NULL */
        jutsu_diag_init(&d);
        snprintf(yaml, sizeof(yaml), "scheduler:\n  jobs:\n    eod:\n      at: \"%s\"\n", bad[i]);
        struct jutsu_app *app = pure_app(yaml, &d);
        ck_assert_int_eq(jutsu_sched_new(app, market, NJOBS(market), &d, &s), JUTSU_ECONFIG);
        ck_assert_ptr_null(s);
        char want[128];
        snprintf(want, sizeof(want), "sched.yaml:4:11: scheduler.jobs.eod.at: \"%s\" is not a "
                 "time of day; write HH:MM", bad[i]);
        ck_assert_msg(jutsu_diag_has(&d, want), "%s: %s", bad[i],
                      jutsu_diag_count(&d) ? jutsu_diag_line(&d, 0) : "(no diag)");
        jutsu_diag_free(&d);
        jutsu_app_free(app);
    }
    /* early_close_at too, and a job of the schema this table lacks */
    struct jutsu_diag d;
    jutsu_sched *s = NULL;
    jutsu_diag_init(&d);
    struct jutsu_app *app = pure_app("scheduler:\n  jobs:\n    sync: {early_close_at: \"1pm\"}\n",
                                     &d);
    ck_assert_int_eq(jutsu_sched_new(app, market, NJOBS(market), &d, &s), JUTSU_ECONFIG);
    ck_assert(jutsu_diag_has(&d, "sched.yaml:3:28: scheduler.jobs.sync.early_close_at: \"1pm\""));
    jutsu_diag_free(&d);
    jutsu_app_free(app);

    /* a bad table is the programmer's error */
    static const struct jutsu_sched_job twice[] = {
        { "eod", tbody, &spec_eod, "16:15", NULL, JUTSU_SCHED_TRADING_DAYS, 1 },
        { "eod", tbody, &spec_eod, "16:15", NULL, JUTSU_SCHED_TRADING_DAYS, 1 },
    };
    jutsu_diag_init(&d);
    app = pure_app("{}", &d);
    ck_assert_int_eq(jutsu_sched_new(app, twice, 2, &d, &s), JUTSU_EINVAL);
    ck_assert(jutsu_diag_has(&d, "\"eod\" is declared twice"));
    jutsu_diag_free(&d);
    jutsu_app_free(app);
}
END_TEST

/* --- the due rule ----------------------------------------------------------- */

START_TEST(runs_within_grace_not_before)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-07");
    seed(&t, "eod", "2024-03-07");
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    /* a second before trading's 15:55 EST */
    ck_assert_uint_eq(run_at(s, "2024-03-08T20:54:59Z", 0, r, 4), 0);
    ck_assert_int_eq(ncalls(), 0);
    /* 10 min late, within the 30-min grace: runs */
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:05:00Z", 0, r, 4), 1);
    expect_result(&r[0], "trading", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 1);
    expect_call(0, "trading", "2024-03-08");
    /* the same instant again: nothing */
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:05:00Z", 0, r, 4), 0);
    /* eod 29 min late: still within the grace */
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:44:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 2);
    expect_record(s, "eod", "2024-03-08", "ok", "");
    /* the record as stored */
    int type;
    const char *v;
    ck_assert_int_eq(jutsu_data_state_get(t.s, "scheduler.eod", &type, &v), 0);
    ck_assert_int_eq(type, JUTSU_STATE_JSON);
    ck_assert_msg(strstr(v, "\"date\":\"2024-03-08\"") && strstr(v, "\"at\":\"2024-03-08T21:15:00Z\"")
                  && strstr(v, "\"status\":\"ok\"") && strstr(v, "\"finished_at\":\"2024-03-08T21:44:00Z\"")
                  && !strstr(v, "error"), "%s", v);
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

START_TEST(beyond_grace_skip_or_catch_up)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-07");
    seed(&t, "eod", "2024-03-07");
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    /* trading 51 min late: skipped; eod 31 min late: a catch-up job, runs */
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:46:00Z", 0, r, 4), 2);
    expect_result(&r[0], "trading", "2024-03-08", JUTSU_SLOT_SKIPPED, 0);
    expect_result(&r[1], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 1);
    expect_call(0, "eod", "2024-03-08");
    expect_record(s, "trading", "2024-03-08", "skipped", "");
    /* neither again, later the same day */
    ck_assert_uint_eq(run_at(s, "2024-03-08T23:00:00Z", 0, r, 4), 0);
    ck_assert_int_eq(ncalls(), 1);
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

START_TEST(missed_days_run_once)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-05");
    seed(&t, "eod", "2024-03-05");
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    /* Wed, Thu, Fri missed; Saturday now: only Friday's slots count */
    ck_assert_uint_eq(run_at(s, "2024-03-09T15:00:00Z", 1, r, 4), 2);
    expect_result(&r[0], "trading", "2024-03-08", JUTSU_SLOT_SKIPPED, 0);
    expect_result(&r[1], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 1);
    expect_call(0, "eod", "2024-03-08");
    ck_assert_uint_eq(run_at(s, "2024-03-10T15:00:00Z", 1, r, 4), 0);
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* --- persistence ------------------------------------------------------------- */

START_TEST(restart_neither_repeats_nor_skips)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-07");
    seed(&t, "eod", "2024-03-07");
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:00:00Z", 0, r, 4), 1);
    expect_result(&r[0], "trading", "2024-03-08", JUTSU_SLOT_RAN, 0);
    jutsu_sched_free(s);   /* the process stops before eod's slot */

    /* a new process at the same instant repeats nothing */
    s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:00:00Z", 0, r, 4), 0);
    jutsu_sched_free(s);
    /* after eod's slot: eod (never recorded) runs, trading does not */
    s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:20:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 2);
    expect_call(0, "trading", "2024-03-08");
    expect_call(1, "eod", "2024-03-08");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

START_TEST(failure_is_recorded_not_retried)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-08");
    spec_eod.fail = 1;
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:16:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_RAN, JUTSU_EPLUGIN);
    ck_assert_str_eq(r[0].error, "boom: eod refuses");
    expect_record(s, "eod", "2024-03-08", "failed", "boom: eod refuses");
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:30:00Z", 0, r, 4), 0);
    jutsu_sched_free(s);
    /* nor after a restart */
    s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:30:00Z", 1, r, 4), 0);
    ck_assert_int_eq(ncalls(), 1);
    /* the next trading day's slot runs as usual */
    spec_eod.fail = 0;
    ck_assert_uint_eq(run_at(s, "2024-03-11T20:15:00Z", 0, r, 4), 2);
    expect_result(&r[1], "eod", "2024-03-11", JUTSU_SLOT_RAN, 0);
    expect_record(s, "eod", "2024-03-11", "ok", "");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

START_TEST(disabled_job_and_scheduler)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, "scheduler:\n  jobs:\n    trading: {enabled: false}\n"))
        return;
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:20:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 1);
    ck_assert_int_eq(tdb_count(&t, "system_state", "key = 'scheduler.trading'"), 0);
    jutsu_sched_free(s);
    tdb_close(&t);

    if (!open_db(&t, _i, "scheduler:\n  enabled: false\n"))
        return;
    s = new_sched(t.app, market, NJOBS(market));
    ck_assert_int_eq(jutsu_sched_enabled(s), 0);
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:20:00Z", 1, r, 4), 0);
    ck_assert_int_eq(jutsu_sched_start(s, T("2024-03-08T21:20:00Z")), 0);
    ck_assert_int_eq(jutsu_sched_tick(s, T("2024-03-08T21:21:00Z")), 0);
    jutsu_sched_stop(s);
    ck_assert_int_eq(ncalls(), 0);
    ck_assert_int_eq(tdb_count(&t, "system_state", "key LIKE 'scheduler.%'"), 0);
    /* its times are still known (status shows them) */
    expect_next(s, "eod", "2024-03-08T00:00:00Z", "2024-03-08", "2024-03-08T21:15:00Z");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* A record that is not the scheduler's is taken as absent, then rewritten. */
START_TEST(unreadable_record_is_rewritten)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-08");
    ck_assert_int_eq(jutsu_data_state_set(t.s, "scheduler.eod", JUTSU_STATE_STRING, "yesterday"),
                     0);
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    struct jutsu_sched_record rec;
    ck_assert_int_eq(jutsu_sched_last(s, "eod", &rec), JUTSU_EMALFORMED);
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:20:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    expect_record(s, "eod", "2024-03-08", "ok", "");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* --- election ------------------------------------------------------------------- */

/* Another holder of the job's lock (another process on PostgreSQL, or
 * another thread of this one, like a run started over the API): the slot
 * is BUSY on both backends and runs once the lock is free. */
START_TEST(lock_held_elsewhere)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    /* stable across builds and machines: FNV-1a 64 of "jutsu.job.eod" */
    ck_assert_int_eq(jutsu_sched_lock_key("eod"), INT64_C(-6683426682581728865));
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-08");
    jutsu_job_lock *held = NULL;
    int got = 0;
    ck_assert_int_eq(jutsu_sched_lock(t.app, "eod", &held, &got), 0);
    ck_assert_int_eq(got, 1);
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:20:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_BUSY, 0);
    ck_assert_int_eq(ncalls(), 0);
    jutsu_job_lock *second = (jutsu_job_lock *)&got;
    ck_assert_int_eq(jutsu_sched_lock(t.app, "eod", &second, &got), 0);
    ck_assert_int_eq(got, 0);
    ck_assert_ptr_null(second);
    /* another job's lock is another lock */
    ck_assert_int_eq(jutsu_sched_lock(t.app, "sync", &second, &got), 0);
    ck_assert_int_eq(got, 1);
    jutsu_sched_unlock(second);
    jutsu_sched_unlock(held);
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:21:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 1);
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* A paused job's due slot is recorded skipped ("paused") and not run;
 * resumed, its next slot runs. */
START_TEST(paused_job_skips_its_slot)
{
    struct tdb t;
    struct jutsu_slot_result r[4];
    struct jutsu_sched_record rec;
    if (!open_db(&t, _i, NULL))
        return;
    seed(&t, "trading", "2024-03-08");
    seed(&t, "eod", "2024-03-07");
    int paused = -1;
    char by[32];
    ck_assert_int_eq(jutsu_sched_paused(t.app, "eod", &paused, by, sizeof(by), NULL), 0);
    ck_assert_int_eq(paused, 0);
    ck_assert_int_eq(jutsu_sched_set_paused(t.app, "eod", 1, "alice"), 0);
    ck_assert_int_eq(jutsu_sched_paused(t.app, "eod", &paused, by, sizeof(by), NULL), 0);
    ck_assert_int_eq(paused, 1);
    ck_assert_str_eq(by, "alice");
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:20:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-08", JUTSU_SLOT_SKIPPED, 0);
    ck_assert_int_eq(ncalls(), 0);
    ck_assert_int_eq(jutsu_sched_last(s, "eod", &rec), 0);
    ck_assert_str_eq(rec.status, "skipped");
    ck_assert_str_eq(rec.reason, "paused");
    /* resumed: the skipped slot stays skipped, the next one runs */
    ck_assert_int_eq(jutsu_sched_set_paused(t.app, "eod", 0, "alice"), 0);
    ck_assert_uint_eq(run_at(s, "2024-03-08T21:30:00Z", 0, r, 4), 0);
    ck_assert_int_eq(ncalls(), 0);
    seed(&t, "trading", "2024-03-11");
    ck_assert_uint_eq(run_at(s, "2024-03-11T20:20:00Z", 0, r, 4), 1);
    expect_result(&r[0], "eod", "2024-03-11", JUTSU_SLOT_RAN, 0);
    ck_assert_int_eq(ncalls(), 1);
    expect_call(0, "eod", "2024-03-11");
    ck_assert_int_eq(jutsu_sched_last(s, "eod", &rec), 0);
    ck_assert_str_eq(rec.status, "ok");
    ck_assert_str_eq(rec.reason, "");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

static const struct jutsu_sched_job eod_only[] = {
    { "eod", tbody, &spec_eod, "16:15", "13:15", JUTSU_SCHED_TRADING_DAYS, 1 },
};

#define FORK_NOW "2024-03-08T21:20:00Z"

/* One of the two processes: its own app and scheduler on the shared
 * database; ready, wait for go, run_due, report the outcome. No Check
 * asserts here: this is a forked copy of the test runner. */
static void child(const char *yaml, int ready_fd, int go_fd, int res_fd)
{
    struct jutsu_app *app = NULL;
    jutsu_sched *s = NULL;
    struct jutsu_diag d;
    int out = -1;
    char c = 'r';
    jutsu_diag_init(&d);
    if (jutsu_app_new(&app) == 0 && jutsu_app_load_config_string(app, "child.yaml", yaml, &d) == 0
        && jutsu_app_load_plugins(app, &d) == 0 && jutsu_app_start(app) == 0) {
        app->clock = fixed_clock;
        if (jutsu_sched_new(app, eod_only, 1, &d, &s) != 0)
            s = NULL;
    }
    if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1)
        out = -2;
    else if (s) {
        struct jutsu_slot_result r[2];
        size_t n = 0;
        int rc = jutsu_sched_run_due(s, clock_value, 0, r, 2, &n);
        out = rc != 0 ? 1000 - rc : n == 1 ? r[0].outcome : 100 + (int)n;
    }
    if (write(res_fd, &out, sizeof(out)) != (ssize_t)sizeof(out))
        out = -3;
    jutsu_sched_free(s);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    _exit(out == -3 ? 3 : 0);
}

static struct jutsu_app *start_on(const char *yaml)
{
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    ck_assert_int_eq(jutsu_app_load_config_string(app, "parent.yaml", yaml, &d), 0);
    ck_assert_int_eq(jutsu_app_load_plugins(app, &d), 0);
    ck_assert_int_eq(jutsu_app_start(app), 0);
    jutsu_diag_free(&d);
    return app;
}

/* Two processes on one PostgreSQL database, the same slot at the same
 * instant: exactly one runs it. SQLite is left out on purpose: a SQLite
 * file belongs to one process (its driver grants every lock, see
 * plugins/storage-sqlite/sqlite_txn.c), so two processes on one file is
 * not a supported set-up and both would run. */
START_TEST(two_processes_one_runner)
{
    struct tdb t;
    if (_i == 0)
        return;
    if (!open_db(&t, _i, NULL))
        return;
    spec_eod.sleep_ms = 300;   /* long enough for the other to arrive meanwhile */
    spec_eod.audit = 1;
    clock_value = T(FORK_NOW);
    char *yaml = tdb_yaml(1, t.dir, t.pgdb);
    /* fork with no thread of ours running: the parent's app goes (its
     * bus thread and pool), the database stays */
    jutsu_dbs_close(t.s);
    t.s = NULL;
    jutsu_app_free(t.app);
    t.app = NULL;
    int ready[2], go[2], res[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(res), 0);
    pid_t kid[2];
    for (int k = 0; k < 2; k++) {
        kid[k] = fork();
        ck_assert_int_ge(kid[k], 0);
        if (kid[k] == 0)
            child(yaml, ready[1], go[0], res[1]);
    }
    char buf[2];
    ck_assert_int_eq(read(ready[0], buf, 1), 1);
    ck_assert_int_eq(read(ready[0], buf + 1, 1), 1);
    ck_assert_int_eq(write(go[1], "gg", 2), 2);
    int out[2];
    for (int k = 0; k < 2; k++)
        ck_assert_int_eq(read(res[0], &out[k], sizeof(out[k])), (ssize_t)sizeof(out[k]));
    for (int k = 0; k < 2; k++) {
        int st;
        ck_assert_int_eq(waitpid(kid[k], &st, 0), kid[k]);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d: status %d", k, st);
    }
    for (int k = 0; k < 6; k++)
        close(k < 2 ? ready[k] : k < 4 ? go[k - 2] : res[k - 4]);
    int ran = (out[0] == JUTSU_SLOT_RAN) + (out[1] == JUTSU_SLOT_RAN);
    int other = out[0] == JUTSU_SLOT_RAN ? out[1] : out[0];
    /* the other met the lock (BUSY), the record under it (DONE), or, when
     * it looked only after the first had finished, no slot due (100) */
    ck_assert_msg(ran == 1 && (other == JUTSU_SLOT_BUSY || other == JUTSU_SLOT_DONE ||
                               other == 100),
                  "outcomes %d and %d: want one RAN (0) and one BUSY (2), DONE (3) or nothing "
                  "due (100)", out[0], out[1]);

    t.app = start_on(yaml);
    free(yaml);
    ck_assert_int_eq(jutsu_app_dbs_open(t.app, &t.s), 0);
    ck_assert_int_eq(tdb_count(&t, "data_audit_log", "symbol = 'SCHED'"), 1);
    t.app->clock = fixed_clock;
    jutsu_sched *s = new_sched(t.app, eod_only, 1);
    expect_record(s, "eod", "2024-03-08", "ok", "");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* --- the worker ---------------------------------------------------------------- */

#define MAXEV 16
struct seen {
    pthread_mutex_t m;
    int  n, finished;
    char topic[MAXEV][32], name[MAXEV][16], date[MAXEV][16], status[MAXEV][16];
    int  has_ms[MAXEV];
};

static void on_job(const jutsu_event *ev, void *arg)
{
    struct seen *w = arg;
    json_object *p = jutsu_event_payload(ev), *v;
    pthread_mutex_lock(&w->m);
    if (w->n < MAXEV) {
        int i = w->n;
        snprintf(w->topic[i], sizeof(w->topic[i]), "%s", jutsu_event_topic(ev));
        if (json_object_object_get_ex(p, "name", &v))
            snprintf(w->name[i], sizeof(w->name[i]), "%s", json_object_get_string(v));
        if (json_object_object_get_ex(p, "trading_date", &v))
            snprintf(w->date[i], sizeof(w->date[i]), "%s", json_object_get_string(v));
        if (json_object_object_get_ex(p, "status", &v))
            snprintf(w->status[i], sizeof(w->status[i]), "%s", json_object_get_string(v));
        w->has_ms[i] = json_object_object_get_ex(p, "duration_ms", &v) &&
                       json_object_is_type(v, json_type_int);
    }
    w->n++;
    if (strcmp(jutsu_event_topic(ev), "job.finished") == 0)
        w->finished++;
    pthread_mutex_unlock(&w->m);
}

/* Waits (bounded) until `want` job.finished events were delivered,
 * ticking at `tick` (if not 0) meanwhile: a tick does not queue a job
 * that is queued or running, nor one whose slot was handled, so repeating
 * it is harmless and makes the test independent of when the worker
 * becomes idle. */
static void await_finished(struct jutsu_app *app, jutsu_sched *s, struct seen *w, int want,
                           jutsu_time_t tick)
{
    for (int tries = 0; tries < 6000; tries++) {
        if (tick)
            ck_assert_int_eq(jutsu_sched_tick(s, tick), 0);
        ck_assert_int_eq(jutsu_bus_drain(app->bus, 10000), 0);
        pthread_mutex_lock(&w->m);
        int got = w->finished;
        pthread_mutex_unlock(&w->m);
        if (got >= want)
            return;
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    ck_abort_msg("the worker did not finish %d job(s)", want);
}

static void expect_event(struct seen *w, int i, const char *topic, const char *name,
                         const char *status)
{
    ck_assert_int_lt(i, w->n);
    ck_assert_str_eq(w->topic[i], topic);
    ck_assert_str_eq(w->name[i], name);
    ck_assert_str_eq(w->date[i], "2024-03-08");
    if (status) {
        ck_assert_str_eq(w->status[i], status);
        ck_assert_int_eq(w->has_ms[i], 1);
    }
}

START_TEST(worker_runs_and_publishes)
{
    struct tdb t;
    struct seen w = { .n = 0 };
    jutsu_sub_id id;
    if (!open_db(&t, _i, NULL))
        return;
    pthread_mutex_init(&w.m, NULL);
    ck_assert_int_eq(jutsu_bus_subscribe(t.app->bus, "test", "job.*", on_job, &w, &id), 0);
    seed(&t, "trading", "2024-03-07");
    seed(&t, "eod", "2024-03-07");
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    ck_assert_int_eq(jutsu_sched_tick(s, T("2024-03-08T21:46:00Z")), JUTSU_ESTATE);

    /* start: trading is beyond its grace (skipped), eod catches up */
    clock_value = T("2024-03-08T21:46:00Z");
    ck_assert_int_eq(jutsu_sched_start(s, clock_value), 0);
    ck_assert_int_eq(jutsu_sched_start(s, clock_value), JUTSU_ESTATE);
    await_finished(t.app, s, &w, 2, 0);
    ck_assert_int_eq(ncalls(), 1);
    expect_call(0, "eod", "2024-03-08");
    pthread_mutex_lock(&calls_lock);
    ck_assert(!pthread_equal(calls.thread[0], pthread_self()));
    pthread_mutex_unlock(&calls_lock);
    pthread_mutex_lock(&w.m);
    ck_assert_int_eq(w.n, 3);
    expect_event(&w, 0, "job.finished", "trading", "skipped");
    expect_event(&w, 1, "job.started", "eod", NULL);
    expect_event(&w, 2, "job.finished", "eod", "ok");
    pthread_mutex_unlock(&w.m);

    /* ticks: Monday 15:56 EDT is trading's slot only, 16:16 eod's */
    await_finished(t.app, s, &w, 3, T("2024-03-11T19:56:00Z"));
    await_finished(t.app, s, &w, 4, T("2024-03-11T20:16:00Z"));
    jutsu_sched_stop(s);
    jutsu_sched_stop(s);   /* idempotent */
    ck_assert_int_eq(ncalls(), 3);
    expect_call(1, "trading", "2024-03-11");
    expect_call(2, "eod", "2024-03-11");
    expect_record(s, "trading", "2024-03-11", "ok", "");
    expect_record(s, "eod", "2024-03-11", "ok", "");
    jutsu_sched_free(s);
    jutsu_bus_unsubscribe(t.app->bus, id);
    pthread_mutex_destroy(&w.m);
    tdb_close(&t);
}
END_TEST

/* stop() lets the running job finish and drops what is queued. */
START_TEST(stop_drops_the_queue)
{
    struct tdb t;
    if (!open_db(&t, _i, NULL))
        return;
    spec_trading.sleep_ms = 1000;   /* the stop must land inside it, even on a loaded machine */
    jutsu_sched *s = new_sched(t.app, market, NJOBS(market));
    clock_value = T("2024-03-08T21:20:00Z");
    ck_assert_int_eq(jutsu_sched_start(s, clock_value), 0);
    /* wait until trading has started, then stop while it sleeps */
    for (int tries = 0; tries < 6000 && ncalls() == 0; tries++) {
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    ck_assert_int_eq(ncalls(), 1);
    jutsu_sched_stop(s);
    /* trading finished and was recorded; eod was dropped, never run */
    ck_assert_int_eq(ncalls(), 1);
    expect_record(s, "trading", "2024-03-08", "ok", "");
    struct jutsu_sched_record rec;
    ck_assert_int_eq(jutsu_sched_last(s, "eod", &rec), JUTSU_ENOENT);
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* --- the real jobs -------------------------------------------------------------- */

START_TEST(real_jobs_run)
{
    struct tdb t;
    struct jutsu_slot_result r[5];
    if (!open_db(&t, _i, NULL))
        return;
    size_t n;
    const struct jutsu_sched_job *jobs = jutsu_jobs(&n);
    jutsu_sched *s = new_sched(t.app, jobs, n);
    /* no sync.symbols: sync has nothing to do and succeeds; no strategy
     * has paper_since, so the paper job neither; the EOD job finds no QQQ
     * bar for its default baseline, so the day is partial and the slot
     * failed, saying why; prune prunes */
    ck_assert_uint_eq(run_at(s, "2024-03-10T08:00:00Z", 1, r, 5), 5);
    /* trading's slot was days ago and it never runs late: skipped */
    expect_result(&r[0], "trading", "2024-03-08", JUTSU_SLOT_SKIPPED, 0);
    expect_result(&r[1], "sync", "2024-03-08", JUTSU_SLOT_RAN, 0);
    expect_result(&r[2], "paper", "2024-03-08", JUTSU_SLOT_RAN, 0);
    expect_result(&r[3], "eod", "2024-03-08", JUTSU_SLOT_RAN, JUTSU_EPLUGIN);
    expect_result(&r[4], "prune", "2024-03-10", JUTSU_SLOT_RAN, 0);
    struct jutsu_sched_record rec;
    ck_assert_int_eq(jutsu_sched_last(s, "eod", &rec), 0);
    ck_assert_str_eq(rec.status, "failed");
    ck_assert_msg(strstr(rec.error, "8 of 8 days not complete; first 2024-02-28, partial: "
                                    "baseline QQQ: no valid QQQ bar") != NULL, "%s", rec.error);
    expect_record(s, "prune", "2024-03-10", "ok", "");
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

/* The bundled data ends on 2026-05-13. The EOD slot of a week later finds
 * only days that wait for data: the slot is ok (recorded so, with no
 * error), nothing is logged as an error, and the days stay for the next
 * slot's run to finalise (they have no status row). */
START_TEST(eod_waiting_for_data_is_ok)
{
    struct tdb t;
    struct jutsu_slot_result r[5];
    char *yaml = NULL;
    ck_assert_int_gt(asprintf(&yaml, "sync: {symbols: [QQQ], sources: [sample]}\n"
                              "plugins:\n  - {name: sample, plugin: source-csv, "
                              "config: {path: \"%s/conf/sample-data\"}}\n", tu_source_dir()), 0);
    int opened = open_db(&t, _i, yaml);
    free(yaml);
    if (!opened)
        return;
    clock_value = T("2026-05-20T23:00:00Z");
    tdb_sync(&t);
    size_t n;
    const struct jutsu_sched_job *jobs = jutsu_jobs(&n);
    jutsu_sched *s = new_sched(t.app, jobs, n);
    unsigned long errors = jutsu_log_count(JUTSU_LOG_ERROR);
    ck_assert_uint_eq(run_at(s, "2026-05-20T23:00:00Z", 1, r, 5), 5);
    expect_result(&r[3], "eod", "2026-05-20", JUTSU_SLOT_RAN, 0);
    expect_record(s, "eod", "2026-05-20", "ok", "");
    ck_assert_uint_eq(jutsu_log_count(JUTSU_LOG_ERROR), errors);
    struct jutsu_eod_status_row st;
    ck_assert_int_eq(jutsu_data_eod_status_get(t.s, jutsu_date_from_ymd(2026, 5, 20), &st),
                     JUTSU_ENOENT);
    jutsu_sched_free(s);
    tdb_close(&t);
}
END_TEST

static Suite *scheduler_suite(void)
{
    Suite *s = suite_create("scheduler");
    TCase *pure = tcase_create("slots");
    tcase_add_test(pure, slots_follow_the_exchange);
    tcase_add_test(pure, config_overrides_the_table);
    tcase_add_test(pure, bad_time_is_a_config_error);
    suite_add_tcase(s, pure);

    TCase *db = tcase_create("database");
    tcase_set_timeout(db, 120);
    tcase_add_loop_test(db, runs_within_grace_not_before, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, beyond_grace_skip_or_catch_up, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, missed_days_run_once, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, restart_neither_repeats_nor_skips, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, failure_is_recorded_not_retried, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, disabled_job_and_scheduler, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, unreadable_record_is_rewritten, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, lock_held_elsewhere, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, paused_job_skips_its_slot, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, two_processes_one_runner, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, worker_runs_and_publishes, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, stop_drops_the_queue, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, real_jobs_run, 0, TDB_BACKENDS);
    tcase_add_loop_test(db, eod_waiting_for_data_is_ok, 0, TDB_BACKENDS);
    suite_add_tcase(s, db);
    return s;
}

int main(void)
{
    jutsu_log_pin(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(scheduler_suite());
}
