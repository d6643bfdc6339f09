/*
 * core/sdk/money.c — decimal text <-> int64 micro-units, never through a double.
 *
 * Parsing runs in two passes. The first checks the syntax and notes where
 * the mantissa digits, the '.' and the exponent are; the second walks the
 * mantissa digits once, knowing from the exponent which power of ten each
 * digit stands for in micro-units. Digits worth 10^0 micro-units or more are
 * accumulated (with an overflow check at every step); the digit worth 10^-1
 * decides the rounding, and every digit below it only matters as "is
 * anything non-zero left?". Nothing is copied, so inputs of any length with
 * any number of leading zeros or decimals work in constant memory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/money.h"

/* Exponents beyond this cannot matter (the mantissa would have to be
 * longer than a petabyte), so saturating here keeps the arithmetic in
 * int64 without changing any result. */
#define EXP_SATURATE INT64_C(1000000000000000)

/* Where the parts of a syntactically valid number sit in the text. */
struct numtext {
    int     negative;
    size_t  mant_begin;  /* first mantissa byte (digit or '.')      */
    size_t  mant_end;    /* one past the last mantissa byte          */
    int64_t ndigits;     /* mantissa digits, '.' not counted         */
    int64_t nfrac;       /* of which after the '.'                   */
    int64_t exponent;    /* the e/E part, saturated at ±EXP_SATURATE */
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int scan_exponent(const char *s, size_t len, size_t *pos, int64_t *exp)
{
    size_t i = *pos;
    int neg = 0;
    int64_t v = 0;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i >= len || !is_digit(s[i]))
        return JUTSU_EMALFORMED;
    for (; i < len && is_digit(s[i]); i++) {
        if (v < EXP_SATURATE)
            v = v * 10 + (s[i] - '0');
    }
    if (v > EXP_SATURATE)
        v = EXP_SATURATE;
    *exp = neg ? -v : v;
    *pos = i;
    return 0;
}

/* Pass one: syntax only. */
static int scan(const char *s, size_t len, struct numtext *n)
{
    size_t i = 0;
    int seen_dot = 0;

    memset(n, 0, sizeof(*n));
    if (i < len && (s[i] == '+' || s[i] == '-'))
        n->negative = s[i++] == '-';
    n->mant_begin = i;
    for (; i < len; i++) {
        if (is_digit(s[i])) {
            n->ndigits++;
            if (seen_dot)
                n->nfrac++;
        } else if (s[i] == '.' && !seen_dot) {
            seen_dot = 1;
        } else {
            break;
        }
    }
    n->mant_end = i;
    if (n->ndigits == 0)
        return JUTSU_EMALFORMED;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (scan_exponent(s, len, &i, &n->exponent) < 0)
            return JUTSU_EMALFORMED;
    }
    return i == len ? 0 : JUTSU_EMALFORMED;
}

/* acc * 10 + digit, failing once the magnitude leaves NUMERIC(18,6). */
static int push_digit(uint64_t *acc, int digit)
{
    *acc = *acc * 10 + (uint64_t)digit;   /* acc <= MAX, so no wrap */
    return *acc > (uint64_t)JUTSU_MONEY_MAX ? JUTSU_ERANGE : 0;
}

static int round_up(int round, int rdigit, int sticky, uint64_t acc)
{
    if (round == JUTSU_MONEY_HALF_UP)
        return rdigit >= 5;
    /* HALF_EVEN: an exact half goes to the even neighbour. */
    if (rdigit != 5)
        return rdigit > 5;
    return sticky || (acc & 1) != 0;
}

/* Pass two: the value in micro-units. */
static int convert(const char *s, const struct numtext *n, int round,
                   jutsu_money_t *out)
{
    /* A digit at index k (0 = leftmost) is worth 10^(power) micro-units. */
    int64_t shift = n->exponent - n->nfrac + 6;
    int64_t power = n->ndigits - 1 + shift;
    uint64_t acc = 0;
    int rdigit = 0, sticky = 0;

    for (size_t i = n->mant_begin; i < n->mant_end; i++) {
        if (s[i] == '.')
            continue;
        int d = s[i] - '0';
        if (power >= 0) {
            if (push_digit(&acc, d) < 0)
                return JUTSU_ERANGE;
        } else if (power == -1) {
            rdigit = d;
        } else if (d != 0) {
            sticky = 1;
        }
        power--;
    }
    /* Trailing zeros implied by a positive exponent ("1.5e3"). */
    for (int64_t k = 0; acc != 0 && k < shift; k++) {
        if (push_digit(&acc, 0) < 0)
            return JUTSU_ERANGE;
    }
    if (rdigit != 0 || sticky) {
        if (round == JUTSU_MONEY_EXACT)
            return JUTSU_ERANGE;
        /* acc <= MAX here, so the increment cannot wrap. */
        if (round_up(round, rdigit, sticky, acc) && ++acc > (uint64_t)JUTSU_MONEY_MAX)
            return JUTSU_ERANGE;
    }
    *out = n->negative ? -(jutsu_money_t)acc : (jutsu_money_t)acc;
    return 0;
}

int jutsu_money_parse(const char *text, long len, int round, jutsu_money_t *out)
{
    struct numtext n;
    size_t size;
    int rc;

    if (text == NULL || out == NULL)
        return JUTSU_EINVAL;
    if (round != JUTSU_MONEY_EXACT && round != JUTSU_MONEY_HALF_EVEN &&
        round != JUTSU_MONEY_HALF_UP)
        return JUTSU_EINVAL;
    size = len < 0 ? strlen(text) : (size_t)len;
    rc = scan(text, size, &n);
    if (rc < 0)
        return rc;
    return convert(text, &n, round, out);
}

int jutsu_money_format(jutsu_money_t v, char *buf)
{
    /* Through uint64 so that even INT64_MIN formats without overflow.
     * Digits by hand, not snprintf: a backtest formats some 80,000 amounts
     * and snprintf made that 4% of its run. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t scale = (uint64_t)JUTSU_MONEY_SCALE;
    uint64_t whole = mag / scale, frac = mag % scale;
    char tmp[JUTSU_MONEY_BUFSZ];
    int n = 0, t = 0;

    if (v < 0)
        buf[n++] = '-';
    do {
        tmp[t++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole != 0);
    while (t > 0)
        buf[n++] = tmp[--t];
    buf[n++] = '.';
    for (int i = 5; i >= 0; i--) {
        buf[n + i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    n += 6;
    buf[n] = '\0';
    return n;
}

int jutsu_money_format_short(jutsu_money_t v, char *buf)
{
    int n = jutsu_money_format(v, buf);

    while (n > 0 && buf[n - 1] == '0')
        n--;
    if (n > 0 && buf[n - 1] == '.')
        n--;
    buf[n] = '\0';
    return n;
}

int jutsu_money_muldiv(jutsu_money_t a, jutsu_money_t b, jutsu_money_t c, jutsu_money_t *out)
{
    if (c == 0)
        return JUTSU_EINVAL;
    __int128 num = (__int128)a * b;
    int negative = (num < 0) != (c < 0);
    unsigned __int128 n = num < 0 ? -(unsigned __int128)num : (unsigned __int128)num;
    unsigned __int128 d = c < 0 ? -(unsigned __int128)(__int128)c : (unsigned __int128)c;
    unsigned __int128 q = n / d, r = n % d;
    /* half to even: up when the remainder is over half, or exactly half
     * and the quotient is odd */
    if (r * 2 > d || (r * 2 == d && (q & 1)))
        q++;
    if (q > (unsigned __int128)JUTSU_MONEY_MAX)
        return JUTSU_ERANGE;
    *out = negative ? -(jutsu_money_t)q : (jutsu_money_t)q;
    return 0;
}

int jutsu_money_mul_int(int64_t n, jutsu_money_t price, jutsu_money_t *out)
{
    __int128 v = (__int128)n * price;
    if (v > JUTSU_MONEY_MAX || v < JUTSU_MONEY_MIN)
        return JUTSU_ERANGE;
    *out = (jutsu_money_t)v;
    return 0;
}
