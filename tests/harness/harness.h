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
 * Where a report goes is part of struct harness, set by one of the init
 * functions:
 *
 *   HARNESS_LINES  a report on h->out, the one a plugin author reads
 *                  (jutsu-plugin-test), in one of three formats:
 *                    text  "ok   NAME  G  (expected: E)", or on a failure
 *                          "FAIL NAME  got: G" and "expected: E" under it,
 *                          each step's own lines below;
 *                    json  one object: {"plugin", "checks": [{"name",
 *                          "status" (ok, fail, skip), "expected", "got",
 *                          "diag": [lines]}], "passed", "failed", "skipped"};
 *                    tap   TAP version 13: "ok N - NAME: E", "not ok N - ...",
 *                          a YAML block (expected, got, diag) under a
 *                          failure, "# SKIP" for a skip, the plan "1..N" last.
 *                  E is the check's expectation (harness_expected), G what
 *                  the check found.
 *   HARNESS_QUIET  for a test program that asserts which checks failed:
 *                  passes and skips are only counted; each failure is
 *                  printed on stderr as "LABEL NAME: DETAIL" and NAME is
 *                  appended to h->failed_names.
 *
 * A HARNESS_LINES report opens with harness_begin and ends with
 * harness_finish, which prints the tally (text), the plan (tap) or the
 * end of the object (json). In json and tap a check is held until the
 * next one (or the end) so that the lines harness_diag adds under it land
 * inside it: a crash loses at most that one check.
 *
 * Ownership: a struct harness owns nothing but its buffers; h->out and
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

enum harness_format {
    HARNESS_TEXT = 0,
    HARNESS_JSON = 1,
    HARNESS_TAP  = 2
};

/* Sizes of the check held back in json and tap; longer text is cut. */
#define HARNESS_NAME_MAX   64
#define HARNESS_DETAIL_MAX 1024
#define HARNESS_DIAG_MAX   4096

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

    /* HARNESS_LINES */
    enum harness_format format;
    int               number;     /* checks and skips written (TAP's numbers) */
    int               held;       /* json, tap: `last` waits to be written    */
    struct {
        int  status;              /* 1 ok, 0 fail, -1 skip                    */
        char name[HARNESS_NAME_MAX];
        char detail[HARNESS_DETAIL_MAX];
        char diag[HARNESS_DIAG_MAX];   /* lines, each ended by '\n'          */
    } last;
};

/* Start a report: counts zero, no app, no failed names. `out` NULL means
 * stdout; `label` NULL means "FAIL" (a test where failing is the point
 * says "(as it should) FAIL", so its log does not read as a failure). */
void harness_init_lines(struct harness *h, FILE *out);
void harness_init_quiet(struct harness *h, const char *label);
/* harness_init_lines in another format. */
void harness_init_format(struct harness *h, FILE *out, enum harness_format format);
/* "text", "json", "tap" -> *out; 0, or -1 for another name. */
int  harness_format_parse(const char *name, enum harness_format *out);

/* HARNESS_LINES: the report's head (the plugin's path) and its end (the
 * tally, the plan, or the end of the json object). No-ops in QUIET. */
void harness_begin(struct harness *h, const char *plugin);
void harness_finish(struct harness *h);
/* A heading before a group of checks ("conformance: kpi"): a line in
 * text, a comment in tap, nothing in json (the names say the group). */
void harness_section(struct harness *h, const char *title);

/* What check NAME expects, for a person ("the settings are valid against
 * the plugin's schema"); NULL for a name the table does not know
 * (tests/harness/expect.c, where every check's name is listed). */
const char *harness_expected(const char *name);

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
