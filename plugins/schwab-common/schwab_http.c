/*
 * plugins/schwab-common/schwab_http.c — the HTTP client of the Schwab
 * plugins: one libcurl easy handle per fetch or order call, a rate limiter
 * shared by all threads of an instance, and the retry policy for 429, 5xx
 * and network failures.
 *
 * The limiter spaces request starts by 1/requests_per_second: a caller
 * reserves the next free slot under the mutex and sleeps outside it, so
 * threads queue fairly and no lock is held while sleeping. Retries go
 * through the limiter too: a server that says "slow down" is not hit
 * faster by our own back-off.
 *
 * Retrying is only safe for a request that may take effect twice without
 * harm: reads, token calls, a cancel. An order must not (struct
 * schwab_req's `once`): it is repeated only when Schwab surely did not
 * act on it, and any other failure is reported as an unknown outcome.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "jutsu/buf.h"
#include "jutsu/error.h"
#include "jutsu/log.h"
#include "schwab_common.h"

/* A Retry-After beyond this is not waited for: the fetch fails with
 * JUTSU_ERATELIMIT and the sync job tries the next source. */
#define MAX_WAIT_MS   60000
/* The exponential back-off stops growing here. */
#define MAX_BACKOFF_MS 30000

struct schwab_conn {
    struct schwab *s;
    CURL          *h;
    char           errbuf[CURL_ERROR_SIZE];
};

/* The body as it arrives; `too_big` aborts the transfer. */
struct body {
    struct jutsu_buf buf;
    int              too_big;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(int64_t us)
{
    if (us <= 0)
        return;
    struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void rate_wait(struct schwab *s)
{
    if (s->interval_us <= 0)
        return;
    pthread_mutex_lock(&s->rate_mu);
    int64_t now = mono_us();
    int64_t slot = s->next_slot_us > now ? s->next_slot_us : now;
    s->next_slot_us = slot + s->interval_us;
    pthread_mutex_unlock(&s->rate_mu);
    sleep_us(slot - now);
}

int schwab_conn_open(struct schwab *s, struct schwab_conn **out)
{
    struct schwab_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return JUTSU_ENOMEM;
    c->s = s;
    if ((c->h = curl_easy_init()) == NULL) {
        free(c);
        s->host->set_error(s->ctx, "libcurl could not create a handle (out of memory?)");
        return JUTSU_ENOMEM;
    }
    *out = c;
    return 0;
}

void schwab_conn_close(struct schwab_conn *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->h);
    free(c);
}

void schwab_resp_free(struct schwab_resp *r)
{
    free(r->body);
    free(r->location);
    memset(r, 0, sizeof(*r));
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct body *b = arg;
    size_t n = size * nmemb;
    int rc = jutsu_buf_append(&b->buf, ptr, n, SCHWAB_MAX_BODY);
    b->too_big = rc == JUTSU_ERANGE;
    return rc == 0 ? n : 0;   /* anything else stops the transfer */
}

/* Milliseconds a Retry-After header asks for, or -1 without one. */
static int64_t retry_after_ms(CURL *h)
{
    struct curl_header *hh;
    if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &hh) != CURLHE_OK)
        return -1;
    const char *v = hh->value;
    while (isspace((unsigned char)*v))
        v++;
    if (isdigit((unsigned char)*v)) {
        char *end;
        long long sec = strtoll(v, &end, 10);
        return sec > MAX_WAIT_MS ? MAX_WAIT_MS + 1 : (int64_t)sec * 1000;
    }
    time_t when = curl_getdate(v, NULL);   /* an HTTP date */
    if (when < 0)
        return -1;
    time_t now = time(NULL);
    return when <= now ? 0 : (int64_t)(when - now) * 1000;
}

/* The Location header of the last answer, copied; 0 or JUTSU_ENOMEM. */
static int copy_location(CURL *h, char **out)
{
    struct curl_header *hh;
    *out = NULL;
    if (curl_easy_header(h, "Location", 0, CURLH_HEADER, -1, &hh) != CURLHE_OK)
        return 0;
    return (*out = strdup(hh->value)) ? 0 : JUTSU_ENOMEM;
}

/* Appends "head value" ("Authorization: Bearer " "TOKEN"); 0 or -1. */
static int append_header(struct curl_slist **l, const char *head, const char *value)
{
    char *line = NULL;
    if (asprintf(&line, "%s%s", head, value) < 0)
        return -1;
    struct curl_slist *n = curl_slist_append(*l, line);
    free(line);
    if (n == NULL)
        return -1;
    *l = n;
    return 0;
}

static struct curl_slist *make_headers(const struct schwab_req *q)
{
    struct curl_slist *l = curl_slist_append(NULL, "Accept: application/json");
    if (l == NULL)
        return NULL;
    if ((q->body && append_header(&l, "Content-Type: ", q->content_type ? q->content_type :
                                  "application/x-www-form-urlencoded") != 0) ||
        (q->bearer && append_header(&l, "Authorization: Bearer ", q->bearer) != 0)) {
        curl_slist_free_all(l);
        return NULL;
    }
    return l;
}

/* One attempt. Returns the curl code; *wait_ms is the Retry-After. */
static CURLcode perform(struct schwab_conn *c, const struct schwab_req *q,
                        struct curl_slist *hdrs, struct body *b, long *status,
                        int64_t *wait_ms)
{
    struct schwab *s = c->s;
    CURL *h = c->h;
    curl_easy_reset(h);   /* keeps the connection cache: the next request reuses it */
    c->errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, q->url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);          /* we run on job threads */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, s->agent);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    if (q->basic) {
        /* Basic only: libcurl then sends the credentials with the first
         * request instead of waiting for a 401 challenge */
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, s->app_key);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->app_secret);
    }
    if (q->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
    }
    if (q->method && strcmp(q->method, "GET") != 0 && strcmp(q->method, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    /* libcurl re-sends a request whose reused connection turns out to be
     * dead; for an order that could be the second copy */
    if (q->once)
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    CURLcode cc = curl_easy_perform(h);
    *status = 0;
    *wait_ms = -1;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        *wait_ms = retry_after_ms(h);
    }
    return cc;
}

static int64_t backoff_ms(struct schwab *s, int attempt, int64_t asked_ms)
{
    if (asked_ms >= 0)
        return asked_ms;
    int64_t ms = s->backoff_ms;
    for (int i = 0; i < attempt && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
    return ms < MAX_BACKOFF_MS ? ms : MAX_BACKOFF_MS;
}

/* A bad URL or a certificate that does not verify stays so. */
static int worth_retrying(CURLcode cc)
{
    return cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL &&
           cc != CURLE_PEER_FAILED_VERIFICATION && cc != CURLE_SSL_CACERT_BADFILE;
}

/* Whether Schwab surely did not act on the attempt: it answered 429 (the
 * gateway refuses before anything is done), or not one byte of the
 * request left this machine (no connection, no TLS session). */
static int surely_not_done(CURL *h, CURLcode cc, long status)
{
    long sent = 1;   /* bytes of this transfer's request written so far */
    if (cc == CURLE_OK)
        return status == 429;
    if (cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY ||
        cc == CURLE_COULDNT_CONNECT)
        return 1;
    return curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK && sent == 0;
}

/* The final error, once retries are spent (or a wait is too long). */
static int give_up(struct schwab *s, const char *what, CURLcode cc, const char *errbuf,
                   const struct schwab_resp *r, int attempts, int64_t wait_ms)
{
    char why[256];
    const char *text = errbuf[0] ? errbuf : curl_easy_strerror(cc);
    if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) {
        s->host->set_error(s->ctx, "%s: %s: check api_base and auth_base", what, text);
        return JUTSU_ECONFIG;
    }
    if (cc == CURLE_OPERATION_TIMEDOUT) {
        s->host->set_error(s->ctx, "%s: %s after %d attempt(s) (no answer within timeout_ms "
                           "%lld)", what, text, attempts, (long long)s->timeout_ms);
        return JUTSU_ETRANSIENT;
    }
    if (cc != CURLE_OK) {
        s->host->set_error(s->ctx, "%s: %s after %d attempt(s) (is the network up, and "
                           "api_base/auth_base right?)", what, text, attempts);
        return JUTSU_ETRANSIENT;
    }
    schwab_error_text(r->body, why, sizeof(why));
    if (wait_ms > MAX_WAIT_MS)
        s->host->set_error(s->ctx, "%s: HTTP %ld asking to wait more than %d s: giving up for "
                           "now (%s)", what, r->status, MAX_WAIT_MS / 1000, why);
    else
        s->host->set_error(s->ctx, "%s: HTTP %ld after %d attempt(s)%s (%s)", what, r->status,
                           attempts, r->status == 429 ? ": Schwab's rate limit; lower "
                           "requests_per_second" : ": Schwab's service is failing", why);
    return r->status == 429 ? JUTSU_ERATELIMIT : JUTSU_ETRANSIENT;
}

/* A `once` request that may or may not have been carried out. */
static int unknown_outcome(struct schwab *s, const struct schwab_req *q, CURLcode cc,
                           const char *errbuf, const struct schwab_resp *r)
{
    char why[256];
    if (cc != CURLE_OK)
        snprintf(why, sizeof(why), "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    else {
        char text[200];
        schwab_error_text(r->body, text, sizeof(text));
        snprintf(why, sizeof(why), "HTTP %ld: %s", r->status, text);
    }
    s->host->set_error(s->ctx, "%s: the request reached Schwab but no certain answer came back "
                       "(%s), so it was not sent again: %s", q->what, why, q->once);
    return JUTSU_ETIMEDOUT;
}

int schwab_send(struct schwab *s, struct schwab_conn *c, const struct schwab_req *q,
                struct schwab_resp *r)
{
    struct curl_slist *hdrs = make_headers(q);
    memset(r, 0, sizeof(*r));
    if (hdrs == NULL)
        return JUTSU_ENOMEM;
    int rc = 0;
    for (int attempt = 0;; attempt++) {
        struct body b = { 0 };
        int64_t wait_ms;
        rate_wait(s);
        CURLcode cc = perform(c, q, hdrs, &b, &r->status, &wait_ms);
        r->body = b.buf.p;
        r->len = b.buf.len;
        if (b.too_big) {
            s->host->set_error(s->ctx, "%s: the answer is larger than %u MiB: refused", q->what,
                               SCHWAB_MAX_BODY >> 20);
            rc = q->once ? unknown_outcome(s, q, cc, c->errbuf, r) : JUTSU_EMALFORMED;
            break;
        }
        /* out of memory for the answer: for an order, the answer came,
         * so the order probably stands, but which one is lost */
        if (cc == CURLE_WRITE_ERROR || cc == CURLE_OUT_OF_MEMORY ||
            (r->body == NULL && (r->body = calloc(1, 1)) == NULL) ||
            (cc == CURLE_OK && copy_location(c->h, &r->location) != 0)) {
            rc = q->once ? unknown_outcome(s, q, cc, c->errbuf, r) : JUTSU_ENOMEM;
            break;
        }
        int retry = cc != CURLE_OK || r->status == 429 || r->status >= 500;
        if (!retry)
            break;
        if (q->once && worth_retrying(cc) && !surely_not_done(c->h, cc, r->status)) {
            rc = unknown_outcome(s, q, cc, c->errbuf, r);
            break;
        }
        if (attempt >= s->retries || wait_ms > MAX_WAIT_MS || !worth_retrying(cc)) {
            rc = give_up(s, q->what, cc, c->errbuf, r, attempt + 1, wait_ms);
            break;
        }
        int64_t ms = backoff_ms(s, attempt, wait_ms);
        char cause[64];
        if (cc != CURLE_OK)
            snprintf(cause, sizeof(cause), "%s", curl_easy_strerror(cc));
        else
            snprintf(cause, sizeof(cause), "HTTP %ld", r->status);
        s->host->log(s->ctx, JUTSU_LOG_WARN, "%s: %s; retry %d of %lld in %lld ms", q->what,
                     cause, attempt + 1, (long long)s->retries, (long long)ms);
        schwab_resp_free(r);
        sleep_us(ms * 1000);
    }
    curl_slist_free_all(hdrs);
    return rc;
}

int schwab_request(struct schwab *s, struct schwab_conn *c, const char *what,
                   const char *url, const char *bearer, int basic, const char *form,
                   struct schwab_resp *r)
{
    struct schwab_req q = { .what = what, .url = url, .bearer = bearer, .basic = basic,
                            .body = form };
    return schwab_send(s, c, &q, r);
}

int schwab_send_authed(struct schwab *s, struct schwab_conn *c, const struct schwab_req *q,
                       struct schwab_resp *r)
{
    struct schwab_req with = *q;
    char *token = NULL;
    memset(r, 0, sizeof(*r));
    int rc = schwab_access_token(s, c, NULL, &token);
    with.bearer = token;
    if (rc == 0)
        rc = schwab_send(s, c, &with, r);
    if (rc == 0 && r->status == 401) {
        char *again = NULL;
        s->host->log(s->ctx, JUTSU_LOG_INFO, "%s: HTTP 401; refreshing the access token",
                     q->what);
        schwab_resp_free(r);
        rc = schwab_access_token(s, c, token, &again);
        with.bearer = again;
        if (rc == 0)
            rc = schwab_send(s, c, &with, r);
        free(again);
    }
    free(token);
    return rc;
}

char *schwab_urlencode(const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(text);
    char *out = malloc(3 * n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

static const char *str_field(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* Printable text only: an error body goes into one log line. */
static void clean_copy(char *out, size_t size, const char *text)
{
    size_t i = 0;
    for (; text && *text && i + 1 < size; text++)
        out[i++] = (unsigned char)*text < 0x20 || *text == 0x7f ? ' ' : *text;
    if (size)
        out[i] = '\0';
}

void schwab_error_text(const char *body, char *out, size_t size)
{
    json_object *o = body ? json_tokener_parse(body) : NULL;
    const char *a = NULL, *b = NULL;
    if (o && json_object_is_type(o, json_type_object)) {
        json_object *errs, *e;
        a = str_field(o, "error");
        b = str_field(o, "error_description");
        if (a == NULL && (a = str_field(o, "message")) == NULL &&
            json_object_object_get_ex(o, "errors", &errs) &&
            json_object_is_type(errs, json_type_array) && json_object_array_length(errs) > 0 &&
            (e = json_object_array_get_idx(errs, 0)) && json_object_is_type(e, json_type_object)) {
            a = str_field(e, "title");
            b = str_field(e, "detail");
        }
    }
    if (a || b) {
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s%s%s", a ? a : "", a && b ? ": " : "", b ? b : "");
        clean_copy(out, size, tmp);
    } else if (body && *body) {
        char tmp[160];
        snprintf(tmp, sizeof(tmp), "%s", body);
        clean_copy(out, size, tmp);
    } else {
        clean_copy(out, size, "no body");
    }
    json_object_put(o);
}
