/*
 * tests/unit/test_trade.c — the trading job and the backtest, both
 * backends, on the real sample data, with the test strategy (one symbol,
 * fully invested after its warm-up) and the test broker: every fill at the
 * same day's price, exact cash arithmetic, one trade per strategy and day,
 * isolation, no trade on a stale price, a restart mid-history, the broker
 * loop (fills, rejections, partial fills cancelled at the timeout),
 * parameter overrides, and a backtest that leaves nothing behind.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "jutsu/error.h"
#include "bus/bus.h"
#include "jobs/backtest.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "fixture.h"
#include "trading/params.h"
#include "market/sync.h"
#include "testdb.h"
#include "trading/trade.h"

#define SEC INT64_C(1000000)

/* The instant the apps' tdb_clock reads. Static, not the tdb's own `now`:
 * the checked teardown frees a copy of the tdb (g_open below) after a failed
 * assertion has left the test, whose tdb is then gone. */
static jutsu_time_t g_now;

#define BASE_YAML \
    "plugin_path: [\"%s\"]\n" \
    "sync: {symbols: [QQQ, TLT, PSQ], sources: [sample]}\n" \
    "trading: {commission_per_share: \"0.01\", slippage: \"0.001\", order_timeout_s: %d,\n" \
    "          poll_interval_ms: 50}\n" \
    "plugins:\n" \
    "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n" \
    "  - {name: kpi, plugin: kpi-standard}\n" \
    "  - {name: s1, plugin: tp-strategy, config: {warmup: 5}}\n" \
    "  - {name: s1b, plugin: tp-strategy, config: {warmup: 5}}\n" \
    "  - {name: s2, plugin: tp-strategy, initial_capital: \"50000\", config: {symbol: TLT}}\n" \
    "%s"

/* The broker loop cancels an order still working after order_timeout_s:
 * 1 s keeps the test broker's partial fill (working until cancelled) quick;
 * a test whose broker reaches a final status by itself gets a bound no
 * slow run (valgrind on a busy machine) comes near, so that its outcome
 * never depends on how fast the polls are. */
#define QUICK_TIMEOUT_S    1
#define GENEROUS_TIMEOUT_S 60

static char *yaml_with(const char *more, int order_timeout_s)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y, BASE_YAML, getenv("JUTSU_TEST_PLUGIN_DIR"), order_timeout_s,
                              tu_source_dir(), more ? more : ""), 0);
    return y;
}

/* What a test holds open, released by the checked teardown when a failed
 * assertion ends the test early: with CK_FORK=no (scripts/valgrind.sh) the
 * connections would stay open, and their memory would read as leaks that
 * hide the failed check. A copy of the test's tdb (its pointers do not
 * change while it is open), the second app of a restart, the config text
 * while the database opens. */
static struct tdb        g_open;
static int               g_is_open;
static struct jutsu_app *g_app2;
static char             *g_yaml;

static void release_open(void)
{
    free(g_yaml);
    g_yaml = NULL;
    if (g_app2) {
        jutsu_app_free(g_app2);
        g_app2 = NULL;
    }
    if (g_is_open) {
        g_is_open = 0;
        tdb_close(&g_open);
    }
}

static int open_trade_with(struct tdb *t, int i, const char *more, int order_timeout_s)
{
    g_yaml = yaml_with(more, order_timeout_s);
    tdb_open_with(t, i, 1, g_yaml);
    free(g_yaml);
    g_yaml = NULL;
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    t->app->clock = tdb_clock;
    t->app->clock_arg = &g_now;
    g_now = jutsu_date_to_time(tdb_ymd(2026, 5, 14));
    g_open = *t;
    g_is_open = 1;
    tdb_sync(t);
    return 1;
}

static int open_trade(struct tdb *t, int i, const char *more)
{
    return open_trade_with(t, i, more, QUICK_TIMEOUT_S);
}

static void close_trade(struct tdb *t)
{
    g_is_open = 0;
    tdb_close(t);
}

/* Runs the job for one strategy and day; returns its outcome. */
static int run(struct jutsu_app *app, const char *strategy, jutsu_date_t d,
               struct jutsu_trade_result *out)
{
    struct jutsu_trade_report r;
    int rc = jutsu_trade_run(app, d, strategy, "manual", &r);
    ck_assert_msg(rc == 0 || rc == JUTSU_EPLUGIN, "trade run: %s", r.error);
    ck_assert_uint_eq(r.n, 1);
    if (out)
        *out = r.v[0];
    int outcome = r.v[0].outcome;
    jutsu_trade_report_free(&r);
    return outcome;
}

static jutsu_money_t close_on(struct tdb *t, const char *sym, jutsu_date_t d)
{
    jutsu_time_t ts;
    jutsu_money_t c;
    ck_assert_int_eq(jutsu_data_close_before(t->s, sym, "1D", jutsu_date_to_time(d + 1), &ts, &c),
                     0);
    ck_assert_int_eq(jutsu_time_to_date(ts), d);
    return c;
}

struct trades {
    struct jutsu_trade_row r[64];
    char sym[64][16], act[64][8], exec[64][12];
    size_t n;
};

static int take_trade(const void *row, void *arg)
{
    struct trades *x = arg;
    ck_assert_uint_lt(x->n, 64);
    x->r[x->n] = *(const struct jutsu_trade_row *)row;
    snprintf(x->sym[x->n], 16, "%s", x->r[x->n].symbol);
    snprintf(x->act[x->n], 8, "%s", x->r[x->n].action);
    snprintf(x->exec[x->n], 12, "%s", x->r[x->n].execution_id ? x->r[x->n].execution_id : "");
    x->n++;
    return 0;
}

static void read_trades(struct tdb *t, const char *id, struct trades *x)
{
    x->n = 0;
    ck_assert_int_eq(jutsu_data_trades_range(t->s, id, "offline_mock", 0, INT64_MAX / 2,
                                             take_trade, x), 0);
}

/* Every fill at the price of its own day, the costs exact, the cash what
 * is left; the second run of a day trades nothing. */
START_TEST(fills_at_the_days_price)
{
    struct tdb t;
    if (!open_trade(&t, _i, NULL))
        return;
    jutsu_date_t d = tdb_ymd(2024, 3, 1);
    struct jutsu_trade_result res;
    ck_assert_int_eq(run(t.app, "s1", d, &res), JUTSU_TRADE_TRADED);
    ck_assert_uint_eq(res.norders, 1);
    jutsu_money_t close = close_on(&t, "QQQ", d);
    const struct trade_order *o = &res.orders[0];
    ck_assert_str_eq(o->symbol, "QQQ");
    ck_assert_int_eq(o->buy, 1);
    ck_assert_int_eq(o->price, close);
    /* fill = close x 1.001 to the micro-unit (half to even), by hand */
    __int128 num = (__int128)close * 1001000;
    jutsu_money_t fill = (jutsu_money_t)(num / 1000000);
    __int128 rem = num % 1000000;
    if (rem * 2 > 1000000 || (rem * 2 == 1000000 && (fill & 1)))
        fill++;
    ck_assert_int_eq(o->fill_price, fill);
    /* shares: floor(10,000 / close) */
    ck_assert_int_eq(o->filled, (int32_t)(INT64_C(10000000000) / close));
    ck_assert_int_eq(o->commission, o->filled * INT64_C(10000));
    ck_assert_int_eq(res.cash, INT64_C(10000000000) - o->filled * fill - o->filled * 10000);
    ck_assert_int_eq(res.equity, res.cash + o->filled * close);

    /* the row says the same, with its context */
    struct trades x;
    read_trades(&t, "s1", &x);
    ck_assert_uint_eq(x.n, 1);
    ck_assert_str_eq(x.act[0], "BUY");
    ck_assert_int_eq(x.r[0].target_price, close);
    ck_assert_int_eq(x.r[0].fill_price, fill);
    ck_assert_int_eq(x.r[0].fill_value, o->filled * fill);
    ck_assert_str_eq(x.exec[0], res.execution_id);
    ck_assert_uint_eq(strlen(x.exec[0]), 8);
    ck_assert_int_eq(x.r[0].strategy_cell, 1);
    struct jutsu_position_row p;
    ck_assert_int_eq(jutsu_data_position_get(t.s, "s1", "offline_mock", "QQQ", &p), 0);
    ck_assert_int_eq(p.quantity, o->filled);
    ck_assert_int_eq(p.avg_cost, fill);

    /* once per day: again is nothing */
    ck_assert_int_eq(run(t.app, "s1", d, NULL), JUTSU_TRADE_ALREADY);
    ck_assert_int_eq(run(t.app, "s1", d - 3, NULL), JUTSU_TRADE_ALREADY);   /* or before */
    read_trades(&t, "s1", &x);
    ck_assert_uint_eq(x.n, 1);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", "strategy_id = 's1'"), 1);
    /* the next day holds: nothing to rebalance */
    int32_t shares = o->filled;
    ck_assert_int_eq(run(t.app, "s1", tdb_ymd(2024, 3, 4), &res), JUTSU_TRADE_HOLD);
    ck_assert_int_eq(res.equity, res.cash + shares * close_on(&t, "QQQ", tdb_ymd(2024, 3, 4)));
    close_trade(&t);
}
END_TEST

/* Two strategies in one database never see each other's books. */
START_TEST(strategies_are_isolated)
{
    struct tdb t;
    if (!open_trade(&t, _i, NULL))
        return;
    jutsu_date_t d = tdb_ymd(2024, 6, 3);
    struct jutsu_trade_report r;
    ck_assert_int_eq(jutsu_trade_run(t.app, d, NULL, "manual", &r), 0);
    ck_assert_uint_eq(r.n, 3);
    jutsu_trade_report_free(&r);
    struct trades x;
    read_trades(&t, "s2", &x);
    ck_assert_uint_eq(x.n, 1);
    ck_assert_str_eq(x.sym[0], "TLT");
    /* s2 started with 50,000 and its own cash */
    ck_assert_int_eq(x.r[0].quantity, (int32_t)(INT64_C(50000000000) / close_on(&t, "TLT", d)));
    read_trades(&t, "s1", &x);
    ck_assert_uint_eq(x.n, 1);
    ck_assert_str_eq(x.sym[0], "QQQ");
    struct jutsu_position_row p;
    ck_assert_int_eq(jutsu_data_position_get(t.s, "s1", "offline_mock", "TLT", &p), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_data_position_get(t.s, "s2", "offline_mock", "QQQ", &p), JUTSU_ENOENT);
    ck_assert_int_eq(tdb_count(&t, "positions", "strategy_id = 's1'"), 1);
    ck_assert_int_eq(tdb_count(&t, "positions", "strategy_id = 's2'"), 1);
    /* s1 and s1b: the same strategy, the same bars, the same trades */
    struct trades y;
    read_trades(&t, "s1b", &y);
    ck_assert_uint_eq(y.n, 1);
    ck_assert_int_eq(y.r[0].quantity, x.r[0].quantity);
    ck_assert_int_eq(y.r[0].fill_price, x.r[0].fill_price);
    ck_assert_str_ne(y.exec[0], x.exec[0]);   /* execution ids are per strategy: never shared */
    close_trade(&t);
}
END_TEST

/* A day without the bar of the symbol it holds or wants: no trade, a
 * snapshot all the same; the next day with prices trades. */
START_TEST(no_trade_on_a_stale_price)
{
    struct tdb t;
    /* warm after 4 bars: on its first day (5 bars before it, none that day)
     * it wants to invest, and the day has no QQQ price */
    if (!open_trade(&t, _i, "  - {name: s4, plugin: tp-strategy, config: {warmup: 4}}\n"))
        return;
    jutsu_date_t d2 = tdb_ymd(2023, 2, 2);
    char sql[200];
    snprintf(sql, sizeof(sql), "UPDATE market_data SET is_valid = (1 = 0) WHERE symbol = 'QQQ' "
             "AND timestamp = %s", _i == 0 ? "1675296000000000" : "'2023-02-02T00:00:00Z'");
    tdb_exec(&t, sql);
    struct jutsu_trade_result res;
    ck_assert_int_eq(run(t.app, "s4", d2, &res), JUTSU_TRADE_STALE);
    ck_assert_msg(strstr(res.error, "no QQQ bar on that day") != NULL, "%s", res.error);
    ck_assert_int_eq(tdb_count(&t, "live_trades", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", "strategy_id = 's4'"), 1);
    ck_assert_int_eq(run(t.app, "s4", tdb_ymd(2023, 2, 3), &res), JUTSU_TRADE_TRADED);
    ck_assert_int_eq(res.orders[0].price, close_on(&t, "QQQ", tdb_ymd(2023, 2, 3)));
    close_trade(&t);
}
END_TEST

/* One strategy run day by day with a restart (a new app) in the middle,
 * another run the same days without one: the same trades and snapshots. */
START_TEST(restart_equals_uninterrupted)
{
    struct tdb t;
    if (!open_trade(&t, _i, NULL))
        return;
    jutsu_date_t days[8];
    days[0] = tdb_ymd(2022, 9, 1);
    for (int k = 1; k < 8; k++)
        days[k] = jutsu_calendar_next(t.app->cal, days[k - 1]);
    for (int k = 0; k < 8; k++) {
        ck_assert_int_lt(run(t.app, "s1b", days[k], NULL), JUTSU_TRADE_ALREADY);
        if (k < 4)
            ck_assert_int_lt(run(t.app, "s1", days[k], NULL), JUTSU_TRADE_ALREADY);
    }
    /* a new process: its state comes from its record, not memory */
    char *y = yaml_with(NULL, QUICK_TIMEOUT_S), *all = NULL;
    char *db = tdb_yaml(_i, t.dir, _i == 0 ? "test" : t.pgdb);
    ck_assert_int_gt(asprintf(&all, "%s%s", db, y), 0);
    struct jutsu_app *app2 = NULL;
    struct jutsu_diag diag;
    jutsu_diag_init(&diag);
    ck_assert_int_eq(jutsu_app_new(&app2), 0);
    g_app2 = app2;
    ck_assert_int_eq(jutsu_app_load_config_string(app2, "restart.yaml", all, &diag), 0);
    ck_assert_int_eq(jutsu_app_load_plugins(app2, &diag), 0);
    ck_assert_int_eq(jutsu_app_start(app2), 0);
    app2->clock = tdb_clock;
    app2->clock_arg = &g_now;
    for (int k = 4; k < 8; k++)
        ck_assert_int_lt(run(app2, "s1", days[k], NULL), JUTSU_TRADE_ALREADY);
    g_app2 = NULL;
    jutsu_app_free(app2);
    jutsu_diag_free(&diag);
    free(all);
    free(db);
    free(y);
    struct trades a, b;
    read_trades(&t, "s1", &a);
    read_trades(&t, "s1b", &b);
    ck_assert_uint_eq(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_int_eq(a.r[i].ts, b.r[i].ts);
        ck_assert_int_eq(a.r[i].quantity, b.r[i].quantity);
        ck_assert_int_eq(a.r[i].fill_price, b.r[i].fill_price);
    }
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", "strategy_id = 's1'"), 8);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", "strategy_id = 's1b'"), 8);
    close_trade(&t);
}
END_TEST

/* online_live through a broker: fills at its price with its order id, a
 * rejection books nothing, a partial fill is cancelled at the timeout
 * and what filled is booked. */
START_TEST(broker_fills_rejects_and_partials)
{
    struct tdb t;
    char *more = NULL, *trace = NULL;
    char *dir = tu_tmpdir();
    ck_assert_int_gt(asprintf(&trace, "%s/broker.trace", dir), 0);
    ck_assert_int_gt(asprintf(&more,
        "  - {name: live, plugin: tp-strategy, mode: online_live, broker: tb}\n"
        "  - {name: liveb, plugin: tp-strategy, mode: online_live, broker: tb,\n"
        "     config: {symbol: TLT}}\n"
        "  - {name: livec, plugin: tp-strategy, mode: online_live, broker: tb,\n"
        "     config: {symbol: PSQ}}\n"
        "  - {name: tb, plugin: tp-broker, config: {price: \"250.5\", reject: [TLT],\n"
        "     partial: [PSQ], partial_quantity: 3, trace_file: \"%s\"}}\n", trace), 0);
    int opened = open_trade(&t, _i, more);
    free(more);
    if (!opened) {
        tu_rmtree(dir);
        free(dir);
        free(trace);
        return;
    }
    jutsu_date_t d = tdb_ymd(2024, 3, 1);
    struct jutsu_trade_result res;
    ck_assert_int_eq(run(t.app, "live", d, &res), JUTSU_TRADE_TRADED);
    ck_assert_int_eq(res.orders[0].fill_price, INT64_C(250500000));
    ck_assert_str_eq(res.orders[0].order_id, "tpb-1");
    struct jutsu_trade_row row;
    struct trades x;
    x.n = 0;
    ck_assert_int_eq(jutsu_data_trades_range(t.s, "live", "online_live", 0, INT64_MAX / 2,
                                             take_trade, &x), 0);
    ck_assert_uint_eq(x.n, 1);
    row = x.r[0];
    ck_assert_int_eq(row.fill_price, INT64_C(250500000));
    ck_assert_int_eq(row.target_price, close_on(&t, "QQQ", d));   /* sized on the day's price */

    ck_assert_int_eq(run(t.app, "liveb", d, &res), JUTSU_TRADE_HOLD);   /* rejected */
    ck_assert_msg(strstr(res.orders[0].note, "rejected: test broker refuses TLT") != NULL, "%s",
                  res.orders[0].note);
    ck_assert_int_eq(tdb_count(&t, "live_trades", "strategy_id = 'liveb'"), 0);

    ck_assert_int_eq(run(t.app, "livec", d, &res), JUTSU_TRADE_TRADED);  /* 3 shares, then cancelled */
    ck_assert_int_eq(res.orders[0].filled, 3);
    ck_assert_msg(strstr(res.orders[0].note, "partially filled: 3 of") != NULL, "%s",
                  res.orders[0].note);
    ck_assert_int_eq(tdb_count(&t, "live_trades", "strategy_id = 'livec' AND quantity = 3"), 1);
    struct jutsu_position_row p;
    ck_assert_int_eq(jutsu_data_position_get(t.s, "livec", "online_live", "PSQ", &p), 0);
    ck_assert_int_eq(p.quantity, 3);
    /* the broker was asked to cancel the partial order */
    FILE *f = fopen(trace, "r");
    ck_assert_ptr_nonnull(f);
    char line[128];
    int cancels = 0;
    while (fgets(line, sizeof(line), f))
        cancels += strncmp(line, "cancel tpb-3", 12) == 0;
    fclose(f);
    ck_assert_int_eq(cancels, 1);

    /* the next day: the strategy whose order filled in full is at its
     * targets; the rejected and the partly filled ones were not told they
     * were (committed), so they ask again */
    jutsu_date_t d2 = tdb_ymd(2024, 3, 4);
    ck_assert_int_eq(run(t.app, "live", d2, &res), JUTSU_TRADE_HOLD);
    ck_assert_uint_eq(res.norders, 0);
    ck_assert_int_eq(run(t.app, "liveb", d2, &res), JUTSU_TRADE_HOLD);   /* rejected again */
    ck_assert_uint_eq(res.norders, 1);
    ck_assert_int_eq(run(t.app, "livec", d2, &res), JUTSU_TRADE_TRADED);
    ck_assert_uint_eq(res.norders, 1);
    close_trade(&t);
    tu_rmtree(dir);
    free(dir);
    free(trace);
}
END_TEST

/* The close of `sym` on `day` ("2024-03-01") from the sample CSV itself. */
static jutsu_money_t csv_close(const char *sym, const char *day)
{
    char *path = NULL, line[256];
    ck_assert_int_gt(asprintf(&path, "%s/conf/sample-data/%s.csv", tu_source_dir(), sym), 0);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    free(path);
    jutsu_money_t close = 0;
    while (close == 0 && fgets(line, sizeof(line), f)) {
        if (strncmp(line, day, strlen(day)) != 0)
            continue;
        char *c = line;
        for (int k = 0; k < 4; k++)   /* Date,Open,High,Low,Close */
            c = strchr(c, ',') + 1;
        ck_assert_int_eq(jutsu_money_parse(c, (long)(strchr(c, ',') - c), JUTSU_MONEY_HALF_EVEN,
                                           &close), 0);
    }
    fclose(f);
    ck_assert_int_gt(close, 0);
    return close;
}

/* The same through broker-schwab against the loopback fixture server:
 * each strategy's capital buys exactly 150 QQQ, the fixture's orders. */
START_TEST(schwab_broker_path)
{
    jutsu_money_t close = csv_close("QQQ", "2024-03-01"), capital;
    ck_assert_int_eq(jutsu_money_muldiv(close, INT64_C(150500000), JUTSU_MONEY_SCALE, &capital), 0);
    char cap[JUTSU_MONEY_BUFSZ];
    jutsu_money_format(capital, cap);
    char *dir = tu_tmpdir(), *routes = NULL, *token = NULL, *more = NULL, *text = NULL;
    ck_assert_int_gt(asprintf(&routes, "%s/tests/fixtures/schwab-trader/job.routes.json",
                              tu_source_dir()), 0);
    struct fixture http;
    ck_assert_int_eq(fixture_start(routes, &http), 0);
    ck_assert_int_gt(asprintf(&text, "{\"access_token\": \"ACCESS-OK\", \"refresh_token\": "
                              "\"REFRESH-1\", \"access_expires_at\": %lld, "
                              "\"refresh_expires_at\": %lld, \"obtained_at\": %lld}\n",
                              (long long)time(NULL) + 1500, (long long)time(NULL) + 5 * 86400,
                              (long long)time(NULL) - 600), 0);
    token = tu_write_file(dir, "schwab-token.json", text);
    ck_assert_int_eq(chmod(token, 0600), 0);
    ck_assert_int_gt(asprintf(&more,
        "  - {name: w1, plugin: tp-strategy, mode: online_live, broker: schwab, "
        "initial_capital: \"%s\"}\n"
        "  - {name: w2, plugin: tp-strategy, mode: online_live, broker: schwab, "
        "initial_capital: \"%s\"}\n"
        "  - {name: w3, plugin: tp-strategy, mode: online_live, broker: schwab, "
        "initial_capital: \"%s\"}\n"
        "  - name: schwab\n    plugin: broker-schwab\n    config:\n      enabled: true\n"
        "      account_hash: 8F2A6C0E4B1D9F3A7C5E2B0D8F6A4C1E3B5D7F9A0C2E4B6D8F1A3C5E7B9D0F2A\n"
        "      app_key: test-key\n      app_secret: test-secret\n      api_base: \"%s\"\n"
        "      auth_base: \"%s/\"\n      token_file: \"%s\"\n      requests_per_second: 1000\n"
        "      backoff_ms: 1\n", cap, cap, cap, http.base_url, http.base_url, token), 0);
    struct tdb t;
    /* w2's order ends by itself (partial, partial, cancelled by Schwab):
     * however slow the polls, the job must see that, not time it out */
    int opened = open_trade_with(&t, _i, more, GENEROUS_TIMEOUT_S);
    free(more);
    if (opened) {
        jutsu_date_t d = tdb_ymd(2024, 3, 1);
        struct jutsu_trade_result res;
        int w1 = run(t.app, "w1", d, &res);
        ck_assert_msg(w1 == JUTSU_TRADE_TRADED, "w1: %s; %s", jutsu_trade_outcome_name(w1),
                      res.norders ? res.orders[0].note : res.error);
        ck_assert_int_eq(res.orders[0].qty, 150);
        ck_assert_int_eq(res.orders[0].filled, 150);
        ck_assert_int_eq(res.orders[0].fill_price, INT64_C(412513333));  /* 100 @ .51, 50 @ .52 */
        ck_assert_str_eq(res.orders[0].order_id, "1000001");
        ck_assert_int_eq(tdb_count(&t, "live_trades", "strategy_id = 'w1' AND quantity = 150 "
                                   "AND schwab_order_id = '1000001'"), 1);

        ck_assert_int_eq(run(t.app, "w2", d, &res), JUTSU_TRADE_TRADED);
        ck_assert_int_eq(res.orders[0].filled, 100);                    /* then cancelled */
        ck_assert_int_eq(res.orders[0].fill_price, INT64_C(412606000)); /* 60 @ .6, 40 @ .615 */
        ck_assert_msg(strstr(res.orders[0].note, "partially filled: 100 of 150") != NULL, "%s",
                      res.orders[0].note);
        struct jutsu_position_row p;
        ck_assert_int_eq(jutsu_data_position_get(t.s, "w2", "online_live", "QQQ", &p), 0);
        ck_assert_int_eq(p.quantity, 100);
        ck_assert_int_eq(p.avg_cost, INT64_C(412606000));

        ck_assert_int_eq(run(t.app, "w3", d, &res), JUTSU_TRADE_HOLD);
        ck_assert_msg(strstr(res.orders[0].note, "rejected: You do not have enough shares") !=
                      NULL, "%s", res.orders[0].note);
        ck_assert_int_eq(tdb_count(&t, "live_trades", "strategy_id = 'w3'"), 0);
        ck_assert_int_eq(tdb_count(&t, "positions", "strategy_id = 'w3'"), 0);
        close_trade(&t);
    }
    fixture_stop(&http);
    tu_rmtree(dir);
    free(dir);
    free(routes);
    free(token);
    free(text);
}
END_TEST

/* A strategy built before `committed` existed: loaded, traded, and the
 * job never reaches past its table; it asks to rebalance every day, and
 * the books already hold its targets, so nothing more is traded. */
START_TEST(older_table_without_committed)
{
    struct tdb t;
    if (!open_trade(&t, _i, "  - {name: old, plugin: tp-strategy-old}\n"))
        return;
    ck_assert_int_eq(run(t.app, "old", tdb_ymd(2024, 3, 1), NULL), JUTSU_TRADE_TRADED);
    ck_assert_int_eq(run(t.app, "old", tdb_ymd(2024, 3, 4), NULL), JUTSU_TRADE_HOLD);
    ck_assert_int_eq(tdb_count(&t, "live_trades", "strategy_id = 'old'"), 1);
    close_trade(&t);
}
END_TEST

/* An override is applied at the next run: the instance runs the new
 * value and its state is replayed; a wrong one never gets in. */
START_TEST(overrides_apply_at_the_next_run)
{
    struct tdb t;
    if (!open_trade(&t, _i, NULL))
        return;
    struct jutsu_ctx *inst = jutsu_app_find(t.app, "s1");
    ck_assert_int_eq(run(t.app, "s1", tdb_ymd(2024, 1, 2), NULL), JUTSU_TRADE_TRADED);
    struct jutsu_override_row o = {
        .strategy_id = "s1", .parameter_name = "warmup", .original_value = "5",
        .override_value = "7", .value_type = "int", .is_active = 1, .reason = "test",
    };
    ck_assert_int_eq(jutsu_data_override_set(t.s, &o, "tester"), 0);
    ck_assert_int_eq(tdb_count(&t, "config_history", "strategy_id = 's1'"), 1);
    /* replayed with warmup 7: 7 bars seen by 2024-01-03 is not warm yet */
    ck_assert_int_eq(run(t.app, "s1", tdb_ymd(2024, 1, 3), NULL), JUTSU_TRADE_WARMING);
    int64_t warmup = 0;
    ck_assert_int_eq(t.app->host.cfg_int(inst, "warmup", &warmup), 0);
    ck_assert_int_eq(warmup, 7);
    int type;
    const char *rec;
    ck_assert_int_eq(jutsu_data_state_get(t.s, "strategy.s1.offline_mock", &type, &rec), 0);
    ck_assert_msg(strstr(rec, "\"params\":{\"warmup\":7") != NULL, "%s", rec);

    /* what the command refuses: an unknown parameter, a wrong type */
    struct jutsu_param bad1 = { "nope", "1" }, bad2 = { "warmup", "seven" };
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *root = NULL;
    char err[512];
    ck_assert_int_eq(jutsu_params_merge(inst, &bad1, 1, &cfg, &root, err, sizeof(err)),
                     JUTSU_ECONFIG);
    ck_assert_msg(strstr(err, "nope is not a parameter of s1") && strstr(err, "warmup"), "%s",
                  err);
    ck_assert_int_eq(jutsu_params_merge(inst, &bad2, 1, &cfg, &root, err, sizeof(err)),
                     JUTSU_ECONFIG);
    ck_assert_msg(strstr(err, "\"seven\" is not an integer") != NULL, "%s", err);

    /* back to the YAML: the next run re-initialises with 5 again */
    ck_assert_int_eq(jutsu_data_override_unset(t.s, "s1", "warmup", "tester", NULL), 0);
    /* and the replay told it 2024-01-02's targets were traded (committed):
     * at its targets, it asks for nothing */
    struct jutsu_trade_result res;
    ck_assert_int_eq(run(t.app, "s1", tdb_ymd(2024, 1, 4), &res), JUTSU_TRADE_HOLD);
    ck_assert_uint_eq(res.norders, 0);
    ck_assert_int_eq(tdb_count(&t, "live_trades", "strategy_id = 's1'"), 1);
    ck_assert_int_eq(jutsu_data_state_get(t.s, "strategy.s1.offline_mock", &type, &rec), 0);
    ck_assert_msg(strstr(rec, "\"asked\":1") != NULL, "asked again after the replay: %s", rec);
    ck_assert_int_eq(t.app->host.cfg_int(inst, "warmup", &warmup), 0);
    ck_assert_int_eq(warmup, 5);
    close_trade(&t);
}
END_TEST

/* A backtest twice: the same result; the database as it was. */
START_TEST(backtest_leaves_nothing)
{
    struct tdb t;
    if (!open_trade(&t, _i, NULL))
        return;
    /* the sync's events make the host's dispatcher write the data version
     * (a system_state row) when it gets to them: counted before, not during */
    ck_assert_int_eq(jutsu_bus_drain(t.app->bus, 60000), 0);
    int64_t before = tdb_count(&t, "performance_snapshots", NULL) +
                     tdb_count(&t, "daily_performance", NULL) + tdb_count(&t, "live_trades", NULL) +
                     tdb_count(&t, "system_state", NULL);
    struct jutsu_backtest_opts o = { .strategy = "s1", .from = tdb_ymd(2015, 1, 2),
                                     .to = tdb_ymd(2016, 12, 30) };
    struct jutsu_backtest a, b;
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &a) == 0, "%s", a.error);
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &b) == 0, "%s", b.error);
    ck_assert_int_eq(a.strategy.final_equity, b.strategy.final_equity);
    ck_assert_int_eq(a.strategy.trades, 1);
    ck_assert_int_eq(a.strategy.days, 504);
    ck_assert_str_eq(a.baseline.id, "QQQ");
    /* fully invested in QQQ from the first day: close to the baseline */
    ck_assert(fabs(a.strategy.total_return - a.baseline.total_return) < 0.01);
    ck_assert_str_eq(a.strategy.allocation, "QQQ 1.000");
    ck_assert_int_eq(jutsu_bus_drain(t.app->bus, 60000), 0);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL) +
                     tdb_count(&t, "daily_performance", NULL) +
                     tdb_count(&t, "live_trades", NULL) + tdb_count(&t, "system_state", NULL),
                     before);
    close_trade(&t);
}
END_TEST

static Suite *trade_suite(void)
{
    Suite *s = suite_create("trade");
    TCase *tc = tcase_create("trade");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, release_open);
    tcase_add_loop_test(tc, fills_at_the_days_price, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, strategies_are_isolated, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, no_trade_on_a_stale_price, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, restart_equals_uninterrupted, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, broker_fills_rejects_and_partials, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, schwab_broker_path, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, older_table_without_committed, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, overrides_apply_at_the_next_run, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, backtest_leaves_nothing, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(trade_suite());
}
