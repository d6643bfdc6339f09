/*
 * tests/fuzz/fuzz_schwab.c — schwab_candles on any pricehistory answer:
 * the JSON candles, and the hourly bars built from half-hour candles on
 * the exchange clock. The first byte picks the timeframe and the range
 * asked for; the rest is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schwab_int.h"
#include "host_fx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const tfs[] = { "1D", "1H", "5m", "15m" };
    struct schwab s;
    size_t delivered = 0;
    if (size == 0 || size > (1u << 20))
        return 0;
    memset(&s, 0, sizeof(s));
    s.host = fuzz_host();
    s.service = "market data from Schwab";
    struct jutsu_fetch_req req = {
        .size = sizeof(req), .symbol = "QQQ", .timeframe = tfs[data[0] & 3],
        /* January 2024, or everything */
        .from = (data[0] & 4) ? INT64_C(1704067200000000) : 0,
        .to = (data[0] & 4) ? INT64_C(1706745599000000) : INT64_MAX,
    };
    (void)schwab_candles(&s, &req, (const char *)data + 1, size - 1, &fuzz_sink, &delivered);
    return 0;
}
