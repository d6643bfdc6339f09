/*
 * plugins/source-yahoo/yahoo_int.h — the Yahoo source's parts, shared by
 * its files: yahoo_plugin.c (descriptor, config, fetch), yahoo_http.c (one
 * GET with retries and back-off over libcurl) and yahoo_parse.c (a v8 chart
 * response into bars).
 */
#ifndef JUTSU_SOURCE_YAHOO_INT_H
#define JUTSU_SOURCE_YAHOO_INT_H

#include <stddef.h>

#include <curl/curl.h>

#include "jutsu/buf.h"
#include "jutsu/host.h"
#include "jutsu/source.h"

#define YAHOO_BODY_MAX    (32L * 1024 * 1024)  /* a 60-year daily chart is ~2 MiB */
#define YAHOO_WAIT_MAX_MS 30000L               /* longest pause between attempts */
#define YAHOO_SNIPPET     80                   /* body bytes quoted in messages  */
#define YAHOO_SNIPPET_BUF (YAHOO_SNIPPET * 4 + 8)

struct yahoo_src {
    const struct jutsu_host *host;
    jutsu_ctx *ctx;
    char      *base_url;       /* no trailing '/'                            */
    char      *user_agent;
    long       timeout_ms;
    long       backoff_ms;
    int        retries;        /* attempts after the first                   */
    int        curl_global;    /* curl_global_init succeeded: clean it up    */
    CURL      *curl;           /* one handle per instance: keeps the connection
                                  to Yahoo open from one symbol to the next   */
    char       errbuf[CURL_ERROR_SIZE];
};

/* A response body as it arrives. */
struct yahoo_body {
    struct jutsu_buf buf;      /* NUL-terminated once anything arrived       */
    int    too_big;            /* the transfer was stopped at YAHOO_BODY_MAX */
};

/*
 * GETs `url` with up to s->retries retries. Retries 429, 408, 5xx and
 * network failures, waiting the answer's Retry-After if it has one, else
 * backoff_ms, doubling; never more than YAHOO_WAIT_MAX_MS. Returns 0 with *status and the
 * body of a final answer (2xx, 3xx, or a 4xx other than 408/429), or
 * JUTSU_ERATELIMIT, JUTSU_ETRANSIENT, JUTSU_EMALFORMED (body over
 * YAHOO_BODY_MAX), JUTSU_ECONFIG or JUTSU_ENOMEM after host->set_error
 * naming `shown` (the URL without credentials). The caller frees body->p,
 * also on failure.
 */
int yahoo_http_get(struct yahoo_src *s, const char *url, const char *shown, long *status,
                   struct yahoo_body *body);

/*
 * Reads one answer to a chart request and delivers its bars between
 * req->from and req->to to the sink, in the order Yahoo lists them;
 * unreadable rows go to sink->reject. Maps HTTP 404 and chart.error
 * "Not Found" to JUTSU_ENOTFOUND, a body that is not a v8 chart to
 * JUTSU_EMALFORMED; other HTTP statuses to JUTSU_EAUTH (401, 403) or
 * JUTSU_EPLUGIN. Returns 0, a nonzero value from sink->bars, or an error
 * after host->set_error.
 */
int yahoo_parse(struct yahoo_src *s, const struct jutsu_fetch_req *req, const char *shown,
                long status, const struct yahoo_body *body,
                const struct jutsu_source_sink *sink);

/* The first YAHOO_SNIPPET bytes of a body, printable, for messages:
 * control and non-ASCII bytes as \n, \r, \t or \xHH, "..." if cut. */
const char *yahoo_snippet(const char *p, size_t len, char out[YAHOO_SNIPPET_BUF]);

#endif
