/*
 * tests/unit/test_rest_read.c — the REST API's read routes over real HTTP,
 * both backends, on the populated fixture (rest_fx.h): performance,
 * EOD status, trades (list, one, summary, CSV export), positions,
 * snapshots and bars. Answers are compared field by field with the rows
 * read through the data API; every body is searched for float artefacts;
 * lists page; bad parameters get a 400 that names them.
 */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "store/data_api.h"
#include "rest_fx.h"

#define FAR jutsu_date_from_ymd(2999, 12, 31)

/* --- helpers --------------------------------------------------------------- */

/* No number written with more than 8 decimals anywhere in a body. */
static void no_float_artefacts(const struct hres *r)
{
    regex_t re;
    regmatch_t m;
    ck_assert_int_eq(regcomp(&re, "[0-9]\\.[0-9]{9,}", REG_EXTENDED), 0);
    int hit = regexec(&re, r->body, 1, &m, 0) == 0;
    regfree(&re);
    ck_assert_msg(!hit, "a float artefact at %.40s", hit ? r->body + m.rm_so : "");
}

static void get(struct rfx *x, const char *path, const char *token, long status,
                struct hres *out)
{
    hfx_req(&x->h, "GET", path, token, NULL, NULL, out);
    ck_assert_msg(out->status == status, "GET %s: %ld, expected %ld: %.300s", path, out->status,
                  status, out->body);
    no_float_artefacts(out);
}

/* A 400 whose message names the parameter (and says `also`, when given). */
static void bad(struct rfx *x, const char *path, const char *param, const char *also)
{
    struct hres r;
    get(x, path, x->viewer, 400, &r);
    ck_assert_str_eq(hres_code(&r), "bad_parameter");
    json_object *e, *m;
    ck_assert(json_object_object_get_ex(r.json, "error", &e));
    ck_assert(json_object_object_get_ex(e, "message", &m));
    const char *msg = json_object_get_string(m);
    ck_assert_msg(strncmp(msg, param, strlen(param)) == 0 && msg[strlen(param)] == ':',
                  "%s: the message does not name %s: %s", path, param, msg);
    if (also)
        ck_assert_msg(strstr(msg, also), "%s: %s lacks \"%s\"", path, msg, also);
    hres_free(&r);
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no member %s in %s", key,
                  json_object_to_json_string(o));
    return v;
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v = member(o, key);
    return v ? json_object_get_string(v) : NULL;
}

static int64_t int_of(json_object *o, const char *key)
{
    return json_object_get_int64(member(o, key));
}

/* The JSON text the answer must hold: the same helper the server uses is
 * not the oracle, the column's decimal text is (compared as text). */
static void eq_money(json_object *o, const char *key, jutsu_money_t want)
{
    json_object *v = member(o, key);
    if (want == JUTSU_MONEY_NULL) {
        ck_assert_msg(v == NULL, "%s: %s, expected null", key, json_object_get_string(v));
        return;
    }
    char buf[32];
    ck_assert_int_ge(jutsu_money_format(want, buf), 0);
    ck_assert_msg(v && json_object_is_type(v, json_type_string), "%s: not a string", key);
    ck_assert_str_eq(json_object_get_string(v), buf);
}

static void eq_ratio(json_object *o, const char *key, double want, int decimals)
{
    json_object *v = member(o, key);
    if (want != want) {
        ck_assert_msg(v == NULL, "%s: %s, expected null", key, json_object_get_string(v));
        return;
    }
    ck_assert_msg(v && (json_object_is_type(v, json_type_double) ||
                        json_object_is_type(v, json_type_int)), "%s: not a number", key);
    /* the number is the column's value rounded to its scale */
    char w[48];
    snprintf(w, sizeof(w), "%.*f", decimals, want);
    double parsed = strtod(json_object_get_string(v), NULL);
    ck_assert_msg(parsed == strtod(w, NULL), "%s: %s, expected %s", key,
                  json_object_get_string(v), w);
    const char *dot = strchr(json_object_get_string(v), '.');
    ck_assert_msg(!dot || strlen(dot + 1) <= (size_t)decimals, "%s: %s has more than %d "
                  "decimals", key, json_object_get_string(v), decimals);
}

static void eq_int(json_object *o, const char *key, int32_t want)
{
    json_object *v = member(o, key);
    if (want == JUTSU_INT_NULL)
        ck_assert_ptr_null(v);
    else
        ck_assert_int_eq(json_object_get_int64(v), want);
}

static void eq_text(json_object *o, const char *key, const char *want)
{
    json_object *v = member(o, key);
    if (want == NULL || *want == '\0')
        ck_assert_ptr_null(v);
    else
        ck_assert_str_eq(json_object_get_string(v), want);
}

static void eq_date(json_object *o, const char *key, jutsu_date_t want)
{
    char buf[JUTSU_DATE_BUFSZ];
    ck_assert_int_ge(jutsu_date_format(want, buf), 0);
    ck_assert_str_eq(str_of(o, key), buf);
}

/* One daily_performance row and its JSON, every column the API shows. */
static void same_perf(json_object *o, const struct jutsu_daily_perf_row *x)
{
    eq_date(o, "trading_date", x->trading_date);
    eq_text(o, "entity_type", x->entity_type);
    eq_text(o, "entity_id", x->entity_id);
    eq_text(o, "mode", x->mode);
    eq_money(o, "total_equity", x->total_equity);
    eq_money(o, "cash", x->cash);
    eq_money(o, "positions_value", x->positions_value);
    eq_ratio(o, "daily_return", x->daily_return, 6);
    eq_ratio(o, "cumulative_return", x->cumulative_return, 6);
    eq_ratio(o, "drawdown", x->drawdown, 6);
    eq_ratio(o, "sharpe_ratio", x->sharpe_ratio, 6);
    eq_ratio(o, "sortino_ratio", x->sortino_ratio, 6);
    eq_ratio(o, "calmar_ratio", x->calmar_ratio, 6);
    eq_ratio(o, "max_drawdown", x->max_drawdown, 6);
    eq_ratio(o, "volatility", x->volatility, 6);
    eq_ratio(o, "cagr", x->cagr, 6);
    eq_int(o, "strategy_cell", x->strategy_cell);
    eq_text(o, "trend_state", x->trend_state);
    eq_text(o, "vol_state", x->vol_state);
    eq_ratio(o, "t_norm", x->t_norm, 6);
    eq_ratio(o, "z_score", x->z_score, 6);
    eq_money(o, "sma_fast", x->sma_fast);
    eq_money(o, "sma_slow", x->sma_slow);
    eq_int(o, "total_trades", x->total_trades);
    eq_int(o, "winning_trades", x->winning_trades);
    eq_int(o, "losing_trades", x->losing_trades);
    eq_ratio(o, "win_rate", x->win_rate, 2);
    eq_text(o, "baseline_symbol", x->baseline_symbol);
    eq_money(o, "initial_capital", x->initial_capital);
    eq_money(o, "high_water_mark", x->high_water_mark);
    eq_int(o, "trading_days_count", x->trading_days_count);
    eq_int(o, "days_since_previous", x->days_since_previous);
    eq_ratio(o, "returns_sum", x->returns_sum, 8);
    eq_ratio(o, "returns_sum_sq", x->returns_sum_sq, 8);
    eq_ratio(o, "downside_sum_sq", x->downside_sum_sq, 8);
    eq_int(o, "returns_count", x->returns_count);
    if (x->positions_json && *x->positions_json) {
        json_object *want = json_tokener_parse(x->positions_json);
        ck_assert(json_object_equal(member(o, "positions"), want));
        json_object_put(want);
    }
}

/* Every row of an entity, copied (range reads lend their text). */
struct perf_rows {
    struct jutsu_daily_perf_row *r;
    char (*text)[6][512];
    size_t n, cap;
};

static const char *keep(char *dst, const char *src)
{
    if (src == NULL)
        return NULL;
    snprintf(dst, 512, "%s", src);
    return dst;
}

static int take_perf(const void *row, void *arg)
{
    struct perf_rows *x = arg;
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 256;
        x->r = realloc(x->r, x->cap * sizeof(*x->r));
        x->text = realloc(x->text, x->cap * sizeof(*x->text));
        ck_assert(x->r && x->text);
    }
    struct jutsu_daily_perf_row *c = &x->r[x->n];
    *c = *(const struct jutsu_daily_perf_row *)row;
    char (*t)[512] = x->text[x->n];
    c->entity_type = keep(t[0], c->entity_type);
    c->entity_id = keep(t[1], c->entity_id);
    c->mode = keep(t[2], c->mode);
    c->trend_state = keep(t[3], c->trend_state);
    c->vol_state = keep(t[4], c->vol_state);
    c->baseline_symbol = keep(t[5], c->baseline_symbol);
    c->positions_json = NULL;   /* compared through the single-row get */
    c->kpi_state = NULL;
    x->n++;
    return 0;
}

static void perf_rows(struct rfx *x, const char *type, const char *id, struct perf_rows *out)
{
    memset(out, 0, sizeof(*out));
    int rc = jutsu_data_daily_perf_range(x->h.t.s, type, id, "offline_mock",
                                         jutsu_date_from_ymd(1990, 1, 1), FAR, take_perf, out);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(x->h.t.s));
}

static void perf_rows_free(struct perf_rows *p)
{
    free(p->r);
    free(p->text);
}

/* --- performance ----------------------------------------------------------- */

static void perf_daily(struct rfx *x, const char *token)
{
    struct hres r;
    struct jutsu_daily_perf_row row;
    /* the latest row by default */
    ck_assert_int_eq(jutsu_data_daily_perf_prev(x->h.t.s, "strategy", "v3_5b", "offline_mock",
                                                FAR, &row), 0);
    ck_assert_int_eq(row.trading_date, x->last);
    get(x, "/api/v2/performance/v3_5b/daily", token, 200, &r);
    same_perf(r.json, &row);
    ck_assert_int_gt(int_of(r.json, "total_trades"), 0);
    hres_free(&r);
    /* one day; a baseline */
    ck_assert_int_eq(jutsu_data_daily_perf_get(x->h.t.s, "baseline", "QQQ", "offline_mock",
                                               x->first + 30, &row), 0);
    char path[256], day[16];
    jutsu_date_format(x->first + 30, day);
    snprintf(path, sizeof(path), "/api/v2/performance/QQQ/daily?date=%s", day);
    get(x, path, token, 200, &r);
    same_perf(r.json, &row);
    ck_assert_str_eq(str_of(r.json, "entity_type"), "baseline");
    hres_free(&r);
    /* no row that day (a Sunday) */
    get(x, "/api/v2/performance/QQQ/daily?date=2024-01-07", token, 404, &r);
    hres_free(&r);
}

static void perf_history(struct rfx *x, const char *token)
{
    struct hres r;
    struct perf_rows all;
    perf_rows(x, "strategy", "v3_5b", &all);
    ck_assert_uint_gt(all.n, 100);
    /* the last 10 rows, oldest first */
    get(x, "/api/v2/performance/v3_5b/daily/history?days=10", token, 200, &r);
    json_object *rows = member(r.json, "rows");
    ck_assert_uint_eq(json_object_array_length(rows), 10);
    for (size_t i = 0; i < 10; i++)
        same_perf(json_object_array_get_idx(rows, i), &all.r[all.n - 10 + i]);
    hres_free(&r);
    /* the default: the last 30 */
    get(x, "/api/v2/performance/v3_5b/daily/history", token, 200, &r);
    ck_assert_int_eq(int_of(r.json, "count"), 30);
    hres_free(&r);
    /* a range: every row of it */
    get(x, "/api/v2/performance/v3_5b/daily/history?from=" RFX_FIRST "&to=" RFX_LAST, token, 200,
        &r);
    rows = member(r.json, "rows");
    ck_assert_uint_eq(json_object_array_length(rows), all.n);
    for (size_t i = 0; i < all.n; i++)
        same_perf(json_object_array_get_idx(rows, i), &all.r[i]);
    hres_free(&r);
    perf_rows_free(&all);
    /* QQQ's KPIs, the benchmark's route */
    perf_rows(x, "baseline", "QQQ", &all);
    get(x, "/api/v2/performance/QQQ/daily/history?days=30", token, 200, &r);
    rows = member(r.json, "rows");
    ck_assert_uint_eq(json_object_array_length(rows), 30);
    for (size_t i = 0; i < 30; i++)
        same_perf(json_object_array_get_idx(rows, i), &all.r[all.n - 30 + i]);
    hres_free(&r);
    perf_rows_free(&all);
}

static void perf_series(struct rfx *x, const char *token)
{
    struct hres r;
    struct perf_rows s, q;
    perf_rows(x, "strategy", "v3_5b", &s);
    perf_rows(x, "baseline", "QQQ", &q);
    /* comparison: one row per date, both entities present every day here */
    get(x, "/api/v2/performance/comparison?entities=v3_5b,QQQ", token, 200, &r);
    json_object *rows = member(r.json, "rows");
    ck_assert_uint_eq(json_object_array_length(rows), q.n);
    ck_assert_uint_eq(s.n, q.n);
    for (size_t i = 0; i < q.n; i++) {
        json_object *row = json_object_array_get_idx(rows, i);
        eq_date(row, "date", q.r[i].trading_date);
        eq_money(member(row, "v3_5b"), "equity", s.r[i].total_equity);
        eq_money(member(row, "QQQ"), "equity", q.r[i].total_equity);
        eq_ratio(member(row, "QQQ"), "drawdown", q.r[i].drawdown, 6);
    }
    hres_free(&r);
    /* a range */
    get(x, "/api/v2/performance/comparison?entities=QQQ,v3_5b&from=2024-03-01&to=2024-03-31",
        token, 200, &r);
    ck_assert_int_gt(int_of(r.json, "count"), 15);
    ck_assert_int_lt(int_of(r.json, "count"), 23);
    hres_free(&r);
    /* returns: the year from the capital to the last equity; months chain */
    get(x, "/api/v2/performance/QQQ/returns", token, 200, &r);
    json_object *years = member(r.json, "years"), *months = member(r.json, "months");
    ck_assert_uint_eq(json_object_array_length(years), 1);
    ck_assert_uint_eq(json_object_array_length(months), 6);
    json_object *y = json_object_array_get_idx(years, 0);
    ck_assert_int_eq(int_of(y, "year"), 2024);
    eq_money(y, "start_equity", q.r[0].initial_capital);
    eq_money(y, "end_equity", q.r[q.n - 1].total_equity);
    eq_ratio(y, "return", (double)q.r[q.n - 1].total_equity /
                          (double)q.r[0].initial_capital - 1.0, 6);
    for (size_t i = 1; i < 6; i++)
        ck_assert_str_eq(str_of(json_object_array_get_idx(months, i), "start_equity"),
                         str_of(json_object_array_get_idx(months, i - 1), "end_equity"));
    hres_free(&r);
    /* drawdown: one per row; the worst is the min */
    get(x, "/api/v2/performance/v3_5b/drawdown", token, 200, &r);
    rows = member(r.json, "rows");
    ck_assert_uint_eq(json_object_array_length(rows), s.n);
    double worst = 0;
    for (size_t i = 0; i < s.n; i++) {
        eq_ratio(json_object_array_get_idx(rows, i), "drawdown", s.r[i].drawdown, 6);
        if (s.r[i].drawdown < worst)
            worst = s.r[i].drawdown;
    }
    eq_ratio(r.json, "max_drawdown", worst, 6);
    hres_free(&r);
    perf_rows_free(&s);
    perf_rows_free(&q);
}

static void eod_status(struct rfx *x, const char *token)
{
    struct hres r;
    struct perf_rows q;
    perf_rows(x, "baseline", "QQQ", &q);
    get(x, "/api/v2/performance/eod-status/" RFX_LAST, token, 200, &r);
    ck_assert_str_eq(str_of(r.json, "status"), "completed");
    ck_assert_str_eq(str_of(r.json, "date"), RFX_LAST);
    ck_assert_int_eq(int_of(r.json, "baselines_processed"), 1);
    hres_free(&r);
    get(x, "/api/v2/performance/eod-status/today", token, 200, &r);
    ck_assert_str_eq(str_of(r.json, "date"), "2024-07-01");   /* the fixture's clock */
    ck_assert_str_eq(str_of(r.json, "status"), "not_run");
    hres_free(&r);
    get(x, "/api/eod/status?from=" RFX_FIRST "&to=" RFX_LAST, token, 200, &r);
    json_object *days = member(r.json, "days");
    ck_assert_uint_eq(json_object_array_length(days), q.n);
    for (size_t i = 0; i < q.n; i++)
        eq_date(json_object_array_get_idx(days, i), "date", q.r[i].trading_date);
    hres_free(&r);
    perf_rows_free(&q);
}

static void perf_refusals(struct rfx *x)
{
    struct hres r;
    bad(x, "/api/v2/performance/v3_5b/daily/history?from=2026-02-30", "from",
        "\"2026-02-30\" is not a date (February 2026 has 28 days)");
    bad(x, "/api/v2/performance/v3_5b/daily/history?days=abc", "days", NULL);
    bad(x, "/api/v2/performance/v3_5b/daily/history?days=0", "days", NULL);
    bad(x, "/api/v2/performance/v3_5b/daily/history?days=5001", "days", NULL);
    bad(x, "/api/v2/performance/v3_5b/daily?mode=bogus", "mode", NULL);
    bad(x, "/api/v2/performance/v3_5b/daily?date=2024-13-01", "date", "no month 13");
    bad(x, "/api/v2/performance/QQQ/returns?from=2024-03-01&to=2024-02-01", "to", NULL);
    bad(x, "/api/v2/performance/comparison", "entities", NULL);
    bad(x, "/api/v2/performance/comparison?entities=QQQ;DROP", "entities", NULL);
    bad(x, "/api/v2/performance/eod-status/2024-02-30", "date", NULL);
    bad(x, "/api/eod/status?from=2010-01-01&to=2024-01-01", "from", NULL);
    get(x, "/api/v2/performance/nobody/daily", x->viewer, 404, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "nobody"));
    hres_free(&r);
    get(x, "/api/v2/performance/comparison?entities=QQQ,nobody", x->viewer, 404, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "nobody"));
    hres_free(&r);
    get(x, "/api/v2/performance/v3_5b/daily?mode=online_live", x->viewer, 404, &r);
    hres_free(&r);
    get(x, "/api/v2/performance/v3_5b/daily", NULL, 401, &r);
    hres_free(&r);
}

START_TEST(performance)
{
    struct rfx x;
    rfx_open(&x, _i, NULL);
    if (!x.h.t.skipped) {
        const char *tokens[] = { x.viewer, x.admin };
        for (int k = 0; k < 2; k++) {
            perf_daily(&x, tokens[k]);
            perf_history(&x, tokens[k]);
            perf_series(&x, tokens[k]);
            eod_status(&x, tokens[k]);
        }
        perf_refusals(&x);
    }
    rfx_close(&x);
}
END_TEST

/* --- trades ---------------------------------------------------------------- */

static void same_trade(json_object *o, const struct jutsu_trade_row *t)
{
    ck_assert_int_eq(int_of(o, "id"), t->id);
    eq_text(o, "strategy_id", t->strategy_id);
    eq_text(o, "mode", t->mode);
    eq_text(o, "symbol", t->symbol);
    eq_text(o, "action", t->action);
    ck_assert_int_eq(int_of(o, "quantity"), t->quantity);
    eq_money(o, "target_price", t->target_price);
    eq_money(o, "fill_price", t->fill_price);
    eq_money(o, "fill_value", t->fill_value);
    eq_money(o, "realized_pnl", t->realized_pnl);
    eq_ratio(o, "slippage_pct", t->slippage_pct, 6);
    eq_int(o, "strategy_cell", t->strategy_cell);
    eq_text(o, "trend_state", t->trend_state);
    eq_ratio(o, "t_norm", t->t_norm, 6);
    eq_text(o, "execution_id", t->execution_id);
    char ts[40];
    ck_assert_int_ge(jutsu_time_format(t->ts, ts), 0);
    ck_assert_str_eq(str_of(o, "timestamp"), ts);
}

static json_object *items_of(struct hres *r, int64_t total)
{
    ck_assert_int_eq(int_of(r->json, "total"), total);
    return member(r->json, "items");
}

static void trades_list(struct rfx *x, const char *token)
{
    struct hres a, b, c;
    int64_t total = tdb_count(&x->h.t, "live_trades", NULL);
    ck_assert_int_gt(total, 4);
    get(x, "/api/trades?per_page=2", token, 200, &a);
    get(x, "/api/trades?per_page=2&page=2", token, 200, &b);
    get(x, "/api/trades?per_page=4", token, 200, &c);
    json_object *ia = items_of(&a, total), *ib = items_of(&b, total), *ic = items_of(&c, total);
    ck_assert_uint_eq(json_object_array_length(ia), 2);
    ck_assert_int_eq(int_of(a.json, "page"), 1);
    ck_assert_int_eq(int_of(b.json, "page"), 2);
    ck_assert_int_eq(int_of(b.json, "per_page"), 2);
    for (size_t i = 0; i < 4; i++) {
        json_object *want = json_object_array_get_idx(ic, i);
        json_object *got = json_object_array_get_idx(i < 2 ? ia : ib, i % 2);
        ck_assert(json_object_equal(want, got));
    }
    ck_assert_int_ne(int_of(json_object_array_get_idx(ia, 0), "id"),
                     int_of(json_object_array_get_idx(ib, 0), "id"));
    /* newest first */
    const char *t0 = str_of(json_object_array_get_idx(ic, 0), "timestamp");
    const char *t3 = str_of(json_object_array_get_idx(ic, 3), "timestamp");
    ck_assert_int_ge(strcmp(t0, t3), 0);
    /* one, field by field against its row */
    int64_t id = int_of(json_object_array_get_idx(ic, 1), "id");
    struct jutsu_trade_row t;
    ck_assert_int_eq(jutsu_data_trade_get(x->h.t.s, id, &t), 0);
    same_trade(json_object_array_get_idx(ic, 1), &t);
    char path[128];
    snprintf(path, sizeof(path), "/api/trades/%lld", (long long)id);
    struct hres one;
    get(x, path, token, 200, &one);
    ck_assert_int_eq(jutsu_data_trade_get(x->h.t.s, id, &t), 0);
    same_trade(one.json, &t);
    hres_free(&one);
    /* a filter: one symbol */
    char sym[16];
    snprintf(sym, sizeof(sym), "%s", str_of(json_object_array_get_idx(ic, 0), "symbol"));
    char where[64];
    snprintf(where, sizeof(where), "symbol = '%s'", sym);
    snprintf(path, sizeof(path), "/api/trades?symbol=%s&strategy=v3_5b&mode=offline_mock&"
             "per_page=500", sym);
    struct hres f;
    get(x, path, token, 200, &f);
    json_object *fi = items_of(&f, tdb_count(&x->h.t, "live_trades", where));
    for (size_t i = 0; i < json_object_array_length(fi); i++)
        ck_assert_str_eq(str_of(json_object_array_get_idx(fi, i), "symbol"), sym);
    hres_free(&f);
    /* a range that holds nothing */
    get(x, "/api/trades?from=2020-01-01&to=2020-12-31", token, 200, &f);
    ck_assert_uint_eq(json_object_array_length(items_of(&f, 0)), 0);
    hres_free(&f);
    hres_free(&a);
    hres_free(&b);
    hres_free(&c);
}

static void trades_summary(struct rfx *x, const char *token)
{
    struct hres r, l;
    int64_t total = tdb_count(&x->h.t, "live_trades", NULL);
    get(x, "/api/trades/summary", token, 200, &r);
    get(x, "/api/trades?per_page=500", token, 200, &l);
    json_object *items = items_of(&l, total);
    ck_assert_int_eq(int_of(r.json, "total_trades"), total);
    int64_t buys = 0, sells = 0, won = 0, lost = 0;
    jutsu_money_t pnl = 0;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *t = json_object_array_get_idx(items, i), *p;
        int sell = strcmp(str_of(t, "action"), "SELL") == 0;
        buys += !sell;
        sells += sell;
        p = member(t, "realized_pnl");
        if (p) {
            jutsu_money_t v;
            ck_assert_int_eq(jutsu_money_parse(json_object_get_string(p), -1,
                                               JUTSU_MONEY_EXACT, &v), 0);
            pnl += v;
            won += v > 0;
            lost += v < 0;
        }
    }
    ck_assert_int_eq(int_of(r.json, "buys"), buys);
    ck_assert_int_eq(int_of(r.json, "sells"), sells);
    ck_assert_int_eq(int_of(r.json, "winning_trades"), won);
    ck_assert_int_eq(int_of(r.json, "losing_trades"), lost);
    eq_money(r.json, "realized_pnl", pnl);
    if (won + lost)
        eq_ratio(r.json, "win_rate", 100.0 * (double)won / (double)(won + lost), 2);
    json_object *bs = member(r.json, "by_symbol");
    int64_t sum = 0;
    for (size_t i = 0; i < json_object_array_length(bs); i++)
        sum += int_of(json_object_array_get_idx(bs, i), "total_trades");
    ck_assert_int_eq(sum, total);
    hres_free(&r);
    hres_free(&l);
}

/* --- a small RFC 4180 reader ------------------------------------------------ */

struct csv_rows {
    char ***rows;     /* rows[i][j] */
    size_t *ncols;
    size_t n;
};

static void csv_parse(const char *p, struct csv_rows *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    while (*p) {
        char **fields = NULL;
        size_t nf = 0;
        for (;;) {
            char *f = malloc(strlen(p) + 1);
            size_t k = 0;
            ck_assert_ptr_nonnull(f);
            if (*p == '"') {
                for (p++;; p++) {
                    ck_assert_msg(*p, "an unclosed quote");
                    if (*p == '"' && p[1] == '"')
                        f[k++] = *p++;
                    else if (*p == '"')
                        break;
                    else
                        f[k++] = *p;
                }
                p++;
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                    ck_assert_msg(*p != '"', "a quote inside an unquoted field");
                    f[k++] = *p++;
                }
            }
            f[k] = '\0';
            fields = realloc(fields, (nf + 1) * sizeof(*fields));
            fields[nf++] = f;
            if (*p == ',') {
                p++;
                continue;
            }
            ck_assert_msg(p[0] == '\r' && p[1] == '\n', "a record not ended by CRLF");
            p += 2;
            break;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            out->rows = realloc(out->rows, cap * sizeof(*out->rows));
            out->ncols = realloc(out->ncols, cap * sizeof(*out->ncols));
        }
        out->rows[out->n] = fields;
        out->ncols[out->n++] = nf;
    }
}

static void csv_free_rows(struct csv_rows *c)
{
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->ncols[i]; j++)
            free(c->rows[i][j]);
        free(c->rows[i]);
    }
    free(c->rows);
    free(c->ncols);
}

static const char *csv_get(const struct csv_rows *c, size_t row, const char *col)
{
    for (size_t j = 0; j < c->ncols[0]; j++)
        if (strcmp(c->rows[0][j], col) == 0)
            return c->rows[row][j];
    ck_abort_msg("no column %s", col);
    return NULL;
}

static void trades_export(struct rfx *x, const char *token)
{
    struct hres r, l;
    int64_t total = tdb_count(&x->h.t, "live_trades", NULL);
    get(x, "/api/trades/export", token, 200, &r);
    ck_assert_ptr_nonnull(strstr(r.headers, "text/csv"));
    get(x, "/api/trades?per_page=500", token, 200, &l);
    json_object *items = items_of(&l, total);
    struct csv_rows c;
    csv_parse(r.body, &c);
    ck_assert_uint_eq(c.n, (size_t)total + 1);
    for (size_t i = 1; i < c.n; i++) {
        ck_assert_uint_eq(c.ncols[i], c.ncols[0]);
        json_object *t = json_object_array_get_idx(items, i - 1);
        ck_assert_int_eq(atoll(csv_get(&c, i, "id")), int_of(t, "id"));
        ck_assert_str_eq(csv_get(&c, i, "timestamp"), str_of(t, "timestamp"));
        ck_assert_str_eq(csv_get(&c, i, "symbol"), str_of(t, "symbol"));
        ck_assert_str_eq(csv_get(&c, i, "fill_price"), str_of(t, "fill_price"));
        json_object *pnl = member(t, "realized_pnl");
        ck_assert_str_eq(csv_get(&c, i, "realized_pnl"), pnl ? json_object_get_string(pnl) : "");
    }
    csv_free_rows(&c);
    hres_free(&r);
    hres_free(&l);
    /* the same filters */
    get(x, "/api/trades/export?symbol=NONE", token, 200, &r);
    csv_parse(r.body, &c);
    ck_assert_uint_eq(c.n, 1);
    csv_free_rows(&c);
    hres_free(&r);
}

static void positions_snapshots(struct rfx *x, const char *token)
{
    struct hres r, a, b;
    get(x, "/api/positions?strategy=v3_5b&mode=offline_mock", token, 200, &r);
    json_object *items = items_of(&r, tdb_count(&x->h.t, "positions", NULL));
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *p = json_object_array_get_idx(items, i);
        struct jutsu_position_row row;
        ck_assert_int_eq(jutsu_data_position_get(x->h.t.s, "v3_5b", "offline_mock",
                                                 str_of(p, "symbol"), &row), 0);
        ck_assert_int_eq(int_of(p, "quantity"), row.quantity);
        eq_money(p, "avg_cost", row.avg_cost);
        eq_money(p, "market_value", row.market_value);
    }
    hres_free(&r);
    int64_t total = tdb_count(&x->h.t, "performance_snapshots", NULL);
    ck_assert_int_gt(total, 100);
    get(x, "/api/snapshots?strategy=v3_5b&per_page=3", token, 200, &a);
    get(x, "/api/snapshots?strategy=v3_5b&per_page=3&page=2", token, 200, &b);
    json_object *ia = items_of(&a, total), *ib = items_of(&b, total);
    ck_assert_uint_eq(json_object_array_length(ib), 3);
    ck_assert_str_gt(str_of(json_object_array_get_idx(ia, 2), "timestamp"),
                     str_of(json_object_array_get_idx(ib, 0), "timestamp"));
    struct jutsu_snapshot_row s;
    char ts[40];
    ck_assert_int_eq(jutsu_data_snapshot_latest(x->h.t.s, "v3_5b", "offline_mock",
                                                INT64_MAX / 2, &s), 0);
    jutsu_time_format(s.ts, ts);
    json_object *first = json_object_array_get_idx(ia, 0);
    ck_assert_str_eq(str_of(first, "timestamp"), ts);
    eq_money(first, "total_equity", s.total_equity);
    eq_money(first, "cash", s.cash);
    eq_ratio(first, "daily_return", s.daily_return, 6);
    hres_free(&a);
    hres_free(&b);
    get(x, "/api/snapshots?from=" RFX_LAST "&to=" RFX_LAST, token, 200, &a);
    ck_assert_uint_eq(json_object_array_length(items_of(&a, 1)), 1);
    hres_free(&a);
}

static void market_bars(struct rfx *x, const char *token)
{
    struct hres a, b;
    struct tdb_closes c = { 0 };
    jutsu_date_t from = x->first, to = x->first + 29;
    tdb_closes(&x->h.t, "QQQ", from, to, &c);
    ck_assert_uint_gt(c.n, 10);
    get(x, "/api/market-data/QQQ?from=" RFX_FIRST "&to=2024-01-31&per_page=5", token, 200, &a);
    get(x, "/api/market-data/qqq?from=" RFX_FIRST "&to=2024-01-31&per_page=5&page=2", token, 200,
        &b);
    json_object *ia = items_of(&a, (int64_t)c.n), *ib = items_of(&b, (int64_t)c.n);
    ck_assert_uint_eq(json_object_array_length(ia), 5);
    for (size_t i = 0; i < 10; i++) {
        json_object *bar = json_object_array_get_idx(i < 5 ? ia : ib, i % 5);
        eq_date(bar, "date", c.d[i]);
        eq_money(bar, "close", c.c[i]);
    }
    tdb_closes_free(&c);
    hres_free(&a);
    hres_free(&b);
    get(x, "/api/market-data/ZZZZ", token, 404, &a);
    hres_free(&a);
}

/* An export longer than the reader's page (500 rows): 1,100 more trades,
 * in groups of 7 at the same instant, so that pages end inside a group
 * and the keyset's tie-break on the id is needed. */
static void export_pages(struct rfx *x)
{
    struct hres r;
    int64_t first_id = 0, id;
    jutsu_time_t t0 = jutsu_date_to_time(jutsu_date_from_ymd(2023, 3, 1)) +
                      20 * 3600 * INT64_C(1000000);
    ck_assert_int_eq(jutsu_dbs_begin(x->h.t.s), 0);
    for (int i = 0; i < 1100; i++) {
        struct jutsu_trade_row t = {
            .strategy_id = "bulk", .mode = "offline_mock", .symbol = i % 2 ? "TLT" : "QQQ",
            .ts = t0 + (i / 7) * INT64_C(60000000), .action = i % 3 ? "BUY" : "SELL",
            .quantity = 1 + i, .target_price = INT64_C(100000000) + i,
            .fill_price = INT64_C(100000001) + i, .fill_value = JUTSU_MONEY_NULL,
            .slippage_pct = NAN, .strategy_cell = JUTSU_INT_NULL, .t_norm = NAN, .z_score = NAN,
            .reason = i == 5 ? "a \"quoted\", comma\r\nand a line" : NULL,
            .realized_pnl = i % 3 ? JUTSU_MONEY_NULL : INT64_C(-1500000) + i,
        };
        ck_assert_int_eq(jutsu_data_trade_insert(x->h.t.s, &t, &id), 0);
        if (i == 0)
            first_id = id;
    }
    ck_assert_int_eq(jutsu_dbs_commit(x->h.t.s), 0);
    get(x, "/api/trades/export?strategy=bulk", x->viewer, 200, &r);
    struct csv_rows c;
    csv_parse(r.body, &c);
    ck_assert_uint_eq(c.n, 1101);
    /* newest first: the last group first, by id descending inside it */
    int64_t prev = INT64_MAX;
    char prev_ts[40] = "9999";
    for (size_t k = 1; k < c.n; k++) {
        int64_t cur = atoll(csv_get(&c, k, "id"));
        const char *ts = csv_get(&c, k, "timestamp");
        int cmp = strcmp(ts, prev_ts);
        ck_assert_msg(cmp < 0 || (cmp == 0 && cur < prev), "row %zu out of order", k);
        ck_assert_int_ge(cur, first_id);
        prev = cur;
        snprintf(prev_ts, sizeof(prev_ts), "%s", ts);
        if (cur == first_id + 5)
            ck_assert_str_eq(csv_get(&c, k, "reason"), "a \"quoted\", comma\r\nand a line");
    }
    csv_free_rows(&c);
    hres_free(&r);
    get(x, "/api/trades?strategy=bulk&per_page=500&page=3", x->viewer, 200, &r);
    ck_assert_uint_eq(json_object_array_length(items_of(&r, 1100)), 100);
    hres_free(&r);
    get(x, "/api/trades/export", x->admin, 200, &r);
    csv_parse(r.body, &c);
    ck_assert_int_eq((int64_t)c.n, tdb_count(&x->h.t, "live_trades", NULL) + 1);
    csv_free_rows(&c);
    hres_free(&r);
}

static void trade_refusals(struct rfx *x)
{
    struct hres r;
    bad(x, "/api/trades?per_page=100000", "per_page", NULL);
    bad(x, "/api/trades?page=0", "page", NULL);
    bad(x, "/api/trades?page=abc", "page", NULL);
    bad(x, "/api/trades?mode=bogus", "mode", NULL);
    bad(x, "/api/trades?from=2026-02-30", "from", "February 2026 has 28 days");
    bad(x, "/api/trades?symbol=Q%20Q", "symbol", NULL);
    bad(x, "/api/trades/summary?to=2024-99-01", "to", NULL);
    bad(x, "/api/trades/export?mode=paper", "mode", NULL);
    bad(x, "/api/snapshots?per_page=501", "per_page", NULL);
    bad(x, "/api/positions?mode=bogus", "mode", NULL);
    bad(x, "/api/market-data/QQQ?timeframe=2D", "timeframe", NULL);
    bad(x, "/api/market-data/QQQ?per_page=5001", "per_page", NULL);
    bad(x, "/api/trades/abc", "id", NULL);
    get(x, "/api/trades/999999999", x->viewer, 404, &r);
    hres_free(&r);
    get(x, "/api/trades", NULL, 401, &r);
    hres_free(&r);
}

START_TEST(trades)
{
    struct rfx x;
    rfx_open(&x, _i, NULL);
    if (!x.h.t.skipped) {
        ck_assert_int_gt(x.traded_days, 2);
        const char *tokens[] = { x.viewer, x.admin };
        for (int k = 0; k < 2; k++) {
            trades_list(&x, tokens[k]);
            trades_summary(&x, tokens[k]);
            trades_export(&x, tokens[k]);
            positions_snapshots(&x, tokens[k]);
            market_bars(&x, tokens[k]);
        }
        trade_refusals(&x);
        export_pages(&x);
    }
    rfx_close(&x);
}
END_TEST

static Suite *rest_read_suite(void)
{
    Suite *s = suite_create("rest_read");
    TCase *tc = tcase_create("read");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, performance, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, trades, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(rest_read_suite());
}
