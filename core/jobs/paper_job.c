/*
 * core/jobs/paper_job.c — the paper job as the scheduler runs it:
 * after the sync has stored the day's bars and before the EOD job, the
 * strategies with paper_since are brought up to the newest closed day
 * (jobs/paper.h). On a fresh install its start-up catch-up replays their
 * history; later it trades the days a stopped service missed, once their
 * bars are in. Every other day it finds nothing to do.
 */
#include <stdio.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "sched/scheduler.h"
#include "jobs/paper.h"

/* Logs what each strategy's replay did; the first failure's reason in err. */
static void report(const struct jutsu_paper_report *r, char *err, size_t errsz)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_paper_result *x = &r->v[i];
        char from[JUTSU_DATE_BUFSZ], to[JUTSU_DATE_BUFSZ];
        if (x->error[0]) {
            jutsu_log("paper", JUTSU_LOG_ERROR, "%s (%s): %s", x->ent->id, x->ent->mode,
                      x->error);
            if (err[0] == '\0')
                snprintf(err, errsz, "%s: %s", x->ent->id, x->error);
        }
        if (x->days == 0)
            continue;
        jutsu_date_format(x->from, from);
        jutsu_date_format(x->last, to);
        jutsu_log("paper", JUTSU_LOG_INFO, "%s (%s): traded %s .. %s on stored bars: %d "
                  "trading day%s, %d with fills, %d fill%s", x->ent->id, x->ent->mode, from,
                  to, x->days, x->days == 1 ? "" : "s", x->traded_days, x->fills,
                  x->fills == 1 ? "" : "s");
    }
    if (r->eod_from != 0) {
        char from[JUTSU_DATE_BUFSZ], to[JUTSU_DATE_BUFSZ];
        jutsu_date_format(r->eod_from, from);
        jutsu_date_format(r->eod_to, to);
        jutsu_log("paper", JUTSU_LOG_INFO, "eod backfill %s .. %s: %d day%s completed", from,
                  to, r->eod_days_completed, r->eod_days_completed == 1 ? "" : "s");
    }
}

static int run(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err, size_t errsz)
{
    (void)arg;
    jutsu_job_lock *trading = NULL, *eod = NULL;
    int got_trading = 0, got_eod = 0;
    int rc = jutsu_sched_lock(app, "trading", &trading, &got_trading);
    if (rc == 0 && got_trading)
        rc = jutsu_sched_lock(app, "eod", &eod, &got_eod);
    if (rc != 0 || !got_trading || !got_eod) {
        snprintf(err, errsz, rc ? "cannot take the trading and eod jobs' locks: %s"
                                : "the trading or eod job is running in another process: "
                                  "the next slot tries again%s",
                 rc ? jutsu_strerror(rc) : "");
        jutsu_sched_unlock(eod);
        jutsu_sched_unlock(trading);
        return rc ? rc : JUTSU_EBUSY;
    }
    struct jutsu_paper_report r;
    rc = jutsu_paper_run(app, date + 1, NULL, &r);
    jutsu_sched_unlock(eod);
    jutsu_sched_unlock(trading);
    err[0] = '\0';
    report(&r, err, errsz);
    if (rc != 0 && err[0] == '\0')
        snprintf(err, errsz, "%s", r.error);
    jutsu_paper_report_free(&r);
    return rc;
}

/* After the sync (16:05), before the EOD job (16:15); a catch-up job, so
 * the first start of a new install replays the history at once. */
const struct jutsu_sched_job jutsu_paper_job = {
    "paper", run, NULL, "16:10", "13:10", JUTSU_SCHED_TRADING_DAYS, 1
};
