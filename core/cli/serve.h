/*
 * core/cli/serve.h — what `jutsu serve` (cmd_serve.c) needs beside its
 * loop: the one-serve-per-SQLite-file lock (serve_lock.c) and the reload
 * on SIGHUP (serve_reload.c). Main thread only.
 */
#ifndef JUTSU_CORE_CLI_SERVE_H
#define JUTSU_CORE_CLI_SERVE_H

#include "host/app.h"
#include "sched/scheduler.h"

/*
 * The lock that keeps a second `serve` off an SQLite database: a POSIX
 * write lock (fcntl F_SETLK) on DBPATH.lock, held until
 * jutsu_serve_unlock. The kernel drops it when the holder dies, so a lock
 * file left behind never blocks. SQLite's own locks are not it: other
 * commands (sync, eod run, data status) share the file with a running
 * serve through those, and are not stopped by this one.
 *
 * *fd is the lock's descriptor, or -1 when none is needed (no database,
 * or one that is not SQLite: PostgreSQL processes share a database, the
 * scheduler elects who runs each job) or none could be made (the
 * directory is read-only: said as a warning). Returns 0, or
 * JUTSU_EEXIST when another process holds it: the error, naming that
 * process (pid, start time, command line) and what to do, is logged.
 */
int  jutsu_serve_lock(struct jutsu_app *app, int *fd);
void jutsu_serve_unlock(int fd);

/*
 * Re-reads the config file after SIGHUP and applies what can change while
 * serve runs (serve_reload.c and docs/service.md list the keys), logging
 * what changed and what needs a restart; on any problem in the file
 * nothing changes and the problems are logged. *sched is the running
 * scheduler (NULL when none runs): it is replaced by one over the new
 * times when they changed; the one it replaces is stopped (a running job
 * finishes first) and kept in *retired (freed by the caller at shutdown,
 * as the engine may still be reading it). Returns 0 when the new config
 * runs, or the reason it was refused.
 */
struct jutsu_serve_retired {
    jutsu_sched **v;
    size_t        n;
};
int  jutsu_serve_reload(struct jutsu_app *app, jutsu_sched **sched,
                        struct jutsu_serve_retired *retired);
void jutsu_serve_retired_free(struct jutsu_serve_retired *r);

#endif
