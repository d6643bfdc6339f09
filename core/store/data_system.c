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

#include <json-c/json.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "store/store.h"

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
    jutsu_stmt *st = NULL;
    dbs_arena_reset(s);
    int rc = q_prepare(s, "SELECT value, value_type FROM system_state WHERE key = $1", &st);
    if (rc || (rc = b_text(s, st, 1, key))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        const char *vt = c_text(s, st, 1, 0);
        int t = JUTSU_STATE_STRING;   /* rows written without a type are plain text */
        if (vt != NULL)
            for (t = 0; state_types[t] && strcmp(state_types[t], vt) != 0; t++)
                ;
        if (state_types[t] == NULL) {
            rc = jutsu_dbs_fail(s, JUTSU_EMALFORMED, "system_state.value_type: \"%.20s\" of key "
                                "\"%s\" is not one of string, int, json, datetime", vt, key);
        } else {
            *type = t;
            *value = c_text(s, st, 0, 1);
            rc = 0;
        }
    } else if (rc == JUTSU_DB_DONE) {
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "system_state: no key \"%s\"", key);
    } else {
        rc = q_fail(s, rc, "system_state: read");
    }
    q_done(s, st);
    return rc;
}

int jutsu_data_state_set(jutsu_dbs *s, const char *key, int type, const char *value)
{
    int rc, own;
    if ((rc = check_text(s, "system_state", "key", key, 50, 1)) != 0)
        return rc;
    if (type < JUTSU_STATE_STRING || type > JUTSU_STATE_DATETIME)
        return jutsu_dbs_fail(s, JUTSU_EINVAL, "system_state.value_type: %d is not one of "
                              "string, int, json, datetime", type);
    if ((rc = check_state_value(s, key, type, value)) != 0)
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO system_state (key, value, value_type, updated_at) "
                      "VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET "
                      "value = excluded.value, value_type = excluded.value_type, "
                      "updated_at = excluded.updated_at", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, key)) && !(rc = b_text(s, st, 2, value)) &&
        !(rc = b_text(s, st, 3, state_types[type])) &&
        !(rc = b_time(s, st, 4, jutsu_dbs_now(s))))
        rc = q_exec(s, st, "system_state: upsert");
    q_done(s, st);
    return tx_leave(s, own, rc);
}

/* --- config_overrides and config_history ---------------------------------- */

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
    int rc;
    if ((rc = check_text(s, "config_overrides", "strategy_id", r->strategy_id, 50, 1)) ||
        (rc = check_text(s, "config_overrides", "parameter_name", r->parameter_name, 50, 1)) ||
        (rc = check_enum(s, "config_overrides", "value_type", r->value_type, value_types, 1)) ||
        (rc = check_text(s, "config_overrides", "override_value", r->override_value, 100, 1)) ||
        (rc = check_text(s, "config_overrides", "original_value", r->original_value, 100, 0)) ||
        (rc = check_text(s, "config_overrides", "reason", r->reason, 200, 0)) ||
        (rc = check_text(s, "config_history", "changed_by", by, 50, 0)))
        return rc;
    return check_override_value(s, r->value_type, r->override_value);
}

/* The active override of (strategy, parameter): 0 with its values copied
 * into the session arena, JUTSU_ENOENT (no message) when there is none. */
static int active_find(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                       const char **override_value, const char **original_value)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT override_value, original_value FROM config_overrides "
                          "WHERE strategy_id = $1 AND parameter_name = $2 AND is_active = $3 "
                          "ORDER BY id DESC LIMIT 1", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, strategy_id)) && !(rc = b_text(s, st, 2, parameter)) &&
        !(rc = b_bool(s, st, 3, 1))) {
        rc = s->ops->step(st);
        if (rc == JUTSU_DB_ROW) {
            *override_value = c_text(s, st, 0, 1);
            *original_value = c_text(s, st, 1, 1);
            rc = 0;
        } else if (rc == JUTSU_DB_DONE) {
            rc = JUTSU_ENOENT;
        } else {
            rc = q_fail(s, rc, "config_overrides: read");
        }
    }
    q_done(s, st);
    return rc;
}

/* Deactivates every active row of the key: one is the rule, but a row
 * left active by an older writer must not survive a change either. */
static int active_clear(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                        jutsu_time_t now)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "UPDATE config_overrides SET is_active = $1, deactivated_at = $2 "
                          "WHERE strategy_id = $3 AND parameter_name = $4 AND is_active = $5",
                       &st);
    if (rc == 0 && !(rc = b_bool(s, st, 1, 0)) && !(rc = b_time(s, st, 2, now)) &&
        !(rc = b_text(s, st, 3, strategy_id)) && !(rc = b_text(s, st, 4, parameter)) &&
        !(rc = b_bool(s, st, 5, 1)))
        rc = q_exec(s, st, "config_overrides: deactivate");
    q_done(s, st);
    return rc;
}

static int override_insert(jutsu_dbs *s, const struct jutsu_override_row *r, jutsu_time_t now)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "INSERT INTO config_overrides (strategy_id, parameter_name, "
                          "original_value, override_value, value_type, is_active, reason, "
                          "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, r->strategy_id)) &&
        !(rc = b_text(s, st, 2, r->parameter_name)) &&
        !(rc = b_text(s, st, 3, r->original_value)) &&
        !(rc = b_text(s, st, 4, r->override_value)) && !(rc = b_text(s, st, 5, r->value_type)) &&
        !(rc = b_bool(s, st, 6, 1)) && !(rc = b_text(s, st, 7, r->reason)) &&
        !(rc = b_time(s, st, 8, r->created_at ? r->created_at : now)))
        rc = q_exec(s, st, "config_overrides: insert");
    q_done(s, st);
    return rc;
}

static int history_add(jutsu_dbs *s, const struct jutsu_history_row *h)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "INSERT INTO config_history (strategy_id, parameter_name, old_value, "
                          "new_value, change_type, changed_by, reason, timestamp) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &st);
    if (rc == 0 && !(rc = b_text(s, st, 1, h->strategy_id)) &&
        !(rc = b_text(s, st, 2, h->parameter_name)) && !(rc = b_text(s, st, 3, h->old_value)) &&
        !(rc = b_text(s, st, 4, h->new_value)) && !(rc = b_text(s, st, 5, h->change_type)) &&
        !(rc = b_text(s, st, 6, h->changed_by)) && !(rc = b_text(s, st, 7, h->reason)) &&
        !(rc = b_time(s, st, 8, h->ts)))
        rc = q_exec(s, st, "config_history: insert");
    q_done(s, st);
    return rc;
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
    struct jutsu_history_row h = {
        .strategy_id = row->strategy_id, .parameter_name = row->parameter_name,
        .old_value = prev, .new_value = row->override_value, .change_type = "override",
        .changed_by = changed_by, .reason = row->reason, .ts = now,
    };
    if ((rc = active_clear(s, row->strategy_id, row->parameter_name, now)) ||
        (rc = override_insert(s, &r, now)) || (rc = history_add(s, &h)))
        return rc;
    return 0;
}

int jutsu_data_override_set(jutsu_dbs *s, const struct jutsu_override_row *row,
                            const char *changed_by)
{
    int rc, own;
    if ((rc = check_override(s, row, changed_by)) != 0)
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    rc = override_set_tx(s, row, changed_by, jutsu_dbs_now(s));
    return tx_leave(s, own, rc);
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
    if ((rc = active_clear(s, strategy_id, parameter, now)) || (rc = history_add(s, &h)))
        return rc;
    return 0;
}

int jutsu_data_override_unset(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                              const char *changed_by, const char *reason)
{
    int rc, own;
    if ((rc = check_text(s, "config_overrides", "strategy_id", strategy_id, 50, 1)) ||
        (rc = check_text(s, "config_overrides", "parameter_name", parameter, 50, 1)) ||
        (rc = check_text(s, "config_history", "changed_by", changed_by, 50, 0)) ||
        (rc = check_text(s, "config_history", "reason", reason, 200, 0)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    rc = override_unset_tx(s, strategy_id, parameter, changed_by, reason,
                           jutsu_dbs_now(s));
    return tx_leave(s, own, rc);
}

static int emit_override(jutsu_dbs *s, jutsu_stmt *st, jutsu_row_fn fn, void *arg)
{
    struct jutsu_override_row r = {
        .id = c_int(s, st, 0, 0),
        .strategy_id = c_text(s, st, 1, 0),
        .parameter_name = c_text(s, st, 2, 0),
        .original_value = c_text(s, st, 3, 0),
        .override_value = c_text(s, st, 4, 0),
        .value_type = c_text(s, st, 5, 0),
        .is_active = (int32_t)c_int(s, st, 6, 0),
        .reason = c_text(s, st, 7, 0),
        .created_at = c_time(s, st, 8),
        .deactivated_at = c_time(s, st, 9),
    };
    return fn(&r, arg);
}

int jutsu_data_overrides_active(jutsu_dbs *s, const char *strategy_id, jutsu_row_fn fn,
                                void *arg)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT id, strategy_id, parameter_name, original_value, "
                          "override_value, value_type, is_active, reason, created_at, "
                          "deactivated_at FROM config_overrides "
                          "WHERE strategy_id = $1 AND is_active = $2 ORDER BY parameter_name",
                       &st);
    if (rc || (rc = b_text(s, st, 1, strategy_id)) || (rc = b_bool(s, st, 2, 1))) {
        q_done(s, st);
        return rc;
    }
    return q_range(s, st, emit_override, fn, arg, "config_overrides: read");
}

static int emit_history(jutsu_dbs *s, jutsu_stmt *st, jutsu_row_fn fn, void *arg)
{
    struct jutsu_history_row r = {
        .id = c_int(s, st, 0, 0),
        .strategy_id = c_text(s, st, 1, 0),
        .parameter_name = c_text(s, st, 2, 0),
        .old_value = c_text(s, st, 3, 0),
        .new_value = c_text(s, st, 4, 0),
        .change_type = c_text(s, st, 5, 0),
        .changed_by = c_text(s, st, 6, 0),
        .reason = c_text(s, st, 7, 0),
        .ts = c_time(s, st, 8),
    };
    return fn(&r, arg);
}

int jutsu_data_history_range(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                             jutsu_row_fn fn, void *arg)
{
    static const char sql_all[] =
        "SELECT id, strategy_id, parameter_name, old_value, new_value, change_type, "
        "changed_by, reason, timestamp FROM config_history WHERE strategy_id = $1 "
        "ORDER BY timestamp, id";
    static const char sql_param[] =
        "SELECT id, strategy_id, parameter_name, old_value, new_value, change_type, "
        "changed_by, reason, timestamp FROM config_history WHERE strategy_id = $1 "
        "AND parameter_name = $2 ORDER BY timestamp, id";
    int one = parameter != NULL && *parameter != '\0';
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, one ? sql_param : sql_all, &st);
    if (rc || (rc = b_text(s, st, 1, strategy_id)) || (one && (rc = b_text(s, st, 2, parameter)))) {
        q_done(s, st);
        return rc;
    }
    return q_range(s, st, emit_history, fn, arg, "config_history: read");
}

/* --- eod_job_status ------------------------------------------------------- */

#define EOD_COLUMNS "job_date, started_at, completed_at, status, strategies_total, " \
    "strategies_processed, baselines_total, baselines_processed, error_message, retry_count"

static void eod_read(jutsu_dbs *s, jutsu_stmt *st, int copy, struct jutsu_eod_status_row *r)
{
    r->job_date = c_date(s, st, 0);
    r->started_at = c_time(s, st, 1);
    r->completed_at = c_time(s, st, 2);
    r->status = c_text(s, st, 3, copy);
    r->strategies_total = (int32_t)c_int(s, st, 4, 0);
    r->strategies_processed = (int32_t)c_int(s, st, 5, 0);
    r->baselines_total = (int32_t)c_int(s, st, 6, 0);
    r->baselines_processed = (int32_t)c_int(s, st, 7, 0);
    r->error_message = c_text(s, st, 8, copy);
    r->retry_count = (int32_t)c_int(s, st, 9, 0);
}

int jutsu_data_eod_status_get(jutsu_dbs *s, jutsu_date_t date, struct jutsu_eod_status_row *out)
{
    jutsu_stmt *st = NULL;
    dbs_arena_reset(s);
    int rc = q_prepare(s, "SELECT " EOD_COLUMNS " FROM eod_job_status WHERE job_date = $1", &st);
    if (rc || (rc = b_date(s, st, 1, date))) {
        q_done(s, st);
        return rc;
    }
    rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        eod_read(s, st, 1, out);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        char d[JUTSU_DATE_BUFSZ];
        jutsu_date_format(date, d);
        rc = jutsu_dbs_fail(s, JUTSU_ENOENT, "eod_job_status: no row for %s", d);
    } else {
        rc = q_fail(s, rc, "eod_job_status: read");
    }
    q_done(s, st);
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
    if ((rc = check_enum(s, "eod_job_status", "status", row->status, eod_statuses, 1)) ||
        (rc = check_count(s, "strategies_total", row->strategies_total)) ||
        (rc = check_count(s, "strategies_processed", row->strategies_processed)) ||
        (rc = check_count(s, "baselines_total", row->baselines_total)) ||
        (rc = check_count(s, "baselines_processed", row->baselines_processed)) ||
        (rc = check_count(s, "retry_count", row->retry_count)))
        return rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    jutsu_stmt *st = NULL;
    rc = q_prepare(s, "INSERT INTO eod_job_status (" EOD_COLUMNS ") VALUES ($1, $2, $3, $4, $5, "
                      "$6, $7, $8, $9, $10) ON CONFLICT (job_date) DO UPDATE SET "
                      "started_at = excluded.started_at, completed_at = excluded.completed_at, "
                      "status = excluded.status, strategies_total = excluded.strategies_total, "
                      "strategies_processed = excluded.strategies_processed, "
                      "baselines_total = excluded.baselines_total, "
                      "baselines_processed = excluded.baselines_processed, "
                      "error_message = excluded.error_message, "
                      "retry_count = excluded.retry_count", &st);
    if (rc == 0 && !(rc = b_date(s, st, 1, row->job_date)) &&
        !(rc = b_time_null(s, st, 2, row->started_at)) &&
        !(rc = b_time_null(s, st, 3, row->completed_at)) && !(rc = b_text(s, st, 4, row->status)) &&
        !(rc = b_int(s, st, 5, row->strategies_total)) &&
        !(rc = b_int(s, st, 6, row->strategies_processed)) &&
        !(rc = b_int(s, st, 7, row->baselines_total)) &&
        !(rc = b_int(s, st, 8, row->baselines_processed)) &&
        !(rc = b_text(s, st, 9, row->error_message)) && !(rc = b_int(s, st, 10, row->retry_count)))
        rc = q_exec(s, st, "eod_job_status: upsert");
    q_done(s, st);
    return tx_leave(s, own, rc);
}

static int emit_eod(jutsu_dbs *s, jutsu_stmt *st, jutsu_row_fn fn, void *arg)
{
    struct jutsu_eod_status_row r;
    eod_read(s, st, 0, &r);
    return fn(&r, arg);
}

int jutsu_data_eod_status_range(jutsu_dbs *s, jutsu_date_t from, jutsu_date_t to,
                                jutsu_row_fn fn, void *arg)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, "SELECT " EOD_COLUMNS " FROM eod_job_status "
                          "WHERE job_date >= $1 AND job_date <= $2 ORDER BY job_date", &st);
    if (rc || (rc = b_date(s, st, 1, from)) || (rc = b_date(s, st, 2, to))) {
        q_done(s, st);
        return rc;
    }
    return q_range(s, st, emit_eod, fn, arg, "eod_job_status: range read");
}

/* --- retention ------------------------------------------------------------ */

static int delete_before(jutsu_dbs *s, const char *sql, jutsu_time_t cutoff, int64_t *n,
                         const char *what)
{
    jutsu_stmt *st = NULL;
    int rc = q_prepare(s, sql, &st);
    if (rc == 0 && !(rc = b_time(s, st, 1, cutoff)) && !(rc = q_exec(s, st, what)))
        *n = s->ops->changes(st);
    q_done(s, st);
    return rc;
}

int jutsu_data_prune(jutsu_dbs *s, jutsu_time_t now, int64_t *snapshots_deleted,
                     int64_t *tokens_deleted)
{
    int64_t snaps = 0, toks = 0;
    int own, rc;
    if ((rc = tx_enter(s, &own)) != 0)
        return rc;
    rc = delete_before(s, "DELETE FROM performance_snapshots WHERE timestamp < $1",
                       now - SNAPSHOT_RETENTION_DAYS * JUTSU_USEC_PER_DAY, &snaps,
                       "performance_snapshots: prune");
    if (rc == 0)
        rc = delete_before(s, "DELETE FROM blacklisted_tokens WHERE expires_at < $1",
                           now - TOKEN_RETENTION_DAYS * JUTSU_USEC_PER_DAY, &toks,
                           "blacklisted_tokens: prune");
    rc = tx_leave(s, own, rc);
    if (rc == 0) {
        if (snapshots_deleted)
            *snapshots_deleted = snaps;
        if (tokens_deleted)
            *tokens_deleted = toks;
    }
    return rc;
}
