/*
 * core/host/app_lifecycle.c — init and start every instance in order; stop and
 * destroy in reverse.
 *
 * Shutdown order matters for the bus: queued events are delivered while
 * every subscriber is still alive, then instances are stopped and their
 * leftover subscriptions dropped, and only then destroyed, so no callback
 * can reach freed state.
 */
#include <json-c/json.h>
#include <string.h>

#include "jutsu/error.h"
#include "host/app.h"
#include "base/log.h"

static void report_failure(struct jutsu_ctx *c, const char *op, int rc)
{
    const char *plugin = jutsu_ctx_plugin(c)->name;
    const char *why = c->error[0] ? c->error : jutsu_strerror(rc);
    if (c->required)
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "instance \"%s\" (plugin %s) failed to %s: %s",
                  c->name, plugin, op, why);
    else
        jutsu_log("jutsu", JUTSU_LOG_WARN, "instance \"%s\" (plugin %s) failed to %s: %s; "
                  "continuing without it (required: false)", c->name, plugin, op, why);
}

static void stop_one(struct jutsu_ctx *c)
{
    const struct jutsu_plugin *d = jutsu_ctx_plugin(c);
    if (c->started && d->stop) {
        jutsu_log("jutsu", JUTSU_LOG_DEBUG, "stopping \"%s\"", c->name);
        d->stop(c->state);
    }
    c->started = 0;
    jutsu_host_drop_subscriptions(c);
}

static void destroy_one(struct jutsu_ctx *c)
{
    if (c->inited) {
        jutsu_ctx_plugin(c)->destroy(c->state);
        c->state = NULL;
        c->inited = 0;
    }
}

static void publish_system(struct jutsu_app *app, const char *topic, int ninstances)
{
    json_object *p = json_object_new_object();
    if (p && ninstances >= 0)
        json_object_object_add(p, "instances", json_object_new_int(ninstances));
    if (jutsu_bus_publish(app->bus, "host", topic, p) != 0)
        jutsu_log("jutsu", JUTSU_LOG_DEBUG, "could not publish %s", topic);
}

int jutsu_app_start(struct jutsu_app *app)
{
    return jutsu_app_start_kinds(app, ~0u);
}

int jutsu_app_start_kinds(struct jutsu_app *app, unsigned kinds)
{
    int rc;
    if (app->bus == NULL) {
        if ((rc = jutsu_bus_new(&app->bus_opts, &app->bus)) != 0)
            return rc;
        if (app->bus_opts.threaded && (rc = jutsu_bus_start(app->bus)) != 0)
            return rc;
    }
    publish_system(app, "system.starting", (int)app->ninst);

    int live = 0;
    for (size_t i = 0; i < app->ninst; i++) {
        struct jutsu_ctx *c = app->inst[i];
        const struct jutsu_plugin *d = jutsu_ctx_plugin(c);
        if (!(kinds & (1u << d->kind)))
            continue;
        c->error[0] = '\0';
        jutsu_log("jutsu", JUTSU_LOG_DEBUG, "init \"%s\" (plugin %s %s)", c->name, d->name,
                  d->version);
        rc = d->init(&app->host, c, &c->state);
        if (rc != 0) {
            report_failure(c, "initialise", rc);
            c->failed = 1;
            c->state = NULL;
            if (c->required)
                goto fail;
            continue;
        }
        c->inited = 1;
        if (d->start) {
            c->error[0] = '\0';
            rc = d->start(c->state);
            if (rc != 0) {
                report_failure(c, "start", rc);
                c->failed = 1;
                jutsu_host_drop_subscriptions(c);
                destroy_one(c);
                if (c->required)
                    goto fail;
                continue;
            }
        }
        c->started = 1;
        live++;
        jutsu_log("jutsu", JUTSU_LOG_INFO, "started \"%s\" (%s %s, %s)", c->name, d->name,
                  d->version, jutsu_kind_name(d->kind));
    }
    if ((rc = jutsu_app_data_version_start(app)) != 0)
        goto fail;
    publish_system(app, "system.ready", live);
    return 0;
fail:
    jutsu_app_stop(app);
    return rc;
}

void jutsu_app_stop(struct jutsu_app *app)
{
    if (app->bus == NULL)
        return;
    publish_system(app, "system.stopping", -1);
    if (jutsu_bus_drain(app->bus, app->shutdown_timeout_ms) != 0)
        jutsu_log("jutsu", JUTSU_LOG_WARN, "bus not drained within %d ms; stopping anyway",
                  app->shutdown_timeout_ms);
    /* the data changes before this are recorded; the storage is still up */
    jutsu_app_data_version_stop(app);
    for (size_t i = app->ninst; i-- > 0;)
        stop_one(app->inst[i]);
    for (size_t i = app->ninst; i-- > 0;)
        destroy_one(app->inst[i]);

    size_t undelivered = 0;
    jutsu_bus_shutdown(app->bus, app->shutdown_timeout_ms, &undelivered);
    struct jutsu_bus_stats st;
    jutsu_bus_stats(app->bus, &st);
    if (undelivered || st.dropped)
        jutsu_log("jutsu", JUTSU_LOG_WARN, "bus: %zu event(s) undelivered at shutdown, "
                  "%llu dropped by the full-queue policy", undelivered,
                  (unsigned long long)st.dropped);
    jutsu_bus_free(app->bus);
    app->bus = NULL;
}
