/*
 * tests/fuzz/fuzz_fe_request.c — a raw HTTP request (request line,
 * headers, body) to the REST frontend's request readers, through a real
 * libmicrohttpd (fe_http.c): the router (fe_route_find, as dispatch calls
 * it), the query parameter readers of fe_query.c with the names and
 * bounds the routes use, the header and cookie readers, the event-stream
 * parameters (topics, Last-Event-ID), and for a body the JSON object
 * reader and its string members (fe_body_json, fe_body_str). Each reader
 * may answer 400; the answer is replaced by the next, as a handler would
 * have stopped at the first.
 *
 * Handlers themselves need a running host and are not reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fe_fx.h"
#include "fe_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void handle(struct fe_req *r)
{
    static const char *const members[] = {
        "username", "password", "code", "challenge_token", "refresh_token", "device_name",
        "role", "email", "current_password", "new_password", "reason",
    };
    const struct fe_route *rt = NULL;
    jutsu_date_t d;
    int64_t n, page, per_page;
    const char *w;
    int st = fe_route_find(r->method, r->path, r, &rt, r->allow, sizeof(r->allow));
    if ((st == 0) != (rt != NULL) || (st != 0 && st != 404 && st != 405) ||
        r->params_n > FE_MAX_PARAMS)
        abort();
    for (int i = 0; i < r->params_n; i++)
        if (strlen(r->params[i]) >= FE_PARAM_MAX)
            abort();
    (void)fe_query_date(r, "from", 1, &d);
    (void)fe_query_date(r, "to", 0, &d);
    (void)fe_query_int(r, "days", 1, 3660, &n);
    (void)fe_query_word(r, "symbol", 10, &w);
    (void)fe_query_word(r, "entities", FE_PARAM_MAX - 1, &w);
    (void)fe_query_page(r, 50, 500, &page, &per_page);
    (void)fe_query(r, "reason");
    (void)fe_header(r, "Authorization");
    (void)fe_cookie(r, "jutsu_refresh");
    (void)fe_fx_events_request(r);
    if (r->body_len == 0)
        return;
    json_object *b = fe_body_json(r);
    if (b == NULL)
        return;
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        const char *v = fe_body_str(r, b, members[i], 256, (int)(i & 1));
        if (v != NULL && strlen(v) > 256)
            abort();
    }
    json_object_put(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FE_HTTP_MAX_BODY)
        return 0;
    (void)fe_http_run(data, size, handle);
    return 0;
}
