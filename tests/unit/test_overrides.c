/*
 * tests/unit/test_overrides.c — DATABASE_URL, DATABASE_TYPE and POSTGRES_*
 * over the config file, the host schema's own validation, and a strategy's
 * parameter overrides held to the ranges its YAML is held to.
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "host/app.h"
#include "base/log.h"
#include "trading/params.h"
#include "testdb.h"
#include "testutil.h"

static void clear_env(void)
{
    static const char *const vars[] = { "DATABASE_URL", "DATABASE_TYPE", "POSTGRES_HOST",
        "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DATABASE", NULL };
    for (const char *const *v = vars; *v; v++)
        unsetenv(*v);
}

static jutsu_cfg *load(const char *yaml, int *rc, struct jutsu_diag *d)
{
    jutsu_cfg *cfg = NULL;
    jutsu_diag_init(d);
    *rc = jutsu_cfg_load_string("t.yaml", yaml, strlen(yaml), &cfg, d);
    ck_assert_int_eq(*rc, 0);
    *rc = jutsu_cfg_env_apply(cfg, d);
    return cfg;
}

static const char *get(jutsu_cfg *cfg, const char *path)
{
    const char *s = NULL;
    if (jutsu_cfg_str(jutsu_cfg_root(cfg), path, &s) != 0)
        return NULL;
    return s;
}

START_TEST(postgres_url)
{
    clear_env();
    setenv("DATABASE_URL", "postgresql://jutsudB:p%40ss:w@tower.local:5423/jutsu_labs", 1);
    int rc;
    struct jutsu_diag d;
    jutsu_cfg *cfg = load("database: {type: sqlite}\n", &rc, &d);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(get(cfg, "database.type"), "postgresql");
    ck_assert_str_eq(get(cfg, "database.postgresql.user"), "jutsudB");
    ck_assert_str_eq(get(cfg, "database.postgresql.password"), "p@ss:w");
    ck_assert_str_eq(get(cfg, "database.postgresql.host"), "tower.local");
    ck_assert_str_eq(get(cfg, "database.postgresql.port"), "5423");
    ck_assert_str_eq(get(cfg, "database.postgresql.database"), "jutsu_labs");
    jutsu_cfg_node *n = jutsu_cfg_get(jutsu_cfg_root(cfg), "database.postgresql.port");
    ck_assert_str_eq(n->file, "env DATABASE_URL");
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(sqlite_urls)
{
    clear_env();
    int rc;
    struct jutsu_diag d;
    setenv("DATABASE_URL", "sqlite:///data/market_data.db", 1);
    jutsu_cfg *cfg = load("{}", &rc, &d);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(get(cfg, "database.type"), "sqlite");
    ck_assert_str_eq(get(cfg, "database.sqlite.path"), "data/market_data.db");
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);

    setenv("DATABASE_URL", "sqlite:////var/lib/jutsu/jutsu.db", 1);
    cfg = load("{}", &rc, &d);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(get(cfg, "database.sqlite.path"), "/var/lib/jutsu/jutsu.db");
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);
    clear_env();
}
END_TEST

START_TEST(single_variables_beat_the_url)
{
    clear_env();
    setenv("DATABASE_URL", "postgres://u:secret@h1:5432/db1", 1);
    setenv("POSTGRES_PORT", "6543", 1);
    setenv("POSTGRES_HOST", "h2", 1);
    int rc;
    struct jutsu_diag d;
    jutsu_cfg *cfg = load("database:\n  postgresql: {host: h0, user: file_user}\n", &rc, &d);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(get(cfg, "database.postgresql.host"), "h2");
    ck_assert_str_eq(get(cfg, "database.postgresql.port"), "6543");
    ck_assert_str_eq(get(cfg, "database.postgresql.user"), "u");
    ck_assert_str_eq(jutsu_cfg_get(jutsu_cfg_root(cfg), "database.postgresql.host")->file,
                     "env POSTGRES_HOST");
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);
    clear_env();
}
END_TEST

START_TEST(database_type_only)
{
    clear_env();
    setenv("DATABASE_TYPE", "postgres", 1);
    int rc;
    struct jutsu_diag d;
    jutsu_cfg *cfg = load("{}", &rc, &d);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(get(cfg, "database.type"), "postgresql");
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);

    setenv("DATABASE_TYPE", "oracle", 1);
    cfg = load("{}", &rc, &d);
    ck_assert_int_eq(rc, JUTSU_ECONFIG);
    ck_assert(jutsu_diag_has(&d, "env DATABASE_TYPE: \"oracle\" is not one of: sqlite, postgresql"));
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);
    clear_env();
}
END_TEST

START_TEST(bad_urls_never_echo_the_password)
{
    static const char *const bad[] = {
        "postgresql://user:hunter2@host:port/db",
        "postgresql://user:hunter2@host:5432",
        "postgresql://user:hunter2@host:5432/db?sslmode=require",
        "postgresql://user:hunter2%zz@host/db",
        "mysql://user:hunter2@host/db",
        "sqlite:/relative",
        NULL
    };
    for (const char *const *u = bad; *u; u++) {
        clear_env();
        setenv("DATABASE_URL", *u, 1);
        int rc;
        struct jutsu_diag d;
        jutsu_cfg *cfg = load("{}", &rc, &d);
        ck_assert_msg(rc == JUTSU_ECONFIG, "%s accepted", *u);
        ck_assert(jutsu_diag_has(&d, "env DATABASE_URL: "));
        ck_assert_msg(!jutsu_diag_has(&d, "hunter2"), "password echoed for %s", *u);
        jutsu_cfg_free(cfg);
        jutsu_diag_free(&d);
    }
    clear_env();
}
END_TEST

START_TEST(file_url_position)
{
    clear_env();
    int rc;
    struct jutsu_diag d;
    jutsu_cfg *cfg = load("database:\n  url: \"ftp://x\"\n", &rc, &d);
    ck_assert_int_eq(rc, JUTSU_ECONFIG);
    ck_assert(jutsu_diag_has(&d, "t.yaml:2:8: unsupported database URL scheme \"ftp\""));
    jutsu_cfg_free(cfg);
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(env_value_type_error_names_the_variable)
{
    clear_env();
    setenv("POSTGRES_PORT", "fivefourthreetwo", 1);
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    /* the host schema accepts it (the driver's schema types the port) */
    ck_assert_int_eq(jutsu_app_load_config_string(app, "t.yaml", "log: {level: warn}\n", &d), 0);
    ck_assert_str_eq(get(app->cfg, "database.postgresql.port"), "fivefourthreetwo");
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    clear_env();
}
END_TEST

START_TEST(host_schema_errors)
{
    clear_env();
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    int rc = jutsu_app_load_config_string(app, "h.yaml",
        "log:\n"
        "  level: loud\n"
        "bus:\n"
        "  queue_size: 3\n"
        "exchange: {timezone: Mars/Olympus}\n"
        "plugins:\n"
        "  - plugin: tp-good\n", &d);
    ck_assert_int_eq(rc, JUTSU_ECONFIG);
    jutsu_diag_print(&d, stderr, "expected: ");
    ck_assert(jutsu_diag_has(&d, "h.yaml:2:10: \"loud\" is not one of: error, warn, info, debug, trace"));
    ck_assert(jutsu_diag_has(&d, "h.yaml:4:15: 3 is out of range 16..16777216"));
    ck_assert(jutsu_diag_has(&d, "h.yaml:7:5: missing required key \"plugins[0].name\""));
    jutsu_app_free(app);
    jutsu_diag_free(&d);
}
END_TEST

START_TEST(unknown_timezone)
{
    clear_env();
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    int rc = jutsu_app_load_config_string(app, "z.yaml", "exchange: {timezone: Mars/Olympus}\n",
                                          &d);
    ck_assert_int_eq(rc, JUTSU_ECONFIG);
    ck_assert(jutsu_diag_has(&d, "z.yaml:1:22: time zone \"Mars/Olympus\" cannot be loaded"));
    jutsu_app_free(app);
    jutsu_diag_free(&d);
}
END_TEST

/* --- parameter overrides: the one path of the CLI and the REST API ------- */

static int open_regime(struct tdb *t, int i)
{
    tdb_open_with(t, i, 1, "plugins:\n  - {name: v3_5b, plugin: strategy-regime}\n");
    if (t->skipped) {
        tdb_close(t);
        return 0;
    }
    return 1;
}

static int set(struct tdb *t, const char *param, const char *value, char *err, size_t errsz)
{
    struct jutsu_override_change c;
    return jutsu_params_override_set(t->app, t->s, "v3_5b", param, value, "test", "tester", &c,
                                     err, errsz);
}

/* Issue 15, defect 7: upper_z 1e308 went through (a DOUBLE key carries no
 * range in the schema; strategy-regime checks -100..100 at init), and every
 * later trade run and backtest failed on it. */
START_TEST(override_out_of_range_is_refused)
{
    struct tdb t;
    char err[600];
    if (!open_regime(&t, _i))
        return;
    int rc = set(&t, "upper_z", "1e308", err, sizeof(err));
    ck_assert_int_eq(rc, JUTSU_EINVAL);
    ck_assert_msg(strstr(err, "upper_z is 1e+308, not within -100..100") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "override upper_z = 1e308 of strategy v3_5b (plugin "
                              "strategy-regime)") != NULL, "%s", err);
    ck_assert_int_eq(tdb_count(&t, "config_overrides", NULL), 0);
    ck_assert_int_eq(tdb_count(&t, "config_history", NULL), 0);

    /* the schema's own INT range, as before */
    rc = set(&t, "sma_fast", "99999", err, sizeof(err));
    ck_assert_int_eq(rc, JUTSU_EINVAL);
    ck_assert_msg(strstr(err, "99999 is out of range 1..2520 (key \"sma_fast\"") != NULL,
                  "%s", err);

    /* a negative value inside the range is a value like any other */
    ck_assert_msg(set(&t, "lower_z", "-0.5", err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(tdb_count(&t, "config_overrides", NULL), 1);

    /* the rule between two parameters holds with the other overrides in place */
    rc = set(&t, "upper_z", "-2", err, sizeof(err));
    ck_assert_int_eq(rc, JUTSU_EINVAL);
    ck_assert_msg(strstr(err, "lower_z (-0.5) must not be above upper_z (-2)") != NULL, "%s",
                  err);
    ck_assert_int_eq(tdb_count(&t, "config_overrides", NULL), 1);
    tdb_close(&t);
}
END_TEST

static Suite *overrides_suite(void)
{
    Suite *s = suite_create("overrides");
    TCase *tc = tcase_create("env");
    tcase_add_test(tc, postgres_url);
    tcase_add_test(tc, sqlite_urls);
    tcase_add_test(tc, single_variables_beat_the_url);
    tcase_add_test(tc, database_type_only);
    tcase_add_test(tc, bad_urls_never_echo_the_password);
    tcase_add_test(tc, file_url_position);
    tcase_add_test(tc, env_value_type_error_names_the_variable);
    suite_add_tcase(s, tc);
    tc = tcase_create("host");
    tcase_add_test(tc, host_schema_errors);
    tcase_add_test(tc, unknown_timezone);
    suite_add_tcase(s, tc);
    tc = tcase_create("params");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, override_out_of_range_is_refused, 0, TDB_BACKENDS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* quiet: the configs under test must not turn logging back on */
    jutsu_log_pin(JUTSU_LOG_ERROR, JUTSU_LOG_TEXT);
    return tu_run(overrides_suite());
}
