/*
 * jutsu/symbol.h — what Jutsu takes for a market symbol, everywhere one is
 * configured (strategies, baselines, sync): 1 to JUTSU_SYMBOL_MAX
 * characters of upper-case A-Z, 0-9 and . - ^ = (class shares "BRK.B",
 * Yahoo's indices "^VIX" and futures "GC=F"). The length is the stored
 * column's, market_data.symbol VARCHAR(10): a longer one could never have
 * bars. In libjutsu_sdk, which plugins link.
 */
#ifndef JUTSU_SYMBOL_H
#define JUTSU_SYMBOL_H

#include <stddef.h>

#define JUTSU_SYMBOL_MAX 10

/* For messages: "1 to 10 characters of A-Z, 0-9, '.', '-', '^' or '='". */
#define JUTSU_SYMBOL_RULE "1 to 10 characters of upper-case A-Z, 0-9, '.', '-', '^' or '='"

/* 1 if s (may be NULL) is a symbol, else 0. */
int jutsu_symbol_valid(const char *s);

/* Explains why s is not a symbol, for a message: 1 if s is one, else 0
 * with why[size] set to, e.g., "\"../X\" is not a symbol: '/' is not
 * allowed (a symbol is 1 to 10 characters of ...)": the value quoted (cut
 * at 40 bytes, bytes outside printable ASCII as \xNN), what breaks the
 * rule, and the rule. With fold, a-z count as A-Z (a command line's
 * "qqq" means QQQ). s may be NULL (said as empty). Thread-safe. */
int jutsu_symbol_check(const char *s, int fold, char *why, size_t size);

/* Copies at most `len` bytes of src, stopping at its NUL, into dst[size]
 * in upper case (a-z only: symbols are ASCII, and "brk.b" means BRK.B),
 * cut to size - 1 bytes and NUL-terminated. dst may be src (in place);
 * pass SIZE_MAX as len for a whole string. Returns the bytes written. */
size_t jutsu_symbol_upper(char *dst, size_t size, const char *src, size_t len);

#endif
