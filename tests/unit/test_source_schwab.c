/*
 * tests/unit/test_source_schwab.c — the source-schwab plugin, loaded as the
 * real plugin by the real host ($JUTSU_PLUGIN_PATH/source-schwab.so),
 * talking HTTP to fixture-httpd (tests/fixtures/httpd) scripted by the
 * routes files in tests/fixtures/schwab. Every request the plugin makes
 * is read back from the server's log (method, URI, Authorization, body).
 *
 * Covers: exact prices from the JSON text (real QQQ bars of
 * conf/sample-data), unreadable candles, hourly bars from half-hour
 * candles, the token file (refresh before expiry, atomic 0600 rewrite,
 * refused when open to others, expired refresh token), 401/429/5xx,
 * timeouts, malformed and empty answers, unknown symbols, the rate limit
 * (also across threads), the browser login flow, the sync job storing a
 * 06:00Z Schwab stamp under its trading date, and the source conformance
 * suite (libjutsu_harness) on this fixture: the plugin needs the scripted
 * server and a token, which jutsu-plugin-test's start cannot give it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "jutsu/source.h"
#include "host/app.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "fixture.h"
#include "market/sync.h"
#include "harness.h"
#include "testdb.h"
#include "base/clock.h"

#define T(y, m, d)   jutsu_date_to_time(jutsu_date_from_ymd(y, m, d))
#define END_OF(y, m, d) (T(y, m, d) + JUTSU_USEC_PER_DAY - 1)
#define HOUR         (3600 * JUTSU_USEC_PER_SEC)
/* base64("test-key:test-secret") */
#define BASIC        "Basic dGVzdC1rZXk6dGVzdC1zZWNyZXQ="

/* --- fixture: fixture-httpd plus an app with one source-schwab "schwab" --- */

struct sx {
    struct fixture                 http;
    char                          *dir;     /* temp dir                       */
    char                          *token;   /* dir/var/schwab-token.json      */
    char                          *log;     /* dir/requests.log               */
    struct jutsu_app              *app;
    struct jutsu_ctx              *inst;
    const struct jutsu_source_ops *ops;
    void                          *state;
};

struct opts {
    const char *routes;       /* in tests/fixtures/schwab; default schwab.routes.json */
    const char *rps;          /* requests_per_second; default 1000 */
    const char *retries;      /* default 3 */
    const char *timeout_ms;   /* default 5000 */
    const char *secret;       /* app_secret; default test-secret */
};

/* Now, in seconds, from the clock the plugin's host->now reads (the app's
 * default, CLOCK_REALTIME). Not time(): glibc serves it from the coarse
 * clock, a tick behind, so a token stamped just after a time() read could
 * seem a second in that read's future (seen in CI). */
static int64_t wall_s(void)
{
    return jutsu_clock_wall() / JUTSU_USEC_PER_SEC;
}

static void sx_start(struct sx *x, const struct opts *o)
{
    char *routes = NULL, *yaml = NULL;
    struct jutsu_diag d;
    memset(x, 0, sizeof(*x));
    x->dir = tu_tmpdir();
    ck_assert_int_gt(asprintf(&x->token, "%s/var/schwab-token.json", x->dir), 0);
    ck_assert_int_gt(asprintf(&x->log, "%s/requests.log", x->dir), 0);
    ck_assert_int_gt(asprintf(&routes, "%s/tests/fixtures/schwab/%s", tu_source_dir(),
                              o && o->routes ? o->routes : "schwab.routes.json"), 0);
    setenv("FIXTURE_LOG", x->log, 1);
    ck_assert_msg(fixture_start(routes, &x->http) == 0, "fixture-httpd did not start");
    free(routes);
    ck_assert_int_gt(asprintf(&yaml,
        "plugins:\n  - name: schwab\n    plugin: source-schwab\n    config:\n"
        "      app_key: test-key\n      app_secret: %s\n"
        "      api_base: \"%s\"\n      auth_base: \"%s/\"\n      token_file: \"%s\"\n"
        "      requests_per_second: %s\n      retries: %s\n      timeout_ms: %s\n"
        "      backoff_ms: 1\nlog: {level: error}\n",
        o && o->secret ? o->secret : "test-secret", x->http.base_url, x->http.base_url,
        x->token, o && o->rps ? o->rps : "1000", o && o->retries ? o->retries : "3",
        o && o->timeout_ms ? o->timeout_ms : "5000"), 0);
    ck_assert_int_eq(jutsu_app_new(&x->app), 0);
    jutsu_diag_init(&d);
    int rc = jutsu_app_load_config_string(x->app, "test.yaml", yaml, &d);
    if (rc == 0)
        rc = jutsu_app_load_plugins(x->app, &d);
    jutsu_diag_print(&d, stderr, "diag: ");
    ck_assert_msg(rc == 0, "config/plugins: %s (is JUTSU_PLUGIN_PATH set?)", jutsu_strerror(rc));
    jutsu_diag_free(&d);
    free(yaml);
    x->inst = jutsu_app_find(x->app, "schwab");
    ck_assert_ptr_nonnull(x->inst);
    x->ops = x->inst->module->desc->ops;
    ck_assert_int_eq(jutsu_app_start(x->app), 0);
    x->state = x->inst->state;
}

static void sx_stop(struct sx *x)
{
    jutsu_app_free(x->app);
    fixture_stop(&x->http);
    tu_rmtree(x->dir);
    free(x->dir);
    free(x->token);
    free(x->log);
}

/* Writes the token file as `jutsu schwab login` would, with `mode`. */
static void put_token(struct sx *x, const char *access, int64_t access_exp, int64_t refresh_exp,
                      mode_t mode)
{
    char *dir = NULL, *text = NULL;
    ck_assert_int_gt(asprintf(&dir, "%s/var", x->dir), 0);
    mkdir(dir, 0700);
    ck_assert_int_gt(asprintf(&text, "{\"access_token\": \"%s\", \"refresh_token\": "
                              "\"REFRESH-1\", \"access_expires_at\": %lld, "
                              "\"refresh_expires_at\": %lld, \"obtained_at\": %lld}\n", access,
                              (long long)access_exp, (long long)refresh_exp,
                              (long long)time(NULL) - 600), 0);
    free(tu_write_file(dir, "schwab-token.json", text));
    ck_assert_int_eq(chmod(x->token, mode), 0);
    free(text);
    free(dir);
}

static void put_valid_token(struct sx *x, const char *access)
{
    put_token(x, access, time(NULL) + 1500, time(NULL) + 5 * 86400, 0600);
}

/* --- a sink that keeps everything ---------------------------------------- */

struct got {
    struct jutsu_bar bars[64];
    size_t           n;
    long             calls;
    int              stop_with;      /* returned by the bars callback */
    int              nrej;
    char             where[8][128], reason[8][160];
};

static int got_bars(const char *symbol, const struct jutsu_bar *b, size_t n, void *arg)
{
    struct got *g = arg;
    g->calls++;
    for (size_t i = 0; i < n && g->n < 64; i++)
        g->bars[g->n++] = b[i];
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

/* Safe on several threads at once (the worker threads below). */
static int fetch_raw(struct sx *x, const char *sym, const char *tf, jutsu_time_t from,
                     jutsu_time_t to, struct got *g)
{
    struct jutsu_fetch_req req = { .size = sizeof(req), .symbol = sym, .timeframe = tf,
                                   .from = from, .to = to };
    struct jutsu_source_sink s = { .size = sizeof(s), .bars = got_bars, .reject = got_reject,
                                   .arg = g };
    int stop_with = g->stop_with;
    memset(g, 0, sizeof(*g));
    g->stop_with = stop_with;
    return x->ops->fetch(x->state, &req, &s);
}

static int fetch_tf(struct sx *x, const char *sym, const char *tf, jutsu_time_t from,
                    jutsu_time_t to, struct got *g)
{
    x->inst->error[0] = '\0';
    return fetch_raw(x, sym, tf, from, to, g);
}

/* QQQ daily, 2024-01-01 .. 2024-01-09: the six bars of the fixture. */
static int fetch_qqq(struct sx *x, const char *sym, struct got *g)
{
    return fetch_tf(x, sym, "1D", T(2024, 1, 1), END_OF(2024, 1, 9), g);
}

static const char *const expect_dates[6] = {
    "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09"
};

/* The six QQQ bars, stamped 06:00Z, equal to conf/sample-data/QQQ.csv. */
static void want_qqq(const struct got *g)
{
    static const jutsu_money_t close[6] = {
        INT64_C(402589996), INT64_C(398329987), INT64_C(396279999),
        INT64_C(396750000), INT64_C(404950012), INT64_C(405750000)
    };
    char path[512], *line = NULL;
    size_t cap = 0;
    ck_assert_uint_eq(g->n, 6);
    ck_assert_int_eq(g->nrej, 0);
    snprintf(path, sizeof(path), "%s/conf/sample-data/QQQ.csv", tu_source_dir());
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int i = 0;
    while (i < 6 && getline(&line, &cap, f) > 0) {
        if (strncmp(line, expect_dates[i], 10) != 0)
            continue;
        /* Date,Open,High,Low,Close,Adj Close,Volume */
        jutsu_money_t px[4];
        char *p = line + 11;
        for (int k = 0; k < 4; k++, p = strchr(p, ',') + 1)
            ck_assert_int_eq(jutsu_money_parse(p, (long)strcspn(p, ","), JUTSU_MONEY_EXACT,
                                               &px[k]), 0);
        const struct jutsu_bar *b = &g->bars[i];
        jutsu_date_t d;
        ck_assert_int_eq(jutsu_date_parse(expect_dates[i], 10, &d), 0);
        ck_assert_int_eq(b->ts, jutsu_date_to_time(d) + 6 * HOUR);
        ck_assert_int_eq(b->open, px[0]);
        ck_assert_int_eq(b->high, px[1]);
        ck_assert_int_eq(b->low, px[2]);
        ck_assert_int_eq(b->close, px[3]);
        ck_assert_int_eq(b->close, close[i]);
        ck_assert_int_eq(b->volume, strtoll(strrchr(line, ',') + 1, NULL, 10));
        ck_assert_uint_eq(b->line, (unsigned)i + 1);
        i++;
    }
    ck_assert_int_eq(i, 6);
    free(line);
    fclose(f);
    ck_assert_int_eq(g->bars[0].open, INT64_C(405839996));
    ck_assert_int_eq(g->bars[0].volume, 58026900);
}

/* --- prices, ranges, timeframes ------------------------------------------ */

START_TEST(daily_exact_prices)
{
    struct sx x;
    struct got g = { 0 };
    char line[512];
    sx_start(&x, NULL);
    put_valid_token(&x, "ACCESS-OK");
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
    want_qqq(&g);
    /* the request as the original system made it, epoch ms, Bearer token */
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "GET /marketdata/v1/pricehistory?symbol=QQQ&periodType=year&period=20"
                     "&frequencyType=daily&frequency=1&startDate=1704067200000"
                     "&endDate=1704844799999&needExtendedHoursData=false Bearer ACCESS-OK -");
    /* a narrower range keeps only its bars, whatever the server sends */
    ck_assert_int_eq(fetch_tf(&x, "QQQ", "1D", T(2024, 1, 3), END_OF(2024, 1, 5), &g), 0);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_int_eq(g.bars[0].ts, T(2024, 1, 3) + 6 * HOUR);
    ck_assert_int_eq(g.bars[2].close, INT64_C(396750000));
    /* a receiver that stops the fetch gets its value back */
    g.stop_with = 7;
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 7);
    ck_assert_int_eq(g.calls, 1);
    sx_stop(&x);
}
END_TEST

START_TEST(json_number_text)
{
    struct sx x;
    struct got g = { 0 };
    sx_start(&x, NULL);
    put_valid_token(&x, "ACCESS-OK");
    ck_assert_int_eq(fetch_qqq(&x, "ODD", &g), 0);
    ck_assert_uint_eq(g.n, 2);
    /* 46.41999816894531 rounds to 46.419998; 4.7e1, 46 and 1.2E7 are read
     * as written; 46.4199985 and 46.4199975 are ties: half to even */
    ck_assert_int_eq(g.bars[0].open, INT64_C(46419998));
    ck_assert_int_eq(g.bars[0].high, INT64_C(47000000));
    ck_assert_int_eq(g.bars[0].low, INT64_C(46000000));
    ck_assert_int_eq(g.bars[0].close, INT64_C(46419998));
    ck_assert_int_eq(g.bars[0].volume, 12000000);
    ck_assert_int_eq(g.bars[1].open, INT64_C(46419998));
    ck_assert_int_eq(g.bars[1].close, INT64_C(100000));
    ck_assert_uint_eq(g.bars[1].line, 7);
    ck_assert_int_eq(g.nrej, 5);
    ck_assert_str_eq(g.where[0], "ODD 1D candle 2 (2024-01-03T06:00:00Z)");
    ck_assert_str_eq(g.reason[0], "close is missing");
    ck_assert_str_eq(g.reason[1], "open abc is not a decimal number");
    ck_assert_str_eq(g.where[2], "ODD 1D candle 4");
    ck_assert_str_eq(g.reason[2], "datetime is missing or not an integer (epoch milliseconds)");
    ck_assert_str_eq(g.reason[3], "volume 100.5 is not a whole number");
    ck_assert_str_eq(g.where[4], "ODD 1D candle 6 (2024-01-05T06:00:00Z)");
    ck_assert_str_eq(g.reason[4], "open 1e300 is out of range");
    sx_stop(&x);
}
END_TEST

START_TEST(hourly_from_half_hours)
{
    struct sx x;
    struct got g = { 0 };
    char line[512];
    sx_start(&x, NULL);
    put_valid_token(&x, "ACCESS-OK");
    ck_assert_int_eq(fetch_tf(&x, "HOURLY", "1H", T(2024, 1, 1), T(2024, 8, 1), &g), 0);
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_msg(strstr(line, "&periodType=day&frequencyType=minute&frequency=30&") != NULL,
                  "%s", line);
    ck_assert_uint_eq(g.n, 4);
    /* 09:30-10:30 EST = 14:30Z: two candles merged */
    ck_assert_int_eq(g.bars[0].ts, T(2024, 1, 2) + 14 * HOUR + HOUR / 2);
    ck_assert_int_eq(g.bars[0].open, INT64_C(405840000));
    ck_assert_int_eq(g.bars[0].high, INT64_C(406090000));
    ck_assert_int_eq(g.bars[0].low, INT64_C(403250000));
    ck_assert_int_eq(g.bars[0].close, INT64_C(404100000));
    ck_assert_int_eq(g.bars[0].volume, 8000000);
    ck_assert_int_eq(g.bars[1].ts, T(2024, 1, 2) + 15 * HOUR + HOUR / 2);
    ck_assert_int_eq(g.bars[1].low, INT64_C(401750000));
    ck_assert_int_eq(g.bars[1].close, INT64_C(402900000));
    /* 15:30-16:00: the last half hour alone */
    ck_assert_int_eq(g.bars[2].ts, T(2024, 1, 2) + 20 * HOUR + HOUR / 2);
    ck_assert_int_eq(g.bars[2].volume, 6000000);
    /* summer time: 09:30 EDT = 13:30Z */
    ck_assert_int_eq(g.bars[3].ts, T(2024, 7, 1) + 13 * HOUR + HOUR / 2);
    ck_assert_int_eq(g.bars[3].close, INT64_C(481750000));
    ck_assert_int_eq(g.bars[3].volume, 7500000);
    /* a timeframe Schwab does not serve: no request */
    ck_assert_int_eq(fetch_tf(&x, "QQQ", "1W", T(2024, 1, 1), T(2024, 8, 1), &g),
                     JUTSU_ENOTFOUND);
    ck_assert_int_eq(fixture_log_count(x.log, "GET "), 1);
    sx_stop(&x);
}
END_TEST

/* A negative volume is a damaged candle: rejected by name, and the rest of
 * its hour still built. The first of the two half hours at 09:30 carries
 * -5000000 (under UBSan, summing it overflowed); the next hour sums
 * INT64_MAX with 2000000 and is held at INT64_MAX. */
START_TEST(negative_volume_rejected)
{
    struct sx x;
    struct got g = { 0 };
    struct opts o = { .routes = "negvol.routes.json" };
    sx_start(&x, &o);
    put_valid_token(&x, "ACCESS-OK");
    ck_assert_int_eq(fetch_tf(&x, "NEGVOL", "1H", T(2024, 1, 1), T(2024, 8, 1), &g), 0);
    ck_assert_int_eq(g.nrej, 1);
    ck_assert_str_eq(g.where[0], "NEGVOL 1H candle 1 (2024-01-02T14:30:00Z)");
    ck_assert_str_eq(g.reason[0], "volume -5000000 is negative (a volume is 0 or more)");
    ck_assert_uint_eq(g.n, 2);
    /* 09:30 EST: the second half hour alone */
    ck_assert_int_eq(g.bars[0].ts, T(2024, 1, 2) + 14 * HOUR + HOUR / 2);
    ck_assert_int_eq(g.bars[0].open, INT64_C(405000000));
    ck_assert_int_eq(g.bars[0].volume, 3000000);
    ck_assert_int_eq(g.bars[1].ts, T(2024, 1, 2) + 15 * HOUR + HOUR / 2);
    ck_assert_int_eq(g.bars[1].volume, INT64_MAX);
    sx_stop(&x);
}
END_TEST

/* --- tokens ------------------------------------------------------------- */

/* _i 0: the access token has expired; 1: it expires within the margin. */
START_TEST(refresh_before_fetch)
{
    struct sx x;
    struct got g = { 0 };
    struct stat before, after;
    char line[512];
    sx_start(&x, NULL);
    int64_t refresh_exp = time(NULL) + 3 * 86400;
    put_token(&x, "ACCESS-OLD", _i == 0 ? time(NULL) - 10 : time(NULL) + 30, refresh_exp,
              0600);
    ck_assert_int_eq(stat(x.token, &before), 0);
    int64_t t0 = wall_s();
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
    want_qqq(&g);
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "POST /v1/oauth/token " BASIC
                     " grant_type=refresh_token&refresh_token=REFRESH-1");
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_msg(strncmp(line, "GET /marketdata/v1/pricehistory?symbol=QQQ&", 43) == 0 &&
                  strstr(line, " Bearer ACCESS-NEW -") != NULL, "%s", line);
    ck_assert_int_eq(fixture_log_count(x.log, "\n"), 2);
    /* a new file (renamed over the old one), 0600, the new tokens */
    ck_assert_int_eq(stat(x.token, &after), 0);
    ck_assert_int_ne(after.st_ino, before.st_ino);
    ck_assert_int_eq(after.st_mode & 07777, 0600);
    json_object *o = json_object_from_file(x.token), *v;
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_object_get_ex(o, "access_token", &v));
    ck_assert_str_eq(json_object_get_string(v), "ACCESS-NEW");
    ck_assert(json_object_object_get_ex(o, "refresh_token", &v));
    ck_assert_str_eq(json_object_get_string(v), "REFRESH-2");
    ck_assert(json_object_object_get_ex(o, "access_expires_at", &v));
    ck_assert_int_ge(json_object_get_int64(v), t0 + 1800);
    ck_assert_int_le(json_object_get_int64(v), wall_s() + 1800);
    /* refreshing does not extend the 7 days of the browser login */
    ck_assert(json_object_object_get_ex(o, "refresh_expires_at", &v));
    ck_assert_int_eq(json_object_get_int64(v), refresh_exp);
    ck_assert(json_object_object_get_ex(o, "obtained_at", &v));
    ck_assert_int_ge(json_object_get_int64(v), t0);
    json_object_put(o);
    /* no temporary file is left behind */
    char *var = NULL, cmd[600];
    ck_assert_int_gt(asprintf(&var, "%s/var", x.dir), 0);
    snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = schwab-token.json", var);
    ck_assert_int_eq(system(cmd), 0);
    free(var);
    /* the next fetch uses the stored token: no second refresh */
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
    ck_assert_int_eq(fixture_log_count(x.log, "POST "), 1);
    ck_assert_int_eq(fixture_log_count(x.log, "Bearer ACCESS-NEW"), 2);
    sx_stop(&x);
}
END_TEST

START_TEST(refresh_token_expired)
{
    struct sx x;
    struct got g = { 0 };
    sx_start(&x, NULL);
    /* 2025-01-09T12:00:00Z */
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, 1736424000, 0600);
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_EAUTH);
    ck_assert_str_eq(x.inst->error, "the Schwab refresh token expired on 2025-01-09T12:00:00Z; "
                     "run `jutsu schwab login` to authorise again");
    ck_assert_uint_eq(g.n, 0);
    char *log = fixture_log_read(x.log);
    ck_assert_str_eq(log, "");    /* neither the token endpoint nor pricehistory */
    free(log);
    sx_stop(&x);
}
END_TEST

START_TEST(refresh_refused)
{
    struct sx x;
    struct got g = { 0 };
    struct opts o = { .routes = "revoked.routes.json" };
    sx_start(&x, &o);
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, time(NULL) + 86400, 0600);
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_EAUTH);
    ck_assert_str_eq(x.inst->error, "Schwab token refresh: the token endpoint answered HTTP 400 "
                     "(invalid_grant: refresh token is invalid or expired): the refresh token "
                     "was refused (revoked, or app_key/app_secret changed?); run `jutsu schwab "
                     "login` to authorise again");
    ck_assert_int_eq(fixture_log_count(x.log, "POST /v1/oauth/token"), 1);
    ck_assert_int_eq(fixture_log_count(x.log, "GET "), 0);
    sx_stop(&x);

    /* a wrong app_secret: 401 from the token endpoint */
    o = (struct opts){ .secret = "wrong" };
    sx_start(&x, &o);
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, time(NULL) + 86400, 0600);
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_EAUTH);
    ck_assert_msg(strstr(x.inst->error, "HTTP 401 (invalid_client: client authentication "
                         "failed)") != NULL, "%s", x.inst->error);
    ck_assert_int_eq(fixture_log_count(x.log, "GET "), 0);
    sx_stop(&x);
}
END_TEST

START_TEST(access_token_rejected)
{
    struct sx x;
    struct got g = { 0 };
    char line[512];
    sx_start(&x, NULL);
    put_valid_token(&x, "STALE");
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
    want_qqq(&g);
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_msg(strstr(line, " Bearer STALE -") != NULL, "%s", line);
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_msg(strncmp(line, "POST /v1/oauth/token " BASIC, 28) == 0, "%s", line);
    fixture_log_line(x.log, 2, line, sizeof(line));
    ck_assert_msg(strstr(line, " Bearer ACCESS-NEW -") != NULL, "%s", line);
    sx_stop(&x);
}
END_TEST

START_TEST(token_file_checks)
{
    struct sx x;
    struct got g = { 0 };
    char want[1024];
    sx_start(&x, NULL);
    /* none yet */
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_EAUTH);
    snprintf(want, sizeof(want), "no Schwab token file at %s: run `jutsu schwab login` to "
             "authorise this app (again every 7 days)", x.token);
    ck_assert_str_eq(x.inst->error, want);
    /* readable by the group */
    put_token(&x, "ACCESS-OK", time(NULL) + 1500, time(NULL) + 86400, 0640);
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_EAUTH);
    snprintf(want, sizeof(want), "the Schwab token file %s is open to other users (mode 0640) "
             "and holds credentials: refusing to use it; run `chmod 600 %s` (and `jutsu schwab "
             "login` if the tokens may have leaked)", x.token, x.token);
    ck_assert_str_eq(x.inst->error, want);
    /* not JSON */
    free(tu_write_file(x.dir, "var/schwab-token.json", "{\"access_token\": "));
    ck_assert_int_eq(chmod(x.token, 0600), 0);
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_EAUTH);
    ck_assert_msg(strstr(x.inst->error, "is not a JSON object") != NULL, "%s", x.inst->error);
    ck_assert_int_eq(fixture_log_count(x.log, "\n"), 0);
    /* fixed: works */
    put_valid_token(&x, "ACCESS-OK");
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
    ck_assert_uint_eq(g.n, 6);
    sx_stop(&x);
}
END_TEST

/* --- HTTP failures and odd answers ------------------------------------- */

static double elapsed_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(http_failures)
{
    struct sx x;
    struct got g = { 0 };
    struct opts o = { .retries = "3" };
    sx_start(&x, &o);
    put_valid_token(&x, "ACCESS-OK");
    /* 429 with Retry-After: 0, then 200 */
    ck_assert_int_eq(fetch_qqq(&x, "RATE", &g), 0);
    ck_assert_uint_eq(g.n, 6);
    ck_assert_int_eq(fixture_log_count(x.log, "?symbol=RATE&"), 2);
    /* 429 for ever */
    ck_assert_int_eq(fetch_qqq(&x, "LIMIT", &g), JUTSU_ERATELIMIT);
    ck_assert_str_eq(x.inst->error, "pricehistory LIMIT 1D: HTTP 429 after 4 attempt(s): "
                     "Schwab's rate limit; lower requests_per_second (Too many requests)");
    ck_assert_int_eq(fixture_log_count(x.log, "?symbol=LIMIT&"), 4);
    /* 500 for ever */
    ck_assert_int_eq(fetch_qqq(&x, "FAIL", &g), JUTSU_ETRANSIENT);
    ck_assert_str_eq(x.inst->error, "pricehistory FAIL 1D: HTTP 500 after 4 attempt(s): "
                     "Schwab's service is failing (internal error)");
    ck_assert_int_eq(fixture_log_count(x.log, "?symbol=FAIL&"), 4);
    ck_assert_uint_eq(g.n, 0);
    /* malformed JSON */
    ck_assert_int_eq(fetch_qqq(&x, "BAD", &g), JUTSU_EMALFORMED);
    ck_assert_str_eq(x.inst->error, "pricehistory BAD 1D: the answer is not a JSON object "
                     "(the text ends inside the JSON, at byte 41 of 41)");
    /* a symbol Schwab refuses */
    ck_assert_int_eq(fetch_qqq(&x, "ZZZZNOTASYMBOL", &g), JUTSU_ENOTFOUND);
    ck_assert_str_eq(x.inst->error, "Schwab does not know the symbol ZZZZNOTASYMBOL (HTTP 400: "
                     "Bad Request: Invalid symbol: ZZZZNOTASYMBOL)");
    sx_stop(&x);
}
END_TEST

START_TEST(retry_after)
{
    struct sx x;
    struct got g = { 0 };
    struct timespec t0;
    char line[512];
    sx_start(&x, NULL);
    put_valid_token(&x, "ACCESS-OK");
    /* Retry-After: 1 is waited for, though backoff_ms is 1 */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(fetch_qqq(&x, "PAUSE", &g), 0);
    double dt = elapsed_since(&t0);
    ck_assert_msg(dt >= 1.0, "Retry-After: 1 waited %.3f s", dt);
    ck_assert_uint_eq(g.n, 6);
    /* Retry-After: 3600 is not: the sync job moves on at once */
    ck_assert_int_eq(fetch_qqq(&x, "WAIT", &g), JUTSU_ERATELIMIT);
    ck_assert_str_eq(x.inst->error, "pricehistory WAIT 1D: HTTP 429 asking to wait more than "
                     "60 s: giving up for now (Too many requests)");
    ck_assert_int_eq(fixture_log_count(x.log, "?symbol=WAIT&"), 1);
    /* 503 (an HTML page) and 502 (no body) are retried */
    ck_assert_int_eq(fetch_qqq(&x, "DOWN", &g), 0);
    ck_assert_uint_eq(g.n, 6);
    ck_assert_int_eq(fixture_log_count(x.log, "?symbol=DOWN&"), 3);
    fixture_log_line(x.log, 3, line, sizeof(line));
    ck_assert_msg(strstr(line, "?symbol=DOWN&") != NULL, "%s", line);
    sx_stop(&x);
}
END_TEST

START_TEST(network_failures)
{
    struct sx x;
    struct got g = { 0 };
    struct opts o = { .retries = "1", .timeout_ms = "200" };
    sx_start(&x, &o);
    put_valid_token(&x, "ACCESS-OK");
    /* the server answers after 1.5 s */
    ck_assert_int_eq(fetch_qqq(&x, "SLOW", &g), JUTSU_ETRANSIENT);
    ck_assert_msg(strncmp(x.inst->error, "pricehistory SLOW 1D: Operation timed out after ",
                          48) == 0 && strstr(x.inst->error, " after 2 attempt(s) (no answer "
                                             "within timeout_ms 200)") != NULL,
                  "%s", x.inst->error);
    ck_assert_int_eq(fixture_log_count(x.log, "?symbol=SLOW&"), 2);
    /* no server at all */
    fixture_stop(&x.http);
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), JUTSU_ETRANSIENT);
    ck_assert_msg(strncmp(x.inst->error, "pricehistory QQQ 1D: Failed to connect to 127.0.0.1 "
                          "port ", 53) == 0 && strstr(x.inst->error, " after 2 attempt(s) (is the "
                          "network up, and api_base/auth_base right?)") != NULL,
                  "%s", x.inst->error);
    sx_stop(&x);
}
END_TEST

START_TEST(empty_answers)
{
    struct sx x;
    struct got g = { 0 };
    sx_start(&x, NULL);
    put_valid_token(&x, "ACCESS-OK");
    /* a long weekend: nothing, and no error */
    ck_assert_int_eq(fetch_tf(&x, "EMPTY", "1D", T(2024, 1, 13), END_OF(2024, 1, 15), &g), 0);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_int_eq(g.calls, 0);
    /* nothing in 60 days: Schwab does not know the symbol */
    ck_assert_int_eq(fetch_tf(&x, "GONE", "1D", T(2024, 1, 1), T(2024, 3, 1), &g),
                     JUTSU_ENOTFOUND);
    ck_assert_str_eq(x.inst->error, "Schwab has no 1D bars of GONE from 2024-01-01 to "
                     "2024-03-01 (30 days or more): an unknown or delisted symbol, or a range "
                     "beyond Schwab's history");
    /* empty, future and pre-1970 ranges ask nothing */
    ck_assert_int_eq(fetch_tf(&x, "QQQ", "1D", T(2024, 1, 9), T(2024, 1, 2), &g), 0);
    ck_assert_int_eq(fetch_tf(&x, "QQQ", "1D", T(2100, 1, 1), T(2100, 2, 1), &g), 0);
    ck_assert_int_eq(fetch_tf(&x, "QQQ", "1D", T(1960, 1, 1), T(1960, 2, 1), &g), 0);
    ck_assert_int_eq(fixture_log_count(x.log, "symbol=QQQ"), 0);
    sx_stop(&x);
}
END_TEST

/* --- the rate limit ------------------------------------------------------ */

START_TEST(rate_limit)
{
    struct sx x;
    struct got g = { 0 };
    struct timespec t0;
    struct opts o = { .rps = "4" };
    sx_start(&x, &o);
    put_valid_token(&x, "ACCESS-OK");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
        ck_assert_uint_eq(g.n, 6);
    }
    /* starts at 0, 0.25 and 0.5 s */
    double dt = elapsed_since(&t0);
    ck_assert_msg(dt >= 0.5, "3 fetches at 4/s took %.3f s", dt);
    struct jutsu_source_caps caps;
    ck_assert_int_eq(x.ops->caps(x.state, &caps), 0);
    ck_assert_int_eq(caps.requests_per_minute, 240);
    ck_assert_uint_eq(caps.flags, JUTSU_SOURCE_CONCURRENT);
    sx_stop(&x);
}
END_TEST

struct worker {
    struct sx *x;
    struct got g;
    int rc;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    w->rc = fetch_raw(w->x, "QQQ", "1D", T(2024, 1, 1), END_OF(2024, 1, 9), &w->g);
    return NULL;
}

/* Four threads at once, with an expired access token: one refresh, the
 * limiter spaces all four requests. */
START_TEST(concurrent_fetches)
{
    struct sx x;
    struct worker w[4];
    pthread_t th[4];
    struct timespec t0;
    struct opts o = { .rps = "4" };
    sx_start(&x, &o);
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, time(NULL) + 86400, 0600);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){ .x = &x };
        ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(w[i].rc, 0);
        ck_assert_uint_eq(w[i].g.n, 6);
    }
    double dt = elapsed_since(&t0);
    ck_assert_msg(dt >= 1.0, "a refresh and 4 fetches at 4/s took %.3f s", dt);
    ck_assert_int_eq(fixture_log_count(x.log, "POST /v1/oauth/token"), 1);
    ck_assert_int_eq(fixture_log_count(x.log, "Bearer ACCESS-NEW"), 4);
    sx_stop(&x);
}
END_TEST

/* --- login ------------------------------------------------------------- */

static int login(struct sx *x, const char *pasted, char **printed)
{
    size_t len;
    FILE *out = open_memstream(printed, &len);
    FILE *in = fmemopen((void *)pasted, strlen(pasted), "r");
    ck_assert(in && out);
    ck_assert_ptr_nonnull(x->ops->login);
    int rc = x->ops->login(x->state, in, out);
    fclose(in);
    fclose(out);
    return rc;
}

START_TEST(login_flow)
{
    struct sx x;
    struct got g = { 0 };
    struct stat st;
    char *printed = NULL, want[512], line[512];
    sx_start(&x, NULL);
    int64_t t0 = wall_s();
    ck_assert_int_eq(login(&x, "  https://127.0.0.1:8182/?code=ABC%40&session=x\n", &printed),
                     0);
    snprintf(want, sizeof(want), "   %s/v1/oauth/authorize?client_id=test-key&redirect_uri="
             "https%%3A%%2F%%2F127.0.0.1%%3A8182\n", x.http.base_url);
    ck_assert_msg(strstr(printed, want) != NULL, "%s", printed);
    ck_assert_msg(strstr(printed, "Authorised. The tokens are in") != NULL, "%s", printed);
    free(printed);
    /* the code decoded from the URL ("ABC@"), sent form-encoded */
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "POST /v1/oauth/token " BASIC " grant_type=authorization_code"
                     "&code=ABC%40&redirect_uri=https%3A%2F%2F127.0.0.1%3A8182");
    ck_assert_int_eq(stat(x.token, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    json_object *o = json_object_from_file(x.token), *v;
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_object_get_ex(o, "refresh_token", &v));
    ck_assert_str_eq(json_object_get_string(v), "REFRESH-2");
    ck_assert(json_object_object_get_ex(o, "refresh_expires_at", &v));
    ck_assert_int_ge(json_object_get_int64(v), t0 + 7 * 86400);
    ck_assert_int_le(json_object_get_int64(v), wall_s() + 7 * 86400);
    json_object_put(o);
    /* and the tokens work */
    ck_assert_int_eq(fetch_qqq(&x, "QQQ", &g), 0);
    ck_assert_int_eq(fixture_log_count(x.log, "Bearer ACCESS-NEW"), 1);

    /* refusals and bad pastes leave the token file alone */
    ck_assert_int_eq(login(&x, "https://127.0.0.1:8182/?error=access_denied\n", &printed),
                     JUTSU_EAUTH);
    free(printed);
    ck_assert_str_eq(x.inst->error, "Schwab did not authorise the app (error=access_denied): "
                     "run `jutsu schwab login` again and approve the access");
    ck_assert_int_eq(login(&x, "https://127.0.0.1:8182/?session=x\n", &printed), JUTSU_EINVAL);
    free(printed);
    ck_assert_int_eq(login(&x, "", &printed), JUTSU_EINVAL);
    free(printed);
    ck_assert_int_eq(login(&x, "ABC%4\n", &printed), JUTSU_EINVAL);
    free(printed);
    ck_assert_int_eq(fixture_log_count(x.log, "POST "), 1);
    /* the bare code works too */
    ck_assert_int_eq(login(&x, "C0.xyz%40\n", &printed), 0);
    free(printed);
    ck_assert_int_eq(fixture_log_count(x.log, "&code=C0.xyz%40&"), 1);
    sx_stop(&x);
}
END_TEST

/* --- the sync job and the conformance suite ----------------------------- */

static int collect_rows(const struct jutsu_bar_row *b, void *arg)
{
    struct got *g = arg;
    if (g->n < 64) {
        g->bars[g->n].ts = b->ts;
        g->bars[g->n].close = b->close;
        g->n++;
    }
    return 0;
}

START_TEST(sync_keys_trading_dates)
{
    struct sx x;
    struct tdb t;
    struct got g = { 0 };
    char *yaml = NULL;
    sx_start(&x, NULL);      /* for the server and the token file */
    put_valid_token(&x, "ACCESS-OK");
    ck_assert_int_gt(asprintf(&yaml,
        "sync:\n  symbols: [QQQ]\n  timeframes: [\"1D\"]\n"
        "plugins:\n  - name: schwab\n    plugin: source-schwab\n    config: {app_key: test-key, "
        "app_secret: test-secret, api_base: \"%s\", auth_base: \"%s\", token_file: \"%s\"}\n",
        x.http.base_url, x.http.base_url, x.token), 0);
    tdb_open_with(&t, 0, 1, yaml);
    free(yaml);
    /* what normalise() relies on: 06:00Z (CST midnight) and 05:00Z (CDT)
     * are early morning of the same date in New York */
    jutsu_date_t d;
    ck_assert_int_eq(jutsu_calendar_local_date(t.app->cal, T(2024, 1, 2) + 6 * HOUR, &d), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2024, 1, 2));
    ck_assert_int_eq(jutsu_calendar_local_date(t.app->cal, T(2024, 7, 1) + 5 * HOUR, &d), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2024, 7, 1));

    struct jutsu_sync_opts o = { .from = jutsu_date_from_ymd(2024, 1, 1),
                                 .to = jutsu_date_from_ymd(2024, 1, 9) };
    struct jutsu_sync_report r;
    ck_assert_int_eq(jutsu_sync_run(t.app, &o, &r), 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.items[0].inserted, 6);
    ck_assert_int_eq(r.items[0].rejected, 0);
    jutsu_sync_report_free(&r);
    ck_assert_int_eq(jutsu_data_bars_range(t.s, "QQQ", "1D", 0, INT64_MAX / 2, 1, collect_rows,
                                           &g), 0);
    ck_assert_uint_eq(g.n, 6);
    for (int i = 0; i < 6; i++) {
        jutsu_date_t want;
        ck_assert_int_eq(jutsu_date_parse(expect_dates[i], 10, &want), 0);
        ck_assert_int_eq(g.bars[i].ts, jutsu_date_to_time(want));   /* 00:00Z of the date */
    }
    ck_assert_int_eq(g.bars[0].close, INT64_C(402589996));
    ck_assert_int_eq(tdb_count(&t, "market_data", "data_source = 'schwab'"), 6);
    tdb_close(&t);
    sx_stop(&x);
}
END_TEST

START_TEST(conformance)
{
    struct sx x;
    struct harness h;
    sx_start(&x, NULL);
    put_valid_token(&x, "ACCESS-OK");
    harness_init_quiet(&h, "FAIL");
    h.app = x.app;
    harness_source_suite(&h, x.inst);
    ck_assert_int_eq(h.failed, 0);
    ck_assert_int_gt(h.passed, 3);
    sx_stop(&x);
}
END_TEST

START_TEST(config_errors)
{
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_load_config_string(app, "bad.yaml",
        "plugins:\n  - name: schwab\n    plugin: source-schwab\n    config: {app_key: k, "
        "app_secret: s, requests_per_second: 0}\nlog: {level: error}\n", &d), 0);
    ck_assert_int_eq(jutsu_app_load_plugins(app, &d), 0);
    jutsu_diag_free(&d);
    ck_assert_int_eq(jutsu_app_start(app), JUTSU_ECONFIG);
    struct jutsu_ctx *inst = jutsu_app_find(app, "schwab");
    ck_assert_str_eq(inst->error, "bad.yaml:4:62: requests_per_second must be above 0 and at "
                     "most 1000 (Schwab allows about 2)");
    jutsu_app_free(app);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("source_schwab");
    TCase *tc = tcase_create("schwab");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, daily_exact_prices);
    tcase_add_test(tc, json_number_text);
    tcase_add_test(tc, hourly_from_half_hours);
    tcase_add_test(tc, negative_volume_rejected);
    tcase_add_loop_test(tc, refresh_before_fetch, 0, 2);
    tcase_add_test(tc, refresh_token_expired);
    tcase_add_test(tc, refresh_refused);
    tcase_add_test(tc, access_token_rejected);
    tcase_add_test(tc, token_file_checks);
    tcase_add_test(tc, http_failures);
    tcase_add_test(tc, retry_after);
    tcase_add_test(tc, network_failures);
    tcase_add_test(tc, empty_answers);
    tcase_add_test(tc, rate_limit);
    tcase_add_test(tc, concurrent_fetches);
    tcase_add_test(tc, login_flow);
    tcase_add_test(tc, sync_keys_trading_dates);
    tcase_add_test(tc, conformance);
    tcase_add_test(tc, config_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
