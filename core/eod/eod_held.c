/*
 * core/eod/eod_held.c — a snapshot's positions read without json-c (see
 * eod_held.h).
 */
#include <string.h>

#include "eod/eod_held.h"

/* A string without escapes at *pp (its opening quote), its body into
 * out[0..sz) when out is not NULL; advances past the closing quote. */
static int fast_string(const char **pp, char *out, size_t sz)
{
    const char *p = *pp + 1, *start = p;
    for (; *p != '"'; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return -1;   /* the end of the text, a control character, an escape */
    size_t n = (size_t)(p - start);
    if (out != NULL) {
        if (n >= sz)
            return -1;
        memcpy(out, start, n);
        out[n] = '\0';
    }
    *pp = p + 1;
    return 0;
}

/* A number, true, false or null at *pp; *whole: an integer json-c would
 * read as one (at most 18 digits), into *v. */
static int fast_scalar(const char **pp, int *whole, int64_t *v)
{
    const char *p = *pp;
    static const char *const words[] = { "true", "false", "null" };
    *whole = 0;
    for (size_t k = 0; k < 3; k++)
        if (strncmp(p, words[k], strlen(words[k])) == 0) {
            *pp = p + strlen(words[k]);
            return 0;
        }
    int neg = *p == '-', digits = 0;
    int64_t x = 0;
    p += neg;
    if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
        return -1;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (digits < 18)
            x = x * 10 + (*p - '0');
    int frac = *p == '.' || *p == 'e' || *p == 'E';
    if (*p == '.') {
        if (*++p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p += p[1] == '+' || p[1] == '-' ? 2 : 1;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (!frac && digits > 18)
        return -1;   /* near int64's edge: json-c's rules */
    *whole = !frac;
    *v = neg ? -x : x;
    *pp = p;
    return 0;
}

int jutsu_eod_held_fast(const char *text, struct jutsu_eod_held *hs)
{
    const char *p = text;
    hs->n = 0;
    if (*p++ != '[')
        return -1;
    if (*p == ']')
        return p[1] == '\0' ? 0 : -1;
    for (;;) {
        if (hs->n == JUTSU_EOD_HELD_MAX || *p++ != '{')
            return -1;
        int have_sym = 0, have_qty = 0;
        for (;;) {
            char key[16];
            if (*p != '"' || fast_string(&p, key, sizeof(key)) != 0 || *p++ != ':')
                return -1;
            int is_sym = strcmp(key, "symbol") == 0, is_qty = strcmp(key, "quantity") == 0;
            if ((is_sym && have_sym++) || (is_qty && have_qty++))
                return -1;   /* a repeated key: json-c keeps the last */
            if (*p == '"') {
                if (is_qty || fast_string(&p, is_sym ? hs->symbol[hs->n] : NULL,
                                          JUTSU_EOD_HELD_SYMBOL_SZ) != 0)
                    return -1;
            } else {
                int whole;
                int64_t x = 0;
                if (is_sym || fast_scalar(&p, &whole, &x) != 0 || (is_qty && !whole))
                    return -1;
                if (is_qty)
                    hs->quantity[hs->n] = x;
            }
            if (*p == '}')
                break;
            if (*p++ != ',')
                return -1;
        }
        if (!have_sym || !have_qty)
            return -1;
        hs->n++;
        p++;   /* the '}' */
        if (*p == ']')
            return p[1] == '\0' ? 0 : -1;
        if (*p++ != ',')
            return -1;
    }
}

