/*
 * core/eod/eod_job.c — the EOD job as the scheduler runs it: the slot's
 * trading day finalised (and the missed days before it), each day's
 * outcome logged.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "eod/eod.h"

/* Finalises the slot's trading day (and the missed days before it). */
static int run(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err, size_t errsz)
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

/* After sync, so that it finalises on the day's bars; idempotent, so a
 * missed slot runs late. */
const struct jutsu_sched_job jutsu_eod_job = {
    "eod", run, NULL, "16:15", "13:15", JUTSU_SCHED_TRADING_DAYS, 1
};
