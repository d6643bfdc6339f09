/*
 * bench/bench_backtest.c — a full backtest of v3_5b over the bundled
 * history, on each backend.
 *
 *   bench_backtest [--backend sqlite|postgresql|both] [--reps N] [--json]
 *
 * On a scratch database holding the six bundled ETFs (conf/sample-data
 * through the CSV source; untimed), with the v3_5b instance of the
 * default config (strategy-regime, live parameters) and kpi-standard,
 * 2011-01-03 .. 2025-06-27 (issue 17's run):
 *
 *   raw       the strategy alone: every day fed to the plugin from bars
 *             already in memory (on_day, and committed when it asks to
 *             rebalance): what the arithmetic of the strategy costs, with
 *             no trading, books or database
 *   backtest  jutsu_backtest_run over the same days, in its store in
 *             memory: warm-up, the trading job's day by day (orders,
 *             simulated fills, trades, positions, snapshots), the EOD code
 *             over the result and the QQQ baseline with KPIs, the summary
 *             read back. The median of --reps runs; ratio = backtest / raw
 *   on db     the same run written to the configured database in a
 *             transaction rolled back (opts.on_database: how every
 *             backtest ran before the store in memory), for comparison
 *   cli       `jutsu backtest --strategy v3_5b ...` as a process of its
 *             own on the same database: the median wall time of --reps
 *             runs and the highest peak resident memory (getrusage)
 *
 * The goals (issue 17): the CLI under 100 ms on SQLite and under 300 ms on
 * PostgreSQL, under 32 MB.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/strategy.h"
#include "jobs/backtest.h"
#include "benchlib.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "base/log.h"
#include "host/app.h"

extern char **environ;

#define FROM jutsu_date_from_ymd(2011, 1, 3)
#define TO   jutsu_date_from_ymd(2025, 6, 27)
#define GOAL_RSS_MB 32.0

struct result {
    const char *backend;
    int         days, trades;
    double      raw_ms, backtest_ms, ondb_ms, cli_ms, goal_ms;
    long        cli_maxrss_kb;
    int         reps;
};

static char *plugins_yaml(void)
{
    char *y = NULL;
    if (asprintf(&y, "log: {level: error}\n"
                 "sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample]}\n"
                 "plugins:\n"
                 "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
                 "  - {name: kpi, plugin: kpi-standard}\n"
                 "  - {name: v3_5b, plugin: strategy-regime}\n", bench_source_dir()) < 0)
        bench_die("out of memory");
    return y;
}

/* --- raw: the strategy alone, bars in memory ---------------------------------- */

struct series {
    jutsu_date_t    *d;
    struct jutsu_bar *b;
    size_t           n, cap;
};

static int take_bar(const struct jutsu_bar_row *r, void *arg)
{
    struct series *x = arg;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 4096;
        if ((x->d = realloc(x->d, x->cap * sizeof(*x->d))) == NULL ||
            (x->b = realloc(x->b, x->cap * sizeof(*x->b))) == NULL)
            bench_die("out of memory");
    }
    x->d[x->n] = jutsu_time_to_date(r->ts);
    x->b[x->n] = (struct jutsu_bar){ .ts = r->ts, .open = r->open, .high = r->high,
                                     .low = r->low, .close = r->close, .volume = r->volume };
    x->n++;
    return 0;
}

static double raw_ms(struct bench_db *db, int *days)
{
    struct jutsu_ctx *inst = jutsu_app_find(db->app, "v3_5b");
    const struct jutsu_strategy_ops *ops = inst->module->desc->ops;
    struct jutsu_strategy_needs needs = { .size = sizeof(needs) };
    if (ops->needs(inst->state, &needs) != 0)
        bench_die("needs() failed");
    size_t n = 0;
    while (n < JUTSU_STRATEGY_MAX_SYMBOLS && needs.symbols[n])
        n++;
    struct series s[JUTSU_STRATEGY_MAX_SYMBOLS];
    memset(s, 0, sizeof(s));
    for (size_t i = 0; i < n; i++)
        if (jutsu_data_bars_range(db->s, needs.symbols[i], "1D", jutsu_date_to_time(FROM),
                                  jutsu_date_to_time(TO), 1, take_bar, &s[i]) != 0)
            bench_die("bars: %s", jutsu_dbs_error(db->s));
    if (ops->reset)
        ops->reset(inst->state);
    size_t at[JUTSU_STRATEGY_MAX_SYMBOLS] = { 0 };
    struct jutsu_bar bars[JUTSU_STRATEGY_MAX_SYMBOLS];
    uint8_t has[JUTSU_STRATEGY_MAX_SYMBOLS];
    int64_t t0 = bench_mono_ns();
    *days = 0;
    for (jutsu_date_t d = FROM; d <= TO; d = jutsu_calendar_next(db->app->cal, d)) {
        for (size_t i = 0; i < n; i++) {
            while (at[i] < s[i].n && s[i].d[at[i]] < d)
                at[i]++;
            has[i] = at[i] < s[i].n && s[i].d[at[i]] == d;
            bars[i] = has[i] ? s[i].b[at[i]] : (struct jutsu_bar){ 0 };
        }
        struct jutsu_strategy_day day = { .size = sizeof(day), .date = d, .bars = bars,
                                          .has = has, .n = n };
        struct jutsu_strategy_signal sig = { .size = sizeof(sig) };
        if (ops->on_day(inst->state, &day, &sig) != 0)
            bench_die("on_day failed");
        if (sig.warm && sig.rebalance && ops->committed)
            ops->committed(inst->state, sig.weights, n);
        json_object_put(sig.extras);
        (*days)++;
    }
    double ms = (double)(bench_mono_ns() - t0) / 1e6;
    for (size_t i = 0; i < n; i++) {
        free(s[i].d);
        free(s[i].b);
    }
    return ms;
}

/* --- the CLI as a process of its own: wall time and peak memory ------------- */

/* One CLI run: its wall time in ms; *maxrss_kb its peak resident memory. */
static double cli_once(char *const *argv, long *maxrss_kb)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0;
    struct rusage ru;
    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0)
        bench_die("posix_spawn_file_actions");
    int64_t t0 = bench_mono_ns();
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        bench_die("cannot run %s", argv[0]);
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        bench_die("%s backtest failed (exit %d)", argv[0],
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    double ms = (double)(bench_mono_ns() - t0) / 1e6;
    *maxrss_kb = ru.ru_maxrss;
    posix_spawn_file_actions_destroy(&fa);
    return ms;
}

static void cli_run(struct bench_db *db, struct result *r)
{
    char jutsu[PATH_MAX + 16], conf[700];
    snprintf(jutsu, sizeof(jutsu), "%s/jutsu", bench_build_dir());
    snprintf(conf, sizeof(conf), "%s/cli.yaml", bench_workdir());
    FILE *f = fopen(conf, "w");
    if (f == NULL)
        bench_die("cannot write %s", conf);
    char *plugins = plugins_yaml(), *dbyaml = bench_db_yaml(db);
    fputs(dbyaml, f);
    free(dbyaml);
    fputs(plugins, f);
    free(plugins);
    if (fclose(f) != 0)
        bench_die("cannot write %s", conf);
    char *argv[] = { jutsu, "-c", conf, "-q", "backtest", "--strategy", "v3_5b", "--from",
                     "2011-01-03", "--to", "2025-06-27", "--format", "json", NULL };
    double *ms = calloc((size_t)r->reps, sizeof(*ms));
    if (ms == NULL)
        bench_die("out of memory");
    for (int k = 0; k < r->reps; k++) {
        long kb;
        ms[k] = cli_once(argv, &kb);
        if (kb > r->cli_maxrss_kb)
            r->cli_maxrss_kb = kb;
    }
    r->cli_ms = bench_median(ms, (size_t)r->reps);
    free(ms);
}

/* The median of reps backtests, in memory or on the database. */
static double backtest_ms(struct bench_db *db, int reps, int on_database, struct result *r)
{
    double *ms = calloc((size_t)reps, sizeof(*ms));
    if (ms == NULL)
        bench_die("out of memory");
    for (int k = 0; k < reps; k++) {
        struct jutsu_backtest_opts bo = { .strategy = "v3_5b", .from = FROM, .to = TO,
                                          .on_database = on_database };
        struct jutsu_backtest bt;
        int64_t t0 = bench_mono_ns();
        int rc = jutsu_backtest_run(db->app, &bo, &bt);
        ms[k] = (double)(bench_mono_ns() - t0) / 1e6;
        if (rc != 0)
            bench_die("backtest: %s", bt.error);
        if (bt.strategy.days != r->days)
            bench_die("the backtest saw %d days, the raw run %d", bt.strategy.days, r->days);
        r->trades = bt.strategy.trades;
        jutsu_backtest_free(&bt);
    }
    double med = bench_median(ms, (size_t)reps);
    free(ms);
    return med;
}

static void run_backend(int pg, int reps, struct result *r)
{
    struct bench_db db;
    char *y = plugins_yaml();
    memset(r, 0, sizeof(*r));
    r->backend = pg ? "postgresql" : "sqlite";
    r->reps = reps;
    bench_db_open(&db, pg, "bt", y, 1);
    free(y);
    bench_sync(&db);
    /* the sync's events opened the data version's session, which would
     * hold the second of the bench's two pooled PostgreSQL connections
     * that the backtest needs: nothing here serves cached answers */
    jutsu_app_data_version_stop(db.app);

    double *raw = calloc((size_t)reps, sizeof(*raw));
    if (raw == NULL)
        bench_die("out of memory");
    for (int k = 0; k < reps; k++)
        raw[k] = raw_ms(&db, &r->days);
    r->raw_ms = bench_median(raw, (size_t)reps);
    free(raw);
    r->backtest_ms = backtest_ms(&db, reps, 0, r);
    r->ondb_ms = backtest_ms(&db, reps, 1, r);
    r->goal_ms = pg ? 300 : 100;
    cli_run(&db, r);
    bench_db_close(&db);
}

int main(int argc, char **argv)
{
    unsigned which;
    int reps, json;
    bench_init("bench_backtest");
    bench_parse(argc, argv, 5, 100, &which, &reps, &json);
    struct result res[2];
    size_t n = 0;
    if (which & BENCH_SQLITE)
        run_backend(0, reps, &res[n++]);
    if (which & BENCH_PG)
        run_backend(1, reps, &res[n++]);
    if (json) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "backend", json_object_new_string(res[i].backend));
            json_object_object_add(o, "days", json_object_new_int(res[i].days));
            json_object_object_add(o, "trades", json_object_new_int(res[i].trades));
            json_object_object_add(o, "raw_ms", json_object_new_double(res[i].raw_ms));
            json_object_object_add(o, "backtest_ms", json_object_new_double(res[i].backtest_ms));
            json_object_object_add(o, "ratio", json_object_new_double(res[i].backtest_ms /
                                                                      res[i].raw_ms));
            json_object_object_add(o, "on_database_ms", json_object_new_double(res[i].ondb_ms));
            json_object_object_add(o, "cli_ms", json_object_new_double(res[i].cli_ms));
            json_object_object_add(o, "cli_goal_ms", json_object_new_double(res[i].goal_ms));
            json_object_object_add(o, "cli_maxrss_kb", json_object_new_int64(res[i].cli_maxrss_kb));
            json_object_object_add(o, "cli_goal_rss_mb", json_object_new_double(GOAL_RSS_MB));
            json_object_array_add(a, o);
        }
        puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY));
        json_object_put(a);
        return 0;
    }
    printf("v3_5b, 2011-01-03 .. 2025-06-27, six ETFs; medians of %d runs\n", reps);
    printf("%-10s %5s %6s %8s %11s %6s %8s %8s %6s %9s %6s\n", "backend", "days", "trades",
           "raw ms", "backtest ms", "ratio", "on db ms", "cli ms", "goal", "peak RSS", "goal");
    for (size_t i = 0; i < n; i++)
        printf("%-10s %5d %6d %8.1f %11.1f %6.1f %8.1f %8.1f %6.0f %6.1f MB %3.0f MB\n",
               res[i].backend, res[i].days, res[i].trades, res[i].raw_ms, res[i].backtest_ms,
               res[i].backtest_ms / res[i].raw_ms, res[i].ondb_ms, res[i].cli_ms,
               res[i].goal_ms, (double)res[i].cli_maxrss_kb / 1024.0, GOAL_RSS_MB);
    printf("raw: the strategy alone over bars in memory; ratio = backtest / raw; on db: the "
           "same run on the database in a transaction rolled back (as before the store in "
           "memory); cli: the whole process, its highest peak RSS\n");
    return 0;
}
