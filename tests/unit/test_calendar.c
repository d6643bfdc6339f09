/*
 * tests/unit/test_calendar.c — the NYSE calendar against real trading days
 * (the bundled Yahoo exports), hand-checked holiday lists, an independent
 * Easter computus, early closes and session hours in UTC.
 *
 * The sample files are the ground truth for 2010-2026: a weekday is a
 * trading day exactly when the file has a bar for it. The holiday lists for
 * 2021-2026 were typed from the NYSE's published calendars, and Easter is
 * recomputed here with Gauss's algorithm (the calendar uses the
 * Meeus/Jones/Butcher form), so neither side can copy the other's mistake.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "jutsu/error.h"
#include "testutil.h"
#include "base/tz.h"

static jutsu_tz *tz;
static jutsu_calendar *cal;

static jutsu_date_t D(int y, int m, int d)
{
    return jutsu_date_from_ymd(y, m, d);
}

static const char *fmt(jutsu_date_t d, char *buf)
{
    jutsu_date_format(d, buf);
    return buf;
}

static void open_cal(int builtin)
{
    unsetenv("TZDIR");
    int rc = jutsu_tz_load("America/New_York", &tz);
    ck_assert_msg(rc == 0, "tz: %s", jutsu_strerror(rc));
    rc = jutsu_calendar_new(tz, builtin, &cal);
    ck_assert_msg(rc == 0, "calendar: %s", jutsu_strerror(rc));
}

static void close_cal(void)
{
    jutsu_calendar_free(cal);
    jutsu_tz_free(tz);
    cal = NULL;
    tz = NULL;
}

static jutsu_time_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return jutsu_date_to_time(D(y, mo, d)) + ((int64_t)h * 3600 + mi * 60 + s) * JUTSU_USEC_PER_SEC;
}

/* ---- the sample files ---------------------------------------------------- */

/* The dates of a sample CSV: present[d - *first] = 1 for each row. */
struct sample {
    jutsu_date_t first, last;
    unsigned char *present;
    size_t rows;
};

static void load_sample(const char *name, struct sample *s)
{
    char path[1024], *line = NULL;
    size_t cap = 0, n = 0, alloc = 0;
    jutsu_date_t *dates = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/conf/sample-data/%s", tu_source_dir(), name);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_gt(getline(&line, &cap, f), 0);   /* header */
    while (getline(&line, &cap, f) > 0) {
        jutsu_date_t d;
        ck_assert_msg(jutsu_date_parse(line, 10, &d) == 0, "%s: bad date in %.20s", name, line);
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            dates = realloc(dates, alloc * sizeof(*dates));
            ck_assert_ptr_nonnull(dates);
        }
        ck_assert_msg(n == 0 || d > dates[n - 1], "%s: dates not ascending at %.10s", name, line);
        dates[n++] = d;
    }
    free(line);
    fclose(f);
    ck_assert_uint_gt(n, 0);
    s->first = dates[0];
    s->last = dates[n - 1];
    s->rows = n;
    s->present = calloc((size_t)(s->last - s->first + 1), 1);
    ck_assert_ptr_nonnull(s->present);
    for (size_t i = 0; i < n; i++)
        s->present[dates[i] - s->first] = 1;
    free(dates);
}

static int sample_has(const struct sample *s, jutsu_date_t d)
{
    return d >= s->first && d <= s->last && s->present[d - s->first];
}

/* Every day in the file's range: trading day <=> a bar exists. */
static void check_sample(const char *name, int y0, int m0, int d0, int y1, int m1, int d1)
{
    struct sample s;
    char bad[4096] = "", buf[JUTSU_DATE_BUFSZ];
    size_t used = 0;
    int mismatches = 0;

    load_sample(name, &s);
    ck_assert_msg(s.first == D(y0, m0, d0) && s.last == D(y1, m1, d1), "%s spans %s..", name,
                  fmt(s.first, buf));
    for (jutsu_date_t d = s.first; d <= s.last; d++) {
        int want = sample_has(&s, d), got = jutsu_calendar_is_trading_day(cal, d);
        if (want == got)
            continue;
        mismatches++;
        if (used < sizeof(bad) - 100) {
            const char *why = jutsu_calendar_closed_reason(cal, d);
            used += (size_t)snprintf(bad + used, sizeof(bad) - used, " %s(file %s, calendar %s)",
                                     fmt(d, buf), want ? "open" : "closed",
                                     got ? "open" : why ? why : "closed?");
        }
    }
    free(s.present);
    ck_assert_msg(mismatches == 0, "%s: %d mismatching dates:%s", name, mismatches, bad);
}

START_TEST(test_sample_qqq)
{
    open_cal(1);
    check_sample("QQQ.csv", 2010, 1, 4, 2026, 5, 13);
    close_cal();
}
END_TEST

START_TEST(test_sample_tlt)
{
    open_cal(1);
    check_sample("TLT.csv", 2010, 1, 4, 2025, 6, 27);
    close_cal();
}
END_TEST

START_TEST(test_count_by_year)
{
    struct sample s;

    open_cal(1);
    load_sample("QQQ.csv", &s);
    for (int y = 2011; y <= 2024; y++) {
        int64_t want = 0;
        for (jutsu_date_t d = D(y, 1, 1); d <= D(y, 12, 31); d++)
            want += sample_has(&s, d);
        int64_t got = jutsu_calendar_count(cal, D(y, 1, 1), D(y, 12, 31));
        ck_assert_msg(got == want, "%d: %lld trading days, file has %lld", y, (long long)got,
                      (long long)want);
    }
    ck_assert_int_eq(jutsu_calendar_count(cal, D(2024, 1, 1), D(2024, 12, 31)), 252);
    ck_assert_int_eq(jutsu_calendar_count(cal, s.first, s.last), (int64_t)s.rows);
    ck_assert_int_eq(jutsu_calendar_count(cal, s.first, s.first), 1);
    ck_assert_int_eq(jutsu_calendar_count(cal, D(2024, 12, 25), D(2024, 12, 25)), 0);
    ck_assert_int_eq(jutsu_calendar_count(cal, D(2024, 12, 31), D(2024, 1, 1)), 0);
    /* Mon 1 .. Mon 8 July 2024: the 4th and the weekend are closed. */
    ck_assert_int_eq(jutsu_calendar_count(cal, D(2024, 7, 1), D(2024, 7, 8)), 5);
    free(s.present);
    close_cal();
}
END_TEST

/* ---- holidays ------------------------------------------------------------- */

struct holiday {
    int y, m, d;
    const char *name;
};

/* The NYSE's full holiday list for 2021-2026 (no ad-hoc closures). */
static const struct holiday nyse[] = {
    {2021, 1, 1, "New Year's Day"},
    {2021, 1, 18, "Martin Luther King Jr. Day"},
    {2021, 2, 15, "Washington's Birthday"},
    {2021, 4, 2, "Good Friday"},
    {2021, 5, 31, "Memorial Day"},
    {2021, 7, 5, "Independence Day (observed)"},
    {2021, 9, 6, "Labor Day"},
    {2021, 11, 25, "Thanksgiving Day"},
    {2021, 12, 24, "Christmas Day (observed)"},
    {2022, 1, 17, "Martin Luther King Jr. Day"},
    {2022, 2, 21, "Washington's Birthday"},
    {2022, 4, 15, "Good Friday"},
    {2022, 5, 30, "Memorial Day"},
    {2022, 6, 20, "Juneteenth National Independence Day (observed)"},
    {2022, 7, 4, "Independence Day"},
    {2022, 9, 5, "Labor Day"},
    {2022, 11, 24, "Thanksgiving Day"},
    {2022, 12, 26, "Christmas Day (observed)"},
    {2023, 1, 2, "New Year's Day (observed)"},
    {2023, 1, 16, "Martin Luther King Jr. Day"},
    {2023, 2, 20, "Washington's Birthday"},
    {2023, 4, 7, "Good Friday"},
    {2023, 5, 29, "Memorial Day"},
    {2023, 6, 19, "Juneteenth National Independence Day"},
    {2023, 7, 4, "Independence Day"},
    {2023, 9, 4, "Labor Day"},
    {2023, 11, 23, "Thanksgiving Day"},
    {2023, 12, 25, "Christmas Day"},
    {2024, 1, 1, "New Year's Day"},
    {2024, 1, 15, "Martin Luther King Jr. Day"},
    {2024, 2, 19, "Washington's Birthday"},
    {2024, 3, 29, "Good Friday"},
    {2024, 5, 27, "Memorial Day"},
    {2024, 6, 19, "Juneteenth National Independence Day"},
    {2024, 7, 4, "Independence Day"},
    {2024, 9, 2, "Labor Day"},
    {2024, 11, 28, "Thanksgiving Day"},
    {2024, 12, 25, "Christmas Day"},
    {2025, 1, 1, "New Year's Day"},
    {2025, 1, 20, "Martin Luther King Jr. Day"},
    {2025, 2, 17, "Washington's Birthday"},
    {2025, 4, 18, "Good Friday"},
    {2025, 5, 26, "Memorial Day"},
    {2025, 6, 19, "Juneteenth National Independence Day"},
    {2025, 7, 4, "Independence Day"},
    {2025, 9, 1, "Labor Day"},
    {2025, 11, 27, "Thanksgiving Day"},
    {2025, 12, 25, "Christmas Day"},
    {2026, 1, 1, "New Year's Day"},
    {2026, 1, 19, "Martin Luther King Jr. Day"},
    {2026, 2, 16, "Washington's Birthday"},
    {2026, 4, 3, "Good Friday"},
    {2026, 5, 25, "Memorial Day"},
    {2026, 6, 19, "Juneteenth National Independence Day"},
    {2026, 7, 3, "Independence Day (observed)"},
    {2026, 9, 7, "Labor Day"},
    {2026, 11, 26, "Thanksgiving Day"},
    {2026, 12, 25, "Christmas Day"},
};
#define N_NYSE (sizeof(nyse) / sizeof(nyse[0]))

static const char *listed(jutsu_date_t d)
{
    for (size_t i = 0; i < N_NYSE; i++)
        if (D(nyse[i].y, nyse[i].m, nyse[i].d) == d)
            return nyse[i].name;
    return NULL;
}

START_TEST(test_holidays_2021_2026)
{
    char buf[JUTSU_DATE_BUFSZ];
    int closed = 0;

    open_cal(0);
    for (jutsu_date_t d = D(2021, 1, 1); d <= D(2026, 12, 31); d++) {
        int wd = jutsu_date_weekday(d);
        const char *want = listed(d), *got = jutsu_calendar_closed_reason(cal, d);
        if (wd == 0 || wd == 6) {
            ck_assert_msg(want == NULL, "listed holiday %s is a weekend", fmt(d, buf));
            ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, d), 0);
            ck_assert_str_eq(got, wd == 0 ? "Sunday" : "Saturday");
            continue;
        }
        ck_assert_msg(jutsu_calendar_is_trading_day(cal, d) == (want == NULL),
                      "%s: trading %d, listed as %s", fmt(d, buf),
                      jutsu_calendar_is_trading_day(cal, d), want ? want : "open");
        if (want) {
            ck_assert_msg(got && strcmp(got, want) == 0, "%s: reason '%s', want '%s'",
                          fmt(d, buf), got ? got : "(null)", want);
            closed++;
        } else {
            ck_assert_msg(got == NULL, "%s open but reason '%s'", fmt(d, buf), got);
        }
    }
    ck_assert_int_eq(closed, (int)N_NYSE);
    close_cal();
}
END_TEST

START_TEST(test_observed_rules)
{
    open_cal(1);
    /* New Year's 2022 fell on Saturday: not observed on Friday. */
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2021, 12, 31)), 1);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2022, 1, 3)), 1);
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2022, 1, 1)), "Saturday");
    /* New Year's 2017 on Sunday: Monday the 2nd. */
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2017, 1, 2)), "New Year's Day (observed)");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2022, 6, 20)),
                     "Juneteenth National Independence Day (observed)");
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2021, 6, 18)), 1);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2021, 6, 21)), 1);
    /* Juneteenth 2027 on Saturday: Friday the 18th. */
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2027, 6, 18)),
                     "Juneteenth National Independence Day (observed)");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2020, 7, 3)), "Independence Day (observed)");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2021, 7, 5)), "Independence Day (observed)");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2022, 12, 26)), "Christmas Day (observed)");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2027, 12, 24)), "Christmas Day (observed)");
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2027, 12, 24)), 0);
    /* ... and New Year's 2028 on Saturday leaves Dec 31, 2027 open. */
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2027, 12, 31)), 1);
    /* MLK Day from 1998 only. */
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(1997, 1, 20)), 1);
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(1998, 1, 19)), "Martin Luther King Jr. Day");
    /* Outside the table (1970-2100) the same rules apply. */
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2200, 12, 25)), "Christmas Day");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2101, 11, 24)), "Thanksgiving Day");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(1969, 7, 4)), "Independence Day");
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(1969, 7, 3)), 1);
    close_cal();
}
END_TEST

/*
 * Easter by Gauss's algorithm with its two exceptions, written
 * independently of the calendar's computus. Returns the day number.
 */
static jutsu_date_t gauss_easter(int y)
{
    int a = y % 19, b = y % 4, c = y % 7, k = y / 100;
    int p = (13 + 8 * k) / 25, q = k / 4;
    int M = (15 - p + k - q) % 30, N = (4 + k - q) % 7;
    int d = (19 * a + M) % 30, e = (2 * b + 4 * c + 6 * d + N) % 7;

    if (d == 29 && e == 6)
        return D(y, 4, 19);
    if (d == 28 && e == 6 && (11 * M + 11) % 30 < 19)
        return D(y, 4, 18);
    return D(y, 3, 22) + d + e;
}

START_TEST(test_good_friday)
{
    char buf[JUTSU_DATE_BUFSZ], buf2[JUTSU_DATE_BUFSZ];

    open_cal(0);
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2024, 3, 29)), "Good Friday");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2025, 4, 18)), "Good Friday");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2026, 4, 3)), "Good Friday");
    /* Gauss's algorithm checked against known Easters, including both of
     * its exceptions and the earliest and latest possible dates. */
    ck_assert_int_eq(gauss_easter(1981), D(1981, 4, 19));
    ck_assert_int_eq(gauss_easter(1954), D(1954, 4, 18));
    ck_assert_int_eq(gauss_easter(1818), D(1818, 3, 22));
    ck_assert_int_eq(gauss_easter(2285), D(2285, 3, 22));
    ck_assert_int_eq(gauss_easter(1943), D(1943, 4, 25));
    ck_assert_int_eq(gauss_easter(2038), D(2038, 4, 25));
    ck_assert_int_eq(gauss_easter(2024), D(2024, 3, 31));
    for (int y = 1583; y <= 4099; y++) {
        jutsu_date_t gf = gauss_easter(y) - 2;
        int found = 0;
        for (jutsu_date_t d = D(y, 3, 19); d <= D(y, 4, 24); d++) {
            const char *r = jutsu_calendar_closed_reason(cal, d);
            if (r && strcmp(r, "Good Friday") == 0) {
                ck_assert_msg(d == gf, "%d: Good Friday on %s, Gauss says %s", y, fmt(d, buf),
                              fmt(gf, buf2));
                found++;
            }
        }
        ck_assert_msg(found == 1, "%d: %d Good Fridays", y, found);
    }
    close_cal();
}
END_TEST

/* ---- early closes and sessions --------------------------------------------- */

START_TEST(test_early_closes)
{
    static const int early[][3] = {
        {2017, 7, 3}, {2018, 7, 3}, {2019, 7, 3}, {2023, 7, 3}, {2024, 7, 3}, {2025, 7, 3},
        {2018, 12, 24}, {2019, 12, 24}, {2024, 12, 24}, {2024, 11, 29}, {2023, 11, 24},
        {2018, 11, 23}, {2029, 11, 23},
    };
    /* Every early close of 2021-2026, per the NYSE's published lists. */
    static const int all[][3] = {
        {2021, 11, 26}, {2022, 11, 25}, {2023, 7, 3}, {2023, 11, 24}, {2024, 7, 3},
        {2024, 11, 29}, {2024, 12, 24}, {2025, 7, 3}, {2025, 11, 28}, {2025, 12, 24},
        {2026, 11, 27}, {2026, 12, 24},
    };
    struct jutsu_session s;
    char buf[JUTSU_DATE_BUFSZ];
    size_t found = 0;

    open_cal(1);
    for (size_t i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
        jutsu_date_t d = D(early[i][0], early[i][1], early[i][2]);
        ck_assert_msg(jutsu_calendar_session(cal, d, &s) == 0, "%s", fmt(d, buf));
        ck_assert_msg(s.early_close == 1, "%s not early", fmt(d, buf));
    }
    ck_assert_int_eq(jutsu_calendar_session(cal, D(2022, 7, 1), &s), 0);
    ck_assert_int_eq(s.early_close, 0);
    ck_assert_int_eq(jutsu_calendar_session(cal, D(2021, 7, 2), &s), 0);
    ck_assert_int_eq(s.early_close, 0);
    for (jutsu_date_t d = D(2021, 1, 1); d <= D(2026, 12, 31); d++) {
        if (jutsu_calendar_session(cal, d, &s) != 0 || !s.early_close)
            continue;
        ck_assert_msg(found < sizeof(all) / sizeof(all[0]) &&
                          d == D(all[found][0], all[found][1], all[found][2]),
                      "unexpected early close %s", fmt(d, buf));
        found++;
    }
    ck_assert_int_eq(found, sizeof(all) / sizeof(all[0]));
    close_cal();
}
END_TEST

/* Across the cached years and beyond: one Thanksgiving on the 4th
 * Thursday, and the Friday after it closes early. */
START_TEST(test_thanksgiving_every_year)
{
    struct jutsu_session s;
    char buf[JUTSU_DATE_BUFSZ];

    open_cal(0);
    for (int y = 1960; y <= 2300; y++) {
        int n = 0;
        for (jutsu_date_t d = D(y, 11, 1); d <= D(y, 11, 30); d++) {
            const char *r = jutsu_calendar_closed_reason(cal, d);
            if (!r || strcmp(r, "Thanksgiving Day") != 0)
                continue;
            n++;
            ck_assert_msg(jutsu_date_weekday(d) == 4 && d - D(y, 11, 1) >= 21 &&
                              d - D(y, 11, 1) < 28, "Thanksgiving %s", fmt(d, buf));
            ck_assert_int_eq(jutsu_calendar_session(cal, d + 1, &s), 0);
            ck_assert_msg(s.early_close, "%s not early", fmt(d + 1, buf));
            ck_assert_int_eq(jutsu_calendar_session(cal, d + 4, &s), 0);
            ck_assert_msg(!s.early_close, "%s early", fmt(d + 4, buf));
        }
        ck_assert_msg(n == 1, "%d: %d Thanksgivings", y, n);
    }
    close_cal();
}
END_TEST

static void expect_session(int y, int m, int d, jutsu_time_t open, jutsu_time_t close, int early)
{
    struct jutsu_session s;
    char a[JUTSU_TIME_BUFSZ], b[JUTSU_TIME_BUFSZ];

    ck_assert_int_eq(jutsu_calendar_session(cal, D(y, m, d), &s), 0);
    ck_assert_int_eq(s.date, D(y, m, d));
    jutsu_time_format(s.open, a);
    jutsu_time_format(open, b);
    ck_assert_msg(s.open == open, "%04d-%02d-%02d opens %s, want %s", y, m, d, a, b);
    jutsu_time_format(s.close, a);
    jutsu_time_format(close, b);
    ck_assert_msg(s.close == close, "%04d-%02d-%02d closes %s, want %s", y, m, d, a, b);
    ck_assert_int_eq(s.early_close, early);
}

START_TEST(test_sessions)
{
    struct jutsu_session s = {.date = 42};

    open_cal(1);
    expect_session(2024, 7, 3, utc(2024, 7, 3, 13, 30, 0), utc(2024, 7, 3, 17, 0, 0), 1);
    expect_session(2024, 11, 29, utc(2024, 11, 29, 14, 30, 0), utc(2024, 11, 29, 18, 0, 0), 1);
    expect_session(2025, 1, 8, utc(2025, 1, 8, 14, 30, 0), utc(2025, 1, 8, 21, 0, 0), 0);
    expect_session(2025, 6, 2, utc(2025, 6, 2, 13, 30, 0), utc(2025, 6, 2, 20, 0, 0), 0);
    /* Either side of the spring-forward weekend of 2024. */
    expect_session(2024, 3, 8, utc(2024, 3, 8, 14, 30, 0), utc(2024, 3, 8, 21, 0, 0), 0);
    expect_session(2024, 3, 11, utc(2024, 3, 11, 13, 30, 0), utc(2024, 3, 11, 20, 0, 0), 0);
    ck_assert_int_eq(jutsu_calendar_session(cal, D(2024, 12, 25), &s), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_calendar_session(cal, D(2025, 1, 9), &s), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_calendar_session(cal, D(2025, 1, 11), &s), JUTSU_ENOENT);
    ck_assert_int_eq(s.date, 42);   /* untouched on error */
    ck_assert_int_eq(jutsu_calendar_session(cal, D(2025, 1, 8), NULL), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_calendar_session(NULL, D(2025, 1, 8), &s), JUTSU_EINVAL);
    close_cal();
}
END_TEST

/* ---- ad-hoc closures --------------------------------------------------------- */

static const struct holiday adhoc[] = {
    {1985, 9, 27, "Hurricane Gloria"},
    {1994, 4, 27, "President Nixon's funeral"},
    {2001, 9, 11, "September 11 attacks"},
    {2001, 9, 12, "September 11 attacks"},
    {2001, 9, 13, "September 11 attacks"},
    {2001, 9, 14, "September 11 attacks"},
    {2004, 6, 11, "President Reagan's funeral"},
    {2007, 1, 2, "President Ford's funeral"},
    {2012, 10, 29, "Hurricane Sandy"},
    {2012, 10, 30, "Hurricane Sandy"},
    {2018, 12, 5, "President G.H.W. Bush's funeral"},
    {2025, 1, 9, "President Carter's funeral"},
};

START_TEST(test_builtin_closures)
{
    char buf[JUTSU_DATE_BUFSZ];

    open_cal(1);
    for (size_t i = 0; i < sizeof(adhoc) / sizeof(adhoc[0]); i++) {
        jutsu_date_t d = D(adhoc[i].y, adhoc[i].m, adhoc[i].d);
        const char *r = jutsu_calendar_closed_reason(cal, d);
        ck_assert_msg(!jutsu_calendar_is_trading_day(cal, d), "%s open", fmt(d, buf));
        ck_assert_msg(r && strcmp(r, adhoc[i].name) == 0, "%s: '%s'", fmt(d, buf), r ? r : "");
    }
    close_cal();

    open_cal(0);
    for (size_t i = 0; i < sizeof(adhoc) / sizeof(adhoc[0]); i++) {
        jutsu_date_t d = D(adhoc[i].y, adhoc[i].m, adhoc[i].d);
        ck_assert_msg(jutsu_calendar_is_trading_day(cal, d), "%s closed without built-ins",
                      fmt(d, buf));
        ck_assert_ptr_null(jutsu_calendar_closed_reason(cal, d));
    }
    close_cal();
}
END_TEST

START_TEST(test_add_remove_closure)
{
    char reason[32] = "Snow day";

    open_cal(1);
    ck_assert_int_eq(jutsu_calendar_remove_closure(cal, D(2012, 10, 29)), 0);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2012, 10, 29)), 1);
    ck_assert_ptr_null(jutsu_calendar_closed_reason(cal, D(2012, 10, 29)));
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2012, 10, 30)), "Hurricane Sandy");
    ck_assert_int_eq(jutsu_calendar_remove_closure(cal, D(2012, 10, 29)), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_calendar_remove_closure(cal, D(2024, 12, 25)), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2024, 12, 25)), 0);

    /* A new closure inside the table and one outside it; the reason is copied. */
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2026, 2, 3), reason), 0);
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2150, 2, 3), "Far future"), 0);
    strcpy(reason, "changed");
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2026, 2, 3)), 0);
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2026, 2, 3)), "Snow day");
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2150, 2, 3)), "Far future");
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2150, 2, 3)), 0);
    ck_assert_int_eq(jutsu_calendar_next(cal, D(2150, 2, 2)), D(2150, 2, 4));
    ck_assert_int_eq(jutsu_calendar_count(cal, D(2026, 2, 2), D(2026, 2, 6)), 4);

    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2026, 2, 3), "again"), JUTSU_EEXIST);
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2026, 2, 7), "Saturday"), JUTSU_EEXIST);
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2026, 12, 25), "x"), JUTSU_EEXIST);
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2026, 2, 4), ""), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2026, 2, 4), NULL), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_calendar_add_closure(NULL, D(2026, 2, 4), "x"), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(10000, 1, 3), "x"), JUTSU_ERANGE);

    /* Re-adding a removed built-in, and removing an added one. */
    ck_assert_int_eq(jutsu_calendar_add_closure(cal, D(2012, 10, 29), "Sandy again"), 0);
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(2012, 10, 29)), "Sandy again");
    ck_assert_int_eq(jutsu_calendar_remove_closure(cal, D(2150, 2, 3)), 0);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2150, 2, 3)), 1);
    ck_assert_int_eq(jutsu_calendar_remove_closure(cal, D(2026, 2, 3)), 0);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(2026, 2, 3)), 1);
    close_cal();
}
END_TEST

/* ---- stepping ---------------------------------------------------------------- */

static void expect_step(jutsu_date_t got, int y, int m, int d, const char *what)
{
    char a[JUTSU_DATE_BUFSZ], b[JUTSU_DATE_BUFSZ];
    ck_assert_msg(got == D(y, m, d), "%s: %s, want %s", what, fmt(got, a), fmt(D(y, m, d), b));
}

START_TEST(test_next_prev)
{
    open_cal(1);
    expect_step(jutsu_calendar_next(cal, D(2001, 9, 10)), 2001, 9, 17, "next after 9/11 run");
    expect_step(jutsu_calendar_prev(cal, D(2001, 9, 17)), 2001, 9, 10, "prev before 9/11 run");
    expect_step(jutsu_calendar_prev(cal, D(2001, 9, 13)), 2001, 9, 10, "prev from inside run");
    expect_step(jutsu_calendar_next(cal, D(2025, 1, 3)), 2025, 1, 6, "over a weekend");
    expect_step(jutsu_calendar_prev(cal, D(2025, 1, 6)), 2025, 1, 3, "back over a weekend");
    expect_step(jutsu_calendar_next(cal, D(2025, 1, 4)), 2025, 1, 6, "from a Saturday");
    expect_step(jutsu_calendar_next(cal, D(2024, 12, 24)), 2024, 12, 26, "over Christmas");
    expect_step(jutsu_calendar_prev(cal, D(2025, 1, 2)), 2024, 12, 31, "over New Year");
    expect_step(jutsu_calendar_next(cal, D(2025, 1, 8)), 2025, 1, 10, "over Carter");
    expect_step(jutsu_calendar_next(cal, D(2012, 10, 26)), 2012, 10, 31, "over Sandy");
    expect_step(jutsu_calendar_prev(cal, D(2012, 10, 31)), 2012, 10, 26, "back over Sandy");
    /* Good Friday then a weekend, and Thanksgiving. */
    expect_step(jutsu_calendar_next(cal, D(2024, 3, 28)), 2024, 4, 1, "over Easter");
    expect_step(jutsu_calendar_prev(cal, D(2024, 11, 29)), 2024, 11, 27, "back over Thanksgiving");
    /* The edges of the calendar's range. */
    ck_assert_int_eq(jutsu_calendar_next(cal, D(9999, 12, 31)), JUTSU_CALENDAR_NONE);
    ck_assert_int_eq(jutsu_calendar_prev(cal, D(1, 1, 1)), JUTSU_CALENDAR_NONE);
    ck_assert_int_eq(jutsu_calendar_next(cal, INT32_MIN), jutsu_calendar_next(cal, D(1, 1, 1) - 1));
    ck_assert_int_eq(jutsu_calendar_prev(cal, INT32_MAX), jutsu_calendar_prev(cal, D(10000, 1, 1)));
    ck_assert_int_eq(jutsu_calendar_is_trading_day(cal, D(10000, 1, 3)), 0);
    ck_assert_str_eq(jutsu_calendar_closed_reason(cal, D(10000, 1, 3)),
                     "outside the calendar's range");
    ck_assert_int_eq(jutsu_calendar_next(NULL, D(2025, 1, 3)), JUTSU_CALENDAR_NONE);
    close_cal();
}
END_TEST

/* ---- local dates --------------------------------------------------------------- */

static void expect_local(jutsu_time_t t, int y, int m, int d)
{
    jutsu_date_t got = 0;
    char a[JUTSU_TIME_BUFSZ], b[JUTSU_DATE_BUFSZ], c[JUTSU_DATE_BUFSZ];

    ck_assert_int_eq(jutsu_calendar_local_date(cal, t, &got), 0);
    jutsu_time_format(t, a);
    ck_assert_msg(got == D(y, m, d), "%s -> %s, want %s", a, fmt(got, b), fmt(D(y, m, d), c));
}

START_TEST(test_local_date)
{
    jutsu_date_t d;

    open_cal(1);
    expect_local(utc(2025, 1, 9, 4, 59, 59), 2025, 1, 8);
    expect_local(utc(2025, 1, 9, 5, 0, 0), 2025, 1, 9);
    expect_local(utc(2025, 7, 1, 3, 59, 59), 2025, 6, 30);
    expect_local(utc(2025, 7, 1, 4, 0, 0), 2025, 7, 1);
    /* The closing bell is still the same date. */
    expect_local(utc(2024, 7, 3, 17, 0, 0), 2024, 7, 3);
    ck_assert_int_eq(jutsu_calendar_local_date(cal, 0, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_calendar_local_date(NULL, 0, &d), JUTSU_EINVAL);
    close_cal();
}
END_TEST

START_TEST(test_bad_arguments)
{
    jutsu_calendar *c = (jutsu_calendar *)&c;

    ck_assert_int_eq(jutsu_calendar_new(NULL, 1, &c), JUTSU_EINVAL);
    open_cal(1);
    ck_assert_int_eq(jutsu_calendar_new(tz, 1, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_calendar_is_trading_day(NULL, D(2025, 1, 8)), 0);
    ck_assert_ptr_null(jutsu_calendar_closed_reason(NULL, D(2025, 1, 8)));
    ck_assert_int_eq(jutsu_calendar_count(NULL, D(2025, 1, 1), D(2025, 12, 31)), 0);
    ck_assert_int_eq(jutsu_calendar_remove_closure(NULL, D(2025, 1, 9)), JUTSU_EINVAL);
    jutsu_calendar_free(NULL);
    close_cal();
}
END_TEST

static Suite *calendar_suite(void)
{
    Suite *s = suite_create("calendar");
    TCase *tc = tcase_create("calendar");

    tcase_add_test(tc, test_sample_qqq);
    tcase_add_test(tc, test_sample_tlt);
    tcase_add_test(tc, test_count_by_year);
    tcase_add_test(tc, test_holidays_2021_2026);
    tcase_add_test(tc, test_observed_rules);
    tcase_add_test(tc, test_good_friday);
    tcase_add_test(tc, test_early_closes);
    tcase_add_test(tc, test_thanksgiving_every_year);
    tcase_add_test(tc, test_sessions);
    tcase_add_test(tc, test_builtin_closures);
    tcase_add_test(tc, test_add_remove_closure);
    tcase_add_test(tc, test_next_prev);
    tcase_add_test(tc, test_local_date);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(calendar_suite());
}
