/*
 * tests/unit/test_kpi.c — kpi-standard, loaded as the real plugin by the
 * real host ($JUTSU_PLUGIN_PATH/kpi-standard.so) in an app without a
 * database, and driven through struct jutsu_kpi_ops and jutsu_kpi_fold:
 *
 *   - small series whose every KPI is worked out by hand in the comments
 *     (closed forms such as Sharpe = sqrt(14) that a reader can check);
 *   - the whole of conf/sample-data/QQQ.csv as a buy-and-hold equity, the
 *     state through JSON text every day, each day's KPIs against a batch
 *     recomputation over all returns so far, and the last day's against
 *     the same KPIs straight from the closes;
 *   - determinism, purity, concurrent folds, strict reading of the state;
 *   - the host side: two instances claiming the same columns, a missing
 *     state, a value a column cannot hold;
 *   - the KPI conformance suite (libjutsu_harness), against kpi-standard
 *     started as jutsu-plugin-test starts it, and against a deliberately
 *     broken KPI.
 *
 * Days are built the way the EOD job builds them: daily_return is
 * E_t / E_{t-1} - 1 on the exact micro-unit equities, drawdown is
 * E_t / high_water_mark - 1 with the initial capital (10,000) as the first
 * mark.
 */
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/data.h"
#include "jutsu/error.h"
#include "jutsu/kpi.h"
#include "jutsu/money.h"
#include "host/app.h"
#include "eod/kpi_host.h"
#include "base/log.h"
#include "harness_fixture.h"
#include "testutil.h"

#define CAPITAL INT64_C(10000000000)   /* 10,000.000000 */

/* --- fixture: an app with kpi-standard instances, no database ------------ */

struct fx {
    struct jutsu_app           *app;
    struct jutsu_ctx           *inst;   /* the instance named "kpi" */
    const struct jutsu_kpi_ops *ops;
    int                         rc;     /* of load_plugins, then of start */
    char                        diag[2048];  /* what loading the plugins said */
};

/* `plugins` is the YAML list of instances. */
static void fx_open(struct fx *f, const char *plugins)
{
    memset(f, 0, sizeof(*f));
    f->rc = tu_app_open(plugins, &f->app, f->diag, sizeof(f->diag));
    f->inst = jutsu_app_find(f->app, "kpi");
    if (f->inst)
        f->ops = f->inst->module->desc->ops;
}

/* One instance "kpi" of kpi-standard; `config` is the inside of a flow map. */
static void fx_start(struct fx *f, const char *config)
{
    char plugins[256];
    snprintf(plugins, sizeof(plugins), "  - {name: kpi, plugin: kpi-standard, config: {%s}}\n",
             config ? config : "");
    fx_open(f, plugins);
    ck_assert_msg(f->rc == 0, "start: %s (is JUTSU_PLUGIN_PATH set?) %s%s",
                  jutsu_strerror(f->rc), f->diag, f->inst ? f->inst->error : "");
    ck_assert_ptr_nonnull(f->inst);
    ck_assert_int_eq(f->inst->started, 1);
}

static void fx_stop(struct fx *f)
{
    jutsu_app_free(f->app);
}

static jutsu_money_t money(const char *text)
{
    jutsu_money_t m;
    ck_assert_msg(jutsu_money_parse(text, -1, JUTSU_MONEY_EXACT, &m) == 0, "money %s", text);
    return m;
}

/* --- a series of days for one entity, folded through the plugin ---------- */

struct series {
    struct fx    *f;
    char         *state;      /* the state as JSON text, as the database keeps it */
    jutsu_money_t equity, hwm;
    int           days;
    double        v[JUTSU_KPI_MAX_COLUMNS];
};

/* The next day of the series as the EOD job computes it. */
static void series_day(struct series *s, jutsu_money_t equity, int gap, int closed, int won,
                       int lost, struct jutsu_kpi_day *d)
{
    memset(d, 0, sizeof(*d));
    d->size = sizeof(*d);
    d->date = jutsu_date_from_ymd(2025, 3, 3) + s->days;
    d->entity_type = "baseline";
    d->entity_id = "TEST";
    d->mode = "offline_mock";
    d->is_first_day = s->days == 0;
    d->days_since_previous = s->days == 0 ? 0 : gap;
    d->trading_days_count = s->days + 1;
    d->equity = equity;
    d->previous_equity = s->days == 0 ? JUTSU_MONEY_NULL : s->equity;
    d->initial_capital = CAPITAL;
    jutsu_money_t hwm = s->days == 0 ? CAPITAL : s->hwm;
    d->high_water_mark = equity > hwm ? equity : hwm;
    d->daily_return = s->days == 0 ? 0.0 : (double)equity / (double)s->equity - 1.0;
    d->cumulative_return = (double)equity / (double)CAPITAL - 1.0;
    d->drawdown = (double)equity / (double)d->high_water_mark - 1.0;
    d->trades_closed = closed;
    d->trades_won = won;
    d->trades_lost = lost;
}

/* Folds day `d` on the series' state (parsed from its text, as read back
 * from the database); on success keeps the new state as text. */
static int series_fold_day(struct series *s, const struct jutsu_kpi_day *d)
{
    json_object *prev = s->state ? json_tokener_parse(s->state) : NULL, *next = NULL;
    ck_assert_msg(s->state == NULL || prev != NULL, "state %s does not parse", s->state);
    for (size_t i = 0; i < JUTSU_KPI_MAX_COLUMNS; i++)
        s->v[i] = NAN;
    s->f->inst->error[0] = '\0';
    int rc = s->f->ops->fold(s->f->inst->state, prev, d, &next, s->v);
    json_object_put(prev);
    if (rc != 0) {
        ck_assert_ptr_null(next);
        return rc;
    }
    ck_assert_ptr_nonnull(next);
    free(s->state);
    s->state = strdup(json_object_to_json_string_ext(next, JSON_C_TO_STRING_PLAIN));
    ck_assert_ptr_nonnull(s->state);
    json_object_put(next);
    s->equity = d->equity;
    s->hwm = d->high_water_mark;
    s->days++;
    return 0;
}

/* Folds a day with equity `text`, `gap` trading days after the previous. */
static void series_add(struct series *s, const char *text, int gap, int closed, int won,
                       int lost)
{
    struct jutsu_kpi_day d;
    series_day(s, money(text), gap, closed, won, lost, &d);
    int rc = series_fold_day(s, &d);
    ck_assert_msg(rc == 0, "fold day %d (%s): %s: %s", s->days + 1, text, jutsu_strerror(rc),
                  s->f->inst->error);
}

/* Equities from the first day on, one trading day apart, no trades. */
static void series_run(struct series *s, struct fx *f, const char *const *equities)
{
    memset(s, 0, sizeof(*s));
    s->f = f;
    for (; *equities; equities++)
        series_add(s, *equities, 1, 0, 0, 0);
}

static void series_free(struct series *s)
{
    free(s->state);
    s->state = NULL;
}

static int col_index(const struct jutsu_kpi_ops *ops, const char *col)
{
    for (int i = 0; ops->columns[i]; i++)
        if (strcmp(ops->columns[i], col) == 0)
            return i;
    ck_abort_msg("kpi-standard does not fill %s", col);
    return -1;
}

/* The value of column `col` after the last fold. */
static double V(const struct series *s, const char *col)
{
    return s->v[col_index(s->f->ops, col)];
}

/* got equals want within 1e-9 relative (absolute below 1) */
static void near(double got, double want, const char *what)
{
    ck_assert_msg(!isnan(got) && fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)),
                  "%s = %.17g, want %.17g", what, got, want);
}

#define IS(s, col, want)  near(V(s, col), want, col)
#define IS_NULL(s, col)   ck_assert_msg(isnan(V(s, col)), "%s = %.17g, want NULL", col, V(s, col))

/* --- hand-checked small cases (P = 252, sqrt(252) = 15.874507866...) ----- */

START_TEST(test_first_day)
{
    /* Day one: no return, so n = 0; the drawdown so far is the day's
     * (0: equity at the initial capital); trades count from day one:
     * 1 won of 2 closed = 50 %. */
    struct fx f;
    struct series s = { .f = &f };
    fx_start(&f, NULL);
    series_add(&s, "10000", 0, 2, 1, 1);
    IS(&s, "returns_count", 0);
    IS(&s, "welford_count", 0);
    IS(&s, "returns_sum", 0);
    IS(&s, "returns_sum_sq", 0);
    IS(&s, "downside_sum_sq", 0);
    IS(&s, "max_drawdown", 0);
    IS(&s, "win_rate", 50);
    IS_NULL(&s, "welford_mean");
    IS_NULL(&s, "welford_m2");
    IS_NULL(&s, "sharpe_ratio");
    IS_NULL(&s, "sortino_ratio");
    IS_NULL(&s, "volatility");
    IS_NULL(&s, "cagr");
    IS_NULL(&s, "calmar_ratio");
    /* the exact first equity is kept as text, never as a double */
    ck_assert_msg(strstr(s.state, "\"first_equity\":\"10000.000000\"") != NULL, "%s", s.state);
    series_free(&s);
    s = (struct series){ .f = &f };

    /* a first day below the initial capital starts with its drawdown:
     * 9,500 / 10,000 - 1 = -0.05 */
    series_add(&s, "9500", 0, 0, 0, 0);
    IS(&s, "max_drawdown", -0.05);
    IS_NULL(&s, "win_rate");
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_one_return)
{
    /* 10,000 -> 10,100: r = 0.01, n = 1. Welford: mean = 0.01, M2 = 0.
     * Sums 0.01, 0.0001, downside 0. With one return no deviation exists:
     * Sharpe, Sortino, volatility, CAGR and Calmar are NULL. */
    struct fx f;
    struct series s;
    static const char *const e[] = { "10000", "10100", NULL };
    fx_start(&f, NULL);
    series_run(&s, &f, e);
    IS(&s, "returns_count", 1);
    IS(&s, "welford_count", 1);
    IS(&s, "returns_sum", 0.01);
    IS(&s, "returns_sum_sq", 0.0001);
    IS(&s, "downside_sum_sq", 0);
    IS(&s, "welford_mean", 0.01);
    IS(&s, "welford_m2", 0);
    IS(&s, "max_drawdown", 0);
    IS_NULL(&s, "sharpe_ratio");
    IS_NULL(&s, "sortino_ratio");
    IS_NULL(&s, "volatility");
    IS_NULL(&s, "cagr");
    IS_NULL(&s, "calmar_ratio");
    IS_NULL(&s, "win_rate");
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_two_returns)
{
    /* 10,000 -> 10,200 -> 10,098: r = +0.02, -0.01 (10,098 / 10,200 = 0.99).
     *   mean = 0.005; deviations +-0.015; M2 = 2 * 0.015^2 = 0.00045
     *   sd = sqrt(0.00045 / 1) = 0.0212132
     *   volatility = sqrt(0.00045 * 252) = sqrt(0.1134) = 0.336749
     *   Sharpe = 0.005 / sqrt(0.00045) * sqrt(252)
     *          = sqrt(0.000025 / 0.00045 * 252) = sqrt(14) = 3.741657
     *   downside: sum min(r,0)^2 = 0.0001, / n = 0.00005
     *   Sortino = 0.005 * 252 / (sqrt(0.00005) * sqrt(252))
     *           = sqrt(0.000025 * 252 / 0.00005) = sqrt(126) = 11.224972
     *   CAGR = (10,098 / 10,000)^(252 / 2) - 1 = 1.0098^126 - 1 = 2.4170880
     *   max drawdown = 10,098 / 10,200 - 1 = -0.01
     *   Calmar = 2.4170880 / 0.01 = 241.70880 */
    struct fx f;
    struct series s;
    static const char *const e[] = { "10000", "10200", "10098", NULL };
    fx_start(&f, NULL);
    series_run(&s, &f, e);
    IS(&s, "returns_count", 2);
    IS(&s, "returns_sum", 0.01);
    IS(&s, "returns_sum_sq", 0.0005);
    IS(&s, "downside_sum_sq", 0.0001);
    IS(&s, "welford_mean", 0.005);
    IS(&s, "welford_m2", 0.00045);
    IS(&s, "volatility", sqrt(0.1134));
    IS(&s, "sharpe_ratio", sqrt(14.0));
    IS(&s, "sortino_ratio", sqrt(126.0));
    IS(&s, "cagr", 2.4170879842503);
    IS(&s, "max_drawdown", -0.01);
    IS(&s, "calmar_ratio", 241.70879842503);
    series_free(&s);

    /* the same days with P = 12: only the annualisation changes
     *   volatility = sqrt(0.00045 * 12) = sqrt(0.0054) = 0.0734847
     *   Sharpe = sqrt(0.000025 / 0.00045 * 12) = sqrt(2/3) = 0.8164966
     *   Sortino = sqrt(0.000025 * 12 / 0.00005) = sqrt(6) = 2.4494897
     *   CAGR = 1.0098^(12 / 2) - 1 = (1.0098^3)^2 - 1 = 1.029689061^2 - 1 = 0.0602596 */
    fx_stop(&f);
    fx_start(&f, "periods_per_year: 12");
    series_run(&s, &f, e);
    IS(&s, "volatility", sqrt(0.0054));
    IS(&s, "sharpe_ratio", sqrt(2.0 / 3.0));
    IS(&s, "sortino_ratio", sqrt(6.0));
    IS(&s, "cagr", 0.0602595627385);
    IS(&s, "welford_m2", 0.00045);
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_three_returns)
{
    /* docs/kpi.md's worked example. 10,000 -> 10,100 -> 9,999 -> 10,098.99:
     * r = +0.01, -0.01, +0.01.
     *   mean = 0.01 / 3 = 0.0033333; deviations 0.02/3, -0.04/3, 0.02/3
     *   M2 = (4 + 16 + 4) / 90,000 = 0.00026667; sd = sqrt(M2 / 2) = 0.0115470
     *   volatility = sqrt(0.00013333 * 252) = sqrt(0.0336) = 0.183303
     *   Sharpe = (0.01/3) / sqrt(0.0004/3) * sqrt(252) = sqrt(252 / 12) = sqrt(21) = 4.582576
     *   downside: 0.0001 / 3; Sortino = (0.01/3) * 252 / sqrt(0.0001/3 * 252)
     *           = sqrt(0.0001/9 * 252 * 3 / 0.0001) = sqrt(84) = 9.165151
     *   CAGR = 1.009899^(252/3) - 1 = 1.009899^84 - 1 = 1.2874265
     *   max drawdown = 9,999 / 10,100 - 1 = -0.01; Calmar = 128.74265 */
    struct fx f;
    struct series s;
    static const char *const e[] = { "10000", "10100", "9999", "10098.99", NULL };
    fx_start(&f, NULL);
    series_run(&s, &f, e);
    IS(&s, "returns_count", 3);
    IS(&s, "welford_count", 3);
    IS(&s, "returns_sum", 0.01);
    IS(&s, "returns_sum_sq", 0.0003);
    IS(&s, "downside_sum_sq", 0.0001);
    IS(&s, "welford_mean", 0.01 / 3);
    IS(&s, "welford_m2", 0.0024 / 9);
    IS(&s, "volatility", sqrt(0.0336));
    IS(&s, "sharpe_ratio", sqrt(21.0));
    IS(&s, "sortino_ratio", sqrt(84.0));
    IS(&s, "cagr", 1.28742646599);
    IS(&s, "max_drawdown", -0.01);
    IS(&s, "calmar_ratio", 128.742646599);
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_gap)
{
    /* 10,000, then 10,200 four trading days later, then 10,200: the gap is
     * one return (+0.02), not four, and CAGR counts returns, not days.
     *   after day 2: n = 1, sum 0.02
     *   after day 3: r = 0.02, 0; mean 0.01; M2 = 2 * 0.01^2 = 0.0002
     *   Sharpe = 0.01 / sqrt(0.0002) * sqrt(252) = sqrt(0.5 * 252) = sqrt(126)
     *   volatility = sqrt(0.0002 * 252) = sqrt(0.0504) = 0.224499
     *   CAGR = 1.02^(252/2) - 1 = 1.02^126 - 1 = 11.123322
     *   no return below 0: Sortino NULL; never below the mark: Calmar NULL */
    struct fx f;
    struct series s = { .f = &f };
    fx_start(&f, NULL);
    series_add(&s, "10000", 0, 0, 0, 0);
    series_add(&s, "10200", 4, 0, 0, 0);
    IS(&s, "returns_count", 1);
    IS(&s, "returns_sum", 0.02);
    IS_NULL(&s, "cagr");
    series_add(&s, "10200", 1, 0, 0, 0);
    IS(&s, "returns_count", 2);
    IS(&s, "welford_mean", 0.01);
    IS(&s, "welford_m2", 0.0002);
    IS(&s, "sharpe_ratio", sqrt(126.0));
    IS(&s, "volatility", sqrt(0.0504));
    IS(&s, "cagr", 11.123322046368);
    IS(&s, "max_drawdown", 0);
    IS_NULL(&s, "sortino_ratio");
    IS_NULL(&s, "calmar_ratio");
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_flat)
{
    /* Four days at 10,000: three returns of exactly 0. The deviation is 0:
     * volatility 0, Sharpe NULL (not 0/0, not a huge number); no downside:
     * Sortino NULL; no drawdown: Calmar NULL; CAGR = 1^84 - 1 = 0. */
    struct fx f;
    struct series s;
    static const char *const e[] = { "10000", "10000", "10000", "10000", NULL };
    fx_start(&f, NULL);
    series_run(&s, &f, e);
    ck_assert(V(&s, "volatility") == 0.0);
    ck_assert(V(&s, "cagr") == 0.0);
    ck_assert(V(&s, "welford_mean") == 0.0 && V(&s, "welford_m2") == 0.0);
    IS(&s, "returns_count", 3);
    IS(&s, "max_drawdown", 0);
    IS_NULL(&s, "sharpe_ratio");
    IS_NULL(&s, "sortino_ratio");
    IS_NULL(&s, "calmar_ratio");
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_all_negative)
{
    /* 10,000 -> 9,900 -> 9,702: r = -0.01, -0.02.
     *   mean = -0.015; M2 = 2 * 0.005^2 = 0.00005
     *   Sharpe = -0.015 / sqrt(0.00005) * sqrt(252) = -sqrt(4.5 * 252) = -sqrt(1134) = -33.674916
     *   volatility = sqrt(0.00005 * 252) = sqrt(0.0126) = 0.112250
     *   downside = (0.0001 + 0.0004) / 2 = 0.00025
     *   Sortino = -0.015 * 252 / sqrt(0.00025 * 252) = -sqrt(0.9 * 252) = -sqrt(226.8) = -15.059880
     *   CAGR = 0.9702^126 - 1 = -0.9778935
     *   max drawdown = 9,702 / 10,000 - 1 = -0.0298; Calmar = -0.9778935 / 0.0298 = -32.815218 */
    struct fx f;
    struct series s;
    static const char *const e[] = { "10000", "9900", "9702", NULL };
    fx_start(&f, NULL);
    series_run(&s, &f, e);
    IS(&s, "sharpe_ratio", -sqrt(1134.0));
    IS(&s, "volatility", sqrt(0.0126));
    IS(&s, "downside_sum_sq", 0.0005);
    IS(&s, "returns_sum_sq", 0.0005);
    IS(&s, "sortino_ratio", -sqrt(226.8));
    IS(&s, "cagr", -0.97789349654);
    IS(&s, "max_drawdown", -0.0298);
    IS(&s, "calmar_ratio", -32.815218005);
    series_free(&s);

    /* -1 % three times (10,000, 9,900, 9,801, 9,702.99): equal returns, so
     * the deviation is 0 up to floating-point noise (< 1e-9): Sharpe NULL,
     * volatility ~0. The downside is not zero:
     *   Sortino = -0.01 * 252 / (sqrt(0.0003 / 3) * sqrt(252)) = -sqrt(252) = -15.874508
     *   CAGR = 0.970299^84 - 1 = 0.99^252 - 1 = -0.9205545
     *   max drawdown = -0.029701; Calmar = -0.9205545 / 0.029701 = -30.994059 */
    static const char *const c[] = { "10000", "9900", "9801", "9702.99", NULL };
    series_run(&s, &f, c);
    IS_NULL(&s, "sharpe_ratio");
    ck_assert_msg(V(&s, "volatility") >= 0 && V(&s, "volatility") < 1e-9 * sqrt(252.0),
                  "volatility %.17g", V(&s, "volatility"));
    IS(&s, "sortino_ratio", -sqrt(252.0));
    IS(&s, "cagr", -0.92055454831);
    IS(&s, "max_drawdown", -0.029701);
    IS(&s, "calmar_ratio", -30.994059066);
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_rounding_noise)
{
    /* +1 % a day compounded and rounded to the micro-unit (10,510.100501 *
     * 1.01 = 10,615.20150601 -> 10,615.201506): five returns of 0.01 and
     * one of 0.00999999999905. The deviation is rounding, about 4e-13,
     * below 1e-9: Sharpe NULL, where mean / sd * sqrt(252) would say 4e11.
     * Volatility reports the ~6e-12 it is. No return below 0: Sortino NULL.
     *   CAGR = (10,615.201506 / 10,000)^(252/6) - 1 = 1.0615201506^42 - 1 = 11.274002 */
    struct fx f;
    struct series s;
    static const char *const e[] = { "10000", "10100", "10201", "10303.01", "10406.0401",
                                     "10510.100501", "10615.201506", NULL };
    fx_start(&f, NULL);
    series_run(&s, &f, e);
    IS_NULL(&s, "sharpe_ratio");
    IS_NULL(&s, "sortino_ratio");
    IS_NULL(&s, "calmar_ratio");
    ck_assert_msg(V(&s, "volatility") > 0 && V(&s, "volatility") < 1e-9,
                  "volatility %.17g", V(&s, "volatility"));
    IS(&s, "cagr", pow(10615.201506 / 10000.0, 42) - 1);
    IS(&s, "cagr", 11.274002099);
    series_free(&s);

    /* A dip of one micro-unit: 10,000, 10,100, 10,099.999999, 10,100.5.
     * The drawdown is -0.000001 / 10,100 = -9.9e-11 and is reported as
     * max_drawdown, but it is below 1e-9: Calmar NULL, not 1.3 / 1e-10.
     * The one negative return is -9.9e-11: the downside deviation
     * sqrt(9.8e-21 / 3) = 5.7e-11 is below 1e-9 too: Sortino NULL.
     *   CAGR = 1.01005^(252/3) - 1 = 1.01005^84 - 1 = 1.3163348 */
    static const char *const dip[] = { "10000", "10100", "10099.999999", "10100.5", NULL };
    series_run(&s, &f, dip);
    ck_assert_msg(fabs(V(&s, "max_drawdown") / (-0.000001 / 10100) - 1) < 1e-6,
                  "max_drawdown %.17g", V(&s, "max_drawdown"));
    IS_NULL(&s, "calmar_ratio");
    IS_NULL(&s, "sortino_ratio");
    IS(&s, "cagr", 1.3163347901);
    ck_assert(isfinite(V(&s, "sharpe_ratio")));
    series_free(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(test_win_rate)
{
    /* Trades accumulate over days; a break-even trade is closed but
     * neither won nor lost:
     *   day 1: 3 closed, 1 won, 1 lost, 1 even   -> 1/3  = 33.333333 %
     *   day 2: 2 closed, 2 won                   -> 3/5  = 60 %
     *   day 3: 1 closed, break-even              -> 3/6  = 50 %
     *   day 4: nothing closed                    -> still 50 %
     *   day 5: 2 closed, 0 won, 2 lost           -> 3/8  = 37.5 % */
    struct fx f;
    struct series s = { .f = &f };
    fx_start(&f, NULL);
    series_add(&s, "10000", 0, 3, 1, 1);
    IS(&s, "win_rate", 100.0 / 3.0);
    series_add(&s, "10100", 1, 2, 2, 0);
    IS(&s, "win_rate", 60);
    series_add(&s, "10100", 1, 1, 0, 0);
    IS(&s, "win_rate", 50);
    series_add(&s, "10050", 1, 0, 0, 0);
    IS(&s, "win_rate", 50);
    series_add(&s, "9990", 1, 2, 0, 2);
    IS(&s, "win_rate", 37.5);
    ck_assert_msg(strstr(s.state, "\"trades_closed\":8,\"trades_won\":3,\"trades_lost\":3") != NULL,
                  "%s", s.state);
    series_free(&s);
    fx_stop(&f);
}
END_TEST

/* --- the host side: jutsu_kpi_set_load and jutsu_kpi_fold ---------------- */

static void set_load(struct fx *f, struct jutsu_kpi_set *set)
{
    char err[512] = "";
    int rc = jutsu_kpi_set_load(f->app, set, err, sizeof(err));
    ck_assert_msg(rc == 0, "jutsu_kpi_set_load: %s", err);
    ck_assert_int_eq((int)set->n, 1);
    ck_assert_int_eq((int)set->k[0].ncols, 14);
}

static void host_day(struct jutsu_kpi_day *d, int first, const char *equity, double r)
{
    memset(d, 0, sizeof(*d));
    d->size = sizeof(*d);
    d->date = jutsu_date_from_ymd(2025, 6, 2) + (first ? 0 : 1);
    d->entity_type = "baseline";
    d->entity_id = "QQQ";
    d->mode = "offline_mock";
    d->is_first_day = first;
    d->days_since_previous = first ? 0 : 1;
    d->equity = money(equity);
    d->daily_return = r;
}

START_TEST(test_out_of_range_null)
{
    /* 10,000 -> 10,000 -> 15,000 with P = 252: r = 0, +0.5.
     *   CAGR = 1.5^(252/2) - 1 = 1.5^126 - 1 = 1.54e22: the plugin reports
     *   it (finite), the column NUMERIC(10,6) cannot hold it: NULL in the row.
     *   Sharpe = 0.25 / sqrt(0.125) * sqrt(252) = sqrt(0.5 * 252) = sqrt(126): stored.
     *   volatility = sqrt(0.125 * 252) = sqrt(31.5) = 5.612486: stored.
     *   returns_count 2, returns_sum 0.5, welford_m2 0.125. */
    struct fx f;
    struct jutsu_kpi_set set;
    struct jutsu_daily_perf_row row;
    struct jutsu_kpi_day d;
    json_object *s1 = NULL, *s2 = NULL, *s3 = NULL;
    char err[512] = "";
    fx_start(&f, NULL);
    set_load(&f, &set);
    memset(&row, 0, sizeof(row));
    host_day(&d, 1, "10000", 0);
    ck_assert_int_eq(jutsu_kpi_fold(&set, NULL, &d, &row, &s1, NULL, err, sizeof(err)), 0);
    host_day(&d, 0, "10000", 0);
    ck_assert_int_eq(jutsu_kpi_fold(&set, s1, &d, &row, &s2, NULL, err, sizeof(err)), 0);
    host_day(&d, 0, "15000", 0.5);
    d.date++;
    int rc = jutsu_kpi_fold(&set, s2, &d, &row, &s3, NULL, err, sizeof(err));
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_msg(isnan(row.cagr), "cagr %.17g stored, want NULL", row.cagr);
    ck_assert_msg(isnan(row.calmar_ratio), "calmar %.17g, want NULL", row.calmar_ratio);
    near(row.sharpe_ratio, sqrt(126.0), "sharpe_ratio");
    near(row.volatility, sqrt(31.5), "volatility");
    near(row.returns_sum, 0.5, "returns_sum");
    near(row.welford_m2, 0.125, "welford_m2");
    ck_assert_int_eq(row.returns_count, 2);
    ck_assert_int_eq(row.welford_count, 2);
    /* the row's kpi_state is keyed by instance name */
    json_object *mine = NULL;
    ck_assert(json_object_object_get_ex(s3, "kpi", &mine) && mine != NULL);

    /* the plugin's own value is the finite 1.5^126 - 1 */
    struct series s = { .f = &f };
    series_add(&s, "10000", 0, 0, 0, 0);
    series_add(&s, "10000", 1, 0, 0, 0);
    series_add(&s, "15000", 1, 0, 0, 0);
    near(V(&s, "cagr"), pow(1.5, 126) - 1, "cagr");
    ck_assert(isfinite(V(&s, "cagr")));
    series_free(&s);
    json_object_put(s1);
    json_object_put(s2);
    json_object_put(s3);
    fx_stop(&f);
}
END_TEST

START_TEST(test_host_two_instances)
{
    struct fx f;
    struct jutsu_kpi_set set;
    char err[512] = "";
    fx_open(&f, "  - {name: kpi, plugin: kpi-standard}\n"
                "  - {name: monthly, plugin: kpi-standard, config: {periods_per_year: 12}}\n");
    ck_assert_msg(f.rc == 0, "start: %s", jutsu_strerror(f.rc));
    int rc = jutsu_kpi_set_load(f.app, &set, err, sizeof(err));
    ck_assert_int_eq(rc, JUTSU_ECONFIG);
    ck_assert_msg(strstr(err, "\"kpi\"") && strstr(err, "\"monthly\"") &&
                  strstr(err, "kpi-standard") && strstr(err, "sharpe_ratio"), "%s", err);
    fx_stop(&f);
}
END_TEST

START_TEST(test_host_missing_state)
{
    /* A non-first day whose previous row kept no state for the instance
     * (it was added since): JUTSU_ESTATE, and the message says to backfill. */
    struct fx f;
    struct jutsu_kpi_set set;
    struct jutsu_daily_perf_row row;
    struct jutsu_kpi_day d;
    json_object *next = (json_object *)&row;   /* must come back NULL */
    char err[512] = "";
    fx_start(&f, NULL);
    set_load(&f, &set);
    memset(&row, 0, sizeof(row));
    host_day(&d, 0, "10100", 0.01);
    json_object *prev = json_tokener_parse("{\"other\": {\"n\": 1}}");
    int rc = jutsu_kpi_fold(&set, prev, &d, &row, &next, NULL, err, sizeof(err));
    ck_assert_int_eq(rc, JUTSU_ESTATE);
    ck_assert_ptr_null(next);
    ck_assert_msg(strstr(err, "\"kpi\"") && strstr(err, "backfill") && strstr(err, "QQQ"),
                  "%s", err);
    /* no kpi_state at all: the same */
    next = (json_object *)&row;
    err[0] = '\0';
    ck_assert_int_eq(jutsu_kpi_fold(&set, NULL, &d, &row, &next, NULL, err, sizeof(err)),
                     JUTSU_ESTATE);
    ck_assert_ptr_null(next);
    ck_assert_msg(strstr(err, "backfill") != NULL, "%s", err);

    /* a state that is there but unreadable: the plugin's reason, with the
     * member, through the host's message */
    json_object_put(prev);
    prev = json_tokener_parse("{\"kpi\": {\"version\": 1}}");
    next = (json_object *)&row;
    ck_assert_int_eq(jutsu_kpi_fold(&set, prev, &d, &row, &next, NULL, err, sizeof(err)),
                     JUTSU_EMALFORMED);
    ck_assert_ptr_null(next);
    ck_assert_msg(strstr(err, "\"kpi\"") && strstr(err, "kpi-standard") &&
                  strstr(err, "member \"n\" is missing"), "%s", err);
    json_object_put(prev);
    fx_stop(&f);
}
END_TEST

/* Two entities with two different broken states fold at once on one
 * instance: each failure must carry its own reason (the plugin's reason
 * travels through the instance's one error buffer, which jutsu_kpi_fold
 * guards). */
struct host_racer {
    const struct jutsu_kpi_set *set;
    json_object                *prev;
    const char                 *entity, *member;
    int                         bad;
};

static void *host_race(void *arg)
{
    struct host_racer *r = arg;
    struct jutsu_kpi_day d;
    struct jutsu_daily_perf_row row;
    char err[512];
    host_day(&d, 0, "10100", 0.01);
    d.entity_id = r->entity;
    for (int i = 0; i < 200; i++) {
        json_object *next = NULL;
        memset(&row, 0, sizeof(row));
        err[0] = '\0';
        int rc = jutsu_kpi_fold(r->set, r->prev, &d, &row, &next, NULL, err, sizeof(err));
        if (rc != JUTSU_EMALFORMED || next != NULL || strstr(err, r->entity) == NULL ||
            strstr(err, r->member) == NULL)
            r->bad++;
        json_object_put(next);
    }
    return NULL;
}

START_TEST(test_host_concurrent_errors)
{
    struct fx f;
    struct jutsu_kpi_set set;
    fx_start(&f, NULL);
    set_load(&f, &set);
    struct host_racer r[2] = {
        { &set, json_tokener_parse("{\"kpi\": {\"version\": 1}}"), "AAA", "\"n\"", 0 },
        { &set, json_tokener_parse("{\"kpi\": \"text\"}"), "BBB", "not a JSON object", 0 },
    };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, host_race, &r[i]), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        ck_assert_msg(r[i].bad == 0, "%s: %d of 200 folds came back with another's reason",
                      r[i].entity, r[i].bad);
        json_object_put(r[i].prev);
    }
    fx_stop(&f);
}
END_TEST

/* --- determinism, purity, strict reading ---------------------------------- */

/* A state after three days, as JSON text (malloc'd). */
static char *three_day_state(struct fx *f)
{
    struct series s = { .f = f };
    series_add(&s, "10000", 0, 2, 1, 0);
    series_add(&s, "10100", 1, 1, 0, 1);
    series_add(&s, "9999", 1, 0, 0, 0);
    return s.state;
}

START_TEST(test_deterministic_pure)
{
    struct fx f;
    struct series s = { .f = &f };
    struct jutsu_kpi_day d;
    double v1[JUTSU_KPI_MAX_COLUMNS], v2[JUTSU_KPI_MAX_COLUMNS];
    json_object *n1 = NULL, *n2 = NULL;
    fx_start(&f, NULL);
    char *text = three_day_state(&f);
    s.days = 3;
    s.equity = money("9999");
    s.hwm = money("10100");
    series_day(&s, money("10098.99"), 1, 1, 1, 0, &d);

    json_object *prev = json_tokener_parse(text);
    ck_assert_ptr_nonnull(prev);
    for (int i = 0; i < JUTSU_KPI_MAX_COLUMNS; i++)
        v1[i] = v2[i] = NAN;
    ck_assert_int_eq(f.ops->fold(f.inst->state, prev, &d, &n1, v1), 0);
    ck_assert_int_eq(f.ops->fold(f.inst->state, prev, &d, &n2, v2), 0);
    /* byte-identical states, identical values (NaN where NaN) */
    ck_assert_str_eq(json_object_to_json_string_ext(n1, JSON_C_TO_STRING_PLAIN),
                     json_object_to_json_string_ext(n2, JSON_C_TO_STRING_PLAIN));
    ck_assert(memcmp(v1, v2, sizeof(v1)) == 0);
    /* prev is as it was */
    ck_assert_str_eq(json_object_to_json_string_ext(prev, JSON_C_TO_STRING_PLAIN), text);
    /* and the state reads back exactly: the next day folded from n1 and
     * from n1 as stored (its text parsed again) gives the same values and
     * state (comparing the texts alone would not do: json-c keeps a parsed
     * double's text and prints it back) */
    json_object *reread = json_tokener_parse(json_object_to_json_string_ext(
        n1, JSON_C_TO_STRING_PLAIN));
    ck_assert_ptr_nonnull(reread);
    struct jutsu_kpi_day d2;
    json_object *m1 = NULL, *m2 = NULL;
    s.days = 4;
    s.equity = money("10098.99");
    series_day(&s, money("10150.123457"), 1, 1, 0, 1, &d2);
    for (int i = 0; i < JUTSU_KPI_MAX_COLUMNS; i++)
        v1[i] = v2[i] = NAN;
    ck_assert_int_eq(f.ops->fold(f.inst->state, n1, &d2, &m1, v1), 0);
    ck_assert_int_eq(f.ops->fold(f.inst->state, reread, &d2, &m2, v2), 0);
    ck_assert(memcmp(v1, v2, sizeof(v1)) == 0);
    ck_assert_str_eq(json_object_to_json_string_ext(m1, JSON_C_TO_STRING_PLAIN),
                     json_object_to_json_string_ext(m2, JSON_C_TO_STRING_PLAIN));
    json_object_put(m1);
    json_object_put(m2);
    json_object_put(reread);
    json_object_put(n1);
    json_object_put(n2);
    json_object_put(prev);
    free(text);
    fx_stop(&f);
}
END_TEST

/* Many threads fold the same prev and day at once: every result must be
 * the single-threaded one (no shared mutable state, prev only read). */
struct racer {
    struct fx                  *f;
    json_object                *prev;
    const struct jutsu_kpi_day *day;
    const char                 *want;
    int                         bad;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < 300; i++) {
        json_object *next = NULL;
        double v[JUTSU_KPI_MAX_COLUMNS];
        if (r->f->ops->fold(r->f->inst->state, r->prev, r->day, &next, v) != 0 ||
            strcmp(json_object_to_json_string_ext(next, JSON_C_TO_STRING_PLAIN), r->want) != 0)
            r->bad++;
        json_object_put(next);
    }
    return NULL;
}

START_TEST(test_concurrent_folds)
{
    struct fx f;
    struct series s = { .f = &f };
    struct jutsu_kpi_day d;
    json_object *one = NULL;
    double v[JUTSU_KPI_MAX_COLUMNS];
    fx_start(&f, NULL);
    char *text = three_day_state(&f);
    s.days = 3;
    s.equity = money("9999");
    s.hwm = money("10100");
    series_day(&s, money("10050"), 1, 0, 0, 0, &d);
    json_object *prev = json_tokener_parse(text);
    ck_assert_int_eq(f.ops->fold(f.inst->state, prev, &d, &one, v), 0);
    char *want = strdup(json_object_to_json_string_ext(one, JSON_C_TO_STRING_PLAIN));
    json_object_put(one);

    pthread_t t[4];
    struct racer r[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (struct racer){ .f = &f, .prev = prev, .day = &d, .want = want };
        ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        ck_assert_int_eq(r[i].bad, 0);
    }
    ck_assert_str_eq(json_object_to_json_string_ext(prev, JSON_C_TO_STRING_PLAIN), text);
    json_object_put(prev);
    free(want);
    free(text);
    fx_stop(&f);
}
END_TEST

/* A broken prev: member `name` removed (value NULL) or set to `value`
 * (JSON text), and the member the error must name. */
static const struct {
    const char *name, *value, *named;
} bad_states[] = {
    { "mean",            NULL,                    "member \"mean\" is missing" },
    { "version",         NULL,                    "member \"version\" is missing" },
    { "m2",              "\"abc\"",               "member \"m2\" is a string" },
    { "sum",             "null",                  "member \"sum\" is null" },
    { "sum",             "true",                  "member \"sum\" is a boolean" },
    { "downside_sum_sq", "NaN",                   "member \"downside_sum_sq\"" },
    { "sum_sq",          "-0.5",                  "member \"sum_sq\"" },
    { "m2",              "{}",                    "member \"m2\" is an object" },
    { "n",               "1.5",                   "member \"n\" is a floating-point number" },
    { "n",               "-1",                    "member \"n\" is -1" },
    { "worst_drawdown",  "0.5",                   "member \"worst_drawdown\"" },
    { "first_equity",    "10000.0",               "member \"first_equity\" is a floating-point number" },
    { "first_equity",    "\"10000.0000001\"",     "member \"first_equity\"" },
    { "first_equity",    "\"ten thousand\"",      "member \"first_equity\"" },
    { "trades_won",      "99",                    "\"trades_won\"" },
    { "trades_lost",     "\"1\"",                 "member \"trades_lost\" is a string" },
    { "version",         "2",                     "member \"version\" is 2" },
    { "version",         "\"1\"",                 "member \"version\" is a string" },
    { "bogus",           "1",                     "member \"bogus\"" },
};

START_TEST(test_malformed_prev)
{
    struct fx f;
    struct series s = { .f = &f };
    struct jutsu_kpi_day d;
    double v[JUTSU_KPI_MAX_COLUMNS];
    fx_start(&f, NULL);
    char *text = three_day_state(&f);
    s.days = 3;
    s.equity = money("9999");
    s.hwm = money("10100");
    series_day(&s, money("10050"), 1, 0, 0, 0, &d);

    json_object *prev = json_tokener_parse(text);
    const char *name = bad_states[_i].name, *value = bad_states[_i].value;
    json_object_object_del(prev, name);
    if (value) {
        json_object *val = json_tokener_parse(value);
        ck_assert_msg(val != NULL || strcmp(value, "null") == 0, "%s", value);
        ck_assert_int_eq(json_object_object_add(prev, name, val), 0);
    }
    json_object *next = (json_object *)&d;
    f.inst->error[0] = '\0';
    int rc = f.ops->fold(f.inst->state, prev, &d, &next, v);
    ck_assert_msg(rc == JUTSU_EMALFORMED, "%s = %s: rc %d", name, value ? value : "(removed)",
                  rc);
    ck_assert_ptr_null(next);
    ck_assert_msg(strstr(f.inst->error, bad_states[_i].named) != NULL,
                  "%s = %s: message \"%s\" does not say %s", name, value ? value : "(removed)",
                  f.inst->error, bad_states[_i].named);
    /* the entity and the way out are in the message too */
    ck_assert_msg(strstr(f.inst->error, "baseline TEST") && strstr(f.inst->error, "backfill"),
                  "%s", f.inst->error);
    json_object_put(prev);
    free(text);
    fx_stop(&f);
}
END_TEST

START_TEST(test_malformed_other)
{
    struct fx f;
    struct series s = { .f = &f };
    struct jutsu_kpi_day d;
    double v[JUTSU_KPI_MAX_COLUMNS];
    json_object *next = NULL;
    fx_start(&f, NULL);
    s.days = 1;
    s.equity = s.hwm = CAPITAL;
    series_day(&s, money("10100"), 1, 0, 0, 0, &d);

    /* not an object; "1." is a double json-c keeps with its 2-byte text as
     * userdata, which the state's copy must not be taken for */
    static const char *const not_objects[] = { "[1, 2]", "\"state\"", "42", "1." };
    for (int i = 0; i < 4; i++) {
        json_object *prev = json_tokener_parse(not_objects[i]);
        ck_assert_int_eq(f.ops->fold(f.inst->state, prev, &d, &next, v), JUTSU_EMALFORMED);
        ck_assert_ptr_null(next);
        ck_assert_msg(strstr(f.inst->error, "not a JSON object"), "%s", f.inst->error);
        json_object_put(prev);
    }
    /* no state at all on a day that is not the first */
    ck_assert_int_eq(f.ops->fold(f.inst->state, NULL, &d, &next, v), JUTSU_EMALFORMED);
    ck_assert_msg(strstr(f.inst->error, "there is none"), "%s", f.inst->error);

    /* a day the host got wrong is refused, naming the field */
    d.daily_return = NAN;
    ck_assert_int_eq(f.ops->fold(f.inst->state, NULL, &d, &next, v), JUTSU_EINVAL);
    ck_assert_msg(strstr(f.inst->error, "daily_return"), "%s", f.inst->error);
    d.daily_return = 0.01;
    d.trades_closed = 1;
    d.trades_won = 1;
    d.trades_lost = 1;
    ck_assert_int_eq(f.ops->fold(f.inst->state, NULL, &d, &next, v), JUTSU_EINVAL);
    ck_assert_msg(strstr(f.inst->error, "trade"), "%s", f.inst->error);
    ck_assert_ptr_null(next);

    /* day one starts afresh and does not read prev, even a broken one */
    json_object *junk = json_tokener_parse("[\"junk\"]");
    s.days = 0;
    series_day(&s, CAPITAL, 0, 0, 0, 0, &d);
    ck_assert_int_eq(f.ops->fold(f.inst->state, junk, &d, &next, v), 0);
    ck_assert_ptr_nonnull(next);
    ck_assert(v[col_index(f.ops, "returns_count")] == 0);
    json_object_put(next);
    json_object_put(junk);
    fx_stop(&f);
}
END_TEST

START_TEST(test_config_range)
{
    /* periods_per_year is 1..366: the config is refused before init */
    struct fx f;
    fx_open(&f, "  - {name: kpi, plugin: kpi-standard, config: {periods_per_year: 0}}\n");
    ck_assert_int_eq(f.rc, JUTSU_ECONFIG);
    ck_assert_msg(strstr(f.diag, "periods_per_year") && strstr(f.diag, "366"), "%s", f.diag);
    fx_stop(&f);
    fx_open(&f, "  - {name: kpi, plugin: kpi-standard, config: {periods_per_year: 367}}\n");
    ck_assert_int_eq(f.rc, JUTSU_ECONFIG);
    ck_assert_msg(strstr(f.diag, "periods_per_year"), "%s", f.diag);
    fx_stop(&f);
    /* the one key there is */
    fx_open(&f, "  - {name: kpi, plugin: kpi-standard, config: {risk_free: 0.02}}\n");
    ck_assert_int_eq(f.rc, JUTSU_ECONFIG);
    ck_assert_msg(strstr(f.diag, "risk_free") && strstr(f.diag, "periods_per_year"), "%s",
                  f.diag);
    fx_stop(&f);
}
END_TEST

/* --- the conformance suite ------------------------------------------------ */

START_TEST(test_conformance_suite)
{
    struct harness_fixture *fx = tu_harness_start("kpi-standard", NULL);
    struct harness h;
    harness_init_quiet(&h, "FAIL");
    h.app = fx->app;
    harness_kpi_suite(&h, fx->inst);
    ck_assert_msg(h.failed == 0 && h.passed == 7, "%d passed, %d failed: %s", h.passed, h.failed,
                  h.failed_names);
    harness_fixture_free(fx);
}
END_TEST

/* A KPI that breaks every rule the suite checks. */
static const char *const broken_columns[] = { "sharpe_ratio", "alpha", "sharpe_ratio", NULL };
static int broken_calls;

static int broken_fold(void *state, json_object *prev, const struct jutsu_kpi_day *day,
                       json_object **next, double *values)
{
    values[0] = INFINITY;                           /* never inf */
    if (prev)                                       /* prev is read-only */
        json_object_object_add(prev, "touched", json_object_new_int(1));
    *next = json_object_new_object();               /* not deterministic */
    json_object_object_add(*next, "calls", json_object_new_int(broken_calls++));
    return 0;
}

START_TEST(test_conformance_catches)
{
    static const struct jutsu_kpi_ops ops = { .size = sizeof(ops), .columns = broken_columns,
                                              .fold = broken_fold };
    struct jutsu_plugin desc = { JUTSU_PLUGIN_HEADER, .kind = JUTSU_KIND_KPI, .ops = &ops };
    struct jutsu_module m = { .path = "broken.so", .desc = &desc };
    struct jutsu_ctx c = { .name = "broken", .module = &m };
    struct harness h;
    harness_init_quiet(&h, "(as it should) FAIL");
    harness_kpi_suite(&h, &c);
    ck_assert_msg(strstr(h.failed_names, "kpi.column_names") &&
                  strstr(h.failed_names, "kpi.first_day") &&
                  strstr(h.failed_names, "kpi.deterministic") &&
                  strstr(h.failed_names, "kpi.prev_untouched") &&
                  strstr(h.failed_names, "kpi.finite"), "failed: %s", h.failed_names);
}
END_TEST

/* --- QQQ: incremental against batch, every day ---------------------------- */

/* conf/sample-data/QQQ.csv's closes, exact, in file order (malloc'd). */
static jutsu_money_t *read_closes(size_t *n)
{
    char *path = NULL, line[512];
    size_t cap = 8192;
    jutsu_money_t *c = malloc(cap * sizeof(*c));
    ck_assert_ptr_nonnull(c);
    ck_assert_int_gt(asprintf(&path, "%s/conf/sample-data/QQQ.csv", tu_source_dir()), 0);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (is JUTSU_SOURCE_DIR set?)", path);
    ck_assert(fgets(line, sizeof(line), f) != NULL);
    ck_assert_msg(strncmp(line, "Date,Open,High,Low,Close,Adj Close,Volume", 41) == 0,
                  "%s: header %s", path, line);
    *n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (line[0] == '\n' || line[0] == '\r')
            continue;
        const char *p = line, *end;
        for (int k = 0; k < 4; k++) {
            p = strchr(p, ',');
            ck_assert_msg(p != NULL, "%s: short line %s", path, line);
            p++;
        }
        end = strchr(p, ',');
        ck_assert_msg(end != NULL, "%s: short line %s", path, line);
        if (*n == cap) {
            cap *= 2;
            c = realloc(c, cap * sizeof(*c));
            ck_assert_ptr_nonnull(c);
        }
        ck_assert_msg(jutsu_money_parse(p, end - p, JUTSU_MONEY_EXACT, &c[*n]) == 0 && c[*n] > 0,
                      "%s: Close of %s", path, line);
        (*n)++;
    }
    fclose(f);
    free(path);
    ck_assert_int_gt((int)*n, 4000);
    return c;
}

/* The buy-and-hold equity: round_half_even(10,000 * close / close0) in
 * micro-units, exactly (the product needs 128 bits). */
static jutsu_money_t buy_hold(jutsu_money_t close, jutsu_money_t close0)
{
    __int128 num = (__int128)CAPITAL * close;
    __int128 q = num / close0, rem = num % close0;
    if (2 * rem > close0 || (2 * rem == close0 && (q & 1)))
        q++;
    return (jutsu_money_t)q;
}

struct kpis {
    int    n;
    double mean, m2, sum, sum_sq, down;
    double sharpe, sortino, calmar, mdd, vol, cagr;
};

/*
 * The KPIs by direct formulas over the returns r[0..n-1] of the path
 * e[0..n]: two-pass mean and standard deviation, plain sums, the drawdown
 * by a scan with `first_peak` as the first peak, CAGR from the endpoints;
 * the NULL rules of docs/kpi.md.
 */
static void batch(const double *r, int n, const double *e, double first_peak, int periods,
                  struct kpis *k)
{
    double p = periods, peak = first_peak, dev = 0;
    memset(k, 0, sizeof(*k));
    k->n = n;
    k->mean = k->m2 = k->sharpe = k->sortino = k->calmar = k->vol = k->cagr = NAN;
    for (int i = 0; i <= n; i++) {
        peak = e[i] > peak ? e[i] : peak;
        k->mdd = fmin(k->mdd, e[i] / peak - 1.0);
    }
    for (int i = 0; i < n; i++) {
        k->sum += r[i];
        k->sum_sq += r[i] * r[i];
        k->down += r[i] < 0 ? r[i] * r[i] : 0.0;
    }
    if (n == 0)
        return;
    k->mean = k->sum / n;
    for (int i = 0; i < n; i++)
        dev += (r[i] - k->mean) * (r[i] - k->mean);
    k->m2 = dev;
    if (n < 2)
        return;
    double sd = sqrt(dev / (n - 1)), downside = sqrt(k->down / n);
    k->vol = sd * sqrt(p);
    k->sharpe = sd < 1e-9 ? NAN : k->mean / sd * sqrt(p);
    k->sortino = downside < 1e-9 ? NAN : k->mean * p / (downside * sqrt(p));
    k->cagr = e[0] <= 0 || e[n] <= 0 ? NAN : pow(e[n] / e[0], p / n) - 1.0;
    k->calmar = isnan(k->cagr) || fabs(k->mdd) < 1e-9 ? NAN : k->cagr / fabs(k->mdd);
}

/* a equals b within 1e-9 relative (absolute below 1), or both are NULL */
static int same(double a, double b)
{
    return isnan(a) ? isnan(b) : !isnan(b) && fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

#define AGREE(col, want)                                                                   \
    ck_assert_msg(same(V(&s, col), want), "day %zu of QQQ: %s = %.17g, batch says %.17g", \
                  t + 1, col, V(&s, col), want)

/* The EOD chain carries each day's state object to the next fold in
 * memory (kpi-standard then reads the accumulator it kept on the object);
 * the EOD job of a later day reads it back from the row's text. Over the
 * whole QQQ history both give the same values, bit for bit, and the same
 * state text every day. */
START_TEST(test_qqq_in_memory_equals_text)
{
    struct fx f;
    struct series s = { .f = &f };
    size_t nc;
    fx_start(&f, NULL);
    jutsu_money_t *c = read_closes(&nc);
    json_object *carried = NULL;
    for (size_t t = 0; t < nc; t++) {
        struct jutsu_kpi_day d;
        double v[JUTSU_KPI_MAX_COLUMNS];
        json_object *next = NULL;
        series_day(&s, buy_hold(c[t], c[0]), 1, (int)(t % 3 == 0), (int)(t % 6 == 0), 0, &d);
        for (size_t i = 0; i < JUTSU_KPI_MAX_COLUMNS; i++)
            v[i] = NAN;
        ck_assert_int_eq(f.ops->fold(f.inst->state, carried, &d, &next, v), 0);
        ck_assert_int_eq(series_fold_day(&s, &d), 0);   /* through the text */
        ck_assert_msg(memcmp(v, s.v, sizeof(v)) == 0, "day %zu: the values differ", t + 1);
        ck_assert_str_eq(json_object_to_json_string_ext(next, JSON_C_TO_STRING_PLAIN), s.state);
        json_object_put(carried);
        carried = next;
    }
    json_object_put(carried);
    series_free(&s);
    free(c);
    fx_stop(&f);
}
END_TEST

START_TEST(test_qqq_incremental_equals_batch)
{
    struct fx f;
    struct series s = { .f = &f };
    struct kpis k;
    size_t nc;
    fx_start(&f, NULL);
    jutsu_money_t *c = read_closes(&nc);
    double *r = malloc(nc * sizeof(*r)), *eq = malloc(nc * sizeof(*eq));
    ck_assert(r && eq);

    for (size_t t = 0; t < nc; t++) {
        struct jutsu_kpi_day d;
        jutsu_money_t e = buy_hold(c[t], c[0]);
        series_day(&s, e, 1, 0, 0, 0, &d);
        eq[t] = (double)e;
        if (t > 0)
            r[t - 1] = d.daily_return;
        int rc = series_fold_day(&s, &d);   /* the state through JSON text */
        ck_assert_msg(rc == 0, "day %zu: %s", t + 1, f.inst->error);

        batch(r, (int)t, eq, (double)CAPITAL, 252, &k);
        ck_assert(V(&s, "returns_count") == (double)t && V(&s, "welford_count") == (double)t);
        AGREE("returns_sum", k.sum);
        AGREE("returns_sum_sq", k.sum_sq);
        AGREE("downside_sum_sq", k.down);
        AGREE("welford_mean", k.mean);
        AGREE("welford_m2", k.m2);
        AGREE("volatility", k.vol);
        AGREE("sharpe_ratio", k.sharpe);
        AGREE("sortino_ratio", k.sortino);
        AGREE("max_drawdown", k.mdd);
        AGREE("cagr", k.cagr);
        AGREE("calmar_ratio", k.calmar);
        ck_assert(isnan(V(&s, "win_rate")));
    }

    /* the last day against the KPIs of the closes themselves (returns
     * close_t / close_{t-1} - 1, no equity rounding) */
    size_t t = nc - 1;
    for (size_t i = 0; i < nc; i++)
        eq[i] = (double)c[i];
    for (size_t i = 1; i < nc; i++)
        r[i - 1] = eq[i] / eq[i - 1] - 1.0;
    batch(r, (int)t, eq, eq[0], 252, &k);
    printf("QQQ %zu days, %zu returns: sharpe %.6f (closes %.6f), sortino %.6f (%.6f), "
           "volatility %.6f (%.6f), max_drawdown %.6f (%.6f), cagr %.6f (%.6f), "
           "calmar %.6f (%.6f)\n", nc, t, V(&s, "sharpe_ratio"), k.sharpe,
           V(&s, "sortino_ratio"), k.sortino, V(&s, "volatility"), k.vol,
           V(&s, "max_drawdown"), k.mdd, V(&s, "cagr"), k.cagr, V(&s, "calmar_ratio"),
           k.calmar);
    fflush(stdout);
    static const char *const cols[] = { "sharpe_ratio", "sortino_ratio", "volatility",
                                        "max_drawdown", "cagr", "calmar_ratio" };
    const double want[] = { k.sharpe, k.sortino, k.vol, k.mdd, k.cagr, k.calmar };
    for (int i = 0; i < 6; i++)
        ck_assert_msg(fabs(V(&s, cols[i]) - want[i]) <= 1e-5, "QQQ %s = %.9f, closes say %.9f",
                      cols[i], V(&s, cols[i]), want[i]);
    series_free(&s);
    free(r);
    free(eq);
    free(c);
    fx_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kpi");
    TCase *tc = tcase_create("kpi-standard");
    tcase_add_test(tc, test_first_day);
    tcase_add_test(tc, test_one_return);
    tcase_add_test(tc, test_two_returns);
    tcase_add_test(tc, test_three_returns);
    tcase_add_test(tc, test_gap);
    tcase_add_test(tc, test_flat);
    tcase_add_test(tc, test_all_negative);
    tcase_add_test(tc, test_rounding_noise);
    tcase_add_test(tc, test_win_rate);
    tcase_add_test(tc, test_out_of_range_null);
    tcase_add_test(tc, test_host_two_instances);
    tcase_add_test(tc, test_host_missing_state);
    tcase_add_test(tc, test_host_concurrent_errors);
    tcase_add_test(tc, test_deterministic_pure);
    tcase_add_test(tc, test_concurrent_folds);
    tcase_add_loop_test(tc, test_malformed_prev, 0,
                        (int)(sizeof(bad_states) / sizeof(bad_states[0])));
    tcase_add_test(tc, test_malformed_other);
    tcase_add_test(tc, test_config_range);
    tcase_add_test(tc, test_conformance_suite);
    tcase_add_test(tc, test_conformance_catches);
    tcase_add_test(tc, test_qqq_incremental_equals_batch);
    tcase_add_test(tc, test_qqq_in_memory_equals_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_configure(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(suite());
}
