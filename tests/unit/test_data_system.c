/*
 * tests/unit/test_data_system.c — system_state, config overrides and their
 * history, eod_job_status and the retention prune, on SQLite and
 * PostgreSQL alike (core/store/data_system.c).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/data_api.h"
#include "testdb.h"

/* 2025-06-02T14:30:00Z */
#define NOW (jutsu_date_to_time(jutsu_date_from_ymd(2025, 6, 2)) + \
             INT64_C(52200) * JUTSU_USEC_PER_SEC)
#define DAYS(n) ((jutsu_time_t)(n) * JUTSU_USEC_PER_DAY)

static jutsu_time_t clock_value;

static jutsu_time_t fixed_clock(void *arg)
{
    return clock_value;
}

static int open_db(struct tdb *t, int i)
{
    tdb_open(t, i, 1);
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    clock_value = NOW;
    t->app->clock = fixed_clock;
    t->app->clock_arg = NULL;
    return 1;
}

/* One time value read with raw SQL (bypassing the API under test). */
static jutsu_time_t read_time(struct tdb *t, const char *sql)
{
    struct jutsu_q q;
    ck_assert_int_eq(jutsu_q_prepare(&q, t->s, sql, "read_time"), 0);
    ck_assert_int_eq(jutsu_q_step(&q), JUTSU_DB_ROW);
    jutsu_time_t v = jutsu_q_col_time(&q);
    jutsu_q_done(&q);
    return v;
}

/* --- system_state --------------------------------------------------------- */

static void expect_state(struct tdb *t, const char *key, int type, const char *value)
{
    int got_type = -1;
    const char *got = NULL;
    ck_assert_msg(jutsu_data_state_get(t->s, key, &got_type, &got) == 0, "%s: %s", t->backend,
                  jutsu_dbs_error(t->s));
    ck_assert_int_eq(got_type, type);
    ck_assert_str_eq(got, value);
}

START_TEST(test_state_types)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    ck_assert_int_eq(jutsu_data_state_set(s, "regime", JUTSU_STATE_STRING, "bull calm"), 0);
    ck_assert_int_eq(jutsu_data_state_set(s, "counter", JUTSU_STATE_INT, "-9223372036854775808"), 0);
    ck_assert_int_eq(jutsu_data_state_set(s, "cfg", JUTSU_STATE_JSON,
                                          "{\"a\": [1, 2.5, null]} "), 0);
    ck_assert_int_eq(jutsu_data_state_set(s, "last_run", JUTSU_STATE_DATETIME,
                                          "2025-01-09T14:30:00Z"), 0);
    expect_state(&t, "regime", JUTSU_STATE_STRING, "bull calm");
    expect_state(&t, "counter", JUTSU_STATE_INT, "-9223372036854775808");
    expect_state(&t, "cfg", JUTSU_STATE_JSON, "{\"a\": [1, 2.5, null]} ");
    expect_state(&t, "last_run", JUTSU_STATE_DATETIME, "2025-01-09T14:30:00Z");
    ck_assert_int_eq(read_time(&t, "SELECT updated_at FROM system_state WHERE key = 'counter'"),
                     NOW);

    /* an upsert: same key, new type and value, updated_at moves */
    clock_value = NOW + DAYS(1);
    ck_assert_int_eq(jutsu_data_state_set(s, "counter", JUTSU_STATE_JSON, "[42]"), 0);
    expect_state(&t, "counter", JUTSU_STATE_JSON, "[42]");
    ck_assert_int_eq(tdb_count(&t, "system_state", NULL), 4);
    ck_assert_int_eq(read_time(&t, "SELECT updated_at FROM system_state WHERE key = 'counter'"),
                     NOW + DAYS(1));

    /* the value survives the get's arena until the next get */
    int type;
    const char *v1 = NULL, *v2 = NULL;
    ck_assert_int_eq(jutsu_data_state_get(s, "regime", &type, &v1), 0);
    ck_assert_str_eq(v1, "bull calm");
    ck_assert_int_eq(jutsu_data_state_get(s, "missing", &type, &v2), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state: no key \"missing\"");
    tdb_close(&t);
}
END_TEST

START_TEST(test_state_refusals)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    ck_assert_int_eq(jutsu_data_state_set(s, "n", JUTSU_STATE_INT, "12x"), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state.value: \"12x\" is not an int (key \"n\")");
    ck_assert_int_eq(jutsu_data_state_set(s, "n", JUTSU_STATE_INT, " 12"), JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_data_state_set(s, "n", JUTSU_STATE_INT, "9223372036854775808"),
                     JUTSU_EINVAL);
    ck_assert_int_eq(jutsu_data_state_set(s, "n", JUTSU_STATE_INT, NULL), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state.value: a value of type int is required "
                     "(key \"n\")");

    ck_assert_int_eq(jutsu_data_state_set(s, "j", JUTSU_STATE_JSON, "{\"a\":"), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state.value: \"{\"a\":\" is not JSON: "
                     "unexpected end of data at offset 5 (key \"j\")");
    ck_assert_int_eq(jutsu_data_state_set(s, "j", JUTSU_STATE_JSON, "{\"a\":1} x"), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state.value: \"{\"a\":1} x\" is not JSON: "
                     "unexpected text after the JSON value at offset 8 (key \"j\")");
    ck_assert_int_eq(jutsu_data_state_set(s, "j", JUTSU_STATE_JSON, "null123"), JUTSU_EINVAL);

    ck_assert_int_eq(jutsu_data_state_set(s, "d", JUTSU_STATE_DATETIME, "2025-02-30T00:00:00Z"),
                     JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state.value: \"2025-02-30T00:00:00Z\" is not a "
                     "datetime (ISO 8601, e.g. 2025-01-09T14:30:00Z) (key \"d\")");
    ck_assert_int_eq(jutsu_data_state_set(s, "d", 7, "x"), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "system_state.value_type: 7 is not one of string, int, "
                     "json, datetime");
    char key[52];
    memset(key, 'k', 51);
    key[51] = '\0';
    ck_assert_int_eq(jutsu_data_state_set(s, key, JUTSU_STATE_STRING, "x"), JUTSU_ERANGE);
    ck_assert_ptr_nonnull(strstr(jutsu_dbs_error(s), "system_state.key: "));
    ck_assert_ptr_nonnull(strstr(jutsu_dbs_error(s), "is 51 characters, the column holds 50"));
    ck_assert_int_eq(tdb_count(&t, "system_state", NULL), 0);
    tdb_close(&t);
}
END_TEST

/* --- overrides ------------------------------------------------------------ */

struct hist {
    int  n;
    char strategy[8][16], param[8][32], old[8][32], new_[8][32], type[8][16], by[8][16],
         reason[8][32];
    jutsu_time_t ts[8];
};

static void cp(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "(null)");
}

static int collect_hist(const void *row, void *arg)
{
    const struct jutsu_history_row *r = row;
    struct hist *h = arg;
    ck_assert_int_lt(h->n, 8);
    int i = h->n++;
    cp(h->strategy[i], sizeof(h->strategy[i]), r->strategy_id);
    cp(h->param[i], sizeof(h->param[i]), r->parameter_name);
    cp(h->old[i], sizeof(h->old[i]), r->old_value);
    cp(h->new_[i], sizeof(h->new_[i]), r->new_value);
    cp(h->type[i], sizeof(h->type[i]), r->change_type);
    cp(h->by[i], sizeof(h->by[i]), r->changed_by);
    cp(h->reason[i], sizeof(h->reason[i]), r->reason);
    h->ts[i] = r->ts;
    return 0;
}

struct active {
    int  n;
    char param[8][32], value[8][32], orig[8][32], type[8][16];
};

static int collect_active(const void *row, void *arg)
{
    const struct jutsu_override_row *r = row;
    struct active *a = arg;
    ck_assert_int_lt(a->n, 8);
    int i = a->n++;
    ck_assert_int_eq(r->is_active, 1);
    ck_assert_int_eq(r->deactivated_at, 0);
    cp(a->param[i], sizeof(a->param[i]), r->parameter_name);
    cp(a->value[i], sizeof(a->value[i]), r->override_value);
    cp(a->orig[i], sizeof(a->orig[i]), r->original_value);
    cp(a->type[i], sizeof(a->type[i]), r->value_type);
    return 0;
}

static int64_t active_count(struct tdb *t, const char *strategy)
{
    char where[160];
    snprintf(where, sizeof(where), "strategy_id = '%s' AND parameter_name = 'sma_fast' "
             "AND is_active AND deactivated_at IS NULL", strategy);
    return tdb_count(t, "config_overrides", where);
}

static struct jutsu_override_row ovr(const char *strategy, const char *value, const char *reason)
{
    struct jutsu_override_row r = {
        .strategy_id = strategy, .parameter_name = "sma_fast", .original_value = "40",
        .override_value = value, .value_type = "int", .reason = reason,
    };
    return r;
}

START_TEST(test_override_cycle)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    struct jutsu_override_row r = ovr("v3_5b", "50", "faster");
    ck_assert_msg(jutsu_data_override_set(s, &r, "alice") == 0, "%s", jutsu_dbs_error(s));
    ck_assert_int_eq(active_count(&t, "v3_5b"), 1);

    /* another strategy's override of the same parameter is its own */
    clock_value = NOW + DAYS(1);
    struct jutsu_override_row other = ovr("v3_5d", "30", "other");
    ck_assert_int_eq(jutsu_data_override_set(s, &other, "carol"), 0);
    ck_assert_int_eq(active_count(&t, "v3_5d"), 1);

    r = ovr("v3_5b", "60", "even faster");
    ck_assert_int_eq(jutsu_data_override_set(s, &r, "bob"), 0);
    ck_assert_int_eq(active_count(&t, "v3_5b"), 1);
    ck_assert_int_eq(tdb_count(&t, "config_overrides", "strategy_id = 'v3_5b'"), 2);
    ck_assert_int_eq(tdb_count(&t, "config_overrides", "strategy_id = 'v3_5b' AND NOT is_active "
                                "AND deactivated_at IS NOT NULL"), 1);
    ck_assert_int_eq(read_time(&t, "SELECT deactivated_at FROM config_overrides WHERE "
                                   "override_value = '50'"), NOW + DAYS(1));

    struct active a = { 0 };
    ck_assert_int_eq(jutsu_data_overrides_active(s, "v3_5b", collect_active, &a), 0);
    ck_assert_int_eq(a.n, 1);
    ck_assert_str_eq(a.param[0], "sma_fast");
    ck_assert_str_eq(a.value[0], "60");
    ck_assert_str_eq(a.orig[0], "40");
    ck_assert_str_eq(a.type[0], "int");

    clock_value = NOW + DAYS(2);
    ck_assert_int_eq(jutsu_data_override_unset(s, "v3_5b", "sma_fast", "alice", "back"), 0);
    ck_assert_int_eq(active_count(&t, "v3_5b"), 0);
    ck_assert_int_eq(active_count(&t, "v3_5d"), 1);
    ck_assert_int_eq(jutsu_data_override_unset(s, "v3_5b", "sma_fast", "alice", "again"),
                     JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "config_overrides: no active override of sma_fast for "
                     "strategy v3_5b");

    struct hist h = { 0 };
    ck_assert_int_eq(jutsu_data_history_range(s, "v3_5b", "sma_fast", collect_hist, &h), 0);
    ck_assert_int_eq(h.n, 3);
    const char *want[3][6] = {
        { "override", "40", "50", "alice", "faster", "v3_5b" },
        { "override", "50", "60", "bob", "even faster", "v3_5b" },
        { "restore", "60", "40", "alice", "back", "v3_5b" },
    };
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(h.ts[i], NOW + DAYS(i));
        ck_assert_str_eq(h.type[i], want[i][0]);
        ck_assert_str_eq(h.old[i], want[i][1]);
        ck_assert_str_eq(h.new_[i], want[i][2]);
        ck_assert_str_eq(h.by[i], want[i][3]);
        ck_assert_str_eq(h.reason[i], want[i][4]);
        ck_assert_str_eq(h.strategy[i], want[i][5]);
        ck_assert_str_eq(h.param[i], "sma_fast");
    }

    struct hist ho = { 0 };
    ck_assert_int_eq(jutsu_data_history_range(s, "v3_5d", NULL, collect_hist, &ho), 0);
    ck_assert_int_eq(ho.n, 1);
    ck_assert_str_eq(ho.old[0], "40");
    ck_assert_str_eq(ho.new_[0], "30");
    ck_assert_int_eq(ho.ts[0], NOW + DAYS(1));
    tdb_close(&t);
}
END_TEST

/* history_range over all parameters, and a stop from the callback */
static int stop_at_second(const void *row, void *arg)
{
    int *n = arg;
    return ++*n == 2 ? 7 : 0;
}

START_TEST(test_override_many_params)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    const char *params[] = { "vol_window", "sma_fast", "leverage" };
    const char *types[] = { "int", "decimal", "float" };
    const char *values[] = { "21", "1.250000", "1.5e0" };
    for (int i = 0; i < 3; i++) {
        struct jutsu_override_row r = {
            .strategy_id = "v3_5b", .parameter_name = params[i], .override_value = values[i],
            .value_type = types[i],
        };
        ck_assert_msg(jutsu_data_override_set(s, &r, NULL) == 0, "%s", jutsu_dbs_error(s));
    }
    struct active a = { 0 };
    ck_assert_int_eq(jutsu_data_overrides_active(s, "v3_5b", collect_active, &a), 0);
    ck_assert_int_eq(a.n, 3);
    ck_assert_str_eq(a.param[0], "leverage");   /* ORDER BY parameter_name */
    ck_assert_str_eq(a.param[1], "sma_fast");
    ck_assert_str_eq(a.param[2], "vol_window");
    ck_assert_str_eq(a.orig[0], "(null)");
    struct active none = { 0 };
    ck_assert_int_eq(jutsu_data_overrides_active(s, "other", collect_active, &none), 0);
    ck_assert_int_eq(none.n, 0);
    int n = 0;
    ck_assert_int_eq(jutsu_data_history_range(s, "v3_5b", NULL, stop_at_second, &n), 7);
    ck_assert_int_eq(n, 2);
    n = 0;
    ck_assert_int_eq(jutsu_data_history_range(s, "v3_5b", "", stop_at_second, &n), 7);

    /* a later override that does not name the default keeps the recorded
     * one, so the restore still goes back to it */
    struct jutsu_override_row r1 = {
        .strategy_id = "v4", .parameter_name = "lev", .original_value = "2",
        .override_value = "3", .value_type = "int",
    };
    ck_assert_int_eq(jutsu_data_override_set(s, &r1, NULL), 0);
    r1.original_value = NULL;
    r1.override_value = "4";
    ck_assert_int_eq(jutsu_data_override_set(s, &r1, NULL), 0);
    ck_assert_int_eq(jutsu_data_override_unset(s, "v4", "lev", NULL, NULL), 0);
    struct hist h = { 0 };
    ck_assert_int_eq(jutsu_data_history_range(s, "v4", "lev", collect_hist, &h), 0);
    ck_assert_int_eq(h.n, 3);
    ck_assert_str_eq(h.old[1], "3");
    ck_assert_str_eq(h.new_[1], "4");
    ck_assert_str_eq(h.old[2], "4");
    ck_assert_str_eq(h.new_[2], "2");
    ck_assert_str_eq(h.by[2], "(null)");
    tdb_close(&t);
}
END_TEST

static void refuse(struct tdb *t, const char *type, const char *value, int code,
                   const char *msg)
{
    struct jutsu_override_row r = {
        .strategy_id = "v3_5b", .parameter_name = "p", .override_value = value,
        .value_type = type,
    };
    ck_assert_int_eq(jutsu_data_override_set(t->s, &r, "x"), code);
    if (msg)
        ck_assert_str_eq(jutsu_dbs_error(t->s), msg);
}

START_TEST(test_override_refused)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    struct jutsu_override_row ok = ovr("v3_5b", "50", NULL);
    ck_assert_int_eq(jutsu_data_override_set(s, &ok, "alice"), 0);

    refuse(&t, "int", "abc", JUTSU_EINVAL,
           "config_overrides.override_value: \"abc\" is not a valid int");
    refuse(&t, "int", "1.5", JUTSU_EINVAL, NULL);
    refuse(&t, "float", "1e400", JUTSU_EINVAL, NULL);
    refuse(&t, "float", "nan", JUTSU_EINVAL, NULL);
    refuse(&t, "float", "0.5x", JUTSU_EINVAL, NULL);
    refuse(&t, "decimal", "1.1234567", JUTSU_EINVAL,
           "config_overrides.override_value: \"1.1234567\" is not a valid decimal (at most 6 "
           "decimals, |value| <= 999999999999.999999)");
    refuse(&t, "bool", "yes", JUTSU_EINVAL,
           "config_overrides.override_value: \"yes\" is not a valid bool (true or false)");
    refuse(&t, "double", "1", JUTSU_EINVAL,
           "config_overrides.value_type: \"double\" is not one of int, float, decimal, bool, str");
    refuse(&t, "str", "", JUTSU_EINVAL,
           "config_overrides.override_value: a value is required");
    char big[102];
    memset(big, '7', 101);
    big[101] = '\0';
    refuse(&t, "str", big, JUTSU_ERANGE, NULL);
    struct jutsu_override_row nostrat = ovr(NULL, "1", NULL);
    ck_assert_int_eq(jutsu_data_override_set(s, &nostrat, "x"), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "config_overrides.strategy_id: a value is required");
    ck_assert_int_eq(tdb_count(&t, "config_overrides", NULL), 1);
    ck_assert_int_eq(tdb_count(&t, "config_history", NULL), 1);
    ck_assert_int_eq(active_count(&t, "v3_5b"), 1);

    /* the valid forms of each type */
    refuse(&t, "bool", "false", 0, NULL);
    refuse(&t, "str", "anything at all", 0, NULL);
    refuse(&t, "float", "-0.25", 0, NULL);
    refuse(&t, "decimal", "-999999999999.999999", 0, NULL);
    ck_assert_int_eq(tdb_count(&t, "config_history", NULL), 5);

    /* inside the caller's transaction the whole change rolls back with it */
    ck_assert_int_eq(jutsu_dbs_begin(s), 0);
    struct jutsu_override_row r2 = ovr("v3_5b", "70", NULL);
    ck_assert_int_eq(jutsu_data_override_set(s, &r2, "alice"), 0);
    ck_assert_int_eq(jutsu_dbs_rollback(s), 0);
    ck_assert_int_eq(tdb_count(&t, "config_overrides", "strategy_id = 'v3_5b' AND "
                                "parameter_name = 'sma_fast'"), 1);
    ck_assert_int_eq(tdb_count(&t, "config_history", NULL), 5);
    ck_assert_int_eq(active_count(&t, "v3_5b"), 1);
    tdb_close(&t);
}
END_TEST

/* --- a commit that fails ------------------------------------------------- */

/* A deferred foreign key is checked at COMMIT: there SQLite refuses and keeps
 * the transaction open, PostgreSQL refuses and ends it. Either way the
 * session must be left with no transaction, on the connection too: once a
 * failed commit left SQLite's open under a session that thought it closed,
 * and the next BEGIN failed ("cannot start a transaction within a
 * transaction") until the connection was dropped. */
static void commit_refused(struct tdb *t, int rc)
{
    ck_assert_msg(rc != 0, "%s: the commit went through", t->backend);
    ck_assert_msg(strstr(jutsu_dbs_error(t->s), "commit: ") == jutsu_dbs_error(t->s),
                  "%s: %s", t->backend, jutsu_dbs_error(t->s));
    /* a new transaction opens, writes and commits, and the refused one's
     * row is not there */
    ck_assert_msg(jutsu_dbs_begin(t->s) == 0, "%s: %s", t->backend, jutsu_dbs_error(t->s));
    tdb_exec(t, "INSERT INTO t_parent VALUES (1)");
    ck_assert_int_eq(jutsu_dbs_commit(t->s), 0);
    ck_assert_int_eq(tdb_count(t, "t_child", NULL), 0);
    ck_assert_int_eq(tdb_count(t, "t_parent", NULL), 1);
    tdb_exec(t, "DELETE FROM t_parent");
}

START_TEST(test_failed_commit_leaves_no_transaction)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    tdb_exec(&t, "CREATE TABLE t_parent (id INTEGER PRIMARY KEY)");
    tdb_exec(&t, "CREATE TABLE t_child (pid INTEGER REFERENCES t_parent (id) "
                 "DEFERRABLE INITIALLY DEFERRED)");

    ck_assert_int_eq(jutsu_dbs_begin(t.s), 0);
    tdb_exec(&t, "INSERT INTO t_child VALUES (7)");
    commit_refused(&t, jutsu_dbs_commit(t.s));

    /* the same through a data call's own transaction */
    int own = 0;
    ck_assert_int_eq(jutsu_dbs_tx_enter(t.s, &own), 0);
    ck_assert_int_eq(own, 1);
    tdb_exec(&t, "INSERT INTO t_child VALUES (8)");
    commit_refused(&t, jutsu_dbs_tx_leave(t.s, own, 0));

    /* and through the driver's own begin, as migrations commit */
    ck_assert_int_eq(t.s->ops->begin(t.s->db), 0);
    tdb_exec(&t, "INSERT INTO t_child VALUES (9)");
    commit_refused(&t, jutsu_dbs_commit_driver(t.s, "commit"));
    tdb_close(&t);
}
END_TEST

/* --- eod_job_status ------------------------------------------------------- */

struct eods {
    int          n;
    jutsu_date_t date[8];
    char         status[8][16];
};

static int collect_eod(const void *row, void *arg)
{
    const struct jutsu_eod_status_row *r = row;
    struct eods *e = arg;
    ck_assert_int_lt(e->n, 8);
    e->date[e->n] = r->job_date;
    cp(e->status[e->n], sizeof(e->status[0]), r->status);
    e->n++;
    return 0;
}

START_TEST(test_eod_status)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    jutsu_date_t d = jutsu_date_from_ymd(2025, 6, 2);
    struct jutsu_eod_status_row r = {
        .job_date = d, .started_at = NOW, .status = "running", .strategies_total = 3,
        .baselines_total = 1,
    };
    ck_assert_int_eq(jutsu_data_eod_status_upsert(s, &r), 0);
    struct jutsu_eod_status_row g;
    ck_assert_int_eq(jutsu_data_eod_status_get(s, d, &g), 0);
    ck_assert_int_eq(g.job_date, d);
    ck_assert_int_eq(g.started_at, NOW);
    ck_assert_int_eq(g.completed_at, 0);
    ck_assert_str_eq(g.status, "running");
    ck_assert_int_eq(g.strategies_total, 3);
    ck_assert_int_eq(g.strategies_processed, 0);
    ck_assert_int_eq(g.baselines_total, 1);
    ck_assert_ptr_null(g.error_message);

    r.status = "partial";
    r.completed_at = NOW + 90 * JUTSU_USEC_PER_SEC;
    r.strategies_processed = 2;
    r.baselines_processed = 1;
    r.error_message = "v3_5d: no bars for 2025-06-02";
    r.retry_count = 1;
    ck_assert_int_eq(jutsu_data_eod_status_upsert(s, &r), 0);
    ck_assert_int_eq(tdb_count(&t, "eod_job_status", NULL), 1);
    ck_assert_int_eq(jutsu_data_eod_status_get(s, d, &g), 0);
    ck_assert_str_eq(g.status, "partial");
    ck_assert_int_eq(g.completed_at, NOW + 90 * JUTSU_USEC_PER_SEC);
    ck_assert_int_eq(g.strategies_processed, 2);
    ck_assert_int_eq(g.baselines_processed, 1);
    ck_assert_int_eq(g.retry_count, 1);
    ck_assert_str_eq(g.error_message, "v3_5d: no bars for 2025-06-02");

    const char *st[] = { "completed", "failed", "completed", "running" };
    for (int i = 0; i < 4; i++) {
        struct jutsu_eod_status_row x = { .job_date = d - 1 - i, .status = st[i] };
        ck_assert_int_eq(jutsu_data_eod_status_upsert(s, &x), 0);
    }
    struct eods e = { 0 };
    ck_assert_int_eq(jutsu_data_eod_status_range(s, d - 3, d, collect_eod, &e), 0);
    ck_assert_int_eq(e.n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(e.date[i], d - 3 + i);
    ck_assert_str_eq(e.status[0], "completed");
    ck_assert_str_eq(e.status[1], "failed");
    ck_assert_str_eq(e.status[2], "completed");
    ck_assert_str_eq(e.status[3], "partial");

    struct jutsu_eod_status_row bad = { .job_date = d, .status = "done" };
    ck_assert_int_eq(jutsu_data_eod_status_upsert(s, &bad), JUTSU_EINVAL);
    ck_assert_str_eq(jutsu_dbs_error(s), "eod_job_status.status: \"done\" is not one of running, "
                     "completed, failed, partial");
    bad.status = "failed";
    bad.retry_count = -1;
    ck_assert_int_eq(jutsu_data_eod_status_upsert(s, &bad), JUTSU_ERANGE);
    ck_assert_int_eq(jutsu_data_eod_status_get(s, d + 1, &g), JUTSU_ENOENT);
    ck_assert_str_eq(jutsu_dbs_error(s), "eod_job_status: no row for 2025-06-03");
    ck_assert_int_eq(jutsu_data_eod_status_get(s, d, &g), 0);
    ck_assert_str_eq(g.status, "partial");
    tdb_close(&t);
}
END_TEST

/* --- prune ---------------------------------------------------------------- */

static void add_snapshot(struct tdb *t, jutsu_time_t ts)
{
    struct jutsu_q q;
    jutsu_dbs *s = t->s;
    ck_assert_int_eq(jutsu_q_prepare(&q, s, "INSERT INTO performance_snapshots (timestamp, "
                                     "total_equity, mode, strategy_id) VALUES ($1, $2, $3, $4)",
                                     "snapshot"), 0);
    jutsu_q_time(&q, ts);
    jutsu_q_money(&q, 10000 * JUTSU_MONEY_SCALE);
    jutsu_q_text(&q, "offline_mock");
    jutsu_q_text(&q, "v3_5b");
    ck_assert_int_eq(q.rc, 0);
    ck_assert_msg(jutsu_q_exec(&q) == 0, "%s", jutsu_dbs_error(s));
}

START_TEST(test_prune)
{
    struct tdb t;
    if (!open_db(&t, _i))
        return;
    jutsu_dbs *s = t.s;
    /* deleted: 400 and 366 days old; kept: exactly 365 days, 10 days */
    jutsu_time_t snaps[] = { NOW - DAYS(400), NOW - DAYS(366), NOW - DAYS(365), NOW - DAYS(10) };
    for (size_t i = 0; i < 4; i++)
        add_snapshot(&t, snaps[i]);
    /* deleted: expired 40 and 31 days ago; kept: 30 days, 5 days, not yet */
    const char *jti[] = { "t40", "t31", "t30", "t5", "tfuture" };
    jutsu_time_t exp[] = { NOW - DAYS(40), NOW - DAYS(31), NOW - DAYS(30), NOW - DAYS(5),
                           NOW + DAYS(1) };
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(jutsu_data_token_blacklist(s, jti[i], "access", exp[i], 0), 0);

    int64_t ns = -1, nt = -1;
    ck_assert_msg(jutsu_data_prune(s, NOW, &ns, &nt) == 0, "%s", jutsu_dbs_error(s));
    ck_assert_int_eq(ns, 2);
    ck_assert_int_eq(nt, 2);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL), 2);
    ck_assert_int_eq(read_time(&t, "SELECT MIN(timestamp) FROM performance_snapshots"),
                     NOW - DAYS(365));
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", NULL), 3);
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", "jti IN ('t30', 't5', 'tfuture')"), 3);

    /* idempotent: nothing more to delete at the same instant */
    ck_assert_int_eq(jutsu_data_prune(s, NOW, &ns, &nt), 0);
    ck_assert_int_eq(ns, 0);
    ck_assert_int_eq(nt, 0);
    /* a day later the boundary rows go */
    ck_assert_int_eq(jutsu_data_prune(s, NOW + DAYS(1), NULL, NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "performance_snapshots", NULL), 1);
    ck_assert_int_eq(tdb_count(&t, "blacklisted_tokens", NULL), 2);
    tdb_close(&t);
}
END_TEST

static Suite *data_system_suite(void)
{
    Suite *s = suite_create("data_system");
    TCase *tc = tcase_create("system");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_state_types, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_state_refusals, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_override_cycle, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_override_many_params, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_override_refused, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_failed_commit_leaves_no_transaction, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_eod_status, 0, TDB_BACKENDS);
    tcase_add_loop_test(tc, test_prune, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(data_system_suite());
}
