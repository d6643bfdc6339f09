/*
 * core/sdk/date.c — calendar arithmetic and ISO 8601 text for dates and instants.
 *
 * Day numbers come from counting in 400-year eras of the proleptic
 * Gregorian calendar: an era is always 146097 days, and starting the year
 * on 1 March puts the leap day at the end of the year, so the day within a
 * year follows from the month by a linear formula. The same arithmetic runs
 * backwards for day number -> civil date. Everything is integer, pure and
 * reentrant; no libc time function (and so no TZ) is involved.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/clock.h"
#include "jutsu/error.h"

#define DAYS_PER_ERA    146097     /* 400 Gregorian years                 */
#define EPOCH_FROM_0301 719468     /* 0000-03-01 .. 1970-01-01, in days   */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

jutsu_date_t jutsu_date_from_ymd(int year, int month, int day)
{
    /* Years start in March: January and February belong to the year before. */
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                          /* 0..399 */
    int64_t mp = month > 2 ? month - 3 : month + 9;       /* Mar = 0 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;           /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0..146096 */

    return (jutsu_date_t)(era * DAYS_PER_ERA + doe - EPOCH_FROM_0301);
}

void jutsu_date_to_ymd(jutsu_date_t d, int *year, int *month, int *day)
{
    int64_t z = (int64_t)d + EPOCH_FROM_0301;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;
    /* The era's leap days sit at yoe*365 + yoe/4 - yoe/100 (minus one at
     * the 400th year); removing them leaves a plain 365-day count. */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / (DAYS_PER_ERA - 1)) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t yy = yoe + era * 400 + (mm <= 2);

    if (year)
        *year = (int)yy;
    if (month)
        *month = (int)mm;
    if (day)
        *day = (int)dd;
}

int jutsu_date_weekday(jutsu_date_t d)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = ((int64_t)d + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int jutsu_date_days_in_month(int year, int month)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Exactly `n` ASCII digits at s as a number, or -1. */
static int fixed_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" at s (10 bytes known to be there): its numbers, the form
 * checked but not whether such a day exists. */
static int split_ymd(const char *s, int *y, int *m, int *d)
{
    *y = fixed_digits(s, 4);
    *m = fixed_digits(s + 5, 2);
    *d = fixed_digits(s + 8, 2);
    if (*y < 0 || *m < 0 || *d < 0 || s[4] != '-' || s[7] != '-')
        return JUTSU_EMALFORMED;
    return 0;
}

/* "YYYY-MM-DD" at s (10 bytes known to be there), validated. */
static int parse_ymd(const char *s, jutsu_date_t *out)
{
    int y, m, d;

    if (split_ymd(s, &y, &m, &d) != 0 || d < 1 || d > jutsu_date_days_in_month(y, m))
        return JUTSU_EMALFORMED;
    *out = jutsu_date_from_ymd(y, m, d);
    return 0;
}

static size_t text_len(const char *text, long len)
{
    return len < 0 ? strlen(text) : (size_t)len;
}

int jutsu_date_parse(const char *text, long len, jutsu_date_t *out)
{
    if (text == NULL || out == NULL)
        return JUTSU_EINVAL;
    if (text_len(text, len) != 10)
        return JUTSU_EMALFORMED;
    return parse_ymd(text, out);
}

int jutsu_date_split(const char *text, long len, int *year, int *month, int *day)
{
    int y, m, d;

    if (text == NULL)
        return JUTSU_EINVAL;
    if (text_len(text, len) != 10 || split_ymd(text, &y, &m, &d) != 0)
        return JUTSU_EMALFORMED;
    if (year)
        *year = y;
    if (month)
        *month = m;
    if (day)
        *day = d;
    return 0;
}

int jutsu_date_format(jutsu_date_t d, char *buf)
{
    int y, m, dd;

    jutsu_date_to_ymd(d, &y, &m, &dd);
    /* Outside 0000..9999 ISO 8601 wants an explicit sign on the year. The
     * common case by hand: a backtest formats tens of thousands of dates. */
    if (y >= 0 && y <= 9999) {
        buf[0] = (char)('0' + y / 1000);
        buf[1] = (char)('0' + y / 100 % 10);
        buf[2] = (char)('0' + y / 10 % 10);
        buf[3] = (char)('0' + y % 10);
        buf[4] = '-';
        buf[5] = (char)('0' + m / 10);
        buf[6] = (char)('0' + m % 10);
        buf[7] = '-';
        buf[8] = (char)('0' + dd / 10);
        buf[9] = (char)('0' + dd % 10);
        buf[10] = '\0';
        return 10;
    }
    return snprintf(buf, JUTSU_DATE_BUFSZ, "%+05d-%02d-%02d", y, m, dd);
}

/* ".f" with 1..6 digits at s[*pos], as microseconds; advances *pos. */
static int parse_fraction(const char *s, size_t n, size_t *pos, int64_t *usec)
{
    size_t i = *pos + 1;
    int64_t v = 0;
    int digits = 0;

    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (digits == 6)
            return JUTSU_EMALFORMED;
        v = v * 10 + (s[i] - '0');
    }
    if (digits == 0)
        return JUTSU_EMALFORMED;
    for (int k = digits; k < 6; k++)
        v *= 10;
    *usec = v;
    *pos = i;
    return 0;
}

/* What follows the seconds: nothing (UTC), "Z" or "±HH:MM", as seconds
 * east of UTC. */
static int parse_zone(const char *s, size_t n, size_t pos, int64_t *east)
{
    *east = 0;
    if (pos == n)
        return 0;
    if (s[pos] == 'Z')
        return pos + 1 == n ? 0 : JUTSU_EMALFORMED;
    if ((s[pos] != '+' && s[pos] != '-') || n - pos != 6 || s[pos + 3] != ':')
        return JUTSU_EMALFORMED;
    int hh = fixed_digits(s + pos + 1, 2);
    int mm = fixed_digits(s + pos + 4, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
        return JUTSU_EMALFORMED;
    *east = (s[pos] == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
    return 0;
}

int jutsu_time_parse(const char *text, long len, jutsu_time_t *out)
{
    size_t n, pos = 19;
    jutsu_date_t d;
    int64_t usec = 0, east;

    if (text == NULL || out == NULL)
        return JUTSU_EINVAL;
    n = text_len(text, len);
    if (n < 10 || parse_ymd(text, &d) < 0)
        return JUTSU_EMALFORMED;
    if (n == 10) {
        *out = jutsu_date_to_time(d);
        return 0;
    }
    if (n < 19 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
        return JUTSU_EMALFORMED;
    int hh = fixed_digits(text + 11, 2);
    int mi = fixed_digits(text + 14, 2);
    int ss = fixed_digits(text + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
        return JUTSU_EMALFORMED;
    if (pos < n && text[pos] == '.' && parse_fraction(text, n, &pos, &usec) < 0)
        return JUTSU_EMALFORMED;
    if (parse_zone(text, n, pos, &east) < 0)
        return JUTSU_EMALFORMED;
    int64_t secs = (int64_t)d * 86400 + hh * 3600 + mi * 60 + ss - east;
    *out = secs * JUTSU_USEC_PER_SEC + usec;
    return 0;
}

int jutsu_time_format(jutsu_time_t t, char *buf)
{
    /* Remainder first: t - day * USEC_PER_DAY could overflow near INT64_MIN. */
    int64_t rem = t % JUTSU_USEC_PER_DAY;
    if (rem < 0)
        rem += JUTSU_USEC_PER_DAY;
    int n = jutsu_date_format(jutsu_time_to_date(t), buf);
    int64_t secs = rem / JUTSU_USEC_PER_SEC;
    int64_t usec = rem % JUTSU_USEC_PER_SEC;
    size_t room = JUTSU_TIME_BUFSZ - (size_t)n;

    if (usec != 0)
        return n + snprintf(buf + n, room, "T%02d:%02d:%02d.%06dZ", (int)(secs / 3600),
                            (int)(secs / 60 % 60), (int)(secs % 60), (int)usec);
    return n + snprintf(buf + n, room, "T%02d:%02d:%02dZ", (int)(secs / 3600),
                        (int)(secs / 60 % 60), (int)(secs % 60));
}
