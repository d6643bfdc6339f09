/*
 * tests/harness/report_fmt.c — the json and tap reports (harness.h says
 * what each looks like). A check is written when the next one arrives, so
 * that the diag lines reported under it are written with it.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static FILE *out_of(const struct harness *h)
{
    return h->out ? h->out : stdout;
}

static const char *status_name(int status)
{
    return status > 0 ? "ok" : status == 0 ? "fail" : "skip";
}

/* A json string, escaped by json-c ("null" when out of memory). */
static void json_str(FILE *out, const char *s)
{
    json_object *o = json_object_new_string(s);
    fputs(o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE) : "null", out);
    json_object_put(o);
}

static void json_check(struct harness *h)
{
    FILE *out = out_of(h);
    const char *want = harness_expected(h->last.name);
    fputs(h->number > 1 ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
    json_str(out, h->last.name);
    fprintf(out, ", \"status\": \"%s\", \"expected\": ", status_name(h->last.status));
    if (want)
        json_str(out, want);
    else
        fputs("null", out);
    fputs(", \"got\": ", out);
    json_str(out, h->last.detail);
    fputs(", \"diag\": [", out);
    int first = 1;
    for (char *p = h->last.diag, *nl; *p; p = nl + 1) {
        if ((nl = strchr(p, '\n')) == NULL)
            break;
        *nl = '\0';
        fputs(first ? "" : ", ", out);
        json_str(out, p);
        first = 0;
    }
    fputs("]}", out);
}

/* A YAML double-quoted scalar: TAP consumers parse the block as YAML. */
static void yaml_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* TAP's description may hold anything but '#', which starts a directive:
 * TAP 14 escapes it as "\#" (13 readers show the backslash, no harm). */
static void tap_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '#' || *s == '\\')
            fputc('\\', out);
        fputc(*s == '\n' ? ' ' : *s, out);
    }
}

static void tap_check(struct harness *h)
{
    FILE *out = out_of(h);
    const char *want = harness_expected(h->last.name);
    fprintf(out, "%s %d - ", h->last.status == 0 ? "not ok" : "ok", h->number);
    tap_text(out, h->last.name);
    if (h->last.status < 0) {
        fputs(" # SKIP ", out);
        tap_text(out, h->last.detail);
        fputc('\n', out);
        return;
    }
    if (want) {
        fputs(": ", out);
        tap_text(out, want);
    }
    fputc('\n', out);
    if (h->last.status > 0)
        return;
    fputs("  ---\n  expected: ", out);
    yaml_str(out, want ? want : "(not described)");
    fputs("\n  got: ", out);
    yaml_str(out, h->last.detail);
    fputc('\n', out);
    if (h->last.diag[0]) {
        fputs("  diag:\n", out);
        for (char *p = h->last.diag, *nl; *p && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            *nl = '\0';
            fputs("    - ", out);
            yaml_str(out, p);
            fputc('\n', out);
        }
    }
    fputs("  ...\n", out);
}

void harness_fmt_flush(struct harness *h)
{
    if (!h->held)
        return;
    h->held = 0;
    h->number++;
    if (h->format == HARNESS_JSON)
        json_check(h);
    else
        tap_check(h);
}

void harness_fmt_begin(struct harness *h, const char *plugin)
{
    FILE *out = out_of(h);
    if (h->format == HARNESS_TAP) {
        fputs("TAP version 13\n# jutsu-plugin-test: ", out);
        tap_text(out, plugin);
        fputc('\n', out);
        return;
    }
    fputs("{\"plugin\": ", out);
    json_str(out, plugin);
    fputs(", \"checks\": [", out);
}

void harness_fmt_finish(struct harness *h)
{
    FILE *out = out_of(h);
    harness_fmt_flush(h);
    if (h->format == HARNESS_TAP)
        fprintf(out, "1..%d\n# %d passed, %d failed, %d skipped\n", h->number, h->passed,
                h->failed, h->skipped);
    else
        fprintf(out, "\n], \"passed\": %d, \"failed\": %d, \"skipped\": %d}\n", h->passed,
                h->failed, h->skipped);
}
