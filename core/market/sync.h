/*
 * core/market/sync.h — the market-data sync job: sources → normalise → validate →
 * dedupe → market_data + data_metadata + data_audit_log → bus.
 *
 * One code path for `jutsu sync`, `jutsu data import` and the scheduler.
 *
 *   normalise  symbols upper-case, timeframes canonical ("1d" → "1D"),
 *              daily bars keyed to the exchange trading date at 00:00:00 UTC
 *              (a source's instant is mapped to the exchange's local date;
 *              an instant at exactly midnight UTC is taken as a date)
 *   validate   high >= max(open, close), low <= min(open, close), prices
 *              > 0, volume >= 0, not in the future, and for daily bars a
 *              trading day of the exchange. An invalid bar is STORED with
 *              is_valid = false (nothing is lost; strategies read valid
 *              bars only) and counted as rejected with its reason in the
 *              log; a record the source could not read at all is counted
 *              as rejected and logged with its file:line.
 *   dedupe     within the batch (sorted by time, first wins) and against
 *              the database (the natural key; existing bars are skipped)
 *   write      bars, data_metadata and the audit row in ONE transaction
 *              per batch of sync.batch_size bars, so a job killed at any
 *              moment leaves whole batches and resumes from the metadata's
 *              last_bar_timestamp
 *   publish    market_data.updated per symbol and timeframe with the
 *              range and counts; sync.finished with the summary
 *
 * Several sources are tried in priority order: a source that fails
 * (unknown symbol, rate limit, network, auth) hands over to the next.
 *
 * Runs on the calling thread with its own data session.
 */
#ifndef JUTSU_CORE_SYNC_H
#define JUTSU_CORE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/source.h"
#include "host/app.h"
#include "sched/scheduler.h"

struct jutsu_sync_item {
    char     symbol[16], timeframe[8], source[64];
    int64_t  fetched, inserted, skipped, rejected;
    jutsu_time_t first, last;        /* range of bars stored or seen; 0 if none */
    int      status;                 /* 0 ok, else the JUTSU_E* of the failure  */
    char     error[640];
};

struct jutsu_sync_report {
    struct jutsu_sync_item *items;
    size_t   n, cap;
    int64_t  fetched, inserted, skipped, rejected;
    int      failed;                 /* items with status != 0 */
};

struct jutsu_sync_opts {
    const char *const *symbols;      /* NULL: sync.symbols from the config     */
    size_t       nsymbols;
    const char  *timeframe;          /* NULL: sync.timeframes                  */
    const char  *source;             /* NULL: sync.sources, in priority order  */
    jutsu_date_t from, to;           /* 0: incremental from the metadata; to: today */
    int          progress;           /* draw a progress bar on stderr          */
};

/* The canonical spelling of a timeframe ("1d", "D", "daily" → "1D",
 * "60m" → "1H", "5min" → "5m"), or NULL if it is not one we store. */
const char *jutsu_sync_timeframe(const char *tf);

void jutsu_sync_report_free(struct jutsu_sync_report *r);

/* Runs a sync. Returns 0 if every item succeeded, JUTSU_EPLUGIN if some
 * failed (see r->items), or a setup error. */
int jutsu_sync_run(struct jutsu_app *app, const struct jutsu_sync_opts *o,
                   struct jutsu_sync_report *r);

/*
 * Today's bar of `symbol` (date d, still forming) from the first source
 * that has it, for the trading job before the sync after the close has
 * stored the day: *out is never stored. The source's instance name goes to
 * `source`. JUTSU_ENOENT when no source has a bar of d with positive
 * prices.
 */
int jutsu_sync_live_bar(struct jutsu_app *app, const char *symbol, jutsu_date_t d,
                        struct jutsu_bar *out, char *source, size_t sourcesz);

/* Imports files through a source with read_file (`jutsu data import`). */
int jutsu_sync_import(struct jutsu_app *app, const char *const *files, size_t nfiles,
                      const char *symbol, const char *timeframe,
                      struct jutsu_sync_report *r);

/* The sync job as the scheduler runs it (core/market/sync_job.c). */
extern const struct jutsu_sched_job jutsu_sync_job;

#endif
