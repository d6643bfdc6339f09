/*
 * tests/unit/test_eod_held.c — a snapshot's positions read without json-c
 * (core/eod/eod_held.c) against json-c's reading of the same text: what
 * the fast path takes, json-c must read to the same symbols and whole
 * quantities; what json-c would refuse or read otherwise, the fast path
 * must leave to it.
 */
#include <json-c/json.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eod/eod_held.h"
#include "testutil.h"

/* json-c's reading as the chain does it: 1 when every element has a
 * "symbol" and a whole "quantity", into *out; 0 otherwise. */
static int by_json_c(const char *text, struct jutsu_eod_held *out)
{
    json_object *a = json_tokener_parse(text);
    int ok = a != NULL && json_object_is_type(a, json_type_array);
    size_t n = ok ? json_object_array_length(a) : 0;
    out->n = 0;
    for (size_t j = 0; ok && j < n; j++) {
        json_object *p = json_object_array_get_idx(a, j), *sym, *qty;
        ok = json_object_object_get_ex(p, "symbol", &sym) &&
             json_object_is_type(sym, json_type_string) &&
             json_object_object_get_ex(p, "quantity", &qty) &&
             json_object_is_type(qty, json_type_int) && j < JUTSU_EOD_HELD_MAX &&
             strlen(json_object_get_string(sym)) < JUTSU_EOD_HELD_SYMBOL_SZ;
        if (ok) {
            snprintf(out->symbol[j], JUTSU_EOD_HELD_SYMBOL_SZ, "%s", json_object_get_string(sym));
            out->quantity[j] = json_object_get_int64(qty);
            out->n++;
        }
    }
    json_object_put(a);
    return ok;
}

/* Taken by the fast path: json-c reads the same. */
static void agree(const char *text)
{
    struct jutsu_eod_held fast, slow;
    ck_assert_msg(jutsu_eod_held_fast(text, &fast) == 0, "refused: %s", text);
    ck_assert_msg(by_json_c(text, &slow), "json-c does not read: %s", text);
    ck_assert_msg(fast.n == slow.n, "%s: %zu positions, json-c %zu", text, fast.n, slow.n);
    for (size_t j = 0; j < fast.n; j++) {
        ck_assert_str_eq(fast.symbol[j], slow.symbol[j]);
        ck_assert_msg(fast.quantity[j] == slow.quantity[j], "%s: %" PRId64 " vs %" PRId64,
                      text, fast.quantity[j], slow.quantity[j]);
    }
}

START_TEST(test_what_our_writers_store)
{
    agree("[]");
    /* the trader's snapshot */
    agree("[{\"symbol\":\"TQQQ\",\"quantity\":125,\"avg_cost\":\"45.120000\","
          "\"price\":\"46.000000\",\"value\":\"5750.000000\"}]");
    /* the EOD chain's own row, a gap day's price_date included */
    agree("[{\"symbol\":\"QQQ\",\"quantity\":10,\"price\":\"500.000000\",\"value\":"
          "\"5000.000000\",\"price_date\":\"2025-06-25\"},{\"symbol\":\"TLT\",\"quantity\":-3,"
          "\"price\":\"90.500000\",\"value\":\"-271.500000\"}]");
    /* other scalars beside the two, a quantity of 18 digits, '/' in a symbol */
    agree("[{\"w\":0.25,\"e\":1e-3,\"n\":null,\"t\":true,\"f\":false,\"symbol\":\"BRK.B\","
          "\"quantity\":999999999999999999}]");
    agree("[{\"quantity\":0,\"symbol\":\"A/B\"},{\"symbol\":\"X\",\"quantity\":-0}]");
}
END_TEST

/* Left to json-c: every form the fast path does not promise to read as
 * json-c does. */
START_TEST(test_left_to_json_c)
{
    static const char *const refused[] = {
        "", "[", "[ ]", " []", "[] ", "{}", "null", "[1]", "[{}]", "[[]]",
        "[{\"symbol\":\"Q\"}]",                                  /* no quantity      */
        "[{\"quantity\":1}]",                                   /* no symbol        */
        "[{\"symbol\":\"Q\",\"quantity\":1.5}]",                /* not whole        */
        "[{\"symbol\":\"Q\",\"quantity\":1e3}]",
        "[{\"symbol\":\"Q\",\"quantity\":\"1\"}]",              /* a string         */
        "[{\"symbol\":\"Q\",\"quantity\":true}]",
        "[{\"symbol\":5,\"quantity\":1}]",                      /* json-c says "5"  */
        "[{\"symbol\":\"Q\",\"quantity\":1,\"symbol\":\"R\"}]", /* json-c: the last */
        "[{\"symbol\":\"Q\",\"quantity\":1234567890123456789}]",/* 19 digits        */
        "[{\"symbol\":\"Q\",\"quantity\":01}]",
        "[{\"symbol\":\"Q\\u0041\",\"quantity\":1}]",           /* an escape        */
        "[{\"symbol\":\"Q\",\"quantity\":1,\"x\":{\"y\":1}}]",  /* nested           */
        "[{\"symbol\":\"Q\",\"quantity\":1,\"x\":[1]}]",
        "[{\"symbol\": \"Q\",\"quantity\":1}]",                 /* a blank          */
        "[{\"symbol\":\"Q\",\"quantity\":1},]",
        "[{\"symbol\":\"Q\",\"quantity\":1}]x",
        "[{\"symbol\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\",\"quantity\":1}]", /* long symbol */
        "[{\"symbol\":\"Q\",\"quantity\":-}]",
        "[{\"symbol\":\"Q\",\"quantity\":1.}]",
        "[{\"symbol\":\"Q\",\"quantity\":1,\"p\":1e}]",
    };
    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        struct jutsu_eod_held h;
        ck_assert_msg(jutsu_eod_held_fast(refused[k], &h) == -1, "taken: %s", refused[k]);
    }
    /* more positions than it holds */
    char big[4096];
    size_t n = 0;
    big[n++] = '[';
    for (int j = 0; j <= JUTSU_EOD_HELD_MAX; j++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%s{\"symbol\":\"S%d\",\"quantity\":%d}",
                              j ? "," : "", j, j);
    snprintf(big + n, sizeof(big) - n, "]");
    struct jutsu_eod_held h;
    ck_assert_int_eq(jutsu_eod_held_fast(big, &h), -1);
}
END_TEST

/* Generated texts, most in the plain form, some broken at a random byte:
 * whatever the fast path takes, json-c reads the same; and both kinds
 * occur. */
START_TEST(test_generated)
{
    static const char *const values[] = { "1", "-7", "0.5", "\"x\"", "null", "2e5", "true",
                                          "\"a/b\"", "[1]", "{}" };
    unsigned seed = 12345;
    int taken = 0, left = 0;
    for (int round = 0; round < 3000; round++) {
        char t[2048];
        size_t n = 0;
        int npos = (int)(rand_r(&seed) % 4);
        t[n++] = '[';
        for (int j = 0; j < npos; j++) {
            n += (size_t)snprintf(t + n, sizeof(t) - n, "%s{\"symbol\":\"S%d\",\"quantity\":%d",
                                  j ? "," : "", j, (int)(rand_r(&seed) % 2001) - 1000);
            int extra = (int)(rand_r(&seed) % 3);
            for (int e = 0; e < extra; e++)
                n += (size_t)snprintf(t + n, sizeof(t) - n, ",\"k%d\":%s", e,
                                      values[rand_r(&seed) % 10]);
            t[n++] = '}';
        }
        t[n++] = ']';
        t[n] = '\0';
        if (rand_r(&seed) % 4 == 0 && n > 1)   /* break one byte */
            t[rand_r(&seed) % n] = " :,{}[]\"x1"[rand_r(&seed) % 10];
        struct jutsu_eod_held h;
        if (jutsu_eod_held_fast(t, &h) == 0) {
            agree(t);
            taken++;
        } else {
            left++;
        }
    }
    ck_assert_int_gt(taken, 100);
    ck_assert_int_gt(left, 100);
}
END_TEST

static Suite *held_suite(void)
{
    Suite *s = suite_create("eod_held");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_what_our_writers_store);
    tcase_add_test(tc, test_left_to_json_c);
    tcase_add_test(tc, test_generated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(held_suite());
}
