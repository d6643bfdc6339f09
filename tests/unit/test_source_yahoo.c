/*
 * tests/unit/test_source_yahoo.c — the source-yahoo plugin, loaded as the
 * real plugin by the real host ($JUTSU_PLUGIN_PATH/source-yahoo.so), its
 * base_url pointed at fixture-httpd (tests/fixtures/httpd) serving the
 * scripted answers of the tests/fixtures/yahoo/ routes files.
 *
 * qqq-2024-03.json holds QQQ from 2024-02-26 to 2024-03-22 in Yahoo's v8
 * shape (float32 prices printed as doubles, session-open timestamps across
 * the DST change of 2024-03-10), a null row on 2024-03-13 and the live bar
 * of 2024-03-25 after period2. Every delivered bar is compared, to the
 * micro-unit, with conf/sample-data/QQQ.csv read here independently.
 *
 * Build: this program links tests/unit/fixture.c besides testutil.c and
 * testdb.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "jutsu/version.h"
#include "host/app.h"
#include "store/data_api.h"
#include "fixture.h"
#include "base/log.h"
#include "market/sync.h"
#include "testdb.h"

#define DAY(y, m, d)  jutsu_date_from_ymd(y, m, d)
#define T(y, m, d)    jutsu_date_to_time(DAY(y, m, d))
#define END_OF(y, m, d) (T(y, m, d) + JUTSU_USEC_PER_DAY - 1)
#define QQQ_BYTES     3307     /* size of tests/fixtures/yahoo/qqq-2024-03.json */

/* --- fixture: fixture-httpd and an app with one source-yahoo "yahoo" ------- */

struct fx {
    struct fixture                 srv;
    char                          *dir;      /* temp dir: the request log */
    char                          *log;
    struct jutsu_app              *app;
    struct jutsu_ctx              *inst;
    const struct jutsu_source_ops *ops;
    void                          *state;
    int                            rc;       /* of jutsu_app_start */
};

static char *routes_path(const char *name)
{
    char *p = NULL;
    ck_assert_int_gt(asprintf(&p, "%s/tests/fixtures/yahoo/%s", tu_source_dir(), name), 0);
    return p;
}

/* Starts the server on `routes` (a path), logging to f->log. */
static void srv_start(struct fx *f, const char *routes)
{
    f->dir = tu_tmpdir();
    ck_assert_int_gt(asprintf(&f->log, "%s/requests.log", f->dir), 0);
    ck_assert_int_eq(setenv("FIXTURE_LOG", f->log, 1), 0);
    ck_assert_msg(fixture_start(routes, &f->srv) == 0, "fixture-httpd did not start on %s",
                  routes);
}

/* `config` is more of the inside of the YAML flow map, or "". */
static void app_start(struct fx *f, const char *config)
{
    char *yaml = NULL;
    struct jutsu_diag d;
    /* short waits between attempts, unless the test sets its own */
    ck_assert_int_gt(asprintf(&yaml, "plugins:\n  - name: yahoo\n    plugin: source-yahoo\n"
                              "    config: {base_url: \"%s\"%s%s%s}\n"
                              "log: {level: error}\n", f->srv.base_url,
                              strstr(config, "backoff_ms") ? "" : ", backoff_ms: 10",
                              *config ? ", " : "", config), 0);
    ck_assert_int_eq(jutsu_app_new(&f->app), 0);
    jutsu_diag_init(&d);
    int rc = jutsu_app_load_config_string(f->app, "test.yaml", yaml, &d);
    if (rc == 0)
        rc = jutsu_app_load_plugins(f->app, &d);
    jutsu_diag_print(&d, stderr, "diag: ");
    ck_assert_msg(rc == 0, "config/plugins: %s (is JUTSU_PLUGIN_PATH set?)", jutsu_strerror(rc));
    jutsu_diag_free(&d);
    free(yaml);
    f->inst = jutsu_app_find(f->app, "yahoo");
    ck_assert_ptr_nonnull(f->inst);
    f->ops = f->inst->module->desc->ops;
    f->rc = jutsu_app_start(f->app);
    f->state = f->inst->state;
}

static void fx_start(struct fx *f, const char *routes_name, const char *config)
{
    memset(f, 0, sizeof(*f));
    char *routes = routes_path(routes_name);
    srv_start(f, routes);
    free(routes);
    app_start(f, config);
    ck_assert_msg(f->rc == 0, "start: %s: %s", jutsu_strerror(f->rc), f->inst->error);
}

static void fx_stop(struct fx *f)
{
    jutsu_app_free(f->app);
    fixture_stop(&f->srv);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->log);
}

/* The request log; caller frees. "" if nothing was logged. */
static char *requests(struct fx *f)
{
    FILE *in = fopen(f->log, "r");
    char *text = calloc(1, 65536);
    ck_assert_ptr_nonnull(text);
    if (in) {
        size_t n = fread(text, 1, 65535, in);
        text[n] = '\0';
        fclose(in);
    }
    return text;
}

static int nrequests(struct fx *f)
{
    char *t = requests(f);
    int n = 0;
    for (char *p = t; *p; p++)
        n += *p == '\n';
    free(t);
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- a sink that keeps everything ---------------------------------------- */

struct got {
    struct jutsu_bar bars[64];
    size_t           n;
    long             calls;
    char             sym[16];
    int              nrej;
    char             where[8][64], reason[8][128];
    int              stop_with;
};

static int got_bars(const char *symbol, const struct jutsu_bar *b, size_t n, void *arg)
{
    struct got *g = arg;
    g->calls++;
    snprintf(g->sym, sizeof(g->sym), "%s", symbol);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_lt(g->n, 64);
        g->bars[g->n++] = b[i];
    }
    return g->stop_with;
}

static void got_reject(const char *where, const char *reason, void *arg)
{
    struct got *g = arg;
    if (g->nrej < 8) {
        snprintf(g->where[g->nrej], sizeof(g->where[0]), "%s", where);
        snprintf(g->reason[g->nrej], sizeof(g->reason[0]), "%s", reason);
    }
    g->nrej++;
}

static int fetch_tf(struct fx *f, const char *sym, const char *tf, jutsu_time_t from,
                    jutsu_time_t to, struct got *g)
{
    struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = sym, .timeframe = tf,
                                   .from = from, .to = to };
    struct jutsu_source_sink s = { .size = sizeof(s), .bars = got_bars, .reject = got_reject,
                                   .arg = g };
    f->inst->error[0] = '\0';
    return f->ops->fetch(f->state, &req, &s);
}

static int fetch(struct fx *f, const char *sym, jutsu_time_t from, jutsu_time_t to,
                 struct got *g)
{
    return fetch_tf(f, sym, "1D", from, to, g);
}

/* The error the plugin set, with the server's URL replaced by "URL". */
static const char *error_of(struct fx *f, char *buf, size_t size)
{
    const char *e = f->inst->error, *u = strstr(e, f->srv.base_url);
    if (u == NULL)
        snprintf(buf, size, "%s", e);
    else
        snprintf(buf, size, "%.*sURL%s", (int)(u - e), e, u + strlen(f->srv.base_url));
    return buf;
}

/* --- conf/sample-data/QQQ.csv, read independently ------------------------ */

struct csv_bar {
    jutsu_date_t  date;
    jutsu_money_t open, high, low, close;
    int64_t       volume;
};

/* The rows of QQQ.csv from `from` to `to` (dates), except `skip`. */
static size_t sample_rows(jutsu_date_t from, jutsu_date_t to, jutsu_date_t skip,
                          struct csv_bar *out, size_t max)
{
    char *path = NULL, line[256];
    size_t n = 0;
    ck_assert_int_gt(asprintf(&path, "%s/conf/sample-data/QQQ.csv", tu_source_dir()), 0);
    FILE *in = fopen(path, "r");
    ck_assert_msg(in != NULL, "cannot open %s", path);
    free(path);
    while (fgets(line, sizeof(line), in)) {
        char *field[7], *save = NULL;
        int k = 0;
        for (char *p = strtok_r(line, ",\n", &save); p && k < 7; p = strtok_r(NULL, ",\n", &save))
            field[k++] = p;
        struct csv_bar b;
        if (k != 7 || jutsu_date_parse(field[0], -1, &b.date) != 0)
            continue;                                   /* the header */
        if (b.date < from || b.date > to || b.date == skip)
            continue;
        ck_assert_int_eq(jutsu_money_parse(field[1], -1, JUTSU_MONEY_EXACT, &b.open), 0);
        ck_assert_int_eq(jutsu_money_parse(field[2], -1, JUTSU_MONEY_EXACT, &b.high), 0);
        ck_assert_int_eq(jutsu_money_parse(field[3], -1, JUTSU_MONEY_EXACT, &b.low), 0);
        ck_assert_int_eq(jutsu_money_parse(field[4], -1, JUTSU_MONEY_EXACT, &b.close), 0);
        b.volume = strtoll(field[6], NULL, 10);
        ck_assert_uint_lt(n, max);
        out[n++] = b;
    }
    fclose(in);
    return n;
}

/* 09:30 in New York: 14:30Z until the DST change of 2024-03-10, 13:30Z after. */
static jutsu_time_t session_open(jutsu_date_t d)
{
    int hour = d < DAY(2024, 3, 10) ? 14 : 13;
    return jutsu_date_to_time(d) + (hour * 3600 + 30 * 60) * JUTSU_USEC_PER_SEC;
}

/* The bars must be the CSV rows of [from, to] except 2024-03-13, exactly. */
static void want_sample(const struct got *g, jutsu_date_t from, jutsu_date_t to)
{
    struct csv_bar want[32];
    size_t n = sample_rows(from, to, DAY(2024, 3, 13), want, 32);
    ck_assert_uint_eq(g->n, n);
    for (size_t i = 0; i < n; i++) {
        char d[JUTSU_DATE_BUFSZ];
        jutsu_date_format(want[i].date, d);
        ck_assert_msg(g->bars[i].ts == session_open(want[i].date), "%s: ts %lld", d,
                      (long long)g->bars[i].ts);
        ck_assert_msg(g->bars[i].open == want[i].open, "%s open", d);
        ck_assert_msg(g->bars[i].high == want[i].high, "%s high", d);
        ck_assert_msg(g->bars[i].low == want[i].low, "%s low", d);
        ck_assert_msg(g->bars[i].close == want[i].close, "%s close %lld", d,
                      (long long)g->bars[i].close);
        ck_assert_int_eq(g->bars[i].volume, want[i].volume);
    }
}

/* --- fetch ---------------------------------------------------------------- */

START_TEST(normal_fetch)
{
    struct fx f;
    struct got g = { 0 };
    fx_start(&f, "normal.routes.json", "");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 0);
    ck_assert_str_eq(g.sym, "QQQ");
    ck_assert_int_eq(g.calls, 1);
    /* 20 sessions, minus the null row; the live bar of 03-25 is past `to` */
    ck_assert_uint_eq(g.n, 19);
    want_sample(&g, DAY(2024, 2, 26), DAY(2024, 3, 22));
    for (size_t i = 1; i < g.n; i++)
        ck_assert_int_lt(g.bars[i - 1].ts, g.bars[i].ts);
    /* spot checks written out: 2024-02-29 Close "439" (an integer in the
     * JSON), 2024-03-01 Close 445.6099853515625 -> 445.609985 */
    ck_assert_int_eq(g.bars[3].close, INT64_C(439000000));
    ck_assert_int_eq(g.bars[4].close, INT64_C(445609985));
    ck_assert_int_eq(g.bars[4].line, 5);
    ck_assert_int_eq(g.nrej, 1);
    ck_assert_str_eq(g.where[0], "QQQ@2024-03-13");
    ck_assert_str_eq(g.reason[0], "null open, high, low, close, volume");
    /* the request Yahoo gets: period1 rounded down, period2 up, no auth */
    char *log = requests(&f);
    ck_assert_str_eq(log, "GET /v8/finance/chart/QQQ?period1=1708905600&period2=1711152000"
                          "&interval=1d&events=div%2Csplits&includeAdjustedClose=true - -\n");
    free(log);

    /* a narrower range is cut here too: Yahoo's answer is the same file */
    memset(&g, 0, sizeof(g));
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 3, 1), END_OF(2024, 3, 5), &g), 0);
    ck_assert_uint_eq(g.n, 3);
    want_sample(&g, DAY(2024, 3, 1), DAY(2024, 3, 5));
    ck_assert_int_eq(g.nrej, 0);

    /* the receiver stops the fetch: its value comes back */
    memset(&g, 0, sizeof(g));
    g.stop_with = 7;
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 7);

    /* a timeframe Yahoo does not have: no request at all */
    ck_assert_int_eq(fetch_tf(&f, "QQQ", "1W", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ENOTFOUND);
    ck_assert_str_eq(f.inst->error, "Yahoo offers no 1W bars (it has 1D, 1H, 5m and 15m)");
    ck_assert_int_eq(nrequests(&f), 3);
    fx_stop(&f);
}
END_TEST

START_TEST(intraday_interval)
{
    struct fx f;
    struct got g = { 0 };
    fx_start(&f, "normal.routes.json", "");
    /* 1H asks for interval=60m, which this route does not serve: 404 */
    ck_assert_int_eq(fetch_tf(&f, "QQQ", "1H", T(2024, 3, 1), END_OF(2024, 3, 1), &g),
                     JUTSU_ENOTFOUND);
    char *log = requests(&f);
    ck_assert_msg(strstr(log, "&interval=60m&") != NULL, "%s", log);
    free(log);
    fx_stop(&f);
}
END_TEST

START_TEST(rate_limited_then_ok)
{
    struct fx f;
    struct got g = { 0 };
    fx_start(&f, "ratelimit.routes.json", "");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 0);
    ck_assert_uint_eq(g.n, 19);
    want_sample(&g, DAY(2024, 2, 26), DAY(2024, 3, 22));
    ck_assert_int_eq(nrequests(&f), 2);
    fx_stop(&f);
}
END_TEST

START_TEST(retry_after_is_honoured)
{
    struct fx f;
    struct got g = { 0 };
    fx_start(&f, "ratelimit.routes.json", "backoff_ms: 0");
    double t0 = now_s();
    ck_assert_int_eq(fetch(&f, "TLT", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 0);
    double took = now_s() - t0;
    ck_assert_msg(took >= 0.95 && took < 5, "Retry-After: 1 but the retry came after %.3f s",
                  took);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_int_eq(nrequests(&f), 2);
    fx_stop(&f);
}
END_TEST

START_TEST(rate_limited_for_good)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024];
    fx_start(&f, "ratelimit.routes.json", "retries: 1");
    ck_assert_int_eq(fetch(&f, "SPY", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ERATELIMIT);
    ck_assert_str_eq(error_of(&f, e, sizeof(e)),
                     "GET URL/v8/finance/chart/SPY?period1=1708905600&period2=1711152000"
                     "&interval=1d&events=div%2Csplits&includeAdjustedClose=true: HTTP 429 "
                     "Too Many Requests after 2 attempt(s): Yahoo asks us to slow down; sync "
                     "fewer symbols at a time or later");
    ck_assert_int_eq(nrequests(&f), 2);
    fx_stop(&f);
}
END_TEST

START_TEST(server_errors)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024];
    /* 500, 502, 503, then 200: two retries give up before the 200 */
    fx_start(&f, "server-error.routes.json", "retries: 2");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ETRANSIENT);
    ck_assert_uint_eq(g.n, 0);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, "includeAdjustedClose=true: HTTP 503: \"<html><body>Service "
                         "Unavailable</body></html>\" (after 3 attempt(s))") != NULL, "%s", e);
    ck_assert_int_eq(nrequests(&f), 3);
    fx_stop(&f);

    /* the default three retries outlast them */
    memset(&g, 0, sizeof(g));
    fx_start(&f, "server-error.routes.json", "");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 0);
    ck_assert_uint_eq(g.n, 19);
    ck_assert_int_eq(nrequests(&f), 4);
    fx_stop(&f);
}
END_TEST

START_TEST(malformed)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024];
    fx_start(&f, "malformed.routes.json", "");
    /* an HTML page: the message quotes its first 80 bytes */
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_EMALFORMED);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, "includeAdjustedClose=true: HTTP 200 but the body is not JSON ("
                         "unexpected character at byte 0): \"<!DOCTYPE html><html lang="
                         "\\x22en-us\\x22><head><title>Yahoo</title></head><body>Will be..."
                         "\"") != NULL, "%s", e);
    /* arrays of different lengths */
    ck_assert_int_eq(fetch(&f, "TLT", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_EMALFORMED);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, ": not a v8 chart: chart.result[0].indicators.quote[0].open has 1 "
                         "value(s) for 2 timestamp(s): \"{\\x22chart\\x22:") != NULL, "%s", e);
    /* text after the JSON */
    ck_assert_int_eq(fetch(&f, "TMF", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_EMALFORMED);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, "HTTP 200 but the body is not JSON (unexpected text after the JSON "
                         "at byte 182)") != NULL, "%s", e);
    ck_assert_uint_eq(g.n, 0);
    /* nothing malformed is retried */
    ck_assert_int_eq(nrequests(&f), 3);
    fx_stop(&f);
}
END_TEST

/* The server promises the whole file (Content-Length) and closes after 100
 * bytes. libcurl sees the short transfer (CURLE_PARTIAL_FILE): a broken
 * connection, which may pass, so it is retried and ends as ETRANSIENT;
 * the JSON parser never sees the partial body. */
START_TEST(truncated_body)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024], want[128];
    fx_start(&f, "truncated.routes.json", "retries: 1");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ETRANSIENT);
    ck_assert_uint_eq(g.n, 0);
    snprintf(want, sizeof(want), ": transfer closed with %d bytes remaining to read (after 2 "
             "attempt(s))", QQQ_BYTES - 100);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, want) != NULL, "%s", e);
    ck_assert_int_eq(nrequests(&f), 2);
    fx_stop(&f);
}
END_TEST

START_TEST(unknown_symbol)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024];
    fx_start(&f, "notfound.routes.json", "");
    ck_assert_int_eq(fetch(&f, "NOPE", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ENOTFOUND);
    ck_assert_str_eq(error_of(&f, e, sizeof(e)),
                     "Yahoo does not know NOPE: GET URL/v8/finance/chart/NOPE?period1=1708905600"
                     "&period2=1711152000&interval=1d&events=div%2Csplits&includeAdjustedClose="
                     "true: HTTP 404: Not Found: No data found, symbol may be delisted");
    /* the same error inside a 200 */
    ck_assert_int_eq(fetch(&f, "GONE", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ENOTFOUND);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, "Yahoo does not know the symbol: GET URL/v8/finance/chart/GONE?")
                  == e, "%s", e);
    /* a symbol the fixture has no route for: its 404 names the path */
    ck_assert_int_eq(fetch(&f, "ZZZ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ENOTFOUND);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, "HTTP 404: \"{\\x22error\\x22:\\x22no route\\x22,") != NULL, "%s",
                  e);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_int_eq(nrequests(&f), 3);   /* a 404 is never retried */
    fx_stop(&f);
}
END_TEST

START_TEST(empty_result)
{
    struct fx f;
    struct got g = { 0 };
    fx_start(&f, "empty.routes.json", "");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 3, 23), END_OF(2024, 3, 24), &g), 0);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_int_eq(g.calls, 0);
    ck_assert_int_eq(g.nrej, 0);
    fx_stop(&f);
}
END_TEST

START_TEST(slow_answer_times_out)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024];
    fx_start(&f, "slow.routes.json", "timeout_ms: 300, retries: 1");
    double t0 = now_s();
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ETRANSIENT);
    double took = now_s() - t0;
    /* two attempts that each waited out the 300 ms timeout; that curl gave
     * up rather than waiting for the 2 s answers is in the message below
     * (no upper bound on time: a loaded machine must not fail the test) */
    ck_assert_msg(took >= 0.6, "two 300 ms attempts took only %.3f s", took);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, ": Operation timed out after ") != NULL &&
                  strstr(e, "milliseconds with 0 bytes received (after 2 attempt(s))") != NULL,
                  "%s", e);
    ck_assert_int_eq(nrequests(&f), 2);
    fx_stop(&f);
}
END_TEST

START_TEST(nobody_listening)
{
    struct fx f;
    struct got g = { 0 };
    char e[1024];
    fx_start(&f, "empty.routes.json", "retries: 1");
    fixture_stop(&f.srv);
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ETRANSIENT);
    error_of(&f, e, sizeof(e));
    ck_assert_msg(strstr(e, "Failed to connect to 127.0.0.1 port ") != NULL &&
                  strstr(e, "(after 2 attempt(s))") != NULL, "%s", e);
    fx_stop(&f);
}
END_TEST

START_TEST(user_agent_is_sent)
{
    struct fx f;
    struct got g = { 0 };
    /* the route answers only this User-Agent */
    fx_start(&f, "useragent.routes.json", "user_agent: \"jutsu-test-agent/1.0\"");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 0);
    fx_stop(&f);
    fx_start(&f, "useragent.routes.json", "");
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g),
                     JUTSU_ENOTFOUND);
    fx_stop(&f);

    /* the default one names the product and its version */
    memset(&f, 0, sizeof(f));
    char *dir = tu_tmpdir(), *routes;
    routes = tu_write_file(dir, "ua.routes.json",
        "{\"routes\": [{\"path\": \"/v8/finance/chart/QQQ\", \"headers\": {\"User-Agent\": "
        "\"jutsu/" JUTSU_VERSION " (+https://github.com/jutsu-labs)\"}, \"responses\": "
        "[{\"body\": \"{\\\"chart\\\":{\\\"result\\\":[],\\\"error\\\":null}}\"}]}]}");
    srv_start(&f, routes);
    app_start(&f, "");
    ck_assert_int_eq(f.rc, 0);
    ck_assert_int_eq(fetch(&f, "QQQ", T(2024, 2, 26), END_OF(2024, 3, 22), &g), 0);
    ck_assert_uint_eq(g.n, 0);
    fx_stop(&f);
    free(routes);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(bad_base_url)
{
    struct fx f;
    memset(&f, 0, sizeof(f));
    char *routes = routes_path("empty.routes.json");
    srv_start(&f, routes);
    free(routes);
    snprintf(f.srv.base_url, sizeof(f.srv.base_url), "ftp://127.0.0.1:%d", f.srv.port);
    app_start(&f, "");
    ck_assert_int_eq(f.rc, JUTSU_ECONFIG);
    char want[256];
    snprintf(want, sizeof(want), "test.yaml:4:24: base_url \"ftp://127.0.0.1:%d\" must start "
             "with https:// (or http://)", f.srv.port);
    ck_assert_str_eq(f.inst->error, want);
    fx_stop(&f);
}
END_TEST

/* --- end to end: jutsu_sync_run into a real database ---------------------- */

struct stored {
    jutsu_time_t  ts[32];
    jutsu_money_t close[32];
    int           valid[32];
    int           n;
};

static int keep_row(const struct jutsu_bar_row *b, void *arg)
{
    struct stored *s = arg;
    ck_assert_int_lt(s->n, 32);
    ck_assert_str_eq(b->data_source, "yahoo");
    s->ts[s->n] = b->ts;
    s->valid[s->n] = b->is_valid;
    s->close[s->n++] = b->close;
    return 0;
}

START_TEST(sync_into_database)
{
    struct fx f;
    struct tdb t;
    memset(&f, 0, sizeof(f));
    char *routes = routes_path("normal.routes.json"), *yaml = NULL;
    srv_start(&f, routes);
    free(routes);
    ck_assert_int_gt(asprintf(&yaml,
        "sync:\n  symbols: [QQQ]\n  sources: [yahoo]\n  batch_size: 1000\n"
        "plugins:\n  - {name: yahoo, plugin: source-yahoo, config: {base_url: \"%s\", "
        "backoff_ms: 10}}\n", f.srv.base_url), 0);
    tdb_open_with(&t, _i, 1, yaml);
    free(yaml);
    if (t.skipped) {
        tdb_close(&t);
        fx_stop(&f);
        return;
    }
    const char *syms[] = { "QQQ" };
    struct jutsu_sync_opts o = { .symbols = syms, .nsymbols = 1, .timeframe = "1D",
                                 .from = DAY(2024, 2, 26), .to = DAY(2024, 3, 22) };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.items[0].source, "yahoo");
    ck_assert_int_eq(r.items[0].fetched, 19);
    ck_assert_int_eq(r.items[0].inserted, 19);
    ck_assert_int_eq(r.items[0].rejected, 1);          /* the null row */
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "market_data", "symbol = 'QQQ' AND data_source = 'yahoo'"),
                     19);

    /* keyed to trading dates at 00:00 UTC, before and after the DST change */
    struct stored s = { .n = 0 };
    struct csv_bar want[32];
    size_t n = sample_rows(DAY(2024, 2, 26), DAY(2024, 3, 22), DAY(2024, 3, 13), want, 32);
    ck_assert_int_eq(jutsu_data_bars_range(t.s, "QQQ", "1D", 0, INT64_MAX / 2, 0, keep_row, &s),
                     0);
    ck_assert_int_eq(s.n, (int)n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(s.ts[i], jutsu_date_to_time(want[i].date));
        ck_assert_int_eq(s.close[i], want[i].close);
        ck_assert_int_eq(s.valid[i], 1);
    }
    ck_assert_int_eq(s.ts[0], T(2024, 2, 26));
    ck_assert_int_eq(s.ts[n - 1], T(2024, 3, 22));

    /* again: nothing new, nothing rewritten */
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_int_eq(r.items[0].inserted, 0);
    ck_assert_int_eq(r.items[0].skipped, 19);
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(tdb_count(&t, "market_data", NULL), 19);
    ck_assert_int_eq(nrequests(&f), 2);
    tdb_close(&t);
    fx_stop(&f);
}
END_TEST

static Suite *yahoo_suite(void)
{
    Suite *s = suite_create("source-yahoo");
    TCase *tc = tcase_create("fetch");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, normal_fetch);
    tcase_add_test(tc, intraday_interval);
    tcase_add_test(tc, rate_limited_then_ok);
    tcase_add_test(tc, retry_after_is_honoured);
    tcase_add_test(tc, rate_limited_for_good);
    tcase_add_test(tc, server_errors);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, truncated_body);
    tcase_add_test(tc, unknown_symbol);
    tcase_add_test(tc, empty_result);
    tcase_add_test(tc, slow_answer_times_out);
    tcase_add_test(tc, nobody_listening);
    tcase_add_test(tc, user_agent_is_sent);
    tcase_add_test(tc, bad_base_url);
    suite_add_tcase(s, tc);
    TCase *db = tcase_create("sync");
    tcase_set_timeout(db, 120);
    tcase_add_loop_test(db, sync_into_database, 0, TDB_BACKENDS);
    suite_add_tcase(s, db);
    return s;
}

int main(void)
{
    return tu_run(yahoo_suite());
}
