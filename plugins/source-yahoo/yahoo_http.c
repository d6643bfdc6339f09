/*
 * plugins/source-yahoo/yahoo_http.c — one GET to Yahoo, with retries.
 *
 * Yahoo's chart API is unofficial and throttles without warning, so every
 * failure that may pass (HTTP 429, 408 and 5xx, a refused or reset
 * connection, a timeout, a body cut short) is retried up to `retries`
 * times. Between attempts we wait backoff_ms, doubling each time, or what
 * the answer's Retry-After asks (a 429's, or a 503's; seconds or an HTTP
 * date, libcurl parses both), in both cases at most YAHOO_WAIT_MAX_MS. The wait blocks the calling (job)
 * thread: a sync is a background job, and sleeping is the polite answer to
 * a rate limit.
 *
 * The easy handle belongs to the instance and is reused, so that a sync of
 * many symbols keeps its connection; hence one fetch at a time per
 * instance (the source does not claim JUTSU_SOURCE_CONCURRENT).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jutsu/error.h"
#include "jutsu/log.h"
#include "yahoo_int.h"

/* What one attempt came to. */
enum outcome {
    DONE,          /* an answer the caller reads (2xx, 3xx, most 4xx) */
    RETRY_LIMIT,   /* 429 */
    RETRY_FAIL,    /* 408, 5xx, network trouble */
    FATAL          /* no point in trying again; rc says why */
};

const char *yahoo_snippet(const char *p, size_t len, char out[YAHOO_SNIPPET_BUF])
{
    size_t n = len < YAHOO_SNIPPET ? len : YAHOO_SNIPPET, o = 0;
    for (size_t i = 0; i < n && p; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n' || c == '\r' || c == '\t') {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    if (len > n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
    struct yahoo_body *b = arg;
    size_t n = size * nmemb;
    int rc = jutsu_buf_append(&b->buf, data, n, (size_t)YAHOO_BODY_MAX);
    b->too_big = rc == JUTSU_ERANGE;
    return rc == 0 ? n : 0;             /* anything else stops the transfer: CURLE_WRITE_ERROR */
}

static void pause_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The wait before attempt `next` (1-based retry number). */
static long backoff(const struct yahoo_src *s, int next, curl_off_t retry_after_s)
{
    long ms = s->backoff_ms;
    if (retry_after_s > 0)
        return retry_after_s > YAHOO_WAIT_MAX_MS / 1000 ? YAHOO_WAIT_MAX_MS
                                                         : (long)retry_after_s * 1000;
    for (int i = 1; i < next && ms < YAHOO_WAIT_MAX_MS; i++)
        ms *= 2;
    return ms > YAHOO_WAIT_MAX_MS ? YAHOO_WAIT_MAX_MS : ms;
}

/* Classifies a finished attempt; `what` says what went wrong, for the log
 * and the final message. */
static enum outcome classify(struct yahoo_src *s, CURLcode cc, long status,
                             const struct yahoo_body *b, int *rc, char *what, size_t size)
{
    char snip[YAHOO_SNIPPET_BUF];
    if (cc == CURLE_OK) {
        if (status == 429) {
            snprintf(what, size, "HTTP 429 Too Many Requests");
            return RETRY_LIMIT;
        }
        if (status == 408 || status >= 500) {
            snprintf(what, size, "HTTP %ld: \"%s\"", status,
                     yahoo_snippet(b->buf.p, b->buf.len, snip));
            return RETRY_FAIL;
        }
        return DONE;
    }
    if (b->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(what, size, "the response is larger than %ld MiB", YAHOO_BODY_MAX >> 20);
        *rc = JUTSU_EMALFORMED;
        return FATAL;
    }
    snprintf(what, size, "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc));
    switch (cc) {
    case CURLE_OUT_OF_MEMORY:
    case CURLE_WRITE_ERROR:             /* on_data could not grow the buffer */
        *rc = JUTSU_ENOMEM;
        return FATAL;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        *rc = JUTSU_ECONFIG;
        return FATAL;
    default:
        return RETRY_FAIL;              /* DNS, connect, reset, timeout, short body, TLS */
    }
}

static CURLcode perform(struct yahoo_src *s, const char *url, long *status,
                        struct yahoo_body *b, curl_off_t *retry_after)
{
    CURL *h = s->curl;
    jutsu_buf_free(&b->buf);
    memset(b, 0, sizeof(*b));
    s->errbuf[0] = '\0';
    *status = 0;
    *retry_after = 0;
    CURLcode cc = curl_easy_setopt(h, CURLOPT_URL, url);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    if (cc == CURLE_OK)
        cc = curl_easy_perform(h);
    /* on a failed transfer these may be unknown: then 0, "no answer" */
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status) != CURLE_OK)
        *status = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, retry_after) != CURLE_OK)
        *retry_after = 0;
    return cc;
}

int yahoo_http_get(struct yahoo_src *s, const char *url, const char *shown, long *status,
                   struct yahoo_body *body)
{
    char what[512];
    int attempts = s->retries + 1;
    for (int attempt = 1;; attempt++) {
        curl_off_t retry_after;
        int rc = 0;
        CURLcode cc = perform(s, url, status, body, &retry_after);
        enum outcome o = classify(s, cc, *status, body, &rc, what, sizeof(what));
        if (o == DONE) {
            s->host->log(s->ctx, JUTSU_LOG_DEBUG, "GET %s: HTTP %ld, %zu bytes (attempt %d)",
                         shown, *status, body->buf.len, attempt);
            return 0;
        }
        if (o == FATAL) {
            s->host->set_error(s->ctx, "GET %s: %s", shown, what);
            return rc;
        }
        if (attempt >= attempts) {
            if (o == RETRY_LIMIT) {
                s->host->set_error(s->ctx, "GET %s: %s after %d attempt(s): Yahoo asks us to "
                                   "slow down; sync fewer symbols at a time or later", shown,
                                   what, attempt);
                return JUTSU_ERATELIMIT;
            }
            s->host->set_error(s->ctx, "GET %s: %s (after %d attempt(s))", shown, what,
                               attempt);
            return JUTSU_ETRANSIENT;
        }
        long wait = backoff(s, attempt, retry_after);
        s->host->log(s->ctx, JUTSU_LOG_WARN, "GET %s: %s (attempt %d of %d); retrying in %ld ms",
                     shown, what, attempt, attempts, wait);
        pause_ms(wait);
    }
}
