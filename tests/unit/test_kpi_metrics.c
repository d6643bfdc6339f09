/*
 * tests/unit/test_kpi_metrics.c — a KPI plugin's metrics of its own (ABI
 * 1.4), end to end on both backends: tp-kpi-omega (the docs' example,
 * docs/examples/kpi-omega) beside kpi-standard, the EOD job over the
 * sample's QQQ bars, the rows' `metrics` against an Omega ratio computed
 * here from the stored equities, a re-run that changes nothing,
 * `jutsu perf show` in its three formats and the REST daily routes; and
 * the names the host refuses (two instances, a column, a bad name).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "eod/eod.h"
#include "eod/kpi_host.h"
#include "host/app.h"
#include "store/data_api.h"
#include "http_fx.h"

#define FROM "2024-01-02"
#define TO   "2024-03-28"

static jutsu_date_t day_of(const char *text)
{
    jutsu_date_t d;
    ck_assert_int_eq(jutsu_date_parse(text, -1, &d), 0);
    return d;
}

/* The app: source-csv over the sample, kpi-standard, tp-kpi-omega as
 * "omega" (plus `more` plugins), the baseline QQQ; synced, clock after TO. */
static int open_fx(struct hfx *h, int i, const char *more)
{
    char *top = NULL, *plugins = NULL;
    ck_assert_int_gt(asprintf(&top,
        "plugin_path: [\"%s\"]\n"
        "sync:\n  symbols: [QQQ]\n  timeframes: [1D]\n  sources: [sample]\n"
        "eod:\n  baselines:\n    - {id: QQQ, symbol: QQQ, initial_capital: \"10000\"}\n",
        getenv("JUTSU_TEST_PLUGIN_DIR")), 0);
    ck_assert_int_gt(asprintf(&plugins,
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: omega, plugin: tp-kpi-omega}\n%s", tu_source_dir(), more ? more : ""), 0);
    hfx_open_with(h, i, "", top, plugins);
    free(top);
    free(plugins);
    if (h->t.skipped) {
        hfx_close(h);
        return 0;
    }
    hfx_clock_set((int64_t)(day_of(TO) + 3) * 86400 + 21 * 3600 + 30 * 60);
    tdb_sync(&h->t);
    return 1;
}

/* Every QQQ row: the exact equity and the metrics text, copied. */
struct rows {
    jutsu_date_t  d[256];
    jutsu_money_t equity[256];
    char         *metrics[256];
    size_t        n;
};

static int take(const void *row, void *arg)
{
    const struct jutsu_daily_perf_row *r = row;
    struct rows *x = arg;
    ck_assert_uint_lt(x->n, 256);
    x->d[x->n] = r->trading_date;
    x->equity[x->n] = r->total_equity;
    x->metrics[x->n] = r->metrics ? strdup(r->metrics) : NULL;
    x->n++;
    return 0;
}

static void read_rows(struct hfx *h, struct rows *x)
{
    x->n = 0;
    int rc = jutsu_data_daily_perf_range(h->t.s, "baseline", "QQQ", "offline_mock",
                                         day_of(FROM), day_of(TO), take, x);
    ck_assert_msg(rc == 0, "%s", jutsu_dbs_error(h->t.s));
}

static void rows_free(struct rows *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->metrics[i]);
    x->n = 0;
}

/* A metric of a metrics object: 1 and *v, 0 when null. */
static int metric(json_object *m, const char *name, double *v)
{
    json_object *x = NULL;
    ck_assert_msg(json_object_object_get_ex(m, name, &x), "no %s in %s", name,
                  json_object_to_json_string(m));
    if (x == NULL)
        return 0;
    *v = json_object_get_double(x);
    return 1;
}

/* The Omega ratio of each row, from the stored equities as the EOD job
 * takes returns (E_t / E_t-1 - 1 on the exact micro-units), and the
 * stored metrics bit for bit. */
static void check_omega(const struct rows *x)
{
    double gains = 0.0, losses = 0.0;
    int with_value = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (i > 0) {
            double r = (double)x->equity[i] / (double)x->equity[i - 1] - 1.0;
            if (r > 0)
                gains += r;
            else
                losses -= r;
        }
        ck_assert_ptr_nonnull(x->metrics[i]);
        json_object *m = json_tokener_parse(x->metrics[i]);
        ck_assert_msg(m && json_object_is_type(m, json_type_object), "%s", x->metrics[i]);
        /* declared order: omega_ratio, then omega_returns */
        ck_assert_msg(strstr(x->metrics[i], "{\"omega_ratio\":") == x->metrics[i], "%s",
                      x->metrics[i]);
        double v = 0.0;
        ck_assert(metric(m, "omega_returns", &v));
        ck_assert(v == (double)i);
        if (losses > 0) {
            ck_assert_msg(metric(m, "omega_ratio", &v), "day %zu: %s", i, x->metrics[i]);
            ck_assert_msg(memcmp(&v, &(double){ gains / losses }, sizeof(v)) == 0,
                          "day %zu: stored %.17g, want %.17g", i, v, gains / losses);
            with_value++;
        } else {
            ck_assert_msg(!metric(m, "omega_ratio", &v), "day %zu: %s", i, x->metrics[i]);
        }
        json_object_put(m);
    }
    ck_assert_int_gt(with_value, 40);
}

/* --- perf show, through the CLI's entry point ----------------------------- */

/* Runs `jutsu -c CONFIG perf show QQQ ARGS...` on the test's database and
 * returns its stdout (malloc'd). */
static char *perf_show(struct hfx *h, int i, const char *format)
{
    char *db = tdb_yaml(i, h->t.dir, i == 0 ? "test" : h->t.pgdb);
    char *conf = tu_write_file(h->t.dir, "perf.yaml", db);
    char *out = NULL;
    ck_assert_int_gt(asprintf(&out, "%s/perf.out", h->t.dir), 0);
    char *argv[] = { "jutsu", "-c", conf, "perf", "show", "QQQ", "--format", (char *)format,
                     "--from", "2024-03-01", NULL };
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ck_assert(freopen(out, "w", stdout) != NULL);
    optind = 0;   /* getopt afresh: this process runs the CLI more than once */
    int rc = jutsu_cli_main(10, argv);
    fflush(stdout);
    ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
    close(saved);
    ck_assert_int_eq(rc, 0);
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char *text = calloc(1, 1 << 20);
    ck_assert_ptr_nonnull(text);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    text[n] = '\0';
    fclose(f);
    free(out);
    free(conf);
    free(db);
    return text;
}

static void check_perf_show(struct hfx *h, int i, const struct rows *x)
{
    const char *last = x->metrics[x->n - 1];
    json_object *m = json_tokener_parse(last);
    double omega = 0.0;
    ck_assert(metric(m, "omega_ratio", &omega));
    json_object_put(m);
    char want[64];

    char *text = perf_show(h, i, "table");
    ck_assert_msg(strstr(text, "OMEGA_RATIO OMEGA_RETURNS") != NULL, "%s", text);
    snprintf(want, sizeof(want), " %11.6g %13.6g\n", omega, (double)(x->n - 1));
    ck_assert_msg(strstr(text, want) != NULL, "%s lacks \"%s\"", text, want);
    free(text);

    text = perf_show(h, i, "csv");
    ck_assert_msg(strstr(text, ",positions_json,omega_ratio,omega_returns\n") != NULL, "%s",
                  text);
    char digits[40];   /* the shortest text that reads back as the same double */
    for (int p = 15; p <= 17; p++) {
        snprintf(digits, sizeof(digits), "%.*g", p, omega);
        if (strtod(digits, NULL) == omega)
            break;
    }
    snprintf(want, sizeof(want), ",%s,%zu\n", digits, x->n - 1);
    ck_assert_msg(strstr(text, want) != NULL, "%s lacks \"%s\"", text, want);
    free(text);

    text = perf_show(h, i, "json");
    json_object *arr = json_tokener_parse(text), *o;
    ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s", text);
    o = json_object_array_get_idx(arr, json_object_array_length(arr) - 1);
    ck_assert(json_object_object_get_ex(o, "metrics", &m));
    double v = 0.0;
    ck_assert(metric(m, "omega_ratio", &v));
    ck_assert(memcmp(&v, &omega, sizeof(v)) == 0);
    json_object_put(arr);
    free(text);
}

/* --- the REST daily routes ------------------------------------------------ */

static void check_rest(struct hfx *h, const struct rows *x)
{
    char admin[2048], path[256], date[JUTSU_DATE_BUFSZ];
    hfx_user(h, "ada", "admin", "correct horse battery staple");
    hfx_login(h, "ada", "correct horse battery staple", admin, sizeof(admin), NULL, 0);

    /* a day in the middle: the stored metrics, the same doubles */
    size_t mid = x->n / 2;
    jutsu_date_format(x->d[mid], date);
    snprintf(path, sizeof(path), "/api/v2/performance/QQQ/daily?date=%s", date);
    struct hres r;
    hfx_req(h, "GET", path, admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_object *m, *want = json_tokener_parse(x->metrics[mid]);
    ck_assert(json_object_object_get_ex(r.json, "metrics", &m));
    ck_assert_str_eq(hres_str(&r, "trading_date"), date);
    double a = 0, b = 0;
    ck_assert(metric(m, "omega_ratio", &a) && metric(want, "omega_ratio", &b));
    ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
    json_object_put(want);
    hres_free(&r);

    /* a day without a row is still a 404 */
    hfx_req(h, "GET", "/api/v2/performance/QQQ/daily?date=2024-01-06", admin, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 404);
    hres_free(&r);

    /* the newest row */
    hfx_req(h, "GET", "/api/v2/performance/QQQ/daily", admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    jutsu_date_format(x->d[x->n - 1], date);
    ck_assert_str_eq(hres_str(&r, "trading_date"), date);
    ck_assert(json_object_object_get_ex(r.json, "metrics", &m));
    ck_assert(metric(m, "omega_returns", &a) && a == (double)(x->n - 1));
    hres_free(&r);

    /* history: every row's object, the first with a null ratio */
    snprintf(path, sizeof(path), "/api/v2/performance/QQQ/daily/history?from=%s&to=%s", FROM,
             TO);
    hfx_req(h, "GET", path, admin, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_object *rows;
    ck_assert(json_object_object_get_ex(r.json, "rows", &rows));
    ck_assert_uint_eq(json_object_array_length(rows), x->n);
    for (size_t i = 0; i < x->n; i++) {
        json_object *row = json_object_array_get_idx(rows, i);
        ck_assert(json_object_object_get_ex(row, "metrics", &m));
        want = json_tokener_parse(x->metrics[i]);
        int ha = metric(m, "omega_ratio", &a), hb = metric(want, "omega_ratio", &b);
        ck_assert_int_eq(ha, hb);
        ck_assert(!ha || memcmp(&a, &b, sizeof(a)) == 0);
        json_object_put(want);
    }
    hres_free(&r);
}

START_TEST(metrics_stored_shown_served)
{
    struct hfx h;
    if (!open_fx(&h, _i, NULL))
        return;
    struct jutsu_eod_report rep;
    int rc = jutsu_eod_backfill(h.t.app, day_of(FROM), day_of(TO), "QQQ", NULL, &rep);
    ck_assert_msg(rc == 0, "%s", rep.error);
    ck_assert_int_gt(rep.rows_changed, 50);
    jutsu_eod_report_free(&rep);

    struct rows x, again;
    read_rows(&h, &x);
    ck_assert_uint_gt(x.n, 50);
    check_omega(&x);

    /* a re-run: nothing changes, the metrics' text included */
    hfx_clock_set(hfx_clock_get() + 3600);
    ck_assert_int_eq(jutsu_eod_backfill(h.t.app, day_of(FROM), day_of(TO), "QQQ", NULL, &rep),
                     0);
    ck_assert_int_eq(rep.rows_changed, 0);
    jutsu_eod_report_free(&rep);
    read_rows(&h, &again);
    ck_assert_uint_eq(again.n, x.n);
    for (size_t i = 0; i < x.n; i++)
        ck_assert_str_eq(again.metrics[i], x.metrics[i]);
    rows_free(&again);

    /* the data vtable's get and prev, as a plugin built against ABI 1.3
     * calls them, write nothing past the 1.3 struct; the host's own get
     * gives the metrics */
    const struct jutsu_data *api = jutsu_data_vtable();
    struct jutsu_daily_perf_row one;
    for (int prev = 0; prev < 2; prev++) {
        memset(&one, 0x5a, sizeof(one));
        ck_assert_int_eq((prev ? api->daily_perf_prev : api->daily_perf_get)(
                             h.t.s, "baseline", "QQQ", "offline_mock", x.d[3 + prev], &one),
                         0);
        ck_assert_int_eq(one.total_equity, x.equity[3]);
        const unsigned char *end = (const unsigned char *)&one.metrics;
        for (size_t k = 0; k < sizeof(one.metrics); k++)
            ck_assert_int_eq(end[k], 0x5a);
    }
    ck_assert_int_eq(jutsu_data_daily_perf_get(h.t.s, "baseline", "QQQ", "offline_mock",
                                               x.d[3], &one), 0);
    ck_assert_str_eq(one.metrics, x.metrics[3]);
    /* ... and its upsert stores none */
    one.metrics = (const char *)&one;   /* past a 1.3 struct: never read */
    ck_assert_int_eq(api->daily_perf_upsert(h.t.s, &one), 0);
    ck_assert_int_eq(jutsu_data_daily_perf_get(h.t.s, "baseline", "QQQ", "offline_mock",
                                               x.d[3], &one), 0);
    ck_assert_ptr_null(one.metrics);
    ck_assert_int_eq(jutsu_eod_backfill(h.t.app, x.d[3], x.d[3], "QQQ", NULL, &rep), 0);
    ck_assert_int_eq(rep.rows_changed, 1);   /* the EOD job puts them back */
    jutsu_eod_report_free(&rep);

    check_perf_show(&h, _i, &x);
    check_rest(&h, &x);
    rows_free(&x);
    hfx_close(&h);
}
END_TEST

/* Two instances publishing one name: the EOD job refuses the config,
 * naming both, as it refuses two instances filling one column. */
START_TEST(eod_refuses_a_shared_name)
{
    struct hfx h;
    if (!open_fx(&h, _i, "  - {name: omega2, plugin: tp-kpi-omega}\n"))
        return;
    struct jutsu_eod_report rep;
    int rc = jutsu_eod_backfill(h.t.app, day_of(FROM), day_of(TO), "QQQ", NULL, &rep);
    ck_assert_int_eq(rc, JUTSU_ECONFIG);
    ck_assert_msg(strstr(rep.error, "KPI instances \"omega\" (plugin tp-kpi-omega) and "
                         "\"omega2\" (plugin tp-kpi-omega) both publish metric omega_ratio")
                  != NULL, "%s", rep.error);
    jutsu_eod_report_free(&rep);
    ck_assert_int_eq(tdb_count(&h.t, "daily_performance", NULL), 0);
    hfx_close(&h);
}
END_TEST

/* --- the names the KPI host refuses (no database) ------------------------- */

static const struct {
    const char *plugins;
    const char *why;
} refused[] = {
    { "  - {name: a, plugin: tp-kpi-omega-column}\n",
      "KPI instance \"a\" (plugin tp-kpi-omega-column) declares metric \"sharpe_ratio\", which "
      "is a daily_performance column" },
    { "  - {name: a, plugin: tp-kpi-omega-badname}\n",
      "KPI instance \"a\" (plugin tp-kpi-omega-badname) declares metric \"Omega\": a name is "
      "[a-z][a-z0-9_]{0,47}" },
    { "  - {name: a, plugin: tp-kpi-omega}\n  - {name: b, plugin: tp-kpi-omega}\n",
      "KPI instances \"a\" (plugin tp-kpi-omega) and \"b\" (plugin tp-kpi-omega) both publish "
      "metric omega_ratio: configure only one of them" },
};

START_TEST(set_load_refuses)
{
    char *plugins = NULL, diag[2048];
    ck_assert_int_gt(asprintf(&plugins, "%splugin_path: [\"%s\"]\n", refused[_i].plugins,
                              getenv("JUTSU_TEST_PLUGIN_DIR")), 0);
    struct jutsu_app *app = NULL;
    int rc = tu_app_open(plugins, &app, diag, sizeof(diag));
    ck_assert_msg(rc == 0, "%s: %s", jutsu_strerror(rc), diag);
    struct jutsu_kpi_set set;
    char err[512] = "";
    ck_assert_int_eq(jutsu_kpi_set_load(app, &set, err, sizeof(err)), JUTSU_ECONFIG);
    ck_assert_msg(strstr(err, refused[_i].why) != NULL, "%s", err);
    jutsu_app_free(app);
    free(plugins);
}
END_TEST

/* One instance beside kpi-standard loads, its metrics after no column. */
START_TEST(set_load_takes_metrics)
{
    char *plugins = NULL, diag[2048];
    ck_assert_int_gt(asprintf(&plugins, "  - {name: kpi, plugin: kpi-standard}\n"
                              "  - {name: omega, plugin: tp-kpi-omega}\n"
                              "plugin_path: [\"%s\"]\n", getenv("JUTSU_TEST_PLUGIN_DIR")), 0);
    struct jutsu_app *app = NULL;
    int rc = tu_app_open(plugins, &app, diag, sizeof(diag));
    ck_assert_msg(rc == 0, "%s: %s", jutsu_strerror(rc), diag);
    struct jutsu_kpi_set set;
    char err[512] = "";
    ck_assert_msg(jutsu_kpi_set_load(app, &set, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_uint_eq(set.nmetrics, 2);
    ck_assert_uint_eq(set.k[1].ncols, 0);
    ck_assert_str_eq(set.k[1].metrics[0], "omega_ratio");
    ck_assert_str_eq(set.k[1].metrics[1], "omega_returns");
    jutsu_app_free(app);
    free(plugins);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kpi_metrics");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, metrics_stored_shown_served, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, eod_refuses_a_shared_name, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, set_load_refuses, 0, sizeof(refused) / sizeof(refused[0]));
    tcase_add_test(tc, set_load_takes_metrics);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
