/*
 * tests/fuzz/fuzz_fe_last_event_id.c — the SSE route's request readers
 * (fe_events.c: the Last-Event-ID header a reconnecting EventSource sends,
 * and the topics filter) on any value. The input is the header value; a
 * '\n' in it splits off the topics value, sent percent-encoded in the
 * query so that libmicrohttpd hands it over as bytes. Other header bytes
 * reach the parser as libmicrohttpd leaves them (a CR or LF ends the
 * header there).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe_fx.h"
#include "fe_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void handle(struct fe_req *r)
{
    (void)fe_fx_events_request(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    if (size > 4096)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t idlen = nl ? (size_t)(nl - data) : size;
    char *req = malloc(3 * size + 128), *p = req;
    if (req == NULL)
        abort();
    p += sprintf(p, "GET /api/events");
    if (nl) {
        p += sprintf(p, "?topics=");
        for (const uint8_t *t = nl + 1; t < data + size; t++) {
            *p++ = '%';
            *p++ = hex[*t >> 4];
            *p++ = hex[*t & 15];
        }
    }
    p += sprintf(p, " HTTP/1.1\r\nHost: x\r\nLast-Event-ID: ");
    memcpy(p, data, idlen);
    p += idlen;
    p += sprintf(p, "\r\n\r\n");
    (void)fe_http_run((const uint8_t *)req, (size_t)(p - req), handle);
    free(req);
    return 0;
}
