/*
 * tests/harness/report.c — where the harness's checks go (see harness.h):
 * the quiet report of test programs and the text report; json and tap are
 * report_fmt.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "report_int.h"

void harness_init_format(struct harness *h, FILE *out, enum harness_format format)
{
    memset(h, 0, sizeof(*h));
    h->mode = HARNESS_LINES;
    h->out = out ? out : stdout;
    h->format = format;
}

void harness_init_lines(struct harness *h, FILE *out)
{
    harness_init_format(h, out, HARNESS_TEXT);
}

void harness_init_quiet(struct harness *h, const char *label)
{
    memset(h, 0, sizeof(*h));
    h->mode = HARNESS_QUIET;
    h->label = label ? label : "FAIL";
}

int harness_format_parse(const char *name, enum harness_format *out)
{
    static const char *const names[] = { "text", "json", "tap" };
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (enum harness_format)i;
            return 0;
        }
    return -1;
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

static FILE *out_of(const struct harness *h)
{
    return h->out ? h->out : stdout;
}

/* The text report's line for one check or skip: what was found first (so
 * a line reads as it did before expectations were printed), then what was
 * expected; a failure puts them one above the other, where the eye
 * compares them. */
static void text_line(struct harness *h, int status, const char *name, const char *detail)
{
    FILE *out = out_of(h);
    const char *want = harness_expected(name);
    if (status < 0)
        fprintf(out, "%-4s %-22s %s\n", "skip", name, detail);
    else if (status > 0 && want)
        fprintf(out, "%-4s %-22s %s  (expected: %s)\n", "ok", name, detail, want);
    else if (status > 0)
        fprintf(out, "%-4s %-22s %s\n", "ok", name, detail);
    else
        fprintf(out, "%-4s %-22s got: %s\n%27s expected: %s\n", "FAIL", name, detail, "",
                want ? want : "(not described)");
}

/* One check or skip of HARNESS_LINES, in its format. */
static void record(struct harness *h, int status, const char *name, const char *detail)
{
    if (h->format == HARNESS_TEXT) {
        text_line(h, status, name, detail);
        return;
    }
    harness_fmt_flush(h);
    h->held = 1;
    h->last.status = status;
    snprintf(h->last.name, sizeof(h->last.name), "%s", name);
    snprintf(h->last.detail, sizeof(h->last.detail), "%s", detail);
    h->last.diag[0] = '\0';
}

void harness_check(struct harness *h, int ok, const char *name, const char *fmt, ...)
{
    char detail[HARNESS_DETAIL_MAX];
    va_list ap;
    if (ok)
        h->passed++;
    else
        h->failed++;
    if (h->mode == HARNESS_QUIET && ok)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (h->mode == HARNESS_QUIET) {
        note_failed(h, name);
        fprintf(stderr, "%s %s: %s\n", h->label ? h->label : "FAIL", name, detail);
        return;
    }
    record(h, ok ? 1 : 0, name, detail);
}

void harness_skip(struct harness *h, const char *name, const char *why)
{
    h->skipped++;
    if (h->mode == HARNESS_QUIET)
        return;
    record(h, -1, name, why);
}

void harness_diag(struct harness *h, const struct jutsu_diag *diag)
{
    if (h->mode == HARNESS_QUIET || h->format == HARNESS_TEXT) {
        FILE *out = h->mode == HARNESS_QUIET ? stderr : out_of(h);
        jutsu_diag_print(diag, out, "       ");
        return;
    }
    /* json, tap: the lines belong to the check held back */
    for (size_t i = 0; i < jutsu_diag_count(diag); i++) {
        size_t len = strlen(h->last.diag);
        snprintf(h->last.diag + len, sizeof(h->last.diag) - len, "%s\n",
                 jutsu_diag_line(diag, i));
    }
}

void harness_begin(struct harness *h, const char *plugin)
{
    if (h->mode == HARNESS_QUIET)
        return;
    if (h->format == HARNESS_TEXT)
        fprintf(out_of(h), "jutsu-plugin-test: %s\n", plugin);
    else
        harness_fmt_begin(h, plugin);
}

void harness_section(struct harness *h, const char *title)
{
    if (h->mode == HARNESS_QUIET || h->format == HARNESS_JSON)
        return;
    harness_fmt_flush(h);
    fprintf(out_of(h), h->format == HARNESS_TAP ? "# %s\n" : "---- %s\n", title);
}

void harness_finish(struct harness *h)
{
    if (h->mode == HARNESS_QUIET)
        return;
    if (h->format == HARNESS_TEXT)
        fprintf(out_of(h), "%d passed, %d failed, %d skipped\n", h->passed, h->failed,
                h->skipped);
    else
        harness_fmt_finish(h);
    fflush(out_of(h));
}
