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

#define JUTSU_SYMBOL_MAX 10

/* For messages: "1 to 10 characters of A-Z, 0-9, '.', '-', '^' or '='". */
#define JUTSU_SYMBOL_RULE "1 to 10 characters of upper-case A-Z, 0-9, '.', '-', '^' or '='"

/* 1 if s (may be NULL) is a symbol, else 0. */
int jutsu_symbol_valid(const char *s);

#endif
