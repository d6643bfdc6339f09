/*
 * tests/unit/test_settings.c — the host's settings (core/config/host_settings.h):
 * the host schema's defaults before any file, what a file sets, and the
 * checks the settings get when the config loads.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "base/log.h"
#include "config/host_settings.h"
#include "host/app.h"
#include "host/app_reload.h"
#include "testutil.h"

static struct jutsu_app *load(const char *yaml, int want, struct jutsu_diag *d)
{
    struct jutsu_app *app = NULL;
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    jutsu_diag_init(d);
    int rc = jutsu_app_load_config_string(app, "s.yaml", yaml, d);
    ck_assert_msg(rc == want, "rc %d, want %d: %s", rc, want,
                  jutsu_diag_count(d) ? jutsu_diag_line(d, 0) : "");
    return app;
}

/* Before a file is loaded the app runs on the host schema's defaults,
 * and a file that says nothing gives the same. */
START_TEST(defaults_come_from_the_schema)
{
    struct jutsu_app *app = NULL;
    struct jutsu_diag d;
    char *cwd = getcwd(NULL, 0), backup_dir[PATH_MAX + 16];
    ck_assert_ptr_nonnull(cwd);
    snprintf(backup_dir, sizeof(backup_dir), "%s/var/backups", cwd);
    free(cwd);
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    for (int pass = 0; pass < 2; pass++) {
        const struct jutsu_settings *s = jutsu_app_settings(app);
        ck_assert_int_eq(s->log.level, JUTSU_LOG_INFO);
        ck_assert_int_eq(s->log.format, -1);   /* auto */
        ck_assert_str_eq(s->exchange.timezone, "America/New_York");
        ck_assert_int_eq(s->exchange.builtin_closures, 1);
        ck_assert_int_eq(s->bus.queue_size, 65536);
        ck_assert_int_eq(s->bus.full_policy, 0);
        ck_assert_int_eq(s->bus.shutdown_timeout_ms, 5000);
        ck_assert_int_eq(app->shutdown_timeout_ms, 5000);
        ck_assert_int_eq(s->database.auto_upgrade, 1);
        /* a path: absolute, from the working directory (no config file) */
        ck_assert_str_eq(s->database.backup_dir, backup_dir);
        ck_assert_str_eq(s->sync.history_start, "2010-01-01");
        ck_assert_int_eq(s->sync.batch_size, 50000);
        ck_assert_int_eq(s->eod.lookback_days, 7);
        ck_assert_int_eq(s->scheduler.grace_minutes, 30);
        ck_assert_int_eq(s->trading.commission_per_share, 10000);   /* 0.01 */
        ck_assert_int_eq(s->trading.order_timeout_s, 120);
        if (pass == 0) {
            jutsu_app_free(app);
            app = load("{}", 0, &d);
            jutsu_diag_free(&d);
        }
    }
    jutsu_app_free(app);
}
END_TEST

START_TEST(a_file_sets_every_section)
{
    struct jutsu_diag d;
    struct jutsu_app *app = load(
        "log: {level: debug, format: json}\n"
        "bus: {queue_size: 1024, full_policy: drop_newest, shutdown_timeout_ms: 250}\n"
        "database: {backup_before_upgrade: false, backup_dir: /srv/b}\n"
        "sync: {history_start: \"2015-06-01\", batch_size: 1234}\n"
        "eod: {lookback_days: 3, stuck_after_minutes: 5}\n"
        "scheduler: {enabled: false, grace_minutes: 0}\n"
        "trading: {commission_per_share: \"0.005\", slippage: \"0.002\", order_timeout_s: 9}\n",
        0, &d);
    const struct jutsu_settings *s = jutsu_app_settings(app);
    ck_assert_int_eq(s->log.level, JUTSU_LOG_DEBUG);
    ck_assert_int_eq(s->log.format, JUTSU_LOG_JSON);
    ck_assert_int_eq(s->bus.queue_size, 1024);
    ck_assert_int_eq(s->bus.full_policy, 1);
    ck_assert_uint_eq(app->bus_opts.capacity, 1024);
    ck_assert_int_eq(app->shutdown_timeout_ms, 250);
    ck_assert_int_eq(s->database.backup_before_upgrade, 0);
    ck_assert_str_eq(s->database.backup_dir, "/srv/b");
    ck_assert_str_eq(s->sync.history_start, "2015-06-01");
    ck_assert_int_eq(s->sync.batch_size, 1234);
    ck_assert_int_eq(s->eod.lookback_days, 3);
    ck_assert_int_eq(s->eod.stuck_after_minutes, 5);
    ck_assert_int_eq(s->scheduler.enabled, 0);
    ck_assert_int_eq(s->scheduler.grace_minutes, 0);
    ck_assert_int_eq(s->trading.commission_per_share, 5000);
    ck_assert_int_eq(s->trading.slippage, 2000);
    ck_assert_int_eq(s->trading.order_timeout_s, 9);
    ck_assert_int_eq(s->trading.poll_interval_ms, 1000);   /* not given: the default */
    jutsu_log_configure(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
}
END_TEST

/* A reload puts a new copy of the settings in place whole: a job that took
 * the pointer before reads the old config to its end, all of it (its
 * strings too), never one value of each; a section that needs a restart
 * keeps its running value in the new copy. */
START_TEST(a_reload_replaces_the_settings_whole)
{
    struct jutsu_app *app = NULL, *next = NULL;
    struct jutsu_diag d;
    struct jutsu_reload_plan plan;
    char *dir = tu_tmpdir();
    char *path = tu_write_file(dir, "j.yaml",
        "database: {backup_dir: /srv/b}\n"
        "sync: {history_start: \"2015-06-01\", batch_size: 1234}\n"
        "trading: {commission_per_share: \"0.005\", slippage: \"0.002\"}\n");
    ck_assert_int_eq(jutsu_app_new(&app), 0);
    jutsu_diag_init(&d);
    ck_assert_int_eq(jutsu_app_load_config(app, path, &d), 0);
    const struct jutsu_settings *was = jutsu_app_settings(app);

    free(tu_write_file(dir, "j.yaml",
        "database: {backup_dir: /srv/elsewhere}\n"
        "sync: {history_start: \"2019-01-02\", batch_size: 5000}\n"
        "trading: {commission_per_share: \"0.01\", slippage: \"0.001\"}\n"));
    int rc = jutsu_app_reload_read(app, &next, &d);
    ck_assert_msg(rc == 0, "%s", jutsu_diag_count(&d) ? jutsu_diag_line(&d, 0) : "");
    ck_assert_int_eq(jutsu_app_reload_plan(app, next, &plan), 0);
    ck_assert_int_eq(plan.nrestart, 1);            /* database.backup_dir */
    ck_assert_int_eq(jutsu_app_reload_apply(app, next, &plan), 0);
    jutsu_app_free(next);

    const struct jutsu_settings *now = jutsu_app_settings(app);
    ck_assert_ptr_ne(now, was);
    ck_assert_int_eq(now->trading.commission_per_share, 10000);
    ck_assert_int_eq(now->trading.slippage, 1000);
    ck_assert_str_eq(now->sync.history_start, "2019-01-02");
    ck_assert_int_eq(now->sync.batch_size, 5000);
    ck_assert_str_eq(now->database.backup_dir, "/srv/b");
    /* the copy a reader held is whole and as it was */
    ck_assert_int_eq(was->trading.commission_per_share, 5000);
    ck_assert_int_eq(was->trading.slippage, 2000);
    ck_assert_str_eq(was->sync.history_start, "2015-06-01");
    ck_assert_int_eq(was->sync.batch_size, 1234);
    jutsu_app_free(app);
    jutsu_diag_free(&d);
    free(path);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* sync.history_start is text in the schema; it is held to a date when the
 * config loads, where its position can be named, not at the first sync. */
START_TEST(history_start_must_be_a_date)
{
    struct jutsu_diag d;
    struct jutsu_app *app = load("sync:\n  history_start: \"2010-13-01\"\n", JUTSU_ECONFIG, &d);
    ck_assert_msg(jutsu_diag_has(&d, "s.yaml:2:18: sync.history_start: \"2010-13-01\" is not a "
                                     "date (YYYY-MM-DD)"), "%s", jutsu_diag_line(&d, 0));
    jutsu_app_free(app);
    jutsu_diag_free(&d);
}
END_TEST

/* The fill needs a validated tree: a section missing is a host bug, said. */
START_TEST(fill_refuses_an_unvalidated_tree)
{
    jutsu_cfg *cfg = NULL;
    struct jutsu_settings s;
    char err[256] = "";
    ck_assert_int_eq(jutsu_cfg_new(&cfg), 0);
    ck_assert_int_eq(jutsu_settings_fill(jutsu_cfg_root(cfg), &s, err, sizeof(err)),
                     JUTSU_EINVAL);
    ck_assert_msg(err[0] != '\0', "no reason given");
    jutsu_cfg_free(cfg);
}
END_TEST

static Suite *settings_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults_come_from_the_schema);
    tcase_add_test(tc, a_file_sets_every_section);
    tcase_add_test(tc, a_reload_replaces_the_settings_whole);
    tcase_add_test(tc, history_start_must_be_a_date);
    tcase_add_test(tc, fill_refuses_an_unvalidated_tree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    jutsu_log_configure(JUTSU_LOG_WARN, JUTSU_LOG_TEXT);
    return tu_run(settings_suite());
}
