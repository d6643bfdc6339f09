/*
 * tests/unit/test_engine_read.c — the engine's read side and config
 * (jutsu/engine.h: entities, strategy, strategy_state, market_summary,
 * config, config_history, override_set/unset) through the table a frontend
 * gets, on both backends, with the real v3_5b (strategy-regime), the QQQ
 * baseline and the bundled sample data; every answer checked against the
 * database's rows or an independent count.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "bus/bus.h"
#include "config/cfg.h"
#include "engine/engine.h"
#include "store/data_api.h"
#include "testdb.h"
#include "trading/trade.h"

/* The app with the engine attached; ctx is an instance's (the engine reads
 * ctx->app only). */
struct fx {
    struct tdb                 t;
    const struct jutsu_engine *e;
    jutsu_ctx                 *ctx;
};

static int fx_open(struct fx *f, int i, int sync)
{
    char *y = NULL;
    ck_assert_int_gt(asprintf(&y,
        "sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}\n"
        "plugins:\n"
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: yahoo, plugin: source-yahoo,\n"
        "     config: {base_url: \"https://jutsu:hunter2@127.0.0.1:9/chart\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: v3_5b, plugin: strategy-regime, config: {upper_z: 1.2}}\n",
        tu_source_dir()), 0);
    tdb_open_with(&f->t, i, 1, y);
    free(y);
    if (f->t.skipped) {
        tdb_close(&f->t);
        return 0;
    }
    tdb_set_clock(&f->t, jutsu_date_to_time(tdb_ymd(2026, 5, 14)));
    if (sync)
        tdb_sync(&f->t);
    ck_assert_int_eq(jutsu_engine_attach(f->t.app), 0);
    f->e = jutsu_engine_vtable();
    ck_assert_ptr_eq(f->t.app->engine, f->e);
    f->ctx = jutsu_app_find(f->t.app, "sample");
    ck_assert_ptr_nonnull(f->ctx);
    return 1;
}

static void fx_close(struct fx *f)
{
    jutsu_engine_detach(f->t.app);
    tdb_close(&f->t);
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The failing answer's message, which must name `want`. */
static void assert_message(json_object *out, const char *want)
{
    const char *m = str_of(out, "message");
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(strstr(m, want) != NULL, "message \"%s\" does not name \"%s\"", m, want);
}

static json_object *param_of(json_object *strategy, const char *name)
{
    json_object *ps = get(strategy, "parameters");
    ck_assert_ptr_nonnull(ps);
    for (size_t i = 0; i < json_object_array_length(ps); i++) {
        json_object *p = json_object_array_get_idx(ps, i);
        if (strcmp(str_of(p, "name"), name) == 0)
            return p;
    }
    ck_abort_msg("no parameter %s", name);
    return NULL;
}

START_TEST(entities_in_config_order)
{
    struct fx f;
    if (!fx_open(&f, _i, 0))
        return;
    json_object *out = NULL;
    ck_assert_int_eq(f.e->entities(f.ctx, &out), 0);
    ck_assert_int_eq(json_object_array_length(out), 2);
    json_object *s = json_object_array_get_idx(out, 0), *b = json_object_array_get_idx(out, 1);
    ck_assert_str_eq(str_of(s, "id"), "v3_5b");
    ck_assert_str_eq(str_of(s, "type"), "strategy");
    ck_assert_str_eq(str_of(s, "plugin"), "strategy-regime");
    ck_assert_str_eq(str_of(s, "mode"), "offline_mock");
    ck_assert(json_object_get_boolean(get(s, "primary")));
    ck_assert_str_eq(str_of(s, "initial_capital"), "10000.000000");
    ck_assert_str_eq(str_of(b, "id"), "QQQ");
    ck_assert_str_eq(str_of(b, "type"), "baseline");
    ck_assert_str_eq(str_of(b, "symbol"), "QQQ");
    ck_assert(!json_object_get_boolean(get(b, "primary")));
    json_object_put(out);
    fx_close(&f);
}
END_TEST

/* config.changed as the bus delivers it. */
struct seen {
    pthread_mutex_t lock;
    int             n;
    char            last[512];
};

static void on_changed(const jutsu_event *ev, void *arg)
{
    struct seen *x = arg;
    pthread_mutex_lock(&x->lock);
    x->n++;
    snprintf(x->last, sizeof(x->last), "%s", jutsu_event_json(ev));
    pthread_mutex_unlock(&x->lock);
}

START_TEST(parameters_and_overrides)
{
    struct fx f;
    if (!fx_open(&f, _i, 0))
        return;
    struct seen seen = { .n = 0 };
    pthread_mutex_init(&seen.lock, NULL);
    jutsu_sub_id sub = 0;
    ck_assert_int_eq(jutsu_bus_subscribe(f.t.app->bus, "test", "config.changed", on_changed,
                                         &seen, &sub), 0);
    json_object *out = NULL, *p;

    /* the file's value, the schema's default, no override */
    ck_assert_int_eq(f.e->strategy(f.ctx, "v3_5b", &out), 0);
    ck_assert_str_eq(str_of(out, "plugin"), "strategy-regime");
    p = param_of(out, "upper_z");
    ck_assert_str_eq(str_of(p, "type"), "float");
    ck_assert(json_object_get_double(get(p, "value")) == 1.2);
    ck_assert(json_object_get_double(get(p, "file_value")) == 1.2);
    ck_assert(json_object_get_double(get(p, "default")) == 1.0);
    ck_assert_ptr_null(get(p, "override"));
    p = param_of(out, "sma_fast");   /* not in the file: the default runs */
    ck_assert_int_eq(json_object_get_int64(get(p, "value")), 40);
    ck_assert(json_object_is_type(get(p, "file_value"), json_type_null));
    json_object_put(out);

    /* a value of the wrong type is refused, naming the parameter; nothing written */
    ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "upper_z", "high", NULL, "alice", &out),
                     JUTSU_EINVAL);
    assert_message(out, "upper_z");
    json_object_put(out);
    ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "sma_fast", "0", NULL, "alice", &out),
                     JUTSU_EINVAL);
    assert_message(out, "sma_fast");
    json_object_put(out);
    ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "colour", "red", NULL, "alice", &out),
                     JUTSU_EINVAL);
    assert_message(out, "colour is not a parameter of v3_5b");
    json_object_put(out);
    ck_assert_int_eq(f.e->override_set(f.ctx, "nope", "upper_z", "1", NULL, "alice", &out),
                     JUTSU_ENOENT);
    assert_message(out, "\"nope\"");
    assert_message(out, "v3_5b");
    json_object_put(out);
    ck_assert_int_eq(tdb_count(&f.t, "config_history", NULL), 0);
    ck_assert_int_eq(tdb_count(&f.t, "config_overrides", NULL), 0);

    /* a good one: written with its history, by whom, in effect */
    ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "upper_z", "1.1", "calmer", "alice",
                                       &out), 0);
    ck_assert_str_eq(str_of(out, "value"), "1.1");
    ck_assert_str_eq(str_of(out, "previous"), "1.2");
    json_object_put(out);
    ck_assert_int_eq(tdb_count(&f.t, "config_overrides", "strategy_id = 'v3_5b' AND "
                               "parameter_name = 'upper_z' AND override_value = '1.1' AND "
                               "original_value = '1.2'"), 1);
    ck_assert_int_eq(tdb_count(&f.t, "config_history", "strategy_id = 'v3_5b' AND "
                               "change_type = 'override' AND old_value = '1.2' AND "
                               "new_value = '1.1' AND changed_by = 'alice' AND "
                               "reason = 'calmer'"), 1);
    ck_assert_int_eq(f.e->strategy(f.ctx, "primary", &out), 0);
    ck_assert_str_eq(str_of(out, "id"), "v3_5b");
    p = param_of(out, "upper_z");
    ck_assert(json_object_get_double(get(p, "value")) == 1.1);
    ck_assert(json_object_get_double(get(p, "file_value")) == 1.2);
    json_object *ov = get(p, "override");
    ck_assert_ptr_nonnull(ov);
    ck_assert(json_object_get_double(get(ov, "value")) == 1.1);
    ck_assert_str_eq(str_of(ov, "reason"), "calmer");
    ck_assert_str_eq(str_of(ov, "changed_by"), "alice");
    ck_assert(json_object_get_boolean(get(ov, "applies")));
    json_object_put(out);

    /* unknown ids: named, with the ones there are */
    ck_assert_int_eq(f.e->strategy(f.ctx, "v9", &out), JUTSU_ENOENT);
    assert_message(out, "\"v9\"");
    assert_message(out, "strategies: v3_5b");
    json_object_put(out);
    ck_assert_int_eq(f.e->strategy(f.ctx, "QQQ", &out), JUTSU_ENOENT);
    assert_message(out, "QQQ is a baseline");
    json_object_put(out);

    /* unset: the file's value again; a second unset has nothing to end */
    ck_assert_int_eq(f.e->override_unset(f.ctx, "v3_5b", "upper_z", NULL, "bob", &out), 0);
    ck_assert(json_object_is_type(get(out, "value"), json_type_null));
    ck_assert_str_eq(str_of(out, "file_value"), "1.2");
    ck_assert_str_eq(str_of(out, "previous"), "1.1");
    json_object_put(out);
    ck_assert_int_eq(f.e->override_unset(f.ctx, "v3_5b", "upper_z", NULL, "bob", &out),
                     JUTSU_ENOENT);
    assert_message(out, "upper_z");
    json_object_put(out);
    ck_assert_int_eq(tdb_count(&f.t, "config_overrides", "is_active = TRUE"), 0);
    ck_assert_int_eq(tdb_count(&f.t, "config_history", "change_type = 'restore' AND "
                               "changed_by = 'bob' AND old_value = '1.1' AND "
                               "new_value = '1.2'"), 1);

    /* each change published once, with who made it */
    ck_assert_int_eq(jutsu_bus_drain(f.t.app->bus, 5000), 0);
    pthread_mutex_lock(&seen.lock);
    ck_assert_int_eq(seen.n, 2);
    ck_assert_msg(strstr(seen.last, "\"by\":\"bob\"") && strstr(seen.last, "\"value\":null") &&
                  strstr(seen.last, "\"parameter\":\"upper_z\""), "%s", seen.last);
    pthread_mutex_unlock(&seen.lock);
    jutsu_bus_unsubscribe(f.t.app->bus, sub);
    pthread_mutex_destroy(&seen.lock);

    /* inputs are bounded */
    char big[2048];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "upper_z", big, NULL, "x", &out),
                     JUTSU_EINVAL);
    assert_message(out, "value");
    json_object_put(out);
    fx_close(&f);
}
END_TEST

static int64_t history_ids(json_object *arr, size_t i)
{
    return json_object_get_int64(get(json_object_array_get_idx(arr, i), "id"));
}

START_TEST(history_pages_newest_first)
{
    struct fx f;
    if (!fx_open(&f, _i, 0))
        return;
    json_object *out = NULL;
    static const char *const values[] = { "1.1", "1.3", "1.4" };
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "upper_z", values[i], NULL, "carol",
                                           &out), 0);
        json_object_put(out);
    }
    ck_assert_int_eq(f.e->override_unset(f.ctx, "v3_5b", "upper_z", "done", "carol", &out), 0);
    json_object_put(out);
    ck_assert_int_eq(tdb_count(&f.t, "config_history", NULL), 4);

    json_object *all = NULL;
    ck_assert_int_eq(f.e->config_history(f.ctx, NULL, 0, 100, &all), 0);
    ck_assert_int_eq(json_object_array_length(all), 4);
    json_object *first = json_object_array_get_idx(all, 0);
    ck_assert_str_eq(str_of(first, "change_type"), "restore");
    ck_assert_str_eq(str_of(first, "old_value"), "1.4");
    ck_assert_str_eq(str_of(first, "reason"), "done");
    ck_assert_str_eq(str_of(first, "strategy"), "v3_5b");
    ck_assert_ptr_nonnull(str_of(first, "at"));
    ck_assert_str_eq(str_of(json_object_array_get_idx(all, 3), "new_value"), "1.1");
    for (size_t i = 1; i < 4; i++)   /* newest first: the ids fall */
        ck_assert_int_lt(history_ids(all, i), history_ids(all, i - 1));
    /* pages of 3: the second holds the oldest alone, the third nothing */
    ck_assert_int_eq(f.e->config_history(f.ctx, "v3_5b", 0, 3, &out), 0);
    ck_assert_int_eq(json_object_array_length(out), 3);
    json_object_put(out);
    ck_assert_int_eq(f.e->config_history(f.ctx, "v3_5b", 3, 3, &out), 0);
    ck_assert_int_eq(json_object_array_length(out), 1);
    ck_assert_int_eq(history_ids(out, 0), history_ids(all, 3));
    json_object_put(out);
    ck_assert_int_eq(f.e->config_history(f.ctx, NULL, 6, 3, &out), 0);
    ck_assert_int_eq(json_object_array_length(out), 0);
    json_object_put(out);
    ck_assert_int_eq(f.e->config_history(f.ctx, "other", 0, 3, &out), 0);
    ck_assert_int_eq(json_object_array_length(out), 0);
    json_object_put(out);
    ck_assert_int_eq(f.e->config_history(f.ctx, NULL, 0, 0, &out), JUTSU_EINVAL);
    assert_message(out, "limit");
    json_object_put(out);
    ck_assert_int_eq(f.e->config_history(f.ctx, NULL, -1, 5, &out), JUTSU_EINVAL);
    assert_message(out, "offset");
    json_object_put(out);
    json_object_put(all);
    fx_close(&f);
}
END_TEST

START_TEST(state_of_the_last_run)
{
    struct fx f;
    if (!fx_open(&f, _i, 1))
        return;
    json_object *out = NULL;
    ck_assert_int_eq(f.e->strategy_state(f.ctx, "v3_5b", &out), JUTSU_ENOENT);
    assert_message(out, "never run");
    json_object_put(out);
    ck_assert_int_eq(f.e->strategy_state(f.ctx, "nope", &out), JUTSU_ENOENT);
    assert_message(out, "\"nope\"");
    json_object_put(out);

    struct jutsu_trade_report r;
    int rc = jutsu_trade_run(f.t.app, tdb_ymd(2024, 3, 1), "v3_5b", "manual", &r);
    ck_assert_msg(rc == 0, "%s", r.error);
    jutsu_trade_report_free(&r);

    ck_assert_int_eq(f.e->strategy_state(f.ctx, "primary", &out), 0);
    ck_assert_str_eq(str_of(out, "strategy"), "v3_5b");
    ck_assert_str_eq(str_of(out, "mode"), "offline_mock");
    ck_assert_str_eq(str_of(out, "date"), "2024-03-01");
    ck_assert_str_eq(str_of(out, "from"), "snapshot");
    ck_assert_str_eq(str_of(out, "snapshot_source"), "manual");
    ck_assert_str_eq(str_of(out, "last_date"), "2024-03-01");

    /* the answer is the snapshot row's */
    struct jutsu_snapshot_row sn;
    ck_assert_int_eq(jutsu_data_snapshot_latest(f.t.s, "v3_5b", "offline_mock", INT64_MAX / 2,
                                                &sn), 0);
    char buf[JUTSU_MONEY_BUFSZ];
    jutsu_money_format(sn.total_equity, buf);
    ck_assert_str_eq(str_of(out, "equity"), buf);
    jutsu_money_format(sn.sma_fast, buf);
    ck_assert_str_eq(str_of(get(out, "indicators"), "sma_fast"), buf);
    ck_assert_int_gt(sn.strategy_cell, 0);
    ck_assert_int_eq(json_object_get_int(get(out, "cell")), sn.strategy_cell);
    ck_assert_str_eq(str_of(out, "trend_state"), sn.trend_state);
    ck_assert_str_eq(str_of(out, "vol_state"), sn.vol_state);
    char where[160];
    snprintf(where, sizeof(where), "strategy_id = 'v3_5b' AND strategy_cell = %d",
             json_object_get_int(get(out, "cell")));
    ck_assert_int_eq(tdb_count(&f.t, "performance_snapshots", where), 1);

    /* the weights held cover the positions; with the cash they make the whole */
    json_object *w = get(out, "target_weights"), *pos = get(out, "positions");
    ck_assert_str_eq(str_of(out, "target_weights_from"), "positions");
    ck_assert_int_eq(json_object_array_length(pos), json_object_object_length(w));
    ck_assert_int_eq(json_object_array_length(pos),
                     tdb_count(&f.t, "positions", "strategy_id = 'v3_5b' AND quantity > 0"));
    double sum = (double)sn.cash / (double)sn.total_equity;
    json_object_object_foreach(w, sym, wv) {
        (void)sym;
        sum += json_object_get_double(wv);
    }
    ck_assert_msg(sum > 0.99999 && sum < 1.00001, "weights and cash sum to %f", sum);
    json_object_put(out);

    ck_assert_int_eq(f.e->strategy_state(f.ctx, "QQQ", &out), JUTSU_ENOENT);
    assert_message(out, "baseline");
    json_object_put(out);
    fx_close(&f);
}
END_TEST

/* The trading days between a and b (inclusive) without a bar in x. */
static int64_t count_gaps(const jutsu_calendar *cal, const struct tdb_closes *x)
{
    int64_t gaps = 0;
    size_t k = 0;
    for (jutsu_date_t d = x->d[0]; d <= x->d[x->n - 1]; d++) {
        while (k < x->n && x->d[k] < d)
            k++;
        if (jutsu_calendar_is_trading_day(cal, d) && !(k < x->n && x->d[k] == d))
            gaps++;
    }
    return gaps;
}

START_TEST(market_summary_counts)
{
    struct fx f;
    if (!fx_open(&f, _i, 1))
        return;
    /* a hole in QQQ: the 101st bar gone */
    tdb_exec(&f.t, "DELETE FROM market_data WHERE id = (SELECT id FROM market_data WHERE "
                   "symbol = 'QQQ' AND timeframe = '1D' ORDER BY timestamp LIMIT 1 OFFSET 100)");
    json_object *out = NULL;
    int mrc = f.e->market_summary(f.ctx, &out);
    ck_assert_msg(mrc == 0, "%s", json_object_to_json_string(out));
    ck_assert_int_eq(json_object_array_length(out), 6);
    struct tdb_closes c = { 0 };
    int qqq = 0;
    for (size_t i = 0; i < json_object_array_length(out); i++) {
        json_object *m = json_object_array_get_idx(out, i);
        const char *sym = str_of(m, "symbol");
        char where[128], d[JUTSU_DATE_BUFSZ];
        ck_assert_str_eq(str_of(m, "timeframe"), "1D");
        snprintf(where, sizeof(where), "symbol = '%s' AND timeframe = '1D' AND "
                 "is_valid = TRUE", sym);
        ck_assert_int_eq(json_object_get_int64(get(m, "count")),
                         tdb_count(&f.t, "market_data", where));
        snprintf(where, sizeof(where), "symbol = '%s' AND timeframe = '1D' AND "
                 "is_valid = FALSE", sym);
        ck_assert_int_eq(json_object_get_int64(get(m, "invalid")),
                         tdb_count(&f.t, "market_data", where));
        tdb_closes(&f.t, sym, 0, tdb_ymd(2100, 1, 1), &c);
        ck_assert_uint_gt(c.n, 100);
        jutsu_date_format(c.d[0], d);
        ck_assert_str_eq(str_of(m, "first"), d);
        jutsu_date_format(c.d[c.n - 1], d);
        ck_assert_str_eq(str_of(m, "last"), d);
        int64_t gaps = count_gaps(f.t.app->cal, &c);
        ck_assert_int_eq(json_object_get_int64(get(m, "gaps")), gaps);
        if (strcmp(sym, "QQQ") == 0) {
            qqq = 1;
            ck_assert_int_ge(gaps, 1);   /* the hole made above */
        }
        ck_assert_ptr_nonnull(str_of(m, "last_sync"));
        snprintf(where, sizeof(where), "symbol = '%s' AND timeframe = '1D' AND "
                 "data_source = '%s'", sym, str_of(m, "source"));
        ck_assert_int_gt(tdb_count(&f.t, "market_data", where), 0);
    }
    ck_assert(qqq);
    tdb_closes_free(&c);
    json_object_put(out);
    fx_close(&f);
}
END_TEST

START_TEST(config_is_masked_and_overridden)
{
    struct fx f;
    if (!fx_open(&f, _i, 0))
        return;
    json_object *out = NULL;
    ck_assert_int_eq(f.e->override_set(f.ctx, "v3_5b", "upper_z", "1.1", NULL, "alice", &out),
                     0);
    json_object_put(out);
    ck_assert_int_eq(f.e->config(f.ctx, &out), 0);
    const char *text = json_object_to_json_string(out);
    ck_assert_msg(strstr(text, "hunter2") == NULL, "a password shows: %s", text);
    json_object *plugins = get(out, "plugins");
    int yahoo = 0, v35 = 0;
    for (size_t i = 0; i < json_object_array_length(plugins); i++) {
        json_object *p = json_object_array_get_idx(plugins, i);
        if (strcmp(str_of(p, "name"), "yahoo") == 0) {
            yahoo = 1;
            ck_assert_str_eq(str_of(get(p, "config"), "base_url"),
                             "https://jutsu:********@127.0.0.1:9/chart");
        } else if (strcmp(str_of(p, "name"), "v3_5b") == 0) {
            v35 = 1;
            ck_assert(json_object_get_double(get(get(p, "config"), "upper_z")) == 1.1);
            json_object *ov = get(get(p, "overrides"), "upper_z");
            ck_assert(json_object_get_double(get(ov, "file")) == 1.2);
            ck_assert_str_eq(str_of(ov, "changed_by"), "alice");
        }
    }
    ck_assert(yahoo && v35);
    json_object_put(out);
    fx_close(&f);
}
END_TEST

/* The dump's own rules, beyond what the schema flags: keys named like
 * credentials, and the credentials inside a DSN or URL. */
START_TEST(dump_masks_credentials)
{
    static const char yaml[] =
        "svc:\n"
        "  jwt_secret: s3cr3t-a\n"
        "  refresh_token: s3cr3t-b\n"
        "  token_ttl: 15\n"
        "  secret_key_file: /etc/jutsu/key\n"
        "  dsn: \"host=db user=u password=s3cr3t-c dbname=j\"\n"
        "  quoted: \"host=db password='s3cr3t d' port=5\"\n"
        "  url: \"postgresql://u:s3cr3t-e@db:5432/j?sslmode=require\"\n"
        "  hook: \"https://h.example/x?api_key=s3cr3t-f&q=1\"\n"
        "  plain: \"https://u@h.example/a=b\"\n";
    struct jutsu_diag d;
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_cfg_load_string("m.yaml", yaml, strlen(yaml), &cfg, &d), 0);
    json_object *o = NULL;
    ck_assert_int_eq(jutsu_cfg_to_json(jutsu_cfg_root(cfg), &o), 0);
    const char *js = json_object_to_json_string(o);
    ck_assert_msg(strstr(js, "s3cr3t") == NULL, "%s", js);
    json_object *svc = get(o, "svc");
    ck_assert_str_eq(str_of(svc, "jwt_secret"), "********");
    ck_assert_str_eq(str_of(svc, "refresh_token"), "********");
    ck_assert_str_eq(str_of(svc, "token_ttl"), "15");
    ck_assert_str_eq(str_of(svc, "secret_key_file"), "/etc/jutsu/key");
    ck_assert_str_eq(str_of(svc, "dsn"), "host=db user=u password=******** dbname=j");
    ck_assert_str_eq(str_of(svc, "quoted"), "host=db password=******** port=5");
    ck_assert_str_eq(str_of(svc, "url"), "postgresql://u:********@db:5432/j?sslmode=require");
    ck_assert_str_eq(str_of(svc, "hook"), "https://h.example/x?api_key=********&q=1");
    ck_assert_str_eq(str_of(svc, "plain"), "https://u@h.example/a=b");
    json_object_put(o);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(jutsu_cfg_dump_yaml(jutsu_cfg_root(cfg), f), 0);
    fclose(f);
    ck_assert_msg(strstr(text, "s3cr3t") == NULL, "%s", text);
    ck_assert_ptr_nonnull(strstr(text, "token_ttl: 15"));
    free(text);
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine_read");
    TCase *tc = tcase_create("engine_read");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, entities_in_config_order, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, parameters_and_overrides, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, history_pages_newest_first, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, state_of_the_last_run, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, market_summary_counts, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, config_is_masked_and_overridden, 0, TDB_BACKENDS);
    tcase_add_test(tc, dump_masks_credentials);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
