/*
 * core/sdk/symbol.c — the symbol rule (see jutsu/symbol.h).
 */
#include <string.h>

#include "jutsu/symbol.h"

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
