/*
 * bench/benchlib.h — what the C benchmarks share: stopwatches (wall and
 * CPU), medians, scratch databases opened through the host, and dying
 * cleanly (a failed benchmark removes its scratch databases and files).
 *
 * A benchmark names itself once (bench_init) for its messages; PostgreSQL
 * runs on the cluster named by JUTSU_TEST_PG_HOST/PORT/USER
 * (scripts/pg-test-cluster.sh).
 */
#ifndef JUTSU_BENCHLIB_H
#define JUTSU_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>

#include "host/app.h"
#include "store/store.h"

/* Names the benchmark for its messages, and points JUTSU_PLUGIN_PATH at
 * the build tree's plugins/ (beside the program's bench/) unless it is set. */
void bench_init(const char *name);

/* The build tree this program is in (the parent of its bench/). */
const char *bench_build_dir(void);
/* $JUTSU_SOURCE_DIR, else "." (bench/run.sh runs from the source root). */
const char *bench_source_dir(void);

/* The options of a benchmark that takes --backend, --reps N (reps_def,
 * 1..reps_max) and --json; dies with a usage line on anything else. Pins
 * the log at error so that the apps it opens stay quiet. */
void bench_parse(int argc, char **argv, int reps_def, int reps_max, unsigned *backends,
                 int *reps, int *json);

/* Prints "NAME: message", removes the scratch databases and directory,
 * exits 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

int64_t bench_mono_ns(void);
int64_t bench_cpu_ns(void);   /* this process's CPU time */

/* A stopwatch that adds up wall and CPU time over several laps. */
struct bench_watch {
    int64_t wall, cpu, w0, c0;
};
void   bench_lap_start(struct bench_watch *w);
void   bench_lap_stop(struct bench_watch *w);
double bench_wall_s(const struct bench_watch *w);
double bench_cpu_s(const struct bench_watch *w);

/* The median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);

/* A temp directory for the run's files, removed at exit or death. */
const char *bench_workdir(void);

/* One database through the host: an app (its config from YAML, which is
 * freed) started in full, and a session. */
struct bench_db {
    struct jutsu_app *app;
    jutsu_dbs        *s;
    char              pgname[64];   /* a scratch PostgreSQL database, or "" */
    char              path[640];    /* the SQLite file, or ""                */
};

/* The database section for a SQLite file, or a new scratch PostgreSQL
 * database (created now, dropped by bench_db_close or at death), and the
 * rest of the config after it. pg: 1 for PostgreSQL. */
void bench_db_open(struct bench_db *d, int pg, const char *tag, const char *more_yaml,
                   int migrate);
void bench_db_close(struct bench_db *d);
/* The database section of d's config, for a process of its own (caller frees). */
char *bench_db_yaml(const struct bench_db *d);
/* Syncs what d's config names (its sync: section); dies when it fails. */
void bench_sync(struct bench_db *d);

/* Whether PostgreSQL can be measured (the cluster's variables are set). */
int  bench_pg_available(void);

/* What --backend ARG asks for, as BENCH_SQLITE | BENCH_PG: "sqlite",
 * "postgresql" (dies when the cluster's variables are not set) or "both"
 * (PostgreSQL only when they are; says so when not). Dies on anything else. */
enum { BENCH_SQLITE = 1, BENCH_PG = 2 };
unsigned bench_backends(const char *arg);

/* Runs SQL on the cluster's `postgres` database; 0 or the driver's code
 * (the message printed). */
int  bench_pg_admin(const char *sql);

#endif
