/*
 * plugins/storage-postgres/pg_backup.c — whole-database backup and restore
 * with pg_dump and pg_restore.
 *
 * The custom format keeps NUMERIC exact and restores in one transaction.
 * The tools run as children through posix_spawnp with an explicit
 * environment: the connection parameters go in PG* variables, the
 * password only in the child's PGPASSWORD, never on a command line where
 * `ps` would show it. The database name goes as a quoted conninfo so that
 * a name with '=' in it cannot turn into connection options. A failing
 * tool's stderr becomes last_error.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pg_int.h"

extern char **environ;

struct tool_run {
    char err[2048];      /* the start of the tool's stderr */
    int  status;         /* waitpid status                 */
};

/* The variables we set; any inherited value of them is dropped. */
static const char *const pg_vars[] = {
    "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGAPPNAME",
    "PGCONNECT_TIMEOUT", "PGGSSENCMODE", "PGDATABASE", NULL
};

static int is_pg_var(const char *entry)
{
    for (int i = 0; pg_vars[i]; i++) {
        size_t n = strlen(pg_vars[i]);
        if (strncmp(entry, pg_vars[i], n) == 0 && entry[n] == '=')
            return 1;
    }
    return 0;
}

static void free_env(char **env)
{
    for (char **e = env; e && *e; e++)
        free(*e);
    free(env);
}

static char **child_env(const struct pg_state *st)
{
    size_t n = 0, k = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 9, sizeof(*env));
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!is_pg_var(environ[i]) && (env[k++] = strdup(environ[i])) == NULL)
            goto fail;
    /* in pg_vars order; PGDATABASE stays unset (--dbname says it) */
    const char *vals[] = { st->host_name, st->port, st->user, st->password, st->sslmode,
                           st->appname, st->connect_timeout, st->gssencmode };
    for (int i = 0; i < 8; i++) {
        if (vals[i] == NULL || *vals[i] == '\0')
            continue;
        if (asprintf(&env[k++], "%s=%s", pg_vars[i], vals[i]) < 0) {
            env[--k] = NULL;
            goto fail;
        }
    }
    return env;
fail:
    free_env(env);
    return NULL;
}

/* "--dbname=dbname='na\'me'" */
static char *dbname_arg(const char *name)
{
    char *s = malloc(strlen(name) * 2 + 20), *p = s;
    if (s == NULL)
        return NULL;
    p += sprintf(p, "--dbname=dbname='");
    for (; *name; name++) {
        if (*name == '\'' || *name == '\\')
            *p++ = '\\';
        *p++ = *name;
    }
    strcpy(p, "'");
    return s;
}

static void read_stderr(int fd, struct tool_run *run)
{
    size_t len = 0;
    char sink[512];
    for (;;) {
        char *dst = len + 1 < sizeof(run->err) ? run->err + len : sink;
        size_t room = len + 1 < sizeof(run->err) ? sizeof(run->err) - 1 - len : sizeof(sink);
        ssize_t got = read(fd, dst, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (dst != sink)
            len += (size_t)got;
    }
    run->err[len] = '\0';
}

/* Runs the tool to completion; 0 or the errno of a failed spawn. */
static int spawn_tool(const struct pg_state *st, char *const argv[], struct tool_run *run)
{
    posix_spawn_file_actions_t fa;
    int fds[2], rc;
    pid_t pid;
    char **env = child_env(st);

    memset(run, 0, sizeof(*run));
    if (env == NULL)
        return ENOMEM;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        rc = errno;
        free_env(env);
        return rc;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free_env(env);
    close(fds[1]);
    if (rc == 0) {
        read_stderr(fds[0], run);
        while (waitpid(pid, &run->status, 0) < 0 && errno == EINTR)
            ;
        /* where posix_spawn is a fork and exec (valgrind, other libcs) an
         * exec failure shows as a silent exit 127, as in a shell */
        if (WIFEXITED(run->status) && WEXITSTATUS(run->status) == 127 && run->err[0] == '\0')
            rc = ENOENT;
    }
    close(fds[0]);
    return rc;
}

/* Reports a tool that could not run or failed; returns the code. */
static int tool_failed(struct jutsu_db *db, const char *tool, const char *doing, int spawn_rc,
                       const struct tool_run *run)
{
    const struct pg_state *st = db->st;
    if (spawn_rc == ENOENT) {
        pg_err_set(db, JUTSU_ENOENT, "58P01", "%s: program \"%s\" not found", doing, tool);
        pg_err_hint(db, "install the PostgreSQL client tools (apt install postgresql-client, "
                    "dnf install postgresql) or set database.postgresql.%s",
                    tool == st->pg_dump ? "pg_dump" : "pg_restore");
        return JUTSU_ENOENT;
    }
    if (spawn_rc != 0)
        return pg_err_set(db, JUTSU_EIO, "58000", "%s: cannot run \"%s\": %s", doing, tool,
                          strerror(spawn_rc));
    char first[200];
    size_t n = strcspn(run->err, "\n");
    snprintf(first, sizeof(first), "%.*s", (int)n, run->err);
    int code = WIFEXITED(run->status) ? WEXITSTATUS(run->status) : 128 + WTERMSIG(run->status);
    pg_err_set(db, JUTSU_EIO, "58000", "%s: %s failed (exit %d): %s", doing, tool, code,
               first[0] ? first : "(no message)");
    snprintf(db->err.detail, sizeof(db->err.detail), "%s", run->err[n] ? run->err + n + 1 : "");
    pg_scrub(st, db->err.detail, sizeof(db->err.detail));
    if (strstr(run->err, "version mismatch"))
        pg_err_hint(db, "use a %s at least as new as the server (set database.postgresql.%s)",
                    tool, tool == st->pg_dump ? "pg_dump" : "pg_restore");
    else if (strstr(run->err, "password") || strstr(run->err, "pg_hba"))
        pg_err_hint(db, "check database.postgresql.user and password, and pg_hba.conf");
    else
        pg_err_hint(db, "the message above is %s's own", tool);
    return JUTSU_EIO;
}

static int ok_exit(const struct tool_run *run)
{
    return WIFEXITED(run->status) && WEXITSTATUS(run->status) == 0;
}

int pg_backup(jutsu_db *db, const char *path)
{
    const struct pg_state *st = db->st;
    char *tmp = NULL, *file = NULL, *dbarg = NULL, doing[1024];
    struct tool_run run;
    int rc;

    if (path == NULL || *path == '\0')
        return pg_err_set(db, JUTSU_EINVAL, "", "backup: no file name");
    snprintf(doing, sizeof(doing), "backup of %s to %s", st->where, path);
    if (asprintf(&tmp, "%s.tmp", path) < 0)
        tmp = NULL;
    if (tmp && asprintf(&file, "--file=%s", tmp) < 0)
        file = NULL;
    dbarg = dbname_arg(st->dbname);
    if (tmp == NULL || file == NULL || dbarg == NULL) {
        rc = pg_err_set(db, JUTSU_ENOMEM, "", "out of memory");
        goto out;
    }
    char *const argv[] = { (char *)st->pg_dump, "--format=custom", "--no-owner",
                           "--no-password", file, dbarg, NULL };
    int spawn_rc = spawn_tool(st, argv, &run);
    if (spawn_rc != 0 || !ok_exit(&run)) {
        unlink(tmp);
        rc = tool_failed(db, st->pg_dump, doing, spawn_rc, &run);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = pg_err_set(db, JUTSU_EIO, "58030", "%s: cannot rename %s: %s", doing, tmp,
                        strerror(errno));
        unlink(tmp);
        goto out;
    }
    st->host->log(st->ctx, JUTSU_LOG_INFO, "backed up %s to %s", st->where, path);
    rc = 0;
out:
    free(tmp);
    free(file);
    free(dbarg);
    return rc;
}

int pg_restore(jutsu_db *db, const char *path)
{
    const struct pg_state *st = db->st;
    char *dbarg = NULL, doing[1024];
    struct tool_run run;
    int rc;

    if (path == NULL || *path == '\0')
        return pg_err_set(db, JUTSU_EINVAL, "", "restore: no file name");
    snprintf(doing, sizeof(doing), "restore of %s from %s", st->where, path);
    /* our own open transaction could hold locks pg_restore waits for */
    if (db->in_tx || db->copying)
        return pg_err_set(db, JUTSU_ESTATE, "25001", "%s: the connection is inside a "
                          "transaction; commit or roll back first", doing);
    if (access(path, R_OK) != 0)
        return pg_err_set(db, JUTSU_ENOENT, "58P01", "%s: %s", doing, strerror(errno));
    if ((dbarg = dbname_arg(st->dbname)) == NULL)
        return pg_err_set(db, JUTSU_ENOMEM, "", "out of memory");
    char *const argv[] = { (char *)st->pg_restore, "--clean", "--if-exists", "--no-owner",
                           "--single-transaction", "--no-password", dbarg, (char *)path, NULL };
    int spawn_rc = spawn_tool(st, argv, &run);
    if (spawn_rc != 0 || !ok_exit(&run)) {
        rc = tool_failed(db, st->pg_restore, doing, spawn_rc, &run);
    } else {
        st->host->log(st->ctx, JUTSU_LOG_INFO, "restored %s from %s", st->where, path);
        rc = 0;
    }
    free(dbarg);
    return rc;
}
