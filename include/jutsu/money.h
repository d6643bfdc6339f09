/*
 * jutsu/money.h — exact money: int64 micro-units.
 *
 * Every price, equity, cash and value in Jutsu is a jutsu_money_t: an
 * integer count of millionths (1.000000 is 1000000). NUMERIC(18,6), the
 * column type of the spec, fits with room to spare (|v| < 10^12 units).
 * Decimal text is parsed and formatted here without ever passing through a
 * double, so "46.419998" is 46419998 micro-units, always.
 *
 * These functions live in the plugin SDK library (libjutsu_sdk.a), which
 * plugins link statically. They are pure, reentrant and thread-safe.
 */
#ifndef JUTSU_MONEY_H
#define JUTSU_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t jutsu_money_t;

#define JUTSU_MONEY_SCALE  INT64_C(1000000)
/* The NUMERIC(18,6) limit: 999999999999.999999. */
#define JUTSU_MONEY_MAX    INT64_C(999999999999999999)
#define JUTSU_MONEY_MIN    (-JUTSU_MONEY_MAX)

/* How jutsu_money_parse treats digits beyond the sixth decimal. */
enum jutsu_money_round {
    JUTSU_MONEY_EXACT    = 0,  /* more than 6 decimals is an error (ERANGE)  */
    JUTSU_MONEY_HALF_EVEN = 1, /* round half to even: float artefacts in CSV */
    JUTSU_MONEY_HALF_UP  = 2   /* round half away from zero                 */
};

/*
 * Parse decimal text ("-123.456789", "+1e3", "46.41999816894531") of
 * exactly `len` bytes (len < 0: up to the NUL). Accepts an optional sign,
 * digits with an optional '.', and an optional decimal exponent. Rejects
 * empty text, "nan", "inf", thousands separators and trailing garbage.
 * Returns 0, JUTSU_EMALFORMED (not a number) or JUTSU_ERANGE (beyond
 * NUMERIC(18,6), or too many decimals under JUTSU_MONEY_EXACT).
 */
int jutsu_money_parse(const char *text, long len, int round, jutsu_money_t *out);

/*
 * Format as plain decimal text with exactly six decimals ("-123.456789",
 * "0.000001"). buf must hold JUTSU_MONEY_BUFSZ bytes. Returns the length.
 */
#define JUTSU_MONEY_BUFSZ 32
int jutsu_money_format(jutsu_money_t v, char *buf);

/* Like jutsu_money_format but trims trailing zeros ("46.42", "10"). */
int jutsu_money_format_short(jutsu_money_t v, char *buf);

/*
 * a x b / c, exact, rounded half to even: the value of a position
 * (shares x price is jutsu_money_mul_int), a price ratio applied to money
 * (capital x close / first close). The product is formed in 128 bits, so
 * no intermediate overflows. Returns 0, JUTSU_EINVAL (c is 0) or
 * JUTSU_ERANGE (the result is beyond NUMERIC(18,6)).
 */
int jutsu_money_muldiv(jutsu_money_t a, jutsu_money_t b, jutsu_money_t c, jutsu_money_t *out);

/* n x price (whole shares times a price), exact. 0 or JUTSU_ERANGE. */
int jutsu_money_mul_int(int64_t n, jutsu_money_t price, jutsu_money_t *out);

#endif
