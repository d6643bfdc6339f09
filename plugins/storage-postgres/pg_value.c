/*
 * plugins/storage-postgres/pg_value.c — the text forms of values as
 * PostgreSQL reads and writes them.
 *
 * Everything crosses the wire as text (bytea parameters aside), so these
 * codecs decide exactness: NUMERIC goes through integer arithmetic only,
 * TIMESTAMPTZ keeps every microsecond and any offset, dates before year 1
 * use PostgreSQL's " BC" suffix. The formatters run once per value in the
 * COPY path, so they write digits by hand rather than through snprintf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

/* Digits of m, least significant first; returns how many. */
static int digits_rev(uint64_t m, char *tmp)
{
    int n = 0;
    do {
        tmp[n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    return n;
}

int pg_fmt_decimal(int64_t v, unsigned scale, char *buf)
{
    char tmp[24];
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int n = digits_rev(m, tmp);
    int s = (int)(scale > 18 ? 18 : scale);
    char *p = buf;

    while (n <= s)               /* at least one digit before the point */
        tmp[n++] = '0';
    if (v < 0)
        *p++ = '-';
    for (int i = n - 1; i >= s; i--)
        *p++ = tmp[i];
    if (s > 0) {
        *p++ = '.';
        for (int i = s - 1; i >= 0; i--)
            *p++ = tmp[i];
    }
    *p = '\0';
    return (int)(p - buf);
}

int pg_fmt_int(int64_t v, char *buf)
{
    return pg_fmt_decimal(v, 0, buf);
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* Year (with " BC" handled by the caller), month and day. */
static char *put_ymd(char *p, int y, int m, int d)
{
    char tmp[16];
    int n = digits_rev((uint64_t)y, tmp);
    for (int i = n; i < 4; i++)
        *p++ = '0';
    while (n > 0)
        *p++ = tmp[--n];
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    return put2(p, d);
}

/* PostgreSQL has no year 0: 1 BC is astronomical year 0. */
static char *put_date(char *p, jutsu_date_t d, int *bc)
{
    int y, m, dd;
    jutsu_date_to_ymd(d, &y, &m, &dd);
    *bc = y <= 0;
    return put_ymd(p, *bc ? 1 - y : y, m, dd);
}

int pg_fmt_date(jutsu_date_t d, char *buf)
{
    int bc;
    char *p = put_date(buf, d, &bc);
    if (bc) {
        memcpy(p, " BC", 3);
        p += 3;
    }
    *p = '\0';
    return (int)(p - buf);
}

int pg_fmt_time(jutsu_time_t t, char *buf)
{
    /* remainder first: t - day * USEC_PER_DAY could overflow near INT64_MIN */
    int64_t rem = t % JUTSU_USEC_PER_DAY;
    if (rem < 0)
        rem += JUTSU_USEC_PER_DAY;
    int bc;
    char *p = put_date(buf, jutsu_time_to_date(t), &bc);
    int64_t secs = rem / JUTSU_USEC_PER_SEC, usec = rem % JUTSU_USEC_PER_SEC;

    *p++ = ' ';
    p = put2(p, (int)(secs / 3600));
    *p++ = ':';
    p = put2(p, (int)(secs / 60 % 60));
    *p++ = ':';
    p = put2(p, (int)(secs % 60));
    if (usec) {
        *p++ = '.';
        for (int i = 5; i >= 0; i--) {
            p[i] = (char)('0' + usec % 10);
            usec /= 10;
        }
        p += 6;
    }
    memcpy(p, "+00", 3);
    p += 3;
    if (bc) {
        memcpy(p, " BC", 3);
        p += 3;
    }
    *p = '\0';
    return (int)(p - buf);
}

int pg_fmt_double(double f, char *buf)
{
    if (isnan(f))
        return snprintf(buf, PG_NUM_BUFSZ, "NaN");
    if (isinf(f))
        return snprintf(buf, PG_NUM_BUFSZ, f < 0 ? "-Infinity" : "Infinity");
    return snprintf(buf, PG_NUM_BUFSZ, "%.17g", f);
}

/* ---- parsing ------------------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int pg_parse_decimal(const char *s, size_t n, unsigned scale, int64_t *out)
{
    size_t i = 0;
    int neg = 0, dot = 0, digits = 0;
    unsigned frac = 0;
    uint64_t acc = 0;

    if (scale > 18)
        return JUTSU_EINVAL;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (!is_digit(s[i]))
            return JUTSU_EINVAL;
        digits++;
        unsigned d = (unsigned)(s[i] - '0');
        if (dot && frac == scale) {
            /* a zero beyond the scale loses nothing; anything else would round */
            if (d != 0)
                return JUTSU_EINVAL;
            continue;
        }
        frac += dot;
        if (acc > (limit - d) / 10)
            return JUTSU_ERANGE;
        acc = acc * 10 + d;
    }
    if (digits == 0)
        return JUTSU_EINVAL;
    for (; frac < scale; frac++) {
        if (acc > limit / 10)
            return JUTSU_ERANGE;
        acc *= 10;
    }
    if (neg)
        *out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    else
        *out = (int64_t)acc;
    return 0;
}

/* Exactly k digits at s+*i. */
static int fixed(const char *s, size_t n, size_t *i, int k, int *v)
{
    if (*i + (size_t)k > n)
        return -1;
    *v = 0;
    for (int j = 0; j < k; j++) {
        if (!is_digit(s[*i + (size_t)j]))
            return -1;
        *v = *v * 10 + (s[*i + (size_t)j] - '0');
    }
    *i += (size_t)k;
    return 0;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY[Y..]-MM-DD" at s+*i; the year as written (BC applied later). */
static int scan_ymd(const char *s, size_t n, size_t *i, int *y, int *m, int *d)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t start = *i;
    *y = 0;
    while (*i < n && is_digit(s[*i]) && *i - start < 7)
        *y = *y * 10 + (s[(*i)++] - '0');
    if (*i - start < 4 || *i >= n || s[*i] != '-')
        return -1;
    (*i)++;
    if (fixed(s, n, i, 2, m) || *i >= n || s[(*i)++] != '-' || fixed(s, n, i, 2, d))
        return -1;
    if (*m < 1 || *m > 12 || *d < 1)
        return -1;
    return *d > mdays[*m - 1] + (*m == 2 && leap(*y)) ? -1 : 0;
}

/* An optional " BC" at the end; converts the year if present. */
static int scan_bc(const char *s, size_t n, size_t *i, int *y)
{
    if (*i + 3 == n && memcmp(s + *i, " BC", 3) == 0) {
        *i = n;
        *y = 1 - *y;
    }
    return *i == n ? 0 : -1;
}

int pg_parse_date(const char *s, size_t n, jutsu_date_t *out)
{
    size_t i = 0;
    int y, m, d;
    if (scan_ymd(s, n, &i, &y, &m, &d) || scan_bc(s, n, &i, &y))
        return JUTSU_EINVAL;
    *out = jutsu_date_from_ymd(y, m, d);
    return 0;
}

/* "+HH", "+HH:MM", "+HH:MM:SS", "+HHMM" or "Z": seconds east of UTC. */
static int scan_offset(const char *s, size_t n, size_t *i, int64_t *east)
{
    int h, m = 0, sec = 0;
    *east = 0;
    if (*i < n && s[*i] == 'Z') {
        (*i)++;
        return 0;
    }
    if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
        return 0;                   /* TIMESTAMP without zone: UTC */
    int sign = s[(*i)++] == '-' ? -1 : 1;
    if (fixed(s, n, i, 2, &h))
        return -1;
    if (*i < n && s[*i] == ':') {
        (*i)++;
        if (fixed(s, n, i, 2, &m))
            return -1;
        if (*i < n && s[*i] == ':' && ((*i)++, fixed(s, n, i, 2, &sec)))
            return -1;
    } else if (*i + 2 <= n && is_digit(s[*i]) && fixed(s, n, i, 2, &m)) {
        return -1;
    }
    if (h > 15 || m > 59 || sec > 59)
        return -1;
    *east = sign * ((int64_t)h * 3600 + m * 60 + sec);
    return 0;
}

int pg_parse_time(const char *s, size_t n, jutsu_time_t *out)
{
    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int64_t usec = 0, east = 0;

    if (scan_ymd(s, n, &i, &y, &mo, &d))
        return JUTSU_EINVAL;
    if (i < n && (s[i] == ' ' || s[i] == 'T') && i + 1 < n && is_digit(s[i + 1])) {
        i++;
        if (fixed(s, n, &i, 2, &h) || i >= n || s[i++] != ':' || fixed(s, n, &i, 2, &mi) ||
            i >= n || s[i++] != ':' || fixed(s, n, &i, 2, &sec))
            return JUTSU_EINVAL;
        if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec)))
            return JUTSU_EINVAL;
        if (i < n && s[i] == '.') {
            int k = 0;
            for (i++; i < n && is_digit(s[i]); i++, k++) {
                if (k >= 6) {
                    if (s[i] != '0')    /* finer than a microsecond */
                        return JUTSU_EINVAL;
                    continue;
                }
                usec = usec * 10 + (s[i] - '0');
            }
            if (k == 0)
                return JUTSU_EINVAL;
            for (; k < 6; k++)
                usec *= 10;
        }
        if (scan_offset(s, n, &i, &east))
            return JUTSU_EINVAL;
    }
    if (scan_bc(s, n, &i, &y))
        return JUTSU_EINVAL;
    if (y < -290000 || y > 290000)
        return JUTSU_EINVAL;
    int64_t secs = (int64_t)jutsu_date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - east;
    *out = secs * JUTSU_USEC_PER_SEC + usec;
    return 0;
}

int pg_parse_bool(const char *s, size_t n, int *out)
{
    static const struct { const char *text; int v; } forms[] = {
        { "t", 1 }, { "f", 0 }, { "true", 1 }, { "false", 0 }, { "1", 1 }, { "0", 0 },
    };
    for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++)
        if (strlen(forms[k].text) == n && memcmp(forms[k].text, s, n) == 0) {
            *out = forms[k].v;
            return 0;
        }
    return JUTSU_EINVAL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pg_hex_decode(const char *s, size_t n, unsigned char *out, size_t *outlen)
{
    if (n < 2 || s[0] != '\\' || s[1] != 'x' || (n - 2) % 2 != 0)
        return JUTSU_EINVAL;
    size_t k = 0;
    for (size_t i = 2; i < n; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return JUTSU_EINVAL;
        out[k++] = (unsigned char)(hi << 4 | lo);
    }
    *outlen = k;
    return 0;
}

size_t pg_copy_escape(const char *s, size_t n, char *out)
{
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '\\': *p++ = '\\'; *p++ = '\\'; break;
        case '\t': *p++ = '\\'; *p++ = 't'; break;
        case '\n': *p++ = '\\'; *p++ = 'n'; break;
        case '\r': *p++ = '\\'; *p++ = 'r'; break;
        default:   *p++ = c; break;
        }
    }
    return (size_t)(p - out);
}
