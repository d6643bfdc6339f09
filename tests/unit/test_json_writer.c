/*
 * tests/unit/test_json_writer.c — the JSON writer (core/base/json_writer.h)
 * against json-c itself: the same values written both ways must give the
 * same bytes, since `data show` and `perf show` promise unchanged output.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"
#include "base/json_writer.h"
#include "testutil.h"

/* The writer's text, NUL-terminated. */
static const char *text_of(struct jutsu_jw *w)
{
    const char *t = jutsu_jw_text(w);
    ck_assert_ptr_nonnull(t);
    return t;
}

static void init_layout(struct jutsu_jw *w, int slash, int plain)
{
    if (plain)
        jutsu_jw_init_plain(w, slash);
    else
        jutsu_jw_init(w, slash);
}

static void expect_same(struct jutsu_jw *w, json_object *o, int flags)
{
    const char *want = json_object_to_json_string_ext(o, flags);
    const char *got = text_of(w);
    ck_assert_msg(strcmp(got, want) == 0, "writer:\n%s\njson-c:\n%s", got, want);
}

/* Every byte 1..255 in a string, as a value and as a key, with '/' escaped
 * and not. */
START_TEST(test_escaping_every_byte)
{
    char s[300];
    size_t n = 0;
    for (int c = 1; c < 256; c++)
        s[n++] = (char)c;
    s[n] = '\0';
    for (int k = 0; k < 4; k++) {
        int slash = k & 1, plain = k >> 1;
        int flags = (plain ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY) |
                    (slash ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE);
        struct jutsu_jw w;
        init_layout(&w, slash, plain);
        jutsu_jw_begin(&w, '{');
        jutsu_jw_key(&w, s);
        jutsu_jw_str(&w, s);
        jutsu_jw_key(&w, "a/b \"q\" \\ \t\n");
        jutsu_jw_str(&w, "");
        jutsu_jw_end(&w, '}');
        json_object *o = json_object_new_object();
        json_object_object_add(o, s, json_object_new_string(s));
        json_object_object_add(o, "a/b \"q\" \\ \t\n", json_object_new_string(""));
        expect_same(&w, o, flags);
        json_object_put(o);
        jutsu_jw_free(&w);
    }
}
END_TEST

/* Money as the exact six-decimal text jutsu_money_format writes, at the
 * edges of int64 and of each digit count. */
START_TEST(test_money_exact)
{
    const jutsu_money_t v[] = {
        0, 1, -1, 9, 10, 999999, 1000000, -1000000, 1000001, 123456789, -123456789,
        INT64_C(999999999999999999), JUTSU_MONEY_MAX, JUTSU_MONEY_MIN, INT64_MAX, INT64_MIN,
        INT64_MIN + 1, INT64_C(50500000), INT64_C(-50),
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char want[JUTSU_MONEY_BUFSZ + 2], m[JUTSU_MONEY_BUFSZ];
        struct jutsu_jw w;
        jutsu_money_format(v[i], m);
        snprintf(want, sizeof(want), "\"%s\"", m);
        jutsu_jw_init(&w, 1);
        jutsu_jw_money(&w, v[i]);
        ck_assert_str_eq(text_of(&w), want);
        jutsu_jw_free(&w);
    }
}
END_TEST

/* Dates as jutsu_date_format writes them, signed years included; integers
 * as json-c prints an int64. */
START_TEST(test_dates_and_ints)
{
    const int ymd[][3] = { { 1970, 1, 1 }, { 2000, 2, 29 }, { 2025, 12, 31 }, { 9, 3, 4 },
                           { 9999, 12, 31 }, { 10000, 1, 1 }, { -1, 6, 15 }, { 1, 1, 1 } };
    for (size_t i = 0; i < sizeof(ymd) / sizeof(ymd[0]); i++) {
        jutsu_date_t d = jutsu_date_from_ymd(ymd[i][0], ymd[i][1], ymd[i][2]);
        char want[JUTSU_DATE_BUFSZ + 2], b[JUTSU_DATE_BUFSZ];
        struct jutsu_jw w;
        jutsu_date_format(d, b);
        snprintf(want, sizeof(want), "\"%s\"", b);
        jutsu_jw_init(&w, 1);
        jutsu_jw_date(&w, d);
        ck_assert_str_eq(text_of(&w), want);
        jutsu_jw_free(&w);
    }
    const int64_t iv[] = { 0, 7, -7, 10, 100, INT64_MAX, INT64_MIN, 2147483647, -2147483648LL };
    struct jutsu_jw w;
    json_object *a = json_object_new_array();
    jutsu_jw_init(&w, 1);
    jutsu_jw_begin(&w, '[');
    for (size_t i = 0; i < sizeof(iv) / sizeof(iv[0]); i++) {
        jutsu_jw_int(&w, iv[i]);
        json_object_array_add(a, json_object_new_int64(iv[i]));
    }
    jutsu_jw_end(&w, ']');
    expect_same(&w, a, JSON_C_TO_STRING_PRETTY);
    json_object_put(a);
    jutsu_jw_free(&w);
}
END_TEST

/* The layouts, PRETTY and PLAIN: empty and nested arrays and objects, null
 * and booleans, a stored JSON text put in at depth, as json-c lays out the
 * whole tree. */
START_TEST(test_layout)
{
    const char *stored = "[{\"symbol\":\"QQQ\",\"quantity\":\"1.5\",\"w\":0.10,\"e\":[],"
                         "\"o\":{},\"n\":null,\"u\":\"caf\\u00e9 a/b\"}]";
    for (int k = 0; k < 4; k++) {
        int slash = k & 1, plain = k >> 1;
        int flags = (plain ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY) |
                    (slash ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE);
        struct jutsu_jw w;
        json_object *top = json_object_new_array(), *row = json_object_new_object();
        init_layout(&w, slash, plain);
        jutsu_jw_begin(&w, '[');
        jutsu_jw_begin(&w, '[');       /* an empty array */
        jutsu_jw_end(&w, ']');
        json_object_array_add(top, json_object_new_array());
        jutsu_jw_begin(&w, '{');       /* an empty object */
        jutsu_jw_end(&w, '}');
        json_object_array_add(top, json_object_new_object());
        jutsu_jw_begin(&w, '{');
        jutsu_jw_key(&w, "null");
        jutsu_jw_raw(&w, "null");
        json_object_object_add(row, "null", NULL);
        jutsu_jw_key(&w, "yes");
        jutsu_jw_bool(&w, 1);
        json_object_object_add(row, "yes", json_object_new_boolean(1));
        jutsu_jw_key(&w, "ratio");
        jutsu_jw_raw(&w, "0.222724");
        json_object_object_add(row, "ratio", json_object_new_double_s(0.222724, "0.222724"));
        jutsu_jw_key(&w, "positions");
        json_object *p = json_tokener_parse(stored);
        ck_assert_ptr_nonnull(p);
        jutsu_jw_json(&w, p);
        json_object_object_add(row, "positions", p);
        jutsu_jw_key(&w, "none");
        jutsu_jw_json(&w, NULL);
        json_object_object_add(row, "none", NULL);
        jutsu_jw_key(&w, "inner");
        jutsu_jw_begin(&w, '[');
        jutsu_jw_str(&w, NULL);
        jutsu_jw_money(&w, 1);
        jutsu_jw_end(&w, ']');
        json_object *inner = json_object_new_array();
        json_object_array_add(inner, NULL);
        json_object_array_add(inner, json_object_new_string("0.000001"));
        json_object_object_add(row, "inner", inner);
        jutsu_jw_end(&w, '}');
        json_object_array_add(top, row);
        jutsu_jw_end(&w, ']');
        expect_same(&w, top, flags);
        json_object_put(top);
        jutsu_jw_free(&w);
    }
}
END_TEST

/* What write and flush put in a file: the text and puts()'s line break. */
START_TEST(test_write_and_flush)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    ck_assert_ptr_nonnull(f);
    struct jutsu_jw w;
    jutsu_jw_init(&w, 1);
    jutsu_jw_begin(&w, '[');
    for (int i = 0; i < 1000; i++) {
        jutsu_jw_int(&w, i);
        ck_assert_int_eq(jutsu_jw_flush(&w, f, 64), 0);
        ck_assert_uint_le(w.len, 64);
    }
    jutsu_jw_end(&w, ']');
    ck_assert_int_eq(jutsu_jw_write(&w, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    json_object *a = json_object_new_array();
    for (int i = 0; i < 1000; i++)
        json_object_array_add(a, json_object_new_int(i));
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "%s\n", json_object_to_json_string_ext(
                                  a, JSON_C_TO_STRING_PRETTY)), 0);
    ck_assert_str_eq(mem, want);
    free(want);
    free(mem);
    json_object_put(a);
    jutsu_jw_free(&w);
}
END_TEST

/* A plain writer reused text after text, as a backtest reuses one for
 * every day's positions: each text is json-c's for its own tree alone. */
START_TEST(test_plain_reset)
{
    struct jutsu_jw w;
    jutsu_jw_init_plain(&w, 1);
    for (int day = 0; day < 50; day++) {
        json_object *a = json_object_new_array();
        jutsu_jw_reset(&w);
        jutsu_jw_begin(&w, '[');
        for (int k = 0; k < day % 4; k++) {
            json_object *x = json_object_new_object();
            jutsu_jw_begin(&w, '{');
            jutsu_jw_key(&w, "symbol");
            jutsu_jw_str(&w, k % 2 ? "TQQQ" : "BRK/B");
            json_object_object_add(x, "symbol", json_object_new_string(k % 2 ? "TQQQ"
                                                                           : "BRK/B"));
            jutsu_jw_key(&w, "quantity");
            jutsu_jw_int(&w, day * 1000 - k);
            json_object_object_add(x, "quantity", json_object_new_int64(day * 1000 - k));
            jutsu_jw_key(&w, "price");
            jutsu_jw_money(&w, INT64_C(45120000) * day);
            char m[JUTSU_MONEY_BUFSZ];
            jutsu_money_format(INT64_C(45120000) * day, m);
            json_object_object_add(x, "price", json_object_new_string(m));
            jutsu_jw_end(&w, '}');
            json_object_array_add(a, x);
        }
        jutsu_jw_end(&w, ']');
        expect_same(&w, a, JSON_C_TO_STRING_PLAIN);
        json_object_put(a);
    }
    jutsu_jw_free(&w);
}
END_TEST

static Suite *json_writer_suite(void)
{
    Suite *s = suite_create("json_writer");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_escaping_every_byte);
    tcase_add_test(tc, test_money_exact);
    tcase_add_test(tc, test_dates_and_ints);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_write_and_flush);
    tcase_add_test(tc, test_plain_reset);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(json_writer_suite());
}
