/*
 * tests/unit/test_broker_schwab.c — the broker-schwab plugin, loaded as
 * the real plugin by the real host ($JUTSU_PLUGIN_PATH/broker-schwab.so),
 * talking HTTP to fixture-httpd (tests/fixtures/httpd) scripted by the
 * routes files in tests/fixtures/schwab-trader, whose order answers have
 * the shape of Schwab's. The order routes match only the exact JSON body
 * Schwab expects (body_json) with Content-Type: application/json, and
 * every request the plugin makes is read back from the server's log
 * (method, URI, Authorization, body).
 *
 * Covers: the order body; a filled order's exact average price; a
 * rejection and its reason; a partial fill, cancelled; live statuses;
 * executions not reported yet; the token file (an expired access token
 * refreshed, a revoked refresh token, a 401); 429, 5xx, timeouts and no
 * server, for reads and for orders (never sent twice when the outcome is
 * unknown); the plugin disabled (nothing sent); the account hash looked
 * up from the account number; bad arguments and bad configs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jutsu/broker.h"
#include "jutsu/error.h"
#include "host/app.h"
#include "fixture.h"
#include "testutil.h"

/* the account of the fixtures (accounts.json: number 12345678) */
#define HASH   "8F2A6C0E4B1D9F3A7C5E2B0D8F6A4C1E3B5D7F9A0C2E4B6D8F1A3C5E7B9D0F2A"
#define ORDERS "/trader/v1/accounts/" HASH "/orders"
/* base64("test-key:test-secret") */
#define BASIC  "Basic dGVzdC1rZXk6dGVzdC1zZWNyZXQ="
#define LOOK   "the order may have been placed: look at the account's orders at Schwab " \
               "before placing it again"

/* --- fixture: fixture-httpd plus an app with one broker-schwab "schwab" --- */

struct bx {
    struct fixture                 http;
    char                          *dir;     /* temp dir                       */
    char                          *token;   /* dir/var/schwab-token.json      */
    char                          *log;     /* dir/requests.log               */
    struct jutsu_app              *app;
    struct jutsu_ctx              *inst;
    const struct jutsu_broker_ops *ops;
    void                          *state;
};

struct opts {
    const char *routes;       /* in tests/fixtures/schwab-trader; default trader.routes.json */
    const char *enabled;      /* default true; "" leaves the key out */
    const char *account;      /* config line; default account_hash: HASH */
    const char *retries;      /* default 3 */
    const char *timeout_ms;   /* default 5000 */
};

/* The instance's config; the account is on line 6 (5 without enabled). */
static char *config_yaml(const struct bx *x, const struct opts *o)
{
    char *yaml = NULL, *enabled = NULL;
    const char *e = o && o->enabled ? o->enabled : "true";
    ck_assert_int_ge(asprintf(&enabled, "%s%s%s", *e ? "      enabled: " : "", e,
                              *e ? "\n" : ""), 0);
    ck_assert_int_gt(asprintf(&yaml,
        "plugins:\n  - name: schwab\n    plugin: broker-schwab\n    config:\n"
        "%s      %s\n"
        "      app_key: test-key\n      app_secret: test-secret\n"
        "      api_base: \"%s\"\n      auth_base: \"%s/\"\n      token_file: \"%s\"\n"
        "      requests_per_second: 1000\n      retries: %s\n      timeout_ms: %s\n"
        "      backoff_ms: 1\nlog: {level: error}\n", enabled,
        o && o->account ? o->account : "account_hash: " HASH, x->http.base_url,
        x->http.base_url, x->token, o && o->retries ? o->retries : "3",
        o && o->timeout_ms ? o->timeout_ms : "5000"), 0);
    free(enabled);
    return yaml;
}

/* Starts the server and loads the app; returns jutsu_app_start's code. */
static int bx_try(struct bx *x, const struct opts *o)
{
    char *routes = NULL, *yaml;
    struct jutsu_diag d;
    memset(x, 0, sizeof(*x));
    x->dir = tu_tmpdir();
    ck_assert_int_gt(asprintf(&x->token, "%s/var/schwab-token.json", x->dir), 0);
    ck_assert_int_gt(asprintf(&x->log, "%s/requests.log", x->dir), 0);
    ck_assert_int_gt(asprintf(&routes, "%s/tests/fixtures/schwab-trader/%s", tu_source_dir(),
                              o && o->routes ? o->routes : "trader.routes.json"), 0);
    setenv("FIXTURE_LOG", x->log, 1);
    ck_assert_msg(fixture_start(routes, &x->http) == 0, "fixture-httpd did not start");
    free(routes);
    yaml = config_yaml(x, o);
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
    rc = jutsu_app_start(x->app);
    x->state = x->inst->state;
    return rc;
}

static void bx_start(struct bx *x, const struct opts *o)
{
    ck_assert_int_eq(bx_try(x, o), 0);
}

static void bx_stop(struct bx *x)
{
    jutsu_app_free(x->app);
    fixture_stop(&x->http);
    tu_rmtree(x->dir);
    free(x->dir);
    free(x->token);
    free(x->log);
}

/* Writes the token file as `jutsu schwab login` would. */
static void put_token(struct bx *x, const char *access, int64_t access_exp, int64_t refresh_exp)
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
    ck_assert_int_eq(chmod(x->token, 0600), 0);
    free(text);
    free(dir);
}

static void put_valid_token(struct bx *x)
{
    put_token(x, "ACCESS-OK", time(NULL) + 1500, time(NULL) + 5 * 86400);
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* --- calling the ops ------------------------------------------------------ */

static int place(struct bx *x, uint32_t side, int32_t qty, const char *sym, char id[64])
{
    struct jutsu_order o = { .size = sizeof(o), .side = side, .symbol = sym, .quantity = qty };
    x->inst->error[0] = '\0';
    memset(id, 'x', JUTSU_ORDER_ID_SIZE);
    return x->ops->place(x->state, &o, id);
}

static int status(struct bx *x, const char *id, struct jutsu_fill *f)
{
    memset(f, 0x5a, sizeof(*f));      /* whatever the plugin leaves shows */
    f->size = sizeof(*f);
    x->inst->error[0] = '\0';
    return x->ops->status(x->state, id, f);
}

static int cancel(struct bx *x, const char *id)
{
    x->inst->error[0] = '\0';
    return x->ops->cancel(x->state, id);
}

/* The body Schwab expects for BUY 150 QQQ, as the plugin writes it. */
#define ORDER_150_QQQ                                                                    \
    "{\"orderType\":\"MARKET\",\"session\":\"NORMAL\",\"duration\":\"DAY\","              \
    "\"orderStrategyType\":\"SINGLE\",\"orderLegCollection\":[{\"instruction\":\"BUY\","   \
    "\"quantity\":150,\"instrument\":{\"symbol\":\"QQQ\",\"assetType\":\"EQUITY\"}}]}"

/* --- orders ------------------------------------------------------------- */

START_TEST(place_exact_body)
{
    struct bx x;
    char id[64], line[1024];
    bx_start(&x, NULL);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), 0);
    ck_assert_str_eq(id, "1000001");    /* the tail of Location */
    /* the route matched the body as JSON; the log has its exact text */
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "POST " ORDERS " Bearer ACCESS-OK " ORDER_150_QQQ);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_SELL, 10, "QQQ", id), 0);
    ck_assert_str_eq(id, "1000002");
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_msg(strstr(line, "[{\"instruction\":\"SELL\",\"quantity\":10,\"instrument\":"
                         "{\"symbol\":\"QQQ\",") != NULL, "%s", line);
    ck_assert_int_eq(fixture_log_count(x.log, "\n"), 2);   /* one request per order, no lookup */
    bx_stop(&x);
}
END_TEST

START_TEST(filled_exact_average)
{
    struct bx x;
    struct jutsu_fill f;
    char line[512];
    bx_start(&x, NULL);
    put_valid_token(&x);
    ck_assert_int_eq(status(&x, "1000001", &f), 0);
    ck_assert_uint_eq(f.size, sizeof(f));
    ck_assert_uint_eq(f.status, JUTSU_ORDER_FILLED);
    ck_assert_int_eq(f.filled_quantity, 150);
    /* (100 x 412.51 + 50 x 412.52) / 150 = 412.5133333...: half to even */
    ck_assert_int_eq(f.avg_price, INT64_C(412513333));
    ck_assert_str_eq(f.order_id, "1000001");
    ck_assert_str_eq(f.reason, "FILLED");
    ck_assert_uint_eq(f.reserved0, 0);
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "GET " ORDERS "/1000001 Bearer ACCESS-OK -");
    bx_stop(&x);
}
END_TEST

/* Ties round half to even: neither truncated nor rounded half up. */
START_TEST(average_rounding)
{
    struct bx x;
    struct jutsu_fill f;
    bx_start(&x, NULL);
    put_valid_token(&x);
    /* 1 @ 10.000001 and 1 @ 10.000002: 10.0000015, up to the even 10.000002 */
    ck_assert_int_eq(status(&x, "1000012", &f), 0);
    ck_assert_int_eq(f.filled_quantity, 2);
    ck_assert_int_eq(f.avg_price, INT64_C(10000002));
    /* 1 @ 10.000002 and 1 @ 10.000003: 10.0000025, down to the even 10.000002 */
    ck_assert_int_eq(status(&x, "1000013", &f), 0);
    ck_assert_int_eq(f.avg_price, INT64_C(10000002));
    bx_stop(&x);
}
END_TEST

START_TEST(rejected_reason)
{
    struct bx x;
    struct jutsu_fill f;
    char id[64];
    bx_start(&x, NULL);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_SELL, 10, "QQQ", id), 0);
    ck_assert_int_eq(status(&x, id, &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_REJECTED);
    ck_assert_int_eq(f.filled_quantity, 0);
    ck_assert_int_eq(f.avg_price, 0);
    ck_assert_str_eq(f.reason, "You do not have enough shares of QQQ in this account to sell "
                     "10.");
    bx_stop(&x);
}
END_TEST

START_TEST(partial_then_cancelled)
{
    struct bx x;
    struct jutsu_fill f;
    char line[512];
    bx_start(&x, NULL);
    put_valid_token(&x);
    /* WORKING with 100 of 150 filled: 60 @ 412.60 and 40 @ 412.615 */
    ck_assert_int_eq(status(&x, "1000003", &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_PARTIAL);
    ck_assert_int_eq(f.filled_quantity, 100);
    ck_assert_int_eq(f.avg_price, INT64_C(412606000));
    ck_assert_str_eq(f.reason, "WORKING");
    ck_assert_int_eq(cancel(&x, "1000003"), 0);
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_str_eq(line, "DELETE " ORDERS "/1000003 Bearer ACCESS-OK -");
    /* cancelled: the 100 shares and their price stay */
    ck_assert_int_eq(status(&x, "1000003", &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_CANCELLED);
    ck_assert_int_eq(f.filled_quantity, 100);
    ck_assert_int_eq(f.avg_price, INT64_C(412606000));
    ck_assert_str_eq(f.reason, "Order canceled at the request of the customer.");
    /* a final order cannot be cancelled */
    ck_assert_int_eq(cancel(&x, "1000001"), JUTSU_EINVAL);
    ck_assert_str_eq(x.inst->error, "cancel of Schwab order 1000001: Schwab will not cancel it "
                     "(HTTP 400: Order 1000001 cannot be canceled: it is FILLED); it is "
                     "probably filled, cancelled or expired already: its status says");
    bx_stop(&x);
}
END_TEST

START_TEST(live_statuses)
{
    static const char *const live[] = { "1000004", "1000005", "1000006", "1000007" };
    static const char *const names[] = { "WORKING", "QUEUED", "ACCEPTED",
                                         "PENDING_ACTIVATION" };
    struct bx x;
    struct jutsu_fill f;
    bx_start(&x, NULL);
    put_valid_token(&x);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(status(&x, live[i], &f), 0);
        ck_assert_uint_eq(f.status, JUTSU_ORDER_PENDING);
        ck_assert_int_eq(f.filled_quantity, 0);
        ck_assert_int_eq(f.avg_price, 0);
        ck_assert_str_eq(f.reason, names[i]);
        ck_assert_str_eq(f.order_id, live[i]);
    }
    /* a DAY order that ran out, nothing filled */
    ck_assert_int_eq(status(&x, "1000008", &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_CANCELLED);
    ck_assert_int_eq(f.filled_quantity, 0);
    ck_assert_str_eq(f.reason, "EXPIRED (a DAY order ends with the session)");
    /* FILLED before its executions are reported: ask again */
    ck_assert_int_eq(status(&x, "1000009", &f), JUTSU_ETRANSIENT);
    ck_assert_str_eq(x.inst->error, "status of Schwab order 1000009: FILLED with 5 share(s) "
                     "filled but executions for 0 reported so far: ask again shortly");
    ck_assert_int_eq(status(&x, "1000009", &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_FILLED);
    ck_assert_int_eq(f.filled_quantity, 5);
    /* 2 @ 99.9950011 (read as 99.995001) and 3 @ 99.995002: 99.9950016
     * rounds up (truncating would say 99.995001) */
    ck_assert_int_eq(f.avg_price, INT64_C(99995002));
    /* answers that cannot be taken: an orderId of null, a fraction of a share */
    ck_assert_int_eq(status(&x, "1000098", &f), JUTSU_EMALFORMED);
    ck_assert_str_eq(x.inst->error, "status of Schwab order 1000098: the answer cannot be read "
                     "(it is about order null)");
    ck_assert_int_eq(status(&x, "1000097", &f), JUTSU_EMALFORMED);
    ck_assert_str_eq(x.inst->error, "status of Schwab order 1000097: the answer cannot be read "
                     "(filledQuantity is not a whole number of shares)");
    /* an order Schwab does not know */
    ck_assert_int_eq(status(&x, "9999999", &f), JUTSU_ENOTFOUND);
    ck_assert_str_eq(x.inst->error, "status of Schwab order 9999999: Schwab does not know it "
                     "(HTTP 404: Order not found)");
    bx_stop(&x);
}
END_TEST

/* --- tokens --------------------------------------------------------------- */

START_TEST(expired_access_token_refreshed)
{
    struct bx x;
    char id[64], line[1024];
    bx_start(&x, NULL);
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, time(NULL) + 3 * 86400);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), 0);
    ck_assert_str_eq(id, "1000001");
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "POST /v1/oauth/token " BASIC
                     " grant_type=refresh_token&refresh_token=REFRESH-1");
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_str_eq(line, "POST " ORDERS " Bearer ACCESS-NEW " ORDER_150_QQQ);
    /* the new tokens were written back, 0600, for source-schwab too */
    struct stat st;
    ck_assert_int_eq(stat(x.token, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    json_object *o = json_object_from_file(x.token), *v;
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_object_get_ex(o, "access_token", &v));
    ck_assert_str_eq(json_object_get_string(v), "ACCESS-NEW");
    json_object_put(o);
    struct jutsu_fill f;
    ck_assert_int_eq(status(&x, id, &f), 0);
    ck_assert_int_eq(fixture_log_count(x.log, "POST /v1/oauth/token"), 1);
    ck_assert_int_eq(fixture_log_count(x.log, "Bearer ACCESS-NEW"), 2);
    bx_stop(&x);
}
END_TEST

START_TEST(access_token_rejected)
{
    struct bx x;
    char id[64], line[1024];
    bx_start(&x, NULL);
    put_token(&x, "STALE", time(NULL) + 1500, time(NULL) + 3 * 86400);
    /* 401 means the order was not taken: refreshed and sent once more */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), 0);
    ck_assert_str_eq(id, "1000001");
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_msg(starts(line, "POST " ORDERS " Bearer STALE {"), "%s", line);
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_msg(starts(line, "POST /v1/oauth/token " BASIC " grant_type=refresh_token"),
                  "%s", line);
    fixture_log_line(x.log, 2, line, sizeof(line));
    ck_assert_msg(starts(line, "POST " ORDERS " Bearer ACCESS-NEW {"), "%s", line);
    ck_assert_int_eq(fixture_log_count(x.log, "\n"), 3);
    bx_stop(&x);
}
END_TEST

START_TEST(refresh_token_revoked)
{
    struct bx x;
    struct jutsu_fill f;
    char id[64];
    struct opts o = { .routes = "revoked.routes.json" };
    bx_start(&x, &o);
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, time(NULL) + 86400);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), JUTSU_EAUTH);
    ck_assert_str_eq(id, "");
    ck_assert_str_eq(x.inst->error, "Schwab token refresh: the token endpoint answered HTTP 400 "
                     "(invalid_grant: refresh token is invalid or expired): the refresh token "
                     "was refused (revoked, or app_key/app_secret changed?); run `jutsu schwab "
                     "login` to authorise again");
    ck_assert_int_eq(status(&x, "1000001", &f), JUTSU_EAUTH);
    ck_assert_int_eq(cancel(&x, "1000001"), JUTSU_EAUTH);
    /* no order request reached Schwab, only the refresh attempts */
    ck_assert_int_eq(fixture_log_count(x.log, "POST /v1/oauth/token"), 3);
    ck_assert_int_eq(fixture_log_count(x.log, ORDERS), 0);
    bx_stop(&x);

    /* a refresh token past its 7 days: nothing is even asked */
    bx_start(&x, &o);
    put_token(&x, "ACCESS-OLD", time(NULL) - 10, 1736424000);   /* 2025-01-09T12:00:00Z */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), JUTSU_EAUTH);
    ck_assert_str_eq(x.inst->error, "the Schwab refresh token expired on 2025-01-09T12:00:00Z; "
                     "run `jutsu schwab login` to authorise again");
    char *log = fixture_log_read(x.log);
    ck_assert_str_eq(log, "");
    free(log);
    bx_stop(&x);
}
END_TEST

/* --- HTTP failures ------------------------------------------------------- */

START_TEST(rate_limited_then_placed)
{
    struct bx x;
    char id[64];
    bx_start(&x, NULL);
    put_valid_token(&x);
    /* a 429 means Schwab took nothing: the order is sent again */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "RATE", id), 0);
    ck_assert_str_eq(id, "1000010");
    ck_assert_int_eq(fixture_log_count(x.log, "\"symbol\":\"RATE\""), 2);
    bx_stop(&x);
}
END_TEST

START_TEST(server_errors)
{
    struct bx x;
    struct jutsu_fill f;
    char id[64];
    bx_start(&x, NULL);
    put_valid_token(&x);
    /* reads are retried, then give up */
    ck_assert_int_eq(status(&x, "1000500", &f), JUTSU_ETRANSIENT);
    ck_assert_str_eq(x.inst->error, "status of Schwab order 1000500: HTTP 500 after 4 "
                     "attempt(s): Schwab's service is failing (internal error)");
    ck_assert_int_eq(fixture_log_count(x.log, "GET " ORDERS "/1000500 "), 4);
    /* an order answered 500 may stand: never sent twice */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "FAIL", id), JUTSU_ETIMEDOUT);
    ck_assert_str_eq(id, "");
    ck_assert_str_eq(x.inst->error, "place BUY 1 FAIL: the request reached Schwab but no "
                     "certain answer came back (HTTP 500: internal error), so it was not sent "
                     "again: " LOOK);
    ck_assert_int_eq(fixture_log_count(x.log, "\"symbol\":\"FAIL\""), 1);
    /* accepted, but without an id to follow it by */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "LOST", id), JUTSU_ETIMEDOUT);
    ck_assert_str_eq(x.inst->error, "place BUY 1 LOST: Schwab accepted the order (HTTP 201) but "
                     "gave no order id (Location ending \"none\"): " LOOK);
    ck_assert_int_eq(fixture_log_count(x.log, "\"symbol\":\"LOST\""), 1);
    /* a Location without a usable id: the message shows its end, never the
     * account hash before it */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "HALF", id), JUTSU_ETIMEDOUT);
    ck_assert_str_eq(x.inst->error, "place BUY 1 HALF: Schwab accepted the order (HTTP 201) but "
                     "gave no order id (Location ending \"no id!\"): " LOOK);
    /* any 2xx is an acceptance */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "ODD", id), 0);
    ck_assert_str_eq(id, "1000088");
    /* neither accepted nor refused (a redirect is not followed): may be live */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "MOVED", id), JUTSU_ETIMEDOUT);
    ck_assert_str_eq(x.inst->error, "place BUY 1 MOVED: HTTP 302 from Schwab, neither an "
                     "acceptance nor a refusal: " LOOK);
    ck_assert_int_eq(fixture_log_count(x.log, "\"symbol\":\"MOVED\""), 1);
    /* refused outright: nothing stands */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "NOPE", id), JUTSU_EINVAL);
    ck_assert_str_eq(x.inst->error, "place BUY 1 NOPE: Schwab refused the request (HTTP 400: "
                     "Invalid symbol: NOPE)");
    bx_stop(&x);
}
END_TEST

START_TEST(network_failures)
{
    struct bx x;
    char id[64];
    struct opts o = { .retries = "1", .timeout_ms = "200" };
    bx_start(&x, &o);
    put_valid_token(&x);
    /* the answer comes after 1.5 s: the order was sent, its fate unknown */
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "SLOW", id), JUTSU_ETIMEDOUT);
    ck_assert_msg(starts(x.inst->error, "place BUY 1 SLOW: the request reached Schwab but no "
                         "certain answer came back (Operation timed out after ") &&
                  strstr(x.inst->error, "), so it was not sent again: " LOOK) != NULL,
                  "%s", x.inst->error);
    ck_assert_int_eq(fixture_log_count(x.log, "\"symbol\":\"SLOW\""), 1);
    /* no server: nothing was sent, so retrying was safe, and it is not placed */
    fixture_stop(&x.http);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), JUTSU_ETRANSIENT);
    ck_assert_msg(starts(x.inst->error, "place BUY 150 QQQ: Failed to connect to 127.0.0.1 "
                         "port ") && strstr(x.inst->error, " after 2 attempt(s)") != NULL,
                  "%s", x.inst->error);
    bx_stop(&x);
}
END_TEST

/* --- safety and arguments -------------------------------------------------- */

START_TEST(disabled_sends_nothing)
{
    struct bx x;
    struct jutsu_fill f;
    char id[64];
    struct opts o = { .enabled = "false" };
    bx_start(&x, &o);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), JUTSU_ENOTSUP);
    ck_assert_str_eq(id, "");
    ck_assert_str_eq(x.inst->error, "instance schwab (broker-schwab) is not enabled, so it places "
                     "no orders and sent nothing: to trade real money through Schwab, set "
                     "`enabled: true` in its config");
    char *log = fixture_log_read(x.log);
    ck_assert_str_eq(log, "");      /* not even the token endpoint */
    free(log);
    /* orders placed before can still be followed and cancelled */
    ck_assert_int_eq(status(&x, "1000003", &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_PARTIAL);
    ck_assert_int_eq(cancel(&x, "1000003"), 0);
    ck_assert_int_eq(fixture_log_count(x.log, "POST "), 0);
    bx_stop(&x);

    /* the default is off */
    o.enabled = "";
    bx_start(&x, &o);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), JUTSU_ENOTSUP);
    log = fixture_log_read(x.log);
    ck_assert_str_eq(log, "");
    free(log);
    bx_stop(&x);
}
END_TEST

START_TEST(bad_arguments)
{
    struct bx x;
    struct jutsu_fill f;
    char id[64];
    bx_start(&x, NULL);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, 0, 1, "QQQ", id), JUTSU_EINVAL);   /* a zeroed side */
    ck_assert_str_eq(x.inst->error, "place: side 0 is neither JUTSU_ORDER_BUY (1) nor "
                     "JUTSU_ORDER_SELL (2): nothing was sent");
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 0, "QQQ", id), JUTSU_EINVAL);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_SELL, -5, "QQQ", id), JUTSU_EINVAL);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "", id), JUTSU_EINVAL);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "qqq", id), JUTSU_EINVAL);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, "QQQ\",\"x\":\"", id), JUTSU_EINVAL);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 1, NULL, id), JUTSU_EINVAL);
    ck_assert_str_eq(x.inst->error, "place: symbol \"\" is not an equity symbol as Schwab writes "
                     "them (1 to 15 of A-Z, 0-9, '.', '/', '-'): nothing was sent");
    struct jutsu_order small = { .size = 8, .side = JUTSU_ORDER_BUY, .symbol = "QQQ",
                                 .quantity = 1 };
    ck_assert_int_eq(x.ops->place(x.state, &small, id), JUTSU_EINVAL);
    ck_assert_int_eq(x.ops->place(x.state, NULL, id), JUTSU_EINVAL);
    /* ids go into URLs: only what place can return */
    ck_assert_int_eq(status(&x, "../accountNumbers", &f), JUTSU_EINVAL);
    ck_assert_int_eq(status(&x, "", &f), JUTSU_EINVAL);
    ck_assert_int_eq(status(&x, NULL, &f), JUTSU_EINVAL);
    ck_assert_int_eq(cancel(&x, "1000003?x=1"), JUTSU_EINVAL);
    ck_assert_str_eq(x.inst->error, "cancel: \"1000003?x=1\" is not a Schwab order id (place "
                     "returns them: 1 to 63 of A-Z, a-z, 0-9, '.', '_', '-')");
    f.size = 16;
    ck_assert_int_eq(x.ops->status(x.state, "1000001", &f), JUTSU_EINVAL);
    ck_assert_int_eq(x.ops->status(x.state, "1000001", NULL), JUTSU_EINVAL);
    char *log = fixture_log_read(x.log);
    ck_assert_str_eq(log, "");
    free(log);
    bx_stop(&x);
}
END_TEST

/* --- the account ------------------------------------------------------------- */

START_TEST(account_hash_from_number)
{
    struct bx x;
    struct jutsu_fill f;
    char id[64], line[1024];
    struct opts o = { .account = "account_number: \"12345678\"" };
    bx_start(&x, &o);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), 0);
    ck_assert_str_eq(id, "1000001");
    ck_assert_int_eq(status(&x, id, &f), 0);
    ck_assert_uint_eq(f.status, JUTSU_ORDER_FILLED);
    fixture_log_line(x.log, 0, line, sizeof(line));
    ck_assert_str_eq(line, "GET /trader/v1/accounts/accountNumbers Bearer ACCESS-OK -");
    fixture_log_line(x.log, 1, line, sizeof(line));
    ck_assert_msg(starts(line, "POST " ORDERS " Bearer ACCESS-OK {"), "%s", line);
    /* looked up once */
    ck_assert_int_eq(fixture_log_count(x.log, "accountNumbers"), 1);
    ck_assert_int_eq(fixture_log_count(x.log, "\n"), 3);
    bx_stop(&x);

    /* a number this login cannot trade: said, masked, nothing placed */
    o.account = "account_number: \"99990000\"";
    bx_start(&x, &o);
    put_valid_token(&x);
    ck_assert_int_eq(place(&x, JUTSU_ORDER_BUY, 150, "QQQ", id), JUTSU_ECONFIG);
    ck_assert_str_eq(x.inst->error, "account_number ***0000 is not among the 2 account(s) this "
                     "Schwab login can trade (***0001, ***5678): check account_number, or run "
                     "`jutsu schwab login` and approve that account");
    ck_assert_int_eq(fixture_log_count(x.log, "POST "), 0);
    bx_stop(&x);
}
END_TEST

START_TEST(config_errors)
{
    static const struct {
        const char *account, *error;
    } cases[] = {
        { "# no account", "which Schwab account? set account_number (the hash is then looked up once) or "
                "account_hash in the broker-schwab config" },
        { "account_hash: ABC\n      account_number: \"1234\"",
          "test.yaml:7:23: give account_hash or account_number, not both (the hash is what the "
          "API takes; the number is looked up)" },
        { "account_hash: \"../x\"", "test.yaml:6:21: account_hash must be the hashValue Schwab "
                                    "lists for the account (letters and digits)" },
        { "account_number: 1234-5", "test.yaml:6:23: account_number must be the account's "
                                    "digits, as Schwab shows them" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bx x;
        struct opts o = { .account = cases[i].account };
        ck_assert_int_eq(bx_try(&x, &o), JUTSU_ECONFIG);
        ck_assert_str_eq(x.inst->error, cases[i].error);
        bx_stop(&x);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("broker_schwab");
    TCase *tc = tcase_create("schwab");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, place_exact_body);
    tcase_add_test(tc, filled_exact_average);
    tcase_add_test(tc, average_rounding);
    tcase_add_test(tc, rejected_reason);
    tcase_add_test(tc, partial_then_cancelled);
    tcase_add_test(tc, live_statuses);
    tcase_add_test(tc, expired_access_token_refreshed);
    tcase_add_test(tc, access_token_rejected);
    tcase_add_test(tc, refresh_token_revoked);
    tcase_add_test(tc, rate_limited_then_placed);
    tcase_add_test(tc, server_errors);
    tcase_add_test(tc, network_failures);
    tcase_add_test(tc, disabled_sends_nothing);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, account_hash_from_number);
    tcase_add_test(tc, config_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
