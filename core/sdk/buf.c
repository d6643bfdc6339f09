/*
 * core/sdk/buf.c — the bounded growing buffer (see jutsu/buf.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/buf.h"
#include "jutsu/error.h"

int jutsu_buf_append(struct jutsu_buf *b, const void *data, size_t n, size_t max)
{
    /* in this order, so that nothing wraps around: the bytes and a NUL */
    if (n > max || b->len > max - n || b->len + n == SIZE_MAX)
        return JUTSU_ERANGE;
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return JUTSU_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

void jutsu_buf_free(struct jutsu_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}
