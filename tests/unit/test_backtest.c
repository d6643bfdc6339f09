/*
 * tests/unit/test_backtest.c — the real v3_5b (strategy-regime) through the
 * trading job and the backtest, both backends, on the six bundled ETFs:
 * every fill at its own day's price (the original's alphabetical bug, TQQQ
 * and TMF/TMV at the previous close, must not exist), and the backtest's
 * day-by-day indicators against an independent computation from the
 * closes.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jobs/backtest.h"
#include "base/json_writer.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "market/sync.h"
#include "testdb.h"
#include "trading/trade.h"

static long index_of(const struct tdb_closes *x, jutsu_date_t d)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->d[i] == d)
            return (long)i;
    return -1;
}

struct trades {
    char         sym[256][16], act[256][8];
    jutsu_date_t day[256];
    jutsu_money_t target[256], fill[256];
    size_t       n;
    const jutsu_tz *tz;
};

static int take_trade(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    struct trades *x = arg;
    ck_assert_uint_lt(x->n, 256);
    snprintf(x->sym[x->n], 16, "%s", r->symbol);
    snprintf(x->act[x->n], 8, "%s", r->action);
    ck_assert_int_eq(jutsu_tz_local_date(x->tz, r->ts, &x->day[x->n], NULL), 0);
    x->target[x->n] = r->target_price;
    x->fill[x->n] = r->fill_price;
    x->n++;
    return 0;
}

/* The trading job day by day through half a year: every order is priced
 * at the close of its own day, whatever its symbol, and filled at that
 * price x (1 +- 0.001). */
START_TEST(every_fill_at_its_days_price)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    for (jutsu_date_t d = tdb_ymd(2013, 1, 2); d <= tdb_ymd(2013, 6, 28);
         d = jutsu_calendar_next(t.app->cal, d)) {
        struct jutsu_trade_report r;
        int rc = jutsu_trade_run(t.app, d, "v3_5b", "manual", &r);
        ck_assert_msg(rc == 0, "%s: %s", r.error, r.n ? r.v[0].error : "");
        jutsu_trade_report_free(&r);
    }
    struct trades x = { .tz = t.app->tz };
    ck_assert_int_eq(jutsu_data_trades_range(t.s, "v3_5b", "offline_mock", 0, INT64_MAX / 2,
                                             take_trade, &x), 0);
    ck_assert_uint_gt(x.n, 3);
    int not_qqq = 0;
    struct tdb_closes c = { 0 };
    for (size_t i = 0; i < x.n; i++) {
        tdb_closes(&t, x.sym[i], 0, jutsu_date_from_ymd(2100, 1, 1), &c);
        long k = index_of(&c, x.day[i]);
        ck_assert_msg(k >= 0, "%s traded on a day without its bar", x.sym[i]);
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(x.day[i], day);
        ck_assert_msg(x.target[i] == c.c[k], "%s %s %s: priced %lld, the day's close is %lld "
                      "(the previous: %lld)", day, x.act[i], x.sym[i], (long long)x.target[i],
                      (long long)c.c[k], (long long)(k > 0 ? c.c[k - 1] : 0));
        jutsu_money_t want;
        ck_assert_int_eq(jutsu_money_muldiv(c.c[k], strcmp(x.act[i], "BUY") == 0 ? 1001000
                                                                                 : 999000,
                                            JUTSU_MONEY_SCALE, &want), 0);
        ck_assert_int_eq(x.fill[i], want);
        not_qqq += strcmp(x.sym[i], "QQQ") != 0;
    }
    ck_assert_msg(not_qqq > 0, "no TQQQ/TMF/TMV trade in the period: the test proves little");
    tdb_closes_free(&c);
    tdb_close(&t);
}
END_TEST

/* One CSV line of --daily: the fields the test reads. */
struct daily {
    jutsu_date_t day;
    double       z;
    jutsu_money_t sma_fast, sma_slow;
    int          has_sma, has_z;
};

static int parse_daily(char *line, struct daily *d)
{
    char *f[20];
    int n = 0;
    for (char *p = line; n < 20; n++) {
        f[n] = p;
        char *c = strchr(p, ',');
        if (c == NULL) {
            n++;
            break;
        }
        *c = '\0';
        p = c + 1;
    }
    if (n < 10 || jutsu_date_parse(f[0], -1, &d->day) != 0)
        return -1;
    d->has_z = *f[7] != '\0';
    d->z = d->has_z ? atof(f[7]) : NAN;
    d->has_sma = *f[8] != '\0' && *f[9] != '\0';
    if (d->has_sma && (jutsu_money_parse(f[8], -1, JUTSU_MONEY_EXACT, &d->sma_fast) != 0 ||
                       jutsu_money_parse(f[9], -1, JUTSU_MONEY_EXACT, &d->sma_slow) != 0))
        return -1;
    return 0;
}

/* The mean of the n closes ending at k, to the micro-unit. */
static jutsu_money_t sma(const struct tdb_closes *c, long k, int n)
{
    __int128 sum = 0;
    for (long i = k - n + 1; i <= k; i++)
        sum += c->c[i];
    return (jutsu_money_t)llround((double)sum / n);
}

/* sigma_t: the sample std of the 21 log returns ending at k, x sqrt(252). */
static double sigma(const struct tdb_closes *c, long k)
{
    double r[21], m = 0, v = 0;
    for (int i = 0; i < 21; i++) {
        r[i] = log((double)c->c[k - i] / (double)c->c[k - i - 1]);
        m += r[i];
    }
    m /= 21;
    for (int i = 0; i < 21; i++)
        v += (r[i] - m) * (r[i] - m);
    return sqrt(v / 20) * sqrt(252.0);
}

/* The backtest's --daily series: SMA 40 and 140 of QQQ and the z-score
 * of sigma against its last 200 values, from the closes alone. */
START_TEST(backtest_indicators)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = tdb_ymd(2012, 1, 3),
                                     .to = tdb_ymd(2013, 12, 31), .daily = f };
    struct jutsu_backtest r, r2;
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &r) == 0, "%s", r.error);
    o.daily = NULL;
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &r2) == 0, "%s", r2.error);
    ck_assert_int_eq(r.strategy.final_equity, r2.strategy.final_equity);   /* deterministic */
    ck_assert_int_eq(r.strategy.trades, r2.strategy.trades);
    ck_assert_int_gt(r.strategy.trades, 0);
    ck_assert(!isnan(r.strategy.sharpe) && !isnan(r.baseline.sharpe));

    struct tdb_closes c = { 0 };
    tdb_closes(&t, "QQQ", 0, jutsu_date_from_ymd(2100, 1, 1), &c);
    rewind(f);
    char line[1024];
    int rows = 0, checked = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));   /* the header */
    while (fgets(line, sizeof(line), f)) {
        struct daily d;
        line[strcspn(line, "\n")] = '\0';
        ck_assert_int_eq(parse_daily(line, &d), 0);
        rows++;
        long k = index_of(&c, d.day);
        ck_assert_int_ge(k, 220);   /* the warm-up came from the bars before --from */
        ck_assert(d.has_sma && d.has_z);
        jutsu_money_t f40 = sma(&c, k, 40), s140 = sma(&c, k, 140);
        ck_assert_msg(llabs(d.sma_fast - f40) <= 1 && llabs(d.sma_slow - s140) <= 1,
                      "%s: SMA %lld/%lld, expected %lld/%lld", line, (long long)d.sma_fast,
                      (long long)d.sma_slow, (long long)f40, (long long)s140);
        double sg[200], m = 0, v = 0;
        for (int i = 0; i < 200; i++) {
            sg[i] = sigma(&c, k - i);
            m += sg[i];
        }
        m /= 200;
        for (int i = 0; i < 200; i++)
            v += (sg[i] - m) * (sg[i] - m);
        double z = (sg[0] - m) / sqrt(v / 199);
        ck_assert_msg(fabs(d.z - z) <= 5e-7 + 1e-9, "%s: z %.6f, expected %.9f", line, d.z, z);
        checked++;
    }
    fclose(f);
    ck_assert_int_eq(rows, r.strategy.days);
    ck_assert_int_eq(checked, 502);
    tdb_closes_free(&c);
    tdb_close(&t);
}
END_TEST

/* The answer written (the CLI's) is json-c's print of the answer built
 * (the REST route's), byte for byte, in both layouts and both slash
 * escapes; with parameters, one given twice, a null reason and no
 * baseline too. */
static void same_json(struct jutsu_backtest *r)
{
    static const struct jutsu_param params[] = {
        { .name = "upper_z", .value = "1.1" }, { .name = "sma_slow", .value = "150" },
        { .name = "upper_z", .value = "1.2/x" },
    };
    for (int k = 0; k < 8; k++) {
        int slash = k & 1, plain = (k >> 1) & 1, nob = k >> 2;
        int has_b = r->has_baseline;
        if (nob) {
            r->has_baseline = 0;
            if (r->ntrades)
                r->trades[0].reason[0] = '\0';
        }
        struct jutsu_jw w;
        if (plain)
            jutsu_jw_init_plain(&w, slash);
        else
            jutsu_jw_init(&w, slash);
        jutsu_backtest_write(&w, r, params, 3);
        json_object *o = jutsu_backtest_json(r, params, 3);
        ck_assert_ptr_nonnull(o);
        int flags = (plain ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY) |
                    (slash ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE);
        const char *got = jutsu_jw_text(&w);
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, json_object_to_json_string_ext(o, flags));
        json_object_put(o);
        jutsu_jw_free(&w);
        r->has_baseline = has_b;
    }
}

/* The series a report is made of: a row per day ending at the summary's
 * equity, years that compound to the total return, the fills the summary
 * counts; and the same numbers as a run without them. */
START_TEST(backtest_series)
{
    struct tdb t;
    if (!tdb_open_v35(&t, _i))
        return;
    struct jutsu_backtest_opts o = { .strategy = "v3_5b", .from = tdb_ymd(2012, 6, 1),
                                     .to = tdb_ymd(2013, 12, 31), .series = 1 };
    struct jutsu_backtest r, plain;
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &r) == 0, "%s", r.error);
    o.series = 0;
    ck_assert_msg(jutsu_backtest_run(t.app, &o, &plain) == 0, "%s", plain.error);
    ck_assert_int_eq(r.strategy.final_equity, plain.strategy.final_equity);
    ck_assert_ptr_null(plain.days);
    ck_assert_int_eq(r.capital, r.strategy.initial);
    ck_assert_uint_eq(r.ndays, (size_t)r.strategy.days);
    ck_assert_int_eq(r.days[r.ndays - 1].equity, r.strategy.final_equity);
    ck_assert_int_eq(r.days[r.ndays - 1].baseline_equity, r.baseline.final_equity);
    ck_assert_uint_eq(r.ntrades, (size_t)r.strategy.trades);
    ck_assert_uint_eq(r.nyears, 2);
    ck_assert_int_eq(r.years[0].year, 2012);
    double s = 1, b = 1;
    for (size_t i = 0; i < r.nyears; i++) {
        s *= 1 + r.years[i].strategy_return;
        b *= 1 + r.years[i].baseline_return;
    }
    ck_assert_double_eq_tol(s - 1, r.strategy.total_return, 1e-9);
    ck_assert_double_eq_tol(b - 1, r.baseline.total_return, 1e-9);
    for (size_t i = 0; i < r.ntrades; i++) {
        ck_assert(r.trades[i].date >= o.from && r.trades[i].date <= o.to);
        ck_assert(r.trades[i].quantity > 0);
        ck_assert(strcmp(r.trades[i].action, "BUY") == 0 ||
                  (strcmp(r.trades[i].action, "SELL") == 0 &&
                   r.trades[i].realized_pnl != JUTSU_MONEY_NULL));
    }
    for (size_t i = 0; i < r.ndays; i++)
        ck_assert(r.days[i].drawdown <= 0 && r.days[i].baseline_drawdown <= 0);
    same_json(&r);
    jutsu_backtest_free(&r);
    jutsu_backtest_free(&plain);
    tdb_close(&t);
}
END_TEST

static Suite *backtest_suite(void)
{
    Suite *s = suite_create("backtest");
    TCase *tc = tcase_create("v3_5b");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, every_fill_at_its_days_price, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, backtest_indicators, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, backtest_series, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(backtest_suite());
}
