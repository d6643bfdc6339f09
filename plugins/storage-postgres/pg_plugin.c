/*
 * plugins/storage-postgres/pg_plugin.c — the storage-postgres plugin: its
 * descriptor, config schema, lifecycle and connection pool.
 *
 * init() reads the config and connects to nothing, so that start-up never
 * hangs on a server that is down; the first connect() opens the first
 * connection. The pool holds at most pool_size connections: connect()
 * takes an idle one, or opens a new one while fewer than pool_size exist,
 * or waits up to connect_timeout_s for one to come back. disconnect()
 * makes a connection clean (rolls back, releases advisory locks) before
 * the next borrower gets it, and closes one that is broken.
 *
 * Thread-safety: connect/disconnect from any thread; every other op on a
 * connection from the one thread that borrowed it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/plugin.h"
#include "pg_int.h"

/* made by jutsu_embed_migrations from migrations/ *.sql */
#include "migrations.h"   /* generated: jutsu_driver_migrations */

/* The settings, as host->cfg_fill writes them from the schema below;
 * strings are the host's, valid until destroy. */
struct pg_conf {
    const char *host, *user, *password, *database, *application_name, *pg_dump, *pg_restore;
    int64_t     port, pool_size, connect_timeout_s;
    int64_t     reconnect_timeout_s, reconnect_attempts, reconnect_backoff_ms;
    int         sslmode, gssencmode;  /* indexes into sslmodes, gssencmodes */
};

/* libpq takes these as the words themselves: the index finds the word. */
static const char *const sslmodes[] = {
    "disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL
};

static const char *const gssencmodes[] = { "disable", "prefer", "require", NULL };

static const struct jutsu_cfg_key pg_schema[] = {
    JUTSU_CFG_KEY_AT("host", JUTSU_CFG_STR, "localhost",
                     "Server host name, IP address, or Unix-socket directory (env POSTGRES_HOST)",
                     struct pg_conf, host),
    JUTSU_CFG_INT_RANGE_AT("port", "5432", 1, 65535, "Server TCP port (env POSTGRES_PORT)",
                           struct pg_conf, port),
    JUTSU_CFG_KEY_AT("user", JUTSU_CFG_STR, "jutsu", "Role to connect as (env POSTGRES_USER)",
                     struct pg_conf, user),
    { .name = "password", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_SECRET | JUTSU_CFG_FIELD,
      .offset = JUTSU_CFG_OFFSET(struct pg_conf, password, JUTSU_CFG_STR), .def = "",
      .help = "Password (env POSTGRES_PASSWORD); empty: none, or ~/.pgpass" },
    JUTSU_CFG_KEY_AT("database", JUTSU_CFG_STR, "jutsu", "Database name (env POSTGRES_DATABASE)",
                     struct pg_conf, database),
    JUTSU_CFG_ENUM_AT("sslmode", sslmodes, NULL, "prefer", "TLS use, as libpq's sslmode",
                      struct pg_conf, sslmode),
    /* libpq's own default, prefer, probes Kerberos on every connect: slow
     * where there is no Kerberos, and its libraries keep global state */
    JUTSU_CFG_ENUM_AT("gssencmode", gssencmodes, NULL, "disable",
                      "GSSAPI (Kerberos) encryption, as libpq's gssencmode",
                      struct pg_conf, gssencmode),
    /* frontend-http keeps one session per worker thread (4 by default),
     * the scheduler's jobs and API runs want theirs beside them */
    JUTSU_CFG_INT_RANGE_AT("pool_size", "16", 1, 64,
                           "Connections kept at most; a thread beyond that waits for one "
                           "(at least the HTTP threads + 4)",
                           struct pg_conf, pool_size),
    JUTSU_CFG_INT_RANGE_AT("connect_timeout_s", "10", 1, 3600,
                           "Seconds to wait for the server, and for a free pooled connection",
                           struct pg_conf, connect_timeout_s),
    /* a server restart or fail-over takes seconds to tens of seconds: a
     * job's next file should wait it out rather than fail */
    JUTSU_CFG_INT_RANGE_AT("reconnect_timeout_s", "30", 0, 3600,
                           "Seconds to keep retrying a lost connection (refused, server "
                           "starting or shutting down) before the command fails; 0: never "
                           "reconnect",
                           struct pg_conf, reconnect_timeout_s),
    /* no default: unset means the time budget alone governs */
    JUTSU_CFG_INT_RANGE_AT("reconnect_attempts", NULL, 0, 100,
                           "Deprecated (use reconnect_timeout_s): if set, also caps the "
                           "reconnect tries; 0: never reconnect",
                           struct pg_conf, reconnect_attempts),
    JUTSU_CFG_INT_RANGE_AT("reconnect_backoff_ms", "200", 1, 60000,
                           "Pause before the second reconnect try, doubling after each up to "
                           "2000 (or this value, if larger)",
                           struct pg_conf, reconnect_backoff_ms),
    JUTSU_CFG_KEY_AT("application_name", JUTSU_CFG_STR, "jutsu",
                     "Shown in pg_stat_activity and the server log",
                     struct pg_conf, application_name),
    JUTSU_CFG_KEY_AT("pg_dump", JUTSU_CFG_STR, "pg_dump",
                     "pg_dump program for backups (a path, or a name on PATH)",
                     struct pg_conf, pg_dump),
    JUTSU_CFG_KEY_AT("pg_restore", JUTSU_CFG_STR, "pg_restore",
                     "pg_restore program for restores (a path, or a name on PATH)",
                     struct pg_conf, pg_restore),
    JUTSU_CFG_END
};

/* ---- lifecycle ------------------------------------------------------------- */

static int read_config(struct pg_state *st)
{
    struct pg_conf c = { .reconnect_attempts = -1 };     /* -1: not set */
    if (st->host->cfg_fill(st->ctx, &c) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    st->host_name = c.host;
    st->user = c.user;
    st->password = c.password;
    st->dbname = c.database;
    st->sslmode = sslmodes[c.sslmode];
    st->gssencmode = gssencmodes[c.gssencmode];
    st->appname = c.application_name;
    st->pg_dump = c.pg_dump;
    st->pg_restore = c.pg_restore;
    snprintf(st->port, sizeof(st->port), "%d", (int)c.port);
    st->pool_size = (int)c.pool_size;
    st->connect_timeout_s = (int)c.connect_timeout_s;
    snprintf(st->connect_timeout, sizeof(st->connect_timeout), "%d", st->connect_timeout_s);
    st->reconnect_timeout_s = (int)c.reconnect_timeout_s;
    st->reconnect_attempts = (int)c.reconnect_attempts;
    st->reconnect_backoff_ms = (int)c.reconnect_backoff_ms;
    /* A count of tries is the wrong measure of an outage (5 was 3 s);
     * old configs keep working, but are told so. */
    if (st->reconnect_attempts >= 0)
        st->host->log(st->ctx, JUTSU_LOG_WARN, "reconnect_attempts is deprecated: "
                      "reconnect_timeout_s (%d s) bounds reconnecting, and reconnect_attempts: "
                      "%d still caps the tries (0: none); remove it to let the time budget govern",
                      st->reconnect_timeout_s, st->reconnect_attempts);
    snprintf(st->where, sizeof(st->where), "%s@%s:%s/%s", st->user, st->host_name, st->port,
             st->dbname);
    snprintf(st->describe, sizeof(st->describe), "postgresql %s", st->where);
    return 0;
}

/* The pool's lock and condition; waits are measured on the monotonic
 * clock, so that a wall-clock step neither shortens nor stretches them. */
static int pool_sync_init(struct pg_state *st)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return -1;
    int bad = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
              pthread_cond_init(&st->returned, &ca) != 0;
    pthread_condattr_destroy(&ca);
    if (bad)
        return -1;
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        pthread_cond_destroy(&st->returned);
        return -1;
    }
    return 0;
}

static int pg_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct pg_state *st = calloc(1, sizeof(*st));
    int rc;

    if (st == NULL) {
        host->set_error(ctx, "out of memory");
        return JUTSU_ENOMEM;
    }
    st->host = host;
    st->ctx = ctx;
    if ((rc = read_config(st)) != 0)
        goto fail;
    if (!PQisthreadsafe()) {
        host->set_error(ctx, "this libpq is built without thread safety; the pool needs it");
        rc = JUTSU_ENOTSUP;
        goto fail;
    }
    if (st->pool_size < 1 || (st->idle = calloc((size_t)st->pool_size,
                                                sizeof(*st->idle))) == NULL) {
        host->set_error(ctx, "out of memory for a pool of %d", st->pool_size);
        rc = JUTSU_ENOMEM;
        goto fail;
    }
    if (pool_sync_init(st) != 0) {
        host->set_error(ctx, "cannot make the pool's lock");
        rc = JUTSU_ENOMEM;
        goto fail;
    }
    host->log(ctx, JUTSU_LOG_DEBUG, "%s, pool of %d, connecting on first use", st->describe,
              st->pool_size);
    *state = st;
    return 0;
fail:
    free(st->idle);
    free(st);
    return rc;
}

static void pg_destroy(void *state)
{
    struct pg_state *st = state;
    if (st == NULL)
        return;
    pthread_mutex_lock(&st->lock);
    for (int i = 0; i < st->nidle; i++)
        pg_conn_free(st->idle[i]);
    if (st->nopen > st->nidle)
        st->host->log(st->ctx, JUTSU_LOG_WARN, "%d connection(s) to %s were never given back "
                      "(disconnect); they stay open until the process exits",
                      st->nopen - st->nidle, st->where);
    st->nidle = st->nopen = 0;
    pthread_mutex_unlock(&st->lock);
    pthread_cond_destroy(&st->returned);
    pthread_mutex_destroy(&st->lock);
    free(st->idle);
    free(st);
}

static const char *pg_describe(void *state)
{
    return ((struct pg_state *)state)->describe;
}

/* ---- the pool ------------------------------------------------------------- */

static int pool_timeout(struct pg_state *st)
{
    st->host->set_error(st->ctx, "no free connection to %s: all %d pooled connection(s) are in "
                        "use and none was given back within %d s; raise "
                        "database.postgresql.pool_size or hold connections for less time",
                        st->where, st->pool_size, st->connect_timeout_s);
    st->host->log(st->ctx, JUTSU_LOG_WARN, "no free connection to %s within %d s (pool_size %d)",
                  st->where, st->connect_timeout_s, st->pool_size);
    return JUTSU_ETIMEDOUT;
}

static int pg_connect(void *state, jutsu_db **out)
{
    struct pg_state *st = state;
    struct timespec deadline;
    int rc;

    *out = NULL;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += st->connect_timeout_s;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        if (st->nidle > 0) {
            *out = st->idle[--st->nidle];
            pthread_mutex_unlock(&st->lock);
            return 0;
        }
        if (st->nopen < st->pool_size) {
            st->nopen++;        /* reserve the slot; connect outside the lock */
            pthread_mutex_unlock(&st->lock);
            if ((rc = pg_conn_open_retry(st, out)) != 0) {
                pthread_mutex_lock(&st->lock);
                st->nopen--;
                pthread_cond_signal(&st->returned);
                pthread_mutex_unlock(&st->lock);
            }
            return rc;
        }
        rc = pthread_cond_timedwait(&st->returned, &st->lock, &deadline);
        if (rc == ETIMEDOUT && st->nidle == 0 && st->nopen >= st->pool_size) {
            pthread_mutex_unlock(&st->lock);
            return pool_timeout(st);
        }
    }
}

static void pg_disconnect(jutsu_db *db)
{
    if (db == NULL)
        return;
    struct pg_state *st = db->st;
    pg_stmts_release(db);
    int broken = pg_tx_clean(db) != 0;
    memset(&db->err, 0, sizeof(db->err));
    pthread_mutex_lock(&st->lock);
    if (broken)
        st->nopen--;
    else
        st->idle[st->nidle++] = db;
    pthread_cond_signal(&st->returned);
    pthread_mutex_unlock(&st->lock);
    if (broken) {
        st->host->log(st->ctx, JUTSU_LOG_DEBUG, "closing a broken connection to %s", st->where);
        pg_conn_free(db);
    }
}

static const struct jutsu_db_error *pg_last_error(jutsu_db *db)
{
    return &db->err;
}

/* ---- the descriptor ----------------------------------------------------------- */

static const struct jutsu_storage_ops pg_ops = {
    .size        = sizeof(struct jutsu_storage_ops),
    .dialect     = "postgresql",
    .describe    = pg_describe,
    .connect     = pg_connect,
    .disconnect  = pg_disconnect,
    .last_error  = pg_last_error,
    .exec        = pg_exec,
    .prepare     = pg_prepare,
    .bind        = pg_bind,
    .step        = pg_step,
    .column      = pg_column,
    .changes     = pg_changes,
    .reset       = pg_reset,
    .finalize    = pg_finalize,
    .begin       = pg_begin,
    .commit      = pg_commit,
    .rollback    = pg_rollback,
    .savepoint   = pg_savepoint,
    .release     = pg_release,
    .rollback_to = pg_rollback_to,
    .bulk_begin  = pg_bulk_begin,
    .bulk_row    = pg_bulk_row,
    .bulk_end    = pg_bulk_end,
    .migrations  = jutsu_driver_migrations,
    .n_migrations = JUTSU_DRIVER_N_MIGRATIONS,
    .backup      = pg_backup,
    .restore     = pg_restore,
    .try_lock    = pg_try_lock,
    .unlock      = pg_unlock,
};

static const struct jutsu_plugin pg_desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_STORAGE,
    .name        = "storage-postgres",
    .version     = "1.0.0",
    .description = "PostgreSQL storage driver (libpq): pooled connections, COPY bulk loads, "
                   "pg_dump backups",
    .schema      = pg_schema,
    .init        = pg_init,
    .destroy     = pg_destroy,
    .ops         = &pg_ops,
};

JUTSU_PLUGIN_DECLARE(pg_desc)
