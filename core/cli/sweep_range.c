/*
 * core/cli/sweep_range.c — one --sweep NAME=SPEC into its values (see
 * sweep.h). A range is computed in scaled integers: a double's 0.1 is not
 * 0.1, and 0.8 + 6 * 0.1 would give 1.4000000000000001 or stop at 1.3.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jutsu/error.h"
#include "cli/sweep.h"

/* int64 holds every 18-digit number */
#define MAX_DIGITS 18

static const int64_t pow10_tab[MAX_DIGITS + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
    10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
    1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000
};

int jutsu_sweep_decimal(const char *s, int64_t *units, int *places)
{
    int neg = 0, digits = 0, frac = -1;
    int64_t v = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)*s) || ++digits > MAX_DIGITS)
            return -1;
        v = v * 10 + (*s - '0');
        if (frac >= 0)
            frac++;
    }
    if (digits == 0 || frac == 0)   /* "", "-", "1." */
        return -1;
    *units = neg ? -v : v;
    *places = frac < 0 ? 0 : frac;
    return 0;
}

/* v (units of 10^-from) in units of 10^-to, to >= from; -1 if it does not
 * fit in MAX_DIGITS digits. */
static int rescale(int64_t v, int from, int to, int64_t *out)
{
    int64_t m = pow10_tab[to - from], a = v < 0 ? -v : v;
    if (a > (pow10_tab[MAX_DIGITS] - 1) / m)
        return -1;
    *out = v * m;
    return 0;
}

/* units of 10^-places as text: "-0.5", "140", "1.40". */
static void format_units(int64_t v, int places, char *buf, size_t n)
{
    int64_t a = v < 0 ? -v : v, scale = pow10_tab[places];
    if (places == 0)
        snprintf(buf, n, "%s%lld", v < 0 ? "-" : "", (long long)a);
    else
        snprintf(buf, n, "%s%lld.%0*lld", v < 0 ? "-" : "", (long long)(a / scale), places,
                 (long long)(a % scale));
}

static int is_true(const char *s)
{
    return !strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on");
}

static int is_false(const char *s)
{
    return !strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off");
}

int jutsu_sweep_same(const char *a, const char *b)
{
    int64_t x, y, xs, ys;
    int px, py;
    if (jutsu_sweep_decimal(a, &x, &px) == 0 && jutsu_sweep_decimal(b, &y, &py) == 0) {
        int p = px > py ? px : py;
        if (rescale(x, px, p, &xs) != 0 || rescale(y, py, p, &ys) != 0)
            return strcmp(a, b) == 0;
        return xs == ys;
    }
    if ((is_true(a) && is_true(b)) || (is_false(a) && is_false(b)))
        return 1;
    return strcmp(a, b) == 0;
}

void jutsu_sweep_axis_free(struct jutsu_sweep_axis *ax)
{
    for (size_t i = 0; ax->values && i < ax->n; i++)
        free(ax->values[i]);
    free(ax->values);
    free(ax->name);
    memset(ax, 0, sizeof(*ax));
}

static int add_value(struct jutsu_sweep_axis *ax, size_t cap, const char *text, size_t len)
{
    if (ax->n == cap)
        return JUTSU_EINVAL;
    if ((ax->values[ax->n] = strndup(text, len)) == NULL)
        return JUTSU_ENOMEM;
    ax->n++;
    return 0;
}

/* "a:b:step" into its three decimals at the finest of their places. */
static int range_bounds(const char *name, const char *spec, int64_t v[3], int *places,
                        char *err, size_t errsz)
{
    static const char *const what[3] = { "start", "end", "step" };
    char part[3][64];
    int p[3];
    const char *s = spec;
    for (int i = 0; i < 3; i++) {
        size_t len = strcspn(s, ":");
        if ((i < 2 && s[len] != ':') || (i == 2 && s[len] != '\0') || len >= sizeof(part[i])) {
            snprintf(err, errsz, "--sweep %s=%s: write a range as START:END:STEP "
                     "(e.g. %s=0.8:1.4:0.1), or list the values: a,b,c", name, spec, name);
            return JUTSU_EINVAL;
        }
        memcpy(part[i], s, len);
        part[i][len] = '\0';
        if (jutsu_sweep_decimal(part[i], &v[i], &p[i]) != 0) {
            snprintf(err, errsz, "--sweep %s=%s: the %s \"%s\" is not a decimal number "
                     "(digits, one point, at most %d digits)", name, spec, what[i], part[i],
                     MAX_DIGITS);
            return JUTSU_EINVAL;
        }
        s += len + 1;
    }
    *places = p[0] > p[1] ? p[0] : p[1];
    *places = p[2] > *places ? p[2] : *places;
    for (int i = 0; i < 3; i++)
        if (rescale(v[i], p[i], *places, &v[i]) != 0) {
            snprintf(err, errsz, "--sweep %s=%s: too many digits", name, spec);
            return JUTSU_EINVAL;
        }
    if (v[2] <= 0) {
        snprintf(err, errsz, "--sweep %s=%s: the step must be above 0", name, spec);
        return JUTSU_EINVAL;
    }
    if (v[0] > v[1]) {
        snprintf(err, errsz, "--sweep %s=%s: the start is above the end", name, spec);
        return JUTSU_EINVAL;
    }
    return 0;
}

static int parse_range(struct jutsu_sweep_axis *ax, const char *spec, char *err, size_t errsz)
{
    int64_t v[3];
    int rc = range_bounds(ax->name, spec, v, &ax->places, err, errsz);
    if (rc != 0)
        return rc;
    /* (end - start) / step + 1 values; the end is one of them only when
     * a whole number of steps lands on it */
    uint64_t span = (uint64_t)(v[1] - v[0]), count = span / (uint64_t)v[2] + 1;
    if (count > JUTSU_SWEEP_MAX) {
        snprintf(err, errsz, "--sweep %s=%s: %llu values; at most %d", ax->name, spec,
                 (unsigned long long)count, JUTSU_SWEEP_MAX);
        return JUTSU_EINVAL;
    }
    if ((ax->values = calloc(count, sizeof(*ax->values))) == NULL)
        return JUTSU_ENOMEM;
    ax->is_range = 1;
    for (uint64_t i = 0; i < count; i++) {
        char buf[48];
        format_units(v[0] + (int64_t)i * v[2], ax->places, buf, sizeof(buf));
        if ((rc = add_value(ax, count, buf, strlen(buf))) != 0)
            return rc;
    }
    return 0;
}

/* Spaces around a list item are not part of it. */
static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int parse_list(struct jutsu_sweep_axis *ax, const char *spec, char *err, size_t errsz)
{
    size_t cap = 1;
    for (const char *c = spec; *c; c++)
        cap += *c == ',';
    if (cap > JUTSU_SWEEP_MAX) {
        snprintf(err, errsz, "--sweep %s: %zu values; at most %d", ax->name, cap,
                 JUTSU_SWEEP_MAX);
        return JUTSU_EINVAL;
    }
    if ((ax->values = calloc(cap, sizeof(*ax->values))) == NULL)
        return JUTSU_ENOMEM;
    for (const char *s = spec;; ) {
        size_t len = strcspn(s, ","), raw = len;
        const char *item = s;
        trim(&item, &len);
        if (len == 0) {
            snprintf(err, errsz, "--sweep %s=%s: an empty value in the list", ax->name, spec);
            return JUTSU_EINVAL;
        }
        int rc = add_value(ax, cap, item, len);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i + 1 < ax->n; i++)
            if (jutsu_sweep_same(ax->values[i], ax->values[ax->n - 1])) {
                snprintf(err, errsz, "--sweep %s=%s: %s is listed twice", ax->name, spec,
                         ax->values[ax->n - 1]);
                return JUTSU_EINVAL;
            }
        if (s[raw] == '\0')
            return 0;
        s += raw + 1;
    }
}

int jutsu_sweep_axis_parse(const char *arg, struct jutsu_sweep_axis *ax, char *err,
                           size_t errsz)
{
    memset(ax, 0, sizeof(*ax));
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        snprintf(err, errsz, "--sweep %s: write it as NAME=START:END:STEP or NAME=a,b,c "
                 "(e.g. upper_z=0.8:1.4:0.1)", arg);
        return JUTSU_EINVAL;
    }
    if ((ax->name = strndup(arg, (size_t)(eq - arg))) == NULL)
        return JUTSU_ENOMEM;
    const char *spec = eq + 1;
    return strchr(spec, ':') ? parse_range(ax, spec, err, errsz)
                             : parse_list(ax, spec, err, errsz);
}
