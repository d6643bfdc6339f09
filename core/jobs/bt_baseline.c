/*
 * core/jobs/bt_baseline.c — a backtest's baseline on a thread of its own
 * (see bt_baseline.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "jobs/bt_baseline.h"
#include "jobs/bt_store.h"
#include "store/store.h"

struct jutsu_bt_baseline {
    struct jutsu_app        *app;
    struct jutsu_entity      ent;
    struct jutsu_entities    set;
    jutsu_date_t             from, to;
    jutsu_prices            *book;
    struct jutsu_bt_store   *mem;
    jutsu_dbs               *s;
    struct jutsu_eod_report  er;
    int                      rc;
    int                      began;     /* the store's transaction is open */
    pthread_t                th;
    int                      running;   /* started and not joined */
};

int jutsu_bt_baseline_ready(struct jutsu_app *app, const struct jutsu_entity *base,
                            jutsu_prices *book, jutsu_date_t from, jutsu_date_t to)
{
    if (base->type != JUTSU_ENTITY_BASELINE || base->symbol == NULL)
        return 0;
    jutsu_date_t d = jutsu_calendar_is_trading_day(app->cal, from) ? from
                   : jutsu_calendar_next(app->cal, from);
    int ok = d != JUTSU_CALENDAR_NONE && d <= to;
    for (; ok && d != JUTSU_CALENDAR_NONE && d <= to; d = jutsu_calendar_next(app->cal, d)) {
        jutsu_money_t close;
        ok = jutsu_prices_on(book, base->symbol, d, &close) == 0;
    }
    return ok;
}

/* The thread: the store, its transaction, the chain. The transaction stays
 * open for the caller's reads; the store is thrown away whole. */
static void *run_chain(void *arg)
{
    struct jutsu_bt_baseline *b = arg;
    char err[512];
    b->rc = jutsu_bt_store_open(b->app, &b->mem, &b->s, err, sizeof(err));
    if (b->rc != 0) {
        snprintf(b->er.error, sizeof(b->er.error), "%s", err);
        return NULL;
    }
    if ((b->rc = jutsu_dbs_begin(b->s)) != 0) {
        snprintf(b->er.error, sizeof(b->er.error), "%s", jutsu_dbs_error_line(b->s));
        return NULL;
    }
    b->began = 1;
    /* the store is its market too: the caller made sure the chain never
     * asks where the symbol's data ends (bt_baseline.h) */
    b->rc = jutsu_eod_chains_on(b->app, b->s, b->s, 1, &b->set, b->from, b->to, b->book,
                                &b->er);
    return NULL;
}

int jutsu_bt_baseline_start(struct jutsu_app *app, const struct jutsu_entity *base,
                            jutsu_date_t from, jutsu_date_t to, jutsu_prices *book,
                            struct jutsu_bt_baseline **out, char *err, size_t errsz)
{
    struct jutsu_bt_baseline *b = calloc(1, sizeof(*b));
    *out = NULL;
    if (b == NULL) {
        jutsu_prices_free(book);
        snprintf(err, errsz, "out of memory");
        return JUTSU_ENOMEM;
    }
    b->app = app;
    b->ent = *base;
    b->set = (struct jutsu_entities){ .v = &b->ent, .n = 1, .nbaselines = 1 };
    b->from = from;
    b->to = to;
    b->book = book;
    int rc = pthread_create(&b->th, NULL, run_chain, b);
    if (rc != 0) {
        snprintf(err, errsz, "cannot start the baseline's thread: %s", strerror(rc));
        rc = JUTSU_ENOMEM;
    }
    if (rc != 0) {
        jutsu_bt_baseline_free(b);
        return rc;
    }
    b->running = 1;
    *out = b;
    return 0;
}

int jutsu_bt_baseline_join(struct jutsu_bt_baseline *b, const struct jutsu_eod_report **report)
{
    if (b->running) {
        pthread_join(b->th, NULL);
        b->running = 0;
    }
    *report = &b->er;
    return b->rc;
}

jutsu_dbs *jutsu_bt_baseline_session(const struct jutsu_bt_baseline *b)
{
    return b->s;
}

void jutsu_bt_baseline_free(struct jutsu_bt_baseline *b)
{
    if (b == NULL)
        return;
    if (b->running)
        pthread_join(b->th, NULL);
    if (b->began)
        jutsu_dbs_commit(b->s);   /* thrown away with the store: cheaper than undoing it */
    jutsu_bt_store_close(b->mem);
    jutsu_eod_report_free(&b->er);
    jutsu_prices_free(b->book);
    free(b);
}
