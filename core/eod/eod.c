/*
 * core/eod/eod.c — the end-of-day job: which days to finalise, their
 * transactions and eod_job_status, the cascade, events (see eod.h; one
 * entity's rows are core/eod/eod_chain.c).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "eod/eod_int.h"
#include "base/log.h"
#include "base/metrics.h"

static const char *const outcome_names[] = { "not_run", "done", "not_started", "no_data",
                                              "failed", "waiting" };

/* --- set-up ---------------------------------------------------------------- */

int jutsu_eod_latest_day(struct jutsu_app *app, jutsu_time_t now, jutsu_date_t *out)
{
    jutsu_date_t d;
    if (app->cal == NULL || jutsu_calendar_local_date(app->cal, now, &d) != 0)
        return JUTSU_ESTATE;
    for (int guard = 0; guard < 30; guard++) {
        struct jutsu_session ses;
        if (jutsu_calendar_session(app->cal, d, &ses) == 0 && ses.close <= now) {
            *out = d;
            return 0;
        }
        d = jutsu_calendar_prev(app->cal, d);
        if (d == JUTSU_CALENDAR_NONE)
            break;
    }
    return JUTSU_ESTATE;
}

void jutsu_eod_report_free(struct jutsu_eod_report *r)
{
    jutsu_entities_free(&r->ents);
    free(r->days);
    free(r->cells);
    free(r->notes);
    free(r->waits);
    memset(r, 0, sizeof(*r));
}

static int report_days(struct jutsu_eod_report *r, const jutsu_date_t *days, size_t n)
{
    r->days = calloc(n ? n : 1, sizeof(*r->days));
    r->cells = calloc((n ? n : 1) * (r->ents.n ? r->ents.n : 1), sizeof(*r->cells));
    r->notes = calloc(r->ents.n ? r->ents.n : 1, sizeof(*r->notes));
    if (r->days == NULL || r->cells == NULL || r->notes == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; i < n; i++)
        r->days[i].date = days[i];
    r->ndays = n;
    return 0;
}

static int fail(struct jutsu_eod_report *r, int rc, const char *fmt, ...) JUTSU_PRINTF(3, 4);
static int fail(struct jutsu_eod_report *r, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    return rc;
}

/* Opens the session and reads the entities and KPI instances. */
static int env_open(struct jutsu_app *app, struct eod_env *e, struct jutsu_eod_report *r)
{
    memset(r, 0, sizeof(*r));
    memset(e, 0, sizeof(*e));
    e->app = app;
    e->cal = app->cal;
    e->tz = app->tz;
    e->ents = &r->ents;
    if (app->cal == NULL)
        return fail(r, JUTSU_ESTATE, "no exchange calendar (exchange.timezone)");
    int rc = jutsu_entities_load(app, &r->ents, r->error, sizeof(r->error));
    if (rc == 0)
        rc = jutsu_kpi_set_load(app, &e->kpis, r->error, sizeof(r->error));
    if (rc != 0)
        return rc;
    if (e->kpis.n == 0)
        jutsu_log("eod", JUTSU_LOG_WARN, "no KPI instance is configured: Sharpe, Sortino and "
                  "the other KPI columns stay NULL (add `- {name: kpi, plugin: kpi-standard}` "
                  "to plugins:)");
    if ((rc = jutsu_app_dbs_open(app, &e->s)) != 0)
        return fail(r, rc, "cannot open the database: %s", jutsu_strerror(rc));
    return 0;
}

static void env_close(struct eod_env *e)
{
    if (e->s)
        jutsu_dbs_close(e->s);
    e->s = NULL;
    jutsu_eod_env_free_newest(e);
}

/* --- one day's status ------------------------------------------------------ */

/* Counts the day's outcomes over the entities that ran (sel[j] != 0) into
 * its report; completed when every one of them is done or not started,
 * waiting when the others wait for data, else partial. */
static void tally(struct jutsu_eod_report *r, size_t i, const unsigned char *sel)
{
    struct jutsu_eod_day *day = &r->days[i];
    int all = 1, waits = 0;
    day->strategies_total = day->strategies_processed = 0;
    day->baselines_total = day->baselines_processed = 0;
    day->rows_changed = 0;
    for (size_t j = 0; j < r->ents.n; j++) {
        if (sel && !sel[j])
            continue;
        const struct jutsu_eod_cell *c = JUTSU_EOD_CELL(r, i, j);
        int ok = c->outcome == JUTSU_EOD_DONE || c->outcome == JUTSU_EOD_NOT_STARTED;
        if (r->ents.v[j].type == JUTSU_ENTITY_STRATEGY) {
            day->strategies_total++;
            day->strategies_processed += ok;
        } else {
            day->baselines_total++;
            day->baselines_processed += ok;
        }
        day->rows_changed += c->changed;
        waits |= c->outcome == JUTSU_EOD_WAITING;
        all &= ok || c->outcome == JUTSU_EOD_WAITING;
    }
    snprintf(day->status, sizeof(day->status), "%s",
             !all ? "partial" : waits ? "waiting" : "completed");
    r->rows_changed += day->rows_changed;
}

static int is_status(const struct jutsu_eod_day *d, const char *status)
{
    return strcmp(d->status, status) == 0;
}

/* A tallied day into the report's counts. */
static void count_day(struct jutsu_eod_report *r, size_t i)
{
    if (is_status(&r->days[i], "waiting"))
        r->waiting++;
    else if (!is_status(&r->days[i], "completed"))
        r->failed++;
}

/* Writes the day's status unless the stored one already says exactly that
 * and no row changed (a re-run that changes nothing writes nothing). */
static int put_status(struct eod_env *e, const struct jutsu_eod_day *day,
                      const struct jutsu_eod_status_row *old, jutsu_time_t started)
{
    if (old && strcmp(old->status, day->status) == 0 && day->rows_changed == 0 &&
        old->strategies_total == day->strategies_total &&
        old->strategies_processed == day->strategies_processed &&
        old->baselines_total == day->baselines_total &&
        old->baselines_processed == day->baselines_processed &&
        old->retry_count == day->retry_count &&
        strcmp(old->error_message ? old->error_message : "", day->error) == 0)
        return 0;
    struct jutsu_eod_status_row row = {
        .job_date = day->date, .started_at = started, .completed_at = jutsu_app_now(e->app),
        .status = day->status, .strategies_total = day->strategies_total,
        .strategies_processed = day->strategies_processed,
        .baselines_total = day->baselines_total,
        .baselines_processed = day->baselines_processed,
        .error_message = day->error[0] ? day->error : NULL, .retry_count = day->retry_count,
    };
    return jutsu_data_eod_status_upsert(e->s, &row);
}

/* Marks a day `running` in a transaction of its own: a crash mid-day
 * leaves this, which the next run takes for stuck and redoes. */
static int mark_running(struct eod_env *e, const struct jutsu_eod_day *day, jutsu_time_t now)
{
    struct jutsu_eod_status_row row = {
        .job_date = day->date, .started_at = now, .status = "running",
        .strategies_total = (int32_t)e->ents->nstrategies,
        .baselines_total = (int32_t)e->ents->nbaselines, .retry_count = day->retry_count,
    };
    return jutsu_data_eod_status_upsert(e->s, &row);
}

static int mark_failed(struct eod_env *e, struct jutsu_eod_day *day, jutsu_time_t started,
                       const char *why)
{
    snprintf(day->status, sizeof(day->status), "failed");
    snprintf(day->error, sizeof(day->error), "%s", why);
    struct jutsu_eod_status_row row = {
        .job_date = day->date, .started_at = started, .completed_at = jutsu_app_now(e->app),
        .status = "failed", .strategies_total = (int32_t)e->ents->nstrategies,
        .baselines_total = (int32_t)e->ents->nbaselines, .error_message = why,
        .retry_count = day->retry_count,
    };
    return jutsu_data_eod_status_upsert(e->s, &row);
}

/* --- events ---------------------------------------------------------------- */

const char *jutsu_eod_outcome_name(int outcome)
{
    return outcome >= 0 && outcome <= JUTSU_EOD_WAITING ? outcome_names[outcome] : "?";
}

json_object *jutsu_eod_entities_json(const struct jutsu_eod_report *r, size_t day, int changed)
{
    json_object *a = json_object_new_array();
    for (size_t j = 0; a && j < r->ents.n; j++) {
        const struct jutsu_eod_cell *c = JUTSU_EOD_CELL(r, day, j);
        if (c->outcome == JUTSU_EOD_NOT_RUN)
            continue;
        json_object *x = json_object_new_object();
        json_object_object_add(x, "type", json_object_new_string(r->ents.v[j].type_name));
        json_object_object_add(x, "id", json_object_new_string(r->ents.v[j].id));
        json_object_object_add(x, "mode", json_object_new_string(r->ents.v[j].mode));
        json_object_object_add(x, "outcome", json_object_new_string(outcome_names[c->outcome]));
        if (c->outcome == JUTSU_EOD_DONE) {
            char eq[JUTSU_MONEY_BUFSZ];
            jutsu_money_format(c->equity, eq);
            json_object_object_add(x, "equity", json_object_new_string(eq));
            if (changed)
                json_object_object_add(x, "changed", json_object_new_boolean(c->changed));
        }
        json_object_array_add(a, x);
    }
    return a;
}

void jutsu_eod_entity_tally(const struct jutsu_eod_report *r, size_t ent,
                            struct jutsu_eod_tally *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; ent < r->ents.n && i < r->ndays; i++) {
        const struct jutsu_eod_cell *c = JUTSU_EOD_CELL(r, i, ent);
        switch (c->outcome) {
        case JUTSU_EOD_DONE:
            out->rows++;
            out->written += c->changed;
            out->from = out->from ? out->from : r->days[i].date;
            out->to = r->days[i].date;
            break;
        case JUTSU_EOD_NOT_STARTED:
            out->not_started++;
            break;
        case JUTSU_EOD_WAITING:
            out->waiting++;
            break;
        case JUTSU_EOD_NO_DATA:
        case JUTSU_EOD_FAILED:
            out->not_final++;
            break;
        default:
            break;
        }
    }
}

static void publish(struct eod_env *e, const struct jutsu_eod_report *r, size_t i,
                    jutsu_date_t from)
{
    if (e->app->bus == NULL)
        return;
    char day[JUTSU_DATE_BUFSZ], first[JUTSU_DATE_BUFSZ];
    jutsu_date_format(r->days[i].date, day);
    json_object *p = json_object_new_object();
    json_object_object_add(p, "trading_date", json_object_new_string(day));
    if (from) {   /* a backfill: one event for the range */
        jutsu_date_format(from, first);
        json_object_object_add(p, "from", json_object_new_string(first));
        json_object_object_add(p, "backfill", json_object_new_boolean(1));
    }
    json_object_object_add(p, "status", json_object_new_string(r->days[i].status));
    json_object_object_add(p, "entities", jutsu_eod_entities_json(r, i, 0));
    jutsu_bus_publish(e->app->bus, "host", "eod.finalized", p);
}

/* --- the cascade ----------------------------------------------------------- */

/* When the entity's row on `last` changed and rows after it exist, they
 * were computed from the old one: recompute them (no status is touched:
 * only this entity's rows move). */
static int cascade(struct eod_env *e, const struct jutsu_entity *ent, jutsu_date_t last,
                   struct jutsu_eod_report *r)
{
    struct jutsu_daily_perf_row newest;
    int rc = jutsu_data_daily_perf_prev(e->s, ent->type_name, ent->id, ent->mode,
                                        jutsu_date_from_ymd(9999, 12, 31), &newest);
    if (rc == JUTSU_ENOENT)
        return 0;
    if (rc != 0 || newest.trading_date <= last)
        return rc;
    jutsu_date_t *days = NULL, to = newest.trading_date;
    size_t n = 0;
    jutsu_prices *prices = NULL;
    struct jutsu_eod_cell *cells = NULL;
    if ((rc = jutsu_eod_trading_days(e->cal, last + 1, to, &days, &n)) == 0 &&
        (rc = jutsu_prices_new(e->s, last + 1, to, &prices)) == 0 &&
        (cells = calloc(n ? n : 1, sizeof(*cells))) == NULL)
        rc = JUTSU_ENOMEM;
    if (rc == 0 && n > 0) {
        char d0[JUTSU_DATE_BUFSZ], d1[JUTSU_DATE_BUFSZ];
        jutsu_date_format(days[0], d0);
        jutsu_date_format(to, d1);
        jutsu_log("eod", JUTSU_LOG_INFO, "%s %s (%s): an earlier row changed; recomputing its "
                  "%zu later row(s), %s to %s", ent->type_name, ent->id, ent->mode, n, d0, d1);
        rc = jutsu_eod_chain(e, ent, days, n, prices, cells, 1, NULL, NULL);
        for (size_t i = 0; rc == 0 && i < n; i++)
            r->cascaded += cells[i].changed;
    }
    free(cells);
    jutsu_prices_free(prices);
    free(days);
    return rc;
}

/* --- run ------------------------------------------------------------------- */

struct status_map {
    struct jutsu_eod_status_row *v;
    char                       **text;   /* copies of status strings */
    size_t                       n;
};

static int take_status(const void *row, void *arg)
{
    struct status_map *m = arg;
    const struct jutsu_eod_status_row *s = row;
    struct jutsu_eod_status_row *v = realloc(m->v, (m->n + 1) * sizeof(*v));
    if (v == NULL)
        return JUTSU_ENOMEM;
    m->v = v;
    char **t = realloc(m->text, (m->n + 1) * 2 * sizeof(*t));
    if (t == NULL)
        return JUTSU_ENOMEM;
    m->text = t;
    v[m->n] = *s;
    t[m->n * 2] = strdup(s->status ? s->status : "");
    t[m->n * 2 + 1] = s->error_message ? strdup(s->error_message) : NULL;
    v[m->n].status = t[m->n * 2];
    v[m->n].error_message = t[m->n * 2 + 1];
    m->n++;   /* counted first: the map frees what was copied */
    int lost = s->error_message && v[m->n - 1].error_message == NULL;
    return v[m->n - 1].status && !lost ? 0 : JUTSU_ENOMEM;
}

static void status_map_free(struct status_map *m)
{
    for (size_t i = 0; i < m->n * 2; i++)
        free(m->text[i]);
    free(m->text);
    free(m->v);
}

static const struct jutsu_eod_status_row *status_of(const struct status_map *m, jutsu_date_t d)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].job_date == d)
            return &m->v[i];
    return NULL;
}

/* A day of the window that needs doing again: never run, failed, partial,
 * or left running longer than eod.stuck_after_minutes (a crashed run). */
static int is_due(const struct jutsu_eod_status_row *st, jutsu_time_t now, int64_t stuck_us)
{
    if (st == NULL)
        return 1;
    if (strcmp(st->status, "running") == 0)
        return st->started_at == 0 || now - st->started_at >= stuck_us;
    return strcmp(st->status, "completed") != 0;
}

/* Checks `date` (0: the newest closed day) and finds the first day to
 * redo among the lookback window. */
static int plan_run(struct eod_env *e, jutsu_date_t *date, struct status_map *m,
                    jutsu_date_t *first, struct jutsu_eod_report *r)
{
    struct jutsu_app *app = e->app;
    jutsu_time_t now = jutsu_app_now(app);
    jutsu_date_t latest;
    char day[JUTSU_DATE_BUFSZ];
    if (jutsu_eod_latest_day(app, now, &latest) != 0)
        return fail(r, JUTSU_ESTATE, "cannot tell the newest closed trading day");
    if (*date == 0)
        *date = latest;
    jutsu_date_format(*date, day);
    if (!jutsu_calendar_is_trading_day(e->cal, *date))
        return fail(r, JUTSU_EINVAL, "%s is not a trading day (%s)", day,
                    jutsu_calendar_closed_reason(e->cal, *date));
    if (*date > latest)
        return fail(r, JUTSU_EINVAL, "the session of %s has not closed yet", day);

    const struct jutsu_settings_eod *set = &jutsu_app_settings(app)->eod;
    int64_t lookback = set->lookback_days;
    int64_t stuck = set->stuck_after_minutes;
    jutsu_date_t w = *date;
    for (int64_t k = 0; k < lookback; k++) {
        jutsu_date_t p = jutsu_calendar_prev(e->cal, w);
        if (p == JUTSU_CALENDAR_NONE)
            break;
        w = p;
    }
    int rc = jutsu_data_eod_status_range(e->s, w, *date, take_status, m);
    if (rc != 0)
        return fail(r, rc, "%s", jutsu_dbs_error_line(e->s));
    *first = *date;
    for (jutsu_date_t d = w; d < *date; d = jutsu_calendar_next(e->cal, d))
        if (is_due(status_of(m, d), now, stuck * 60 * JUTSU_USEC_PER_SEC)) {
            *first = d;
            break;
        }
    return 0;
}

/* Whether some entity is going to wait for data on day d. */
static int day_waits(struct eod_env *e, jutsu_date_t d, int *waits)
{
    int rc = 0;
    *waits = 0;
    for (size_t j = 0; rc == 0 && !*waits && j < e->ents->n; j++)
        rc = jutsu_eod_entity_waits(e, &e->ents->v[j], d, waits);
    return rc;
}

/* One day: running marker, every entity's row and the status in one
 * transaction, the event. A day that waits for data gets neither marker
 * nor status (its rows of entities that are done are kept). */
static int run_day(struct eod_env *e, struct jutsu_eod_report *r, size_t i, jutsu_prices *prices,
                   const struct jutsu_eod_status_row *old)
{
    struct jutsu_eod_day *day = &r->days[i];
    jutsu_time_t now = jutsu_app_now(e->app);
    int completed_before = old && strcmp(old->status, "completed") == 0;
    /* an earlier day without a status was missed (or waited); any day whose
     * status is not completed is a retry; the run's own day without one is
     * news */
    day->was_due = old ? !completed_before : i + 1 < r->ndays;
    day->retry_count = old ? old->retry_count + !completed_before : 0;
    int rc = 0, waits = 0, marked = 0;
    if (!completed_before && (rc = day_waits(e, day->date, &waits)) != 0)
        return fail(r, rc, "%s", jutsu_dbs_error_line(e->s));
    if (!completed_before && !waits) {
        if ((rc = mark_running(e, day, now)) != 0)
            return fail(r, rc, "%s", jutsu_dbs_error_line(e->s));
        marked = 1;
    }
    if ((rc = jutsu_dbs_begin(e->s)) != 0)
        return fail(r, rc, "%s", jutsu_dbs_error_line(e->s));
    for (size_t j = 0; rc == 0 && j < r->ents.n; j++)
        rc = jutsu_eod_chain(e, &r->ents.v[j], &day->date, 1, prices, JUTSU_EOD_CELL(r, i, j), 1,
                             day, r->notes[j]);
    if (rc == 0) {
        tally(r, i, NULL);
        /* the look ahead and the chain apply one rule; should they ever
         * differ, the marker must not stay: the day is then recorded
         * partial, and the next run takes it again */
        if (marked && is_status(day, "waiting"))
            snprintf(day->status, sizeof(day->status), "partial");
        if (!is_status(day, "waiting"))
            rc = put_status(e, day, completed_before ? old : NULL, now);
    }
    if (rc == 0)
        rc = jutsu_dbs_commit(e->s);
    if (rc != 0) {
        char why[512];
        snprintf(why, sizeof(why), "%s", jutsu_dbs_error_line(e->s));
        jutsu_dbs_rollback(e->s);
        for (size_t j = 0; j < r->ents.n; j++)
            memset(JUTSU_EOD_CELL(r, i, j), 0, sizeof(struct jutsu_eod_cell));
        /* tally() counted the day's rows: none of them was committed */
        r->rows_changed -= day->rows_changed;
        day->rows_changed = 0;
        if (mark_failed(e, day, now, why) != 0)
            jutsu_log("eod", JUTSU_LOG_ERROR, "could not record the failure either: %s",
                      jutsu_dbs_error_line(e->s));
        return fail(r, rc, "%s", why);
    }
    if (!is_status(day, "waiting"))   /* nothing of it is final yet */
        publish(e, r, i, 0);
    return 0;
}

/* The rows a run wrote (committed) in its days, by entity type, into the
 * metrics: jutsu_eod_rows_total (the cascade's later rows are not told
 * apart by type in the report, and are not counted). */
static void count_rows(const struct jutsu_eod_report *r)
{
    for (size_t j = 0; j < r->ents.n; j++) {
        int64_t rows = 0;
        char labels[64];
        for (size_t i = 0; i < r->ndays; i++)
            rows += JUTSU_EOD_CELL(r, i, j)->changed != 0;
        if (rows == 0)
            continue;
        snprintf(labels, sizeof(labels), "entity_type=\"%s\"", r->ents.v[j].type_name);
        jutsu_metrics_add(NULL, "jutsu_eod_rows_total", labels, rows);
    }
}

int jutsu_eod_run(struct jutsu_app *app, jutsu_date_t date, struct jutsu_eod_report *r)
{
    struct eod_env e;
    struct status_map m = { 0 };
    jutsu_date_t first = 0, *days = NULL;
    size_t n = 0;
    jutsu_prices *prices = NULL;
    int rc = env_open(app, &e, r);
    if (rc == 0)
        rc = plan_run(&e, &date, &m, &first, r);
    if (rc == 0 && (rc = jutsu_eod_trading_days(e.cal, first, date, &days, &n)) == 0)
        rc = report_days(r, days, n);
    if (rc == 0 && (rc = jutsu_prices_new(e.s, first, date, &prices)) != 0)
        fail(r, rc, "the price book: %s", jutsu_strerror(rc));
    for (size_t i = 0; rc == 0 && i < n; i++)
        if ((rc = run_day(&e, r, i, prices, status_of(&m, days[i]))) == 0)
            count_day(r, i);
    /* rows after the run's last day came from the one it may have changed */
    for (size_t j = 0; rc == 0 && n > 0 && j < r->ents.n; j++)
        if (JUTSU_EOD_CELL(r, n - 1, j)->changed) {
            if ((rc = jutsu_dbs_begin(e.s)) == 0 &&
                (rc = cascade(&e, &r->ents.v[j], date, r)) == 0)
                rc = jutsu_dbs_commit(e.s);
            if (rc != 0) {
                fail(r, rc, "%s", jutsu_dbs_error_line(e.s));
                jutsu_dbs_rollback(e.s);
            }
        }
    if (rc == 0)
        rc = jutsu_eod_collect_waits(&e, r);
    count_rows(r);   /* each day committed on its own */
    jutsu_prices_free(prices);
    free(days);
    status_map_free(&m);
    env_close(&e);
    if (rc != 0 && r->error[0] == '\0')
        fail(r, rc, "%s", jutsu_strerror(rc));
    return rc ? rc : r->failed ? JUTSU_EPLUGIN : 0;
}

/* --- chains for a caller's entities (the backtest) ------------------------- */

int jutsu_eod_chains_on(struct jutsu_app *app, jutsu_dbs *s, jutsu_dbs *market, int fresh,
                        const struct jutsu_entities *ents, jutsu_date_t from, jutsu_date_t to,
                        jutsu_prices *prices, struct jutsu_eod_report *r)
{
    struct eod_env e = { .app = app, .s = s, .market = market, .cal = app->cal, .tz = app->tz,
                         .ents = &r->ents, .state_at_end = 1, .fresh = fresh };
    jutsu_date_t *days = NULL;
    size_t n = 0;
    memset(r, 0, sizeof(*r));
    if ((r->ents.v = calloc(ents->n + 1, sizeof(*r->ents.v))) == NULL)
        return JUTSU_ENOMEM;
    memcpy(r->ents.v, ents->v, ents->n * sizeof(*ents->v));
    r->ents.n = ents->n;
    r->ents.nstrategies = ents->nstrategies;
    r->ents.nbaselines = ents->nbaselines;
    int rc = jutsu_kpi_set_load(app, &e.kpis, r->error, sizeof(r->error));
    if (rc == 0 && (rc = jutsu_eod_trading_days(app->cal, from, to, &days, &n)) == 0)
        rc = report_days(r, days, n);
    for (size_t j = 0; rc == 0 && j < ents->n; j++)
        rc = jutsu_eod_chain(&e, &r->ents.v[j], days, n, prices, JUTSU_EOD_CELL(r, 0, j), ents->n,
                             r->days, r->notes[j]);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tally(r, i, NULL);
        count_day(r, i);
    }
    if (rc == 0)
        rc = jutsu_eod_collect_waits(&e, r);
    if (rc != 0 && r->error[0] == '\0')
        fail(r, rc, "%s", jutsu_dbs_error_line(s));
    jutsu_eod_env_free_newest(&e);
    free(days);
    return rc ? rc : r->failed || r->waiting ? JUTSU_EPLUGIN : 0;
}

int jutsu_eod_chains(struct jutsu_app *app, jutsu_dbs *s, const struct jutsu_entities *ents,
                     jutsu_date_t from, jutsu_date_t to, jutsu_prices *prices,
                     struct jutsu_eod_report *r)
{
    return jutsu_eod_chains_on(app, s, s, 0, ents, from, to, prices, r);
}

/* --- backfill -------------------------------------------------------------- */

/* Which entities a backfill computes, sel[j] for ents.v[j]: all of them,
 * or the one named. */
static int select_entities(struct jutsu_eod_report *r, const char *entity, const char *type,
                           unsigned char **sel)
{
    size_t nsel = 0;
    if ((*sel = calloc(r->ents.n + 1, 1)) == NULL)
        return JUTSU_ENOMEM;
    for (size_t j = 0; j < r->ents.n; j++) {
        const struct jutsu_entity *x = &r->ents.v[j];
        (*sel)[j] = entity == NULL || (strcmp(x->id, entity) == 0 &&
                                       (type == NULL || strcmp(x->type_name, type) == 0));
        nsel += (*sel)[j];
    }
    if (nsel > 0)
        return 0;
    return entity ? fail(r, JUTSU_ENOENT, "no %s \"%s\" is configured (strategies are the "
                         "strategy instances of plugins:, baselines are eod.baselines)",
                         type ? type : "entity", entity)
                  : fail(r, JUTSU_ENOENT, "nothing to backfill: no strategy instances in "
                         "plugins: and eod.baselines is empty");
}

/* The selected entities' chains over days[0..n) and the rows after them,
 * then each day's tally and, for a backfill of every entity, its status
 * row (`m` holds the days' old ones). Inside the caller's transaction. */
static int backfill_days(struct eod_env *e, struct jutsu_eod_report *r, const jutsu_date_t *days,
                         size_t n, jutsu_prices *prices, const unsigned char *sel,
                         const struct status_map *m, int one_entity)
{
    jutsu_time_t now = jutsu_app_now(e->app);
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < r->ents.n; j++) {
        if (!sel[j])
            continue;
        rc = jutsu_eod_chain(e, &r->ents.v[j], days, n, prices, JUTSU_EOD_CELL(r, 0, j),
                             r->ents.n, r->days, r->notes[j]);
        if (rc == 0 && JUTSU_EOD_CELL(r, n - 1, j)->changed)
            rc = cascade(e, &r->ents.v[j], days[n - 1], r);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tally(r, i, sel);
        count_day(r, i);
        if (one_entity) {
            r->days[i].status[0] = '\0';   /* one entity says nothing of the day */
            continue;
        }
        if (is_status(&r->days[i], "waiting"))
            continue;   /* no status row: `eod run` takes the day again */
        const struct jutsu_eod_status_row *old = status_of(m, days[i]);
        r->days[i].retry_count = old ? old->retry_count : 0;
        rc = put_status(e, &r->days[i], old && strcmp(old->status, "running") != 0 ? old : NULL,
                        now);
    }
    if (rc != 0 && r->error[0] == '\0')
        fail(r, rc, "%s", jutsu_dbs_error_line(e->s));
    return rc;
}

/* The backfill's transaction rolled back: the report says what is stored
 * of it, nothing, not what was computed (the days, cells and counts were
 * filled as it went). The days stay listed, with no status. */
static void rolled_back(struct jutsu_eod_report *r)
{
    for (size_t i = 0; i < r->ndays; i++) {
        struct jutsu_eod_day *d = &r->days[i];
        d->status[0] = '\0';
        d->strategies_processed = d->baselines_processed = 0;
        d->rows_changed = 0;
        d->error[0] = '\0';
    }
    if (r->cells)
        memset(r->cells, 0, r->ndays * (r->ents.n ? r->ents.n : 1) * sizeof(*r->cells));
    r->rows_changed = 0;
    r->cascaded = 0;
    r->failed = 0;
    r->waiting = 0;
    r->nwaits = 0;
}

int jutsu_eod_backfill(struct jutsu_app *app, jutsu_date_t from, jutsu_date_t to,
                       const char *entity, const char *type, struct jutsu_eod_report *r)
{
    struct eod_env e;
    struct status_map m = { 0 };
    jutsu_date_t *days = NULL;
    size_t n = 0;
    jutsu_prices *prices = NULL;
    unsigned char *sel = NULL;
    int rc = env_open(app, &e, r);
    if (rc != 0)
        goto close_env;
    if (from > to) {
        rc = fail(r, JUTSU_EINVAL, "--from is after --to");
        goto close_env;
    }
    if ((rc = jutsu_eod_trading_days(e.cal, from, to, &days, &n)) != 0 ||
        (rc = report_days(r, days, n)) != 0 ||
        (rc = select_entities(r, entity, type, &sel)) != 0)
        goto free_days;
    if (n == 0)   /* no trading day: nothing to write, nothing to publish */
        goto free_days;
    if ((rc = jutsu_prices_new(e.s, days[0], days[n - 1], &prices)) != 0) {
        fail(r, rc, "the price book: %s", jutsu_strerror(rc));
        goto free_days;
    }
    if (entity == NULL &&
        (rc = jutsu_data_eod_status_range(e.s, days[0], days[n - 1], take_status, &m)) != 0) {
        fail(r, rc, "%s", jutsu_dbs_error_line(e.s));
        goto free_prices;
    }
    /* the whole range in one transaction: all of it, or none */
    if ((rc = jutsu_dbs_begin(e.s)) != 0) {
        fail(r, rc, "%s", jutsu_dbs_error_line(e.s));
        goto free_prices;
    }
    rc = backfill_days(&e, r, days, n, prices, sel, &m, entity != NULL);
    if (rc == 0 && (rc = jutsu_eod_collect_waits(&e, r)) != 0)
        fail(r, rc, "%s", jutsu_strerror(rc));
    if (rc == 0 && (rc = jutsu_dbs_commit(e.s)) != 0)
        fail(r, rc, "%s", jutsu_dbs_error_line(e.s));
    else if (rc != 0)
        jutsu_dbs_rollback(e.s);
    if (rc != 0)
        rolled_back(r);   /* a failed commit ends the transaction too */
    if (rc == 0) {
        count_rows(r);
        publish(&e, r, n - 1, days[0]);
    }
free_prices:
    jutsu_prices_free(prices);
free_days:
    free(sel);
    free(days);
    status_map_free(&m);
close_env:
    env_close(&e);
    return rc ? rc : r->failed ? JUTSU_EPLUGIN : 0;
}
