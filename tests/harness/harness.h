/*
 * tests/harness/harness.h — the plugin test harness's report and the
 * per-kind conformance suites (libjutsu_harness).
 *
 * A suite is a function that runs checks against one started instance
 * and reports each with harness_check(). Suites are registered in
 * harness_suites[] (suites.c); the issue that builds a plugin kind adds
 * its suite there. To get a started instance to run a suite on, see
 * harness_fixture.h.
 *
 * Where a report goes is part of struct harness, set by one of the two
 * init functions:
 *
 *   HARNESS_LINES  one line per check or skip on h->out, "ok   NAME  DETAIL"
 *                  or "FAIL NAME  DETAIL": jutsu-plugin-test's output, the
 *                  one a plugin author reads;
 *   HARNESS_QUIET  for a test program that asserts which checks failed:
 *                  passes and skips are only counted; each failure is
 *                  printed on stderr as "LABEL NAME: DETAIL" and NAME is
 *                  appended to h->failed_names.
 *
 * Ownership: a struct harness owns nothing but its buffer; h->out and
 * h->label belong to the caller and must outlive the report. h->app is
 * borrowed. Thread-safety: none; a suite reports from the thread that
 * runs it, and one struct harness serves one thread.
 */
#ifndef JUTSU_HARNESS_H
#define JUTSU_HARNESS_H

#include <stdio.h>

#include "jutsu/host.h"
#include "host/app.h"

/* Room for the failed checks' names in HARNESS_QUIET: a whole suite's
 * worth failing at once fits; names past the end are dropped (h->failed
 * still counts them). */
#define HARNESS_NAMES_MAX 2048

enum harness_mode {
    HARNESS_LINES = 0,
    HARNESS_QUIET = 1
};

struct harness {
    int passed, failed, skipped;
    /* The app the instance under test runs in, or NULL: a suite that
     * needs a second instance of the same module (strategy) looks here. */
    struct jutsu_app *app;

    enum harness_mode mode;
    FILE             *out;     /* HARNESS_LINES: where the lines go          */
    const char       *label;   /* HARNESS_QUIET: starts each failure's line  */
    /* HARNESS_QUIET: the names of the failed checks, each followed by one
     * space ("kpi.finite kpi.series "), "" when none failed */
    char              failed_names[HARNESS_NAMES_MAX];
};

/* Start a report: counts zero, no app, no failed names. `out` NULL means
 * stdout; `label` NULL means "FAIL" (a test where failing is the point
 * says "(as it should) FAIL", so its log does not read as a failure). */
void harness_init_lines(struct harness *h, FILE *out);
void harness_init_quiet(struct harness *h, const char *label);

/* Records one check: ok != 0 passes. `fmt` makes the detail printed after
 * the name (a line of its own; no trailing newline). */
void harness_check(struct harness *h, int ok, const char *name, const char *fmt, ...)
    JUTSU_PRINTF(4, 5);
/* Records a check that could not run, and why. */
void harness_skip(struct harness *h, const char *name, const char *why);
/* Prints what a step said (a loader's or validator's lines) under the last
 * check, indented: on h->out in HARNESS_LINES, on stderr in HARNESS_QUIET.
 * Prints nothing for an empty diag. */
void harness_diag(struct harness *h, const struct jutsu_diag *diag);

/* --- the conformance suites ------------------------------------------------ */

struct harness_suite {
    uint32_t    kind;
    const char *name;
    void      (*run)(struct harness *h, struct jutsu_ctx *inst);
};

/* One per kind that has a suite, ended by { 0, NULL, NULL }. */
extern const struct harness_suite harness_suites[];

/* The suite of `kind`, or NULL when that kind has none yet. */
const struct harness_suite *harness_suite_find(uint32_t kind);

/* The suites (tests/harness/suite_<kind>.c). Each runs on `inst`, a
 * started instance, through its kind's ops alone; storage needs an empty
 * database behind the instance and leaves it empty. h->app may be NULL
 * (strategy then skips what needs a second instance). */
void harness_storage_suite(struct harness *h, struct jutsu_ctx *inst);
void harness_source_suite(struct harness *h, struct jutsu_ctx *inst);
void harness_kpi_suite(struct harness *h, struct jutsu_ctx *inst);
void harness_strategy_suite(struct harness *h, struct jutsu_ctx *inst);

#endif
