/*
 * core/cli/cli_json_stored.c — a stored JSON text (a daily_performance
 * row's positions_json or metrics) laid out into a JSON writer as json-c
 * would print it back after parsing it, without the parse: a tree of
 * json-c objects per row was a quarter of `perf show --format json`.
 *
 * Only the plain JSON our writers store (json-c's JSON_C_TO_STRING_PLAIN:
 * no blanks, integers and decimals as written) is taken; for anything
 * else, the caller parses. The answer is then the same bytes either way:
 * json-c keeps a decimal's text and prints an integer's digits back, so
 * what changes is the layout, the indentation and a "\/" (see
 * tests/unit/test_json_writer.c, which holds the two side by side).
 */
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"
#include "base/json_writer.h"

#define STORED_MAX_DEPTH 16    /* json-c refuses past 32: deeper is left to it */
#define STORED_MAX_KEYS  64    /* an object's keys compared for a repeated one */

static int value(struct jutsu_jw *w, const char **pp, int level);

/* A newline and the indentation of `level` below where the value stands. */
static void line(struct jutsu_jw *w, int level)
{
    jutsu_jw_put(w, "\n", 1);
    jutsu_jw_indent(w, w->depth + level);
}

/* The string whose opening quote *pp is at, escaped as json-c escapes
 * what it read. A \u escape or a raw control character: -1. */
static int string(struct jutsu_jw *w, const char **pp)
{
    const char *p = *pp + 1, *run = p;
    jutsu_jw_put(w, "\"", 1);
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\' && (c != '/' || !w->slash))
            continue;
        jutsu_jw_put(w, run, (size_t)(p - run));
        if (c == '"')
            break;
        if (c < 0x20)   /* the text's end too */
            return -1;
        const char *esc;
        if (c == '/') {
            esc = "\\/";
        } else {
            switch (*++p) {
            case '"':  esc = "\\\""; break;
            case '\\': esc = "\\\\"; break;
            case '/':  esc = w->slash ? "\\/" : "/"; break;
            case 'b':  esc = "\\b"; break;
            case 'f':  esc = "\\f"; break;
            case 'n':  esc = "\\n"; break;
            case 'r':  esc = "\\r"; break;
            case 't':  esc = "\\t"; break;
            default:   return -1;
            }
        }
        jutsu_jw_put(w, esc, strlen(esc));
        run = p + 1;
    }
    jutsu_jw_put(w, "\"", 1);
    *pp = p + 1;
    return 0;
}

static int digits(const char **pp)
{
    const char *p = *pp;
    while (*p >= '0' && *p <= '9')
        p++;
    int n = (int)(p - *pp);
    *pp = p;
    return n;
}

/* A number in JSON's grammar, copied: an integer that int64 holds for
 * sure (json-c prints its digits back; not -0, printed 0), or one with
 * a fraction or an exponent (json-c keeps its text). */
static int number(struct jutsu_jw *w, const char **pp)
{
    const char *p = *pp, *start = p;
    int neg = *p == '-';
    p += neg;
    const char *int_part = p;
    int n = digits(&p);
    if (n == 0 || (n > 1 && *int_part == '0'))
        return -1;
    int is_double = 0;
    if (*p == '.') {
        p++;
        if (digits(&p) == 0)
            return -1;
        is_double = 1;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (digits(&p) == 0)
            return -1;
        is_double = 1;
    }
    if (!is_double && (n > 18 || (neg && *int_part == '0')))
        return -1;
    jutsu_jw_put(w, start, (size_t)(p - start));
    *pp = p;
    return 0;
}

/* Whether the key at `k` (its opening quote) came before in this object,
 * among keys[0..n). Keys are compared as written: one with a backslash
 * could equal another written differently, so it is refused (-1). */
static int repeated(const char *k, const char *const *keys, size_t n)
{
    size_t len = strcspn(k + 1, "\"\\");
    if (k[1 + len] != '"')
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strncmp(keys[i], k, len + 2) == 0)
            return 1;
    return 0;
}

static int object(struct jutsu_jw *w, const char **pp, int level)
{
    const char *p = *pp + 1, *keys[STORED_MAX_KEYS];
    size_t n = 0;
    jutsu_jw_put(w, "{", 1);
    if (*p != '}') {
        for (;;) {
            /* json-c keeps one member of a repeated key, where the first was */
            if (*p != '"' || n == STORED_MAX_KEYS || repeated(p, keys, n) != 0)
                return -1;
            keys[n++] = p;
            if (n > 1)
                jutsu_jw_put(w, ",", 1);
            line(w, level + 1);
            if (string(w, &p) != 0 || *p++ != ':')
                return -1;
            jutsu_jw_put(w, ":", 1);
            if (value(w, &p, level + 1) != 0)
                return -1;
            if (*p == '}')
                break;
            if (*p++ != ',')
                return -1;
        }
    }
    line(w, level);   /* an empty object's too: "{", a line break, "}" */
    jutsu_jw_put(w, "}", 1);
    *pp = p + 1;
    return 0;
}

static int array(struct jutsu_jw *w, const char **pp, int level)
{
    const char *p = *pp + 1;
    jutsu_jw_put(w, "[", 1);
    if (*p != ']') {
        for (int i = 0;; i++) {
            jutsu_jw_put(w, i ? ",\n" : "\n", i ? 2 : 1);
            jutsu_jw_indent(w, w->depth + level + 1);
            if (value(w, &p, level + 1) != 0)
                return -1;
            if (*p == ']')
                break;
            if (*p++ != ',')
                return -1;
        }
    }
    line(w, level);
    jutsu_jw_put(w, "]", 1);
    *pp = p + 1;
    return 0;
}

static int literal(struct jutsu_jw *w, const char **pp, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(*pp, word, n) != 0)
        return -1;
    jutsu_jw_put(w, word, n);
    *pp += n;
    return 0;
}

static int value(struct jutsu_jw *w, const char **pp, int level)
{
    if (level > STORED_MAX_DEPTH)
        return -1;
    switch (**pp) {
    case '{': return object(w, pp, level);
    case '[': return array(w, pp, level);
    case '"': return string(w, pp);
    case 't': return literal(w, pp, "true");
    case 'f': return literal(w, pp, "false");
    case 'n': return literal(w, pp, "null");
    default:  return number(w, pp);
    }
}

int jutsu_jw_stored(struct jutsu_jw *w, const char *text)
{
    if (w->plain)
        return -1;   /* it lays out the PRETTY form only: json-c does the rest */
    /* what a refusal half-way puts back */
    size_t len = w->len;
    int after_key = w->after_key;
    unsigned char had[sizeof(w->had)];
    memcpy(had, w->had, sizeof(had));
    jutsu_jw_value(w);
    const char *p = text;
    if (text != NULL && value(w, &p, 0) == 0 && *p == '\0' && !w->oom)
        return 0;
    w->len = len;
    w->after_key = after_key;
    memcpy(w->had, had, sizeof(had));
    return -1;
}
