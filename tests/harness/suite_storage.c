/*
 * tests/harness/suite_storage.c — the storage driver conformance suite.
 *
 * Runs against any driver (SQLite, PostgreSQL, a third party's) through
 * struct jutsu_storage_ops alone, on an EMPTY scratch database: it applies
 * every migration of the driver, checks typed round trips through the real
 * tables (money at the limits of NUMERIC(18,6), times before the epoch,
 * dates, UTF-8 text, bytes with NUL, NULL), ordering, changes(),
 * transactions and savepoints, the bulk-load counts, the constraint-error
 * mapping (SQLSTATE, table, column, constraint), statement reuse, and
 * finally undoes every migration and checks that no table is left.
 *
 * Everything that is meant to fail runs outside a transaction: PostgreSQL
 * aborts a transaction at its first error, SQLite does not, and the suite
 * must not depend on either behaviour.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/storage.h"
#include "harness.h"

struct sx {
    struct harness                 *h;
    const struct jutsu_storage_ops *ops;
    void                           *state;
    jutsu_db                       *db;
    int64_t                         changes;   /* of the last run()        */
    char                            why[400];
};

#define NV(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const schema_tables[] = {
    "market_data", "daily_performance", "live_trades", "positions", "users", "passkeys",
    "system_state", "data_metadata", "data_audit_log", "performance_snapshots",
    "config_overrides", "config_history", "blacklisted_tokens", "user_invitations",
    "eod_job_status"
};

/* "rc -13 (constraint violated): message [23505]" of the last failure. */
static const char *why(struct sx *x, int rc)
{
    const struct jutsu_db_error *e = x->ops->last_error(x->db);
    if (rc == JUTSU_ENOENT)
        return "no row";
    snprintf(x->why, sizeof(x->why), "%d (%s): %s [%s]", rc, jutsu_strerror(rc),
             e && e->message[0] ? e->message : "no message", e ? e->sqlstate : "");
    return x->why;
}

/* One check line; a failed op (rc < 0) is reported with last_error. */
static void report(struct sx *x, int ok, const char *name, int rc, const char *fmt, ...)
    JUTSU_PRINTF(5, 6);
static void report(struct sx *x, int ok, const char *name, int rc, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    if (rc < 0) {
        harness_check(x->h, 0, name, "%s", why(x, rc));
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    harness_check(x->h, ok, name, "%s", text);
}

static int bind_all(struct sx *x, jutsu_stmt *st, const struct jutsu_db_value *p, int np)
{
    for (int i = 0; i < np; i++) {
        int rc = x->ops->bind(st, i + 1, &p[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Prepares, binds, steps to the end; 0 or the first error. */
static int run(struct sx *x, const char *sql, const struct jutsu_db_value *p, int np)
{
    jutsu_stmt *st = NULL;
    int rc = x->ops->prepare(x->db, sql, &st);
    x->changes = -1;
    if (rc == 0)
        rc = bind_all(x, st, p, np);
    while (rc == 0 && (rc = x->ops->step(st)) == JUTSU_DB_ROW)
        rc = 0;
    if (rc == JUTSU_DB_DONE)
        x->changes = x->ops->changes(st);
    if (st)
        x->ops->finalize(st);
    return rc;
}

/* The first column of the first row as an INT64; JUTSU_ENOENT if none. */
static int query_int(struct sx *x, const char *sql, const struct jutsu_db_value *p, int np,
                     int64_t *out)
{
    jutsu_stmt *st = NULL;
    struct jutsu_db_value v;
    int rc = x->ops->prepare(x->db, sql, &st);
    if (rc == 0)
        rc = bind_all(x, st, p, np);
    if (rc == 0)
        rc = x->ops->step(st);
    if (rc == JUTSU_DB_DONE)
        rc = JUTSU_ENOENT;
    else if (rc == JUTSU_DB_ROW)
        rc = x->ops->column(st, 0, JUTSU_DB_INT64, 0, &v);
    if (rc == 0)
        *out = v.type == JUTSU_DB_NULL ? 0 : v.v.i;
    if (st)
        x->ops->finalize(st);
    return rc;
}

static int64_t count_symbol(struct sx *x, const char *symbol)
{
    struct jutsu_db_value p[] = { jutsu_db_text(symbol, (uint32_t)strlen(symbol)) };
    int64_t n = -1;
    if (query_int(x, "SELECT count(*) FROM market_data WHERE symbol = $1", p, 1, &n) != 0)
        return -1;
    return n;
}

/* --- the schema ----------------------------------------------------------- */

static int migrate_up(struct sx *x)
{
    const struct jutsu_storage_ops *o = x->ops;
    size_t i;
    int rc = 0;
    for (i = 0; i < o->n_migrations && rc == 0; i++) {
        const struct jutsu_migration *m = &o->migrations[i];
        if ((rc = o->begin(x->db)) == 0 && (rc = o->exec(x->db, m->up)) == 0)
            rc = o->commit(x->db);
        if (rc != 0) {
            harness_check(x->h, 0, "storage.migrate.up", "%s: %s (is the database empty?)",
                          m->rev, why(x, rc));
            o->rollback(x->db);
            return (int)i;
        }
    }
    harness_check(x->h, o->n_migrations > 0, "storage.migrate.up", "%zu revision(s) applied, "
                  "last %s", o->n_migrations, i ? o->migrations[i - 1].rev : "(none)");
    return (int)i;
}

static void migrate_down(struct sx *x, int applied)
{
    const struct jutsu_storage_ops *o = x->ops;
    int rc = 0, i;
    o->rollback(x->db);   /* in case a failed check left one open */
    for (i = applied - 1; i >= 0 && rc == 0; i--) {
        if ((rc = o->begin(x->db)) == 0 && (rc = o->exec(x->db, o->migrations[i].down)) == 0)
            rc = o->commit(x->db);
        if (rc != 0) {
            harness_check(x->h, 0, "storage.migrate.down", "%s: %s", o->migrations[i].rev,
                          why(x, rc));
            o->rollback(x->db);
            return;
        }
    }
    harness_check(x->h, 1, "storage.migrate.down", "%d revision(s) undone", applied);
    char left[256] = "";
    int gone = 0;
    for (i = 0; i < NV(schema_tables); i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "SELECT 1 FROM %s", schema_tables[i]);
        if (run(x, sql, NULL, 0) < 0)
            gone++;
        else
            snprintf(left + strlen(left), sizeof(left) - strlen(left), " %s", schema_tables[i]);
    }
    harness_check(x->h, gone == NV(schema_tables), "storage.schema.gone",
                  "%d of %d tables gone%s%s", gone, NV(schema_tables), left[0] ? "; left:" : "",
                  left);
}

/* --- typed round trips through market_data -------------------------------- */

#define MD_INSERT "INSERT INTO market_data (symbol, timeframe, timestamp, open, high, low, " \
                  "close, volume, data_source, is_valid) VALUES ($1, $2, $3, $4, $5, $6, $7, " \
                  "$8, $9, $10)"

struct md_row {
    jutsu_time_t  ts;
    jutsu_money_t close;
    int64_t       volume;
    int           valid;    /* 0, 1, or -1 for NULL */
};

/* Sorted neither by time nor by money, so that ORDER BY has work to do;
 * text ordering would put "-1" before "-86400000001" and "10" before "5". */
static const struct md_row md_rows[] = {
    { INT64_C(1736456400123456),   INT64_C(-123456789),          INT64_C(9007199254740993), 1 },
    { INT64_C(-86400000001),       INT64_C(999999999999999999),  0,                         0 },
    { 0,                           1,                            1,                         -1 },
    { INT64_C(253402300799999999), INT64_C(5000000),             INT64_C(-42),              1 },
    { INT64_C(1000000),            INT64_C(10000000),            INT64_C(9223372036854775807), 1 },
    { -1,                          INT64_C(-999999999999999999), 7,                         0 },
};

static const char utf8_source[] = "Z\xC3\xBCrich\xE2\x86\x92\xE2\x82\xAC\xE6\x97\xA5\xE6\x9C\xAC";

static int md_insert(struct sx *x, const char *symbol, const struct md_row *r)
{
    struct jutsu_db_value p[] = {
        jutsu_db_text(symbol, (uint32_t)strlen(symbol)), jutsu_db_text("1D", 2),
        jutsu_db_time(r->ts), jutsu_db_money(r->close), jutsu_db_money(JUTSU_MONEY_MAX),
        jutsu_db_money(JUTSU_MONEY_MIN), jutsu_db_money(r->close), jutsu_db_int(r->volume),
        jutsu_db_text(utf8_source, (uint32_t)strlen(utf8_source)),
        r->valid < 0 ? jutsu_db_null() : jutsu_db_bool(r->valid)
    };
    return run(x, MD_INSERT, p, NV(p));
}

/* Reads one row back by its key; *bad describes the first difference. */
static int md_check(struct sx *x, const struct md_row *r, char *bad, size_t badsz)
{
    static const char sql[] = "SELECT open, high, low, close, volume, is_valid, data_source, "
                              "timestamp FROM market_data WHERE symbol = $1 AND timestamp = $2";
    struct jutsu_db_value p[] = { jutsu_db_text("RT", 2), jutsu_db_time(r->ts) }, v[8];
    static const uint32_t types[8] = { JUTSU_DB_DECIMAL, JUTSU_DB_DECIMAL, JUTSU_DB_DECIMAL,
                                       JUTSU_DB_DECIMAL, JUTSU_DB_INT64, JUTSU_DB_BOOL,
                                       JUTSU_DB_TEXT, JUTSU_DB_TIME };
    jutsu_stmt *st = NULL;
    int rc = x->ops->prepare(x->db, sql, &st);
    if (rc == 0 && (rc = bind_all(x, st, p, 2)) == 0 && (rc = x->ops->step(st)) == JUTSU_DB_ROW)
        for (int i = 0; i < 8 && rc == JUTSU_DB_ROW; i++)
            if (x->ops->column(st, i, types[i], JUTSU_MONEY_DB_SCALE, &v[i]) != 0)
                rc = JUTSU_EINVAL;
    if (rc != JUTSU_DB_ROW) {
        snprintf(bad, badsz, "reading ts %lld: %s", (long long)r->ts,
                 rc == JUTSU_DB_DONE ? "no row" : why(x, rc));
    } else {
        const char *what = v[0].v.i != r->close ? "open" : v[1].v.i != JUTSU_MONEY_MAX ? "high"
            : v[2].v.i != JUTSU_MONEY_MIN ? "low" : v[3].v.i != r->close ? "close"
            : v[4].v.i != r->volume ? "volume" : v[7].v.t != r->ts ? "timestamp"
            : (r->valid < 0 ? v[5].type != JUTSU_DB_NULL
                            : v[5].type != JUTSU_DB_BOOL || v[5].v.i != r->valid) ? "is_valid"
            : (v[6].len != strlen(utf8_source) || memcmp(v[6].v.s, utf8_source, v[6].len))
              ? "data_source (UTF-8)" : NULL;
        rc = what ? JUTSU_EINVAL : 0;
        if (what) {
            char got[JUTSU_MONEY_BUFSZ];
            jutsu_money_format(v[3].v.i, got);
            snprintf(bad, badsz, "ts %lld: %s differs (close read %s)", (long long)r->ts, what,
                     got);
        }
    }
    if (st)
        x->ops->finalize(st);
    return rc;
}

static void check_roundtrips(struct sx *x)
{
    char bad[300] = "";
    int rc = 0, i;
    for (i = 0; i < NV(md_rows) && rc == 0; i++)
        if ((rc = md_insert(x, "RT", &md_rows[i])) != 0)
            snprintf(bad, sizeof(bad), "insert %d: %s", i, why(x, rc));
    harness_check(x->h, rc == 0, "storage.insert", "%d market_data rows with DECIMAL, TIME, "
                  "INT64, BOOL, NULL and UTF-8 TEXT%s%s", i, bad[0] ? ": " : "", bad);
    if (rc != 0)
        return;
    for (i = 0; i < NV(md_rows) && rc == 0; i++)
        rc = md_check(x, &md_rows[i], bad, sizeof(bad));
    harness_check(x->h, rc == 0, "storage.roundtrip", "%s", rc == 0
                  ? "999999999999.999999, 0.000001, -123.456789, times before the epoch "
                    "and in year 9999, 2^53+1, NULL and UTF-8 read back exactly" : bad);
}

/* The rows of `sql` (one column of `type`) equal want[] in order. */
static void check_order(struct sx *x, const char *name, const char *sql, uint32_t type,
                        const int64_t *want, int n)
{
    struct jutsu_db_value p = jutsu_db_text("RT", 2), v;
    jutsu_stmt *st = NULL;
    int rc = x->ops->prepare(x->db, sql, &st), i = 0, ok = 1;
    if (rc == 0)
        rc = x->ops->bind(st, 1, &p);
    while (rc == 0 && (rc = x->ops->step(st)) == JUTSU_DB_ROW) {
        rc = x->ops->column(st, 0, type, JUTSU_MONEY_DB_SCALE, &v);
        if (rc == 0 && (i >= n || v.v.i != want[i]))
            ok = 0;
        i++;
    }
    if (st)
        x->ops->finalize(st);
    report(x, rc == JUTSU_DB_DONE && ok && i == n, name, rc, "%d rows in %s order", i,
           ok && i == n ? "numeric" : "WRONG");
}

static void check_ordering(struct sx *x)
{
    int64_t times[NV(md_rows)], money[NV(md_rows)];
    int n = NV(md_rows);
    for (int i = 0; i < n; i++) {
        times[i] = md_rows[i].ts;
        money[i] = md_rows[i].close;
    }
    for (int i = 1; i < n; i++)          /* insertion sort, both arrays */
        for (int j = i; j > 0; j--) {
            int64_t t;
            if (times[j] < times[j - 1])
                t = times[j], times[j] = times[j - 1], times[j - 1] = t;
            if (money[j] < money[j - 1])
                t = money[j], money[j] = money[j - 1], money[j - 1] = t;
        }
    check_order(x, "storage.order.money", "SELECT close FROM market_data WHERE symbol = $1 "
                "ORDER BY close", JUTSU_DB_DECIMAL, money, n);
    check_order(x, "storage.order.time", "SELECT timestamp FROM market_data WHERE symbol = $1 "
                "ORDER BY timestamp", JUTSU_DB_TIME, times, n);
}

/* --- dates, NULLs, bytes -------------------------------------------------- */

static void check_dates(struct sx *x)
{
    static const int ymd[][3] = { { 2025, 1, 9 }, { 1969, 12, 31 }, { 2000, 2, 29 },
                                  { 2024, 12, 31 }, { 1970, 1, 1 } };
    jutsu_date_t want[NV(ymd)];
    int rc = 0, n = NV(ymd), i, got = 0, ok = 1;
    for (i = 0; i < n && rc == 0; i++) {
        struct jutsu_db_value p[] = { jutsu_db_date(jutsu_date_from_ymd(ymd[i][0], ymd[i][1],
                                                                        ymd[i][2])) };
        want[i] = p[0].v.d;
        rc = run(x, "INSERT INTO eod_job_status (job_date, status) VALUES ($1, 'completed')",
                 p, 1);
    }
    if (rc != 0) {
        harness_check(x->h, 0, "storage.date", "insert into eod_job_status: %s", why(x, rc));
        return;
    }
    for (i = 1; i < n; i++)
        for (int j = i; j > 0 && want[j] < want[j - 1]; j--) {
            jutsu_date_t t = want[j];
            want[j] = want[j - 1], want[j - 1] = t;
        }
    jutsu_stmt *st = NULL;
    struct jutsu_db_value v;
    rc = x->ops->prepare(x->db, "SELECT job_date FROM eod_job_status ORDER BY job_date", &st);
    while (rc == 0 && (rc = x->ops->step(st)) == JUTSU_DB_ROW) {
        rc = x->ops->column(st, 0, JUTSU_DB_DATE, 0, &v);
        if (rc == 0 && (got >= n || v.type != JUTSU_DB_DATE || v.v.d != want[got]))
            ok = 0;
        got++;
    }
    if (st)
        x->ops->finalize(st);
    report(x, rc == JUTSU_DB_DONE && ok && got == n, "storage.date", rc,
           "%d dates (1969-12-31 .. 2025-01-09) read back in order%s", got,
           ok ? "" : ": VALUES DIFFER");
}

static void check_nulls(struct sx *x)
{
    static const char ins[] = "INSERT INTO daily_performance (trading_date, entity_type, "
        "entity_id, mode, total_equity, cash, daily_return, cumulative_return, positions_json) "
        "VALUES ($1, 'strategy', 'v3_5b', 'offline_mock', $2, $3, $4, $5, $6)";
    static const char sel[] = "SELECT trading_date, total_equity, cash, daily_return, "
        "positions_json FROM daily_performance WHERE entity_id = $1";
    jutsu_date_t day = jutsu_date_from_ymd(2025, 1, 9);
    struct jutsu_db_value p[] = { jutsu_db_date(day), jutsu_db_money(INT64_C(100000000000)),
                                  jutsu_db_null(), jutsu_db_decimal(-12345, 6),
                                  jutsu_db_decimal(0, 6), jutsu_db_null() }, v[5];
    static const uint32_t types[5] = { JUTSU_DB_DATE, JUTSU_DB_DECIMAL, JUTSU_DB_DECIMAL,
                                       JUTSU_DB_DECIMAL, JUTSU_DB_TEXT };
    int rc = run(x, ins, p, NV(p));
    jutsu_stmt *st = NULL;
    struct jutsu_db_value k = jutsu_db_text("v3_5b", 5);
    if (rc == 0 && (rc = x->ops->prepare(x->db, sel, &st)) == 0 &&
        (rc = x->ops->bind(st, 1, &k)) == 0 && (rc = x->ops->step(st)) == JUTSU_DB_ROW) {
        rc = 0;
        for (int i = 0; i < 5 && rc == 0; i++)
            rc = x->ops->column(st, i, types[i], 6, &v[i]);
    }
    int ok = rc == 0 && v[0].type == JUTSU_DB_DATE && v[0].v.d == day &&
             v[1].v.i == INT64_C(100000000000) && v[2].type == JUTSU_DB_NULL &&
             v[3].v.i == -12345 && v[4].type == JUTSU_DB_NULL;
    if (st)
        x->ops->finalize(st);
    report(x, ok, "storage.null", rc, "%s", ok
           ? "NULL DECIMAL and NULL TEXT read as NULL; DATE and NUMERIC(10,6) exact"
           : "values differ");
}

static void check_bytes(struct sx *x)
{
    unsigned char cred[32], key[256];
    struct jutsu_db_value u[] = { jutsu_db_text("suite_user", 10), jutsu_db_text("x", 1) }, v[2];
    int64_t uid = 0;
    for (int i = 0; i < 256; i++)
        key[i] = (unsigned char)i;
    for (int i = 0; i < 32; i++)
        cred[i] = (unsigned char)(i % 3 == 0 ? 0 : 0xff - i);
    int rc = query_int(x, "INSERT INTO users (username, password_hash) VALUES ($1, $2) "
                       "RETURNING id", u, 2, &uid);
    struct jutsu_db_value p[] = { jutsu_db_int(uid), jutsu_db_bytes(cred, sizeof(cred)),
                                  jutsu_db_bytes(key, sizeof(key)) };
    if (rc == 0)
        rc = run(x, "INSERT INTO passkeys (user_id, credential_id, public_key) "
                 "VALUES ($1, $2, $3)", p, 3);
    jutsu_stmt *st = NULL;
    if (rc == 0 && (rc = x->ops->prepare(x->db, "SELECT credential_id, public_key FROM "
                                         "passkeys WHERE user_id = $1", &st)) == 0 &&
        (rc = x->ops->bind(st, 1, &p[0])) == 0 && (rc = x->ops->step(st)) == JUTSU_DB_ROW &&
        (rc = x->ops->column(st, 0, JUTSU_DB_BYTES, 0, &v[0])) == 0)
        rc = x->ops->column(st, 1, JUTSU_DB_BYTES, 0, &v[1]);
    int ok = rc == 0 && v[0].len == sizeof(cred) && memcmp(v[0].v.b, cred, sizeof(cred)) == 0 &&
             v[1].len == sizeof(key) && memcmp(v[1].v.b, key, sizeof(key)) == 0;
    if (st)
        x->ops->finalize(st);
    report(x, ok, "storage.bytes", rc, "%s", ok ? "users row (RETURNING "
           "id) and passkeys BYTES with NUL and every byte value read back exactly"
           : "bytes differ");
}

/* --- changes, transactions, savepoints ------------------------------------ */

static void check_changes(struct sx *x)
{
    struct jutsu_db_value p[] = { jutsu_db_int(77), jutsu_db_text("RT", 2) };
    int rc = run(x, "UPDATE market_data SET volume = $1 WHERE symbol = $2", p, 2);
    int64_t all = x->changes;
    struct jutsu_db_value q[] = { jutsu_db_int(78), jutsu_db_text("NONE", 4) };
    if (rc == 0)
        rc = run(x, "UPDATE market_data SET volume = $1 WHERE symbol = $2", q, 2);
    report(x, rc == 0 && all == NV(md_rows) && x->changes == 0, "storage.changes", rc,
           "UPDATE of %d rows reports %lld, of none %lld", NV(md_rows), (long long)all,
           (long long)x->changes);
}

static int insert_simple(struct sx *x, const char *symbol, jutsu_time_t ts)
{
    struct md_row r = { ts, 1000000, 1, 1 };
    return md_insert(x, symbol, &r);
}

static void check_transactions(struct sx *x)
{
    const struct jutsu_storage_ops *o = x->ops;
    int rc = o->begin(x->db);
    int64_t inside = -1;
    if (rc == 0 && (rc = insert_simple(x, "TX", 1)) == 0)
        inside = count_symbol(x, "TX");
    if (rc == 0)
        rc = o->rollback(x->db);
    else
        o->rollback(x->db);
    int64_t after = count_symbol(x, "TX");
    report(x, rc == 0 && inside == 1 && after == 0, "storage.rollback", rc,
           "row seen inside the transaction (%lld), gone after rollback (%lld)",
           (long long)inside, (long long)after);

    if ((rc = o->begin(x->db)) == 0 && (rc = insert_simple(x, "TX", 2)) == 0)
        rc = o->commit(x->db);
    if (rc != 0)
        o->rollback(x->db);
    after = count_symbol(x, "TX");
    report(x, rc == 0 && after == 1, "storage.commit", rc, "%lld row kept after commit",
           (long long)after);
}

static void check_savepoints(struct sx *x)
{
    const struct jutsu_storage_ops *o = x->ops;
    int rc = o->begin(x->db);
    if (rc == 0 && (rc = insert_simple(x, "SP", 10)) == 0 && (rc = o->savepoint(x->db, "sp_1")) == 0
        && (rc = insert_simple(x, "SP", 11)) == 0 && (rc = o->rollback_to(x->db, "sp_1")) == 0
        && (rc = insert_simple(x, "SP", 12)) == 0 && (rc = o->release(x->db, "sp_1")) == 0)
        rc = o->commit(x->db);
    if (rc != 0)
        o->rollback(x->db);
    struct jutsu_db_value p[] = { jutsu_db_text("SP", 2), jutsu_db_time(11) };
    int64_t n = -1, undone = -1;
    if (rc == 0)
        rc = query_int(x, "SELECT count(*) FROM market_data WHERE symbol = $1", p, 1, &n);
    if (rc == 0)
        rc = query_int(x, "SELECT count(*) FROM market_data WHERE symbol = $1 AND "
                       "timestamp = $2", p, 2, &undone);
    report(x, rc == 0 && n == 2 && undone == 0, "storage.savepoint", rc,
           "savepoint, rollback_to, release: %lld of 3 rows kept, the one rolled back to "
           "the savepoint %s", (long long)n, undone == 0 ? "gone" : "STILL THERE");
    rc = o->savepoint(x->db, "Bad name;");
    harness_check(x->h, rc == JUTSU_EINVAL, "storage.savepoint.name", "\"Bad name;\" %s",
                  rc == JUTSU_EINVAL ? "refused with JUTSU_EINVAL" : "NOT refused");
}

/* --- bulk load ------------------------------------------------------------ */

static const char *const bulk_cols[] = { "symbol", "timeframe", "timestamp", "open", "high",
                                         "low", "close", "volume", "data_source" };
static const char *const bulk_key[] = { "symbol", "timeframe", "timestamp" };

/* Loads `n` rows of symbol BULK whose timestamps are ids[i] seconds. */
static int bulk_load(struct sx *x, const int *ids, int n, int64_t *ins, int64_t *skip)
{
    const struct jutsu_storage_ops *o = x->ops;
    jutsu_bulk *b = NULL;
    int rc = o->begin(x->db);
    if (rc == 0)
        rc = o->bulk_begin(x->db, "market_data", bulk_cols, NV(bulk_cols), bulk_key,
                           NV(bulk_key), &b);
    for (int i = 0; rc == 0 && i < n; i++) {
        jutsu_money_t px = (jutsu_money_t)ids[i] * 1000001;
        struct jutsu_db_value v[] = {
            jutsu_db_text("BULK", 4), jutsu_db_text("1D", 2),
            jutsu_db_time((jutsu_time_t)ids[i] * JUTSU_USEC_PER_SEC), jutsu_db_money(px),
            jutsu_db_money(px), jutsu_db_money(px), jutsu_db_money(px), jutsu_db_int(ids[i]),
            jutsu_db_text("suite", 5)
        };
        rc = o->bulk_row(b, v);
    }
    if (b) {
        int end = o->bulk_end(b, rc == 0, ins, skip);
        rc = rc ? rc : end;
    }
    if (rc == 0)
        rc = o->commit(x->db);
    if (rc != 0)
        o->rollback(x->db);
    return rc;
}

static void check_bulk(struct sx *x)
{
    int ids[50], n = 0;
    int64_t ins = -1, skip = -1;
    int rc = insert_simple(x, "BULK", 1 * JUTSU_USEC_PER_SEC);
    if (rc == 0)
        rc = insert_simple(x, "BULK", 2 * JUTSU_USEC_PER_SEC);
    /* 45 distinct rows, 2 of them already stored; after row 20 the batch
     * repeats five of its own earlier rows */
    for (int i = 0; i < 45; i++) {
        ids[n++] = i;
        if (i == 20)
            for (int d = 10; d < 15; d++)
                ids[n++] = d;
    }
    if (rc == 0)
        rc = bulk_load(x, ids, n, &ins, &skip);
    int64_t stored = count_symbol(x, "BULK");
    report(x, rc == 0 && ins == 43 && skip == 7 && stored == 45, "storage.bulk", rc,
           "50 rows, 5 repeated within the load and 2 already stored: inserted %lld "
           "(want 43), skipped %lld (want 7), %lld stored", (long long)ins, (long long)skip,
           (long long)stored);
    if (rc != 0)
        return;
    rc = bulk_load(x, ids, n, &ins, &skip);
    report(x, rc == 0 && ins == 0 && skip == 50, "storage.bulk.reload", rc,
           "the same load again: inserted %lld, skipped %lld", (long long)ins,
           (long long)skip);
    struct jutsu_db_value p[] = { jutsu_db_text("BULK", 4),
                                  jutsu_db_time(44 * JUTSU_USEC_PER_SEC) };
    int64_t vol = -1;
    rc = query_int(x, "SELECT volume FROM market_data WHERE symbol = $1 AND timestamp = $2",
                   p, 2, &vol);
    report(x, rc == 0 && vol == 44, "storage.bulk.values", rc,
           "a loaded row reads back (volume %lld)", (long long)vol);
}

/* --- constraint errors ---------------------------------------------------- */

/* Runs sql expecting a constraint error; checks what last_error says. */
static void expect_violation(struct sx *x, const char *name, const char *sql,
                             const struct jutsu_db_value *p, int np, const char *sqlstate,
                             const char *field, const char *value)
{
    int rc = run(x, sql, p, np);
    const struct jutsu_db_error *e = x->ops->last_error(x->db);
    const char *got = !e ? "" : strcmp(field, "table") == 0 ? e->table
                    : strcmp(field, "column") == 0 ? e->column : e->constraint;
    int ok = rc == JUTSU_ECONSTRAINT && e && (!sqlstate || strcmp(e->sqlstate, sqlstate) == 0)
             && strcmp(got, value) == 0 && e->message[0] != '\0';
    if (rc == 0)
        harness_check(x->h, 0, name, "the statement succeeded; want a constraint error");
    else
        harness_check(x->h, ok, name, "%s; %s \"%s\" (want %s%s%s \"%s\")", why(x, rc), field,
                      got, sqlstate ? sqlstate : "", sqlstate ? ", " : "", field, value);
}

static void check_constraints(struct sx *x)
{
    expect_violation(x, "storage.err.unique", MD_INSERT, (struct jutsu_db_value[]){
        jutsu_db_text("RT", 2), jutsu_db_text("1D", 2), jutsu_db_time(md_rows[0].ts),
        jutsu_db_money(1), jutsu_db_money(1), jutsu_db_money(1), jutsu_db_money(1),
        jutsu_db_int(1), jutsu_db_text("suite", 5), jutsu_db_bool(1) }, 10, "23505",
        "table", "market_data");
    const struct jutsu_db_error *e = x->ops->last_error(x->db);
    harness_check(x->h, e && e->message[0] && strlen(e->sqlstate) == 5, "storage.last_error",
                  "message \"%s\", sqlstate %s", e ? e->message : "", e ? e->sqlstate : "");

    static const char trade[] = "INSERT INTO live_trades (symbol, timestamp, action, quantity, "
                                "target_price, mode) VALUES ($1, $2, $3, $4, $5, 'offline_mock')";
    struct jutsu_db_value t[] = { jutsu_db_text("QQQ", 3), jutsu_db_time(1),
                                  jutsu_db_text("BUY", 3), jutsu_db_int(10),
                                  jutsu_db_money(INT64_C(512340000)) };
    int rc = run(x, trade, t, 5);
    report(x, rc == 0, "storage.insert.trade", rc, "a BUY is accepted");
    t[2] = jutsu_db_text("HOLD", 4);
    expect_violation(x, "storage.err.check", trade, t, 5, "23514", "constraint",
                     "chk_live_trades_action");

    /* PostgreSQL reports an over-long VARCHAR as 22001 without naming the
     * column (the data API names it before any SQL runs); SQLite's length
     * CHECK names it. Both must refuse it as a constraint error. */
    int pg = strcmp(x->ops->dialect, "postgresql") == 0;
    expect_violation(x, "storage.err.length", MD_INSERT, (struct jutsu_db_value[]){
        jutsu_db_text("ABCDEFGHIJK", 11), jutsu_db_text("1D", 2), jutsu_db_time(5),
        jutsu_db_money(1), jutsu_db_money(1), jutsu_db_money(1), jutsu_db_money(1),
        jutsu_db_int(1), jutsu_db_text("suite", 5), jutsu_db_bool(1) }, 10,
        pg ? "22001" : NULL, pg ? "table" : "column", pg ? "" : "symbol");
    expect_violation(x, "storage.err.fk", "INSERT INTO passkeys (user_id, credential_id, "
                     "public_key) VALUES ($1, $2, $2)", (struct jutsu_db_value[]){
                     jutsu_db_int(987654), jutsu_db_bytes("k", 1) }, 2, "23503", "table",
                     "passkeys");
    expect_violation(x, "storage.err.notnull", "INSERT INTO market_data (symbol, timeframe, "
                     "timestamp, open, high, low, volume, data_source) VALUES ($1, '1D', $2, "
                     "$3, $3, $3, 1, 'suite')", (struct jutsu_db_value[]){
                     jutsu_db_text("NN", 2), jutsu_db_time(6), jutsu_db_money(1) }, 3, "23502",
                     "column", "close");
}

/* --- statement reuse, parameter order ------------------------------------- */

static void check_reuse(struct sx *x)
{
    static const char sql[] = "SELECT close FROM market_data WHERE timestamp = $2 AND "
                              "symbol = $1 AND (symbol = $1 OR symbol IS NULL)";
    jutsu_stmt *st = NULL;
    struct jutsu_db_value v;
    int64_t got[3] = { 0, 0, 0 };
    int rc = x->ops->prepare(x->db, sql, &st), i;
    for (i = 0; i < 3 && rc == 0; i++) {
        const struct md_row *r = &md_rows[i];
        struct jutsu_db_value p[] = { jutsu_db_text("RT", 2), jutsu_db_time(r->ts) };
        if (i > 0)
            rc = x->ops->reset(st);
        if (rc == 0 && (rc = bind_all(x, st, p, 2)) == 0 &&
            (rc = x->ops->step(st)) == JUTSU_DB_ROW &&
            (rc = x->ops->column(st, 0, JUTSU_DB_DECIMAL, 6, &v)) == 0)
            got[i] = v.v.i;
        else if (rc == JUTSU_DB_DONE)
            rc = JUTSU_ENOENT;
    }
    if (st)
        x->ops->finalize(st);
    int ok = rc == 0 && got[0] == md_rows[0].close && got[1] == md_rows[1].close &&
             got[2] == md_rows[2].close;
    report(x, ok, "storage.reset", rc, "one statement, reset and "
                  "rebound 3 times with \"$2 .. $1 .. $1\": %s", ok ? "right rows" : "WRONG rows");
}

static void check_describe(struct sx *x, struct jutsu_ctx *inst)
{
    const char *d = x->ops->describe(x->state), *pw = NULL;
    int leak = d && strcasestr(d, "password") != NULL;
    if (d && inst->config && jutsu_cfg_str(inst->config, "password", &pw) == 0 && pw && *pw)
        leak |= strstr(d, pw) != NULL;
    harness_check(x->h, d && *d && !leak, "storage.describe", "\"%s\"%s", d ? d : "(null)",
                  leak ? " CONTAINS THE PASSWORD" : ", no password");
}

void harness_storage_suite(struct harness *h, struct jutsu_ctx *inst)
{
    struct sx x = { .h = h, .ops = inst->module->desc->ops, .state = inst->state };
    check_describe(&x, inst);
    int rc = x.ops->connect(x.state, &x.db);
    harness_check(h, rc == 0, "storage.connect", "%s %s", x.ops->dialect,
                  rc == 0 ? "connection open" : jutsu_strerror(rc));
    if (rc != 0)
        return;
    int applied = migrate_up(&x);
    if (applied == (int)x.ops->n_migrations && applied > 0) {
        check_roundtrips(&x);
        check_ordering(&x);
        check_dates(&x);
        check_nulls(&x);
        check_bytes(&x);
        check_changes(&x);
        check_transactions(&x);
        check_savepoints(&x);
        check_bulk(&x);
        check_constraints(&x);
        check_reuse(&x);
    }
    migrate_down(&x, applied);
    x.ops->disconnect(x.db);
}
