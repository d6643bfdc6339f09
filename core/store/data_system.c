/*
 * core/store/data_system.c — system_state, config_overrides with config_history,
 * eod_job_status, and the retention prune.
 *
 * Config overrides are versioned, never edited in place: setting one
 * deactivates the active row for (strategy, parameter), inserts a new
 * active row and records the change in config_history, all in one
 * transaction, so the history always explains the active value. Each
 * override's value is checked against its declared type before anything
 * is written, so a strategy never reads back a value it cannot parse.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/row.h"

/* Index = enum jutsu_state_type. */
static const char *const state_types[] = { "string", "int", "json", "datetime", NULL };
static const char *const value_types[] = { "int", "float", "decimal", "bool", "str", NULL };
static const char *const eod_statuses[] = { "running", "completed", "failed", "partial", NULL };

/* The spec's retention ("1 year rolling" for snapshots is taken as 365
 * days: a fixed window keeps the prune idempotent and independent of leap
 * years; "30 days" for blacklisted tokens counts from their expiry, after
 * which a token is useless anyway). */
#define SNAPSHOT_RETENTION_DAYS 365
#define TOKEN_RETENTION_DAYS    30

/* --- value parsing -------------------------------------------------------- */

/* Whole text as int64: optional sign then digits, nothing else (strtoll
 * alone would accept leading blanks). */
static int parse_int64(const char *v, int64_t *out)
{
    const char *p = v + (*v == '-' || *v == '+');
    if (!isdigit((unsigned char)*p))
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = x;
    return 0;
}

static int parse_finite(const char *v)
{
    if (*v == '\0' || isspace((unsigned char)*v))
        return -1;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    return (*end != '\0' || !isfinite(x) || errno == ERANGE) ? -1 : 0;
}

static int check_state_value(jutsu_dbs *s, const char *key, int type, const char *v)
{
    char why[96];
    int64_t i;
    jutsu_time_t t;
    if (type == JUTSU_STATE_STRING)
        return 0;
    if (v == NULL || *v == '\0')
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "system_state.value: a value of type %s is "
                              "required (key \"%s\")", state_types[type], key);
    if (type == JUTSU_STATE_INT && parse_int64(v, &i) != 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "system_state.value: \"%.40s\" is not an int "
                              "(key \"%s\")", v, key);
    if (type == JUTSU_STATE_JSON && jutsu_json_strict(v, why, sizeof(why)) != 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "system_state.value: \"%.40s\" is not JSON: %s "
                              "(key \"%s\")", v, why, key);
    if (type == JUTSU_STATE_DATETIME && jutsu_time_parse(v, -1, &t) != 0)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "system_state.value: \"%.40s\" is not a datetime "
                              "(ISO 8601, e.g. 2025-01-09T14:30:00Z) (key \"%s\")", v, key);
    return 0;
}

/* --- system_state --------------------------------------------------------- */

int jutsu_data_state_get(jutsu_dbs *s, const char *key, int *type, const char **value)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    if (jutsu_q_prepare(&q, s, "SELECT value_type, value FROM system_state WHERE key = $1",
                        "system_state: read") != 0)
        return q.rc;
    jutsu_q_text(&q, key);
    int rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW) {
        const char *vt = jutsu_q_col_text(&q);
        int t = JUTSU_STATE_STRING;   /* rows written without a type are plain text */
        if (vt != NULL)
            for (t = 0; state_types[t] && strcmp(state_types[t], vt) != 0; t++)
                ;
        if (state_types[t] == NULL) {
            q.rc = jutsu_dbs_fail(s, JUTSU_EMALFORMED, "system_state.value_type: \"%.20s\" of "
                                  "key \"%s\" is not one of string, int, json, datetime", vt,
                                  key);
        } else {
            q.copy = 1;
            *type = t;
            *value = jutsu_q_col_text(&q);
        }
    } else if (rc == JUTSU_DB_DONE) {
        q.rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "system_state: no key \"%s\"", key);
    }
    return jutsu_q_done(&q);
}

int jutsu_data_state_set(jutsu_dbs *s, const char *key, int type, const char *value)
{
    int rc, own;
    if ((rc = jutsu_check_text(s, "system_state", "key", key, 50, 1)) != 0)
        return rc;
    if (type < JUTSU_STATE_STRING || type > JUTSU_STATE_DATETIME)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "system_state.value_type: %d is not one of "
                              "string, int, json, datetime", type);
    if ((rc = check_state_value(s, key, type, value)) || (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "INSERT INTO system_state (key, value, value_type, updated_at) "
                               "VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET "
                               "value = excluded.value, value_type = excluded.value_type, "
                               "updated_at = excluded.updated_at", "system_state: upsert") == 0) {
        jutsu_q_text(&q, key);
        jutsu_q_text(&q, value);
        jutsu_q_text(&q, state_types[type]);
        jutsu_q_time(&q, jutsu_dbs_now(s));
    }
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}

/* --- config_overrides and config_history ---------------------------------- */

/* The rules run in column order: the type before the value it types. */
#define OR struct jutsu_override_row
static const struct jutsu_col override_cols[] = {
    COL_ID(OR, id),
    COL_TEXT(OR, strategy_id, 50, JUTSU_COL_REQUIRED),
    COL_TEXT(OR, parameter_name, 50, JUTSU_COL_REQUIRED),
    COL_ENUM(OR, value_type, value_types, JUTSU_COL_REQUIRED),
    COL_TEXT(OR, override_value, 100, JUTSU_COL_REQUIRED),
    COL_TEXT(OR, original_value, 100, 0),
    COL_BOOL(OR, is_active, JUTSU_COL_READ0),
    COL_TEXT(OR, reason, 200, 0),
    COL_TIME(OR, created_at, JUTSU_COL_NOW),
    COL_TIME(OR, deactivated_at, JUTSU_COL_LATER),
};
#undef OR
static const struct jutsu_table overrides = JUTSU_TABLE("config_overrides",
                                                        struct jutsu_override_row,
                                                        override_cols);
static struct jutsu_sql override_insert = JUTSU_SQL(&overrides, JUTSU_SQL_INSERT, NULL);
static struct jutsu_sql overrides_active = JUTSU_SQL(&overrides, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND is_active = $2 ORDER BY parameter_name");

#define HR struct jutsu_history_row
static const struct jutsu_col history_cols[] = {
    COL_ID(HR, id),
    COL_TEXT(HR, strategy_id, 0, 0),
    COL_TEXT(HR, parameter_name, 0, 0),
    COL_TEXT(HR, old_value, 0, 0),
    COL_TEXT(HR, new_value, 0, 0),
    COL_TEXT(HR, change_type, 0, 0),
    COL_TEXT(HR, changed_by, 0, 0),
    COL_TEXT(HR, reason, 0, 0),
    COL_TIME_AS(HR, ts, "timestamp", 0),
};
#undef HR
static const struct jutsu_table history = JUTSU_TABLE("config_history", struct jutsu_history_row,
                                                      history_cols);
static struct jutsu_sql history_insert = JUTSU_SQL(&history, JUTSU_SQL_INSERT, NULL);
static struct jutsu_sql history_all = JUTSU_SQL(&history, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 ORDER BY timestamp, id");
static struct jutsu_sql history_param = JUTSU_SQL(&history, JUTSU_SQL_SELECT,
    "WHERE strategy_id = $1 AND parameter_name = $2 ORDER BY timestamp, id");

static int check_override_value(jutsu_dbs *s, const char *type, const char *v)
{
    int64_t i;
    jutsu_money_t m;
    int bad = 0;
    if (strcmp(type, "int") == 0)
        bad = parse_int64(v, &i) != 0;
    else if (strcmp(type, "float") == 0)
        bad = parse_finite(v) != 0;
    else if (strcmp(type, "decimal") == 0)
        bad = jutsu_money_parse(v, -1, JUTSU_MONEY_EXACT, &m) != 0;
    else if (strcmp(type, "bool") == 0)
        bad = strcmp(v, "true") != 0 && strcmp(v, "false") != 0;
    if (!bad)
        return 0;
    return jutsu_dbs_fail(s, JUTSU_EINVAL, "config_overrides.override_value: \"%.40s\" is not "
                          "a valid %s%s", v, type,
                          strcmp(type, "bool") == 0 ? " (true or false)" :
                          strcmp(type, "decimal") == 0 ? " (at most 6 decimals, "
                          "|value| <= 999999999999.999999)" : "");
}

static int check_override(jutsu_dbs *s, const struct jutsu_override_row *r, const char *by)
{
    int rc = jutsu_row_check(s, &overrides, r, JUTSU_ROW_INSERT);
    if (rc || (rc = jutsu_check_text(s, "config_history", "changed_by", by, 50, 0)))
        return rc;
    return check_override_value(s, r->value_type, r->override_value);
}

/* The active override of (strategy, parameter): 0 with its values copied
 * into the session arena, JUTSU_ENOENT (no message) when there is none. */
static int active_find(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                       const char **override_value, const char **original_value)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "SELECT override_value, original_value FROM config_overrides "
                               "WHERE strategy_id = $1 AND parameter_name = $2 AND "
                               "is_active = $3 ORDER BY id DESC LIMIT 1",
                        "config_overrides: read") != 0)
        return q.rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_text(&q, parameter);
    jutsu_q_bool(&q, 1);
    q.copy = 1;
    int rc = jutsu_q_step(&q);
    if (rc == JUTSU_DB_ROW) {
        *override_value = jutsu_q_col_text(&q);
        *original_value = jutsu_q_col_text(&q);
    } else if (rc == JUTSU_DB_DONE) {
        q.rc = JUTSU_ENOENT;
    }
    return jutsu_q_done(&q);
}

/* Deactivates every active row of the key: one is the rule, but a row
 * left active by an older writer must not survive a change either. */
static int active_clear(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                        jutsu_time_t now)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, "UPDATE config_overrides SET is_active = $1, deactivated_at = $2 "
                               "WHERE strategy_id = $3 AND parameter_name = $4 AND "
                               "is_active = $5", "config_overrides: deactivate") == 0) {
        jutsu_q_bool(&q, 0);
        jutsu_q_time(&q, now);
        jutsu_q_text(&q, strategy_id);
        jutsu_q_text(&q, parameter);
        jutsu_q_bool(&q, 1);
    }
    return jutsu_q_exec(&q);
}

/* Inserts a row of `sql`'s table; `what` names it in errors. */
static int insert(jutsu_dbs *s, struct jutsu_sql *sql, const void *row, jutsu_time_t now,
                  const char *what)
{
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, sql, row, now, what);
    return jutsu_q_exec(&q);
}

static int override_set_tx(jutsu_dbs *s, const struct jutsu_override_row *row,
                           const char *changed_by, jutsu_time_t now)
{
    const char *prev = NULL, *prev_orig = NULL;
    struct jutsu_override_row r = *row;
    int rc = active_find(s, row->strategy_id, row->parameter_name, &prev, &prev_orig);
    if (rc == JUTSU_ENOENT)
        prev = row->original_value;   /* the first override replaces the default */
    else if (rc != 0)
        return rc;
    /* a caller that does not know the default keeps the one already
     * recorded, so that a later unset still restores it */
    if ((r.original_value == NULL || *r.original_value == '\0') && prev_orig != NULL)
        r.original_value = prev_orig;
    r.is_active = 1;
    struct jutsu_history_row h = {
        .strategy_id = row->strategy_id, .parameter_name = row->parameter_name,
        .old_value = prev, .new_value = row->override_value, .change_type = "override",
        .changed_by = changed_by, .reason = row->reason, .ts = now,
    };
    if ((rc = active_clear(s, row->strategy_id, row->parameter_name, now)) ||
        (rc = insert(s, &override_insert, &r, now, "config_overrides: insert")) ||
        (rc = insert(s, &history_insert, &h, now, "config_history: insert")))
        return rc;
    return 0;
}

int jutsu_data_override_set(jutsu_dbs *s, const struct jutsu_override_row *row,
                            const char *changed_by)
{
    int rc, own;
    if ((rc = check_override(s, row, changed_by)) || (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    rc = override_set_tx(s, row, changed_by, jutsu_dbs_now(s));
    return jutsu_dbs_tx_leave(s, own, rc);
}

static int override_unset_tx(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                             const char *changed_by, const char *reason, jutsu_time_t now)
{
    const char *cur = NULL, *orig = NULL;
    int rc = active_find(s, strategy_id, parameter, &cur, &orig);
    if (rc == JUTSU_ENOENT)
        return jutsu_dbs_fail(s, rc, "config_overrides: no active override of %s for "
                              "strategy %s", parameter, strategy_id);
    if (rc != 0)
        return rc;
    struct jutsu_history_row h = {
        .strategy_id = strategy_id, .parameter_name = parameter, .old_value = cur,
        .new_value = orig, .change_type = "restore", .changed_by = changed_by,
        .reason = reason, .ts = now,
    };
    if ((rc = active_clear(s, strategy_id, parameter, now)) ||
        (rc = insert(s, &history_insert, &h, now, "config_history: insert")))
        return rc;
    return 0;
}

int jutsu_data_override_unset(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                              const char *changed_by, const char *reason)
{
    int rc, own;
    if ((rc = jutsu_check_text(s, "config_overrides", "strategy_id", strategy_id, 50, 1)) ||
        (rc = jutsu_check_text(s, "config_overrides", "parameter_name", parameter, 50, 1)) ||
        (rc = jutsu_check_text(s, "config_history", "changed_by", changed_by, 50, 0)) ||
        (rc = jutsu_check_text(s, "config_history", "reason", reason, 200, 0)) ||
        (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    rc = override_unset_tx(s, strategy_id, parameter, changed_by, reason, jutsu_dbs_now(s));
    return jutsu_dbs_tx_leave(s, own, rc);
}

int jutsu_data_overrides_active(jutsu_dbs *s, const char *strategy_id, jutsu_row_fn fn,
                                void *arg)
{
    struct jutsu_q q;
    struct jutsu_override_row r;
    if (jutsu_q_prepare_sql(&q, s, &overrides_active, "config_overrides: read") != 0)
        return q.rc;
    jutsu_q_text(&q, strategy_id);
    jutsu_q_bool(&q, 1);
    return jutsu_q_each(&q, &overrides, &r, fn, arg);
}

int jutsu_data_history_range(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                             jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_history_row r;
    int one = parameter != NULL && *parameter != '\0';
    if (jutsu_q_prepare_sql(&q, s, one ? &history_param : &history_all,
                            "config_history: read") != 0)
        return q.rc;
    jutsu_q_text(&q, strategy_id);
    if (one)
        jutsu_q_text(&q, parameter);
    return jutsu_q_each(&q, &history, &r, fn, arg);
}

/* --- eod_job_status ------------------------------------------------------- */

#define ER struct jutsu_eod_status_row
static const struct jutsu_col eod_cols[] = {
    COL_DATE(ER, job_date, JUTSU_COL_KEY),
    COL_TIME(ER, started_at, JUTSU_COL_NULL0),
    COL_TIME(ER, completed_at, JUTSU_COL_NULL0),
    COL_ENUM(ER, status, eod_statuses, JUTSU_COL_REQUIRED),
    COL_INT(ER, strategies_total, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_INT(ER, strategies_processed, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_INT(ER, baselines_total, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_INT(ER, baselines_processed, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
    COL_TEXT(ER, error_message, 0, 0),
    COL_INT(ER, retry_count, JUTSU_COL_READ0 | JUTSU_COL_NOTNULL),
};
#undef ER
static const struct jutsu_table eod_status = JUTSU_TABLE("eod_job_status",
                                                         struct jutsu_eod_status_row, eod_cols);
static struct jutsu_sql eod_get = JUTSU_SQL(&eod_status, JUTSU_SQL_SELECT, "WHERE job_date = $1");
static struct jutsu_sql eod_upsert = JUTSU_SQL(&eod_status, JUTSU_SQL_UPSERT, NULL);
static struct jutsu_sql eod_range = JUTSU_SQL(&eod_status, JUTSU_SQL_SELECT,
    "WHERE job_date >= $1 AND job_date <= $2 ORDER BY job_date");

int jutsu_data_eod_status_get(jutsu_dbs *s, jutsu_date_t date, struct jutsu_eod_status_row *out)
{
    struct jutsu_q q;
    jutsu_dbs_arena_reset(s);
    if (jutsu_q_prepare_sql(&q, s, &eod_get, "eod_job_status: read") != 0)
        return q.rc;
    jutsu_q_date(&q, date);
    int rc = jutsu_q_one(&q, &eod_status, out);
    if (rc == JUTSU_ENOENT) {
        char d[JUTSU_DATE_BUFSZ];
        jutsu_date_format(date, d);
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "eod_job_status: no row for %s", d);
    }
    return rc;
}

static int check_count(jutsu_dbs *s, const char *col, int32_t v)
{
    if (v < 0)
        return jutsu_dbs_fail(s, JUTSU_ERANGE, "eod_job_status.%s: %d is negative", col, (int)v);
    return 0;
}

int jutsu_data_eod_status_upsert(jutsu_dbs *s, const struct jutsu_eod_status_row *row)
{
    int rc, own;
    if ((rc = jutsu_row_check(s, &eod_status, row, JUTSU_ROW_INSERT)) ||
        (rc = check_count(s, "strategies_total", row->strategies_total)) ||
        (rc = check_count(s, "strategies_processed", row->strategies_processed)) ||
        (rc = check_count(s, "baselines_total", row->baselines_total)) ||
        (rc = check_count(s, "baselines_processed", row->baselines_processed)) ||
        (rc = check_count(s, "retry_count", row->retry_count)) ||
        (rc = jutsu_dbs_tx_enter(s, &own)))
        return rc;
    struct jutsu_q q;
    jutsu_q_prepare_row(&q, s, &eod_upsert, row, jutsu_dbs_now(s), "eod_job_status: upsert");
    return jutsu_dbs_tx_leave(s, own, jutsu_q_exec(&q));
}

int jutsu_data_eod_status_range(jutsu_dbs *s, jutsu_date_t from, jutsu_date_t to,
                                jutsu_row_fn fn, void *arg)
{
    struct jutsu_q q;
    struct jutsu_eod_status_row r;
    if (jutsu_q_prepare_sql(&q, s, &eod_range, "eod_job_status: range read") != 0)
        return q.rc;
    jutsu_q_date(&q, from);
    jutsu_q_date(&q, to);
    return jutsu_q_each(&q, &eod_status, &r, fn, arg);
}

/* --- retention ------------------------------------------------------------ */

static int delete_before(jutsu_dbs *s, const char *sql, jutsu_time_t cutoff, int64_t *n,
                         const char *what)
{
    struct jutsu_q q;
    if (jutsu_q_prepare(&q, s, sql, what) == 0)
        jutsu_q_time(&q, cutoff);
    return jutsu_q_exec_changes(&q, n);
}

int jutsu_data_prune(jutsu_dbs *s, jutsu_time_t now, int64_t *snapshots_deleted,
                     int64_t *tokens_deleted)
{
    int64_t snaps = 0, toks = 0;
    int own, rc;
    if ((rc = jutsu_dbs_tx_enter(s, &own)) != 0)
        return rc;
    rc = delete_before(s, "DELETE FROM performance_snapshots WHERE timestamp < $1",
                       now - SNAPSHOT_RETENTION_DAYS * JUTSU_USEC_PER_DAY, &snaps,
                       "performance_snapshots: prune");
    if (rc == 0)
        rc = delete_before(s, "DELETE FROM blacklisted_tokens WHERE expires_at < $1",
                           now - TOKEN_RETENTION_DAYS * JUTSU_USEC_PER_DAY, &toks,
                           "blacklisted_tokens: prune");
    rc = jutsu_dbs_tx_leave(s, own, rc);
    if (rc == 0) {
        if (snapshots_deleted)
            *snapshots_deleted = snaps;
        if (tokens_deleted)
            *tokens_deleted = toks;
    }
    return rc;
}
