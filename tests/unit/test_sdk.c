/*
 * tests/unit/test_sdk.c — the SDK's symbol rule and its upper-casing
 * (jutsu/symbol.h), its bounded buffer (jutsu/buf.h), and the host's
 * clocks (core/base/clock.h).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "jutsu/buf.h"
#include "jutsu/error.h"
#include "jutsu/symbol.h"
#include "base/clock.h"
#include "testutil.h"

START_TEST(test_symbol_valid)
{
    static const char *const good[] = { "QQQ", "BRK.B", "^VIX", "GC=F", "A", "ABCDEFGHIJ",
                                        "TQQQ-W", "X1" };
    static const char *const bad[] = { "", "qqq", "ABCDEFGHIJK", "Q Q", "Q/Q", "Q_Q", "Ä" };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(jutsu_symbol_valid(good[i]), "%s should be a symbol", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!jutsu_symbol_valid(bad[i]), "%s should not be a symbol", bad[i]);
    ck_assert(!jutsu_symbol_valid(NULL));
}
END_TEST

START_TEST(test_symbol_upper)
{
    char out[8];
    /* a-z only; the rest as it is */
    ck_assert_uint_eq(jutsu_symbol_upper(out, sizeof(out), "brk.b^z", SIZE_MAX), 7);
    ck_assert_str_eq(out, "BRK.B^Z");
    /* len bytes of a longer text */
    ck_assert_uint_eq(jutsu_symbol_upper(out, sizeof(out), "qqqxyz", 3), 3);
    ck_assert_str_eq(out, "QQQ");
    /* cut to the buffer, always terminated */
    ck_assert_uint_eq(jutsu_symbol_upper(out, 4, "abcdef", SIZE_MAX), 3);
    ck_assert_str_eq(out, "ABC");
    /* stops at the NUL even when len is larger */
    ck_assert_uint_eq(jutsu_symbol_upper(out, sizeof(out), "ab\0cd", 5), 2);
    ck_assert_str_eq(out, "AB");
    /* in place */
    char s[] = "gc=f";
    jutsu_symbol_upper(s, sizeof(s), s, SIZE_MAX);
    ck_assert_str_eq(s, "GC=F");
    /* no room at all writes nothing */
    out[0] = 'x';
    ck_assert_uint_eq(jutsu_symbol_upper(out, 0, "abc", SIZE_MAX), 0);
    ck_assert_int_eq(out[0], 'x');
}
END_TEST

START_TEST(test_buf)
{
    struct jutsu_buf b = { 0 };
    ck_assert_int_eq(jutsu_buf_append(&b, "abc", 3, 10), 0);
    ck_assert_int_eq(jutsu_buf_append(&b, "", 0, 10), 0);
    ck_assert_int_eq(jutsu_buf_append(&b, "defghij", 7, 10), 0);   /* exactly the ceiling */
    ck_assert_uint_eq(b.len, 10);
    ck_assert_str_eq(b.p, "abcdefghij");                              /* NUL-terminated */
    /* one byte past the ceiling: refused, nothing appended */
    ck_assert_int_eq(jutsu_buf_append(&b, "k", 1, 10), JUTSU_ERANGE);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_str_eq(b.p, "abcdefghij");
    /* a length that would wrap len + n (+ the NUL) around is refused */
    ck_assert_int_eq(jutsu_buf_append(&b, "x", SIZE_MAX, SIZE_MAX), JUTSU_ERANGE);
    jutsu_buf_free(&b);
    ck_assert_int_eq(jutsu_buf_append(&b, "x", SIZE_MAX, SIZE_MAX), JUTSU_ERANGE);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.len, 0);
    /* growth past the first block keeps every byte */
    char chunk[1000];
    memset(chunk, 'z', sizeof(chunk));
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(jutsu_buf_append(&b, chunk, sizeof(chunk), 1 << 20), 0);
    ck_assert_uint_eq(b.len, 100000);
    ck_assert_uint_ge(b.cap, 100001);
    for (size_t i = 0; i < b.len; i++)
        ck_assert_int_eq(b.p[i], 'z');
    ck_assert_int_eq(b.p[b.len], '\0');
    jutsu_buf_free(&b);

    /* printf appends: a short string is held in a small block */
    ck_assert_int_eq(jutsu_buf_printf(&b, 64, "%s = $%d", "close", 7), 0);
    ck_assert_str_eq(b.p, "close = $7");
    ck_assert_uint_le(b.cap, 64);
    ck_assert_int_eq(jutsu_buf_printf(&b, 64, ", %s", "open"), 0);
    ck_assert_str_eq(b.p, "close = $7, open");
    /* past the ceiling: refused, nothing appended */
    ck_assert_int_eq(jutsu_buf_printf(&b, 20, "%s", "-0123456789"), JUTSU_ERANGE);
    ck_assert_str_eq(b.p, "close = $7, open");
    /* growing across blocks: 500 formatted pieces, all kept, in order */
    for (int i = 0; i < 500; i++)
        ck_assert_int_eq(jutsu_buf_printf(&b, SIZE_MAX, " %03d", i), 0);
    ck_assert_uint_eq(b.len, 16 + 500 * 4);
    ck_assert_int_eq(memcmp(b.p + 16, " 000 001 002", 12), 0);
    ck_assert_str_eq(b.p + b.len - 4, " 499");
    jutsu_buf_free(&b);
}
END_TEST

START_TEST(test_clocks)
{
    /* the wall clock against the C library's CLOCK_REALTIME, to the
     * microsecond. Not time(): glibc serves it from the coarse clock, which
     * lags CLOCK_REALTIME by up to a tick, so it can still show the last
     * second after the fine clock has moved on (seen in CI). */
    struct timespec ts0, ts1;
    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &ts0), 0);
    jutsu_time_t w = jutsu_clock_wall();
    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &ts1), 0);
    ck_assert_int_ge(w, (int64_t)ts0.tv_sec * JUTSU_USEC_PER_SEC + ts0.tv_nsec / 1000);
    ck_assert_int_le(w, (int64_t)ts1.tv_sec * JUTSU_USEC_PER_SEC + ts1.tv_nsec / 1000);
    /* the monotonic clock never goes back, and the µs read is the ns one */
    int64_t a = jutsu_clock_mono_ns(), b = jutsu_clock_mono_us(), c = jutsu_clock_mono_ns();
    ck_assert_int_le(a, c);
    ck_assert_int_ge(b, a / 1000);
    ck_assert_int_le(b, c / 1000);
    /* a deadline lies ms ahead on the monotonic clock: between 1.5 s after
     * a read before it and 1.5 s after a read after it */
    int64_t t0 = jutsu_clock_mono_ns();
    struct timespec d = jutsu_clock_deadline(1500);
    int64_t t1 = jutsu_clock_mono_ns();
    int64_t at = (int64_t)d.tv_sec * 1000000000 + d.tv_nsec;
    ck_assert_int_ge(at - t0, 1500000000);
    ck_assert_int_le(at - t1, 1500000000);
    ck_assert_int_lt(d.tv_nsec, 1000000000);
}
END_TEST

static Suite *sdk_suite(void)
{
    Suite *s = suite_create("sdk");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_symbol_valid);
    tcase_add_test(tc, test_symbol_upper);
    tcase_add_test(tc, test_buf);
    tcase_add_test(tc, test_clocks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(sdk_suite());
}
