/*
 * core/market/sync_int.h — the sync's insides, shared by sync.c (the run),
 * sync_store.c (bars to the database) and sync_import.c (files). Nothing
 * outside core/market/ includes it.
 */
#ifndef JUTSU_CORE_MARKET_SYNC_INT_H
#define JUTSU_CORE_MARKET_SYNC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/source.h"
#include "base/calendar.h"
#include "market/sync.h"

/* What a source delivers, gathered per symbol. */
struct gathered {
    char             symbol[16];
    struct jutsu_bar *bars;
    size_t           n, cap;
};

struct gather {
    struct gathered *sym;
    size_t           n, cap;
    int64_t          unreadable;   /* records the source could not read */
    const char      *who;          /* for log lines */
    int              oom;
};

/* A sink's two callbacks over a struct gather (its arg), and its end. */
int  jutsu_sync_on_bars(const char *symbol, const struct jutsu_bar *bars, size_t n, void *arg);
void jutsu_sync_on_reject(const char *where, const char *reason, void *arg);
void jutsu_sync_gather_free(struct gather *g);

struct ctx {
    struct jutsu_app *app;
    jutsu_dbs        *s;
    const jutsu_calendar *cal;
    jutsu_date_t      today;
    int64_t           batch;
    const char       *who;
    int               ts_aside;   /* import: idx_market_data_ts set aside (1),
                                     kept for good (-1), not yet decided (0) */
};

/* A context with the app's calendar, today and sync.batch_size, and a
 * session of its own (close c->s). */
int  jutsu_sync_ctx_open(struct jutsu_app *app, struct ctx *c);

/* market_data.data_source of a source instance: "csv", "yahoo", ... */
const char *jutsu_sync_data_source(const struct jutsu_ctx *inst);

/* Why a bar is invalid, or NULL; and a delivery sorted, daily bars keyed
 * to their trading date. */
const char *jutsu_sync_invalid_reason(const struct ctx *c, const struct jutsu_bar *b, int daily);
void jutsu_sync_normalise(const struct ctx *c, struct jutsu_bar *b, size_t n, int daily);

/* One item's bars checked and written (see sync_store.c), a commit per
 * c->batch bars unless the caller holds a transaction open; its status.
 * The item's inserted, skipped, first and last cover what was written. */
int  jutsu_sync_store_bars(struct ctx *c, struct jutsu_sync_item *it, const char *source,
                           struct jutsu_bar *bars, size_t n, int64_t unreadable, const char *op);
/* market_data.updated for an item written. */
void jutsu_sync_publish_updated(struct jutsu_app *app, const struct jutsu_sync_item *it);
/* sync.finished for a whole report. */
void jutsu_sync_publish_finished(struct jutsu_app *app, const struct jutsu_sync_report *r);

/* A new item at the end of the report (NULL when out of memory); the
 * report's totals from its items. */
struct jutsu_sync_item *jutsu_sync_report_add(struct jutsu_sync_report *r, const char *symbol,
                                              const char *tf);
void jutsu_sync_report_total(struct jutsu_sync_report *r);

#endif
