/*
 * core/store/check.c — the spec's constraints, checked before any SQL runs.
 *
 * The database enforces them too (CHECK constraints, column lengths), but
 * a refusal here names the table, column and value in words a person can
 * act on, and nothing has been written when it happens.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "jutsu/error.h"
#include "store/row.h"
#include "store/store.h"

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

int jutsu_check_text(jutsu_dbs *s, const char *table, const char *col, const char *v, size_t max,
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

int jutsu_check_enum(jutsu_dbs *s, const char *table, const char *col, const char *v,
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

int jutsu_check_money(jutsu_dbs *s, const char *table, const char *col, jutsu_money_t v,
                      int required)
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

int jutsu_check_fixed(jutsu_dbs *s, const char *table, const char *col, double v, int precision,
                      int scale, int required)
{
    if (isnan(v))
        return required ? jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required "
                                         "(got NaN)", table, col) : 0;
    if (!isfinite(v))
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %s is not a finite number", table, col,
                              v > 0 ? "inf" : "-inf");
    /* NUMERIC(p,s) holds |v| < 10^(p-s) after rounding to s places */
    double limit = jutsu_row_pow10(precision - scale);
    double rounded = nearbyint(v * jutsu_row_pow10(scale)) / jutsu_row_pow10(scale);
    if (fabs(rounded) >= limit)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %g is beyond NUMERIC(%d,%d)", table, col,
                              v, precision, scale);
    return 0;
}

int jutsu_check_id(jutsu_dbs *s, const char *table, const char *col, int64_t id)
{
    if (id <= 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: %lld is not a row id", table, col,
                              (long long)id);
    return 0;
}

int jutsu_check_time_set(jutsu_dbs *s, const char *table, const char *col, jutsu_time_t t)
{
    if (t == 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: a value is required", table, col);
    return 0;
}

int jutsu_check_scope(jutsu_dbs *s, const char *table, const char *id_col, const char *id,
                      const char *mode)
{
    int rc = jutsu_check_text(s, table, id_col, id, 50, 1);
    return rc ? rc : jutsu_check_enum(s, table, "mode", mode, jutsu_modes, 1);
}

int jutsu_check_positive(jutsu_dbs *s, const char *table, const char *col, int64_t v)
{
    if (v <= 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "%s.%s: %lld must be greater than 0", table, col,
                              (long long)v);
    return 0;
}

/* One JSON text and only that: json_tokener_parse_verbose() stops at the
 * end of the first value and would accept `{"a":1} junk` or `null123`, so
 * the tokener is driven directly and the rest must be blank. Fills `why`. */
int jutsu_json_strict(const char *v, char *why, size_t n)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    size_t len = strlen(v);
    /* the NUL is part of the input so that a bare number at the end ends */
    json_object *o = json_tokener_parse_ex(tok, v, (int)len + 1);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_object_put(o);
    json_tokener_free(tok);
    if (e != json_tokener_success) {
        snprintf(why, n, "%s at offset %zu", json_tokener_error_desc(e), end);
        return -1;
    }
    for (size_t i = end; i < len; i++)
        if (!isspace((unsigned char)v[i])) {
            snprintf(why, n, "unexpected text after the JSON value at offset %zu", i);
            return -1;
        }
    return 0;
}

int jutsu_check_json(jutsu_dbs *s, const char *table, const char *col, const char *v)
{
    char why[96];
    if (jutsu_json_strict(v, why, sizeof(why)) != 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "%s.%s: \"%.40s\" is not JSON: %s", table, col,
                              v, why);
    return 0;
}
