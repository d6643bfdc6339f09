/*
 * core/eod/eod_held.h — what a strategy holds, read from a snapshot's
 * positions_json without building a json-c tree.
 *
 * The EOD chain values every day's snapshot; parsing its text with json-c
 * was a twentieth of a backtest. Our writers store a plain text,
 * [{"symbol":"X","quantity":N,...},...], with no blanks, no escapes and no
 * nesting inside a position; that is read here. Any other text (blanks, an
 * escape, a nested value, "symbol" or "quantity" given twice, a symbol that
 * is not a string, a quantity that is not a whole number of at most 18
 * digits, a key of 16 characters or more, more than JUTSU_EOD_HELD_MAX
 * positions) is refused, for json-c to read as before, so that what the
 * chain accepts and the problems it names stay the same. (Another key given
 * twice is read as json-c reads it: only these two are looked at.)
 */
#ifndef JUTSU_EOD_HELD_H
#define JUTSU_EOD_HELD_H

#include <stddef.h>
#include <stdint.h>

#define JUTSU_EOD_HELD_MAX 32           /* positions read here; more go to json-c */
#define JUTSU_EOD_HELD_SYMBOL_SZ 24     /* a longer symbol goes to json-c        */

struct jutsu_eod_held {
    size_t  n;
    int64_t quantity[JUTSU_EOD_HELD_MAX];
    char    symbol[JUTSU_EOD_HELD_MAX][JUTSU_EOD_HELD_SYMBOL_SZ];
};

/* 0 with every position in *out, in the text's order; -1 for a text this
 * does not take (out then undefined). */
int jutsu_eod_held_fast(const char *text, struct jutsu_eod_held *out);

#endif
