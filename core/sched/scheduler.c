/*
 * core/sched/scheduler.c — running the scheduler's slots: the records in
 * system_state, the election through advisory locks, the due rule, and the
 * worker thread (the rules are in core/sched/scheduler.h; the slot arithmetic
 * and config in core/sched/sched_slot.c).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "sched/sched_int.h"
#include "store/store.h"

#define WHO "scheduler"
#define USEC_PER_MIN (60 * JUTSU_USEC_PER_SEC)

static void say_off(jutsu_sched *s)
{
    if (s->said_off)
        return;
    s->said_off = 1;
    jutsu_log(WHO, JUTSU_LOG_INFO, "disabled (scheduler.enabled: false): no job runs on a "
              "schedule");
}

/* --- records ---------------------------------------------------------------- */

static void state_key(const char *job, char *buf, size_t size)
{
    snprintf(buf, size, "scheduler.%s", job);
}

static const char *json_str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int record_parse(const char *text, struct jutsu_sched_record *r)
{
    memset(r, 0, sizeof(*r));
    json_object *o = json_tokener_parse(text);
    const char *date = o ? json_str(o, "date") : NULL, *status = o ? json_str(o, "status") : NULL;
    const char *at = o ? json_str(o, "at") : NULL, *fin = o ? json_str(o, "finished_at") : NULL;
    const char *err = o ? json_str(o, "error") : NULL, *why = o ? json_str(o, "reason") : NULL;
    int rc = JUTSU_EMALFORMED;
    if (date && status && jutsu_date_parse(date, -1, &r->date) == 0 &&
        (at == NULL || jutsu_time_parse(at, -1, &r->at) == 0) &&
        (fin == NULL || jutsu_time_parse(fin, -1, &r->finished_at) == 0)) {
        snprintf(r->status, sizeof(r->status), "%s", status);
        snprintf(r->error, sizeof(r->error), "%s", err ? err : "");
        snprintf(r->reason, sizeof(r->reason), "%s", why ? why : "");
        rc = 0;
    }
    json_object_put(o);
    return rc;
}

/* The record of `job` on session db: 0, JUTSU_ENOENT (none),
 * JUTSU_EMALFORMED (logged) or a storage error (logged). */
static int record_read(jutsu_dbs *db, const char *job, struct jutsu_sched_record *r)
{
    char key[64];
    int type;
    const char *value;
    state_key(job, key, sizeof(key));
    int rc = jutsu_data_state_get(db, key, &type, &value);
    if (rc == JUTSU_ENOENT)
        return rc;
    if (rc != 0) {
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: cannot read its record: %s", job,
                  jutsu_dbs_error_line(db));
        return rc;
    }
    if (type != JUTSU_STATE_JSON || record_parse(value, r) != 0) {
        jutsu_log(WHO, JUTSU_LOG_WARN, "%s: its record (system_state \"%s\") is not what the "
                  "scheduler writes: %.120s; taken as never run, it is rewritten after the next "
                  "run", job, key, value ? value : "(null)");
        return JUTSU_EMALFORMED;
    }
    return 0;
}

static int record_write(jutsu_sched *s, jutsu_dbs *db, const char *job, jutsu_date_t date,
                        jutsu_time_t at, const char *status, const char *error,
                        const char *reason)
{
    char key[64], d[JUTSU_DATE_BUFSZ], a[JUTSU_TIME_BUFSZ], f[JUTSU_TIME_BUFSZ];
    state_key(job, key, sizeof(key));
    jutsu_date_format(date, d);
    jutsu_time_format(at, a);
    jutsu_time_format(jutsu_app_now(s->app), f);
    json_object *o = json_object_new_object();
    if (o == NULL)
        return JUTSU_ENOMEM;
    json_object_object_add(o, "date", json_object_new_string(d));
    json_object_object_add(o, "at", json_object_new_string(a));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "finished_at", json_object_new_string(f));
    if (error && *error)
        json_object_object_add(o, "error", json_object_new_string(error));
    if (reason && *reason)
        json_object_object_add(o, "reason", json_object_new_string(reason));
    int rc = jutsu_data_state_set(db, key, JUTSU_STATE_JSON,
                                  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    if (rc != 0)
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: the %s slot ended \"%s\" but its record could not "
                  "be written (%s): after a restart it runs again", job, d, status,
                  jutsu_dbs_error_line(db));
    json_object_put(o);
    return rc;
}

int jutsu_sched_record_of(struct jutsu_app *app, const char *name,
                          struct jutsu_sched_record *out)
{
    jutsu_dbs *db = NULL;
    int rc = jutsu_app_dbs_open(app, &db);
    if (rc != 0)
        return rc;
    rc = record_read(db, name, out);
    jutsu_dbs_close(db);
    return rc;
}

int jutsu_sched_last(jutsu_sched *s, const char *name, struct jutsu_sched_record *out)
{
    return jutsu_sched_record_of(s->app, name, out);
}

/* --- pause ------------------------------------------------------------------- */

static void pause_key(const char *job, char *buf, size_t size)
{
    snprintf(buf, size, "scheduler.%s.paused", job);
}

/* The pause state on session db: 0 (read; absent is not paused) or a
 * storage error. A value the scheduler did not write is logged and taken
 * as not paused. */
static int paused_read(jutsu_dbs *db, const char *job, int *paused, char *by, size_t bysz,
                       jutsu_time_t *at)
{
    char key[64];
    int type;
    const char *value;
    *paused = 0;
    if (by && bysz)
        by[0] = '\0';
    if (at)
        *at = 0;
    pause_key(job, key, sizeof(key));
    int rc = jutsu_data_state_get(db, key, &type, &value);
    if (rc == JUTSU_ENOENT)
        return 0;
    if (rc != 0) {
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: cannot read whether it is paused: %s", job,
                  jutsu_dbs_error_line(db));
        return rc;
    }
    json_object *o = type == JUTSU_STATE_JSON ? json_tokener_parse(value) : NULL, *p = NULL;
    if (o == NULL || !json_object_object_get_ex(o, "paused", &p) ||
        !json_object_is_type(p, json_type_boolean)) {
        jutsu_log(WHO, JUTSU_LOG_WARN, "%s: system_state \"%s\" is not what the scheduler "
                  "writes: %.120s; taken as not paused", job, key, value ? value : "(null)");
        json_object_put(o);
        return 0;
    }
    *paused = json_object_get_boolean(p);
    const char *who = json_str(o, "by"), *when = json_str(o, "at");
    if (by && bysz && who)
        snprintf(by, bysz, "%s", who);
    if (at && when && jutsu_time_parse(when, -1, at) != 0)
        *at = 0;
    json_object_put(o);
    return 0;
}

int jutsu_sched_paused(struct jutsu_app *app, const char *name, int *paused, char *by,
                       size_t bysz, jutsu_time_t *at)
{
    jutsu_dbs *db = NULL;
    *paused = 0;
    int rc = jutsu_app_dbs_open(app, &db);
    if (rc != 0)
        return rc;
    rc = paused_read(db, name, paused, by, bysz, at);
    jutsu_dbs_close(db);
    return rc;
}

int jutsu_sched_set_paused(struct jutsu_app *app, const char *name, int paused,
                           const char *by)
{
    char key[64], at[JUTSU_TIME_BUFSZ];
    jutsu_dbs *db = NULL;
    pause_key(name, key, sizeof(key));
    jutsu_time_format(jutsu_app_now(app), at);
    json_object *o = json_object_new_object();
    if (o == NULL)
        return JUTSU_ENOMEM;
    json_object_object_add(o, "paused", json_object_new_boolean(paused != 0));
    json_object_object_add(o, "by", json_object_new_string(by && *by ? by : "?"));
    json_object_object_add(o, "at", json_object_new_string(at));
    int rc = jutsu_app_dbs_open(app, &db);
    if (rc == 0) {
        rc = jutsu_data_state_set(db, key, JUTSU_STATE_JSON,
                                  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        if (rc != 0)
            jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: cannot record that it is %s: %s", name,
                      paused ? "paused" : "resumed", jutsu_dbs_error_line(db));
        jutsu_dbs_close(db);
    }
    json_object_put(o);
    if (rc == 0)
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s: %s by %s", name, paused ? "paused" : "resumed",
                  by && *by ? by : "?");
    return rc;
}

/* --- election ------------------------------------------------------------------ */

struct jutsu_job_lock {
    jutsu_dbs *db;          /* the connection that holds the lock */
    int64_t    key;
    char       name[33];
    struct jutsu_job_lock *next;   /* in this process's list of held locks */
};

/* The locks this process holds (or is asking the database for): a name
 * is held by one thread at a time here, whatever the driver grants. On
 * SQLite (no try_lock) this is what keeps a scheduled slot and a run
 * started over the API from running one job at once. */
static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct jutsu_job_lock *held;

/* Adds l to the held list unless its name is there: 1 if added. */
static int hold(struct jutsu_job_lock *l)
{
    int ok = 1;
    pthread_mutex_lock(&held_mutex);
    for (struct jutsu_job_lock *h = held; h && ok; h = h->next)
        ok = strcmp(h->name, l->name) != 0;
    if (ok) {
        l->next = held;
        held = l;
    }
    pthread_mutex_unlock(&held_mutex);
    return ok;
}

static void release(struct jutsu_job_lock *l)
{
    pthread_mutex_lock(&held_mutex);
    for (struct jutsu_job_lock **h = &held; *h; h = &(*h)->next)
        if (*h == l) {
            *h = l->next;
            break;
        }
    pthread_mutex_unlock(&held_mutex);
}

int64_t jutsu_sched_lock_key(const char *name)
{
    static const char prefix[] = "jutsu.job.";
    uint64_t h = UINT64_C(14695981039346656037);
    for (const char *p = prefix; *p; p++)
        h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
    /* two's complement without implementation-defined conversion */
    return h <= INT64_MAX ? (int64_t)h : -(int64_t)(UINT64_MAX - h) - 1;
}

int jutsu_sched_lock(struct jutsu_app *app, const char *name, jutsu_job_lock **lock, int *got)
{
    *lock = NULL;
    *got = 0;
    jutsu_job_lock *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return JUTSU_ENOMEM;
    snprintf(l->name, sizeof(l->name), "%s", name);
    l->key = jutsu_sched_lock_key(name);
    if (!hold(l)) {
        free(l);   /* another thread of this process holds it */
        return 0;
    }
    int rc = jutsu_app_dbs_open(app, &l->db), yes = 1;
    if (rc != 0) {
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: no database connection for the job's lock: %s",
                  name, jutsu_strerror(rc));
        release(l);
        free(l);
        return rc;
    }
    if (JUTSU_OPS_HAS(l->db->ops, jutsu_storage_ops, try_lock) &&
        (rc = l->db->ops->try_lock(l->db->db, l->key, &yes)) != 0) {
        jutsu_dbs_fail_driver(l->db, rc, "advisory lock");
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: cannot ask for the job's lock (key %lld): %s", name,
                  (long long)l->key, jutsu_dbs_error_line(l->db));
        jutsu_dbs_close(l->db);
        release(l);
        free(l);
        return rc;
    }
    if (!yes) {
        jutsu_dbs_close(l->db);
        release(l);
        free(l);
        return 0;
    }
    *lock = l;
    *got = 1;
    return 0;
}

void jutsu_sched_unlock(jutsu_job_lock *l)
{
    if (l == NULL)
        return;
    if (JUTSU_OPS_HAS(l->db->ops, jutsu_storage_ops, unlock)) {
        int rc = l->db->ops->unlock(l->db->db, l->key);
        if (rc != 0) {
            /* closing the connection releases it anyway (the pool cleans it) */
            jutsu_dbs_fail_driver(l->db, rc, "advisory unlock");
            jutsu_log(WHO, JUTSU_LOG_WARN, "%s: unlock: %s", l->name, jutsu_dbs_error_line(l->db));
        }
    }
    jutsu_dbs_close(l->db);
    release(l);
    free(l);
}

/* --- one slot --------------------------------------------------------------------- */

static void publish(jutsu_sched *s, const char *topic, const char *job, jutsu_date_t d,
                    const char *status, int64_t ms, const char *error, const char *reason)
{
    char date[JUTSU_DATE_BUFSZ];
    if (s->app->bus == NULL)
        return;
    jutsu_date_format(d, date);
    json_object *p = json_object_new_object();
    if (p == NULL)
        return;
    json_object_object_add(p, "name", json_object_new_string(job));
    json_object_object_add(p, "trading_date", json_object_new_string(date));
    json_object_object_add(p, "trigger", json_object_new_string("schedule"));
    if (status) {
        json_object_object_add(p, "status", json_object_new_string(status));
        json_object_object_add(p, "duration_ms", json_object_new_int64(ms));
        if (error && *error)
            json_object_object_add(p, "error", json_object_new_string(error));
        if (reason && *reason)
            json_object_object_add(p, "reason", json_object_new_string(reason));
    }
    if (jutsu_bus_publish(s->app->bus, "host", topic, p) != 0)
        jutsu_log(WHO, JUTSU_LOG_DEBUG, "could not publish %s", topic);
}

/* A slot's end in the metrics: jutsu_job_runs_total and, when it ran,
 * jutsu_job_duration_seconds. */
static void count_run(const char *job, const char *status, int64_t us)
{
    char labels[96];
    snprintf(labels, sizeof(labels), "job=\"%s\",status=\"%s\"", job, status);
    jutsu_metrics_add(NULL, "jutsu_job_runs_total", labels, 1);
    if (us >= 0)
        jutsu_metrics_observe(NULL, "jutsu_job_duration_seconds", labels, us);
}

/* Runs job j's slot (lock held): its body, the log, job.started. Returns
 * how long the body took, in µs. */
static int64_t run_body(jutsu_sched *s, struct sched_job *j, struct jutsu_slot_result *r,
                        int64_t late_min, int catch_up)
{
    char date[JUTSU_DATE_BUFSZ];
    jutsu_date_format(r->date, date);
    if (late_min > 0)
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s for %s: running %lld min late%s", j->def.name, date,
                  (long long)late_min, catch_up ? " (start-up catch-up)" : "");
    else
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s for %s: running", j->def.name, date);
    publish(s, "job.started", j->def.name, r->date, NULL, 0, NULL, NULL);
    int64_t t0 = jutsu_clock_mono_us();
    r->status = j->def.run(s->app, r->date, j->def.arg, r->error, sizeof(r->error));
    int64_t us = jutsu_clock_mono_us() - t0, ms = us / 1000;
    if (r->status != 0 && r->error[0] == '\0')
        snprintf(r->error, sizeof(r->error), "%s", jutsu_strerror(r->status));
    if (r->status == 0)
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s for %s: ok in %lld ms", j->def.name, date,
                  (long long)ms);
    else
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s for %s: failed after %lld ms: %s (recorded as "
                  "failed; the scheduler does not retry it)", j->def.name, date, (long long)ms,
                  r->error);
    return us;
}

/* The slot is due and this process holds the lock: re-read, then skip or
 * run, and record. 0 or a storage error (logged). */
static int settle(jutsu_sched *s, struct sched_job *j, jutsu_job_lock *lk, jutsu_time_t now,
                  int catch_up, struct jutsu_slot_result *r)
{
    struct jutsu_sched_record rec;
    char date[JUTSU_DATE_BUFSZ];
    jutsu_date_format(r->date, date);
    int rc = record_read(lk->db, j->def.name, &rec);
    if (rc != 0 && rc != JUTSU_ENOENT && rc != JUTSU_EMALFORMED)
        return rc;
    if (rc == 0 && rec.date >= r->date) {
        r->outcome = JUTSU_SLOT_DONE;
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s for %s: another process ran it meanwhile (%s)",
                  j->def.name, date, rec.status);
        return 0;
    }
    int paused = 0;
    if ((rc = paused_read(lk->db, j->def.name, &paused, NULL, 0, NULL)) != 0)
        return rc;
    int64_t late_min = (now - r->at) / USEC_PER_MIN;
    const char *reason = NULL;
    if (paused) {
        reason = "paused";
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s for %s: skipped: the job is paused (resume it to run "
                  "its next slot)", j->def.name, date);
    } else if (now - r->at > (int64_t)s->grace_min * USEC_PER_MIN && !j->def.catch_up) {
        reason = "missed";
        jutsu_log(WHO, JUTSU_LOG_WARN, "%s for %s: skipped: missed by %lld min, beyond the "
                  "%d-min grace (scheduler.grace_minutes), and %s does not catch up",
                  j->def.name, date, (long long)late_min, s->grace_min, j->def.name);
    }
    if (reason) {
        r->outcome = JUTSU_SLOT_SKIPPED;
        rc = record_write(s, lk->db, j->def.name, r->date, r->at, "skipped", NULL, reason);
        publish(s, "job.finished", j->def.name, r->date, "skipped", 0, NULL, reason);
        count_run(j->def.name, "skipped", -1);
        return rc;
    }
    r->outcome = JUTSU_SLOT_RAN;
    int64_t us = run_body(s, j, r, late_min, catch_up);
    const char *status = r->status ? "failed" : "ok";
    /* recorded first: whoever hears job.finished finds the record */
    rc = record_write(s, lk->db, j->def.name, r->date, r->at, status, r->error, NULL);
    publish(s, "job.finished", j->def.name, r->date, status, us / 1000, r->error, NULL);
    count_run(j->def.name, status, us);
    return rc;
}

/*
 * Looks at job j's newest slot at `now` and does what the rules say.
 * *reported is set when r describes something that happened to the slot
 * (ran, skipped, BUSY, DONE); *recheck is when to look at the job again.
 * Returns 0 or a storage error (logged).
 */
static int handle(jutsu_sched *s, struct sched_job *j, jutsu_time_t now, int catch_up,
                  struct jutsu_slot_result *r, int *reported, jutsu_time_t *recheck)
{
    jutsu_time_t after;
    jutsu_date_t next_date;
    *reported = 0;
    memset(r, 0, sizeof(*r));
    snprintf(r->job, sizeof(r->job), "%s", j->def.name);
    int rc = jutsu_sched_prev(s, j, now, &r->date, &r->at);
    after = rc == 0 ? r->at : now;
    if (jutsu_sched_next_of(s, j, after, &next_date, recheck) != 0)
        *recheck = now + JUTSU_USEC_PER_DAY;   /* no slot within a year: look daily */
    if (rc == JUTSU_ENOENT || (rc == 0 && j->done_date >= r->date))
        return 0;
    if (rc != 0) {
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: cannot place its slot: %s", j->def.name,
                  jutsu_strerror(rc));
        return rc;
    }

    /* recorded already (by us before a restart, or by another process) */
    struct jutsu_sched_record rec = {0};   /* read only when rc == 0; zeroed for the analysers */
    jutsu_dbs *db = NULL;
    if ((rc = jutsu_app_dbs_open(s->app, &db)) == 0) {
        rc = record_read(db, j->def.name, &rec);
        jutsu_dbs_close(db);
    } else {
        jutsu_log(WHO, JUTSU_LOG_ERROR, "%s: cannot open the database: %s", j->def.name,
                  jutsu_strerror(rc));
    }
    if (rc == 0 && rec.date >= r->date) {
        j->done_date = rec.date;
        return 0;
    }
    if (rc != 0 && rc != JUTSU_ENOENT && rc != JUTSU_EMALFORMED)
        goto retry;

    jutsu_job_lock *lk;
    int got;
    if ((rc = jutsu_sched_lock(s->app, j->def.name, &lk, &got)) != 0)
        goto retry;
    *reported = 1;
    if (!got) {
        char date[JUTSU_DATE_BUFSZ];
        jutsu_date_format(r->date, date);
        r->outcome = JUTSU_SLOT_BUSY;
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s for %s: another process holds the job's lock; "
                  "looking again in %d s", j->def.name, date, JUTSU_SCHED_RETRY_SEC);
        *recheck = now + JUTSU_SCHED_RETRY_SEC * JUTSU_USEC_PER_SEC;
        return 0;
    }
    r->outcome = -1;   /* settle says what happened, if anything did */
    rc = settle(s, j, lk, now, catch_up, r);
    jutsu_sched_unlock(lk);
    if (r->outcome < 0) {
        *reported = 0;   /* the re-read failed: nothing happened to the slot */
        goto retry;
    }
    /* ran or skipped: never again in this process, even if the record
     * could not be written */
    j->done_date = r->date;
    return rc;
retry:
    *recheck = now + JUTSU_SCHED_RETRY_SEC * JUTSU_USEC_PER_SEC;
    return rc;
}

int jutsu_sched_run_due(jutsu_sched *s, jutsu_time_t now, int catch_up,
                        struct jutsu_slot_result *out, size_t max, size_t *n)
{
    int first = 0;
    size_t count = 0;
    if (!s->enabled)
        say_off(s);
    for (size_t i = 0; s->enabled && i < s->n; i++) {
        struct sched_job *j = &s->jobs[i];
        struct jutsu_slot_result r;
        jutsu_time_t recheck;
        int reported;
        if (!j->enabled)
            continue;
        int rc = handle(s, j, now, catch_up, &r, &reported, &recheck);
        if (rc != 0 && first == 0)
            first = rc;
        pthread_mutex_lock(&s->lock);
        j->next_check = recheck;
        pthread_mutex_unlock(&s->lock);
        if (reported && out && count < max)
            out[count++] = r;
    }
    if (n)
        *n = count;
    return first;
}

/* --- the worker ------------------------------------------------------------------------- */

/* Under s->lock. */
static void enqueue(jutsu_sched *s, size_t i, jutsu_time_t now, int catch_up)
{
    struct sched_job *j = &s->jobs[i];
    if (j->queued || j->running)
        return;
    struct sched_item *it = &s->queue[(s->qhead + s->qlen) % s->n];
    it->job = i;
    it->now = now;
    it->queued_mono = jutsu_clock_mono_us();
    it->catch_up = catch_up;
    s->qlen++;
    j->queued = 1;
    pthread_cond_signal(&s->cond);
}

static void *worker(void *arg)
{
    jutsu_sched *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->stopping && s->qlen == 0)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->stopping)
            break;
        struct sched_item it = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->n;
        s->qlen--;
        struct sched_job *j = &s->jobs[it.job];
        j->queued = 0;
        j->running = 1;
        pthread_mutex_unlock(&s->lock);

        /* judged at the queued `now` plus the wait in the queue: a slot
         * that waited behind a long job may have left its grace */
        struct jutsu_slot_result r;
        jutsu_time_t recheck;
        int reported;
        jutsu_time_t now = it.now + (jutsu_clock_mono_us() - it.queued_mono);
        handle(s, j, now, it.catch_up, &r, &reported, &recheck);   /* errors are logged */

        pthread_mutex_lock(&s->lock);
        j->running = 0;
        j->next_check = recheck;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void log_plan(jutsu_sched *s, jutsu_time_t now)
{
    for (size_t i = 0; i < s->n; i++) {
        struct sched_job *j = &s->jobs[i];
        char at[6], early[32] = "", next[JUTSU_TIME_BUFSZ] = "none within a year";
        jutsu_date_t d;
        jutsu_time_t t;
        if (!j->enabled) {
            jutsu_log(WHO, JUTSU_LOG_INFO, "%s: disabled (scheduler.jobs.%s.enabled)",
                      j->def.name, j->def.name);
            continue;
        }
        jutsu_sched_hhmm(j->time.at_min, at);
        if (j->time.early_min != j->time.at_min) {
            char hhmm[6];
            jutsu_sched_hhmm(j->time.early_min, hhmm);
            snprintf(early, sizeof(early), " (%s on early closes)", hhmm);
        }
        if (jutsu_sched_next_of(s, j, now, &d, &t) == 0)
            jutsu_time_format(t, next);
        jutsu_log(WHO, JUTSU_LOG_INFO, "%s: %s at %s%s %s, next %s", j->def.name,
                  j->def.days == JUTSU_SCHED_EVERY_DAY ? "every day" : "trading days", at, early,
                  jutsu_tz_name(s->app->tz), next);
    }
}

int jutsu_sched_start(jutsu_sched *s, jutsu_time_t now)
{
    if (!s->enabled) {
        say_off(s);
        return 0;
    }
    if (s->started)
        return JUTSU_ESTATE;
    log_plan(s, now);
    s->stopping = 0;
    int err = pthread_create(&s->thread, NULL, worker, s);
    if (err != 0) {
        jutsu_log(WHO, JUTSU_LOG_ERROR, "cannot start the worker thread: %s", strerror(err));
        return JUTSU_EIO;
    }
    s->started = 1;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++)
        if (s->jobs[i].enabled)
            enqueue(s, i, now, 1);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int jutsu_sched_tick(jutsu_sched *s, jutsu_time_t now)
{
    if (!s->enabled) {
        say_off(s);
        return 0;
    }
    if (!s->started)
        return JUTSU_ESTATE;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++)
        if (s->jobs[i].enabled && now >= s->jobs[i].next_check)
            enqueue(s, i, now, 0);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

void jutsu_sched_stop(jutsu_sched *s)
{
    if (s == NULL || !s->started)
        return;
    pthread_mutex_lock(&s->lock);
    size_t dropped = s->qlen;
    s->stopping = 1;
    for (size_t k = 0; k < s->qlen; k++)
        s->jobs[s->queue[(s->qhead + k) % s->n].job].queued = 0;
    s->qlen = 0;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);   /* waits for the running job */
    s->started = 0;
    if (dropped)
        jutsu_log(WHO, JUTSU_LOG_INFO, "stopped; %zu queued slot%s dropped (looked at again "
                  "after the next start)", dropped, dropped == 1 ? "" : "s");
}

void jutsu_sched_free(jutsu_sched *s)
{
    if (s == NULL)
        return;
    jutsu_sched_stop(s);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s->queue);
    free(s->jobs);
    free(s);
}
