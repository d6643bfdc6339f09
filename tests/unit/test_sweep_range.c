/*
 * tests/unit/test_sweep_range.c — `backtest --sweep`'s values: ranges
 * computed exactly (no double's drift: 0.1:0.3:0.1 is three values, the
 * last one 0.3), lists as written, and every malformed spec refused with
 * the parameter named.
 */
#include <stdarg.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/sweep.h"
#include "testutil.h"

/* Parses `arg` and asserts its values, given as NULL-terminated varargs. */
static void expect_values(const char *arg, ...)
{
    struct jutsu_sweep_axis ax;
    char err[512] = "";
    int rc = jutsu_sweep_axis_parse(arg, &ax, err, sizeof(err));
    ck_assert_msg(rc == 0, "%s: %d (%s)", arg, rc, err);
    va_list ap;
    va_start(ap, arg);
    size_t i = 0;
    for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) {
        ck_assert_msg(i < ax.n, "%s: %zu values, want more (next %s)", arg, ax.n, want);
        ck_assert_msg(strcmp(ax.values[i], want) == 0, "%s: value %zu is %s, want %s", arg, i,
                      ax.values[i], want);
    }
    va_end(ap);
    ck_assert_msg(i == ax.n, "%s: %zu values, want %zu", arg, ax.n, i);
    jutsu_sweep_axis_free(&ax);
}

/* Asserts a refusal whose message holds `part`. */
static void expect_refused(const char *arg, const char *part)
{
    struct jutsu_sweep_axis ax;
    char err[512] = "";
    int rc = jutsu_sweep_axis_parse(arg, &ax, err, sizeof(err));
    ck_assert_msg(rc == JUTSU_EINVAL, "%s: %d, want JUTSU_EINVAL", arg, rc);
    ck_assert_msg(strstr(err, part) != NULL, "%s: \"%s\" lacks \"%s\"", arg, err, part);
    jutsu_sweep_axis_free(&ax);
}

START_TEST(test_ranges_exact)
{
    expect_values("upper_z=0.8:1.4:0.1", "0.8", "0.9", "1.0", "1.1", "1.2", "1.3", "1.4", NULL);
    /* 0.1 + 0.1 + 0.1 > 0.3 in doubles: a float loop drops the end */
    expect_values("x=0.1:0.3:0.1", "0.1", "0.2", "0.3", NULL);
    expect_values("x=0:1:0.1", "0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8",
                  "0.9", "1.0", NULL);
    expect_values("sma_slow=100:200:20", "100", "120", "140", "160", "180", "200", NULL);
    expect_values("x=-0.5:0.5:0.25", "-0.50", "-0.25", "0.00", "0.25", "0.50", NULL);
    expect_values("x=-1.5:-0.5:0.5", "-1.5", "-1.0", "-0.5", NULL);
    /* the finest places of the three; the end only when a step lands on it */
    expect_values("x=1:2:0.5", "1.0", "1.5", "2.0", NULL);
    expect_values("x=0.8:1.4:0.25", "0.80", "1.05", "1.30", NULL);
    expect_values("x=3:3:1", "3", NULL);
    expect_values("x=+1:2:1", "1", "2", NULL);
}
END_TEST

START_TEST(test_lists)
{
    expect_values("sma_slow=100,140,200", "100", "140", "200", NULL);
    expect_values("use_inverse_hedge=true, false", "true", "false", NULL);
    expect_values("leveraged_symbol=TQQQ,QLD", "TQQQ", "QLD", NULL);
    expect_values("upper_z=1.10", "1.10", NULL);
}
END_TEST

START_TEST(test_refused)
{
    expect_refused("upper_z", "--sweep upper_z: write it as NAME=");
    expect_refused("=1,2", "write it as NAME=");
    expect_refused("upper_z=", "write it as NAME=");
    expect_refused("upper_z=1.4:0.8:0.1", "upper_z=1.4:0.8:0.1: the start is above the end");
    expect_refused("upper_z=0.8:1.4:0", "the step must be above 0");
    expect_refused("upper_z=0.8:1.4:-0.1", "the step must be above 0");
    expect_refused("upper_z=a:1:0.1", "the start \"a\" is not a decimal number");
    expect_refused("upper_z=0.8:1e1:0.1", "the end \"1e1\" is not a decimal number");
    expect_refused("upper_z=0.8:1.4:.", "the step \".\" is not a decimal number");
    expect_refused("upper_z=1.:2:1", "the start \"1.\" is not a decimal number");
    expect_refused("upper_z=1:2", "write a range as START:END:STEP");
    expect_refused("upper_z=1:2:3:4", "write a range as START:END:STEP");
    expect_refused("upper_z=0:100:0.001", "100001 values; at most 10000");
    expect_refused("upper_z=1,,2", "an empty value in the list");
    expect_refused("upper_z=1,2,", "an empty value in the list");
    expect_refused("upper_z=1,1.0", "1.0 is listed twice");
    expect_refused("x=0:1:0.0000000000000000001", "is not a decimal number");
    expect_refused("x=0:100000000000:0.00000001", "too many digits");
}
END_TEST

START_TEST(test_decimal_and_same)
{
    int64_t u;
    int p;
    ck_assert_int_eq(jutsu_sweep_decimal("-12.340", &u, &p), 0);
    ck_assert_int_eq(u, -12340);
    ck_assert_int_eq(p, 3);
    ck_assert_int_eq(jutsu_sweep_decimal("999999999999999999", &u, &p), 0);
    ck_assert_int_eq(jutsu_sweep_decimal("9999999999999999999", &u, &p), -1);
    ck_assert_int_eq(jutsu_sweep_decimal("", &u, &p), -1);
    ck_assert_int_eq(jutsu_sweep_decimal("-", &u, &p), -1);
    ck_assert_int_eq(jutsu_sweep_decimal("1.2.3", &u, &p), -1);
    ck_assert(jutsu_sweep_same("1.0", "1"));
    ck_assert(jutsu_sweep_same("140", "140.000"));
    ck_assert(!jutsu_sweep_same("0.9", "0.90001"));
    ck_assert(jutsu_sweep_same("true", "yes"));
    ck_assert(jutsu_sweep_same("off", "false"));
    ck_assert(!jutsu_sweep_same("true", "false"));
    ck_assert(jutsu_sweep_same("TQQQ", "TQQQ"));
    ck_assert(!jutsu_sweep_same("TQQQ", "QLD"));
}
END_TEST

START_TEST(test_kpi_names)
{
    ck_assert_int_eq(jutsu_sweep_kpi_of("sharpe"), JUTSU_SWEEP_BY_SHARPE);
    ck_assert_int_eq(jutsu_sweep_kpi_of("final_equity"), JUTSU_SWEEP_BY_FINAL_EQUITY);
    ck_assert_int_eq(jutsu_sweep_kpi_of("total_return"), JUTSU_SWEEP_BY_TOTAL_RETURN);
    ck_assert_int_eq(jutsu_sweep_kpi_of("Sharpe"), JUTSU_SWEEP_BY_NONE);
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep_range");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ranges_exact);
    tcase_add_test(tc, test_lists);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_decimal_and_same);
    tcase_add_test(tc, test_kpi_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(sweep_suite());
}
