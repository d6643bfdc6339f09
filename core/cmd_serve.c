/*
 * core/cmd_serve.c — `jutsu serve`: run until SIGINT or SIGTERM.
 *
 * Signals are blocked before any thread starts, so that every thread
 * inherits the mask and only the main thread receives them, synchronously,
 * through sigtimedwait: no async-signal-safety puzzles in handlers. The
 * main thread wakes at least once a second for the scheduler.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "cli.h"
#include "log.h"
#include "store.h"
#include "sync.h"

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
    int rc = jutsu_dbs_open(app, &s);
    if (rc) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "cannot connect to the database: %s",
                  jutsu_strerror(rc));
        return rc;
    }
    if ((rc = jutsu_app_ensure_schema(app, s)) != 0)
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "%s", jutsu_dbs_error(s));
    jutsu_dbs_close(s);
    return rc;
}

/* The work that is due at start: bring market data up to date. Later the
 * scheduler runs the same jobs at their times. */
static void catch_up(struct jutsu_app *app)
{
    jutsu_cfg_node *syms = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "sync.symbols");
    if (jutsu_app_find(app, JUTSU_STORAGE_INSTANCE) == NULL || syms == NULL || syms->n == 0) {
        jutsu_log("jutsu", JUTSU_LOG_INFO, "catch-up: no sync configured (sync.symbols)");
        return;
    }
    struct jutsu_sync_opts o = { .progress = 0 };
    struct jutsu_sync_report r;
    jutsu_log("jutsu", JUTSU_LOG_INFO, "catch-up: syncing %zu symbol%s", syms->n,
              syms->n == 1 ? "" : "s");
    int rc = jutsu_sync_run(app, &o, &r);
    for (size_t i = 0; i < r.n; i++) {
        const struct jutsu_sync_item *it = &r.items[i];
        char last[JUTSU_DATE_BUFSZ] = "-";
        if (it->last)
            jutsu_date_format(jutsu_time_to_date(it->last), last);
        if (it->status)
            jutsu_log("sync", JUTSU_LOG_ERROR, "%s %s: %s", it->symbol, it->timeframe, it->error);
        else
            jutsu_log("sync", JUTSU_LOG_INFO, "%s %s from %s: %lld new bars, %lld already "
                      "stored, %lld rejected, newest %s", it->symbol, it->timeframe, it->source,
                      (long long)it->inserted, (long long)it->skipped, (long long)it->rejected,
                      last);
    }
    jutsu_log("jutsu", rc ? JUTSU_LOG_WARN : JUTSU_LOG_INFO, "catch-up: sync %s: %lld bars "
              "inserted", rc ? "finished with failures" : "done", (long long)r.inserted);
    jutsu_sync_report_free(&r);
}

int jutsu_cmd_serve(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc != 0)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
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
    jutsu_log("jutsu", JUTSU_LOG_INFO, "jutsu %s starting: %zu plugin instance%s from %s",
              JUTSU_VERSION, app->ninst, app->ninst == 1 ? "" : "s", app->config_path);
    if ((rc = jutsu_app_start(app)) != 0) {
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "start-up failed (%s); nothing is left running",
                  jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    if (prepare_storage(app) != 0) {
        jutsu_app_stop(app);
        return JUTSU_EXIT_FAILURE;
    }
    log_summary(app);
    catch_up(app);

    int sig = 0;
    for (;;) {
        struct timespec tick = { .tv_sec = 1, .tv_nsec = 0 };
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
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
    jutsu_app_stop(app);
    jutsu_log("jutsu", JUTSU_LOG_INFO, "stopped cleanly");
    return JUTSU_EXIT_OK;
}
