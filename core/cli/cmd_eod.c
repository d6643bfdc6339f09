/*
 * core/cli/cmd_eod.c — `jutsu eod run|backfill|status`.
 *
 * run and backfill start the storage driver and the KPI instances (not
 * the sources, strategies or a frontend), run the job on the main thread
 * and print what each day came to.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "cli/cli.h"
#include "store/data_api.h"
#include "eod/eod.h"
#include "sched/scheduler.h"
#include "store/store.h"

struct eod_args {
    jutsu_date_t date, from, to;
    const char  *entity, *type;
    int          days;
};

static int eod_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct eod_args *a = ud;
    switch (c) {
    case 'd': return jutsu_cli_date_opt(cli, "date", arg, &a->date);
    case 'f': return jutsu_cli_date_opt(cli, "from", arg, &a->from);
    case 'T': return jutsu_cli_date_opt(cli, "to", arg, &a->to);
    case 'e': a->entity = arg; return 0;
    case 't':
        if (strcmp(arg, "strategy") != 0 && strcmp(arg, "baseline") != 0)
            return jutsu_cli_usage(cli, "--type %s: use strategy or baseline", arg);
        a->type = arg;
        return 0;
    case 'n':
        a->days = atoi(arg);
        if (a->days < 1 || a->days > 3660)
            return jutsu_cli_usage(cli, "--days %s: a number of trading days, 1 to 3660", arg);
        return 0;
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option eod_opts[] = {
    { "date",   required_argument, NULL, 'd' },
    { "from",   required_argument, NULL, 'f' },
    { "to",     required_argument, NULL, 'T' },
    { "entity", required_argument, NULL, 'e' },
    { "type",   required_argument, NULL, 't' },
    { "days",   required_argument, NULL, 'n' },
    { NULL, 0, NULL, 0 }
};

/* Parses the options, refusing those this command does not take. */
static int eod_parse(struct jutsu_cli *cli, struct eod_args *a, const char *allowed)
{
    int rc = jutsu_cli_parse(cli, eod_opts, eod_opt, a);
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    static const struct { char c; const char *name; } opt[] = {
        { 'd', "date" }, { 'f', "from" }, { 'T', "to" }, { 'e', "entity" }, { 't', "type" },
        { 'n', "days" },
    };
    int given[6] = { a->date != 0, a->from != 0, a->to != 0, a->entity != NULL,
                     a->type != NULL, a->days != 0 };
    for (size_t i = 0; i < 6; i++)
        if (given[i] && strchr(allowed, opt[i].c) == NULL)
            return jutsu_cli_usage(cli, "--%s does not apply to `jutsu %s`", opt[i].name,
                                   cli->cmd->name);
    return 0;
}

/* Storage and the KPI instances (the EOD job folds through them). */
static int eod_start(struct jutsu_cli *cli, jutsu_dbs **s)
{
    return jutsu_cli_start_storage(cli, 1u << JUTSU_KIND_KPI, s);
}

/* The job's cross-process lock: `serve` on another machine may be running
 * it right now. 0, or an exit code with the reason printed. */
static int eod_lock(struct jutsu_cli *cli, jutsu_job_lock **lock)
{
    int got = 0;
    int rc = jutsu_sched_lock(cli->app, "eod", lock, &got);
    if (rc != 0) {
        jutsu_cli_error("cannot take the EOD job's lock: %s", jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    if (!got) {
        jutsu_cli_error("the EOD job is running in another jutsu process that shares this "
                        "database (it holds the job's advisory lock): try again when it has "
                        "finished (`jutsu eod status`)");
        return JUTSU_EXIT_FAILURE;
    }
    return 0;
}

static void day_json(const struct jutsu_eod_report *r, size_t i, json_object *arr, int entities)
{
    const struct jutsu_eod_day *d = &r->days[i];
    char day[JUTSU_DATE_BUFSZ];
    jutsu_date_format(d->date, day);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "date", json_object_new_string(day));
    json_object_object_add(o, "status", d->status[0] ? json_object_new_string(d->status) : NULL);
    json_object_object_add(o, "strategies_total", json_object_new_int(d->strategies_total));
    json_object_object_add(o, "strategies_processed",
                           json_object_new_int(d->strategies_processed));
    json_object_object_add(o, "baselines_total", json_object_new_int(d->baselines_total));
    json_object_object_add(o, "baselines_processed", json_object_new_int(d->baselines_processed));
    json_object_object_add(o, "rows_changed", json_object_new_int(d->rows_changed));
    json_object_object_add(o, "retried", json_object_new_boolean(d->was_due));
    json_object_object_add(o, "error", d->error[0] ? json_object_new_string(d->error) : NULL);
    if (entities)
        json_object_object_add(o, "entities", jutsu_eod_entities_json(r, i, 1));
    json_object_array_add(arr, o);
}

/* One line per day; the entities of the last day; the problems. */
static void print_report(struct jutsu_cli *cli, const struct jutsu_eod_report *r, int backfill)
{
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; i < r->ndays; i++)
            day_json(r, i, a, !backfill || i + 1 == r->ndays);
        json_object_object_add(o, "days", a);
        json_object_object_add(o, "rows_changed", json_object_new_int64(r->rows_changed));
        json_object_object_add(o, "later_rows_recomputed", json_object_new_int64(r->cascaded));
        json_object_object_add(o, "error", r->error[0] ? json_object_new_string(r->error) : NULL);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return;
    }
    size_t shown = 0;
    for (size_t i = 0; i < r->ndays; i++) {
        const struct jutsu_eod_day *d = &r->days[i];
        /* a long backfill: the days with something to say, and the last */
        if (backfill && r->ndays > 20 && d->error[0] == '\0' && i + 1 < r->ndays)
            continue;
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d->date, day);
        if (shown++ == 0)
            printf("%-10s  %-9s  %-10s  %-9s  %7s  %s\n", "DATE", "STATUS", "STRATEGIES",
                   "BASELINES", "CHANGED", "NOTE");
        char st[16], bl[16];
        snprintf(st, sizeof(st), "%d/%d", d->strategies_processed, d->strategies_total);
        snprintf(bl, sizeof(bl), "%d/%d", d->baselines_processed, d->baselines_total);
        printf("%-10s  %-9s  %-10s  %-9s  %7d  %s%s\n", day, d->status[0] ? d->status : "-", st,
               bl, d->rows_changed, d->was_due ? "(catch-up) " : "", d->error);
    }
    if (r->ndays > 0) {
        size_t last = r->ndays - 1;
        for (size_t j = 0; j < r->ents.n; j++) {
            const struct jutsu_eod_cell *c = JUTSU_EOD_CELL(r, last, j);
            char eq[JUTSU_MONEY_BUFSZ] = "";
            if (c->outcome == JUTSU_EOD_NOT_RUN)
                continue;
            if (c->outcome == JUTSU_EOD_DONE)
                jutsu_money_format(c->equity, eq);
            printf("  %-8s %-16s %-12s %-11s %s\n", r->ents.v[j].type_name, r->ents.v[j].id,
                   r->ents.v[j].mode, jutsu_eod_outcome_name(c->outcome), eq);
        }
    }
    printf("%zu trading day%s, %lld row%s written", r->ndays, r->ndays == 1 ? "" : "s",
           (long long)r->rows_changed, r->rows_changed == 1 ? "" : "s");
    if (r->cascaded)
        printf(", %lld later row%s recomputed", (long long)r->cascaded,
               r->cascaded == 1 ? "" : "s");
    printf("%s\n", r->failed ? "; some days are not complete (see NOTE)" : "");
}

static int finish(struct jutsu_cli *cli, jutsu_dbs *s, struct jutsu_eod_report *r, int rc,
                  int backfill)
{
    if (r->ndays > 0 || cli->format == JUTSU_FMT_JSON)
        print_report(cli, r, backfill);
    if (rc != 0 && rc != JUTSU_EPLUGIN && r->error[0])
        jutsu_cli_error("%s", r->error);
    jutsu_eod_report_free(r);
    jutsu_dbs_close(s);
    return rc == 0 ? JUTSU_EXIT_OK : rc == JUTSU_EINVAL || rc == JUTSU_ENOENT ? JUTSU_EXIT_USAGE
                                                                              : JUTSU_EXIT_FAILURE;
}

int jutsu_cmd_eod_run(struct jutsu_cli *cli)
{
    struct eod_args a = { 0 };
    jutsu_dbs *s = NULL;
    jutsu_job_lock *lock = NULL;
    int rc = eod_parse(cli, &a, "d");
    if (rc || (rc = eod_start(cli, &s)) != 0)
        return rc;
    if ((rc = eod_lock(cli, &lock)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    struct jutsu_eod_report r;
    rc = jutsu_eod_run(cli->app, a.date, &r);
    jutsu_sched_unlock(lock);
    return finish(cli, s, &r, rc, 0);
}

int jutsu_cmd_eod_backfill(struct jutsu_cli *cli)
{
    struct eod_args a = { 0 };
    jutsu_dbs *s = NULL;
    int rc = eod_parse(cli, &a, "fTet");
    if (rc)
        return rc;
    if (a.from == 0)
        return jutsu_cli_usage(cli, "--from DATE is required");
    if (a.to && a.from > a.to)
        return jutsu_cli_usage(cli, "--from is after --to");
    if ((rc = eod_start(cli, &s)) != 0)
        return rc;
    if (a.to == 0 && jutsu_eod_latest_day(cli->app, jutsu_app_now(cli->app), &a.to) != 0) {
        jutsu_dbs_close(s);
        jutsu_cli_error("cannot tell the newest closed trading day: give --to");
        return JUTSU_EXIT_FAILURE;
    }
    jutsu_job_lock *lock = NULL;
    if ((rc = eod_lock(cli, &lock)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    struct jutsu_eod_report r;
    rc = jutsu_eod_backfill(cli->app, a.from, a.to, a.entity, a.type, &r);
    jutsu_sched_unlock(lock);
    return finish(cli, s, &r, rc, 1);
}

/* --- eod status ---------------------------------------------------------- */

struct status_out {
    int          format;
    json_object *arr;
    int          n;
};

static int status_row(const void *row, void *arg)
{
    const struct jutsu_eod_status_row *st = row;
    struct status_out *o = arg;
    char day[JUTSU_DATE_BUFSZ], t0[JUTSU_TIME_BUFSZ] = "-", t1[JUTSU_TIME_BUFSZ] = "-";
    jutsu_date_format(st->job_date, day);
    if (st->started_at)
        jutsu_time_format(st->started_at - st->started_at % JUTSU_USEC_PER_SEC, t0);
    if (st->completed_at)
        jutsu_time_format(st->completed_at - st->completed_at % JUTSU_USEC_PER_SEC, t1);
    o->n++;
    if (o->format == JUTSU_FMT_JSON) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "date", json_object_new_string(day));
        json_object_object_add(x, "status", json_object_new_string(st->status));
        json_object_object_add(x, "started_at", st->started_at ? json_object_new_string(t0) : NULL);
        json_object_object_add(x, "completed_at",
                               st->completed_at ? json_object_new_string(t1) : NULL);
        json_object_object_add(x, "strategies_total", json_object_new_int(st->strategies_total));
        json_object_object_add(x, "strategies_processed",
                               json_object_new_int(st->strategies_processed));
        json_object_object_add(x, "baselines_total", json_object_new_int(st->baselines_total));
        json_object_object_add(x, "baselines_processed",
                               json_object_new_int(st->baselines_processed));
        json_object_object_add(x, "retry_count", json_object_new_int(st->retry_count));
        json_object_object_add(x, "error", st->error_message ?
                               json_object_new_string(st->error_message) : NULL);
        json_object_array_add(o->arr, x);
        return 0;
    }
    char sb[16], bb[16];
    snprintf(sb, sizeof(sb), "%d/%d", st->strategies_processed, st->strategies_total);
    snprintf(bb, sizeof(bb), "%d/%d", st->baselines_processed, st->baselines_total);
    printf("%-10s  %-9s  %-20.20s  %-20.20s  %-10s  %-9s  %7d  %s\n", day, st->status, t0, t1, sb,
           bb, st->retry_count, st->error_message ? st->error_message : "");
    return 0;
}

int jutsu_cmd_eod_status(struct jutsu_cli *cli)
{
    struct eod_args a = { 0 };
    jutsu_dbs *s = NULL;
    int rc = eod_parse(cli, &a, "dn");
    if (rc || (rc = eod_start(cli, &s)) != 0)
        return rc;
    jutsu_date_t to = a.date, from;
    if (to == 0 && jutsu_eod_latest_day(cli->app, jutsu_app_now(cli->app), &to) != 0)
        to = jutsu_time_to_date(jutsu_app_now(cli->app));
    from = to;
    int days = a.days ? a.days : a.date ? 1 : 10;
    for (int k = 1; k < days; k++) {
        jutsu_date_t p = jutsu_calendar_prev(cli->app->cal, from);
        if (p == JUTSU_CALENDAR_NONE)
            break;
        from = p;
    }
    struct status_out o = { .format = cli->format };
    if (cli->format == JUTSU_FMT_JSON)
        o.arr = json_object_new_array();
    else
        printf("%-10s  %-9s  %-20s  %-20s  %-10s  %-9s  %7s  %s\n", "DATE", "STATUS", "STARTED",
               "COMPLETED", "STRATEGIES", "BASELINES", "RETRIES", "ERROR");
    rc = jutsu_data_eod_status_range(s, from, to, status_row, &o);
    if (o.arr) {
        puts(json_object_to_json_string_ext(o.arr, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o.arr);
    } else if (rc == 0 && o.n == 0) {
        printf("(the EOD job has not run for these days: `jutsu eod run`)\n");
    }
    if (rc)
        jutsu_cli_db_error(s);
    jutsu_dbs_close(s);
    return rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
