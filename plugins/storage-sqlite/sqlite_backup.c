/*
 * plugins/storage-sqlite/sqlite_backup.c — whole-database backup and
 * restore with SQLite's online backup API.
 *
 * The backup API copies pages under a read lock, so the service keeps
 * running while it works and the copy is a consistent snapshot (copying
 * the file with cp could catch a half-applied WAL). A backup is written to
 * PATH.tmp, switched to rollback-journal mode so that it is one
 * self-contained file, synced, and only then renamed to PATH: a crash never
 * leaves a truncated file under the name a person would restore from.
 * Restore copies the file's pages over this connection's database; the
 * destination keeps its WAL mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "sqlite_int.h"

/* Records a failure reported by a connection other than db's own. */
static int fail_other(jutsu_db *db, sqlite3 *other, int rc, const char *what, const char *path)
{
    const char *state;
    int code = sq_map_code(rc, &state);
    const char *why = other ? sqlite3_errmsg(other) : sqlite3_errstr(rc);
    code = sq_fail_msg(db, code, state, "%s %s: %s", what, path, why);
    snprintf(db->err.detail, sizeof(db->err.detail), "SQLite result code %d (%s)", rc,
             sqlite3_errstr(rc));
    return code;
}

/* Copies every page; waits (up to busy_timeout) while another connection
 * holds a lock the copy needs. Returns SQLITE_OK or the failing code. */
static int copy_pages(sqlite3 *dst, sqlite3 *src, int busy_timeout_ms)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    int rc, waited = 0;
    if (b == NULL)
        return sqlite3_extended_errcode(dst);
    for (;;) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= busy_timeout_ms)
            break;
        sqlite3_sleep(10);
        waited += 10;
    }
    int fin = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE)
        return fin;
    return rc;
}

static void sync_dir_of(const char *path)
{
    char *dir = strdup(path);
    if (dir == NULL)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = slash == NULL ? "." : slash == dir ? "/" : (*slash = '\0', dir);
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);   /* best effort: the data itself is already synced */
        close(fd);
    }
    free(dir);
}

int sq_backup(jutsu_db *db, const char *path)
{
    sqlite3 *dst = NULL;
    char *tmp = NULL;
    int rc, code = 0;

    if (db == NULL)
        return JUTSU_EINVAL;
    if (path == NULL || *path == '\0')
        return sq_fail_msg(db, JUTSU_EINVAL, "22023", "backup: no file name");
    if (asprintf(&tmp, "%s.tmp", path) < 0)
        return sq_fail_msg(db, JUTSU_ENOMEM, "53200", "out of memory");
    if (unlink(tmp) != 0 && errno != ENOENT) {
        code = sq_fail_msg(db, JUTSU_EIO, "58030", "backup: cannot remove the stale %s: %s",
                           tmp, strerror(errno));
        goto fail;
    }
    rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        code = fail_other(db, dst, rc, "backup: cannot create", tmp);
        goto fail;
    }
    sqlite3_extended_result_codes(dst, 1);
    if ((rc = copy_pages(dst, db->h, db->drv->busy_timeout_ms)) != SQLITE_OK) {
        code = fail_other(db, dst, rc, "backup: copying into", tmp);
        goto fail;
    }
    /* the pages say WAL, like the source; one file is easier to keep */
    if ((rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL)) != SQLITE_OK) {
        code = fail_other(db, dst, rc, "backup: finishing", tmp);
        goto fail;
    }
    if ((rc = sqlite3_close(dst)) != SQLITE_OK) {
        code = fail_other(db, dst, rc, "backup: closing", tmp);
        goto fail;
    }
    dst = NULL;
    if (rename(tmp, path) != 0) {
        code = sq_fail_msg(db, JUTSU_EIO, "58030", "backup: cannot rename %s to %s: %s", tmp,
                           path, strerror(errno));
        goto fail;
    }
    sync_dir_of(path);
    free(tmp);
    return 0;
fail:
    sqlite3_close(dst);
    if (tmp)
        unlink(tmp);
    free(tmp);
    return code;
}

int sq_restore(jutsu_db *db, const char *path)
{
    sqlite3 *src = NULL;
    int rc, code = 0;

    if (db == NULL)
        return JUTSU_EINVAL;
    if (path == NULL || *path == '\0')
        return sq_fail_msg(db, JUTSU_EINVAL, "22023", "restore: no file name");
    if (!sqlite3_get_autocommit(db->h) || db->bulk.active)
        return sq_fail_msg(db, JUTSU_ESTATE, "25001", "restore: finish the transaction or bulk "
                           "load on this connection first");
    if (access(path, R_OK) != 0)
        return sq_fail_msg(db, errno == ENOENT ? JUTSU_ENOENT : JUTSU_EIO, "58030",
                           "restore: cannot read %s: %s", path, strerror(errno));
    rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        code = fail_other(db, src, rc, "restore: cannot open", path);
        goto done;
    }
    if ((rc = copy_pages(db->h, src, db->drv->busy_timeout_ms)) != SQLITE_OK)
        code = fail_other(db, db->h, rc, "restore: copying from", path);
done:
    sqlite3_close(src);
    return code;
}
