/*
 * core/jobs/bt_store.c — a backtest's scratch store in memory (see
 * bt_store.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jobs/bt_store.h"
#include "store/store.h"

#define SQLITE_PLUGIN "storage-sqlite"

struct jutsu_bt_store {
    struct jutsu_module *own;      /* opened for this store, or NULL: the app's */
    jutsu_cfg           *cfg;      /* the instance's config: memory: true      */
    struct jutsu_ctx     ctx;
    char                 name[16];  /* the context's, in log lines        */
    int                  lock_made;
    struct jutsu_store   store;
    jutsu_dbs           *s;
};

static int fail(char *err, size_t errsz, int rc, const char *fmt, ...) JUTSU_PRINTF(4, 5);
static int fail(char *err, size_t errsz, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return rc;
}

/* The first line of a diag list, or what to say without one. */
static const char *first_line(const struct jutsu_diag *d, const char *none)
{
    const char *l = jutsu_diag_line(d, 0);
    return l ? l : none;
}

static jutsu_time_t store_now(void *arg)
{
    return jutsu_app_now(arg);
}

/* The app's storage-sqlite module, or one opened for this store: modules
 * change only when the app loads or reloads, never during a job. */
static int find_module(struct jutsu_app *app, struct jutsu_bt_store *m,
                       const struct jutsu_module **mod, char *err, size_t errsz)
{
    for (size_t i = 0; i < app->nmodules; i++)
        if (strcmp(app->modules[i]->desc->name, SQLITE_PLUGIN) == 0) {
            *mod = app->modules[i];
            return 0;
        }
    char *path = NULL;
    struct jutsu_diag diag;
    int rc = jutsu_module_find(app->plugin_dirs, app->nplugin_dirs, SQLITE_PLUGIN, &path);
    if (rc != 0)
        return fail(err, errsz, rc, "the backtest runs on %s in memory, and no %s.so is in "
                    "the plugin path: install the package's plugins", SQLITE_PLUGIN,
                    SQLITE_PLUGIN);
    jutsu_diag_init(&diag);
    rc = jutsu_module_open(path, &m->own, &diag);
    if (rc != 0)
        fail(err, errsz, rc, "%s", first_line(&diag, jutsu_strerror(rc)));
    else if (m->own->desc->kind != JUTSU_KIND_STORAGE || m->own->desc->ops == NULL)
        rc = fail(err, errsz, JUTSU_EABI, "%s is not a storage plugin", path);
    jutsu_diag_free(&diag);
    free(path);
    *mod = m->own;
    return rc;
}

/* The plugin's instance in its memory mode, under a context of our own. */
static int make_instance(struct jutsu_app *app, struct jutsu_bt_store *m,
                         const struct jutsu_module *mod, char *err, size_t errsz)
{
    struct jutsu_diag diag;
    const struct jutsu_plugin *d = mod->desc;
    int rc = jutsu_cfg_new(&m->cfg);
    if (rc != 0)
        return fail(err, errsz, rc, "out of memory");
    jutsu_cfg_node *root = jutsu_cfg_root(m->cfg);
    if ((rc = jutsu_cfg_set(m->cfg, root, "memory", "true", "backtest")) != 0)
        return fail(err, errsz, rc, "out of memory");
    jutsu_diag_init(&diag);
    rc = jutsu_cfg_validate(m->cfg, root, d->schema, "the backtest's store", &diag);
    if (rc != 0)      /* a plugin without the memory key: older than this host */
        fail(err, errsz, rc, "%s: %s", mod->path, first_line(&diag, "refused its config"));
    jutsu_diag_free(&diag);
    if (rc != 0)
        return rc;
    if (pthread_mutex_init(&m->ctx.sub_lock, NULL) != 0)
        return fail(err, errsz, JUTSU_ENOMEM, "out of memory");
    m->lock_made = 1;
    m->ctx.app = app;
    snprintf(m->name, sizeof(m->name), "backtest-store");
    m->ctx.name = m->name;
    m->ctx.module = (struct jutsu_module *)mod;
    m->ctx.config = m->ctx.yaml_config = m->ctx.decl = root;
    m->ctx.required = 1;
    if ((rc = d->init(&app->host, &m->ctx, &m->ctx.state)) != 0)
        return fail(err, errsz, rc, "%s in memory: %s", SQLITE_PLUGIN,
                    m->ctx.error[0] ? m->ctx.error : jutsu_strerror(rc));
    m->ctx.inited = 1;
    m->store = (struct jutsu_store){ .ops = d->ops, .state = m->ctx.state, .now = store_now,
                                     .now_arg = app };
    return 0;
}

/* Secondary indexes that serve the service's other readers (the REST
 * routes, reports, retention) and none of a backtest's statements: each
 * backtest query and insert is served by a unique key (at worst reading
 * the run's two entities' rows of a range, in a store that holds nothing
 * else) or by the index kept beside it, so here they are only work, one
 * B-tree insert per row written (a fifth of a backtest's SQLite time). */
static const char scratch_drops[] =
    /* uix_daily_perf (trading_date first) serves a chain's one look back
     * and the two range reads of the answer, over two entities' rows */
    "DROP INDEX IF EXISTS idx_daily_perf_date;"
    "DROP INDEX IF EXISTS idx_daily_perf_entity;"
    "DROP INDEX IF EXISTS idx_daily_perf_mode_entity;"
    "DROP INDEX IF EXISTS idx_perf_snapshot_mode_ts;"    /* uix_perf_snapshot_mode_strategy_ts */
    "DROP INDEX IF EXISTS idx_perf_snapshots_strategy;"
    "DROP INDEX IF EXISTS idx_live_trades_mode_ts;"      /* idx_live_trades_strategy */
    "DROP INDEX IF EXISTS idx_live_trades_symbol_mode;";

/* Every revision's `up`, in one transaction: the database is new, so the
 * migration bookkeeping (and its log lines) would only cost time. */
static int make_schema(jutsu_dbs *s, char *err, size_t errsz)
{
    int rc = jutsu_dbs_begin(s);
    for (size_t i = 0; rc == 0 && i < s->ops->n_migrations; i++)
        if ((rc = s->ops->exec(s->db, s->ops->migrations[i].up)) != 0)
            jutsu_dbs_fail_driver(s, rc, s->ops->migrations[i].rev);
    if (rc == 0 && (rc = s->ops->exec(s->db, scratch_drops)) != 0)
        jutsu_dbs_fail_driver(s, rc, "dropping the scratch store's secondary indexes");
    if (rc == 0)
        rc = jutsu_dbs_commit(s);
    if (rc != 0) {
        fail(err, errsz, rc, "the backtest's store: %s", jutsu_dbs_error_line(s));
        jutsu_dbs_rollback(s);
    }
    return rc;
}

int jutsu_bt_store_open(struct jutsu_app *app, struct jutsu_bt_store **out, jutsu_dbs **s,
                        char *err, size_t errsz)
{
    const struct jutsu_module *mod = NULL;
    struct jutsu_bt_store *m = calloc(1, sizeof(*m));
    *out = NULL;
    *s = NULL;
    if (m == NULL)
        return fail(err, errsz, JUTSU_ENOMEM, "out of memory");
    int rc = find_module(app, m, &mod, err, errsz);
    if (rc == 0 && (rc = make_instance(app, m, mod, err, errsz)) == 0) {
        if ((rc = jutsu_dbs_open(&m->store, &m->s)) != 0)
            fail(err, errsz, rc, "%s in memory: cannot connect: %s", SQLITE_PLUGIN,
                 jutsu_strerror(rc));
        else
            rc = make_schema(m->s, err, errsz);
    }
    if (rc != 0) {
        jutsu_bt_store_close(m);
        return rc;
    }
    *out = m;
    *s = m->s;
    return 0;
}

void jutsu_bt_store_close(struct jutsu_bt_store *m)
{
    if (m == NULL)
        return;
    jutsu_dbs_close(m->s);
    if (m->ctx.inited)
        jutsu_ctx_plugin(&m->ctx)->destroy(m->ctx.state);
    if (m->lock_made)
        pthread_mutex_destroy(&m->ctx.sub_lock);
    jutsu_cfg_free(m->cfg);
    jutsu_module_close(m->own);
    free(m);
}
