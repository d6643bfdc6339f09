/*
 * core/sdk/buf.c — the bounded growing buffer (see jutsu/buf.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/buf.h"
#include "jutsu/error.h"

/* Room for n more bytes and a NUL, within max. The first block fits what
 * is asked (at least 64 bytes), so that a short string kept for long
 * holds little more than itself; each later one doubles. */
static int reserve(struct jutsu_buf *b, size_t n, size_t max)
{
    /* in this order, so that nothing wraps around: the bytes and a NUL */
    if (n > max || b->len > max - n || b->len + n == SIZE_MAX)
        return JUTSU_ERANGE;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (p == NULL)
        return JUTSU_ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

int jutsu_buf_append(struct jutsu_buf *b, const void *data, size_t n, size_t max)
{
    int rc = reserve(b, n, max);
    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int jutsu_buf_vprintf(struct jutsu_buf *b, size_t max, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    int rc = n < 0 ? JUTSU_EINVAL : reserve(b, (size_t)n, max);
    if (rc == 0) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
    return rc;
}

int jutsu_buf_printf(struct jutsu_buf *b, size_t max, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = jutsu_buf_vprintf(b, max, fmt, ap);
    va_end(ap);
    return rc;
}

void jutsu_buf_free(struct jutsu_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}
