/*
 * tests/harness/harness.h — the plugin test harness's report and the
 * per-kind conformance suites.
 *
 * A suite is a function that runs checks against one started instance
 * and reports each with harness_check(). Suites are registered in
 * harness_suites[] (suites.c); the issue that builds a plugin kind adds
 * its suite there.
 */
#ifndef JUTSU_HARNESS_H
#define JUTSU_HARNESS_H

#include "jutsu/host.h"
#include "host/app.h"

struct harness {
    int passed, failed, skipped;
    struct jutsu_app *app;
};

/* Records one check: ok != 0 passes. `detail` is printed after the name. */
void harness_check(struct harness *h, int ok, const char *name, const char *fmt, ...)
    JUTSU_PRINTF(4, 5);
void harness_skip(struct harness *h, const char *name, const char *why);

struct harness_suite {
    uint32_t    kind;
    const char *name;
    void      (*run)(struct harness *h, struct jutsu_ctx *inst);
};

extern const struct harness_suite harness_suites[];

/* The suites (tests/harness/suite_<kind>.c). */
void harness_storage_suite(struct harness *h, struct jutsu_ctx *inst);
void harness_source_suite(struct harness *h, struct jutsu_ctx *inst);
void harness_kpi_suite(struct harness *h, struct jutsu_ctx *inst);
void harness_strategy_suite(struct harness *h, struct jutsu_ctx *inst);

#endif
