/*
 * tests/unit/test_money.c — exact decimal parse/format of micro-units.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/money.h"
#include "testutil.h"

#define EXACT     JUTSU_MONEY_EXACT
#define HALF_EVEN JUTSU_MONEY_HALF_EVEN
#define HALF_UP   JUTSU_MONEY_HALF_UP

/* Parses `text` (NUL-terminated) and asserts the outcome. */
static void expect(const char *text, int round, int rc, jutsu_money_t want)
{
    jutsu_money_t v = INT64_C(-42);
    int got = jutsu_money_parse(text, -1, round, &v);

    ck_assert_msg(got == rc, "parse(\"%s\", round %d) = %d (%s), want %d (%s)", text, round,
                  got, jutsu_strerror(got), rc, jutsu_strerror(rc));
    if (rc == 0)
        ck_assert_msg(v == want, "parse(\"%s\", round %d) = %lld, want %lld", text, round,
                      (long long)v, (long long)want);
    else
        ck_assert_msg(v == -42, "parse(\"%s\") wrote *out on failure", text);
}

static void round_trip(const char *text)
{
    char buf[JUTSU_MONEY_BUFSZ];
    jutsu_money_t v;

    ck_assert_int_eq(jutsu_money_parse(text, -1, EXACT, &v), 0);
    ck_assert_int_eq(jutsu_money_format(v, buf), (int)strlen(text));
    ck_assert_str_eq(buf, text);
}

START_TEST(test_round_trips)
{
    round_trip("999999999999.999999");
    round_trip("-999999999999.999999");
    round_trip("0.000001");
    round_trip("-123.456789");
    round_trip("0.000000");
    expect("999999999999.999999", EXACT, 0, JUTSU_MONEY_MAX);
    expect("-999999999999.999999", EXACT, 0, JUTSU_MONEY_MIN);
    expect("0.000001", EXACT, 0, 1);
    expect("-123.456789", EXACT, 0, INT64_C(-123456789));
}
END_TEST

START_TEST(test_plain_forms)
{
    expect("0", EXACT, 0, 0);
    expect("-0", EXACT, 0, 0);
    expect("+0.000", EXACT, 0, 0);
    expect("1", EXACT, 0, 1000000);
    expect("+1", EXACT, 0, 1000000);
    expect("-1", EXACT, 0, -1000000);
    expect(".5", EXACT, 0, 500000);
    expect("5.", EXACT, 0, 5000000);
    expect("46.42", EXACT, 0, 46420000);
    expect("007.250", EXACT, 0, 7250000);
    expect("1.500000000000", EXACT, 0, 1500000);
}
END_TEST

START_TEST(test_range)
{
    expect("1000000000000", EXACT, JUTSU_ERANGE, 0);
    expect("-1000000000000", EXACT, JUTSU_ERANGE, 0);
    expect("1000000000000.000000", HALF_EVEN, JUTSU_ERANGE, 0);
    expect("99999999999999999999999999", HALF_UP, JUTSU_ERANGE, 0);
    expect("999999999999.9999994", HALF_EVEN, 0, JUTSU_MONEY_MAX);
    /* Rounding up past the limit is out of range too. */
    expect("999999999999.9999995", HALF_UP, JUTSU_ERANGE, 0);
    expect("999999999999.9999995", HALF_EVEN, JUTSU_ERANGE, 0);
    expect("-999999999999.9999995", HALF_UP, JUTSU_ERANGE, 0);
    expect("1e12", EXACT, JUTSU_ERANGE, 0);
    expect("1e99999999999999999999", EXACT, JUTSU_ERANGE, 0);
}
END_TEST

START_TEST(test_rounding)
{
    expect("46.41999816894531", EXACT, JUTSU_ERANGE, 0);
    expect("46.41999816894531", HALF_EVEN, 0, 46419998);
    expect("46.41999816894531", HALF_UP, 0, 46419998);
    expect("89.80999755859375", HALF_EVEN, 0, 89809998);
    expect("0.0000005", HALF_EVEN, 0, 0);
    expect("0.0000005", HALF_UP, 0, 1);
    expect("0.0000015", HALF_EVEN, 0, 2);
    expect("0.0000015", HALF_UP, 0, 2);
    expect("0.0000025", HALF_EVEN, 0, 2);
    expect("0.0000025", HALF_UP, 0, 3);
    expect("0.00000050001", HALF_EVEN, 0, 1);
    expect("0.00000049999", HALF_UP, 0, 0);
    expect("0.0000004999999", HALF_EVEN, 0, 0);
    expect("-0.0000015", HALF_EVEN, 0, -2);
    expect("-0.0000005", HALF_UP, 0, -1);
    expect("-0.0000005", HALF_EVEN, 0, 0);
    expect("-0.0000001", HALF_EVEN, 0, 0);
    expect("1.2345675", HALF_EVEN, 0, 1234568);
    expect("1.2345665", HALF_EVEN, 0, 1234566);
    expect("0.0000005", EXACT, JUTSU_ERANGE, 0);
    expect("1.0000000", EXACT, 0, 1000000);
    expect("0.9999999", HALF_UP, 0, 1000000);
}
END_TEST

START_TEST(test_float_artefacts)
{
    char buf[JUTSU_MONEY_BUFSZ];
    jutsu_money_t v;

    ck_assert_int_eq(jutsu_money_parse("46.41999816894531", -1, HALF_EVEN, &v), 0);
    jutsu_money_format(v, buf);
    ck_assert_str_eq(buf, "46.419998");
    ck_assert_int_eq(jutsu_money_parse("89.80999755859375", -1, HALF_EVEN, &v), 0);
    jutsu_money_format(v, buf);
    ck_assert_str_eq(buf, "89.809998");
}
END_TEST

START_TEST(test_exponents)
{
    expect("1.5e3", EXACT, 0, INT64_C(1500000000));
    expect("1.5E3", EXACT, 0, INT64_C(1500000000));
    expect("+1e3", EXACT, 0, INT64_C(1000000000));
    expect("4.6419998e+01", EXACT, 0, 46419998);
    expect("-4.6419998e+01", EXACT, 0, -46419998);
    expect("1e-6", EXACT, 0, 1);
    expect("1E-06", EXACT, 0, 1);
    expect("1e-7", EXACT, JUTSU_ERANGE, 0);
    expect("1e-7", HALF_UP, 0, 0);
    expect("5e-7", HALF_UP, 0, 1);
    expect("5e-7", HALF_EVEN, 0, 0);
    expect("15e-7", HALF_EVEN, 0, 2);
    expect("123456789e-3", EXACT, 0, INT64_C(123456789000));
    expect("1e11", EXACT, 0, INT64_C(100000000000000000));
    expect("9.99999999999999999e11", EXACT, 0, JUTSU_MONEY_MAX);
    expect("0e999999999999999999999", EXACT, 0, 0);
    expect("0.0e-999999999999999999999", EXACT, 0, 0);
    expect("1e-999999999999999999999", HALF_UP, 0, 0);
    expect("1e-999999999999999999999", EXACT, JUTSU_ERANGE, 0);
    expect("12.5e-1", EXACT, 0, 1250000);
    expect("1e0", EXACT, 0, 1000000);
}
END_TEST

START_TEST(test_rejects)
{
    static const char *const bad[] = {
        "", "nan", "NaN", "inf", "-inf", "Infinity", "1,000", " 1", "1 ", "\t1",
        "1.2.3", ".", "-.", "+-1", "-+1", "--1", "+", "-", "1e", "1e+", "1e-", "e5",
        ".e5", "1e5.5", "1e5e5", "0x10", "1_000", "1.0f", "12abc", "1e 5", "\xd9\xa1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        for (int r = EXACT; r <= HALF_UP; r++)
            expect(bad[i], r, JUTSU_EMALFORMED, 0);
}
END_TEST

START_TEST(test_bad_arguments)
{
    jutsu_money_t v;

    ck_assert_int_eq(jutsu_money_parse(NULL, -1, EXACT, &v), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_money_parse("1", -1, EXACT, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_money_parse("1", -1, 7, &v), JUTSU_EINVAL);
}
END_TEST

START_TEST(test_explicit_length)
{
    jutsu_money_t v;
    /* An unterminated buffer: ASan catches any read past len. */
    char *raw = malloc(6);

    ck_assert_ptr_nonnull(raw);
    memcpy(raw, "123.45", 6);
    ck_assert_int_eq(jutsu_money_parse(raw, 6, EXACT, &v), 0);
    ck_assert_int_eq(v, INT64_C(123450000));
    ck_assert_int_eq(jutsu_money_parse(raw, 4, EXACT, &v), 0);
    ck_assert_int_eq(v, INT64_C(123000000));
    ck_assert_int_eq(jutsu_money_parse(raw, 0, EXACT, &v), JUTSU_EMALFORMED);
    memcpy(raw, "1.5e-3", 6);
    ck_assert_int_eq(jutsu_money_parse(raw, 6, EXACT, &v), 0);
    ck_assert_int_eq(v, 1500);
    ck_assert_int_eq(jutsu_money_parse(raw, 5, EXACT, &v), JUTSU_EMALFORMED);
    free(raw);
    /* An embedded NUL inside len is garbage, not the end. */
    ck_assert_int_eq(jutsu_money_parse("1\0", 2, EXACT, &v), JUTSU_EMALFORMED);
    ck_assert_int_eq(jutsu_money_parse("12.34xyz", 5, EXACT, &v), 0);
    ck_assert_int_eq(v, INT64_C(12340000));
}
END_TEST

/* prefix + `count` copies of `fill` + suffix, in a buffer of exact size
 * (no NUL), parsed with an explicit length. */
static int parse_long(const char *prefix, char fill, size_t count, const char *suffix,
                      int round, jutsu_money_t *v)
{
    size_t p = strlen(prefix), s = strlen(suffix), n = p + count + s;
    char *buf = malloc(n);
    int rc;

    ck_assert_ptr_nonnull(buf);
    memcpy(buf, prefix, p);
    memset(buf + p, fill, count);
    memcpy(buf + p + count, suffix, s);
    rc = jutsu_money_parse(buf, (long)n, round, v);
    free(buf);
    return rc;
}

START_TEST(test_long_inputs)
{
    jutsu_money_t v = -1;

    ck_assert_int_eq(parse_long("", '0', 100000, "1.5", EXACT, &v), 0);
    ck_assert_int_eq(v, 1500000);
    ck_assert_int_eq(parse_long("-", '0', 100000, "999999999999.999999", EXACT, &v), 0);
    ck_assert_int_eq(v, JUTSU_MONEY_MIN);
    ck_assert_int_eq(parse_long("1.", '0', 100000, "", EXACT, &v), 0);
    ck_assert_int_eq(v, 1000000);
    ck_assert_int_eq(parse_long("0.000000", '0', 100000, "1", EXACT, &v), JUTSU_ERANGE);
    ck_assert_int_eq(parse_long("0.000000", '0', 100000, "1", HALF_UP, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(parse_long("0.0000004", '9', 100000, "", HALF_UP, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(parse_long("0.0000005", '0', 100000, "", HALF_EVEN, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(parse_long("0.0000005", '0', 100000, "1", HALF_EVEN, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(parse_long("46.419998", '0', 100000, "e0", EXACT, &v), 0);
    ck_assert_int_eq(v, 46419998);
    ck_assert_int_eq(parse_long("1", '0', 100000, "e-100000", EXACT, &v), 0);
    ck_assert_int_eq(v, 1000000);
    ck_assert_int_eq(parse_long("1", '0', 100000, "", EXACT, &v), JUTSU_ERANGE);
    ck_assert_int_eq(parse_long("1", '0', 100000, "x", EXACT, &v), JUTSU_EMALFORMED);
}
END_TEST

START_TEST(test_format)
{
    char buf[JUTSU_MONEY_BUFSZ];

    ck_assert_int_eq(jutsu_money_format(0, buf), 8);
    ck_assert_str_eq(buf, "0.000000");
    jutsu_money_format(-1, buf);
    ck_assert_str_eq(buf, "-0.000001");
    jutsu_money_format(INT64_C(1500000000), buf);
    ck_assert_str_eq(buf, "1500.000000");
    /* Out of NUMERIC(18,6) range, but never undefined behaviour. */
    ck_assert_int_eq(jutsu_money_format(INT64_MIN, buf), 21);
    ck_assert_str_eq(buf, "-9223372036854.775808");
    jutsu_money_format(INT64_MAX, buf);
    ck_assert_str_eq(buf, "9223372036854.775807");
}
END_TEST

/* The hand-written digits against printf's, over every magnitude from one
 * micro-unit to INT64_MAX and both signs, with a varied fraction. */
START_TEST(test_format_vs_printf)
{
    char buf[JUTSU_MONEY_BUFSZ], want[JUTSU_MONEY_BUFSZ + 8];
    uint64_t x = 1;

    for (int step = 0; step < 4000; step++) {
        int64_t v = (int64_t)(x % (uint64_t)INT64_MAX);
        for (int sign = 0; sign < 2; sign++, v = -v) {
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            snprintf(want, sizeof(want), "%s%" PRIu64 ".%06" PRIu64, v < 0 ? "-" : "",
                     mag / 1000000, mag % 1000000);
            int n = jutsu_money_format(v, buf);
            ck_assert_msg(n == (int)strlen(want) && strcmp(buf, want) == 0,
                          "format(%" PRId64 ") = %s (%d), want %s", v, buf, n, want);
        }
        x = x * 7 + (uint64_t)step * 1000003;   /* grows through every digit count */
        if (x > (uint64_t)INT64_MAX)
            x = x % 1000 + 1;
    }
}
END_TEST

START_TEST(test_format_short)
{
    char buf[JUTSU_MONEY_BUFSZ];

    ck_assert_int_eq(jutsu_money_format_short(46420000, buf), 5);
    ck_assert_str_eq(buf, "46.42");
    ck_assert_int_eq(jutsu_money_format_short(10000000, buf), 2);
    ck_assert_str_eq(buf, "10");
    jutsu_money_format_short(-500000, buf);
    ck_assert_str_eq(buf, "-0.5");
    ck_assert_int_eq(jutsu_money_format_short(0, buf), 1);
    ck_assert_str_eq(buf, "0");
    jutsu_money_format_short(100000000, buf);
    ck_assert_str_eq(buf, "100");
    jutsu_money_format_short(1, buf);
    ck_assert_str_eq(buf, "0.000001");
    jutsu_money_format_short(JUTSU_MONEY_MIN, buf);
    ck_assert_str_eq(buf, "-999999999999.999999");
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(test_random_round_trip)
{
    uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
    uint64_t span = 2 * (uint64_t)JUTSU_MONEY_MAX + 1;
    char buf[JUTSU_MONEY_BUFSZ], shortbuf[JUTSU_MONEY_BUFSZ];

    for (int i = 0; i < 100000; i++) {
        uint64_t r = xorshift(&seed);
        /* Small magnitudes too, where most digits are leading zeros. */
        if (i % 4 == 1)
            r %= 100000000;
        jutsu_money_t x = (jutsu_money_t)(r % span) - JUTSU_MONEY_MAX, y = 0, z = 0;
        if (i % 4 == 1)
            x = (jutsu_money_t)(r % 200000001) - 100000000;
        int n = jutsu_money_format(x, buf);
        /* Check's assertions write a checkpoint each; only fail through it. */
        if (n != (int)strlen(buf) || jutsu_money_parse(buf, n, EXACT, &y) != 0 || x != y)
            ck_abort_msg("format(%lld) = %s parses as %lld", (long long)x, buf, (long long)y);
        jutsu_money_format_short(x, shortbuf);
        if (jutsu_money_parse(shortbuf, -1, EXACT, &z) != 0 || x != z)
            ck_abort_msg("format_short(%lld) = %s parses as %lld", (long long)x, shortbuf,
                         (long long)z);
    }
}
END_TEST

/* capital x close / first close, exact and half to even. */
START_TEST(test_muldiv)
{
    jutsu_money_t v;
    /* 10,000 x 412.500000 / 46.419998 = 2062500000000/23209999
     * = 88862.56307033878...: 88,862.563070 */
    ck_assert_int_eq(jutsu_money_muldiv(INT64_C(10000000000), INT64_C(412500000),
                                        INT64_C(46419998), &v), 0);
    ck_assert_int_eq(v, INT64_C(88862563070));
    /* exact halves go to the even neighbour, both signs */
    ck_assert_int_eq(jutsu_money_muldiv(5, 1, 2, &v), 0);       /* 2.5 -> 2 */
    ck_assert_int_eq(v, 2);
    ck_assert_int_eq(jutsu_money_muldiv(7, 1, 2, &v), 0);       /* 3.5 -> 4 */
    ck_assert_int_eq(v, 4);
    ck_assert_int_eq(jutsu_money_muldiv(-7, 1, 2, &v), 0);      /* -3.5 -> -4 */
    ck_assert_int_eq(v, -4);
    ck_assert_int_eq(jutsu_money_muldiv(7, -1, -2, &v), 0);     /* 3.5 -> 4 */
    ck_assert_int_eq(v, 4);
    ck_assert_int_eq(jutsu_money_muldiv(10, 1, 3, &v), 0);      /* 3.33 -> 3 */
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(jutsu_money_muldiv(20, 1, 3, &v), 0);      /* 6.67 -> 7 */
    ck_assert_int_eq(v, 7);
    /* the product of two maxima fits the 128-bit intermediate */
    ck_assert_int_eq(jutsu_money_muldiv(JUTSU_MONEY_MAX, JUTSU_MONEY_MAX, JUTSU_MONEY_MAX,
                                        &v), 0);
    ck_assert_int_eq(v, JUTSU_MONEY_MAX);
    ck_assert_int_eq(jutsu_money_muldiv(JUTSU_MONEY_MAX, 2, 1, &v), JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_money_muldiv(1, 1, 0, &v), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_money_mul_int(125, INT64_C(46419998), &v), 0);
    ck_assert_int_eq(v, INT64_C(5802499750));
    ck_assert_int_eq(jutsu_money_mul_int(-3, INT64_C(1000000), &v), 0);
    ck_assert_int_eq(v, INT64_C(-3000000));
    ck_assert_int_eq(jutsu_money_mul_int(INT64_C(1000000000000), INT64_C(1000000000), &v),
                     JUTSU_ERANGE);
}
END_TEST

static Suite *money_suite(void)
{
    Suite *s = suite_create("money");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trips);
    tcase_add_test(tc, test_plain_forms);
    tcase_add_test(tc, test_range);
    tcase_add_test(tc, test_rounding);
    tcase_add_test(tc, test_float_artefacts);
    tcase_add_test(tc, test_exponents);
    tcase_add_test(tc, test_rejects);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_explicit_length);
    tcase_add_test(tc, test_long_inputs);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_format_vs_printf);
    tcase_add_test(tc, test_format_short);
    tcase_add_test(tc, test_random_round_trip);
    tcase_add_test(tc, test_muldiv);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(money_suite());
}
