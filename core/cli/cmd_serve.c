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
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "jobs/jobs.h"
#include "base/log.h"
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
    jutsu_sched *sched = NULL;
    if ((rc = build_scheduler(app, &sched)) != 0)
        return rc;
    jutsu_log("jutsu", JUTSU_LOG_INFO, "jutsu %s starting: %zu plugin instance%s from %s",
              JUTSU_VERSION, app->ninst, app->ninst == 1 ? "" : "s", app->config_path);
    if ((rc = jutsu_app_start(app)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "start-up failed (%s); nothing is left running",
                  jutsu_strerror(rc));
        jutsu_sched_free(sched);
        return JUTSU_EXIT_FAILURE;
    }
    if (prepare_storage(app) != 0 || prepare_auth(app) != 0) {
        jutsu_sched_free(sched);
        jutsu_app_stop(app);
        return JUTSU_EXIT_FAILURE;
    }
    log_summary(app);
    /* the start-up catch-up runs on the worker: signals are answered meanwhile */
    if (sched == NULL)
        jutsu_log("scheduler", JUTSU_LOG_INFO, "off: no database, so no scheduled job");
    else if (jutsu_sched_start(sched, jutsu_app_now(app)) != 0) {
        jutsu_sched_free(sched);
        jutsu_app_stop(app);
        return JUTSU_EXIT_FAILURE;
    }
    app->sched = sched;
    if ((rc = jutsu_engine_attach(app)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "cannot attach the engine (%s)", jutsu_strerror(rc));
        app->sched = NULL;
        jutsu_sched_free(sched);
        jutsu_app_stop(app);
        return JUTSU_EXIT_FAILURE;
    }

    int sig = 0;
    for (;;) {
        struct timespec tick = { .tv_sec = 1, .tv_nsec = 0 };
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sched)
            jutsu_sched_tick(sched, jutsu_app_now(app));
        if (sig == SIGHUP)
            jutsu_log("jutsu", JUTSU_LOG_WARN, "SIGHUP: reloading is not supported; "
                      "restart the service to apply config changes");
        else if (sig < 0 && errno != EAGAIN && errno != EINTR) {
            jutsu_log("jutsu", JUTSU_LOG_ERROR, "sigtimedwait: %s", strerror(errno));
            break;
        }
    }
    jutsu_log("jutsu", JUTSU_LOG_INFO, "%s received: shutting down",
              sig > 0 ? (sig == SIGINT ? "SIGINT" : "SIGTERM") : "error");
    jutsu_engine_detach(app);  /* runs started over the API finish first */
    jutsu_sched_stop(sched);   /* a running job finishes first */
    app->sched = NULL;
    jutsu_sched_free(sched);
    jutsu_app_stop(app);
    jutsu_log("jutsu", JUTSU_LOG_INFO, "stopped cleanly");
    return JUTSU_EXIT_OK;
}
