/*
 * core/sdk/symbol.c — the symbol rule (see jutsu/symbol.h).
 */
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
