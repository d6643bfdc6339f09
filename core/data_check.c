/*
 * core/data_check.c — the spec's constraints, checked before any SQL runs.
 *
 * The database enforces them too (CHECK constraints, column lengths), but
 * a refusal here names the table, column and value in words a person can
 * act on, and nothing has been written when it happens.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store.h"

const char *const jutsu_modes[] = { "offline_mock", "online_live", NULL };
const char *const jutsu_timeframes[] = { "1D", "1H", "5m", "15m", NULL };

/* Length in characters (UTF-8 code points), as VARCHAR(n) counts. */
static size_t utf8_len(const char *v)
{
    size_t n = 0;
    for (; *v; v++)
        if (((unsigned char)*v & 0xC0) != 0x80)
            n++;
    return n;
}

int check_text(jutsu_dbs *s, const char *table, const char *col, const char *v, size_t max,
               int required)
{
    if (v == NULL || *v == '\0') {
        if (required)
            return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required", table, col);
        return 0;
    }
    size_t n = utf8_len(v);
    if (max > 0 && n > max)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: \"%.40s%s\" is %zu characters, "
                              "the column holds %zu", table, col, v, n > 40 ? "..." : "", n, max);
    return 0;
}

int check_enum(jutsu_dbs *s, const char *table, const char *col, const char *v,
               const char *const *choices, int required)
{
    if (v == NULL || *v == '\0')
        return required ? jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required",
                                         table, col) : 0;
    char list[160];
    size_t len = 0;
    for (const char *const *c = choices; *c; c++) {
        if (strcmp(*c, v) == 0)
            return 0;
        len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0,
                                "%s%s", len ? ", " : "", *c);
    }
    return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: \"%.40s\" is not one of %s", table, col, v,
                          list);
}

int check_money(jutsu_dbs *s, const char *table, const char *col, jutsu_money_t v, int required)
{
    if (v == JUTSU_MONEY_NULL)
        return required ? jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required",
                                         table, col) : 0;
    if (v > JUTSU_MONEY_MAX || v < JUTSU_MONEY_MIN)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %lld micro-units is beyond "
                              "NUMERIC(18,6) (|value| <= 999999999999.999999)", table, col,
                              (long long)v);
    return 0;
}

int check_fixed(jutsu_dbs *s, const char *table, const char *col, double v, int precision,
                int scale, int required)
{
    if (isnan(v))
        return required ? jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required "
                                         "(got NaN)", table, col) : 0;
    if (!isfinite(v))
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %s is not a finite number", table, col,
                              v > 0 ? "inf" : "-inf");
    /* NUMERIC(p,s) holds |v| < 10^(p-s) after rounding to s places */
    double limit = pow(10.0, precision - scale);
    double rounded = nearbyint(v * pow(10.0, scale)) / pow(10.0, scale);
    if (fabs(rounded) >= limit)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %g is beyond NUMERIC(%d,%d)", table, col,
                              v, precision, scale);
    return 0;
}

int check_positive(jutsu_dbs *s, const char *table, const char *col, int64_t v)
{
    if (v <= 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %lld must be greater than 0", table, col,
                              (long long)v);
    return 0;
}
