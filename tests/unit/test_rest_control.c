/*
 * tests/unit/test_rest_control.c — the REST API's write side over real HTTP
 * on loopback, on SQLite and on PostgreSQL, on the rest_fx database: jobs
 * started over the API (202, followed to the end, 409 while the job's lock
 * is held, eod.finalized seen by an SSE client), overrides set and removed
 * through the CLI's rules, the scheduler paused and resumed, backtests, and
 * the answer cache after another process (the real `jutsu` binary) rewrote
 * a past day.
 *
 * Nothing is measured by time: every wait is "until it is there", bounded
 * by a deadline that only a hang reaches.
 */
#include <arpa/inet.h>
#include <check.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sched/scheduler.h"
#include "store/data_api.h"
#include "rest_fx.h"
#include "testutil.h"

#define DEADLINE_S 60

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *mstr(json_object *o, const char *key)
{
    json_object *v = member(o, key);
    return v ? json_object_get_string(v) : "";
}

/* Follows GET /api/jobs/{id} until the run ends; its final status. */
static void follow(struct rfx *x, const char *id, char *status, size_t n)
{
    char path[128];
    struct hres r;
    snprintf(path, sizeof(path), "/api/jobs/%s", id);
    for (time_t end = time(NULL) + DEADLINE_S; time(NULL) < end;) {
        hfx_req(&x->h, "GET", path, x->viewer, NULL, NULL, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        snprintf(status, n, "%s", hres_str(&r, "status"));
        hres_free(&r);
        if (strcmp(status, "ok") == 0 || strcmp(status, "failed") == 0)
            return;
        usleep(20 * 1000);
    }
    ck_abort_msg("run %s did not end within %d s", id, DEADLINE_S);
}

/* --- a raw SSE reader ---------------------------------------------------- */

static int sse_open(struct rfx *x, const char *path)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)x->h.port) };
    char req[3072];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n",
                     path, x->admin);
    ck_assert_int_eq(write(fd, req, (size_t)n), n);
    return fd;
}

/* Reads until `needle` has arrived; 1 if it did before the deadline. */
static int sse_wait(int fd, const char *needle, char *seen, size_t seensz)
{
    size_t len = strlen(seen);
    for (time_t end = time(NULL) + DEADLINE_S; time(NULL) < end;) {
        if (strstr(seen, needle))
            return 1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t got = read(fd, seen + len, seensz - len - 1);
        if (got <= 0)
            return 0;
        len += (size_t)got;
        seen[len] = '\0';
        if (len + 1 >= seensz)   /* keep the tail: the needle may still come */
            len = 0;
    }
    return strstr(seen, needle) != NULL;
}

START_TEST(t_eod_over_api_and_sse)
{
    struct rfx x;
    struct hres r;
    char status[16], body[128], id[64];
    static char seen[1 << 16];
    rfx_open(&x, _i, "");
    if (x.h.t.skipped) {
        rfx_close(&x);
        return;
    }
    seen[0] = '\0';
    int fd = sse_open(&x, "/api/events?topics=eod.finalized");
    ck_assert(sse_wait(fd, "text/event-stream", seen, sizeof(seen)));
    snprintf(body, sizeof(body), "{\"date\":\"%s\"}", RFX_LAST);
    hfx_req(&x.h, "POST", "/api/control/eod", x.admin, body, NULL, &r);
    ck_assert_msg(r.status == 202, "%ld %s", r.status, r.body);
    snprintf(id, sizeof(id), "%s", hres_str(&r, "id"));
    ck_assert_str_eq(hres_str(&r, "status"), "queued");
    ck_assert_ptr_nonnull(strstr(r.body, "/api/jobs/"));
    hres_free(&r);
    follow(&x, id, status, sizeof(status));
    ck_assert_str_eq(status, "ok");
    ck_assert_msg(sse_wait(fd, "event: eod.finalized", seen, sizeof(seen)), "stream: %s", seen);
    ck_assert_ptr_nonnull(strstr(seen, RFX_LAST));
    close(fd);
    /* a body that names what is wrong */
    hfx_req(&x.h, "POST", "/api/control/eod", x.admin, "{\"date\":\"2024-02-30\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "date"));
    hres_free(&r);
    hfx_req(&x.h, "POST", "/api/control/trade", x.admin, "{\"strategy\":\"nope\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "strategy"));
    hres_free(&r);
    hfx_req(&x.h, "GET", "/api/jobs/r-999999", x.viewer, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    hres_free(&r);
    rfx_close(&x);
}
END_TEST

START_TEST(t_busy_while_locked)
{
    struct rfx x;
    struct hres r;
    char status[16], id[64];
    rfx_open(&x, _i, "");
    if (x.h.t.skipped) {
        rfx_close(&x);
        return;
    }
    jutsu_job_lock *lock = NULL;
    int got = 0;
    ck_assert_int_eq(jutsu_sched_lock(x.h.t.app, "eod", &lock, &got), 0);
    ck_assert_int_eq(got, 1);
    hfx_req(&x.h, "POST", "/api/control/eod", x.admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
    ck_assert_str_eq(hres_code(&r), "busy");
    hres_free(&r);
    jutsu_sched_unlock(lock);
    hfx_req(&x.h, "POST", "/api/control/eod", x.admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 202, "%ld %s", r.status, r.body);
    snprintf(id, sizeof(id), "%s", hres_str(&r, "id"));
    hres_free(&r);
    follow(&x, id, status, sizeof(status));
    rfx_close(&x);
}
END_TEST

/* The parameter `name` of GET /api/strategies/v3_5b's answer. */
static json_object *param_of(json_object *strategy, const char *name)
{
    json_object *ps = member(strategy, "parameters");
    ck_assert_ptr_nonnull(ps);
    for (size_t i = 0; i < json_object_array_length(ps); i++) {
        json_object *p = json_object_array_get_idx(ps, i);
        if (strcmp(mstr(p, "name"), name) == 0)
            return p;
    }
    ck_abort_msg("no parameter %s", name);
    return NULL;
}

START_TEST(t_overrides)
{
    struct rfx x;
    struct hres r;
    rfx_open(&x, _i, "");
    if (x.h.t.skipped) {
        rfx_close(&x);
        return;
    }
    hfx_req(&x.h, "PUT", "/api/config/v3_5b/upper_z", x.admin,
            "{\"value\": 1.1, \"reason\": \"calmer regime\"}", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    hres_free(&r);
    hfx_req(&x.h, "GET", "/api/strategies/v3_5b", x.viewer, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_object *p = param_of(r.json, "upper_z");
    ck_assert_ptr_nonnull(member(p, "override"));
    ck_assert_str_eq(mstr(member(p, "override"), "value"), "1.1");
    hres_free(&r);
    /* config_history names who and why */
    hfx_req(&x.h, "GET", "/api/config/history?strategy=v3_5b", x.viewer, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_object *items = member(r.json, "items");
    ck_assert_int_ge((int)json_object_array_length(items), 1);
    json_object *h0 = json_object_array_get_idx(items, 0);
    ck_assert_str_eq(mstr(h0, "parameter"), "upper_z");
    ck_assert_str_eq(mstr(h0, "changed_by"), "ada");
    ck_assert_str_eq(mstr(h0, "reason"), "calmer regime");
    hres_free(&r);
    /* the CLI's rules: a value of the wrong type, an unknown parameter */
    hfx_req(&x.h, "PUT", "/api/config/v3_5b/upper_z", x.admin, "{\"value\": \"high\"}", NULL,
            &r);
    ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "upper_z"));
    hres_free(&r);
    hfx_req(&x.h, "PUT", "/api/config/v3_5b/no_such_knob", x.admin, "{\"value\": 1}", NULL, &r);
    ck_assert_msg(r.status == 400 || r.status == 404, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "no_such_knob"));
    hres_free(&r);
    hfx_req(&x.h, "PUT", "/api/config/v3_5b/upper_z", x.admin, "{\"reason\": \"x\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "value"));
    hres_free(&r);
    /* removed: the file's value is in effect again */
    hfx_req(&x.h, "DELETE", "/api/config/v3_5b/upper_z?reason=back", x.admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    hres_free(&r);
    hfx_req(&x.h, "GET", "/api/strategies/v3_5b", x.viewer, NULL, NULL, &r);
    ck_assert_ptr_null(member(param_of(r.json, "upper_z"), "override"));
    hres_free(&r);
    rfx_close(&x);
}
END_TEST

/* The job `name` of GET /api/scheduler's answer. */
static json_object *job_of(json_object *sched, const char *name)
{
    json_object *jobs = member(sched, "jobs");
    ck_assert_ptr_nonnull(jobs);
    for (size_t i = 0; i < json_object_array_length(jobs); i++) {
        json_object *j = json_object_array_get_idx(jobs, i);
        if (strcmp(mstr(j, "name"), name) == 0)
            return j;
    }
    ck_abort_msg("no job %s", name);
    return NULL;
}

START_TEST(t_scheduler_pause)
{
    struct rfx x;
    struct hres r;
    rfx_open(&x, _i, "");
    if (x.h.t.skipped) {
        rfx_close(&x);
        return;
    }
    hfx_req(&x.h, "POST", "/api/scheduler/eod/pause", x.admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    hres_free(&r);
    hfx_req(&x.h, "GET", "/api/scheduler", x.viewer, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_object_get_boolean(member(job_of(r.json, "eod"), "paused")));
    ck_assert(!json_object_get_boolean(member(job_of(r.json, "sync"), "paused")));
    hres_free(&r);
    hfx_req(&x.h, "POST", "/api/scheduler/eod/resume", x.admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    hfx_req(&x.h, "GET", "/api/scheduler", x.viewer, NULL, NULL, &r);
    ck_assert(!json_object_get_boolean(member(job_of(r.json, "eod"), "paused")));
    hres_free(&r);
    hfx_req(&x.h, "POST", "/api/scheduler/nope/pause", x.admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "nope"));
    hres_free(&r);
    rfx_close(&x);
}
END_TEST

START_TEST(t_backtest)
{
    struct rfx x;
    struct hres r;
    rfx_open(&x, _i, "");
    if (x.h.t.skipped) {
        rfx_close(&x);
        return;
    }
    hfx_req(&x.h, "POST", "/api/backtest", x.admin,
            "{\"strategy\":\"v3_5b\",\"from\":\"2024-03-01\",\"to\":\"2024-06-28\","
            "\"capital\":\"25000\"}", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_object *daily = member(r.json, "daily");
    ck_assert_ptr_nonnull(daily);
    ck_assert_int_gt((int)json_object_array_length(daily), 60);
    ck_assert_ptr_nonnull(member(r.json, "baseline"));
    ck_assert_ptr_nonnull(strstr(r.body, "25000.000000"));
    hres_free(&r);
    /* nothing kept: the live books are as they were */
    int64_t before = tdb_count(&x.h.t, "daily_performance", NULL);
    hfx_req(&x.h, "POST", "/api/backtest", x.admin,
            "{\"strategy\":\"v3_5b\",\"from\":\"2024-03-01\",\"to\":\"2024-03-28\"}", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    hres_free(&r);
    ck_assert_int_eq(tdb_count(&x.h.t, "daily_performance", NULL), before);
    hfx_req(&x.h, "POST", "/api/backtest", x.admin,
            "{\"strategy\":\"v3_5b\",\"from\":\"2024-06-31\",\"to\":\"2024-07-28\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "from"));
    hres_free(&r);
    hfx_req(&x.h, "POST", "/api/backtest", x.admin, "{\"from\":\"2024-03-01\"}", NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "strategy"));
    hres_free(&r);
    hfx_req(&x.h, "POST", "/api/backtest", x.viewer,
            "{\"strategy\":\"v3_5b\",\"from\":\"2024-03-01\",\"to\":\"2024-03-28\"}", NULL, &r);
    ck_assert_int_eq(r.status, 403);
    hres_free(&r);
    rfx_close(&x);
}
END_TEST

/* The config of another process on this test's database: the real binary
 * with the fixture's plugins. */
static char *other_config(struct rfx *x, int i)
{
    char *db = tdb_yaml(i, x->h.t.dir, i == 0 ? "test" : x->h.t.pgdb), *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/other.yaml", x->h.dir), 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%slog: {level: warn}\nauth: {secret_key_file: \"%s/jutsu.key\"}\n"
               "scheduler: {enabled: false}\n"
               "eod:\n  baselines:\n    - {id: QQQ, symbol: QQQ, initial_capital: \"10000\"}\n"
               "plugins:\n  - {name: kpi, plugin: kpi-standard}\n"
               "  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock, "
               "initial_capital: \"10000\"}\n", db, x->h.dir);
    ck_assert_int_eq(fclose(f), 0);
    free(db);
    return path;
}

static void run_cli(const char *config, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "%s/jutsu -c %s %s >/dev/null", tu_build_dir(), config, args);
    int rc = system(cmd);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "%s: exit %d", cmd, rc);
}

START_TEST(t_cache_after_other_process)
{
    struct rfx x;
    struct hres r;
    char path[160], etag[128] = "", eq0[32], eq1[32];
    /* the data version is read on every request: nothing waits on a timer */
    rfx_open(&x, _i, "      cache_check_ms: 0\n");
    if (x.h.t.skipped) {
        rfx_close(&x);
        return;
    }
    const char *day = "2024-06-03";
    snprintf(path, sizeof(path), "/api/v2/performance/QQQ/daily?date=%s", day);
    hfx_req(&x.h, "GET", path, x.viewer, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(eq0, sizeof(eq0), "%s", hres_str(&r, "total_equity"));
    const char *et = strcasestr(r.headers, "etag: ");
    ck_assert_ptr_nonnull(et);
    sscanf(et + 6, "%127[^\r\n]", etag);
    hres_free(&r);
    /* a past day's bar corrected behind the server's back, then the real
     * binary recomputes the days from there, as an operator would */
    char sql[256], lit[40];
    jutsu_date_t d = jutsu_date_from_ymd(2024, 6, 3);
    if (_i == 0) {
        snprintf(lit, sizeof(lit), "%lld", (long long)jutsu_date_to_time(d));
    } else {
        snprintf(lit, sizeof(lit), "'%sT00:00:00Z'", day);
    }
    snprintf(sql, sizeof(sql), "UPDATE market_data SET close = close + close / 100, "
             "high = high + high / 50 WHERE symbol = 'QQQ' AND timestamp = %s", lit);
    tdb_exec(&x.h.t, sql);
    char *conf = other_config(&x, _i);
    char args[128];
    snprintf(args, sizeof(args), "eod backfill --from %s --to %s", day, RFX_LAST);
    run_cli(conf, args);
    free(conf);
    /* the next request sees the recomputed row, and the old ETag no longer matches */
    char hdr[200];
    snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
    hfx_req(&x.h, "GET", path, x.viewer, NULL, hdr, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(eq1, sizeof(eq1), "%s", hres_str(&r, "total_equity"));
    hres_free(&r);
    ck_assert_str_ne(eq0, eq1);
    struct jutsu_daily_perf_row row;
    ck_assert_int_eq(jutsu_data_daily_perf_get(x.h.t.s, "baseline", "QQQ", "offline_mock",
                                               d, &row), 0);
    char want[32];
    jutsu_money_format(row.total_equity, want);
    ck_assert_str_eq(eq1, want);
    rfx_close(&x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rest_control");
    TCase *tc = tcase_create("rest_control");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, t_eod_over_api_and_sse, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_busy_while_locked, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_overrides, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_scheduler_pause, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_backtest, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, t_cache_after_other_process, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
