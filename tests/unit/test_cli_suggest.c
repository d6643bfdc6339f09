/*
 * tests/unit/test_cli_suggest.c — the nearest name to a mistyped one, and
 * why a date was refused (core/cli/cli_suggest.c).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli_suggest.h"
#include "testutil.h"

START_TEST(test_distance)
{
    ck_assert_int_eq(jutsu_cli_edit_distance("", ""), 0);
    ck_assert_int_eq(jutsu_cli_edit_distance("sync", ""), 4);
    ck_assert_int_eq(jutsu_cli_edit_distance("", "sync"), 4);
    ck_assert_int_eq(jutsu_cli_edit_distance("sync", "sync"), 0);
    ck_assert_int_eq(jutsu_cli_edit_distance("SYNC", "sync"), 0);        /* case ignored */
    ck_assert_int_eq(jutsu_cli_edit_distance("sycn", "sync"), 1);        /* a swap is one */
    ck_assert_int_eq(jutsu_cli_edit_distance("shwo", "show"), 1);
    ck_assert_int_eq(jutsu_cli_edit_distance("v3_5c", "v3_5b"), 1);
    ck_assert_int_eq(jutsu_cli_edit_distance("kitten", "sitting"), 3);
    ck_assert_int_eq(jutsu_cli_edit_distance("nope", "hold"), 3);
    ck_assert_int_eq(jutsu_cli_edit_distance("ca", "abc"), 3);   /* no edit of a swapped pair */
    char long_word[JUTSU_SUGGEST_MAX_LEN + 2];
    memset(long_word, 'a', sizeof(long_word) - 1);
    long_word[sizeof(long_word) - 1] = '\0';
    ck_assert_int_eq(jutsu_cli_edit_distance(long_word, "a"), -1);
    long_word[JUTSU_SUGGEST_MAX_LEN] = '\0';
    ck_assert_int_eq(jutsu_cli_edit_distance(long_word, ""), JUTSU_SUGGEST_MAX_LEN);
}
END_TEST

START_TEST(test_nearest)
{
    static const char *const names[] = { "v3_5d", "hold", "v3_5b", "buyhold" };
    struct jutsu_suggest sg;
    char buf[128];

    jutsu_cli_suggest_init(&sg, "v3_5c");
    for (size_t i = 0; i < 4; i++)
        jutsu_cli_suggest_offer(&sg, names[i]);
    ck_assert_str_eq(jutsu_cli_suggest_best(&sg), "v3_5d");   /* a tie: the first offered */
    ck_assert_str_eq(jutsu_cli_suggest_hint(&sg, "instances", buf, sizeof(buf)),
                     "did you mean \"v3_5d\"?");

    jutsu_cli_suggest_init(&sg, "hodl");
    for (size_t i = 0; i < 4; i++)
        jutsu_cli_suggest_offer(&sg, names[i]);
    ck_assert_str_eq(jutsu_cli_suggest_best(&sg), "hold");

    /* far from everything: no guess, the list instead */
    jutsu_cli_suggest_init(&sg, "nope");
    for (size_t i = 0; i < 4; i++)
        jutsu_cli_suggest_offer(&sg, names[i]);
    ck_assert_ptr_null(jutsu_cli_suggest_best(&sg));
    ck_assert_str_eq(jutsu_cli_suggest_hint(&sg, "instances", buf, sizeof(buf)),
                     "instances: v3_5d, hold, v3_5b, buyhold");

    /* a short word takes one edit at most: XYZ is not a typo of XLE */
    jutsu_cli_suggest_init(&sg, "XYZ");
    jutsu_cli_suggest_offer(&sg, "XLE");
    jutsu_cli_suggest_offer(&sg, "QQQ");
    ck_assert_ptr_null(jutsu_cli_suggest_best(&sg));
    jutsu_cli_suggest_init(&sg, "QQQQ");
    jutsu_cli_suggest_offer(&sg, "TQQQ");
    jutsu_cli_suggest_offer(&sg, "QQQ");
    ck_assert_str_eq(jutsu_cli_suggest_best(&sg), "TQQQ");

    /* the word itself is not a suggestion; nothing offered, no hint */
    jutsu_cli_suggest_init(&sg, "hold");
    jutsu_cli_suggest_offer(&sg, "hold");
    jutsu_cli_suggest_offer(&sg, NULL);
    ck_assert_ptr_null(jutsu_cli_suggest_best(&sg));
    ck_assert_str_eq(jutsu_cli_suggest_hint(&sg, "instances", buf, sizeof(buf)), "");
}
END_TEST

/* The list of names stops, marked, before it overflows. */
START_TEST(test_long_list)
{
    struct jutsu_suggest sg;
    char name[16], buf[256];

    jutsu_cli_suggest_init(&sg, "zzzzzzzzzzzzzz");
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "name%03d", i);
        jutsu_cli_suggest_offer(&sg, name);
    }
    ck_assert_uint_eq(sg.n, 100);
    jutsu_cli_suggest_hint(&sg, "names", buf, sizeof(buf));
    ck_assert_msg(strncmp(buf, "names: name000, name001, ", 25) == 0, "%s", buf);
    ck_assert_msg(strlen(buf) > 5 && strcmp(buf + strlen(buf) - 5, ", ...") == 0, "%s", buf);
    ck_assert_uint_lt(strlen(sg.list), sizeof(sg.list));
}
END_TEST

static void expect_why(const char *text, const char *want)
{
    jutsu_date_t d = 77;
    char why[96] = "";
    ck_assert_int_eq(jutsu_cli_date_why(text, &d, why, sizeof(why)), JUTSU_EMALFORMED);
    ck_assert_str_eq(why, want);
    ck_assert_int_eq(d, 77);
}

START_TEST(test_date_why)
{
    jutsu_date_t d = 0;
    char why[96] = "untouched";

    ck_assert_int_eq(jutsu_cli_date_why("2026-02-28", &d, why, sizeof(why)), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2026, 2, 28));
    ck_assert_str_eq(why, "untouched");
    expect_why("2026-02-30", "there is no such day: February 2026 has 28 days");
    expect_why("2023-02-29", "there is no such day: February 2023 has 28 days");
    expect_why("2025-04-31", "there is no such day: April 2025 has 30 days");
    expect_why("2024-13-01", "there is no month 13 (write the date as YYYY-MM-DD)");
    expect_why("2024-00-10", "there is no month 0 (write the date as YYYY-MM-DD)");
    expect_why("2024-01-00", "there is no day 0");
    expect_why("2024/01/10", "write the date as YYYY-MM-DD");
    expect_why("10-01-2024", "write the date as YYYY-MM-DD");
    expect_why("2024-1-10", "write the date as YYYY-MM-DD");
    expect_why("yesterday", "write the date as YYYY-MM-DD");
}
END_TEST

static Suite *suggest_suite(void)
{
    Suite *s = suite_create("cli_suggest");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_distance);
    tcase_add_test(tc, test_nearest);
    tcase_add_test(tc, test_long_list);
    tcase_add_test(tc, test_date_why);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suggest_suite());
}
