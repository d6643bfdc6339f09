/*
 * tests/fuzz/fuzz_money.c — jutsu_money_parse on any bytes, in each
 * rounding mode. The input is not NUL-terminated, so that a read past
 * `len` shows. What parses must format and parse back to the same value:
 * prices go through text in CSV, JSON and SQL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int modes[] = { JUTSU_MONEY_EXACT, JUTSU_MONEY_HALF_EVEN, JUTSU_MONEY_HALF_UP };
    if (size > 4096)
        return 0;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        jutsu_money_t v, back;
        char buf[JUTSU_MONEY_BUFSZ];
        if (jutsu_money_parse((const char *)data, (long)size, modes[i], &v) != 0)
            continue;
        if (v > JUTSU_MONEY_MAX || v < JUTSU_MONEY_MIN)
            abort();
        int n = jutsu_money_format(v, buf);
        if (n <= 0 || (size_t)n >= sizeof(buf) || strlen(buf) != (size_t)n)
            abort();
        if (jutsu_money_parse(buf, n, JUTSU_MONEY_EXACT, &back) != 0 || back != v)
            abort();
        n = jutsu_money_format_short(v, buf);
        if (jutsu_money_parse(buf, n, JUTSU_MONEY_EXACT, &back) != 0 || back != v)
            abort();
    }
    return 0;
}
