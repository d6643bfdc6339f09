/*
 * tests/unit/test_log_escape.c — what the logger writes for bytes that are
 * not printable UTF-8: a Latin-1 byte, a control byte or a broken sequence
 * in a message (a file name, a remote reply) becomes \xNN text, and valid
 * UTF-8 and tabs pass unchanged, in text and in JSON lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "testutil.h"

/* The line the logger writes for `msg` in `format`, without its time stamp
 * (text) or up to "msg" (JSON); caller frees. */
static char *logged(int format, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    jutsu_log_configure(JUTSU_LOG_INFO, format);
    jutsu_log_set_stream(f);
    jutsu_log("t\xE9st", JUTSU_LOG_INFO, "%s", msg);
    jutsu_log_set_stream(NULL);
    ck_assert_int_eq(fclose(f), 0);
    const char *from = strstr(buf, format == JUTSU_LOG_JSON ? "\"who\"" : "[");
    ck_assert_ptr_nonnull(from);
    char *out = strdup(from);
    free(buf);
    return out;
}

START_TEST(text_escapes_bytes_that_are_not_utf8)
{
    char *l = logged(JUTSU_LOG_TEXT, "file caf\xE9.csv: \"\x01\x1b[31m\x7f\"\tnext\nline\r");
    ck_assert_str_eq(l, "[t\\xE9st] file caf\\xE9.csv: \"\\x01\\x1B[31m\\x7F\"\tnext\\nline"
                        "\\r\n");
    free(l);
}
END_TEST

START_TEST(text_keeps_valid_utf8)
{
    /* 2, 3 and 4 byte sequences, the highest code point */
    char *l = logged(JUTSU_LOG_TEXT, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88 \xF4\x8F\xBF\xBF");
    ck_assert_str_eq(l, "[t\\xE9st] caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88 "
                        "\xF4\x8F\xBF\xBF\n");
    free(l);
}
END_TEST

START_TEST(text_escapes_broken_sequences)
{
    /* overlong "/", a UTF-16 surrogate, past U+10FFFF, a cut sequence at
     * the end, a stray continuation byte */
    char *l = logged(JUTSU_LOG_TEXT, "\xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \x80 \xE2\x82");
    ck_assert_str_eq(l, "[t\\xE9st] \\xC0\\xAF \\xED\\xA0\\x80 \\xF4\\x90\\x80\\x80 \\x80 "
                        "\\xE2\\x82\n");
    free(l);
}
END_TEST

START_TEST(json_stays_valid)
{
    char *l = logged(JUTSU_LOG_JSON, "caf\xE9 \xC3\xA9 \x7f");
    ck_assert_str_eq(l, "\"who\":\"t\\\\xE9st\",\"msg\":\"caf\\\\xE9 \xC3\xA9 \\u007f\"}\n");
    free(l);
}
END_TEST

static Suite *log_escape_suite(void)
{
    Suite *s = suite_create("log_escape");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, text_escapes_bytes_that_are_not_utf8);
    tcase_add_test(tc, text_keeps_valid_utf8);
    tcase_add_test(tc, text_escapes_broken_sequences);
    tcase_add_test(tc, json_stays_valid);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(log_escape_suite());
}
