/*
 * bench/bench_rawloop.c — the anchor of the ingest benchmark (issue 17):
 * the plain prepared-INSERT loop a careful person writes first, against
 * which `jutsu data import` is measured.
 *
 *   bench_rawloop CSV DB
 *
 * creates DB (which must not exist) with the spec's CREATE TABLE
 * market_data and its three indexes verbatim (docs/spec 02_DATA_LAYER.md;
 * SQLite takes the PostgreSQL type names as they are), sets what our
 * driver sets on a connection (WAL, synchronous NORMAL, the same
 * autocheckpoint), and loads CSV (symbol,date,open,high,low,close,volume,
 * one header line) with fgets and strtok: one prepared INSERT, bound and
 * stepped per row, in one transaction. Prints "rows N seconds S" (the load
 * alone, from the first read to the commit).
 *
 * Deliberately naive: no batching, no cache tuning, prices as doubles
 * (what NUMERIC affinity stores anyway). It is the yardstick, not a model.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char spec_table[] =
    "CREATE TABLE market_data (\n"
    "    id SERIAL PRIMARY KEY,\n"
    "    symbol VARCHAR(10) NOT NULL,\n"
    "    timeframe VARCHAR(10) NOT NULL,\n"
    "    timestamp TIMESTAMPTZ NOT NULL,\n"
    "    open NUMERIC(18,6) NOT NULL,\n"
    "    high NUMERIC(18,6) NOT NULL,\n"
    "    low NUMERIC(18,6) NOT NULL,\n"
    "    close NUMERIC(18,6) NOT NULL,\n"
    "    volume BIGINT NOT NULL,\n"
    "    data_source VARCHAR(20) NOT NULL,\n"
    "    created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,\n"
    "    is_valid BOOLEAN DEFAULT TRUE,\n"
    "    CONSTRAINT uix_symbol_tf_ts UNIQUE (symbol, timeframe, timestamp)\n"
    ");\n"
    "CREATE INDEX idx_market_data_lookup ON market_data(symbol, timeframe, timestamp);\n"
    "CREATE INDEX idx_market_data_symbol ON market_data(symbol);\n"
    "CREATE INDEX idx_market_data_ts ON market_data(timestamp);\n";

/* the driver's connection settings (plugins/storage-sqlite/sqlite_conn.c) */
static const char settings[] =
    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
    "PRAGMA wal_autocheckpoint = 10000; PRAGMA synchronous = NORMAL";

static const char insert_sql[] =
    "INSERT INTO market_data (symbol, timeframe, timestamp, open, high, low, close, volume, "
    "data_source) VALUES (?1, '1D', ?2, ?3, ?4, ?5, ?6, ?7, 'csv')";

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "bench_rawloop: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One data line into the statement; 0 if it has too few fields. */
static int bind_line(sqlite3_stmt *st, char *line)
{
    char *f[7], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(line, ",\r\n", &save); t && n < 7;
         t = strtok_r(NULL, ",\r\n", &save))
        f[n++] = t;
    if (n < 7)
        return 0;
    sqlite3_bind_text(st, 1, f[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f[1], -1, SQLITE_STATIC);
    for (int i = 2; i <= 5; i++)
        sqlite3_bind_double(st, i + 1, strtod(f[i], NULL));
    sqlite3_bind_int64(st, 7, strtoll(f[6], NULL, 10));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_rawloop CSV DB\n");
        return 2;
    }
    if (access(argv[2], F_OK) == 0) {
        fprintf(stderr, "bench_rawloop: %s exists; give a fresh file\n", argv[2]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (in == NULL) {
        perror(argv[1]);
        return 1;
    }
    if (sqlite3_open(argv[2], &db) != SQLITE_OK)
        die("open");
    if (sqlite3_exec(db, settings, NULL, NULL, NULL) != SQLITE_OK)
        die("settings");
    if (sqlite3_exec(db, spec_table, NULL, NULL, NULL) != SQLITE_OK)
        die("the spec's CREATE TABLE");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL) != SQLITE_OK)
        die("prepare");

    char line[512];
    long long rows = 0;
    double t0 = now();
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        die("BEGIN");
    if (fgets(line, sizeof(line), in) == NULL)   /* the header */
        die("an empty file");
    while (fgets(line, sizeof(line), in) != NULL) {
        if (!bind_line(st, line))
            continue;
        if (sqlite3_step(st) != SQLITE_DONE)
            die("INSERT");
        sqlite3_reset(st);
        rows++;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("COMMIT");
    double secs = now() - t0;
    sqlite3_finalize(st);
    if (sqlite3_close(db) != SQLITE_OK)
        die("close");
    fclose(in);
    printf("rows %lld seconds %.3f\n", rows, secs);
    return 0;
}
