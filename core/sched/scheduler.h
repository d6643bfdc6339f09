/*
 * core/sched/scheduler.h — the scheduler: jobs at wall-clock times of the exchange.
 *
 * A job (sync, eod, prune, later trading) runs once per *slot*: a date and
 * an exchange wall time on it ("16:15" America/New_York; "13:15" on the
 * exchange's early-close days), on trading days or on every calendar day.
 * The slot's UTC instant comes from the tz database (core/base/tz.h), so
 * daylight saving time moves it with the exchange, a wall time inside the
 * spring-forward gap runs at the end of the gap and one inside the
 * fall-back overlap runs once, at its first occurrence.
 *
 * When a slot is due (its instant has passed and it is the job's newest
 * slot not yet run):
 *   - within scheduler.grace_minutes of its instant it runs, late if need
 *     be (the process was busy, suspended or restarting);
 *   - beyond the grace period a job with catch_up set (sync, eod: both
 *     idempotent and worth doing late) runs once anyway; any other job
 *     (trading: never on a stale signal) is recorded as skipped and logged.
 * Only a job's newest slot runs: a job that missed three days runs once,
 * and the job itself catches up what it must (EOD finalises its missed
 * days, sync is incremental).
 *
 * Each job's last slot (date, instant, status) is persisted in system_state
 * under "scheduler.<job>" when the job finishes, so a restart neither skips
 * a slot (an unrecorded slot is still due) nor repeats one (a recorded slot
 * is never due again). A job that fails is recorded as failed and not
 * retried by the scheduler. Work a job leaves for later without failing
 * (the EOD job's days that wait for data) is the job's to pick up at its
 * next slot: it returns 0 and the slot is ok. A job has one slot per date, so the record's
 * date decides: a slot is recorded when its date is not after the
 * record's (moving a job's time does not run it twice on one day). The
 * record is JSON: {"date":"2024-03-08","at":"2024-03-08T21:15:00Z",
 * "status":"ok"|"failed"|"skipped","finished_at":"...","error":"...",
 * "reason":"paused"|"missed"} (error only when failed, reason only when
 * skipped). A record that cannot be read is logged and
 * taken as absent: the slot runs and the record is rewritten.
 *
 * Several processes may share one PostgreSQL database: before running a
 * slot the scheduler takes a session advisory lock named after the job
 * (jutsu_sched_lock) and re-reads the job's record under it, so exactly one
 * process runs each slot; the others see the lock held, or the slot done,
 * and skip it. The CLI commands that run a job (`jutsu eod run`, ...)
 * take the same lock. On SQLite (one process per file) the lock is always
 * granted across processes. Within one process the lock is exclusive
 * on every backend: a name held by one thread (the scheduler's worker, a
 * run started over the API) is refused to any other until unlocked. A
 * skip (beyond the grace, or paused) is decided and recorded under the
 * lock too.
 *
 * Pause: a job may be paused (jutsu_sched_set_paused: `jutsu`'s REST API,
 * kept in system_state "scheduler.<job>.paused", so a restart keeps it).
 * A paused job's due slot does not run: it is recorded "skipped" with
 * reason "paused" (and job.finished says so), and resuming runs the job's
 * next slot, not the one it skipped. After BUSY the worker looks at the job again
 * JUTSU_SCHED_RETRY_SEC later: by then the holder has recorded the slot
 * (DONE) or died and released the lock (then this process runs it).
 *
 * Threads: jutsu_sched_tick is called from the main thread (`jutsu serve`
 * calls it every second); due slots are handed to one worker thread that
 * runs them one at a time, in the order they became due, and publishes
 * job.started / job.finished (docs/events.md; a skipped slot publishes
 * job.finished with status "skipped" only). The worker judges a slot at
 * the `now` given to tick (or start) plus the time it waited in the queue,
 * so an injected clock stays in charge. jutsu_sched_run_due does the same
 * synchronously on the calling thread (tests, an injected clock); do not
 * call it while the worker runs.
 *
 * Config (host schema, docs/config.md):
 *   scheduler.enabled                      false: serve runs no job
 *   scheduler.grace_minutes                default 30
 *   scheduler.jobs.<name>.enabled          default true
 *   scheduler.jobs.<name>.at               "HH:MM" exchange time; default per job
 *   scheduler.jobs.<name>.early_close_at   "HH:MM" on early-close days
 * Settings for a job name the table does not hold are checked and
 * ignored, with a warning.
 */
#ifndef JUTSU_CORE_SCHEDULER_H
#define JUTSU_CORE_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "host/app.h"

typedef struct jutsu_sched jutsu_sched;

/*
 * A job's body. `date` is the slot's exchange date. Runs on the worker
 * thread (or the caller of jutsu_sched_run_due) with the job's advisory
 * lock held by the scheduler. Returns 0 or a negative JUTSU_E* code and
 * then writes a one-line reason into err (the scheduler logs and records
 * it).
 */
typedef int (*jutsu_job_fn)(struct jutsu_app *app, jutsu_date_t date, void *arg,
                            char *err, size_t errsz);

enum jutsu_sched_days {
    JUTSU_SCHED_TRADING_DAYS = 0,   /* the exchange's trading days only */
    JUTSU_SCHED_EVERY_DAY    = 1    /* every calendar day (prune)       */
};

/* One job, as the code declares it; config may move its times or turn it
 * off. Declared in tables (core/jobs/jobs.c), read by the scheduler. */
struct jutsu_sched_job {
    const char  *name;            /* [a-z_]{1,32}: scheduler.jobs.<name>, lock and state key */
    jutsu_job_fn run;
    void        *arg;
    const char  *at;              /* default exchange wall time, "HH:MM"                    */
    const char  *early_close_at;  /* default on early-close days; NULL: the same as `at`   */
    int          days;            /* enum jutsu_sched_days                                  */
    int          catch_up;        /* 1: a slot missed beyond the grace runs once, late     */
};

/* What the scheduler did with one slot (jutsu_sched_run_due's report). */
enum jutsu_slot_outcome {
    JUTSU_SLOT_RAN     = 0,   /* ran; status says how it ended               */
    JUTSU_SLOT_SKIPPED = 1,   /* missed beyond the grace, not a catch-up job */
    JUTSU_SLOT_BUSY    = 2,   /* another process holds the job's lock        */
    JUTSU_SLOT_DONE    = 3    /* another process ran it meanwhile            */
};

/* How long after a BUSY outcome the worker looks at that job again. */
#define JUTSU_SCHED_RETRY_SEC 60

struct jutsu_slot_result {
    char          job[33];
    jutsu_date_t  date;       /* the slot's exchange date     */
    jutsu_time_t  at;         /* the slot's instant, UTC      */
    int           outcome;    /* enum jutsu_slot_outcome      */
    int           status;     /* the job's return when RAN    */
    char          error[256];
};

/*
 * A scheduler for `app` (its config, calendar, tz and storage) over `jobs`
 * (n entries, copied; the strings must outlive the scheduler). Reads and
 * validates scheduler.* against the job names: an "at" that is not HH:MM
 * is reported with file:line:col into diag. Errors: JUTSU_ECONFIG,
 * JUTSU_ESTATE (no calendar or time zone), JUTSU_EINVAL (a bad job table:
 * a name that is not [a-z_]{1,32}, twice the same name, no body, a
 * default time that is not HH:MM; said in diag), JUTSU_ENOMEM.
 * `jutsu config check` builds one over the real jobs (core/jobs/jobs.h) to
 * check the config; building one touches no database.
 */
int  jutsu_sched_new(struct jutsu_app *app, const struct jutsu_sched_job *jobs, size_t n,
                     struct jutsu_diag *diag, jutsu_sched **out);
/* Stops the worker if needed (waits for a running job) and frees. */
void jutsu_sched_free(jutsu_sched *s);

/*
 * The first slot of job `name` strictly after the instant `after`: its
 * exchange date and UTC instant. Pure (no database). JUTSU_ENOENT for an
 * unknown or disabled job.
 */
int  jutsu_sched_next(const jutsu_sched *s, const char *name, jutsu_time_t after,
                      jutsu_date_t *date, jutsu_time_t *at);

/*
 * A job's time of day without a scheduler: its table defaults moved by
 * scheduler.jobs.<name>.at / early_close_at, as a scheduler built over
 * it would use them. What a job stamps its work of a day with (the
 * trading job's trades and snapshots carry the trading slot's instant).
 * jutsu_sched_time_of reads the config (no database, no calendar):
 * JUTSU_ECONFIG for a time that is not HH:MM, JUTSU_EINVAL for a bad
 * table entry, both said in diag. jutsu_sched_time_on is the instant on
 * date d: JUTSU_ENOENT on a day the job has no slot (a trading-days job
 * on a closed day), JUTSU_ESTATE without a time zone or calendar. Pure.
 */
struct jutsu_sched_time {
    int at_min;       /* minutes after midnight, exchange time */
    int early_min;    /* the same on early-close days          */
    int days;         /* enum jutsu_sched_days                 */
};
int  jutsu_sched_time_of(struct jutsu_app *app, const struct jutsu_sched_job *job,
                         struct jutsu_sched_time *out, struct jutsu_diag *diag);
int  jutsu_sched_time_on(const struct jutsu_app *app, const struct jutsu_sched_time *t,
                         jutsu_date_t d, jutsu_time_t *at);

/*
 * Runs every due slot at `now` on the calling thread, one job after the
 * other in table order, following the rules above. `catch_up` changes
 * nothing of what runs (the rules above already run a catch-up job's
 * missed slot): nonzero marks the runs as the start-up catch-up in the
 * log, as the worker's first pass does. Up to `max` results are written to out
 * (may be NULL) and their count to *n: one per slot that ran, was skipped,
 * was BUSY or DONE; a slot found recorded before the lock is not due and
 * gives no result. With scheduler.enabled false nothing runs (*n = 0).
 * Returns 0, or the first storage error (the state could not be read or
 * written, the lock could not be asked for; logged; the other jobs are
 * still looked at). Not while the worker runs.
 */
int  jutsu_sched_run_due(jutsu_sched *s, jutsu_time_t now, int catch_up,
                         struct jutsu_slot_result *out, size_t max, size_t *n);

/* Starts the worker thread and queues the start-up catch-up (as
 * run_due(now, catch_up = 1) would run it): every enabled job is looked at
 * once. Logs each job's times and next slot. With scheduler.enabled false
 * it starts nothing, says so and returns 0. JUTSU_ESTATE if already
 * started; JUTSU_EIO if the thread cannot be created. */
int  jutsu_sched_start(jutsu_sched *s, jutsu_time_t now);
/* Queues, for the worker, every job whose next slot instant (kept in
 * memory) is not after `now`; cheap when nothing is due (a mutex and a
 * comparison per job, no database access). A job already queued or
 * running is not queued again. Main thread. JUTSU_ESTATE before start. */
int  jutsu_sched_tick(jutsu_sched *s, jutsu_time_t now);
/* Lets the running job finish, drops what is queued, joins the worker.
 * Idempotent; a scheduler that was never started is left as it is. */
void jutsu_sched_stop(jutsu_sched *s);

/* --- what `jutsu scheduler status` shows -------------------------------- */

/* Whether scheduler.enabled is true, and the grace in minutes. */
int  jutsu_sched_enabled(const jutsu_sched *s);
int  jutsu_sched_grace_minutes(const jutsu_sched *s);

/* Job i (0 .. count-1, table order) as configured. */
struct jutsu_sched_info {
    const char *name;                 /* the table's string            */
    int         enabled;
    char        at[6];                /* "HH:MM" in effect             */
    char        early_close_at[6];
    int         days;                 /* enum jutsu_sched_days         */
    int         catch_up;
    int         queued, running;      /* the worker's, now             */
};
size_t jutsu_sched_count(const jutsu_sched *s);
int  jutsu_sched_info(const jutsu_sched *s, size_t i, struct jutsu_sched_info *out);

/* The record of job `name`'s last slot, read from system_state on a
 * session of its own. JUTSU_ENOENT if there is none (never run);
 * JUTSU_EMALFORMED if it cannot be read (the message is logged); or a
 * storage error. */
struct jutsu_sched_record {
    jutsu_date_t date;
    jutsu_time_t at, finished_at;     /* 0 if absent                   */
    char         status[8];           /* "ok", "failed", "skipped"     */
    char         error[256];          /* "" unless failed              */
    char         reason[16];          /* skipped: "paused", "missed"   */
};
int  jutsu_sched_last(jutsu_sched *s, const char *name, struct jutsu_sched_record *out);
/* The same without a scheduler: job `name`'s record on the app's storage. */
int  jutsu_sched_record_of(struct jutsu_app *app, const char *name,
                           struct jutsu_sched_record *out);

/*
 * Pause state of job `name` (system_state "scheduler.<name>.paused":
 * {"paused": bool, "by", "at"}). jutsu_sched_paused reads it on a session
 * of its own: *paused 0 when never set; *by and *at (may be NULL) say who
 * set it and when ("" and 0 when never). jutsu_sched_set_paused writes it
 * (by: a username or "cli"); the scheduler reads it as each due slot of
 * the job comes up, so the change applies from the next slot on, without
 * a restart. Both return 0 or a storage error. The name is not checked
 * against any table: the caller does that.
 */
int  jutsu_sched_paused(struct jutsu_app *app, const char *name, int *paused, char *by,
                        size_t bysz, jutsu_time_t *at);
int  jutsu_sched_set_paused(struct jutsu_app *app, const char *name, int paused,
                            const char *by);

/*
 * The cross-process lock of job `name`: a PostgreSQL session advisory lock
 * on a connection of its own, held until jutsu_sched_unlock. *got is 1 if
 * acquired (then *lock is set), 0 if another session holds it (then *lock
 * is NULL). Returns 0 or a storage error.
 * Used by the scheduler and by the CLI commands that run jobs. The
 * lock's key is jutsu_sched_lock_key(name): the 64-bit FNV-1a hash of
 * "jutsu.job.<name>" as a signed integer (pg_locks shows it split into
 * classid, the high half, and objid, the low half). When the driver has
 * no try_lock the lock is always granted. A driver error is logged with
 * the job's name. Thread-safe (each lock has its own connection);
 * unlock from the thread that locked. NULL is ignored by unlock.
 */
typedef struct jutsu_job_lock jutsu_job_lock;
int  jutsu_sched_lock(struct jutsu_app *app, const char *name, jutsu_job_lock **lock, int *got);
void jutsu_sched_unlock(jutsu_job_lock *lock);
int64_t jutsu_sched_lock_key(const char *name);

#endif
