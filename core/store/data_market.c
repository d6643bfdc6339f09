/*
 * core/store/data_market.c — market_data, data_metadata, data_audit_log.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"

/* --- market_data ----------------------------------------------------------- */

#define BR struct jutsu_bar_row
static const struct jutsu_col bar_cols[] = {
    COL_ID(BR, id),
    COL_TEXT(BR, symbol, 10, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_ENUM(BR, timeframe, jutsu_timeframes, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_TIME_AS(BR, ts, "timestamp", JUTSU_COL_KEY),
    COL_TEXT(BR, data_source, 20, JUTSU_COL_REQUIRED),
    COL_MONEY(BR, open, JUTSU_COL_REQUIRED),
    COL_MONEY(BR, high, JUTSU_COL_REQUIRED),
    COL_MONEY(BR, low, JUTSU_COL_REQUIRED),
    COL_MONEY(BR, close, JUTSU_COL_REQUIRED),
    COL_INT64(BR, volume, 0),
    COL_BOOL(BR, is_valid, JUTSU_COL_READ1 | JUTSU_COL_NOTNULL),
    COL_TIME(BR, created_at, JUTSU_COL_READONLY),
};
#undef BR
static const struct jutsu_table bars = JUTSU_TABLE("market_data", struct jutsu_bar_row,
                                                   bar_cols);
#define NBAR 16   /* room for bar_cols' written columns */

#define RANGE "WHERE symbol = $1 AND timeframe = $2 AND timestamp >= $3 AND timestamp <= $4 "
static struct jutsu_sql bars_all = JUTSU_SQL(&bars, JUTSU_SQL_SELECT, RANGE
                                             "ORDER BY timestamp");
static struct jutsu_sql bars_valid = JUTSU_SQL(&bars, JUTSU_SQL_SELECT, RANGE
                                               "AND is_valid = $5 ORDER BY timestamp");
/* a price book's read: the valid bars' prices and volume, nothing else */
static struct jutsu_sql bars_prices = JUTSU_SQL_ONLY(&bars,
    "timestamp open high low close volume", RANGE "AND is_valid = $5 ORDER BY timestamp");
static struct jutsu_sql bars_page = JUTSU_SQL(&bars, JUTSU_SQL_SELECT, RANGE
                                              "ORDER BY timestamp LIMIT $5 OFFSET $6");
static const char bars_count[] = "SELECT COUNT(*) FROM market_data " RANGE;
#undef RANGE

static int check_bar(jutsu_dbs *s, const struct jutsu_bar_row *b)
{
    int rc = jutsu_row_check(s, &bars, b, JUTSU_ROW_INSERT);
    if (rc == 0 && b->volume < 0)
        rc = jutsu_dbs_fail(s, JUTSU_ERANGE, "market_data.volume: %lld is negative",
                            (long long)b->volume);
    return rc;
}

/* The rows through the driver's bulk path: skip-existing on the key. */
static int bulk_load(jutsu_dbs *s, const struct jutsu_bar_row *rows, size_t n, int64_t *ins,
                     int64_t *skip)
{
    const char *names[NBAR], *keys[NBAR];
    struct jutsu_db_value v[NBAR];
    size_t nkeys, ncols = jutsu_row_names(&bars, names, NBAR, keys, &nkeys);
    jutsu_bulk *b = NULL;
    int rc = s->ops->bulk_begin(s->db, bars.name, names, (int)ncols, keys, (int)nkeys, &b);
    if (rc != 0)
        return jutsu_dbs_fail_driver(s, rc, "market_data: bulk load");
    jutsu_time_t now = jutsu_dbs_now(s);
    size_t nv;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if ((rc = jutsu_row_values(&bars, &rows[i], now, v, NBAR, &nv)) != 0)
            jutsu_dbs_fail(s, rc, "market_data: row %zu: an infinite value", i + 1);
        else if ((rc = s->ops->bulk_row(b, v)) != 0)
            jutsu_dbs_fail_driver(s, rc, "market_data: bulk row");
    }
    int erc = s->ops->bulk_end(b, rc == 0, ins, skip);
    if (rc == 0 && erc != 0)
        rc = jutsu_dbs_fail_driver(s, erc, "market_data: bulk load");
    return rc;
}

int jutsu_data_bars_upsert(jutsu_dbs *s, const struct jutsu_bar_row *rows, size_t n,
                           int64_t *inserted, int64_t *skipped)
{
    int64_t ins = 0, skip = 0;
    int own, rc;
    /* everything is checked before anything is written */
    for (size_t i = 0; i < n; i++)
        if ((rc = check_bar(s, &rows[i])) != 0) {
            char where[64];
            snprintf(where, sizeof(where), "row %zu: ", i + 1);
            jutsu_dbs_error_prefix(s, where);
            return rc;
        }
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    rc = jutsu_dbs_tx_leave(s, own, bulk_load(s, rows, n, &ins, &skip));
    if (rc == 0) {
        if (inserted)
            *inserted = ins;
        if (skipped)
            *skipped = skip;
    }
    return rc;
}

/* The typed callbacks of the bar and metadata reads, through the row
 * callback that jutsu_q_each calls (calling one function type through
 * another would be undefined). */
struct typed_fn {
    int  (*bar)(const struct jutsu_bar_row *row, void *arg);
    int  (*meta)(const struct jutsu_metadata_row *row, void *arg);
    void *arg;
};

static int call_typed(const void *row, void *arg)
{
    const struct typed_fn *t = arg;
    return t->bar ? t->bar(row, t->arg) : t->meta(row, t->arg);
}

/* The bars of [from, to] through `sql`, a select of RANGE (and is_valid
 * = true when `valid_only`). */
static int range_read(jutsu_dbs *s, struct jutsu_sql *sql, const char *symbol,
                      const char *timeframe, jutsu_time_t from, jutsu_time_t to, int valid_only,
                      jutsu_bar_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_bar_row r;
    if (jutsu_q_prepare_sql(&q, s, sql, "market_data: range read") != 0)
        return q.rc;
    jutsu_q_text(&q, symbol);
    jutsu_q_text(&q, timeframe);
    jutsu_q_time(&q, from);
    jutsu_q_time(&q, to);
    if (valid_only)
        jutsu_q_bool(&q, 1);
    struct typed_fn t = { .bar = fn, .arg = arg };
    return jutsu_q_each(&q, &bars, &r, call_typed, &t);
}

int jutsu_data_bars_range(jutsu_dbs *s, const char *symbol, const char *timeframe,
                          jutsu_time_t from, jutsu_time_t to, int valid_only,
                          jutsu_bar_fn fn, void *arg)
{
    return range_read(s, valid_only ? &bars_valid : &bars_all, symbol, timeframe, from, to,
                      valid_only, fn, arg);
}

int jutsu_data_bars_prices(jutsu_dbs *s, const char *symbol, const char *timeframe,
                           jutsu_time_t from, jutsu_time_t to, jutsu_bar_fn fn, void *arg)
{
    return range_read(s, &bars_prices, symbol, timeframe, from, to, 1, fn, arg);
}

int jutsu_data_bars_page(jutsu_dbs *s, const char *symbol, const char *timeframe,
                         jutsu_time_t from, jutsu_time_t to, int64_t offset, int64_t limit,
                         jutsu_bar_fn fn, void *arg, int64_t *total)
{
    struct jutsu_q q;
    struct jutsu_bar_row r;
    int rc;
    if ((rc = jutsu_check_text(s, "market_data", "symbol", symbol, 10, 1)) ||
        (rc = jutsu_check_enum(s, "market_data", "timeframe", timeframe, jutsu_timeframes, 1)))
        return rc;
    if (offset < 0 || limit < 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "market_data: offset %lld and limit %lld must "
                              "not be negative", (long long)offset, (long long)limit);
    if (total) {
        if (jutsu_q_prepare(&q, s, bars_count, "market_data: count") != 0)
            return q.rc;
        jutsu_q_text(&q, symbol);
        jutsu_q_text(&q, timeframe);
        jutsu_q_time(&q, from);
        jutsu_q_time(&q, to);
        rc = jutsu_q_step(&q);
        *total = rc == JUTSU_DB_ROW ? jutsu_q_col_int(&q, 0) : 0;
        if ((rc = jutsu_q_done(&q)) != 0)
            return rc;
    }
    if (jutsu_q_prepare_sql(&q, s, &bars_page, "market_data: page read") != 0)
        return q.rc;
    jutsu_q_text(&q, symbol);
    jutsu_q_text(&q, timeframe);
    jutsu_q_time(&q, from);
    jutsu_q_time(&q, to);
    jutsu_q_int(&q, limit ? limit : INT64_MAX);
    jutsu_q_int(&q, offset);
    struct typed_fn t = { .bar = fn, .arg = arg };
    return jutsu_q_each(&q, &bars, &r, call_typed, &t);
}

int jutsu_data_close_before(jutsu_dbs *s, const char *symbol, const char *timeframe,
                            jutsu_time_t before, jutsu_time_t *ts, jutsu_money_t *close)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT timestamp, close FROM market_data WHERE symbol = $1 AND "
                               "timeframe = $2 AND timestamp < $3 AND is_valid = $4 "
                               "ORDER BY timestamp DESC LIMIT 1", "market_data: read") != 0)
        return q.rc;
    jutsu_q_text(&q, symbol);
    jutsu_q_text(&q, timeframe);
    jutsu_q_time(&q, before);
    jutsu_q_bool(&q, 1);
    int rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW) {
        *ts = jutsu_q_col_time(&q);
        *close = jutsu_q_col_money(&q);
    } else if (rc == JUTSU_DB_DONE) {
        q.rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "market_data: no valid %s %s bar before that "
                              "time", symbol, timeframe);
    }
    return jutsu_q_done(&q);
}

/* --- data_metadata ---------------------------------------------------------- */

#define MR struct jutsu_metadata_row
static const struct jutsu_col metadata_cols[] = {
    COL_TEXT(MR, symbol, 10, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_ENUM(MR, timeframe, jutsu_timeframes, JUTSU_COL_REQUIRED | JUTSU_COL_KEY),
    COL_TIME_AS(MR, last_bar_ts, "last_bar_timestamp", 0),
    COL_INT64(MR, total_bars, 0),
    COL_TIME(MR, last_updated, JUTSU_COL_NOW),
};
#undef MR
static const struct jutsu_table metadata = JUTSU_TABLE("data_metadata",
                                                       struct jutsu_metadata_row,
                                                       metadata_cols);
static struct jutsu_sql metadata_get = JUTSU_SQL(&metadata, JUTSU_SQL_SELECT,
                                                 "WHERE symbol = $1 AND timeframe = $2");
static struct jutsu_sql metadata_list = JUTSU_SQL(&metadata, JUTSU_SQL_SELECT,
                                                  "ORDER BY symbol, timeframe");
static struct jutsu_sql metadata_upsert = JUTSU_SQL(&metadata, JUTSU_SQL_UPSERT, NULL);

int jutsu_data_metadata_get(jutsu_dbs *s, const char *symbol, const char *timeframe,
                            struct jutsu_metadata_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    if (jutsu_q_prepare_sql(&q, s, &metadata_get, "data_metadata: read") != 0)
        return q.rc;
    jutsu_q_text(&q, symbol);
    jutsu_q_text(&q, timeframe);
    int rc = jutsu_q_one(&q, &metadata, out);
    if (rc == JUTSU_ENOENT)
        rc = jutsu_dbs_fail(s, rc, "data_metadata: no row for %s %s", symbol, timeframe);
    return rc;
}

int jutsu_data_metadata_upsert(jutsu_dbs *s, const struct jutsu_metadata_row *row)
{
    int rc, own;
    if ((rc = jutsu_row_check(s, &metadata, row, JUTSU_ROW_INSERT)) ||
        (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, &metadata_upsert, row, jutsu_dbs_now(s), "data_metadata: upsert");
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}

int jutsu_data_metadata_list(jutsu_dbs *s, int (*fn)(const struct jutsu_metadata_row *, void *),
                             void *arg)
{
    struct jutsu_q q;
    struct jutsu_metadata_row r;
    if (jutsu_q_prepare_sql(&q, s, &metadata_list, "data_metadata: list") != 0)
        return q.rc;
    struct typed_fn t = { .meta = fn, .arg = arg };
    return jutsu_q_each(&q, &metadata, &r, call_typed, &t);
}

/* --- data_audit_log --------------------------------------------------------- */

static const char *const audit_ops[] = { "sync", "fetch", "import", "update", "delete", NULL };
static const char *const audit_statuses[] = { "success", "error", "warning", NULL };

#define AR struct jutsu_audit_row
static const struct jutsu_col audit_cols[] = {
    COL_ID(AR, id),
    COL_TEXT(AR, symbol, 10, JUTSU_COL_REQUIRED),
    COL_TEXT(AR, timeframe, 10, JUTSU_COL_REQUIRED),
    COL_ENUM(AR, operation, audit_ops, JUTSU_COL_REQUIRED),
    COL_ENUM(AR, status, audit_statuses, JUTSU_COL_REQUIRED),
    COL_TEXT(AR, message, 0, 0),   /* cut to 500 before writing */
    COL_INT64(AR, bars_affected, 0),
    COL_TIME_AS(AR, ts, "timestamp", JUTSU_COL_NOW),
};
#undef AR
static const struct jutsu_table audit = JUTSU_TABLE("data_audit_log", struct jutsu_audit_row,
                                                    audit_cols);
static struct jutsu_sql audit_insert = JUTSU_SQL(&audit, JUTSU_SQL_INSERT, NULL);

int jutsu_data_audit_add(jutsu_dbs *s, const struct jutsu_audit_row *row)
{
    int rc, own;
    if ((rc = jutsu_row_check(s, &audit, row, JUTSU_ROW_INSERT)) != 0)
        return rc;
    /* a long message is cut, not refused: the audit entry matters more */
    struct jutsu_audit_row r = *row;
    char msg[501];
    if (r.message && strlen(r.message) > 500) {
        size_t cut = 497;
        while (cut > 0 && ((unsigned char)r.message[cut] & 0xC0) == 0x80)
            cut--;   /* never split a UTF-8 sequence */
        snprintf(msg, sizeof(msg), "%.*s...", (int)cut, r.message);
        r.message = msg;
    }
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, &audit_insert, &r, jutsu_dbs_now(s), "data_audit_log: insert");
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}
