/*
 * bench/benchlib.c — what the C benchmarks share (see benchlib.h).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "benchlib.h"
#include "base/log.h"
#include "market/sync.h"

static const char *bench_name = "bench";
static char scratch[8][64];          /* PostgreSQL databases to drop at death */
static char workdir[512];

const char *bench_build_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0] == '\0') {
        char exe[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (len <= 0)
            bench_die("cannot find my own path (/proc/self/exe)");
        exe[len] = '\0';
        snprintf(dir, sizeof(dir), "%s", dirname(dirname(exe)));
    }
    return dir;
}

const char *bench_source_dir(void)
{
    const char *src = getenv("JUTSU_SOURCE_DIR");
    return src && *src ? src : ".";
}

void bench_init(const char *name)
{
    char path[PATH_MAX + 16];
    bench_name = name;
    if (getenv("JUTSU_PLUGIN_PATH"))
        return;
    snprintf(path, sizeof(path), "%s/plugins", bench_build_dir());
    setenv("JUTSU_PLUGIN_PATH", path, 0);
}

void bench_parse(int argc, char **argv, int reps_def, int reps_max, unsigned *backends,
                 int *reps, int *json)
{
    const char *backend = "both";
    *reps = reps_def;
    *json = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
            backend = argv[++i];
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || v < 1 || v > reps_max)
                bench_die("--reps %s: want 1..%d", argv[i], reps_max);
            *reps = (int)v;
        } else if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else {
            bench_die("usage: %s [--backend sqlite|postgresql|both] [--reps N] [--json]",
                      bench_name);
        }
    }
    jutsu_log_pin(JUTSU_LOG_ERROR, -1);
    *backends = bench_backends(backend);
}

static void drop_scratch(const char *name);

static void remove_workdir(void)
{
    if (!workdir[0])
        return;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
    if (system(cmd) != 0)
        fprintf(stderr, "%s: could not remove %s\n", bench_name, workdir);
    workdir[0] = '\0';
}

void bench_die(const char *fmt, ...)
{
    static int dying;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", bench_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (!dying++) {
        for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++)
            if (scratch[i][0])
                drop_scratch(scratch[i]);
        remove_workdir();
    }
    exit(1);
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

int64_t bench_cpu_ns(void)
{
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

void bench_lap_start(struct bench_watch *w)
{
    w->w0 = bench_mono_ns();
    w->c0 = bench_cpu_ns();
}

void bench_lap_stop(struct bench_watch *w)
{
    w->wall += bench_mono_ns() - w->w0;
    w->cpu += bench_cpu_ns() - w->c0;
}

double bench_wall_s(const struct bench_watch *w)
{
    return (double)w->wall / 1e9;
}

double bench_cpu_s(const struct bench_watch *w)
{
    return (double)w->cpu / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const char *bench_workdir(void)
{
    if (workdir[0])
        return workdir;
    const char *tmp = getenv("TMPDIR");
    snprintf(workdir, sizeof(workdir), "%s/jutsu-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
             bench_name);
    if (mkdtemp(workdir) == NULL) {
        workdir[0] = '\0';
        bench_die("cannot make a temp directory: %s", strerror(errno));
    }
    atexit(remove_workdir);
    return workdir;
}

int bench_pg_available(void)
{
    const char *h = getenv("JUTSU_TEST_PG_HOST");
    return h && *h;
}

unsigned bench_backends(const char *arg)
{
    int pg_ok = bench_pg_available() && getenv("JUTSU_TEST_PG_PORT");
    if (strcmp(arg, "sqlite") == 0)
        return BENCH_SQLITE;
    if (strcmp(arg, "postgresql") == 0) {
        if (!pg_ok)
            bench_die("PostgreSQL needs JUTSU_TEST_PG_HOST and JUTSU_TEST_PG_PORT (eval \"$("
                      "scripts/pg-test-cluster.sh start)\")");
        return BENCH_PG;
    }
    if (strcmp(arg, "both") != 0)
        bench_die("--backend %s: use sqlite, postgresql or both", arg);
    if (!pg_ok)
        fprintf(stderr, "%s: PostgreSQL not measured (no test cluster variables)\n", bench_name);
    return BENCH_SQLITE | (pg_ok ? BENCH_PG : 0);
}

static char *db_yaml(int pg, const char *name);

char *bench_db_yaml(const struct bench_db *d)
{
    char *y = NULL;
    if (d->pgname[0])
        return db_yaml(1, d->pgname);
    if (asprintf(&y, "database:\n  type: sqlite\n  sqlite:\n    path: \"%s\"\n", d->path) < 0)
        bench_die("out of memory");
    return y;
}

void bench_sync(struct bench_db *d)
{
    struct jutsu_sync_opts o = { .progress = 0 };
    struct jutsu_sync_report sr;
    if (jutsu_sync_run(d->app, &o, &sr) != 0)
        bench_die("the sync of the sample data failed");
    jutsu_sync_report_free(&sr);
}

static char *db_yaml(int pg, const char *name)
{
    char *y = NULL;
    int n = pg ? asprintf(&y, "database:\n  type: postgresql\n  postgresql:\n    host: \"%s\"\n"
                              "    port: %s\n    user: \"%s\"\n    database: \"%s\"\n"
                              "    pool_size: 2\n", getenv("JUTSU_TEST_PG_HOST"),
                          getenv("JUTSU_TEST_PG_PORT"),
                          getenv("JUTSU_TEST_PG_USER") ? getenv("JUTSU_TEST_PG_USER") : "jutsu",
                          name)
               : asprintf(&y, "database:\n  type: sqlite\n  sqlite:\n    path: \"%s/%s.db\"\n",
                          bench_workdir(), name);
    if (n < 0)
        bench_die("out of memory");
    return y;
}

static void open_app(struct bench_db *d, const char *yaml, int migrate)
{
    struct jutsu_diag diag;
    jutsu_diag_init(&diag);
    int rc = jutsu_app_new(&d->app);
    if (rc == 0)
        rc = jutsu_app_load_config_string(d->app, "bench.yaml", yaml, &diag);
    if (rc == 0)
        rc = jutsu_app_load_plugins(d->app, &diag);
    if (rc != 0)
        jutsu_diag_print(&diag, stderr, "bench: ");
    jutsu_diag_free(&diag);
    if (rc != 0 || (rc = jutsu_app_start(d->app)) != 0 ||
        (rc = jutsu_app_dbs_open(d->app, &d->s)) != 0)
        bench_die("cannot open the database: %s (see the log above)", jutsu_strerror(rc));
    if (migrate && (rc = jutsu_migrate_upgrade(d->s, "head", NULL)) != 0)
        bench_die("migrate: %s", jutsu_dbs_error(d->s));
}

int bench_pg_admin(const char *sql)
{
    struct bench_db d = { 0 };
    char *y = db_yaml(1, "postgres");
    open_app(&d, y, 0);
    free(y);
    int rc = d.s->ops->exec(d.s->db, sql);
    if (rc != 0)
        fprintf(stderr, "%s: %s: %s\n", bench_name, sql, d.s->ops->last_error(d.s->db)->message);
    jutsu_dbs_close(d.s);
    jutsu_app_free(d.app);
    return rc;
}

static void drop_scratch(const char *name)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    bench_pg_admin(sql);
    for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++)
        if (strcmp(scratch[i], name) == 0)
            scratch[i][0] = '\0';
}

void bench_db_open(struct bench_db *d, int pg, const char *tag, const char *more_yaml,
                   int migrate)
{
    memset(d, 0, sizeof(*d));
    char name[64];
    snprintf(name, sizeof(name), "jutsu_bench_%ld_%s", (long)getpid(), tag);
    if (pg) {
        char sql[128];
        size_t slot = 0;
        while (slot < sizeof(scratch) / sizeof(scratch[0]) && scratch[slot][0])
            slot++;
        if (slot == sizeof(scratch) / sizeof(scratch[0]))
            bench_die("too many scratch databases at once");
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
        if (bench_pg_admin(sql) != 0)
            bench_die("cannot create the scratch database %s", name);
        snprintf(scratch[slot], sizeof(scratch[slot]), "%s", name);
        snprintf(d->pgname, sizeof(d->pgname), "%s", name);
    }
    if (!pg)
        snprintf(d->path, sizeof(d->path), "%s/%s.db", bench_workdir(), name);
    char *db = db_yaml(pg, name), *all = NULL;
    if (asprintf(&all, "%s%s", db, more_yaml ? more_yaml : "") < 0)
        bench_die("out of memory");
    free(db);
    open_app(d, all, migrate);
    free(all);
}

void bench_db_close(struct bench_db *d)
{
    if (d->s)
        jutsu_dbs_close(d->s);
    jutsu_app_free(d->app);
    if (d->pgname[0])
        drop_scratch(d->pgname);
    memset(d, 0, sizeof(*d));
}
