/*
 * tests/fuzz/fe_http.h — one raw HTTP request through a real
 * libmicrohttpd daemon, to a handler of the test's own that gets the
 * request as fe_server.c makes it (struct fe_req: method, path, the
 * connection for headers, cookies and query arguments, the body).
 *
 * libmicrohttpd parses the request line and headers and decodes the query;
 * the frontend's code behind it is what the targets call from fn. The
 * daemon has no listening socket and no thread: each request comes in on
 * a socketpair and the daemon is run by hand, then stopped, so that no
 * state lives from one input to the next.
 */
#ifndef JUTSU_FUZZ_FE_HTTP_H
#define JUTSU_FUZZ_FE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "fe.h"

#define FE_HTTP_MAX_BODY 65536

/* Called once per complete request; may answer with fe_ok/fe_error (the
 * answer is sent and freed). */
typedef void (*fe_http_fn)(struct fe_req *r);

/* Feeds req[0..len) to a fresh daemon. Returns 1 if fn ran. */
int fe_http_run(const uint8_t *req, size_t len, fe_http_fn fn);

#endif
