/*
 * core/engine/engine_sched.c — the scheduler as the engine shows it and
 * pauses it (jutsu/engine.h scheduler, scheduler_pause). The scheduler of
 * `jutsu serve` when one runs in this process (app->sched); otherwise one
 * built from the config, as `jutsu scheduler status` does, to read the
 * times (it runs nothing).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "base/diag.h"
#include "engine/engine_int.h"
#include "jobs/jobs.h"
#include "sched/scheduler.h"

static json_object *last_json(const struct jutsu_sched_record *rec)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "date", jutsu_json_date(rec->date));
    if (rec->at)
        json_object_object_add(o, "at", jutsu_json_time(rec->at));
    json_object_object_add(o, "status", json_object_new_string(rec->status));
    if (rec->finished_at)
        json_object_object_add(o, "finished_at", jutsu_json_time(rec->finished_at));
    if (rec->error[0])
        json_object_object_add(o, "error", json_object_new_string(rec->error));
    if (rec->reason[0])
        json_object_object_add(o, "reason", json_object_new_string(rec->reason));
    return o;
}

/* Job i of s as JSON; 0 or a storage error (answered in *out). */
static int job_json(struct jutsu_app *app, jutsu_sched *s, size_t i, int live, json_object *arr,
                    json_object **out)
{
    struct jutsu_sched_info info;
    struct jutsu_sched_record rec;
    char by[64];
    jutsu_time_t paused_at = 0, next_at;
    jutsu_date_t next_date;
    int paused = 0;
    jutsu_sched_info(s, i, &info);
    int rc = jutsu_sched_paused(app, info.name, &paused, by, sizeof(by), &paused_at);
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "internal", "see the log",
                                 "cannot read whether %s is paused: %s", info.name,
                                 jutsu_strerror(rc));
    int last = jutsu_sched_last(s, info.name, &rec);
    if (last != 0 && last != JUTSU_ENOENT && last != JUTSU_EMALFORMED)
        return jutsu_engine_fail(out, last, "internal", "see the log",
                                 "cannot read %s's last run: %s", info.name,
                                 jutsu_strerror(last));
    json_object *o = json_object_new_object();
    if (o == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    json_object_object_add(o, "name", json_object_new_string(info.name));
    json_object_object_add(o, "enabled", json_object_new_boolean(info.enabled));
    json_object_object_add(o, "paused", json_object_new_boolean(paused));
    if (paused) {
        json_object_object_add(o, "paused_by", json_object_new_string(by));
        if (paused_at)
            json_object_object_add(o, "paused_at", jutsu_json_time(paused_at));
    }
    json_object_object_add(o, "at", json_object_new_string(info.at));
    json_object_object_add(o, "early_close_at", json_object_new_string(info.early_close_at));
    json_object_object_add(o, "days", json_object_new_string(
        info.days == JUTSU_SCHED_EVERY_DAY ? "every_day" : "trading_days"));
    json_object_object_add(o, "catch_up", json_object_new_boolean(info.catch_up));
    if (info.enabled &&
        jutsu_sched_next(s, info.name, jutsu_app_now(app), &next_date, &next_at) == 0) {
        json_object *n = json_object_new_object();
        json_object_object_add(n, "date", jutsu_json_date(next_date));
        json_object_object_add(n, "at", jutsu_json_time(next_at));
        json_object_object_add(o, "next", n);
    }
    if (last == 0)
        json_object_object_add(o, "last", last_json(&rec));
    json_object_object_add(o, "running", json_object_new_boolean(live && info.running));
    json_object_array_add(arr, o);
    return 0;
}

int jutsu_engine_scheduler(jutsu_ctx *ctx, struct json_object **out)
{
    struct jutsu_engine_state *st = jutsu_engine_state_of(ctx);
    *out = NULL;
    if (st == NULL)
        return jutsu_engine_fail(out, JUTSU_ESTATE, "unavailable", NULL, "no engine");
    struct jutsu_app *app = st->app;
    jutsu_sched *s = app->sched, *own = NULL;
    if (s == NULL) {
        struct jutsu_diag diag;
        jutsu_diag_init(&diag);
        int rc = jutsu_jobs_sched(app, &diag, &own);
        if (rc != 0) {
            const char *why = jutsu_diag_count(&diag) ? jutsu_diag_line(&diag, 0) : "";
            rc = jutsu_engine_fail(out, rc, "internal", "`jutsu config check` says more",
                                   "the scheduler's config: %s", why);
            jutsu_diag_free(&diag);
            return rc;
        }
        jutsu_diag_free(&diag);
        s = own;
    }
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    int rc = o && arr ? 0 : jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL,
                                              "out of memory");
    for (size_t i = 0; rc == 0 && i < jutsu_sched_count(s); i++)
        rc = job_json(app, s, i, own == NULL, arr, out);
    if (rc == 0) {
        json_object_object_add(o, "enabled", json_object_new_boolean(jutsu_sched_enabled(s)));
        json_object_object_add(o, "running",
                               json_object_new_boolean(own == NULL && jutsu_sched_enabled(s)));
        json_object_object_add(o, "grace_minutes",
                               json_object_new_int(jutsu_sched_grace_minutes(s)));
        json_object_object_add(o, "jobs", arr);
        *out = o;
    } else {
        json_object_put(arr);
        json_object_put(o);
    }
    jutsu_sched_free(own);
    return rc;
}

int jutsu_engine_scheduler_pause(jutsu_ctx *ctx, const char *job, int paused, const char *by,
                                 struct json_object **out)
{
    struct jutsu_engine_state *st = jutsu_engine_state_of(ctx);
    size_t n, i;
    *out = NULL;
    if (st == NULL)
        return jutsu_engine_fail(out, JUTSU_ESTATE, "unavailable", NULL, "no engine");
    const struct jutsu_sched_job *jobs = jutsu_jobs(&n);
    for (i = 0; job && i < n && strcmp(jobs[i].name, job) != 0; i++)
        ;
    if (job == NULL || i == n)
        return jutsu_engine_fail(out, JUTSU_ENOENT, "not_found", "GET /api/scheduler lists them",
                                 "no scheduled job \"%.32s\": trading, sync, eod, prune",
                                 job ? job : "");
    int rc = jutsu_sched_set_paused(st->app, jobs[i].name, paused, by);
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "internal", "see the log",
                                 "cannot record that %s is %s: %s", jobs[i].name,
                                 paused ? "paused" : "resumed", jutsu_strerror(rc));
    json_object *o = json_object_new_object();
    if (o == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    json_object_object_add(o, "name", json_object_new_string(jobs[i].name));
    json_object_object_add(o, "paused", json_object_new_boolean(paused != 0));
    *out = o;
    return 0;
}
