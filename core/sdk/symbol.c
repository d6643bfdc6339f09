/*
 * core/sdk/symbol.c — the symbol rule (see jutsu/symbol.h).
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/symbol.h"

size_t jutsu_symbol_upper(char *dst, size_t size, const char *src, size_t len)
{
    size_t i = 0;
    if (size == 0)
        return 0;
    for (; i + 1 < size && i < len && src[i]; i++) {
        char c = src[i];
        dst[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    dst[i] = '\0';
    return i;
}

int jutsu_symbol_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > JUTSU_SYMBOL_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr(".-^=", *s)))
            return 0;
    return 1;
}

static int symbol_char(char c, int fold)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr(".-^=", c)) || (fold && c >= 'a' && c <= 'z');
}

/* s quoted for a message: at most 40 bytes, others than printable ASCII
 * as \xNN, "..." when cut. */
static void quote(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0, i;
    for (i = 0; i < n && i < 40 && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        int w = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
              ? snprintf(out + o, size - o, "%c", c) : snprintf(out + o, size - o, "\\x%02X", c);
        o += w > 0 ? (size_t)w : 0;
    }
    if (i < n && o + 4 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < size ? o : size - 1] = '\0';
}

int jutsu_symbol_check(const char *s, int fold, char *why, size_t size)
{
    size_t n = s ? strlen(s) : 0, bad = 0;
    char q[200], what[64];
    while (bad < n && symbol_char(s[bad], fold))
        bad++;
    if (n > 0 && n <= JUTSU_SYMBOL_MAX && bad == n)
        return 1;
    if (n == 0)
        snprintf(what, sizeof(what), "it is empty");
    else if (n > JUTSU_SYMBOL_MAX)
        snprintf(what, sizeof(what), "it is %zu characters long", n);
    else if ((unsigned char)s[bad] >= 0x20 && (unsigned char)s[bad] < 0x7f)
        snprintf(what, sizeof(what), "'%c' is not allowed", s[bad]);
    else
        snprintf(what, sizeof(what), "byte 0x%02X is not allowed", (unsigned char)s[bad]);
    quote(s ? s : "", n, q, sizeof(q));
    snprintf(why, size, "\"%s\" is not a symbol: %s (a symbol is " JUTSU_SYMBOL_RULE ")", q,
             what);
    return 0;
}
