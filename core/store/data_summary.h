/*
 * core/store/data_summary.h — summaries over whole tables that the data API's
 * row-by-row reads would make slow or impossible: the shape of the stored
 * market data (per symbol and timeframe: first, last, count, source, last
 * sync), the daily gaps against the exchange calendar, and config_history
 * newest first, paged.
 *
 * Host-only (not in the plugin vtable); the same SQL on both backends.
 * A session is not thread-safe: one per thread, as everywhere.
 */
#ifndef JUTSU_CORE_DATA_SUMMARY_H
#define JUTSU_CORE_DATA_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/data.h"
#include "base/calendar.h"

/* One (symbol, timeframe) of market_data. */
struct jutsu_bars_summary {
    char          symbol[16], timeframe[8];
    jutsu_time_t  first, last;       /* the valid bars' (0: none is valid)    */
    int64_t       count;             /* valid bars: those the jobs read       */
    int64_t       invalid;           /* bars stored as invalid (is_valid false:
                                        a bad price, a future date, ...)      */
    char          source[24];        /* data_source of the newest valid bar   */
    jutsu_time_t  last_sync;         /* data_metadata.last_updated, else the
                                        newest data_audit_log entry; 0: none  */
};

/*
 * Every stored (symbol, timeframe), by symbol then timeframe: *out (n of
 * them, the caller frees it with free()). 0 with n 0 for an empty table;
 * JUTSU_ENOMEM or the database's error (message in the session).
 */
int jutsu_data_bars_summary(jutsu_dbs *s, struct jutsu_bars_summary **out, size_t *n);

/*
 * The trading days of `cal` without a valid 1D bar of `symbol`: between
 * its first and last valid bar inside [from, to], and, when `to` is given,
 * after the last bar through `to` (a day not yet synced is missing too).
 * from/to 0: unbounded. on_gap (may be NULL) gets each missing day in
 * order; *bars the valid bars read, *missing the days missing. The one
 * walk behind `jutsu data gaps` and the engine's market summary.
 */
int jutsu_data_daily_gaps(jutsu_dbs *s, const jutsu_calendar *cal, const char *symbol,
                          jutsu_date_t from, jutsu_date_t to,
                          void (*on_gap)(jutsu_date_t day, void *arg), void *arg,
                          int64_t *bars, int64_t *missing);

/*
 * config_history rows, newest first (timestamp, then id, descending), of
 * one strategy or of all (strategy NULL or ""): at most `limit` (> 0) after
 * skipping `offset` (>= 0). fn gets struct jutsu_history_row, as
 * jutsu_data_history_range gives them. JUTSU_EINVAL for a negative offset
 * or a limit < 1.
 */
int jutsu_data_history_page(jutsu_dbs *s, const char *strategy, int64_t offset, int64_t limit,
                            jutsu_row_fn fn, void *arg);

#endif
