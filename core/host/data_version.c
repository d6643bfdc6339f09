/*
 * core/host/data_version.c — the database's data version: a system_state
 * row ("data.version") that every process changes after it writes data,
 * so that a reader in another process (frontend-http's answer cache) sees
 * a CLI's backfill or sync without hearing its bus.
 *
 * The host listens to its own bus for the events that follow a committed
 * change (docs/events.md: market_data.*, sync.*, trade.*, snapshot.*,
 * eod.*, config.*, job.finished) and writes a new value after each, on a
 * data session of its own, on the dispatcher thread. The value only has to
 * differ from every earlier one: "<pid>-<event time in µs>-<count>".
 * Events come after their commits, so a reader that sees the new version
 * also sees the rows. A failure to write is logged once and otherwise
 * ignored: the readers' worst case is a cached answer until the next write.
 */
#include <stdio.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "host/app.h"
#include "store/data_api.h"
#include "store/store.h"

static const char *const topics[] = {
    "market_data.>", "sync.>", "trade.>", "snapshot.>", "eod.>", "config.>", "job.finished",
};
#define NTOPICS (sizeof(topics) / sizeof(topics[0]))

static void bump(const jutsu_event *ev, void *arg)
{
    struct jutsu_app *app = arg;
    char v[64];
    int rc = 0;
    if (app->dv_dbs == NULL && (rc = jutsu_app_dbs_open(app, &app->dv_dbs)) != 0)
        app->dv_dbs = NULL;
    if (rc == 0) {
        snprintf(v, sizeof(v), "%ld-%lld-%llu", (long)getpid(),
                 (long long)jutsu_event_time(ev), (unsigned long long)++app->dv_count);
        rc = jutsu_data_state_set(app->dv_dbs, "data.version", JUTSU_STATE_STRING, v);
    }
    if (rc != 0 && !app->dv_warned) {
        app->dv_warned = 1;
        jutsu_log("jutsu", JUTSU_LOG_WARN, "could not record the data version (%s): other "
                  "processes may serve cached answers until the next change",
                  app->dv_dbs ? jutsu_dbs_error_line(app->dv_dbs) : jutsu_strerror(rc));
    }
}

int jutsu_app_data_version_start(struct jutsu_app *app)
{
    struct jutsu_store store;
    if (app->bus == NULL || app->dv_subs[0] != 0 || jutsu_app_store(app, &store) != 0)
        return 0;
    for (size_t i = 0; i < NTOPICS; i++) {
        int rc = jutsu_bus_subscribe(app->bus, "host", topics[i], bump, app, &app->dv_subs[i]);
        if (rc != 0) {
            jutsu_app_data_version_stop(app);
            return rc;
        }
    }
    return 0;
}

void jutsu_app_data_version_stop(struct jutsu_app *app)
{
    for (size_t i = 0; i < NTOPICS; i++) {
        if (app->dv_subs[i] != 0 && app->bus)
            jutsu_bus_unsubscribe(app->bus, app->dv_subs[i]);
        app->dv_subs[i] = 0;
    }
    if (app->dv_dbs)
        jutsu_dbs_close(app->dv_dbs);
    app->dv_dbs = NULL;
}
