/*
 * core/cli/cmd_serve.c — `jutsu serve`: run until SIGINT or SIGTERM.
 *
 * Signals are blocked before any thread starts, so that every thread
 * inherits the mask and only the main thread receives them, synchronously,
 * through sigtimedwait: no async-signal-safety puzzles in handlers. The
 * main thread wakes at least once a second for the scheduler, whose
 * worker thread runs the jobs (core/sched/scheduler.h, core/jobs/jobs.h).
 * The engine (core/engine/engine.h: what a frontend's REST API asks of
 * the host) is attached once everything runs, and detached first, so
 * that jobs started over the API finish before anything stops.
 *
 * As a service (docs/service.md): one serve per SQLite file (serve_lock.c),
 * the service manager told how it goes (host/notify.h: READY=1 once the
 * frontend listens and the scheduler runs, RELOADING=1, STOPPING=1), and
 * SIGHUP re-reads the config (serve_reload.c).
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "auth/auth.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "cli/serve.h"
#include "engine/engine.h"
#include "jobs/jobs.h"
#include "base/log.h"
#include "host/notify.h"
#include "sched/scheduler.h"
#include "store/store.h"

static void log_summary(struct jutsu_app *app)
{
    size_t live = 0, failed = 0;
    for (size_t i = 0; i < app->ninst; i++) {
        if (app->inst[i]->started)
            live++;
        else if (app->inst[i]->failed)
            failed++;
    }
    jutsu_log("jutsu", JUTSU_LOG_INFO, "ready: %zu instance%s running%s%s, config %s, "
              "exchange time zone %s", live, live == 1 ? "" : "s",
              failed ? ", optional ones failed: " : "", failed ? "see above" : "",
              app->config_path, app->tz ? jutsu_tz_name(app->tz) : "(none)");
}

/* The schema first: everything after it reads and writes tables. */
static int prepare_storage(struct jutsu_app *app)
{
    jutsu_dbs *s = NULL;
    if (jutsu_app_find(app, JUTSU_STORAGE_INSTANCE) == NULL) {
        jutsu_log("jutsu", JUTSU_LOG_WARN, "no database configured: nothing is stored "
                  "(set database.type, or DATABASE_URL)");
        return 0;
    }
    int rc = jutsu_app_dbs_open(app, &s);
    if (rc) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "cannot connect to the database: %s",
                  jutsu_strerror(rc));
        return rc;
    }
    if ((rc = jutsu_app_ensure_schema(app, s)) != 0)
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "%s", jutsu_dbs_error_line(s));
    jutsu_dbs_close(s);
    return rc;
}

/* A frontend lets people in: the key file must be usable before it starts
 * answering, and with no user at all the first admin needs a way in (there
 * is no default password): a one-time invitation, logged. */
static int prepare_auth(struct jutsu_app *app)
{
    int frontend = 0;
    char err[512];
    for (size_t i = 0; i < app->ninst; i++)
        frontend |= jutsu_ctx_plugin(app->inst[i])->kind == JUTSU_KIND_FRONTEND;
    if (!frontend || jutsu_app_find(app, JUTSU_STORAGE_INSTANCE) == NULL)
        return 0;
    int rc = jutsu_auth_keys_ready(app->auth, err, sizeof(err));
    if (rc != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "%s", err);
        return rc;
    }
    json_object *out = NULL, *url, *until, *tok;
    rc = jutsu_auth_first_admin(app->auth, &out);
    if (rc == 1 && json_object_object_get_ex(out, "url", &url) &&
        json_object_object_get_ex(out, "expires_at", &until) &&
        json_object_object_get_ex(out, "token", &tok))
        jutsu_log("jutsu", JUTSU_LOG_WARN, "no user exists yet: open %s to create the first "
                  "admin, or POST {\"username\", \"password\"} to /api/invitations/%s/accept "
                  "(good once, until %s); or run `jutsu user add NAME --role admin`",
                  json_object_get_string(url), json_object_get_string(tok),
                  json_object_get_string(until));
    else if (rc < 0)
        jutsu_log("jutsu", JUTSU_LOG_WARN, "could not check for a first user: %s",
                  jutsu_strerror(rc));
    json_object_put(out);
    return 0;
}

/* The scheduler over the real jobs, built before anything starts so that
 * a bad time in scheduler.jobs stops serve like any config error. NULL
 * in *out without a database: the jobs have nowhere to keep their
 * records, nor data to work on. Returns an exit code. */
static int build_scheduler(struct jutsu_app *app, jutsu_sched **out)
{
    struct jutsu_diag diag;
    *out = NULL;
    if (jutsu_app_find(app, JUTSU_STORAGE_INSTANCE) == NULL)
        return JUTSU_EXIT_OK;
    jutsu_diag_init(&diag);
    int rc = jutsu_jobs_sched(app, &diag, out);
    if (rc != 0)
        jutsu_diag_print(&diag, stderr, "jutsu: error: ");
    jutsu_diag_free(&diag);
    return rc == 0 ? JUTSU_EXIT_OK : rc == JUTSU_ENOMEM ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_CONFIG;
}

/* What `systemctl status` shows beside the unit while serve runs. */
static void notify_ready(struct jutsu_app *app, jutsu_sched *sched, const char *what)
{
    size_t live = 0;
    for (size_t i = 0; i < app->ninst; i++)
        live += app->inst[i]->started != 0;
    jutsu_notifyf("READY=1\nSTATUS=%s: %zu instance%s running, scheduler %s, config %s", what,
                  live, live == 1 ? "" : "s",
                  sched == NULL ? "off (no database)"
                                : jutsu_sched_enabled(sched) ? "on" : "disabled", app->config_path);
}

/* The heartbeat: half the manager's interval, and the loop's wake-up
 * shortened to fit when that is under a second. */
struct watchdog {
    int64_t every_us, next_us;
};

static void watchdog_init(struct watchdog *w, struct timespec *tick)
{
    uint64_t usec = jutsu_notify_watchdog_usec();
    w->every_us = usec ? (int64_t)(usec / 2) : 0;
    w->next_us = jutsu_clock_mono_us();
    if (w->every_us > 0 && w->every_us < 1000000)
        *tick = (struct timespec){ .tv_sec = 0, .tv_nsec = (long)w->every_us * 1000 };
    if (w->every_us > 0)
        jutsu_log("jutsu", JUTSU_LOG_DEBUG, "watchdog: a heartbeat every %lld ms",
                  (long long)(w->every_us / 1000));
}

static void watchdog_beat(struct watchdog *w)
{
    int64_t now = jutsu_clock_mono_us();
    if (w->every_us <= 0 || now < w->next_us)
        return;
    jutsu_notify("WATCHDOG=1");
    w->next_us = now + w->every_us;
}

/* Start-up refused: said to the manager too, then the exit code. */
static int refused(const char *why)
{
    jutsu_notifyf("STATUS=start-up failed: %s", why);
    return JUTSU_EXIT_FAILURE;
}

int jutsu_cmd_serve(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_no_args(cli);
    if (rc != 0)
        return rc;
    if ((rc = jutsu_cli_load_or_report(cli)) != 0)
        return rc;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        jutsu_cli_error("cannot block signals: %s", strerror(errno));
        return JUTSU_EXIT_FAILURE;
    }

    struct jutsu_app *app = cli->app;
    struct jutsu_serve_retired retired = { 0 };
    jutsu_sched *sched = NULL;
    int lock = -1;
    /* before anything starts: a second serve names the first, rather
     * than failing later on a port in use */
    if ((rc = jutsu_serve_lock(app, &lock)) != 0)
        return refused(rc == JUTSU_EEXIST ? "the SQLite database is in use by another serve"
                                          : jutsu_strerror(rc));
    if ((rc = build_scheduler(app, &sched)) != 0) {
        jutsu_serve_unlock(lock);
        refused("the scheduler's config");
        return rc;
    }
    jutsu_log("jutsu", JUTSU_LOG_INFO, "jutsu %s starting: %zu plugin instance%s from %s",
              JUTSU_VERSION, app->ninst, app->ninst == 1 ? "" : "s", app->config_path);
    jutsu_notify("STATUS=starting the plugin instances");
    if ((rc = jutsu_app_start(app)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "start-up failed (%s); nothing is left running",
                  jutsu_strerror(rc));
        jutsu_sched_free(sched);
        jutsu_serve_unlock(lock);
        return refused("a plugin instance did not start (see the log)");
    }
    if (prepare_storage(app) != 0 || prepare_auth(app) != 0) {
        rc = refused("the database or the key file (see the log)");
        goto stop;
    }
    log_summary(app);
    /* the start-up catch-up runs on the worker: signals are answered meanwhile */
    if (sched == NULL)
        jutsu_log("scheduler", JUTSU_LOG_INFO, "off: no database, so no scheduled job");
    else if (jutsu_sched_start(sched, jutsu_app_now(app)) != 0) {
        rc = refused("the scheduler did not start");
        goto stop;
    }
    app->sched = sched;
    if ((rc = jutsu_engine_attach(app)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "cannot attach the engine (%s)", jutsu_strerror(rc));
        rc = refused("the engine");
        goto stop;
    }
    notify_ready(app, sched, "serving");

    int sig = 0;
    struct timespec every = { .tv_sec = 1, .tv_nsec = 0 };
    struct watchdog wd;
    watchdog_init(&wd, &every);
    for (;;) {
        struct timespec tick = every;
        watchdog_beat(&wd);
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig == SIGHUP) {
            jutsu_notify_reloading();
            int r = jutsu_serve_reload(app, &sched, &retired);
            notify_ready(app, sched, r == 0 ? "serving (config reloaded)"
                                            : "serving (the last reload was refused)");
        } else if (sig < 0 && errno != EAGAIN && errno != EINTR) {
            jutsu_log("jutsu", JUTSU_LOG_ERROR, "sigtimedwait: %s", strerror(errno));
            break;
        }
        if (sched)
            jutsu_sched_tick(sched, jutsu_app_now(app));
    }
    jutsu_log("jutsu", JUTSU_LOG_INFO, "%s received: shutting down",
              sig > 0 ? (sig == SIGINT ? "SIGINT" : "SIGTERM") : "error");
    jutsu_notifyf("STOPPING=1\nSTATUS=shutting down (%s)",
                  sig > 0 ? (sig == SIGINT ? "SIGINT" : "SIGTERM") : "error");
    jutsu_engine_detach(app);  /* runs started over the API finish first */
    rc = JUTSU_EXIT_OK;
stop:
    jutsu_sched_stop(sched);   /* a running job finishes first */
    app->sched = NULL;
    jutsu_sched_free(sched);
    jutsu_serve_retired_free(&retired);
    jutsu_app_stop(app);
    jutsu_serve_unlock(lock);  /* the next serve may start once we are gone */
    if (rc == JUTSU_EXIT_OK)
        jutsu_log("jutsu", JUTSU_LOG_INFO, "stopped cleanly");
    return rc;
}
