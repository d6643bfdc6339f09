/*
 * tests/unit/testutil.h — small helpers shared by the Check test programs.
 */
#ifndef JUTSU_TESTUTIL_H
#define JUTSU_TESTUTIL_H

#include <check.h>

/* $JUTSU_SOURCE_DIR (set by ctest), else "." */
const char *tu_source_dir(void);
/* $JUTSU_BUILD_DIR, else "build" */
const char *tu_build_dir(void);
/* A fresh directory under $TMPDIR (or /tmp); caller frees the string.
 * Aborts the test on failure. */
char *tu_tmpdir(void);
/* Writes `content` to dir/name; returns the path (caller frees). */
char *tu_write_file(const char *dir, const char *name, const char *content);
/* Removes a directory tree (best effort). */
void tu_rmtree(const char *dir);
/* Runs the suite with CK_NORMAL output; returns the process exit status. */
int tu_run(Suite *s);

struct jutsu_app;
struct harness_fixture;
/* An app, no database, from `plugins` (the YAML list of instances, log at
 * error): *app always set (free with jutsu_app_free); returns the code of
 * load_plugins, then of start; what loading said goes to diag. Asserts
 * only that the config parses. */
int tu_app_open(const char *plugins, struct jutsu_app **app, char *diag, size_t diagsz);
/* Plugin NAME.so from the first directory of $JUTSU_PLUGIN_PATH (else
 * $JUTSU_BUILD_DIR/plugins), started the way jutsu-plugin-test starts it
 * (tests/harness/harness_fixture.h) with `settings` (YAML text of its
 * config, or NULL), log at error. Asserts that it started; the steps that
 * failed are on stderr. Free with harness_fixture_free. */
struct harness_fixture *tu_harness_start(const char *name, const char *settings);

#endif
