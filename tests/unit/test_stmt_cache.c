/*
 * tests/unit/test_stmt_cache.c — the drivers' statement caches look a
 * statement up by the address of its text first (issue 17): a text that
 * comes back at the same address is the same statement, but a caller's
 * buffer reused for another text must get that other statement, and the
 * same text at another address the cached one. Both backends.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "testdb.h"

/* Runs the one-column, one-row query in `sql` and returns its value. */
static int64_t one(struct tdb *t, const char *sql)
{
    struct jutsu_q q;
    ck_assert_int_eq(jutsu_q_prepare(&q, t->s, sql, "test"), 0);
    ck_assert_int_eq(jutsu_q_step(&q), JUTSU_DB_ROW);
    int64_t v = jutsu_q_col_int(&q, -1);
    ck_assert_int_eq(jutsu_q_done(&q), 0);
    return v;
}

START_TEST(same_address_other_text)
{
    struct tdb t;
    tdb_open(&t, _i, 0);
    if (t.skipped)
        return;
    char buf[64];
    for (int round = 0; round < 3; round++)
        for (int v = 1; v <= 5; v++) {
            snprintf(buf, sizeof(buf), "SELECT %d", v);
            ck_assert_int_eq(one(&t, buf), v);
        }
    /* the same text again from another address: the cached statement */
    char other[64];
    snprintf(other, sizeof(other), "SELECT %d", 3);
    ck_assert_int_eq(one(&t, other), 3);
    ck_assert_int_eq(one(&t, "SELECT 4"), 4);
    /* and the buffer, rewritten with a text of the same length */
    snprintf(buf, sizeof(buf), "SELECT 9");
    ck_assert_int_eq(one(&t, buf), 9);
    tdb_close(&t);
}
END_TEST

static Suite *stmt_cache_suite(void)
{
    Suite *s = suite_create("stmt_cache");
    TCase *tc = tcase_create("address");
    tcase_add_loop_test(tc, same_address_other_text, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(stmt_cache_suite());
}
