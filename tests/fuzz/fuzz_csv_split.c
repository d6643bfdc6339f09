/*
 * tests/fuzz/fuzz_csv_split.c — the CSV source's row splitter alone, on
 * the buffer layout the reader gives it: the bytes, then CSV_PAD NUL
 * bytes (its sentinel). Every row is split until the end, as csv_read.c
 * does; quoted fields are unescaped in place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_row r;
    uint32_t line = 1;
    char *buf = malloc(size + CSV_PAD);
    if (buf == NULL)
        abort();
    memcpy(buf, data, size);
    memset(buf + size, 0, CSV_PAD);
    char *pos = buf, *end = buf + size;
    while (pos < end) {
        char *before = pos;
        csv_split(&pos, end, &line, &r);
        if (pos <= before || pos > end + 1)
            abort();   /* no progress, or past the sentinel */
        int n = r.n < CSV_MAX_FIELDS ? r.n : CSV_MAX_FIELDS;
        for (int i = 0; r.bad == NULL && i < n; i++)
            if (r.f[i].p < buf || r.f[i].p + r.f[i].len > end)
                abort();   /* a field outside the row's bytes */
        (void)csv_row_blank(&r);
    }
    free(buf);
    return 0;
}
