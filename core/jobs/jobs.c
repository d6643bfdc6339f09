/*
 * core/jobs/jobs.c — the bodies of the scheduled jobs and their table (see
 * core/jobs/jobs.h).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "eod/eod.h"
#include "trading/trade.h"
#include "jobs/jobs.h"
#include "base/log.h"
#include "store/store.h"
#include "market/sync.h"

/* sync.symbols from the config: a sync job with nothing to sync succeeds
 * quietly instead of failing every day. */
static size_t configured_symbols(struct jutsu_app *app)
{
    jutsu_cfg_node *syms = app->cfg ? jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.symbols")
                                    : NULL;
    return syms && syms->kind == JUTSU_CFG_NODE_SEQ ? syms->n : 0;
}

static int job_sync(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err,
                    size_t errsz)
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

/* Each strategy's day: its signal, orders and books. */
static int job_trading(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err,
                       size_t errsz)
{
    (void)arg;
    struct jutsu_trade_report r;
    int rc = jutsu_trade_run(app, date, NULL, "scheduler", &r);
    const struct jutsu_trade_result *bad = NULL;
    for (size_t i = 0; i < r.n; i++) {
        const struct jutsu_trade_result *x = &r.v[i];
        size_t filled = 0;
        for (size_t k = 0; k < x->norders; k++)
            filled += x->orders[k].filled > 0;
        if (x->outcome == JUTSU_TRADE_FAILED && bad == NULL)
            bad = x;
        jutsu_log("trade", x->outcome == JUTSU_TRADE_FAILED ? JUTSU_LOG_ERROR : JUTSU_LOG_INFO,
                  "%s (%s): %s, %zu fill%s, cell %d%s%s", x->ent->id, x->ent->mode,
                  jutsu_trade_outcome_name(x->outcome), filled, filled == 1 ? "" : "s",
                  (int)x->cell, x->error[0] ? "; " : "", x->error);
    }
    if (rc != 0)
        snprintf(err, errsz, "%s", bad ? bad->error : r.error[0] ? r.error : jutsu_strerror(rc));
    jutsu_trade_report_free(&r);
    return rc;
}

/* Finalises the slot's trading day (and the missed days before it). */
static int job_eod(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err, size_t errsz)
{
    (void)arg;
    struct jutsu_eod_report r;
    int rc = jutsu_eod_run(app, date, &r);
    const struct jutsu_eod_day *bad = NULL;
    for (size_t i = 0; i < r.ndays; i++) {
        const struct jutsu_eod_day *d = &r.days[i];
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d->date, day);
        if (strcmp(d->status, "completed") != 0 && bad == NULL)
            bad = d;
        jutsu_log("eod", strcmp(d->status, "completed") ? JUTSU_LOG_WARN : JUTSU_LOG_INFO,
                  "%s %s%s: strategies %d/%d, baselines %d/%d, %d row%s written%s%s", day,
                  d->status, d->was_due ? " (catch-up)" : "", d->strategies_processed,
                  d->strategies_total, d->baselines_processed, d->baselines_total,
                  d->rows_changed, d->rows_changed == 1 ? "" : "s", d->error[0] ? "; " : "",
                  d->error);
    }
    if (rc != 0 && bad) {
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(bad->date, day);
        snprintf(err, errsz, "%d of %zu days not complete; first %s, %s: %s", r.failed,
                 r.ndays, day, bad->status, bad->error);
    } else if (rc != 0) {
        snprintf(err, errsz, "%s", r.error[0] ? r.error : jutsu_strerror(rc));
    }
    jutsu_eod_report_free(&r);
    return rc;
}

static int job_prune(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err,
                     size_t errsz)
{
    (void)date;
    (void)arg;
    jutsu_dbs *s = NULL;
    int64_t snaps = 0, tokens = 0;
    int rc = jutsu_dbs_open(app, &s);
    if (rc != 0) {
        snprintf(err, errsz, "cannot open the database: %s", jutsu_strerror(rc));
        return rc;
    }
    rc = jutsu_data_prune(s, jutsu_app_now(app), &snaps, &tokens);
    if (rc == 0)
        jutsu_log("prune", JUTSU_LOG_INFO, "deleted %lld performance snapshot%s older than 365 "
                  "days and %lld blacklisted token%s expired over 30 days ago", (long long)snaps,
                  snaps == 1 ? "" : "s", (long long)tokens, tokens == 1 ? "" : "s");
    else
        snprintf(err, errsz, "%s", jutsu_dbs_error(s));
    jutsu_dbs_close(s);
    return rc;
}

/* Declared once; the scheduler copies it. Order is the order in which
 * jobs due at the same moment run. */
static const struct jutsu_sched_job jobs[] = {
    /* name      body         arg   at       early    days                       catch_up */
    /* never late beyond the grace: a signal is not traded on a later price */
    { "trading", job_trading, NULL, "15:55", "12:55", JUTSU_SCHED_TRADING_DAYS,  0 },
    { "sync",    job_sync,    NULL, "16:05", "13:05", JUTSU_SCHED_TRADING_DAYS,  1 },
    /* after sync, so that it finalises on the day's bars */
    { "eod",     job_eod,     NULL, "16:15", "13:15", JUTSU_SCHED_TRADING_DAYS,  1 },
    { "prune",   job_prune,   NULL, "03:00", NULL,    JUTSU_SCHED_EVERY_DAY,     1 },
};

const struct jutsu_sched_job *jutsu_jobs(size_t *n)
{
    *n = sizeof(jobs) / sizeof(jobs[0]);
    return jobs;
}

int jutsu_jobs_sched(struct jutsu_app *app, struct jutsu_diag *diag, jutsu_sched **out)
{
    int rc = jutsu_sched_new(app, jobs, sizeof(jobs) / sizeof(jobs[0]), diag, out);
    if (rc != 0 && jutsu_diag_count(diag) == 0)
        jutsu_diag_add(diag, "scheduler: %s", jutsu_strerror(rc));
    return rc;
}
