/*
 * core/jobs/jobs.c — the table of scheduled jobs (see core/jobs/jobs.h),
 * and the one job no lower room can own: pruning, which the store does
 * but the store knows no scheduler.
 */
#include <pthread.h>
#include <stdio.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "eod/eod.h"
#include "host/app.h"
#include "jobs/jobs.h"
#include "jobs/paper.h"
#include "market/sync.h"
#include "store/data_api.h"
#include "store/store.h"
#include "trading/trade.h"

static int job_prune(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err,
                     size_t errsz)
{
    (void)date;
    (void)arg;
    jutsu_dbs *s = NULL;
    int64_t snaps = 0, tokens = 0;
    int rc = jutsu_app_dbs_open(app, &s);
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
        snprintf(err, errsz, "%s", jutsu_dbs_error_line(s));
    jutsu_dbs_close(s);
    return rc;
}

static const struct jutsu_sched_job prune_job = {
    "prune", job_prune, NULL, "03:00", NULL, JUTSU_SCHED_EVERY_DAY, 1
};

/* Each room declares its own job (trading/trade_job.c, market/sync_job.c,
 * jobs/paper_job.c, eod/eod_job.c); this is their order, which is the
 * order in which jobs due at the same moment run (a start-up catch-up:
 * the bars, then the paper days on them, then their EOD). Copied once: C
 * cannot initialise a static table from other objects. */
static struct jutsu_sched_job table[5];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void fill_table(void)
{
    table[0] = jutsu_trade_job;
    table[1] = jutsu_sync_job;
    table[2] = jutsu_paper_job;
    table[3] = jutsu_eod_job;
    table[4] = prune_job;
}

const struct jutsu_sched_job *jutsu_jobs(size_t *n)
{
    pthread_once(&table_once, fill_table);
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}

int jutsu_jobs_sched(struct jutsu_app *app, struct jutsu_diag *diag, jutsu_sched **out)
{
    size_t n;
    const struct jutsu_sched_job *jobs = jutsu_jobs(&n);
    int rc = jutsu_sched_new(app, jobs, n, diag, out);
    if (rc != 0 && jutsu_diag_count(diag) == 0)
        jutsu_diag_add(diag, "scheduler: %s", jutsu_strerror(rc));
    return rc;
}
