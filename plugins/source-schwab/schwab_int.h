/*
 * plugins/source-schwab/schwab_int.h — what the files of source-schwab
 * share beyond plugins/schwab-common (the instance state, the HTTP client,
 * the token store and the OAuth2 calls, linked in from the static
 * schwab_common library): the price-history reader (schwab_candles.c).
 * Nothing here is exported from the .so (it is built with hidden
 * visibility).
 *
 * Threading: every function may be called from several fetching threads
 * at once.
 */
#ifndef SCHWAB_INT_H
#define SCHWAB_INT_H

#include <stddef.h>

#include "jutsu/source.h"
#include "schwab_common.h"

/* --- price history (schwab_candles.c) ------------------------------------ */

/* The query for one fetch, or JUTSU_ENOTFOUND for a timeframe Schwab
 * does not serve. Caller frees *url. */
int  schwab_history_url(struct schwab *s, const struct jutsu_fetch_req *req, char **url);
/* Reads a pricehistory answer and delivers its candles in [from, to]
 * (hourly bars built from half-hour candles). *delivered counts the bars.
 * JUTSU_EMALFORMED when the answer as a whole cannot be read; a positive
 * value when the sink stopped the fetch. */
int  schwab_candles(struct schwab *s, const struct jutsu_fetch_req *req, const char *body,
                    size_t len, const struct jutsu_source_sink *sink, size_t *delivered);

#endif
