/*
 * core/engine/engine_jobs.c — jobs run on request (jutsu/engine.h
 * job_start, job_get): sync, eod and trade, through the functions `jutsu
 * sync`, `jutsu eod run` and `jutsu trade run` call, under the job's lock
 * (jutsu_sched_lock), each run on a thread of its own.
 *
 * One run per job at a time: a run holds its job's slot from the moment
 * it is queued until it ends, and its thread holds the job's lock while
 * the job runs, which keeps out the scheduler of this process (the lock
 * is exclusive within a process) and of every other process sharing a
 * PostgreSQL database. The lock is first tried on the caller's thread, so
 * that a job already running elsewhere is refused at once (409), and then
 * taken again by the run's thread (a lock is released by the thread that
 * took it); a run that loses the race in between fails, saying so.
 *
 * Runs are kept in memory, the newest 256, for job_get. Each is shared by
 * the list and its thread: the last of the two frees it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "jutsu/symbol.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "bus/bus.h"
#include "engine/engine_int.h"
#include "eod/eod.h"
#include "host/entities.h"
#include "market/sync.h"
#include "sched/scheduler.h"
#include "trading/trade.h"

#define WHO          "engine"
#define KEEP         256     /* runs kept for job_get                     */
#define MAX_SYMBOLS  64      /* sync {symbols}: at most this many         */

enum { ST_QUEUED, ST_RUNNING, ST_OK, ST_FAILED };
static const char *const status_names[] = { "queued", "running", "ok", "failed" };

/* The jobs a caller may start: the name it uses, and the scheduler's
 * name, which is also the lock's and what job.* events carry. */
struct job_kind {
    const char *name, *sched_name;
};
static const struct job_kind kinds[] = {
    { "sync", "sync" }, { "eod", "eod" }, { "trade", "trading" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct run {
    int                     refs;       /* the list's and the thread's; under runs->lock */
    char                    id[24];
    size_t                  kind;       /* index into kinds[]          */
    int                     status;
    char                    by[64];
    json_object            *args;       /* canonical copy              */
    jutsu_time_t            queued_at, started_at, finished_at;
    char                    error[1024];
    json_object            *result;     /* set once, when it ends      */
    /* what it runs with */
    jutsu_date_t            date;       /* 0: the job's default        */
    char                    strategy[128];
    char                  (*symbols)[JUTSU_SYMBOL_MAX + 1];
    size_t                  nsymbols;
    struct jutsu_app       *app;
    struct jutsu_engine_runs *runs;
};

struct jutsu_engine_runs {
    pthread_mutex_t lock;
    struct run     *kept[KEEP];         /* a ring, the newest at next - 1 */
    size_t          next;
    int             closing;
    struct {
        struct run *run;                /* the job's latest run, or NULL */
        pthread_t   thread;
        int         joinable;
    } slot[NKINDS];
};

/* Ids stay unique over the process's life, across detach and attach. */
static atomic_uint_fast64_t run_seq;

/* --- runs' memory ------------------------------------------------------------ */

static void run_free(struct run *r)
{
    json_object_put(r->args);
    json_object_put(r->result);
    free(r->symbols);
    free(r);
}

/* Drops one reference; under runs->lock. 1 if r was freed. */
static int run_drop(struct run *r)
{
    if (--r->refs > 0)
        return 0;
    run_free(r);
    return 1;
}

int jutsu_engine_runs_new(struct jutsu_engine_state *st)
{
    struct jutsu_engine_runs *rs = calloc(1, sizeof(*rs));
    if (rs == NULL)
        return JUTSU_ENOMEM;
    if (pthread_mutex_init(&rs->lock, NULL) != 0) {
        free(rs);
        return JUTSU_ENOMEM;
    }
    st->runs = rs;
    return 0;
}

void jutsu_engine_runs_free(struct jutsu_engine_state *st)
{
    struct jutsu_engine_runs *rs = st ? st->runs : NULL;
    if (rs == NULL)
        return;
    pthread_mutex_lock(&rs->lock);
    rs->closing = 1;
    pthread_mutex_unlock(&rs->lock);
    /* no new run can start now: wait for those that run */
    for (size_t k = 0; k < NKINDS; k++)
        if (rs->slot[k].joinable)
            pthread_join(rs->slot[k].thread, NULL);
    for (size_t k = 0; k < NKINDS; k++)
        if (rs->slot[k].run)
            run_drop(rs->slot[k].run);
    for (size_t i = 0; i < KEEP; i++)
        if (rs->kept[i])
            run_drop(rs->kept[i]);
    pthread_mutex_destroy(&rs->lock);
    free(rs);
    st->runs = NULL;
}

/* --- events and metrics ------------------------------------------------------- */

/* The exchange date a run is about: its date, or today's. */
static jutsu_date_t run_day(const struct run *r)
{
    jutsu_date_t d = r->date;
    if (d == 0 && (r->app->tz == NULL ||
                   jutsu_tz_local_date(r->app->tz, jutsu_app_now(r->app), &d, NULL) != 0))
        d = jutsu_time_to_date(jutsu_app_now(r->app));
    return d;
}

static void publish(const struct run *r, const char *topic, const char *status, int64_t ms)
{
    if (r->app->bus == NULL)
        return;
    json_object *p = json_object_new_object();
    if (p == NULL)
        return;
    json_object_object_add(p, "name", json_object_new_string(kinds[r->kind].sched_name));
    json_object_object_add(p, "trading_date", jutsu_json_date(run_day(r)));
    json_object_object_add(p, "trigger", json_object_new_string("api"));
    json_object_object_add(p, "run_id", json_object_new_string(r->id));
    json_object_object_add(p, "by", json_object_new_string(r->by));
    if (status) {
        json_object_object_add(p, "status", json_object_new_string(status));
        json_object_object_add(p, "duration_ms", json_object_new_int64(ms));
        if (r->error[0])
            json_object_object_add(p, "error", json_object_new_string(r->error));
    }
    if (jutsu_bus_publish(r->app->bus, "host", topic, p) != 0)
        jutsu_log(WHO, JUTSU_LOG_DEBUG, "could not publish %s", topic);
}

static void count_run(const struct run *r, const char *status, int64_t us)
{
    char labels[96];
    snprintf(labels, sizeof(labels), "job=\"%s\",status=\"%s\"", kinds[r->kind].sched_name,
             status);
    jutsu_metrics_add(NULL, "jutsu_job_runs_total", labels, 1);
    if (us >= 0)
        jutsu_metrics_observe(NULL, "jutsu_job_duration_seconds", labels, us);
}

/* --- the jobs ------------------------------------------------------------------ */

static int run_eod(struct run *r, json_object *res)
{
    struct jutsu_eod_report rep;
    int rc = jutsu_eod_run(r->app, r->date, &rep);
    json_object *days = json_object_new_array();
    const struct jutsu_eod_day *bad = NULL;
    for (size_t i = 0; days && i < rep.ndays; i++) {
        const struct jutsu_eod_day *d = &rep.days[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "date", jutsu_json_date(d->date));
        json_object_object_add(o, "status", json_object_new_string(d->status));
        json_object_object_add(o, "rows_changed", json_object_new_int(d->rows_changed));
        if (d->error[0])
            json_object_object_add(o, "error", json_object_new_string(d->error));
        json_object_array_add(days, o);
        if (bad == NULL && d->error[0] && strcmp(d->status, "completed") != 0 &&
            strcmp(d->status, "waiting") != 0)
            bad = d;
    }
    json_object_object_add(res, "days", days);
    json_object_object_add(res, "rows_changed", json_object_new_int64(rep.rows_changed));
    json_object_object_add(res, "days_waiting", json_object_new_int(rep.waiting));
    json_object_object_add(res, "days_failed", json_object_new_int(rep.failed));
    if (rc != 0 && bad) {
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(bad->date, day);
        snprintf(r->error, sizeof(r->error), "%d of %zu days not complete; first %s, %s: %.400s",
                 rep.failed, rep.ndays, day, bad->status, bad->error);
    } else if (rc != 0) {
        snprintf(r->error, sizeof(r->error), "%s", rep.error[0] ? rep.error : jutsu_strerror(rc));
    }
    jutsu_eod_report_free(&rep);
    return rc;
}

static int run_trade(struct run *r, json_object *res)
{
    struct jutsu_trade_report rep;
    int rc = jutsu_trade_run(r->app, r->date, r->strategy[0] ? r->strategy : NULL, "manual",
                             &rep);
    json_object *arr = json_object_new_array();
    const struct jutsu_trade_result *bad = NULL;
    for (size_t i = 0; arr && i < rep.n; i++) {
        const struct jutsu_trade_result *x = &rep.v[i];
        size_t filled = 0;
        for (size_t k = 0; k < x->norders; k++)
            filled += x->orders[k].filled > 0;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "strategy", json_object_new_string(x->ent->id));
        json_object_object_add(o, "mode", json_object_new_string(x->ent->mode));
        json_object_object_add(o, "date", jutsu_json_date(x->date));
        json_object_object_add(o, "outcome",
                               json_object_new_string(jutsu_trade_outcome_name(x->outcome)));
        json_object_object_add(o, "fills", json_object_new_int64((int64_t)filled));
        json_object_object_add(o, "execution_id", json_object_new_string(x->execution_id));
        if (x->error[0])
            json_object_object_add(o, "error", json_object_new_string(x->error));
        json_object_array_add(arr, o);
        if (x->outcome == JUTSU_TRADE_FAILED && bad == NULL)
            bad = x;
    }
    json_object_object_add(res, "strategies", arr);
    if (rc != 0)
        snprintf(r->error, sizeof(r->error), "%s",
                 bad ? bad->error : rep.error[0] ? rep.error : jutsu_strerror(rc));
    jutsu_trade_report_free(&rep);
    return rc;
}

static int run_sync(struct run *r, json_object *res)
{
    const char **syms = NULL;
    if (r->nsymbols && (syms = calloc(r->nsymbols, sizeof(*syms))) == NULL) {
        snprintf(r->error, sizeof(r->error), "out of memory");
        return JUTSU_ENOMEM;
    }
    for (size_t i = 0; i < r->nsymbols; i++)
        syms[i] = r->symbols[i];
    struct jutsu_sync_opts o = { .symbols = syms, .nsymbols = r->nsymbols };
    struct jutsu_sync_report rep;
    int rc = jutsu_sync_run(r->app, &o, &rep);
    free(syms);
    json_object *arr = json_object_new_array();
    const struct jutsu_sync_item *bad = NULL;
    for (size_t i = 0; arr && i < rep.n; i++) {
        const struct jutsu_sync_item *it = &rep.items[i];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "symbol", json_object_new_string(it->symbol));
        json_object_object_add(x, "timeframe", json_object_new_string(it->timeframe));
        json_object_object_add(x, "source", json_object_new_string(it->source));
        json_object_object_add(x, "fetched", json_object_new_int64(it->fetched));
        json_object_object_add(x, "inserted", json_object_new_int64(it->inserted));
        json_object_object_add(x, "skipped", json_object_new_int64(it->skipped));
        json_object_object_add(x, "rejected", json_object_new_int64(it->rejected));
        if (it->status != 0)
            json_object_object_add(x, "error", json_object_new_string(it->error));
        json_object_array_add(arr, x);
        if (it->status != 0 && bad == NULL)
            bad = it;
    }
    json_object_object_add(res, "items", arr);
    json_object_object_add(res, "inserted", json_object_new_int64(rep.inserted));
    json_object_object_add(res, "rejected", json_object_new_int64(rep.rejected));
    if (rc != 0 && bad)
        snprintf(r->error, sizeof(r->error), "%d of %zu items failed; first: %s %s: %.400s",
                 rep.failed, rep.n, bad->symbol, bad->timeframe, bad->error);
    else if (rc != 0)
        snprintf(r->error, sizeof(r->error), "sync could not start: %s (see the log)",
                 jutsu_strerror(rc));
    jutsu_sync_report_free(&rep);
    return rc;
}

/* Ends run r: its status, result and the event; drops the thread's
 * reference. The order is what a client may rely on: the run is counted in
 * the metrics before anyone can see it ended, and job.finished goes out only
 * after, so that a subscriber who asks for the run on that event finds it
 * ended. */
static void finish(struct run *r, int status, json_object *result, int64_t us, int ran)
{
    struct jutsu_engine_runs *rs = r->runs;
    const char *name = status_names[status];
    count_run(r, name, ran ? us : -1);
    pthread_mutex_lock(&rs->lock);
    r->status = status;
    r->result = result;
    r->finished_at = jutsu_app_now(r->app);
    pthread_mutex_unlock(&rs->lock);
    if (status == ST_OK)
        jutsu_log(WHO, JUTSU_LOG_INFO, "run %s (%s, by %s): ok in %lld ms", r->id,
                  kinds[r->kind].name, r->by, (long long)(us / 1000));
    else
        jutsu_log(WHO, JUTSU_LOG_ERROR, "run %s (%s, by %s): failed: %s", r->id,
                  kinds[r->kind].name, r->by, r->error);
    if (ran)
        publish(r, "job.finished", name, us / 1000);
    pthread_mutex_lock(&rs->lock);
    run_drop(r);
    pthread_mutex_unlock(&rs->lock);
}

static void *run_main(void *arg)
{
    struct run *r = arg;
    struct jutsu_engine_runs *rs = r->runs;
    const char *lock_name = kinds[r->kind].sched_name;
    jutsu_job_lock *lk = NULL;
    int got = 0;
    int rc = jutsu_sched_lock(r->app, lock_name, &lk, &got);
    if (rc != 0 || !got) {
        /* the race the caller's check leaves open: someone took it since */
        snprintf(r->error, sizeof(r->error), rc ? "cannot take the %s job's lock: %s"
                 : "busy: the %s job started elsewhere (the scheduler or another process) "
                   "before this run could take its lock%s", lock_name,
                 rc ? jutsu_strerror(rc) : "");
        finish(r, ST_FAILED, NULL, 0, 0);
        return NULL;
    }
    pthread_mutex_lock(&rs->lock);
    r->status = ST_RUNNING;
    r->started_at = jutsu_app_now(r->app);
    pthread_mutex_unlock(&rs->lock);
    jutsu_log(WHO, JUTSU_LOG_INFO, "run %s (%s, by %s): running", r->id, kinds[r->kind].name,
              r->by);
    publish(r, "job.started", NULL, 0);
    json_object *res = json_object_new_object();
    int64_t t0 = jutsu_clock_mono_us();
    if (res == NULL) {
        rc = JUTSU_ENOMEM;
        snprintf(r->error, sizeof(r->error), "out of memory");
    } else if (r->kind == 0) {
        rc = run_sync(r, res);
    } else if (r->kind == 1) {
        rc = run_eod(r, res);
    } else {
        rc = run_trade(r, res);
    }
    int64_t us = jutsu_clock_mono_us() - t0;
    jutsu_sched_unlock(lk);
    if (rc != 0 && r->error[0] == '\0')
        snprintf(r->error, sizeof(r->error), "%s", jutsu_strerror(rc));
    finish(r, rc == 0 ? ST_OK : ST_FAILED, res, us, 1);
    return NULL;
}

/* --- checking a request ------------------------------------------------------- */

static int kind_of(const char *name, size_t *k)
{
    for (size_t i = 0; name && i < NKINDS; i++)
        if (strcmp(kinds[i].name, name) == 0 || strcmp(kinds[i].sched_name, name) == 0) {
            *k = i;
            return 0;
        }
    return JUTSU_ENOENT;
}

static int check_date(struct jutsu_app *app, size_t kind, json_object *v, struct run *r,
                      json_object **out)
{
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (s == NULL || jutsu_date_parse(s, -1, &r->date) != 0)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", "write YYYY-MM-DD",
                                 "args.date: not a date");
    if (app->cal && !jutsu_calendar_is_trading_day(app->cal, r->date))
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", "give a trading day",
                                 "args.date: %s is not a trading day of the exchange", s);
    jutsu_date_t latest;
    if (kinds[kind].name[0] == 'e' && jutsu_eod_latest_day(app, jutsu_app_now(app), &latest) == 0
        && r->date > latest)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", "EOD finalises closed days",
                                 "args.date: the session of %s has not closed yet", s);
    return 0;
}

static int check_strategy(struct jutsu_app *app, json_object *v, struct run *r,
                          json_object **out)
{
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    struct jutsu_entities ents;
    char err[256];
    if (s == NULL || *s == '\0' || strlen(s) >= sizeof(r->strategy))
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", NULL,
                                 "args.strategy: a strategy instance's name");
    int rc = jutsu_entities_load(app, &ents, err, sizeof(err));
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "internal", NULL, "the entities: %s", err);
    int found = jutsu_entities_find(&ents, s, "strategy", NULL) != NULL;
    jutsu_entities_free(&ents);
    if (!found)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request",
                                 "GET /api/strategies lists them",
                                 "args.strategy: no strategy instance \"%.64s\"", s);
    snprintf(r->strategy, sizeof(r->strategy), "%s", s);
    return 0;
}

static int check_symbols(json_object *v, struct run *r, json_object **out)
{
    size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (n == 0 || n > MAX_SYMBOLS)
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", NULL,
                                 "args.symbols: a list of 1 to %d symbols", MAX_SYMBOLS);
    if ((r->symbols = calloc(n, sizeof(*r->symbols))) == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                 : "";
        size_t len = strlen(s);
        for (size_t c = 0; c < len && c <= JUTSU_SYMBOL_MAX; c++)
            r->symbols[i][c] = (char)(s[c] >= 'a' && s[c] <= 'z' ? s[c] - 'a' + 'A' : s[c]);
        if (len > JUTSU_SYMBOL_MAX || !jutsu_symbol_valid(r->symbols[i]))
            return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request",
                                     "1-10 characters of A-Z 0-9 . ^ -",
                                     "args.symbols[%zu]: not a symbol", i);
    }
    r->nsymbols = n;
    return 0;
}

/* args against what job `kind` takes; fills r and its canonical args. */
static int check_args(struct jutsu_app *app, size_t kind, json_object *args, struct run *r,
                      json_object **out)
{
    static const char *const takes[NKINDS] = { "symbols", "date", "strategy, date" };
    if (args != NULL && !json_object_is_type(args, json_type_object))
        return jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", NULL,
                                 "args: an object ({%s} for %s)", takes[kind], kinds[kind].name);
    if ((r->args = json_object_new_object()) == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    if (args == NULL)
        return 0;
    json_object_object_foreach(args, key, v) {
        int rc;
        if (kind == 0 && strcmp(key, "symbols") == 0)
            rc = check_symbols(v, r, out);
        else if (kind != 0 && strcmp(key, "date") == 0)
            rc = check_date(app, kind, v, r, out);
        else if (kind == 2 && strcmp(key, "strategy") == 0)
            rc = check_strategy(app, v, r, out);
        else
            rc = jutsu_engine_fail(out, JUTSU_EINVAL, "bad_request", NULL,
                                   "args.%.64s: %s takes no such member (it takes: %s)", key,
                                   kinds[kind].name, takes[kind]);
        if (rc != 0)
            return rc;
    }
    if (r->date)
        json_object_object_add(r->args, "date", jutsu_json_date(r->date));
    if (r->strategy[0])
        json_object_object_add(r->args, "strategy", json_object_new_string(r->strategy));
    if (r->nsymbols) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; a && i < r->nsymbols; i++)
            json_object_array_add(a, json_object_new_string(r->symbols[i]));
        json_object_object_add(r->args, "symbols", a);
    }
    return 0;
}

/* --- the calls ----------------------------------------------------------------- */

/* Under rs->lock: r joins the kept runs, pushing out the oldest. */
static void keep(struct jutsu_engine_runs *rs, struct run *r)
{
    struct run **at = &rs->kept[rs->next % KEEP];
    if (*at)
        run_drop(*at);
    *at = r;
    rs->next++;
}

/* Reserves job k's slot for r: 0, or JUTSU_EBUSY / JUTSU_ESTATE answered. */
static int reserve(struct jutsu_engine_runs *rs, size_t k, struct run *r, json_object **out)
{
    int rc = 0;
    char holder[24] = "";
    pthread_mutex_lock(&rs->lock);
    struct run *cur = rs->slot[k].run;
    if (rs->closing)
        rc = JUTSU_ESTATE;
    else if (cur && (cur->status == ST_QUEUED || cur->status == ST_RUNNING))
        rc = JUTSU_EBUSY;
    if (rc == JUTSU_EBUSY)
        snprintf(holder, sizeof(holder), "%s", cur->id);
    if (rc == 0) {
        if (cur) {
            run_drop(cur);   /* the slot's reference to the job's last run */
            rs->slot[k].run = NULL;
        }
        r->refs++;
        rs->slot[k].run = r;
    }
    pthread_mutex_unlock(&rs->lock);
    if (rc == JUTSU_ESTATE)
        return jutsu_engine_fail(out, rc, "unavailable", "try again after the restart",
                                 "the host is shutting down");
    if (rc == JUTSU_EBUSY)
        return jutsu_engine_fail(out, rc, "busy", "GET /api/jobs/{id} follows it",
                                 "a %s run is going: %s", kinds[k].name, holder);
    return 0;
}

static void unreserve(struct jutsu_engine_runs *rs, size_t k, struct run *r)
{
    pthread_mutex_lock(&rs->lock);
    if (rs->slot[k].run == r) {
        rs->slot[k].run = NULL;
        run_drop(r);
    }
    pthread_mutex_unlock(&rs->lock);
}

/* Refuses the run when the job runs elsewhere (its lock is held). */
static int lock_free(struct jutsu_app *app, size_t k, json_object **out)
{
    jutsu_job_lock *lk = NULL;
    int got = 0;
    int rc = jutsu_sched_lock(app, kinds[k].sched_name, &lk, &got);
    if (rc != 0)
        return jutsu_engine_fail(out, rc, "internal", NULL, "cannot take the %s job's lock: %s",
                                 kinds[k].sched_name, jutsu_strerror(rc));
    if (!got)
        return jutsu_engine_fail(out, JUTSU_EBUSY, "busy",
                                 "GET /api/scheduler shows the job's last run",
                                 "the %s job is running (the scheduler, the CLI or another "
                                 "jutsu process sharing the database holds its lock)",
                                 kinds[k].sched_name);
    jutsu_sched_unlock(lk);
    return 0;
}

static json_object *run_json(const struct run *r)
{
    json_object *o = json_object_new_object(), *res = NULL;
    if (o == NULL)
        return NULL;
    json_object *args = NULL;
    json_object_deep_copy(r->args, &args, NULL);
    json_object_object_add(o, "id", json_object_new_string(r->id));
    json_object_object_add(o, "job", json_object_new_string(kinds[r->kind].name));
    json_object_object_add(o, "status", json_object_new_string(status_names[r->status]));
    json_object_object_add(o, "by", json_object_new_string(r->by));
    json_object_object_add(o, "args", args);
    json_object_object_add(o, "queued_at", jutsu_json_time(r->queued_at));
    if (r->started_at)
        json_object_object_add(o, "started_at", jutsu_json_time(r->started_at));
    if (r->finished_at)
        json_object_object_add(o, "finished_at", jutsu_json_time(r->finished_at));
    if (r->status == ST_FAILED && r->error[0])
        json_object_object_add(o, "error", json_object_new_string(r->error));
    if (r->result && json_object_deep_copy(r->result, &res, NULL) == 0)
        json_object_object_add(o, "result", res);
    return o;
}

int jutsu_engine_job_start(jutsu_ctx *ctx, const char *name, struct json_object *args,
                           const char *by, struct json_object **out)
{
    struct jutsu_engine_state *st = jutsu_engine_state_of(ctx);
    size_t k;
    *out = NULL;
    if (st == NULL || st->runs == NULL)
        return jutsu_engine_fail(out, JUTSU_ESTATE, "unavailable", NULL, "no engine");
    if (kind_of(name, &k) != 0)
        return jutsu_engine_fail(out, JUTSU_ENOENT, "not_found", NULL,
                                 "no job \"%.32s\" runs on request: sync, eod, trade",
                                 name ? name : "");
    struct run *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return jutsu_engine_fail(out, JUTSU_ENOMEM, "internal", NULL, "out of memory");
    r->refs = 1;   /* the kept list's, once it is in it; until then the caller's */
    r->kind = k;
    r->app = st->app;
    r->runs = st->runs;
    snprintf(r->by, sizeof(r->by), "%s", by && *by ? by : "?");
    int rc = check_args(st->app, k, args, r, out);
    if (rc == 0)
        rc = reserve(st->runs, k, r, out);
    if (rc != 0) {
        run_free(r);
        return rc;
    }
    if ((rc = lock_free(st->app, k, out)) != 0) {
        unreserve(st->runs, k, r);
        run_free(r);
        return rc;
    }
    snprintf(r->id, sizeof(r->id), "r-%06llu",
             (unsigned long long)atomic_fetch_add(&run_seq, 1) + 1);
    r->status = ST_QUEUED;
    r->queued_at = jutsu_app_now(st->app);

    struct jutsu_engine_runs *rs = st->runs;
    pthread_mutex_lock(&rs->lock);
    if (rs->slot[k].joinable) {
        /* the job's previous run has ended (its slot was free): reap its
         * thread, which may still be leaving finish(), so not under the lock;
         * the slot is ours, no other start touches it meanwhile */
        pthread_t prev = rs->slot[k].thread;
        rs->slot[k].joinable = 0;
        pthread_mutex_unlock(&rs->lock);
        pthread_join(prev, NULL);
        pthread_mutex_lock(&rs->lock);
    }
    r->refs++;   /* the thread's */
    int err = pthread_create(&rs->slot[k].thread, NULL, run_main, r);
    if (err != 0) {
        r->refs--;
        pthread_mutex_unlock(&rs->lock);
        unreserve(rs, k, r);
        run_free(r);
        return jutsu_engine_fail(out, JUTSU_EIO, "internal", NULL,
                                 "cannot start a thread for the run");
    }
    rs->slot[k].joinable = 1;
    keep(rs, r);
    *out = run_json(r);
    pthread_mutex_unlock(&rs->lock);
    jutsu_log(WHO, JUTSU_LOG_INFO, "run %s (%s) queued by %s", r->id, kinds[k].name, r->by);
    return *out ? 0 : JUTSU_ENOMEM;
}

int jutsu_engine_job_get(jutsu_ctx *ctx, const char *id, struct json_object **out)
{
    struct jutsu_engine_state *st = jutsu_engine_state_of(ctx);
    *out = NULL;
    if (st == NULL || st->runs == NULL)
        return jutsu_engine_fail(out, JUTSU_ESTATE, "unavailable", NULL, "no engine");
    struct jutsu_engine_runs *rs = st->runs;
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; id && i < KEEP && *out == NULL; i++)
        if (rs->kept[i] && strcmp(rs->kept[i]->id, id) == 0)
            *out = run_json(rs->kept[i]);
    pthread_mutex_unlock(&rs->lock);
    if (*out)
        return 0;
    return jutsu_engine_fail(out, JUTSU_ENOENT, "not_found",
                             "runs are kept in memory, the newest 256, until a restart",
                             "no run \"%.32s\"", id ? id : "");
}
