/*
 * plugins/frontend-http/fe_query.c — query parameters: read from the URL
 * (libmicrohttpd has decoded them), bounded, typed, and refused with a 400
 * that names the parameter and says what it must be.
 *
 * An empty value ("?from=") counts as absent: forms send empty fields.
 * A parameter the route does not know is ignored, as most APIs do.
 */
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/clock.h"
#include "fe.h"

static const char *const month_names[] = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"
};

/* The value as sent, or NULL (absent or empty); *len its length. */
static const char *raw(struct fe_req *r, const char *name, size_t *len)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    if (v == NULL || *v == '\0')
        return NULL;
    *len = strnlen(v, FE_PARAM_MAX);
    return v;
}

/* 400 naming the parameter: `name: "value" tail`, or `name: tail` when
 * value is NULL. The value is echoed cut short and printable. */
static int bad(struct fe_req *r, const char *name, const char *value, const char *tail)
{
    char msg[FE_PARAM_MAX + 256], shown[48];
    size_t n = 0;
    for (const char *p = value; p && *p && n + 4 < sizeof(shown); p++)
        shown[n++] = (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? *p : '?';
    if (value && strlen(value) > n)
        shown[n++] = '.', shown[n++] = '.', shown[n++] = '.';
    shown[n] = '\0';
    if (value)
        snprintf(msg, sizeof(msg), "%s: \"%s\" %s", name, shown, tail);
    else
        snprintf(msg, sizeof(msg), "%s: %s", name, tail);
    return fe_bad_param(r, msg);
}

const char *fe_query(struct fe_req *r, const char *name)
{
    size_t len = 0;
    const char *v = raw(r, name, &len);
    /* a value too long for any parameter is nobody's: callers that need
     * to refuse it use the typed readers, which say so */
    return v && len < FE_PARAM_MAX ? v : NULL;
}

static int too_long(struct fe_req *r, const char *name, const char *v, size_t len, size_t max)
{
    if (len < max && len < FE_PARAM_MAX)
        return 0;
    char what[64];
    snprintf(what, sizeof(what), "is too long (at most %zu characters)",
             (max < FE_PARAM_MAX ? max : FE_PARAM_MAX) - 1);
    return bad(r, name, v, what);
}

int fe_query_date(struct fe_req *r, const char *name, int optional, jutsu_date_t *out)
{
    size_t len = 0;
    const char *v = raw(r, name, &len);
    if (v == NULL) {
        if (optional)
            return 0;
        return bad(r, name, NULL, "is required (a date, YYYY-MM-DD)");
    }
    if (too_long(r, name, v, len, 11))
        return -1;
    jutsu_date_t d;
    if (jutsu_date_parse(v, (long)len, &d) == 0) {
        *out = d;
        return 0;
    }
    int y, m, day;
    if (jutsu_date_split(v, (long)len, &y, &m, &day) != 0)
        return bad(r, name, v, "is not a date (YYYY-MM-DD)");
    char why[80];
    if (m < 1 || m > 12)
        snprintf(why, sizeof(why), "is not a date (there is no month %d)", m);
    else
        snprintf(why, sizeof(why), "is not a date (%s %d has %d days)", month_names[m - 1], y,
                 jutsu_date_days_in_month(y, m));
    return bad(r, name, v, why);
}

int fe_query_int(struct fe_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
    size_t len = 0;
    const char *v = raw(r, name, &len);
    if (v == NULL)
        return 0;
    char what[96];
    snprintf(what, sizeof(what), "is not a whole number from %" PRId64 " to %" PRId64, min, max);
    if (len > 20)
        return bad(r, name, v, what);
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    /* strtoll takes blanks and a '+': a query parameter is digits */
    int digits = (v[0] == '-' ? v[1] : v[0]) >= '0' && (v[0] == '-' ? v[1] : v[0]) <= '9';
    if (!digits || errno != 0 || end == v || *end != '\0')
        return bad(r, name, v, what);
    if (x < min || x > max)
        return bad(r, name, v, what);
    *out = (int64_t)x;
    return 0;
}

int fe_query_word(struct fe_req *r, const char *name, size_t max, const char **out)
{
    size_t len = 0;
    const char *v = raw(r, name, &len);
    *out = NULL;
    if (v == NULL)
        return 0;
    if (too_long(r, name, v, len, max + 1))
        return -1;
    for (const char *p = v; *p; p++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == ':' || c == ',' || c == '-';
        if (!ok)
            return bad(r, name, v, "is not a word (letters, digits and _ . : , -)");
    }
    *out = v;
    return 0;
}

int fe_query_page(struct fe_req *r, int64_t def, int64_t max_per_page, int64_t *page,
                  int64_t *per_page)
{
    *page = 1;
    *per_page = def;
    /* a page past ~10^9 rows is no page: bounding it keeps offsets exact */
    if (fe_query_int(r, "page", 1, 1000000000, page) != 0 ||
        fe_query_int(r, "per_page", 1, max_per_page, per_page) != 0)
        return -1;
    return 0;
}

int fe_bad_param(struct fe_req *r, const char *msg)
{
    fe_error(r, 400, "bad_parameter", msg, NULL);
    return -1;
}
