/*
 * core/market/prices.h — daily bars and closes for a job, read once per range.
 *
 * The EOD job values baselines and positions at each day's close, over one
 * day or sixteen years. A price book covers the dates [from, to]: the first
 * time a symbol is asked for, its valid daily bars of the range are read in
 * one query (and the newest one before `from`, the first time a date needs
 * a close from before the range), then every lookup is a binary search in
 * memory. Closes are exact (micro-units); invalid bars are never used.
 *
 * Not thread-safe: a book belongs to the job (and session) that made it;
 * a detached copy (below) may be handed to another thread, whole.
 */
#ifndef JUTSU_CORE_PRICES_H
#define JUTSU_CORE_PRICES_H

#include "jutsu/clock.h"
#include "jutsu/data.h"
#include "jutsu/source.h"

typedef struct jutsu_prices jutsu_prices;

/* A book over [from, to] reading through `s` (borrowed; it must outlive
 * the book). JUTSU_EINVAL if from > to, JUTSU_ENOMEM. */
int  jutsu_prices_new(jutsu_dbs *s, jutsu_date_t from, jutsu_date_t to, jutsu_prices **out);
void jutsu_prices_free(jutsu_prices *p);

/* A new book over p's range holding copies of p's series of `symbols`
 * (read into p first where it has not yet), detached from any session: it
 * answers for them without I/O, and with JUTSU_ESTATE where it would have
 * had to read (another symbol, or a close from before the range), so it
 * may go to another thread. 0, JUTSU_ENOMEM or a storage error. */
int  jutsu_prices_copy(jutsu_prices *p, const char *const *symbols, size_t n,
                       jutsu_prices **out);

/* The bar of `symbol` on the trading date d exactly (ts, OHLC, volume):
 * 0, JUTSU_ENOENT (no valid bar that day), JUTSU_ERANGE, or a storage
 * error. */
int  jutsu_prices_bar(jutsu_prices *p, const char *symbol, jutsu_date_t d, struct jutsu_bar *bar);

/* Puts a bar of `symbol` on date d into the book (not the database),
 * replacing a stored one of that date: today's live bar for the trading
 * job. 0, JUTSU_ERANGE (d outside the book), JUTSU_ENOMEM or a storage
 * error (the symbol's stored bars are read first). */
int  jutsu_prices_put(jutsu_prices *p, const char *symbol, jutsu_date_t d,
                      const struct jutsu_bar *bar);

/* The close of `symbol` on the trading date d exactly: 0, JUTSU_ENOENT
 * (no valid bar that day), JUTSU_ERANGE (d outside the book), or a storage
 * error (message in the session). */
int  jutsu_prices_on(jutsu_prices *p, const char *symbol, jutsu_date_t d, jutsu_money_t *close);

/* The newest close of `symbol` on or before d, and its date in *on (which
 * may lie before the book's range): 0, JUTSU_ENOENT (none at all),
 * JUTSU_ERANGE, or a storage error. */
int  jutsu_prices_asof(jutsu_prices *p, const char *symbol, jutsu_date_t d, jutsu_money_t *close,
                       jutsu_date_t *on);

#endif
