/*
 * tests/unit/harness_capture.c — harness_check and harness_skip for a Check
 * test (see harness_capture.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../harness/harness.h"
#include "harness_capture.h"

char hc_failed[1024];
static const char *hc_label = "FAIL";

void hc_reset(const char *label)
{
    hc_failed[0] = '\0';
    hc_label = label;
}

void harness_check(struct harness *h, int ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (ok) {
        h->passed++;
        return;
    }
    h->failed++;
    size_t len = strlen(hc_failed);
    snprintf(hc_failed + len, sizeof(hc_failed) - len, "%s ", name);
    fprintf(stderr, "%s %s: ", hc_label, name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void harness_skip(struct harness *h, const char *name, const char *why_skipped)
{
    (void)name;
    (void)why_skipped;
    h->skipped++;
}
