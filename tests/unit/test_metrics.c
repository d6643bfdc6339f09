/*
 * tests/unit/test_metrics.c — the metrics registry (core/base/metrics.h):
 * the exact text of a small registry, labels, the bound on series, kinds,
 * and many threads adding at once.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/metrics.h"
#include "testutil.h"

static char *render(jutsu_metrics *m)
{
    struct jutsu_buf b = { 0 };
    ck_assert_int_eq(jutsu_metrics_render(m, &b, 1 << 20), 0);
    return b.p;
}

START_TEST(golden_text)
{
    jutsu_metrics *m;
    ck_assert_int_eq(jutsu_metrics_new(16, &m), 0);
    jutsu_metrics_add(m, "jutsu_job_runs_total", "job=\"eod\",status=\"ok\"", 2);
    jutsu_metrics_add(m, "jutsu_job_runs_total", "job=\"eod\",status=\"ok\"", 1);
    jutsu_metrics_add(m, "jutsu_job_runs_total", "job=\"sync\",status=\"failed\"", 1);
    jutsu_metrics_add(m, "zz_plain", NULL, 7);
    jutsu_metrics_add(m, "zz_plain", NULL, -5);               /* ignored: counters grow */
    jutsu_metrics_observe(m, "jutsu_job_duration_seconds", "job=\"eod\"", 2500);   /* 0.0025 */
    jutsu_metrics_observe(m, "jutsu_job_duration_seconds", "job=\"eod\"", 1500000); /* 1.5 */
    jutsu_metrics_observe(m, "jutsu_job_duration_seconds", "job=\"eod\"", 60000000); /* > 10 s */
    jutsu_metrics_gauge_add(m, "jutsu_db_sessions_open", NULL, 3);
    jutsu_metrics_gauge_add(m, "jutsu_db_sessions_open", NULL, -1);
    char *text = render(m);
    const char *want =
        "# HELP jutsu_db_sessions_open Data sessions open on the storage driver now.\n"
        "# TYPE jutsu_db_sessions_open gauge\n"
        "jutsu_db_sessions_open 2\n"
        "# HELP jutsu_job_duration_seconds How long job runs took, by job and status.\n"
        "# TYPE jutsu_job_duration_seconds histogram\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.0005\"} 0\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.001\"} 0\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.0025\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.005\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.01\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.025\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.05\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.1\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.25\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"0.5\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"1\"} 1\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"2.5\"} 2\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"5\"} 2\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"10\"} 2\n"
        "jutsu_job_duration_seconds_bucket{job=\"eod\",le=\"+Inf\"} 3\n"
        "jutsu_job_duration_seconds_sum{job=\"eod\"} 61.5025\n"
        "jutsu_job_duration_seconds_count{job=\"eod\"} 3\n"
        "# HELP jutsu_job_runs_total Job runs (scheduled and on request) by job and status; a "
        "skipped slot counts as status skipped.\n"
        "# TYPE jutsu_job_runs_total counter\n"
        "jutsu_job_runs_total{job=\"eod\",status=\"ok\"} 3\n"
        "jutsu_job_runs_total{job=\"sync\",status=\"failed\"} 1\n"
        "# TYPE zz_plain counter\n"
        "zz_plain 7\n"
        "# HELP jutsu_metrics_dropped_series_total Metric series refused because the registry "
        "was full.\n"
        "# TYPE jutsu_metrics_dropped_series_total counter\n"
        "jutsu_metrics_dropped_series_total 0\n";
    ck_assert_str_eq(text, want);
    free(text);
    jutsu_metrics_free(m);
}
END_TEST

START_TEST(bounded_and_kinds)
{
    jutsu_metrics *m;
    ck_assert_int_eq(jutsu_metrics_new(4, &m), 0);
    char labels[32];
    for (int i = 0; i < 10; i++) {
        snprintf(labels, sizeof(labels), "i=\"%d\"", i);
        jutsu_metrics_add(m, "x_total", labels, 1);
    }
    jutsu_metrics_add(m, "x_total", "i=\"0\"", 1);     /* an existing series still counts */
    ck_assert_int_eq(jutsu_metrics_value(m, "x_total", "i=\"0\""), 2);
    ck_assert_int_eq(jutsu_metrics_value(m, "x_total", "i=\"7\""), 0);
    char *text = render(m);
    ck_assert_ptr_nonnull(strstr(text, "jutsu_metrics_dropped_series_total 6\n"));
    ck_assert_ptr_null(strstr(text, "i=\"4\""));
    free(text);
    jutsu_metrics_free(m);

    ck_assert_int_eq(jutsu_metrics_new(0, &m), 0);
    jutsu_metrics_add(m, "k_total", NULL, 1);
    jutsu_metrics_observe(m, "k_total", "a=\"b\"", 10);   /* a counter's name: ignored */
    jutsu_metrics_add(m, "9bad", NULL, 1);                 /* not a metric name */
    jutsu_metrics_add(m, "bad name", NULL, 1);
    jutsu_metrics_add(m, "nl_total", "a=\"x\ny\"", 1);      /* a newline would break the text */
    text = render(m);
    ck_assert_ptr_null(strstr(text, "histogram"));
    ck_assert_ptr_null(strstr(text, "bad"));
    ck_assert_ptr_null(strstr(text, "nl_total"));
    free(text);
    jutsu_metrics_free(m);

    char q[16];
    jutsu_metrics_label_value("a\"b\\c\nd", q, sizeof(q));
    ck_assert_str_eq(q, "\"a\\\"b\\\\c\\nd\"");
}
END_TEST

#define THREADS 4
#define ADDS    20000

static void *adder(void *arg)
{
    jutsu_metrics *m = arg;
    for (int i = 0; i < ADDS; i++) {
        jutsu_metrics_add(m, "c_total", "k=\"shared\"", 1);
        jutsu_metrics_observe(m, "h_seconds", NULL, i % 3 == 0 ? 100 : 20000000);
    }
    return NULL;
}

START_TEST(threads_add_exactly)
{
    jutsu_metrics *m;
    pthread_t th[THREADS];
    ck_assert_int_eq(jutsu_metrics_new(0, &m), 0);
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, adder, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(jutsu_metrics_value(m, "c_total", "k=\"shared\""), THREADS * ADDS);
    ck_assert_int_eq(jutsu_metrics_value(m, "h_seconds", NULL), THREADS * ADDS);
    char *text = render(m);
    char want[96];
    /* i % 3 == 0 for 6667 of every 20000: those fall in the first bucket */
    snprintf(want, sizeof(want), "h_seconds_bucket{le=\"0.0005\"} %d\n", THREADS * 6667);
    ck_assert_msg(strstr(text, want) != NULL, "%s", text);
    free(text);
    jutsu_metrics_free(m);
}
END_TEST

START_TEST(global_registry)
{
    jutsu_metrics *g = jutsu_metrics_global();
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_eq(g, jutsu_metrics_global());
    int64_t before = jutsu_metrics_value(NULL, "t_global_total", NULL);
    jutsu_metrics_add(NULL, "t_global_total", NULL, 5);
    ck_assert_int_eq(jutsu_metrics_value(g, "t_global_total", NULL), before + 5);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, golden_text);
    tcase_add_test(tc, bounded_and_kinds);
    tcase_add_test(tc, threads_add_exactly);
    tcase_add_test(tc, global_registry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(metrics_suite());
}
