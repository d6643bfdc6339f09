/*
 * core/cli/cmd_trade.c — `jutsu trade run`: the trading job from the command
 * line, for one strategy or all, on one day.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "cli/cli_suggest.h"
#include "sched/scheduler.h"
#include "store/store.h"
#include "trading/trade.h"

struct trade_args {
    const char  *strategy;
    jutsu_date_t date;
};

static int trade_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct trade_args *a = ud;
    switch (c) {
    case 's': a->strategy = arg; return 0;
    case 'd': return jutsu_cli_date_arg(cli, "date", arg, &a->date);
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option trade_opts[] = {
    { "strategy", required_argument, NULL, 's' },
    { "date",     required_argument, NULL, 'd' },
    { NULL, 0, NULL, 0 }
};

static json_object *result_json(const struct jutsu_trade_result *x)
{
    char buf[JUTSU_MONEY_BUFSZ], day[JUTSU_DATE_BUFSZ];
    json_object *o = json_object_new_object(), *fills = json_object_new_array();
    jutsu_date_format(x->date, day);
    json_object_object_add(o, "strategy", json_object_new_string(x->ent->id));
    json_object_object_add(o, "mode", json_object_new_string(x->ent->mode));
    json_object_object_add(o, "date", json_object_new_string(day));
    json_object_object_add(o, "outcome", json_object_new_string(jutsu_trade_outcome_name(x->outcome)));
    json_object_object_add(o, "execution_id", json_object_new_string(x->execution_id));
    if (x->outcome != JUTSU_TRADE_FAILED && x->outcome != JUTSU_TRADE_ALREADY) {
        jutsu_money_format(x->equity, buf);
        json_object_object_add(o, "equity", json_object_new_string(buf));
        jutsu_money_format(x->cash, buf);
        json_object_object_add(o, "cash", json_object_new_string(buf));
        json_object_object_add(o, "cell", json_object_new_int(x->cell));
        json_object_object_add(o, "trend_state", json_object_new_string(x->trend_state));
        json_object_object_add(o, "vol_state", json_object_new_string(x->vol_state));
    }
    for (size_t i = 0; i < x->norders; i++) {
        const struct trade_order *f = &x->orders[i];
        json_object *y = json_object_new_object();
        json_object_object_add(y, "symbol", json_object_new_string(f->symbol));
        json_object_object_add(y, "action", json_object_new_string(f->buy ? "BUY" : "SELL"));
        json_object_object_add(y, "quantity", json_object_new_int(f->qty));
        json_object_object_add(y, "filled", json_object_new_int(f->filled));
        jutsu_money_format(f->price, buf);
        json_object_object_add(y, "price", json_object_new_string(buf));
        if (f->filled > 0) {
            jutsu_money_format(f->fill_price, buf);
            json_object_object_add(y, "fill_price", json_object_new_string(buf));
        }
        if (f->order_id[0])
            json_object_object_add(y, "order_id", json_object_new_string(f->order_id));
        if (f->note[0])
            json_object_object_add(y, "note", json_object_new_string(f->note));
        json_object_array_add(fills, y);
    }
    json_object_object_add(o, "orders", fills);
    json_object *stale = NULL;
    if (x->stale_symbol[0] && x->outcome != JUTSU_TRADE_ALREADY) {
        stale = json_object_new_object();
        json_object_object_add(stale, "symbol", json_object_new_string(x->stale_symbol));
        if (x->stale_newest)
            jutsu_date_format(x->stale_newest, day);
        json_object_object_add(stale, "newest_bar",
                               x->stale_newest ? json_object_new_string(day) : NULL);
    }
    json_object_object_add(o, "stale", stale);
    json_object_object_add(o, "error", x->error[0] ? json_object_new_string(x->error) : NULL);
    return o;
}

static void print_text(const struct jutsu_trade_result *x)
{
    char day[JUTSU_DATE_BUFSZ], eq[JUTSU_MONEY_BUFSZ] = "-", cash[JUTSU_MONEY_BUFSZ] = "-";
    jutsu_date_format(x->date, day);
    if (x->outcome != JUTSU_TRADE_FAILED && x->outcome != JUTSU_TRADE_ALREADY) {
        jutsu_money_format(x->equity, eq);
        jutsu_money_format(x->cash, cash);
    }
    printf("%s %s (%s): %s; equity %s, cash %s; cell %d %s/%s; execution %s%s%s\n", day,
           x->ent->id, x->ent->mode, jutsu_trade_outcome_name(x->outcome), eq, cash, (int)x->cell,
           x->trend_state[0] ? x->trend_state : "-", x->vol_state[0] ? x->vol_state : "-",
           x->execution_id, x->error[0] ? "; " : "", x->error);
    for (size_t i = 0; i < x->norders; i++) {
        const struct trade_order *f = &x->orders[i];
        char p[JUTSU_MONEY_BUFSZ], fp[JUTSU_MONEY_BUFSZ] = "-";
        jutsu_money_format(f->price, p);
        if (f->filled > 0)
            jutsu_money_format(f->fill_price, fp);
        printf("  %-4s %6d %-6s at %s: filled %d at %s%s%s\n", f->buy ? "BUY" : "SELL",
               (int)f->qty, f->symbol, p, (int)f->filled, fp, f->note[0] ? "; " : "", f->note);
    }
}

/* A day decided without the bar of that day of one of the strategy's
 * symbols: the result line says `hold` (or warming up) as on any quiet
 * day, so the reason is said on stderr, with where the data ends. */
static void warn_stale(const struct jutsu_trade_result *x)
{
    char day[JUTSU_DATE_BUFSZ], newest[JUTSU_DATE_BUFSZ];
    const char *outcome = jutsu_trade_outcome_name(x->outcome);
    if (x->stale_symbol[0] == '\0' || x->outcome == JUTSU_TRADE_ALREADY)
        return;
    jutsu_date_format(x->date, day);
    fflush(stdout);   /* after the result line it qualifies, on a terminal */
    if (x->stale_newest == 0) {
        fprintf(stderr, "jutsu: warning: %s on %s: no valid %s bar on or before that day: "
                "\"%s\" was decided without one (`jutsu data status` lists what is stored)\n",
                x->ent->id, day, x->stale_symbol, outcome);
        return;
    }
    jutsu_date_format(x->stale_newest, newest);
    fprintf(stderr, "jutsu: warning: %s on %s: no valid %s bar that day, the newest is of %s "
            "(%d days earlier): \"%s\" was decided without it (`jutsu sync` fetches newer bars "
            "when a source has them)\n", x->ent->id, day, x->stale_symbol, newest,
            (int)(x->date - x->stale_newest), outcome);
}

/* The job refused: an unknown strategy is not found (exit 1, with the
 * nearest instance name), a day the exchange is closed a usage error. */
static int refused(struct jutsu_cli *cli, const struct jutsu_trade_report *r, int rc,
                   const char *strategy)
{
    char hint[256] = "";
    if (rc == JUTSU_EINVAL)
        return jutsu_cli_usage(cli, "%s", r->error);
    int unknown = rc == JUTSU_ENOENT && strategy &&
                  jutsu_entities_find(&r->ents, strategy, "strategy", NULL) == NULL;
    if (unknown)
        jutsu_cli_entity_hint(&r->ents, "strategy", strategy, hint, sizeof(hint));
    jutsu_cli_error("%s%s%s", r->error, hint[0] ? "; " : "", hint);
    return JUTSU_EXIT_FAILURE;
}

int jutsu_cmd_trade_run(struct jutsu_cli *cli)
{
    struct trade_args a = { 0 };
    jutsu_dbs *s = NULL;
    jutsu_job_lock *lock = NULL;
    int rc = jutsu_cli_parse(cli, trade_opts, trade_opt, &a), got = 0;
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    if ((rc = jutsu_cli_start_storage(cli, (1u << JUTSU_KIND_STRATEGY) | (1u << JUTSU_KIND_BROKER) |
                                           (1u << JUTSU_KIND_SOURCE), &s)) != 0)
        return rc;
    if ((rc = jutsu_sched_lock(cli->app, "trading", &lock, &got)) != 0 || !got) {
        jutsu_cli_error(rc ? "cannot take the trading job's lock: %s"
                           : "the trading job is running in another jutsu process that shares "
                             "this database: try again when it has finished%s",
                        rc ? jutsu_strerror(rc) : "");
        jutsu_dbs_close(s);
        return JUTSU_EXIT_FAILURE;
    }
    struct jutsu_trade_report r;
    rc = jutsu_trade_run(cli->app, a.date, a.strategy, "manual", &r);
    jutsu_sched_unlock(lock);
    int ran = rc == 0 || rc == JUTSU_EPLUGIN || r.n > 0;   /* else nothing to show */
    if (ran && cli->format == JUTSU_FMT_JSON) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < r.n; i++)
            json_object_array_add(arr, result_json(&r.v[i]));
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
    } else if (cli->format != JUTSU_FMT_JSON) {
        for (size_t i = 0; i < r.n; i++)
            print_text(&r.v[i]);
    }
    for (size_t i = 0; i < r.n; i++)
        warn_stale(&r.v[i]);
    int code = rc == 0 ? JUTSU_EXIT_OK : JUTSU_EXIT_FAILURE;
    if (rc != 0 && rc != JUTSU_EPLUGIN)
        code = refused(cli, &r, rc, a.strategy);
    else if (r.n == 0 && r.error[0])
        fprintf(stderr, "jutsu: %s\n", r.error);
    jutsu_trade_report_free(&r);
    jutsu_dbs_close(s);
    return code;
}
