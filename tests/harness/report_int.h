/*
 * tests/harness/report_int.h — what report.c shares with report_fmt.c, the
 * json and tap writers (nothing else includes it).
 */
#ifndef JUTSU_HARNESS_REPORT_INT_H
#define JUTSU_HARNESS_REPORT_INT_H

#include "harness.h"

/* Writes the check held back (h->last), if any. */
void harness_fmt_flush(struct harness *h);
/* The head and the end of a json or tap report. */
void harness_fmt_begin(struct harness *h, const char *plugin);
void harness_fmt_finish(struct harness *h);

#endif
