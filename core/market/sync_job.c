/*
 * core/market/sync_job.c — the sync job as the scheduler runs it: the
 * configured symbols synced, each item's outcome logged, a one-line reason
 * when any failed. `jutsu sync` runs jutsu_sync_run itself.
 */
#include <stdio.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "market/sync.h"

/* sync.symbols from the config: a sync job with nothing to sync succeeds
 * quietly instead of failing every day. */
static size_t configured_symbols(struct jutsu_app *app)
{
    jutsu_cfg_node *syms = app->cfg ? jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.symbols")
                                    : NULL;
    return syms && syms->kind == JUTSU_CFG_NODE_SEQ ? syms->n : 0;
}

static int run(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err, size_t errsz)
{
    (void)date;
    (void)arg;
    size_t nsym = configured_symbols(app);
    if (nsym == 0) {
        jutsu_log("sync", JUTSU_LOG_INFO, "nothing to sync: sync.symbols is empty");
        return 0;
    }
    struct jutsu_sync_opts o = { .progress = 0 };
    struct jutsu_sync_report r;
    int rc = jutsu_sync_run(app, &o, &r);
    const struct jutsu_sync_item *first_bad = NULL;
    for (size_t i = 0; i < r.n; i++) {
        const struct jutsu_sync_item *it = &r.items[i];
        if (it->status == 0) {
            jutsu_log("sync", JUTSU_LOG_DEBUG, "%s %s from %s: %lld new bars", it->symbol,
                      it->timeframe, it->source, (long long)it->inserted);
            continue;
        }
        if (first_bad == NULL)
            first_bad = it;
        jutsu_log("sync", JUTSU_LOG_ERROR, "%s %s: %s", it->symbol, it->timeframe, it->error);
    }
    jutsu_log("sync", rc ? JUTSU_LOG_WARN : JUTSU_LOG_INFO, "%zu item%s, %d failed: %lld bars "
              "fetched, %lld inserted, %lld already stored, %lld rejected", r.n,
              r.n == 1 ? "" : "s", r.failed, (long long)r.fetched, (long long)r.inserted,
              (long long)r.skipped, (long long)r.rejected);
    if (rc != 0 && first_bad)
        snprintf(err, errsz, "%d of %zu items failed; first: %s %s: %s", r.failed, r.n,
                 first_bad->symbol, first_bad->timeframe, first_bad->error);
    else if (rc != 0)
        snprintf(err, errsz, "sync could not start: %s (see the log)", jutsu_strerror(rc));
    jutsu_sync_report_free(&r);
    return rc;
}

/* After the close (and the trading job), before EOD; idempotent, so a
 * missed slot runs late. */
const struct jutsu_sched_job jutsu_sync_job = {
    "sync", run, NULL, "16:05", "13:05", JUTSU_SCHED_TRADING_DAYS, 1
};
