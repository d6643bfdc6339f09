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
#include "cli/cli_suggest.h"
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
    case 'd': return jutsu_cli_date_arg(cli, "date", arg, &a->date);
    case 'f': return jutsu_cli_date_arg(cli, "from", arg, &a->from);
    case 'T': return jutsu_cli_date_arg(cli, "to", arg, &a->to);
    case 'e':
        if (*arg == '\0')
            return jutsu_cli_usage(cli, "--entity needs the id of a strategy instance or a "
                                   "baseline");
        a->entity = arg;
        return 0;
    case 't':
        if (strcmp(arg, "strategy") != 0 && strcmp(arg, "baseline") != 0)
            return jutsu_cli_usage(cli, "--type %s: use strategy or baseline", arg);
        a->type = arg;
        return 0;
    case 'n': {
        char *end;
        long days = strtol(arg, &end, 10);
        a->days = days >= 1 && days <= 3660 ? (int)days : 0;
        if (*arg == '\0' || *end != '\0' || a->days == 0)
            return jutsu_cli_usage(cli, "--days %s: a number of trading days, 1 to 3660", arg);
        return 0;
    }
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

/* The entities of day i that have a row, of type `type`, over those the
 * run looked at: "0/2" says that neither strategy has one. */
static void day_rows(const struct jutsu_eod_report *r, size_t i, int type, char *buf, size_t n)
{
    int rows = 0, total = 0;
    for (size_t j = 0; j < r->ents.n; j++) {
        const struct jutsu_eod_cell *c = JUTSU_EOD_CELL(r, i, j);
        if (r->ents.v[j].type != type || c->outcome == JUTSU_EOD_NOT_RUN)
            continue;
        total++;
        rows += c->outcome == JUTSU_EOD_DONE;
    }
    snprintf(buf, n, "%d/%d", rows, total);
}

static void day_json(const struct jutsu_eod_report *r, size_t i, json_object *arr, int entities)
{
    const struct jutsu_eod_day *d = &r->days[i];
    char day[JUTSU_DATE_BUFSZ], rows[24];
    jutsu_date_format(d->date, day);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "date", json_object_new_string(day));
    json_object_object_add(o, "status", d->status[0] ? json_object_new_string(d->status) : NULL);
    json_object_object_add(o, "strategies_total", json_object_new_int(d->strategies_total));
    json_object_object_add(o, "strategies_processed",
                           json_object_new_int(d->strategies_processed));
    json_object_object_add(o, "baselines_total", json_object_new_int(d->baselines_total));
    json_object_object_add(o, "baselines_processed", json_object_new_int(d->baselines_processed));
    day_rows(r, i, JUTSU_ENTITY_STRATEGY, rows, sizeof(rows));
    /* NOLINTNEXTLINE(cert-err34-c): the leading count of the "%d/%d" day_rows wrote */
    json_object_object_add(o, "strategy_rows", json_object_new_int(atoi(rows)));
    day_rows(r, i, JUTSU_ENTITY_BASELINE, rows, sizeof(rows));
    /* NOLINTNEXTLINE(cert-err34-c): as above */
    json_object_object_add(o, "baseline_rows", json_object_new_int(atoi(rows)));
    json_object_object_add(o, "rows_changed", json_object_new_int(d->rows_changed));
    json_object_object_add(o, "retried", json_object_new_boolean(d->was_due));
    json_object_object_add(o, "error", d->error[0] ? json_object_new_string(d->error) : NULL);
    if (entities)
        json_object_object_add(o, "entities", jutsu_eod_entities_json(r, i, 1));
    json_object_array_add(arr, o);
}

/* What entity j came to, and why it lacks rows it lacks: a strategy's rows
 * start with its first snapshot, which only the trading job writes (a
 * backtest keeps nothing). */
static void entity_note(const struct jutsu_eod_report *r, size_t j,
                        const struct jutsu_eod_tally *t, char *buf, size_t n)
{
    const struct jutsu_entity *e = &r->ents.v[j];
    char d0[JUTSU_DATE_BUFSZ], d1[JUTSU_DATE_BUFSZ], dz[JUTSU_DATE_BUFSZ];
    jutsu_date_t data_to = 0;   /* the last day some entity had its data */
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->ndays; i++)
        for (size_t k = 0; k < r->ents.n; k++)
            if (JUTSU_EOD_CELL(r, i, k)->outcome == JUTSU_EOD_DONE)
                data_to = r->days[i].date;
    jutsu_date_format(r->days[0].date, d0);
    jutsu_date_format(r->days[r->ndays - 1].date, d1);
    jutsu_date_format(data_to, dz);
    if (t->not_started > 0 && t->rows == 0 && t->waiting == 0 && t->not_final == 0 && data_to)
        used += (size_t)snprintf(buf, n, "not started: it has no snapshot on or before %s; its "
                                 "rows start with the trading job's first run of it (serve's "
                                 "trading slot, or e.g. `jutsu trade run --strategy %s --date "
                                 "%s`)", d1, e->id, dz);
    else if (t->not_started > 0 && t->rows == 0 && t->waiting == 0 && t->not_final == 0)
        used += (size_t)snprintf(buf, n, "not started: it has no snapshot on or before %s; its "
                                 "rows start with the trading job's first run of it (serve's "
                                 "trading slot, or `jutsu trade run --strategy %s --date D` "
                                 "for a day D with bars)", d1, e->id);
    else if (t->not_started > 0)
        used += (size_t)snprintf(buf, n, "not started before its first snapshot (%d day%s)",
                                 t->not_started, t->not_started == 1 ? "" : "s");
    /* its past is a backtest's to show: nothing of that is kept */
    if (used > 0 && used < n && t->rows == 0 && data_to >= r->days[0].date)
        used += (size_t)snprintf(buf + used, n - used, "; `jutsu backtest --strategy %s --from "
                                 "%s --to %s` shows that range without keeping it", e->id, d0,
                                 dz);
    if (used < n && t->not_final > 0)
        snprintf(buf + used, n - used, "%s%d day%s not finalised, first %s", used ? "; " : "",
                 t->not_final + t->waiting, t->not_final + t->waiting == 1 ? "" : "s",
                 r->notes[j]);
    else if (used < n && t->waiting > 0)
        snprintf(buf + used, n - used, "%s%d day%s wait for data: %s", used ? "; " : "",
                 t->waiting, t->waiting == 1 ? "" : "s", r->notes[j]);
}

static json_object *entities_json(const struct jutsu_eod_report *r)
{
    json_object *a = json_object_new_array();
    for (size_t j = 0; a && j < r->ents.n && r->ndays > 0; j++) {
        struct jutsu_eod_tally t;
        char note[1024], d0[JUTSU_DATE_BUFSZ], d1[JUTSU_DATE_BUFSZ];
        jutsu_eod_entity_tally(r, j, &t);
        if (JUTSU_EOD_CELL(r, 0, j)->outcome == JUTSU_EOD_NOT_RUN)
            continue;   /* not selected */
        entity_note(r, j, &t, note, sizeof(note));
        json_object *x = json_object_new_object();
        json_object_object_add(x, "type", json_object_new_string(r->ents.v[j].type_name));
        json_object_object_add(x, "id", json_object_new_string(r->ents.v[j].id));
        json_object_object_add(x, "mode", json_object_new_string(r->ents.v[j].mode));
        json_object_object_add(x, "rows", json_object_new_int(t.rows));
        json_object_object_add(x, "written", json_object_new_int(t.written));
        if (t.rows) {
            jutsu_date_format(t.from, d0);
            jutsu_date_format(t.to, d1);
        }
        json_object_object_add(x, "from", t.rows ? json_object_new_string(d0) : NULL);
        json_object_object_add(x, "to", t.rows ? json_object_new_string(d1) : NULL);
        json_object_object_add(x, "days_not_started", json_object_new_int(t.not_started));
        json_object_object_add(x, "days_waiting", json_object_new_int(t.waiting));
        json_object_object_add(x, "days_not_finalised", json_object_new_int(t.not_final));
        json_object_object_add(x, "note", note[0] ? json_object_new_string(note) : NULL);
        json_object_array_add(a, x);
    }
    return a;
}

/* Per entity: its rows (how many, from .. to, how many written) and why it
 * lacks the others. */
static void print_entities(const struct jutsu_eod_report *r)
{
    printf("%-26s  %-12s  %5s  %-10s  %-10s  %7s  %s\n", "ENTITY", "MODE", "ROWS", "FROM", "TO",
           "WRITTEN", "NOTE");
    for (size_t j = 0; j < r->ents.n; j++) {
        struct jutsu_eod_tally t;
        char note[1024], name[64], d0[JUTSU_DATE_BUFSZ] = "-", d1[JUTSU_DATE_BUFSZ] = "-";
        if (JUTSU_EOD_CELL(r, 0, j)->outcome == JUTSU_EOD_NOT_RUN)
            continue;
        jutsu_eod_entity_tally(r, j, &t);
        entity_note(r, j, &t, note, sizeof(note));
        if (t.rows) {
            jutsu_date_format(t.from, d0);
            jutsu_date_format(t.to, d1);
        }
        snprintf(name, sizeof(name), "%s %s", r->ents.v[j].type_name, r->ents.v[j].id);
        printf("%-26s  %-12s  %5d  %-10s  %-10s  %7d  %s\n", name, r->ents.v[j].mode, t.rows, d0,
               d1, t.written, note);
    }
}

/* One line per day; per entity what it came to; the days that wait. */
static void print_report(struct jutsu_cli *cli, const struct jutsu_eod_report *r, int backfill)
{
    char wait[1024];
    jutsu_eod_wait_line(cli->app, r, wait, sizeof(wait));
    if (cli->format == JUTSU_FMT_JSON) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; i < r->ndays; i++)
            day_json(r, i, a, !backfill || i + 1 == r->ndays);
        json_object_object_add(o, "days", a);
        json_object_object_add(o, "entities", entities_json(r));
        json_object_object_add(o, "rows_changed", json_object_new_int64(r->rows_changed));
        json_object_object_add(o, "later_rows_recomputed", json_object_new_int64(r->cascaded));
        json_object_object_add(o, "waiting", wait[0] ? json_object_new_string(wait) : NULL);
        json_object_object_add(o, "error", r->error[0] ? json_object_new_string(r->error) : NULL);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return;
    }
    size_t shown = 0;
    for (size_t i = 0; i < r->ndays; i++) {
        const struct jutsu_eod_day *d = &r->days[i];
        /* a long run: the days with something to say (a wait is said once,
         * below), and the last */
        if (r->ndays > 20 && (d->error[0] == '\0' || strcmp(d->status, "waiting") == 0) &&
            i + 1 < r->ndays)
            continue;
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d->date, day);
        if (shown++ == 0)
            printf("%-10s  %-9s  %-13s  %-13s  %7s  %s\n", "DATE", "STATUS", "STRATEGY ROWS",
                   "BASELINE ROWS", "CHANGED", "NOTE");
        char st[24], bl[24];
        day_rows(r, i, JUTSU_ENTITY_STRATEGY, st, sizeof(st));
        day_rows(r, i, JUTSU_ENTITY_BASELINE, bl, sizeof(bl));
        /* a wait is said once, under the table */
        int waits = strcmp(d->status, "waiting") == 0;
        printf("%-10s  %-9s  %-13s  %-13s  %7d  %s%s\n", day, d->status[0] ? d->status : "-",
               st, bl, d->rows_changed, d->was_due ? "(catch-up) " : "", waits ? "" : d->error);
    }
    if (r->ndays > 0)
        print_entities(r);
    printf("%zu trading day%s, %lld row%s written", r->ndays, r->ndays == 1 ? "" : "s",
           (long long)r->rows_changed, r->rows_changed == 1 ? "" : "s");
    if (r->cascaded)
        printf(", %lld later row%s recomputed", (long long)r->cascaded,
               r->cascaded == 1 ? "" : "s");
    printf("%s\n", r->failed ? "; some days are not complete (see NOTE)" : "");
    if (wait[0])
        printf("%s\n", wait);
}

/* The job refused before it computed anything: a day it cannot run is a
 * usage error; an entity the config does not have is not found (exit 1,
 * like every name the config or the database lacks), with the nearest id. */
static int refused(struct jutsu_cli *cli, const struct jutsu_eod_report *r, int rc,
                   const struct eod_args *a)
{
    char hint[256] = "";
    if (rc == JUTSU_EINVAL)
        return jutsu_cli_usage(cli, "%s", r->error);
    if (a->entity)
        jutsu_cli_entity_hint(&r->ents, a->type, a->entity, hint, sizeof(hint));
    jutsu_cli_error("%s%s%s", r->error, hint[0] ? "; " : "", hint);
    return JUTSU_EXIT_FAILURE;
}

static int finish(struct jutsu_cli *cli, jutsu_dbs *s, struct jutsu_eod_report *r, int rc,
                  const struct eod_args *a, int backfill)
{
    int code = rc == 0 ? JUTSU_EXIT_OK : JUTSU_EXIT_FAILURE;
    if ((rc == JUTSU_EINVAL || rc == JUTSU_ENOENT) && r->error[0]) {
        code = refused(cli, r, rc, a);   /* nothing ran: no report */
    } else if (backfill && rc != 0 && rc != JUTSU_EPLUGIN && cli->format != JUTSU_FMT_JSON) {
        /* one transaction, rolled back (or never begun): what it computed
         * is not stored, so a table of it would say what did not happen */
        char d0[JUTSU_DATE_BUFSZ] = "-", d1[JUTSU_DATE_BUFSZ] = "-";
        if (r->ndays > 0) {
            jutsu_date_format(r->days[0].date, d0);
            jutsu_date_format(r->days[r->ndays - 1].date, d1);
        }
        printf("nothing written: the backfill of %zu trading day%s (%s to %s) is one "
               "transaction, rolled back at the error below\n", r->ndays,
               r->ndays == 1 ? "" : "s", d0, d1);
        jutsu_cli_error("%s", r->error[0] ? r->error : jutsu_strerror(rc));
    } else {
        if (r->ndays > 0 || cli->format == JUTSU_FMT_JSON)
            print_report(cli, r, backfill);
        if (rc != 0 && rc != JUTSU_EPLUGIN && r->error[0])
            jutsu_cli_error("%s", r->error);
    }
    jutsu_eod_report_free(r);
    jutsu_dbs_close(s);
    return code;
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
    return finish(cli, s, &r, rc, &a, 0);
}

/* --- the first stored bar: where a backfill can start --------------------- */

struct symbols_1d {
    char   (*v)[16];
    size_t n, cap;
    int    oom;
};

static int take_symbol(const struct jutsu_metadata_row *m, void *arg)
{
    struct symbols_1d *l = arg;
    if (strcmp(m->timeframe, "1D") != 0)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char (*v)[16] = realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            l->oom = 1;
            return JUTSU_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", m->symbol);
    return 0;
}

static int take_ts(const struct jutsu_bar_row *b, void *arg)
{
    *(jutsu_time_t *)arg = b->ts;
    return 0;
}

/* The date of the oldest daily bar stored, of any symbol the sync has
 * recorded: 0, JUTSU_ENOENT when there is none, or a storage error. The
 * symbols are listed first: one query at a time on the session. */
static int first_stored_day(jutsu_dbs *s, jutsu_date_t *first)
{
    struct symbols_1d l = { 0 };
    int rc = jutsu_data_metadata_list(s, take_symbol, &l), found = 0;
    if (rc != 0 && l.oom)
        rc = JUTSU_ENOMEM;
    /* years 1 to 9999: PostgreSQL's timestamps hold no wider bounds */
    jutsu_time_t lo = jutsu_date_to_time(jutsu_date_from_ymd(1, 1, 1));
    jutsu_time_t hi = jutsu_date_to_time(jutsu_date_from_ymd(9999, 12, 31));
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        jutsu_time_t ts = INT64_MIN;
        rc = jutsu_data_bars_page(s, l.v[i], "1D", lo, hi, 0, 1, take_ts, &ts, NULL);
        if (rc == 0 && ts != INT64_MIN && (!found || jutsu_time_to_date(ts) < *first)) {
            *first = jutsu_time_to_date(ts);
            found = 1;
        }
    }
    free(l.v);
    return rc ? rc : found ? 0 : JUTSU_ENOENT;
}

/* Days before the first stored bar can have no data, only a `partial` row
 * each (0000-01-01 wrote half a million): the range starts at that bar,
 * said on stderr; a range that ends before it is refused. 0, or an exit
 * code with the reason printed. */
static int clamp_from(struct jutsu_cli *cli, jutsu_dbs *s, struct eod_args *a)
{
    jutsu_date_t first;
    char from[JUTSU_DATE_BUFSZ], to[JUTSU_DATE_BUFSZ], f[JUTSU_DATE_BUFSZ];
    int rc = first_stored_day(s, &first);
    if (rc == JUTSU_ENOENT)
        return 0;   /* no bars at all: every day waits for data, and writes nothing */
    if (rc != 0) {
        jutsu_cli_db_error(s);
        return JUTSU_EXIT_FAILURE;
    }
    if (a->from >= first)
        return 0;
    jutsu_date_format(a->from, from);
    jutsu_date_format(a->to, to);
    jutsu_date_format(first, f);
    if (a->to < first)
        return jutsu_cli_usage(cli, "--from %s --to %s ends before the first stored bar (%s): "
                               "there is nothing to backfill", from, to, f);
    fprintf(stderr, "jutsu: --from %s is before the first stored bar (%s); backfilling from "
            "%s\n", from, f, f);
    a->from = first;
    return 0;
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
    if ((rc = jutsu_cli_date_range(cli, a.from, a.to)) != 0)
        return rc;
    if ((rc = eod_start(cli, &s)) != 0)
        return rc;
    if (a.to == 0 && jutsu_eod_latest_day(cli->app, jutsu_app_now(cli->app), &a.to) != 0) {
        jutsu_dbs_close(s);
        jutsu_cli_error("cannot tell the newest closed trading day: give --to");
        return JUTSU_EXIT_FAILURE;
    }
    if ((rc = clamp_from(cli, s, &a)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    jutsu_job_lock *lock = NULL;
    if ((rc = eod_lock(cli, &lock)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    struct jutsu_eod_report r;
    rc = jutsu_eod_backfill(cli->app, a.from, a.to, a.entity, a.type, &r);
    jutsu_sched_unlock(lock);
    return finish(cli, s, &r, rc, &a, 1);
}

/* --- eod status ---------------------------------------------------------- */

struct status_out {
    int          format;
    json_object *arr;
    int          n;
    /* where the data of the baselines' symbols ends: a day after it that
     * has no row waits for data (a waiting day is never stored) */
    struct jutsu_dbs  *s;
    jutsu_date_t       end;         /* 0: not known (no baseline, no bar) */
    char               symbol[16];
    jutsu_date_t       next;        /* the next day to account for        */
    const jutsu_calendar *cal;
};

static void print_waiting(struct status_out *o, jutsu_date_t d)
{
    char day[JUTSU_DATE_BUFSZ], end[JUTSU_DATE_BUFSZ], note[128];
    jutsu_date_format(d, day);
    jutsu_date_format(o->end, end);
    snprintf(note, sizeof(note), "waits for data: the newest %s bar is %s", o->symbol, end);
    o->n++;
    if (o->format == JUTSU_FMT_JSON) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "date", json_object_new_string(day));
        json_object_object_add(x, "status", json_object_new_string("waiting"));
        json_object_object_add(x, "stored", json_object_new_boolean(0));
        json_object_object_add(x, "error", json_object_new_string(note));
        json_object_array_add(o->arr, x);
        return;
    }
    printf("%-10s  %-9s  %-20.20s  %-20.20s  %-10s  %-9s  %7s  %s\n", day, "waiting", "-", "-",
           "-", "-", "-", note);
}

/* The days before `upto` that have no row: those after the data's end
 * wait for it; the others never ran (said once, after the table). */
static void account_until(struct status_out *o, jutsu_date_t upto)
{
    for (jutsu_date_t d = o->next; d != JUTSU_CALENDAR_NONE && d < upto;
         d = jutsu_calendar_next(o->cal, d))
        if (o->end && d > o->end)
            print_waiting(o, d);
    o->next = upto;
}

/* Where the first baseline's data ends that ends first. */
static void data_end(struct jutsu_cli *cli, struct status_out *o)
{
    struct jutsu_entities ents;
    char err[256];
    if (jutsu_entities_load(cli->app, &ents, err, sizeof(err)) != 0)
        return;   /* the config was checked when it loaded: nothing more to say here */
    for (size_t j = 0; j < ents.n; j++) {
        jutsu_date_t d;
        if (ents.v[j].type != JUTSU_ENTITY_BASELINE ||
            jutsu_eod_newest_bar(o->s, ents.v[j].symbol, &d) != 0 || (o->end && d >= o->end))
            continue;
        o->end = d;
        snprintf(o->symbol, sizeof(o->symbol), "%s", ents.v[j].symbol);
    }
    jutsu_entities_free(&ents);
}

static int status_row(const void *row, void *arg)
{
    const struct jutsu_eod_status_row *st = row;
    struct status_out *o = arg;
    account_until(o, st->job_date);
    o->next = jutsu_calendar_next(o->cal, st->job_date);
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
    struct status_out o = { .format = cli->format, .s = s, .cal = cli->app->cal };
    o.next = jutsu_calendar_is_trading_day(o.cal, from) ? from : jutsu_calendar_next(o.cal, from);
    data_end(cli, &o);
    if (cli->format == JUTSU_FMT_JSON)
        o.arr = json_object_new_array();
    else
        printf("%-10s  %-9s  %-20s  %-20s  %-10s  %-9s  %7s  %s\n", "DATE", "STATUS", "STARTED",
               "COMPLETED", "STRATEGIES", "BASELINES", "RETRIES", "ERROR");
    rc = jutsu_data_eod_status_range(s, from, to, status_row, &o);
    if (rc == 0)
        account_until(&o, to + 1);
    if (o.arr) {
        puts(json_object_to_json_string_ext(o.arr, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o.arr);
    } else if (rc == 0 && o.n == 0) {   /* an empty table: said, but not a result row */
        fprintf(stderr, "jutsu: the EOD job has not run for these days: `jutsu eod run`\n");
    }
    if (rc)
        jutsu_cli_db_error(s);
    jutsu_dbs_close(s);
    return rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
