/*
 * plugins/storage-sqlite/sqlite_plugin.c — storage-sqlite: the descriptor,
 * its config schema, init/destroy and the ops table.
 *
 * The embedded default store: one file, WAL mode, one connection per
 * thread (see sqlite_conn.c). init() checks everything a person can get
 * wrong before the service starts: the path (not ":memory:", whose
 * connections would each see a different empty database), the directory
 * (created 0750 when create_dir is true), and that the file opens for
 * writing and switches to WAL; the probe connection is closed again.
 *
 * Concurrency: connect() may be called from any thread at any time; every
 * other op belongs to the thread that holds the connection.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "sqlite_int.h"

/* generated from migrations/ by jutsu_embed_migrations */
#include "migrations.h"   /* generated: jutsu_driver_migrations */

/* The settings, as host->cfg_fill writes them from the schema below. */
struct sq_conf {
    const char *path;              /* the host's, valid until destroy */
    int64_t     busy_timeout_ms;
    int         synchronous;       /* SQ_SYNC_*                       */
    int64_t     statement_cache;
    int         create_dir;
    int         memory;
};

static const char *const sync_choices[] = { "off", "normal", "full", NULL };
static const int sync_values[] = { SQ_SYNC_OFF, SQ_SYNC_NORMAL, SQ_SYNC_FULL };

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_PATH_AT("path", 0, "var/jutsu.db",
                      "Database file, relative to the config file's directory; not :memory: "
                      "(every thread opens its own connection to the file)",
                      struct sq_conf, path),
    JUTSU_CFG_INT_RANGE_AT("busy_timeout_ms", "5000", 0, 600000,
                           "How long a writer waits for another's lock before the operation "
                           "fails as temporary (JUTSU_ETRANSIENT)",
                           struct sq_conf, busy_timeout_ms),
    JUTSU_CFG_ENUM_AT("synchronous", sync_choices, sync_values, "normal",
                      "off, normal (WAL: a power cut may lose the last commits, never the "
                      "file) or full (every commit synced)", struct sq_conf, synchronous),
    JUTSU_CFG_INT_RANGE_AT("statement_cache", "64", 0, 4096,
                           "Prepared statements kept per connection for reuse (0: none)",
                           struct sq_conf, statement_cache),
    JUTSU_CFG_KEY_AT("create_dir", JUTSU_CFG_BOOL, "true",
                     "Create the file's directory (mode 0750) if it is missing",
                     struct sq_conf, create_dir),
    JUTSU_CFG_KEY_AT("memory", JUTSU_CFG_BOOL, "false",
                     "For the host's scratch stores (a backtest's): each connection gets a "
                     "database of its own in memory, gone when it closes; path is ignored",
                     struct sq_conf, memory),
    JUTSU_CFG_END
};

/* Makes every missing directory of `dir` (like mkdir -p), mode 0750. */
static int make_dirs(char *dir, char *why, size_t whysz, const char *dbpath)
{
    for (char *p = dir + 1; ; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        int err = 0;
        if (mkdir(dir, 0750) != 0) {
            struct stat st;
            err = errno;
            if (err == EEXIST)
                err = stat(dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
        }
        if (err != 0) {
            snprintf(why, whysz, "cannot create directory %s for the SQLite database %s: %s",
                     dir, dbpath, strerror(err));
            return JUTSU_EIO;
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

static int check_dir(const char *path, int create, char *why, size_t whysz)
{
    char *dir = strdup(path);
    struct stat st;
    int rc = 0;
    if (dir == NULL)
        return JUTSU_ENOMEM;
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)       /* the working directory, or / */
        goto done;
    *slash = '\0';
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(why, whysz, "%s, the directory of the SQLite database %s, is not a "
                     "directory", dir, path);
            rc = JUTSU_EIO;
        }
    } else if ((errno != ENOENT && errno != ENOTDIR) || !create) {
        snprintf(why, whysz, "directory %s of the SQLite database %s: %s%s", dir, path,
                 strerror(errno), errno == ENOENT ? " (create it, or set create_dir: true)" : "");
        rc = JUTSU_EIO;
    } else {
        rc = make_dirs(dir, why, whysz, path);
    }
done:
    free(dir);
    return rc;
}

static int read_config(const struct jutsu_host *host, jutsu_ctx *ctx, struct sq_driver *drv,
                       int *create)
{
    struct sq_conf conf = { 0 };
    if (host->cfg_fill(ctx, &conf) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    const char *path = conf.memory ? ":memory:" : conf.path;
    drv->memory = conf.memory;
    /* with memory, a database per connection is what the host asked for */
    if (!drv->memory && (*path == '\0' || strcmp(path, ":memory:") == 0))
        return host->cfg_error(ctx, "path", "path \"%s\" is not allowed: every thread opens its "
                               "own connection, and each would see its own empty temporary "
                               "database; give a file such as var/jutsu.db", path);
    drv->busy_timeout_ms = (int)conf.busy_timeout_ms;
    drv->cache_size = (int)conf.statement_cache;
    drv->synchronous = conf.synchronous;
    *create = conf.create_dir;
    drv->path = strdup(path);
    if (drv->path == NULL || asprintf(&drv->describe, "sqlite %s", path) < 0) {
        drv->describe = NULL;
        return JUTSU_ENOMEM;
    }
    return 0;
}

static void sq_destroy(void *state)
{
    struct sq_driver *drv = state;
    if (drv == NULL)
        return;
    free(drv->path);
    free(drv->describe);
    free(drv);
}

/* SQLite's memory statistics cost a global mutex on every allocation it
 * makes (4% of a backtest), and nothing here reads them. They can only be
 * turned off before SQLite initialises, once per process; this plugin is
 * the process's only SQLite user. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = SQLITE_OK;

static void global_setup(void)
{
    /* SQLITE_MISUSE: already initialised (by another copy of this file),
     * with the statistics on; harmless, only slower */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    global_rc = sqlite3_initialize();
}

static int sq_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct sq_driver *drv;
    char why[768];
    sqlite3 *probe = NULL;
    int create = 1, rc;

    if (pthread_once(&global_once, global_setup) != 0) {
        host->set_error(ctx, "SQLite cannot initialise: pthread_once failed");
        return JUTSU_EDB;
    }
    if (global_rc != SQLITE_OK) {
        host->set_error(ctx, "SQLite cannot initialise: %s", sqlite3_errstr(global_rc));
        return JUTSU_EDB;
    }
    if ((drv = calloc(1, sizeof(*drv))) == NULL)
        return JUTSU_ENOMEM;
    drv->host = host;
    drv->ctx = ctx;
    if ((rc = read_config(host, ctx, drv, &create)) != 0)
        goto fail;
    if ((rc = drv->memory ? 0 : check_dir(drv->path, create, why, sizeof(why))) != 0 ||
        (rc = sq_open(drv, &probe, why, sizeof(why))) != 0) {
        if (rc != JUTSU_ENOMEM)
            host->set_error(ctx, "%s", why);
        goto fail;
    }
    if (sqlite3_db_readonly(probe, "main") == 1)
        host->log(ctx, JUTSU_LOG_WARN, "%s is read-only for this user: opened for reading "
                  "only, commands that write will fail", drv->path);
    sqlite3_close(probe);
    /* a backtest's store in memory is no news to the person running it */
    host->log(ctx, drv->memory ? JUTSU_LOG_DEBUG : JUTSU_LOG_INFO, "using %s (SQLite %s, WAL, "
              "synchronous=%s, busy timeout %d ms, statement cache %d)", drv->path,
              sqlite3_libversion(),
              sync_choices[drv->synchronous], drv->busy_timeout_ms, drv->cache_size);
    *state = drv;
    return 0;
fail:
    sq_destroy(drv);
    return rc;
}

static const char *sq_describe(void *state)
{
    const struct sq_driver *drv = state;
    return drv && drv->describe ? drv->describe : "sqlite";
}

static const struct jutsu_storage_ops ops = {
    .size        = sizeof(struct jutsu_storage_ops),
    .dialect     = "sqlite",
    .describe    = sq_describe,
    .connect     = sq_connect,
    .disconnect  = sq_disconnect,
    .last_error  = sq_last_error,
    .exec        = sq_exec,
    .prepare     = sq_prepare,
    .bind        = sq_bind,
    .step        = sq_step,
    .column      = sq_column,
    .changes     = sq_changes,
    .reset       = sq_reset,
    .finalize    = sq_finalize,
    .begin       = sq_begin,
    .commit      = sq_commit,
    .rollback    = sq_rollback,
    .savepoint   = sq_savepoint,
    .release     = sq_release,
    .rollback_to = sq_rollback_to,
    .bulk_begin  = sq_bulk_begin,
    .bulk_row    = sq_bulk_row,
    .bulk_end    = sq_bulk_end,
    .migrations  = jutsu_driver_migrations,
    .n_migrations = JUTSU_DRIVER_N_MIGRATIONS,
    .backup      = sq_backup,
    .restore     = sq_restore,
    .try_lock    = sq_try_lock,
    .unlock      = sq_unlock,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_STORAGE,
    .name        = "storage-sqlite",
    .version     = "1.0.0",
    .description = "SQLite storage driver: one file, WAL mode, a connection per thread",
    .schema      = schema,
    .init        = sq_init,
    .destroy     = sq_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
