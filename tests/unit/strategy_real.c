/*
 * tests/unit/strategy_real.c — strategy-regime on the bundled sample data
 * (QQQ, TQQQ, PSQ, TLT, TMF, TMV, 2010-01-04 to 2026-07-13), day by day,
 * against an independent computation written here from the rules alone:
 *
 *   - SMAs as direct sums of the closes, sigma and z as two-pass standard
 *     deviations over plain arrays, t_norm from a straightforward Kalman
 *     filter with its matrices written out (F, H, Q, P multiplied as
 *     matrices, not the plugin's hand-expanded 3-entry form), the
 *     oscillator and strength from the array of all innovations: every
 *     value within 1e-9 relative, every day;
 *   - the regime: trend, hysteresis, vol-crush, cell, the treasury overlay
 *     and the exact weights from a table of the rules, every day, and the
 *     rebalance flag against the targets this test committed (as a job that
 *     skips a day when a target symbol has no bar);
 *   - what the data's holes do: no cell before the 222nd QQQ bar, no bond
 *     after TLT's last day (2025-06-27), the last targets held on the 40
 *     PSQ-only days after QQQ's last (2026-05-13); and a QQQ bar taken out
 *     of a day TLT has: the signal held, TLT's SMAs advanced;
 *   - determinism, and a save/restore at day 2,000 into a fresh instance
 *     that then answers what an uninterrupted run does, ending in the same
 *     JSON text; the time the whole history takes is printed (not asserted).
 *
 * The parameters are the live ones (the plugin's defaults), repeated here.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "strategy_fx.h"

/* the live parameters of ORIGINAL_SYSTEM.md */
#define P_NOISE 3000.0
#define P_Q1 0.01
#define P_Q2 0.01
#define P_OSC_N 15
#define P_TMAX 50.0
#define P_FAST 40
#define P_SLOW 140
#define P_BULL 0.05
#define P_BEAR (-0.3)
#define P_RV 21
#define P_BASE 200
#define P_UPPER 1.0
#define P_LOWER 0.2
#define P_CRUSH (-0.15)
#define P_LAG 5
#define P_BFAST 20
#define P_BSLOW 60
#define P_THRESHOLD 0.025
#define WARMUP 221   /* max(140 + 10, 200 + 21, 60) */

enum { QQQ, TQQQ, PSQ, TLT, TMF, TMV, NSYM };
static const char *const symbols[] = { "QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV", NULL };

static const char *const v3_5b = "  - {name: a, plugin: strategy-regime}\n"
                                 "  - {name: b, plugin: strategy-regime}\n"
                                 "  - {name: c, plugin: strategy-regime}\n"
                                 "  - {name: d, plugin: strategy-regime}\n"
                                 "  - {name: e, plugin: strategy-regime}\n";

/* --- the independent computation ------------------------------------------------ */

struct ref {
    size_t   n;                      /* QQQ bars so far */
    double  *close, *sigma, *innov, *osc, *tlt;
    size_t   ntlt;
    double   x[2], P[2][2];          /* the Kalman filter */
    int64_t  prev_volume;
    int      vol;                    /* 0 Low, 1 High */
    /* the values of the last QQQ bar */
    double   sma_fast, sma_slow, s, z, change, oscillator, strength, t_norm;
    double   bond_fast, bond_slow;
};

static double mean_of(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s / (double)n;
}

static double sd_of(const double *v, size_t n)
{
    double m = mean_of(v, n), ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    return sqrt(ss / (double)(n - 1));
}

/* One Kalman step with the matrices of the model, returning the innovation. */
static double ref_kalman(struct ref *r, double z, int64_t volume)
{
    const double F[2][2] = { { 1, 1 }, { 0, 1 } }, Q[2][2] = { { P_Q1, 0 }, { 0, P_Q2 } };
    const double H[2] = { 1, 0 };
    double ratio = 1.0, xp[2], FP[2][2], Pp[2][2], PHt[2], K[2], IKH[2][2], S, y;
    if (r->n == 0) {
        r->x[0] = z, r->x[1] = 0;
        r->P[0][0] = r->P[1][1] = 1, r->P[0][1] = r->P[1][0] = 0;
    } else {
        double hi = (double)(r->prev_volume > volume ? r->prev_volume : volume);
        if (hi > 0)
            ratio = (double)r->prev_volume / hi;
    }
    for (int i = 0; i < 2; i++) {
        xp[i] = F[i][0] * r->x[0] + F[i][1] * r->x[1];
        for (int j = 0; j < 2; j++)
            FP[i][j] = F[i][0] * r->P[0][j] + F[i][1] * r->P[1][j];
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            Pp[i][j] = FP[i][0] * F[j][0] + FP[i][1] * F[j][1] + Q[i][j];
    y = z - (H[0] * xp[0] + H[1] * xp[1]);
    for (int i = 0; i < 2; i++)
        PHt[i] = Pp[i][0] * H[0] + Pp[i][1] * H[1];
    S = H[0] * PHt[0] + H[1] * PHt[1] + P_NOISE * ratio;
    for (int i = 0; i < 2; i++) {
        K[i] = PHt[i] / S;
        r->x[i] = xp[i] + K[i] * y;
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            IKH[i][j] = (i == j) - K[i] * H[j];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            r->P[i][j] = IKH[i][0] * Pp[0][j] + IKH[i][1] * Pp[1][j];
    r->prev_volume = volume;
    return y;
}

static void ref_qqq(struct ref *r, const struct jutsu_bar *bar)
{
    size_t t = r->n;
    double c = (double)bar->close / 1e6;
    r->innov[t] = ref_kalman(r, c, bar->volume);
    r->close[t] = c;
    r->n++;
    r->sma_fast = r->n >= P_FAST ? mean_of(r->close + r->n - P_FAST, P_FAST) : NAN;
    r->sma_slow = r->n >= P_SLOW ? mean_of(r->close + r->n - P_SLOW, P_SLOW) : NAN;
    r->s = NAN;
    if (t >= P_RV) {
        double ret[P_RV];
        for (int j = 0; j < P_RV; j++)
            ret[j] = log(r->close[t - P_RV + 1 + j] / r->close[t - P_RV + j]);
        r->s = sd_of(ret, P_RV) * sqrt(252.0);
    }
    r->sigma[t] = r->s;
    r->z = t >= P_RV + P_BASE - 1 ? (r->s - mean_of(r->sigma + t - P_BASE + 1, P_BASE)) /
                                    sd_of(r->sigma + t - P_BASE + 1, P_BASE) : NAN;
    r->change = t >= P_RV + P_LAG ? r->s / r->sigma[t - P_LAG] - 1 : NAN;
    r->oscillator = r->strength = r->t_norm = NAN;
    if (t >= 14) {
        double peak = 0;
        for (size_t j = t >= 499 ? t - 499 : 0; j <= t; j++)
            peak = fmax(peak, fabs(r->innov[j]));
        r->osc[t] = r->oscillator = peak > 0 ? 100 * r->innov[t] / peak : 0;
        size_t m = t - 13 < P_OSC_N ? t - 13 : P_OSC_N;
        double sum = 0, w = 0;
        for (size_t j = 1; j <= m; j++) {
            sum += (double)j * r->osc[t - m + j];
            w += (double)j;
        }
        r->strength = sum / w;
        r->t_norm = fmax(-1.0, fmin(1.0, r->strength / P_TMAX));
    }
    /* the hysteresis, then the crush */
    if (r->z > P_UPPER)
        r->vol = 1;
    else if (r->z < P_LOWER)
        r->vol = 0;
    if (r->change < P_CRUSH)
        r->vol = 0;
}

static void ref_tlt(struct ref *r, const struct jutsu_bar *bar)
{
    r->tlt[r->ntlt++] = (double)bar->close / 1e6;
    r->bond_fast = r->ntlt >= P_BFAST ? mean_of(r->tlt + r->ntlt - P_BFAST, P_BFAST) : NAN;
    r->bond_slow = r->ntlt >= P_BSLOW ? mean_of(r->tlt + r->ntlt - P_BSLOW, P_BSLOW) : NAN;
}

/* A comparison that 1e-9 of rounding could turn: the test would be
 * ambiguous on such a day, so it says so instead of guessing. */
static void assert_clear(double a, double b, const char *what, size_t day)
{
    CHECK(isnan(a) || isnan(b) || fabs(a - b) > 1e-9 * fmax(1.0, fabs(b)),
                  "day %zu: %s %.17g is within 1e-9 of %.17g: ambiguous", day, what, a, b);
}

/* Days (warm) on which a vol-crush forced Low, and turned BearStrong into
 * Sideways: the data must exercise both for the comparison to cover them. */
static int crush_days, crush_unbeared;

/* The cell of the rules, from the reference values (0 before warm). */
static int ref_cell(const struct ref *r, size_t day)
{
    if (r->n <= WARMUP)
        return 0;
    assert_clear(r->t_norm, P_BULL, "t_norm", day);
    assert_clear(r->t_norm, P_BEAR, "t_norm", day);
    assert_clear(r->sma_fast, r->sma_slow, "sma_fast", day);
    assert_clear(r->z, P_UPPER, "z", day);
    assert_clear(r->z, P_LOWER, "z", day);
    assert_clear(r->change, P_CRUSH, "the sigma change", day);
    int trend = r->t_norm > P_BULL && r->sma_fast > r->sma_slow ? 0
              : r->t_norm < P_BEAR && r->sma_fast < r->sma_slow ? 2 : 1;
    crush_days += r->change < P_CRUSH;
    if (trend == 2 && r->change < P_CRUSH) {
        trend = 1;
        crush_unbeared++;
    }
    return 1 + 2 * trend + r->vol;
}

/* The weights of a cell with bond TMF, TMV or neither (-1), by symbol. */
static void ref_weights(int cell, int bond, double w[NSYM])
{
    memset(w, 0, NSYM * sizeof(*w));
    switch (cell) {
    case 1: w[TQQQ] = 0.6; w[QQQ] = 0.4; break;
    case 2: w[QQQ] = 1.0; break;
    case 3: w[TQQQ] = 0.2; w[QQQ] = 0.8; break;
    case 4: case 6: if (bond >= 0) w[bond] = 0.4; break;
    case 5: w[QQQ] = 0.5; if (bond >= 0) w[bond] = 0.2; break;
    default: break;
    }
}

/* A number of the extras (null: NaN). */
static double extra(json_object *x, const char *key)
{
    json_object *v;
    CHECK(json_object_object_get_ex(x, key, &v), "extras without %s", key);
    return v ? json_object_get_double(v) : NAN;
}

#define NEAR(got, want, what)                                                          \
    CHECK(sfx_near(got, want), "day %zu (%s): %s = %.17g, independently %.17g", \
                  d, date, what, (double)(got), (double)(want))

/* The job: commit a warm rebalance unless a target symbol has no bar. */
static int job_commits(const struct srec *r, const struct jutsu_strategy_day *day)
{
    if (r->rc != 0 || !r->sig.warm || !r->sig.rebalance)
        return 0;
    for (size_t k = 0; k < day->n; k++)
        if (r->sig.weights[k] > 0 && !day->has[k])
            return 0;
    return 1;
}

START_TEST(test_real_every_day)
{
    struct sfx f;
    struct sample s;
    struct jutsu_strategy_needs nd;
    struct ref r = { 0 };
    double traded[NSYM] = { 0 }, want[NSYM];
    int has_traded = 0, cell = 0, bond = -1, cells[7] = { 0 }, commits = 0, held = 0;
    size_t last_tlt = 0, last_qqq = 0;
    sfx_start(&f, v3_5b);
    struct jutsu_ctx *a = sfx_inst(&f, "a");
    ck_assert_int_eq((int)sfx_needs(a, &nd), NSYM);
    for (int k = 0; k < NSYM; k++)
        ck_assert_str_eq(nd.symbols[k], symbols[k]);
    ck_assert_int_eq(nd.warmup_bars, WARMUP);
    sample_load(&s, symbols);
    r.close = calloc(s.ndays, sizeof(double));
    r.sigma = calloc(s.ndays, sizeof(double));
    r.innov = calloc(s.ndays, sizeof(double));
    r.osc = calloc(s.ndays, sizeof(double));
    r.tlt = calloc(s.ndays, sizeof(double));
    ck_assert(r.close && r.sigma && r.innov && r.osc && r.tlt);
    for (size_t d = 0; d < s.ndays; d++) {
        struct jutsu_strategy_day day;
        struct srec got;
        char date[JUTSU_DATE_BUFSZ];
        sample_day(&s, d, &day);
        jutsu_date_format(day.date, date);
        if (day.has[TLT]) {
            ref_tlt(&r, &day.bars[TLT]);
            last_tlt = d;
        }
        if (day.has[QQQ]) {
            ref_qqq(&r, &day.bars[QQQ]);
            last_qqq = d;
            cell = ref_cell(&r, d);
            assert_clear(r.bond_fast, r.bond_slow, "the bond SMA", d);
            bond = cell == 0 || !day.has[TLT] || isnan(r.bond_slow) ? -1
                 : r.bond_fast > r.bond_slow ? TMF : TMV;
        } else {
            held++;
        }
        ref_weights(cell, bond, want);
        sfx_feed(a, &day, &got);
        CHECK(got.rc == 0, "day %zu (%s): %s", d, date, a->error);

        /* the indicators */
        NEAR(got.sig.sma_fast, r.sma_fast, "sma_fast");
        NEAR(got.sig.sma_slow, r.sma_slow, "sma_slow");
        NEAR(got.sig.z_score, r.z, "z_score");
        NEAR(got.sig.t_norm, r.t_norm, "t_norm");
        json_object *x = json_tokener_parse(got.extras);
        CHECK(x != NULL, "extras %s", got.extras ? got.extras : "NULL");
        NEAR(extra(x, "sigma"), r.s, "sigma");
        NEAR(extra(x, "sigma_change"), r.change, "sigma_change");
        NEAR(extra(x, "oscillator"), r.oscillator, "oscillator");
        NEAR(extra(x, "strength"), r.strength, "strength");
        NEAR(extra(x, "innovation"), r.n ? r.innov[r.n - 1] : NAN, "innovation");
        NEAR(extra(x, "bond_sma_fast"), r.bond_fast, "bond_sma_fast");
        NEAR(extra(x, "bond_sma_slow"), r.bond_slow, "bond_sma_slow");
        CHECK(extra(x, "bars") == (double)r.n, "day %zu: bars %g", d, extra(x, "bars"));
        json_object_put(x);

        /* the regime and the targets, exactly */
        CHECK(got.sig.warm == (r.n > WARMUP), "day %zu (%s): warm %d after %zu bars",
                      d, date, got.sig.warm, r.n);
        CHECK(got.sig.cell == cell, "day %zu (%s): cell %d, by the rules %d", d, date,
                      got.sig.cell, cell);
        for (int k = 0; k < NSYM; k++)
            CHECK(got.sig.weights[k] == want[k], "day %zu (%s): cell %d, %s weight "
                          "%.17g, by the rules %.17g", d, date, cell, symbols[k],
                          got.sig.weights[k], want[k]);
        if (cell) {
            static const char *const trends[] = { "BullStrong", "Sideways", "BearStrong" };
            CHECK(strcmp(got.sig.trend_state, trends[(cell - 1) / 2]) == 0 &&
                  strcmp(got.sig.vol_state, cell % 2 ? "Low" : "High") == 0,
                  "day %zu: %s/%s in cell %d", d, got.sig.trend_state, got.sig.vol_state, cell);
        } else {
            CHECK(got.sig.trend_state[0] == '\0' && got.sig.vol_state[0] == '\0',
                  "day %zu: %s/%s before warm", d, got.sig.trend_state, got.sig.vol_state);
        }

        /* rebalance against what this test committed */
        int due = 0;
        if (got.sig.warm) {
            double moved = 0;
            int any = 0;
            for (int k = 0; k < NSYM; k++) {
                moved += fabs(want[k] - traded[k]);
                any |= want[k] != 0;
            }
            due = has_traded ? moved > P_THRESHOLD : any;
        }
        CHECK(got.sig.rebalance == due, "day %zu (%s): rebalance %d, by the rule %d", d,
                      date, got.sig.rebalance, due);
        if (job_commits(&got, &day)) {
            CHECK(sfx_commit(a, got.sig.weights, NSYM) == 0, "commit: %s", a->error);
            memcpy(traded, want, sizeof(traded));
            has_traded = 1;
            commits++;
        }
        cells[cell]++;
        srec_free(&got);
    }
    /* the holes in the data were there, and went as documented */
    ck_assert_int_eq(held, 40);
    ck_assert_int_eq(s.dates[last_tlt], jutsu_date_from_ymd(2025, 6, 27));
    ck_assert_int_eq(s.dates[last_qqq], jutsu_date_from_ymd(2026, 5, 13));
    ck_assert_int_eq(cells[0], WARMUP);
    for (int c = 1; c <= 6; c++)
        CHECK(cells[c] > 0, "cell %d never occurred: the data no longer covers it", c);
    ck_assert_int_gt(crush_days, 0);
    ck_assert_int_gt(crush_unbeared, 0);
    printf("strategy-regime v3_5b on the sample data: %zu days, cells 1..6 = %d %d %d %d %d %d, "
           "%d rebalances committed, %d vol-crush days (%d of them BearStrong made Sideways)\n",
           s.ndays, cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], commits,
           crush_days, crush_unbeared);
    free(r.close);
    free(r.sigma);
    free(r.innov);
    free(r.osc);
    free(r.tlt);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

/* Feeds days [from, to) to c, committing as the job would; records into rec. */
static void run(struct jutsu_ctx *c, const struct sample *s, size_t from, size_t to,
                struct srec *rec)
{
    for (size_t d = from; d < to; d++) {
        struct jutsu_strategy_day day;
        sample_day(s, d, &day);
        sfx_feed(c, &day, &rec[d]);
        CHECK(rec[d].rc == 0, "day %zu: %s", d, c->error);
        if (job_commits(&rec[d], &day))
            CHECK(sfx_commit(c, rec[d].sig.weights, s->nsym) == 0, "commit: %s", c->error);
    }
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The whole history through on_day (extras made and dropped, as the job
 * would after recording them) and committed: what a replay costs. */
static double timed_run(struct jutsu_ctx *c, const struct sample *s)
{
    const struct jutsu_strategy_ops *ops = sfx_ops(c);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t d = 0; d < s->ndays; d++) {
        struct jutsu_strategy_day day;
        struct jutsu_strategy_signal sig = { .size = sizeof(sig) };
        sample_day(s, d, &day);
        int rc = ops->on_day(c->state, &day, &sig);
        CHECK(rc == 0, "day %zu: %s", d, c->error);
        json_object_put(sig.extras);
        if (sig.warm && sig.rebalance)
            ops->committed(c->state, sig.weights, s->nsym);
    }
    return elapsed_ms(&t0);
}

START_TEST(test_real_determinism_restore)
{
    struct sfx f;
    struct sample s;
    sfx_start(&f, v3_5b);
    struct jutsu_ctx *a = sfx_inst(&f, "a"), *b = sfx_inst(&f, "b"), *c = sfx_inst(&f, "c"),
                     *d = sfx_inst(&f, "d");
    sample_load(&s, symbols);
    ck_assert_int_gt((int)s.ndays, 2000);
    struct srec *ra = calloc(s.ndays, sizeof(*ra)), *rb = calloc(s.ndays, sizeof(*rb)),
                *rd = calloc(s.ndays, sizeof(*rd));
    ck_assert(ra && rb && rd);

    /* what the whole history costs (timed, not asserted: machines differ) */
    double ms = timed_run(sfx_inst(&f, "e"), &s);
    char first[JUTSU_DATE_BUFSZ], last[JUTSU_DATE_BUFSZ];
    jutsu_date_format(s.dates[0], first);
    jutsu_date_format(s.dates[s.ndays - 1], last);
    printf("strategy-regime v3_5b: %zu days (%s to %s) through on_day and committed in "
           "%.2f ms, %.2f us a day\n", s.ndays, first, last, ms, ms * 1e3 / (double)s.ndays);

    /* uninterrupted */
    run(a, &s, 0, s.ndays, ra);
    char *final_a = sfx_save(a);

    /* a twin fed the same bars: the same answers, the same state text */
    run(b, &s, 0, s.ndays, rb);
    for (size_t i = 0; i < s.ndays; i++)
        srec_assert_same(&ra[i], &rb[i], s.nsym, "twin", i);
    char *final_b = sfx_save(b);
    ck_assert_str_eq(final_a, final_b);

    /* c stops at day 2,000; its state goes into the fresh d, which goes on */
    run(c, &s, 0, 2000, rd);
    char *at2000 = sfx_save(c);
    CHECK(sfx_restore(d, at2000) == 0, "restore: %s", d->error);
    char *restored = sfx_save(d);
    ck_assert_str_eq(restored, at2000);
    free(restored);
    for (size_t i = 0; i < 2000; i++)
        srec_free(&rd[i]);
    run(d, &s, 2000, s.ndays, rd);
    for (size_t i = 2000; i < s.ndays; i++)
        srec_assert_same(&ra[i], &rd[i], s.nsym, "restored at day 2000", i);
    char *final_d = sfx_save(d);
    ck_assert_str_eq(final_a, final_d);

    for (size_t i = 0; i < s.ndays; i++) {
        srec_free(&ra[i]);
        srec_free(&rb[i]);
        srec_free(&rd[i]);
    }
    free(ra);
    free(rb);
    free(rd);
    free(final_a);
    free(final_b);
    free(final_d);
    free(at2000);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

/* QQQ's bar taken out of one day that TLT has: the signal holds, TLT's
 * SMAs still take that day's close, and the bar count falls one behind. */
START_TEST(test_real_signal_missing)
{
    struct sfx f;
    struct sample s;
    struct srec ra = { 0 }, rb = { 0 }, before = { 0 };
    const size_t hole = 300;
    sfx_start(&f, v3_5b);
    struct jutsu_ctx *a = sfx_inst(&f, "a"), *b = sfx_inst(&f, "b");
    sample_load(&s, symbols);
    for (size_t d = 0; d <= hole + 5; d++) {
        struct jutsu_strategy_day day;
        uint8_t has[NSYM];
        sample_day(&s, d, &day);
        ck_assert(day.has[QQQ] && day.has[TLT]);
        memcpy(has, day.has, sizeof(has));
        srec_free(&ra);
        sfx_feed(a, &day, &ra);
        if (d == hole) {
            has[QQQ] = 0;
            day.has = has;
        }
        if (d == hole) {          /* keep the last signal day's answer */
            before = rb;
            memset(&rb, 0, sizeof(rb));
        } else {
            srec_free(&rb);
        }
        sfx_feed(b, &day, &rb);
        ck_assert(ra.rc == 0 && rb.rc == 0);
        json_object *x = json_tokener_parse(rb.extras), *y = json_tokener_parse(ra.extras);
        if (d == hole) {
            /* held: the last signal day's targets, cell and indicators */
            ck_assert(rb.sig.warm && rb.sig.cell == before.sig.cell);
            ck_assert(memcmp(rb.sig.weights, before.sig.weights, sizeof(rb.sig.weights)) == 0);
            ck_assert(rb.sig.t_norm == before.sig.t_norm && rb.sig.z_score == before.sig.z_score
                      && rb.sig.sma_slow == before.sig.sma_slow);
            ck_assert(!json_object_get_boolean(json_object_object_get(x, "signal_bar")));
            ck_assert_int_eq((int)extra(x, "bars"), (int)hole);
            /* TLT's SMA took the day: the mean of its last 20 closes */
            double sum = 0;
            for (size_t k = 0; k < P_BFAST; k++)
                sum += (double)s.bars[(hole - k) * NSYM + TLT].close / 1e6;
            ck_assert_msg(sfx_near(extra(x, "bond_sma_fast"), sum / P_BFAST), "%.17g vs %.17g",
                          extra(x, "bond_sma_fast"), sum / P_BFAST);
            ck_assert(extra(x, "bond_sma_fast") == extra(y, "bond_sma_fast"));
        } else if (d > hole) {
            ck_assert_int_eq((int)extra(x, "bars"), (int)extra(y, "bars") - 1);
            ck_assert(json_object_get_boolean(json_object_object_get(x, "signal_bar")));
        }
        json_object_put(x);
        json_object_put(y);
    }
    srec_free(&ra);
    srec_free(&rb);
    srec_free(&before);
    sample_free(&s);
    sfx_close(&f);
}
END_TEST

TCase *strategy_real_tcase(void)
{
    TCase *tc = tcase_create("sample_data");
    tcase_add_test(tc, test_real_every_day);
    tcase_add_test(tc, test_real_determinism_restore);
    tcase_add_test(tc, test_real_signal_missing);
    return tc;
}
