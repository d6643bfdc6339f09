/*
 * core/base/json_writer.h — a JSON writer: the text goes into one growing
 * buffer, byte for byte what json-c's json_object_to_json_string_ext
 * prints for the same tree, in its PRETTY layout (the commands' long
 * answers) or its PLAIN one (the positions a daily row or a snapshot
 * stores), with or without JSON_C_TO_STRING_NOSLASHESCAPE; and no tree is
 * built. Building one json-c object per value, then printing the tree,
 * was most of `jutsu data show --format json` (malloc, and the kernel
 * handing out the pages of a 5,000-row tree): three times the raw
 * `sqlite3 -json` of the same rows, where this writer is within 1.5x; and
 * a fifth of a backtest, whose every day builds two positions texts.
 *
 * Use: jutsu_jw_init (PRETTY) or jutsu_jw_init_plain; then values,
 * jutsu_jw_begin/end around arrays and objects, jutsu_jw_key before each
 * member's value; jutsu_jw_text for the NUL-terminated text, or
 * jutsu_jw_write to print it; jutsu_jw_free. A failed allocation is
 * remembered (w->oom) and makes jutsu_jw_text and jutsu_jw_write fail; the
 * calls in between need no checks. jutsu_jw_reset empties a writer for the
 * next text and keeps its buffer.
 *
 * Header-only (static inline), in the base room so that every room above
 * can use it.
 */
#ifndef JUTSU_CORE_BASE_JSON_WRITER_H
#define JUTSU_CORE_BASE_JSON_WRITER_H

#include <inttypes.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"

#define JUTSU_JW_MAX_DEPTH 32   /* deeper nesting is written flat, still valid JSON */

struct jutsu_jw {
    char         *buf;
    size_t        len, cap;
    int           depth;          /* open arrays and objects              */
    int           after_key;      /* the next value is a member's         */
    int           slash;          /* '/' as "\/" (json-c's default)       */
    int           plain;          /* PLAIN: no line breaks nor indents    */
    int           oom;
    unsigned char had[JUTSU_JW_MAX_DEPTH + 1];   /* a member at this depth */
};

/* slash_escape: 1 to write '/' as "\/" as json-c does by default, 0 for
 * JSON_C_TO_STRING_NOSLASHESCAPE. */
static inline void jutsu_jw_init(struct jutsu_jw *w, int slash_escape)
{
    memset(w, 0, sizeof(*w));
    w->slash = slash_escape;
}

/* The same for json-c's PLAIN layout: `[{"a":1,"b":"x"}]`. */
static inline void jutsu_jw_init_plain(struct jutsu_jw *w, int slash_escape)
{
    jutsu_jw_init(w, slash_escape);
    w->plain = 1;
}

/* Empty again for the next text, the buffer and the settings kept. */
static inline void jutsu_jw_reset(struct jutsu_jw *w)
{
    w->len = 0;
    w->depth = 0;
    w->after_key = 0;
    w->oom = 0;
    w->had[0] = 0;
}

static inline void jutsu_jw_free(struct jutsu_jw *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

/* Room for n more bytes; 0, or -1 (w->oom set). */
static inline int jutsu_jw_room(struct jutsu_jw *w, size_t n)
{
    if (w->oom)
        return -1;
    if (w->len + n <= w->cap)
        return 0;
    /* a command's answer starts at 64 KiB; a PLAIN text (a row's
     * positions, a few hundred bytes) at 1 KiB */
    size_t cap = w->cap ? w->cap : w->plain ? 1024 : 64 * 1024;
    while (cap < w->len + n)
        cap *= 2;
    char *b = realloc(w->buf, cap);
    if (b == NULL) {
        w->oom = 1;
        return -1;
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

static inline void jutsu_jw_put(struct jutsu_jw *w, const char *s, size_t n)
{
    if (jutsu_jw_room(w, n) == 0) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    }
}

static inline void jutsu_jw_indent(struct jutsu_jw *w, int depth)
{
    if (w->plain)
        return;
    size_t n = 2 * (size_t)depth;
    if (jutsu_jw_room(w, n) == 0) {
        memset(w->buf + w->len, ' ', n);
        w->len += n;
    }
}

/* A string's body as json-c escapes it (json_escape_str): the short
 * escapes, other control characters as \u00xx in lower case, '/' as the
 * writer was told; every other byte (UTF-8 included) as it is. */
static inline void jutsu_jw_escaped(struct jutsu_jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        const char *esc = NULL;
        char u[7];
        if (c >= 0x20 && c != '"' && c != '\\' && (c != '/' || !w->slash))
            continue;
        jutsu_jw_put(w, run, (size_t)(p - run));
        if (c == '\0')
            return;
        switch (c) {
        case '\b': esc = "\\b"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\f': esc = "\\f"; break;
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '/':  esc = "\\/"; break;
        default:
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 0xf];
            u[6] = '\0';
            esc = u;
        }
        jutsu_jw_put(w, esc, strlen(esc));
        run = p + 1;
    }
}

/* Before a value: a member's value follows its key; an array's element
 * follows a comma and its line's indentation. */
static inline void jutsu_jw_value(struct jutsu_jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    int d = w->depth < JUTSU_JW_MAX_DEPTH ? w->depth : JUTSU_JW_MAX_DEPTH;
    if (w->had[d])
        jutsu_jw_put(w, ",\n", w->plain ? 1 : 2);
    w->had[d] = 1;
    jutsu_jw_indent(w, w->depth);
}

/* Opens an array ('[') or an object ('{'). */
static inline void jutsu_jw_begin(struct jutsu_jw *w, char open)
{
    char s[2] = { open, '\n' };
    jutsu_jw_value(w);
    jutsu_jw_put(w, s, w->plain ? 1 : 2);
    w->depth++;
    w->had[w->depth < JUTSU_JW_MAX_DEPTH ? w->depth : JUTSU_JW_MAX_DEPTH] = 0;
}

/* Closes the innermost array (']') or object ('}'). */
static inline void jutsu_jw_end(struct jutsu_jw *w, char close)
{
    if (w->depth == 0)
        return;
    if (!w->plain && w->had[w->depth < JUTSU_JW_MAX_DEPTH ? w->depth : JUTSU_JW_MAX_DEPTH])
        jutsu_jw_put(w, "\n", 1);
    w->depth--;
    jutsu_jw_indent(w, w->depth);
    jutsu_jw_put(w, &close, 1);
}

/* A member's key; its value comes next. */
static inline void jutsu_jw_key(struct jutsu_jw *w, const char *key)
{
    jutsu_jw_value(w);
    jutsu_jw_put(w, "\"", 1);
    jutsu_jw_escaped(w, key);
    jutsu_jw_put(w, "\":", 2);
    w->after_key = 1;
}

/* A string; NULL as null. */
static inline void jutsu_jw_str(struct jutsu_jw *w, const char *s)
{
    jutsu_jw_value(w);
    if (s == NULL) {
        jutsu_jw_put(w, "null", 4);
        return;
    }
    jutsu_jw_put(w, "\"", 1);
    jutsu_jw_escaped(w, s);
    jutsu_jw_put(w, "\"", 1);
}

/* A value's JSON text as it is: a number formatted by the caller, null. */
static inline void jutsu_jw_raw(struct jutsu_jw *w, const char *text)
{
    jutsu_jw_value(w);
    jutsu_jw_put(w, text, strlen(text));
}

/* Digits written back to front: snprintf was half of a row's cost. */
static inline char *jutsu_jw_digits(char *end, uint64_t v, int min_digits)
{
    int n = 0;
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
        n++;
    } while (v || n < min_digits);
    return end;
}

static inline void jutsu_jw_int(struct jutsu_jw *w, int64_t v)
{
    char buf[24], *end = buf + sizeof(buf);
    char *p = jutsu_jw_digits(end, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 1);
    if (v < 0)
        *--p = '-';
    jutsu_jw_value(w);
    jutsu_jw_put(w, p, (size_t)(end - p));
}

/* Money as jutsu_money_format writes it (exact, six decimals) into buf
 * (JUTSU_MONEY_BUFSZ bytes), NUL-terminated; returns the length. For CSV
 * cells too. */
static inline size_t jutsu_jw_money_text(jutsu_money_t v, char *buf)
{
    return (size_t)jutsu_money_format(v, buf);
}

/* Money as a JSON string of that text. */
static inline void jutsu_jw_money(struct jutsu_jw *w, jutsu_money_t v)
{
    char buf[JUTSU_MONEY_BUFSZ + 2];
    size_t n = jutsu_jw_money_text(v, buf + 1);
    buf[0] = '"';
    buf[n + 1] = '"';
    jutsu_jw_value(w);
    jutsu_jw_put(w, buf, n + 2);
}

/* A date as the string jutsu_date_format writes ("2025-06-27"). */
static inline void jutsu_jw_date(struct jutsu_jw *w, jutsu_date_t d)
{
    char buf[JUTSU_DATE_BUFSZ + 2];
    int n = jutsu_date_format(d, buf + 1);
    if (n < 0) {   /* jutsu_json_date's null */
        jutsu_jw_raw(w, "null");
        return;
    }
    buf[0] = '"';
    buf[n + 1] = '"';
    jutsu_jw_value(w);
    jutsu_jw_put(w, buf, (size_t)n + 2);
}

static inline void jutsu_jw_bool(struct jutsu_jw *w, int v)
{
    jutsu_jw_raw(w, v ? "true" : "false");
}

/* A json-c value (NULL: null) printed by json-c with the writer's flags
 * and indented to where it stands: for a stored JSON text (a row's
 * positions), whose doubles json-c keeps in the text they were read from. */
static inline void jutsu_jw_json(struct jutsu_jw *w, json_object *o)
{
    int flags = (w->plain ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY) |
                (w->slash ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE);
    const char *s = o ? json_object_to_json_string_ext(o, flags) : "null";
    jutsu_jw_value(w);
    if (s == NULL) {
        w->oom = 1;
        return;
    }
    /* json-c's strings hold no raw line break: each one is the layout's */
    for (const char *nl; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
        jutsu_jw_put(w, s, (size_t)(nl - s) + 1);
        jutsu_jw_indent(w, w->depth);
    }
    jutsu_jw_put(w, s, strlen(s));
}

/* Once more than `over` bytes are held, writes them to f and holds none:
 * for an answer printed whole even when its read fails half-way. 0, or
 * -1 when an allocation failed or the write did (w->oom for the first). */
static inline int jutsu_jw_flush(struct jutsu_jw *w, FILE *f, size_t over)
{
    if (w->oom)
        return -1;
    if (w->len <= over)
        return 0;
    size_t n = w->len;
    w->len = 0;
    return fwrite(w->buf, 1, n, f) == n ? 0 : -1;
}

/* The text so far, NUL-terminated, valid until the next call on w; NULL
 * when an allocation failed. */
static inline const char *jutsu_jw_text(struct jutsu_jw *w)
{
    if (jutsu_jw_room(w, 1) != 0)
        return NULL;
    w->buf[w->len] = '\0';
    return w->buf;
}

/* The text and a line break, as puts() would print it; 0, or -1 when an
 * allocation failed or the write did. */
static inline int jutsu_jw_write(struct jutsu_jw *w, FILE *f)
{
    if (w->oom)
        return -1;
    if (w->len && fwrite(w->buf, 1, w->len, f) != w->len)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

#endif
