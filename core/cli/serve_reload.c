/*
 * core/cli/serve_reload.c — `jutsu serve` on SIGHUP: the config read again
 * (core/host/app_reload.h decides what applies), and a new scheduler when
 * the jobs' times changed.
 *
 * A scheduler reads its times when it is built, so new times mean a new
 * scheduler: it is built and checked before the running one is stopped,
 * and the running one's record of each slot lives in the database, so
 * the new one neither repeats nor skips a slot. The one replaced is kept
 * until shutdown: the engine (REST threads) may hold it a moment longer.
 */
#include <stdlib.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "cli/serve.h"
#include "host/app_reload.h"
#include "host/notify.h"
#include "jobs/jobs.h"

static void log_problems(struct jutsu_app *app, struct jutsu_diag *diag, int rc)
{
    size_t n = jutsu_diag_count(diag);
    jutsu_log("jutsu", JUTSU_LOG_ERROR, "reload refused: %s has %zu problem%s (%s); the running "
              "config is kept and the service goes on", app->config_path, n, n == 1 ? "" : "s",
              jutsu_strerror(rc));
    for (size_t i = 0; i < n; i++)
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "reload: %s", jutsu_diag_line(diag, i));
}

/* The scheduler over the new times in place of the running one. */
static void replace_scheduler(struct jutsu_app *app, jutsu_sched **sched,
                              struct jutsu_serve_retired *retired)
{
    struct jutsu_diag diag;
    jutsu_sched *fresh = NULL, **v;
    jutsu_diag_init(&diag);
    int rc = jutsu_jobs_sched(app, &diag, &fresh);
    if (rc != 0) {
        log_problems(app, &diag, rc);
        jutsu_log("scheduler", JUTSU_LOG_ERROR, "reload: the jobs keep their previous times");
        goto out;
    }
    if ((v = realloc(retired->v, (retired->n + 1) * sizeof(*v))) == NULL) {
        jutsu_log("scheduler", JUTSU_LOG_ERROR, "reload: out of memory; the jobs keep their "
                  "previous times");
        jutsu_sched_free(fresh);
        goto out;
    }
    retired->v = v;
    for (size_t i = 0; i < jutsu_sched_count(*sched); i++) {
        struct jutsu_sched_info info;
        if (jutsu_sched_info(*sched, i, &info) == 0 && info.running)
            jutsu_log("scheduler", JUTSU_LOG_INFO, "reload: waiting for %s to finish before "
                      "the new times apply", info.name);
    }
    jutsu_sched_stop(*sched);
    if (jutsu_sched_start(fresh, jutsu_app_now(app)) != 0) {
        /* the thread could not be made: the old one runs on as it was */
        jutsu_log("scheduler", JUTSU_LOG_ERROR, "reload: the new scheduler cannot start; the "
                  "jobs keep their previous times");
        jutsu_sched_free(fresh);
        if (jutsu_sched_start(*sched, jutsu_app_now(app)) != 0)
            jutsu_log("scheduler", JUTSU_LOG_ERROR, "no job runs until serve is restarted");
        goto out;
    }
    retired->v[retired->n++] = *sched;
    app->sched = fresh;
    *sched = fresh;
out:
    jutsu_diag_free(&diag);
}

int jutsu_serve_reload(struct jutsu_app *app, jutsu_sched **sched,
                       struct jutsu_serve_retired *retired)
{
    struct jutsu_diag diag;
    struct jutsu_app *next = NULL;
    struct jutsu_reload_plan plan;
    jutsu_sched *probe = NULL;

    jutsu_log("jutsu", JUTSU_LOG_INFO, "SIGHUP: reading %s again", app->config_path);
    jutsu_diag_init(&diag);
    int rc = jutsu_app_reload_read(app, &next, &diag);
    /* the new times are checked before anything changes */
    if (rc == 0 && *sched != NULL && (rc = jutsu_jobs_sched(next, &diag, &probe)) == 0)
        jutsu_sched_free(probe);
    if (rc == 0)
        rc = jutsu_app_reload_plan(app, next, &plan);
    if (rc != 0) {
        log_problems(app, &diag, rc);
        goto out;
    }
    if (plan.nrestart)
        jutsu_log("jutsu", JUTSU_LOG_WARN, "reload: %d change%s need%s a restart to apply (the "
                  "running value%s kept until then: systemctl restart jutsu): %s",
                  plan.nrestart, plan.nrestart == 1 ? "" : "s", plan.nrestart == 1 ? "s" : "",
                  plan.nrestart == 1 ? " is" : "s are", plan.restart);
    if (plan.stuck) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "reload: a section that needs a restart was "
                  "removed from the file: nothing is applied until serve restarts");
        rc = JUTSU_ECONFIG;
        goto out;
    }
    if (plan.napplied == 0) {
        jutsu_log("jutsu", JUTSU_LOG_INFO, "reload: nothing to apply at run time%s",
                  plan.nrestart ? "" : ": the file is unchanged");
        goto out;
    }
    if ((rc = jutsu_app_reload_apply(app, next, &plan)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "reload failed (%s); the running config is kept",
                  jutsu_strerror(rc));
        goto out;
    }
    jutsu_log("jutsu", JUTSU_LOG_INFO, "reload: applied %d change%s: %s", plan.napplied,
              plan.napplied == 1 ? "" : "s", plan.applied);
    if (plan.scheduler && *sched != NULL)
        replace_scheduler(app, sched, retired);
out:
    jutsu_app_free(next);
    jutsu_diag_free(&diag);
    return rc;
}

void jutsu_serve_retired_free(struct jutsu_serve_retired *r)
{
    for (size_t i = 0; i < r->n; i++)
        jutsu_sched_free(r->v[i]);
    free(r->v);
    r->v = NULL;
    r->n = 0;
}
