/*
 * core/store/data_market.c — market_data, data_metadata, data_audit_log.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/store.h"

static const char *const bar_columns[] = {
    "symbol", "timeframe", "timestamp", "open", "high", "low", "close", "volume",
    "data_source", "is_valid"
};
static const char *const bar_key[] = { "symbol", "timeframe", "timestamp" };

static int check_bar(jutsu_dbs *s, const struct jutsu_bar_row *b)
{
    int rc;
    if ((rc = check_text(s, "market_data", "symbol", b->symbol, 10, 1)) ||
        (rc = check_enum(s, "market_data", "timeframe", b->timeframe, jutsu_timeframes, 1)) ||
        (rc = check_text(s, "market_data", "data_source", b->data_source, 20, 1)) ||
        (rc = check_money(s, "market_data", "open", b->open, 1)) ||
        (rc = check_money(s, "market_data", "high", b->high, 1)) ||
        (rc = check_money(s, "market_data", "low", b->low, 1)) ||
        (rc = check_money(s, "market_data", "close", b->close, 1)))
        return rc;
    if (b->volume < 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "market_data.volume: %lld is negative",
                              (long long)b->volume);
    return 0;
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
            size_t wl = strlen(where);
            memmove(s->err + wl, s->err, strnlen(s->err, sizeof(s->err) - wl - 1) + 1);
            memcpy(s->err, where, wl);
            return rc;
        }
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_bulk *b = NULL;
    rc = s->ops->bulk_begin(s->db, "market_data", bar_columns, 10, bar_key, 3, &b);
    if (rc != 0) {
        rc = q_fail(s, rc, "market_data: bulk load");
        return tx_leave(s, own, rc);
    }
    struct jutsu_db_value v[10];
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct jutsu_bar_row *r = &rows[i];
        v[0] = jutsu_db_text(r->symbol, (uint32_t)strlen(r->symbol));
        v[1] = jutsu_db_text(r->timeframe, (uint32_t)strlen(r->timeframe));
        v[2] = jutsu_db_time(r->ts);
        v[3] = jutsu_db_money(r->open);
        v[4] = jutsu_db_money(r->high);
        v[5] = jutsu_db_money(r->low);
        v[6] = jutsu_db_money(r->close);
        v[7] = jutsu_db_int(r->volume);
        v[8] = jutsu_db_text(r->data_source, (uint32_t)strlen(r->data_source));
        v[9] = jutsu_db_bool(r->is_valid);
        if ((rc = s->ops->bulk_row(b, v)) != 0)
            q_fail(s, rc, "market_data: bulk row");
    }
    int erc = s->ops->bulk_end(b, rc == 0, &ins, &skip);
    if (rc == 0 && erc != 0)
        rc = q_fail(s, erc, "market_data: bulk load");
    rc = tx_leave(s, own, rc);
    if (rc == 0) {
        if (inserted)
            *inserted = ins;
        if (skipped)
            *skipped = skip;
    }
    return rc;
}

int jutsu_data_bars_range(jutsu_dbs *s, const char *symbol, const char *timeframe,
                          jutsu_time_t from, jutsu_time_t to, int valid_only,
                          jutsu_bar_fn fn, void *arg)
{
    static const char sql_all[] =
        "SELECT id, symbol, timeframe, timestamp, open, high, low, close, volume, "
        "data_source, is_valid, created_at FROM market_data "
        "WHERE symbol = $1 AND timeframe = $2 AND timestamp >= $3 AND timestamp <= $4 "
        "ORDER BY timestamp";
    static const char sql_valid[] =
        "SELECT id, symbol, timeframe, timestamp, open, high, low, close, volume, "
        "data_source, is_valid, created_at FROM market_data "
        "WHERE symbol = $1 AND timeframe = $2 AND timestamp >= $3 AND timestamp <= $4 "
        "AND is_valid = $5 ORDER BY timestamp";
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, valid_only ? sql_valid : sql_all, &st);
    if (rc)
        return rc;
    if ((rc = b_text(s, st, 1, symbol)) || (rc = b_text(s, st, 2, timeframe)) ||
        (rc = b_time(s, st, 3, from)) || (rc = b_time(s, st, 4, to)) ||
        (valid_only && (rc = b_bool(s, st, 5, 1)))) {
        q_done(s, st);
        return rc;
    }
    while ((rc = s->ops->step(st)) == JUTSU_DB_ROW) {
        struct jutsu_bar_row r = {
            .id = c_int(s, st, 0, 0),
            .symbol = c_text(s, st, 1, 0),
            .timeframe = c_text(s, st, 2, 0),
            .ts = c_time(s, st, 3),
            .open = c_money(s, st, 4),
            .high = c_money(s, st, 5),
            .low = c_money(s, st, 6),
            .close = c_money(s, st, 7),
            .volume = c_int(s, st, 8, 0),
            .data_source = c_text(s, st, 9, 0),
            .is_valid = (int32_t)c_int(s, st, 10, 1),
            .created_at = c_time(s, st, 11),
        };
        int stop = fn(&r, arg);
        if (stop) {
            q_done(s, st);
            return stop;
        }
    }
    if (rc < 0)
        rc = q_fail(s, rc, "market_data: range read");
    q_done(s, st);
    return rc < 0 ? rc : 0;
}

int jutsu_data_close_before(jutsu_dbs *s, const char *symbol, const char *timeframe,
                            jutsu_time_t before, jutsu_time_t *ts, jutsu_money_t *close)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT timestamp, close FROM market_data WHERE symbol = $1 AND "
                          "timeframe = $2 AND timestamp < $3 AND is_valid = $4 "
                          "ORDER BY timestamp DESC LIMIT 1", &st);
    if (rc || (rc = b_text(s, st, 1, symbol)) || (rc = b_text(s, st, 2, timeframe)) ||
        (rc = b_time(s, st, 3, before)) || (rc = b_bool(s, st, 4, 1))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        *ts = c_time(s, st, 0);
        *close = c_money(s, st, 1);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "market_data: no valid %s %s bar before that time",
                            symbol, timeframe);
    } else {
        rc = q_fail(s, rc, "market_data: read");
    }
    q_done(s, st);
    return rc;
}

int jutsu_data_metadata_get(jutsu_dbs *s, const char *symbol, const char *timeframe,
                            struct jutsu_metadata_row *out)
{
    jutsu_stmt *st = NULL;
    dbs_arena_reset(s);
    int rc = q_prepare(s, "SELECT symbol, timeframe, last_bar_timestamp, total_bars, "
                          "last_updated FROM data_metadata WHERE symbol = $1 AND timeframe = $2",
                       &st);
    if (rc || (rc = b_text(s, st, 1, symbol)) || (rc = b_text(s, st, 2, timeframe))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        out->symbol = c_text(s, st, 0, 1);
        out->timeframe = c_text(s, st, 1, 1);
        out->last_bar_ts = c_time(s, st, 2);
        out->total_bars = c_int(s, st, 3, 0);
        out->last_updated = c_time(s, st, 4);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "data_metadata: no row for %s %s", symbol, timeframe);
    } else {
        rc = q_fail(s, rc, "data_metadata: read");
    }
    q_done(s, st);
    return rc;
}

int jutsu_data_metadata_upsert(jutsu_dbs *s, const struct jutsu_metadata_row *row)
{
    int rc, own;
    if ((rc = check_text(s, "data_metadata", "symbol", row->symbol, 10, 1)) ||
        (rc = check_enum(s, "data_metadata", "timeframe", row->timeframe, jutsu_timeframes, 1)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO data_metadata (symbol, timeframe, last_bar_timestamp, "
                      "total_bars, last_updated) VALUES ($1, $2, $3, $4, $5) "
                      "ON CONFLICT (symbol, timeframe) DO UPDATE SET "
                      "last_bar_timestamp = excluded.last_bar_timestamp, "
                      "total_bars = excluded.total_bars, last_updated = excluded.last_updated",
                   &st);
    jutsu_time_t now = row->last_updated ? row->last_updated : jutsu_dbs_now(s);
    if (rc == 0 && !(rc = b_text(s, st, 1, row->symbol)) && !(rc = b_text(s, st, 2, row->timeframe)) &&
        !(rc = b_time(s, st, 3, row->last_bar_ts)) && !(rc = b_int(s, st, 4, row->total_bars)) &&
        !(rc = b_time(s, st, 5, now)))
        rc = q_exec(s, st, "data_metadata: upsert");
    q_done(s, st);
    return tx_leave(s, own, rc);
}

int jutsu_data_audit_add(jutsu_dbs *s, const struct jutsu_audit_row *row)
{
    static const char *const ops[] = { "sync", "fetch", "import", "update", "delete", NULL };
    static const char *const statuses[] = { "success", "error", "warning", NULL };
    int rc, own;
    if ((rc = check_text(s, "data_audit_log", "symbol", row->symbol, 10, 1)) ||
        (rc = check_text(s, "data_audit_log", "timeframe", row->timeframe, 10, 1)) ||
        (rc = check_enum(s, "data_audit_log", "operation", row->operation, ops, 1)) ||
        (rc = check_enum(s, "data_audit_log", "status", row->status, statuses, 1)))
        return rc;
    /* a long message is cut, not refused: the audit entry matters more */
    char msg[501];
    const char *m = row->message;
    if (m && strlen(m) > 500) {
        size_t cut = 497;
        while (cut > 0 && ((unsigned char)m[cut] & 0xC0) == 0x80)
            cut--;   /* never split a UTF-8 sequence */
        snprintf(msg, sizeof(msg), "%.*s...", (int)cut, m);
        m = msg;
    }
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO data_audit_log (symbol, timeframe, operation, status, "
                      "message, bars_affected, timestamp) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   &st);
    jutsu_time_t ts = row->ts ? row->ts : jutsu_dbs_now(s);
    if (rc == 0 && !(rc = b_text(s, st, 1, row->symbol)) && !(rc = b_text(s, st, 2, row->timeframe)) &&
        !(rc = b_text(s, st, 3, row->operation)) && !(rc = b_text(s, st, 4, row->status)) &&
        !(rc = b_text(s, st, 5, m)) && !(rc = b_int(s, st, 6, row->bars_affected)) &&
        !(rc = b_time(s, st, 7, ts)))
        rc = q_exec(s, st, "data_audit_log: insert");
    q_done(s, st);
    return tx_leave(s, own, rc);
}

int jutsu_data_metadata_list(jutsu_dbs *s, int (*fn)(const struct jutsu_metadata_row *, void *),
                             void *arg)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT symbol, timeframe, last_bar_timestamp, total_bars, last_updated "
                          "FROM data_metadata ORDER BY symbol, timeframe", &st);
    if (rc)
        return rc;
    while ((rc = s->ops->step(st)) == JUTSU_DB_ROW) {
        struct jutsu_metadata_row m = {
            .symbol = c_text(s, st, 0, 0), .timeframe = c_text(s, st, 1, 0),
            .last_bar_ts = c_time(s, st, 2), .total_bars = c_int(s, st, 3, 0),
            .last_updated = c_time(s, st, 4),
        };
        int stop = fn(&m, arg);
        if (stop) {
            q_done(s, st);
            return stop;
        }
    }
    if (rc < 0)
        rc = q_fail(s, rc, "data_metadata: list");
    q_done(s, st);
    return rc < 0 ? rc : 0;
}
