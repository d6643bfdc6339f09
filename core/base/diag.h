/*
 * core/base/diag.h — collected diagnostics.
 *
 * Validation reports every problem it finds, not just the first: a person
 * fixing a config file wants the whole list at once. A jutsu_diag gathers
 * lines of the form "file:line:col: message" (or "plugin: message") and
 * the caller prints them. Not thread-safe: one diag per operation.
 */
#ifndef JUTSU_CORE_DIAG_H
#define JUTSU_CORE_DIAG_H

#include <stddef.h>
#include <stdio.h>

#include "jutsu/host.h"  /* JUTSU_PRINTF */

struct jutsu_diag {
    char  **lines;
    size_t  n, cap;
    int     oom;        /* a line could not be stored */
};

void jutsu_diag_init(struct jutsu_diag *d);
void jutsu_diag_free(struct jutsu_diag *d);
/* Appends one line (no trailing newline). Never fails loudly: on ENOMEM
 * it sets d->oom and the count still grows. */
void jutsu_diag_add(struct jutsu_diag *d, const char *fmt, ...) JUTSU_PRINTF(2, 3);
size_t jutsu_diag_count(const struct jutsu_diag *d);
/* The i-th line, or NULL. */
const char *jutsu_diag_line(const struct jutsu_diag *d, size_t i);
/* Nonzero if any line contains `needle` (for tests and callers). */
int jutsu_diag_has(const struct jutsu_diag *d, const char *needle);
/* Writes each line, prefixed by `prefix` if not NULL, to `f`. */
void jutsu_diag_print(const struct jutsu_diag *d, FILE *f, const char *prefix);

#endif
