/*
 * tests/fuzz/fuzz_date.c — the date and time parsers of the SDK on any
 * bytes (not NUL-terminated: a read past `len` shows). A parsed date or
 * instant must format and parse back to itself.
 */
#include <stdint.h>
#include <stdlib.h>

#include "jutsu/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    jutsu_date_t d, d2;
    jutsu_time_t t, t2;
    char buf[JUTSU_TIME_BUFSZ];
    int y, m, day;
    if (size > 4096)
        return 0;
    if (jutsu_date_parse(s, (long)size, &d) == 0) {
        int n = jutsu_date_format(d, buf);
        if (n <= 0 || jutsu_date_parse(buf, n, &d2) != 0 || d2 != d)
            abort();
    }
    if (jutsu_date_split(s, (long)size, &y, &m, &day) == 0 && (y < 0 || y > 9999))
        abort();
    if (jutsu_time_parse(s, (long)size, &t) == 0) {
        int n = jutsu_time_format(t, buf);
        /* a zone offset may carry 0000-01-01 into year -1, which formats
         * signed and is no input form: only four-digit years come back */
        if (n <= 0 || (buf[0] != '+' && buf[0] != '-' &&
                       (jutsu_time_parse(buf, n, &t2) != 0 || t2 != t)))
            abort();
    }
    return 0;
}
