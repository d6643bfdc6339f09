/*
 * jutsu/source.h — a source plugin fetches market data bars.
 *
 * The sync job asks a source for the bars of (symbol, timeframe) between
 * two instants; the source delivers them through a sink, in batches, as
 * its remote API or file yields them. The job normalises, validates,
 * dedupes and stores them: a source only translates its wire format into
 * struct jutsu_bar, exactly (decimal text to micro-units, never through a
 * double) and tells the sink about every record it could not read (with
 * where and why), so that nothing is dropped silently.
 *
 * Threading: fetch may be called from a job thread; one call at a time per
 * instance unless caps.flags has JUTSU_SOURCE_CONCURRENT.
 *
 * Errors are typed so the job can decide what to do:
 *   JUTSU_ENOTFOUND   the source does not know the symbol: skip it
 *   JUTSU_ERATELIMIT  asked to slow down (after the source's own back-off)
 *   JUTSU_ETRANSIENT  network trouble, 5xx, a timeout: retry later or fail
 *                     over to the next source
 *   JUTSU_EAUTH       credentials missing or expired: a person must act;
 *                     the message (host->set_error) says how
 *   JUTSU_EMALFORMED  the response as a whole could not be read
 * Bars already delivered before an error stay delivered; the job decides
 * whether to keep them (it keeps whole batches only).
 */
#ifndef JUTSU_SOURCE_H
#define JUTSU_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"
#include "jutsu/plugin.h"

struct jutsu_bar {
    jutsu_time_t  ts;       /* as the source stamps it, UTC (the job maps daily
                               bars to the exchange trading date)            */
    jutsu_money_t open, high, low, close;
    int64_t       volume;
    uint32_t      line;     /* origin line/record for messages, 0 if none    */
    uint32_t      reserved;
};

enum jutsu_source_flag {
    JUTSU_SOURCE_CONCURRENT = 1u << 0,  /* fetch may run on several threads   */
    JUTSU_SOURCE_FILES      = 1u << 1   /* read_file is provided              */
};

struct jutsu_source_caps {
    const char *const *timeframes;  /* NULL-terminated: "1D", "1H", ...      */
    int32_t  history_days;          /* how far back it reaches; 0 = unknown  */
    int32_t  requests_per_minute;   /* its rate limit; 0 = none              */
    uint32_t flags;
};

struct jutsu_fetch_req {
    uint32_t     size;
    const char  *symbol;            /* upper case                             */
    const char  *timeframe;         /* canonical: "1D", "1H", "5m", "15m"     */
    jutsu_time_t from, to;          /* inclusive, UTC                         */
};

/* Where a source delivers. Both callbacks run on the fetching thread;
 * everything they are given is borrowed until they return. */
struct jutsu_source_sink {
    uint32_t size;
    /* bars of one symbol (upper case; for fetch always req->symbol, for a
     * multi-symbol file each batch names its own), in the order the source
     * has them; return nonzero to stop (the source then returns that value) */
    int  (*bars)(const char *symbol, const struct jutsu_bar *bars, size_t n, void *arg);
    /* one record that could not be read: `where` is "file:line" or a
     * description of the record, `reason` says what is wrong */
    void (*reject)(const char *where, const char *reason, void *arg);
    void *arg;
};

struct jutsu_source_ops {
    uint32_t size;
    /* mandatory */
    int (*caps)(void *state, struct jutsu_source_caps *out);
    int (*fetch)(void *state, const struct jutsu_fetch_req *req,
                 const struct jutsu_source_sink *sink);
    /* optional: symbols it can offer without being asked (a CSV directory) */
    int (*list_symbols)(void *state, int (*fn)(const char *symbol, void *arg), void *arg);
    /* optional (JUTSU_SOURCE_FILES): read one file for `jutsu data import`;
     * symbol NULL = from the file name or its contents */
    int (*read_file)(void *state, const char *path, const char *symbol,
                     const struct jutsu_source_sink *sink);
    /* optional: an interactive authorisation (an OAuth2 browser flow) for
     * `jutsu <name> login`: prints what the person must do to `out`, reads
     * their answer from `in`, stores the credentials. Called on the main
     * thread of a CLI process after start, never alongside other ops. */
    int (*login)(void *state, FILE *in, FILE *out);
};

/* The table's size at ABI 1.0 (through `login`), frozen: the loader takes
 * every table at least this long. Members appended later are optional to
 * the host, which asks JUTSU_OPS_HAS before it calls one. */
#define JUTSU_SOURCE_OPS_SIZE_1_0 JUTSU_SIZE_THROUGH(jutsu_source_ops, login)

#endif
