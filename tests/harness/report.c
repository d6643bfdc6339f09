/*
 * tests/harness/report.c — where the harness's checks go (see harness.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

void harness_init_lines(struct harness *h, FILE *out)
{
    memset(h, 0, sizeof(*h));
    h->mode = HARNESS_LINES;
    h->out = out ? out : stdout;
}

void harness_init_quiet(struct harness *h, const char *label)
{
    memset(h, 0, sizeof(*h));
    h->mode = HARNESS_QUIET;
    h->label = label ? label : "FAIL";
}

/* Appends "name " to the failed names; a name that does not fit whole is
 * left out rather than cut, so a test never matches half a name. */
static void note_failed(struct harness *h, const char *name)
{
    size_t len = strlen(h->failed_names), n = strlen(name);
    if (len + n + 2 > sizeof(h->failed_names))
        return;
    memcpy(h->failed_names + len, name, n);
    h->failed_names[len + n] = ' ';
    h->failed_names[len + n + 1] = '\0';
}

void harness_check(struct harness *h, int ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (ok)
        h->passed++;
    else
        h->failed++;
    if (h->mode == HARNESS_QUIET) {
        if (ok)
            return;
        note_failed(h, name);
        fprintf(stderr, "%s %s: ", h->label ? h->label : "FAIL", name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return;
    }
    FILE *out = h->out ? h->out : stdout;
    fprintf(out, "%-4s %-22s ", ok ? "ok" : "FAIL", name);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

void harness_skip(struct harness *h, const char *name, const char *why)
{
    h->skipped++;
    if (h->mode == HARNESS_QUIET)
        return;
    fprintf(h->out ? h->out : stdout, "%-4s %-22s %s\n", "skip", name, why);
}

void harness_diag(struct harness *h, const struct jutsu_diag *diag)
{
    FILE *out = h->mode == HARNESS_QUIET ? stderr : h->out ? h->out : stdout;
    jutsu_diag_print(diag, out, "       ");
}
