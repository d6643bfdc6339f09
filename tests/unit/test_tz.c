/*
 * tests/unit/test_tz.c — the TZif reader against known instants, hand-made
 * zone files, and the C library's own localtime_r.
 *
 * System zones are read with TZDIR unset, i.e. from /usr/share/zoneinfo
 * (Debian's tzdata). The cross-checks switch TZ, which is fine here: this
 * program is single-threaded except for the one test that proves a loaded
 * zone can be shared, and that one never touches TZ.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "testutil.h"
#include "base/tz.h"

#define H 3600

static jutsu_time_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return jutsu_date_to_time(jutsu_date_from_ymd(y, mo, d)) +
           ((int64_t)h * 3600 + mi * 60 + s) * JUTSU_USEC_PER_SEC;
}

static jutsu_tz *load_system(const char *name)
{
    jutsu_tz *tz = NULL;

    unsetenv("TZDIR");
    int rc = jutsu_tz_load(name, &tz);
    ck_assert_msg(rc == 0, "load %s: %s", name, jutsu_strerror(rc));
    ck_assert_ptr_nonnull(tz);
    ck_assert_str_eq(jutsu_tz_name(tz), name);
    return tz;
}

static void expect_offset(const jutsu_tz *tz, jutsu_time_t t, int off, int dst, const char *abbr)
{
    int got_off = 12345, got_dst = -1;

    ck_assert_int_eq(jutsu_tz_offset(tz, t, &got_off, &got_dst), 0);
    ck_assert_msg(got_off == off && got_dst == dst, "%s at %lld: offset %d dst %d, want %d %d",
                  jutsu_tz_name(tz), (long long)(t / JUTSU_USEC_PER_SEC), got_off, got_dst,
                  off, dst);
    if (abbr)
        ck_assert_str_eq(jutsu_tz_abbrev(tz, t), abbr);
}

static void expect_to_utc(const jutsu_tz *tz, int y, int mo, int d, int h, int mi, int s,
                          jutsu_time_t want)
{
    jutsu_time_t got = 0;
    char a[JUTSU_TIME_BUFSZ], b[JUTSU_TIME_BUFSZ];

    ck_assert_int_eq(jutsu_tz_to_utc(tz, jutsu_date_from_ymd(y, mo, d), h, mi, s, &got), 0);
    jutsu_time_format(got, a);
    jutsu_time_format(want, b);
    ck_assert_msg(got == want, "%s %04d-%02d-%02d %02d:%02d:%02d -> %s, want %s",
                  jutsu_tz_name(tz), y, mo, d, h, mi, s, a, b);
}

/* ---- New York ------------------------------------------------------------ */

START_TEST(test_ny_transitions)
{
    jutsu_tz *tz = load_system("America/New_York");

    expect_offset(tz, utc(2024, 3, 10, 6, 59, 59), -5 * H, 0, "EST");
    expect_offset(tz, utc(2024, 3, 10, 7, 0, 0), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2024, 3, 10, 6, 59, 59) + 999999, -5 * H, 0, "EST");
    expect_offset(tz, utc(2024, 11, 3, 5, 59, 59), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2024, 11, 3, 6, 0, 0), -5 * H, 0, "EST");
    expect_offset(tz, utc(2025, 1, 9, 14, 30, 0), -5 * H, 0, "EST");
    /* Before 1883 New York kept local mean time: type 0 of the file. */
    expect_offset(tz, utc(1800, 1, 1, 0, 0, 0), -17762, 0, "LMT");
    jutsu_tz_free(tz);
}
END_TEST

START_TEST(test_ny_local_date)
{
    jutsu_tz *tz = load_system("America/New_York");
    jutsu_date_t d = 0;
    int sod = -1;

    ck_assert_int_eq(jutsu_tz_local_date(tz, utc(2025, 1, 9, 4, 59, 59), &d, &sod), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2025, 1, 8));
    ck_assert_int_eq(sod, 86399);
    ck_assert_int_eq(jutsu_tz_local_date(tz, utc(2025, 1, 9, 5, 0, 0), &d, &sod), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2025, 1, 9));
    ck_assert_int_eq(sod, 0);
    ck_assert_int_eq(jutsu_tz_local_date(tz, utc(2025, 7, 1, 13, 30, 0), &d, &sod), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2025, 7, 1));
    ck_assert_int_eq(sod, 9 * H + 30 * 60);   /* the open, 09:30 EDT */
    /* Before the epoch, and with a fraction of a second: floor, not truncate. */
    ck_assert_int_eq(jutsu_tz_local_date(tz, utc(1969, 12, 31, 5, 0, 0) - 1, &d, &sod), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(1969, 12, 30));
    ck_assert_int_eq(sod, 86399);
    ck_assert_int_eq(jutsu_tz_local_date(tz, 0, NULL, NULL), 0);
    jutsu_tz_free(tz);
}
END_TEST

START_TEST(test_ny_to_utc)
{
    jutsu_tz *tz = load_system("America/New_York");
    jutsu_time_t t;

    expect_to_utc(tz, 2025, 1, 9, 9, 30, 0, utc(2025, 1, 9, 14, 30, 0));
    expect_to_utc(tz, 2025, 7, 1, 16, 0, 0, utc(2025, 7, 1, 20, 0, 0));
    /* The spring-forward gap: 02:00..02:59 do not exist, moved on an hour. */
    expect_to_utc(tz, 2024, 3, 10, 1, 59, 59, utc(2024, 3, 10, 6, 59, 59));
    expect_to_utc(tz, 2024, 3, 10, 2, 0, 0, utc(2024, 3, 10, 7, 0, 0));
    expect_to_utc(tz, 2024, 3, 10, 2, 30, 0, utc(2024, 3, 10, 7, 30, 0));
    expect_to_utc(tz, 2024, 3, 10, 2, 59, 59, utc(2024, 3, 10, 7, 59, 59));
    expect_to_utc(tz, 2024, 3, 10, 3, 0, 0, utc(2024, 3, 10, 7, 0, 0));
    expect_to_utc(tz, 2024, 3, 10, 3, 30, 0, utc(2024, 3, 10, 7, 30, 0));
    /* The fall-back overlap: 01:00..01:59 happen twice, the EDT one wins. */
    expect_to_utc(tz, 2024, 11, 3, 0, 59, 59, utc(2024, 11, 3, 4, 59, 59));
    expect_to_utc(tz, 2024, 11, 3, 1, 0, 0, utc(2024, 11, 3, 5, 0, 0));
    expect_to_utc(tz, 2024, 11, 3, 1, 30, 0, utc(2024, 11, 3, 5, 30, 0));
    expect_to_utc(tz, 2024, 11, 3, 1, 59, 59, utc(2024, 11, 3, 5, 59, 59));
    expect_to_utc(tz, 2024, 11, 3, 2, 0, 0, utc(2024, 11, 3, 7, 0, 0));
    ck_assert_int_eq(jutsu_tz_to_utc(tz, 0, 24, 0, 0, &t), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_to_utc(tz, 0, 0, 60, 0, &t), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_to_utc(tz, 0, 0, 0, -1, &t), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_to_utc(tz, 0, 0, 0, 0, NULL), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_to_utc(tz, INT32_MAX, 0, 0, 0, &t), JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_tz_to_utc(tz, -100000001, 0, 0, 0, &t), JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_tz_to_utc(tz, 100000000, 12, 0, 0, &t), 0);
    /* 2160-09-13 in the 400-year cycle: EDT */
    ck_assert_int_eq(t, (INT64_C(100000000) * 86400 + 16 * H) * JUTSU_USEC_PER_SEC);
    jutsu_tz_free(tz);
}
END_TEST

/* Debian's files list transitions up to 2037; later years come from the
 * footer rule "EST5EDT,M3.2.0,M11.1.0". */
START_TEST(test_ny_footer_rule)
{
    jutsu_tz *tz = load_system("America/New_York");
    jutsu_date_t d;
    int sod;

    expect_to_utc(tz, 2090, 7, 1, 16, 0, 0, utc(2090, 7, 1, 20, 0, 0));
    expect_to_utc(tz, 2090, 1, 2, 16, 0, 0, utc(2090, 1, 2, 21, 0, 0));
    ck_assert_int_eq(jutsu_tz_local_date(tz, utc(2090, 7, 1, 20, 0, 0), &d, &sod), 0);
    ck_assert_int_eq(d, jutsu_date_from_ymd(2090, 7, 1));
    ck_assert_int_eq(sod, 16 * H);
    expect_offset(tz, utc(2090, 7, 1, 20, 0, 0), -4 * H, 1, "EDT");
    /* 2090: second Sunday of March is the 12th, first of November the 5th. */
    expect_offset(tz, utc(2090, 3, 12, 6, 59, 59), -5 * H, 0, "EST");
    expect_offset(tz, utc(2090, 3, 12, 7, 0, 0), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2090, 11, 5, 5, 59, 59), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2090, 11, 5, 6, 0, 0), -5 * H, 0, "EST");
    expect_to_utc(tz, 2090, 3, 12, 2, 30, 0, utc(2090, 3, 12, 7, 30, 0));
    expect_to_utc(tz, 2090, 11, 5, 1, 30, 0, utc(2090, 11, 5, 5, 30, 0));
    /* Far out, and across a year boundary computed from the rule. */
    expect_offset(tz, utc(9999, 12, 31, 23, 0, 0), -5 * H, 0, "EST");
    expect_offset(tz, utc(2400, 7, 4, 12, 0, 0), -4 * H, 1, "EDT");
    expect_to_utc(tz, 2100, 1, 1, 0, 0, 0, utc(2100, 1, 1, 5, 0, 0));
    jutsu_tz_free(tz);
}
END_TEST

START_TEST(test_other_zones)
{
    jutsu_tz *tz = load_system("Europe/London");

    expect_offset(tz, utc(2024, 1, 15, 12, 0, 0), 0, 0, "GMT");
    expect_offset(tz, utc(2024, 7, 1, 12, 0, 0), H, 1, "BST");
    expect_offset(tz, utc(2024, 3, 31, 0, 59, 59), 0, 0, "GMT");
    expect_offset(tz, utc(2024, 3, 31, 1, 0, 0), H, 1, "BST");
    expect_to_utc(tz, 2024, 10, 27, 1, 30, 0, utc(2024, 10, 27, 0, 30, 0));
    jutsu_tz_free(tz);

    tz = load_system("UTC");
    expect_offset(tz, utc(2024, 7, 1, 12, 0, 0), 0, 0, "UTC");
    expect_offset(tz, utc(1900, 1, 1, 0, 0, 0), 0, 0, "UTC");
    expect_offset(tz, utc(2300, 1, 1, 0, 0, 0), 0, 0, "UTC");
    expect_to_utc(tz, 2024, 3, 10, 2, 30, 0, utc(2024, 3, 10, 2, 30, 0));
    jutsu_tz_free(tz);

    tz = load_system("Australia/Sydney");
    expect_offset(tz, utc(2024, 1, 15, 0, 0, 0), 11 * H, 1, "AEDT");
    expect_offset(tz, utc(2024, 7, 1, 0, 0, 0), 10 * H, 0, "AEST");
    expect_offset(tz, utc(2080, 1, 15, 0, 0, 0), 11 * H, 1, "AEDT");
    expect_offset(tz, utc(2080, 7, 1, 0, 0, 0), 10 * H, 0, "AEST");
    jutsu_tz_free(tz);
}
END_TEST

START_TEST(test_bad_names)
{
    jutsu_tz *tz = (jutsu_tz *)&tz;

    unsetenv("TZDIR");
    ck_assert_int_eq(jutsu_tz_load("Mars/Olympus_Mons", &tz), JUTSU_ENOENT);
    ck_assert_ptr_null(tz);
    ck_assert_int_eq(jutsu_tz_load("America", &tz), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_tz_load("America/New_York/x", &tz), JUTSU_ENOENT);
    ck_assert_int_eq(jutsu_tz_load("../etc/passwd", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("America/../../../etc/passwd", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("..", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("/etc/passwd", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("/usr/share/zoneinfo/UTC", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("UTC\n", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("America/New York", &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load(NULL, &tz), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_tz_load("UTC", NULL), JUTSU_EINVAL);
    /* A text file of the database is no zone. */
    ck_assert_int_eq(jutsu_tz_load("zone1970.tab", &tz), JUTSU_EMALFORMED);
    ck_assert_ptr_null(tz);
    jutsu_tz_free(NULL);
    ck_assert_ptr_null(jutsu_tz_name(NULL));
    ck_assert_int_eq(jutsu_tz_offset(NULL, 0, NULL, NULL), JUTSU_EINVAL);
}
END_TEST

/* ---- hand-made zone files ------------------------------------------------ */

struct zone_spec {
    char                 version;     /* 0 (v1), '2', '3' */
    size_t               ntrans;
    const int64_t       *times;
    const unsigned char *idx;
    size_t               ntypes;
    const int32_t       *utoff;
    const unsigned char *isdst;
    const unsigned char *abbr;        /* index into chars */
    const char          *chars;
    size_t               charcnt;
    const char          *footer;      /* without the newlines */
};

static unsigned char *put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

static unsigned char *put_block(unsigned char *p, const struct zone_spec *z, int tsize)
{
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)z->version;
    memset(p + 5, 0, 15);
    p += 20;
    p = put_be(p, 0, 4);                     /* isutcnt  */
    p = put_be(p, 0, 4);                     /* isstdcnt */
    p = put_be(p, 0, 4);                     /* leapcnt  */
    p = put_be(p, z->ntrans, 4);
    p = put_be(p, z->ntypes, 4);
    p = put_be(p, z->charcnt, 4);
    for (size_t i = 0; i < z->ntrans; i++)
        p = put_be(p, (uint64_t)z->times[i], tsize);
    for (size_t i = 0; i < z->ntrans; i++)
        *p++ = z->idx[i];
    for (size_t i = 0; i < z->ntypes; i++) {
        p = put_be(p, (uint32_t)z->utoff[i], 4);
        *p++ = z->isdst[i];
        *p++ = z->abbr[i];
    }
    memcpy(p, z->chars, z->charcnt);
    return p + z->charcnt;
}

/* Serialises a zone; returns its size. buf holds 4096 bytes. */
static size_t build_zone(unsigned char *buf, const struct zone_spec *z)
{
    unsigned char *p = put_block(buf, z, 4);

    if (z->version != 0) {
        p = put_block(p, z, 8);
        p += sprintf((char *)p, "\n%s\n", z->footer);
    }
    ck_assert_int_lt(p - buf, 4096);
    return (size_t)(p - buf);
}

static void write_bytes(const char *dir, const char *name, const void *data, size_t n)
{
    char *path = NULL;

    ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    free(path);
}

/* One type, no transitions: a fixed offset. */
static const int32_t fixed_off[] = {19800};
static const unsigned char fixed_dst[] = {0}, fixed_abbr[] = {0};
static const struct zone_spec fixed_v1 = {
    0, 0, NULL, NULL, 1, fixed_off, fixed_dst, fixed_abbr, "IST", 4, NULL,
};

/* Two types, two explicit transitions (2000-04-02T10:00Z, 2000-10-29T09:00Z)
 * and a footer for the rest. */
static const int64_t two_times[] = {954669600, 972810000};
static const unsigned char two_idx[] = {1, 0};
static const int32_t two_off[] = {-8 * H, -7 * H};
static const unsigned char two_dst[] = {0, 1}, two_abbr[] = {0, 4};

static struct zone_spec two_with_footer(const char *footer)
{
    struct zone_spec z = {
        '2', 2, two_times, two_idx, 2, two_off, two_dst, two_abbr, "PST\0PDT", 8, footer,
    };
    return z;
}

/* No transitions at all: everything comes from the footer. */
static struct zone_spec rule_only(const char *footer, int32_t std_off)
{
    static int32_t off[1];
    struct zone_spec z = {
        '3', 0, NULL, NULL, 1, off, fixed_dst, fixed_abbr, "XXX", 4, footer,
    };
    off[0] = std_off;
    return z;
}

static char *zone_dir(void)
{
    char *dir = tu_tmpdir();
    ck_assert_int_eq(setenv("TZDIR", dir, 1), 0);
    return dir;
}

static jutsu_tz *load_spec(const char *dir, const char *name, const struct zone_spec *z, int rc)
{
    unsigned char buf[4096];
    jutsu_tz *tz = NULL;

    write_bytes(dir, name, buf, build_zone(buf, z));
    int got = jutsu_tz_load(name, &tz);
    ck_assert_msg(got == rc, "load %s = %d (%s), want %d", name, got, jutsu_strerror(got), rc);
    return tz;
}

START_TEST(test_file_versions)
{
    char *dir = zone_dir();
    jutsu_tz *tz = load_spec(dir, "Fixed", &fixed_v1, 0);
    struct zone_spec z;

    expect_offset(tz, utc(2024, 1, 1, 0, 0, 0), 19800, 0, "IST");
    expect_offset(tz, utc(1900, 1, 1, 0, 0, 0), 19800, 0, "IST");
    expect_to_utc(tz, 2024, 1, 1, 5, 30, 0, utc(2024, 1, 1, 0, 0, 0));
    jutsu_tz_free(tz);

    /* Explicit transitions, then the footer (US rules of 2000: first
     * Sunday of April, last Sunday of October). */
    z = two_with_footer("PST8PDT,M4.1.0,M10.5.0");
    tz = load_spec(dir, "Pacific", &z, 0);
    expect_offset(tz, utc(2000, 4, 2, 9, 59, 59), -8 * H, 0, "PST");
    expect_offset(tz, utc(2000, 4, 2, 10, 0, 0), -7 * H, 1, "PDT");
    expect_offset(tz, utc(2000, 1, 1, 0, 0, 0), -8 * H, 0, "PST");   /* type 0 */
    expect_offset(tz, utc(2000, 10, 29, 8, 59, 59), -7 * H, 1, "PDT");
    expect_offset(tz, utc(2000, 10, 29, 9, 0, 0), -8 * H, 0, "PST");
    expect_offset(tz, utc(2001, 4, 1, 9, 59, 59), -8 * H, 0, "PST");
    expect_offset(tz, utc(2001, 4, 1, 10, 0, 0), -7 * H, 1, "PDT");
    expect_to_utc(tz, 2001, 4, 1, 2, 30, 0, utc(2001, 4, 1, 10, 30, 0));
    expect_to_utc(tz, 2001, 10, 28, 1, 30, 0, utc(2001, 10, 28, 8, 30, 0));
    jutsu_tz_free(tz);

    /* An empty footer: the last explicit type holds for ever. */
    z = two_with_footer("");
    tz = load_spec(dir, "NoRule", &z, 0);
    expect_offset(tz, utc(2001, 7, 1, 0, 0, 0), -8 * H, 0, "PST");
    jutsu_tz_free(tz);

    tu_rmtree(dir);
    free(dir);
    unsetenv("TZDIR");
}
END_TEST

START_TEST(test_footer_rules)
{
    char *dir = zone_dir();
    struct zone_spec z = rule_only("EST5EDT,M3.2.0,M11.1.0", -5 * H);
    jutsu_tz *tz = load_spec(dir, "Rule", &z, 0);

    /* Spans come from the rule alone: gap and overlap still resolve. */
    expect_offset(tz, utc(2024, 3, 10, 6, 59, 59), -5 * H, 0, "EST");
    expect_offset(tz, utc(2024, 3, 10, 7, 0, 0), -4 * H, 1, "EDT");
    expect_to_utc(tz, 2024, 3, 10, 2, 30, 0, utc(2024, 3, 10, 7, 30, 0));
    expect_to_utc(tz, 2024, 11, 3, 1, 30, 0, utc(2024, 11, 3, 5, 30, 0));
    expect_to_utc(tz, 1850, 7, 1, 12, 0, 0, utc(1850, 7, 1, 16, 0, 0));
    jutsu_tz_free(tz);

    /* Southern hemisphere: DST spans the new year; end time given. */
    z = rule_only("AEST-10AEDT,M10.1.0,M4.1.0/3", 10 * H);
    tz = load_spec(dir, "South", &z, 0);
    expect_offset(tz, utc(2024, 1, 15, 0, 0, 0), 11 * H, 1, "AEDT");
    expect_offset(tz, utc(2024, 7, 1, 0, 0, 0), 10 * H, 0, "AEST");
    expect_offset(tz, utc(2024, 4, 6, 15, 59, 59), 11 * H, 1, "AEDT");   /* 04-07 02:59:59 */
    expect_offset(tz, utc(2024, 4, 6, 16, 0, 0), 10 * H, 0, "AEST");
    expect_offset(tz, utc(2024, 10, 5, 15, 59, 59), 10 * H, 0, "AEST");  /* 10-06 01:59:59 */
    expect_offset(tz, utc(2024, 10, 5, 16, 0, 0), 11 * H, 1, "AEDT");
    expect_offset(tz, utc(2024, 12, 31, 13, 30, 0), 11 * H, 1, "AEDT");  /* local new year */
    jutsu_tz_free(tz);

    /* Jn never counts Feb 29; n does. Quoted names, offsets with minutes. */
    z = rule_only("<+0130>-1:30<+0230>,J60/0,J300/0", 90 * 60);
    tz = load_spec(dir, "Julian", &z, 0);
    expect_offset(tz, utc(2024, 2, 29, 22, 29, 59), 90 * 60, 0, "+0130");
    expect_offset(tz, utc(2024, 2, 29, 22, 30, 0), 150 * 60, 1, "+0230");   /* 03-01 00:00 */
    expect_offset(tz, utc(2023, 2, 28, 22, 30, 0), 150 * 60, 1, "+0230");   /* 03-01 00:00 */
    jutsu_tz_free(tz);
    z = rule_only("AAA0BBB,59/0,300/0", 0);
    tz = load_spec(dir, "Zero", &z, 0);
    expect_offset(tz, utc(2024, 2, 28, 23, 59, 59), 0, 0, "AAA");
    expect_offset(tz, utc(2024, 2, 29, 0, 0, 0), H, 1, "BBB");               /* leap day */
    expect_offset(tz, utc(2023, 2, 28, 12, 0, 0), 0, 0, "AAA");
    expect_offset(tz, utc(2023, 3, 1, 0, 0, 0), H, 1, "BBB");
    jutsu_tz_free(tz);

    /* Negative and beyond-24h times of version 3; DST all year. */
    z = rule_only("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", -2 * H);
    tz = load_spec(dir, "Nuuk", &z, 0);
    /* Last Sunday of March 2090 is the 26th; "-1" is 23:00 the day before. */
    expect_offset(tz, utc(2090, 3, 26, 0, 59, 59), -2 * H, 0, "-02");
    expect_offset(tz, utc(2090, 3, 26, 1, 0, 0), -1 * H, 1, "-01");
    jutsu_tz_free(tz);
    z = rule_only("EST5EDT4,0/0,J365/25", -5 * H);
    tz = load_spec(dir, "AllYear", &z, 0);
    expect_offset(tz, utc(2024, 1, 1, 0, 0, 0), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2024, 7, 1, 0, 0, 0), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2024, 12, 31, 23, 59, 59), -4 * H, 1, "EDT");
    expect_offset(tz, utc(2025, 1, 1, 5, 0, 0), -4 * H, 1, "EDT");
    jutsu_tz_free(tz);

    tu_rmtree(dir);
    free(dir);
    unsetenv("TZDIR");
}
END_TEST

START_TEST(test_malformed_files)
{
    static const char *const bad_footers[] = {
        "EST5EDT",                    /* DST without a rule */
        "EST5EDT,M13.2.0,M11.1.0",    /* month 13 */
        "EST5EDT,M3.6.0,M11.1.0",     /* week 6 */
        "EST5EDT,M3.2.7,M11.1.0",     /* weekday 7 */
        "EST5EDT,M3.2.0",             /* no end */
        "EST5EDT,J0,J300",            /* J counts from 1 */
        "EST5EDT,366,300",            /* n stops at 365 */
        "EST5EDT,M3.2.0/168,M11.1.0", /* time beyond 167 h */
        "ES5",                        /* name too short */
        "EST25",                      /* offset beyond 24 h */
        "EST",                        /* no offset */
        "<EST5",                      /* unterminated quote */
        "EST5EDT,M3.2.0,M11.1.0x",    /* trailing garbage */
    };
    char *dir = zone_dir();
    unsigned char buf[4096];
    jutsu_tz *tz = NULL;
    struct zone_spec z;
    size_t n;

    for (size_t i = 0; i < sizeof(bad_footers) / sizeof(bad_footers[0]); i++) {
        z = two_with_footer(bad_footers[i]);
        ck_assert_msg(load_spec(dir, "Bad", &z, JUTSU_EMALFORMED) == NULL, "%s", bad_footers[i]);
    }

    z = two_with_footer("PST8PDT,M4.1.0,M10.5.0");
    n = build_zone(buf, &z);
    /* Every truncation of a valid file is refused, none crashes. */
    for (size_t cut = 0; cut < n; cut++) {
        write_bytes(dir, "Cut", buf, cut);
        ck_assert_int_eq(jutsu_tz_load("Cut", &tz), JUTSU_EMALFORMED);
    }
    write_bytes(dir, "Whole", buf, n);
    ck_assert_int_eq(jutsu_tz_load("Whole", &tz), 0);
    jutsu_tz_free(tz);

    buf[0] = 'X';                                       /* magic */
    write_bytes(dir, "Magic", buf, n);
    ck_assert_int_eq(jutsu_tz_load("Magic", &tz), JUTSU_EMALFORMED);
    buf[0] = 'T';
    buf[4] = '9';                                       /* version */
    write_bytes(dir, "Version", buf, n);
    ck_assert_int_eq(jutsu_tz_load("Version", &tz), JUTSU_EMALFORMED);

    /* Descending transitions, type index out of range, abbreviation out
     * of range, offset beyond 26 hours: each refused. */
    {
        static const int64_t desc[] = {972810000, 954669600};
        static const unsigned char idx_bad[] = {1, 2};
        static const unsigned char abbr_bad[] = {0, 8};
        static const int32_t off_bad[] = {-8 * H, 26 * H};
        z = two_with_footer("");
        z.times = desc;
        ck_assert_ptr_null(load_spec(dir, "Desc", &z, JUTSU_EMALFORMED));
        z = two_with_footer("");
        z.idx = idx_bad;
        ck_assert_ptr_null(load_spec(dir, "Idx", &z, JUTSU_EMALFORMED));
        z = two_with_footer("");
        z.abbr = abbr_bad;
        ck_assert_ptr_null(load_spec(dir, "Abbr", &z, JUTSU_EMALFORMED));
        z = two_with_footer("");
        z.utoff = off_bad;
        ck_assert_ptr_null(load_spec(dir, "Off", &z, JUTSU_EMALFORMED));
        z = two_with_footer("");
        z.chars = "PST\0PDTX";                          /* last name unterminated */
        ck_assert_ptr_null(load_spec(dir, "Nul", &z, JUTSU_EMALFORMED));
    }
    write_bytes(dir, "Empty", "", 0);
    ck_assert_int_eq(jutsu_tz_load("Empty", &tz), JUTSU_EMALFORMED);
    ck_assert_ptr_null(tz);

    tu_rmtree(dir);
    free(dir);
    unsetenv("TZDIR");
}
END_TEST

/* ---- against the C library ----------------------------------------------- */

/* Check's assertions record a checkpoint each (a write); the loops below
 * run a million of them, so they only call into Check on a failure. */
#define EXPECT(cond, ...)                \
    do {                                 \
        if (!(cond))                     \
            ck_abort_msg(__VA_ARGS__);   \
    } while (0)

/* Compares offset, DST flag, abbreviation and local date/time with
 * localtime_r at seven instants a day, every step_days days from y0 to y1. */
static void cross_check(const char *zone, int y0, int y1, int step_days)
{
    static const int fixed_secs[] = {5 * H - 1, 5 * H, 6 * H - 1, 6 * H, 7 * H - 1, 7 * H};
    jutsu_tz *tz = load_system(zone);
    jutsu_date_t first = jutsu_date_from_ymd(y0, 1, 1), last = jutsu_date_from_ymd(y1, 12, 31);
    long checked = 0;

    ck_assert_int_eq(setenv("TZ", zone, 1), 0);
    tzset();
    for (jutsu_date_t d = first; d <= last; d += step_days) {
        for (int k = 0; k <= 6; k++) {
            /* One instant spread over the day, plus the usual switch hours. */
            int64_t sec = (int64_t)d * 86400 +
                          (k == 6 ? ((int64_t)d * 7919 % 86400 + 86400) % 86400 : fixed_secs[k]);
            jutsu_time_t t = sec * JUTSU_USEC_PER_SEC;
            time_t tt = (time_t)sec;
            struct tm tm;
            int off, dst, sod;
            jutsu_date_t ld;
            EXPECT(localtime_r(&tt, &tm) != NULL, "localtime_r %lld", (long long)sec);
            EXPECT(jutsu_tz_offset(tz, t, &off, &dst) == 0, "offset");
            EXPECT(off == tm.tm_gmtoff && dst == (tm.tm_isdst > 0),
                   "%s at %lld: %d/%d, libc %ld/%d", zone, (long long)sec, off, dst,
                   tm.tm_gmtoff, tm.tm_isdst);
            EXPECT(strcmp(jutsu_tz_abbrev(tz, t), tm.tm_zone) == 0, "%s at %lld: %s, libc %s",
                   zone, (long long)sec, jutsu_tz_abbrev(tz, t), tm.tm_zone);
            EXPECT(jutsu_tz_local_date(tz, t, &ld, &sod) == 0, "local_date");
            EXPECT(ld == jutsu_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) &&
                   sod == tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec,
                   "%s at %lld: local day %d second %d, libc %04d-%02d-%02d %02d:%02d:%02d",
                   zone, (long long)sec, (int)ld, sod, tm.tm_year + 1900, tm.tm_mon + 1,
                   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            checked++;
        }
    }
    ck_assert_int_eq(checked, ((last - first) / step_days + 1) * 7);
    unsetenv("TZ");
    tzset();
    jutsu_tz_free(tz);
}

START_TEST(test_libc_new_york)
{
    cross_check("America/New_York", 1990, 2037, 1);
}
END_TEST

/* Beyond 2037 glibc applies the footer too: the two readings must agree. */
START_TEST(test_libc_footer_years)
{
    cross_check("America/New_York", 2038, 2110, 1);
}
END_TEST

START_TEST(test_libc_other_zones)
{
    static const char *const zones[] = {
        "Europe/London", "Europe/Dublin", "Australia/Sydney", "Australia/Lord_Howe",
        "America/Nuuk", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Auckland",
        "America/Santiago", "Africa/Casablanca", "UTC",
    };
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        cross_check(zones[i], 1970, 2100, 3);
}
END_TEST

/* Every hour of every day: local -> UTC -> local is the identity, except in
 * the one spring-forward hour a year; the overlap resolves to the first. */
START_TEST(test_to_utc_property)
{
    jutsu_tz *tz = load_system("America/New_York");
    jutsu_date_t first = jutsu_date_from_ymd(1990, 1, 1), last = jutsu_date_from_ymd(2060, 12, 31);
    int gaps = 0, overlaps = 0;

    for (jutsu_date_t d = first; d <= last; d++) {
        for (int h = 0; h < 24; h++) {
            jutsu_time_t u;
            jutsu_date_t ld;
            int sod, wall = h * 3600 + 30 * 60;
            EXPECT(jutsu_tz_to_utc(tz, d, h, 30, 0, &u) == 0, "to_utc");
            EXPECT(jutsu_tz_local_date(tz, u, &ld, &sod) == 0, "local_date");
            if (ld != d || sod != wall) {
                /* Only a gap may move the time, and then by its length. */
                EXPECT(jutsu_date_weekday(d) == 0 && h == 2 && ld == d && sod == wall + H,
                       "day %d %02d:30 -> day %d second %d", (int)d, h, (int)ld, sod);
                gaps++;
            }
            /* An hour later in UTC shows the same wall time only in the
             * overlap, which proves u was the first occurrence. */
            EXPECT(jutsu_tz_local_date(tz, u + H * JUTSU_USEC_PER_SEC, &ld, &sod) == 0, "+1h");
            if (ld == d && sod == wall) {
                EXPECT(h == 1 && jutsu_date_weekday(d) == 0, "day %d %02d:30 twice", (int)d, h);
                overlaps++;
            }
            EXPECT(jutsu_tz_local_date(tz, u - H * JUTSU_USEC_PER_SEC, &ld, &sod) == 0, "-1h");
            EXPECT(!(ld == d && sod == wall), "day %d %02d:30 not the first", (int)d, h);
        }
    }
    ck_assert_int_eq(gaps, 2060 - 1990 + 1);
    ck_assert_int_eq(overlaps, 2060 - 1990 + 1);
    jutsu_tz_free(tz);
}
END_TEST

/* ---- sharing ------------------------------------------------------------- */

static void *hammer(void *arg)
{
    const jutsu_tz *tz = arg;
    long bad = 0;

    for (int i = 0; i < 20000; i++) {
        int off, dst;
        jutsu_time_t t;
        jutsu_tz_offset(tz, utc(2024, 7, 1, 0, 0, 0) + (int64_t)i * 3600 * JUTSU_USEC_PER_SEC,
                        &off, &dst);
        bad += (off == -4 * H) != (dst == 1);
        jutsu_tz_to_utc(tz, jutsu_date_from_ymd(2024, 3, 10), 2, 30, 0, &t);
        bad += t != utc(2024, 3, 10, 7, 30, 0);
    }
    return (void *)bad;
}

START_TEST(test_shared_between_threads)
{
    jutsu_tz *tz = load_system("America/New_York");
    pthread_t th[4];

    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, tz), 0);
    for (int i = 0; i < 4; i++) {
        void *bad = NULL;
        ck_assert_int_eq(pthread_join(th[i], &bad), 0);
        ck_assert_ptr_null(bad);
    }
    jutsu_tz_free(tz);
}
END_TEST

static Suite *tz_suite(void)
{
    Suite *s = suite_create("tz");
    TCase *tc = tcase_create("core");
    TCase *libc = tcase_create("libc");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ny_transitions);
    tcase_add_test(tc, test_ny_local_date);
    tcase_add_test(tc, test_ny_to_utc);
    tcase_add_test(tc, test_ny_footer_rule);
    tcase_add_test(tc, test_other_zones);
    tcase_add_test(tc, test_bad_names);
    tcase_add_test(tc, test_file_versions);
    tcase_add_test(tc, test_footer_rules);
    tcase_add_test(tc, test_malformed_files);
    tcase_add_test(tc, test_to_utc_property);
    tcase_add_test(tc, test_shared_between_threads);
    suite_add_tcase(s, tc);
    tcase_set_timeout(libc, 300);
    tcase_add_test(libc, test_libc_new_york);
    tcase_add_test(libc, test_libc_footer_years);
    tcase_add_test(libc, test_libc_other_zones);
    suite_add_tcase(s, libc);
    return s;
}

int main(void)
{
    return tu_run(tz_suite());
}
