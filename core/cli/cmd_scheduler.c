/*
 * core/cli/cmd_scheduler.c — `jutsu scheduler status`: each scheduled job's
 * settings, whether it is paused (over the REST API), its next slot and
 * its last recorded run.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "jobs/jobs.h"
#include "sched/scheduler.h"
#include "store/store.h"

struct job_view {
    struct jutsu_sched_info   info;
    int                       has_next;
    jutsu_date_t              next_date;
    jutsu_time_t              next_at;
    int                       last_rc;     /* 0, JUTSU_ENOENT, JUTSU_EMALFORMED */
    struct jutsu_sched_record last;
    int                       paused;
    char                      paused_by[64];
};

/* "2024-03-11 16:05 EDT": an instant as the exchange's wall clock. */
static void wall(const struct jutsu_app *app, jutsu_time_t t, char *buf, size_t size)
{
    jutsu_date_t d;
    int sec = 0;
    char date[JUTSU_DATE_BUFSZ];
    if (jutsu_tz_local_date(app->tz, t, &d, &sec) != 0) {
        snprintf(buf, size, "?");
        return;
    }
    jutsu_date_format(d, date);
    snprintf(buf, size, "%s %02d:%02d %s", date, sec / 3600, sec / 60 % 60,
             jutsu_tz_abbrev(app->tz, t));
}

static const char *days_name(int days)
{
    return days == JUTSU_SCHED_EVERY_DAY ? "every day" : "trading days";
}

static json_object *view_json(const struct jutsu_app *app, const struct job_view *v)
{
    char buf[JUTSU_TIME_BUFSZ], date[JUTSU_DATE_BUFSZ], local[64];
    json_object *o = json_object_new_object(), *next = NULL, *last = NULL;
    json_object_object_add(o, "name", json_object_new_string(v->info.name));
    json_object_object_add(o, "enabled", json_object_new_boolean(v->info.enabled));
    json_object_object_add(o, "paused", json_object_new_boolean(v->paused));
    if (v->paused)
        json_object_object_add(o, "paused_by", json_object_new_string(v->paused_by));
    json_object_object_add(o, "at", json_object_new_string(v->info.at));
    json_object_object_add(o, "early_close_at", json_object_new_string(v->info.early_close_at));
    json_object_object_add(o, "days", json_object_new_string(
        v->info.days == JUTSU_SCHED_EVERY_DAY ? "every_day" : "trading_days"));
    json_object_object_add(o, "catch_up", json_object_new_boolean(v->info.catch_up));
    if (v->has_next) {
        next = json_object_new_object();
        jutsu_date_format(v->next_date, date);
        jutsu_time_format(v->next_at, buf);
        wall(app, v->next_at, local, sizeof(local));
        json_object_object_add(next, "date", json_object_new_string(date));
        json_object_object_add(next, "at", json_object_new_string(buf));
        json_object_object_add(next, "local", json_object_new_string(local));
    }
    json_object_object_add(o, "next", next);
    if (v->last_rc == 0) {
        last = json_object_new_object();
        jutsu_date_format(v->last.date, date);
        json_object_object_add(last, "date", json_object_new_string(date));
        if (v->last.at) {
            jutsu_time_format(v->last.at, buf);
            json_object_object_add(last, "at", json_object_new_string(buf));
        }
        json_object_object_add(last, "status", json_object_new_string(v->last.status));
        if (v->last.finished_at) {
            jutsu_time_format(v->last.finished_at, buf);
            json_object_object_add(last, "finished_at", json_object_new_string(buf));
        }
        if (v->last.error[0])
            json_object_object_add(last, "error", json_object_new_string(v->last.error));
        if (v->last.reason[0])
            json_object_object_add(last, "reason", json_object_new_string(v->last.reason));
    }
    json_object_object_add(o, "last", last);
    if (v->last_rc == JUTSU_EMALFORMED)
        json_object_object_add(o, "last_unreadable", json_object_new_boolean(1));
    return o;
}

static void view_text(const struct jutsu_app *app, const struct job_view *v)
{
    char next[64] = "-", last[400], date[JUTSU_DATE_BUFSZ], fin[JUTSU_TIME_BUFSZ] = "?";
    if (v->has_next)
        wall(app, v->next_at, next, sizeof(next));
    if (v->last_rc == JUTSU_ENOENT) {
        snprintf(last, sizeof(last), "never run");
    } else if (v->last_rc != 0) {
        snprintf(last, sizeof(last), "unreadable record (see the warning above)");
    } else {
        jutsu_date_format(v->last.date, date);
        if (v->last.finished_at)
            jutsu_time_format(v->last.finished_at, fin);
        snprintf(last, sizeof(last), "%s %s%s%s%s%s (at %s)", date, v->last.status,
                 v->last.error[0] ? ": " : "", v->last.error, v->last.reason[0] ? ": " : "",
                 v->last.reason, fin);
    }
    printf("%-10s %-8s %-5s  %-5s  %-12s %-3s   %-22s %s\n", v->info.name,
           !v->info.enabled ? "no" : v->paused ? "PAUSED" : "yes", v->info.at,
           v->info.early_close_at,
           days_name(v->info.days), v->info.catch_up ? "yes" : "no", next, last);
}

static int load_view(struct jutsu_app *app, jutsu_sched *s, size_t i, jutsu_time_t now,
                     struct job_view *v)
{
    memset(v, 0, sizeof(*v));
    jutsu_sched_info(s, i, &v->info);
    v->has_next = v->info.enabled &&
                  jutsu_sched_next(s, v->info.name, now, &v->next_date, &v->next_at) == 0;
    int rc = jutsu_sched_paused(app, v->info.name, &v->paused, v->paused_by,
                                sizeof(v->paused_by), NULL);
    if (rc != 0)
        return rc;
    v->last_rc = jutsu_sched_last(s, v->info.name, &v->last);
    if (v->last_rc == 0 || v->last_rc == JUTSU_ENOENT || v->last_rc == JUTSU_EMALFORMED)
        return 0;
    return v->last_rc;
}

static int print_status(struct jutsu_cli *cli, jutsu_sched *s)
{
    struct jutsu_app *app = cli->app;
    jutsu_time_t now = jutsu_app_now(app);
    json_object *arr = NULL;
    int rc = 0;
    if (cli->format == JUTSU_FMT_JSON) {
        arr = json_object_new_array();
    } else {
        printf("scheduler: %s, grace %d min, times in %s\n",
               jutsu_sched_enabled(s) ? "enabled" : "DISABLED (scheduler.enabled: false): serve "
               "runs no job", jutsu_sched_grace_minutes(s), jutsu_tz_name(app->tz));
        printf("%-10s %-8s %-5s  %-5s  %-12s %-5s %-22s %s\n", "JOB", "ENABLED", "AT", "EARLY",
               "DAYS", "CATCH", "NEXT", "LAST RUN");
    }
    for (size_t i = 0; i < jutsu_sched_count(s) && rc == 0; i++) {
        struct job_view v;
        if ((rc = load_view(app, s, i, now, &v)) != 0)
            break;
        if (arr)
            json_object_array_add(arr, view_json(app, &v));
        else
            view_text(app, &v);
    }
    if (arr && rc == 0) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "enabled", json_object_new_boolean(jutsu_sched_enabled(s)));
        json_object_object_add(o, "grace_minutes",
                               json_object_new_int(jutsu_sched_grace_minutes(s)));
        json_object_object_add(o, "timezone", json_object_new_string(jutsu_tz_name(app->tz)));
        json_object_object_add(o, "jobs", arr);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                            JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else if (arr) {
        json_object_put(arr);
    }
    if (rc != 0)
        jutsu_cli_error("cannot read the jobs' records: %s (see the log)", jutsu_strerror(rc));
    return rc;
}

int jutsu_cmd_scheduler_status(struct jutsu_cli *cli)
{
    jutsu_dbs *db = NULL;
    jutsu_sched *s = NULL;
    struct jutsu_diag diag;
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_cli_start_storage(cli, 0, &db)) != 0)
        return rc;
    jutsu_dbs_close(db);   /* the records are read on sessions of their own */
    jutsu_diag_init(&diag);
    rc = jutsu_jobs_sched(cli->app, &diag, &s);
    if (rc != 0) {
        jutsu_diag_print(&diag, stderr, "jutsu: error: ");
        jutsu_diag_free(&diag);
        return rc == JUTSU_ENOMEM ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_CONFIG;
    }
    jutsu_diag_free(&diag);
    rc = print_status(cli, s);
    jutsu_sched_free(s);
    return rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
