/*
 * tests/unit/harness_capture.h — the two functions a harness suite reports
 * through (tests/harness/harness.h), for a Check test that includes the
 * suite's .c and runs it on a plugin: passes are counted, each failure is
 * printed on stderr under hc_label and its name appended to hc_failed, so
 * the test can assert which checks failed (a suite run on a broken plugin
 * must name what is broken).
 */
#ifndef JUTSU_TEST_HARNESS_CAPTURE_H
#define JUTSU_TEST_HARNESS_CAPTURE_H

/* The names of the failed checks since the last hc_reset, space-separated. */
extern char hc_failed[1024];

/* Forgets the failures; `label` starts each failure's line ("FAIL", or
 * "(as it should) FAIL" where failing is the point). */
void hc_reset(const char *label);

#endif
