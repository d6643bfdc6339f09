/*
 * core/host/app.c — building, starting and stopping the host.
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/symbol.h"
#include "auth/auth.h"
#include "host/app.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/log.h"

#ifndef JUTSU_PLUGIN_RELDIR
#define JUTSU_PLUGIN_RELDIR "../lib/jutsu/plugins"
#endif
#ifndef JUTSU_PLUGIN_INSTALL_DIR
#define JUTSU_PLUGIN_INSTALL_DIR "/usr/lib/jutsu/plugins"
#endif

static jutsu_time_t realtime_now(void *arg)
{
    (void)arg;
    return jutsu_clock_wall();
}

/* A full queue drops events: say so, but not once per event (the first,
 * then at every power of two, so a flood costs a few lines). */
static void bus_dropped(const char *topic, uint64_t total, void *arg)
{
    if ((total & (total - 1)) == 0)
        jutsu_log("jutsu", JUTSU_LOG_WARN, "bus queue full: dropped an event of %s "
                  "(%llu dropped so far; see bus.queue_size and bus.full_policy)", topic,
                  (unsigned long long)total);
}

static jutsu_time_t bus_clock(void *arg)
{
    return jutsu_app_now(arg);
}

jutsu_time_t jutsu_app_now(struct jutsu_app *app)
{
    return app->clock(app->clock_arg);
}

static int default_settings(struct jutsu_app *app);

int jutsu_app_new(struct jutsu_app **out)
{
    struct jutsu_app *app = calloc(1, sizeof(*app));
    if (app == NULL)
        return JUTSU_ENOMEM;
    jutsu_host_init(&app->host);
    jutsu_bus_opts_default(&app->bus_opts);
    app->bus_opts.now = bus_clock;
    app->bus_opts.now_arg = app;
    app->bus_opts.on_drop = bus_dropped;
    app->clock = realtime_now;
    int rc = default_settings(app);
    if (rc == 0)
        rc = jutsu_app_auth_new(app);
    if (rc != 0) {
        jutsu_app_free(app);
        return rc;
    }
    *out = app;
    return 0;
}

static void free_instance(struct jutsu_ctx *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->sub_lock);
    jutsu_cfg_free(c->own_cfg);
    free(c->subs);
    free(c->name);
    free(c);
}

void jutsu_app_free(struct jutsu_app *app)
{
    if (app == NULL)
        return;
    jutsu_app_stop(app);
    jutsu_auth_free(app->auth);
    for (size_t i = 0; i < app->ninst; i++)
        free_instance(app->inst[i]);
    free(app->inst);
    for (size_t i = 0; i < app->nmodules; i++)
        jutsu_module_close(app->modules[i]);
    free(app->modules);
    for (size_t i = 0; i < app->nplugin_dirs; i++)
        free(app->plugin_dirs[i]);
    free(app->plugin_dirs);
    jutsu_calendar_free(app->cal);
    if (app->tz)
        jutsu_tz_free(app->tz);
    jutsu_cfg_free(app->cfg);
    for (size_t i = 0; i < app->nretired_cfg; i++)
        jutsu_cfg_free(app->retired_cfg[i]);
    free(app->retired_cfg);
    for (size_t i = 0; i < app->nretired_settings; i++)
        free(app->retired_settings[i]);
    free(app->retired_settings);
    free(app->settings);
    jutsu_cfg_free(app->defaults);
    free(app->config_path);
    free(app);
}

/* --- config ------------------------------------------------------------ */

static int add_dir(struct jutsu_app *app, const char *dir, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < app->nplugin_dirs; i++)
        if (strlen(app->plugin_dirs[i]) == len && strncmp(app->plugin_dirs[i], dir, len) == 0)
            return 0;   /* searched already */
    char **dirs = realloc(app->plugin_dirs, (app->nplugin_dirs + 1) * sizeof(*dirs));
    if (dirs == NULL)
        return JUTSU_ENOMEM;
    app->plugin_dirs = dirs;
    if ((dirs[app->nplugin_dirs] = strndup(dir, len)) == NULL)
        return JUTSU_ENOMEM;
    app->nplugin_dirs++;
    return 0;
}

/* Search order: $JUTSU_PLUGIN_PATH (a developer's override), the config's
 * plugin_path, "plugins" beside the executable (a build tree), the install
 * directory seen from the executable (an install under any prefix, moved
 * or not), then the install directory it was configured for. */
static int resolve_plugin_dirs(struct jutsu_app *app)
{
    int rc = 0;
    const char *env = getenv("JUTSU_PLUGIN_PATH");
    while (env && *env && rc == 0) {
        const char *colon = strchr(env, ':');
        size_t n = colon ? (size_t)(colon - env) : strlen(env);
        rc = add_dir(app, env, n);
        env = colon ? colon + 1 : NULL;
    }
    jutsu_cfg_node *list = jutsu_cfg_get(jutsu_cfg_root(app->cfg), "plugin_path");
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n && rc == 0; i++)
        if (list->items[i]->kind == JUTSU_CFG_NODE_SCALAR)
            rc = add_dir(app, list->items[i]->text, strlen(list->items[i]->text));

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (rc == 0 && n > 0) {
        exe[n] = '\0';
        char *dir = dirname(exe);
        char *p = NULL, *q = NULL;
        if (asprintf(&p, "%s/plugins", dir) < 0)
            return JUTSU_ENOMEM;
        /* only where it is a folder: an installed jutsu has no
         * /usr/bin/plugins, and `plugins list` and messages should not
         * name one */
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = add_dir(app, p, strlen(p));
        free(p);
        if (rc == 0 && asprintf(&q, "%s/%s", dir, JUTSU_PLUGIN_RELDIR) < 0)
            return JUTSU_ENOMEM;
        /* "/opt/j/lib/.../plugins" rather than "/opt/j/bin/../lib/...", in
         * `plugins list` and in messages; absent, it is searched as is */
        char *real = q ? realpath(q, NULL) : NULL;
        if (rc == 0)
            rc = add_dir(app, real ? real : q, strlen(real ? real : q));
        free(real);
        free(q);
    }
    if (rc == 0)
        rc = add_dir(app, JUTSU_PLUGIN_INSTALL_DIR, strlen(JUTSU_PLUGIN_INSTALL_DIR));
    return rc;
}

/* The exchange calendar: NYSE rules, the built-in closures unless turned
 * off, plus exchange.closures, minus exchange.reopen. */
static int load_calendar(struct jutsu_app *app, struct jutsu_diag *diag)
{
    jutsu_cfg_node *root = jutsu_cfg_root(app->cfg);
    int bad = 0;
    int rc = jutsu_calendar_new(app->tz, app->settings->exchange.builtin_closures, &app->cal);
    if (rc)
        return rc;
    jutsu_cfg_node *list = jutsu_cfg_get(root, "exchange.closures");
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++) {
        const char *date, *reason = "ad-hoc closure";
        jutsu_date_t d;
        char where[128];
        if (jutsu_cfg_str(list->items[i], "date", &date) != 0)
            continue;
        jutsu_cfg_str(list->items[i], "reason", &reason);
        jutsu_cfg_where(jutsu_cfg_map_get(list->items[i], "date"), where, sizeof(where));
        if (jutsu_date_parse(date, -1, &d) != 0) {
            jutsu_diag_add(diag, "%s: \"%s\" is not a date (YYYY-MM-DD)", where, date);
            bad++;
        } else if ((rc = jutsu_calendar_add_closure(app->cal, d, reason)) != 0 &&
                   rc != JUTSU_EEXIST) {
            jutsu_diag_add(diag, "%s: cannot close %s: %s", where, date, jutsu_strerror(rc));
            bad++;
        }
    }
    list = jutsu_cfg_get(root, "exchange.reopen");
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++) {
        jutsu_date_t d;
        char where[128];
        jutsu_cfg_where(list->items[i], where, sizeof(where));
        if (jutsu_date_parse(list->items[i]->text, -1, &d) != 0) {
            jutsu_diag_add(diag, "%s: \"%s\" is not a date (YYYY-MM-DD)", where,
                           list->items[i]->text);
            bad++;
        } else if (jutsu_calendar_remove_closure(app->cal, d) != 0) {
            jutsu_diag_add(diag, "%s: %s is not an ad-hoc closure that could be reopened", where,
                           list->items[i]->text);
            bad++;
        }
    }
    return bad ? JUTSU_ECONFIG : 0;
}

/* bus.full_policy's choices are listed in policy order (host_schema.c) */
_Static_assert(JUTSU_BUS_BLOCK == 0 && JUTSU_BUS_DROP_NEWEST == 1,
               "bus.full_policy's index is its enum jutsu_bus_policy");

/* The settings the app itself acts on: the bus's and the shutdown's. */
static void apply_bus_settings(struct jutsu_app *app)
{
    const struct jutsu_settings_bus *b = &app->settings->bus;
    app->bus_opts.capacity = (size_t)b->queue_size;
    app->bus_opts.policy = b->full_policy;
    app->bus_opts.block_timeout_ms = (int)b->block_timeout_ms;
    app->shutdown_timeout_ms = (int)b->shutdown_timeout_ms;
}

/* One configured symbol held to the rule (jutsu/symbol.h), said at its
 * file:line:col: the schema knows a string, not a symbol. */
static int check_symbol(jutsu_cfg_node *node, const char *key, int fold,
                        struct jutsu_diag *diag)
{
    char where[128], why[256];
    if (node == NULL || node->kind != JUTSU_CFG_NODE_SCALAR ||
        jutsu_symbol_check(node->text, fold, why, sizeof(why)))
        return 0;
    jutsu_cfg_where(node, where, sizeof(where));
    jutsu_diag_add(diag, "%s: %s: %s", where, key, why);
    return 1;
}

/* sync.symbols (upper-cased by the sync, so "qqq" passes) and each
 * eod.baselines symbol (its id when it has none), as entities.c reads
 * them, so that `config check` finds what a run would trip on. */
static int check_symbols(struct jutsu_app *app, struct jutsu_diag *diag)
{
    jutsu_cfg_node *root = jutsu_cfg_root(app->cfg);
    int bad = 0;
    jutsu_cfg_node *list = jutsu_cfg_get(root, "sync.symbols");
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++)
        bad += check_symbol(list->items[i], "sync.symbols", 1, diag);
    list = jutsu_cfg_get(root, "eod.baselines");
    for (size_t i = 0; list && list->kind == JUTSU_CFG_NODE_SEQ && i < list->n; i++) {
        jutsu_cfg_node *sym = jutsu_cfg_map_get(list->items[i], "symbol");
        bad += sym ? check_symbol(sym, "eod.baselines symbol", 0, diag)
                   : check_symbol(jutsu_cfg_map_get(list->items[i], "id"),
                                  "eod.baselines id (the symbol when none is given)", 0, diag);
    }
    return bad ? JUTSU_ECONFIG : 0;
}

/* The settings out of the validated tree, and what they set up: the log,
 * the bus, the exchange's time zone and calendar, the plugin path. */
static int apply_host_settings(struct jutsu_app *app, struct jutsu_diag *diag)
{
    jutsu_cfg_node *root = jutsu_cfg_root(app->cfg);
    struct jutsu_settings fresh;
    const struct jutsu_settings *st = app->settings;
    char err[256], where[128];
    /* filled aside and taken whole: a fill that fails half-way must not
     * leave settings pointing into a tree that may go */
    int rc = jutsu_settings_fill(root, &fresh, err, sizeof(err));
    if (rc != 0) {
        jutsu_diag_add(diag, "the host config: %s", err);
        return JUTSU_ECONFIG;
    }
    *app->settings = fresh;   /* before the threads: no reader yet */
    int format = st->log.format;
    if (format < 0)
        jutsu_log_format_parse("auto", &format);
    jutsu_log_configure(st->log.level, format);   /* pinned settings (command line) win */
    apply_bus_settings(app);

    jutsu_date_t start;
    if (jutsu_date_parse(st->sync.history_start, -1, &start) != 0) {
        jutsu_cfg_where(jutsu_cfg_get(root, "sync.history_start"), where, sizeof(where));
        jutsu_diag_add(diag, "%s: sync.history_start: \"%s\" is not a date (YYYY-MM-DD)", where,
                       st->sync.history_start);
        return JUTSU_ECONFIG;
    }
    if ((rc = jutsu_tz_load(st->exchange.timezone, &app->tz)) != 0) {
        jutsu_cfg_where(jutsu_cfg_get(root, "exchange.timezone"), where, sizeof(where));
        jutsu_diag_add(diag, "%s: time zone \"%s\" cannot be loaded (%s); "
                       "is the tzdata package installed?", where, st->exchange.timezone,
                       jutsu_strerror(rc));
        return JUTSU_ECONFIG;
    }
    int bad = check_symbols(app, diag);
    rc = load_calendar(app, diag);
    if (rc == 0)
        rc = bad;
    return rc ? rc : resolve_plugin_dirs(app);
}

/* Until a file is loaded, the app runs on the host schema's defaults: an
 * empty config validated against it (which fills them in), kept for the
 * app's life, as settings may point into it. A failure here is a bad host
 * schema: said in the log. */
static int default_settings(struct jutsu_app *app)
{
    struct jutsu_diag diag;
    char err[256] = "";
    jutsu_diag_init(&diag);
    int rc = (app->settings = calloc(1, sizeof(*app->settings))) ? 0 : JUTSU_ENOMEM;
    if (rc == 0)
        rc = jutsu_cfg_new(&app->defaults);
    if (rc == 0)
        rc = jutsu_cfg_validate(app->defaults, jutsu_cfg_root(app->defaults),
                                jutsu_host_schema, "the host schema's defaults", &diag);
    if (rc == 0)
        rc = jutsu_settings_fill(jutsu_cfg_root(app->defaults), app->settings, err,
                                 sizeof(err));
    if (rc != 0)
        jutsu_log("jutsu", JUTSU_LOG_ERROR, "the host schema's defaults: %s",
                  jutsu_diag_count(&diag) ? jutsu_diag_line(&diag, 0) : err);
    jutsu_diag_free(&diag);
    if (rc == 0)
        apply_bus_settings(app);
    return rc;
}

static int finish_config(struct jutsu_app *app, int rc, struct jutsu_diag *diag)
{
    if (rc != 0)
        return rc;
    if ((rc = jutsu_cfg_env_apply(app->cfg, diag)) != 0)
        return rc;
    if ((rc = jutsu_cfg_validate(app->cfg, jutsu_cfg_root(app->cfg), jutsu_host_schema,
                                 "the host config", diag)) != 0)
        return rc;
    static const char *const secret_keys[] = { "password", "secret", "token", "api_key",
                                               "client_secret", "app_secret", NULL };
    jutsu_cfg_mark_secret(jutsu_cfg_root(app->cfg), secret_keys);
    return apply_host_settings(app, diag);
}

/* One config per app: settings point into the tree loaded, so a second
 * load could leave them pointing into a freed one. */
static int loaded_once(struct jutsu_app *app, struct jutsu_diag *diag)
{
    if (app->cfg == NULL)
        return 0;
    jutsu_diag_add(diag, "%s: a config is already loaded into this app", app->config_path);
    return JUTSU_EINVAL;
}

int jutsu_app_load_config(struct jutsu_app *app, const char *path, struct jutsu_diag *diag)
{
    if (loaded_once(app, diag) != 0)
        return JUTSU_EINVAL;
    if ((app->config_path = strdup(path)) == NULL)
        return JUTSU_ENOMEM;
    return finish_config(app, jutsu_cfg_load_file(path, &app->cfg, diag), diag);
}

int jutsu_app_load_config_string(struct jutsu_app *app, const char *name, const char *text,
                                 struct jutsu_diag *diag)
{
    if (loaded_once(app, diag) != 0)
        return JUTSU_EINVAL;
    if ((app->config_path = strdup(name)) == NULL)
        return JUTSU_ENOMEM;
    return finish_config(app, jutsu_cfg_load_string(name, text, strlen(text), &app->cfg, diag),
                         diag);
}
