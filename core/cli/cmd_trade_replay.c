/*
 * core/cli/cmd_trade_replay.c — `jutsu trade replay`: the paper job from the
 * command line (core/jobs/paper.h): strategies with paper_since traded on
 * the stored days they have not run yet, then those days' EOD rows.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "cli/cli_suggest.h"
#include "jobs/paper.h"
#include "sched/scheduler.h"
#include "store/store.h"

struct replay_args {
    const char  *strategy;
    jutsu_date_t to;
};

static int replay_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct replay_args *a = ud;
    switch (c) {
    case 's': a->strategy = arg; return 0;
    case 't': return jutsu_cli_date_arg(cli, "to", arg, &a->to);
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option replay_opts[] = {
    { "strategy", required_argument, NULL, 's' },
    { "to",       required_argument, NULL, 't' },
    { NULL, 0, NULL, 0 }
};

static json_object *date_json(jutsu_date_t d)
{
    char day[JUTSU_DATE_BUFSZ];
    if (d == 0)
        return NULL;
    jutsu_date_format(d, day);
    return json_object_new_string(day);
}

static void print_json(const struct jutsu_paper_report *r)
{
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_paper_result *x = &r->v[i];
        json_object *y = json_object_new_object();
        json_object_object_add(y, "strategy", json_object_new_string(x->ent->id));
        json_object_object_add(y, "mode", json_object_new_string(x->ent->mode));
        json_object_object_add(y, "from", x->days ? date_json(x->from) : NULL);
        json_object_object_add(y, "to", date_json(x->last));
        json_object_object_add(y, "days", json_object_new_int(x->days));
        json_object_object_add(y, "days_with_fills", json_object_new_int(x->traded_days));
        json_object_object_add(y, "fills", json_object_new_int(x->fills));
        json_object_object_add(y, "error", x->error[0] ? json_object_new_string(x->error) : NULL);
        json_object_array_add(arr, y);
    }
    json_object_object_add(o, "strategies", arr);
    json_object_object_add(o, "eod_from", date_json(r->eod_from));
    json_object_object_add(o, "eod_to", date_json(r->eod_to));
    json_object_object_add(o, "eod_days_completed", json_object_new_int(r->eod_days_completed));
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static void print_text(const struct jutsu_paper_report *r)
{
    char from[JUTSU_DATE_BUFSZ], to[JUTSU_DATE_BUFSZ], since[JUTSU_DATE_BUFSZ];
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_paper_result *x = &r->v[i];
        jutsu_date_format(x->ent->paper_since, since);
        if (x->days == 0 && x->error[0] == '\0') {
            printf("%s (%s): up to date (paper since %s; no stored day left to trade)\n",
                   x->ent->id, x->ent->mode, since);
            continue;
        }
        if (x->days > 0) {
            jutsu_date_format(x->from, from);
            jutsu_date_format(x->last, to);
            printf("%s (%s): traded %s .. %s: %d trading day%s, %d with fills, %d fill%s\n",
                   x->ent->id, x->ent->mode, from, to, x->days, x->days == 1 ? "" : "s",
                   x->traded_days, x->fills, x->fills == 1 ? "" : "s");
        }
        if (x->error[0])
            printf("%s (%s): stopped: %s\n", x->ent->id, x->ent->mode, x->error);
    }
    if (r->eod_from != 0) {
        jutsu_date_format(r->eod_from, from);
        jutsu_date_format(r->eod_to, to);
        printf("eod backfill %s .. %s: %d day%s completed\n", from, to, r->eod_days_completed,
               r->eod_days_completed == 1 ? "" : "s");
    }
}

/* Both jobs' locks: the replay writes what each of them writes. */
static int take_locks(struct jutsu_cli *cli, jutsu_job_lock **trading, jutsu_job_lock **eod)
{
    int got = 0, rc = jutsu_sched_lock(cli->app, "trading", trading, &got);
    const char *busy = "trading";
    if (rc == 0 && got && (rc = jutsu_sched_lock(cli->app, "eod", eod, &got)) == 0 && !got)
        busy = "eod";
    if (rc == 0 && got)
        return 0;
    jutsu_sched_unlock(*trading);
    *trading = NULL;
    if (rc != 0)
        jutsu_cli_error("cannot take the job locks: %s", jutsu_strerror(rc));
    else
        jutsu_cli_error("the %s job is running in another jutsu process that shares this "
                        "database: try again when it has finished", busy);
    return JUTSU_EXIT_FAILURE;
}

int jutsu_cmd_trade_replay(struct jutsu_cli *cli)
{
    struct replay_args a = { 0 };
    jutsu_dbs *s = NULL;
    jutsu_job_lock *trading = NULL, *eod = NULL;
    int rc = jutsu_cli_parse(cli, replay_opts, replay_opt, &a);
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    if ((rc = jutsu_cli_start_storage(cli, (1u << JUTSU_KIND_STRATEGY) |
                                           (1u << JUTSU_KIND_KPI), &s)) != 0)
        return rc;
    if ((rc = take_locks(cli, &trading, &eod)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    struct jutsu_paper_report r;
    rc = jutsu_paper_run(cli->app, a.to ? a.to + 1 : 0, a.strategy, &r);
    jutsu_sched_unlock(eod);
    jutsu_sched_unlock(trading);
    if (cli->format == JUTSU_FMT_JSON)
        print_json(&r);
    else
        print_text(&r);
    if (r.n == 0 && rc == 0)
        fprintf(stderr, "jutsu: no strategy instance has paper_since: nothing to replay "
                "(docs/trading.md, \"Paper history\")\n");
    if (rc != 0)
        jutsu_cli_error("%s", r.error);
    jutsu_paper_report_free(&r);
    jutsu_dbs_close(s);
    return rc == 0 ? JUTSU_EXIT_OK : JUTSU_EXIT_FAILURE;
}
