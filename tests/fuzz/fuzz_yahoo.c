/*
 * tests/fuzz/fuzz_yahoo.c — yahoo_parse on any answer body: the v8 chart
 * JSON Yahoo sends (or an error page in its place). The first byte picks
 * the HTTP status and the timeframe the fetch asked for; the rest is the
 * body, NUL-terminated as yahoo_http.c leaves it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yahoo_int.h"
#include "host_fx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = { 200, 200, 200, 200, 404, 401, 500, 302 };
    struct yahoo_src s;
    struct yahoo_body body;
    if (size == 0 || size > (1u << 20))
        return 0;
    memset(&s, 0, sizeof(s));
    s.host = fuzz_host();
    memset(&body, 0, sizeof(body));
    if (size > 1) {
        if ((body.buf.p = malloc(size)) == NULL)
            abort();
        memcpy(body.buf.p, data + 1, size - 1);
        body.buf.p[size - 1] = '\0';
        body.buf.len = size - 1;
        body.buf.cap = size;
    }
    struct jutsu_fetch_req req = {
        .size = sizeof(req), .symbol = "QQQ",
        .timeframe = (data[0] & 8) ? "1H" : "1D",
        /* 2024-01-01 .. 2024-12-31, or everything */
        .from = (data[0] & 16) ? INT64_C(1704067200000000) : 0,
        .to = (data[0] & 16) ? INT64_C(1735603200000000) : INT64_MAX,
    };
    (void)yahoo_parse(&s, &req, "https://query1.finance.yahoo.com/v8/finance/chart/QQQ",
                      statuses[data[0] & 7], &body, &fuzz_sink);
    free(body.buf.p);
    return 0;
}
