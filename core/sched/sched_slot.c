/*
 * core/sched/sched_slot.c — the scheduler's config and its slot arithmetic: which
 * dates a job runs on and at which UTC instant. Pure: no database, no
 * thread (see core/sched/scheduler.h for the rules, core/sched/scheduler.c for the
 * running).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "base/log.h"
#include "sched/sched_int.h"

/* How far slot searches look: a trading-days job has a slot within a
 * week or two of any date, unless the config closes the exchange for
 * longer; a year is the end of patience. */
#define SCAN_DAYS 366

/* --- HH:MM ---------------------------------------------------------------- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly "HH:MM", 00:00 .. 23:59: "9:30" and "16:05:00" are refused, so a
 * typo never turns into a different time. */
static int parse_hhmm(const char *t, int *minutes)
{
    if (t == NULL || strlen(t) != 5 || !is_digit(t[0]) || !is_digit(t[1]) || t[2] != ':' ||
        !is_digit(t[3]) || !is_digit(t[4]))
        return JUTSU_EINVAL;
    int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 23 || m > 59)
        return JUTSU_EINVAL;
    *minutes = h * 60 + m;
    return 0;
}

void jutsu_sched_hhmm(int minutes, char *buf)
{
    unsigned m = (unsigned)minutes % (24 * 60);
    buf[0] = (char)('0' + m / 600);
    buf[1] = (char)('0' + m / 60 % 10);
    buf[2] = ':';
    buf[3] = (char)('0' + m % 60 / 10);
    buf[4] = (char)('0' + m % 10);
    buf[5] = '\0';
}

/* --- config ----------------------------------------------------------------- */

/* scheduler.jobs.<job>.<key> as minutes: 0 (set, *minutes written), 1 (not
 * set: the caller keeps its default) or JUTSU_ECONFIG (said in diag). */
static int cfg_time(jutsu_cfg_node *jn, const char *job, const char *key, int *minutes,
                    struct jutsu_diag *diag)
{
    char where[256];
    jutsu_cfg_node *n = jn && jn->kind == JUTSU_CFG_NODE_MAP ? jutsu_cfg_map_get(jn, key) : NULL;
    if (n == NULL || (n->kind == JUTSU_CFG_NODE_SCALAR && n->is_null))
        return 1;
    if (n->kind == JUTSU_CFG_NODE_SCALAR && parse_hhmm(n->text, minutes) == 0)
        return 0;
    jutsu_diag_add(diag, "%s: scheduler.jobs.%s.%s: %s%.40s%s is not a time of day; write HH:MM "
                   "in exchange time, 00:00 to 23:59 (e.g. \"16:05\")",
                   jutsu_cfg_where(n, where, sizeof(where)), job, key,
                   n->kind == JUTSU_CFG_NODE_SCALAR ? "\"" : "",
                   n->kind == JUTSU_CFG_NODE_SCALAR ? n->text : "a list or map",
                   n->kind == JUTSU_CFG_NODE_SCALAR ? "\"" : "");
    return JUTSU_ECONFIG;
}

/* scheduler.<path> as a bool (absent: def); JUTSU_ECONFIG said in diag. */
static int cfg_flag(jutsu_cfg_node *node, const char *path, const char *name, int def, int *out,
                    struct jutsu_diag *diag)
{
    char where[256];
    int rc = node ? jutsu_cfg_bool(node, path, out) : JUTSU_ENOENT;
    if (rc == JUTSU_ENOENT) {
        *out = def;
        return 0;
    }
    if (rc == 0)
        return 0;
    jutsu_diag_add(diag, "%s: %s: write true or false",
                   jutsu_cfg_where(jutsu_cfg_get(node, path), where, sizeof(where)), name);
    return JUTSU_ECONFIG;
}

static int valid_name(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > 32)
        return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
            return 0;
    return 1;
}

/* A job's own default times: a mistake here is the programmer's, said
 * plainly. */
static int default_time(const struct jutsu_sched_job *d, struct jutsu_sched_time *t,
                        struct jutsu_diag *diag)
{
    if (d->run == NULL || (d->days != JUTSU_SCHED_TRADING_DAYS && d->days != JUTSU_SCHED_EVERY_DAY)) {
        jutsu_diag_add(diag, "scheduler: job table: \"%s\" has no body or an unknown `days`",
                       d->name);
        return JUTSU_EINVAL;
    }
    if (parse_hhmm(d->at, &t->at_min) != 0 ||
        parse_hhmm(d->early_close_at ? d->early_close_at : d->at, &t->early_min) != 0) {
        jutsu_diag_add(diag, "scheduler: job table: \"%s\": default time \"%s\" / \"%s\" is not "
                       "HH:MM", d->name, d->at ? d->at : "(null)",
                       d->early_close_at ? d->early_close_at : "(same)");
        return JUTSU_EINVAL;
    }
    t->days = d->days;
    return 0;
}

/* The table's entry i: its name, then its default times. */
static int check_entry(const struct jutsu_sched_job *jobs, size_t i, struct sched_job *j,
                       struct jutsu_diag *diag)
{
    const struct jutsu_sched_job *d = &jobs[i];
    if (!valid_name(d->name)) {
        jutsu_diag_add(diag, "scheduler: job table entry %zu: name \"%s\" is not [a-z_]{1,32}", i,
                       d->name ? d->name : "(null)");
        return JUTSU_EINVAL;
    }
    for (size_t k = 0; k < i; k++)
        if (strcmp(jobs[k].name, d->name) == 0) {
            jutsu_diag_add(diag, "scheduler: job table: \"%s\" is declared twice", d->name);
            return JUTSU_EINVAL;
        }
    int rc = default_time(d, &j->time, diag);
    if (rc == 0)
        j->def = *d;
    return rc;
}

/* scheduler.jobs.<name> over a job's default times: its `enabled`, `at`
 * and `early_close_at`. */
static int configure_time(jutsu_cfg_node *root, const struct jutsu_sched_job *d,
                          struct jutsu_sched_time *t, int *enabled, struct jutsu_diag *diag)
{
    char path[64], name[96];
    snprintf(path, sizeof(path), "scheduler.jobs.%s", d->name);
    jutsu_cfg_node *jn = root ? jutsu_cfg_get(root, path) : NULL;
    snprintf(name, sizeof(name), "%s.enabled", path);
    int rc = cfg_flag(jn, "enabled", name, 1, enabled, diag);
    int at = 0, early = 0;
    int rat = cfg_time(jn, d->name, "at", &at, diag);
    int rearly = cfg_time(jn, d->name, "early_close_at", &early, diag);
    if (rat < 0 || rearly < 0)
        return JUTSU_ECONFIG;
    if (rat == 0) {
        /* a moved `at` without its own early time moves the early one too,
         * unless the table keeps a separate early time */
        if (d->early_close_at == NULL)
            t->early_min = at;
        t->at_min = at;
    }
    if (rearly == 0)
        t->early_min = early;
    return rc;
}

/* Settings under scheduler.jobs for names the table does not hold: the
 * host schema knows every job the product will have, this build may not
 * run them all yet. Checked, then ignored aloud. */
static int check_foreign_jobs(const jutsu_sched *s, jutsu_cfg_node *root,
                              struct jutsu_diag *diag)
{
    char where[256];
    int bad = 0, m;
    jutsu_cfg_node *jobs = root ? jutsu_cfg_get(root, "scheduler.jobs") : NULL;
    if (jobs == NULL || jobs->kind != JUTSU_CFG_NODE_MAP)
        return 0;
    for (size_t i = 0; i < jobs->n; i++) {
        if (jutsu_sched_find(s, jobs->keys[i]) != NULL)
            continue;
        jutsu_cfg_node *jn = jobs->items[i];
        bad |= cfg_time(jn, jobs->keys[i], "at", &m, diag) < 0;
        bad |= cfg_time(jn, jobs->keys[i], "early_close_at", &m, diag) < 0;
        if (!jn->is_default)   /* validation fills every known job; only what a person wrote */
            jutsu_log("scheduler", JUTSU_LOG_WARN, "%s: scheduler.jobs.%s: this build has no "
                      "such job; its settings are ignored", jutsu_cfg_where(jn, where,
                      sizeof(where)), jobs->keys[i]);
    }
    return bad ? JUTSU_ECONFIG : 0;
}

/* scheduler.enabled and grace_minutes come checked (the host schema);
 * each job's times are checked here, against the table's jobs. */
static int configure(jutsu_sched *s, struct jutsu_diag *diag)
{
    jutsu_cfg_node *root = jutsu_cfg_root(s->app->cfg);
    int rc = 0;
    const struct jutsu_settings_scheduler *set = &jutsu_app_settings(s->app)->scheduler;
    s->enabled = set->enabled;
    s->grace_min = (int)set->grace_minutes;
    for (size_t i = 0; i < s->n; i++)
        if (configure_time(root, &s->jobs[i].def, &s->jobs[i].time, &s->jobs[i].enabled,
                           diag) != 0)
            rc = JUTSU_ECONFIG;
    if (check_foreign_jobs(s, root, diag) != 0)
        rc = JUTSU_ECONFIG;
    return rc;
}

int jutsu_sched_new(struct jutsu_app *app, const struct jutsu_sched_job *jobs, size_t n,
                    struct jutsu_diag *diag, jutsu_sched **out)
{
    int rc;
    *out = NULL;
    if (app->tz == NULL || app->cal == NULL) {
        jutsu_diag_add(diag, "scheduler: no exchange time zone or calendar loaded (exchange."
                       "timezone): the scheduler needs both");
        return JUTSU_ESTATE;
    }
    jutsu_sched *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return JUTSU_ENOMEM;
    s->app = app;
    s->n = n;
    if (n && ((s->jobs = calloc(n, sizeof(*s->jobs))) == NULL ||
              (s->queue = calloc(n, sizeof(*s->queue))) == NULL)) {
        rc = JUTSU_ENOMEM;
        goto fail_alloc;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = check_entry(jobs, i, &s->jobs[i], diag)) != 0)
            goto fail_alloc;
    if ((rc = configure(s, diag)) != 0)
        goto fail_alloc;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        rc = JUTSU_ENOMEM;
        goto fail_alloc;
    }
    if (pthread_cond_init(&s->cond, NULL) != 0) {
        rc = JUTSU_ENOMEM;
        goto fail_mutex;
    }
    *out = s;
    return 0;
fail_mutex:
    pthread_mutex_destroy(&s->lock);
fail_alloc:
    free(s->queue);
    free(s->jobs);
    free(s);
    return rc;
}

/* --- slots ---------------------------------------------------------------- */

struct sched_job *jutsu_sched_find(const jutsu_sched *s, const char *name)
{
    for (size_t i = 0; name && i < s->n; i++)
        if (strcmp(s->jobs[i].def.name, name) == 0)
            return &s->jobs[i];
    return NULL;
}

int jutsu_sched_time_of(struct jutsu_app *app, const struct jutsu_sched_job *job,
                        struct jutsu_sched_time *out, struct jutsu_diag *diag)
{
    int enabled;
    int rc = default_time(job, out, diag);
    if (rc == 0)
        rc = configure_time(jutsu_cfg_root(app->cfg), job, out, &enabled, diag);
    return rc;
}

int jutsu_sched_time_on(const struct jutsu_app *app, const struct jutsu_sched_time *t,
                        jutsu_date_t d, jutsu_time_t *at)
{
    struct jutsu_session ses;
    if (app->tz == NULL || app->cal == NULL)
        return JUTSU_ESTATE;
    if (t->days == JUTSU_SCHED_TRADING_DAYS && !jutsu_calendar_is_trading_day(app->cal, d))
        return JUTSU_ENOENT;
    int m = t->at_min;
    /* only trading days have a session; an every-day job keeps `at` on the others */
    if (jutsu_calendar_session(app->cal, d, &ses) == 0 && ses.early_close)
        m = t->early_min;
    return jutsu_tz_to_utc(app->tz, d, m / 60, m % 60, 0, at);
}

int jutsu_sched_slot_on(const jutsu_sched *s, const struct sched_job *j, jutsu_date_t d,
                        jutsu_time_t *at)
{
    return jutsu_sched_time_on(s->app, &j->time, d, at);
}

/* The job's first slot from the local date of `t`, stepping a day at a
 * time by `step`: back (-1) to one at or before t, forward (+1) to one
 * after it. A slot lies on its own local date (a gap only pushes it later
 * that day), so no slot of a later date can be at or before t. */
static int scan(const jutsu_sched *s, const struct sched_job *j, jutsu_time_t t, int step,
                jutsu_date_t *date, jutsu_time_t *at)
{
    jutsu_date_t d;
    int rc = jutsu_tz_local_date(s->app->tz, t, &d, NULL);
    if (rc != 0)
        return rc;
    for (int k = 0; k <= SCAN_DAYS; k++, d += step) {
        jutsu_time_t x;
        rc = jutsu_sched_slot_on(s, j, d, &x);
        if (rc == JUTSU_ENOENT)
            continue;
        if (rc != 0)
            return rc;
        if (step < 0 ? x <= t : x > t) {
            *date = d;
            *at = x;
            return 0;
        }
    }
    return JUTSU_ENOENT;
}

int jutsu_sched_prev(const jutsu_sched *s, const struct sched_job *j, jutsu_time_t now,
                     jutsu_date_t *date, jutsu_time_t *at)
{
    return scan(s, j, now, -1, date, at);
}

int jutsu_sched_next_of(const jutsu_sched *s, const struct sched_job *j, jutsu_time_t after,
                        jutsu_date_t *date, jutsu_time_t *at)
{
    return scan(s, j, after, +1, date, at);
}

int jutsu_sched_next(const jutsu_sched *s, const char *name, jutsu_time_t after,
                     jutsu_date_t *date, jutsu_time_t *at)
{
    const struct sched_job *j = jutsu_sched_find(s, name);
    if (j == NULL || !j->enabled)
        return JUTSU_ENOENT;
    return jutsu_sched_next_of(s, j, after, date, at);
}

/* --- what status shows ------------------------------------------------------- */

int jutsu_sched_enabled(const jutsu_sched *s)
{
    return s->enabled;
}

int jutsu_sched_grace_minutes(const jutsu_sched *s)
{
    return s->grace_min;
}

size_t jutsu_sched_count(const jutsu_sched *s)
{
    return s->n;
}

int jutsu_sched_info(const jutsu_sched *s, size_t i, struct jutsu_sched_info *out)
{
    if (i >= s->n)
        return JUTSU_ENOENT;
    const struct sched_job *j = &s->jobs[i];
    out->name = j->def.name;
    out->enabled = j->enabled;
    jutsu_sched_hhmm(j->time.at_min, out->at);
    jutsu_sched_hhmm(j->time.early_min, out->early_close_at);
    out->days = j->time.days;
    out->catch_up = j->def.catch_up;
    /* the worker writes these under the lock; status asks from any thread */
    pthread_mutex_t *lock = (pthread_mutex_t *)&s->lock;
    pthread_mutex_lock(lock);
    out->queued = j->queued;
    out->running = j->running;
    pthread_mutex_unlock(lock);
    return 0;
}
