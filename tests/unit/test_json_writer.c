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
#include "cli/cli.h"
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

/* --- a stored text re-laid out (core/cli/cli_json_stored.c) -------------------- */

/* `text` as `perf show` writes a row's positions, in a row in the answer's
 * array, the json-c way (parse, then jutsu_jw_json) or the stored way
 * (jutsu_jw_stored, json-c for a text it refuses); *taken: whether it
 * took the text. Returns the bytes (the caller frees). */
static char *row_with(const char *text, int slash, int stored, int *taken)
{
    struct jutsu_jw w;
    jutsu_jw_init(&w, slash);
    jutsu_jw_begin(&w, '[');
    jutsu_jw_begin(&w, '{');
    jutsu_jw_key(&w, "before");
    jutsu_jw_int(&w, 1);
    jutsu_jw_key(&w, "positions");
    int took = stored && jutsu_jw_stored(&w, text) == 0;
    if (!took) {
        json_object *o = json_tokener_parse(text);
        jutsu_jw_json(&w, o);
        json_object_put(o);
    }
    jutsu_jw_key(&w, "after");
    jutsu_jw_str(&w, "a/b");
    jutsu_jw_end(&w, '}');
    jutsu_jw_end(&w, ']');
    if (taken)
        *taken = took;
    char *out = strndup(w.buf, w.len);
    ck_assert_ptr_nonnull(out);
    jutsu_jw_free(&w);
    return out;
}

/* Both ways give the same bytes; 1 when the stored way took the text. */
static int same_both_ways(const char *text)
{
    int taken = 0;
    for (int slash = 0; slash <= 1; slash++) {
        char *want = row_with(text, slash, 0, NULL), *got = row_with(text, slash, 1, &taken);
        ck_assert_msg(strcmp(got, want) == 0, "text %s (slash %d):\nstored:\n%s\njson-c:\n%s",
                      text, slash, got, want);
        free(want);
        free(got);
    }
    return taken;
}

START_TEST(test_stored_as_json_c_prints_it)
{
    static const char *const taken[] = {
        "[{\"symbol\":\"QQQ\",\"quantity\":\"198.019802\",\"price\":\"50.500000\","
        "\"value\":\"10000.000000\",\"basis_close\":\"50.500000\"}]",
        "{\"omega_ratio\":1.2345678901234567,\"omega_returns\":null}",
        "[]", "{}", "[[]]", "[{}]", "{\"a\":[],\"b\":{},\"c\":[[],{}]}", "null", "true",
        "false", "0", "-1", "123456789012345678", "-123456789012345678", "0.10", "-0.0",
        "1e5", "1E+05", "2.5e-300", "1e400", "\"\"", "\"a\\/b\"", "\"a/b\"",
        "\"q\\\"\\\\\\b\\f\\n\\r\\t\"", "\"caf\xc3\xa9 \x7f\"", "[1,[2,[3,[4]]]]",
        "{\"k\":{\"k\":{\"k\":1}}}", "{\"a\":1,\"A\":2}",
    };
    static const char *const refused[] = {
        "", " []", "[ ]", "[] ", "{\"a\": 1}", "[1,]", "{\"a\":1,}", "01", "-0", "1.", ".5",
        "1e", "+1", "1234567890123456789", "-9223372036854775808", "\"\\u00e9\"",
        "\"\\u0000\"", "\"a\tb\"", "{\"a\":1,\"a\":2}", "{\"a\\n\":1}", "NaN", "Infinity",
        "nul", "tru", "[1]x", "{'a':1}", "[\"open", "{\"a\"1}",
        "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
        ck_assert_msg(same_both_ways(taken[i]), "refused: %s", taken[i]);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        ck_assert_msg(!same_both_ways(refused[i]), "taken: %s", refused[i]);
    /* a refusal half-way leaves the writer as it was */
    struct jutsu_jw w;
    jutsu_jw_init(&w, 0);
    jutsu_jw_begin(&w, '[');
    jutsu_jw_int(&w, 1);
    size_t len = w.len;
    ck_assert_int_eq(jutsu_jw_stored(&w, "[{\"a\":[1,2,{\"b\":\"\\u0041\"}]}]"), -1);
    ck_assert_uint_eq(w.len, len);
    ck_assert_int_eq(jutsu_jw_stored(&w, NULL), -1);
    ck_assert_int_eq(jutsu_jw_stored(&w, "[2]"), 0);
    jutsu_jw_end(&w, ']');
    json_object *o = json_tokener_parse("[1,[2]]");
    expect_same(&w, o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    json_object_put(o);
    jutsu_jw_free(&w);
}
END_TEST

/* Random texts, mostly JSON as json-c writes it, now and then not. */
struct gen {
    char    *buf;
    size_t   len, cap;
    uint64_t seed;
};

static unsigned roll(struct gen *g, unsigned n)
{
    g->seed = g->seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (unsigned)(g->seed >> 33) % n;
}

static void emit(struct gen *g, const char *s)
{
    size_t n = strlen(s);
    if (g->len + n + 1 > g->cap) {
        g->cap = (g->len + n + 1) * 2;
        g->buf = realloc(g->buf, g->cap);
        ck_assert_ptr_nonnull(g->buf);
    }
    memcpy(g->buf + g->len, s, n + 1);
    g->len += n;
}

static void gen_string(struct gen *g)
{
    static const char *const bits[] = {
        "a", "QQQ", "omega_ratio", "/", "\\/", "\\\"", "\\\\", "\\n", "\\t", "\\b", "\\f",
        "\\r", "\xc3\xa9", " ", "\\u00e9", "\\u001f", "\x7f", "x_y", "1",
    };
    emit(g, "\"");
    for (unsigned i = 0, n = roll(g, 5); i < n; i++)
        emit(g, bits[roll(g, (unsigned)(sizeof(bits) / sizeof(bits[0])))]);
    emit(g, "\"");
}

static void gen_value(struct gen *g, int depth)
{
    static const char *const numbers[] = {
        "0", "7", "-42", "198", "123456789012345678", "9223372036854775807",
        "18446744073709551615", "99999999999999999999", "-0", "0.5", "-0.0", "50.500000",
        "1.2345678901234567", "1e-7", "6.02E23", "1e999", "0.1000000000000000055511151231257827",
    };
    unsigned k = roll(g, depth > 18 ? 4 : 7);
    if (roll(g, 40) == 0)
        emit(g, " ");
    switch (k) {
    case 0: emit(g, numbers[roll(g, (unsigned)(sizeof(numbers) / sizeof(numbers[0])))]); break;
    case 1: gen_string(g); break;
    case 2: emit(g, (const char *const[]){ "null", "true", "false" }[roll(g, 3)]); break;
    case 3: emit(g, numbers[roll(g, 4)]); break;
    case 4: case 5: {
        emit(g, "[");
        for (unsigned i = 0, n = roll(g, 4); i < n; i++) {
            if (i)
                emit(g, ",");
            gen_value(g, depth + 1);
        }
        emit(g, "]");
        break;
    }
    default: {
        emit(g, "{");
        for (unsigned i = 0, n = roll(g, 4); i < n; i++) {
            if (i)
                emit(g, ",");
            if (roll(g, 6) == 0)
                emit(g, "\"k\"");   /* now and then a repeated key */
            else
                gen_string(g);
            emit(g, ":");
            gen_value(g, depth + 1);
        }
        emit(g, "}");
    }
    }
}

START_TEST(test_stored_random_texts)
{
    struct gen g = { .seed = 20250627 };
    int taken = 0, n = 3000;
    for (int i = 0; i < n; i++) {
        g.len = 0;
        gen_value(&g, roll(&g, 20));
        taken += same_both_ways(g.buf);
    }
    /* most are plain JSON: the stored way is tried, not only its refusals */
    ck_assert_int_gt(taken, n / 4);
    ck_assert_int_lt(taken, n);
    free(g.buf);
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
    tcase_add_test(tc, test_stored_as_json_c_prints_it);
    tcase_add_test(tc, test_stored_random_texts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(json_writer_suite());
}
