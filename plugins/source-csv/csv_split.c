/*
 * plugins/source-csv/csv_split.c — cutting a CSV line into fields, and the
 * small symbol helpers.
 *
 * The splitter walks the reader's buffer once and never copies: a field is
 * a pointer and a length into the buffer. Quoted fields are unescaped in place (a
 * doubled quote becomes one), which is why the buffer is writable; the
 * unescaped text is never longer than the quoted one, so this cannot run
 * over. Fields are trimmed of blanks and tabs.
 *
 * A quoted field may not span lines here, unlike RFC 4180: no field of a
 * bar file (a number, a date, a symbol) can hold a newline, and a stray
 * quote would otherwise swallow the rest of the file as one field. Ending
 * the row at the line end rejects one line instead of losing thousands.
 */
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/symbol.h"
#include "csv_int.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* An unquoted field ends at a comma, a line end or a NUL. The buffer ends
 * in NULs, so the scan needs no bounds check per byte: only at a NUL is it
 * asked whether the buffer has ended (a NUL inside the data is kept). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* High bit set in each byte of v that is zero; exact for the lowest such
 * byte (a borrow can only mark bytes above it), which is all we ask. */
static uint64_t zero_bytes(uint64_t v)
{
    return (v - ONES) & ~v & HIGHS;
}

/* The first stop byte at or after p, eight bytes at a time: fields are a
 * dozen bytes on average and this is the parser's innermost loop. Reads up
 * to 7 bytes past the NUL, which CSV_PAD zero bytes make safe. */
static char *next_stop(char *p)
{
    for (;;) {
        uint64_t w, hit;
        memcpy(&w, p, sizeof(w));
        hit = zero_bytes(w ^ (ONES * ',')) | zero_bytes(w ^ (ONES * '\n')) |
              zero_bytes(w ^ (ONES * '\r')) | zero_bytes(w);
        if (hit != 0)
            return p + (__builtin_ctzll(hit) >> 3);
        p += sizeof(w);
    }
}
#else
static const unsigned char stops[256] = { [','] = 1, ['\n'] = 1, ['\r'] = 1, ['\0'] = 1 };

static char *next_stop(char *p)
{
    while (!stops[(unsigned char)*p])
        p++;
    return p;
}
#endif

/* Ends a field at a comma, a line end or the end of the buffer. */
static int is_stop(const char *p, const char *end)
{
    return p >= end || *p == ',' || *p == '\n' || *p == '\r';
}

/* A quoted field starting at the opening quote *pp; unescapes in place. */
static const char *split_quoted(char **pp, char *end, struct csv_field *f)
{
    char *p = *pp + 1;
    char *w = p;
    f->p = p;
    f->quoted = 1;
    for (;;) {
        if (p >= end || *p == '\n' || *p == '\r') {
            /* the row is bad, but its fields are still looked at (csv_unread_row
             * copies them, a reject may quote them): leave none unset */
            f->len = (uint32_t)(w - f->p);
            *pp = p;
            return "a quoted field has no closing quote on its line";
        }
        if (*p == '"') {
            if (p + 1 < end && p[1] == '"') {
                *w++ = '"';
                p += 2;
                continue;
            }
            p++;
            break;
        }
        *w++ = *p++;
    }
    f->len = (uint32_t)(w - f->p);
    while (p < end && is_blank(*p))
        p++;
    *pp = p;
    return is_stop(p, end) ? NULL : "text follows the closing quote of a field";
}

static void split_plain(char **pp, char *end, struct csv_field *f)
{
    char *p = *pp;
    f->p = p;
    f->quoted = 0;
    for (;;) {
        p = next_stop(p);
        if (*p != '\0' || p >= end)
            break;
        p++;                    /* a NUL in the data, not the end */
    }
    char *e = p;
    while (e > f->p && is_blank(e[-1]))
        e--;
    f->len = (uint32_t)(e - f->p);
    *pp = p;
}

void csv_split(char **pos, char *end, uint32_t *line, struct csv_row *r)
{
    char *p = *pos;
    struct csv_field spare;

    r->n = 0;
    r->line = *line;
    r->bad = NULL;
    for (;;) {
        struct csv_field *f = r->n < CSV_MAX_FIELDS ? &r->f[r->n] : &spare;
        while (p < end && is_blank(*p))
            p++;
        if (p < end && *p == '"')
            r->bad = split_quoted(&p, end, f);
        else
            split_plain(&p, end, f);
        r->n++;
        if (r->bad != NULL || p >= end || *p != ',')
            break;
        p++;
    }
    /* A bad row is skipped to its line end; a good one is already there. */
    while (p < end && *p != '\n' && *p != '\r')
        p++;
    if (p < end && *p == '\r')
        p++;
    if (p < end && *p == '\n')
        p++;
    (*line)++;
    *pos = p;
}

int csv_row_blank(const struct csv_row *r)
{
    int n = r->n < CSV_MAX_FIELDS ? r->n : CSV_MAX_FIELDS;
    if (r->bad != NULL)
        return 0;
    for (int i = 0; i < n; i++)
        if (r->f[i].len != 0 || r->f[i].quoted)
            return 0;
    return 1;
}

int csv_symbol_copy(char *out, const char *text, size_t len)
{
    /* a NUL inside the cell would end the name early, at its start even:
     * an empty symbol reached the sink (found by fuzz_csv) */
    if (len == 0 || len >= CSV_SYMBOL_MAX || memchr(text, '\0', len) != NULL)
        return JUTSU_EINVAL;
    jutsu_symbol_upper(out, CSV_SYMBOL_MAX, text, len);
    return 0;
}

int csv_symset_add(struct csv_symset *s, const char *sym)
{
    /* Runs of one symbol (files grouped by symbol) cost one comparison;
     * looking through a short set keeps interleaved files from growing it
     * by a row each. Duplicates that remain go in csv_symset_each. */
    if (s->n > 0 && strcmp(s->v[s->n - 1], sym) == 0)
        return 0;
    for (size_t i = 0; s->n <= 64 && i < s->n; i++)
        if (strcmp(s->v[i], sym) == 0)
            return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        void *v = realloc(s->v, cap * sizeof(*s->v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    memcpy(s->v[s->n++], sym, CSV_SYMBOL_MAX);
    return 0;
}

static int cmp_sym(const void *a, const void *b)
{
    return strcmp(a, b);
}

int csv_symset_each(struct csv_symset *s, int (*fn)(const char *symbol, void *arg), void *arg)
{
    int rc = 0;
    if (s->n > 1)
        qsort(s->v, s->n, sizeof(*s->v), cmp_sym);
    for (size_t i = 0; i < s->n && rc == 0; i++)
        if (i == 0 || strcmp(s->v[i], s->v[i - 1]) != 0)
            rc = fn(s->v[i], arg);
    return rc;
}

void csv_symset_free(struct csv_symset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}
