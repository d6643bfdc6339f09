/*
 * tests/unit/test_engine_jobs.c — jobs on request through the engine
 * (jutsu/engine.h job_start, job_get), the scheduler's pause as the engine
 * shows it, and the metrics after a run; both backends, on the sample data.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "base/metrics.h"
#include "bus/bus.h"
#include "engine/engine_int.h"
#include "sched/scheduler.h"
#include "store/data_api.h"
#include "testdb.h"

#define SEC INT64_C(1000000)

/* The events job.* seen, as compact JSON lines. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen[8][512];
static int nseen;

static void on_job(const jutsu_event *ev, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&seen_lock);
    if (nseen < 8)
        snprintf(seen[nseen++], sizeof(seen[0]), "%s %s", jutsu_event_topic(ev),
                 jutsu_event_json(ev));
    pthread_mutex_unlock(&seen_lock);
}

/* Waits (bounded) until `want` events job.* were delivered. */
static void await_seen(struct jutsu_app *app, int want)
{
    for (int k = 0; k < 6000; k++) {   /* a bound against a hang, not a timing check */
        ck_assert_int_eq(jutsu_bus_drain(app->bus, 10000), 0);
        pthread_mutex_lock(&seen_lock);
        int got = nseen;
        pthread_mutex_unlock(&seen_lock);
        if (got >= want)
            return;
        usleep(10000);
    }
    ck_abort_msg("fewer than %d job events arrived", want);
}

static int open_app(struct tdb *t, int i, jutsu_ctx *ctx)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y,
        "plugin_path: [\"%s\"]\n"
        "sync:\n  symbols: [QQQ, TLT]\n"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: s1, plugin: tp-strategy, initial_capital: \"100000\"}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR"), tu_source_dir()), 0);
    tdb_open_with(t, i, 1, y);
    free(y);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    /* after the close of 2026-05-14 (EDT) */
    tdb_set_clock(t, jutsu_date_to_time(tdb_ymd(2026, 5, 14)) + (21 * 3600 + 30 * 60) * SEC);
    tdb_sync(t);
    ck_assert_int_eq(jutsu_engine_attach(t->app), 0);
    memset(ctx, 0, sizeof(*ctx));
    ctx->app = t->app;
    nseen = 0;
    return 1;
}

static void close_app(struct tdb *t)
{
    jutsu_engine_detach(t->app);
    tdb_close(t);
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* Follows run `id` until it ends; its last answer. */
static json_object *wait_run(jutsu_ctx *ctx, const char *id)
{
    for (int k = 0; k < 6000; k++) {   /* a bound against a hang, not a timing check */
        json_object *o = NULL;
        ck_assert_int_eq(jutsu_engine_job_get(ctx, id, &o), 0);
        const char *st = str_of(o, "status");
        if (strcmp(st, "ok") == 0 || strcmp(st, "failed") == 0)
            return o;
        json_object_put(o);
        usleep(10000);
    }
    ck_abort_msg("run %s did not end", id);
    return NULL;
}

START_TEST(eod_on_request)
{
    struct tdb t;
    jutsu_ctx ctx;
    jutsu_sub_id sub;
    if (!open_app(&t, _i, &ctx))
        return;
    ck_assert_int_eq(jutsu_bus_subscribe(t.app->bus, "test", "job.*", on_job, NULL, &sub), 0);
    json_object *args = json_tokener_parse("{\"date\": \"2026-05-13\"}"), *o = NULL;
    ck_assert_int_eq(jutsu_engine_job_start(&ctx, "eod", args, "alice", &o), 0);
    ck_assert_str_eq(str_of(o, "status"), "queued");
    ck_assert_str_eq(str_of(o, "job"), "eod");
    char id[32];
    snprintf(id, sizeof(id), "%s", str_of(o, "id"));
    json_object_put(o);
    json_object_put(args);

    o = wait_run(&ctx, id);
    ck_assert_msg(strcmp(str_of(o, "status"), "ok") == 0, "%s", json_object_to_json_string(o));
    ck_assert_str_eq(str_of(o, "by"), "alice");
    ck_assert_ptr_nonnull(str_of(o, "finished_at"));
    json_object_put(o);

    struct jutsu_eod_status_row st;
    ck_assert_int_eq(jutsu_data_eod_status_get(t.s, jutsu_date_from_ymd(2026, 5, 13), &st), 0);
    ck_assert_str_eq(st.status, "completed");
    ck_assert_int_gt(tdb_count(&t, "daily_performance", NULL), 0);

    /* job.finished goes out after the run reads as ended: wait for it */
    await_seen(t.app, 2);
    pthread_mutex_lock(&seen_lock);
    ck_assert_int_eq(nseen, 2);
    ck_assert_msg(strncmp(seen[0], "job.started ", 12) == 0 && strstr(seen[0], id) &&
                  strstr(seen[0], "\"trigger\":\"api\"") && strstr(seen[0], "\"by\":\"alice\""),
                  "%s", seen[0]);
    ck_assert_msg(strncmp(seen[1], "job.finished ", 13) == 0 && strstr(seen[1], id) &&
                  strstr(seen[1], "\"status\":\"ok\"") && strstr(seen[1], "\"name\":\"eod\""),
                  "%s", seen[1]);
    pthread_mutex_unlock(&seen_lock);

    /* the metrics after the run: jobs, bus, sessions, EOD rows */
    ck_assert_int_ge(jutsu_metrics_value(NULL, "jutsu_job_runs_total",
                                         "job=\"eod\",status=\"ok\""), 1);
    struct jutsu_buf b = { 0 };
    ck_assert_int_eq(jutsu_engine_metrics_text(&ctx, &b), 0);
    ck_assert_ptr_nonnull(strstr(b.p, "jutsu_bus_events_published_total{topic=\"job.finished\"}"));
    ck_assert_ptr_nonnull(strstr(b.p, "jutsu_bus_events_delivered_total{topic=\"job.started\"}"));
    ck_assert_ptr_nonnull(strstr(b.p, "jutsu_job_duration_seconds_bucket{job=\"eod\","
                                      "status=\"ok\",le=\"+Inf\"}"));
    ck_assert_ptr_nonnull(strstr(b.p, "# TYPE jutsu_db_sessions_open gauge\n"));
    ck_assert_ptr_nonnull(strstr(b.p, "jutsu_eod_rows_total{entity_type=\"baseline\"}"));
    ck_assert_ptr_nonnull(strstr(b.p, "jutsu_sync_bars_total{source=\"sample\"}"));
    ck_assert_ptr_nonnull(strstr(b.p, "\nprocess_open_fds "));
    ck_assert_ptr_nonnull(strstr(b.p, "\nprocess_resident_memory_bytes "));
    jutsu_buf_free(&b);

    ck_assert_int_eq(jutsu_engine_job_get(&ctx, "r-999999999", &o), JUTSU_ENOENT);
    json_object_put(o);
    jutsu_bus_unsubscribe(t.app->bus, sub);
    close_app(&t);
}
END_TEST

/* The job's lock held elsewhere (here: by this test, as the scheduler or
 * another process would hold it): a start is refused at once, 409. */
START_TEST(busy_while_the_lock_is_held)
{
    struct tdb t;
    jutsu_ctx ctx;
    if (!open_app(&t, _i, &ctx))
        return;
    jutsu_job_lock *lk = NULL;
    int got = 0;
    ck_assert_int_eq(jutsu_sched_lock(t.app, "eod", &lk, &got), 0);
    ck_assert_int_eq(got, 1);
    json_object *o = NULL;
    ck_assert_int_eq(jutsu_engine_job_start(&ctx, "eod", NULL, "bob", &o), JUTSU_EBUSY);
    ck_assert_str_eq(str_of(o, "code"), "busy");
    json_object_put(o);
    jutsu_sched_unlock(lk);

    /* free again: it runs */
    ck_assert_int_eq(jutsu_engine_job_start(&ctx, "trade", NULL, "bob", &o), 0);
    char id[32];
    snprintf(id, sizeof(id), "%s", str_of(o, "id"));
    json_object_put(o);
    o = wait_run(&ctx, id);
    ck_assert_msg(strcmp(str_of(o, "status"), "ok") == 0, "%s", json_object_to_json_string(o));
    json_object_put(o);
    close_app(&t);
}
END_TEST

static void expect_bad(jutsu_ctx *ctx, const char *job, const char *args, int rc,
                       const char *names)
{
    json_object *a = args ? json_tokener_parse(args) : NULL, *o = NULL;
    ck_assert_int_eq(jutsu_engine_job_start(ctx, job, a, "x", &o), rc);
    const char *msg = str_of(o, "message");
    ck_assert_msg(msg && strstr(msg, names), "%s %s: %s", job, args, msg ? msg : "(none)");
    json_object_put(o);
    json_object_put(a);
}

START_TEST(bad_args_name_the_member)
{
    struct tdb t;
    jutsu_ctx ctx;
    if (!open_app(&t, _i, &ctx))
        return;
    expect_bad(&ctx, "eod", "{\"foo\": 1}", JUTSU_EINVAL, "args.foo");
    expect_bad(&ctx, "eod", "{\"date\": \"2026-02-30\"}", JUTSU_EINVAL, "args.date");
    expect_bad(&ctx, "eod", "{\"date\": \"2026-05-16\"}", JUTSU_EINVAL, "not a trading day");
    expect_bad(&ctx, "eod", "{\"strategy\": \"s1\"}", JUTSU_EINVAL, "args.strategy");
    expect_bad(&ctx, "trade", "{\"strategy\": \"nope\"}", JUTSU_EINVAL, "args.strategy");
    expect_bad(&ctx, "trade", "{\"symbols\": [\"QQQ\"]}", JUTSU_EINVAL, "args.symbols");
    expect_bad(&ctx, "sync", "{\"symbols\": \"QQQ\"}", JUTSU_EINVAL, "args.symbols");
    expect_bad(&ctx, "sync", "{\"symbols\": [\"QQQ\", \"no good\"]}", JUTSU_EINVAL,
               "args.symbols[1]");
    expect_bad(&ctx, "sync", "[1]", JUTSU_EINVAL, "args");
    expect_bad(&ctx, "prune", NULL, JUTSU_ENOENT, "prune");
    close_app(&t);
}
END_TEST

static json_object *job_of(json_object *sched, const char *name)
{
    json_object *jobs;
    ck_assert(json_object_object_get_ex(sched, "jobs", &jobs));
    for (size_t i = 0; i < json_object_array_length(jobs); i++) {
        json_object *j = json_object_array_get_idx(jobs, i);
        if (strcmp(str_of(j, "name"), name) == 0)
            return j;
    }
    ck_abort_msg("no job %s", name);
    return NULL;
}

START_TEST(scheduler_view_and_pause)
{
    struct tdb t;
    jutsu_ctx ctx;
    if (!open_app(&t, _i, &ctx))
        return;
    json_object *o = NULL, *v;
    ck_assert_int_eq(jutsu_engine_scheduler_pause(&ctx, "eod", 1, "alice", &o), 0);
    json_object_put(o);
    ck_assert_int_eq(jutsu_engine_scheduler_pause(&ctx, "nope", 1, "alice", &o), JUTSU_ENOENT);
    json_object_put(o);
    ck_assert_int_eq(jutsu_engine_scheduler(&ctx, &o), 0);
    ck_assert(json_object_object_get_ex(o, "running", &v) && !json_object_get_boolean(v));
    json_object *eod = job_of(o, "eod"), *sync = job_of(o, "sync");
    ck_assert(json_object_object_get_ex(eod, "paused", &v) && json_object_get_boolean(v));
    ck_assert_str_eq(str_of(eod, "paused_by"), "alice");
    ck_assert(json_object_object_get_ex(sync, "paused", &v) && !json_object_get_boolean(v));
    ck_assert(json_object_object_get_ex(eod, "next", &v));
    ck_assert_str_eq(str_of(eod, "at"), "16:15");
    json_object_put(o);
    ck_assert_int_eq(jutsu_engine_scheduler_pause(&ctx, "eod", 0, "alice", &o), 0);
    json_object_put(o);
    ck_assert_int_eq(jutsu_engine_scheduler(&ctx, &o), 0);
    ck_assert(json_object_object_get_ex(job_of(o, "eod"), "paused", &v) &&
              !json_object_get_boolean(v));
    json_object_put(o);
    close_app(&t);
}
END_TEST

static Suite *engine_jobs_suite(void)
{
    Suite *s = suite_create("engine_jobs");
    TCase *tc = tcase_create("jobs");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, eod_on_request, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, busy_while_the_lock_is_held, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, bad_args_name_the_member, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, scheduler_view_and_pause, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(engine_jobs_suite());
}
