/*
 * jutsu/buf.h — a growing byte buffer with a ceiling: what a plugin fills
 * from the network (an HTTP body as libcurl hands it over) without letting
 * a hostile or broken peer make it grow without bound, and what the host
 * builds text in. In libjutsu_sdk, which plugins and the host link.
 *
 *   struct jutsu_buf b = { 0 };
 *   if (jutsu_buf_append(&b, data, n, 8 << 20) == JUTSU_ERANGE) ... too big
 *   ... b.p[0 .. b.len), NUL-terminated ...
 *   jutsu_buf_free(&b);
 *
 * Not thread-safe: a buffer belongs to one thread at a time.
 */
#ifndef JUTSU_BUF_H
#define JUTSU_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct jutsu_buf {
    char  *p;       /* NULL until something arrives; then NUL-terminated */
    size_t len;     /* bytes held, the NUL not counted                   */
    size_t cap;     /* bytes allocated                                   */
};

/* Appends data[0..n) and keeps a NUL after the last byte. 0, JUTSU_ERANGE
 * when len + n would exceed max (nothing appended), or JUTSU_ENOMEM. */
int  jutsu_buf_append(struct jutsu_buf *b, const void *data, size_t n, size_t max);
/* Appends printf(fmt, ...), as jutsu_buf_append does its bytes: 0,
 * JUTSU_ERANGE past max (nothing appended), JUTSU_ENOMEM, or JUTSU_EINVAL
 * for a format vsnprintf refuses. */
int  jutsu_buf_printf(struct jutsu_buf *b, size_t max, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int  jutsu_buf_vprintf(struct jutsu_buf *b, size_t max, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;
/* Frees what the buffer holds and empties it. */
void jutsu_buf_free(struct jutsu_buf *b);

#endif
