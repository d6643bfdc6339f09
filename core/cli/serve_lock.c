/*
 * core/cli/serve_lock.c — one `jutsu serve` per SQLite database.
 *
 * Two serves on one file would both run the scheduled jobs (the advisory
 * lock that elects a runner on PostgreSQL is always granted on SQLite)
 * and both answer for the same data. A POSIX record lock on DBPATH.lock
 * keeps the second out: the kernel holds it for the process and drops
 * it when the process ends however it ends, so a lock file left behind
 * is harmless and nobody has to delete it. The holder's pid also goes
 * into the file, for a person and for a holder in another pid namespace
 * (where the kernel reports pid 0).
 *
 * The lock is taken before any instance starts, so a second serve says
 * who holds the database rather than failing later on a port in use.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/storage.h"
#include "base/log.h"
#include "cli/serve.h"

/* The database file's path with the directory's symbolic links resolved,
 * so that two configs naming one file differently lock one lock file.
 * NULL when the directory does not exist yet (no database there to
 * share) or on allocation failure (*oom set). */
static char *canonical_path(const char *path, int *oom)
{
    char *whole = realpath(path, NULL);
    if (whole != NULL)
        return whole;
    char *d = strdup(path), *b = strdup(path), *out = NULL;
    char *dir = d ? realpath(dirname(d), NULL) : NULL;
    if (d == NULL || b == NULL)
        *oom = 1;
    else if (dir && asprintf(&out, "%s/%s", dir, basename(b)) < 0) {
        out = NULL;
        *oom = 1;
    }
    free(dir);
    free(d);
    free(b);
    return out;
}

/* Makes every missing directory of `dir` (like mkdir -p), mode 0750, as
 * storage-sqlite would with create_dir: true. */
static int make_dirs(char *dir)
{
    for (char *p = dir + 1; ; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        struct stat st;
        if (mkdir(dir, 0750) != 0 &&
            (errno != EEXIST || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
            return -1;
        *p = c;
        if (c == '\0')
            return 0;
    }
}

/* The SQLite file serve is about to use, or NULL when the database is
 * not SQLite (or there is none). Its directory is made when the storage
 * would make it (create_dir): the lock file goes there, before the
 * storage starts, so that the first start on an empty directory is
 * guarded too. */
static const char *sqlite_path(struct jutsu_app *app)
{
    struct jutsu_ctx *c = jutsu_app_find(app, JUTSU_STORAGE_INSTANCE);
    const struct jutsu_storage_ops *ops = jutsu_ctx_storage(c);
    if (ops == NULL || ops->dialect == NULL || strcmp(ops->dialect, "sqlite") != 0)
        return NULL;
    jutsu_cfg_node *p = jutsu_cfg_map_get(c->config, "path");
    jutsu_cfg_node *create = jutsu_cfg_map_get(c->config, "create_dir");
    if (p == NULL || p->kind != JUTSU_CFG_NODE_SCALAR || p->text == NULL)
        return NULL;
    char *dir = strdup(p->text);
    if (dir && create && create->i && strrchr(dir, '/') && strrchr(dir, '/') != dir) {
        *strrchr(dir, '/') = '\0';
        if (make_dirs(dir) != 0)   /* the storage says why when it starts */
            jutsu_log("jutsu", JUTSU_LOG_DEBUG, "cannot make %s: %s", dir, strerror(errno));
    }
    free(dir);
    return p->text;
}

/* When process `pid` started, from /proc (its start in clock ticks after
 * boot, plus the boot time); "" when it cannot be read. */
static void start_time_of(long pid, char *out, size_t size)
{
    char path[64], buf[1024];
    unsigned long long ticks = 0, btime = 0;
    out[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    (void)fclose(f);   /* read-only: nothing to lose */
    buf[n] = '\0';
    /* the command name may hold spaces and ')': fields follow the last ')' */
    char *p = strrchr(buf, ')');
    /* starttime is field 22; after ')' come field 3 onwards */
    for (int field = 3; p && field <= 22; field++)
        p = strchr(p + 1, ' ');
    char *end;
    if (p == NULL)
        return;
    errno = 0;
    ticks = strtoull(p + 1, &end, 10);
    if (end == p + 1 || errno != 0)
        return;
    if ((f = fopen("/proc/stat", "re")) == NULL)
        return;
    while (fgets(buf, sizeof(buf), f))
        if (strncmp(buf, "btime ", 6) == 0) {
            errno = 0;
            btime = strtoull(buf + 6, &end, 10);
            if (end == buf + 6 || errno != 0)
                btime = 0;
            break;
        }
    (void)fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    if (btime == 0 || hz <= 0)
        return;
    time_t t = (time_t)(btime + ticks / (unsigned long long)hz);
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
        out[0] = '\0';
}

/* Process `pid`'s command line, its arguments joined by spaces; "" when
 * it cannot be read (gone, or another user's under hidepid). */
static void cmdline_of(long pid, char *out, size_t size)
{
    char path[64];
    out[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    size_t n = fread(out, 1, size - 1, f);
    (void)fclose(f);   /* read-only: nothing to lose */
    while (n > 0 && out[n - 1] == '\0')
        n--;
    for (size_t i = 0; i < n; i++)
        if (out[i] == '\0')
            out[i] = ' ';
    out[n] = '\0';
}

/* Who holds the lock: the kernel's answer, else the pid the holder wrote. */
static long holder_of(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char buf[32];
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0)
        return (long)fl.l_pid;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

static void refuse(int fd, const char *db, const char *lockpath)
{
    long pid = holder_of(fd);
    char who[160] = "another process", started[64], cmd[512];
    if (pid > 0) {
        start_time_of(pid, started, sizeof(started));
        cmdline_of(pid, cmd, sizeof(cmd));
        snprintf(who, sizeof(who), "process %ld%s%s", pid, *started ? ", started " : "",
                 started);
    } else {
        cmd[0] = '\0';
    }
    jutsu_log("jutsu", JUTSU_LOG_ERROR, "the SQLite database %s is in use by another `jutsu "
              "serve`: %s%s%s%s holds %s", db, who, *cmd ? " (" : "", cmd, *cmd ? ")" : "",
              lockpath);
    jutsu_log("jutsu", JUTSU_LOG_ERROR, "one serve per SQLite file: stop that one first "
              "(systemctl stop jutsu, or kill %ld), or give this one another database file; "
              "commands such as `jutsu sync` or `jutsu data status` may run beside it, and "
              "several serves may share a PostgreSQL database", pid > 0 ? pid : 0L);
}

/* Records our pid in the lock file for people and other pid namespaces;
 * the lock does not depend on it. */
static void write_pid(int fd, const char *lockpath)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
        jutsu_log("jutsu", JUTSU_LOG_DEBUG, "could not write our pid into %s: %s", lockpath,
                  strerror(errno));
}

int jutsu_serve_lock(struct jutsu_app *app, int *fd)
{
    *fd = -1;
    const char *given = sqlite_path(app);
    int oom = 0, rc = 0;
    if (given == NULL)
        return 0;
    char *db = canonical_path(given, &oom), *lockpath = NULL;
    if (db == NULL) {
        /* no directory yet: the storage makes it, and no other serve can
         * be running on a file there */
        return oom ? JUTSU_ENOMEM : 0;
    }
    if (asprintf(&lockpath, "%s.lock", db) < 0) {
        free(db);
        return JUTSU_ENOMEM;
    }
    int lfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (lfd < 0) {
        jutsu_log("jutsu", JUTSU_LOG_WARN, "cannot open %s (%s): nothing keeps a second "
                  "`jutsu serve` off %s; make its directory writable by this user",
                  lockpath, strerror(errno), db);
        goto out;
    }
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(lfd, F_SETLK, &fl) != 0) {
        if (errno == EACCES || errno == EAGAIN) {
            refuse(lfd, db, lockpath);
            rc = JUTSU_EEXIST;
        } else {
            jutsu_log("jutsu", JUTSU_LOG_WARN, "cannot lock %s (%s): nothing keeps a second "
                      "`jutsu serve` off %s", lockpath, strerror(errno), db);
        }
        close(lfd);
        goto out;
    }
    write_pid(lfd, lockpath);
    jutsu_log("jutsu", JUTSU_LOG_DEBUG, "holding %s: no other serve runs on %s", lockpath, db);
    *fd = lfd;
out:
    free(lockpath);
    free(db);
    return rc;
}

void jutsu_serve_unlock(int fd)
{
    /* the pid is left in the file: the lock, not the text, says who runs */
    if (fd >= 0 && close(fd) != 0)
        jutsu_log("jutsu", JUTSU_LOG_DEBUG, "closing the serve lock: %s", strerror(errno));
}
