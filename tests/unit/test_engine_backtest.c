/*
 * tests/unit/test_engine_backtest.c — the engine's backtest (POST
 * /api/backtest underneath), both backends, on the bundled data: its
 * answer is jutsu_backtest_run's; parameters change the run and leave the
 * live instance alone; every bad request is a JUTSU_EINVAL naming its
 * member; the concurrency and time bounds refuse with EFULL and ETIMEDOUT
 * and leave nothing behind.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "engine/engine.h"
#include "engine/engine_int.h"
#include "jobs/backtest.h"
#include "testdb.h"
#include "trading/params.h"

/* tdb_open_v35 with the engine attached: close with close_v35. */
static int open_v35(struct tdb *t, int i)
{
    if (!tdb_open_v35(t, i))
        return 0;
    ck_assert_int_eq(jutsu_engine_attach(t->app), 0);
    return 1;
}

static void close_v35(struct tdb *t)
{
    jutsu_engine_detach(t->app);
    tdb_close(t);
}

static jutsu_ctx *ctx_of(struct tdb *t)
{
    jutsu_ctx *c = jutsu_app_find(t->app, "v3_5b");
    ck_assert_ptr_nonnull(c);
    return c;
}

static int call(struct tdb *t, const char *request, json_object **out)
{
    json_object *req = json_tokener_parse(request);
    ck_assert_msg(req != NULL || strcmp(request, "null") == 0, "bad test JSON %s", request);
    int rc = jutsu_engine_backtest(ctx_of(t), req, out);
    json_object_put(req);
    ck_assert_ptr_nonnull(*out);
    return rc;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s in %.300s", key,
                  json_object_to_json_string(o));
    return v ? json_object_get_string(v) : NULL;
}

static size_t len(json_object *o, const char *key)
{
    json_object *v;
    ck_assert(json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array));
    return json_object_array_length(v);
}

/* A number in the text with more than 6 decimals (outside strings): a
 * float artefact such as 0.22272400000000001. */
static int has_long_decimals(const char *text)
{
    int in_str = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '"' && (p == text || p[-1] != '\\'))
            in_str = !in_str;
        if (in_str || *p != '.' || p == text || !isdigit((unsigned char)p[-1]))
            continue;
        int n = 0;
        while (isdigit((unsigned char)p[1 + n]))
            n++;
        if (n > 6)
            return 1;
    }
    return 0;
}

static void money_eq(json_object *side, const char *key, jutsu_money_t want)
{
    char buf[JUTSU_MONEY_BUFSZ];
    jutsu_money_format(want, buf);
    ck_assert_str_eq(str(side, key), buf);
}

/* The engine's answer is the run's: the same summary to the micro-unit,
 * as many days and trades as the summary counts. */
START_TEST(answer_is_the_runs)
{
    struct tdb t;
    if (!open_v35(&t, _i))
        return;
    json_object *out = NULL;
    int rc = call(&t, "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": "
                      "\"2013-06-28\", \"capital\": \"25000.5\"}", &out);
    ck_assert_msg(rc == 0, "%s", json_object_to_json_string(out));
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = jutsu_date_from_ymd(2012, 1, 3),
                                     .to = jutsu_date_from_ymd(2013, 6, 28),
                                     .capital = 25000500000 };
    struct jutsu_backtest r;
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &r) == 0, "%s", r.error);
    json_object *st, *base;
    ck_assert(json_object_object_get_ex(out, "strategy", &st));
    ck_assert(json_object_object_get_ex(out, "baseline", &base) && base != NULL);
    money_eq(st, "final_equity", r.strategy.final_equity);
    money_eq(base, "final_equity", r.baseline.final_equity);
    money_eq(st, "initial_capital", 25000500000);
    ck_assert_str_eq(str(out, "capital"), "25000.500000");
    ck_assert_str_eq(str(out, "from"), "2012-01-03");
    ck_assert_int_eq(json_object_get_int(json_object_object_get(st, "trades")), r.strategy.trades);
    char want[32];
    snprintf(want, sizeof(want), "%.6f", r.strategy.total_return);
    ck_assert_double_eq_tol(json_object_get_double(json_object_object_get(st, "total_return")),
                            atof(want), 1e-12);
    ck_assert_uint_eq(len(out, "daily"), (size_t)r.strategy.days);
    ck_assert_uint_eq(len(out, "trades"), (size_t)r.strategy.trades);
    ck_assert_uint_eq(len(out, "years"), 2);
    const char *text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
    ck_assert_msg(!has_long_decimals(text), "a float artefact in %s", text);
    /* the last day's equity is the summary's */
    json_object *days = json_object_object_get(out, "daily");
    json_object *last = json_object_array_get_idx(days, json_object_array_length(days) - 1);
    money_eq(last, "equity", r.strategy.final_equity);
    money_eq(last, "baseline_equity", r.baseline.final_equity);
    /* nothing kept: no row of the run's entities */
    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "daily_performance", NULL), 0);
    json_object_put(out);
    close_v35(&t);
}
END_TEST

/* Parameters apply to the run only: another sma_fast gives another run,
 * and the live instance runs with its own parameters afterwards. */
START_TEST(parameters_apply_to_the_run)
{
    struct tdb t;
    if (!open_v35(&t, _i))
        return;
    char *before = jutsu_params_json(ctx_of(&t)->config);
    json_object *a = NULL, *b = NULL;
    const char *base = "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\"";
    char req[256];
    ck_assert_int_eq(call(&t, "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", "
                              "\"to\": \"2012-12-31\"}", &a), 0);
    snprintf(req, sizeof(req), "%s, \"parameters\": {\"sma_fast\": 10, \"upper_z\": \"0.5\"}}",
             base);
    int rc = call(&t, req, &b);
    ck_assert_msg(rc == 0, "%s", json_object_to_json_string(b));
    json_object *sa = json_object_object_get(a, "strategy");
    json_object *sb = json_object_object_get(b, "strategy");
    ck_assert_msg(strcmp(str(sa, "final_equity"), str(sb, "final_equity")) != 0 ||
                  len(a, "trades") != len(b, "trades"), "the parameters changed nothing");
    json_object *p = json_object_object_get(b, "parameters");
    ck_assert_str_eq(str(p, "sma_fast"), "10");
    char *after = jutsu_params_json(ctx_of(&t)->config);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    json_object_put(a);
    json_object_put(b);
    close_v35(&t);
}
END_TEST

/* Every bad request: 400, its message naming the member. */
START_TEST(bad_requests_name_their_member)
{
    static const struct { const char *req, *member; } cases[] = {
        { "[1]", "body" },
        { "{\"from\": \"2012-01-03\", \"to\": \"2012-12-31\"}", "strategy" },
        { "{\"strategy\": \"v3_5\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\"}",
          "strategy" },
        { "{\"strategy\": 7, \"from\": \"2012-01-03\", \"to\": \"2012-12-31\"}", "strategy" },
        { "{\"strategy\": \"v3_5b\", \"to\": \"2012-12-31\"}", "from" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2026-02-30\", \"to\": \"2026-03-31\"}", "from" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"31/12/2012\"}", "to" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2013-01-03\", \"to\": \"2012-12-31\"}", "from" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"capital\": \"-5\"}", "capital" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"capital\": 0}", "capital" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"capital\": true}", "capital" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"capital\": \"1.0000001\"}", "capital" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"parameters\": {\"nope\": 1}}", "parameters.nope" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"parameters\": {\"sma_fast\": \"ten\"}}", "parameters" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"parameters\": [1]}", "parameters" },
        { "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": \"2012-12-31\", "
          "\"extra\": 1}", "extra" },
    };
    struct tdb t;
    if (!open_v35(&t, _i))
        return;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *out = NULL;
        int rc = call(&t, cases[i].req, &out);
        ck_assert_msg(rc == JUTSU_EINVAL, "%s: rc %d, %.300s", cases[i].req, rc,
                      json_object_to_json_string(out));
        const char *msg = str(out, "message");
        ck_assert_msg(rc == JUTSU_EINVAL, "%s: rc %d, %s", cases[i].req, rc, msg);
        ck_assert_msg(strncmp(msg, cases[i].member, strlen(cases[i].member)) == 0 &&
                      msg[strlen(cases[i].member)] == ':',
                      "%s: the message \"%s\" does not start with \"%s:\"", cases[i].req, msg,
                      cases[i].member);
        json_object_put(out);
    }
    /* the nearest names are offered */
    json_object *out = NULL;
    call(&t, cases[2].req, &out);
    ck_assert_ptr_nonnull(strstr(str(out, "message"), "v3_5b"));
    json_object_put(out);
    close_v35(&t);
}
END_TEST

/* backtest.max_concurrent: one running (held at the bound here, so that
 * no timing is involved) and the next is refused; backtest.max_seconds
 * past at the first check: timed out, the slot given back, nothing kept. */
START_TEST(bounded_in_number_and_time)
{
    struct tdb t;
    if (!open_v35(&t, _i))
        return;
    const char *req = "{\"strategy\": \"v3_5b\", \"from\": \"2012-01-03\", \"to\": "
                      "\"2012-12-31\"}";
    struct jutsu_engine_state *st = t.app->engine_state;
    ck_assert_int_eq(t.app->settings->backtest.max_concurrent, 1);   /* the default */
    ck_assert_int_eq(t.app->settings->backtest.max_seconds, 60);
    pthread_mutex_lock(&st->lock);
    st->backtests = 1;
    pthread_mutex_unlock(&st->lock);
    json_object *out = NULL;
    ck_assert_int_eq(call(&t, req, &out), JUTSU_EFULL);
    ck_assert_str_eq(str(out, "code"), "too_many_backtests");
    json_object_put(out);
    pthread_mutex_lock(&st->lock);
    ck_assert_int_eq(st->backtests, 1);
    st->backtests = 0;
    pthread_mutex_unlock(&st->lock);

    /* a bound of 0 s (below the schema's minimum: set in memory) has passed
     * at the first check */
    t.app->settings->backtest.max_seconds = 0;
    ck_assert_int_eq(call(&t, req, &out), JUTSU_ETIMEDOUT);
    ck_assert_ptr_nonnull(strstr(str(out, "message"), "backtest.max_seconds"));
    json_object_put(out);
    ck_assert_int_eq(st->backtests, 0);
    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL), 0);
    t.app->settings->backtest.max_seconds = 60;
    ck_assert_int_eq(call(&t, req, &out), 0);
    json_object_put(out);
    ck_assert_int_eq(st->backtests, 0);
    close_v35(&t);
}
END_TEST

static Suite *engine_backtest_suite(void)
{
    Suite *s = suite_create("engine_backtest");
    TCase *tc = tcase_create("backtest");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, answer_is_the_runs, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, parameters_apply_to_the_run, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, bad_requests_name_their_member, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, bounded_in_number_and_time, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(engine_backtest_suite());
}
