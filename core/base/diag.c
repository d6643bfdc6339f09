/*
 * core/base/diag.c — collected diagnostics.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"

void jutsu_diag_init(struct jutsu_diag *d)
{
    memset(d, 0, sizeof(*d));
}

void jutsu_diag_free(struct jutsu_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    memset(d, 0, sizeof(*d));
}

void jutsu_diag_add(struct jutsu_diag *d, const char *fmt, ...)
{
    va_list ap;
    char *line = NULL;

    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len >= 0 && (line = malloc((size_t)len + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(line, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **lines = realloc(d->lines, cap * sizeof(*lines));
        if (lines == NULL) {
            free(line);
            d->oom = 1;
            return;
        }
        d->lines = lines;
        d->cap = cap;
    }
    if (line == NULL)
        d->oom = 1;
    d->lines[d->n++] = line;
}

size_t jutsu_diag_count(const struct jutsu_diag *d)
{
    return d->n;
}

const char *jutsu_diag_line(const struct jutsu_diag *d, size_t i)
{
    if (i >= d->n)
        return NULL;
    return d->lines[i] ? d->lines[i] : "(message lost: out of memory)";
}

int jutsu_diag_has(const struct jutsu_diag *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->lines[i] && strstr(d->lines[i], needle))
            return 1;
    return 0;
}

void jutsu_diag_print(const struct jutsu_diag *d, FILE *f, const char *prefix)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(f, "%s%s\n", prefix ? prefix : "", jutsu_diag_line(d, i));
}
