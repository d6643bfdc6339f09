/*
 * bench/bench_storage.c — how fast does market data go in and out through
 * the data API, and what does the API cost over the database's own fastest
 * path?
 *
 *   bench_storage [--backend sqlite|postgresql|both] [--rows N] [--json]
 *
 * N daily bars (default 1,000,000: 250 symbols x 4,000 days, prices from a
 * fixed hash of the row number, so every run loads the same rows) are
 * measured per backend, in one run:
 *
 *   raw      the database alone, into a second freshly migrated database
 *            (same table, same indexes). SQLite: one prepared plain INSERT
 *            stepped per row through libsqlite3, one transaction overall.
 *            PostgreSQL: `COPY market_data (...) FROM STDIN` through psql
 *            from a file of the same rows; only the psql run is timed.
 *   bulk     ours: jutsu_data_bars_upsert in batches of 10,000 rows inside
 *            one begin()/commit() overall, as the baselines have one
 *            transaction, into a freshly migrated database.
 *            ratio = bulk / raw rows/s; the bar is 0.8.
 *   batch    the same, but each call commits its own transaction (the
 *            API's default without begin()), into a third fresh database.
 *   reupsert the same N bars again on that database, a transaction per
 *            batch: every row must be skipped.
 *   range    jutsu_data_bars_range of 5,000 bars of one symbol (loaded for
 *            the purpose: the generated symbols have 4,000): median of 20.
 *   single   jutsu_data_bars_upsert of one new bar in its own transaction:
 *            p50 and p99 of 1,000; then of the same 1,000 bars again (each
 *            skipped: the daily sync that re-fetches a bar it has).
 *
 * Row generation is never timed. PostgreSQL runs on the test cluster named
 * by JUTSU_TEST_PG_HOST/PORT/USER (scripts/pg-test-cluster.sh); psql is
 * $JUTSU_TEST_PG_BIN/psql or psql on PATH. Plugins come from
 * $JUTSU_PLUGIN_PATH, else the build tree next to this program.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "host/app.h"
#include "benchlib.h"
#include "store/data_api.h"
#include "base/log.h"
#include "store/store.h"

#define NSYMBOLS    250
#define BATCH       10000
#define RANGE_BARS  5000
#define RANGE_RUNS  20
#define SINGLE_RUNS 1000

extern char **environ;

/* Wall and CPU time of one measurement. CPU is this process's (the
 * client's, on PostgreSQL, where the server does the work); for the psql
 * baseline it is psql's. */
struct timing {
    double wall, cpu;   /* seconds */
};

struct result {
    const char   *backend;
    size_t        rows;
    struct timing raw;
    struct timing bulk;                   /* ours, one transaction overall */
    struct timing batch;                  /* ours, one transaction per batch */
    struct timing reup;
    double        range_ms;               /* median */
    double        single_us[2];           /* new bars: p50, p99 */
    double        again_us[2];            /* existing bars (skipped): p50, p99 */
};

static struct timing timing_of(const struct bench_watch *w)
{
    struct timing t = { bench_wall_s(w), bench_cpu_s(w) };
    return t;
}

static const char *const bar_cols =
    "symbol, timeframe, timestamp, open, high, low, close, volume, data_source, is_valid";

/* ---- the rows ------------------------------------------------------------ */

static char symbols[NSYMBOLS][8];

static uint64_t mix(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static size_t days_per_symbol(size_t n)
{
    return (n + NSYMBOLS - 1) / NSYMBOLS;
}

/* A bar of `symbol` on day `day` (from 1990-01-01), prices from `key`:
 * between 5 and 1000 with all six decimals. */
static void fill_bar(struct jutsu_bar_row *b, const char *symbol, size_t day, uint64_t key)
{
    uint64_t h = mix(key), h2 = mix(key ^ UINT64_C(0x5bd1e995));
    jutsu_money_t close = 5000000 + (jutsu_money_t)(h % 995000000);
    jutsu_money_t open = close - 2000000 + (jutsu_money_t)((h >> 20) % 4000000);
    jutsu_money_t hi = (open > close ? open : close) + (jutsu_money_t)((h >> 32) % 1000000);
    jutsu_money_t lo = (open < close ? open : close) - (jutsu_money_t)((h >> 40) % 1000000);
    memset(b, 0, sizeof(*b));
    b->symbol = symbol;
    b->timeframe = "1D";
    b->ts = jutsu_date_to_time(jutsu_date_from_ymd(1990, 1, 1) + (jutsu_date_t)day);
    b->open = open;
    b->high = hi;
    b->low = lo;
    b->close = close;
    b->volume = (int64_t)(h2 % 50000000);
    b->data_source = "yahoo";
    b->is_valid = 1;
}

/* Row i of n: symbol-major (a symbol's whole history, then the next), as a
 * sync loads them. */
static void gen_bar(size_t n, size_t i, struct jutsu_bar_row *b)
{
    size_t days = days_per_symbol(n);
    fill_bar(b, symbols[i / days], i % days, i);
}

/* ---- databases through the host ------------------------------------------ */

static int64_t count_bars(struct bench_db *d)
{
    struct jutsu_q q;
    int64_t n = -1;
    if (jutsu_q_prepare(&q, d->s, "SELECT COUNT(*) FROM market_data", "count") == 0 &&
        jutsu_q_step(&q) == JUTSU_DB_ROW)
        n = jutsu_q_col_int(&q, -1);
    jutsu_q_done(&q);
    return n;
}

/* ---- ours ---------------------------------------------------------------- */

/* All n rows through the API in batches of BATCH; one_tx: all inside one
 * begin/commit, else each call commits its own. Returns the seconds spent
 * in the API (generation excluded). */
static struct timing upsert_all(struct bench_db *d, struct jutsu_bar_row *rows, size_t n,
                                int one_tx, int64_t *ins, int64_t *skip)
{
    struct bench_watch w = { 0 };
    *ins = *skip = 0;
    bench_lap_start(&w);
    if (one_tx && jutsu_dbs_begin(d->s) != 0)
        bench_die("begin: %s", jutsu_dbs_error(d->s));
    bench_lap_stop(&w);
    for (size_t start = 0; start < n; start += BATCH) {
        size_t k = n - start < BATCH ? n - start : BATCH;
        for (size_t j = 0; j < k; j++)
            gen_bar(n, start + j, &rows[j]);
        int64_t i1 = 0, s1 = 0;
        bench_lap_start(&w);
        if (jutsu_data_bars_upsert(d->s, rows, k, &i1, &s1) != 0)
            bench_die("bars_upsert: %s", jutsu_dbs_error(d->s));
        bench_lap_stop(&w);
        *ins += i1;
        *skip += s1;
    }
    bench_lap_start(&w);
    if (one_tx && jutsu_dbs_commit(d->s) != 0)
        bench_die("commit: %s", jutsu_dbs_error(d->s));
    bench_lap_stop(&w);
    return timing_of(&w);
}

static int count_row(const struct jutsu_bar_row *r, void *arg)
{
    (*(size_t *)arg)++;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void range_reads(struct bench_db *d, struct jutsu_bar_row *rows, struct result *r)
{
    for (size_t j = 0; j < RANGE_BARS; j++) {
        fill_bar(&rows[j], "RNG", j, UINT64_C(1) << 40 | j);
    }
    int64_t ins = 0;
    if (jutsu_data_bars_upsert(d->s, rows, RANGE_BARS, &ins, NULL) != 0 || ins != RANGE_BARS)
        bench_die("loading the range symbol: %s", jutsu_dbs_error(d->s));
    double ms[RANGE_RUNS];
    for (int k = 0; k < RANGE_RUNS; k++) {
        size_t got = 0;
        int64_t t0 = bench_mono_ns();
        if (jutsu_data_bars_range(d->s, "RNG", "1D", 0, INT64_MAX, 0, count_row,
                                  &got) != 0)
            bench_die("bars_range: %s", jutsu_dbs_error(d->s));
        ms[k] = (double)(bench_mono_ns() - t0) / 1e6;
        if (got != RANGE_BARS)
            bench_die("bars_range read the wrong number of bars");
    }
    qsort(ms, RANGE_RUNS, sizeof(ms[0]), cmp_double);
    r->range_ms = (ms[RANGE_RUNS / 2 - 1] + ms[RANGE_RUNS / 2]) / 2;
}

/* SINGLE_RUNS one-bar upserts, each its own transaction: of new bars
 * (again = 0), or of the same bars again (all skipped). us[0] = p50,
 * us[1] = p99. */
static void single_upserts(struct bench_db *d, int again, double us[2])
{
    static double t[SINGLE_RUNS];
    for (int k = 0; k < SINGLE_RUNS; k++) {
        struct jutsu_bar_row b;
        fill_bar(&b, "LAT", (size_t)k, UINT64_C(1) << 41 | (uint64_t)k);
        int64_t ins = -1, skip = -1, t0 = bench_mono_ns();
        if (jutsu_data_bars_upsert(d->s, &b, 1, &ins, &skip) != 0 || ins != !again ||
            skip != again)
            bench_die("single upsert: %s", jutsu_dbs_error(d->s));
        t[k] = (double)(bench_mono_ns() - t0) / 1e3;
    }
    qsort(t, SINGLE_RUNS, sizeof(t[0]), cmp_double);
    us[0] = t[SINGLE_RUNS / 2 - 1];
    us[1] = t[SINGLE_RUNS * 99 / 100 - 1];
}

static struct jutsu_bar_row *row_buffer(void)
{
    struct jutsu_bar_row *rows = calloc(BATCH > RANGE_BARS ? BATCH : RANGE_BARS, sizeof(*rows));
    if (rows == NULL)
        bench_die("out of memory");
    return rows;
}

/* The bulk load in one transaction, into a fresh database. */
static void measure_bulk_one_tx(struct bench_db *d, size_t n, struct result *r)
{
    struct jutsu_bar_row *rows = row_buffer();
    int64_t ins, skip;
    r->bulk = upsert_all(d, rows, n, 1, &ins, &skip);
    if (ins != (int64_t)n || skip != 0)
        bench_die("bulk upsert (one transaction) inserted %lld of %zu", (long long)ins, n);
    free(rows);
}

/* The bulk load a transaction per batch, into another fresh database, and
 * then the rest on top of it. */
static void measure_ours(struct bench_db *d, size_t n, struct result *r)
{
    struct jutsu_bar_row *rows = row_buffer();
    int64_t ins, skip;
    r->batch = upsert_all(d, rows, n, 0, &ins, &skip);
    if (ins != (int64_t)n || skip != 0)
        bench_die("bulk upsert (transaction per batch) inserted %lld of %zu", (long long)ins, n);
    r->reup = upsert_all(d, rows, n, 0, &ins, &skip);
    if (ins != 0 || skip != (int64_t)n)
        bench_die("%s: re-upsert inserted %lld, skipped %lld of %zu", r->backend, (long long)ins,
            (long long)skip, n);
    range_reads(d, rows, r);
    single_upserts(d, 0, r->single_us);
    single_upserts(d, 1, r->again_us);
    free(rows);
}

/* ---- raw baselines ------------------------------------------------------- */

static void sq_check(sqlite3 *h, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE)
        bench_die("raw sqlite3: %s: %s", what, sqlite3_errmsg(h));
}

/* n plain INSERTs in one transaction, generation excluded. */
static struct timing raw_sqlite(const char *path, size_t n)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    char sql[256];
    struct bench_watch w = { 0 };
    struct jutsu_bar_row *rows = calloc(BATCH, sizeof(*rows));
    if (rows == NULL)
        bench_die("out of memory");
    sq_check(h, sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL),
             "open");
    /* the connection settings of the driver (the file is in WAL already) */
    sq_check(h, sqlite3_exec(h, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", NULL,
                             NULL, NULL), "pragma");
    snprintf(sql, sizeof(sql), "INSERT INTO market_data (%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
             "?7, ?8, ?9, ?10)", bar_cols);
    sq_check(h, sqlite3_prepare_v2(h, sql, -1, &st, NULL), "prepare");
    bench_lap_start(&w);
    sq_check(h, sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), "begin");
    bench_lap_stop(&w);
    for (size_t start = 0; start < n; start += BATCH) {
        size_t k = n - start < BATCH ? n - start : BATCH;
        for (size_t j = 0; j < k; j++)
            gen_bar(n, start + j, &rows[j]);
        bench_lap_start(&w);
        for (size_t j = 0; j < k; j++) {
            const struct jutsu_bar_row *b = &rows[j];
            sqlite3_bind_text(st, 1, b->symbol, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, b->timeframe, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, b->ts);
            sqlite3_bind_int64(st, 4, b->open);
            sqlite3_bind_int64(st, 5, b->high);
            sqlite3_bind_int64(st, 6, b->low);
            sqlite3_bind_int64(st, 7, b->close);
            sqlite3_bind_int64(st, 8, b->volume);
            sqlite3_bind_text(st, 9, b->data_source, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 10, b->is_valid);
            sq_check(h, sqlite3_step(st), "insert");
            sqlite3_reset(st);
        }
        bench_lap_stop(&w);
    }
    bench_lap_start(&w);
    sq_check(h, sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), "commit");
    bench_lap_stop(&w);
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(rows);
    return timing_of(&w);
}

/* The same rows as COPY text. */
static void write_copy_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        bench_die("cannot write %s", path);
    for (size_t i = 0; i < n; i++) {
        struct jutsu_bar_row b;
        char ts[JUTSU_TIME_BUFSZ], m[4][JUTSU_MONEY_BUFSZ];
        gen_bar(n, i, &b);
        jutsu_time_format(b.ts, ts);
        jutsu_money_format(b.open, m[0]);
        jutsu_money_format(b.high, m[1]);
        jutsu_money_format(b.low, m[2]);
        jutsu_money_format(b.close, m[3]);
        fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%lld\t%s\t%s\n", b.symbol, b.timeframe, ts,
                m[0], m[1], m[2], m[3], (long long)b.volume, b.data_source,
                b.is_valid ? "t" : "f");
    }
    if (fclose(f) != 0)
        bench_die("cannot write %s", path);
}

static double tv_seconds(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Runs `psql -c sql` on dbname with stdin from `in` (or /dev/null) and
 * stdout to /dev/null; returns its exit status (-1: could not run it) and
 * its wall and CPU time. */
static int run_psql(const char *dbname, const char *sql, const char *in, struct timing *t)
{
    char psql[512];
    const char *bin = getenv("JUTSU_TEST_PG_BIN");
    const char *user = getenv("JUTSU_TEST_PG_USER") ? getenv("JUTSU_TEST_PG_USER") : "jutsu";
    snprintf(psql, sizeof(psql), "%s%spsql", bin ? bin : "", bin ? "/" : "");
    char *const argv[] = { psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-h", getenv("JUTSU_TEST_PG_HOST"), "-p", getenv("JUTSU_TEST_PG_PORT"),
        "-U", (char *)user, "-d", (char *)dbname, "-c", (char *)sql, NULL };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    if (posix_spawn_file_actions_addopen(&fa, 0, in ? in : "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_CHILDREN, &ru0);
    int64_t t0 = bench_mono_ns();
    int rc = posix_spawnp(&pid, psql, &fa, NULL, argv, environ);
    if (rc == 0 && waitpid(pid, &status, 0) < 0)
        rc = errno;
    if (t) {
        t->wall = (double)(bench_mono_ns() - t0) / 1e9;
        getrusage(RUSAGE_CHILDREN, &ru1);
        t->cpu = tv_seconds(&ru1.ru_utime) + tv_seconds(&ru1.ru_stime) -
                 tv_seconds(&ru0.ru_utime) - tv_seconds(&ru0.ru_stime);
    }
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench_storage: cannot run %s: %s\n", psql, strerror(rc));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The psql run that COPYs the file into dbname. */
static struct timing raw_pg_copy(const char *file, const char *dbname)
{
    char copy[256];
    struct timing t = { 0, 0 };
    snprintf(copy, sizeof(copy), "COPY market_data (%s) FROM STDIN", bar_cols);
    if (run_psql(dbname, copy, file, &t) != 0)
        bench_die("psql COPY into %s failed (its message is above)", dbname);
    return t;
}

/* ---- per backend ----------------------------------------------------------- */

static void run_sqlite(size_t n, struct result *r)
{
    struct bench_db d;
    r->backend = "sqlite";
    r->rows = n;

    bench_db_open(&d, 0, "raw", NULL, 1);   /* our schema, then the driver lets go */
    char path[sizeof(d.path)];
    snprintf(path, sizeof(path), "%s", d.path);
    bench_db_close(&d);
    r->raw = raw_sqlite(path, n);
    bench_db_open(&d, 0, "raw", NULL, 0);
    if (count_bars(&d) != (int64_t)n)
        bench_die("the raw load did not insert every row");
    bench_db_close(&d);

    bench_db_open(&d, 0, "one", NULL, 1);
    measure_bulk_one_tx(&d, n, r);
    bench_db_close(&d);

    bench_db_open(&d, 0, "ours", NULL, 1);
    measure_ours(&d, n, r);
    bench_db_close(&d);
}

/* Closes d and drops its database; a CHECKPOINT then flushes the load's
 * WAL so that the next measurement does not pay for it. */
static void pg_done(struct bench_db *d)
{
    bench_db_close(d);
    bench_pg_admin("CHECKPOINT");
}

static void run_pg(size_t n, struct result *r)
{
    char file[700];
    struct bench_db d;
    r->backend = "postgresql";
    r->rows = n;

    snprintf(file, sizeof(file), "%s/bars.copy", bench_workdir());
    write_copy_file(file, n);
    bench_db_open(&d, 1, "raw", NULL, 1);
    r->raw = raw_pg_copy(file, d.pgname);
    unlink(file);
    if (count_bars(&d) != (int64_t)n)
        bench_die("the raw COPY did not load every row");
    pg_done(&d);

    bench_db_open(&d, 1, "one", NULL, 1);
    measure_bulk_one_tx(&d, n, r);
    pg_done(&d);

    bench_db_open(&d, 1, "ours", NULL, 1);
    measure_ours(&d, n, r);
    pg_done(&d);
}

/* ---- output ------------------------------------------------------------------ */

static void print_rate(const char *backend, const char *what, size_t rows,
                       const struct timing *t, const char *note)
{
    printf("%-11s %-40s %8zu %8.3f s %8.3f s %9.0f rows/s  %s\n", backend, what, rows, t->wall,
           t->cpu, (double)rows / t->wall, note);
}

static void print_table(const struct result *res, int nres, size_t n)
{
    printf("bench_storage: %zu daily bars (%d symbols x %zu days); ours through "
           "jutsu_data_bars_upsert in batches of %d\n", n, NSYMBOLS, days_per_symbol(n), BATCH);
    printf("(cpu: this process's; PostgreSQL: the client side only, psql's for the raw COPY)\n\n");
    printf("%-11s %-40s %8s %10s %10s %16s  %s\n", "backend", "measure", "rows", "wall", "cpu",
           "rate (wall)", "note");
    for (int i = 0; i < nres; i++) {
        const struct result *r = &res[i];
        int sq = strcmp(r->backend, "sqlite") == 0;
        double ratio = r->raw.wall / r->bulk.wall;
        char note[96];
        print_rate(r->backend, sq ? "raw: sqlite3 prepared INSERT, one tx"
                                  : "raw: psql COPY FROM STDIN, one tx", r->rows, &r->raw, "");
        snprintf(note, sizeof(note), "%.2fx raw (bar 0.80: %s)", ratio,
                 ratio >= 0.8 ? "met" : "NOT met");
        print_rate(r->backend, "bulk upsert, ours, one tx", r->rows, &r->bulk, note);
        snprintf(note, sizeof(note), "%.2fx raw", r->raw.wall / r->batch.wall);
        print_rate(r->backend, "bulk upsert, ours, one tx per batch", r->rows, &r->batch, note);
        print_rate(r->backend, "re-upsert of the same bars, tx per batch", r->rows, &r->reup,
                   "inserted 0");
        printf("%-11s %-40s %8d %7.3f ms %10s %9.0f rows/s  median of %d\n", r->backend,
               "range read of one symbol", RANGE_BARS, r->range_ms, "",
               RANGE_BARS / (r->range_ms / 1e3), RANGE_RUNS);
        printf("%-11s %-40s %8d %7.1f us %10s %16s  p50; p99 %.1f us; %d runs\n", r->backend,
               "single-row upsert, new bar, own tx", 1, r->single_us[0], "", "",
               r->single_us[1], SINGLE_RUNS);
        printf("%-11s %-40s %8d %7.1f us %10s %16s  p50; p99 %.1f us; skipped\n", r->backend,
               "single-row upsert, existing bar, own tx", 1, r->again_us[0], "", "",
               r->again_us[1]);
    }
}

static json_object *jrate(size_t rows, const struct timing *t)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "rows", json_object_new_int64((int64_t)rows));
    json_object_object_add(o, "seconds", json_object_new_double(t->wall));
    json_object_object_add(o, "cpu_seconds", json_object_new_double(t->cpu));
    json_object_object_add(o, "rows_per_s", json_object_new_double((double)rows / t->wall));
    return o;
}

static void print_json(const struct result *res, int nres, size_t n)
{
    json_object *top = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(top, "bench", json_object_new_string("storage"));
    json_object_object_add(top, "rows", json_object_new_int64((int64_t)n));
    json_object_object_add(top, "batch", json_object_new_int(BATCH));
    json_object_object_add(top, "transactions", json_object_new_string("raw and bulk: one "
                           "overall; bulk_tx_per_batch and reupsert: one per batch"));
    for (int i = 0; i < nres; i++) {
        const struct result *r = &res[i];
        json_object *o = json_object_new_object(), *rg = json_object_new_object(),
                    *sg = json_object_new_object();
        json_object_object_add(o, "backend", json_object_new_string(r->backend));
        json_object_object_add(o, "raw", jrate(r->rows, &r->raw));
        json_object_object_add(o, "bulk", jrate(r->rows, &r->bulk));
        json_object_object_add(o, "ratio", json_object_new_double(r->raw.wall / r->bulk.wall));
        json_object_object_add(o, "bulk_tx_per_batch", jrate(r->rows, &r->batch));
        json_object_object_add(o, "ratio_tx_per_batch",
                               json_object_new_double(r->raw.wall / r->batch.wall));
        json_object_object_add(o, "reupsert", jrate(r->rows, &r->reup));
        json_object_object_add(rg, "bars", json_object_new_int(RANGE_BARS));
        json_object_object_add(rg, "runs", json_object_new_int(RANGE_RUNS));
        json_object_object_add(rg, "median_ms", json_object_new_double(r->range_ms));
        json_object_object_add(o, "range", rg);
        json_object_object_add(sg, "runs", json_object_new_int(SINGLE_RUNS));
        json_object_object_add(sg, "p50_us", json_object_new_double(r->single_us[0]));
        json_object_object_add(sg, "p99_us", json_object_new_double(r->single_us[1]));
        json_object_object_add(sg, "existing_p50_us", json_object_new_double(r->again_us[0]));
        json_object_object_add(sg, "existing_p99_us", json_object_new_double(r->again_us[1]));
        json_object_object_add(o, "single", sg);
        json_object_array_add(arr, o);
    }
    json_object_object_add(top, "backends", arr);
    puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN));
    json_object_put(top);
}

int main(int argc, char **argv)
{
    bench_init("bench_storage");
    const char *backend = "both";
    int json = 0;
    size_t n = 1000000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
            backend = argv[++i];
        } else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
            char *end;
            n = strtoull(argv[++i], &end, 10);
            if (*end || n < 1 || n > 100000000)
                bench_die("--rows %s: want 1..100000000", argv[i]);
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "usage: bench_storage [--backend sqlite|postgresql|both] "
                            "[--rows N] [--json]\n");
            return 2;
        }
    }
    unsigned which = bench_backends(backend);
    for (int i = 0; i < NSYMBOLS; i++)
        snprintf(symbols[i], sizeof(symbols[i]), "S%03d", i);
    jutsu_log_pin(JUTSU_LOG_WARN, -1);

    struct result res[2];
    int nres = 0;
    memset(res, 0, sizeof(res));
    if (which & BENCH_SQLITE)
        run_sqlite(n, &res[nres++]);
    if (which & BENCH_PG)
        run_pg(n, &res[nres++]);
    if (json)
        print_json(res, nres, n);
    else
        print_table(res, nres, n);
    return 0;
}
