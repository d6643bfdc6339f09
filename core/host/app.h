/*
 * core/host/app.h — the running host: config, bus, modules and instances.
 *
 * An app is built in steps, each reporting every problem it finds into a
 * diag before the next step may run:
 *
 *   jutsu_app_load_config    read the YAML, expand ${VAR}, apply the
 *                            environment overrides (DATABASE_URL, ...),
 *                            validate the host's own keys
 *   jutsu_app_load_plugins   find and open every plugin the config names,
 *                            validate each descriptor and each instance's
 *                            config against its plugin's schema
 *   jutsu_app_start          start the bus; init then start every instance
 *                            in order (storage first, frontends last)
 *   jutsu_app_stop           stop then destroy in reverse order; shut the
 *                            bus down, delivering what is queued
 *
 * No plugin code runs before load_plugins has validated everything: a
 * config error never leaves half a service running.
 *
 * Threading: the app is driven from the main thread; instances' host
 * services (struct jutsu_ctx) are thread-safe as documented in
 * jutsu/host.h.
 */
#ifndef JUTSU_CORE_APP_H
#define JUTSU_CORE_APP_H

#include <pthread.h>
#include <stddef.h>

#include "jutsu/data.h"
#include "jutsu/host.h"
#include "bus/bus.h"
#include "config/cfg.h"
#include "config/host_settings.h"
#include "base/diag.h"
#include "host/loader.h"
#include "base/tz.h"

/* The instance name of the storage driver configured under `database:`. */
#define JUTSU_STORAGE_INSTANCE "database"

/* One configured instance of a plugin. This is the jutsu_ctx handle that
 * plugins receive. */
struct jutsu_ctx {
    struct jutsu_app    *app;
    char                *name;       /* instance name                     */
    struct jutsu_module *module;     /* shared with other instances       */
    jutsu_cfg_node      *config;     /* its validated `config:` map       */
    jutsu_cfg_node      *yaml_config; /* the same from the file: `config`
                                         differs once overrides apply    */
    jutsu_cfg           *own_cfg;    /* the tree `config` lives in when it
                                        is not the app's (params.h)      */
    jutsu_cfg_node      *decl;       /* where it is declared (positions)  */
    int                  required;   /* 0: a failing init is not fatal    */
    void                *state;      /* the plugin's, from init           */
    int                  inited, started, failed;
    char                 error[512]; /* set_error text                    */
    /* subscriptions it holds, dropped by the host after stop() so that no
     * callback can reach a destroyed instance */
    pthread_mutex_t      sub_lock;
    jutsu_sub_id        *subs;
    size_t               nsubs, capsubs;
};

struct jutsu_app {
    char                 *config_path;
    jutsu_cfg            *cfg;        /* the loaded file; NULL before    */
    jutsu_cfg            *defaults;   /* the host schema's defaults, which
                                         settings point into until a file
                                         is loaded; freed with the app    */
    jutsu_cfg           **retired_cfg; /* trees a reload replaced (core/host/
                                         app_reload.h): nodes of them may still
                                         be in use; freed with the app     */
    size_t                nretired_cfg;
    struct jutsu_host     host;       /* the vtable handed to plugins    */
    jutsu_bus            *bus;
    struct jutsu_bus_opts bus_opts;
    int                   shutdown_timeout_ms;

    char                **plugin_dirs;
    size_t                nplugin_dirs;
    struct jutsu_module **modules;
    size_t                nmodules;
    struct jutsu_ctx    **inst;       /* in start order                   */
    size_t                ninst;

    /* the host's settings, filled from the validated config (defaults from
     * the host schema until a config is loaded). Read them through
     * jutsu_app_settings: a reload puts a new copy in place whole, so a
     * reader that holds one pointer sees one config, never a mix; the
     * copies it replaced are kept until the app goes. */
    struct jutsu_settings  *settings;
    struct jutsu_settings **retired_settings;
    size_t                  nretired_settings;

    jutsu_tz             *tz;         /* the exchange's time zone         */
    struct jutsu_calendar *cal;       /* its trading calendar             */
    /* sessions, tokens, lockout (core/auth), made with the app */
    struct jutsu_auth    *auth;
    /* the engine (core/engine: jutsu/engine.h), attached by what runs the
     * app as a service (serve, tests): host->engine() hands it out; NULL
     * until then. Its state is the engine's own. */
    const struct jutsu_engine       *engine;
    struct jutsu_engine_state       *engine_state;
    /* the scheduler `serve` runs, for the engine to show and pause;
     * NULL when none runs in this process */
    struct jutsu_sched              *sched;
    /* the data version's bumper (core/host/data_version.c) */
    jutsu_sub_id                     dv_subs[7];
    jutsu_dbs                       *dv_dbs;
    unsigned long long               dv_count;
    int                              dv_warned;
    /* the clock; tests and the harness inject their own */
    jutsu_time_t        (*clock)(void *arg);
    void                 *clock_arg;
};

int  jutsu_app_new(struct jutsu_app **out);
void jutsu_app_free(struct jutsu_app *app);   /* stops first if needed */

/* 0, JUTSU_EIO (unreadable file) or JUTSU_ECONFIG; details in diag. */
int  jutsu_app_load_config(struct jutsu_app *app, const char *path,
                           struct jutsu_diag *diag);
/* Same, from text (tests). */
int  jutsu_app_load_config_string(struct jutsu_app *app, const char *name,
                                  const char *text, struct jutsu_diag *diag);
/* 0, JUTSU_ECONFIG (unknown plugin, bad instance config, duplicate name)
 * or JUTSU_EABI/JUTSU_EIO (a plugin file refused); details in diag. */
int  jutsu_app_load_plugins(struct jutsu_app *app, struct jutsu_diag *diag);

/* 0 or the failing op's code; the log names the instance and reason. */
int  jutsu_app_start(struct jutsu_app *app);
/* Starts only the instances whose kind bit (1u << JUTSU_KIND_x) is set:
 * `jutsu db ...` needs the storage driver and nothing else. */
int  jutsu_app_start_kinds(struct jutsu_app *app, unsigned kinds);
void jutsu_app_stop(struct jutsu_app *app);

/* Adds an instance of an opened module (which the app then owns if it is
 * not in app->modules yet: see jutsu_app_adopt_module). `config` must be a
 * validated MAP node that outlives the app. For the harness and tests. */
int  jutsu_app_add_instance(struct jutsu_app *app, const char *name, struct jutsu_module *m,
                            jutsu_cfg_node *config, jutsu_cfg_node *decl, int required);
/* Hands an opened module to the app, which closes it in jutsu_app_free. */
int  jutsu_app_adopt_module(struct jutsu_app *app, struct jutsu_module *m);

struct jutsu_ctx *jutsu_app_find(struct jutsu_app *app, const char *name);
jutsu_time_t      jutsu_app_now(struct jutsu_app *app);

/* The host's settings as they are now (see struct jutsu_app.settings): take
 * the pointer once for the values that go together. */
static inline const struct jutsu_settings *jutsu_app_settings(const struct jutsu_app *app)
{
    return __atomic_load_n(&app->settings, __ATOMIC_ACQUIRE);
}

/* An instance's plugin descriptor. */
static inline const struct jutsu_plugin *jutsu_ctx_plugin(const struct jutsu_ctx *ctx)
{
    return ctx->module->desc;
}

/* An instance's ops table as its kind's struct, or NULL when ctx is NULL
 * or of another kind: the one place that reads a descriptor's ops. The
 * table may be shorter than this host's struct (a plugin built for an
 * older minor): ask JUTSU_OPS_HAS before calling an optional slot. */
const void *jutsu_ctx_ops(const struct jutsu_ctx *ctx, uint32_t kind);

struct jutsu_storage_ops;
struct jutsu_source_ops;
struct jutsu_strategy_ops;
struct jutsu_kpi_ops;
struct jutsu_broker_ops;
struct jutsu_auth_ops;
struct jutsu_frontend_ops;
static inline const struct jutsu_storage_ops *jutsu_ctx_storage(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_STORAGE); }
static inline const struct jutsu_source_ops *jutsu_ctx_source(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_SOURCE); }
static inline const struct jutsu_strategy_ops *jutsu_ctx_strategy(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_STRATEGY); }
static inline const struct jutsu_kpi_ops *jutsu_ctx_kpi(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_KPI); }
static inline const struct jutsu_broker_ops *jutsu_ctx_broker(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_BROKER); }
static inline const struct jutsu_auth_ops *jutsu_ctx_auth(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_AUTH); }
static inline const struct jutsu_frontend_ops *jutsu_ctx_frontend(const struct jutsu_ctx *c)
{ return jutsu_ctx_ops(c, JUTSU_KIND_FRONTEND); }

/* --- the app's storage (core/host/app_store.c) ---------------------------- */

struct jutsu_store;
/* What sessions are opened on: the started storage instance and the app's
 * clock. JUTSU_ENOENT when no database is configured, JUTSU_ESTATE when
 * its instance is not initialised. */
int  jutsu_app_store(struct jutsu_app *app, struct jutsu_store *out);
/* A session on the app's storage (store/store.h: jutsu_dbs_open). */
int  jutsu_app_dbs_open(struct jutsu_app *app, jutsu_dbs **out);
/* Brings the schema to head on start when database.auto_upgrade is true
 * (backing up first as configured); otherwise refuses a database that is
 * not at head, saying which command to run. Message in the session. */
int  jutsu_app_ensure_schema(struct jutsu_app *app, jutsu_dbs *s);
/* The data API as plugins see it (core/host/data_vtable.c). */
const struct jutsu_data *jutsu_data_vtable(void);


/* --- the data version (core/host/data_version.c) ------------------------- */

/* Subscribes the host to the events that follow committed data changes
 * and bumps system_state "data.version" after each, so that readers in
 * other processes notice them (frontend-http's cache). Started by
 * jutsu_app_start once the storage runs; stopped by jutsu_app_stop after
 * the bus is drained and before the storage goes. 0 or a bus error. */
int  jutsu_app_data_version_start(struct jutsu_app *app);
void jutsu_app_data_version_stop(struct jutsu_app *app);

/* --- sessions (core/host/app_auth.c) -------------------------------------- */

/* Makes app->auth, wired to this app's storage, clock, bus and auth
 * plugin instances. */
int  jutsu_app_auth_new(struct jutsu_app *app);
/* The table host->sessions() hands out (core/host/session_vtable.c). */
const struct jutsu_sessions *jutsu_sessions_vtable(void);

/* Fills app->host (core/host/host_vtable.c). */
void jutsu_host_init(struct jutsu_host *host);
/* Unsubscribes whatever the instance still holds (after its stop()). */
void jutsu_host_drop_subscriptions(struct jutsu_ctx *ctx);

#endif
