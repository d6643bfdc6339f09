/*
 * tests/unit/test_date.c — day numbers, ISO 8601 dates and instants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/clock.h"
#include "jutsu/error.h"
#include "testutil.h"

/* Check's assertions record a checkpoint each (a write); the big loops
 * only call into Check on a failure. */
#define EXPECT(cond, ...)                \
    do {                                 \
        if (!(cond))                     \
            ck_abort_msg(__VA_ARGS__);   \
    } while (0)

/* The test's own leap rule, independent of the code under test. */
static int month_len(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

static void expect_ymd(jutsu_date_t d, int y, int m, int dd)
{
    int gy = 0, gm = 0, gd = 0;

    jutsu_date_to_ymd(d, &gy, &gm, &gd);
    ck_assert_msg(gy == y && gm == m && gd == dd, "day %d is %04d-%02d-%02d, want %04d-%02d-%02d",
                  (int)d, gy, gm, gd, y, m, dd);
    ck_assert_int_eq(jutsu_date_from_ymd(y, m, dd), d);
}

START_TEST(test_epoch)
{
    char buf[JUTSU_DATE_BUFSZ];

    expect_ymd(0, 1970, 1, 1);
    ck_assert_int_eq(jutsu_date_weekday(0), 4);   /* Thursday */
    ck_assert_int_eq(jutsu_date_format(0, buf), 10);
    ck_assert_str_eq(buf, "1970-01-01");
    expect_ymd(-1, 1969, 12, 31);
    ck_assert_int_eq(jutsu_date_weekday(-1), 3);
    ck_assert_int_eq(jutsu_date_weekday(-4), 0);
    ck_assert_int_eq(jutsu_date_weekday(-5), 6);
    expect_ymd(11017, 2000, 3, 1);
    expect_ymd(20097, 2025, 1, 9);
    ck_assert_int_eq(jutsu_date_weekday(20097), 4);
}
END_TEST

START_TEST(test_extremes)
{
    char buf[JUTSU_DATE_BUFSZ];
    jutsu_date_t d;

    expect_ymd(-719162, 1, 1, 1);
    expect_ymd(2932896, 9999, 12, 31);
    ck_assert_int_eq(jutsu_date_weekday(-719162), 1);   /* Monday */
    ck_assert_int_eq(jutsu_date_weekday(2932896), 5);   /* Friday */
    jutsu_date_format(-719162, buf);
    ck_assert_str_eq(buf, "0001-01-01");
    ck_assert_int_eq(jutsu_date_parse(buf, -1, &d), 0);
    ck_assert_int_eq(d, -719162);
    jutsu_date_format(2932896, buf);
    ck_assert_str_eq(buf, "9999-12-31");
    ck_assert_int_eq(jutsu_date_parse(buf, -1, &d), 0);
    ck_assert_int_eq(d, 2932896);
    /* Beyond four digits the year carries a sign. */
    jutsu_date_format(2932897, buf);
    ck_assert_str_eq(buf, "+10000-01-01");
    jutsu_date_format(jutsu_date_from_ymd(-1, 12, 31), buf);
    ck_assert_str_eq(buf, "-0001-12-31");
    jutsu_date_format(INT32_MIN, buf);
    ck_assert_int_eq(buf[0], '-');
    jutsu_date_format(INT32_MAX, buf);
    ck_assert_int_eq(buf[0], '+');
}
END_TEST

START_TEST(test_leap_rules)
{
    jutsu_date_t d;

    ck_assert_int_eq(jutsu_date_parse("2000-02-29", -1, &d), 0);
    expect_ymd(d, 2000, 2, 29);
    ck_assert_int_eq(jutsu_date_parse("2024-02-29", -1, &d), 0);
    ck_assert_int_eq(jutsu_date_parse("1600-02-29", -1, &d), 0);
    ck_assert_int_eq(jutsu_date_parse("1900-02-29", -1, &d), JUTSU_EMALFORMED);
    ck_assert_int_eq(jutsu_date_parse("2100-02-29", -1, &d), JUTSU_EMALFORMED);
    ck_assert_int_eq(jutsu_date_parse("2023-02-29", -1, &d), JUTSU_EMALFORMED);
    ck_assert_int_eq(jutsu_date_parse("2025-02-30", -1, &d), JUTSU_EMALFORMED);
    ck_assert_int_eq(jutsu_date_from_ymd(2000, 3, 1) - jutsu_date_from_ymd(2000, 2, 28), 2);
    ck_assert_int_eq(jutsu_date_from_ymd(1900, 3, 1) - jutsu_date_from_ymd(1900, 2, 28), 1);
    ck_assert_int_eq(jutsu_date_from_ymd(2001, 1, 1) - jutsu_date_from_ymd(2000, 1, 1), 366);
    ck_assert_int_eq(jutsu_date_from_ymd(2000, 1, 1) - jutsu_date_from_ymd(1600, 1, 1),
                     146097);
}
END_TEST

START_TEST(test_date_rejects)
{
    static const char *const bad[] = {
        "", "2025-13-01", "2025-00-10", "2025-01-00", "2025-01-32", "2025-04-31",
        "2025-1-09", "2025/01/09", "20250109", "2025-01-09 ", " 2025-01-09",
        "2025-01-9x", "25-01-09", "2025-01-09T00:00:00Z", "abcd-ef-gh", "+025-01-09",
    };
    jutsu_date_t d = 77;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = jutsu_date_parse(bad[i], -1, &d);
        ck_assert_msg(rc == JUTSU_EMALFORMED, "parse(\"%s\") = %d", bad[i], rc);
    }
    ck_assert_int_eq(d, 77);
    ck_assert_int_eq(jutsu_date_parse("2025-01-09xyz", 10, &d), 0);
    ck_assert_int_eq(d, 20097);
    ck_assert_int_eq(jutsu_date_parse(NULL, 10, &d), JUTSU_EINVAL);
}
END_TEST

/* A day that does not exist is written in the right form: split takes it
 * apart so that a message can say which, and parse still refuses it. */
START_TEST(test_date_split)
{
    int y = 0, m = 0, d = 0;

    ck_assert_int_eq(jutsu_date_split("2026-02-30", -1, &y, &m, &d), 0);
    ck_assert_int_eq(y, 2026);
    ck_assert_int_eq(m, 2);
    ck_assert_int_eq(d, 30);
    ck_assert_int_eq(jutsu_date_split("2024-13-00", -1, NULL, &m, &d), 0);
    ck_assert_int_eq(m, 13);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(jutsu_date_split("2025-01-09xyz", 10, &y, NULL, NULL), 0);
    ck_assert_int_eq(y, 2025);
    static const char *const bad[] = {
        "", "2025-1-09", "2025/01/09", "20250109", "2025-01-09 ", "25-01-09", "+025-01-09",
        "2025-01-9x", "abcd-ef-gh", "2025-01-09T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = jutsu_date_split(bad[i], -1, &y, &m, &d);
        ck_assert_msg(rc == JUTSU_EMALFORMED, "split(\"%s\") = %d", bad[i], rc);
    }
    ck_assert_int_eq(jutsu_date_split(NULL, 10, &y, &m, &d), JUTSU_EINVAL);
}
END_TEST

START_TEST(test_days_in_month)
{
    for (int y = 1896; y <= 2104; y++)
        for (int m = 1; m <= 12; m++)
            EXPECT(jutsu_date_days_in_month(y, m) == month_len(y, m), "%04d-%02d: %d days", y,
                   m, jutsu_date_days_in_month(y, m));
    ck_assert_int_eq(jutsu_date_days_in_month(2026, 2), 28);
    ck_assert_int_eq(jutsu_date_days_in_month(2000, 2), 29);
    ck_assert_int_eq(jutsu_date_days_in_month(2026, 0), 0);
    ck_assert_int_eq(jutsu_date_days_in_month(2026, 13), 0);
}
END_TEST

/* Every day of 1900..2100: contiguous numbers, ymd, weekday and text agree. */
START_TEST(test_every_day)
{
    jutsu_date_t expect_d = jutsu_date_from_ymd(1900, 1, 1);
    int wd = jutsu_date_weekday(expect_d);
    char buf[JUTSU_DATE_BUFSZ], want[32];

    ck_assert_int_eq(expect_d, -25567);
    ck_assert_int_eq(wd, 1);   /* 1900-01-01 was a Monday */
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int dd = 1; dd <= month_len(y, m); dd++, expect_d++) {
                jutsu_date_t d = jutsu_date_from_ymd(y, m, dd), back = 0;
                int gy, gm, gd;
                EXPECT(d == expect_d, "%04d-%02d-%02d is day %d, want %d", y, m, dd, (int)d,
                       (int)expect_d);
                jutsu_date_to_ymd(d, &gy, &gm, &gd);
                EXPECT(gy == y && gm == m && gd == dd, "day %d is %04d-%02d-%02d", (int)d, gy,
                       gm, gd);
                EXPECT(jutsu_date_weekday(d) == wd, "weekday of %d", (int)d);
                wd = (wd + 1) % 7;
                snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, dd);
                EXPECT(jutsu_date_format(d, buf) == 10 && strcmp(buf, want) == 0,
                       "format(%d) = %s, want %s", (int)d, buf, want);
                EXPECT(jutsu_date_parse(buf, 10, &back) == 0 && back == d, "parse(%s) = %d",
                       buf, (int)back);
            }
            if (m == 2) {   /* the day after the month's last is invalid */
                jutsu_date_t junk;
                snprintf(want, sizeof(want), "%04d-02-%02d", y, month_len(y, 2) + 1);
                ck_assert_int_eq(jutsu_date_parse(want, -1, &junk), JUTSU_EMALFORMED);
            }
        }
    }
    ck_assert_int_eq(expect_d - 1, 47846);   /* 2100-12-31 */
}
END_TEST

/* Round trip over the whole of 0001..9999 in coarse steps. */
START_TEST(test_four_digit_years)
{
    jutsu_date_t first = jutsu_date_from_ymd(1, 1, 1), last = jutsu_date_from_ymd(9999, 12, 31);
    char buf[JUTSU_DATE_BUFSZ];

    for (jutsu_date_t d = first; d <= last; d += 13) {
        jutsu_date_t back = 0;
        int y, m, dd;
        jutsu_date_to_ymd(d, &y, &m, &dd);
        EXPECT(jutsu_date_from_ymd(y, m, dd) == d, "day %d via %d-%d-%d", (int)d, y, m, dd);
        jutsu_date_format(d, buf);
        EXPECT(jutsu_date_parse(buf, -1, &back) == 0 && back == d, "parse(%s) = %d", buf,
               (int)back);
    }
}
END_TEST

static jutsu_time_t at(int y, int mo, int d, int h, int mi, int s, int usec)
{
    return jutsu_date_to_time(jutsu_date_from_ymd(y, mo, d)) +
           ((int64_t)h * 3600 + mi * 60 + s) * JUTSU_USEC_PER_SEC + usec;
}

static void expect_time(const char *text, jutsu_time_t want)
{
    jutsu_time_t t = -1;
    int rc = jutsu_time_parse(text, -1, &t);

    ck_assert_msg(rc == 0, "parse(\"%s\") = %d", text, rc);
    ck_assert_msg(t == want, "parse(\"%s\") = %lld, want %lld", text, (long long)t,
                  (long long)want);
}

START_TEST(test_time_parse_forms)
{
    jutsu_time_t base = at(2025, 1, 9, 14, 30, 0, 0);

    ck_assert_int_eq(base, INT64_C(1736433000) * 1000000);
    expect_time("2025-01-09", at(2025, 1, 9, 0, 0, 0, 0));
    expect_time("2025-01-09T14:30:00Z", base);
    expect_time("2025-01-09T14:30:00", base);
    expect_time("2025-01-09 14:30:00", base);
    expect_time("2025-01-09 14:30:00Z", base);
    expect_time("2025-01-09T14:30:00+00:00", base);
    expect_time("2025-01-09T14:30:00-00:00", base);
    expect_time("2025-01-09T09:30:00-05:00", base);
    expect_time("2025-01-09T20:00:00+05:30", base);
    expect_time("2025-01-09T14:30:00.123456Z", base + 123456);
    expect_time("2025-01-09T14:30:00.5Z", base + 500000);
    expect_time("2025-01-09T14:30:00.000001", base + 1);
    expect_time("2025-01-09T14:30:00.12", base + 120000);
    expect_time("2025-01-09T10:30:00.25-04:00", base + 250000);
    expect_time("2025-01-10T00:30:00+10:00", base);
    expect_time("2025-01-01T01:00:00+02:00", at(2024, 12, 31, 23, 0, 0, 0));
    expect_time("1969-12-31T23:59:59.999999Z", -1);
    expect_time("0001-01-01T00:00:00Z", INT64_C(-62135596800) * 1000000);
    expect_time("9999-12-31T23:59:59.999999Z", INT64_C(253402300800) * 1000000 - 1);
}
END_TEST

START_TEST(test_time_rejects)
{
    static const char *const bad[] = {
        "", "2025-01-09T", "2025-01-09T14:30", "2025-01-09T14:30Z", "2025-01-09T24:00:00Z",
        "2025-01-09T14:60:00Z", "2025-01-09T14:30:60Z", "2025-01-09T14:30:00.1234567Z",
        "2025-01-09T14:30:00.Z", "2025-01-09T14:30:00.", "2025-01-09t14:30:00Z",
        "2025-01-09T14:30:00z", "2025-01-09T14:30:00+0500", "2025-01-09T14:30:00+05",
        "2025-01-09T14:30:00+24:00", "2025-01-09T14:30:00+05:60", "2025-01-09T14:30:00ZZ",
        "2025-01-09T14:30:00 ", "2025-01-09_14:30:00", "2025-02-30T00:00:00Z",
        "2025-01-09T1:30:00Z", "2025-01-09T14-30-00Z", "2025-01-09T14:30:00+05:00x",
        "x2025-01-09", "2025-01-09Z",
    };
    jutsu_time_t t = 99;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = jutsu_time_parse(bad[i], -1, &t);
        ck_assert_msg(rc == JUTSU_EMALFORMED, "parse(\"%s\") = %d", bad[i], rc);
    }
    ck_assert_int_eq(t, 99);
    ck_assert_int_eq(jutsu_time_parse("2025-01-09T14:30:00Zjunk", 20, &t), 0);
    ck_assert_int_eq(t, at(2025, 1, 9, 14, 30, 0, 0));
    ck_assert_int_eq(jutsu_time_parse("1", -1, NULL), JUTSU_EINVAL);
}
END_TEST

static void expect_format(jutsu_time_t t, const char *want)
{
    char buf[JUTSU_TIME_BUFSZ];
    int n = jutsu_time_format(t, buf);

    ck_assert_str_eq(buf, want);
    ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(test_time_format)
{
    char buf[JUTSU_TIME_BUFSZ];

    expect_format(0, "1970-01-01T00:00:00Z");
    expect_format(at(2025, 1, 9, 14, 30, 0, 0), "2025-01-09T14:30:00Z");
    expect_format(at(2025, 1, 9, 14, 30, 0, 123456), "2025-01-09T14:30:00.123456Z");
    expect_format(at(2025, 1, 9, 14, 30, 0, 1), "2025-01-09T14:30:00.000001Z");
    expect_format(-1, "1969-12-31T23:59:59.999999Z");
    expect_format(-1000000, "1969-12-31T23:59:59Z");
    expect_format(-JUTSU_USEC_PER_DAY, "1969-12-31T00:00:00Z");
    expect_format(-JUTSU_USEC_PER_DAY - 1, "1969-12-30T23:59:59.999999Z");
    expect_format(INT64_C(-86399999999), "1969-12-31T00:00:00.000001Z");
    expect_format(INT64_C(-62135596800) * 1000000, "0001-01-01T00:00:00Z");
    expect_format(INT64_C(253402300800) * 1000000 - 1, "9999-12-31T23:59:59.999999Z");
    /* The extremes of the type format without overflow. */
    ck_assert_int_eq(jutsu_time_format(INT64_MIN, buf), (int)strlen(buf));
    ck_assert_int_eq(buf[0], '-');
    ck_assert_int_eq(jutsu_time_format(INT64_MAX, buf), (int)strlen(buf));
    ck_assert_int_eq(buf[0], '+');
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(test_time_round_trip)
{
    jutsu_time_t lo = INT64_C(-62135596800) * 1000000;
    uint64_t span = (uint64_t)(INT64_C(253402300800) * 1000000 - lo);
    uint64_t seed = 12345;
    char buf[JUTSU_TIME_BUFSZ];

    for (int i = 0; i < 100000; i++) {
        jutsu_time_t t = lo + (jutsu_time_t)(xorshift(&seed) % span), back = 0;
        if (i % 2)
            t -= t % JUTSU_USEC_PER_SEC;   /* whole seconds too */
        jutsu_time_format(t, buf);
        EXPECT(jutsu_time_parse(buf, -1, &back) == 0 && back == t, "%lld -> %s -> %lld",
               (long long)t, buf, (long long)back);
    }
}
END_TEST

static Suite *date_suite(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_epoch);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_leap_rules);
    tcase_add_test(tc, test_date_rejects);
    tcase_add_test(tc, test_date_split);
    tcase_add_test(tc, test_days_in_month);
    tcase_add_test(tc, test_every_day);
    tcase_add_test(tc, test_four_digit_years);
    tcase_add_test(tc, test_time_parse_forms);
    tcase_add_test(tc, test_time_rejects);
    tcase_add_test(tc, test_time_format);
    tcase_add_test(tc, test_time_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(date_suite());
}
