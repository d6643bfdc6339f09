/*
 * plugins/storage-sqlite/sqlite_conn.c — opening and closing connections.
 *
 * Every thread that touches storage opens its own connection to the same
 * file (SQLITE_OPEN_NOMUTEX: SQLite's own per-connection mutex would only
 * cost time, since a connection never crosses threads while in use). Each
 * connection gets the same settings:
 *
 *   journal_mode = WAL   readers never block the writer nor it them; the
 *                        mode is stored in the file, so it is set once
 *   busy_timeout         a second writer waits this long, then the op
 *                        fails with JUTSU_ETRANSIENT (retry the transaction)
 *   foreign_keys = ON    off by default in SQLite; the schema relies on
 *                        ON DELETE CASCADE / SET NULL
 *   synchronous          NORMAL by default: under WAL a power cut may lose
 *                        the last commits but never corrupts the file
 *
 * A file this user may not write is opened read-only instead (see
 * open_readonly), so that reading commands work on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "sqlite_int.h"

/* wal_autocheckpoint: the default (1000 pages, ~4 MB) makes every commit
 * past it copy the WAL back and fsync; jobs that commit a batch at a time
 * (sync, import) paid that on nearly every batch. 10000 pages (~40 MB)
 * checkpoints ten times less often, for a bounded WAL. */
#define SQ_CONN_SQL "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 10000; "
static const char *const sync_sql[] = {
    [SQ_SYNC_OFF]    = SQ_CONN_SQL "PRAGMA synchronous = OFF",
    [SQ_SYNC_NORMAL] = SQ_CONN_SQL "PRAGMA synchronous = NORMAL",
    [SQ_SYNC_FULL]   = SQ_CONN_SQL "PRAGMA synchronous = FULL",
};

/* Reads (and, unless it already is, sets) the journal mode. */
static int ensure_wal(sqlite3 *h, char *mode, size_t size)
{
    static const char *const steps[] = { "PRAGMA journal_mode", "PRAGMA journal_mode = WAL" };
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(h, steps[i], -1, &s, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            const unsigned char *m = sqlite3_column_text(s, 0);
            snprintf(mode, size, "%s", m ? (const char *)m : "");
            rc = SQLITE_OK;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_OK)
            return rc;
        if (strcmp(mode, "wal") == 0)
            return SQLITE_OK;
    }
    return SQLITE_OK;   /* mode tells what we got instead */
}

/* Nonzero if SQLite failed for want of writing the file or its directory
 * (the -wal or -shm file cannot be created). */
static int is_readonly_failure(int rc)
{
    return (rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN ||
           (rc & 0xff) == SQLITE_PERM;
}

/* Reads the schema: a read-only open succeeds without touching the file,
 * and fails only here when the WAL index cannot be had. */
static int probe_read(sqlite3 *h)
{
    return sqlite3_exec(h, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, NULL);
}

/* "file:PATH?immutable=1", with the bytes a URI gives a meaning escaped. */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *u = malloc(3 * n + 32), *q = u;
    if (u == NULL)
        return NULL;
    q += sprintf(q, "%s", path[0] == '/' ? "file://" : "file:");
    for (const char *p = path; *p; p++)
        q += strchr("%?#", *p) ? sprintf(q, "%%%02X", (unsigned char)*p) : sprintf(q, "%c", *p);
    strcpy(q, "?immutable=1");
    return u;
}

/* Nonzero if PATH-wal holds commits that the file itself does not have yet
 * (a writer is running, or one died). */
static int wal_pending(const char *path)
{
    char wal[4096];
    struct stat st;
    if (snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
        return 1;           /* cannot tell: be safe */
    return stat(wal, &st) == 0 && st.st_size > 0;
}

/* The file is read-only for this user (a copy to look at, another user's
 * database): open it so that the commands that only read still work; a
 * write then fails with SQLITE_READONLY, whose hint says why (sq_hint).
 * A WAL database is read through its -shm index, which SQLite creates when
 * it is missing; in a read-only directory it cannot, and the file is then
 * opened immutable=1 (no locks, no WAL): right only when the WAL holds
 * nothing, which wal_pending checks first. */
static int open_readonly(const struct sq_driver *drv, sqlite3 **out, char *why, size_t whysz)
{
    sqlite3 *h = NULL;
    char *uri = NULL;
    const char *doing = "cannot open read-only";
    int rc = sqlite3_open_v2(drv->path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(h, 1);
        rc = probe_read(h);
    }
    if (rc != SQLITE_OK && is_readonly_failure(rc)) {
        sqlite3_close(h);
        h = NULL;
        if (wal_pending(drv->path)) {
            snprintf(why, whysz, "SQLite database %s is read-only for this user, and its "
                     "write-ahead log %s-wal holds changes that cannot be read without "
                     "creating %s-shm in a directory this user may not write: open it once "
                     "as a user who can write it", drv->path, drv->path, drv->path);
            return JUTSU_EIO;
        }
        if ((uri = immutable_uri(drv->path)) == NULL)
            return JUTSU_ENOMEM;
        rc = sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX |
                             SQLITE_OPEN_URI, NULL);
        free(uri);
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(h, 1);
            rc = probe_read(h);
        }
    }
    if (rc == SQLITE_OK) {
        doing = "cannot configure";
        if ((rc = sqlite3_busy_timeout(h, drv->busy_timeout_ms)) == SQLITE_OK)
            rc = sqlite3_exec(h, sync_sql[drv->synchronous], NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        const char *state;
        int code = sq_map_code(rc, &state);
        snprintf(why, whysz, "SQLite database %s is read-only for this user, and %s: %s [%s]",
                 drv->path, doing, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc), state);
        sqlite3_close(h);
        return code;
    }
    *out = h;
    return 0;
}

/* A database in memory, this connection's alone: no file, no WAL (its
 * journal stays in memory), nothing synced. */
static int open_memory(sqlite3 **out, char *why, size_t whysz)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(":memory:", &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(h, 1);
        rc = sqlite3_exec(h, "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF", NULL, NULL,
                          NULL);
    }
    if (rc != SQLITE_OK) {
        const char *state;
        int code = sq_map_code(rc, &state);
        snprintf(why, whysz, "SQLite database in memory: cannot open: %s [%s]",
                 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc), state);
        sqlite3_close(h);
        return code;
    }
    *out = h;
    return 0;
}

int sq_open(const struct sq_driver *drv, sqlite3 **out, char *why, size_t whysz)
{
    sqlite3 *h = NULL;
    char mode[32] = "";
    const char *doing = "cannot open";
    int rc;

    *out = NULL;
    if (drv->memory)
        return open_memory(out, why, whysz);
    rc = sqlite3_open_v2(drv->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_extended_result_codes(h, 1);
    if (sqlite3_db_readonly(h, "main") == 1) {
        sqlite3_close(h);
        return open_readonly(drv, out, why, whysz);
    }
    doing = "cannot configure";
    if ((rc = sqlite3_busy_timeout(h, drv->busy_timeout_ms)) != SQLITE_OK ||
        (rc = sqlite3_exec(h, sync_sql[drv->synchronous], NULL, NULL, NULL)) != SQLITE_OK)
        goto fail;
    doing = "cannot switch to WAL mode";
    if ((rc = ensure_wal(h, mode, sizeof(mode))) != SQLITE_OK) {
        /* a writable file in a read-only directory: no -wal/-shm can be made */
        if (is_readonly_failure(rc)) {
            sqlite3_close(h);
            return open_readonly(drv, out, why, whysz);
        }
        goto fail;
    }
    if (strcmp(mode, "wal") != 0) {
        snprintf(why, whysz, "SQLite database %s: cannot switch to WAL mode (journal_mode is "
                 "\"%s\"); is it on a network file system?", drv->path, mode);
        sqlite3_close(h);
        return JUTSU_EDB;
    }
    *out = h;
    return 0;
fail:
    {
        const char *state;
        int code = sq_map_code(rc, &state);
        const char *hint = sq_hint(state);
        snprintf(why, whysz, "SQLite database %s: %s: %s [%s]%s%s", drv->path, doing,
                 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc), state, *hint ? "; " : "", hint);
        sqlite3_close(h);
        return code;
    }
}

int sq_connect(void *state, jutsu_db **out)
{
    struct sq_driver *drv = state;
    char why[512];
    if (drv == NULL || out == NULL)
        return JUTSU_EINVAL;
    *out = NULL;
    jutsu_db *db = calloc(1, sizeof(*db));
    if (db == NULL)
        return JUTSU_ENOMEM;
    db->drv = drv;
    int rc = sq_open(drv, &db->h, why, sizeof(why));
    if (rc != 0) {
        /* there is no connection to ask last_error of: log it */
        drv->host->log(drv->ctx, JUTSU_LOG_WARN, "connect: %s", why);
        free(db);
        return rc;
    }
    *out = db;
    return 0;
}

void sq_disconnect(jutsu_db *db)
{
    if (db == NULL)
        return;
    db->bulk.active = 0;
    db->bulk.st = NULL;          /* dropped with the other statements */
    free(db->bulk.g);            /* a load left unfinished; its statement */
    db->bulk.g = NULL;           /* is dropped with the others too        */
    sq_stmt_drop_all(db);
    /* an open transaction is rolled back by the close */
    int rc = sqlite3_close(db->h);
    if (rc != SQLITE_OK) {
        db->drv->host->log(db->drv->ctx, JUTSU_LOG_WARN, "disconnect: %s",
                           sqlite3_errmsg(db->h));
        sqlite3_close_v2(db->h);   /* closes once whatever holds it is gone */
    }
    free(db);
}

const struct jutsu_db_error *sq_last_error(jutsu_db *db)
{
    static const struct jutsu_db_error none = { .message = "no connection" };
    return db ? &db->err : &none;
}
